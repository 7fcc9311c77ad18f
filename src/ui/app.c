#include "config.h"

#include "ui.h"
#include "core/text.h"
#include "core/util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;
static bool presenting;
static int present_port_base;

void ui_present(int port_base)
{
	presenting = true;
	present_port_base = port_base;
}

static void on_signal(int sig)
{
	got_signal = sig;
}

/* Maps a curses key (function key or character) to the key table's codes. */
static int map_key(int r, wint_t ch)
{
	if (r == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP: return KEYC_UP;
		case KEY_DOWN: return KEYC_DOWN;
		case KEY_LEFT: return KEYC_LEFT;
		case KEY_RIGHT: return KEYC_RIGHT;
		case KEY_PPAGE: return KEYC_PPAGE;
		case KEY_NPAGE: return KEYC_NPAGE;
		case KEY_HOME: return KEYC_HOME;
		case KEY_END: return KEYC_END;
		case KEY_ENTER: return KEYC_ENTER;
		case KEY_F(1): return KEYC_F1;
		case KEY_F(2): return KEYC_F2;
		case KEY_F(3): return KEYC_F3;
		case KEY_F(4): return KEYC_F4;
		case KEY_F(5): return KEYC_F5;
		case KEY_F(6): return KEYC_F6;
		case KEY_F(7): return KEYC_F7;
		case KEY_BACKSPACE: return KEYC_BACKSPACE;
		default: return -1;
		}
	}
	switch (ch) {
	case '\n':
	case '\r': return KEYC_ENTER;
	case 27: return KEYC_ESC;
	case '\t': return KEYC_TAB;
	case 127:
	case 8: return KEYC_BACKSPACE;
	default: return (int)ch;
	}
}

static bool too_small(void)
{
	return COLS < UI_MIN_COLS || LINES < UI_MIN_ROWS;
}

static void draw_too_small(void)
{
	char *msg = xasprintf(_("The terminal is too small: %d×%d. socktutor needs at least %d×%d. Enlarge the window, or press q to quit."),
			      COLS, LINES, UI_MIN_COLS, UI_MIN_ROWS);
	char **lines;
	size_t n = layout_wrap(msg, COLS > 2 ? COLS - 2 : 1, &lines);
	int top = LINES > (int)n ? (LINES - (int)n) / 2 : 0;
	for (size_t i = 0; i < n; i++) {
		if (top + (int)i < LINES) {
			int w = text_width(lines[i], strlen(lines[i]));
			int x = COLS > w ? (COLS - w) / 2 : 0;
			ui_draw_text(top + (int)i, x, lines[i], strlen(lines[i]), COLS - x, A_BOLD);
		}
		free(lines[i]);
	}
	free(lines);
	free(msg);
}

/* The help overlay: one entry per action of the current screen, generated from the key
 * table: the keys in a column, the description wrapped beside them. */
static size_t help_lines(const app *a, int width, char ***out)
{
	/* where keys type text, a printable key is not a command: the help leaves it out */
	bool typing = a->scr == &ui_project_screen && a->proj &&
		      project_takes_input(project_get_kind(a->proj));
	size_t n, count = 0, cap = 0;
	const key_binding *t = keys_table(&n);
	char **lines = NULL;
	int keycol = width >= 50 ? 14 : 10;
	for (size_t i = 0; i < n; i++) {
		if (!(t[i].screens & a->scr->id))
			continue;
		if (typing && t[i].key >= 0x20 && t[i].key < KEYC_BASE)
			continue;
		bool seen = false;
		for (size_t k = 0; k < i; k++)
			if (t[k].action == t[i].action && (t[k].screens & a->scr->id))
				seen = true;
		if (seen)
			continue;
		const char *names = keys_names_ex(a->scr->id, t[i].action, !a->utf8, typing);
		int nw = text_width(names, strlen(names));
		char **desc;
		size_t nd = layout_wrap(_(t[i].help), width - keycol > 8 ? width - keycol : 8, &desc);
		bool own_line = nw >= keycol;
		for (size_t d = 0; d < nd + own_line; d++) {
			grow_array((void **)&lines, &cap, count, sizeof *lines);
			if (d == 0 && own_line)
				lines[count++] = xstrdup(names);
			else {
				size_t di = d - own_line;
				const char *key = d == 0 ? names : "";
				int kw = d == 0 ? nw : 0;
				lines[count++] = xasprintf("%s%*s%s", key, keycol - kw, "", desc[di]);
			}
		}
		for (size_t d = 0; d < nd; d++)
			free(desc[d]);
		free(desc);
	}
	*out = lines;
	return count;
}

static void draw_help(app *a)
{
	int w = COLS >= 72 ? 68 : COLS - 2;
	char **lines;
	size_t n = help_lines(a, w - 4, &lines);
	int h = (int)n + 4;
	if (h > LINES - 2)
		h = LINES - 2;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;
	int inner = h - 4;
	if (a->help_top + (size_t)inner > n)
		a->help_top = n > (size_t)inner ? n - (size_t)inner : 0;
	attrset(A_NORMAL);
	for (int r = 0; r < h; r++)
		mvhline(y + r, x, ' ', w);
	attrset(ui_attr(a, ATTR_MARK));
	mvhline(y, x, ACS_HLINE, w);
	mvhline(y + h - 1, x, ACS_HLINE, w);
	mvvline(y, x, ACS_VLINE, h);
	mvvline(y, x + w - 1, ACS_VLINE, h);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
	const char *title = a->scr->id == SCR_MENU ? _(" Keys: lesson menu ") :
			    a->scr->id == SCR_PAGER ? _(" Keys: lesson pages ") :
			    a->scr->id == SCR_DEMO ? _(" Keys: live demo ") :
			    a->scr->id == SCR_PROJECT ? _(" Keys: project server ") :
			    a->scr->id == SCR_PLAYGROUND ? _(" Keys: playground ") :
			    a->scr->id == SCR_FIND ? _(" Keys: contents and search ") : _(" Keys: glossary ");
	ui_draw_text(y, x + 2, title, strlen(title), w - 4, A_BOLD);
	for (int r = 0; r < inner && a->help_top + (size_t)r < n; r++) {
		const char *s = lines[a->help_top + (size_t)r];
		ui_draw_text(y + 2 + r, x + 2, s, strlen(s), w - 4, A_NORMAL);
	}
	const char *foot = (size_t)inner < n ? _(" ↑/↓ scroll, any other key closes ") : _(" Press any key to close ");
	ui_draw_text(y + h - 1, x + 2, foot, strlen(foot), w - 4, A_DIM);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void redraw(app *a)
{
	erase();
	if (a->blank)
		;	/* presenting: nothing on the screen until a key */
	else if (too_small())
		draw_too_small();
	else {
		a->scr->draw(a);
		if (a->help)
			draw_help(a);
	}
	refresh();
}

static void switch_lang(app *a)
{
	if (!a->utf8) {
		ui_set_message(a, "Chinese needs a UTF-8 terminal (set LANG to a UTF-8 locale).");
		return;
	}
	lang_id to = a->lang == LANG_EN ? LANG_ZH_CN : LANG_EN;
	/* the other language's lessons are read on the first switch (they were checked at
	 * start, but the files may have changed since) */
	diag_list errs = { 0 };
	int bad = catalog_load_lang(a->cat, to, &errs);
	diag_clear(&errs);
	if (bad) {
		ui_set_message(a, _("Language not switched: the other language's lesson files have errors now (socktutor --check-lessons lists them)."));
		return;
	}
	a->lang = to;
	i18n_set_lang(a->lang);
	progress_set_lang(a->prog, i18n_code(a->lang));
	a->scr->resize(a);
}

/* Saves progress; the first failure is reported on the status line (returns true then, so
 * the caller redraws to show it). */
static bool save_progress(app *a, bool quiet)
{
	char *err = NULL;
	static bool warned;
	bool shown = false;
	if (progress_save(a->prog, &err) != 0 && !warned && !quiet) {
		ui_set_message(a, err);
		warned = shown = true;
	}
	free(err);
	return shown;
}

/* Handles one key; returns UI_QUIT when the program should end. */
static int handle_key(app *a, int key)
{
	if (a->blank) {
		a->blank = false;	/* any key brings the screen back, and does nothing else */
		return 0;
	}
	if (a->confirm != ACT_NONE) {
		key_action c = a->confirm;
		a->confirm = ACT_NONE;
		if (c == ACT_RESET && (key == 'y' || key == 'Y'))
			ui_reset_lesson(a, a->confirm_arg);
		else
			ui_set_message(a, _("Nothing was reset."));
		return 0;
	}
	ui_set_message(a, NULL);
	if (too_small())
		return key == 'q' || key == KEYC_ESC ? UI_QUIT : 0;
	if (!a->help && a->scr->input && a->scr->input(a, key))
		return 0;
	key_action act = keys_lookup(a->scr->id, key);
	if (a->help) {
		if (act == ACT_UP && a->help_top > 0)
			a->help_top--;
		else if (act == ACT_DOWN)
			a->help_top++;
		else
			a->help = false;
		return 0;
	}
	switch (act) {
	case ACT_HELP:
		a->help = true;
		a->help_top = 0;
		return 0;
	case ACT_LANG:
		switch_lang(a);
		return 0;
	case ACT_BLANK:
		a->blank = true;
		return 0;
	case ACT_GLOSSARY:
		if (a->scr != &ui_glossary_screen) {
			ui_open_glossary(a);
			return 0;
		}
		return a->scr->key(a, act, key) & UI_QUIT;
	case ACT_NONE:
		return 0;
	default:
		return a->scr->key(a, act, key) & UI_QUIT;
	}
}

/* A mouse event: the wheel is three lines up or down (a page in the playground, where ↑
 * recalls lines), a click goes to the screen. Returns UI_QUIT when the program should end. */
static int handle_mouse(app *a)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return 0;
	int key = -1;
	if (ev.bstate & BUTTON4_PRESSED)
		key = a->scr == &ui_playground_screen ? KEYC_PPAGE : KEYC_UP;
	else if (ev.bstate & BUTTON5_PRESSED)
		key = a->scr == &ui_playground_screen ? KEYC_NPAGE : KEYC_DOWN;
	if (key >= 0) {
		int flags = 0;
		for (int i = 0; i < (key == KEYC_UP || key == KEYC_DOWN ? 3 : 1); i++)
			flags |= handle_key(a, key);
		return flags;
	}
	if (!(ev.bstate & BUTTON1_PRESSED) || a->help || a->blank || a->confirm != ACT_NONE ||
	    too_small() || !a->scr->click)
		return 0;
	ui_set_message(a, NULL);
	return a->scr->click(a, ev.y, ev.x);
}

static int ui_main(catalog *cat, progress *prog, lang_id lang, bool utf8, const char *notice,
		   int start_lesson, int start_demo, bool lab_on, int start_project,
		   const char *host, long port, playground *start_pg, const char *outline,
		   diag_list *errs)
{
	app a = { 0 };
	a.pj_host = host;
	a.pj_port = port;
	a.lab_on = lab_on;
	a.cat = cat;
	a.prog = prog;
	a.lang = lang;
	a.utf8 = utf8;
	a.scr = &ui_menu_screen;
	a.present = presenting;
	a.port_base = present_port_base;
	ui_set_message(&a, notice);
	if (!notice && a.present) {
		char *m = xasprintf(_("Presenting: keys move each step, r shows answers, B blanks; demo ports from %d."),
				    a.port_base);
		ui_set_message(&a, m);
		free(m);
	}

	size_t page;
	const char *place = progress_place(prog, &page);
	int found = place ? catalog_find(cat, place) : -1;
	if (found >= 0)
		a.sel = (size_t)found;

	catch_stop_signals(on_signal);
	set_escdelay(25);
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		free(a.message);
		return -1;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	/* the wheel scrolls and a click picks a menu row, where the terminal reports them
	 * (hold Shift to select text with the mouse, as in other full-screen programs) */
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);	/* no waiting to tell clicks from presses: a press is a click */
	ui_init_colors(&a);
	if (start_pg) {
		ui_open_playground(&a, start_pg);
		a.pg_prev = NULL;	/* started for the playground: leaving it ends the program */
	} else if (start_project >= 0) {
		ui_open_project(&a, (project_kind)start_project);
		if (a.scr == &ui_project_screen)
			a.pj_prev = NULL;	/* started for the project: q ends the program */
	} else if (start_demo >= 0) {
		a.sel = catalog_demo_lesson(cat, (size_t)start_demo);
		ui_open_lesson(&a, a.sel, catalog_demo_page(cat, (size_t)start_demo));
		if (ui_demo_openable(&a, (size_t)start_demo))
			ui_open_demo(&a, (size_t)start_demo);
	} else if (start_lesson >= 0) {
		a.sel = (size_t)start_lesson;
		ui_open_lesson(&a, a.sel, 0);
	}

	int status = 0;
	bool dirty = true, first = true;
	for (;;) {
		if (got_signal)
			break;
		if (dirty) {
			redraw(&a);
			if (progress_save_due(a.prog) && save_progress(&a, false))
				redraw(&a);
			dirty = false;
		}
		if (first) {
			/* the first frame is on the screen: keys typed meanwhile wait in the
			 * terminal while the lessons are read, if it was drawn from an outline */
			first = false;
			if (catalog_is_outline(a.cat)) {
				/* a millisecond's pause first: the kernel hands what was
				 * written to the terminal in work that runs on this CPU, and
				 * reading the lessons at once (about 9 ms of CPU) holds the
				 * frame back from the screen (bench/README.md) */
				nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
				if (catalog_complete(a.cat, errs) != 0) {
					status = UI_LESSONS_BROKEN;
					break;
				}
				/* the same menu, unless a lesson file went in the moment between */
				if (a.sel >= catalog_count(a.cat))
					a.sel = 0;
				dirty = true;	/* the same frame: curses sends nothing */
			}
			catalog_save_outline(a.cat, outline);
			if (dirty)
				continue;
		}
		wint_t ch;
		int r = wget_wch(stdscr, &ch);
		if (r == ERR) {
			/* wait for a key, and for whatever the screen waits for (a demo's sockets
			 * and timers); nothing wakes us up otherwise */
			struct pollfd pfd[17] = { { .fd = STDIN_FILENO, .events = POLLIN } };
			int timeout = -1;
			size_t extra = a.scr->pollfds ? a.scr->pollfds(&a, pfd + 1, 16, &timeout) : 0;
			int pr = poll(pfd, 1 + extra, timeout);
			if (pr < 0 && errno != EINTR)
				break;
			if (pr > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) &&
			    !(pfd[0].revents & POLLIN))
				break;	/* the terminal went away */
			if (a.scr->wake && !(pfd[0].revents & POLLIN) && a.scr->wake(&a))
				dirty = true;
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			a.scr->resize(&a);
			dirty = true;
			continue;
		}
		if (r == KEY_CODE_YES && ch == KEY_MOUSE) {
			if (handle_mouse(&a) & UI_QUIT)
				break;
			dirty = true;
			continue;
		}
		int key = map_key(r, ch);
		if (key < 0)
			continue;
		dirty = true;
		if (handle_key(&a, key) & UI_QUIT)
			break;
	}
	endwin();
	delscreen(scr);
	save_progress(&a, true);
	if (a.pg) {
		a.run = NULL;		/* the session's own */
		if (a.pg_prev)
			pg_free(a.pg);	/* opened from the menu; else the caller's */
	}
	for (size_t i = 0; i < a.pg_nhist; i++)
		free(a.pg_hist[i]);
	free(a.pg_hist);
	free(a.pg_note);
	free(a.pg_choices);
	free(a.pg_draft);
	if (a.run)
		ui_close_demo(&a);
	project_close(a.proj);
	lab_close(a.lab);
	layout_free(a.lay);
	free(a.chosen);
	free(a.hinted);
	free(a.gl_order);
	ui_find_free(&a);
	free(a.message);
	if (got_signal) {
		signal(got_signal, SIG_DFL);
		raise(got_signal);
		status = 128 + got_signal;
	}
	return status;
}

int ui_run(catalog *cat, progress *prog, lang_id lang, bool utf8, const char *notice,
	   int start_lesson, int start_demo, bool lab_on, const char *outline, diag_list *errs)
{
	return ui_main(cat, prog, lang, utf8, notice, start_lesson, start_demo, lab_on, -1, NULL, -1,
		       NULL, outline, errs);
}

int ui_run_project(catalog *cat, progress *prog, lang_id lang, bool utf8, project_kind k,
		   const char *host, long port)
{
	return ui_main(cat, prog, lang, utf8, NULL, -1, -1, false, (int)k, host, port, NULL, NULL,
		       NULL);
}

int ui_run_playground(catalog *cat, progress *prog, lang_id lang, bool utf8, playground *g)
{
	return ui_main(cat, prog, lang, utf8, NULL, -1, -1, run_lab(pg_run(g)) != NULL, -1, NULL,
		       -1, g, NULL, NULL);
}
