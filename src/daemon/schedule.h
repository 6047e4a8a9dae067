/* schedule.h - the daemon's scheduler: when each source runs next, with
 * jitter, backoff after failures and clamping after a suspend. Pure: the
 * caller passes the time (ms of CLOCK_MONOTONIC); no clock reads, no I/O. */
#ifndef LLMREF_SCHEDULE_H
#define LLMREF_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* Rules (t = the time a run finished, I = the source's interval):
 *
 * - interval: I = interval_sec * 1000, kept within [SCHED_INTERVAL_MIN_MS,
 *   SCHED_INTERVAL_MAX_MS] (so 0 means "every second", not "busy loop").
 * - first run: now + a uniform draw from [0, min(I, SCHED_SPREAD_MAX_MS)).
 * - success: next = t + I + j, j uniform over the integers of [-I/10, +I/10]
 *   (I/10 rounded down; jitter is SCHED_JITTER_PCT per cent of I). failures
 *   goes back to 0: the normal interval resumes at once.
 * - failure number f (1 = first in a row): next = t + schedule_backoff_ms(I, f)
 *   = t + min(base * 2^(f-1), cap), base = min(I, SCHED_BACKOFF_BASE_MS),
 *   cap = max(SCHED_BACKOFF_CAP_MS, SCHED_BACKOFF_CAP_FACTOR * I). No jitter.
 * - clamp: a due time is never planned before now; one that has fallen
 *   behind (suspend) makes the source due once, not once per missed interval,
 *   and schedule_wait_ms() never returns a negative wait.
 * - reload (schedule_update): ids still configured keep failures, running,
 *   due and the last run's times. A changed interval re-plans an idle source
 *   from its last finish with the rule above (success or backoff), clamped
 *   to now; a source that has not finished a run yet keeps its first due
 *   time; a running one is planned with the new interval when it is done.
 *   New ids are spread as in schedule_init; others are dropped, and a later
 *   schedule_done() for them returns -1.
 * - the PRNG is splitmix64, seeded by the caller: same seed, same plan. */
#define SCHED_INTERVAL_MIN_MS    1000L
#define SCHED_INTERVAL_MAX_MS    (366LL * 86400 * 1000) /* also at most LONG_MAX */
#define SCHED_SPREAD_MAX_MS      60000L
#define SCHED_JITTER_PCT         10
#define SCHED_BACKOFF_BASE_MS    60000L
#define SCHED_BACKOFF_CAP_MS     (6LL * 3600 * 1000)
#define SCHED_BACKOFF_CAP_FACTOR 4

struct sched_entry {
	char id[SOURCE_ID_MAX];
	long interval_ms;
	int failures; /* consecutive */
	int running;
	int64_t due_ms;     /* monotonic */
	int64_t started_ms; /* of the running or last run */
	int64_t finished_ms;
	unsigned long runs; /* finished runs; 0: finished_ms means nothing yet */
};

struct schedule {
	struct sched_entry *v; /* malloc'd, owned */
	size_t n;
	uint64_t rng; /* PRNG state */
};

/* A schedule for every source of cfg, first runs spread over
 * [now, now + min(interval, 60 s)). 0 or -1 (out of memory; s is then empty). */
int schedule_init(struct schedule *s, const struct config *cfg, uint64_t seed, int64_t now_ms)
    __attribute__((warn_unused_result));
/* After a reload: keep the state of sources still in cfg (by id), add new
 * ones (spread as in init), drop the others. 0 or -1; on -1 s is unchanged. */
int schedule_update(struct schedule *s, const struct config *cfg, int64_t now_ms)
    __attribute__((warn_unused_result));
/* NULL-safe; leaves s empty. */
void schedule_free(struct schedule *s);

/* Up to max indexes (into s->v) of entries due at now and not running, most
 * overdue first (ties in s->v order). Returns how many. */
size_t schedule_due(const struct schedule *s, int64_t now_ms, size_t *idx, size_t max);
/* Mark entry i running from now (i out of range: nothing). */
void schedule_start(struct schedule *s, size_t i, int64_t now_ms);
/* Entry id finished at now_ms, ok or not: plan its next due time. Returns 0,
 * 1 if the run took longer than its interval (caller warns), -1 if id is no
 * longer scheduled (nothing changes). */
int schedule_done(struct schedule *s, const char *id, int ok, int64_t now_ms);
/* Entry id is not due before not_before_ms (a provider's Retry-After
 * that outlived the fetch): its next due time moves no earlier. 0, or -1
 * for an unknown id. */
int schedule_not_before(struct schedule *s, const char *id, int64_t not_before_ms);
/* Milliseconds until the next entry is due (0 if one is due now, -1 if none
 * is waiting: empty, or all running). Never below -1. */
int64_t schedule_wait_ms(const struct schedule *s, int64_t now_ms);
/* The entry for id, or NULL. */
struct sched_entry *schedule_find(struct schedule *s, const char *id);

/* The wait after the failures-th failure in a row (rule above); failures
 * < 1 gives the plain interval. interval_ms is clamped as in the schedule. */
int64_t schedule_backoff_ms(long interval_ms, int failures);
/* interval_sec as the schedule uses it, in ms (clamped, see above). */
long schedule_interval_ms(long interval_sec);

#endif
