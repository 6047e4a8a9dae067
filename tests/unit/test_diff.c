/* test_diff.c - table-driven tests of the diff stage's pure computation
 * (src/diff.c): the seed comparison page figure by figure, the hash, the
 * changed-field list, ties, missing prices, overflow and bad input. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diff/diff.h"
#include "core/err.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define ID_1B   "llama-3.2-1b"
#define ID_405B "llama-3.1-405b-instruct"
#define REVIEW  "2026-05-19"

/* One route as the catalog lists it; a NULL price is JSON null. */
struct route_row {
	const char *provider, *name;
	const char *in, *out;
	const char *status, *variant;
};

/* The seed page (../shared/reference/seed-page.txt): Llama 3.2 1B on one
 * Fireworks route; Llama 3.1 405B on 11 routes where AWS Bedrock is the
 * cheapest active one without a variant, below which sit a deprecated
 * route, a batch tier and a free tier, plus one route with no prices. */
static const struct route_row routes_1b[] = {
	{ "fireworks", "Fireworks AI", "0.10", "0.10", "active", "" },
};

static const struct route_row routes_405b[] = {
	{ "octoai", "OctoAI API", "1.20", "1.20", "deprecated", "" },
	{ "together", "Together AI", "3.5", "3.5", "active", "" },
	{ "fireworks", "Fireworks AI", "3", "3", "active", "" },
	{ "deepinfra", "DeepInfra", "1.0", "1.0", "active", "batch" },
	{ "watsonx", "IBM watsonx", "5", "16", "active", "" },
	{ "scaleai", "Scale AI GenAI Platform", NULL, NULL, "active", "" },
	{ "bedrock", "AWS Bedrock", "2.40", "2.40", "active", "" },
	{ "vertex", "Google Vertex AI", "5", "16", "active", "" },
	{ "azure", "Azure AI Foundry", "5.33", "16", "active", "" },
	{ "openrouter", "OpenRouter", "0", "0", "active", "free" },
	{ "deepinfra", "DeepInfra", "2.7", "2.7", "active", "" },
};

/* Seed traffic: 1,050,000,000 tokens a month, 70% input. */
static const struct diff_traffic seed_traffic = { 1050000000, 7000 };

static json_t *
load(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);

	if (v == NULL)
		printf("# bad test JSON: %s (column %d)\n", je.text, je.column);
	return v;
}

/* Canonical text of v (NULL stays NULL); caller frees. */
static char *
dump(const json_t *v)
{
	return v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
}

static void
is_json(const json_t *v, const char *want, const char *what)
{
	char *got = dump(v);

	tap_str_eq(got, want, what);
	free(got);
}

/* A new raw half {id, routes} with the n routes of rows. */
static json_t *
half_raw(const char *id, const struct route_row *rows, size_t n)
{
	json_t *h = json_pack("{s:s, s:[]}", "id", id, "routes");
	json_t *routes = json_object_get(h, "routes");
	size_t i;

	for (i = 0; i < n; i++) {
		const struct route_row *r = &rows[i];

		json_array_append_new(
		    routes, json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s, s:s}", "provider",
				      r->provider, "provider_name", r->name, "input_usd_per_mtok",
				      r->in, "output_usd_per_mtok", r->out, "status", r->status,
				      "variant", r->variant, "last_reviewed", REVIEW));
	}
	return h;
}

/* A new raw half with one active route of provider "p<id>" at in/out. */
static json_t *
half_one(const char *id, const char *in, const char *out)
{
	char prov[32];
	struct route_row r = { prov, "P", in, out, "active", "" };

	snprintf(prov, sizeof(prov), "p%s", id);
	return half_raw(id, &r, 1);
}

/* The raw seed half of model 0 (1B) or 1 (405B). */
static json_t *
seed_half(int which)
{
	json_t *h = which == 0 ? half_raw(ID_1B, routes_1b, N(routes_1b))
			       : half_raw(ID_405B, routes_405b, N(routes_405b));
	json_t *facts = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:s}", "name",
	    which == 0 ? "Llama 3.2 1B" : "Llama 3.1 405B Instruct", "creator", "Meta", "released",
	    which == 0 ? "2024-09-25" : "2024-07-23", "context_window", "128000", "parameters",
	    which == 0 ? "1230000000" : "405000000000", "architecture", "decoder only", "license",
	    "Llama 3 Community", "openness", "open weights", "commercial_use",
	    "Commercial use with conditions", "knowledge_cutoff", "2023-12", "benchmarks", "mmlu",
	    which == 0 ? "54.2" : "88.6", "last_reviewed", REVIEW);
	/* parallel_agents left out: a missing capability is false */
	json_t *caps =
	    json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "vision", 0, "multimodal", 0,
		      "reasoning", 0, "function_calling", 0, "tool_use", 0, "structured_outputs",
		      which == 1, "code_execution", 0, "ide_integration", 0, "computer_use", 0);

	json_object_update(h, facts);
	json_object_set_new(h, "capabilities", caps);
	json_decref(facts);
	return h;
}

/* Complete h in place; returns h, or NULL (h freed, a failed check). */
static json_t *
completed(json_t *h, const struct diff_traffic *t)
{
	struct lr_err err;

	lr_err_clear(&err);
	if (h != NULL && diff_model_complete(h, t, &err) != 0) {
		tap_ok(0, "complete: %s", err.reason);
		json_decref(h);
		return NULL;
	}
	return h;
}

/* The record of two raw halves (both stolen), completed at traffic t. */
static json_t *
record_of(json_t *a, json_t *b, const struct diff_traffic *t)
{
	struct lr_err err;
	json_t *rec = NULL;

	a = completed(a, t);
	b = completed(b, t);
	lr_err_clear(&err);
	if (a != NULL && b != NULL) {
		rec = diff_pair_record(a, b, t, &err);
		if (rec == NULL)
			tap_ok(0, "record: %s", err.reason);
	}
	json_decref(a);
	json_decref(b);
	return rec;
}

static json_t *
seed_record(void)
{
	return record_of(seed_half(0), seed_half(1), &seed_traffic);
}

/* ---- the seed page --------------------------------------------------- */

static void
test_seed_halves(void)
{
	json_t *a = completed(seed_half(0), &seed_traffic);
	json_t *b = completed(seed_half(1), &seed_traffic);

	is_json(json_object_get(a, "route_count"), "1", "seed: 1B has 1 route");
	is_json(json_object_get(b, "route_count"), "11", "seed: 405B has 11 routes");
	is_json(json_object_get(a, "cheapest_input"),
		"{\"provider\":\"fireworks\",\"provider_name\":\"Fireworks AI\","
		"\"usd_per_mtok\":\"0.1\"}",
		"seed: 1B cheapest input is Fireworks at 0.1");
	is_json(json_object_get(a, "cheapest_output"),
		"{\"provider\":\"fireworks\",\"provider_name\":\"Fireworks AI\","
		"\"usd_per_mtok\":\"0.1\"}",
		"seed: 1B cheapest output is Fireworks at 0.1");
	is_json(json_object_get(b, "cheapest_input"),
		"{\"provider\":\"bedrock\",\"provider_name\":\"AWS Bedrock\","
		"\"usd_per_mtok\":\"2.4\"}",
		"seed: 405B cheapest input is AWS Bedrock at 2.4 (not the deprecated OctoAI, "
		"not the batch or free tiers)");
	is_json(json_object_get(b, "cheapest_output"),
		"{\"provider\":\"bedrock\",\"provider_name\":\"AWS Bedrock\","
		"\"usd_per_mtok\":\"2.4\"}",
		"seed: 405B cheapest output is AWS Bedrock at 2.4");
	is_json(json_object_get(a, "monthly_cost_usd"), "\"105\"", "seed: 1B monthly $105");
	is_json(json_object_get(b, "monthly_cost_usd"), "\"2520\"", "seed: 405B monthly $2,520");
	is_json(json_object_get(a, "cheapest_route"),
		"{\"blended_usd_per_mtok\":\"0.1\",\"input_usd_per_mtok\":\"0.1\","
		"\"monthly_cost_usd\":\"105\",\"output_usd_per_mtok\":\"0.1\","
		"\"provider\":\"fireworks\",\"provider_name\":\"Fireworks AI\",\"variant\":\"\"}",
		"seed: 1B cheapest route Fireworks AI, $105 a month");
	is_json(json_object_get(json_object_get(b, "cheapest_route"), "provider_name"),
		"\"AWS Bedrock\"", "seed: 405B cheapest route AWS Bedrock ($2,520)");
	is_json(
	    json_object_get(json_array_get(json_object_get(b, "routes"), 6), "input_usd_per_mtok"),
	    "\"2.40\"", "seed: the routes themselves are left as they were");
	json_decref(a);
	json_decref(b);
}

/* The object's keys, in order, joined by ','. */
static void
is_key_order(const json_t *obj, const char *want, const char *what)
{
	char got[512] = "";
	const char *k;
	json_t *v;
	size_t n = 0;

	json_object_foreach((json_t *)obj, k, v)
	{
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", n ? "," : "", k);
		if (n >= sizeof(got))
			break;
	}
	tap_str_eq(got, want, what);
}

static void
test_seed_record(void)
{
	json_t *rec = seed_record();
	char hex[65];

	is_json(json_object_get(rec, "shared_providers"),
		"[{\"provider\":\"fireworks\",\"provider_name\":\"Fireworks AI\"}]",
		"seed: the overlap is Fireworks AI");
	is_json(json_object_get(rec, "benchmark_leads"),
		"[{\"benchmark\":\"mmlu\",\"lead\":\"34.4\",\"leader\":\"" ID_405B "\"}]",
		"seed: 405B leads MMLU by 34.4");
	is_json(json_object_get(rec, "unique_capabilities"),
		"{\"" ID_405B "\":[\"structured_outputs\"],\"" ID_1B "\":[]}",
		"seed: only 405B has structured outputs");
	is_json(json_object_get(rec, "output_price_gap_usd_per_mtok"), "\"2.3\"",
		"seed: output gap $2.30/1M");
	is_json(json_object_get(rec, "output_price_gap_percent"), "\"2300\"",
		"seed: ~2300% cheaper");
	is_json(json_object_get(rec, "blended_price_gap_usd_per_mtok"), "\"2.3\"",
		"seed: 70/30 blend gap $2.30");
	is_json(json_object_get(rec, "monthly_cost_gap_usd"), "\"2415\"",
		"seed: monthly gap $2,415");
	is_json(json_object_get(rec, "cheaper"), "\"" ID_1B "\"", "seed: 1B is cheaper");
	is_json(json_object_get(rec, "traffic"),
		"{\"input_share\":\"0.7\",\"tokens_per_month\":1050000000}", "seed: traffic");
	is_json(json_object_get(rec, "last_reviewed"), "\"" REVIEW "\"", "seed: last reviewed");
	is_json(
	    json_object_get(json_array_get(json_object_get(rec, "models"), 1), "monthly_cost_usd"),
	    "\"2520\"", "seed: models holds the completed halves");
	is_key_order(rec,
		     "models,shared_providers,benchmark_leads,unique_capabilities,"
		     "output_price_gap_usd_per_mtok,output_price_gap_percent,"
		     "blended_price_gap_usd_per_mtok,monthly_cost_gap_usd,cheaper,traffic,"
		     "related_pairs,last_reviewed,record_hash",
		     "seed: the record's keys in order, record_hash last");
	tap_ok(diff_record_hash(rec, hex) == 0 && strlen(hex) == 64, "seed: the hash is 64 hex");
	tap_str_eq(json_string_value(json_object_get(rec, "record_hash")), hex,
		   "seed: record_hash is diff_record_hash of the record");
	json_decref(rec);
}

/* models are deep copies: changing a half afterwards leaves the record. */
static void
test_deep_copy(void)
{
	json_t *a = completed(seed_half(0), &seed_traffic);
	json_t *b = completed(seed_half(1), &seed_traffic), *rec = NULL, *m0;
	struct lr_err err;

	lr_err_clear(&err);
	if (a != NULL && b != NULL)
		rec = diff_pair_record(a, b, &seed_traffic, &err);
	json_object_set_new(json_array_get(json_object_get(a, "routes"), 0), "input_usd_per_mtok",
			    json_string("9"));
	m0 = json_array_get(json_object_get(rec, "models"), 0);
	is_json(
	    json_object_get(json_array_get(json_object_get(m0, "routes"), 0), "input_usd_per_mtok"),
	    "\"0.10\"", "models holds copies, not the caller's halves");
	json_decref(rec);
	json_decref(a);
	json_decref(b);
}

/* ---- hash and changed fields on the seed record ------------------------ */

/* The seed record with key set to value (NULL: null) in model m's half,
 * or in its route number route (-1: the half itself). */
static json_t *
seed_variant(int m, int route, const char *key, const char *value)
{
	json_t *h = seed_half(m), *target;

	target = route < 0 ? h : json_array_get(json_object_get(h, "routes"), (size_t)route);
	json_object_set_new(target, key, value ? json_string(value) : json_null());
	return m == 0 ? record_of(h, seed_half(1), &seed_traffic)
		      : record_of(seed_half(0), h, &seed_traffic);
}

struct reviewed_case {
	int model, route;
	const char *date;
};

static const struct reviewed_case reviewed_cases[] = {
	{ 0, -1, "2026-06-01" }, { 1, -1, "2025-01-01" }, { 0, 0, "2026-06-01" },
	{ 1, 0, "2026-06-02" },  { 1, 6, "2026-06-03" },  { 1, 10, NULL },
	{ 0, -1, NULL },
};

static void
test_hash_reviewed(const json_t *base)
{
	const char *h0 = json_string_value(json_object_get(base, "record_hash"));
	char what[96];
	json_t *rec, *ch;
	size_t i;

	for (i = 0; i < N(reviewed_cases); i++) {
		const struct reviewed_case *c = &reviewed_cases[i];

		snprintf(what, sizeof(what), "model %d route %d last_reviewed %s", c->model,
			 c->route, c->date ? c->date : "null");
		rec = seed_variant(c->model, c->route, "last_reviewed", c->date);
		tap_ok(rec != NULL &&
			   strcmp(json_string_value(json_object_get(rec, "record_hash")), h0) == 0,
		       "hash: kept when only %s", what);
		ch = diff_changed_fields(base, rec);
		is_json(ch, "[]", "changed fields: none when only a last_reviewed changes");
		json_decref(ch);
		json_decref(rec);
	}
}

/* Key order never matters: the same record reloaded with sorted keys, and
 * a half whose keys come in another order. */
static void
test_hash_key_order(const json_t *base)
{
	const char *h0 = json_string_value(json_object_get(base, "record_hash"));
	char *text = json_dumps(base, JSON_COMPACT | JSON_SORT_KEYS), hex[65] = "";
	json_t *sorted = text ? load(text) : NULL, *b = seed_half(1), *b2, *rec;
	char *btext = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);

	tap_ok(diff_record_hash(sorted, hex) == 0 && strcmp(hex, h0) == 0,
	       "hash: the same record with its keys re-ordered");
	b2 = btext ? load(btext) : NULL;
	is_key_order(json_array_get(json_object_get(b2, "routes"), 0),
		     "input_usd_per_mtok,last_reviewed,output_usd_per_mtok,provider,provider_name,"
		     "status,variant",
		     "hash: the reordered half has its keys in another order");
	rec = record_of(seed_half(0), b2, &seed_traffic);
	tap_str_eq(json_string_value(json_object_get(rec, "record_hash")), h0,
		   "hash: the same for a half with its keys in another order");
	free(text);
	free(btext);
	json_decref(sorted);
	json_decref(b);
	json_decref(rec);
}

static void
test_hash_price(const json_t *base)
{
	const char *h0 = json_string_value(json_object_get(base, "record_hash"));
	json_t *rec = seed_variant(1, 1, "output_usd_per_mtok", "3.6"), *ch;

	tap_ok(rec != NULL &&
		   strcmp(json_string_value(json_object_get(rec, "record_hash")), h0) != 0,
	       "hash: one price change moves the hash");
	ch = diff_changed_fields(base, rec);
	is_json(ch,
		"[{\"field\":\"models/1/routes/1/output_usd_per_mtok\",\"new\":\"3.6\","
		"\"old\":\"3.5\"}]",
		"changed fields: exactly the one price path");
	json_decref(ch);
	json_decref(rec);
	/* the cheapest route's price moves every figure built on it */
	rec = seed_variant(1, 6, "output_usd_per_mtok", "2.50");
	ch = diff_changed_fields(base, rec);
	is_json(ch,
		"[{\"field\":\"blended_price_gap_usd_per_mtok\",\"new\":\"2.33\",\"old\":\"2.3\"},"
		"{\"field\":\"models/1/cheapest_output/usd_per_mtok\",\"new\":\"2.5\","
		"\"old\":\"2.4\"},"
		"{\"field\":\"models/1/cheapest_route/blended_usd_per_mtok\",\"new\":\"2.43\","
		"\"old\":\"2.4\"},"
		"{\"field\":\"models/1/cheapest_route/monthly_cost_usd\",\"new\":\"2551.5\","
		"\"old\":\"2520\"},"
		"{\"field\":\"models/1/cheapest_route/output_usd_per_mtok\",\"new\":\"2.5\","
		"\"old\":\"2.4\"},"
		"{\"field\":\"models/1/monthly_cost_usd\",\"new\":\"2551.5\",\"old\":\"2520\"},"
		"{\"field\":\"models/1/routes/6/"
		"output_usd_per_mtok\",\"new\":\"2.50\","
		"\"old\":\"2.40\"},"
		"{\"field\":\"monthly_cost_gap_usd\","
		"\"new\":\"2446.5\",\"old\":\"2415\"},"
		"{\"field\":\"output_price_gap_percent\","
		"\"new\":\"2400\",\"old\":\"2300\"},"
		"{\"field\":\"output_price_gap_usd_per_"
		"mtok\",\"new\":\"2.4\",\"old\":\"2.3\"}]",
		"changed fields: the cheapest price and every figure built on it");
	json_decref(ch);
	json_decref(rec);
}

/* diff_changed_fields(NULL, rec): every top-level key, each from null. */
static void
test_hash_new(const json_t *base)
{
	json_t *ch = diff_changed_fields(NULL, base), *names = json_array(), *c;
	size_t i, from_null = 0;

	json_array_foreach(ch, i, c)
	{
		from_null += json_is_null(json_object_get(c, "old"));
		json_array_append(names, json_object_get(c, "field"));
	}
	is_json(names,
		"[\"benchmark_leads\",\"blended_price_gap_usd_per_mtok\",\"cheaper\","
		"\"models\",\"monthly_cost_gap_usd\",\"output_price_gap_percent\","
		"\"output_price_gap_usd_per_mtok\",\"related_pairs\",\"shared_providers\","
		"\"traffic\",\"unique_capabilities\"]",
		"changed fields: a new record lists every top-level key but hash and date");
	tap_ok(from_null == json_array_size(ch), "changed fields: each one from null");
	is_json(json_object_get(json_array_get(ch, 2), "new"), "\"" ID_1B "\"",
		"changed fields: with its new value");
	json_decref(names);
	json_decref(ch);
}

static void
test_hash(void)
{
	json_t *base = seed_record(), *ch, *rec;
	char hex[65];

	tap_ok(diff_record_hash(base, hex) == 0, "hash: of the seed record");
	rec = seed_record();
	ch = diff_changed_fields(base, rec);
	is_json(ch, "[]", "changed fields: none between two builds of the same record");
	json_decref(ch);
	json_decref(rec);
	test_hash_reviewed(base);
	test_hash_key_order(base);
	test_hash_price(base);
	test_hash_new(base);
	tap_ok(diff_record_hash(NULL, hex) == -1, "hash: NULL is refused");
	json_decref(base);
}

/* ---- changed fields on small documents ------------------------------- */

struct change_case {
	const char *old; /* NULL: a new record */
	const char *new_rec;
	const char *want;
};

#define CH(f, o, n) "{\"field\":\"" f "\",\"new\":" n ",\"old\":" o "}"

static const struct change_case change_cases[] = {
	{ "{\"a\":1}", "{\"a\":1}", "[]" },
	{ "{\"a\":1,\"last_reviewed\":\"x\"}", "{\"a\":1,\"last_reviewed\":\"y\"}", "[]" },
	{ "{\"a\":1}", "{\"a\":1,\"last_reviewed\":\"y\"}", "[]" },
	{ "{\"record_hash\":\"x\"}", "{\"record_hash\":\"y\"}", "[]" },
	/* record_hash is ignored at the top only, last_reviewed everywhere */
	{ "{\"m\":{\"record_hash\":\"x\"}}", "{\"m\":{\"record_hash\":\"y\"}}",
	  "[" CH("m/record_hash", "\"x\"", "\"y\"") "]" },
	{ "{\"x\":[{\"last_reviewed\":\"1\",\"p\":\"1\"}]}",
	  "{\"x\":[{\"last_reviewed\":\"2\",\"p\":\"1\"}]}", "[]" },
	{ "{\"r\":[1,2]}", "{\"r\":[1,3,4]}",
	  "[" CH("r/1", "2", "3") "," CH("r/2", "null", "4") "]" },
	{ "{\"r\":[1,2]}", "{\"r\":[1]}", "[" CH("r/1", "2", "null") "]" },
	{ "{\"c\":null}", "{\"c\":{\"p\":\"x\"}}", "[" CH("c", "null", "{\"p\":\"x\"}") "]" },
	{ "{\"c\":[1]}", "{\"c\":{\"0\":1}}", "[" CH("c", "[1]", "{\"0\":1}") "]" },
	{ "{\"a/b\":{\"~\":1}}", "{\"a/b\":{\"~\":2}}", "[" CH("a~1b/~0", "1", "2") "]" },
	{ "{\"b\":1,\"a\":1}", "{\"a\":2,\"c\":3}",
	  "[" CH("a", "1", "2") "," CH("b", "1", "null") "," CH("c", "null", "3") "]" },
	{ "{\"a\":\"1\"}", "{\"a\":1}", "[" CH("a", "\"1\"", "1") "]" },
	{ "{\"a\":\"2.40\"}", "{\"a\":\"2.4\"}", "[" CH("a", "\"2.40\"", "\"2.4\"") "]" },
	{ "{\"a\":null}", "{}", "[]" },
	{ NULL, "{\"b\":null,\"a\":1,\"last_reviewed\":\"d\",\"record_hash\":\"h\"}",
	  "[" CH("a", "null", "1") "," CH("b", "null", "null") "]" },
	{ NULL, "{}", "[]" },
};

static void
test_changes(void)
{
	size_t i;

	for (i = 0; i < N(change_cases); i++) {
		const struct change_case *c = &change_cases[i];
		json_t *o = c->old ? load(c->old) : NULL, *n = load(c->new_rec), *ch;

		ch = diff_changed_fields(o, n);
		is_json(ch, c->want, c->new_rec);
		json_decref(ch);
		json_decref(o);
		json_decref(n);
	}
}

/* ---- ties and missing prices ------------------------------------------ */

static const struct route_row routes_tie[] = {
	{ "zeta", "Zeta", "1", "1.0", "active", "" },
	{ "alpha", "Alpha", "1.00", "1", "active", "" },
	{ "mid", "Mid", "2", "0.5", "active", "" },
};

static void
test_ties(void)
{
	json_t *h = completed(half_raw("t", routes_tie, N(routes_tie)), &seed_traffic);
	json_t *a = half_one("a", "1", "2"), *b = half_one("b", "1.0", "2.00"), *rec;

	is_json(json_object_get(json_object_get(h, "cheapest_input"), "provider"), "\"alpha\"",
		"tie: the lower provider id wins the input");
	is_json(json_object_get(json_object_get(h, "cheapest_output"), "provider"), "\"mid\"",
		"tie: a lower price wins the output outright");
	/* the blend of alpha's input and mid's output (892.5) is a cost no
	 * single route offers: the monthly cost is the cheapest route's */
	is_json(json_object_get(json_object_get(h, "cheapest_route"), "provider"), "\"alpha\"",
		"tie: zeta and alpha blend alike; the lower provider id is the cheapest route");
	is_json(json_object_get(json_object_get(h, "cheapest_route"), "blended_usd_per_mtok"),
		"\"1\"", "tie: its blended price");
	is_json(json_object_get(h, "monthly_cost_usd"), "\"1050\"",
		"tie: monthly from one route (alpha), not from alpha's input and mid's output");
	json_decref(h);
	json_object_set_new(a, "benchmarks", json_pack("{s:s, s:s}", "mmlu", "50.0", "gpqa", "1"));
	json_object_set_new(b, "benchmarks", json_pack("{s:s, s:s}", "mmlu", "50", "hle", "2"));
	rec = record_of(a, b, &seed_traffic);
	is_json(json_object_get(rec, "benchmark_leads"),
		"[{\"benchmark\":\"mmlu\",\"lead\":\"0\",\"leader\":null}]",
		"tie: equal scores have no leader; unshared benchmarks are left out");
	is_json(json_object_get(rec, "cheaper"), "null", "tie: equal blends, no cheaper model");
	is_json(json_object_get(rec, "output_price_gap_percent"), "\"0\"", "tie: 0% apart");
	is_json(json_object_get(rec, "shared_providers"), "[]", "tie: no shared provider");
	is_json(json_object_get(rec, "unique_capabilities"), "{\"a\":[],\"b\":[]}",
		"no capabilities: empty lists");
	json_decref(rec);
}

static const struct route_row routes_none[] = {
	{ "old", "Old", "0.01", "0.01", "deprecated", "" },
	{ "cheap", "Cheap", "0.02", "0.02", "active", "batch" },
	{ "sales", "Sales", NULL, NULL, "active", "" },
};

static void
test_no_route(void)
{
	json_t *h = completed(half_raw("n", routes_none, N(routes_none)), &seed_traffic), *n, *rec;

	is_json(json_object_get(h, "route_count"), "3", "no eligible route: still 3 listed");
	is_json(json_object_get(h, "cheapest_input"), "null", "no eligible route: input null");
	is_json(json_object_get(h, "cheapest_output"), "null", "no eligible route: output null");
	is_json(json_object_get(h, "monthly_cost_usd"), "null", "no eligible route: monthly null");
	json_decref(h);
	h = completed(half_one("h", "1", NULL), &seed_traffic);
	is_json(json_object_get(h, "cheapest_input"),
		"{\"provider\":\"ph\",\"provider_name\":\"P\",\"usd_per_mtok\":\"1\"}",
		"input only: the cheapest input is set");
	is_json(json_object_get(h, "cheapest_output"), "null", "input only: output null");
	is_json(json_object_get(h, "monthly_cost_usd"), "null", "input only: monthly null");
	json_decref(h);
	n = half_raw("n", routes_none, N(routes_none));
	json_object_set_new(n, "last_reviewed", json_null());
	rec = record_of(seed_half(0), n, &seed_traffic);
	is_json(json_object_get(rec, "output_price_gap_usd_per_mtok"), "null", "record: gap null");
	is_json(json_object_get(rec, "output_price_gap_percent"), "null", "record: percent null");
	is_json(json_object_get(rec, "blended_price_gap_usd_per_mtok"), "null",
		"record: blend gap null");
	is_json(json_object_get(rec, "monthly_cost_gap_usd"), "null", "record: monthly gap null");
	is_json(json_object_get(rec, "cheaper"), "null", "record: no cheaper model");
	is_json(json_object_get(rec, "last_reviewed"), "null", "record: a null review date wins");
	is_json(json_object_get(rec, "benchmark_leads"), "[]", "record: no shared benchmark");
	json_decref(rec);
}

/* ---- price gaps, percent rounding ------------------------------------- */

struct gap_case {
	const char *a, *b; /* each model's only price, input = output; NULL: none */
	const char *gap, *percent, *cheaper; /* NULL: JSON null */
};

static const struct gap_case gap_cases[] = {
	{ "0.10", "2.40", "2.3", "2300", "a" },
	{ "0.3", "0.1", "0.2", "200", "b" },
	{ "0.3", "0.7", "0.4", "133.33", "a" }, /* 133.333... */
	{ "3", "5", "2", "66.67", "a" },        /* 66.666..., rounded up */
	{ "7", "8", "1", "14.29", "a" },        /* 14.2857... */
	{ "6", "7", "1", "16.67", "a" },        /* 16.666... */
	{ "9", "8", "1", "12.5", "b" },
	{ "8", "8.0001", "0.0001", "0.00125", "a" },
	{ "1", "1.0", "0", "0", NULL },
	{ "0", "2", "2", NULL, "a" }, /* free: no percent of 0 */
	{ "0", "0", "0", NULL, NULL },
	{ "0.000000000000000001", "1", "0.999999999999999999", "99999999999999999900", "a" },
	{ NULL, "1", NULL, NULL, NULL },
};

static const char *
quoted(const char *s, char *buf, size_t len)
{
	if (s == NULL)
		return "null";
	snprintf(buf, len, "\"%s\"", s);
	return buf;
}

static void
test_gaps(void)
{
	static const struct diff_traffic small = { 1000000, 7000 };
	char what[160], buf[64];
	size_t i;

	for (i = 0; i < N(gap_cases); i++) {
		const struct gap_case *c = &gap_cases[i];
		json_t *rec =
		    record_of(half_one("a", c->a, c->a), half_one("b", c->b, c->b), &small);

		snprintf(what, sizeof(what), "gap %s vs %s", c->a ? c->a : "none",
			 c->b ? c->b : "none");
		is_json(json_object_get(rec, "output_price_gap_usd_per_mtok"),
			quoted(c->gap, buf, sizeof(buf)), what);
		is_json(json_object_get(rec, "output_price_gap_percent"),
			quoted(c->percent, buf, sizeof(buf)), what);
		is_json(json_object_get(rec, "blended_price_gap_usd_per_mtok"),
			quoted(c->gap, buf, sizeof(buf)), what);
		is_json(json_object_get(rec, "cheaper"), quoted(c->cheaper, buf, sizeof(buf)),
			what);
		json_decref(rec);
	}
}

/* Input and output weighted differently: 70% of 1 + 30% of 2 = 1.3 against
 * 70% of 2 + 30% of 1 = 1.7. */
static void
test_blend(void)
{
	json_t *a = half_one("a", "1", "2"), *b = half_one("b", "2", "1"), *rec;
	json_t *ra = json_array_get(json_object_get(a, "routes"), 0);

	/* both on provider "p", listed twice in a: shared once */
	json_object_set_new(ra, "provider", json_string("p"));
	json_object_set_new(json_array_get(json_object_get(b, "routes"), 0), "provider",
			    json_string("p"));
	json_array_append_new(json_object_get(a, "routes"), json_deep_copy(ra));
	rec = record_of(a, b, &seed_traffic);
	is_json(json_object_get(rec, "blended_price_gap_usd_per_mtok"), "\"0.4\"", "blend: 0.4");
	is_json(json_object_get(rec, "cheaper"), "\"a\"", "blend: a is cheaper on the blend");
	is_json(json_object_get(rec, "output_price_gap_percent"), "\"100\"",
		"blend: yet its output is 100% dearer");
	is_json(json_object_get(rec, "monthly_cost_gap_usd"), "\"420\"",
		"blend: 0.4 x 1050 = $420 a month");
	is_json(json_object_get(rec, "shared_providers"),
		"[{\"provider\":\"p\",\"provider_name\":\"P\"}]",
		"blend: shared provider listed once");
	json_decref(rec);
}

/* ---- overflow and bad input ----------------------------------------- */

struct monthly_case {
	const char *price;
	int64_t tokens;
	long share_bp;
	const char *want; /* NULL: must fail with an overflow */
};

static const struct monthly_case monthly_cases[] = {
	{ "99999999999999999999", 1000000000000LL, 7000, NULL },
	{ "99999999999999999999", 1, 10000, NULL },
	{ "100000000000000", 1000000000000LL, 7000, NULL }, /* $10^20: out of range */
	{ "99999999999999", 1000000000000LL, 7000, "99999999999999000000" },
	{ "1000000", 1000000000000LL, 0, "1000000000000" },
	{ "0.000000000000000003", 1000000, 5000, "0.000000000000000003" },
	{ "0.000000000000000001", 1, 7000, "0" },                         /* 10^-24 rounds to 0 */
	{ "0.000000000000000001", 500000, 7000, "0.000000000000000001" }, /* half rounds up */
	{ "0.5", 1000001, 7000, "0.5000005" },
	{ "2.4", 1000000000000000LL, 7000, "2400000000" },
};

static void
test_overflow(void)
{
	char buf[64];
	size_t i;

	for (i = 0; i < N(monthly_cases); i++) {
		const struct monthly_case *c = &monthly_cases[i];
		struct diff_traffic t = { c->tokens, c->share_bp };
		json_t *h = half_one("m", c->price, c->price);
		struct lr_err err;
		int rc;

		lr_err_clear(&err);
		rc = diff_model_complete(h, &t, &err);
		if (c->want == NULL) {
			tap_ok(rc == -1 &&
				   strstr(err.reason, "model m: monthly_cost_usd: overflow"),
			       "overflow: %s x %lld tokens is an error: %s", c->price,
			       (long long)c->tokens, err.reason);
			tap_ok(json_object_get(h, "route_count") == NULL,
			       "overflow: the half is left as it was");
		} else {
			is_json(json_object_get(h, "monthly_cost_usd"),
				quoted(c->want, buf, sizeof(buf)), c->want);
		}
		json_decref(h);
	}
}

struct bad_case {
	const char *route; /* one route, JSON text */
	const char *want;  /* the exact reason */
};

#define PRICED(in, out) "\"input_usd_per_mtok\":" in ",\"output_usd_per_mtok\":" out

static const struct bad_case bad_cases[] = {
	{ "{\"provider\":\"p\",\"status\":\"active\"," PRICED("\"abc\"", "\"1\"") "}",
	  "model m: routes/0/input_usd_per_mtok: not a number: 'abc'" },
	{ "{\"provider\":\"p\",\"status\":\"active\"," PRICED("\"1\"", "\"1,5\"") "}",
	  "model m: routes/0/output_usd_per_mtok: not a number: '1,5'" },
	{ "{\"provider\":\"p\",\"status\":\"active\"," PRICED("2.4", "\"1\"") "}",
	  "model m: routes/0/input_usd_per_mtok: not a decimal string" },
	{ "{\"provider\":\"p\",\"status\":\"deprecated\"," PRICED("\"1\"", "\"-0.5\"") "}",
	  "model m: routes/0/output_usd_per_mtok: negative price" },
	{ "{\"provider\":\"p\",\"status\":\"active\"," PRICED("\"1e400\"", "null") "}",
	  "model m: routes/0/input_usd_per_mtok: value too large" },
	{ "{\"provider\":\"p\",\"status\":\"active\","
	  "\"input_usd_per_mtok\":\"0.0000000000000000001\"}",
	  "model m: routes/0/input_usd_per_mtok: too many decimal places" },
	{ "{\"provider\":\"p\",\"status\":\"active\",\"variant\":\"batch\"," PRICED("\"\"",
										    "\"1\"") "}",
	  "model m: routes/0/input_usd_per_mtok: not a number: ''" },
	{ "{\"provider\":\"p\",\"status\":\"gone\"," PRICED("\"1\"", "\"1\"") "}",
	  "model m: routes/0/status: 'gone' is not \"active\" or \"deprecated\"" },
	{ "{\"provider\":\"p\"}",
	  "model m: routes/0/status: '(missing)' is not \"active\" or \"deprecated\"" },
	{ "{\"provider_name\":\"P\",\"status\":\"active\"}",
	  "model m: routes/0: not a route with a provider id" },
	{ "{\"provider\":\"p\",\"status\":\"active\",\"variant\":1}",
	  "model m: routes/0/variant: not a string" },
	{ "\"bedrock\"", "model m: routes/0: not a route with a provider id" },
};

static void
test_bad_input(void)
{
	char text[512];
	size_t i;

	for (i = 0; i < N(bad_cases); i++) {
		struct lr_err err;
		json_t *h;
		int rc;

		snprintf(text, sizeof(text), "{\"id\":\"m\",\"routes\":[%s]}", bad_cases[i].route);
		h = load(text);
		lr_err_clear(&err);
		rc = diff_model_complete(h, &seed_traffic, &err);
		tap_ok(rc == -1 && err.code == LR_ERR_NORMALIZE, "bad input is an error: %s",
		       bad_cases[i].route);
		tap_str_eq(err.reason, bad_cases[i].want, "the reason names model and field");
		tap_ok(json_object_get(h, "cheapest_input") == NULL, "the half is left as it was");
		json_decref(h);
	}
}

struct record_error_case {
	const char *a, *b; /* halves as text */
	bool raw_a;        /* a is not completed */
	const char *want;  /* substring of the reason */
};

static const struct record_error_case record_error_cases[] = {
	{ "{\"id\":\"a\",\"benchmarks\":{\"mmlu\":\"n/a\"},\"routes\":[]}",
	  "{\"id\":\"b\",\"benchmarks\":{\"mmlu\":\"1\"},\"routes\":[]}", false,
	  "model a: benchmarks/mmlu: not a number: 'n/a'" },
	{ "{\"id\":\"a\",\"benchmarks\":{\"mmlu\":\"1\"},\"routes\":[]}",
	  "{\"id\":\"b\",\"benchmarks\":{\"mmlu\":88.6},\"routes\":[]}", false,
	  "model b: benchmarks/mmlu: not a decimal string" },
	{ "{\"id\":\"a\",\"routes\":[]}", "{\"id\":\"b\",\"routes\":[]}", true,
	  "model a: route_count: missing: the half is not completed" },
	{ "{\"id\":\"a\",\"routes\":[]}", "{\"id\":\"a\",\"routes\":[]}", false,
	  "comparison of a with itself" },
	{ "{\"routes\":[]}", "{\"id\":\"b\",\"routes\":[]}", true, "a model half without an id" },
	{ "{\"id\":\"a\",\"routes\":[{\"provider\":\"p\",\"status\":\"active\","
	  "\"output_usd_per_mtok\":\"0.000000000000000001\"}]}",
	  "{\"id\":\"b\",\"routes\":[{\"provider\":\"p\",\"status\":\"active\","
	  "\"output_usd_per_mtok\":\"10\"}]}",
	  false, "comparison a vs b: output_price_gap_percent: overflow" },
};

static void
test_record_errors(void)
{
	size_t i;

	for (i = 0; i < N(record_error_cases); i++) {
		const struct record_error_case *c = &record_error_cases[i];
		json_t *a = c->raw_a ? load(c->a) : completed(load(c->a), &seed_traffic);
		json_t *b = completed(load(c->b), &seed_traffic), *rec;
		struct lr_err err;

		lr_err_clear(&err);
		rec = diff_pair_record(a, b, &seed_traffic, &err);
		tap_ok(rec == NULL && err.code != LR_OK && strstr(err.reason, c->want) != NULL,
		       "record error: %s (%s)", c->want, err.reason);
		json_decref(rec);
		json_decref(a);
		json_decref(b);
	}
}

static void
test_traffic_errors(void)
{
	static const struct diff_traffic bad[] = {
		{ 1000, 10001 }, { 1000, -1 }, { 0, 7000 }, { -5, 7000 }
	};
	json_t *h = seed_half(0), *rec;
	struct lr_err err;
	size_t i;

	for (i = 0; i < N(bad); i++) {
		lr_err_clear(&err);
		tap_ok(diff_model_complete(h, &bad[i], &err) == -1 && err.code == LR_ERR_CONFIG,
		       "traffic %lld tokens at %ld bp is refused: %s",
		       (long long)bad[i].tokens_per_month, bad[i].input_share_bp, err.reason);
	}
	lr_err_clear(&err);
	tap_ok(diff_model_complete(h, NULL, &err) == -1, "no traffic is refused");
	lr_err_clear(&err);
	rec = diff_pair_record(NULL, NULL, &seed_traffic, &err);
	tap_ok(rec == NULL && err.code != LR_OK, "record of NULL halves is an error");
	lr_err_clear(&err);
	rec = diff_pair_record(h, h, NULL, &err);
	tap_ok(rec == NULL && err.code == LR_ERR_CONFIG, "record without traffic is an error");
	json_decref(h);
}

int
main(void)
{
	test_seed_halves();
	test_seed_record();
	test_deep_copy();
	test_hash();
	test_changes();
	test_ties();
	test_no_route();
	test_gaps();
	test_blend();
	test_overflow();
	test_bad_input();
	test_record_errors();
	test_traffic_errors();
	return tap_done();
}
