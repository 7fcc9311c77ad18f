#include "config.h"

#include "suites.h"
#include "core/layout.h"
#include "core/text.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

static char *line_text(const layout_line *ln)
{
	strbuf sb = { 0 };
	for (size_t k = 0; k < ln->nruns; k++)
		strbuf_add(&sb, ln->runs[k].text, ln->runs[k].len);
	return strbuf_take(&sb);
}

static lesson *load(const char *name)
{
	diag_list errs = { 0 };
	lesson *l = lesson_load(test_data(name), &errs);
	ck_assert_uint_eq(errs.count, 0);
	diag_clear(&errs);
	return l;
}

START_TEST(no_line_wider_than_the_page)
{
	static const char *files[] = { "valid.lesson", "cjk.lesson" };
	for (size_t f = 0; f < 2; f++) {
		lesson *l = load(files[f]);
		for (int width = 12; width <= 80; width += 7)
			for (size_t p = 0; p < lesson_npages(l); p++) {
				layout_opts o = { .width = width };
				layout *lay = layout_page(l, p, &o);
				ck_assert_uint_gt(layout_count(lay), 0);
				for (size_t i = 0; i < layout_count(lay); i++)
					ck_assert_int_le(layout_line_width(layout_at(lay, i)), width);
				layout_free(lay);
			}
		lesson_free(l);
	}
}
END_TEST

START_TEST(emphasis_and_code_attributes)
{
	lesson *l = load("valid.lesson");
	layout_opts o = { .width = 80 };
	layout *lay = layout_page(l, 0, &o);
	const layout_line *ln = layout_at(lay, 0);
	ck_assert_uint_ge(ln->nruns, 4);
	ck_assert_int_eq(ln->runs[1].attr, ATTR_EMPH);
	ck_assert_str_eq(ln->runs[1].text, "emphasis");
	ck_assert_int_eq(ln->runs[3].attr, ATTR_CODE);
	layout_free(lay);
	lesson_free(l);
}
END_TEST

START_TEST(bullets_indent_their_continuation)
{
	lesson *l = load("valid.lesson");
	layout_opts o = { .width = 20 };
	layout *lay = layout_page(l, 0, &o);
	bool found = false;
	for (size_t i = 0; i + 1 < layout_count(lay); i++) {
		char *t = line_text(layout_at(lay, i));
		if (strncmp(t, "• a bullet", strlen("• a bullet")) == 0) {
			char *next = line_text(layout_at(lay, i + 1));
			ck_assert_msg(strncmp(next, "  ", 2) == 0 && next[2] != ' ', "'%s'", next);
			free(next);
			found = true;
		}
		free(t);
	}
	ck_assert(found);
	layout_free(lay);
	lesson_free(l);
}
END_TEST

START_TEST(long_code_lines_are_cut_and_marked)
{
	lesson *l = load("valid.lesson");
	layout_opts o = { .width = 20 };
	layout *lay = layout_page(l, 0, &o);
	const layout_line *last = layout_at(lay, layout_count(lay) - 1);
	ck_assert(last->cut);
	ck_assert_int_le(layout_line_width(last), 19);
	layout_free(lay);
	lesson_free(l);
}
END_TEST

START_TEST(checks_hide_answers_until_revealed)
{
	lesson *l = load("valid.lesson");
	layout_opts o = { .width = 60, .reveal_note = "(press r)" };
	layout *lay = layout_page(l, 1, &o);
	strbuf all = { 0 };
	for (size_t i = 0; i < layout_count(lay); i++) {
		char *t = line_text(layout_at(lay, i));
		strbuf_adds(&all, t);
		strbuf_addc(&all, '\n');
		free(t);
	}
	ck_assert_ptr_nonnull(strstr(all.buf, "3) 128\n"));
	ck_assert_ptr_null(strstr(all.buf, "✓"));
	ck_assert_ptr_nonnull(strstr(all.buf, "(press r)"));
	ck_assert_ptr_null(strstr(all.buf, "RFC 8200"));
	strbuf_free(&all);
	layout_free(lay);

	o.reveal = true;
	lay = layout_page(l, 1, &o);
	for (size_t i = 0; i < layout_count(lay); i++) {
		char *t = line_text(layout_at(lay, i));
		strbuf_adds(&all, t);
		strbuf_addc(&all, '\n');
		free(t);
	}
	ck_assert_ptr_nonnull(strstr(all.buf, "3) 128  ✓"));
	ck_assert_ptr_nonnull(strstr(all.buf, "RFC 8200"));
	strbuf_free(&all);
	layout_free(lay);
	lesson_free(l);
}
END_TEST

/* Text of the whole layout of page pg. */
static char *page_text(const lesson *l, size_t pg, const layout_opts *o)
{
	layout *lay = layout_page(l, pg, o);
	strbuf all = { 0 };
	for (size_t i = 0; i < layout_count(lay); i++) {
		char *t = line_text(layout_at(lay, i));
		strbuf_adds(&all, t);
		strbuf_addc(&all, '\n');
		free(t);
	}
	layout_free(lay);
	return strbuf_take(&all);
}

/* A wrong answer is marked as the student's, beside the right one, with the explanation;
 * the hint shows only when asked for. */
START_TEST(answered_check_and_hint_on_request)
{
	lesson *l = load("valid.lesson");
	size_t n = lesson_nblocks(l, 1);
	int *chosen = calloc(n, sizeof *chosen);
	bool *hinted = calloc(n, sizeof *hinted);
	int cb = -1;
	for (size_t i = 0; i < n; i++) {
		chosen[i] = -1;
		if (lesson_block_at(l, 1, i)->kind == BLOCK_CHECK)
			cb = (int)i;
	}
	ck_assert_int_ge(cb, 0);
	const lesson_block *b = lesson_block_at(l, 1, (size_t)cb);
	ck_assert_ptr_nonnull(b->hint);
	layout_opts o = { .width = 60, .chosen = chosen, .hinted = hinted };
	char *t = page_text(l, 1, &o);
	ck_assert_ptr_null(strstr(t, "Hint:"));
	free(t);
	hinted[cb] = true;
	t = page_text(l, 1, &o);
	ck_assert_ptr_nonnull(strstr(t, "Hint:"));
	free(t);
	chosen[cb] = 0;		/* a wrong choice */
	ck_assert_int_ne(b->answer, 0);
	t = page_text(l, 1, &o);
	ck_assert_ptr_nonnull(strstr(t, "✗ (your answer)"));
	ck_assert_ptr_nonnull(strstr(t, "3) 128  ✓"));
	ck_assert_ptr_nonnull(strstr(t, "RFC 8200"));
	ck_assert_ptr_null(strstr(t, "Hint:"));
	free(t);
	free(chosen);
	free(hinted);
	lesson_free(l);
}
END_TEST

START_TEST(block_positions_survive_relayout)
{
	lesson *l = load("valid.lesson");
	layout_opts wide = { .width = 80 }, narrow = { .width = 14 };
	layout *a = layout_page(l, 0, &wide), *b = layout_page(l, 0, &narrow);
	/* the code block (block 4) starts lower on a narrow screen, and is found in both */
	size_t la = layout_line_of_block(a, 4), lb = layout_line_of_block(b, 4);
	ck_assert_uint_gt(lb, la);
	ck_assert_int_eq(layout_block_of(a, la), 4);
	ck_assert_int_eq(layout_block_of(b, lb), 4);
	layout_free(a);
	layout_free(b);
	lesson_free(l);
}
END_TEST

Suite *make_layout_suite(void)
{
	Suite *s = suite_create("layout");
	TCase *tc = tcase_create("page");
	tcase_add_test(tc, no_line_wider_than_the_page);
	tcase_add_test(tc, emphasis_and_code_attributes);
	tcase_add_test(tc, bullets_indent_their_continuation);
	tcase_add_test(tc, long_code_lines_are_cut_and_marked);
	tcase_add_test(tc, checks_hide_answers_until_revealed);
	tcase_add_test(tc, answered_check_and_hint_on_request);
	tcase_add_test(tc, block_positions_survive_relayout);
	suite_add_tcase(s, tc);
	return s;
}
