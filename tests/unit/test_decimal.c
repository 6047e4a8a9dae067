/* test_decimal.c - table-driven tests of exact decimal parsing, formatting
 * and checked arithmetic (src/decimal.c). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/decimal.h"
#include "tap.h"

struct parse_case {
	const char *text;
	int shift;
	const char *want; /* dec_format of the result, NULL = must fail */
	const char *err;  /* expected substring of the reason when failing */
};

static const struct parse_case parse_cases[] = {
	{ "0", 0, "0", NULL },
	{ "-0", 0, "0", NULL },
	{ "+0.000", 0, "0", NULL },
	{ "1", 0, "1", NULL },
	{ "-1", 0, "-1", NULL },
	{ "+7", 0, "7", NULL },
	{ "0.10", 0, "0.1", NULL },
	{ ".5", 0, "0.5", NULL },
	{ "0.5", 0, "0.5", NULL },
	{ "-.25", 0, "-0.25", NULL },
	{ "007.500", 0, "7.5", NULL },
	{ "123456789.123456789", 0, "123456789.123456789", NULL },
	{ "0.000000000000000001", 0, "0.000000000000000001", NULL },
	{ "0.0000000000000000010000000", 0, "0.000000000000000001", NULL },
	{ "0.1000000000000000000000000000000000000000000000000", 0, "0.1", NULL },
	{ "0.0000000000000000001", 0, NULL, "too many decimal places" },
	{ "1.0000000000000000001", 0, NULL, "too many decimal places" },
	{ "99999999999999999999.999999999999999999", 0, "99999999999999999999.999999999999999999",
	  NULL },
	{ "-99999999999999999999.999999999999999999", 0, "-99999999999999999999.999999999999999999",
	  NULL },
	{ "100000000000000000000", 0, NULL, "value too large" },
	{ "1180591620717411303424", 0, NULL, "value too large" },
	{ "123456789012345678901234567890123456789012345", 0, NULL, "value too large" },
	{ "1.23456789012345678901234567890123456789012345", 0, NULL, "too many decimal places" },
	{ "1e3", 0, "1000", NULL },
	{ "1E+3", 0, "1000", NULL },
	{ "2.5e-3", 0, "0.0025", NULL },
	{ "1e-18", 0, "0.000000000000000001", NULL },
	{ "1e-19", 0, NULL, "too many decimal places" },
	{ "1e19", 0, "10000000000000000000", NULL },
	{ "1e20", 0, NULL, "value too large" },
	{ "1e309", 0, NULL, "value too large" },
	{ "1e400", 0, NULL, "value too large" },
	{ "1e-400", 0, NULL, "too many decimal places" },
	{ "0e400", 0, "0", NULL },
	{ "1e0400", 0, NULL, "not a number" },
	{ "1e", 0, NULL, "not a number" },
	{ "1e+", 0, NULL, "not a number" },
	{ "", 0, NULL, "not a number" },
	{ "-", 0, NULL, "not a number" },
	{ "+", 0, NULL, "not a number" },
	{ ".", 0, NULL, "not a number" },
	{ "5.", 0, NULL, "not a number" },
	{ "-.", 0, NULL, "not a number" },
	{ "inf", 0, NULL, "not a number" },
	{ "-Infinity", 0, NULL, "not a number" },
	{ "nan", 0, NULL, "not a number" },
	{ "NaN", 0, NULL, "not a number" },
	{ "0x10", 0, NULL, "not a number" },
	{ " 1", 0, NULL, "not a number" },
	{ "1 ", 0, NULL, "not a number" },
	{ "1 000", 0, NULL, "not a number" },
	{ "1,000", 0, NULL, "not a number" },
	{ "1.2.3", 0, NULL, "not a number" },
	{ "--1", 0, NULL, "not a number" },
	{ "1e5.5", 0, NULL, "not a number" },
	{ "\xff", 0, NULL, "not a number: '?'" },
	{ "1\t2", 0, NULL, "not a number: '1?2'" },
	{ "12345678901234567890123456789012345678901234567890x", 0, NULL,
	  "not a number: '1234567890123456789012345678901234567890...'" },
	/* the decimal point moves by shift */
	{ "0.000000027", 6, "0.027", NULL },
	{ "0.0000000208333333333333", 6, "0.0208333333333333", NULL },
	{ "0.0024", 3, "2.4", NULL },
	{ "0.0000027", 4, "0.027", NULL },
	{ "1", -18, "0.000000000000000001", NULL },
	{ "1", -19, NULL, "too many decimal places" },
	{ "0.0000000000000000001", 1, "0.000000000000000001", NULL },
	{ "1", 19, "10000000000000000000", NULL },
	{ "1", 20, NULL, "value too large" },
	{ "0", 1000000, "0", NULL },
	{ "12.5e-2", 2, "12.5", NULL },
};

struct fmt_case {
	__int128 v;
	const char *want;
};

#define ONE ((__int128)1000000000000000000LL)

static const struct fmt_case fmt_cases[] = {
	{ 0, "0" },
	{ 1, "0.000000000000000001" },
	{ -1, "-0.000000000000000001" },
	{ ONE, "1" },
	{ -ONE, "-1" },
	{ ONE / 10, "0.1" },
	{ 12 * ONE + ONE / 4, "12.25" },
	{ -(12 * ONE + ONE / 4), "-12.25" },
	{ ONE * 100, "100" },
};

struct mul_case {
	const char *a;
	int64_t n;
	int div_pow10;
	const char *want; /* NULL = overflow */
};

static const struct mul_case mul_cases[] = {
	{ "0.15", 1000000, 6, "0.15" },
	{ "0.15", 2500000, 6, "0.375" },
	{ "2.4", 1, 0, "2.4" },
	{ "1", 3, 0, "3" },
	{ "-1.5", 3, 0, "-4.5" },
	{ "1.5", -3, 0, "-4.5" },
	{ "-1.5", -3, 0, "4.5" },
	{ "0.000000000000000007", 1, 1, "0" }, /* 0.7e-18 truncates to 0 */
	{ "0.000000000000000019", 1, 1, "0.000000000000000001" },
	{ "-0.000000000000000019", 1, 1, "-0.000000000000000001" },
	{ "99999999999999999999", 1000000, 6, "99999999999999999999" },
	{ "99999999999999999999", INT64_MAX, 30, "922337203.685477580690776627" },
	{ "99999999999999999999", INT64_MAX, 0, NULL },
	{ "171", 1000000000000000000LL, 0, NULL },
	{ "170", 1000000000000000000LL, 0, "170000000000000000000" },
	{ "1", 5, -2, "500" },
	{ "99999999999999999999", 10, -18, NULL },
	{ "123", 7, 60, "0" },
	{ "0", INT64_MIN, -1000, "0" },
};

static void
test_parse(void)
{
	char why[128], got[DEC_STR_MAX];
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		dec_t d = { 0 };
		int rc;

		why[0] = '\0';
		rc = dec_parse(c->text, c->shift, &d, why, sizeof(why));
		if (c->want != NULL) {
			if (!tap_ok(rc == 0, "parse '%s' shift %d", c->text, c->shift))
				printf("#   why: %s\n", why);
			else
				tap_str_eq(dec_format(d, got, sizeof(got)), c->want,
					   "  formats exactly");
			continue;
		}
		if (!tap_ok(rc == -1 && strstr(why, c->err) != NULL,
			    "parse '%s' shift %d fails: %s", c->text, c->shift, c->err))
			printf("#   rc %d why: '%s'\n", rc, why);
	}
}

static void
test_format(void)
{
	char got[DEC_STR_MAX], what[64];
	size_t i;

	for (i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		dec_t d = { fmt_cases[i].v };

		snprintf(what, sizeof(what), "format %s", fmt_cases[i].want);
		tap_str_eq(dec_format(d, got, sizeof(got)), fmt_cases[i].want, what);
	}
}

/* The extremes of the type format within DEC_STR_MAX. */
static void
test_format_extremes(void)
{
	char got[DEC_STR_MAX];
	dec_t max = { (__int128)(((unsigned __int128)1 << 127) - 1) };
	dec_t min = { -max.v - 1 };

	tap_str_eq(dec_format(max, got, sizeof(got)), "170141183460469231731.687303715884105727",
		   "format INT128_MAX");
	tap_str_eq(dec_format(min, got, sizeof(got)), "-170141183460469231731.687303715884105728",
		   "format INT128_MIN");
	tap_str_eq(dec_format(max, got, 8), "1701411", "format truncates to len");
}

static void
test_mul(void)
{
	char got[DEC_STR_MAX];
	size_t i;

	for (i = 0; i < sizeof(mul_cases) / sizeof(mul_cases[0]); i++) {
		const struct mul_case *c = &mul_cases[i];
		dec_t a, r = { 0 };
		int rc;

		if (dec_parse(c->a, 0, &a, NULL, 0) != 0) {
			tap_ok(0, "mul: bad test input '%s'", c->a);
			continue;
		}
		rc = dec_mul_int(a, c->n, c->div_pow10, &r);
		if (c->want == NULL) {
			tap_ok(rc == -1, "%s * %lld / 10^%d overflows", c->a, (long long)c->n,
			       c->div_pow10);
			continue;
		}
		if (tap_ok(rc == 0, "%s * %lld / 10^%d", c->a, (long long)c->n, c->div_pow10))
			tap_str_eq(dec_format(r, got, sizeof(got)), c->want, "  result");
	}
}

static void
test_arith(void)
{
	dec_t max = { (__int128)(((unsigned __int128)1 << 127) - 1) };
	dec_t min = { -max.v - 1 };
	dec_t a = dec_from_int(3), b = dec_from_int(-5), r;
	char got[DEC_STR_MAX];

	tap_str_eq(dec_format(dec_from_int(INT64_MAX), got, sizeof(got)), "9223372036854775807",
		   "from_int INT64_MAX");
	tap_str_eq(dec_format(dec_from_int(INT64_MIN), got, sizeof(got)), "-9223372036854775808",
		   "from_int INT64_MIN");
	tap_ok(dec_add(a, b, &r) == 0 && dec_cmp(r, dec_from_int(-2)) == 0, "3 + -5 = -2");
	tap_ok(dec_sub(a, b, &r) == 0 && dec_cmp(r, dec_from_int(8)) == 0, "3 - -5 = 8");
	tap_ok(dec_add(max, dec_from_int(0), &r) == 0, "max + 0 fits");
	tap_ok(dec_add(max, (dec_t){ 1 }, &r) == -1, "max + tiny overflows");
	tap_ok(dec_sub(min, (dec_t){ 1 }, &r) == -1, "min - tiny overflows");
	tap_ok(dec_sub(dec_from_int(0), min, &r) == -1, "0 - min overflows");
	tap_ok(dec_cmp(a, b) > 0 && dec_cmp(b, a) < 0 && dec_cmp(a, a) == 0, "cmp orders");
	tap_ok(dec_cmp(max, min) > 0, "cmp at the extremes");
	tap_ok(dec_is_zero(dec_from_int(0)) && !dec_is_zero(a), "is_zero");
	tap_ok(dec_is_negative(b) && !dec_is_negative(a) && !dec_is_negative(dec_from_int(0)),
	       "is_negative");
}

/* A reason longer than the caller's buffer is cut, and a NULL buffer is
 * allowed. */
static void
test_why(void)
{
	char why[8];
	dec_t d;

	tap_ok(dec_parse("abc", 0, &d, why, sizeof(why)) == -1 && strlen(why) == 7,
	       "reason truncated to the buffer");
	tap_ok(dec_parse("abc", 0, &d, NULL, 0) == -1, "NULL reason buffer");
	tap_ok(dec_parse(NULL, 0, &d, NULL, 0) == -1, "NULL text fails");
}

int
main(void)
{
	test_parse();
	test_format();
	test_format_extremes();
	test_mul();
	test_arith();
	test_why();
	return tap_done();
}
