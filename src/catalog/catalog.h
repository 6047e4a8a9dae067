/* catalog.h - the PostgreSQL catalog: migrations, per-source locks, runs,
 * applying a page's records in one transaction, and reading it back as
 * rows. All SQL of the program lives in src/catalog/ (its .c files and
 * sql/ migrations). */
#ifndef LLMREF_CATALOG_H
#define LLMREF_CATALOG_H

#include <stdio.h>

#include <jansson.h>

#include "config/config.h"
#include "core/err.h"
#include "normalize/normalize.h"

struct catalog; /* one connection; opaque */
struct catalog_rows;

/* While a statement waits for the server, hook(ctx) is called at least
 * once a second; when it returns nonzero the statement may run 3 s more,
 * then the connection is given up (its transaction rolls back) and the
 * call fails. The daemon feeds its watchdog and reads signals there. */
void catalog_set_wait_hook(struct catalog *cat, int (*hook)(void *ctx), void *ctx);

/* How the catalog reconciles and guards; from the [catalog] and
 * [quarantine] sections of llmref.conf (catalog_configure). */
struct catalog_policy {
	long gone_after_runs;       /* missed by this many successful runs: gone */
	long conflict_tolerance_bp; /* numeric facts agree within this share */
	long lock_wait_ms;          /* wait this long for a busy source */
	int guard;                  /* the quarantine guard is on */
	long min_rows_bp;
	long mass_change_bp;
	long mass_change_min;
	long max_factor;
	long answer_wait_ms; /* [database] timeout: give up on a silent server */
};

struct run_stats {
	long extracted;
	long added;   /* new routes (or routes back from gone) */
	long changed; /* existing routes whose price or facts changed */
	long unchanged;
	long gone;               /* routes that became gone with this run */
	long missing;            /* routes (or facts) this run no longer lists */
	long unmatched;          /* names put on (or still on) the unmatched list */
	long rejected;           /* rows dropped by skip_bad_rows */
	long conflicts;          /* conflicts opened by this run */
	char quarantine[256];    /* why the run was held back; "" = applied */
	long long quarantine_of; /* same page as this open quarantined run */
};

/* catalog_apply_run flags */
#define CATALOG_APPLY_NO_GUARD 1 /* apply even what the guard would hold back */

/* Fetch metadata stored with a successful run. */
struct run_fetch_info {
	long http_status;
	int attempts;
	const char *etag;           /* may be "" */
	const char *last_modified;  /* may be "" */
	const char *body_sha256;    /* hex; NULL = no body (nothing fetched) */
	const char *extract_sha256; /* hex, of the source's extraction settings */
	const char *url;
	const char *final_url;
	const char *headers; /* raw response headers */
	const char *body;    /* archived as a snapshot when body_sha256 is set */
	size_t body_len;
};

/* What the catalog remembers of a source between runs. */
struct source_state {
	char etag[256];
	char last_modified[256];
	char body_sha256[65];
	char extract_sha256[65];
	long consecutive_failures;
	long open_unmatched;        /* names of this source waiting to match */
	long long since_attempt_ms; /* since the last run began; -1 = never */
};

/* A stored page, for reparse. */
struct snapshot {
	char sha256[65];
	char *body; /* malloc'd; free with snapshot_free */
	size_t len;
	long long run_id;
};

/* Connect with conninfo (any libpq connection string; "" = the PG*
 * environment). Returns LR_OK with *out set, or LR_ERR_DB. */
enum lr_code catalog_open(const char *conninfo, struct catalog **out, struct lr_err *err)
    __attribute__((warn_unused_result));
/* catalog_open with a wait hook (catalog_set_wait_hook) from the start:
 * the connection itself is made without blocking, bounded by its
 * connect_timeout (default 10 s). */
enum lr_code catalog_connect(const char *conninfo, int (*hook)(void *ctx), void *ctx,
			     struct catalog **out, struct lr_err *err)
    __attribute__((warn_unused_result));
void catalog_close(struct catalog *cat);
/* Whether the connection is still up. */
int catalog_connected(const struct catalog *cat);
/* Take the policy of cfg (defaults until called). */
void catalog_configure(struct catalog *cat, const struct config *cfg);
/* Override how long a refresh waits for a busy source (the daemon: 0). */
void catalog_set_lock_wait(struct catalog *cat, long ms);

/* Apply every migration not yet recorded, each in its own transaction,
 * under an advisory lock. *applied counts those applied now. */
enum lr_code catalog_migrate(struct catalog *cat, int *applied, struct lr_err *err)
    __attribute__((warn_unused_result));
/* LR_OK if the schema is at this build's version, else LR_ERR_DB with a
 * reason telling the user what to run. */
enum lr_code catalog_check_schema(struct catalog *cat, struct lr_err *err)
    __attribute__((warn_unused_result));
int catalog_schema_version_built(void);
/* Grant the existing role what a reader (page builder) or a writer (the
 * daemon) needs (migration 011), and remember it for later migrations. */
enum lr_code catalog_grant(struct catalog *cat, const char *role, const char *what,
			   struct lr_err *err) __attribute__((warn_unused_result));

/* Take the source's lock for this session, waiting up to the policy's
 * lock_wait_ms, or LR_ERR_BUSY naming the holder. Released by
 * catalog_unlock_source or when the connection ends. */
enum lr_code catalog_lock_source(struct catalog *cat, const char *source_id, struct lr_err *err)
    __attribute__((warn_unused_result));
void catalog_unlock_source(struct catalog *cat, const char *source_id);

/* Record the provider and source, open a run; *run_id is set. */
enum lr_code catalog_begin_run(struct catalog *cat, const struct source *src, const char *trigger,
			       long long *run_id, struct lr_err *err)
    __attribute__((warn_unused_result));
/* Apply recs as the source's complete current listing, in one
 * transaction: all of it lands or none of it does. Unless flags has
 * CATALOG_APPLY_NO_GUARD, a run the guard distrusts (no rows, far fewer
 * than the last good run, many prices moved, a price moved by max_factor)
 * is kept as quarantined with its would-be diff instead: st->quarantine
 * says why and the catalog's values do not move. */
enum lr_code catalog_apply_run(struct catalog *cat, const struct source *src, long long run_id,
			       const struct run_fetch_info *fi, const struct records *recs,
			       int flags, struct run_stats *st, struct lr_err *err)
    __attribute__((warn_unused_result));
/* What applying recs would change, without writing anything (--dry-run):
 * rows of change ("added", "changed", "gone"), name, model, item, old,
 * new; the guard's verdict in st. Free diff with catalog_rows_free. */
enum lr_code catalog_preview(struct catalog *cat, const struct source *src,
			     const struct records *recs, struct catalog_rows *diff,
			     struct run_stats *st, struct lr_err *err)
    __attribute__((warn_unused_result));
/* The page of the source's open quarantined run, for --accept, or
 * LR_ERR_USAGE if nothing waits. */
enum lr_code catalog_quarantined_snapshot(struct catalog *cat, const char *source_id,
					  struct snapshot *out, struct lr_err *err)
    __attribute__((warn_unused_result));
/* Close the run as failed with reason, bump the source's failure count,
 * forget its validators; fi may carry a body to archive (a page that
 * was fetched but could not be read), or be NULL. */
/* Close a run that was stopped before its page arrived (the daemon is
 * stopping): outcome failed with reason, the source's counters and
 * validators untouched. */
enum lr_code catalog_stop_run(struct catalog *cat, long long run_id, const char *reason,
			      struct lr_err *err);
enum lr_code catalog_fail_run(struct catalog *cat, const struct source *src, long long run_id,
			      const struct run_fetch_info *fi, const char *reason,
			      struct lr_err *err);
/* Close the run as 'unchanged' (304, or the same body read the same way):
 * the source's review date advances; no catalog row is written. */
enum lr_code catalog_unchanged_run(struct catalog *cat, const struct source *src, long long run_id,
				   const struct run_fetch_info *fi, struct lr_err *err)
    __attribute__((warn_unused_result));
/* The source's remembered state; zeroes if it never ran. */
enum lr_code catalog_source_state(struct catalog *cat, const char *source_id,
				  struct source_state *st, struct lr_err *err)
    __attribute__((warn_unused_result));
/* The body of the source's last run that stored one, or LR_ERR_USAGE if
 * there is none. */
enum lr_code catalog_last_snapshot(struct catalog *cat, const char *source_id, struct snapshot *out,
				   struct lr_err *err) __attribute__((warn_unused_result));
void snapshot_free(struct snapshot *snap);

/* ---- the reading side (catalog_read.c): rows, never printed here ---- */

/* The rows of one query, copied out of libpq: names[ncols], and
 * cells[row * ncols + col] as text, NULL for SQL NULL. The CLI formats
 * them (src/cli/cli_print.c). */
struct catalog_rows {
	int ncols;
	long nrows;
	char **names;
	char **cells;
};
void catalog_rows_free(struct catalog_rows *rows);
static inline const char *
catalog_cell(const struct catalog_rows *r, long row, int col)
{
	return r->cells[row * r->ncols + col];
}

/* What the page builders' tree reads (catalog_site.c). MODELS: model id;
 * PAIRS: model_a, model_b; HISTORY: model id, its routes' dated prices
 * (JSON text); PROVIDERS: provider id, its routes (JSON text);
 * LAST_EVENT: one row, the id and time of the feed's last event but
 * alerts ("0", "" if none). */
enum catalog_site_part {
	CATALOG_SITE_MODELS,
	CATALOG_SITE_PAIRS,
	CATALOG_SITE_HISTORY,
	CATALOG_SITE_PROVIDERS,
	CATALOG_SITE_LAST_EVENT,
};
enum lr_code catalog_site_rows(struct catalog *cat, enum catalog_site_part part,
			       struct catalog_rows *out, struct lr_err *err)
    __attribute__((warn_unused_result));
/* HISTORY's rows of the models ids (a JSON array of strings) only. */
enum lr_code catalog_site_history_of(struct catalog *cat, const json_t *ids,
				     struct catalog_rows *out, struct lr_err *err)
    __attribute__((warn_unused_result));

/* The open unmatched names: source, name, canonical, since. */
enum lr_code catalog_read_unmatched(struct catalog *cat, struct catalog_rows *out,
				    struct lr_err *err) __attribute__((warn_unused_result));
/* Every source's state: id, provider, last attempt, last success,
 * consecutive failures, last error, last outcome. */
enum lr_code catalog_read_status(struct catalog *cat, struct catalog_rows *out, struct lr_err *err)
    __attribute__((warn_unused_result));
/* The open conflicts between sources. */
enum lr_code catalog_read_conflicts(struct catalog *cat, struct catalog_rows *out,
				    struct lr_err *err) __attribute__((warn_unused_result));
/* The open quarantined runs: run, source, at, reason, seen again, and
 * their would-be diff as a JSON array text. */
enum lr_code catalog_read_review(struct catalog *cat, struct catalog_rows *out, struct lr_err *err)
    __attribute__((warn_unused_result));
/* One model: its head row, resolved facts with their sources and review
 * dates, routes with current prices. LR_ERR_USAGE if it is unknown. */
enum lr_code catalog_read_model(struct catalog *cat, const char *model_id,
				struct catalog_rows *head, struct catalog_rows *facts,
				struct catalog_rows *routes, struct lr_err *err)
    __attribute__((warn_unused_result));
/* The price history of a model's routes (of one provider if provider is
 * not NULL), oldest first. LR_ERR_USAGE if the model is unknown. */
enum lr_code catalog_read_history(struct catalog *cat, const char *model_id, const char *provider,
				  struct catalog_rows *out, struct lr_err *err)
    __attribute__((warn_unused_result));
/* The whole catalog as one JSON document (a new string, caller frees). */
enum lr_code catalog_read_export(struct catalog *cat, char **doc, struct lr_err *err)
    __attribute__((warn_unused_result));

/* ---- the diff stage's side (catalog_diff.c) -------------------------- */

/* Begin a diff pass (one at a time: a transaction-scoped lock) and read
 * the models whose inputs changed since the last pass: a new object
 * {model id: "run id" or ""}. The transaction stays open until
 * catalog_diff_commit or catalog_diff_abort. */
enum lr_code catalog_diff_begin(struct catalog *cat, json_t **dirty, struct lr_err *err)
    __attribute__((warn_unused_result));
/* The inputs of every active model (one a provider serves), or of ids (a
 * JSON array or object keys) only: a new object {id: {"facts": {fact:
 * winning value}, "routes": [...], "last_reviewed": "YYYY-MM-DD"}}. */
enum lr_code catalog_model_inputs(struct catalog *cat, const json_t *ids, json_t **out,
				  struct lr_err *err) __attribute__((warn_unused_result));
/* The stored records of pairs involving any of ids: a new object
 * {"a|b": {"hash": ..., "record": JSON text}}. */
enum lr_code catalog_comparisons_of(struct catalog *cat, const json_t *ids, json_t **out,
				    struct lr_err *err) __attribute__((warn_unused_result));
/* Store the record of a < b and append its comparison.changed event with
 * changes (a JSON array text); run_id may be "". */
enum lr_code catalog_comparison_put(struct catalog *cat, const char *a, const char *b,
				    const char *record, const char *hash, const char *run_id,
				    const char *changes, struct lr_err *err)
    __attribute__((warn_unused_result));
/* Clear the dirty marks of ids (object keys) and commit the pass. */
enum lr_code catalog_diff_commit(struct catalog *cat, const json_t *ids, struct lr_err *err)
    __attribute__((warn_unused_result));
void catalog_diff_abort(struct catalog *cat);
/* Raise and resolve the stale-data alerts of the [alerts] settings:
 * sources older than their kind's maximum age, sources failing N runs in
 * a row, providers with no successful run for a while. */
enum lr_code catalog_check_alerts(struct catalog *cat, const struct config *cfg, struct lr_err *err)
    __attribute__((warn_unused_result));
/* Up to limit events after since: rows of (event as JSON text, id). */
enum lr_code catalog_read_events(struct catalog *cat, long long since, long limit,
				 struct catalog_rows *out, struct lr_err *err)
    __attribute__((warn_unused_result));
/* LISTEN for new events; then wait up to timeout_ms for one: 1 notified,
 * 0 not (timeout or a signal), -1 with err (connection lost). */
enum lr_code catalog_listen(struct catalog *cat, struct lr_err *err)
    __attribute__((warn_unused_result));
int catalog_wait_event(struct catalog *cat, int timeout_ms, struct lr_err *err);
/* Record that the database was away (once back): an alert raised and
 * resolved at once, with what happened. */
enum lr_code catalog_alert_database(struct catalog *cat, const char *what, struct lr_err *err)
    __attribute__((warn_unused_result));
/* The open alerts: kind, subject, since, why. */
enum lr_code catalog_read_alerts(struct catalog *cat, struct catalog_rows *out, struct lr_err *err)
    __attribute__((warn_unused_result));

/* ---- providers and their names (catalog_providers.c) ---------------- */

/* Write the configuration's providers (id, display name) and every name
 * they go by (provider_names), in one transaction; when any changed, the
 * served models are marked for the next diff pass. */
enum lr_code catalog_sync_providers(struct catalog *cat, const struct config *cfg,
				    struct lr_err *err) __attribute__((warn_unused_result));
/* The provider id a name resolves to ("" for none), through the SQL
 * function llmref_provider_of (migration 009), the one place a provider
 * name is resolved: router endpoints (provider_routes) and the rows of a
 * source that name their own provider use it alike. */
enum lr_code catalog_provider_of(struct catalog *cat, const char *name, char *id, size_t len,
				 struct lr_err *err) __attribute__((warn_unused_result));
/* List router names that resolve to no provider (unmatched_providers),
 * resolve those that now do or have left, and keep one
 * 'unmatched_providers' alert per source with its current count. */
enum lr_code catalog_check_providers(struct catalog *cat, struct lr_err *err)
    __attribute__((warn_unused_result));

#endif
