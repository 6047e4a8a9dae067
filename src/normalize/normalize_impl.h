/* normalize_impl.h - internal interface between the files of the
 * normalize stage. Not used outside it. */
#ifndef LLMREF_NORMALIZE_IMPL_H
#define LLMREF_NORMALIZE_IMPL_H

#include <stdbool.h>

#include "normalize/normalize.h"

/* Longest price or context cell accepted, in bytes after folding. */
#define NORM_TEXT_MAX 256
/* Bytes of a cell quoted in a reason, and the buffer that holds them. */
#define NORM_QUOTE_MAX 40
#define NORM_QUOTE_BUF (NORM_QUOTE_MAX + 4)

enum norm_money { MONEY_NONE, MONEY_DOLLARS, MONEY_CENTS };

/* What the text of a price cell says, once scanned. */
struct price_text {
	char q[NORM_QUOTE_BUF];  /* the cell, quoted for reasons */
	char num[NORM_TEXT_MAX]; /* the number, thousands separators removed */
	const char *bad;         /* why the scan failed */
	bool has_sign;
	bool negative;
	enum norm_money money;
};

/* The start of every price cell (normalize.c): text folded into folded,
 * whole-cell words ("Free", "Contact sales": 1 with out set), the
 * currency check, then [sign] [$|US$|USD] number [USD|cents|¢] into pt
 * (0, *rest at what follows). -1 with a reason in why. */
int norm_price_head(const char *text, char *folded, size_t flen, struct price_text *pt,
		    struct price *out, const char **rest, char *why, size_t whylen);
/* pt's number times 10^shift into out: zero is free; negative, or over
 * max_usd (named in unit, "USD per 1M tokens"), is an error. 0 or -1. */
int norm_price_value(const struct price_text *pt, int shift, int max_usd, const char *unit,
		     struct price *out, char *why, size_t whylen);

/* Fill rec->facts (allocated here, freed by records_free) from raw for a
 * model_card, benchmarks or capabilities source. */
enum lr_code normalize_row_facts(const struct source *src, const struct raw_row *raw,
				 struct record *rec, struct lr_err *err);

#endif
