/* test_schedule.c - the daemon's scheduler (src/schedule.c): spread of
 * first runs, jitter, backoff, clamping after a suspend, due order, waits,
 * reloads and overruns. Time is passed in, so every case is exact. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "daemon/schedule.h"
#include "tap.h"

#define SEC  1000LL
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)
#define NOW0 ((int64_t)5 * DAY) /* an arbitrary monotonic start */

struct src_def {
	const char *id;
	long interval_sec;
};

/* A config holding only sources (id, interval): all the scheduler reads. */
static void
cfg_make(struct config *cfg, const struct src_def *defs, size_t n)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->sources = calloc(n ? n : 1, sizeof(*cfg->sources));
	if (cfg->sources == NULL)
		abort();
	for (i = 0; i < n; i++) {
		snprintf(cfg->sources[i].id, sizeof(cfg->sources[i].id), "%s", defs[i].id);
		cfg->sources[i].interval_sec = defs[i].interval_sec;
	}
	cfg->nsources = n;
}

static void
cfg_clear(struct config *cfg)
{
	free(cfg->sources);
	cfg->sources = NULL;
	cfg->nsources = 0;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static const struct src_def spread_defs[] = {
	{ "a", 21600 }, { "b", 10 }, { "c", 30 }, { "d", 3600 }, { "e", 86400 }, { "f", 60 },
	{ "g", 61 },    { "h", 1 },  { "i", 0 },  { "j", 600 },  { "k", 21600 }, { "l", 21600 },
	{ "m", 21600 }, { "n", 5 },  { "o", 45 }, { "p", 7200 },
};
#define NSPREAD (sizeof(spread_defs) / sizeof(spread_defs[0]))

static void
test_spread(void)
{
	struct config cfg;
	struct schedule s1, s2, s3;
	size_t i, inside = 0, same_as_s2 = 0, same_as_s3 = 0, distinct = 0;

	cfg_make(&cfg, spread_defs, NSPREAD);
	tap_ok(schedule_init(&s1, &cfg, 42, NOW0) == 0 && s1.n == NSPREAD, "init: one entry each");
	tap_ok(schedule_init(&s2, &cfg, 42, NOW0) == 0, "init again, same seed");
	tap_ok(schedule_init(&s3, &cfg, 43, NOW0) == 0, "init again, other seed");
	for (i = 0; i < NSPREAD; i++) {
		int64_t w = min64(s1.v[i].interval_ms, 60 * SEC), d = s1.v[i].due_ms - NOW0;

		if (d >= 0 && d < w && !s1.v[i].running && s1.v[i].failures == 0)
			inside++;
		else
			printf("#   %s: due +%lld, window %lld\n", s1.v[i].id, (long long)d,
			       (long long)w);
		same_as_s2 += s1.v[i].due_ms == s2.v[i].due_ms;
		same_as_s3 += s1.v[i].due_ms == s3.v[i].due_ms;
		distinct += i > 0 && s1.v[i].due_ms != s1.v[0].due_ms;
		tap_str_eq(s1.v[i].id, spread_defs[i].id, "  entry keeps the source's id");
	}
	tap_ok(inside == NSPREAD, "every first run within [now, now + min(interval, 60 s))");
	tap_ok(distinct > 0, "first runs are not all at one time");
	tap_ok(same_as_s2 == NSPREAD, "same seed: same plan");
	tap_ok(same_as_s3 < NSPREAD, "other seed: another plan");
	tap_ok(s1.v[8].interval_ms == 1000, "interval 0 is taken as 1 s");
	tap_ok(schedule_wait_ms(&s1, NOW0 - 1) > 0, "nothing due before start");
	schedule_free(&s1);
	schedule_free(&s2);
	schedule_free(&s3);
	tap_ok(s1.v == NULL && s1.n == 0, "free leaves the schedule empty");
	schedule_free(NULL);
	cfg_clear(&cfg);
}

/* Spread windows over many seeds: both ends of [0, w) are reachable. */
static void
test_spread_range(void)
{
	static const struct src_def defs[] = { { "x", 3 } }; /* window 3000 ms */
	struct config cfg;
	struct schedule s;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	uint64_t seed;
	int bad = 0;

	cfg_make(&cfg, defs, 1);
	for (seed = 0; seed < 3000; seed++) {
		if (schedule_init(&s, &cfg, seed, 0) != 0)
			bad++;
		else if (s.v[0].due_ms < 0 || s.v[0].due_ms >= 3000)
			bad++;
		lo = min64(lo, s.v[0].due_ms);
		hi = s.v[0].due_ms > hi ? s.v[0].due_ms : hi;
		schedule_free(&s);
	}
	tap_ok(bad == 0, "3000 seeds: first run in [0, 3000) ms");
	tap_ok(lo < 100 && hi > 2900, "the spread covers the window (%lld..%lld)", (long long)lo,
	       (long long)hi);
	cfg_clear(&cfg);
}

struct jitter_case {
	long interval_sec;
	int64_t jitter_ms; /* 10% of the interval */
};

static const struct jitter_case jitter_cases[] = {
	{ 1, 100 },           { 10, 1000 },       { 1000, 100000 },
	{ 3600, 360000 },     { 21600, 2160000 }, { 86400, 8640000 },
	{ 0, 100 } /* 1 s */, { 7, 700 },         { 99, 9900 },
};

static void
test_jitter(void)
{
	size_t c;

	for (c = 0; c < sizeof(jitter_cases) / sizeof(jitter_cases[0]); c++) {
		const struct jitter_case *jc = &jitter_cases[c];
		struct src_def def = { "j", jc->interval_sec };
		struct config cfg;
		struct schedule s;
		int64_t iv, t = NOW0, lo = INT64_MAX, hi = INT64_MIN, sum = 0;
		int i, out = 0, below = 0, above = 0, n = 4000;

		cfg_make(&cfg, &def, 1);
		if (schedule_init(&s, &cfg, 7 + c, t) != 0)
			abort();
		iv = s.v[0].interval_ms;
		for (i = 0; i < n; i++) {
			int64_t d;

			schedule_start(&s, 0, t);
			t += 3;
			if (schedule_done(&s, "j", 1, t) != 0)
				out++;
			d = s.v[0].due_ms - t - iv;
			out += d < -jc->jitter_ms || d > jc->jitter_ms;
			below += d < 0;
			above += d > 0;
			lo = min64(lo, d);
			hi = d > hi ? d : hi;
			sum += d;
			t = s.v[0].due_ms;
		}
		tap_ok(out == 0, "interval %lds: %d successes due at finish + interval +- %lld ms",
		       jc->interval_sec, n, (long long)jc->jitter_ms);
		tap_ok(below > 0 && above > 0, "  jitter falls on both sides (%d below, %d above)",
		       below, above);
		tap_ok(lo <= -jc->jitter_ms * 9 / 10 && hi >= jc->jitter_ms * 9 / 10,
		       "  and reaches near both bounds (%lld..%lld)", (long long)lo, (long long)hi);
		tap_ok(sum / n > -jc->jitter_ms / 10 && sum / n < jc->jitter_ms / 10,
		       "  centred on the interval (mean %lld)", (long long)(sum / n));
		schedule_free(&s);
		cfg_clear(&cfg);
	}
}

struct backoff_case {
	long interval_ms;
	int failures;
	int64_t want_ms;
};

static const struct backoff_case backoff_cases[] = {
	/* 6 h: base 60 s, cap max(6 h, 24 h) = 24 h */
	{ 6 * HOUR, 0, 6 * HOUR },
	{ 6 * HOUR, -3, 6 * HOUR },
	{ 6 * HOUR, 1, 60 * SEC },
	{ 6 * HOUR, 2, 120 * SEC },
	{ 6 * HOUR, 3, 240 * SEC },
	{ 6 * HOUR, 10, 512 * MIN },
	{ 6 * HOUR, 11, 1024 * MIN },
	{ 6 * HOUR, 12, 24 * HOUR },
	{ 6 * HOUR, 1000, 24 * HOUR },
	{ 6 * HOUR, INT_MAX, 24 * HOUR },
	/* 1 h: cap 6 h (4 h is less) */
	{ HOUR, 1, MIN },
	{ HOUR, 9, 256 * MIN },
	{ HOUR, 10, 6 * HOUR },
	/* 10 s: base is the interval, cap 6 h */
	{ 10 * SEC, 0, 10 * SEC },
	{ 10 * SEC, 1, 10 * SEC },
	{ 10 * SEC, 2, 20 * SEC },
	{ 10 * SEC, 12, 20480 * SEC },
	{ 10 * SEC, 13, 6 * HOUR },
	/* 2 d: cap 8 d */
	{ 2 * DAY, 14, 8192 * MIN },
	{ 2 * DAY, 15, 8 * DAY },
	/* 60 s exactly: base 60 s */
	{ MIN, 1, MIN },
	{ MIN, 4, 8 * MIN },
	/* below the 1 s floor: taken as 1 s */
	{ 0, 0, SEC },
	{ 0, 1, SEC },
	{ 200, 3, 4 * SEC },
	{ -5, 2, 2 * SEC },
};

static void
test_backoff_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(backoff_cases) / sizeof(backoff_cases[0]); i++) {
		const struct backoff_case *c = &backoff_cases[i];
		int64_t got = schedule_backoff_ms(c->interval_ms, c->failures);

		if (!tap_ok(got == c->want_ms, "backoff(%ld ms, %d failures) = %lld ms",
			    c->interval_ms, c->failures, (long long)c->want_ms))
			printf("#   got %lld\n", (long long)got);
	}
	tap_ok(schedule_interval_ms(0) == 1000 && schedule_interval_ms(-1) == 1000,
	       "interval: 0 and below are 1 s");
	tap_ok(schedule_interval_ms(21600) == 21600000, "interval: 6 h");
	tap_ok(schedule_interval_ms(LONG_MAX) ==
		   (SCHED_INTERVAL_MAX_MS < LONG_MAX ? SCHED_INTERVAL_MAX_MS : LONG_MAX),
	       "interval: huge values are capped, no overflow");
}

/* In a schedule: failures back off, doubling, and success snaps back. */
static void
test_backoff_schedule(void)
{
	static const struct src_def defs[] = { { "p", 3600 } };
	static const int64_t want[] = { MIN, 2 * MIN, 4 * MIN, 8 * MIN, 16 * MIN };
	struct config cfg;
	struct schedule s;
	struct sched_entry *e;
	int64_t t = NOW0;
	size_t i, idx[4];
	int bad = 0;

	cfg_make(&cfg, defs, 1);
	if (schedule_init(&s, &cfg, 1, t) != 0)
		abort();
	e = schedule_find(&s, "p");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		t = e->due_ms;
		bad += schedule_due(&s, t, idx, 4) != 1 || idx[0] != 0;
		schedule_start(&s, 0, t);
		t += 2 * SEC;
		bad += schedule_done(&s, "p", 0, t) != 0;
		if (e->failures != (int)i + 1 || e->due_ms != t + want[i]) {
			printf("#   failure %zu: failures %d, due +%lld\n", i + 1, e->failures,
			       (long long)(e->due_ms - t));
			bad++;
		}
	}
	tap_ok(bad == 0, "five failures in a row: due after 1, 2, 4, 8, 16 min");
	tap_ok(schedule_wait_ms(&s, t) == 16 * MIN, "wait is the backoff");
	t = e->due_ms;
	schedule_start(&s, 0, t);
	t += SEC;
	tap_ok(schedule_done(&s, "p", 1, t) == 0 && e->failures == 0, "success resets failures");
	tap_ok(e->due_ms >= t + HOUR - 6 * MIN && e->due_ms <= t + HOUR + 6 * MIN,
	       "and snaps back to the interval +- 10%%");
	schedule_start(&s, 0, e->due_ms);
	tap_ok(schedule_done(&s, "p", 0, e->due_ms + 1) == 0 && e->failures == 1 &&
		   e->due_ms == e->finished_ms + MIN,
	       "a new failure starts again from the base");
	tap_ok(e->runs == 7, "runs counts finished runs");
	{
		int64_t was = e->due_ms;
		tap_ok(schedule_not_before(&s, "p", was + 2 * HOUR) == 0 &&
			   e->due_ms == was + 2 * HOUR,
		       "a Retry-After past the fetch moves the next run later");
		tap_ok(schedule_not_before(&s, "p", was) == 0 && e->due_ms == was + 2 * HOUR,
		       "but never earlier");
		tap_ok(schedule_not_before(&s, "nope", was) == -1, "an unknown id: -1");
	}
	schedule_free(&s);
	cfg_clear(&cfg);
}

/* A run longer than its interval is reported, whatever its outcome. */
static void
test_overrun(void)
{
	static const struct src_def defs[] = { { "slow", 10 }, { "other", 10 } };
	struct config cfg;
	struct schedule s;
	int64_t t = NOW0;

	cfg_make(&cfg, defs, 2);
	if (schedule_init(&s, &cfg, 3, t) != 0)
		abort();
	schedule_start(&s, 0, t);
	tap_ok(schedule_done(&s, "slow", 1, t + 10 * SEC) == 0, "a run of exactly the interval: 0");
	schedule_start(&s, 0, t);
	tap_ok(schedule_done(&s, "slow", 1, t + 10 * SEC + 1) == 1, "a run 1 ms longer: 1");
	tap_ok(s.v[0].failures == 0 && !s.v[0].running && s.v[0].due_ms > t + 10 * SEC,
	       "  and it is still planned from its finish");
	schedule_start(&s, 0, t);
	tap_ok(schedule_done(&s, "slow", 0, t + HOUR) == 1 && s.v[0].failures == 1,
	       "a failed long run: 1, failure counted");
	tap_ok(schedule_done(&s, "other", 1, t + HOUR) == 0, "done without a start: 0");
	tap_ok(schedule_done(&s, "gone", 1, t) == -1, "done on an unknown id: -1");
	tap_ok(schedule_find(&s, "gone") == NULL, "find of an unknown id: NULL");
	schedule_start(&s, 99, t); /* out of range: nothing */
	tap_ok(!s.v[0].running && !s.v[1].running, "start out of range changes nothing");
	schedule_free(&s);
	cfg_clear(&cfg);
}

/* now jumps by days (suspend): each overdue source is due exactly once. */
static void
test_suspend(void)
{
	static const struct src_def defs[] = { { "m", 60 }, { "h", 3600 }, { "q", 21600 } };
	struct config cfg;
	struct schedule s;
	size_t idx[8], n, i;
	int64_t t = NOW0;
	int bad = 0;

	cfg_make(&cfg, defs, 3);
	if (schedule_init(&s, &cfg, 11, t) != 0)
		abort();
	t += MIN;
	n = schedule_due(&s, t, idx, 8);
	for (i = 0; i < n; i++)
		schedule_start(&s, idx[i], t);
	tap_ok(n == 3, "all three first runs due within a minute");
	bad += schedule_done(&s, "m", 1, t + SEC) != 0;
	bad += schedule_done(&s, "h", 0, t + SEC) != 0;
	bad += schedule_done(&s, "q", 1, t + SEC) != 0;
	tap_ok(bad == 0 && schedule_due(&s, t + SEC, idx, 8) == 0, "all done, none due");
	t += 3 * DAY; /* the machine slept */
	tap_ok(schedule_due(&s, t, idx, 8) == 3, "after 3 days asleep: each source due");
	tap_ok(idx[0] != idx[1] && idx[1] != idx[2] && idx[0] != idx[2], "  once each");
	tap_ok(schedule_due(&s, t + 5, idx, 8) == 3, "  asking again gives no more");
	tap_ok(schedule_wait_ms(&s, t) == 0, "  wait is 0, not negative");
	for (i = 0; i < 3; i++)
		schedule_start(&s, idx[i], t);
	tap_ok(schedule_due(&s, t, idx, 8) == 0, "started: nothing more is due");
	tap_ok(schedule_wait_ms(&s, t) == -1, "  and nothing waits");
	schedule_done(&s, "m", 1, t + 2 * SEC);
	schedule_done(&s, "h", 1, t + 2 * SEC);
	schedule_done(&s, "q", 1, t + 2 * SEC);
	for (i = 0, bad = 0; i < 3; i++)
		bad += s.v[i].due_ms < t + 2 * SEC + s.v[i].interval_ms * 9 / 10;
	tap_ok(bad == 0, "next runs are a full interval after the finish, no catch-up");
	tap_ok(schedule_due(&s, t + 2 * SEC, idx, 8) == 0, "no burst of catch-up runs");
	tap_ok(schedule_wait_ms(&s, t + 2 * SEC) >= 54 * SEC &&
		   schedule_wait_ms(&s, t + 2 * SEC) <= 66 * SEC,
	       "wait is positive: the 60 s source's interval +- 10%%");
	schedule_free(&s);
	cfg_clear(&cfg);
}

struct due_case {
	size_t max;
	size_t want_n;
	size_t want[4];
};

/* Entries: 0 at -100, 1 at -500, 2 at +10, 3 at -500, 4 at -1000 running,
 * 5 exactly now. Most overdue first, ties in entry order. */
static const struct due_case due_cases[] = {
	{ 0, 0, { 0 } },       { 1, 1, { 1 } },          { 2, 2, { 1, 3 } },
	{ 3, 3, { 1, 3, 0 } }, { 4, 4, { 1, 3, 0, 5 } }, { 10, 4, { 1, 3, 0, 5 } },
};

static void
test_due_order(void)
{
	static const struct src_def defs[] = { { "e0", 60 }, { "e1", 60 }, { "e2", 60 },
					       { "e3", 60 }, { "e4", 60 }, { "e5", 60 } };
	static const int64_t offs[] = { -100, -500, 10, -500, -1000, 0 };
	struct config cfg;
	struct schedule s;
	size_t c, i, idx[10];

	cfg_make(&cfg, defs, 6);
	if (schedule_init(&s, &cfg, 5, NOW0) != 0)
		abort();
	for (i = 0; i < 6; i++)
		s.v[i].due_ms = NOW0 + offs[i];
	schedule_start(&s, 4, NOW0 - 2000);
	for (c = 0; c < sizeof(due_cases) / sizeof(due_cases[0]); c++) {
		const struct due_case *dc = &due_cases[c];
		size_t n = schedule_due(&s, NOW0, idx, dc->max);
		int ok = n == dc->want_n;

		for (i = 0; ok && i < n; i++)
			ok = idx[i] == dc->want[i];
		tap_ok(ok, "due with max %zu: %zu entries, most overdue first", dc->max,
		       dc->want_n);
	}
	tap_ok(schedule_wait_ms(&s, NOW0) == 0, "wait 0 while some are due");
	tap_ok(schedule_wait_ms(&s, NOW0 - 1000) == 500,
	       "wait skips the running entry: 500 ms to the next idle one");
	schedule_free(&s);
	cfg_clear(&cfg);
}

/* Many random due times: the result is sorted and is the most overdue. */
static void
test_due_many(void)
{
	enum { N = 200, MAX = 17 };
	struct src_def defs[N];
	char ids[N][8];
	struct config cfg;
	struct schedule s;
	size_t i, n, idx[MAX], due_all = 0, bad = 0;
	char in[N] = { 0 };
	uint64_t r = 99;

	for (i = 0; i < N; i++) {
		snprintf(ids[i], sizeof(ids[i]), "s%zu", i);
		defs[i].id = ids[i];
		defs[i].interval_sec = 60;
	}
	cfg_make(&cfg, defs, N);
	if (schedule_init(&s, &cfg, 8, NOW0) != 0)
		abort();
	for (i = 0; i < N; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		s.v[i].due_ms = NOW0 - 5000 + (int64_t)((r >> 33) % 10000);
		due_all += s.v[i].due_ms <= NOW0;
	}
	n = schedule_due(&s, NOW0, idx, MAX);
	for (i = 1; i < n; i++)
		bad += s.v[idx[i - 1]].due_ms > s.v[idx[i]].due_ms;
	for (i = 0; i < n; i++)
		in[idx[i]] = 1;
	for (i = 0; n > 0 && i < N; i++) /* nothing left out is more overdue than the last */
		bad += !in[i] && s.v[i].due_ms < s.v[idx[n - 1]].due_ms;
	tap_ok(n == MAX && due_all > MAX, "200 entries: max %d returned", MAX);
	tap_ok(bad == 0, "  sorted, and none more overdue was left out");
	schedule_free(&s);
	cfg_clear(&cfg);
}

static void
test_wait(void)
{
	static const struct src_def defs[] = { { "a", 60 }, { "b", 60 }, { "c", 60 } };
	struct config cfg;
	struct schedule s;

	cfg_make(&cfg, defs, 0);
	tap_ok(schedule_init(&s, &cfg, 1, NOW0) == 0 && s.n == 0, "init with no sources");
	tap_ok(schedule_wait_ms(&s, NOW0) == -1, "wait on an empty schedule: -1");
	tap_ok(schedule_due(&s, NOW0, NULL, 0) == 0, "due on an empty schedule: 0");
	schedule_free(&s);
	cfg_clear(&cfg);

	cfg_make(&cfg, defs, 3);
	if (schedule_init(&s, &cfg, 1, NOW0) != 0)
		abort();
	s.v[0].due_ms = NOW0 + 100;
	s.v[1].due_ms = NOW0 + 500;
	s.v[2].due_ms = NOW0 + 300;
	schedule_start(&s, 0, NOW0);
	tap_ok(schedule_wait_ms(&s, NOW0) == 300, "wait: the nearest idle entry (300 ms)");
	tap_ok(schedule_wait_ms(&s, NOW0 + 299) == 1, "wait: 1 ms before");
	tap_ok(schedule_wait_ms(&s, NOW0 + 300) == 0, "wait: 0 when due");
	tap_ok(schedule_wait_ms(&s, NOW0 + 10 * DAY) == 0, "wait: 0, never negative, long after");
	schedule_start(&s, 1, NOW0);
	schedule_start(&s, 2, NOW0);
	tap_ok(schedule_wait_ms(&s, NOW0) == -1, "wait when all are running: -1");
	schedule_free(&s);
	cfg_clear(&cfg);
}

/* State before the reload: a fails twice, b runs, c and e succeeded, f
 * failed 30 s before the reload (its backoff was 30 s, becomes 60 s). */
static void
reload_prepare(struct schedule *s, int64_t t)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		schedule_start(s, i, t);
	schedule_done(s, "a", 0, t + SEC);
	schedule_start(s, 0, s->v[0].due_ms);
	schedule_done(s, "a", 0, s->v[0].due_ms + SEC);
	schedule_done(s, "c", 1, t + SEC);
	schedule_done(s, "e", 1, t + SEC);
	schedule_done(s, "f", 0, t + 9 * MIN + 30 * SEC);
}

/* 5 h after c's last run: c's interval shrinks (its due time, in the past,
 * is clamped); then a reload to no sources while a runs, and back. */
static void
reload_later(struct schedule *s, const struct config *c1, struct config *c2, int64_t now)
{
	struct config c0;
	struct sched_entry *e;

	/* a long time later, a changed interval would plan in the past: clamped */
	c2->sources[1].interval_sec = 600;
	tap_ok(schedule_update(s, c2, now) == 0, "reload again, c every 10 min");
	e = schedule_find(s, "c");
	tap_ok(e->due_ms == now && schedule_wait_ms(s, now) == 0,
	       "  c's due time, in the past, is clamped to now");
	tap_ok(schedule_find(s, "a")->failures == 2, "  a still has its failures");
	schedule_start(s, (size_t)(schedule_find(s, "a") - s->v), now);

	cfg_make(&c0, NULL, 0);
	tap_ok(schedule_update(s, &c0, now) == 0 && s->n == 0 && s->v == NULL,
	       "reload to no sources: empty");
	tap_ok(schedule_wait_ms(s, now) == -1 && schedule_done(s, "a", 1, now) == -1,
	       "  nothing waits; a running source's done returns -1");
	tap_ok(schedule_update(s, c1, now) == 0 && s->n == 6 && s->v[0].failures == 0 &&
		   s->v[0].due_ms >= now && s->v[0].due_ms < now + MIN,
	       "reload from empty: all new, spread");
	cfg_clear(&c0);
}

static void
test_reload(void)
{
	static const struct src_def before[] = { { "a", 3600 }, { "b", 600 }, { "c", 3600 },
						 { "e", 60 },   { "f", 30 },  { "g", 300 } };
	static const struct src_def after[] = { { "d", 30 },   { "c", 7200 }, { "a", 3600 },
						{ "b", 1200 }, { "f", 7200 }, { "g", 60 } };
	struct config c1, c2;
	struct schedule s;
	struct sched_entry a0, b0, c0e, f0, g0, *e;
	int64_t t = NOW0, now;

	cfg_make(&c1, before, 6);
	cfg_make(&c2, after, 6);
	if (schedule_init(&s, &c1, 21, t) != 0)
		abort();
	g0 = s.v[5]; /* g never runs */
	reload_prepare(&s, t);
	a0 = *schedule_find(&s, "a");
	b0 = *schedule_find(&s, "b");
	c0e = *schedule_find(&s, "c");
	f0 = *schedule_find(&s, "f");
	now = t + 10 * MIN;
	tap_ok(a0.failures == 2 && b0.running && !c0e.running, "before: a failing, b running");
	tap_ok(schedule_update(&s, &c2, now) == 0 && s.n == 6, "reload: 6 sources");
	e = schedule_find(&s, "a");
	tap_ok(e != NULL && e->failures == 2 && e->due_ms == a0.due_ms &&
		   e->finished_ms == a0.finished_ms && e->runs == 2,
	       "kept a: failures, due time and last run unchanged");
	e = schedule_find(&s, "b");
	tap_ok(e != NULL && e->running && e->started_ms == b0.started_ms &&
		   e->interval_ms == 1200000,
	       "kept b: still running, new interval");
	tap_ok(schedule_done(&s, "b", 1, now) == 0 && e->due_ms >= now + 1080 * SEC &&
		   e->due_ms <= now + 1320 * SEC,
	       "  when b is done it is planned with the new interval");
	e = schedule_find(&s, "c");
	tap_ok(e != NULL && e->interval_ms == 7200000 && e->due_ms >= c0e.finished_ms + 108 * MIN &&
		   e->due_ms <= c0e.finished_ms + 132 * MIN,
	       "changed c: re-planned from its last finish with the new interval");
	e = schedule_find(&s, "f");
	tap_ok(e != NULL && e->failures == 1 &&
		   e->due_ms == f0.finished_ms + schedule_backoff_ms(7200000, 1),
	       "changed f, failing: the new backoff (60 s) from its last finish");
	e = schedule_find(&s, "g");
	tap_ok(e != NULL && e->runs == 0 && e->due_ms == g0.due_ms && e->interval_ms == 60000,
	       "changed g, never run: keeps its first due time");
	e = schedule_find(&s, "d");
	tap_ok(e != NULL && e->due_ms >= now && e->due_ms < now + 30 * SEC && e->failures == 0 &&
		   !e->running && e->runs == 0,
	       "new d: spread over [now, now + 30 s)");
	tap_ok(schedule_find(&s, "e") == NULL, "removed e: gone");
	tap_ok(schedule_done(&s, "e", 1, now) == -1, "  and done on it returns -1");
	tap_ok(strcmp(s.v[0].id, "d") == 0 && strcmp(s.v[1].id, "c") == 0,
	       "entries follow the new config's order");

	reload_later(&s, &c1, &c2, c0e.finished_ms + 5 * HOUR);
	schedule_free(&s);
	cfg_clear(&c1);
	cfg_clear(&c2);
}

int
main(void)
{
	test_spread();
	test_spread_range();
	test_jitter();
	test_backoff_table();
	test_backoff_schedule();
	test_overrun();
	test_suspend();
	test_due_order();
	test_due_many();
	test_wait();
	test_reload();
	return tap_done();
}
