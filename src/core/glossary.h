/* The glossary: terms in English and Chinese, each with a definition in both languages and
 * the lesson that introduces it. Read from DIR/glossary.terms (doc/lesson-format.md,
 * "The glossary"); every problem is reported with file and line. */
#ifndef SOCKTUTOR_GLOSSARY_H
#define SOCKTUTOR_GLOSSARY_H

#include "diag.h"
#include "i18n.h"

#include <stddef.h>

typedef struct glossary_term {
	char *id;
	char *lesson;		/* the lesson id that introduces it */
	int line;
	char *name[LANG_COUNT];
	char *def[LANG_COUNT];
} glossary_term;

typedef struct glossary {
	glossary_term *terms;	/* in file order */
	size_t count;
} glossary;

/* Parses a glossary held in memory; NULL with diagnostics when anything is wrong. */
glossary *glossary_parse(const char *text, size_t len, const char *file, diag_list *errs);
/* Loads path; a missing file gives an empty glossary (a lesson set need not have one). */
glossary *glossary_load(const char *path, diag_list *errs);
void glossary_free(glossary *g);

#endif
