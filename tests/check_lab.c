#include "config.h"

#include "suites.h"
#include "core/script.h"
#include "net/lab.h"
#include "net/run.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The packet lab on the real kernel: private namespaces, the TUN wire, both ends' states
 * after every delivered segment. Where the kernel forbids namespaces or TUN devices each
 * test says why and returns (CI's machines allow them, so there they run). */

static diag_list errs;
static lab *lb;
static lab_status st;

static void setup(void)
{
	memset(&errs, 0, sizeof errs);
	lb = lab_open(&st);
	if (st.mode != LAB_FULL) {
		fprintf(stderr, "SKIP packet lab test: %s (%s); see socktutor --lab-check\n",
			lab_problem_what(st.problem), strerror(st.err));
		lab_close(lb);
		lb = NULL;
	}
}

static void teardown(void)
{
	lab_close(lb);
	lb = NULL;
	diag_clear(&errs);
}

/* The wire ordinary users get where /dev/net/tun is closed to them: veth pairs and packet
 * sockets. The same tests run through it. */
static void setup_veth(void)
{
	setenv("SOCKTUTOR_LAB_WIRE", "veth", 1);
	setup();
	unsetenv("SOCKTUTOR_LAB_WIRE");
	if (lb)
		ck_assert_int_eq(st.wire, WIRE_VETH);
}

static script *parse_ok(const char *text)
{
	script *s = script_parse(text, strlen(text), "lab.demo", "lab", &errs);
	ck_assert_msg(s != NULL, "script error %d:%d: %s", errs.count ? errs.items[0].line : 0,
		      errs.count ? errs.items[0].col : 0, errs.count ? errs.items[0].msg : "(none)");
	return s;
}

/* Every failed expectation, for the assertion message. */
static char *failures(const run *r)
{
	static char buf[2048];
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < run_nevents(r); i++) {
		const run_event *e = run_event_at(r, i);
		if (e->check >= 0 || used + 200 > sizeof buf)
			continue;
		int line = e->step >= 0 ? run_script(r)->steps[e->step].line : 0;
		used += (size_t)snprintf(buf + used, sizeof buf - used, "\n  line %d: expected %s, observed %s",
					 line, e->expected ? e->expected : "-", e->observed ? e->observed : "-");
	}
	return buf;
}

/* Each segment of a handshake and a close is held, then delivered by the script; after each
 * one both ends' states are what RFC 9293's diagram says, in order. */
START_TEST(test_lab_step_handshake_and_close)
{
	if (!lb)
		return;
	script *s = parse_ok(
		"actors server client\n"
		"scene handshake\n"
		"server: l = socket(AF_INET, SOCK_STREAM)\n"
		"server: l.bind(\"127.0.0.1\", 0) -> 0\n"
		"server: l.listen(1) -> 0\n"
		"client: s = socket(AF_INET, SOCK_STREAM)\n"
		"wire hold\n"
		"client: s.connect(server.l) -> blocks\n"
		"expect client.s SYN_SENT\n"
		"wire deliver\n"				/* SYN */
		"expect client.s SYN_SENT, peer:client.s SYN_RECV\n"
		"wire deliver\n"				/* SYN-ACK */
		"expect client.s ESTABLISHED, peer:client.s SYN_RECV\n"
		"wire deliver\n"				/* ACK */
		"expect client.s ESTABLISHED, peer:client.s ESTABLISHED\n"
		"server: c = l.accept() -> ok\n"
		"scene close\n"
		"client: s.close() -> 0\n"
		"expect client.s FIN_WAIT1, server.c ESTABLISHED\n"
		"wire deliver\n"				/* FIN */
		"expect client.s FIN_WAIT1, server.c CLOSE_WAIT\n"
		"wire deliver\n"				/* its ACK */
		"expect client.s FIN_WAIT2, server.c CLOSE_WAIT\n"
		"server: c.close() -> 0\n"
		"expect client.s FIN_WAIT2, server.c LAST_ACK\n"
		"wire deliver\n"				/* FIN */
		"expect client.s TIME_WAIT, server.c LAST_ACK\n"
		"wire deliver\n"				/* the last ACK */
		"expect client.s TIME_WAIT, server.c GONE\n"
		"expect packets SYN SYN+ACK ACK FIN+ACK ACK FIN+ACK ACK\n");
	run *r = run_new_lab(s, lb);
	run_all(r, NULL, NULL);
	ck_assert_msg(run_failures(r) == 0, "%d failures:%s", run_failures(r), failures(r));
	/* the client's SYN went from side 1 to side 0, with relative seq 0 and real options */
	const run_event *syn = NULL;
	for (size_t i = 0; i < run_nevents(r) && !syn; i++)
		if (run_event_at(r, i)->kind == EV_PACKET)
			syn = run_event_at(r, i);
	ck_assert_ptr_nonnull(syn);
	ck_assert_ptr_nonnull(syn->pkt);
	ck_assert_int_eq(syn->from, 1);
	ck_assert_uint_eq(syn->pkt->flags, PKT_SYN);
	ck_assert_uint_eq(syn->rel.rel_seq, 0);
	ck_assert_int_gt(syn->pkt->mss, 0);
	ck_assert_int_eq(syn->fate, FATE_DELIVERED);
	run_free(r);
	script_free(s);
}
END_TEST

/* A dropped SYN: the client's kernel sends it again when its timer fires, about 1 s later,
 * and the connection is made. */
START_TEST(test_lab_dropped_syn_is_retransmitted)
{
	if (!lb)
		return;
	script *s = parse_ok(
		"actors server client\n"
		"scene drop\n"
		"server: l = socket(AF_INET, SOCK_STREAM)\n"
		"server: l.bind(\"127.0.0.1\", 0) -> 0\n"
		"server: l.listen(1) -> 0\n"
		"client: s = socket(AF_INET, SOCK_STREAM)\n"
		"wire drop\n"
		"client: s.connect(server.l) -> 0\n"
		"expect packets SYN:dropped SYN SYN+ACK ACK\n"
		"expect client.s ESTABLISHED\n");
	run *r = run_new_lab(s, lb);
	run_all(r, NULL, NULL);
	ck_assert_msg(run_failures(r) == 0, "%d failures:%s", run_failures(r), failures(r));
	int syns = 0;
	for (size_t i = 0; i < run_nevents(r); i++) {
		const run_event *e = run_event_at(r, i);
		if (e->kind != EV_PACKET || !e->pkt || e->pkt->flags != PKT_SYN)
			continue;
		if (++syns == 1) {
			ck_assert_int_eq(e->fate, FATE_DROPPED);
			ck_assert(!e->retrans);
		} else {
			ck_assert_int_eq(e->fate, FATE_DELIVERED);
			ck_assert_msg(e->retrans, "the second SYN is a retransmission");
			ck_assert_uint_eq(e->rel.rel_seq, 0);
			/* Linux's first SYN timeout is 1 s (TCP_TIMEOUT_INIT) */
			ck_assert_msg(e->retrans_ms > 800 && e->retrans_ms < 3000,
				      "retransmitted after %.0f ms", e->retrans_ms);
		}
	}
	ck_assert_int_eq(syns, 2);
	run_free(r);
	script_free(s);
}
END_TEST

/* UDP gives the application the datagrams in the order the wire delivered them. */
START_TEST(test_lab_udp_reorder)
{
	if (!lb)
		return;
	script *s = parse_ok(
		"actors receiver sender\n"
		"scene reorder\n"
		"receiver: r = socket(AF_INET, SOCK_DGRAM)\n"
		"receiver: r.bind(\"127.0.0.1\", 0) -> 0\n"
		"sender: u = socket(AF_INET, SOCK_DGRAM)\n"
		"wire swap\n"
		"sender: u.sendto(\"first\", receiver.r) -> 5\n"
		"sender: u.sendto(\"second\", receiver.r) -> 6\n"
		"receiver: r.recvfrom(1024) -> \"second\"\n"
		"receiver: r.recvfrom(1024) -> \"first\"\n"
		"expect packets UDP UDP:reordered\n");
	run *r = run_new_lab(s, lb);
	run_all(r, NULL, NULL);
	ck_assert_msg(run_failures(r) == 0, "%d failures:%s", run_failures(r), failures(r));
	unsigned ids[2];
	int n = 0;
	for (size_t i = 0; i < run_nevents(r); i++) {
		const run_event *e = run_event_at(r, i);
		if (e->kind == EV_PACKET && e->pkt && e->pkt->proto == PKT_UDP && n < 2)
			ids[n++] = e->id;
	}
	ck_assert_int_eq(n, 2);
	/* delivered second-seen first */
	ck_assert_uint_gt(ids[0], ids[1]);
	run_free(r);
	script_free(s);
}
END_TEST

/* IPv6 crosses the wire too: "::1" in a lab script means the sides' 2001:db8:: addresses. */
START_TEST(test_lab_ipv6)
{
	if (!lb)
		return;
	script *s = parse_ok(
		"actors server client\n"
		"scene v6\n"
		"server: l = socket(AF_INET6, SOCK_STREAM)\n"
		"server: l.bind(\"::1\", 0) -> 0\n"
		"server: l.listen(1) -> 0\n"
		"client: s = socket(AF_INET6, SOCK_STREAM)\n"
		"client: s.connect(server.l) -> 0\n"
		"expect packets SYN SYN+ACK ACK\n"
		"expect client.s ESTABLISHED, peer:client.s ESTABLISHED\n");
	run *r = run_new_lab(s, lb);
	run_all(r, NULL, NULL);
	ck_assert_msg(run_failures(r) == 0, "%d failures:%s", run_failures(r), failures(r));
	bool v6 = false;
	for (size_t i = 0; i < run_nevents(r); i++) {
		const run_event *e = run_event_at(r, i);
		if (e->kind == EV_PACKET && e->pkt && e->pkt->family == AF_INET6)
			v6 = strstr(e->c, "[2001:db8::2]:") != NULL;
	}
	ck_assert_msg(v6, "no IPv6 packet from 2001:db8::2");
	run_free(r);
	script_free(s);
}
END_TEST

/* A wire step without the wire stops the run with a plain message. */
START_TEST(test_wire_step_without_lab)
{
	script *s = parse_ok("actors a\nscene x\nwire drop\na: s = socket(AF_INET, SOCK_DGRAM)\n");
	ck_assert(s->needs_lab);
	run *r = run_new(s);
	run_all(r, NULL, NULL);
	ck_assert_int_eq(run_failures(r), 1);
	const run_event *e = run_event_at(r, run_nevents(r) - 1);
	ck_assert_int_eq(e->kind, EV_ERROR);
	ck_assert_ptr_nonnull(strstr(e->observed, "needs the packet lab"));
	run_free(r);
	script_free(s);
}
END_TEST

START_TEST(test_wire_syntax_errors)
{
	const char *bad[] = {
		"actors a\nscene x\nwire explode\n",
		"actors a\nscene x\nwire delay\n",
		"actors a\nscene x\nwire drop now\n",
		"actors a\nscene x\nexpect packets SYN+SYN\n",
		"actors a\nscene x\nexpect packets UDP+ACK\n",
		"actors a\nscene x\nexpect packets SYN:lost\n",
		"actors a\nscene x\nexpect packets\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		diag_list e = { 0 };
		script *s = script_parse(bad[i], strlen(bad[i]), "bad.demo", "bad", &e);
		ck_assert_msg(s == NULL, "accepted: %s", bad[i]);
		ck_assert_int_ge(e.count, 1);
		ck_assert_int_eq(e.items[0].line, 3);
		diag_clear(&e);
	}
	script *s = parse_ok("actors a\nscene x\nwire delay 200ms\nwire pass 1s\n"
			     "expect packets SYN+ACK:dropped FIN+ACK UDP:duplicated ICMP\n");
	ck_assert_int_eq(s->steps[0].wire, SW_DELAY);
	ck_assert_int_eq(s->steps[0].num, 200);
	ck_assert_int_eq(s->steps[1].num, 1000);
	ck_assert_uint_eq(s->steps[2].npackets, 4);
	ck_assert_str_eq(script_packet_text(&s->steps[2].packets[0]), "SYN+ACK:dropped");
	ck_assert_str_eq(script_packet_text(&s->steps[2].packets[2]), "UDP:duplicated");
	script_free(s);
}
END_TEST

/* The inode of a process's network namespace, 0 when it has none (gone, or a zombie). */
static unsigned long netns_of(pid_t pid)
{
	char path[64];
	struct stat sb;
	snprintf(path, sizeof path, "/proc/%ld/ns/net", (long)pid);
	return stat(path, &sb) == 0 ? (unsigned long)sb.st_ino : 0;
}

/* Killed with SIGKILL, the program leaves nothing: its helper dies and no process is left in
 * the lab's namespaces. */
START_TEST(test_lab_leaves_nothing_after_kill)
{
	if (!lb)
		return;
	int pfd[2];
	ck_assert_int_eq(pipe(pfd), 0);
	pid_t child = fork();
	if (child < 0)	/* no ck_assert in the child: see check_progress's sigkill_during_saves */
		ck_abort_msg("fork: %s", strerror(errno));
	if (child == 0) {
		lab_status st2;
		if (st.wire == WIRE_VETH)
			setenv("SOCKTUTOR_LAB_WIRE", "veth", 1);
		lab *l = lab_open(&st2);
		pid_t h = l && st2.wire == st.wire ? lab_helper_pid(l) : -1;
		if (write(pfd[1], &h, sizeof h) != (ssize_t)sizeof h)
			_exit(1);
		pause();
		_exit(0);
	}
	pid_t helper;
	ck_assert_int_eq(read(pfd[0], &helper, sizeof helper), (ssize_t)sizeof helper);
	ck_assert_int_gt(helper, 0);
	unsigned long ns = netns_of(helper);
	ck_assert_uint_ne(ns, 0);
	ck_assert_uint_ne(ns, netns_of(getpid()));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	/* the helper follows (PR_SET_PDEATHSIG); give it a moment */
	for (int i = 0; i < 100 && netns_of(helper) == ns; i++)
		usleep(10000);
	ck_assert_uint_ne(netns_of(helper), ns);
	DIR *d = opendir("/proc");
	ck_assert_ptr_nonnull(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		long pid = strtol(de->d_name, NULL, 10);
		if (pid > 0)
			ck_assert_msg(netns_of((pid_t)pid) != ns, "process %ld is still in the lab", pid);
	}
	closedir(d);
	close(pfd[0]);
	close(pfd[1]);
}
END_TEST

/* The tests that need a wire, run once per kind of wire. */
static TCase *wire_case(const char *name, void (*fixture)(void))
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, fixture, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_lab_step_handshake_and_close);
	tcase_add_test(tc, test_lab_dropped_syn_is_retransmitted);
	tcase_add_test(tc, test_lab_udp_reorder);
	tcase_add_test(tc, test_lab_ipv6);
	tcase_add_test(tc, test_lab_leaves_nothing_after_kill);
	return tc;
}

Suite *make_lab_suite(void)
{
	Suite *s = suite_create("lab");
	TCase *tc = wire_case("lab", setup);
	tcase_add_test(tc, test_wire_step_without_lab);
	tcase_add_test(tc, test_wire_syntax_errors);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, wire_case("lab-veth", setup_veth));
	return s;
}
