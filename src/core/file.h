/* file.h - read a whole local file (a config, an alias list, a curated
 * source's data, a saved page) into a buffer capped before the first
 * byte is read, as fetch caps a page. The one place llmref reads a file
 * whole. */
#ifndef LLMREF_FILE_H
#define LLMREF_FILE_H

#include <stddef.h>

#include "core/buf.h"

enum file_rc {
	FILE_OK,
	FILE_ERR_OPEN,    /* errno says why */
	FILE_ERR_TOO_BIG, /* more than max bytes */
	FILE_ERR_READ,    /* an I/O error while reading */
	FILE_ERR_NUL,     /* a NUL byte, with FILE_TEXT */
	FILE_ERR_NOMEM,
};

#define FILE_TEXT 1 /* refuse a NUL byte: the file is text for a parser */

/* Read path into out (buf_init'd here with cap max; on FILE_OK out->data
 * is NUL-terminated, NULL for an empty file; free with buf_free). On any
 * other result out is empty; FILE_ERR_OPEN leaves errno set. */
enum file_rc file_read(const char *path, size_t max, int flags, struct buf *out)
    __attribute__((warn_unused_result));

/* "read error", "contains a NUL byte", "out of memory", the open's
 * strerror (errnum); too_big is the caller's words for FILE_ERR_TOO_BIG. */
const char *file_rc_reason(enum file_rc rc, int errnum, const char *too_big);

#endif
