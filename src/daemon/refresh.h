/* refresh.h - refreshing sources end to end: lock, fetch (all selected
 * sources concurrently), then for each page as it arrives extract,
 * normalize and apply. The driver of the stages, not a stage. */
#ifndef LLMREF_REFRESH_H
#define LLMREF_REFRESH_H

#include "catalog/catalog.h"
#include "config/config.h"
#include "core/err.h"

#include <stdio.h>

enum refresh_outcome {
	REFRESH_OK,          /* rows applied */
	REFRESH_UNCHANGED,   /* 304, or the same body read the same way */
	REFRESH_FAILED,      /* recorded as a failed run (err says why) */
	REFRESH_BUSY,        /* another process holds the source */
	REFRESH_DB_ERROR,    /* the catalog could not be reached or written */
	REFRESH_QUARANTINED, /* held back by the guard (stats.quarantine says why) */
	REFRESH_PREVIEWED,   /* --dry-run: the diff was printed, nothing written */
	REFRESH_SKIPPED,     /* claimed: another instance ran it less than claim_ms ago */
	REFRESH_STOPPED,     /* o->interrupt stopped it: run closed, nothing applied */
};

/* How a refresh runs. */
struct refresh_opts {
	const char *trigger; /* "manual", "daemon", ... */
	int dry_run;         /* what would change (result's diff); write nothing, no lock */
	int claim;           /* skip a source whose last run began less than half its
				interval ago (several daemons on one catalog run each
				due source once) */
	int unordered;       /* begin every source at once; by default sources that
				may create models are fetched and applied first */
	/* NULL, or asked before each source starts and while pages are on
	 * their way: nonzero stops the refresh (see struct fetch_opts) */
	int (*interrupt)(void *ctx);
	void *interrupt_ctx;
	int wake_fd; /* polled with the transfers when interrupt is set */
	/* NULL, or asked while pages are on their way: another source to
	 * begin now, with the ones in flight, so that a source that falls
	 * due need not wait for a slow one (NULL: none now; *wait_ms may then
	 * be lowered as in struct fetch_opts). Its result is reported like
	 * the others'. */
	const struct source *(*more)(void *ctx, long *wait_ms);
	void *more_ctx;
};

struct refresh_result {
	const struct source *src;
	enum refresh_outcome outcome;
	enum lr_code rc;
	struct lr_err err;
	struct run_stats stats;
	long long run_id; /* 0 if no run was opened */
	long http_status;
	int attempts;
	long long retry_after_ms; /* a Retry-After past the fetch deadline: not before */
	double seconds;           /* from the source's start to this result */
	char rejection[512];      /* first row dropped by skip_bad_rows, if any */
	struct catalog_rows diff; /* dry run: what would change (catalog_preview) */
};

/* Called once per source, as soon as its result is known. */
typedef void (*refresh_report_fn)(const struct refresh_result *r, void *ctx);

/* Refresh the n sources srcs as o says. Returns LR_OK if the machinery
 * ran (each source's own result goes to report), LR_ERR_STOPPED if
 * o->interrupt stopped it (sources not begun are not reported), or
 * LR_ERR_NOMEM/LR_ERR_INTERNAL if it could not run. */
enum lr_code refresh_sources(const struct config *cfg, struct catalog *cat,
			     const struct source *const *srcs, size_t n,
			     const struct refresh_opts *o, refresh_report_fn report, void *ctx)
    __attribute__((warn_unused_result));

/* Re-run extraction, normalization and apply on the source's last stored
 * page, without fetching. */
enum lr_code refresh_reparse(const struct config *cfg, struct catalog *cat,
			     const struct source *src, refresh_report_fn report, void *ctx)
    __attribute__((warn_unused_result));

/* Apply the page of the source's open quarantined run, past the guard
 * (llmref refresh --accept). */
enum lr_code refresh_accept(const struct config *cfg, struct catalog *cat, const struct source *src,
			    refresh_report_fn report, void *ctx)
    __attribute__((warn_unused_result));

/* The fetch settings of cfg. */
struct fetch_opts;
void refresh_fetch_opts(const struct config *cfg, struct fetch_opts *o);
/* A page's records as refresh reads them (extract, normalize, a page
 * whose every row was rejected fails); `sources test` calls it too. On
 * LR_OK free out with records_free. */
enum lr_code refresh_parse_page(const struct config *cfg, const struct source *src,
				const char *body, size_t len, struct records *out,
				struct lr_err *err) __attribute__((warn_unused_result));
/* A paginated source ([paginate] next): the pages after the first one
 * (url, body of len bytes), fetched one by one as its first was, joined
 * with it into out as one JSON array of pages, the body that is archived
 * and read. Bounded by max_pages and, in all, max_body_size; a repeated
 * URL or a failed page fails it. On LR_OK free out with buf_free. */
struct buf;
int refresh_paginated(const struct source *src);
enum lr_code refresh_fetch_pages(const struct config *cfg, const struct source *src,
				 const char *url, const char *body, size_t len, struct buf *out,
				 struct lr_err *err) __attribute__((warn_unused_result));
/* A fetch job for src's page: URL, [headers], network allowance. */
struct fetch_job;
void refresh_fetch_job(const struct source *src, struct fetch_job *job);

#endif
