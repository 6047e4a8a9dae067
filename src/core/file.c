/* file.c - whole-file reads through a capped buffer. */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/file.h"

#define FILE_CHUNK_BYTES 65536

enum file_rc
file_read(const char *path, size_t max, int flags, struct buf *out)
{
	FILE *f;
	char chunk[FILE_CHUNK_BYTES];
	size_t n;
	int rc = 0;

	buf_init(out, max);
	f = fopen(path, "rb");
	if (f == NULL)
		return FILE_ERR_OPEN;
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_append(out, chunk, n);
	if (rc == 0 && ferror(f))
		rc = -3;
	fclose(f);
	if (rc == 0 && (flags & FILE_TEXT) && out->len > 0 && memchr(out->data, '\0', out->len))
		rc = -4;
	if (rc == 0)
		return FILE_OK;
	buf_free(out);
	return rc == -1   ? FILE_ERR_TOO_BIG
	       : rc == -2 ? FILE_ERR_NOMEM
	       : rc == -3 ? FILE_ERR_READ
			  : FILE_ERR_NUL;
}

const char *
file_rc_reason(enum file_rc rc, int errnum, const char *too_big)
{
	switch (rc) {
	case FILE_OK: return "ok";
	case FILE_ERR_OPEN: return strerror(errnum);
	case FILE_ERR_TOO_BIG: return too_big;
	case FILE_ERR_READ: return "read error";
	case FILE_ERR_NUL: return "contains a NUL byte";
	case FILE_ERR_NOMEM: return "out of memory";
	}
	return "?";
}
