/* normalize_rows.c - apply the pure normalizers of normalize.c to every
 * raw row of a page, producing records or one clear error. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/text.h"
#include "normalize/normalize_facts.h"
#include "normalize/normalize.h"
#include "normalize/normalize_impl.h"

static enum lr_code
norm_price(const struct source *src, long row, enum field f, const char *text, enum price_unit unit,
	   struct price *out, struct lr_err *err)
{
	char why[256];

	if (text == NULL) { /* column not extracted or cell missing */
		out->kind = PRICE_UNPRICED;
		out->usd_per_mtok.v = 0;
		return LR_OK;
	}
	if (normalize_price(text, unit, out, why, sizeof(why)) != 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url, "row %ld: %s: %s", row,
				  field_name(f), why);
	/* "-1" is a router's "set per request" (OpenRouter); elsewhere it is
	 * a negative price. */
	if (out->kind == PRICE_DYNAMIC && !src->router)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				  "row %ld: %s: negative price '%.40s' (-1 means dynamic only on a "
				  "router source)",
				  row, field_name(f), text);
	return LR_OK;
}

/* A price tier: from tier_threshold prompt tokens on, other prices. */
static enum lr_code
norm_tier(const struct source *src, const struct raw_row *raw, struct record *rec,
	  struct lr_err *err)
{
	const char *t = raw->field[FIELD_TIER_THRESHOLD];
	char why[256];
	enum lr_code rc;

	rc = norm_price(src, rec->row, FIELD_TIER_INPUT_PRICE, raw->field[FIELD_TIER_INPUT_PRICE],
			src->input_unit, &rec->tier_input, err);
	if (rc == LR_OK)
		rc = norm_price(src, rec->row, FIELD_TIER_OUTPUT_PRICE,
				raw->field[FIELD_TIER_OUTPUT_PRICE], src->output_unit,
				&rec->tier_output, err);
	if (rc != LR_OK || t == NULL || t[0] == '\0')
		return rc;
	if (normalize_context(t, &rec->tier_threshold, why, sizeof(why)) != 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				  "row %ld: tier_threshold: %s", rec->row, why);
	return LR_OK;
}

/* A provider's name in a row (served_by: behind a router; provider: a
 * dataset's seller): plain text, trimmed, printable, at most len - 1. */
static enum lr_code
norm_name(const struct source *src, enum field f, const char *text, char *dst, size_t len, long row,
	  struct lr_err *err)
{
	size_t n;
	const unsigned char *p;

	if (text == NULL)
		return LR_OK;
	text = text_skip_space(text);
	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
					  "row %ld: %s: control character", row, field_name(f));
	if (lr_strlcpy(dst, text, len) != 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				  "row %ld: %s: longer than %zu bytes", row, field_name(f),
				  len - 1);
	n = strlen(dst);
	while (n > 0 && dst[n - 1] == ' ')
		dst[--n] = '\0';
	return LR_OK;
}

static int
rec_price_cmp(const void *a, const void *b)
{
	return strcmp(((const struct record_price *)a)->key, ((const struct record_price *)b)->key);
}

/* One member of a row's prices into rec->prices[rec->nprices] (not
 * counted when the cell says unpriced). */
static enum lr_code
norm_one_price(const struct source *src, const struct raw_price *in, struct record *rec,
	       struct lr_err *err)
{
	struct record_price *out = &rec->prices[rec->nprices];
	enum price_per per;
	struct price p;
	char why[256];
	int rc;

	if (normalize_price_key(in->key, out->key, sizeof(out->key), &per, why, sizeof(why)) != 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url, "row %ld: prices: %s",
				  rec->row, why);
	if (per == PER_MTOK_INPUT || per == PER_MTOK_OUTPUT)
		rc = normalize_price(in->text,
				     per == PER_MTOK_INPUT ? src->input_unit : src->output_unit, &p,
				     why, sizeof(why));
	else
		rc = normalize_unit_price(in->text, per, &p, why, sizeof(why));
	if (rc == 0 && p.kind == PRICE_DYNAMIC)
		snprintf(why, sizeof(why), "'-1' (dynamic) is not a price of a dimension");
	if (rc != 0 || p.kind == PRICE_DYNAMIC)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				  "row %ld: prices: %s: %s", rec->row, out->key, why);
	if (p.kind == PRICE_UNPRICED)
		return LR_OK;
	dec_format(p.usd_per_mtok, out->value, sizeof(out->value));
	rec->nprices++;
	return LR_OK;
}

/* A row's other prices, canonical and sorted; a key given twice fails. */
static enum lr_code
norm_prices(const struct source *src, const struct raw_row *raw, struct record *rec,
	    struct lr_err *err)
{
	enum lr_code rc = LR_OK;
	size_t i;

	if (raw->nprices == 0)
		return LR_OK;
	rec->prices = calloc(raw->nprices, sizeof(*rec->prices));
	if (rec->prices == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	for (i = 0; i < raw->nprices && rc == LR_OK; i++)
		rc = norm_one_price(src, &raw->prices[i], rec, err);
	if (rc != LR_OK)
		return rc;
	if (rec->nprices > 1)
		qsort(rec->prices, (size_t)rec->nprices, sizeof(*rec->prices), rec_price_cmp);
	for (i = 1; i < (size_t)rec->nprices; i++)
		if (strcmp(rec->prices[i - 1].key, rec->prices[i].key) == 0)
			return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
					  "row %ld: prices: '%s' is given twice", rec->row,
					  rec->prices[i].key);
	return LR_OK;
}

/* The day from which a row's prices apply: any date form, at day
 * precision (a month means its first day). */
static enum lr_code
norm_price_from(const struct source *src, const char *text, struct record *rec, struct lr_err *err)
{
	struct fact_date d;
	char why[256];

	if (text == NULL || text_skip_space(text)[0] == '\0')
		return LR_OK;
	if (normalize_date(text, &d, why, sizeof(why)) != 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				  "row %ld: price_from: %s", rec->row, why);
	if (d.precision == DATE_YEAR)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				  "row %ld: price_from: '%.40s' names no month", rec->row, text);
	snprintf(rec->price_from, sizeof(rec->price_from), "%04d-%02d-%02d", d.year, d.month,
		 d.precision == DATE_DAY ? d.day : 1);
	return LR_OK;
}

/* The other route facts of a pricing row: cached input price (in the
 * input price's unit), max output tokens, deprecation date. */
static enum lr_code
norm_route_facts(const struct source *src, const struct raw_row *raw, struct record *rec,
		 struct lr_err *err)
{
	const char *max = raw->field[FIELD_MAX_OUTPUT], *dep = raw->field[FIELD_DEPRECATION_DATE];
	struct fact_date d;
	char why[256];
	enum lr_code rc;

	rc = norm_price(src, rec->row, FIELD_CACHED_INPUT_PRICE,
			raw->field[FIELD_CACHED_INPUT_PRICE], src->input_unit, &rec->cached_input,
			err);
	if (rc != LR_OK)
		return rc;
	if (max != NULL && max[0] != '\0' &&
	    normalize_context(max, &rec->max_output, why, sizeof(why)) != 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				  "row %ld: max_output: %s", rec->row, why);
	rc = norm_tier(src, raw, rec, err);
	if (rc != LR_OK)
		return rc;
	rc = norm_name(src, FIELD_SERVED_BY, raw->field[FIELD_SERVED_BY], rec->served_by,
		       sizeof(rec->served_by), rec->row, err);
	if (rc == LR_OK)
		rc = norm_name(src, FIELD_PROVIDER, raw->field[FIELD_PROVIDER], rec->provider,
			       sizeof(rec->provider), rec->row, err);
	if (rc == LR_OK)
		rc = norm_price_from(src, raw->field[FIELD_PRICE_FROM], rec, err);
	if (rc == LR_OK)
		rc = norm_prices(src, raw, rec, err);
	if (rc != LR_OK)
		return rc;
	if (dep == NULL || dep[0] == '\0')
		return LR_OK;
	if (normalize_date(dep, &d, why, sizeof(why)) != 0 ||
	    fact_date_format(&d, rec->deprecation_date, sizeof(rec->deprecation_date)) < 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				  "row %ld: deprecation_date: %s", rec->row, why);
	return LR_OK;
}

static enum lr_code
norm_one(const struct identity *id, const struct source *src, const struct raw_row *raw,
	 struct record *rec, struct lr_err *err)
{
	const char *model = raw->field[FIELD_MODEL];
	const char *ctx = raw->field[FIELD_CONTEXT_WINDOW];
	struct model_ref ref;
	char why[256];
	enum lr_code rc;

	rec->row = raw->index + 1;
	if (model == NULL || model[0] == '\0')
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				  "row %ld: model is empty", rec->row);
	if (lr_strlcpy(rec->provider_model_id, model, sizeof(rec->provider_model_id)) != 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				  "row %ld: model name longer than %d bytes", rec->row,
				  RECORD_PROVIDER_ID_MAX - 1);
	if (identity_resolve(id, model, &ref, why, sizeof(why)) != 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url, "row %ld: model: %s",
				  rec->row, why);
	lr_strlcpy(rec->model_id, ref.id, sizeof(rec->model_id));
	lr_strlcpy(rec->variant, ref.variant, sizeof(rec->variant));
	lr_strlcpy(rec->region, ref.region, sizeof(rec->region));
	if (src->kind != SOURCE_PRICING)
		return normalize_row_facts(src, raw, rec, err);
	rc = norm_price(src, rec->row, FIELD_INPUT_PRICE, raw->field[FIELD_INPUT_PRICE],
			src->input_unit, &rec->input, err);
	if (rc == LR_OK)
		rc = norm_price(src, rec->row, FIELD_OUTPUT_PRICE, raw->field[FIELD_OUTPUT_PRICE],
				src->output_unit, &rec->output, err);
	if (rc != LR_OK)
		return rc;
	if (ctx != NULL && ctx[0] != '\0' &&
	    normalize_context(ctx, &rec->context_window, why, sizeof(why)) != 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				  "row %ld: context_window: %s", rec->row, why);
	return norm_route_facts(src, raw, rec, err);
}

/* What must be unique in a page: the model, and for benchmarks and
 * capabilities rows also the fact they state. */
static const char *
rec_fact_key(const struct record *r)
{
	return r->nfacts > 0 ? r->facts[0].name : "";
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	int c = strcmp(x->provider_model_id, y->provider_model_id);

	return c != 0 ? c : strcmp(rec_fact_key(x), rec_fact_key(y));
}

/* Records sorted by provider model id; two rows naming one model fail. */
static enum lr_code
norm_check_dups(const struct source *src, struct records *recs, struct lr_err *err)
{
	size_t i;

	if (recs->n > 1) /* (none: v may be NULL, which qsort must not get) */
		qsort(recs->v, recs->n, sizeof(*recs->v), rec_cmp);
	for (i = 1; i < recs->n; i++) {
		if (rec_cmp(&recs->v[i - 1], &recs->v[i]) == 0)
			return lr_err_set(
			    err, LR_ERR_NORMALIZE, src->id, src->url,
			    "rows %ld and %ld both name model '%s'%s%s", recs->v[i - 1].row,
			    recs->v[i].row, recs->v[i].provider_model_id,
			    recs->v[i].nfacts ? " with " : "", rec_fact_key(&recs->v[i]));
	}
	return LR_OK;
}

/* A pricing page whose rows all lack both prices holds no figures (a
 * JavaScript shell that fills them in): fail rather than unprice every
 * route. */
static enum lr_code
norm_check_priced(const struct source *src, const struct records *recs, struct lr_err *err)
{
	size_t i;

	if (src->kind != SOURCE_PRICING || recs->n == 0)
		return LR_OK;
	for (i = 0; i < recs->n; i++)
		if (recs->v[i].input.kind != PRICE_UNPRICED ||
		    recs->v[i].output.kind != PRICE_UNPRICED || recs->v[i].nprices > 0)
			return LR_OK;
	return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
			  "no price on the page: all %zu rows are unpriced (a page whose figures "
			  "are drawn by JavaScript?)",
			  recs->n);
}

void
normalize_begin(struct records *out)
{
	memset(out, 0, sizeof(*out));
}

/* Room for one more record; -1 if there is no memory. */
static int
norm_grow(struct records *out)
{
	size_t cap = out->cap ? out->cap * 2 : 64;
	struct record *v;

	if (out->n < out->cap)
		return 0;
	v = realloc(out->v, cap * sizeof(*v));
	if (v == NULL)
		return -1;
	out->v = v;
	out->cap = cap;
	return 0;
}

enum lr_code
normalize_add(const struct identity *id, const struct source *src, const struct raw_row *raw,
	      struct records *out, struct lr_err *err)
{
	struct record *rec;
	enum lr_code rc;

	if (norm_grow(out) != 0)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	rec = &out->v[out->n];
	memset(rec, 0, sizeof(*rec));
	rc = norm_one(id, src, raw, rec, err);
	if (rc != LR_OK) { /* the slot is reused or dropped: free its facts */
		free(rec->facts);
		free(rec->prices);
		memset(rec, 0, sizeof(*rec));
	}
	if (rc == LR_ERR_NORMALIZE && src->skip_bad_rows) {
		log_debug("source %s: skipped %s", src->id, err->reason);
		if (out->rejected++ == 0)
			lr_strlcpy(out->first_rejection, err->reason, sizeof(out->first_rejection));
		lr_err_clear(err);
		return LR_OK;
	}
	if (rc == LR_OK)
		out->n++;
	return rc;
}

enum lr_code
normalize_end(const struct source *src, struct records *out, struct lr_err *err)
{
	enum lr_code rc = norm_check_dups(src, out, err);

	if (rc == LR_OK)
		rc = norm_check_priced(src, out, err);
	if (rc != LR_OK)
		records_free(out);
	return rc;
}

enum lr_code
normalize_rows(const struct identity *id, const struct source *src, const struct raw_rows *rows,
	       struct records *out, struct lr_err *err)
{
	enum lr_code rc = LR_OK;
	size_t i;

	normalize_begin(out);
	for (i = 0; i < rows->n && rc == LR_OK; i++)
		rc = normalize_add(id, src, &rows->v[i], out, err);
	if (rc != LR_OK) {
		records_free(out);
		return rc;
	}
	return normalize_end(src, out, err);
}
