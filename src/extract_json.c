/* extract_json.c - JSON APIs: jansson with duplicate keys rejected, and
 * the JSON path subset of jpath.h. Field paths are relative to the row
 * ("$" is the row). */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "extract_impl.h"
#include "jpath.h"

struct json_query {
	struct jpath *rows;
	struct jpath *field[FIELD_COUNT];
};

struct json_walk {
	const struct source *src;
	const struct json_query *q;
	struct raw_rows *out;
	struct lr_err *err;
	enum lr_code rc;
};

static void
json_query_free(struct json_query *q)
{
	size_t f;

	jpath_free(q->rows);
	for (f = 0; f < FIELD_COUNT; f++)
		jpath_free(q->field[f]);
}

static enum lr_code
json_query_compile(const struct source *src, struct json_query *q, struct lr_err *err)
{
	char why[256];
	size_t f;

	memset(q, 0, sizeof(*q));
	q->rows = jpath_compile(src->rows, why, sizeof(why));
	if (q->rows == NULL)
		return lr_err_set(err, LR_ERR_CONFIG, src->id, NULL, "%s: [extract] rows: %s",
				  src->path, why);
	for (f = 0; f < FIELD_COUNT; f++) {
		if (src->fields[f] == NULL || src->fields[f][0] == '\0')
			continue;
		q->field[f] = jpath_compile(src->fields[f], why, sizeof(why));
		if (q->field[f] == NULL)
			return lr_err_set(err, LR_ERR_CONFIG, src->id, NULL, "%s: [extract] %s: %s",
					  src->path, field_name((enum field)f), why);
	}
	return LR_OK;
}

/* Text of a scalar JSON value as a new string; *bad set for values that
 * cannot be represented exactly (reals) or are not scalars. */
static char *
json_value_text(json_t *v, const char **bad)
{
	char num[32];

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (memchr(json_string_value(v), '\0', json_string_length(v))) {
			*bad = "contains a NUL character";
			return NULL;
		}
		if (json_string_length(v) > EXTRACT_FIELD_MAX_BYTES) {
			*bad = "is too long";
			return NULL;
		}
		return extract_squash_space(strdup(json_string_value(v)));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strdup(num);
	case JSON_TRUE: return strdup("true");
	case JSON_FALSE: return strdup("false");
	case JSON_NULL: return NULL;
	case JSON_REAL:
		*bad = "is a JSON number with a fraction or exponent, which cannot be read "
		       "exactly; expected a string or an integer";
		return NULL;
	default: *bad = "is an object or array, not a value"; return NULL;
	}
}

static int
json_row_cb(json_t *node, void *ctx)
{
	struct json_walk *w = ctx;
	struct raw_row *row;
	const char *bad = NULL;
	json_t *v;
	size_t f;
	int rc = extract_rows_add(w->out, &row);

	if (rc != 0) {
		w->rc = lr_err_set(w->err, rc == -1 ? LR_ERR_EXTRACT : LR_ERR_NOMEM, w->src->id,
				   w->src->url, "%s", rc == -1 ? "too many rows" : "out of memory");
		return 1;
	}
	for (f = 0; f < FIELD_COUNT; f++) {
		if (w->q->field[f] == NULL)
			continue;
		v = jpath_first(w->q->field[f], node);
		if (v == NULL)
			continue;
		row->field[f] = json_value_text(v, &bad);
		if (bad != NULL) {
			w->rc = lr_err_set(w->err, LR_ERR_EXTRACT, w->src->id, w->src->url,
					   "row %ld: %s %s", row->index + 1,
					   field_name((enum field)f), bad);
			return 1;
		}
	}
	return 0;
}

enum lr_code
extract_json(const struct source *src, const char *body, size_t len, struct raw_rows *out,
	     struct lr_err *err)
{
	struct json_walk w = { .src = src, .out = out, .err = err, .rc = LR_OK };
	struct json_query q;
	json_error_t jerr;
	json_t *root = NULL;
	enum lr_code rc;

	rc = json_query_compile(src, &q, err);
	if (rc != LR_OK)
		goto out;
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		rc = lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				"invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
				jerr.text);
		goto out;
	}
	w.q = &q;
	jpath_eval(q.rows, root, json_row_cb, &w);
	rc = w.rc;
out:
	json_decref(root);
	json_query_free(&q);
	return rc;
}
