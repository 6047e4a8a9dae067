/* schedule.c - when each source runs next: spread first runs, jittered
 * intervals, doubling backoff after failures, clamping after a suspend.
 * The rules are spelled out in schedule.h. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "daemon/schedule.h"

/* splitmix64 (Steele, Lea, Flood 2014): one 64-bit word of state. */
static uint64_t
sched_rand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), without modulo bias; 0 when n is 0. */
static uint64_t
sched_rand_below(uint64_t *state, uint64_t n)
{
	uint64_t floor, r;

	if (n == 0)
		return 0;
	floor = (0 - n) % n; /* 2^64 mod n: draws below it would favour small results */
	do
		r = sched_rand_next(state);
	while (r < floor);
	return r % n;
}

static int64_t
sched_clamp_interval(int64_t ms)
{
	int64_t max = SCHED_INTERVAL_MAX_MS < LONG_MAX ? SCHED_INTERVAL_MAX_MS : LONG_MAX;

	return ms < SCHED_INTERVAL_MIN_MS ? SCHED_INTERVAL_MIN_MS : ms > max ? max : ms;
}

long
schedule_interval_ms(long interval_sec)
{
	int64_t max_sec = SCHED_INTERVAL_MAX_MS / 1000;

	if (interval_sec > max_sec)
		interval_sec = (long)max_sec;
	return (long)sched_clamp_interval((int64_t)interval_sec * 1000);
}

int64_t
schedule_backoff_ms(long interval_ms, int failures)
{
	int64_t iv = sched_clamp_interval(interval_ms);
	int64_t base = iv < SCHED_BACKOFF_BASE_MS ? iv : SCHED_BACKOFF_BASE_MS;
	int64_t cap = SCHED_BACKOFF_CAP_FACTOR * iv;
	int64_t d = base;
	int f;

	if (failures < 1)
		return iv;
	if (cap < SCHED_BACKOFF_CAP_MS)
		cap = SCHED_BACKOFF_CAP_MS;
	for (f = 1; f < failures && d < cap; f++)
		d *= 2; /* d < cap <= 4 * 366 days: never overflows */
	return d < cap ? d : cap;
}

/* The first due time of a new entry: spread over [now, now + min(I, 60 s)). */
static int64_t
sched_first_due(struct schedule *s, long interval_ms, int64_t now_ms)
{
	int64_t w = interval_ms < SCHED_SPREAD_MAX_MS ? interval_ms : SCHED_SPREAD_MAX_MS;

	return now_ms + (int64_t)sched_rand_below(&s->rng, (uint64_t)w);
}

/* The due time after a run of e that finished at t (ok: no failures). */
static int64_t
sched_next_due(struct schedule *s, const struct sched_entry *e, int64_t t)
{
	int64_t j = (int64_t)e->interval_ms * SCHED_JITTER_PCT / 100;

	if (e->failures > 0)
		return t + schedule_backoff_ms(e->interval_ms, e->failures);
	return t + e->interval_ms + (int64_t)sched_rand_below(&s->rng, (uint64_t)(2 * j + 1)) - j;
}

static void
sched_entry_new(struct schedule *s, struct sched_entry *e, const struct source *src, int64_t now_ms)
{
	memset(e, 0, sizeof(*e));
	lr_strlcpy(e->id, src->id, sizeof(e->id));
	e->interval_ms = schedule_interval_ms(src->interval_sec);
	e->due_ms = sched_first_due(s, e->interval_ms, now_ms);
}

int
schedule_init(struct schedule *s, const struct config *cfg, uint64_t seed, int64_t now_ms)
{
	size_t i;

	s->v = NULL;
	s->n = 0;
	s->rng = seed;
	if (cfg->nsources == 0)
		return 0;
	s->v = calloc(cfg->nsources, sizeof(*s->v));
	if (s->v == NULL)
		return -1;
	for (i = 0; i < cfg->nsources; i++)
		sched_entry_new(s, &s->v[i], &cfg->sources[i], now_ms);
	s->n = cfg->nsources;
	return 0;
}

/* old's state moved to e, under src's (maybe new) interval. */
static void
sched_entry_keep(struct schedule *s, struct sched_entry *e, const struct sched_entry *old,
		 const struct source *src, int64_t now_ms)
{
	long iv = schedule_interval_ms(src->interval_sec);

	*e = *old;
	if (iv == e->interval_ms)
		return;
	e->interval_ms = iv;
	if (e->running || e->runs == 0)
		return; /* planned when done / keeps its first due time */
	e->due_ms = sched_next_due(s, e, e->finished_ms);
	if (e->due_ms < now_ms)
		e->due_ms = now_ms;
}

int
schedule_update(struct schedule *s, const struct config *cfg, int64_t now_ms)
{
	struct sched_entry *v = NULL;
	size_t i;

	if (cfg->nsources > 0) {
		v = calloc(cfg->nsources, sizeof(*v));
		if (v == NULL)
			return -1;
	}
	for (i = 0; i < cfg->nsources; i++) {
		const struct sched_entry *old = schedule_find(s, cfg->sources[i].id);

		if (old != NULL)
			sched_entry_keep(s, &v[i], old, &cfg->sources[i], now_ms);
		else
			sched_entry_new(s, &v[i], &cfg->sources[i], now_ms);
	}
	free(s->v);
	s->v = v;
	s->n = cfg->nsources;
	return 0;
}

void
schedule_free(struct schedule *s)
{
	if (s == NULL)
		return;
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

size_t
schedule_due(const struct schedule *s, int64_t now_ms, size_t *idx, size_t max)
{
	size_t i, k = 0, pos;

	for (i = 0; i < s->n; i++) {
		const struct sched_entry *e = &s->v[i];

		if (e->running || e->due_ms > now_ms)
			continue;
		/* insertion into idx[0..k), sorted by due time, stable */
		for (pos = k; pos > 0 && s->v[idx[pos - 1]].due_ms > e->due_ms; pos--)
			;
		if (pos >= max)
			continue;
		if (k < max)
			k++;
		memmove(&idx[pos + 1], &idx[pos], (k - 1 - pos) * sizeof(*idx));
		idx[pos] = i;
	}
	return k;
}

void
schedule_start(struct schedule *s, size_t i, int64_t now_ms)
{
	if (i >= s->n)
		return;
	s->v[i].running = 1;
	s->v[i].started_ms = now_ms;
}

int
schedule_done(struct schedule *s, const char *id, int ok, int64_t now_ms)
{
	struct sched_entry *e = schedule_find(s, id);
	int overran;

	if (e == NULL)
		return -1;
	overran = e->running && now_ms - e->started_ms > e->interval_ms;
	e->running = 0;
	e->finished_ms = now_ms;
	e->runs++;
	if (ok)
		e->failures = 0;
	else if (e->failures < INT_MAX)
		e->failures++;
	e->due_ms = sched_next_due(s, e, now_ms);
	return overran;
}

int64_t
schedule_wait_ms(const struct schedule *s, int64_t now_ms)
{
	int64_t best = -1;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct sched_entry *e = &s->v[i];
		int64_t w = e->due_ms > now_ms ? e->due_ms - now_ms : 0;

		if (!e->running && (best < 0 || w < best))
			best = w;
	}
	return best;
}

struct sched_entry *
schedule_find(struct schedule *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].id, id) == 0)
			return &s->v[i];
	return NULL;
}

int
schedule_not_before(struct schedule *s, const char *id, int64_t not_before_ms)
{
	struct sched_entry *e = schedule_find(s, id);

	if (e == NULL)
		return -1;
	if (e->due_ms < not_before_ms)
		e->due_ms = not_before_ms;
	return 0;
}
