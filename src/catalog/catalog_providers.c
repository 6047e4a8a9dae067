/* catalog_providers.c - the catalog's side of providers.conf: the
 * providers and every name they go by are written from the configuration
 * (provider_names, migration 009), a name is resolved to a provider id by
 * the SQL function llmref_provider_of (the one place resolution happens),
 * and router names that resolve to no provider wait with an alert. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_impl.h"

/* $1: the configuration's providers, JSON [{"id", "name"}]. */
static const char SQL_PROVIDERS_PUT[] =
    "WITH up AS (INSERT INTO providers (id, name)"
    "  SELECT id, name FROM json_to_recordset($1::json) AS w(id text, name text)"
    "  ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name"
    "  WHERE providers.name IS DISTINCT FROM EXCLUDED.name RETURNING 1)"
    " SELECT count(*) FROM up";
/* $1: every name, JSON [{"provider_id", "name"}], one row per folded key. */
#define SQL_WANTED_NAMES                                                                           \
	"WITH w AS (SELECT DISTINCT ON (key) key, provider_id, name FROM"                          \
	"  (SELECT llmref_provider_key(x.name) AS key, x.provider_id, x.name"                      \
	"   FROM json_to_recordset($1::json) AS x(provider_id text, name text)) k"                 \
	"  WHERE key <> '' ORDER BY key, name)"
static const char SQL_NAMES_DROP[] =
    SQL_WANTED_NAMES ", d AS (DELETE FROM provider_names p WHERE NOT EXISTS"
		     " (SELECT 1 FROM w WHERE w.key = p.key AND w.provider_id = p.provider_id)"
		     " RETURNING 1) SELECT count(*) FROM d";
static const char SQL_NAMES_ADD[] =
    SQL_WANTED_NAMES ", a AS (INSERT INTO provider_names (key, provider_id, name)"
		     " SELECT key, provider_id, name FROM w ON CONFLICT (key) DO NOTHING"
		     " RETURNING 1) SELECT count(*) FROM a";
/* Names moved: every served model's records are recomputed. */
static const char SQL_NAMES_DIRTY[] =
    "SELECT llmref_dirty(model_id) FROM (SELECT DISTINCT model_id FROM routes"
    " WHERE status <> 'gone') m";
static const char SQL_PROVIDER_OF[] = "SELECT coalesce(llmref_provider_of($1), '')";

/* Router names that resolve to no provider: resolved when they resolve
 * or leave, opened when new; one alert per source, its count kept true.
 * (A dataset's names wait until its own run: catalog_row_providers.) */
static const char SQL_UNPROV_RESOLVE[] =
    "UPDATE unmatched_providers u SET resolved_at = now() WHERE u.resolved_at IS NULL"
    " AND EXISTS (SELECT 1 FROM sources s WHERE s.id = u.source_id AND s.router)"
    " AND (llmref_provider_of(u.name) IS NOT NULL OR NOT EXISTS (SELECT 1 FROM routes r"
    "  WHERE r.source_id = u.source_id AND r.served_by = u.name AND r.status <> 'gone'))";
static const char SQL_UNPROV_OPEN[] =
    "INSERT INTO unmatched_providers (source_id, name)"
    " SELECT DISTINCT r.source_id, r.served_by FROM routes r"
    " WHERE r.served_by <> '' AND r.status <> 'gone' AND llmref_provider_of(r.served_by) IS NULL"
    " ON CONFLICT (source_id, name) WHERE resolved_at IS NULL DO NOTHING";
#define SQL_UNPROV_COUNTS                                                                          \
	"WITH n AS (SELECT source_id, 'source ' || source_id || ': ' || count(*)"                  \
	"  || ' provider name(s) match no provider (llmref unmatched; providers.conf)' AS msg"     \
	"  FROM unmatched_providers WHERE resolved_at IS NULL GROUP BY source_id)"
static const char SQL_UNPROV_ALERT[] =
    SQL_UNPROV_COUNTS " INSERT INTO alerts (kind, subject, message)"
		      " SELECT 'unmatched_providers', source_id, msg FROM n"
		      " ON CONFLICT (kind, subject) WHERE resolved_at IS NULL DO NOTHING";
static const char SQL_UNPROV_ALERT_COUNT[] =
    SQL_UNPROV_COUNTS " UPDATE alerts a SET message = n.msg FROM n"
		      " WHERE a.kind = 'unmatched_providers' AND a.resolved_at IS NULL"
		      " AND a.subject = n.source_id AND a.message <> n.msg";
static const char SQL_UNPROV_ALERT_END[] =
    "UPDATE alerts a SET resolved_at = now()"
    " WHERE a.kind = 'unmatched_providers' AND a.resolved_at IS NULL AND NOT EXISTS"
    " (SELECT 1 FROM unmatched_providers u WHERE u.source_id = a.subject"
    "  AND u.resolved_at IS NULL)";

/* A dataset's rows (llmref_incoming.provider, $1 source, $2 is it a
 * router; normalization refused one key on two rows): rows whose provider
 * resolves to none wait (taken out of the incoming set, their names
 * listed), names no longer waiting close. Returns rows taken out, names
 * opened or closed. */
static const char SQL_ROWPROV_WAIT[] =
    "WITH w AS (SELECT DISTINCT provider FROM llmref_incoming"
    "  WHERE provider <> '' AND llmref_provider_of(provider) IS NULL),"
    " res AS (UPDATE unmatched_providers u SET resolved_at = now()"
    "  WHERE u.source_id = $1 AND u.resolved_at IS NULL AND NOT $2::boolean"
    "  AND NOT EXISTS (SELECT 1 FROM w WHERE w.provider = u.name) RETURNING 1),"
    " ins AS (INSERT INTO unmatched_providers (source_id, name) SELECT $1, provider FROM w"
    "  ON CONFLICT (source_id, name) WHERE resolved_at IS NULL DO NOTHING RETURNING 1),"
    " del AS (DELETE FROM llmref_incoming i USING w WHERE i.provider = w.provider RETURNING 1)"
    " SELECT (SELECT count(*) FROM del), (SELECT count(*) FROM res) + (SELECT count(*) FROM ins)";

/* The configuration's providers and names as two JSON texts (malloc'd);
 * -1 on out of memory. */
static int
providers_json(const struct config *cfg, char **provs, char **names)
{
	json_t *p = json_array(), *n = json_array();
	size_t i, j;
	int bad = p == NULL || n == NULL;

	for (i = 0; i < cfg->nproviders && !bad; i++) {
		const struct provider_def *d = &cfg->providers[i];

		bad |= json_array_append_new(
			   p, json_pack("{s:s, s:s}", "id", d->id, "name", d->name)) != 0;
		for (j = 0; j < d->nnames && !bad; j++)
			bad |= json_array_append_new(n, json_pack("{s:s, s:s}", "provider_id",
								  d->id, "name", d->names[j])) != 0;
	}
	*provs = bad ? NULL : json_dumps(p, JSON_COMPACT);
	*names = bad ? NULL : json_dumps(n, JSON_COMPACT);
	json_decref(p);
	json_decref(n);
	if (*provs != NULL && *names != NULL)
		return 0;
	free(*provs);
	free(*names);
	return -1;
}

static enum lr_code
providers_write(struct catalog *cat, const char *provs, const char *names, struct lr_err *err)
{
	const char *pv[1] = { provs }, *nv[1] = { names };
	long put, dropped, added;

	if ((put = db_count(cat, SQL_PROVIDERS_PUT, 1, pv, NULL, "providers", err)) < 0 ||
	    (dropped = db_count(cat, SQL_NAMES_DROP, 1, nv, NULL, "providers", err)) < 0 ||
	    (added = db_count(cat, SQL_NAMES_ADD, 1, nv, NULL, "providers", err)) < 0)
		return LR_ERR_DB;
	if (put + dropped + added == 0)
		return LR_OK;
	return db_cmd(cat, SQL_NAMES_DIRTY, 0, NULL, NULL, "providers", err);
}

enum lr_code
catalog_sync_providers(struct catalog *cat, const struct config *cfg, struct lr_err *err)
{
	char *provs, *names;
	enum lr_code rc;

	if (providers_json(cfg, &provs, &names) != 0)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	rc = db_cmd(cat, "BEGIN", 0, NULL, NULL, "begin", err);
	if (rc == LR_OK)
		rc = providers_write(cat, provs, names, err);
	if (rc == LR_OK)
		rc = db_cmd(cat, "COMMIT", 0, NULL, NULL, "commit", err);
	if (rc != LR_OK)
		db_rollback(cat);
	free(provs);
	free(names);
	return rc;
}

enum lr_code
catalog_provider_of(struct catalog *cat, const char *name, char *id, size_t len, struct lr_err *err)
{
	const char *v[1] = { name };
	PGresult *res = db_exec(cat, SQL_PROVIDER_OF, 1, v, NULL, "provider", err);

	if (res == NULL)
		return LR_ERR_DB;
	lr_strlcpy(id, PQgetvalue(res, 0, 0), len);
	PQclear(res);
	return LR_OK;
}

static enum lr_code
unprov_alerts(struct catalog *cat, const char *source, struct lr_err *err)
{
	if (db_cmd(cat, SQL_UNPROV_ALERT_COUNT, 0, NULL, source, "alert", err) != LR_OK ||
	    db_cmd(cat, SQL_UNPROV_ALERT, 0, NULL, source, "alert", err) != LR_OK ||
	    db_cmd(cat, SQL_UNPROV_ALERT_END, 0, NULL, source, "alert", err) != LR_OK)
		return LR_ERR_DB;
	return LR_OK;
}

enum lr_code
catalog_row_providers(struct catalog *cat, const struct source *src, long *waiting,
		      struct lr_err *err)
{
	const char *v2[2] = { src->id, src->router ? "true" : "false" };
	PGresult *res;
	long moved;

	*waiting = 0;
	res = db_exec(cat, SQL_ROWPROV_WAIT, 2, v2, src->id, "providers", err);
	if (res == NULL)
		return LR_ERR_DB;
	*waiting = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	moved = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return moved > 0 ? unprov_alerts(cat, src->id, err) : LR_OK;
}

enum lr_code
catalog_check_providers(struct catalog *cat, struct lr_err *err)
{
	const char *what = "unmatched providers";

	if (db_cmd(cat, SQL_UNPROV_RESOLVE, 0, NULL, NULL, what, err) != LR_OK ||
	    db_cmd(cat, SQL_UNPROV_OPEN, 0, NULL, NULL, what, err) != LR_OK)
		return LR_ERR_DB;
	return unprov_alerts(cat, NULL, err);
}
