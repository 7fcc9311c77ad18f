/* The lesson set: every lesson in every language, loaded from DIR/en and DIR/zh_CN,
 * sorted by order and checked so that each lesson exists in both languages with the
 * same structure. */
#ifndef SOCKTUTOR_CATALOG_H
#define SOCKTUTOR_CATALOG_H

#include "diag.h"
#include "i18n.h"
#include "lesson.h"

typedef struct catalog catalog;

/* Loads and checks the lesson set. Returns NULL (with diagnostics) when anything is wrong:
 * a lesson set is shown only when all of it is valid. */
catalog *catalog_load(const char *dir, diag_list *errs);
void catalog_free(catalog *c);

/* Lessons are numbered 0..count-1 in menu order; index i is the same lesson in each language. */
size_t catalog_count(const catalog *c);
const lesson *catalog_lesson(const catalog *c, lang_id lang, size_t i);
/* Index of the lesson with this id, or -1. */
int catalog_find(const catalog *c, const char *id);

#endif
