/* normalize_facts.h - pure functions turning model-card text into typed
 * facts: parameter counts, dates with a precision, licenses, benchmark
 * scores and names, capability flags. Rules in docs/normalization.md. */
#ifndef LLMREF_NORMALIZE_FACTS_H
#define LLMREF_NORMALIZE_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/decimal.h"

/* Every function here is pure: no I/O, no allocation, no locale. text may
 * be NULL (an empty cell); why may be NULL. On failure the outputs are
 * zeroed or empty and why holds a short reason quoting up to 40 bytes of
 * the text. */

/* Plausible parameter counts, inclusive. */
#define PARAMS_MIN_COUNT   1000000LL         /* 10^6 */
#define PARAMS_MAX_COUNT   100000000000000LL /* 10^14 */
#define PARAMS_MAX_EXPERTS 1024
/* Largest benchmark score accepted, inclusive (Elo ratings fit). */
#define SCORE_MAX 100000

/* Parameter count: "1.23B", "405B", "70b", "1.5T", "350M", "405 billion",
 * "1,235,814,400", "3212749824", "8x7B" (experts x size = 56e9), with an
 * optional "params"/"parameters". "K" is rejected. Returns 0 or -1. */
int normalize_parameters(const char *text, int64_t *out, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* A calendar date and how much of it the text gave. A month-precision date
 * has day 0; a year-precision date has month 0 and day 0. */
struct fact_date {
	int year, month, day;
	enum date_precision {
		DATE_DAY,
		DATE_MONTH,
		DATE_YEAR,
	} precision;
};

/* Years accepted, inclusive. */
#define DATE_YEAR_MIN 1990
#define DATE_YEAR_MAX 2100

/* Date: "2024-09-25", "2024-09-25T18:00:00.000Z" (date as written),
 * "Sept 25, 2024", "25 September 2024", "December 2023", "2023-12",
 * "2024", unix seconds "1727222400" (exactly 10 digits, UTC).
 * Returns 0 or -1. */
int normalize_date(const char *text, struct fact_date *out, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* "2024-09-25", "2023-12" or "2024" into buf. Returns the length written,
 * or -1 (buf empty) if d is not a valid date or buf is too small. */
int fact_date_format(const struct fact_date *d, char *buf, size_t len)
    __attribute__((warn_unused_result));

/* License: a stable id and display name from a table of spellings,
 * matched case-insensitively ignoring white space, '-', '_' and ','
 * ("llama3.2", "Llama 3.2 Community License" -> "llama-3.2-community",
 * "Llama 3.2 Community"). Unknown text: -1, "unknown license '...'". */
int normalize_license(const char *text, char *id, size_t idlen, char *name, size_t namelen,
		      char *why, size_t whylen) __attribute__((warn_unused_result));

/* Benchmark score: "88.6", "88.6%", " 54.2 ", "1,287"; the scale is kept
 * as written ("0.886" stays 0.886). Negative, over SCORE_MAX, "-", NaN:
 * -1. Returns 0 or -1. */
int normalize_score(const char *text, dec_t *out, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* Capability flag: yes/no, true/false, y/n, 1/0, supported/not supported,
 * check and cross marks -> 1 or 0. Returns 0 or -1. */
int normalize_flag(const char *text, int *out, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* Benchmark (or capability) name: a trailing "(5-shot)", "(0-shot, CoT)"
 * is dropped; known benchmarks map to a table id and name ("MMLU" ->
 * "mmlu", "Massive Multitask Language Understanding"); others get a slug
 * id ([a-z0-9-]) and their trimmed text as name. Returns 0, or -1 if
 * empty, slug-less or too long for a buffer. */
int normalize_benchmark_id(const char *text, char *id, size_t idlen, char *name, size_t namelen,
			   char *why, size_t whylen) __attribute__((warn_unused_result));

#endif
