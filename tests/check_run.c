#include "config.h"

#include "suites.h"
#include "core/script.h"
#include "net/observe.h"
#include "net/run.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Every test runs real sockets on loopback; the one that waits for a stalled script needs
 * the interpreter's 10 s limit plus some margin. */

static diag_list errs;

static void setup(void)
{
	memset(&errs, 0, sizeof errs);
}

static void teardown(void)
{
	diag_clear(&errs);
}

static script *parse_ok(const char *text)
{
	script *s = script_parse(text, strlen(text), "test.demo", "t", &errs);
	ck_assert_msg(s != NULL, "script error %d:%d: %s", errs.count ? errs.items[0].line : 0,
		      errs.count ? errs.items[0].col : 0, errs.count ? errs.items[0].msg : "(none)");
	return s;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* The first event of this kind for this step at index >= from; its index goes to *at. */
static const run_event *find_ev(const run *r, int step, run_ev_kind kind, size_t from, size_t *at)
{
	for (size_t i = from; i < run_nevents(r); i++) {
		const run_event *e = run_event_at(r, i);
		if (e->step == step && e->kind == kind) {
			if (at)
				*at = i;
			return e;
		}
	}
	return NULL;
}

/* The EV_CALL of a step, which must exist. */
static const run_event *call_ev(const run *r, int step)
{
	const run_event *e = find_ev(r, step, EV_CALL, 0, NULL);
	ck_assert_msg(e != NULL, "no EV_CALL for step %d", step);
	return e;
}

static const run_sock *snap_sock(const run_event *e, const char *name)
{
	for (size_t i = 0; i < e->nsocks; i++)
		if (strcmp(e->socks[i].name, name) == 0)
			return &e->socks[i];
	ck_abort_msg("no socket '%s' in the snapshot of step %d", name, e->step);
	return NULL;
}

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Every expectation that was checked matched. */
static void assert_all_checks_pass(const run *r)
{
	for (size_t i = 0; i < run_nevents(r); i++) {
		const run_event *e = run_event_at(r, i);
		ck_assert_msg(e->kind != EV_ERROR, "run stopped: %s", e->observed);
		ck_assert_msg(e->check >= 0, "step %d: expected %s, observed %s", e->step,
			      e->expected, e->observed);
	}
	ck_assert_int_eq(run_failures(r), 0);
}

/* The port of "connect(FD, {AF_INET, 127.0.0.1:PORT}, 16)"; the descriptor goes to *fd. */
static unsigned connect_port(const char *c, int *fd)
{
	unsigned port = 0;
	int n = -1;
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(sscanf(c, "connect(%d, {AF_INET, 127.0.0.1:%u}, 16)%n", fd, &port, &n) == 2 &&
		      n == (int)strlen(c), "unexpected C text '%s'", c);
	return port;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* ---- a TCP conversation ------------------------------------------------------------------ */

static const char tcp_demo[] =
	"actors server client\n"
	"scene setup\n"
	"server: l = socket(AF_INET, SOCK_STREAM)     -> ok\n"		/* step 0 */
	"server: l.bind(\"127.0.0.1\", 0)              -> 0\n"		/* 1 */
	"server: l.listen(5)                         -> 0\n"		/* 2 */
	"expect server.l LISTEN\n"					/* 3 */
	"scene talk\n"
	"server: c = l.accept()                      -> blocks\n"	/* 4 */
	"client: s = socket(AF_INET, SOCK_STREAM)\n"			/* 5 */
	"client: s.connect(server.l)                 -> 0\n"		/* 6 */
	"client: s.send(\"hello\")                     -> 5\n"		/* 7 */
	"server: c.recv(1024)                        -> \"hello\"\n"	/* 8 */
	"expect client.s ESTABLISHED, server.c ESTABLISHED, server.l LISTEN rq=0\n"; /* 9 */

START_TEST(tcp_conversation)
{
	script *s = parse_ok(tcp_demo);
	run *r = run_new(s);
	ck_assert_ptr_null(run_last(r));
	run_all(r, NULL, NULL);
	ck_assert(run_finished(r));
	ck_assert_uint_eq(run_next_step(r), s->nsteps);
	assert_all_checks_pass(r);

	/* the first event starts the first scene */
	ck_assert_int_eq(run_event_at(r, 0)->kind, EV_SCENE);
	ck_assert_int_eq(run_event_at(r, 0)->scene, 0);

	/* socket() returns a descriptor */
	const run_event *e = call_ev(r, 0);
	ck_assert_int_ge(e->ret, 0);
	int lfd = (int)e->ret;
	ck_assert_str_eq(e->c, "socket(AF_INET, SOCK_STREAM, 0)");
	ck_assert_str_eq(e->py, "l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)");
	char buf[64];
	snprintf(buf, sizeof buf, "= %d", lfd);
	ck_assert_str_eq(e->c_ret, buf);
	ck_assert_int_eq(e->check, 1);
	ck_assert_str_eq(e->expected, ">= 0");

	/* bind to port 0: the kernel picked a port, and the socket is not listening yet */
	e = call_ev(r, 1);
	ck_assert_int_eq(e->ret, 0);
	ck_assert_str_eq(e->c_ret, "= 0");
	int fd = -1;
	ck_assert_msg(sscanf(e->c, "bind(%d, {AF_INET, 127.0.0.1:0}, 16)", &fd) == 1 && fd == lfd,
		      "unexpected C text '%s'", e->c);
	ck_assert_str_eq(e->py, "l.bind(('127.0.0.1', 0))");
	const run_sock *rs = snap_sock(e, "server.l");
	unsigned port = observe_port(&rs->local);
	ck_assert_uint_ne(port, 0);
	ck_assert_str_eq(rs->state, "CLOSE");
	ck_assert(!rs->listener);
	ck_assert_int_eq(rs->actor, 0);
	ck_assert_int_eq(rs->sock, 0);

	/* listen: now the kernel reports LISTEN on the same port */
	e = call_ev(r, 2);
	ck_assert_str_eq(e->py, "l.listen(5)");
	rs = snap_sock(e, "server.l");
	ck_assert_str_eq(rs->state, "LISTEN");
	ck_assert(rs->listener);
	ck_assert_uint_eq(observe_port(&rs->local), port);

	/* the expect step */
	e = find_ev(r, 3, EV_EXPECT, 0, NULL);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->check, 1);
	ck_assert_str_eq(e->expected, "server.l LISTEN");
	ck_assert_str_eq(e->observed, "server.l LISTEN");

	/* accept blocks first (nobody has connected), returns after the connect */
	size_t blocked_at, connect_at, accepted_at;
	e = find_ev(r, 4, EV_BLOCKED, 0, &blocked_at);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->actor, 0);
	ck_assert_ptr_null(e->c_ret);
	ck_assert_str_eq(e->py, "c, addr = l.accept()");
	const run_event *conn = find_ev(r, 6, EV_CALL, 0, &connect_at);
	ck_assert_ptr_nonnull(conn);
	const run_event *acc = find_ev(r, 4, EV_CALL, 0, &accepted_at);
	ck_assert_ptr_nonnull(acc);
	ck_assert_uint_gt(connect_at, blocked_at);
	ck_assert_uint_gt(accepted_at, connect_at);
	ck_assert(acc->waited);
	ck_assert_int_ge(acc->ret, 0);
	ck_assert_int_eq(acc->check, 1);
	ck_assert_str_eq(acc->expected, "blocks");

	/* connect names the listener's port in C and in Python */
	int sfd = -1;
	unsigned cport = connect_port(conn->c, &fd);
	sfd = (int)call_ev(r, 5)->ret;
	ck_assert_int_eq(fd, sfd);
	ck_assert_uint_eq(cport, port);
	snprintf(buf, sizeof buf, "s.connect(('127.0.0.1', %u))", port);
	ck_assert_str_eq(conn->py, buf);
	ck_assert_str_eq(conn->c_ret, "= 0");
	ck_assert_int_eq(conn->ret, 0);
	ck_assert(!conn->waited);

	/* the accepted socket's peer is the client socket */
	const run_sock *client = snap_sock(acc, "client.s");
	unsigned client_port = observe_port(&client->local);
	ck_assert_uint_ne(client_port, 0);
	snprintf(buf, sizeof buf, "addr = ('127.0.0.1', %u)", client_port);
	ck_assert_str_eq(acc->py_ret, buf);
	snprintf(buf, sizeof buf, "accept(%d, {AF_INET, 127.0.0.1:%u}, [16])", lfd, client_port);
	ck_assert_str_eq(acc->c, buf);
	rs = snap_sock(acc, "server.c");
	ck_assert_str_eq(rs->state, "ESTABLISHED");
	ck_assert_uint_eq(observe_port(&rs->remote), client_port);

	/* send and recv carry the bytes */
	e = call_ev(r, 7);
	ck_assert_int_eq(e->ret, 5);
	ck_assert_str_eq(e->py, "s.send(b'hello')");
	ck_assert_str_eq(e->py_ret, "5");
	e = call_ev(r, 8);
	ck_assert_int_eq(e->ret, 5);
	ck_assert_str_eq(e->py, "data = c.recv(1024)");
	ck_assert_str_eq(e->py_ret, "b'hello'");
	snprintf(buf, sizeof buf, "recv(%d, \"hello\", 1024, 0)", (int)acc->ret);
	ck_assert_str_eq(e->c, buf);
	ck_assert_int_eq(e->check, 1);

	e = find_ev(r, 9, EV_EXPECT, 0, NULL);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->observed, "client.s ESTABLISHED, server.c ESTABLISHED, server.l LISTEN rq=0");
	ck_assert_ptr_eq(run_last(r), run_event_at(r, run_nevents(r) - 1));
	run_free(r);
	script_free(s);
}
END_TEST

START_TEST(connect_refused)
{
	script *s = parse_ok("scene s\n"
			     "server: p = socket(AF_INET, SOCK_STREAM)\n"
			     "server: p.bind(\"127.0.0.1\", 0)     -> 0\n"
			     "client: s = socket(AF_INET, SOCK_STREAM)\n"
			     "client: s.connect(server.p)        -> -1 ECONNREFUSED\n"
			     "expect client.s CLOSE\n");
	run *r = run_new(s);
	run_all(r, NULL, NULL);
	assert_all_checks_pass(r);
	unsigned port = observe_port(&snap_sock(call_ev(r, 1), "server.p")->local);
	ck_assert_uint_ne(port, 0);
	const run_event *e = call_ev(r, 3);
	ck_assert_int_eq(e->ret, -1);
	ck_assert_int_eq(e->err, ECONNREFUSED);
	ck_assert_str_eq(e->c_ret, "= -1 ECONNREFUSED");
	ck_assert_msg(starts_with(e->py_ret, "ConnectionRefusedError"), "py_ret '%s'", e->py_ret);
	ck_assert_int_eq(e->check, 1);
	ck_assert_str_eq(e->expected, "-1 ECONNREFUSED");
	ck_assert_str_eq(e->observed, "-1 ECONNREFUSED");
	int fd;
	ck_assert_uint_eq(connect_port(e->c, &fd), port);
	ck_assert_int_eq(fd, (int)call_ev(r, 2)->ret);
	char buf[64];
	snprintf(buf, sizeof buf, "s.connect(('127.0.0.1', %u))", port);
	ck_assert_str_eq(e->py, buf);
	run_free(r);
	script_free(s);
}
END_TEST

/* Wrong expectations do not stop the run; each is counted and carries both sides. */
/* The kernel's answers judge predictions: a refusal, a call that blocks, the bytes recv
 * returned, a state, a typed one, an option's value; a prediction whose choices miss the answer gets -1. */
START_TEST(predictions_judged_by_the_kernel)
{
	script *s = parse_ok("scene a\n"
			     "server: p = socket(AF_INET, SOCK_STREAM)\n"
			     "server: p.bind(\"127.0.0.1\", 0)\n"
			     "server: l = socket(AF_INET, SOCK_STREAM)\n"
			     "server: l.bind(\"127.0.0.1\", 0)\n"
			     "server: l.listen(1)\n"
			     "client: s = socket(AF_INET, SOCK_STREAM)\n"
			     "predict refused: 0 | -1 ECONNREFUSED | blocks\n"
			     "client: s.connect(server.p)\n"
			     "predict acc: blocks | -1 EAGAIN\n"
			     "server: c = l.accept()\n"
			     "client: t = socket(AF_INET, SOCK_STREAM)\n"
			     "client: t.connect(server.l)\n"
			     "predict st: SYN_SENT | ESTABLISHED\n"
			     "expect client.t ESTABLISHED\n"
			     "client: t.send(\"你好\")\n"
			     "wait 50ms\n"
			     "predict got: \"你\" | \"你好\"\n"
			     "server: c.recv(100)\n"
			     "predict wrong: 1 | 2\n"
			     "client: t.send(\"abc\")\n"
			     "predict n: typed\n"
			     "server: c.recv(100)\n"
			     "server: p.setsockopt(SO_RCVBUF, 4096)\n"
			     "predict buf: 0 | 4096 | 8192\n"
			     "server: p.getsockopt(SO_RCVBUF)\n");
	run *r = run_new(s);
	char *t = NULL;
	ck_assert_int_eq(run_predict_outcome(r, 0, &t), -2);
	ck_assert_ptr_null(t);
	run_all(r, NULL, NULL);
	/* getsockopt: the value is the answer (the kernel doubles SO_RCVBUF), not the 0 returned */
	static const int want[] = { 1, 0, 1, 1, -1, -1, 2 };
	static const char *const text[] = { "-1 ECONNREFUSED", "blocks", "ESTABLISHED",
					    "\"你好\"", "3", "3", "8192" };
	for (size_t i = 0; i < 7; i++) {
		ck_assert_int_eq(run_predict_outcome(r, i, &t), want[i]);
		ck_assert_str_eq(t, text[i]);
		free(t);
	}
	run_free(r);
	script_free(s);
}
END_TEST

/* htons and inet_pton are the C library's: the value, the bytes stored (checked by
 * '-> "..."' and predicted like recv's data), no system call for strace to show; inet_pton
 * says 0 for text that is no address. */
START_TEST(library_calls_show_bytes)
{
	script *s = parse_ok("scene a\n"
			     "predict order: \"\\x88\\x13\" | \"\\x13\\x88\"\n"
			     "app: htons(5000) -> \"\\x13\\x88\"\n"
			     "app: inet_pton(AF_INET6, \"::1\") -> \"\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\x01\"\n"
			     "predict bad: 0 | -1 EINVAL\n"
			     "app: inet_pton(AF_INET, \"256.1.1.1\") -> 0\n"
			     "app: htons(5000) -> \"\\x88\\x13\"\n");
	run *r = run_new(s);
	run_all(r, NULL, NULL);
	ck_assert_int_eq(run_failures(r), 1);	/* the last line expects the wrong order */
	const run_event *e = call_ev(r, 0);
	ck_assert_int_eq(e->ret, ntohs(5000) == 5000 ? 5000 : 34835);
	ck_assert_uint_eq(e->datalen, 2);
	ck_assert_int_eq((unsigned char)e->data[0], 0x13);
	ck_assert_ptr_null(e->trace);
	ck_assert_str_eq(e->c, "htons(5000)");
	ck_assert_msg(strstr(e->c_ret, "/* 13 88 */") != NULL, "c_ret '%s'", e->c_ret);
	ck_assert_str_eq(e->py_ret, "b'\\x13\\x88'");
	ck_assert_int_eq(e->check, 1);
	e = call_ev(r, 1);
	ck_assert_int_eq(e->ret, 1);
	ck_assert_uint_eq(e->datalen, 16);
	ck_assert_str_eq(e->py, "socket.inet_pton(socket.AF_INET6, '::1')");
	e = call_ev(r, 2);
	ck_assert_int_eq(e->ret, 0);
	ck_assert_ptr_null(e->data);
	ck_assert_msg(starts_with(e->py_ret, "OSError"), "py_ret '%s'", e->py_ret);
	ck_assert_int_eq(call_ev(r, 3)->check, -1);
	char *t;
	ck_assert_int_eq(run_predict_outcome(r, 0, &t), 1);
	ck_assert_str_eq(t, "\"\\x13\\x88\"");
	free(t);
	ck_assert_int_eq(run_predict_outcome(r, 1, &t), 0);
	free(t);
	ck_assert(script_predict_is_library(s, 0));
	run_free(r);
	script_free(s);
}
END_TEST

START_TEST(wrong_expectations_are_reported)
{
	script *s = parse_ok("scene s\n"
			     "server: l = socket(AF_INET, SOCK_STREAM)\n"
			     "server: l.bind(\"127.0.0.1\", 0)\n"
			     "server: l.listen(5)                     -> 1\n"		/* 2: wrong */
			     "expect server.l ESTABLISHED\n"				/* 3: wrong */
			     "client: s = socket(AF_INET, SOCK_STREAM)\n"		/* 4 */
			     "client: s.connect(server.l)             -> -1 ECONNREFUSED\n" /* 5: wrong */
			     "client: s.send(\"hello\")\n"				/* 6 */
			     "server: c = l.accept()                  -> blocks\n"	/* 7: wrong */
			     "server: c.recv(100)                     -> \"bye\"\n"	/* 8: wrong */
			     "server: c.getsockopt(SO_TYPE)           -> 0\n");	/* 9: right */
	run *r = run_new(s);
	run_all(r, NULL, NULL);
	ck_assert(run_finished(r));
	ck_assert_int_eq(run_failures(r), 5);
	/* the run went on to the end */
	ck_assert_uint_eq(run_next_step(r), s->nsteps);

	const run_event *e = call_ev(r, 2);
	ck_assert_int_eq(e->check, -1);
	ck_assert_str_eq(e->expected, "1");
	ck_assert_str_eq(e->observed, "0");

	e = find_ev(r, 3, EV_EXPECT, 0, NULL);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->check, -1);
	ck_assert_str_eq(e->expected, "server.l ESTABLISHED");
	ck_assert_str_eq(e->observed, "server.l LISTEN");
	/* the kernel was given its grace time before the expectation failed */
	ck_assert_double_ge(e->ms, 400);

	e = call_ev(r, 5);
	ck_assert_int_eq(e->check, -1);
	ck_assert_str_eq(e->expected, "-1 ECONNREFUSED");
	ck_assert_str_eq(e->observed, "0");

	e = call_ev(r, 7);	/* the connection was already queued */
	ck_assert(!e->waited);
	ck_assert_int_eq(e->check, -1);
	ck_assert_str_eq(e->expected, "blocks");
	ck_assert_msg(starts_with(e->observed, "returns at once: "), "observed '%s'", e->observed);

	e = call_ev(r, 8);
	ck_assert_int_eq(e->check, -1);
	ck_assert_str_eq(e->expected, "\"bye\"");
	ck_assert_str_eq(e->observed, "\"hello\"");

	/* '-> N' checks what getsockopt() returns in C; the value is in the texts */
	e = call_ev(r, 9);
	ck_assert_int_eq(e->check, 1);
	ck_assert_str_eq(e->py_ret, "1");	/* SOCK_STREAM */
	ck_assert_msg(strstr(e->c, "SO_TYPE, [1], [4])"), "C text '%s'", e->c);
	run_free(r);
	script_free(s);
}
END_TEST

/* settimeout(0.2): recv on a socket with nothing to read waits, then times out. */
START_TEST(settimeout_recv_times_out)
{
	script *s = parse_ok("scene s\n"
			     "server: l = socket(AF_INET, SOCK_STREAM)\n"
			     "server: l.bind(\"127.0.0.1\", 0)\n"
			     "server: l.listen(5)\n"
			     "client: s = socket(AF_INET, SOCK_STREAM)\n"
			     "client: s.connect(server.l)      -> 0\n"
			     "client: s.settimeout(0.2)\n"				/* 5 */
			     "client: s.recv(100)              -> -1 EAGAIN\n");	/* 6 */
	run *r = run_new(s);
	double t0 = now_ms();
	run_all(r, NULL, NULL);
	double took = now_ms() - t0;
	assert_all_checks_pass(r);
	ck_assert_str_eq(call_ev(r, 5)->py, "s.settimeout(0.2)");
	size_t blocked_at, done_at;
	ck_assert_ptr_nonnull(find_ev(r, 6, EV_BLOCKED, 0, &blocked_at));
	const run_event *e = find_ev(r, 6, EV_CALL, 0, &done_at);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_gt(done_at, blocked_at);
	ck_assert(e->waited);
	ck_assert_int_eq(e->ret, -1);
	ck_assert_int_eq(e->err, EAGAIN);
	ck_assert_str_eq(e->c_ret, "= -1 EAGAIN");
	ck_assert_str_eq(e->py_ret, "TimeoutError: timed out");
	ck_assert_str_eq(e->py, "data = s.recv(100)");
	ck_assert_msg(e->ms >= 150 && e->ms <= 2000, "recv took %.1f ms", e->ms);
	ck_assert_double_ge(took, 150);
	run_free(r);
	script_free(s);
}
END_TEST

/* UDP: sendto() on an unbound socket binds it; getsockname() shows the port. */
START_TEST(udp_implicit_bind)
{
	script *s = parse_ok("actors receiver sender\n"
			     "scene s\n"
			     "receiver: r = socket(AF_INET, SOCK_DGRAM)\n"
			     "receiver: r.bind(\"127.0.0.1\", 0)     -> 0\n"
			     "sender: u = socket(AF_INET, SOCK_DGRAM)\n"		/* 2 */
			     "sender: u.sendto(\"hi\", receiver.r)   -> 2\n"	/* 3 */
			     "sender: u.getsockname()              -> 0\n"		/* 4 */
			     "receiver: r.recvfrom(100)            -> \"hi\"\n"	/* 5 */
			     "expect sender.u UNCONN, receiver.r UNCONN\n");
	run *r = run_new(s);
	run_all(r, NULL, NULL);
	assert_all_checks_pass(r);
	unsigned rport = observe_port(&snap_sock(call_ev(r, 1), "receiver.r")->local);
	ck_assert_uint_ne(rport, 0);

	/* before sendto the sender's socket has no port */
	const run_sock *rs = snap_sock(call_ev(r, 2), "sender.u");
	ck_assert_uint_eq(observe_port(&rs->local), 0);
	ck_assert(rs->udp);

	const run_event *e = call_ev(r, 3);
	char buf[96];
	snprintf(buf, sizeof buf, "u.sendto(b'hi', ('127.0.0.1', %u))", rport);
	ck_assert_str_eq(e->py, buf);

	e = call_ev(r, 4);
	ck_assert_int_eq(e->ret, 0);
	unsigned uport = 0;
	int fd = -1, n = -1;
	ck_assert_msg(sscanf(e->c, "getsockname(%d, {AF_INET, 0.0.0.0:%u}, [16])%n", &fd, &uport, &n) == 2 &&
		      n == (int)strlen(e->c), "unexpected C text '%s'", e->c);
	ck_assert_uint_ne(uport, 0);
	ck_assert_int_eq(fd, (int)call_ev(r, 2)->ret);
	snprintf(buf, sizeof buf, "('0.0.0.0', %u)", uport);
	ck_assert_str_eq(e->py_ret, buf);
	rs = snap_sock(e, "sender.u");
	ck_assert_uint_eq(observe_port(&rs->local), uport);
	ck_assert_str_eq(rs->state, "UNCONN");

	/* the receiver sees the datagram come from that port */
	e = call_ev(r, 5);
	snprintf(buf, sizeof buf, "(b'hi', ('127.0.0.1', %u))", uport);
	ck_assert_str_eq(e->py_ret, buf);
	run_free(r);
	script_free(s);
}
END_TEST

/* listen() and sendto() on sockets never bound: the kernel binds them to the wildcard address
 * as it always does (getsockname() says 0.0.0.0), but the run first binds them to the
 * loopback device, so no other machine can reach them. */
START_TEST(implicit_binds_stay_on_loopback)
{
	script *s = parse_ok("actors server client\n"
			     "scene s\n"
			     "server: l = socket(AF_INET, SOCK_STREAM)\n"		/* 0 */
			     "server: l.listen(5)                  -> 0\n"		/* 1 */
			     "server: l.getsockname()              -> 0\n"		/* 2 */
			     "client: u = socket(AF_INET, SOCK_DGRAM)\n"		/* 3 */
			     "client: u.sendto(\"hi\", server.l)    -> 2\n"		/* 4 */
			     "expect server.l LISTEN, client.u UNCONN\n");
	run *r = run_new(s);
	run_until(r, 5, NULL, NULL);
	assert_all_checks_pass(r);
	ck_assert_msg(strstr(call_ev(r, 2)->c, "{AF_INET, 0.0.0.0:"), "listen() did not bind the wildcard: %s",
		      call_ev(r, 2)->c);
	observe_entry *e;
	size_t n;
	ck_assert_int_eq(observe_exposed(&e, &n), 0);
	for (size_t i = 0; i < n; i++) {
		char *line = observe_format(&e[i]);
		ck_abort_msg("reachable from other machines: %s", line);
	}
	observe_free(e);
	for (int step = 0; step <= 3; step += 3) {
		char dev[16] = "";
		socklen_t len = sizeof dev;
		ck_assert_int_eq(getsockopt((int)call_ev(r, step)->ret, SOL_SOCKET, SO_BINDTODEVICE, dev, &len), 0);
		ck_assert_str_eq(dev, "lo");
	}
	run_free(r);
	script_free(s);
}
END_TEST

/* A loopback TCP socket bound to port, or -1 when the port is taken. */
static int hold_port(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Presenter mode's fixed ports: the base port taken, the bind takes the next one; all 16
 * taken, the kernel picks one; either way the run says so (run_port_moved), the demo goes
 * on, and the port is free again once the run is freed. */
START_TEST(fixed_ports_taken_fall_back)
{
	script *s = parse_ok("scene s\n"
			     "server: l = socket(AF_INET, SOCK_STREAM)\n"
			     "server: l.bind(\"127.0.0.1\", 0)     -> 0\n"
			     "server: l.listen(1)                 -> 0\n");
	int held[16], base = 0;
	/* a base with 16 free ports: the test holds them all */
	for (int b = 41000 + (int)(getpid() % 500) * 16; !base && b < 60000; b += 16 * 37) {
		int k = 0;
		while (k < 16 && (held[k] = hold_port(b + k)) >= 0)
			k++;
		if (k == 16)
			base = b;
		while (!base && k-- > 0)
			close(held[k]);
	}
	ck_assert_int_ne(base, 0);

	/* the first port taken: the next one */
	close(held[1]);
	run *r = run_new(s);
	run_set_port_base(r, base);
	run_all(r, NULL, NULL);
	assert_all_checks_pass(r);
	int want, got;
	ck_assert(run_port_moved(r, &want, &got));
	ck_assert_int_eq(want, base);
	ck_assert_int_eq(got, base + 1);
	ck_assert_uint_eq(observe_port(&snap_sock(call_ev(r, 2), "server.l")->local), base + 1);
	run_free(r);
	ck_assert_int_ge(held[1] = hold_port(base + 1), 0);	/* released */

	/* all of them taken: port 0, the kernel's choice */
	r = run_new(s);
	run_set_port_base(r, base);
	run_all(r, NULL, NULL);
	assert_all_checks_pass(r);
	ck_assert(run_port_moved(r, &want, &got));
	ck_assert_int_eq(got, 0);
	unsigned port = observe_port(&snap_sock(call_ev(r, 2), "server.l")->local);
	ck_assert_msg(port != 0 && (port < (unsigned)base || port > (unsigned)base + 15),
		      "bound port %u with %d..%d all taken", port, base, base + 15);
	run_free(r);
	for (int k = 0; k < 16; k++)
		close(held[k]);
	script_free(s);
}
END_TEST

/* 'until 0' repeats recv until the peer's FIN. */
START_TEST(until_repeats_to_eof)
{
	script *s = parse_ok("scene s\n"
			     "server: l = socket(AF_INET, SOCK_STREAM)\n"
			     "server: l.bind(\"127.0.0.1\", 0)\n"
			     "server: l.listen(5)\n"
			     "client: s = socket(AF_INET, SOCK_STREAM)\n"
			     "client: s.connect(server.l)\n"
			     "server: c = l.accept()             -> ok\n"
			     "client: s.sendall(\"abc\")\n"
			     "client: s.close()                  -> 0\n"		/* 7 */
			     "server: c.recv(2) until 0          -> 0\n");		/* 8 */
	run *r = run_new(s);
	run_all(r, NULL, NULL);
	assert_all_checks_pass(r);
	int sfd = (int)call_ev(r, 3)->ret;
	char buf[32];
	snprintf(buf, sizeof buf, "close(%d)", sfd);
	ck_assert_str_eq(call_ev(r, 7)->c, buf);
	ck_assert_str_eq(call_ev(r, 7)->py, "s.close()");
	/* recv(2) reads "ab", "c", then 0 at the FIN: three calls, the last one checked */
	long rets[8];
	size_t n = 0, at = 0;
	const run_event *e;
	while (n < 8 && (e = find_ev(r, 8, EV_CALL, at, &at))) {
		ck_assert_int_eq(e->check, e->ret == 0 ? 1 : 0);
		rets[n++] = e->ret;
		at++;
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(rets[0], 2);
	ck_assert_int_eq(rets[1], 1);
	ck_assert_int_eq(rets[2], 0);
	ck_assert_str_eq(find_ev(r, 8, EV_CALL, 0, NULL)->py_ret, "b'ab'");
	run_free(r);
	script_free(s);
}
END_TEST

/* run_free() closes every descriptor the run opened, blocked calls included. */
START_TEST(run_free_closes_descriptors)
{
	script *s = parse_ok("scene s\n"
			     "server: l = socket(AF_INET, SOCK_STREAM)\n"
			     "server: l.bind(\"127.0.0.1\", 0)\n"
			     "server: l.listen(5)\n"
			     "client: s = socket(AF_INET, SOCK_STREAM)\n"
			     "client: s.connect(server.l)          -> 0\n"
			     "server: c = l.accept()               -> ok\n"
			     "client: u = socket(AF_INET6, SOCK_DGRAM)\n"
			     "client: u.bind(\"::1\", 0)             -> 0\n"
			     "client: t = socket(AF_INET, SOCK_STREAM)\n"
			     "client: t.close()                    -> 0\n"
			     "server: d = l.accept()\n");	/* stays blocked: nobody else connects */
	int before = count_fds();
	run *r = run_new(s);
	run_all(r, NULL, NULL);
	assert_all_checks_pass(r);
	ck_assert(run_finished(r));
	ck_assert_int_eq(run_blocked_step(r, 0), 10);
	ck_assert_int_eq(run_blocked_step(r, 1), -1);
	/* l, s, c and u are open; t was closed by the script */
	ck_assert_int_eq(count_fds(), before + 4);
	run_free(r);
	ck_assert_int_eq(count_fds(), before);
	script_free(s);
}
END_TEST

/* A blocked call the script needs again, that nothing can complete: the run stops. */
START_TEST(stalled_script_stops)
{
	script *s = parse_ok("scene s\n"
			     "server: l = socket(AF_INET, SOCK_STREAM)\n"
			     "server: l.bind(\"127.0.0.1\", 0)\n"
			     "server: l.listen(5)\n"
			     "server: c = l.accept()\n"		/* 3: nobody connects */
			     "server: l.close()\n");		/* 4: needs server */
	run *r = run_new(s);
	double t0 = now_ms();
	run_all(r, NULL, NULL);
	double took = now_ms() - t0;
	ck_assert(run_finished(r));
	ck_assert_int_eq(run_failures(r), 1);
	const run_event *e = run_last(r);
	ck_assert_int_eq(e->kind, EV_ERROR);
	ck_assert_int_eq(e->step, 4);
	ck_assert_int_eq(e->check, -1);
	ck_assert_msg(strstr(e->observed, "line 6") && strstr(e->observed, "server is still blocked (line 5)"),
		      "observed '%s'", e->observed);
	ck_assert_ptr_nonnull(find_ev(r, 3, EV_BLOCKED, 0, NULL));
	ck_assert_ptr_null(find_ev(r, 3, EV_CALL, 0, NULL));
	ck_assert_ptr_null(find_ev(r, 4, EV_CALL, 0, NULL));
	ck_assert_int_eq(run_step(r), -1);
	ck_assert_msg(took >= 9900 && took < 15000, "stopped after %.0f ms", took);
	run_free(r);
	script_free(s);
}
END_TEST

/* ---- driven like the UI: run_step(), run_pollfds(), poll(), run_progress() ----------------- */

static const char ui_demo[] =
	"actors server client\n"
	"scene s\n"
	"server: l = socket(AF_INET, SOCK_STREAM)\n"			/* 0 */
	"server: l.bind(\"127.0.0.1\", 0)         -> 0\n"		/* 1 */
	"server: l.listen(1)                    -> 0\n"			/* 2 */
	"server: c = l.accept()                 -> blocks\n"		/* 3 */
	"wait 100ms\n"							/* 4 */
	"client: s = socket(AF_INET, SOCK_STREAM)\n"			/* 5 */
	"client: s.connect(server.l)            -> 0\n"			/* 6 */
	"client: s.sendall(\"hello\")\n"				/* 7 */
	"server: c.recv(100)                    -> \"hello\"\n"		/* 8 */
	"client: s.settimeout(0.2)\n"					/* 9 */
	"client: s.recv(100)                    -> -1 EAGAIN\n";	/* 10 */

START_TEST(step_by_step_like_ui)
{
	script *s = parse_ok(ui_demo);
	run *r = run_new(s);
	ck_assert(!run_finished(r));
	ck_assert_ptr_eq(run_script(r), s);
	double t0 = now_ms();
	bool saw_wait_pause = false, saw_listener_fd = false, saw_pending_end = false;
	int lfd = -1;
	for (int iter = 0;; iter++) {
		ck_assert_msg(iter < 10000 && now_ms() - t0 < 5000, "the run does not end");
		size_t next = run_next_step(r);
		int st = run_step(r);
		if (st == 1) {
			ck_assert_uint_eq(run_next_step(r), next + 1);
			if (next == 0)
				lfd = (int)call_ev(r, 0)->ret;
			if (next == 3)	/* accept was issued and waits */
				ck_assert_int_eq(run_blocked_step(r, 0), 3);
			continue;
		}
		if (st < 0 && run_finished(r))
			break;
		if (st == 0) {
			/* only the wait step holds the script up here */
			ck_assert_uint_eq(run_next_step(r), 5);
			saw_wait_pause = true;
		} else {
			/* every step is issued; the client's recv still waits for its timeout */
			ck_assert_uint_eq(run_next_step(r), s->nsteps);
			ck_assert_int_eq(run_blocked_step(r, 1), 10);
			saw_pending_end = true;
		}
		struct pollfd fds[8];
		int timeout;
		size_t n = run_pollfds(r, fds, 8, &timeout);
		ck_assert_msg(n > 0 || timeout >= 0, "nothing to wait for");
		if (st == 0) {
			/* the pending accept: the listener, readable when a connection arrives;
			 * the wait ends within 100 ms */
			ck_assert_uint_eq(n, 1);
			ck_assert_int_eq(fds[0].fd, lfd);
			ck_assert(fds[0].events & POLLIN);
			ck_assert_int_ge(timeout, 0);
			ck_assert_int_le(timeout, 101);
			saw_listener_fd = true;
		} else {
			ck_assert_int_ge(timeout, 0);
			ck_assert_int_le(timeout, 201);
		}
		poll(fds, n, timeout);
		run_progress(r);
	}
	ck_assert(saw_wait_pause);
	ck_assert(saw_listener_fd);
	ck_assert(saw_pending_end);
	assert_all_checks_pass(r);

	/* the same results as run_all() gives */
	size_t blocked_at, accepted_at, waited_at;
	ck_assert_ptr_nonnull(find_ev(r, 3, EV_BLOCKED, 0, &blocked_at));
	const run_event *w = find_ev(r, 4, EV_WAIT, 0, &waited_at);
	ck_assert_ptr_nonnull(w);
	ck_assert_double_ge(w->ms, 95);
	const run_event *acc = find_ev(r, 3, EV_CALL, 0, &accepted_at);
	ck_assert_ptr_nonnull(acc);
	ck_assert(acc->waited);
	ck_assert_uint_gt(accepted_at, waited_at);
	ck_assert_uint_gt(waited_at, blocked_at);

	unsigned port = observe_port(&snap_sock(call_ev(r, 1), "server.l")->local);
	int fd;
	ck_assert_uint_eq(connect_port(call_ev(r, 6)->c, &fd), port);
	ck_assert_str_eq(call_ev(r, 8)->py_ret, "b'hello'");
	const run_event *e = call_ev(r, 10);
	ck_assert(e->waited);
	ck_assert_int_eq(e->err, EAGAIN);
	ck_assert_str_eq(e->py_ret, "TimeoutError: timed out");
	ck_assert_msg(e->ms >= 150 && e->ms <= 2000, "recv took %.1f ms", e->ms);
	ck_assert_int_eq(run_step(r), -1);
	run_free(r);
	script_free(s);
}
END_TEST

#include <pthread.h>

static void *run_in_thread(void *arg)
{
	run_all(arg, NULL, NULL);
	return NULL;
}

/* An 'until' step repeats in constant stack: 2000 repetitions on a 256 KB stack. (They once
 * recursed, complete() -> try_call() -> complete(), and crashed after ~27000 repetitions on
 * an 8 MB stack.) */
START_TEST(until_repeats_in_constant_stack)
{
	script *s = parse_ok("scene s\n"
			     "server: l = socket(AF_INET, SOCK_STREAM)\n"
			     "server: l.bind(\"127.0.0.1\", 0)\n"
			     "server: l.listen(5)\n"
			     "client: s = socket(AF_INET, SOCK_STREAM)\n"
			     "client: s.connect(server.l)\n"
			     "server: c = l.accept()\n"
			     "client: s.sendall(bytes(2000))\n"
			     "client: s.close()\n"
			     "server: c.recv(1) until 0          -> 0\n");
	run *r = run_new(s);
	pthread_attr_t attr;
	pthread_t th;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	ck_assert_int_eq(pthread_create(&th, &attr, run_in_thread, r), 0);
	pthread_join(th, NULL);
	pthread_attr_destroy(&attr);
	assert_all_checks_pass(r);
	run_free(r);
	script_free(s);
}
END_TEST

Suite *make_run_suite(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("loopback");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, tcp_conversation);
	tcase_add_test(tc, connect_refused);
	tcase_add_test(tc, library_calls_show_bytes);
	tcase_add_test(tc, wrong_expectations_are_reported);
	tcase_add_test(tc, predictions_judged_by_the_kernel);
	tcase_add_test(tc, settimeout_recv_times_out);
	tcase_add_test(tc, udp_implicit_bind);
	tcase_add_test(tc, implicit_binds_stay_on_loopback);
	tcase_add_test(tc, fixed_ports_taken_fall_back);
	tcase_add_test(tc, until_repeats_to_eof);
	tcase_add_test(tc, run_free_closes_descriptors);
	tcase_add_test(tc, step_by_step_like_ui);
	suite_add_tcase(s, tc);
	tc = tcase_create("stall");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, stalled_script_stops);
	tcase_add_test(tc, until_repeats_in_constant_stack);
	suite_add_tcase(s, tc);
	return s;
}
