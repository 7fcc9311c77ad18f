#include "config.h"

#include "lab.h"
#include "packet.h"
#include "core/i18n.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>
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
#include <time.h>
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
	int wire;		/* lab_wire_kind */
	int ifindex[2];		/* WIRE_VETH: the relay's ends */
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

/* Whether a socket can be bound to addr in the current namespace, waiting up to 1 s for it.
 * The kernel adds an IPv6 address as tentative and completes it (no duplicate detection on
 * these devices) in queued work: until then, most often 1 ms and up to 3 ms on an idle
 * machine, bind() and connect() on it fail with EADDRNOTAVAIL, and a demo started in that
 * moment failed (check_lab's test_lab_ipv6, once in a run of the suite). */
static bool v6_usable(const struct in6_addr *addr)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = *addr };
	for (int i = 0; i < 1000; i++) {
		int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return false;
		int rc = bind(s, (struct sockaddr *)&a, sizeof a);
		int err = errno;
		close(s);
		if (rc == 0)
			return true;
		if (err != EADDRNOTAVAIL)
			return false;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return false;
}

/* Addresses the device WIRE_IF of the current namespace as side and brings it up; TUN
 * devices are point to point, a veth end gets a /30 holding both sides. Sets *ipv6 when
 * the IPv6 address took. Returns 0, or -1 with errno set. */
static int address_wire(int side, bool p2p, short flags, int *ipv6)
{
	int ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ctl < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", WIRE_IF);
	int rc = -1;
	if (flags) {
		if (ioctl(ctl, SIOCGIFFLAGS, &ifr) < 0)
			goto out;
		ifr.ifr_flags |= flags;
		if (ioctl(ctl, SIOCSIFFLAGS, &ifr) < 0)
			goto out;
	}
	struct sockaddr_in a = { .sin_family = AF_INET };
	inet_pton(AF_INET, side_v4[side], &a.sin_addr);
	memcpy(&ifr.ifr_addr, &a, sizeof a);
	if (ioctl(ctl, SIOCSIFADDR, &ifr) < 0)
		goto out;
	inet_pton(AF_INET, p2p ? side_v4[!side] : "255.255.255.252", &a.sin_addr);
	if (p2p)
		memcpy(&ifr.ifr_dstaddr, &a, sizeof a);
	else
		memcpy(&ifr.ifr_netmask, &a, sizeof a);
	if (ioctl(ctl, p2p ? SIOCSIFDSTADDR : SIOCSIFNETMASK, &ifr) < 0 || if_up(ctl, WIRE_IF) < 0)
		goto out;
	rc = 0;
	/* IPv6 is a bonus: the wire works without it. Both kinds of device are NOARP, so the
	 * address needs no duplicate detection, but it is usable only once the kernel's queued
	 * work has completed it (v6_usable()). */
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
		*ipv6 = u.r6.ifindex > 0 && ioctl(ctl6, SIOCSIFADDR, &u.r6) == 0 &&
			v6_usable(&u.r6.addr);
		close(ctl6);
	}
out:;
	int saved = errno;
	close(ctl);
	errno = saved;
	return rc;
}

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
	} else if (address_wire(side, true, 0, ipv6) < 0) {
		*problem = LAB_TUN_FAILED;
	} else {
		return fd;
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* ---- the veth wire: used when TUN is not --------------------------------------------- */

/* The names of the veth ends in the relay's namespace, and the addresses of the ends in
 * the sides' namespaces (locally administered; the relay writes frames to them). */
static const char *const relay_if[2] = { "side0", "side1" };
static const unsigned char wire_mac[2][6] = { { 0x02, 's', 't', 0, 0, 1 },
					      { 0x02, 's', 't', 0, 0, 2 } };

static void nl_put(struct nlmsghdr *n, size_t cap, unsigned short type, const void *data,
		   size_t len)
{
	size_t at = NLMSG_ALIGN(n->nlmsg_len);
	if (at + RTA_SPACE(len) > cap)
		return;	/* cannot happen with the fixed buffer below */
	struct rtattr *rta = (struct rtattr *)((char *)n + at);
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = (unsigned)(at + RTA_SPACE(len));
}

static struct rtattr *nl_nest(struct nlmsghdr *n, size_t cap, unsigned short type)
{
	struct rtattr *rta = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));
	nl_put(n, cap, type, NULL, 0);
	return rta;
}

static void nl_end(struct nlmsghdr *n, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)n + n->nlmsg_len - (char *)nest);
}

/* Creates the veth pair WIRE_IF (here, with mac) and peer (moved into the namespace
 * peer_ns) through rtnetlink, as `ip link add` does. Returns 0, or -1 with errno set. */
static int make_veth_pair(const unsigned char mac[6], const char *peer, int peer_ns)
{
	union {
		struct nlmsghdr n;
		char buf[512];
	} req;
	memset(&req, 0, sizeof req);
	struct nlmsghdr *n = &req.n;
	n->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	n->nlmsg_type = RTM_NEWLINK;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	((struct ifinfomsg *)NLMSG_DATA(n))->ifi_family = AF_UNSPEC;
	nl_put(n, sizeof req, IFLA_IFNAME, WIRE_IF, sizeof WIRE_IF);
	nl_put(n, sizeof req, IFLA_ADDRESS, mac, 6);
	struct rtattr *info = nl_nest(n, sizeof req, IFLA_LINKINFO);
	nl_put(n, sizeof req, IFLA_INFO_KIND, "veth", sizeof "veth");
	struct rtattr *data = nl_nest(n, sizeof req, IFLA_INFO_DATA);
	struct rtattr *peer_info = nl_nest(n, sizeof req, VETH_INFO_PEER);
	n->nlmsg_len += NLMSG_ALIGN(sizeof(struct ifinfomsg));	/* the peer's, all zero */
	nl_put(n, sizeof req, IFLA_IFNAME, peer, strlen(peer) + 1);
	uint32_t ns = (uint32_t)peer_ns;
	nl_put(n, sizeof req, IFLA_NET_NS_FD, &ns, sizeof ns);
	nl_end(n, peer_info);
	nl_end(n, data);
	nl_end(n, info);

	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -1;
	int rc = -1;
	if (send(s, n, n->nlmsg_len, 0) == (ssize_t)n->nlmsg_len) {
		union {
			struct nlmsghdr n;
			char buf[1024];
		} ack;
		ssize_t got = recv(s, &ack, sizeof ack, 0);
		if (got >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) &&
		    ack.n.nlmsg_type == NLMSG_ERROR) {
			int e = ((struct nlmsgerr *)NLMSG_DATA(&ack.n))->error;
			if (e == 0)
				rc = 0;
			else
				errno = -e;
		} else if (got >= 0) {
			errno = EPROTO;
		}
	}
	int saved = errno;
	close(s);
	errno = saved;
	return rc;
}

/* Turns an offload off (best effort): the relay must see finished packets, checksummed
 * and cut to size, and deliver them as they are. */
static void offload_off(int ctl, const char *name, uint32_t cmd)
{
	struct ethtool_value ev = { .cmd = cmd, .data = 0 };
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	ifr.ifr_data = (char *)&ev;
	ioctl(ctl, SIOCETHTOOL, &ifr);
}

/* The current namespace's end of the veth wire, addressed as side, its peer in relay_ns.
 * Returns 0, or -1 with errno set. */
static int make_veth(int side, int relay_ns, int *ipv6)
{
	if (make_veth_pair(wire_mac[side], relay_if[side], relay_ns) < 0)
		return -1;
	int ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ctl < 0)
		return -1;
	/* software checksums and segmentation: what the relay reads is what a wire carries */
	offload_off(ctl, WIRE_IF, ETHTOOL_STXCSUM);
	offload_off(ctl, WIRE_IF, ETHTOOL_STSO);
	offload_off(ctl, WIRE_IF, ETHTOOL_SGSO);
	close(ctl);
	/* NOARP: no ARP or neighbour discovery on the wire; frames go out at once, addressed
	 * to the device itself, and the relay rewrites nothing but the frame's destination */
	return address_wire(side, false, IFF_NOARP, ipv6);
}

/* A non-blocking packet socket of type (SOCK_RAW: with the link header, SOCK_DGRAM:
 * without) for every frame on device ifindex, or -1. */
static int packet_socket(int type, int ifindex)
{
	int fd = socket(AF_PACKET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (fd < 0)
		return -1;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = ifindex };
	if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* A packet socket on the relay namespace's end of side's veth pair, or -1. */
static int relay_socket(int side, int *ifindex)
{
	int ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ctl < 0)
		return -1;
	offload_off(ctl, relay_if[side], ETHTOOL_SGRO);
	int up = if_up(ctl, relay_if[side]);
	close(ctl);
	*ifindex = (int)if_nametoindex(relay_if[side]);
	if (up < 0 || *ifindex <= 0)
		return -1;
	return packet_socket(SOCK_DGRAM, *ifindex);
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

/* Sends the wire's descriptors (fds[0], fds[1]) with a sock_diag socket per side, then
 * serves socket requests; never returns. */
static void helper_full(int sock, hello *h, int *fds, const int ns[2])
{
	if ((fds[3] = (setns(ns[1], CLONE_NEWNET) < 0 ? -1 : diag_socket())) < 0 ||
	    (fds[2] = (setns(ns[0], CLONE_NEWNET) < 0 ? -1 : diag_socket())) < 0)
		helper_fail(sock, LAB_NO_NETNS);
	h->mode = LAB_FULL;
	h->nfds = 4;
	if (send_fds(sock, h, sizeof *h, fds, 4) < 0)
		_exit(1);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	helper_serve(sock, ns, 2);
	_exit(0);
}

/* The wire through TUN devices; returns only when it cannot be made (h->problem says
 * why), back in namespace 0. */
static void try_tun(int sock, hello *h, int ns[2])
{
	int fds[4], ipv6[2] = { 0, 0 };
	if ((fds[0] = make_tun(0, &h->problem, &ipv6[0])) < 0)
		goto fail;
	if (ns[1] < 0 && (ns[1] = enter_new_netns()) < 0)
		helper_fail(sock, LAB_NO_NETNS);
	if (setns(ns[1], CLONE_NEWNET) < 0)
		helper_fail(sock, LAB_NO_NETNS);
	if ((fds[1] = make_tun(1, &h->problem, &ipv6[1])) < 0) {
		close(fds[0]);
		goto fail;
	}
	h->wire = WIRE_TUN;
	h->ipv6 = ipv6[0] && ipv6[1];
	helper_full(sock, h, fds, ns);
fail:
	h->err = errno;
	if (setns(ns[0], CLONE_NEWNET) < 0)
		helper_fail(sock, LAB_NO_NETNS);
}

/* The wire through veth pairs into a third namespace, where packet sockets read and
 * write the frames; returns only when it cannot be made, back in namespace 0. */
static void try_veth(int sock, hello *h, int ns[2])
{
	int fds[4], ipv6[2] = { 0, 0 };
	int relay = enter_new_netns();
	if (relay < 0)
		goto fail;
	/* the relay's ends carry no addresses and send nothing of their own */
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	if (setns(ns[0], CLONE_NEWNET) < 0 || make_veth(0, relay, &ipv6[0]) < 0)
		goto fail_relay;
	if (ns[1] < 0 && (ns[1] = enter_new_netns()) < 0)
		goto fail_relay;
	if (setns(ns[1], CLONE_NEWNET) < 0 || make_veth(1, relay, &ipv6[1]) < 0)
		goto fail_relay;
	if (setns(relay, CLONE_NEWNET) < 0 || (fds[0] = relay_socket(0, &h->ifindex[0])) < 0)
		goto fail_relay;
	if ((fds[1] = relay_socket(1, &h->ifindex[1])) < 0) {
		close(fds[0]);
		goto fail_relay;
	}
	close(relay);
	h->wire = WIRE_VETH;
	h->ipv6 = ipv6[0] && ipv6[1];
	helper_full(sock, h, fds, ns);
fail_relay:
	close(relay);
fail:
	if (h->problem == LAB_OK) {
		h->problem = LAB_VETH_FAILED;
		h->err = errno;
	}
	if (setns(ns[0], CLONE_NEWNET) < 0)
		helper_fail(sock, LAB_NO_NETNS);
}

static void helper_main(int sock, pid_t parent, uid_t uid, gid_t gid, lab_wire_kind only)
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
	if (only != WIRE_VETH)
		try_tun(sock, &h, ns);
	if (only != WIRE_TUN)
		try_veth(sock, &h, ns);

	/* Capture only, in namespace 0. */
	h.mode = LAB_CAPTURE;
	h.wire = WIRE_NONE;
	int fds[2];
	if ((fds[0] = packet_socket(SOCK_RAW, (int)if_nametoindex("lo"))) < 0)
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
	lab_wire_kind wire;
	int ifindex[2];		/* WIRE_VETH: the relay's packet sockets' devices */
	bool ipv6;
	pid_t pid;
	int ctl;
	int tun[2];		/* LAB_FULL: TUN devices, or packet sockets on the veth ends */
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
	case LAB_VETH_FAILED: return N_("The veth pairs for the wire could not be set up");
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
	const char *want = getenv("SOCKTUTOR_LAB_WIRE");
	lab_wire_kind only = !want ? WIRE_NONE : !strcmp(want, "tun") ? WIRE_TUN :
			     !strcmp(want, "veth") ? WIRE_VETH : WIRE_NONE;
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
		helper_main(sv[1], parent, uid, gid, only);
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
	l->wire = (lab_wire_kind)h.wire;
	l->ifindex[0] = h.ifindex[0];
	l->ifindex[1] = h.ifindex[1];
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
	st->wire = l->wire;
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
				struct sockaddr_ll from = { .sll_pkttype = PACKET_HOST };
				socklen_t flen = sizeof from;
				ssize_t n = l->wire == WIRE_TUN ?
					read(l->tun[side], l->buf, MAX_PACKET) :
					recvfrom(l->tun[side], l->buf, MAX_PACKET, 0,
						 (struct sockaddr *)&from, &flen);
				if (n <= 0)
					break;
				/* the frames the relay itself writes to this end */
				if (from.sll_pkttype == PACKET_OUTGOING)
					continue;
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

/* Hands a packet to side's kernel. */
static ssize_t put_packet(const lab *l, int side, const unsigned char *d, size_t n)
{
	if (l->wire != WIRE_VETH)
		return write(l->tun[side], d, n);
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = l->ifindex[side],
				  .sll_protocol = htons(n && d[0] >> 4 == 6 ? ETH_P_IPV6 : ETH_P_IP),
				  .sll_halen = 6 };
	memcpy(to.sll_addr, wire_mac[side], 6);
	return sendto(l->tun[side], d, n, 0, (struct sockaddr *)&to, sizeof to);
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
			int copies = h->dup ? 2 : 1;
			for (int c = 0; c < copies; c++)
				if (put_packet(l, !h->p.from, h->p.data, h->p.len) < 0)
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
