/* refresh.c - drive sources through fetch -> extract -> normalize ->
 * catalog. All selected sources are fetched concurrently; each page is
 * read and applied as soon as it arrives, in its own transaction. */
#include "autoconf.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/pipeline.h"
#include "core/file.h"
#include "core/url.h"
#include "extract/extract.h"
#include "fetch/fetch.h"
#include "normalize/normalize.h"
#include "daemon/refresh.h"
#include "daemon/refresh_fetch.h"
#include "core/sha256.h"

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

struct refresh_ctx;
struct first_page;

struct refresh_item {
	int tag; /* not WALK_TAG: fetch jobs' users begin with an int */
	struct refresh_result r;
	double t0; /* began */
	struct refresh_ctx *c;
	struct first_page *first; /* a walk's first page */
	int walking;              /* a walk fetches its pages */
	int heap, released;       /* given by o->more; its job handed back */
	struct source_state st;
	char extract_sha[65];
	int locked;
	int skipped; /* claimed: another instance ran it just now */
	int pending; /* its page is read on the pipeline, not yet applied */
};

struct refresh_ctx {
	const struct config *cfg;
	struct catalog *cat;
	refresh_report_fn report;
	void *rctx;
	double t0;
	const struct refresh_opts *o;
	int apply_flags;         /* catalog_apply_run's */
	struct walk_queue queue; /* walks' pages waiting for fetch_run */
	struct pipeline pipe;    /* pages read while the last one is applied */
	int piped;               /* pipe started: pages go through it */
};

/* Pages read ahead on the pipeline, at most: each holds a copy of its
 * body and its records until it is applied. */
#define REFRESH_READ_AHEAD 1

/* Hash of everything in the source file that decides how a page is read. */
static int
extract_settings_sha(const struct source *src, char hex[65])
{
	const char *doc[3] = { src->jq_program, src->json_xpath, src->table };
	char line[512];
	struct buf b;
	int n, f, rc = 0;

	buf_init(&b, 2 * CONFIG_FILE_MAX_BYTES + 65536);
	n = snprintf(line, sizeof(line), "%d\n%s\n%d\n%d\n", (int)src->format,
		     src->rows ? src->rows : "", (int)src->input_unit, (int)src->output_unit);
	rc |= n < 0 || (size_t)n >= sizeof(line) || buf_append(&b, line, (size_t)n) != 0;
	for (f = 0; f < FIELD_COUNT; f++) {
		const char *e = src->fields[f] ? src->fields[f] : "";
		rc |= buf_append(&b, e, strlen(e)) != 0 || buf_append(&b, "\n", 1) != 0;
	}
	/* a jq source: its program (jq's text or jq_file's), where its
	 * document comes from and its limits */
	if (src->jq_program != NULL) {
		n = snprintf(line, sizeof(line), "jq\n%ld\n%zu\n", src->jq_timeout_sec,
			     src->jq_max_memory_bytes);
		rc |= n < 0 || (size_t)n >= sizeof(line) || buf_append(&b, line, (size_t)n) != 0;
		for (f = 0; f < 3; f++)
			rc |= buf_append(&b, doc[f] ? doc[f] : "", doc[f] ? strlen(doc[f]) : 0) !=
				  0 ||
			      buf_append(&b, "\n\0", 2) != 0;
	}
	if (rc == 0)
		rc = sha256_hex(b.data, b.len, hex);
	buf_free(&b);
	return rc != 0 ? -1 : 0;
}

/* Each row normalized as extraction tells of it (the first error kept). */
struct parse_ctx {
	const struct identity *id;
	const struct source *src;
	struct records *out;
	struct lr_err err;
	enum lr_code rc;
};

static void
parse_row(void *ctx, const struct raw_row *row)
{
	struct parse_ctx *c = ctx;

	if (c->rc == LR_OK)
		c->rc = normalize_add(c->id, c->src, row, c->out, &c->err);
}

enum lr_code
refresh_parse_page(const struct config *cfg, const struct source *src, const char *body, size_t len,
		   struct records *out, struct lr_err *err)
{
	struct parse_ctx c = { cfg->identity, src, out, { 0 }, LR_OK };
	struct raw_rows rows = { 0 };
	enum lr_code rc;

	normalize_begin(out);
	rc = extract_page_each(src, body, len, &rows, parse_row, &c, err);
	raw_rows_free(&rows);
	if (rc == LR_OK && c.rc != LR_OK) {
		*err = c.err;
		rc = c.rc;
	}
	if (rc == LR_OK)
		rc = normalize_end(src, out, err);
	else
		records_free(out);
	if (rc == LR_OK && out->n == 0 && out->rejected > 0) {
		rc = lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url,
				"all %ld rows rejected; the first: %s", out->rejected,
				out->first_rejection);
		records_free(out);
	}
	return rc;
}

/* Apply a page's records (freed); the run is open. */
static enum lr_code
refresh_apply_records(struct refresh_ctx *c, struct refresh_item *it, struct records *recs,
		      const struct run_fetch_info *fi)
{
	const struct source *src = it->r.src;
	enum lr_code rc;

	lr_strlcpy(it->r.rejection, recs->first_rejection, sizeof(it->r.rejection));
	/* no rows at all is for the guard: quarantined, not applied */
	if (c->o->dry_run)
		rc = catalog_preview(c->cat, src, recs, &it->r.diff, &it->r.stats, &it->r.err);
	else
		rc = catalog_apply_run(c->cat, src, it->r.run_id, fi, recs, c->apply_flags,
				       &it->r.stats, &it->r.err);
	records_free(recs);
	return rc;
}

static void refresh_drain(struct refresh_ctx *c, size_t keep);

/* Extract, normalize and apply a body here; the run is open. The pages
 * on the pipeline are applied first: its thread and this one never read
 * at once (they share the jq worker). */
static enum lr_code
refresh_apply_body(struct refresh_ctx *c, struct refresh_item *it, const char *body, size_t len,
		   const struct run_fetch_info *fi)
{
	struct records recs = { 0 };
	enum lr_code rc;

	refresh_drain(c, 0);
	rc = refresh_parse_page(c->cfg, it->r.src, body, len, &recs, &it->r.err);
	return rc == LR_OK ? refresh_apply_records(c, it, &recs, fi) : rc;
}

/* Release the item's lock and tell the caller its result. */
static void
refresh_report(struct refresh_ctx *c, struct refresh_item *it)
{
	if (it->locked)
		catalog_unlock_source(c->cat, it->r.src->id);
	it->locked = 0;
	it->r.seconds = clock_mono_sec() - (it->t0 > 0 ? it->t0 : c->t0);
	c->report(&it->r, c->rctx);
	catalog_rows_free(&it->r.diff);
}

/* Record the outcome of an item and tell the caller. */
static void
refresh_finish(struct refresh_ctx *c, struct refresh_item *it, const struct run_fetch_info *fi)
{
	char reason[LR_ERR_REASON_MAX + LR_ERR_URL_MAX];
	struct lr_err copy, ferr;

	it->r.rc = it->r.err.code;
	if (it->r.rc == LR_OK && c->o->dry_run)
		it->r.outcome = REFRESH_PREVIEWED;
	else if (it->r.rc == LR_OK && it->r.stats.quarantine[0] != '\0')
		it->r.outcome = REFRESH_QUARANTINED;
	else if (it->r.rc == LR_OK)
		it->r.outcome = it->r.outcome == REFRESH_UNCHANGED ? REFRESH_UNCHANGED : REFRESH_OK;
	else if (it->r.rc == LR_ERR_DB)
		it->r.outcome = REFRESH_DB_ERROR;
	else if (it->r.rc == LR_ERR_STOPPED)
		it->r.outcome = REFRESH_STOPPED;
	else
		it->r.outcome = REFRESH_FAILED;
	if (it->r.rc == LR_ERR_STOPPED && !c->o->dry_run) {
		/* not the source's failure: the run closes, counters stay */
		(void)catalog_stop_run(c->cat, it->r.run_id, it->r.err.reason, &ferr);
	} else if (it->r.rc != LR_OK && !c->o->dry_run) {
		/* Best effort: if the database itself failed, the run stays
		 * 'running' and the first error is the one reported. */
		copy = it->r.err;
		copy.source[0] = '\0'; /* the run row names the source already */
		lr_err_text(&copy, reason, sizeof(reason));
		(void)catalog_fail_run(c->cat, it->r.src, it->r.run_id, fi, reason, &ferr);
	}
	refresh_report(c, it);
}

static void
fetch_info_from(struct run_fetch_info *fi, const struct fetch_job *job, const char *sha,
		const char *extract_sha)
{
	memset(fi, 0, sizeof(*fi));
	fi->http_status = job->res.status;
	fi->attempts = job->attempts;
	fi->etag = job->res.etag;
	fi->last_modified = job->res.last_modified;
	fi->body_sha256 = sha;
	fi->extract_sha256 = extract_sha;
	fi->url = job->url;
	fi->final_url = job->res.final_url[0] ? job->res.final_url : job->url;
	fi->headers = job->res.headers.data ? job->res.headers.data : "";
	fi->body = job->res.body.data ? job->res.body.data : "";
	fi->body_len = job->res.body.len;
}

/* A 304: checked, unchanged. Keep validators the reply did not repeat. */
static void
refresh_not_modified(struct refresh_ctx *c, struct refresh_item *it, struct fetch_job *job)
{
	struct run_fetch_info fi;

	fetch_info_from(&fi, job, NULL, it->extract_sha);
	if (fi.etag[0] == '\0')
		fi.etag = it->st.etag;
	if (fi.last_modified[0] == '\0')
		fi.last_modified = it->st.last_modified;
	if (catalog_unchanged_run(c->cat, it->r.src, it->r.run_id, &fi, &it->r.err) == LR_OK)
		it->r.outcome = REFRESH_UNCHANGED;
	refresh_finish(c, it, &fi);
}

static int refresh_piped(struct refresh_ctx *c, struct refresh_item *it,
			 const struct run_fetch_info *fi);

/* The page (body, len; several joined for a walk) is in: the same bytes
 * read the same way are unchanged, others are extracted and applied (on
 * the pipeline, if there is one: the page is read while the one before
 * it is applied, and its result told once it is applied). */
static void
refresh_page(struct refresh_ctx *c, struct refresh_item *it, struct run_fetch_info *fi,
	     const char *body, size_t len)
{
	char sha[65];

	if (sha256_hex(body, len, sha) != 0) {
		lr_err_set(&it->r.err, LR_ERR_INTERNAL, it->r.src->id, fi->url, "sha256 failed");
		refresh_finish(c, it, fi);
		return;
	}
	fi->body_sha256 = sha;
	fi->body = body;
	fi->body_len = len;
	if (!c->o->dry_run && strcmp(sha, it->st.body_sha256) == 0 && it->st.open_unmatched == 0 &&
	    strcmp(it->extract_sha, it->st.extract_sha256) == 0) {
		/* many pages ignore validators: the same bytes mean the same */
		if (catalog_unchanged_run(c->cat, it->r.src, it->r.run_id, fi, &it->r.err) == LR_OK)
			it->r.outcome = REFRESH_UNCHANGED;
	} else if (c->piped && refresh_piped(c, it, fi) == 0) {
		return;
	} else {
		(void)refresh_apply_body(c, it, body, len, fi);
	}
	refresh_finish(c, it, fi);
}

/* What the first page's reply said, kept for the run while a walk
 * fetches the pages after it (its job is gone by then). */
struct first_page {
	long status;
	int attempts;
	char url[1024], final_url[1024];
	char etag[FETCH_VALIDATOR_MAX], last_modified[FETCH_VALIDATOR_MAX];
	char *headers;
};

static void
first_free(struct refresh_item *it)
{
	if (it->first != NULL)
		free(it->first->headers);
	free(it->first);
	it->first = NULL;
}

static void
first_info(struct run_fetch_info *fi, const struct first_page *f, const char *extract_sha)
{
	memset(fi, 0, sizeof(*fi));
	fi->http_status = f->status;
	fi->attempts = f->attempts;
	fi->etag = f->etag;
	fi->last_modified = f->last_modified;
	fi->extract_sha256 = extract_sha;
	fi->url = f->url;
	fi->final_url = f->final_url;
	fi->headers = f->headers;
	fi->body = "";
}

static int
first_keep(struct refresh_item *it, const struct fetch_job *job)
{
	struct first_page *f = calloc(1, sizeof(*f));
	const char *h = job->res.headers.data ? job->res.headers.data : "";

	if (f == NULL || (f->headers = strdup(h)) == NULL) {
		free(f);
		return -1;
	}
	f->status = job->res.status;
	f->attempts = job->attempts;
	lr_strlcpy(f->url, job->url, sizeof(f->url));
	lr_strlcpy(f->final_url, job->res.final_url[0] ? job->res.final_url : job->url,
		   sizeof(f->final_url));
	lr_strlcpy(f->etag, job->res.etag, sizeof(f->etag));
	lr_strlcpy(f->last_modified, job->res.last_modified, sizeof(f->last_modified));
	it->first = f;
	return 0;
}

/* A source that o->more gave, with its job: freed once its result is
 * told and fetch_run has handed its job back. The job first: fetch_run
 * holds its address, which is then the block's (a jq worker forked
 * meanwhile sees it reachable). */
struct refresh_more {
	struct fetch_job job;
	struct refresh_item it; /* the job's user */
};

static void
item_release(struct refresh_item *it)
{
	if (it->heap && it->released && !it->walking && !it->pending)
		free((char *)it - offsetof(struct refresh_more, it));
}

/* ---- the pipeline: a page read while the one before it is applied ---- */

/* A page read on the pipeline's thread, with what its run needs copied
 * (fetch_run frees the job meanwhile); what it reads comes back in recs
 * or err. The thread touches nothing else. */
struct parse_task {
	struct pl_task t; /* first */
	const struct config *cfg;
	const struct source *src;
	struct refresh_item *it;
	struct run_fetch_info fi; /* its strings are in strs */
	char sha[65];
	char *strs;
	struct records recs;
	struct lr_err err;
	enum lr_code rc;
};

static void
parse_task_run(struct pl_task *t)
{
	struct parse_task *pt = (struct parse_task *)t;

	pt->rc =
	    refresh_parse_page(pt->cfg, pt->src, pt->fi.body, pt->fi.body_len, &pt->recs, &pt->err);
}

/* Copy len bytes of s and a NUL to *at; the copy. */
static const char *
put_str(char **at, const char *s, size_t len)
{
	char *d = *at;

	if (len > 0)
		memcpy(d, s, len);
	d[len] = '\0';
	*at += len + 1;
	return d;
}

static struct parse_task *
parse_task_new(struct refresh_ctx *c, struct refresh_item *it, const struct run_fetch_info *fi)
{
	const char *s[5] = { fi->url, fi->final_url, fi->etag, fi->last_modified, fi->headers };
	const char **d[5];
	size_t n[5], all = fi->body_len + 1, i;
	struct parse_task *pt = calloc(1, sizeof(*pt));
	char *at;

	for (i = 0; i < 5; i++) {
		s[i] = s[i] != NULL ? s[i] : "";
		all += (n[i] = strlen(s[i])) + 1;
	}
	if (pt == NULL || (pt->strs = malloc(all)) == NULL) {
		free(pt);
		return NULL;
	}
	pt->t.run = parse_task_run;
	pt->cfg = c->cfg;
	pt->src = it->r.src;
	pt->it = it;
	pt->fi = *fi;
	d[0] = &pt->fi.url, d[1] = &pt->fi.final_url, d[2] = &pt->fi.etag;
	d[3] = &pt->fi.last_modified, d[4] = &pt->fi.headers;
	for (at = pt->strs, i = 0; i < 5; i++)
		*d[i] = put_str(&at, s[i], n[i]);
	pt->fi.body = put_str(&at, fi->body, fi->body_len);
	lr_strlcpy(pt->sha, fi->body_sha256, sizeof(pt->sha));
	pt->fi.body_sha256 = pt->sha;
	return pt;
}

/* The page read: apply it, tell its result, free the task. */
static void
refresh_piped_done(struct refresh_ctx *c, struct parse_task *pt)
{
	struct refresh_item *it = pt->it;

	if (pt->rc == LR_OK)
		(void)refresh_apply_records(c, it, &pt->recs, &pt->fi);
	else
		it->r.err = pt->err;
	refresh_finish(c, it, &pt->fi);
	it->pending = 0;
	item_release(it);
	free(pt->strs);
	free(pt);
}

/* Apply the pages read, waiting for them until at most keep are on the
 * pipeline. */
static void
refresh_drain(struct refresh_ctx *c, size_t keep)
{
	struct pl_task *t;

	while (c->piped && (t = pipeline_take(&c->pipe, pipeline_count(&c->pipe) > keep)) != NULL)
		refresh_piped_done(c, (struct parse_task *)t);
}

/* Give the page to the pipeline; 0, or -1 (out of memory: read it here). */
static int
refresh_piped(struct refresh_ctx *c, struct refresh_item *it, const struct run_fetch_info *fi)
{
	struct parse_task *pt = parse_task_new(c, it, fi);

	if (pt == NULL)
		return -1;
	it->pending = 1;
	pipeline_put(&c->pipe, &pt->t);
	refresh_drain(c, REFRESH_READ_AHEAD);
	return 0;
}

/* walk_start's done: every page of a walk is in (or one failed). */
static void
refresh_walked(void *arg, enum lr_code rc, struct buf *body, const struct lr_err *err)
{
	struct refresh_item *it = arg;
	struct run_fetch_info fi;

	first_info(&fi, it->first, it->extract_sha);
	if (rc != LR_OK) {
		it->r.err = *err;
		refresh_finish(it->c, it, &fi);
	} else {
		refresh_page(it->c, it, &fi, body->data ? body->data : "", body->len);
	}
	first_free(it);
	it->walking = 0;
	item_release(it);
}

/* fetch_run callback: one page has arrived (or failed for good). */
static void
refresh_on_fetched(struct fetch_job *job, void *ctx)
{
	struct refresh_ctx *c = ctx;
	struct refresh_item *it = job->user;
	const char *body = job->res.body.data ? job->res.body.data : "";
	struct run_fetch_info fi;

	if (walk_job(job)) {
		refresh_drain(c, 0); /* its jq runs here: never beside the pipeline's */
		walk_job_done(job);
		return;
	}
	lr_err_clear(&it->r.err);
	it->r.http_status = job->res.status;
	it->r.attempts = job->attempts;
	it->r.retry_after_ms = job->res.retry_after_ms;
	fetch_info_from(&fi, job, NULL, it->extract_sha);
	if (job->rc != LR_OK) {
		it->r.err = job->err;
		refresh_finish(c, it, &fi);
	} else if (job->res.status == 304) {
		refresh_not_modified(c, it, job);
	} else if (!refresh_paginated(it->r.src)) {
		refresh_page(c, it, &fi, body, job->res.body.len);
	} else if (first_keep(it, job) != 0) {
		lr_err_set(&it->r.err, LR_ERR_NOMEM, it->r.src->id, job->url, "out of memory");
		refresh_finish(c, it, &fi);
	} else {
		/* a paginated source: its pages, joined, are the body (its
		 * next page or items are read here, the pipeline empty) */
		refresh_drain(c, 0);
		it->c = c;
		it->walking = 1;
		walk_start(c->cfg, it->r.src, job->url, body, job->res.body.len, &c->queue,
			   refresh_walked, it);
	}
}

/* Lock the source, read its state and open a run. */
static enum lr_code
refresh_prepare(struct refresh_ctx *c, struct refresh_item *it, const char *trigger)
{
	const struct source *src = it->r.src;
	enum lr_code rc;

	if (extract_settings_sha(src, it->extract_sha) != 0)
		return lr_err_set(&it->r.err, LR_ERR_INTERNAL, src->id, NULL, "sha256 failed");
	if (c->o->dry_run) /* reads only: no lock, no run */
		return catalog_source_state(c->cat, src->id, &it->st, &it->r.err);
	rc = catalog_lock_source(c->cat, src->id, &it->r.err);
	if (rc != LR_OK)
		return rc;
	it->locked = 1;
	rc = catalog_source_state(c->cat, src->id, &it->st, &it->r.err);
	if (rc == LR_OK && c->o->claim && it->st.since_attempt_ms >= 0 &&
	    it->st.since_attempt_ms < (long long)src->interval_sec * 500) {
		it->skipped = 1; /* ran elsewhere just now: not an error */
		return LR_ERR_BUSY;
	}
	if (rc == LR_OK)
		rc = catalog_begin_run(c->cat, src, trigger, &it->r.run_id, &it->r.err);
	return rc;
}

/* A source that could not even start: report it, release its lock. */
static void
refresh_not_started(struct refresh_ctx *c, struct refresh_item *it, enum lr_code rc)
{
	it->r.rc = it->skipped ? LR_OK : rc;
	it->r.outcome = it->skipped         ? REFRESH_SKIPPED
			: rc == LR_ERR_BUSY ? REFRESH_BUSY
			: rc == LR_ERR_DB   ? REFRESH_DB_ERROR
					    : REFRESH_FAILED;
	refresh_report(c, it);
}

static void
job_from_item(struct fetch_job *job, struct refresh_item *it, int dry_run)
{
	/* After any failed run, while names of the source wait unmatched, or
	 * when the source file now reads pages differently, the request is
	 * unconditional: the page must be read. So it is for a preview. */
	int conditional = !dry_run && it->st.consecutive_failures == 0 &&
			  it->st.open_unmatched == 0 && !refresh_paginated(it->r.src) &&
			  strcmp(it->extract_sha, it->st.extract_sha256) == 0;

	refresh_fetch_job(it->r.src, job);
	job->if_none_match = conditional ? it->st.etag : NULL;
	job->if_modified_since = conditional ? it->st.last_modified : NULL;
	job->user = it;
}

/* Read a curated source's local file (capped like a page) into body:
 * a regular file below the curated folder, no symbolic link. */
static enum lr_code
read_local(const struct config *cfg, const struct source *src, struct buf *body, struct lr_err *err)
{
	enum file_rc rc =
	    file_read_under(cfg->curated_dir, src->file, cfg->fetch_max_body_bytes, 0, body);

	if (rc == FILE_OK)
		return LR_OK;
	if (rc == FILE_ERR_OUTSIDE)
		return lr_err_set(err, LR_ERR_FETCH, src->id, src->file,
				  "outside the curated folder %s ([paths] curated): refused",
				  cfg->curated_dir);
	return lr_err_set(err, rc == FILE_ERR_NOMEM ? LR_ERR_NOMEM : LR_ERR_FETCH, src->id,
			  src->file, "%s",
			  file_rc_reason(rc, errno, "file larger than max_body_size"));
}

/* A curated source: its local file stands for the page (same-bytes
 * shortcut, snapshot, one transaction), without any fetch. */
static void
refresh_curated(struct refresh_ctx *c, struct refresh_item *it)
{
	const struct source *src = it->r.src;
	struct run_fetch_info fi;
	struct buf body;
	char sha[65];

	memset(&fi, 0, sizeof(fi));
	lr_err_clear(&it->r.err);
	if (read_local(c->cfg, src, &body, &it->r.err) != LR_OK) {
		refresh_finish(c, it, NULL);
		return;
	}
	if (sha256_hex(body.data ? body.data : "", body.len, sha) != 0) {
		lr_err_set(&it->r.err, LR_ERR_INTERNAL, src->id, src->file, "sha256 failed");
		goto out;
	}
	fi.http_status = 200;
	fi.etag = fi.last_modified = fi.headers = "";
	fi.body_sha256 = sha;
	fi.extract_sha256 = it->extract_sha;
	fi.url = fi.final_url = src->file;
	fi.body = body.data ? body.data : "";
	fi.body_len = body.len;
	if (!c->o->dry_run && strcmp(sha, it->st.body_sha256) == 0 && it->st.open_unmatched == 0 &&
	    strcmp(it->extract_sha, it->st.extract_sha256) == 0) {
		if (catalog_unchanged_run(c->cat, src, it->r.run_id, &fi, &it->r.err) == LR_OK)
			it->r.outcome = REFRESH_UNCHANGED;
	} else {
		(void)refresh_apply_body(c, it, fi.body, fi.body_len, &fi);
	}
out:
	refresh_finish(c, it, &fi);
	buf_free(&body);
}

/* Begin one source (lock, state, run); its job, or NULL when it ended
 * already (not started, or a curated source read at once). */
static struct fetch_job *
refresh_begin(struct refresh_ctx *c, struct refresh_item *it, struct fetch_job *job)
{
	enum lr_code rc;

	it->t0 = clock_mono_sec();
	rc = refresh_prepare(c, it, c->o->trigger);
	if (rc != LR_OK) {
		refresh_not_started(c, it, rc);
		return NULL;
	}
	if (it->r.src->kind == SOURCE_CURATED) {
		refresh_curated(c, it);
		return NULL;
	}
	job_from_item(job, it, c->o->dry_run);
	return job;
}

/* fetch_run's more hook: the sources o->more gives, begun. */
static struct fetch_job *
refresh_more_job(void *ctx, long *wait_ms)
{
	struct refresh_ctx *c = ctx;
	const struct source *src;
	struct refresh_more *m;
	struct fetch_job *job;

	if ((job = walk_queue_pop(&c->queue)) != NULL)
		return job;
	while (c->o->more != NULL && (src = c->o->more(c->o->more_ctx, wait_ms)) != NULL) {
		if ((m = calloc(1, sizeof(*m))) == NULL) {
			struct refresh_item it = { .r.src = src };
			lr_err_set(&it.r.err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
			refresh_not_started(c, &it, LR_ERR_NOMEM);
			continue;
		}
		m->it.r.src = src;
		m->it.heap = 1;
		if ((job = refresh_begin(c, &m->it, &m->job)) != NULL)
			return job;
		free(m);
	}
	return NULL;
}

static void
refresh_more_release(struct fetch_job *job, void *ctx)
{
	struct refresh_item *it = job->user;

	(void)ctx;
	if (walk_job(job)) {
		walk_job_release(job);
		return;
	}
	it->released = 1;
	item_release(it);
}

static int
always_stop(void *ctx)
{
	(void)ctx;
	return 1;
}

/* Open runs for the sources of one phase (authoritative 1 or 0, or -1
 * for all) and fetch them together. */
static enum lr_code
refresh_phase(struct refresh_ctx *c, struct refresh_item *items, size_t n, int authoritative,
	      struct fetch_job *jobs)
{
	struct fetch_opts fo;
	size_t i, njobs = 0;
	enum lr_code rc;

	for (i = 0; i < n; i++) {
		if (authoritative >= 0 && items[i].r.src->authoritative != authoritative)
			continue;
		if (c->o->interrupt != NULL && c->o->interrupt(c->o->interrupt_ctx))
			break; /* stopping: begin no more sources */
		if (refresh_begin(c, &items[i], &jobs[njobs]) != NULL)
			njobs++;
	}
	refresh_fetch_opts(c->cfg, &fo);
	fo.interrupt = c->o->interrupt;
	fo.interrupt_ctx = c->o->interrupt_ctx;
	fo.wake_fd = c->o->wake_fd;
	fo.more = refresh_more_job; /* walks' pages, and sources o->more gives */
	fo.release = refresh_more_release;
	if (i < n) { /* stopped while beginning: close the runs opened */
		fo.interrupt = always_stop;
		fo.wake_fd = -1;
	}
	rc = fetch_run(&fo, jobs, njobs, refresh_on_fetched, c);
	walk_queue_fail(&c->queue); /* pages never given: their walks end stopped */
	refresh_drain(c, 0);        /* the phase ends with its pages applied */
	return rc;
}

enum lr_code
refresh_sources(const struct config *cfg, struct catalog *cat, const struct source *const *srcs,
		size_t n, const struct refresh_opts *o, refresh_report_fn report, void *ctx)
{
	struct refresh_ctx c = { cfg, cat, report, ctx, clock_mono_sec(), o, 0, { 0 }, { 0 }, 0 };
	struct refresh_item *items = calloc(n ? n : 1, sizeof(*items));
	struct fetch_job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	enum lr_code rc = LR_OK;
	size_t i;

	if (items == NULL || jobs == NULL) {
		rc = LR_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		items[i].r.src = srcs[i];
	/* A dataset's rows resolve their providers by providers.conf's names:
	 * the catalog holds the configuration's before any page is read. */
	if (n > 0 && !o->dry_run &&
	    (items[0].r.rc = catalog_sync_providers(cat, cfg, &items[0].r.err)) != LR_OK) {
		items[0].r.outcome = REFRESH_DB_ERROR; /* before any run: none begins */
		report(&items[0].r, ctx);
		goto out;
	}
	/* Sources that may create models go first, so that the others' names
	 * can match the models they bring in the same refresh. */
	/* A batch that o->more feeds (the daemon's) reads and applies each
	 * page as it comes; the others read one while the last is applied.
	 * Not under valgrind, which runs one thread at a time: a page read on
	 * the pipeline's thread while this one works missed the jq worker's
	 * deadline (t_providers' large walked pages), and the worker forked
	 * again there made valgrind call the main thread's memory lost. */
	c.piped = o->more == NULL && n > 1 && !RUNNING_ON_VALGRIND;
	for (i = 0; c.piped && i < n; i++)
		(void)extract_warm(srcs[i]); /* before the pipeline's thread */
	c.piped = c.piped && pipeline_start(&c.pipe) == 0;
	if (o->unordered)
		rc = refresh_phase(&c, items, n, -1, jobs);
	else if ((rc = refresh_phase(&c, items, n, 1, jobs)) == LR_OK)
		rc = refresh_phase(&c, items, n, 0, jobs);
	if (c.piped)
		pipeline_stop(&c.pipe);
out:
	free(jobs);
	free(items);
	return rc;
}

/* Apply a stored page (the last one, or the open quarantine's) in a new
 * run, without fetching. */
static enum lr_code
refresh_stored(struct refresh_ctx *c, const struct source *src, int quarantined)
{
	struct refresh_item it;
	struct run_fetch_info fi;
	struct snapshot snap;
	enum lr_code rc;

	memset(&it, 0, sizeof(it));
	it.r.src = src;
	rc = catalog_sync_providers(c->cat, c->cfg, &it.r.err); /* as refresh_sources */
	if (rc != LR_OK) {
		refresh_not_started(c, &it, rc);
		return LR_OK;
	}
	rc = refresh_prepare(c, &it, c->o->trigger);
	if (rc == LR_OK)
		rc = quarantined ? catalog_quarantined_snapshot(c->cat, src->id, &snap, &it.r.err)
				 : catalog_last_snapshot(c->cat, src->id, &snap, &it.r.err);
	if (rc != LR_OK) {
		if (it.r.run_id != 0)
			refresh_finish(c, &it, NULL);
		else
			refresh_not_started(c, &it, rc);
		return LR_OK;
	}
	memset(&fi, 0, sizeof(fi));
	fi.extract_sha256 = it.extract_sha;
	fi.etag = it.st.etag;
	fi.last_modified = it.st.last_modified;
	fi.body_sha256 = snap.sha256; /* stored already: the insert is a no-op */
	fi.body = snap.body;
	fi.body_len = snap.len;
	fi.url = fi.final_url = src->url;
	fi.headers = "";
	fi.http_status = 200;
	(void)refresh_apply_body(c, &it, snap.body, snap.len, &fi);
	refresh_finish(c, &it, &fi);
	snapshot_free(&snap);
	return LR_OK;
}

enum lr_code
refresh_reparse(const struct config *cfg, struct catalog *cat, const struct source *src,
		refresh_report_fn report, void *ctx)
{
	static const struct refresh_opts o = { .trigger = "reparse" };
	struct refresh_ctx c = { cfg, cat, report, ctx, clock_mono_sec(), &o, 0, { 0 }, { 0 }, 0 };

	return refresh_stored(&c, src, 0);
}

enum lr_code
refresh_accept(const struct config *cfg, struct catalog *cat, const struct source *src,
	       refresh_report_fn report, void *ctx)
{
	static const struct refresh_opts o = { .trigger = "accept" };
	struct refresh_ctx c = {
		cfg, cat, report, ctx, clock_mono_sec(), &o, CATALOG_APPLY_NO_GUARD, { 0 }, { 0 }, 0
	};

	return refresh_stored(&c, src, 1);
}
