/* text.h - small byte-level text helpers shared by the normalizers and
 * the identity rules: ASCII classes that ignore the locale, and UTF-8
 * decoding that refuses overlong forms, surrogates and out-of-range code
 * points. */
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

/* Decode the UTF-8 character at p (NUL-terminated text) into *cp (may be
 * NULL); returns its length in bytes, 0 if it is not valid UTF-8. */
size_t text_utf8_decode(const unsigned char *p, unsigned long *cp);

#endif
