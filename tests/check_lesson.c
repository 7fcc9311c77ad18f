#include "config.h"

#include "suites.h"
#include "core/lesson.h"

#include <string.h>

static diag_list errs;

static void setup(void)
{
	memset(&errs, 0, sizeof errs);
}

static void teardown(void)
{
	diag_clear(&errs);
}

static lesson *parse(const char *text)
{
	return lesson_parse(text, strlen(text), "t.lesson", &errs);
}

/* Asserts that text fails with an error at line:col whose message contains needle. */
static void expect_error(const char *text, int line, int col, const char *needle)
{
	diag_clear(&errs);
	lesson *l = parse(text);
	ck_assert_ptr_null(l);
	ck_assert_uint_ge(errs.count, 1);
	for (size_t i = 0; i < errs.count; i++)
		if (errs.items[i].line == line && errs.items[i].col == col &&
		    strstr(errs.items[i].msg, needle))
			return;
	ck_abort_msg("no error %d:%d '%s'; first was %d:%d '%s'", line, col, needle,
		     errs.items[0].line, errs.items[0].col, errs.items[0].msg);
}

#define HEAD "@lesson t\n@title T\n@order 1\n"

START_TEST(valid_lesson_structure)
{
	lesson *l = lesson_load(test_data("valid.lesson"), &errs);
	ck_assert_msg(l != NULL, "%s", errs.count ? errs.items[0].msg : "");
	ck_assert_str_eq(lesson_id(l), "sample");
	ck_assert_str_eq(lesson_title(l), "A sample lesson");
	ck_assert_int_eq(lesson_order(l), 7);
	ck_assert_uint_eq(lesson_npages(l), 2);
	ck_assert_str_eq(lesson_page_title(l, 0), "First page");
	ck_assert_uint_eq(lesson_nblocks(l, 0), 5);

	const lesson_block *p = lesson_block_at(l, 0, 0);
	ck_assert_int_eq(p->kind, BLOCK_PARA);
	ck_assert_uint_eq(p->nspans, 5);
	ck_assert_str_eq(p->spans[0].text, "A paragraph with ");
	ck_assert_int_eq(p->spans[1].kind, SPAN_EMPH);
	ck_assert_str_eq(p->spans[1].text, "emphasis");
	ck_assert_int_eq(p->spans[3].kind, SPAN_CODE);
	ck_assert_str_eq(p->spans[3].text, "inline code");
	ck_assert_str_eq(p->spans[4].text, ", continued on a second line.");

	ck_assert_int_eq(lesson_block_at(l, 0, 1)->kind, BLOCK_HEADING);
	const lesson_block *b = lesson_block_at(l, 0, 2);
	ck_assert_int_eq(b->kind, BLOCK_BULLET);
	ck_assert_str_eq(b->spans[0].text, "a bullet item that continues here");
	b = lesson_block_at(l, 0, 3);
	ck_assert_str_eq(b->spans[0].text, "a second item with a literal * star");

	const lesson_block *code = lesson_block_at(l, 0, 4);
	ck_assert_int_eq(code->kind, BLOCK_CODE);
	ck_assert_str_eq(code->lang, "c");
	ck_assert_uint_eq(code->nlines, 2);
	/* the tab is expanded to the next multiple of 8 */
	ck_assert_str_eq(code->lines[1], "        if (fd < 0) return 1;");

	const lesson_block *demo = lesson_block_at(l, 1, 0);
	ck_assert_int_eq(demo->kind, BLOCK_DEMO);
	ck_assert_str_eq(demo->id, "tcp-echo");
	ck_assert_uint_eq(demo->nnarr, 2);
	ck_assert_str_eq(lesson_block_narration(demo, "title"), "A TCP echo");
	ck_assert_str_eq(lesson_block_narration(demo, "setup"), "The server listens.");
	ck_assert_int_eq(demo->narr_lines[1], 24);
	ck_assert_ptr_null(lesson_block_narration(demo, "nope"));

	const lesson_block *chk = lesson_block_at(l, 1, 1);
	ck_assert_int_eq(chk->kind, BLOCK_CHECK);
	ck_assert_str_eq(chk->question, "How many bits long is an IPv6 address?");
	ck_assert_uint_eq(chk->nchoices, 3);
	ck_assert_int_eq(chk->answer, 2);
	ck_assert_str_eq(chk->choices[2], "128");
	ck_assert_str_eq(chk->explain, "8 groups × 16 bits = 128 bits. RFC 8200 defines it.");
	lesson_free(l);
}
END_TEST

START_TEST(cjk_lines_join_without_space)
{
	lesson *l = lesson_load(test_data("cjk.lesson"), &errs);
	ck_assert_ptr_nonnull(l);
	ck_assert_str_eq(lesson_title(l), "示例课程");
	const lesson_block *p = lesson_block_at(l, 0, 0);
	ck_assert_str_eq(p->spans[0].text, "这是一个");
	ck_assert_str_eq(p->spans[1].text, "强调");
	ck_assert_int_eq(p->spans[3].kind, SPAN_CODE);
	/* "，\n并且": two CJK characters across a line break join with no space */
	ck_assert_str_eq(p->spans[4].text, "调用，并且在第二行继续。");
	lesson_free(l);
}
END_TEST

START_TEST(crlf_line_ends)
{
	lesson *l = parse("@lesson t\r\n@title T\r\n@order 1\r\n@page P\r\nHello\r\n");
	ck_assert_ptr_nonnull(l);
	ck_assert_str_eq(lesson_title(l), "T");
	ck_assert_str_eq(lesson_block_at(l, 0, 0)->spans[0].text, "Hello");
	lesson_free(l);
}
END_TEST

START_TEST(error_invalid_utf8)
{
	expect_error(HEAD "@page P\nab\xff\n", 5, 3, "invalid UTF-8");
}
END_TEST

/* A lesson file is shown on the terminal: a control character in it could clear the screen,
 * retitle the window or write the clipboard (OSC 52), so each is refused where it stands.
 * Tab (in code) and CRLF line ends are text. */
START_TEST(error_control_characters)
{
	expect_error(HEAD "@page P\nText \x1b[2J here.\n", 5, 6, "control character U+001B");
	expect_error("@lesson t\n@title T\x1b]0;pwned\x07\n@order 1\n@page P\nx\n", 2, 9,
		     "control character U+001B");
	expect_error(HEAD "@page P\nover\rwrite\n", 5, 5, "control character U+000D");
	expect_error(HEAD "@page P\nA \xc2\x9b" "31m red\n", 5, 3, "control character U+009B");
	expect_error(HEAD "@page P\nbell\x07\n", 5, 5, "control character U+0007");
	expect_error(HEAD "@page P\nrub\x7f\n", 5, 4, "control character U+007F");
	diag_list ok = { 0 };
	static const char crlf[] = HEAD "@page P\r\n\r\n```\r\na\tb\r\n```\r\n";
	lesson *l = lesson_parse(crlf, strlen(crlf), "t.lesson", &ok);
	ck_assert_msg(l != NULL, "CRLF and tab refused: %s", ok.count ? ok.items[0].msg : "");
	lesson_free(l);
	diag_clear(&ok);
}
END_TEST

/* A demo id names a file (demos/ID.demo): nothing that could leave that directory. */
START_TEST(error_demo_id_is_not_a_path)
{
	expect_error(HEAD "@page P\n@demo ../../etc/passwd\ntitle: x\n@end\n", 5, 7, "bad demo id");
	expect_error(HEAD "@page P\n@demo /etc/passwd\ntitle: x\n@end\n", 5, 7, "bad demo id");
	expect_error(HEAD "@include /etc/passwd\n", 4, 1, "unknown directive '@include'");
}
END_TEST

START_TEST(error_unknown_directive)
{
	expect_error(HEAD "@pgae P\n", 4, 1, "unknown directive '@pgae'");
}
END_TEST

/* Found by fuzz/lesson.c: lesson_parse() takes a length and the text need not end in a NUL,
 * but the word of an unknown directive was measured with strcspn(), which read on past the
 * end of a text whose last line it was (a heap overflow read under AddressSanitizer; here
 * the text ends where an unreadable page begins). */
START_TEST(error_unknown_directive_ends_text)
{
	static const char text[] = HEAD "@page P\nx\n@pgae";
	const char *t = test_unterminated(text, sizeof text - 1);
	lesson *l = lesson_parse(t, sizeof text - 1, "t.lesson", &errs);
	test_unterminated_free(t, sizeof text - 1);
	ck_assert_ptr_null(l);
	ck_assert_uint_eq(errs.count, 1);
	ck_assert_int_eq(errs.items[0].line, 6);
	ck_assert_int_eq(errs.items[0].col, 1);
	ck_assert_ptr_nonnull(strstr(errs.items[0].msg, "unknown directive '@pgae'"));
}
END_TEST

START_TEST(error_missing_header)
{
	expect_error("@lesson t\n@order 1\n@page P\nx\n", 1, 1, "missing '@title");
	teardown();
	setup();
	expect_error("@title T\n@order 1\n@page P\nx\n", 1, 1, "missing '@lesson");
}
END_TEST

START_TEST(error_repeated_header)
{
	expect_error(HEAD "@title Again\n@page P\nx\n", 4, 1, "@title appears twice");
}
END_TEST

START_TEST(error_bad_id_and_order)
{
	expect_error("@lesson Bad_Id\n@title T\n@order 1\n@page P\nx\n", 1, 9, "bad lesson id 'Bad_Id'");
	teardown();
	setup();
	expect_error("@lesson t\n@title T\n@order one\n@page P\nx\n", 3, 8, "'one'");
}
END_TEST

START_TEST(error_text_before_page)
{
	expect_error(HEAD "Stray text\n@page P\nx\n", 4, 1, "before the first @page");
}
END_TEST

START_TEST(error_empty_page_and_no_page)
{
	expect_error(HEAD "@page Empty\n@page Full\nx\n", 4, 1, "page 'Empty' has no content");
	teardown();
	setup();
	expect_error(HEAD, 1, 1, "no page");
}
END_TEST

START_TEST(error_unclosed_blocks)
{
	expect_error(HEAD "@page P\n```c\nint x;\n", 5, 1, "code block has no closing");
	teardown();
	setup();
	expect_error(HEAD "@page P\n@demo d\nclient: socket\n", 5, 1, "demo block 'd' has no @end");
	teardown();
	setup();
	expect_error(HEAD "@page P\nx\n@end\n", 6, 1, "@end without");
}
END_TEST

START_TEST(error_unclosed_inline)
{
	/* the column counts characters: "中文 *" puts the star at column 4 */
	expect_error(HEAD "@page P\nfirst line\n中文 *open emphasis\n", 6, 4, "emphasis opened here");
	teardown();
	setup();
	expect_error(HEAD "@page P\ncall `socket(\n", 5, 6, "inline code opened here");
}
END_TEST

START_TEST(error_tab_outside_code)
{
	expect_error(HEAD "@page P\nab\tc\n", 5, 3, "tab character");
}
END_TEST

START_TEST(error_check_fields)
{
	expect_error(HEAD "@page P\n@check c\nquestion: Q?\nchoice: a\nchoice: b\n@end\n", 5, 1, "has no 'answer:'");
	teardown();
	setup();
	expect_error(HEAD "@page P\n@check c\nquestion: Q?\nanswer: a\n@end\n", 5, 1, "at least two choices");
	teardown();
	setup();
	expect_error(HEAD "@page P\n@check c\nquestion: Q?\nchoice: a\nanswer: b\nanswer: c\n@end\n", 9, 1, "exactly one 'answer:'");
	teardown();
	setup();
	expect_error(HEAD "@page P\n@check c\nquestoin: Q?\n@end\n", 6, 1, "unknown check field 'questoin'");
	teardown();
	setup();
	expect_error(HEAD "@page P\n@check c\nquestion: Q?\nquestion: R?\nchoice: a\nanswer: b\n@end\n", 7, 1, "'question:' appears twice");
}
END_TEST

START_TEST(error_duplicate_block_id)
{
	expect_error(HEAD "@page P\n@demo d\n@end\n@demo d\n@end\n", 7, 7, "demo id 'd' is used twice");
}
END_TEST

START_TEST(errors_are_all_reported)
{
	lesson *l = parse(HEAD "@page P\n@bogus\nstray *star\n\n@end\n");
	ck_assert_ptr_null(l);
	ck_assert_uint_eq(errs.count, 3);
	ck_assert_int_eq(errs.items[0].line, 5);
	ck_assert_int_eq(errs.items[1].line, 6);
	ck_assert_int_eq(errs.items[2].line, 8);
}
END_TEST

START_TEST(project_blocks)
{
	lesson *l = parse(HEAD "@page P\nBefore.\n@project files\nAfter.\n");
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(lesson_nblocks(l, 0), 3);
	const lesson_block *b = lesson_block_at(l, 0, 1);
	ck_assert_int_eq(b->kind, BLOCK_PROJECT);
	ck_assert_str_eq(b->id, "files");
	/* the two languages must name the same projects in the same places */
	lesson *m = parse(HEAD "@page P\nVorher.\n@project echo\n");
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(lesson_compare_structure(l, m, &errs), -1);
	ck_assert_ptr_nonnull(strstr(errs.items[0].msg, "'echo' stands where"));
	lesson_free(l);
	lesson_free(m);
}
END_TEST

START_TEST(error_unknown_project)
{
	expect_error(HEAD "@page P\nx\n@project ftp\n", 6, 10, "no project 'ftp'");
	diag_clear(&errs);
	expect_error(HEAD "@project echo\n@page P\nx\n", 4, 1, "@project must be inside a page");
}
END_TEST

START_TEST(structure_comparison)
{
	lesson *a = lesson_load(test_data("valid.lesson"), &errs);
	lesson *b = lesson_load(test_data("cjk.lesson"), &errs);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(lesson_compare_structure(a, b, &errs), 0);
	lesson *c = lesson_load(test_data("set-mismatch/zh_CN/sample.lesson"), &errs);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(lesson_compare_structure(a, c, &errs), -1);
	ck_assert_uint_eq(errs.count, 1);
	ck_assert_ptr_nonnull(strstr(errs.items[0].msg, "check 'ipv6-bits'"));
	lesson_free(a);
	lesson_free(b);
	lesson_free(c);
}
END_TEST

Suite *make_lesson_suite(void)
{
	Suite *s = suite_create("lesson");
	TCase *tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, valid_lesson_structure);
	tcase_add_test(tc, cjk_lines_join_without_space);
	tcase_add_test(tc, crlf_line_ends);
	tcase_add_test(tc, structure_comparison);
	tcase_add_test(tc, project_blocks);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, error_invalid_utf8);
	tcase_add_test(tc, error_control_characters);
	tcase_add_test(tc, error_demo_id_is_not_a_path);
	tcase_add_test(tc, error_unknown_directive);
	tcase_add_test(tc, error_unknown_directive_ends_text);
	tcase_add_test(tc, error_missing_header);
	tcase_add_test(tc, error_repeated_header);
	tcase_add_test(tc, error_bad_id_and_order);
	tcase_add_test(tc, error_text_before_page);
	tcase_add_test(tc, error_empty_page_and_no_page);
	tcase_add_test(tc, error_unclosed_blocks);
	tcase_add_test(tc, error_unclosed_inline);
	tcase_add_test(tc, error_tab_outside_code);
	tcase_add_test(tc, error_check_fields);
	tcase_add_test(tc, error_duplicate_block_id);
	tcase_add_test(tc, errors_are_all_reported);
	tcase_add_test(tc, error_unknown_project);
	suite_add_tcase(s, tc);
	return s;
}
