#include "config.h"

#include "text.h"
#include "i18n.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <wchar.h>

size_t text_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp < 0xe000)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp >= 0x110000)
		return 0;
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t text_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	size_t len;
	uint32_t c, min;
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2; c = u[0] & 0x1f; min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3; c = u[0] & 0x0f; min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4; c = u[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

size_t text_invalid_at(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t l = text_decode(s + i, n - i, &cp);
		if (l == 0)
			return i;
		i += l;
	}
	return (size_t)-1;
}

/* A well-formed UTF-8 sequence of three bytes (U+0800 to U+FFFF but the surrogates) at u,
 * of n bytes left. */
static bool three_byte_char(const unsigned char *u, size_t n)
{
	return n >= 3 && (u[0] & 0xf0) == 0xe0 && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80 &&
	       (u[0] != 0xe0 || u[1] >= 0xa0) && (u[0] != 0xed || u[1] < 0xa0);
}

size_t text_unsafe_at(const char *s, size_t n, uint32_t *cp)
{
	size_t i = 0;
	while (i < n) {
		/* printable ASCII, most of any lesson, needs no decoding: skipped eight bytes
		 * at a time while none of the eight is a control character or above 0x7e */
		while (n - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
			uint64_t below_space = (w - 0x20 * ones) & ~w & highs;
			uint64_t del = ((w ^ 0x7f * ones) - ones) & ~(w ^ 0x7f * ones) & highs;
			if ((w & highs) | below_space | del)
				break;
			i += 8;
		}
		if (i == n)
			break;
		const unsigned char *u = (const unsigned char *)s + i;
		if (u[0] >= 0x20 && u[0] < 0x7f) {
			i++;
			continue;
		}
		/* three bytes, U+0800 to U+FFFF but the surrogates (all of Chinese): never a
		 * control character; Chinese comes in runs */
		if (three_byte_char(u, n - i)) {
			do
				i += 3;
			while (three_byte_char((const unsigned char *)s + i, n - i));
			continue;
		}
		size_t l = text_decode(s + i, n - i, cp);
		if (l == 0) {
			*cp = TEXT_INVALID;
			return i;
		}
		uint32_t c = *cp;
		bool control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
		if (control && c != '\t' && c != '\n' && !(c == '\r' && i + 1 < n && s[i + 1] == '\n'))
			return i;
		i += l;
	}
	return (size_t)-1;
}

char *text_append_line(char *a, const char *b, size_t n)
{
	size_t la = strlen(a);
	bool space = text_join_needs_space(a, la, b, n);
	char *r = xrealloc(a, la + space + n + 1);
	if (space)
		r[la++] = ' ';
	memcpy(r + la, b, n);
	r[la + n] = '\0';
	return r;
}

const char *text_unsafe_why(uint32_t cp, char buf[256])
{
	if (cp == TEXT_INVALID)
		return _("invalid UTF-8 (lesson files must be UTF-8 text)");
	/* TRANSLATORS: %04X is a code point in hexadecimal, as in U+001B */
	snprintf(buf, 256, _("control character U+%04X: only text may be written here (a control character could take over the terminal)"),
		 (unsigned)cp);
	return buf;
}

int text_cp_width(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return 1;
	int w = wcwidth((wchar_t)cp);
	if (w >= 0)
		return w;
	/* Not printable in this locale (or not a UTF-8 locale): guess from the block so that
	 * layout stays right; CJK ideographs, kana, hangul and full-width forms are wide. */
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	if ((cp >= 0x300 && cp <= 0x36f) || cp == 0x200b)
		return 0;
	return 1;
}

int text_width(const char *s, size_t n)
{
	int w = 0;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t l = text_decode(s + i, n - i, &cp);
		if (l == 0) {
			w++;
			i++;
			continue;
		}
		w += text_cp_width(cp);
		i += l;
	}
	return w;
}

int text_chars(const char *s, size_t n)
{
	int c = 0;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t l = text_decode(s + i, n - i, &cp);
		i += l ? l : 1;
		c++;
	}
	return c;
}

size_t text_fit(const char *s, size_t n, int max, int *used)
{
	int w = 0;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t l = text_decode(s + i, n - i, &cp);
		int cw = l ? text_cp_width(cp) : 1;
		if (!l)
			l = 1;
		if (w + cw > max)
			break;
		w += cw;
		i += l;
	}
	if (used)
		*used = w;
	return i;
}

static bool in(uint32_t cp, const uint32_t *set)
{
	for (; *set; set++)
		if (*set == cp)
			return true;
	return false;
}

bool text_no_break_before(uint32_t cp)
{
	static const uint32_t set[] = {
		',', '.', ';', ':', '!', '?', ')', ']', '}', 0x2019, 0x201d,
		0x3001, 0x3002, 0xff0c, 0xff0e, 0xff1b, 0xff1a, 0xff01, 0xff1f, 0xff09,
		0xff3d, 0xff5d, 0x300b, 0x300d, 0x300f, 0x3011, 0x3015, 0x3009, 0x30fc,
		0x2026, 0x2014, 0xff05, 0
	};
	return in(cp, set);
}

bool text_no_break_after(uint32_t cp)
{
	static const uint32_t set[] = {
		'(', '[', '{', 0x2018, 0x201c, 0xff08, 0xff3b, 0xff5b, 0x300a, 0x300c,
		0x300e, 0x3010, 0x3014, 0x3008, 0
	};
	return in(cp, set);
}

bool text_is_wide_script(uint32_t cp)
{
	return text_cp_width(cp) == 2;
}

/* CJK symbols and punctuation (、。「」《》...) and the fullwidth punctuation of the
 * Halfwidth and Fullwidth Forms block (，：；！？（）...). */
static bool is_cjk_punct(uint32_t cp)
{
	return (cp >= 0x3000 && cp <= 0x303f) ||
	       (cp >= 0xff01 && cp <= 0xff0f) || (cp >= 0xff1a && cp <= 0xff20) ||
	       (cp >= 0xff3b && cp <= 0xff40) || (cp >= 0xff5b && cp <= 0xff65);
}

bool text_join_needs_space(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen == 0)
		return false;
	uint32_t x = 0, y = 0;
	size_t k = alen - 1;	/* back to the start of the last character */
	while (k > 0 && ((unsigned char)a[k] & 0xc0) == 0x80)
		k--;
	if (!text_decode(a + k, alen - k, &x) || !text_decode(b, blen, &y))
		return true;
	/* Chinese punctuation carries its own spacing: "之后，" + "FIN" joins without a space */
	if (is_cjk_punct(x) || is_cjk_punct(y))
		return false;
	return !(text_is_wide_script(x) && text_is_wide_script(y));
}
