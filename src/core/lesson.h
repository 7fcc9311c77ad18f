/* A lesson: metadata, pages, and on each page a list of blocks (prose, code, demo, check).
 * lesson_parse() reads the text format described in doc/lesson-format.md; it draws nothing
 * and reports every problem it finds, with file, line and column. */
#ifndef SOCKTUTOR_LESSON_H
#define SOCKTUTOR_LESSON_H

#include "diag.h"

#include <stddef.h>

typedef struct lesson lesson;

typedef enum span_kind {
	SPAN_TEXT,
	SPAN_EMPH,
	SPAN_CODE
} span_kind;

typedef struct lesson_span {
	span_kind kind;
	char *text;		/* markers removed, escapes resolved */
} lesson_span;

typedef enum block_kind {
	BLOCK_PARA,
	BLOCK_HEADING,
	BLOCK_BULLET,
	BLOCK_CODE,
	BLOCK_DEMO,
	BLOCK_CHECK,
	BLOCK_PROJECT		/* @project NAME: a project server to start from the page (id) */
} block_kind;

/* Read-only view of one block; owned by its lesson. */
typedef struct lesson_block {
	block_kind kind;
	int line;		/* line where the block starts */
	/* BLOCK_PARA, BLOCK_HEADING, BLOCK_BULLET */
	lesson_span *spans;
	size_t nspans;
	/* BLOCK_CODE (lines shown verbatim, tabs expanded) and BLOCK_DEMO (reserved body) */
	char **lines;
	int *line_nos;
	size_t nlines;
	char *lang;		/* code: "c", "python", ... or NULL */
	/* BLOCK_DEMO and BLOCK_CHECK; BLOCK_PROJECT: the project's name */
	char *id;
	/* BLOCK_DEMO: narration by scene name ("title" is the demo's title) */
	char **narr_keys;
	char **narr_texts;
	int *narr_lines;
	size_t nnarr;
	/* BLOCK_CHECK */
	char *question;
	char **choices;
	size_t nchoices;
	int answer;		/* index into choices */
	char *hint;		/* may be NULL */
	char *explain;		/* may be NULL */
} lesson_block;

/* Parses a lesson held in memory. file is used in diagnostics only. Returns NULL and adds
 * at least one diagnostic to errs when the text is not a valid lesson. */
lesson *lesson_parse(const char *text, size_t len, const char *file, diag_list *errs);

/* Reads and parses a lesson file. */
lesson *lesson_load(const char *path, diag_list *errs);

/* A lesson of which only the outline is known: its id, order, title and page titles, no
 * page content (what the menu shows before the lesson files are read: catalog.h). */
lesson *lesson_outline(const char *file, const char *id, int order, const char *title,
		       size_t npages, char *const *page_titles);

void lesson_free(lesson *l);

const char *lesson_id(const lesson *l);
const char *lesson_title(const lesson *l);
int lesson_order(const lesson *l);
const char *lesson_file(const lesson *l);
int lesson_id_line(const lesson *l);

size_t lesson_npages(const lesson *l);
const char *lesson_page_title(const lesson *l, size_t page);
int lesson_page_line(const lesson *l, size_t page);
size_t lesson_nblocks(const lesson *l, size_t page);
const lesson_block *lesson_block_at(const lesson *l, size_t page, size_t block);

/* Compares the structure of two translations of one lesson (pages, demo and check blocks);
 * reports the first difference on b's file. Returns 0 when they match. */
int lesson_compare_structure(const lesson *a, const lesson *b, diag_list *errs);

/* A demo block's narration for a scene (or "title"), or NULL. */
const char *lesson_block_narration(const lesson_block *b, const char *key);

/* True when s is a valid lesson, demo or check id. */
int lesson_valid_id(const char *s);

/* The projects a lesson may name in @project (the names socktutor --project takes); NULL
 * past the end. src/net/project.c has a server for each (a test checks they agree). */
const char *lesson_project_at(size_t i);

#endif
