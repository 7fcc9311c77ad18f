#include "config.h"

#include "diag.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>

void diag_add(diag_list *dl, const char *file, int line, int col, const char *fmt, ...)
{
	grow_array((void **)&dl->items, &dl->cap, dl->count, sizeof *dl->items);
	diag *d = &dl->items[dl->count++];
	va_list ap;
	va_start(ap, fmt);
	d->msg = xvasprintf(fmt, ap);
	va_end(ap);
	d->file = xstrdup(file ? file : "");
	d->line = line;
	d->col = col;
}

void diag_print(const diag_list *dl, FILE *out)
{
	for (size_t i = 0; i < dl->count; i++) {
		const diag *d = &dl->items[i];
		if (d->line > 0 && d->col > 0)
			fprintf(out, "%s:%d:%d: %s\n", d->file, d->line, d->col, d->msg);
		else if (d->line > 0)
			fprintf(out, "%s:%d: %s\n", d->file, d->line, d->msg);
		else
			fprintf(out, "%s: %s\n", d->file, d->msg);
	}
}

void diag_clear(diag_list *dl)
{
	for (size_t i = 0; i < dl->count; i++) {
		free(dl->items[i].file);
		free(dl->items[i].msg);
	}
	free(dl->items);
	dl->items = NULL;
	dl->count = dl->cap = 0;
}
