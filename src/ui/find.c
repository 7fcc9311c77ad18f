/* Contents and search (/ or t on the menu and the lesson pages). With nothing typed, the
 * screen is the table of contents: every lesson with its pages, read marks and score, and
 * the place the student left off. Typing searches the text of every page in the current
 * language as it is typed; Enter opens the page at the place found, with the words marked,
 * and ] and [ on the page go on to the next and previous places. */
#include "config.h"

#include "ui.h"
#include "core/text.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* Rows of the list: below the title bar, the query line and a rule; above the status line. */
static int list_rows(void)
{
	int r = LINES - 4;
	return r < 1 ? 1 : r;
}

enum { ROW_LESSON = -3, ROW_PAGE = -2 };	/* contents rows; search rows hold a block (>= -1) */

static void add_row(app *a, size_t *cap, search_hit h)
{
	grow_array((void **)&a->fd_rows, cap, a->fd_nrows, sizeof *a->fd_rows);
	a->fd_rows[a->fd_nrows++] = h;
}

/* The rows for what is typed: the contents, or the places found. */
static void refresh_rows(app *a)
{
	if (!a->fd_index || a->fd_lang != a->lang) {
		search_index_free(a->fd_index);
		a->fd_index = search_index_new(a->cat, a->lang);
		a->fd_lang = a->lang;
	}
	free(a->fd_rows);
	a->fd_rows = NULL;
	a->fd_nrows = 0;
	a->fd_toc = !a->fd_query[0];
	if (!a->fd_toc) {
		a->fd_nrows = search_find(a->fd_index, a->fd_query, &a->fd_rows);
		return;
	}
	size_t cap = 0;
	for (size_t li = 0; li < catalog_count(a->cat); li++) {
		const lesson *l = catalog_lesson(a->cat, a->lang, li);
		add_row(a, &cap, (search_hit){ li, 0, ROW_LESSON, lesson_title(l), 0 });
		for (size_t p = 0; p < lesson_npages(l); p++)
			add_row(a, &cap, (search_hit){ li, p, ROW_PAGE, lesson_page_title(l, p), 0 });
	}
}

void ui_find_free(app *a)
{
	search_index_free(a->fd_index);
	a->fd_index = NULL;
	free(a->fd_rows);
	a->fd_rows = NULL;
	a->fd_nrows = 0;
}

void ui_open_find(app *a)
{
	if (a->scr == &ui_find_screen)
		return;
	a->fd_prev = a->scr;
	a->scr = &ui_find_screen;
	refresh_rows(a);
	a->fd_sel = a->fd_top = 0;
	if (a->fd_toc) {	/* the contents open at the lesson being read */
		size_t li = a->fd_prev == &ui_pager_screen ? a->lesson : a->sel;
		size_t pg = a->fd_prev == &ui_pager_screen ? a->page : SIZE_MAX;
		for (size_t i = 0; i < a->fd_nrows; i++)
			if (a->fd_rows[i].lesson == li &&
			    (pg == SIZE_MAX ? a->fd_rows[i].block == ROW_LESSON :
			     a->fd_rows[i].block == ROW_PAGE && a->fd_rows[i].page == pg))
				a->fd_sel = i;
	} else if (a->fd_mark && a->fd_cur < a->fd_nrows) {
		a->fd_sel = a->fd_cur;	/* back to the list of the search being followed */
	}
}

/* Draws text with the query's first occurrence in it marked, keeping the mark in view: text
 * before it is cut at the left (with an ellipsis) when the line is too narrow. */
static void draw_snippet(const app *a, int row, int x, int width, const char *text, size_t at,
			 size_t qlen, attr_t base)
{
	const char *ell = ui_glyph(a, "…", "...");
	int ew = text_width(ell, strlen(ell));
	size_t from = 0;
	while (from < at && text_width(text + from, at - from) > width / 3) {
		uint32_t cp;
		from += text_decode(text + from, strlen(text + from), &cp);
	}
	if (from) {
		x += ui_draw_text(row, x, ell, strlen(ell), width, base | A_DIM);
		width -= ew;
	}
	int w = ui_draw_text(row, x, text + from, at - from, width, base);
	x += w;
	width -= w;
	w = ui_draw_text(row, x, text + at, qlen, width, base | A_BOLD | A_UNDERLINE | ui_attr(a, ATTR_MARK));
	x += w;
	width -= w;
	ui_draw_text(row, x, text + at + qlen, strlen(text + at + qlen), width, base);
}

static void draw_row(app *a, int y, int margin, int width, size_t i)
{
	const search_hit *h = &a->fd_rows[i];
	const lesson *l = catalog_lesson(a->cat, a->lang, h->lesson);
	bool cur = i == a->fd_sel;
	attr_t base = cur ? A_REVERSE : A_NORMAL;
	attrset(base);
	mvhline(y, margin, ' ', width);
	attrset(A_NORMAL);
	int x = margin + 1, end = margin + width - 1;
	if (h->block == ROW_LESSON) {
		size_t np = lesson_npages(l);
		lesson_state st = progress_state(a->prog, lesson_id(l), np);
		const char *mark = st == LESSON_DONE ? ui_glyph(a, "✓", "*")
				 : st == LESSON_STARTED ? ui_glyph(a, "◐", "+") : " ";
		x += ui_draw_text(y, x, mark, strlen(mark), 1, base | ui_attr(a, ATTR_ANSWER)) + 1;
		char *t = xasprintf("%2d. %s", lesson_order(l), lesson_title(l));
		ui_draw_text(y, x, t, strlen(t), end - x, base | A_BOLD);
		free(t);
		return;
	}
	char *num = xasprintf("%d.%zu", lesson_order(l), h->page + 1);
	if (h->block == ROW_PAGE) {
		bool read = progress_is_read(a->prog, lesson_id(l), h->page);
		size_t place_page;
		const char *place = progress_place(a->prog, &place_page);
		x += 4;
		x += ui_draw_text(y, x, read ? ui_glyph(a, "✓", "*") : " ", read ? strlen(ui_glyph(a, "✓", "*")) : 1, 1,
				  base | ui_attr(a, ATTR_ANSWER)) + 1;
		x += ui_draw_text(y, x, num, strlen(num), 6, base | A_DIM);
		x = margin + 13 > x ? margin + 13 : x + 1;
		x += ui_draw_text(y, x, h->text, strlen(h->text), end - x, base);
		if (place && strcmp(place, lesson_id(l)) == 0 && place_page == h->page) {
			const char *m = a->utf8 ? _("  ← you are here") : "  <- you are here";
			ui_draw_text(y, x, m, strlen(m), end - x, base | A_DIM);
		}
	} else {
		x += ui_draw_text(y, x, num, strlen(num), 6, base | A_DIM);
		x = margin + 8 > x ? margin + 8 : x + 1;
		draw_snippet(a, y, x, end - x, h->text, h->at, strlen(a->fd_query),
			     base | (h->block < 0 ? A_BOLD : 0));
	}
	free(num);
}

static void keep_visible(app *a)
{
	ui_list_show(a->fd_sel, &a->fd_top, (size_t)list_rows());
}

static void find_draw(app *a)
{
	if (a->fd_lang != a->lang)
		refresh_rows(a);
	char *right = a->fd_toc ? NULL :
		/* TRANSLATORS: how many paragraphs and lines of the lessons hold the words. */
		xasprintf(ngettext("%zu place", "%zu places", a->fd_nrows), a->fd_nrows);
	ui_draw_bar(0, a->fd_toc ? _("Contents") : _("Search"), right);
	free(right);
	int margin = COLS >= 60 ? 2 : 1, width = COLS - 2 * margin;
	/* TRANSLATORS: the search line; what is typed follows it. */
	const char *prompt = _("Find: ");
	int x = margin + ui_draw_text(1, margin, prompt, strlen(prompt), width, A_BOLD);
	int qw = text_width(a->fd_query, strlen(a->fd_query));
	int room = margin + width - x - 1;
	const char *q = a->fd_query;
	while (qw > room && *q) {	/* the end of a long query stays in view */
		uint32_t cp;
		size_t k = text_decode(q, strlen(q), &cp);
		qw -= text_cp_width(cp);
		q += k;
	}
	x += ui_draw_text(1, x, q, strlen(q), room, A_NORMAL);
	ui_draw_text(1, x, " ", 1, 1, A_REVERSE);	/* the cursor */
	if (!a->fd_query[0]) {
		const char *tip = _("type to search every lesson; Enter opens the selected page");
		ui_draw_text(1, x + 2, tip, strlen(tip), margin + width - x - 2, A_DIM);
	}
	attrset(ui_attr(a, ATTR_MARK));
	mvhline(2, margin, a->utf8 ? ACS_HLINE : '-', width);
	attrset(A_NORMAL);

	keep_visible(a);
	int rows = list_rows();
	for (int r = 0; r < rows && a->fd_top + (size_t)r < a->fd_nrows; r++)
		draw_row(a, 3 + r, margin, width, a->fd_top + (size_t)r);
	if (!a->fd_nrows) {
		char *m = xasprintf(_("\"%s\" is not in the lessons (in this language). Esc clears the search."),
				    a->fd_query);
		ui_draw_text(3, margin + 1, m, strlen(m), width - 1, A_DIM);
		free(m);
	}
	static const key_action hints[] = { ACT_OPEN, ACT_BACK, ACT_HELP, ACT_LANG };
	char pos[32] = "";
	if (a->fd_nrows)
		snprintf(pos, sizeof pos, "%zu/%zu", a->fd_sel + 1, a->fd_nrows);
	ui_draw_status(a, hints, ARRAY_SIZE(hints), pos);
}

/* Opens the page of row i (the contents and search are reached from the menu and the pages
 * only, so there is no demo to close). */
static void open_row(app *a, size_t i)
{
	const search_hit h = a->fd_rows[i];
	a->fd_mark = !a->fd_toc;
	a->fd_cur = i;
	a->fd_prev = NULL;
	ui_open_lesson_at(a, h.lesson, h.page, h.block);
	if (a->fd_mark) {
		/* TRANSLATORS: %1$zu of %2$zu places found; ] and [ are keys. */
		char *m = xasprintf(_("Place %zu of %zu: ] next, [ previous, / back to the list"),
				    i + 1, a->fd_nrows);
		ui_set_message(a, m);
		free(m);
	}
}

bool ui_find_step(app *a, int dir)
{
	if (a->fd_mark && a->fd_lang != a->lang)
		refresh_rows(a);	/* the other language's places */
	if (!a->fd_mark || !a->fd_nrows || a->fd_toc) {
		ui_set_message(a, _("No search to follow: / searches the lessons."));
		return false;
	}
	size_t i = a->fd_cur;
	if (dir > 0 && i + 1 >= a->fd_nrows) {
		ui_set_message(a, _("That was the last place found; [ goes back."));
		return false;
	}
	if (dir < 0 && (i == 0 || i > a->fd_nrows)) {
		ui_set_message(a, _("That was the first place found; ] goes on."));
		return false;
	}
	open_row(a, dir > 0 ? i + 1 : i - 1);
	return true;
}

void ui_find_mark_line(const app *a, int row, int col, int width, const layout_line *ln)
{
	if (!a->fd_mark || !a->fd_query[0])
		return;
	size_t len, q = strlen(a->fd_query);
	char *t = layout_line_text(ln, &len);
	for (const char *m, *from = t; (m = search_in(from, len - (size_t)(from - t), a->fd_query));
	     from = m + q) {
		int x = col + text_width(t, (size_t)(m - t));
		if (x < col + width)
			ui_draw_text(row, x, m, q, col + width - x, A_REVERSE | A_BOLD);
	}
	free(t);
}

static int find_key(app *a, key_action act, int key)
{
	size_t n = a->fd_nrows, rows = (size_t)list_rows();
	(void)key;
	if (ui_list_move(&a->fd_sel, n, rows, act))
		return UI_HANDLED | UI_REDRAW;
	switch (act) {
	case ACT_OPEN:
		if (a->fd_sel < n)
			open_row(a, a->fd_sel);
		break;
	case ACT_BACK:
		if (a->fd_query[0]) {
			a->fd_query[0] = '\0';
			refresh_rows(a);
			a->fd_sel = a->fd_top = 0;
			break;
		}
		a->scr = a->fd_prev ? a->fd_prev : &ui_menu_screen;
		a->fd_prev = NULL;
		if (a->scr->resize)
			a->scr->resize(a);
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

/* Typed text goes to the query; the list follows each key. */
static bool find_input(app *a, int key)
{
	if (key == KEYC_BACKSPACE && !a->fd_query[0])
		return true;
	if (!ui_line_edit(a->fd_query, sizeof a->fd_query, key, false))
		return false;
	refresh_rows(a);
	a->fd_sel = a->fd_top = 0;
	a->fd_mark = false;
	return true;
}

/* A click selects a row; a click on the selected one opens it. */
static int find_click(app *a, int row, int col)
{
	(void)col;
	if (row < 3 || row >= 3 + list_rows() || a->fd_top + (size_t)(row - 3) >= a->fd_nrows)
		return 0;
	size_t i = a->fd_top + (size_t)(row - 3);
	bool again = i == a->fd_sel;
	a->fd_sel = i;
	if (again)
		open_row(a, i);
	return UI_HANDLED | UI_REDRAW;
}

static void find_resize(app *a)
{
	keep_visible(a);
}

const screen ui_find_screen = {
	.name = "find",
	.id = SCR_FIND,
	.draw = find_draw,
	.key = find_key,
	.resize = find_resize,
	.click = find_click,
	.input = find_input,
};
