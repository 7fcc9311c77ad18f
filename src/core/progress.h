/* Reading progress: which pages of which lessons were read, where the reader was, and the
 * language last chosen. Stored as a small text file, replaced atomically on every save
 * (temporary file, fsync, rename), so a crash never leaves a half-written file. */
#ifndef SOCKTUTOR_PROGRESS_H
#define SOCKTUTOR_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct progress progress;

typedef enum lesson_state {
	LESSON_UNREAD,
	LESSON_STARTED,
	LESSON_DONE
} lesson_state;

/* The default file: $XDG_STATE_HOME/socktutor/progress, else ~/.local/state/socktutor/progress.
 * Returns NULL when neither XDG_STATE_HOME nor HOME is set. */
char *progress_default_path(void);

/* Opens the progress file at path (it need not exist). A damaged file is renamed to
 * path.damaged and an empty progress is returned; *warning (when not NULL) then receives a
 * translated message to show. Never fails. */
progress *progress_open(const char *path, char **warning);
void progress_free(progress *p);

void progress_mark_read(progress *p, const char *lesson, size_t page);
bool progress_is_read(const progress *p, const char *lesson, size_t page);
lesson_state progress_state(const progress *p, const char *lesson, size_t npages);
/* Pages of the lesson marked read, counted up to npages. */
size_t progress_pages_read(const progress *p, const char *lesson, size_t npages);

/* Answers to a lesson's questions: key is "c-CHECKID" for a check, "p-DEMO-NAME" for a
 * prediction in a demo; the latest answer counts. progress_answer() gives -1 (not answered),
 * 0 (wrong) or 1 (right); progress_score() the number right, and in *answered how many. */
void progress_set_answer(progress *p, const char *lesson, const char *key, bool right);
int progress_answer(const progress *p, const char *lesson, const char *key);
size_t progress_score(const progress *p, const char *lesson, size_t *answered);

void progress_set_place(progress *p, const char *lesson, size_t page);
/* The lesson id last read (NULL if none) and its page. */
const char *progress_place(const progress *p, size_t *page);
/* The demo open on that page (NULL: none) and the steps made in it, so that a closed
 * terminal reopens at the same step; progress_set_place() forgets it. */
void progress_set_demo(progress *p, const char *demo, size_t step);
const char *progress_demo(const progress *p, size_t *step);
/* Forgets the lesson's read pages and answers (and the place, when it is in the lesson). */
void progress_reset_lesson(progress *p, const char *lesson);

void progress_set_lang(progress *p, const char *lang);
const char *progress_lang(const progress *p);

/* Writes the file if anything changed. Returns 0, or -1 with a translated message in *err
 * (free it) — for example when the directory is read-only; the caller keeps running. */
int progress_save(progress *p, char **err);
/* Whether a save should not wait: true when anything but the step of the open demo changed,
 * or a step has waited 5 s (each save is a new file, fsync() and rename()). A program saves
 * when this says so, and always before it ends. */
bool progress_save_due(const progress *p);

#endif
