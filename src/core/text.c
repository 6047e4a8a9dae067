/* text.c - UTF-8 decoding, folding, quoting and number scanning shared
 * by normalize, normalize_facts and identity (see text.h). */
#include "core/text.h"

size_t
text_utf8_decode(const unsigned char *p, unsigned long *cp)
{
	unsigned long c;
	size_t n, i;

	if (p[0] < 0x80) {
		c = p[0];
		n = 1;
		goto out;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
out:
	if (cp != NULL)
		*cp = c;
	return n;
}

bool
text_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	for (; *p != '\0'; p += k) {
		k = text_utf8_decode(p, NULL);
		if (k == 0)
			return false;
	}
	return true;
}

size_t
text_space_len(const char *p)
{
	if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		return 1;
	if (strncmp(p, "\xc2\xa0", 2) == 0)
		return 2;
	if (strncmp(p, "\xe2\x80\xaf", 3) == 0)
		return 3;
	return 0;
}

size_t
text_invisible_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (p[0] == 0xe2 && p[1] == 0x80 &&
	    ((p[2] >= 0x8b && p[2] <= 0x8f) || (p[2] >= 0xaa && p[2] <= 0xae)))
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x81 && (p[2] == 0xa0 || (p[2] >= 0xa6 && p[2] <= 0xa9)))
		return 3;
	if ((p[0] == 0xef && p[1] == 0xb8 && (p[2] == 0x8e || p[2] == 0x8f)) ||
	    (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf))
		return 3;
	return 0;
}

void
text_quote(const char *s, char *out, size_t max, bool invisible_bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, k;
	bool bad;

	for (; *p != '\0'; p += k) {
		k = text_utf8_decode(p, NULL);
		bad = k == 0 || *p < 0x20 || *p == 0x7f ||
		      (invisible_bad && text_invisible_len((const char *)p) > 0);
		if (k == 0)
			k = 1;
		if (n + (bad ? 1 : k) > max) {
			memcpy(out + n, "...", 4);
			return;
		}
		if (bad)
			out[n++] = '?';
		else
			memcpy(out + n, p, k);
		n += bad ? 0 : k;
	}
	out[n] = '\0';
}

int
text_fold(const char *s, int how, char *out, size_t outlen)
{
	size_t n = 0, k;
	bool space = false;

	while (*s != '\0') {
		k = text_space_len(s);
		if (k > 0 || ((how & TEXT_FOLD_DROP_INVISIBLE) && text_invisible_len(s) > 0)) {
			space = space || k > 0;
			s += k > 0 ? k : 3;
			continue;
		}
		if (n + 2 >= outlen)
			return -1;
		if (space && n > 0)
			out[n++] = ' ';
		space = false;
		out[n++] = (how & TEXT_FOLD_LOWER) ? text_lower(*s) : *s;
		s++;
	}
	out[n] = '\0';
	return 0;
}

/* An exponent after a number ('e', optional sign, digits), appended to
 * num; anything else is left alone. */
static const char *
text_scan_exp(const char *p, char *num, size_t *n)
{
	const char *q = p + 1;

	if (*p != 'e')
		return p;
	if (*q == '-' || *q == '+')
		q++;
	if (!text_isdigit(*q))
		return p;
	while (p < q || text_isdigit(*p))
		num[(*n)++] = *p++;
	return p;
}

int
text_scan_number(const char **pp, char *num, bool allow_exp, const char **bad)
{
	const char *p = *pp;
	size_t n = 0;
	int grp = 0;
	bool comma = false, frac = false;

	for (; text_isdigit(*p) || *p == ',' || *p == '.'; p++) {
		if (*p == ',' && (frac || grp == 0 || (comma ? grp != 3 : grp > 3)))
			goto fail_comma;
		if (*p == '.' && comma && !frac && grp != 3)
			goto fail_comma;
		frac = frac || *p == '.';
		grp = *p == ',' ? 0 : grp + 1;
		comma = comma || *p == ',';
		if (*p != ',')
			num[n++] = *p;
	}
	if (comma && !frac && grp != 3)
		goto fail_comma;
	if (allow_exp && n > 0)
		p = text_scan_exp(p, num, &n);
	num[n] = '\0';
	*pp = p;
	return n > 0 ? 0 : -1;
fail_comma:
	*bad = "misplaced thousands separator";
	return -1;
}
