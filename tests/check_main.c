#include "config.h"

#include "suites.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *test_data(const char *name)
{
	static char buf[4096];
	const char *top = getenv("top_srcdir");
	snprintf(buf, sizeof buf, "%s/tests/data/%s", top ? top : ABS_SRCDIR, name);
	return buf;
}

/* Bytes of whole pages that hold n bytes (at least one page). */
static size_t pages_for(size_t n, size_t page)
{
	return n ? (n + page - 1) / page * page : page;
}

const char *test_unterminated(const char *text, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), data = pages_for(n, page);
	char *m = mmap(NULL, data + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(m != MAP_FAILED);
	ck_assert_int_eq(mprotect(m + data, page, PROT_NONE), 0);
	char *copy = m + data - n;
	memcpy(copy, text, n);
	return copy;
}

void test_unterminated_free(const char *copy, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), data = pages_for(n, page);
	munmap((char *)copy + n - data, data + page);
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
