#include "config.h"

#include "layout.h"
#include "i18n.h"
#include "text.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct layout {
	layout_line *lines;
	size_t count, cap;
};

/* One character of a paragraph being wrapped. */
typedef struct cell {
	uint32_t cp;
	int w;
	text_attr attr;
	const char *p;
	size_t len;
} cell;

typedef struct cells {
	cell *c;
	size_t n, cap;
} cells;

static void cells_add(cells *cs, const char *s, size_t n, text_attr attr)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t l = text_decode(s + i, n - i, &cp);
		if (!l) {
			cp = 0xfffd;
			l = 1;
		}
		grow_array((void **)&cs->c, &cs->cap, cs->n, sizeof *cs->c);
		cs->c[cs->n++] = (cell){ cp, text_cp_width(cp), attr, s + i, l };
		i += l;
	}
}

static bool is_space(const cell *c)
{
	return c->cp == ' ';
}

/* May a line break between cell i-1 and cell i? */
static bool can_break_before(const cell *c, size_t i)
{
	const cell *prev = &c[i - 1], *cur = &c[i];
	if (cur->w == 0)
		return false;
	if (is_space(cur) || is_space(prev))
		return true;
	if (text_no_break_before(cur->cp) || text_no_break_after(prev->cp))
		return false;
	return cur->w == 2 || prev->w == 2;
}

static layout_line *new_line(layout *lay, int block)
{
	grow_array((void **)&lay->lines, &lay->cap, lay->count, sizeof *lay->lines);
	layout_line *ln = &lay->lines[lay->count++];
	memset(ln, 0, sizeof *ln);
	ln->block = block;
	return ln;
}

static void line_add(layout_line *ln, text_attr attr, const char *s, size_t n)
{
	if (n == 0)
		return;
	layout_run *last = ln->nruns ? &ln->runs[ln->nruns - 1] : NULL;
	if (last && last->attr == attr) {
		last->text = xrealloc(last->text, last->len + n + 1);
		memcpy(last->text + last->len, s, n);
		last->len += n;
		last->text[last->len] = '\0';
		return;
	}
	ln->runs = xrealloc(ln->runs, (ln->nruns + 1) * sizeof *ln->runs);
	ln->runs[ln->nruns++] = (layout_run){ attr, xstrndup(s, n), n };
}

/* Greedy wrap of cells into lines of width columns; the first line starts with first_prefix,
 * the others with rest_prefix (both count against the width). */
static void wrap_cells(layout *lay, int block, const cells *cs, int width,
		       const char *first_prefix, const char *rest_prefix, text_attr prefix_attr)
{
	const cell *c = cs->c;
	size_t n = cs->n, start = 0;
	bool first = true;
	while (start < n && is_space(&c[start]))
		start++;
	do {
		const char *prefix = first ? first_prefix : rest_prefix;
		int avail = width - text_width(prefix, strlen(prefix));
		if (avail < 1)
			avail = 1;
		int col = 0;
		size_t i = start, brk = start;
		while (i < n) {
			if (i > start && can_break_before(c, i))
				brk = i;
			if (col + c[i].w > avail && i > start)
				break;
			col += c[i].w;
			i++;
		}
		size_t end = i, next = i;
		if (i < n && !is_space(&c[i]) && brk > start)
			end = next = brk;
		while (end > start && is_space(&c[end - 1]))
			end--;
		layout_line *ln = new_line(lay, block);
		line_add(ln, prefix_attr, prefix, strlen(prefix));
		for (size_t k = start; k < end; k++)
			line_add(ln, c[k].attr, c[k].p, c[k].len);
		start = next;
		while (start < n && is_space(&c[start]))
			start++;
		first = false;
	} while (start < n);
}

static void wrap_string(layout *lay, int block, const char *s, text_attr attr, int width,
			const char *first_prefix, const char *rest_prefix, text_attr prefix_attr)
{
	cells cs = { 0 };
	cells_add(&cs, s, strlen(s), attr);
	wrap_cells(lay, block, &cs, width, first_prefix, rest_prefix, prefix_attr);
	free(cs.c);
}

static void wrap_spans(layout *lay, int block, const lesson_block *b, text_attr base,
		       const layout_opts *o, const char *first_prefix, const char *rest_prefix)
{
	cells cs = { 0 };
	for (size_t i = 0; i < b->nspans; i++) {
		const lesson_span *sp = &b->spans[i];
		text_attr a = sp->kind == SPAN_EMPH ? ATTR_EMPH : sp->kind == SPAN_CODE ? ATTR_CODE : base;
		const char *mark = !o->markup ? NULL : sp->kind == SPAN_EMPH ? "*"
				 : sp->kind == SPAN_CODE ? "`" : NULL;
		if (mark)
			cells_add(&cs, mark, 1, a);
		cells_add(&cs, sp->text, strlen(sp->text), a);
		if (mark)
			cells_add(&cs, mark, 1, a);
	}
	wrap_cells(lay, block, &cs, o->width, first_prefix, rest_prefix, ATTR_MARK);
	free(cs.c);
}

static void code_line(layout *lay, int block, const char *s, int width, bool markup)
{
	layout_line *ln = new_line(lay, block);
	static const char indent[] = "    ";
	int iw = width > 8 && *s ? 4 : 0;
	line_add(ln, ATTR_CODEBLOCK, indent, (size_t)iw);
	size_t n = strlen(s);
	if (markup || text_width(s, n) <= width - iw) {
		line_add(ln, ATTR_CODEBLOCK, s, n);
		return;
	}
	size_t fit = text_fit(s, n, width - iw - 1 > 0 ? width - iw - 1 : 0, NULL);
	line_add(ln, ATTR_CODEBLOCK, s, fit);
	ln->cut = true;
}

static void layout_check(layout *lay, int bi, const lesson_block *b, const layout_opts *o)
{
	int chosen = o->chosen ? o->chosen[bi] : -1;
	bool show = o->reveal || chosen >= 0;
	wrap_string(lay, bi, b->question, ATTR_QUESTION, o->width, "? ", "  ", ATTR_MARK);
	for (size_t i = 0; i < b->nchoices; i++) {
		bool right = show && (int)i == b->answer;
		bool wrong = (int)i == chosen && !right;
		char prefix[16];
		snprintf(prefix, sizeof prefix, "  %d) ", (int)(i + 1));
		wrap_string(lay, bi, b->choices[i], right ? ATTR_ANSWER : ATTR_TEXT, o->width,
			    prefix, "     ", right ? ATTR_ANSWER : ATTR_MARK);
		layout_line *ln = &lay->lines[lay->count - 1];
		if (right)
			line_add(ln, ATTR_ANSWER, o->ascii ? "  <-" : "  ✓", o->ascii ? 4 : 5);
		if ((int)i == chosen) {
			/* TRANSLATORS: marks the choice the student picked in a question. */
			char *m = xasprintf("%s%s", wrong ? (o->ascii ? "  x " : "  ✗ ") : "  ",
					    _("(your answer)"));
			line_add(ln, wrong ? ATTR_EMPH : ATTR_ANSWER, m, strlen(m));
			free(m);
		}
	}
	if (show && b->explain) {
		/* TRANSLATORS: a label before the explanation of a check's answer. */
		char *prefix = xasprintf("  %s ", _("Why:"));
		wrap_string(lay, bi, b->explain, ATTR_TEXT, o->width, prefix, "     ", ATTR_MARK);
		free(prefix);
	} else if (!show && b->hint && (!o->hinted || o->hinted[bi])) {
		char *prefix = xasprintf("  %s ", _("Hint:"));
		wrap_string(lay, bi, b->hint, ATTR_MUTED, o->width, prefix, "     ", ATTR_MUTED);
		free(prefix);
	}
	if (!show && o->reveal_note)
		wrap_string(lay, bi, o->reveal_note, ATTR_MUTED, o->width, "  ", "  ", ATTR_MUTED);
}

layout *layout_page(const lesson *l, size_t page, const layout_opts *o)
{
	layout *lay = xcalloc(1, sizeof *lay);
	layout_opts opts = *o;
	if (opts.width < 1)
		opts.width = 1;
	size_t nb = lesson_nblocks(l, page);
	for (size_t i = 0; i < nb; i++) {
		const lesson_block *b = lesson_block_at(l, page, i);
		int bi = (int)i;
		if (i > 0)
			new_line(lay, -1);
		switch (b->kind) {
		case BLOCK_PARA:
			wrap_spans(lay, bi, b, ATTR_TEXT, &opts, "", "");
			break;
		case BLOCK_HEADING:
			wrap_spans(lay, bi, b, ATTR_HEADING, &opts, "", "");
			break;
		case BLOCK_BULLET:
			wrap_spans(lay, bi, b, ATTR_TEXT, &opts, opts.ascii ? "- " : "• ", "  ");
			break;
		case BLOCK_CODE:
			for (size_t k = 0; k < b->nlines; k++)
				code_line(lay, bi, b->lines[k], opts.width, opts.markup);
			break;
		case BLOCK_DEMO: {
			const char *title = lesson_block_narration(b, "title");
			/* TRANSLATORS: %s is the demo's title. */
			char *s = xasprintf(_("Live demo: %s (press d to run it on the real kernel)"),
					    title ? title : b->id);
			wrap_string(lay, bi, s, ATTR_MUTED, opts.width, opts.ascii ? "> " : "▶ ", "  ", ATTR_MARK);
			free(s);
			break;
		}
		case BLOCK_CHECK:
			layout_check(lay, bi, b, &opts);
			break;
		case BLOCK_PROJECT: {
			/* TRANSLATORS: %s is a project's name as --project takes it (echo, http...). */
			char *s = strcmp(b->id, "client") == 0 ?
				xstrdup(_("Project client: start your own server first, then press d and type its port: this program connects to it (or run: socktutor --project client --port PORT)")) :
				xasprintf(_("Project %s: press d to start it here, then connect your own client from another terminal (or run: socktutor --project %s)"),
					  b->id, b->id);
			wrap_string(lay, bi, s, ATTR_MUTED, opts.width, opts.ascii ? "> " : "▶ ", "  ", ATTR_MARK);
			free(s);
			break;
		}
		}
	}
	return lay;
}

void layout_free(layout *lay)
{
	if (!lay)
		return;
	for (size_t i = 0; i < lay->count; i++) {
		for (size_t k = 0; k < lay->lines[i].nruns; k++)
			free(lay->lines[i].runs[k].text);
		free(lay->lines[i].runs);
	}
	free(lay->lines);
	free(lay);
}

size_t layout_count(const layout *lay)
{
	return lay->count;
}

const layout_line *layout_at(const layout *lay, size_t i)
{
	return &lay->lines[i];
}

size_t layout_line_of_block(const layout *lay, int b)
{
	for (size_t i = 0; i < lay->count; i++)
		if (lay->lines[i].block >= b)
			return i;
	return lay->count ? lay->count - 1 : 0;
}

int layout_block_of(const layout *lay, size_t i)
{
	for (; i < lay->count; i++)
		if (lay->lines[i].block >= 0)
			return lay->lines[i].block;
	return -1;
}

int layout_line_width(const layout_line *ln)
{
	int w = 0;
	for (size_t k = 0; k < ln->nruns; k++)
		w += text_width(ln->runs[k].text, ln->runs[k].len);
	return w;
}

char *layout_line_text(const layout_line *ln, size_t *len)
{
	strbuf sb = { 0 };
	for (size_t k = 0; k < ln->nruns; k++)
		strbuf_add(&sb, ln->runs[k].text, ln->runs[k].len);
	*len = sb.len;
	return strbuf_take(&sb);
}

size_t layout_wrap(const char *text, int width, char ***lines)
{
	layout *lay = xcalloc(1, sizeof *lay);
	wrap_string(lay, 0, text, ATTR_TEXT, width < 1 ? 1 : width, "", "", ATTR_TEXT);
	size_t n = lay->count;
	*lines = xcalloc(n, sizeof **lines);
	for (size_t i = 0; i < n; i++) {
		strbuf sb = { 0 };
		for (size_t k = 0; k < lay->lines[i].nruns; k++)
			strbuf_add(&sb, lay->lines[i].runs[k].text, lay->lines[i].runs[k].len);
		(*lines)[i] = strbuf_take(&sb);
	}
	layout_free(lay);
	return n;
}
