/* extract_charset.c - an html page in the charset it declares: a byte
 * order mark (UTF-8, UTF-16LE, UTF-16BE) or, in its first 2 KiB, a meta
 * charset ("<meta charset=iso-8859-1>", "content='text/html;
 * charset=windows-1252'"). A page in another charset is converted to
 * UTF-8 with iconv before anything reads it; a charset iconv does not
 * know, or bytes that are not valid in the declared one, fail the page
 * naming it. ISO-8859-1 and US-ASCII are read as windows-1252, as
 * browsers read them. */
#include "autoconf.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "extract/extract_impl.h"

#define CHARSET_SNIFF_BYTES 2048
#define CHARSET_NAME_MAX    40

/* At body + i, a meta tag that names a charset: the name's first byte. */
static const char *
charset_in_meta(const char *body, size_t i, size_t end)
{
	const char *tag = body + i, *close, *p;

	if (strncasecmp(tag, "<meta", 5) != 0)
		return NULL;
	close = memchr(tag, '>', end - i);
	for (p = tag; close != NULL && p + 8 < close; p++) {
		if (strncasecmp(p, "charset=", 8) != 0)
			continue;
		for (p += 8; p < close && (*p == '"' || *p == '\'' || *p == ' '); p++)
			;
		return p;
	}
	return NULL;
}

/* The charset a page declares, into name ("" for UTF-8 or none); *skip
 * the bytes of a byte order mark. */
static void
charset_declared(const char *body, size_t len, char *name, size_t namelen, size_t *skip)
{
	const unsigned char *b = (const unsigned char *)body;
	size_t i, n, end = len < CHARSET_SNIFF_BYTES ? len : CHARSET_SNIFF_BYTES;
	const char *p = NULL;

	name[0] = '\0';
	*skip = 0;
	if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
		*skip = 3;
		return;
	}
	if (len >= 2 && ((b[0] == 0xff && b[1] == 0xfe) || (b[0] == 0xfe && b[1] == 0xff))) {
		lr_strlcpy(name, b[0] == 0xff ? "UTF-16LE" : "UTF-16BE", namelen);
		*skip = 2;
		return;
	}
	for (i = 0; i + 5 < end && (p = charset_in_meta(body, i, end)) == NULL; i++)
		;
	for (n = 0;
	     p != NULL && p + n < body + end && n < namelen - 1 &&
	     (text_isalnum_lower(text_lower(p[n])) || (p[n] != '\0' && strchr("-_:.", p[n])));
	     n++)
		name[n] = (char)text_lower(p[n]);
	name[n] = '\0';
	if (strcmp(name, "utf-8") == 0 || strcmp(name, "utf8") == 0 ||
	    strncmp(name, "utf-16", 6) == 0) /* a declaration readable as ASCII is not UTF-16 */
		name[0] = '\0';
	else if (strcmp(name, "iso-8859-1") == 0 || strcmp(name, "latin1") == 0 ||
		 strcmp(name, "us-ascii") == 0 || strcmp(name, "ascii") == 0)
		lr_strlcpy(name, "windows-1252", namelen);
}

/* in (n bytes, charset from) as new UTF-8 text. */
static enum lr_code
charset_convert(const struct source *src, const char *from, const char *in, size_t n, char **out,
		size_t *outlen, struct lr_err *err)
{
	iconv_t cd = iconv_open("UTF-8", from);
	size_t cap = n * 3 + 16, left = cap, inleft = n;
	char *ip = (char *)in, *op;

	if (cd == (iconv_t)-1)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "the page declares charset '%s', which this system cannot read",
				  from);
	*out = op = malloc(cap + 1);
	if (*out == NULL) {
		iconv_close(cd);
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	}
	if (iconv(cd, &ip, &inleft, &op, &left) == (size_t)-1) {
		int e = errno;
		iconv_close(cd);
		free(*out);
		*out = NULL;
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "the page is not valid %s at byte %zu (%s)", from,
				  (size_t)(ip - in), e == EINVAL ? "cut short" : "a bad sequence");
	}
	iconv_close(cd);
	*outlen = cap - left;
	(*out)[*outlen] = '\0';
	return LR_OK;
}

enum lr_code
extract_html_utf8(const struct source *src, const char **body, size_t *len, char **owned,
		  struct lr_err *err)
{
	char name[CHARSET_NAME_MAX];
	size_t skip;
	enum lr_code rc;

	*owned = NULL;
	if (src->format != FORMAT_HTML) /* markdown renders to UTF-8 */
		return LR_OK;
	charset_declared(*body, *len, name, sizeof(name), &skip);
	if (name[0] == '\0') {
		*body += skip;
		*len -= skip;
		return LR_OK;
	}
	rc = charset_convert(src, name, *body + skip, *len - skip, owned, len, err);
	if (rc == LR_OK)
		*body = *owned;
	return rc;
}
