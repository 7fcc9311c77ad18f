#include "config.h"

#include "errnames.h"
#include "i18n.h"
#include "script.h"
#include "text.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

/* ---- tokens ------------------------------------------------------------------------- */

enum tok_kind { T_END, T_IDENT, T_NUM, T_STR, T_PUNCT, T_ARROW };

typedef struct tok {
	enum tok_kind kind;
	const char *start;	/* in the line, for columns */
	char *text;		/* IDENT: the name; STR: the bytes; PUNCT: one character */
	size_t len;		/* STR: byte count */
	double num;		/* NUM: value (milliseconds when ms was given, see unit) */
	char unit;		/* NUM: 0, 'm' (ms) or 's' */
} tok;

typedef struct lexer {
	const char *line_start, *p, *end;
	tok *toks;
	size_t n, cap;
	const char *err;	/* untranslated message of the first lexical error */
	const char *err_at;
} lexer;

static void lex_push(lexer *lx, tok t)
{
	grow_array((void **)&lx->toks, &lx->cap, lx->n, sizeof *lx->toks);
	lx->toks[lx->n++] = t;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool lex_string(lexer *lx, tok *t)
{
	strbuf sb = { 0 };
	const char *p = lx->p + 1;
	while (p < lx->end && *p != '"') {
		if (*p == '\\' && p + 1 < lx->end) {
			p++;
			switch (*p) {
			case 'n': strbuf_addc(&sb, '\n'); p++; break;
			case 'r': strbuf_addc(&sb, '\r'); p++; break;
			case 't': strbuf_addc(&sb, '\t'); p++; break;
			case '0': strbuf_addc(&sb, '\0'); p++; break;
			case '\\': case '"': strbuf_addc(&sb, *p); p++; break;
			case 'x':
				if (p + 2 < lx->end && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
					strbuf_addc(&sb, (char)(hexval(p[1]) * 16 + hexval(p[2])));
					p += 3;
					break;
				}
				/* fall through */
			default:
				lx->err = N_("unknown escape in a string (use \\n \\r \\t \\0 \\\\ \\\" or \\xHH)");
				lx->err_at = p - 1;
				strbuf_free(&sb);
				return false;
			}
		} else {
			strbuf_addc(&sb, *p++);
		}
	}
	if (p >= lx->end) {
		lx->err = N_("string has no closing quote");
		lx->err_at = lx->p;
		strbuf_free(&sb);
		return false;
	}
	t->len = sb.len;
	t->text = strbuf_take(&sb);
	lx->p = p + 1;
	return true;
}

static bool lex_line(lexer *lx)
{
	for (;;) {
		while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
			lx->p++;
		tok t = { .start = lx->p };
		if (lx->p >= lx->end || *lx->p == '#') {
			t.kind = T_END;
			lex_push(lx, t);
			return true;
		}
		char c = *lx->p;
		if (isalpha((unsigned char)c) || c == '_') {
			const char *s = lx->p;
			while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '_' ||
						   *lx->p == '.'))
				lx->p++;
			t.kind = T_IDENT;
			t.text = xstrndup(s, (size_t)(lx->p - s));
		} else if (isdigit((unsigned char)c) ||
			   (c == '-' && lx->p + 1 < lx->end && isdigit((unsigned char)lx->p[1]))) {
			/* strtod() reads as far as a number goes: give it a copy that ends with
			 * the line (the text need not end in a NUL); 63 bytes hold any number */
			char num[64], *e;
			size_t n = 0;
			for (; n < sizeof num - 1 && lx->p + n < lx->end; n++)
				num[n] = lx->p[n];
			num[n] = '\0';
			t.kind = T_NUM;
			t.num = strtod(num, &e);
			lx->p += e - num;
			if (lx->end - lx->p >= 2 && memcmp(lx->p, "ms", 2) == 0) {
				t.unit = 'm';
				lx->p += 2;
			} else if (lx->p < lx->end && *lx->p == 's') {
				t.unit = 's';
				lx->p++;
			}
			if (lx->p < lx->end && isalnum((unsigned char)*lx->p)) {
				lx->err = N_("malformed number");
				lx->err_at = t.start;
				return false;
			}
		} else if (c == '"') {
			t.kind = T_STR;
			if (!lex_string(lx, &t))
				return false;
		} else if (c == '-' && lx->p + 1 < lx->end && lx->p[1] == '>') {
			t.kind = T_ARROW;
			lx->p += 2;
		} else if (strchr("(),=:+|", c)) {
			t.kind = T_PUNCT;
			t.text = xstrndup(lx->p, 1);
			lx->p++;
		} else {
			lx->err = N_("unexpected character");
			lx->err_at = lx->p;
			return false;
		}
		lex_push(lx, t);
	}
}

static void lex_free(lexer *lx)
{
	for (size_t i = 0; i < lx->n; i++)
		free(lx->toks[i].text);
	free(lx->toks);
	lx->toks = NULL;
	lx->n = lx->cap = 0;
}

/* ---- parser state -------------------------------------------------------------------- */

typedef struct sparser {
	script *s;
	diag_list *errs;
	size_t nerrs_at_start;
	int line;
	const char *line_start;
	size_t steps_cap, socks_cap, scenes_cap, actors_cap;
	bool actors_declared;
	int pending;		/* a prediction waiting for its step, or -1 */
	size_t predicts_cap;
	/* the current line's tokens */
	tok *t;
	size_t pos, n;
	bool failed;		/* an error was reported on this line */
	bool playground;	/* SCRIPT_PLAYGROUND: literal ports allowed, no predictions */
} sparser;

static int col_of(const sparser *sp, const char *at)
{
	if (!at || at < sp->line_start)
		return 1;
	return (int)text_chars(sp->line_start, (size_t)(at - sp->line_start)) + 1;
}

static void serr(sparser *sp, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void serr(sparser *sp, const char *at, const char *fmt, ...)
{
	if (sp->failed)
		return;		/* one error a line: the rest would follow from it */
	sp->failed = true;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_add(sp->errs, sp->s->file, sp->line, col_of(sp, at), "%s", msg);
	free(msg);
}

static tok *peek(sparser *sp)
{
	return &sp->t[sp->pos < sp->n ? sp->pos : sp->n - 1];
}

static tok *next(sparser *sp)
{
	tok *t = peek(sp);
	if (sp->pos < sp->n - 1)
		sp->pos++;
	return t;
}

static bool is_punct(const tok *t, char c)
{
	return t->kind == T_PUNCT && t->text[0] == c;
}

static bool accept_punct(sparser *sp, char c)
{
	if (is_punct(peek(sp), c)) {
		next(sp);
		return true;
	}
	return false;
}

static bool expect_punct(sparser *sp, char c)
{
	if (accept_punct(sp, c))
		return true;
	serr(sp, peek(sp)->start, _("expected '%c' here"), c);
	return false;
}

static bool is_ident(const tok *t, const char *s)
{
	return t->kind == T_IDENT && strcmp(t->text, s) == 0;
}

/* ---- names ----------------------------------------------------------------------------- */

static int find_actor(const script *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->nactors; i++)
		if (strlen(s->actors[i]) == len && memcmp(s->actors[i], name, len) == 0)
			return (int)i;
	return -1;
}

static int find_sock(const script *s, int actor, const char *name)
{
	for (size_t i = 0; i < s->nsocks; i++)
		if (s->socks[i].actor == actor && strcmp(s->socks[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= 32 || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* A reference to a socket: "name" (the current actor's, when actor >= 0) or "actor.name". */
static int resolve_sock(sparser *sp, const tok *t, int actor)
{
	if (t->kind != T_IDENT) {
		serr(sp, t->start, _("expected a socket name here"));
		return -1;
	}
	const char *dot = strchr(t->text, '.');
	int a = actor;
	const char *name = t->text;
	if (dot) {
		a = find_actor(sp->s, t->text, (size_t)(dot - t->text));
		name = dot + 1;
		if (a < 0) {
			serr(sp, t->start, _("no actor named '%.*s'"), (int)(dot - t->text), t->text);
			return -1;
		}
	} else if (a < 0) {
		serr(sp, t->start, _("name the socket with its actor, as in 'server.%s'"), t->text);
		return -1;
	}
	int k = find_sock(sp->s, a, name);
	if (k < 0)
		serr(sp, t->start, _("%s has no socket named '%s' (create it first with socket() or accept())"),
		     sp->s->actors[a], name);
	return k;
}

static int new_sock(sparser *sp, const tok *t, int actor)
{
	script *s = sp->s;
	if (!valid_name(t->text) || strchr(t->text, '.')) {
		serr(sp, t->start, _("'%s' is not a valid socket name (letters, digits, _)"), t->text);
		return -1;
	}
	if (find_sock(s, actor, t->text) >= 0) {
		serr(sp, t->start, _("%s already has a socket named '%s'"), s->actors[actor], t->text);
		return -1;
	}
	grow_array((void **)&s->socks, &sp->socks_cap, s->nsocks, sizeof *s->socks);
	script_sock *k = &s->socks[s->nsocks];
	k->actor = actor;
	k->name = xstrdup(t->text);
	k->full = xasprintf("%s.%s", s->actors[actor], t->text);
	k->line = sp->line;
	k->udp = false;
	return (int)s->nsocks++;
}

/* ---- values ---------------------------------------------------------------------------- */

/* Whether v is a whole number that a long holds (converting any other double to long is
 * undefined behaviour: 1e19, inf). */
static bool is_whole(double v)
{
	return v >= (double)LONG_MIN && v < -(double)LONG_MIN && v == (double)(long)v;
}

static bool parse_int(sparser *sp, long lo, long hi, long *out)
{
	tok *t = next(sp);
	if (t->kind != T_NUM || t->unit || !is_whole(t->num)) {
		serr(sp, t->start, _("expected a whole number here"));
		return false;
	}
	if (t->num < (double)lo || t->num > (double)hi) {
		serr(sp, t->start, _("%ld is out of range (%ld to %ld)"), (long)t->num, lo, hi);
		return false;
	}
	*out = (long)t->num;
	return true;
}

/* Seconds (0.5, 2) or milliseconds (500ms); returns milliseconds. */
static bool parse_duration(sparser *sp, long *ms)
{
	tok *t = next(sp);
	if (t->kind != T_NUM || t->num < 0) {
		serr(sp, t->start, _("expected a duration here (seconds as in 0.5, or 500ms)"));
		return false;
	}
	double v = t->unit == 'm' ? t->num : t->num * 1000.0;
	if (v > 60000) {
		serr(sp, t->start, _("a demo waits at most 60 seconds"));
		return false;
	}
	*ms = (long)(v + 0.5);
	return true;
}

static bool loopback_host(const char *h, int *family)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, h, &a4) == 1) {
		*family = AF_INET;
		return (ntohl(a4.s_addr) >> 24) == 127;
	}
	if (inet_pton(AF_INET6, h, &a6) == 1) {
		*family = AF_INET6;
		return IN6_IS_ADDR_LOOPBACK(&a6);
	}
	*family = 0;
	return false;
}

/* ADDR := "HOST", PORT | SOCKREF    PORT := 0 | SOCKREF (that socket's port) */
static bool parse_addr(sparser *sp, script_addr *a)
{
	a->ref = a->port_ref = -1;
	a->host[0] = 0;
	a->port = 0;
	a->family = 0;
	tok *t = next(sp);
	if (t->kind == T_IDENT) {
		a->ref = resolve_sock(sp, t, -1);
		return a->ref >= 0;
	}
	if (t->kind != T_STR) {
		serr(sp, t->start, _("expected an address: \"127.0.0.1\", 0 or a socket such as server.l"));
		return false;
	}
	if (t->len >= sizeof a->host || memchr(t->text, 0, t->len) ||
	    !loopback_host(t->text, &a->family)) {
		if (a->family)
			serr(sp, t->start, _("'%s' is not a loopback address: demos use only 127.0.0.1 (127.0.0.0/8) and ::1"),
			     t->text);
		else
			serr(sp, t->start, _("'%s' is not an IP address"), t->text);
		return false;
	}
	strcpy(a->host, t->text);
	if (!expect_punct(sp, ','))
		return false;
	tok *p = peek(sp);
	if (p->kind == T_IDENT) {
		next(sp);
		a->port_ref = resolve_sock(sp, p, -1);
		return a->port_ref >= 0;
	}
	long port;
	if (!parse_int(sp, 0, 65535, &port))
		return false;
	if (port != 0 && !sp->playground) {
		serr(sp, p->start, _("port %ld is hard-coded: use 0 (the kernel picks a free port) or another socket's port"),
		     port);
		return false;
	}
	a->port = (int)port;
	return true;
}

#define BYTES_MAX (16 << 20)

/* N zero bytes for bytes(N), read only: one private anonymous mapping of BYTES_MAX + 1 bytes
 * made on first use and shared by every step that sends zeros. Pages never written are the
 * kernel's one zero page, so a script's send(bytes(65536)) costs no memory and no page
 * faults until the bytes are sent, and nothing to zero when it is parsed. NULL when the
 * mapping cannot be made (the caller allocates). */
static char *shared_zeros(void)
{
	static char *zeros;
	static bool failed;
	if (!zeros && !failed) {
		void *m = mmap(NULL, (size_t)BYTES_MAX + 1, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (m == MAP_FAILED)
			failed = true;
		else
			zeros = m;
	}
	return zeros;
}

static void free_step(script_step *st)
{
	if (!st->data_zeros)
		free(st->data);
	free(st->polls);
	free(st->exp_data);
	free(st->states);
	free(st->packets);
}

/* DATA := "string" | bytes(N) */
static bool parse_data(sparser *sp, script_step *st)
{
	tok *t = next(sp);
	if (t->kind == T_STR) {
		st->data = xmalloc(t->len + 1);
		memcpy(st->data, t->text, t->len);
		st->data[t->len] = 0;
		st->datalen = t->len;
		return true;
	}
	if (is_ident(t, "bytes")) {
		long n;
		if (!expect_punct(sp, '(') || !parse_int(sp, 1, BYTES_MAX, &n) || !expect_punct(sp, ')'))
			return false;
		st->data = shared_zeros();
		st->data_zeros = st->data != NULL;
		if (!st->data)
			st->data = xcalloc((size_t)n + 1, 1);
		st->datalen = (size_t)n;
		return true;
	}
	serr(sp, t->start, _("expected data: a string such as \"hello\" or bytes(N)"));
	return false;
}

static const struct {
	const char *name, *level;
	script_opt opt;
	bool settable;
} opts[] = {
	{ "SO_REUSEADDR", "SOL_SOCKET", OPT_SO_REUSEADDR, true },
	{ "SO_RCVBUF", "SOL_SOCKET", OPT_SO_RCVBUF, true },
	{ "SO_SNDBUF", "SOL_SOCKET", OPT_SO_SNDBUF, true },
	{ "SO_LINGER", "SOL_SOCKET", OPT_SO_LINGER, true },
	{ "SO_RCVTIMEO", "SOL_SOCKET", OPT_SO_RCVTIMEO, true },
	{ "SO_ERROR", "SOL_SOCKET", OPT_SO_ERROR, false },
	{ "SO_KEEPALIVE", "SOL_SOCKET", OPT_SO_KEEPALIVE, true },
	{ "SO_TYPE", "SOL_SOCKET", OPT_SO_TYPE, false },
	{ "TCP_NODELAY", "IPPROTO_TCP", OPT_TCP_NODELAY, true },
	{ "TCP_DEFER_ACCEPT", "IPPROTO_TCP", OPT_TCP_DEFER_ACCEPT, true },
};

const char *script_opt_name(script_opt o)
{
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (opts[i].opt == o)
			return opts[i].name;
	return "?";
}

const char *script_opt_level(script_opt o)
{
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (opts[i].opt == o)
			return opts[i].level;
	return "?";
}

static int parse_opt(sparser *sp, bool set)
{
	tok *t = next(sp);
	for (size_t i = 0; t->kind == T_IDENT && i < ARRAY_SIZE(opts); i++) {
		if (strcmp(t->text, opts[i].name) == 0) {
			if (set && !opts[i].settable) {
				serr(sp, t->start, _("%s can be read, not set"), t->text);
				return -1;
			}
			return (int)opts[i].opt;
		}
	}
	serr(sp, t->start, _("unknown option (known: SO_REUSEADDR SO_RCVBUF SO_SNDBUF SO_LINGER SO_RCVTIMEO SO_ERROR SO_KEEPALIVE SO_TYPE TCP_NODELAY TCP_DEFER_ACCEPT)"));
	return -1;
}

static const char *const states[] = {
	"ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
	"CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "UNCONN", "GONE"
};

/* The table's copy of a state name (it outlives the script text), or NULL. */
static const char *state_name(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(states); i++)
		if (strcmp(states[i], s) == 0)
			return states[i];
	return NULL;
}

bool script_state_known(const char *name)
{
	return state_name(name) != NULL;
}

const char *script_state_at(size_t i)
{
	return i < ARRAY_SIZE(states) ? states[i] : NULL;
}

/* STATE_ITEM := [peer:]actor.sock STATE [rq=N] [wq=N] */
static bool parse_state_item(sparser *sp, script_step *st, size_t *cap)
{
	script_state ss = { .rq = -1, .wq = -1 };
	tok *t = next(sp);
	if (is_ident(t, "peer") && is_punct(peek(sp), ':')) {
		next(sp);
		ss.peer = true;
		t = next(sp);
	}
	ss.sock = resolve_sock(sp, t, -1);
	if (ss.sock < 0)
		return false;
	t = next(sp);
	if (t->kind != T_IDENT || !(ss.state = state_name(t->text))) {
		serr(sp, t->start, _("expected a state: ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK LISTEN CLOSING UNCONN GONE"));
		return false;
	}
	while (peek(sp)->kind == T_IDENT &&
	       (is_ident(peek(sp), "rq") || is_ident(peek(sp), "wq"))) {
		bool rq = peek(sp)->text[0] == 'r';
		next(sp);
		long v;
		if (!expect_punct(sp, '=') || !parse_int(sp, 0, INT_MAX, &v))
			return false;
		*(rq ? &ss.rq : &ss.wq) = v;
	}
	grow_array((void **)&st->states, cap, st->nstates, sizeof *st->states);
	st->states[st->nstates++] = ss;
	return true;
}

static bool parse_expectation(sparser *sp, script_step *st)
{
	tok *t = next(sp);
	if (is_ident(t, "ok")) {
		st->expect = EXP_OK;
	} else if (is_ident(t, "blocks")) {
		st->expect = EXP_BLOCKS;
	} else if (t->kind == T_STR) {
		st->expect = EXP_DATA;
		st->exp_data = xmalloc(t->len + 1);
		memcpy(st->exp_data, t->text, t->len);
		st->exp_datalen = t->len;
	} else if (t->kind == T_NUM && !t->unit && is_whole(t->num)) {
		st->exp_ret = (long)t->num;
		st->expect = EXP_RET;
		if (st->exp_ret == -1) {
			tok *e = next(sp);
			if (e->kind != T_IDENT || (st->exp_errno = errno_value(e->text)) < 0) {
				serr(sp, e->start, _("after -1 name the errno, as in '-> -1 ECONNREFUSED'"));
				return false;
			}
			st->expect = EXP_ERRNO;
		}
	} else {
		serr(sp, t->start, _("expected a result after '->': a number, -1 ERRNO, ok, blocks or \"data\""));
		return false;
	}
	return true;
}

/* ---- calls ----------------------------------------------------------------------------- */

static const struct {
	const char *name;
	script_op op;
} calls[] = {
	{ "bind", OP_BIND }, { "listen", OP_LISTEN }, { "accept", OP_ACCEPT },
	{ "connect", OP_CONNECT }, { "send", OP_SEND }, { "sendall", OP_SENDALL },
	{ "recv", OP_RECV }, { "sendto", OP_SENDTO }, { "recvfrom", OP_RECVFROM },
	{ "shutdown", OP_SHUTDOWN }, { "close", OP_CLOSE }, { "setsockopt", OP_SETSOCKOPT },
	{ "getsockopt", OP_GETSOCKOPT }, { "settimeout", OP_SETTIMEOUT },
	{ "setblocking", OP_SETBLOCKING }, { "getsockname", OP_GETSOCKNAME },
	{ "getpeername", OP_GETPEERNAME },
};

const char *script_call_at(size_t i)
{
	return i < ARRAY_SIZE(calls) ? calls[i].name : NULL;
}

static bool parse_args(sparser *sp, script_step *st)
{
	long v;
	switch (st->op) {
	case OP_BIND:
	case OP_CONNECT:
		return parse_addr(sp, &st->addr);
	case OP_LISTEN:
		if (!parse_int(sp, 0, 4096, &st->num))
			return false;
		return true;
	case OP_RECV:
	case OP_RECVFROM:
		return parse_int(sp, 1, 16 << 20, &st->num);
	case OP_SEND:
	case OP_SENDALL:
		return parse_data(sp, st);
	case OP_SENDTO:
		return parse_data(sp, st) && expect_punct(sp, ',') && parse_addr(sp, &st->addr);
	case OP_SHUTDOWN: {
		tok *t = next(sp);
		if (is_ident(t, "SHUT_RD"))
			st->num = SHUT_RD;
		else if (is_ident(t, "SHUT_WR"))
			st->num = SHUT_WR;
		else if (is_ident(t, "SHUT_RDWR"))
			st->num = SHUT_RDWR;
		else {
			serr(sp, t->start, _("expected SHUT_RD, SHUT_WR or SHUT_RDWR"));
			return false;
		}
		return true;
	}
	case OP_SETSOCKOPT: {
		int o = parse_opt(sp, true);
		if (o < 0 || !expect_punct(sp, ','))
			return false;
		st->opt = (script_opt)o;
		if (st->opt == OPT_SO_LINGER) {
			if (!parse_int(sp, 0, 1, &v) || !expect_punct(sp, ','))
				return false;
			st->linger_on = (int)v;
			return parse_int(sp, 0, 60, &st->num);
		}
		if (st->opt == OPT_SO_RCVTIMEO)
			return parse_duration(sp, &st->num);
		return parse_int(sp, 0, 16 << 20, &st->num);
	}
	case OP_GETSOCKOPT: {
		int o = parse_opt(sp, false);
		st->opt = (script_opt)(o < 0 ? 0 : o);
		return o >= 0;
	}
	case OP_SETTIMEOUT:
		if (is_ident(peek(sp), "None")) {
			next(sp);
			st->num = -1;
			return true;
		}
		return parse_duration(sp, &st->num);
	case OP_SETBLOCKING: {
		tok *t = next(sp);
		if (is_ident(t, "True") || is_ident(t, "False")) {
			st->num = t->text[0] == 'T';
			return true;
		}
		serr(sp, t->start, _("expected True or False"));
		return false;
	}
	default:
		return true;	/* no arguments */
	}
}

/* AF_INET | AF_INET6, into st->family */
static bool parse_family(sparser *sp, script_step *st)
{
	tok *f = next(sp);
	if (is_ident(f, "AF_INET"))
		st->family = AF_INET;
	else if (is_ident(f, "AF_INET6"))
		st->family = AF_INET6;
	else {
		serr(sp, f->start, _("expected AF_INET or AF_INET6"));
		return false;
	}
	return true;
}

static void parse_call_line(sparser *sp, script_step *st, int actor)
{
	script *s = sp->s;
	tok *first = next(sp);
	int result = -1;
	const tok *result_tok = NULL;
	if (first->kind == T_IDENT && is_punct(peek(sp), '=')) {
		next(sp);
		result_tok = first;
		first = next(sp);
	}
	if (first->kind != T_IDENT) {
		serr(sp, first->start, _("expected a call such as s.connect(server.l) or s = socket(AF_INET, SOCK_STREAM)"));
		return;
	}
	st->actor = actor;
	if (strcmp(first->text, "socket") == 0) {
		st->op = OP_SOCKET;
		if (!expect_punct(sp, '('))
			return;
		if (!parse_family(sp, st) || !expect_punct(sp, ','))
			return;
		tok *ty = next(sp);
		if (is_ident(ty, "SOCK_STREAM"))
			st->type = SOCK_STREAM;
		else if (is_ident(ty, "SOCK_DGRAM"))
			st->type = SOCK_DGRAM;
		else {
			serr(sp, ty->start, _("expected SOCK_STREAM or SOCK_DGRAM"));
			return;
		}
		if (!expect_punct(sp, ')'))
			return;
		if (!result_tok) {
			serr(sp, first->start, _("give the new socket a name: s = socket(...)"));
			return;
		}
	} else if (strcmp(first->text, "htons") == 0) {
		/* htons(5000): what the library call makes of a port, as bytes */
		st->op = OP_HTONS;
		if (!expect_punct(sp, '(') || !parse_int(sp, 0, 65535, &st->num) ||
		    !expect_punct(sp, ')'))
			return;
	} else if (strcmp(first->text, "inet_pton") == 0) {
		/* inet_pton(AF_INET6, "::1"): the address as the bytes a sockaddr holds */
		st->op = OP_INET_PTON;
		if (!expect_punct(sp, '('))
			return;
		if (!parse_family(sp, st) || !expect_punct(sp, ','))
			return;
		tok *a = next(sp);
		if (a->kind != T_STR || a->len == 0 || a->len > 63 || memchr(a->text, 0, a->len)) {
			serr(sp, a->start, _("expected the address as a string, such as \"::1\""));
			return;
		}
		st->data = xstrndup(a->text, a->len);
		st->datalen = a->len;
		if (!expect_punct(sp, ')'))
			return;
	} else if (strcmp(first->text, "poll") == 0) {
		st->op = OP_POLL;
		size_t cap = 0;
		if (!expect_punct(sp, '('))
			return;
		for (;;) {
			tok *a = peek(sp);
			if (a->kind == T_NUM) {
				/* poll()'s timeout: milliseconds, as in C and Python's poll() */
				if (a->unit == 0) {
					if (!parse_int(sp, -1, 60000, &st->num))
						return;
				} else if (!parse_duration(sp, &st->num)) {
					return;
				}
				break;
			}
			next(sp);
			int k = resolve_sock(sp, a, actor);
			if (k < 0)
				return;
			grow_array((void **)&st->polls, &cap, st->npolls, sizeof *st->polls);
			st->polls[st->npolls++] = k;
			if (!expect_punct(sp, ','))
				return;
		}
		if (!st->npolls) {
			serr(sp, first->start, _("poll needs at least one socket and a timeout: poll(a, b, 1000)"));
			return;
		}
		if (!expect_punct(sp, ')'))
			return;
	} else {
		const char *dot = strrchr(first->text, '.');
		if (!dot) {
			serr(sp, first->start, _("unknown call '%s'"), first->text);
			return;
		}
		size_t i;
		for (i = 0; i < ARRAY_SIZE(calls); i++)
			if (strcmp(dot + 1, calls[i].name) == 0)
				break;
		if (i == ARRAY_SIZE(calls)) {
			serr(sp, first->start + (dot - first->text) + 1, _("unknown call '%s'"), dot + 1);
			return;
		}
		st->op = calls[i].op;
		if (memchr(first->text, '.', (size_t)(dot - first->text))) {
			serr(sp, first->start, _("an actor calls methods on its own sockets: write '%s' on a line of that actor"),
			     dot + 1);
			return;
		}
		char *name = xstrndup(first->text, (size_t)(dot - first->text));
		st->sock = find_sock(s, actor, name);
		if (st->sock < 0)
			serr(sp, first->start, _("%s has no socket named '%s' (create it first with socket() or accept())"),
			     s->actors[actor], name);
		free(name);
		if (st->sock < 0 || !expect_punct(sp, '('))
			return;
		if (!is_punct(peek(sp), ')') && !parse_args(sp, st))
			return;
		if (!expect_punct(sp, ')'))
			return;
		if (st->op == OP_ACCEPT && !result_tok) {
			serr(sp, first->start, _("name the accepted socket: c = l.accept()"));
			return;
		}
	}
	if (result_tok && st->op != OP_SOCKET && st->op != OP_ACCEPT) {
		serr(sp, result_tok->start, _("only socket() and accept() create a socket to name"));
		return;
	}
	if (is_ident(peek(sp), "until")) {
		next(sp);
		st->until = true;
		if (!parse_int(sp, -1, LONG_MAX / 2, &st->until_ret))
			return;
		if (st->op != OP_RECV && st->op != OP_RECVFROM && st->op != OP_SEND) {
			serr(sp, first->start, _("'until' repeats recv, recvfrom or send only"));
			return;
		}
	}
	if (peek(sp)->kind == T_ARROW) {
		next(sp);
		if (!parse_expectation(sp, st))
			return;
	}
	if (peek(sp)->kind != T_END) {
		serr(sp, peek(sp)->start, _("unexpected text after the call"));
		return;
	}
	if (result_tok) {
		result = new_sock(sp, result_tok, actor);
		if (result < 0)
			return;
		st->result = result;
		s->socks[result].udp = st->op == OP_SOCKET ? st->type == SOCK_DGRAM : false;
	}
	/* the playground lets the kernel say it (EOPNOTSUPP) */
	if ((st->op == OP_LISTEN || st->op == OP_ACCEPT) && s->socks[st->sock].udp && !sp->playground)
		serr(sp, first->start, _("%s is a UDP socket: UDP has no listen() or accept()"),
		     s->socks[st->sock].full);
}

static bool parse_packet_item(sparser *sp, script_step *st, size_t *cap);

/* wait 200ms | wait actor.sock STATE ; expect ITEM {, ITEM} ; expect packets PACKET... */
static void parse_wait_expect(sparser *sp, script_step *st, bool wait)
{
	size_t cap = 0;
	st->actor = -1;
	if (!wait && is_ident(peek(sp), "packets")) {
		next(sp);
		st->op = OP_EXPECT_PACKETS;
		sp->s->needs_lab = true;
		do {
			if (!parse_packet_item(sp, st, &cap))
				return;
		} while (peek(sp)->kind != T_END);
		return;
	}
	if (wait && peek(sp)->kind == T_NUM) {
		st->op = OP_WAIT_TIME;
		if (!parse_duration(sp, &st->num))
			return;
	} else {
		st->op = wait ? OP_WAIT_STATE : OP_EXPECT;
		do {
			if (!parse_state_item(sp, st, &cap))
				return;
		} while (!wait && accept_punct(sp, ','));
	}
	if (peek(sp)->kind != T_END)
		serr(sp, peek(sp)->start, _("unexpected text here"));
}

/* wire hold | wire pass [DURATION] | wire deliver | wire drop | wire duplicate | wire swap |
 * wire delay DURATION */
static void parse_wire(sparser *sp, script_step *st)
{
	static const char *const ops[] = { "hold", "pass", "deliver", "drop", "duplicate", "swap",
					   "delay" };
	st->op = OP_WIRE;
	st->actor = -1;
	sp->s->needs_lab = true;
	tok *t = next(sp);
	size_t i = 0;
	while (i < ARRAY_SIZE(ops) && !is_ident(t, ops[i]))
		i++;
	if (i == ARRAY_SIZE(ops)) {
		serr(sp, t->start, _("expected what the wire does: hold, pass, deliver, drop, duplicate, swap or delay"));
		return;
	}
	st->wire = (script_wire)i;
	if (st->wire == SW_DELAY || (st->wire == SW_PASS && peek(sp)->kind == T_NUM))
		if (!parse_duration(sp, &st->num))
			return;
	if (st->wire == SW_DELIVER && peek(sp)->kind == T_IDENT) {
		/* wire deliver ACTOR: the first packet held from that actor's side */
		tok *a = next(sp);
		int actor = find_actor(sp->s, a->text, strlen(a->text));
		if (actor < 0) {
			serr(sp, a->start, _("no actor named '%s' (declared: see the 'actors' line)"), a->text);
			return;
		}
		st->num = actor + 1;
	}
	if (peek(sp)->kind != T_END)
		serr(sp, peek(sp)->start, _("unexpected text here"));
}

static const struct {
	const char *name;
	unsigned flag;
} tcp_flags[] = { { "SYN", 2 }, { "FIN", 1 }, { "RST", 4 }, { "PSH", 8 }, { "ACK", 16 } };

static const char *const fate_names[] = { "", "dropped", "duplicated", "reordered", "delayed" };

const char *script_packet_text(const script_packet *p)
{
	static char buf[64];
	size_t n = 0;
	buf[0] = '\0';
	if (p->proto != 6)
		n = (size_t)snprintf(buf, sizeof buf, "%s", p->proto == 17 ? "UDP" :
				     p->proto == 1 ? "ICMP" : "IP");
	for (size_t i = 0; p->proto == 6 && i < ARRAY_SIZE(tcp_flags); i++)
		if (p->flags & tcp_flags[i].flag)
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? "+" : "",
					      tcp_flags[i].name);
	if (p->fate != SF_ARRIVED)
		snprintf(buf + n, sizeof buf - n, ":%s", fate_names[p->fate]);
	return buf;
}

/* PACKET := (UDP | ICMP | FLAG {+ FLAG}) [:FATE] */
static bool parse_packet_item(sparser *sp, script_step *st, size_t *cap)
{
	script_packet pk = { .proto = 6 };
	tok *t = next(sp);
	for (;;) {
		size_t i = 0;
		while (i < ARRAY_SIZE(tcp_flags) && !is_ident(t, tcp_flags[i].name))
			i++;
		if (i < ARRAY_SIZE(tcp_flags) && !(pk.flags & tcp_flags[i].flag) && pk.proto == 6) {
			pk.flags |= tcp_flags[i].flag;
		} else if (!pk.flags && pk.proto == 6 && (is_ident(t, "UDP") || is_ident(t, "ICMP"))) {
			pk.proto = t->text[0] == 'U' ? 17 : 1;
		} else {
			serr(sp, t->start, _("expected a packet: TCP flags joined by + (SYN+ACK), UDP or ICMP, then optionally :dropped, :duplicated, :reordered or :delayed"));
			return false;
		}
		if (pk.proto != 6 || !accept_punct(sp, '+'))
			break;
		t = next(sp);
	}
	if (accept_punct(sp, ':')) {
		t = next(sp);
		size_t f = 1;
		while (f < ARRAY_SIZE(fate_names) && !is_ident(t, fate_names[f]))
			f++;
		if (f == ARRAY_SIZE(fate_names)) {
			serr(sp, t->start, _("expected dropped, duplicated, reordered or delayed"));
			return false;
		}
		pk.fate = (script_fate)f;
	}
	grow_array((void **)&st->packets, cap, st->npackets, sizeof *st->packets);
	st->packets[st->npackets++] = pk;
	return true;
}

/* ---- predictions ------------------------------------------------------------------------ */

char *script_outcome_text(long ret, int err, const char *data, size_t n, bool is_data)
{
	if (ret < 0) {
		const char *name = errno_name(err);
		return name ? xasprintf("-1 %s", name) : xasprintf("-1 errno %d", err);
	}
	if (!is_data)
		return xasprintf("%ld", ret);
	strbuf sb = { 0 };
	strbuf_addc(&sb, '"');
	const unsigned char *d = (const unsigned char *)data;
	for (size_t i = 0; i < n; i++) {
		size_t l;
		uint32_t cp;
		if (d[i] == '"' || d[i] == '\\')
			strbuf_addf(&sb, "\\%c", d[i]);
		else if (d[i] == '\n')
			strbuf_adds(&sb, "\\n");
		else if (d[i] == '\r')
			strbuf_adds(&sb, "\\r");
		else if (d[i] == '\t')
			strbuf_adds(&sb, "\\t");
		else if (d[i] == 0)
			strbuf_adds(&sb, "\\0");
		else if (d[i] >= 0x20 && d[i] < 0x7f)
			strbuf_addc(&sb, (char)d[i]);
		else if (d[i] >= 0x80 && (l = text_decode(data + i, n - i, &cp)) > 0) {
			strbuf_add(&sb, (const char *)d + i, l);
			i += l - 1;
		} else
			strbuf_addf(&sb, "\\x%02x", d[i]);
	}
	strbuf_addc(&sb, '"');
	return strbuf_take(&sb);
}

/* Upper case, no spaces, no quotes. */
static char *squeeze(const char *s)
{
	strbuf sb = { 0 };
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '"')
			strbuf_addc(&sb, (char)toupper((unsigned char)*s));
	if (!sb.buf)
		strbuf_adds(&sb, "");
	return strbuf_take(&sb);
}

bool script_typed_matches(const char *typed, const char *outcome)
{
	char *t = squeeze(typed), *o = squeeze(outcome);
	bool m = *t && (strcmp(t, o) == 0 || (strncmp(o, "-1", 2) == 0 && strcmp(t, o + 2) == 0));
	free(t);
	free(o);
	return m;
}

bool script_predict_is_library(const script *s, size_t p)
{
	script_op op = s->steps[s->predicts[p].step].op;
	return op == OP_HTONS || op == OP_INET_PTON;
}

int script_find_predict(const script *s, const char *name)
{
	for (size_t i = 0; i < s->npredicts; i++)
		if (strcmp(s->predicts[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool parse_choice(sparser *sp, script_choice *c)
{
	tok *t = next(sp);
	if (is_ident(t, "blocks")) {
		c->kind = PC_BLOCKS;
		c->text = xstrdup("blocks");
	} else if (t->kind == T_IDENT && script_state_known(t->text)) {
		c->kind = PC_STATE;
		c->text = xstrdup(t->text);
	} else if (t->kind == T_STR) {
		c->kind = PC_DATA;
		c->text = script_outcome_text(0, 0, t->text, t->len, true);
	} else if (t->kind == T_NUM && !t->unit && is_whole(t->num)) {
		long v = (long)t->num;
		c->kind = PC_RET;
		if (v == -1) {
			tok *e = next(sp);
			int err = e->kind == T_IDENT ? errno_value(e->text) : -1;
			if (err < 0) {
				serr(sp, e->start, _("after -1 name the errno, as in '-1 ECONNREFUSED'"));
				return false;
			}
			c->kind = PC_ERRNO;
			c->text = script_outcome_text(-1, err, NULL, 0, false);
		} else {
			c->text = xasprintf("%ld", v);
		}
	} else {
		serr(sp, t->start, _("expected a choice: a number, -1 ERRNO, blocks, \"data\" or a state such as SYN_SENT"));
		return false;
	}
	return true;
}

static void free_predict(script_predict *p)
{
	for (size_t i = 0; i < p->nchoices; i++)
		free(p->choices[i].text);
	free(p->choices);
	free(p->name);
}

/* predict NAME: A | B | C, or predict NAME: typed */
static void parse_predict(sparser *sp)
{
	script *s = sp->s;
	tok *n = next(sp);
	script_predict p = { .line = sp->line, .step = -1 };
	bool lower = n->kind == T_IDENT && valid_name(n->text);
	for (const char *c = lower ? n->text : ""; *c; c++)
		lower = lower && (islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_');
	if (!lower) {
		serr(sp, n->start, _("expected a prediction name (lower case, digits, _): predict NAME: A | B"));
		return;
	}
	if (script_find_predict(s, n->text) >= 0) {
		serr(sp, n->start, _("prediction '%s' is used twice"), n->text);
		return;
	}
	if (sp->pending >= 0) {
		serr(sp, n->start, _("a prediction must be followed by its call or expect, not by another prediction"));
		return;
	}
	if (!expect_punct(sp, ':'))
		return;
	p.name = xstrdup(n->text);
	if (is_ident(peek(sp), "typed")) {
		next(sp);
	} else {
		size_t cap = 0;
		do {
			script_choice c = { 0 };
			tok *at = peek(sp);
			if (!parse_choice(sp, &c))
				break;
			for (size_t i = 0; i < p.nchoices; i++)
				if (strcmp(p.choices[i].text, c.text) == 0) {
					serr(sp, at->start, _("choice %s is given twice"), c.text);
					break;
				}
			grow_array((void **)&p.choices, &cap, p.nchoices, sizeof *p.choices);
			p.choices[p.nchoices++] = c;
		} while (!sp->failed && accept_punct(sp, '|'));
		if (!sp->failed && peek(sp)->kind != T_END)
			serr(sp, peek(sp)->start, _("expected | and another choice, or the end of the line"));
		if (!sp->failed && (p.nchoices < 2 || p.nchoices > 9))
			serr(sp, n->start, _("a prediction has 2 to 9 choices, separated by |, or 'typed'"));
	}
	if (!sp->failed && peek(sp)->kind != T_END)
		serr(sp, peek(sp)->start, _("expected the end of the line"));
	if (sp->failed) {
		free_predict(&p);
		return;
	}
	grow_array((void **)&s->predicts, &sp->predicts_cap, s->npredicts, sizeof *s->predicts);
	sp->pending = (int)s->npredicts;
	s->predicts[s->npredicts++] = p;
}

/* The step after a prediction: a call, or an expect of states; the choices must fit it. */
static void attach_predict(sparser *sp, script_step *st, const tok *at)
{
	script_predict *p = &sp->s->predicts[sp->pending];
	bool call = st->actor >= 0;
	if (!call && st->op != OP_EXPECT) {
		serr(sp, at->start, _("prediction '%s' (line %d) must come directly before a call or an 'expect' of states"),
		     p->name, p->line);
		return;
	}
	for (size_t i = 0; i < p->nchoices; i++)
		if ((p->choices[i].kind == PC_STATE) == call) {
			serr(sp, at->start, call ?
			     _("prediction '%s' (line %d) comes before a call: its choices are results, not states") :
			     _("prediction '%s' (line %d) comes before an expect: its choices are states"),
			     p->name, p->line);
			return;
		}
	p->step = (int)sp->s->nsteps;
	st->predict = sp->pending;
	sp->pending = -1;
}

static void add_actor(sparser *sp, const tok *t)
{
	script *s = sp->s;
	if (!valid_name(t->text)) {
		serr(sp, t->start, _("'%s' is not a valid actor name (letters, digits, _)"), t->text);
		return;
	}
	if (find_actor(s, t->text, strlen(t->text)) >= 0) {
		serr(sp, t->start, _("actor '%s' is declared twice"), t->text);
		return;
	}
	if (s->nactors >= 4) {
		serr(sp, t->start, _("a demo has at most four actors"));
		return;
	}
	grow_array((void **)&s->actors, &sp->actors_cap, s->nactors, sizeof *s->actors);
	s->actors[s->nactors++] = xstrdup(t->text);
}

static void parse_line(sparser *sp, const char *ls, const char *le)
{
	lexer lx = { .line_start = ls, .p = ls, .end = le };
	sp->failed = false;
	if (!lex_line(&lx)) {
		serr(sp, lx.err_at, "%s", _(lx.err));
		lex_free(&lx);
		return;
	}
	sp->t = lx.toks;
	sp->n = lx.n;
	sp->pos = 0;
	script *s = sp->s;
	tok *t = next(sp);
	if (t->kind == T_END) {
		lex_free(&lx);
		return;
	}
	if (is_ident(t, "actors")) {
		if (sp->actors_declared || s->nactors)
			serr(sp, t->start, _("'actors' must come once, before any step"));
		sp->actors_declared = true;
		while (peek(sp)->kind == T_IDENT)
			add_actor(sp, next(sp));
		if (peek(sp)->kind != T_END)
			serr(sp, peek(sp)->start, _("expected actor names"));
		lex_free(&lx);
		return;
	}
	if (is_ident(t, "scene")) {
		tok *n = next(sp);
		bool lower = n->kind == T_IDENT;
		for (const char *c = lower ? n->text : ""; *c; c++)
			lower = lower && (islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_');
		if (!lower || !valid_name(n->text) || peek(sp)->kind != T_END || strcmp(n->text, "title") == 0)
			serr(sp, n->start, _("expected one scene name (lower case, digits, _; not 'title'): scene NAME"));
		else if (script_find_scene(s, n->text) >= 0)
			serr(sp, n->start, _("scene '%s' is used twice"), n->text);
		else {
			grow_array((void **)&s->scenes, &sp->scenes_cap, s->nscenes, sizeof *s->scenes);
			s->scenes[s->nscenes].name = xstrdup(n->text);
			s->scenes[s->nscenes++].line = sp->line;
		}
		lex_free(&lx);
		return;
	}
	if (is_ident(t, "predict") && !is_punct(peek(sp), ':')) {
		if (sp->playground)
			serr(sp, t->start, _("predictions belong in lessons; here, just make the call and see"));
		else
			parse_predict(sp);
		lex_free(&lx);
		return;
	}
	script_step st = { .line = sp->line, .sock = -1, .result = -1, .actor = -1,
			   .addr = { .ref = -1, .port_ref = -1 }, .predict = -1 };
	if (!s->nscenes && sp->playground) {
		/* the playground's lines belong to one scene unless the student names others;
		 * line 0 says that no line of the text made it */
		grow_array((void **)&s->scenes, &sp->scenes_cap, s->nscenes, sizeof *s->scenes);
		s->scenes[s->nscenes].name = xstrdup("playground");
		s->scenes[s->nscenes++].line = 0;
	}
	if (!s->nscenes) {
		serr(sp, t->start, _("start with 'scene NAME': every step belongs to a scene, whose narration the lessons give"));
		lex_free(&lx);
		return;
	}
	if (is_ident(t, "wait") || is_ident(t, "expect")) {
		parse_wait_expect(sp, &st, t->text[0] == 'w');
	} else if (is_ident(t, "wire") && !is_punct(peek(sp), ':')) {
		parse_wire(sp, &st);
	} else if (t->kind == T_IDENT && is_punct(peek(sp), ':')) {
		int a = find_actor(s, t->text, strlen(t->text));
		if (a < 0 && !sp->actors_declared && !strchr(t->text, '.')) {
			add_actor(sp, t);
			a = find_actor(s, t->text, strlen(t->text));
		}
		if (a < 0)
			serr(sp, t->start, _("no actor named '%s' (declared: see the 'actors' line)"), t->text);
		next(sp);
		if (a >= 0)
			parse_call_line(sp, &st, a);
	} else {
		serr(sp, t->start, _("expected 'ACTOR: call', 'wait', 'expect', 'wire', 'scene' or 'actors'"));
	}
	st.scene = (int)s->nscenes - 1;
	if (!sp->failed && sp->pending >= 0)
		attach_predict(sp, &st, t);
	if (!sp->failed) {
		grow_array((void **)&s->steps, &sp->steps_cap, s->nsteps, sizeof *s->steps);
		s->steps[s->nsteps++] = st;
	} else {
		free_step(&st);
	}
	lex_free(&lx);
}

int script_find_scene(const script *s, const char *name)
{
	for (size_t i = 0; i < s->nscenes; i++)
		if (strcmp(s->scenes[i].name, name) == 0)
			return (int)i;
	return -1;
}

script *script_parse(const char *text, size_t len, const char *file, const char *id,
		     diag_list *errs)
{
	return script_parse_ex(text, len, file, id, errs, 0);
}

script *script_parse_ex(const char *text, size_t len, const char *file, const char *id,
			diag_list *errs, unsigned flags)
{
	sparser sp = { 0 };
	sp.playground = flags & SCRIPT_PLAYGROUND;
	sp.s = xcalloc(1, sizeof *sp.s);
	sp.s->file = xstrdup(file);
	sp.s->id = xstrdup(id);
	sp.errs = errs;
	sp.nerrs_at_start = errs->count;
	sp.pending = -1;
	const char *pos = text, *end = text + len;
	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		const char *ls = pos, *le = nl ? nl : end;
		pos = nl ? nl + 1 : end;
		sp.line++;
		if (le > ls && le[-1] == '\r')
			le--;
		sp.line_start = ls;
		uint32_t cp;
		size_t bad = text_unsafe_at(ls, (size_t)(le - ls), &cp);
		if (bad != (size_t)-1) {
			char why[256];
			if (cp == TEXT_INVALID)
				diag_add(errs, file, sp.line, 1, _("this line is not valid UTF-8"));
			else
				diag_add(errs, file, sp.line, text_chars(ls, bad) + 1, "%s",
					 text_unsafe_why(cp, why));
			continue;
		}
		parse_line(&sp, ls, le);
	}
	if (sp.s->nsteps && sp.s->nsteps < sp.steps_cap)	/* done: no room kept for more */
		sp.s->steps = xrealloc(sp.s->steps, sp.s->nsteps * sizeof *sp.s->steps);
	if (sp.pending >= 0)
		diag_add(errs, file, sp.s->predicts[sp.pending].line, 1,
			 _("prediction '%s' has no call or expect after it"), sp.s->predicts[sp.pending].name);
	if (errs->count == sp.nerrs_at_start && sp.s->nsteps == 0 && !sp.playground)
		diag_add(errs, file, 0, 0, _("the demo has no steps"));
	for (size_t i = 0; errs->count == sp.nerrs_at_start && !sp.playground && i < sp.s->nscenes; i++) {
		bool used = false;
		for (size_t k = 0; k < sp.s->nsteps; k++)
			used |= sp.s->steps[k].scene == (int)i;
		if (!used)
			diag_add(errs, file, sp.s->scenes[i].line, 1, _("scene '%s' has no steps"),
				 sp.s->scenes[i].name);
	}
	if (errs->count > sp.nerrs_at_start) {
		script_free(sp.s);
		return NULL;
	}
	return sp.s;
}

script *script_load(const char *path, diag_list *errs)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		diag_add(errs, path, 0, 0, _("cannot read the demo: %s"), strerror(errno));
		return NULL;
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".demo") == 0)
		n -= 5;
	char *id = xstrndup(base, n);
	script *s = script_parse(text, len, path, id, errs);
	free(id);
	free(text);
	return s;
}

void script_drop_steps(script *s)
{
	for (size_t i = 0; i < s->nsteps; i++)
		free_step(&s->steps[i]);
	free(s->steps);
	s->steps = NULL;
	s->nsteps = 0;
}

void script_free(script *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nactors; i++)
		free(s->actors[i]);
	for (size_t i = 0; i < s->nsocks; i++) {
		free(s->socks[i].name);
		free(s->socks[i].full);
	}
	for (size_t i = 0; i < s->nscenes; i++)
		free(s->scenes[i].name);
	for (size_t i = 0; i < s->nsteps; i++)
		free_step(&s->steps[i]);
	for (size_t i = 0; i < s->npredicts; i++)
		free_predict(&s->predicts[i]);
	free(s->predicts);
	free(s->actors);
	free(s->socks);
	free(s->scenes);
	free(s->steps);
	free(s->file);
	free(s->id);
	free(s);
}
