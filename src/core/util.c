#include "config.h"

#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void out_of_memory(void)
{
	fputs("socktutor: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		out_of_memory();
	char *s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void grow_array(void **items, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return;
	size_t ncap = *cap ? *cap * 2 : 8;
	while (ncap <= n)
		ncap *= 2;
	*items = xrealloc(*items, ncap * elem);
	*cap = ncap;
}

/* Room for n more bytes and a terminating NUL. */
static void strbuf_room(strbuf *sb, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		size_t ncap = sb->cap ? sb->cap * 2 : 64;
		while (ncap < sb->len + n + 1)
			ncap *= 2;
		sb->buf = xrealloc(sb->buf, ncap);
		sb->cap = ncap;
	}
}

void strbuf_add(strbuf *sb, const char *s, size_t n)
{
	strbuf_room(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addc(strbuf *sb, char c)
{
	if (sb->len + 2 <= sb->cap) {
		sb->buf[sb->len++] = c;
		sb->buf[sb->len] = '\0';
	} else {
		strbuf_add(sb, &c, 1);
	}
}

void strbuf_addf(strbuf *sb, const char *fmt, ...)
{
	/* formatted straight into the spare room; a second time only when it did not fit */
	strbuf_room(sb, 0);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	if ((size_t)n >= sb->cap - sb->len) {
		strbuf_room(sb, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

char *strbuf_take(strbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");
	/* a string kept, not grown any more: give back what doubling left unused (shrinking
	 * stays in place) */
	if (sb->buf && sb->cap - sb->len > 32)
		s = xrealloc(s, sb->len + 1);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void strbuf_free(strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	strbuf sb = { 0 };
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		strbuf_add(&sb, chunk, n);
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		strbuf_free(&sb);
		errno = e ? e : EIO;
		return NULL;
	}
	fclose(f);
	if (len)
		*len = sb.len;
	return strbuf_take(&sb);
}

char *xdg_path(const char *var, const char *home_dir, const char *name)
{
	const char *base = getenv(var);
	if (base && base[0] == '/')
		return xasprintf("%s/%s", base, name);
	const char *home = getenv("HOME");
	if (home && *home)
		return xasprintf("%s/%s/%s", home, home_dir, name);
	return NULL;
}

int make_parent_dirs(const char *path)
{
	char *d = xstrdup(path);
	for (char *s = d + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(d, 0700) != 0 && errno != EEXIST) {
			int e = errno;
			free(d);
			errno = e;
			return -1;
		}
		*s = '/';
	}
	free(d);
	return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len, int replace)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp), rc = -1;
	if (fd >= 0 && !replace) {
		/* a new file gets the permissions any new file would (mkstemp makes 0600) */
		mode_t um = umask(0);
		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	if (fd >= 0) {
		ssize_t w = 0;
		size_t off = 0;
		while (off < len && (w = write(fd, data + off, len - off)) > 0)
			off += (size_t)w;
		if (w < 0 || off < len) {
			if (w >= 0)
				errno = EIO;
		} else if (fsync(fd) == 0 && close(fd) == 0) {
			fd = -1;
			rc = replace ? rename(tmp, path) : link(tmp, path);
		}
	}
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (rc != 0 || !replace)
		unlink(tmp);
	free(tmp);
	errno = e;
	return rc;
}

char *write_new_file(const char *base, const char *ext, const char *data, size_t len,
		     int numbered)
{
	size_t n = strlen(base), e = strlen(ext);
	char *stem = n > e && strcmp(base + n - e, ext) == 0 ? xstrndup(base, n - e) : xstrdup(base);
	char *out = NULL;
	int rc = -1;
	for (int i = 1; i <= (numbered ? 99 : 1) && rc != 0; i++) {
		free(out);
		out = i == 1 ? xasprintf("%s%s", stem, ext) : xasprintf("%s-%d%s", stem, i, ext);
		rc = write_file_atomic(out, data, len, 0);
		if (rc != 0 && errno != EEXIST)
			break;
	}
	int err = errno;
	free(stem);
	if (rc != 0) {
		free(out);
		errno = err;
		return NULL;
	}
	return out;
}

void catch_stop_signals(void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
