#include "config.h"

#include "suites.h"
#include "core/catalog.h"
#include "core/search.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

START_TEST(loads_both_languages)
{
	diag_list errs = { 0 };
	catalog *c = catalog_load(test_data("set-ok"), &errs);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(catalog_count(c), 1);
	ck_assert_str_eq(lesson_title(catalog_lesson(c, LANG_EN, 0)), "A sample lesson");
	ck_assert_str_eq(lesson_title(catalog_lesson(c, LANG_ZH_CN, 0)), "示例课程");
	ck_assert_int_eq(catalog_find(c, "sample"), 0);
	ck_assert_int_eq(catalog_find(c, "nope"), -1);
	catalog_free(c);
}
END_TEST

/* catalog_load() keeps every language, catalog_open() one (the others are read lesson by
 * lesson, checked and forgotten); the verdict must not depend on which: _i is 0 for
 * catalog_load(), 1 + the language for catalog_open() */
static catalog *open_either(int how, const char *dir, diag_list *errs)
{
	return how == 0 ? catalog_load(dir, errs) : catalog_open(dir, (lang_id)(how - 1), errs);
}

START_TEST(reports_missing_translation_and_structure)
{
	diag_list errs = { 0 };
	catalog *c = open_either(_i, test_data("set-mismatch"), &errs);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(errs.count, 2);
	bool missing = false, structure = false;
	for (size_t i = 0; i < errs.count; i++) {
		if (strstr(errs.items[i].msg, "lesson 'other' has no zh_CN version")) {
			missing = true;
			ck_assert_ptr_nonnull(strstr(errs.items[i].file, "en/other.lesson"));
			ck_assert_int_eq(errs.items[i].line, 1);
		}
		if (strstr(errs.items[i].msg, "check 'ipv6-bits'")) {
			structure = true;
			ck_assert_ptr_nonnull(strstr(errs.items[i].file, "zh_CN/sample.lesson"));
		}
	}
	ck_assert(missing);
	ck_assert(structure);
	diag_clear(&errs);
}
END_TEST

START_TEST(open_keeps_one_language)
{
	for (int base = 0; base < LANG_COUNT; base++) {
		lang_id other = base == LANG_EN ? LANG_ZH_CN : LANG_EN;
		diag_list errs = { 0 };
		catalog *c = catalog_open(test_data("set-ok"), (lang_id)base, &errs);
		ck_assert_ptr_nonnull(c);
		ck_assert(catalog_has_lang(c, (lang_id)base));
		ck_assert(!catalog_has_lang(c, other));
		ck_assert_uint_eq(catalog_count(c), 1);
		ck_assert_int_eq(catalog_find(c, "sample"), 0);
		ck_assert_uint_eq(catalog_ndemos(c), 1);
		ck_assert_ptr_nonnull(catalog_demo_block(c, (lang_id)base, 0));
		ck_assert_ptr_null(catalog_demo_block(c, other, 0));
		/* the other language, on demand (a language switch) */
		ck_assert_int_eq(catalog_load_lang(c, other, &errs), 0);
		ck_assert_uint_eq(errs.count, 0);
		ck_assert(catalog_has_lang(c, other));
		ck_assert_str_eq(lesson_title(catalog_lesson(c, LANG_EN, 0)), "A sample lesson");
		ck_assert_str_eq(lesson_title(catalog_lesson(c, LANG_ZH_CN, 0)), "示例课程");
		ck_assert_ptr_nonnull(catalog_demo_block(c, other, 0));
		catalog_free(c);
	}
}
END_TEST

/* A copy of tests/data/set-ok in dir (a mkdtemp() template), opened in English, so that a
 * test may break its files; close_copy() frees it and removes the copy. */
static catalog *open_copy(char *dir, diag_list *errs)
{
	char cmd[8192];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "cp -R '%s/.' '%s'", test_data("set-ok"), dir);
	ck_assert_int_eq(system(cmd), 0);
	catalog *c = catalog_open(dir, LANG_EN, errs);
	ck_assert_ptr_nonnull(c);
	return c;
}

static void close_copy(catalog *c, const char *dir)
{
	char cmd[128];
	catalog_free(c);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *path, const char *text, const char *mode)
{
	FILE *f = fopen(path, mode);
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* The copy's Chinese lesson gets an unknown directive; assert_broken_chinese() checks that
 * the diagnostics name it. */
static void break_chinese(const char *dir)
{
	char path[128];
	snprintf(path, sizeof path, "%s/zh_CN/sample.lesson", dir);
	write_file(path, "@bogus\n", "a");
}

static void assert_broken_chinese(const diag_list *errs)
{
	ck_assert_uint_ge(errs->count, 1);
	ck_assert_ptr_nonnull(strstr(errs->items[0].msg, "unknown directive '@bogus'"));
	ck_assert_ptr_nonnull(strstr(errs->items[0].file, "zh_CN/sample.lesson"));
}

/* A language switch after the other language's files were broken: refused, and the language
 * in use goes on as before. */
START_TEST(load_lang_refuses_files_broken_since)
{
	char dir[] = "/tmp/socktutor-catalog.XXXXXX";
	diag_list errs = { 0 };
	catalog *c = open_copy(dir, &errs);
	break_chinese(dir);
	ck_assert_int_eq(catalog_load_lang(c, LANG_ZH_CN, &errs), -1);
	assert_broken_chinese(&errs);
	ck_assert(!catalog_has_lang(c, LANG_ZH_CN));
	ck_assert_str_eq(lesson_title(catalog_lesson(c, LANG_EN, 0)), "A sample lesson");
	ck_assert_ptr_nonnull(catalog_demo_block(c, LANG_EN, 0));
	diag_clear(&errs);
	close_copy(c, dir);
}
END_TEST

/* catalog_open() keeps no script: a demo is read again when it opens, checked as at the
 * start, and kept; a file broken in between is refused. */
START_TEST(demo_read_when_opened)
{
	char dir[] = "/tmp/socktutor-catalog.XXXXXX", cmd[512], path[128];
	diag_list errs = { 0 };
	catalog *c = open_copy(dir, &errs);
	ck_assert_uint_eq(catalog_ndemos(c), 1);
	ck_assert_str_eq(catalog_demo_id(c, 0), "tcp-echo");
	ck_assert_int_eq(catalog_find_demo(c, "tcp-echo"), 0);
	size_t nq = catalog_questions(c, 0);
	/* broken since: a scene the narration does not know */
	snprintf(path, sizeof path, "%s/demos/tcp-echo.demo", dir);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s.good' && printf 'scene unnarrated\\nwait 1\\n' >>'%s'",
		 path, path, path);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert(!catalog_demo_ready(c, 0));
	snprintf(cmd, sizeof cmd, "mv '%s.good' '%s'", path, path);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert(catalog_demo_ready(c, 0));
	ck_assert_str_eq(catalog_demo(c, 0)->id, "tcp-echo");
	ck_assert_uint_eq(catalog_questions(c, 0), nq);
	/* kept: the file may go now */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert(catalog_demo_ready(c, 0));
	ck_assert_uint_gt(catalog_demo(c, 0)->nsteps, 0);
	close_copy(c, dir);
}
END_TEST

/* An outline draws the same menu as the lessons it was made from. */
static void assert_same_menu(const catalog *o, const catalog *c, lang_id lang)
{
	ck_assert_uint_eq(catalog_count(o), catalog_count(c));
	for (size_t i = 0; i < catalog_count(c); i++) {
		const lesson *a = catalog_lesson(o, lang, i), *b = catalog_lesson(c, lang, i);
		ck_assert_str_eq(lesson_id(a), lesson_id(b));
		ck_assert_str_eq(lesson_title(a), lesson_title(b));
		ck_assert_str_eq(lesson_file(a), lesson_file(b));
		ck_assert_int_eq(lesson_order(a), lesson_order(b));
		ck_assert_uint_eq(lesson_npages(a), lesson_npages(b));
		for (size_t pg = 0; pg < lesson_npages(b); pg++)
			ck_assert_str_eq(lesson_page_title(a, pg), lesson_page_title(b, pg));
		ck_assert_uint_eq(catalog_questions(o, i), catalog_questions(c, i));
	}
	ck_assert_uint_eq(catalog_ndemos(o), catalog_ndemos(c));
	for (size_t d = 0; d < catalog_ndemos(c); d++) {
		ck_assert_str_eq(catalog_demo_id(o, d), catalog_demo_id(c, d));
		ck_assert_uint_eq(catalog_demo_lesson(o, d), catalog_demo_lesson(c, d));
		ck_assert_uint_eq(catalog_demo_page(o, d), catalog_demo_page(c, d));
	}
}

static void shipped_dir(char *dir, size_t n)
{
	snprintf(dir, n, "%s/../../lessons", test_data(""));
}

/* The course's outline in each language: saved, read back as the same menu, completed into
 * the lessons themselves; saved again unchanged, the file is left as it is. */
START_TEST(outline_round_trip)
{
	char dir[4096], tmp[] = "/tmp/socktutor-outline.XXXXXX", path[128];
	shipped_dir(dir, sizeof dir);
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(path, sizeof path, "%s/cache/socktutor/outline", tmp);
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		diag_list errs = { 0 };
		catalog *c = catalog_open(dir, (lang_id)lang, &errs);
		ck_assert_ptr_nonnull(c);
		ck_assert(!catalog_is_outline(c));
		ck_assert_ptr_null(catalog_open_outline(dir, (lang_id)lang, path));	/* none yet */
		ck_assert_int_eq(catalog_save_outline(c, path), 0);
		struct stat before, after;
		ck_assert_int_eq(stat(path, &before), 0);

		catalog *o = catalog_open_outline(dir, (lang_id)lang, path);
		ck_assert_ptr_nonnull(o);
		ck_assert(catalog_is_outline(o));
		assert_same_menu(o, c, (lang_id)lang);
		/* nothing but the menu: no page content, no script, no other language */
		ck_assert_uint_eq(lesson_nblocks(catalog_lesson(o, (lang_id)lang, 0), 0), 0);
		ck_assert(!catalog_demo_ready(o, 0));
		ck_assert_int_eq(catalog_load_lang(o, lang == LANG_EN ? LANG_ZH_CN : LANG_EN, &errs), -1);

		ck_assert_int_eq(catalog_complete(o, &errs), 0);
		ck_assert_uint_eq(errs.count, 0);
		ck_assert(!catalog_is_outline(o));
		assert_same_menu(o, c, (lang_id)lang);
		ck_assert_uint_gt(lesson_nblocks(catalog_lesson(o, (lang_id)lang, 0), 0), 0);
		ck_assert(catalog_demo_ready(o, 0));
		ck_assert_uint_gt(catalog_glossary(o)->count, 0);

		ck_assert_int_eq(catalog_save_outline(o, path), 0);
		ck_assert_int_eq(stat(path, &after), 0);
		ck_assert_uint_eq(after.st_ino, before.st_ino);
		ck_assert_int_eq(catalog_save_outline(o, NULL), -1);	/* no place for it */
		catalog_free(o);
		catalog_free(c);
		unlink(path);
	}
	snprintf(path, sizeof path, "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/* The saved outline with its text edited by sed (an expression), read back. */
static catalog *outline_edited(const char *dir, const char *path, const char *sed)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s.x' && sed -i '%s' '%s.x'", path, path, sed, path);
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
	snprintf(cmd, sizeof cmd, "%s.x", path);
	return catalog_open_outline(dir, LANG_EN, cmd);
}

/* An outline is not used once anything it was made from differs, nor when it does not read
 * back whole: the menu it would draw could be wrong. */
START_TEST(outline_not_used_when_anything_differs)
{
	char dir[] = "/tmp/socktutor-catalog.XXXXXX", path[128], file[128];
	diag_list errs = { 0 };
	catalog *c = open_copy(dir, &errs);
	snprintf(path, sizeof path, "%s/outline", dir);
	ck_assert_int_eq(catalog_save_outline(c, path), 0);
	catalog *o = catalog_open_outline(dir, LANG_EN, path);
	ck_assert_ptr_nonnull(o);
	catalog_free(o);
	ck_assert_ptr_null(catalog_open_outline(dir, LANG_ZH_CN, path));	/* another language */

	/* the cache itself: each edit makes it unusable */
	static const char *const edits[] = {
		"$d",				/* cut short: no "end" */
		"s/^end$/end\\nlesson 9 1 0 x x.lesson/",	/* something after the end */
		"s/^program [0-9]*/program 1/",	/* made by another build */
		"s/^title .*/title A \\x1b[2J title/",	/* a control character */
		"s/^title .*/title /",		/* empty */
		"s/^lesson \\([0-9]*\\) [0-9]*/lesson \\1 0/",	/* no pages */
		"s/^lesson \\([0-9]*\\) [0-9]*/lesson \\1 9/",	/* more pages than follow */
		"s/^demo 0 /demo 7 /",		/* a demo in a lesson that is not there */
		"s/^demo 0 [0-9]*/demo 0 99/",	/* on a page that is not there */
		"s|^demo \\(.*\\) tcp-echo|demo \\1 ../x|",	/* an id that is no id */
		"s/^lesson \\(.*\\) sample\\.lesson/lesson \\1 ..\\/x/",	/* a path */
		"s/^lesson/lessen/",
		"s/^lesson [0-9]*/lesson -1/",	/* numbers: negative, too large, not digits */
		"s/^lesson \\([0-9]*\\) [0-9]*/lesson \\1 99999999999999999999/",
		"s/^demo 0 \\([0-9]*\\) [0-9]*/demo 0 \\1 -5/",
		"s/^demo 0 /demo +0 /",
		/* a second lesson with the first one's id */
		"s/^\\(demo 0 .*\\)$/lesson 1 1 0 sample x.lesson\\ntitle T\\npage P\\n\\1/",
	};
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		o = outline_edited(dir, path, edits[i]);
		ck_assert_msg(o == NULL, "edit %zu (%s) was not noticed", i, edits[i]);
	}
	/* the controls: edits that keep it whole are taken */
	o = outline_edited(dir, path, "s/^title .*/title Another title/");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(lesson_title(catalog_lesson(o, LANG_EN, 0)), "Another title");
	catalog_free(o);
	o = outline_edited(dir, path,
			   "s/^\\(demo 0 .*\\)$/lesson 1 1 0 other x.lesson\\ntitle T\\npage P\\n\\1/");
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(catalog_count(o), 2);
	catalog_free(o);

	/* the lessons and demos: an edited lesson (same size), a new file, a demo removed */
	snprintf(file, sizeof file, "%s/en/sample.lesson", dir);
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1000000000, 5 } };
	ck_assert_int_eq(utimensat(AT_FDCWD, file, ts, 0), 0);
	ck_assert_ptr_null(catalog_open_outline(dir, LANG_EN, path));
	ck_assert_int_eq(catalog_save_outline(c, path), 0);
	ck_assert_ptr_nonnull(o = catalog_open_outline(dir, LANG_EN, path));
	catalog_free(o);
	snprintf(file, sizeof file, "%s/en/zz-new.lesson", dir);
	write_file(file, "@id new\n", "w");
	ck_assert_ptr_null(catalog_open_outline(dir, LANG_EN, path));
	ck_assert_int_eq(unlink(file), 0);
	ck_assert_ptr_null(catalog_open_outline(dir, LANG_EN, path));	/* the directory's time */
	ck_assert_int_eq(catalog_save_outline(c, path), 0);
	snprintf(file, sizeof file, "%s/demos/tcp-echo.demo", dir);
	ck_assert_int_eq(unlink(file), 0);
	ck_assert_ptr_null(catalog_open_outline(dir, LANG_EN, path));
	close_copy(c, dir);
}
END_TEST

/* The other language is not part of an outline: broken, it is found when the outline is
 * completed, which reports it as the start without an outline would. */
START_TEST(outline_complete_reports_errors)
{
	char dir[] = "/tmp/socktutor-catalog.XXXXXX", path[128];
	diag_list errs = { 0 };
	catalog *c = open_copy(dir, &errs);
	snprintf(path, sizeof path, "%s/outline", dir);
	ck_assert_int_eq(catalog_save_outline(c, path), 0);
	break_chinese(dir);
	catalog *o = catalog_open_outline(dir, LANG_EN, path);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(catalog_complete(o, &errs), -1);
	assert_broken_chinese(&errs);
	ck_assert(catalog_is_outline(o));
	diag_clear(&errs);
	catalog_free(o);
	close_copy(c, dir);
}
END_TEST

START_TEST(shipped_lessons_are_valid)
{
	char dir[4096];
	const char *t = test_data("");
	snprintf(dir, sizeof dir, "%s/../../lessons", t);
	diag_list errs = { 0 };
	catalog *c = catalog_load(dir, &errs);
	ck_assert_msg(c != NULL, "%s:%d:%d: %s", errs.count ? errs.items[0].file : "",
		      errs.count ? errs.items[0].line : 0, errs.count ? errs.items[0].col : 0,
		      errs.count ? errs.items[0].msg : "");
	ck_assert_uint_ge(catalog_count(c), 2);
	ck_assert_int_ge(catalog_find(c, "addresses"), 0);
	ck_assert_int_ge(catalog_find(c, "socket"), 0);
	/* every lesson of the course: a live demo with a prediction, and at least 3 checks */
	static const char *const unfinished[] = { NULL };
	for (size_t i = 0; i < catalog_count(c); i++) {
		const lesson *l = catalog_lesson(c, LANG_EN, i);
		bool skip = false;
		for (size_t k = 0; unfinished[k]; k++)
			skip |= strcmp(unfinished[k], lesson_id(l)) == 0;
		if (skip)
			continue;
		size_t demos = 0, predicts = 0;
		for (size_t d = 0; d < catalog_ndemos(c); d++)
			if (catalog_demo_lesson(c, d) == i) {
				demos++;
				predicts += catalog_demo(c, d)->npredicts;
			}
		size_t checks = catalog_questions(c, i) - predicts;
		ck_assert_msg(demos >= 1, "lesson %s has no live demo", lesson_id(l));
		ck_assert_msg(predicts >= 1, "lesson %s has no prediction in its demos", lesson_id(l));
		ck_assert_msg(checks >= 3, "lesson %s has %zu checks, fewer than 3", lesson_id(l), checks);
	}
	/* the glossary: every term points to a lesson of the course (catalog_load checks it) */
	ck_assert_uint_ge(catalog_glossary(c)->count, 10);
	catalog_free(c);
}
END_TEST

static glossary *parse_glossary(const char *text, diag_list *errs)
{
	return glossary_parse(text, strlen(text), "g.terms", errs);
}

/* A term: both names, both definitions, its lesson; every mistake named with its line. */
START_TEST(glossary_parse_and_errors)
{
	diag_list errs = { 0 };
	glossary *g = parse_glossary("# comment\n@term socket\nlesson: socket\nen: socket\n"
				     "en.def: An endpoint\n  for communication.\nzh_CN: 套接字\n"
				     "zh_CN.def: 通信\n  端点。\n@end\n", &errs);
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->count, 1);
	ck_assert_str_eq(g->terms[0].def[LANG_EN], "An endpoint for communication.");
	ck_assert_str_eq(g->terms[0].def[LANG_ZH_CN], "通信端点。");
	ck_assert_str_eq(g->terms[0].name[LANG_ZH_CN], "套接字");
	glossary_free(g);

	static const struct { const char *text; int line; const char *msg; } bad[] = {
		{ "@term a\nlesson: x\nen: a\nen.def: d\nzh_CN: b\n@end\n", 1, "no 'zh_CN.def:'" },
		{ "@term a\nlesson: x\ncolour: red\n@end\n", 3, "expected one of" },
		{ "@term a\nlesson: x\n", 1, "has no @end" },
		{ "@term Bad Id\n@end\n", 1, "expected a term id" },
		{ "@term a\nlesson: x\nlesson: y\n@end\n", 3, "given twice" },
		{ "en: a\n", 1, "expected '@term ID'" },
		{ "@term a\nen:\n@end\n", 2, "empty" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		diag_clear(&errs);
		ck_assert_ptr_null(parse_glossary(bad[i].text, &errs));
		bool found = false;
		for (size_t k = 0; k < errs.count; k++)
			found |= errs.items[k].line == bad[i].line && strstr(errs.items[k].msg, bad[i].msg);
		ck_assert_msg(found, "case %zu: no error at line %d with '%s' (first: %d %s)", i,
			      bad[i].line, bad[i].msg, errs.count ? errs.items[0].line : 0,
			      errs.count ? errs.items[0].msg : "");
	}
	diag_clear(&errs);
}
END_TEST

/* Search over the shipped lessons: either case of ASCII, Chinese, a phrase no narrow screen
 * keeps on one line, hits in lesson and page order, each pointing at the text it is in. */
START_TEST(search_finds_text_in_each_language)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/../../lessons", test_data(""));
	diag_list errs = { 0 };
	catalog *c = catalog_load(dir, &errs);
	ck_assert_ptr_nonnull(c);
	search_index *en = search_index_new(c, LANG_EN), *zh = search_index_new(c, LANG_ZH_CN);
	search_hit *h, *h2;
	size_t n = search_find(en, "backlog", &h);
	ck_assert_uint_ge(n, 10);
	ck_assert_uint_eq(search_find(en, "BackLog", &h2), n);
	free(h2);
	int tcp = catalog_find(c, "tcp");
	bool in_tcp = false;
	for (size_t i = 0; i < n; i++) {
		ck_assert(search_in(h[i].text + h[i].at, 7, "backlog") == h[i].text + h[i].at);
		if (i)
			ck_assert(h[i].lesson > h[i - 1].lesson ||
				  (h[i].lesson == h[i - 1].lesson && h[i].page >= h[i - 1].page));
		in_tcp |= (int)h[i].lesson == tcp;
	}
	ck_assert(in_tcp);
	free(h);
	ck_assert_uint_ge(search_find(zh, "三次握手", &h), 3);
	ck_assert_int_ge(h[0].block, -1);
	free(h);
	ck_assert_uint_eq(search_find(zh, "backlog queue of the zebra", &h), 0);
	free(h);
	ck_assert_uint_eq(search_find(en, "", &h), 0);
	free(h);
	/* a page title is found too (block -1) */
	const lesson *l = catalog_lesson(c, LANG_EN, 0);
	n = search_find(en, lesson_page_title(l, 0), &h);
	ck_assert_uint_ge(n, 1);
	ck_assert_int_eq(h[0].block, -1);
	ck_assert_uint_eq(h[0].lesson, 0);
	free(h);
	search_index_free(en);
	search_index_free(zh);
	catalog_free(c);
}
END_TEST

Suite *make_catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("load");
	tcase_add_test(tc, loads_both_languages);
	tcase_add_loop_test(tc, reports_missing_translation_and_structure, 0, 1 + LANG_COUNT);
	tcase_add_test(tc, open_keeps_one_language);
	tcase_add_test(tc, load_lang_refuses_files_broken_since);
	tcase_add_test(tc, demo_read_when_opened);
	tcase_add_test(tc, outline_round_trip);
	tcase_add_test(tc, outline_not_used_when_anything_differs);
	tcase_add_test(tc, outline_complete_reports_errors);
	tcase_add_test(tc, shipped_lessons_are_valid);
	tcase_add_test(tc, glossary_parse_and_errors);
	tcase_add_test(tc, search_finds_text_in_each_language);
	suite_add_tcase(s, tc);
	return s;
}
