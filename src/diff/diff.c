/* diff.c - the diff stage's pure computation: model halves completed with
 * their cheapest routes and monthly cost, the comparison record of a pair,
 * its hash and the fields that changed. Exact decimals only, all checked. */
#include "autoconf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/decimal.h"
#include "diff/diff.h"
#include "core/sha256.h"

typedef unsigned __int128 diff_u128;

#define DIFF_BP_ONE         10000 /* basis points in a whole */
#define DIFF_BP_POW10       4     /* DIFF_BP_ONE = 10^4 */
#define DIFF_MTOK_POW10     6     /* prices are per 10^6 tokens */
#define DIFF_PERCENT_DIGITS 2     /* decimals of a percent that does not end */
#define DIFF_WHY_MAX        160
#define DIFF_FIELD_MAX      160
#define DIFF_PATH_MAX_BYTES ((size_t)1 << 20)
#define DIFF_KEY_REVIEWED   "last_reviewed"
#define DIFF_KEY_HASH       "record_hash"
#define DIFF_KEY_RELATED    "related_pairs"

/* ---- errors and exact arithmetic ------------------------------------ */

static int
diff_nomem(struct lr_err *err)
{
	lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	return -1;
}

/* A bad value in a model half: names the model and the field. */
static int
diff_fail(struct lr_err *err, const char *model, const char *field, const char *why)
{
	lr_err_set(err, LR_ERR_NORMALIZE, NULL, NULL, "model %s: %s: %s", model, field, why);
	return -1;
}

static diff_u128
diff_pow10(int n)
{
	diff_u128 p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

static diff_u128
diff_abs(__int128 v)
{
	return v < 0 ? (diff_u128)0 - (diff_u128)v : (diff_u128)v;
}

/* d can be read back by dec_parse: fewer than 20 whole digits. */
static bool
diff_dec_fits(dec_t d)
{
	return diff_abs(d.v) < diff_pow10(DEC_MAX_WHOLE_DIGITS + DEC_FRAC_DIGITS);
}

/* *out = a x n / 10^k (0 <= k <= 19), rounded half away from zero; -1 on
 * overflow. Exact whenever the quotient fits in 18 decimals. */
static int
diff_mul_round(dec_t a, int64_t n, int k, dec_t *out)
{
	diff_u128 m = diff_pow10(k);
	diff_u128 rem = (diff_abs(a.v) % m) * (diff_abs(n) % m) % m; /* < 10^38 */
	dec_t q, ulp = { 1 };

	if (dec_mul_int(a, n, k, &q) != 0)
		return -1;
	if (rem * 2 < m) {
		*out = q;
		return 0;
	}
	return (a.v < 0) != (n < 0) ? dec_sub(q, ulp, out) : dec_add(q, ulp, out);
}

/* *out = |a - b|; -1 on overflow. */
static int
diff_absdiff(dec_t a, dec_t b, dec_t *out)
{
	dec_t zero = { 0 };

	if (dec_sub(a, b, out) != 0)
		return -1;
	if (dec_is_negative(*out) && dec_sub(zero, *out, out) != 0)
		return -1;
	return 0;
}

/* The next decimal digit of r / d for r < d < 2^127, leaving r = 10r mod d
 * (ten additions, so nothing overflows). */
static int
diff_next_digit(diff_u128 *r, diff_u128 d)
{
	diff_u128 acc = 0;
	int i, digit = 0;

	for (i = 0; i < 10; i++) {
		acc += *r;
		if (acc >= d) {
			acc -= d;
			digit++;
		}
	}
	*r = acc;
	return digit;
}

/* *out = (hi - lo) / lo x 100 for 0 < lo <= hi: exact when it ends within
 * 18 decimals, otherwise rounded half up to 2 decimals. -1 on overflow. */
static int
diff_percent(dec_t hi, dec_t lo, dec_t *out)
{
	diff_u128 d = (diff_u128)lo.v, n = (diff_u128)(hi.v - lo.v);
	diff_u128 r = n % d;
	__int128 v = (__int128)(n / d), at2 = 0;
	int i, digit, next = 0;

	/* two digits make the per cent, eighteen more its decimals */
	for (i = 1; i <= DEC_FRAC_DIGITS + 2; i++) {
		digit = diff_next_digit(&r, d);
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, digit, &v))
			return -1;
		if (i == DIFF_PERCENT_DIGITS + 2)
			at2 = v;
		else if (i == DIFF_PERCENT_DIGITS + 3)
			next = digit;
	}
	if (r == 0) {
		out->v = v;
		return 0;
	}
	at2 += next >= 5;
	if (__builtin_mul_overflow(at2, (__int128)diff_pow10(DEC_FRAC_DIGITS - DIFF_PERCENT_DIGITS),
				   &out->v))
		return -1;
	return 0;
}

/* v as an optional decimal: null or missing gives *have = false, a decimal
 * string its value; anything else is an error naming model and field. */
static int
diff_dec_read(const json_t *v, const char *model, const char *field, dec_t *out, bool *have,
	      struct lr_err *err)
{
	char why[DIFF_WHY_MAX];

	*have = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return diff_fail(err, model, field, "not a decimal string");
	if (dec_parse(json_string_value(v), 0, out, why, sizeof(why)) != 0)
		return diff_fail(err, model, field, why);
	*have = true;
	return 0;
}

/* An optional price: a decimal that is not negative. */
static int
diff_price_read(const json_t *v, const char *model, const char *field, dec_t *out, bool *have,
		struct lr_err *err)
{
	if (diff_dec_read(v, model, field, out, have, err) != 0)
		return -1;
	if (*have && dec_is_negative(*out))
		return diff_fail(err, model, field, "negative price");
	return 0;
}

static int
diff_traffic_check(const struct diff_traffic *t, struct lr_err *err)
{
	if (t != NULL && t->tokens_per_month >= 1 && t->input_share_bp >= 0 &&
	    t->input_share_bp <= DIFF_BP_ONE)
		return 0;
	lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
		   "traffic: tokens per month must be at least 1 and the input share "
		   "0..%d basis points",
		   DIFF_BP_ONE);
	return -1;
}

/* The blend share x input + (1 - share) x output, times 10^4 (exact). */
static int
diff_blend_bp(dec_t in, dec_t out, long share_bp, dec_t *res)
{
	dec_t x, y;

	if (dec_mul_int(in, share_bp, 0, &x) != 0 ||
	    dec_mul_int(out, DIFF_BP_ONE - share_bp, 0, &y) != 0)
		return -1;
	return dec_add(x, y, res);
}

/* ---- completing a model half ---------------------------------------- */

/* The cheapest eligible route of one side (input or output) so far. */
struct diff_pick {
	const json_t *route; /* NULL: none yet */
	dec_t price;
};

/* What a walk over a half's routes finds. */
struct diff_scan {
	const char *model;
	json_int_t count;
	struct diff_pick in, out;
	struct diff_pick route; /* price: the blended price x 10^4 */
	long share_bp;          /* input's share of the traffic */
	dec_t route_in, route_out;
};

static const char *
diff_provider(const json_t *route)
{
	return json_string_value(json_object_get(route, "provider"));
}

/* Offer route r at price p: a lower price wins, then a lower provider id. */
static void
diff_pick_offer(struct diff_pick *pk, const json_t *r, dec_t p)
{
	int c;

	if (pk->route != NULL) {
		c = dec_cmp(p, pk->price);
		if (c > 0 || (c == 0 && strcmp(diff_provider(r), diff_provider(pk->route)) >= 0))
			return;
	}
	pk->route = r;
	pk->price = p;
}

/* Check route i (prefix "routes/i"): a provider id, a known status, a
 * string variant if any. */
static int
diff_route_check(const struct diff_scan *s, const json_t *r, const char *prefix, struct lr_err *err)
{
	const json_t *variant = json_object_get(r, "variant");
	const char *status = json_string_value(json_object_get(r, "status"));
	char field[DIFF_FIELD_MAX], why[DIFF_WHY_MAX];

	if (!json_is_object(r) || diff_provider(r) == NULL)
		return diff_fail(err, s->model, prefix, "not a route with a provider id");
	if (status == NULL ||
	    (strcmp(status, "active") != 0 && strcmp(status, "deprecated") != 0)) {
		snprintf(field, sizeof(field), "%s/status", prefix);
		snprintf(why, sizeof(why), "'%.40s' is not \"active\" or \"deprecated\"",
			 status ? status : "(missing)");
		return diff_fail(err, s->model, field, why);
	}
	if (variant != NULL && !json_is_null(variant) && !json_is_string(variant)) {
		snprintf(field, sizeof(field), "%s/variant", prefix);
		return diff_fail(err, s->model, field, "not a string");
	}
	return 0;
}

/* Offer route r, with both prices, as the cheapest single route: the
 * lowest blended price at the traffic's input share, ties to the lower
 * provider id (the route a reader could actually buy). */
static int
diff_route_offer(struct diff_scan *s, const json_t *r, dec_t in, dec_t out, struct lr_err *err)
{
	const json_t *was = s->route.route;
	dec_t blend;

	if (diff_blend_bp(in, out, s->share_bp, &blend) != 0)
		return diff_fail(err, s->model, "monthly_cost_usd",
				 "overflow: the blended price is too large");
	diff_pick_offer(&s->route, r, blend);
	if (s->route.route != was) {
		s->route_in = in;
		s->route_out = out;
	}
	return 0;
}

/* Check route i of the half, count it, offer its prices if it is eligible:
 * active and no variant. */
static int
diff_route_scan(struct diff_scan *s, const json_t *r, size_t i, struct lr_err *err)
{
	char prefix[32], field[DIFF_FIELD_MAX];
	const char *variant = json_string_value(json_object_get(r, "variant"));
	dec_t in, out;
	bool have_in, have_out, eligible;

	snprintf(prefix, sizeof(prefix), "routes/%zu", i);
	if (diff_route_check(s, r, prefix, err) != 0)
		return -1;
	snprintf(field, sizeof(field), "%s/input_usd_per_mtok", prefix);
	if (diff_price_read(json_object_get(r, "input_usd_per_mtok"), s->model, field, &in,
			    &have_in, err) != 0)
		return -1;
	snprintf(field, sizeof(field), "%s/output_usd_per_mtok", prefix);
	if (diff_price_read(json_object_get(r, "output_usd_per_mtok"), s->model, field, &out,
			    &have_out, err) != 0)
		return -1;
	s->count++;
	eligible = strcmp(json_string_value(json_object_get(r, "status")), "active") == 0 &&
		   (variant == NULL || variant[0] == '\0');
	if (eligible && have_in)
		diff_pick_offer(&s->in, r, in);
	if (eligible && have_out)
		diff_pick_offer(&s->out, r, out);
	if (eligible && have_in && have_out)
		return diff_route_offer(s, r, in, out, err);
	return 0;
}

/* cheapest_input or cheapest_output: a new object, or null if no route is
 * eligible. NULL on out of memory. */
static json_t *
diff_pick_json(const struct diff_pick *pk)
{
	char txt[DEC_STR_MAX];
	const char *prov, *name;

	if (pk->route == NULL)
		return json_null();
	prov = diff_provider(pk->route);
	name = json_string_value(json_object_get(pk->route, "provider_name"));
	return json_pack("{s:s, s:s, s:s}", "provider", prov, "provider_name", name ? name : prov,
			 "usd_per_mtok", dec_format(pk->price, txt, sizeof(txt)));
}

/* The monthly cost at the traffic level of blend (a blended price x 10^4):
 * 0, or -1 with err on overflow. */
static int
diff_monthly(const struct diff_scan *s, const struct diff_traffic *t, dec_t blend, dec_t *m,
	     struct lr_err *err)
{
	char why[DIFF_WHY_MAX];

	if (diff_mul_round(blend, t->tokens_per_month, DIFF_BP_POW10 + DIFF_MTOK_POW10, m) == 0 &&
	    diff_dec_fits(*m))
		return 0;
	snprintf(why, sizeof(why), "overflow: the cost of %lld tokens a month is too large",
		 (long long)t->tokens_per_month);
	return diff_fail(err, s->model, "monthly_cost_usd", why);
}

/* cheapest_route of a scanned half (null when no eligible route has both
 * prices), and its monthly cost into *monthly (a decimal string, or
 * null). NULL with err on overflow or out of memory. */
static json_t *
diff_route_json(const struct diff_scan *s, const struct diff_traffic *t, json_t **monthly,
		struct lr_err *err)
{
	char in[DEC_STR_MAX], out[DEC_STR_MAX], bl[DEC_STR_MAX], mo[DEC_STR_MAX];
	const char *prov, *name, *variant;
	dec_t blend, m;
	json_t *v;

	*monthly = json_null();
	if (s->route.route == NULL)
		return json_null();
	if (diff_monthly(s, t, s->route.price, &m, err) != 0 ||
	    diff_mul_round(s->route.price, 1, DIFF_BP_POW10, &blend) != 0)
		return NULL;
	prov = diff_provider(s->route.route);
	name = json_string_value(json_object_get(s->route.route, "provider_name"));
	variant = json_string_value(json_object_get(s->route.route, "variant"));
	dec_format(m, mo, sizeof(mo));
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "provider", prov, "provider_name",
		      name ? name : prov, "variant", variant ? variant : "", "input_usd_per_mtok",
		      dec_format(s->route_in, in, sizeof(in)), "output_usd_per_mtok",
		      dec_format(s->route_out, out, sizeof(out)), "blended_usd_per_mtok",
		      dec_format(blend, bl, sizeof(bl)), "monthly_cost_usd", mo);
	*monthly = json_string(mo);
	if (v == NULL || *monthly == NULL) {
		json_decref(v);
		diff_nomem(err);
		return NULL;
	}
	return v;
}

int
diff_model_complete(json_t *half, const struct diff_traffic *t, struct lr_err *err)
{
	static const char *const keys[] = { "route_count", "cheapest_input", "cheapest_output",
					    "cheapest_route", "monthly_cost_usd" };
	struct diff_scan s;
	json_t *v[5] = { NULL, NULL, NULL, NULL, NULL }, *r;
	size_t i;
	int k;

	if (diff_traffic_check(t, err) != 0)
		return -1;
	memset(&s, 0, sizeof(s));
	s.share_bp = t->input_share_bp;
	s.model = json_string_value(json_object_get(half, "id"));
	if (s.model == NULL) {
		lr_err_set(err, LR_ERR_NORMALIZE, NULL, NULL, "a model half without an id");
		return -1;
	}
	if (!json_is_array(json_object_get(half, "routes")))
		return diff_fail(err, s.model, "routes", "not an array");
	json_array_foreach(json_object_get(half, "routes"), i, r)
	{
		if (diff_route_scan(&s, r, i, err) != 0)
			return -1;
	}
	v[3] = diff_route_json(&s, t, &v[4], err);
	if (v[3] == NULL) {
		json_decref(v[4]);
		return -1;
	}
	v[0] = json_integer(s.count);
	v[1] = diff_pick_json(&s.in);
	v[2] = diff_pick_json(&s.out);
	if (v[0] == NULL || v[1] == NULL || v[2] == NULL)
		goto fail;
	for (k = 0; k < 5; k++) {
		int rc = json_object_set_new(half, keys[k], v[k]); /* steals v[k] */

		v[k] = NULL;
		if (rc != 0)
			goto fail;
	}
	return 0;
fail:
	for (k = 0; k < 5; k++)
		json_decref(v[k]);
	return diff_nomem(err);
}

/* ---- the comparison record of a pair --------------------------------- */

/* The figures of one completed half that a record compares. */
struct diff_side {
	const json_t *half;
	const char *id;
	bool have_out, have_monthly, have_blend;
	dec_t out, monthly;
	dec_t blend_bp; /* the blended price times 10^4 */
};

struct diff_pair {
	struct diff_side a, b;
	const struct diff_traffic *t;
	struct lr_err *err;
	bool failed; /* err holds a reason other than out of memory */
};

static int
diff_side_read(const json_t *half, const struct diff_traffic *t, struct diff_side *s,
	       struct lr_err *err)
{
	const json_t *co = json_object_get(half, "cheapest_output");
	const json_t *cr = json_object_get(half, "cheapest_route");
	bool have_in, have_out;
	dec_t in, out;

	memset(s, 0, sizeof(*s));
	s->half = half;
	s->id = json_string_value(json_object_get(half, "id"));
	if (s->id == NULL) {
		lr_err_set(err, LR_ERR_NORMALIZE, NULL, NULL,
			   "comparison: a model half without an id");
		return -1;
	}
	if (!json_is_integer(json_object_get(half, "route_count")))
		return diff_fail(err, s->id, "route_count", "missing: the half is not completed");
	if (diff_price_read(json_object_get(co, "usd_per_mtok"), s->id,
			    "cheapest_output/usd_per_mtok", &s->out, &s->have_out, err) != 0 ||
	    diff_price_read(json_object_get(cr, "input_usd_per_mtok"), s->id,
			    "cheapest_route/input_usd_per_mtok", &in, &have_in, err) != 0 ||
	    diff_price_read(json_object_get(cr, "output_usd_per_mtok"), s->id,
			    "cheapest_route/output_usd_per_mtok", &out, &have_out, err) != 0 ||
	    diff_dec_read(json_object_get(half, "monthly_cost_usd"), s->id, "monthly_cost_usd",
			  &s->monthly, &s->have_monthly, err) != 0)
		return -1;
	s->have_blend = have_in && have_out;
	if (s->have_blend && diff_blend_bp(in, out, t->input_share_bp, &s->blend_bp) != 0)
		return diff_fail(err, s->id, "blended price", "overflow: too large");
	return 0;
}

/* A bad or too large figure of the pair; returns NULL for the builders. */
static json_t *
diff_pair_fail(struct diff_pair *p, const char *field, const char *why)
{
	lr_err_set(p->err, LR_ERR_NORMALIZE, NULL, NULL, "comparison %s vs %s: %s: %s", p->a.id,
		   p->b.id, field, why);
	p->failed = true;
	return NULL;
}

/* Set rec[key] = v (stolen). v NULL means its builder failed: with a reason
 * in p->err, or out of memory. */
static int
diff_set(struct diff_pair *p, json_t *rec, const char *key, json_t *v)
{
	if (v != NULL && json_object_set_new(rec, key, v) == 0)
		return 0;
	if (!p->failed)
		diff_nomem(p->err);
	return -1;
}

/* d as a new JSON decimal string; NULL if it is out of range or on OOM. */
static json_t *
diff_dec_json(struct diff_pair *p, const char *field, dec_t d)
{
	char txt[DEC_STR_MAX];

	if (!diff_dec_fits(d))
		return diff_pair_fail(p, field, "overflow: too large");
	return json_string(dec_format(d, txt, sizeof(txt)));
}

/* Insert item (stolen) into arr kept sorted by the string item[field] (or
 * item itself when field is NULL); an item already there is dropped.
 * 0, or -1 on out of memory. */
static int
diff_sorted_add(json_t *arr, json_t *item, const char *field)
{
	const char *key, *k;
	size_t i, n = json_array_size(arr);
	int c = 1;

	if (item == NULL)
		return -1;
	key = json_string_value(field ? json_object_get(item, field) : item);
	for (i = 0; i < n && key != NULL; i++) {
		k = json_string_value(field ? json_object_get(json_array_get(arr, i), field)
					    : json_array_get(arr, i));
		c = strcmp(key, k ? k : "");
		if (c <= 0)
			break;
	}
	if (c == 0) {
		json_decref(item);
		return 0;
	}
	return json_array_insert_new(arr, i, item);
}

static json_t *
diff_models_json(const struct diff_pair *p)
{
	json_t *arr = json_array();

	if (arr == NULL || json_array_append_new(arr, json_deep_copy(p->a.half)) != 0 ||
	    json_array_append_new(arr, json_deep_copy(p->b.half)) != 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static bool
diff_has_provider(const json_t *half, const char *provider)
{
	const json_t *r;
	const char *p;
	size_t i;

	json_array_foreach(json_object_get(half, "routes"), i, r)
	{
		p = diff_provider(r);
		if (p != NULL && strcmp(p, provider) == 0)
			return true;
	}
	return false;
}

/* shared_providers: a new array of {provider, provider_name} (names from
 * a), sorted by provider id, for every provider with a route of each. */
static json_t *
diff_shared_json(const struct diff_pair *p)
{
	json_t *arr = json_array(), *r;
	const char *prov, *name;
	size_t i;

	if (arr == NULL)
		return NULL;
	json_array_foreach(json_object_get(p->a.half, "routes"), i, r)
	{
		prov = diff_provider(r);
		if (prov == NULL || !diff_has_provider(p->b.half, prov))
			continue;
		name = json_string_value(json_object_get(r, "provider_name"));
		if (diff_sorted_add(arr,
				    json_pack("{s:s, s:s}", "provider", prov, "provider_name",
					      name ? name : prov),
				    "provider") != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* Add the benchmark_leads entry of benchmark id to arr, if both score it. */
static int
diff_lead_add(struct diff_pair *p, json_t *arr, const char *id)
{
	char field[DIFF_FIELD_MAX], txt[DEC_STR_MAX];
	const char *leader;
	dec_t sa, sb, gap;
	bool ha, hb;
	int c;

	snprintf(field, sizeof(field), "benchmarks/%s", id);
	if (diff_dec_read(json_object_get(json_object_get(p->a.half, "benchmarks"), id), p->a.id,
			  field, &sa, &ha, p->err) != 0 ||
	    diff_dec_read(json_object_get(json_object_get(p->b.half, "benchmarks"), id), p->b.id,
			  field, &sb, &hb, p->err) != 0) {
		p->failed = true;
		return -1;
	}
	if (!ha || !hb)
		return 0;
	if (diff_absdiff(sa, sb, &gap) != 0 || !diff_dec_fits(gap)) {
		diff_pair_fail(p, field, "overflow: the lead is too large");
		return -1;
	}
	c = dec_cmp(sa, sb);
	leader = c > 0 ? p->a.id : c < 0 ? p->b.id : NULL;
	return diff_sorted_add(arr,
			       json_pack("{s:s, s:s?, s:s}", "benchmark", id, "leader", leader,
					 "lead", dec_format(gap, txt, sizeof(txt))),
			       "benchmark");
}

/* benchmark_leads: a new array sorted by benchmark id. */
static json_t *
diff_leads_json(struct diff_pair *p)
{
	json_t *arr = json_array(), *ba = json_object_get(p->a.half, "benchmarks"), *v;
	const json_t *bb = json_object_get(p->b.half, "benchmarks");
	const char *id;

	if (arr == NULL)
		return NULL;
	json_object_foreach(ba, id, v)
	{
		if (json_object_get(bb, id) != NULL && diff_lead_add(p, arr, id) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* The capabilities true in x but not in y: a new sorted array of names. */
static json_t *
diff_caps_only(const json_t *x, const json_t *y)
{
	json_t *arr = json_array(), *cx = json_object_get(x, "capabilities"), *v;
	const json_t *cy = json_object_get(y, "capabilities");
	const char *name;

	if (arr == NULL)
		return NULL;
	json_object_foreach(cx, name, v)
	{
		if (!json_is_true(v) || json_is_true(json_object_get(cy, name)))
			continue;
		if (diff_sorted_add(arr, json_string(name), NULL) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *
diff_unique_json(const struct diff_pair *p)
{
	json_t *obj = json_object();

	if (obj == NULL ||
	    json_object_set_new(obj, p->a.id, diff_caps_only(p->a.half, p->b.half)) != 0 ||
	    json_object_set_new(obj, p->b.id, diff_caps_only(p->b.half, p->a.half)) != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* |x - y| / 10^k as a new decimal string, null unless have. */
static json_t *
diff_gap_json(struct diff_pair *p, const char *field, bool have, dec_t x, dec_t y, int k)
{
	dec_t g;

	if (!have)
		return json_null();
	if (diff_absdiff(x, y, &g) != 0 || diff_mul_round(g, 1, k, &g) != 0)
		return diff_pair_fail(p, field, "overflow: too large");
	return diff_dec_json(p, field, g);
}

/* output_price_gap_percent: (higher - lower) / lower x 100 of the cheapest
 * outputs; null if either is missing or the lower is 0. */
static json_t *
diff_percent_json(struct diff_pair *p)
{
	const struct diff_side *lo = &p->a, *hi = &p->b;
	dec_t pc;

	if (!p->a.have_out || !p->b.have_out)
		return json_null();
	if (dec_cmp(p->a.out, p->b.out) > 0) {
		lo = &p->b;
		hi = &p->a;
	}
	if (dec_is_zero(lo->out))
		return json_null();
	if (diff_percent(hi->out, lo->out, &pc) != 0)
		return diff_pair_fail(p, "output_price_gap_percent", "overflow: too large");
	return diff_dec_json(p, "output_price_gap_percent", pc);
}

/* cheaper: the id with the lower blended price; null on a tie or if
 * either blend is missing. */
static json_t *
diff_cheaper_json(const struct diff_pair *p)
{
	int c;

	if (!p->a.have_blend || !p->b.have_blend)
		return json_null();
	c = dec_cmp(p->a.blend_bp, p->b.blend_bp);
	return c == 0 ? json_null() : json_string(c < 0 ? p->a.id : p->b.id);
}

static json_t *
diff_traffic_json(const struct diff_traffic *t)
{
	char txt[DEC_STR_MAX];
	dec_t share;

	if (dec_mul_int(dec_from_int(t->input_share_bp), 1, DIFF_BP_POW10, &share) != 0)
		return NULL;
	return json_pack("{s:I, s:s}", "tokens_per_month", (json_int_t)t->tokens_per_month,
			 "input_share", dec_format(share, txt, sizeof(txt)));
}

/* last_reviewed: the older of the two dates, null if either is. */
static json_t *
diff_reviewed_json(const struct diff_pair *p)
{
	const char *ra = json_string_value(json_object_get(p->a.half, DIFF_KEY_REVIEWED));
	const char *rb = json_string_value(json_object_get(p->b.half, DIFF_KEY_REVIEWED));

	if (ra == NULL || rb == NULL)
		return json_null();
	return json_string(strcmp(ra, rb) <= 0 ? ra : rb);
}

/* The money figures of the record, in their order. */
static int
diff_set_money(struct diff_pair *p, json_t *rec)
{
	const struct diff_side *a = &p->a, *b = &p->b;

	if (diff_set(p, rec, "output_price_gap_usd_per_mtok",
		     diff_gap_json(p, "output_price_gap_usd_per_mtok", a->have_out && b->have_out,
				   a->out, b->out, 0)) != 0 ||
	    diff_set(p, rec, "output_price_gap_percent", diff_percent_json(p)) != 0 ||
	    diff_set(p, rec, "blended_price_gap_usd_per_mtok",
		     diff_gap_json(p, "blended_price_gap_usd_per_mtok",
				   a->have_blend && b->have_blend, a->blend_bp, b->blend_bp,
				   DIFF_BP_POW10)) != 0 ||
	    diff_set(p, rec, "monthly_cost_gap_usd",
		     diff_gap_json(p, "monthly_cost_gap_usd", a->have_monthly && b->have_monthly,
				   a->monthly, b->monthly, 0)) != 0 ||
	    diff_set(p, rec, "cheaper", diff_cheaper_json(p)) != 0)
		return -1;
	return 0;
}

json_t *
diff_pair_record(const json_t *a, const json_t *b, const struct diff_traffic *t, struct lr_err *err)
{
	struct diff_pair p;
	json_t *rec;
	char hex[65];

	memset(&p, 0, sizeof(p));
	p.t = t;
	p.err = err;
	if (diff_traffic_check(t, err) != 0 || diff_side_read(a, t, &p.a, err) != 0 ||
	    diff_side_read(b, t, &p.b, err) != 0)
		return NULL;
	if (strcmp(p.a.id, p.b.id) == 0) {
		lr_err_set(err, LR_ERR_USAGE, NULL, NULL, "comparison of %s with itself", p.a.id);
		return NULL;
	}
	rec = json_object();
	if (rec == NULL) {
		diff_nomem(err);
		return NULL;
	}
	if (diff_set(&p, rec, "models", diff_models_json(&p)) != 0 ||
	    diff_set(&p, rec, "shared_providers", diff_shared_json(&p)) != 0 ||
	    diff_set(&p, rec, "benchmark_leads", diff_leads_json(&p)) != 0 ||
	    diff_set(&p, rec, "unique_capabilities", diff_unique_json(&p)) != 0 ||
	    diff_set_money(&p, rec) != 0 ||
	    diff_set(&p, rec, "traffic", diff_traffic_json(t)) != 0 ||
	    diff_set(&p, rec, DIFF_KEY_RELATED, json_array()) != 0 ||
	    diff_set(&p, rec, DIFF_KEY_REVIEWED, diff_reviewed_json(&p)) != 0)
		goto fail;
	if (diff_record_hash(rec, hex) != 0 ||
	    diff_set(&p, rec, DIFF_KEY_HASH, json_string(hex)) != 0) {
		diff_nomem(err);
		goto fail;
	}
	return rec;
fail:
	json_decref(rec);
	return NULL;
}

int
diff_record_set_related(json_t *record, json_t *related)
{
	char hex[65];

	if (related == NULL || !json_is_object(record)) {
		json_decref(related);
		return -1;
	}
	if (json_object_set_new(record, DIFF_KEY_RELATED, related) != 0)
		return -1;
	if (diff_record_hash(record, hex) != 0)
		return -1;
	return json_object_set_new(record, DIFF_KEY_HASH, json_string(hex));
}

/* ---- the record hash ---------------------------------------------- */

/* Drop every last_reviewed key below v, and record_hash at the top. */
static void
diff_strip(json_t *v, bool top)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		if (top)
			(void)json_object_del(v, DIFF_KEY_HASH);
		(void)json_object_del(v, DIFF_KEY_REVIEWED);
		json_object_foreach(v, k, x)
		{
			diff_strip(x, false);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			diff_strip(x, false);
		}
	}
}

int
diff_record_hash(const json_t *record, char hex[65])
{
	json_t *copy;
	char *text;
	int rc = -1;

	if (!json_is_object(record))
		return -1;
	copy = json_deep_copy(record);
	if (copy == NULL)
		return -1;
	diff_strip(copy, true);
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	if (text != NULL)
		rc = sha256_hex(text, strlen(text), hex);
	free(text);
	json_decref(copy);
	return rc;
}

/* ---- the fields that changed -------------------------------------- */

struct diff_walk {
	json_t *out;     /* the changes */
	struct buf path; /* where the values being compared sit */
	int depth;       /* 1 inside the top-level object */
};

static int diff_walk_value(struct diff_walk *w, const json_t *o, const json_t *n);

static bool
diff_key_ignored(const char *key, bool top)
{
	return strcmp(key, DIFF_KEY_REVIEWED) == 0 || (top && strcmp(key, DIFF_KEY_HASH) == 0);
}

/* Append "/" (not at the root) and key, '~' and '/' escaped as in a JSON
 * pointer. 0, or -1 on out of memory. */
static int
diff_path_push(struct buf *path, const char *key)
{
	size_t n;

	if (path->len > 0 && buf_append(path, "/", 1) != 0)
		return -1;
	while (*key != '\0') {
		n = strcspn(key, "~/");
		if (buf_append(path, key, n) != 0)
			return -1;
		key += n;
		if (*key != '\0' && buf_append(path, *key == '~' ? "~0" : "~1", 2) != 0)
			return -1;
		if (*key != '\0')
			key++;
	}
	return 0;
}

static void
diff_path_pop(struct buf *path, size_t len)
{
	path->len = len;
	if (path->data != NULL)
		path->data[len] = '\0';
}

/* Append {"field", "old", "new"} with copies of o and n (NULL = null). */
static int
diff_change_add(struct diff_walk *w, const json_t *o, const json_t *n)
{
	json_t *c = json_object();

	if (c == NULL)
		return -1;
	if (json_object_set_new(c, "field", json_string(w->path.data ? w->path.data : "")) != 0 ||
	    json_object_set_new(c, "old", json_deep_copy(o ? o : json_null())) != 0 ||
	    json_object_set_new(c, "new", json_deep_copy(n ? n : json_null())) != 0) {
		json_decref(c);
		return -1;
	}
	return json_array_append_new(w->out, c);
}

static int
diff_key_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The keys of o and n (either may be NULL), sorted, each once: a new array
 * of *count pointers into the objects, which the caller frees. */
static const char **
diff_keys(const json_t *o, const json_t *n, size_t *count)
{
	size_t cap = json_object_size(o) + json_object_size(n), k = 0, i, j;
	const char **keys = malloc((cap > 0 ? cap : 1) * sizeof(*keys));
	const char *key;
	json_t *v;

	if (keys == NULL)
		return NULL;
	json_object_foreach((json_t *)o, key, v)
	{
		keys[k++] = key;
	}
	json_object_foreach((json_t *)n, key, v)
	{
		keys[k++] = key;
	}
	qsort(keys, k, sizeof(*keys), diff_key_cmp);
	for (i = j = 0; i < k; i++) {
		if (j == 0 || strcmp(keys[j - 1], keys[i]) != 0)
			keys[j++] = keys[i];
	}
	*count = j;
	return keys;
}

static int
diff_walk_object(struct diff_walk *w, const json_t *o, const json_t *n)
{
	size_t count = 0, i, saved = w->path.len;
	const char **keys = diff_keys(o, n, &count);
	int rc = 0;

	if (keys == NULL)
		return -1;
	for (i = 0; i < count && rc == 0; i++) {
		if (diff_key_ignored(keys[i], w->depth == 1))
			continue;
		rc = diff_path_push(&w->path, keys[i]);
		if (rc == 0)
			rc = diff_walk_value(w, json_object_get(o, keys[i]),
					     json_object_get(n, keys[i]));
		diff_path_pop(&w->path, saved);
	}
	free(keys);
	return rc;
}

static int
diff_walk_array(struct diff_walk *w, const json_t *o, const json_t *n)
{
	size_t len = json_array_size(o), i, saved = w->path.len;
	char idx[24];
	int rc = 0;

	if (json_array_size(n) > len)
		len = json_array_size(n);
	for (i = 0; i < len && rc == 0; i++) {
		snprintf(idx, sizeof(idx), "%zu", i);
		rc = diff_path_push(&w->path, idx);
		if (rc == 0)
			rc = diff_walk_value(w, json_array_get(o, i), json_array_get(n, i));
		diff_path_pop(&w->path, saved);
	}
	return rc;
}

static int
diff_walk_value(struct diff_walk *w, const json_t *o, const json_t *n)
{
	int rc;

	if ((json_is_object(o) && json_is_object(n)) || (json_is_array(o) && json_is_array(n))) {
		w->depth++;
		rc = json_is_object(o) ? diff_walk_object(w, o, n) : diff_walk_array(w, o, n);
		w->depth--;
		return rc;
	}
	if (json_equal(o ? o : json_null(), n ? n : json_null()))
		return 0;
	return diff_change_add(w, o, n);
}

/* A new record: every top-level key is a change from null. */
static int
diff_walk_new(struct diff_walk *w, const json_t *n)
{
	size_t count = 0, i;
	const char **keys;
	int rc = 0;

	if (!json_is_object(n))
		return diff_walk_value(w, NULL, n);
	keys = diff_keys(NULL, n, &count);
	if (keys == NULL)
		return -1;
	for (i = 0; i < count && rc == 0; i++) {
		if (diff_key_ignored(keys[i], true))
			continue;
		rc = diff_path_push(&w->path, keys[i]);
		if (rc == 0)
			rc = diff_change_add(w, NULL, json_object_get(n, keys[i]));
		diff_path_pop(&w->path, 0);
	}
	free(keys);
	return rc;
}

json_t *
diff_changed_fields(const json_t *old, const json_t *new_rec)
{
	struct diff_walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	buf_init(&w.path, DIFF_PATH_MAX_BYTES);
	w.out = json_array();
	if (w.out == NULL)
		return NULL;
	rc = old == NULL ? diff_walk_new(&w, new_rec) : diff_walk_value(&w, old, new_rec);
	buf_free(&w.path);
	if (rc != 0) {
		json_decref(w.out);
		return NULL;
	}
	return w.out;
}
