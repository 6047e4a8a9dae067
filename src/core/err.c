/* err.c - error records and small string helpers shared by all modules. */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/url.h"

enum lr_code
lr_err_set(struct lr_err *err, enum lr_code code, const char *source, const char *url,
	   const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	lr_strlcpy(err->source, source ? source : "", sizeof(err->source));
	url_redact(url ? url : "", err->url, sizeof(err->url)); /* never a secret */
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return code;
}

enum lr_code
lr_err_set_errno(struct lr_err *err, enum lr_code code, const char *source, const char *url,
		 const char *fmt, ...)
{
	int saved = errno;
	size_t n;
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	lr_strlcpy(err->source, source ? source : "", sizeof(err->source));
	lr_strlcpy(err->url, url ? url : "", sizeof(err->url));
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	n = strlen(err->reason);
	snprintf(err->reason + n, sizeof(err->reason) - n, ": %s", strerror(saved));
	errno = saved;
	return code;
}

void
lr_err_clear(struct lr_err *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

const char *
lr_code_name(enum lr_code code)
{
	static const char *const names[] = {
		[LR_OK] = "ok",
		[LR_ERR_USAGE] = "usage",
		[LR_ERR_CONFIG] = "config",
		[LR_ERR_FETCH] = "fetch",
		[LR_ERR_EXTRACT] = "extract",
		[LR_ERR_NORMALIZE] = "normalize",
		[LR_ERR_DB] = "database",
		[LR_ERR_BUSY] = "busy",
		[LR_ERR_NOMEM] = "out of memory",
		[LR_ERR_INTERNAL] = "internal",
		[LR_ERR_STOPPED] = "stopped",
		[LR_ERR_SPOOL] = "spool",
	};

	if ((size_t)code >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[code];
}

const char *
lr_err_text(const struct lr_err *err, char *buf, size_t len)
{
	int n = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (err->source[0] != '\0')
		n = snprintf(buf, len, "source %s: ", err->source);
	if (n >= 0 && (size_t)n < len && err->url[0] != '\0')
		n += snprintf(buf + n, len - (size_t)n, "%s: ", err->url);
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%s", err->reason);
	return buf;
}

void
lr_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

int
lr_strlcpy(char *dst, const char *src, size_t dstlen)
{
	size_t n;

	if (dstlen == 0)
		return -1;
	n = strlen(src);
	if (n >= dstlen) {
		memcpy(dst, src, dstlen - 1);
		dst[dstlen - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}
