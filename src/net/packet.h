/* Packet decoding for the packet lab: IPv4 and IPv6 headers, TCP (with options), UDP and
 * ICMP/ICMPv6 from the raw bytes a TUN device (IFF_NO_PI) or an AF_PACKET socket hands over,
 * plus per-connection bookkeeping for relative sequence numbers and window scaling. Pure: no
 * I/O. Malformed or truncated input is rejected with a reason, never read past its end.
 *
 * Use: pkt_decode() (or pkt_decode_ether() for an AF_PACKET frame) fills a pkt whose payload
 * points into the caller's buffer; pkt_flows_track() turns its sequence numbers into relative
 * ones; pkt_describe() makes the line a student reads. Strings here are language-neutral (the
 * notation of tcpdump), never translated. pkt_build() makes packets for tests. */
#ifndef SOCKTUTOR_PACKET_H
#define SOCKTUTOR_PACKET_H

#include "core/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

typedef enum pkt_proto { PKT_OTHER = 0, PKT_TCP, PKT_UDP, PKT_ICMP } pkt_proto;

enum { /* TCP flags as in the header */
	PKT_FIN = 0x01, PKT_SYN = 0x02, PKT_RST = 0x04, PKT_PSH = 0x08, PKT_ACK = 0x10,
	PKT_URG = 0x20, PKT_ECE = 0x40, PKT_CWR = 0x80
};

/* A buffer this long holds any pkt_flags() string: "SYN,FIN,RST,PSH,ACK,URG,ECE,CWR". */
#define PKT_FLAGS_LEN 32

typedef struct pkt {
	int family;			/* AF_INET or AF_INET6 */
	struct sockaddr_storage src, dst;	/* addresses with ports (0 for ICMP) */
	pkt_proto proto;
	unsigned ip_proto;		/* the protocol number: IPv4's protocol field, IPv6's last
					 * next header (6, 17, 1, 58, ...) */
	bool fragment;			/* part of a fragmented datagram: the first fragment of an
					 * IPv4 one (transport decoded, payload incomplete), or
					 * any other (proto PKT_OTHER) */
	unsigned ip_len;		/* total length of the IP packet */
	unsigned ttl;			/* TTL / hop limit */
	/* TCP */
	uint32_t seq, ack;
	unsigned flags;			/* PKT_SYN | ... */
	unsigned window;		/* the raw 16-bit field */
	int mss;			/* -1 when the option is absent */
	int wscale;			/* -1 when absent; as sent, even above 14 */
	bool sack_ok, has_ts;
	uint32_t ts_val, ts_ecr;
	/* ICMP / ICMPv6 */
	unsigned icmp_type, icmp_code;
	unsigned icmp_id, icmp_seq;	/* of an echo request or reply, else 0 */
	/* For ICMP errors (dest unreachable etc.): the quoted datagram's protocol and ports when
	 * present, so a view can say "port 5000 unreachable". quoted_src.ss_family is 0 when no
	 * quoted IP header could be read; ports are 0 when not quoted. */
	pkt_proto quoted_proto;
	struct sockaddr_storage quoted_src, quoted_dst;
	/* The payload, pointing into the caller's buffer: the data of TCP/UDP; for ICMP the bytes
	 * after its 8-byte header (echo data, or the quoted datagram); for PKT_OTHER the bytes
	 * after the IP header(s). */
	const unsigned char *payload;
	size_t payload_len;
} pkt;

/* Decodes one IP packet (the first nibble says IPv4 or IPv6). Returns 0, or -1 with *why set to
 * a static English phrase ("truncated IPv4 header", "IP total length exceeds the frame",
 * "unsupported IP version 5", "bad TCP data offset", ...). Bytes after the IP total length
 * (Ethernet padding) are ignored. IPv4 options are skipped; IPv6 extension headers:
 * hop-by-hop, routing, destination options are skipped; fragment headers and IPv4 fragments
 * with nonzero offset give proto PKT_OTHER (no transport decoded) but succeed. Unknown
 * transport protocols succeed with PKT_OTHER. A length field of 0 in a frame over 65535 bytes
 * (BIG TCP, jumbograms) means the whole frame. Checksums are not verified. After a failure
 * *p is partly filled and not to be used. */
int pkt_decode(const unsigned char *data, size_t len, pkt *p, const char **why);

/* Decodes a frame from an AF_PACKET socket on a loopback device: a 14-byte Ethernet header
 * (zero MACs on lo) with ethertype 0x0800 or 0x86DD, then the IP packet. Other ethertypes fail
 * with why = "not an IP frame". */
int pkt_decode_ether(const unsigned char *data, size_t len, pkt *p, const char **why);

/* The flags as tcpdump's reader would say them: "SYN", "SYN,ACK", "PSH,ACK", "FIN,ACK",
 * "RST,ACK", ... in the order SYN, FIN, RST, PSH, ACK, URG, ECE, CWR; "none" for no flag.
 * Written to buf (PKT_FLAGS_LEN bytes hold any), truncated to fit len, always terminated
 * when len > 0. */
void pkt_flags(unsigned flags, char *buf, size_t len);

/* Connection bookkeeping. A pkt_flows remembers, per TCP connection (the unordered pair of
 * endpoints) and direction, the initial sequence number (from the SYN, or from the first segment
 * seen in that direction if no SYN was seen: that segment reads seq=0) and the window scale
 * each side announced in its SYN. Window scaling applies only when both SYNs carried the
 * option (RFC 7323), and never to the window field of a SYN segment itself; a shift above 14
 * counts as 14. Finding a connection costs a walk over the connections seen so far. */
typedef struct pkt_flows pkt_flows;
pkt_flows *pkt_flows_new(void);
void pkt_flows_free(pkt_flows *f);
/* Forgets every connection; numbering starts again at 1. */
void pkt_flows_reset(pkt_flows *f);

typedef struct pkt_rel {
	uint32_t rel_seq, rel_ack;	/* relative to the sender's / the receiver's ISN;
					 * seq 0 is the SYN */
	bool has_ack;			/* ACK flag set and the peer's ISN known */
	unsigned long window;		/* window in bytes, scaled when scaling is in effect */
	int scale;			/* the shift applied, 0 when none */
	int conn;			/* a small number identifying the connection, 1, 2, ...
					 * in order of first appearance */
	bool ack_seen;			/* an earlier segment of this connection carried an
					 * ACK (tcpdump numbers relative from there on) */
	bool from_initiator;		/* sent by the side that sent the first SYN (the
					 * client); for connections first seen mid-stream:
					 * sent by the side first seen sending */
} pkt_rel;

/* Records a TCP packet in f and fills *rel. Must be called in the order packets were seen.
 * A retransmitted SYN does not change the ISN; a new SYN with a different seq on a 4-tuple whose
 * previous connection had closed (FIN/RST seen) starts a new connection. A connection first
 * seen with a SYN-ACK counts its receiver as the initiator. For a packet that is not TCP,
 * *rel is zeroed (conn 0) and f is unchanged. */
void pkt_flows_track(pkt_flows *f, const pkt *p, pkt_rel *rel);

/* An address as text: "192.0.2.1", or with its port "192.0.2.1:5000" ("[::1]:5000"). */
void pkt_put_endpoint(strbuf *sb, const struct sockaddr_storage *ss, bool port);

/* One line describing the packet, language-neutral, as a student reads it (the caller frees):
 * TCP:  "192.0.2.2:40000 > 192.0.2.1:5000 [SYN] seq=0 win=64240 len=0
 *       <mss 1460,sackOK,TS,wscale 7>" (one line)
 *       with rel given, seq/ack are relative (ack absolute when rel->has_ack is false) and win
 *       is rel->window; with absolute true, seq/ack are printed absolute. ack= appears only
 *       when ACK is set. Options appear only on SYN segments, and only those present.
 * UDP:  "192.0.2.2:40000 > 192.0.2.1:5000 UDP len=5"
 * ICMP: "192.0.2.1 > 192.0.2.2 ICMP port unreachable (UDP 192.0.2.2:40000 > 192.0.2.1:5000)",
 *       "ICMP echo request", "ICMPv6 type 133 code 0" for others.
 * Other: "192.0.2.1 > 192.0.2.2 proto 47 len=20", with " fragment" after the number for a
 *       fragment.
 * IPv6 addresses in brackets with the port: "[2001:db8::2]:40000". */
char *pkt_describe(const pkt *p, const pkt_rel *rel, bool absolute);

/* A preview of the payload: printable ASCII as is, other bytes as '.', at most max bytes, plus
 * a hex dump string of at most max bytes ("68 65 6c 6c 6f"). Caller frees both. */
char *pkt_preview_text(const pkt *p, size_t max);
char *pkt_preview_hex(const pkt *p, size_t max);

/* Builds an IPv4 (or IPv6 when family is AF_INET6) packet carrying a TCP segment or UDP
 * datagram into buf (cap bytes), with correct lengths and checksums; returns its length or 0
 * when it does not fit (or p->proto is neither PKT_TCP nor PKT_UDP, or the addresses are not
 * of p->family). Addresses and ports come from p->src and p->dst, the TTL / hop limit from
 * p->ttl (64 when 0); an IPv4 header has ID 0 and DF set. For TCP, seq/ack/flags/window come
 * from p, options from p->mss/p->wscale/p->sack_ok/p->has_ts (-1/false = absent) laid out as
 * Linux lays them out (MSS, SACK_PERM, TS, NOP, WS when all are present), payload from
 * p->payload. */
size_t pkt_build(const pkt *p, unsigned char *buf, size_t cap);

#endif
