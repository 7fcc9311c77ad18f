#include "config.h"

#include "lab.h"
#include "packet.h"
#include "core/i18n.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <net/ethernet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The device name in both namespaces. */
#define WIRE_IF "wire"
/* A swapped packet waits this long for a packet to overtake it. */
#define SWAP_WAIT_MS 2000.0
#define MAX_PACKET 65536

static const char *const side_v4[2] = { "192.0.2.1", "192.0.2.2" };
static const char *const side_v6[2] = { "2001:db8::1", "2001:db8::2" };

/* ---- the helper ------------------------------------------------------------------------ */

/* The helper's first message, with the descriptors it opened. */
typedef struct hello {
	int mode;
	int problem;
	int err;
	int ipv6;
	int nfds;
} hello;

typedef struct request {
	int side, family, type, protocol;
} request;

typedef struct reply {
	int err;
} reply;

static int send_fds(int sock, const void *msg, size_t len, const int *fds, int nfds)
{
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		memset(&u, 0, sizeof u);
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

/* Receives a message of exactly len bytes and up to max descriptors; returns how many
 * descriptors came, or -1. */
static int recv_fds(int sock, void *msg, size_t len, int *fds, int max)
{
	struct iovec iov = { .iov_base = msg, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof u.buf };
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len) {
		if (n >= 0)
			errno = EPROTO;
		return -1;
	}
	int got = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int n_in = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (int i = 0; i < n_in; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + sizeof(int) * (size_t)i, sizeof fd);
			if (got < max)
				fds[got++] = fd;
			else
				close(fd);
		}
	}
	return got;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	int saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)len ? 0 : -1;
}

static int if_up(int ctl, const char *name)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(ctl, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(ctl, SIOCSIFFLAGS, &ifr);
}

/* The kernel's struct in6_ifreq (linux/ipv6.h clashes with netinet/in.h). */
struct lab_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

/* The TUN device of the current namespace, addressed as side. Returns its descriptor, or
 * -1 with *problem set. */
static int make_tun(int side, int *problem, int *ipv6)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		*problem = errno == EACCES || errno == EPERM ? LAB_TUN_DENIED : LAB_NO_TUN;
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", WIRE_IF);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		*problem = errno == ENODEV ? LAB_NO_TUN : LAB_TUN_FAILED;
		goto fail;
	}
	int ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ctl < 0)
		goto failed;
	struct sockaddr_in a = { .sin_family = AF_INET };
	inet_pton(AF_INET, side_v4[side], &a.sin_addr);
	memcpy(&ifr.ifr_addr, &a, sizeof a);
	if (ioctl(ctl, SIOCSIFADDR, &ifr) < 0)
		goto failed_ctl;
	inet_pton(AF_INET, side_v4[!side], &a.sin_addr);
	memcpy(&ifr.ifr_dstaddr, &a, sizeof a);
	if (ioctl(ctl, SIOCSIFDSTADDR, &ifr) < 0 || if_up(ctl, WIRE_IF) < 0)
		goto failed_ctl;
	close(ctl);
	/* IPv6 is a bonus: the wire works without it. TUN devices are NOARP, so the
	 * address needs no duplicate detection and is usable at once. */
	*ipv6 = 0;
	int ctl6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ctl6 >= 0) {
		/* as large as a struct ifreq, which is what tools (valgrind) assume it is */
		union {
			struct lab_in6_ifreq r6;
			struct ifreq size;
		} u;
		memset(&u, 0, sizeof u);
		u.r6.prefixlen = 64;
		u.r6.ifindex = (int)if_nametoindex(WIRE_IF);
		inet_pton(AF_INET6, side_v6[side], &u.r6.addr);
		*ipv6 = u.r6.ifindex > 0 && ioctl(ctl6, SIOCSIFADDR, &u.r6) == 0;
		close(ctl6);
	}
	return fd;
failed_ctl:
	close(ctl);
failed:
	*problem = LAB_TUN_FAILED;
fail:;
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static int net_ns_fd(void)
{
	return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
}

static int diag_socket(void)
{
	return socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

/* A network namespace with lo up, or -1. */
static int enter_new_netns(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	int ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ctl < 0)
		return -1;
	int rc = if_up(ctl, "lo");
	close(ctl);
	return rc < 0 ? -1 : net_ns_fd();
}

static void helper_fail(int sock, int problem)
{
	hello h = { .mode = LAB_OFF, .problem = problem, .err = errno };
	send_fds(sock, &h, sizeof h, NULL, 0);
	_exit(1);
}

/* Serves socket requests until the program closes the control socket. */
static void helper_serve(int sock, const int *ns, int nns)
{
	for (;;) {
		request q;
		ssize_t n = recv(sock, &q, sizeof q, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof q)
			_exit(0);
		reply rp = { 0 };
		int fd = -1;
		if (q.side < 0 || q.side >= nns)
			rp.err = EINVAL;
		else if (setns(ns[q.side], CLONE_NEWNET) < 0)
			rp.err = errno;
		else if ((fd = socket(q.family, q.type | SOCK_CLOEXEC, q.protocol)) < 0)
			rp.err = errno;
		send_fds(sock, &rp, sizeof rp, &fd, fd >= 0);
		if (fd >= 0)
			close(fd);
	}
}

static void helper_main(int sock, pid_t parent, uid_t uid, gid_t gid)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		helper_fail(sock, LAB_NO_USERNS);
	char map[64];
	if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
		helper_fail(sock, LAB_NO_IDMAP);
	snprintf(map, sizeof map, "0 %lu 1", (unsigned long)uid);
	if (write_file("/proc/self/uid_map", map) < 0)
		helper_fail(sock, LAB_NO_IDMAP);
	snprintf(map, sizeof map, "0 %lu 1", (unsigned long)gid);
	if (write_file("/proc/self/gid_map", map) < 0)
		helper_fail(sock, LAB_NO_IDMAP);

	/* unshare() above already made namespace 0; bring its lo up. */
	int ns[2] = { -1, -1 };
	int ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ctl < 0 || if_up(ctl, "lo") < 0 || (ns[0] = net_ns_fd()) < 0)
		helper_fail(sock, LAB_NO_NETNS);
	close(ctl);

	hello h = { .mode = LAB_FULL };
	int fds[4], ipv6[2] = { 0, 0 };
	int tun0 = make_tun(0, &h.problem, &ipv6[0]);
	if (tun0 >= 0) {
		h.err = 0;
		if ((ns[1] = enter_new_netns()) < 0)
			helper_fail(sock, LAB_NO_NETNS);
		int tun1 = make_tun(1, &h.problem, &ipv6[1]);
		if (tun1 >= 0) {
			fds[0] = tun0;
			fds[1] = tun1;
			if ((fds[3] = diag_socket()) < 0 || setns(ns[0], CLONE_NEWNET) < 0 ||
			    (fds[2] = diag_socket()) < 0)
				helper_fail(sock, LAB_NO_NETNS);
			h.ipv6 = ipv6[0] && ipv6[1];
			h.nfds = 4;
			if (send_fds(sock, &h, sizeof h, fds, 4) < 0)
				_exit(1);
			for (int i = 0; i < 4; i++)
				close(fds[i]);
			helper_serve(sock, ns, 2);
		}
		close(tun0);
		if (setns(ns[0], CLONE_NEWNET) < 0)
			helper_fail(sock, LAB_NO_NETNS);
	}
	/* Capture only, in namespace 0. */
	h.err = errno;
	h.mode = LAB_CAPTURE;
	fds[0] = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (fds[0] < 0)
		helper_fail(sock, LAB_NO_CAPTURE);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)if_nametoindex("lo") };
	if (bind(fds[0], (struct sockaddr *)&sll, sizeof sll) < 0)
		helper_fail(sock, LAB_NO_CAPTURE);
	if ((fds[1] = diag_socket()) < 0)
		helper_fail(sock, LAB_NO_NETNS);
	h.nfds = 2;
	if (send_fds(sock, &h, sizeof h, fds, 2) < 0)
		_exit(1);
	close(fds[0]);
	close(fds[1]);
	helper_serve(sock, ns, 1);
}

/* ---- the program's side ---------------------------------------------------------------- */

typedef enum fault { FAULT_DROP, FAULT_DUP, FAULT_SWAP, FAULT_DELAY } fault;

typedef struct armed {
	fault f;
	unsigned ms;
} armed;

typedef struct held {
	lab_packet p;
	double due;		/* -1: until WIRE_DELIVER */
	bool dup;		/* deliver twice */
	bool swap;		/* wait for the next packet and let it go first */
	bool delayed;
	bool reordered;
} held;

struct lab {
	lab_mode mode;
	bool ipv6;
	pid_t pid;
	int ctl;
	int tun[2];		/* LAB_FULL */
	int cap;		/* LAB_CAPTURE: the AF_PACKET socket */
	int diag[2];
	bool hold;
	unsigned delay_ms;
	armed *arm;
	size_t narm, armcap;
	held *q;
	size_t nq, qcap;
	unsigned next_id;
	unsigned ignored;
	unsigned char *buf;
};

const char *lab_problem_what(lab_problem p)
{
	switch (p) {
	case LAB_OK: return "";
	case LAB_NO_HELPER: return N_("The lab could not start its helper process");
	case LAB_NO_USERNS: return N_("User namespaces are not available to you");
	case LAB_NO_IDMAP: return N_("A user namespace was created but your user could not be mapped into it");
	case LAB_NO_NETNS: return N_("A private network namespace could not be set up");
	case LAB_NO_CAPTURE: return N_("Packets cannot be captured inside the private namespace");
	case LAB_NO_TUN: return N_("There is no TUN device (/dev/net/tun)");
	case LAB_TUN_DENIED: return N_("You may not open /dev/net/tun");
	case LAB_TUN_FAILED: return N_("The TUN devices could not be set up");
	}
	return "";
}

static long read_sysctl(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	long v = -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

const char *lab_problem_fix(lab_problem p)
{
	switch (p) {
	case LAB_NO_USERNS:
	case LAB_NO_IDMAP:
		if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
			return N_("An administrator can allow them with: sysctl kernel.unprivileged_userns_clone=1");
		if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0)
			return N_("An administrator can allow them with: sysctl user.max_user_namespaces=10000");
		if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
			return N_("AppArmor restricts them; an administrator can allow them with: sysctl kernel.apparmor_restrict_unprivileged_userns=0");
		return N_("An administrator can check kernel.unprivileged_userns_clone, user.max_user_namespaces and any security module (AppArmor, SELinux, seccomp in a container) that forbids unshare(CLONE_NEWUSER).");
	case LAB_NO_TUN:
		return N_("An administrator can load the module with 'modprobe tun' (the device is /dev/net/tun, character 10:200).");
	case LAB_TUN_DENIED:
		return N_("An administrator can run 'chmod 0666 /dev/net/tun' (Debian's default): a user can only make devices inside namespaces of their own with it.");
	default:
		return "";
	}
}

lab_mode lab_get_mode(const lab *l) { return l->mode; }
pid_t lab_helper_pid(const lab *l) { return l->pid; }
int lab_nsides(const lab *l) { return l->mode == LAB_FULL ? 2 : 1; }
int lab_diag(const lab *l, int side) { return l->diag[l->mode == LAB_FULL && side == 1]; }
bool lab_holding(const lab *l) { return l->hold; }
unsigned lab_pass_delay(const lab *l) { return l->delay_ms; }
size_t lab_nheld(const lab *l) { return l->nq; }
const lab_packet *lab_held_at(const lab *l, size_t i) { return i < l->nq ? &l->q[i].p : NULL; }
unsigned lab_ignored(const lab *l) { return l->ignored; }

lab *lab_open(lab_status *st)
{
	memset(st, 0, sizeof *st);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		st->problem = LAB_NO_HELPER;
		st->err = errno;
		return NULL;
	}
	pid_t parent = getpid();
	uid_t uid = geteuid();
	gid_t gid = getegid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		st->problem = LAB_NO_HELPER;
		st->err = errno;
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (pid == 0) {
		close(sv[0]);
		helper_main(sv[1], parent, uid, gid);
		_exit(0);
	}
	close(sv[1]);
	hello h;
	int fds[4];
	int n = recv_fds(sv[0], &h, sizeof h, fds, 4);
	if (n < 0 || h.mode == LAB_OFF || n != h.nfds) {
		st->problem = n < 0 ? LAB_NO_HELPER : (lab_problem)h.problem;
		st->err = n < 0 ? errno : h.err;
		for (int i = 0; i < n; i++)
			close(fds[i]);
		close(sv[0]);
		waitpid(pid, NULL, 0);
		return NULL;
	}
	lab *l = xcalloc(1, sizeof *l);
	l->mode = (lab_mode)h.mode;
	l->ipv6 = h.ipv6;
	l->pid = pid;
	l->ctl = sv[0];
	l->tun[0] = l->tun[1] = l->cap = l->diag[0] = l->diag[1] = -1;
	if (l->mode == LAB_FULL) {
		l->tun[0] = fds[0];
		l->tun[1] = fds[1];
		l->diag[0] = fds[2];
		l->diag[1] = fds[3];
	} else {
		l->cap = fds[0];
		l->diag[0] = fds[1];
	}
	l->next_id = 1;
	l->buf = xmalloc(MAX_PACKET);
	st->mode = l->mode;
	st->problem = (lab_problem)h.problem;
	st->err = h.err;
	st->ipv6 = l->ipv6;
	return l;
}

void lab_close(lab *l)
{
	if (!l)
		return;
	int fds[] = { l->ctl, l->tun[0], l->tun[1], l->cap, l->diag[0], l->diag[1] };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	/* EOF on its control socket ends the helper. */
	kill(l->pid, SIGKILL);
	waitpid(l->pid, NULL, 0);
	for (size_t i = 0; i < l->nq; i++)
		free(l->q[i].p.data);
	free(l->q);
	free(l->arm);
	free(l->buf);
	free(l);
}

int lab_socket(lab *l, int side, int family, int type, int protocol)
{
	request q = { .side = l->mode == LAB_FULL ? side : 0, .family = family, .type = type,
		      .protocol = protocol };
	if (send(l->ctl, &q, sizeof q, MSG_NOSIGNAL) != (ssize_t)sizeof q)
		return -1;
	reply rp;
	int fd = -1;
	int n = recv_fds(l->ctl, &rp, sizeof rp, &fd, 1);
	if (n < 0)
		return -1;
	if (rp.err) {
		if (n > 0)
			close(fd);
		errno = rp.err;
		return -1;
	}
	if (n != 1) {
		errno = EPROTO;
		return -1;
	}
	return fd;
}

bool lab_addr(const lab *l, int side, int family, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof *out);
	bool full = l->mode == LAB_FULL;
	if (family == AF_INET6) {
		if (full && !l->ipv6)
			return false;
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
		a->sin6_family = AF_INET6;
		inet_pton(AF_INET6, full ? side_v6[side != 0] : "::1", &a->sin6_addr);
		return true;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)out;
	a->sin_family = AF_INET;
	inet_pton(AF_INET, full ? side_v4[side != 0] : "127.0.0.1", &a->sin_addr);
	return true;
}

/* ---- the wire ---------------------------------------------------------------------------- */

static void arm(lab *l, fault f, unsigned ms)
{
	grow_array((void **)&l->arm, &l->armcap, l->narm, sizeof *l->arm);
	l->arm[l->narm++] = (armed){ f, ms };
}

static double base_due(const lab *l, double now)
{
	return l->hold ? -1 : now + l->delay_ms;
}

bool lab_wire(lab *l, lab_wire_op op, unsigned ms, double now)
{
	if (l->mode != LAB_FULL)
		return false;
	held *h = l->nq ? &l->q[0] : NULL;
	switch (op) {
	case WIRE_HOLD:
		l->hold = true;
		for (size_t i = 0; i < l->nq; i++)
			if (!l->q[i].delayed && !l->q[i].swap)
				l->q[i].due = -1;
		return true;
	case WIRE_PASS:
		l->hold = false;
		l->delay_ms = ms;
		for (size_t i = 0; i < l->nq; i++)
			if (l->q[i].due < 0 && !l->q[i].swap)
				l->q[i].due = now + ms;
		return true;
	case WIRE_DELIVER:
		for (size_t i = 0; i < l->nq; i++)
			if ((l->q[i].due < 0 || l->q[i].due > now) &&
			    (ms == 0 || l->q[i].p.from == (int)ms - 1)) {
				l->q[i].due = now;
				l->q[i].swap = false;
				return true;
			}
		return false;
	case WIRE_DROP:
		if (h) {
			h->due = now;
			h->dup = h->swap = false;
			h->p.fate = FATE_DROPPED;
		} else {
			arm(l, FAULT_DROP, 0);
		}
		return true;
	case WIRE_DUPLICATE:
		if (h)
			h->dup = true;
		else
			arm(l, FAULT_DUP, 0);
		return true;
	case WIRE_SWAP:
		if (l->nq >= 2) {
			held t = l->q[0];
			l->q[0] = l->q[1];
			l->q[1] = t;
			l->q[1].reordered = true;
		} else if (h) {
			h->swap = true;
			if (!l->hold)
				h->due = now + SWAP_WAIT_MS;
		} else {
			arm(l, FAULT_SWAP, 0);
		}
		return true;
	case WIRE_DELAY:
		if (h) {
			h->due = (h->due < 0 ? now : h->due) + ms;
			h->delayed = true;
		} else {
			arm(l, FAULT_DELAY, ms);
		}
		return true;
	}
	return false;
}

const char *lab_armed(const lab *l)
{
	static char buf[160];
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < l->narm && used + 24 < sizeof buf; i++) {
		static const char *const names[] = { "drop", "duplicate", "swap", "delay" };
		int n = snprintf(buf + used, sizeof buf - used, "%s%s", i ? ", " : "",
				 names[l->arm[i].f]);
		used += (size_t)n;
		if (l->arm[i].f == FAULT_DELAY)
			used += (size_t)snprintf(buf + used, sizeof buf - used, " %ums", l->arm[i].ms);
	}
	return buf;
}

/* Router and neighbour solicitations and MLD reports a fresh device sends on its own: not
 * part of any demo. */
static bool is_noise(const unsigned char *d, size_t n)
{
	unsigned version = n ? d[0] >> 4 : 0;
	if (version != 4 && version != 6)
		return true;
	pkt p;
	if (version == 4 || pkt_decode(d, n, &p, NULL) < 0 || p.proto != PKT_ICMP)
		return false;
	switch (p.icmp_type) {
	case 130: case 131: case 132: case 143:		/* MLD */
	case 133: case 134: case 135: case 136:		/* router and neighbour discovery */
		return true;
	default:
		return false;
	}
}

/* Takes a packet off the wire into the queue, applying an armed fault. */
static void enqueue(lab *l, int from, const unsigned char *d, size_t n, double now)
{
	/* a packet behind a swapped one overtakes it */
	held *prev = l->nq ? &l->q[l->nq - 1] : NULL;
	grow_array((void **)&l->q, &l->qcap, l->nq, sizeof *l->q);
	held *h = &l->q[l->nq++];
	memset(h, 0, sizeof *h);
	h->p.id = l->next_id++;
	h->p.from = from;
	h->p.fate = FATE_DELIVERED;
	h->p.t_seen = now;
	h->p.data = xmalloc(n);
	memcpy(h->p.data, d, n);
	h->p.len = n;
	h->due = base_due(l, now);
	if (l->narm) {
		armed a = l->arm[0];
		memmove(l->arm, l->arm + 1, (l->narm - 1) * sizeof *l->arm);
		l->narm--;
		switch (a.f) {
		case FAULT_DROP: h->p.fate = FATE_DROPPED; h->due = now; break;
		case FAULT_DUP: h->dup = true; break;
		case FAULT_SWAP:
			h->swap = true;
			h->due = l->hold ? -1 : now + SWAP_WAIT_MS;
			break;
		case FAULT_DELAY:
			h->delayed = true;
			h->due = (h->due < 0 ? now : h->due) + a.ms;
			break;
		}
	}
	if (prev && prev->swap) {
		held t = *prev;
		t.swap = false;
		t.reordered = true;
		t.due = h->due;
		*prev = *h;
		*h = t;
	}
}

static void read_wire(lab *l, double now)
{
	if (l->mode == LAB_FULL) {
		for (int side = 0; side < 2; side++) {
			for (int k = 0; k < 256; k++) {
				ssize_t n = read(l->tun[side], l->buf, MAX_PACKET);
				if (n <= 0)
					break;
				if (is_noise(l->buf, (size_t)n)) {
					l->ignored++;
					continue;
				}
				enqueue(l, side, l->buf, (size_t)n, now);
			}
		}
		return;
	}
	for (int k = 0; k < 256; k++) {
		struct sockaddr_ll from;
		socklen_t flen = sizeof from;
		ssize_t n = recvfrom(l->cap, l->buf, MAX_PACKET, 0, (struct sockaddr *)&from, &flen);
		if (n <= 0)
			break;
		/* every loopback frame is seen leaving and arriving: keep one */
		if (from.sll_pkttype == PACKET_OUTGOING || n < 14)
			continue;
		enqueue(l, -1, l->buf + 14, (size_t)n - 14, now);
		l->q[l->nq - 1].p.fate = FATE_CAPTURED;
		l->q[l->nq - 1].due = now;
	}
}

void lab_wire_reset(lab *l)
{
	read_wire(l, 0);
	for (size_t i = 0; i < l->nq; i++)
		free(l->q[i].p.data);
	l->nq = 0;
	l->narm = 0;
	l->next_id = 1;
	l->hold = false;
	l->delay_ms = 0;
}

int lab_next(lab *l, double now, lab_packet *out)
{
	read_wire(l, now);
	for (size_t i = 0; i < l->nq; i++) {
		held *h = &l->q[i];
		if (h->due < 0 || h->due > now)
			continue;
		if (h->swap)	/* nobody came to overtake it */
			h->swap = false;
		if (h->p.fate != FATE_DROPPED && h->p.fate != FATE_CAPTURED) {
			int to = l->tun[!h->p.from];
			int copies = h->dup ? 2 : 1;
			for (int c = 0; c < copies; c++)
				if (write(to, h->p.data, h->p.len) < 0)
					break;
			h->p.fate = h->dup ? FATE_DUPLICATED : h->reordered ? FATE_REORDERED :
				    h->delayed ? FATE_DELAYED : FATE_DELIVERED;
		}
		h->p.t_out = now;
		*out = h->p;
		memmove(h, h + 1, (l->nq - i - 1) * sizeof *h);
		l->nq--;
		return 1;
	}
	return 0;
}

size_t lab_pollfds(const lab *l, struct pollfd *fds, size_t max, int *timeout_ms, double now)
{
	size_t n = 0;
	int want[2] = { l->mode == LAB_FULL ? l->tun[0] : l->cap, l->mode == LAB_FULL ? l->tun[1] : -1 };
	for (int i = 0; i < 2; i++)
		if (want[i] >= 0 && n < max)
			fds[n++] = (struct pollfd){ .fd = want[i], .events = POLLIN };
	for (size_t i = 0; i < l->nq; i++) {
		if (l->q[i].due < 0)
			continue;
		double left = l->q[i].due - now;
		int ms = left <= 0 ? 0 : (int)left + 1;
		if (*timeout_ms < 0 || ms < *timeout_ms)
			*timeout_ms = ms;
	}
	return n;
}
