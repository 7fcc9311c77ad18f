/* Projects: the classic servers of a beginner's sockets course (an echo server, a tiny HTTP
 * server), run for real clients that the student starts in another terminal — nc, telnet,
 * curl, a five-line Python client. The server listens on a fixed loopback port (the next
 * free one when it is taken), serves every client at once through poll(), and records each
 * call it makes as an event: the C and Python lines, the return value or errno, the bytes
 * (hex, and text as UTF-8 and as GBK where the two read them differently), and afterwards
 * what the kernel reports for every socket on the port, the student's client included.
 *
 * Nothing here blocks the caller: the UI adds project_pollfds() to its own poll() and calls
 * project_progress() when one is ready. Every call is a real system call. No curses, no
 * translated text (views add the words). */
#ifndef SOCKTUTOR_PROJECT_H
#define SOCKTUTOR_PROJECT_H

#include "observe.h"

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef enum project_kind {
	PROJECT_ECHO,		/* sends back every byte; a line "q" ends the session */
	PROJECT_HTTP,		/* answers each HTTP/1.x request, then closes */
	PROJECT_CHAT,		/* two-way TCP chat: what the student types goes to every client */
	PROJECT_FILES,		/* file server: a name per line, answered "OK size\n" + the bytes
				 * or "ERR reason\n"; only files of its own sandbox directory */
	PROJECT_UDPCHAT,	/* UDP chat: this program's endpoint and the student's, each bound
				 * to its own port */
	PROJECT_CLIENT,		/* external-server mode: this program is the client of the
				 * student's server */
	PROJECT_COUNT
} project_kind;

/* Why a file request was answered as it was (PE_FILE). */
typedef enum project_file_why {
	PF_SENT,		/* opened and sent */
	PF_NOT_NAME,		/* a path (/, ..) or an empty or odd name: never opened */
	PF_MISSING,		/* no such file in the sandbox */
	PF_SYMLINK,		/* a symbolic link: refused by O_NOFOLLOW */
	PF_NOT_FILE,		/* a directory, FIFO, device, ... */
	PF_TOO_BIG,
	PF_ERROR		/* another errno */
} project_file_why;

typedef enum project_ev_kind {
	PE_SETUP,		/* socket, setsockopt, bind (also a failed one), listen */
	PE_POLL,		/* poll() returned: which descriptors are ready */
	PE_ACCEPT,		/* a client connected */
	PE_RECV,		/* bytes arrived (ret > 0), or the client closed its side (0) */
	PE_SEND,
	PE_CLOSE,
	PE_CONNECT,		/* PROJECT_CLIENT: connect(), or its result read with SO_ERROR */
	PE_SHUTDOWN,		/* PROJECT_CLIENT: shutdown(SHUT_WR) when the input ended */
	PE_FILE,		/* PROJECT_FILES: a requested name, opened or refused (file_why) */
	PE_ERROR		/* a call failed (ret -1, err) */
} project_ev_kind;

/* One socket on the project's port as the kernel reports it after an event. */
typedef enum project_role {
	PR_LISTENER,		/* the server's listening socket */
	PR_CONN,		/* the server's connection to client N (a descriptor it holds) */
	PR_QUEUED,		/* the server's end of a connection not accepted yet */
	PR_CLOSED,		/* the server's end after close(): TIME_WAIT, LAST_ACK, ... */
	PR_CLIENT		/* the client's end: the student's program */
} project_role;

typedef struct project_sock {
	project_role role;
	int client;		/* N of the client it belongs to, 0 when not known */
	observe_entry e;
} project_sock;

typedef struct project_event {
	project_ev_kind kind;
	project_kind project;
	double at;		/* ms since the project opened */
	int client;		/* 1, 2, ...: which client it concerns; 0 the listener */
	char *c, *c_ret;	/* "recv(5, buf, 4096, 0)", "= 6" */
	char *py, *py_ret;	/* "data = c1.recv(4096)", "b'hello\\n'" */
	long ret;
	int err;
	char *data;		/* PE_RECV, PE_SEND: the bytes */
	size_t datalen;
	struct sockaddr_storage peer;	/* PE_ACCEPT, PE_CONNECT, UDP PE_RECV and PE_SEND: the
					 * other end's address */
	project_file_why file_why;	/* PE_FILE */
	char *name;			/* PE_FILE: the name asked for */
	project_sock *socks;	/* the sockets on the port afterwards */
	size_t nsocks;
} project_event;

typedef struct project project;

/* The project named name ("echo", "http"), or -1. */
int project_find(const char *name);
const char *project_name(project_kind k);
/* The port it listens on unless told otherwise. */
unsigned project_default_port(project_kind k);

/* Opens the server: socket, SO_REUSEADDR, bind to host (a numeric IPv4 or IPv6 address)
 * and port — the next free port when that one is in use (up to 50 further), a port the
 * kernel picks when port is 0 — and listen (UDP: socket and bind). PROJECT_FILES first
 * makes its sandbox. PROJECT_CLIENT connects to host:port instead, and stays open when
 * that fails (the event says why; project_connect() tries again). Each call is an event.
 * Returns NULL with *err (language-neutral, the caller frees it) when no port could be
 * had. */
project *project_open(project_kind k, const char *host, unsigned port, char **err);
void project_close(project *p);

project_kind project_get_kind(const project *p);
/* The port it listens on, and whether that is not the one asked for (it was taken). */
unsigned project_port(const project *p);
bool project_moved(const project *p);
unsigned project_asked_port(const project *p);
const char *project_host(const project *p);
/* Clients connected now, and in all. */
size_t project_clients(const project *p);
size_t project_clients_total(const project *p);

/* Whether host is a loopback address (127.0.0.0/8, ::1): anything else exposes the server
 * to other machines. */
bool project_host_is_loopback(const char *host);
/* The client (1, 2, ...) whose end of a connection has address a, or 0. */
int project_client_of(const project *p, const struct sockaddr_storage *a);

/* The descriptors to wait for (at most max); the caller's poll() fills in revents. */
size_t project_pollfds(const project *p, struct pollfd *fds, size_t max);
/* Serves whatever is ready: polls its sockets (without waiting), accepts, receives, answers,
 * closes. Returns the number of new events. */
size_t project_progress(project *p);

/* Whether the student types what this project sends (chat, UDP chat, client). */
bool project_takes_input(project_kind k);
/* Sends what the student typed: to every client (chat), to the other endpoint (UDP chat:
 * the last one that wrote, at first 127.0.0.1 port+1), to the server (client). Returns the
 * number of new events; 0 when there is nobody to send to. */
size_t project_say(project *p, const char *d, size_t n);
/* PROJECT_CLIENT: whether it is connected (or connecting); connect to port (closing the
 * connection it has); shutdown(SHUT_WR) when the student's input ended. */
bool project_connected(const project *p);
size_t project_connect(project *p, unsigned port);
size_t project_shutdown(project *p);
/* PROJECT_FILES: the sandbox directory and the names in it (static until the next call). */
const char *project_sandbox(const project *p);
size_t project_sandbox_files(const project *p, char ***names);
/* PROJECT_UDPCHAT: where what the student types goes. */
const struct sockaddr_storage *project_udp_peer(const project *p);

size_t project_nevents(const project *p);
const project_event *project_event_at(const project *p, size_t i);

/* The bytes read as UTF-8 and as GBK, with control characters escaped (\n, \r, \t, \xHH).
 * Either is NULL when the bytes are not valid in that encoding; gbk is also NULL when the
 * bytes are plain ASCII (both read them the same). */
void project_text_views(const char *d, size_t n, char **utf8, char **gbk);

#endif
