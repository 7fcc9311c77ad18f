/* UTF-8 text: decoding, display width (a CJK character takes 2 columns, a combining mark 0)
 * and the line-breaking rules the pager uses. Needs a UTF-8 LC_CTYPE for wcwidth(). */
#ifndef SOCKTUTOR_TEXT_H
#define SOCKTUTOR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one character at s (n bytes available). Returns its length in bytes and stores the
 * code point, or returns 0 for an invalid or truncated sequence. */
size_t text_decode(const char *s, size_t n, uint32_t *cp);
/* Writes code point cp (below 0x110000, not a surrogate) as UTF-8 into out; returns its
 * length, 0 for a value that is no character. */
size_t text_encode(uint32_t cp, char out[4]);

/* Byte offset of the first invalid UTF-8 sequence, or (size_t)-1 when the text is valid. */
size_t text_invalid_at(const char *s, size_t n);

/* Byte offset of the first thing in s that is not text a file may show on a terminal, or
 * (size_t)-1 when there is none: an invalid UTF-8 sequence (*cp = TEXT_INVALID) or a control
 * character, C0, DEL or C1 (*cp = its code point), which could move the cursor, retitle the
 * window or write the clipboard when printed. Tab and line feed are text, and so is a
 * carriage return right before a line feed. */
#define TEXT_INVALID 0xffffffffu
size_t text_unsafe_at(const char *s, size_t n, uint32_t *cp);

/* The message for what text_unsafe_at() found (translated, static). */
const char *text_unsafe_why(uint32_t cp, char buf[256]);

/* Columns a character occupies: 0 for combining marks, 2 for wide (CJK) ones, 1 otherwise
 * (unprintable characters are shown as one replacement column). */
int text_cp_width(uint32_t cp);

/* Columns the UTF-8 string occupies. */
int text_width(const char *s, size_t n);

/* Number of characters (not bytes) in the first n bytes; used for error columns. */
int text_chars(const char *s, size_t n);

/* Bytes of s that fit in max columns without splitting a character. */
size_t text_fit(const char *s, size_t n, int max, int *used);

/* True for characters that a line should not start with (closing punctuation, CJK or not). */
bool text_no_break_before(uint32_t cp);
/* True for characters that a line should not end with (opening brackets and quotes). */
bool text_no_break_after(uint32_t cp);
/* True when a line may break between two adjacent CJK-like characters. */
bool text_is_wide_script(uint32_t cp);
/* Whether joining text b after text a (a line continued on the next) needs a space: not
 * after empty text, and not between two CJK-like characters. */
bool text_join_needs_space(const char *a, size_t alen, const char *b, size_t blen);
/* Text a (allocated, freed here) continued by the n bytes at b, as a source line continues
 * the one before: with a space between them when text_join_needs_space() says so. */
char *text_append_line(char *a, const char *b, size_t n);

#endif
