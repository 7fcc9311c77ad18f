/* libFuzzer harness for the packet decoder (src/net/packet.c): the packet lab decodes every
 * frame that crosses its wire, and a program in a lab namespace can send anything.
 *
 * The input is decoded as one IP packet (pkt_decode) and as one Ethernet frame
 * (pkt_decode_ether); then as a run of IP packets laid end to end (each ends at its IP total
 * length), all tracked in one pkt_flows so that relative numbering and window scaling see
 * whole connections. Every packet decoded is described (pkt_describe, relative and absolute,
 * pkt_preview_text/hex, and the tools view's tools_tcpdump_pkt), and a TCP or UDP packet is
 * rebuilt with pkt_build and decoded again, which must give the same packet. */
#include "config.h"

#include "fuzz.h"

#include "packet.h"
#include "tools.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* tools.c's tcpdump line of a whole run needs the interpreter (run.c), which this harness
 * does not link: tools_tcpdump_pkt(), the part that formats a decoded packet, does not call
 * these. */
const run_event *run_event_at(const run *r, size_t i)
{
	(void)r;
	(void)i;
	abort();
}

const script *run_script(const run *r)
{
	(void)r;
	abort();
}

static void use_free(char *s)
{
	fuzz_use(s);
	free(s);
}

static void describe(const pkt *p, const pkt_rel *rel)
{
	/* the payload lies within the input */
	use_free(pkt_describe(p, rel, false));
	use_free(pkt_describe(p, rel, true));
	use_free(pkt_describe(p, NULL, false));
	use_free(pkt_preview_text(p, 16));
	use_free(pkt_preview_hex(p, 24));
	use_free(pkt_preview_text(p, (size_t)-1));
	use_free(pkt_preview_hex(p, 4096));
	if (p->proto == PKT_TCP)
		use_free(tools_tcpdump_pkt(p, rel, tools_tcpdump_absolute(p, rel)));
	else
		use_free(tools_tcpdump_pkt(p, NULL, true));
	char flags[PKT_FLAGS_LEN];
	pkt_flags(p->flags, flags, sizeof flags);
	pkt_flags(p->flags, flags, 5);
	fuzz_sink += strlen(flags);
	strbuf sb = { 0 };
	pkt_put_endpoint(&sb, &p->src, true);
	pkt_put_endpoint(&sb, &p->quoted_dst, true);
	strbuf_free(&sb);
}

/* What pkt_build() makes of a decoded TCP or UDP packet decodes to the same packet. */
static void rebuild(const pkt *p)
{
	if ((p->proto != PKT_TCP && p->proto != PKT_UDP) || p->fragment)
		return;
	static unsigned char buf[70000];
	size_t n = pkt_build(p, buf, sizeof buf);
	FUZZ_ASSERT(n > 0);
	pkt q;
	const char *why = NULL;
	FUZZ_ASSERT(pkt_decode(buf, n, &q, &why) == 0);
	FUZZ_ASSERT(q.family == p->family && q.proto == p->proto);
	FUZZ_ASSERT(memcmp(&q.src, &p->src, sizeof q.src) == 0);
	FUZZ_ASSERT(memcmp(&q.dst, &p->dst, sizeof q.dst) == 0);
	FUZZ_ASSERT(q.payload_len == p->payload_len);
	FUZZ_ASSERT(p->payload_len == 0 || memcmp(q.payload, p->payload, p->payload_len) == 0);
	FUZZ_ASSERT(q.ttl == (p->ttl ? p->ttl : 64));
	if (p->proto == PKT_TCP) {
		FUZZ_ASSERT(q.seq == p->seq && q.ack == p->ack && q.flags == p->flags);
		FUZZ_ASSERT(q.window == p->window);
		FUZZ_ASSERT(q.mss == p->mss && q.wscale == p->wscale);
		FUZZ_ASSERT(q.sack_ok == p->sack_ok && q.has_ts == p->has_ts);
		FUZZ_ASSERT(!p->has_ts || (q.ts_val == p->ts_val && q.ts_ecr == p->ts_ecr));
	}
}

static void check_decoded(const pkt *p, const uint8_t *data, size_t size)
{
	FUZZ_ASSERT(p->family == AF_INET || p->family == AF_INET6);
	FUZZ_ASSERT(p->payload_len == 0 ||
		    (p->payload >= data && p->payload_len <= size &&
		     (size_t)(p->payload - data) <= size - p->payload_len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pkt p;
	pkt_rel rel;
	const char *why = NULL;
	pkt_flows *flows = pkt_flows_new();

	if (pkt_decode(data, size, &p, &why) == 0) {
		check_decoded(&p, data, size);
		FUZZ_ASSERT(p.ip_len <= size);
		pkt_flows_track(flows, &p, &rel);
		describe(&p, &rel);
		rebuild(&p);
	} else {
		FUZZ_ASSERT(why != NULL);
	}
	why = NULL;
	if (pkt_decode_ether(data, size, &p, &why) == 0) {
		check_decoded(&p, data, size);
		pkt_flows_track(flows, &p, &rel);
		describe(&p, &rel);
	} else {
		FUZZ_ASSERT(why != NULL);
	}

	/* a capture: IP packets end to end, one connection table */
	pkt_flows_reset(flows);
	size_t off = 0;
	for (int k = 0; off < size && k < 64; k++) {
		if (pkt_decode(data + off, size - off, &p, &why) != 0)
			break;
		check_decoded(&p, data + off, size - off);
		FUZZ_ASSERT(p.ip_len > 0 && p.ip_len <= size - off);
		pkt_flows_track(flows, &p, &rel);
		FUZZ_ASSERT(p.proto == PKT_TCP ? rel.conn >= 1 : rel.conn == 0);
		describe(&p, &rel);
		off += p.ip_len;
	}
	pkt_flows_free(flows);
	return 0;
}
