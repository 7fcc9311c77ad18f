#include "config.h"

#include "ui.h"
#include "core/text.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* Rows of the list: everything between the title bar (and a blank line) and the legend. */
static int list_rows(void)
{
	int r = LINES - 5;
	return r < 1 ? 1 : r;
}

/* Below a short list, the selected lesson's pages with their read marks and the page the
 * reader stopped at, when there is room for them. */
static void draw_pages(app *a, int row, int margin, int width)
{
	const lesson *l = catalog_lesson(a->cat, a->lang, a->sel);
	size_t np = lesson_npages(l), place_page = 0;
	const char *place = progress_place(a->prog, &place_page);
	bool here = place && strcmp(place, lesson_id(l)) == 0;
	int last = LINES - 3;
	if (row + 2 > last)
		return;
	attrset(ui_attr(a, ATTR_MARK));
	mvhline(row, margin, a->utf8 ? ACS_HLINE : '-', width);
	attrset(A_NORMAL);
	row++;
	for (size_t p = 0; p < np && row <= last; p++, row++) {
		bool read = progress_is_read(a->prog, lesson_id(l), p);
		const char *mark = read ? ui_glyph(a, "✓", "*") : " ";
		char *s = xasprintf("%zu. %s", p + 1, lesson_page_title(l, p));
		int x = margin + 1;
		x += ui_draw_text(row, x, mark, strlen(mark), 1, ui_attr(a, ATTR_ANSWER));
		x += 3;
		x += ui_draw_text(row, x, s, strlen(s), margin + width - x, A_NORMAL);
		if (here && p == place_page) {
			/* TRANSLATORS: marks the page where the reader left off. */
			const char *m = _("  ← you are here");
			if (!a->utf8)
				m = "  <- you are here";
			ui_draw_text(row, x, m, strlen(m), margin + width - x, A_DIM);
		}
		free(s);
	}
}

/* Where the student left off: the lesson, the page and, when a demo on that page was open,
 * the demo (else -1) and its step. False when nothing was read yet. */
typedef struct place {
	size_t lesson, page, step;
	int demo;
} place;

static bool find_place(const app *a, place *pl)
{
	const char *id = progress_place(a->prog, &pl->page);
	int li = id ? catalog_find(a->cat, id) : -1;
	if (li < 0)
		return false;
	pl->lesson = (size_t)li;
	if (pl->page >= lesson_npages(catalog_lesson(a->cat, a->lang, pl->lesson)))
		pl->page = 0;
	const char *demo = progress_demo(a->prog, &pl->step);
	pl->demo = demo ? catalog_find_demo(a->cat, demo) : -1;
	if (pl->demo >= 0 && (catalog_demo_lesson(a->cat, (size_t)pl->demo) != pl->lesson ||
			      catalog_demo_page(a->cat, (size_t)pl->demo) != pl->page))
		pl->demo = -1;
	return true;
}

/* "4.4 The client: connect(), the demo at step 3": where c goes; NULL when
 * the student has not read anything yet. */
static char *place_text(const app *a)
{
	place pl;
	if (!find_place(a, &pl))
		return NULL;
	const lesson *l = catalog_lesson(a->cat, a->lang, pl.lesson);
	if (pl.demo >= 0)
		/* TRANSLATORS: lesson.page, the page's title, the demo step. */
		return xasprintf(_("%d.%zu %s, the demo at step %zu"), lesson_order(l), pl.page + 1,
				 lesson_page_title(l, pl.page), pl.step);
	return xasprintf("%d.%zu %s", lesson_order(l), pl.page + 1, lesson_page_title(l, pl.page));
}

bool ui_continue(app *a)
{
	place pl;
	if (!find_place(a, &pl)) {
		ui_set_message(a, _("Nothing to continue yet: Enter opens the selected lesson."));
		return false;
	}
	ui_open_lesson(a, pl.lesson, pl.page);	/* forgets the demo step: pl keeps it */
	a->sel = pl.lesson;
	if (pl.demo >= 0 && ui_demo_openable(a, (size_t)pl.demo)) {
		size_t step = pl.step;
		ui_open_demo_at(a, (size_t)pl.demo, step);
		if (step) {
			char *m = xasprintf(ngettext("Back at the demo: its first step was made again, on new sockets.",
						     "Back at the demo: its first %zu steps were made again, on new sockets.",
						     step), step);
			ui_set_message(a, m);
			free(m);
		}
	}
	return true;
}

void ui_reset_lesson(app *a, size_t li)
{
	const lesson *l = catalog_lesson(a->cat, a->lang, li);
	progress_reset_lesson(a->prog, lesson_id(l));
	char *m = xasprintf(_("Lesson %d starts afresh: no pages read, no answers."), lesson_order(l));
	ui_set_message(a, m);
	free(m);
}

static void keep_visible(app *a)
{
	ui_list_show(a->sel, &a->menu_top, (size_t)list_rows());
}

static void menu_draw(app *a)
{
	char *title = xasprintf(_("socktutor %s: network programming on the real kernel"), VERSION);
	ui_draw_bar(0, title, NULL);
	free(title);

	int margin = COLS >= 60 ? 2 : 1;
	int width = COLS - 2 * margin;
	size_t n = catalog_count(a->cat);
	int rows = list_rows();
	keep_visible(a);
	for (int r = 0; r < rows && a->menu_top + (size_t)r < n; r++) {
		size_t i = a->menu_top + (size_t)r;
		const lesson *l = catalog_lesson(a->cat, a->lang, i);
		size_t np = lesson_npages(l), nr = progress_pages_read(a->prog, lesson_id(l), np);
		lesson_state st = progress_state(a->prog, lesson_id(l), np);
		const char *mark = st == LESSON_DONE ? ui_glyph(a, "✓", "*")
				 : st == LESSON_STARTED ? ui_glyph(a, "◐", "+") : " ";
		bool cur = i == a->sel;
		int row = 2 + r;
		attr_t base = cur ? A_REVERSE : A_NORMAL;
		attrset(base);
		mvhline(row, margin, ' ', width);
		char num[24];
		snprintf(num, sizeof num, "%2d", lesson_order(l));
		size_t answered, right = progress_score(a->prog, lesson_id(l), &answered);
		size_t nq = catalog_questions(a->cat, i);
		char *pg = xasprintf(ngettext("%zu/%zu page", "%zu/%zu pages", np), nr, np);
		char *pages = answered && width >= 60 ?
			/* TRANSLATORS: after the pages read: questions answered right, of all. */
			xasprintf(_("%s  %zu/%zu right"), pg, right, nq) : xstrdup(pg);
		free(pg);
		int pw = text_width(pages, strlen(pages));
		bool show_pages = width >= 44;
		int x = margin + 1;
		x += ui_draw_text(row, x, mark, strlen(mark), 1, base | (st == LESSON_DONE ? ui_attr(a, ATTR_ANSWER) : A_BOLD));
		x += 1;
		x += ui_draw_text(row, x, num, strlen(num), 2, base | A_BOLD);
		x += 2;
		int tmax = margin + width - x - (show_pages ? pw + 3 : 1);
		ui_draw_text(row, x, lesson_title(l), strlen(lesson_title(l)), tmax, base | (cur ? A_BOLD : 0));
		if (show_pages)
			ui_draw_text(row, margin + width - pw - 1, pages, strlen(pages), pw, base | A_DIM);
		free(pages);
	}
	attrset(A_NORMAL);
	if ((size_t)rows > n + 2)
		draw_pages(a, 2 + (int)n + 1, margin, width);

	char *where = place_text(a);
	if (where) {
		/* TRANSLATORS: followed by the place, e.g. "4.2 A TCP server and client: ...". */
		const char *c = _("c continues at ");
		int x = margin + ui_draw_text(LINES - 3, margin, c, strlen(c), width, A_BOLD);
		ui_draw_text(LINES - 3, x, where, strlen(where), margin + width - x, A_NORMAL);
		free(where);
	}

	/* legend */
	char *legend = xasprintf(_("%s read   %s started   Enter opens a lesson   / searches"),
				 ui_glyph(a, "✓", "*"), ui_glyph(a, "◐", "+"));
	ui_draw_text(LINES - 2, margin, legend, strlen(legend), width, A_DIM);
	free(legend);

	static const key_action hints[] = { ACT_OPEN, ACT_QUIT, ACT_HELP, ACT_LANG, ACT_GLOSSARY, ACT_PROJECT, ACT_PLAYGROUND, ACT_FIND };
	char right[32];
	snprintf(right, sizeof right, "%zu/%zu", a->sel + 1, n);
	ui_draw_status(a, hints, ARRAY_SIZE(hints), right);
}

static int menu_key(app *a, key_action act, int key)
{
	size_t n = catalog_count(a->cat);
	size_t rows = (size_t)list_rows();
	(void)key;
	if (ui_list_move(&a->sel, n, rows, act))
		return UI_HANDLED | UI_REDRAW;
	switch (act) {
	case ACT_OPEN: {
		place pl;	/* the lesson left off opens at its page */
		bool here = find_place(a, &pl) && pl.lesson == a->sel;
		ui_open_lesson(a, a->sel, here ? pl.page : 0);
		break;
	}
	case ACT_PLAYGROUND:
		ui_open_playground(a, NULL);
		break;
	case ACT_CONTINUE:
		ui_continue(a);
		break;
	case ACT_FIND:
		ui_open_find(a);
		break;
	case ACT_RESET: {
		const lesson *l = catalog_lesson(a->cat, a->lang, a->sel);
		size_t np = lesson_npages(l), answered;
		progress_score(a->prog, lesson_id(l), &answered);
		if (!progress_pages_read(a->prog, lesson_id(l), np) && !answered) {
			ui_set_message(a, _("This lesson has no progress to reset."));
			break;
		}
		a->confirm = ACT_RESET;
		a->confirm_arg = a->sel;
		char *m = xasprintf(_("Reset lesson %d: forget its pages read and answers? (y/n)"),
				    lesson_order(l));
		ui_set_message(a, m);
		free(m);
		break;
	}
	case ACT_PROJECT:
		ui_open_project(a, PROJECT_ECHO);
		break;
	case ACT_QUIT:
		return UI_QUIT;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

/* A click selects a lesson; a click on the selected one opens it. */
static int menu_click(app *a, int row, int col)
{
	(void)col;
	size_t n = catalog_count(a->cat);
	if (row < 2 || row >= 2 + list_rows() || a->menu_top + (size_t)(row - 2) >= n)
		return 0;
	size_t i = a->menu_top + (size_t)(row - 2);
	bool again = i == a->sel;
	a->sel = i;
	if (again)
		return menu_key(a, ACT_OPEN, KEYC_ENTER);
	return UI_HANDLED | UI_REDRAW;
}

static void menu_resize(app *a)
{
	keep_visible(a);
}

const screen ui_menu_screen = {
	.name = "menu",
	.id = SCR_MENU,
	.draw = menu_draw,
	.key = menu_key,
	.resize = menu_resize,
	.click = menu_click,
};
