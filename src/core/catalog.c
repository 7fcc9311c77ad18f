#include "config.h"

#include "catalog.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct demo_ref {
	script *script;
	size_t lesson;		/* index in menu order */
	const lesson_block *block[LANG_COUNT];
	size_t page;
} demo_ref;

struct catalog {
	lesson **lessons[LANG_COUNT];	/* sorted by order */
	size_t count[LANG_COUNT];
	demo_ref *demos;	/* in course order */
	size_t ndemos;
	glossary *glossary;
};

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

static void load_lang(catalog *c, lang_id lang, const char *dir, diag_list *errs)
{
	char *path = xasprintf("%s/%s", dir, i18n_code(lang));
	DIR *d = opendir(path);
	if (!d) {
		diag_add(errs, path, 0, 0, _("cannot open the lesson directory: %s"), strerror(errno));
		free(path);
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !ends_with(e->d_name, ".lesson"))
			continue;
		grow_array((void **)&names, &cap, n, sizeof *names);
		names[n++] = xasprintf("%s/%s", path, e->d_name);
	}
	closedir(d);
	if (n == 0)
		diag_add(errs, path, 0, 0, _("no .lesson files here"));
	qsort(names, n, sizeof *names, cmp_name);

	c->lessons[lang] = xcalloc(n, sizeof(lesson *));
	for (size_t i = 0; i < n; i++) {
		lesson *l = lesson_load(names[i], errs);
		if (!l)
			continue;
		bool dup = false;
		for (size_t k = 0; k < c->count[lang]; k++) {
			const lesson *o = c->lessons[lang][k];
			if (strcmp(lesson_id(o), lesson_id(l)) == 0) {
				diag_add(errs, names[i], lesson_id_line(l), 1,
					 _("lesson id '%s' is already used by %s"), lesson_id(l),
					 lesson_file(o));
				dup = true;
			} else if (lesson_order(o) == lesson_order(l)) {
				diag_add(errs, names[i], lesson_id_line(l), 1,
					 _("@order %d is already used by %s"), lesson_order(l),
					 lesson_file(o));
				dup = true;
			}
		}
		if (dup)
			lesson_free(l);
		else
			c->lessons[lang][c->count[lang]++] = l;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(path);
	qsort(c->lessons[lang], c->count[lang], sizeof(lesson *), cmp_order);
}

static const lesson *find_in(const catalog *c, lang_id lang, const char *id)
{
	for (size_t i = 0; i < c->count[lang]; i++)
		if (strcmp(lesson_id(c->lessons[lang][i]), id) == 0)
			return c->lessons[lang][i];
	return NULL;
}

/* Every lesson must exist in every language, at the same place in the menu, with the same
 * structure; English is the reference. */
static void cross_check(const catalog *c, diag_list *errs)
{
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		int other = lang == LANG_EN ? LANG_ZH_CN : LANG_EN;
		for (size_t i = 0; i < c->count[lang]; i++) {
			const lesson *l = c->lessons[lang][i];
			const lesson *o = find_in(c, other, lesson_id(l));
			if (!o) {
				diag_add(errs, lesson_file(l), lesson_id_line(l), 1,
					 _("lesson '%s' has no %s version"), lesson_id(l),
					 i18n_code(other));
				continue;
			}
			if (lang != LANG_EN)
				continue;
			if (lesson_order(o) != lesson_order(l))
				diag_add(errs, lesson_file(o), lesson_id_line(o), 1,
					 _("lesson '%s' has @order %d here but %d in %s"), lesson_id(o),
					 lesson_order(o), lesson_order(l), lesson_file(l));
			lesson_compare_structure(l, o, errs);
		}
	}
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
	for (size_t i = 0; i < c->count[LANG_EN]; i++)
		if (find_demo_block(c->lessons[LANG_EN][i], id, &pg))
			return true;
	return false;
}

/* Loads DIR/demos/ID.demo for every demo block, in course order. */
static void load_demos(catalog *c, const char *dir, diag_list *errs)
{
	size_t cap = 0;
	for (size_t i = 0; i < c->count[LANG_EN]; i++) {
		const lesson *l = c->lessons[LANG_EN][i];
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
				char *path = xasprintf("%s/demos/%s.demo", dir, blk->id);
				script *s = script_load(path, errs);
				free(path);
				if (!s)
					continue;
				grow_array((void **)&c->demos, &cap, c->ndemos, sizeof *c->demos);
				demo_ref *d = &c->demos[c->ndemos++];
				d->script = s;
				d->lesson = i;
				d->page = pg;
				for (int lang = 0; lang < LANG_COUNT; lang++) {
					size_t p2;
					const lesson *ll = c->lessons[lang][i];
					d->block[lang] = find_demo_block(ll, blk->id, &p2);
					if (d->block[lang])
						check_narration(ll, d->block[lang], s, errs);
				}
			}
		}
	}
	/* a demo file no lesson shows is a mistake too */
	char *path = xasprintf("%s/demos", dir);
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

catalog *catalog_load(const char *dir, diag_list *errs)
{
	size_t before = errs->count;
	catalog *c = xcalloc(1, sizeof *c);
	for (int lang = 0; lang < LANG_COUNT; lang++)
		load_lang(c, (lang_id)lang, dir, errs);
	if (errs->count == before)
		cross_check(c, errs);
	if (errs->count == before)
		load_demos(c, dir, errs);
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
	return c;
}

void catalog_free(catalog *c)
{
	if (!c)
		return;
	for (int lang = 0; lang < LANG_COUNT; lang++) {
		for (size_t i = 0; i < c->count[lang]; i++)
			lesson_free(c->lessons[lang][i]);
		free(c->lessons[lang]);
	}
	for (size_t i = 0; i < c->ndemos; i++)
		script_free(c->demos[i].script);
	free(c->demos);
	glossary_free(c->glossary);
	free(c);
}

size_t catalog_count(const catalog *c)
{
	return c->count[LANG_EN];
}

const lesson *catalog_lesson(const catalog *c, lang_id lang, size_t i)
{
	return c->lessons[lang][i];
}

int catalog_find(const catalog *c, const char *id)
{
	for (size_t i = 0; i < c->count[LANG_EN]; i++)
		if (strcmp(lesson_id(c->lessons[LANG_EN][i]), id) == 0)
			return (int)i;
	return -1;
}

size_t catalog_ndemos(const catalog *c)
{
	return c->ndemos;
}

const script *catalog_demo(const catalog *c, size_t i)
{
	return c->demos[i].script;
}

int catalog_find_demo(const catalog *c, const char *id)
{
	for (size_t i = 0; i < c->ndemos; i++)
		if (strcmp(c->demos[i].script->id, id) == 0)
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
	const lesson *l = c->lessons[LANG_EN][i];
	size_t n = 0;
	for (size_t pg = 0; pg < lesson_npages(l); pg++)
		for (size_t b = 0; b < lesson_nblocks(l, pg); b++)
			n += lesson_block_at(l, pg, b)->kind == BLOCK_CHECK;
	for (size_t d = 0; d < c->ndemos; d++)
		if (c->demos[d].lesson == i)
			n += c->demos[d].script->npredicts;
	return n;
}

const glossary *catalog_glossary(const catalog *c)
{
	return c->glossary;
}
