/* refresh.c - drive one source through fetch -> extract -> normalize ->
 * catalog. Data flows one way; each stage frees what it made. */
#include "autoconf.h"

#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "extract.h"
#include "fetch.h"
#include "records.h"
#include "refresh.h"

int
refresh_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	static const char digits[] = "0123456789abcdef";

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -1;
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fetch_opts_from(const struct config *cfg, struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_sec = cfg->fetch_timeout_sec;
	o->connect_timeout_sec = cfg->fetch_connect_timeout_sec;
	o->low_speed_sec = cfg->fetch_low_speed_sec;
	o->max_body_bytes = cfg->fetch_max_body_bytes;
	o->user_agent = cfg->fetch_user_agent;
	o->ca_file = cfg->fetch_ca_file;
}

/* Fetch, extract, normalize and apply; the run is open. */
static enum lr_code
refresh_pipeline(const struct config *cfg, struct catalog *cat, const struct source *src,
		 struct refresh_result *out, struct lr_err *err)
{
	struct fetch_result page;
	struct run_fetch_info fi;
	struct raw_rows rows = { 0 };
	struct records recs = { 0 };
	struct fetch_opts fo;
	char sha[65];
	enum lr_code rc;

	fetch_opts_from(cfg, &fo);
	rc = fetch_url(&fo, src->id, src->url, &page, err);
	if (rc != LR_OK)
		return rc;
	out->http_status = page.status;
	if (refresh_sha256_hex(page.body.data ? page.body.data : "", page.body.len, sha) != 0) {
		rc = lr_err_set(err, LR_ERR_INTERNAL, src->id, src->url, "sha256 failed");
		goto out;
	}
	rc = extract_page(src, page.body.data ? page.body.data : "", page.body.len, &rows, err);
	if (rc == LR_OK)
		rc = normalize_rows(src, &rows, &recs, err);
	if (rc == LR_OK && recs.n == 0)
		rc = lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				"no rows extracted ([extract] rows '%s' matched nothing)",
				src->rows);
	if (rc != LR_OK)
		goto out;
	fi.http_status = page.status;
	fi.etag = page.etag;
	fi.last_modified = page.last_modified;
	fi.body_sha256 = sha;
	rc = catalog_apply_run(cat, src, out->run_id, &fi, &recs, &out->stats, err);
out:
	records_free(&recs);
	raw_rows_free(&rows);
	fetch_result_free(&page);
	return rc;
}

enum lr_code
refresh_source(const struct config *cfg, struct catalog *cat, const struct source *src,
	       const char *trigger, struct refresh_result *out, struct lr_err *err)
{
	double t0 = now_sec();
	char reason[LR_ERR_REASON_MAX + LR_ERR_URL_MAX];
	struct lr_err ferr;
	enum lr_code rc;

	memset(out, 0, sizeof(*out));
	rc = catalog_lock_source(cat, src->id, err);
	if (rc != LR_OK)
		return rc;
	rc = catalog_begin_run(cat, src, trigger, &out->run_id, err);
	if (rc != LR_OK)
		goto out;
	rc = refresh_pipeline(cfg, cat, src, out, err);
	if (rc != LR_OK) {
		/* Best effort: if the database itself failed, the run stays
		 * 'running' and the first error is the one reported. */
		struct lr_err copy = *err;
		copy.source[0] = '\0'; /* the run row names the source already */
		lr_err_text(&copy, reason, sizeof(reason));
		(void)catalog_fail_run(cat, src, out->run_id, out->http_status, reason, &ferr);
	}
out:
	catalog_unlock_source(cat, src->id);
	out->seconds = now_sec() - t0;
	return rc;
}
