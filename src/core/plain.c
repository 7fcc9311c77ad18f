#include "config.h"

#include "plain.h"
#include "layout.h"
#include "text.h"

#include <string.h>

static void underline(FILE *out, const char *s, char c)
{
	int w = text_width(s, strlen(s));
	fprintf(out, "%s\n", s);
	for (int i = 0; i < w; i++)
		fputc(c, out);
	fputc('\n', out);
}

void plain_print_lesson(FILE *out, const lesson *l, int number, int width)
{
	char head[512];
	/* TRANSLATORS: lesson number and title, as a heading in plain text. */
	snprintf(head, sizeof head, _("Lesson %d: %s"), number, lesson_title(l));
	underline(out, head, '=');
	layout_opts o = { .width = width, .ascii = false, .markup = true, .reveal = true };
	for (size_t p = 0; p < lesson_npages(l); p++) {
		char ph[512];
		snprintf(ph, sizeof ph, "%zu. %s", p + 1, lesson_page_title(l, p));
		fputc('\n', out);
		underline(out, ph, '-');
		fputc('\n', out);
		layout *lay = layout_page(l, p, &o);
		for (size_t i = 0; i < layout_count(lay); i++) {
			const layout_line *ln = layout_at(lay, i);
			for (size_t k = 0; k < ln->nruns; k++)
				fwrite(ln->runs[k].text, 1, ln->runs[k].len, out);
			fputc('\n', out);
		}
		layout_free(lay);
	}
}

void plain_print_list(FILE *out, const catalog *c, lang_id lang)
{
	for (size_t i = 0; i < catalog_count(c); i++) {
		const lesson *l = catalog_lesson(c, lang, i);
		fprintf(out, "%s\t%s\n", lesson_id(l), lesson_title(l));
	}
}
