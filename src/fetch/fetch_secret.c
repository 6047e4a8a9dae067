/* fetch_secret.c - credential files and the header lines that carry
 * them: read at transfer start (opened without following links, checked
 * with fstat), never copied into anything that outlives the transfer. */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "fetch/fetch_secret.h"

/* RFC 9110 token characters. */
static int
is_tchar(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
cred_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= FETCH_CREDENTIAL_NAME_MAX || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* Headers llmref sets itself, or that would change the framing. */
static const char *const header_reserved[] = {
	"host",          "content-length",    "transfer-encoding", "connection",
	"if-none-match", "if-modified-since", "accept-encoding",   "user-agent",
};

int
fetch_header_check(const char *name, const char *value, char *why, size_t whylen)
{
	const char *p, *end;
	size_t i;

	for (p = name; *p != '\0' && is_tchar((unsigned char)*p); p++)
		;
	if (name[0] == '\0' || *p != '\0' || p - name > 63) {
		lr_why(why, whylen,
		       "'%s' is not a header name (letters, digits and !#$%%&'*+-.^_`|~)", name);
		return -1;
	}
	for (i = 0; i < sizeof(header_reserved) / sizeof(header_reserved[0]); i++)
		if (strcasecmp(name, header_reserved[i]) == 0) {
			lr_why(why, whylen, "%s is set by llmref itself", name);
			return -1;
		}
	if (strpbrk(value, "\r\n") != NULL) {
		lr_why(why, whylen, "the value of %s contains a line break", name);
		return -1;
	}
	for (p = strstr(value, "${"); p != NULL; p = strstr(end + 1, "${")) {
		end = strchr(p, '}');
		if (strncmp(p, FETCH_CREDENTIAL_REF, strlen(FETCH_CREDENTIAL_REF)) != 0 ||
		    end == NULL ||
		    !cred_name_ok(p + strlen(FETCH_CREDENTIAL_REF),
				  (size_t)(end - p) - strlen(FETCH_CREDENTIAL_REF))) {
			lr_why(why, whylen,
			       "the value of %s: \"${\" must start ${credential:NAME}, NAME of "
			       "letters, digits, '.', '-' and '_'",
			       name);
			return -1;
		}
	}
	return 0;
}

void
fetch_secret_free(char *p)
{
	if (p == NULL)
		return;
	explicit_bzero(p, strlen(p));
	free(p);
}

void
fetch_secrets_clear(struct fetch_secrets *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		explicit_bzero(s->value[i], s->len[i]);
		free(s->value[i]);
	}
	memset(s, 0, sizeof(*s));
}

/* Open dir/name for reading without following a link; -1 with errno. */
static int
cred_open(const char *dir, const char *name, char *path, size_t pathlen)
{
	if ((size_t)snprintf(path, pathlen, "%s/%s", dir, name) >= pathlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
}

/* The open credential file fd: a regular file, private unless systemd
 * provided it, at most FETCH_SECRET_MAX_BYTES, into buf (NUL-terminated,
 * one final line break dropped). Returns its length or -1. */
static long
cred_read_fd(int fd, const char *path, int from_systemd, char *buf, char *why, size_t whylen)
{
	struct stat st;
	ssize_t got;
	size_t n = 0;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return lr_why(why, whylen, "%s is not a regular file", path), -1;
	if (!from_systemd && (st.st_mode & 077) != 0)
		return lr_why(why, whylen,
			      "%s has mode %04o: a credential file must not be accessible to "
			      "group or others (chmod 600 it)",
			      path, (unsigned)(st.st_mode & 07777)),
		       -1;
	while ((got = read(fd, buf + n, FETCH_SECRET_MAX_BYTES + 1 - n)) > 0)
		n += (size_t)got;
	if (got < 0 || n > FETCH_SECRET_MAX_BYTES)
		return lr_why(why, whylen, "%s: %s", path,
			      got < 0 ? strerror(errno) : "larger than 4 KiB"),
		       -1;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (n == 0 || memchr(buf, '\n', n) || memchr(buf, '\r', n) || strlen(buf) != n)
		return lr_why(why, whylen, "%s is empty or holds a line break or NUL byte", path),
		       -1;
	return (long)n;
}

/* Read credential name into a new string added to s; returns it or NULL. */
static const char *
cred_read(const char *name, const char *cred_dir, struct fetch_secrets *s, char *why, size_t whylen)
{
	const char *sysd = getenv("CREDENTIALS_DIRECTORY");
	char path[4096], buf[FETCH_SECRET_MAX_BYTES + 1];
	int fd = -1, from_systemd = 0;
	long n;

	if (s->n == FETCH_SECRETS_MAX)
		return lr_why(why, whylen, "more than %d credentials", FETCH_SECRETS_MAX), NULL;
	if (sysd != NULL && sysd[0] != '\0') {
		fd = cred_open(sysd, name, path, sizeof(path));
		from_systemd = fd >= 0;
	}
	if (fd < 0 && (sysd == NULL || sysd[0] == '\0' || errno == ENOENT))
		fd = cred_open(cred_dir, name, path, sizeof(path));
	if (fd < 0)
		return lr_why(why, whylen, "credential %s: %s: %s", name, path,
			      errno == ELOOP ? "a symbolic link" : strerror(errno)),
		       NULL;
	n = cred_read_fd(fd, path, from_systemd, buf, why, whylen);
	close(fd);
	if (n >= 0 && (s->value[s->n] = strdup(buf)) == NULL)
		lr_why(why, whylen, "out of memory");
	explicit_bzero(buf, sizeof(buf));
	if (n < 0 || s->value[s->n] == NULL)
		return NULL;
	s->len[s->n] = (size_t)n;
	return s->value[s->n++];
}

/* Note credential name (n bytes) and the header carrying it in s. */
static void
secrets_note(struct fetch_secrets *s, const char *header, const char *name, size_t n)
{
	size_t have = strlen(s->names);

	if (s->header[0] == '\0')
		lr_strlcpy(s->header, header, sizeof(s->header));
	snprintf(s->names + have, sizeof(s->names) - have, "%s%.*s", have ? ", " : "", (int)n,
		 name);
}

/* Append n bytes of p to line (of used bytes *len); -1 if too long. */
static int
line_add(char *line, size_t *len, const char *p, size_t n)
{
	if (*len + n >= FETCH_HEADER_LINE_MAX)
		return -1;
	memcpy(line + *len, p, n);
	*len += n;
	line[*len] = '\0';
	return 0;
}

char *
fetch_header_line(const char *name, const char *value, const char *cred_dir,
		  struct fetch_secrets *s, char *why, size_t whylen)
{
	char line[FETCH_HEADER_LINE_MAX], cname[FETCH_CREDENTIAL_NAME_MAX], *out = NULL;
	const size_t reflen = strlen(FETCH_CREDENTIAL_REF);
	const char *p = value, *ref, *end, *secret;
	size_t len = 0;
	int bad = line_add(line, &len, name, strlen(name)) | line_add(line, &len, ": ", 2);

	while (!bad && (ref = strstr(p, FETCH_CREDENTIAL_REF)) != NULL &&
	       (end = strchr(ref, '}')) != NULL && (size_t)(end - ref) - reflen < sizeof(cname)) {
		memcpy(cname, ref + reflen, (size_t)(end - ref) - reflen);
		cname[(size_t)(end - ref) - reflen] = '\0';
		if ((secret = cred_read(cname, cred_dir, s, why, whylen)) == NULL)
			goto out;
		secrets_note(s, name, cname, strlen(cname));
		bad |= line_add(line, &len, p, (size_t)(ref - p)) |
		       line_add(line, &len, secret, strlen(secret));
		p = end + 1;
	}
	bad |= line_add(line, &len, p, strlen(p));
	if (bad)
		lr_why(why, whylen, "header %s is longer than %d bytes", name,
		       FETCH_HEADER_LINE_MAX);
	else if ((out = strdup(line)) == NULL)
		lr_why(why, whylen, "out of memory");
out:
	explicit_bzero(line, sizeof(line));
	return out;
}

int
fetch_secrets_found(const struct fetch_secrets *s, const char *text, size_t n)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->len[i] > 0 && memmem(text, n, s->value[i], s->len[i]) != NULL)
			return 1;
	return 0;
}

void
fetch_secrets_mask(const struct fetch_secrets *s, char *text, size_t n)
{
	char *hit;
	size_t i;

	for (i = 0; i < s->n; i++)
		while (s->len[i] > 0 && (hit = memmem(text, n, s->value[i], s->len[i])) != NULL)
			memset(hit, '*', s->len[i]);
}
