/* buf.h - a growable byte buffer whose cap is fixed when it is created;
 * appending past the cap fails instead of growing. */
#ifndef LLMREF_BUF_H
#define LLMREF_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t alloc;
	size_t max; /* hard cap on len */
};

void buf_init(struct buf *b, size_t max);
/* Returns 0, -1 if the cap would be exceeded (nothing appended), -2 on
 * allocation failure. */
int buf_append(struct buf *b, const void *data, size_t len) __attribute__((warn_unused_result));
void buf_reset(struct buf *b); /* len = 0, keeps memory */
void buf_free(struct buf *b);

#endif
