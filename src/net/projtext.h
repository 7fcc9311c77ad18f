/* Projects as text, in the current language: how to connect a client, what each event
 * means, the kernel's sockets on the port; and the plain printer (socktutor --plain
 * --project NAME), which serves until interrupted and prints each event as it happens. */
#ifndef SOCKTUTOR_PROJTEXT_H
#define SOCKTUTOR_PROJTEXT_H

#include "net/project.h"

#include <stdio.h>

/* The project's title: "An echo server". */
const char *project_title(project_kind k);
/* What to run in another terminal to be its client, one line each: the nc, telnet or curl
 * command, then a short Python client. The caller frees the lines and the array. */
size_t project_client_lines(const project *p, char ***out);
/* Whose a socket on the port is: "server l", "server c2", "client 2", "server c1 (closed)". */
char *project_sock_label(project_kind k, const project_sock *s);
/* Who made the event's call: "server", "client 2", "client" (this program as the client
 * of the student's server), "endpoint A" (UDP chat); written into buf. */
const char *project_actor(const project_event *ev, char *buf, size_t size);
/* One event in words: "client 1 connected from 127.0.0.1:41234", "6 bytes from client 1";
 * NULL when the call says it all. */
char *project_event_summary(const project_event *ev);
/* The bytes an event carried, a line each: "hex: ..." (at most hexmax bytes), "as UTF-8:
 * ...", "as GBK: ..." (or that they are neither); none without bytes. The caller frees the
 * lines and the array. */
size_t project_bytes_lines(const project_event *ev, size_t hexmax, char ***out);
/* Serves and prints until SIGINT, SIGTERM or SIGHUP; returns the exit status. */
int project_run_plain(FILE *out, project *p);

#endif
