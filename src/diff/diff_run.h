/* diff_run.h - the diff stage's driver: after runs are applied, rebuild
 * the comparison records of the pairs that involve a model whose inputs
 * changed, store those whose hash moved and append one event each; and
 * the on-demand exports of one model and one pair. */
#ifndef LLMREF_DIFF_RUN_H
#define LLMREF_DIFF_RUN_H

#include <stdio.h>

#include <jansson.h>

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
/* The same two for many models at once (the export tree): every model's
 * half read in one statement ({id: half}, NULL with err), then each half
 * or pair printed from it exactly as the two above print them. */
json_t *diff_export_halves(struct catalog *cat, const struct config *cfg, struct lr_err *err);
enum lr_code diff_export_half(const json_t *halves, const char *id, FILE *out, struct lr_err *err)
    __attribute__((warn_unused_result));
enum lr_code diff_export_pair_of(struct catalog *cat, const struct config *cfg,
				 const json_t *halves, const char *a, const char *b, FILE *out,
				 struct lr_err *err) __attribute__((warn_unused_result));

#endif
