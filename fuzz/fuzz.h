/* fuzz.h - shared by the libFuzzer targets (fuzz/fuzz_*.c) and the corpus
 * replay driver (fuzz/replay.c): the entry point, and small helpers for
 * turning the fuzzer's bytes into the strings and files the parsers read. */
#ifndef LLMREF_FUZZ_H
#define LLMREF_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libFuzzer's entry point: one input, 0 always (a crash is the finding). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a NUL-terminated string (an embedded NUL ends it early), or
 * NULL if out of memory. Free with free(). */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		return NULL;
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* This process's own scratch folder, /tmp/llmref-fuzz-PID, made (0700)
 * if it is not there. Each target removes what it writes there, and the
 * folder, after each input. */
static inline const char *
fuzz_dir(void)
{
	static char dir[64];

	if (dir[0] == '\0')
		snprintf(dir, sizeof(dir), "/tmp/llmref-fuzz-%ld", (long)getpid());
	if (mkdir(dir, 0700) != 0 && access(dir, W_OK) != 0) {
		perror(dir);
		abort();
	}
	return dir;
}

/* Write size bytes of data to path; aborts on failure (the harness, not
 * the code under test, is broken then). */
static inline void
fuzz_write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

#endif
