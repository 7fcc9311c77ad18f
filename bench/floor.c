/* The floor for bench/frame: the least a curses program does to show a menu-like screen —
 * a title bar, 17 rows of a list, a legend and a status line with the same words as
 * socktutor's menu ("q Quit") — then wait for a key. Whatever socktutor takes beyond what
 * this takes is socktutor's own. A developer's tool: built by `make bench`, never by
 * `make check`. */
#include "config.h"

#include <curses.h>
#include <locale.h>
#include <stdio.h>

int main(void)
{
	setlocale(LC_ALL, "");
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {	/* socktutor starts colours too */
		start_color();
		use_default_colors();
	}

	attrset(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	attrset(A_REVERSE | A_BOLD);
	mvaddstr(0, 1, "floor 0.1.0: the least a curses menu costs");
	for (int i = 0; i < 17; i++) {
		char num[8], title[64];
		snprintf(num, sizeof num, "%2d", i);
		snprintf(title, sizeof title, "A lesson title of ordinary length, number %d", i);
		attrset(i == 0 ? A_REVERSE : A_NORMAL);
		mvhline(2 + i, 2, ' ', COLS - 4);
		attrset((i == 0 ? A_REVERSE : A_NORMAL) | A_BOLD);
		mvaddstr(2 + i, 5, num);
		attrset(i == 0 ? A_REVERSE | A_BOLD : A_NORMAL);
		mvaddstr(2 + i, 9, title);
		attrset((i == 0 ? A_REVERSE : A_NORMAL) | A_DIM);
		mvaddstr(2 + i, COLS - 13, "0/6 pages");
	}
	attrset(A_DIM);
	mvaddstr(LINES - 2, 2, "\u2713 read   \u25d0 started   Enter opens a lesson   / searches");
	attrset(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	static const char *const hints[][2] = {
		{ "Enter", "Open" }, { "q", "Quit" }, { "?", "Help" }, { "L", "\u4e2d\u6587" },
		{ "T", "Glossary" }, { "P", "Projects" }, { "i", "Playground" },
	};
	int x = 1;
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
		attrset(A_REVERSE | A_BOLD);
		mvaddstr(LINES - 1, x, hints[i][0]);
		x = getcurx(stdscr) + 1;
		attrset(A_REVERSE);
		mvaddstr(LINES - 1, x, hints[i][1]);
		x = getcurx(stdscr) + 2;
	}
	mvaddstr(LINES - 1, COLS - 5, "1/17");
	attrset(A_NORMAL);
	refresh();
	getch();
	endwin();
	return 0;
}
