/* Diagnostics: errors with file, line and column, collected rather than printed,
 * so that the caller (the front end) decides how to show them. */
#ifndef SOCKTUTOR_DIAG_H
#define SOCKTUTOR_DIAG_H

#include <stdio.h>
#include <stddef.h>

typedef struct diag {
	char *file;
	int line;	/* 1-based; 0 when the error concerns the whole file */
	int col;	/* 1-based, counted in characters; 0 when unknown */
	char *msg;	/* already translated */
} diag;

typedef struct diag_list {
	diag *items;
	size_t count;
	size_t cap;
} diag_list;

void diag_add(diag_list *dl, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Prints every diagnostic as "file:line:col: message", one per line. */
void diag_print(const diag_list *dl, FILE *out);
void diag_clear(diag_list *dl);

#endif
