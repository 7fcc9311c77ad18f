#include "config.h"

#include "ui.h"
#include "core/text.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

#define READING_WIDTH 96	/* lines longer than this are hard to read, even on a projector */

#define PRESENT_WIDTH 76	/* presenting: fewer words a line, for the back of the room */

static int margin(const app *a)
{
	if (a->present && COLS >= 72)
		return COLS >= PRESENT_WIDTH + 8 ? (COLS - PRESENT_WIDTH) / 2 : 4;
	return COLS >= 60 ? 2 : COLS >= 40 ? 1 : 0;
}

static int text_cols(const app *a)
{
	int w = COLS - 2 * margin(a);
	int max = a->present ? PRESENT_WIDTH : READING_WIDTH;
	return w > max ? max : w;
}

/* Body rows: below the title bar, the page heading and a blank line; above the status line. */
static int body_rows(void)
{
	int r = LINES - 4;
	return r < 1 ? 1 : r;
}

static const lesson *cur_lesson(const app *a)
{
	return catalog_lesson(a->cat, a->lang, a->lesson);
}

static size_t max_top(const app *a)
{
	size_t n = layout_count(a->lay), rows = (size_t)body_rows();
	return n > rows ? n - rows : 0;
}

/* The progress key of a check. */
static char *check_key(const lesson_block *b)
{
	return xasprintf("c-%s", b->id);
}

/* The answers already given to the page's checks, from the progress store. Which choice
 * was picked is known only for answers given since the page was opened; an earlier right
 * answer shows as the answer, an earlier wrong one as unanswered (to try again). */
static void load_answers(app *a)
{
	const lesson *l = cur_lesson(a);
	size_t n = lesson_nblocks(l, a->page);
	free(a->chosen);
	free(a->hinted);
	a->chosen = xcalloc(n + 1, sizeof *a->chosen);
	a->hinted = xcalloc(n + 1, sizeof *a->hinted);
	for (size_t i = 0; i < n; i++) {
		const lesson_block *b = lesson_block_at(l, a->page, i);
		a->chosen[i] = -1;
		if (b->kind != BLOCK_CHECK || a->present)	/* presenting: the class answers */
			continue;
		char *k = check_key(b);
		if (progress_answer(a->prog, lesson_id(l), k) == 1)
			a->chosen[i] = b->answer;
		free(k);
	}
}

static void relayout(app *a)
{
	layout_free(a->lay);
	layout_opts o = {
		.width = text_cols(a),
		.ascii = !a->utf8,
		.reveal = a->reveal,
		.reveal_note = a->present ? _("(r: show the answers)") :
			       _("(1-9: answer; H: hint; r: show all answers)"),
		.chosen = a->chosen,
		.hinted = a->hinted,
	};
	a->lay = layout_page(cur_lesson(a), a->page, &o);
	if (a->top > max_top(a))
		a->top = max_top(a);
}

/* Relayouts while keeping the block at the top of the screen at the top. */
static void relayout_keep_place(app *a)
{
	int block = a->lay ? layout_block_of(a->lay, a->top) : 0;
	relayout(a);
	a->top = block > 0 ? layout_line_of_block(a->lay, block) : 0;
	if (a->top > max_top(a))
		a->top = max_top(a);
}

static void go_page(app *a, size_t page)
{
	a->page = page;
	a->top = 0;
	load_answers(a);
	relayout(a);
	progress_set_place(a->prog, lesson_id(cur_lesson(a)), page);
}

void ui_open_lesson(app *a, size_t idx, size_t page)
{
	a->scr = &ui_pager_screen;
	a->lesson = idx;
	a->reveal = false;
	go_page(a, page);
}

/* The page's demo (or project) the reader means: the first one from the top of the screen
 * down, else the page's first; NULL when the page has none. */
static const lesson_block *page_demo(const app *a)
{
	const lesson *l = cur_lesson(a);
	size_t n = lesson_nblocks(l, a->page);
	int from = layout_block_of(a->lay, a->top);
	const lesson_block *first = NULL;
	for (size_t i = 0; i < n; i++) {
		const lesson_block *b = lesson_block_at(l, a->page, i);
		if (b->kind != BLOCK_DEMO && b->kind != BLOCK_PROJECT)
			continue;
		if (from < 0 || i >= (size_t)from)
			return b;
		if (!first)
			first = b;
	}
	return first;
}

bool ui_pager_on_project(const app *a)
{
	const lesson_block *d = a->scr == &ui_pager_screen ? page_demo(a) : NULL;
	return d && d->kind == BLOCK_PROJECT;
}

/* The question the digit keys answer: the first unanswered check with a line on screen,
 * else the page's first unanswered one; -1 when none is left. */
static int active_check(const app *a)
{
	const lesson *l = cur_lesson(a);
	size_t n = lesson_nblocks(l, a->page), rows = (size_t)body_rows();
	int first = -1;
	for (size_t i = 0; i < n; i++) {
		const lesson_block *b = lesson_block_at(l, a->page, i);
		if (b->kind != BLOCK_CHECK || a->chosen[i] >= 0)
			continue;
		if (first < 0)
			first = (int)i;
		for (size_t k = a->top; k < a->top + rows && k < layout_count(a->lay); k++)
			if (layout_at(a->lay, k)->block == (int)i)
				return (int)i;
	}
	return first;
}

/* Scrolls so that the whole of block b is on screen, if it fits. */
static void show_block(app *a, int b)
{
	size_t first = layout_line_of_block(a->lay, b), last = first, rows = (size_t)body_rows();
	while (last + 1 < layout_count(a->lay) && layout_at(a->lay, last + 1)->block == b)
		last++;
	if (last >= a->top + rows)
		a->top = last + 1 - rows;
	if (first < a->top)
		a->top = first;
	if (a->top > max_top(a))
		a->top = max_top(a);
}

static void answer_check(app *a, int key)
{
	if (a->present) {
		ui_set_message(a, _("Presenter mode: let the class answer, then press r to show the answer."));
		return;
	}
	int bi = active_check(a);
	if (bi < 0) {
		ui_set_message(a, _("There is no unanswered question on this page."));
		return;
	}
	const lesson *l = cur_lesson(a);
	const lesson_block *b = lesson_block_at(l, a->page, (size_t)bi);
	int c = key - '1';
	if (c < 0 || (size_t)c >= b->nchoices) {
		ui_set_message(a, _("This question has fewer choices."));
		return;
	}
	a->chosen[bi] = c;
	char *k = check_key(b);
	progress_set_answer(a->prog, lesson_id(l), k, c == b->answer);
	free(k);
	ui_set_message(a, c == b->answer ? _("Right.") : _("Not quite: the right answer is marked."));
	relayout(a);
	show_block(a, bi);
}

static void pager_draw(app *a)
{
	const lesson *l = cur_lesson(a);
	size_t np = lesson_npages(l);
	char *left = xasprintf("%d. %s", lesson_order(l), lesson_title(l));
	/* TRANSLATORS: page position in the title bar, e.g. "Page 2/5". */
	char *right = xasprintf(_("Page %zu/%zu"), a->page + 1, np);
	ui_draw_bar(0, left, right);
	free(left);
	free(right);

	int m = margin(a), w = text_cols(a);
	const char *pt = lesson_page_title(l, a->page);
	ui_draw_text(1, m, pt, strlen(pt), w, ui_attr(a, ATTR_HEADING));

	int rows = body_rows();
	size_t n = layout_count(a->lay);
	for (int r = 0; r < rows && a->top + (size_t)r < n; r++) {
		ui_draw_line(a, 3 + r, m, w, layout_at(a->lay, a->top + (size_t)r));
		ui_find_mark_line(a, 3 + r, m, w, layout_at(a->lay, a->top + (size_t)r));
	}

	if (a->top + (size_t)rows >= n)
		progress_mark_read(a->prog, lesson_id(l), a->page);

	char pos[48];
	if (n <= (size_t)rows)
		/* TRANSLATORS: scroll position when the whole page fits on the screen. */
		snprintf(pos, sizeof pos, "%s", _("All"));
	else if (a->top == 0)
		snprintf(pos, sizeof pos, "%s", _("Top"));
	else if (a->top >= max_top(a))
		snprintf(pos, sizeof pos, "%s", _("End"));
	else
		snprintf(pos, sizeof pos, "%zu%%", (a->top * 100) / max_top(a));
	static const key_action hints[] = {
		ACT_BACK, ACT_HELP, ACT_LANG, ACT_NEXT_PAGE, ACT_PREV_PAGE, ACT_NEXT_LESSON
	};
	static const key_action demo_hints[] = {
		ACT_DEMO, ACT_BACK, ACT_HELP, ACT_LANG, ACT_NEXT_PAGE, ACT_PREV_PAGE
	};
	if (page_demo(a)) {
		ui_draw_status(a, demo_hints, ARRAY_SIZE(demo_hints), pos);
		return;
	}
	ui_draw_status(a, hints, ARRAY_SIZE(hints), pos);
}

static int pager_key(app *a, key_action act, int key)
{
	const lesson *l = cur_lesson(a);
	size_t np = lesson_npages(l), rows = (size_t)body_rows(), mt = max_top(a);
	switch (act) {
	case ACT_UP:
		if (a->top > 0)
			a->top--;
		break;
	case ACT_DOWN:
		if (a->top < mt)
			a->top++;
		break;
	case ACT_PAGE_UP:
		a->top = a->top > rows - 1 ? a->top - (rows > 1 ? rows - 1 : 1) : 0;
		break;
	case ACT_PAGE_DOWN:
		if (a->top < mt) {
			a->top += rows > 1 ? rows - 1 : 1;
			if (a->top > mt)
				a->top = mt;
		} else if (key == ' ' && a->page + 1 < np) {
			go_page(a, a->page + 1);
		} else if (key == ' ') {
			ui_set_message(a, _("End of the lesson. Press N for the next lesson, q for the menu."));
		}
		break;
	case ACT_TOP:
		a->top = 0;
		break;
	case ACT_BOTTOM:
		a->top = mt;
		break;
	case ACT_NEXT_PAGE:
		if (a->page + 1 < np)
			go_page(a, a->page + 1);
		else
			ui_set_message(a, _("This is the last page. Press N for the next lesson, q for the menu."));
		break;
	case ACT_PREV_PAGE:
		if (a->page > 0)
			go_page(a, a->page - 1);
		else
			ui_set_message(a, _("This is the first page."));
		break;
	case ACT_NEXT_LESSON:
		if (a->lesson + 1 < catalog_count(a->cat)) {
			ui_open_lesson(a, a->lesson + 1, 0);
			a->sel = a->lesson;
		} else {
			ui_set_message(a, _("This is the last lesson."));
		}
		break;
	case ACT_ANSWER:
		answer_check(a, key);
		break;
	case ACT_HINT: {
		int bi = active_check(a);
		const lesson_block *b = bi >= 0 ? lesson_block_at(l, a->page, (size_t)bi) : NULL;
		if (!b || !b->hint) {
			ui_set_message(a, _("There is no hint here."));
			break;
		}
		a->hinted[bi] = true;
		relayout(a);
		show_block(a, bi);
		break;
	}
	case ACT_REVEAL: {
		/* the last question on screen stays in view with its answer */
		int q = -1;
		size_t rows_on = (size_t)body_rows();
		for (size_t k = a->top; k < a->top + rows_on && k < layout_count(a->lay); k++) {
			int b = layout_at(a->lay, k)->block;
			if (b >= 0 && lesson_block_at(l, a->page, (size_t)b)->kind == BLOCK_CHECK)
				q = b;
		}
		a->reveal = !a->reveal;
		relayout_keep_place(a);
		if (q >= 0 && a->reveal)
			show_block(a, q);
		break;
	}
	case ACT_DEMO: {
		const lesson_block *d = page_demo(a);
		if (d && d->kind == BLOCK_PROJECT)
			ui_open_project(a, (project_kind)project_find(d->id));
		else if (d) {
			size_t k = (size_t)catalog_find_demo(a->cat, d->id);
			if (ui_demo_openable(a, k))	/* else the message says why */
				ui_open_demo(a, k);
		} else {
			ui_set_message(a, _("There is no live demo on this page."));
		}
		break;
	}
	case ACT_FIND:
		ui_open_find(a);
		break;
	case ACT_NEXT_HIT:
	case ACT_PREV_HIT:
		ui_find_step(a, act == ACT_NEXT_HIT ? 1 : -1);
		break;
	case ACT_BACK:
		a->fd_mark = false;
		a->sel = a->lesson;
		a->scr = &ui_menu_screen;
		layout_free(a->lay);
		a->lay = NULL;
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

void ui_open_lesson_at(app *a, size_t idx, size_t page, int block)
{
	ui_open_lesson(a, idx, page);
	a->sel = idx;
	if (block < 0)
		return;
	/* the first line of the block holding the query, a third of the way down the screen */
	size_t line = layout_line_of_block(a->lay, block);
	for (size_t i = line; a->fd_mark && i < layout_count(a->lay) &&
	     layout_at(a->lay, i)->block == block; i++) {
		size_t len;
		char *t = layout_line_text(layout_at(a->lay, i), &len);
		bool has = search_in(t, len, a->fd_query) != NULL;
		free(t);
		if (has) {
			line = i;
			break;
		}
	}
	size_t third = LINES > 12 ? (size_t)body_rows() / 3 : 0;
	a->top = line > third ? line - third : 0;
	if (a->top > max_top(a))
		a->top = max_top(a);
}

static void pager_resize(app *a)
{
	relayout_keep_place(a);
}

const screen ui_pager_screen = {
	.name = "pager",
	.id = SCR_PAGER,
	.draw = pager_draw,
	.key = pager_key,
	.resize = pager_resize,
};
