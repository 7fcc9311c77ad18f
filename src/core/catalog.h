/* The lesson set: every lesson in every language, loaded from DIR/en and DIR/zh_CN,
 * sorted by order and checked so that each lesson exists in both languages with the
 * same structure. */
#ifndef SOCKTUTOR_CATALOG_H
#define SOCKTUTOR_CATALOG_H

#include "diag.h"
#include "glossary.h"
#include "i18n.h"
#include "lesson.h"
#include "script.h"

typedef struct catalog catalog;

/* Loads and checks the lesson set, every language kept in memory. Returns NULL (with
 * diagnostics) when anything is wrong: a lesson set is shown only when all of it is valid. */
catalog *catalog_load(const char *dir, diag_list *errs);
/* The same checks, but only the lessons of lang are kept: the other languages are read one
 * lesson at a time, checked against it and forgotten (about half the memory, for a program
 * that shows one language at a time). */
catalog *catalog_open(const char *dir, lang_id lang, diag_list *errs);
/* Reads and keeps the lessons of another language (checked again, since the files may have
 * changed since): 0, or -1 with diagnostics and nothing changed. Nothing to do when they are
 * kept already. catalog_lesson() and catalog_demo_block() of a language need it first. */
int catalog_load_lang(catalog *c, lang_id lang, diag_list *errs);
bool catalog_has_lang(const catalog *c, lang_id lang);
void catalog_free(catalog *c);

/* The outline: what the menu shows of a lesson set in one language (lessons with their
 * titles, page titles and number of questions; the demos' places), kept in a cache file
 * (path: catalog_outline_path()) so that a start can draw the menu before it reads and
 * checks the lessons. catalog_open_outline() returns NULL, quietly, unless the file was
 * made by this very program file from these lesson and demo files (same sizes and times)
 * and reads back whole. Lessons of an outline have no page content and its demos no
 * scripts: only the menu may be drawn from it, then catalog_complete() reads and checks
 * the set as catalog_open() does and puts it in place (0), or leaves the outline and
 * returns -1 with diagnostics when the set has errors. catalog_save_outline() writes the
 * outline of a complete set (only when it changed): 0 or -1 with errno. */
char *catalog_outline_path(lang_id lang);
catalog *catalog_open_outline(const char *dir, lang_id lang, const char *path);
bool catalog_is_outline(const catalog *c);
int catalog_complete(catalog *c, diag_list *errs);
int catalog_save_outline(const catalog *c, const char *path);

/* Lessons are numbered 0..count-1 in menu order; index i is the same lesson in each language
 * (of those loaded). */
size_t catalog_count(const catalog *c);
const lesson *catalog_lesson(const catalog *c, lang_id lang, size_t i);
/* Index of the lesson with this id, or -1. */
int catalog_find(const catalog *c, const char *id);

/* The glossary (DIR/glossary.terms; empty when the set has none). Every term's lesson
 * exists (checked on load). */
const glossary *catalog_glossary(const catalog *c);

/* Demos: DIR/demos/ID.demo for each '@demo ID' block, numbered in course order. */
/* The questions of lesson i: its checks and the predictions of its demos. */
size_t catalog_questions(const catalog *c, size_t i);
size_t catalog_ndemos(const catalog *c);
/* A catalog_open() set keeps only what its demos are called and how many questions they
 * ask; catalog_demo_ready() reads the script again (checked as at the start: false when
 * the file has been broken since) and keeps it. catalog_demo() needs it first. */
bool catalog_demo_ready(const catalog *c, size_t i);
const script *catalog_demo(const catalog *c, size_t i);
const char *catalog_demo_id(const catalog *c, size_t i);
int catalog_find_demo(const catalog *c, const char *id);
size_t catalog_demo_lesson(const catalog *c, size_t i);
size_t catalog_demo_page(const catalog *c, size_t i);
/* The block holding the demo's title and narration in a language. */
const lesson_block *catalog_demo_block(const catalog *c, lang_id lang, size_t i);

#endif
