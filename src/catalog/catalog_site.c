/* catalog_site.c - what the page builders' tree (diff_site.c) reads:
 * the models and pairs that have exports, every route's dated prices per
 * model and per provider as JSON text, and the feed's last event. Prices
 * are numeric::text: exact decimal strings, never numbers. */
#include "autoconf.h"

#include <stdlib.h>

#include "catalog/catalog.h"
#include "catalog/catalog_impl.h"

/* The models `export model` knows: those a provider serves. */
static const char SQL_SITE_MODELS[] =
    "SELECT DISTINCT model_id FROM provider_routes ORDER BY model_id";
/* The pairs that have a stored comparison record. */
static const char SQL_SITE_PAIRS[] =
    "SELECT model_a, model_b FROM comparisons ORDER BY model_a, model_b";
/* One route as JSON, with its prices in force and since when ($1 alias r,
 * p the provider, h its price history) */
#define SITE_ROUTE_PRICES                                                                          \
	"'prices', (SELECT coalesce(json_agg(json_build_object("                                   \
	"'valid_from', to_char(h.valid_from AT TIME ZONE 'UTC', "                                  \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                                                       \
	" 'input_kind', h.input_kind, 'input_usd_per_mtok', h.input_usd_per_mtok::text,"           \
	" 'output_kind', h.output_kind, 'output_usd_per_mtok', h.output_usd_per_mtok::text)"       \
	" ORDER BY h.valid_from, h.id), '[]'::json) FROM prices h WHERE h.route_id = r.id)"
/* Every route of each model ($1: text[] of ids, or NULL for all): provider, the router's endpoint (served_by),
 * variant, status and the dated prices. */
static const char SQL_SITE_HISTORY[] =
    "SELECT r.model_id, json_build_object('schema_version', 1, 'model', r.model_id,"
    " 'routes', json_agg(json_build_object('provider', r.provider_id, 'provider_name', p.name,"
    "  'provider_model_id', r.provider_model_id, 'served_by', r.served_by,"
    "  'variant', r.variant, 'status', r.status, " SITE_ROUTE_PRICES ")"
    "  ORDER BY r.provider_id, r.served_by, r.provider_model_id, r.variant))::text"
    " FROM routes r JOIN providers p ON p.id = r.provider_id"
    " WHERE r.model_id IN (SELECT model_id FROM provider_routes)"
    " AND ($1::text[] IS NULL OR r.model_id = ANY($1::text[]))"
    " GROUP BY r.model_id ORDER BY r.model_id";
/* Every route of each provider, with its status and its price now. */
static const char SQL_SITE_PROVIDERS[] =
    "SELECT p.id, json_build_object('schema_version', 1, 'provider', p.id, 'name', p.name,"
    " 'routes', json_agg(json_build_object('model', r.model_id,"
    "  'provider_model_id', r.provider_model_id, 'served_by', r.served_by,"
    "  'variant', r.variant, 'status', r.status,"
    "  'input_kind', cp.input_kind, 'input_usd_per_mtok', cp.input_usd_per_mtok::text,"
    "  'output_kind', cp.output_kind, 'output_usd_per_mtok', cp.output_usd_per_mtok::text)"
    "  ORDER BY r.model_id, r.served_by, r.provider_model_id, r.variant))::text"
    " FROM providers p JOIN routes r ON r.provider_id = p.id"
    " LEFT JOIN current_prices cp ON cp.route_id = r.id"
    " GROUP BY p.id, p.name ORDER BY p.id";
/* The feed's last event that changes what the tree holds (any kind but
 * alert.*: a quarantine's or a failure's alert leaves the tree as it was):
 * id and time, or 0 and "". */
static const char SQL_SITE_LAST_EVENT[] =
    "SELECT coalesce(max(id), 0)::text, coalesce(to_char(max(created_at) AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '') FROM events WHERE kind NOT LIKE 'alert.%'";

enum lr_code
catalog_site_rows(struct catalog *cat, enum catalog_site_part part, struct catalog_rows *out,
		  struct lr_err *err)
{
	static const char *const sql[] = { SQL_SITE_MODELS, SQL_SITE_PAIRS, SQL_SITE_HISTORY,
					   SQL_SITE_PROVIDERS, SQL_SITE_LAST_EVENT };
	static const char *const what[] = { "site models", "site pairs", "site history",
					    "site providers", "site last event" };

	static const char *const all[1] = { NULL }; /* HISTORY: of every model */

	if ((unsigned)part >= sizeof(sql) / sizeof(sql[0]))
		return lr_err_set(err, LR_ERR_INTERNAL, NULL, NULL, "site: no such part");
	return db_rows(cat, sql[part], part == CATALOG_SITE_HISTORY, all, what[part], out, err);
}

enum lr_code
catalog_site_history_of(struct catalog *cat, const json_t *ids, struct catalog_rows *out,
			struct lr_err *err)
{
	char *arr = pg_text_array(ids);
	const char *vals[1] = { arr };
	enum lr_code rc;

	if (arr == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	rc = db_rows(cat, SQL_SITE_HISTORY, 1, vals, "site history", out, err);
	free(arr);
	return rc;
}
