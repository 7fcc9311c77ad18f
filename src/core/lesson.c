#include "config.h"

#include "lesson.h"
#include "i18n.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ID_MAX 48
#define ORDER_MAX 9999
#define CHOICES_MAX 9

typedef struct lesson_page {
	char *title;
	int line;
	lesson_block *blocks;
	size_t nblocks;
	size_t cap;
} lesson_page;

struct lesson {
	char *file;
	char *id;
	char *title;
	int order;
	int id_line;
	lesson_page *pages;
	size_t npages;
	size_t cap;
};

/* A paragraph (or bullet, heading) being collected: the joined text and, for each source
 * line, where it starts in the joined text, so that an inline error can name its column. */
typedef struct seg {
	int line;
	size_t joined;		/* offset in the joined text */
	const char *line_start;	/* the source line */
	const char *src;	/* where the copied text starts in the source line */
} seg;

typedef struct parser {
	const char *file;
	diag_list *errs;
	size_t nerrs_at_start;
	lesson *l;
	/* the open prose block */
	block_kind pkind;
	int pline;
	strbuf ptext;		/* reused from block to block: no growing each time */
	/* the texts of the block being read (a prose block's spans, a code or demo block's
	 * lines), each ended by a NUL, and where each starts: the block gets them in one
	 * allocation (a lesson has thousands of spans and lines) */
	strbuf pool;
	size_t *pool_at, pool_cap, pool_n;
	size_t pool_start;	/* where the item being added starts */
	seg *segs;
	size_t nsegs, segcap;
} parser;

static void error(parser *p, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void error(parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_add(p->errs, p->file, line, col, "%s", msg);
	free(msg);
}

int lesson_valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	return 1;
}

static lesson_page *cur_page(parser *p)
{
	return p->l->npages ? &p->l->pages[p->l->npages - 1] : NULL;
}

static lesson_block *new_block(parser *p, block_kind kind, int line)
{
	lesson_page *pg = cur_page(p);
	grow_array((void **)&pg->blocks, &pg->cap, pg->nblocks, sizeof *pg->blocks);
	lesson_block *b = &pg->blocks[pg->nblocks++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->line = line;
	b->answer = -1;
	return b;
}

/* Ends the text added to the pool since the last item as an item of its own. */
static void pool_end(parser *p)
{
	if (p->pool_n >= p->pool_cap)
		grow_array((void **)&p->pool_at, &p->pool_cap, p->pool_n, sizeof *p->pool_at);
	p->pool_at[p->pool_n++] = p->pool_start;
	strbuf_addc(&p->pool, '\0');
	p->pool_start = p->pool.len;
}

/* The pool's items in one allocation (item i at p->pool_at[i] in it; NULL when there is
 * none), and the pool empty again. */
static char *pool_take(parser *p)
{
	char *all = NULL;
	if (p->pool_n) {
		all = xmalloc(p->pool.len);
		memcpy(all, p->pool.buf, p->pool.len);
	}
	p->pool.len = p->pool_start = p->pool_n = 0;
	return all;
}

/* Ends the span being read (the text added to the pool since the last one), unless it is
 * empty. */
static void add_span(parser *p, lesson_block *b, size_t *cap, span_kind kind)
{
	if (p->pool.len == p->pool_start)
		return;
	grow_array((void **)&b->spans, cap, b->nspans, sizeof *b->spans);
	b->spans[b->nspans++].kind = kind;
	pool_end(p);
}

/* Gives the block its spans' texts, in one allocation (freed with the first span's), and
 * its span array at its size. */
static void finish_spans(parser *p, lesson_block *b)
{
	char *all = pool_take(p);
	if (b->nspans == 0)
		return;
	b->spans = xrealloc(b->spans, b->nspans * sizeof *b->spans);
	for (size_t i = 0; i < b->nspans; i++)
		b->spans[i].text = all + p->pool_at[i];
}

/* Line and column in the source of an offset in the joined paragraph text. */
static void locate(const parser *p, size_t off, int *line, int *col)
{
	size_t i = 0;
	while (i + 1 < p->nsegs && p->segs[i + 1].joined <= off)
		i++;
	const seg *s = &p->segs[i];
	size_t into = (size_t)(s->src - s->line_start) + (off - s->joined);
	*line = s->line;
	*col = text_chars(s->line_start, into) + 1;
}

static bool is_escapable(char c)
{
	return ispunct((unsigned char)c);
}

/* Splits the open paragraph into text, emphasis and code spans. */
static void parse_inline(parser *p, lesson_block *b)
{
	const char *t = p->ptext.buf;
	size_t n = p->ptext.len, cap = 0;
	strbuf *cur = &p->pool;
	span_kind kind = SPAN_TEXT;
	size_t open_at = 0;

	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (c == '\\' && i + 1 < n && is_escapable(t[i + 1])) {
			strbuf_addc(cur, t[++i]);
		} else if (c == '`') {
			const char *end = memchr(t + i + 1, '`', n - i - 1);
			if (!end) {
				int line, col;
				locate(p, i, &line, &col);
				error(p, line, col, _("inline code opened here is never closed"));
				break;
			}
			add_span(p, b, &cap, kind);
			strbuf_add(cur, t + i + 1, (size_t)(end - (t + i + 1)));
			add_span(p, b, &cap, SPAN_CODE);
			i = (size_t)(end - t);
		} else if (c == '*') {
			add_span(p, b, &cap, kind);
			if (kind == SPAN_TEXT) {
				kind = SPAN_EMPH;
				open_at = i;
			} else {
				kind = SPAN_TEXT;
			}
		} else {
			/* a run of plain text, copied at once */
			size_t j = i + 1;
			while (j < n && t[j] != '\\' && t[j] != '`' && t[j] != '*')
				j++;
			strbuf_add(cur, t + i, j - i);
			i = j - 1;
		}
	}
	if (kind == SPAN_EMPH) {
		int line, col;
		locate(p, open_at, &line, &col);
		error(p, line, col, _("emphasis opened here is never closed"));
	}
	add_span(p, b, &cap, kind);
	finish_spans(p, b);
}

static void flush_prose(parser *p)
{
	if (p->nsegs == 0)
		return;
	lesson_block *b = new_block(p, p->pkind, p->pline);
	parse_inline(p, b);
	p->ptext.len = 0;
	p->ptext.buf[0] = '\0';
	p->nsegs = 0;
}

static const char *skip_spaces(const char *s, const char *end)
{
	while (s < end && *s == ' ')
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *end)
{
	while (end > s && (end[-1] == ' ' || end[-1] == '\r'))
		end--;
	return end;
}

/* Last character of the joined text and first of the new line decide whether a space joins
 * them: none between two CJK characters. */
static bool join_needs_space(const strbuf *sb, const char *s, const char *end)
{
	return text_join_needs_space(sb->buf, sb->len, s, (size_t)(end - s));
}

static void prose_add(parser *p, block_kind kind, int line, const char *line_start,
		      const char *s, const char *end)
{
	if (p->nsegs == 0) {
		p->pkind = kind;
		p->pline = line;
	} else if (join_needs_space(&p->ptext, s, end)) {
		strbuf_addc(&p->ptext, ' ');
	}
	grow_array((void **)&p->segs, &p->segcap, p->nsegs, sizeof *p->segs);
	p->segs[p->nsegs++] = (seg){ line, p->ptext.len, line_start, s };
	strbuf_add(&p->ptext, s, (size_t)(end - s));
}

/* A line of a code or demo block, kept in the pool until the block ends (pack_lines()). */
static void add_line(parser *p, lesson_block *b, size_t *cap, const char *s, size_t n,
		     int line_no)
{
	if (b->nlines >= *cap) {
		grow_array((void **)&b->lines, cap, b->nlines, sizeof *b->lines);
		b->line_nos = xrealloc(b->line_nos, *cap * sizeof *b->line_nos);
	}
	strbuf_add(&p->pool, s, n);
	pool_end(p);
	b->lines[b->nlines] = NULL;	/* pack_lines() */
	b->line_nos[b->nlines] = line_no;
	b->nlines++;
}

/* Gives a code or demo block its lines, in one allocation (freed with the first line), and
 * its arrays at their size: when the block ends, or the parse does. */
static void pack_lines(parser *p, lesson_block *b)
{
	char *all = pool_take(p);
	if (b->nlines == 0)
		return;
	for (size_t i = 0; i < b->nlines; i++)
		b->lines[i] = all + p->pool_at[i];
	b->lines = xrealloc(b->lines, b->nlines * sizeof *b->lines);
	b->line_nos = xrealloc(b->line_nos, b->nlines * sizeof *b->line_nos);
}

static void add_code_line(parser *p, lesson_block *b, size_t *cap, const char *s,
			  const char *end, int line_no)
{
	if (!memchr(s, '\t', (size_t)(end - s))) {	/* nearly every line: as it is */
		add_line(p, b, cap, s, (size_t)(end - s), line_no);
		return;
	}
	strbuf sb = { 0 };
	int col = 0;
	for (const char *q = s; q < end; q++) {
		if (*q == '\t') {
			do
				strbuf_addc(&sb, ' ');
			while (++col % 8);
		} else {
			strbuf_addc(&sb, *q);
			if (((unsigned char)*q & 0xc0) != 0x80)
				col++;
		}
	}
	add_line(p, b, cap, sb.buf ? sb.buf : "", sb.len, line_no);
	strbuf_free(&sb);
}

/* True when the line (without its end) starts with the directive word. */
static bool directive(const char *s, const char *end, const char *word, const char **arg)
{
	size_t n = strlen(word);
	if ((size_t)(end - s) < n || memcmp(s, word, n) != 0)
		return false;
	if (s + n < end && s[n] != ' ')
		return false;
	*arg = skip_spaces(s + n, end);
	return true;
}

static char *take_id(parser *p, int line, const char *line_start, const char *arg,
		     const char *end, const char *what)
{
	char *id = xstrndup(arg, (size_t)(end - arg));
	if (!lesson_valid_id(id)) {
		/* TRANSLATORS: %s is "lesson", "demo" or "check" (translated); ids are ASCII. */
		error(p, line, text_chars(line_start, (size_t)(arg - line_start)) + 1,
		      _("bad %s id '%s': use a-z, 0-9 and '-', at most 48 characters"), what, id);
	}
	return id;
}

static bool id_seen(const lesson *l, const char *id, block_kind kind)
{
	for (size_t i = 0; i < l->npages; i++)
		for (size_t j = 0; j < l->pages[i].nblocks; j++) {
			const lesson_block *b = &l->pages[i].blocks[j];
			if (b->kind == kind && b->id && strcmp(b->id, id) == 0)
				return true;
		}
	return false;
}

typedef struct check_counts {
	int question, answer, hint, explain, choices;
	char **last_ptr;	/* the field a continuation line extends */
} check_counts;

static void set_field(char **dst, const char *s, size_t n)
{
	free(*dst);
	*dst = xstrndup(s, n);
}

static void append_field(char **dst, const char *s, size_t n)
{
	*dst = text_append_line(*dst, s, n);
}

static void check_field(parser *p, lesson_block *b, size_t *choice_cap, check_counts *cc,
			int line, const char *ls, const char *end)
{
	if (*ls == ' ') {
		const char *s = skip_spaces(ls, end);
		if (!cc->last_ptr) {
			error(p, line, 1, _("expected 'field: text' (question, choice, answer, hint or explain)"));
			return;
		}
		append_field(cc->last_ptr, s, (size_t)(end - s));
		return;
	}
	const char *colon = memchr(ls, ':', (size_t)(end - ls));
	if (!colon) {
		error(p, line, 1, _("expected 'field: text' (question, choice, answer, hint or explain)"));
		return;
	}
	size_t fn = (size_t)(colon - ls);
	const char *v = skip_spaces(colon + 1, end);
	size_t vn = (size_t)(end - v);
	if (vn == 0) {
		error(p, line, text_chars(ls, fn) + 2, _("this field is empty"));
		return;
	}
	int *count = NULL;
	char **dst = NULL;
	const char *name = NULL;
	if (fn == 8 && memcmp(ls, "question", 8) == 0) {
		count = &cc->question; dst = &b->question; name = "question";
	} else if (fn == 4 && memcmp(ls, "hint", 4) == 0) {
		count = &cc->hint; dst = &b->hint; name = "hint";
	} else if (fn == 7 && memcmp(ls, "explain", 7) == 0) {
		count = &cc->explain; dst = &b->explain; name = "explain";
	} else if ((fn == 6 && memcmp(ls, "choice", 6) == 0) ||
		   (fn == 6 && memcmp(ls, "answer", 6) == 0)) {
		bool is_answer = ls[0] == 'a';
		if (is_answer && cc->answer++) {
			error(p, line, 1, _("a check has exactly one 'answer:'; this is another"));
			return;
		}
		if (b->nchoices >= CHOICES_MAX) {
			error(p, line, 1, _("a check has at most %d choices"), CHOICES_MAX);
			return;
		}
		grow_array((void **)&b->choices, choice_cap, b->nchoices, sizeof *b->choices);
		if (is_answer)
			b->answer = (int)b->nchoices;
		b->choices[b->nchoices] = xstrndup(v, vn);
		cc->last_ptr = &b->choices[b->nchoices];
		b->nchoices++;
		return;
	} else {
		char *f = xstrndup(ls, fn);
		error(p, line, 1, _("unknown check field '%s' (expected question, choice, answer, hint or explain)"), f);
		free(f);
		return;
	}
	if ((*count)++) {
		/* TRANSLATORS: %s is a field name such as "question"; keep it in English. */
		error(p, line, 1, _("'%s:' appears twice in one check"), name);
		return;
	}
	set_field(dst, v, vn);
	cc->last_ptr = dst;
}

static bool valid_key(const char *s)
{
	if (!*s || strlen(s) > ID_MAX)
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

/* A demo's body: narration keyed by scene, "scene: text", indented lines continuing it. */
static void finish_demo(parser *p, lesson_block *b)
{
	size_t cap = 0;
	char **last = NULL;
	for (size_t i = 0; i < b->nlines; i++) {
		const char *ls = b->lines[i], *end = ls + strlen(ls);
		int line = b->line_nos[i];
		if (ls == end)
			continue;
		if (*ls == ' ') {
			const char *s = skip_spaces(ls, end);
			if (!last)
				error(p, line, 1, _("expected 'scene: narration', 'title: text', or 'ask NAME:', 'why NAME:', 'hint NAME:' for a prediction"));
			else
				append_field(last, s, (size_t)(end - s));
			continue;
		}
		const char *colon = memchr(ls, ':', (size_t)(end - ls));
		size_t kn = colon ? (size_t)(colon - ls) : 0;
		char *key = xstrndup(ls, kn);
		const char *v = colon ? skip_spaces(colon + 1, end) : end;
		const char *sp = strchr(key, ' ');
		bool pk = sp && (size_t)(sp - key) <= 4 &&
			  (strncmp(key, "ask ", 4) == 0 || strncmp(key, "why ", 4) == 0 ||
			   strncmp(key, "hint ", 5) == 0) && valid_key(sp + 1);
		if (!colon || !(valid_key(key) || pk)) {
			error(p, line, 1, _("expected 'scene: narration', 'title: text', or 'ask NAME:', 'why NAME:', 'hint NAME:' for a prediction"));
			free(key);
			last = NULL;
			continue;
		}
		if (v == end) {
			error(p, line, text_chars(ls, kn) + 2, _("this field is empty"));
			free(key);
			last = NULL;
			continue;
		}
		if (lesson_block_narration(b, key)) {
			error(p, line, 1, _("narration for '%s' is given twice"), key);
			free(key);
			last = NULL;
			continue;
		}
		grow_array((void **)&b->narr_keys, &cap, b->nnarr, sizeof *b->narr_keys);
		b->narr_texts = xrealloc(b->narr_texts, cap * sizeof *b->narr_texts);
		b->narr_lines = xrealloc(b->narr_lines, cap * sizeof *b->narr_lines);
		b->narr_keys[b->nnarr] = key;
		b->narr_texts[b->nnarr] = xstrdup(v);
		b->narr_lines[b->nnarr] = line;
		last = &b->narr_texts[b->nnarr];
		b->nnarr++;
	}
	if (!lesson_block_narration(b, "title"))
		error(p, b->line, 1, _("demo '%s' has no 'title:'"), b->id);
}

const char *lesson_block_narration(const lesson_block *b, const char *key)
{
	for (size_t i = 0; i < b->nnarr; i++)
		if (strcmp(b->narr_keys[i], key) == 0)
			return b->narr_texts[i];
	return NULL;
}

static void finish_check(parser *p, lesson_block *b, const check_counts *cc)
{
	if (!cc->question)
		error(p, b->line, 1, _("check '%s' has no 'question:'"), b->id);
	if (!cc->answer)
		error(p, b->line, 1, _("check '%s' has no 'answer:'"), b->id);
	else if (b->nchoices < 2)
		error(p, b->line, 1, _("check '%s' needs at least two choices"), b->id);
}

static void finish_page(parser *p)
{
	flush_prose(p);
	lesson_page *pg = cur_page(p);
	if (pg && pg->nblocks == 0)
		error(p, pg->line, 1, _("page '%s' has no content"), pg->title);
	if (pg && pg->nblocks && pg->nblocks < pg->cap) {	/* done: no room kept for more */
		pg->blocks = xrealloc(pg->blocks, pg->nblocks * sizeof *pg->blocks);
		pg->cap = pg->nblocks;
	}
}

enum state { ST_PROSE, ST_CODE, ST_DEMO, ST_CHECK };

static void parse_lines(parser *p, const char *text, size_t len)
{
	lesson *l = p->l;
	enum state st = ST_PROSE;
	lesson_block *blk = NULL;
	size_t line_cap = 0, choice_cap = 0;
	check_counts cc = { 0 };
	int title_line = 0, order_line = 0;
	const char *pos = text, *tend = text + len;
	int line = 0;

	while (pos < tend) {
		const char *nl = memchr(pos, '\n', (size_t)(tend - pos));
		const char *ls = pos, *le = nl ? nl : tend;
		pos = nl ? nl + 1 : tend;
		line++;
		if (le > ls && le[-1] == '\r')
			le--;
		const char *te = trim_end(ls, le);
		const char *arg;

		if (st == ST_CODE) {
			if (te - ls == 3 && memcmp(ls, "```", 3) == 0) {
				pack_lines(p, blk);
				st = ST_PROSE;
				blk = NULL;
			} else {
				add_code_line(p, blk, &line_cap, ls, le, line);
			}
			continue;
		}
		const char *tab = memchr(ls, '\t', (size_t)(le - ls));
		if (tab) {
			error(p, line, text_chars(ls, (size_t)(tab - ls)) + 1,
			      _("tab character outside a code block (use spaces)"));
			continue;
		}
		if (st == ST_DEMO || st == ST_CHECK) {
			if (te - ls == 4 && memcmp(ls, "@end", 4) == 0) {
				pack_lines(p, blk);
				if (st == ST_CHECK)
					finish_check(p, blk, &cc);
				else
					finish_demo(p, blk);
				st = ST_PROSE;
				blk = NULL;
			} else if (st == ST_DEMO) {
				add_line(p, blk, &line_cap, ls, (size_t)(te - ls), line);
			} else if (te > ls) {
				check_field(p, blk, &choice_cap, &cc, line, ls, te);
			}
			continue;
		}

		/* prose state: directives, comments, blank lines, fences, text */
		if (ls == te) {
			flush_prose(p);
			continue;
		}
		if (ls[0] == '#' && !(te - ls >= 3 && memcmp(ls, "## ", 3) == 0))
			continue;
		if (ls[0] == '@') {
			flush_prose(p);
			if (directive(ls, te, "@lesson", &arg)) {
				if (l->id) {
					error(p, line, 1, _("@lesson appears twice"));
					continue;
				}
				l->id = take_id(p, line, ls, arg, te, _("lesson"));
				l->id_line = line;
				if (l->npages)
					error(p, line, 1, _("@lesson must come before the first @page"));
			} else if (directive(ls, te, "@title", &arg)) {
				if (title_line) {
					error(p, line, 1, _("@title appears twice"));
					continue;
				}
				title_line = line;
				if (arg == te)
					error(p, line, 7, _("@title needs a title"));
				l->title = xstrndup(arg, (size_t)(te - arg));
				if (l->npages)
					error(p, line, 1, _("@title must come before the first @page"));
			} else if (directive(ls, te, "@order", &arg)) {
				if (order_line) {
					error(p, line, 1, _("@order appears twice"));
					continue;
				}
				order_line = line;
				char *v = xstrndup(arg, (size_t)(te - arg));
				char *e;
				errno = 0;
				long n = strtol(v, &e, 10);
				if (!*v || *e || errno || n < 0 || n > ORDER_MAX || !isdigit((unsigned char)*v))
					error(p, line, text_chars(ls, (size_t)(arg - ls)) + 1,
					      _("@order needs a whole number from 0 to %d, not '%s'"), ORDER_MAX, v);
				l->order = (int)n;
				free(v);
				if (l->npages)
					error(p, line, 1, _("@order must come before the first @page"));
			} else if (directive(ls, te, "@page", &arg)) {
				finish_page(p);
				grow_array((void **)&l->pages, &l->cap, l->npages, sizeof *l->pages);
				lesson_page *pg = &l->pages[l->npages++];
				memset(pg, 0, sizeof *pg);
				pg->title = xstrndup(arg, (size_t)(te - arg));
				pg->line = line;
				if (arg == te)
					error(p, line, 6, _("@page needs a heading"));
			} else if (directive(ls, te, "@demo", &arg) || directive(ls, te, "@check", &arg)) {
				bool demo = ls[1] == 'd';
				if (!cur_page(p)) {
					error(p, line, 1, _("%s must be inside a page (after @page)"),
					      demo ? "@demo" : "@check");
				}
				char *id = take_id(p, line, ls, arg, te, demo ? _("demo") : _("check"));
				if (cur_page(p) && id_seen(l, id, demo ? BLOCK_DEMO : BLOCK_CHECK))
					error(p, line, text_chars(ls, (size_t)(arg - ls)) + 1,
					      demo ? _("demo id '%s' is used twice in this lesson")
						   : _("check id '%s' is used twice in this lesson"), id);
				if (!cur_page(p)) {
					/* give the orphan block a page so parsing continues */
					grow_array((void **)&l->pages, &l->cap, l->npages, sizeof *l->pages);
					lesson_page *pg = &l->pages[l->npages++];
					memset(pg, 0, sizeof *pg);
					pg->title = xstrdup("");
					pg->line = line;
				}
				blk = new_block(p, demo ? BLOCK_DEMO : BLOCK_CHECK, line);
				blk->id = id;
				line_cap = choice_cap = 0;
				memset(&cc, 0, sizeof cc);
				st = demo ? ST_DEMO : ST_CHECK;
			} else if (directive(ls, te, "@project", &arg)) {
				char *name = xstrndup(arg, (size_t)(te - arg));
				bool known = false;
				for (size_t i = 0; lesson_project_at(i); i++)
					known |= strcmp(lesson_project_at(i), name) == 0;
				if (!cur_page(p))
					error(p, line, 1, _("%s must be inside a page (after @page)"), "@project");
				else if (!known)
					error(p, line, text_chars(ls, (size_t)(arg - ls)) + 1,
					      _("no project '%s' (there are: %s)"), name,
					      "echo, http, chat, files, udpchat, client");
				if (cur_page(p) && known)
					new_block(p, BLOCK_PROJECT, line)->id = name;	/* no body */
				else
					free(name);
			} else if (directive(ls, te, "@end", &arg)) {
				error(p, line, 1, _("@end without an open @demo or @check"));
			} else {
				/* the directive's word, within the line (the text need not end in
				 * a NUL) */
				const char *q = ls;
				while (q < te && *q != ' ' && *q != '\r')
					q++;
				char *d = xstrndup(ls, (size_t)(q - ls));
				error(p, line, 1, _("unknown directive '%s' (expected @lesson, @title, @order, @page, @demo, @check, @project or @end)"), d);
				free(d);
			}
			continue;
		}
		if (!cur_page(p)) {
			error(p, line, 1, _("text before the first @page (a lesson's text belongs to a page)"));
			/* report once per paragraph: skip until a blank line */
			while (pos < tend && *pos != '\n' && *pos != '\r') {
				const char *n2 = memchr(pos, '\n', (size_t)(tend - pos));
				pos = n2 ? n2 + 1 : tend;
				line++;
			}
			continue;
		}
		if (te - ls >= 3 && memcmp(ls, "```", 3) == 0) {
			flush_prose(p);
			blk = new_block(p, BLOCK_CODE, line);
			const char *lang = skip_spaces(ls + 3, te);
			if (lang < te)
				blk->lang = xstrndup(lang, (size_t)(te - lang));
			line_cap = 0;
			st = ST_CODE;
			continue;
		}
		if (te - ls >= 3 && memcmp(ls, "## ", 3) == 0) {
			flush_prose(p);
			const char *s = skip_spaces(ls + 3, te);
			prose_add(p, BLOCK_HEADING, line, ls, s, te);
			flush_prose(p);
			continue;
		}
		if (te - ls >= 2 && memcmp(ls, "- ", 2) == 0) {
			flush_prose(p);
			prose_add(p, BLOCK_BULLET, line, ls, skip_spaces(ls + 2, te), te);
			continue;
		}
		if (p->nsegs && p->pkind == BLOCK_BULLET && ls[0] != ' ')
			flush_prose(p);
		prose_add(p, p->nsegs ? p->pkind : BLOCK_PARA, line, ls, skip_spaces(ls, te), te);
	}

	if (blk)
		pack_lines(p, blk);
	if (st == ST_CODE)
		error(p, blk->line, 1, _("code block has no closing ```"));
	else if (st == ST_DEMO)
		error(p, blk->line, 1, _("demo block '%s' has no @end"), blk->id);
	else if (st == ST_CHECK)
		error(p, blk->line, 1, _("check block '%s' has no @end"), blk->id);
	finish_page(p);
	if (!l->id)
		error(p, 1, 1, _("missing '@lesson ID'"));
	if (!title_line)
		error(p, 1, 1, _("missing '@title TEXT'"));
	if (!order_line)
		error(p, 1, 1, _("missing '@order N'"));
	if (!l->npages)
		error(p, 1, 1, _("the lesson has no page (start one with '@page HEADING')"));
}

lesson *lesson_parse(const char *text, size_t len, const char *file, diag_list *errs)
{
	parser p = { 0 };
	p.file = file;
	p.errs = errs;
	p.nerrs_at_start = errs->count;
	p.l = xcalloc(1, sizeof *p.l);
	p.l->file = xstrdup(file);

	uint32_t cp;
	size_t bad = text_unsafe_at(text, len, &cp);
	if (bad != (size_t)-1 && cp == 0) {
		error(&p, 1, 1, _("the file contains a NUL byte; is it a text file?"));
	} else if (bad != (size_t)-1) {
		int line = 1;
		size_t ls = 0;
		for (size_t i = 0; i < bad; i++)
			if (text[i] == '\n') {
				line++;
				ls = i + 1;
			}
		char why[256];
		error(&p, line, text_chars(text + ls, bad - ls) + 1, "%s", text_unsafe_why(cp, why));
	} else {
		parse_lines(&p, text, len);
	}
	strbuf_free(&p.ptext);
	strbuf_free(&p.pool);
	free(p.pool_at);
	free(p.segs);
	if (errs->count > p.nerrs_at_start) {
		lesson_free(p.l);
		return NULL;
	}
	return p.l;
}

lesson *lesson_load(const char *path, diag_list *errs)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		diag_add(errs, path, 0, 0, _("cannot read: %s"), strerror(errno));
		return NULL;
	}
	lesson *l = lesson_parse(text, len, path, errs);
	free(text);
	return l;
}

static void free_block(lesson_block *b)
{
	if (b->nspans)
		free(b->spans[0].text);	/* all the spans' texts (finish_spans()) */
	free(b->spans);
	if (b->nlines)
		free(b->lines[0]);	/* all the lines (pack_lines()) */
	free(b->lines);
	free(b->line_nos);
	free(b->lang);
	free(b->id);
	free(b->question);
	for (size_t i = 0; i < b->nchoices; i++)
		free(b->choices[i]);
	free(b->choices);
	free(b->hint);
	free(b->explain);
	for (size_t i = 0; i < b->nnarr; i++) {
		free(b->narr_keys[i]);
		free(b->narr_texts[i]);
	}
	free(b->narr_keys);
	free(b->narr_texts);
	free(b->narr_lines);
}

lesson *lesson_outline(const char *file, const char *id, int order, const char *title,
		       size_t npages, char *const *page_titles)
{
	lesson *l = xcalloc(1, sizeof *l);
	l->file = xstrdup(file);
	l->id = xstrdup(id);
	l->title = xstrdup(title);
	l->order = order;
	l->pages = xcalloc(npages ? npages : 1, sizeof *l->pages);
	l->npages = l->cap = npages;
	for (size_t i = 0; i < npages; i++)
		l->pages[i].title = xstrdup(page_titles[i]);
	return l;
}

void lesson_free(lesson *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->npages; i++) {
		for (size_t j = 0; j < l->pages[i].nblocks; j++)
			free_block(&l->pages[i].blocks[j]);
		free(l->pages[i].blocks);
		free(l->pages[i].title);
	}
	free(l->pages);
	free(l->file);
	free(l->id);
	free(l->title);
	free(l);
}

const char *lesson_id(const lesson *l) { return l->id; }
const char *lesson_title(const lesson *l) { return l->title; }
int lesson_order(const lesson *l) { return l->order; }
const char *lesson_file(const lesson *l) { return l->file; }
int lesson_id_line(const lesson *l) { return l->id_line; }
size_t lesson_npages(const lesson *l) { return l->npages; }
const char *lesson_page_title(const lesson *l, size_t page) { return l->pages[page].title; }
int lesson_page_line(const lesson *l, size_t page) { return l->pages[page].line; }
size_t lesson_nblocks(const lesson *l, size_t page) { return l->pages[page].nblocks; }

const lesson_block *lesson_block_at(const lesson *l, size_t page, size_t block)
{
	return &l->pages[page].blocks[block];
}

/* The demo, check and project blocks of a page, in order: the structure both languages
 * share. */
static size_t structural(const lesson_page *pg, const lesson_block **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < pg->nblocks; i++)
		if (pg->blocks[i].kind == BLOCK_DEMO || pg->blocks[i].kind == BLOCK_CHECK ||
		    pg->blocks[i].kind == BLOCK_PROJECT) {
			if (n < max)
				out[n] = &pg->blocks[i];
			n++;
		}
	return n;
}

int lesson_compare_structure(const lesson *a, const lesson *b, diag_list *errs)
{
	if (a->npages != b->npages) {
		diag_add(errs, b->file, b->id_line, 1,
			 _("lesson '%s' has %zu pages here but %zu in %s"), b->id, b->npages,
			 a->npages, a->file);
		return -1;
	}
	for (size_t i = 0; i < a->npages; i++) {
		const lesson_block *sa[64], *sb[64];
		size_t na = structural(&a->pages[i], sa, 64), nb = structural(&b->pages[i], sb, 64);
		size_t n = na < nb ? na : nb;
		if (n > 64)
			n = 64;
		for (size_t k = 0; k < n; k++) {
			const lesson_block *x = sa[k], *y = sb[k];
			if (x->kind != y->kind || strcmp(x->id, y->id) != 0) {
				diag_add(errs, b->file, y->line, 1,
					 _("page %zu: '%s' stands where %s has '%s' (same demos and checks, same order)"),
					 i + 1, y->id, a->file, x->id);
				return -1;
			}
			if (x->kind == BLOCK_CHECK &&
			    (x->nchoices != y->nchoices || x->answer != y->answer)) {
				diag_add(errs, b->file, y->line, 1,
					 _("check '%s' has %zu choices with the answer at %d, but %zu with the answer at %d in %s"),
					 y->id, y->nchoices, y->answer + 1, x->nchoices, x->answer + 1, a->file);
				return -1;
			}
		}
		if (na != nb) {
			diag_add(errs, b->file, b->pages[i].line, 1,
				 _("page %zu has %zu demo and check blocks here but %zu in %s"),
				 i + 1, nb, na, a->file);
			return -1;
		}
	}
	return 0;
}

const char *lesson_project_at(size_t i)
{
	static const char *const names[] = { "echo", "http", "chat", "files", "udpchat", "client" };
	return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}
