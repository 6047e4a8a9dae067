/* url.c - redaction of the secrets a URL may carry (userinfo, API keys
 * and signatures in the query), for everything llmref shows. */
#include "autoconf.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/url.h"

/* Parameter names that are secret whatever else they say. */
static const char *const url_secret_names[] = { "sig", "pwd", "session", "code", "auth" };
/* Any name containing one of these is secret too. */
static const char *const url_secret_parts[] = { "key",  "token",     "secret",    "passw",
						"auth", "signature", "credential" };

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
url_param_secret(const char *name, size_t len)
{
	char low[64];
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < sizeof(low); i++) {
		int c = (unsigned char)name[i];
		if (c == '%' && i + 2 < len && hexval(name[i + 1]) >= 0 &&
		    hexval(name[i + 2]) >= 0) {
			c = hexval(name[i + 1]) * 16 + hexval(name[i + 2]);
			i += 2;
		}
		low[n++] = (char)tolower(c);
	}
	low[n] = '\0';
	for (i = 0; i < sizeof(url_secret_names) / sizeof(url_secret_names[0]); i++)
		if (strcmp(low, url_secret_names[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(url_secret_parts) / sizeof(url_secret_parts[0]); i++)
		if (strstr(low, url_secret_parts[i]) != NULL)
			return 1;
	return 0;
}

struct url_out {
	char *p;
	size_t len, n;
};

static void
out_put(struct url_out *o, const char *s, size_t n)
{
	size_t room = o->len - 1 - o->n;

	if (n > room)
		n = room;
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

/* Copy "name=value&name=value" parameters from s (n bytes), values of
 * secret names redacted. */
static void
out_params(struct url_out *o, const char *s, size_t n)
{
	const char *end = s + n;

	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(s, '=', (size_t)(stop - s));

		if (eq != NULL && eq + 1 < stop && url_param_secret(s, (size_t)(eq - s))) {
			out_put(o, s, (size_t)(eq - s) + 1);
			out_put(o, URL_REDACTED, strlen(URL_REDACTED));
		} else {
			out_put(o, s, (size_t)(stop - s));
		}
		if (amp == NULL)
			break;
		out_put(o, "&", 1);
		s = amp + 1;
	}
}

const char *
url_redact(const char *url, char *out, size_t outlen)
{
	struct url_out o = { out, outlen, 0 };
	const char *auth, *rest, *at = NULL, *q, *p;
	size_t alen;

	if (outlen == 0)
		return out;
	out[0] = '\0';
	if (url == NULL)
		return out;
	auth = strstr(url, "://");
	auth = auth != NULL ? auth + 3 : url;
	alen = strcspn(auth, "/?#");
	for (p = auth; p < auth + alen; p++) /* the last '@' ends userinfo */
		if (*p == '@')
			at = p;
	out_put(&o, url, (size_t)(auth - url));
	if (at != NULL) {
		out_put(&o, URL_REDACTED "@", strlen(URL_REDACTED) + 1);
		out_put(&o, at + 1, (size_t)(auth + alen - at - 1));
	} else {
		out_put(&o, auth, alen);
	}
	rest = auth + alen;
	q = rest + strcspn(rest, "?#");
	out_put(&o, rest, (size_t)(q - rest)); /* the path */
	while (*q == '?' || *q == '#') {
		const char *next = q + 1 + strcspn(q + 1, *q == '?' ? "#" : "");
		out_put(&o, q, 1);
		out_params(&o, q + 1, (size_t)(next - q - 1));
		q = next;
	}
	return out;
}
