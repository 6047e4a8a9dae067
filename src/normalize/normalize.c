/* normalize.c - pure functions turning extracted text into typed values:
 * prices in exact USD per 1M tokens, context windows, canonical model ids.
 * The rules are described in docs/normalization.md. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "normalize/normalize.h"
#include "normalize/normalize_impl.h"
#include "core/text.h"
#include "core/err.h"

#define NORM_CONTEXT_MAX_TOKENS 1000000000LL

enum norm_marker { MARK_NONE, MARK_TOKEN, MARK_1K, MARK_1M };

/* ---- prices ---------------------------------------------------------- */

/* Whole-cell words: "Free", "Contact sales", dashes, "-1" ... */
static bool
price_special(const char *folded, struct price *out)
{
	static const char *const unpriced[] = {
		"",           "-",      "\xe2\x80\x94", "\xe2\x80\x93", "n/a", "contact sales",
		"contact us", "custom",
	};
	size_t i;

	if (strcmp(folded, "free") == 0) {
		out->kind = PRICE_FREE;
		return true;
	}
	if (strcmp(folded, "-1") == 0) {
		out->kind = PRICE_DYNAMIC;
		return true;
	}
	for (i = 0; i < sizeof(unpriced) / sizeof(unpriced[0]); i++) {
		if (strcmp(folded, unpriced[i]) == 0)
			return true; /* out is PRICE_UNPRICED already */
	}
	return false;
}

/* Currencies that are not the US dollar: as folded text, as reported. */
static const char *const price_foreign[][2] = {
	{ "\xe2\x82\xac", "\xe2\x82\xac" },
	{ "\xc2\xa3", "\xc2\xa3" },
	{ "\xc2\xa5", "\xc2\xa5" },
	{ "\xe2\x82\xb9", "\xe2\x82\xb9" },
	{ "\xe2\x82\xa9", "\xe2\x82\xa9" },
	{ "\xe2\x82\xbd", "\xe2\x82\xbd" },
	{ "eur", "EUR" },
	{ "euro", "EUR" },
	{ "euros", "EUR" },
	{ "gbp", "GBP" },
	{ "jpy", "JPY" },
	{ "yen", "JPY" },
	{ "cny", "CNY" },
	{ "rmb", "CNY" },
	{ "inr", "INR" },
	{ "krw", "KRW" },
	{ "rub", "RUB" },
	{ "chf", "CHF" },
	{ "cad", "CAD" },
	{ "aud", "AUD" },
	{ "ca$", "CA$" },
	{ "c$", "C$" },
	{ "a$", "A$" },
	{ "au$", "A$" },
	{ "hk$", "HK$" },
	{ "s$", "S$" },
	{ "nz$", "NZ$" },
	{ "r$", "R$" },
	{ "mx$", "MX$" },
};

/* The currency at p (inside the folded text s) if it is not the dollar. */
static const char *
price_foreign_at(const char *s, const char *p)
{
	size_t i, n;

	for (i = 0; i < sizeof(price_foreign) / sizeof(price_foreign[0]); i++) {
		if (p[0] != price_foreign[i][0][0]) /* most positions: no strncmp */
			continue;
		n = strlen(price_foreign[i][0]);
		if (strncmp(p, price_foreign[i][0], n) != 0)
			continue;
		if (text_isalpha(p[0]) && p > s && text_isalpha(p[-1]))
			continue;
		if (text_isalpha(p[n - 1]) && text_isalpha(p[n]))
			continue;
		return price_foreign[i][1];
	}
	return NULL;
}

static int
price_check_currency(const char *folded, const char *q, char *why, size_t whylen)
{
	const char *p, *cur;

	for (p = folded; *p != '\0'; p++) {
		cur = price_foreign_at(folded, p);
		if (cur != NULL) {
			lr_why(why, whylen, "currency %s is not USD in '%s'", cur, q);
			return -1;
		}
	}
	return 0;
}

static const char *
price_scan_sign(const char *p, struct price_text *pt)
{
	if ((*p != '-' && *p != '+') || pt->has_sign)
		return p;
	pt->has_sign = true;
	pt->negative = *p == '-';
	return p + 1;
}

/* "$", "US$" or "USD " before the number. */
static const char *
price_scan_prefix(const char *p, struct price_text *pt)
{
	if (text_eat_symbol(&p, "$") || text_eat_symbol(&p, "us$") || text_eat_word(&p, "usd"))
		pt->money = MONEY_DOLLARS;
	return text_skip_space(p);
}

/* "USD", "cents" or the cent sign after the number. */
static int
price_scan_suffix(const char **pp, struct price_text *pt)
{
	enum norm_money m = MONEY_NONE;

	if (text_eat_word(pp, "usd"))
		m = MONEY_DOLLARS;
	else if (text_eat_symbol(pp, "\xc2\xa2") || text_eat_word(pp, "cents") ||
		 text_eat_word(pp, "cent"))
		m = MONEY_CENTS;
	if (m == MONEY_NONE)
		return 0;
	if (pt->money != MONEY_NONE && pt->money != m) {
		pt->bad = "mixes dollars and cents";
		return -1;
	}
	pt->money = m;
	*pp = text_skip_space(*pp);
	return 0;
}

/* "/1M", "/ 1M tokens", "per million", "per 1,000 tokens", "/token" ... */
static const char *
price_scan_marker(const char *p, enum norm_marker *mk)
{
	static const struct {
		const char *w;
		enum norm_marker mk;
	} qty[] = {
		{ "1,000,000", MARK_1M },
		{ "1000000", MARK_1M },
		{ "1 million", MARK_1M },
		{ "million", MARK_1M },
		{ "1m", MARK_1M },
		{ "m", MARK_1M },
		{ "mtok", MARK_1M },
		{ "1,000", MARK_1K },
		{ "1000", MARK_1K },
		{ "1 thousand", MARK_1K },
		{ "thousand", MARK_1K },
		{ "1k", MARK_1K },
		{ "k", MARK_1K },
		{ "ktok", MARK_1K },
		{ "1 token", MARK_TOKEN },
		{ "tokens", MARK_TOKEN },
		{ "token", MARK_TOKEN },
		{ "tok", MARK_TOKEN },
		/* IBM watsonx bills in resource units of 1,000 tokens */
		{ "resource unit", MARK_1K },
		{ "ru", MARK_1K },
	};
	const char *start = p, *q;
	size_t i;

	if (!text_eat_symbol(&p, "/") && !text_eat_word(&p, "per"))
		return p;
	p = text_skip_space(p);
	for (i = 0; i < sizeof(qty) / sizeof(qty[0]); i++) {
		if (text_eat_word(&p, qty[i].w)) {
			*mk = qty[i].mk;
			break;
		}
	}
	if (*mk == MARK_NONE)
		return start; /* left over: not a price */
	q = text_skip_space(p);
	if (*mk != MARK_TOKEN && (text_eat_word(&q, "tokens") || text_eat_word(&q, "token")))
		p = q;
	return p;
}

/* [sign] [$ | US$ | USD] [sign] number [USD | cents | ¢]; *pp at the rest. */
static int
price_scan_amount(const char *folded, struct price_text *pt, const char **pp)
{
	const char *p = folded;

	pt->bad = "not a price";
	p = price_scan_sign(p, pt);
	p = price_scan_prefix(p, pt);
	p = price_scan_sign(p, pt);
	if (text_scan_number(&p, pt->num, true, &pt->bad) != 0)
		return -1;
	p = text_skip_space(p);
	if (price_scan_suffix(&p, pt) != 0)
		return -1;
	*pp = p;
	return 0;
}

int
norm_price_head(const char *text, char *folded, size_t flen, struct price_text *pt,
		struct price *out, const char **rest, char *why, size_t whylen)
{
	out->kind = PRICE_UNPRICED;
	out->usd_per_mtok.v = 0;
	memset(pt, 0, sizeof(*pt));
	text_quote(text, pt->q, NORM_QUOTE_MAX, false);
	if (!text_utf8_valid(text)) {
		lr_why(why, whylen, "invalid UTF-8 in price '%s'", pt->q);
		return -1;
	}
	if (text_fold(text, TEXT_FOLD_LOWER, folded, flen) != 0) {
		lr_why(why, whylen, "price text too long: '%s'", pt->q);
		return -1;
	}
	if (price_special(folded, out))
		return 1;
	if (price_check_currency(folded, pt->q, why, whylen) != 0)
		return -1;
	if (price_scan_amount(folded, pt, rest) != 0) {
		lr_why(why, whylen, "%s: '%s'", pt->bad, pt->q);
		return -1;
	}
	return 0;
}

static const char *const price_marker_names[] = {
	[MARK_NONE] = "none",
	[MARK_TOKEN] = "/token",
	[MARK_1K] = "/1K",
	[MARK_1M] = "/1M",
};

/* True if the number has no non-zero digit: zero in any unit. */
static bool
price_num_is_zero(const char *num)
{
	for (; *num != '\0' && *num != 'e'; num++) {
		if (*num >= '1' && *num <= '9')
			return false;
	}
	return true;
}

/* The decimal point shift from the number in the cell to USD per 1M
 * tokens, from the source's unit and the markers in the text. A zero needs
 * no unit marker. */
static int
price_shift(const struct price_text *pt, enum norm_marker marker, enum price_unit unit, int *shift,
	    char *why, size_t whylen)
{
	static const int marker_shift[] = {
		[MARK_NONE] = 0, [MARK_TOKEN] = 6, [MARK_1K] = 3, [MARK_1M] = 0
	};
	static const enum norm_marker unit_marker[] = {
		[UNIT_PER_TOKEN] = MARK_TOKEN, [UNIT_PER_1K] = MARK_1K,
		[UNIT_PER_1M] = MARK_1M,       [UNIT_CENTS_PER_TOKEN] = MARK_TOKEN,
		[UNIT_AUTO] = MARK_NONE,
	};
	const char *uname = price_unit_name(unit);
	enum norm_marker mk;
	bool cents = unit == UNIT_CENTS_PER_TOKEN;

	if ((unsigned)unit > UNIT_AUTO)
		goto fail_unit;
	mk = unit_marker[unit];
	if (marker != MARK_NONE && mk != MARK_NONE && marker != mk)
		goto fail_marker;
	mk = marker != MARK_NONE ? marker : mk;
	if (mk == MARK_NONE && !price_num_is_zero(pt->num))
		goto fail_none;
	if (unit != UNIT_AUTO && pt->money != MONEY_NONE && cents != (pt->money == MONEY_CENTS))
		goto fail_money;
	cents = cents || pt->money == MONEY_CENTS;
	*shift = marker_shift[mk] - (cents ? 2 : 0);
	return 0;
fail_unit:
	lr_why(why, whylen, "unknown price unit %d", (int)unit);
	return -1;
fail_marker:
	lr_why(why, whylen, "unit marker %s contradicts %s in '%s'", price_marker_names[marker],
	       uname, pt->q);
	return -1;
fail_none:
	lr_why(why, whylen, "no unit marker (/1M, /1K, /token) in '%s'", pt->q);
	return -1;
fail_money:
	lr_why(why, whylen, "%s contradict %s in '%s'",
	       pt->money == MONEY_CENTS ? "cents" : "dollars", uname, pt->q);
	return -1;
}

int
norm_price_value(const struct price_text *pt, int shift, int max_usd, const char *unit,
		 struct price *out, char *why, size_t whylen)
{
	dec_t v, max = dec_from_int(max_usd);
	char dwhy[96];

	if (dec_parse(pt->num, shift, &v, dwhy, sizeof(dwhy)) != 0) {
		lr_why(why, whylen, "price '%s': %s", pt->q, dwhy);
		return -1;
	}
	if (dec_is_zero(v)) {
		out->kind = PRICE_FREE;
		return 0;
	}
	if (pt->negative) {
		lr_why(why, whylen, "negative price '%s'", pt->q);
		return -1;
	}
	if (dec_cmp(v, max) > 0) {
		lr_why(why, whylen, "absurd price '%s' (over %d %s)", pt->q, max_usd, unit);
		return -1;
	}
	out->kind = PRICE_VALUE;
	out->usd_per_mtok = v;
	return 0;
}

int
normalize_price(const char *text, enum price_unit unit, struct price *out, char *why, size_t whylen)
{
	struct price_text pt;
	enum norm_marker mk = MARK_NONE;
	char folded[NORM_TEXT_MAX];
	const char *rest;
	int shift, rc;

	out->kind = PRICE_UNPRICED;
	out->usd_per_mtok.v = 0;
	if (text == NULL)
		return 0;
	rc = norm_price_head(text, folded, sizeof(folded), &pt, out, &rest, why, whylen);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	rest = price_scan_marker(rest, &mk);
	if (*rest != '\0') {
		lr_why(why, whylen, "not a price: '%s'", pt.q);
		return -1;
	}
	if (price_shift(&pt, mk, unit, &shift, why, whylen) != 0)
		return -1;
	return norm_price_value(&pt, shift, PRICE_MAX_USD_PER_MTOK, "USD per 1M tokens", out, why,
				whylen);
}

/* ---- context windows ------------------------------------------------ */

/* num * 10^shift as a whole, positive number of tokens up to 10^9. */
static int
context_value(const char *num, int shift, const char *q, int64_t *out, char *why, size_t whylen)
{
	const __int128 one = dec_from_int(1).v;
	char dwhy[96];
	dec_t v;

	if (shift == 0 && strchr(num, '.') != NULL) {
		lr_why(why, whylen, "context window '%s' is not a whole number", q);
		return -1;
	}
	if (dec_parse(num, shift, &v, dwhy, sizeof(dwhy)) != 0) {
		lr_why(why, whylen, "context window '%s': %s", q, dwhy);
		return -1;
	}
	if (v.v % one != 0) {
		lr_why(why, whylen, "context window '%s' is not a whole number of tokens", q);
		return -1;
	}
	if (v.v == 0 || v.v / one > NORM_CONTEXT_MAX_TOKENS) {
		lr_why(why, whylen, "context window '%s' is %s", q,
		       v.v == 0 ? "zero" : "over 10^9 tokens");
		return -1;
	}
	*out = (int64_t)(v.v / one);
	return 0;
}

int
normalize_context(const char *text, int64_t *out, char *why, size_t whylen)
{
	char folded[NORM_TEXT_MAX], num[NORM_TEXT_MAX], q[NORM_QUOTE_BUF];
	const char *p = folded, *bad = "not a context window";
	int shift = 0;

	*out = 0;
	if (text == NULL)
		text = "";
	text_quote(text, q, NORM_QUOTE_MAX, false);
	if (!text_utf8_valid(text) || text_fold(text, TEXT_FOLD_LOWER, folded, sizeof(folded)) != 0)
		goto fail;
	if (folded[0] == '\0') {
		lr_why(why, whylen, "empty context window");
		return -1;
	}
	if (*p == '-') {
		bad = "negative context window";
		goto fail;
	}
	if (text_scan_number(&p, num, false, &bad) != 0)
		goto fail;
	p = text_skip_space(p);
	if (text_eat_word(&p, "k"))
		shift = 3;
	else if (text_eat_word(&p, "m"))
		shift = 6;
	p = text_skip_space(p);
	if (!text_eat_word(&p, "tokens"))
		text_eat_word(&p, "token");
	if (*p != '\0')
		goto fail;
	return context_value(num, shift, q, out, why, whylen);
fail:
	lr_why(why, whylen, "%s: '%s'", bad, q);
	return -1;
}

/* ---- model ids ------------------------------------------------------- */

static int
model_put(char *out, size_t outlen, size_t *n, char c)
{
	if (*n + 1 >= outlen)
		return -1;
	out[(*n)++] = c;
	out[*n] = '\0';
	return 0;
}

/* Map [s, end) to [a-z0-9.-]: lower case; white space, '_' and '-' runs
 * become one '-' (none at either end); anything else is dropped. */
static int
model_map(const char *s, const char *end, char *out, size_t outlen)
{
	size_t n = 0, k;
	bool dash = false;
	char c;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	while (s < end) {
		k = text_space_len(s);
		c = text_lower(*s);
		s += k > 0 ? k : 1;
		if (k > 0 || c == '_' || c == '-') {
			dash = true;
			continue;
		}
		if (!text_isdigit(c) && !(c >= 'a' && c <= 'z') && c != '.')
			continue;
		if ((dash && n > 0 && model_put(out, outlen, &n, '-') != 0) ||
		    model_put(out, outlen, &n, c) != 0)
			return -1;
		dash = false;
	}
	return 0;
}

int
normalize_model_id(const char *text, char *id, size_t idlen, char *variant, size_t variantlen,
		   char *why, size_t whylen)
{
	const char *s = text, *end, *colon, *slash;
	char q[NORM_QUOTE_BUF];

	if (idlen > 0)
		id[0] = '\0';
	if (variantlen > 0)
		variant[0] = '\0';
	text_quote(text != NULL ? text : "", q, NORM_QUOTE_MAX, false);
	if (text == NULL)
		goto fail_empty;
	while (text_space_len(s) > 0)
		s += text_space_len(s);
	if (*s == '~')
		s++;
	end = s + strlen(s);
	colon = memchr(s, ':', (size_t)(end - s));
	for (slash = colon != NULL ? colon : end; slash > s && slash[-1] != '/'; slash--)
		;
	if (model_map(slash, colon != NULL ? colon : end, id, idlen) != 0 ||
	    (colon != NULL && model_map(colon + 1, end, variant, variantlen) != 0)) {
		lr_why(why, whylen, "model id '%s' is too long", q);
		goto fail;
	}
	if (id[0] != '\0')
		return 0;
fail_empty:
	lr_why(why, whylen, "model id '%s' is empty once normalized", q);
fail:
	if (idlen > 0)
		id[0] = '\0';
	if (variantlen > 0)
		variant[0] = '\0';
	return -1;
}
