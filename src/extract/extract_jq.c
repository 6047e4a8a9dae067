/* extract_jq.c - run a source's jq program over its document (a jansson
 * tree, numbers as their exact text) in a forked child that cannot see
 * the daemon's environment, load modules or outlive its time and memory,
 * and turn the child's outputs (one JSON object per row) into raw rows. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include <jansson.h>
#include <jq.h>

#include "core/buf.h"
#include "core/clock.h"
#include "extract/extract_impl.h"

/* The child's exit statuses. */
#define JQ_EXIT_ERROR 3 /* an "E" line says why */
#define JQ_EXIT_NOMEM 4 /* jq could not allocate: over the memory limit */
#define JQ_EXIT_SETUP 5 /* the child could not set itself up or write */

#define JQ_OUT_BUF_BYTES   65536
#define JQ_MSG_MAX         512
#define JQ_EXACT_INT_LIMIT 9007199254740992.0 /* 2^53: doubles are exact below */
#define JQ_REAP_POLL_MS    10

struct jq_out {
	int fd;
	size_t n;
	char buf[JQ_OUT_BUF_BYTES];
};

/* ---- the child --------------------------------------------------------- */

static int
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

static int
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
static void
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

/* A jansson value as a jq value; marked strings are numbers' exact text. */
static jv
jq_from_json(json_t *v)
{
	const char *s, *k;
	json_t *m;
	size_t i, n;
	jv out;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		out = jv_object();
		json_object_foreach(v, k, m) out =
		    jv_object_set(out, jv_string(k), jq_from_json(m));
		return out;
	case JSON_ARRAY:
		out = jv_array();
		for (i = 0; i < json_array_size(v); i++)
			out = jv_array_append(out, jq_from_json(json_array_get(v, i)));
		return out;
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		if (extract_num_marked(s, n))
			return jv_string_sized(s + EXTRACT_NUM_MARK_LEN,
					       (int)(n - EXTRACT_NUM_MARK_LEN));
		return jv_string_sized(s, (int)n);
	case JSON_INTEGER: return jv_number((double)json_integer_value(v));
	case JSON_REAL: return jv_number(json_real_value(v));
	case JSON_TRUE: return jv_true();
	case JSON_FALSE: return jv_false();
	default: return jv_null();
	}
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

/* A row's "prices" object: a "P" KEY TAB VALUE line per member with a
 * value (null members are left out). Consumes v; 0, or -1 after an "E". */
static int
jq_emit_prices(struct jq_out *o, jv v, long n)
{
	jv msg;
	int rc = 0;

	if (jv_get_kind(v) == JV_KIND_NULL) {
		jv_free(v);
		return 0;
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		msg = jv_string_fmt("row %ld: prices is %s, not an object of prices", n,
				    jv_kind_name(jv_get_kind(v)));
		jq_out_error(o, jv_string_value(msg));
		jv_free(msg);
		jv_free(v);
		return -1;
	}
	jv_object_foreach(v, k, m)
	{
		jv t = rc == 0 ? jq_row_value(m, n, jv_string_value(k)) : (jv_free(m), jv_null());
		if (rc == 0 && !jv_is_valid(t)) {
			msg = jv_invalid_get_msg(t);
			jq_out_error(o, jv_string_value(msg));
			jv_free(msg);
			rc = -1;
		} else if (rc == 0 && jv_get_kind(t) == JV_KIND_STRING) {
			rc = jq_out_member(o, k, t, "P");
			jv_free(t);
		} else {
			jv_free(t);
		}
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
	jv msg;
	int rc = 0;

	if (jv_get_kind(row) != JV_KIND_OBJECT) {
		msg = jv_string_fmt("row %ld is %s, not an object of fields", n,
				    jv_kind_name(jv_get_kind(row)));
		jq_out_error(o, jv_string_value(msg));
		jv_free(msg);
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
		jv t = rc == 0 ? jq_row_value(v, n, jv_string_value(k)) : (jv_free(v), jv_null());
		if (rc == 0 && !jv_is_valid(t)) {
			msg = jv_invalid_get_msg(t);
			jq_out_error(o, jv_string_value(msg));
			jv_free(msg);
			rc = -1;
		} else if (rc == 0) {
			rc = jq_out_member(o, k, t, "F");
			jv_free(t);
		} else {
			jv_free(t);
		}
		jv_free(k);
	}
	jv_free(row);
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

/* ---- every program of the configuration, compiled once ---------------- */

extern char **environ;
static char *jq_no_env[] = { NULL };

/* jq 1.6 compiles its whole builtin library with every program (about
 * 15 ms), so a configuration's programs are compiled together, once per
 * load, as one program: each becomes a function, and the input [index,
 * document] picks one. A child forked for a page inherits the compiled
 * state and only runs it. The parent never runs a program. */
struct jq_set {
	jq_state *jq;
};

void
extract_jq_set_free(struct jq_set *set)
{
	if (set == NULL)
		return;
	jq_teardown(&set->jq);
	free(set);
}

/* The dispatch over functions lo..hi-1: a balanced tree of ifs. */
static int
jq_set_dispatch(struct buf *b, size_t lo, size_t hi)
{
	char t[96];
	size_t mid = lo + (hi - lo) / 2;

	if (hi - lo == 1) {
		snprintf(t, sizeof(t), "__llmref_p%zu", lo);
		return buf_append(b, t, strlen(t));
	}
	snprintf(t, sizeof(t), "if $__llmref_i < %zu then (", mid);
	if (buf_append(b, t, strlen(t)) != 0 || jq_set_dispatch(b, lo, mid) != 0 ||
	    buf_append(b, ") else (", 8) != 0 || jq_set_dispatch(b, mid, hi) != 0)
		return -1;
	return buf_append(b, ") end", 5);
}

/* The one program: "def __llmref_pI: (\nPROGRAM\n);" for each (the new
 * lines end a trailing comment), then the dispatch. */
static int
jq_set_text(struct buf *b, const char *const *programs, size_t n)
{
	static const char head[] = ".[0] as $__llmref_i | .[1] | ";
	char t[64];
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		snprintf(t, sizeof(t), "def __llmref_p%zu: (\n", i);
		rc = buf_append(b, t, strlen(t)) ||
		     buf_append(b, programs[i], strlen(programs[i])) || buf_append(b, "\n);\n", 4);
	}
	if (rc == 0)
		rc = buf_append(b, head, sizeof(head) - 1) || jq_set_dispatch(b, 0, n) ||
		     buf_append(b, "", 1);
	return rc;
}

static void jq_check_cb(void *data, jv msg);

/* Compile text (NUL-terminated in b): a new set, or NULL. */
static struct jq_set *
jq_set_compile(const struct buf *b)
{
	char msg[JQ_MSG_MAX] = "";
	struct jq_set *set = calloc(1, sizeof(*set));
	char **env = environ;

	if (set == NULL || (set->jq = jq_init()) == NULL) {
		free(set);
		return NULL;
	}
	/* jq binds $ENV when it compiles: compile with none */
	environ = jq_no_env;
	jq_set_error_cb(set->jq, jq_check_cb, msg);
	jq_set_attr(set->jq, jv_string("JQ_LIBRARY_PATH"), jv_array());
	if (!jq_compile(set->jq, b->data)) {
		extract_jq_set_free(set);
		set = NULL;
	}
	environ = env;
	return set;
}

int
extract_jq_compile_all(const char *const *programs, size_t n, struct jq_set **out, size_t *bad,
		       char *why, size_t len)
{
	struct buf b;
	size_t i, cap = 256;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (strstr(programs[i], "__llmref_") != NULL) { /* the set's own names */
			snprintf(why, len, "names beginning __llmref_ are reserved");
			*bad = i;
			return 0;
		}
		cap += strlen(programs[i]) + 128;
	}
	if (n == 0)
		return 1;
	buf_init(&b, cap);
	if (jq_set_text(&b, programs, n) == 0)
		*out = jq_set_compile(&b);
	buf_free(&b);
	if (*out != NULL)
		return 1;
	/* which one: each alone */
	for (i = 0; i < n; i++) {
		if (!extract_jq_check(programs[i], why, len)) {
			*bad = i;
			return 0;
		}
	}
	return 1; /* each compiles alone (or memory ran out): each page compiles its own */
}

/* Run src's program over doc, writing rows to o: its function in the
 * compiled set of its configuration, else compiled here (a draft).
 * Returns an exit status. */
static int
jq_child_run(struct jq_out *o, const struct source *src, json_t *doc, jq_state **jqp)
{
	const char *program = src->jq_program;
	long k = src->jq_set != NULL ? src->jq_index : -1;
	jq_state *jq = *jqp = k >= 0 ? src->jq_set->jq : jq_init();
	long nrows = 0;
	int status = 0, rc = 0;
	jv r;

	if (jq == NULL)
		return JQ_EXIT_NOMEM;
	jq_set_nomem_handler(jq, jq_nomem, NULL);
	jq_set_error_cb(jq, jq_error_cb, o);
	jq_set_input_cb(jq, jq_no_input, NULL);
	if (k < 0) {
		jq_set_attr(jq, jv_string("JQ_LIBRARY_PATH"), jv_array());
		if (!jq_compile(jq, program))
			return JQ_EXIT_ERROR;
		jq_start(jq, jq_from_json(doc), 0);
	} else {
		jq_start(jq, JV_ARRAY(jv_number((double)k), jq_from_json(doc)), 0);
	}
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

/* The address space in use now, in bytes (0 if unknown). */
static size_t
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

/* Stand-alone: stdout is the pipe, stdin and stderr /dev/null, no other
 * descriptor, no environment, default signals, CPU and memory capped. */
static int
jq_child_setup(int wfd, const struct source *src)
{
	struct rlimit cpu, as;
	sigset_t none;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), sig;
	size_t vm = jq_vm_bytes();

	if (null < 0 || dup2(wfd, 1) < 0 || dup2(null, 0) < 0 || dup2(null, 2) < 0)
		return -1;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void)close_range(3, ~0U, 0);
	/* empty, not NULL: jq's env walks environ without a check */
	environ = jq_no_env;
	cpu.rlim_cur = (rlim_t)src->jq_timeout_sec;
	cpu.rlim_max = (rlim_t)src->jq_timeout_sec + 1;
	as.rlim_cur = as.rlim_max = (rlim_t)(vm + src->jq_max_memory_bytes);
	if (setrlimit(RLIMIT_CPU, &cpu) != 0 || setrlimit(RLIMIT_AS, &as) != 0)
		return -1;
	return 0;
}

__attribute__((noreturn)) static void
jq_child(int wfd, const struct source *src, json_t *doc)
{
	static struct jq_out o;
	jq_state *jq = NULL;
	int status;

	if (jq_child_setup(wfd, src) != 0)
		_exit(JQ_EXIT_SETUP);
	o.fd = 1;
	status = jq_child_run(&o, src, doc, &jq);
	if (jq_out_flush(&o) != 0 && status == 0)
		status = JQ_EXIT_SETUP;
	close(1); /* the parent reads to the end while this child goes */
	/* Freeing what the child inherited (the configuration's compiled set,
	 * 7% of a refresh's extraction) matters only to valgrind's leak
	 * check, which would count the run's stack as lost. */
	if (RUNNING_ON_VALGRIND)
		jq_teardown(&jq);
	_exit(status);
}

/* ---- the parent -------------------------------------------------------- */

/* Wait for the child, which has closed its output, to end by the
 * deadline: woken by its pidfd when there is one, else polling. Returns 0
 * with *status, or 1 on timeout. */
static int
jq_reap(pid_t pid, int64_t deadline, int *status)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0), rc = 0;
	struct pollfd p = { .fd = pfd, .events = POLLIN };
	int64_t left;
	pid_t w;

	while ((w = waitpid(pid, status, WNOHANG)) == 0 || (w < 0 && errno == EINTR)) {
		left = deadline - clock_mono_ms();
		if (left <= 0) {
			rc = 1;
			break;
		}
		if (pfd >= 0)
			(void)poll(&p, 1, left > 1000 ? 1000 : (int)left);
		else
			(void)poll(NULL, 0, JQ_REAP_POLL_MS);
	}
	if (pfd >= 0)
		close(pfd);
	return rc;
}

/* Read the child's output until EOF, the byte cap or the deadline; the
 * child is reaped in every case. Returns 0, 1 on timeout, 2 over the cap,
 * -1 on a system error. */
static int
jq_collect(pid_t pid, int fd, int64_t deadline, struct buf *b, int *status)
{
	char chunk[JQ_OUT_BUF_BYTES];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc = 0, n;
	ssize_t r;

	for (;;) {
		int64_t left = deadline - clock_mono_ms();
		if (left <= 0) {
			rc = 1;
			break;
		}
		n = poll(&p, 1, left > 1000 ? 1000 : (int)left);
		if (n < 0 && errno != EINTR) {
			rc = -1;
			break;
		}
		if (n <= 0)
			continue;
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		if (buf_append(b, chunk, (size_t)r) != 0) {
			rc = 2;
			break;
		}
	}
	if (rc == 0)
		rc = jq_reap(pid, deadline, status);
	if (rc != 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
	}
	return rc;
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

struct jq_seen {
	int emitted[FIELD_COUNT]; /* some row has the key */
	int valued[FIELD_COUNT];  /* some row has a value for it */
};

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

/* The child's lines into rows, then the page-wide check of the keys. */
static enum lr_code
jq_parse_output(const struct source *src, struct buf *b, struct raw_rows *out, struct lr_err *err)
{
	struct jq_seen seen = { { 0 }, { 0 } };
	char *p = b->data, *end = b->data + b->len, *nl;
	enum lr_code rc = LR_OK;
	int f;

	while (rc == LR_OK && p != NULL && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		*nl = '\0';
		rc = jq_line(src, p, out, &seen, err);
		p = nl + 1;
	}
	for (f = 0; rc == LR_OK && out->n > 0 && f < FIELD_COUNT; f++)
		if (seen.emitted[f] && !seen.valued[f])
			rc = lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
					"%s: no row has a value; a typo in its path?",
					field_name((enum field)f));
	return rc;
}

/* The reason a child that did not finish well stopped. */
static enum lr_code
jq_child_failed(const struct source *src, int why, int status, const struct buf *b,
		struct lr_err *err)
{
	const char *p, *nl;

	if (why == 1 || (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU))
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "jq program timed out after %ld s", src->jq_timeout_sec);
	if (why == 2)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "jq program wrote more than %zu MiB of rows",
				  b->max / (1024 * 1024));
	if (WIFEXITED(status) && WEXITSTATUS(status) == JQ_EXIT_NOMEM)
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "jq program used more than %zu MiB",
				  src->jq_max_memory_bytes / (1024 * 1024));
	for (p = b->data; WIFEXITED(status) && WEXITSTATUS(status) == JQ_EXIT_ERROR && p != NULL &&
			  p < b->data + b->len;
	     p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(b->data + b->len - p));
		if (nl == NULL)
			break;
		if (*p == 'E') /* the first error line */
			return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url, "%.*s",
					  (int)(nl - p - 1), p + 1);
	}
	if (WIFSIGNALED(status))
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "jq program crashed (signal %d)", WTERMSIG(status));
	return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
			  "jq program failed (exit status %d)",
			  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

enum lr_code
extract_jq_rows(const struct source *src, json_t *doc, struct raw_rows *out, struct lr_err *err)
{
	struct buf b;
	int64_t deadline = clock_mono_ms() + (int64_t)src->jq_timeout_sec * 1000;
	int fds[2], status = 0, why;
	enum lr_code rc;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return lr_err_set(err, LR_ERR_INTERNAL, src->id, src->url, "pipe: %s",
				  strerror(errno));
	/* nothing the caller buffered may be written twice, or into the pipe,
	 * by the child (under valgrind its exit flushes stdio) */
	(void)fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return lr_err_set(err, LR_ERR_INTERNAL, src->id, src->url, "fork: %s",
				  strerror(errno));
	}
	if (pid == 0)
		jq_child(fds[1], src, doc);
	close(fds[1]);
	buf_init(&b, EXTRACT_JQ_OUTPUT_MAX_BYTES);
	why = jq_collect(pid, fds[0], deadline, &b, &status);
	close(fds[0]);
	if (why < 0)
		rc = lr_err_set(err, LR_ERR_INTERNAL, src->id, src->url, "jq child: %s",
				strerror(errno));
	else if (why != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = jq_child_failed(src, why, status, &b, err);
	else
		rc = jq_parse_output(src, &b, out, err);
	buf_free(&b);
	return rc;
}

/* ---- checks at load time ---------------------------------------------- */

static void
jq_check_cb(void *data, jv msg)
{
	char *why = data;
	jv text = jq_format_error(msg);

	if (why[0] == '\0' && jv_get_kind(text) == JV_KIND_STRING) {
		lr_strlcpy(why, jv_string_value(text), JQ_MSG_MAX);
		for (; *why != '\0'; why++)
			if (*why == '\n')
				*why = ' ';
	}
	jv_free(text);
}

int
extract_jq_check(const char *program, char *why, size_t len)
{
	char msg[JQ_MSG_MAX] = "";
	jq_state *jq = jq_init();
	int ok;

	if (jq == NULL) {
		snprintf(why, len, "out of memory");
		return 0;
	}
	jq_set_error_cb(jq, jq_check_cb, msg);
	jq_set_attr(jq, jv_string("JQ_LIBRARY_PATH"), jv_array());
	ok = jq_compile(jq, program);
	jq_teardown(&jq);
	if (!ok) {
		size_t n = strlen(msg);
		while (n > 0 && msg[n - 1] == ' ')
			msg[--n] = '\0';
		snprintf(why, len, "%s", msg[0] ? msg : "jq: the program does not compile");
	}
	return ok;
}
