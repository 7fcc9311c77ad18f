/* Page layout: turns a lesson page into display lines of a given width, wrapping prose by
 * display columns (CJK characters take two, combining marks none; Chinese punctuation never
 * starts a line). The pager draws these lines; the plain printer prints them. */
#ifndef SOCKTUTOR_LAYOUT_H
#define SOCKTUTOR_LAYOUT_H

#include "lesson.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum text_attr {
	ATTR_TEXT,
	ATTR_EMPH,
	ATTR_CODE,		/* inline code */
	ATTR_HEADING,
	ATTR_CODEBLOCK,
	ATTR_MARK,		/* bullets, labels, markers */
	ATTR_QUESTION,
	ATTR_ANSWER,
	ATTR_MUTED
} text_attr;

typedef struct layout_run {
	text_attr attr;
	char *text;
	size_t len;
} layout_run;

typedef struct layout_line {
	layout_run *runs;
	size_t nruns;
	int block;		/* index of the block this line belongs to; -1 for spacing */
	bool cut;		/* a code line wider than the page: the rest is not shown */
} layout_line;

typedef struct layout_opts {
	int width;		/* columns; at least 1 */
	bool ascii;		/* ASCII markers only (non-UTF-8 terminals, plain output) */
	bool markup;		/* keep *emphasis* and `code` marks visible (plain text) */
	bool reveal;		/* show check answers and explanations */
	const char *reveal_note;/* shown under an unanswered check; may be NULL */
	/* Interactive checks, indexed by block (NULL: none answered, no hints): the choice the
	 * student made (-1: none yet), and whether the hint was asked for. An answered check
	 * shows the right answer, the student's choice and the explanation. */
	const int *chosen;
	const bool *hinted;
} layout_opts;

typedef struct layout layout;

layout *layout_page(const lesson *l, size_t page, const layout_opts *o);
void layout_free(layout *lay);
size_t layout_count(const layout *lay);
const layout_line *layout_at(const layout *lay, size_t i);
/* First line of block b (or the nearest block after it); 0 when there is none. */
size_t layout_line_of_block(const layout *lay, int b);
/* The block shown at line i, or the next block below it; -1 past the end. */
int layout_block_of(const layout *lay, size_t i);
/* Columns a line occupies. */
int layout_line_width(const layout_line *ln);
/* A line's text, its runs joined (free it); its length in *len. */
char *layout_line_text(const layout_line *ln, size_t *len);

/* Wraps one plain UTF-8 string to width columns. Returns the number of lines and stores
 * newly allocated strings in *lines (free each, then the array). */
size_t layout_wrap(const char *text, int width, char ***lines);

#endif
