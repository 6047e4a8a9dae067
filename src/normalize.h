/* normalize.h - pure functions turning extracted text into typed values:
 * prices in exact USD per 1M tokens, context windows, canonical model ids. */
#ifndef LLMREF_NORMALIZE_H
#define LLMREF_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "decimal.h"

/* Unit of the number in a price cell, from the source file's [units]. */
enum price_unit {
	UNIT_PER_TOKEN,       /* USD per token */
	UNIT_PER_1K,          /* USD per 1,000 tokens */
	UNIT_PER_1M,          /* USD per 1,000,000 tokens */
	UNIT_CENTS_PER_TOKEN, /* US cents per token */
	UNIT_AUTO,            /* read the unit from the text: "/1K", "per 1M" ... */
};

/* Parse a unit name from a source file ("per_token", "per_1k", "per_1m",
 * "cents_per_token", "auto"). Returns 0 or -1 for an unknown name. */
int price_unit_parse(const char *name, enum price_unit *out);
const char *price_unit_name(enum price_unit u);

enum price_kind {
	PRICE_VALUE,    /* usd_per_mtok holds the price */
	PRICE_FREE,     /* "Free", or exactly zero */
	PRICE_UNPRICED, /* "Contact sales", "-", "—", "N/A", empty cell */
	PRICE_DYNAMIC,  /* OpenRouter's "-1" sentinel: price set per request */
};

struct price {
	enum price_kind kind;
	dec_t usd_per_mtok; /* valid when kind == PRICE_VALUE; zero otherwise */
};

const char *price_kind_name(enum price_kind k); /* "value", "free", ... */

/* Normalize one price cell. Accepts "$0.10", "0.1 USD", "US$0.10",
 * "$0.0024 per 1K tokens", "$0.15/M", "0.000000027", "1,234.50", "Free",
 * "Contact sales", "-1" (dynamic). With UNIT_AUTO a unit marker in the text
 * is required; with an explicit unit a conflicting marker in the text is an
 * error ("unit marker /1K contradicts per_1m"). Negative values (other than
 * the exact "-1" sentinel), NaN, other currencies ("EUR", "€"), and prices
 * above PRICE_MAX_USD_PER_MTOK are errors.
 * Returns 0 and fills *out, or -1 with a reason in why. */
#define PRICE_MAX_USD_PER_MTOK 100000
int normalize_price(const char *text, enum price_unit unit, struct price *out, char *why,
		    size_t whylen) __attribute__((warn_unused_result));

/* Context window in tokens: "128K" (= 128,000; see docs/normalization.md),
 * "131,072", "131072 tokens", "1M", "2m", plain JSON integers. 1K = 1000.
 * Returns 0, or -1 with a reason (empty, negative, over 10^9, garbage). */
int normalize_context(const char *text, int64_t *out, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* Canonical model id from a provider's model id or display name:
 * lower-case, drop an organisation prefix up to the last '/', spaces and
 * '_' become '-', runs of '-' collapse, a ":suffix" variant is split off
 * into variant ("free", "batch"; empty if none).
 * "meta-llama/llama-3.2-1b-instruct:free" -> "llama-3.2-1b-instruct", "free"
 * "Llama 3.2 1B Instruct" -> "llama-3.2-1b-instruct", "".
 * Returns 0, or -1 if the result would be empty or does not fit. */
int normalize_model_id(const char *text, char *id, size_t idlen, char *variant, size_t variantlen,
		       char *why, size_t whylen) __attribute__((warn_unused_result));

#endif
