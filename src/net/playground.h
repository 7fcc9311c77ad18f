/* The playground: the student types script lines (doc/lesson-format.md, "Demo scripts") for
 * as many actors as they like, and each one runs at once on the real kernel. The session is
 * a script that grows a line at a time: every typed line is parsed together with the lines
 * before it (so every name is checked), and the run goes on with the longer script
 * (run_extend), so earlier sockets stay open. Wrong calls are not caught here: they reach the
 * kernel, and its errno is what the student sees. No curses here; the screen is
 * src/ui/playground.c and the plain printer uses the same functions. */
#ifndef SOCKTUTOR_PLAYGROUND_H
#define SOCKTUTOR_PLAYGROUND_H

#include "run.h"

#include <stdbool.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>

typedef struct playground playground;

/* An empty session (its run inside the packet lab l when not NULL). */
playground *pg_new(lab *l);
void pg_free(playground *g);

/* Reopens a saved session (or any demo script): its lines are run from the start, as if
 * typed. Returns NULL with the reason ("FILE:LINE:COL: message", translated) in *err. */
playground *pg_load(const char *path, lab *l, char **err);

typedef enum pg_result {
	PG_NOTHING,		/* an empty line */
	PG_RAN,			/* the line was added and issued (or queued behind a wait) */
	PG_REFUSED,		/* not added: *msg says why (the line stays for editing) */
	PG_SAVED,		/* save: *msg names the file */
	PG_EXPORTED,		/* export: *msg names the transcript written */
	PG_RESTARTED,		/* restart: the same lines again, on new sockets */
	PG_CLEARED,		/* clear: an empty session */
	PG_HELP,		/* help: the caller shows pg_help_text() */
	PG_QUIT			/* quit */
} pg_result;

/* Handles one typed line: a script line, or one of the commands save [FILE], export
 * [FILE], restart, clear, help, quit. *msg (free it) is set for PG_REFUSED and PG_SAVED; for a script line
 * that does not parse it is "column N: message". */
pg_result pg_submit(playground *g, const char *line, char **msg);

/* Lets blocked calls complete and issues queued lines; while a socket is in a state the
 * kernel leaves by itself (FIN_WAIT1, TIME_WAIT...), looks at the states every 250 ms and
 * adds an EV_STATES event when they moved. Returns the events added. */
int pg_progress(playground *g);
/* What the caller's poll() should wait for (run_pollfds, and the next look at the states). */
size_t pg_pollfds(const playground *g, struct pollfd *fds, size_t max, int *timeout_ms);

run *pg_run(const playground *g);
const script *pg_script(const playground *g);
/* The number of lines typed (or loaded) so far. */
size_t pg_nlines(const playground *g);

/* The session as a script a student can reopen (--playground FILE) or a teacher can paste
 * into a lesson: every call that has returned gets "-> RESULT", the kernel's answer. */
char *pg_script_text(const playground *g);
/* Writes it to path (a new file: never replaces one; ".demo" is added to a name without
 * it; with path NULL, playground.demo in the current directory, or playground-2.demo ...).
 * Returns the path written (free it), or NULL with errno set. */
char *pg_save(const playground *g, const char *path);

/* The session's transcript (demo_transcript) to a new Markdown file, named as pg_save
 * names (playground.md, playground-2.md ...; path: that name, never replaced). */
char *pg_export(const playground *g, const char *path);

/* Completion of the last word of a typed line: returns the number of candidates, each the
 * whole word as it should read (free the array and its strings), and where the word starts.
 * Actor names come with ':' and methods with '(' already added. */
size_t pg_complete(const playground *g, const char *line, size_t *word_start, char ***out);
/* The longest common prefix of the candidates (free it). */
char *pg_common_prefix(char **c, size_t n);

/* What the call being typed takes: its usage as a script line, the Python line, and what it
 * does (translated); NULL when the line names no call yet. */
typedef struct pg_hint {
	const char *usage, *python, *what;
} pg_hint;
const pg_hint *pg_hint_for(const char *line);

/* The plain printer (socktutor --plain --playground): reads lines from descriptor in,
 * prints each line (unless prompt: then a "> " prompt is shown instead) and the events it
 * makes. Returns 0, or 1 when a line was refused or a result differed from a '->' the
 * lines wrote. */
int pg_run_plain(FILE *out, int in, playground *g, bool prompt);

/* The commands and a few example lines, one per line, translated (free it). */
char *pg_help_text(void);

#endif
