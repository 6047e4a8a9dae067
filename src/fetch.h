/* fetch.h - fetching one page with libcurl under hard limits: http and
 * https only (also for redirects), capped decompressed body, timeouts,
 * low-speed abort, TLS verification always on. */
#ifndef LLMREF_FETCH_H
#define LLMREF_FETCH_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define FETCH_MAX_REDIRECTS         5
#define FETCH_HEADER_MAX_BYTES      (64 * 1024)
#define FETCH_VALIDATOR_MAX         256
#define FETCH_CONN_MAX_LIFETIME_SEC 300

struct fetch_opts {
	long timeout_sec;
	long connect_timeout_sec;
	long low_speed_sec;
	size_t max_body_bytes;
	const char *user_agent;
	const char *ca_file;       /* NULL or "" = system default */
	const char *if_none_match; /* NULL = unconditional */
	const char *if_modified_since;
};

struct fetch_result {
	long status;          /* final HTTP status */
	struct buf body;      /* decompressed body, capped */
	char final_url[1024]; /* after redirects */
	char etag[FETCH_VALIDATOR_MAX];
	char last_modified[FETCH_VALIDATOR_MAX];
	char content_type[128];
	double total_sec;
};

/* Process-wide libcurl setup; call once before any thread starts. */
int fetch_global_init(void) __attribute__((warn_unused_result));
void fetch_global_cleanup(void);

/* GET url. On LR_OK, res holds a 200 or 304 response (free with
 * fetch_result_free). Any other status, a limit hit or a network error
 * returns LR_ERR_FETCH with a reason such as "HTTP 503",
 * "body exceeds 16777216 bytes after decompression" or
 * "redirect to a scheme other than http/https refused". */
enum lr_code fetch_url(const struct fetch_opts *opts, const char *source_id, const char *url,
		       struct fetch_result *res, struct lr_err *err)
    __attribute__((warn_unused_result));
void fetch_result_free(struct fetch_result *res);

#endif
