/* text.h - small byte-level text helpers shared by the normalizers and
 * the identity rules: ASCII classes that ignore the locale, UTF-8
 * decoding that refuses overlong forms, surrogates and out-of-range code
 * points, folding and quoting a cell, and the one number scanner. */
#ifndef LLMREF_TEXT_H
#define LLMREF_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline char
text_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static inline bool
text_isalpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
text_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* A digit or an ASCII lower-case letter: what a canonical id is made of. */
static inline bool
text_isalnum_lower(char c)
{
	return text_isdigit(c) || (c >= 'a' && c <= 'z');
}

/* How many digits start p. */
static inline size_t
text_digits(const char *p)
{
	size_t n = 0;

	while (text_isdigit(p[n]))
		n++;
	return n;
}

/* Past one folded space at p, if there is one. */
static inline const char *
text_skip_space(const char *p)
{
	return *p == ' ' ? p + 1 : p;
}

/* Consume the word w at *pp if it ends there (end of text, a space or a
 * character that cannot continue a word or number). The byte after the
 * word is read only once the word matched: a shorter text ends first. */
static inline bool
text_eat_word(const char **pp, const char *w)
{
	size_t n = strlen(w);
	char next;

	if (strncmp(*pp, w, n) != 0)
		return false;
	next = (*pp)[n];
	if (text_isalpha(next) || text_isdigit(next) || next == ',' || next == '.')
		return false;
	*pp += n;
	return true;
}

/* Consume the symbol w at *pp, whatever follows. */
static inline bool
text_eat_symbol(const char **pp, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(*pp, w, n) != 0)
		return false;
	*pp += n;
	return true;
}

/* Decode the UTF-8 character at p (NUL-terminated text) into *cp (may be
 * NULL); returns its length in bytes, 0 if it is not valid UTF-8. */
size_t text_utf8_decode(const unsigned char *p, unsigned long *cp);
/* Is all of s valid UTF-8? */
bool text_utf8_valid(const char *s);

/* Length of the white space character at p: ASCII white space, U+00A0
 * NO-BREAK SPACE or U+202F NARROW NO-BREAK SPACE; 0 if none. */
size_t text_space_len(const char *p);

/* Length of the invisible format character at p: U+200B..U+200F
 * (zero-width, LRM, RLM), U+202A..U+202E and U+2066..U+2069 (bidi
 * embeddings, overrides, isolates), U+2060 (word joiner), U+FE0E/U+FE0F
 * (variation selectors), U+FEFF (BOM); 0 if none. */
size_t text_invisible_len(const char *s);

/* Copy at most max bytes of s into out (max + 4 bytes) for a reason:
 * whole UTF-8 characters only; control characters, bad bytes and, if
 * invisible_bad, invisible format characters as '?'; "..." when cut. */
void text_quote(const char *s, char *out, size_t max, bool invisible_bad);

/* How text_fold treats the text. */
enum text_fold_how {
	TEXT_FOLD_LOWER = 1,          /* ASCII lower case */
	TEXT_FOLD_DROP_INVISIBLE = 2, /* drop zero-width and bidi controls */
};

/* Fold s into out: white space runs become one ' ', none at either end;
 * see enum text_fold_how. Returns -1 if it does not fit. */
int text_fold(const char *s, int how, char *out, size_t outlen);

/* A number: digits, '.', thousands separators (',' between groups of 3 in
 * the whole part only) and, if allow_exp, an exponent ('e', optional
 * sign, digits). Copied to num without the separators; num has room for
 * all of the text at *pp. Returns 0 and moves *pp past it, or -1 (with
 * *bad set for a misplaced separator). */
int text_scan_number(const char **pp, char *num, bool allow_exp, const char **bad);

#endif
