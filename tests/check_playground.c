#include "config.h"

#include "suites.h"
#include "core/util.h"
#include "core/lesson.h"
#include "net/playground.h"
#include "net/project.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every test types lines into a real session: real sockets on loopback. */

static playground *g;

static void setup(void)
{
	g = pg_new(NULL);
}

static void teardown(void)
{
	pg_free(g);
	g = NULL;
}

static void type_ok(const char *line)
{
	char *msg;
	pg_result r = pg_submit(g, line, &msg);
	ck_assert_msg(r == PG_RAN, "'%s' was not run: %s", line, msg ? msg : "(no message)");
	free(msg);
}

/* The newest call event of the session. */
static const run_event *last_call(void)
{
	const run *r = pg_run(g);
	for (size_t i = run_nevents(r); i > 0; i--) {
		const run_event *e = run_event_at(r, i - 1);
		if (e->kind == EV_CALL || e->kind == EV_BLOCKED)
			return e;
	}
	return NULL;
}

/* Gives the kernel up to ms to answer (blocked calls returning). */
static void settle(int ms)
{
	for (int i = 0; i < ms / 5; i++) {
		pg_progress(g);
		poll(NULL, 0, 5);
	}
	pg_progress(g);
}

static void server_listening(void)
{
	type_ok("server: l = socket(AF_INET, SOCK_STREAM)");
	type_ok("server: l.bind(\"127.0.0.1\", 0)");
	type_ok("server: l.listen(5)");
}

START_TEST(test_each_line_runs_at_once)
{
	server_listening();
	const run_event *e = last_call();
	ck_assert_int_eq(e->kind, EV_CALL);
	ck_assert_int_eq(e->ret, 0);
	ck_assert_str_eq(e->py, "l.listen(5)");
	ck_assert_uint_eq(e->nsocks, 1);
	ck_assert_str_eq(e->socks[0].state, "LISTEN");
	ck_assert_uint_eq(pg_nlines(g), 3);
}
END_TEST

START_TEST(test_blocked_actor_and_other_actors)
{
	server_listening();
	type_ok("server: c = l.accept()");
	ck_assert_int_eq(last_call()->kind, EV_BLOCKED);
	/* a blocked actor takes no other line; the line is refused, nothing runs */
	char *msg;
	ck_assert_int_eq(pg_submit(g, "server: c.recv(10)", &msg), PG_REFUSED);
	ck_assert_ptr_nonnull(strstr(msg, "c = l.accept()"));
	free(msg);
	ck_assert_uint_eq(pg_nlines(g), 4);
	/* a new actor, after sockets exist: its connect lets accept return */
	type_ok("client: s = socket(AF_INET, SOCK_STREAM)");
	type_ok("client: s.connect(server.l)");
	settle(200);
	ck_assert_int_eq(run_blocked_step(pg_run(g), 0), -1);
	type_ok("client: s.send(\"hi\")");
	type_ok("server: c.recv(10)");
	settle(100);
	const run_event *e = last_call();
	ck_assert_int_eq(e->kind, EV_CALL);
	ck_assert_int_eq(e->ret, 2);
	ck_assert_mem_eq(e->data, "hi", 2);
}
END_TEST

START_TEST(test_wrong_calls_get_the_kernels_errno)
{
	type_ok("client: s = socket(AF_INET, SOCK_STREAM)");
	type_ok("client: s.getpeername()");
	ck_assert_int_eq(last_call()->err, ENOTCONN);
	type_ok("client: t = socket(AF_INET, SOCK_STREAM)");
	type_ok("client: t.bind(\"127.0.0.1\", 0)");
	type_ok("client: t.bind(\"127.0.0.1\", 0)");
	ck_assert_int_eq(last_call()->ret, -1);
	ck_assert_int_eq(last_call()->err, EINVAL);
	/* a literal port is allowed here: the second socket on it is refused by the kernel */
	type_ok("server: a = socket(AF_INET, SOCK_STREAM)");
	type_ok("server: a.bind(\"127.0.0.1\", client.t)");
	ck_assert_int_eq(last_call()->err, EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(last_call()->py_ret, "OSError: [Errno 98]"));
}
END_TEST

START_TEST(test_bad_lines_are_refused_with_the_column)
{
	char *msg;
	ck_assert_int_eq(pg_submit(g, "server: s.bind(\"127.0.0.1\", 0)", &msg), PG_REFUSED);
	ck_assert_ptr_nonnull(strstr(msg, "column 9"));
	free(msg);
	type_ok("server: s = socket(AF_INET, SOCK_DGRAM)");
	ck_assert_int_eq(pg_submit(g, "server: s.bind(\"10.0.0.1\", 0)", &msg), PG_REFUSED);
	ck_assert_ptr_nonnull(strstr(msg, "not a loopback address"));
	free(msg);
	ck_assert_int_eq(pg_submit(g, "predict p: 1 | 2", &msg), PG_REFUSED);
	free(msg);
	ck_assert_int_eq(pg_submit(g, "   ", &msg), PG_NOTHING);
	ck_assert_uint_eq(pg_nlines(g), 1);
	ck_assert_uint_eq(pg_script(g)->nsteps, 1);
}
END_TEST

static size_t complete(const char *line, const char *want0, const char *want1)
{
	size_t ws;
	char **c;
	size_t n = pg_complete(g, line, &ws, &c);
	bool f0 = !want0, f1 = !want1;
	for (size_t i = 0; i < n; i++) {
		f0 |= want0 && strcmp(c[i], want0) == 0;
		f1 |= want1 && strcmp(c[i], want1) == 0;
		free(c[i]);
	}
	free(c);
	ck_assert_msg(f0 && f1, "completing '%s': %s / %s missing", line, want0, want1);
	return n;
}

START_TEST(test_completion)
{
	complete("cl", "client: ", "clear");
	server_listening();
	complete("server: l.se", "setsockopt(", "settimeout(");
	complete("server: l.b", "bind(", NULL);
	ck_assert_uint_eq(complete("server: l.b", "bind(", NULL), 1);
	complete("server: l.setsockopt(SO_RE", "SO_REUSEADDR", NULL);
	complete("server: l.setsockopt(TCP_", "TCP_NODELAY", "TCP_DEFER_ACCEPT");
	complete("client: s = so", "socket(", NULL);
	complete("client: s = socket(AF_INET, SOCK_", "SOCK_STREAM)", "SOCK_DGRAM)");
	complete("client: s.connect(ser", "server.", NULL);
	complete("client: s.connect(server.", "l", NULL);
	complete("expect server.", "l ", NULL);
	complete("expect server.l LI", "LISTEN", NULL);
	complete("expect server.l TIME", "TIME_WAIT", NULL);
	complete("server: l.shutdown(SHUT_", "SHUT_WR)", "SHUT_RDWR)");
	ck_assert_uint_eq(complete("server: l.zz", NULL, NULL), 0);

	char *list[] = { "setsockopt(", "settimeout(", "setblocking(" };
	char *p = pg_common_prefix(list, 3);
	ck_assert_str_eq(p, "set");
	free(p);
}
END_TEST

START_TEST(test_hints)
{
	const pg_hint *h = pg_hint_for("server: l.bind(");
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h->python, "s.bind(('127.0.0.1', 0))");
	ck_assert_ptr_nonnull(pg_hint_for("client: s.setsockopt(SO_REUSEADDR, "));
	ck_assert_str_eq(pg_hint_for("client: s = socket(AF_INET")->usage,
			 "s = socket(AF_INET, SOCK_STREAM)");
	ck_assert_ptr_nonnull(strstr(pg_hint_for("expect client.s ")->usage, "expect"));
	ck_assert_ptr_null(pg_hint_for("client: s"));
}
END_TEST

START_TEST(test_save_and_reopen)
{
	server_listening();
	type_ok("server: c = l.accept()");
	type_ok("client: s = socket(AF_INET, SOCK_STREAM)");
	type_ok("client: s.connect(server.l)   # the handshake");
	type_ok("client: t = socket(AF_INET, SOCK_STREAM)");
	type_ok("client: t.getpeername()");
	settle(100);
	char *text = pg_script_text(g);
	ck_assert_ptr_nonnull(strstr(text, "actors server client\nscene playground\n"));
	ck_assert_ptr_nonnull(strstr(text, "server: l.listen(5)"));
	ck_assert_ptr_nonnull(strstr(text, "-> ok\n"));
	ck_assert_ptr_nonnull(strstr(text, "-> -1 ENOTCONN\n"));
	ck_assert_ptr_nonnull(strstr(text, "-> 0  # the handshake\n"));
	free(text);

	char dir[] = "/tmp/socktutor-pg-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *want = xasprintf("%s/mine", dir);
	char *path = pg_save(g, want);
	ck_assert_ptr_nonnull(path);
	ck_assert_str_eq(path + strlen(path) - 10, "/mine.demo");
	/* a name of the student's own is never replaced */
	ck_assert_ptr_null(pg_save(g, want));
	ck_assert_int_eq(errno, EEXIST);

	/* reopened, the same lines run again and every result is as written */
	char *err = NULL;
	playground *h = pg_load(path, NULL, &err);
	ck_assert_msg(h != NULL, "reopening: %s", err);
	for (int i = 0; i < 40; i++) {
		pg_progress(h);
		poll(NULL, 0, 5);
	}
	ck_assert_int_eq(run_failures(pg_run(h)), 0);
	ck_assert_uint_eq(pg_script(h)->nsteps, pg_script(g)->nsteps);
	pg_free(h);

	/* a file that is no script: file, line and column */
	char *bad = xasprintf("%s/bad.demo", dir);
	FILE *f = fopen(bad, "w");
	fputs("server: s = socket(AF_INET, SOCK_STREAM)\nserver: s.frobnicate()\n", f);
	fclose(f);
	ck_assert_ptr_null(pg_load(bad, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err, "bad.demo:2:11:"));
	free(err);

	unlink(bad);
	unlink(path);
	rmdir(dir);
	free(bad);
	free(path);
	free(want);
}
END_TEST

START_TEST(test_restart_and_clear)
{
	server_listening();
	char *msg;
	ck_assert_int_eq(pg_submit(g, "restart", &msg), PG_RESTARTED);
	free(msg);
	settle(20);
	const run_event *e = last_call();
	ck_assert_str_eq(e->socks[0].state, "LISTEN");
	ck_assert_int_eq(pg_submit(g, "clear", &msg), PG_CLEARED);
	free(msg);
	ck_assert_uint_eq(pg_nlines(g), 0);
	ck_assert_uint_eq(run_nevents(pg_run(g)), 0);
	ck_assert_int_eq(pg_submit(g, "quit", &msg), PG_QUIT);
	free(msg);
}
END_TEST

static const char *state_of(const run_event *e, const char *name)
{
	for (size_t i = 0; i < e->nsocks; i++)
		if (strcmp(e->socks[i].name, name) == 0)
			return e->socks[i].state;
	return NULL;
}

/* Time passes between typed lines: states the kernel changes by itself show up. */
START_TEST(test_states_move_by_themselves)
{
	server_listening();
	ck_assert_int_eq(run_check_states(pg_run(g)), 0);	/* nothing moved */
	ck_assert(!run_states_moving(pg_run(g)));
	type_ok("client: s = socket(AF_INET, SOCK_STREAM)");
	type_ok("client: s.connect(server.l)");
	type_ok("server: c = l.accept()");
	type_ok("client: s.close()");
	const run *r = pg_run(g);
	const char *at_close = state_of(run_last(r), "client.s");
	ck_assert_ptr_nonnull(at_close);
	settle(600);
	/* the client's FIN is acknowledged at once on loopback: FIN_WAIT2, whatever the close's
	 * own snapshot caught */
	ck_assert_str_eq(state_of(run_last(r), "client.s"), "FIN_WAIT2");
	if (strcmp(at_close, "FIN_WAIT1") == 0) {
		const run_event *e = run_last(r);
		ck_assert_int_eq(e->kind, EV_STATES);
		ck_assert_str_eq(e->c, "client.s FIN_WAIT1 -> FIN_WAIT2");
	}
}
END_TEST

/* The projects a lesson may open are the ones --project runs, and no other. */
START_TEST(test_lesson_projects_exist)
{
	size_t n = 0;
	for (; lesson_project_at(n); n++)
		ck_assert_int_ge(project_find(lesson_project_at(n)), 0);
	ck_assert_uint_eq(n, PROJECT_COUNT);
	for (int k = 0; k < PROJECT_COUNT; k++)
		ck_assert_str_eq(lesson_project_at((size_t)k), project_name((project_kind)k));
}
END_TEST

Suite *make_playground_suite(void)
{
	Suite *s = suite_create("playground");
	TCase *tc = tcase_create("playground");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_each_line_runs_at_once);
	tcase_add_test(tc, test_blocked_actor_and_other_actors);
	tcase_add_test(tc, test_wrong_calls_get_the_kernels_errno);
	tcase_add_test(tc, test_bad_lines_are_refused_with_the_column);
	tcase_add_test(tc, test_completion);
	tcase_add_test(tc, test_hints);
	tcase_add_test(tc, test_save_and_reopen);
	tcase_add_test(tc, test_restart_and_clear);
	tcase_add_test(tc, test_lesson_projects_exist);
	tcase_add_test(tc, test_states_move_by_themselves);
	suite_add_tcase(s, tc);
	return s;
}
