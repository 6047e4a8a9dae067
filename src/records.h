/* records.h - normalized records: what normalize produces from raw rows
 * and what the catalog stores. Owned by the normalize stage. */
#ifndef LLMREF_RECORDS_H
#define LLMREF_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "extract.h"
#include "normalize.h"

#define RECORD_MODEL_ID_MAX    128
#define RECORD_PROVIDER_ID_MAX 256
#define RECORD_VARIANT_MAX     32

#define RECORD_FACTS_MAX      10
#define RECORD_FACT_NAME_MAX  96
#define RECORD_FACT_VALUE_MAX 192

/* One fact about a model, from a model_card, benchmarks or capabilities
 * source: "parameters" = "1230000000", "benchmark:mmlu" = "88.6". */
struct record_fact {
	char name[RECORD_FACT_NAME_MAX];
	char value[RECORD_FACT_VALUE_MAX];
	char reason[RECORD_FACT_VALUE_MAX]; /* curated facts: why; "" otherwise */
	char expires[16];                   /* curated facts: "2026-12-31" or "" */
};

struct record {
	char model_id[RECORD_MODEL_ID_MAX];             /* canonical */
	char provider_model_id[RECORD_PROVIDER_ID_MAX]; /* as the page says */
	char variant[RECORD_VARIANT_MAX];               /* "free", "batch", "" */
	char region[RECORD_VARIANT_MAX];                /* "us", "ap-south-1", "" */
	char served_by[RECORD_FACT_NAME_MAX];           /* behind a router: "Hyperbolic", "" */
	struct price input;
	struct price output;
	int64_t context_window;    /* tokens, 0 = not stated */
	int64_t max_output;        /* tokens, 0 = not stated */
	struct price cached_input; /* PRICE_UNPRICED when not stated */
	char deprecation_date[16]; /* "2026-12-31", "2026-12", "" */
	char price_from[16];       /* the prices apply from this day: "2026-12-01", "" */
	int64_t tier_threshold;    /* prompt tokens from which the tier applies, 0 = none */
	struct price tier_input;   /* PRICE_UNPRICED when not stated */
	struct price tier_output;
	long row;                  /* 1-based row number in the page */
	struct record_fact *facts; /* malloc'd for fact kinds; NULL for pricing */
	int nfacts;
};

struct records {
	struct record *v;
	size_t n;
	long rejected;             /* rows dropped under skip_bad_rows */
	char first_rejection[512]; /* the first one's reason */
};

/* Normalize every raw row of src. Any row that fails (no model, a bad
 * price) fails the whole page: LR_ERR_NORMALIZE with the row number, field
 * and text in err; unless the source sets skip_bad_rows, when such rows
 * are dropped and counted in out->rejected. Two rows naming one model
 * always fail the page. On LR_OK free out with records_free. */
enum lr_code normalize_rows(const struct identity *id, const struct source *src,
			    const struct raw_rows *rows, struct records *out, struct lr_err *err)
    __attribute__((warn_unused_result));
void records_free(struct records *recs);

#endif
