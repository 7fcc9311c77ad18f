#include "config.h"

#include "suites.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

const char *test_data(const char *name)
{
	static char buf[4096];
	const char *top = getenv("top_srcdir");
	snprintf(buf, sizeof buf, "%s/tests/data/%s", top ? top : ABS_SRCDIR, name);
	return buf;
}

int main(void)
{
	/* Width measuring needs a UTF-8 character type; messages stay English (msgids). */
	setlocale(LC_CTYPE, "C.UTF-8");
	SRunner *sr = srunner_create(make_text_suite());
	srunner_add_suite(sr, make_lesson_suite());
	srunner_add_suite(sr, make_layout_suite());
	srunner_add_suite(sr, make_i18n_suite());
	srunner_add_suite(sr, make_progress_suite());
	srunner_add_suite(sr, make_catalog_suite());
	srunner_add_suite(sr, make_observe_suite());
	srunner_add_suite(sr, make_script_suite());
	srunner_add_suite(sr, make_run_suite());
	srunner_add_suite(sr, make_packet_suite());
	srunner_add_suite(sr, make_lab_suite());
	srunner_add_suite(sr, make_playground_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
