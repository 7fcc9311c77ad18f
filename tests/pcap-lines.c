/* Prints each packet of a pcap capture (Ethernet link type, as tcpdump -i lo -w writes it) as
 * socktutor's tools view shows it, one line each, for tests/tcpdump.test to compare with what
 * tcpdump -n -t -r prints for the same file. */
#include "config.h"

#include "net/packet.h"
#include "net/tools.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t get32(const unsigned char *b, int swap)
{
	uint32_t v;
	memcpy(&v, b, 4);
	return swap ? __builtin_bswap32(v) : v;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pcap-lines FILE.pcap\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	unsigned char h[24];
	if (!f || fread(h, 1, 24, f) != 24) {
		perror(argv[1]);
		return 2;
	}
	uint32_t magic;
	memcpy(&magic, h, 4);
	int swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	if (get32(h + 20, swap) != 1) {
		fprintf(stderr, "%s: not an Ethernet capture\n", argv[1]);
		return 2;
	}
	pkt_flows *flows = pkt_flows_new();
	unsigned char rec[16], *buf = malloc(1 << 18);
	while (fread(rec, 1, 16, f) == 16) {
		uint32_t n = get32(rec + 8, swap);
		if (n > (1u << 18) || fread(buf, 1, n, f) != n)
			break;
		pkt p;
		pkt_rel rel;
		const char *why;
		if (pkt_decode_ether(buf, n, &p, &why) != 0) {
			printf("(undecodable: %s)\n", why);
			continue;
		}
		pkt_flows_track(flows, &p, &rel);
		char *line = tools_tcpdump_pkt(&p, &rel, tools_tcpdump_absolute(&p, &rel));
		printf("%s\n", line);
		free(line);
	}
	free(buf);
	pkt_flows_free(flows);
	fclose(f);
	return 0;
}
