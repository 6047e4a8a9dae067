/* file.c - whole-file reads through a capped buffer, with the checks an
 * editor's file and a curated source's data need. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"

#define FILE_CHUNK_BYTES 65536

/* Open path as the flags allow: a regular file, no link if asked, not
 * world-writable if asked. Returns the fd or -1 with *rc set. */
static int
file_open(const char *path, int flags, enum file_rc *rc)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
				((flags & FILE_NOFOLLOW) ? O_NOFOLLOW : 0));
	struct stat st;

	if (fd < 0) {
		*rc = errno == ELOOP && (flags & FILE_NOFOLLOW) ? FILE_ERR_SYMLINK : FILE_ERR_OPEN;
		return -1;
	}
	*rc = FILE_OK;
	if (fstat(fd, &st) != 0)
		*rc = FILE_ERR_READ;
	else if (!S_ISREG(st.st_mode))
		*rc = FILE_ERR_NOT_REGULAR;
	else if ((flags & FILE_PRIVATE) && (st.st_mode & S_IWOTH))
		*rc = FILE_ERR_WORLD_WRITABLE;
	if (*rc != FILE_OK) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read fd to its end into out; 0, -1 over the cap, -2 no memory, -3 I/O. */
static int
file_slurp(int fd, struct buf *out)
{
	char chunk[FILE_CHUNK_BYTES];
	ssize_t n;
	int rc = 0;

	while (rc == 0) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -3 : 0;
			break;
		}
		rc = buf_append(out, chunk, (size_t)n);
	}
	return rc;
}

enum file_rc
file_read(const char *path, size_t max, int flags, struct buf *out)
{
	enum file_rc rc;
	int fd, r;

	buf_init(out, max);
	fd = file_open(path, flags, &rc);
	if (fd < 0)
		return rc;
	r = file_slurp(fd, out);
	close(fd);
	if (r == 0 && (flags & FILE_TEXT) && out->len > 0 && memchr(out->data, '\0', out->len))
		r = -4;
	if (r == 0)
		return FILE_OK;
	buf_free(out);
	return r == -1   ? FILE_ERR_TOO_BIG
	       : r == -2 ? FILE_ERR_NOMEM
	       : r == -3 ? FILE_ERR_READ
			 : FILE_ERR_NUL;
}

/* Is the resolved path p below the resolved folder d? */
static int
file_is_below(const char *d, const char *p)
{
	size_t n = strlen(d);

	if (strcmp(d, "/") == 0)
		return p[0] == '/';
	return strncmp(p, d, n) == 0 && p[n] == '/';
}

enum file_rc
file_read_under(const char *dir, const char *path, size_t max, int flags, struct buf *out)
{
	char rdir[PATH_MAX], rpath[PATH_MAX];
	struct stat st;

	buf_init(out, max);
	if (realpath(dir, rdir) == NULL)
		return FILE_ERR_OUTSIDE;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return FILE_ERR_SYMLINK;
	if (realpath(path, rpath) == NULL)
		return FILE_ERR_OPEN;
	if (!file_is_below(rdir, rpath))
		return FILE_ERR_OUTSIDE;
	return file_read(rpath, max, flags | FILE_NOFOLLOW, out);
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
	case FILE_ERR_NOT_REGULAR: return "not a regular file";
	case FILE_ERR_SYMLINK: return "is a symbolic link: refused";
	case FILE_ERR_WORLD_WRITABLE:
		return "anyone may write it (chmod o-w): refused, as ssh refuses such files";
	case FILE_ERR_OUTSIDE: return "outside the curated folder ([paths] curated): refused";
	}
	return "?";
}

/* write(2) all of data to fd. 0 or -1. */
static int
write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int
file_replace(const char *dir, const char *name, const char *data, size_t len)
{
	char tmp[PATH_MAX], final[PATH_MAX];
	int fd, ok, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= sizeof(tmp) ||
	    (size_t)snprintf(final, sizeof(final), "%s/%s", dir, name) >= sizeof(final)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ok = write_all(fd, data, len) == 0 && fsync(fd) == 0;
	saved = errno;
	ok &= close(fd) == 0;
	if (!ok || rename(tmp, final) != 0) {
		saved = ok ? errno : saved;
		(void)unlink(tmp);
		errno = saved;
		return -1;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	return 0;
}

int
file_same(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX];
	struct buf b;
	int same;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    file_read(path, len, FILE_NOFOLLOW, &b) != FILE_OK)
		return 0;
	same = b.len == len && (len == 0 || memcmp(b.data, data, len) == 0);
	buf_free(&b);
	return same;
}
