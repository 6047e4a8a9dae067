/* extract_html.c - HTML pages: libxml2's HTML parser (no network, no
 * huge-document mode) and compiled XPath 1.0 expressions per field. */
#include "autoconf.h"

#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "extract/extract_impl.h"
#include "core/text.h"

struct html_query {
	xmlXPathCompExprPtr rows;
	xmlXPathCompExprPtr field[FIELD_COUNT];
};

static void
html_query_free(struct html_query *q)
{
	size_t f;

	xmlXPathFreeCompExpr(q->rows);
	for (f = 0; f < FIELD_COUNT; f++)
		xmlXPathFreeCompExpr(q->field[f]);
}

static enum lr_code
html_query_compile(const struct source *src, struct html_query *q, struct lr_err *err)
{
	size_t f;

	memset(q, 0, sizeof(*q));
	q->rows = xmlXPathCompile((const xmlChar *)src->rows);
	if (q->rows == NULL)
		return lr_err_set(err, LR_ERR_CONFIG, src->id, NULL,
				  "%s: [extract] rows: invalid XPath '%s'", src->path, src->rows);
	for (f = 0; f < FIELD_COUNT; f++) {
		if (src->fields[f] == NULL || src->fields[f][0] == '\0')
			continue;
		q->field[f] = xmlXPathCompile((const xmlChar *)src->fields[f]);
		if (q->field[f] == NULL)
			return lr_err_set(err, LR_ERR_CONFIG, src->id, NULL,
					  "%s: [extract] %s: invalid XPath '%s'", src->path,
					  field_name((enum field)f), src->fields[f]);
	}
	return LR_OK;
}

/* String value of an XPath result (first node of a node-set), squashed;
 * NULL if it selected nothing. Returns a new string or NULL. */
static char *
html_value(xmlXPathObjectPtr obj, int *too_long)
{
	xmlChar *s = NULL;
	char *out;

	if (obj == NULL)
		return NULL;
	if (obj->type == XPATH_NODESET) {
		if (obj->nodesetval == NULL || obj->nodesetval->nodeNr == 0)
			return NULL;
		s = xmlXPathCastNodeToString(obj->nodesetval->nodeTab[0]);
	} else {
		s = xmlXPathCastToString(obj);
	}
	if (s == NULL)
		return NULL;
	if (strlen((const char *)s) > EXTRACT_FIELD_MAX_BYTES) {
		*too_long = 1;
		xmlFree(s);
		return NULL;
	}
	out = strdup((const char *)s);
	xmlFree(s);
	return out ? extract_squash_space(out) : NULL;
}

static enum lr_code
html_row(const struct source *src, const struct html_query *q, xmlXPathContextPtr xp,
	 xmlNodePtr node, struct raw_rows *out, struct lr_err *err)
{
	struct raw_row *row;
	size_t f;
	int rc = extract_rows_add(out, &row), too_long = 0;

	if (rc != 0)
		return lr_err_set(err, rc == -1 ? LR_ERR_EXTRACT : LR_ERR_NOMEM, src->id, src->url,
				  rc == -1 ? "more than %d rows" : "out of memory at row %d",
				  EXTRACT_MAX_ROWS);
	for (f = 0; f < FIELD_COUNT; f++) {
		xmlXPathObjectPtr obj;

		if (q->field[f] == NULL)
			continue;
		xp->node = node;
		obj = xmlXPathCompiledEval(q->field[f], xp);
		row->field[f] = html_value(obj, &too_long);
		xmlXPathFreeObject(obj);
		if (too_long)
			return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
					  "row %ld: %s longer than %d bytes", row->index + 1,
					  field_name((enum field)f), EXTRACT_FIELD_MAX_BYTES);
	}
	return LR_OK;
}

/* Line and column (from 1, in bytes) of byte off of s. */
static void
html_line_col(const char *s, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* A character libxml2 keeps (XML's Char production). */
static int
html_is_char(unsigned long c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* The numeric character reference "&#..." at s[i] (len bytes in all):
 * sets *end past it and returns its code point (capped above U+10FFFF),
 * or returns -1 if there is none. */
static long
html_char_ref(const char *s, size_t len, size_t i, size_t *end)
{
	unsigned long v = 0;
	int base = 10, digits = 0, d;

	if (i + 2 >= len || s[i] != '&' || s[i + 1] != '#')
		return -1;
	i += 2;
	if (s[i] == 'x' || s[i] == 'X')
		base = 16, i++;
	for (; i < len; i++, digits++) {
		d = text_isdigit(s[i]) ? s[i] - '0' : -1;
		if (base == 16 && d < 0 && text_isalpha(s[i]) && text_lower(s[i]) <= 'f')
			d = text_lower(s[i]) - 'a' + 10;
		if (d < 0)
			break;
		v = v > 0x10ffff ? v : v * (unsigned long)base + (unsigned long)d;
	}
	*end = i < len && s[i] == ';' ? i + 1 : i;
	return digits > 0 ? (long)v : -1;
}

/* NULs in every other byte of the first 64, as UTF-16 of ASCII text. */
static int
html_looks_utf16(const char *body, size_t len)
{
	size_t i, even = 0, odd = 0, n = len < 64 ? len : 64;

	for (i = 0; i < n; i++) {
		if (body[i] == '\0' && i % 2)
			odd++;
		else if (body[i] == '\0')
			even++;
	}
	return n >= 8 && (even == 0 || odd == 0) && even + odd >= n / 2 - 1;
}

/* libxml2 reads a NUL byte as a space and drops a character reference to
 * NUL, a surrogate or another non-character: "$0.2&#0;5" would be read
 * "$0.25". Refuse such pages, naming where. */
static enum lr_code
html_check_chars(const struct source *src, const char *body, size_t len, struct lr_err *err)
{
	size_t i, end, line, col;
	long c;

	for (i = 0; i < len; i++) {
		if (body[i] == '\0') {
			html_line_col(body, i, &line, &col);
			return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
					  "page contains a NUL byte at line %zu column %zu%s", line,
					  col,
					  html_looks_utf16(body, len)
					      ? " (it looks like UTF-16 without a byte order mark, "
						"which llmref cannot tell from others)"
					      : "");
		}
		c = html_char_ref(body, len, i, &end);
		if (c < 0 || html_is_char((unsigned long)c))
			continue;
		html_line_col(body, i, &line, &col);
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "character reference '%.*s' at line %zu column %zu names no "
				  "character",
				  (int)(end - i > 16 ? 16 : end - i), body + i, line, col);
	}
	return LR_OK;
}

/* libxml2's message without its trailing newline. */
static void
html_parse_error(const struct source *src, htmlParserCtxtPtr ctxt, struct lr_err *err)
{
	const xmlError *e = xmlCtxtGetLastError(ctxt);
	char msg[256];
	size_t n;

	lr_strlcpy(msg, e && e->message ? e->message : "document could not be parsed", sizeof(msg));
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url, "HTML parser stopped: %s", msg);
}

static htmlDocPtr
html_parse(const struct source *src, const char *body, size_t len, struct lr_err *err)
{
	htmlParserCtxtPtr ctxt;
	htmlDocPtr doc = NULL;
	int halted;

	if (len > (size_t)0x7fffffff) {
		lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url, "page too large to parse");
		return NULL;
	}
	ctxt = htmlNewParserCtxt();
	if (ctxt == NULL) {
		lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
		return NULL;
	}
	doc = htmlCtxtReadMemory(ctxt, body, (int)len, src->url, "UTF-8",
				 HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
				     HTML_PARSE_NOBLANKS);
	/* A fatal error (nesting too deep, text node too large, no memory)
	 * stops the parser early: fail rather than read half a page. */
	halted = ctxt->disableSAX != 0 || ctxt->errNo == XML_ERR_NO_MEMORY ||
		 ctxt->errNo == XML_ERR_INTERNAL_ERROR;
	if (doc == NULL || halted) {
		html_parse_error(src, ctxt, err);
		xmlFreeDoc(doc);
		doc = NULL;
	}
	htmlFreeParserCtxt(ctxt);
	return doc;
}

struct _xmlDoc *
extract_html_parse(const struct source *src, const char *body, size_t len, struct lr_err *err)
{
	htmlDocPtr doc = NULL;
	char *owned;

	if (extract_html_utf8(src, &body, &len, &owned, err) == LR_OK &&
	    html_check_chars(src, body, len, err) == LR_OK)
		doc = html_parse(src, body, len, err);
	free(owned);
	return doc;
}

/* A jq source: the page as its JSON document, then the program. */
static enum lr_code
html_jq(const struct source *src, htmlDocPtr doc, struct raw_rows *out, struct lr_err *err)
{
	json_t *root = NULL;
	enum lr_code rc = extract_html_doc(src, doc, &root, err);

	if (rc == LR_OK)
		rc = extract_jq_rows(src, root, out, err);
	json_decref(root);
	return rc;
}

enum lr_code
extract_html(const struct source *src, const char *body, size_t len, struct raw_rows *out,
	     struct lr_err *err)
{
	xmlXPathContextPtr xp = NULL;
	xmlXPathObjectPtr rows = NULL;
	struct html_query q;
	enum lr_code rc;
	htmlDocPtr doc = NULL;
	int i;

	memset(&q, 0, sizeof(q));
	rc = src->jq_program != NULL ? LR_OK : html_query_compile(src, &q, err);
	if (rc != LR_OK)
		goto out;
	doc = extract_html_parse(src, body, len, err);
	if (doc == NULL) {
		rc = err ? err->code : LR_ERR_EXTRACT;
		goto out;
	}
	if (src->jq_program != NULL) {
		rc = html_jq(src, doc, out, err);
		goto out;
	}
	xp = xmlXPathNewContext(doc);
	if (xp == NULL) {
		rc = lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
		goto out;
	}
	rows = xmlXPathCompiledEval(q.rows, xp);
	if (rows == NULL || rows->type != XPATH_NODESET) {
		rc = lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				"[extract] rows '%s' did not select nodes", src->rows);
		goto out;
	}
	for (i = 0; rows->nodesetval && i < rows->nodesetval->nodeNr; i++) {
		rc = html_row(src, &q, xp, rows->nodesetval->nodeTab[i], out, err);
		if (rc != LR_OK)
			goto out;
	}
out:
	xmlXPathFreeObject(rows);
	xmlXPathFreeContext(xp);
	xmlFreeDoc(doc);
	html_query_free(&q);
	return rc;
}
