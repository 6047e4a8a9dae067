/* url.h - URLs as llmref shows them: userinfo and secret-looking query
 * parameters redacted. The real URL is used only for the request; every
 * URL printed, logged, stored in the catalog, exported or put in an
 * error goes through url_redact. */
#ifndef LLMREF_URL_H
#define LLMREF_URL_H

#include <stddef.h>

#define URL_REDACTED "REDACTED"

/* Copy url into out (outlen bytes, always NUL-terminated, truncated if
 * need be) with "user:pass@" replaced by "REDACTED@" and the value of
 * every query (or fragment) parameter whose name looks secret (key,
 * token, secret, auth, password, signature, credential, sig, ...)
 * replaced by "REDACTED". Returns out. */
const char *url_redact(const char *url, char *out, size_t outlen);

/* Whether a query parameter name looks secret (case-insensitive, after
 * percent-decoding): exposed for the fetch stage's header checks. */
int url_param_secret(const char *name, size_t len);

#endif
