#include "config.h"

#include "suites.h"
#include "core/layout.h"
#include "core/text.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

static int w(const char *s)
{
	return text_width(s, strlen(s));
}

START_TEST(width_ascii_cjk_combining)
{
	ck_assert_int_eq(w("socket"), 6);
	ck_assert_int_eq(w("套接字"), 6);
	ck_assert_int_eq(w("IP 地址"), 7);
	/* e + COMBINING ACUTE ACCENT is one column */
	ck_assert_int_eq(w("e\xcc\x81"), 1);
	ck_assert_int_eq(w("，"), 2);
}
END_TEST

START_TEST(decode_rejects_bad_utf8)
{
	ck_assert_uint_eq(text_invalid_at("ok", 2), (size_t)-1);
	ck_assert_uint_eq(text_invalid_at("ab\xff", 3), 2);
	/* overlong encoding of '/' */
	ck_assert_uint_eq(text_invalid_at("\xc0\xaf", 2), 0);
	/* truncated 3-byte sequence */
	ck_assert_uint_eq(text_invalid_at("x\xe5\xa5", 3), 1);
	/* UTF-16 surrogate encoded in UTF-8 */
	ck_assert_uint_eq(text_invalid_at("\xed\xa0\x80", 3), 0);
}
END_TEST

/* text_unsafe_at() skips printable ASCII eight bytes at a time: whatever it must stop at is
 * found at every offset of a longer text, and nothing else stops it. */
START_TEST(unsafe_found_at_every_offset)
{
	static const struct {
		const char *bytes;
		uint32_t cp;
	} bad[] = {
		{ "\x01", 0x01 }, { "\x1b", 0x1b }, { "\x1f", 0x1f }, { "\x7f", 0x7f },
		{ "\r", '\r' }, { "\xc2\x85", 0x85 }, { "\xff", TEXT_INVALID },
		/* overlong '/', a surrogate, a cut three-byte sequence */
		{ "\xe0\x80\xaf", TEXT_INVALID }, { "\xed\xa0\x80", TEXT_INVALID },
		{ "\xe5\xa5~", TEXT_INVALID },
	};
	char t[40];
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		size_t bl = strlen(bad[k].bytes);
		for (size_t at = 0; at + bl <= 24; at++) {
			memset(t, '~', sizeof t);
			memcpy(t + at, bad[k].bytes, bl);
			uint32_t cp = 0;
			ck_assert_msg(text_unsafe_at(t, 24, &cp) == at, "byte %zu of case %zu", at, k);
			ck_assert_uint_eq(cp, bad[k].cp);
		}
	}
	/* text, tabs, newlines, CRLF and Chinese pass at every offset */
	static const char *const good[] = { " ", "\t", "\n", "\r\n", "套", "\xe0\xa0\x80",
					     "\xef\xbf\xbf", "~" };
	for (size_t k = 0; k < sizeof good / sizeof *good; k++) {
		size_t gl = strlen(good[k]);
		for (size_t at = 0; at + gl <= 24; at++) {
			memset(t, 'a', sizeof t);
			memcpy(t + at, good[k], gl);
			uint32_t cp;
			ck_assert_msg(text_unsafe_at(t, 24, &cp) == (size_t)-1, "byte %zu of '%s'", at,
				      good[k]);
		}
	}
}
END_TEST

START_TEST(fit_never_splits_a_wide_char)
{
	int used;
	/* 3 columns fit one CJK character (2), not a half of the second */
	ck_assert_uint_eq(text_fit("套接字", strlen("套接字"), 3, &used), 3);
	ck_assert_int_eq(used, 2);
	ck_assert_uint_eq(text_fit("abc", 3, 10, &used), 3);
	ck_assert_int_eq(used, 3);
}
END_TEST

static size_t wrap(const char *s, int width, char ***lines)
{
	size_t n = layout_wrap(s, width, lines);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(w((*lines)[i]) <= width || strlen((*lines)[i]) <= 4,
			      "line %zu '%s' wider than %d", i, (*lines)[i], width);
	return n;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Continued lines join with a space between Latin words, none between Chinese characters
 * and none next to Chinese punctuation. */
START_TEST(join_lines)
{
	ck_assert(text_join_needs_space("the", 3, "kernel", 6));
	ck_assert(!text_join_needs_space("内核", 6, "收到", 6));
	ck_assert(!text_join_needs_space("之后，", 9, "FIN", 3));
	ck_assert(!text_join_needs_space("FIN", 3, "（对端）", 12));
	ck_assert(text_join_needs_space("收到", 6, "FIN", 3));
	ck_assert(!text_join_needs_space("", 0, "x", 1));
}
END_TEST

START_TEST(wrap_words)
{
	char **l;
	size_t n = wrap("the quick brown fox jumps", 10, &l);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(l[0], "the quick");
	ck_assert_str_eq(l[1], "brown fox");
	ck_assert_str_eq(l[2], "jumps");
	free_lines(l, n);
}
END_TEST

START_TEST(wrap_cjk_by_columns)
{
	char **l;
	/* 8 CJK characters = 16 columns; at width 7 each line holds 3 (6 columns) */
	size_t n = wrap("一二三四五六七八", 7, &l);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(l[0], "一二三");
	ck_assert_str_eq(l[1], "四五六");
	ck_assert_str_eq(l[2], "七八");
	free_lines(l, n);
}
END_TEST

START_TEST(wrap_keeps_chinese_punctuation_off_line_start)
{
	char **l;
	/* "一二三，四" at width 6: a plain break would start line 2 with "，" */
	size_t n = wrap("一二三，四", 6, &l);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(l[0], "一二");
	ck_assert_str_eq(l[1], "三，四");
	free_lines(l, n);
}
END_TEST

START_TEST(wrap_mixed_latin_and_cjk)
{
	char **l;
	/* "调用 socket()" is 13 columns: the break falls at the space; a CJK run may break
	 * between any two characters */
	size_t n = wrap("调用 socket() 创建套接字", 12, &l);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(l[0], "调用");
	ck_assert_str_eq(l[1], "socket() 创");
	ck_assert_str_eq(l[2], "建套接字");
	free_lines(l, n);
	n = wrap("调用 socket() 创建套接字", 20, &l);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(l[0], "调用 socket() 创建套");
	ck_assert_str_eq(l[1], "接字");
	free_lines(l, n);
}
END_TEST

START_TEST(wrap_combining_stays_with_base)
{
	char **l;
	/* "café café" with decomposed é: 4 columns each word */
	size_t n = wrap("cafe\xcc\x81 cafe\xcc\x81", 4, &l);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(l[0], "cafe\xcc\x81");
	ck_assert_str_eq(l[1], "cafe\xcc\x81");
	free_lines(l, n);
}
END_TEST

START_TEST(wrap_width_one)
{
	char **l;
	size_t n = wrap("ab 套接", 1, &l);
	/* every character on its own line; a wide one alone even though it overflows */
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(l[0], "a");
	ck_assert_str_eq(l[1], "b");
	ck_assert_str_eq(l[2], "套");
	ck_assert_str_eq(l[3], "接");
	free_lines(l, n);
}
END_TEST

START_TEST(wrap_long_word_is_cut)
{
	char **l;
	size_t n = wrap("abcdefghij", 4, &l);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(l[0], "abcd");
	ck_assert_str_eq(l[2], "ij");
	free_lines(l, n);
}
END_TEST

/* strbuf_addf formats into the room the buffer has and grows it when that is too little:
 * what was there stays, and a long piece arrives whole */
START_TEST(strbuf_addf_appends_and_grows)
{
	strbuf sb = { 0 };
	strbuf_addf(&sb, "%s %d", "file", 42);
	ck_assert_str_eq(sb.buf, "file 42");
	char big[300];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	strbuf_addf(&sb, "|%s|%05.1f", big, 2.25);
	ck_assert_uint_eq(sb.len, strlen("file 42") + 1 + 299 + 1 + 5);
	ck_assert_uint_eq(strlen(sb.buf), sb.len);
	ck_assert(strncmp(sb.buf, "file 42|xxx", 11) == 0);
	ck_assert_str_eq(sb.buf + sb.len - 7, "x|002.2");
	strbuf_addf(&sb, "%s", "");
	ck_assert_uint_eq(strlen(sb.buf), sb.len);
	strbuf_free(&sb);
}
END_TEST

Suite *make_text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("measure");
	tcase_add_test(tc, width_ascii_cjk_combining);
	tcase_add_test(tc, strbuf_addf_appends_and_grows);
	tcase_add_test(tc, decode_rejects_bad_utf8);
	tcase_add_test(tc, unsafe_found_at_every_offset);
	tcase_add_test(tc, fit_never_splits_a_wide_char);
	suite_add_tcase(s, tc);
	tc = tcase_create("wrap");
	tcase_add_test(tc, join_lines);
	tcase_add_test(tc, wrap_words);
	tcase_add_test(tc, wrap_cjk_by_columns);
	tcase_add_test(tc, wrap_keeps_chinese_punctuation_off_line_start);
	tcase_add_test(tc, wrap_mixed_latin_and_cjk);
	tcase_add_test(tc, wrap_combining_stays_with_base);
	tcase_add_test(tc, wrap_width_one);
	tcase_add_test(tc, wrap_long_word_is_cut);
	suite_add_tcase(s, tc);
	return s;
}
