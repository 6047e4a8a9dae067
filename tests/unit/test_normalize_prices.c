/* test_normalize_prices.c - table-driven tests of the keys and cells of a
 * pricing row's other prices (src/normalize/normalize_prices.c): every
 * dimension's unit, tiers with > kept apart from >=, windows, labels and
 * hostile text. */
#include <stdio.h>
#include <string.h>

#include "normalize/normalize.h"
#include "tap.h"

#define ERR (-1)

struct key_case {
	const char *key;
	const char *want; /* canonical key, or the reason's substring when err */
	int err;
	enum price_per per;
};

static const struct key_case key_cases[] = {
	{ "cache_write", "cache_write", 0, PER_MTOK_INPUT },
	{ "  batch_output  ", "batch_output", 0, PER_MTOK_OUTPUT },
	{ "input >128K", "input >128000", 0, PER_MTOK_INPUT },
	{ "input >=128K", "input >=128000", 0, PER_MTOK_INPUT },
	{ "input \xe2\x89\xa5"
	  "200,000",
	  "input >=200000", 0, PER_MTOK_INPUT },
	{ "output <=200k", "output <=200000", 0, PER_MTOK_OUTPUT },
	{ "input  16:30-00:30", "input 16:30-00:30", 0, PER_MTOK_INPUT },
	{ "per_image 1024x1024 HD", "per_image 1024x1024 hd", 0, PER_IMAGE },
	{ "cache_write 1h", "cache_write 1h", 0, PER_MTOK_INPUT },
	{ "per_search low", "per_search low", 0, PER_SEARCH },
	{ "per_1k_chars", "per_1k_chars", 0, PER_1K_CHARS },
	{ "per_minute", "per_minute", 0, PER_MINUTE },
	{ "per_hour", "per_hour", 0, PER_HOUR },
	{ "per_second output", "per_second output", 0, PER_SECOND },
	{ "per_request", "per_request", 0, PER_REQUEST },
	{ "inputs", "not a price dimension", ERR, PER_MTOK_INPUT },
	{ "Input", "not a price dimension", ERR, PER_MTOK_INPUT },
	{ "", "not a price dimension", ERR, PER_MTOK_INPUT },
	{ "input >128K >256K", "more than one tier", ERR, PER_MTOK_INPUT },
	{ "input >", "not a tier", ERR, PER_MTOK_INPUT },
	{ "input >lots", "", ERR, PER_MTOK_INPUT },
	{ "input =128K", "is not a tier (>N), a window", ERR, PER_MTOK_INPUT },
	{ "input 25:00-01:00", "is not a tier (>N), a window", ERR, PER_MTOK_INPUT },
	{ "per_image 1024\"x", "is not a tier (>N), a window", ERR, PER_IMAGE },
	{ "per_image aaaaaaaaaaaaaaaaaaaaaaaaa", "is not a tier", ERR, PER_IMAGE },
	{ "per_image a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3", "too long", ERR,
	  PER_IMAGE },
};

struct cell_case {
	const char *text;
	enum price_per per;
	int kind;         /* enum price_kind, or ERR */
	const char *want; /* the value, or the reason's substring */
};

static const struct cell_case cell_cases[] = {
	{ "$0.04", PER_IMAGE, PRICE_VALUE, "0.04" },
	{ "$0.040 / image", PER_IMAGE, PRICE_VALUE, "0.04" },
	{ "0.04 USD per image", PER_IMAGE, PRICE_VALUE, "0.04" },
	{ "$0.35/second", PER_SECOND, PRICE_VALUE, "0.35" },
	{ "$0.0001/s", PER_SECOND, PRICE_VALUE, "0.0001" },
	{ "$0.006 / minute", PER_MINUTE, PRICE_VALUE, "0.006" },
	{ "$0.006/min", PER_MINUTE, PRICE_VALUE, "0.006" },
	{ "$4.50 / hour", PER_HOUR, PRICE_VALUE, "4.5" },
	{ "$15.00 / 1M characters", PER_1K_CHARS, PRICE_VALUE, "0.015" },
	{ "1.5e-05 / character", PER_1K_CHARS, PRICE_VALUE, "0.015" },
	{ "$0.015 per 1K chars", PER_1K_CHARS, PRICE_VALUE, "0.015" },
	{ "0.015", PER_1K_CHARS, PRICE_VALUE, "0.015" },
	{ "$35 / 1,000 requests", PER_REQUEST, PRICE_VALUE, "0.035" },
	{ "$10.00 / 1K calls", PER_SEARCH, PRICE_VALUE, "0.01" },
	{ "$25 per 1000 searches", PER_SEARCH, PRICE_VALUE, "0.025" },
	{ "2 cents per image", PER_IMAGE, PRICE_VALUE, "0.02" },
	{ "0.15000999999999998", PER_IMAGE, PRICE_VALUE, "0.15000999999999998" },
	{ "Free", PER_SEARCH, PRICE_FREE, NULL },
	{ "$0 / image", PER_IMAGE, PRICE_FREE, NULL },
	{ "Contact sales", PER_IMAGE, PRICE_UNPRICED, NULL },
	{ "$0.04 / minute", PER_IMAGE, ERR, "is not a price /image" },
	{ "$0.04 / 1M tokens", PER_IMAGE, ERR, "is not a price /image" },
	{ "$0.04 image", PER_IMAGE, ERR, "is not a price /image" },
	{ "-1", PER_IMAGE, ERR, "negative price" },
	{ "-$0.04", PER_IMAGE, ERR, "negative price" },
	{ "\xe2\x82\xac"
	  "0.04",
	  PER_IMAGE, ERR, "currency" },
	{ "$100001", PER_IMAGE, ERR, "absurd price" },
	{ "lots", PER_IMAGE, ERR, "not a price" },
	{ "$0.04", PER_MTOK_INPUT, ERR, "normalize_price" },
};

static void
test_keys(void)
{
	char out[RECORD_PRICE_KEY_MAX], why[256];
	enum price_per per;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
		const struct key_case *c = &key_cases[i];
		why[0] = '\0';
		per = PER_SEARCH;
		rc = normalize_price_key(c->key, out, sizeof(out), &per, why, sizeof(why));
		if (c->err == ERR) {
			if (!tap_ok(rc == -1 && strstr(why, c->want) != NULL, "key '%s' fails: %s",
				    c->key, c->want))
				printf("#   rc %d out '%s' why '%s'\n", rc, out, why);
			continue;
		}
		if (!tap_ok(rc == 0 && strcmp(out, c->want) == 0 && per == c->per,
			    "key '%s' -> '%s' (%s)", c->key, c->want, price_per_unit(c->per)))
			printf("#   rc %d out '%s' why '%s'\n", rc, out, why);
	}
}

static void
test_cells(void)
{
	char why[256], got[DEC_STR_MAX];
	size_t i;
	int rc, ok;

	for (i = 0; i < sizeof(cell_cases) / sizeof(cell_cases[0]); i++) {
		const struct cell_case *c = &cell_cases[i];
		struct price p = { PRICE_VALUE, { 1 } };
		why[0] = '\0';
		rc = normalize_unit_price(c->text, c->per, &p, why, sizeof(why));
		dec_format(p.usd_per_mtok, got, sizeof(got));
		if (c->kind == ERR)
			ok = rc == -1 && strstr(why, c->want) != NULL && p.kind == PRICE_UNPRICED;
		else if (c->kind == PRICE_VALUE)
			ok = rc == 0 && p.kind == PRICE_VALUE && strcmp(got, c->want) == 0;
		else
			ok = rc == 0 && (int)p.kind == c->kind && dec_is_zero(p.usd_per_mtok);
		if (!tap_ok(ok, "cell '%s' %s -> %s", c->text, price_per_unit(c->per),
			    c->want ? c->want : price_kind_name((enum price_kind)c->kind)))
			printf("#   rc %d kind %s value %s why '%s'\n", rc, price_kind_name(p.kind),
			       got, why);
	}
	tap_ok(normalize_unit_price(NULL, PER_IMAGE, &(struct price){ 0 }, why, sizeof(why)) == 0,
	       "a NULL cell is unpriced");
}

/* Every name of the table looks up to itself and has a unit. */
static void
test_dims(void)
{
	enum price_per per;
	const char *n;
	size_t i;
	int ok = 1;

	for (i = 0; (n = price_dim_name(i)) != NULL; i++)
		ok &= price_dim_lookup(n, strlen(n), &per) == 0 && price_per_unit(per)[0] == 'U';
	tap_ok(ok && i >= 20, "every dimension name (%zu) looks up and has a unit", i);
	tap_ok(price_dim_lookup("input", 4, &per) == -1, "a prefix of a name is not a name");
}

int
main(void)
{
	test_keys();
	test_cells();
	test_dims();
	return tap_done();
}
