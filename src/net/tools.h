/* Tools of the trade: each demo event as the line strace, ss or tcpdump would print for it.
 *
 * strace: the call as the C column makes it, with glibc on Linux x86-64 (send() is the sendto
 * system call, recv() is recvfrom), as `strace -f` prints it, a call another thread
 * interrupts cut into "<unfinished ...>" and "<... NAME resumed>".
 * ss: a socket of a snapshot as one line of `ss -tuan` (Netid State Recv-Q Send-Q Local Peer);
 * sockets ss does not list (a TCP socket that is not bound, listening or connected; a
 * closed one) give NULL.
 * tcpdump: a packet of the lab as `tcpdump -n -t` prints it (no timestamp): absolute sequence
 * numbers on the first segments of a connection, relative ones after, the raw window field.
 *
 * Language-neutral (the tools do not translate); the caller frees every string. */
#ifndef SOCKTUTOR_TOOLS_H
#define SOCKTUTOR_TOOLS_H

#include "net/run.h"

#include <stdbool.h>
#include <stdio.h>

/* The strace line of an EV_CALL or EV_BLOCKED event; NULL for other events. */
char *tools_strace_line(const run_event *ev);

/* The ss name of a kernel state: "ESTAB", "SYN-SENT", "TIME-WAIT", "UNCONN". */
const char *tools_ss_state(const run_sock *s);
/* The ss -tuan line of a socket, NULL when ss would not list it. */
char *tools_ss_line(const run_sock *s);
/* The header line ss prints above its sockets. */
const char *tools_ss_header(void);
/* The sockets of event ev whose line changed since the event before it (prev, NULL for
 * none): a new state, new queue sizes, or gone. Fills idx with their indexes into
 * ev->socks and, in gone, the names of sockets of prev that ss no longer lists; returns
 * how many of each (at most max). */
size_t tools_ss_changed(const run_event *ev, const run_event *prev, size_t *idx, size_t max);
size_t tools_ss_gone(const run_event *ev, const run_event *prev, const char **gone, size_t max);

/* The tcpdump line of event i of r (an EV_PACKET); NULL for other events. */
char *tools_tcpdump_line(const run *r, size_t i);
/* Whether tcpdump prints a TCP packet's numbers absolute: a SYN, a segment without ACK, or
 * the first segment with an ACK on its connection (rel from pkt_flows_track). */
bool tools_tcpdump_absolute(const pkt *p, const pkt_rel *rel);
/* The same for a decoded packet alone, given whether tcpdump shows its numbers absolute
 * (for the first segments of a connection) and the relative numbers otherwise. */
char *tools_tcpdump_pkt(const pkt *p, const pkt_rel *rel, bool absolute);

/* Prints event i of r as the tools would show it (the plain printer's --tools view):
 * "strace: ...", "ss:     ...", "tcpdump: ..." lines, prefix + actor for calls. Nothing for
 * events no tool shows. */
void tools_print_event(FILE *out, const run *r, size_t i);

#endif
