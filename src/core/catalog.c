#include "config.h"

#include "catalog.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct catalog {
	lesson **lessons[LANG_COUNT];	/* sorted by order */
	size_t count[LANG_COUNT];
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

catalog *catalog_load(const char *dir, diag_list *errs)
{
	size_t before = errs->count;
	catalog *c = xcalloc(1, sizeof *c);
	for (int lang = 0; lang < LANG_COUNT; lang++)
		load_lang(c, (lang_id)lang, dir, errs);
	if (errs->count == before)
		cross_check(c, errs);
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
