/* log.c - stderr logging; journald priority prefixes when JOURNAL_STREAM
 * says stderr is the journal, "llmref: level: " otherwise. */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"

static const char *log_prog = "llmref";
static int log_verbose;
static int log_journal;

static int
log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(2, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
log_init(const char *progname, int verbose)
{
	log_prog = progname;
	log_verbose = verbose;
	log_journal = log_stderr_is_journal();
}

static void
log_line(enum log_level lvl, const char *line)
{
	static const char *const names[8] = {
		"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
	};

	if (lvl == LOG_LVL_DEBUG && !log_verbose)
		return;
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", (int)lvl, line);
	else
		fprintf(stderr, "%s: %s: %s\n", log_prog, names[lvl], line);
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_line(lvl, line);
}

void
log_msg_errno(enum log_level lvl, const char *fmt, ...)
{
	int saved = errno;
	char line[2048];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	snprintf(line + n, sizeof(line) - n, ": %s", strerror(saved));
	log_line(lvl, line);
	errno = saved;
}

bool
log_complaint_due(struct log_complaint *c)
{
	c->count++;
	return (c->count & (c->count - 1)) == 0; /* 1, 2, 4, 8, ... */
}

void
log_complain(struct log_complaint *c, enum log_level lvl, const char *fmt, ...)
{
	char line[2048];
	size_t n;
	va_list ap;

	if (!log_complaint_due(c))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (c->count > 1)
		snprintf(line + n, sizeof(line) - n, " (%lu times in a row)", c->count);
	log_line(lvl, line);
}

void
log_release(struct log_complaint *c, enum log_level lvl, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (c->count == 0)
		return;
	c->count = 0;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_line(lvl, line);
}
