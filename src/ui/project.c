/* The project screen: a project server (net/project.h) serving clients the student runs in
 * another terminal. On top, how to connect; below, every call the server makes, newest at
 * the bottom, as it happens; on the right (or in a line when narrow), the kernel's sockets on
 * the port, the client's included. */
#include "config.h"

#include "ui.h"
#include "core/text.h"
#include "core/util.h"
#include "net/projtext.h"

#include <stdlib.h>
#include <string.h>

#define PJ_PANEL_COLS 34
#define PJ_PANEL_MIN_SCREEN 90

typedef struct pj_row {
	char *text;
	attr_t attr;
} pj_row;

typedef struct pj_rows {
	pj_row *r;
	size_t n, cap;
} pj_rows;

static void add_row(pj_rows *t, const char *s, attr_t attr, int width, int indent)
{
	char **lines;
	size_t n = layout_wrap(s, width - indent > 8 ? width - indent : 8, &lines);
	for (size_t i = 0; i < n; i++) {
		grow_array((void **)&t->r, &t->cap, t->n, sizeof *t->r);
		t->r[t->n].text = xasprintf("%*s%s", indent, "", lines[i]);
		t->r[t->n++].attr = attr;
		free(lines[i]);
	}
	free(lines);
}

/* Appends src's rows to dst; src is left empty. */
static void move_rows(pj_rows *dst, pj_rows *src)
{
	for (size_t i = 0; i < src->n; i++) {
		grow_array((void **)&dst->r, &dst->cap, dst->n, sizeof *dst->r);
		dst->r[dst->n++] = src->r[i];
	}
	free(src->r);
	*src = (pj_rows){ 0 };
}

static void free_rows(pj_rows *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->r[i].text);
	free(t->r);
}

static void event_rows(const app *a, pj_rows *t, const project_event *ev, int width)
{
	char whob[48];
	const char *who = project_actor(ev, whob, sizeof whob);
	attr_t code = ui_attr(a, ATTR_CODEBLOCK);
	char *line = a->pj_py ? xasprintf("[%s] %s%s%s", who, ev->py, ev->py_ret ? "  → " : "",
					  ev->py_ret ? ev->py_ret : "") :
				xasprintf("[%s] %s %s", who, ev->c, ev->c_ret ? ev->c_ret : "");
	add_row(t, line, ev->kind == PE_ERROR ? (a->color ? COLOR_PAIR(PAIR_WARN) | A_BOLD : A_BOLD) :
		ev->kind == PE_POLL ? A_DIM : code, width, 0);
	free(line);
	char *sum = project_event_summary(ev);
	if (sum && ev->kind != PE_POLL)
		add_row(t, sum, ui_attr(a, ATTR_HEADING), width, 2);
	free(sum);
	char **bl;
	size_t nb = project_bytes_lines(ev, 24, &bl);
	for (size_t i = 0; i < nb; i++) {
		add_row(t, bl[i], i ? A_NORMAL : A_DIM, width, 2);
		free(bl[i]);
	}
	free(bl);
}

static void project_draw(app *a)
{
	project *p = a->proj;
	char *title = xasprintf("%s — %s:%u", project_title(project_get_kind(p)), project_host(p),
				project_port(p));
	char *right = project_get_kind(p) == PROJECT_CLIENT ?
		xstrdup(project_connected(p) ? _("connected") : _("not connected")) :
		project_get_kind(p) == PROJECT_UDPCHAT ? xstrdup("UDP") :
		xasprintf(_("clients: %zu now, %zu in all"), project_clients(p), project_clients_total(p));
	ui_draw_bar(0, title, right);
	free(title);
	free(right);
	int W = COLS, y = 1;
	bool panel = W >= PJ_PANEL_MIN_SCREEN;
	int L = panel ? W - PJ_PANEL_COLS - 1 : W;

	/* how to connect */
	pj_rows head = { 0 };
	if (project_moved(p)) {
		char *m = xasprintf(_("Port %u was taken, so the server took the next free one: %u."),
				    project_asked_port(p), project_port(p));
		add_row(&head, m, a->color ? COLOR_PAIR(PAIR_WARN) : A_BOLD, W - 1, 1);
		free(m);
	}
	project_kind k = project_get_kind(p);
	bool input = project_takes_input(k);
	char **cl;
	size_t ncl = project_client_lines(p, &cl);
	char *m = xasprintf("%s  %s   %s", k == PROJECT_CLIENT ? _("Your server, for example:") :
			    _("From another terminal:"), cl[0], cl[1]);
	add_row(&head, m, A_BOLD, W - 1, 1);
	free(m);
	if (k == PROJECT_FILES) {
		char **names;
		size_t nn = project_sandbox_files(p, &names);
		strbuf sb = { 0 };
		strbuf_addf(&sb, _("Files only from the sandbox %s:"), project_sandbox(p));
		for (size_t i = 0; i < nn; i++)
			strbuf_addf(&sb, " %s", names[i]);
		add_row(&head, sb.buf, A_NORMAL, W - 1, 1);
		strbuf_free(&sb);
	}
	for (size_t i = 0; i < head.n && y < LINES - 3; i++)
		ui_draw_text(y++, 0, head.r[i].text, strlen(head.r[i].text), W, head.r[i].attr);
	free_rows(&head);
	attrset(ui_attr(a, ATTR_MARK));
	mvhline(y++, 0, a->utf8 ? ACS_HLINE : '-', W);
	attrset(A_NORMAL);

	/* the calls */
	int top = y, bottom = LINES - 2 - (input ? 1 : 0);
	const project_event *last = project_nevents(p) ? project_event_at(p, project_nevents(p) - 1) : NULL;
	pj_rows tail = { 0 };
	bool idle = k == PROJECT_CLIENT ? !project_connected(p) :
		    k == PROJECT_UDPCHAT ? project_nevents(p) <= 2 : !project_clients_total(p);
	if (idle) {
		add_row(&tail, "", A_NORMAL, L, 0);
		add_row(&tail, k == PROJECT_CLIENT ?
			_("Not connected. Start your server (a server in Python below), type its port and press Enter:") :
			k == PROJECT_UDPCHAT ?
			_("Nothing has arrived yet: poll() waits. The other endpoint in Python:") :
			_("Nobody has connected yet: poll() waits. A client in Python:"),
			ui_attr(a, ATTR_HEADING), L, 0);
		for (size_t i = 2; i < ncl; i++)
			add_row(&tail, cl[i], ui_attr(a, ATTR_CODEBLOCK), L, 2);
	}
	for (size_t i = 0; i < ncl; i++)
		free(cl[i]);
	free(cl);
	size_t rows = bottom > top ? (size_t)(bottom - top) : 0;
	/* a long-running server has many events: lay out only the newest ones the view needs */
	pj_rows *blocks = NULL;
	size_t nblocks = 0, bcap = 0, have = tail.n;
	for (size_t i = project_nevents(p); i-- > 0 && have < rows + a->pj_back;) {
		grow_array((void **)&blocks, &bcap, nblocks, sizeof *blocks);
		blocks[nblocks] = (pj_rows){ 0 };
		event_rows(a, &blocks[nblocks], project_event_at(p, i), L);
		have += blocks[nblocks++].n;
	}
	pj_rows log = { 0 };
	for (size_t b = nblocks; b-- > 0;)
		move_rows(&log, &blocks[b]);
	move_rows(&log, &tail);
	free(blocks);
	size_t maxback = log.n > rows ? log.n - rows : 0;
	if (a->pj_back > maxback)
		a->pj_back = maxback;
	size_t first = log.n > rows ? log.n - rows - a->pj_back : 0;
	for (size_t i = 0; i < rows && first + i < log.n; i++)
		ui_draw_text(top + (int)i, 0, log.r[first + i].text, strlen(log.r[first + i].text), L,
			     log.r[first + i].attr);
	free_rows(&log);

	/* the kernel's sockets on the port */
	if (last && last->nsocks) {
		pj_rows st = { 0 };
		for (size_t i = 0; i < last->nsocks; i++) {
			char *label = project_sock_label(k, &last->socks[i]);
			char *s = xasprintf("%s %s", label, observe_entry_state_name(&last->socks[i].e));
			add_row(&st, s, A_NORMAL, panel ? PJ_PANEL_COLS - 1 : W, panel ? 1 : 0);
			free(s);
			free(label);
		}
		if (panel) {
			attrset(ui_attr(a, ATTR_MARK));
			mvvline(top, L, a->utf8 ? ACS_VLINE : '|', LINES - 2 - top);
			attrset(A_NORMAL);
			char *h = xasprintf(_("Sockets on port %u"), project_port(p));
			ui_draw_text(top, L + 2, h, strlen(h), PJ_PANEL_COLS - 2, ui_attr(a, ATTR_HEADING));
			free(h);
			for (size_t i = 0; i < st.n && top + 1 + (int)i < LINES - 2; i++)
				ui_draw_text(top + 1 + (int)i, L + 1, st.r[i].text, strlen(st.r[i].text),
					     PJ_PANEL_COLS - 1, A_NORMAL);
		} else {
			strbuf sb = { 0 };
			for (size_t i = 0; i < st.n; i++)
				strbuf_addf(&sb, "%s%s", i ? " · " : "", st.r[i].text);
			ui_draw_text(bottom, 0, sb.buf, sb.len, W, ui_attr(a, ATTR_HEADING));
			strbuf_free(&sb);
		}
		free_rows(&st);
	}
	if (input) {
		/* the line being typed; keys that type cannot be commands here */
		const char *prompt = k == PROJECT_CLIENT && !project_connected(p) ? _("port> ") :
				     _("send> ");
		char *ln = xasprintf("%s%s_", prompt, a->pj_line);
		int lw = text_width(ln, strlen(ln));
		const char *shown = ln;
		while (lw > W - 1 && *shown) {	/* keep the end in view */
			uint32_t cp;
			size_t l = text_decode(shown, strlen(shown), &cp);
			shown += l ? l : 1;
			lw = text_width(shown, strlen(shown));
		}
		move(LINES - 2, 0);
		clrtoeol();
		ui_draw_text(LINES - 2, 0, shown, strlen(shown), W, A_BOLD);
		free(ln);
		ui_draw_status(a, NULL, 0, _("Enter sends · Tab C/Python · Esc stops · F1 help · F2 language"));
		return;
	}
	static const key_action hints[] = { ACT_BACK, ACT_CODE, ACT_PROJECT, ACT_HELP, ACT_LANG };
	ui_draw_status(a, hints, ARRAY_SIZE(hints), a->pj_back ? _("scrolled back: End") : NULL);
}

static void close_project(app *a)
{
	project_close(a->proj);
	a->proj = NULL;
}

bool ui_open_project(app *a, project_kind k)
{
	char *err = NULL;
	project *p = project_open(k, a->pj_host ? a->pj_host : "127.0.0.1",
				  a->pj_port < 0 ? project_default_port(k) : (unsigned)a->pj_port, &err);
	if (!p) {
		char *m = xasprintf(_("The %s project cannot listen: %s"), project_name(k), err);
		ui_set_message(a, m);
		free(m);
		free(err);
		return false;
	}
	if (a->scr != &ui_project_screen)
		a->pj_prev = a->scr;
	close_project(a);
	a->proj = p;
	a->pj_back = 0;
	a->pj_line[0] = '\0';
	a->scr = &ui_project_screen;
	return true;
}

static int project_key(app *a, key_action act, int key)
{
	(void)key;
	switch (act) {
	case ACT_UP:
		a->pj_back++;
		break;
	case ACT_DOWN:
		if (a->pj_back)
			a->pj_back--;
		break;
	case ACT_PAGE_UP:
		a->pj_back += (size_t)(LINES > 8 ? LINES - 8 : 1);
		break;
	case ACT_PAGE_DOWN: {
		size_t n = (size_t)(LINES > 8 ? LINES - 8 : 1);
		a->pj_back = a->pj_back > n ? a->pj_back - n : 0;
		break;
	}
	case ACT_TOP:
		a->pj_back = (size_t)-1 / 2;	/* clamped when drawn */
		break;
	case ACT_BOTTOM:
		a->pj_back = 0;
		break;
	case ACT_CODE:
		a->pj_py = !a->pj_py;
		ui_set_message(a, a->pj_py ? _("Showing the calls in Python") : _("Showing the calls in C"));
		break;
	case ACT_PROJECT: {
		project_kind next = (project_kind)((project_get_kind(a->proj) + 1) % PROJECT_COUNT);
		ui_open_project(a, next);
		break;
	}
	case ACT_BACK:
		close_project(a);
		if (!a->pj_prev)
			return UI_QUIT;
		a->scr = a->pj_prev;
		if (a->scr->resize)
			a->scr->resize(a);
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

/* Enter: the typed line goes out (with its newline); for the client before it is
 * connected, the line is the port of the student's server. */
static void send_line(app *a)
{
	project *p = a->proj;
	if (project_get_kind(p) == PROJECT_CLIENT && !project_connected(p)) {
		char *end;
		long port = strtol(a->pj_line, &end, 10);
		if (end == a->pj_line || *end || port < 1 || port > 65535) {
			ui_set_message(a, _("Type the port your server listens on (1-65535), then Enter."));
			return;
		}
		project_connect(p, (unsigned)port);
	} else {
		size_t n = strlen(a->pj_line);
		char *d = xasprintf("%s\n", a->pj_line);
		if (!project_say(p, d, n + 1))
			ui_set_message(a, _("Nobody to send to yet: no client is connected."));
		free(d);
	}
	a->pj_line[0] = '\0';
	a->pj_back = 0;
}

static bool project_input(app *a, int key)
{
	if (!a->proj || !project_takes_input(project_get_kind(a->proj)))
		return false;
	if (key == KEYC_ENTER)
		send_line(a);
	else if (key == KEYC_TAB)
		a->pj_py = !a->pj_py;
	else
		return ui_line_edit(a->pj_line, sizeof a->pj_line, key, false);
	return true;
}

static void project_resize(app *a)
{
	(void)a;
}

static size_t project_fds(app *a, struct pollfd *fds, size_t max, int *timeout_ms)
{
	(void)timeout_ms;
	return a->proj ? project_pollfds(a->proj, fds, max) : 0;
}

static bool project_wake(app *a)
{
	return a->proj && project_progress(a->proj) > 0;
}

const screen ui_project_screen = {
	.name = "project",
	.id = SCR_PROJECT,
	.draw = project_draw,
	.key = project_key,
	.resize = project_resize,
	.pollfds = project_fds,
	.wake = project_wake,
	.input = project_input,
};
