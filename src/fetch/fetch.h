/* fetch.h - fetching pages with libcurl's multi interface under hard
 * limits: http and https only (an https source follows https redirects
 * only), no connection to private addresses unless the source allows
 * them, request headers whose secrets live only while the transfer
 * runs, capped decompressed body, timeouts, low-speed abort, TLS
 * verification always on; many
 * transfers at once within a global and a per-host limit, a minimum delay
 * between requests to one host, bounded retries with backoff and jitter,
 * and Retry-After honoured per host. */
#ifndef LLMREF_FETCH_H
#define LLMREF_FETCH_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "fetch/fetch_net.h"
#include "fetch/fetch_secret.h"
#include "vocab/vocab.h"

#define FETCH_MAX_REDIRECTS         5
#define FETCH_HEADER_MAX_BYTES      (64 * 1024)
#define FETCH_VALIDATOR_MAX         256
#define FETCH_CONN_MAX_LIFETIME_SEC 300
#define FETCH_HOST_MAX              256
#define FETCH_RECV_BUFFER_BYTES     (128L * 1024)

/* Settings shared by every transfer of one fetch_run. */
struct fetch_opts {
	long timeout_sec; /* one attempt */
	long deadline_ms; /* a job's whole fetch, retries included; 0 = none */
	long connect_timeout_sec;
	long low_speed_sec;
	size_t max_body_bytes;
	const char *user_agent;
	const char *ca_file;         /* NULL or "" = system default */
	long max_connections;        /* in flight at once, all hosts */
	long max_per_host;           /* in flight at once to one host */
	long host_delay_ms;          /* between two request starts to one host */
	int retries;                 /* extra attempts after a transient failure */
	long backoff_base_ms;        /* first retry delay; doubles, plus jitter */
	long backoff_max_ms;         /* cap on one retry delay */
	long retry_after_max_ms;     /* cap on a server's Retry-After */
	const char *credentials_dir; /* for ${credential:NAME} when systemd gave none */
	int allow_private_networks;  /* test rigs: any job may reach any address */
	/* Optional (NULL: none): interrupt(ctx) is called after every wake-up (at least once a
	 * second); when it returns nonzero no transfer starts any more, the
	 * ones in flight are dropped, their jobs end with LR_ERR_STOPPED and
	 * fetch_run returns LR_ERR_STOPPED. wake_fd (or -1), used only with
	 * interrupt, is polled with the transfers to wake the loop at once. */
	int wake_fd;
	int (*interrupt)(void *ctx);
	void *interrupt_ctx;
	/* Optional (NULL: none): more(ctx, wait_ms) is asked after every
	 * wake-up while jobs run, with fetch_run's ctx, for another job to
	 * fetch with them, so that work which falls due need not wait for a
	 * slow transfer. NULL: none now; it may then lower *wait_ms (at most
	 * 1000) to when it should be asked again. Such a job is the caller's:
	 * fetch_run hands it back through release(job, ctx) after its done(). */
	struct fetch_job *(*more)(void *ctx, long *wait_ms);
	void (*release)(struct fetch_job *job, void *ctx);
};

struct fetch_result {
	long status;          /* final HTTP status */
	struct buf body;      /* decompressed body, capped */
	struct buf headers;   /* raw response headers of the final response */
	char final_url[1024]; /* after redirects */
	char etag[FETCH_VALIDATOR_MAX];
	char last_modified[FETCH_VALIDATOR_MAX];
	char content_type[128];
	char retry_after[64];
	long long retry_after_ms; /* a Retry-After past the deadline, given up on */
	double total_sec;
};

/* One page to fetch. The caller fills the "in" fields; fetch_run fills
 * the rest before calling the done callback. */
struct fetch_job {
	const char *source_id;     /* in: for messages */
	const char *url;           /* in */
	const char *if_none_match; /* in: NULL or "" = unconditional */
	const char *if_modified_since;
	const struct source_header *headers; /* in: the source's [headers], or NULL */
	size_t nheaders;
	const char *allow_private; /* in: the source's allow_private_network, or NULL */
	void *user;                /* in: the caller's */
	enum lr_code rc;           /* out: LR_OK for a 200 or a 304 */
	struct lr_err err;         /* out, when rc != LR_OK */
	struct fetch_result res;   /* out: freed by fetch_run after done() */
	int attempts;              /* out */
	/* private to fetch.c */
	int state;
	int added; /* given by more(): released when done */
	long long due_ms;
	long long deadline_at; /* from the first attempt's start; 0 = none */
	int host;
	void *easy;
	void *hdrs;
	int body_over_cap, alloc_failed;
	size_t header_bytes;
	char errbuf[256];
	struct fetch_net_allow allow;
	struct fetch_secrets secrets;
	long resp_status;                      /* of the response being read */
	char location[LR_ERR_URL_MAX];         /* its Location, redacted */
	int location_https_to_http;            /* a redirect would downgrade */
	int location_foreign;                  /* credentials would leave the origin */
	char refused_addr[FETCH_NET_ADDR_MAX]; /* an address the policy refused */
	const char *refused_why;
};

/* Called once per job as soon as it is finished (after any retries). */
typedef void (*fetch_done_fn)(struct fetch_job *job, void *ctx);

/* ref (absolute, or relative such as "?page=2") resolved against base
 * into out (len bytes). Returns 0, or -1 if either is not a URL or the
 * result does not fit. */
int fetch_url_resolve(const char *base, const char *ref, char *out, size_t len);

/* Process-wide libcurl setup; call once before any thread starts. */
int fetch_global_init(void) __attribute__((warn_unused_result));
void fetch_global_cleanup(void);

/* Fetch every job, and those o->more adds, concurrently within the
 * limits of o, calling done for each as it finishes (n may be 0 when
 * o->more gives the jobs: it is asked once before anything runs, and the
 * run ends when no job is left). Returns LR_OK, LR_ERR_STOPPED when o->interrupt
 * asked to stop, or LR_ERR_NOMEM/LR_ERR_INTERNAL if the transfer
 * machinery itself failed (jobs not yet done then get rc = that code and
 * done is still called for each). */
enum lr_code fetch_run(const struct fetch_opts *o, struct fetch_job *jobs, size_t n,
		       fetch_done_fn done, void *ctx) __attribute__((warn_unused_result));

/* Milliseconds a Retry-After value asks for ("120" or an HTTP date), or
 * -1 if it cannot be read. now_sec is the wall clock, for dates. */
long long fetch_retry_after_ms(const char *value, long long now_sec);

#endif
