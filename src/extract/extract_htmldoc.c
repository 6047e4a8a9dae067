/* extract_htmldoc.c - an html page as the JSON document a jq program reads:
 * json_xpath (a node's text parsed as JSON, numbers kept as their text),
 * table (one object per table row, keyed by the column header's text,
 * rowspan and colspan cells repeated) and text (the squashed strings of
 * the selected nodes). With more than one key the document is an object
 * {"json": ..., "table": [...], "text": [...]}. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "core/text.h"
#include "extract/extract_impl.h"

#define HDOC_MAX_COLUMNS 1024  /* the widest table row read */
#define HDOC_MAX_SPAN    65534 /* HTML's own limit of rowspan */
#define HDOC_KEY_MAX     32

/* One column's cell still spanning down into the next rows. */
struct hdoc_span {
	json_t *value; /* a reference of its own */
	long left;     /* rows it still covers */
};

struct hdoc_table {
	const struct source *src;
	struct lr_err *err;
	json_t *keys; /* the header's keys, one string per column */
	struct hdoc_span span[HDOC_MAX_COLUMNS];
	long nrows; /* rows written, for messages and the cap */
};

static int
hdoc_is(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	       xmlStrcasecmp(n->name, (const xmlChar *)name) == 0;
}

/* A node's string value, white space squashed; NULL if not UTF-8 (libxml2
 * passes bad bytes through, jq would turn them into U+FFFD) or no memory. */
static char *
hdoc_node_text(xmlNodePtr n, int *bad_utf8)
{
	xmlChar *s = xmlXPathCastNodeToString(n);
	char *out;

	*bad_utf8 = 0;
	if (s == NULL)
		return NULL;
	if (!text_utf8_valid((const char *)s)) {
		*bad_utf8 = 1;
		xmlFree(s);
		return NULL;
	}
	out = strdup((const char *)s);
	xmlFree(s);
	return out != NULL ? extract_squash_space(out) : NULL;
}

static enum lr_code
hdoc_text_error(const struct source *src, int bad_utf8, const char *key, const char *expr,
		struct lr_err *err)
{
	if (bad_utf8)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "[extract] %s '%s': the page's text is not valid UTF-8", key,
				  expr);
	return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
}

/* A span attribute (colspan, rowspan) as 1..max; 1 when absent or bad. */
static long
hdoc_span_attr(xmlNodePtr cell, const char *name, long max)
{
	xmlChar *v = xmlGetProp(cell, (const xmlChar *)name);
	long n = 0;
	const xmlChar *p;

	for (p = v; p != NULL && *p >= '0' && *p <= '9' && n <= max; p++)
		n = n * 10 + (*p - '0');
	xmlFree(v);
	return n < 1 ? 1 : n > max ? max : n;
}

/* Does the table have a thead, tbody or tfoot? */
static int
hdoc_has_sections(xmlNodePtr table)
{
	xmlNodePtr c;

	for (c = table->children; c != NULL; c = c->next)
		if (hdoc_is(c, "thead") || hdoc_is(c, "tbody") || hdoc_is(c, "tfoot"))
			return 1;
	return 0;
}

/* The rows of a table, in order: those of its thead, tbody and tfoot, or
 * its own tr elements if it has none of those (a tr beside the sections
 * is stray markup; rows of tables inside cells are not the table's), at
 * most max into rows; with rows NULL, just counted. Returns the count. */
static int
hdoc_rows(xmlNodePtr table, xmlNodePtr *rows, int max, int *head_last)
{
	xmlNodePtr c, r;
	int n = 0, sections = hdoc_has_sections(table);

	*head_last = -1;
	for (c = table->children; c != NULL; c = c->next) {
		if (!sections && hdoc_is(c, "tr")) {
			if (rows != NULL && n < max)
				rows[n] = c;
			n += rows == NULL || n < max;
			continue;
		}
		if (!hdoc_is(c, "thead") && !hdoc_is(c, "tbody") && !hdoc_is(c, "tfoot"))
			continue;
		for (r = c->children; r != NULL; r = r->next) {
			if (!hdoc_is(r, "tr"))
				continue;
			if (rows != NULL && n < max)
				rows[n] = r;
			n += rows == NULL || n < max;
		}
		if (hdoc_is(c, "thead"))
			*head_last = n - 1;
	}
	return n;
}

/* Is every cell of row a th (and is there one)? */
static int
hdoc_all_th(xmlNodePtr row)
{
	xmlNodePtr c;
	int th = 0;

	for (c = row->children; c != NULL; c = c->next) {
		if (hdoc_is(c, "td"))
			return 0;
		th += hdoc_is(c, "th");
	}
	return th > 0;
}

/* Column col's key: its header text; "N" (from 1) for a column without
 * header text; "TEXT N" for the Nth column of one header text. */
static int
hdoc_add_key(json_t *keys, const char *text, size_t col)
{
	char alt[EXTRACT_FIELD_MAX_BYTES + HDOC_KEY_MAX];
	size_t i, same = 1;

	for (i = 0; i < json_array_size(keys); i++)
		same += strcmp(json_string_value(json_array_get(keys, i)), text) == 0;
	if (text[0] == '\0')
		snprintf(alt, sizeof(alt), "%zu", col + 1);
	else if (same > 1)
		snprintf(alt, sizeof(alt), "%.*s %zu", EXTRACT_FIELD_MAX_BYTES, text, same);
	else
		snprintf(alt, sizeof(alt), "%.*s", EXTRACT_FIELD_MAX_BYTES, text);
	return json_array_append_new(keys, json_string(alt));
}

/* The header row's cells as keys (a cell spanning columns names each). */
static enum lr_code
hdoc_header(struct hdoc_table *t, xmlNodePtr row)
{
	xmlNodePtr c;
	char *text;
	long span, k;
	int bad;

	for (c = row->children; c != NULL; c = c->next) {
		if (!hdoc_is(c, "th") && !hdoc_is(c, "td"))
			continue;
		text = hdoc_node_text(c, &bad);
		if (text == NULL)
			return hdoc_text_error(t->src, bad, "table", t->src->table, t->err);
		span = hdoc_span_attr(c, "colspan", HDOC_MAX_COLUMNS);
		for (k = 0; k < span && json_array_size(t->keys) < HDOC_MAX_COLUMNS; k++)
			if (hdoc_add_key(t->keys, text, json_array_size(t->keys)) != 0) {
				free(text);
				return lr_err_set(t->err, LR_ERR_NOMEM, t->src->id, t->src->url,
						  "out of memory");
			}
		free(text);
	}
	return LR_OK;
}

/* Set column col of obj to v (a new reference is taken). */
static int
hdoc_set(struct hdoc_table *t, json_t *obj, size_t col, json_t *v)
{
	char num[HDOC_KEY_MAX];

	if (col < json_array_size(t->keys))
		return json_object_set(obj, json_string_value(json_array_get(t->keys, col)), v);
	snprintf(num, sizeof(num), "%zu", col + 1);
	return json_object_set(obj, num, v);
}

/* Fill obj from column *col on with the cells spanning down from above. */
static int
hdoc_spanned(struct hdoc_table *t, json_t *obj, size_t *col)
{
	while (*col < HDOC_MAX_COLUMNS && t->span[*col].left > 0) {
		if (hdoc_set(t, obj, *col, t->span[*col].value) != 0)
			return -1;
		t->span[*col].left--;
		(*col)++;
	}
	return 0;
}

/* Place one cell at column *col (and the columns it spans). */
static enum lr_code
hdoc_cell(struct hdoc_table *t, json_t *obj, xmlNodePtr c, size_t *col)
{
	long cols = hdoc_span_attr(c, "colspan", HDOC_MAX_COLUMNS);
	long down = hdoc_span_attr(c, "rowspan", HDOC_MAX_SPAN) - 1;
	char *text;
	json_t *v;
	long k;
	int bad, rc = 0;

	text = hdoc_node_text(c, &bad);
	if (text == NULL && bad)
		return lr_err_set(
		    t->err, LR_ERR_EXTRACT, t->src->id, t->src->url,
		    "[extract] table: row %ld, column %zu: text that is not valid UTF-8",
		    t->nrows + 1, *col + 1);
	if (text == NULL)
		return lr_err_set(t->err, LR_ERR_NOMEM, t->src->id, t->src->url, "out of memory");
	v = json_string(text);
	free(text);
	for (k = 0; v != NULL && rc == 0 && k < cols && *col < HDOC_MAX_COLUMNS; k++, (*col)++) {
		rc = hdoc_set(t, obj, *col, v);
		json_decref(t->span[*col].value);
		t->span[*col].value = down > 0 ? json_incref(v) : NULL;
		t->span[*col].left = down;
	}
	json_decref(v);
	if (v == NULL || rc != 0)
		return lr_err_set(t->err, LR_ERR_NOMEM, t->src->id, t->src->url, "out of memory");
	return LR_OK;
}

/* One body row as an object appended to arr (none for an empty row). */
static enum lr_code
hdoc_row(struct hdoc_table *t, xmlNodePtr row, json_t *arr)
{
	json_t *obj = json_object();
	xmlNodePtr c;
	size_t col = 0;
	enum lr_code rc = obj != NULL ? LR_OK : LR_ERR_NOMEM;

	for (c = row->children; rc == LR_OK && c != NULL; c = c->next) {
		if (!hdoc_is(c, "th") && !hdoc_is(c, "td"))
			continue;
		if (hdoc_spanned(t, obj, &col) != 0)
			rc = LR_ERR_NOMEM;
		else if (col < HDOC_MAX_COLUMNS)
			rc = hdoc_cell(t, obj, c, &col);
	}
	if (rc == LR_OK && hdoc_spanned(t, obj, &col) != 0)
		rc = LR_ERR_NOMEM;
	if (rc == LR_OK && json_object_size(obj) > 0 && ++t->nrows > EXTRACT_MAX_ROWS)
		rc = lr_err_set(t->err, LR_ERR_EXTRACT, t->src->id, t->src->url,
				"[extract] table: more than %d rows", EXTRACT_MAX_ROWS);
	else if (rc == LR_OK && json_object_size(obj) > 0 && json_array_append(arr, obj) != 0)
		rc = LR_ERR_NOMEM;
	if (rc == LR_ERR_NOMEM)
		lr_err_set(t->err, rc, t->src->id, t->src->url, "out of memory");
	json_decref(obj);
	return rc;
}

static void
hdoc_spans_clear(struct hdoc_table *t)
{
	size_t i;

	for (i = 0; i < HDOC_MAX_COLUMNS; i++) {
		json_decref(t->span[i].value);
		t->span[i].value = NULL;
		t->span[i].left = 0;
	}
}

/* One selected table's rows appended to arr: the header row is the last
 * row of its thead, else a first row of th cells only. */
static enum lr_code
hdoc_table_rows(struct hdoc_table *t, xmlNodePtr table, json_t *arr)
{
	xmlNodePtr *rows;
	int n, i, head, first = 0;
	enum lr_code rc = LR_OK;

	n = hdoc_rows(table, NULL, 0, &head);
	rows = calloc((size_t)n + 1, sizeof(*rows));
	if (rows == NULL)
		return lr_err_set(t->err, LR_ERR_NOMEM, t->src->id, t->src->url, "out of memory");
	n = hdoc_rows(table, rows, n, &head);
	json_array_clear(t->keys);
	hdoc_spans_clear(t);
	if (head < 0 && n > 0 && hdoc_all_th(rows[0]))
		head = 0;
	if (head >= 0) {
		rc = hdoc_header(t, rows[head]);
		first = head + 1;
	}
	for (i = first; rc == LR_OK && i < n; i++)
		rc = hdoc_row(t, rows[i], arr);
	hdoc_spans_clear(t);
	free(rows);
	return rc;
}

/* table = XPATH: the rows of every selected table element. */
static enum lr_code
hdoc_table(const struct source *src, xmlXPathObjectPtr sel, json_t **out, struct lr_err *err)
{
	struct hdoc_table *t = calloc(1, sizeof(*t));
	json_t *arr = json_array();
	enum lr_code rc = LR_OK;
	int i;

	if (t == NULL || arr == NULL || (t->keys = json_array()) == NULL)
		rc = lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	else
		t->src = src, t->err = err;
	for (i = 0; rc == LR_OK && sel->nodesetval && i < sel->nodesetval->nodeNr; i++) {
		if (!hdoc_is(sel->nodesetval->nodeTab[i], "table"))
			rc = lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
					"[extract] table '%s' selected a node that is not a table",
					src->table);
		else
			rc = hdoc_table_rows(t, sel->nodesetval->nodeTab[i], arr);
	}
	if (t != NULL)
		json_decref(t->keys);
	free(t);
	if (rc != LR_OK)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

/* text = XPATH: the squashed string of each selected node (or the value
 * of an expression that is a string, number or boolean). */
static enum lr_code
hdoc_text(const struct source *src, xmlXPathObjectPtr sel, json_t **out, struct lr_err *err)
{
	json_t *arr = json_array();
	xmlChar *x = NULL;
	char *s;
	int i, bad = 0, rc = 0;

	if (arr == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	if (sel->type != XPATH_NODESET) {
		x = xmlXPathCastToString(sel);
		bad = x != NULL && !text_utf8_valid((const char *)x);
		s = x != NULL && !bad ? strdup((const char *)x) : NULL;
		xmlFree(x);
		rc = s == NULL || json_array_append_new(arr, json_string(extract_squash_space(s)));
		free(s);
	}
	for (i = 0; rc == 0 && sel->type == XPATH_NODESET && sel->nodesetval &&
		    i < sel->nodesetval->nodeNr;
	     i++) {
		s = hdoc_node_text(sel->nodesetval->nodeTab[i], &bad);
		rc = s == NULL || json_array_append_new(arr, json_string(s));
		free(s);
	}
	if (rc != 0) {
		json_decref(arr);
		return hdoc_text_error(src, bad, "text", src->text, err);
	}
	*out = arr;
	return LR_OK;
}

/* json_xpath = XPATH: the first selected node's text, parsed as JSON. */
static enum lr_code
hdoc_json(const struct source *src, xmlXPathObjectPtr sel, json_t **out, struct lr_err *err)
{
	xmlChar *s;
	enum lr_code rc;

	if (sel->type != XPATH_NODESET || sel->nodesetval == NULL || sel->nodesetval->nodeNr == 0)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "[extract] json_xpath '%s' matched nothing", src->json_xpath);
	s = xmlXPathCastNodeToString(sel->nodesetval->nodeTab[0]);
	if (s == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	rc = extract_json_load(src, (const char *)s, strlen((const char *)s), out, err);
	xmlFree(s);
	if (rc == LR_ERR_EXTRACT && err != NULL) {
		char why[LR_ERR_REASON_MAX];
		lr_strlcpy(why, err->reason, sizeof(why));
		lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url, "[extract] json_xpath '%s': %s",
			   src->json_xpath, why);
	}
	return rc;
}

typedef enum lr_code (*hdoc_shape)(const struct source *, xmlXPathObjectPtr, json_t **,
				   struct lr_err *);

/* Evaluate expr and make its part of the document. */
static enum lr_code
hdoc_part(const struct source *src, xmlXPathContextPtr xp, const char *expr, hdoc_shape shape,
	  json_t **out, struct lr_err *err)
{
	xmlXPathObjectPtr sel = xmlXPathEvalExpression((const xmlChar *)expr, xp);
	enum lr_code rc;

	if (sel == NULL)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "[extract] XPath '%s' could not be evaluated", expr);
	if (shape == hdoc_table && sel->type != XPATH_NODESET)
		rc = lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				"[extract] table '%s' did not select nodes", expr);
	else
		rc = shape(src, sel, out, err);
	xmlXPathFreeObject(sel);
	return rc;
}

enum lr_code
extract_html_doc(const struct source *src, struct _xmlDoc *doc, json_t **root, struct lr_err *err)
{
	const char *names[] = { "json", "table", "text" };
	const char *exprs[] = { src->json_xpath, src->table, src->text };
	static const hdoc_shape shapes[] = { hdoc_json, hdoc_table, hdoc_text };
	xmlXPathContextPtr xp = xmlXPathNewContext(doc);
	json_t *obj = json_object(), *part = NULL;
	enum lr_code rc = xp != NULL && obj != NULL ? LR_OK : LR_ERR_NOMEM;
	size_t i, set = 0, only = 0;

	*root = NULL;
	for (i = 0; rc == LR_OK && i < 3; i++) {
		if (exprs[i] == NULL || exprs[i][0] == '\0')
			continue;
		rc = hdoc_part(src, xp, exprs[i], shapes[i], &part, err);
		if (rc == LR_OK && json_object_set_new(obj, names[i], part) != 0)
			rc = LR_ERR_NOMEM;
		set++;
		only = i;
	}
	if (rc == LR_ERR_NOMEM)
		lr_err_set(err, rc, src->id, src->url, "out of memory");
	else if (rc == LR_OK && set == 0)
		rc = lr_err_set(err, LR_ERR_CONFIG, src->id, src->url,
				"[extract] jq over an html page needs json_xpath, table or text");
	else if (rc == LR_OK)
		*root = json_incref(set == 1 ? json_object_get(obj, names[only]) : obj);
	json_decref(obj);
	xmlXPathFreeContext(xp);
	return rc;
}
