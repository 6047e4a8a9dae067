/* fuzz_price.c - normalize_price() on arbitrary cell text, under every
 * unit a source file can name; a price that comes out must be in range.
 * The same text as a unit price of every unit dimension (in range too)
 * and as a "prices" key, whose canonical form must be a fixed point. */
#include "fuzz.h"

#include "normalize/normalize.h"

static const enum price_unit units[] = {
	UNIT_PER_TOKEN, UNIT_PER_1K, UNIT_PER_1M, UNIT_CENTS_PER_TOKEN, UNIT_AUTO,
};

/* A key that normalizes once normalizes again to itself. */
static void
fuzz_price_key(const char *text)
{
	char key[RECORD_PRICE_KEY_MAX], again[RECORD_PRICE_KEY_MAX], why[256];
	enum price_per per, per2;

	if (normalize_price_key(text, key, sizeof(key), &per, why, sizeof(why)) != 0)
		return;
	if (normalize_price_key(key, again, sizeof(again), &per2, why, sizeof(why)) != 0 ||
	    strcmp(key, again) != 0 || per != per2)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), why[256], buf[64];
	dec_t max = dec_from_int(PRICE_MAX_USD_PER_MTOK);
	struct price p;
	size_t i;

	if (text == NULL)
		return 0;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (normalize_price(text, units[i], &p, why, sizeof(why)) != 0 ||
		    p.kind != PRICE_VALUE)
			continue;
		if (dec_is_negative(p.usd_per_mtok) || dec_cmp(p.usd_per_mtok, max) > 0)
			abort(); /* documented: negative or too large is an error */
		dec_format(p.usd_per_mtok, buf, sizeof(buf));
	}
	for (i = PER_IMAGE; i <= PER_SEARCH; i++) {
		if (normalize_unit_price(text, (enum price_per)i, &p, why, sizeof(why)) != 0 ||
		    p.kind != PRICE_VALUE)
			continue;
		if (dec_is_negative(p.usd_per_mtok) || dec_cmp(p.usd_per_mtok, max) > 0)
			abort();
	}
	fuzz_price_key(text);
	free(text);
	return 0;
}
