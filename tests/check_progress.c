#include "config.h"

#include "suites.h"
#include "core/progress.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

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

/* How many temporary files of the progress file are in its directory (removed if remove). */
static int count_temps(bool remove)
{
	char *d = xasprintf("%s/state/socktutor", dir);
	DIR *dp = opendir(d);
	int n = 0;
	struct dirent *de;
	while (dp && (de = readdir(dp)))
		if (strncmp(de->d_name, "progress.tmp.", 13) == 0) {
			n++;
			if (remove) {
				char *f = xasprintf("%s/%s", d, de->d_name);
				unlink(f);
				free(f);
			}
		}
	if (dp)
		closedir(dp);
	free(d);
	return n;
}

static size_t pages_read_total(const progress *p)
{
	static const char *const ids[] = { "a", "b", "c", "d", "e" };
	size_t n = 0;
	for (size_t i = 0; i < 5; i++)
		n += progress_pages_read(p, ids[i], 1000);
	return n;
}

/* SIGKILL at random moments while a process saves its progress over and over: however
 * the save is cut, the file opens without a warning and never holds less than before.
 * SOCKTUTOR_KILL_RUNS sets the number of kills (default 1000). */
START_TEST(sigkill_during_saves)
{
	const char *env = getenv("SOCKTUTOR_KILL_RUNS");
	int runs = env ? atoi(env) : 1000, cut = 0;
	unsigned seed = (unsigned)time(NULL);
	size_t before = 0;
	for (int i = 0; i < runs; i++) {
		/* The child must not call any ck_assert: each one writes a record to Check's message
		 * file, which the child shares with this process, and a SIGKILL landing in a write
		 * that straddles a page of that file leaves half a record there; Check then stops
		 * the whole run with "Bad message type arg 131072". */
		pid_t pid = fork();
		if (pid < 0)
			ck_abort_msg("fork: %s", strerror(errno));
		if (pid == 0) {
			progress *p = progress_open(path, NULL);
			for (unsigned k = (unsigned)i * 7919u;; k++) {
				char lesson[2] = { (char)('a' + k % 5), 0 };
				progress_mark_read(p, lesson, k % 997);
				progress_set_place(p, lesson, k % 997);
				progress_set_answer(p, lesson, "c-q", k & 1);
				char *err = NULL;
				if (progress_save(p, &err) != 0)
					_exit(3);
			}
		}
		struct timespec ts = { 0, (long)(rand_r(&seed) % 3000) * 1000L };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status), "the saving process failed on its own (status %d)", status);
		cut += count_temps(true) > 0;

		char *warning = NULL;
		progress *p = progress_open(path, &warning);
		ck_assert_msg(warning == NULL, "kill %d of %d: %s", i + 1, runs, warning);
		size_t now = pages_read_total(p);
		ck_assert_msg(now >= before, "kill %d: %zu pages read, %zu before", i + 1, now, before);
		before = now;
		progress_free(p);
	}
	fprintf(stderr, "sigkill_during_saves: %d kills, %d of them during a save (a temporary file was left), %zu pages read at the end; the file was intact every time\n",
		runs, cut, before);
	/* the test means something only if kills landed inside saves */
	ck_assert_msg(runs < 100 || cut > 0, "no kill landed during a save");
}
END_TEST

/* A temporary file left by a save cut short is removed once it is an hour old; a newer one
 * may belong to a save still running. */
START_TEST(stale_temporary_files_are_removed)
{
	progress *p = progress_open(path, NULL);
	progress_mark_read(p, "a", 1);
	ck_assert_int_eq(progress_save(p, NULL), 0);
	progress_free(p);
	char *old = xasprintf("%s.tmp.AAAAAA", path), *fresh = xasprintf("%s.tmp.BBBBBB", path);
	write_text(old, "place a 1\n");
	write_text(fresh, "place a 1\n");
	struct utimbuf t = { time(NULL) - 7200, time(NULL) - 7200 };
	ck_assert_int_eq(utime(old, &t), 0);
	p = progress_open(path, NULL);
	ck_assert(progress_is_read(p, "a", 1));
	progress_free(p);
	ck_assert_int_ne(access(old, F_OK), 0);
	ck_assert_int_eq(access(fresh, F_OK), 0);
	free(old);
	free(fresh);
}
END_TEST

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

/* Steps within one demo are not worth a file each (auto mode steps every second): they wait
 * for the next save that something else makes due, at most 5 s, or the end; anything else
 * is due at once. What is saved is always everything. */
START_TEST(demo_steps_save_lazily)
{
	progress *p = progress_open(path, NULL);
	ck_assert(!progress_save_due(p));
	progress_set_place(p, "tcp", 1);
	ck_assert(progress_save_due(p));
	progress_set_demo(p, "handshake", 1);		/* a demo opened: due */
	ck_assert(progress_save_due(p));
	ck_assert_int_eq(progress_save(p, NULL), 0);
	ck_assert(!progress_save_due(p));
	progress_set_demo(p, "handshake", 2);		/* a step: not yet */
	progress_set_demo(p, "handshake", 3);
	ck_assert(!progress_save_due(p));
	progress_free(p);
	p = progress_open(path, NULL);			/* as a SIGKILL would leave it */
	size_t step;
	ck_assert_str_eq(progress_demo(p, &step), "handshake");
	ck_assert_uint_eq(step, 1);
	progress_set_demo(p, "handshake", 4);
	ck_assert(!progress_save_due(p));
	ck_assert_int_eq(progress_save(p, NULL), 0);	/* the end of the program saves it */
	progress_free(p);
	p = progress_open(path, NULL);
	ck_assert_str_eq(progress_demo(p, &step), "handshake");
	ck_assert_uint_eq(step, 4);
	progress_set_demo(p, "handshake", 5);
	progress_mark_read(p, "tcp", 1);		/* something else: due, with the step */
	ck_assert(progress_save_due(p));
	ck_assert_int_eq(progress_save(p, NULL), 0);
	progress_set_demo(p, "handshake", 6);
	progress_set_demo(p, NULL, 0);			/* leaving the demo: due */
	ck_assert(progress_save_due(p));
	progress_free(p);
	p = progress_open(path, NULL);
	ck_assert_str_eq(progress_demo(p, &step), "handshake");
	ck_assert_uint_eq(step, 5);
	ck_assert(progress_is_read(p, "tcp", 1));
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
	tcase_add_test(tc, stale_temporary_files_are_removed);
	tcase_add_test(tc, answers_round_trip);
	tcase_add_test(tc, demo_place_and_reset);
	tcase_add_test(tc, demo_steps_save_lazily);
	tcase_add_test(tc, damaged_file_is_set_aside);
	tcase_add_test(tc, binary_garbage_and_empty_file);
	tcase_add_test(tc, unwritable_directory);
	tcase_add_test(tc, default_path_follows_xdg);
	suite_add_tcase(s, tc);

	/* a thousand processes killed: seconds, not the default 4 s limit */
	TCase *kill = tcase_create("durability");
	tcase_add_checked_fixture(kill, setup, teardown);
	tcase_set_timeout(kill, 300);
	tcase_add_test(kill, sigkill_during_saves);
	suite_add_tcase(s, kill);
	return s;
}
