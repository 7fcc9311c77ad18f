/* The packet lab: a demo's sockets live in private network namespaces that the program
 * creates as an ordinary user, so that every packet between them can be seen and, on the
 * wire, held, dropped, duplicated, reordered or delayed on purpose.
 *
 * lab_open() forks a small helper which enters a new user namespace (mapping the user to
 * root there, which gives capabilities inside it and nowhere else) and two new network
 * namespaces: side 0 (the first actor of a script, usually the server) and side 1 (the
 * others). Each side has a TUN device "wire" with a documentation address (192.0.2.1 and
 * 192.0.2.2, 2001:db8::1 and 2001:db8::2) and a route to the other; the program relays the
 * packets from one TUN descriptor to the other, which is the wire. The helper creates
 * sockets on request in either namespace and hands them over with SCM_RIGHTS, so the
 * program itself (the UI, the files it saves) stays in the user's own namespaces and
 * identity. The helper dies with the program (PR_SET_PDEATHSIG, and EOF on its control
 * socket); the namespaces and devices vanish with the last descriptor: nothing is left
 * behind, even after kill -9, and no lab packet can leave the namespaces.
 *
 * When namespaces work but /dev/net/tun cannot be opened, the lab falls back to capture
 * only: one private namespace whose loopback is watched with an AF_PACKET socket. When
 * namespaces do not work, lab_open() fails and says why (lab_status); the plain loopback
 * demos keep working without it. No curses here; texts are N_() msgids for the views to
 * translate. */
#ifndef SOCKTUTOR_LAB_H
#define SOCKTUTOR_LAB_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

typedef enum lab_mode {
	LAB_OFF = 0,		/* no lab: plain loopback */
	LAB_CAPTURE,		/* one private namespace, packets watched on its loopback */
	LAB_FULL		/* two namespaces and the wire between them */
} lab_mode;

/* What stopped the lab (or the wire) from working. */
typedef enum lab_problem {
	LAB_OK = 0,
	LAB_NO_HELPER,		/* fork() or socketpair() failed */
	LAB_NO_USERNS,		/* unshare(CLONE_NEWUSER) refused */
	LAB_NO_IDMAP,		/* writing uid_map/gid_map refused */
	LAB_NO_NETNS,		/* unshare(CLONE_NEWNET) or bringing up lo refused */
	LAB_NO_CAPTURE,		/* the AF_PACKET socket refused */
	LAB_NO_TUN,		/* /dev/net/tun missing (ENOENT, ENODEV, ENXIO) */
	LAB_TUN_DENIED,		/* /dev/net/tun not open to the user (EACCES, EPERM) */
	LAB_TUN_FAILED,		/* TUNSETIFF or the device's addresses failed */
	LAB_VETH_FAILED		/* the veth pairs (the wire without TUN) failed */
} lab_problem;

/* What the wire is made of. TUN devices first; when /dev/net/tun cannot be used, a veth
 * pair per side into a third namespace where the program relays through packet sockets.
 * SOCKTUTOR_LAB_WIRE=tun or =veth in the environment allows only that one. */
typedef enum lab_wire_kind {
	WIRE_NONE = 0,
	WIRE_TUN,
	WIRE_VETH
} lab_wire_kind;

typedef struct lab_status {
	lab_mode mode;		/* what works */
	lab_problem problem;	/* why not more; with LAB_FULL through veth, why not TUN */
	int err;		/* the errno behind problem */
	lab_wire_kind wire;	/* LAB_FULL: what the wire is made of */
	bool ipv6;		/* LAB_FULL: the wire carries IPv6 too */
} lab_status;

/* What is wrong, a short sentence without its final stop (N_() msgid); the views add the
 * errno's text. */
const char *lab_problem_what(lab_problem p);
/* What an administrator could change, N_() msgid, for this machine's settings (it reads
 * the relevant sysctls); "" when nothing applies. */
const char *lab_problem_fix(lab_problem p);

typedef struct lab lab;

/* Builds the best lab this machine allows: LAB_FULL, else LAB_CAPTURE. Fills *st either
 * way; returns NULL when namespaces do not work at all (st->mode is then LAB_OFF). Call it
 * before starting threads is not required: the namespaces are entered by a forked helper. */
lab *lab_open(lab_status *st);
/* Closes every descriptor and stops the helper; the namespaces vanish. */
void lab_close(lab *l);
lab_mode lab_get_mode(const lab *l);
/* The helper process (tests check that it dies with the program). */
pid_t lab_helper_pid(const lab *l);

/* A socket created in side's network namespace (side 0 or 1; in capture mode both are the
 * one namespace), O_CLOEXEC. Returns the descriptor, or -1 with errno set. */
int lab_socket(lab *l, int side, int family, int type, int protocol);
/* A NETLINK_SOCK_DIAG socket for side's namespace (for observe_snapshot_in()), or -1. */
int lab_diag(const lab *l, int side);
/* Side's own address in family, port 0 (loopback in capture mode). False when the lab has
 * no such address (IPv6 unavailable). */
bool lab_addr(const lab *l, int side, int family, struct sockaddr_storage *out);
/* The number of namespaces: 2 with the wire, 1 in capture mode. */
int lab_nsides(const lab *l);

/* ---- the wire -------------------------------------------------------------------------- */

typedef enum lab_fate {
	FATE_DELIVERED,		/* passed to the other side */
	FATE_DROPPED,		/* thrown away on purpose */
	FATE_DUPLICATED,	/* delivered twice */
	FATE_REORDERED,		/* delivered after the packet that came behind it */
	FATE_DELAYED,		/* delivered after an extra delay */
	FATE_CAPTURED		/* capture mode: seen on loopback */
} lab_fate;

typedef struct lab_packet {
	unsigned id;		/* 1, 2, ... in order of arrival */
	int from;		/* the side whose kernel sent it; -1 in capture mode */
	lab_fate fate;
	double t_seen, t_out;	/* run_clock_ms() when read and when delivered or dropped */
	unsigned char *data;	/* the IP packet */
	size_t len;
} lab_packet;

typedef enum lab_wire_op {
	WIRE_HOLD,		/* hold every packet until WIRE_DELIVER */
	WIRE_PASS,		/* deliver every packet after ms (0: at once) */
	WIRE_DELIVER,		/* deliver the first held packet now (ms 1 or 2: the first one
				 * side 0 or side 1 sent) */
	WIRE_DROP,		/* drop the next packet */
	WIRE_DUPLICATE,		/* deliver the next packet twice */
	WIRE_SWAP,		/* deliver the next two packets in the opposite order */
	WIRE_DELAY		/* deliver the next packet ms later than it would go */
} lab_wire_op;

/* Applies op. "The next packet" is the first held packet when one is held (WIRE_SWAP: the
 * first two, when two are held), otherwise the next to arrive: the fault is armed. Returns
 * false when op needs a held packet and none is (WIRE_DELIVER), or in capture mode. */
bool lab_wire(lab *l, lab_wire_op op, unsigned ms, double now);

/* Moves packets: reads what the kernels sent, then delivers or drops at most one packet
 * that is due, and describes it in *out (out->data is the caller's to free). Returns 1
 * when it did, 0 when nothing is due. Call it until it returns 0, taking a look at the
 * kernels between calls (each delivery may change both ends' states). Never blocks. */
int lab_next(lab *l, double now, lab_packet *out);
/* Adds the descriptors to poll for lab_next() and lowers *timeout_ms to the next due
 * packet. Returns how many were added (at most max). */
size_t lab_pollfds(const lab *l, struct pollfd *fds, size_t max, int *timeout_ms, double now);

/* Forgets held packets and armed faults and reads away what is in flight: between runs.
 * The wire passes packets at once again. */
void lab_wire_reset(lab *l);

bool lab_holding(const lab *l);		/* in WIRE_HOLD mode */
unsigned lab_pass_delay(const lab *l);	/* WIRE_PASS's delay */
size_t lab_nheld(const lab *l);		/* packets waiting on the wire (held or due later) */
const lab_packet *lab_held_at(const lab *l, size_t i);
/* The faults armed for the packets to come, first first ("drop", "delay 200ms", ...);
 * static buffer, "" when none. */
const char *lab_armed(const lab *l);
/* Packets the relay threw away unseen: IPv6 router and neighbour solicitations. */
unsigned lab_ignored(const lab *l);

#endif
