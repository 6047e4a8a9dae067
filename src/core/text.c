/* text.c - UTF-8 decoding shared by normalize, normalize_facts and
 * identity (see text.h). */
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
