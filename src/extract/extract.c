/* extract.c - the dispatcher: one page to the extractor of its source's
 * format (extract_html.c, extract_markdown.c, extract_json.c). */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "extract/extract.h"
#include "extract/extract_impl.h"
#include "extract/extract_jq_impl.h"

enum lr_code
extract_page_each(const struct source *src, const char *body, size_t len, struct raw_rows *out,
		  void (*on_row)(void *ctx, const struct raw_row *row), void *ctx,
		  struct lr_err *err)
{
	enum lr_code rc;

	memset(out, 0, sizeof(*out));
	out->on_row = on_row;
	out->ctx = ctx;
	if (src->format == FORMAT_HTML)
		rc = extract_html(src, body, len, out, err);
	else if (src->format == FORMAT_MARKDOWN)
		rc = extract_markdown(src, body, len, out, err);
	else
		rc = extract_json(src, body, len, out, err);
	if (rc == LR_OK)
		extract_rows_tell(out, out->n);
	else
		raw_rows_free(out);
	return rc;
}

enum lr_code
extract_page(const struct source *src, const char *body, size_t len, struct raw_rows *out,
	     struct lr_err *err)
{
	return extract_page_each(src, body, len, out, NULL, NULL, err);
}

int
extract_warm(const struct source *src)
{
	xmlInitParser(); /* once; later calls return at once */
	return src->jq_set == NULL ? 0 : jq_worker_start(src->jq_set);
}
