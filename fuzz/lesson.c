/* libFuzzer harness for the lesson parser (src/core/lesson.c): a lesson file is written by a
 * teacher and may come from anywhere. The input is handed to lesson_parse() exactly as
 * given (not NUL-terminated: the parser must stay within len); a lesson it accepts is walked
 * with every public accessor and checked against what lesson.h and doc/lesson-format.md
 * promise, then freed. */
#include "config.h"

#include "fuzz.h"

#include "lesson.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* as the program and the tests run: a UTF-8 character type, English messages */
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

static void walk_block(const lesson_block *b)
{
	FUZZ_ASSERT(b->line >= 1);
	switch (b->kind) {
	case BLOCK_PARA:
	case BLOCK_HEADING:
	case BLOCK_BULLET:
		FUZZ_ASSERT(b->nspans == 0 || b->spans != NULL);
		for (size_t i = 0; i < b->nspans; i++) {
			FUZZ_ASSERT(b->spans[i].kind == SPAN_TEXT || b->spans[i].kind == SPAN_EMPH ||
				    b->spans[i].kind == SPAN_CODE);
			fuzz_use(b->spans[i].text);
		}
		break;
	case BLOCK_CODE:
		for (size_t i = 0; i < b->nlines; i++) {
			fuzz_use(b->lines[i]);
			FUZZ_ASSERT(b->line_nos[i] > b->line);
			FUZZ_ASSERT(strchr(b->lines[i], '\t') == NULL);	/* tabs are expanded */
		}
		if (b->lang)
			fuzz_use(b->lang);
		break;
	case BLOCK_DEMO:
		fuzz_use(b->id);
		FUZZ_ASSERT(lesson_valid_id(b->id));
		for (size_t i = 0; i < b->nlines; i++) {
			fuzz_use(b->lines[i]);
			FUZZ_ASSERT(b->line_nos[i] > b->line);
		}
		for (size_t i = 0; i < b->nnarr; i++) {
			fuzz_use(b->narr_keys[i]);
			fuzz_use(b->narr_texts[i]);
			FUZZ_ASSERT(b->narr_lines[i] > b->line);
			/* keys are unique: the lookup finds this very text */
			FUZZ_ASSERT(lesson_block_narration(b, b->narr_keys[i]) == b->narr_texts[i]);
		}
		FUZZ_ASSERT(lesson_block_narration(b, "title") != NULL);
		break;
	case BLOCK_CHECK:
		fuzz_use(b->id);
		FUZZ_ASSERT(lesson_valid_id(b->id));
		fuzz_use(b->question);
		FUZZ_ASSERT(b->nchoices >= 2 && b->nchoices <= 9);
		FUZZ_ASSERT(b->answer >= 0 && (size_t)b->answer < b->nchoices);
		for (size_t i = 0; i < b->nchoices; i++)
			fuzz_use(b->choices[i]);
		if (b->hint)
			fuzz_use(b->hint);
		if (b->explain)
			fuzz_use(b->explain);
		break;
	case BLOCK_PROJECT: {
		fuzz_use(b->id);
		int known = 0;
		for (size_t i = 0; lesson_project_at(i); i++)
			known |= strcmp(lesson_project_at(i), b->id) == 0;
		FUZZ_ASSERT(known);
		break;
	}
	default:
		FUZZ_ASSERT(!"unknown block kind");
	}
}

static void walk(const lesson *l)
{
	fuzz_use(lesson_id(l));
	FUZZ_ASSERT(lesson_valid_id(lesson_id(l)));
	fuzz_use(lesson_title(l));
	FUZZ_ASSERT(lesson_order(l) >= 0 && lesson_order(l) <= 9999);
	fuzz_use(lesson_file(l));
	FUZZ_ASSERT(lesson_id_line(l) >= 1);
	size_t np = lesson_npages(l);
	FUZZ_ASSERT(np >= 1);
	for (size_t pg = 0; pg < np; pg++) {
		fuzz_use(lesson_page_title(l, pg));
		FUZZ_ASSERT(lesson_page_line(l, pg) >= 1);
		size_t nb = lesson_nblocks(l, pg);
		FUZZ_ASSERT(nb >= 1);	/* every page has some content */
		for (size_t k = 0; k < nb; k++)
			walk_block(lesson_block_at(l, pg, k));
	}
	/* a lesson has the same structure as itself */
	diag_list errs;
	memset(&errs, 0, sizeof errs);
	FUZZ_ASSERT(lesson_compare_structure(l, l, &errs) == 0);
	FUZZ_ASSERT(errs.count == 0);
	diag_clear(&errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	diag_list errs;
	memset(&errs, 0, sizeof errs);
	lesson *l = lesson_parse((const char *)data, size, "fuzz.lesson", &errs);
	/* NULL exactly when something was reported */
	FUZZ_ASSERT((l == NULL) == (errs.count > 0));
	for (size_t i = 0; i < errs.count; i++) {
		fuzz_use(errs.items[i].file);
		fuzz_use(errs.items[i].msg);
		FUZZ_ASSERT(errs.items[i].line >= 0 && errs.items[i].col >= 0);
	}
	if (l)
		walk(l);
	lesson_free(l);
	diag_clear(&errs);
	return 0;
}
