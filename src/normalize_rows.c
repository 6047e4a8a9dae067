/* normalize_rows.c - apply the pure normalizers of normalize.c to every
 * raw row of a page, producing records or one clear error. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "records.h"

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
	return LR_OK;
}

static enum lr_code
norm_one(const struct source *src, const struct raw_row *raw, struct record *rec,
	 struct lr_err *err)
{
	const char *model = raw->field[FIELD_MODEL];
	const char *ctx = raw->field[FIELD_CONTEXT_WINDOW];
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
	if (normalize_model_id(model, rec->model_id, sizeof(rec->model_id), rec->variant,
			       sizeof(rec->variant), why, sizeof(why)) != 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url, "row %ld: model: %s",
				  rec->row, why);
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
	return LR_OK;
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct record *x = a, *y = b;

	return strcmp(x->provider_model_id, y->provider_model_id);
}

/* Records sorted by provider model id; two rows naming one model fail. */
static enum lr_code
norm_check_dups(const struct source *src, struct records *recs, struct lr_err *err)
{
	size_t i;

	qsort(recs->v, recs->n, sizeof(*recs->v), rec_cmp);
	for (i = 1; i < recs->n; i++) {
		if (strcmp(recs->v[i - 1].provider_model_id, recs->v[i].provider_model_id) == 0)
			return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
					  "rows %ld and %ld both name model '%s'",
					  recs->v[i - 1].row, recs->v[i].row,
					  recs->v[i].provider_model_id);
	}
	return LR_OK;
}

enum lr_code
normalize_rows(const struct source *src, const struct raw_rows *rows, struct records *out,
	       struct lr_err *err)
{
	enum lr_code rc = LR_OK;
	size_t i;

	out->n = 0;
	out->rejected = 0;
	out->first_rejection[0] = '\0';
	out->v = calloc(rows->n ? rows->n : 1, sizeof(*out->v));
	if (out->v == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	for (i = 0; i < rows->n && rc == LR_OK; i++) {
		rc = norm_one(src, &rows->v[i], &out->v[out->n], err);
		if (rc == LR_ERR_NORMALIZE && src->skip_bad_rows) {
			log_debug("source %s: skipped %s", src->id, err->reason);
			if (out->rejected++ == 0)
				lr_strlcpy(out->first_rejection, err->reason,
					   sizeof(out->first_rejection));
			lr_err_clear(err);
			rc = LR_OK;
			continue;
		}
		out->n++;
	}
	if (rc == LR_OK)
		rc = norm_check_dups(src, out, err);
	if (rc != LR_OK)
		records_free(out);
	return rc;
}

void
records_free(struct records *recs)
{
	if (recs == NULL)
		return;
	free(recs->v);
	recs->v = NULL;
	recs->n = 0;
}
