#include "config.h"

#include "playground.h"
#include "core/i18n.h"
#include "core/text.h"
#include "core/util.h"
#include "demotext.h"

#include <ctype.h>
#include <poll.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PG_FILE "playground"

struct playground {
	char **lines;		/* what was typed (or loaded), one script line each */
	size_t nlines, cap;
	script *s;		/* the lines parsed */
	run *r;
	lab *lab;
	double looked;		/* when the kernel's states were last looked at */
};

/* While a socket is in a state the kernel leaves by itself, its states are looked at this
 * often (and only then: an idle session with settled sockets never wakes up). */
#define WATCH_MS 250

/* ---- the session ------------------------------------------------------------------------ */

static char *joined(const playground *g, const char *extra)
{
	strbuf sb = { 0 };
	for (size_t i = 0; i < g->nlines; i++) {
		strbuf_adds(&sb, g->lines[i]);
		strbuf_addc(&sb, '\n');
	}
	if (extra) {
		strbuf_adds(&sb, extra);
		strbuf_addc(&sb, '\n');
	}
	return strbuf_take(&sb);
}

static script *parse(const playground *g, const char *extra, diag_list *errs)
{
	char *text = joined(g, extra);
	script *s = script_parse_ex(text, strlen(text), PG_FILE, PG_FILE, errs, SCRIPT_PLAYGROUND);
	free(text);
	return s;
}

/* No line yet: the script of an empty session (it always parses). */
static void empty_session(playground *g)
{
	diag_list errs = { 0 };
	g->s = parse(g, NULL, &errs);
	diag_clear(&errs);
}

static void start_run(playground *g)
{
	run_free(g->r);
	g->r = run_new_lab(g->s, g->lab);
	run_set_lenient(g->r);
	pg_progress(g);
}

static void free_lines(playground *g)
{
	for (size_t i = 0; i < g->nlines; i++)
		free(g->lines[i]);
	free(g->lines);
	g->lines = NULL;
	g->nlines = g->cap = 0;
}

static void push_line(playground *g, const char *line)
{
	grow_array((void **)&g->lines, &g->cap, g->nlines, sizeof *g->lines);
	g->lines[g->nlines++] = xstrdup(line);
}

playground *pg_new(lab *l)
{
	playground *g = xcalloc(1, sizeof *g);
	g->lab = l;
	empty_session(g);
	start_run(g);
	return g;
}

void pg_free(playground *g)
{
	if (!g)
		return;
	run_free(g->r);
	script_free(g->s);
	free_lines(g);
	free(g);
}

/* A lesson's demo script: its predictions become comments (the playground asks none); every
 * line keeps its number. */
static char *comment_predictions(const char *text, size_t *len)
{
	strbuf sb = { 0 };
	for (const char *p = text, *end = text + *len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl + 1 : end, *q = p;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (e - q > 8 && memcmp(q, "predict", 7) == 0 && (q[7] == ' ' || q[7] == '\t'))
			strbuf_adds(&sb, "# ");
		strbuf_add(&sb, p, (size_t)(e - p));
		p = e;
	}
	*len = sb.len;
	return strbuf_take(&sb);
}

playground *pg_load(const char *path, lab *l, char **err)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		*err = xasprintf(_("Cannot read %s: %s"), path, strerror(errno));
		return NULL;
	}
	char *plain = comment_predictions(text, &len);
	free(text);
	text = plain;
	diag_list errs = { 0 };
	script *s = script_parse_ex(text, len, path, PG_FILE, &errs, SCRIPT_PLAYGROUND);
	if (!s) {
		const diag *d = &errs.items[0];
		*err = d->col ? xasprintf("%s:%d:%d: %s", d->file, d->line, d->col, d->msg) :
			 xasprintf("%s:%d: %s", d->file, d->line, d->msg);
		diag_clear(&errs);
		free(text);
		return NULL;
	}
	playground *g = xcalloc(1, sizeof *g);
	g->lab = l;
	g->s = s;
	for (char *p = text, *end = text + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *e = nl ? nl : end;
		if (e > p && e[-1] == '\r')
			e--;
		char *line = xstrndup(p, (size_t)(e - p));
		push_line(g, line);
		free(line);
		p = nl ? nl + 1 : end;
	}
	free(text);
	start_run(g);
	return g;
}

int pg_progress(playground *g)
{
	size_t before = run_nevents(g->r);
	run_progress(g->r);
	while (run_step(g->r) == 1)
		;
	double now = run_clock_ms();
	if (run_nevents(g->r) != before)
		g->looked = now;
	else if (now - g->looked >= WATCH_MS - 1 && run_states_moving(g->r)) {
		run_check_states(g->r);
		g->looked = now;
	}
	return (int)(run_nevents(g->r) - before);
}

size_t pg_pollfds(const playground *g, struct pollfd *fds, size_t max, int *timeout_ms)
{
	size_t n = run_pollfds(g->r, fds, max, timeout_ms);
	if (run_states_moving(g->r)) {
		double left = g->looked + WATCH_MS - run_clock_ms();
		int t = left <= 0 ? 0 : (int)left + 1;
		if (*timeout_ms < 0 || t < *timeout_ms)
			*timeout_ms = t;
	}
	return n;
}

run *pg_run(const playground *g) { return g->r; }
const script *pg_script(const playground *g) { return g->s; }
size_t pg_nlines(const playground *g) { return g->nlines; }

/* The typed line of a step (the script's line numbers are the session's). */
static const char *step_line(const playground *g, const script_step *st)
{
	return st->line >= 1 && (size_t)st->line <= g->nlines ? g->lines[st->line - 1] : "";
}

static char *trimmed(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	size_t n = strlen(line);
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r' ||
		     line[n - 1] == '\n'))
		n--;
	return xstrndup(line, n);
}

/* save [FILE], export [FILE], restart, clear, help, quit: a word alone (save and export
 * may name a file). */
static bool is_command(const char *line, const char *word, const char **arg)
{
	size_t n = strlen(word);
	if (strncmp(line, word, n) != 0 || (line[n] && line[n] != ' '))
		return false;
	const char *a = line + n;
	while (*a == ' ')
		a++;
	if (*a && !arg)
		return false;
	if (arg)
		*arg = *a ? a : NULL;
	return true;
}

static pg_result add_line(playground *g, const char *line, char **msg)
{
	diag_list errs = { 0 };
	script *s = parse(g, line, &errs);
	if (!s) {
		/* the error on the new line (the earlier lines parsed before) */
		const diag *d = &errs.items[0];
		for (size_t i = 0; i < errs.count; i++)
			if (errs.items[i].line == (int)g->nlines + 1) {
				d = &errs.items[i];
				break;
			}
		*msg = d->col ? xasprintf(_("column %d: %s"), d->col, d->msg) : xstrdup(d->msg);
		diag_clear(&errs);
		return PG_REFUSED;
	}
	if (s->nsteps > g->s->nsteps) {
		const script_step *st = &s->steps[s->nsteps - 1];
		int b = st->actor >= 0 ? run_blocked_step(g->r, st->actor) : -1;
		if (b >= 0) {
			*msg = xasprintf(_("%s is still waiting in '%s': like a thread blocked in a call, it makes no other call until that one returns. Give another actor a line that lets it return first."),
					 s->actors[st->actor], step_line(g, &g->s->steps[b]));
			script_free(s);
			return PG_REFUSED;
		}
	}
	push_line(g, line);
	run_extend(g->r, s);
	script_free(g->s);
	g->s = s;
	pg_progress(g);
	return PG_RAN;
}

pg_result pg_submit(playground *g, const char *typed, char **msg)
{
	*msg = NULL;
	char *line = trimmed(typed);
	const char *arg;
	pg_result res;
	if (!*line) {
		res = PG_NOTHING;
	} else if (is_command(line, "save", &arg)) {
		char *path = pg_save(g, arg);
		*msg = path ? path : xasprintf(_("Cannot save the session: %s"), strerror(errno));
		res = path ? PG_SAVED : PG_REFUSED;
	} else if (is_command(line, "export", &arg)) {
		char *path = pg_export(g, arg);
		*msg = path ? path : xasprintf(_("Cannot write the transcript: %s"), strerror(errno));
		res = path ? PG_EXPORTED : PG_REFUSED;
	} else if (is_command(line, "restart", NULL)) {
		start_run(g);
		res = PG_RESTARTED;
	} else if (is_command(line, "clear", NULL)) {
		run_free(g->r);		/* before its script */
		g->r = NULL;
		free_lines(g);
		script_free(g->s);
		empty_session(g);
		start_run(g);
		res = PG_CLEARED;
	} else if (is_command(line, "help", NULL)) {
		res = PG_HELP;
	} else if (is_command(line, "quit", NULL) || is_command(line, "exit", NULL)) {
		res = PG_QUIT;
	} else {
		res = add_line(g, line, msg);
	}
	free(line);
	return res;
}

/* ---- saving ------------------------------------------------------------------------------- */

/* What the kernel answered to step i, as a script writes it after '->'; NULL when the call
 * has not returned (or was no call). */
static char *step_result(const playground *g, size_t i)
{
	const script_step *st = &g->s->steps[i];
	const run_event *last = NULL;
	bool blocked = false;
	for (size_t k = 0; k < run_nevents(g->r); k++) {
		const run_event *ev = run_event_at(g->r, k);
		if (ev->step != (int)i)
			continue;
		if (ev->kind == EV_CALL)
			last = ev;
		blocked |= ev->kind == EV_BLOCKED;
	}
	if (!last || (st->actor >= 0 && run_blocked_step(g->r, st->actor) == (int)i))
		return blocked ? xstrdup("blocks") : NULL;
	if ((st->op == OP_SOCKET || st->op == OP_ACCEPT) && last->ret >= 0)
		return xstrdup("ok");
	bool data = last->data && last->datalen;
	return script_outcome_text(last->ret, last->err, last->data, last->datalen, data);
}

/* Where a line's comment begins (outside strings), or its end. */
static size_t comment_at(const char *line)
{
	bool str = false;
	for (size_t i = 0; line[i]; i++) {
		if (str && line[i] == '\\' && line[i + 1])
			i++;
		else if (line[i] == '"')
			str = !str;
		else if (!str && line[i] == '#')
			return i;
	}
	return strlen(line);
}

char *pg_script_text(const playground *g)
{
	const script *s = g->s;
	strbuf sb = { 0 };
	if (!g->nlines || g->lines[0][0] != '#') {
		time_t now = time(NULL);
		char when[32];
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&now));
		strbuf_addf(&sb, "# A socktutor playground session, %s.\n", when);
		strbuf_adds(&sb, "# Reopen it with: socktutor --playground FILE. After each call, -> is what the\n"
			    "# kernel answered then; run again, the results are checked against it.\n");
	}
	bool declared = false;
	for (size_t i = 0; i < g->nlines; i++)
		declared |= strncmp(g->lines[i], "actors", 6) == 0 &&
			    (g->lines[i][6] == ' ' || !g->lines[i][6]);
	if (!declared && s->nactors) {
		strbuf_adds(&sb, "actors");
		for (size_t a = 0; a < s->nactors; a++)
			strbuf_addf(&sb, " %s", s->actors[a]);
		strbuf_addc(&sb, '\n');
	}
	size_t k = 0;		/* the next step */
	for (size_t i = 0; i < g->nlines; i++) {
		const char *line = g->lines[i];
		while (k < s->nsteps && s->steps[k].line < (int)i + 1)
			k++;
		const script_step *st = k < s->nsteps && s->steps[k].line == (int)i + 1 ?
					&s->steps[k] : NULL;
		if (st && k == 0 && s->scenes[0].line == 0)
			strbuf_adds(&sb, "scene playground\n");
		char *res = st && st->actor >= 0 && st->expect == EXP_NONE ? step_result(g, k) : NULL;
		if (!res) {
			strbuf_adds(&sb, line);
			strbuf_addc(&sb, '\n');
			continue;
		}
		size_t c = comment_at(line), n = c;
		while (n && line[n - 1] == ' ')
			n--;
		strbuf_add(&sb, line, n);
		size_t w = text_width(line, n);
		strbuf_addf(&sb, "%*s-> %s", w < 47 ? (int)(47 - w) : 1, "", res);
		if (line[c])
			strbuf_addf(&sb, "  %s", line + c);
		strbuf_addc(&sb, '\n');
		free(res);
	}
	return strbuf_take(&sb);
}

char *pg_save(const playground *g, const char *path)
{
	char *text = pg_script_text(g);
	/* a name of the student's own is never replaced; the default takes the next free one */
	char *out = write_new_file(path ? path : "playground", ".demo", text, strlen(text), !path);
	int e = errno;
	free(text);
	errno = e;
	return out;
}

char *pg_export(const playground *g, const char *path)
{
	char *md = demo_transcript(g->r, NULL, _("A playground session"));
	char *out = write_new_file(path ? path : "playground", ".md", md, strlen(md), !path);
	int e = errno;
	free(md);
	errno = e;
	return out;
}

/* ---- completion and hints ------------------------------------------------------------------ */

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

typedef struct cands {
	char **v;
	size_t n, cap;
	const char *prefix;
	size_t plen;
} cands;

static void cand(cands *c, const char *word, const char *suffix)
{
	if (strncmp(word, c->prefix, c->plen) != 0)
		return;
	char *w = xasprintf("%s%s", word, suffix);
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i], w) == 0) {
			free(w);
			return;
		}
	grow_array((void **)&c->v, &c->cap, c->n, sizeof *c->v);
	c->v[c->n++] = w;
}

static void cand_actors(cands *c, const script *s, const char *suffix)
{
	for (size_t a = 0; a < s->nactors; a++)
		cand(c, s->actors[a], suffix);
	if (s->nactors < 4) {
		/* the usual names, for a new actor */
		cand(c, "server", suffix);
		cand(c, "client", suffix);
	}
}

static void cand_socks(cands *c, const script *s, int actor, const char *suffix)
{
	for (size_t i = 0; i < s->nsocks; i++)
		if (s->socks[i].actor == actor)
			cand(c, s->socks[i].name, suffix);
}

static int actor_named(const script *s, const char *name, size_t len)
{
	for (size_t a = 0; a < s->nactors; a++)
		if (strlen(s->actors[a]) == len && strncmp(s->actors[a], name, len) == 0)
			return (int)a;
	return -1;
}

/* The identifier that ends just before position end (spaces skipped), as [*start, end). */
static size_t ident_before(const char *line, size_t end, size_t *start)
{
	while (end && line[end - 1] == ' ')
		end--;
	size_t b = end;
	while (b && word_char(line[b - 1]))
		b--;
	*start = b;
	return end - b;
}

/* The innermost '(' not closed before position end, outside strings; or (size_t)-1. */
static size_t open_paren(const char *line, size_t end)
{
	size_t stack[16], depth = 0;
	bool str = false;
	for (size_t i = 0; i < end; i++) {
		if (str && line[i] == '\\' && i + 1 < end)
			i++;
		else if (line[i] == '"')
			str = !str;
		else if (!str && line[i] == '(' && depth < 16)
			stack[depth++] = i;
		else if (!str && line[i] == ')' && depth)
			depth--;
	}
	return depth ? stack[depth - 1] : (size_t)-1;
}

static bool name_is(const char *line, size_t start, size_t len, const char *name)
{
	return strlen(name) == len && strncmp(line + start, name, len) == 0;
}

size_t pg_complete(const playground *g, const char *line, size_t *word_start, char ***out)
{
	const script *s = g->s;
	size_t n = strlen(line), ws = n;
	while (ws && word_char(line[ws - 1]))
		ws--;
	cands c = { .prefix = line + ws, .plen = n - ws };
	size_t p = ws;
	while (p && line[p - 1] == ' ')
		p--;
	char prev = p ? line[p - 1] : 0;
	size_t fs, fl = ident_before(line, ws, &fs);	/* the identifier before this word */
	size_t first_len = 0;
	while (word_char(line[first_len]))
		first_len++;
	bool first_word = p == 0;
	bool is_state_line = !first_word && (name_is(line, 0, first_len, "expect") ||
					     name_is(line, 0, first_len, "wait"));
	int actor = line[first_len] == ':' ? actor_named(s, line, first_len) : -1;
	if (first_word) {
		cand_actors(&c, s, ": ");
		static const char *const words[] = { "expect ", "wait ", "scene ", "actors ", "save", "export",
						     "restart", "clear", "help", "quit" };
		for (size_t i = 0; i < ARRAY_SIZE(words); i++)
			cand(&c, words[i], "");
	} else if (is_state_line) {
		if (prev == '.') {
			size_t as, al = ident_before(line, p - 1, &as);
			int a = actor_named(s, line + as, al);
			if (a >= 0)
				cand_socks(&c, s, a, " ");
		} else if (fl && fs > 0 && line[fs - 1] == '.') {
			for (size_t i = 0; script_state_at(i); i++)
				cand(&c, script_state_at(i), "");
		} else {
			cand_actors(&c, s, ".");
			cand(&c, "peer", ":");
		}
	} else if (line[first_len] == ':') {
		size_t op = open_paren(line, ws);
		if (op != (size_t)-1) {
			size_t cs, cl = ident_before(line, op, &cs);
			if (name_is(line, cs, cl, "socket") || name_is(line, cs, cl, "inet_pton")) {
				cand(&c, "AF_INET", "");
				cand(&c, "AF_INET6", "");
				if (name_is(line, cs, cl, "socket")) {
					cand(&c, "SOCK_STREAM", ")");
					cand(&c, "SOCK_DGRAM", ")");
				}
			} else if (name_is(line, cs, cl, "setsockopt") || name_is(line, cs, cl, "getsockopt")) {
				for (int o = OPT_SO_REUSEADDR; o <= OPT_LAST; o++)
					cand(&c, script_opt_name((script_opt)o), "");
			} else if (name_is(line, cs, cl, "shutdown")) {
				cand(&c, "SHUT_RD", ")");
				cand(&c, "SHUT_WR", ")");
				cand(&c, "SHUT_RDWR", ")");
			} else if (name_is(line, cs, cl, "setblocking")) {
				cand(&c, "True", ")");
				cand(&c, "False", ")");
			} else if (name_is(line, cs, cl, "settimeout")) {
				cand(&c, "None", ")");
			} else if (prev == '.') {
				size_t as, al = ident_before(line, p - 1, &as);
				int a = actor_named(s, line + as, al);
				if (a >= 0)
					cand_socks(&c, s, a, "");
			} else {
				/* an address or a socket: another actor's socket, or one's own */
				for (size_t a = 0; a < s->nactors; a++)
					if ((int)a != actor)
						cand(&c, s->actors[a], ".");
				cand_socks(&c, s, actor, "");
			}
		} else if (prev == '.') {
			for (size_t i = 0; script_call_at(i); i++)
				cand(&c, script_call_at(i), "(");
		} else if (prev == ':' || prev == '=') {
			if (prev == '=')
				cand(&c, "socket", "(");
			cand_socks(&c, s, actor, ".");
			if (prev == ':') {
				cand(&c, "htons", "(");
				cand(&c, "inet_pton", "(");
				cand(&c, "poll", "(");
			}
		}
	}
	*word_start = ws;
	*out = c.v;
	return c.n;
}

char *pg_common_prefix(char **c, size_t n)
{
	if (!n)
		return xstrdup("");
	size_t len = strlen(c[0]);
	for (size_t i = 1; i < n; i++) {
		size_t k = 0;
		while (k < len && c[i][k] == c[0][k])
			k++;
		len = k;
	}
	return xstrndup(c[0], len);
}

static const struct {
	const char *call;
	pg_hint h;
} hints[] = {
	{ "socket", { "s = socket(AF_INET, SOCK_STREAM)", "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
		      N_("a new socket: SOCK_STREAM is TCP, SOCK_DGRAM is UDP; AF_INET6 for IPv6") } },
	{ "bind", { "s.bind(\"127.0.0.1\", 0)", "s.bind(('127.0.0.1', 0))",
		    N_("gives the socket its local address and port; port 0 lets the kernel pick a free one") } },
	{ "listen", { "s.listen(5)", "s.listen(5)",
		      N_("turns a TCP socket into a listener; the backlog bounds the queue of connections not yet accepted, not the number of clients") } },
	{ "accept", { "c = s.accept()", "c, addr = s.accept()",
		      N_("takes the next finished connection off the queue as a new socket; waits while the queue is empty") } },
	{ "connect", { "s.connect(server.l)   or   s.connect(\"127.0.0.1\", 5000)", "s.connect(('127.0.0.1', 5000))",
		       N_("TCP: the three-way handshake with a listener; UDP: only sets the default peer") } },
	{ "send", { "s.send(\"hello\\n\")", "s.send(b'hello\\n')",
		    N_("copies bytes into the kernel's send buffer; returns how many it took, which may be fewer") } },
	{ "sendall", { "s.sendall(\"hello\\n\")", "s.sendall(b'hello\\n')",
		       N_("calls send() until every byte is taken") } },
	{ "recv", { "s.recv(1024)", "data = s.recv(1024)",
		    N_("returns the bytes that have arrived, at most N; 0 bytes (b'') means the peer closed; waits while there is nothing") } },
	{ "sendto", { "s.sendto(\"hi\", client.u)   or   s.sendto(\"hi\", \"127.0.0.1\", 5000)", "s.sendto(b'hi', ('127.0.0.1', 5000))",
		      N_("UDP: one datagram to an address") } },
	{ "recvfrom", { "s.recvfrom(1024)", "data, addr = s.recvfrom(1024)",
			N_("UDP: one datagram, and the address it came from") } },
	{ "shutdown", { "s.shutdown(SHUT_WR)", "s.shutdown(socket.SHUT_WR)",
			N_("ends one direction: SHUT_WR sends FIN, and the socket can still read") } },
	{ "close", { "s.close()", "s.close()",
		     N_("releases the descriptor; for TCP the kernel then closes the connection (FIN)") } },
	{ "setsockopt", { "s.setsockopt(SO_REUSEADDR, 1)", "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
			  N_("sets an option; Tab lists the options") } },
	{ "getsockopt", { "s.getsockopt(SO_RCVBUF)", "s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)",
			  N_("reads an option; SO_ERROR is the pending error of a non-blocking connect") } },
	{ "settimeout", { "s.settimeout(0.5)   or   s.settimeout(None)", "s.settimeout(0.5)",
			  N_("how long a call may wait before it fails with a timeout; None waits for ever") } },
	{ "setblocking", { "s.setblocking(False)", "s.setblocking(False)",
			   N_("False: calls that would wait fail at once with EAGAIN (BlockingIOError)") } },
	{ "getsockname", { "s.getsockname()", "s.getsockname()",
			   N_("the socket's own address and port") } },
	{ "getpeername", { "s.getpeername()", "s.getpeername()",
			   N_("the address of the other end; ENOTCONN when there is none") } },
	{ "poll", { "poll(l, c, 1000)", "select.select([l, c], [], [], 1.0)",
		    N_("waits (at most N ms) until one of the sockets can be read") } },
	{ "htons", { "htons(5000)", "struct.pack('!H', 5000)",
		     N_("a port in network byte order (big-endian): the two bytes the kernel gets") } },
	{ "inet_pton", { "inet_pton(AF_INET, \"127.0.0.1\")", "socket.inet_pton(socket.AF_INET, '127.0.0.1')",
			 N_("an address as text turned into its bytes; 0 when the text is no address") } },
	{ "expect", { "expect server.l LISTEN, client.s ESTABLISHED", "",
		      N_("checks that the kernel reports these states (it gets half a second)") } },
	{ "wait", { "wait 200ms   or   wait client.s TIME_WAIT", "time.sleep(0.2)",
		    N_("pauses; or waits (up to 10 s) until a socket reaches a state") } },
};

const pg_hint *pg_hint_for(const char *line)
{
	size_t n = strlen(line);
	size_t op = open_paren(line, n);
	size_t cs, cl;
	if (op != (size_t)-1) {
		cl = ident_before(line, op, &cs);
	} else {
		/* a word being typed that names a call, or the line's first word */
		cl = ident_before(line, n, &cs);
		size_t first_len = 0;
		while (word_char(line[first_len]))
			first_len++;
		if (name_is(line, 0, first_len, "expect") || name_is(line, 0, first_len, "wait")) {
			cs = 0;
			cl = first_len;
		}
	}
	for (size_t i = 0; cl && i < ARRAY_SIZE(hints); i++)
		if (name_is(line, cs, cl, hints[i].call)) {
			static pg_hint h;
			h = hints[i].h;
			h.what = _(h.what);
			return &h;
		}
	return NULL;
}

char *pg_help_text(void)
{
	strbuf sb = { 0 };
	strbuf_addf(&sb, "%s\n", _("Type a line as a demo script writes it; it runs at once on the real kernel:"));
	strbuf_adds(&sb, "  server: l = socket(AF_INET, SOCK_STREAM)\n"
		    "  server: l.bind(\"127.0.0.1\", 0)\n"
		    "  server: l.listen(5)\n"
		    "  client: s = socket(AF_INET, SOCK_STREAM)\n"
		    "  client: s.connect(server.l)\n"
		    "  server: c = l.accept()\n"
		    "  expect client.s ESTABLISHED\n");
	strbuf_addf(&sb, "%s\n", _("An actor is a thread of the program: name it before the colon (up to four). A call waiting in one actor does not stop the others."));
	strbuf_addf(&sb, "%s\n", _("Commands:"));
	strbuf_addf(&sb, "  save [FILE]  %s\n", _("writes the session as a script, each result after ->"));
	strbuf_addf(&sb, "  export [FILE] %s\n", _("writes a transcript (Markdown): each call with the strace and ss lines that show it"));
	strbuf_addf(&sb, "  restart      %s\n", _("runs the same lines again on new sockets"));
	strbuf_addf(&sb, "  clear        %s\n", _("closes everything and starts an empty session"));
	strbuf_addf(&sb, "  help         %s\n", _("this text"));
	strbuf_addf(&sb, "  quit         %s\n", _("leaves the playground"));
	return strbuf_take(&sb);
}

/* ---- the plain printer ---------------------------------------------------------------------- */

/* Lets the kernel answer for a moment, printing what happens (blocked calls that return). */
static void settle(playground *g, FILE *out, size_t *shown, char **states, int ms)
{
	double until = run_clock_ms() + ms;
	for (;;) {
		pg_progress(g);
		demo_print_since(out, g->r, shown, states);
		double left = until - run_clock_ms();
		if (left <= 0)
			break;
		struct pollfd fds[16];
		int timeout;
		size_t n = run_pollfds(g->r, fds, 16, &timeout);
		if (timeout < 0 || timeout > (int)left)
			timeout = (int)left + 1;
		poll(fds, n, timeout);
	}
}

int pg_run_plain(FILE *out, int in, playground *g, bool prompt)
{
	size_t shown = 0;
	char *states = NULL;
	int refused = 0;
	fprintf(out, "%s\n", _("Playground: type script lines; they run at once on the real kernel. 'help' lists the commands; 'quit' or the end of input leaves."));
	settle(g, out, &shown, &states, 20);	/* a loaded session's lines */
	strbuf buf = { 0 };
	bool eof = false, quit = false;
	while (!eof && !quit) {
		if (prompt) {
			fputs("> ", out);
			fflush(out);
		}
		/* one line from the descriptor (no stdio buffer between poll() and the data) */
		char *nl;
		while (!(nl = buf.len ? memchr(buf.buf, '\n', buf.len) : NULL)) {
			char chunk[4096];
			ssize_t r = read(in, chunk, sizeof chunk);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				eof = true;
				break;
			}
			strbuf_add(&buf, chunk, (size_t)r);
		}
		if (!nl && !buf.len)
			break;
		size_t len = nl ? (size_t)(nl - buf.buf) : buf.len;
		char *line = xstrndup(buf.buf, len);
		memmove(buf.buf, buf.buf + len + (nl ? 1 : 0), buf.len - len - (nl ? 1 : 0));
		buf.len -= len + (nl ? 1 : 0);
		if (!prompt)
			fprintf(out, "> %s\n", line);
		char *msg;
		switch (pg_submit(g, line, &msg)) {
		case PG_REFUSED:
			fprintf(out, "  ! %s\n", msg);
			refused++;
			break;
		case PG_SAVED:
		case PG_EXPORTED:
			fprintf(out, _("  saved as %s\n"), msg);
			break;
		case PG_RESTARTED:
			shown = 0;
			free(states);
			states = NULL;
			fprintf(out, "%s\n", _("-- the same lines again, on new sockets"));
			break;
		case PG_CLEARED:
			shown = 0;
			fprintf(out, "%s\n", _("-- an empty session: every socket closed"));
			break;
		case PG_HELP: {
			char *h = pg_help_text();
			fputs(h, out);
			free(h);
			break;
		}
		case PG_QUIT:
			quit = true;
			break;
		default:
			break;
		}
		free(msg);
		free(line);
		settle(g, out, &shown, &states, 10);
	}
	strbuf_free(&buf);
	/* what is still under way: waits and calls with a deadline */
	while (!run_finished(g->r)) {
		struct pollfd fds[16];
		int timeout;
		size_t n = run_pollfds(g->r, fds, 16, &timeout);
		if (n == 0 && timeout < 0)
			break;
		poll(fds, n, timeout);
		pg_progress(g);
		demo_print_since(out, g->r, &shown, &states);
	}
	for (size_t a = 0; a < g->s->nactors; a++) {
		int b = run_blocked_step(g->r, (int)a);
		if (b >= 0)
			fprintf(out, _("-- %s is still waiting in '%s'\n"), g->s->actors[a],
				step_line(g, &g->s->steps[b]));
	}
	free(states);
	int fails = run_failures(g->r);
	if (fails || refused)
		fprintf(out, _("-- %d line(s) refused, %d result(s) not as the script expects\n"), refused, fails);
	return fails || refused ? 1 : 0;
}
