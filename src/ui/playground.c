/* The playground screen: a line to type script lines on, the demo screen's timeline and
 * kernel panel above it (src/net/playground.h does the work). */
#include "config.h"

#include "ui.h"
#include "core/i18n.h"
#include "core/text.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

static void set_note(app *a, char *note, bool bad)
{
	free(a->pg_note);
	a->pg_note = note;
	a->pg_note_bad = bad;
}

static void clear_choices(app *a)
{
	free(a->pg_choices);
	a->pg_choices = NULL;
}

/* Rows above the timeline for the note, the choices or the hint. */
static int note_rows(void)
{
	return LINES >= 20 ? 3 : LINES >= 12 ? 2 : 1;
}

/* What the area above the timeline says: a refusal or a saved file, the completions, the
 * call being typed, or how to begin. */
static char *note_text(const app *a, attr_t *attr)
{
	*attr = ui_attr(a, ATTR_EMPH);
	if (a->pg_note) {
		*attr = a->pg_note_bad ? (a->color ? COLOR_PAIR(PAIR_WARN) | A_BOLD : A_BOLD) : ui_attr(a, ATTR_ANSWER);
		return xstrdup(a->pg_note);
	}
	if (a->pg_choices)
		return xasprintf("%s %s", _("Choices (type more, then Tab):"), a->pg_choices);
	const pg_hint *h = pg_hint_for(a->pg_line);
	if (h && *h->python)
		return xasprintf("%s   Python: %s   — %s", h->usage, h->python, h->what);
	if (h)
		return xasprintf("%s   — %s", h->usage, h->what);
	if (!pg_nlines(a->pg))
		return xasprintf(_("Type a call and press Enter, as in: %s  (Tab completes; 'help' lists the commands)"),
				 "server: l = socket(AF_INET, SOCK_STREAM)");
	return xstrdup(_("Each line runs at once on the real kernel. Tab completes, ↑ recalls a line, F6 saves the session as a script."));
}

static void playground_draw(app *a)
{
	int W = COLS, H = LINES;
	const script *s = pg_script(a->pg);
	char *left = xasprintf("%s", _("Playground"));
	char *nlines = xasprintf(ngettext("%zu line", "%zu lines", pg_nlines(a->pg)), pg_nlines(a->pg));
	char *right = xasprintf(ngettext("%s, %zu call", "%s, %zu calls", s->nsteps), nlines, s->nsteps);
	free(nlines);
	lab *lb = run_lab(a->run);
	if (lb) {
		char *r2 = xasprintf("%s  %s", lab_get_mode(lb) == LAB_FULL ? _("[packet lab]") :
				     _("[lab: capture]"), right);
		free(right);
		right = r2;
	}
	ui_draw_bar(0, left, right);
	free(left);
	free(right);

	attr_t attr;
	char *note = note_text(a, &attr);
	char **nl;
	size_t nn = layout_wrap(note, W - 2, &nl);
	int rows = note_rows();
	for (size_t i = 0; i < nn; i++) {
		if ((int)i < rows)
			ui_draw_text(1 + (int)i, 1, nl[i], strlen(nl[i]), W - 2, attr);
		free(nl[i]);
	}
	free(nl);
	free(note);

	int y0 = 1 + rows, y1 = H - 3;
	if (y1 < y0)
		y1 = y0;
	ui_demo_body(a, y0, y1);

	/* the input line: the prompt, the end of what is typed, a cursor */
	int row = H - 2;
	move(row, 0);
	clrtoeol();
	const char *prompt = "> ";
	ui_draw_text(row, 0, prompt, strlen(prompt), W, A_BOLD);
	const char *t = a->pg_line;
	int avail = W - 3;
	while (text_width(t, strlen(t)) > avail - 1 && *t) {
		t++;
		while (((unsigned char)*t & 0xc0) == 0x80)
			t++;
	}
	int used = ui_draw_text(row, 2, t, strlen(t), avail, A_NORMAL);
	ui_draw_text(row, 2 + used, " ", 1, 1, A_REVERSE);

	static const key_action hints[] = { ACT_RUN, ACT_COMPLETE, ACT_HELP, ACT_SAVE, ACT_RESTART, ACT_CODE, ACT_BACK, ACT_HISTORY, ACT_LANG };
	ui_draw_status(a, hints, ARRAY_SIZE(hints), NULL);
}

static void leave(app *a)
{
	a->run = NULL;		/* the session's */
	if (a->pg_prev) {
		pg_free(a->pg);
		a->pg = NULL;
		a->scr = a->pg_prev;
		a->scr->resize(a);
	}
}

static void remember(app *a, const char *line)
{
	if (!*line || (a->pg_nhist && strcmp(a->pg_hist[a->pg_nhist - 1], line) == 0))
		return;
	a->pg_hist = xrealloc(a->pg_hist, (a->pg_nhist + 1) * sizeof *a->pg_hist);
	a->pg_hist[a->pg_nhist++] = xstrdup(line);
}

/* Runs a line (typed, or the command an F-key stands for) and shows what came of it. */
static pg_result command(app *a, const char *line)
{
	char *msg = NULL;
	clear_choices(a);
	set_note(a, NULL, false);
	pg_result r = pg_submit(a->pg, line, &msg);
	a->run = pg_run(a->pg);		/* restart and clear make a new run */
	a->tl_follow = true;
	switch (r) {
	case PG_REFUSED:
		set_note(a, msg, true);
		msg = NULL;
		break;
	case PG_SAVED:
		set_note(a, xasprintf(_("Saved as %s. Open it again with: socktutor --playground %s"), msg, msg), false);
		break;
	case PG_EXPORTED:
		set_note(a, xasprintf(_("Transcript saved as %s."), msg), false);
		break;
	case PG_RESTARTED:
		ui_set_message(a, _("The same lines again, on new sockets: the kernel may pick other ports."));
		break;
	case PG_CLEARED:
		ui_set_message(a, _("An empty session: every socket was closed."));
		break;
	case PG_HELP:
		set_note(a, pg_help_text(), false);
		break;
	default:
		break;
	}
	free(msg);
	return r;
}

/* Runs the typed line; true when it was 'quit'. A refused line stays for editing. */
static bool submit(app *a)
{
	remember(a, a->pg_line);
	a->pg_hpos = a->pg_nhist;
	pg_result r = command(a, a->pg_line);
	if (r != PG_REFUSED)
		a->pg_line[0] = '\0';
	return r == PG_QUIT;
}

static void complete(app *a)
{
	size_t ws;
	char **c;
	size_t n = pg_complete(a->pg, a->pg_line, &ws, &c);
	if (n == 0) {
		clear_choices(a);
		ui_set_message(a, _("Nothing to complete here."));
	} else {
		char *common = pg_common_prefix(c, n);
		size_t had = strlen(a->pg_line) - ws;
		if (strlen(common) > had || n == 1) {
			if (ws + strlen(common) < sizeof a->pg_line)
				strcpy(a->pg_line + ws, common);
			clear_choices(a);
		} else {
			strbuf sb = { 0 };
			for (size_t i = 0; i < n; i++) {
				if (i)
					strbuf_adds(&sb, "  ");
				strbuf_adds(&sb, c[i]);
			}
			clear_choices(a);
			a->pg_choices = strbuf_take(&sb);
		}
		free(common);
	}
	for (size_t i = 0; i < n; i++)
		free(c[i]);
	free(c);
}

static void history(app *a, int dir)
{
	if (!a->pg_nhist)
		return;
	if (a->pg_hpos == a->pg_nhist) {
		free(a->pg_draft);
		a->pg_draft = xstrdup(a->pg_line);
	}
	if (dir < 0 && a->pg_hpos > 0)
		a->pg_hpos--;
	else if (dir > 0 && a->pg_hpos < a->pg_nhist)
		a->pg_hpos++;
	const char *t = a->pg_hpos < a->pg_nhist ? a->pg_hist[a->pg_hpos] :
			a->pg_draft ? a->pg_draft : "";
	snprintf(a->pg_line, sizeof a->pg_line, "%s", t);
}

static bool playground_input(app *a, int key)
{
	switch (key) {
	case KEYC_TAB:
		complete(a);
		return true;
	case KEYC_UP:
		history(a, -1);
		return true;
	case KEYC_DOWN:
		history(a, 1);
		return true;
	case KEYC_ESC:
		if (!a->pg_line[0])
			return false;	/* the key table: leave */
		a->pg_line[0] = '\0';
		set_note(a, NULL, false);
		clear_choices(a);
		return true;
	default:
		if (ui_line_edit(a->pg_line, sizeof a->pg_line, key, false)) {
			clear_choices(a);
			if (a->pg_note && !a->pg_note_bad)
				set_note(a, NULL, false);
			return true;
		}
		return false;
	}
}

static int playground_key(app *a, key_action act, int key)
{
	(void)key;
	switch (act) {
	case ACT_RUN:
		if (!submit(a))
			break;
		/* fall through - 'quit' */
	case ACT_BACK:
		leave(a);
		return a->pg_prev ? UI_HANDLED | UI_REDRAW : UI_QUIT;
	case ACT_CODE:
		a->code_mode = (a->code_mode + 1) % CODE_MODES;
		break;
	case ACT_RESTART:
		command(a, "restart");
		break;
	case ACT_EXPORT:
		command(a, "export");
		break;
	case ACT_SAVE:
		command(a, "save");
		break;
	default:
		if (!ui_demo_scroll(a, act))
			return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void playground_resize(app *a)
{
	(void)a;
}

static size_t playground_fds(app *a, struct pollfd *fds, size_t max, int *timeout_ms)
{
	return pg_pollfds(a->pg, fds, max, timeout_ms);
}

static bool playground_wake(app *a)
{
	return pg_progress(a->pg) > 0;
}

void ui_open_playground(app *a, playground *g)
{
	if (a->run)
		ui_close_demo(a);
	if (!g) {
		lab *l = a->lab_on && a->lab ? a->lab : NULL;
		g = pg_new(l);
	}
	a->pg = g;
	a->run = pg_run(g);
	a->ask = a->verdict = -1;	/* the playground asks no predictions */
	a->pg_prev = a->scr;
	a->pg_line[0] = '\0';
	a->pg_hpos = a->pg_nhist;
	set_note(a, NULL, false);
	clear_choices(a);
	a->scr = &ui_playground_screen;
	a->tl_top = 0;
	a->tl_follow = true;
}

const screen ui_playground_screen = {
	.name = "playground",
	.id = SCR_PLAYGROUND,
	.draw = playground_draw,
	.key = playground_key,
	.resize = playground_resize,
	.pollfds = playground_fds,
	.wake = playground_wake,
	.input = playground_input,
};
