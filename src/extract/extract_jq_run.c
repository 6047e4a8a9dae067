/* extract_jq_run.c - what a jq run writes and what the parent reads
 * back, for both ways of running a program (a child per draft's page,
 * extract_jq.c; a configuration's worker, extract_jq_worker.c): the
 * handlers of a run, its rows as tagged lines ("R" a row, "F" a field,
 * "N" a null field, "P" a member of prices, "E" an error), and those
 * lines read into raw rows or into the reason a run failed. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <jq.h>

#include "extract/extract_impl.h"
#include "extract/extract_jq_impl.h"

#define JQ_EXACT_INT_LIMIT 9007199254740992.0 /* 2^53: doubles are exact below */

extern char **environ;

/* ---- a run: its handlers and its rows as lines ------------------------ */

int
jq_out_flush(struct jq_out *o)
{
	size_t off = 0;
	ssize_t w;

	while (off < o->n) {
		w = write(o->fd, o->buf + off, o->n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	o->n = 0;
	return 0;
}

int
jq_out_put(struct jq_out *o, const char *s, size_t n)
{
	size_t k;

	while (n > 0) {
		if (o->n == sizeof(o->buf) && jq_out_flush(o) != 0)
			return -1;
		k = sizeof(o->buf) - o->n < n ? sizeof(o->buf) - o->n : n;
		memcpy(o->buf + o->n, s, k);
		o->n += k;
		s += k;
		n -= k;
	}
	return 0;
}

/* One "E" line: the message on one line. */
void
jq_out_error(struct jq_out *o, const char *msg)
{
	char line[JQ_MSG_MAX + 2];
	size_t i, n = 0;

	line[n++] = 'E';
	for (i = 0; msg[i] != '\0' && n < JQ_MSG_MAX; i++)
		line[n++] = (msg[i] == '\n' || msg[i] == '\r') ? ' ' : msg[i];
	while (n > 1 && line[n - 1] == ' ')
		n--;
	line[n++] = '\n';
	(void)jq_out_put(o, line, n);
}

/* jq's compile messages: the first one (the error) is kept. */
static void
jq_error_cb(void *data, jv msg)
{
	struct jq_out *o = data;
	jv text = jq_format_error(msg);

	if (o != NULL && jv_get_kind(text) == JV_KIND_STRING &&
	    strcmp(jv_string_value(text), "jq: 1 compile error") != 0 &&
	    strstr(jv_string_value(text), " compile errors") == NULL)
		jq_out_error(o, jv_string_value(text));
	jv_free(text);
}

/* input and inputs: the document is the only input. */
static jv
jq_no_input(jq_state *jq, void *data)
{
	(void)jq;
	(void)data;
	return jv_invalid();
}

static void
jq_nomem(void *data)
{
	(void)data;
	_exit(JQ_EXIT_NOMEM);
}

/* A row's value as text (strings, booleans, exact integers) or null;
 * invalid with the reason otherwise. Consumes v. */
static jv
jq_row_value(jv v, long row, const char *key)
{
	double d;

	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		if (strlen(jv_string_value(v)) == (size_t)jv_string_length_bytes(jv_copy(v)))
			return v;
		jv_free(v);
		return jv_invalid_with_msg(
		    jv_string_fmt("row %ld: %s contains a NUL character", row, key));
	case JV_KIND_NULL: return v;
	case JV_KIND_TRUE: jv_free(v); return jv_string("true");
	case JV_KIND_FALSE: jv_free(v); return jv_string("false");
	case JV_KIND_NUMBER:
		d = jv_number_value(v);
		jv_free(v);
		if (d == floor(d) && fabs(d) < JQ_EXACT_INT_LIMIT)
			return jv_string_fmt("%lld", (long long)d);
		return jv_invalid_with_msg(
		    jv_string_fmt("row %ld: %s: computed number %.17g: computed numbers are "
				  "not exact; keep money as text",
				  row, key, d));
	default:
		jv_free(v);
		return jv_invalid_with_msg(
		    jv_string_fmt("row %ld: %s is an object or array, not a value", row, key));
	}
}

/* Text on one line: backslash, newline, CR and tab escaped. */
static int
jq_out_escaped(struct jq_out *o, const char *s, size_t n)
{
	size_t i, from = 0;
	char esc[2] = { '\\', 0 };

	for (i = 0; i < n; i++) {
		if (s[i] != '\\' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t')
			continue;
		esc[1] = s[i] == '\n' ? 'n' : s[i] == '\r' ? 'r' : s[i] == '\t' ? 't' : '\\';
		if (jq_out_put(o, s + from, i - from) != 0 || jq_out_put(o, esc, 2) != 0)
			return -1;
		from = i + 1;
	}
	return jq_out_put(o, s + from, n - from);
}

/* One member of a row: TAG KEY TAB VALUE or "N" KEY (null), one line;
 * TAG is "F" for a field, "P" for a member of prices. */
static int
jq_out_member(struct jq_out *o, jv k, jv t, const char *tag)
{
	int rc = jq_out_put(o, jv_get_kind(t) == JV_KIND_NULL ? "N" : tag, 1);

	if (rc == 0)
		rc = jq_out_escaped(o, jv_string_value(k),
				    (size_t)jv_string_length_bytes(jv_copy(k)));
	if (rc == 0 && jv_get_kind(t) == JV_KIND_STRING)
		rc = jq_out_put(o, "\t", 1) ||
		     jq_out_escaped(o, jv_string_value(t),
				    (size_t)jv_string_length_bytes(jv_copy(t)));
	return rc == 0 ? jq_out_put(o, "\n", 1) : -1;
}

/* An "E" line of msg (a string; consumed). */
static void
jq_emit_error(struct jq_out *o, jv msg)
{
	jq_out_error(o, jv_string_value(msg));
	jv_free(msg);
}

/* One member of row n as its line (TAG "F" a field, "P" a price; a null
 * price is left out). Consumes v; 0, or -1 after an "E" line. */
static int
jq_emit_member(struct jq_out *o, jv k, jv v, long n, const char *tag)
{
	jv t = jq_row_value(v, n, jv_string_value(k));
	int rc;

	if (!jv_is_valid(t)) {
		jq_emit_error(o, jv_invalid_get_msg(t));
		return -1;
	}
	rc = tag[0] == 'P' && jv_get_kind(t) == JV_KIND_NULL ? 0 : jq_out_member(o, k, t, tag);
	jv_free(t);
	return rc;
}

/* A row's "prices" object: a "P" KEY TAB VALUE line per member with a
 * value (null members are left out). Consumes v; 0, or -1 after an "E". */
static int
jq_emit_prices(struct jq_out *o, jv v, long n)
{
	int rc = 0;

	if (jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jq_emit_error(o, jv_string_fmt("row %ld: prices is %s, not an object of prices", n,
					       jv_kind_name(jv_get_kind(v))));
		jv_free(v);
		return -1;
	}
	jv_object_foreach(v, k, m)
	{
		rc = rc == 0 ? jq_emit_member(o, k, m, n, "P") : (jv_free(m), rc);
		jv_free(k);
	}
	jv_free(v);
	return rc;
}

/* Write one output object as an "R" line and its members' lines.
 * Consumes row; returns 0, or -1 after an "E" line. */
static int
jq_emit_row(struct jq_out *o, jv row, long n)
{
	int rc = 0;

	if (jv_get_kind(row) != JV_KIND_OBJECT) {
		jq_emit_error(o, jv_string_fmt("row %ld is %s, not an object of fields", n,
					       jv_kind_name(jv_get_kind(row))));
		jv_free(row);
		return -1;
	}
	rc = jq_out_put(o, "R\n", 2);
	jv_object_foreach(row, k, v)
	{
		if (strcmp(jv_string_value(k), "prices") == 0) {
			rc = rc == 0 ? jq_emit_prices(o, v, n) : (jv_free(v), rc);
			jv_free(k);
			continue;
		}
		rc = rc == 0 ? jq_emit_member(o, k, v, n, "F") : (jv_free(v), rc);
		jv_free(k);
	}
	jv_free(row);
	/* rows go out as they come, a few KiB at a time: the reader's work
	 * on them overlaps the rest of the run */
	if (rc == 0 && o->n >= JQ_OUT_STREAM_BYTES)
		rc = jq_out_flush(o);
	return rc;
}

/* One output of the program: a row, or an array of rows. Consumes r. */
static int
jq_emit(struct jq_out *o, jv r, long *nrows)
{
	int rc = 0;

	if (jv_get_kind(r) != JV_KIND_ARRAY) {
		if (++*nrows > EXTRACT_MAX_ROWS) {
			jv_free(r);
			return 1;
		}
		return jq_emit_row(o, r, *nrows);
	}
	jv_array_foreach(r, i, row)
	{
		if (rc != 0 || ++*nrows > EXTRACT_MAX_ROWS) {
			rc = rc != 0 ? rc : 1;
			jv_free(row);
			continue;
		}
		rc = jq_emit_row(o, row, *nrows);
	}
	jv_free(r);
	return rc;
}

/* The runtime error that ended the program, as an "E" line. Consumes r. */
static void
jq_runtime_error(struct jq_out *o, jv r)
{
	jv msg = jv_invalid_get_msg(r), text;

	if (jv_get_kind(msg) == JV_KIND_STRING)
		text = jv_string_fmt("jq: error: %s", jv_string_value(msg));
	else
		text = jv_string_concat(jv_string("jq: error (not a string): "),
					jv_dump_string(jv_copy(msg), 0));
	jq_out_error(o, jv_string_value(text));
	jv_free(text);
	jv_free(msg);
}
char *jq_no_env[] = { NULL };

void
jq_run_prepare(jq_state *jq, struct jq_out *o)
{
	jq_set_nomem_handler(jq, jq_nomem, NULL);
	jq_set_error_cb(jq, jq_error_cb, o);
	jq_set_input_cb(jq, jq_no_input, NULL);
}

int
jq_run_rows(struct jq_out *o, jq_state *jq)
{
	long nrows = 0;
	int status = 0, rc = 0;
	jv r;

	while (rc == 0 && jv_is_valid(r = jq_next(jq)))
		rc = jq_emit(o, r, &nrows);
	if (rc == 0 && jv_invalid_has_msg(jv_copy(r))) {
		jq_runtime_error(o, r);
		status = JQ_EXIT_ERROR;
	} else if (rc == 0) {
		jv_free(r);
		if (jq_halted(jq) && jv_get_kind(jq_get_error_message(jq)) != JV_KIND_NULL) {
			jq_out_error(o, "jq: error: the program stopped with halt_error");
			status = JQ_EXIT_ERROR;
		}
	} else if (rc < 0) {
		status = JQ_EXIT_ERROR;
	} /* rc > 0: the row cap; the parent counts the rows and says so */
	return status;
}

size_t
jq_vm_bytes(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

int
jq_process_setup(int in, int out)
{
	sigset_t none;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), sig;

	if (null < 0 || dup2(out, 1) < 0 || dup2(in < 0 ? null : in, 0) < 0 || dup2(null, 2) < 0)
		return -1;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void)close_range(3, ~0U, 0);
	/* empty, not NULL: jq's env walks environ without a check */
	environ = jq_no_env;
	return 0;
}

static enum field
jq_field_by_name(const char *name)
{
	int f;

	for (f = 0; f < FIELD_COUNT; f++)
		if (strcmp(field_name((enum field)f), name) == 0)
			return (enum field)f;
	return FIELD_COUNT;
}

/* Undo jq_out_escaped in place; returns the new length. */
static size_t
jq_unescape(char *s, size_t n)
{
	size_t r, w = 0;

	for (r = 0; r < n; r++, w++) {
		if (s[r] == '\\' && r + 1 < n) {
			r++;
			s[w] = s[r] == 'n' ? '\n' : s[r] == 'r' ? '\r' : s[r] == 't' ? '\t' : s[r];
		} else {
			s[w] = s[r];
		}
	}
	s[w] = '\0';
	return w;
}

/* One member line ("F" or "N", without its newline, NUL-terminated) of
 * the last row. */
static enum lr_code
jq_row_member(const struct source *src, struct raw_row *row, char *line, struct jq_seen *seen,
	      struct lr_err *err)
{
	char *tab = line[0] == 'F' ? strchr(line + 1, '\t') : NULL;
	long n = row->index + 1;
	size_t vlen;
	enum field f;

	if (tab != NULL)
		*tab = '\0';
	jq_unescape(line + 1, strlen(line + 1));
	f = jq_field_by_name(line + 1);
	if (f == FIELD_COUNT)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "unknown field '%.64s' in row %ld", line + 1, n);
	if (!source_kind_allows(src->kind, f))
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "row %ld: %s: not a field of '%s' sources", n, line + 1,
				  source_kind_name(src->kind));
	seen->emitted[f] = 1;
	if (tab == NULL)
		return LR_OK;
	vlen = jq_unescape(tab + 1, strlen(tab + 1));
	if (vlen > EXTRACT_FIELD_MAX_BYTES)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "row %ld: %s is too long (longer than %d bytes)", n, line + 1,
				  EXTRACT_FIELD_MAX_BYTES);
	free(row->field[f]);
	row->field[f] = strdup(tab + 1);
	if (row->field[f] == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	extract_squash_space(row->field[f]);
	seen->valued[f] = 1;
	return LR_OK;
}

/* One "P" line (KEY TAB VALUE, NUL-terminated): a member of the last
 * row's prices. */
static enum lr_code
jq_row_price(const struct source *src, struct raw_row *row, char *line, struct lr_err *err)
{
	char *tab = strchr(line, '\t');
	long n = row->index + 1;
	struct raw_price *p;

	if (src->kind != SOURCE_PRICING)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "row %ld: prices: not a field of '%s' sources", n,
				  source_kind_name(src->kind));
	if (tab == NULL)
		return lr_err_set(err, LR_ERR_INTERNAL, src->id, src->url,
				  "the jq child wrote an unreadable line");
	*tab = '\0';
	if (row->nprices >= EXTRACT_MAX_PRICES)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "row %ld: more than %d prices", n, EXTRACT_MAX_PRICES);
	if (jq_unescape(line, strlen(line)) > EXTRACT_FIELD_MAX_BYTES ||
	    jq_unescape(tab + 1, strlen(tab + 1)) > EXTRACT_FIELD_MAX_BYTES)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "row %ld: a member of prices is too long (longer than %d bytes)",
				  n, EXTRACT_FIELD_MAX_BYTES);
	if (row->prices == NULL &&
	    (row->prices = calloc(EXTRACT_MAX_PRICES, sizeof(*row->prices))) == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	p = &row->prices[row->nprices];
	p->key = strdup(line);
	p->text = strdup(tab + 1);
	row->nprices++; /* freed with the row even if half made */
	if (p->key == NULL || p->text == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	extract_squash_space(p->text);
	return LR_OK;
}

/* One line of the child's output (NUL-terminated, no newline). */
static enum lr_code
jq_line(const struct source *src, char *line, struct raw_rows *out, struct jq_seen *seen,
	struct lr_err *err)
{
	struct raw_row *row;
	int add;

	if (line[0] == 'R') {
		extract_rows_tell(out, out->n); /* the rows before it are complete */
		add = extract_rows_add(out, &row);
		if (add == 0)
			return LR_OK;
		return lr_err_set(err, add == -1 ? LR_ERR_EXTRACT : LR_ERR_NOMEM, src->id, src->url,
				  add == -1 ? "more than %d rows" : "out of memory at row %d",
				  EXTRACT_MAX_ROWS);
	}
	if ((line[0] == 'F' || line[0] == 'N') && out->n > 0)
		return jq_row_member(src, &out->v[out->n - 1], line, seen, err);
	if (line[0] == 'P' && out->n > 0)
		return jq_row_price(src, &out->v[out->n - 1], line + 1, err);
	if (line[0] == 'E')
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url, "%s", line + 1);
	return lr_err_set(err, LR_ERR_INTERNAL, src->id, src->url,
			  "the jq child wrote an unreadable line");
}

void
jq_reader_init(struct jq_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->end = -1;
}

void
jq_read_lines(const struct source *src, struct buf *b, struct jq_reader *r, struct raw_rows *out,
	      struct lr_err *err)
{
	char *p = b->data + r->done, *end = b->data + b->len, *nl;

	while (r->end < 0 && p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		*nl = '\0';
		if (p[0] == 'X')
			r->end = (int)strtol(p + 1, NULL, 10);
		else if (r->rc == LR_OK && (r->rc = jq_line(src, p, out, &r->seen, err)) != LR_OK)
			r->said = p[0] == 'E';
		p = nl + 1;
	}
	r->done = (size_t)(p - b->data);
}

enum lr_code
jq_read_end(const struct source *src, struct jq_reader *r, struct raw_rows *out, struct lr_err *err)
{
	int f;

	for (f = 0; r->rc == LR_OK && out->n > 0 && f < FIELD_COUNT; f++)
		if (r->seen.emitted[f] && !r->seen.valued[f])
			r->rc = lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
					   "%s: no row has a value; a typo in its path?",
					   field_name((enum field)f));
	return r->rc;
}

enum lr_code
jq_parse_output(const struct source *src, struct buf *b, struct raw_rows *out, struct lr_err *err)
{
	struct jq_reader r;

	jq_reader_init(&r);
	if (b->len > 0 && b->data[b->len - 1] != '\n' && buf_append(b, "\n", 1) != 0)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	jq_read_lines(src, b, &r, out, err);
	return jq_read_end(src, &r, out, err);
}

enum lr_code
jq_run_failed(const struct source *src, int why, int sig, int code, const struct buf *b,
	      struct lr_err *err)
{
	const char *p, *nl;

	if (why == 1 || sig == SIGXCPU)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "jq program timed out after %ld s", src->jq_timeout_sec);
	if (why == 2)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "jq program wrote more than %zu MiB of rows",
				  b->max / (1024 * 1024));
	if (sig == 0 && code == JQ_EXIT_NOMEM)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "jq program used more than %zu MiB",
				  src->jq_max_memory_bytes / (1024 * 1024));
	for (p = b->data; sig == 0 && code == JQ_EXIT_ERROR && p != NULL && p < b->data + b->len;
	     p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(b->data + b->len - p));
		if (nl == NULL)
			break;
		if (*p == 'E') /* the first error line */
			return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url, "%.*s",
					  (int)(nl - p - 1), p + 1);
	}
	if (sig != 0)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "jq program crashed (signal %d)", sig);
	return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
			  "jq program failed (exit status %d)", code);
}