/* normalize.h - pure functions turning extracted text into typed values:
 * prices in exact USD per 1M tokens, context windows, canonical model ids. */
#ifndef LLMREF_NORMALIZE_H
#define LLMREF_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "core/decimal.h"
#include "core/err.h"
#include "normalize/identity.h"
#include "vocab/vocab.h"

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

/* The key of one more price of a row ([extract] jq's "prices"): a
 * dimension of vocab.h's table, then qualifiers, each at most once: a tier
 * of prompt tokens (">128K" and ">=128K" stay distinct; "≥" is ">="), a
 * daily UTC window ("16:30-00:30") and labels ("1024x1024", "hd").
 * Writes the canonical key ("input >128000") into out and the
 * dimension's unit into *per. Returns 0, or -1 with a reason. */
int normalize_price_key(const char *key, char *out, size_t len, enum price_per *per, char *why,
			size_t whylen) __attribute__((warn_unused_result));

/* A price per image, second, minute, hour, 1K characters, request or
 * search, as USD per one of them (per 1K for characters) in
 * out->usd_per_mtok: "$0.04", "$0.04 / image", "$0.006 per minute",
 * "$15.00 / 1M characters" (= 0.015 per 1K), "$10 / 1K calls" (= 0.01),
 * "2 cents per image". A unit marker must name what the dimension counts.
 * "Free" and zero are PRICE_FREE, "Contact sales" PRICE_UNPRICED. Returns 0,
 * or -1 with a reason (negative, over 100,000, another unit, garbage). */
int normalize_unit_price(const char *text, enum price_per per, struct price *out, char *why,
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

/* Normalize every raw row of src. Any row that fails (no model, a bad
 * price) fails the whole page: LR_ERR_NORMALIZE with the row number, field
 * and text in err; unless the source sets skip_bad_rows, when such rows
 * are dropped and counted in out->rejected. Two rows naming one model
 * always fail the page. On LR_OK free out with records_free (vocab.h). */
enum lr_code normalize_rows(const struct identity *id, const struct source *src,
			    const struct raw_rows *rows, struct records *out, struct lr_err *err)
    __attribute__((warn_unused_result));

/* The same, a row at a time, as rows arrive (extract_page_each): begin
 * empties out; add normalizes one row into it (or drops it under
 * skip_bad_rows); end checks the page (two rows naming one model, no
 * price at all) and frees out if it fails. After an error of add, free
 * out with records_free. */
void normalize_begin(struct records *out);
enum lr_code normalize_add(const struct identity *id, const struct source *src,
			   const struct raw_row *raw, struct records *out, struct lr_err *err)
    __attribute__((warn_unused_result));
enum lr_code normalize_end(const struct source *src, struct records *out, struct lr_err *err)
    __attribute__((warn_unused_result));

#endif
