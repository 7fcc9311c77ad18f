#include "config.h"

#include "suites.h"
#include "core/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(choose_from_locale_variables)
{
	ck_assert_int_eq(i18n_choose(NULL, NULL, NULL, NULL), LANG_EN);
	ck_assert_int_eq(i18n_choose(NULL, NULL, NULL, "C"), LANG_EN);
	ck_assert_int_eq(i18n_choose(NULL, NULL, NULL, "zh_CN.UTF-8"), LANG_ZH_CN);
	ck_assert_int_eq(i18n_choose(NULL, NULL, NULL, "en_US.UTF-8"), LANG_EN);
	/* LC_ALL beats LC_MESSAGES beats LANG */
	ck_assert_int_eq(i18n_choose(NULL, "en_GB.UTF-8", "zh_CN.UTF-8", "zh_CN.UTF-8"), LANG_EN);
	ck_assert_int_eq(i18n_choose(NULL, NULL, "zh_CN.UTF-8", "en_US.UTF-8"), LANG_ZH_CN);
	ck_assert_int_eq(i18n_choose(NULL, "", "", "zh_TW.UTF-8"), LANG_ZH_CN);
}
END_TEST

START_TEST(choose_language_priority_list)
{
	ck_assert_int_eq(i18n_choose("zh_CN:en", NULL, NULL, "en_US.UTF-8"), LANG_ZH_CN);
	ck_assert_int_eq(i18n_choose("en", NULL, NULL, "zh_CN.UTF-8"), LANG_EN);
	/* entries we have no catalog for are skipped */
	ck_assert_int_eq(i18n_choose("fr:zh", NULL, NULL, "en_US.UTF-8"), LANG_ZH_CN);
	ck_assert_int_eq(i18n_choose("fr", NULL, NULL, "zh_CN.UTF-8"), LANG_ZH_CN);
	/* gettext ignores LANGUAGE under the C locale; so do we */
	ck_assert_int_eq(i18n_choose("zh_CN", NULL, NULL, "C"), LANG_EN);
	ck_assert_int_eq(i18n_choose("zh_CN", "POSIX", NULL, NULL), LANG_EN);
	/* ...but not under C.UTF-8 */
	ck_assert_int_eq(i18n_choose("zh_CN", NULL, NULL, "C.UTF-8"), LANG_ZH_CN);
}
END_TEST

START_TEST(parse_language_names)
{
	ck_assert_int_eq(i18n_parse("en"), LANG_EN);
	ck_assert_int_eq(i18n_parse("zh_CN"), LANG_ZH_CN);
	ck_assert_int_eq(i18n_parse("zh"), LANG_ZH_CN);
	ck_assert_int_eq(i18n_parse("zh_CN.UTF-8"), LANG_ZH_CN);
	ck_assert_int_eq(i18n_parse("fr"), -1);
	ck_assert_int_eq(i18n_parse(""), -1);
	ck_assert_str_eq(i18n_code(LANG_ZH_CN), "zh_CN");
}
END_TEST

/* A zh_CN locale need not be installed: with LANG=zh_CN.UTF-8 (missing here) the program
 * still gets UTF-8 through C.UTF-8 and finds the Chinese catalog of the build tree. */
START_TEST(chinese_without_the_locale)
{
	setenv("LANG", "zh_CN.UTF-8", 1);
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LC_CTYPE");
	unsetenv("LANGUAGE");
	const char *top = getenv("top_builddir");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/locale", top ? top : ABS_BUILDDIR);
	ck_assert(i18n_init(dir));
	i18n_set_lang(i18n_choose_from_env());
	ck_assert_int_eq(i18n_lang(), LANG_ZH_CN);
	ck_assert_str_ne(_("Back"), "Back");
	i18n_set_lang(LANG_EN);
	ck_assert_str_eq(_("Back"), "Back");
}
END_TEST

Suite *make_i18n_suite(void)
{
	Suite *s = suite_create("i18n");
	TCase *tc = tcase_create("choose");
	tcase_add_test(tc, choose_from_locale_variables);
	tcase_add_test(tc, choose_language_priority_list);
	tcase_add_test(tc, parse_language_names);
	tcase_add_test(tc, chinese_without_the_locale);
	suite_add_tcase(s, tc);
	return s;
}
