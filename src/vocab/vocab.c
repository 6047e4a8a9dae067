/* vocab.c - the names of vocab.h's words (source kinds, fields, price
 * units and kinds) and the two frees of the shared row types. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "vocab/vocab.h"

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- sources ----------------------------------------------------------- */

static const char *const kind_names[] = {
	[SOURCE_PRICING] = "pricing",       [SOURCE_MODEL_CARD] = "model_card",
	[SOURCE_BENCHMARKS] = "benchmarks", [SOURCE_CAPABILITIES] = "capabilities",
	[SOURCE_CURATED] = "curated",
};

const char *
source_kind_name(enum source_kind k)
{
	return (size_t)k < NKEYS(kind_names) ? kind_names[k] : "?";
}

const char *
field_name(enum field f)
{
	static const char *const names[FIELD_COUNT] = {
		"model",
		"input_price",
		"output_price",
		"context_window",
		"cached_input_price",
		"max_output",
		"deprecation_date",
		"tier_threshold",
		"tier_input_price",
		"tier_output_price",
		"served_by",
		"price_from",
		"provider",
		"parameters",
		"license",
		"release_date",
		"knowledge_cutoff",
		"architecture",
		"openness",
		"commercial_use",
		"benchmark",
		"score",
		"capability",
		"supported",
		"fact",
		"value",
		"reason",
		"expires",
	};
	return (size_t)f < FIELD_COUNT ? names[f] : "?";
}

int
source_kind_allows(enum source_kind kind, enum field f)
{
	switch (kind) {
	case SOURCE_PRICING: return f <= FIELD_PROVIDER;
	case SOURCE_MODEL_CARD:
		return f == FIELD_MODEL || f == FIELD_CONTEXT_WINDOW ||
		       (f >= FIELD_PARAMETERS && f <= FIELD_COMMERCIAL_USE);
	case SOURCE_BENCHMARKS: return f == FIELD_MODEL || f == FIELD_BENCHMARK || f == FIELD_SCORE;
	case SOURCE_CAPABILITIES:
		return f == FIELD_MODEL || f == FIELD_CAPABILITY || f == FIELD_SUPPORTED;
	case SOURCE_CURATED: return f == FIELD_MODEL || f >= FIELD_FACT;
	}
	return 0;
}

/* ---- prices ------------------------------------------------------------ */

static const char *const price_unit_names[] = {
	[UNIT_PER_TOKEN] = "per_token", [UNIT_PER_1K] = "per_1k",
	[UNIT_PER_1M] = "per_1m",       [UNIT_CENTS_PER_TOKEN] = "cents_per_token",
	[UNIT_AUTO] = "auto",
};

int
price_unit_parse(const char *name, enum price_unit *out)
{
	size_t i;

	for (i = 0; name != NULL && i <= UNIT_AUTO; i++) {
		if (strcmp(name, price_unit_names[i]) == 0) {
			*out = (enum price_unit)i;
			return 0;
		}
	}
	return -1;
}

const char *
price_unit_name(enum price_unit u)
{
	return (unsigned)u <= UNIT_AUTO ? price_unit_names[u] : "unknown";
}

const char *
price_kind_name(enum price_kind k)
{
	static const char *const names[] = {
		[PRICE_VALUE] = "value",
		[PRICE_FREE] = "free",
		[PRICE_UNPRICED] = "unpriced",
		[PRICE_DYNAMIC] = "dynamic",
	};

	return (unsigned)k <= PRICE_DYNAMIC ? names[k] : "unknown";
}

/* ---- rows and records -------------------------------------------------- */

void
raw_rows_free(struct raw_rows *rows)
{
	size_t i, f;

	if (rows == NULL)
		return;
	for (i = 0; i < rows->n; i++)
		for (f = 0; f < FIELD_COUNT; f++)
			free(rows->v[i].field[f]);
	free(rows->v);
	memset(rows, 0, sizeof(*rows));
}

void
records_free(struct records *recs)
{
	size_t i;

	if (recs == NULL)
		return;
	for (i = 0; i < recs->n; i++)
		free(recs->v[i].facts);
	free(recs->v);
	recs->v = NULL;
	recs->n = 0;
}
