/* libFuzzer harness for the outline cache (src/core/catalog.c): the file lives in the user's
 * cache directory, where anything may have written it.
 *
 * catalog_open_outline() uses a file only when its first lines are the key of the lesson
 * files on disk; so that any input reaches the reader, this harness compiles catalog.c into
 * itself and gives read_outline() what follows the key, as catalog_open_outline() does (a
 * NUL-terminated copy; a NUL byte inside means the file is not used). An outline it accepts
 * is walked as the menu walks it. */
#include "core/catalog.c"

#include "fuzz.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) != size) {
		free(text);
		return 0;
	}
	catalog *c = xcalloc(1, sizeof *c);
	c->dir = xstrdup("lessons");
	c->base = LANG_EN;
	c->loaded[LANG_EN] = true;
	c->outline = true;
	if (read_outline(c, text)) {
		FUZZ_ASSERT(catalog_is_outline(c) && catalog_count(c) > 0);
		for (size_t i = 0; i < catalog_count(c); i++) {
			const lesson *l = catalog_lesson(c, LANG_EN, i);
			FUZZ_ASSERT(lesson_valid_id(lesson_id(l)));
			FUZZ_ASSERT(catalog_find(c, lesson_id(l)) == (int)i);	/* ids are unique */
			FUZZ_ASSERT(plain_line(lesson_title(l)));
			FUZZ_ASSERT(strncmp(lesson_file(l), "lessons/en/", 11) == 0 &&
				    !strchr(lesson_file(l) + 11, '/'));
			FUZZ_ASSERT(lesson_order(l) >= 0);
			FUZZ_ASSERT(lesson_npages(l) >= 1 && lesson_npages(l) <= 1000);
			for (size_t pg = 0; pg < lesson_npages(l); pg++) {
				FUZZ_ASSERT(plain_line(lesson_page_title(l, pg)));
				FUZZ_ASSERT(lesson_nblocks(l, pg) == 0);
			}
			FUZZ_ASSERT(catalog_questions(c, i) <= 10000);
		}
		for (size_t d = 0; d < catalog_ndemos(c); d++) {
			FUZZ_ASSERT(lesson_valid_id(catalog_demo_id(c, d)));
			FUZZ_ASSERT(catalog_find_demo(c, catalog_demo_id(c, d)) == (int)d);
			size_t li = catalog_demo_lesson(c, d);
			FUZZ_ASSERT(li < catalog_count(c));
			FUZZ_ASSERT(catalog_demo_page(c, d) < lesson_npages(catalog_lesson(c, LANG_EN, li)));
			FUZZ_ASSERT(!catalog_demo_ready(c, d));	/* an outline runs nothing */
		}
		diag_list errs = { 0 };
		FUZZ_ASSERT(catalog_load_lang(c, LANG_ZH_CN, &errs) == -1 && errs.count == 0);
		FUZZ_ASSERT(catalog_save_outline(c, "/nonexistent/outline") == -1);
	}
	catalog_free(c);
	free(text);
	return 0;
}
