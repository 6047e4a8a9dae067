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

static const struct {
	const char *name;
	enum price_per per;
} price_dims[] = {
	{ "input", PER_MTOK_INPUT },
	{ "output", PER_MTOK_OUTPUT },
	{ "cached_input", PER_MTOK_INPUT },
	{ "cache_write", PER_MTOK_INPUT },
	{ "audio_input", PER_MTOK_INPUT },
	{ "audio_cached_input", PER_MTOK_INPUT },
	{ "audio_output", PER_MTOK_OUTPUT },
	{ "image_input", PER_MTOK_INPUT },
	{ "image_output", PER_MTOK_OUTPUT },
	{ "reasoning_output", PER_MTOK_OUTPUT },
	{ "batch_input", PER_MTOK_INPUT },
	{ "batch_cached_input", PER_MTOK_INPUT },
	{ "batch_output", PER_MTOK_OUTPUT },
	{ "flex_input", PER_MTOK_INPUT },
	{ "flex_cached_input", PER_MTOK_INPUT },
	{ "flex_output", PER_MTOK_OUTPUT },
	{ "priority_input", PER_MTOK_INPUT },
	{ "priority_cached_input", PER_MTOK_INPUT },
	{ "priority_output", PER_MTOK_OUTPUT },
	{ "per_image", PER_IMAGE },
	{ "per_second", PER_SECOND },
	{ "per_minute", PER_MINUTE },
	{ "per_hour", PER_HOUR },
	{ "per_1k_chars", PER_1K_CHARS },
	{ "per_request", PER_REQUEST },
	{ "per_search", PER_SEARCH },
};

int
price_dim_lookup(const char *name, size_t len, enum price_per *per)
{
	size_t i;

	for (i = 0; i < NKEYS(price_dims); i++) {
		if (strlen(price_dims[i].name) == len &&
		    memcmp(price_dims[i].name, name, len) == 0) {
			*per = price_dims[i].per;
			return 0;
		}
	}
	return -1;
}

const char *
price_dim_name(size_t i)
{
	return i < NKEYS(price_dims) ? price_dims[i].name : NULL;
}

const char *
price_per_unit(enum price_per per)
{
	static const char *const units[] = {
		[PER_MTOK_INPUT] = "USD/1M tokens",
		[PER_MTOK_OUTPUT] = "USD/1M tokens",
		[PER_IMAGE] = "USD/image",
		[PER_SECOND] = "USD/second",
		[PER_MINUTE] = "USD/minute",
		[PER_HOUR] = "USD/hour",
		[PER_1K_CHARS] = "USD/1K characters",
		[PER_REQUEST] = "USD/request",
		[PER_SEARCH] = "USD/search",
	};
	return (size_t)per < NKEYS(units) ? units[per] : "?";
}

/* ---- rows and records -------------------------------------------------- */

void
raw_rows_free(struct raw_rows *rows)
{
	size_t i, f;

	if (rows == NULL)
		return;
	for (i = 0; i < rows->n; i++) {
		for (f = 0; f < FIELD_COUNT; f++)
			free(rows->v[i].field[f]);
		for (f = 0; f < rows->v[i].nprices; f++) {
			free(rows->v[i].prices[f].key);
			free(rows->v[i].prices[f].text);
		}
		free(rows->v[i].prices);
	}
	free(rows->v);
	memset(rows, 0, sizeof(*rows));
}

void
records_free(struct records *recs)
{
	size_t i;

	if (recs == NULL)
		return;
	for (i = 0; i < recs->n; i++) {
		free(recs->v[i].facts);
		free(recs->v[i].prices);
	}
	free(recs->v);
	recs->v = NULL;
	recs->n = 0;
	recs->cap = 0;
}
