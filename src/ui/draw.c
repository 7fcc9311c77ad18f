#include "config.h"

#include "ui.h"
#include "core/text.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>


attr_t ui_attr(const app *a, text_attr t)
{
	switch (t) {
	case ATTR_TEXT:
		return A_NORMAL;
	case ATTR_EMPH:
		return A_BOLD;
	case ATTR_CODE:
		return a->color ? COLOR_PAIR(PAIR_CODE) : A_UNDERLINE;
	case ATTR_HEADING:
		return A_BOLD | (a->color ? COLOR_PAIR(PAIR_HEADING) : A_UNDERLINE);
	case ATTR_CODEBLOCK:
		return a->color ? COLOR_PAIR(PAIR_CODE) : A_NORMAL;
	case ATTR_MARK:
		return a->color ? COLOR_PAIR(PAIR_MARK) | A_BOLD : A_BOLD;
	case ATTR_QUESTION:
		return A_BOLD | (a->color ? COLOR_PAIR(PAIR_QUESTION) : 0);
	case ATTR_ANSWER:
		return A_BOLD | (a->color ? COLOR_PAIR(PAIR_ANSWER) : A_STANDOUT);
	case ATTR_MUTED:
		return A_DIM;
	}
	return A_NORMAL;
}

const char *ui_glyph(const app *a, const char *unicode, const char *ascii)
{
	return a->utf8 ? unicode : ascii;
}

static bool no_dim;	/* presenting: dim text is unreadable on a projector */

int ui_draw_text(int row, int col, const char *s, size_t n, int max, attr_t attr)
{
	if (no_dim)
		attr &= ~A_DIM;
	if (max <= 0)
		return 0;
	int used;
	size_t fit = text_fit(s, n, max, &used);
	attrset(attr);
	mvaddnstr(row, col, s, (int)fit);
	attrset(A_NORMAL);
	return used;
}

void ui_draw_bar(int row, const char *left, const char *right)
{
	int cols = COLS;
	attr_t bar = A_REVERSE;
	attrset(bar);
	mvhline(row, 0, ' ', cols);
	int rw = right ? text_width(right, strlen(right)) : 0;
	if (rw > cols - 2)
		rw = 0;
	ui_draw_text(row, 1, left, strlen(left), cols - 2 - (rw ? rw + 2 : 0), bar | A_BOLD);
	if (rw)
		ui_draw_text(row, cols - 1 - rw, right, strlen(right), rw, bar);
	attrset(A_NORMAL);
}

bool ui_list_move(size_t *sel, size_t n, size_t rows, key_action act)
{
	switch (act) {
	case ACT_UP:
		if (*sel > 0)
			(*sel)--;
		return true;
	case ACT_DOWN:
		if (*sel + 1 < n)
			(*sel)++;
		return true;
	case ACT_PAGE_UP:
		*sel = *sel > rows ? *sel - rows : 0;
		return true;
	case ACT_PAGE_DOWN:
		*sel = n && *sel + rows < n ? *sel + rows : n ? n - 1 : 0;
		return true;
	case ACT_TOP:
		*sel = 0;
		return true;
	case ACT_BOTTOM:
		*sel = n ? n - 1 : 0;
		return true;
	default:
		return false;
	}
}

void ui_list_show(size_t sel, size_t *top, size_t rows)
{
	if (sel < *top)
		*top = sel;
	else if (sel >= *top + rows)
		*top = sel - rows + 1;
}

bool ui_line_edit(char *buf, size_t size, int key, bool ascii_only)
{
	size_t n = strlen(buf);
	if (key == KEYC_BACKSPACE) {
		while (n && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
			n--;	/* continuation bytes of the last character */
		if (n)
			n--;
		buf[n] = '\0';
		return true;
	}
	if (key < 0x20 || key == 0x7f || key >= (ascii_only ? 0x80 : 0x110000))
		return false;
	char u[4];
	size_t l = text_encode((uint32_t)key, u);
	if (n + l < size) {
		memcpy(buf + n, u, l);
		buf[n + l] = '\0';
	}
	return true;
}

void ui_draw_status(app *a, const key_action *hints, size_t nhints, const char *right)
{
	int row = LINES - 1, cols = COLS;
	attrset(A_REVERSE);
	mvhline(row, 0, ' ', cols);
	if (a->message) {
		ui_draw_text(row, 1, a->message, strlen(a->message), cols - 2, A_REVERSE | A_BOLD);
		attrset(A_NORMAL);
		return;
	}
	int rw = right ? text_width(right, strlen(right)) : 0;
	int limit = cols - 1 - (rw ? rw + 2 : 0);
	int x = 1;
	for (size_t i = 0; i < nhints; i++) {
		const char *k = keys_names(a->scr->id, hints[i], !a->utf8);
		char *first = xstrndup(k, strcspn(k, "/ "));
		const char *label;
		switch (hints[i]) {
		/* TRANSLATORS: status-line hints are short; the screen may be 40 columns wide. */
		case ACT_BACK: label = _("Back"); break;
		case ACT_QUIT: label = _("Quit"); break;
		case ACT_OPEN: label = _("Open"); break;
		case ACT_HELP: label = _("Help"); break;
		case ACT_NEXT_PAGE: label = _("Next page"); break;
		case ACT_PREV_PAGE: label = _("Prev page"); break;
		case ACT_NEXT_LESSON: label = _("Next lesson"); break;
		case ACT_REVEAL: label = _("Answers"); break;
		case ACT_DEMO: label = ui_pager_on_project(a) ? _("Start server") : _("Run demo"); break;
		case ACT_FIND: label = _("Contents"); break;
		case ACT_CONTINUE: label = _("Continue"); break;
		case ACT_RESET: label = _("Reset"); break;
		case ACT_NEXT_HIT: label = _("Next found"); break;
		case ACT_STEP: label = _("Step"); break;
		case ACT_AUTO: label = _("Auto"); break;
		case ACT_RESTART: label = _("Restart"); break;
		case ACT_CODE: label = _("C/Python"); break;
		case ACT_LAB: label = _("Lab"); break;
		case ACT_PANEL: label = _("Panel"); break;
		case ACT_GLOSSARY: label = _("Glossary"); break;
		case ACT_PROJECT: label = _("Projects"); break;
		case ACT_PLAYGROUND: label = _("Playground"); break;
		case ACT_RUN: label = _("Run"); break;
		case ACT_COMPLETE: label = _("Complete"); break;
		case ACT_HISTORY: label = _("History"); break;
		case ACT_SAVE: label = _("Save"); break;
		case ACT_EXPORT: label = _("Export"); break;
		case ACT_ANSWER: label = _("Answer"); break;
		case ACT_HINT: label = _("Hint"); break;
		case ACT_SKIP: label = _("Skip"); break;
		case ACT_WIRE_HOLD: label = _("Hold/pass"); break;
		case ACT_WIRE_DELIVER: label = _("Deliver"); break;
		case ACT_WIRE_DROP: label = _("Drop"); break;
		case ACT_WIRE_DUP: label = _("Duplicate"); break;
		case ACT_WIRE_SWAP: label = _("Swap"); break;
		case ACT_WIRE_DELAY: label = _("Delay"); break;
		case ACT_WIRE_SLOW: label = _("Slow"); break;
		/* TRANSLATORS: the language the L key switches to, written in that language. */
		case ACT_LANG: label = a->lang == LANG_EN ? "中文" : "English"; break;
		default: label = ""; break;
		}
		if (hints[i] == ACT_LANG && !a->utf8)
			label = "Chinese";
		int need = text_width(first, strlen(first)) + 1 + text_width(label, strlen(label));
		if (x + need > limit) {
			free(first);
			break;
		}
		x += ui_draw_text(row, x, first, strlen(first), limit - x, A_REVERSE | A_BOLD);
		x += 1;
		x += ui_draw_text(row, x, label, strlen(label), limit - x, A_REVERSE);
		x += 2;
		free(first);
	}
	if (rw)
		ui_draw_text(row, cols - 1 - rw, right, strlen(right), rw, A_REVERSE);
	attrset(A_NORMAL);
}

void ui_draw_line(const app *a, int row, int col, int width, const layout_line *ln)
{
	int x = col, end = col + width;
	for (size_t k = 0; k < ln->nruns && x < end; k++)
		x += ui_draw_text(row, x, ln->runs[k].text, ln->runs[k].len, end - x,
				  ui_attr(a, ln->runs[k].attr));
	if (ln->cut)
		ui_draw_text(row, end - 1 >= x ? x : end - 1, ui_glyph(a, "›", ">"),
			     strlen(ui_glyph(a, "›", ">")), 1, ui_attr(a, ATTR_MARK));
}

void ui_set_message(app *a, const char *msg)
{
	free(a->message);
	a->message = msg ? xstrdup(msg) : NULL;
}

void ui_init_colors(app *a)
{
	a->color = false;
	const char *no = getenv("NO_COLOR");	/* no-color.org: set and not empty */
	no_dim = a->present;
	if (a->present)
		bkgdset(A_BOLD);	/* bright text, also without colours */
	if (!has_colors() || (no && *no))
		return;
	start_color();
	/* presenting: bright colours on black, whatever the terminal's own scheme; blue,
	 * hard to read when projected, becomes cyan */
	short bg = a->present ? COLOR_BLACK : -1;
	if (!a->present)
		use_default_colors();
	init_pair(PAIR_BAR, a->present ? COLOR_WHITE : -1, bg);
	init_pair(PAIR_HEADING, COLOR_YELLOW, bg);
	init_pair(PAIR_CODE, COLOR_CYAN, bg);
	init_pair(PAIR_MARK, a->present ? COLOR_CYAN : COLOR_BLUE, bg);
	init_pair(PAIR_QUESTION, COLOR_MAGENTA, bg);
	init_pair(PAIR_ANSWER, COLOR_GREEN, bg);
	init_pair(PAIR_WARN, COLOR_RED, bg);
	if (a->present)
		bkgdset(COLOR_PAIR(PAIR_BAR) | A_BOLD);
	a->color = true;
}
