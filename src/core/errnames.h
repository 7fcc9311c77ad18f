/* errno values by name, each with a one-line explanation for students (translated at the
 * point of display) and the exception Python raises for it. */
#ifndef SOCKTUTOR_ERRNAMES_H
#define SOCKTUTOR_ERRNAMES_H

/* "ECONNREFUSED" for ECONNREFUSED; NULL when the value has no entry. */
const char *errno_name(int err);
/* The value for a name such as "ECONNREFUSED" (EWOULDBLOCK reads as EAGAIN); -1 if unknown. */
int errno_value(const char *name);
/* One untranslated sentence saying what the error means to a socket program (pass it
 * through gettext); strerror()'s text when the table has none. */
const char *errno_explain(int err);
/* The Python exception class socket methods raise for this error: "ConnectionRefusedError",
 * "BlockingIOError", ... or "OSError". */
const char *errno_python(int err);

#endif
