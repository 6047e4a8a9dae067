/* decimal.h - exact decimal numbers for money: a signed 128-bit integer
 * counting units of 10^-18. Prices never pass through a float. */
#ifndef LLMREF_DECIMAL_H
#define LLMREF_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEC_FRAC_DIGITS 18
/* Largest magnitude accepted by dec_parse: 10^20 whole units. */
#define DEC_MAX_WHOLE_DIGITS 20
/* Room for sign, 39 digits, point and NUL. */
#define DEC_STR_MAX 48

typedef struct {
	__int128 v; /* value * 10^18 */
} dec_t;

/* Parse plain decimal text: optional sign, digits, optional '.' and digits,
 * optional exponent (e/E, sign, at most 3 digits). No spaces, no thousands
 * separators, no hex, no inf/nan. The value is multiplied by 10^shift
 * (shift may be negative) exactly, as a move of the decimal point.
 * Returns 0 and sets *out, or -1 with a reason in why ("too many decimal
 * places", "value too large", "not a number: ..."). */
int dec_parse(const char *s, int shift, dec_t *out, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* Write the shortest exact text of d into buf: "0", "0.1", "-12.345".
 * Returns buf. len must be at least DEC_STR_MAX. */
char *dec_format(dec_t d, char *buf, size_t len);

int dec_cmp(dec_t a, dec_t b);
bool dec_is_zero(dec_t d);
bool dec_is_negative(dec_t d);
dec_t dec_from_int(int64_t i); /* exact; i up to 10^20 fits */

/* Checked arithmetic: return -1 on overflow, 0 otherwise. */
int dec_add(dec_t a, dec_t b, dec_t *out) __attribute__((warn_unused_result));
int dec_sub(dec_t a, dec_t b, dec_t *out) __attribute__((warn_unused_result));
/* a * n / 10^div_pow10, truncated toward zero; used for "price per 1M
 * tokens times tokens". */
int dec_mul_int(dec_t a, int64_t n, int div_pow10, dec_t *out) __attribute__((warn_unused_result));

#endif
