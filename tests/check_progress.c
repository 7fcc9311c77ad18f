#include "config.h"

#include "suites.h"
#include "core/progress.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/socktutor-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/state/socktutor/progress", dir);
}

static void teardown(void)
{
	char *cmd = xasprintf("chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static void write_text(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(round_trip)
{
	progress *p = progress_open(path, NULL);
	ck_assert_int_eq(progress_state(p, "addresses", 3), LESSON_UNREAD);
	progress_mark_read(p, "addresses", 0);
	progress_mark_read(p, "addresses", 2);
	progress_set_place(p, "addresses", 2);
	progress_set_lang(p, "zh_CN");
	char *err;
	ck_assert_int_eq(progress_save(p, &err), 0);
	progress_free(p);

	char *warning;
	p = progress_open(path, &warning);
	ck_assert_ptr_null(warning);
	ck_assert(progress_is_read(p, "addresses", 0));
	ck_assert(!progress_is_read(p, "addresses", 1));
	ck_assert(progress_is_read(p, "addresses", 2));
	ck_assert_int_eq(progress_state(p, "addresses", 3), LESSON_STARTED);
	progress_mark_read(p, "addresses", 1);
	ck_assert_int_eq(progress_state(p, "addresses", 3), LESSON_DONE);
	size_t page;
	ck_assert_str_eq(progress_place(p, &page), "addresses");
	ck_assert_uint_eq(page, 2);
	ck_assert_str_eq(progress_lang(p), "zh_CN");
	progress_free(p);

	/* no temporary file is left beside it */
	char *cmd = xasprintf("ls '%s/state/socktutor' | grep -c tmp", dir);
	FILE *f = popen(cmd, "r");
	int n = -1;
	ck_assert_int_eq(fscanf(f, "%d", &n), 1);
	pclose(f);
	free(cmd);
	ck_assert_int_eq(n, 0);
}
END_TEST

/* Answers survive a save: the latest answer to a question counts, scores add up. */
START_TEST(answers_round_trip)
{
	progress *p = progress_open(path, NULL);
	size_t n;
	ck_assert_uint_eq(progress_score(p, "tcp", &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(progress_answer(p, "tcp", "c-backlog"), -1);
	progress_set_answer(p, "tcp", "c-backlog", false);
	progress_set_answer(p, "tcp", "p-refused-refused", true);
	progress_set_answer(p, "tcp", "c-backlog", true);
	progress_set_answer(p, "udp", "c-x", false);
	progress_set_answer(p, "tcp", "bad key", true);	/* refused: a space */
	ck_assert_int_eq(progress_save(p, NULL), 0);
	progress_free(p);
	p = progress_open(path, NULL);
	ck_assert_uint_eq(progress_score(p, "tcp", &n), 2);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(progress_score(p, "udp", &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(progress_answer(p, "udp", "c-x"), 0);
	ck_assert_int_eq(progress_answer(p, "tcp", "p-refused-refused"), 1);
	progress_free(p);
	/* a damaged answer line sets the file aside */
	write_text(path, "socktutor-progress 1\nanswer tcp c-x 2\n");
	char *warning;
	p = progress_open(path, &warning);
	ck_assert_ptr_nonnull(warning);
	free(warning);
	ck_assert_uint_eq(progress_score(p, "tcp", &n), 0);
	progress_free(p);
}
END_TEST

/* The demo step survives a save; opening another page forgets it; resetting a lesson forgets
 * its pages, answers and the place in it, and nothing of other lessons. */
START_TEST(demo_place_and_reset)
{
	progress *p = progress_open(path, NULL);
	progress_set_demo(p, "handshake", 3);		/* no place yet: ignored */
	ck_assert_ptr_null(progress_demo(p, NULL));
	progress_set_place(p, "tcp", 1);
	progress_set_demo(p, "handshake", 3);
	progress_mark_read(p, "tcp", 0);
	progress_mark_read(p, "udp", 0);
	progress_set_answer(p, "tcp", "c-backlog", true);
	ck_assert_int_eq(progress_save(p, NULL), 0);
	progress_free(p);

	p = progress_open(path, NULL);
	size_t step, page;
	ck_assert_str_eq(progress_demo(p, &step), "handshake");
	ck_assert_uint_eq(step, 3);
	progress_set_place(p, "tcp", 2);
	ck_assert_ptr_null(progress_demo(p, &step));
	ck_assert_uint_eq(step, 0);
	progress_set_demo(p, "handshake", 5);
	progress_reset_lesson(p, "tcp");
	ck_assert_ptr_null(progress_place(p, &page));
	ck_assert_ptr_null(progress_demo(p, NULL));
	ck_assert(!progress_is_read(p, "tcp", 0));
	ck_assert_int_eq(progress_answer(p, "tcp", "c-backlog"), -1);
	ck_assert(progress_is_read(p, "udp", 0));
	ck_assert_int_eq(progress_save(p, NULL), 0);
	progress_free(p);

	p = progress_open(path, NULL);
	ck_assert(!progress_is_read(p, "tcp", 0));
	ck_assert(progress_is_read(p, "udp", 0));
	ck_assert_ptr_null(progress_place(p, NULL));
	progress_free(p);
	/* a place line with a demo but no step is damage */
	write_text(path, "socktutor-progress 1\nplace tcp 1 handshake\n");
	char *warning;
	p = progress_open(path, &warning);
	ck_assert_ptr_nonnull(warning);
	free(warning);
	progress_free(p);
}
END_TEST

START_TEST(damaged_file_is_set_aside)
{
	progress *p = progress_open(path, NULL);
	progress_mark_read(p, "socket", 0);
	ck_assert_int_eq(progress_save(p, NULL), 0);
	progress_free(p);
	write_text(path, "socktutor-progress 1\nread socket 0\nread socket zero\x01\n");

	char *warning;
	p = progress_open(path, &warning);
	ck_assert_ptr_nonnull(warning);
	ck_assert_ptr_nonnull(strstr(warning, "damaged"));
	free(warning);
	ck_assert(!progress_is_read(p, "socket", 0));
	char *aside = xasprintf("%s.damaged", path);
	ck_assert_int_eq(access(aside, F_OK), 0);
	free(aside);
	/* the next save writes a good file again */
	progress_mark_read(p, "socket", 1);
	ck_assert_int_eq(progress_save(p, NULL), 0);
	progress_free(p);
	p = progress_open(path, &warning);
	ck_assert_ptr_null(warning);
	ck_assert(progress_is_read(p, "socket", 1));
	progress_free(p);
}
END_TEST

START_TEST(binary_garbage_and_empty_file)
{
	char *parent = xasprintf("%s/state/socktutor", dir);
	char *cmd = xasprintf("mkdir -p '%s'", parent);
	ck_assert_int_eq(system(cmd), 0);
	static const char garbage[] = "\x89PNG\r\n\x1a\n\0\0\0";
	FILE *f = fopen(path, "wb");
	fwrite(garbage, 1, sizeof garbage, f);
	fclose(f);
	char *warning;
	progress *p = progress_open(path, &warning);
	ck_assert_ptr_nonnull(warning);
	free(warning);
	progress_free(p);
	write_text(path, "");
	p = progress_open(path, &warning);
	ck_assert_ptr_nonnull(warning);
	free(warning);
	progress_free(p);
	free(cmd);
	free(parent);
}
END_TEST

START_TEST(unwritable_directory)
{
	if (geteuid() == 0) {
		/* root writes anywhere; a read-only path is made from a file instead */
		char *file = xasprintf("%s/state", dir);
		write_text(file, "not a directory");
		free(file);
	} else {
		ck_assert_int_eq(chmod(dir, 0500), 0);
	}
	progress *p = progress_open(path, NULL);
	progress_mark_read(p, "socket", 0);
	char *err;
	ck_assert_int_eq(progress_save(p, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, "Cannot save progress"));
	free(err);
	/* the in-memory progress is intact */
	ck_assert(progress_is_read(p, "socket", 0));
	progress_free(p);
	chmod(dir, 0700);
}
END_TEST

START_TEST(default_path_follows_xdg)
{
	setenv("XDG_STATE_HOME", "/x/state", 1);
	char *p = progress_default_path();
	ck_assert_str_eq(p, "/x/state/socktutor/progress");
	free(p);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/u", 1);
	p = progress_default_path();
	ck_assert_str_eq(p, "/home/u/.local/state/socktutor/progress");
	free(p);
}
END_TEST

Suite *make_progress_suite(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, answers_round_trip);
	tcase_add_test(tc, demo_place_and_reset);
	tcase_add_test(tc, damaged_file_is_set_aside);
	tcase_add_test(tc, binary_garbage_and_empty_file);
	tcase_add_test(tc, unwritable_directory);
	tcase_add_test(tc, default_path_follows_xdg);
	suite_add_tcase(s, tc);
	return s;
}
