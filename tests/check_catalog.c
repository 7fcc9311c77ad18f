#include "config.h"

#include "suites.h"
#include "core/catalog.h"

#include <string.h>

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

START_TEST(reports_missing_translation_and_structure)
{
	diag_list errs = { 0 };
	catalog *c = catalog_load(test_data("set-mismatch"), &errs);
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
	catalog_free(c);
}
END_TEST

Suite *make_catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("load");
	tcase_add_test(tc, loads_both_languages);
	tcase_add_test(tc, reports_missing_translation_and_structure);
	tcase_add_test(tc, shipped_lessons_are_valid);
	suite_add_tcase(s, tc);
	return s;
}
