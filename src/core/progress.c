#include "config.h"

#include "progress.h"
#include "i18n.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "socktutor-progress 1"
#define MAX_PAGES 1024

typedef struct entry {
	char *lesson;
	unsigned char *read;	/* one flag per page */
	size_t npages;
	char **akeys;		/* answered questions: "c-ID" checks, "p-DEMO-NAME" predictions */
	unsigned char *aright;
	size_t nanswers, acap;
} entry;

struct progress {
	char *path;
	entry *entries;
	size_t count, cap;
	char *place;
	size_t place_page;
	char *place_demo;	/* the demo open on that page, or NULL... */
	size_t place_step;	/* ... and the steps made in it */
	char *lang;
	bool dirty;
	/* only the step in the same demo changed since the save, first at step_since
	 * (CLOCK_MONOTONIC, seconds): see progress_save_due() */
	bool step_dirty;
	double step_since;
};

/* A demo stepped along (in auto mode, a step a second) is saved at most this often while it
 * runs; leaving it, quitting or a closed terminal saves it at once. */
#define STEP_SAVE_SECONDS 5.0

static double mono_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

char *progress_default_path(void)
{
	return xdg_path("XDG_STATE_HOME", ".local/state", "socktutor/progress");
}

static entry *find(const progress *p, const char *lesson)
{
	for (size_t i = 0; i < p->count; i++)
		if (strcmp(p->entries[i].lesson, lesson) == 0)
			return &p->entries[i];
	return NULL;
}

static entry *find_or_add(progress *p, const char *lesson)
{
	entry *e = find(p, lesson);
	if (e)
		return e;
	grow_array((void **)&p->entries, &p->cap, p->count, sizeof *p->entries);
	e = &p->entries[p->count++];
	e->lesson = xstrdup(lesson);
	e->read = NULL;
	e->npages = 0;
	e->akeys = NULL;
	e->aright = NULL;
	e->nanswers = e->acap = 0;
	return e;
}

/* Records an answer; returns true when it changed anything. */
static bool set_answer(entry *e, const char *key, bool right)
{
	for (size_t i = 0; i < e->nanswers; i++)
		if (strcmp(e->akeys[i], key) == 0) {
			bool changed = e->aright[i] != right;
			e->aright[i] = right;
			return changed;
		}
	size_t cap = e->acap;
	grow_array((void **)&e->akeys, &e->acap, e->nanswers, sizeof *e->akeys);
	if (e->acap != cap)
		e->aright = xrealloc(e->aright, e->acap);
	e->akeys[e->nanswers] = xstrdup(key);
	e->aright[e->nanswers++] = right;
	return true;
}

/* Marks page read in e, growing its flags; returns true when the page was not read before. */
static bool set_read(entry *e, size_t page)
{
	if (page >= e->npages) {
		e->read = xrealloc(e->read, page + 1);
		memset(e->read + e->npages, 0, page + 1 - e->npages);
		e->npages = page + 1;
	}
	bool was = e->read[page];
	e->read[page] = 1;
	return !was;
}

static bool valid_word(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

static bool parse_page(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v >= MAX_PAGES || *s == '-' || *s == '+')
		return false;
	*out = v;
	return true;
}

/* Parses the file's text; returns false at the first line that is not understood. */
static bool parse(progress *p, char *text)
{
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	if (!line || strcmp(line, MAGIC) != 0)
		return false;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *ws = NULL;
		char *key = strtok_r(line, " ", &ws);
		char *a = strtok_r(NULL, " ", &ws);
		if (!key || !a || !valid_word(a))
			return false;
		if (strcmp(key, "lang") == 0) {
			if (strtok_r(NULL, " ", &ws))
				return false;
			free(p->lang);
			p->lang = xstrdup(a);
		} else if (strcmp(key, "place") == 0) {
			char *pg = strtok_r(NULL, " ", &ws);
			char *demo = strtok_r(NULL, " ", &ws), *step = strtok_r(NULL, " ", &ws);
			if (!pg || !parse_page(pg, &p->place_page) || (demo && !valid_word(demo)) ||
			    (demo && (!step || !parse_page(step, &p->place_step))) ||
			    strtok_r(NULL, " ", &ws))
				return false;
			free(p->place);
			p->place = xstrdup(a);
			free(p->place_demo);
			p->place_demo = demo ? xstrdup(demo) : NULL;
		} else if (strcmp(key, "read") == 0) {
			char *pg;
			entry *e = find_or_add(p, a);
			while ((pg = strtok_r(NULL, " ", &ws))) {
				size_t n;
				if (!parse_page(pg, &n))
					return false;
				set_read(e, n);
			}
		} else if (strcmp(key, "answer") == 0) {
			char *k = strtok_r(NULL, " ", &ws), *v = strtok_r(NULL, " ", &ws);
			if (!k || !valid_word(k) || !v || (strcmp(v, "0") && strcmp(v, "1")) ||
			    strtok_r(NULL, " ", &ws))
				return false;
			set_answer(find_or_add(p, a), k, v[0] == '1');
		} else {
			return false;
		}
	}
	return true;
}

static void free_entry(entry *e)
{
	free(e->lesson);
	free(e->read);
	for (size_t k = 0; k < e->nanswers; k++)
		free(e->akeys[k]);
	free(e->akeys);
	free(e->aright);
}

static void clear(progress *p)
{
	for (size_t i = 0; i < p->count; i++)
		free_entry(&p->entries[i]);
	p->count = 0;
	free(p->place);
	p->place = NULL;
	free(p->place_demo);
	p->place_demo = NULL;
	free(p->lang);
	p->lang = NULL;
}

/* A save cut short (the program killed between creating its temporary file and renaming
 * it) leaves path.tmp.XXXXXX behind; the file itself is intact. Such leftovers are removed
 * once they are an hour old, so that a save still running in another copy of the program
 * is never disturbed. */
static void remove_stale_temps(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path) + 1) : xstrdup("./");
	char *prefix = xasprintf("%s.tmp.", slash ? slash + 1 : path);
	DIR *d = opendir(dir);
	struct dirent *de;
	time_t now = time(NULL);
	while (d && (de = readdir(d))) {
		struct stat st;
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    strlen(de->d_name) != strlen(prefix) + 6)
			continue;
		char *f = xasprintf("%s%s", dir, de->d_name);
		if (lstat(f, &st) == 0 && S_ISREG(st.st_mode) && now - st.st_mtime > 3600)
			unlink(f);
		free(f);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(dir);
}

progress *progress_open(const char *path, char **warning)
{
	progress *p = xcalloc(1, sizeof *p);
	p->path = path ? xstrdup(path) : NULL;
	if (warning)
		*warning = NULL;
	if (!path)
		return p;
	remove_stale_temps(path);
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return p;	/* no file yet (or unreadable): start fresh */
	bool ok = strlen(text) == len && parse(p, text);
	free(text);
	if (!ok) {
		clear(p);
		char *aside = xasprintf("%s.damaged", path);
		if (rename(path, aside) == 0) {
			if (warning)
				*warning = xasprintf(_("The progress file was damaged; it was set aside as %s and progress starts afresh."), aside);
		} else if (warning) {
			*warning = xasprintf(_("The progress file %s is damaged and could not be set aside (%s); progress will not be saved."), path, strerror(errno));
			free(p->path);
			p->path = NULL;
		}
		free(aside);
	}
	return p;
}

void progress_free(progress *p)
{
	if (!p)
		return;
	clear(p);
	free(p->entries);
	free(p->path);
	free(p);
}

void progress_mark_read(progress *p, const char *lesson, size_t page)
{
	if (page >= MAX_PAGES || !valid_word(lesson))
		return;
	if (set_read(find_or_add(p, lesson), page))
		p->dirty = true;
}

bool progress_is_read(const progress *p, const char *lesson, size_t page)
{
	const entry *e = find(p, lesson);
	return e && page < e->npages && e->read[page];
}

size_t progress_pages_read(const progress *p, const char *lesson, size_t npages)
{
	const entry *e = find(p, lesson);
	size_t n = 0;
	for (size_t i = 0; e && i < npages && i < e->npages; i++)
		n += e->read[i];
	return n;
}

lesson_state progress_state(const progress *p, const char *lesson, size_t npages)
{
	size_t n = progress_pages_read(p, lesson, npages);
	return n == 0 ? LESSON_UNREAD : n >= npages ? LESSON_DONE : LESSON_STARTED;
}

void progress_set_answer(progress *p, const char *lesson, const char *key, bool right)
{
	if (!valid_word(lesson) || !valid_word(key))
		return;
	if (set_answer(find_or_add(p, lesson), key, right))
		p->dirty = true;
}

int progress_answer(const progress *p, const char *lesson, const char *key)
{
	const entry *e = find(p, lesson);
	for (size_t i = 0; e && i < e->nanswers; i++)
		if (strcmp(e->akeys[i], key) == 0)
			return e->aright[i];
	return -1;
}

size_t progress_score(const progress *p, const char *lesson, size_t *answered)
{
	const entry *e = find(p, lesson);
	size_t right = 0;
	*answered = e ? e->nanswers : 0;
	for (size_t i = 0; e && i < e->nanswers; i++)
		right += e->aright[i];
	return right;
}

void progress_set_place(progress *p, const char *lesson, size_t page)
{
	if (!valid_word(lesson) || page >= MAX_PAGES)
		return;
	if (p->place && strcmp(p->place, lesson) == 0 && p->place_page == page && !p->place_demo)
		return;
	free(p->place);
	p->place = xstrdup(lesson);
	p->place_page = page;
	free(p->place_demo);
	p->place_demo = NULL;
	p->dirty = true;
}

void progress_set_demo(progress *p, const char *demo, size_t step)
{
	if (!p->place || (demo && (!valid_word(demo) || step >= MAX_PAGES)))
		return;
	if (demo && p->place_demo && strcmp(p->place_demo, demo) == 0 && p->place_step == step)
		return;
	if (!demo && !p->place_demo)
		return;
	if (demo && p->place_demo && strcmp(p->place_demo, demo) == 0) {
		if (!p->step_dirty)	/* the same demo, another step */
			p->step_since = mono_seconds();
		p->step_dirty = true;
		p->place_step = step;
		return;
	}
	free(p->place_demo);
	p->place_demo = demo ? xstrdup(demo) : NULL;
	p->place_step = demo ? step : 0;
	p->dirty = true;
}

const char *progress_demo(const progress *p, size_t *step)
{
	if (step)
		*step = p->place_demo ? p->place_step : 0;
	return p->place_demo;
}

void progress_reset_lesson(progress *p, const char *lesson)
{
	entry *e = find(p, lesson);
	if (e) {
		free_entry(e);
		*e = p->entries[--p->count];
		p->dirty = true;
	}
	if (p->place && strcmp(p->place, lesson) == 0) {
		free(p->place);
		p->place = NULL;
		free(p->place_demo);
		p->place_demo = NULL;
		p->dirty = true;
	}
}

const char *progress_place(const progress *p, size_t *page)
{
	if (page)
		*page = p->place_page;
	return p->place;
}

void progress_set_lang(progress *p, const char *lang)
{
	if (!valid_word(lang) || (p->lang && strcmp(p->lang, lang) == 0))
		return;
	free(p->lang);
	p->lang = xstrdup(lang);
	p->dirty = true;
}

const char *progress_lang(const progress *p)
{
	return p->lang;
}

int progress_save(progress *p, char **err)
{
	if (err)
		*err = NULL;
	if ((!p->dirty && !p->step_dirty) || !p->path)
		return 0;
	strbuf sb = { 0 };
	strbuf_adds(&sb, MAGIC "\n");
	if (p->lang)
		strbuf_addf(&sb, "lang %s\n", p->lang);
	if (p->place && p->place_demo)
		strbuf_addf(&sb, "place %s %zu %s %zu\n", p->place, p->place_page, p->place_demo,
			    p->place_step);
	else if (p->place)
		strbuf_addf(&sb, "place %s %zu\n", p->place, p->place_page);
	for (size_t i = 0; i < p->count; i++) {
		const entry *e = &p->entries[i];
		strbuf_addf(&sb, "read %s", e->lesson);
		for (size_t k = 0; k < e->npages; k++)
			if (e->read[k])
				strbuf_addf(&sb, " %zu", k);
		strbuf_addc(&sb, '\n');
		for (size_t k = 0; k < e->nanswers; k++)
			strbuf_addf(&sb, "answer %s %s %d\n", e->lesson, e->akeys[k], e->aright[k]);
	}

	int rc = make_parent_dirs(p->path) == 0 ? write_file_atomic(p->path, sb.buf, sb.len, true) : -1;
	int e = errno;
	if (rc != 0) {
		if (err)
			*err = xasprintf(_("Cannot save progress to %s: %s"), p->path, strerror(e));
	} else {
		p->dirty = p->step_dirty = false;
	}
	strbuf_free(&sb);
	return rc;
}

bool progress_save_due(const progress *p)
{
	return p->dirty || (p->step_dirty && mono_seconds() - p->step_since >= STEP_SAVE_SECONDS);
}
