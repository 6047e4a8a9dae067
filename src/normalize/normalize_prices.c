/* normalize_prices.c - the other prices of a pricing row: a key naming
 * the dimension and its qualifiers ("input >200000", "per_image
 * 1024x1024 hd", "input 16:30-00:30"), and a cell in the dimension's unit
 * ("$0.04 / image", "$15 / 1M characters", "$0.006 per minute"). The
 * rules are described in docs/normalization.md. */
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "normalize/normalize.h"
#include "normalize/normalize_impl.h"

/* A unit price above this (USD per image, second ... request) is absurd. */
#define PRICE_MAX_USD_PER_UNIT 100000
#define PRICE_LABEL_MAX        24

/* ---- keys ------------------------------------------------------------- */

static const char *
key_skip(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* ">128K", ">=200000", "≥200k", "<=200K": canonical ">128000" ... */
static int
key_tier(const char *w, size_t n, char *out, size_t len, char *why, size_t whylen)
{
	static const char *const ops[][2] = {
		{ ">=", ">=" }, { "\xe2\x89\xa5", ">=" }, { ">", ">" },
		{ "<=", "<=" }, { "\xe2\x89\xa4", "<=" }, { "<", "<" },
	};
	char num[32];
	int64_t tokens;
	size_t i, k;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		k = strlen(ops[i][0]);
		if (n > k && strncmp(w, ops[i][0], k) == 0)
			break;
	}
	if (i == sizeof(ops) / sizeof(ops[0]) || n - k >= sizeof(num)) {
		lr_why(why, whylen, "'%.*s' is not a tier (>N, >=N, <N, <=N tokens)", (int)n, w);
		return -1;
	}
	memcpy(num, w + k, n - k);
	num[n - k] = '\0';
	if (normalize_context(num, &tokens, why, whylen) != 0)
		return -1;
	snprintf(out, len, "%s%lld", ops[i][1], (long long)tokens);
	return 0;
}

/* "16:30-00:30": a daily window, UTC. */
static int
key_window(const char *w, size_t n)
{
	int h1, m1, h2, m2, end = 0;

	if (n != 11 || sscanf(w, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &end) != 4 || end != 11)
		return -1;
	if (!text_isdigit(w[0]) || !text_isdigit(w[6]))
		return -1;
	return h1 < 24 && h2 <= 24 && m1 < 60 && m2 < 60 ? 0 : -1;
}

/* "1024x1024", "hd", "1h": a label of letters, digits, '.', '_', '-'. */
static int
key_label(const char *w, size_t n)
{
	size_t i;

	if (n == 0 || n > PRICE_LABEL_MAX || !text_isalnum_lower(text_lower(w[0])))
		return -1;
	for (i = 0; i < n; i++)
		if (!text_isalnum_lower(text_lower(w[i])) && w[i] != '.' && w[i] != '_' &&
		    w[i] != '-')
			return -1;
	return 0;
}

/* Append " WORD" (lower-cased) to out. */
static int
key_put(char *out, size_t len, const char *w, size_t n)
{
	size_t at = strlen(out), i;

	if (at + 1 + n >= len)
		return -1;
	out[at++] = ' ';
	for (i = 0; i < n; i++)
		out[at++] = text_lower(w[i]);
	out[at] = '\0';
	return 0;
}

/* One qualifier after the dimension: a tier, a window or a label. */
static int
key_qualifier(const char *w, size_t n, char *out, size_t len, int *tiers, char *why, size_t whylen)
{
	char tier[48];

	if (w[0] == '>' || w[0] == '<' || (unsigned char)w[0] == 0xe2) {
		if (++*tiers > 1 || key_tier(w, n, tier, sizeof(tier), why, whylen) != 0) {
			if (*tiers > 1)
				lr_why(why, whylen, "more than one tier");
			return -1;
		}
		return key_put(out, len, tier, strlen(tier));
	}
	if (key_window(w, n) == 0 || key_label(w, n) == 0)
		return key_put(out, len, w, n);
	lr_why(why, whylen, "'%.*s' is not a tier (>N), a window (HH:MM-HH:MM) or a label", (int)n,
	       w);
	return -1;
}

int
normalize_price_key(const char *key, char *out, size_t len, enum price_per *per, char *why,
		    size_t whylen)
{
	const char *p = key_skip(key), *w;
	int tiers = 0;
	size_t n;

	out[0] = '\0';
	for (w = p; *p != '\0' && *p != ' ' && *p != '\t'; p++)
		;
	n = (size_t)(p - w);
	if (price_dim_lookup(w, n, per) != 0 || n >= len) {
		lr_why(why, whylen,
		       "'%.*s' is not a price dimension (input, cache_write, "
		       "per_image ...: see llmref-sources(5))",
		       (int)(n > 40 ? 40 : n), w);
		return -1;
	}
	memcpy(out, w, n);
	out[n] = '\0';
	while (*(p = key_skip(p)) != '\0') {
		for (w = p; *p != '\0' && *p != ' ' && *p != '\t'; p++)
			;
		n = (size_t)(p - w);
		if (key_qualifier(w, n, out, len, &tiers, why, whylen) != 0) {
			if (why[0] == '\0' || strlen(out) + n + 1 >= len)
				lr_why(why, whylen, "price key '%.40s' is too long", key);
			return -1;
		}
	}
	return 0;
}

/* ---- cells ------------------------------------------------------------ */

/* The words for what a dimension counts, after "/" or "per". */
static int
cell_unit_word(const char **pp, enum price_per per)
{
	static const struct {
		enum price_per per;
		const char *w;
	} words[] = {
		{ PER_IMAGE, "images" },
		{ PER_IMAGE, "image" },
		{ PER_IMAGE, "img" },
		{ PER_SECOND, "seconds" },
		{ PER_SECOND, "second" },
		{ PER_SECOND, "sec" },
		{ PER_SECOND, "s" },
		{ PER_MINUTE, "minutes" },
		{ PER_MINUTE, "minute" },
		{ PER_MINUTE, "min" },
		{ PER_HOUR, "hours" },
		{ PER_HOUR, "hour" },
		{ PER_HOUR, "hr" },
		{ PER_HOUR, "h" },
		{ PER_1K_CHARS, "characters" },
		{ PER_1K_CHARS, "character" },
		{ PER_1K_CHARS, "chars" },
		{ PER_1K_CHARS, "char" },
		{ PER_REQUEST, "requests" },
		{ PER_REQUEST, "request" },
		{ PER_REQUEST, "calls" },
		{ PER_REQUEST, "call" },
		{ PER_REQUEST, "queries" },
		{ PER_REQUEST, "query" },
		{ PER_SEARCH, "searches" },
		{ PER_SEARCH, "search" },
		{ PER_SEARCH, "queries" },
		{ PER_SEARCH, "query" },
		{ PER_SEARCH, "calls" },
		{ PER_SEARCH, "call" },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].per == per && text_eat_word(pp, words[i].w))
			return 0;
	return -1;
}

/* "/ image", "per 1K calls", "/ 1M characters": the power of ten counted
 * (0, 3 or 6) in *qty. The marker may be absent (*qty = -1): the number
 * is then in the dimension's own unit. */
static int
cell_marker(const char *p, enum price_per per, int *qty)
{
	static const struct {
		const char *w;
		int pow;
	} q[] = {
		{ "1,000,000", 6 }, { "1000000", 6 }, { "1 million", 6 }, { "million", 6 },
		{ "1m", 6 },        { "1,000", 3 },   { "1000", 3 },      { "1 thousand", 3 },
		{ "thousand", 3 },  { "1k", 3 },      { "k", 3 },         { "1", 0 },
	};
	size_t i;

	*qty = -1;
	if (*p == '\0')
		return 0;
	*qty = 0;
	if (!text_eat_symbol(&p, "/") && !text_eat_word(&p, "per"))
		return -1;
	p = text_skip_space(p);
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		if (text_eat_word(&p, q[i].w)) {
			*qty = q[i].pow;
			break;
		}
	}
	p = text_skip_space(p);
	if (cell_unit_word(&p, per) != 0)
		return -1;
	return *text_skip_space(p) == '\0' ? 0 : -1;
}

int
normalize_unit_price(const char *text, enum price_per per, struct price *out, char *why,
		     size_t whylen)
{
	struct price_text pt;
	char folded[NORM_TEXT_MAX];
	const char *rest;
	int rc, qty, base = per == PER_1K_CHARS ? 3 : 0;

	out->kind = PRICE_UNPRICED;
	out->usd_per_mtok.v = 0;
	if (text == NULL)
		return 0;
	if (per == PER_MTOK_INPUT || per == PER_MTOK_OUTPUT) {
		lr_why(why, whylen, "a token price is read by normalize_price");
		return -1;
	}
	rc = norm_price_head(text, folded, sizeof(folded), &pt, out, &rest, why, whylen);
	if (rc < 0)
		return -1;
	if (rc > 0 && out->kind == PRICE_DYNAMIC) { /* "-1": no router sentinel here */
		out->kind = PRICE_UNPRICED;
		lr_why(why, whylen, "negative price '%s'", pt.q);
		return -1;
	}
	if (rc > 0)
		return 0;
	if (cell_marker(rest, per, &qty) != 0) {
		lr_why(why, whylen, "'%s' is not a price %s", pt.q,
		       strchr(price_per_unit(per), '/'));
		return -1;
	}
	return norm_price_value(&pt, (qty < 0 ? 0 : base - qty) - (pt.money == MONEY_CENTS ? 2 : 0),
				PRICE_MAX_USD_PER_UNIT, price_per_unit(per), out, why, whylen);
}
