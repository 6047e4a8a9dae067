/* catalog_digest.c - which incoming rows of a pricing run are the rows
 * last applied to their routes (issue 18). Each route keeps the digest of
 * its last applied staging line (012); a row whose line has that digest
 * is staged as "same", and the diff and the merges skip it, so that a
 * refresh where a few rows changed does work for those rows only. A name
 * a page gives twice is never "same": which of its rows was applied last
 * is not known. A change to what a staged line means comes with a
 * migration that clears routes.row_digest. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_impl.h"
#include "core/sha256.h"

/* The source's routes (not gone) with a digest, in byte order. */
static const char SQL_ROW_DIGESTS[] =
    "SELECT provider_model_id, row_digest FROM routes WHERE source_id = $1"
    " AND status <> 'gone' AND row_digest IS NOT NULL"
    " ORDER BY provider_model_id COLLATE \"C\"";

static int
rec_cmp(const void *a, const void *b)
{
	const struct record *x = *(const struct record *const *)a;
	const struct record *y = *(const struct record *const *)b;

	return strcmp(x->provider_model_id, y->provider_model_id);
}

/* d->dup[i]: record i's name is given by another record too. */
static int
digest_mark_dups(struct row_digests *d, const struct records *recs)
{
	const struct record **by;
	size_t i;

	d->dup = calloc(recs->n ? recs->n : 1, 1);
	by = malloc((recs->n ? recs->n : 1) * sizeof(*by));
	if (d->dup == NULL || by == NULL) {
		free(by);
		return -1;
	}
	for (i = 0; i < recs->n; i++)
		by[i] = &recs->v[i];
	qsort(by, recs->n, sizeof(*by), rec_cmp);
	for (i = 1; i < recs->n; i++)
		if (rec_cmp(&by[i - 1], &by[i]) == 0)
			d->dup[by[i - 1] - recs->v] = d->dup[by[i] - recs->v] = 1;
	free(by);
	return 0;
}

enum lr_code
digest_load(struct catalog *cat, const struct source *src, const struct records *recs,
	    struct row_digests *d, struct lr_err *err)
{
	const char *v1[1] = { src->id };

	memset(d, 0, sizeof(*d));
	if (src->kind != SOURCE_PRICING)
		return LR_OK;
	if (digest_mark_dups(d, recs) != 0) {
		digest_free(d);
		return lr_err_set(err, LR_ERR_NOMEM, src->id, NULL, "out of memory");
	}
	d->res = db_exec(cat, SQL_ROW_DIGESTS, 1, v1, src->id, "row digests", err);
	if (d->res == NULL) {
		digest_free(d);
		return LR_ERR_DB;
	}
	d->n = (size_t)PQntuples(d->res);
	d->on = 1;
	return LR_OK;
}

/* The stored digest of the route named key, or NULL. */
static const char *
digest_find(const struct row_digests *d, const char *key)
{
	size_t lo = 0, hi = d->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(key, PQgetvalue(d->res, (int)mid, 0));
		if (c == 0)
			return PQgetvalue(d->res, (int)mid, 1);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int
digest_row(const struct row_digests *d, size_t i, const struct record *r, const char *line,
	   size_t len, char hex[DIGEST_HEX])
{
	char full[65];
	const char *have;

	hex[0] = '\0';
	if (!d->on || d->dup[i] || r->nfacts > 0)
		return 0;
	if (sha256_hex(line, len, full) != 0)
		return 0; /* no digest: compared in full */
	memcpy(hex, full, DIGEST_HEX - 1);
	hex[DIGEST_HEX - 1] = '\0';
	have = digest_find(d, r->provider_model_id);
	return have != NULL && strcmp(have, hex) == 0;
}

void
digest_free(struct row_digests *d)
{
	PQclear(d->res);
	free(d->dup);
	memset(d, 0, sizeof(*d));
}
