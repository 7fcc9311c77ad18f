/* The curses user interface. This header is the only place that includes curses. */
#ifndef SOCKTUTOR_UI_H
#define SOCKTUTOR_UI_H

#define NCURSES_WIDECHAR 1
#include <curses.h>

#include "core/catalog.h"
#include "core/i18n.h"
#include "core/keys.h"
#include "core/layout.h"
#include "core/progress.h"
#include "core/search.h"
#include "net/run.h"
#include "net/project.h"
#include "net/playground.h"

#include <poll.h>

#include <stdbool.h>

#define UI_MIN_COLS 30
#define UI_MIN_ROWS 8

/* Colour pairs (draw.c sets them up when the terminal has colours and NO_COLOR is unset). */
enum { PAIR_BAR = 1, PAIR_HEADING, PAIR_CODE, PAIR_MARK, PAIR_QUESTION, PAIR_ANSWER, PAIR_WARN };

/* What a screen's key handler asks the app loop to do. */
enum {
	UI_HANDLED = 1,
	UI_REDRAW = 2,
	UI_QUIT = 4
};

typedef struct app app;

/* One screen: its callbacks, tmux-style. */
typedef struct screen {
	const char *name;
	int id;			/* SCR_MENU, SCR_PAGER or SCR_DEMO, for the key table */
	void (*draw)(app *a);
	int (*key)(app *a, key_action act, int key);
	void (*resize)(app *a);
	/* Optional: what else the input loop's poll() waits for (sockets, timers)... */
	size_t (*pollfds)(app *a, struct pollfd *fds, size_t max, int *timeout_ms);
	/* ...and what to do when it wakes up for it; returns true to redraw. */
	bool (*wake)(app *a);
	/* Optional: sees every key first, while the screen takes typed text; returns true
	 * when it used the key. */
	bool (*input)(app *a, int key);
	/* Optional: a mouse click at (row, col). Returns UI_* flags. */
	int (*click)(app *a, int row, int col);
} screen;

/* How the demo timeline shows calls: C and Python, C, Python, or the tools' lines. */
enum { CODE_BOTH, CODE_C, CODE_PY, CODE_TOOLS, CODE_MODES };

struct app {
	catalog *cat;
	progress *prog;
	lang_id lang;
	bool utf8;
	bool color;
	const screen *scr;
	bool help;
	size_t help_top;
	char *message;		/* a one-shot notice on the status line */
	/* menu */
	size_t sel;
	size_t menu_top;
	/* pager */
	size_t lesson;
	size_t page;
	size_t top;
	bool reveal;
	layout *lay;
	int *chosen;		/* per block of the page: the answer given to a check, -1 none */
	bool *hinted;		/* per block: the hint was asked for */
	/* glossary */
	const screen *gl_prev;	/* the screen to return to */
	size_t gl_sel, gl_top;
	const glossary_term **gl_order;	/* the terms as listed, built when first opened */
	/* demo */
	size_t demo;		/* catalog demo index */
	run *run;
	bool auto_mode;
	int speed;		/* auto mode: steps faster (+) or slower (-) than the default */
	double auto_due;	/* when auto mode makes the next step (monotonic ms) */
	int code_mode;		/* CODE_BOTH, ... */
	size_t tl_top;		/* first timeline row shown */
	bool tl_follow;		/* keep the newest event in view */
	bool demo_done_noted;
	/* predictions (script.predicts) of the demo */
	int ask;		/* the prediction asked now, or -1 */
	bool ask_hint;		/* its hint is shown */
	char typed[48];		/* a typed answer being entered */
	size_t npred;		/* the demo's predictions; per prediction: */
	int *pchoice;		/* PRED_* below, or the choice made */
	char **ptyped;		/* per prediction: the typed answer */
	bool *pjudged;		/* per prediction: the kernel's answer is in and was scored */
	int verdict;		/* the prediction whose verdict is shown, or -1 */
	char *verdict_text;	/* the kernel's answer to it */
	bool verdict_right;
	/* the packet lab */
	bool lab_on;		/* demos run in the lab */
	bool lab_tried;		/* lab_open() was called (lab and lab_st say how it went) */
	lab *lab;
	lab_status lab_st;
	int panel;		/* 0: kernel states, 1: packets */
	bool wire_hold;		/* the user holds packets */
	unsigned wire_slow;	/* the user's delivery delay, ms */
	/* a project server */
	project *proj;
	const screen *pj_prev;	/* the screen to return to, NULL: quit */
	size_t pj_back;		/* log rows scrolled back from the newest */
	bool pj_py;		/* the log shows Python lines instead of C */
	const char *pj_host;	/* --listen, or NULL for 127.0.0.1 */
	long pj_port;		/* --port, or -1 for the project's default */
	char pj_line[512];	/* what the student is typing (chat, UDP chat, client) */
	/* the playground (its run is a->run while it is open) */
	playground *pg;
	const screen *pg_prev;	/* the screen to return to, NULL: quit */
	char pg_line[512];	/* the line being typed */
	char *pg_note;		/* above the timeline: why a line was refused, what was saved */
	bool pg_note_bad;	/* ... a refusal (warning colours) */
	char *pg_choices;	/* the completions of the word being typed, when several */
	char **pg_hist;		/* the lines entered, oldest first */
	size_t pg_nhist, pg_hpos;	/* ... and the one recalled (pg_nhist: none) */
	char *pg_draft;		/* the typed line before the history was entered */
	/* contents and search */
	const screen *fd_prev;	/* the screen to return to */
	char fd_query[128];	/* what is typed: empty shows the contents */
	search_index *fd_index;	/* built when first needed, for fd_lang */
	lang_id fd_lang;
	search_hit *fd_rows;	/* the rows listed: pages and lessons, or the places found */
	size_t fd_nrows, fd_sel, fd_top;
	bool fd_toc;		/* the rows are the contents */
	bool fd_mark;		/* the pager marks the query (a place found was opened) */
	size_t fd_cur;		/* ... that place's row */
	/* a question on the status line: y does it */
	key_action confirm;
	size_t confirm_arg;
	bool blank;		/* the screen is blanked (B) */
	bool present;		/* presenter mode (--present) */
	int port_base;		/* ... its demos' first port */
	int port_said;		/* the fixed port whose move was told (the run's latest) */
};

enum { PRED_UNASKED = -3, PRED_SKIPPED = -2, PRED_TYPED = -1 };

extern const screen ui_menu_screen;
extern const screen ui_pager_screen;
extern const screen ui_demo_screen;
extern const screen ui_glossary_screen;
extern const screen ui_project_screen;
extern const screen ui_playground_screen;
extern const screen ui_find_screen;

/* Contents and search over the current screen (Esc returns to it). */
void ui_open_find(app *a);
/* The pager: the next (dir 1) or previous (-1) place the last search found; false when
 * there is none. */
bool ui_find_step(app *a, int dir);
/* Marks the search's query where it appears on a drawn pager line. */
void ui_find_mark_line(const app *a, int row, int col, int width, const layout_line *ln);
void ui_find_free(app *a);
/* The pager's d starts a project's server (not a demo) on the page shown. */
bool ui_pager_on_project(const app *a);
/* Opens lesson idx at page, scrolled so that block (or the page's top, -1) is in view. */
void ui_open_lesson_at(app *a, size_t idx, size_t page, int block);

/* Opens the playground screen on session g (the app owns it from now on; NULL: a new, empty
 * session). */
void ui_open_playground(app *a, playground *g);
/* Runs the interface on the playground session g; leaving it ends the program. */
int ui_run_playground(catalog *cat, progress *prog, lang_id lang, bool utf8, playground *g);
/* The demo screen's body: the actors' timeline from row y0 and the kernel's side panel, to
 * row y1. Shared by the demo and the playground. */
void ui_demo_body(app *a, int y0, int y1);
/* Scrolls that timeline for the keys that do (↑ ↓ PgUp PgDn Home End); false for others. */
bool ui_demo_scroll(app *a, key_action act);

/* Opens project k's server (port and host from a->pj_port, a->pj_host) on its screen;
 * false, with the reason on the status line, when it cannot listen. */
bool ui_open_project(app *a, project_kind k);

/* The glossary over the current screen, and back. */
void ui_open_glossary(app *a);
void ui_close_glossary(app *a);

/* Opens the demo screen on catalog demo d (a fresh run, nothing executed yet). */
/* Whether demo d can be opened: its script is read on first use, and a file broken since
 * the start is refused with a message on the status line. */
bool ui_demo_openable(app *a, size_t d);
void ui_open_demo(app *a, size_t d);
/* The same, then makes its first `steps` steps again (a demo reopened where the student
 * left it: the calls are made again, on new sockets; predictions already met are not asked). */
void ui_open_demo_at(app *a, size_t d, size_t steps);
/* Closes the demo's sockets and returns to its lesson page. */
void ui_close_demo(app *a);

/* Presenter mode for the next ui_run(): roomy, high contrast, key-driven, nothing scored;
 * demos bind fixed ports from port_base. */
void ui_present(int port_base);
/* Runs the interface until the user quits or a signal ends it; notice (may be NULL) is shown
 * on the status line at start; start_lesson (or -1 for the menu) is opened first. Returns
 * the exit status, or -1 when curses cannot drive this terminal (nothing was drawn; the
 * caller falls back to plain text). */
int ui_run(catalog *cat, progress *prog, lang_id lang, bool utf8, const char *notice,
	   int start_lesson, int start_demo, bool lab_on, const char *outline, diag_list *errs);
/* ui_run() of a catalog that is an outline (catalog.h) completes it right after drawing the
 * first frame; when the lesson set has errors, it leaves the screen as it found it and
 * returns this, with the diagnostics in errs. Once the set is complete it saves its outline
 * to outline (when not NULL) for the next start. */
#define UI_LESSONS_BROKEN (-2)
/* The same, starting on project k's server (host NULL: 127.0.0.1; port -1: its default);
 * quitting its screen ends the program. */
int ui_run_project(catalog *cat, progress *prog, lang_id lang, bool utf8, project_kind k,
		   const char *host, long port);

/* Moves a list's selection *sel (n items, rows on screen) for the keys that do (↑ ↓ PgUp
 * PgDn Home End); false for other actions. */
bool ui_list_move(size_t *sel, size_t n, size_t rows, key_action act);
/* Scrolls the list (its first row shown, *top) so that row sel is on screen. */
void ui_list_show(size_t sel, size_t *top, size_t rows);

/* Drawing helpers shared by the screens (draw.c). */
void ui_draw_bar(int row, const char *left, const char *right);
void ui_draw_status(app *a, const key_action *hints, size_t nhints, const char *right);
/* Edits a typed line in buf (NUL-terminated, size bytes): Backspace removes the last
 * character, a printable key (ASCII only when ascii_only) is appended when it fits.
 * Returns false for any other key. */
bool ui_line_edit(char *buf, size_t size, int key, bool ascii_only);
/* Draws UTF-8 text at (row, col) using at most max columns; returns the columns used. */
int ui_draw_text(int row, int col, const char *s, size_t n, int max, attr_t attr);
void ui_draw_line(const app *a, int row, int col, int width, const layout_line *ln);
attr_t ui_attr(const app *a, text_attr t);
void ui_set_message(app *a, const char *msg);
void ui_init_colors(app *a);
void ui_open_lesson(app *a, size_t lesson, size_t page);
/* Back to where the student left off (menu key c); false, with a message, when there is no
 * such place. */
bool ui_continue(app *a);
/* Forgets lesson li's progress (after the student said yes). */
void ui_reset_lesson(app *a, size_t li);
/* Mode-dependent glyphs: a Unicode string, or its ASCII stand-in on non-UTF-8 terminals. */
const char *ui_glyph(const app *a, const char *unicode, const char *ascii);

#endif
