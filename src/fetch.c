/* fetch.c - one GET with libcurl's easy interface and every limit set by
 * hand (Debian 12's curl 7.88 has weaker defaults than current curl). */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "fetch.h"

struct fetch_ctx {
	struct fetch_result *res;
	int body_over_cap;
	int alloc_failed;
	size_t header_bytes;
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

static size_t
fetch_write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct fetch_ctx *ctx = userp;
	size_t n = size * nmemb;
	int rc;

	rc = buf_append(&ctx->res->body, data, n);
	if (rc == -1)
		ctx->body_over_cap = 1;
	else if (rc != 0)
		ctx->alloc_failed = 1;
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
		n = 0; /* an oversized validator is ignored, not truncated */
	memcpy(dst, line, n);
	dst[n] = '\0';
}

static size_t
fetch_header_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct fetch_ctx *ctx = userp;
	struct fetch_result *res = ctx->res;
	size_t n = size * nmemb;

	ctx->header_bytes += n;
	if (ctx->header_bytes > FETCH_HEADER_MAX_BYTES)
		return 0;
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new response (after a redirect): forget earlier headers */
		res->etag[0] = res->last_modified[0] = res->content_type[0] = '\0';
		return n;
	}
	header_take(data, n, "ETag", res->etag, sizeof(res->etag));
	header_take(data, n, "Last-Modified", res->last_modified, sizeof(res->last_modified));
	header_take(data, n, "Content-Type", res->content_type, sizeof(res->content_type));
	return n;
}

static int
fetch_setup(CURL *h, const struct fetch_opts *o, const char *url, struct fetch_ctx *ctx,
	    struct curl_slist **hdrs, char *errbuf)
{
	char line[FETCH_VALIDATOR_MAX + 32];
	int bad = 0;

	bad |= curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRECTS) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT, o->timeout_sec) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_sec) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o->low_speed_sec) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_MAXLIFETIME_CONN, (long)FETCH_CONN_MAX_LIFETIME_SEC) !=
	       CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_USERAGENT, o->user_agent) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fetch_write_cb) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, ctx) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, fetch_header_cb) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_HEADERDATA, ctx) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
	if (o->ca_file != NULL && o->ca_file[0] != '\0')
		bad |= curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file) != CURLE_OK;
	if (o->max_body_bytes <= (size_t)0x7fffffff)
		bad |=
		    curl_easy_setopt(h, CURLOPT_MAXFILESIZE, (long)o->max_body_bytes) != CURLE_OK;
	if (o->if_none_match != NULL && o->if_none_match[0] != '\0') {
		snprintf(line, sizeof(line), "If-None-Match: %s", o->if_none_match);
		*hdrs = curl_slist_append(*hdrs, line);
	}
	if (o->if_modified_since != NULL && o->if_modified_since[0] != '\0') {
		snprintf(line, sizeof(line), "If-Modified-Since: %s", o->if_modified_since);
		*hdrs = curl_slist_append(*hdrs, line);
	}
	if (*hdrs != NULL)
		bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs) != CURLE_OK;
	return bad ? -1 : 0;
}

static enum lr_code
fetch_fail_curl(CURLcode cc, const struct fetch_ctx *ctx, const struct fetch_opts *o,
		const char *errbuf, const char *source_id, const char *url, struct lr_err *err)
{
	const char *msg = errbuf[0] ? errbuf : curl_easy_strerror(cc);

	if (ctx->body_over_cap || cc == CURLE_FILESIZE_EXCEEDED)
		return lr_err_set(err, LR_ERR_FETCH, source_id, url,
				  "body exceeds %zu bytes after decompression", o->max_body_bytes);
	if (ctx->alloc_failed)
		return lr_err_set(err, LR_ERR_NOMEM, source_id, url, "out of memory for the body");
	if (ctx->header_bytes > FETCH_HEADER_MAX_BYTES)
		return lr_err_set(err, LR_ERR_FETCH, source_id, url,
				  "response headers exceed %d bytes", FETCH_HEADER_MAX_BYTES);
	if (cc == CURLE_UNSUPPORTED_PROTOCOL)
		return lr_err_set(err, LR_ERR_FETCH, source_id, url,
				  "redirect to a scheme other than http/https refused (%s)", msg);
	if (cc == CURLE_TOO_MANY_REDIRECTS)
		return lr_err_set(err, LR_ERR_FETCH, source_id, url, "more than %d redirects",
				  FETCH_MAX_REDIRECTS);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return lr_err_set(err, LR_ERR_FETCH, source_id, url, "timed out: %s", msg);
	return lr_err_set(err, LR_ERR_FETCH, source_id, url, "%s", msg);
}

enum lr_code
fetch_url(const struct fetch_opts *o, const char *source_id, const char *url,
	  struct fetch_result *res, struct lr_err *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	struct fetch_ctx ctx = { .res = res };
	enum lr_code rc = LR_OK;
	char *eff = NULL;
	CURLcode cc;
	CURL *h;

	memset(res, 0, sizeof(*res));
	buf_init(&res->body, o->max_body_bytes);
	h = curl_easy_init();
	if (h == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, source_id, url, "curl_easy_init failed");
	if (fetch_setup(h, o, url, &ctx, &hdrs, errbuf) != 0) {
		rc = lr_err_set(err, LR_ERR_INTERNAL, source_id, url, "libcurl refused an option");
		goto out;
	}
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &res->total_sec);
	if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
		lr_strlcpy(res->final_url, eff, sizeof(res->final_url));
	if (cc != CURLE_OK) {
		rc = fetch_fail_curl(cc, &ctx, o, errbuf, source_id, url, err);
		goto out;
	}
	if (res->status != 200 && res->status != 304)
		rc = lr_err_set(err, LR_ERR_FETCH, source_id, url, "HTTP %ld", res->status);
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (rc != LR_OK)
		fetch_result_free(res);
	return rc;
}

void
fetch_result_free(struct fetch_result *res)
{
	if (res != NULL)
		buf_free(&res->body);
}
