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

/* Runs demo i (inside the packet lab l when not NULL) and prints it, packets interleaved
 * with calls and states; with tools, each event as the strace, ss and tcpdump lines that
 * would show it (tools.h) instead. Returns the number of failed expectations; a demo that needs the
 * wire and has none counts as one. */
int demo_print(FILE *out, const catalog *c, size_t i, lang_id lang, lab *l, bool tools);

/* Prints the events of r from *shown on (advancing it), each followed by the states when they
 * changed since *last_states (kept by the caller, freed by it). A script without predictions
 * only: the playground's printer. */
void demo_print_since(FILE *out, const run *r, size_t *shown, char **last_states);

/* A run's events as a Markdown transcript for handouts and homework: a heading per scene
 * (its narration when narration is given), then each event as the plain printer shows it,
 * with the strace, ss and tcpdump lines that would show it. The caller frees it. */
char *demo_transcript(const run *r, const lesson_block *narration, const char *title);

/* One demo a line: id, a tab, the lesson id, a tab, the demo's title. */
void demo_print_list(FILE *out, const catalog *c, lang_id lang);

/* Predictions (script.predicts): a choice as shown ("blocks" translated); the question with
 * its numbered choices (free it); an 'ask', 'why' or 'hint' text of the block (or NULL). */
const char *demo_choice_text(const char *text);
char *demo_predict_question(const run *r, const lesson_block *b, size_t p);
const char *demo_predict_field(const run *r, const lesson_block *b, size_t p, const char *field);
/* Verifies that every prediction of a finished run has an answer among its choices; prints
 * each failure with file and line. Returns the number of failures. */
int demo_check_predictions(FILE *out, const run *r);

/* Runs every demo headless (only demo `only` when it is not -1; inside the lab l when not
 * NULL; demos that need the wire are skipped without one) and checks every expectation;
 * prints one line per demo and each failure with file, line, expected and observed.
 * With repeat > 1 each demo runs that many times in this process, every run checked, and a
 * second line says whether what the runs took came back: descriptors, heap in use (after
 * the first run, which fills the caches), and the kernel's sockets on the run's ports
 * (anything but TIME_WAIT left behind is a stray). Returns 0 when all pass. */
int demo_self_check(FILE *out, const catalog *c, lang_id lang, bool verbose, lab *l, int only,
		    long repeat);

/* Opens the best packet lab there is; unless it is complete, says on out what is missing
 * and what an administrator could change. NULL when no lab works. */
lab *demo_lab_open(FILE *out);
/* What stopped the lab and what an administrator could change, translated, joined by sep.
 * The caller frees it. */
char *demo_lab_problem(const lab_status *st, const char *sep);
/* What a lab_open() status means, in the current language, a few lines. */
void demo_lab_report(FILE *out, const lab_status *st);

/* The translated word for what the wire did to a packet, NULL when it simply passed. */
const char *demo_fate_text(lab_fate f);
/* The actors on a lab side: "client" or "client/second". The caller frees it. */
char *demo_side_name(const run *r, int side);
/* A packet in a few words, for narrow places: "SYN,ACK seq=0 ack=1 len=0 win=65483",
 * "UDP len=5 \"hello\""; level 1 leaves out the window and the data, level 2 the length
 * too. Language-neutral; the caller frees it. */
char *demo_packet_short(const run_event *ev, int level);
/* Which actors a packet went between, by the sockets' ports ("second", "server"); the
 * caller frees both. */
void demo_packet_ends(const run *r, const run_event *ev, char **from, char **to);
/* The actor whose socket sent (src) or receives a packet, by port and side; -1 unknown. */
int demo_packet_actor(const run *r, const run_event *ev, bool src);
/* What an EV_WIRE event does, translated. */
const char *demo_wire_text(const run *r, const run_event *ev);

/* The translated one-line explanation of an errno. */
const char *demo_errno_explain(int err);

#endif
