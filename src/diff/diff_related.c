/* diff_related.c - related_pairs ("continue comparing"): the pairs of
 * either model of a record that have records, most-shared providers
 * first. Each model's best partners are found once per pass and kept. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_related.h"

#define REL_KEEP (DIFF_RELATED_MAX + 1) /* one may be the record's own pair */

struct rel_pair {
	const char *x, *y; /* x < y */
	long shared;
};

struct rel_model {
	const char *id;
	const json_t *half;
	const char **provs; /* provider ids of its routes, sorted */
	size_t nprovs;
	struct rel_pair top[REL_KEEP];
	size_t ntop;
	int done; /* top is known */
};

struct diff_related {
	diff_pair_wanted_fn wanted;
	const void *rule;
	struct rel_model *m;
	size_t n;
	json_t *index; /* {id: position in m} */
};

static int
rel_str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Most shared first, then by x, then by y. */
static int
rel_pair_cmp(const void *p, const void *q)
{
	const struct rel_pair *a = p, *b = q;
	int c;

	if (a->shared != b->shared)
		return a->shared > b->shared ? -1 : 1;
	c = strcmp(a->x, b->x);
	return c != 0 ? c : strcmp(a->y, b->y);
}

static int
rel_model_init(struct rel_model *m, const char *id, const json_t *half)
{
	const json_t *routes = json_object_get(half, "routes"), *r;
	const char *p;
	size_t i;

	m->id = id;
	m->half = half;
	m->provs = calloc(json_array_size(routes) + 1, sizeof(*m->provs));
	if (m->provs == NULL)
		return -1;
	json_array_foreach(routes, i, r)
	{
		if ((p = json_string_value(json_object_get(r, "provider"))) != NULL)
			m->provs[m->nprovs++] = p;
	}
	qsort(m->provs, m->nprovs, sizeof(*m->provs), rel_str_cmp);
	return 0;
}

struct diff_related *
diff_related_new(const json_t *halves, diff_pair_wanted_fn wanted, const void *rule)
{
	struct diff_related *r = calloc(1, sizeof(*r));
	const char *id;
	json_t *h;

	if (r == NULL)
		return NULL;
	r->wanted = wanted;
	r->rule = rule;
	r->index = json_object();
	r->m = calloc(json_object_size(halves) + 1, sizeof(*r->m));
	if (r->index == NULL || r->m == NULL)
		goto fail;
	json_object_foreach((json_t *)halves, id, h)
	{
		if (rel_model_init(&r->m[r->n], id, h) != 0 ||
		    json_object_set_new(r->index, id, json_integer((json_int_t)r->n)) != 0)
			goto fail;
		r->n++;
	}
	return r;
fail:
	diff_related_free(r);
	return NULL;
}

void
diff_related_free(struct diff_related *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; r->m != NULL && i <= r->n; i++)
		free(r->m[i].provs);
	free(r->m);
	json_decref(r->index);
	free(r);
}

/* How many providers two models share (both lists sorted). */
static long
rel_shared(const struct rel_model *a, const struct rel_model *b)
{
	size_t i = 0, j = 0;
	long n = 0;
	int c;

	while (i < a->nprovs && j < b->nprovs) {
		c = strcmp(a->provs[i], b->provs[j]);
		n += c == 0;
		i += c <= 0;
		j += c >= 0;
	}
	return n;
}

/* Keep p among the REL_KEEP best of top[0..*n). */
static void
rel_keep(struct rel_pair *top, size_t *n, struct rel_pair p)
{
	size_t i;

	if (*n == REL_KEEP && rel_pair_cmp(&p, &top[REL_KEEP - 1]) >= 0)
		return;
	i = *n < REL_KEEP ? (*n)++ : REL_KEEP - 1;
	for (; i > 0 && rel_pair_cmp(&p, &top[i - 1]) < 0; i--)
		top[i] = top[i - 1];
	top[i] = p;
}

/* m's best partners, found once. */
static const struct rel_model *
rel_top(struct diff_related *r, const char *id)
{
	json_t *pos = json_object_get(r->index, id);
	struct rel_model *m, *o;
	struct rel_pair p;
	size_t i;

	if (pos == NULL)
		return NULL;
	m = &r->m[json_integer_value(pos)];
	for (i = 0; !m->done && i < r->n; i++) {
		o = &r->m[i];
		if (o == m || !r->wanted(r->rule, m->half, o->half))
			continue;
		p.x = strcmp(m->id, o->id) < 0 ? m->id : o->id;
		p.y = p.x == m->id ? o->id : m->id;
		p.shared = rel_shared(m, o);
		rel_keep(m->top, &m->ntop, p);
	}
	m->done = 1;
	return m;
}

/* The best DIFF_RELATED_MAX of cand[0..n) other than the pair (a, b), as
 * a new JSON array. */
static json_t *
rel_json(struct rel_pair *cand, size_t n, const char *a, const char *b)
{
	json_t *arr = json_array();
	size_t i, k = 0;

	if (arr == NULL)
		return NULL;
	qsort(cand, n, sizeof(*cand), rel_pair_cmp);
	for (i = 0; i < n && k < DIFF_RELATED_MAX; i++) {
		if ((strcmp(cand[i].x, a) == 0 && strcmp(cand[i].y, b) == 0) ||
		    (strcmp(cand[i].x, b) == 0 && strcmp(cand[i].y, a) == 0))
			continue;
		if (json_array_append_new(arr, json_pack("{s:[s, s], s:I}", "models", cand[i].x,
							 cand[i].y, "shared_providers",
							 (json_int_t)cand[i].shared)) != 0) {
			json_decref(arr);
			return NULL;
		}
		k++;
	}
	return arr;
}

json_t *
diff_related_pairs(struct diff_related *r, const char *a, const char *b)
{
	struct rel_pair cand[2 * REL_KEEP];
	const struct rel_model *ma = rel_top(r, a), *mb = rel_top(r, b);
	size_t n = 0, i;

	for (i = 0; ma != NULL && i < ma->ntop; i++)
		cand[n++] = ma->top[i];
	for (i = 0; mb != NULL && i < mb->ntop; i++)
		cand[n++] = mb->top[i];
	return rel_json(cand, n, a, b);
}

json_t *
diff_related_from_stored(const json_t *stored, const char *a, const char *b)
{
	struct rel_pair *cand = calloc(json_object_size(stored) + 1, sizeof(*cand));
	json_t *v, *rec, *arr = NULL;
	const char *key, *bar;
	size_t n = 0, i;
	int bad = cand == NULL;

	json_object_foreach((json_t *)stored, key, v)
	{
		if (bad || (bar = strchr(key, '|')) == NULL)
			continue;
		rec = json_loads(json_string_value(json_object_get(v, "record")), 0, NULL);
		cand[n].x = strndup(key, (size_t)(bar - key)); /* "x|y" */
		cand[n].y = bar + 1;
		cand[n].shared = (long)json_array_size(json_object_get(rec, "shared_providers"));
		json_decref(rec);
		bad = cand[n++].x == NULL;
	}
	if (!bad)
		arr = rel_json(cand, n, a, b);
	for (i = 0; i < n; i++)
		free((char *)(uintptr_t)cand[i].x);
	free(cand);
	return arr;
}
