/* The plain-text view of lessons: for pipes, screen readers and diffing. */
#ifndef SOCKTUTOR_PLAIN_H
#define SOCKTUTOR_PLAIN_H

#include "catalog.h"
#include "lesson.h"

#include <stdio.h>

/* Prints the lesson as linear text wrapped at width columns; emphasis and code keep their
 * marks, checks show their answers. */
void plain_print_lesson(FILE *out, const lesson *l, int number, int width);

/* One lesson a line: id, a tab, the title. */
void plain_print_list(FILE *out, const catalog *c, lang_id lang);

#endif
