/* file.h - read a whole local file (a config, an alias list, a curated
 * source's data, a saved page) into a buffer capped before the first
 * byte is read, as fetch caps a page. The one place llmref reads a file
 * whole: regular files only, opened non-blocking (a FIFO named *.conf
 * cannot hang a reload), and on request no symbolic link, no file
 * anyone may write, no file outside a given folder. */
#ifndef LLMREF_FILE_H
#define LLMREF_FILE_H

#include <stddef.h>

#include "core/buf.h"

enum file_rc {
	FILE_OK,
	FILE_ERR_OPEN,           /* errno says why */
	FILE_ERR_TOO_BIG,        /* more than max bytes */
	FILE_ERR_READ,           /* an I/O error while reading */
	FILE_ERR_NUL,            /* a NUL byte, with FILE_TEXT */
	FILE_ERR_NOMEM,          /* out of memory */
	FILE_ERR_NOT_REGULAR,    /* a FIFO, a device, a folder ... */
	FILE_ERR_SYMLINK,        /* a symbolic link, with FILE_NOFOLLOW */
	FILE_ERR_WORLD_WRITABLE, /* anyone may write it, with FILE_PRIVATE */
	FILE_ERR_OUTSIDE,        /* not below the folder given to file_read_under */
};

#define FILE_TEXT     1 /* refuse a NUL byte: the file is text for a parser */
#define FILE_NOFOLLOW 2 /* refuse a symbolic link as the file itself */
#define FILE_PRIVATE  4 /* refuse a world-writable file, as ssh does */

/* Read path into out (buf_init'd here with cap max; on FILE_OK out->data
 * is NUL-terminated, NULL for an empty file; free with buf_free). On any
 * other result out is empty; FILE_ERR_OPEN leaves errno set. */
enum file_rc file_read(const char *path, size_t max, int flags, struct buf *out)
    __attribute__((warn_unused_result));

/* file_read of path, which must lie below the folder dir once every
 * symbolic link and ".." in both is resolved; the file itself may not be
 * a link (FILE_NOFOLLOW is implied). */
enum file_rc file_read_under(const char *dir, const char *path, size_t max, int flags,
			     struct buf *out) __attribute__((warn_unused_result));

/* Replace dir/name with data (len bytes) as a reader never sees it half
 * written: written to dir/.name.tmp (a stale one, or a link planted there,
 * removed first; opened O_EXCL|O_NOFOLLOW, mode 0644 less the umask),
 * fsynced, renamed over name, the folder fsynced. 0, or -1 with errno
 * (the temporary is gone). */
int file_replace(const char *dir, const char *name, const char *data, size_t len)
    __attribute__((warn_unused_result));
/* Does dir/name hold exactly data (len bytes)? 1, or 0 (differs, or
 * cannot be read). */
int file_same(const char *dir, const char *name, const char *data, size_t len);

/* "read error", "not a regular file", the open's strerror (errnum) ...;
 * too_big is the caller's words for FILE_ERR_TOO_BIG. */
const char *file_rc_reason(enum file_rc rc, int errnum, const char *too_big);

#endif
