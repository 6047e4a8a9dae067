/* fuzz_date.c - normalize_date() on arbitrary text; a date that comes out
 * must be in range, valid for its precision, and format back. */
#include "fuzz.h"

#include "normalize/normalize_facts.h"

static int
date_ok(const struct fact_date *d)
{
	if (d->year < DATE_YEAR_MIN || d->year > DATE_YEAR_MAX)
		return 0;
	switch (d->precision) {
	case DATE_YEAR: return d->month == 0 && d->day == 0;
	case DATE_MONTH: return d->month >= 1 && d->month <= 12 && d->day == 0;
	case DATE_DAY: return d->month >= 1 && d->month <= 12 && d->day >= 1 && d->day <= 31;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), why[256], buf[16];
	struct fact_date d;

	if (text == NULL)
		return 0;
	if (normalize_date(text, &d, why, sizeof(why)) == 0 &&
	    (!date_ok(&d) || fact_date_format(&d, buf, sizeof(buf)) < 0))
		abort();
	free(text);
	return 0;
}
