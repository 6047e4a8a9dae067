/* refresh_fetch.c - a source's fetch job and settings, and the walk over
 * the pages after its first: [paginate] page after page, [fanout] every
 * item at once, each page a job beside the refresh's other transfers. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/url.h"
#include "extract/extract.h"
#include "daemon/refresh.h"
#include "daemon/refresh_fetch.h"

void
refresh_fetch_opts(const struct config *cfg, struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_sec = cfg->fetch_timeout_sec;
	o->deadline_ms = cfg->fetch_deadline_sec * 1000;
	o->connect_timeout_sec = cfg->fetch_connect_timeout_sec;
	o->low_speed_sec = cfg->fetch_low_speed_sec;
	o->max_body_bytes = cfg->fetch_max_body_bytes;
	o->user_agent = cfg->fetch_user_agent;
	o->ca_file = cfg->fetch_ca_file;
	o->max_connections = cfg->fetch_max_connections;
	o->max_per_host = cfg->fetch_max_per_host;
	o->host_delay_ms = cfg->fetch_host_delay_ms;
	o->retries = (int)cfg->fetch_retries;
	o->backoff_base_ms = cfg->fetch_backoff_base_ms;
	o->backoff_max_ms = cfg->fetch_backoff_max_ms;
	o->retry_after_max_ms = cfg->fetch_retry_after_max_ms;
	o->credentials_dir = cfg->fetch_credentials_dir;
	o->allow_private_networks = cfg->fetch_allow_private_networks;
}

void
refresh_fetch_job(const struct source *src, struct fetch_job *job)
{
	memset(job, 0, sizeof(*job));
	job->source_id = src->id;
	/* a fanned-out source reads its list first */
	job->url =
	    src->fanout_list != NULL && src->fanout_list[0] != '\0' ? src->fanout_list : src->url;
	job->headers = src->headers;
	job->nheaders = src->nheaders;
	job->allow_private = src->allow_private_network;
}

int
refresh_paginated(const struct source *src)
{
	return (src->paginate_next != NULL && src->paginate_next[0] != '\0') ||
	       (src->fanout_list != NULL && src->fanout_list[0] != '\0');
}

static int
fanout(const struct source *src)
{
	return src->fanout_list != NULL && src->fanout_list[0] != '\0';
}

/* ---- URLs --------------------------------------------------------------- */

/* Does path hold a "." or ".." segment (at either end too)? */
static int
dot_segment(const char *path)
{
	const char *seg = path, *end;
	size_t n;

	for (;; seg = end + 1) {
		end = strchr(seg, '/');
		n = end != NULL ? (size_t)(end - seg) : strlen(seg);
		if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return 1;
		if (end == NULL)
			return 0;
	}
}

/* The URL of one [fanout] item: the source's url with {item} replaced by
 * the item, percent-encoded but for unreserved characters, '/' and ':'
 * (OpenRouter's "meta-llama/llama-3.1-8b-instruct:free"). An item that
 * holds a "." or ".." path segment is refused. Returns 0 or -1. */
static int
item_url(const char *tmpl, const char *item, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *at = strstr(tmpl, "{item}");
	size_t n = (size_t)(at - tmpl), i;

	if (dot_segment(item) || n >= len)
		return -1;
	memcpy(out, tmpl, n);
	for (i = 0; item[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)item[i];
		if (n + 4 >= len)
			return -1;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~/:", ch) != NULL) {
			out[n++] = (char)ch;
		} else {
			out[n++] = '%';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	return lr_strlcpy(out + n, at + 6, len - n) == 0 ? 0 : -1;
}

/* The next page's URL after the one at url (page of len bytes), in next
 * ("" when it is the last); a repeated URL or one page too many is an
 * error. */
static enum lr_code
page_next(const struct source *src, const char *url, const char *page, size_t len,
	  char seen[][1024], long pages, char *next, struct lr_err *err)
{
	char ref[1024], shown[LR_ERR_URL_MAX];
	enum lr_code rc = extract_next_url(src, page, len, ref, sizeof(ref), err);
	long i;

	next[0] = '\0';
	if (rc != LR_OK || ref[0] == '\0')
		return rc;
	if (pages >= src->paginate_max_pages)
		return lr_err_set(err, LR_ERR_FETCH, src->id, src->url,
				  "more than %ld pages ([paginate] max_pages)",
				  src->paginate_max_pages);
	if (fetch_url_resolve(url, ref, next, 1024) != 0)
		return lr_err_set(err, LR_ERR_FETCH, src->id, src->url,
				  "[paginate] next gave '%s', which is not a URL",
				  url_redact(ref, shown, sizeof(shown)));
	for (i = 0; i < pages; i++)
		if (strcmp(seen[i], next) == 0)
			return lr_err_set(err, LR_ERR_FETCH, src->id, src->url,
					  "page %ld's next page %s was read before: a loop", pages,
					  url_redact(next, shown, sizeof(shown)));
	return LR_OK;
}

/* ---- the walk ----------------------------------------------------------- */

struct page_walk {
	const struct config *cfg;
	const struct source *src;
	struct walk_queue *q;
	walk_done_fn done;
	void *arg;
	int refs;  /* jobs not yet released, plus one until done is called */
	int ended; /* done was called */
	size_t max;
	/* [paginate]: "[" and the pages so far; the URLs read */
	struct buf out;
	char (*seen)[1024];
	long pages;
	/* [fanout]: the items, each one's body, how many are still out */
	char **items;
	size_t n, left;
	struct buf *bodies;
};

/* The job first: fetch_run holds its address, which is then the block's
 * (a jq worker forked meanwhile sees it reachable, not "possibly lost"). */
struct walk_job {
	struct fetch_job job;
	int tag; /* WALK_TAG; job.user points here */
	struct page_walk *w;
	size_t index; /* the [fanout] item */
	char url[1024];
};

int
walk_job(const struct fetch_job *job)
{
	return job->user != NULL && *(const int *)job->user == WALK_TAG;
}

static void
walk_free_pages(struct page_walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		free(w->items[i]);
		if (w->bodies != NULL)
			buf_free(&w->bodies[i]);
	}
	free(w->items);
	free(w->bodies);
	free(w->seen);
	buf_free(&w->out);
	w->items = NULL;
	w->bodies = NULL;
	w->seen = NULL;
	w->n = 0;
}

static void
walk_unref(struct page_walk *w)
{
	if (--w->refs == 0)
		free(w);
}

/* The walk is over: say so once, drop the pages. */
static void
walk_end(struct page_walk *w, enum lr_code rc, struct buf *body, const struct lr_err *err)
{
	if (w->ended)
		return;
	w->ended = 1;
	w->done(w->arg, rc, body, err);
	walk_free_pages(w);
	walk_unref(w);
}

static void
walk_fail(struct page_walk *w, enum lr_code code, const char *reason)
{
	struct lr_err err = { 0 };

	lr_err_set(&err, code, w->src->id, w->src->url, "%s", reason);
	walk_end(w, err.code, NULL, &err);
}

/* Queue the job of one page (url) or item (index). 0 or -1. */
static int
walk_queue_put(struct page_walk *w, const char *url, size_t index)
{
	struct walk_queue *q = w->q;
	struct walk_job *j;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct fetch_job **v = realloc(q->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		q->v = v;
		q->cap = cap;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->tag = WALK_TAG;
	j->w = w;
	j->index = index;
	lr_strlcpy(j->url, url, sizeof(j->url));
	refresh_fetch_job(w->src, &j->job);
	j->job.url = j->url;
	j->job.user = &j->tag;
	q->v[q->n++] = &j->job;
	w->refs++;
	return 0;
}

struct fetch_job *
walk_queue_pop(struct walk_queue *q)
{
	struct fetch_job *job;

	if (q->n == 0)
		return NULL;
	job = q->v[0];
	memmove(q->v, q->v + 1, --q->n * sizeof(*q->v));
	return job;
}

void
walk_queue_fail(struct walk_queue *q)
{
	struct fetch_job *job;

	while ((job = walk_queue_pop(q)) != NULL) {
		job->rc = lr_err_set(&job->err, LR_ERR_STOPPED, job->source_id, job->url,
				     "stopped before the page arrived: llmref is stopping");
		walk_job_done(job);
		walk_job_release(job);
	}
	free(q->v);
	memset(q, 0, sizeof(*q));
}

void
walk_job_release(struct fetch_job *job)
{
	struct walk_job *j = (struct walk_job *)job; /* its first member */
	struct page_walk *w = j->w;

	free(j);
	walk_unref(w);
}

/* [paginate]: the page after seen[pages - 1], or the end of the walk. */
static void
walk_next(struct page_walk *w, const char *page, size_t len)
{
	struct lr_err err = { 0 };

	if (page_next(w->src, w->seen[w->pages - 1], page, len, w->seen, w->pages,
		      w->seen[w->pages], &err) != LR_OK) {
		walk_end(w, err.code, NULL, &err);
	} else if (w->seen[w->pages][0] != '\0') {
		if (walk_queue_put(w, w->seen[w->pages++], 0) != 0)
			walk_fail(w, LR_ERR_NOMEM, "out of memory");
	} else if (buf_append(&w->out, "]", 1) != 0) {
		walk_fail(w, LR_ERR_FETCH, "the pages exceed max_body_size in all");
	} else {
		walk_end(w, LR_OK, &w->out, NULL);
	}
}

/* [fanout]: every item in, joined in the list's order. */
static void
walk_join(struct page_walk *w)
{
	size_t i;
	int bad;

	buf_init(&w->out, w->max + w->n + 2);
	bad = buf_append(&w->out, "[", 1) != 0;
	for (i = 0; !bad && i < w->n; i++)
		bad = (i > 0 && buf_append(&w->out, ",", 1) != 0) ||
		      buf_append(&w->out, w->bodies[i].data ? w->bodies[i].data : "",
				 w->bodies[i].len) != 0 ||
		      w->out.len > w->max;
	if (!bad)
		bad = buf_append(&w->out, "]", 1) != 0;
	if (bad)
		walk_fail(w, LR_ERR_FETCH, "the [fanout] items exceed max_body_size in all");
	else
		walk_end(w, LR_OK, &w->out, NULL);
}

void
walk_job_done(struct fetch_job *job)
{
	struct walk_job *j = (struct walk_job *)job; /* its first member */
	struct page_walk *w = j->w;
	const char *body = job->res.body.data ? job->res.body.data : "";
	const char *what = fanout(w->src) ? "a [fanout] item" : "a page after the first";
	struct lr_err err = job->err;

	if (w->ended) /* an earlier page failed */
		return;
	if (job->rc != LR_OK) {
		walk_end(w, job->rc, NULL, &err);
	} else if (job->res.status != 200) {
		lr_err_set(&err, LR_ERR_FETCH, job->source_id, job->url, "HTTP %ld for %s",
			   job->res.status, what);
		walk_end(w, err.code, NULL, &err);
	} else if (fanout(w->src)) {
		if (buf_append(&w->bodies[j->index], body, job->res.body.len) != 0)
			walk_fail(w, LR_ERR_FETCH, "the pages exceed max_body_size in all");
		else if (--w->left == 0)
			walk_join(w);
	} else if (w->out.len + job->res.body.len + 2 > w->max ||
		   buf_append(&w->out, ",", 1) != 0 ||
		   buf_append(&w->out, body, job->res.body.len) != 0) {
		walk_fail(w, LR_ERR_FETCH, "the pages exceed max_body_size in all");
	} else {
		walk_next(w, body, job->res.body.len);
	}
}

/* [fanout]: the items of the list (body, len), each item's job queued. */
static void
walk_items(struct page_walk *w, const char *body, size_t len)
{
	struct lr_err err = { 0 };
	char url[1024];
	size_t i;

	if (extract_items(w->src, body, len, &w->items, &w->n, &err) != LR_OK) {
		walk_end(w, err.code, NULL, &err);
		return;
	}
	if ((w->bodies = calloc(w->n + 1, sizeof(*w->bodies))) == NULL) {
		walk_fail(w, LR_ERR_NOMEM, "out of memory");
		return;
	}
	for (i = 0; i < w->n; i++) {
		buf_init(&w->bodies[i], w->max);
		if (item_url(w->src->url, w->items[i], url, sizeof(url)) != 0) {
			lr_err_set(&err, LR_ERR_FETCH, w->src->id, w->src->url,
				   "[fanout] item %zu ('%.80s') makes no URL", i + 1, w->items[i]);
			walk_end(w, err.code, NULL, &err);
			return;
		}
	}
	for (i = 0; i < w->n; i++)
		if (item_url(w->src->url, w->items[i], url, sizeof(url)) != 0 ||
		    walk_queue_put(w, url, i) != 0) {
			walk_fail(w, LR_ERR_NOMEM, "out of memory");
			return;
		}
	w->left = w->n;
	if (w->n == 0)
		walk_join(w);
}

/* [paginate]: the first page kept, the next one asked for. */
static void
walk_pages(struct page_walk *w, const char *url, const char *body, size_t len)
{
	w->seen = calloc((size_t)w->src->paginate_max_pages + 1, sizeof(*w->seen));
	buf_init(&w->out, w->max + 2 * EXTRACT_MAX_PAGES + 2);
	if (w->seen == NULL || buf_append(&w->out, "[", 1) != 0 ||
	    buf_append(&w->out, body, len) != 0) {
		walk_fail(w, LR_ERR_NOMEM, "out of memory");
		return;
	}
	lr_strlcpy(w->seen[0], url, sizeof(w->seen[0]));
	w->pages = 1;
	walk_next(w, body, len);
}

void
walk_start(const struct config *cfg, const struct source *src, const char *url, const char *body,
	   size_t len, struct walk_queue *q, walk_done_fn done, void *arg)
{
	struct page_walk *w = calloc(1, sizeof(*w));
	struct lr_err err = { 0 };

	if (w == NULL) {
		lr_err_set(&err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
		done(arg, err.code, NULL, &err);
		return;
	}
	w->cfg = cfg;
	w->src = src;
	w->q = q;
	w->done = done;
	w->arg = arg;
	w->refs = 1;
	w->max = cfg->fetch_max_body_bytes;
	if (fanout(src))
		walk_items(w, body, len);
	else
		walk_pages(w, url, body, len);
}

/* ---- a walk on its own (sources test) ----------------------------------- */

struct walk_sync {
	struct walk_queue q;
	enum lr_code rc;
	struct buf *out;
	struct lr_err *err;
};

static void
sync_done(void *arg, enum lr_code rc, struct buf *body, const struct lr_err *err)
{
	struct walk_sync *s = arg;

	s->rc = rc;
	if (rc == LR_OK) {
		*s->out = *body; /* taken */
		memset(body, 0, sizeof(*body));
	} else {
		*s->err = *err;
	}
}

static struct fetch_job *
sync_more(void *ctx, long *wait_ms)
{
	(void)wait_ms;
	return walk_queue_pop(&((struct walk_sync *)ctx)->q);
}

static void
sync_fetched(struct fetch_job *job, void *ctx)
{
	(void)ctx;
	walk_job_done(job);
}

static void
sync_release(struct fetch_job *job, void *ctx)
{
	(void)ctx;
	walk_job_release(job);
}

enum lr_code
refresh_fetch_pages(const struct config *cfg, const struct source *src, const char *url,
		    const char *body, size_t len, struct buf *out, struct lr_err *err)
{
	struct walk_sync s = { { 0 }, LR_ERR_INTERNAL, out, err };
	struct fetch_opts fo;

	memset(out, 0, sizeof(*out));
	s.rc = lr_err_set(err, LR_ERR_INTERNAL, src->id, src->url, "the pages never came");
	walk_start(cfg, src, url, body, len, &s.q, sync_done, &s);
	refresh_fetch_opts(cfg, &fo);
	fo.more = sync_more;
	fo.release = sync_release;
	if (s.q.n > 0 && fetch_run(&fo, NULL, 0, sync_fetched, &s) != LR_OK)
		s.rc = lr_err_set(err, LR_ERR_FETCH, src->id, src->url,
				  "the pages could not be fetched");
	walk_queue_fail(&s.q);
	return s.rc;
}
