/* libFuzzer harness for the progress file parser (src/core/progress.c): the file lives in the
 * user's state directory, where anything may have written it.
 *
 * progress_open() only reads a path, and on a damaged file renames it; so that no file is
 * ever written, this harness compiles progress.c into itself and calls its parser, parse(),
 * on the input the way progress_open() does (a NUL-terminated copy; a NUL byte inside, or a
 * parse failure, means damage and an empty progress). A progress it accepts is queried
 * with every accessor and changed with every mutator that does not save. */
#include "core/progress.c"

#include "fuzz.h"

#include <stdint.h>

static void query(const progress *p)
{
	for (size_t i = 0; i < p->count; i++) {
		const entry *e = &p->entries[i];
		FUZZ_ASSERT(valid_word(e->lesson));
		FUZZ_ASSERT(find(p, e->lesson) == e);	/* one entry per lesson */
		FUZZ_ASSERT(e->npages <= MAX_PAGES);
		size_t nread = 0;
		for (size_t k = 0; k < e->npages; k++) {
			FUZZ_ASSERT(e->read[k] <= 1);
			nread += e->read[k];
			FUZZ_ASSERT(progress_is_read(p, e->lesson, k) == (e->read[k] != 0));
		}
		FUZZ_ASSERT(progress_pages_read(p, e->lesson, MAX_PAGES) == nread);
		fuzz_sink += progress_state(p, e->lesson, e->npages ? e->npages : 1);
		FUZZ_ASSERT(!progress_is_read(p, e->lesson, e->npages));
		size_t answered, right = progress_score(p, e->lesson, &answered);
		FUZZ_ASSERT(answered == e->nanswers && right <= answered);
		for (size_t k = 0; k < e->nanswers; k++) {
			FUZZ_ASSERT(valid_word(e->akeys[k]));
			FUZZ_ASSERT(progress_answer(p, e->lesson, e->akeys[k]) == e->aright[k]);
		}
	}
	size_t page, step;
	const char *place = progress_place(p, &page);
	if (place) {
		FUZZ_ASSERT(valid_word(place) && page < MAX_PAGES);
		const char *demo = progress_demo(p, &step);
		FUZZ_ASSERT(!demo || (valid_word(demo) && step < MAX_PAGES));
	} else {
		FUZZ_ASSERT(progress_demo(p, NULL) == NULL);
	}
	const char *lang = progress_lang(p);
	FUZZ_ASSERT(!lang || valid_word(lang));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	progress *p = progress_open(NULL, NULL);	/* no path: nothing is read or written */
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	bool ok = strlen(text) == size && parse(p, text);
	free(text);
	if (!ok) {
		clear(p);
		FUZZ_ASSERT(p->count == 0 && !progress_place(p, NULL) && !progress_lang(p));
	}
	query(p);

	/* what the program does next with it */
	if (p->count) {
		char *lesson = xstrdup(p->entries[0].lesson);
		progress_mark_read(p, lesson, 3);
		progress_set_answer(p, lesson, "c-fuzz", true);
		progress_set_place(p, lesson, 2);
		progress_set_demo(p, "handshake", 4);
		query(p);
		progress_reset_lesson(p, lesson);
		FUZZ_ASSERT(!progress_is_read(p, lesson, 3));
		FUZZ_ASSERT(progress_answer(p, lesson, "c-fuzz") == -1);
		FUZZ_ASSERT(progress_place(p, NULL) == NULL);
		free(lesson);
	}
	progress_set_lang(p, "zh_CN");
	FUZZ_ASSERT(progress_save(p, NULL) == 0);	/* no path: writes nothing */
	query(p);
	progress_free(p);
	return 0;
}
