/* log.h - one-line log messages on stderr, with journald priority
 * prefixes ("<3>") when stderr is connected to the journal; errno
 * variants, and throttled complaints for failures that repeat. */
#ifndef LLMREF_LOG_H
#define LLMREF_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

void log_init(const char *progname, int verbose);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like log_msg, then ": " and strerror of the errno at the call. */
void log_msg_errno(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A failure that repeats (a source that keeps failing, a full disk under
 * the spool or the metrics file), as collectd's c_complain/c_release: it
 * is logged the 1st, 2nd, 4th, 8th ... time in a row, and its end once. */
struct log_complaint {
	unsigned long count; /* failures in a row, this one included */
};

/* Count one more failure; true if this one is to be logged. */
bool log_complaint_due(struct log_complaint *c);
/* Count a failure and log it if due, with " (N times in a row)" after
 * the first. */
void log_complain(struct log_complaint *c, enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The failure is over: log fmt once if it had been complained of. */
void log_release(struct log_complaint *c, enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_errno(...) log_msg_errno(LOG_LVL_ERR, __VA_ARGS__)

#endif
