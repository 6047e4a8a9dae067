/* decimal.c - exact decimal numbers for money: parsing, formatting and
 * checked arithmetic on a signed 128-bit integer counting 10^-18 units. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/decimal.h"
#include "core/err.h"

typedef unsigned __int128 dec_u128;

#define DEC_INT128_MAX ((__int128)(((dec_u128)1 << 127) - 1))
/* How much of a bad number's text an error message quotes. */
#define DEC_PARSE_QUOTE_MAX 40

/* The digits of a parsed number: value = mant * 10^exp10. */
struct dec_digits {
	dec_u128 mant;
	long long exp10;
	long long lead; /* power of ten of the first non-zero digit */
	bool overflow;  /* mant ran out of bits: too many digits */
	bool negative;
};

static bool
dec_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static dec_u128
dec_pow10(int n)
{
	dec_u128 p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

/* *m *= 10^n, checked. */
static int
dec_mul_pow10(dec_u128 *m, long long n)
{
	if (*m == 0)
		return 0;
	for (; n > 0; n--) {
		if (__builtin_mul_overflow(*m, (dec_u128)10, m))
			return -1;
	}
	return 0;
}

/* Append one digit; zeros are held back in *zeros until a non-zero digit
 * follows, so trailing zeros never overflow the mantissa. */
static void
dec_push_digit(struct dec_digits *d, long long *zeros, char c)
{
	if (c == '0') {
		(*zeros)++;
		return;
	}
	if (d->overflow)
		return;
	if (dec_mul_pow10(&d->mant, *zeros + 1) != 0 ||
	    __builtin_add_overflow(d->mant, (dec_u128)(c - '0'), &d->mant))
		d->overflow = true;
	*zeros = 0;
}

/* Digits before and after the point. Returns the position after them, or
 * NULL if there are no digits or the point has none after it. */
static const char *
dec_scan_mantissa(const char *p, struct dec_digits *d)
{
	long long zeros = 0, nint = 0, nfrac = 0, first = -1;

	for (; dec_isdigit(*p); p++, nint++) {
		if (first < 0 && *p != '0')
			first = nint;
		dec_push_digit(d, &zeros, *p);
	}
	if (first >= 0)
		d->lead = nint - 1 - first;
	if (*p == '.') {
		if (!dec_isdigit(*++p))
			return NULL;
		for (; dec_isdigit(*p); p++) {
			nfrac++;
			if (first < 0 && *p != '0') {
				first = 0;
				d->lead = -nfrac;
			}
			dec_push_digit(d, &zeros, *p);
		}
	}
	if (nint == 0 && nfrac == 0)
		return NULL;
	d->exp10 = zeros - nfrac;
	return p;
}

/* Optional exponent: e or E, optional sign, 1 to 3 digits. */
static const char *
dec_scan_exponent(const char *p, long long *e)
{
	int n = 0, sign = 1;

	*e = 0;
	if (*p != 'e' && *p != 'E')
		return p;
	p++;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (; dec_isdigit(*p); p++, n++) {
		if (n == 3)
			return NULL;
		*e = *e * 10 + (*p - '0');
	}
	if (n == 0)
		return NULL;
	*e *= sign;
	return p;
}

static int
dec_syntax(const char *s, struct dec_digits *d)
{
	const char *p = s;
	long long e = 0;

	memset(d, 0, sizeof(*d));
	if (*p == '+' || *p == '-')
		d->negative = *p++ == '-';
	p = dec_scan_mantissa(p, d);
	if (p != NULL)
		p = dec_scan_exponent(p, &e);
	if (p == NULL || *p != '\0')
		return -1;
	d->exp10 += e;
	d->lead += e;
	return 0;
}

/* Scale mant * 10^exp10 to units of 10^-18, exactly. */
static int
dec_scale(const struct dec_digits *d, __int128 *out, char *why, size_t whylen)
{
	dec_u128 m = d->mant;
	long long p = d->exp10 + DEC_FRAC_DIGITS;

	if (m == 0 && !d->overflow) {
		*out = 0;
		return 0;
	}
	if (d->overflow || d->lead >= DEC_MAX_WHOLE_DIGITS) {
		lr_why(why, whylen, "%s",
		       d->lead >= DEC_MAX_WHOLE_DIGITS ? "value too large"
						       : "too many decimal places");
		return -1;
	}
	/* mant never ends in 0, so any digit below 10^-18 is non-zero */
	if (p < 0) {
		lr_why(why, whylen, "too many decimal places");
		return -1;
	}
	if (dec_mul_pow10(&m, p) != 0 || m >= dec_pow10(DEC_MAX_WHOLE_DIGITS + DEC_FRAC_DIGITS)) {
		lr_why(why, whylen, "value too large");
		return -1;
	}
	*out = d->negative ? -(__int128)m : (__int128)m;
	return 0;
}

/* At most DEC_PARSE_QUOTE_MAX bytes of s for a reason, bytes outside
 * printable ASCII as '?', "..." when cut. */
static const char *
dec_quote(const char *s, char q[DEC_PARSE_QUOTE_MAX + 4])
{
	size_t n;

	for (n = 0; n < DEC_PARSE_QUOTE_MAX && s[n] != '\0'; n++)
		q[n] = s[n] >= 0x20 && s[n] < 0x7f ? s[n] : '?';
	if (s[n] != '\0')
		memcpy(q + n, "...", 4);
	else
		q[n] = '\0';
	return q;
}

int
dec_parse(const char *s, int shift, dec_t *out, char *why, size_t whylen)
{
	char q[DEC_PARSE_QUOTE_MAX + 4];
	struct dec_digits d;
	__int128 v;

	if (s == NULL) {
		lr_why(why, whylen, "not a number: (null)");
		return -1;
	}
	if (dec_syntax(s, &d) != 0) {
		lr_why(why, whylen, "not a number: '%s'", dec_quote(s, q));
		return -1;
	}
	d.exp10 += shift;
	d.lead += shift;
	if (dec_scale(&d, &v, why, whylen) != 0)
		return -1;
	out->v = v;
	return 0;
}

/* Digits of u, most significant first, into buf (at least 40 bytes). */
static size_t
dec_utoa(dec_u128 u, char *buf, int min_digits)
{
	char tmp[48];
	size_t n = 0, i;

	while (u != 0 || (int)n < min_digits) {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	}
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

char *
dec_format(dec_t d, char *buf, size_t len)
{
	dec_u128 u = d.v < 0 ? (dec_u128)0 - (dec_u128)d.v : (dec_u128)d.v;
	dec_u128 one = dec_pow10(DEC_FRAC_DIGITS);
	char ipart[48], fpart[24];
	size_t n;

	if (len == 0)
		return buf;
	dec_utoa(u / one, ipart, 1);
	n = dec_utoa(u % one, fpart, DEC_FRAC_DIGITS);
	while (n > 0 && fpart[n - 1] == '0')
		fpart[--n] = '\0';
	snprintf(buf, len, "%s%s%s%s", d.v < 0 ? "-" : "", ipart, n > 0 ? "." : "", fpart);
	return buf;
}

int
dec_cmp(dec_t a, dec_t b)
{
	return a.v < b.v ? -1 : a.v > b.v;
}

bool
dec_is_zero(dec_t d)
{
	return d.v == 0;
}

bool
dec_is_negative(dec_t d)
{
	return d.v < 0;
}

dec_t
dec_from_int(int64_t i)
{
	dec_t d = { (__int128)i * (__int128)dec_pow10(DEC_FRAC_DIGITS) };

	return d;
}

int
dec_add(dec_t a, dec_t b, dec_t *out)
{
	__int128 v;

	if (__builtin_add_overflow(a.v, b.v, &v))
		return -1;
	out->v = v;
	return 0;
}

int
dec_sub(dec_t a, dec_t b, dec_t *out)
{
	__int128 v;

	if (__builtin_sub_overflow(a.v, b.v, &v))
		return -1;
	out->v = v;
	return 0;
}

/* A 192-bit unsigned integer in three 64-bit limbs, least significant
 * first: room for any |a| * |n|. */
struct dec_u192 {
	uint64_t w[3];
};

static struct dec_u192
dec_u192_mul(dec_u128 a, uint64_t b)
{
	dec_u128 lo = (dec_u128)(uint64_t)a * b;
	dec_u128 hi = (dec_u128)(uint64_t)(a >> 64) * b;
	dec_u128 mid = (lo >> 64) + (uint64_t)hi;
	struct dec_u192 r;

	r.w[0] = (uint64_t)lo;
	r.w[1] = (uint64_t)mid;
	r.w[2] = (uint64_t)(hi >> 64) + (uint64_t)(mid >> 64);
	return r;
}

/* x /= d, truncating; d is non-zero. */
static void
dec_u192_div(struct dec_u192 *x, uint64_t d)
{
	dec_u128 rem = 0, cur;
	int i;

	for (i = 2; i >= 0; i--) {
		cur = (rem << 64) | x->w[i];
		x->w[i] = (uint64_t)(cur / d);
		rem = cur % d;
	}
}

int
dec_mul_int(dec_t a, int64_t n, int div_pow10, dec_t *out)
{
	dec_u128 ua = a.v < 0 ? (dec_u128)0 - (dec_u128)a.v : (dec_u128)a.v;
	uint64_t un = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
	struct dec_u192 x = dec_u192_mul(ua, un);
	int k = div_pow10 > 0 ? div_pow10 : 0;
	dec_u128 m;

	for (; k > 0; k -= 19)
		dec_u192_div(&x, (uint64_t)dec_pow10(k > 19 ? 19 : k));
	m = ((dec_u128)x.w[1] << 64) | x.w[0];
	if (x.w[2] != 0 || (div_pow10 < 0 && dec_mul_pow10(&m, -(long long)div_pow10) != 0) ||
	    m > (dec_u128)DEC_INT128_MAX)
		return -1;
	out->v = (a.v < 0) != (n < 0) ? -(__int128)m : (__int128)m;
	return 0;
}
