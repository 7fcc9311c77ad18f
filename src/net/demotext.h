/* Demos as text: the plain printer (socktutor --plain --demo ID), the demo list and the
 * self-check. One line per event, no durations, so that two runs can be compared with diff
 * (after ports, which the kernel picks, are masked). */
#ifndef SOCKTUTOR_DEMOTEXT_H
#define SOCKTUTOR_DEMOTEXT_H

#include "core/catalog.h"
#include "net/run.h"

#include <stdbool.h>
#include <stdio.h>

/* The states of an event's snapshot on one line: "server.l LISTEN 127.0.0.1:40123 q=0/1,
 * client.s ESTABLISHED ...". The caller frees it. */
char *demo_states_line(const run_event *ev);

/* One event in the current language; narration is the demo's block (may be NULL). */
void demo_print_event(FILE *out, const run *r, const lesson_block *narration,
		      const run_event *ev);

/* Runs demo i and prints it. Returns the number of failed expectations. */
int demo_print(FILE *out, const catalog *c, size_t i, lang_id lang);

/* One demo a line: id, a tab, the lesson id, a tab, the demo's title. */
void demo_print_list(FILE *out, const catalog *c, lang_id lang);

/* Runs every demo headless and checks every expectation; prints one line per demo and
 * each failure with file, line, expected and observed. Returns 0 when all pass. */
int demo_self_check(FILE *out, const catalog *c, lang_id lang, bool verbose);

/* The translated one-line explanation of an errno. */
const char *demo_errno_explain(int err);

#endif
