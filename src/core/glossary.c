#include "config.h"

#include "glossary.h"
#include "lesson.h"
#include "text.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[] = { "en", "en.def", "zh_CN", "zh_CN.def" };

static char **field_slot(glossary_term *t, size_t f)
{
	return f % 2 ? &t->def[f / 2] : &t->name[f / 2];
}

static void free_term(glossary_term *t)
{
	free(t->id);
	free(t->lesson);
	for (int l = 0; l < LANG_COUNT; l++) {
		free(t->name[l]);
		free(t->def[l]);
	}
}

glossary *glossary_parse(const char *text, size_t len, const char *file, diag_list *errs)
{
	size_t before = errs->count, cap = 0;
	glossary *g = xcalloc(1, sizeof *g);
	glossary_term cur = { 0 };
	bool open = false;
	char **last = NULL;
	int line = 0;
	const char *pos = text, *end = text + len;
	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		const char *ls = pos, *le = nl ? nl : end;
		pos = nl ? nl + 1 : end;
		line++;
		if (le > ls && le[-1] == '\r')
			le--;
		size_t n = (size_t)(le - ls);
		uint32_t cp;
		size_t bad = text_unsafe_at(ls, n, &cp);
		if (bad != (size_t)-1) {
			char why[256];
			if (cp == TEXT_INVALID)
				diag_add(errs, file, line, 1, _("this line is not valid UTF-8"));
			else
				diag_add(errs, file, line, text_chars(ls, bad) + 1, "%s", text_unsafe_why(cp, why));
			continue;
		}
		char *s = xstrndup(ls, n);
		if (!*s || *s == '#') {
			last = NULL;
		} else if (strncmp(s, "@term", 5) == 0 && (s[5] == ' ' || !s[5])) {
			const char *id = s[5] ? s + 6 : "";
			if (open)
				diag_add(errs, file, cur.line, 1, _("term '%s' has no @end"), cur.id);
			free_term(&cur);
			memset(&cur, 0, sizeof cur);
			cur.line = line;
			cur.id = xstrdup(id);
			open = true;
			if (!lesson_valid_id(id))
				diag_add(errs, file, line, 7, _("expected a term id (lower-case letters, digits, '-'): @term ID"));
			for (size_t i = 0; i < g->count; i++)
				if (strcmp(g->terms[i].id, id) == 0)
					diag_add(errs, file, line, 7, _("term '%s' is defined twice (first at line %d)"), id, g->terms[i].line);
		} else if (strcmp(s, "@end") == 0) {
			if (!open) {
				diag_add(errs, file, line, 1, _("@end with no open block"));
			} else {
				if (!cur.lesson)
					diag_add(errs, file, cur.line, 1, _("term '%s' has no '%s:'"), cur.id, "lesson");
				for (size_t f = 0; f < 4; f++)
					if (!*field_slot(&cur, f))
						diag_add(errs, file, cur.line, 1, _("term '%s' has no '%s:'"), cur.id, field_names[f]);
				grow_array((void **)&g->terms, &cap, g->count, sizeof *g->terms);
				g->terms[g->count++] = cur;
				memset(&cur, 0, sizeof cur);
				open = false;
			}
			last = NULL;
		} else if (*s == ' ' && last) {
			const char *v = s;
			while (*v == ' ')
				v++;
			*last = text_append_line(*last, v, strlen(v));
		} else if (!open) {
			diag_add(errs, file, line, 1, _("expected '@term ID'"));
		} else {
			char *colon = strchr(s, ':');
			char **slot = NULL;
			if (colon) {
				*colon = '\0';
				if (strcmp(s, "lesson") == 0)
					slot = &cur.lesson;
				for (size_t f = 0; f < 4 && !slot; f++)
					if (strcmp(s, field_names[f]) == 0)
						slot = field_slot(&cur, f);
			}
			const char *v = colon ? colon + 1 : "";
			while (*v == ' ')
				v++;
			if (!slot) {
				diag_add(errs, file, line, 1, _("expected one of lesson:, en:, en.def:, zh_CN:, zh_CN.def:"));
				last = NULL;
			} else if (*slot) {
				diag_add(errs, file, line, 1, _("'%s:' is given twice"), s);
				last = NULL;
			} else if (!*v) {
				diag_add(errs, file, line, (int)strlen(s) + 2, _("this field is empty"));
				last = NULL;
			} else {
				*slot = xstrdup(v);
				last = slot;
			}
		}
		free(s);
	}
	if (open)
		diag_add(errs, file, cur.line, 1, _("term '%s' has no @end"), cur.id);
	free_term(&cur);
	if (errs->count > before) {
		glossary_free(g);
		return NULL;
	}
	return g;
}

glossary *glossary_load(const char *path, diag_list *errs)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		if (errno == ENOENT)
			return xcalloc(1, sizeof(glossary));
		diag_add(errs, path, 0, 0, _("cannot read the glossary: %s"), strerror(errno));
		return NULL;
	}
	glossary *g = glossary_parse(text, len, path, errs);
	free(text);
	return g;
}

void glossary_free(glossary *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->count; i++)
		free_term(&g->terms[i]);
	free(g->terms);
	free(g);
}
