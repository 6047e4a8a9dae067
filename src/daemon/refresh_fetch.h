/* refresh_fetch.h - how refresh fetches a source: its job and the fetch
 * settings (declared in refresh.h), and the pages after the first of a
 * [paginate] or [fanout] source, fetched as a walk: jobs that run beside every other
 * transfer of the refresh (given to fetch_run through its more hook),
 * so that a slow page holds only its own source. Once every page is in,
 * they are joined as one JSON array of pages: the body that is archived
 * and read. Private to the daemon folder (refresh.c). */
#ifndef LLMREF_REFRESH_FETCH_H
#define LLMREF_REFRESH_FETCH_H

#include "config/config.h"
#include "core/buf.h"
#include "core/err.h"
#include "fetch/fetch.h"

/* A walk's job carries, as its user, a pointer to the int WALK_TAG; the
 * other jobs of a refresh point at a struct that begins with another int. */
#define WALK_TAG 0x77616c6b

/* Jobs waiting to be given to fetch_run. */
struct walk_queue {
	struct fetch_job **v;
	size_t n, cap;
};

/* Called once per walk: rc LR_OK and body (the joined pages, len bytes;
 * the callee may take body->data, leaving it NULL) or the first failure. */
typedef void (*walk_done_fn)(void *arg, enum lr_code rc, struct buf *body,
			     const struct lr_err *err);

/* Begin the walk of src from its first page (url; body of len bytes),
 * queueing the jobs of the next page or of every item on q. done(arg, ...)
 * is called once, maybe before walk_start returns (one page; a list
 * without items; a failure). */
void walk_start(const struct config *cfg, const struct source *src, const char *url,
		const char *body, size_t len, struct walk_queue *q, walk_done_fn done, void *arg);
/* Is job one of a walk's? */
int walk_job(const struct fetch_job *job);
/* fetch_run's done and release for such a job. */
void walk_job_done(struct fetch_job *job);
void walk_job_release(struct fetch_job *job);
/* The next queued job, or NULL. */
struct fetch_job *walk_queue_pop(struct walk_queue *q);
/* Jobs still queued when the transfers are over: each ends its walk as
 * stopped and is released; q is emptied and freed. */
void walk_queue_fail(struct walk_queue *q);

#endif
