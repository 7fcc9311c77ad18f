/* The key table: one list of bindings drives both key dispatch and the help screen. Keys are
 * characters (Unicode code points) or the KEYC_* codes below, which the UI layer maps from
 * curses function keys, so this module stays free of curses. */
#ifndef SOCKTUTOR_KEYS_H
#define SOCKTUTOR_KEYS_H

#include <stdbool.h>
#include <stddef.h>

enum {
	KEYC_BASE = 0x110000,	/* above every Unicode code point */
	KEYC_UP,
	KEYC_DOWN,
	KEYC_LEFT,
	KEYC_RIGHT,
	KEYC_PPAGE,
	KEYC_NPAGE,
	KEYC_HOME,
	KEYC_END,
	KEYC_ENTER,
	KEYC_ESC,
	KEYC_F1,
	KEYC_F2,
	KEYC_F3,
	KEYC_F4,
	KEYC_F5,
	KEYC_F6,
	KEYC_F7,
	KEYC_TAB,
	KEYC_BACKSPACE
};

typedef enum key_action {
	ACT_NONE,
	ACT_UP,
	ACT_DOWN,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_TOP,
	ACT_BOTTOM,
	ACT_PREV_PAGE,
	ACT_NEXT_PAGE,
	ACT_NEXT_LESSON,
	ACT_OPEN,
	ACT_BACK,
	ACT_QUIT,
	ACT_HELP,
	ACT_LANG,
	ACT_REVEAL,
	ACT_DEMO,		/* pager: run the demo on this page */
	ACT_STEP,		/* demo: the next step */
	ACT_AUTO,
	ACT_FASTER,
	ACT_SLOWER,
	ACT_RESTART,
	ACT_CODE,		/* demo: C or Python */
	ACT_LAB,		/* demo: the packet lab on or off */
	ACT_PANEL,		/* demo: the panel shows states or packets */
	ACT_WIRE_HOLD,		/* the wire: hold packets or pass them */
	ACT_WIRE_DELIVER,
	ACT_WIRE_DROP,
	ACT_WIRE_DUP,
	ACT_WIRE_SWAP,
	ACT_WIRE_DELAY,
	ACT_WIRE_SLOW,		/* the wire: deliver after a delay (cycles) */
	ACT_ANSWER,		/* 1-9: answer the question in view (the digit is the choice) */
	ACT_HINT,		/* show the hint of the question in view */
	ACT_SKIP,		/* demo: run the step without predicting */
	ACT_GLOSSARY,		/* the glossary */
	ACT_PROJECT,		/* a project server: open it (menu), the next one (project) */
	ACT_PLAYGROUND,		/* the playground: open it (menu) */
	ACT_RUN,		/* playground: run the typed line */
	ACT_COMPLETE,		/* playground: complete the word being typed */
	ACT_HISTORY,		/* playground: an earlier line */
	ACT_SAVE,		/* playground: save the session as a script */
	ACT_EXPORT,		/* demo, playground: write the transcript */
	ACT_CONTINUE,		/* menu: back to where the student left off */
	ACT_RESET,		/* menu: forget a lesson's progress (asks first) */
	ACT_FIND,		/* contents and search */
	ACT_NEXT_HIT,		/* pager: the next place the search found */
	ACT_PREV_HIT,
	ACT_BLANK		/* blank the screen (presenting) */
} key_action;

/* Screens a binding applies to. */
enum {
	SCR_MENU = 1,
	SCR_PAGER = 2,
	SCR_DEMO = 4,
	SCR_GLOSSARY = 8,
	SCR_PROJECT = 16,
	/* the playground takes typed text: only keys that cannot be typed are bound there */
	SCR_PLAYGROUND = 32,
	SCR_FIND = 64,		/* contents and search: takes typed text too */
	SCR_ANY = SCR_MENU | SCR_PAGER | SCR_DEMO | SCR_GLOSSARY | SCR_PROJECT
};

typedef struct key_binding {
	int key;
	int screens;
	key_action action;
	const char *name;	/* how the key is written on screen ("PgUp", "q") */
	const char *help;	/* N_() text for the help screen */
} key_binding;

/* The action bound to key on screen, or ACT_NONE. */
key_action keys_lookup(int screen, int key);

/* The table, for the help screen: count entries, in help order. */
const key_binding *keys_table(size_t *count);

/* "q/Esc": every key name bound to action on screen, joined by '/'; with ascii, arrows are
 * written as words for terminals that cannot show them. Static buffer. */
const char *keys_names(int screen, key_action action, bool ascii);
/* The same; with typing, only keys that cannot be typed (a screen where letters are text). */
const char *keys_names_ex(int screen, key_action action, bool ascii, bool typing);

#endif
