/* catalog_read.c - the catalog's reading side: status, unmatched names,
 * conflicts, quarantined runs, one model, price history and the export,
 * returned as rows (struct catalog_rows) for the CLI to format. Every
 * statement is a named constant, run through catalog_impl.h. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_impl.h"

/* Model names that match no model, and provider names (a router's
 * endpoints) that resolve to no provider: kind says which. */
static const char SQL_UNMATCHED_LIST[] =
    "SELECT * FROM (SELECT u.source_id, u.provider_model_id, u.model_id,"
    "  r.started_at::date::text, 'model' AS kind"
    "  FROM unmatched u JOIN runs r ON r.id = u.first_run WHERE u.resolved_run IS NULL"
    " UNION ALL SELECT source_id, name, llmref_provider_key(name), first_seen::date::text,"
    "  'provider' FROM unmatched_providers WHERE resolved_at IS NULL) x"
    " ORDER BY 1, 5, 2";
static const char SQL_STATUS[] =
    "SELECT s.id, s.provider_id,"
    " coalesce(to_char(s.last_attempt, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '-'),"
    " coalesce(to_char(s.last_success, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '-'),"
    " s.consecutive_failures, coalesce(s.last_error, ''),"
    " coalesce((SELECT outcome FROM runs r WHERE r.source_id = s.id"
    "  ORDER BY r.id DESC LIMIT 1), '-')"
    " FROM sources s ORDER BY s.id";
static const char SQL_EXPORT[] =
    "SELECT json_build_object("
    " 'schema_version', (SELECT max(version) FROM schema_migrations),"
    " 'providers', coalesce((SELECT json_agg(json_build_object("
    "   'id', p.id, 'name', p.name) ORDER BY p.id) FROM providers p), '[]'),"
    " 'sources', coalesce((SELECT json_agg(json_build_object("
    "   'id', s.id, 'provider', s.provider_id, 'kind', s.kind, 'url', s.url,"
    "   'priority', s.priority, 'last_attempt', s.last_attempt,"
    "   'last_success', s.last_success, 'consecutive_failures', s.consecutive_failures,"
    "   'last_error', s.last_error) ORDER BY s.id) FROM sources s), '[]'),"
    " 'conflicts', coalesce((SELECT json_agg(json_build_object('model', c.model_id,"
    "   'fact', c.fact, 'source_a', c.source_a, 'value_a', c.value_a,"
    "   'source_b', c.source_b, 'value_b', c.value_b, 'since', c.opened_at) ORDER BY c.id)"
    "   FROM conflicts c WHERE c.closed_at IS NULL), '[]'),"
    " 'quarantined_runs', coalesce((SELECT json_agg(json_build_object('run', q.id,"
    "   'source', q.source_id, 'reason', q.error) ORDER BY q.id) FROM runs q"
    "   WHERE q.outcome = 'quarantined' AND q.resolved_run IS NULL"
    "   AND q.quarantine_of IS NULL), '[]'),"
    " 'models', coalesce((SELECT json_agg(json_build_object("
    "   'id', m.id, 'first_seen', (SELECT (started_at AT TIME ZONE 'UTC')::date FROM runs"
    "    WHERE id = m.first_run),"
    "   'last_reviewed', (SELECT (max(t) AT TIME ZONE 'UTC')::date FROM"
    "    (SELECT rv.last_reviewed AS t FROM routes r JOIN route_review rv"
    "     ON rv.route_id = r.id WHERE r.model_id = m.id AND r.status <> 'gone'"
    "     UNION ALL SELECT last_confirmed FROM stated_model_facts"
    "     WHERE model_id = m.id) x),"
    "   'facts', (SELECT coalesce(json_agg(json_build_object('fact', f.fact,"
    "     'value', f.value, 'source', f.source_id, 'priority', f.priority,"
    "     'wins', w.source_id = f.source_id, 'pinned', f.pinned, 'reason', f.reason,"
    "     'expires', f.expires, 'first_observed', f.first_observed,"
    "     'last_confirmed', (f.last_confirmed AT TIME ZONE 'UTC')::date)"
    "     ORDER BY f.fact, f.source_id), '[]')"
    "    FROM stated_model_facts f JOIN resolved_model_facts w"
    "    ON w.model_id = f.model_id AND w.fact = f.fact WHERE f.model_id = m.id),"
    "   'routes', (SELECT coalesce(json_agg(json_build_object("
    "     'provider', r.provider_id, 'provider_name', p.name,"
    "     'source', r.source_id, 'provider_model_id', r.provider_model_id,"
    "     'variant', r.variant, 'region', r.region, 'status', r.status,"
    "     'input', json_build_object('kind', cp.input_kind,"
    "       'usd_per_mtok', cp.input_usd_per_mtok::text),"
    "     'output', json_build_object('kind', cp.output_kind,"
    "       'usd_per_mtok', cp.output_usd_per_mtok::text),"
    "     'price_valid_from', cp.valid_from,"
    "     'context_window', cf.value::bigint,"
    "     'route_facts', (SELECT coalesce(json_object_agg(x.fact, x.value ORDER BY x.fact),"
    "      '{}') FROM current_route_facts x WHERE x.route_id = r.id"
    "      AND x.fact NOT IN ('context_window', 'prices')),"
    "     'prices', coalesce((SELECT x.value::json FROM current_route_facts x"
    "      WHERE x.route_id = r.id AND x.fact = 'prices'), '{}'),"
    "     'first_seen', (rv.first_seen AT TIME ZONE 'UTC')::date,"
    "     'last_reviewed', (rv.last_reviewed AT TIME ZONE 'UTC')::date)"
    "     ORDER BY r.provider_id, r.provider_model_id), '[]')"
    "    FROM routes r JOIN providers p ON p.id = r.provider_id"
    "    JOIN route_review rv ON rv.route_id = r.id"
    "    LEFT JOIN current_prices cp ON cp.route_id = r.id"
    "    LEFT JOIN current_route_facts cf ON cf.route_id = r.id"
    "     AND cf.fact = 'context_window'"
    "    WHERE r.model_id = m.id)) ORDER BY m.id) FROM models m), '[]'))";

enum lr_code
catalog_read_unmatched(struct catalog *cat, struct catalog_rows *out, struct lr_err *err)
{
	return db_rows(cat, SQL_UNMATCHED_LIST, 0, NULL, "unmatched", out, err);
}

enum lr_code
catalog_read_status(struct catalog *cat, struct catalog_rows *out, struct lr_err *err)
{
	return db_rows(cat, SQL_STATUS, 0, NULL, "status", out, err);
}

/* ---- export -------------------------------------------------------- */

enum lr_code
catalog_read_export(struct catalog *cat, char **doc, struct lr_err *err)
{
	PGresult *res = db_exec(cat, SQL_EXPORT, 0, NULL, NULL, "export", err);

	*doc = NULL;
	if (res == NULL)
		return LR_ERR_DB;
	*doc = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return *doc != NULL ? LR_OK
			    : lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "export: out of memory");
}

/* ---- generic listings ---------------------------------------------- */

static const char SQL_CONFLICTS[] =
    "SELECT c.model_id AS model, c.fact, c.source_a, c.value_a, c.source_b, c.value_b,"
    " to_char(c.opened_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS since, c.opened_run::text AS run"
    " FROM conflicts c WHERE c.closed_at IS NULL ORDER BY c.model_id, c.fact, c.id";
static const char SQL_REVIEW_RUNS[] =
    "SELECT r.id::text AS run, r.source_id AS source,"
    " to_char(r.started_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS at, r.error AS reason,"
    " (SELECT count(*) FROM runs d WHERE d.quarantine_of = r.id)::text AS seen_again,"
    " coalesce((SELECT json_agg(json_build_object('change', q.change, 'name',"
    "  q.provider_model_id, 'model', q.model_id, 'item', q.item, 'old', q.old_value,"
    "  'new', q.new_value) ORDER BY q.change, q.provider_model_id, q.item)"
    "  FROM quarantine_diff q WHERE q.run_id = r.id), '[]')::text AS diff"
    " FROM runs r WHERE r.outcome = 'quarantined' AND r.resolved_run IS NULL"
    " AND r.quarantine_of IS NULL ORDER BY r.source_id, r.id";
static const char SQL_HISTORY[] =
    "SELECT r.provider_id AS provider, r.source_id AS source,"
    " r.provider_model_id AS name, llmref_price_text(h.input_kind, h.input_usd_per_mtok)"
    " AS input_usd_per_mtok, llmref_price_text(h.output_kind, h.output_usd_per_mtok)"
    " AS output_usd_per_mtok,"
    " to_char(h.valid_from, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS valid_from,"
    " to_char(h.valid_to, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS valid_to,"
    " to_char(h.recorded_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS recorded_at,"
    " h.run_id::text AS run"
    " FROM price_history h JOIN routes r ON r.id = h.route_id"
    " WHERE r.model_id = $1 AND ($2 = '' OR r.provider_id = $2)"
    " ORDER BY r.provider_id, r.provider_model_id, h.valid_from, h.id";
static const char SQL_MODEL_EXISTS[] = "SELECT count(*) FROM models WHERE id = $1";
static const char SQL_MODEL_FACTS[] =
    "SELECT f.fact, f.value, f.source_id AS source,"
    " CASE WHEN w.source_id = f.source_id THEN (CASE WHEN f.pinned THEN 'pinned'"
    "  ELSE 'yes' END) ELSE '' END AS wins, f.priority::text AS priority,"
    " to_char(f.first_observed, 'YYYY-MM-DD') AS first_observed,"
    " to_char(f.last_confirmed, 'YYYY-MM-DD') AS last_confirmed, f.reason"
    " FROM stated_model_facts f JOIN resolved_model_facts w"
    " ON w.model_id = f.model_id AND w.fact = f.fact"
    " WHERE f.model_id = $1 ORDER BY f.fact, w.source_id <> f.source_id, f.source_id";
static const char SQL_MODEL_ROUTES[] =
    "SELECT r.provider_id AS provider, r.source_id AS source, r.provider_model_id AS name,"
    " r.status, llmref_price_text(p.input_kind, p.input_usd_per_mtok) AS input_usd_per_mtok,"
    " llmref_price_text(p.output_kind, p.output_usd_per_mtok) AS output_usd_per_mtok,"
    " cf.value AS context_window, to_char(rv.first_seen, 'YYYY-MM-DD') AS first_seen,"
    " to_char(rv.last_reviewed, 'YYYY-MM-DD') AS last_reviewed,"
    " coalesce((SELECT string_agg(x.fact || '=' || x.value, ' ' ORDER BY x.fact)"
    "  FROM current_route_facts x WHERE x.route_id = r.id"
    "  AND x.fact NOT IN ('context_window', 'prices')), '') AS route_facts,"
    " coalesce((SELECT string_agg(e.key || '=' || e.value, ', ' ORDER BY e.key)"
    "  FROM current_route_facts x, json_each_text(x.value::json) e"
    "  WHERE x.route_id = r.id AND x.fact = 'prices'), '') AS prices"
    " FROM routes r JOIN route_review rv ON rv.route_id = r.id"
    " LEFT JOIN current_prices p ON p.route_id = r.id"
    " LEFT JOIN current_route_facts cf ON cf.route_id = r.id AND cf.fact = 'context_window'"
    " WHERE r.model_id = $1 ORDER BY r.status = 'gone', r.provider_id, r.provider_model_id";
static const char SQL_MODEL_HEAD[] =
    "SELECT m.id AS model, to_char(f.started_at, 'YYYY-MM-DD') AS first_seen,"
    " to_char(greatest((SELECT max(rv.last_reviewed) FROM routes r"
    "  JOIN route_review rv ON rv.route_id = r.id WHERE r.model_id = m.id"
    "  AND r.status <> 'gone'), (SELECT max(s.last_confirmed) FROM stated_model_facts s"
    "  WHERE s.model_id = m.id)), 'YYYY-MM-DD') AS last_reviewed,"
    " (SELECT count(*) FROM conflicts c WHERE c.model_id = m.id"
    "  AND c.closed_at IS NULL)::text AS open_conflicts"
    " FROM models m JOIN runs f ON f.id = m.first_run WHERE m.id = $1";

enum lr_code
catalog_read_conflicts(struct catalog *cat, struct catalog_rows *out, struct lr_err *err)
{
	return db_rows(cat, SQL_CONFLICTS, 0, NULL, "conflicts", out, err);
}

/* LR_OK if the model exists, else LR_ERR_USAGE (or LR_ERR_DB). */
static enum lr_code
model_known(struct catalog *cat, const char *model_id, struct lr_err *err)
{
	const char *vals[1] = { model_id };
	long n = db_count(cat, SQL_MODEL_EXISTS, 1, vals, NULL, "model", err);

	if (n < 0)
		return LR_ERR_DB;
	if (n == 0)
		return lr_err_set(err, LR_ERR_USAGE, NULL, NULL,
				  "no model '%s' in the catalog (llmref export catalog lists them)",
				  model_id);
	return LR_OK;
}

enum lr_code
catalog_read_history(struct catalog *cat, const char *model_id, const char *provider,
		     struct catalog_rows *out, struct lr_err *err)
{
	const char *vals[2] = { model_id, provider ? provider : "" };

	memset(out, 0, sizeof(*out));
	if (model_known(cat, model_id, err) != LR_OK)
		return err->code;
	return db_rows(cat, SQL_HISTORY, 2, vals, "history", out, err);
}

enum lr_code
catalog_read_review(struct catalog *cat, struct catalog_rows *out, struct lr_err *err)
{
	return db_rows(cat, SQL_REVIEW_RUNS, 0, NULL, "review", out, err);
}

enum lr_code
catalog_read_model(struct catalog *cat, const char *model_id, struct catalog_rows *head,
		   struct catalog_rows *facts, struct catalog_rows *routes, struct lr_err *err)
{
	const char *vals[1] = { model_id };

	memset(head, 0, sizeof(*head));
	memset(facts, 0, sizeof(*facts));
	memset(routes, 0, sizeof(*routes));
	if (model_known(cat, model_id, err) != LR_OK)
		return err->code;
	if (db_rows(cat, SQL_MODEL_HEAD, 1, vals, "model", head, err) == LR_OK &&
	    db_rows(cat, SQL_MODEL_FACTS, 1, vals, "model", facts, err) == LR_OK &&
	    db_rows(cat, SQL_MODEL_ROUTES, 1, vals, "model", routes, err) == LR_OK)
		return LR_OK;
	catalog_rows_free(head);
	catalog_rows_free(facts);
	catalog_rows_free(routes);
	return err->code;
}
