/* A socket script: the language-neutral part of a live demo (doc/lesson-format.md,
 * "Demo scripts"). script_parse() turns the text into steps with every name resolved, so
 * that the interpreter (src/net/run.c) never meets an unknown socket; it opens nothing and
 * runs nothing. Every error carries file and line. */
#ifndef SOCKTUTOR_SCRIPT_H
#define SOCKTUTOR_SCRIPT_H

#include "diag.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum script_op {
	OP_SOCKET,
	OP_BIND,
	OP_LISTEN,
	OP_ACCEPT,
	OP_CONNECT,
	OP_SEND,
	OP_SENDALL,
	OP_RECV,
	OP_SENDTO,
	OP_RECVFROM,
	OP_SHUTDOWN,
	OP_CLOSE,
	OP_SETSOCKOPT,
	OP_GETSOCKOPT,
	OP_SETTIMEOUT,
	OP_SETBLOCKING,
	OP_GETSOCKNAME,
	OP_GETPEERNAME,
	OP_POLL,
	OP_HTONS,		/* htons(5000): no socket, no syscall; the bytes it makes */
	OP_INET_PTON,		/* inet_pton(AF_INET6, "::1"): likewise */
	OP_WAIT_TIME,		/* wait 200ms */
	OP_WAIT_STATE,		/* wait client.s TIME_WAIT */
	OP_EXPECT,		/* expect client.s SYN_SENT, server.l LISTEN */
	OP_WIRE,		/* wire drop: the packet lab's wire (wire_op, num = ms) */
	OP_EXPECT_PACKETS	/* expect packets SYN:dropped SYN SYN+ACK ACK */
} script_op;

/* What a 'wire' step does to the packet lab's wire. */
typedef enum script_wire {
	SW_HOLD,		/* hold every packet until 'wire deliver' */
	SW_PASS,		/* deliver every packet (after num ms) */
	SW_DELIVER,		/* deliver the first held packet (num: actor + 1 whose side sent
				 * it, 0 any) */
	SW_DROP,		/* the next packet is dropped */
	SW_DUPLICATE,		/* ... delivered twice */
	SW_SWAP,		/* the next two are delivered in the opposite order */
	SW_DELAY		/* the next packet is delayed num ms */
} script_wire;

/* What became of a packet an 'expect packets' item names. */
typedef enum script_fate {
	SF_ARRIVED,		/* reached the other side, however (no suffix) */
	SF_DROPPED,		/* :dropped */
	SF_DUPLICATED,		/* :duplicated */
	SF_REORDERED,		/* :reordered */
	SF_DELAYED		/* :delayed */
} script_fate;

/* One packet of an 'expect packets' step. */
typedef struct script_packet {
	int proto;		/* 6 TCP, 17 UDP, 1 ICMP */
	unsigned flags;		/* TCP: FIN 1, SYN 2, RST 4, PSH 8, ACK 16 */
	script_fate fate;
} script_packet;

/* The options a script may set or read. */
typedef enum script_opt {
	OPT_SO_REUSEADDR,
	OPT_SO_RCVBUF,
	OPT_SO_SNDBUF,
	OPT_SO_LINGER,
	OPT_SO_RCVTIMEO,
	OPT_SO_ERROR,
	OPT_SO_KEEPALIVE,
	OPT_SO_TYPE,
	OPT_TCP_NODELAY,
	OPT_TCP_DEFER_ACCEPT
} script_opt;

/* What a step expects of its call. */
typedef enum script_expect {
	EXP_NONE,
	EXP_RET,		/* -> 5 */
	EXP_ERRNO,		/* -> -1 ECONNREFUSED */
	EXP_OK,			/* -> ok: any value >= 0 (a descriptor from accept) */
	EXP_DATA,		/* -> "hello": recv/recvfrom returned exactly these bytes */
	EXP_BLOCKS		/* -> blocks: the call had to wait when it was made */
} script_expect;

/* An address argument: a literal host and port, or another socket's bound address, or a
 * literal host with another socket's port. */
typedef struct script_addr {
	int ref;		/* socket whose local address is meant, or -1 */
	char host[48];		/* literal: "127.0.0.1" or "::1" */
	int family;		/* AF_INET or AF_INET6 of the literal */
	int port;		/* literal port (0: the kernel picks) */
	int port_ref;		/* socket whose port is meant, or -1 */
} script_addr;

/* A state a socket should be in (expect, wait). */
typedef struct script_state {
	int sock;
	bool peer;		/* the kernel socket at the other end of sock's connection */
	const char *state;	/* "ESTABLISHED", ..., "UNCONN", or "GONE" (no kernel socket) */
	long rq, wq;		/* queue lengths to match, -1 for any */
} script_state;

/* One choice of a prediction, as the kernel's outcome it stands for. */
typedef enum script_choice_kind {
	PC_RET,			/* 5 */
	PC_ERRNO,		/* -1 ECONNREFUSED */
	PC_BLOCKS,		/* blocks: the call had to wait */
	PC_DATA,		/* "hello": the bytes recv returned */
	PC_STATE		/* SYN_SENT: before an expect, the first item's state */
} script_choice_kind;

typedef struct script_choice {
	script_choice_kind kind;
	char *text;		/* canonical: "5", "-1 ECONNREFUSED", "blocks", "\"hi\"", "SYN_SENT" */
} script_choice;

/* predict NAME: A | B | C — the student predicts the outcome of the next call or expect
 * (doc/lesson-format.md, "Predict, then observe"). */
typedef struct script_predict {
	char *name;
	int line;
	int step;		/* the step whose outcome is predicted */
	script_choice *choices;
	size_t nchoices;	/* 0: the student types the answer */
} script_predict;

typedef struct script_step {
	script_op op;
	int predict;		/* the prediction made before this step, or -1 */
	int line;
	int scene;		/* index into the scenes */
	int actor;		/* -1 for wait and expect */
	int sock;		/* the socket the call acts on, -1 when none */
	int result;		/* the socket socket() or accept() creates, -1 otherwise */
	int family, type;	/* socket() */
	script_addr addr;	/* bind, connect, sendto */
	long num;		/* backlog, buffer size, SHUT_*, option value, milliseconds,
				 * htons's argument */
	script_opt opt;		/* setsockopt, getsockopt */
	int linger_on;		/* SO_LINGER: on, seconds in num */
	char *data;		/* send, sendall, sendto; inet_pton's address text */
	size_t datalen;
	bool data_zeros;	/* data is bytes(N): shared read-only zero pages, not owned */
	int *polls;		/* poll: the sockets */
	size_t npolls;
	bool until;		/* repeat the call until its return value is until_ret */
	long until_ret;
	script_expect expect;
	long exp_ret;
	int exp_errno;
	char *exp_data;
	size_t exp_datalen;
	script_state *states;	/* expect and wait */
	size_t nstates;
	script_wire wire;	/* wire */
	script_packet *packets;	/* expect packets */
	size_t npackets;
} script_step;

typedef struct script_sock {
	int actor;
	char *name;		/* "l" */
	char *full;		/* "server.l" */
	int line;
	bool udp;
} script_sock;

typedef struct script_scene {
	char *name;
	int line;
} script_scene;

typedef struct script {
	char *file;
	char *id;		/* the file's base name without ".demo" */
	char **actors;
	size_t nactors;
	script_sock *socks;
	size_t nsocks;
	script_scene *scenes;
	size_t nscenes;
	script_step *steps;
	size_t nsteps;
	script_predict *predicts;
	size_t npredicts;
	bool needs_lab;		/* it has wire or 'expect packets' steps: only the packet
				 * lab's wire can run it */
} script;

/* Whether prediction p asks about a C library call made in the process (htons,
 * inet_pton): its answer comes from the library, not the kernel. */
bool script_predict_is_library(const script *s, size_t p);

/* The canonical text of an outcome, as choices are written: the call's return value
 * ("5", "-1 ECONNREFUSED"), or the bytes it returned quoted with escapes (is_data). */
char *script_outcome_text(long ret, int err, const char *data, size_t n, bool is_data);
/* Whether a typed answer means the outcome text: case and spaces do not matter, an errno
 * name alone stands for "-1 NAME", and quotes around data may be left out. */
bool script_typed_matches(const char *typed, const char *outcome);
int script_find_predict(const script *s, const char *name);

/* Parses a script held in memory; id names the demo. Returns NULL and adds diagnostics to
 * errs when anything is wrong (every error is reported, not only the first). */
script *script_parse(const char *text, size_t len, const char *file, const char *id,
		     diag_list *errs);
/* The same with flags: SCRIPT_PLAYGROUND parses what a student types on the playground,
 * where a literal port (bind("127.0.0.1", 5000)) is allowed and predictions are not, a
 * step before any 'scene' line belongs to a scene "playground" made for it (its line is
 * 0), and a script may have no steps (or scenes without steps) yet. */
#define SCRIPT_PLAYGROUND 1u
script *script_parse_ex(const char *text, size_t len, const char *file, const char *id,
			diag_list *errs, unsigned flags);
/* Reads DIR/ID.demo style files: the id is the base name without ".demo". */
script *script_load(const char *path, diag_list *errs);
/* Frees the steps and keeps the rest: the scenes and predictions a lesson's narration is
 * checked against (catalog.c), without most of its memory; such a script cannot be run. */
void script_drop_steps(script *s);
void script_free(script *s);

/* Index of the scene with this name, or -1. */
int script_find_scene(const script *s, const char *name);

/* The option's C name ("SO_REUSEADDR"), level ("SOL_SOCKET"/"IPPROTO_TCP"). */
const char *script_opt_name(script_opt o);
const char *script_opt_level(script_opt o);

/* A packet item as a script writes it: "SYN+ACK", "UDP:dropped". Static buffer. */
const char *script_packet_text(const script_packet *p);

/* The states an expectation may name, for documentation and tests. */
bool script_state_known(const char *name);

/* The tables, for completion (the playground): the i-th state name, the i-th method a
 * socket has ("bind"); NULL past the end. */
const char *script_state_at(size_t i);
const char *script_call_at(size_t i);
/* The options: OPT_SO_REUSEADDR to OPT_LAST. */
#define OPT_LAST OPT_TCP_DEFER_ACCEPT

#endif
