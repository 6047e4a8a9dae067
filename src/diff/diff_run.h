/* diff_run.h - the diff stage's driver: after runs are applied, rebuild
 * the comparison records of the pairs that involve a model whose inputs
 * changed, store those whose hash moved and append one event each; and
 * the on-demand exports of one model and one pair. */
#ifndef LLMREF_DIFF_RUN_H
#define LLMREF_DIFF_RUN_H

#include <stdio.h>

#include "catalog/catalog.h"
#include "config/config.h"
#include "core/err.h"

struct diff_pass {
	long dirty;      /* models whose inputs changed */
	long models;     /* active models the pass loaded (all, or those its pairs_file needs) */
	long recomputed; /* comparison records computed */
	long changed;    /* records whose hash moved: one event each */
};

/* One diff pass in one transaction (passes never overlap), then the
 * stale-data alerts. Nothing to do when no model changed. */
enum lr_code diff_run(struct catalog *cat, const struct config *cfg, struct diff_pass *st,
		      struct lr_err *err) __attribute__((warn_unused_result));

/* The change feed: up to limit events after since, one JSON line each,
 * to out (the spool's batch file, or the CLI's events); *last is the last
 * id written (since if none). LR_ERR_INTERNAL with errno's text when the
 * write fails. */
enum lr_code diff_events_copy(struct catalog *cat, long long since, long limit, FILE *out,
			      long long *last, struct lr_err *err)
    __attribute__((warn_unused_result));

/* Print one model's half of a comparison record (llmref export model). */
enum lr_code diff_export_model(struct catalog *cat, const struct config *cfg, const char *id,
			       FILE *out, struct lr_err *err) __attribute__((warn_unused_result));
/* Print the comparison record of a pair (llmref export comparison). */
enum lr_code diff_export_pair(struct catalog *cat, const struct config *cfg, const char *a,
			      const char *b, FILE *out, struct lr_err *err)
    __attribute__((warn_unused_result));

#endif
