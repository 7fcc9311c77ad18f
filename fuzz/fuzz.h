/* What every libFuzzer harness of fuzz/ shares. */
#ifndef SOCKTUTOR_FUZZ_H
#define SOCKTUTOR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken promise is a crash libFuzzer keeps the input of (assert() would vanish under
 * NDEBUG). */
#define FUZZ_ASSERT(c)                                                                  \
	do {                                                                            \
		if (!(c)) {                                                             \
			fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #c); \
			abort();                                                        \
		}                                                                       \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Results are added here so that the compiler keeps the calls that make them. */
static volatile size_t fuzz_sink;

/* A string the code under test returned: it must exist, and all of it is read. */
static inline void fuzz_use(const char *s)
{
	FUZZ_ASSERT(s != NULL);
	fuzz_sink += strlen(s);
}

#endif
