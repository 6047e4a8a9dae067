/* diff.h - the diff stage's pure computation: complete a model half with
 * its derived figures (cheapest routes, monthly cost), build the comparison
 * record of a pair, hash it, and list the fields that changed. No I/O. */
#ifndef LLMREF_DIFF_H
#define LLMREF_DIFF_H

#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

struct diff_traffic {
	int64_t tokens_per_month; /* e.g. 1050000000 */
	long input_share_bp;      /* input's share of the tokens, basis points: 7000 = 70% */
};

/* Complete a raw model half in place: add route_count, cheapest_input,
 * cheapest_output and monthly_cost_usd. The cheapest side of each is the
 * lowest non-null price among routes with status "active" and variant ""
 * (a tie goes to the lower provider id); monthly_cost_usd is
 * tokens_per_month / 10^6 x (share x input + (1 - share) x output), null
 * when either cheapest price is. Returns 0, or -1 with err: a bad decimal
 * (naming the model and field), an unknown route status, an overflow. On
 * error the half is left as it was (out of memory aside). */
int diff_model_complete(json_t *half, const struct diff_traffic *t, struct lr_err *err)
    __attribute__((warn_unused_result));

/* A new comparison record for the pair (a, b), both completed halves (the
 * function deep-copies them into "models"), ending in its "record_hash".
 * The caller decrefs it. NULL with err on failure. */
json_t *diff_pair_record(const json_t *a, const json_t *b, const struct diff_traffic *t,
			 struct lr_err *err) __attribute__((warn_unused_result));

/* Set the record's related_pairs to related (stolen, even on failure;
 * diff_related.h builds it; diff_pair_record leaves it []) and hash the
 * record again. 0, or -1 on out of memory or a NULL related. */
int diff_record_set_related(json_t *record, json_t *related) __attribute__((warn_unused_result));

/* SHA-256 (hex, 64 chars + NUL) of the record's canonical JSON
 * (JSON_COMPACT | JSON_SORT_KEYS), leaving out every key named
 * "last_reviewed" at any depth and the top-level "record_hash", so review
 * dates alone never make a record "change". Returns 0, or -1 if record is
 * not an object or memory runs out. */
int diff_record_hash(const json_t *record, char hex[65]) __attribute__((warn_unused_result));

/* The fields that differ between two records, as a new JSON array of
 * {"field": "models/1/routes/3/output_usd_per_mtok", "old": ..., "new": ...}
 * sorted by key within each object (paths are JSON-pointer-like without
 * the leading '/': '~' and '/' in a key are written "~0" and "~1"; objects
 * are compared key by key, arrays index by index, a missing side is null,
 * so a missing key and a null one are no change), ignoring "last_reviewed"
 * keys at any depth and the top-level "record_hash". old may be NULL (a new
 * record: every top-level key is a change from null). The values are
 * copies. Caller decrefs. NULL only on out of memory. */
json_t *diff_changed_fields(const json_t *old, const json_t *new_rec);

#endif
