/* normalize_facts.c - pure functions turning model-card text into typed
 * facts: parameter counts, dates, licenses, benchmark scores and names,
 * capability flags. The rules are described in docs/normalization.md. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "normalize/normalize_facts.h"
#include "core/text.h"
#include "core/err.h"

/* Longest cell accepted, in bytes after folding. */
#define FACT_TEXT_MAX 256
/* Bytes of a cell quoted in a reason, and the buffer that holds them. */
#define FACT_QUOTE_MAX 40
#define FACT_QUOTE_BUF (FACT_QUOTE_MAX + 4)
#define SEC_PER_DAY    86400LL

/* A cell ready to scan: quoted for reasons, and folded. */
struct fact_text {
	char q[FACT_QUOTE_BUF];
	char s[FACT_TEXT_MAX];
};

/* ---- text helpers --------------------------------------------------- */

static bool
fact_has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	}
	return false;
}

/* Quote, validate and fold a cell; what names it in reasons. */
static int
fact_prepare(const char *text, int how, const char *what, struct fact_text *ft, char *why,
	     size_t whylen)
{
	if (text == NULL)
		text = "";
	text_quote(text, ft->q, FACT_QUOTE_MAX, true);
	ft->s[0] = '\0';
	if (!text_utf8_valid(text)) {
		lr_why(why, whylen, "invalid UTF-8 in %s '%s'", what, ft->q);
		return -1;
	}
	if (text_fold(text, how, ft->s, sizeof(ft->s)) != 0) {
		lr_why(why, whylen, "%s too long: '%s'", what, ft->q);
		return -1;
	}
	if (ft->s[0] == '\0') {
		lr_why(why, whylen, "empty %s", what);
		return -1;
	}
	if (fact_has_control(ft->s)) {
		lr_why(why, whylen, "control character in %s '%s'", what, ft->q);
		return -1;
	}
	return 0;
}

/* Lookup key of folded text: ASCII lower case, without ' ', '-', '_' and
 * ','. key has FACT_TEXT_MAX bytes. */
static void
fact_key(const char *s, char *key)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s != ' ' && *s != '-' && *s != '_' && *s != ',')
			key[n++] = text_lower(*s);
	}
	key[n] = '\0';
}

/* Copy a result into a caller's buffer; -1 (and empty) if it does not fit. */
static int
fact_put(char *dst, size_t dstlen, const char *src)
{
	if (lr_strlcpy(dst, src, dstlen) == 0)
		return 0;
	if (dstlen > 0)
		dst[0] = '\0';
	return -1;
}

/* ---- parameter counts ----------------------------------------------- */

struct params_text {
	char num[FACT_TEXT_MAX]; /* the size, separators removed */
	int64_t experts;         /* "8x7B": 8; 1 if none */
	int shift;               /* power of ten of the unit */
	const char *bad;
};

/* "8x", "8 x ", "8×" before a size: the number of experts. */
static const char *
params_scan_experts(const char *p, int64_t *experts)
{
	const char *q = p;
	int64_t n = 0;

	*experts = 1;
	for (; text_isdigit(*q); q++) {
		if (n <= PARAMS_MAX_EXPERTS)
			n = n * 10 + (*q - '0');
	}
	if (q == p)
		return p;
	q = text_skip_space(q);
	if (*q == 'x')
		q++;
	else if (strncmp(q, "\xc3\x97", 2) == 0)
		q += 2;
	else
		return p;
	q = text_skip_space(q);
	if (!text_isdigit(*q))
		return p;
	*experts = n;
	return q;
}

/* "B", "billion", "M", "T" ... after the size; "K" is refused. */
static int
params_scan_unit(const char **pp, struct params_text *pt)
{
	static const struct {
		const char *w;
		int shift;
	} units[] = {
		{ "thousand", -1 }, { "k", -1 }, { "million", 6 },   { "m", 6 },  { "billion", 9 },
		{ "bn", 9 },        { "b", 9 },  { "trillion", 12 }, { "t", 12 },
	};
	size_t i;

	pt->shift = 0;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!text_eat_word(pp, units[i].w))
			continue;
		if (units[i].shift < 0) {
			pt->bad = "K is not a parameter count unit";
			return -1;
		}
		pt->shift = units[i].shift;
		break;
	}
	return 0;
}

/* [experts x] number [unit] [params | parameters] */
static int
params_scan(const char *folded, struct params_text *pt)
{
	const char *p = folded;

	pt->bad = "not a parameter count";
	if (*p == '-') {
		pt->bad = "negative parameter count";
		return -1;
	}
	p = params_scan_experts(p, &pt->experts);
	if (text_scan_number(&p, pt->num, false, &pt->bad) != 0)
		return -1;
	p = text_skip_space(p);
	if (params_scan_unit(&p, pt) != 0)
		return -1;
	p = text_skip_space(p);
	if (!text_eat_word(&p, "parameters"))
		text_eat_word(&p, "params");
	return *p == '\0' ? 0 : -1;
}

/* size * 10^shift * experts, whole and within the plausible range. */
static int
params_value(const struct params_text *pt, const char *q, int64_t *out, char *why, size_t whylen)
{
	const __int128 one = dec_from_int(1).v;
	const char *bad;
	char dwhy[96];
	__int128 n;
	dec_t v;

	if (pt->shift == 0 && strchr(pt->num, '.') != NULL)
		goto fail_whole;
	if (dec_parse(pt->num, pt->shift, &v, dwhy, sizeof(dwhy)) != 0) {
		lr_why(why, whylen, "parameter count '%s': %s", q, dwhy);
		return -1;
	}
	if (v.v % one != 0)
		goto fail_whole;
	if (pt->experts < 1 || pt->experts > PARAMS_MAX_EXPERTS) {
		lr_why(why, whylen, "implausible number of experts in '%s'", q);
		return -1;
	}
	n = v.v / one;
	bad = n == 0 ? "zero" : n > PARAMS_MAX_COUNT / pt->experts ? "over 10^14" : NULL;
	if (bad == NULL && n * pt->experts < PARAMS_MIN_COUNT)
		bad = "under 10^6";
	if (bad != NULL) {
		lr_why(why, whylen, "parameter count '%s' is %s", q, bad);
		return -1;
	}
	*out = (int64_t)(n * pt->experts);
	return 0;
fail_whole:
	lr_why(why, whylen, "parameter count '%s' is not a whole number", q);
	return -1;
}

int
normalize_parameters(const char *text, int64_t *out, char *why, size_t whylen)
{
	struct params_text pt;
	struct fact_text ft;

	*out = 0;
	if (fact_prepare(text, TEXT_FOLD_LOWER, "parameter count", &ft, why, whylen) != 0)
		return -1;
	memset(&pt, 0, sizeof(pt));
	if (params_scan(ft.s, &pt) != 0) {
		lr_why(why, whylen, "%s: '%s'", pt.bad, ft.q);
		return -1;
	}
	return params_value(&pt, ft.q, out, why, whylen);
}

/* ---- dates ---------------------------------------------------------- */

static bool
date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
date_days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

/* The fields that the precision covers form a real date in range. */
static bool
date_valid(const struct fact_date *d)
{
	if ((unsigned)d->precision > DATE_YEAR || d->year < DATE_YEAR_MIN ||
	    d->year > DATE_YEAR_MAX)
		return false;
	if (d->precision == DATE_YEAR)
		return true;
	if (d->month < 1 || d->month > 12)
		return false;
	return d->precision == DATE_MONTH ||
	       (d->day >= 1 && d->day <= date_days_in_month(d->year, d->month));
}

/* Set *out, then check it: -1 with a reason if it is not a real date. */
static int
date_set(struct fact_date *out, int y, int m, int d, const char *q, char *why, size_t whylen)
{
	out->year = y;
	out->month = out->precision == DATE_YEAR ? 0 : m;
	out->day = out->precision == DATE_DAY ? d : 0;
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX) {
		lr_why(why, whylen, "year outside %d..%d in '%s'", DATE_YEAR_MIN, DATE_YEAR_MAX, q);
		return -1;
	}
	if (!date_valid(out)) {
		lr_why(why, whylen, "no such date '%s'", q);
		return -1;
	}
	return 0;
}

/* The value of the n digits at p, or -1 if they are not all digits. */
static int
date_digits(const char *p, int n)
{
	int v = 0;

	for (; n > 0; n--, p++) {
		if (!text_isdigit(*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

/* "hh:mm[:ss[.frac]][z|+hh[:]mm|-hh[:]mm]" after the 't' or ' '. */
static bool
date_time_ok(const char *p)
{
	if ((*p != 't' && *p != ' ') || date_digits(p + 1, 2) < 0 || date_digits(p + 1, 2) > 23 ||
	    p[3] != ':' || date_digits(p + 4, 2) < 0 || date_digits(p + 4, 2) > 59)
		return false;
	p += 6;
	if (*p == ':') {
		if (date_digits(p + 1, 2) < 0 || date_digits(p + 1, 2) > 60)
			return false;
		p += 3;
		if (*p == '.' && !text_isdigit(*++p))
			return false;
		while (text_isdigit(*p))
			p++;
	}
	if (*p == 'z')
		return p[1] == '\0';
	if (*p != '+' && *p != '-')
		return *p == '\0';
	if (date_digits(p + 1, 2) < 0 || date_digits(p + 1, 2) > 23)
		return false;
	p += p[3] == ':' ? 4 : 3;
	return date_digits(p, 2) >= 0 && date_digits(p, 2) <= 59 && p[2] == '\0';
}

/* "YYYY-MM", "YYYY-MM-DD", "YYYY-MM-DDThh:mm..." */
static int
date_iso(const char *s, const char *q, struct fact_date *out, char *why, size_t whylen)
{
	int y = date_digits(s, 4), m = date_digits(s + 5, 2), d = -1;

	if (m < 0 || s[4] != '-')
		goto fail;
	out->precision = DATE_MONTH;
	if (s[7] != '\0') {
		d = s[7] == '-' ? date_digits(s + 8, 2) : -1;
		if (d < 0 || (s[10] != '\0' && !date_time_ok(s + 10)))
			goto fail;
		out->precision = DATE_DAY;
	}
	return date_set(out, y, m, d, q, why, whylen);
fail:
	lr_why(why, whylen, "not a date: '%s'", q);
	return -1;
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void
date_from_days(long long z, int *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* All digits: "2024" (a year) or 10 digits of unix seconds. */
static int
date_numeric(const char *s, const char *q, struct fact_date *out, char *why, size_t whylen)
{
	size_t n = strlen(s), i;
	long long secs = 0;
	int y, m, d;

	if (n == 4) {
		out->precision = DATE_YEAR;
		return date_set(out, date_digits(s, 4), 0, 0, q, why, whylen);
	}
	if (n != 10) {
		lr_why(why, whylen, "not a date: '%s'", q);
		return -1;
	}
	for (i = 0; i < n; i++)
		secs = secs * 10 + (s[i] - '0');
	date_from_days(secs / SEC_PER_DAY, &y, &m, &d);
	out->precision = DATE_DAY;
	return date_set(out, y, m, d, q, why, whylen);
}

/* One word or number of a written date. */
struct date_tok {
	bool word;
	int len;   /* digits of a number */
	int value; /* the number, or the month of a word */
	bool ordinal;
};

/* A month name or abbreviation at p (len letters); 0 if none. */
static int
date_month(const char *p, size_t len)
{
	static const struct {
		const char *w;
		int month;
	} names[] = {
		{ "january", 1 },   { "jan", 1 },    { "february", 2 },  { "feb", 2 },
		{ "march", 3 },     { "mar", 3 },    { "april", 4 },     { "apr", 4 },
		{ "may", 5 },       { "june", 6 },   { "jun", 6 },       { "july", 7 },
		{ "jul", 7 },       { "august", 8 }, { "aug", 8 },       { "september", 9 },
		{ "sept", 9 },      { "sep", 9 },    { "october", 10 },  { "oct", 10 },
		{ "november", 11 }, { "nov", 11 },   { "december", 12 }, { "dec", 12 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].w) == len && strncmp(p, names[i].w, len) == 0)
			return names[i].month;
	}
	return 0;
}

/* A token at *pp: a month name, or digits with an optional ordinal
 * suffix ("25th"). Returns -1 if neither. */
static int
date_scan_tok(const char **pp, struct date_tok *t)
{
	const char *p = *pp, *w;

	memset(t, 0, sizeof(*t));
	for (; text_isdigit(*p) && t->len < 5; p++, t->len++)
		t->value = t->value * 10 + (*p - '0');
	for (w = p; text_isalpha(*p); p++)
		;
	if (t->len > 0 && p > w) {
		t->ordinal = p - w == 2 && (strncmp(w, "st", 2) == 0 || strncmp(w, "nd", 2) == 0 ||
					    strncmp(w, "rd", 2) == 0 || strncmp(w, "th", 2) == 0);
		if (!t->ordinal)
			return -1;
	} else if (t->len == 0) {
		t->word = true;
		t->value = date_month(w, (size_t)(p - w));
		if (t->value == 0)
			return -1;
	}
	*pp = p;
	return text_isdigit(*p) ? -1 : 0;
}

/* Up to 3 tokens separated by [.][,][ ] (at least one of them); the text
 * may end in '.'. Returns the count, or -1. */
static int
date_tokens(const char *p, struct date_tok *t, int max)
{
	const char *sep;
	int n;

	for (n = 0; n < max; n++) {
		if (date_scan_tok(&p, &t[n]) != 0)
			return -1;
		sep = p;
		p += *p == '.';
		p += *p == ',';
		p += *p == ' ';
		if (*p == '\0')
			return p - sep <= (*sep == '.') ? n + 1 : -1;
		if (p == sep)
			return -1;
	}
	return -1;
}

/* "Sept 25, 2024", "25 September 2024", "December 2023" ... */
static int
date_written(const char *s, const char *q, struct fact_date *out, char *why, size_t whylen)
{
	struct date_tok t[3];
	int n = date_tokens(s, t, 3);
	bool year_ok = n >= 2 && !t[n - 1].word && t[n - 1].len == 4 && !t[n - 1].ordinal;

	out->precision = DATE_DAY;
	if (year_ok && n == 2 && t[0].word) {
		out->precision = DATE_MONTH;
		return date_set(out, t[1].value, t[0].value, 0, q, why, whylen);
	}
	if (year_ok && n == 3 && t[0].word && !t[1].word && t[1].len <= 2)
		return date_set(out, t[2].value, t[0].value, t[1].value, q, why, whylen);
	if (year_ok && n == 3 && !t[0].word && t[0].len <= 2 && t[1].word)
		return date_set(out, t[2].value, t[1].value, t[0].value, q, why, whylen);
	lr_why(why, whylen, "not a date: '%s'", q);
	return -1;
}

int
normalize_date(const char *text, struct fact_date *out, char *why, size_t whylen)
{
	struct fact_text ft;
	int rc;

	memset(out, 0, sizeof(*out));
	if (fact_prepare(text, TEXT_FOLD_LOWER, "date", &ft, why, whylen) != 0)
		return -1;
	if (strspn(ft.s, "0123456789") == strlen(ft.s))
		rc = date_numeric(ft.s, ft.q, out, why, whylen);
	else if (strspn(ft.s, "0123456789") == 4 && ft.s[4] == '-')
		rc = date_iso(ft.s, ft.q, out, why, whylen);
	else
		rc = date_written(ft.s, ft.q, out, why, whylen);
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int
fact_date_format(const struct fact_date *d, char *buf, size_t len)
{
	int n;

	if (buf == NULL || len == 0)
		return -1;
	buf[0] = '\0';
	if (d == NULL || !date_valid(d))
		return -1;
	if (d->precision == DATE_DAY)
		n = snprintf(buf, len, "%04d-%02d-%02d", d->year, d->month, d->day);
	else if (d->precision == DATE_MONTH)
		n = snprintf(buf, len, "%04d-%02d", d->year, d->month);
	else
		n = snprintf(buf, len, "%04d", d->year);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -1;
	}
	return n;
}

/* ---- licenses ------------------------------------------------------- */

/* Spellings by lookup key (see fact_key), with the id and name they map to. */
static const struct {
	const char *key, *id, *name;
} license_table[] = {
	{ "llama2", "llama-2-community", "Llama 2 Community" },
	{ "llama2community", "llama-2-community", "Llama 2 Community" },
	{ "llama2communitylicense", "llama-2-community", "Llama 2 Community" },
	{ "llama2communitylicenseagreement", "llama-2-community", "Llama 2 Community" },
	{ "llama3", "llama-3-community", "Llama 3 Community" },
	{ "llama3community", "llama-3-community", "Llama 3 Community" },
	{ "llama3communitylicense", "llama-3-community", "Llama 3 Community" },
	{ "llama3communitylicenseagreement", "llama-3-community", "Llama 3 Community" },
	{ "metallama3communitylicense", "llama-3-community", "Llama 3 Community" },
	{ "llama3.1", "llama-3.1-community", "Llama 3.1 Community" },
	{ "llama3.1community", "llama-3.1-community", "Llama 3.1 Community" },
	{ "llama3.1communitylicense", "llama-3.1-community", "Llama 3.1 Community" },
	{ "llama3.1communitylicenseagreement", "llama-3.1-community", "Llama 3.1 Community" },
	{ "llama3.2", "llama-3.2-community", "Llama 3.2 Community" },
	{ "llama3.2community", "llama-3.2-community", "Llama 3.2 Community" },
	{ "llama3.2communitylicense", "llama-3.2-community", "Llama 3.2 Community" },
	{ "llama3.2communitylicenseagreement", "llama-3.2-community", "Llama 3.2 Community" },
	{ "llama3.3", "llama-3.3-community", "Llama 3.3 Community" },
	{ "llama3.3community", "llama-3.3-community", "Llama 3.3 Community" },
	{ "llama3.3communitylicense", "llama-3.3-community", "Llama 3.3 Community" },
	{ "llama3.3communitylicenseagreement", "llama-3.3-community", "Llama 3.3 Community" },
	{ "apache2.0", "apache-2.0", "Apache 2.0" },
	{ "apache2", "apache-2.0", "Apache 2.0" },
	{ "apachelicense2.0", "apache-2.0", "Apache 2.0" },
	{ "apachelicenseversion2.0", "apache-2.0", "Apache 2.0" },
	{ "mit", "mit", "MIT" },
	{ "mitlicense", "mit", "MIT" },
	{ "ccby4.0", "cc-by-4.0", "CC BY 4.0" },
	{ "ccbync4.0", "cc-by-nc-4.0", "CC BY-NC 4.0" },
	{ "gemma", "gemma", "Gemma Terms of Use" },
	{ "gemmatermsofuse", "gemma", "Gemma Terms of Use" },
	{ "other", "other", "Other" },
	{ "proprietary", "proprietary", "Proprietary" },
};

int
normalize_license(const char *text, char *id, size_t idlen, char *name, size_t namelen, char *why,
		  size_t whylen)
{
	char key[FACT_TEXT_MAX];
	struct fact_text ft;
	size_t i;

	fact_put(id, idlen, "");
	fact_put(name, namelen, "");
	if (fact_prepare(text, TEXT_FOLD_LOWER | TEXT_FOLD_DROP_INVISIBLE, "license", &ft, why,
			 whylen) != 0)
		return -1;
	fact_key(ft.s, key);
	for (i = 0; i < sizeof(license_table) / sizeof(license_table[0]); i++) {
		if (strcmp(key, license_table[i].key) != 0)
			continue;
		if (fact_put(id, idlen, license_table[i].id) != 0 ||
		    fact_put(name, namelen, license_table[i].name) != 0) {
			fact_put(id, idlen, "");
			lr_why(why, whylen, "license '%s' does not fit the buffer", ft.q);
			return -1;
		}
		return 0;
	}
	lr_why(why, whylen, "unknown license '%s'", ft.q);
	return -1;
}

/* ---- benchmark scores ----------------------------------------------- */

int
normalize_score(const char *text, dec_t *out, char *why, size_t whylen)
{
	static const char *const missing[] = { "-", "\xe2\x80\x94", "\xe2\x80\x93", "n/a" };
	char num[FACT_TEXT_MAX], dwhy[96];
	const char *p, *bad = "not a score";
	struct fact_text ft;
	size_t i;

	out->v = 0;
	if (fact_prepare(text, TEXT_FOLD_LOWER, "score", &ft, why, whylen) != 0)
		return -1;
	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		if (strcmp(ft.s, missing[i]) == 0)
			bad = "no score";
	}
	p = ft.s;
	if (*p == '-' && p[1] != '\0')
		bad = "negative score";
	if (*p == '-' || text_scan_number(&p, num, false, &bad) != 0)
		goto fail;
	p = text_skip_space(p);
	p += *p == '%';
	if (*p != '\0')
		goto fail;
	if (dec_parse(num, 0, out, dwhy, sizeof(dwhy)) != 0) {
		out->v = 0;
		lr_why(why, whylen, "score '%s': %s", ft.q, dwhy);
		return -1;
	}
	if (dec_cmp(*out, dec_from_int(SCORE_MAX)) <= 0)
		return 0;
	out->v = 0;
	lr_why(why, whylen, "score '%s' is over %d", ft.q, SCORE_MAX);
	return -1;
fail:
	lr_why(why, whylen, "%s: '%s'", bad, ft.q);
	return -1;
}

/* ---- capability flags ----------------------------------------------- */

int
normalize_flag(const char *text, int *out, char *why, size_t whylen)
{
	static const struct {
		const char *w;
		int v;
	} words[] = {
		{ "yes", 1 },
		{ "y", 1 },
		{ "true", 1 },
		{ "1", 1 },
		{ "supported", 1 },
		{ "\xe2\x9c\x93", 1 }, /* U+2713 check mark */
		{ "\xe2\x9c\x94", 1 }, /* U+2714 heavy check mark */
		{ "\xe2\x9c\x85", 1 }, /* U+2705 white heavy check mark */
		{ "no", 0 },
		{ "n", 0 },
		{ "false", 0 },
		{ "0", 0 },
		{ "not supported", 0 },
		{ "unsupported", 0 },
		{ "\xe2\x9c\x97", 0 }, /* U+2717 ballot x */
		{ "\xe2\x9c\x98", 0 }, /* U+2718 heavy ballot x */
		{ "\xe2\x9d\x8c", 0 }, /* U+274C cross mark */
	};
	struct fact_text ft;
	size_t i;

	*out = 0;
	if (fact_prepare(text, TEXT_FOLD_LOWER | TEXT_FOLD_DROP_INVISIBLE, "flag", &ft, why,
			 whylen) != 0)
		return -1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(ft.s, words[i].w) == 0) {
			*out = words[i].v;
			return 0;
		}
	}
	lr_why(why, whylen, "not a yes/no flag: '%s'", ft.q);
	return -1;
}

/* ---- benchmark names ------------------------------------------------ */

/* Known benchmarks by lookup key (see fact_key). */
static const struct {
	const char *key, *id, *name;
} bench_table[] = {
	{ "mmlu", "mmlu", "Massive Multitask Language Understanding" },
	{ "massivemultitasklanguageunderstanding", "mmlu",
	  "Massive Multitask Language Understanding" },
	{ "mmlupro", "mmlu-pro", "MMLU-Pro" },
	{ "gpqa", "gpqa", "Graduate-Level Google-Proof Q&A" },
	{ "graduatelevelgoogleproofq&a", "gpqa", "Graduate-Level Google-Proof Q&A" },
	{ "gsm8k", "gsm8k", "Grade School Math 8K" },
	{ "gradeschoolmath8k", "gsm8k", "Grade School Math 8K" },
	{ "humaneval", "humaneval", "HumanEval" },
	{ "math", "math", "MATH" },
	{ "arcchallenge", "arc-challenge", "AI2 Reasoning Challenge (Challenge Set)" },
	{ "arcc", "arc-challenge", "AI2 Reasoning Challenge (Challenge Set)" },
	{ "ai2reasoningchallenge(challengeset)", "arc-challenge",
	  "AI2 Reasoning Challenge (Challenge Set)" },
	{ "ifeval", "ifeval", "Instruction-Following Eval" },
	{ "instructionfollowingeval", "ifeval", "Instruction-Following Eval" },
	{ "hellaswag", "hellaswag", "HellaSwag" },
	{ "mbpp", "mbpp", "Mostly Basic Python Problems" },
	{ "mostlybasicpythonproblems", "mbpp", "Mostly Basic Python Problems" },
};

/* True if the ASCII word w starts at p, in any case. */
static bool
bench_at_ci(const char *p, const char *end, const char *w)
{
	for (; *w != '\0'; p++, w++) {
		if (p >= end || text_lower(*p) != *w)
			return false;
	}
	return true;
}

/* True if [s, end) names an evaluation setting: it mentions shots
 * ("5-shot", "zero-shot") or chain of thought ("CoT" as a word). */
static bool
bench_is_setting(const char *s, const char *end)
{
	const char *p;

	for (p = s; p < end; p++) {
		if (bench_at_ci(p, end, "shot"))
			return true;
		if (bench_at_ci(p, end, "cot") && (p == s || !text_isalpha(p[-1])) &&
		    (p + 3 == end || !text_isalpha(p[3])))
			return true;
	}
	return false;
}

/* Drop trailing "(...)" groups that name a setting, and the space before. */
static void
bench_strip_settings(char *s)
{
	size_t n = strlen(s), open;
	int depth;

	while (n > 0 && s[n - 1] == ')') {
		depth = 0;
		for (open = n; open > 0; open--) {
			depth += s[open - 1] == ')' ? 1 : s[open - 1] == '(' ? -1 : 0;
			if (depth == 0)
				break;
		}
		if (open == 0 || !bench_is_setting(s + open, s + n - 1))
			return;
		n = open - 1;
		while (n > 0 && s[n - 1] == ' ')
			n--;
		s[n] = '\0';
	}
}

static int
bench_put(char *id, size_t idlen, size_t *n, const char *w)
{
	size_t k = strlen(w);

	if (*n + k >= idlen)
		return -1;
	memcpy(id + *n, w, k + 1);
	*n += k;
	return 0;
}

/* Slug of s: runs of [a-z0-9] (ASCII lower-cased), '+' as the word
 * "plus", anything else separates words with one '-'. */
static int
bench_slug(const char *s, char *id, size_t idlen)
{
	size_t n = 0, k;
	bool dash = false;
	char c[2] = { 0, 0 };

	if (idlen == 0)
		return -1;
	id[0] = '\0';
	for (; *s != '\0'; s += k) {
		k = text_utf8_decode((const unsigned char *)s, NULL);
		c[0] = text_lower(*s);
		if (!text_isdigit(c[0]) && !(c[0] >= 'a' && c[0] <= 'z') && c[0] != '+') {
			dash = true;
			continue;
		}
		if (((dash || c[0] == '+') && n > 0 && bench_put(id, idlen, &n, "-") != 0) ||
		    bench_put(id, idlen, &n, c[0] == '+' ? "plus" : c) != 0)
			return -1;
		dash = c[0] == '+';
	}
	return 0;
}

/* A known benchmark's id and name; 1 if found, 0 if not, -1 if it does
 * not fit. */
static int
bench_lookup(const char *s, char *id, size_t idlen, char *name, size_t namelen)
{
	char key[FACT_TEXT_MAX];
	size_t i;

	fact_key(s, key);
	for (i = 0; i < sizeof(bench_table) / sizeof(bench_table[0]); i++) {
		if (strcmp(key, bench_table[i].key) != 0)
			continue;
		if (fact_put(id, idlen, bench_table[i].id) != 0 ||
		    fact_put(name, namelen, bench_table[i].name) != 0)
			return -1;
		return 1;
	}
	return 0;
}

int
normalize_benchmark_id(const char *text, char *id, size_t idlen, char *name, size_t namelen,
		       char *why, size_t whylen)
{
	struct fact_text ft;
	int rc;

	fact_put(id, idlen, "");
	fact_put(name, namelen, "");
	if (fact_prepare(text, TEXT_FOLD_DROP_INVISIBLE, "benchmark name", &ft, why, whylen) != 0)
		return -1;
	bench_strip_settings(ft.s);
	if (ft.s[0] == '\0') {
		lr_why(why, whylen, "empty benchmark name '%s'", ft.q);
		return -1;
	}
	rc = bench_lookup(ft.s, id, idlen, name, namelen);
	if (rc == 0) {
		rc = bench_slug(ft.s, id, idlen);
		if (rc == 0 && id[0] == '\0') {
			lr_why(why, whylen, "benchmark name '%s' has no letters or digits", ft.q);
			return -1;
		}
		rc = rc == 0 && fact_put(name, namelen, ft.s) == 0 ? 1 : -1;
	}
	if (rc == 1)
		return 0;
	fact_put(id, idlen, "");
	fact_put(name, namelen, "");
	lr_why(why, whylen, "benchmark name '%s' is too long", ft.q);
	return -1;
}
