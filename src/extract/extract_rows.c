/* extract_rows.c - what every format's extractor shares: the capped row
 * list it fills and the white-space clean-up of the text it takes. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "extract/extract.h"
#include "extract/extract_impl.h"

char *
extract_squash_space(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;
	int space = 1; /* drop leading space */

	while (*r != '\0') {
		int ws = 0;
		size_t skip = 1;

		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r' || *r == '\f' || *r == '\v')
			ws = 1;
		else if (r[0] == 0xc2 && r[1] == 0xa0)
			ws = 1, skip = 2; /* U+00A0 NO-BREAK SPACE */
		else if (r[0] == 0xe2 && r[1] == 0x80 && r[2] == 0xaf)
			ws = 1, skip = 3; /* U+202F NARROW NO-BREAK SPACE */
		if (ws) {
			if (!space)
				*w++ = ' ';
			space = 1;
			r += skip;
			continue;
		}
		*w++ = *r++;
		space = 0;
	}
	if (w > (unsigned char *)s && w[-1] == ' ')
		w--;
	*w = '\0';
	return s;
}

int
extract_rows_add(struct raw_rows *rows, struct raw_row **out)
{
	struct raw_row *v;
	size_t cap;

	if (rows->n >= EXTRACT_MAX_ROWS)
		return -1;
	if (rows->n == rows->cap) {
		cap = rows->cap ? rows->cap * 2 : 64;
		v = realloc(rows->v, cap * sizeof(*v));
		if (v == NULL)
			return -2;
		rows->v = v;
		rows->cap = cap;
	}
	*out = &rows->v[rows->n];
	memset(*out, 0, sizeof(**out));
	(*out)->index = (long)rows->n;
	rows->n++;
	return 0;
}

void
extract_rows_tell(struct raw_rows *rows, size_t upto)
{
	for (; rows->on_row != NULL && rows->told < upto && rows->told < rows->n; rows->told++)
		rows->on_row(rows->ctx, &rows->v[rows->told]);
}
