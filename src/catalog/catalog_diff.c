/* catalog_diff.c - the catalog's side of the diff stage: the inputs of
 * comparison records, the stored records and their hashes, the change
 * feed (events, NOTIFY) and the stale-data alerts. */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "catalog/catalog.h"
#include "catalog/catalog_impl.h"

#define CATALOG_DIFF_LOCK 0x4c4c4446 /* "LLDF" */

static const char SQL_DIFF_LOCK[] = "SELECT pg_advisory_xact_lock($1::bigint)";
static const char SQL_DIRTY[] =
    "SELECT model_id, coalesce(run_id::text, '') FROM dirty_models ORDER BY model_id FOR UPDATE";
static const char SQL_DIRTY_DONE[] = "DELETE FROM dirty_models WHERE model_id = ANY($1::text[])";
/* Announced prices that came into force since the last pass. */
static const char SQL_DIRTY_DUE[] =
    "INSERT INTO dirty_models (model_id, run_id)"
    " SELECT DISTINCT ON (r.model_id) r.model_id, p.run_id FROM prices p"
    " JOIN routes r ON r.id = p.route_id"
    " WHERE p.valid_from > p.recorded_at AND p.valid_from <= now()"
    " AND p.valid_from > (SELECT last_pass FROM diff_state)"
    " ORDER BY r.model_id, p.run_id DESC ON CONFLICT (model_id) DO NOTHING";
static const char SQL_PASS_DONE[] = "UPDATE diff_state SET last_pass = now()";
/* $1: text[] of model ids, or NULL for every active model. */
static const char SQL_MODEL_INPUTS[] =
    "WITH pr AS MATERIALIZED (SELECT * FROM provider_routes"
    "  WHERE $1::text[] IS NULL OR model_id = ANY($1::text[])),"
    " rf AS (SELECT f.model_id, json_object_agg(f.fact, f.value ORDER BY f.fact) AS facts,"
    "  max(f.last_confirmed) AS reviewed FROM resolved_model_facts f"
    "  WHERE f.model_id IN (SELECT model_id FROM pr) GROUP BY f.model_id),"
    " ro AS (SELECT pr.model_id, json_agg(json_build_object('provider', pr.provider,"
    "  'provider_name', pr.provider_name, 'input_usd_per_mtok', CASE cp.input_kind"
    "   WHEN 'value' THEN cp.input_usd_per_mtok::text WHEN 'free' THEN '0' END,"
    "  'output_usd_per_mtok', CASE cp.output_kind WHEN 'value'"
    "   THEN cp.output_usd_per_mtok::text WHEN 'free' THEN '0' END,"
    "  'status', pr.status, 'variant', pr.variant, 'context_window', fx.cw,"
    "  'prices', coalesce(fx.prices::json, '{}'::json),"
    "  'route_facts', coalesce(fx.facts, '{}'::json),"
    "  'last_reviewed', to_char(rv.last_reviewed, 'YYYY-MM-DD'))"
    "  ORDER BY pr.provider) AS routes, max(rv.last_reviewed) AS reviewed"
    /* each route's price in force and its facts are read by key, not
     * through current_prices and current_route_facts, which sort the
     * whole catalog's (0.17 s of a 20-pair pass at 24,000 routes) */
    "  FROM pr LEFT JOIN LATERAL (SELECT x.input_kind, x.input_usd_per_mtok, x.output_kind,"
    "   x.output_usd_per_mtok FROM prices x WHERE x.route_id = pr.route_id"
    "   AND x.valid_from <= now() ORDER BY x.valid_from DESC, x.id DESC LIMIT 1) cp ON true"
    /* the last row of each of the route's facts: the context window, the
     * other prices, the rest */
    "  LEFT JOIN LATERAL (SELECT max(x.value) FILTER (WHERE x.fact = 'context_window') AS cw,"
    "   json_object_agg(x.fact, x.value ORDER BY x.fact) FILTER (WHERE x.value IS NOT NULL"
    "    AND x.fact NOT IN ('context_window', 'prices')) AS facts,"
    "   max(x.value) FILTER (WHERE x.fact = 'prices') AS prices"
    "   FROM (SELECT DISTINCT ON (f.fact) f.fact, f.value FROM route_facts f"
    "    WHERE f.route_id = pr.route_id ORDER BY f.fact, f.id DESC) x) fx ON true"
    "  JOIN route_review rv ON rv.route_id = pr.route_id GROUP BY pr.model_id)"
    " SELECT ro.model_id, json_build_object('facts', coalesce(rf.facts, '{}'::json),"
    "  'routes', ro.routes, 'last_reviewed',"
    "  to_char(greatest(ro.reviewed, rf.reviewed), 'YYYY-MM-DD'))::text"
    " FROM ro LEFT JOIN rf USING (model_id) ORDER BY ro.model_id";
static const char SQL_COMPARISONS_OF[] =
    "SELECT model_a, model_b, record_hash, record FROM comparisons"
    " WHERE model_a = ANY($1::text[]) OR model_b = ANY($1::text[])";
static const char SQL_COMPARISON_PUT[] =
    "INSERT INTO comparisons (model_a, model_b, record, record_hash, run_id)"
    " VALUES ($1, $2, $3, $4, nullif($5, '')::bigint)"
    " ON CONFLICT (model_a, model_b) DO UPDATE SET record = EXCLUDED.record,"
    " record_hash = EXCLUDED.record_hash, run_id = EXCLUDED.run_id, updated_at = now()";
static const char SQL_EVENT_COMPARISON[] =
    "INSERT INTO events (kind, subject, payload, run_id)"
    " VALUES ('comparison.changed', $1::text || '|' || $2::text, jsonb_build_object('pair',"
    " jsonb_build_array($1::text, $2::text), 'record_hash', $4::text, 'changes', $3::jsonb,"
    " 'run', nullif($5, '')::bigint), nullif($5, '')::bigint)";
static const char SQL_EVENTS_SINCE[] =
    "SELECT json_build_object('id', id, 'kind', kind, 'subject', subject,"
    " 'run', run_id, 'at', to_char(created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    " 'payload', payload)::text, id FROM events WHERE id > $1::bigint ORDER BY id LIMIT $2";
static const char SQL_LISTEN[] = "LISTEN llmref_events";
/* The database was away (known only once it is back): one alert, raised
 * and resolved, so the feed says when. $1 what happened. */
static const char SQL_DB_ALERT[] =
    "WITH a AS (INSERT INTO alerts (kind, subject, message) VALUES ('database', 'catalog', $1)"
    " ON CONFLICT (kind, subject) WHERE resolved_at IS NULL DO NOTHING RETURNING id)"
    " SELECT id FROM a";
static const char SQL_DB_ALERT_END[] =
    "UPDATE alerts SET resolved_at = now() WHERE kind = 'database' AND resolved_at IS NULL";
static const char SQL_ALERTS[] =
    "SELECT kind, subject, to_char(raised_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS since,"
    " message FROM alerts WHERE resolved_at IS NULL ORDER BY raised_at, id";

/* Stale data: $1..$5 the maximum age in seconds of the sources of kind
 * pricing, model_card, benchmarks, capabilities, curated (0 = never). */
static const char SQL_STALE_RAISE[] =
    "INSERT INTO alerts (kind, subject, message)"
    " SELECT 'stale', s.id, 'source ' || s.id || ': ' || s.kind || ' data last confirmed '"
    "  || coalesce(to_char(s.last_success, 'YYYY-MM-DD HH24:MI\"Z\"'), 'never')"
    "  || ', older than ' || (m.sec || ' seconds')::interval"
    " FROM sources s JOIN (VALUES ('pricing', $1::bigint), ('model_card', $2::bigint),"
    "  ('benchmarks', $3::bigint), ('capabilities', $4::bigint), ('curated', $5::bigint))"
    "  m(kind, sec) ON m.kind = s.kind"
    " WHERE m.sec > 0 AND coalesce(s.last_success, (SELECT min(started_at) FROM runs r"
    "  WHERE r.source_id = s.id)) < now() - (m.sec || ' seconds')::interval"
    " ON CONFLICT (kind, subject) WHERE resolved_at IS NULL DO NOTHING";
static const char SQL_STALE_RESOLVE[] =
    "UPDATE alerts a SET resolved_at = now() FROM sources s"
    " JOIN (VALUES ('pricing', $1::bigint), ('model_card', $2::bigint),"
    "  ('benchmarks', $3::bigint), ('capabilities', $4::bigint), ('curated', $5::bigint))"
    "  m(kind, sec) ON m.kind = s.kind"
    " WHERE a.kind = 'stale' AND a.resolved_at IS NULL AND a.subject = s.id"
    " AND (m.sec = 0 OR s.last_success >= now() - (m.sec || ' seconds')::interval)";
/* A source failing $1 runs in a row (0 = never). */
static const char SQL_FAILING_RAISE[] =
    "INSERT INTO alerts (kind, subject, message)"
    " SELECT 'failing', id, 'source ' || id || ': ' || consecutive_failures"
    "  || ' failed runs in a row; the last: ' || coalesce(last_error, '?') FROM sources"
    " WHERE $1::integer > 0 AND consecutive_failures >= $1::integer"
    " ON CONFLICT (kind, subject) WHERE resolved_at IS NULL DO NOTHING";
static const char SQL_FAILING_RESOLVE[] =
    "UPDATE alerts a SET resolved_at = now() FROM sources s"
    " WHERE a.kind = 'failing' AND a.resolved_at IS NULL AND a.subject = s.id"
    " AND ($1::integer = 0 OR s.consecutive_failures < $1::integer)";
/* A provider with no successful run of any source for $1 seconds. */
static const char SQL_SILENT_RAISE[] =
    "INSERT INTO alerts (kind, subject, message)"
    " SELECT 'provider_silent', p.id, 'provider ' || p.id || ': no successful run since '"
    "  || coalesce(to_char(max(s.last_success), 'YYYY-MM-DD HH24:MI\"Z\"'), 'ever')"
    " FROM providers p JOIN sources s ON s.provider_id = p.id"
    " WHERE $1::bigint > 0 GROUP BY p.id"
    " HAVING coalesce(max(s.last_success), min(s.last_attempt))"
    "  < now() - ($1::bigint || ' seconds')::interval"
    " ON CONFLICT (kind, subject) WHERE resolved_at IS NULL DO NOTHING";
static const char SQL_SILENT_RESOLVE[] =
    "UPDATE alerts a SET resolved_at = now()"
    " WHERE a.kind = 'provider_silent' AND a.resolved_at IS NULL AND ($1::bigint = 0"
    " OR EXISTS (SELECT 1 FROM sources s WHERE s.provider_id = a.subject"
    "  AND s.last_success >= now() - ($1::bigint || ' seconds')::interval))";

enum lr_code
catalog_diff_begin(struct catalog *cat, json_t **dirty, struct lr_err *err)
{
	char key[24];
	const char *lv[1] = { key };
	PGresult *res;
	int i, n;

	*dirty = NULL;
	snprintf(key, sizeof(key), "%d", CATALOG_DIFF_LOCK);
	if (db_cmd(cat, "BEGIN", 0, NULL, NULL, "begin", err) != LR_OK)
		return LR_ERR_DB;
	if (db_cmd(cat, SQL_DIFF_LOCK, 1, lv, NULL, "diff lock", err) != LR_OK ||
	    db_cmd(cat, SQL_DIRTY_DUE, 0, NULL, NULL, "dirty models", err) != LR_OK ||
	    (res = db_exec(cat, SQL_DIRTY, 0, NULL, NULL, "dirty models", err)) == NULL) {
		db_rollback(cat);
		return LR_ERR_DB;
	}
	*dirty = json_object();
	n = PQntuples(res);
	for (i = 0; *dirty != NULL && i < n; i++)
		if (json_object_set_new(*dirty, PQgetvalue(res, i, 0),
					json_string(PQgetvalue(res, i, 1))) != 0)
			break;
	PQclear(res);
	if (*dirty == NULL || i < n) {
		json_decref(*dirty);
		*dirty = NULL;
		db_rollback(cat);
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	}
	return LR_OK;
}

/* Rows of (key, JSON text) into a new object {key: parsed}. */
static json_t *
rows_to_object(PGresult *res, struct lr_err *err)
{
	json_t *out = json_object(), *v;
	json_error_t jerr;
	int i;

	for (i = 0; out != NULL && i < PQntuples(res); i++) {
		v = json_loads(PQgetvalue(res, i, 1), 0, &jerr);
		if (v == NULL || json_object_set_new(out, PQgetvalue(res, i, 0), v) != 0) {
			lr_err_set(err, LR_ERR_INTERNAL, NULL, NULL, "model inputs: %s",
				   v ? "out of memory" : jerr.text);
			json_decref(out);
			return NULL;
		}
	}
	if (out == NULL)
		lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	return out;
}

enum lr_code
catalog_model_inputs(struct catalog *cat, const json_t *ids, json_t **out, struct lr_err *err)
{
	char *arr = ids ? pg_text_array(ids) : NULL;
	const char *vals[1] = { arr };
	PGresult *res;

	*out = NULL;
	if (ids != NULL && arr == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	res = db_exec(cat, SQL_MODEL_INPUTS, 1, vals, NULL, "model inputs", err);
	free(arr);
	if (res == NULL)
		return LR_ERR_DB;
	*out = rows_to_object(res, err);
	PQclear(res);
	return *out ? LR_OK : err->code;
}

enum lr_code
catalog_comparisons_of(struct catalog *cat, const json_t *ids, json_t **out, struct lr_err *err)
{
	char *arr = pg_text_array(ids), pair[300];
	const char *vals[1] = { arr };
	PGresult *res;
	int i;

	*out = NULL;
	if (arr == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	res = db_exec(cat, SQL_COMPARISONS_OF, 1, vals, NULL, "comparisons", err);
	free(arr);
	if (res == NULL)
		return LR_ERR_DB;
	*out = json_object();
	for (i = 0; *out != NULL && i < PQntuples(res); i++) {
		snprintf(pair, sizeof(pair), "%s|%s", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
		json_object_set_new(*out, pair,
				    json_pack("{s:s, s:s}", "hash", PQgetvalue(res, i, 2), "record",
					      PQgetvalue(res, i, 3)));
	}
	PQclear(res);
	return *out ? LR_OK : lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
}

enum lr_code
catalog_comparison_put(struct catalog *cat, const char *a, const char *b, const char *record,
		       const char *hash, const char *run_id, const char *changes,
		       struct lr_err *err)
{
	const char *pv[5] = { a, b, record, hash, run_id };
	const char *ev[5] = { a, b, changes, hash, run_id };

	if (db_cmd(cat, SQL_COMPARISON_PUT, 5, pv, NULL, "comparison", err) != LR_OK)
		return LR_ERR_DB;
	return db_cmd(cat, SQL_EVENT_COMPARISON, 5, ev, NULL, "event", err);
}

enum lr_code
catalog_diff_commit(struct catalog *cat, const json_t *ids, struct lr_err *err)
{
	char *arr = pg_text_array(ids);
	const char *vals[1] = { arr };
	enum lr_code rc;

	if (arr == NULL) {
		db_rollback(cat);
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	}
	rc = db_cmd(cat, SQL_DIRTY_DONE, 1, vals, NULL, "dirty models", err);
	free(arr);
	if (rc == LR_OK)
		rc = db_cmd(cat, SQL_PASS_DONE, 0, NULL, NULL, "diff state", err);
	if (rc == LR_OK)
		rc = db_cmd(cat, "COMMIT", 0, NULL, NULL, "commit", err);
	if (rc != LR_OK)
		db_rollback(cat);
	return rc;
}

void
catalog_diff_abort(struct catalog *cat)
{
	db_rollback(cat);
}

enum lr_code
catalog_check_alerts(struct catalog *cat, const struct config *cfg, struct lr_err *err)
{
	char age[SOURCE_KIND_COUNT][24], fail[24], silence[24];
	const char *av[SOURCE_KIND_COUNT] = { age[0], age[1], age[2], age[3], age[4] };
	const char *fv[1] = { fail }, *sv[1] = { silence };
	int k;

	_Static_assert(SOURCE_KIND_COUNT == 5, "SQL_STALE_* take one age per source kind");
	for (k = 0; k < SOURCE_KIND_COUNT; k++)
		snprintf(age[k], sizeof(age[k]), "%ld", cfg->alert_max_age_sec[k]);
	snprintf(fail, sizeof(fail), "%ld", cfg->alert_failing_runs);
	snprintf(silence, sizeof(silence), "%ld", cfg->alert_provider_silence_sec);
	if (db_cmd(cat, SQL_STALE_RESOLVE, SOURCE_KIND_COUNT, av, NULL, "alerts", err) != LR_OK ||
	    db_cmd(cat, SQL_STALE_RAISE, SOURCE_KIND_COUNT, av, NULL, "alerts", err) != LR_OK ||
	    db_cmd(cat, SQL_FAILING_RESOLVE, 1, fv, NULL, "alerts", err) != LR_OK ||
	    db_cmd(cat, SQL_FAILING_RAISE, 1, fv, NULL, "alerts", err) != LR_OK ||
	    db_cmd(cat, SQL_SILENT_RESOLVE, 1, sv, NULL, "alerts", err) != LR_OK ||
	    db_cmd(cat, SQL_SILENT_RAISE, 1, sv, NULL, "alerts", err) != LR_OK)
		return LR_ERR_DB;
	return LR_OK;
}

enum lr_code
catalog_read_events(struct catalog *cat, long long since, long limit, struct catalog_rows *out,
		    struct lr_err *err)
{
	char s[24], l[24];
	const char *vals[2] = { s, l };

	snprintf(s, sizeof(s), "%lld", since);
	snprintf(l, sizeof(l), "%ld", limit);
	return db_rows(cat, SQL_EVENTS_SINCE, 2, vals, "events", out, err);
}

enum lr_code
catalog_listen(struct catalog *cat, struct lr_err *err)
{
	return db_cmd(cat, SQL_LISTEN, 0, NULL, NULL, "listen", err);
}

int
catalog_wait_event(struct catalog *cat, int timeout_ms, struct lr_err *err)
{
	struct pollfd pfd = { PQsocket(cat->conn), POLLIN, 0 };
	PGnotify *n;
	int got = 0, rc;

	if (pfd.fd < 0)
		return lr_err_set(err, LR_ERR_DB, NULL, NULL, "database connection lost"), -1;
	rc = poll(&pfd, 1, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -1;
	if (rc > 0 && PQconsumeInput(cat->conn) == 0) {
		lr_err_set(err, LR_ERR_DB, NULL, NULL, "database: %s", PQerrorMessage(cat->conn));
		return -1;
	}
	while ((n = PQnotifies(cat->conn)) != NULL) {
		got = 1;
		PQfreemem(n);
	}
	return got;
}

enum lr_code
catalog_alert_database(struct catalog *cat, const char *what, struct lr_err *err)
{
	const char *vals[1] = { what };

	if (db_cmd(cat, SQL_DB_ALERT, 1, vals, NULL, "alert", err) != LR_OK)
		return LR_ERR_DB;
	return db_cmd(cat, SQL_DB_ALERT_END, 0, NULL, NULL, "alert", err);
}

enum lr_code
catalog_read_alerts(struct catalog *cat, struct catalog_rows *out, struct lr_err *err)
{
	return db_rows(cat, SQL_ALERTS, 0, NULL, "alerts", out, err);
}
