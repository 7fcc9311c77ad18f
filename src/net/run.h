/* The interpreter: runs a socket script against the real kernel and records events.
 *
 * Actors behave like threads of one program: the script's lines are issued in order, and a
 * call that would block (accept with nobody connecting, recv with nothing to read) leaves its
 * actor waiting while the next lines of other actors run; it completes, as a second event,
 * when its condition arrives. Sockets are opened with O_NONBLOCK and waits happen in poll()
 * (what Python's settimeout() does underneath), so nothing here ever blocks the caller:
 * the UI calls run_step() and run_progress() from its own loop. Every call is a real system
 * call; every state comes from the kernel (TCP_INFO and sock_diag), never from the script.
 * No curses here; texts in events are language-neutral (views translate errno
 * explanations and labels). */
#ifndef SOCKTUTOR_RUN_H
#define SOCKTUTOR_RUN_H

#include "core/script.h"
#include "lab.h"
#include "packet.h"

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef enum run_ev_kind {
	EV_SCENE,		/* a new scene begins */
	EV_CALL,		/* a call returned */
	EV_BLOCKED,		/* a call has to wait; an EV_CALL follows when it returns */
	EV_WAIT,		/* a wait step ended */
	EV_EXPECT,		/* an expect step was checked */
	EV_ERROR,		/* the run stopped: a call can never complete, or the kernel failed us */
	EV_PACKET,		/* the packet lab: a packet was delivered, dropped or captured */
	EV_WIRE,		/* the packet lab: the wire was told what to do (by the script
				 * or by the user) */
	EV_STATES		/* the playground: the kernel moved sockets on by itself (c lists
				 * the changes: "client.s FIN_WAIT1 -> FIN_WAIT2") */
} run_ev_kind;

/* One socket as the kernel reports it at the time of an event. */
typedef struct run_sock {
	char name[48];		/* "server.l"; "peer:client.s" for a kernel socket with no
				 * descriptor yet (SYN_RECV, an unaccepted connection) */
	int sock;		/* the script socket, or -1 */
	int actor;		/* whose it is (the listener's actor for pending ones) */
	const char *state;	/* "ESTABLISHED", ..., "UNCONN", "GONE" (closed and gone) */
	struct sockaddr_storage local, remote;
	bool has_remote;
	unsigned rq, wq;	/* LISTEN: accept queue and backlog; else bytes queued */
	bool udp;
	bool listener;
	unsigned timer_ms;	/* time left on the kernel's timer (TIME_WAIT, retransmit), 0 none */
} run_sock;

typedef struct run_event {
	run_ev_kind kind;
	int step;		/* index of the script step, -1 for none */
	int scene;
	int actor;		/* -1 for wait, expect and scene events */
	char *c;		/* the call as C: "connect(4, {AF_INET, 127.0.0.1:40123}, 16)" */
	char *c_ret;		/* "= 0", "= -1 ECONNREFUSED" */
	char *py;		/* the Python line: "s.connect(('127.0.0.1', 40123))" */
	char *py_ret;		/* "b'hello'", "ConnectionRefusedError: [Errno 111] ...", or NULL */
	/* EV_CALL, EV_BLOCKED: the line strace prints for the call as the C column makes it
	 * (glibc on Linux: send() is the sendto system call, recv() is recvfrom), without the
	 * result: "recvfrom(5, \"hi\", 1024, 0, NULL, NULL)"; trace_split is where the
	 * arguments the kernel fills in begin, which is where strace -f cuts a call another
	 * thread interrupts ("recvfrom(5, " <unfinished ...> / <... recvfrom resumed>"\"hi\"...").
	 * trace_ret: "= 2", "= -1 ECONNREFUSED (Connection refused)"; NULL for EV_BLOCKED. */
	char *trace, *trace_ret;
	size_t trace_split;
	long ret;
	int err;		/* errno when ret is -1, else 0 */
	double ms;		/* how long the call took, from the moment it was made */
	bool waited;		/* EV_CALL: the call had to wait before returning */
	int check;		/* 0: nothing expected; 1: as expected; -1: not as expected */
	char *expected, *observed;	/* language-neutral, when check != 0 */
	const char *state;	/* EV_EXPECT, EV_WAIT of states: the state reported for the
				 * step's first item */
	long optval;		/* EV_CALL of getsockopt that returned 0: the option's value */
	char *data;		/* EV_CALL of recv/recvfrom: the bytes it returned */
	size_t datalen;
	run_sock *socks;	/* the snapshot taken after the event */
	size_t nsocks;
	double at;		/* when it happened, ms since the run began */
	/* EV_PACKET (c holds the description with relative numbers; EV_WIRE: c holds
	 * "wire drop" as a script writes it) */
	int from;		/* the side whose kernel sent it (0: the first actor's), -1 when
				 * captured on one loopback */
	lab_fate fate;
	unsigned id;		/* the lab's packet number */
	unsigned char *bytes;	/* the IP packet */
	size_t nbytes;
	pkt *pkt;		/* decoded (payload points into bytes), NULL when undecodable */
	pkt_rel rel;		/* TCP: relative numbers and the scaled window */
	char *abs;		/* the description with absolute sequence numbers */
	bool retrans;		/* TCP: it carries sequence space already sent */
	double retrans_ms;	/* ... this long after the segment it repeats was first seen */
	bool by_user;		/* EV_WIRE: a key, not the script */
	script_wire wire;	/* EV_WIRE: what the wire was told */
	int wire_actor;		/* EV_WIRE, SW_DELIVER: whose packet, -1 for the first held */
} run_event;

typedef struct run run;

/* Starts a run of s (which must outlive it). Opens nothing yet. */
run *run_new(const script *s);
/* The same inside the packet lab l (which must outlive the run; NULL: plain loopback). The
 * first actor's sockets live on side 0, the others' on side 1; a loopback address a script
 * writes means the actor's own side in bind() and the other side in connect() and sendto().
 * Every packet becomes an EV_PACKET with a snapshot of both sides after it. */
run *run_new_lab(const script *s, lab *l);
/* The playground's runs: an error (a socket with no address yet) ends its step with an
 * EV_ERROR event instead of stopping the run, and an actor may stay blocked for as long as it
 * likes (no stall limit). */
void run_set_lenient(run *r);
/* Presenting: each bind() to port 0 gets port base, base+1, ... in the order the script
 * makes them, instead of a port the kernel picks, so that the numbers on the projector
 * match the teacher's slides. A port that is taken (EADDRINUSE: another program, or an
 * earlier run's TIME_WAIT) moves the bind to one of the next 15, or at last to port 0. */
void run_set_port_base(run *r, int base);
/* The latest bind that did not get its port: the port wanted and the one used (0: the
 * kernel's choice); false while every bind got its own. */
bool run_port_moved(const run *r, int *wanted, int *got);
/* Goes on with s, which holds the script the run has (same actors, sockets and steps, in the
 * same order) and more after it: the playground's next typed line. The caller frees the old
 * script afterwards. */
void run_extend(run *r, const script *s);
/* The playground lets time pass between calls, and the kernel moves sockets on by itself
 * (FIN_WAIT1 to FIN_WAIT2, TIME_WAIT to gone). run_check_states() takes a snapshot and, when
 * a socket's state differs from the newest event's, adds an EV_STATES event (returns 1).
 * run_states_moving() says whether a socket is in a state the kernel leaves by itself, so
 * that the caller looks again in a while. */
int run_check_states(run *r);
bool run_states_moving(const run *r);
/* Closes every socket the run opened and frees it. */
void run_free(run *r);
lab *run_lab(const run *r);
/* The lab side an actor's sockets live on. */
int run_actor_side(const run *r, int actor);
/* Tells the wire what to do on the user's behalf (an EV_WIRE event). False without a wire,
 * or when op has nothing to act on (deliver with nothing held). */
bool run_wire(run *r, script_wire op, unsigned ms);

/* Issues the next step. Returns 1 when a step was issued, 0 when the next step must wait
 * (its actor is still in a blocked call, or a wait step has not ended: call run_progress()
 * and try again), -1 when the script is finished or stopped. */
int run_step(run *r);
/* Completes blocked calls whose condition has arrived, ends waits whose time has come.
 * Never blocks. Returns the number of events added. */
int run_progress(run *r);
/* What the caller's poll() should watch so that run_progress() is called in time: fills
 * up to max descriptors, returns how many, and sets *timeout_ms (-1: no deadline). */
size_t run_pollfds(const run *r, struct pollfd *fds, size_t max, int *timeout_ms);

/* Runs the whole script, waiting as needed (headless: the self-check, the plain printer).
 * on_event, when not NULL, is called for each new event as it happens. */
void run_all(run *r, void (*on_event)(const run_event *ev, void *arg), void *arg);
/* The same, stopping once the first `steps` steps are issued: a demo reopened at the step
 * the student had reached makes the same calls again, on new sockets. */
void run_until(run *r, size_t steps, void (*on_event)(const run_event *ev, void *arg), void *arg);

bool run_finished(const run *r);
size_t run_nevents(const run *r);
const run_event *run_event_at(const run *r, size_t i);
/* The index of the step issued next, or nsteps when all are issued. */
size_t run_next_step(const run *r);
/* The step an actor is blocked in, or -1. */
int run_blocked_step(const run *r, int actor);
/* Failed expectations so far. */
int run_failures(const run *r);
/* The latest snapshot (after the last event), or NULL before any. */
const run_event *run_last(const run *r);
const script *run_script(const run *r);

/* The kernel's answer to prediction p of the script (script.predicts[p]), once its step has
 * run: returns the index of the matching choice, or -1 when none matches (always for a typed
 * prediction), and stores the outcome's canonical text in *text (free it): "-1 ECONNREFUSED",
 * "\"hello\"", "blocks", "SYN_SENT"; for a getsockopt() that succeeded, the option's value
 * ("8192"). Returns -2 (and leaves *text alone) while the step has
 * not given its answer yet. */
int run_predict_outcome(const run *r, size_t p, char **text);

/* The name a script gives a wire operation ("drop"). */
const char *run_wire_name(script_wire op);

/* The monotonic clock events are timed with, in milliseconds. */
double run_clock_ms(void);

/* "127.0.0.1:40123" or "[::1]:40123". */
void run_format_addr(const struct sockaddr_storage *a, char *buf, size_t len);

#endif
