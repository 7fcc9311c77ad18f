/* Small helpers shared by every layer: checked allocation and a growable string. */
#ifndef SOCKTUTOR_UTIL_H
#define SOCKTUTOR_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Grows *items (of *cap elements of size elem) so that index n fits. */
void grow_array(void **items, size_t *cap, size_t n, size_t elem);

typedef struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
} strbuf;

void strbuf_add(strbuf *sb, const char *s, size_t n);
void strbuf_adds(strbuf *sb, const char *s);
void strbuf_addc(strbuf *sb, char c);
void strbuf_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the string (never NULL) and leaves the buffer empty; the caller frees it. */
char *strbuf_take(strbuf *sb);
void strbuf_free(strbuf *sb);

/* Reads a whole file; returns NULL with errno set on failure. */
char *read_file(const char *path, size_t *len);

/* SIGINT, SIGTERM and SIGHUP call handler, without SA_RESTART (a wait must wake up and see
 * the flag it sets); SIGPIPE is ignored (a peer gone is EPIPE, as in Python). */
void catch_stop_signals(void (*handler)(int));

/* $VAR/name when VAR holds an absolute path (an XDG base directory), else
 * $HOME/home_dir/name; NULL when neither is set. */
char *xdg_path(const char *var, const char *home_dir, const char *name);
/* Creates the directories above path, mode 0700 (mkdir -p of its dirname): 0 or -1 with
 * errno. */
int make_parent_dirs(const char *path);
/* Writes a whole file so that it is never seen half-written: a temporary file next to it,
 * fsync, then rename() (replace) or link() (no replacing: fails with EEXIST when path
 * exists). Returns 0, or -1 with errno set; nothing is left behind on failure. */
int write_file_atomic(const char *path, const char *data, size_t len, int replace);
/* Writes a new file BASE.EXT (ext is added unless base ends with it), never replacing one:
 * when numbered, BASE-2.EXT, BASE-3.EXT ... are tried in turn. Returns the path written
 * (free it), or NULL with errno set (EEXIST: the name is taken). */
char *write_new_file(const char *base, const char *ext, const char *data, size_t len,
		     int numbered);

#endif
