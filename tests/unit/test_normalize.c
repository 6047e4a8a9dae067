/* test_normalize.c - table-driven tests of price, context window and model
 * id normalization (src/normalize.c), hostile inputs included. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "normalize/normalize.h"
#include "tap.h"

#define ERR (-1) /* the kind column of a case that must fail */

struct price_case {
	const char *text;
	enum price_unit unit;
	int kind;         /* enum price_kind, or ERR */
	const char *want; /* PRICE_VALUE: USD per 1M tokens; ERR: reason substring */
};

static const struct price_case price_cases[] = {
	/* plain numbers in each unit */
	{ "$0.10", UNIT_PER_1M, PRICE_VALUE, "0.1" },
	{ "0.1 USD", UNIT_PER_1M, PRICE_VALUE, "0.1" },
	{ "US$0.10", UNIT_PER_1M, PRICE_VALUE, "0.1" },
	{ "USD 0.10", UNIT_PER_1M, PRICE_VALUE, "0.1" },
	{ "$ 0.90", UNIT_PER_1M, PRICE_VALUE, "0.9" },
	{ "  $3.00\t", UNIT_PER_1M, PRICE_VALUE, "3" },
	{ "\xc2\xa0$1.20\xe2\x80\xaf", UNIT_PER_1M, PRICE_VALUE, "1.2" },
	{ "1,234.50", UNIT_PER_1M, PRICE_VALUE, "1234.5" },
	{ "$12,345", UNIT_PER_1M, PRICE_VALUE, "12345" },
	{ "100,000", UNIT_PER_1M, PRICE_VALUE, "100000" },
	{ "0.000000027", UNIT_PER_TOKEN, PRICE_VALUE, "0.027" },
	{ "0.0000000208333333333333", UNIT_PER_TOKEN, PRICE_VALUE, "0.0208333333333333" },
	{ "0.0006", UNIT_PER_TOKEN, PRICE_VALUE, "600" },
	{ "0.00000001", UNIT_PER_TOKEN, PRICE_VALUE, "0.01" },
	{ "0.0024", UNIT_PER_1K, PRICE_VALUE, "2.4" },
	{ "0.0000027", UNIT_CENTS_PER_TOKEN, PRICE_VALUE, "0.027" },
	{ "0.0000027\xc2\xa2", UNIT_CENTS_PER_TOKEN, PRICE_VALUE, "0.027" },
	{ "2.5e-7", UNIT_PER_TOKEN, PRICE_VALUE, "0.25" },
	/* unit markers in the text */
	{ "$0.0024 per 1K tokens", UNIT_AUTO, PRICE_VALUE, "2.4" },
	{ "$0.0006 per RU", UNIT_AUTO, PRICE_VALUE, "0.6" },
	{ "$0.0006/RU", UNIT_PER_1K, PRICE_VALUE, "0.6" },
	{ "USD 0.005 per resource unit", UNIT_AUTO, PRICE_VALUE, "5" },
	{ "$0.0006 per RU", UNIT_PER_1M, ERR, "contradicts per_1m" },
	{ "$0.0006 per rupee", UNIT_AUTO, ERR, "" },
	{ "$0.0024 per 1,000 tokens", UNIT_AUTO, PRICE_VALUE, "2.4" },
	{ "$0.0024/1K", UNIT_PER_1K, PRICE_VALUE, "2.4" },
	{ "$0.15/M", UNIT_AUTO, PRICE_VALUE, "0.15" },
	{ "$0.15/1M", UNIT_AUTO, PRICE_VALUE, "0.15" },
	{ "$0.15 / 1M", UNIT_AUTO, PRICE_VALUE, "0.15" },
	{ "$0.15 /1M tokens", UNIT_AUTO, PRICE_VALUE, "0.15" },
	{ "$0.15 / 1M tokens", UNIT_PER_1M, PRICE_VALUE, "0.15" },
	{ "0.15 USD per 1M tokens", UNIT_AUTO, PRICE_VALUE, "0.15" },
	{ "$0.15 per million", UNIT_AUTO, PRICE_VALUE, "0.15" },
	{ "$0.15 PER MILLION TOKENS", UNIT_AUTO, PRICE_VALUE, "0.15" },
	{ "$0.000002/token", UNIT_AUTO, PRICE_VALUE, "2" },
	{ "$0.000002 per token", UNIT_PER_TOKEN, PRICE_VALUE, "2" },
	{ "0.0001\xc2\xa2/token", UNIT_AUTO, PRICE_VALUE, "1" },
	{ "$0.0024 per 1K tokens", UNIT_PER_1M, ERR, "unit marker /1K contradicts per_1m" },
	{ "$0.15/1M", UNIT_PER_TOKEN, ERR, "unit marker /1M contradicts per_token" },
	{ "0.10", UNIT_AUTO, ERR, "no unit marker" },
	{ "$0.10/", UNIT_AUTO, ERR, "not a price" },
	{ "$0.10 per 1M tokens please", UNIT_AUTO, ERR, "not a price" },
	{ "$0.01", UNIT_CENTS_PER_TOKEN, ERR, "dollars contradict cents_per_token" },
	{ "1 cent", UNIT_PER_1M, ERR, "cents contradict per_1m" },
	{ "$1 cent", UNIT_PER_1M, ERR, "mixes dollars and cents" },
	/* special words and sentinels */
	{ "Free", UNIT_PER_1M, PRICE_FREE, NULL },
	{ " FREE ", UNIT_AUTO, PRICE_FREE, NULL },
	{ "0", UNIT_PER_TOKEN, PRICE_FREE, NULL },
	{ "$0.00", UNIT_PER_1M, PRICE_FREE, NULL },
	{ "$0", UNIT_AUTO, PRICE_FREE, NULL },
	{ "$0/1K", UNIT_PER_1M, ERR, "unit marker /1K contradicts per_1m" },
	{ "0e5", UNIT_AUTO, PRICE_FREE, NULL },
	{ "1e0", UNIT_AUTO, ERR, "no unit marker" },
	{ "-0", UNIT_PER_TOKEN, PRICE_FREE, NULL },
	{ "Contact sales", UNIT_PER_1M, PRICE_UNPRICED, NULL },
	{ "contact us", UNIT_AUTO, PRICE_UNPRICED, NULL },
	{ "Custom", UNIT_PER_1M, PRICE_UNPRICED, NULL },
	{ "N/A", UNIT_PER_1M, PRICE_UNPRICED, NULL },
	{ "-", UNIT_PER_1M, PRICE_UNPRICED, NULL },
	{ "\xe2\x80\x94", UNIT_PER_1M, PRICE_UNPRICED, NULL },
	{ "\xe2\x80\x93", UNIT_PER_1M, PRICE_UNPRICED, NULL },
	{ "", UNIT_PER_1M, PRICE_UNPRICED, NULL },
	{ " \t ", UNIT_AUTO, PRICE_UNPRICED, NULL },
	{ "-1", UNIT_PER_TOKEN, PRICE_DYNAMIC, NULL },
	{ " -1 ", UNIT_PER_TOKEN, PRICE_DYNAMIC, NULL },
	{ "-1.0", UNIT_PER_TOKEN, ERR, "negative price" },
	{ "-2", UNIT_PER_TOKEN, ERR, "negative price" },
	/* hostile */
	{ "$-0.10", UNIT_PER_1M, ERR, "negative price '$-0.10'" },
	{ "-$0.10", UNIT_PER_1M, ERR, "negative price" },
	{ "--1", UNIT_PER_TOKEN, ERR, "not a price" },
	{ "NaN", UNIT_PER_TOKEN, ERR, "not a price: 'NaN'" },
	{ "nan", UNIT_PER_1M, ERR, "not a price" },
	{ "inf", UNIT_PER_1M, ERR, "not a price" },
	{ "Infinity", UNIT_PER_1M, ERR, "not a price" },
	{ "0x10", UNIT_PER_1M, ERR, "not a price" },
	{ "1e309", UNIT_PER_TOKEN, ERR, "value too large" },
	{ "1e400", UNIT_PER_TOKEN, ERR, "value too large" },
	{ "1e-400", UNIT_PER_TOKEN, ERR, "too many decimal places" },
	{ "1e0400", UNIT_PER_TOKEN, ERR, "not a number" },
	{ "1180591620717411303424", UNIT_PER_1M, ERR, "value too large" },
	{ "0.0000000000000000000000001", UNIT_PER_TOKEN, ERR, "too many decimal places" },
	{ "100000", UNIT_PER_1M, PRICE_VALUE, "100000" },
	{ "100000.000000000000000001", UNIT_PER_1M, ERR, "absurd price" },
	{ "0.1000001", UNIT_PER_TOKEN, ERR, "absurd price" },
	{ "$200,000", UNIT_PER_1M, ERR, "absurd price '$200,000'" },
	{ "0.10 EUR", UNIT_PER_1M, ERR, "currency EUR is not USD in '0.10 EUR'" },
	{ "\xe2\x82\xac"
	  "0.10",
	  UNIT_PER_1M, ERR, "currency \xe2\x82\xac is not USD" },
	{ "\xc2\xa3"
	  "0.10",
	  UNIT_PER_1M, ERR, "is not USD" },
	{ "\xc2\xa5"
	  "10",
	  UNIT_PER_1M, ERR, "is not USD" },
	{ "10 JPY", UNIT_PER_1M, ERR, "currency JPY is not USD" },
	{ "GBP 0.10", UNIT_PER_1M, ERR, "currency GBP is not USD" },
	{ "0.10eur", UNIT_PER_1M, ERR, "currency EUR is not USD" },
	{ "CA$0.10", UNIT_PER_1M, ERR, "currency CA$ is not USD" },
	{ "$0.10 EUR/1M", UNIT_AUTO, ERR, "currency EUR is not USD" },
	{ "1,23", UNIT_PER_1M, ERR, "misplaced thousands separator" },
	{ "0,10", UNIT_PER_1M, ERR, "misplaced thousands separator" },
	{ "1234,567", UNIT_PER_1M, ERR, "misplaced thousands separator" },
	{ ",123", UNIT_PER_1M, ERR, "misplaced thousands separator" },
	{ "1,234,", UNIT_PER_1M, ERR, "misplaced thousands separator" },
	{ "1.234,5", UNIT_PER_1M, ERR, "misplaced thousands separator" },
	{ "1 234", UNIT_PER_1M, ERR, "not a price" },
	{ "1.2.3", UNIT_PER_1M, ERR, "not a number" },
	{ "5.", UNIT_PER_1M, ERR, "not a number" },
	{ ".5", UNIT_PER_1M, PRICE_VALUE, "0.5" },
	{ "$", UNIT_PER_1M, ERR, "not a price" },
	{ "\xff"
	  "0.10",
	  UNIT_PER_1M, ERR, "invalid UTF-8 in price '?0.10'" },
	{ "0.10\xc3", UNIT_PER_1M, ERR, "invalid UTF-8" },
	{ "\xc0\xb0.10", UNIT_PER_1M, ERR, "invalid UTF-8" }, /* overlong '0' */
	{ "\xed\xa0\x80"
	  "1",
	  UNIT_PER_1M, ERR, "invalid UTF-8" }, /* surrogate */
	{ "$0.10\t$0.20", UNIT_PER_1M, ERR, "not a price: '$0.10?$0.20'" },
	{ "Contact sales for volume pricing and discounts", UNIT_PER_1M, ERR,
	  "not a price: 'Contact sales for volume pricing and dis...'" },
	{ "$0.10", 42, ERR, "unknown price unit" },
};

struct context_case {
	const char *text;
	int64_t want; /* 0 = must fail */
	const char *err;
};

static const struct context_case context_cases[] = {
	{ "128K", 128000, NULL },
	{ "128k", 128000, NULL },
	{ "128 K tokens", 128000, NULL },
	{ "131,072", 131072, NULL },
	{ "131072 tokens", 131072, NULL },
	{ "131072", 131072, NULL },
	{ " 8192\xc2\xa0", 8192, NULL },
	{ "1M", 1000000, NULL },
	{ "2m", 2000000, NULL },
	{ "1.5M", 1500000, NULL },
	{ "32.768K", 32768, NULL },
	{ "1000000000", 1000000000, NULL },
	{ "1 token", 1, NULL },
	{ "", 0, "empty context window" },
	{ "  ", 0, "empty context window" },
	{ "-1", 0, "negative context window: '-1'" },
	{ "-128K", 0, "negative context window" },
	{ "0", 0, "is zero" },
	{ "0K", 0, "is zero" },
	{ "1000000001", 0, "over 10^9" },
	{ "2000M", 0, "over 10^9" },
	{ "99999999999999999999999", 0, "value too large" },
	{ "131072.5", 0, "not a whole number" },
	{ "131072.0", 0, "not a whole number" },
	{ "1.0000005M", 0, "not a whole number of tokens" },
	{ "1e6", 0, "not a context window" },
	{ "128KB", 0, "not a context window" },
	{ "128K context", 0, "not a context window" },
	{ "lots", 0, "not a context window: 'lots'" },
	{ "1,31,072", 0, "misplaced thousands separator" },
	{ "\xff"
	  "128",
	  0, "not a context window: '?128'" },
	{ NULL, 0, "empty context window" },
};

struct model_case {
	const char *text;
	const char *id;      /* NULL = must fail */
	const char *variant; /* or the reason substring when failing */
};

static const struct model_case model_cases[] = {
	{ "meta-llama/llama-3.2-1b-instruct:free", "llama-3.2-1b-instruct", "free" },
	{ "Llama 3.2 1B Instruct", "llama-3.2-1b-instruct", "" },
	{ "meta-llama/Llama-3.2-1B-Instruct", "llama-3.2-1b-instruct", "" },
	{ "google/gemini-3.7-flash:batch", "gemini-3.7-flash", "batch" },
	{ "~anthropic/claude-sonnet-latest", "claude-sonnet-latest", "" },
	{ "  ~openai/gpt-latest  ", "gpt-latest", "" },
	{ "accounts/fireworks/models/llama_v3p1_405b_instruct", "llama-v3p1-405b-instruct", "" },
	{ "Llama  3.1 -- 405B__Instruct", "llama-3.1-405b-instruct", "" },
	{ "GPT-4o (2024-08-06)", "gpt-4o-2024-08-06", "" },
	{ "Llama\xc2\xa0"
	  "3.2 1B",
	  "llama-3.2-1b", "" },
	{ "Mod\xc3\xa8le 7B", "modle-7b", "" },
	{ "-Leading and trailing-", "leading-and-trailing", "" },
	{ "model:Extended Thinking", "model", "extended-thinking" },
	{ "model:", "model", "" },
	{ "meta.llama3-1-405b-instruct-v1:0", "meta.llama3-1-405b-instruct-v1", "0" },
	{ "", NULL, "is empty once normalized" },
	{ "meta-llama/", NULL, "is empty once normalized" },
	{ "~", NULL, "is empty once normalized" },
	{ "(\xe2\x9c\xa8)", NULL, "is empty once normalized" },
	{ ":free", NULL, "is empty once normalized" },
	{ NULL, NULL, "is empty" },
};

static int
price_kind_ok(const struct price_case *c, int rc, const struct price *p, const char *why)
{
	char got[DEC_STR_MAX];

	if (c->kind == ERR)
		return rc == -1 && strstr(why, c->want) != NULL;
	if (rc != 0 || (int)p->kind != c->kind)
		return 0;
	if (c->kind != PRICE_VALUE)
		return dec_is_zero(p->usd_per_mtok);
	return strcmp(dec_format(p->usd_per_mtok, got, sizeof(got)), c->want) == 0;
}

static void
test_price(void)
{
	char why[256], got[DEC_STR_MAX];
	size_t i;

	for (i = 0; i < sizeof(price_cases) / sizeof(price_cases[0]); i++) {
		const struct price_case *c = &price_cases[i];
		struct price p = { PRICE_VALUE, { 1 } };
		int rc;

		why[0] = '\0';
		rc = normalize_price(c->text, c->unit, &p, why, sizeof(why));
		if (tap_ok(price_kind_ok(c, rc, &p, why), "price '%s' %s -> %s %s", c->text,
			   price_unit_name(c->unit),
			   c->kind == ERR ? "error" : price_kind_name(c->kind),
			   c->want ? c->want : ""))
			continue;
		printf("#   rc %d kind %s value %s why '%s'\n", rc, price_kind_name(p.kind),
		       dec_format(p.usd_per_mtok, got, sizeof(got)), why);
	}
}

/* A NULL cell is unpriced; a short or absent reason buffer is safe. */
static void
test_price_edges(void)
{
	struct price p = { PRICE_VALUE, { 1 } };
	char why[8];

	tap_ok(normalize_price(NULL, UNIT_PER_1M, &p, NULL, 0) == 0 && p.kind == PRICE_UNPRICED &&
		   dec_is_zero(p.usd_per_mtok),
	       "NULL price cell is unpriced");
	tap_ok(normalize_price("EUR 1", UNIT_PER_1M, &p, why, sizeof(why)) == -1 &&
		   strcmp(why, "currenc") == 0,
	       "reason cut to the buffer");
	tap_ok(normalize_price("EUR 1", UNIT_PER_1M, &p, NULL, 0) == -1, "NULL reason buffer");
	tap_ok(p.kind == PRICE_UNPRICED && dec_is_zero(p.usd_per_mtok), "failed price is zeroed");
}

static void
test_units(void)
{
	static const char *const names[] = { "per_token", "per_1k", "per_1m", "cents_per_token",
					     "auto" };
	enum price_unit u;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		tap_ok(price_unit_parse(names[i], &u) == 0 && u == (enum price_unit)i &&
			   strcmp(price_unit_name(u), names[i]) == 0,
		       "unit %s round-trips", names[i]);
	tap_ok(price_unit_parse("per_barrel", &u) == -1, "unknown unit name fails");
	tap_ok(price_unit_parse("PER_1M", &u) == -1, "unit names are case-sensitive");
	tap_ok(price_unit_parse(NULL, &u) == -1, "NULL unit name fails");
	tap_str_eq(price_kind_name(PRICE_VALUE), "value", "kind name value");
	tap_str_eq(price_kind_name(PRICE_FREE), "free", "kind name free");
	tap_str_eq(price_kind_name(PRICE_UNPRICED), "unpriced", "kind name unpriced");
	tap_str_eq(price_kind_name(PRICE_DYNAMIC), "dynamic", "kind name dynamic");
}

static void
test_context(void)
{
	char why[256];
	size_t i;

	for (i = 0; i < sizeof(context_cases) / sizeof(context_cases[0]); i++) {
		const struct context_case *c = &context_cases[i];
		int64_t got = -7;
		int rc;

		why[0] = '\0';
		rc = normalize_context(c->text, &got, why, sizeof(why));
		if (c->err == NULL) {
			if (!tap_ok(rc == 0 && got == c->want, "context '%s' = %lld", c->text,
				    (long long)c->want))
				printf("#   rc %d got %lld why '%s'\n", rc, (long long)got, why);
			continue;
		}
		if (!tap_ok(rc == -1 && got == 0 && strstr(why, c->err) != NULL,
			    "context '%s' fails: %s", c->text ? c->text : "(null)", c->err))
			printf("#   rc %d got %lld why '%s'\n", rc, (long long)got, why);
	}
}

static void
test_model(void)
{
	char id[64], variant[32], why[256];
	size_t i;

	for (i = 0; i < sizeof(model_cases) / sizeof(model_cases[0]); i++) {
		const struct model_case *c = &model_cases[i];
		const char *text = c->text ? c->text : "(null)";
		int rc;

		why[0] = '\0';
		rc = normalize_model_id(c->text, id, sizeof(id), variant, sizeof(variant), why,
					sizeof(why));
		if (c->id == NULL) {
			if (!tap_ok(rc == -1 && id[0] == '\0' && strstr(why, c->variant) != NULL,
				    "model '%s' fails: %s", text, c->variant))
				printf("#   rc %d id '%s' why '%s'\n", rc, id, why);
			continue;
		}
		if (tap_ok(rc == 0, "model '%s'", text)) {
			tap_str_eq(id, c->id, "  id");
			tap_str_eq(variant, c->variant, "  variant");
		} else {
			printf("#   why '%s'\n", why);
		}
	}
}

/* Results that do not fit the caller's buffers fail instead of being cut. */
static void
test_model_fit(void)
{
	char id[8], variant[4], why[256];

	tap_ok(normalize_model_id("org/abcdefg", id, sizeof(id), variant, sizeof(variant), why,
				  sizeof(why)) == 0 &&
		   strcmp(id, "abcdefg") == 0,
	       "id exactly fills its buffer");
	tap_ok(normalize_model_id("org/abcdefgh", id, sizeof(id), variant, sizeof(variant), why,
				  sizeof(why)) == -1 &&
		   strstr(why, "too long") != NULL,
	       "id one byte too long fails");
	tap_ok(normalize_model_id("abc:batch", id, sizeof(id), variant, sizeof(variant), why,
				  sizeof(why)) == -1,
	       "variant too long fails");
	tap_ok(normalize_model_id("abc", id, 0, variant, 0, why, sizeof(why)) == -1,
	       "zero-length id buffer fails");
}

int
main(void)
{
	test_price();
	test_price_edges();
	test_units();
	test_context();
	test_model();
	test_model_fit();
	return tap_done();
}
