#include "config.h"

#include "suites.h"
#include "core/util.h"
#include "net/packet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Byte fixtures: a loopback TCP connection as Linux carries it (SYN with MSS, SACK_PERM, TS,
 * NOP, WS in the kernel's layout; SYN-ACK; ACK; "hello"; its ACK; FIN), a refusing RST, and
 * IPv6, UDP, ICMP and IPv4-options packets. Checksums are correct (the test checksum_helper
 * checks them), sequence numbers as below. */
#define ISN_C 0x8c2d4f11u	/* the client's (127.0.0.1:40000) initial sequence number */
#define ISN_S 0x1f3e5d7cu	/* the server's (127.0.0.1:5000) */

/* A SYN as Linux sends it on lo from 127.0.0.1:40000 to 127.0.0.1:5000 */
static const unsigned char syn4[] = {
	/* IPv4: IHL 5, total 60, ID 0x3c1a, DF, TTL 64, TCP, 127.0.0.1 > 127.0.0.1 */
	0x45, 0x00, 0x00, 0x3c, 0x3c, 0x1a, 0x40, 0x00, 0x40, 0x06, 0x00, 0xa0,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	/* TCP: 40000 > 5000, seq 0x8c2d4f11, ack 0x00000000, offset 10, SYN, window 65495 */
	0x9c, 0x40, 0x13, 0x88, 0x8c, 0x2d, 0x4f, 0x11, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xff, 0xd7, 0x4b, 0xd0, 0x00, 0x00,
	/* options: MSS 65495, SACK_PERM, TS val 0x5e2a1b00 ecr 0x00000000, NOP, WS 7 */
	0x02, 0x04, 0xff, 0xd7, 0x04, 0x02, 0x08, 0x0a, 0x5e, 0x2a, 0x1b, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* The SYN-ACK answering it */
static const unsigned char synack4[] = {
	/* IPv4: IHL 5, total 60, ID 0x0000, DF, TTL 64, TCP, 127.0.0.1 > 127.0.0.1 */
	0x45, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x3c, 0xba,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	/* TCP: 5000 > 40000, seq 0x1f3e5d7c, ack 0x8c2d4f12, offset 10, SYN,ACK, window 65483 */
	0x13, 0x88, 0x9c, 0x40, 0x1f, 0x3e, 0x5d, 0x7c, 0x8c, 0x2d, 0x4f, 0x12,
	0xa0, 0x12, 0xff, 0xcb, 0x55, 0xe6, 0x00, 0x00,
	/* options: MSS 65495, SACK_PERM, TS val 0x5e2a1b00 ecr 0x5e2a1b00, NOP, WS 7 */
	0x02, 0x04, 0xff, 0xd7, 0x04, 0x02, 0x08, 0x0a, 0x5e, 0x2a, 0x1b, 0x00,
	0x5e, 0x2a, 0x1b, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* The ACK completing the handshake: window 512 (65536 >> 7) */
static const unsigned char ack4[] = {
	/* IPv4: IHL 5, total 52, ID 0x3c1b, DF, TTL 64, TCP, 127.0.0.1 > 127.0.0.1 */
	0x45, 0x00, 0x00, 0x34, 0x3c, 0x1b, 0x40, 0x00, 0x40, 0x06, 0x00, 0xa7,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	/* TCP: 40000 > 5000, seq 0x8c2d4f12, ack 0x1f3e5d7d, offset 8, ACK, window 512 */
	0x9c, 0x40, 0x13, 0x88, 0x8c, 0x2d, 0x4f, 0x12, 0x1f, 0x3e, 0x5d, 0x7d,
	0x80, 0x10, 0x02, 0x00, 0x7c, 0xa2, 0x00, 0x00,
	/* options: NOP, NOP, TS val 0x5e2a1b00 ecr 0x5e2a1b00 */
	0x01, 0x01, 0x08, 0x0a, 0x5e, 0x2a, 0x1b, 0x00, 0x5e, 0x2a, 0x1b, 0x00,
};

/* The client sends "hello" */
static const unsigned char data4[] = {
	/* IPv4: IHL 5, total 57, ID 0x3c1c, DF, TTL 64, TCP, 127.0.0.1 > 127.0.0.1 */
	0x45, 0x00, 0x00, 0x39, 0x3c, 0x1c, 0x40, 0x00, 0x40, 0x06, 0x00, 0xa1,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	/* TCP: 40000 > 5000, seq 0x8c2d4f12, ack 0x1f3e5d7d, offset 8, PSH,ACK, window 512 */
	0x9c, 0x40, 0x13, 0x88, 0x8c, 0x2d, 0x4f, 0x12, 0x1f, 0x3e, 0x5d, 0x7d,
	0x80, 0x18, 0x02, 0x00, 0x38, 0xc2, 0x00, 0x00,
	/* options: NOP, NOP, TS val 0x5e2a1b01 ecr 0x5e2a1b00 */
	0x01, 0x01, 0x08, 0x0a, 0x5e, 0x2a, 0x1b, 0x01, 0x5e, 0x2a, 0x1b, 0x00,
	/* payload "hello" */
	0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* The server acknowledges the 5 bytes */
static const unsigned char dack4[] = {
	/* IPv4: IHL 5, total 52, ID 0x9e01, DF, TTL 64, TCP, 127.0.0.1 > 127.0.0.1 */
	0x45, 0x00, 0x00, 0x34, 0x9e, 0x01, 0x40, 0x00, 0x40, 0x06, 0x9e, 0xc0,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	/* TCP: 5000 > 40000, seq 0x1f3e5d7d, ack 0x8c2d4f17, offset 8, ACK, window 512 */
	0x13, 0x88, 0x9c, 0x40, 0x1f, 0x3e, 0x5d, 0x7d, 0x8c, 0x2d, 0x4f, 0x17,
	0x80, 0x10, 0x02, 0x00, 0x7c, 0x9b, 0x00, 0x00,
	/* options: NOP, NOP, TS val 0x5e2a1b01 ecr 0x5e2a1b01 */
	0x01, 0x01, 0x08, 0x0a, 0x5e, 0x2a, 0x1b, 0x01, 0x5e, 0x2a, 0x1b, 0x01,
};

/* The client closes */
static const unsigned char fin4[] = {
	/* IPv4: IHL 5, total 52, ID 0x3c1d, DF, TTL 64, TCP, 127.0.0.1 > 127.0.0.1 */
	0x45, 0x00, 0x00, 0x34, 0x3c, 0x1d, 0x40, 0x00, 0x40, 0x06, 0x00, 0xa5,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	/* TCP: 40000 > 5000, seq 0x8c2d4f17, ack 0x1f3e5d7d, offset 8, FIN,ACK, window 512 */
	0x9c, 0x40, 0x13, 0x88, 0x8c, 0x2d, 0x4f, 0x17, 0x1f, 0x3e, 0x5d, 0x7d,
	0x80, 0x11, 0x02, 0x00, 0x7c, 0x99, 0x00, 0x00,
	/* options: NOP, NOP, TS val 0x5e2a1b02 ecr 0x5e2a1b01 */
	0x01, 0x01, 0x08, 0x0a, 0x5e, 0x2a, 0x1b, 0x02, 0x5e, 0x2a, 0x1b, 0x01,
};

/* The RST,ACK refusing a SYN (seq 0x6b8b4567) from 127.0.0.1:40002 to the closed port 5001 */
static const unsigned char rst4[] = {
	/* IPv4: IHL 5, total 40, ID 0x0000, DF, TTL 64, TCP, 127.0.0.1 > 127.0.0.1 */
	0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x3c, 0xce,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	/* TCP: 5001 > 40002, seq 0x00000000, ack 0x6b8b4568, offset 5, RST,ACK, window 0 */
	0x13, 0x89, 0x9c, 0x42, 0x00, 0x00, 0x00, 0x00, 0x6b, 0x8b, 0x45, 0x68,
	0x50, 0x14, 0x00, 0x00, 0x51, 0x0f, 0x00, 0x00,
};

/* An IPv6 SYN from [2001:db8::2]:40000 to [2001:db8::1]:5000 */
static const unsigned char syn6[] = {
	/* IPv6: flow 0x5a3c1, payload 40, next 6, hop limit 64, 2001:db8::2 > 2001:db8::1 */
	0x60, 0x05, 0xa3, 0xc1, 0x00, 0x28, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
	/* TCP: 40000 > 5000, seq 0x0badcafe, ack 0x00000000, offset 10, SYN, window 64800 */
	0x9c, 0x40, 0x13, 0x88, 0x0b, 0xad, 0xca, 0xfe, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xfd, 0x20, 0x24, 0xa4, 0x00, 0x00,
	/* options: MSS 1440, SACK_PERM, TS val 0x11223344 ecr 0x00000000, NOP, WS 7 */
	0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* A UDP datagram from 192.0.2.2:40000 to 192.0.2.1:5000 */
static const unsigned char udp4[] = {
	/* IPv4: IHL 5, total 33, ID 0x1234, DF, TTL 64, UDP, 192.0.2.2 > 192.0.2.1 */
	0x45, 0x00, 0x00, 0x21, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0xa4, 0x94,
	0xc0, 0x00, 0x02, 0x02, 0xc0, 0x00, 0x02, 0x01,
	/* UDP: 40000 > 5000, length 13 */
	0x9c, 0x40, 0x13, 0x88, 0x00, 0x0d, 0x88, 0x35,
	/* payload "hello" */
	0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* A UDP datagram from [2001:db8::2]:40000 to [2001:db8::1]:5000 */
static const unsigned char udp6[] = {
	/* IPv6: flow 0x81234, payload 13, next 17, hop limit 64, 2001:db8::2 > 2001:db8::1 */
	0x60, 0x08, 0x12, 0x34, 0x00, 0x0d, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
	/* UDP: 40000 > 5000, length 13 */
	0x9c, 0x40, 0x13, 0x88, 0x00, 0x0d, 0xb0, 0xc4,
	/* payload "hello" */
	0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* The ICMP port unreachable 192.0.2.1 sends back for that datagram */
static const unsigned char unreach4[] = {
	/* IPv4: IHL 5, TOS 0xc0, total 61, ID 0x77aa, TTL 64, ICMP, 192.0.2.1 > 192.0.2.2 */
	0x45, 0xc0, 0x00, 0x3d, 0x77, 0xaa, 0x00, 0x00, 0x40, 0x01, 0x7e, 0x52,
	0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02,
	/* ICMP: type 3 (destination unreachable), code 3 (port), unused */
	0x03, 0x03, 0x81, 0x1f, 0x00, 0x00, 0x00, 0x00,
	/* quoted IPv4: IHL 5, total 33, ID 0x1234, DF, TTL 64, UDP, 192.0.2.2 > 192.0.2.1 */
	0x45, 0x00, 0x00, 0x21, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0xa4, 0x94,
	0xc0, 0x00, 0x02, 0x02, 0xc0, 0x00, 0x02, 0x01,
	/* quoted UDP: 40000 > 5000, length 13 */
	0x9c, 0x40, 0x13, 0x88, 0x00, 0x0d, 0x88, 0x35,
	/* quoted payload "hello" */
	0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* An ICMP echo request (ping) from 192.0.2.2 to 192.0.2.1 */
static const unsigned char echo4[] = {
	/* IPv4: IHL 5, total 32, ID 0x4444, DF, TTL 64, ICMP, 192.0.2.2 > 192.0.2.1 */
	0x45, 0x00, 0x00, 0x20, 0x44, 0x44, 0x40, 0x00, 0x40, 0x01, 0x72, 0x95,
	0xc0, 0x00, 0x02, 0x02, 0xc0, 0x00, 0x02, 0x01,
	/* ICMP: type 8 (echo request), code 0, id 0x1c2d, seq 1 */
	0x08, 0x00, 0xfd, 0x00, 0x1c, 0x2d, 0x00, 0x01,
	/* payload "ping" */
	0x70, 0x69, 0x6e, 0x67,
};

/* An IPv4 header with options (IHL 6) before a UDP datagram */
static const unsigned char opts4[] = {
	/* IPv4: IHL 6, total 34, ID 0x0055, DF, TTL 64, UDP, 192.0.2.2 > 192.0.2.1 */
	0x46, 0x00, 0x00, 0x22, 0x00, 0x55, 0x40, 0x00, 0x40, 0x11, 0x21, 0x6e,
	0xc0, 0x00, 0x02, 0x02, 0xc0, 0x00, 0x02, 0x01,
	/* IPv4 option: Router Alert (RFC 2113) */
	0x94, 0x04, 0x00, 0x00,
	/* UDP: 40000 > 5000, length 10 */
	0x9c, 0x40, 0x13, 0x88, 0x00, 0x0a, 0x63, 0xa4,
	/* payload "hi" */
	0x68, 0x69,
};

/* The ICMPv6 port unreachable for the IPv6 datagram */
static const unsigned char unreach6[] = {
	/* IPv6: flow 0x00000, payload 61, next 58, hop limit 64, 2001:db8::1 > 2001:db8::2 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x3d, 0x3a, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02,
	/* ICMPv6: type 1 (destination unreachable), code 4 (port), unused */
	0x01, 0x04, 0x31, 0xe0, 0x00, 0x00, 0x00, 0x00,
	/* quoted IPv6: flow 0x00000, payload 13, next 17, hop limit 64, 2001:db8::2 > 2001:db8::1 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
	/* quoted UDP: 40000 > 5000, length 13 */
	0x9c, 0x40, 0x13, 0x88, 0x00, 0x0d, 0xb0, 0xc4,
	/* quoted payload "hello" */
	0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* IPv6 with hop-by-hop and destination options headers before UDP */
static const unsigned char ext6[] = {
	/* IPv6: flow 0x00000, payload 27, next 0, hop limit 64, 2001:db8::2 > 2001:db8::1 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x1b, 0x00, 0x40, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
	/* hop-by-hop options: next header 60, length 0, Router Alert (MLD), PadN */
	0x3c, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00,
	/* destination options: next header 17, length 0, PadN 4 */
	0x11, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
	/* UDP: 40000 > 5000, length 11 */
	0x9c, 0x40, 0x13, 0x88, 0x00, 0x0b, 0x13, 0x35,
	/* payload "hey" */
	0x68, 0x65, 0x79,
};


typedef struct fixture {
	const char *name;
	const unsigned char *data;
	size_t len;
} fixture;

#define FIXTURE(a) { #a, a, sizeof a }

static const fixture fixtures[] = {
	FIXTURE(syn4), FIXTURE(synack4), FIXTURE(ack4), FIXTURE(data4), FIXTURE(dack4),
	FIXTURE(fin4), FIXTURE(rst4), FIXTURE(syn6), FIXTURE(udp4), FIXTURE(udp6),
	FIXTURE(unreach4), FIXTURE(echo4), FIXTURE(opts4), FIXTURE(unreach6), FIXTURE(ext6),
};

/* A heap copy of exactly n bytes, so that valgrind sees a read past the end. */
static unsigned char *copy(const unsigned char *d, size_t n)
{
	unsigned char *c = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(c);
	memcpy(c, d, n);
	return c;
}

static pkt decode(const unsigned char *d, size_t n)
{
	pkt p;
	const char *why = "unset";
	int rc = pkt_decode(d, n, &p, &why);
	ck_assert_msg(rc == 0, "decode failed: %s", why ? why : "(null)");
	ck_assert_ptr_null(why);
	return p;
}

/* Decodes a copy of d[0..n) with byte off changed to v, expecting a failure; the reason. */
static const char *decode_bad(const unsigned char *d, size_t n, size_t off, unsigned char v)
{
	unsigned char *c = copy(d, n);
	c[off] = v;
	pkt p;
	const char *why = NULL;
	int rc = pkt_decode(c, n, &p, &why);
	free(c);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(why);
	return why;
}

static uint16_t port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

/* The address as text; a static buffer. */
static const char *addr(const struct sockaddr_storage *ss)
{
	static char buf[INET6_ADDRSTRLEN];
	const void *a;
	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	else
		return "none";
	ck_assert_ptr_nonnull(inet_ntop(ss->ss_family, a, buf, sizeof buf));
	return buf;
}

static void set_v4(struct sockaddr_storage *ss, const char *text, uint16_t p)
{
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	memset(ss, 0, sizeof *ss);
	a->sin_family = AF_INET;
	a->sin_port = htons(p);
	ck_assert_int_eq(inet_pton(AF_INET, text, &a->sin_addr), 1);
}

static void set_v6(struct sockaddr_storage *ss, const char *text, uint16_t p)
{
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof *ss);
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(p);
	ck_assert_int_eq(inet_pton(AF_INET6, text, &a->sin6_addr), 1);
}

/* The description of p (with rel, relative unless absolute), checked against want. */
static void check_describe(const pkt *p, const pkt_rel *rel, bool absolute, const char *want)
{
	char *s = pkt_describe(p, rel, absolute);
	ck_assert_str_eq(s, want);
	free(s);
}

/* Ones-complement arithmetic, written out independently of packet.c. */
static uint32_t sum_words(const unsigned char *b, size_t n, uint32_t acc)
{
	for (size_t i = 0; i < n; i++)
		acc += i % 2 ? b[i] : (uint32_t)b[i] << 8;
	return acc;
}

static uint16_t fold16(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* An IPv4 header is right when its 16-bit words, checksum included, sum to 0xffff. */
static bool ip4_checksum_ok(const unsigned char *d)
{
	return fold16(sum_words(d, (size_t)(d[0] & 0x0f) * 4, 0)) == 0xffff;
}

/* The same for the TCP, UDP, ICMP or ICMPv6 checksum of a packet without IPv6 extension
 * headers: over the pseudo-header (not for ICMP) and the transport bytes. */
static bool transport_checksum_ok(const unsigned char *d, size_t n)
{
	size_t off, tlen;
	unsigned proto;
	uint32_t acc;
	if (d[0] >> 4 == 4) {
		off = (size_t)(d[0] & 0x0f) * 4;
		tlen = ((size_t)d[2] << 8 | d[3]) - off;
		proto = d[9];
		acc = proto == IPPROTO_ICMP ? 0 : sum_words(d + 12, 8, 0) + proto + (uint32_t)tlen;
	} else {
		off = 40;
		tlen = (size_t)d[4] << 8 | d[5];
		proto = d[6];
		acc = sum_words(d + 8, 32, 0) + proto + (uint32_t)tlen;
	}
	ck_assert_uint_le(off + tlen, n);
	return fold16(sum_words(d + off, tlen, acc)) == 0xffff;
}

START_TEST(checksum_helper)
{
	/* the fixtures are right, so the helpers are; and they notice a changed byte */
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		const fixture *f = &fixtures[i];
		if (f->data[0] >> 4 == 4)
			ck_assert_msg(ip4_checksum_ok(f->data), "%s: IPv4 checksum", f->name);
		if (f->data != ext6)
			ck_assert_msg(transport_checksum_ok(f->data, f->len), "%s: checksum", f->name);
	}
	unsigned char *c = copy(data4, sizeof data4);
	c[8]--;
	ck_assert(!ip4_checksum_ok(c));
	c[8]++;
	c[sizeof data4 - 1] ^= 0x20;
	ck_assert(!transport_checksum_ok(c, sizeof data4));
	free(c);
}
END_TEST

START_TEST(decode_linux_syn)
{
	pkt p = decode(syn4, sizeof syn4);
	ck_assert_int_eq(p.family, AF_INET);
	ck_assert_int_eq(p.proto, PKT_TCP);
	ck_assert_uint_eq(p.ip_proto, 6);
	ck_assert(!p.fragment);
	ck_assert_str_eq(addr(&p.src), "127.0.0.1");
	ck_assert_str_eq(addr(&p.dst), "127.0.0.1");
	ck_assert_uint_eq(port(&p.src), 40000);
	ck_assert_uint_eq(port(&p.dst), 5000);
	ck_assert_uint_eq(p.ip_len, 60);
	ck_assert_uint_eq(p.ttl, 64);
	ck_assert_uint_eq(p.seq, ISN_C);
	ck_assert_uint_eq(p.ack, 0);
	ck_assert_uint_eq(p.flags, PKT_SYN);
	ck_assert_uint_eq(p.window, 65495);
	ck_assert_int_eq(p.mss, 65495);
	ck_assert_int_eq(p.wscale, 7);
	ck_assert(p.sack_ok);
	ck_assert(p.has_ts);
	ck_assert_uint_eq(p.ts_val, 0x5e2a1b00);
	ck_assert_uint_eq(p.ts_ecr, 0);
	ck_assert_uint_eq(p.payload_len, 0);
	ck_assert_ptr_eq(p.payload, syn4 + sizeof syn4);
	ck_assert_int_eq(p.quoted_src.ss_family, 0);
	/* why may be NULL */
	ck_assert_int_eq(pkt_decode(syn4, sizeof syn4, &p, NULL), 0);
	ck_assert_int_eq(pkt_decode(syn4, 10, &p, NULL), -1);
}
END_TEST

START_TEST(decode_connection)
{
	pkt p = decode(synack4, sizeof synack4);
	ck_assert_uint_eq(p.flags, PKT_SYN | PKT_ACK);
	ck_assert_uint_eq(port(&p.src), 5000);
	ck_assert_uint_eq(port(&p.dst), 40000);
	ck_assert_uint_eq(p.seq, ISN_S);
	ck_assert_uint_eq(p.ack, ISN_C + 1);
	ck_assert_uint_eq(p.window, 65483);
	ck_assert_int_eq(p.mss, 65495);
	ck_assert_int_eq(p.wscale, 7);
	ck_assert_uint_eq(p.ts_ecr, 0x5e2a1b00);

	p = decode(ack4, sizeof ack4);
	ck_assert_uint_eq(p.flags, PKT_ACK);
	ck_assert_uint_eq(p.window, 512);
	ck_assert_int_eq(p.mss, -1);
	ck_assert_int_eq(p.wscale, -1);
	ck_assert(!p.sack_ok);
	ck_assert(p.has_ts);
	ck_assert_uint_eq(p.payload_len, 0);

	p = decode(data4, sizeof data4);
	ck_assert_uint_eq(p.flags, PKT_PSH | PKT_ACK);
	ck_assert_uint_eq(p.seq, ISN_C + 1);
	ck_assert_uint_eq(p.ack, ISN_S + 1);
	ck_assert_uint_eq(p.ip_len, 57);
	ck_assert_uint_eq(p.payload_len, 5);
	ck_assert_mem_eq(p.payload, "hello", 5);
	ck_assert_ptr_eq(p.payload, data4 + 52);

	p = decode(dack4, sizeof dack4);
	ck_assert_uint_eq(p.ack, ISN_C + 6);

	p = decode(fin4, sizeof fin4);
	ck_assert_uint_eq(p.flags, PKT_FIN | PKT_ACK);
	ck_assert_uint_eq(p.seq, ISN_C + 6);

	p = decode(rst4, sizeof rst4);
	ck_assert_uint_eq(p.flags, PKT_RST | PKT_ACK);
	ck_assert_uint_eq(p.seq, 0);
	ck_assert_uint_eq(p.ack, 0x6b8b4568);
	ck_assert_uint_eq(p.window, 0);
	ck_assert_uint_eq(port(&p.src), 5001);
	ck_assert_uint_eq(port(&p.dst), 40002);
	ck_assert_int_eq(p.mss, -1);
}
END_TEST

START_TEST(decode_ipv6_syn)
{
	pkt p = decode(syn6, sizeof syn6);
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_int_eq(p.proto, PKT_TCP);
	ck_assert_str_eq(addr(&p.src), "2001:db8::2");
	ck_assert_str_eq(addr(&p.dst), "2001:db8::1");
	ck_assert_uint_eq(port(&p.src), 40000);
	ck_assert_uint_eq(port(&p.dst), 5000);
	ck_assert_uint_eq(p.ip_len, 80);
	ck_assert_uint_eq(p.ttl, 64);
	ck_assert_uint_eq(p.seq, 0x0badcafe);
	ck_assert_uint_eq(p.flags, PKT_SYN);
	ck_assert_uint_eq(p.window, 64800);
	ck_assert_int_eq(p.mss, 1440);
	ck_assert_int_eq(p.wscale, 7);
	ck_assert(p.sack_ok && p.has_ts);
	ck_assert_uint_eq(p.ts_val, 0x11223344);
}
END_TEST

START_TEST(decode_udp)
{
	pkt p = decode(udp4, sizeof udp4);
	ck_assert_int_eq(p.family, AF_INET);
	ck_assert_int_eq(p.proto, PKT_UDP);
	ck_assert_str_eq(addr(&p.src), "192.0.2.2");
	ck_assert_str_eq(addr(&p.dst), "192.0.2.1");
	ck_assert_uint_eq(port(&p.src), 40000);
	ck_assert_uint_eq(port(&p.dst), 5000);
	ck_assert_uint_eq(p.ip_len, 33);
	ck_assert_uint_eq(p.payload_len, 5);
	ck_assert_mem_eq(p.payload, "hello", 5);
	ck_assert_int_eq(p.mss, -1);

	p = decode(udp6, sizeof udp6);
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_int_eq(p.proto, PKT_UDP);
	ck_assert_str_eq(addr(&p.src), "2001:db8::2");
	ck_assert_uint_eq(port(&p.dst), 5000);
	ck_assert_uint_eq(p.ip_len, 53);
	ck_assert_uint_eq(p.payload_len, 5);
	ck_assert_mem_eq(p.payload, "hello", 5);

	/* a UDP length shorter than the IP payload: the rest is not data */
	unsigned char *c = copy(udp4, sizeof udp4);
	c[25] = 10;
	p = decode(c, sizeof udp4);
	ck_assert_uint_eq(p.payload_len, 2);
	free(c);
}
END_TEST

START_TEST(decode_icmp)
{
	pkt p = decode(unreach4, sizeof unreach4);
	ck_assert_int_eq(p.proto, PKT_ICMP);
	ck_assert_uint_eq(p.ip_proto, 1);
	ck_assert_str_eq(addr(&p.src), "192.0.2.1");
	ck_assert_str_eq(addr(&p.dst), "192.0.2.2");
	ck_assert_uint_eq(port(&p.src), 0);
	ck_assert_uint_eq(p.icmp_type, 3);
	ck_assert_uint_eq(p.icmp_code, 3);
	ck_assert_int_eq(p.quoted_proto, PKT_UDP);
	ck_assert_str_eq(addr(&p.quoted_src), "192.0.2.2");
	ck_assert_str_eq(addr(&p.quoted_dst), "192.0.2.1");
	ck_assert_uint_eq(port(&p.quoted_src), 40000);
	ck_assert_uint_eq(port(&p.quoted_dst), 5000);
	ck_assert_uint_eq(p.payload_len, sizeof udp4);
	ck_assert_mem_eq(p.payload, udp4, sizeof udp4);

	p = decode(unreach6, sizeof unreach6);
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_int_eq(p.proto, PKT_ICMP);
	ck_assert_uint_eq(p.ip_proto, 58);
	ck_assert_uint_eq(p.icmp_type, 1);
	ck_assert_uint_eq(p.icmp_code, 4);
	ck_assert_int_eq(p.quoted_proto, PKT_UDP);
	ck_assert_str_eq(addr(&p.quoted_src), "2001:db8::2");
	ck_assert_uint_eq(port(&p.quoted_src), 40000);
	ck_assert_uint_eq(port(&p.quoted_dst), 5000);

	p = decode(echo4, sizeof echo4);
	ck_assert_int_eq(p.proto, PKT_ICMP);
	ck_assert_uint_eq(p.icmp_type, 8);
	ck_assert_uint_eq(p.icmp_id, 0x1c2d);
	ck_assert_uint_eq(p.icmp_seq, 1);
	ck_assert_int_eq(p.quoted_src.ss_family, 0);
	ck_assert_int_eq(p.quoted_proto, PKT_OTHER);
	ck_assert_mem_eq(p.payload, "ping", 4);

	/* an echo request carrying what looks like an IP header: not quoted */
	unsigned char ping[28 + sizeof udp4];
	memcpy(ping, echo4, 28);
	memcpy(ping + 28, udp4, sizeof udp4);
	ping[3] = sizeof ping;
	p = decode(ping, sizeof ping);
	ck_assert_int_eq(p.quoted_src.ss_family, 0);
	ck_assert_uint_eq(p.payload_len, sizeof udp4);

	/* a quoted fragment at a nonzero offset: addresses but no ports */
	unsigned char *q = copy(unreach4, sizeof unreach4);
	q[28 + 7] = 0x02;
	p = decode(q, sizeof unreach4);
	ck_assert_int_eq(p.quoted_src.ss_family, AF_INET);
	ck_assert_int_eq(p.quoted_proto, PKT_OTHER);
	ck_assert_uint_eq(port(&p.quoted_dst), 0);
	free(q);

	/* the quoted datagram cut short, the outer lengths consistent: what is there is read */
	for (size_t n = 28; n <= sizeof unreach4; n++) {
		unsigned char *c = copy(unreach4, n);
		c[2] = (unsigned char)(n >> 8);
		c[3] = (unsigned char)n;
		p = decode(c, n);
		ck_assert_int_eq(p.proto, PKT_ICMP);
		ck_assert_int_eq(p.quoted_src.ss_family, n >= 28 + 20 ? AF_INET : 0);
		ck_assert_uint_eq(port(&p.quoted_dst), n >= 28 + 24 ? 5000 : 0);
		free(c);
	}
}
END_TEST

START_TEST(decode_ip_options_and_extension_headers)
{
	pkt p = decode(opts4, sizeof opts4);
	ck_assert_int_eq(p.proto, PKT_UDP);
	ck_assert_uint_eq(p.ip_len, 34);
	ck_assert_uint_eq(port(&p.src), 40000);
	ck_assert_uint_eq(port(&p.dst), 5000);
	ck_assert_uint_eq(p.payload_len, 2);
	ck_assert_mem_eq(p.payload, "hi", 2);

	p = decode(ext6, sizeof ext6);
	ck_assert_int_eq(p.proto, PKT_UDP);
	ck_assert_uint_eq(p.ip_proto, 17);
	ck_assert_uint_eq(port(&p.dst), 5000);
	ck_assert_uint_eq(p.payload_len, 3);
	ck_assert_mem_eq(p.payload, "hey", 3);
}
END_TEST

START_TEST(decode_fragments_and_other_protocols)
{
	/* an IPv4 fragment at offset 16 */
	unsigned char *c = copy(udp4, sizeof udp4);
	c[6] = 0x00;
	c[7] = 0x02;
	pkt p = decode(c, sizeof udp4);
	ck_assert_int_eq(p.proto, PKT_OTHER);
	ck_assert(p.fragment);
	ck_assert_uint_eq(p.ip_proto, 17);
	ck_assert_uint_eq(p.payload_len, sizeof udp4 - 20);
	ck_assert_uint_eq(port(&p.dst), 0);

	/* a first fragment (MF) whose UDP length runs past it: what is there */
	c[6] = 0x20;
	c[7] = 0x00;
	c[3] = (unsigned char)(sizeof udp4 - 3);
	p = decode(c, sizeof udp4 - 3);
	ck_assert_int_eq(p.proto, PKT_UDP);
	ck_assert(p.fragment);
	ck_assert_uint_eq(p.payload_len, 2);
	/* without MF that is an error */
	c[6] = 0x40;
	const char *why = NULL;
	ck_assert_int_eq(pkt_decode(c, sizeof udp4 - 3, &p, &why), -1);
	ck_assert_str_eq(why, "UDP length exceeds the IP payload");
	free(c);

	/* an IPv6 fragment header before the UDP header */
	unsigned char frag[sizeof udp6 + 8];
	memcpy(frag, udp6, 40);
	frag[5] = (unsigned char)(udp6[5] + 8);
	frag[6] = 44;
	static const unsigned char fh[8] = { 17, 0, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78 };
	memcpy(frag + 40, fh, 8);
	memcpy(frag + 48, udp6 + 40, sizeof udp6 - 40);
	p = decode(frag, sizeof frag);
	ck_assert_int_eq(p.proto, PKT_OTHER);
	ck_assert(p.fragment);
	ck_assert_uint_eq(p.ip_proto, 17);
	ck_assert_uint_eq(p.payload_len, sizeof udp6 - 40);
	ck_assert_uint_eq(port(&p.src), 0);

	/* GRE; ICMPv6 inside IPv4: not decoded, not an error */
	c = copy(udp4, sizeof udp4);
	c[9] = 47;
	p = decode(c, sizeof udp4);
	ck_assert_int_eq(p.proto, PKT_OTHER);
	ck_assert_uint_eq(p.ip_proto, 47);
	ck_assert(!p.fragment);
	ck_assert_uint_eq(p.payload_len, 13);
	c[9] = 58;
	p = decode(c, sizeof udp4);
	ck_assert_int_eq(p.proto, PKT_OTHER);
	free(c);

	/* BIG TCP: a length field of 0 in a frame over 64 KiB means the whole frame */
	size_t big = 70000;
	c = calloc(1, big);
	ck_assert_ptr_nonnull(c);
	memcpy(c, data4, 52);
	c[2] = c[3] = 0;
	p = decode(c, big);
	ck_assert_int_eq(p.proto, PKT_TCP);
	ck_assert_uint_eq(p.ip_len, big);
	ck_assert_uint_eq(p.payload_len, big - 52);
	memcpy(c, udp6, 48);
	c[4] = c[5] = 0;
	c[44] = c[45] = 0;
	p = decode(c, big);
	ck_assert_int_eq(p.proto, PKT_UDP);
	ck_assert_uint_eq(p.ip_len, big);
	ck_assert_uint_eq(p.payload_len, big - 48);
	free(c);

	/* Ethernet padding after the IP packet is not payload */
	unsigned char padded[sizeof udp4 + 11];
	memset(padded, 0, sizeof padded);
	memcpy(padded, udp4, sizeof udp4);
	p = decode(padded, sizeof padded);
	ck_assert_uint_eq(p.ip_len, sizeof udp4);
	ck_assert_uint_eq(p.payload_len, 5);
}
END_TEST

START_TEST(decode_ether)
{
	unsigned char frame[14 + sizeof syn4];
	memset(frame, 0, 14);
	frame[12] = 0x08;
	frame[13] = 0x00;
	memcpy(frame + 14, syn4, sizeof syn4);
	pkt p;
	const char *why = "unset";
	ck_assert_int_eq(pkt_decode_ether(frame, sizeof frame, &p, &why), 0);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(p.proto, PKT_TCP);
	ck_assert_uint_eq(port(&p.dst), 5000);
	ck_assert_int_eq(p.wscale, 7);

	unsigned char frame6[14 + sizeof syn6];
	memset(frame6, 0, 14);
	frame6[12] = 0x86;
	frame6[13] = 0xdd;
	memcpy(frame6 + 14, syn6, sizeof syn6);
	ck_assert_int_eq(pkt_decode_ether(frame6, sizeof frame6, &p, &why), 0);
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_int_eq(p.mss, 1440);

	/* ARP */
	frame[12] = 0x08;
	frame[13] = 0x06;
	ck_assert_int_eq(pkt_decode_ether(frame, sizeof frame, &p, &why), -1);
	ck_assert_str_eq(why, "not an IP frame");
	/* an IPv6 packet under the IPv4 ethertype */
	frame6[12] = 0x08;
	frame6[13] = 0x00;
	ck_assert_int_eq(pkt_decode_ether(frame6, sizeof frame6, &p, &why), -1);
	ck_assert_str_eq(why, "IP version does not match the ethertype");

	/* cut anywhere: an error, never a read past the end */
	frame[13] = 0x00;
	for (size_t n = 0; n < sizeof frame; n++) {
		unsigned char *c = copy(frame, n);
		why = NULL;
		ck_assert_int_eq(pkt_decode_ether(c, n, &p, &why), -1);
		ck_assert_ptr_nonnull(why);
		ck_assert_msg(strstr(why, "truncated") || strstr(why, "exceeds"), "cut at %zu: %s",
			      n, why);
		free(c);
	}
}
END_TEST

START_TEST(truncated_at_every_length)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		const fixture *f = &fixtures[i];
		pkt p;
		const char *why;
		ck_assert_int_eq(pkt_decode(f->data, f->len, &p, &why), 0);
		for (size_t n = 0; n < f->len; n++) {
			unsigned char *c = copy(f->data, n);
			why = NULL;
			int rc = pkt_decode(c, n, &p, &why);
			ck_assert_msg(rc == -1, "%s cut at %zu decoded", f->name, n);
			ck_assert_msg(why && (strstr(why, "truncated") || strstr(why, "exceeds")),
				      "%s cut at %zu: %s", f->name, n, why ? why : "(null)");
			free(c);
		}
	}
}
END_TEST

/* Sets the IP length field of c (n bytes) to n, as far as the field is there. */
static void set_ip_length(unsigned char *c, size_t n)
{
	if (n >= 4 && c[0] >> 4 == 4) {
		c[2] = (unsigned char)(n >> 8);
		c[3] = (unsigned char)n;
	} else if (n >= 6 && c[0] >> 4 == 6) {
		size_t plen = n >= 40 ? n - 40 : 0;
		c[4] = (unsigned char)(plen >> 8);
		c[5] = (unsigned char)plen;
	}
}

/* What any decode result must be: a reason for a failure; for a success, a payload inside the
 * buffer and a description. */
static void check_result(const unsigned char *c, size_t n, int rc, const pkt *p, const char *why)
{
	if (rc != 0) {
		ck_assert_int_eq(rc, -1);
		ck_assert_ptr_nonnull(why);
		ck_assert(*why != '\0');
		return;
	}
	ck_assert_ptr_null(why);
	ck_assert_uint_le(p->ip_len, n);
	if (p->payload_len) {
		ck_assert(p->payload >= c);
		ck_assert(p->payload + p->payload_len <= c + n);
	}
	char *s = pkt_describe(p, NULL, false);
	ck_assert(strlen(s) > 0);
	free(s);
	s = pkt_preview_hex(p, 64);
	free(s);
	s = pkt_preview_text(p, 64);
	free(s);
}

START_TEST(truncated_with_consistent_lengths)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		const fixture *f = &fixtures[i];
		for (size_t n = 0; n <= f->len; n++) {
			unsigned char *c = copy(f->data, n);
			set_ip_length(c, n);
			pkt p;
			const char *why = NULL;
			int rc = pkt_decode(c, n, &p, &why);
			check_result(c, n, rc, &p, why);
			free(c);
		}
	}
	/* a TCP segment decodes exactly when its whole header is there */
	for (size_t n = 0; n <= sizeof data4; n++) {
		unsigned char *c = copy(data4, n);
		set_ip_length(c, n);
		pkt p;
		const char *why = NULL;
		int rc = pkt_decode(c, n, &p, &why);
		ck_assert_int_eq(rc, n >= 20 + 32 ? 0 : -1);
		if (rc == 0)
			ck_assert_uint_eq(p.payload_len, n - 52);
		free(c);
	}
}
END_TEST

START_TEST(random_corruption)
{
	uint32_t state = 12345;
	pkt_flows *flows = pkt_flows_new();
	for (int iter = 0; iter < 4000; iter++) {
		state = state * 1103515245u + 12345u;
		const fixture *f = &fixtures[(state >> 8) % ARRAY_SIZE(fixtures)];
		unsigned char *c = copy(f->data, f->len);
		state = state * 1103515245u + 12345u;
		int flips = 1 + (int)((state >> 8) % 4);
		for (int k = 0; k < flips; k++) {
			state = state * 1103515245u + 12345u;
			c[(state >> 8) % f->len] = (unsigned char)(state >> 20);
		}
		state = state * 1103515245u + 12345u;
		size_t n = (state >> 8) % (f->len + 1);
		unsigned char *d = copy(c, n);
		if (iter % 2)
			set_ip_length(d, n);
		pkt p;
		const char *why = NULL;
		int rc = pkt_decode(d, n, &p, &why);
		check_result(d, n, rc, &p, why);
		if (rc == 0) {
			pkt_rel rel;
			pkt_flows_track(flows, &p, &rel);
			char *s = pkt_describe(&p, &rel, false);
			free(s);
		}
		free(d);
		free(c);
	}
	pkt_flows_free(flows);
}
END_TEST

START_TEST(malformed)
{
	/* IHL 4 */
	ck_assert_str_eq(decode_bad(syn4, sizeof syn4, 0, 0x44), "bad IPv4 header length");
	/* IHL 15: 60 bytes of header do not fit in 33 */
	ck_assert_str_eq(decode_bad(udp4, sizeof udp4, 0, 0x4f), "truncated IPv4 header");
	/* total length 19, shorter than the header */
	ck_assert_str_eq(decode_bad(udp4, sizeof udp4, 3, 19), "bad IPv4 total length");
	/* total length one more than the frame */
	ck_assert_str_eq(decode_bad(udp4, sizeof udp4, 3, sizeof udp4 + 1),
			 "IP total length exceeds the frame");
	/* total length 0 in a frame that could hold a length */
	ck_assert_str_eq(decode_bad(udp4, sizeof udp4, 3, 0), "bad IPv4 total length");
	/* versions 5 and 0 */
	ck_assert_str_eq(decode_bad(syn4, sizeof syn4, 0, 0x55), "unsupported IP version 5");
	ck_assert_str_eq(decode_bad(syn4, sizeof syn4, 0, 0x05), "unsupported IP version 0");
	/* IPv6 payload length one more than the frame holds */
	ck_assert_str_eq(decode_bad(udp6, sizeof udp6, 5, (unsigned char)(udp6[5] + 1)),
			 "IPv6 payload length exceeds the frame");
	/* a hop-by-hop header claiming 1608 bytes */
	ck_assert_str_eq(decode_bad(ext6, sizeof ext6, 41, 200), "truncated IPv6 extension header");

	/* TCP data offset 4, and 15 (60 bytes) in a 32-byte segment */
	ck_assert_str_eq(decode_bad(syn4, sizeof syn4, 32, 0x40), "bad TCP data offset");
	ck_assert_str_eq(decode_bad(ack4, sizeof ack4, 32, 0xf0),
			 "TCP data offset beyond the segment");
	/* a 13-byte UDP datagram taken for TCP */
	ck_assert_str_eq(decode_bad(udp4, sizeof udp4, 9, 6), "truncated TCP header");
	/* MSS option length 0, then 3 */
	ck_assert_str_eq(decode_bad(syn4, sizeof syn4, 41, 0), "bad TCP option length");
	ck_assert_str_eq(decode_bad(syn4, sizeof syn4, 41, 3), "bad TCP option length");
	/* TS claiming 9 bytes, window scale 2 */
	ck_assert_str_eq(decode_bad(syn4, sizeof syn4, 47, 9), "bad TCP option length");
	ck_assert_str_eq(decode_bad(syn4, sizeof syn4, 58, 2), "bad TCP option length");
	/* window scale (3 bytes, the last in the header) claiming 4 */
	ck_assert_str_eq(decode_bad(syn4, sizeof syn4, 58, 4), "TCP option runs past the header");
	/* the last byte of the header a kind with no room for its length: NOP NOP NOP WS */
	unsigned char *c = copy(syn4, sizeof syn4);
	c[57] = c[58] = 1;
	c[59] = 3;
	pkt p;
	const char *why = NULL;
	ck_assert_int_eq(pkt_decode(c, sizeof syn4, &p, &why), -1);
	ck_assert_str_eq(why, "TCP option runs past the header");
	/* an unknown kind of length 1 */
	memcpy(c, syn4, sizeof syn4);
	c[44] = 30;
	c[45] = 1;
	ck_assert_int_eq(pkt_decode(c, sizeof syn4, &p, &why), -1);
	ck_assert_str_eq(why, "bad TCP option length");
	free(c);

	/* UDP length 7, and 14 in a 13-byte payload */
	ck_assert_str_eq(decode_bad(udp4, sizeof udp4, 25, 7), "bad UDP length");
	ck_assert_str_eq(decode_bad(udp4, sizeof udp4, 25, 14),
			 "UDP length exceeds the IP payload");
	/* an ICMP message of 7 bytes */
	ck_assert_str_eq(decode_bad(echo4, 27, 3, 27), "truncated ICMP header");

	/* well-formed oddities: EOL ends the options, unknown kinds are skipped */
	c = copy(syn4, sizeof syn4);
	c[44] = 30;	/* SACK_PERM becomes kind 30, length 2 */
	p = decode(c, sizeof syn4);
	ck_assert(!p.sack_ok);
	ck_assert_int_eq(p.mss, 65495);
	ck_assert(p.has_ts);
	ck_assert_int_eq(p.wscale, 7);
	c[44] = 0;	/* EOL: nothing after it counts */
	p = decode(c, sizeof syn4);
	ck_assert_int_eq(p.mss, 65495);
	ck_assert(!p.has_ts);
	ck_assert_int_eq(p.wscale, -1);
	free(c);
}
END_TEST

START_TEST(flag_strings)
{
	char buf[PKT_FLAGS_LEN];
	static const struct {
		unsigned flags;
		const char *want;
	} cases[] = {
		{ PKT_SYN, "SYN" },
		{ PKT_SYN | PKT_ACK, "SYN,ACK" },
		{ PKT_ACK, "ACK" },
		{ PKT_PSH | PKT_ACK, "PSH,ACK" },
		{ PKT_FIN | PKT_ACK, "FIN,ACK" },
		{ PKT_RST, "RST" },
		{ PKT_RST | PKT_ACK, "RST,ACK" },
		{ PKT_FIN | PKT_PSH | PKT_ACK, "FIN,PSH,ACK" },
		{ PKT_SYN | PKT_ECE | PKT_CWR, "SYN,ECE,CWR" },
		{ 0, "none" },
		{ 0xff, "SYN,FIN,RST,PSH,ACK,URG,ECE,CWR" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		pkt_flags(cases[i].flags, buf, sizeof buf);
		ck_assert_str_eq(buf, cases[i].want);
	}
	ck_assert_uint_eq(strlen(buf) + 1, PKT_FLAGS_LEN);
	pkt_flags(PKT_SYN | PKT_ACK, buf, 5);
	ck_assert_str_eq(buf, "SYN,");
	pkt_flags(PKT_SYN, buf, 1);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* Decodes d and tracks it in f. */
static pkt track(pkt_flows *f, const unsigned char *d, size_t n, pkt_rel *rel)
{
	pkt p = decode(d, n);
	pkt_flows_track(f, &p, rel);
	return p;
}

START_TEST(flows_relative_numbers)
{
	pkt_flows *f = pkt_flows_new();
	pkt_rel r;
	pkt p = track(f, syn4, sizeof syn4, &r);
	ck_assert_uint_eq(r.rel_seq, 0);
	ck_assert(!r.has_ack);
	ck_assert_int_eq(r.conn, 1);
	ck_assert(r.from_initiator);
	ck_assert_uint_eq(r.window, 65495);
	ck_assert_int_eq(r.scale, 0);
	check_describe(&p, &r, false, "127.0.0.1:40000 > 127.0.0.1:5000 [SYN] seq=0 win=65495 "
		       "len=0 <mss 65495,sackOK,TS,wscale 7>");

	p = track(f, synack4, sizeof synack4, &r);
	ck_assert_uint_eq(r.rel_seq, 0);
	ck_assert(r.has_ack);
	ck_assert_uint_eq(r.rel_ack, 1);
	ck_assert_int_eq(r.conn, 1);
	ck_assert(!r.from_initiator);
	/* the window of a SYN is never scaled */
	ck_assert_uint_eq(r.window, 65483);
	ck_assert_int_eq(r.scale, 0);
	check_describe(&p, &r, false, "127.0.0.1:5000 > 127.0.0.1:40000 [SYN,ACK] seq=0 ack=1 "
		       "win=65483 len=0 <mss 65495,sackOK,TS,wscale 7>");

	p = track(f, ack4, sizeof ack4, &r);
	ck_assert_uint_eq(r.rel_seq, 1);
	ck_assert_uint_eq(r.rel_ack, 1);
	ck_assert(r.has_ack);
	ck_assert(r.from_initiator);
	ck_assert_uint_eq(r.window, 65536);
	ck_assert_int_eq(r.scale, 7);
	check_describe(&p, &r, false,
		       "127.0.0.1:40000 > 127.0.0.1:5000 [ACK] seq=1 ack=1 win=65536 len=0");

	p = track(f, data4, sizeof data4, &r);
	ck_assert_uint_eq(r.rel_seq, 1);
	ck_assert_uint_eq(r.rel_ack, 1);
	ck_assert_uint_eq(p.payload_len, 5);
	check_describe(&p, &r, false,
		       "127.0.0.1:40000 > 127.0.0.1:5000 [PSH,ACK] seq=1 ack=1 win=65536 len=5");
	check_describe(&p, &r, true, "127.0.0.1:40000 > 127.0.0.1:5000 [PSH,ACK] "
		       "seq=2351779602 ack=524180861 win=65536 len=5");
	check_describe(&p, NULL, false, "127.0.0.1:40000 > 127.0.0.1:5000 [PSH,ACK] "
		       "seq=2351779602 ack=524180861 win=512 len=5");

	p = track(f, dack4, sizeof dack4, &r);
	ck_assert_uint_eq(r.rel_seq, 1);
	ck_assert_uint_eq(r.rel_ack, 6);
	ck_assert(!r.from_initiator);

	p = track(f, fin4, sizeof fin4, &r);
	ck_assert_uint_eq(r.rel_seq, 6);
	ck_assert_uint_eq(r.rel_ack, 1);
	ck_assert_int_eq(r.conn, 1);
	check_describe(&p, &r, false,
		       "127.0.0.1:40000 > 127.0.0.1:5000 [FIN,ACK] seq=6 ack=1 win=65536 len=0");

	/* not TCP: nothing to say */
	p = decode(udp4, sizeof udp4);
	pkt_flows_track(f, &p, &r);
	ck_assert_int_eq(r.conn, 0);
	ck_assert_uint_eq(r.window, 0);
	pkt_flows_free(f);
	pkt_flows_free(NULL);
}
END_TEST

/* A TCP packet from 127.0.0.1:sport to 127.0.0.1:dport, built and decoded into *out (whose
 * payload then points into buf). */
static void make_tcp(pkt *out, unsigned char *buf, size_t cap, uint16_t sport, uint16_t dport,
		     uint32_t seq, uint32_t ack, unsigned flags, unsigned window, int wscale)
{
	pkt p;
	memset(&p, 0, sizeof p);
	p.family = AF_INET;
	p.proto = PKT_TCP;
	set_v4(&p.src, "127.0.0.1", sport);
	set_v4(&p.dst, "127.0.0.1", dport);
	p.seq = seq;
	p.ack = ack;
	p.flags = flags;
	p.window = window;
	p.mss = flags & PKT_SYN ? 65495 : -1;
	p.wscale = wscale;
	size_t n = pkt_build(&p, buf, cap);
	ck_assert_uint_gt(n, 0);
	*out = decode(buf, n);
}

START_TEST(flows_window_scaling)
{
	unsigned char buf[128];
	pkt p;
	pkt_rel r;
	/* only the SYN has the option: no scaling */
	pkt_flows *f = pkt_flows_new();
	track(f, syn4, sizeof syn4, &r);
	make_tcp(&p, buf, sizeof buf, 5000, 40000, ISN_S, ISN_C + 1, PKT_SYN | PKT_ACK, 65483, -1);
	pkt_flows_track(f, &p, &r);
	track(f, ack4, sizeof ack4, &r);
	ck_assert_uint_eq(r.window, 512);
	ck_assert_int_eq(r.scale, 0);

	/* only the SYN-ACK has it */
	pkt_flows_reset(f);
	make_tcp(&p, buf, sizeof buf, 40000, 5000, ISN_C, 0, PKT_SYN, 65495, -1);
	pkt_flows_track(f, &p, &r);
	ck_assert_int_eq(r.conn, 1);
	track(f, synack4, sizeof synack4, &r);
	track(f, dack4, sizeof dack4, &r);
	ck_assert_uint_eq(r.window, 512);
	ck_assert_int_eq(r.scale, 0);

	/* each side's own shift: 2 from the client, 9 from the server; 15 counts as 14 */
	pkt_flows_reset(f);
	make_tcp(&p, buf, sizeof buf, 40000, 5000, 100, 0, PKT_SYN, 65495, 2);
	pkt_flows_track(f, &p, &r);
	make_tcp(&p, buf, sizeof buf, 5000, 40000, 900, 101, PKT_SYN | PKT_ACK, 65483, 9);
	pkt_flows_track(f, &p, &r);
	ck_assert_uint_eq(r.window, 65483);
	make_tcp(&p, buf, sizeof buf, 40000, 5000, 101, 901, PKT_ACK, 1000, -1);
	pkt_flows_track(f, &p, &r);
	ck_assert_uint_eq(r.window, 4000);
	ck_assert_int_eq(r.scale, 2);
	make_tcp(&p, buf, sizeof buf, 5000, 40000, 901, 101, PKT_ACK, 3, -1);
	pkt_flows_track(f, &p, &r);
	ck_assert_uint_eq(r.window, 3 << 9);
	ck_assert_int_eq(r.scale, 9);

	pkt_flows_reset(f);
	make_tcp(&p, buf, sizeof buf, 40000, 5000, 100, 0, PKT_SYN, 65495, 0);
	pkt_flows_track(f, &p, &r);
	make_tcp(&p, buf, sizeof buf, 5000, 40000, 900, 101, PKT_SYN | PKT_ACK, 65483, 15);
	pkt_flows_track(f, &p, &r);
	make_tcp(&p, buf, sizeof buf, 5000, 40000, 901, 101, PKT_ACK, 65535, -1);
	pkt_flows_track(f, &p, &r);
	ck_assert_int_eq(r.scale, 14);
	ck_assert_uint_eq(r.window, 65535ul << 14);
	make_tcp(&p, buf, sizeof buf, 40000, 5000, 101, 901, PKT_ACK, 1000, -1);
	pkt_flows_track(f, &p, &r);
	ck_assert_int_eq(r.scale, 0);
	ck_assert_uint_eq(r.window, 1000);
	pkt_flows_free(f);
}
END_TEST

START_TEST(flows_connections)
{
	unsigned char buf[128];
	pkt p;
	pkt_rel r;
	pkt_flows *f = pkt_flows_new();
	track(f, syn4, sizeof syn4, &r);
	ck_assert_int_eq(r.conn, 1);
	/* a SYN to a closed port, refused: a second connection */
	make_tcp(&p, buf, sizeof buf, 40002, 5001, 0x6b8b4567, 0, PKT_SYN, 65495, 7);
	pkt_flows_track(f, &p, &r);
	ck_assert_int_eq(r.conn, 2);
	ck_assert(r.from_initiator);
	track(f, rst4, sizeof rst4, &r);
	ck_assert_int_eq(r.conn, 2);
	ck_assert(!r.from_initiator);
	ck_assert_uint_eq(r.rel_seq, 0);
	ck_assert(r.has_ack);
	ck_assert_uint_eq(r.rel_ack, 1);
	/* the first connection goes on; its SYN retransmitted changes nothing */
	track(f, syn4, sizeof syn4, &r);
	ck_assert_int_eq(r.conn, 1);
	ck_assert_uint_eq(r.rel_seq, 0);
	track(f, synack4, sizeof synack4, &r);
	ck_assert_int_eq(r.conn, 1);
	ck_assert_uint_eq(r.rel_ack, 1);
	track(f, data4, sizeof data4, &r);
	ck_assert_uint_eq(r.rel_seq, 1);
	track(f, fin4, sizeof fin4, &r);
	ck_assert_uint_eq(r.rel_seq, 6);
	/* its FIN closed it: the old SYN again still belongs to it, a new SYN starts another */
	track(f, syn4, sizeof syn4, &r);
	ck_assert_int_eq(r.conn, 1);
	make_tcp(&p, buf, sizeof buf, 40000, 5000, ISN_C + 100000, 0, PKT_SYN, 65495, 7);
	pkt_flows_track(f, &p, &r);
	ck_assert_int_eq(r.conn, 3);
	ck_assert_uint_eq(r.rel_seq, 0);
	ck_assert(r.from_initiator);
	make_tcp(&p, buf, sizeof buf, 5000, 40000, 77, ISN_C + 100001, PKT_SYN | PKT_ACK, 65483,
		 7);
	pkt_flows_track(f, &p, &r);
	ck_assert_int_eq(r.conn, 3);
	ck_assert(!r.from_initiator);
	ck_assert_uint_eq(r.rel_ack, 1);
	/* the refused one (closed by its RST) with a new SYN: a fourth */
	make_tcp(&p, buf, sizeof buf, 40002, 5001, 0x12345678, 0, PKT_SYN, 65495, 7);
	pkt_flows_track(f, &p, &r);
	ck_assert_int_eq(r.conn, 4);

	/* numbering starts again after a reset */
	pkt_flows_reset(f);
	track(f, rst4, sizeof rst4, &r);
	ck_assert_int_eq(r.conn, 1);
	ck_assert(r.from_initiator);

	/* first seen mid-stream: the first sender counts as the initiator, its first segment
	 * as seq 0; an ACK of a side not yet seen is not relative */
	pkt_flows_reset(f);
	track(f, dack4, sizeof dack4, &r);
	ck_assert_int_eq(r.conn, 1);
	ck_assert(r.from_initiator);
	ck_assert_uint_eq(r.rel_seq, 0);
	ck_assert(!r.has_ack);
	p = decode(dack4, sizeof dack4);
	check_describe(&p, &r, false, "127.0.0.1:5000 > 127.0.0.1:40000 [ACK] seq=0 "
		       "ack=2351779607 win=512 len=0");
	track(f, fin4, sizeof fin4, &r);
	ck_assert(!r.from_initiator);
	ck_assert_uint_eq(r.rel_seq, 0);
	ck_assert(r.has_ack);
	ck_assert_uint_eq(r.rel_ack, 0);
	ck_assert_int_eq(r.scale, 0);
	ck_assert_uint_eq(r.window, 512);

	/* first seen at the SYN-ACK: its receiver is the initiator */
	pkt_flows_reset(f);
	track(f, synack4, sizeof synack4, &r);
	ck_assert_int_eq(r.conn, 1);
	ck_assert(!r.from_initiator);
	ck_assert(!r.has_ack);
	track(f, ack4, sizeof ack4, &r);
	ck_assert(r.from_initiator);
	ck_assert_uint_eq(r.rel_ack, 1);
	/* the client's window scale is unknown */
	ck_assert_int_eq(r.scale, 0);
	pkt_flows_free(f);
}
END_TEST

START_TEST(describe)
{
	pkt p = decode(udp4, sizeof udp4);
	check_describe(&p, NULL, false, "192.0.2.2:40000 > 192.0.2.1:5000 UDP len=5");
	p = decode(udp6, sizeof udp6);
	check_describe(&p, NULL, false, "[2001:db8::2]:40000 > [2001:db8::1]:5000 UDP len=5");
	p = decode(unreach4, sizeof unreach4);
	check_describe(&p, NULL, false, "192.0.2.1 > 192.0.2.2 ICMP port unreachable "
		       "(UDP 192.0.2.2:40000 > 192.0.2.1:5000)");
	p = decode(unreach6, sizeof unreach6);
	check_describe(&p, NULL, false, "2001:db8::1 > 2001:db8::2 ICMPv6 port unreachable "
		       "(UDP [2001:db8::2]:40000 > [2001:db8::1]:5000)");
	p = decode(echo4, sizeof echo4);
	check_describe(&p, NULL, false, "192.0.2.2 > 192.0.2.1 ICMP echo request");

	p = decode(syn6, sizeof syn6);
	check_describe(&p, NULL, false, "[2001:db8::2]:40000 > [2001:db8::1]:5000 [SYN] "
		       "seq=195939070 win=64800 len=0 <mss 1440,sackOK,TS,wscale 7>");
	pkt_flows *f = pkt_flows_new();
	pkt_rel r;
	pkt_flows_track(f, &p, &r);
	check_describe(&p, &r, false, "[2001:db8::2]:40000 > [2001:db8::1]:5000 [SYN] "
		       "seq=0 win=64800 len=0 <mss 1440,sackOK,TS,wscale 7>");
	pkt_flows_free(f);

	/* a router solicitation from fe80::1 to ff02::2 */
	static const unsigned char rs[48] = {
		0x60, 0, 0, 0, 0, 8, 58, 255,
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		133, 0, 0, 0, 0, 0, 0, 0,
	};
	p = decode(rs, sizeof rs);
	check_describe(&p, NULL, false, "fe80::1 > ff02::2 ICMPv6 type 133 code 0");

	/* another protocol; a fragment */
	unsigned char *c = copy(udp4, sizeof udp4);
	c[9] = 47;
	p = decode(c, sizeof udp4);
	check_describe(&p, NULL, false, "192.0.2.2 > 192.0.2.1 proto 47 len=13");
	c[9] = 17;
	c[7] = 0x02;
	p = decode(c, sizeof udp4);
	check_describe(&p, NULL, false, "192.0.2.2 > 192.0.2.1 proto 17 fragment len=13");
	free(c);

	/* options only on a SYN, only those present */
	unsigned char buf[128];
	make_tcp(&p, buf, sizeof buf, 40000, 5000, 1, 0, PKT_SYN, 1000, -1);
	check_describe(&p, NULL, false,
		       "127.0.0.1:40000 > 127.0.0.1:5000 [SYN] seq=1 win=1000 len=0 <mss 65495>");
	make_tcp(&p, buf, sizeof buf, 40000, 5000, 1, 0, PKT_RST, 0, -1);
	check_describe(&p, NULL, false, "127.0.0.1:40000 > 127.0.0.1:5000 [RST] seq=1 win=0 len=0");
}
END_TEST

START_TEST(preview)
{
	pkt p = decode(data4, sizeof data4);
	char *s = pkt_preview_text(&p, 64);
	ck_assert_str_eq(s, "hello");
	free(s);
	s = pkt_preview_hex(&p, 64);
	ck_assert_str_eq(s, "68 65 6c 6c 6f");
	free(s);
	s = pkt_preview_text(&p, 3);
	ck_assert_str_eq(s, "hel");
	free(s);
	s = pkt_preview_hex(&p, 3);
	ck_assert_str_eq(s, "68 65 6c");
	free(s);

	static const unsigned char odd[] = { 'a', 0x00, '\n', 0x7f, 0xff, 'b', ' ' };
	p.payload = odd;
	p.payload_len = sizeof odd;
	s = pkt_preview_text(&p, 64);
	ck_assert_str_eq(s, "a....b ");
	free(s);
	s = pkt_preview_hex(&p, 64);
	ck_assert_str_eq(s, "61 00 0a 7f ff 62 20");
	free(s);

	p = decode(ack4, sizeof ack4);
	s = pkt_preview_text(&p, 64);
	ck_assert_str_eq(s, "");
	free(s);
	s = pkt_preview_hex(&p, 64);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* Builds a packet from the decoded fixture d and checks it: lengths and checksums right,
 * and it decodes to the same fields. Returns its length; the packet is in buf. */
static size_t rebuild(const unsigned char *d, size_t n, unsigned char *buf, size_t cap)
{
	pkt p = decode(d, n);
	size_t len = pkt_build(&p, buf, cap);
	ck_assert_uint_eq(len, n);
	if (buf[0] >> 4 == 4)
		ck_assert(ip4_checksum_ok(buf));
	ck_assert(transport_checksum_ok(buf, len));
	pkt q = decode(buf, len);
	ck_assert_int_eq(q.family, p.family);
	ck_assert_int_eq(q.proto, p.proto);
	ck_assert_mem_eq(&q.src, &p.src, sizeof q.src);
	ck_assert_mem_eq(&q.dst, &p.dst, sizeof q.dst);
	ck_assert_uint_eq(q.ip_len, p.ip_len);
	ck_assert_uint_eq(q.ttl, p.ttl);
	ck_assert_uint_eq(q.seq, p.seq);
	ck_assert_uint_eq(q.ack, p.ack);
	ck_assert_uint_eq(q.flags, p.flags);
	ck_assert_uint_eq(q.window, p.window);
	ck_assert_int_eq(q.mss, p.mss);
	ck_assert_int_eq(q.wscale, p.wscale);
	ck_assert(q.sack_ok == p.sack_ok);
	ck_assert(q.has_ts == p.has_ts);
	ck_assert_uint_eq(q.ts_val, p.ts_val);
	ck_assert_uint_eq(q.ts_ecr, p.ts_ecr);
	ck_assert_uint_eq(q.payload_len, p.payload_len);
	if (p.payload_len)
		ck_assert_mem_eq(q.payload, p.payload, p.payload_len);
	return len;
}

START_TEST(build_round_trip)
{
	unsigned char buf[256];
	/* TCP laid out byte for byte as Linux does; the IPv4 header but for the ID and its
	 * checksum */
	static const struct {
		const unsigned char *d;
		size_t n;
	} v4[] = {
		{ syn4, sizeof syn4 }, { synack4, sizeof synack4 }, { ack4, sizeof ack4 },
		{ data4, sizeof data4 }, { fin4, sizeof fin4 }, { rst4, sizeof rst4 },
		{ udp4, sizeof udp4 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v4); i++) {
		size_t n = rebuild(v4[i].d, v4[i].n, buf, sizeof buf);
		ck_assert_mem_eq(buf, v4[i].d, 4);
		ck_assert_mem_eq(buf + 6, v4[i].d + 6, 4);
		ck_assert_mem_eq(buf + 12, v4[i].d + 12, n - 12);
		ck_assert_uint_eq(buf[4], 0);
		ck_assert_uint_eq(buf[5], 0);
	}
	/* IPv6: all but the flow label */
	static const struct {
		const unsigned char *d;
		size_t n;
	} v6[] = { { syn6, sizeof syn6 }, { udp6, sizeof udp6 } };
	for (size_t i = 0; i < ARRAY_SIZE(v6); i++) {
		size_t n = rebuild(v6[i].d, v6[i].n, buf, sizeof buf);
		ck_assert_uint_eq(buf[0], 0x60);
		ck_assert_mem_eq(buf + 4, v6[i].d + 4, n - 4);
	}

	/* the other option layouts: SACK_PERM without TS, TS without SACK_PERM */
	pkt p;
	memset(&p, 0, sizeof p);
	p.family = AF_INET;
	p.proto = PKT_TCP;
	set_v4(&p.src, "192.0.2.2", 40000);
	set_v4(&p.dst, "192.0.2.1", 5000);
	p.flags = PKT_SYN;
	p.mss = 1460;
	p.wscale = 7;
	p.sack_ok = true;
	size_t n = pkt_build(&p, buf, sizeof buf);
	ck_assert_uint_eq(n, 20 + 32);
	static const unsigned char sack_only[12] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2 };
	ck_assert_mem_eq(buf + 40, sack_only, 12);
	ck_assert(ip4_checksum_ok(buf));
	ck_assert(transport_checksum_ok(buf, n));
	pkt q = decode(buf, n);
	ck_assert(q.sack_ok && !q.has_ts);
	ck_assert_int_eq(q.mss, 1460);
	ck_assert_int_eq(q.wscale, 7);
	ck_assert_uint_eq(q.ttl, 64);
	p.sack_ok = false;
	p.has_ts = true;
	p.ts_val = 1;
	p.mss = -1;
	p.wscale = -1;
	n = pkt_build(&p, buf, sizeof buf);
	ck_assert_uint_eq(n, 20 + 32);
	static const unsigned char ts_only[12] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 };
	ck_assert_mem_eq(buf + 40, ts_only, 12);

	/* UDP over IPv6 with a payload and a TTL */
	memset(&p, 0, sizeof p);
	p.family = AF_INET6;
	p.proto = PKT_UDP;
	set_v6(&p.src, "::1", 1234);
	set_v6(&p.dst, "::1", 53);
	p.ttl = 3;
	p.payload = (const unsigned char *)"query";
	p.payload_len = 5;
	n = pkt_build(&p, buf, sizeof buf);
	ck_assert_uint_eq(n, 40 + 8 + 5);
	ck_assert(transport_checksum_ok(buf, n));
	q = decode(buf, n);
	ck_assert_int_eq(q.proto, PKT_UDP);
	ck_assert_uint_eq(q.ttl, 3);
	ck_assert_uint_eq(port(&q.dst), 53);
	ck_assert_mem_eq(q.payload, "query", 5);

	/* a UDP checksum computing to 0 is sent as 0xffff: make the payload's last word the
	 * checksum it had as zeros, so that the sum comes out as 0xffff */
	static unsigned char zeros[6];
	p.payload = zeros;
	p.payload_len = sizeof zeros;
	n = pkt_build(&p, buf, sizeof buf);
	ck_assert_uint_eq(n, 40 + 8 + 6);
	unsigned char fix[6] = { 0, 0, 0, 0, buf[46], buf[47] };
	ck_assert(buf[46] || buf[47]);
	p.payload = fix;
	n = pkt_build(&p, buf, sizeof buf);
	ck_assert_uint_eq(buf[46], 0xff);
	ck_assert_uint_eq(buf[47], 0xff);
	ck_assert(transport_checksum_ok(buf, n));
	p.payload = (const unsigned char *)"query";
	p.payload_len = 5;
	n = 40 + 8 + 5;

	/* too small a buffer, an exact one; what cannot be built */
	ck_assert_uint_eq(pkt_build(&p, buf, n - 1), 0);
	ck_assert_uint_eq(pkt_build(&p, buf, n), n);
	p.proto = PKT_ICMP;
	ck_assert_uint_eq(pkt_build(&p, buf, sizeof buf), 0);
	p.proto = PKT_UDP;
	p.family = AF_INET;
	ck_assert_uint_eq(pkt_build(&p, buf, sizeof buf), 0);
}
END_TEST

Suite *make_packet_suite(void)
{
	Suite *s = suite_create("packet");
	TCase *tc = tcase_create("decode");
	tcase_add_test(tc, checksum_helper);
	tcase_add_test(tc, decode_linux_syn);
	tcase_add_test(tc, decode_connection);
	tcase_add_test(tc, decode_ipv6_syn);
	tcase_add_test(tc, decode_udp);
	tcase_add_test(tc, decode_icmp);
	tcase_add_test(tc, decode_ip_options_and_extension_headers);
	tcase_add_test(tc, decode_fragments_and_other_protocols);
	tcase_add_test(tc, decode_ether);
	suite_add_tcase(s, tc);

	tc = tcase_create("robustness");
	tcase_add_test(tc, truncated_at_every_length);
	tcase_add_test(tc, truncated_with_consistent_lengths);
	tcase_add_test(tc, random_corruption);
	tcase_add_test(tc, malformed);
	suite_add_tcase(s, tc);

	tc = tcase_create("flows");
	tcase_add_test(tc, flows_relative_numbers);
	tcase_add_test(tc, flows_window_scaling);
	tcase_add_test(tc, flows_connections);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, flag_strings);
	tcase_add_test(tc, describe);
	tcase_add_test(tc, preview);
	tcase_add_test(tc, build_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
