#include "config.h"

#include "catalog.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct demo_ref {
	script *script;		/* NULL until catalog_demo_ready() in a catalog_open() set */
	char *id, *path;
	size_t npredicts;
	size_t lesson;		/* index in menu order */
	const lesson_block *block[LANG_COUNT];	/* NULL for a language not loaded */
	size_t page;
} demo_ref;

struct catalog {
	char *dir;
	lang_id base;		/* read first: ids, menu order and demos come from it */
	bool loaded[LANG_COUNT];	/* read, valid and kept in memory */
	lesson **lessons[LANG_COUNT];	/* sorted by order */
	size_t count[LANG_COUNT];
	demo_ref *demos;	/* in course order */
	size_t ndemos;
	glossary *glossary;
	/* an outline (catalog_open_outline()): lessons of the base language without their
	 * pages' content, demos without scripts, and the questions of each lesson */
	bool outline;
	size_t *questions;
};

/* What is remembered of each lesson while a language is read. */
typedef struct seen {
	char *id, *file;
	int order;
} seen;

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_order(const void *a, const void *b)
{
	const lesson *x = *(const lesson *const *)a, *y = *(const lesson *const *)b;
	return (lesson_order(x) > lesson_order(y)) - (lesson_order(x) < lesson_order(y));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The names of d's entries ending in suffix (none starting with '.'), sorted; *n of them. */
static char **dir_names(DIR *d, const char *suffix, size_t *n)
{
	char **names = NULL;
	size_t cap = 0;
	struct dirent *e;
	*n = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && ends_with(e->d_name, suffix)) {
			grow_array((void **)&names, &cap, *n, sizeof *names);
			names[(*n)++] = xstrdup(e->d_name);
		}
	if (*n)		/* qsort() of NULL is undefined, even for nothing */
		qsort(names, *n, sizeof *names, cmp_name);
	return names;
}

/* The .lesson files of a directory (their paths), sorted by name. */
static char **lesson_files(const char *path, size_t *n, diag_list *errs)
{
	*n = 0;
	DIR *d = opendir(path);
	if (!d) {
		diag_add(errs, path, 0, 0, _("cannot open the lesson directory: %s"), strerror(errno));
		return NULL;
	}
	char **names = dir_names(d, ".lesson", n);
	closedir(d);
	if (*n == 0)
		diag_add(errs, path, 0, 0, _("no .lesson files here"));
	for (size_t i = 0; i < *n; i++) {
		char *full = xasprintf("%s/%s", path, names[i]);
		free(names[i]);
		names[i] = full;
	}
	return names;
}

static const lesson *find_in(const catalog *c, lang_id lang, const char *id)
{
	for (size_t i = 0; i < c->count[lang]; i++)
		if (strcmp(lesson_id(c->lessons[lang][i]), id) == 0)
			return c->lessons[lang][i];
	return NULL;
}

static const lesson_block *find_demo_block(const lesson *l, const char *id, size_t *page)
{
	for (size_t pg = 0; pg < lesson_npages(l); pg++)
		for (size_t b = 0; b < lesson_nblocks(l, pg); b++) {
			const lesson_block *blk = lesson_block_at(l, pg, b);
			if (blk->kind == BLOCK_DEMO && strcmp(blk->id, id) == 0) {
				*page = pg;
				return blk;
			}
		}
	return NULL;
}

/* Every scene of the script narrated in the block, and nothing else. */
static void check_narration(const lesson *l, const lesson_block *b, const script *s,
			    diag_list *errs)
{
	for (size_t i = 0; i < s->nscenes; i++)
		if (!lesson_block_narration(b, s->scenes[i].name))
			diag_add(errs, lesson_file(l), b->line, 1,
				 _("demo '%s' has no narration for scene '%s' (%s:%d)"), b->id,
				 s->scenes[i].name, s->file, s->scenes[i].line);
	for (size_t i = 0; i < s->npredicts; i++) {
		static const char *const need[] = { "ask", "why" };
		for (size_t k = 0; k < 2; k++) {
			char *key = xasprintf("%s %s", need[k], s->predicts[i].name);
			if (!lesson_block_narration(b, key))
				diag_add(errs, lesson_file(l), b->line, 1,
					 _("demo '%s' has no '%s:' for prediction '%s' (%s:%d)"), b->id,
					 key, s->predicts[i].name, s->file, s->predicts[i].line);
			free(key);
		}
	}
	for (size_t i = 0; i < b->nnarr; i++) {
		const char *k = b->narr_keys[i], *sp = strchr(k, ' ');
		if (sp && script_find_predict(s, sp + 1) < 0)
			diag_add(errs, lesson_file(l), b->narr_lines[i], 1,
				 _("'%s' is not a prediction of %s"), sp + 1, s->file);
		else if (!sp && strcmp(k, "title") != 0 && script_find_scene(s, k) < 0)
			diag_add(errs, lesson_file(l), b->narr_lines[i], 1,
				 _("'%s' is not a scene of %s"), k, s->file);
	}
}

static bool shown_by_a_lesson(const catalog *c, const char *id)
{
	size_t pg;
	for (size_t i = 0; i < c->count[c->base]; i++)
		if (find_demo_block(c->lessons[c->base][i], id, &pg))
			return true;
	return false;
}

/* Loads DIR/demos/ID.demo for every demo block of the base language, in course order; when
 * not keep_steps, what is kept of each is only what the other languages' narrations are
 * checked against (the peak of memory at start is then about 190 KB lower). */
static void load_demos(catalog *c, bool keep_steps, diag_list *errs)
{
	size_t cap = 0;
	for (size_t i = 0; i < c->count[c->base]; i++) {
		const lesson *l = c->lessons[c->base][i];
		for (size_t pg = 0; pg < lesson_npages(l); pg++) {
			for (size_t b = 0; b < lesson_nblocks(l, pg); b++) {
				const lesson_block *blk = lesson_block_at(l, pg, b);
				if (blk->kind != BLOCK_DEMO)
					continue;
				if (catalog_find_demo(c, blk->id) >= 0) {
					diag_add(errs, lesson_file(l), blk->line, 1,
						 _("demo '%s' is shown twice in the course"), blk->id);
					continue;
				}
				char *path = xasprintf("%s/demos/%s.demo", c->dir, blk->id);
				script *s = script_load(path, errs);
				if (!s) {
					free(path);
					continue;
				}
				grow_array((void **)&c->demos, &cap, c->ndemos, sizeof *c->demos);
				demo_ref *d = &c->demos[c->ndemos++];
				memset(d, 0, sizeof *d);
				d->script = s;
				d->id = xstrdup(blk->id);
				d->path = path;
				d->npredicts = s->npredicts;
				d->lesson = i;
				d->page = pg;
				d->block[c->base] = blk;
				check_narration(l, blk, s, errs);
				if (!keep_steps)
					script_drop_steps(s);
			}
		}
	}
	/* a demo file no lesson shows is a mistake too */
	char *path = xasprintf("%s/demos", c->dir);
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || !ends_with(e->d_name, ".demo"))
			continue;
		char *id = xstrndup(e->d_name, n - 5);
		if (catalog_find_demo(c, id) < 0 && !shown_by_a_lesson(c, id))
			diag_add(errs, path, 0, 0, _("%s is not shown by any lesson (no '@demo %s')"),
				 e->d_name, id);
		free(id);
	}
	if (d)
		closedir(d);
	free(path);
}

/* A lesson of another language against the same lesson of the base language: it exists, at
 * the same place in the menu, with the same structure (English is the reference), and its
 * demos narrate their scripts. */
static void check_pair(const catalog *c, lang_id lang, const lesson *l, diag_list *errs)
{
	const lesson *b = find_in(c, c->base, lesson_id(l));
	if (!b) {
		diag_add(errs, lesson_file(l), lesson_id_line(l), 1, _("lesson '%s' has no %s version"),
			 lesson_id(l), i18n_code(c->base));
		return;
	}
	const lesson *en = lang == LANG_EN ? l : b, *tr = lang == LANG_EN ? b : l;
	if (lesson_order(tr) != lesson_order(en))
		diag_add(errs, lesson_file(tr), lesson_id_line(tr), 1,
			 _("lesson '%s' has @order %d here but %d in %s"), lesson_id(tr),
			 lesson_order(tr), lesson_order(en), lesson_file(en));
	lesson_compare_structure(en, tr, errs);
	for (size_t pg = 0; pg < lesson_npages(l); pg++)
		for (size_t k = 0; k < lesson_nblocks(l, pg); k++) {
			const lesson_block *blk = lesson_block_at(l, pg, k);
			int d = blk->kind == BLOCK_DEMO ? catalog_find_demo(c, blk->id) : -1;
			if (d < 0)
				continue;
			/* a language read after the start: the script is read for the check */
			demo_ref *dr = &c->demos[d];
			bool had = dr->script != NULL;
			if (!catalog_demo_ready(c, (size_t)d)) {
				diag_add(errs, dr->path, 0, 0, _("this demo has errors now"));
				continue;
			}
			check_narration(l, blk, dr->script, errs);
			if (!had) {
				script_free(dr->script);
				dr->script = NULL;
			}
		}
}

/* Reads the lessons of one language, one file at a time: ids and orders must be unique,
 * and once the base language is loaded each lesson is checked against it (check_pair) and
 * every base lesson must have turned up. Kept in memory when keep, forgotten lesson by
 * lesson otherwise, so that checking a language costs the memory of one lesson. */
static void read_lang(catalog *c, lang_id lang, bool keep, diag_list *errs)
{
	size_t n;
	char *path = xasprintf("%s/%s", c->dir, i18n_code(lang));
	char **names = lesson_files(path, &n, errs);
	bool complete = names != NULL;	/* every file read and a lesson of its own */
	bool against = lang != c->base && c->loaded[c->base];
	seen *sn = xcalloc(n ? n : 1, sizeof *sn);
	size_t ns = 0;
	if (keep)
		c->lessons[lang] = xcalloc(n ? n : 1, sizeof(lesson *));
	for (size_t i = 0; i < n; i++) {
		lesson *l = lesson_load(names[i], errs);
		if (!l) {
			complete = false;
			continue;
		}
		bool dup = false;
		for (size_t k = 0; k < ns; k++) {
			if (strcmp(sn[k].id, lesson_id(l)) == 0) {
				diag_add(errs, names[i], lesson_id_line(l), 1,
					 _("lesson id '%s' is already used by %s"), lesson_id(l),
					 sn[k].file);
				dup = true;
			} else if (sn[k].order == lesson_order(l)) {
				diag_add(errs, names[i], lesson_id_line(l), 1,
					 _("@order %d is already used by %s"), lesson_order(l),
					 sn[k].file);
				dup = true;
			}
		}
		complete &= !dup;
		if (!dup) {
			sn[ns++] = (seen){ xstrdup(lesson_id(l)), xstrdup(lesson_file(l)),
					   lesson_order(l) };
			if (against)
				check_pair(c, lang, l, errs);
		}
		if (keep && !dup)
			c->lessons[lang][c->count[lang]++] = l;
		else
			lesson_free(l);
	}
	if (against && complete)
		for (size_t i = 0; i < c->count[c->base]; i++) {
			const lesson *b = c->lessons[c->base][i];
			size_t k = 0;
			while (k < ns && strcmp(sn[k].id, lesson_id(b)) != 0)
				k++;
			if (k == ns)
				diag_add(errs, lesson_file(b), lesson_id_line(b), 1,
					 _("lesson '%s' has no %s version"), lesson_id(b),
					 i18n_code(lang));
		}
	for (size_t k = 0; k < ns; k++) {
		free(sn[k].id);
		free(sn[k].file);
	}
	free(sn);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(path);
	if (keep)
		qsort(c->lessons[lang], c->count[lang], sizeof(lesson *), cmp_order);
}

/* Marks a language read without error as loaded and points the demos at its blocks. */
static void mark_loaded(catalog *c, lang_id lang)
{
	c->loaded[lang] = true;
	for (size_t i = 0; i < c->ndemos; i++) {
		size_t pg;
		demo_ref *d = &c->demos[i];
		d->block[lang] = find_demo_block(c->lessons[lang][d->lesson], d->id, &pg);
	}
}

static void drop_lang(catalog *c, lang_id lang)
{
	for (size_t i = 0; i < c->count[lang]; i++)
		lesson_free(c->lessons[lang][i]);
	free(c->lessons[lang]);
	c->lessons[lang] = NULL;
	c->count[lang] = 0;
}

static catalog *open_set(const char *dir, lang_id base, bool keep_all, diag_list *errs)
{
	size_t before = errs->count;
	catalog *c = xcalloc(1, sizeof *c);
	c->dir = xstrdup(dir);
	c->base = base;
	read_lang(c, base, true, errs);
	if (errs->count == before) {
		c->loaded[base] = true;
		load_demos(c, keep_all, errs);
	}
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		if (lang == (int)base)
			continue;
		size_t at = errs->count;
		read_lang(c, (lang_id)lang, keep_all, errs);
		if (keep_all && errs->count == at && c->loaded[base])
			mark_loaded(c, (lang_id)lang);
	}
	if (errs->count == before) {
		char *gp = xasprintf("%s/glossary.terms", dir);
		c->glossary = glossary_load(gp, errs);
		for (size_t i = 0; c->glossary && i < c->glossary->count; i++)
			if (catalog_find(c, c->glossary->terms[i].lesson) < 0)
				diag_add(errs, gp, c->glossary->terms[i].line, 1,
					 _("term '%s': there is no lesson '%s'"), c->glossary->terms[i].id,
					 c->glossary->terms[i].lesson);
		free(gp);
	}
	if (errs->count > before) {
		catalog_free(c);
		return NULL;
	}
	/* checked; a program that shows one demo at a time reads each again when it opens */
	for (size_t i = 0; !keep_all && i < c->ndemos; i++) {
		script_free(c->demos[i].script);
		c->demos[i].script = NULL;
	}
	return c;
}

catalog *catalog_load(const char *dir, diag_list *errs)
{
	return open_set(dir, LANG_EN, true, errs);
}

catalog *catalog_open(const char *dir, lang_id lang, diag_list *errs)
{
	return open_set(dir, lang, false, errs);
}

int catalog_load_lang(catalog *c, lang_id lang, diag_list *errs)
{
	if (c->loaded[lang])
		return 0;
	if (c->outline)		/* nothing to check it against before catalog_complete() */
		return -1;
	size_t before = errs->count;
	read_lang(c, lang, true, errs);
	if (errs->count > before) {
		drop_lang(c, lang);
		return -1;
	}
	mark_loaded(c, lang);
	return 0;
}

bool catalog_has_lang(const catalog *c, lang_id lang)
{
	return c->loaded[lang];
}

void catalog_free(catalog *c)
{
	if (!c)
		return;
	for (int lang = 0; lang < LANG_COUNT; lang++)
		drop_lang(c, (lang_id)lang);
	for (size_t i = 0; i < c->ndemos; i++) {
		script_free(c->demos[i].script);
		free(c->demos[i].id);
		free(c->demos[i].path);
	}
	free(c->demos);
	glossary_free(c->glossary);
	free(c->questions);
	free(c->dir);
	free(c);
}

size_t catalog_count(const catalog *c)
{
	return c->count[c->base];
}

const lesson *catalog_lesson(const catalog *c, lang_id lang, size_t i)
{
	if (!c->loaded[lang]) {	/* a caller forgot catalog_load_lang(): a bug, not input */
		fprintf(stderr, "socktutor: internal error: lessons in %s asked for but not loaded\n",
			i18n_code(lang));
		abort();
	}
	return c->lessons[lang][i];
}

int catalog_find(const catalog *c, const char *id)
{
	for (size_t i = 0; i < c->count[c->base]; i++)
		if (strcmp(lesson_id(c->lessons[c->base][i]), id) == 0)
			return (int)i;
	return -1;
}

size_t catalog_ndemos(const catalog *c)
{
	return c->ndemos;
}

bool catalog_demo_ready(const catalog *c, size_t i)
{
	demo_ref *d = &c->demos[i];
	if (d->script)
		return true;
	if (c->outline)		/* no narration to check it against before catalog_complete() */
		return false;
	/* checked at the start, but the file may have changed since: checked again against
	 * the narration of the language loaded first, and it must ask as many questions as the
	 * menu counts */
	diag_list errs = { 0 };
	script *s = script_load(d->path, &errs);
	if (s)
		check_narration(c->lessons[c->base][d->lesson], d->block[c->base], s, &errs);
	if (s && (errs.count || s->npredicts != d->npredicts)) {
		script_free(s);
		s = NULL;
	}
	diag_clear(&errs);
	d->script = s;
	return s != NULL;
}

const script *catalog_demo(const catalog *c, size_t i)
{
	if (!catalog_demo_ready(c, i)) {	/* a caller forgot to ask: a bug, not input */
		fprintf(stderr, "socktutor: internal error: demo %s used but not readable\n",
			c->demos[i].id);
		abort();
	}
	return c->demos[i].script;
}

const char *catalog_demo_id(const catalog *c, size_t i)
{
	return c->demos[i].id;
}

int catalog_find_demo(const catalog *c, const char *id)
{
	for (size_t i = 0; i < c->ndemos; i++)
		if (strcmp(c->demos[i].id, id) == 0)
			return (int)i;
	return -1;
}

size_t catalog_demo_lesson(const catalog *c, size_t i)
{
	return c->demos[i].lesson;
}

size_t catalog_demo_page(const catalog *c, size_t i)
{
	return c->demos[i].page;
}

const lesson_block *catalog_demo_block(const catalog *c, lang_id lang, size_t i)
{
	return c->demos[i].block[lang];
}

size_t catalog_questions(const catalog *c, size_t i)
{
	if (c->outline)
		return c->questions[i];
	const lesson *l = c->lessons[c->base][i];
	size_t n = 0;
	for (size_t pg = 0; pg < lesson_npages(l); pg++)
		for (size_t b = 0; b < lesson_nblocks(l, pg); b++)
			n += lesson_block_at(l, pg, b)->kind == BLOCK_CHECK;
	for (size_t d = 0; d < c->ndemos; d++)
		if (c->demos[d].lesson == i)
			n += c->demos[d].npredicts;
	return n;
}

const glossary *catalog_glossary(const catalog *c)
{
	return c->glossary;
}

/* The outline cache. Its first lines are the key: what it was made from (this program's
 * file, the language, and the time and size of the shown language's lesson files and of
 * the demo files, with their directories, so that a file added or removed shows too); a
 * cache whose key differs in anything is not used. Then, in menu order:
 *	lesson ORDER NPAGES NQUESTIONS ID FILE
 *	title TITLE
 *	page TITLE		(NPAGES times)
 * then each demo, in course order:
 *	demo LESSON PAGE NPREDICTS ID
 * and "end". */

static void stat_line(strbuf *sb, const char *what, const char *path, const struct stat *st)
{
	strbuf_addf(sb, "%s %lld %lld.%09ld %s\n", what, (long long)st->st_size,
		    (long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec, path);
}

/* The directory and each of its files ending in suffix: false when one cannot be read. */
static bool key_dir(strbuf *sb, const char *path, const char *suffix)
{
	struct stat st;
	DIR *d = opendir(path);
	if (!d || fstat(dirfd(d), &st) != 0) {
		if (d)
			closedir(d);
		return false;
	}
	stat_line(sb, "dir", path, &st);
	size_t n;
	char **names = dir_names(d, suffix, &n);
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		ok = ok && fstatat(dirfd(d), names[i], &st, 0) == 0;
		if (ok)
			stat_line(sb, "file", names[i], &st);
		free(names[i]);
	}
	free(names);
	closedir(d);
	return ok;
}

static char *outline_key(const char *dir, lang_id lang)
{
	strbuf sb = { 0 };
	struct stat st;
	char *ld = xasprintf("%s/%s", dir, i18n_code(lang)), *dd = xasprintf("%s/demos", dir);
	strbuf_addf(&sb, "socktutor outline 1 %s\n", i18n_code(lang));
	/* a rebuilt program may read lessons differently */
	bool ok = stat("/proc/self/exe", &st) == 0;
	if (ok)
		stat_line(&sb, "program", "", &st);
	ok = ok && key_dir(&sb, ld, ".lesson") && key_dir(&sb, dd, ".demo");
	free(ld);
	free(dd);
	if (!ok) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_take(&sb);
}

char *catalog_outline_path(lang_id lang)
{
	char *name = xasprintf("socktutor/outline-%s", i18n_code(lang));
	char *path = xdg_path("XDG_CACHE_HOME", ".cache", name);
	free(name);
	return path;
}

/* A title as the cache holds it: one line of text without control characters. */
static bool plain_line(const char *s)
{
	uint32_t cp;
	return *s && text_unsafe_at(s, strlen(s), &cp) == (size_t)-1 && !strchr(s, '\n');
}

/* Takes the next line of *p (which must start with word and a space); NULL past the end. */
static char *next_line(char **p, const char *word)
{
	char *s = *p, *nl = strchr(s, '\n');
	size_t w = strlen(word);
	if (!nl || strncmp(s, word, w) != 0 || s[w] != ' ')
		return NULL;
	*nl = '\0';
	*p = nl + 1;
	return s + w + 1;
}

/* A number from 0 to max in digits, then a space: 0..max, or -1. */
static long take_num(char **s, unsigned long max)
{
	if (!isdigit((unsigned char)**s))
		return -1;
	errno = 0;
	char *e;
	unsigned long n = strtoul(*s, &e, 10);
	if (errno || n > max || *e != ' ')
		return -1;
	*s = e + 1;
	return (long)n;
}

/* An id followed by nothing, or by a space and the rest (*rest). */
static bool take_id(char *s, char **rest)
{
	char *sp = strchr(s, ' ');
	if (rest) {
		if (!sp)
			return false;
		*sp = '\0';
		*rest = sp + 1;
	} else if (sp) {
		return false;
	}
	return lesson_valid_id(s);
}

static bool read_outline(catalog *c, char *p)
{
	size_t lcap = 0, dcap = 0, qcap = 0;
	char *s;
	lang_id lang = c->base;
	while ((s = next_line(&p, "lesson"))) {
		long order = take_num(&s, 1000000), np = take_num(&s, 1000), nq = take_num(&s, 10000);
		char *id = s, *file;
		if (order < 0 || np <= 0 || nq < 0 || !take_id(id, &file) || !*file ||
		    strchr(file, '/') || !plain_line(file) || catalog_find(c, id) >= 0)
			return false;
		char *title = next_line(&p, "title");
		if (!title || !plain_line(title))
			return false;
		char **pages = xcalloc((size_t)np, sizeof *pages);
		long k = 0;
		while (k < np && (pages[k] = next_line(&p, "page")) && plain_line(pages[k]))
			k++;
		if (k == np) {
			char *path = xasprintf("%s/%s/%s", c->dir, i18n_code(lang), file);
			grow_array((void **)&c->lessons[lang], &lcap, c->count[lang],
				   sizeof(lesson *));
			c->lessons[lang][c->count[lang]] = lesson_outline(path, id, (int)order, title,
									   (size_t)np, pages);
			grow_array((void **)&c->questions, &qcap, c->count[lang], sizeof(size_t));
			c->questions[c->count[lang]++] = (size_t)nq;
			free(path);
		}
		free(pages);
		if (k < np)
			return false;
	}
	while ((s = next_line(&p, "demo"))) {
		long li = take_num(&s, 100000), pg = take_num(&s, 1000), npr = take_num(&s, 10000);
		if (li < 0 || (size_t)li >= c->count[lang] || pg < 0 ||
		    (size_t)pg >= lesson_npages(c->lessons[lang][li]) || npr < 0 ||
		    !take_id(s, NULL) || catalog_find_demo(c, s) >= 0)
			return false;
		grow_array((void **)&c->demos, &dcap, c->ndemos, sizeof *c->demos);
		demo_ref *d = &c->demos[c->ndemos++];
		memset(d, 0, sizeof *d);
		d->id = xstrdup(s);
		d->path = xasprintf("%s/demos/%s.demo", c->dir, d->id);
		d->npredicts = (size_t)npr;
		d->lesson = (size_t)li;
		d->page = (size_t)pg;
	}
	return c->count[lang] > 0 && strcmp(p, "end\n") == 0;
}

catalog *catalog_open_outline(const char *dir, lang_id lang, const char *path)
{
	size_t len;
	char *text = path ? read_file(path, &len) : NULL;
	char *key = text ? outline_key(dir, lang) : NULL;
	size_t kl = key ? strlen(key) : 0;
	catalog *c = NULL;
	if (key && strlen(text) == len && strncmp(text, key, kl) == 0) {
		c = xcalloc(1, sizeof *c);
		c->dir = xstrdup(dir);
		c->base = lang;
		c->loaded[lang] = true;
		c->outline = true;
		if (!read_outline(c, text + kl)) {
			catalog_free(c);
			c = NULL;
		}
	}
	free(key);
	free(text);
	return c;
}

bool catalog_is_outline(const catalog *c)
{
	return c->outline;
}

int catalog_complete(catalog *c, diag_list *errs)
{
	if (!c->outline)
		return 0;
	catalog *full = catalog_open(c->dir, c->base, errs);
	if (!full)
		return -1;
	catalog *old = xmalloc(sizeof *old);
	*old = *c;
	*c = *full;
	free(full);
	catalog_free(old);
	return 0;
}

int catalog_save_outline(const catalog *c, const char *path)
{
	char *key = path && !c->outline ? outline_key(c->dir, c->base) : NULL;
	if (!key)
		return -1;
	strbuf sb = { 0 };
	strbuf_adds(&sb, key);
	free(key);
	for (size_t i = 0; i < c->count[c->base]; i++) {
		const lesson *l = c->lessons[c->base][i];
		const char *file = strrchr(lesson_file(l), '/');
		strbuf_addf(&sb, "lesson %d %zu %zu %s %s\ntitle %s\n", lesson_order(l),
			    lesson_npages(l), catalog_questions(c, i), lesson_id(l),
			    file ? file + 1 : lesson_file(l), lesson_title(l));
		for (size_t pg = 0; pg < lesson_npages(l); pg++)
			strbuf_addf(&sb, "page %s\n", lesson_page_title(l, pg));
	}
	for (size_t i = 0; i < c->ndemos; i++)
		strbuf_addf(&sb, "demo %zu %zu %zu %s\n", c->demos[i].lesson, c->demos[i].page,
			    c->demos[i].npredicts, c->demos[i].id);
	strbuf_adds(&sb, "end\n");
	/* written only when it changed: the usual start writes nothing */
	size_t len;
	char *old = read_file(path, &len);
	int rc = 0;
	if (!old || len != sb.len || memcmp(old, sb.buf, len) != 0)
		rc = make_parent_dirs(path) == 0 ? write_file_atomic(path, sb.buf, sb.len, true) : -1;
	free(old);
	strbuf_free(&sb);
	return rc;
}
