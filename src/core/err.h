/* err.h - the one result type used everywhere, and an error record that
 * carries the source, the URL and a human-readable reason. */
#ifndef LLMREF_ERR_H
#define LLMREF_ERR_H

#include <stddef.h>

enum lr_code {
	LR_OK = 0,
	LR_ERR_USAGE,     /* bad command line */
	LR_ERR_CONFIG,    /* bad llmref.conf or source file */
	LR_ERR_FETCH,     /* network, HTTP status, limits */
	LR_ERR_EXTRACT,   /* page could not be parsed or queried */
	LR_ERR_NORMALIZE, /* a value could not be normalized */
	LR_ERR_DB,        /* PostgreSQL error or unavailable */
	LR_ERR_BUSY,      /* another process holds the source's lock */
	LR_ERR_NOMEM,     /* allocation failed */
	LR_ERR_INTERNAL,
	LR_ERR_STOPPED, /* interrupted: the daemon is stopping */
	LR_ERR_SPOOL,   /* the event spool could not be written (the refresh itself held) */
};

/* The process exit statuses of every command and the daemon (llmref(1),
 * EXIT STATUS; llmref-daemon(8)). */
enum lr_exit {
	EXIT_OK = 0,
	EXIT_SOURCE_FAILED = 1, /* at least one source failed to refresh */
	EXIT_USAGE = 2,         /* bad command line; the daemon refusing root */
	EXIT_CONFIG = 3,        /* bad llmref.conf or source file */
	EXIT_DATABASE = 4,      /* PostgreSQL unreachable or schema not current */
	EXIT_BUSY = 5,          /* another refresh holds a source's lock */
	EXIT_SPOOL = 6,         /* refreshed, but the event spool could not be written */
	EXIT_INTERNAL = 70,     /* bug or out of memory */
};

#define LR_ERR_SOURCE_MAX 128
#define LR_ERR_URL_MAX    512
#define LR_ERR_REASON_MAX 768

struct lr_err {
	enum lr_code code;
	char source[LR_ERR_SOURCE_MAX]; /* source id or file name, may be "" */
	char url[LR_ERR_URL_MAX];       /* URL, may be "" */
	char reason[LR_ERR_REASON_MAX];
};

/* Fill err (if not NULL) and return code. source and url may be NULL;
 * url is stored redacted (url_redact). */
enum lr_code lr_err_set(struct lr_err *err, enum lr_code code, const char *source, const char *url,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* lr_err_set, then ": " and strerror of the errno at the call. */
enum lr_code lr_err_set_errno(struct lr_err *err, enum lr_code code, const char *source,
			      const char *url, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void lr_err_clear(struct lr_err *err);
const char *lr_code_name(enum lr_code code);

/* "source fireworks: https://...: reason" into buf; returns buf. */
const char *lr_err_text(const struct lr_err *err, char *buf, size_t len);

/* Format a reason into why (whylen bytes); does nothing if why is NULL. */
void lr_why(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copy src to dst (size dstlen), always NUL-terminated; returns 0, or -1
 * if src was truncated. */
int lr_strlcpy(char *dst, const char *src, size_t dstlen);

#endif
