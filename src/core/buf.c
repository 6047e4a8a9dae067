/* buf.c - capped growable buffer (the idea of curl's dynbuf). */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

int
buf_append(struct buf *b, const void *data, size_t len)
{
	size_t need, n;
	char *p;

	if (len > b->max || b->len > b->max - len)
		return -1;
	need = b->len + len + 1;
	if (need > b->alloc) {
		n = b->alloc ? b->alloc : 4096;
		while (n < need)
			n = n > ((size_t)-1) / 2 ? need : n * 2;
		p = realloc(b->data, n);
		if (p == NULL)
			return -2;
		b->data = p;
		b->alloc = n;
	}
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}
