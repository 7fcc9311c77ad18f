/* How long the state observer takes: observe_snapshot() for one port and observe_fd_state(),
 * with 0, 10 and 100 established loopback connections on that port, and a UDP snapshot for
 * comparison. A developer's tool: built by `make bench`, never by `make check`; it asserts
 * nothing. */
#include "config.h"

#include "net/observe.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "snapshot: %s: %s\n", what, strerror(errno));
	exit(EXIT_FAILURE);
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts the samples and returns the value below which the given fraction of them lie. */
static double percentile(double *v, size_t n, double fraction)
{
	qsort(v, n, sizeof *v, cmp_double);
	size_t i = (size_t)(fraction * (double)(n - 1) + 0.5);
	return v[i];
}

/* One line of the table: a listener with npairs accepted connections on its port. */
static void run(int npairs, int runs)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof a;
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 128) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) < 0)
		die("listener");
	uint16_t port = ntohs(a.sin_port);
	int *fds = xcalloc((size_t)npairs * 2 + 1, sizeof *fds);
	for (int i = 0; i < npairs; i++) {
		fds[2 * i] = socket(AF_INET, SOCK_STREAM, 0);
		a = loopback(port);
		if (fds[2 * i] < 0 || connect(fds[2 * i], (struct sockaddr *)&a, sizeof a) < 0)
			die("connect");
		if ((fds[2 * i + 1] = accept(l, NULL, NULL)) < 0)
			die("accept");
	}
	int probe = npairs ? fds[0] : l;

	double *snap = xcalloc((size_t)runs, sizeof *snap);
	double *info = xcalloc((size_t)runs, sizeof *info);
	size_t entries = 0;
	for (int r = 0; r < runs; r++) {
		observe_entry *e;
		double t0 = now_us();
		if (observe_snapshot(IPPROTO_TCP, &port, 1, &e, &entries) < 0)
			die("observe_snapshot");
		snap[r] = now_us() - t0;
		observe_free(e);

		tcp_state st;
		t0 = now_us();
		if (observe_fd_state(probe, &st) < 0)
			die("observe_fd_state");
		info[r] = now_us() - t0;
	}
	printf("%5d %7zu   %8.0f %8.0f   %8.2f %8.2f\n", npairs, entries,
	       percentile(snap, (size_t)runs, 0.5), percentile(snap, (size_t)runs, 0.9),
	       percentile(info, (size_t)runs, 0.5), percentile(info, (size_t)runs, 0.9));
	free(snap);
	free(info);
	for (int i = 0; i < 2 * npairs; i++)
		close(fds[i]);
	free(fds);
	close(l);
}

/* For comparison: a UDP snapshot, whose dump walks the much smaller UDP hash. */
static void run_udp(int runs)
{
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof a;
	if (u < 0 || bind(u, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(u, (struct sockaddr *)&a, &len) < 0)
		die("udp socket");
	uint16_t port = ntohs(a.sin_port);
	double *snap = xcalloc((size_t)runs, sizeof *snap);
	size_t entries = 0;
	for (int r = 0; r < runs; r++) {
		observe_entry *e;
		double t0 = now_us();
		if (observe_snapshot(IPPROTO_UDP, &port, 1, &e, &entries) < 0)
			die("observe_snapshot");
		snap[r] = now_us() - t0;
		observe_free(e);
	}
	printf("  udp %7zu   %8.0f %8.0f\n", entries, percentile(snap, (size_t)runs, 0.5),
	       percentile(snap, (size_t)runs, 0.9));
	free(snap);
	close(u);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 200;
	if (runs < 1) {
		fprintf(stderr, "usage: %s [runs]\n", argv[0]);
		return EXIT_FAILURE;
	}
	struct utsname u;
	if (uname(&u) == 0)
		printf("Linux %s %s, %d runs each, times in microseconds\n", u.release, u.machine,
		       runs);
	printf("                   observe_snapshot    observe_fd_state\n");
	printf("pairs entries     median      p90     median      p90\n");
	static const int pairs[] = { 0, 10, 100 };
	for (size_t i = 0; i < ARRAY_SIZE(pairs); i++)
		run(pairs[i], runs);
	run_udp(runs);
	return EXIT_SUCCESS;
}
