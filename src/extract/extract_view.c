/* extract_view.c - what a jq source's program reads, shown to an editor
 * (sources test -v): the page's JSON document with every number as its
 * text, the HTML a markdown page renders to, the nodes each document key
 * selected, and the rows and fields the program gave. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "core/buf.h"
#include "extract/extract_impl.h"

#define VIEW_MAX_BYTES (64UL * 1024 * 1024)

static int view_dump(const json_t *v, struct buf *b, int depth);

static int
view_indent(struct buf *b, int depth)
{
	static const char pad[] = "\n                                                ";
	int n = 2 * depth + 1;

	return buf_append(b, pad, (size_t)(n < (int)sizeof(pad) - 1 ? n : (int)sizeof(pad) - 1));
}

/* A string, JSON-escaped; a marked number as the string of its text,
 * which is what the program reads. */
static int
view_string(const json_t *v, struct buf *b)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	json_t *num = extract_num_marked(s, n)
			  ? json_stringn(s + EXTRACT_NUM_MARK_LEN, n - EXTRACT_NUM_MARK_LEN)
			  : NULL;
	char *q = json_dumps(num != NULL ? num : v, JSON_ENCODE_ANY);
	int rc = q == NULL || buf_append(b, q, strlen(q)) != 0 ? -1 : 0;

	free(q);
	json_decref(num);
	return rc;
}

static int
view_container(const json_t *v, struct buf *b, int depth)
{
	int obj = json_is_object(v), rc = buf_append(b, obj ? "{" : "[", 1);
	size_t i, n = obj ? json_object_size(v) : json_array_size(v);
	const char *k;
	void *it = obj ? json_object_iter((json_t *)v) : NULL;

	for (i = 0; i < n && rc == 0; i++) {
		rc = (i > 0 && buf_append(b, ",", 1) != 0) || view_indent(b, depth + 1) != 0;
		if (rc == 0 && obj) {
			json_t *key = json_string(k = json_object_iter_key(it));
			rc = key == NULL || view_string(key, b) != 0 || buf_append(b, ": ", 2) != 0;
			json_decref(key);
		}
		if (rc == 0)
			rc = view_dump(obj ? json_object_iter_value(it) : json_array_get(v, i), b,
				       depth + 1);
		if (obj)
			it = json_object_iter_next((json_t *)v, it);
	}
	if (rc == 0 && n > 0)
		rc = view_indent(b, depth);
	return rc == 0 ? buf_append(b, obj ? "}" : "]", 1) : -1;
}

static int
view_dump(const json_t *v, struct buf *b, int depth)
{
	char *t;
	int rc;

	if (json_is_object(v) || json_is_array(v))
		return view_container(v, b, depth);
	if (json_is_string(v))
		return view_string(v, b);
	t = json_dumps(v, JSON_ENCODE_ANY);
	rc = t == NULL || buf_append(b, t, strlen(t)) != 0 ? -1 : 0;
	free(t);
	return rc;
}

/* How many nodes the html document keys select. */
static void
view_count(const struct source *src, xmlDocPtr doc, struct extract_view *v)
{
	const char *expr[3] = { src->json_xpath, src->table, src->text };
	xmlXPathContextPtr xp = xmlXPathNewContext(doc);
	int i;

	for (i = 0; i < 3; i++) {
		xmlXPathObjectPtr o;
		if (expr[i] == NULL || expr[i][0] == '\0' || xp == NULL)
			continue;
		o = xmlXPathEvalExpression((const xmlChar *)expr[i], xp);
		v->matched[i] = o != NULL && o->type == XPATH_NODESET && o->nodesetval != NULL
				    ? o->nodesetval->nodeNr
				    : 0;
		xmlXPathFreeObject(o);
	}
	xmlXPathFreeContext(xp);
}

/* The document of an html or markdown page. */
static enum lr_code
view_html_doc(const struct source *src, const char *body, size_t len, struct extract_view *v,
	      json_t **root, struct lr_err *err)
{
	xmlDocPtr doc;
	enum lr_code rc;

	if (src->format == FORMAT_MARKDOWN) {
		if (memchr(body, '\0', len) != NULL)
			return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
					  "markdown page contains a NUL byte");
		v->html = extract_markdown_html(body, len);
		if (v->html == NULL)
			return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url,
					  "markdown could not be rendered");
		body = v->html;
		len = strlen(v->html);
	}
	doc = extract_html_parse(src, body, len, err);
	if (doc == NULL)
		return err->code != LR_OK ? err->code : LR_ERR_EXTRACT;
	view_count(src, doc, v);
	rc = extract_html_doc(src, doc, root, err);
	xmlFreeDoc(doc);
	return rc;
}

static void
view_rows(const struct source *src, const char *body, size_t len, struct extract_view *v)
{
	struct raw_rows rows;
	struct lr_err err = { 0 };
	size_t i;
	int f;

	if (extract_page(src, body, len, &rows, &err) != LR_OK)
		return; /* the rows' own run reports it */
	v->rows = (long)rows.n;
	for (i = 0; i < rows.n; i++) {
		for (f = 0; f < FIELD_COUNT; f++)
			v->fields[f] += rows.v[i].field[f] != NULL;
		v->prices += rows.v[i].nprices > 0;
	}
	raw_rows_free(&rows);
}

enum lr_code
extract_view(const struct source *src, const char *body, size_t len, struct extract_view *v,
	     struct lr_err *err)
{
	json_t *root = NULL;
	struct buf b;
	enum lr_code rc;

	memset(v, 0, sizeof(*v));
	v->matched[0] = v->matched[1] = v->matched[2] = -1;
	if (src->jq_program == NULL)
		return lr_err_set(err, LR_ERR_USAGE, src->id, src->url,
				  "-v shows what a jq program reads; this source has none");
	rc = src->format == FORMAT_JSON ? extract_json_load(src, body, len, &root, err)
					: view_html_doc(src, body, len, v, &root, err);
	if (rc != LR_OK)
		return rc;
	buf_init(&b, VIEW_MAX_BYTES);
	if (view_dump(root, &b, 0) != 0)
		rc = lr_err_set(err, LR_ERR_NOMEM, src->id, src->url,
				"the document is over %lu MiB as text", VIEW_MAX_BYTES >> 20);
	else
		v->document = b.data; /* a buf's bytes are NUL-terminated */
	if (rc != LR_OK)
		buf_free(&b);
	json_decref(root);
	if (rc == LR_OK)
		view_rows(src, body, len, v);
	return rc;
}

void
extract_view_free(struct extract_view *v)
{
	free(v->html);
	free(v->document);
	memset(v, 0, sizeof(*v));
}
