/* catalog_read.c - the catalog's reading side: status, unmatched names,
 * conflicts, quarantined runs, one model, price history and the export.
 * Every statement is a named constant, run through catalog_impl.h. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog/catalog.h"
#include "catalog/catalog_impl.h"

static const char SQL_UNMATCHED_LIST[] =
    "SELECT u.source_id, u.provider_model_id, u.model_id, r.started_at::date::text"
    " FROM unmatched u JOIN runs r ON r.id = u.first_run"
    " WHERE u.resolved_run IS NULL ORDER BY u.source_id, u.provider_model_id";
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
    "     'first_seen', (rv.first_seen AT TIME ZONE 'UTC')::date,"
    "     'last_reviewed', (rv.last_reviewed AT TIME ZONE 'UTC')::date)"
    "     ORDER BY r.provider_id, r.provider_model_id), '[]')"
    "    FROM routes r JOIN providers p ON p.id = r.provider_id"
    "    JOIN route_review rv ON rv.route_id = r.id"
    "    LEFT JOIN current_prices cp ON cp.route_id = r.id"
    "    LEFT JOIN current_route_facts cf ON cf.route_id = r.id"
    "     AND cf.fact = 'context_window'"
    "    WHERE r.model_id = m.id)) ORDER BY m.id) FROM models m), '[]'))";

static int
atoi_safe(const char *s)
{
	long v = strtol(s, NULL, 10);

	return v > 0x7fffffff ? 0x7fffffff : (int)v;
}

static void
status_row_json(FILE *out, PGresult *res, int i)
{
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id", PQgetvalue(res, i, 0), "provider",
	    PQgetvalue(res, i, 1), "last_attempt", PQgetvalue(res, i, 2), "last_success",
	    PQgetvalue(res, i, 3), "consecutive_failures", atoi_safe(PQgetvalue(res, i, 4)),
	    "last_error", PQgetvalue(res, i, 5), "last_outcome", PQgetvalue(res, i, 6));

	if (o != NULL) {
		json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		json_decref(o);
	}
}

enum lr_code
catalog_print_unmatched(struct catalog *cat, FILE *out, int json, struct lr_err *err)
{
	PGresult *res = db_exec(cat, SQL_UNMATCHED_LIST, 0, NULL, NULL, "unmatched", err);
	json_t *o;
	int i;

	if (res == NULL)
		return LR_ERR_DB;
	if (!json)
		fprintf(out, "%-20s %-44s %-32s %s\n", "SOURCE", "NAME", "CANONICAL", "SINCE");
	for (i = 0; i < PQntuples(res); i++) {
		if (!json) {
			fprintf(out, "%-20s %-44s %-32s %s\n", PQgetvalue(res, i, 0),
				PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
				PQgetvalue(res, i, 3));
			continue;
		}
		o = json_pack("{s:s, s:s, s:s, s:s}", "source", PQgetvalue(res, i, 0), "name",
			      PQgetvalue(res, i, 1), "canonical", PQgetvalue(res, i, 2), "since",
			      PQgetvalue(res, i, 3));
		if (o != NULL) {
			json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fputc('\n', out);
			json_decref(o);
		}
	}
	PQclear(res);
	return LR_OK;
}

enum lr_code
catalog_print_status(struct catalog *cat, FILE *out, int json, struct lr_err *err)
{
	PGresult *res = db_exec(cat, SQL_STATUS, 0, NULL, NULL, "status", err);
	int i;

	if (res == NULL)
		return LR_ERR_DB;
	if (!json)
		fprintf(out, "%-20s %-12s %-20s %-20s %5s %-9s %s\n", "SOURCE", "PROVIDER",
			"LAST ATTEMPT", "LAST SUCCESS", "FAILS", "OUTCOME", "LAST ERROR");
	for (i = 0; i < PQntuples(res); i++) {
		if (json)
			status_row_json(out, res, i);
		else
			fprintf(out, "%-20s %-12s %-20s %-20s %5s %-9s %s\n", PQgetvalue(res, i, 0),
				PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
				PQgetvalue(res, i, 4), PQgetvalue(res, i, 6),
				PQgetvalue(res, i, 5)[0] ? PQgetvalue(res, i, 5) : "-");
	}
	PQclear(res);
	return LR_OK;
}

/* ---- export -------------------------------------------------------- */

enum lr_code
catalog_export(struct catalog *cat, FILE *out, struct lr_err *err)
{
	PGresult *res = db_exec(cat, SQL_EXPORT, 0, NULL, NULL, "export", err);
	json_error_t jerr;
	json_t *doc;
	int rc;

	if (res == NULL)
		return LR_ERR_DB;
	/* The document holds strings and integers only (money is text), so a
	 * round trip through jansson for indentation is exact. */
	doc = json_loads(PQgetvalue(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (doc == NULL)
		return lr_err_set(err, LR_ERR_INTERNAL, NULL, NULL, "export: %s", jerr.text);
	rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (rc != 0 || fputc('\n', out) == EOF)
		return lr_err_set(err, LR_ERR_INTERNAL, NULL, NULL, "export: write failed");
	return LR_OK;
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
    " to_char(rv.last_reviewed, 'YYYY-MM-DD') AS last_reviewed"
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

/* Rows as JSON lines (column name: text, or null), or as a table whose
 * columns are as wide as their widest cell (capped), indented by indent. */
static void
print_rows(FILE *out, PGresult *res, int json, int indent)
{
	int widths[16] = { 0 }, nf = PQnfields(res), i, f;

	if (nf > 16)
		nf = 16;
	for (f = 0; f < nf && !json; f++)
		for (widths[f] = (int)strlen(PQfname(res, f)), i = 0; i < PQntuples(res); i++)
			if (PQgetlength(res, i, f) > widths[f])
				widths[f] =
				    PQgetlength(res, i, f) > 48 ? 48 : PQgetlength(res, i, f);
	for (f = 0; f < nf && !json; f++) {
		const char *name = PQfname(res, f);
		fprintf(out, "%*s", f == 0 ? indent : 1, "");
		for (; *name != '\0'; name++)
			fputc(*name == '_' ? ' ' : *name - ('a' <= *name && *name <= 'z') * 32,
			      out);
		fprintf(out, "%*s", widths[f] - (int)strlen(PQfname(res, f)), "");
	}
	if (!json)
		fputc('\n', out);
	for (i = 0; i < PQntuples(res); i++) {
		json_t *o = json ? json_object() : NULL;
		for (f = 0; f < nf; f++) {
			const char *v = PQgetisnull(res, i, f) ? NULL : PQgetvalue(res, i, f);
			if (o != NULL)
				json_object_set_new(o, PQfname(res, f),
						    v ? json_string(v) : json_null());
			else if (!json)
				fprintf(out, "%*s%-*s", f == 0 ? indent : 1, "", widths[f],
					v && *v ? v : "-");
		}
		if (o != NULL)
			json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		fputc('\n', out);
	}
}

static enum lr_code
print_query(struct catalog *cat, const char *sql, int n, const char *const *vals, FILE *out,
	    int json, int indent, const char *what, struct lr_err *err)
{
	PGresult *res = db_exec(cat, sql, n, vals, NULL, what, err);

	if (res == NULL)
		return LR_ERR_DB;
	print_rows(out, res, json, indent);
	PQclear(res);
	return LR_OK;
}

enum lr_code
catalog_print_query(struct catalog *cat, const char *sql, FILE *out, int json, const char *what,
		    struct lr_err *err)
{
	return print_query(cat, sql, 0, NULL, out, json, 0, what, err);
}

enum lr_code
catalog_print_conflicts(struct catalog *cat, FILE *out, int json, struct lr_err *err)
{
	return print_query(cat, SQL_CONFLICTS, 0, NULL, out, json, 0, "conflicts", err);
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
catalog_print_history(struct catalog *cat, const char *model_id, const char *provider, FILE *out,
		      int json, struct lr_err *err)
{
	const char *vals[2] = { model_id, provider ? provider : "" };

	if (model_known(cat, model_id, err) != LR_OK)
		return err->code;
	return print_query(cat, SQL_HISTORY, 2, vals, out, json, 0, "history", err);
}

/* One quarantined run in the table form: a heading, then its diff. */
static void
review_run_text(FILE *out, PGresult *res, int i)
{
	json_error_t jerr;
	json_t *diff = json_loads(PQgetvalue(res, i, 5), 0, &jerr), *d;
	size_t k;

	fprintf(out, "run %s  %s  %s  (page seen again %s times)\n  %s\n", PQgetvalue(res, i, 0),
		PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 4),
		PQgetvalue(res, i, 3));
	json_array_foreach(diff, k, d)
	{
		const char *ch = json_string_value(json_object_get(d, "change"));
		const char *old = json_string_value(json_object_get(d, "old"));
		const char *new = json_string_value(json_object_get(d, "new"));
		fprintf(out, "    %s %-44s %-24s %s%s%s\n",
			ch == NULL     ? "?"
			: ch[0] == 'a' ? "+"
			: ch[0] == 'c' ? "~"
				       : "-",
			json_string_value(json_object_get(d, "name")),
			json_string_value(json_object_get(d, "item")), old ? old : "",
			old && new ? " -> " : "", new ? new : "");
	}
	json_decref(diff);
}

static void
review_run_json(FILE *out, PGresult *res, int i)
{
	json_error_t jerr;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "run", PQgetvalue(res, i, 0), "source",
			      PQgetvalue(res, i, 1), "at", PQgetvalue(res, i, 2), "reason",
			      PQgetvalue(res, i, 3), "seen_again", PQgetvalue(res, i, 4));

	if (o == NULL)
		return;
	json_object_set_new(o, "diff", json_loads(PQgetvalue(res, i, 5), 0, &jerr));
	json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(o);
}

enum lr_code
catalog_print_review(struct catalog *cat, FILE *out, int json, struct lr_err *err)
{
	PGresult *res = db_exec(cat, SQL_REVIEW_RUNS, 0, NULL, NULL, "review", err);
	int i;

	if (res == NULL)
		return LR_ERR_DB;
	if (!json && PQntuples(res) == 0)
		fprintf(out, "no quarantined runs wait for review\n");
	for (i = 0; i < PQntuples(res); i++) {
		if (json)
			review_run_json(out, res, i);
		else
			review_run_text(out, res, i);
	}
	PQclear(res);
	return LR_OK;
}

/* The rows of sql ($1 = model) as a JSON array, for show model --json. */
static json_t *
rows_json(struct catalog *cat, const char *sql, const char *model_id, struct lr_err *err)
{
	const char *vals[1] = { model_id };
	PGresult *res = db_exec(cat, sql, 1, vals, NULL, "model", err);
	json_t *a = res ? json_array() : NULL;
	int i, f;

	for (i = 0; a != NULL && i < PQntuples(res); i++) {
		json_t *o = json_object();
		for (f = 0; o != NULL && f < PQnfields(res); f++)
			json_object_set_new(o, PQfname(res, f),
					    PQgetisnull(res, i, f)
						? json_null()
						: json_string(PQgetvalue(res, i, f)));
		json_array_append_new(a, o);
	}
	PQclear(res);
	return a;
}

static enum lr_code
print_model_json(struct catalog *cat, const char *model_id, FILE *out, struct lr_err *err)
{
	json_t *head = rows_json(cat, SQL_MODEL_HEAD, model_id, err);
	json_t *o = json_array_get(head, 0);
	enum lr_code rc = LR_ERR_DB;

	if (o != NULL) {
		json_object_set_new(o, "facts", rows_json(cat, SQL_MODEL_FACTS, model_id, err));
		json_object_set_new(o, "routes", rows_json(cat, SQL_MODEL_ROUTES, model_id, err));
		if (json_is_array(json_object_get(o, "facts")) &&
		    json_is_array(json_object_get(o, "routes"))) {
			json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			fputc('\n', out);
			rc = LR_OK;
		}
	}
	json_decref(head);
	return rc;
}

enum lr_code
catalog_print_model(struct catalog *cat, const char *model_id, FILE *out, int json,
		    struct lr_err *err)
{
	const char *vals[1] = { model_id };

	if (model_known(cat, model_id, err) != LR_OK)
		return err->code;
	if (json)
		return print_model_json(cat, model_id, out, err);
	if (print_query(cat, SQL_MODEL_HEAD, 1, vals, out, 0, 0, "model", err) != LR_OK)
		return LR_ERR_DB;
	fprintf(out, "\nfacts (WINS: the value page builders get; pinned = curated):\n");
	if (print_query(cat, SQL_MODEL_FACTS, 1, vals, out, 0, 2, "model", err) != LR_OK)
		return LR_ERR_DB;
	fprintf(out, "\nroutes:\n");
	return print_query(cat, SQL_MODEL_ROUTES, 1, vals, out, 0, 2, "model", err);
}
