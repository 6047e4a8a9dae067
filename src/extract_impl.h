/* extract_impl.h - internal interface between extract.c and its format
 * halves extract_html.c and extract_json.c. Not used outside extract. */
#ifndef LLMREF_EXTRACT_IMPL_H
#define LLMREF_EXTRACT_IMPL_H

#include "extract.h"

/* Append a zeroed row; returns 0, -1 over EXTRACT_MAX_ROWS, -2 no memory. */
int extract_rows_add(struct raw_rows *rows, struct raw_row **out);

enum lr_code extract_html(const struct source *src, const char *body, size_t len,
			  struct raw_rows *out, struct lr_err *err);
enum lr_code extract_markdown(const struct source *src, const char *body, size_t len,
			      struct raw_rows *out, struct lr_err *err);
enum lr_code extract_json(const struct source *src, const char *body, size_t len,
			  struct raw_rows *out, struct lr_err *err);

#endif
