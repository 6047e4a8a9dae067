/* extract_json.c - JSON APIs: jansson with duplicate keys rejected, the
 * document then read by the source's jq program (extract_jq.c). Numbers
 * keep their exact text: a pre-pass rewrites every number token into a
 * marked string before jansson parses it. */
#include "autoconf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "extract/extract_impl.h"

/* A number token N is rewritten to the string "\u0000#N". Documents whose
 * own strings contain \u0000 are refused, so a decoded string that starts
 * with NUL '#' is always one of ours. */
#define JNUM_MARK            "\"\\u0000#"
#define JNUM_MARK_LEN        (sizeof(JNUM_MARK) - 1)
#define JNUM_MARK_GROW_BYTES (JNUM_MARK_LEN + 1) /* and the closing quote */
/* jansson counts positions in an int. */
#define JNUM_MARKED_MAX_BYTES ((size_t)INT_MAX)
/* How much of a bad number an error message quotes. */
#define JNUM_QUOTE_MAX 20

enum jnum_tok {
	JNUM_TOK_END,        /* no more numbers */
	JNUM_TOK_NUMBER,     /* a valid number at [start, pos) */
	JNUM_TOK_BAD_NUMBER, /* an invalid number at [start, pos) */
	JNUM_TOK_NUL,        /* a string with \u0000, escape at start */
};

/* Tokenizer state over the original document text. */
struct jnum_scan {
	const char *s;
	size_t len;
	size_t pos;   /* next byte to look at */
	size_t start; /* first byte of the token found */
};

static int
jnum_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
jnum_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Bytes that may continue a number-like token; letters and signs are
 * included so that "1e", "0x1F" or "1-2" are one (invalid) token. */
static int
jnum_is_number_byte(int c)
{
	return jnum_is_digit(c) || jnum_is_alpha(c) || c == '.' || c == '+' || c == '-';
}

static size_t
jnum_skip_digits(const char *s, size_t n, size_t i)
{
	while (i < n && jnum_is_digit((unsigned char)s[i]))
		i++;
	return i;
}

/* RFC 8259: [ "-" ] ( "0" / digit1-9 *DIGIT ) [ "." 1*DIGIT ]
 * [ ( "e" / "E" ) [ "-" / "+" ] 1*DIGIT ] */
static int
jnum_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		i = jnum_skip_digits(s, n, i);
	else
		return 0;
	if (i < n && s[i] == '.') {
		if (i + 1 >= n || !jnum_is_digit((unsigned char)s[i + 1]))
			return 0;
		i = jnum_skip_digits(s, n, i + 1);
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !jnum_is_digit((unsigned char)s[i]))
			return 0;
		i = jnum_skip_digits(s, n, i);
	}
	return i == n;
}

/* Words some encoders write for non-finite doubles. */
static int
jnum_is_nonfinite(const char *s, size_t n)
{
	return (n == 3 && strncasecmp(s, "nan", 3) == 0) ||
	       (n == 3 && strncasecmp(s, "inf", 3) == 0) ||
	       (n == 8 && strncasecmp(s, "infinity", 8) == 0);
}

/* sc->pos is at an opening quote: move past the closing one (or to the
 * end; jansson reports unterminated strings). Returns -1 with sc->start
 * at the escape if the string contains \u0000. */
static int
jnum_skip_string(struct jnum_scan *sc)
{
	const char *s = sc->s;
	size_t i = sc->pos + 1;

	while (i < sc->len && s[i] != '"') {
		if (s[i] == '\\') {
			if (sc->len - i >= 6 && memcmp(s + i + 1, "u0000", 5) == 0) {
				sc->start = i;
				return -1;
			}
			i++; /* the escaped byte cannot end the string */
		}
		i++;
	}
	sc->pos = i < sc->len ? i + 1 : sc->len;
	return 0;
}

/* Find the next number token outside strings. Everything else (structure,
 * white space, literals, garbage) is left for jansson to judge. */
static enum jnum_tok
jnum_scan_next(struct jnum_scan *sc)
{
	int c;

	while (sc->pos < sc->len) {
		c = (unsigned char)sc->s[sc->pos];
		sc->start = sc->pos;
		if (c == '"') {
			if (jnum_skip_string(sc) != 0)
				return JNUM_TOK_NUL;
		} else if (jnum_is_alpha(c)) {
			while (sc->pos < sc->len && jnum_is_alpha((unsigned char)sc->s[sc->pos]))
				sc->pos++;
			if (jnum_is_nonfinite(sc->s + sc->start, sc->pos - sc->start))
				return JNUM_TOK_BAD_NUMBER;
		} else if (jnum_is_digit(c) || c == '-' || c == '+' || c == '.') {
			while (sc->pos < sc->len &&
			       jnum_is_number_byte((unsigned char)sc->s[sc->pos]))
				sc->pos++;
			if (!jnum_valid(sc->s + sc->start, sc->pos - sc->start))
				return JNUM_TOK_BAD_NUMBER;
			return JNUM_TOK_NUMBER;
		} else {
			sc->pos++;
		}
	}
	return JNUM_TOK_END;
}

/* Line and column (jansson's way: lines from 1, columns count UTF-8
 * characters) after the first off bytes of s. */
static void
jnum_line_col(const char *s, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 0;
	for (i = 0; i < off; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 0;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static enum lr_code
jnum_scan_error(const struct source *src, const struct jnum_scan *sc, enum jnum_tok tok,
		struct lr_err *err)
{
	size_t line, col, n = sc->pos - sc->start;

	jnum_line_col(sc->s, sc->start + 1, &line, &col);
	if (tok == JNUM_TOK_NUL)
		return lr_err_set(
		    err, LR_ERR_EXTRACT, src->id, src->url,
		    "string contains a NUL character (\\u0000) at line %zu column %zu", line, col);
	return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
			  "invalid JSON number at line %zu column %zu: '%.*s'%s", line, col,
			  (int)(n > JNUM_QUOTE_MAX ? JNUM_QUOTE_MAX : n), sc->s + sc->start,
			  n > JNUM_QUOTE_MAX ? "..." : "");
}

/* Check every token and size the rewritten text. */
static enum lr_code
jnum_mark_size(const struct source *src, const char *body, size_t len, size_t *size,
	       struct lr_err *err)
{
	struct jnum_scan sc = { .s = body, .len = len };
	size_t count = 0;
	enum jnum_tok tok;

	while ((tok = jnum_scan_next(&sc)) == JNUM_TOK_NUMBER)
		count++;
	if (tok != JNUM_TOK_END)
		return jnum_scan_error(src, &sc, tok, err);
	if (len > JNUM_MARKED_MAX_BYTES ||
	    count > (JNUM_MARKED_MAX_BYTES - len) / JNUM_MARK_GROW_BYTES)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "JSON document too large (%zu bytes, %zu numbers)", len, count);
	*size = len + count * JNUM_MARK_GROW_BYTES;
	return LR_OK;
}

/* Copy body to out (sized by jnum_mark_size) with every number marked. */
static void
jnum_mark_write(const char *body, size_t len, char *out)
{
	struct jnum_scan sc = { .s = body, .len = len };
	size_t from = 0, n = 0;

	while (jnum_scan_next(&sc) == JNUM_TOK_NUMBER) {
		memcpy(out + n, body + from, sc.start - from);
		n += sc.start - from;
		memcpy(out + n, JNUM_MARK, JNUM_MARK_LEN);
		n += JNUM_MARK_LEN;
		memcpy(out + n, body + sc.start, sc.pos - sc.start);
		n += sc.pos - sc.start;
		out[n++] = '"';
		from = sc.pos;
	}
	memcpy(out + n, body + from, len - from);
}

/* The offset in body of byte offset pos of the rewritten text. A position
 * inside a marked number maps into the number; one right after it sets
 * *num to the number's length (else 0). */
static size_t
jnum_unmark_offset(const char *body, size_t len, size_t pos, size_t *num)
{
	struct jnum_scan sc = { .s = body, .len = len };
	size_t grown = 0, inner, end;

	*num = 0;
	while (jnum_scan_next(&sc) == JNUM_TOK_NUMBER) {
		if (pos <= sc.start + grown)
			break;
		end = sc.pos + grown + JNUM_MARK_GROW_BYTES;
		if (pos < end) {
			inner = pos - (sc.start + grown);
			inner = inner > JNUM_MARK_LEN ? inner - JNUM_MARK_LEN : 0;
			return sc.start + (inner < sc.pos - sc.start ? inner : sc.pos - sc.start);
		}
		if (pos == end) {
			*num = sc.pos - sc.start;
			return sc.pos;
		}
		grown += JNUM_MARK_GROW_BYTES;
	}
	return pos - grown > len ? len : pos - grown;
}

/* Remove the marks from jansson's quote of a token ("near '...'"). */
static void
jnum_unmark_text(char *t)
{
	char *m, *q;

	while ((m = strstr(t, JNUM_MARK)) != NULL) {
		memmove(m, m + JNUM_MARK_LEN, strlen(m + JNUM_MARK_LEN) + 1);
		q = strchr(m, '"');
		if (q != NULL)
			memmove(q, q + 1, strlen(q + 1) + 1);
		t = m;
	}
}

/* jansson's error as jansson would give it for body: line, column and
 * quoted token of the original text. */
static enum lr_code
json_load_error(const struct source *src, const char *body, size_t len, const json_error_t *jerr,
		struct lr_err *err)
{
	char text[JSON_ERROR_TEXT_LENGTH], quote[JSON_ERROR_TEXT_LENGTH] = "";
	char *near;
	size_t off, num, line, col;

	if (jerr->text[0] == '\0' || jerr->position < 0)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url,
				  "out of memory while parsing JSON");
	lr_strlcpy(text, jerr->text, sizeof(text));
	jnum_unmark_text(text);
	near = strstr(text, " near ");
	if (near != NULL) {
		lr_strlcpy(quote, near, sizeof(quote));
		*near = '\0';
	}
	off = jnum_unmark_offset(body, len, (size_t)jerr->position, &num);
	/* A marked number is longer than its text: jansson may not quote it. */
	if (near == NULL && num > 0 && num <= JNUM_QUOTE_MAX)
		snprintf(quote, sizeof(quote), " near '%.*s'", (int)num, body + off - num);
	/* Only a marked number can carry NUL: a number used as a key. */
	if (json_error_code(jerr) == json_error_null_byte_in_key)
		lr_strlcpy(text, "string or '}' expected", sizeof(text));
	jnum_line_col(body, off, &line, &col);
	return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
			  "invalid JSON at line %zu column %zu: %s%s", line, col, text, quote);
}

/* A page whose first character is '<' (after white space) is markup. */
static int
json_looks_like_html(const char *body, size_t len)
{
	size_t i = 0;

	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'))
		i++;
	return i < len && body[i] == '<';
}

/* Parse body with every number kept as a marked string. Returns a new
 * reference in *root. */
enum lr_code
extract_json_load(const struct source *src, const char *body, size_t len, json_t **root,
		  struct lr_err *err)
{
	json_error_t jerr;
	char *marked = NULL;
	size_t size = 0;
	enum lr_code rc;

	*root = NULL;
	if (json_looks_like_html(body, len))
		return lr_err_set(
		    err, LR_ERR_EXTRACT, src->id, src->url,
		    "invalid JSON at line 1 column 1: this looks like HTML, not JSON");
	rc = jnum_mark_size(src, body, len, &size, err);
	if (rc != LR_OK)
		goto out;
	marked = malloc(size + 1);
	if (marked == NULL) {
		rc = lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
		goto out;
	}
	jnum_mark_write(body, len, marked);
	*root = json_loadb(marked, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL,
			   &jerr);
	if (*root == NULL)
		rc = json_load_error(src, body, len, &jerr, err);
out:
	free(marked);
	return rc;
}

/* Move part's rows to the end of out, numbered on. */
static enum lr_code
json_rows_append(const struct source *src, struct raw_rows *out, struct raw_rows *part,
		 struct lr_err *err)
{
	struct raw_row *r;
	size_t i;
	int a;

	for (i = 0; i < part->n; i++) {
		if ((a = extract_rows_add(out, &r)) != 0)
			return a == -1 ? lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
						    "the pages give more than %d rows",
						    EXTRACT_MAX_ROWS)
				       : lr_err_set(err, LR_ERR_NOMEM, src->id, src->url,
						    "out of memory");
		memcpy(r->field, part->v[i].field, sizeof(r->field));
		memset(part->v[i].field, 0, sizeof(part->v[i].field));
		r->prices = part->v[i].prices;
		r->nprices = part->v[i].nprices;
		part->v[i].prices = NULL;
		part->v[i].nprices = 0;
		r->index = (long)out->n - 1;
	}
	return LR_OK;
}

/* A paginated or fanned-out source's body is the JSON array of its pages
 * (refresh joins them): the program runs over each page, rows in page
 * order. */
static enum lr_code
json_jq_pages(const struct source *src, json_t *pages, struct raw_rows *out, struct lr_err *err)
{
	enum lr_code rc = LR_OK;
	size_t i;

	if (!json_is_array(pages))
		return lr_err_set(
		    err, LR_ERR_EXTRACT, src->id, src->url,
		    "a paginated source's pages are kept as a JSON array; this is not one");
	for (i = 0; rc == LR_OK && i < json_array_size(pages); i++) {
		struct raw_rows part = { 0 };
		rc = extract_jq_rows(src, json_array_get(pages, i), &part, err);
		if (rc == LR_OK)
			rc = json_rows_append(src, out, &part, err);
		raw_rows_free(&part);
	}
	return rc;
}

enum lr_code
extract_json(const struct source *src, const char *body, size_t len, struct raw_rows *out,
	     struct lr_err *err)
{
	json_t *root = NULL;
	enum lr_code rc;

	if (src->jq_program == NULL) /* config refuses it: a source built by hand */
		return lr_err_set(err, LR_ERR_CONFIG, src->id, src->url,
				  "a JSON page is read by a jq program; the source has none");
	rc = extract_json_load(src, body, len, &root, err);
	if (rc == LR_OK && ((src->paginate_next != NULL && src->paginate_next[0] != '\0') ||
			    (src->fanout_list != NULL && src->fanout_list[0] != '\0')))
		rc = json_jq_pages(src, root, out, err);
	else if (rc == LR_OK)
		rc = extract_jq_rows(src, root, out, err);
	json_decref(root);
	return rc;
}

/* ---- [paginate] next and [fanout] items: text a page gives ----------- */

/* expr as a program of rows whose model is each output as text: its
 * first output only (first), or every one. */
static char *
jq_text_program(const char *expr, int first)
{
	static const char all[] = "(\n%s\n) | {model: (if . == null then \"\" else tostring end)}";
	static const char one[] = "[(\n%s\n)][0] | {model: (if . == null then \"\" "
				  "else tostring end)}";
	size_t n = strlen(expr) + sizeof(one);
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, first ? one : all, expr);
	return p;
}

int
extract_next_check(const char *expr, char *why, size_t len)
{
	char *p = jq_text_program(expr, 0);
	int ok;

	if (p == NULL) {
		snprintf(why, len, "out of memory");
		return 0;
	}
	ok = extract_jq_check(p, why, len);
	free(p);
	return ok;
}

/* Prefix err's reason with what ("[paginate] next: ") unless it has it. */
static void
jq_text_blame(struct lr_err *err, const char *what)
{
	size_t w = strlen(what), n = strlen(err->reason);

	if (strncmp(err->reason, what, w) == 0)
		return;
	if (n + w + 1 > sizeof(err->reason))
		n = sizeof(err->reason) - w - 1;
	memmove(err->reason + w, err->reason, n);
	memcpy(err->reason, what, w);
	err->reason[n + w] = '\0';
}

/* expr over the JSON page body: its outputs as rows (model = the text). */
static enum lr_code
jq_texts(const struct source *src, const char *expr, int first, const char *body, size_t len,
	 struct raw_rows *rows, const char *what, struct lr_err *err)
{
	struct source one = *src;
	json_t *root = NULL;
	enum lr_code rc;

	one.jq_program = jq_text_program(expr, first);
	one.jq_set = NULL; /* compiled in the child: one small program */
	if (one.jq_program == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	rc = extract_json_load(src, body, len, &root, err);
	if (rc == LR_OK)
		rc = extract_jq_rows(&one, root, rows, err);
	if (rc != LR_OK)
		jq_text_blame(err, what);
	json_decref(root);
	free(one.jq_program);
	return rc;
}

enum lr_code
extract_next_url(const struct source *src, const char *body, size_t len, char *url, size_t urllen,
		 struct lr_err *err)
{
	struct raw_rows rows = { 0 };
	enum lr_code rc =
	    jq_texts(src, src->paginate_next, 1, body, len, &rows, "[paginate] next: ", err);
	const char *t = rc == LR_OK && rows.n == 1 ? rows.v[0].field[FIELD_MODEL] : NULL;

	url[0] = '\0';
	if (t != NULL && lr_strlcpy(url, t, urllen) != 0)
		rc = lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				"[paginate] next: a URL longer than %zu bytes", urllen - 1);
	raw_rows_free(&rows);
	return rc;
}

enum lr_code
extract_items(const struct source *src, const char *body, size_t len, char ***items, size_t *n,
	      struct lr_err *err)
{
	struct raw_rows rows = { 0 };
	enum lr_code rc =
	    jq_texts(src, src->fanout_items, 0, body, len, &rows, "[fanout] items: ", err);
	size_t i;

	*items = NULL;
	*n = 0;
	if (rc == LR_OK && rows.n > (size_t)src->fanout_max_items)
		rc = lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				"[fanout] items: %zu items, more than max_items (%ld)", rows.n,
				src->fanout_max_items);
	if (rc == LR_OK && (*items = calloc(rows.n ? rows.n : 1, sizeof(**items))) == NULL)
		rc = lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	for (i = 0; rc == LR_OK && i < rows.n; i++) {
		const char *t = rows.v[i].field[FIELD_MODEL];
		if (t == NULL || t[0] == '\0')
			continue; /* a null item: nothing to fetch */
		(*items)[(*n)++] = rows.v[i].field[FIELD_MODEL];
		rows.v[i].field[FIELD_MODEL] = NULL; /* now the caller's */
	}
	raw_rows_free(&rows);
	return rc;
}
