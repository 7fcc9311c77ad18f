#include "config.h"

#include "run.h"
#include "observe.h"
#include "calltext.h"
#include "core/errnames.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A blocked call may wait this long when the script needs its actor again. */
#define STALL_LIMIT_MS 10000.0
/* How long an expect step gives the kernel to reach the states (delayed ACKs). */
#define EXPECT_GRACE_MS 500.0
/* How long a 'wait SOCKET STATE' step waits. */
#define WAIT_STATE_MS 10000.0
/* How often states are re-read while an expect or wait step is unresolved: every 20 ms at
 * first, then every quarter of the time waited so far, at most every 100 ms (a state that
 * takes a second, a SYN retransmission, is seen within a tenth of a second of it, for a
 * sixth of the snapshots that polling every 20 ms takes; each is about a millisecond of the
 * kernel's time). */
#define STATE_POLL_MS 20
#define STATE_POLL_MAX_MS 100
/* The most repetitions of an 'until' step. */
#define UNTIL_LIMIT 100000
/* How long an 'expect packets' step waits for its packets. */
#define PACKETS_GRACE_MS 3000.0
/* After the script, how long the wire must stay quiet before a headless run ends; and the
 * most it waits for that. */
#define WIRE_SETTLE_MS 300.0
#define WIRE_SETTLE_MAX_MS 5000.0
/* How long a script's 'wire deliver' waits for a packet to reach the wire when none is held
 * yet: one sent by a call that has just returned can still be in the sending kernel's
 * queue (a busy machine defers it to a softirq). */
#define DELIVER_WAIT_MS 500.0

typedef struct rsock {
	int fd;			/* -1 when not open */
	bool opened, closed;
	int family, type;
	bool blocking;		/* as the script sees it; the descriptor is always O_NONBLOCK */
	long timeout_ms;	/* settimeout(); -1: none */
	long rcvtimeo_ms;	/* SO_RCVTIMEO; 0: none */
	struct sockaddr_storage local, remote;
	bool has_local, has_remote;
	ino_t ino;
} rsock;

typedef struct pending {
	bool active;
	size_t step;
	double t0;
	double deadline;	/* -1: none */
	size_t sent;		/* send/sendall: bytes queued so far */
	short events;		/* what poll() waits for */
	int fd;
} pending;

/* Per TCP connection and direction: how far the sequence space has gone. */
typedef struct seqmark {
	int conn;
	bool from_initiator;
	uint32_t end;
	double t;		/* when the segment that reached end was first seen */
	unsigned id;		/* its packet number */
} seqmark;

struct run {
	const script *s;
	lab *lab;
	pkt_flows *flows;
	seqmark *marks;
	size_t nmarks, markcap;
	size_t pkt_cursor;	/* events before this were matched by 'expect packets' */
	double t_start;
	double wire_t;		/* the last packet */
	double t_last_step;
	bool user_hold;		/* the user (not the script) holds packets */
	double held_at;		/* when packets were last seen held by the user */
	rsock *socks;
	pending *pend;		/* one per actor */
	size_t next;
	int scene;
	run_event *ev;
	size_t nev, evcap;
	int failures;
	bool stopped;
	bool lenient;		/* the playground: errors end a step, not the run */
	/* a wait or expect step in progress */
	bool waiting;
	size_t wait_step;
	double wait_t0, wait_deadline;
	/* repetitions of the current 'until' step, per actor */
	size_t *until_count;
	/* scratch for recv */
	char *buf;
	size_t bufcap;
	/* presenting: binds to port 0 get fixed ports from port_base, in script order */
	int port_base;
	size_t *fx_step;	/* the bind steps given one... */
	int *fx_port;		/* ... and the port each got (0: the kernel chose) */
	size_t nfx, fxcap;
	int moved_want, moved_got;	/* the latest bind whose port was taken (want 0: none) */
};

double run_clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- formatting ------------------------------------------------------------------------- */

void run_format_addr(const struct sockaddr_storage *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)a;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		snprintf(buf, len, "%s:%u", host, ntohs(in->sin_port));
	} else if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "*:*");
	}
}

/* The data argument as the script wrote it: bytes(N) for a zero-filled block. */
static bool data_is_zeros(const script_step *st)
{
	for (size_t i = 0; i < st->datalen; i++)
		if (st->data[i])
			return false;
	return st->datalen > CT_DATA_PREVIEW;
}

static void add_arg_data_py(strbuf *sb, const script_step *st)
{
	if (data_is_zeros(st))
		strbuf_addf(sb, "bytes(%zu)", st->datalen);
	else
		ct_data_py(sb, st->data, st->datalen);
}

static const char *pyname(const run *r, int sock)
{
	return r->s->socks[sock].name;
}

/* ---- the event list --------------------------------------------------------------------- */

static run_event *new_event(run *r, run_ev_kind kind, int step)
{
	grow_array((void **)&r->ev, &r->evcap, r->nev, sizeof *r->ev);
	run_event *e = &r->ev[r->nev++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->step = step;
	e->scene = step >= 0 ? r->s->steps[step].scene : r->scene;
	e->actor = step >= 0 ? r->s->steps[step].actor : -1;
	e->at = run_clock_ms() - r->t_start;
	e->from = -1;
	return e;
}

/* ---- observing -------------------------------------------------------------------------- */

typedef struct snap {
	observe_entry *tcp, *udp;
	size_t ntcp, nudp;
} snap;

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
	}
	return false;
}

/* Appends one namespace's sockets to *all. */
static void snap_add(int dfd, int protocol, const uint16_t *ports, size_t n,
		     observe_entry **all, size_t *count)
{
	observe_entry *e;
	size_t k;
	if (observe_snapshot_in(dfd, protocol, ports, n, &e, &k) < 0 || k == 0)
		return;
	if (*count == 0) {
		*all = e;
		*count = k;
		return;
	}
	*all = xrealloc(*all, (*count + k) * sizeof **all);
	memcpy(*all + *count, e, k * sizeof *e);
	*count += k;
	observe_free(e);
}

static void take_snap(const run *r, snap *sn)
{
	uint16_t *ports = xcalloc(r->s->nsocks + 1, sizeof *ports);
	size_t n = 0;
	bool tcp = false, udp = false;
	for (size_t i = 0; i < r->s->nsocks; i++) {
		const rsock *k = &r->socks[i];
		if (!k->has_local)
			continue;
		ports[n++] = observe_port(&k->local);
		*(k->type == SOCK_DGRAM ? &udp : &tcp) = true;
	}
	memset(sn, 0, sizeof *sn);
	int sides = r->lab ? lab_nsides(r->lab) : 1;
	for (int side = 0; n && side < sides; side++) {
		int dfd = r->lab ? lab_diag(r->lab, side) : -1;
		if (tcp)
			snap_add(dfd, IPPROTO_TCP, ports, n, &sn->tcp, &sn->ntcp);
		if (udp)
			snap_add(dfd, IPPROTO_UDP, ports, n, &sn->udp, &sn->nudp);
	}
	free(ports);
}

static void free_snap(snap *sn)
{
	observe_free(sn->tcp);
	observe_free(sn->udp);
}

/* The kernel socket behind script socket i: by inode while a descriptor holds it; else by
 * its 4-tuple, an entry no descriptor holds: after close, and also before it, since a
 * connection entering TIME_WAIT leaves its descriptor in CLOSE and moves to a new kernel
 * object. */
static const observe_entry *entry_of(const run *r, const snap *sn, size_t i)
{
	const rsock *k = &r->socks[i];
	const observe_entry *es = k->type == SOCK_DGRAM ? sn->udp : sn->tcp;
	size_t n = k->type == SOCK_DGRAM ? sn->nudp : sn->ntcp;
	for (size_t j = 0; k->fd >= 0 && j < n; j++)
		if (es[j].inode == k->ino)
			return &es[j];
	for (size_t j = 0; k->has_local && k->has_remote && j < n; j++)
		if (es[j].inode == 0 && same_addr(&es[j].local, &k->local) &&
		    same_addr(&es[j].remote, &k->remote))
			return &es[j];
	return NULL;
}

/* The kernel socket at the other end of script socket i's connection. */
static const observe_entry *peer_entry_of(const run *r, const snap *sn, size_t i)
{
	const rsock *k = &r->socks[i];
	if (!k->has_local || !k->has_remote)
		return NULL;
	const observe_entry *es = k->type == SOCK_DGRAM ? sn->udp : sn->tcp;
	size_t n = k->type == SOCK_DGRAM ? sn->nudp : sn->ntcp;
	for (size_t j = 0; j < n; j++)
		if (same_addr(&es[j].local, &k->remote) && same_addr(&es[j].remote, &k->local))
			return &es[j];
	return NULL;
}

static const char *state_of(const run *r, const snap *sn, size_t i, const observe_entry **ep)
{
	const rsock *k = &r->socks[i];
	const observe_entry *e = entry_of(r, sn, i);
	*ep = e;
	if (e)
		return observe_entry_state_name(e);
	if (k->fd >= 0) {
		if (k->type == SOCK_DGRAM)
			return "UNCONN";
		tcp_state st;
		if (observe_fd_state(k->fd, &st) == 0)
			return observe_state_name(st);
		return "CLOSE";
	}
	return "GONE";
}

static void fill_sock(run_sock *rs, const observe_entry *e)
{
	if (!e)
		return;
	rs->local = e->local;
	rs->remote = e->remote;
	rs->has_remote = observe_port(&e->remote) != 0;
	rs->rq = e->rqueue;
	rs->wq = e->wqueue;
	rs->timer_ms = e->timer ? e->expires_ms : 0;
}

static int listener_actor(const run *r, const observe_entry *e)
{
	for (size_t i = 0; i < r->s->nsocks; i++) {
		const rsock *k = &r->socks[i];
		if (k->fd >= 0 && k->has_local && k->type == SOCK_STREAM &&
		    observe_port(&k->local) == observe_port(&e->local))
			return r->s->socks[i].actor;
	}
	return -1;
}

/* The snapshot an event carries: every socket of the script that exists or existed, then
 * the kernel sockets no descriptor holds yet (named after the script socket they face). */
static void attach_snapshot(run *r, run_event *ev, const snap *sn)
{
	size_t cap = 0;
	const script *s = r->s;
	bool *claimed_tcp = xcalloc(sn->ntcp + 1, sizeof(bool));
	for (size_t i = 0; i < s->nsocks; i++) {
		const rsock *k = &r->socks[i];
		if (!k->opened)
			continue;
		grow_array((void **)&ev->socks, &cap, ev->nsocks, sizeof *ev->socks);
		run_sock *rs = &ev->socks[ev->nsocks++];
		memset(rs, 0, sizeof *rs);
		snprintf(rs->name, sizeof rs->name, "%s", s->socks[i].full);
		rs->sock = (int)i;
		rs->actor = s->socks[i].actor;
		rs->udp = k->type == SOCK_DGRAM;
		const observe_entry *e;
		rs->state = state_of(r, sn, i, &e);
		if (e) {
			fill_sock(rs, e);
			if (!rs->udp)
				claimed_tcp[e - sn->tcp] = true;
			/* a connecting socket has no peer name yet, but the kernel knows it */
			if (!k->has_remote && rs->has_remote && !rs->udp) {
				r->socks[i].remote = e->remote;
				r->socks[i].has_remote = true;
			}
		} else {
			rs->local = k->local;
			rs->remote = k->remote;
			rs->has_remote = k->has_remote;
		}
		rs->listener = strcmp(rs->state, "LISTEN") == 0;
	}
	for (size_t j = 0; j < sn->ntcp; j++) {
		const observe_entry *e = &sn->tcp[j];
		if (claimed_tcp[j] || e->inode != 0)
			continue;
		for (size_t i = 0; i < s->nsocks; i++) {
			const rsock *k = &r->socks[i];
			if (k->type != SOCK_STREAM || !k->has_local || !k->has_remote ||
			    !same_addr(&e->local, &k->remote) || !same_addr(&e->remote, &k->local))
				continue;
			grow_array((void **)&ev->socks, &cap, ev->nsocks, sizeof *ev->socks);
			run_sock *rs = &ev->socks[ev->nsocks++];
			memset(rs, 0, sizeof *rs);
			snprintf(rs->name, sizeof rs->name, "peer:%s", s->socks[i].full);
			rs->sock = -1;
			rs->actor = listener_actor(r, e);
			rs->state = observe_entry_state_name(e);
			fill_sock(rs, e);
			break;
		}
	}
	free(claimed_tcp);
}

static void refresh_addrs(run *r)
{
	for (size_t i = 0; i < r->s->nsocks; i++) {
		rsock *k = &r->socks[i];
		if (k->fd < 0)
			continue;
		struct sockaddr_storage a;
		socklen_t len = sizeof a;
		if (getsockname(k->fd, (struct sockaddr *)&a, &len) == 0 && observe_port(&a)) {
			k->local = a;
			k->has_local = true;
		}
		len = sizeof a;
		if (getpeername(k->fd, (struct sockaddr *)&a, &len) == 0) {
			k->remote = a;
			k->has_remote = true;
		}
	}
}

/* Called after every event: addresses, then the kernel's view. */
static void observe_event(run *r, run_event *ev)
{
	refresh_addrs(r);
	snap sn;
	take_snap(r, &sn);
	attach_snapshot(r, ev, &sn);
	free_snap(&sn);
}

/* ---- expectations ----------------------------------------------------------------------- */

/* Checks the states of an expect or wait step; fills observed ("client.s SYN_SENT, ...")
 * and *first (the state of the first item). Returns true when every one matches. */
static bool check_states(const run *r, const script_step *st, strbuf *expected, strbuf *observed,
			 const char **first)
{
	snap sn;
	take_snap(r, &sn);
	bool ok = true;
	for (size_t i = 0; i < st->nstates; i++) {
		const script_state *ss = &st->states[i];
		const char *name = r->s->socks[ss->sock].full;
		const observe_entry *e = NULL;
		const char *got;
		if (ss->peer) {
			e = peer_entry_of(r, &sn, (size_t)ss->sock);
			got = e ? observe_entry_state_name(e) : "GONE";
		} else {
			got = state_of(r, &sn, (size_t)ss->sock, &e);
		}
		if (i == 0)
			*first = got;
		bool m = strcmp(got, ss->state) == 0;
		if (ss->rq >= 0)
			m = m && e && (long)e->rqueue == ss->rq;
		if (ss->wq >= 0)
			m = m && e && (long)e->wqueue == ss->wq;
		ok = ok && m;
		if (i) {
			strbuf_adds(expected, ", ");
			strbuf_adds(observed, ", ");
		}
		strbuf_addf(expected, "%s%s %s", ss->peer ? "peer:" : "", name, ss->state);
		strbuf_addf(observed, "%s%s %s", ss->peer ? "peer:" : "", name, got);
		if (ss->rq >= 0) {
			strbuf_addf(expected, " rq=%ld", ss->rq);
			strbuf_addf(observed, " rq=%u", e ? e->rqueue : 0);
		}
		if (ss->wq >= 0) {
			strbuf_addf(expected, " wq=%ld", ss->wq);
			strbuf_addf(observed, " wq=%u", e ? e->wqueue : 0);
		}
	}
	free_snap(&sn);
	return ok;
}

static void describe_result(strbuf *sb, long ret, int err, const char *data, size_t n,
			    bool is_data)
{
	if (ret >= 0 && is_data) {
		ct_data_c(sb, data, n);
		return;
	}
	char *t = script_outcome_text(ret, err, NULL, 0, false);
	strbuf_adds(sb, t);
	free(t);
}

static void check_call(run *r, run_event *ev, const script_step *st, const char *data, size_t n)
{
	bool is_data = st->expect == EXP_DATA;
	bool ok;
	strbuf exp = { 0 }, obs = { 0 };
	switch (st->expect) {
	case EXP_NONE:
		return;
	case EXP_RET:
		ok = ev->ret == st->exp_ret;
		strbuf_addf(&exp, "%ld", st->exp_ret);
		break;
	case EXP_ERRNO:
		ok = ev->ret == -1 && ev->err == st->exp_errno;
		strbuf_addf(&exp, "-1 %s", errno_name(st->exp_errno));
		break;
	case EXP_OK:
		ok = ev->ret >= 0;
		strbuf_adds(&exp, ">= 0");
		break;
	case EXP_DATA:
		ok = ev->ret >= 0 && data && n == st->exp_datalen &&
		     memcmp(data, st->exp_data, st->exp_datalen) == 0;
		ct_data_c(&exp, st->exp_data, st->exp_datalen);
		break;
	case EXP_BLOCKS:
	default:
		ok = ev->waited;
		strbuf_adds(&exp, "blocks");
		strbuf_adds(&obs, ev->waited ? "blocks, then " : "returns at once: ");
		break;
	}
	describe_result(&obs, ev->ret, ev->err, data, n, is_data);
	ev->check = ok ? 1 : -1;
	ev->expected = strbuf_take(&exp);
	ev->observed = strbuf_take(&obs);
	if (!ok)
		r->failures++;
}

/* ---- calls -------------------------------------------------------------------------------- */

int run_actor_side(const run *r, int actor)
{
	return r->lab && lab_get_mode(r->lab) == LAB_FULL && actor > 0 ? 1 : 0;
}

/* A bind that presenter mode gives a fixed port: a literal port 0. */
static bool wants_fixed_port(const run *r, const script_step *st)
{
	return r->port_base > 0 && st->op == OP_BIND && st->addr.ref < 0 &&
	       st->addr.port_ref < 0 && st->addr.port == 0;
}

/* The fixed port step st was given (0: none). */
static int fixed_port(const run *r, const script_step *st)
{
	size_t i = (size_t)(st - r->s->steps);
	for (size_t k = 0; k < r->nfx; k++)
		if (r->fx_step[k] == i)
			return r->fx_port[k];
	return 0;
}

static void set_port(struct sockaddr_storage *sa, int port)
{
	if (sa->ss_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
}

/* The address a step names; false (errno set) when a referenced socket has none yet. In
 * the lab a loopback host means the actor's side (dest false) or the other side (dest). */
static bool resolve_addr(const run *r, const script_step *st, bool dest,
			 struct sockaddr_storage *out)
{
	const script_addr *a = &st->addr;
	memset(out, 0, sizeof *out);
	if (a->ref >= 0) {
		const rsock *k = &r->socks[a->ref];
		if (!k->has_local) {
			errno = EDESTADDRREQ;
			return false;
		}
		*out = k->local;
		return true;
	}
	int port = a->port;
	if (a->port_ref >= 0) {
		const rsock *k = &r->socks[a->port_ref];
		if (!k->has_local) {
			errno = EDESTADDRREQ;
			return false;
		}
		port = observe_port(&k->local);
	}
	int fixed = dest ? 0 : fixed_port(r, st);
	if (fixed)
		port = fixed;
	if (r->lab && lab_get_mode(r->lab) == LAB_FULL) {
		int side = run_actor_side(r, st->actor);
		if (!lab_addr(r->lab, dest ? !side : side, a->family, out)) {
			errno = EAFNOSUPPORT;
			return false;
		}
	} else if (a->family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
		in6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, a->host, &in6->sin6_addr);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)out;
		in->sin_family = AF_INET;
		inet_pton(AF_INET, a->host, &in->sin_addr);
	}
	set_port(out, port);
	return true;
}

static int sock_fd(const run *r, int sock)
{
	return sock >= 0 ? r->socks[sock].fd : -1;
}

/* What one attempt of a call produced. */
typedef struct outcome {
	long ret;
	int err;
	bool would_block;	/* EAGAIN/EINPROGRESS on a socket the script sees as blocking */
	bool timed_out;
	struct sockaddr_storage peer;	/* accept, recvfrom */
	bool has_peer;
	const char *data;	/* recv, recvfrom */
	size_t datalen;
	long optval;		/* getsockopt */
	short revents[8];	/* poll */
} outcome;

static bool blocking(const run *r, int sock)
{
	return sock >= 0 && r->socks[sock].blocking;
}

static void recv_buf(run *r, size_t n)
{
	if (r->bufcap < n) {
		free(r->buf);
		r->buf = xmalloc(n);
		r->bufcap = n;
	}
}

static void opt_value(const script_step *st, void *buf, socklen_t *len, int *level, int *name)
{
	switch (st->opt) {
	case OPT_SO_REUSEADDR: *level = SOL_SOCKET; *name = SO_REUSEADDR; break;
	case OPT_SO_RCVBUF: *level = SOL_SOCKET; *name = SO_RCVBUF; break;
	case OPT_SO_SNDBUF: *level = SOL_SOCKET; *name = SO_SNDBUF; break;
	case OPT_SO_KEEPALIVE: *level = SOL_SOCKET; *name = SO_KEEPALIVE; break;
	case OPT_SO_ERROR: *level = SOL_SOCKET; *name = SO_ERROR; break;
	case OPT_SO_TYPE: *level = SOL_SOCKET; *name = SO_TYPE; break;
	case OPT_TCP_NODELAY: *level = IPPROTO_TCP; *name = TCP_NODELAY; break;
	case OPT_TCP_DEFER_ACCEPT: *level = IPPROTO_TCP; *name = TCP_DEFER_ACCEPT; break;
	case OPT_SO_LINGER: {
		struct linger l = { .l_onoff = st->linger_on, .l_linger = (int)st->num };
		*level = SOL_SOCKET;
		*name = SO_LINGER;
		memcpy(buf, &l, sizeof l);
		*len = sizeof l;
		return;
	}
	case OPT_SO_RCVTIMEO: {
		struct timeval tv = { .tv_sec = st->num / 1000, .tv_usec = (st->num % 1000) * 1000 };
		*level = SOL_SOCKET;
		*name = SO_RCVTIMEO;
		memcpy(buf, &tv, sizeof tv);
		*len = sizeof tv;
		return;
	}
	}
	int v = (int)st->num;
	memcpy(buf, &v, sizeof v);
	*len = sizeof v;
}

/* A descriptor socket() or accept() returned becomes script socket k: blocking as far as
 * the script is concerned, as every new socket is. */
static void adopt_fd(rsock *k, int fd, int family, int type)
{
	struct stat sb;
	k->fd = fd;
	k->opened = true;
	k->family = family;
	k->type = type;
	k->blocking = true;
	k->timeout_ms = -1;
	k->ino = fstat(fd, &sb) == 0 ? sb.st_ino : 0;
}

/* The room a C program gives the address a call returns: a struct sockaddr_in or
 * sockaddr_in6 for the socket's family (so that strace shows what such a program shows). */
static socklen_t addr_room(const rsock *k)
{
	return k && k->family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* bind() to the next fixed port (the base plus the bind's place among the script's binds to
 * port 0); when it is taken, to one of the next 15, or at last to port 0. */
static int bind_fixed(run *r, const script_step *st, int fd, struct sockaddr_storage *sa)
{
	int want = r->port_base + (int)r->nfx, got = 0, ret = -1, e = 0;
	for (int k = 0; k < 16 && want + k <= 65535; k++) {
		set_port(sa, want + k);
		ret = bind(fd, (struct sockaddr *)sa, ct_sa_len(sa));
		e = errno;
		if (ret == 0 || e != EADDRINUSE) {
			got = want + k;
			break;
		}
	}
	if (!got) {
		set_port(sa, 0);
		ret = bind(fd, (struct sockaddr *)sa, ct_sa_len(sa));
		e = errno;
	}
	size_t cap = r->fxcap;
	grow_array((void **)&r->fx_step, &r->fxcap, r->nfx, sizeof *r->fx_step);
	if (cap != r->fxcap)
		r->fx_port = xrealloc(r->fx_port, r->fxcap * sizeof *r->fx_port);
	r->fx_step[r->nfx] = (size_t)(st - r->s->steps);
	r->fx_port[r->nfx++] = got;
	if (got != want) {
		r->moved_want = want;
		r->moved_got = got;
	}
	errno = e;
	return ret;
}

void run_set_port_base(run *r, int base)
{
	r->port_base = base;
}

bool run_port_moved(const run *r, int *wanted, int *got)
{
	*wanted = r->moved_want;
	*got = r->moved_got;
	return r->moved_want != 0;
}

/* listen() and sendto() on a socket never bound bind it first, as the kernel does, to the
 * wildcard address (0.0.0.0 or ::) and a port: every machine that can reach this one could
 * then connect or send to it. So that demos stay on loopback however a script is written,
 * such a socket is bound to the loopback device first (SO_BINDTODEVICE, allowed without
 * privileges since Linux 5.7): the kernel still makes its implicit bind, which the demo
 * shows as it is (getsockname() says 0.0.0.0), but only loopback traffic reaches it. In the
 * packet lab the socket lives in a private namespace and needs nothing. Returns 0, or -1
 * with errno set when the socket could not be kept on loopback: the call is not made. */
static int keep_on_loopback(const run *r, int fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof sa;
	if (r->lab || fd < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) < 0 ||
	    (sa.ss_family != AF_INET && sa.ss_family != AF_INET6) ||
	    ((struct sockaddr_in *)&sa)->sin_port != 0)
		return 0;
	static const char lo[] = "lo";
	return setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, lo, sizeof lo - 1);
}

/* Makes the call once. p is the actor's pending record (sendall progress lives there). */
static void attempt(run *r, const script_step *st, pending *p, outcome *o)
{
	rsock *k = st->sock >= 0 ? &r->socks[st->sock] : NULL;
	int fd = sock_fd(r, st->sock);
	struct sockaddr_storage sa;
	socklen_t len;
	errno = 0;
	memset(o, 0, sizeof *o);
	o->ret = 0;

	switch (st->op) {
	case OP_SOCKET: {
		int nfd = r->lab ? lab_socket(r->lab, run_actor_side(r, st->actor), st->family,
					      st->type | SOCK_NONBLOCK, 0) :
			  socket(st->family, st->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		o->ret = nfd;
		if (nfd >= 0)
			adopt_fd(&r->socks[st->result], nfd, st->family, st->type);
		break;
	}
	case OP_BIND:
		if (!resolve_addr(r, st, false, &sa))
			o->ret = -1;
		else if (wants_fixed_port(r, st) && fd >= 0)
			o->ret = bind_fixed(r, st, fd, &sa);
		else
			o->ret = bind(fd, (struct sockaddr *)&sa, ct_sa_len(&sa));
		break;
	case OP_LISTEN:
		o->ret = keep_on_loopback(r, fd) < 0 ? -1 : listen(fd, (int)st->num);
		break;
	case OP_ACCEPT: {
		len = addr_room(k);
		int nfd = accept4(fd, (struct sockaddr *)&o->peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		o->ret = nfd;
		o->has_peer = nfd >= 0;
		if (nfd >= 0)
			adopt_fd(&r->socks[st->result], nfd, k->family, k->type);
		break;
	}
	case OP_CONNECT:
		if (p->active) {
			/* the connection attempt finished: its result is in SO_ERROR */
			int e = 0;
			len = sizeof e;
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
			o->ret = e ? -1 : 0;
			errno = e;
		} else if (!resolve_addr(r, st, true, &sa)) {
			o->ret = -1;
		} else {
			o->ret = connect(fd, (struct sockaddr *)&sa, ct_sa_len(&sa));
		}
		break;
	case OP_SEND:
	case OP_SENDALL: {
		/* A blocking send() returns only when all of it is queued; so does sendall() */
		bool loop = st->op == OP_SENDALL || blocking(r, st->sock);
		for (;;) {
			ssize_t n = send(fd, st->data + p->sent, st->datalen - p->sent, 0);
			if (n < 0) {
				o->ret = -1;
				break;
			}
			p->sent += (size_t)n;
			o->ret = (long)p->sent;
			if (!loop || p->sent == st->datalen)
				break;
		}
		break;
	}
	case OP_RECV: {
		recv_buf(r, (size_t)st->num);
		ssize_t n = recv(fd, r->buf, (size_t)st->num, 0);
		o->ret = n;
		if (n >= 0) {
			o->data = r->buf;
			o->datalen = (size_t)n;
		}
		break;
	}
	case OP_SENDTO:
		if (!resolve_addr(r, st, true, &sa) || keep_on_loopback(r, fd) < 0)
			o->ret = -1;
		else
			o->ret = sendto(fd, st->data, st->datalen, 0, (struct sockaddr *)&sa, ct_sa_len(&sa));
		break;
	case OP_RECVFROM: {
		recv_buf(r, (size_t)st->num);
		len = addr_room(k);
		ssize_t n = recvfrom(fd, r->buf, (size_t)st->num, 0, (struct sockaddr *)&o->peer, &len);
		o->ret = n;
		if (n >= 0) {
			o->data = r->buf;
			o->datalen = (size_t)n;
			o->has_peer = true;
		}
		break;
	}
	case OP_SHUTDOWN:
		o->ret = shutdown(fd, (int)st->num);
		break;
	case OP_CLOSE:
		o->ret = close(fd);
		k->fd = -1;
		k->closed = true;
		break;
	case OP_SETSOCKOPT: {
		char buf[32];
		int level, name;
		opt_value(st, buf, &len, &level, &name);
		o->ret = setsockopt(fd, level, name, buf, len);
		if (o->ret == 0 && st->opt == OPT_SO_RCVTIMEO)
			k->rcvtimeo_ms = st->num;
		break;
	}
	case OP_GETSOCKOPT: {
		char buf[32];
		int level, name, v = 0;
		opt_value(st, buf, &len, &level, &name);
		len = sizeof v;
		o->ret = getsockopt(fd, level, name, &v, &len);
		o->optval = v;
		break;
	}
	case OP_SETTIMEOUT:
	case OP_SETBLOCKING: {
		/* The descriptor stays O_NONBLOCK (the program waits in poll(), as Python does
		 * for a timeout); the script's blocking mode decides how its calls behave. */
		int fl = fcntl(fd, F_GETFL);
		o->ret = fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
		if (o->ret == 0) {
			/* settimeout(0) is setblocking(False); settimeout(None) setblocking(True) */
			k->blocking = st->num != 0;
			k->timeout_ms = st->op == OP_SETTIMEOUT ? st->num : -1;
		}
		break;
	}
	case OP_GETSOCKNAME:
	case OP_GETPEERNAME:
		len = addr_room(k);
		o->ret = (st->op == OP_GETSOCKNAME ? getsockname : getpeername)(
			fd, (struct sockaddr *)&o->peer, &len);
		o->has_peer = o->ret == 0;
		break;
	case OP_POLL: {
		struct pollfd pf[8];
		size_t n = st->npolls < 8 ? st->npolls : 8;
		for (size_t i = 0; i < n; i++) {
			pf[i].fd = sock_fd(r, st->polls[i]);
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		o->ret = poll(pf, n, 0);
		for (size_t i = 0; i < n; i++)
			o->revents[i] = pf[i].revents;
		if (o->ret == 0 && st->num != 0) {
			o->would_block = true;
			return;
		}
		break;
	}
	case OP_HTONS: {
		/* a library call, no syscall: the value and the bytes it is stored as */
		uint16_t v = htons((uint16_t)st->num);
		recv_buf(r, sizeof v);
		memcpy(r->buf, &v, sizeof v);
		o->ret = v;
		o->data = r->buf;
		o->datalen = sizeof v;
		break;
	}
	case OP_INET_PTON:
		recv_buf(r, sizeof(struct in6_addr));
		o->ret = inet_pton(st->family, st->data, r->buf);
		if (o->ret == 1) {
			o->data = r->buf;
			o->datalen = st->family == AF_INET6 ? sizeof(struct in6_addr) :
							      sizeof(struct in_addr);
		}
		break;
	case OP_WAIT_TIME:
	case OP_WAIT_STATE:
	case OP_EXPECT:
	case OP_WIRE:
	case OP_EXPECT_PACKETS:
		break;
	}
	o->err = o->ret < 0 ? errno : 0;
	if (o->ret < 0 && (o->err == EAGAIN || o->err == EINPROGRESS || o->err == EALREADY) &&
	    blocking(r, st->sock) && st->op != OP_SOCKET)
		o->would_block = true;
}

/* ---- strace's view ------------------------------------------------------------------------- */

#define TRACE_STRLEN 32		/* what strace shows of a string by default (its -s) */

/* Bytes as strace quotes them: C escapes for \t \n \v \f \r " \, octal for other bytes
 * outside printable ASCII (three digits when an octal digit follows), "..." after the
 * closing quote when cut. */
static void trace_str(strbuf *sb, const char *d, size_t n)
{
	size_t max = n < TRACE_STRLEN ? n : TRACE_STRLEN;
	strbuf_addc(sb, '"');
	for (size_t i = 0; i < max; i++) {
		unsigned char c = (unsigned char)d[i];
		const char *esc = c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\v' ? "\\v" :
				  c == '\f' ? "\\f" : c == '\r' ? "\\r" : c == '"' ? "\\\"" :
				  c == '\\' ? "\\\\" : NULL;
		if (esc)
			strbuf_adds(sb, esc);
		else if (c >= 0x20 && c < 0x7f)
			strbuf_addc(sb, (char)c);
		else if (i + 1 < n && d[i + 1] >= '0' && d[i + 1] <= '7')
			strbuf_addf(sb, "\\%03o", c);
		else
			strbuf_addf(sb, "\\%o", c);
	}
	strbuf_addc(sb, '"');
	if (n > max)
		strbuf_adds(sb, "...");
}

static void trace_sa(strbuf *sb, const struct sockaddr_storage *a)
{
	char host[INET6_ADDRSTRLEN];
	ct_host_of(a, host, sizeof host);
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)a;
		strbuf_addf(sb, "{sa_family=AF_INET6, sin6_port=htons(%u), sin6_flowinfo=htonl(%u), "
			    "inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%u}",
			    observe_port(a), (unsigned)ntohl(s6->sin6_flowinfo), host,
			    (unsigned)s6->sin6_scope_id);
	} else {
		strbuf_addf(sb, "{sa_family=AF_INET, sin_port=htons(%u), sin_addr=inet_addr(\"%s\")}",
			    observe_port(a), host);
	}
}

/* An address the kernel fills in, with its length: "{...}, [16]"; the buffer's address when
 * the call failed (strace prints the pointer it cannot decode). */
static void trace_sa_out(strbuf *sb, const struct sockaddr_storage *a, bool known, int family,
			 bool done)
{
	if (known)
		trace_sa(sb, a);
	else if (done)
		strbuf_addf(sb, "%p", (const void *)a);
	strbuf_addf(sb, ", [%u]", known ? (unsigned)ct_sa_len(a) :
		    family == AF_INET6 ? (unsigned)sizeof(struct sockaddr_in6) :
		    (unsigned)sizeof(struct sockaddr_in));
}

static void trace_poll_bits(strbuf *sb, short ev)
{
	static const struct { short bit; const char *name; } bits[] = {
		{ POLLIN, "POLLIN" }, { POLLPRI, "POLLPRI" }, { POLLOUT, "POLLOUT" },
		{ POLLERR, "POLLERR" }, { POLLHUP, "POLLHUP" }, { POLLNVAL, "POLLNVAL" },
		{ POLLRDHUP, "POLLRDHUP" },
	};
	bool first = true;
	for (size_t i = 0; i < sizeof bits / sizeof *bits; i++)
		if (ev & bits[i].bit) {
			strbuf_addf(sb, "%s%s", first ? "" : "|", bits[i].name);
			first = false;
		}
}

/* ev->trace, ev->trace_split and ev->trace_ret for a call on descriptor fd; sa is the
 * address argument of bind, connect or sendto (NULL when it has none). */
static void trace_texts(const run *r, const script_step *st, const outcome *o, bool done,
			int fd, const struct sockaddr_storage *sa, run_event *ev)
{
	strbuf t = { 0 }, tr = { 0 };
	size_t split = SIZE_MAX;	/* SIZE_MAX: the whole line, the call never waits */
	int family = st->sock >= 0 ? r->socks[st->sock].family : st->family;
	bool ok = done && o->ret >= 0;
	if (st->op == OP_HTONS || st->op == OP_INET_PTON) {
		ev->trace = NULL;	/* computed in the process: strace sees nothing */
		ev->trace_ret = NULL;
		return;
	}
	switch (st->op) {
	case OP_SOCKET:
		strbuf_addf(&t, "socket(%s, %s, IPPROTO_IP)",
			    st->family == AF_INET6 ? "AF_INET6" : "AF_INET",
			    st->type == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM");
		break;
	case OP_BIND:
	case OP_CONNECT:
	case OP_SENDTO:
		if (st->op == OP_SENDTO) {
			strbuf_addf(&t, "sendto(%d, ", fd);
			trace_str(&t, st->data, st->datalen);
			strbuf_addf(&t, ", %zu, 0, ", st->datalen);
		} else {
			strbuf_addf(&t, "%s(%d, ", st->op == OP_BIND ? "bind" : "connect", fd);
		}
		if (sa)
			trace_sa(&t, sa);
		else
			strbuf_adds(&t, "NULL");
		strbuf_addf(&t, ", %u)", sa ? (unsigned)ct_sa_len(sa) : 0);
		split = t.len - 1;
		break;
	case OP_LISTEN:
		strbuf_addf(&t, "listen(%d, %ld)", fd, st->num);
		break;
	case OP_ACCEPT:
		strbuf_addf(&t, "accept(%d, ", fd);
		split = t.len;
		trace_sa_out(&t, &o->peer, ok && o->has_peer, family, done);
		strbuf_adds(&t, ")");
		break;
	case OP_SEND:
	case OP_SENDALL:
		strbuf_addf(&t, "sendto(%d, ", fd);
		trace_str(&t, st->data, st->datalen);
		strbuf_addf(&t, ", %zu, 0, NULL, 0)", st->datalen);
		split = t.len - 1;
		break;
	case OP_RECV:
	case OP_RECVFROM:
		strbuf_addf(&t, "recvfrom(%d, ", fd);
		split = t.len;
		if (ok)
			trace_str(&t, o->data, o->datalen);
		else if (done)
			strbuf_addf(&t, "%p", (const void *)r->buf);
		strbuf_addf(&t, ", %ld, 0, ", st->num);
		if (st->op == OP_RECV) {
			strbuf_adds(&t, "NULL, NULL)");
		} else {
			trace_sa_out(&t, &o->peer, ok && o->has_peer, family, done);
			strbuf_adds(&t, ")");
		}
		break;
	case OP_SHUTDOWN:
		strbuf_addf(&t, "shutdown(%d, %s)", fd, st->num == SHUT_RD ? "SHUT_RD" :
			    st->num == SHUT_WR ? "SHUT_WR" : "SHUT_RDWR");
		break;
	case OP_CLOSE:
		strbuf_addf(&t, "close(%d)", fd);
		break;
	case OP_SETSOCKOPT:
	case OP_GETSOCKOPT: {
		char buf[32];
		socklen_t len;
		int level, name;
		opt_value(st, buf, &len, &level, &name);
		const char *on = st->opt == OPT_SO_RCVTIMEO ? "SO_RCVTIMEO_OLD" : script_opt_name(st->opt);
		strbuf_addf(&t, "%s(%d, %s, %s, ", st->op == OP_SETSOCKOPT ? "setsockopt" : "getsockopt",
			    fd, level == SOL_SOCKET ? "SOL_SOCKET" : "SOL_TCP", on);
		if (st->op == OP_GETSOCKOPT) {
			const char *en = st->opt == OPT_SO_ERROR && o->optval ? errno_name((int)o->optval) : NULL;
			if (ok && en)
				strbuf_addf(&t, "[%s], [4])", en);
			else if (ok)
				strbuf_addf(&t, "[%ld], [4])", o->optval);
			else
				strbuf_adds(&t, "?, [4])");
		} else if (st->opt == OPT_SO_LINGER) {
			strbuf_addf(&t, "{l_onoff=%d, l_linger=%ld}, %u)", st->linger_on, st->num,
				    (unsigned)len);
		} else if (st->opt == OPT_SO_RCVTIMEO) {
			trace_str(&t, buf, len);
			strbuf_addf(&t, ", %u)", (unsigned)len);
		} else {
			strbuf_addf(&t, "[%ld], %u)", st->num, (unsigned)len);
		}
		break;
	}
	case OP_SETTIMEOUT:
	case OP_SETBLOCKING: {
		bool nb = st->op == OP_SETTIMEOUT ? st->num >= 0 : !st->num;
		strbuf_addf(&t, "fcntl(%d, F_SETFL, %s)", fd, nb ? "O_RDWR|O_NONBLOCK" : "O_RDWR");
		break;
	}
	case OP_GETSOCKNAME:
	case OP_GETPEERNAME:
		strbuf_addf(&t, "%s(%d, ", st->op == OP_GETSOCKNAME ? "getsockname" : "getpeername", fd);
		trace_sa_out(&t, &o->peer, ok && o->has_peer, family, done);
		strbuf_adds(&t, ")");
		break;
	case OP_POLL:
		strbuf_adds(&t, "poll([");
		for (size_t i = 0; i < st->npolls && i < 8; i++)
			strbuf_addf(&t, "%s{fd=%d, events=POLLIN}", i ? ", " : "", sock_fd(r, st->polls[i]));
		strbuf_addf(&t, "], %zu, %ld)", st->npolls, st->num);
		split = t.len - 1;
		break;
	default:
		break;
	}
	if (done) {
		if (o->ret < 0) {
			const char *name = errno_name(o->err);
			strbuf_addf(&tr, "= -1 %s (%s)", name ? name : "E?", strerror(o->err));
		} else {
			strbuf_addf(&tr, "= %ld", o->ret);
		}
		if (st->op == OP_POLL && o->ret == 0) {
			strbuf_adds(&tr, " (Timeout)");
		} else if (st->op == OP_POLL && o->ret > 0) {
			strbuf_adds(&tr, " ([");
			bool first = true;
			for (size_t i = 0; i < st->npolls && i < 8; i++) {
				if (!o->revents[i])
					continue;
				strbuf_addf(&tr, "%s{fd=%d, revents=", first ? "" : ", ",
					    sock_fd(r, st->polls[i]));
				trace_poll_bits(&tr, o->revents[i]);
				strbuf_adds(&tr, "}");
				first = false;
			}
			strbuf_adds(&tr, "])");
		}
	}
	ev->trace_split = split == SIZE_MAX ? t.len : split;
	ev->trace = strbuf_take(&t);
	ev->trace_ret = done ? strbuf_take(&tr) : NULL;
	strbuf_free(&tr);
}

/* ---- call texts ---------------------------------------------------------------------------- */

static void call_texts(const run *r, const script_step *st, const outcome *o, bool done,
		       run_event *ev)
{
	strbuf c = { 0 }, py = { 0 }, cr = { 0 }, pr = { 0 };
	int fd = sock_fd(r, st->sock);
	const char *nm = st->sock >= 0 ? pyname(r, st->sock) : "";
	struct sockaddr_storage sa;
	bool have_sa = (st->op == OP_BIND || st->op == OP_CONNECT || st->op == OP_SENDTO) &&
		       resolve_addr(r, st, st->op != OP_BIND, &sa);

	switch (st->op) {
	case OP_SOCKET:
		strbuf_addf(&c, "socket(%s, %s, 0)", st->family == AF_INET6 ? "AF_INET6" : "AF_INET",
			    st->type == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM");
		strbuf_addf(&py, "%s = socket.socket(socket.%s, socket.%s)",
			    r->s->socks[st->result].name,
			    st->family == AF_INET6 ? "AF_INET6" : "AF_INET",
			    st->type == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM");
		break;
	case OP_BIND:
	case OP_CONNECT:
		strbuf_addf(&c, "%s(%d, ", st->op == OP_BIND ? "bind" : "connect", fd);
		ct_sa_in_c(&c, &sa, have_sa);
		strbuf_addf(&py, "%s.%s(", nm, st->op == OP_BIND ? "bind" : "connect");
		if (have_sa)
			ct_sa_py(&py, &sa, false);
		strbuf_adds(&py, ")");
		break;
	case OP_LISTEN:
		strbuf_addf(&c, "listen(%d, %ld)", fd, st->num);
		strbuf_addf(&py, "%s.listen(%ld)", nm, st->num);
		break;
	case OP_ACCEPT:
		strbuf_addf(&c, "accept(%d, ", fd);
		ct_sa_out_c(&c, &o->peer, done && o->has_peer);
		strbuf_addf(&py, "%s, addr = %s.accept()", r->s->socks[st->result].name, nm);
		if (done && o->has_peer) {
			strbuf_adds(&pr, "addr = ");
			ct_sa_py(&pr, &o->peer, true);
		}
		break;
	case OP_SEND:
	case OP_SENDALL:
		strbuf_addf(&c, "send(%d, ", fd);
		ct_data_c(&c, st->data, st->datalen);
		strbuf_addf(&c, ", %zu, 0)", st->datalen);
		strbuf_addf(&py, "%s.%s(", nm, st->op == OP_SEND ? "send" : "sendall");
		add_arg_data_py(&py, st);
		strbuf_adds(&py, ")");
		if (done && o->ret >= 0)
			strbuf_addf(&pr, st->op == OP_SEND ? "%ld" : "None", o->ret);
		break;
	case OP_RECV:
		strbuf_addf(&c, "recv(%d, ", fd);
		if (done && o->ret >= 0)
			ct_data_c(&c, o->data, o->datalen);
		else
			strbuf_adds(&c, "buf");
		strbuf_addf(&c, ", %ld, 0)", st->num);
		strbuf_addf(&py, "data = %s.recv(%ld)", nm, st->num);
		if (done && o->ret >= 0)
			ct_data_py(&pr, o->data, o->datalen);
		break;
	case OP_SENDTO:
		strbuf_addf(&c, "sendto(%d, ", fd);
		ct_data_c(&c, st->data, st->datalen);
		strbuf_addf(&c, ", %zu, 0, ", st->datalen);
		ct_sa_in_c(&c, &sa, have_sa);
		strbuf_addf(&py, "%s.sendto(", nm);
		add_arg_data_py(&py, st);
		strbuf_adds(&py, ", ");
		if (have_sa)
			ct_sa_py(&py, &sa, false);
		strbuf_adds(&py, ")");
		if (done && o->ret >= 0)
			strbuf_addf(&pr, "%ld", o->ret);
		break;
	case OP_RECVFROM:
		strbuf_addf(&c, "recvfrom(%d, ", fd);
		if (done && o->ret >= 0)
			ct_data_c(&c, o->data, o->datalen);
		else
			strbuf_adds(&c, "buf");
		strbuf_addf(&c, ", %ld, 0, ", st->num);
		ct_sa_out_c(&c, &o->peer, done && o->has_peer);
		strbuf_addf(&py, "data, addr = %s.recvfrom(%ld)", nm, st->num);
		if (done && o->ret >= 0) {
			strbuf_adds(&pr, "(");
			ct_data_py(&pr, o->data, o->datalen);
			strbuf_adds(&pr, ", ");
			ct_sa_py(&pr, &o->peer, true);
			strbuf_adds(&pr, ")");
		}
		break;
	case OP_SHUTDOWN: {
		const char *how = st->num == SHUT_RD ? "SHUT_RD" : st->num == SHUT_WR ? "SHUT_WR" : "SHUT_RDWR";
		strbuf_addf(&c, "shutdown(%d, %s)", fd, how);
		strbuf_addf(&py, "%s.shutdown(socket.%s)", nm, how);
		break;
	}
	case OP_CLOSE:
		break;	/* written by the caller, which knows the number that was closed */
	case OP_SETSOCKOPT: {
		const char *on = script_opt_name(st->opt), *lv = script_opt_level(st->opt);
		strbuf_addf(&c, "setsockopt(%d, %s, %s, ", fd, lv, on);
		strbuf_addf(&py, "%s.setsockopt(socket.%s, socket.%s, ", nm, lv, on);
		if (st->opt == OPT_SO_LINGER) {
			strbuf_addf(&c, "{l_onoff=%d, l_linger=%ld}, %zu)", st->linger_on, st->num,
				    sizeof(struct linger));
			strbuf_addf(&py, "struct.pack('ii', %d, %ld))", st->linger_on, st->num);
		} else if (st->opt == OPT_SO_RCVTIMEO) {
			strbuf_addf(&c, "{tv_sec=%ld, tv_usec=%ld}, %zu)", st->num / 1000,
				    (st->num % 1000) * 1000, sizeof(struct timeval));
			strbuf_addf(&py, "struct.pack('ll', %ld, %ld))", st->num / 1000,
				    (st->num % 1000) * 1000);
		} else {
			strbuf_addf(&c, "[%ld], 4)", st->num);
			strbuf_addf(&py, "%ld)", st->num);
		}
		break;
	}
	case OP_GETSOCKOPT: {
		const char *on = script_opt_name(st->opt), *lv = script_opt_level(st->opt);
		if (done && o->ret == 0)
			strbuf_addf(&c, "getsockopt(%d, %s, %s, [%ld], [4])", fd, lv, on, o->optval);
		else
			strbuf_addf(&c, "getsockopt(%d, %s, %s, &val, &len)", fd, lv, on);
		strbuf_addf(&py, "%s.getsockopt(socket.%s, socket.%s)", nm, lv, on);
		if (done && o->ret == 0)
			strbuf_addf(&pr, "%ld", o->optval);
		break;
	}
	case OP_SETTIMEOUT:
		strbuf_addf(&c, "fcntl(%d, F_SETFL, %s)", fd, st->num < 0 ? "O_RDWR" : "O_RDWR|O_NONBLOCK");
		if (st->num > 0)
			strbuf_addf(&c, "  /* then poll() %ld ms before each call */", st->num);
		if (st->num < 0)
			strbuf_addf(&py, "%s.settimeout(None)", nm);
		else
			strbuf_addf(&py, "%s.settimeout(%g)", nm, (double)st->num / 1000.0);
		break;
	case OP_SETBLOCKING:
		strbuf_addf(&c, "fcntl(%d, F_SETFL, %s)", fd, st->num ? "O_RDWR" : "O_RDWR|O_NONBLOCK");
		strbuf_addf(&py, "%s.setblocking(%s)", nm, st->num ? "True" : "False");
		break;
	case OP_GETSOCKNAME:
	case OP_GETPEERNAME: {
		const char *call = st->op == OP_GETSOCKNAME ? "getsockname" : "getpeername";
		strbuf_addf(&c, "%s(%d, ", call, fd);
		ct_sa_out_c(&c, &o->peer, done && o->has_peer);
		if (done && o->has_peer)
			ct_sa_py(&pr, &o->peer, true);
		strbuf_addf(&py, "%s.%s()", nm, call);
		break;
	}
	case OP_POLL: {
		strbuf_adds(&c, "poll([");
		strbuf_adds(&py, "p.poll(");
		for (size_t i = 0; i < st->npolls && i < 8; i++) {
			int pfd = sock_fd(r, st->polls[i]);
			if (done && o->revents[i])
				strbuf_addf(&c, "%s{fd=%d, revents=%s}", i ? ", " : "", pfd,
					    o->revents[i] & POLLIN ? "POLLIN" :
					    o->revents[i] & POLLHUP ? "POLLHUP" : "POLLERR");
			else
				strbuf_addf(&c, "%s{fd=%d, events=POLLIN}", i ? ", " : "", pfd);
		}
		strbuf_addf(&c, "], %zu, %ld)", st->npolls, st->num);
		strbuf_addf(&py, "%ld)  # ", st->num);
		for (size_t i = 0; i < st->npolls; i++)
			strbuf_addf(&py, "%s%s", i ? ", " : "", pyname(r, st->polls[i]));
		strbuf_adds(&py, " registered for POLLIN");
		if (done && o->ret >= 0) {
			strbuf_adds(&pr, "[");
			bool first = true;
			for (size_t i = 0; i < st->npolls && i < 8; i++) {
				if (!o->revents[i])
					continue;
				strbuf_addf(&pr, "%s(%d, %d)", first ? "" : ", ", sock_fd(r, st->polls[i]),
					    o->revents[i]);
				first = false;
			}
			strbuf_adds(&pr, "]");
		}
		break;
	}
	case OP_HTONS:
		strbuf_addf(&c, "htons(%ld)", st->num);
		strbuf_addf(&py, "struct.pack('!H', %ld)", st->num);
		if (done)
			ct_data_py_all(&pr, o->data, o->datalen);
		break;
	case OP_INET_PTON: {
		const char *fam = st->family == AF_INET6 ? "AF_INET6" : "AF_INET";
		strbuf_addf(&c, "inet_pton(%s, ", fam);
		ct_data_c(&c, st->data, st->datalen);
		strbuf_adds(&c, ", buf)");
		strbuf_addf(&py, "socket.inet_pton(socket.%s, '%s')", fam, st->data);
		if (done && o->ret == 1)
			ct_data_py_all(&pr, o->data, o->datalen);
		else if (done && o->ret == 0)
			strbuf_adds(&pr, "OSError: illegal IP address string passed to inet_pton");
		break;
	}
	default:
		break;
	}

	if (done) {
		strbuf_adds(&cr, "= ");
		describe_result(&cr, o->ret, o->err, NULL, 0, false);
		if ((st->op == OP_HTONS || st->op == OP_INET_PTON) && o->data) {
			/* the bytes in memory, in the order they are stored */
			strbuf_adds(&cr, st->op == OP_HTONS ? "  /* " : "  /* buf: ");
			ct_hex(&cr, o->data, o->datalen, o->datalen);
			strbuf_adds(&cr, " */");
		}
		if (o->ret < 0 && o->timed_out)
			strbuf_adds(&pr, "TimeoutError: timed out");
		else if (o->ret < 0)
			strbuf_addf(&pr, "%s: [Errno %d] %s", errno_python(o->err), o->err,
				    strerrordesc_np(o->err));
	}
	trace_texts(r, st, o, done, fd, have_sa ? &sa : NULL, ev);
	ev->c = strbuf_take(&c);
	ev->py = strbuf_take(&py);
	ev->c_ret = done ? strbuf_take(&cr) : NULL;
	ev->py_ret = pr.len ? strbuf_take(&pr) : NULL;
	strbuf_free(&cr);
	strbuf_free(&pr);
}

/* ---- the packet lab ------------------------------------------------------------------------- */

static const char *const wire_names[] = { "hold", "pass", "deliver", "drop", "duplicate", "swap",
					  "delay" };

const char *run_wire_name(script_wire op)
{
	return (size_t)op < ARRAY_SIZE(wire_names) ? wire_names[op] : "?";
}

/* Whether a TCP segment repeats sequence space that a segment seen before it (on the wire,
 * not necessarily delivered before it: an overtaken segment is no retransmission) carried. */
static void mark_seq(run *r, run_event *ev, double seen)
{
	const pkt *p = ev->pkt;
	uint32_t span = (uint32_t)p->payload_len + ((p->flags & PKT_SYN) != 0) +
			((p->flags & PKT_FIN) != 0);
	if (!span)
		return;
	uint32_t end = ev->rel.rel_seq + span;
	seqmark *m = NULL;
	for (size_t i = 0; i < r->nmarks && !m; i++)
		if (r->marks[i].conn == ev->rel.conn &&
		    r->marks[i].from_initiator == ev->rel.from_initiator)
			m = &r->marks[i];
	if (!m) {
		grow_array((void **)&r->marks, &r->markcap, r->nmarks, sizeof *r->marks);
		m = &r->marks[r->nmarks++];
		*m = (seqmark){ ev->rel.conn, ev->rel.from_initiator, end, seen, ev->id };
		return;
	}
	if ((int32_t)(end - m->end) <= 0) {
		if (ev->id > m->id) {
			ev->retrans = true;
			ev->retrans_ms = seen - m->t;
		}
	} else {
		m->end = end;
		m->t = seen;
		m->id = ev->id;
	}
}

static void packet_event(run *r, lab_packet *lp)
{
	run_event *ev = new_event(r, EV_PACKET, -1);
	ev->from = lp->from;
	ev->fate = lp->fate;
	ev->id = lp->id;
	ev->bytes = lp->data;
	ev->nbytes = lp->len;
	ev->ms = lp->t_out - lp->t_seen;
	ev->at = lp->t_seen - r->t_start;
	pkt *p = xcalloc(1, sizeof *p);
	const char *why;
	if (pkt_decode(lp->data, lp->len, p, &why) < 0) {
		free(p);
		ev->c = xasprintf("(%zu bytes: %s)", lp->len, why);
	} else {
		ev->pkt = p;
		if (p->proto == PKT_TCP) {
			pkt_flows_track(r->flows, p, &ev->rel);
			mark_seq(r, ev, lp->t_seen);
		}
		bool tcp = p->proto == PKT_TCP;
		ev->c = pkt_describe(p, tcp ? &ev->rel : NULL, false);
		ev->abs = pkt_describe(p, NULL, true);
	}
	r->wire_t = lp->t_out;
	observe_event(r, ev);
}

/* Moves the wire's due packets, one event each. */
static int progress_lab(run *r, double now)
{
	if (!r->lab)
		return 0;
	int n = 0;
	lab_packet lp;
	while (lab_next(r->lab, now, &lp) == 1) {
		packet_event(r, &lp);
		n++;
		now = run_clock_ms();
	}
	return n;
}

static const lab_wire_op wire_ops[] = { WIRE_HOLD, WIRE_PASS, WIRE_DELIVER, WIRE_DROP,
					WIRE_DUPLICATE, WIRE_SWAP, WIRE_DELAY };

/* A script's delivery: the wire is read, waiting up to DELIVER_WAIT_MS, until a packet to
 * deliver is held. */
static bool deliver_arrived(run *r, unsigned arg)
{
	double until = run_clock_ms() + DELIVER_WAIT_MS;
	for (;;) {
		progress_lab(r, run_clock_ms());
		if (lab_wire(r->lab, WIRE_DELIVER, arg, run_clock_ms()))
			return true;
		double left = until - run_clock_ms();
		if (left <= 0)
			return false;
		struct pollfd fds[4];
		int timeout = (int)left + 1;
		size_t n = lab_pollfds(r->lab, fds, 4, &timeout, run_clock_ms());
		if (poll(fds, n, timeout) < 0 && errno != EINTR)
			return false;
	}
}

static bool wire_do(run *r, int step, script_wire op, unsigned ms, bool by_user)
{
	unsigned arg = ms;
	if (op == SW_DELIVER && ms)	/* an actor: the packet its side sent */
		arg = (unsigned)run_actor_side(r, (int)ms - 1) + 1;
	if (!r->lab || lab_get_mode(r->lab) != LAB_FULL)
		return false;
	if (!lab_wire(r->lab, wire_ops[op], arg, run_clock_ms()) &&
	    (op != SW_DELIVER || by_user || !deliver_arrived(r, arg)))
		return false;
	if (op == SW_HOLD || op == SW_PASS)
		r->user_hold = op == SW_HOLD && by_user;
	run_event *ev = new_event(r, EV_WIRE, step);
	ev->by_user = by_user;
	ev->wire = op;
	ev->wire_actor = op == SW_DELIVER ? (int)ms - 1 : -1;
	ev->c = op == SW_DELAY || (op == SW_PASS && ms) ?
		xasprintf("wire %s %ums", wire_names[op], ms) :
		op == SW_DELIVER && ms ? xasprintf("wire deliver %s", r->s->actors[ms - 1]) :
		xasprintf("wire %s", wire_names[op]);
	ev->ms = ms;
	observe_event(r, ev);
	progress_lab(r, run_clock_ms());
	return true;
}

bool run_wire(run *r, script_wire op, unsigned ms)
{
	if (r->stopped)
		return false;
	if (op != SW_DELIVER)
		return wire_do(r, -1, op, ms, true);
	/* a delivery by key needs no event of its own: the packet's event says it */
	if (!r->lab || !lab_wire(r->lab, WIRE_DELIVER, 0, run_clock_ms()))
		return false;
	progress_lab(r, run_clock_ms());
	return true;
}

/* Whether the user holds packets on the wire: nothing times out meanwhile (a script that
 * holds packets delivers them itself). */
static bool wire_held(const run *r)
{
	return r->user_hold && r->lab && lab_holding(r->lab) && lab_nheld(r->lab) > 0;
}

/* 'expect packets': the items appear in order among the packets since the last such step
 * (other packets may come between them). */
/* A packet event as an 'expect packets' item would name it. */
static script_packet packet_item(const run_event *ev)
{
	const pkt *p = ev->pkt;
	script_packet sp = { .proto = p->proto == PKT_TCP ? 6 : p->proto == PKT_UDP ? 17 :
			     p->proto == PKT_ICMP ? 1 : 0 };
	if (sp.proto == 6)
		sp.flags = p->flags & 0x1f;
	switch (ev->fate) {
	case FATE_DROPPED: sp.fate = SF_DROPPED; break;
	case FATE_DUPLICATED: sp.fate = SF_DUPLICATED; break;
	case FATE_REORDERED: sp.fate = SF_REORDERED; break;
	case FATE_DELAYED: sp.fate = SF_DELAYED; break;
	default: sp.fate = SF_ARRIVED; break;
	}
	return sp;
}

/* Whether a packet is what an item wants; an item without a fate wants any packet that
 * reached the other side. */
static bool packet_matches(const script_packet *got, const script_packet *want)
{
	return got->proto == want->proto && got->flags == want->flags &&
	       (want->fate == SF_ARRIVED ? got->fate != SF_DROPPED : got->fate == want->fate);
}

static bool check_packets(run *r, const script_step *st, strbuf *expected, strbuf *observed,
			  bool final)
{
	size_t k = 0, matched_at = r->pkt_cursor;
	for (size_t i = r->pkt_cursor; i < r->nev && k < st->npackets; i++) {
		const run_event *ev = &r->ev[i];
		if (ev->kind != EV_PACKET || !ev->pkt)
			continue;
		script_packet got = packet_item(ev);
		if (packet_matches(&got, &st->packets[k])) {
			k++;
			matched_at = i + 1;
		}
	}
	bool ok = k == st->npackets;
	if (!ok && !final)
		return false;
	for (size_t i = 0; i < st->npackets; i++)
		strbuf_addf(expected, "%s%s", i ? " " : "", script_packet_text(&st->packets[i]));
	size_t shown = 0;
	for (size_t i = r->pkt_cursor; i < r->nev; i++) {
		const run_event *ev = &r->ev[i];
		if (ev->kind != EV_PACKET || !ev->pkt)
			continue;
		script_packet got = packet_item(ev);
		strbuf_addf(observed, "%s%s", shown++ ? " " : "", script_packet_text(&got));
	}
	if (!shown)
		strbuf_adds(observed, "(no packets)");
	r->pkt_cursor = ok ? matched_at : r->nev;
	return ok;
}

/* ---- issuing and completing ----------------------------------------------------------------- */

static void stop(run *r, const char *what, int step)
{
	run_event *ev = new_event(r, EV_ERROR, step);
	ev->observed = xstrdup(what);
	ev->check = -1;
	r->failures++;
	r->stopped = !r->lenient;
	observe_event(r, ev);
}

static double deadline_for(const run *r, const script_step *st, double t0)
{
	if (st->op == OP_POLL)
		return st->num < 0 ? -1 : t0 + (double)st->num;
	const rsock *k = &r->socks[st->sock];
	if (k->timeout_ms > 0)
		return t0 + (double)k->timeout_ms;
	if ((st->op == OP_RECV || st->op == OP_RECVFROM) && k->rcvtimeo_ms > 0)
		return t0 + (double)k->rcvtimeo_ms;
	return -1;
}

static short wait_events(const script_step *st)
{
	switch (st->op) {
	case OP_CONNECT:
	case OP_SEND:
	case OP_SENDALL:
	case OP_SENDTO:
		return POLLOUT;
	default:
		return POLLIN;
	}
}

/* The call returned: record it and check it. Returns true when an 'until' step must make
 * the call again (the caller loops: repetitions must not grow the stack). */
static bool complete(run *r, size_t step_idx, const outcome *o, double t0, bool waited,
		     int closed_fd)
{
	const script_step *st = &r->s->steps[step_idx];
	pending *p = &r->pend[st->actor];
	run_event *ev = new_event(r, EV_CALL, (int)step_idx);
	ev->ret = o->ret;
	ev->err = o->ret < 0 ? o->err : 0;
	ev->ms = run_clock_ms() - t0;
	ev->waited = waited;
	call_texts(r, st, o, true, ev);
	if (st->op == OP_CLOSE) {
		free(ev->c);
		ev->c = xasprintf("close(%d)", closed_fd);
		free(ev->py);
		ev->py = xasprintf("%s.close()", pyname(r, st->sock));
		free(ev->trace);
		ev->trace = xasprintf("close(%d)", closed_fd);
		ev->trace_split = strlen(ev->trace);
	}
	if (st->op == OP_GETSOCKOPT && o->ret == 0)
		ev->optval = o->optval;
	if ((st->op == OP_RECV || st->op == OP_RECVFROM || st->op == OP_HTONS ||
	     st->op == OP_INET_PTON) && o->ret >= 0 && o->data) {
		ev->data = xmalloc(o->datalen + 1);
		memcpy(ev->data, o->data, o->datalen);
		ev->datalen = o->datalen;
	}
	p->active = false;
	p->sent = 0;
	bool again = st->until && o->ret != st->until_ret && o->ret >= 0 &&
		     ++r->until_count[st->actor] < UNTIL_LIMIT;
	if (!again) {
		r->until_count[st->actor] = 0;
		check_call(r, ev, st, o->data, o->datalen);
	}
	observe_event(r, ev);
	return again;
}

/* Makes the call (again and again for an 'until' step); if it has to wait, the actor becomes
 * pending (an EV_BLOCKED event). */
static void try_call(run *r, size_t step_idx)
{
	const script_step *st = &r->s->steps[step_idx];
	pending *p = &r->pend[st->actor];
	for (;;) {
		double t0 = run_clock_ms();
		int closed_fd = sock_fd(r, st->sock);
		outcome o;
		if (st->sock >= 0 && r->socks[st->sock].fd < 0 && st->op != OP_SOCKET) {
			/* the socket was closed: the call fails as it would in C on a stale number */
			memset(&o, 0, sizeof o);
			o.ret = -1;
			o.err = EBADF;
			if (complete(r, step_idx, &o, t0, false, -1))
				continue;
			return;
		}
		attempt(r, st, p, &o);
		if (o.would_block) {
			/* loopback often completes at once: look again before calling it a wait
			 * (in the lab, after the wire has moved what is due) */
			progress_lab(r, run_clock_ms());
			struct pollfd pf = { .fd = sock_fd(r, st->sock), .events = wait_events(st) };
			if (st->op != OP_POLL && poll(&pf, 1, 0) == 1) {
				p->active = st->op == OP_CONNECT;
				attempt(r, st, p, &o);
			}
		}
		if (!o.would_block) {
			if (complete(r, step_idx, &o, t0, false, closed_fd))
				continue;
			return;
		}
		p->active = true;
		p->step = step_idx;
		p->t0 = t0;
		p->deadline = deadline_for(r, st, t0);
		p->events = wait_events(st);
		p->fd = sock_fd(r, st->sock);
		run_event *ev = new_event(r, EV_BLOCKED, (int)step_idx);
		call_texts(r, st, &o, false, ev);
		observe_event(r, ev);
		return;
	}
}

/* A pending call's condition may have arrived, or its time run out. */
static int progress_pending(run *r, size_t actor, double now)
{
	pending *p = &r->pend[actor];
	if (!p->active)
		return 0;
	const script_step *st = &r->s->steps[p->step];
	size_t before = r->nev;
	bool ready;
	if (st->op == OP_POLL) {
		ready = true;	/* poll() itself says whether anything is ready */
	} else {
		struct pollfd pf = { .fd = p->fd, .events = p->events };
		ready = poll(&pf, 1, 0) == 1;
	}
	outcome o;
	if (ready)
		attempt(r, st, p, &o);
	if (!ready || o.would_block) {
		if (p->deadline < 0 || now < p->deadline)
			return 0;
		/* the time ran out: poll() returns 0, a call -1 EAGAIN */
		memset(&o, 0, sizeof o);
		o.ret = st->op == OP_POLL ? 0 : -1;
		o.err = st->op == OP_POLL ? 0 : EAGAIN;
		o.timed_out = st->op != OP_POLL && r->socks[st->sock].timeout_ms > 0;
	}
	size_t stp = p->step;
	if (complete(r, stp, &o, p->t0, true, p->fd))
		try_call(r, stp);
	return (int)(r->nev - before);
}

static void finish_wait(run *r, bool ok, const char *expected, const char *observed,
			const char *state)
{
	const script_step *st = &r->s->steps[r->wait_step];
	run_event *ev = new_event(r, st->op == OP_EXPECT || st->op == OP_EXPECT_PACKETS ? EV_EXPECT :
				  EV_WAIT, (int)r->wait_step);
	ev->ms = run_clock_ms() - r->wait_t0;
	if (st->op == OP_WAIT_TIME) {
		ev->c = xasprintf("wait %ld ms", st->num);
	} else {
		ev->check = ok ? 1 : -1;
		ev->expected = xstrdup(expected);
		ev->observed = xstrdup(observed);
		ev->state = state;
		if (!ok)
			r->failures++;
	}
	r->waiting = false;
	observe_event(r, ev);
}

static int progress_wait(run *r, double now)
{
	if (!r->waiting)
		return 0;
	const script_step *st = &r->s->steps[r->wait_step];
	if (st->op == OP_WAIT_TIME) {
		if (now >= r->wait_deadline) {
			finish_wait(r, true, NULL, NULL, NULL);
			return 1;
		}
		return 0;
	}
	if (wire_held(r) && r->wait_deadline < now + EXPECT_GRACE_MS)
		r->wait_deadline = now + EXPECT_GRACE_MS;
	strbuf exp = { 0 }, obs = { 0 };
	const char *state = NULL;
	bool ok = st->op == OP_EXPECT_PACKETS ?
		  check_packets(r, st, &exp, &obs, now >= r->wait_deadline) :
		  check_states(r, st, &exp, &obs, &state);
	int n = 0;
	if (ok || now >= r->wait_deadline) {
		finish_wait(r, ok, exp.buf ? exp.buf : "", obs.buf ? obs.buf : "", state);
		n = 1;
	}
	strbuf_free(&exp);
	strbuf_free(&obs);
	return n;
}

/* When a call that never times out counts as stalled: STALL_LIMIT_MS after it was made or
 * after the user last held packets on the wire, whichever is later (the user holds it up,
 * not the script). */
static double stall_deadline(const run *r, const pending *p)
{
	return (p->t0 > r->held_at ? p->t0 : r->held_at) + STALL_LIMIT_MS;
}

int run_progress(run *r)
{
	if (r->stopped)
		return 0;
	double now = run_clock_ms();
	int n = progress_lab(r, now);
	for (size_t a = 0; a < r->s->nactors; a++)
		n += progress_pending(r, a, now);
	n += progress_wait(r, now);
	/* a stalled script: the next step needs an actor whose call can never return */
	if (r->next < r->s->nsteps) {
		const script_step *st = &r->s->steps[r->next];
		if (wire_held(r))
			r->held_at = now;
		if (!r->lenient && st->actor >= 0 && r->pend[st->actor].active &&
		    r->pend[st->actor].deadline < 0 && now > stall_deadline(r, &r->pend[st->actor])) {
			const script_step *b = &r->s->steps[r->pend[st->actor].step];
			char *msg = xasprintf("line %d: %s is still blocked (line %d) after %.0f s",
					      st->line, r->s->actors[st->actor], b->line,
					      STALL_LIMIT_MS / 1000);
			stop(r, msg, (int)r->next);
			free(msg);
			n++;
		}
	}
	return n;
}

int run_step(run *r)
{
	run_progress(r);
	if (r->stopped || r->next >= r->s->nsteps)
		return -1;
	if (r->waiting)
		return 0;
	size_t idx = r->next;
	const script_step *st = &r->s->steps[idx];
	if (st->actor >= 0 && r->pend[st->actor].active)
		return 0;
	if (st->scene != r->scene) {
		r->scene = st->scene;
		run_event *ev = new_event(r, EV_SCENE, (int)idx);
		observe_event(r, ev);
	}
	r->next++;
	r->t_last_step = run_clock_ms();
	switch (st->op) {
	case OP_WAIT_TIME:
	case OP_WAIT_STATE:
	case OP_EXPECT:
	case OP_EXPECT_PACKETS:
		r->waiting = true;
		r->wait_step = idx;
		r->wait_t0 = run_clock_ms();
		r->wait_deadline = r->wait_t0 + (st->op == OP_WAIT_TIME ? (double)st->num :
						 st->op == OP_EXPECT ? EXPECT_GRACE_MS :
						 st->op == OP_EXPECT_PACKETS ? PACKETS_GRACE_MS :
						 WAIT_STATE_MS);
		progress_wait(r, r->wait_t0);
		break;
	case OP_WIRE:
		if (!wire_do(r, (int)idx, st->wire, (unsigned)st->num, false)) {
			char *msg = !r->lab || lab_get_mode(r->lab) != LAB_FULL ?
				    xasprintf("line %d: 'wire %s' needs the packet lab's wire", st->line,
					      wire_names[st->wire]) :
				    xasprintf("line %d: 'wire %s': no packet is held", st->line,
					      wire_names[st->wire]);
			stop(r, msg, (int)idx);
			free(msg);
		}
		break;
	default:
		if (st->addr.ref >= 0 || st->addr.port_ref >= 0) {
			int ref = st->addr.ref >= 0 ? st->addr.ref : st->addr.port_ref;
			refresh_addrs(r);
			if (!r->socks[ref].has_local) {
				char *msg = xasprintf("line %d: %s has no address yet (bind it or connect it first)",
						      st->line, r->s->socks[ref].full);
				stop(r, msg, (int)idx);
				free(msg);
				return 1;
			}
		}
		try_call(r, idx);
		break;
	}
	return 1;
}

size_t run_pollfds(const run *r, struct pollfd *fds, size_t max, int *timeout_ms)
{
	size_t n = 0;
	double now = run_clock_ms(), soonest = -1;
	for (size_t a = 0; a < r->s->nactors; a++) {
		const pending *p = &r->pend[a];
		if (!p->active)
			continue;
		if (r->s->steps[p->step].op == OP_POLL) {
			const script_step *st = &r->s->steps[p->step];
			for (size_t i = 0; i < st->npolls && n < max; i++) {
				fds[n].fd = sock_fd(r, st->polls[i]);
				fds[n].events = POLLIN;
				fds[n++].revents = 0;
			}
		} else if (n < max) {
			fds[n].fd = p->fd;
			fds[n].events = p->events;
			fds[n++].revents = 0;
		}
		/* without a timeout, wake up only to report a stalled script */
		bool needed = !r->lenient && r->next < r->s->nsteps &&
			      r->s->steps[r->next].actor == (int)a;
		double d = p->deadline >= 0 ? p->deadline : needed ? stall_deadline(r, p) + 1 : -1;
		if (d >= 0 && (soonest < 0 || d < soonest))
			soonest = d;
	}
	if (r->waiting) {
		const script_step *st = &r->s->steps[r->wait_step];
		double every = (now - r->wait_t0) / 4;
		every = every < STATE_POLL_MS ? STATE_POLL_MS :
			every > STATE_POLL_MAX_MS ? STATE_POLL_MAX_MS : every;
		double d = st->op == OP_WAIT_TIME ? r->wait_deadline : now + every;
		if (soonest < 0 || d < soonest)
			soonest = d;
	}
	*timeout_ms = soonest < 0 ? -1 : soonest <= now ? 0 : (int)(soonest - now) + 1;
	if (r->lab && !r->stopped)
		n += lab_pollfds(r->lab, fds + n, max - n, timeout_ms, now);
	return n;
}

/* Headless runs end when the wire has been quiet for a while (the last ACKs of a close). */
static bool wire_settled(const run *r)
{
	if (!r->lab)
		return true;
	double now = run_clock_ms();
	double quiet_since = r->wire_t > r->t_last_step ? r->wire_t : r->t_last_step;
	return (now - quiet_since >= WIRE_SETTLE_MS && lab_nheld(r->lab) == 0) ||
	       now - r->t_last_step >= WIRE_SETTLE_MAX_MS;
}

void run_all(run *r, void (*on_event)(const run_event *ev, void *arg), void *arg)
{
	run_until(r, SIZE_MAX, on_event, arg);
}

void run_until(run *r, size_t steps, void (*on_event)(const run_event *ev, void *arg), void *arg)
{
	size_t shown = 0;
	for (;;) {
		if (steps != SIZE_MAX && run_next_step(r) >= steps) {
			/* let what the last calls set off arrive (a handshake, a wakeup) */
			struct pollfd fds[16];
			int timeout;
			size_t n = run_pollfds(r, fds, 16, &timeout);
			poll(fds, n, 30);
			run_progress(r);
			break;
		}
		int st = run_step(r);
		while (on_event && shown < r->nev)
			on_event(&r->ev[shown++], arg);
		if (r->stopped || (st < 0 && run_finished(r) && wire_settled(r)))
			break;
		if (st == 1)
			continue;
		struct pollfd fds[16];
		int timeout;
		size_t n = run_pollfds(r, fds, 16, &timeout);
		if (run_finished(r) && r->lab && (timeout < 0 || timeout > (int)WIRE_SETTLE_MS))
			timeout = (int)WIRE_SETTLE_MS;
		if (n == 0 && timeout < 0)
			break;		/* nothing left that could ever happen */
		poll(fds, n, timeout);
		run_progress(r);
		while (on_event && shown < r->nev)
			on_event(&r->ev[shown++], arg);
	}
}

/* ---- life ------------------------------------------------------------------------------------ */

run *run_new(const script *s)
{
	return run_new_lab(s, NULL);
}

run *run_new_lab(const script *s, lab *l)
{
	/* A peer that has gone away must give EPIPE, not kill the program (Python does the same). */
	signal(SIGPIPE, SIG_IGN);
	run *r = xcalloc(1, sizeof *r);
	r->s = s;
	r->socks = xcalloc(s->nsocks + 1, sizeof *r->socks);
	for (size_t i = 0; i < s->nsocks; i++)
		r->socks[i].fd = -1;
	r->pend = xcalloc(s->nactors + 1, sizeof *r->pend);
	r->until_count = xcalloc(s->nactors + 1, sizeof *r->until_count);
	r->scene = -1;
	r->lab = l;
	r->flows = l ? pkt_flows_new() : NULL;
	r->t_start = run_clock_ms();
	return r;
}

static const run_sock *sock_named(const run_event *ev, const char *name)
{
	for (size_t i = 0; ev && i < ev->nsocks; i++)
		if (strcmp(ev->socks[i].name, name) == 0)
			return &ev->socks[i];
	return NULL;
}

int run_check_states(run *r)
{
	const run_event *last = run_last(r);
	if (!last)
		return 0;
	size_t idx = (size_t)(last - r->ev);
	run_event *ev = new_event(r, EV_STATES, -1);
	observe_event(r, ev);
	last = &r->ev[idx];	/* new_event may have moved the array */
	strbuf sb = { 0 };
	for (size_t i = 0; i < ev->nsocks; i++) {
		const run_sock *now = &ev->socks[i], *was = sock_named(last, now->name);
		if (was && strcmp(was->state, now->state) == 0)
			continue;
		strbuf_addf(&sb, "%s%s %s -> %s", sb.len ? ", " : "", now->name,
			    was ? was->state : "-", now->state);
	}
	for (size_t i = 0; i < last->nsocks; i++)
		if (!sock_named(ev, last->socks[i].name) && strcmp(last->socks[i].state, "GONE") != 0 &&
		    strncmp(last->socks[i].name, "peer:", 5) != 0)
			strbuf_addf(&sb, "%s%s %s -> GONE", sb.len ? ", " : "", last->socks[i].name,
				    last->socks[i].state);
	if (!sb.len) {
		/* nothing moved: the event was never there */
		free(ev->socks);
		r->nev--;
		return 0;
	}
	ev->c = strbuf_take(&sb);
	return 1;
}

bool run_states_moving(const run *r)
{
	static const char *const moving[] = { "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
					      "CLOSING", "LAST_ACK", "TIME_WAIT" };
	const run_event *last = run_last(r);
	for (size_t i = 0; last && i < last->nsocks; i++)
		for (size_t k = 0; k < ARRAY_SIZE(moving); k++)
			if (strcmp(last->socks[i].state, moving[k]) == 0)
				return true;
	return false;
}

void run_set_lenient(run *r)
{
	r->lenient = true;
}

void run_extend(run *r, const script *s)
{
	const script *old = r->s;
	r->s = s;
	if (s->nsocks > old->nsocks) {
		r->socks = xrealloc(r->socks, (s->nsocks + 1) * sizeof *r->socks);
		memset(r->socks + old->nsocks, 0, (s->nsocks + 1 - old->nsocks) * sizeof *r->socks);
		for (size_t i = old->nsocks; i < s->nsocks; i++)
			r->socks[i].fd = -1;
	}
	if (s->nactors > old->nactors) {
		r->pend = xrealloc(r->pend, (s->nactors + 1) * sizeof *r->pend);
		memset(r->pend + old->nactors, 0, (s->nactors + 1 - old->nactors) * sizeof *r->pend);
		r->until_count = xrealloc(r->until_count, (s->nactors + 1) * sizeof *r->until_count);
		memset(r->until_count + old->nactors, 0,
		       (s->nactors + 1 - old->nactors) * sizeof *r->until_count);
	}
}

void run_free(run *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->s->nsocks; i++)
		if (r->socks[i].fd >= 0)
			close(r->socks[i].fd);
	for (size_t i = 0; i < r->nev; i++) {
		run_event *e = &r->ev[i];
		free(e->c);
		free(e->c_ret);
		free(e->py);
		free(e->py_ret);
		free(e->trace);
		free(e->trace_ret);
		free(e->expected);
		free(e->observed);
		free(e->data);
		free(e->socks);
		free(e->bytes);
		free(e->pkt);
		free(e->abs);
	}
	if (r->lab)
		lab_wire_reset(r->lab);
	pkt_flows_free(r->flows);
	free(r->marks);
	free(r->ev);
	free(r->socks);
	free(r->pend);
	free(r->until_count);
	free(r->fx_step);
	free(r->fx_port);
	free(r->buf);
	free(r);
}

int run_predict_outcome(const run *r, size_t p, char **text)
{
	const script_predict *pr = &r->s->predicts[p];
	const script_step *st = &r->s->steps[pr->step];
	bool blocks = false, data = false;
	for (size_t i = 0; i < pr->nchoices; i++) {
		blocks |= pr->choices[i].kind == PC_BLOCKS;
		data |= pr->choices[i].kind == PC_DATA;
	}
	const run_event *last = NULL;
	for (size_t i = 0; i < r->nev; i++) {
		const run_event *ev = &r->ev[i];
		if (ev->step != pr->step)
			continue;
		if (ev->kind == EV_BLOCKED && blocks) {
			last = ev;
			break;
		}
		if (ev->kind == EV_CALL || ev->kind == EV_EXPECT)
			last = ev;
	}
	if (!last || (last->kind == EV_CALL && run_blocked_step(r, st->actor) == pr->step))
		return -2;
	char *t;
	if (last->kind == EV_BLOCKED)
		t = xstrdup("blocks");
	else if (last->kind == EV_EXPECT)
		t = xstrdup(last->state ? last->state : "");
	else if (st->op == OP_GETSOCKOPT && last->ret == 0)
		t = xasprintf("%ld", last->optval);	/* the question is the value */
	else
		t = script_outcome_text(last->ret, last->err, last->data, last->datalen,
					data && last->data);
	*text = t;
	for (size_t i = 0; i < pr->nchoices; i++)
		if (strcmp(pr->choices[i].text, t) == 0)
			return (int)i;
	return -1;
}

bool run_finished(const run *r)
{
	if (r->stopped)
		return true;
	if (r->next < r->s->nsteps || r->waiting)
		return false;
	for (size_t a = 0; a < r->s->nactors; a++)
		if (r->pend[a].active && r->pend[a].deadline >= 0)
			return false;
	return true;
}

size_t run_nevents(const run *r) { return r->nev; }
const run_event *run_event_at(const run *r, size_t i) { return i < r->nev ? &r->ev[i] : NULL; }
size_t run_next_step(const run *r) { return r->next; }
int run_failures(const run *r) { return r->failures; }
const script *run_script(const run *r) { return r->s; }
lab *run_lab(const run *r) { return r->lab; }

int run_blocked_step(const run *r, int actor)
{
	if (actor < 0 || (size_t)actor >= r->s->nactors || !r->pend[actor].active)
		return -1;
	return (int)r->pend[actor].step;
}

const run_event *run_last(const run *r)
{
	return r->nev ? &r->ev[r->nev - 1] : NULL;
}
