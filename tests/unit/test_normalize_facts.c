/* test_normalize_facts.c - table-driven tests of the model-card fact
 * normalizers (src/normalize_facts.c), hostile inputs included. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "normalize/normalize_facts.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Hostile bytes used in several tables. */
#define RLM  "\xe2\x80\x8f" /* U+200F RIGHT-TO-LEFT MARK */
#define RLO  "\xe2\x80\xae" /* U+202E RIGHT-TO-LEFT OVERRIDE */
#define ZWSP "\xe2\x80\x8b" /* U+200B ZERO WIDTH SPACE */
#define NBSP "\xc2\xa0"

static const char *
show(const char *s)
{
	return s != NULL ? s : "(null)";
}

/* ---- parameter counts ----------------------------------------------- */

struct params_case {
	const char *text;
	int64_t want;    /* 0 = must fail */
	const char *err; /* reason substring when failing */
};

static const struct params_case params_cases[] = {
	/* as written in model cards, HF and provider pages */
	{ "1.23B", 1230000000LL, NULL },
	{ "405B", 405000000000LL, NULL },
	{ "8B", 8000000000LL, NULL },
	{ "70b", 70000000000LL, NULL },
	{ "1.5T", 1500000000000LL, NULL },
	{ "350M", 350000000LL, NULL },
	{ "350m", 350000000LL, NULL },
	{ "1235814400", 1235814400LL, NULL },
	{ "3212749824", 3212749824LL, NULL },
	{ "1,235,814,400", 1235814400LL, NULL },
	{ "405 billion", 405000000000LL, NULL },
	{ "405 Billion parameters", 405000000000LL, NULL },
	{ "7 billion params", 7000000000LL, NULL },
	{ "3.21 B", 3210000000LL, NULL },
	{ "1.5 trillion", 1500000000000LL, NULL },
	{ "125 million", 125000000LL, NULL },
	{ "7bn", 7000000000LL, NULL },
	{ "0.5B", 500000000LL, NULL },
	{ " 8B" NBSP, 8000000000LL, NULL },
	{ "8x7B", 56000000000LL, NULL },
	{ "8x22B", 176000000000LL, NULL },
	{ "8 x 7B", 56000000000LL, NULL },
	{ "8\xc3\x97"
	  "7B",
	  56000000000LL, NULL }, /* U+00D7 MULTIPLICATION SIGN */
	{ "16x3.8B", 60800000000LL, NULL },
	{ "1000000", 1000000LL, NULL },
	{ "100T", 100000000000000LL, NULL },
	{ "100000000000000", 100000000000000LL, NULL },
	/* refused */
	{ "7.6K", 0, "K is not a parameter count unit: '7.6K'" },
	{ "128k", 0, "K is not a parameter count unit" },
	{ "500 thousand", 0, "K is not a parameter count unit" },
	{ "999999", 0, "under 10^6" },
	{ "8", 0, "under 10^6" },
	{ "0.0001M", 0, "under 10^6" },
	{ "0", 0, "is zero" },
	{ "0B", 0, "is zero" },
	{ "0x7B", 0, "implausible number of experts" },
	{ "2000x7B", 0, "implausible number of experts" },
	{ "99999999999999999999x7B", 0, "implausible number of experts" },
	{ "100000000000001", 0, "over 10^14" },
	{ "101T", 0, "over 10^14" },
	{ "1024x100B", 0, "over 10^14" },
	{ "99999999999999999999999", 0, "value too large" },
	{ "1e9", 0, "not a parameter count: '1e9'" },
	{ "1.2345678901B", 0, "not a whole number" },
	{ "1235814400.5", 0, "not a whole number" },
	{ "1235814400.0", 0, "not a whole number" },
	{ "-8B", 0, "negative parameter count: '-8B'" },
	{ "-1", 0, "negative parameter count" },
	{ "", 0, "empty parameter count" },
	{ " \t\n", 0, "empty parameter count" },
	{ NULL, 0, "empty parameter count" },
	{ "8x", 0, "not a parameter count" },
	{ "x7B", 0, "not a parameter count" },
	{ "B", 0, "not a parameter count" },
	{ "8B-instruct", 0, "not a parameter count" },
	{ "~70B", 0, "not a parameter count" },
	{ "15T+", 0, "not a parameter count" },
	{ "8 B B", 0, "not a parameter count" },
	{ "1,23,5814400", 0, "misplaced thousands separator" },
	{ "1 235 814 400", 0, "not a parameter count" },
	{ "$1", 0, "not a parameter count: '$1'" },
	{ "\"8B\"", 0, "not a parameter count: '\"8B\"'" },
	{ "8B\\", 0, "not a parameter count: '8B\\'" },
	{ "NaN", 0, "not a parameter count" },
	{ "\xff"
	  "8B",
	  0, "invalid UTF-8 in parameter count '?8B'" },
	{ RLM "8B", 0, "not a parameter count: '?8B'" },
	{ "8" RLO "B", 0, "not a parameter count: '8?B'" },
	{ "8\x01"
	  "B",
	  0, "control character in parameter count '8?B'" },
};

static void
test_params(void)
{
	char why[256];
	size_t i;

	for (i = 0; i < N(params_cases); i++) {
		const struct params_case *c = &params_cases[i];
		int64_t got = -7;
		int rc;

		why[0] = '\0';
		rc = normalize_parameters(c->text, &got, why, sizeof(why));
		if (c->err == NULL) {
			if (!tap_ok(rc == 0 && got == c->want, "params '%s' = %lld", c->text,
				    (long long)c->want))
				printf("#   rc %d got %lld why '%s'\n", rc, (long long)got, why);
			continue;
		}
		if (!tap_ok(rc == -1 && got == 0 && strstr(why, c->err) != NULL,
			    "params '%s' fails: %s", show(c->text), c->err))
			printf("#   rc %d got %lld why '%s'\n", rc, (long long)got, why);
	}
}

/* ---- dates ---------------------------------------------------------- */

struct date_case {
	const char *text;
	const char *want; /* fact_date_format of the result; NULL = must fail */
	int precision;
	const char *err;
};

static const struct date_case date_cases[] = {
	{ "2024-09-25", "2024-09-25", DATE_DAY, NULL },
	{ "2024-09-25T18:00:00.000Z", "2024-09-25", DATE_DAY, NULL },
	{ "2024-09-18T15:23:48.000Z", "2024-09-18", DATE_DAY, NULL },
	{ "2024-09-25T23:59:59+05:30", "2024-09-25", DATE_DAY, NULL },
	{ "2024-09-25T00:00-0800", "2024-09-25", DATE_DAY, NULL },
	{ "2024-09-25 18:00:00", "2024-09-25", DATE_DAY, NULL },
	{ "2024-09-25t18:00z", "2024-09-25", DATE_DAY, NULL },
	{ "Sept 25, 2024", "2024-09-25", DATE_DAY, NULL },
	{ "September 25, 2024", "2024-09-25", DATE_DAY, NULL },
	{ "Sep 25 2024", "2024-09-25", DATE_DAY, NULL },
	{ "Sep. 25, 2024", "2024-09-25", DATE_DAY, NULL },
	{ "25 September 2024", "2024-09-25", DATE_DAY, NULL },
	{ "25 Sep 2024", "2024-09-25", DATE_DAY, NULL },
	{ "July 23, 2024.", "2024-07-23", DATE_DAY, NULL },
	{ "Oct 24, 2024", "2024-10-24", DATE_DAY, NULL },
	{ "September 25th, 2024", "2024-09-25", DATE_DAY, NULL },
	{ "1st May 2024", "2024-05-01", DATE_DAY, NULL },
	{ "  MAY  1,  2024 ", "2024-05-01", DATE_DAY, NULL },
	{ "December 2023", "2023-12", DATE_MONTH, NULL },
	{ "Dec 2023", "2023-12", DATE_MONTH, NULL },
	{ "December, 2023", "2023-12", DATE_MONTH, NULL },
	{ "December 2023\\.", NULL, 0, "not a date" }, /* markdown escape kept */
	{ "2023-12", "2023-12", DATE_MONTH, NULL },
	{ "2024", "2024", DATE_YEAR, NULL },
	{ "1990", "1990", DATE_YEAR, NULL },
	{ "2100", "2100", DATE_YEAR, NULL },
	{ "1727222400", "2024-09-25", DATE_DAY, NULL },
	{ "1727308799", "2024-09-25", DATE_DAY, NULL },
	{ "1000000000", "2001-09-09", DATE_DAY, NULL },
	{ "1709164800", "2024-02-29", DATE_DAY, NULL },
	{ "2024-02-29", "2024-02-29", DATE_DAY, NULL },
	{ "2000-02-29", "2000-02-29", DATE_DAY, NULL },
	{ "2023-12-31", "2023-12-31", DATE_DAY, NULL },
	/* calendar and range */
	{ "2023-02-29", NULL, 0, "no such date '2023-02-29'" },
	{ "2100-02-29", NULL, 0, "no such date" },
	{ "2024-04-31", NULL, 0, "no such date" },
	{ "2024-13-01", NULL, 0, "no such date" },
	{ "2024-00", NULL, 0, "no such date" },
	{ "2024-01-00", NULL, 0, "no such date" },
	{ "February 30, 2024", NULL, 0, "no such date" },
	{ "0 May 2024", NULL, 0, "no such date" },
	{ "1989", NULL, 0, "year outside 1990..2100" },
	{ "2101-01-01", NULL, 0, "year outside 1990..2100" },
	{ "May 1, 0024", NULL, 0, "year outside" },
	{ "9999999999", NULL, 0, "year outside" },
	{ "0000000000", NULL, 0, "year outside" },
	/* not dates */
	{ "172722240", NULL, 0, "not a date" },
	{ "1727222400000", NULL, 0, "not a date" },
	{ "20240925", NULL, 0, "not a date" },
	{ "25/09/2024", NULL, 0, "not a date" },
	{ "09/25/2024", NULL, 0, "not a date" },
	{ "2024-9-25", NULL, 0, "not a date" },
	{ "2024-09-25T25:00:00Z", NULL, 0, "not a date" },
	{ "2024-09-25T18:00:00Zjunk", NULL, 0, "not a date" },
	{ "2024-09-25T", NULL, 0, "not a date" },
	{ "2024-", NULL, 0, "not a date" },
	{ "2024 December", NULL, 0, "not a date" },
	{ "Sept 25", NULL, 0, "not a date" },
	{ "Septembre 25, 2024", NULL, 0, "not a date" },
	{ "25th", NULL, 0, "not a date" },
	{ "Sep 25, 2024, 10:00", NULL, 0, "not a date" },
	{ "Sep 2024th", NULL, 0, "not a date" },
	{ "Sep 25xx 2024", NULL, 0, "not a date" },
	{ "Sep 123 2024", NULL, 0, "not a date" },
	{ "Sep,,25 2024", NULL, 0, "not a date" },
	{ "Sep 25 2024,", NULL, 0, "not a date" },
	{ "yesterday", NULL, 0, "not a date: 'yesterday'" },
	{ "-2024", NULL, 0, "not a date" },
	{ "", NULL, 0, "empty date" },
	{ NULL, NULL, 0, "empty date" },
	{ "2024\xff", NULL, 0, "invalid UTF-8 in date '2024?'" },
	{ RLM "2024-09-25", NULL, 0, "not a date: '?2024-09-25'" },
	{ "'2024-09-25'", NULL, 0, "not a date" },
	{ "2024-09-25\\n", NULL, 0, "not a date" },
};

static void
test_dates(void)
{
	char why[256], buf[16];
	size_t i;

	for (i = 0; i < N(date_cases); i++) {
		const struct date_case *c = &date_cases[i];
		struct fact_date d = { 7, 7, 7, DATE_YEAR };
		int rc, n;

		why[0] = '\0';
		rc = normalize_date(c->text, &d, why, sizeof(why));
		if (c->want == NULL) {
			if (!tap_ok(rc == -1 && d.year == 0 && d.month == 0 && d.day == 0 &&
					strstr(why, c->err) != NULL,
				    "date '%s' fails: %s", show(c->text), c->err))
				printf("#   rc %d why '%s'\n", rc, why);
			continue;
		}
		n = rc == 0 ? fact_date_format(&d, buf, sizeof(buf)) : -1;
		if (!tap_ok(rc == 0 && (int)d.precision == c->precision &&
				n == (int)strlen(c->want) && strcmp(buf, c->want) == 0,
			    "date '%s' = %s", c->text, c->want))
			printf("#   rc %d precision %d got '%s' why '%s'\n", rc, (int)d.precision,
			       n >= 0 ? buf : "", why);
	}
}

/* The fields below the precision are zero; formatting checks its input. */
static void
test_date_edges(void)
{
	struct fact_date d;
	char buf[16];

	tap_ok(normalize_date("December 2023", &d, NULL, 0) == 0 && d.year == 2023 &&
		   d.month == 12 && d.day == 0,
	       "month precision has day 0 (NULL why)");
	tap_ok(normalize_date("2024", &d, NULL, 0) == 0 && d.month == 0 && d.day == 0,
	       "year precision has month and day 0");
	d = (struct fact_date){ 2024, 9, 25, DATE_DAY };
	tap_ok(fact_date_format(&d, buf, 11) == 10 && strcmp(buf, "2024-09-25") == 0,
	       "format fits exactly");
	tap_ok(fact_date_format(&d, buf, 10) == -1 && buf[0] == '\0',
	       "format one byte short fails");
	tap_ok(fact_date_format(&d, buf, 0) == -1, "format into no buffer fails");
	d = (struct fact_date){ 2023, 2, 29, DATE_DAY };
	tap_ok(fact_date_format(&d, buf, sizeof(buf)) == -1 && buf[0] == '\0',
	       "format refuses 2023-02-29");
	d = (struct fact_date){ 2023, 2, 29, DATE_MONTH };
	tap_ok(fact_date_format(&d, buf, sizeof(buf)) == 7 && strcmp(buf, "2023-02") == 0,
	       "format ignores fields below the precision");
	d = (struct fact_date){ 2024, 1, 1, (enum date_precision)9 };
	tap_ok(fact_date_format(&d, buf, sizeof(buf)) == -1, "format refuses a bad precision");
	tap_ok(fact_date_format(NULL, buf, sizeof(buf)) == -1, "format refuses NULL");
}

/* ---- licenses ------------------------------------------------------- */

struct license_case {
	const char *text;
	const char *id;   /* NULL = must fail */
	const char *name; /* or the reason substring */
};

static const struct license_case license_cases[] = {
	{ "llama3.2", "llama-3.2-community", "Llama 3.2 Community" },
	{ "llama3.1", "llama-3.1-community", "Llama 3.1 Community" },
	{ "llama3", "llama-3-community", "Llama 3 Community" },
	{ "llama3.3", "llama-3.3-community", "Llama 3.3 Community" },
	{ "llama2", "llama-2-community", "Llama 2 Community" },
	{ "Llama 3.2 Community License", "llama-3.2-community", "Llama 3.2 Community" },
	{ "Llama 3 Community", "llama-3-community", "Llama 3 Community" },
	{ "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT", "llama-3.1-community", "Llama 3.1 Community" },
	{ "  llama-3.2\t", "llama-3.2-community", "Llama 3.2 Community" },
	{ "Meta Llama 3 Community License", "llama-3-community", "Llama 3 Community" },
	{ "apache-2.0", "apache-2.0", "Apache 2.0" },
	{ "Apache 2.0", "apache-2.0", "Apache 2.0" },
	{ "Apache License 2.0", "apache-2.0", "Apache 2.0" },
	{ "Apache License, Version 2.0", "apache-2.0", "Apache 2.0" },
	{ "mit", "mit", "MIT" },
	{ "MIT License", "mit", "MIT" },
	{ "cc-by-4.0", "cc-by-4.0", "CC BY 4.0" },
	{ "CC BY 4.0", "cc-by-4.0", "CC BY 4.0" },
	{ "cc-by-nc-4.0", "cc-by-nc-4.0", "CC BY-NC 4.0" },
	{ "gemma", "gemma", "Gemma Terms of Use" },
	{ "other", "other", "Other" },
	{ "proprietary", "proprietary", "Proprietary" },
	{ "Proprietary", "proprietary", "Proprietary" },
	{ RLM "mit" ZWSP, "mit", "MIT" },
	{ "llama3.4", NULL, "unknown license 'llama3.4'" },
	{ "llama", NULL, "unknown license" },
	{ "GPL-3.0", NULL, "unknown license 'GPL-3.0'" },
	{ "mit!", NULL, "unknown license" },
	{ "\"mit\"", NULL, "unknown license '\"mit\"'" },
	{ "$1", NULL, "unknown license '$1'" },
	{ "mit\\", NULL, "unknown license 'mit\\'" },
	{ "A custom commercial license, the Llama 3.1 Community License", NULL,
	  "unknown license 'A custom commercial license, the Llama 3...'" },
	{ "", NULL, "empty license" },
	{ " ", NULL, "empty license" },
	{ NULL, NULL, "empty license" },
	{ "mit\xff", NULL, "invalid UTF-8 in license 'mit?'" },
	{ "m\x1bit", NULL, "control character in license 'm?it'" },
};

static void
test_licenses(void)
{
	char id[32], name[48], why[256];
	size_t i;

	for (i = 0; i < N(license_cases); i++) {
		const struct license_case *c = &license_cases[i];
		int rc;

		why[0] = '\0';
		rc = normalize_license(c->text, id, sizeof(id), name, sizeof(name), why,
				       sizeof(why));
		if (c->id == NULL) {
			if (!tap_ok(rc == -1 && id[0] == '\0' && name[0] == '\0' &&
					strstr(why, c->name) != NULL,
				    "license '%s' fails: %s", show(c->text), c->name))
				printf("#   rc %d id '%s' why '%s'\n", rc, id, why);
			continue;
		}
		if (!tap_ok(rc == 0 && strcmp(id, c->id) == 0 && strcmp(name, c->name) == 0,
			    "license '%s' = %s", c->text, c->id))
			printf("#   rc %d id '%s' name '%s' why '%s'\n", rc, id, name, why);
	}
}

static void
test_license_fit(void)
{
	char id[20], name[32], why[64];

	tap_ok(normalize_license("llama3.2", id, 20, name, sizeof(name), why, sizeof(why)) == 0,
	       "license id exactly fills its buffer");
	tap_ok(normalize_license("llama3.2", id, 19, name, sizeof(name), why, sizeof(why)) == -1 &&
		   id[0] == '\0' && strstr(why, "does not fit") != NULL,
	       "license id one byte short fails");
	tap_ok(normalize_license("gemma", id, sizeof(id), name, 8, NULL, 0) == -1 && id[0] == '\0',
	       "license name too long fails, NULL why");
	tap_ok(normalize_license("mit", id, 0, name, 0, why, sizeof(why)) == -1,
	       "license into zero-length buffers fails");
}

/* ---- scores --------------------------------------------------------- */

struct score_case {
	const char *text;
	const char *want; /* dec_format of the score; NULL = must fail */
	const char *err;
};

static const struct score_case score_cases[] = {
	{ "88.6", "88.6", NULL },
	{ "88.6%", "88.6", NULL },
	{ "88.6 %", "88.6", NULL },
	{ " 54.2 ", "54.2", NULL },
	{ "0.886", "0.886", NULL },
	{ "58", "58", NULL },
	{ "0", "0", NULL },
	{ "0.0", "0", NULL },
	{ "100", "100", NULL },
	{ "100.00", "100", NULL },
	{ ".5", "0.5", NULL },
	{ "1,287", "1287", NULL },
	{ "100000", "100000", NULL },
	{ NBSP "62.12" NBSP, "62.12", NULL },
	{ "0.000000000000000001", "0.000000000000000001", NULL },
	{ "100000.01", NULL, "score '100000.01' is over 100000" },
	{ "1e3", NULL, "not a score: '1e3'" },
	{ "-1", NULL, "negative score: '-1'" },
	{ "-0", NULL, "negative score" },
	{ "-88.6%", NULL, "negative score" },
	{ "-", NULL, "no score: '-'" },
	{ "\xe2\x80\x94", NULL, "no score" },
	{ "N/A", NULL, "no score: 'N/A'" },
	{ "NaN", NULL, "not a score: 'NaN'" },
	{ "inf", NULL, "not a score" },
	{ "+5", NULL, "not a score" },
	{ "88.6%%", NULL, "not a score" },
	{ "%88.6", NULL, "not a score" },
	{ "88.6 \xc2\xb1 0.3", NULL, "not a score" },
	{ "88,6", NULL, "misplaced thousands separator" },
	{ "5.", NULL, "not a number" },
	{ "1.2.3", NULL, "not a number" },
	{ "0.0000000000000000001", NULL, "too many decimal places" },
	{ "99999999999999999999999999", NULL, "value too large" },
	{ "", NULL, "empty score" },
	{ NULL, NULL, "empty score" },
	{ "$1", NULL, "not a score: '$1'" },
	{ "\"88.6\"", NULL, "not a score" },
	{ "88.6\\", NULL, "not a score" },
	{ "\xff", NULL, "invalid UTF-8 in score '?'" },
	{ RLO "6.88", NULL, "not a score: '?6.88'" },
};

static void
test_scores(void)
{
	char why[256], got[DEC_STR_MAX];
	size_t i;

	for (i = 0; i < N(score_cases); i++) {
		const struct score_case *c = &score_cases[i];
		dec_t v = { 7 };
		int rc;

		why[0] = '\0';
		rc = normalize_score(c->text, &v, why, sizeof(why));
		dec_format(v, got, sizeof(got));
		if (c->want == NULL) {
			if (!tap_ok(rc == -1 && dec_is_zero(v) && strstr(why, c->err) != NULL,
				    "score '%s' fails: %s", show(c->text), c->err))
				printf("#   rc %d got %s why '%s'\n", rc, got, why);
			continue;
		}
		if (!tap_ok(rc == 0 && strcmp(got, c->want) == 0, "score '%s' = %s", c->text,
			    c->want))
			printf("#   rc %d got %s why '%s'\n", rc, got, why);
	}
}

/* ---- flags ---------------------------------------------------------- */

struct flag_case {
	const char *text;
	int want; /* 1, 0, or -1 = must fail */
};

static const struct flag_case flag_cases[] = {
	{ "yes", 1 },
	{ "Yes", 1 },
	{ "YES", 1 },
	{ "no", 0 },
	{ "No", 0 },
	{ "true", 1 },
	{ "False", 0 },
	{ "\xe2\x9c\x93", 1 },             /* U+2713 */
	{ "\xe2\x9c\x94", 1 },             /* U+2714 */
	{ "\xe2\x9c\x94\xef\xb8\x8f", 1 }, /* U+2714 U+FE0F */
	{ "\xe2\x9c\x85", 1 },             /* U+2705 */
	{ "\xe2\x9c\x97", 0 },             /* U+2717 */
	{ "\xe2\x9c\x98", 0 },             /* U+2718 */
	{ "\xe2\x9d\x8c", 0 },             /* U+274C */
	{ "Supported", 1 },
	{ "Not supported", 0 },
	{ "not  SUPPORTED", 0 },
	{ "Unsupported", 0 },
	{ "1", 1 },
	{ "0", 0 },
	{ "Y", 1 },
	{ "n", 0 },
	{ " yes" NBSP, 1 },
	{ RLM "yes", 1 },
	{ "yes!", -1 },
	{ "yess", -1 },
	{ "2", -1 },
	{ "-1", -1 },
	{ "maybe", -1 },
	{ "partial", -1 },
	{ "yes/no", -1 },
	{ "", -1 },
	{ NULL, -1 },
	{ "\xff", -1 },
	{ "\"yes\"", -1 },
	{ "$1", -1 },
	{ "\\1", -1 },
};

static void
test_flags(void)
{
	char why[256];
	size_t i;

	for (i = 0; i < N(flag_cases); i++) {
		const struct flag_case *c = &flag_cases[i];
		int got = 7, rc;

		why[0] = '\0';
		rc = normalize_flag(c->text, &got, why, sizeof(why));
		if (c->want < 0) {
			if (!tap_ok(rc == -1 && got == 0 && why[0] != '\0', "flag '%s' fails",
				    show(c->text)))
				printf("#   rc %d got %d why '%s'\n", rc, got, why);
			continue;
		}
		if (!tap_ok(rc == 0 && got == c->want, "flag '%s' = %d", c->text, c->want))
			printf("#   rc %d got %d why '%s'\n", rc, got, why);
	}
	tap_ok(normalize_flag("perhaps", &(int){ 0 }, why, sizeof(why)) == -1 &&
		   strcmp(why, "not a yes/no flag: 'perhaps'") == 0,
	       "flag reason quotes the text");
}

/* ---- benchmark names ------------------------------------------------ */

struct bench_case {
	const char *text;
	const char *id;   /* NULL = must fail */
	const char *name; /* or the reason substring */
};

#define MMLU_NAME "Massive Multitask Language Understanding"
#define ARC_NAME  "AI2 Reasoning Challenge (Challenge Set)"

static const struct bench_case bench_cases[] = {
	{ "MMLU", "mmlu", MMLU_NAME },
	{ "mmlu", "mmlu", MMLU_NAME },
	{ "MMLU (5-shot)", "mmlu", MMLU_NAME },
	{ "MMLU (0-shot, CoT)", "mmlu", MMLU_NAME },
	{ "MMLU (CoT)", "mmlu", MMLU_NAME },
	{ "MMLU (5-shot, macro_avg/acc)", "mmlu", MMLU_NAME },
	{ "Massive Multitask Language Understanding", "mmlu", MMLU_NAME },
	{ "MMLU-Pro (CoT)", "mmlu-pro", "MMLU-Pro" },
	{ "MMLU Pro", "mmlu-pro", "MMLU-Pro" },
	{ "GPQA", "gpqa", "Graduate-Level Google-Proof Q&A" },
	{ "GSM8K (CoT)", "gsm8k", "Grade School Math 8K" },
	{ "GSM-8K (CoT)", "gsm8k", "Grade School Math 8K" },
	{ "HumanEval", "humaneval", "HumanEval" },
	{ "Human-Eval (0-shot)", "humaneval", "HumanEval" },
	{ "MATH (CoT)", "math", "MATH" },
	{ "ARC-Challenge", "arc-challenge", ARC_NAME },
	{ "ARC-C", "arc-challenge", ARC_NAME },
	{ "ARC Challenge (25-shot)", "arc-challenge", ARC_NAME },
	{ "IFEval", "ifeval", "Instruction-Following Eval" },
	{ "Hellaswag", "hellaswag", "HellaSwag" },
	{ "HellaSwag (10-shot)", "hellaswag", "HellaSwag" },
	{ "MBPP", "mbpp", "Mostly Basic Python Problems" },
	{ "MMLU (Zero-Shot) (CoT)", "mmlu", MMLU_NAME },
	{ RLM "MMLU" ZWSP, "mmlu", MMLU_NAME },
	/* unknown: a slug and the trimmed text */
	{ "Nexus (0-shot)", "nexus", "Nexus" },
	{ "  AGIEval   English ", "agieval-english", "AGIEval English" },
	{ "BIG-Bench Hard (CoT)", "big-bench-hard", "BIG-Bench Hard" },
	{ "QuAC (F1)", "quac-f1", "QuAC (F1)" },
	{ "Multipl-E HumanEval", "multipl-e-humaneval", "Multipl-E HumanEval" },
	{ "MBPP ++ base version", "mbpp-plus-plus-base-version", "MBPP ++ base version" },
	{ "MBPP+", "mbpp-plus", "MBPP+" },
	{ "GPQA Diamond", "gpqa-diamond", "GPQA Diamond" },
	{ "Gorilla Benchmark API Bench", "gorilla-benchmark-api-bench",
	  "Gorilla Benchmark API Bench" },
	{ "TriviaQA-Wiki", "triviaqa-wiki", "TriviaQA-Wiki" },
	{ "Function calling", "function-calling", "Function calling" },
	{ "MMLU (cotton)", "mmlu-cotton", "MMLU (cotton)" },
	{ "MMLU (5-shot", "mmlu-5-shot", "MMLU (5-shot" },
	{ "MMLU 5-shot)", "mmlu-5-shot", "MMLU 5-shot)" },
	{ "Mod\xc3\xa8le test", "mod-le-test", "Mod\xc3\xa8le test" },
	{ "$1 \"bench\"", "1-bench", "$1 \"bench\"" },
	{ "back\\slash", "back-slash", "back\\slash" },
	{ "(5-shot)", NULL, "empty benchmark name '(5-shot)'" },
	{ "(\xe2\x9c\xa8)", NULL, "has no letters or digits" },
	{ "---", NULL, "has no letters or digits" },
	{ "", NULL, "empty benchmark name" },
	{ NULL, NULL, "empty benchmark name" },
	{ "MMLU\xff", NULL, "invalid UTF-8 in benchmark name 'MMLU?'" },
	{ "MM\x07LU", NULL, "control character" },
};

static void
test_benchmarks(void)
{
	char id[64], name[64], why[256];
	size_t i;

	for (i = 0; i < N(bench_cases); i++) {
		const struct bench_case *c = &bench_cases[i];
		int rc;

		why[0] = '\0';
		rc = normalize_benchmark_id(c->text, id, sizeof(id), name, sizeof(name), why,
					    sizeof(why));
		if (c->id == NULL) {
			if (!tap_ok(rc == -1 && id[0] == '\0' && name[0] == '\0' &&
					strstr(why, c->name) != NULL,
				    "benchmark '%s' fails: %s", show(c->text), c->name))
				printf("#   rc %d id '%s' why '%s'\n", rc, id, why);
			continue;
		}
		if (!tap_ok(rc == 0 && strcmp(id, c->id) == 0 && strcmp(name, c->name) == 0,
			    "benchmark '%s' = %s", c->text, c->id))
			printf("#   rc %d id '%s' name '%s' why '%s'\n", rc, id, name, why);
	}
}

/* Results that do not fit the caller's buffers fail instead of being cut. */
static void
test_benchmark_fit(void)
{
	char id[8], name[64], why[256];
	char big[300];

	tap_ok(normalize_benchmark_id("abc def", id, sizeof(id), name, sizeof(name), why,
				      sizeof(why)) == 0 &&
		   strcmp(id, "abc-def") == 0,
	       "slug exactly fills its buffer");
	tap_ok(normalize_benchmark_id("abc defg", id, sizeof(id), name, sizeof(name), why,
				      sizeof(why)) == -1 &&
		   id[0] == '\0' && name[0] == '\0' && strstr(why, "too long") != NULL,
	       "slug one byte too long fails");
	tap_ok(normalize_benchmark_id("abc", id, sizeof(id), name, 3, why, sizeof(why)) == -1 &&
		   id[0] == '\0',
	       "name one byte too long fails");
	tap_ok(normalize_benchmark_id("MMLU", id, sizeof(id), name, 16, NULL, 0) == -1,
	       "known name too long fails, NULL why");
	tap_ok(normalize_benchmark_id("abc", id, 0, name, sizeof(name), why, sizeof(why)) == -1,
	       "zero-length id buffer fails");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	tap_ok(normalize_benchmark_id(big, id, sizeof(id), name, sizeof(name), why, sizeof(why)) ==
		       -1 &&
		   strstr(why, "benchmark name too long: 'aaaa") != NULL &&
		   strstr(why, "...'") != NULL,
	       "300-byte name is refused, reason cut");
	tap_ok(normalize_parameters(big, &(int64_t){ 0 }, why, 8) == -1 && strlen(why) == 7,
	       "reason cut to the buffer");
}

int
main(void)
{
	test_params();
	test_dates();
	test_date_edges();
	test_licenses();
	test_license_fit();
	test_scores();
	test_flags();
	test_benchmarks();
	test_benchmark_fit();
	return tap_done();
}
