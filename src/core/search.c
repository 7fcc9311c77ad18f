#include "config.h"

#include "search.h"
#include "layout.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Wide enough that a paragraph lays out as one line: a phrase is never split by wrapping. */
#define UNWRAPPED 100000

typedef struct entry {
	size_t lesson, page;
	int block;
	char *text;
} entry;

struct search_index {
	entry *e;
	size_t n, cap;
};

static void add(search_index *x, size_t li, size_t page, int block, char *text)
{
	grow_array((void **)&x->e, &x->cap, x->n, sizeof *x->e);
	x->e[x->n++] = (entry){ li, page, block, text };
}

search_index *search_index_new(const catalog *c, lang_id lang)
{
	search_index *x = xcalloc(1, sizeof *x);
	layout_opts o = { .width = UNWRAPPED };
	for (size_t li = 0; li < catalog_count(c); li++) {
		const lesson *l = catalog_lesson(c, lang, li);
		for (size_t p = 0; p < lesson_npages(l); p++) {
			add(x, li, p, -1, xstrdup(lesson_page_title(l, p)));
			layout *lay = layout_page(l, p, &o);
			for (size_t i = 0; i < layout_count(lay); i++) {
				const layout_line *ln = layout_at(lay, i);
				if (ln->block < 0)
					continue;
				size_t len;
				char *t = layout_line_text(ln, &len);
				if (strspn(t, " ") < len)
					add(x, li, p, ln->block, t);
				else
					free(t);
			}
			layout_free(lay);
		}
	}
	return x;
}

void search_index_free(search_index *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++)
		free(x->e[i].text);
	free(x->e);
	free(x);
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

const char *search_in(const char *s, size_t n, const char *query)
{
	size_t q = strlen(query);
	if (!q || q > n)
		return NULL;
	for (size_t i = 0; i + q <= n; i++) {
		size_t k = 0;
		while (k < q && lower((unsigned char)s[i + k]) == lower((unsigned char)query[k]))
			k++;
		if (k == q)
			return s + i;
	}
	return NULL;
}

size_t search_find(const search_index *x, const char *query, search_hit **hits)
{
	size_t n = 0, cap = 0;
	*hits = NULL;
	for (size_t i = 0; query && *query && i < x->n; i++) {
		const entry *e = &x->e[i];
		const char *m = search_in(e->text, strlen(e->text), query);
		if (!m)
			continue;
		grow_array((void **)hits, &cap, n, sizeof **hits);
		(*hits)[n++] = (search_hit){ e->lesson, e->page, e->block, e->text,
					     (size_t)(m - e->text) };
	}
	return n;
}
