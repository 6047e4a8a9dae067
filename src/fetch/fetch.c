/* fetch.c - libcurl transfers: one easy handle per attempt with every
 * limit set by hand (Debian 12's curl 7.88 has weaker defaults than
 * current curl), driven by the scheduler in fetch_run below. */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "core/url.h"
#include "fetch/fetch.h"

enum { JOB_WAITING, JOB_RUNNING, JOB_DONE };

struct fetch_host {
	char name[FETCH_HOST_MAX]; /* scheme://host:port */
	long long next_ms;         /* no new request before this */
	long running;
};

struct fetch_sched {
	const struct fetch_opts *o;
	CURLM *multi;
	struct fetch_job **v; /* the caller's jobs, then those o->more gave */
	size_t n, cap, ndone;
	struct fetch_host *hosts;
	size_t nhosts, hosts_cap;
	long running;
	unsigned rnd;
	fetch_done_fn done;
	void *ctx;
};

int
fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

/* ---- callbacks ------------------------------------------------------ */

static size_t
fetch_write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct fetch_job *job = userp;
	size_t n = size * nmemb;
	int rc = buf_append(&job->res.body, data, n);

	if (rc == -1)
		job->body_over_cap = 1;
	else if (rc != 0)
		job->alloc_failed = 1;
	return rc == 0 ? n : 0; /* a short count makes curl abort */
}

/* Copy a header value (trimmed) into dst if the line is "name: value". */
static void
header_take(const char *line, size_t n, const char *name, char *dst, size_t dstlen)
{
	size_t nl = strlen(name);

	if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	line += nl + 1;
	n -= nl + 1;
	while (n > 0 && (*line == ' ' || *line == '\t'))
		line++, n--;
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		n--;
	if (n >= dstlen)
		n = 0; /* an oversized value is ignored, not truncated */
	memcpy(dst, line, n);
	dst[n] = '\0';
}

/* scheme://host:port of url, lower-cased, into out; -1 if unreadable. */
static int
url_origin(CURLU *u, char *out, size_t len)
{
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    (size_t)snprintf(out, len, "%s://%s:%s", scheme, host, port) < len) {
		for (rc = 0; *out != '\0'; out++)
			*out = (char)tolower((unsigned char)*out);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	return rc;
}

/* A redirect's Location (line of n bytes): note where it leads, and
 * whether following it would downgrade https to http or carry the
 * source's credentials to another origin. Returns 0 to refuse it. */
static int
redirect_check(struct fetch_job *job, const char *line, size_t n)
{
	char loc[FETCH_HEADER_LINE_MAX], from[FETCH_HOST_MAX], to[FETCH_HOST_MAX], *cur = NULL;
	CURLU *u = curl_url();
	int ok = 0;

	loc[0] = '\0';
	header_take(line, n, "Location", loc, sizeof(loc));
	if (loc[0] == '\0' || u == NULL)
		return curl_url_cleanup(u), u != NULL;
	url_redact(loc, job->location, sizeof(job->location));
	if (curl_easy_getinfo(job->easy, CURLINFO_EFFECTIVE_URL, &cur) != CURLE_OK || cur == NULL ||
	    curl_url_set(u, CURLUPART_URL, cur, 0) != CURLUE_OK ||
	    url_origin(u, from, sizeof(from)) != 0 ||
	    curl_url_set(u, CURLUPART_URL, loc, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    url_origin(u, to, sizeof(to)) != 0) {
		ok = 1; /* curl decides: it refuses what it cannot read */
	} else if (strncmp(job->url, "https:", 6) == 0 && strncmp(to, "https:", 6) != 0) {
		job->location_https_to_http = strncmp(to, "http:", 5) == 0;
		ok = !job->location_https_to_http; /* other schemes: curl refuses */
	} else if (job->secrets.n > 0 && strcmp(from, to) != 0) {
		job->location_foreign = 1;
	} else {
		ok = 1;
	}
	curl_url_cleanup(u);
	return ok;
}

/* Keep a response header line, with any secret of the job masked. */
static int
header_keep(struct fetch_job *job, const char *data, size_t n)
{
	char *copy;
	int rc;

	if (!fetch_secrets_found(&job->secrets, data, n))
		return buf_append(&job->res.headers, data, n);
	if ((copy = malloc(n)) == NULL)
		return -2;
	memcpy(copy, data, n);
	fetch_secrets_mask(&job->secrets, copy, n);
	rc = buf_append(&job->res.headers, copy, n);
	free(copy);
	return rc;
}

static size_t
fetch_header_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct fetch_job *job = userp;
	struct fetch_result *res = &job->res;
	size_t n = size * nmemb;
	long st = job->resp_status;

	job->header_bytes += n;
	if (job->header_bytes > FETCH_HEADER_MAX_BYTES)
		return 0;
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new response (after a redirect): forget earlier headers */
		res->etag[0] = res->last_modified[0] = res->content_type[0] = '\0';
		res->retry_after[0] = '\0';
		buf_reset(&res->headers);
		job->resp_status =
		    memchr(data, ' ', n) ? strtol(memchr(data, ' ', n), NULL, 10) : 0;
	}
	if (header_keep(job, data, n) != 0)
		return 0;
	if ((st == 301 || st == 302 || st == 303 || st == 307 || st == 308) &&
	    !redirect_check(job, data, n))
		return 0;
	header_take(data, n, "ETag", res->etag, sizeof(res->etag));
	header_take(data, n, "Last-Modified", res->last_modified, sizeof(res->last_modified));
	header_take(data, n, "Content-Type", res->content_type, sizeof(res->content_type));
	header_take(data, n, "Retry-After", res->retry_after, sizeof(res->retry_after));
	return n;
}

long long
fetch_retry_after_ms(const char *v, long long now_sec)
{
	char *end;
	long long s;
	time_t t;

	if (v == NULL || v[0] == '\0')
		return -1;
	if (isdigit((unsigned char)v[0])) {
		s = strtoll(v, &end, 10);
		if (*end != '\0' || s < 0 || s > 100000000)
			return -1;
		return s * 1000;
	}
	t = curl_getdate(v, NULL);
	if (t == (time_t)-1)
		return -1;
	return t <= now_sec ? 0 : ((long long)t - now_sec) * 1000;
}

/* Every connection of a job, first or redirected, goes through here:
 * the address actually connected (not the name) must be public, or one
 * the source allows. */
static curl_socket_t
fetch_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch_job *job = clientp;
	char addr[FETCH_NET_ADDR_MAX];
	const char *why;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	why = fetch_net_refused(&a->addr, &job->allow, addr, sizeof(addr));
	if (why != NULL) {
		job->refused_why = why;
		lr_strlcpy(job->refused_addr, addr, sizeof(job->refused_addr));
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* ---- one attempt ---------------------------------------------------- */

/* This attempt's time: [fetch] timeout, but never past the job's deadline. */
static long
fetch_attempt_ms(const struct fetch_opts *o, const struct fetch_job *job)
{
	long long ms = (long long)o->timeout_sec * 1000, left;

	if (job->deadline_at > 0) {
		left = job->deadline_at - clock_mono_ms();
		if (left < ms)
			ms = left > 1 ? left : 1;
	}
	return (long)ms;
}

static int
fetch_setopts(CURL *h, const struct fetch_opts *o, struct fetch_job *job)
{
	int bad = 0;

	bad |= curl_easy_setopt(h, CURLOPT_URL, job->url) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
	/* an https source never follows a redirect to plain http */
	bad |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
				strncmp(job->url, "https:", 6) == 0 ? "https" : "http,https") !=
	       CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, fetch_open_socket) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, job) != CURLE_OK;
	/* a connection allowed for this source only never serves another */
	if ((job->allow.all || job->allow.n > 0) && !o->allow_private_networks)
		bad |= curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRECTS) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, fetch_attempt_ms(o, job)) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_sec) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o->low_speed_sec) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_MAXLIFETIME_CONN, (long)FETCH_CONN_MAX_LIFETIME_SEC) !=
	       CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
	/* fewer, larger reads (as the curl tool does); measured in bench/ */
	bad |= curl_easy_setopt(h, CURLOPT_BUFFERSIZE, FETCH_RECV_BUFFER_BYTES) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, o->user_agent) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fetch_write_cb) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, job) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, fetch_header_cb) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HEADERDATA, job) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, job->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PRIVATE, job) != CURLE_OK;
	if (o->ca_file != NULL && o->ca_file[0] != '\0')
		bad |= curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file) != CURLE_OK;
	if (o->max_body_bytes <= (size_t)0x7fffffff)
		bad |=
		    curl_easy_setopt(h, CURLOPT_MAXFILESIZE, (long)o->max_body_bytes) != CURLE_OK;
	return bad ? -1 : 0;
}

/* Free a header list, its lines (which may hold secrets) zeroed first. */
static void
headers_wipe(struct curl_slist *hdrs)
{
	struct curl_slist *t;

	for (t = hdrs; t != NULL; t = t->next)
		explicit_bzero(t->data, strlen(t->data));
	curl_slist_free_all(hdrs);
}

/* The source's own headers, secrets filled in, onto *hdrs. Returns 0, or
 * -1 with job->rc and job->err set (a credential missing or unsafe: no
 * request is sent). */
static int
fetch_add_source_headers(const struct fetch_opts *o, struct fetch_job *job,
			 struct curl_slist **hdrs)
{
	struct curl_slist *t;
	char why[LR_ERR_REASON_MAX], *line;
	size_t i;

	for (i = 0; i < job->nheaders; i++) {
		line = fetch_header_line(job->headers[i].name, job->headers[i].value,
					 o->credentials_dir ? o->credentials_dir : "",
					 &job->secrets, why, sizeof(why));
		if (line == NULL) {
			job->rc = lr_err_set(&job->err, LR_ERR_FETCH, job->source_id, job->url,
					     "header %s: %s", job->headers[i].name, why);
			return -1;
		}
		t = curl_slist_append(*hdrs, line);
		fetch_secret_free(line);
		if (t == NULL)
			return -1;
		*hdrs = t;
	}
	return 0;
}

/* Conditional request headers and the source's own; a job retried after
 * a failure keeps the validators (the server never answered). */
static int
fetch_set_headers(CURL *h, const struct fetch_opts *o, struct fetch_job *job)
{
	char line[FETCH_VALIDATOR_MAX + 32];
	struct curl_slist *hdrs = NULL, *t;

	if (job->if_none_match != NULL && job->if_none_match[0] != '\0') {
		snprintf(line, sizeof(line), "If-None-Match: %s", job->if_none_match);
		if ((t = curl_slist_append(hdrs, line)) == NULL)
			goto fail;
		hdrs = t;
	}
	if (job->if_modified_since != NULL && job->if_modified_since[0] != '\0') {
		snprintf(line, sizeof(line), "If-Modified-Since: %s", job->if_modified_since);
		if ((t = curl_slist_append(hdrs, line)) == NULL)
			goto fail;
		hdrs = t;
	}
	if (fetch_add_source_headers(o, job, &hdrs) != 0)
		goto fail;
	job->hdrs = hdrs;
	if (hdrs != NULL && curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK)
		return -1;
	return 0;
fail:
	headers_wipe(hdrs);
	return -1;
}

static void
job_reset_result(struct fetch_job *job, const struct fetch_opts *o)
{
	buf_free(&job->res.body);
	buf_free(&job->res.headers);
	memset(&job->res, 0, sizeof(job->res));
	buf_init(&job->res.body, o->max_body_bytes);
	buf_init(&job->res.headers, FETCH_HEADER_MAX_BYTES);
	job->body_over_cap = job->alloc_failed = 0;
	job->header_bytes = 0;
	job->errbuf[0] = '\0';
	job->resp_status = 0;
	job->location[0] = job->refused_addr[0] = '\0';
	job->location_https_to_http = job->location_foreign = 0;
	job->refused_why = NULL;
	fetch_secrets_clear(&job->secrets);
	job->rc = LR_OK;
	if (fetch_net_parse_allow(job->allow_private, &job->allow, NULL, 0) != 0)
		memset(&job->allow, 0, sizeof(job->allow)); /* config checked it */
	job->allow.all |= o->allow_private_networks;
}

/* Start one attempt of job; returns 0, or -1 (job then failed). */
static int
job_start(struct fetch_sched *s, struct fetch_job *job)
{
	CURL *h = curl_easy_init();

	job_reset_result(job, s->o);
	if (job->attempts++ == 0 && s->o->deadline_ms > 0)
		job->deadline_at = clock_mono_ms() + s->o->deadline_ms;
	if (h == NULL || fetch_setopts(h, s->o, job) != 0 || fetch_set_headers(h, s->o, job) != 0 ||
	    curl_multi_add_handle(s->multi, h) != CURLM_OK) {
		headers_wipe(job->hdrs);
		job->hdrs = NULL;
		fetch_secrets_clear(&job->secrets);
		curl_easy_cleanup(h);
		return -1;
	}
	job->easy = h;
	job->state = JOB_RUNNING;
	s->running++;
	s->hosts[job->host].running++;
	s->hosts[job->host].next_ms = clock_mono_ms() + s->o->host_delay_ms;
	return 0;
}

/* Release the easy handle of a finished attempt. */
static void
job_stop(struct fetch_sched *s, struct fetch_job *job)
{
	curl_multi_remove_handle(s->multi, job->easy);
	curl_easy_cleanup(job->easy);
	headers_wipe(job->hdrs);
	fetch_secrets_clear(&job->secrets);
	job->easy = NULL;
	job->hdrs = NULL;
	s->running--;
	s->hosts[job->host].running--;
}

/* ---- outcome of an attempt ----------------------------------------- */

static int
curl_code_transient(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR: return 1;
	default: return 0;
	}
}

/* A failure of the network policy or the credentials, if this attempt
 * had one: sets job->rc and job->err and returns 1 (never transient). */
static int
job_classify_policy(struct fetch_job *job, CURLcode cc, long st)
{
	const char *id = job->source_id, *url = job->url, *to = job->location;
	char via[LR_ERR_URL_MAX + 32] = "";

	if (to[0] != '\0')
		snprintf(via, sizeof(via), " (redirected to %s)", to);
	if (cc != CURLE_OK && job->location_https_to_http)
		job->rc = lr_err_set(&job->err, LR_ERR_FETCH, id, url,
				     "redirect from https to http refused (to %s)", to);
	else if (cc != CURLE_OK && job->location_foreign)
		job->rc =
		    lr_err_set(&job->err, LR_ERR_FETCH, id, url,
			       "redirect to another origin refused: header %s carries credential "
			       "%s (to %s)",
			       job->secrets.header, job->secrets.names, to);
	else if (cc != CURLE_OK && job->refused_why != NULL)
		job->rc = lr_err_set(&job->err, LR_ERR_FETCH, id, url,
				     "connection to %s refused: a %s address%s; a source may allow "
				     "it with [source] allow_private_network",
				     job->refused_addr, job->refused_why, via);
	else if (cc == CURLE_OK && (st == 401 || st == 403) && job->secrets.n > 0)
		job->rc = lr_err_set(&job->err, LR_ERR_FETCH, id, url,
				     "the provider wants credentials (HTTP %ld): credential %s "
				     "(header %s) was refused",
				     st, job->secrets.names, job->secrets.header);
	else if (cc == CURLE_OK && (st == 401 || st == 403))
		job->rc = lr_err_set(&job->err, LR_ERR_FETCH, id, url,
				     "the provider wants credentials (HTTP %ld); give them in "
				     "[headers]",
				     st);
	return job->rc != LR_OK;
}

/* Set job->rc and job->err for a finished attempt; returns 1 if the
 * failure is transient (worth another attempt). */
static int
job_classify(struct fetch_job *job, CURLcode cc, const struct fetch_opts *o)
{
	const char *id = job->source_id, *url = job->url;
	const char *msg = job->errbuf[0] ? job->errbuf : curl_easy_strerror(cc);
	long st;

	curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &st);
	job->res.status = st;
	job->rc = LR_OK;
	if (job_classify_policy(job, cc, st))
		return 0;
	if (job->body_over_cap || cc == CURLE_FILESIZE_EXCEEDED)
		job->rc =
		    lr_err_set(&job->err, LR_ERR_FETCH, id, url,
			       "body exceeds %zu bytes after decompression", o->max_body_bytes);
	else if (job->alloc_failed)
		job->rc =
		    lr_err_set(&job->err, LR_ERR_NOMEM, id, url, "out of memory for the body");
	else if (job->header_bytes > FETCH_HEADER_MAX_BYTES)
		job->rc = lr_err_set(&job->err, LR_ERR_FETCH, id, url,
				     "response headers exceed %d bytes", FETCH_HEADER_MAX_BYTES);
	else if (cc == CURLE_OUT_OF_MEMORY && job->res.body.len == 0)
		/* curl 7.88 refuses one header line over its limit as "Out of
		 * memory", before any of it reaches the header callback */
		job->rc = lr_err_set(&job->err, LR_ERR_FETCH, id, url,
				     "a response header line is longer than %d KiB (curl's limit)",
				     CURL_MAX_HTTP_HEADER / 1024);
	else if (cc == CURLE_UNSUPPORTED_PROTOCOL)
		job->rc =
		    lr_err_set(&job->err, LR_ERR_FETCH, id, url,
			       "redirect to a scheme other than http/https refused (%s)", msg);
	else if (cc == CURLE_TOO_MANY_REDIRECTS)
		job->rc = lr_err_set(&job->err, LR_ERR_FETCH, id, url, "more than %d redirects",
				     FETCH_MAX_REDIRECTS);
	else if (cc != CURLE_OK)
		job->rc = lr_err_set(&job->err, LR_ERR_FETCH, id, url, "%s%s",
				     cc == CURLE_OPERATION_TIMEDOUT ? "timed out: " : "", msg);
	else if (st != 200 && st != 304)
		job->rc = lr_err_set(&job->err, LR_ERR_FETCH, id, url, "HTTP %ld", st);
	if (job->rc == LR_OK || job->body_over_cap || job->alloc_failed)
		return 0;
	return cc != CURLE_OK ? curl_code_transient(cc) : (st == 429 || st >= 500);
}

static long long
backoff_ms(struct fetch_sched *s, int attempt)
{
	long long d = s->o->backoff_base_ms;
	int i;

	for (i = 1; i < attempt && d < s->o->backoff_max_ms; i++)
		d *= 2;
	if (d > s->o->backoff_max_ms)
		d = s->o->backoff_max_ms;
	s->rnd = s->rnd * 1103515245u + 12345u;
	return d + (d > 1 ? (long long)((s->rnd >> 8) % (unsigned)(d / 2 + 1)) : 0);
}

/* Plan the next attempt of a transiently failed job; Retry-After from
 * the server holds back every request to that host, not just this one. */
/* Plan the next attempt of a transient failure: 0; or -1 when it would
 * start past the job's deadline (a Retry-After beyond it is given up on at
 * once, its time kept for the scheduler), with the reason added. */
static int
job_retry(struct fetch_sched *s, struct fetch_job *job, long long now)
{
	struct fetch_host *h = &s->hosts[job->host];
	long long wait = backoff_ms(s, job->attempts);
	long long ra = fetch_retry_after_ms(job->res.retry_after, (long long)time(NULL));
	size_t n = strlen(job->err.reason);

	if (job->deadline_at > 0 && ra >= 0 && now + ra > job->deadline_at) {
		job->res.retry_after_ms = ra;
		snprintf(job->err.reason + n, sizeof(job->err.reason) - n,
			 "; the provider asks to retry in %lld s (Retry-After), past the fetch "
			 "deadline ([fetch] deadline %ld s): given up now",
			 (ra + 999) / 1000, s->o->deadline_ms / 1000);
		return -1;
	}
	if (ra >= 0) {
		if (ra > s->o->retry_after_max_ms)
			ra = s->o->retry_after_max_ms;
		if (h->next_ms < now + ra)
			h->next_ms = now + ra;
		if (wait < ra)
			wait = ra;
	}
	if (job->deadline_at > 0 && now + wait >= job->deadline_at) {
		snprintf(job->err.reason + n, sizeof(job->err.reason) - n,
			 "; no time for another attempt within the fetch deadline ([fetch] "
			 "deadline %ld s)",
			 s->o->deadline_ms / 1000);
		return -1;
	}
	job->due_ms = now + wait;
	job->state = JOB_WAITING;
	return 0;
}

static void
job_finish(struct fetch_sched *s, struct fetch_job *job)
{
	if (job->rc != LR_OK && job->attempts > 1) {
		size_t n = strlen(job->err.reason);
		snprintf(job->err.reason + n, sizeof(job->err.reason) - n, " (after %d attempts)",
			 job->attempts);
	}
	job->state = JOB_DONE;
	s->ndone++;
	s->done(job, s->ctx);
	buf_free(&job->res.body);
	buf_free(&job->res.headers);
}

static void
sched_collect(struct fetch_sched *s)
{
	struct fetch_job *job;
	CURLMsg *msg;
	char *eff;
	int left, transient;

	while ((msg = curl_multi_info_read(s->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&job);
		transient = job_classify(job, msg->data.result, s->o);
		curl_easy_getinfo(job->easy, CURLINFO_TOTAL_TIME, &job->res.total_sec);
		if (curl_easy_getinfo(job->easy, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
			lr_strlcpy(job->res.final_url, eff, sizeof(job->res.final_url));
		job_stop(s, job);
		if (!transient || job->attempts > s->o->retries ||
		    job_retry(s, job, clock_mono_ms()) != 0)
			job_finish(s, job);
	}
}

/* ---- the scheduler --------------------------------------------------- */

/* Index of url's host in s->hosts, adding it; -1 if it cannot be read. */
static int
sched_host(struct fetch_sched *s, const char *url)
{
	char *scheme = NULL, *host = NULL, *port = NULL, name[FETCH_HOST_MAX];
	CURLU *u = curl_url();
	size_t i;
	int idx = -1;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		goto out;
	snprintf(name, sizeof(name), "%s://%s:%s", scheme, host, port);
	for (i = 0; i < s->nhosts && strcmp(s->hosts[i].name, name) != 0; i++)
		;
	if (i == s->nhosts)
		lr_strlcpy(s->hosts[s->nhosts++].name, name, sizeof(name));
	idx = (int)i;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return idx;
}

/* Start every waiting job that is due and allowed; returns the time of
 * the next one that is waiting (or -1 if none waits). */
static long long
sched_start_due(struct fetch_sched *s, long long now)
{
	long long next = -1, at;
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct fetch_job *job = s->v[i];
		struct fetch_host *h;

		if (job->state != JOB_WAITING)
			continue;
		h = &s->hosts[job->host];
		at = job->due_ms > h->next_ms ? job->due_ms : h->next_ms;
		if (at <= now && h->running < s->o->max_per_host &&
		    s->running < s->o->max_connections) {
			if (job_start(s, job) != 0) {
				if (job->rc == LR_OK) /* else a credential's error */
					job->rc =
					    lr_err_set(&job->err, LR_ERR_NOMEM, job->source_id,
						       job->url, "cannot start the transfer");
				job_finish(s, job);
			}
			continue;
		}
		if (at < now)
			at = now + 100; /* a free slot comes with a completion */
		if (next < 0 || at < next)
			next = at;
	}
	return next;
}

/* Room for one more job and its host in s. 0 or -1. */
static int
sched_grow(struct fetch_sched *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct fetch_job **v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	if (s->nhosts == s->hosts_cap) {
		size_t cap = s->hosts_cap ? s->hosts_cap * 2 : 8;
		struct fetch_host *h = realloc(s->hosts, cap * sizeof(*h));
		if (h == NULL)
			return -1;
		memset(h + s->nhosts, 0, (cap - s->nhosts) * sizeof(*h));
		s->hosts = h;
		s->hosts_cap = cap;
	}
	return 0;
}

static void
job_init(struct fetch_job *job, int added)
{
	memset(&job->res, 0, sizeof(job->res));
	job->state = JOB_WAITING;
	job->added = added;
	job->attempts = 0;
	job->due_ms = 0;
	job->host = 0;
	job->easy = job->hdrs = NULL;
	memset(&job->secrets, 0, sizeof(job->secrets));
}

/* Take job into s (sched_grow made room). */
static void
sched_take(struct fetch_sched *s, struct fetch_job *job, int added)
{
	job_init(job, added);
	s->v[s->n++] = job;
}

/* Find job's host; a URL that cannot be read finishes the job at once. */
static void
sched_place(struct fetch_sched *s, struct fetch_job *job)
{
	job->host = sched_host(s, job->url);
	if (job->host < 0) {
		job->host = 0;
		job->rc = lr_err_set(&job->err, LR_ERR_FETCH, job->source_id, job->url,
				     "URL cannot be parsed");
		job_finish(s, job);
	}
}

/* Every job of the caller fails with rc, as sched_abort does, when
 * there is not even room to list them. */
static void
fail_unlisted(struct fetch_job *jobs, size_t n, enum lr_code rc, fetch_done_fn done, void *ctx)
{
	size_t i;

	for (i = 0; i < n; i++) {
		job_init(&jobs[i], 0);
		jobs[i].rc = lr_err_set(&jobs[i].err, rc, jobs[i].source_id, jobs[i].url,
					"transfer machinery failed");
		jobs[i].state = JOB_DONE;
		done(&jobs[i], ctx);
	}
}

static enum lr_code
sched_init(struct fetch_sched *s, const struct fetch_opts *o, struct fetch_job *jobs, size_t n)
{
	size_t i;

	s->o = o;
	s->rnd = (unsigned)getpid() ^ (unsigned)clock_mono_ms();
	s->cap = s->hosts_cap = n ? n : 1;
	if ((s->v = malloc(s->cap * sizeof(*s->v))) == NULL)
		return LR_ERR_NOMEM;
	for (i = 0; i < n; i++)
		sched_take(s, &jobs[i], 0);
	s->hosts = calloc(s->hosts_cap, sizeof(*s->hosts));
	s->multi = curl_multi_init();
	if (s->hosts == NULL || s->multi == NULL)
		return LR_ERR_NOMEM;
	curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, o->max_connections);
	curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, o->max_per_host);
	for (i = 0; i < n; i++)
		sched_place(s, &jobs[i]);
	return LR_OK;
}

/* The jobs o->more gives while others run. One that finds no room is
 * done at once with an out-of-memory error. Returns how long until
 * o->more wants to be asked again (at most 1000 ms). */
static long
sched_more(struct fetch_sched *s)
{
	struct fetch_job *job;
	long wait = 1000;

	while (s->o->more != NULL && (job = s->o->more(s->ctx, &wait)) != NULL) {
		if (sched_grow(s) == 0) {
			sched_take(s, job, 1);
			sched_place(s, job);
			continue;
		}
		job_init(job, 1);
		job->rc =
		    lr_err_set(&job->err, LR_ERR_NOMEM, job->source_id, job->url, "out of memory");
		job->state = JOB_DONE;
		s->done(job, s->ctx);
		s->o->release(job, s->ctx);
	}
	return wait < 0 ? 0 : wait;
}

/* Hand the added jobs that are done back to the caller, in order. */
static void
sched_reap(struct fetch_sched *s)
{
	size_t i, k = 0;

	for (i = 0; i < s->n; i++) {
		struct fetch_job *job = s->v[i];
		if (job->added && job->state == JOB_DONE) {
			s->ndone--;
			s->o->release(job, s->ctx);
		} else {
			s->v[k++] = job;
		}
	}
	s->n = k;
}

/* Fail every unfinished job with rc (the machinery broke, or a stop). */
static void
sched_abort(struct fetch_sched *s, enum lr_code rc)
{
	const char *why = rc == LR_ERR_STOPPED
			      ? "stopped before the page arrived: llmref is stopping"
			      : "transfer machinery failed";
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct fetch_job *job = s->v[i];
		if (job->state == JOB_RUNNING)
			job_stop(s, job);
		if (job->state != JOB_DONE) {
			job->rc = lr_err_set(&job->err, rc, job->source_id, job->url, "%s", why);
			job_finish(s, job);
		}
	}
}

/* Sleep until a transfer, o->wake_fd or the next due start needs us. */
static enum lr_code
sched_wait(struct fetch_sched *s, const struct fetch_opts *o, long long next)
{
	struct curl_waitfd wfd = { o->wake_fd, CURL_WAIT_POLLIN, 0 };
	int use_fd = o->interrupt != NULL && o->wake_fd >= 0;
	int ms = (int)(next < 0 ? 0 : next > 1000 ? 1000 : next);

	if (curl_multi_poll(s->multi, use_fd ? &wfd : NULL, use_fd ? 1 : 0, ms, NULL) != CURLM_OK)
		return LR_ERR_INTERNAL;
	if (o->interrupt != NULL && o->interrupt(o->interrupt_ctx))
		return LR_ERR_STOPPED;
	return LR_OK;
}

enum lr_code
fetch_run(const struct fetch_opts *o, struct fetch_job *jobs, size_t n, fetch_done_fn done,
	  void *ctx)
{
	struct fetch_sched s = { .done = done, .ctx = ctx };
	enum lr_code rc = sched_init(&s, o, jobs, n);
	long long now, next;
	long more_wait;
	int still;

	if (rc == LR_OK && n > 0 && o->interrupt != NULL && o->interrupt(o->interrupt_ctx))
		rc = LR_ERR_STOPPED;
	if (rc == LR_OK)
		(void)sched_more(&s); /* no jobs given: a run of what more gives */
	while (rc == LR_OK && s.ndone < s.n) {
		if (curl_multi_perform(s.multi, &still) != CURLM_OK) {
			rc = LR_ERR_INTERNAL;
			break;
		}
		sched_collect(&s);
		sched_reap(&s);
		more_wait = sched_more(&s);
		if (s.ndone == s.n)
			break;
		/* Start what is due now, after collecting: a finished transfer
		 * frees its slot at once, not after the next wait. */
		now = clock_mono_ms();
		next = sched_start_due(&s, now);
		next = next < 0 ? 1000 : next - now;
		rc = sched_wait(&s, o, next < more_wait ? next : more_wait);
	}
	if (rc != LR_OK && s.v == NULL)
		fail_unlisted(jobs, n, rc, done, ctx);
	else if (rc != LR_OK)
		sched_abort(&s, rc);
	if (s.v != NULL)
		sched_reap(&s);
	curl_multi_cleanup(s.multi);
	free(s.hosts);
	free(s.v);
	return rc;
}

int
fetch_url_resolve(const char *base, const char *ref, char *out, size_t len)
{
	CURLU *u = curl_url();
	char *s = NULL;
	int rc = -1;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK && strlen(s) < len) {
		memcpy(out, s, strlen(s) + 1);
		rc = 0;
	}
	curl_free(s);
	curl_url_cleanup(u);
	return rc;
}
