#include "config.h"

#include "suites.h"
#include "net/observe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How long a test waits for the kernel to reach a state: loopback needs microseconds, but a
 * delayed ACK can hold FIN_WAIT1 for 40 ms. */
#define WAIT_MS 1000

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof a;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	return observe_port(&a);
}

/* A socket of the given type bound to 127.0.0.1 on a port the kernel picks. */
static int bound_socket(int type, uint16_t *port)
{
	int fd = socket(AF_INET, type, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in a = loopback(0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	*port = local_port(fd);
	return fd;
}

static int listener(int backlog, uint16_t *port)
{
	int fd = bound_socket(SOCK_STREAM, port);
	ck_assert_int_eq(listen(fd, backlog), 0);
	return fd;
}

/* A client connected (blocking) to 127.0.0.1:port; its own port goes to *cport. */
static int client(uint16_t port, uint16_t *cport)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in a = loopback(port);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	*cport = local_port(fd);
	return fd;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static tcp_state fd_state(int fd)
{
	tcp_state st = TCPS_NONE;
	ck_assert_int_eq(observe_fd_state(fd, &st), 0);
	return st;
}

/* TCP_INFO's state once it equals want, or the last one read after WAIT_MS. */
static tcp_state wait_fd_state(int fd, tcp_state want)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tcp_state st;
	while ((st = fd_state(fd)) != want && elapsed_ms(&t0) < WAIT_MS)
		usleep(1000);
	return st;
}

typedef struct snapshot {
	observe_entry *e;
	size_t n;
} snapshot;

static snapshot take(int protocol, uint16_t port)
{
	snapshot s;
	ck_assert_int_eq(observe_snapshot(protocol, &port, 1, &s.e, &s.n), 0);
	return s;
}

/* The entry with these local and remote ports (remote 0: not connected), or NULL. */
static const observe_entry *find(const snapshot *s, uint16_t lport, uint16_t rport)
{
	for (size_t i = 0; i < s->n; i++)
		if (observe_port(&s->e[i].local) == lport && observe_port(&s->e[i].remote) == rport)
			return &s->e[i];
	return NULL;
}

/* Same, failing the test when there is none. */
static const observe_entry *must_find(const snapshot *s, uint16_t lport, uint16_t rport)
{
	const observe_entry *e = find(s, lport, rport);
	ck_assert_msg(e != NULL, "no socket %u -> %u in the snapshot", (unsigned)lport,
		      (unsigned)rport);
	return e;
}

/* Entries not in TIME_WAIT. A TIME_WAIT left by an earlier test (for 60 s) can name a port
 * bind() hands out again as its remote port; no other state outlives its test. */
static size_t count_live(const snapshot *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->e[i].state != TCPS_TIME_WAIT;
	return n;
}

/* Polls snapshots of port until the entry lport -> rport is in state want (up to WAIT_MS);
 * copies it to *out. Returns false if it never got there. */
static bool wait_entry(int protocol, uint16_t port, uint16_t lport, uint16_t rport,
		       tcp_state want, observe_entry *out)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		snapshot s = take(protocol, port);
		const observe_entry *e = find(&s, lport, rport);
		bool ok = e && e->state == want;
		if (ok)
			*out = *e;
		observe_free(s.e);
		if (ok)
			return true;
		if (elapsed_ms(&t0) >= WAIT_MS)
			return false;
		usleep(5000);
	}
}

/* Polls TCP snapshots of port until no entry lport -> rport is left (up to WAIT_MS). */
static bool wait_gone(uint16_t port, uint16_t lport, uint16_t rport)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		snapshot s = take(IPPROTO_TCP, port);
		bool gone = find(&s, lport, rport) == NULL;
		observe_free(s.e);
		if (gone)
			return true;
		if (elapsed_ms(&t0) >= WAIT_MS)
			return false;
		usleep(5000);
	}
}

static ino_t fd_inode(int fd)
{
	struct stat st;
	ck_assert_int_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

/* ---- no sockets ---- */

START_TEST(state_names)
{
	ck_assert_str_eq(observe_state_name(TCPS_ESTABLISHED), "ESTABLISHED");
	ck_assert_str_eq(observe_state_name(TCPS_SYN_SENT), "SYN_SENT");
	ck_assert_str_eq(observe_state_name(TCPS_SYN_RECV), "SYN_RECV");
	ck_assert_str_eq(observe_state_name(TCPS_FIN_WAIT1), "FIN_WAIT1");
	ck_assert_str_eq(observe_state_name(TCPS_FIN_WAIT2), "FIN_WAIT2");
	ck_assert_str_eq(observe_state_name(TCPS_TIME_WAIT), "TIME_WAIT");
	ck_assert_str_eq(observe_state_name(TCPS_CLOSE), "CLOSE");
	ck_assert_str_eq(observe_state_name(TCPS_CLOSE_WAIT), "CLOSE_WAIT");
	ck_assert_str_eq(observe_state_name(TCPS_LAST_ACK), "LAST_ACK");
	ck_assert_str_eq(observe_state_name(TCPS_LISTEN), "LISTEN");
	ck_assert_str_eq(observe_state_name(TCPS_CLOSING), "CLOSING");
	ck_assert_str_eq(observe_state_name(TCPS_NONE), "UNKNOWN");
	ck_assert_str_eq(observe_state_name((tcp_state)12), "UNKNOWN");
	ck_assert_str_eq(observe_state_name((tcp_state)-1), "UNKNOWN");
	/* the kernel's own numbers, which TCP_INFO and sock_diag carry */
	ck_assert_int_eq(TCPS_ESTABLISHED, TCP_ESTABLISHED);
	ck_assert_int_eq(TCPS_TIME_WAIT, TCP_TIME_WAIT);
	ck_assert_int_eq(TCPS_CLOSE, 7);
	ck_assert_int_eq(TCPS_LISTEN, TCP_LISTEN);
	ck_assert_int_eq(TCPS_CLOSING, TCP_CLOSING);

	observe_entry e = { .protocol = IPPROTO_UDP, .state = TCPS_CLOSE };
	ck_assert_str_eq(observe_entry_state_name(&e), "UNCONN");
	e.state = TCPS_ESTABLISHED;
	ck_assert_str_eq(observe_entry_state_name(&e), "ESTABLISHED");
	e.protocol = IPPROTO_TCP;
	e.state = TCPS_CLOSE;
	ck_assert_str_eq(observe_entry_state_name(&e), "CLOSE");
}
END_TEST

START_TEST(format_like_ss)
{
	observe_entry e;
	memset(&e, 0, sizeof e);
	e.family = AF_INET;
	e.protocol = IPPROTO_TCP;
	e.state = TCPS_LISTEN;
	e.wqueue = 128;
	struct sockaddr_in a = loopback(8080);
	memcpy(&e.local, &a, sizeof a);
	a = loopback(0);
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	memcpy(&e.remote, &a, sizeof a);
	char *line = observe_format(&e);
	ck_assert_str_eq(line, "LISTEN      0      128    127.0.0.1:8080        0.0.0.0:*");
	free(line);

	memset(&e, 0, sizeof e);
	e.family = AF_INET6;
	e.protocol = IPPROTO_UDP;
	e.state = TCPS_CLOSE;
	e.rqueue = 768;
	struct sockaddr_in6 a6;
	memset(&a6, 0, sizeof a6);
	a6.sin6_family = AF_INET6;
	a6.sin6_addr = in6addr_loopback;
	a6.sin6_port = htons(53);
	memcpy(&e.local, &a6, sizeof a6);
	a6.sin6_addr = in6addr_any;
	a6.sin6_port = 0;
	memcpy(&e.remote, &a6, sizeof a6);
	line = observe_format(&e);
	ck_assert_str_eq(line, "UNCONN      768    0      [::1]:53              [::]:*");
	free(line);
}
END_TEST

START_TEST(fd_state_errors)
{
	tcp_state st;
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	errno = 0;
	ck_assert_int_eq(observe_fd_state(p[0], &st), -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	close(p[0]);
	close(p[1]);
	errno = 0;
	ck_assert_int_eq(observe_fd_state(p[0], &st), -1);
	ck_assert_int_eq(errno, EBADF);

	observe_entry dummy;
	observe_entry *e = &dummy;
	size_t n = 99;
	errno = 0;
	ck_assert_int_eq(observe_snapshot(IPPROTO_SCTP, NULL, 0, &e, &n), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(e);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- the kernel's states, through TCP_INFO and sock_diag ---- */

START_TEST(listen_reports_backlog)
{
	uint16_t port;
	int l = listener(5, &port);
	ck_assert_int_eq(fd_state(l), TCPS_LISTEN);

	snapshot s = take(IPPROTO_TCP, port);
	ck_assert_uint_eq(count_live(&s), 1);
	const observe_entry *e = must_find(&s, port, 0);
	ck_assert_int_eq(e->state, TCPS_LISTEN);
	ck_assert_int_eq(e->family, AF_INET);
	ck_assert_int_eq(e->protocol, IPPROTO_TCP);
	ck_assert_uint_eq(e->wqueue, 5);	/* the backlog */
	ck_assert_uint_eq(e->rqueue, 0);	/* nobody waiting to be accepted */
	ck_assert_uint_eq(e->inode, fd_inode(l));
	ck_assert_uint_eq(e->uid, getuid());
	ck_assert_uint_eq(ntohl(((struct sockaddr_in *)&e->local)->sin_addr.s_addr),
			  INADDR_LOOPBACK);
	observe_free(s.e);
	close(l);
}
END_TEST

START_TEST(established_and_accept_queue)
{
	uint16_t port, cport;
	int l = listener(4, &port);
	int c = client(port, &cport);
	ck_assert_int_eq(fd_state(c), TCPS_ESTABLISHED);

	/* before accept(): the server's side exists, complete, in the accept queue */
	snapshot s = take(IPPROTO_TCP, port);
	ck_assert_uint_eq(count_live(&s), 3);
	const observe_entry *e = must_find(&s, port, 0);
	ck_assert_int_eq(e->state, TCPS_LISTEN);
	ck_assert_uint_eq(e->rqueue, 1);
	ck_assert_uint_eq(e->wqueue, 4);
	e = must_find(&s, cport, port);
	ck_assert_int_eq(e->state, TCPS_ESTABLISHED);
	ck_assert_uint_eq(e->inode, fd_inode(c));
	e = must_find(&s, port, cport);
	ck_assert_int_eq(e->state, TCPS_ESTABLISHED);
	ck_assert_uint_eq(e->inode, 0);		/* no descriptor yet */
	observe_free(s.e);

	int sv = accept(l, NULL, NULL);
	ck_assert_int_ge(sv, 0);
	ck_assert_int_eq(fd_state(sv), TCPS_ESTABLISHED);
	ck_assert_int_eq(fd_state(c), TCPS_ESTABLISHED);
	s = take(IPPROTO_TCP, port);
	ck_assert_uint_eq(count_live(&s), 3);
	ck_assert_uint_eq(must_find(&s, port, 0)->rqueue, 0);
	e = must_find(&s, port, cport);
	ck_assert_int_eq(e->state, TCPS_ESTABLISHED);
	ck_assert_uint_eq(e->inode, fd_inode(sv));
	ck_assert_int_eq(must_find(&s, cport, port)->state, TCPS_ESTABLISHED);
	observe_free(s.e);

	/* bytes arrived and not yet read show in the receiver's Recv-Q */
	char buf[8];
	ck_assert_int_eq(write(c, "hello", 5), 5);
	ck_assert_int_eq(recv(sv, buf, 5, MSG_PEEK | MSG_WAITALL), 5);
	s = take(IPPROTO_TCP, port);
	ck_assert_uint_eq(must_find(&s, port, cport)->rqueue, 5);
	observe_free(s.e);
	ck_assert_int_eq(read(sv, buf, sizeof buf), 5);
	s = take(IPPROTO_TCP, port);
	ck_assert_uint_eq(must_find(&s, port, cport)->rqueue, 0);
	observe_free(s.e);
	close(sv);
	close(c);
	close(l);
}
END_TEST

START_TEST(syn_sent_held_by_full_accept_queue)
{
	uint16_t port, c1port;
	int l = listener(0, &port);
	int c1 = client(port, &c1port);	/* fills the accept queue: never accepted */
	ck_assert_int_eq(fd_state(c1), TCPS_ESTABLISHED);
	snapshot s = take(IPPROTO_TCP, port);
	ck_assert_uint_eq(must_find(&s, port, 0)->rqueue, 1);
	ck_assert_uint_eq(must_find(&s, port, 0)->wqueue, 0);
	observe_free(s.e);

	int c2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(c2, 0);
	struct sockaddr_in a = loopback(port);
	errno = 0;
	ck_assert_int_eq(connect(c2, (struct sockaddr *)&a, sizeof a), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	uint16_t c2port = local_port(c2);

	observe_entry e;
	ck_assert(wait_entry(IPPROTO_TCP, port, c2port, port, TCPS_SYN_SENT, &e));
	ck_assert_int_eq(e.timer, OBSERVE_TIMER_RETRANSMIT);	/* the SYN will be sent again */
	ck_assert_uint_eq(e.wqueue, 1);		/* the SYN's sequence number, unacknowledged */
	ck_assert_uint_eq(e.inode, fd_inode(c2));
	ck_assert_int_eq(fd_state(c2), TCPS_SYN_SENT);
	/* and it stays there: the listener drops its SYNs */
	struct pollfd pfd = { .fd = c2, .events = POLLOUT };
	ck_assert_int_eq(poll(&pfd, 1, 200), 0);
	ck_assert_int_eq(fd_state(c2), TCPS_SYN_SENT);
	close(c2);
	close(c1);
	close(l);
}
END_TEST

START_TEST(syn_recv_held_by_defer_accept)
{
	uint16_t port, cport;
	int l = bound_socket(SOCK_STREAM, &port);
	int secs = 5;
	ck_assert_int_eq(setsockopt(l, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof secs), 0);
	ck_assert_int_eq(listen(l, 8), 0);
	int c = client(port, &cport);		/* connects, sends nothing */

	/* the client's handshake is over ... */
	ck_assert_int_eq(fd_state(c), TCPS_ESTABLISHED);
	/* ... the server's is not: a request socket, no descriptor, nothing to accept */
	observe_entry e;
	ck_assert(wait_entry(IPPROTO_TCP, port, port, cport, TCPS_SYN_RECV, &e));
	ck_assert_uint_eq(e.inode, 0);
	ck_assert_uint_eq(e.uid, 0);
	ck_assert_int_eq(e.timer, OBSERVE_TIMER_RETRANSMIT);	/* of the SYN-ACK */
	snapshot s = take(IPPROTO_TCP, port);
	ck_assert_int_eq(must_find(&s, port, 0)->state, TCPS_LISTEN);
	ck_assert_uint_eq(must_find(&s, port, 0)->rqueue, 0);
	ck_assert_int_eq(must_find(&s, cport, port)->state, TCPS_ESTABLISHED);
	observe_free(s.e);
	struct pollfd pfd = { .fd = l, .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, 100), 0);

	/* the first byte completes it */
	ck_assert_int_eq(write(c, "x", 1), 1);
	ck_assert_int_eq(poll(&pfd, 1, WAIT_MS), 1);
	int sv = accept(l, NULL, NULL);
	ck_assert_int_ge(sv, 0);
	ck_assert_int_eq(fd_state(sv), TCPS_ESTABLISHED);
	close(sv);
	close(c);
	close(l);
}
END_TEST

START_TEST(closing_to_time_wait)
{
	uint16_t port, cport;
	int l = listener(4, &port);
	int c = client(port, &cport);
	int sv = accept(l, NULL, NULL);
	ck_assert_int_ge(sv, 0);

	/* half-close: the client's FIN is acknowledged, the server reads end-of-file */
	ck_assert_int_eq(shutdown(c, SHUT_WR), 0);
	ck_assert_int_eq(wait_fd_state(c, TCPS_FIN_WAIT2), TCPS_FIN_WAIT2);
	ck_assert_int_eq(wait_fd_state(sv, TCPS_CLOSE_WAIT), TCPS_CLOSE_WAIT);
	char buf[4];
	ck_assert_int_eq(read(sv, buf, sizeof buf), 0);
	snapshot s = take(IPPROTO_TCP, port);
	ck_assert_int_eq(must_find(&s, cport, port)->state, TCPS_FIN_WAIT2);
	ck_assert_int_eq(must_find(&s, port, cport)->state, TCPS_CLOSE_WAIT);
	observe_free(s.e);

	/* the server closes: the client's descriptor reads CLOSE, its TIME_WAIT is elsewhere */
	ck_assert_int_eq(close(sv), 0);
	ck_assert_int_eq(wait_fd_state(c, TCPS_CLOSE), TCPS_CLOSE);
	observe_entry e;
	ck_assert(wait_entry(IPPROTO_TCP, port, cport, port, TCPS_TIME_WAIT, &e));
	ck_assert_uint_eq(e.inode, 0);
	ck_assert_uint_eq(e.uid, 0);		/* whoever owned it */
	ck_assert_int_eq(e.timer, OBSERVE_TIMER_TIME_WAIT);
	ck_assert_uint_gt(e.expires_ms, 0);
	ck_assert_uint_le(e.expires_ms, 60000);
	ck_assert(wait_gone(port, port, cport));	/* the server's side: LAST_ACK, then gone */

	/* with the client's descriptor closed, only sock_diag sees it */
	ck_assert_int_eq(close(c), 0);
	ck_assert(wait_entry(IPPROTO_TCP, port, cport, port, TCPS_TIME_WAIT, &e));

	/* and it keeps the port: no bind() without SO_REUSEADDR ... */
	int b = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(cport);
	errno = 0;
	ck_assert_int_eq(bind(b, (struct sockaddr *)&a, sizeof a), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(b);
	/* ... nor with it, since the closed socket did not set it too */
	b = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	ck_assert_int_eq(setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
	errno = 0;
	ck_assert_int_eq(bind(b, (struct sockaddr *)&a, sizeof a), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	close(b);
	close(l);
}
END_TEST

START_TEST(udp_unconnected_and_connected)
{
	uint16_t port, peer;
	int u = bound_socket(SOCK_DGRAM, &port);
	tcp_state st;
	ck_assert_int_eq(observe_fd_state(u, &st), -1);		/* TCP_INFO is TCP's */
	ck_assert(errno == EOPNOTSUPP || errno == ENOPROTOOPT);

	snapshot s = take(IPPROTO_UDP, port);
	ck_assert_uint_eq(s.n, 1);
	const observe_entry *e = must_find(&s, port, 0);
	ck_assert_int_eq(e->state, TCPS_CLOSE);		/* 7 */
	ck_assert_int_eq(e->protocol, IPPROTO_UDP);
	ck_assert_str_eq(observe_entry_state_name(e), "UNCONN");
	ck_assert_uint_eq(e->inode, fd_inode(u));
	observe_free(s.e);
	/* not in a TCP snapshot */
	s = take(IPPROTO_TCP, port);
	ck_assert_ptr_null(find(&s, port, 0));
	observe_free(s.e);

	int v = bound_socket(SOCK_DGRAM, &peer);
	struct sockaddr_in a = loopback(peer);
	ck_assert_int_eq(connect(u, (struct sockaddr *)&a, sizeof a), 0);
	s = take(IPPROTO_UDP, port);
	e = must_find(&s, port, peer);
	ck_assert_int_eq(e->state, TCPS_ESTABLISHED);
	ck_assert_str_eq(observe_entry_state_name(e), "ESTABLISHED");
	observe_free(s.e);
	close(v);
	close(u);
}
END_TEST

/* A TCP snapshot is one request for both families (TCPDIAG_GETSOCK): an IPv4 and an IPv6
 * listener on ports of one list are both in it, each with its family and address. */
START_TEST(snapshot_has_both_families)
{
	uint16_t p4, p6;
	int l4 = listener(1, &p4);
	int l6 = socket(AF_INET6, SOCK_STREAM, 0);
	ck_assert_int_ge(l6, 0);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	if (bind(l6, (struct sockaddr *)&a6, sizeof a6) != 0) {	/* no IPv6 here */
		close(l6);
		close(l4);
		return;
	}
	ck_assert_int_eq(listen(l6, 1), 0);
	socklen_t len = sizeof a6;
	ck_assert_int_eq(getsockname(l6, (struct sockaddr *)&a6, &len), 0);
	p6 = ntohs(a6.sin6_port);
	uint16_t ports[] = { p4, p6 };
	snapshot s;
	ck_assert_int_eq(observe_snapshot(IPPROTO_TCP, ports, 2, &s.e, &s.n), 0);
	const observe_entry *e4 = must_find(&s, p4, 0), *e6 = must_find(&s, p6, 0);
	ck_assert_int_eq(e4->family, AF_INET);
	ck_assert_int_eq(e6->family, AF_INET6);
	ck_assert_int_eq(e4->state, TCPS_LISTEN);
	ck_assert_int_eq(e6->state, TCPS_LISTEN);
	char *line = observe_format(e6);
	ck_assert_msg(strstr(line, "[::1]:") != NULL, "%s", line);
	free(line);
	observe_free(s.e);
	close(l6);
	close(l4);
}
END_TEST

START_TEST(snapshot_filters_by_port)
{
	uint16_t p1, p2;
	int l1 = listener(1, &p1);
	int l2 = listener(2, &p2);

	snapshot s = take(IPPROTO_TCP, p1);
	ck_assert_uint_eq(count_live(&s), 1);
	must_find(&s, p1, 0);
	observe_free(s.e);

	uint16_t both[] = { 0, p2, p1 };
	ck_assert_int_eq(observe_snapshot(IPPROTO_TCP, both, 3, &s.e, &s.n), 0);
	ck_assert_uint_eq(count_live(&s), 2);
	must_find(&s, p1, 0);
	must_find(&s, p2, 0);
	observe_free(s.e);

	/* every socket: at least these two */
	ck_assert_int_eq(observe_snapshot(IPPROTO_TCP, NULL, 0, &s.e, &s.n), 0);
	must_find(&s, p1, 0);
	must_find(&s, p2, 0);
	observe_free(s.e);

	/* an empty list asks for nothing */
	ck_assert_int_eq(observe_snapshot(IPPROTO_TCP, both, 1, &s.e, &s.n), 0);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_ptr_null(s.e);

	/* long lists: 1000 ports make a 24 KB kernel filter, 3000 too many for one (filtered
	 * here); the same answer. Other programs' sockets may use ports below 3000, but
	 * bind() hands out ports far above. */
	static const size_t sizes[] = { 1000, 3000 };
	for (size_t k = 0; k < 2; k++) {
		size_t n = sizes[k];
		uint16_t *many = calloc(n, sizeof *many);
		ck_assert_ptr_nonnull(many);
		for (size_t i = 0; i < n - 1; i++)
			many[i] = (uint16_t)(1 + i);
		many[n - 1] = p1;
		ck_assert_int_eq(observe_snapshot(IPPROTO_TCP, many, n, &s.e, &s.n), 0);
		must_find(&s, p1, 0);
		ck_assert_ptr_null(find(&s, p2, 0));
		for (size_t i = 0; i < s.n; i++) {
			uint16_t lp = observe_port(&s.e[i].local);
			uint16_t rp = observe_port(&s.e[i].remote);
			ck_assert(lp == p1 || rp == p1 || (lp >= 1 && lp < n) || (rp >= 1 && rp < n));
		}
		observe_free(s.e);
		free(many);
	}
	close(l1);
	close(l2);
}
END_TEST

START_TEST(ipv6_listener)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a;
	memset(&a, 0, sizeof a);
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		/* no IPv6 loopback on this machine: nothing to observe */
		if (fd >= 0)
			close(fd);
		return;
	}
	ck_assert_int_eq(listen(fd, 3), 0);
	uint16_t port = local_port(fd);
	snapshot s = take(IPPROTO_TCP, port);
	ck_assert_uint_eq(count_live(&s), 1);
	const observe_entry *e = must_find(&s, port, 0);
	ck_assert_int_eq(e->family, AF_INET6);
	ck_assert_int_eq(e->state, TCPS_LISTEN);
	ck_assert_uint_eq(e->wqueue, 3);
	const struct sockaddr_in6 *l6 = (const struct sockaddr_in6 *)&e->local;
	ck_assert(IN6_IS_ADDR_LOOPBACK(&l6->sin6_addr));
	observe_free(s.e);
	close(fd);
}
END_TEST

/* Is a socket of this process among observe_exposed()'s answer? */
static bool exposed(uint16_t port, int protocol)
{
	observe_entry *e;
	size_t n;
	ck_assert_int_eq(observe_exposed(&e, &n), 0);
	bool found = false;
	for (size_t i = 0; i < n; i++)
		found |= observe_port(&e[i].local) == port && e[i].protocol == protocol;
	observe_free(e);
	return found;
}

/* A wildcard socket made for the test that nothing can really reach: a socket filter that
 * drops every packet (a listener's SYNs included) is attached before it is bound. */
static int deaf_socket(int type)
{
	int fd = socket(AF_INET, type, 0);
	ck_assert_int_ge(fd, 0);
	struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &drop };
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog), 0);
	return fd;
}

/* observe_exposed() lists the listening TCP and the UDP sockets of this process that other
 * machines could reach (wildcard address, no device), and none that stay on loopback. */
START_TEST(exposed_sockets_are_listed)
{
	struct sockaddr_in any = loopback(0);
	any.sin_addr.s_addr = htonl(INADDR_ANY);
	struct sockaddr_in lo = loopback(0);

	int wild = deaf_socket(SOCK_STREAM), udp = deaf_socket(SOCK_DGRAM);
	int local = socket(AF_INET, SOCK_STREAM, 0), onlo = deaf_socket(SOCK_DGRAM);
	int quiet = deaf_socket(SOCK_STREAM);
	ck_assert_int_eq(bind(wild, (struct sockaddr *)&any, sizeof any), 0);
	ck_assert_int_eq(bind(quiet, (struct sockaddr *)&any, sizeof any), 0);
	ck_assert_int_eq(listen(wild, 1), 0);
	ck_assert_int_eq(bind(udp, (struct sockaddr *)&any, sizeof any), 0);
	ck_assert_int_eq(bind(local, (struct sockaddr *)&lo, sizeof lo), 0);
	ck_assert_int_eq(listen(local, 1), 0);
	ck_assert_int_eq(setsockopt(onlo, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2), 0);
	ck_assert_int_eq(bind(onlo, (struct sockaddr *)&any, sizeof any), 0);

	ck_assert_msg(exposed(local_port(wild), IPPROTO_TCP), "a 0.0.0.0 listener is not listed");
	ck_assert_msg(exposed(local_port(udp), IPPROTO_UDP), "a 0.0.0.0 UDP socket is not listed");
	ck_assert(!exposed(local_port(local), IPPROTO_TCP));
	ck_assert_msg(!exposed(local_port(onlo), IPPROTO_UDP), "a socket bound to lo is listed");
	ck_assert_msg(!exposed(local_port(quiet), IPPROTO_TCP), "a bound TCP socket that does not listen is listed");

	/* what ss prints for the socket bound to the loopback device */
	snapshot sn = take(IPPROTO_UDP, local_port(onlo));
	const observe_entry *e = must_find(&sn, local_port(onlo), 0);
	ck_assert_int_eq(e->ifindex, (int)if_nametoindex("lo"));
	char *line = observe_format(e);
	char want[64];
	snprintf(want, sizeof want, "0.0.0.0%%lo:%u ", local_port(onlo));
	ck_assert_msg(strstr(line, want), "'%s' has no '%s'", line, want);
	free(line);
	observe_free(sn.e);

	/* a socket is listed only while this process holds it */
	uint16_t port = local_port(wild);
	close(wild);
	ck_assert(!exposed(port, IPPROTO_TCP));
	close(udp);
	close(local);
	close(onlo);
	close(quiet);
}
END_TEST

Suite *make_observe_suite(void)
{
	Suite *s = suite_create("observe");
	TCase *tc = tcase_create("names");
	tcase_add_test(tc, state_names);
	tcase_add_test(tc, format_like_ss);
	tcase_add_test(tc, fd_state_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("kernel");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, listen_reports_backlog);
	tcase_add_test(tc, established_and_accept_queue);
	tcase_add_test(tc, syn_sent_held_by_full_accept_queue);
	tcase_add_test(tc, syn_recv_held_by_defer_accept);
	tcase_add_test(tc, closing_to_time_wait);
	tcase_add_test(tc, udp_unconnected_and_connected);
	tcase_add_test(tc, snapshot_filters_by_port);
	tcase_add_test(tc, snapshot_has_both_families);
	tcase_add_test(tc, ipv6_listener);
	tcase_add_test(tc, exposed_sockets_are_listed);
	suite_add_tcase(s, tc);
	return s;
}
