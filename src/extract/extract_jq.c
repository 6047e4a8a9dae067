/* extract_jq.c - a source's jq program over its document (a jansson
 * tree, numbers as their exact text): a configuration's programs compiled
 * together once and run by its worker (extract_jq_worker.c); a draft's
 * program (sources test --file) compiled and run in a child forked for
 * the page. Either cannot see the daemon's environment, load modules or
 * outlive its time and memory; its rows come back as lines
 * (extract_jq_run.c). */
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
#include "extract/extract_jq_impl.h"

/* ---- a draft's page: a child of its own -------------------------------- */

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

/* ---- every program of the configuration, compiled once ---------------- */

extern char **environ;

void
extract_jq_set_free(struct jq_set *set)
{
	if (set == NULL)
		return;
	jq_worker_stop(set);
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
	set->fd = -1;
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

/* Compile a draft's program (no compiled set) and run it over doc,
 * writing rows to o. Returns an exit status. */
static int
jq_child_run(struct jq_out *o, const struct source *src, json_t *doc, jq_state **jqp)
{
	jq_state *jq = *jqp = jq_init();

	if (jq == NULL)
		return JQ_EXIT_NOMEM;
	jq_run_prepare(jq, o);
	jq_set_attr(jq, jv_string("JQ_LIBRARY_PATH"), jv_array());
	if (!jq_compile(jq, src->jq_program))
		return JQ_EXIT_ERROR;
	jq_start(jq, jq_from_json(doc), 0);
	return jq_run_rows(o, jq);
}

/* A child for one page: stand-alone, CPU and memory capped. */
static int
jq_child_setup(int wfd, const struct source *src)
{
	struct rlimit cpu, as;
	size_t vm = jq_vm_bytes();

	if (jq_process_setup(-1, wfd) != 0)
		return -1;
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
	/* Freeing jq's state matters only to valgrind's leak check, which
	 * would count the run's stack as lost; it is 7% of a page's run. */
	if (RUNNING_ON_VALGRIND)
		jq_teardown(&jq);
	_exit(status);
}

/* ---- the parent -------------------------------------------------------- */

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
	/* at the end of its output the child only exits (under its CPU cap) */
	while (rc == 0 && waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (rc != 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
	}
	return rc;
}

enum lr_code
extract_jq_rows(const struct source *src, json_t *doc, struct raw_rows *out, struct lr_err *err)
{
	struct buf b;
	int64_t deadline = clock_mono_ms() + (int64_t)src->jq_timeout_sec * 1000;
	int fds[2], status = 0, why;
	enum lr_code rc;
	pid_t pid;

	if (src->jq_set != NULL)
		return jq_worker_rows(src, doc, out, err);
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
		rc = jq_run_failed(src, why, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
				   WIFEXITED(status) ? WEXITSTATUS(status) : -1, &b, err);
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
