/* test_allocfail.c - every allocation failure in turn. The allocators of
 * libcurl (curl_global_init_mem), libxml2 (xmlMemSetup), jansson
 * (json_set_alloc_funcs) and llmref's own code (linked with
 * -Wl,--wrap=malloc,... so src/ objects call the wrappers below) all go
 * through one counting allocator that fails its Kth call. For K = 1, 2, 3,
 * ... each scenario (load the shipped configuration; extract and
 * normalize an HTML page and a JSON page; fetch a page from a server on
 * 127.0.0.1) runs until it no longer reaches K: it must never crash,
 * must report a failure with a reason, and must leave no allocation
 * behind (live count back where it was; LeakSanitizer and valgrind check
 * the same from outside). */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <curl/curl.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "extract/extract.h"
#include "fetch/fetch.h"
#include "normalize/normalize.h"
#include "tap.h"

#define MAX_STEPS 200000

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);

static atomic_long fail_at; /* 0: never fail */
static atomic_long calls;   /* allocation calls since the last reset */
static atomic_long live;    /* blocks allocated through the hooks */
static atomic_int failed;   /* the Kth call was reached and failed */

/* The blocks the hooks handed out: libc's own allocations (scandir,
 * strndup, ...) are freed through the wrapped free too, and must not
 * count. Open addressing, linear probing, tombstones; a mutex, since
 * libcurl may allocate on its resolver thread. */
#define SET_SIZE (1u << 20)
static void *set[SET_SIZE];
static pthread_mutex_t set_mu = PTHREAD_MUTEX_INITIALIZER;
#define TOMB ((void *)1)

static size_t
set_slot(const void *p)
{
	return (size_t)(((uintptr_t)p >> 4) * 2654435761u) & (SET_SIZE - 1);
}

static void
set_add(void *p)
{
	size_t i = set_slot(p);

	pthread_mutex_lock(&set_mu);
	while (set[i] != NULL && set[i] != TOMB)
		i = (i + 1) & (SET_SIZE - 1);
	set[i] = p;
	atomic_fetch_add(&live, 1);
	pthread_mutex_unlock(&set_mu);
}

static void
set_del(void *p)
{
	size_t i = set_slot(p);

	pthread_mutex_lock(&set_mu);
	for (; set[i] != NULL; i = (i + 1) & (SET_SIZE - 1)) {
		if (set[i] == p) {
			set[i] = TOMB;
			atomic_fetch_sub(&live, 1);
			break;
		}
	}
	pthread_mutex_unlock(&set_mu);
}

/* Set for the HTML scenario: libxml2 2.9.14's HTML parser loops for ever
 * after an allocation failure (seen at dozens of steps, the program
 * counter inside libxml2), an upstream bug; there only the allocations
 * of llmref and jansson fail in turn. */
static int spare_libxml2;

static int
from_libxml2(const void *caller)
{
	Dl_info info;

	return dladdr(caller, &info) != 0 && info.dli_fname != NULL &&
	       strstr(info.dli_fname, "libxml2") != NULL;
}

static int
should_fail(const void *caller)
{
	long k = atomic_load(&fail_at);

	if (k == 0 || (spare_libxml2 && from_libxml2(caller)))
		return 0;
	if (atomic_fetch_add(&calls, 1) + 1 != k)
		return 0;
	atomic_store(&failed, 1);
	if (getenv("ALLOCFAIL_DEBUG") != NULL) { /* where the failing call came from */
		void *bt[24];
		backtrace_symbols_fd(bt, backtrace(bt, 24), 2);
	}
	return 1;
}

static void *
alloc_from(size_t n, const void *caller)
{
	void *p = should_fail(caller) ? NULL : __real_malloc(n);

	if (p != NULL)
		set_add(p);
	return p;
}

void *
__wrap_malloc(size_t n)
{
	return alloc_from(n, __builtin_return_address(0));
}

void *
__wrap_calloc(size_t n, size_t size)
{
	void *p = should_fail(__builtin_return_address(0)) ? NULL : __real_calloc(n, size);

	if (p != NULL)
		set_add(p);
	return p;
}

void *
__wrap_realloc(void *p, size_t n)
{
	void *q;

	if (should_fail(__builtin_return_address(0)))
		return NULL;
	q = __real_realloc(p, n);
	if (q != NULL || n == 0) { /* p is gone (or moved) */
		if (p != NULL)
			set_del(p);
		if (q != NULL)
			set_add(q);
	}
	return q;
}

void
__wrap_free(void *p)
{
	if (p != NULL)
		set_del(p);
	__real_free(p);
}

char *
__wrap_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = alloc_from(n, __builtin_return_address(0));

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* ---- a one-page HTTP server on 127.0.0.1 --------------------------- */

static char *page_reply; /* whole response, allocated before the hooks count */
static int listen_fd = -1;

static void *
serve(void *arg)
{
	char req[4096];
	int c;

	(void)arg;
	while ((c = accept(listen_fd, NULL, NULL)) >= 0) {
		if (read(c, req, sizeof(req)) > 0) {
			size_t n = strlen(page_reply), off = 0;
			ssize_t w;
			while (off < n && (w = write(c, page_reply + off, n - off)) > 0)
				off += (size_t)w;
		}
		close(c);
	}
	return NULL;
}

static int
server_start(const char *body, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	pthread_t t;
	size_t cap = len + 256;

	page_reply = __real_malloc(cap);
	snprintf(page_reply, cap,
		 "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n%.*s",
		 len, (int)len, body);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(listen_fd, 16) != 0 || getsockname(listen_fd, (struct sockaddr *)&a, &alen) != 0)
		return -1;
	if (pthread_create(&t, NULL, serve, NULL) != 0)
		return -1;
	pthread_detach(t);
	return ntohs(a.sin_port);
}

/* ---- scenarios ---------------------------------------------------- */

struct ctx {
	const char *conf_path;
	struct config *cfg; /* loaded once without failures */
	const char *html, *json;
	size_t html_len, json_len;
	char url[128];
};

/* Each returns LR_OK or the error; it frees all it allocated. */
typedef enum lr_code (*scenario_fn)(struct ctx *c, struct lr_err *err);

static enum lr_code
sc_config(struct ctx *c, struct lr_err *err)
{
	struct config *cfg = config_load(c->conf_path, err);

	config_free(cfg);
	return cfg != NULL ? LR_OK : err->code;
}

static enum lr_code
sc_page(struct ctx *c, const char *id, const char *body, size_t len, struct lr_err *err)
{
	const struct source *src = config_find_source(c->cfg, id);
	struct raw_rows rows = { 0 };
	struct records recs = { 0 };
	enum lr_code rc;

	if (src == NULL)
		return lr_err_set(err, LR_ERR_INTERNAL, id, NULL, "no such source");
	rc = extract_page(src, body, len, &rows, err);
	if (rc == LR_OK)
		rc = normalize_rows(c->cfg->identity, src, &rows, &recs, err);
	if (rc == LR_OK)
		records_free(&recs);
	raw_rows_free(&rows);
	return rc;
}

static enum lr_code
sc_html(struct ctx *c, struct lr_err *err)
{
	return sc_page(c, "fireworks", c->html, c->html_len, err);
}

static enum lr_code
sc_json(struct ctx *c, struct lr_err *err)
{
	return sc_page(c, "openrouter", c->json, c->json_len, err);
}

static void
on_fetched(struct fetch_job *job, void *ctx)
{
	struct lr_err *err = ctx;

	*err = job->err;
	if (job->rc == LR_OK && job->res.body.len == 0)
		lr_err_set(err, LR_ERR_FETCH, job->source_id, job->url, "empty body");
}

static enum lr_code
sc_fetch(struct ctx *c, struct lr_err *err)
{
	struct fetch_opts o = { .timeout_sec = 10,
				.connect_timeout_sec = 5,
				.low_speed_sec = 5,
				.max_body_bytes = 1 << 22,
				.user_agent = "llmref-test",
				.max_connections = 2,
				.max_per_host = 1,
				.wake_fd = -1 };
	struct fetch_job job = { .source_id = "allocfail",
				 .url = c->url,
				 .allow_private = "127.0.0.1" }; /* its server is on loopback */
	enum lr_code rc = fetch_run(&o, &job, 1, on_fetched, err);

	return rc != LR_OK ? rc : err->code;
}

/* Two more jobs given through fetch_opts.more while the first runs. */
struct more_ctx {
	struct lr_err *err; /* the first error */
	const char *url;
	int given, done;
};

static struct fetch_job *
more_job(void *ctx, long *wait_ms)
{
	struct more_ctx *m = ctx;
	struct fetch_job *job;

	(void)wait_ms;
	if (m->given >= 2)
		return NULL;
	if ((job = calloc(1, sizeof(*job))) == NULL) {
		if (m->err->code == LR_OK)
			lr_err_set(m->err, LR_ERR_NOMEM, "allocfail", m->url, "out of memory");
		return NULL;
	}
	m->given++;
	job->source_id = "allocfail-more";
	job->url = m->url;
	job->allow_private = "127.0.0.1";
	return job;
}

static void
more_release(struct fetch_job *job, void *ctx)
{
	(void)ctx;
	free(job);
}

static void
more_fetched(struct fetch_job *job, void *ctx)
{
	struct more_ctx *m = ctx;

	m->done++;
	if (m->err->code == LR_OK)
		on_fetched(job, m->err);
}

static enum lr_code
sc_fetch_more(struct ctx *c, struct lr_err *err)
{
	struct fetch_opts o = { .timeout_sec = 10,
				.connect_timeout_sec = 5,
				.low_speed_sec = 5,
				.max_body_bytes = 1 << 22,
				.user_agent = "llmref-test",
				.max_connections = 2,
				.max_per_host = 1,
				.wake_fd = -1,
				.more = more_job,
				.release = more_release };
	struct fetch_job job = { .source_id = "allocfail",
				 .url = c->url,
				 .allow_private = "127.0.0.1" };
	struct more_ctx m = { err, c->url, 0, 0 };
	enum lr_code rc = fetch_run(&o, &job, 1, more_fetched, &m);

	if (m.done != 1 + m.given)
		abort(); /* a job given was never done: counted as a crash */
	return rc != LR_OK ? rc : err->code;
}

/* What one child saw, as its exit status. */
#define R_REACHED  1  /* the Kth allocation happened and failed */
#define R_FAILED   2  /* the scenario returned an error */
#define R_LEAK     4  /* blocks left behind */
#define R_SILENT   8  /* an error without a reason */
#define R_NOMEM    16 /* the error was "out of memory" */
#define R_HANG_LIB 64 /* still running after HANG_SEC, inside libxml2 */
#define R_HANG     65 /* still running after HANG_SEC, elsewhere */
#define HANG_SEC   3

/* SIGALRM in the child: where is it stuck? */
static void
on_alarm(int sig, siginfo_t *si, void *uc)
{
	void *pc = (void *)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP], *bt[32];
	int i, n = backtrace(bt, 32);

	(void)sig;
	(void)si;
	if (from_libxml2(pc))
		_exit(R_HANG_LIB);
	for (i = 0; i < n; i++)
		if (from_libxml2(bt[i]))
			_exit(R_HANG_LIB);
	_exit(R_HANG);
}

/* Run the scenario with the Kth allocation failing, in a child: a crash
 * or a hang there is counted, not fatal to the test. */
static int
run_k(struct ctx *c, scenario_fn fn, long k)
{
	struct sigaction sa = { .sa_sigaction = on_alarm, .sa_flags = SA_SIGINFO };
	struct lr_err err;
	int status, r = 0;
	long before;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid > 0)
		return waitpid(pid, &status, 0) == pid ? status : -1;
	sigaction(SIGALRM, &sa, NULL);
	alarm(HANG_SEC);
	memset(&err, 0, sizeof(err));
	before = atomic_load(&live);
	atomic_store(&calls, 0);
	atomic_store(&fail_at, k);
	r |= fn(c, &err) != LR_OK ? R_FAILED : 0;
	atomic_store(&fail_at, 0);
	xmlResetLastError(); /* libxml2 keeps the last error's strings */
	xmlCleanupParser();  /* and caches that a failure may have begun */
	r |= atomic_load(&failed) ? R_REACHED : 0;
	r |= atomic_load(&live) > before ? R_LEAK : 0;
	r |= (r & R_FAILED) && err.reason[0] == '\0' ? R_SILENT : 0;
	r |= (r & R_FAILED) && err.code == LR_ERR_NOMEM ? R_NOMEM : 0;
	_exit(r);
}

struct tally {
	long steps, crashes, hangs_lib, hangs, leaks, silent, nomem, recovered;
};

static void
tally_report(const char *name, const struct tally *t)
{
	tap_ok(t->steps > 1 && t->steps < MAX_STEPS && t->crashes == 0,
	       "%s: %ld allocations failed in turn, no crash (%ld out of memory, %ld recovered)",
	       name, t->steps - 1, t->nomem, t->recovered);
	tap_ok(t->leaks == 0, "%s: nothing leaked after any of them (%ld leaked)", name, t->leaks);
	tap_ok(t->silent == 0, "%s: every failure has a reason (%ld without)", name, t->silent);
	tap_ok(t->hangs == 0, "%s: no hang in llmref's code (%ld)", name, t->hangs);
	tap_ok(t->hangs_lib == 0, "%s: no hang inside libxml2 either (%ld)", name, t->hangs_lib);
}

/* K = 1, 2, ... until the scenario no longer reaches K. */
static void
fail_in_turn(struct ctx *c, const char *name, scenario_fn fn)
{
	struct tally t = { 0 };
	struct lr_err err = { 0 };
	int st, r;

	if (getenv("ALLOCFAIL_DEBUG") != NULL) { /* "NAME-PREFIX:K": one step, here */
		const char *d = getenv("ALLOCFAIL_DEBUG"), *colon = strchr(d, ':');
		if (colon != NULL && strncmp(name, d, (size_t)(colon - d)) == 0) {
			atomic_store(&fail_at, strtol(colon + 1, NULL, 10));
			fn(c, &err);
			atomic_store(&fail_at, 0);
			xmlResetLastError();
			printf("# debug %s: %s\n", d, err.reason);
		}
		return;
	}
	atomic_store(&calls, 0);
	atomic_store(&fail_at, MAX_STEPS * 100L); /* count only */
	tap_ok(fn(c, &err) == LR_OK, "%s: runs without failures (%s)", name, err.reason);
	atomic_store(&fail_at, 0);
	printf("# %s: %ld allocation calls\n", name, atomic_load(&calls));
	for (t.steps = 1; t.steps < MAX_STEPS; t.steps++) {
		st = run_k(c, fn, t.steps);
		if (st < 0 || WIFSIGNALED(st)) {
			printf("# %s: K=%ld: crashed (signal %d)\n", name, t.steps,
			       st < 0 ? -1 : WTERMSIG(st));
			t.crashes++;
			continue;
		}
		r = WEXITSTATUS(st);
		if (r == R_HANG_LIB || r == R_HANG) {
			printf("# %s: K=%ld: still running after %d s, %s\n", name, t.steps,
			       HANG_SEC, r == R_HANG_LIB ? "inside libxml2" : "NOT in libxml2");
			*(r == R_HANG_LIB ? &t.hangs_lib : &t.hangs) += 1;
			continue;
		}
		if (!(r & R_REACHED))
			break; /* K is past the scenario's last allocation */
		if (r & R_LEAK)
			printf("# %s: K=%ld: leaked\n", name, t.steps);
		if (r & R_SILENT)
			printf("# %s: K=%ld: failed with no reason\n", name, t.steps);
		t.leaks += (r & R_LEAK) != 0;
		t.silent += (r & R_SILENT) != 0;
		t.nomem += (r & R_NOMEM) != 0;
		t.recovered += !(r & R_FAILED);
	}
	tally_report(name, &t);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = __real_malloc((size_t)n + 1)) != NULL) {
		*len = fread(p, 1, (size_t)n, f);
		p[*len] = '\0';
	}
	fclose(f);
	return p;
}

int
main(void)
{
	const char *top = getenv("LLMREF_SRCDIR");
	char path[1024], conf[] = "/tmp/llmref-allocfail-XXXXXX";
	struct ctx c = { 0 };
	struct lr_err err = { 0 };
	FILE *f;
	int fd, port;

	/* the hooks first, before any library allocates */
	curl_global_init_mem(CURL_GLOBAL_DEFAULT, __wrap_malloc, __wrap_free, __wrap_realloc,
			     __wrap_strdup, __wrap_calloc);
	xmlMemSetup(__wrap_free, __wrap_malloc, __wrap_realloc, __wrap_strdup);
	xmlInitParser();
	json_set_alloc_funcs(__wrap_malloc, __wrap_free);
	if (top == NULL) {
		printf("1..0 # SKIP LLMREF_SRCDIR not set\n");
		return 0;
	}
	fd = mkstemp(conf);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (f == NULL)
		return 1;
	fprintf(f, "[paths]\nsources = %s/conf/sources.d\naliases = %s/conf/aliases.conf\n", top,
		top);
	fclose(f);
	c.conf_path = conf;
	c.cfg = config_load(conf, &err);
	snprintf(path, sizeof(path), "%s/tests/fixtures/pages/fireworks.ai/pricing", top);
	c.html = slurp(path, &c.html_len);
	snprintf(path, sizeof(path),
		 "%s/tests/fixtures/pages/openrouter.ai/api/v1/models/__index__", top);
	c.json = slurp(path, &c.json_len);
	if (!tap_ok(c.cfg != NULL && c.html != NULL && c.json != NULL,
		    "the shipped configuration and two fixture pages load (%s)", err.reason))
		return tap_done();
	port = c.html ? server_start(c.html, c.html_len) : -1;
	snprintf(c.url, sizeof(c.url), "http://127.0.0.1:%d/pricing", port);
	fail_in_turn(&c, "config_load (20 shipped sources)", sc_config);
	spare_libxml2 = 1;
	fail_in_turn(&c, "extract + normalize, HTML (fireworks; libxml2's own spared)", sc_html);
	spare_libxml2 = 0;
	fail_in_turn(&c, "extract + normalize, JSON (openrouter)", sc_json);
	tap_ok(port > 0, "a server on 127.0.0.1:%d", port);
	if (port > 0) {
		fail_in_turn(&c, "fetch over HTTP (libcurl)", sc_fetch);
		fail_in_turn(&c, "fetch with two jobs added while one runs", sc_fetch_more);
	}
	config_free(c.cfg);
	__real_free((void *)c.html);
	__real_free((void *)c.json);
	unlink(conf);
	curl_global_cleanup();
	return tap_done();
}
