/* test_log.c - the log's errno variant and its throttled complaints
 * (src/core/log.c): what reaches stderr, read back from a temporary file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "tap.h"

static char captured[8192];

/* Run fn with stderr sent to a temporary file; its text into captured. */
static void
capture(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	if (tmp == NULL || saved < 0) {
		tap_ok(0, "capture stderr");
		return;
	}
	fflush(stderr);
	dup2(fileno(tmp), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(captured, 1, sizeof(captured) - 1, tmp);
	captured[n] = '\0';
	fclose(tmp);
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
ten_failures_then_recovery(void)
{
	struct log_complaint c = { 0 };
	int i;

	for (i = 1; i <= 10; i++)
		log_complain(&c, LOG_LVL_ERR, "spool: disk full (try %d)", i);
	log_release(&c, LOG_LVL_INFO, "spool: written again");
	log_release(&c, LOG_LVL_INFO, "spool: written again (twice)");
}

static void
errno_line(void)
{
	errno = ENOSPC;
	log_errno("metrics: %s", "/var/lib/llmref/llmref.prom");
}

static void
test_complaints(void)
{
	struct log_complaint c = { 0 };
	int want[8] = { 1, 1, 0, 1, 0, 0, 0, 1 }, i, ok = 1;

	for (i = 0; i < 8; i++)
		ok &= log_complaint_due(&c) == (want[i] != 0);
	tap_ok(ok, "complaints due on the 1st, 2nd, 4th and 8th failure in a row only");

	capture(ten_failures_then_recovery);
	tap_ok(count_lines(captured) == 5,
	       "10 failures and a recovery: 4 complaints and 1 release");
	tap_ok(strstr(captured, "(try 1)\n") != NULL, "the first complaint as it is");
	tap_ok(strstr(captured, "(try 2) (2 times in a row)\n") != NULL,
	       "the second with its count");
	tap_ok(strstr(captured, "(try 8) (8 times in a row)\n") != NULL,
	       "the eighth with its count");
	tap_ok(strstr(captured, "(try 3)") == NULL && strstr(captured, "(try 9)") == NULL,
	       "the others are quiet");
	tap_ok(strstr(captured, "spool: written again\n") != NULL, "the end is said once");
	tap_ok(strstr(captured, "(twice)") == NULL, "and not again without a new failure");
}

int
main(void)
{
	log_init("llmref", 0);
	test_complaints();
	capture(errno_line);
	tap_str_eq(captured,
		   "llmref: error: metrics: /var/lib/llmref/llmref.prom: No space left on device\n",
		   "log_errno appends the errno's text");
	return tap_done();
}
