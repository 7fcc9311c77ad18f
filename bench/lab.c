/* bench/lab: how much of a TCP connection's life each way of looking at it catches, and what
 * the packet lab's relay costs per packet.
 *
 * One run makes the same handshake + close three times (the client closes first) and lists
 * the TCP states seen on each end, against the true sequence of RFC 9293's diagram:
 *   client SYN_SENT ESTABLISHED FIN_WAIT1 FIN_WAIT2 TIME_WAIT
 *   server SYN_RECV ESTABLISHED CLOSE_WAIT LAST_ACK
 * 1. the packet lab: the interpreter's snapshots after every call and every delivered packet;
 * 2. plain loopback: the interpreter's snapshots after every call;
 * 3. `ss -tan` run in a tight loop by a second process while a plain C program connects and
 *    closes on loopback at full speed (the way a student would try to watch it).
 * Then it times UDP round trips through the wire and on loopback: half of the difference is
 * what relaying costs one packet. Prints figures; asserts nothing. */
#include "config.h"

#include "core/script.h"
#include "core/util.h"
#include "net/lab.h"
#include "net/observe.h"
#include "net/run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const true_client[] = { "SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2",
					   "TIME_WAIT" };
static const char *const true_server[] = { "SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK" };

typedef struct seen {
	char client[512], server[512];
} seen;

static void add_state(char *list, size_t cap, const char *st)
{
	/* consecutive repeats are one state */
	const char *last = strrchr(list, ' ');
	last = last ? last + 1 : list;
	if (*list && strcmp(last, st) == 0)
		return;
	size_t n = strlen(list);
	snprintf(list + n, cap - n, "%s%s", n ? " " : "", st);
}

/* How many of the true states appear, in order, in the list (the longest common
 * subsequence of the two). */
static int in_order(const char *list, const char *const *want, size_t nwant)
{
	const char *got[64];
	size_t ngot = 0;
	char *copy = xstrdup(list), *save = NULL;
	for (char *t = strtok_r(copy, " ", &save); t && ngot < 64; t = strtok_r(NULL, " ", &save))
		got[ngot++] = t;
	int best[65][9] = { { 0 } };
	for (size_t i = 1; i <= ngot; i++)
		for (size_t j = 1; j <= nwant && j < 9; j++)
			best[i][j] = strcmp(got[i - 1], want[j - 1]) == 0 ? best[i - 1][j - 1] + 1 :
				     best[i - 1][j] > best[i][j - 1] ? best[i - 1][j] : best[i][j - 1];
	int r = best[ngot][nwant];
	free(copy);
	return r;
}

static const char *script_text =
	"actors server client\n"
	"scene all\n"
	"server: l = socket(AF_INET, SOCK_STREAM)\n"
	"server: l.bind(\"127.0.0.1\", 0)\n"
	"server: l.listen(1)\n"
	"client: s = socket(AF_INET, SOCK_STREAM)\n"
	"client: s.connect(server.l)\n"
	"server: c = l.accept()\n"
	"client: s.close()\n"
	"server: c.recv(1024)\n"
	"server: c.close()\n"
	"wait 300ms\n";

static void collect(const run_event *ev, void *arg)
{
	seen *sn = arg;
	for (size_t i = 0; i < ev->nsocks; i++) {
		const run_sock *k = &ev->socks[i];
		if (strcmp(k->name, "client.s") == 0 && strcmp(k->state, "CLOSE") && strcmp(k->state, "GONE"))
			add_state(sn->client, sizeof sn->client, k->state);
		else if ((strcmp(k->name, "server.c") == 0 || strcmp(k->name, "peer:client.s") == 0) &&
			 strcmp(k->state, "CLOSE") && strcmp(k->state, "GONE"))
			add_state(sn->server, sizeof sn->server, k->state);
	}
}

static void by_interpreter(lab *l, seen *sn)
{
	diag_list errs = { 0 };
	script *s = script_parse(script_text, strlen(script_text), "bench", "bench", &errs);
	if (!s) {
		fprintf(stderr, "bench: script error\n");
		exit(1);
	}
	run *r = run_new_lab(s, l);
	run_all(r, collect, sn);
	run_free(r);
	script_free(s);
	diag_clear(&errs);
}

/* ss -tan in a loop (a child process) while a plain program connects and closes. */
static bool by_ss(seen *sn)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &len) < 0)
		return false;
	unsigned port = ntohs(a.sin_port);
	char cmd[256];
	snprintf(cmd, sizeof cmd,
		 "end=$(($(date +%%s%%N) + 600000000)); while [ $(date +%%s%%N) -lt $end ]; do "
		 "ss -tanH state all '( sport = :%u or dport = :%u )'; done", port, port);
	FILE *p = popen(cmd, "r");
	if (!p)
		return false;
	usleep(150000);		/* let the loop get going */
	int cs = socket(AF_INET, SOCK_STREAM, 0);
	connect(cs, (struct sockaddr *)&a, sizeof a);
	int c = accept(ls, NULL, NULL);
	close(cs);
	char buf[16];
	while (read(c, buf, sizeof buf) > 0)
		;
	close(c);
	char line[512];
	while (fgets(line, sizeof line, p)) {
		char st[32], local[128], peer[128];
		unsigned rq, wq;
		if (sscanf(line, "%31s %u %u %127s %127s", st, &rq, &wq, local, peer) != 5)
			continue;
		char *lp = strrchr(local, ':');
		bool server = lp && (unsigned)atoi(lp + 1) == port;
		if (strcmp(st, "LISTEN") == 0)
			continue;
		/* ss names states in its own way */
		const char *map[][2] = { { "SYN-SENT", "SYN_SENT" }, { "SYN-RECV", "SYN_RECV" },
					 { "ESTAB", "ESTABLISHED" }, { "FIN-WAIT-1", "FIN_WAIT1" },
					 { "FIN-WAIT-2", "FIN_WAIT2" }, { "TIME-WAIT", "TIME_WAIT" },
					 { "CLOSE-WAIT", "CLOSE_WAIT" }, { "LAST-ACK", "LAST_ACK" },
					 { "CLOSING", "CLOSING" } };
		for (size_t i = 0; i < ARRAY_SIZE(map); i++)
			if (strcmp(st, map[i][0]) == 0) {
				if (server)
					add_state(sn->server, sizeof sn->server, map[i][1]);
				else
					add_state(sn->client, sizeof sn->client, map[i][1]);
			}
	}
	pclose(p);
	close(ls);
	return true;
}

static void print_row(const char *name, const seen *sn)
{
	int c = in_order(sn->client, true_client, ARRAY_SIZE(true_client));
	int s = in_order(sn->server, true_server, ARRAY_SIZE(true_server));
	printf("%-16s %d/%zu  %d/%zu  %d/%zu\n", name, c, ARRAY_SIZE(true_client), s,
	       ARRAY_SIZE(true_server), c + s, ARRAY_SIZE(true_client) + ARRAY_SIZE(true_server));
	printf("    client: %s\n    server: %s\n", *sn->client ? sn->client : "-",
	       *sn->server ? sn->server : "-");
}

/* ---- relay latency ------------------------------------------------------------------------- */

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* Waits until fd is readable, moving the wire's packets meanwhile. */
static void pump_until(lab *l, int fd)
{
	for (;;) {
		struct pollfd pf[4] = { { .fd = fd, .events = POLLIN } };
		if (poll(pf, 1, 0) == 1)
			return;
		int timeout = -1;
		size_t n = l ? lab_pollfds(l, pf + 1, 3, &timeout, run_clock_ms()) : 0;
		poll(pf, 1 + n, timeout < 0 ? 100 : timeout);
		lab_packet p;
		while (l && lab_next(l, run_clock_ms(), &p) == 1)
			free(p.data);
	}
}

/* Median and p90 of a UDP round trip, in microseconds. */
static void round_trips(lab *l, int n, double *med, double *p90)
{
	int srv = l ? lab_socket(l, 0, AF_INET, SOCK_DGRAM, 0) : socket(AF_INET, SOCK_DGRAM, 0);
	int cli = l ? lab_socket(l, 1, AF_INET, SOCK_DGRAM, 0) : socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_storage sa, ca;
	if (l) {
		lab_addr(l, 0, AF_INET, &sa);
		lab_addr(l, 1, AF_INET, &ca);
	} else {
		struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		memcpy(&sa, &lo, sizeof lo);
		memcpy(&ca, &lo, sizeof lo);
	}
	socklen_t len = sizeof(struct sockaddr_in);
	bind(srv, (struct sockaddr *)&sa, len);
	bind(cli, (struct sockaddr *)&ca, len);
	getsockname(srv, (struct sockaddr *)&sa, &len);
	len = sizeof(struct sockaddr_in);
	getsockname(cli, (struct sockaddr *)&ca, &len);
	double *t = xcalloc((size_t)n, sizeof *t);
	char b = 'x', buf[8];
	for (int i = 0; i < n; i++) {
		double t0 = run_clock_ms();
		sendto(cli, &b, 1, 0, (struct sockaddr *)&sa, sizeof(struct sockaddr_in));
		pump_until(l, srv);
		recv(srv, buf, sizeof buf, 0);
		sendto(srv, &b, 1, 0, (struct sockaddr *)&ca, sizeof(struct sockaddr_in));
		pump_until(l, cli);
		recv(cli, buf, sizeof buf, 0);
		t[i] = (run_clock_ms() - t0) * 1000.0;
	}
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	*med = t[n / 2];
	*p90 = t[n * 9 / 10];
	free(t);
	close(srv);
	close(cli);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	if (n < 10)
		n = 10;
	struct utsname u;
	uname(&u);
	/* both wires where the machine allows them: TUN devices, and the veth pairs that
	 * ordinary users get where /dev/net/tun is closed to them */
	static const char *const kinds[2] = { "tun", "veth" };
	lab_status st[2];
	lab *l[2];
	for (int k = 0; k < 2; k++) {
		setenv("SOCKTUTOR_LAB_WIRE", kinds[k], 1);
		l[k] = lab_open(&st[k]);
		if (l[k] && st[k].mode != LAB_FULL) {
			lab_close(l[k]);
			l[k] = NULL;
		}
	}
	unsetenv("SOCKTUTOR_LAB_WIRE");
	printf("%s %s %s; packet lab through TUN: %s, through veth: %s\n\n", u.sysname,
	       u.release, u.machine, l[0] ? "yes" : "no", l[1] ? "yes" : "no");

	printf("TCP states seen during one handshake + close (true sequence in order)\n");
	printf("%-16s client  server  both\n", "method");
	seen sn;
	for (int k = 0; k < 2; k++) {
		char name[32];
		snprintf(name, sizeof name, "lab (%s)", kinds[k]);
		if (l[k]) {
			memset(&sn, 0, sizeof sn);
			by_interpreter(l[k], &sn);
			print_row(name, &sn);
		} else {
			printf("%-16s (unavailable: %s, %s)\n", name,
			       lab_problem_what(st[k].problem), strerror(st[k].err));
		}
	}
	memset(&sn, 0, sizeof sn);
	by_interpreter(NULL, &sn);
	print_row("loopback demo", &sn);
	memset(&sn, 0, sizeof sn);
	if (by_ss(&sn))
		print_row("ss -tan loop", &sn);
	else
		printf("%-16s (ss could not run)\n", "ss -tan loop");

	printf("\nUDP round trip, 1-byte datagrams, %d runs, microseconds\n", n);
	printf("%-16s %8s %8s %s\n", "", "median", "p90", "relay cost per packet");
	double lm, lp;
	round_trips(NULL, n, &lm, &lp);
	printf("%-16s %8.1f %8.1f\n", "loopback", lm, lp);
	for (int k = 0; k < 2; k++) {
		if (!l[k])
			continue;
		double wm, wp;
		char name[32];
		snprintf(name, sizeof name, "wire (%s)", kinds[k]);
		round_trips(l[k], n, &wm, &wp);
		/* half the difference of medians: a round trip crosses the relay twice */
		printf("%-16s %8.1f %8.1f %.1f us\n", name, wm, wp, (wm - lm) / 2);
	}
	lab_close(l[0]);
	lab_close(l[1]);
	return 0;
}
