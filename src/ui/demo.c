/* The demo screen: a live demo running on the real kernel.
 *
 *   ┌ title bar ───────────────────────────────────────────── step 5/22 ┐
 *   narration of the current scene (up to three lines)
 *   server          │ client          ║ Kernel state
 *   socket(...) = 3 │                 ║   TCP state diagram, the states
 *   l = socket...   │                 ║   sockets are in highlighted
 *                   │ connect(...)    ║ server.l  LISTEN  q 0/1
 *   status line: keys
 *
 * A column per actor holds its calls in time order (a sequence chart: each event takes its
 * own rows); scene changes, checks and waits span the whole width. The panel shows the
 * snapshot of the latest event. Below 72 columns the panel gives way to a one-line summary
 * of the states above the timeline; on short screens the diagram goes first.
 *
 * In the packet lab each packet is an arrow across the timeline between the first actor's
 * lane (left) and the others' (right), with the state each end reached at its ends; the
 * panel can show the packets instead of the states (p), and a box at its foot shows the
 * wire: whether it holds packets, which are held, which faults are armed. */
#include "config.h"

#include "ui.h"
#include "core/errnames.h"
#include "core/text.h"
#include "core/util.h"
#include "net/demotext.h"
#include "net/observe.h"
#include "net/tools.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PANEL_COLS 31
#define PANEL_MIN_SCREEN 72
#define DIAGRAM_ROWS 11

static const int auto_delays[] = { 3000, 1500, 800, 400, 150 };
#define AUTO_DEFAULT 2

static const script *cur_script(const app *a)
{
	return a->pg ? pg_script(a->pg) : catalog_demo(a->cat, a->demo);
}

static const lesson_block *cur_block(const app *a)
{
	return a->pg ? NULL : catalog_demo_block(a->cat, a->lang, a->demo);
}

/* ---- timeline rows ------------------------------------------------------------------------ */

typedef struct tl_row {
	int x, w;		/* columns within the timeline area */
	attr_t attr;
	char *text;
	int lane;		/* actor column, -1 for full-width rows */
} tl_row;

typedef struct tl {
	tl_row *rows;
	size_t n, cap;
	int width, colw;
	size_t nactors;
	bool stagger;		/* columns too narrow: one stream, entries indented by actor */
	const char *const *actors;
} tl;

#define MIN_LANE 30
#define STAGGER 2

/* While the student predicts a socket's state, the screen must not give it away: the name
 * of the socket asked about, "" when it cannot be told by name (a peer: item; then every
 * state is hidden), NULL when nothing is hidden. */
static const char *hidden_state(const app *a)
{
	if (a->ask < 0 || !a->run)
		return NULL;
	const script *s = cur_script(a);
	const script_step *st = &s->steps[s->predicts[a->ask].step];
	if ((st->op != OP_EXPECT && st->op != OP_WAIT_STATE) || !st->nstates)
		return NULL;
	return st->states[0].peer ? "" : s->socks[st->states[0].sock].full;
}

static bool is_hidden(const char *hidden, const char *name)
{
	return hidden && (!*hidden || strcmp(hidden, name) == 0);
}

static void tl_add(tl *t, int lane, attr_t attr, const char *text, const char *prefix)
{
	int x = lane < 0 ? 0 : t->stagger ? lane * STAGGER : lane * t->colw;
	int w = lane < 0 ? t->width : t->stagger ? t->width - x : t->colw - 1;
	if (w < 4)
		w = 4;
	char *full = prefix ? xasprintf("%s%s", prefix, text) : xstrdup(text);
	char **lines;
	size_t nl = layout_wrap(full, w, &lines);
	for (size_t i = 0; i < nl; i++) {
		grow_array((void **)&t->rows, &t->cap, t->n, sizeof *t->rows);
		t->rows[t->n++] = (tl_row){ x, w, attr, lines[i], lane };
	}
	free(lines);
	free(full);
}

static void tl_free(tl *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->rows[i].text);
	free(t->rows);
}

static const char *waiting_for(const script_step *st)
{
	switch (st->op) {
	case OP_ACCEPT: return _("waiting for a connection");
	case OP_CONNECT: return _("waiting for the handshake to finish");
	case OP_RECV:
	case OP_RECVFROM: return _("waiting for data");
	case OP_SEND:
	case OP_SENDALL:
	case OP_SENDTO: return _("waiting for room in the send buffer");
	case OP_POLL: return _("waiting until a socket is readable");
	default: return _("waiting");
	}
}

/* The state a socket on the left (the first actor's) or the right reached with this event,
 * when it changed; NULL otherwise. */
static const char *changed_state(const run_event *ev, const run_event *prev, bool left)
{
	for (size_t i = 0; i < ev->nsocks; i++) {
		const run_sock *s = &ev->socks[i];
		if ((s->actor == 0) != left)
			continue;
		const char *before = NULL;
		for (size_t k = 0; prev && k < prev->nsocks; k++)
			if (strcmp(prev->socks[k].name, s->name) == 0)
				before = prev->socks[k].state;
		if (!before || strcmp(before, s->state) != 0)
			return s->state;
	}
	return NULL;
}

/* Whether a packet went from the left (the first actor's side) to the right. */
static bool from_left(const app *a, const run_event *ev)
{
	return ev->from >= 0 ? ev->from == 0 : demo_packet_actor(a->run, ev, true) == 0;
}

static void add_times(strbuf *sb, const char *s, int n)
{
	for (int i = 0; i < n; i++)
		strbuf_adds(sb, s);
}

/* A packet as an arrow across the timeline, between the first actor's lane (left) and the
 * others' (right), with the states the packet brought about at its ends:
 *   SYN_RECV ◀─── SYN seq=0 len=0 win=65495 ──────────
 * A dropped packet's arrow stops half way with a cross. */
static void tl_packet(const app *a, tl *t, const run_event *ev, const run_event *prev, attr_t bold)
{
	bool ltr = from_left(a, ev);
	/* captured packets are read after the fact: the states then are not the packet's doing */
	bool wire = ev->from >= 0 && !hidden_state(a);
	const char *ls = wire ? changed_state(ev, prev, true) : NULL;
	const char *rs = wire ? changed_state(ev, prev, false) : NULL;
	int lw = ls ? text_width(ls, strlen(ls)) + 1 : 0;
	int rw = rs ? text_width(rs, strlen(rs)) + 1 : 0;
	int body = t->width - lw - rw;
	const char *fate = demo_fate_text(ev->fate);
	strbuf lb = { 0 };
	/* as much of the packet as fits, keeping room for the arrow */
	for (int level = 0; level < 3; level++) {
		char *label = demo_packet_short(ev, level);
		lb.len = 0;
		strbuf_addf(&lb, " #%u %s", ev->id, label);
		free(label);
		if (ev->retrans)
			strbuf_addf(&lb, _(" (resent after %.1f s)"), ev->retrans_ms / 1000.0);
		if (fate)
			strbuf_addf(&lb, " [%s]", fate);
		strbuf_addc(&lb, ' ');
		if (text_width(lb.buf, lb.len) + 6 <= body)
			break;
	}
	const char *dash = ui_glyph(a, "─", "-");
	bool dropped = ev->fate == FATE_DROPPED;
	const char *head = dropped ? ui_glyph(a, "✗", "X") : ltr ? ui_glyph(a, "▶", ">") :
			   ui_glyph(a, "◀", "<");
	int textw = text_width(lb.buf, lb.len);
	int dashes = body - 1 - textw;
	if (dashes < 4)
		dashes = 4;
	int before = 2, after = dashes - before;
	/* a dropped packet's arrow stops half way */
	int gap = dropped ? after / 2 : 0;
	strbuf row = { 0 };
	if (ls)
		strbuf_addf(&row, "%s ", ls);
	if (!ltr) {
		add_times(&row, " ", gap);
		strbuf_adds(&row, head);
	}
	add_times(&row, dash, before);
	strbuf_add(&row, lb.buf, lb.len);
	add_times(&row, dash, after - gap);
	if (ltr) {
		strbuf_adds(&row, head);
		add_times(&row, " ", gap);
	}
	if (rs)
		strbuf_addf(&row, " %s", rs);
	strbuf_free(&lb);
	attr_t at = dropped ? (a->color ? COLOR_PAIR(PAIR_WARN) : A_DIM) :
		    ui_attr(a, ATTR_HEADING) & ~A_BOLD;
	grow_array((void **)&t->rows, &t->cap, t->n, sizeof *t->rows);
	t->rows[t->n++] = (tl_row){ 0, t->width, at | bold, strbuf_take(&row), -1 };
}

static void tl_event(const app *a, tl *t, const run_event *ev, const run_event *prev, bool latest);

/* The tools view: each call as strace prints it, each packet as tcpdump does, and after each
 * event the ss lines of the sockets it changed. */
static void tl_tools(const app *a, tl *t, size_t i, bool latest)
{
	const run_event *ev = run_event_at(a->run, i), *prev = i ? run_event_at(a->run, i - 1) : NULL;
	const script *s = cur_script(a);
	attr_t bold = latest ? A_BOLD : 0;
	char *line;
	if ((line = tools_strace_line(ev))) {
		char *who = xasprintf("strace [%s] ", s->actors[ev->actor]);
		tl_add(t, -1, ui_attr(a, ATTR_CODEBLOCK) | bold, line, who);
		free(who);
		free(line);
		if (ev->kind == EV_BLOCKED)
			tl_add(t, STAGGER, ui_attr(a, ATTR_HEADING), waiting_for(&s->steps[ev->step]),
			       ui_glyph(a, "⏳ ", "... "));
		else if (ev->ret < 0 && ev->err)
			tl_add(t, STAGGER, A_DIM, demo_errno_explain(ev->err), NULL);
		if (ev->check < 0) {
			char *m = xasprintf(_("expected %s, the kernel gave %s"), ev->expected, ev->observed);
			tl_add(t, STAGGER, a->color ? COLOR_PAIR(PAIR_WARN) | A_BOLD : A_BOLD, m,
			       ui_glyph(a, "✗ ", "X "));
			free(m);
		}
	} else if ((line = tools_tcpdump_line(a->run, i))) {
		const char *fate = demo_fate_text(ev->fate);
		char *full = fate ? xasprintf("%s  [%s]", line, fate) : xstrdup(line);
		tl_add(t, -1, (ev->fate == FATE_DROPPED ? (a->color ? COLOR_PAIR(PAIR_WARN) : A_DIM) :
			       ui_attr(a, ATTR_HEADING) & ~A_BOLD) | bold, full, "tcpdump ");
		free(full);
		free(line);
	} else {
		tl_event(a, t, ev, prev, latest);
	}
	size_t idx[16];
	const char *gone[16];
	size_t n = tools_ss_changed(ev, prev, idx, 16);
	const char *hidden = hidden_state(a);
	for (size_t k = 0; k < n; k++) {
		if (is_hidden(hidden, ev->socks[idx[k]].name))
			continue;
		line = tools_ss_line(&ev->socks[idx[k]]);
		char *row = xasprintf("ss [%s] %s", ev->socks[idx[k]].name, line);
		tl_add(t, STAGGER, A_DIM, row, NULL);
		free(row);
		free(line);
	}
	n = tools_ss_gone(ev, prev, gone, 16);
	for (size_t k = 0; k < n; k++) {
		char *row = xasprintf("ss [%s] %s", gone[k], _("(no longer listed)"));
		tl_add(t, STAGGER, A_DIM, row, NULL);
		free(row);
	}
}

static void tl_event(const app *a, tl *t, const run_event *ev, const run_event *prev, bool latest)
{
	const script *s = cur_script(a);
	attr_t bold = latest ? A_BOLD : 0;
	attr_t ok = ui_attr(a, ATTR_ANSWER) & ~A_STANDOUT, bad = a->color ? COLOR_PAIR(PAIR_WARN) | A_BOLD : A_BOLD;
	switch (ev->kind) {
	case EV_SCENE: {
		/* a rule across the timeline, "── 2/7 ─────" (drawing clips it to the width) */
		const char *rule = ui_glyph(a, "─", "-");
		strbuf sb = { 0 };
		strbuf_addf(&sb, "%s%s %zu/%zu ", rule, rule, (size_t)ev->scene + 1, s->nscenes);
		for (int i = 0; i < t->width; i++)
			strbuf_adds(&sb, rule);
		grow_array((void **)&t->rows, &t->cap, t->n, sizeof *t->rows);
		t->rows[t->n++] = (tl_row){ 0, t->width, A_DIM, strbuf_take(&sb), -1 };
		break;
	}
	case EV_CALL:
	case EV_BLOCKED: {
		int lane = ev->actor;
		const script_step *st = &s->steps[ev->step];
		/* in one stream, the actor's name starts its entry */
		char *who = t->stagger ? xasprintf("%s: ", s->actors[lane]) : NULL;
		/* a met expectation is a mark at the end of the first line, not a row */
		const char *tick = ev->check > 0 ? ui_glyph(a, " ✓", " ok") : "";
		if (a->code_mode != CODE_PY) {
			char *c = ev->kind == EV_CALL ? xasprintf("%s %s%s", ev->c, ev->c_ret, tick) : xstrdup(ev->c);
			tl_add(t, lane, ui_attr(a, ATTR_CODEBLOCK) | bold, c, who);
			free(c);
			free(who);
			who = NULL;
			tick = "";
		}
		if (a->code_mode != CODE_C) {
			char *p = ev->py_ret && ev->kind == EV_CALL
				? xasprintf("%s %s %s%s", ev->py, ui_glyph(a, "→", "->"), ev->py_ret, tick)
				: xasprintf("%s%s", ev->py, tick);
			tl_add(t, lane, (a->code_mode == CODE_PY ? ui_attr(a, ATTR_CODEBLOCK) : A_DIM) | bold, p, who);
			free(p);
			free(who);
		}
		if (ev->kind == EV_BLOCKED) {
			tl_add(t, lane, ui_attr(a, ATTR_HEADING), waiting_for(st), ui_glyph(a, "⏳ ", "... "));
			break;
		}
		if (ev->waited) {
			char *w = xasprintf(_("returned after %.0f ms of waiting"), ev->ms);
			tl_add(t, lane, ui_attr(a, ATTR_MARK), w, ui_glyph(a, "↳ ", "> "));
			free(w);
		}
		if (ev->ret < 0 && ev->err) {
			const char *name = errno_name(ev->err);
			char *e = xasprintf("%s: %s", name ? name : "errno", demo_errno_explain(ev->err));
			tl_add(t, lane, bad & ~A_BOLD, e, NULL);
			free(e);
		}
		if (ev->check < 0) {
			char *m = xasprintf(_("expected %s, the kernel gave %s"), ev->expected, ev->observed);
			tl_add(t, lane, bad, m, ui_glyph(a, "✗ ", "X "));
			free(m);
		}
		break;
	}
	case EV_WAIT:
	case EV_EXPECT:
		if (ev->kind == EV_WAIT && !ev->expected) {
			char *w = xasprintf(_("the script pauses %.0f ms"), ev->ms);
			tl_add(t, -1, A_DIM, w, ui_glyph(a, "⏸ ", ".. "));
			free(w);
		} else if (ev->check > 0) {
			char *m = xasprintf(_("kernel: %s"), ev->observed);
			tl_add(t, -1, ok | bold, m, ui_glyph(a, "✓ ", "ok "));
			free(m);
		} else {
			char *m = xasprintf(_("expected %s; the kernel reports %s"), ev->expected, ev->observed);
			tl_add(t, -1, bad, m, ui_glyph(a, "✗ ", "X "));
			free(m);
		}
		break;
	case EV_ERROR: {
		char *m = xasprintf(_("The demo stopped: %s"), ev->observed);
		tl_add(t, -1, bad, m, NULL);
		free(m);
		break;
	}
	case EV_PACKET:
		tl_packet(a, t, ev, prev, bold);
		break;
	case EV_STATES: {
		char *m = xasprintf(_("kernel: %s"), ev->c);
		tl_add(t, -1, A_DIM | bold, m, ui_glyph(a, "⟳ ", "~ "));
		free(m);
		break;
	}
	case EV_WIRE: {
		char *m = xasprintf("%s: %s", ev->by_user ? _("you") : _("the script"),
				    demo_wire_text(a->run, ev));
		tl_add(t, -1, A_DIM | bold, m, ui_glyph(a, "✂ ", "# "));
		free(m);
		break;
	}
	}
}

static void build_timeline(const app *a, tl *t, int width)
{
	const script *s = cur_script(a);
	memset(t, 0, sizeof *t);
	t->width = width;
	t->nactors = s->nactors ? s->nactors : 1;
	t->colw = width / (int)t->nactors;
	t->stagger = t->colw < MIN_LANE && t->nactors > 1;
	size_t n = run_nevents(a->run);
	if (a->code_mode == CODE_TOOLS) {
		/* strace and tcpdump lines are long: one stream across the whole width */
		t->stagger = true;
		for (size_t i = 0; i < n; i++)
			tl_tools(a, t, i, i + 1 == n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		tl_event(a, t, run_event_at(a->run, i), i ? run_event_at(a->run, i - 1) : NULL,
			 i + 1 == n);
}

/* ---- the state panel ----------------------------------------------------------------------- */

/* Where each state stands in the diagram (row, column within the panel). */
static const struct {
	const char *state;
	int row, col;
} diagram[] = {
	{ "CLOSE", 0, 11 },
	{ "LISTEN", 2, 1 }, { "SYN_SENT", 2, 17 },
	{ "SYN_RECV", 4, 1 }, { "ESTABLISHED", 4, 14 },
	{ "FIN_WAIT1", 6, 1 }, { "CLOSE_WAIT", 6, 18 },
	{ "FIN_WAIT2", 8, 0 }, { "CLOSING", 8, 10 }, { "LAST_ACK", 8, 20 },
	{ "TIME_WAIT", 10, 1 }, { "GONE", 10, 17 },
};

static const struct {
	int row, col;
	const char *u, *asc;
} arrows[] = {
	{ 1, 6, "↙", "/" }, { 1, 19, "↘", "\\" },
	{ 3, 4, "↓", "|" }, { 3, 20, "↓", "|" },
	{ 4, 10, "→", ">" },
	{ 5, 9, "↙", "/" }, { 5, 22, "↘", "\\" },
	{ 7, 4, "↓", "|" }, { 7, 9, "↘", "\\" }, { 7, 23, "↓", "|" },
	{ 9, 5, "↘", "\\" }, { 9, 12, "↙", "/" }, { 9, 23, "↓", "|" },
	{ 10, 12, "→", ">" },
};

static bool state_in_use(const app *a, const run_event *last, const char *state)
{
	const char *hidden = hidden_state(a);
	for (size_t i = 0; last && i < last->nsocks; i++)
		if (!last->socks[i].udp && strcmp(last->socks[i].state, state) == 0 &&
		    !is_hidden(hidden, last->socks[i].name))
			return strcmp(state, "GONE") != 0;
	return false;
}

static void draw_diagram(const app *a, int y, int x, const run_event *last)
{
	for (size_t i = 0; i < ARRAY_SIZE(arrows); i++) {
		const char *g = ui_glyph(a, arrows[i].u, arrows[i].asc);
		ui_draw_text(y + arrows[i].row, x + arrows[i].col, g, strlen(g), 1, A_DIM);
	}
	for (size_t i = 0; i < ARRAY_SIZE(diagram); i++) {
		/* the kernel's CLOSE is the diagram's CLOSED; GONE is the end of the story */
		const char *label = strcmp(diagram[i].state, "CLOSE") == 0 ||
				    strcmp(diagram[i].state, "GONE") == 0 ? "CLOSED" : diagram[i].state;
		bool on = state_in_use(a, last, diagram[i].state);
		attr_t at = on ? (A_REVERSE | A_BOLD | (a->color ? COLOR_PAIR(PAIR_MARK) : 0)) : A_DIM;
		ui_draw_text(y + diagram[i].row, x + diagram[i].col, label, strlen(label),
			     PANEL_COLS - 1 - diagram[i].col, at);
	}
}

/* "LISTEN q 0/1" (accept queue / backlog), "ESTABLISHED rq 5" (bytes to read), "wq 1"
 * (bytes sent, not yet acknowledged), as ss calls them Recv-Q and Send-Q. */
static char *sock_detail(const run_sock *s)
{
	if (s->listener)
		return xasprintf("%s q %u/%u", s->state, s->rq, s->wq);
	strbuf sb = { 0 };
	strbuf_adds(&sb, s->state);
	if (s->rq)
		strbuf_addf(&sb, " rq %u", s->rq);
	if (s->wq && !s->udp)
		strbuf_addf(&sb, " wq %u", s->wq);
	return strbuf_take(&sb);
}

static int draw_socks(const app *a, int y, int x, int w, int rows, const run_event *last,
		      const run_event *prev)
{
	int used = 0;
	for (size_t i = 0; last && i < last->nsocks && used < rows; i++) {
		const run_sock *s = &last->socks[i];
		bool changed = true;
		for (size_t k = 0; prev && k < prev->nsocks; k++)
			if (strcmp(prev->socks[k].name, s->name) == 0)
				changed = strcmp(prev->socks[k].state, s->state) != 0;
		char *d = is_hidden(hidden_state(a), s->name) ? xstrdup(_("? (predict it)")) : sock_detail(s);
		int nw = text_width(s->name, strlen(s->name));
		int col = nw < 10 ? 10 : nw + 1;
		ui_draw_text(y + used, x, s->name, strlen(s->name), w, A_BOLD);
		if (col < w) {
			attr_t at = strcmp(s->state, "GONE") == 0 ? A_DIM :
				    changed ? ui_attr(a, ATTR_HEADING) : A_NORMAL;
			ui_draw_text(y + used, x + col, d, strlen(d), w - col, at);
		}
		free(d);
		used++;
		/* the port the kernel picked, under the name */
		if (used < rows && s->sock >= 0 && observe_port(&s->local) && rows > (int)last->nsocks * 2) {
			char la[64], ra[64], *line;
			run_format_addr(&s->local, la, sizeof la);
			if (s->has_remote) {
				run_format_addr(&s->remote, ra, sizeof ra);
				line = xasprintf("  %s>%s", la, ra);
			} else {
				line = xasprintf("  %s", la);
			}
			ui_draw_text(y + used, x, line, strlen(line), w, A_DIM);
			free(line);
			used++;
		}
	}
	return used;
}

/* ---- the packet lab's panels ------------------------------------------------------------------ */

static lab *cur_lab(const app *a)
{
	return a->run ? run_lab(a->run) : NULL;
}

/* The wire's state: mode, held packets, armed faults. Returns the rows used. */
static int draw_wire(const app *a, int y, int x, int w, int rows)
{
	lab *l = cur_lab(a);
	if (!l || rows < 1)
		return 0;
	int used = 0;
	if (lab_get_mode(l) != LAB_FULL) {
		const char *m = _("Capture only: packets are shown, the wire cannot be controlled.");
		char **ln;
		size_t n = layout_wrap(m, w, &ln);
		for (size_t i = 0; i < n; i++) {
			if (used < rows)
				ui_draw_text(y + used++, x, ln[i], strlen(ln[i]), w, A_DIM);
			free(ln[i]);
		}
		free(ln);
		return used;
	}
	char *mode = lab_holding(l) ? xstrdup(_("Wire: holding (n delivers)")) :
		     lab_pass_delay(l) ? xasprintf(_("Wire: delivers after %u ms"), lab_pass_delay(l)) :
		     xstrdup(_("Wire: delivers at once"));
	ui_draw_text(y + used++, x, mode, strlen(mode), w, A_BOLD);
	free(mode);
	for (size_t i = 0; i < lab_nheld(l) && used < rows; i++) {
		const lab_packet *hp = lab_held_at(l, i);
		pkt p;
		const char *why;
		char f[PKT_FLAGS_LEN] = "?";
		bool ok = pkt_decode(hp->data, hp->len, &p, &why) == 0;
		if (ok && p.proto == PKT_TCP)
			pkt_flags(p.flags, f, sizeof f);
		else if (ok)
			snprintf(f, sizeof f, "%s", p.proto == PKT_UDP ? "UDP" :
				 p.proto == PKT_ICMP ? "ICMP" : "IP");
		if (used == rows - 1 && i + 1 < lab_nheld(l)) {
			char *more = xasprintf(_("  ... %zu more held"), lab_nheld(l) - i);
			ui_draw_text(y + used++, x, more, strlen(more), w, ui_attr(a, ATTR_HEADING));
			free(more);
			break;
		}
		char *line = xasprintf("  #%u %s %s", hp->id,
				       hp->from == 0 ? ui_glyph(a, "▶", ">") : ui_glyph(a, "◀", "<"), f);
		ui_draw_text(y + used++, x, line, strlen(line), w, ui_attr(a, ATTR_HEADING));
		free(line);
	}
	const char *armed = lab_armed(l);
	if (*armed && used < rows) {
		char *m = xasprintf(_("  next: %s"), armed);
		ui_draw_text(y + used++, x, m, strlen(m), w, a->color ? COLOR_PAIR(PAIR_WARN) : A_BOLD);
		free(m);
	}
	return used;
}

/* The packets view: the latest packets, then the newest one in detail. */
static void draw_packets(const app *a, int y, int x, int w, int rows)
{
	size_t n = run_nevents(a->run);
	const run_event *latest = NULL;
	size_t npk = 0;
	for (size_t i = 0; i < n; i++)
		if (run_event_at(a->run, i)->kind == EV_PACKET) {
			latest = run_event_at(a->run, i);
			npk++;
		}
	if (!latest) {
		const char *m = _("No packet yet.");
		ui_draw_text(y, x, m, strlen(m), w, A_DIM);
		return;
	}
	/* the detail of the newest packet takes the bottom rows */
	strbuf d = { 0 };
	strbuf_addf(&d, "#%u %s\n", latest->id, latest->abs ? latest->abs : latest->c);
	if (latest->pkt && latest->pkt->proto == PKT_TCP && latest->rel.scale)
		strbuf_addf(&d, _("window %u << %d = %lu bytes\n"), latest->pkt->window,
			    latest->rel.scale, latest->rel.window);
	if (latest->pkt && latest->pkt->payload_len && latest->pkt->proto != PKT_ICMP) {
		char *hx = pkt_preview_hex(latest->pkt, 24), *tx = pkt_preview_text(latest->pkt, 24);
		strbuf_addf(&d, "%s\n\"%s\"", hx, tx);
		free(hx);
		free(tx);
	}
	char **dl = NULL;
	size_t nd = 0;
	for (char *save = NULL, *part = strtok_r(d.buf, "\n", &save); part;
	     part = strtok_r(NULL, "\n", &save)) {
		char **pl;
		size_t np = layout_wrap(part, w, &pl);
		dl = xrealloc(dl, (nd + np + 1) * sizeof *dl);
		memcpy(dl + nd, pl, np * sizeof *pl);
		nd += np;
		free(pl);
	}
	strbuf_free(&d);
	int drows = (int)nd < rows / 2 ? (int)nd : rows / 2;
	int lrows = rows - drows - (drows ? 1 : 0);
	/* the list, newest at the bottom */
	size_t skip = npk > (size_t)lrows ? npk - (size_t)lrows : 0, k = 0;
	int row = 0;
	for (size_t i = 0; i < n && row < lrows; i++) {
		const run_event *ev = run_event_at(a->run, i);
		if (ev->kind != EV_PACKET || k++ < skip)
			continue;
		char *sh = demo_packet_short(ev, 0);
		const char *fate = ev->fate == FATE_DROPPED ? ui_glyph(a, "✗", "X") : "";
		char *line = xasprintf("%u %s%s %s", ev->id,
				       from_left(a, ev) ? ui_glyph(a, "▶", ">") : ui_glyph(a, "◀", "<"), fate, sh);
		attr_t at = ev == latest ? A_BOLD : ev->fate == FATE_DROPPED ? A_DIM : A_NORMAL;
		ui_draw_text(y + row++, x, line, strlen(line), w, at);
		free(line);
		free(sh);
	}
	for (size_t i = 0; i < nd; i++) {
		if ((int)i < drows)
			ui_draw_text(y + lrows + 1 + (int)i, x, dl[i], strlen(dl[i]), w, A_DIM);
		free(dl[i]);
	}
	free(dl);
}

/* ---- drawing ----------------------------------------------------------------------------- */

static const run_event *last_snapshot(const app *a, size_t back)
{
	size_t n = run_nevents(a->run);
	return n > back ? run_event_at(a->run, n - 1 - back) : NULL;
}

static const char *current_narration(const app *a)
{
	const script *s = cur_script(a);
	for (size_t i = run_nevents(a->run); i-- > 0;) {
		const run_event *ev = run_event_at(a->run, i);
		if (ev->kind == EV_SCENE) {
			const char *t = cur_block(a) ? lesson_block_narration(cur_block(a), s->scenes[ev->scene].name) : NULL;
			return t ? t : s->scenes[ev->scene].name;
		}
	}
	if (!s->nsocks)
		return _("Press Space to make the first call; each step is one real call into the C library.");
	return _("Press Space to make the first call; each step is one real system call, and the states come from the kernel.");
}

/* ---- predictions -------------------------------------------------------------------------- */

static void free_predictions(app *a)
{
	for (size_t i = 0; a->ptyped && i < a->npred; i++)
		free(a->ptyped[i]);
	free(a->ptyped);
	free(a->pchoice);
	free(a->pjudged);
	free(a->verdict_text);
	a->ptyped = NULL;
	a->pchoice = NULL;
	a->pjudged = NULL;
	a->verdict_text = NULL;
	a->ask = a->verdict = -1;
}

static void reset_predictions(app *a)
{
	free_predictions(a);
	a->npred = cur_script(a)->npredicts;
	size_t n = a->npred + 1;
	a->pchoice = xcalloc(n, sizeof *a->pchoice);
	a->ptyped = xcalloc(n, sizeof *a->ptyped);
	a->pjudged = xcalloc(n, sizeof *a->pjudged);
	for (size_t i = 0; i < n; i++)
		a->pchoice[i] = PRED_UNASKED;
	a->ask_hint = false;
	a->typed[0] = '\0';
}

/* Scores the predictions whose step the kernel has answered; shows the newest verdict. */
static void judge(app *a)
{
	const script *s = cur_script(a);
	for (size_t i = 0; i < s->npredicts; i++) {
		if (a->pjudged[i] || a->pchoice[i] == PRED_UNASKED)
			continue;
		char *t;
		int k = run_predict_outcome(a->run, i, &t);
		if (k == -2)
			continue;
		a->pjudged[i] = true;
		bool right = a->pchoice[i] == PRED_TYPED ? script_typed_matches(a->ptyped[i], t) :
			     a->pchoice[i] == k;
		if (a->pchoice[i] != PRED_SKIPPED && !a->present) {
			const lesson *l = catalog_lesson(a->cat, a->lang, catalog_demo_lesson(a->cat, a->demo));
			char *key = xasprintf("p-%s-%s", s->id, s->predicts[i].name);
			progress_set_answer(a->prog, lesson_id(l), key, right);
			free(key);
		}
		free(a->verdict_text);
		a->verdict_text = t;
		a->verdict = (int)i;
		a->verdict_right = right;
	}
}

/* The narration area's text while a prediction is asked or judged; NULL otherwise. */
static char *prediction_text(const app *a, int *attr_kind)
{
	const script *s = cur_script(a);
	const lesson_block *b = cur_block(a);
	strbuf sb = { 0 };
	if (a->ask >= 0) {
		const script_predict *p = &s->predicts[a->ask];
		const char *q = demo_predict_field(a->run, b, (size_t)a->ask, "ask");
		strbuf_addf(&sb, "%s %s\n", _("Predict:"), q ? q : p->name);
		for (size_t i = 0; i < p->nchoices; i++)
			strbuf_addf(&sb, "%s%zu) %s", i ? "    " : "  ", i + 1, demo_choice_text(p->choices[i].text));
		if (!p->nchoices)
			strbuf_addf(&sb, "  %s %s_", _("Your answer:"), a->typed);
		strbuf_addc(&sb, '\n');
		const char *h = demo_predict_field(a->run, b, (size_t)a->ask, "hint");
		if (a->ask_hint && h)
			strbuf_addf(&sb, "%s %s\n", _("Hint:"), h);
		if (p->nchoices) {
			char *m = xasprintf(_("1-%zu: your prediction, then the step runs   H: hint   s: skip"), p->nchoices);
			strbuf_adds(&sb, m);
			free(m);
		} else {
			strbuf_adds(&sb, _("Type a number or an errno name, then Enter   Tab: hint   Esc: skip"));
		}
		*attr_kind = 0;
		return strbuf_take(&sb);
	}
	if (a->verdict >= 0 && a->verdict_text) {
		const script_predict *p = &s->predicts[a->verdict];
		int c = a->pchoice[a->verdict];
		const char *ans = demo_choice_text(a->verdict_text);
		if (c != PRED_SKIPPED)
			strbuf_adds(&sb, a->verdict_right ? ui_glyph(a, "✓ ", "+ ") : ui_glyph(a, "✗ ", "x "));
		bool lib = script_predict_is_library(s, (size_t)a->verdict);
		if (c == PRED_SKIPPED)
			strbuf_addf(&sb, lib ? _("The C library's answer: %s.") :
				    _("The kernel's answer: %s."), ans);
		else if (a->verdict_right)
			strbuf_addf(&sb, lib ? _("Right: the C library's answer is %s.") :
				    _("Right: the kernel's answer is %s."), ans);
		else
			strbuf_addf(&sb, lib ? _("You predicted %s; the C library's answer is %s.") :
				    _("You predicted %s; the kernel's answer is %s."),
				    c == PRED_TYPED ? a->ptyped[a->verdict] :
				    demo_choice_text(p->choices[c].text), ans);
		const char *why = demo_predict_field(a->run, b, (size_t)a->verdict, "why");
		if (why)
			strbuf_addf(&sb, "\n%s", why);
		*attr_kind = c == PRED_SKIPPED ? 2 : a->verdict_right ? 1 : -1;
		return strbuf_take(&sb);
	}
	return NULL;
}

/* Draws text (lines separated by \n, each wrapped) from row y, at most rows rows; returns
 * the rows used. */
static int draw_wrapped(int y, int rows, const char *text, attr_t first, attr_t rest)
{
	int used = 0;
	const char *p = text;
	bool head = true;
	while (*p && used < rows) {
		size_t n = strcspn(p, "\n");
		char *part = xstrndup(p, n);
		char **nl;
		size_t nn = layout_wrap(part, COLS - 2, &nl);
		for (size_t i = 0; i < nn; i++) {
			if (used < rows) {
				move(y + used, 0);
				clrtoeol();
				ui_draw_text(y + used, 1, nl[i], strlen(nl[i]), COLS - 2, head ? first : rest);
				used++;
			}
			free(nl[i]);
		}
		free(nl);
		free(part);
		head = false;
		p += n;
		if (*p)
			p++;
	}
	return used;
}

/* The timeline (the actors' columns from row y0) and the kernel's side panel, down to row y1:
 * the demo screen's body, and the playground's. */
void ui_demo_body(app *a, int y0, int y1)
{
	const script *s = cur_script(a);
	int W = COLS;
	lab *lb = cur_lab(a);
	/* the tools' lines are long and ss shows the states: no panel with them */
	bool tools = a->code_mode == CODE_TOOLS;
	/* no panel without sockets either (a demo of library calls such as htons) */
	bool panel = W >= PANEL_MIN_SCREEN && !tools && s->nsocks;
	int L = panel ? W - PANEL_COLS - 1 : W;
	const run_event *last = last_snapshot(a, 0);

	if (!panel && !tools && last && last->nsocks) {
		/* instead of the panel, the states in a few lines: whole items, wrapped */
		strbuf sb = { 0 };
		int rows = 0, maxrows = (y1 - y0) / 3 > 0 ? (y1 - y0) / 3 : 1;
		for (size_t i = 0; i <= last->nsocks && rows < maxrows; i++) {
			char *item = i < last->nsocks ?
				xasprintf("%s %s", last->socks[i].name,
					  is_hidden(hidden_state(a), last->socks[i].name) ? "?" :
					  last->socks[i].state) : NULL;
			if (sb.len && (!item || (int)(sb.len + 2 + strlen(item)) > W)) {
				ui_draw_text(y0++, 0, sb.buf, sb.len, W, ui_attr(a, ATTR_HEADING));
				rows++;
				sb.len = 0;
			}
			if (item) {
				if (sb.len)
					strbuf_adds(&sb, "  ");
				strbuf_adds(&sb, item);
				free(item);
			}
		}
		strbuf_free(&sb);
	}

	/* the actors' header */
	tl t;
	build_timeline(a, &t, L);
	int hx = 0;
	if (tools) {
		const char *h = lb ? _("strace -f: the calls · ss -tuan: the sockets · tcpdump -n: the packets") :
				_("strace -f: the calls · ss -tuan: the sockets (packets: lab mode, l)");
		ui_draw_text(y0, 0, h, strlen(h), W, A_BOLD);
	}
	for (size_t i = 0; i < s->nactors && !tools; i++) {
		const char *name = s->actors[i];
		int bx = t.stagger ? hx : (int)i * t.colw;
		hx += text_width(name, strlen(name)) + 4;
		int blocked = run_blocked_step(a->run, (int)i);
		ui_draw_text(y0, bx, name, strlen(name), t.colw - 1, A_BOLD | A_UNDERLINE);
		if (blocked >= 0) {
			int nw = text_width(name, strlen(name));
			const char *g = ui_glyph(a, " ⏳", " ...");
			ui_draw_text(y0, bx + nw, g, strlen(g), t.colw - 1 - nw, ui_attr(a, ATTR_HEADING));
		}
	}
	int vis = y1 - y0;		/* timeline rows */
	if (vis < 1)
		vis = 1;
	size_t maxtop = t.n > (size_t)vis ? t.n - (size_t)vis : 0;
	if (a->tl_follow || a->tl_top > maxtop)
		a->tl_top = maxtop;
	for (int r = 0; r < vis; r++) {
		int y = y0 + 1 + r;
		for (size_t i = 1; i < s->nactors && !t.stagger; i++)
			ui_draw_text(y, (int)i * t.colw - 1, ui_glyph(a, "│", "|"), strlen(ui_glyph(a, "│", "|")), 1, A_DIM);
		size_t k = a->tl_top + (size_t)r;
		if (k >= t.n)
			continue;
		const tl_row *row = &t.rows[k];
		if (row->lane < 0)
			move(y, 0), clrtoeol();
		ui_draw_text(y, row->x, row->text, strlen(row->text), row->w, row->attr);
	}
	if (t.n == 0)
		ui_draw_text(y0 + 2, 1, _("(no call yet)"), strlen(_("(no call yet)")), L - 2, A_DIM);
	tl_free(&t);

	if (panel) {
		int px = L + 1;
		for (int y = y0; y <= y1; y++)
			ui_draw_text(y, L, ui_glyph(a, "║", "|"), strlen(ui_glyph(a, "║", "|")), 1, A_DIM);
		bool packets = lb && a->panel == 1;
		const char *pt = packets ? _("Packets (p: states)") : lb ? _("Kernel state (p: packets)") :
				 _("Kernel state (sock_diag)");
		ui_draw_text(y0, px, pt, strlen(pt), PANEL_COLS - 1, A_BOLD | A_UNDERLINE);
		int y = y0 + 1;
		int avail = y1 - y + 1;
		/* the wire's box at the bottom */
		int wire_rows = lb ? (lab_get_mode(lb) == LAB_FULL ? 2 + (int)lab_nheld(lb) : 3) : 0;
		if (wire_rows > 6)
			wire_rows = 6;
		if (wire_rows > avail / 2)
			wire_rows = avail / 2;
		if (wire_rows)
			draw_wire(a, y1 - wire_rows + 1, px, PANEL_COLS - 1, wire_rows);
		avail -= wire_rows ? wire_rows + 1 : 0;
		if (packets) {
			draw_packets(a, y, px, PANEL_COLS - 1, avail);
		} else {
			if (avail >= DIAGRAM_ROWS + 3) {
				draw_diagram(a, y, px, last);
				y += DIAGRAM_ROWS + 1;
				avail -= DIAGRAM_ROWS + 1;
			}
			draw_socks(a, y, px, PANEL_COLS - 1, avail, last, last_snapshot(a, 1));
		}
	} else if (lb && lab_get_mode(lb) == LAB_FULL && (lab_nheld(lb) || lab_holding(lb))) {
		/* no panel: the wire's state on the line above the status line */
		char *m = xasprintf(_("Wire: %zu packet(s) held; n delivers, x drops"), lab_nheld(lb));
		move(y1, 0);
		clrtoeol();
		ui_draw_text(y1, 0, m, strlen(m), W, ui_attr(a, ATTR_HEADING));
		free(m);
	}

}

static void demo_draw(app *a)
{
	const script *s = cur_script(a);
	const lesson_block *b = cur_block(a);
	const char *title = b ? lesson_block_narration(b, "title") : s->id;
	char *left = xasprintf("%s %s", _("Demo:"), title);
	size_t next = run_next_step(a->run);
	char *steps = a->auto_mode ? xasprintf(_("auto %d  step %zu/%zu"), AUTO_DEFAULT + a->speed + 1, next, s->nsteps)
				   : xasprintf(_("step %zu/%zu"), next, s->nsteps);
	lab *lb = cur_lab(a);
	char *right = lb ? xasprintf("%s  %s", lab_get_mode(lb) == LAB_FULL ? _("[packet lab]") :
				     _("[lab: capture]"), steps) : xstrdup(steps);
	free(steps);
	ui_draw_bar(0, left, right);
	free(left);
	free(right);

	int W = COLS, H = LINES;
	int nrows_narr = H >= 20 ? 3 : H >= 12 ? 2 : 1;
	int kind;
	char *ptext = prediction_text(a, &kind);
	if (ptext) {
		/* a question or a verdict: more room, in its own colours */
		int rows = H >= 20 ? 7 : H >= 12 ? 4 : 2;
		attr_t first = kind == 0 ? ui_attr(a, ATTR_QUESTION) : kind > 0 ? ui_attr(a, ATTR_ANSWER) :
			       kind < 0 ? ui_attr(a, ATTR_EMPH) : ui_attr(a, ATTR_HEADING);
		nrows_narr = draw_wrapped(1, rows, ptext, first | A_BOLD, ui_attr(a, ATTR_TEXT));
		free(ptext);
	} else {
		char **nl;
		size_t nn = layout_wrap(current_narration(a), W - 2, &nl);
		if ((int)nn < nrows_narr)
			nrows_narr = nn ? (int)nn : 1;
		for (size_t i = 0; i < nn; i++) {
			if ((int)i < nrows_narr)
				ui_draw_text(1 + (int)i, 1, nl[i], strlen(nl[i]), W - 2, ui_attr(a, ATTR_EMPH));
			free(nl[i]);
		}
		free(nl);
	}
	int y0 = 1 + nrows_narr;		/* the actors' header row */
	int y1 = H - 2;				/* last body row */

	ui_demo_body(a, y0, y1);

	static const key_action hints[] = { ACT_STEP, ACT_AUTO, ACT_CODE, ACT_RESTART, ACT_BACK, ACT_HELP, ACT_LANG, ACT_LAB, ACT_PLAYGROUND };
	static const key_action lab_hints[] = { ACT_STEP, ACT_WIRE_HOLD, ACT_WIRE_DELIVER, ACT_WIRE_DROP, ACT_PANEL, ACT_BACK, ACT_HELP, ACT_LANG, ACT_LAB };
	if (lb && lab_get_mode(lb) == LAB_FULL)
		ui_draw_status(a, lab_hints, ARRAY_SIZE(lab_hints), NULL);
	else
		ui_draw_status(a, hints, ARRAY_SIZE(hints), NULL);
}

/* ---- running ------------------------------------------------------------------------------- */

static void note_end(app *a)
{
	if (a->demo_done_noted || !run_finished(a->run))
		return;
	a->demo_done_noted = true;
	a->auto_mode = false;
	if (run_failures(a->run))
		ui_set_message(a, _("The demo is over, and some results differ from what the lesson expects (marked ✗). r runs it again."));
	else
		ui_set_message(a, _("The demo is over: every result as the lesson expects. r runs it again, q goes back."));
}

static void explain_wait(app *a)
{
	const script *s = cur_script(a);
	size_t next = run_next_step(a->run);
	if (next >= s->nsteps)
		return;
	const script_step *st = &s->steps[next];
	int b = run_blocked_step(a->run, st->actor);
	if (st->actor >= 0 && b >= 0) {
		char *m = xasprintf(_("%s is still blocked (%s); its next call must wait until that returns."),
				    s->actors[st->actor], waiting_for(&s->steps[b]));
		ui_set_message(a, m);
		free(m);
	} else {
		ui_set_message(a, _("Waiting for the kernel..."));
	}
}

/* True when the next step has a prediction not yet asked: it is asked now (auto mode
 * stops: no step runs before the student has answered). */
static void predicted(app *a, int choice);

static bool ask_first(app *a)
{
	const script *s = cur_script(a);
	size_t next = run_next_step(a->run);
	if (next >= s->nsteps || s->steps[next].predict < 0 ||
	    a->pchoice[s->steps[next].predict] != PRED_UNASKED)
		return false;
	/* a step that must wait for a blocked actor is asked when it can run */
	const script_step *st = &s->steps[next];
	if (st->actor >= 0 && run_blocked_step(a->run, st->actor) >= 0)
		return false;
	a->ask = st->predict;
	a->ask_hint = false;
	a->typed[0] = '\0';
	a->auto_mode = false;
	a->verdict = -1;
	return true;
}

/* Presenting: a bind that could not have its fixed port says so, once per run. */
static void say_port_moved(app *a)
{
	int want, got;
	if (!a->present || !run_port_moved(a->run, &want, &got) || want == a->port_said)
		return;
	a->port_said = want;
	char *m = got ? xasprintf(_("Port %d is in use (EADDRINUSE), so this bind() took port %d instead."), want, got)
		      : xasprintf(_("Ports %d to %d are all in use, so this bind() let the kernel pick a port."), want, want + 15);
	ui_set_message(a, m);
	free(m);
}

static void step(app *a)
{
	if (a->ask >= 0) {
		ui_set_message(a, cur_script(a)->predicts[a->ask].nchoices ?
			       _("First your prediction: a number key, or s to skip.") :
			       _("First your prediction: type it and press Enter, or Esc to skip."));
		return;
	}
	a->verdict = -1;
	if (ask_first(a))
		return;
	int r = run_step(a->run);
	judge(a);
	a->tl_follow = true;
	if (r == 0)
		explain_wait(a);
	say_port_moved(a);
	if (r < 0)
		a->demo_done_noted = false;	/* say again that it is over */
	note_end(a);
}

/* "Packet lab unavailable: ... An administrator can ..." for the status line. */
static void say_lab_problem(app *a, bool needed)
{
	const lab_status *st = &a->lab_st;
	char *what = demo_lab_problem(st, " ");
	char *m = xasprintf("%s %s",
			    needed ? _("This demo needs the packet lab's wire.") :
			    st->mode == LAB_CAPTURE ? _("Packet lab: capture only.") :
			    _("No packet lab; the demo runs on loopback."),
			    what);
	ui_set_message(a, m);
	free(m);
	free(what);
}

bool ui_demo_openable(app *a, size_t d)
{
	if (catalog_demo_ready(a->cat, d))
		return true;
	ui_set_message(a, _("The demo's file has errors now; socktutor --check-lessons lists them."));
	return false;
}

void ui_open_demo(app *a, size_t d)
{
	run_free(a->run);
	a->run = NULL;
	free_predictions(a);
	a->demo = d;
	const script *s = catalog_demo(a->cat, d);
	if ((a->lab_on || s->needs_lab) && !a->lab_tried) {
		a->lab = lab_open(&a->lab_st);
		a->lab_tried = true;
		if (a->lab_st.mode != LAB_FULL && !s->needs_lab)
			say_lab_problem(a, false);
	}
	if (!a->lab)
		a->lab_on = false;
	if (s->needs_lab && a->lab_st.mode != LAB_FULL)
		say_lab_problem(a, true);
	lab *l = a->lab && (a->lab_on || s->needs_lab) ? a->lab : NULL;
	a->run = run_new_lab(s, l);
	if (a->present)
		run_set_port_base(a->run, a->port_base);
	a->port_said = 0;
	reset_predictions(a);
	if (l && a->wire_hold)
		run_wire(a->run, SW_HOLD, 0);
	else if (l && a->wire_slow)
		run_wire(a->run, SW_PASS, a->wire_slow);
	a->scr = &ui_demo_screen;
	a->auto_mode = false;
	a->tl_top = 0;
	a->tl_follow = true;
	a->demo_done_noted = false;
}

/* The place to come back to after the terminal is closed: this demo, at this step. */
static void note_place(app *a)
{
	if (a->scr != &ui_demo_screen)
		return;
	const lesson_block *b = cur_block(a);
	progress_set_demo(a->prog, b ? b->id : cur_script(a)->id, run_next_step(a->run));
}

void ui_open_demo_at(app *a, size_t d, size_t steps)
{
	ui_open_demo(a, d);
	const script *s = cur_script(a);
	if (steps > s->nsteps)
		steps = s->nsteps;
	for (size_t i = 0; i < steps; i++)
		if (s->steps[i].predict >= 0)
			a->pchoice[s->steps[i].predict] = PRED_SKIPPED;	/* answered before */
	run_until(a->run, steps, NULL, NULL);
	judge(a);
	a->verdict = -1;
	a->tl_follow = true;
	note_end(a);
	note_place(a);
}

void ui_close_demo(app *a)
{
	progress_set_demo(a->prog, NULL, 0);
	free_predictions(a);
	run_free(a->run);
	a->run = NULL;
	a->auto_mode = false;
	a->scr = &ui_pager_screen;
	ui_pager_screen.resize(a);
}

/* The wire keys; the run records each as an EV_WIRE event. */
static void wire_key(app *a, key_action act)
{
	lab *l = cur_lab(a);
	if (!l || lab_get_mode(l) != LAB_FULL) {
		ui_set_message(a, l ? _("In capture-only mode the wire cannot be controlled.") :
			       _("These keys control the packet lab's wire: press l to run the demo in the lab."));
		return;
	}
	a->tl_follow = true;
	switch (act) {
	case ACT_WIRE_HOLD:
		a->wire_hold = !a->wire_hold;
		run_wire(a->run, a->wire_hold ? SW_HOLD : SW_PASS, a->wire_slow);
		break;
	case ACT_WIRE_DELIVER:
		if (!run_wire(a->run, SW_DELIVER, 0))
			ui_set_message(a, a->wire_hold ? _("No packet is on the wire right now.") :
				       _("Nothing is held: press h to hold packets, then n delivers them one by one."));
		break;
	case ACT_WIRE_DROP: run_wire(a->run, SW_DROP, 0); break;
	case ACT_WIRE_DUP: run_wire(a->run, SW_DUPLICATE, 0); break;
	case ACT_WIRE_SWAP: run_wire(a->run, SW_SWAP, 0); break;
	case ACT_WIRE_DELAY: run_wire(a->run, SW_DELAY, 500); break;
	case ACT_WIRE_SLOW:
		a->wire_slow = a->wire_slow == 0 ? 500 : a->wire_slow == 500 ? 2000 : 0;
		if (!a->wire_hold)
			run_wire(a->run, SW_PASS, a->wire_slow);
		break;
	default:
		break;
	}
}

bool ui_demo_scroll(app *a, key_action act)
{
	switch (act) {
	case ACT_UP:
		a->tl_follow = false;
		if (a->tl_top > 0)
			a->tl_top--;
		return true;
	case ACT_DOWN:
		a->tl_top++;
		return true;
	case ACT_PAGE_UP:
		a->tl_follow = false;
		a->tl_top = a->tl_top > 10 ? a->tl_top - 10 : 0;
		return true;
	case ACT_PAGE_DOWN:
		a->tl_top += 10;
		return true;
	case ACT_TOP:
		a->tl_follow = false;
		a->tl_top = 0;
		return true;
	case ACT_BOTTOM:
		a->tl_follow = true;
		return true;
	default:
		return false;
	}
}

static int demo_key(app *a, key_action act, int key)
{
	(void)key;
	switch (act) {
	case ACT_STEP:
		step(a);
		break;
	case ACT_ANSWER: {
		size_t n = a->ask >= 0 ? cur_script(a)->predicts[a->ask].nchoices : 0;
		if (a->ask < 0)
			ui_set_message(a, _("Nothing to predict right now: Space runs the next step."));
		else if ((size_t)(key - '1') >= n)
			ui_set_message(a, _("This question has fewer choices."));
		else
			predicted(a, key - '1');
		break;
	}
	case ACT_HINT:
		if (a->ask >= 0 && demo_predict_field(a->run, cur_block(a), (size_t)a->ask, "hint"))
			a->ask_hint = true;
		else
			ui_set_message(a, _("There is no hint here."));
		break;
	case ACT_SKIP:
		if (a->ask >= 0)
			predicted(a, PRED_SKIPPED);
		break;
	case ACT_AUTO:
		if (a->present) {
			ui_set_message(a, _("Presenter mode: a step runs only when you press a key (Space)."));
			break;
		}
		if (!a->auto_mode && run_finished(a->run))
			ui_open_demo(a, a->demo);	/* auto mode on a finished demo: again */
		a->auto_mode = !a->auto_mode;
		a->auto_due = run_clock_ms();
		break;
	case ACT_FASTER:
		if (AUTO_DEFAULT + a->speed + 1 < (int)ARRAY_SIZE(auto_delays))
			a->speed++;
		break;
	case ACT_SLOWER:
		if (AUTO_DEFAULT + a->speed > 0)
			a->speed--;
		break;
	case ACT_RESTART:
		ui_open_demo(a, a->demo);
		ui_set_message(a, _("Restarted: new sockets; the kernel may pick other ports."));
		break;
	case ACT_CODE:
		a->code_mode = (a->code_mode + 1) % CODE_MODES;
		ui_set_message(a, a->code_mode == CODE_BOTH ? _("Calls in C, and the Python line that makes each") :
			       a->code_mode == CODE_C ? _("Calls in C") :
			       a->code_mode == CODE_PY ? _("Calls in Python") :
			       _("Calls as strace shows them, sockets as ss, packets as tcpdump"));
		break;
	case ACT_LAB:
		a->lab_on = !a->lab_on;
		ui_open_demo(a, a->demo);
		if (a->lab_on && a->lab)
			ui_set_message(a, lab_get_mode(a->lab) == LAB_FULL ?
				       _("Packet lab on: the demo restarts in private namespaces, with a wire you control (h holds packets, n delivers, x drops).") :
				       _("Packet lab on (capture only): every packet is shown."));
		else if (!a->lab_on && !a->message)
			ui_set_message(a, _("Packet lab off: the demo restarts on loopback."));
		break;
	case ACT_PANEL:
		a->panel = !a->panel;
		break;
	case ACT_WIRE_HOLD:
	case ACT_WIRE_DELIVER:
	case ACT_WIRE_DROP:
	case ACT_WIRE_DUP:
	case ACT_WIRE_SWAP:
	case ACT_WIRE_DELAY:
	case ACT_WIRE_SLOW:
		wire_key(a, act);
		break;
	case ACT_EXPORT: {
		const lesson_block *b = cur_block(a);
		const char *title = b ? lesson_block_narration(b, "title") : NULL;
		char *md = demo_transcript(a->run, b, title ? title : cur_script(a)->id);
		char *base = xasprintf("socktutor-%s", cur_script(a)->id);
		char *path = write_new_file(base, ".md", md, strlen(md), 1);
		char *m = path ? xasprintf(_("Transcript saved as %s."), path) :
			  xasprintf(_("Cannot write the transcript: %s"), strerror(errno));
		ui_set_message(a, m);
		free(m);
		free(path);
		free(base);
		free(md);
		break;
	}
	case ACT_PLAYGROUND: {
		const script *s = cur_script(a);
		lab *l = cur_lab(a);
		if (s->needs_lab && (!l || lab_get_mode(l) != LAB_FULL)) {
			ui_set_message(a, _("This demo needs the packet lab's wire."));
			break;
		}
		char *err = NULL;
		playground *g = pg_load(s->file, l, &err);
		if (!g) {
			ui_set_message(a, err);
			free(err);
			break;
		}
		ui_open_playground(a, g);
		ui_set_message(a, _("The demo's lines ran again on new sockets; go on typing your own."));
		break;
	}
	case ACT_BACK:
		ui_close_demo(a);
		break;
	default:
		if (!ui_demo_scroll(a, act))
			return 0;
	}
	note_place(a);
	return UI_HANDLED | UI_REDRAW;
}

static void demo_resize(app *a)
{
	(void)a;
}

static size_t demo_pollfds(app *a, struct pollfd *fds, size_t max, int *timeout_ms)
{
	size_t n = run_pollfds(a->run, fds, max, timeout_ms);
	if (a->auto_mode) {
		double due = a->auto_due - run_clock_ms();
		int t = due <= 0 ? 0 : (int)due + 1;
		if (*timeout_ms < 0 || t < *timeout_ms)
			*timeout_ms = t;
	}
	return n;
}

static bool demo_wake(app *a)
{
	size_t before = run_nevents(a->run);
	run_progress(a->run);
	if (a->auto_mode && run_clock_ms() >= a->auto_due && !ask_first(a)) {
		int r = run_step(a->run);
		a->tl_follow = true;
		a->auto_due = run_clock_ms() + (r == 0 ? 50 : auto_delays[AUTO_DEFAULT + a->speed]);
		if (r < 0 && run_finished(a->run))
			a->auto_mode = false;
	}
	judge(a);
	note_end(a);
	note_place(a);
	return run_nevents(a->run) != before || !a->auto_mode;
}

/* The student's prediction: record it and run the step. */
static void predicted(app *a, int choice)
{
	int p = a->ask;
	a->pchoice[p] = choice;
	if (choice == PRED_TYPED)
		a->ptyped[p] = xstrdup(a->typed);
	a->ask = -1;
	step(a);
}

static bool demo_input(app *a, int key)
{
	if (a->ask < 0 || cur_script(a)->predicts[a->ask].nchoices)
		return false;
	size_t n = strlen(a->typed);
	if (key == KEYC_ENTER) {
		if (n)
			predicted(a, PRED_TYPED);
		else
			ui_set_message(a, _("Type your prediction first (Esc skips it)."));
	} else if (key == KEYC_ESC) {
		predicted(a, PRED_SKIPPED);
	} else if (key == KEYC_TAB) {
		a->ask_hint = true;
	} else {
		return ui_line_edit(a->typed, sizeof a->typed, key, true);
	}
	return true;
}

const screen ui_demo_screen = {
	.name = "demo",
	.id = SCR_DEMO,
	.draw = demo_draw,
	.key = demo_key,
	.resize = demo_resize,
	.pollfds = demo_pollfds,
	.wake = demo_wake,
	.input = demo_input,
};
