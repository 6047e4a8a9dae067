/* catalog.c - every SQL statement the program runs (besides the
 * migrations in src/sql/), all parameterized; COPY for bulk rows. */
#include "autoconf.h"

#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/buf.h"
#include "core/url.h"
#include "catalog/catalog.h"
#include "catalog/catalog_impl.h"

/* The connection's defaults (a conninfo may set its own). */
#define CATALOG_CONNECT_TIMEOUT_SEC "10"
#define CATALOG_TCP_USER_TIMEOUT_MS "30000"
#include "catalog/migrations.h"

#define CATALOG_URL_MAX 2048 /* a URL as stored (redacted), at most */

#define CATALOG_MIGRATE_LOCK  0x4c4c4d52 /* "LLMR" */
#define CATALOG_COPY_LINE_MAX 2048

/* ---- statements ---------------------------------------------------- */

static const char SQL_SESSION_MESSAGES[] = "SET client_min_messages = warning";
static const char SQL_SESSION_TZ[] = "SET TIME ZONE 'UTC'";
/* No JIT: the apply path's statements run in milliseconds, and their
 * estimated costs over a catalog whose statistics lag a first load cross
 * jit_above_cost; compiling took 0.58 s per statement, for each source
 * (a 10% change right after a first load of 240,000 rows: 72 s, 15 s
 * without; bench/RESULTS.md). */
static const char SQL_SESSION_JIT[] = "SET jit = off";

static const char SQL_MIGRATIONS_TABLE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
					   " version integer PRIMARY KEY, name text NOT NULL,"
					   " applied_at timestamptz NOT NULL DEFAULT now())";
static const char SQL_MIGRATION_DONE[] = "SELECT 1 FROM schema_migrations WHERE version = $1";
static const char SQL_MIGRATION_RECORD[] =
    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)";
static const char SQL_SCHEMA_VERSION[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
/* Least privilege (011): grant, and grant again after a migration. */
static const char SQL_GRANT[] = "SELECT llmref_grant($1, $2)";
static const char SQL_REGRANT[] = "SELECT llmref_grant(role, what) FROM llmref_grants"
				  " ORDER BY role, what";

static const char SQL_LOCK[] =
    "SELECT pg_try_advisory_lock(hashtextextended('llmref.source:' || $1, 0))";
static const char SQL_UNLOCK[] =
    "SELECT pg_advisory_unlock(hashtextextended('llmref.source:' || $1, 0))";
/* A bounded wait: lock_timeout ($2 ms) applies to advisory locks too. */
static const char SQL_LOCK_TIMEOUT[] = "SELECT set_config('lock_timeout', $1, false)";
static const char SQL_LOCK_WAIT[] =
    "SELECT pg_advisory_lock(hashtextextended('llmref.source:' || $1, 0))";
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
    "INSERT INTO sources (id, provider_id, kind, url, last_attempt, priority, router)"
    " VALUES ($1, $2, $3, $4, now(), $5, $6)"
    " ON CONFLICT (id) DO UPDATE SET provider_id = EXCLUDED.provider_id,"
    " kind = EXCLUDED.kind, url = EXCLUDED.url, last_attempt = now(),"
    " priority = EXCLUDED.priority, router = EXCLUDED.router";
/* Runs of the source still 'running' while we hold its lock were left by
 * a process that died (or lost its connection): close them. $1 source. */
static const char SQL_RUN_ABANDONED[] =
    "UPDATE runs SET outcome = 'failed', finished_at = clock_timestamp(),"
    " error = 'abandoned: the process running it stopped before it ended'"
    " WHERE source_id = $1 AND outcome = 'running'";
static const char SQL_RUN_BEGIN[] =
    "INSERT INTO runs (source_id, trigger) VALUES ($1, $2) RETURNING id";

/* The staging tables: created once per session (IF NOT EXISTS: again
 * only after a rollback that may have taken them), emptied at commit. */
static const char SQL_INCOMING[] =
    "CREATE TEMP TABLE IF NOT EXISTS llmref_incoming ("
    " provider_model_id text NOT NULL, model_id text NOT NULL,"
    " variant text NOT NULL, region text NOT NULL, input_kind text NOT NULL,"
    " input_usd numeric, output_kind text NOT NULL, output_usd numeric,"
    " context_window bigint, max_output bigint, cached_input text,"
    " deprecation_date text, tier_threshold bigint, tier_input text, tier_output text,"
    " fact text, value text, reason text, expires text, served_by text NOT NULL,"
    " price_from text, provider text NOT NULL, prices text, digest text,"
    " same boolean NOT NULL)"
    " ON COMMIT DELETE ROWS";
static const char SQL_DIFF_TABLE[] =
    "CREATE TEMP TABLE IF NOT EXISTS llmref_diff (change text, provider_model_id text,"
    " model_id text, item text, old_value text, new_value text, moved boolean,"
    " factor numeric) ON COMMIT DELETE ROWS";
static const char SQL_COPY_INCOMING[] =
    "COPY llmref_incoming (provider_model_id, model_id, variant, region,"
    " input_kind, input_usd, output_kind, output_usd, context_window, max_output,"
    " cached_input, deprecation_date, tier_threshold, tier_input, tier_output,"
    " fact, value, reason, expires, served_by, price_from, provider, prices, digest,"
    " same) FROM STDIN";
/* The change feed and the dirty models (007, 010): a statement that adds
 * or changes routes, prices or facts returns the rows it wrote, and the
 * same statement inserts their events and marks their models dirty (a
 * model already dirty keeps the first run that changed it). */
#define ROUTE_PAYLOAD                                                                              \
	"jsonb_build_object('model', x.model_id, 'provider', x.provider_id, 'source',"             \
	" x.source_id, 'provider_model_id', x.provider_model_id, 'served_by', x.served_by,"        \
	" 'status', x.status)"
#define ROUTE_RETURNING                                                                            \
	" RETURNING r.id, r.model_id, r.provider_id, r.source_id, r.provider_model_id,"            \
	" r.served_by, r.status"
/* ... its routes' events (kind KIND, a SQL expression over x) and dirty
 * models, from the CTE up, run RUN (a parameter). */
#define ROUTE_EVENTS(KIND, RUN)                                                                    \
	" ev AS (INSERT INTO events (kind, subject, payload, run_id)"                              \
	"  SELECT " KIND ", x.model_id, " ROUTE_PAYLOAD ", " RUN " FROM up x ORDER BY x.id),"      \
	" dm AS (INSERT INTO dirty_models (model_id, run_id)"                                      \
	"  SELECT DISTINCT model_id, " RUN " FROM up ON CONFLICT (model_id) DO NOTHING)"
#define PRICE_TEXT(T)                                                                              \
	"llmref_price_text(" T ".input_kind, " T ".input_usd_per_mtok), 'output',"                 \
	" llmref_price_text(" T ".output_kind, " T ".output_usd_per_mtok)"
/* Model facts: $1 source, $2 run. Returns added, changed. The current
 * fact of the source is read by key, not through current_model_facts. */
static const char SQL_MERGE_FACTS[] =
    "WITH cur AS (SELECT DISTINCT ON (model_id, fact) model_id, fact, value,"
    "  nullif(reason, '') AS reason, nullif(expires, '') AS expires"
    "  FROM llmref_incoming ORDER BY model_id, fact, provider_model_id),"
    " diff AS (SELECT c.*, m.found IS NOT NULL AS existed FROM cur c"
    "  LEFT JOIN LATERAL (SELECT true AS found, x.value, x.reason, x.expires"
    "  FROM model_facts x WHERE x.model_id = c.model_id AND x.fact = c.fact"
    "  AND x.source_id = $1 ORDER BY x.id DESC LIMIT 1) m ON true"
    "  WHERE m.found IS NULL OR (m.value, m.reason, m.expires)"
    "   IS DISTINCT FROM (c.value, c.reason, c.expires)),"
    " ins AS (INSERT INTO model_facts (model_id, fact, value, source_id, run_id,"
    "  reason, expires)"
    "  SELECT model_id, fact, value, $1, $2::bigint, reason, expires FROM diff"
    "  RETURNING model_id),"
    " dm AS (INSERT INTO dirty_models (model_id, run_id)"
    "  SELECT DISTINCT model_id, $2::bigint FROM ins ON CONFLICT (model_id) DO NOTHING)"
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
    " ON CONFLICT (kind, subject) WHERE resolved_at IS NULL"
    " DO UPDATE SET message = EXCLUDED.message WHERE alerts.message <> EXCLUDED.message";
static const char SQL_ALERT_UNMATCHED_END[] =
    "UPDATE alerts SET resolved_at = now(), resolved_run = $2::bigint"
    " WHERE kind = 'unmatched_models' AND subject = $1 AND resolved_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM unmatched"
    "  WHERE source_id = $1 AND resolved_run IS NULL)";
/* A "same" row's model is its route's, which exists (models are never
 * removed). */
static const char SQL_MERGE_MODELS[] = "INSERT INTO models (id, first_run)"
				       " SELECT DISTINCT model_id, $1::bigint FROM llmref_incoming"
				       " WHERE NOT same ON CONFLICT (id) DO NOTHING";
/* The provider of an incoming route: the one its row names (a dataset;
 * rows whose name resolves to none were taken out before), else DEF. */
#define ROW_PROVIDER(DEF)                                                                          \
	"CASE WHEN i.provider = '' THEN " DEF " ELSE llmref_provider_of(i.provider) END"
static const char SQL_MERGE_ROUTES[] =
    "WITH up AS (INSERT INTO routes AS r (source_id, provider_id,"
    "  provider_model_id, model_id, variant, region, first_run, served_by, row_digest)"
    " SELECT $1, " ROW_PROVIDER("$2") ", provider_model_id, model_id, variant, region,"
				      " $3::bigint, served_by, digest FROM llmref_incoming i"
				      " WHERE NOT same ON CONFLICT "
				      "(source_id, provider_model_id)"
				      " DO NOTHING" ROUTE_RETURNING ")," ROUTE_EVENTS(
					  "'route.added'", "$3::bigint") " SELECT count(*) FROM up";
/* The provider behind a router's route, and the provider a dataset's row
 * names, may change: $1 source. */
static const char SQL_SERVED_BY[] =
    "UPDATE routes r SET served_by = i.served_by, provider_id = " ROW_PROVIDER(
	"r.provider_id") " FROM llmref_incoming i"
			 " WHERE r.source_id = $1 AND r.provider_model_id = i.provider_model_id"
			 " AND (r.served_by <> i.served_by OR r.provider_id <> " ROW_PROVIDER(
			     "r.provider_id") ")";
/* The would-be diff of a run, kept in llmref_diff: one row per route
 * ($1 source, $2 may it create models). */
static const char SQL_DIFF_ROUTES[] =
    "INSERT INTO llmref_diff"
    " WITH inc AS (SELECT DISTINCT ON (provider_model_id) provider_model_id, model_id,"
    "  input_kind, input_usd, output_kind, output_usd, CASE WHEN NOT same THEN"
    "  llmref_price_text(input_kind, input_usd) || ' / '"
    "  || llmref_price_text(output_kind, output_usd)"
    "  || coalesce(' ctx ' || context_window, '') END AS v"
    "  FROM llmref_incoming i WHERE $2::boolean"
    "  OR EXISTS (SELECT 1 FROM models m WHERE m.id = i.model_id)"
    "  ORDER BY provider_model_id),"
    /* a route whose row is "same" is unchanged: its price is not read */
    " cur AS (SELECT r.id AS route_id, r.provider_model_id, r.model_id, r.status,"
    "  s.same IS NOT NULL AS same, p.input_kind,"
    "  p.input_usd_per_mtok AS input_usd, p.output_kind, p.output_usd_per_mtok AS output_usd,"
    "  llmref_price_text(p.input_kind, p.input_usd_per_mtok) || ' / '"
    "  || llmref_price_text(p.output_kind, p.output_usd_per_mtok)"
    "  || coalesce(' ctx ' || f.value, '') AS v"
    "  FROM routes r LEFT JOIN llmref_incoming s ON s.same"
    "  AND s.provider_model_id = r.provider_model_id"
    "  LEFT JOIN LATERAL (SELECT * FROM prices x WHERE s.same IS NULL AND x.route_id = r.id"
    "  AND x.valid_from <= now() ORDER BY x.valid_from DESC, x.id DESC LIMIT 1) p ON true"
    "  LEFT JOIN LATERAL (SELECT x.value FROM route_facts x WHERE s.same IS NULL"
    "  AND x.route_id = r.id"
    "  AND x.fact = 'context_window' ORDER BY x.id DESC LIMIT 1) f ON true"
    "  WHERE r.source_id = $1)"
    " SELECT CASE WHEN c.provider_model_id IS NULL OR c.status = 'gone' THEN 'added'"
    "  WHEN i.provider_model_id IS NULL THEN 'missing' WHEN c.same THEN 'unchanged'"
    "  WHEN c.v IS DISTINCT FROM i.v THEN 'changed' ELSE 'unchanged' END AS change,"
    "  coalesce(i.provider_model_id, c.provider_model_id) AS provider_model_id,"
    "  coalesce(i.model_id, c.model_id) AS model_id, 'route'::text AS item,"
    "  CASE WHEN c.status = 'gone' THEN NULL ELSE c.v END AS old_value, i.v AS new_value,"
    "  coalesce(c.status <> 'gone' AND c.input_kind IS NOT NULL"
    "   AND i.provider_model_id IS NOT NULL AND (c.input_kind, c.input_usd, c.output_kind,"
    "   c.output_usd) IS DISTINCT FROM (i.input_kind, i.input_usd, i.output_kind,"
    "   i.output_usd), false) AS moved,"
    "  greatest(llmref_factor(c.input_usd, i.input_usd),"
    "   llmref_factor(c.output_usd, i.output_usd), llmref_factor(w.in_lo, i.input_usd),"
    "   llmref_factor(w.in_hi, i.input_usd), llmref_factor(w.out_lo, i.output_usd),"
    "   llmref_factor(w.out_hi, i.output_usd)) AS factor"
    " FROM inc i FULL JOIN cur c ON c.provider_model_id = i.provider_model_id"
    /* the guard's window: the route's prices of the last 30 days, from its
     * last accepted price on, so that a price walked up (or down) by steps
     * under max_factor each is still held once it has moved that far; read
     * only for a route that existed and whose price moves (read for every
     * added route, with no route to key it, it was 51.6 s of an 85.8 s
     * first load of 240,000 rows: bench/RESULTS.md) */
    " LEFT JOIN LATERAL (SELECT min(x.input_usd_per_mtok) AS in_lo,"
    "   max(x.input_usd_per_mtok) AS in_hi, min(x.output_usd_per_mtok) AS out_lo,"
    "   max(x.output_usd_per_mtok) AS out_hi FROM prices x WHERE x.route_id = c.route_id"
    "   AND c.route_id IS NOT NULL AND NOT c.same"
    "   AND (c.input_usd, c.output_usd) IS DISTINCT FROM (i.input_usd, i.output_usd)"
    "   AND x.recorded_at > now() - interval '30 days'"
    "   AND x.id >= coalesce((SELECT max(y.id) FROM prices y JOIN runs a ON a.id = y.run_id"
    "    WHERE y.route_id = c.route_id AND a.trigger = 'accept'), 0)) w ON true"
    " WHERE i.provider_model_id IS NOT NULL OR c.status <> 'gone'";
/* The same for a facts source: one row per model and fact. */
static const char SQL_DIFF_FACTS[] =
    "INSERT INTO llmref_diff"
    " WITH inc AS (SELECT DISTINCT ON (model_id, fact) model_id, fact, value,"
    "  provider_model_id FROM llmref_incoming i WHERE $2::boolean"
    "  OR EXISTS (SELECT 1 FROM models m WHERE m.id = i.model_id)"
    "  ORDER BY model_id, fact, provider_model_id),"
    " cur AS (SELECT * FROM (SELECT DISTINCT ON (model_id, fact) model_id, fact, value"
    "  FROM model_facts WHERE source_id = $1 ORDER BY model_id, fact, id DESC) x"
    "  WHERE value IS NOT NULL)"
    " SELECT CASE WHEN c.model_id IS NULL THEN 'added' WHEN i.model_id IS NULL THEN 'missing'"
    "  WHEN c.value IS DISTINCT FROM i.value THEN 'changed' ELSE 'unchanged' END AS change,"
    "  coalesce(i.provider_model_id, c.model_id) AS provider_model_id,"
    "  coalesce(i.model_id, c.model_id) AS model_id, coalesce(i.fact, c.fact) AS item,"
    "  c.value AS old_value, i.value AS new_value, false AS moved, NULL::numeric AS factor"
    " FROM inc i FULL JOIN cur c ON c.model_id = i.model_id AND c.fact = i.fact";
/* What the guard looks at: $1 source, $2 max factor. Prices moved, routes
 * that existed, whether some price moved by the factor (and the first
 * such), the rows of the last applied run. */
static const char SQL_GUARD[] =
    "SELECT count(*) FILTER (WHERE moved), count(*) FILTER (WHERE change <> 'added'),"
    " coalesce(max(factor) >= $2::numeric, false),"
    " coalesce((SELECT provider_model_id || ': ' || old_value || ' -> ' || new_value"
    "  FROM llmref_diff WHERE factor >= $2::numeric ORDER BY factor DESC,"
    "  provider_model_id LIMIT 1), ''),"
    " coalesce((SELECT rows_extracted FROM runs WHERE source_id = $1 AND outcome = 'ok'"
    "  ORDER BY id DESC LIMIT 1), -1),"
    " count(*) FILTER (WHERE change = 'added'), count(*) FILTER (WHERE change = 'changed'),"
    " count(*) FILTER (WHERE change = 'missing'), count(*) FILTER (WHERE change = 'unchanged')"
    " FROM llmref_diff";
/* A dry run's list: the same, with each name that matches no model (and
 * that the source may not create: $1 false) once as 'unmatched'. */
static const char SQL_PREVIEW_LIST[] =
    "SELECT change, provider_model_id, model_id, item, coalesce(old_value, ''),"
    " coalesce(new_value, '') FROM llmref_diff WHERE change <> 'unchanged'"
    " UNION ALL SELECT DISTINCT 'unmatched', provider_model_id, model_id, 'matches no model',"
    " '', '' FROM llmref_incoming i WHERE NOT $1::boolean"
    " AND NOT EXISTS (SELECT 1 FROM models m WHERE m.id = i.model_id)"
    " ORDER BY 1, 2, 4";
/* Quarantine: $1 source, $2 run, $3 page sha256. */
static const char SQL_QUARANTINE_SAME[] =
    "SELECT coalesce(min(id), 0) FROM runs WHERE source_id = $1 AND outcome = 'quarantined'"
    " AND resolved_run IS NULL AND quarantine_of IS NULL AND snapshot_sha256 = $3"
    " AND id <> $2::bigint";
static const char SQL_QUARANTINE_DIFF[] =
    "INSERT INTO quarantine_diff (run_id, change, provider_model_id, model_id, item,"
    " old_value, new_value) SELECT $1::bigint, change, provider_model_id, model_id, item,"
    " old_value, new_value FROM llmref_diff WHERE change <> 'unchanged'";
static const char SQL_RUN_QUARANTINED[] =
    "UPDATE runs SET outcome = 'quarantined', finished_at = clock_timestamp(),"
    " http_status = $2, rows_extracted = $3, rows_added = $4, rows_changed = $5,"
    " rows_unchanged = $6, rows_gone = $7, attempts = $8, snapshot_sha256 = $9,"
    " error = $10, quarantine_of = nullif($11, '0')::bigint WHERE id = $1";
static const char SQL_SOURCE_QUARANTINED[] =
    "UPDATE sources SET last_error = $2, etag = NULL, last_modified = NULL WHERE id = $1";
static const char SQL_ALERT_QUARANTINE[] =
    "INSERT INTO alerts (kind, subject, message, raised_run)"
    " VALUES ('quarantined', $1, 'source ' || $1 || ': run held back: ' || $3"
    "  || ' (llmref review)', $2::bigint)"
    " ON CONFLICT (kind, subject) WHERE resolved_at IS NULL DO NOTHING";
/* A run that lands resolves what waited: $1 source, $2 run. */
static const char SQL_QUARANTINE_RESOLVE[] =
    "UPDATE runs SET resolved_run = $2::bigint, resolution = CASE WHEN"
    " (SELECT trigger FROM runs WHERE id = $2::bigint) = 'accept' THEN 'accepted'"
    " ELSE 'superseded' END"
    " WHERE source_id = $1 AND outcome = 'quarantined' AND resolved_run IS NULL";
static const char SQL_ALERT_QUARANTINE_END[] =
    "UPDATE alerts SET resolved_at = now(), resolved_run = $2::bigint"
    " WHERE kind = 'quarantined' AND subject = $1 AND resolved_at IS NULL";
static const char SQL_QUARANTINED_SNAPSHOT[] =
    "SELECT s.sha256, s.body, r.id FROM runs r"
    " JOIN snapshots s ON s.sha256 = r.snapshot_sha256"
    " WHERE r.source_id = $1 AND r.outcome = 'quarantined' AND r.resolved_run IS NULL"
    " ORDER BY r.id DESC LIMIT 1";
/* Conflicts: $1 source, $2 run, $3 tolerance in basis points. */
static const char SQL_CONFLICTS_OPEN[] =
    "WITH pairs AS (SELECT m.model_id, m.fact,"
    "  least(m.source_id, o.source_id) AS sa, greatest(m.source_id, o.source_id) AS sb,"
    "  CASE WHEN m.source_id < o.source_id THEN m.value ELSE o.value END AS va,"
    "  CASE WHEN m.source_id < o.source_id THEN o.value ELSE m.value END AS vb"
    "  FROM stated_model_facts m JOIN stated_model_facts o"
    "  ON o.model_id = m.model_id AND o.fact = m.fact AND o.source_id <> m.source_id"
    "  WHERE m.source_id = $1 AND NOT llmref_agree(m.value, o.value, $3::integer)),"
    " ins AS (INSERT INTO conflicts (model_id, fact, source_a, value_a, source_b, value_b,"
    "  opened_run) SELECT model_id, fact, sa, va, sb, vb, $2::bigint FROM pairs"
    "  ON CONFLICT (model_id, fact, source_a, source_b, value_a, value_b)"
    "  WHERE closed_at IS NULL DO NOTHING RETURNING 1)"
    " SELECT count(*) FROM ins";
static const char SQL_CONFLICTS_CLOSE[] =
    "UPDATE conflicts c SET closed_at = now(), closed_run = $2::bigint"
    " WHERE c.closed_at IS NULL AND (c.source_a = $1 OR c.source_b = $1) AND NOT EXISTS"
    " (SELECT 1 FROM stated_model_facts a JOIN stated_model_facts b"
    "  ON b.model_id = a.model_id AND b.fact = a.fact"
    "  WHERE a.model_id = c.model_id AND a.fact = c.fact AND a.source_id = c.source_a"
    "  AND b.source_id = c.source_b AND a.value = c.value_a AND b.value = c.value_b"
    "  AND NOT llmref_agree(a.value, b.value, $3::integer))";
/* Facts a source no longer states are retracted: a row with no value. */
static const char SQL_RETRACT_FACTS[] =
    "WITH ins AS (INSERT INTO model_facts (model_id, fact, value, source_id, run_id)"
    " SELECT model_id, item, NULL, $1, $2::bigint FROM llmref_diff WHERE change = 'missing'"
    " RETURNING model_id),"
    " dm AS (INSERT INTO dirty_models (model_id, run_id)"
    "  SELECT DISTINCT model_id, $2::bigint FROM ins ON CONFLICT (model_id) DO NOTHING)"
    " SELECT count(*) FROM ins";
static const char SQL_REVIVE_ROUTES[] =
    "WITH up AS (UPDATE routes r SET status = 'active', gone_run = NULL, missing_since = NULL"
    " WHERE source_id = $1 AND status = 'gone' AND provider_model_id IN"
    "  (SELECT provider_model_id FROM llmref_incoming)" ROUTE_RETURNING
    ")," ROUTE_EVENTS("'route.added'", "$2::bigint") " SELECT count(*) FROM up";
/* Routes missing from this run: $1 source, $2 run, $3 K. Mark when they
 * were first missed, forget it when they are back, and call them gone
 * once K successful runs of the source in a row have missed them. */
static const char SQL_MISSING_MARK[] =
    "WITH up AS (UPDATE routes SET missing_since = $2::bigint"
    " WHERE source_id = $1 AND status <> 'gone' AND missing_since IS NULL"
    " AND provider_model_id NOT IN (SELECT provider_model_id FROM llmref_incoming)"
    " RETURNING 1) SELECT count(*) FROM up";
static const char SQL_MISSING_CLEAR[] =
    "UPDATE routes SET missing_since = NULL WHERE source_id = $1 AND missing_since IS NOT NULL"
    " AND provider_model_id IN (SELECT provider_model_id FROM llmref_incoming)";
static const char SQL_GONE_ROUTES[] =
    "WITH up AS (UPDATE routes r SET status = 'gone', gone_run = $2::bigint"
    " WHERE r.source_id = $1 AND r.status <> 'gone' AND r.missing_since IS NOT NULL"
    " AND (SELECT count(*) FROM runs u WHERE u.source_id = $1 AND u.id >= r.missing_since"
    "  AND (u.outcome IN ('ok', 'unchanged') OR u.id = $2::bigint)) >= $3::integer" ROUTE_RETURNING
    ")," ROUTE_EVENTS("'route.gone'", "$2::bigint") " SELECT count(*) FROM up";
/* Prices and route facts: $1 source, $2 run. A price applies from now,
 * or from the later day a source announces (price_from); it is new when
 * it differs from the price in force at that moment. The current price
 * and facts are read by key for the routes of the source that existed
 * before this run (a route the run added has none); a new price of a
 * route that had one is a price.changed event with the last price
 * recorded before it. */
static const char SQL_MERGE_VALUES[] =
    "WITH b AS (SELECT i.*, r.id AS route_id, r.first_run <> $2::bigint AS old, CASE WHEN"
    "  i.price_from::date > (now() AT TIME ZONE 'UTC')::date"
    "  THEN i.price_from::date::timestamp AT TIME ZONE 'UTC' ELSE now() END AS eff"
    " FROM llmref_incoming i JOIN routes r"
    "  ON r.source_id = $1 AND r.provider_model_id = i.provider_model_id WHERE NOT i.same),"
    /* the row applied to a route that existed is its digest now (a route
     * the run added got it when it was inserted) */
    " dg AS (UPDATE routes r SET row_digest = b.digest FROM b WHERE r.id = b.route_id"
    "  AND b.old AND r.row_digest IS DISTINCT FROM b.digest),"
    " cur AS (SELECT b.*, cp.route_id AS has_price, cp.input_kind AS c_ik,"
    "  cp.input_usd_per_mtok AS c_iu, cp.output_kind AS c_ok,"
    "  cp.output_usd_per_mtok AS c_ou FROM b LEFT JOIN LATERAL (SELECT * FROM prices p"
    "  WHERE b.old AND p.route_id = b.route_id AND p.valid_from <= b.eff"
    "  ORDER BY p.valid_from DESC, p.id DESC LIMIT 1) cp ON true),"
    " p AS (INSERT INTO prices (route_id, input_kind, input_usd_per_mtok,"
    "  output_kind, output_usd_per_mtok, valid_from, run_id)"
    " SELECT route_id, input_kind, input_usd, output_kind, output_usd,"
    "  eff, $2::bigint FROM cur WHERE has_price IS NULL"
    "  OR (c_ik, c_iu, c_ok, c_ou) IS DISTINCT FROM"
    "   (input_kind, input_usd, output_kind, output_usd)"
    " RETURNING *),"
    " ev AS (INSERT INTO events (kind, subject, payload, run_id)"
    " SELECT 'price.changed', r.model_id, jsonb_build_object('model', r.model_id,"
    "  'provider', r.provider_id, 'source', r.source_id,"
    "  'provider_model_id', r.provider_model_id,"
    "  'old', jsonb_build_object('input', " PRICE_TEXT(
	"o") "),"
	     "  'new', jsonb_build_object('input', " PRICE_TEXT(
		 "p") "),"
		      "  'valid_from', p.valid_from), p.run_id"
		      " FROM p JOIN routes r ON r.id = p.route_id"
		      " JOIN LATERAL (SELECT * FROM prices x WHERE r.first_run <> $2::bigint"
		      "  AND x.route_id = p.route_id ORDER BY x.id DESC LIMIT 1) o ON true ORDER "
		      "BY p.id),"
		      " v AS (SELECT c.route_id, c.old, f.fact, f.value FROM cur c CROSS JOIN "
		      "LATERAL"
		      "  (VALUES ('context_window', c.context_window::text),"
		      "   ('max_output', c.max_output::text), ('cached_input_usd_per_mtok', "
		      "c.cached_input),"
		      "   ('deprecation_date', c.deprecation_date),"
		      "   ('tier_threshold_tokens', c.tier_threshold::text),"
		      "   ('tier_input_usd_per_mtok', c.tier_input),"
		      "   ('tier_output_usd_per_mtok', c.tier_output), ('prices', c.prices))"
		      "  f(fact, value)),"
		      " f AS (INSERT INTO route_facts (route_id, fact, value, run_id)"
		      " SELECT v.route_id, v.fact, v.value, $2::bigint FROM v"
		      "  LEFT JOIN LATERAL (SELECT true AS found, x.value FROM route_facts x WHERE "
		      "v.old"
		      "  AND x.route_id = v.route_id AND x.fact = v.fact ORDER BY x.id DESC LIMIT "
		      "1) cf"
		      "  ON true WHERE (cf.found IS NULL AND v.value IS NOT NULL)"
		      "  OR (cf.found AND cf.value IS DISTINCT FROM v.value)"
		      " RETURNING route_id),"
		      " dm AS (INSERT INTO dirty_models (model_id, run_id)"
		      "  SELECT DISTINCT c.model_id, $2::bigint FROM cur c WHERE c.route_id IN"
		      "  (SELECT route_id FROM p UNION SELECT route_id FROM f)"
		      "  ON CONFLICT (model_id) DO NOTHING)"
		      " SELECT count(DISTINCT c.route_id) FILTER (WHERE c.old)"
		      " FROM cur c WHERE c.route_id IN (SELECT route_id FROM p"
		      "  UNION SELECT route_id FROM f)";
/* A deprecation date that has come marks the route deprecated; one
 * withdrawn or moved to the future makes it active again. $1 source. The
 * dates come through a partial index (008), not the current_route_facts
 * view, which sorted the whole catalog's route facts once per run: 2.7 s
 * of a 3.1 s no-change refresh at 240,000 routes (pg_stat_statements). */
static const char SQL_DEPRECATE_ROUTES[] =
    "WITH d AS (SELECT DISTINCT ON (f.route_id) f.route_id, f.value FROM route_facts f"
    "  WHERE f.fact = 'deprecation_date'"
    "  AND f.route_id IN (SELECT id FROM routes WHERE source_id = $1)"
    "  ORDER BY f.route_id, f.id DESC),"
    " t AS (SELECT r2.id FROM routes r2 LEFT JOIN d ON d.route_id = r2.id"
    "  WHERE r2.source_id = $1 AND ((r2.status = 'active' AND d.value IS NOT NULL"
    "  AND d.value <= to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'))"
    "  OR (r2.status = 'deprecated' AND (d.value IS NULL"
    "  OR d.value > to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'))))),"
    " up AS (UPDATE routes r SET status = CASE r.status WHEN 'active'"
    "  THEN 'deprecated' ELSE 'active' END FROM t WHERE r.id = t.id" ROUTE_RETURNING
    ")," ROUTE_EVENTS("CASE x.status WHEN 'deprecated' THEN 'route.deprecated'"
		      " ELSE 'route.added' END",
		      "$2::bigint") " SELECT count(*) FROM up";
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
static const char SQL_SOURCE_STATE[] =
    "SELECT coalesce(etag, ''), coalesce(last_modified, ''),"
    " coalesce(body_sha256, ''), coalesce(extract_sha256, ''),"
    " consecutive_failures, (SELECT count(*) FROM unmatched u"
    "  WHERE u.source_id = $1 AND u.resolved_run IS NULL)"
    " + (SELECT count(*) FROM unmatched_providers p"
    "  WHERE p.source_id = $1 AND p.resolved_at IS NULL AND NOT router"
    "  AND llmref_provider_of(p.name) IS NOT NULL),"
    " coalesce(floor(extract(epoch FROM clock_timestamp()"
    "  - last_attempt) * 1000)::bigint, -1)"
    " FROM sources WHERE id = $1";
static const char SQL_LAST_SNAPSHOT[] = "SELECT s.sha256, s.body, r.id FROM runs r"
					" JOIN snapshots s ON s.sha256 = r.snapshot_sha256"
					" WHERE r.source_id = $1 ORDER BY r.id DESC LIMIT 1";
static const char SQL_RUN_FAILED[] =
    "UPDATE runs SET outcome = 'failed', finished_at = clock_timestamp(),"
    " http_status = nullif($2, '0')::integer, error = $3,"
    " attempts = $4, snapshot_sha256 = $5 WHERE id = $1";
static const char SQL_RUN_STOPPED[] =
    "UPDATE runs SET outcome = 'failed', finished_at = clock_timestamp(), error = $2"
    " WHERE id = $1 AND outcome = 'running'";
static const char SQL_SOURCE_FAILED[] =
    "UPDATE sources SET consecutive_failures = consecutive_failures + 1,"
    " last_error = $2, etag = NULL, last_modified = NULL WHERE id = $1";

/* ---- helpers ------------------------------------------------------- */

static void
catalog_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* client_min_messages = warning keeps these rare */
}

/* ---- connection ---------------------------------------------------- */

/* llmref.conf's defaults, for a catalog opened without a config. */
static void
catalog_policy_defaults(struct catalog_policy *p)
{
	p->gone_after_runs = 3;
	p->conflict_tolerance_bp = 250;
	p->lock_wait_ms = 10000;
	p->guard = 1;
	p->min_rows_bp = 5000;
	p->mass_change_bp = 5000;
	p->mass_change_min = 5;
	p->max_factor = 10;
	p->answer_wait_ms = 300000;
}

enum lr_code
catalog_open(const char *conninfo, struct catalog **out, struct lr_err *err)
{
	return catalog_connect(conninfo, NULL, NULL, out, err);
}

enum lr_code
catalog_connect(const char *conninfo, int (*hook)(void *ctx), void *ctx, struct catalog **out,
		struct lr_err *err)
{
	/* defaults before dbname, so that the conninfo's own values win: a
	 * server that never answers, a lost network, a dead peer are noticed */
	const char *keys[] = { "connect_timeout",
			       "keepalives",
			       "keepalives_idle",
			       "keepalives_interval",
			       "keepalives_count",
			       "tcp_user_timeout",
			       "dbname",
			       "fallback_application_name",
			       NULL };
	char app[64];
	const char *vals[] = { CATALOG_CONNECT_TIMEOUT_SEC, "1",      "30", "10", "3",
			       CATALOG_TCP_USER_TIMEOUT_MS, conninfo, app,  NULL };
	struct catalog *cat = calloc(1, sizeof(*cat));

	snprintf(app, sizeof(app), "llmref pid %ld", (long)getpid());
	*out = NULL;
	if (cat == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	catalog_policy_defaults(&cat->policy);
	catalog_set_wait_hook(cat, hook, ctx);
	if (db_connect(cat, keys, vals) != 0 || PQsetnonblocking(cat->conn, 1) != 0) {
		lr_err_set(err, LR_ERR_DB, NULL, NULL, "cannot connect to PostgreSQL: %s",
			   cat->conn      ? PQerrorMessage(cat->conn)
			   : cat->lost[0] ? cat->lost
					  : "out of memory");
		catalog_close(cat);
		return LR_ERR_DB;
	}
	PQsetNoticeProcessor(cat->conn, catalog_notice, NULL);
	if (db_cmd(cat, SQL_SESSION_MESSAGES, 0, NULL, NULL, "session setup", err) != LR_OK ||
	    db_cmd(cat, SQL_SESSION_TZ, 0, NULL, NULL, "session setup", err) != LR_OK ||
	    db_cmd(cat, SQL_SESSION_JIT, 0, NULL, NULL, "session setup", err) != LR_OK) {
		catalog_close(cat);
		return LR_ERR_DB;
	}
	*out = cat;
	return LR_OK;
}

void
catalog_configure(struct catalog *cat, const struct config *cfg)
{
	struct catalog_policy *p = &cat->policy;

	p->gone_after_runs = cfg->gone_after_runs > 0 ? cfg->gone_after_runs : 1;
	p->conflict_tolerance_bp = cfg->conflict_tolerance_bp;
	p->lock_wait_ms = cfg->lock_wait_ms;
	p->guard = cfg->quarantine_enabled;
	p->min_rows_bp = cfg->quarantine_min_rows_bp;
	p->mass_change_bp = cfg->quarantine_mass_change_bp;
	p->mass_change_min = cfg->quarantine_mass_change_min;
	p->max_factor = cfg->quarantine_max_factor > 1 ? cfg->quarantine_max_factor : 2;
	p->answer_wait_ms = cfg->db_timeout_sec > 0 ? cfg->db_timeout_sec * 1000 : 300000;
}

int
catalog_connected(const struct catalog *cat)
{
	return cat != NULL && PQstatus(cat->conn) == CONNECTION_OK;
}

void
catalog_set_lock_wait(struct catalog *cat, long ms)
{
	cat->policy.lock_wait_ms = ms;
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
		res = db_query(cat, m->sql, 0, NULL, NULL, NULL, 0);
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
	if (rc == LR_OK && *applied > 0) /* the roles granted before: what is new too */
		rc = db_cmd(cat, SQL_REGRANT, 0, NULL, NULL, "grants", err);
	PQclear(db_query(cat, "SELECT pg_advisory_unlock($1::bigint)", 1, vals, NULL, NULL, 0));
	return rc;
}

enum lr_code
catalog_grant(struct catalog *cat, const char *role, const char *what, struct lr_err *err)
{
	const char *vals[2] = { role, what };

	return db_cmd(cat, SQL_GRANT, 2, vals, NULL, "grant", err);
}

/* Why the schema version could not be read: no schema, no privilege, or
 * the server's own words. */
static enum lr_code
schema_unreadable(PGresult *res, struct lr_err *err)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorMessage(res);
	enum lr_code rc;

	if (state != NULL && strcmp(state, "42P01") == 0) /* undefined_table */
		rc = lr_err_set(err, LR_ERR_DB, NULL, NULL,
				"the database has no llmref schema: run 'llmref db migrate'");
	else if (state != NULL && strcmp(state, "42501") == 0) /* insufficient_privilege */
		rc = lr_err_set(
		    err, LR_ERR_DB, NULL, NULL,
		    "permission denied on schema_migrations: this role may not read "
		    "llmref's catalog (llmref db grant reader|writer ROLE, as its owner)");
	else
		rc = lr_err_set(err, LR_ERR_DB, NULL, NULL, "the schema version: %.200s",
				msg != NULL && msg[0] ? msg : "unreadable");
	PQclear(res);
	return rc;
}

enum lr_code
catalog_check_schema(struct catalog *cat, struct lr_err *err)
{
	PGresult *res = db_query(cat, SQL_SCHEMA_VERSION, 0, NULL, NULL, NULL, 0);
	int have, want = catalog_schema_version_built();

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return schema_unreadable(res, err);
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

/* Wait up to the policy's lock_wait_ms for the lock: 1 got it, 0 timed
 * out, -1 database error (err set). */
static int
lock_wait(struct catalog *cat, const char *source_id, struct lr_err *err)
{
	char ms[32];
	const char *tv[1] = { ms };
	const char *vals[1] = { source_id };
	const char *state;
	PGresult *res;
	int got;

	snprintf(ms, sizeof(ms), "%ld", cat->policy.lock_wait_ms);
	if (db_cmd(cat, SQL_LOCK_TIMEOUT, 1, tv, source_id, "lock", err) != LR_OK)
		return -1;
	res = db_query(cat, SQL_LOCK_WAIT, 1, vals, NULL, NULL, 0);
	got = PQresultStatus(res) == PGRES_TUPLES_OK;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (!got && (state == NULL || strcmp(state, "55P03") != 0)) { /* not lock_not_available */
		db_fail(cat, res, err, source_id, "lock");
		return -1;
	}
	PQclear(res);
	tv[0] = "0";
	if (db_cmd(cat, SQL_LOCK_TIMEOUT, 1, tv, source_id, "lock", err) != LR_OK)
		return -1;
	return got;
}

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
	if (!got && cat->policy.lock_wait_ms > 0)
		got = lock_wait(cat, source_id, err);
	if (got != 0)
		return got > 0 ? LR_OK : LR_ERR_DB;
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

	PQclear(db_query(cat, SQL_UNLOCK, 1, vals, NULL, NULL, 0));
}

/* ---- runs ---------------------------------------------------------- */

enum lr_code
catalog_begin_run(struct catalog *cat, const struct source *src, const char *trigger,
		  long long *run_id, struct lr_err *err)
{
	const char *pv[2] = { src->provider, src->provider_name };
	char prio[24], shown[CATALOG_URL_MAX];
	const char *sv[6] = { src->id,
			      src->provider,
			      source_kind_name(src->kind),
			      src->kind == SOURCE_CURATED
				  ? src->file
				  : url_redact(src->url, shown, sizeof(shown)), /* never a secret */
			      prio,
			      src->router ? "true" : "false" };
	const char *rv[2] = { src->id, trigger };
	PGresult *res;

	if (db_cmd(cat, "BEGIN", 0, NULL, src->id, "begin", err) != LR_OK)
		return LR_ERR_DB;
	snprintf(prio, sizeof(prio), "%ld", src->priority);
	if (db_cmd(cat, SQL_UPSERT_PROVIDER, 2, pv, src->id, "provider", err) != LR_OK ||
	    db_cmd(cat, SQL_UPSERT_SOURCE, 6, sv, src->id, "source", err) != LR_OK ||
	    db_cmd(cat, SQL_RUN_ABANDONED, 1, sv, src->id, "run", err) != LR_OK)
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

/* r's other prices as one JSON object, {"per_image":"0.04",...} (keys
 * and values are canonical: no character needs escaping), or NULL when
 * it has none. -1 if it does not fit. */
#define COPY_PRICES_MAX (EXTRACT_MAX_PRICES * (RECORD_PRICE_KEY_MAX + DEC_STR_MAX + 6) + 4)
static int
copy_prices(const struct record *r, char *json, size_t len, const char **out)
{
	size_t at = 1;
	int i, n;

	*out = NULL;
	if (r->nprices == 0)
		return 0;
	json[0] = '{';
	for (i = 0; i < r->nprices; i++) {
		n = snprintf(json + at, len - at, "%s\"%s\":\"%s\"", i ? "," : "", r->prices[i].key,
			     r->prices[i].value);
		if (n < 0 || (size_t)n >= len - at - 1)
			return -1;
		at += (size_t)n;
	}
	json[at++] = '}';
	json[at] = '\0';
	*out = json;
	return 0;
}

/* One COPY line of r up to its digest; fact f (or none if f < 0) goes
 * in fact, value. */
static int
copy_record(struct buf *line, const struct record *r, int f)
{
	char in[DEC_STR_MAX], out[DEC_STR_MAX], ctx[24], prices[COPY_PRICES_MAX];
	const char *p;
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
	rc |= copy_field(line, f >= 0 ? r->facts[f].expires : NULL, 0);
	rc |= copy_field(line, r->served_by, 0);
	rc |= copy_field(line, r->price_from[0] ? r->price_from : NULL, 0);
	rc |= copy_field(line, r->provider, 0);
	rc |= copy_prices(r, prices, sizeof(prices), &p);
	rc |= copy_field(line, p, 0);
	return rc;
}

/* Stage record i: its line, its digest, whether it is "same". */
static int
copy_one(struct catalog *cat, struct buf *line, const struct row_digests *d,
	 const struct records *recs, size_t i)
{
	const struct record *r = &recs->v[i];
	char hex[DIGEST_HEX];
	int f = r->nfacts > 0 ? 0 : -1, same, ok;

	do { /* a pricing row once; a facts row once per fact */
		if (copy_record(line, r, f) != 0)
			return -1;
		same = digest_row(d, i, r, line->data, line->len, hex);
		ok = copy_field(line, hex[0] ? hex : NULL, 0) == 0 &&
		     copy_field(line, same ? "t" : "f", 1) == 0 &&
		     db_put_copy(cat, line->data, (int)line->len) == 0;
	} while (ok && f >= 0 && ++f < r->nfacts);
	return ok ? 0 : -1;
}

static enum lr_code
copy_records(struct catalog *cat, const struct source *src, const struct records *recs,
	     struct lr_err *err)
{
	struct row_digests d;
	PGresult *res;
	struct buf line;
	size_t i;
	int ok = 1;

	if (digest_load(cat, src, recs, &d, err) != LR_OK)
		return err->code;
	res = db_query(cat, SQL_COPY_INCOMING, 0, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		digest_free(&d);
		return db_fail(cat, res, err, src->id, "copy");
	}
	PQclear(res);
	buf_init(&line, CATALOG_COPY_LINE_MAX);
	for (i = 0; i < recs->n && ok; i++)
		ok = copy_one(cat, &line, &d, recs, i) == 0;
	buf_free(&line);
	digest_free(&d);
	if (db_end_copy(cat, ok ? NULL : "llmref: copy aborted") != 0)
		ok = 0;
	res = db_copy_result(cat);
	if (!ok || PQresultStatus(res) != PGRES_COMMAND_OK)
		return db_fail(cat, res, err, src->id, "copy");
	PQclear(res);
	return LR_OK;
}

/* Facts of a model_card, benchmarks or capabilities page; the counts are
 * of facts, not rows. Facts no longer stated are retracted; conflicts
 * with other sources open and close. */
static enum lr_code
merge_facts(struct catalog *cat, const struct source *src, const char *run, struct run_stats *st,
	    struct lr_err *err)
{
	const char *v2[2] = { src->id, run };
	char tol[24];
	const char *v3[3] = { src->id, run, tol };
	PGresult *res = db_exec(cat, SQL_MERGE_FACTS, 2, v2, src->id, "model facts", err);

	if (res == NULL)
		return LR_ERR_DB;
	st->added = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	st->changed = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	st->unchanged = st->extracted - st->added - st->changed - st->unmatched;
	snprintf(tol, sizeof(tol), "%ld", cat->policy.conflict_tolerance_bp);
	st->missing = db_count(cat, SQL_RETRACT_FACTS, 2, v2, src->id, "model facts", err);
	if (st->missing < 0 ||
	    db_cmd(cat, SQL_CONFLICTS_CLOSE, 3, v3, src->id, "conflicts", err) != LR_OK)
		return LR_ERR_DB;
	st->conflicts = db_count(cat, SQL_CONFLICTS_OPEN, 3, v3, src->id, "conflicts", err);
	return st->conflicts < 0 ? LR_ERR_DB : LR_OK;
}

/* Routes: new ones, revived ones, missing ones (gone after K runs). */
static enum lr_code
merge_routes(struct catalog *cat, const struct source *src, const char *run, struct run_stats *st,
	     struct lr_err *err)
{
	char k[24];
	const char *v3[3] = { src->id, src->provider, run };
	const char *g3[3] = { src->id, run, k };
	const char *v2[2] = { src->id, run };
	long revived;

	snprintf(k, sizeof(k), "%ld", cat->policy.gone_after_runs);
	st->added = db_count(cat, SQL_MERGE_ROUTES, 3, v3, src->id, "routes", err);
	if (st->added < 0)
		return LR_ERR_DB;
	revived = db_count(cat, SQL_REVIVE_ROUTES, 2, v2, src->id, "routes", err);
	if (revived < 0 || db_cmd(cat, SQL_SERVED_BY, 1, v2, src->id, "routes", err) != LR_OK ||
	    db_cmd(cat, SQL_MISSING_CLEAR, 1, v2, src->id, "routes", err) != LR_OK ||
	    db_count(cat, SQL_MISSING_MARK, 2, v2, src->id, "routes", err) < 0)
		return LR_ERR_DB;
	st->gone = db_count(cat, SQL_GONE_ROUTES, 3, g3, src->id, "routes", err);
	if (st->gone < 0)
		return LR_ERR_DB;
	st->added += revived;
	return LR_OK;
}

static enum lr_code
merge_records(struct catalog *cat, const struct source *src, const char *run, struct run_stats *st,
	      struct lr_err *err)
{
	const char *u3[3] = { src->id, run, src->authoritative ? "true" : "false" };
	const char *v2[2] = { src->id, run };
	const char *v1[1] = { run };
	long waiting = 0;
	enum lr_code rc;

	if (src->kind == SOURCE_PRICING &&
	    (rc = catalog_row_providers(cat, src, &waiting, err)) != LR_OK)
		return rc;
	if (db_cmd(cat, SQL_UNMATCHED_RESOLVE, 3, u3, src->id, "unmatched", err) != LR_OK)
		return LR_ERR_DB;
	st->unmatched = db_count(cat, SQL_UNMATCHED_OPEN, 3, u3, src->id, "unmatched", err);
	if (st->unmatched >= 0)
		st->unmatched += waiting;
	if (st->unmatched < 0 ||
	    db_cmd(cat, SQL_ALERT_UNMATCHED, 2, v2, src->id, "alert", err) != LR_OK ||
	    db_cmd(cat, SQL_ALERT_UNMATCHED_END, 2, v2, src->id, "alert", err) != LR_OK ||
	    db_cmd(cat, SQL_MERGE_MODELS, 1, v1, src->id, "models", err) != LR_OK)
		return LR_ERR_DB;
	if (src->kind != SOURCE_PRICING)
		return merge_facts(cat, src, run, st, err);
	if (merge_routes(cat, src, run, st, err) != LR_OK)
		return LR_ERR_DB;
	st->changed = db_count(cat, SQL_MERGE_VALUES, 2, v2, src->id, "prices", err);
	if (st->changed < 0 ||
	    db_count(cat, SQL_DEPRECATE_ROUTES, 2, v2, src->id, "routes", err) < 0)
		return LR_ERR_DB;
	st->unchanged = st->extracted - st->added - st->changed - st->unmatched - st->rejected;
	return LR_OK;
}

/* Fill llmref_diff from llmref_incoming and read its counts into st;
 * *moved, *existing, *jump (a price moved by max_factor: which one, or
 * "") and *last_rows (of the last applied run, -1 if none) feed the
 * guard. */
static enum lr_code
diff_build(struct catalog *cat, const struct source *src, struct run_stats *st, long *moved,
	   long *existing, char *jump, size_t jumplen, long *last_rows, struct lr_err *err)
{
	char factor[24];
	const char *d2[2] = { src->id, src->authoritative ? "true" : "false" };
	const char *g2[2] = { src->id, factor };
	PGresult *res;

	snprintf(factor, sizeof(factor), "%ld", cat->policy.max_factor);
	if (db_cmd(cat, src->kind == SOURCE_PRICING ? SQL_DIFF_ROUTES : SQL_DIFF_FACTS, 2, d2,
		   src->id, "diff", err) != LR_OK)
		return LR_ERR_DB;
	res = db_exec(cat, SQL_GUARD, 2, g2, src->id, "diff", err);
	if (res == NULL)
		return LR_ERR_DB;
	*moved = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	*existing = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	lr_strlcpy(jump, strcmp(PQgetvalue(res, 0, 2), "t") == 0 ? PQgetvalue(res, 0, 3) : "",
		   jumplen);
	*last_rows = strtol(PQgetvalue(res, 0, 4), NULL, 10);
	st->added = strtol(PQgetvalue(res, 0, 5), NULL, 10);
	st->changed = strtol(PQgetvalue(res, 0, 6), NULL, 10);
	st->missing = strtol(PQgetvalue(res, 0, 7), NULL, 10);
	st->unchanged = strtol(PQgetvalue(res, 0, 8), NULL, 10);
	PQclear(res);
	return LR_OK;
}

/* Build the diff; if the guard distrusts the run, say why in
 * st->quarantine. */
static enum lr_code
guard_check(struct catalog *cat, const struct source *src, struct run_stats *st, int guard,
	    struct lr_err *err)
{
	const struct catalog_policy *p = &cat->policy;
	long moved, existing, last;
	char jump[200];
	size_t q = sizeof(st->quarantine);

	if (diff_build(cat, src, st, &moved, &existing, jump, sizeof(jump), &last, err) != LR_OK)
		return LR_ERR_DB;
	st->quarantine[0] = '\0';
	if (!guard)
		return LR_OK;
	if (st->extracted == 0)
		snprintf(st->quarantine, q,
			 "no rows extracted ([extract] rows '%s' matched nothing)", src->rows);
	else if (last > 0 && st->extracted * 10000 < last * p->min_rows_bp)
		snprintf(st->quarantine, q,
			 "%ld rows, under %ld.%02ld%% of the last good run's %ld", st->extracted,
			 p->min_rows_bp / 100, p->min_rows_bp % 100, last);
	else if (jump[0] != '\0')
		snprintf(st->quarantine, q, "a price moved by %ldx or more (%s)", p->max_factor,
			 jump);
	else if (moved >= p->mass_change_min && moved * 10000 > existing * p->mass_change_bp)
		snprintf(st->quarantine, q, "%ld of %ld routes changed price at once (over %ld%%)",
			 moved, existing, p->mass_change_bp / 100);
	return LR_OK;
}

/* Archive the fetched body once, keyed by its SHA-256 (binary param). */
static enum lr_code
store_snapshot(struct catalog *cat, const struct source *src, const struct run_fetch_info *fi,
	       struct lr_err *err)
{
	char status[24], url[CATALOG_URL_MAX], final_url[CATALOG_URL_MAX];
	const char *vals[7] = { fi->body_sha256,
				fi->body,
				src->id,
				url_redact(fi->url, url, sizeof(url)), /* never a secret */
				url_redact(fi->final_url, final_url, sizeof(final_url)),
				status,
				fi->headers };
	int lens[7] = { 0, (int)fi->body_len, 0, 0, 0, 0, 0 };
	int fmts[7] = { 0, 1, 0, 0, 0, 0, 0 };
	PGresult *res;

	if (fi->body_sha256 == NULL)
		return LR_OK;
	if (fi->body_len > 0x7fffffff)
		return lr_err_set(err, LR_ERR_INTERNAL, src->id, NULL, "snapshot too large");
	snprintf(status, sizeof(status), "%ld", fi->http_status);
	res = db_query(cat, SQL_SNAPSHOT, 7, vals, lens, fmts, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return db_fail(cat, res, err, src->id, "snapshot");
	PQclear(res);
	return LR_OK;
}

/* A successful run (applied or unchanged) resolves any quarantine of its
 * source and its alert. */
static enum lr_code
resolve_quarantine(struct catalog *cat, const struct source *src, const char *run,
		   struct lr_err *err)
{
	const char *v2[2] = { src->id, run };

	if (db_cmd(cat, SQL_QUARANTINE_RESOLVE, 2, v2, src->id, "quarantine", err) != LR_OK)
		return LR_ERR_DB;
	return db_cmd(cat, SQL_ALERT_QUARANTINE_END, 2, v2, src->id, "alert", err);
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
	    db_cmd(cat, SQL_RUN_OK, 11, rv, src->id, "run", err) != LR_OK ||
	    resolve_quarantine(cat, src, run, err) != LR_OK)
		return LR_ERR_DB;
	return db_cmd(cat, SQL_SOURCE_OK, 5, sv, src->id, "source", err);
}

/* Keep the run with its would-be diff (once per distinct page), raise
 * the alert, and leave every catalog value as it was. */
static enum lr_code
quarantine_run(struct catalog *cat, const struct source *src, const char *run,
	       const struct run_fetch_info *fi, struct run_stats *st, struct lr_err *err)
{
	char n[8][24];
	const char *q3[3] = { src->id, run, fi->body_sha256 };
	const char *rv[11] = {
		run, n[0], n[1], n[2], n[3], n[4], n[5], n[6], fi->body_sha256, st->quarantine, n[7]
	};
	const char *sv[2] = { src->id, st->quarantine };
	const char *av[3] = { src->id, run, st->quarantine };
	PGresult *res = db_exec(cat, SQL_QUARANTINE_SAME, 3, q3, src->id, "quarantine", err);

	if (res == NULL)
		return LR_ERR_DB;
	st->quarantine_of = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	snprintf(n[0], sizeof(n[0]), "%ld", fi->http_status);
	snprintf(n[1], sizeof(n[1]), "%ld", st->extracted);
	snprintf(n[2], sizeof(n[2]), "%ld", st->added);
	snprintf(n[3], sizeof(n[3]), "%ld", st->changed);
	snprintf(n[4], sizeof(n[4]), "%ld", st->unchanged);
	snprintf(n[5], sizeof(n[5]), "%ld", st->missing);
	snprintf(n[6], sizeof(n[6]), "%d", fi->attempts);
	snprintf(n[7], sizeof(n[7]), "%lld", st->quarantine_of);
	if (store_snapshot(cat, src, fi, err) != LR_OK ||
	    (st->quarantine_of == 0 &&
	     db_cmd(cat, SQL_QUARANTINE_DIFF, 1, rv, src->id, "quarantine", err) != LR_OK) ||
	    db_cmd(cat, SQL_RUN_QUARANTINED, 11, rv, src->id, "run", err) != LR_OK ||
	    db_cmd(cat, SQL_SOURCE_QUARANTINED, 2, sv, src->id, "source", err) != LR_OK)
		return LR_ERR_DB;
	return db_cmd(cat, SQL_ALERT_QUARANTINE, 3, av, src->id, "alert", err);
}

/* COPY recs into llmref_incoming; the transaction is open. */
static enum lr_code
load_incoming(struct catalog *cat, const struct source *src, const struct records *recs,
	      struct lr_err *err)
{
	if (!cat->staged &&
	    (db_cmd(cat, SQL_INCOMING, 0, NULL, src->id, "temp table", err) != LR_OK ||
	     db_cmd(cat, SQL_DIFF_TABLE, 0, NULL, src->id, "temp table", err) != LR_OK))
		return LR_ERR_DB;
	cat->staged = 1;
	return copy_records(cat, src, recs, err);
}

static void
stats_start(struct run_stats *st, const struct source *src, const struct records *recs)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	st->rejected = recs->rejected;
	st->extracted = (long)recs->n + recs->rejected;
	if (src->kind != SOURCE_PRICING) /* counted in facts */
		for (st->extracted = 0, i = 0; i < recs->n; i++)
			st->extracted += recs->v[i].nfacts;
}

enum lr_code
catalog_apply_run(struct catalog *cat, const struct source *src, long long run_id,
		  const struct run_fetch_info *fi, const struct records *recs, int flags,
		  struct run_stats *st, struct lr_err *err)
{
	char run[24];
	int guard = cat->policy.guard && !(flags & CATALOG_APPLY_NO_GUARD);
	enum lr_code rc;

	snprintf(run, sizeof(run), "%lld", run_id);
	stats_start(st, src, recs);
	if (db_cmd(cat, "BEGIN", 0, NULL, src->id, "begin", err) != LR_OK)
		return LR_ERR_DB;
	rc = load_incoming(cat, src, recs, err);
	if (rc == LR_OK)
		rc = guard_check(cat, src, st, guard, err);
	if (rc == LR_OK && st->quarantine[0] != '\0')
		rc = quarantine_run(cat, src, run, fi, st, err);
	else if (rc == LR_OK)
		rc = merge_records(cat, src, run, st, err);
	if (rc == LR_OK && st->quarantine[0] == '\0')
		rc = finish_run_ok(cat, src, run, fi, st, err);
	if (rc == LR_OK)
		rc = db_cmd(cat, "COMMIT", 0, NULL, src->id, "commit", err);
	if (rc != LR_OK)
		db_rollback(cat);
	return rc;
}

enum lr_code
catalog_preview(struct catalog *cat, const struct source *src, const struct records *recs,
		struct catalog_rows *diff, struct run_stats *st, struct lr_err *err)
{
	const char *auth[1] = { src->authoritative ? "true" : "false" };
	enum lr_code rc;

	memset(diff, 0, sizeof(*diff));
	stats_start(st, src, recs);
	if (db_cmd(cat, "BEGIN", 0, NULL, src->id, "begin", err) != LR_OK)
		return LR_ERR_DB;
	rc = load_incoming(cat, src, recs, err);
	if (rc == LR_OK)
		rc = guard_check(cat, src, st, cat->policy.guard, err);
	if (rc == LR_OK)
		rc = db_rows(cat, SQL_PREVIEW_LIST, 1, auth, "diff", diff, err);
	db_rollback(cat); /* a preview writes nothing */
	return rc;
}

enum lr_code
catalog_stop_run(struct catalog *cat, long long run_id, const char *reason, struct lr_err *err)
{
	char run[24];
	const char *v[2] = { run, reason };

	snprintf(run, sizeof(run), "%lld", run_id);
	return db_cmd(cat, SQL_RUN_STOPPED, 2, v, "", "run", err);
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

/* An unchanged run still counts: routes it misses move towards gone and
 * deprecation dates that have come take effect. */
static enum lr_code
unchanged_routes(struct catalog *cat, const struct source *src, const char *run, struct lr_err *err)
{
	char k[24];
	const char *g3[3] = { src->id, run, k };

	if (src->kind != SOURCE_PRICING)
		return LR_OK;
	snprintf(k, sizeof(k), "%ld", cat->policy.gone_after_runs);
	if (db_count(cat, SQL_GONE_ROUTES, 3, g3, src->id, "routes", err) < 0 ||
	    db_count(cat, SQL_DEPRECATE_ROUTES, 2, g3, src->id, "routes", err) < 0)
		return LR_ERR_DB;
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
	    unchanged_routes(cat, src, run, err) != LR_OK ||
	    resolve_quarantine(cat, src, run, err) != LR_OK ||
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
		st->since_attempt_ms = strtoll(PQgetvalue(res, 0, 6), NULL, 10);
	} else {
		st->since_attempt_ms = -1;
	}
	PQclear(res);
	return LR_OK;
}

static enum lr_code
read_snapshot(struct catalog *cat, const char *sql, const char *source_id, struct snapshot *out,
	      const char *none, struct lr_err *err)
{
	const char *vals[1] = { source_id };
	PGresult *res = db_query(cat, sql, 1, vals, NULL, NULL, 1);
	int len;

	memset(out, 0, sizeof(*out));
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return db_fail(cat, res, err, source_id, "snapshot");
	if (PQntuples(res) != 1) {
		PQclear(res);
		return lr_err_set(err, LR_ERR_USAGE, source_id, NULL, "%s", none);
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

enum lr_code
catalog_last_snapshot(struct catalog *cat, const char *source_id, struct snapshot *out,
		      struct lr_err *err)
{
	return read_snapshot(cat, SQL_LAST_SNAPSHOT, source_id, out,
			     "no stored page to reparse: refresh the source first", err);
}

enum lr_code
catalog_quarantined_snapshot(struct catalog *cat, const char *source_id, struct snapshot *out,
			     struct lr_err *err)
{
	return read_snapshot(cat, SQL_QUARANTINED_SNAPSHOT, source_id, out,
			     "no quarantined run waits for review (llmref review)", err);
}

void
snapshot_free(struct snapshot *snap)
{
	if (snap != NULL) {
		free(snap->body);
		snap->body = NULL;
	}
}
