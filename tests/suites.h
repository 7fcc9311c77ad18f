#ifndef SOCKTUTOR_TEST_SUITES_H
#define SOCKTUTOR_TEST_SUITES_H

#include <check.h>
#include <stddef.h>

Suite *make_text_suite(void);
Suite *make_lesson_suite(void);
Suite *make_layout_suite(void);
Suite *make_i18n_suite(void);
Suite *make_progress_suite(void);
Suite *make_catalog_suite(void);
Suite *make_observe_suite(void);
Suite *make_script_suite(void);
Suite *make_run_suite(void);
Suite *make_packet_suite(void);
Suite *make_lab_suite(void);
Suite *make_playground_suite(void);

/* Path of a file under tests/data in the source tree. Static buffer. */
const char *test_data(const char *name);

/* A copy of the n bytes at text that ends exactly where an unreadable page begins, with no
 * NUL after it: a parser given (copy, n) that reads past the end it was given dies of SIGSEGV
 * (the test fails) in every build, not only under AddressSanitizer. Free it with
 * test_unterminated_free(copy, n). */
const char *test_unterminated(const char *text, size_t n);
void test_unterminated_free(const char *copy, size_t n);

#endif
