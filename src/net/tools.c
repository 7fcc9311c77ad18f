#include "config.h"

/* Demo events as strace, ss and tcpdump lines; see tools.h. */
#include "net/tools.h"

#include "core/util.h"
#include "net/observe.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* ---- strace -------------------------------------------------------------------------------- */

char *tools_strace_line(const run_event *ev)
{
	if ((ev->kind != EV_CALL && ev->kind != EV_BLOCKED) || !ev->trace)
		return NULL;
	size_t split = ev->trace_split;
	if (ev->kind == EV_BLOCKED)
		return xasprintf("%.*s <unfinished ...>", (int)split, ev->trace);
	if (ev->waited) {
		size_t name = strcspn(ev->trace, "(");
		return xasprintf("<... %.*s resumed>%s %s", (int)name, ev->trace, ev->trace + split,
				 ev->trace_ret ? ev->trace_ret : "");
	}
	return xasprintf("%s %s", ev->trace, ev->trace_ret ? ev->trace_ret : "");
}

/* ---- ss ------------------------------------------------------------------------------------ */

static const struct {
	const char *kernel, *ss;
} ss_names[] = {
	{ "ESTABLISHED", "ESTAB" }, { "SYN_SENT", "SYN-SENT" }, { "SYN_RECV", "SYN-RECV" },
	{ "FIN_WAIT1", "FIN-WAIT-1" }, { "FIN_WAIT2", "FIN-WAIT-2" },
	{ "TIME_WAIT", "TIME-WAIT" }, { "CLOSE_WAIT", "CLOSE-WAIT" },
	{ "LAST_ACK", "LAST-ACK" }, { "CLOSING", "CLOSING" }, { "LISTEN", "LISTEN" },
};

const char *tools_ss_state(const run_sock *s)
{
	/* ss calls a connected UDP socket ESTAB */
	if (s->udp)
		return s->has_remote ? "ESTAB" : "UNCONN";
	for (size_t i = 0; i < sizeof ss_names / sizeof *ss_names; i++)
		if (strcmp(s->state, ss_names[i].kernel) == 0)
			return ss_names[i].ss;
	return s->state;
}

const char *tools_ss_header(void)
{
	return "Netid State      Recv-Q Send-Q Local Address:Port Peer Address:Port";
}

static bool ss_lists(const run_sock *s)
{
	if (strcmp(s->state, "GONE") == 0 || strcmp(s->state, "UNKNOWN") == 0)
		return false;
	/* a socket with no port is in none of the tables ss reads; nor is a TCP socket that is
	 * only bound */
	if (observe_port(&s->local) == 0)
		return false;
	return s->udp || strcmp(s->state, "CLOSE") != 0;
}

char *tools_ss_line(const run_sock *s)
{
	if (!ss_lists(s))
		return NULL;
	strbuf sb = { 0 };
	strbuf_addf(&sb, "%-5s %-10s %-6u %-6u ", s->udp ? "udp" : "tcp", tools_ss_state(s), s->rq,
		    s->wq);
	pkt_put_endpoint(&sb, &s->local, true);
	strbuf_addc(&sb, ' ');
	if (s->has_remote)
		pkt_put_endpoint(&sb, &s->remote, true);
	else	/* no peer: the wildcard address, any port */
		strbuf_adds(&sb, s->local.ss_family == AF_INET6 ? "[::]:*" : "0.0.0.0:*");
	return strbuf_take(&sb);
}

static const run_sock *find_sock(const run_event *ev, const char *name)
{
	for (size_t k = 0; ev && k < ev->nsocks; k++)
		if (strcmp(ev->socks[k].name, name) == 0)
			return &ev->socks[k];
	return NULL;
}

size_t tools_ss_changed(const run_event *ev, const run_event *prev, size_t *idx, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < ev->nsocks && n < max; i++) {
		const run_sock *s = &ev->socks[i];
		if (!ss_lists(s))
			continue;
		const run_sock *b = find_sock(prev, s->name);
		if (b && ss_lists(b) && strcmp(b->state, s->state) == 0 && b->rq == s->rq &&
		    b->wq == s->wq && b->has_remote == s->has_remote &&
		    observe_port(&b->local) == observe_port(&s->local))
			continue;
		idx[n++] = i;
	}
	return n;
}

size_t tools_ss_gone(const run_event *ev, const run_event *prev, const char **gone, size_t max)
{
	size_t n = 0;
	for (size_t k = 0; prev && k < prev->nsocks && n < max; k++) {
		const run_sock *b = &prev->socks[k], *s = find_sock(ev, b->name);
		if (!ss_lists(b) || (s && ss_lists(s)))
			continue;
		/* a connection accept() took keeps its line under the new name */
		bool renamed = false;
		for (size_t i = 0; i < ev->nsocks && !renamed; i++)
			renamed = ss_lists(&ev->socks[i]) && !ev->socks[i].udp == !b->udp &&
				  ev->socks[i].has_remote == b->has_remote &&
				  memcmp(&ev->socks[i].local, &b->local, sizeof b->local) == 0 &&
				  (!b->has_remote ||
				   memcmp(&ev->socks[i].remote, &b->remote, sizeof b->remote) == 0);
		if (!renamed)
			gone[n++] = b->name;
	}
	return n;
}

/* ---- tcpdump -------------------------------------------------------------------------------- */

/* tcpdump's flag letters, in its order: F S R P . U E W */
static void dump_flags(strbuf *sb, unsigned f)
{
	static const struct { unsigned bit; char c; } letters[] = {
		{ PKT_FIN, 'F' }, { PKT_SYN, 'S' }, { PKT_RST, 'R' }, { PKT_PSH, 'P' },
		{ PKT_ACK, '.' }, { PKT_URG, 'U' }, { PKT_ECE, 'E' }, { PKT_CWR, 'W' },
	};
	strbuf_adds(sb, "Flags [");
	if (!f)
		strbuf_adds(sb, "none");
	for (size_t i = 0; i < sizeof letters / sizeof *letters; i++)
		if (f & letters[i].bit)
			strbuf_addc(sb, letters[i].c);
	strbuf_adds(sb, "]");
}

/* The options as Linux lays them out and tcpdump names them. */
static void dump_options(strbuf *sb, const pkt *p)
{
	strbuf o = { 0 };
	const char *sep = "";
#define OPT(...) do { strbuf_adds(&o, sep); strbuf_addf(&o, __VA_ARGS__); sep = ","; } while (0)
	if (p->flags & PKT_SYN) {
		if (p->mss >= 0)
			OPT("mss %d", p->mss);
		if (p->sack_ok && p->has_ts) {
			OPT("sackOK");
			OPT("TS val %u ecr %u", p->ts_val, p->ts_ecr);
		} else if (p->has_ts) {
			OPT("nop");
			OPT("nop");
			OPT("TS val %u ecr %u", p->ts_val, p->ts_ecr);
		} else if (p->sack_ok) {
			OPT("nop");
			OPT("nop");
			OPT("sackOK");
		}
		if (p->wscale >= 0) {
			OPT("nop");
			OPT("wscale %d", p->wscale);
		}
	} else if (p->has_ts) {
		OPT("nop");
		OPT("nop");
		OPT("TS val %u ecr %u", p->ts_val, p->ts_ecr);
	}
#undef OPT
	if (o.len)
		strbuf_addf(sb, ", options [%s]", o.buf);
	strbuf_free(&o);
}

char *tools_tcpdump_pkt(const pkt *p, const pkt_rel *rel, bool absolute)
{
	strbuf sb = { 0 };
	bool v6 = p->family == AF_INET6;
	strbuf_adds(&sb, v6 ? "IP6 " : "IP ");
	pkt_put_endpoint(&sb, &p->src, false);
	if (p->proto == PKT_TCP || p->proto == PKT_UDP)
		strbuf_addf(&sb, ".%u", observe_port(&p->src));
	strbuf_adds(&sb, " > ");
	pkt_put_endpoint(&sb, &p->dst, false);
	if (p->proto == PKT_TCP || p->proto == PKT_UDP)
		strbuf_addf(&sb, ".%u", observe_port(&p->dst));
	strbuf_adds(&sb, ": ");
	switch (p->proto) {
	case PKT_TCP: {
		uint32_t seq = absolute || !rel ? p->seq : rel->rel_seq;
		uint32_t ack = absolute || !rel || !rel->has_ack ? p->ack : rel->rel_ack;
		size_t n = p->payload_len;
		dump_flags(&sb, p->flags);
		if ((p->flags & (PKT_SYN | PKT_FIN | PKT_RST)) || n) {
			strbuf_addf(&sb, ", seq %u", seq);
			if (n)
				strbuf_addf(&sb, ":%u", seq + (uint32_t)n);
		}
		if (p->flags & PKT_ACK)
			strbuf_addf(&sb, ", ack %u", ack);
		strbuf_addf(&sb, ", win %u", p->window);
		dump_options(&sb, p);
		strbuf_addf(&sb, ", length %zu", n);
		break;
	}
	case PKT_UDP:
		strbuf_addf(&sb, "UDP, length %zu", p->payload_len);
		break;
	case PKT_ICMP: {
		unsigned hl = v6 ? 40 : 20, len = p->ip_len > hl ? p->ip_len - hl : 0;
		bool unreach = v6 ? p->icmp_type == 1 : p->icmp_type == 3;
		bool port = unreach && (v6 ? p->icmp_code == 4 : p->icmp_code == 3);
		if (port && p->quoted_dst.ss_family) {
			strbuf_adds(&sb, v6 ? "ICMP6, destination unreachable, unreachable port, " : "ICMP ");
			pkt_put_endpoint(&sb, &p->quoted_dst, false);
			strbuf_addf(&sb, " %s port %u", p->quoted_proto == PKT_TCP ? "tcp" : "udp",
				    observe_port(&p->quoted_dst));
			strbuf_addf(&sb, v6 ? ", length %u" : " unreachable, length %u", len);
		} else if ((v6 && (p->icmp_type == 128 || p->icmp_type == 129)) ||
			   (!v6 && (p->icmp_type == 8 || p->icmp_type == 0))) {
			bool req = p->icmp_type == 8 || p->icmp_type == 128;
			strbuf_addf(&sb, "%s echo %s, id %u, seq %u, length %u", v6 ? "ICMP6," : "ICMP",
				    req ? "request" : "reply", p->icmp_id, p->icmp_seq, len);
		} else {
			strbuf_addf(&sb, v6 ? "ICMP6, type %u, length %u" : "ICMP type-#%u, length %u",
				    p->icmp_type, len);
		}
		break;
	}
	default:
		strbuf_addf(&sb, " ip-proto-%u %u", p->ip_proto, p->ip_len);
		break;
	}
	return strbuf_take(&sb);
}

bool tools_tcpdump_absolute(const pkt *p, const pkt_rel *rel)
{
	/* tcpdump numbers a connection from its first segment carrying an ACK (normally the
	 * SYN-ACK), printed absolute like every SYN; what follows is relative to it */
	return p->proto == PKT_TCP &&
	       ((p->flags & PKT_SYN) || !(p->flags & PKT_ACK) || !rel->ack_seen);
}

char *tools_tcpdump_line(const run *r, size_t i)
{
	const run_event *ev = run_event_at(r, i);
	if (ev->kind != EV_PACKET)
		return NULL;
	if (!ev->pkt)
		return xstrdup(ev->c ? ev->c : "");
	return tools_tcpdump_pkt(ev->pkt, &ev->rel, tools_tcpdump_absolute(ev->pkt, &ev->rel));
}

/* ---- all three, for the plain printer ------------------------------------------------------ */

void tools_print_event(FILE *out, const run *r, size_t i)
{
	const run_event *ev = run_event_at(r, i);
	const run_event *prev = i ? run_event_at(r, i - 1) : NULL;
	const script *s = run_script(r);
	char *line = tools_strace_line(ev);
	if (line) {
		fprintf(out, "strace   [%s] %s\n", ev->actor >= 0 ? s->actors[ev->actor] : "?", line);
		free(line);
	} else if (ev->kind == EV_CALL && ev->actor >= 0) {
		/* a library call (htons, inet_pton): no system call for strace to show */
		fprintf(out, "libc     [%s] %s %s\n", s->actors[ev->actor], ev->c,
			ev->c_ret ? ev->c_ret : "");
	}
	line = tools_tcpdump_line(r, i);
	if (line) {
		fprintf(out, "tcpdump  %s%s\n", line, ev->fate == FATE_DROPPED ? "   (dropped)" : "");
		free(line);
	}
	size_t idx[32];
	size_t n = tools_ss_changed(ev, prev, idx, 32);
	for (size_t k = 0; k < n; k++) {
		line = tools_ss_line(&ev->socks[idx[k]]);
		fprintf(out, "ss       %s   (%s)\n", line, ev->socks[idx[k]].name);
		free(line);
	}
}
