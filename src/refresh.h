/* refresh.h - one refresh of one source, end to end: lock, fetch,
 * extract, normalize, apply. The driver of the stages, not a stage. */
#ifndef LLMREF_REFRESH_H
#define LLMREF_REFRESH_H

#include "catalog.h"
#include "config.h"
#include "err.h"

struct refresh_result {
	struct run_stats stats;
	long long run_id; /* 0 if no run was opened (lock busy, db down) */
	long http_status;
	double seconds;
};

/* Refresh src. Returns LR_OK, LR_ERR_BUSY (someone else holds the
 * source), LR_ERR_DB, or the failing stage's code; a failure after the
 * run was opened is recorded in the catalog as a failed run. */
enum lr_code refresh_source(const struct config *cfg, struct catalog *cat, const struct source *src,
			    const char *trigger, struct refresh_result *out, struct lr_err *err)
    __attribute__((warn_unused_result));

/* SHA-256 of data as 64 hex digits plus NUL into hex[65]. */
int refresh_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
