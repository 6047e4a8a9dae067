/* extract_jq_worker.c - a configuration's jq worker: one process per
 * compiled set, forked at the set's first page and kept until the set is
 * freed, runs the set's programs page after page. A process forked per
 * page cost a fifth of extraction: the page tables and copy-on-write
 * faults of the whole daemon, every page (bench/RESULTS.md).
 *
 * A page goes to the worker packed, every number as the string of its
 * exact text, so jq never reads money as a double. Each
 * run is bounded as a child's was: the parent's deadline kills the worker,
 * which also caps its own CPU time and address space for the run; a
 * worker that dies (killed, out of memory, crashed) is forked again for
 * the next page. Requests: "Q INDEX TIMEOUT MAXMEM LEN\n" and LEN bytes;
 * answers: the run's row lines, then "X STATUS\n". */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include "core/clock.h"
#include "extract/extract_jq_impl.h"

#define WORKER_HEAD_MAX 96
#define WORKER_DOC_MAX  ((size_t)1 << 30) /* the most one page may send, packed */

struct worker_req {
	long index;
	long timeout_sec;
	unsigned long long max_memory;
	size_t len;
};

/* ---- a page, packed -------------------------------------------------- */

/* A document travels packed: a tag byte, then for a string or key its
 * length (4 bytes) and bytes, for an array or object its count and
 * members, for a number its 8 bytes. Unpacking builds jq's values
 * directly, which is faster than jq 1.6's parser reading JSON text. A
 * marked string (a number's exact text) goes as a plain string. */
enum {
	PK_NULL = 'n',
	PK_TRUE = 't',
	PK_FALSE = 'f',
	PK_INT = 'i',
	PK_REAL = 'r',
	PK_STRING = 's',
	PK_ARRAY = 'a',
	PK_OBJECT = 'o'
};

static int
pack_bytes(struct buf *b, int tag, const void *p, size_t n)
{
	unsigned char h[5] = { (unsigned char)tag };
	uint32_t len = (uint32_t)n;

	if (n > UINT32_MAX)
		return -1;
	memcpy(h + 1, &len, 4);
	return buf_append(b, h, 5) || buf_append(b, p, n);
}

/* An array's or object's tag and member count. */
static int
pack_count(struct buf *b, int tag, size_t n)
{
	unsigned char h[5] = { (unsigned char)tag };
	uint32_t count = (uint32_t)n;

	if (n > UINT32_MAX)
		return -1;
	memcpy(h + 1, &count, 4);
	return buf_append(b, h, 5);
}

static int
pack(struct buf *b, json_t *v)
{
	const char *s, *k;
	unsigned char t;
	json_int_t i;
	double d;
	size_t n;
	json_t *m;
	int rc;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		rc = pack_count(b, PK_OBJECT, json_object_size(v));
		json_object_foreach(v, k, m) rc =
		    rc || pack_bytes(b, PK_STRING, k, strlen(k)) || pack(b, m);
		return rc;
	case JSON_ARRAY:
		n = json_array_size(v);
		rc = pack_count(b, PK_ARRAY, n);
		for (size_t j = 0; j < n && rc == 0; j++)
			rc = pack(b, json_array_get(v, j));
		return rc;
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		if (extract_num_marked(s, n))
			return pack_bytes(b, PK_STRING, s + EXTRACT_NUM_MARK_LEN,
					  n - EXTRACT_NUM_MARK_LEN);
		return pack_bytes(b, PK_STRING, s, n);
	case JSON_INTEGER:
		i = json_integer_value(v);
		t = PK_INT;
		return buf_append(b, &t, 1) || buf_append(b, &i, sizeof(i));
	case JSON_REAL:
		d = json_real_value(v);
		t = PK_REAL;
		return buf_append(b, &t, 1) || buf_append(b, &d, sizeof(d));
	default:
		t = json_is_true(v) ? PK_TRUE : json_is_false(v) ? PK_FALSE : PK_NULL;
		return buf_append(b, &t, 1);
	}
}

struct unpack {
	const char *p, *end;
};

/* The next length field or 8-byte number; -1 past the end. */
static int
unpack_take(struct unpack *u, void *out, size_t n)
{
	if ((size_t)(u->end - u->p) < n)
		return -1;
	memcpy(out, u->p, n);
	u->p += n;
	return 0;
}

static jv
unpack_string(struct unpack *u)
{
	uint32_t n;
	jv s;

	if (unpack_take(u, &n, 4) != 0 || (size_t)(u->end - u->p) < n || n > INT32_MAX)
		return jv_invalid();
	s = jv_string_sized(u->p, (int)n);
	u->p += n;
	return s;
}

static jv unpack(struct unpack *u);

/* An array's or object's members (the tag read). */
static jv
unpack_members(struct unpack *u, int object)
{
	jv out = object ? jv_object() : jv_array(), k, v;
	uint32_t n, i;

	if (unpack_take(u, &n, 4) != 0) {
		jv_free(out);
		return jv_invalid();
	}
	for (i = 0; i < n && jv_is_valid(out); i++) {
		k = object && u->p < u->end && *u->p++ == PK_STRING ? unpack_string(u)
								    : jv_invalid();
		v = !object || jv_is_valid(k) ? unpack(u) : jv_invalid();
		if (!jv_is_valid(v) || (object && !jv_is_valid(k))) {
			jv_free(k);
			jv_free(v);
			jv_free(out);
			return jv_invalid();
		}
		out = object ? jv_object_set(out, k, v) : jv_array_append(out, v);
		if (!object)
			jv_free(k);
	}
	return out;
}

static jv
unpack(struct unpack *u)
{
	json_int_t i;
	double d;

	if (u->p >= u->end)
		return jv_invalid();
	switch (*u->p++) {
	case PK_NULL: return jv_null();
	case PK_TRUE: return jv_true();
	case PK_FALSE: return jv_false();
	case PK_INT: return unpack_take(u, &i, sizeof(i)) ? jv_invalid() : jv_number((double)i);
	case PK_REAL: return unpack_take(u, &d, sizeof(d)) ? jv_invalid() : jv_number(d);
	case PK_STRING: return unpack_string(u);
	case PK_ARRAY: return unpack_members(u, 0);
	case PK_OBJECT: return unpack_members(u, 1);
	default: return jv_invalid();
	}
}

/* ---- the worker ------------------------------------------------------- */

/* Exactly n bytes from stdin; -1 at the end or on an error. */
static int
worker_read(void *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = read(0, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

/* The next request's head line; -1 at the end or if it is unreadable. */
static int
worker_head(struct worker_req *q)
{
	char line[WORKER_HEAD_MAX];
	size_t n = 0;

	while (n < sizeof(line) - 1 && worker_read(&line[n], 1) == 0 && line[n] != '\n')
		n++;
	if (n == 0 || n == sizeof(line) - 1 || line[n] != '\n')
		return -1;
	line[n] = '\0';
	if (sscanf(line, "Q %ld %ld %llu %zu", &q->index, &q->timeout_sec, &q->max_memory,
		   &q->len) != 4 ||
	    q->len > WORKER_DOC_MAX)
		return -1;
	return 0;
}

/* This run's caps: its CPU seconds on top of those used, its memory on
 * top of the address space in use (each soft: the next run sets its own). */
static void
worker_limits(const struct worker_req *q)
{
	struct rusage ru;
	struct rlimit cpu, as;

	getrusage(RUSAGE_SELF, &ru);
	getrlimit(RLIMIT_CPU, &cpu);
	getrlimit(RLIMIT_AS, &as);
	cpu.rlim_cur = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1 + q->timeout_sec);
	as.rlim_cur = (rlim_t)(jq_vm_bytes() + q->max_memory);
	if (cpu.rlim_max != RLIM_INFINITY && cpu.rlim_cur > cpu.rlim_max)
		cpu.rlim_cur = cpu.rlim_max;
	if (as.rlim_max != RLIM_INFINITY && as.rlim_cur > as.rlim_max)
		as.rlim_cur = as.rlim_max;
	(void)setrlimit(RLIMIT_CPU, &cpu);
	(void)setrlimit(RLIMIT_AS, &as);
}

/* One request: its document parsed, its function run. */
static int
worker_run(jq_state *jq, struct jq_out *o, const struct worker_req *q, const char *text)
{
	struct unpack u = { text, text + q->len };
	jv doc = unpack(&u);

	if (!jv_is_valid(doc) || u.p != u.end) {
		jv_free(doc);
		jq_out_error(o, "the document sent to the jq worker is unreadable");
		return JQ_EXIT_ERROR;
	}
	jq_start(jq, JV_ARRAY(jv_number((double)q->index), doc), 0);
	return jq_run_rows(o, jq);
}

__attribute__((noreturn)) static void
worker_main(struct jq_set *set, int sock)
{
	static struct jq_out o;
	struct worker_req q;
	char end[32];
	char *text = NULL;
	size_t cap = 0;
	int status;

	if (jq_process_setup(sock, sock) != 0)
		_exit(JQ_EXIT_SETUP);
	o.fd = 1;
	jq_run_prepare(set->jq, &o);
	while (worker_head(&q) == 0) {
		if (q.len > cap) { /* one buffer, grown (a fresh one each page made malloc
				      consolidate its free lists every time) */
			free(text);
			cap = q.len;
			if ((text = malloc(cap)) == NULL)
				_exit(JQ_EXIT_NOMEM);
		}
		if (worker_read(text, q.len) != 0)
			_exit(0);
		worker_limits(&q);
		status = worker_run(set->jq, &o, &q, text);
		snprintf(end, sizeof(end), "X%d\n", status);
		if (jq_out_put(&o, end, strlen(end)) != 0 || jq_out_flush(&o) != 0)
			_exit(JQ_EXIT_SETUP);
	}
	if (RUNNING_ON_VALGRIND) { /* see jq_child */
		free(text);
		jq_teardown(&set->jq);
	}
	_exit(0);
}

/* ---- the parent ------------------------------------------------------- */

static int
worker_start(struct jq_set *set)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	(void)fflush(NULL); /* see extract_jq_rows */
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0)
		worker_main(set, sv[1]);
	close(sv[1]);
	set->worker = pid;
	set->fd = sv[0];
	return 0;
}

/* Kill the worker (if sig) or let it read its end, then reap it; its wait
 * status, or 0 when it is not this process's child. */
static int
worker_end(struct jq_set *set, int sig)
{
	int status = 0;

	if (set->worker <= 0)
		return 0;
	if (sig != 0)
		kill(set->worker, sig);
	close(set->fd);
	while (waitpid(set->worker, &status, 0) < 0 && errno == EINTR)
		;
	set->worker = 0;
	set->fd = -1;
	return status;
}

int
jq_worker_start(struct jq_set *set)
{
	return set->worker != 0 ? 0 : worker_start(set);
}

void
jq_worker_stop(struct jq_set *set)
{
	(void)worker_end(set, 0);
}

static int
worker_send(int fd, const char *data, size_t len)
{
	size_t off = 0;
	ssize_t w;

	while (off < len) {
		w = send(fd, data + off, len - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* Read a run's answer into rows as it comes, to its "X" line, the byte
 * cap or the deadline. Returns 0, 1 on timeout, 2 over the cap, 3 if the
 * worker ended first, -1 on a system error. */
static int
worker_collect(const struct source *src, struct buf *b, struct jq_reader *r, struct raw_rows *out,
	       struct lr_err *err)
{
	int64_t deadline = clock_mono_ms() + (int64_t)src->jq_timeout_sec * 1000, left;
	struct pollfd p = { .fd = src->jq_set->fd, .events = POLLIN };
	char chunk[JQ_OUT_BUF_BYTES];
	ssize_t n;

	while (r->end < 0) {
		left = deadline - clock_mono_ms();
		if (left <= 0)
			return 1;
		n = poll(&p, 1, left > 1000 ? 1000 : (int)left);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		n = read(p.fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return 3;
		if (buf_append(b, chunk, (size_t)n) != 0)
			return 2;
		jq_read_lines(src, b, r, out, err);
	}
	return 0;
}

/* Send src's request: its head line, then its document's text (when
 * the worker is gone, a new one is forked once). 0 or -1 with err. */
static int
worker_ask(const struct source *src, const struct buf *text, struct lr_err *err)
{
	struct jq_set *set = src->jq_set;
	char line[WORKER_HEAD_MAX];
	int tries, rc = -1;

	snprintf(line, sizeof(line), "Q %ld %ld %zu %zu\n", src->jq_index, src->jq_timeout_sec,
		 src->jq_max_memory_bytes, text->len);
	for (tries = 0; tries < 2 && rc != 0; tries++) {
		if (set->worker == 0 && worker_start(set) != 0)
			break;
		rc = worker_send(set->fd, line, strlen(line)) == 0 &&
			     worker_send(set->fd, text->data, text->len) == 0
			 ? 0
			 : -1;
		if (rc != 0) /* it ended since the last page */
			(void)worker_end(set, SIGKILL);
	}
	if (rc != 0)
		lr_err_set(err, LR_ERR_INTERNAL, src->id, src->url, "jq worker: %s",
			   strerror(errno));
	return rc;
}

/* The rows, or why the run failed (the worker is then ended); *gone
 * when the worker ended before it said a word, killed from outside (it
 * may have been dying before the page was sent). */
static enum lr_code
worker_answer(const struct source *src, struct buf *b, struct raw_rows *out, struct lr_err *err,
	      int *gone)
{
	struct jq_reader r;
	int why, status, sig;

	jq_reader_init(&r);
	why = worker_collect(src, b, &r, out, err);
	if (why == 0 && r.rc != LR_OK)
		return r.rc;
	if (why == 0)
		return r.end == 0 ? jq_read_end(src, &r, out, err)
				  : jq_run_failed(src, 0, 0, r.end, b, err);
	status = worker_end(src->jq_set, why == 3 ? 0 : SIGKILL);
	if (why < 0)
		return lr_err_set(err, LR_ERR_INTERNAL, src->id, src->url, "jq worker: %s",
				  strerror(errno));
	if (why != 3)
		return jq_run_failed(src, why, 0, 0, b, err);
	sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	*gone = b->len == 0 && (sig == SIGKILL || sig == SIGTERM || sig == SIGINT);
	return jq_run_failed(src, 0, sig, WIFEXITED(status) ? WEXITSTATUS(status) : -1, b, err);
}

enum lr_code
jq_worker_rows(const struct source *src, json_t *doc, struct raw_rows *out, struct lr_err *err)
{
	struct buf text, b;
	enum lr_code rc = LR_OK;
	int tries, gone = 1;

	buf_init(&text, WORKER_DOC_MAX);
	if (pack(&text, doc) != 0) {
		buf_free(&text);
		return lr_err_set(err, LR_ERR_EXTRACT, src->id, src->url,
				  "the document could not be packed for jq (out of memory, or over "
				  "%zu MiB)",
				  WORKER_DOC_MAX / (1024 * 1024));
	}
	/* once more with a new worker if the last one was gone */
	for (tries = 0; tries < 2 && gone; tries++) {
		gone = 0;
		if (tries > 0)
			lr_err_clear(err);
		rc = worker_ask(src, &text, err) == 0 ? LR_OK : LR_ERR_INTERNAL;
		if (rc != LR_OK)
			break;
		buf_init(&b, EXTRACT_JQ_OUTPUT_MAX_BYTES);
		rc = worker_answer(src, &b, out, err, &gone);
		buf_free(&b);
	}
	buf_free(&text);
	return rc;
}
