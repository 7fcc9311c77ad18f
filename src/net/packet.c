#include "config.h"

#include "packet.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define TCP_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8
#define ETHER_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

/* IPv6 next header values this decoder knows (IPPROTO_* are not all in every libc). */
#define NH_HOPOPTS 0
#define NH_ICMP 1
#define NH_TCP 6
#define NH_UDP 17
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_ICMPV6 58
#define NH_DSTOPTS 60

/* TCP option kinds (RFC 9293, 2018, 7323). */
#define OPT_EOL 0
#define OPT_NOP 1
#define OPT_MSS 2
#define OPT_WSCALE 3
#define OPT_SACK_PERM 4
#define OPT_TS 8

/* RFC 7323: a larger shift is taken as 14. */
#define MAX_WSCALE 14

static const char *const bad_version[16] = {
	"unsupported IP version 0", "unsupported IP version 1", "unsupported IP version 2",
	"unsupported IP version 3", "unsupported IP version 4", "unsupported IP version 5",
	"unsupported IP version 6", "unsupported IP version 7", "unsupported IP version 8",
	"unsupported IP version 9", "unsupported IP version 10", "unsupported IP version 11",
	"unsupported IP version 12", "unsupported IP version 13", "unsupported IP version 14",
	"unsupported IP version 15",
};

static uint16_t get16(const unsigned char *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t get32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put16(unsigned char *b, unsigned v)
{
	b[0] = (unsigned char)(v >> 8);
	b[1] = (unsigned char)v;
}

static void put32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

/* Fills *ss with an address of family (4 or 16 bytes at addr) and port 0. */
static void set_addr(struct sockaddr_storage *ss, int family, const unsigned char *addr)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		memcpy(&a->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		memcpy(&a->sin6_addr, addr, 16);
	}
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static uint16_t get_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

/* The 4 or 16 address bytes of an AF_INET or AF_INET6 address; NULL for another family. */
static const unsigned char *addr_bytes(const struct sockaddr_storage *ss, size_t *n)
{
	if (ss->ss_family == AF_INET) {
		*n = 4;
		return (const unsigned char *)&((const struct sockaddr_in *)ss)->sin_addr;
	}
	if (ss->ss_family == AF_INET6) {
		*n = 16;
		return (const unsigned char *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
	}
	*n = 0;
	return NULL;
}

static void pkt_clear(pkt *p)
{
	memset(p, 0, sizeof *p);
	p->mss = -1;
	p->wscale = -1;
}

/* Skips hop-by-hop, routing and destination options headers from *off on, up to end; leaves
 * *nh the next header after them. Every such header is a multiple of 8 bytes, at least 8. */
static const char *skip_ext6(const unsigned char *d, size_t end, size_t *off, unsigned *nh)
{
	while (*nh == NH_HOPOPTS || *nh == NH_ROUTING || *nh == NH_DSTOPTS) {
		if (end - *off < 8)
			return "truncated IPv6 extension header";
		size_t hl = ((size_t)d[*off + 1] + 1) * 8;
		if (hl > end - *off)
			return "truncated IPv6 extension header";
		*nh = d[*off];
		*off += hl;
	}
	return NULL;
}

static const char *decode_tcp_options(const unsigned char *o, size_t n, pkt *p)
{
	size_t i = 0;
	while (i < n) {
		unsigned kind = o[i];
		if (kind == OPT_EOL)
			break;
		if (kind == OPT_NOP) {
			i++;
			continue;
		}
		if (n - i < 2)
			return "TCP option runs past the header";
		size_t ol = o[i + 1];
		if (ol < 2)
			return "bad TCP option length";
		if (ol > n - i)
			return "TCP option runs past the header";
		const unsigned char *v = o + i + 2;
		switch (kind) {
		case OPT_MSS:
			if (ol != 4)
				return "bad TCP option length";
			p->mss = get16(v);
			break;
		case OPT_WSCALE:
			if (ol != 3)
				return "bad TCP option length";
			p->wscale = v[0];
			break;
		case OPT_SACK_PERM:
			if (ol != 2)
				return "bad TCP option length";
			p->sack_ok = true;
			break;
		case OPT_TS:
			if (ol != 10)
				return "bad TCP option length";
			p->has_ts = true;
			p->ts_val = get32(v);
			p->ts_ecr = get32(v + 4);
			break;
		default:
			break;
		}
		i += ol;
	}
	return NULL;
}

static const char *decode_tcp(const unsigned char *s, size_t n, pkt *p)
{
	if (n < TCP_HLEN)
		return "truncated TCP header";
	size_t hl = (size_t)(s[12] >> 4) * 4;
	if (hl < TCP_HLEN)
		return "bad TCP data offset";
	if (hl > n)
		return "TCP data offset beyond the segment";
	set_port(&p->src, get16(s));
	set_port(&p->dst, get16(s + 2));
	p->seq = get32(s + 4);
	p->ack = get32(s + 8);
	p->flags = s[13];
	p->window = get16(s + 14);
	const char *err = decode_tcp_options(s + TCP_HLEN, hl - TCP_HLEN, p);
	if (err)
		return err;
	p->proto = PKT_TCP;
	p->payload = s + hl;
	p->payload_len = n - hl;
	return NULL;
}

/* A UDP length beyond the IP payload is an error, except in the first fragment of a
 * datagram, whose payload is then what the fragment holds. */
static const char *decode_udp(const unsigned char *s, size_t n, pkt *p)
{
	if (n < UDP_HLEN)
		return "truncated UDP header";
	size_t ul = get16(s + 4);
	if (ul == 0 && n > 65535)
		ul = n;
	if (ul < UDP_HLEN)
		return "bad UDP length";
	if (ul > n) {
		if (!p->fragment)
			return "UDP length exceeds the IP payload";
		ul = n;
	}
	set_port(&p->src, get16(s));
	set_port(&p->dst, get16(s + 2));
	p->proto = PKT_UDP;
	p->payload = s + UDP_HLEN;
	p->payload_len = ul - UDP_HLEN;
	return NULL;
}

static pkt_proto proto_of(int family, unsigned nh)
{
	if (nh == NH_TCP)
		return PKT_TCP;
	if (nh == NH_UDP)
		return PKT_UDP;
	if ((family == AF_INET && nh == NH_ICMP) || (family == AF_INET6 && nh == NH_ICMPV6))
		return PKT_ICMP;
	return PKT_OTHER;
}

/* The datagram an ICMP error quotes: an IP header and at least 8 bytes of what followed, often
 * cut short, so nothing here fails; what cannot be read stays unset. */
static void decode_quoted(const unsigned char *q, size_t n, pkt *p)
{
	if (n < 1)
		return;
	int family;
	const unsigned char *sa, *da;
	unsigned nh;
	size_t off;
	bool transport = true;
	if (q[0] >> 4 == 4) {
		if (n < IPV4_HLEN)
			return;
		off = (size_t)(q[0] & 0x0f) * 4;
		if (off < IPV4_HLEN || off > n)
			return;
		family = AF_INET;
		sa = q + 12;
		da = q + 16;
		nh = q[9];
		if (get16(q + 6) & 0x1fff)
			transport = false;
	} else if (q[0] >> 4 == 6) {
		if (n < IPV6_HLEN)
			return;
		family = AF_INET6;
		sa = q + 8;
		da = q + 24;
		nh = q[6];
		off = IPV6_HLEN;
		if (skip_ext6(q, n, &off, &nh) || nh == NH_FRAGMENT)
			transport = false;
	} else {
		return;
	}
	set_addr(&p->quoted_src, family, sa);
	set_addr(&p->quoted_dst, family, da);
	if (!transport)
		return;
	p->quoted_proto = proto_of(family, nh);
	if ((p->quoted_proto == PKT_TCP || p->quoted_proto == PKT_UDP) && n - off >= 4) {
		set_port(&p->quoted_src, get16(q + off));
		set_port(&p->quoted_dst, get16(q + off + 2));
	}
}

static bool icmp_is_error(int family, unsigned type)
{
	if (family == AF_INET)
		return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
	return type >= 1 && type <= 4;
}

static bool icmp_is_echo(int family, unsigned type)
{
	if (family == AF_INET)
		return type == 0 || type == 8;
	return type == 128 || type == 129;
}

static const char *decode_icmp(const unsigned char *s, size_t n, pkt *p)
{
	if (n < ICMP_HLEN)
		return "truncated ICMP header";
	p->icmp_type = s[0];
	p->icmp_code = s[1];
	if (icmp_is_echo(p->family, p->icmp_type)) {
		p->icmp_id = get16(s + 4);
		p->icmp_seq = get16(s + 6);
	}
	if (icmp_is_error(p->family, p->icmp_type))
		decode_quoted(s + ICMP_HLEN, n - ICMP_HLEN, p);
	p->proto = PKT_ICMP;
	p->payload = s + ICMP_HLEN;
	p->payload_len = n - ICMP_HLEN;
	return NULL;
}

/* The transport header of p->ip_proto; p->payload is already the whole IP payload, which
 * stays when the protocol is not one decoded here. */
static const char *decode_transport(const unsigned char *s, size_t n, pkt *p)
{
	switch (proto_of(p->family, p->ip_proto)) {
	case PKT_TCP:
		return decode_tcp(s, n, p);
	case PKT_UDP:
		return decode_udp(s, n, p);
	case PKT_ICMP:
		return decode_icmp(s, n, p);
	default:
		return NULL;
	}
}

static const char *decode_ipv4(const unsigned char *d, size_t len, pkt *p)
{
	if (len < IPV4_HLEN)
		return "truncated IPv4 header";
	size_t hl = (size_t)(d[0] & 0x0f) * 4;
	if (hl < IPV4_HLEN)
		return "bad IPv4 header length";
	if (hl > len)
		return "truncated IPv4 header";
	size_t total = get16(d + 2);
	if (total == 0 && len > 65535)
		total = len;
	if (total < hl)
		return "bad IPv4 total length";
	if (total > len)
		return "IP total length exceeds the frame";
	p->family = AF_INET;
	p->ip_len = (unsigned)total;
	p->ttl = d[8];
	p->ip_proto = d[9];
	set_addr(&p->src, AF_INET, d + 12);
	set_addr(&p->dst, AF_INET, d + 16);
	p->payload = d + hl;
	p->payload_len = total - hl;
	unsigned frag = get16(d + 6);
	p->fragment = (frag & 0x3fff) != 0;	/* MF or an offset */
	if (frag & 0x1fff)
		return NULL;
	return decode_transport(d + hl, total - hl, p);
}

static const char *decode_ipv6(const unsigned char *d, size_t len, pkt *p)
{
	if (len < IPV6_HLEN)
		return "truncated IPv6 header";
	size_t plen = get16(d + 4);
	if (plen == 0 && len > 65535 + IPV6_HLEN)
		plen = len - IPV6_HLEN;
	if (plen > len - IPV6_HLEN)
		return "IPv6 payload length exceeds the frame";
	size_t end = IPV6_HLEN + plen, off = IPV6_HLEN;
	unsigned nh = d[6];
	p->family = AF_INET6;
	p->ip_len = (unsigned)end;
	p->ttl = d[7];
	set_addr(&p->src, AF_INET6, d + 8);
	set_addr(&p->dst, AF_INET6, d + 24);
	const char *err = skip_ext6(d, end, &off, &nh);
	if (err)
		return err;
	if (nh == NH_FRAGMENT) {
		if (end - off < 8)
			return "truncated IPv6 fragment header";
		p->fragment = true;
		p->ip_proto = d[off];
		p->payload = d + off + 8;
		p->payload_len = end - off - 8;
		return NULL;
	}
	p->ip_proto = nh;
	p->payload = d + off;
	p->payload_len = end - off;
	return decode_transport(d + off, end - off, p);
}

int pkt_decode(const unsigned char *data, size_t len, pkt *p, const char **why)
{
	const char *err;
	pkt_clear(p);
	if (len == 0)
		err = "truncated IP header";
	else if (data[0] >> 4 == 4)
		err = decode_ipv4(data, len, p);
	else if (data[0] >> 4 == 6)
		err = decode_ipv6(data, len, p);
	else
		err = bad_version[data[0] >> 4];
	if (why)
		*why = err;
	return err ? -1 : 0;
}

int pkt_decode_ether(const unsigned char *data, size_t len, pkt *p, const char **why)
{
	const char *err = NULL;
	if (len < ETHER_HLEN) {
		pkt_clear(p);
		err = "truncated Ethernet header";
	} else {
		unsigned type = get16(data + 12);
		if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6) {
			pkt_clear(p);
			err = "not an IP frame";
		} else if (pkt_decode(data + ETHER_HLEN, len - ETHER_HLEN, p, &err) == 0 &&
			   (type == ETHERTYPE_IPV4) != (p->family == AF_INET)) {
			err = "IP version does not match the ethertype";
		}
	}
	if (why)
		*why = err;
	return err ? -1 : 0;
}

static const struct {
	unsigned bit;
	const char *name;
} flag_names[] = {
	{ PKT_SYN, "SYN" }, { PKT_FIN, "FIN" }, { PKT_RST, "RST" }, { PKT_PSH, "PSH" },
	{ PKT_ACK, "ACK" }, { PKT_URG, "URG" }, { PKT_ECE, "ECE" }, { PKT_CWR, "CWR" },
};

/* Appends s to buf (len bytes, *used of them taken), as much as fits. */
static void append(char *buf, size_t len, size_t *used, const char *s)
{
	while (*s && *used + 1 < len)
		buf[(*used)++] = *s++;
	buf[*used] = '\0';
}

void pkt_flags(unsigned flags, char *buf, size_t len)
{
	if (len == 0)
		return;
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++) {
		if (!(flags & flag_names[i].bit))
			continue;
		if (used)
			append(buf, len, &used, ",");
		append(buf, len, &used, flag_names[i].name);
	}
	if (!(flags & 0xff))
		append(buf, len, &used, "none");
}

/* Connections */

typedef struct endpoint {
	int family;
	unsigned char addr[16];
	uint16_t port;
} endpoint;

/* What one side of a connection sends. */
typedef struct half {
	bool isn_known;
	uint32_t isn;
	int wscale;		/* announced in its SYN; -1 when not, or no SYN seen */
} half;

typedef struct conn {
	endpoint ends[2];	/* [0] the initiator */
	half dir[2];		/* dir[i]: what ends[i] sends */
	bool closed;		/* a FIN or RST seen */
	bool acked;		/* a segment with ACK seen */
	int id;
} conn;

struct pkt_flows {
	conn *conns;
	size_t count, cap;
	int last_id;
};

static endpoint endpoint_of(const struct sockaddr_storage *ss)
{
	endpoint e;
	memset(&e, 0, sizeof e);
	size_t n;
	const unsigned char *a = addr_bytes(ss, &n);
	e.family = ss->ss_family;
	if (a)
		memcpy(e.addr, a, n);
	e.port = get_port(ss);
	return e;
}

static bool endpoint_eq(const endpoint *a, const endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

pkt_flows *pkt_flows_new(void)
{
	return xcalloc(1, sizeof(pkt_flows));
}

void pkt_flows_free(pkt_flows *f)
{
	if (!f)
		return;
	free(f->conns);
	free(f);
}

void pkt_flows_reset(pkt_flows *f)
{
	f->count = 0;
	f->last_id = 0;
}

/* The newest connection between s and d; *side is the index of s in its ends. */
static conn *find_conn(pkt_flows *f, const endpoint *s, const endpoint *d, int *side)
{
	for (size_t i = f->count; i-- > 0;) {
		conn *c = &f->conns[i];
		if (endpoint_eq(&c->ends[0], s) && endpoint_eq(&c->ends[1], d)) {
			*side = 0;
			return c;
		}
		if (endpoint_eq(&c->ends[0], d) && endpoint_eq(&c->ends[1], s)) {
			*side = 1;
			return c;
		}
	}
	return NULL;
}

static conn *add_conn(pkt_flows *f, const endpoint *initiator, const endpoint *other)
{
	grow_array((void **)&f->conns, &f->cap, f->count, sizeof *f->conns);
	conn *c = &f->conns[f->count++];
	memset(c, 0, sizeof *c);
	c->ends[0] = *initiator;
	c->ends[1] = *other;
	c->dir[0].wscale = c->dir[1].wscale = -1;
	c->id = ++f->last_id;
	return c;
}

void pkt_flows_track(pkt_flows *f, const pkt *p, pkt_rel *rel)
{
	memset(rel, 0, sizeof *rel);
	if (p->proto != PKT_TCP)
		return;
	endpoint s = endpoint_of(&p->src), d = endpoint_of(&p->dst);
	bool syn = p->flags & PKT_SYN, ack = p->flags & PKT_ACK;
	int side = 0;
	conn *c = find_conn(f, &s, &d, &side);
	if (c && c->closed && syn &&
	    (!c->dir[side].isn_known || p->seq != c->dir[side].isn))
		c = NULL;
	if (!c) {
		/* a SYN-ACK's receiver sent the SYN */
		if (syn && ack) {
			c = add_conn(f, &d, &s);
			side = 1;
		} else {
			c = add_conn(f, &s, &d);
			side = 0;
		}
	}
	half *me = &c->dir[side], *peer = &c->dir[!side];
	if (!me->isn_known) {
		me->isn_known = true;
		me->isn = p->seq;
		if (syn)
			me->wscale = p->wscale;
	}
	rel->rel_seq = p->seq - me->isn;
	rel->has_ack = ack && peer->isn_known;
	if (rel->has_ack)
		rel->rel_ack = p->ack - peer->isn;
	rel->window = p->window;
	if (!syn && c->dir[0].wscale >= 0 && c->dir[1].wscale >= 0) {
		rel->scale = me->wscale > MAX_WSCALE ? MAX_WSCALE : me->wscale;
		rel->window = (unsigned long)p->window << rel->scale;
	}
	if (p->flags & (PKT_FIN | PKT_RST))
		c->closed = true;
	rel->ack_seen = c->acked;
	c->acked |= ack;
	rel->conn = c->id;
	rel->from_initiator = side == 0;
}

/* Description */

void pkt_put_endpoint(strbuf *sb, const struct sockaddr_storage *ss, bool port)
{
	char text[INET6_ADDRSTRLEN] = "?";
	size_t n;
	const unsigned char *a = addr_bytes(ss, &n);
	if (a)
		inet_ntop(ss->ss_family, a, text, sizeof text);
	if (!port)
		strbuf_adds(sb, text);
	else if (ss->ss_family == AF_INET6)
		strbuf_addf(sb, "[%s]:%u", text, (unsigned)get_port(ss));
	else
		strbuf_addf(sb, "%s:%u", text, (unsigned)get_port(ss));
}

static void put_tcp_options(strbuf *sb, const pkt *p)
{
	strbuf o = { 0 };
	if (p->mss >= 0)
		strbuf_addf(&o, "mss %d", p->mss);
	if (p->sack_ok)
		strbuf_adds(&o, o.len ? ",sackOK" : "sackOK");
	if (p->has_ts)
		strbuf_adds(&o, o.len ? ",TS" : "TS");
	if (p->wscale >= 0)
		strbuf_addf(&o, "%swscale %d", o.len ? "," : "", p->wscale);
	if (o.len)
		strbuf_addf(sb, " <%s>", o.buf);
	strbuf_free(&o);
}

static void put_tcp(strbuf *sb, const pkt *p, const pkt_rel *rel, bool absolute)
{
	char flags[PKT_FLAGS_LEN];
	pkt_flags(p->flags, flags, sizeof flags);
	bool relative = rel && !absolute;
	strbuf_addf(sb, " [%s] seq=%" PRIu32, flags, relative ? rel->rel_seq : p->seq);
	if (p->flags & PKT_ACK)
		strbuf_addf(sb, " ack=%" PRIu32,
			    relative && rel->has_ack ? rel->rel_ack : p->ack);
	strbuf_addf(sb, " win=%lu len=%zu", rel ? rel->window : (unsigned long)p->window,
		    p->payload_len);
	if (p->flags & PKT_SYN)
		put_tcp_options(sb, p);
}

static void put_icmp_name(strbuf *sb, const pkt *p)
{
	unsigned type = p->icmp_type, code = p->icmp_code;
	if (p->family == AF_INET) {
		static const char *const unreach[] = {
			"net unreachable", "host unreachable", "protocol unreachable",
			"port unreachable", "fragmentation needed",
		};
		switch (type) {
		case 0:
			strbuf_adds(sb, "echo reply");
			return;
		case 8:
			strbuf_adds(sb, "echo request");
			return;
		case 3:
			if (code < ARRAY_SIZE(unreach))
				strbuf_adds(sb, unreach[code]);
			else if (code == 13)
				strbuf_adds(sb, "administratively prohibited");
			else
				strbuf_addf(sb, "destination unreachable code %u", code);
			return;
		case 4:
			strbuf_adds(sb, "source quench");
			return;
		case 5:
			strbuf_addf(sb, "redirect code %u", code);
			return;
		case 11:
			if (code == 0)
				strbuf_adds(sb, "TTL exceeded in transit");
			else if (code == 1)
				strbuf_adds(sb, "fragment reassembly time exceeded");
			else
				strbuf_addf(sb, "time exceeded code %u", code);
			return;
		case 12:
			strbuf_adds(sb, "parameter problem");
			return;
		}
	} else {
		switch (type) {
		case 1:
			if (code == 0)
				strbuf_adds(sb, "no route to destination");
			else if (code == 1)
				strbuf_adds(sb, "administratively prohibited");
			else if (code == 3)
				strbuf_adds(sb, "address unreachable");
			else if (code == 4)
				strbuf_adds(sb, "port unreachable");
			else
				strbuf_addf(sb, "destination unreachable code %u", code);
			return;
		case 2:
			strbuf_adds(sb, "packet too big");
			return;
		case 3:
			if (code == 0)
				strbuf_adds(sb, "hop limit exceeded in transit");
			else
				strbuf_addf(sb, "time exceeded code %u", code);
			return;
		case 4:
			strbuf_adds(sb, "parameter problem");
			return;
		case 128:
			strbuf_adds(sb, "echo request");
			return;
		case 129:
			strbuf_adds(sb, "echo reply");
			return;
		}
	}
	strbuf_addf(sb, "type %u code %u", type, code);
}

static void put_icmp(strbuf *sb, const pkt *p)
{
	strbuf_adds(sb, p->family == AF_INET6 ? " ICMPv6 " : " ICMP ");
	put_icmp_name(sb, p);
	if (p->quoted_src.ss_family == 0)
		return;
	bool ports = p->quoted_proto == PKT_TCP || p->quoted_proto == PKT_UDP;
	strbuf_adds(sb, " (");
	if (p->quoted_proto == PKT_TCP)
		strbuf_adds(sb, "TCP ");
	else if (p->quoted_proto == PKT_UDP)
		strbuf_adds(sb, "UDP ");
	else if (p->quoted_proto == PKT_ICMP)
		strbuf_adds(sb, p->quoted_src.ss_family == AF_INET6 ? "ICMPv6 " : "ICMP ");
	pkt_put_endpoint(sb, &p->quoted_src, ports);
	strbuf_adds(sb, " > ");
	pkt_put_endpoint(sb, &p->quoted_dst, ports);
	strbuf_addc(sb, ')');
}

char *pkt_describe(const pkt *p, const pkt_rel *rel, bool absolute)
{
	strbuf sb = { 0 };
	bool ports = p->proto == PKT_TCP || p->proto == PKT_UDP;
	pkt_put_endpoint(&sb, &p->src, ports);
	strbuf_adds(&sb, " > ");
	pkt_put_endpoint(&sb, &p->dst, ports);
	switch (p->proto) {
	case PKT_TCP:
		put_tcp(&sb, p, rel, absolute);
		break;
	case PKT_UDP:
		strbuf_addf(&sb, " UDP len=%zu", p->payload_len);
		break;
	case PKT_ICMP:
		put_icmp(&sb, p);
		break;
	default:
		strbuf_addf(&sb, " proto %u%s len=%zu", p->ip_proto,
			    p->fragment ? " fragment" : "", p->payload_len);
		break;
	}
	return strbuf_take(&sb);
}

char *pkt_preview_text(const pkt *p, size_t max)
{
	size_t n = p->payload_len < max ? p->payload_len : max;
	char *s = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p->payload[i];
		s[i] = c >= 0x20 && c < 0x7f ? (char)c : '.';
	}
	s[n] = '\0';
	return s;
}

char *pkt_preview_hex(const pkt *p, size_t max)
{
	static const char digits[] = "0123456789abcdef";
	size_t n = p->payload_len < max ? p->payload_len : max;
	char *s = xmalloc(n ? n * 3 : 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			s[k++] = ' ';
		s[k++] = digits[p->payload[i] >> 4];
		s[k++] = digits[p->payload[i] & 0x0f];
	}
	s[k] = '\0';
	return s;
}

/* Building */

static uint32_t sum16(const unsigned char *b, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += get16(b + i);
	if (n & 1)
		acc += (uint32_t)b[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static size_t tcp_options_len(const pkt *p)
{
	return (p->mss >= 0 ? 4 : 0) + (p->has_ts ? 12 : 0) + (p->wscale >= 0 ? 4 : 0) +
	       (p->sack_ok && !p->has_ts ? 4 : 0);
}

/* In Linux's order (tcp_options_write()): MSS; SACK_PERM and TS together, or NOP NOP TS;
 * NOP WS; NOP NOP SACK_PERM when there is no TS to pair it with. */
static void write_tcp_options(const pkt *p, unsigned char *o)
{
	if (p->mss >= 0) {
		o[0] = OPT_MSS;
		o[1] = 4;
		put16(o + 2, (unsigned)p->mss);
		o += 4;
	}
	if (p->has_ts) {
		if (p->sack_ok) {
			o[0] = OPT_SACK_PERM;
			o[1] = 2;
		} else {
			o[0] = o[1] = OPT_NOP;
		}
		o[2] = OPT_TS;
		o[3] = 10;
		put32(o + 4, p->ts_val);
		put32(o + 8, p->ts_ecr);
		o += 12;
	}
	if (p->wscale >= 0) {
		o[0] = OPT_NOP;
		o[1] = OPT_WSCALE;
		o[2] = 3;
		o[3] = (unsigned char)p->wscale;
		o += 4;
	}
	if (p->sack_ok && !p->has_ts) {
		o[0] = o[1] = OPT_NOP;
		o[2] = OPT_SACK_PERM;
		o[3] = 2;
	}
}

size_t pkt_build(const pkt *p, unsigned char *buf, size_t cap)
{
	if (p->proto != PKT_TCP && p->proto != PKT_UDP)
		return 0;
	if (p->family != AF_INET && p->family != AF_INET6)
		return 0;
	if (p->src.ss_family != p->family || p->dst.ss_family != p->family)
		return 0;
	bool v6 = p->family == AF_INET6;
	bool tcp = p->proto == PKT_TCP;
	size_t iphl = v6 ? IPV6_HLEN : IPV4_HLEN;
	size_t thl = tcp ? TCP_HLEN + tcp_options_len(p) : UDP_HLEN;
	size_t data = p->payload ? p->payload_len : 0;
	if (data > cap || iphl + thl > cap - data)
		return 0;
	size_t total = iphl + thl + data;
	if (total - (v6 ? IPV6_HLEN : 0) > 65535)
		return 0;
	size_t alen;
	const unsigned char *src = addr_bytes(&p->src, &alen);
	const unsigned char *dst = addr_bytes(&p->dst, &alen);
	unsigned proto = tcp ? NH_TCP : NH_UDP;
	unsigned ttl = p->ttl ? p->ttl & 0xff : 64;

	memset(buf, 0, iphl + thl);
	if (v6) {
		buf[0] = 0x60;
		put16(buf + 4, (unsigned)(total - IPV6_HLEN));
		buf[6] = (unsigned char)proto;
		buf[7] = (unsigned char)ttl;
		memcpy(buf + 8, src, 16);
		memcpy(buf + 24, dst, 16);
	} else {
		buf[0] = 0x45;
		put16(buf + 2, (unsigned)total);
		put16(buf + 6, 0x4000);	/* DF */
		buf[8] = (unsigned char)ttl;
		buf[9] = (unsigned char)proto;
		memcpy(buf + 12, src, 4);
		memcpy(buf + 16, dst, 4);
		put16(buf + 10, fold(sum16(buf, IPV4_HLEN, 0)));
	}

	unsigned char *t = buf + iphl;
	size_t tlen = thl + data;
	put16(t, get_port(&p->src));
	put16(t + 2, get_port(&p->dst));
	if (tcp) {
		put32(t + 4, p->seq);
		put32(t + 8, p->ack);
		t[12] = (unsigned char)(thl / 4 << 4);
		t[13] = (unsigned char)(p->flags & 0xff);
		put16(t + 14, p->window & 0xffff);
		write_tcp_options(p, t + TCP_HLEN);
	} else {
		put16(t + 4, (unsigned)tlen);
	}
	if (data)
		memcpy(t + thl, p->payload, data);

	/* the pseudo-header: addresses, protocol, transport length */
	uint32_t acc = sum16(src, alen, 0);
	acc = sum16(dst, alen, acc);
	acc += proto + (uint32_t)tlen;
	uint16_t sum = fold(sum16(t, tlen, acc));
	if (!tcp && sum == 0)
		sum = 0xffff;	/* 0 would mean "no checksum" */
	put16(t + (tcp ? 16 : 6), sum);
	return total;
}
