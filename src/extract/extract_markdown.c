/* extract_markdown.c - Markdown pages (model cards kept as .md): rendered
 * to HTML by cmark-gfm with the GFM table extension, raw HTML blocks kept
 * (Meta's cards mix markdown and HTML tables), then read like HTML. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "extract/extract_impl.h"

char *
extract_markdown_html(const char *body, size_t len)
{
	cmark_syntax_extension *table;
	cmark_parser *p;
	cmark_node *doc = NULL;
	char *html = NULL;

	cmark_gfm_core_extensions_ensure_registered();
	p = cmark_parser_new(CMARK_OPT_UNSAFE);
	table = cmark_find_syntax_extension("table");
	if (p == NULL || table == NULL || cmark_parser_attach_syntax_extension(p, table) == 0)
		goto out;
	cmark_parser_feed(p, body, len);
	doc = cmark_parser_finish(p);
	if (doc != NULL)
		html =
		    cmark_render_html(doc, CMARK_OPT_UNSAFE, cmark_parser_get_syntax_extensions(p));
out:
	if (doc != NULL)
		cmark_node_free(doc);
	if (p != NULL)
		cmark_parser_free(p);
	return html;
}

enum lr_code
extract_markdown(const struct source *src, const char *body, size_t len, struct raw_rows *out,
		 struct lr_err *err)
{
	char *html;
	enum lr_code rc;

	if (memchr(body, '\0', len) != NULL)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "markdown page contains a NUL byte");
	html = extract_markdown_html(body, len);
	if (html == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url,
				  "markdown could not be rendered");
	rc = extract_html(src, html, strlen(html), out, err);
	free(html);
	return rc;
}
