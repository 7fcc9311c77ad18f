/* The glossary screen: every term in English and Chinese, sorted by its English name; the
 * selected term's definition in the current language below the list, with the lesson that
 * introduces it (Enter opens that lesson at the first page that uses the term). Reachable
 * from every screen with T or F3; T, q or Esc return to where the student was. */
#include "config.h"

#include "ui.h"
#include "core/text.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const glossary *gl(const app *a)
{
	return catalog_glossary(a->cat);
}

/* Terms in display order: by English name, ignoring case. */
static int cmp_term(const void *x, const void *y)
{
	const glossary_term *a = *(const glossary_term *const *)x, *b = *(const glossary_term *const *)y;
	return strcasecmp(a->name[LANG_EN], b->name[LANG_EN]);
}

static int list_rows(void)
{
	int r = (LINES - 3) / 2;
	return r < 1 ? 1 : r;
}

static void glossary_draw(app *a)
{
	const glossary *g = gl(a);
	char *count = xasprintf(ngettext("%zu term", "%zu terms", g->count), g->count);
	ui_draw_bar(0, _("Glossary: English / 中文"), count);
	free(count);
	int margin = COLS >= 60 ? 2 : 1, width = COLS - 2 * margin;
	if (!g->count) {
		const char *m = _("This lesson set has no glossary.");
		ui_draw_text(2, margin, m, strlen(m), width, A_DIM);
		static const key_action hints[] = { ACT_BACK, ACT_HELP, ACT_LANG };
		ui_draw_status(a, hints, ARRAY_SIZE(hints), NULL);
		return;
	}
	const glossary_term **o = a->gl_order;
	size_t rows = (size_t)list_rows();
	if (a->gl_sel >= g->count)
		a->gl_sel = g->count - 1;
	ui_list_show(a->gl_sel, &a->gl_top, rows);
	int half = width / 2;
	for (size_t r = 0; r < rows && a->gl_top + r < g->count; r++) {
		const glossary_term *t = o[a->gl_top + r];
		bool cur = a->gl_top + r == a->gl_sel;
		attr_t base = cur ? A_REVERSE : A_NORMAL;
		int y = 1 + (int)r;
		attrset(base);
		mvhline(y, margin, ' ', width);
		attrset(A_NORMAL);
		ui_draw_text(y, margin + 1, t->name[LANG_EN], strlen(t->name[LANG_EN]), half - 2, base | A_BOLD);
		ui_draw_text(y, margin + half, t->name[LANG_ZH_CN], strlen(t->name[LANG_ZH_CN]), width - half - 1,
			     base | (a->utf8 ? 0 : A_DIM));
	}
	/* the selected term */
	const glossary_term *t = o[a->gl_sel];
	int y = 2 + list_rows();
	attrset(ui_attr(a, ATTR_MARK));
	mvhline(y - 1, margin, a->utf8 ? ACS_HLINE : '-', width);
	attrset(A_NORMAL);
	int li = catalog_find(a->cat, t->lesson);
	const lesson *l = li >= 0 ? catalog_lesson(a->cat, a->lang, (size_t)li) : NULL;
	char *head = xasprintf("%s / %s", t->name[LANG_EN], t->name[LANG_ZH_CN]);
	ui_draw_text(y, margin, head, strlen(head), width, ui_attr(a, ATTR_HEADING));
	free(head);
	char **lines;
	size_t nl = layout_wrap(t->def[a->lang], width, &lines);
	int last = LINES - 3;
	for (size_t i = 0; i < nl; i++) {
		if (y + 1 + (int)i < last)
			ui_draw_text(y + 1 + (int)i, margin, lines[i], strlen(lines[i]), width, A_NORMAL);
		free(lines[i]);
	}
	free(lines);
	if (l) {
		/* TRANSLATORS: %d is the lesson's number, %s its title. */
		char *m = xasprintf(_("Introduced in lesson %d, %s (Enter opens it)"), lesson_order(l), lesson_title(l));
		ui_draw_text(last, margin, m, strlen(m), width, A_DIM);
		free(m);
	}
	static const key_action hints[] = { ACT_OPEN, ACT_BACK, ACT_HELP, ACT_LANG };
	char right[32];
	snprintf(right, sizeof right, "%zu/%zu", a->gl_sel + 1, g->count);
	ui_draw_status(a, hints, ARRAY_SIZE(hints), right);
}

/* The first page of lesson li whose prose mentions name; 0 when none does. */
static size_t page_of(const lesson *l, const char *name)
{
	for (size_t p = 0; p < lesson_npages(l); p++) {
		if (strcasestr(lesson_page_title(l, p), name))
			return p;
		for (size_t b = 0; b < lesson_nblocks(l, p); b++) {
			const lesson_block *blk = lesson_block_at(l, p, b);
			for (size_t s = 0; s < blk->nspans; s++)
				if (strcasestr(blk->spans[s].text, name))
					return p;
		}
	}
	return 0;
}

void ui_close_glossary(app *a)
{
	a->scr = a->gl_prev ? a->gl_prev : &ui_menu_screen;
	a->gl_prev = NULL;
	if (a->scr->resize)
		a->scr->resize(a);
}

void ui_open_glossary(app *a)
{
	if (a->scr == &ui_glossary_screen)
		return;
	if (!a->gl_order) {	/* the catalog does not change while the program runs */
		const glossary *g = gl(a);
		a->gl_order = xcalloc(g->count + 1, sizeof *a->gl_order);
		for (size_t i = 0; i < g->count; i++)
			a->gl_order[i] = &g->terms[i];
		qsort(a->gl_order, g->count, sizeof *a->gl_order, cmp_term);
	}
	a->gl_prev = a->scr;
	a->scr = &ui_glossary_screen;
}

static int glossary_key(app *a, key_action act, int key)
{
	const glossary *g = gl(a);
	size_t n = g->count, rows = (size_t)list_rows();
	(void)key;
	if (ui_list_move(&a->gl_sel, n, rows, act))
		return UI_HANDLED | UI_REDRAW;
	switch (act) {
	case ACT_OPEN: {
		if (!n)
			break;
		const glossary_term *t = a->gl_order[a->gl_sel];
		int li = catalog_find(a->cat, t->lesson);
		if (li < 0)
			break;
		if (a->gl_prev == &ui_demo_screen)
			ui_close_demo(a);
		a->gl_prev = NULL;
		const lesson *l = catalog_lesson(a->cat, a->lang, (size_t)li);
		ui_open_lesson(a, (size_t)li, page_of(l, t->name[a->lang]));
		a->sel = (size_t)li;
		break;
	}
	case ACT_QUIT:
	case ACT_BACK:
	case ACT_GLOSSARY:
		ui_close_glossary(a);
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

const screen ui_glossary_screen = {
	.name = "glossary",
	.id = SCR_GLOSSARY,
	.draw = glossary_draw,
	.key = glossary_key,
};
