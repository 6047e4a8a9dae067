/* catalog.c - every SQL statement the program runs (besides the
 * migrations in src/sql/), all parameterized; COPY for bulk rows. */
#include "autoconf.h"

#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "buf.h"
#include "catalog.h"
#include "migrations.h"

#define CATALOG_MIGRATE_LOCK  0x4c4c4d52 /* "LLMR" */
#define CATALOG_COPY_LINE_MAX 2048

struct catalog {
	PGconn *conn;
};

/* ---- statements ---------------------------------------------------- */

static const char SQL_SESSION_MESSAGES[] = "SET client_min_messages = warning";
static const char SQL_SESSION_TZ[] = "SET TIME ZONE 'UTC'";

static const char SQL_MIGRATIONS_TABLE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
					   " version integer PRIMARY KEY, name text NOT NULL,"
					   " applied_at timestamptz NOT NULL DEFAULT now())";
static const char SQL_MIGRATION_DONE[] = "SELECT 1 FROM schema_migrations WHERE version = $1";
static const char SQL_MIGRATION_RECORD[] =
    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)";
static const char SQL_SCHEMA_VERSION[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";

static const char SQL_LOCK[] =
    "SELECT pg_try_advisory_lock(hashtextextended('llmref.source:' || $1, 0))";
static const char SQL_UNLOCK[] =
    "SELECT pg_advisory_unlock(hashtextextended('llmref.source:' || $1, 0))";
static const char SQL_LOCK_HOLDER[] =
    "SELECT a.pid, coalesce(a.application_name, ''),"
    " coalesce(host(a.client_addr), 'local'), a.backend_start::text"
    " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
    " AND ((l.classid::bigint << 32) | l.objid::bigint)"
    "   = hashtextextended('llmref.source:' || $1, 0) LIMIT 1";

static const char SQL_UPSERT_PROVIDER[] = "INSERT INTO providers (id, name) VALUES ($1, $2)"
					  " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name"
					  " WHERE providers.name IS DISTINCT FROM EXCLUDED.name";
static const char SQL_UPSERT_SOURCE[] =
    "INSERT INTO sources (id, provider_id, kind, url, last_attempt)"
    " VALUES ($1, $2, $3, $4, now())"
    " ON CONFLICT (id) DO UPDATE SET provider_id = EXCLUDED.provider_id,"
    " kind = EXCLUDED.kind, url = EXCLUDED.url, last_attempt = now()";
static const char SQL_RUN_BEGIN[] =
    "INSERT INTO runs (source_id, trigger) VALUES ($1, $2) RETURNING id";

static const char SQL_INCOMING[] =
    "CREATE TEMP TABLE llmref_incoming ("
    " provider_model_id text NOT NULL, model_id text NOT NULL,"
    " variant text NOT NULL, region text NOT NULL, input_kind text NOT NULL,"
    " input_usd numeric, output_kind text NOT NULL, output_usd numeric,"
    " context_window bigint, max_output bigint, cached_input text,"
    " deprecation_date text, tier_threshold bigint, tier_input text, tier_output text,"
    " fact text, value text, reason text, expires text)"
    " ON COMMIT DROP";
static const char SQL_COPY_INCOMING[] =
    "COPY llmref_incoming (provider_model_id, model_id, variant, region,"
    " input_kind, input_usd, output_kind, output_usd, context_window, max_output,"
    " cached_input, deprecation_date, tier_threshold, tier_input, tier_output,"
    " fact, value, reason, expires)"
    " FROM STDIN";
/* Model facts: $1 source, $2 run. Returns added, changed. */
static const char SQL_MERGE_FACTS[] =
    "WITH cur AS (SELECT DISTINCT ON (model_id, fact) model_id, fact, value,"
    "  nullif(reason, '') AS reason, nullif(expires, '') AS expires"
    "  FROM llmref_incoming ORDER BY model_id, fact, provider_model_id),"
    " diff AS (SELECT c.*, m.model_id IS NOT NULL AS existed FROM cur c"
    "  LEFT JOIN current_model_facts m ON m.model_id = c.model_id"
    "  AND m.fact = c.fact AND m.source_id = $1"
    "  WHERE m.model_id IS NULL OR (m.value, m.reason, m.expires)"
    "   IS DISTINCT FROM (c.value, c.reason, c.expires)),"
    " ins AS (INSERT INTO model_facts (model_id, fact, value, source_id, run_id,"
    "  reason, expires)"
    "  SELECT model_id, fact, value, $1, $2::bigint, reason, expires FROM diff"
    "  RETURNING 1)"
    " SELECT (SELECT count(*) FROM ins) - count(*) FILTER (WHERE existed),"
    " count(*) FILTER (WHERE existed) FROM diff";
/* Unmatched names: $1 source, $2 run, $3 may the source create models.
 * First close what no longer waits, then open what is new and take every
 * waiting row out of the incoming set. */
static const char SQL_UNMATCHED_RESOLVE[] =
    "UPDATE unmatched u SET resolved_run = $2::bigint"
    " WHERE u.source_id = $1 AND u.resolved_run IS NULL AND NOT EXISTS"
    " (SELECT 1 FROM llmref_incoming i WHERE i.provider_model_id = u.provider_model_id"
    "  AND NOT $3::boolean AND NOT EXISTS (SELECT 1 FROM models m WHERE m.id = i.model_id))";
static const char SQL_UNMATCHED_OPEN[] =
    "WITH w AS (SELECT i.provider_model_id, i.model_id FROM llmref_incoming i"
    "  WHERE NOT $3::boolean AND NOT EXISTS"
    "  (SELECT 1 FROM models m WHERE m.id = i.model_id)),"
    " ins AS (INSERT INTO unmatched (source_id, provider_model_id, model_id, first_run)"
    "  SELECT DISTINCT ON (provider_model_id) $1, provider_model_id, model_id, $2::bigint"
    "  FROM w"
    "  ON CONFLICT (source_id, provider_model_id) WHERE resolved_run IS NULL"
    "  DO NOTHING RETURNING 1),"
    " del AS (DELETE FROM llmref_incoming i USING w"
    "  WHERE i.provider_model_id = w.provider_model_id RETURNING 1)"
    " SELECT count(*) FROM del";
static const char SQL_ALERT_UNMATCHED[] =
    "INSERT INTO alerts (kind, subject, message, raised_run)"
    " SELECT 'unmatched_models', $1, 'source ' || $1 || ': ' || count(*)"
    "  || ' model name(s) match no known model (llmref unmatched)', $2::bigint"
    " FROM unmatched WHERE source_id = $1 AND resolved_run IS NULL HAVING count(*) > 0"
    " ON CONFLICT (kind, subject) WHERE resolved_at IS NULL DO NOTHING";
static const char SQL_ALERT_UNMATCHED_END[] =
    "UPDATE alerts SET resolved_at = now(), resolved_run = $2::bigint"
    " WHERE kind = 'unmatched_models' AND subject = $1 AND resolved_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM unmatched"
    "  WHERE source_id = $1 AND resolved_run IS NULL)";
static const char SQL_UNMATCHED_LIST[] =
    "SELECT u.source_id, u.provider_model_id, u.model_id, r.started_at::date::text"
    " FROM unmatched u JOIN runs r ON r.id = u.first_run"
    " WHERE u.resolved_run IS NULL ORDER BY u.source_id, u.provider_model_id";
static const char SQL_MERGE_MODELS[] = "INSERT INTO models (id, first_run)"
				       " SELECT DISTINCT model_id, $1::bigint FROM llmref_incoming"
				       " ON CONFLICT (id) DO NOTHING";
static const char SQL_MERGE_ROUTES[] =
    "WITH ins AS (INSERT INTO routes (source_id, provider_id,"
    "  provider_model_id, model_id, variant, region, first_run)"
    " SELECT $1, $2, provider_model_id, model_id, variant, region, $3::bigint"
    " FROM llmref_incoming ON CONFLICT (source_id, provider_model_id)"
    " DO NOTHING RETURNING 1) SELECT count(*) FROM ins";
static const char SQL_REVIVE_ROUTES[] =
    "WITH up AS (UPDATE routes SET status = 'active', gone_run = NULL"
    " WHERE source_id = $1 AND status = 'gone' AND provider_model_id IN"
    "  (SELECT provider_model_id FROM llmref_incoming) RETURNING 1)"
    " SELECT count(*) FROM up";
static const char SQL_GONE_ROUTES[] =
    "WITH up AS (UPDATE routes SET status = 'gone', gone_run = $2::bigint"
    " WHERE source_id = $1 AND status <> 'gone' AND provider_model_id NOT IN"
    "  (SELECT provider_model_id FROM llmref_incoming) RETURNING 1)"
    " SELECT count(*) FROM up";
static const char SQL_MERGE_VALUES[] =
    "WITH cur AS (SELECT i.*, r.id AS route_id, r.first_run,"
    "  cp.route_id AS has_price, cp.input_kind AS c_ik,"
    "  cp.input_usd_per_mtok AS c_iu, cp.output_kind AS c_ok,"
    "  cp.output_usd_per_mtok AS c_ou"
    " FROM llmref_incoming i JOIN routes r"
    "  ON r.source_id = $1 AND r.provider_model_id = i.provider_model_id"
    " LEFT JOIN current_prices cp ON cp.route_id = r.id),"
    " p AS (INSERT INTO prices (route_id, input_kind, input_usd_per_mtok,"
    "  output_kind, output_usd_per_mtok, valid_from, run_id)"
    " SELECT route_id, input_kind, input_usd, output_kind, output_usd,"
    "  now(), $2::bigint FROM cur WHERE has_price IS NULL"
    "  OR (c_ik, c_iu, c_ok, c_ou) IS DISTINCT FROM"
    "   (input_kind, input_usd, output_kind, output_usd)"
    " RETURNING route_id),"
    " v AS (SELECT c.route_id, f.fact, f.value FROM cur c CROSS JOIN LATERAL"
    "  (VALUES ('context_window', c.context_window::text),"
    "   ('max_output', c.max_output::text), ('cached_input_usd_per_mtok', c.cached_input),"
    "   ('deprecation_date', c.deprecation_date),"
    "   ('tier_threshold_tokens', c.tier_threshold::text),"
    "   ('tier_input_usd_per_mtok', c.tier_input),"
    "   ('tier_output_usd_per_mtok', c.tier_output)) f(fact, value)),"
    " f AS (INSERT INTO route_facts (route_id, fact, value, run_id)"
    " SELECT v.route_id, v.fact, v.value, $2::bigint FROM v"
    "  LEFT JOIN current_route_facts cf ON cf.route_id = v.route_id AND cf.fact = v.fact"
    " WHERE (cf.route_id IS NULL AND v.value IS NOT NULL)"
    "  OR (cf.route_id IS NOT NULL AND cf.value IS DISTINCT FROM v.value)"
    " RETURNING route_id)"
    " SELECT count(DISTINCT c.route_id) FILTER (WHERE c.first_run <> $2::bigint)"
    " FROM cur c WHERE c.route_id IN (SELECT route_id FROM p"
    "  UNION SELECT route_id FROM f)";
/* A deprecation date that has come marks the route deprecated. */
static const char SQL_DEPRECATE_ROUTES[] =
    "WITH up AS (UPDATE routes r SET status = 'deprecated' FROM llmref_incoming i"
    " WHERE r.source_id = $1 AND r.provider_model_id = i.provider_model_id"
    " AND r.status = 'active' AND i.deprecation_date IS NOT NULL"
    " AND i.deprecation_date <= to_char(current_date, 'YYYY-MM-DD') RETURNING 1)"
    " SELECT count(*) FROM up";
static const char SQL_RUN_OK[] = "UPDATE runs SET outcome = 'ok', finished_at = clock_timestamp(),"
				 " http_status = $2, rows_extracted = $3, rows_added = $4,"
				 " rows_changed = $5, rows_unchanged = $6, rows_gone = $7,"
				 " attempts = $8, snapshot_sha256 = $9, rows_unmatched = $10,"
				 " rows_rejected = $11"
				 " WHERE id = $1";
static const char SQL_SOURCE_OK[] = "UPDATE sources SET last_success = clock_timestamp(),"
				    " consecutive_failures = 0, last_error = NULL,"
				    " etag = nullif($2, ''), last_modified = nullif($3, ''),"
				    " body_sha256 = coalesce($4, body_sha256),"
				    " extract_sha256 = coalesce($5, extract_sha256) WHERE id = $1";
static const char SQL_RUN_UNCHANGED[] =
    "UPDATE runs SET outcome = 'unchanged', finished_at = clock_timestamp(),"
    " http_status = $2, attempts = $3, snapshot_sha256 = $4 WHERE id = $1";
static const char SQL_SNAPSHOT[] = "INSERT INTO snapshots (sha256, body, source_id, url, final_url,"
				   " http_status, headers) VALUES ($1, $2, $3, $4, $5, $6, $7)"
				   " ON CONFLICT (sha256) DO NOTHING";
static const char SQL_SOURCE_STATE[] = "SELECT coalesce(etag, ''), coalesce(last_modified, ''),"
				       " coalesce(body_sha256, ''), coalesce(extract_sha256, ''),"
				       " consecutive_failures, (SELECT count(*) FROM unmatched u"
				       "  WHERE u.source_id = $1 AND u.resolved_run IS NULL)"
				       " FROM sources WHERE id = $1";
static const char SQL_LAST_SNAPSHOT[] = "SELECT s.sha256, s.body, r.id FROM runs r"
					" JOIN snapshots s ON s.sha256 = r.snapshot_sha256"
					" WHERE r.source_id = $1 ORDER BY r.id DESC LIMIT 1";
static const char SQL_STATUS[] =
    "SELECT s.id, s.provider_id,"
    " coalesce(to_char(s.last_attempt, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '-'),"
    " coalesce(to_char(s.last_success, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '-'),"
    " s.consecutive_failures, coalesce(s.last_error, ''),"
    " coalesce((SELECT outcome FROM runs r WHERE r.source_id = s.id"
    "  ORDER BY r.id DESC LIMIT 1), '-')"
    " FROM sources s ORDER BY s.id";
static const char SQL_RUN_FAILED[] =
    "UPDATE runs SET outcome = 'failed', finished_at = clock_timestamp(),"
    " http_status = nullif($2, '0')::integer, error = $3,"
    " attempts = $4, snapshot_sha256 = $5 WHERE id = $1";
static const char SQL_SOURCE_FAILED[] =
    "UPDATE sources SET consecutive_failures = consecutive_failures + 1,"
    " last_error = $2, etag = NULL, last_modified = NULL WHERE id = $1";

static const char SQL_EXPORT[] =
    "SELECT json_build_object("
    " 'schema_version', (SELECT max(version) FROM schema_migrations),"
    " 'providers', coalesce((SELECT json_agg(json_build_object("
    "   'id', p.id, 'name', p.name) ORDER BY p.id) FROM providers p), '[]'),"
    " 'sources', coalesce((SELECT json_agg(json_build_object("
    "   'id', s.id, 'provider', s.provider_id, 'kind', s.kind, 'url', s.url,"
    "   'last_attempt', s.last_attempt, 'last_success', s.last_success,"
    "   'consecutive_failures', s.consecutive_failures,"
    "   'last_error', s.last_error) ORDER BY s.id) FROM sources s), '[]'),"
    " 'models', coalesce((SELECT json_agg(json_build_object("
    "   'id', m.id,"
    "   'facts', (SELECT coalesce(json_agg(json_build_object('fact', f.fact,"
    "     'value', f.value, 'source', f.source_id, 'reason', f.reason) ORDER BY f.fact, "
    "f.source_id), '[]')"
    "    FROM current_model_facts f WHERE f.model_id = m.id),"
    "   'routes', (SELECT coalesce(json_agg(json_build_object("
    "     'provider', r.provider_id, 'provider_name', p.name,"
    "     'source', r.source_id, 'provider_model_id', r.provider_model_id,"
    "     'variant', r.variant, 'status', r.status,"
    "     'input', json_build_object('kind', cp.input_kind,"
    "       'usd_per_mtok', cp.input_usd_per_mtok::text),"
    "     'output', json_build_object('kind', cp.output_kind,"
    "       'usd_per_mtok', cp.output_usd_per_mtok::text),"
    "     'context_window', cf.value::bigint,"
    "     'last_reviewed', (s.last_success AT TIME ZONE 'UTC')::date)"
    "     ORDER BY r.provider_id, r.provider_model_id), '[]')"
    "    FROM routes r JOIN providers p ON p.id = r.provider_id"
    "    JOIN sources s ON s.id = r.source_id"
    "    LEFT JOIN current_prices cp ON cp.route_id = r.id"
    "    LEFT JOIN current_route_facts cf ON cf.route_id = r.id"
    "     AND cf.fact = 'context_window'"
    "    WHERE r.model_id = m.id)) ORDER BY m.id) FROM models m), '[]'))";

/* ---- helpers ------------------------------------------------------- */

static void
catalog_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* client_min_messages = warning keeps these rare */
}

static enum lr_code
db_fail(struct catalog *cat, PGresult *res, struct lr_err *err, const char *source,
	const char *what)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";
	char clean[512];
	size_t n;

	if (msg == NULL || msg[0] == '\0')
		msg = PQerrorMessage(cat->conn);
	lr_strlcpy(clean, msg, sizeof(clean));
	n = strlen(clean);
	while (n > 0 && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
		clean[--n] = '\0';
	PQclear(res);
	return lr_err_set(err, LR_ERR_DB, source, NULL, "database: %s: %s", what, clean);
}

/* Run a parameterized statement; returns the result (caller PQclears) or
 * NULL with err set. */
static PGresult *
db_exec(struct catalog *cat, const char *sql, int n, const char *const *vals, const char *source,
	const char *what, struct lr_err *err)
{
	PGresult *res = PQexecParams(cat->conn, sql, n, NULL, vals, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	db_fail(cat, res, err, source, what);
	return NULL;
}

static enum lr_code
db_cmd(struct catalog *cat, const char *sql, int n, const char *const *vals, const char *source,
       const char *what, struct lr_err *err)
{
	PGresult *res = db_exec(cat, sql, n, vals, source, what, err);

	if (res == NULL)
		return LR_ERR_DB;
	PQclear(res);
	return LR_OK;
}

/* Run a statement that returns one count; -1 with err set on failure. */
static long
db_count(struct catalog *cat, const char *sql, int n, const char *const *vals, const char *source,
	 const char *what, struct lr_err *err)
{
	PGresult *res = db_exec(cat, sql, n, vals, source, what, err);
	long v;

	if (res == NULL)
		return -1;
	v = PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return v;
}

static void
db_rollback(struct catalog *cat)
{
	PQclear(PQexec(cat->conn, "ROLLBACK"));
}

static int
atoi_safe(const char *s)
{
	long v = strtol(s, NULL, 10);

	return v > 0x7fffffff ? 0x7fffffff : (int)v;
}

/* ---- connection ---------------------------------------------------- */

enum lr_code
catalog_open(const char *conninfo, struct catalog **out, struct lr_err *err)
{
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { conninfo, "llmref", NULL };
	struct catalog *cat = calloc(1, sizeof(*cat));

	*out = NULL;
	if (cat == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	cat->conn = PQconnectdbParams(keys, vals, 1);
	if (cat->conn == NULL || PQstatus(cat->conn) != CONNECTION_OK) {
		lr_err_set(err, LR_ERR_DB, NULL, NULL, "cannot connect to PostgreSQL: %s",
			   cat->conn ? PQerrorMessage(cat->conn) : "out of memory");
		catalog_close(cat);
		return LR_ERR_DB;
	}
	PQsetNoticeProcessor(cat->conn, catalog_notice, NULL);
	if (db_cmd(cat, SQL_SESSION_MESSAGES, 0, NULL, NULL, "session setup", err) != LR_OK ||
	    db_cmd(cat, SQL_SESSION_TZ, 0, NULL, NULL, "session setup", err) != LR_OK) {
		catalog_close(cat);
		return LR_ERR_DB;
	}
	*out = cat;
	return LR_OK;
}

void
catalog_close(struct catalog *cat)
{
	if (cat == NULL)
		return;
	PQfinish(cat->conn);
	free(cat);
}

/* ---- migrations ---------------------------------------------------- */

int
catalog_schema_version_built(void)
{
	return migrations_count ? migrations[migrations_count - 1].version : 0;
}

static enum lr_code
migrate_one(struct catalog *cat, const struct migration *m, int *applied, struct lr_err *err)
{
	char ver[16];
	const char *vals[2] = { ver, m->name };
	PGresult *res;
	int done;

	snprintf(ver, sizeof(ver), "%d", m->version);
	if (db_cmd(cat, "BEGIN", 0, NULL, NULL, "begin", err) != LR_OK)
		return LR_ERR_DB;
	res = db_exec(cat, SQL_MIGRATION_DONE, 1, vals, NULL, m->name, err);
	if (res == NULL)
		goto fail;
	done = PQntuples(res) > 0;
	PQclear(res);
	if (!done) {
		/* Compiled-in constant SQL: several statements, no parameters. */
		res = PQexec(cat->conn, m->sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			db_fail(cat, res, err, NULL, m->name);
			goto fail;
		}
		PQclear(res);
		if (db_cmd(cat, SQL_MIGRATION_RECORD, 2, vals, NULL, m->name, err) != LR_OK)
			goto fail;
		(*applied)++;
	}
	return db_cmd(cat, "COMMIT", 0, NULL, NULL, "commit", err);
fail:
	db_rollback(cat);
	return LR_ERR_DB;
}

enum lr_code
catalog_migrate(struct catalog *cat, int *applied, struct lr_err *err)
{
	char key[16];
	const char *vals[1] = { key };
	enum lr_code rc;
	unsigned i;

	*applied = 0;
	snprintf(key, sizeof(key), "%d", CATALOG_MIGRATE_LOCK);
	rc = db_cmd(cat, "SELECT pg_advisory_lock($1::bigint)", 1, vals, NULL, "migration lock",
		    err);
	if (rc != LR_OK)
		return rc;
	rc = db_cmd(cat, SQL_MIGRATIONS_TABLE, 0, NULL, NULL, "schema_migrations", err);
	for (i = 0; i < migrations_count && rc == LR_OK; i++)
		rc = migrate_one(cat, &migrations[i], applied, err);
	PQclear(PQexecParams(cat->conn, "SELECT pg_advisory_unlock($1::bigint)", 1, NULL, vals,
			     NULL, NULL, 0));
	return rc;
}

enum lr_code
catalog_check_schema(struct catalog *cat, struct lr_err *err)
{
	PGresult *res = PQexecParams(cat->conn, SQL_SCHEMA_VERSION, 0, NULL, NULL, NULL, NULL, 0);
	int have, want = catalog_schema_version_built();

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return lr_err_set(err, LR_ERR_DB, NULL, NULL,
				  "the database has no llmref schema: run 'llmref db migrate'");
	}
	have = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (have < want)
		return lr_err_set(err, LR_ERR_DB, NULL, NULL,
				  "the database schema is at version %d, this llmref needs %d: run "
				  "'llmref db migrate'",
				  have, want);
	if (have > want)
		return lr_err_set(err, LR_ERR_DB, NULL, NULL,
				  "the database schema (version %d) is newer than this llmref "
				  "(%d): upgrade llmref",
				  have, want);
	return LR_OK;
}

/* ---- locks --------------------------------------------------------- */

enum lr_code
catalog_lock_source(struct catalog *cat, const char *source_id, struct lr_err *err)
{
	const char *vals[1] = { source_id };
	PGresult *res = db_exec(cat, SQL_LOCK, 1, vals, source_id, "lock", err);
	int got;

	if (res == NULL)
		return LR_ERR_DB;
	got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (got)
		return LR_OK;
	res = db_exec(cat, SQL_LOCK_HOLDER, 1, vals, source_id, "lock holder", err);
	if (res != NULL && PQntuples(res) == 1)
		lr_err_set(err, LR_ERR_BUSY, source_id, NULL,
			   "another refresh holds the lock (PostgreSQL backend pid %s, application "
			   "'%s', client %s, since %s)",
			   PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
			   PQgetvalue(res, 0, 3));
	else
		lr_err_set(err, LR_ERR_BUSY, source_id, NULL, "another refresh holds the lock");
	PQclear(res);
	return LR_ERR_BUSY;
}

void
catalog_unlock_source(struct catalog *cat, const char *source_id)
{
	const char *vals[1] = { source_id };

	PQclear(PQexecParams(cat->conn, SQL_UNLOCK, 1, NULL, vals, NULL, NULL, 0));
}

/* ---- runs ---------------------------------------------------------- */

enum lr_code
catalog_begin_run(struct catalog *cat, const struct source *src, const char *trigger,
		  long long *run_id, struct lr_err *err)
{
	const char *pv[2] = { src->provider, src->provider_name };
	const char *sv[4] = { src->id, src->provider, source_kind_name(src->kind),
			      src->kind == SOURCE_CURATED ? src->file : src->url };
	const char *rv[2] = { src->id, trigger };
	PGresult *res;

	if (db_cmd(cat, "BEGIN", 0, NULL, src->id, "begin", err) != LR_OK)
		return LR_ERR_DB;
	if (db_cmd(cat, SQL_UPSERT_PROVIDER, 2, pv, src->id, "provider", err) != LR_OK ||
	    db_cmd(cat, SQL_UPSERT_SOURCE, 4, sv, src->id, "source", err) != LR_OK)
		goto fail;
	res = db_exec(cat, SQL_RUN_BEGIN, 2, rv, src->id, "run", err);
	if (res == NULL)
		goto fail;
	*run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return db_cmd(cat, "COMMIT", 0, NULL, src->id, "commit", err);
fail:
	db_rollback(cat);
	return LR_ERR_DB;
}

/* Append s to line in COPY text format (backslash escapes), or \N. */
static int
copy_field(struct buf *line, const char *s, int last)
{
	const char *p;
	int rc = 0;

	if (s == NULL)
		rc |= buf_append(line, "\\N", 2);
	for (p = s; p != NULL && *p != '\0' && rc == 0; p++) {
		switch (*p) {
		case '\\': rc |= buf_append(line, "\\\\", 2); break;
		case '\t': rc |= buf_append(line, "\\t", 2); break;
		case '\n': rc |= buf_append(line, "\\n", 2); break;
		case '\r': rc |= buf_append(line, "\\r", 2); break;
		default: rc |= buf_append(line, p, 1); break;
		}
	}
	rc |= buf_append(line, last ? "\n" : "\t", 1);
	return rc;
}

/* A route-fact price as text: the value, "0" if free, NULL otherwise. */
static const char *
price_text(const struct price *p, char *buf, size_t len)
{
	if (p->kind == PRICE_VALUE)
		return dec_format(p->usd_per_mtok, buf, len);
	return p->kind == PRICE_FREE ? "0" : NULL;
}

/* The COPY fields max_output .. tier_output of r. */
static int
copy_route_facts(struct buf *line, const struct record *r)
{
	char max[24], cached[DEC_STR_MAX];
	const char *c = NULL;
	int rc = 0;

	snprintf(max, sizeof(max), "%" PRId64, r->max_output);
	c = price_text(&r->cached_input, cached, sizeof(cached));
	rc |= copy_field(line, r->max_output > 0 ? max : NULL, 0);
	rc |= copy_field(line, c, 0);
	rc |= copy_field(line, r->deprecation_date[0] ? r->deprecation_date : NULL, 0);
	snprintf(max, sizeof(max), "%" PRId64, r->tier_threshold);
	rc |= copy_field(line, r->tier_threshold > 0 ? max : NULL, 0);
	rc |= copy_field(line, price_text(&r->tier_input, cached, sizeof(cached)), 0);
	rc |= copy_field(line, price_text(&r->tier_output, cached, sizeof(cached)), 0);
	return rc;
}

/* One COPY line of r; fact f (or none if f < 0) goes in fact, value. */
static int
copy_record(struct buf *line, const struct record *r, int f)
{
	char in[DEC_STR_MAX], out[DEC_STR_MAX], ctx[24];
	int rc = 0;

	dec_format(r->input.usd_per_mtok, in, sizeof(in));
	dec_format(r->output.usd_per_mtok, out, sizeof(out));
	snprintf(ctx, sizeof(ctx), "%" PRId64, r->context_window);
	buf_reset(line);
	rc |= copy_field(line, r->provider_model_id, 0);
	rc |= copy_field(line, r->model_id, 0);
	rc |= copy_field(line, r->variant, 0);
	rc |= copy_field(line, r->region, 0);
	rc |= copy_field(line, price_kind_name(r->input.kind), 0);
	rc |= copy_field(line, r->input.kind == PRICE_VALUE ? in : NULL, 0);
	rc |= copy_field(line, price_kind_name(r->output.kind), 0);
	rc |= copy_field(line, r->output.kind == PRICE_VALUE ? out : NULL, 0);
	rc |= copy_field(line, r->context_window > 0 ? ctx : NULL, 0);
	rc |= copy_route_facts(line, r);
	rc |= copy_field(line, f >= 0 ? r->facts[f].name : NULL, 0);
	rc |= copy_field(line, f >= 0 ? r->facts[f].value : NULL, 0);
	rc |= copy_field(line, f >= 0 ? r->facts[f].reason : NULL, 0);
	rc |= copy_field(line, f >= 0 ? r->facts[f].expires : NULL, 1);
	return rc;
}

static enum lr_code
copy_records(struct catalog *cat, const struct source *src, const struct records *recs,
	     struct lr_err *err)
{
	PGresult *res = PQexec(cat->conn, SQL_COPY_INCOMING);
	struct buf line;
	size_t i;
	int ok = 1;

	if (PQresultStatus(res) != PGRES_COPY_IN)
		return db_fail(cat, res, err, src->id, "copy");
	PQclear(res);
	buf_init(&line, CATALOG_COPY_LINE_MAX);
	for (i = 0; i < recs->n && ok; i++) {
		int f = recs->v[i].nfacts > 0 ? 0 : -1;
		do /* a pricing row once; a facts row once per fact */
			ok = copy_record(&line, &recs->v[i], f) == 0 &&
			     PQputCopyData(cat->conn, line.data, (int)line.len) == 1;
		while (ok && f >= 0 && ++f < recs->v[i].nfacts);
	}
	buf_free(&line);
	if (PQputCopyEnd(cat->conn, ok ? NULL : "llmref: copy aborted") != 1)
		ok = 0;
	res = PQgetResult(cat->conn);
	if (!ok || PQresultStatus(res) != PGRES_COMMAND_OK)
		return db_fail(cat, res, err, src->id, "copy");
	PQclear(res);
	while ((res = PQgetResult(cat->conn)) != NULL)
		PQclear(res);
	return LR_OK;
}

/* Facts of a model_card, benchmarks or capabilities page; the counts are
 * of facts, not rows. */
static enum lr_code
merge_facts(struct catalog *cat, const struct source *src, const char *run, struct run_stats *st,
	    struct lr_err *err)
{
	const char *v2[2] = { src->id, run };
	PGresult *res = db_exec(cat, SQL_MERGE_FACTS, 2, v2, src->id, "model facts", err);
	if (res == NULL)
		return LR_ERR_DB;
	st->added = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	st->changed = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	st->unchanged = st->extracted - st->added - st->changed - st->unmatched;
	return LR_OK;
}

static enum lr_code
merge_records(struct catalog *cat, const struct source *src, const char *run, struct run_stats *st,
	      struct lr_err *err)
{
	const char *v3[3] = { src->id, src->provider, run };
	const char *u3[3] = { src->id, run, src->authoritative ? "true" : "false" };
	const char *v2[2] = { src->id, run };
	const char *v1[1] = { run };
	long revived;

	if (db_cmd(cat, SQL_UNMATCHED_RESOLVE, 3, u3, src->id, "unmatched", err) != LR_OK)
		return LR_ERR_DB;
	st->unmatched = db_count(cat, SQL_UNMATCHED_OPEN, 3, u3, src->id, "unmatched", err);
	if (st->unmatched < 0 ||
	    db_cmd(cat, SQL_ALERT_UNMATCHED, 2, v2, src->id, "alert", err) != LR_OK ||
	    db_cmd(cat, SQL_ALERT_UNMATCHED_END, 2, v2, src->id, "alert", err) != LR_OK ||
	    db_cmd(cat, SQL_MERGE_MODELS, 1, v1, src->id, "models", err) != LR_OK)
		return LR_ERR_DB;
	if (src->kind != SOURCE_PRICING)
		return merge_facts(cat, src, run, st, err);
	st->added = db_count(cat, SQL_MERGE_ROUTES, 3, v3, src->id, "routes", err);
	if (st->added < 0)
		return LR_ERR_DB;
	revived = db_count(cat, SQL_REVIVE_ROUTES, 1, v2, src->id, "routes", err);
	st->gone = revived < 0 ? -1 : db_count(cat, SQL_GONE_ROUTES, 2, v2, src->id, "routes", err);
	if (revived < 0 || st->gone < 0)
		return LR_ERR_DB;
	st->changed = db_count(cat, SQL_MERGE_VALUES, 2, v2, src->id, "prices", err);
	if (st->changed < 0 ||
	    db_count(cat, SQL_DEPRECATE_ROUTES, 1, v2, src->id, "routes", err) < 0)
		return LR_ERR_DB;
	st->added += revived;
	st->unchanged = st->extracted - st->added - st->changed - st->unmatched - st->rejected;
	return LR_OK;
}

/* Archive the fetched body once, keyed by its SHA-256 (binary param). */
static enum lr_code
store_snapshot(struct catalog *cat, const struct source *src, const struct run_fetch_info *fi,
	       struct lr_err *err)
{
	char status[24];
	const char *vals[7] = { fi->body_sha256, fi->body, src->id,    fi->url,
				fi->final_url,   status,   fi->headers };
	int lens[7] = { 0, (int)fi->body_len, 0, 0, 0, 0, 0 };
	int fmts[7] = { 0, 1, 0, 0, 0, 0, 0 };
	PGresult *res;

	if (fi->body_sha256 == NULL)
		return LR_OK;
	if (fi->body_len > 0x7fffffff)
		return lr_err_set(err, LR_ERR_INTERNAL, src->id, NULL, "snapshot too large");
	snprintf(status, sizeof(status), "%ld", fi->http_status);
	res = PQexecParams(cat->conn, SQL_SNAPSHOT, 7, NULL, vals, lens, fmts, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return db_fail(cat, res, err, src->id, "snapshot");
	PQclear(res);
	return LR_OK;
}

static enum lr_code
finish_run_ok(struct catalog *cat, const struct source *src, const char *run,
	      const struct run_fetch_info *fi, const struct run_stats *st, struct lr_err *err)
{
	char n[9][24];
	const char *rv[11] = { run,  n[0], n[1], n[2], n[3], n[4], n[5], n[6], fi->body_sha256,
			       n[7], n[8] };
	const char *sv[5] = { src->id, fi->etag, fi->last_modified, fi->body_sha256,
			      fi->extract_sha256 };

	snprintf(n[0], sizeof(n[0]), "%ld", fi->http_status);
	snprintf(n[1], sizeof(n[1]), "%ld", st->extracted);
	snprintf(n[2], sizeof(n[2]), "%ld", st->added);
	snprintf(n[3], sizeof(n[3]), "%ld", st->changed);
	snprintf(n[4], sizeof(n[4]), "%ld", st->unchanged);
	snprintf(n[5], sizeof(n[5]), "%ld", st->gone);
	snprintf(n[6], sizeof(n[6]), "%d", fi->attempts);
	snprintf(n[7], sizeof(n[7]), "%ld", st->unmatched);
	snprintf(n[8], sizeof(n[8]), "%ld", st->rejected);
	if (store_snapshot(cat, src, fi, err) != LR_OK ||
	    db_cmd(cat, SQL_RUN_OK, 11, rv, src->id, "run", err) != LR_OK)
		return LR_ERR_DB;
	return db_cmd(cat, SQL_SOURCE_OK, 5, sv, src->id, "source", err);
}

enum lr_code
catalog_apply_run(struct catalog *cat, const struct source *src, long long run_id,
		  const struct run_fetch_info *fi, const struct records *recs, struct run_stats *st,
		  struct lr_err *err)
{
	char run[24];

	snprintf(run, sizeof(run), "%lld", run_id);
	memset(st, 0, sizeof(*st));
	st->rejected = recs->rejected;
	st->extracted = (long)recs->n + recs->rejected;
	if (src->kind != SOURCE_PRICING) { /* counted in facts */
		size_t i;
		for (st->extracted = 0, i = 0; i < recs->n; i++)
			st->extracted += recs->v[i].nfacts;
	}
	if (db_cmd(cat, "BEGIN", 0, NULL, src->id, "begin", err) != LR_OK)
		return LR_ERR_DB;
	if (db_cmd(cat, SQL_INCOMING, 0, NULL, src->id, "temp table", err) != LR_OK ||
	    copy_records(cat, src, recs, err) != LR_OK ||
	    merge_records(cat, src, run, st, err) != LR_OK ||
	    finish_run_ok(cat, src, run, fi, st, err) != LR_OK ||
	    db_cmd(cat, "COMMIT", 0, NULL, src->id, "commit", err) != LR_OK) {
		db_rollback(cat);
		return LR_ERR_DB;
	}
	return LR_OK;
}

enum lr_code
catalog_fail_run(struct catalog *cat, const struct source *src, long long run_id,
		 const struct run_fetch_info *fi, const char *reason, struct lr_err *err)
{
	char run[24], status[24], attempts[24];
	const char *sha = fi ? fi->body_sha256 : NULL;
	const char *rv[5] = { run, status, reason, attempts, sha };
	const char *sv[2] = { src->id, reason };

	snprintf(run, sizeof(run), "%lld", run_id);
	snprintf(status, sizeof(status), "%ld", fi ? fi->http_status : 0);
	snprintf(attempts, sizeof(attempts), "%d", fi ? fi->attempts : 0);
	if (db_cmd(cat, "BEGIN", 0, NULL, src->id, "begin", err) != LR_OK)
		return LR_ERR_DB;
	if ((fi != NULL && store_snapshot(cat, src, fi, err) != LR_OK) ||
	    db_cmd(cat, SQL_RUN_FAILED, 5, rv, src->id, "run", err) != LR_OK ||
	    db_cmd(cat, SQL_SOURCE_FAILED, 2, sv, src->id, "source", err) != LR_OK ||
	    db_cmd(cat, "COMMIT", 0, NULL, src->id, "commit", err) != LR_OK) {
		db_rollback(cat);
		return LR_ERR_DB;
	}
	return LR_OK;
}

enum lr_code
catalog_unchanged_run(struct catalog *cat, const struct source *src, long long run_id,
		      const struct run_fetch_info *fi, struct lr_err *err)
{
	char run[24], status[24], attempts[24];
	const char *rv[4] = { run, status, attempts, fi->body_sha256 };
	const char *sv[5] = { src->id, fi->etag, fi->last_modified, fi->body_sha256,
			      fi->extract_sha256 };

	snprintf(run, sizeof(run), "%lld", run_id);
	snprintf(status, sizeof(status), "%ld", fi->http_status);
	snprintf(attempts, sizeof(attempts), "%d", fi->attempts);
	if (db_cmd(cat, "BEGIN", 0, NULL, src->id, "begin", err) != LR_OK)
		return LR_ERR_DB;
	if (db_cmd(cat, SQL_RUN_UNCHANGED, 4, rv, src->id, "run", err) != LR_OK ||
	    db_cmd(cat, SQL_SOURCE_OK, 5, sv, src->id, "source", err) != LR_OK ||
	    db_cmd(cat, "COMMIT", 0, NULL, src->id, "commit", err) != LR_OK) {
		db_rollback(cat);
		return LR_ERR_DB;
	}
	return LR_OK;
}

enum lr_code
catalog_source_state(struct catalog *cat, const char *source_id, struct source_state *st,
		     struct lr_err *err)
{
	const char *vals[1] = { source_id };
	PGresult *res = db_exec(cat, SQL_SOURCE_STATE, 1, vals, source_id, "source state", err);

	memset(st, 0, sizeof(*st));
	if (res == NULL)
		return LR_ERR_DB;
	if (PQntuples(res) == 1) {
		lr_strlcpy(st->etag, PQgetvalue(res, 0, 0), sizeof(st->etag));
		lr_strlcpy(st->last_modified, PQgetvalue(res, 0, 1), sizeof(st->last_modified));
		lr_strlcpy(st->body_sha256, PQgetvalue(res, 0, 2), sizeof(st->body_sha256));
		lr_strlcpy(st->extract_sha256, PQgetvalue(res, 0, 3), sizeof(st->extract_sha256));
		st->consecutive_failures = strtol(PQgetvalue(res, 0, 4), NULL, 10);
		st->open_unmatched = strtol(PQgetvalue(res, 0, 5), NULL, 10);
	}
	PQclear(res);
	return LR_OK;
}

enum lr_code
catalog_last_snapshot(struct catalog *cat, const char *source_id, struct snapshot *out,
		      struct lr_err *err)
{
	const char *vals[1] = { source_id };
	PGresult *res = PQexecParams(cat->conn, SQL_LAST_SNAPSHOT, 1, NULL, vals, NULL, NULL, 1);
	int len;

	memset(out, 0, sizeof(*out));
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return db_fail(cat, res, err, source_id, "snapshot");
	if (PQntuples(res) != 1) {
		PQclear(res);
		return lr_err_set(err, LR_ERR_USAGE, source_id, NULL,
				  "no stored page to reparse: refresh the source first");
	}
	len = PQgetlength(res, 0, 0);
	memcpy(out->sha256, PQgetvalue(res, 0, 0), len < 64 ? (size_t)len : 64);
	len = PQgetlength(res, 0, 1);
	out->body = malloc((size_t)len + 1);
	if (out->body == NULL) {
		PQclear(res);
		return lr_err_set(err, LR_ERR_NOMEM, source_id, NULL, "out of memory");
	}
	memcpy(out->body, PQgetvalue(res, 0, 1), (size_t)len);
	out->body[len] = '\0';
	out->len = (size_t)len;
	out->run_id = (long long)be64toh(*(const uint64_t *)(const void *)PQgetvalue(res, 0, 2));
	PQclear(res);
	return LR_OK;
}

void
snapshot_free(struct snapshot *snap)
{
	if (snap != NULL) {
		free(snap->body);
		snap->body = NULL;
	}
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
