#include "config.h"

#include "observe.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Above this many ports the bytecode would outgrow a netlink attribute (16-bit length):
 * the kernel then sends everything and the ports are filtered here only. */
#define MAX_BYTECODE_PORTS 1024

/* The recvmsg() buffer: the kernel never sends a dump datagram larger than 32 KiB. */
#define RECV_BUF_SIZE 32768

static const char *const state_names[] = {
	[TCPS_NONE] = "UNKNOWN",
	[TCPS_ESTABLISHED] = "ESTABLISHED",
	[TCPS_SYN_SENT] = "SYN_SENT",
	[TCPS_SYN_RECV] = "SYN_RECV",
	[TCPS_FIN_WAIT1] = "FIN_WAIT1",
	[TCPS_FIN_WAIT2] = "FIN_WAIT2",
	[TCPS_TIME_WAIT] = "TIME_WAIT",
	[TCPS_CLOSE] = "CLOSE",
	[TCPS_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCPS_LAST_ACK] = "LAST_ACK",
	[TCPS_LISTEN] = "LISTEN",
	[TCPS_CLOSING] = "CLOSING",
};

const char *observe_state_name(tcp_state st)
{
	if ((unsigned)st >= ARRAY_SIZE(state_names))
		return "UNKNOWN";
	return state_names[st];
}

const char *observe_entry_state_name(const observe_entry *e)
{
	if (e->protocol == IPPROTO_UDP && e->state == TCPS_CLOSE)
		return "UNCONN";
	return observe_state_name(e->state);
}

int observe_fd_state(int fd, tcp_state *st)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	*st = (tcp_state)ti.tcpi_state;
	return 0;
}

uint16_t observe_port(const struct sockaddr_storage *addr)
{
	if (addr->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)addr)->sin_port);
	if (addr->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
	return 0;
}

/* The bytecode the kernel runs on each socket: "sport == p1 or dport == p1 or sport == p2
 * or ...". A comparison jumps by `yes` bytes when true and by `no` when false; the socket
 * is kept when the program ends exactly at its last byte, dropped when a jump overshoots.
 * So each comparison, when true, lands on a JMP to the end; when false, skips that JMP to
 * the next comparison, and the last one's false jump overshoots. Returns the length. */
static size_t build_bytecode(const uint16_t *ports, size_t nports, unsigned char **out)
{
	size_t nterms = 0;
	for (size_t i = 0; i < nports; i++)
		if (ports[i])
			nterms += 2;
	size_t len = nterms * 8 + (nterms - 1) * 4;
	unsigned char *bc = xmalloc(len);
	size_t off = 0, term = 0;
	for (size_t i = 0; i < nports; i++) {
		if (!ports[i])
			continue;
		for (int side = 0; side < 2; side++, term++) {
			struct inet_diag_bc_op op = {
				.code = side ? INET_DIAG_BC_D_EQ : INET_DIAG_BC_S_EQ,
				.yes = 8,
				.no = 12,
			};
			struct inet_diag_bc_op arg = { .no = ports[i] };
			memcpy(bc + off, &op, sizeof op);
			memcpy(bc + off + 4, &arg, sizeof arg);
			off += 8;
			if (term + 1 < nterms) {
				size_t rest = (nterms - term - 1) * 12 - 4;
				struct inet_diag_bc_op jmp = {
					.code = INET_DIAG_BC_JMP,
					.yes = 4,
					.no = (unsigned short)(rest + 4),
				};
				memcpy(bc + off, &jmp, sizeof jmp);
				off += 4;
			}
		}
	}
	*out = bc;
	return len;
}

static bool port_wanted(const uint16_t *ports, size_t nports, uint16_t p)
{
	for (size_t i = 0; i < nports; i++)
		if (ports[i] && ports[i] == p)
			return true;
	return false;
}

static void set_addr(struct sockaddr_storage *ss, int family, const __be32 *addr, __be16 port)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = port;
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		memcpy(&sin6->sin6_addr, addr, 16);
	}
}

typedef struct entry_list {
	observe_entry *items;
	size_t count;
	size_t cap;
} entry_list;

static void add_entry(entry_list *l, int protocol, const struct inet_diag_msg *m)
{
	grow_array((void **)&l->items, &l->cap, l->count, sizeof *l->items);
	observe_entry *e = &l->items[l->count++];
	memset(e, 0, sizeof *e);
	e->family = m->idiag_family;
	e->protocol = protocol;
	e->state = (tcp_state)m->idiag_state;
	set_addr(&e->local, m->idiag_family, m->id.idiag_src, m->id.idiag_sport);
	set_addr(&e->remote, m->idiag_family, m->id.idiag_dst, m->id.idiag_dport);
	e->rqueue = m->idiag_rqueue;
	e->wqueue = m->idiag_wqueue;
	e->inode = m->idiag_inode;
	e->uid = m->idiag_uid;
	e->timer = (observe_timer)m->idiag_timer;
	e->retrans = m->idiag_retrans;
	e->expires_ms = m->idiag_timer ? m->idiag_expires : 0;
	e->ifindex = (int)m->id.idiag_if;
}

/* Sends one dump request (one family) and collects the answers up to NLMSG_DONE. */
static int dump_family(int nl, unsigned seq, int family, int protocol, unsigned states,
		       const unsigned char *bc, size_t bclen, const uint16_t *ports, size_t nports,
		       void *buf, entry_list *l)
{
	/* AF_UNSPEC (TCP only): the older request, TCPDIAG_GETSOCK, which the kernel answers
	 * for both families in one walk of its connection hash; SOCK_DIAG_BY_FAMILY walks the
	 * whole hash once per family, and the walk is most of what a snapshot costs */
	bool both = family == AF_UNSPEC;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} hdr;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req req;
	} old;
	struct rtattr rta;
	memset(&hdr, 0, sizeof hdr);
	memset(&old, 0, sizeof old);
	hdr.req.sdiag_family = (unsigned char)family;
	hdr.req.sdiag_protocol = (unsigned char)protocol;
	hdr.req.idiag_states = states;
	old.req.idiag_states = states;
	struct nlmsghdr *nlh = both ? &old.nlh : &hdr.nlh;
	size_t hlen = both ? sizeof old : sizeof hdr;
	uint16_t type = both ? TCPDIAG_GETSOCK : SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rta.rta_type = INET_DIAG_REQ_BYTECODE;
	rta.rta_len = (unsigned short)RTA_LENGTH(bclen);

	struct iovec iov[3] = {
		{ .iov_base = nlh, .iov_len = hlen },
		{ .iov_base = &rta, .iov_len = sizeof rta },
		{ .iov_base = (void *)bc, .iov_len = bclen },
	};
	size_t niov = bc ? 3 : 1;
	nlh->nlmsg_len = (unsigned)(hlen + (bc ? RTA_SPACE(bclen) : 0));
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr msg = {
		.msg_name = &kernel,
		.msg_namelen = sizeof kernel,
		.msg_iov = iov,
		.msg_iovlen = niov,
	};
	ssize_t n;
	do
		n = sendmsg(nl, &msg, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;

	for (;;) {
		struct iovec riov = { .iov_base = buf, .iov_len = RECV_BUF_SIZE };
		struct msghdr rmsg = { .msg_iov = &riov, .msg_iovlen = 1 };
		do
			n = recvmsg(nl, &rmsg, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -1;
		if (n == 0 || (rmsg.msg_flags & MSG_TRUNC)) {
			errno = n ? EMSGSIZE : EPROTO;
			return -1;
		}
		for (size_t off = 0; off + sizeof(struct nlmsghdr) <= (size_t)n;) {
			struct nlmsghdr *h = (struct nlmsghdr *)((char *)buf + off);
			if (h->nlmsg_len < sizeof *h || h->nlmsg_len > (size_t)n - off)
				break;
			off += NLMSG_ALIGN(h->nlmsg_len);
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				/* a dump that failed half way says why here */
				int status = 0;
				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof status))
					memcpy(&status, NLMSG_DATA(h), sizeof status);
				if (status < 0) {
					errno = -status;
					return -1;
				}
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err = NLMSG_DATA(h);
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof *err)) {
					errno = EPROTO;
					return -1;
				}
				if (err->error == 0)	/* an acknowledgement */
					continue;
				errno = -err->error;
				return -1;
			}
			if (h->nlmsg_type != type ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				continue;
			const struct inet_diag_msg *m = NLMSG_DATA(h);
			if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
				continue;
			if (ports && !port_wanted(ports, nports, ntohs(m->id.idiag_sport)) &&
			    !port_wanted(ports, nports, ntohs(m->id.idiag_dport)))
				continue;
			add_entry(l, protocol, m);
		}
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const observe_entry *x = a, *y = b;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	uint16_t xl = observe_port(&x->local), yl = observe_port(&y->local);
	if (xl != yl)
		return xl < yl ? -1 : 1;
	uint16_t xr = observe_port(&x->remote), yr = observe_port(&y->remote);
	if (xr != yr)
		return xr < yr ? -1 : 1;
	return (x->state > y->state) - (x->state < y->state);
}

int observe_snapshot(int protocol, const uint16_t *ports, size_t nports,
		     observe_entry **out, size_t *count)
{
	return observe_snapshot_in(-1, protocol, ports, nports, out, count);
}

int observe_snapshot_in(int diag, int protocol, const uint16_t *ports, size_t nports,
			observe_entry **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP) {
		errno = EINVAL;
		return -1;
	}
	size_t nonzero = 0;
	for (size_t i = 0; ports && i < nports; i++)
		nonzero += ports[i] != 0;
	if (ports && nonzero == 0)
		return 0;

	unsigned char *bc = NULL;
	size_t bclen = 0;
	if (ports && nonzero <= MAX_BYTECODE_PORTS)
		bclen = build_bytecode(ports, nports, &bc);

	int nl = diag >= 0 ? diag : socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0) {
		free(bc);
		return -1;
	}
	entry_list l = { 0 };
	void *buf = xmalloc(RECV_BUF_SIZE);
	static bool no_old_request;	/* a kernel without TCPDIAG_GETSOCK: one dump per family */
	bool one_walk = protocol == IPPROTO_TCP && !no_old_request;
	int rc = 0;
	if (one_walk) {
		rc = dump_family(nl, 3, AF_UNSPEC, protocol, ~0U, bc, bclen, ports, nports, buf, &l);
		if (rc < 0 && (errno == EINVAL || errno == EOPNOTSUPP || errno == ENOENT)) {
			no_old_request = true;
			one_walk = false;
			l.count = 0;
		}
	}
	if (!one_walk) {
		rc = dump_family(nl, 1, AF_INET, protocol, ~0U, bc, bclen, ports, nports, buf, &l);
		if (rc == 0)
			rc = dump_family(nl, 2, AF_INET6, protocol, ~0U, bc, bclen, ports, nports, buf,
					 &l);
	}
	int saved = errno;
	if (nl != diag)
		close(nl);
	free(buf);
	free(bc);
	if (rc < 0) {
		free(l.items);
		errno = saved;
		return -1;
	}
	if (l.count)
		qsort(l.items, l.count, sizeof *l.items, cmp_entry);
	else {
		free(l.items);
		l.items = NULL;
	}
	*out = l.items;
	*count = l.count;
	return 0;
}

void observe_free(observe_entry *entries)
{
	free(entries);
}

static bool loopback_addr(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)a)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a6) || (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
}

/* The inodes of this process's socket descriptors, sorted. */
static size_t own_socket_inodes(unsigned **out)
{
	size_t n = 0, cap = 0;
	*out = NULL;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char link[64];
		char path[300];
		snprintf(path, sizeof path, "/proc/self/fd/%s", de->d_name);
		ssize_t len = readlink(path, link, sizeof link - 1);
		unsigned ino;
		if (len <= 0)
			continue;
		link[len] = 0;
		if (sscanf(link, "socket:[%u]", &ino) != 1)
			continue;
		grow_array((void **)out, &cap, n, sizeof **out);
		(*out)[n++] = ino;
	}
	closedir(d);
	return n;
}

static bool has_inode(const unsigned *inodes, size_t n, unsigned ino)
{
	for (size_t i = 0; i < n; i++)
		if (inodes[i] == ino)
			return true;
	return false;
}

int observe_exposed(observe_entry **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -1;
	/* asking for LISTEN only makes the TCP dump cheap: the kernel walks only its listening
	 * hash (about 20 us here, against 1 ms for every state) */
	static const struct {
		int family, protocol;
		unsigned states;
	} dumps[] = {
		{ AF_INET, IPPROTO_TCP, 1U << TCPS_LISTEN },
		{ AF_INET6, IPPROTO_TCP, 1U << TCPS_LISTEN },
		{ AF_INET, IPPROTO_UDP, ~0U },
		{ AF_INET6, IPPROTO_UDP, ~0U },
	};
	entry_list l = { 0 };
	void *buf = xmalloc(RECV_BUF_SIZE);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof dumps / sizeof *dumps; i++)
		rc = dump_family(nl, (unsigned)i + 1, dumps[i].family, dumps[i].protocol,
				 dumps[i].states, NULL, 0, NULL, 0, buf, &l);
	int saved = errno;
	close(nl);
	free(buf);
	if (rc < 0) {
		free(l.items);
		errno = saved;
		return -1;
	}
	unsigned *inodes;
	size_t ninodes = own_socket_inodes(&inodes);
	int lo = (int)if_nametoindex("lo");
	size_t kept = 0;
	for (size_t i = 0; i < l.count; i++) {
		const observe_entry *e = &l.items[i];
		if (e->inode && has_inode(inodes, ninodes, e->inode) && !loopback_addr(&e->local) &&
		    !(lo && e->ifindex == lo))
			l.items[kept++] = *e;
	}
	free(inodes);
	if (kept == 0) {
		free(l.items);
		l.items = NULL;
	}
	*out = l.items;
	*count = kept;
	return 0;
}

/* "addr:port" as ss writes it: IPv6 in brackets, "*" for a wildcard peer port, the device
 * after the address when the socket is bound to one (0.0.0.0%lo:5000). */
static void format_endpoint(strbuf *sb, const struct sockaddr_storage *addr, const char *dev,
			    bool peer)
{
	char text[INET6_ADDRSTRLEN] = "?";
	if (addr->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, text, sizeof text);
	else if (addr->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, text,
			  sizeof text);
	uint16_t port = observe_port(addr);
	if (addr->ss_family == AF_INET6)
		strbuf_addf(sb, "[%s]%s%s:", text, *dev ? "%" : "", dev);
	else
		strbuf_addf(sb, "%s%s%s:", text, *dev ? "%" : "", dev);
	if (peer && port == 0)
		strbuf_addc(sb, '*');
	else
		strbuf_addf(sb, "%u", (unsigned)port);
}

char *observe_format(const observe_entry *e)
{
	strbuf sb = { 0 };
	strbuf_addf(&sb, "%-11s %-6u %-6u ", observe_entry_state_name(e), e->rqueue, e->wqueue);
	size_t start = sb.len;
	char dev[IF_NAMESIZE] = "";
	if (e->ifindex && !if_indextoname((unsigned)e->ifindex, dev))
		dev[0] = 0;
	format_endpoint(&sb, &e->local, dev, false);
	while (sb.len - start < 21)
		strbuf_addc(&sb, ' ');
	strbuf_addc(&sb, ' ');
	format_endpoint(&sb, &e->remote, "", true);
	return strbuf_take(&sb);
}
