/* Search across the lessons of one language: every page's title and text (prose, headings,
 * bullets, code, questions and their choices), as the reader sees it, without markup. An
 * index is built once per language; each query scans it. */
#ifndef SOCKTUTOR_SEARCH_H
#define SOCKTUTOR_SEARCH_H

#include "catalog.h"

#include <stddef.h>

typedef struct search_index search_index;

typedef struct search_hit {
	size_t lesson, page;
	int block;		/* the page's block holding it; -1: the page's title */
	const char *text;	/* the paragraph or line (owned by the index) */
	size_t at;		/* where the query starts in text (bytes) */
} search_hit;

search_index *search_index_new(const catalog *c, lang_id lang);
void search_index_free(search_index *x);

/* Every paragraph or line holding query (ASCII letters match either case), in lesson and page
 * order, one hit per paragraph. Returns the count; *hits is newly allocated (free it). An
 * empty query finds nothing. */
size_t search_find(const search_index *x, const char *query, search_hit **hits);

/* The first occurrence of query in s[0..n) ignoring ASCII case, or NULL. */
const char *search_in(const char *s, size_t n, const char *query);

#endif
