/* extract_impl.h - internal interface of the extract stage: the format
 * extractors the dispatcher (extract.c) calls, and the row list they all
 * fill (extract_rows.c). Not used outside extract. */
#ifndef LLMREF_EXTRACT_IMPL_H
#define LLMREF_EXTRACT_IMPL_H

#include "extract/extract.h"

/* Append a zeroed row; returns 0, -1 over EXTRACT_MAX_ROWS, -2 no memory. */
int extract_rows_add(struct raw_rows *rows, struct raw_row **out);

enum lr_code extract_html(const struct source *src, const char *body, size_t len,
			  struct raw_rows *out, struct lr_err *err);
enum lr_code extract_markdown(const struct source *src, const char *body, size_t len,
			      struct raw_rows *out, struct lr_err *err);
enum lr_code extract_json(const struct source *src, const char *body, size_t len,
			  struct raw_rows *out, struct lr_err *err);

#endif
