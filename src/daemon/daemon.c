/* daemon.c - the long-running llmref: one loop that sleeps in poll()
 * until the next source is due or a signal arrives (signalfd), refreshes
 * what is due, runs the diff stage, and tells systemd how it is doing. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <malloc.h>
#include <systemd/sd-daemon.h>

#include "core/clock.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "daemon/daemon.h"
#include "diff/diff_run.h"
#include "diff/diff_site.h"
#include "core/log.h"
#include "daemon/refresh.h"
#include "daemon/schedule.h"

#define DB_BACKOFF_MIN_MS 1000
#define DB_BACKOFF_MAX_MS 60000
#define BATCH_PASS_MS     5000 /* a diff pass at least this often while pages run */
#define SITE_SHARE        10   /* while pages run, [export] dir takes at most 1/10 of the time */

struct daemon {
	const struct daemon_opts *o;
	struct config *cfg;
	struct catalog *cat; /* NULL while the database is away */
	struct schedule sched;
	int sfd;
	int stop;
	int reload; /* SIGHUP seen: reload once no batch is running */
	int64_t db_retry_ms;
	long db_backoff_ms;
	char db_error[256];
	uint64_t watchdog_usec; /* 0: no watchdog */
	int64_t last_ping_ms;
	json_t *stats; /* {source id: {"ok", "failures", "last_success", ...}} */
	char last_error[300];
	struct log_complaint metrics_fail; /* the metrics file cannot be written */
	struct log_complaint diff_fail;    /* the diff pass (or its spool) fails */
	struct log_complaint site_fail;    /* [export] dir cannot be written */
	int site_written;                  /* the tree was written once */
	int site_stale;                    /* models changed since it was written */
	int64_t site_ms;                   /* when it was last written */
	int64_t site_cost_ms;              /* how long that took */
	long results;                      /* since the last diff pass */
	int64_t last_pass_ms;
};

static int
signals_init(void)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0)
		return -1;
	return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Ping systemd's watchdog at half its interval while the loop runs. A
 * database that is away does not stop the pings: restarting llmref would
 * not bring it back; STATUS and an error line say it instead. */
static void
watchdog_ping(struct daemon *d)
{
	int64_t now = clock_mono_ms();

	if (d->watchdog_usec == 0 || (now - d->last_ping_ms) * 2000 < (int64_t)d->watchdog_usec)
		return;
	sd_notify(0, "WATCHDOG=1");
	d->last_ping_ms = now;
}

static void
status_update(struct daemon *d)
{
	long ok = 0, failing = 0;
	int64_t wait = schedule_wait_ms(&d->sched, clock_mono_ms());
	const char *id;
	json_t *s;

	json_object_foreach(d->stats, id, s)
	{
		if (json_integer_value(json_object_get(s, "failures")) > 0)
			failing++;
		else if (json_object_get(s, "last_success") != NULL)
			ok++;
	}
	sd_notifyf(0, "STATUS=%zu sources: %ld ok, %ld failing; next run in %llds; database %s%s",
		   d->sched.n, ok, failing, wait < 0 ? -1LL : (long long)(wait / 1000),
		   d->cat ? "ok" : "unavailable: ", d->cat ? "" : d->db_error);
}

static int batch_interrupt(void *ctx);

/* Connect, check the schema, configure; on failure plan the next try
 * (doubling from 1 s to 60 s) and say so once per change of state. */
static void
db_connect(struct daemon *d)
{
	struct lr_err err = { 0 };
	char text[LR_ERR_REASON_MAX + 64];

	if (catalog_connect(d->cfg->conninfo, batch_interrupt, d, &d->cat, &err) == LR_OK &&
	    catalog_check_schema(d->cat, &err) == LR_OK) {
		catalog_configure(d->cat, d->cfg);
		catalog_set_lock_wait(d->cat, 0); /* busy: another instance runs it */
		if (d->db_error[0] != '\0') {
			char what[400];
			snprintf(what, sizeof(what), "the daemon lost the database: %s; recovered",
				 d->db_error);
			log_info("database: recovered; refreshing as scheduled");
			if (catalog_alert_database(d->cat, what, &err) != LR_OK)
				log_err("database: cannot record its absence as an alert");
		}
		d->db_error[0] = '\0';
		d->db_backoff_ms = 0;
		return;
	}
	catalog_close(d->cat);
	d->cat = NULL;
	lr_err_text(&err, text, sizeof(text));
	if (strcmp(text, d->db_error) != 0)
		log_err("database unavailable: %s; retrying with backoff", text);
	lr_strlcpy(d->db_error, text, sizeof(d->db_error));
	d->db_backoff_ms = d->db_backoff_ms ? d->db_backoff_ms * 2 : DB_BACKOFF_MIN_MS;
	if (d->db_backoff_ms > DB_BACKOFF_MAX_MS)
		d->db_backoff_ms = DB_BACKOFF_MAX_MS;
	d->db_retry_ms = clock_mono_ms() + d->db_backoff_ms;
}

/* After a database error: if the connection is gone, drop it. */
static void
db_check(struct daemon *d)
{
	if (d->cat != NULL && !catalog_connected(d->cat)) {
		catalog_close(d->cat);
		d->cat = NULL;
		lr_strlcpy(d->db_error, "connection lost", sizeof(d->db_error));
		log_err("database: connection lost; reconnecting with backoff");
		d->db_backoff_ms = DB_BACKOFF_MIN_MS;
		d->db_retry_ms = clock_mono_ms() + d->db_backoff_ms;
	}
}

/* The per-source figures kept for STATUS and the metrics file. */
static json_t *
stat_of(struct daemon *d, const char *id)
{
	json_t *s = json_object_get(d->stats, id);

	if (s == NULL) {
		s = json_object();
		json_object_set_new(d->stats, id, s);
	}
	return s;
}

static void
stat_count(json_t *s, const char *key, json_int_t add)
{
	json_object_set_new(s, key,
			    json_integer(json_integer_value(json_object_get(s, key)) + add));
}

/* One line per outcome; a failure repeated is logged at the 1st, 2nd,
 * 4th, 8th... time, then one "recovered" line. */
static void
report_log(const struct refresh_result *r, json_int_t failures, int ok)
{
	char text[LR_ERR_SOURCE_MAX + LR_ERR_URL_MAX + LR_ERR_REASON_MAX + 32];

	if (r->outcome == REFRESH_STOPPED)
		log_info("source %s: stopped before its page arrived; run %lld closed, nothing "
			 "applied",
			 r->src->id, r->run_id);
	else if (r->outcome == REFRESH_SKIPPED || r->outcome == REFRESH_BUSY)
		log_info("source %s: %s by another instance; skipped", r->src->id,
			 r->outcome == REFRESH_BUSY ? "being refreshed" : "just refreshed");
	else if (ok && failures > 0)
		log_info("source %s: recovered after %lld failed run(s) (run %lld)", r->src->id,
			 (long long)failures, r->run_id);
	else if (ok && r->outcome == REFRESH_QUARANTINED)
		log_warn("source %s: run %lld quarantined: %s", r->src->id, r->run_id,
			 r->stats.quarantine);
	else if (ok)
		log_info("source %s: %s, %ld rows: %ld added, %ld changed, %ld gone (run %lld)",
			 r->src->id, r->outcome == REFRESH_UNCHANGED ? "unchanged" : "ok",
			 r->stats.extracted, r->stats.added, r->stats.changed, r->stats.gone,
			 r->run_id);
	else if (log_complaint_due(&(struct log_complaint){ (unsigned long)failures }))
		log_err("%s (run %lld; %lld failed run(s) in a row)",
			lr_err_text(&r->err, text, sizeof(text)), r->run_id,
			(long long)failures + 1);
}

/* refresh_sources callback: schedule, log, count, ping. */
static void
on_result(const struct refresh_result *r, void *ctx)
{
	struct daemon *d = ctx;
	json_t *s = stat_of(d, r->src->id);
	json_int_t failures = json_integer_value(json_object_get(s, "failures"));
	int ok = r->outcome != REFRESH_FAILED && r->outcome != REFRESH_DB_ERROR;

	report_log(r, failures, ok);
	if (r->outcome == REFRESH_STOPPED)
		return; /* neither a success nor the source's failure */
	if (schedule_done(&d->sched, r->src->id, ok, clock_mono_ms()) == 1)
		log_warn("source %s: the run took longer than its interval (%ld s)", r->src->id,
			 r->src->interval_sec);
	if (r->retry_after_ms > 0 &&
	    schedule_not_before(&d->sched, r->src->id, clock_mono_ms() + r->retry_after_ms) == 0)
		log_info("source %s: next run not before the provider's Retry-After (%lld s)",
			 r->src->id, (r->retry_after_ms + 999) / 1000);
	json_object_set_new(s, "failures", json_integer(ok ? 0 : failures + 1));
	if (ok && r->outcome != REFRESH_BUSY)
		json_object_set_new(s, "last_success", json_integer((json_int_t)time(NULL)));
	json_object_set_new(s, "duration_ms", json_integer((json_int_t)(r->seconds * 1000)));
	json_object_set_new(s, "rows", json_integer(r->stats.extracted));
	stat_count(s, ok ? "runs_ok" : "runs_failed", 1);
	d->results++;
	if (!ok)
		lr_err_text(&r->err, d->last_error, sizeof(d->last_error));
	watchdog_ping(d);
}

/* One gauge line per source into f. */
static void
metrics_gauge(FILE *f, const char *name, const char *help, const char *key, json_t *stats)
{
	const char *id;
	json_t *s, *v;

	fprintf(f, "# HELP llmref_source_%s %s\n# TYPE llmref_source_%s gauge\n", name, help, name);
	json_object_foreach(stats, id, s)
	{
		if ((v = json_object_get(s, key)) != NULL)
			fprintf(f, "llmref_source_%s{source=\"%s\"} %lld\n", name, id,
				(long long)json_integer_value(v));
	}
}

/* The Prometheus text file (node_exporter's textfile collector): written
 * to a temporary name beside it, then renamed, so it is never half seen. */
static void
metrics_write(struct daemon *d)
{
	const char *path = d->cfg->daemon_metrics_file;
	char tmp[4096];
	FILE *f;
	int ok, fd;

	if (path[0] == '\0')
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	(void)unlink(tmp); /* a stale name, or a link planted there: the new file is ours */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (f == NULL) {
		if (fd >= 0)
			close(fd);
		log_complain(&d->metrics_fail, LOG_LVL_ERR, "metrics: %s: %s", tmp,
			     strerror(errno));
		return;
	}
	metrics_gauge(f, "last_success_timestamp_seconds", "Last successful run.", "last_success",
		      d->stats);
	metrics_gauge(f, "consecutive_failures", "Failed runs in a row.", "failures", d->stats);
	metrics_gauge(f, "last_duration_milliseconds", "Duration of the last run.", "duration_ms",
		      d->stats);
	metrics_gauge(f, "rows_extracted", "Rows the last run extracted.", "rows", d->stats);
	metrics_gauge(f, "runs_ok_total", "Runs that succeeded since start.", "runs_ok", d->stats);
	metrics_gauge(f, "runs_failed_total", "Runs that failed since start.", "runs_failed",
		      d->stats);
	fprintf(f, "# TYPE llmref_database_up gauge\nllmref_database_up %d\n", d->cat != NULL);
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok &= fclose(f) == 0;
	if (!ok || rename(tmp, path) != 0) {
		log_complain(&d->metrics_fail, LOG_LVL_ERR, "metrics: %s: %s", path,
			     strerror(errno));
		(void)unlink(tmp);
		return;
	}
	log_release(&d->metrics_fail, LOG_LVL_INFO, "metrics: %s written again", path);
}

/* [export] dir: the page builders' tree brought up to date, once at
 * start and after passes that changed models: after the batch, and while
 * pages are on their way no more often than keeps it to 1/SITE_SHARE of
 * the time (a large tree takes a while, and transfers wait meanwhile). */
static void
site_after_pass(struct daemon *d, int in_batch)
{
	struct diff_site_stats st = { 0 };
	struct lr_err err = { 0 };
	char text[LR_ERR_REASON_MAX + 64];

	if (d->cfg->export_dir[0] == '\0' || (d->site_written && !d->site_stale) ||
	    (in_batch && d->site_written &&
	     clock_mono_ms() - d->site_ms < SITE_SHARE * d->site_cost_ms))
		return;
	d->site_ms = clock_mono_ms();
	if (diff_site_write(d->cat, d->cfg, d->cfg->export_dir, &st, &err) != LR_OK) {
		log_complain(&d->site_fail, LOG_LVL_ERR, "export site: %s",
			     lr_err_text(&err, text, sizeof(text)));
		return;
	}
	d->site_written = 1;
	d->site_stale = 0;
	d->site_cost_ms = clock_mono_ms() - d->site_ms;
	log_release(&d->site_fail, LOG_LVL_INFO, "export site: written again");
	if (st.written > 0 || st.removed > 0)
		log_info("export site: %s: %ld files, %ld written, %ld removed", d->cfg->export_dir,
			 st.files, st.written, st.removed);
}

/* The diff pass after a batch (or during one); a failure that repeats
 * is logged as a throttled complaint, its end once. */
static void
diff_after_batch(struct daemon *d, int in_batch)
{
	struct diff_pass dp;
	struct lr_err err = { 0 };
	char text[LR_ERR_REASON_MAX + 64];

	if (diff_run(d->cat, d->cfg, &dp, &err) != LR_OK) {
		log_complain(&d->diff_fail, LOG_LVL_ERR, "diff: %s",
			     lr_err_text(&err, text, sizeof(text)));
		return; /* the caller checks the connection, once no refresh uses it */
	}
	log_release(&d->diff_fail, LOG_LVL_INFO, "diff: the diff pass works again");
	if (dp.dirty > 0)
		log_info("diff: %ld model(s) changed; %ld record(s) recomputed, %ld changed",
			 dp.dirty, dp.recomputed, dp.changed);
	d->site_stale |= dp.dirty > 0;
	site_after_pass(d, in_batch);
}

/* What follows the results: the diff pass, the metrics file, STATUS. */
static void
after_results(struct daemon *d, int in_batch)
{
	if (d->cat != NULL)
		diff_after_batch(d, in_batch);
	metrics_write(d);
	status_update(d);
	d->results = 0;
	d->last_pass_ms = clock_mono_ms();
}

/* refresh_sources' more hook, asked while pages are on their way: the
 * results so far get their diff pass every BATCH_PASS_MS, and a source
 * that fell due begins at once, whatever is still in flight. None while
 * stopping or reloading (the batch drains first), or with --once. */
static const struct source *
batch_more(void *ctx, long *wait_ms)
{
	struct daemon *d = ctx;
	int64_t now = clock_mono_ms(), w;
	const struct source *src;
	size_t i;

	if (d->stop || d->reload || d->o->once || !catalog_connected(d->cat))
		return NULL;
	if (d->results > 0 && now - d->last_pass_ms >= BATCH_PASS_MS)
		after_results(d, 1);
	if (schedule_due(&d->sched, now, &i, 1) != 1 ||
	    (src = config_find_source(d->cfg, d->sched.v[i].id)) == NULL) {
		w = schedule_wait_ms(&d->sched, now);
		if (w >= 0 && w < *wait_ms)
			*wait_ms = (long)w;
		return NULL;
	}
	schedule_start(&d->sched, i, now);
	return src;
}

/* Refresh every due source together, then the diff stage. */
static void
run_due(struct daemon *d)
{
	/* another daemon on the catalog that began a source within half its
	 * interval has run it: skip (each due run happens once). Each source
	 * begins when due (with --once, sources that create models first). */
	struct refresh_opts ro = { .trigger = "daemon",
				   .claim = 1,
				   .unordered = !d->o->once,
				   .interrupt = batch_interrupt,
				   .interrupt_ctx = d,
				   .wake_fd = d->sfd,
				   .more = batch_more,
				   .more_ctx = d };
	enum lr_code rc;
	size_t *idx = calloc(d->sched.n + 1, sizeof(*idx)), n, i, m = 0;
	const struct source **srcs = calloc(d->sched.n + 1, sizeof(*srcs));
	int64_t now = clock_mono_ms();

	n = idx && srcs ? schedule_due(&d->sched, now, idx, d->sched.n) : 0;
	if (idx == NULL || srcs == NULL)
		log_err("daemon: out of memory for a batch of %zu sources", d->sched.n);
	for (i = 0; i < n; i++) {
		const struct source *src = config_find_source(d->cfg, d->sched.v[idx[i]].id);
		if (src == NULL)
			continue;
		schedule_start(&d->sched, idx[i], now);
		srcs[m++] = src;
	}
	free(idx);
	if (m == 0) {
		free(srcs);
		return;
	}
	rc = refresh_sources(d->cfg, d->cat, srcs, m, &ro, on_result, d);
	free(srcs);
	if (rc != LR_OK && rc != LR_ERR_STOPPED)
		log_err("refresh: %s", lr_code_name(rc));
	db_check(d);
	if (d->stop) /* dirty models stay dirty: the next start diffs them */
		return;
	after_results(d, 0);
	db_check(d);
	malloc_trim(0); /* give a batch's pages back: the daemon idles small */
}

/* Keys applied at start only keep their running value; say so. */
static void
reload_keep_start_keys(const struct config *old, struct config *cfg)
{
	char names[256];

	if (config_reload_keep(old, cfg, names, sizeof(names)) > 0)
		log_warn("reload: %s changed, but applies at start only: keeping the running "
			 "value until llmref restarts",
			 names);
}

/* Each source file of cfg that did not load, said (it is left out). */
static void
say_broken(const struct config *cfg, const char *who)
{
	char text[LR_ERR_SOURCE_MAX + LR_ERR_URL_MAX + LR_ERR_REASON_MAX + 32];
	size_t i;

	for (i = 0; i < cfg->nbroken; i++)
		log_err("%s: %s; this source is left out", who,
			lr_err_text(&cfg->broken[i].err, text, sizeof(text)));
}

/* A source that runs now whose file no longer loads: the new config
 * would stop it, so the running one is kept (a new file that is broken, a
 * draft, is only left out). */
static const struct broken_source *
reload_breaks_running(const struct config *old, const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nbroken; i++)
		if (config_find_source(old, cfg->broken[i].id) != NULL)
			return &cfg->broken[i];
	return NULL;
}

/* SIGHUP: build a new config and swap it in only if it is good. */
static void
reload(struct daemon *d)
{
	struct lr_err err = { 0 };
	char text[LR_ERR_SOURCE_MAX + LR_ERR_URL_MAX + LR_ERR_REASON_MAX + 32];
	const struct broken_source *b;
	struct config *cfg;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)clock_mono_usec());
	cfg = config_load(d->o->config_path, &err);
	if (cfg != NULL && (b = reload_breaks_running(d->cfg, cfg)) != NULL) {
		err = b->err;
		config_free(cfg);
		cfg = NULL;
	}
	if (cfg == NULL) {
		log_err("reload: %s; keeping the running configuration",
			lr_err_text(&err, text, sizeof(text)));
	} else if (schedule_update(&d->sched, cfg, clock_mono_ms()) != 0) {
		log_err("reload: out of memory; keeping the running configuration");
		config_free(cfg);
	} else {
		reload_keep_start_keys(d->cfg, cfg);
		config_free(d->cfg);
		d->cfg = cfg;
		d->site_written = 0; /* [export] dir may have moved: write it whole */
		if (d->cat != NULL) {
			catalog_configure(d->cat, cfg);
			catalog_set_lock_wait(d->cat, 0);
		}
		log_info("reload: %s: %zu sources", cfg->path, cfg->nsources);
		say_broken(cfg, "reload");
	}
	sd_notify(0, "READY=1");
	status_update(d);
}

/* Read the signals that arrived: SIGHUP asks for a reload (done between
 * batches, never under a running one), SIGTERM and SIGINT for a stop. */
static void
on_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			d->reload = 1;
		} else if (!d->stop) {
			d->stop = 1;
			sd_notify(0, "STOPPING=1");
			log_info("daemon: %s: stopping; runs in flight are closed, nothing half "
				 "applied",
				 strsignal((int)si.ssi_signo));
		}
	}
}

/* refresh_sources' interrupt hook, called while pages are on their way:
 * read signals, keep the watchdog fed, say whether to stop. */
static int
batch_interrupt(void *ctx)
{
	struct daemon *d = ctx;

	on_signals(d);
	watchdog_ping(d);
	return d->stop;
}

/* How long to sleep: until the next source is due, the next database
 * try, or the next watchdog ping, whichever comes first. */
static int
loop_wait_ms(struct daemon *d)
{
	int64_t now = clock_mono_ms(), w = schedule_wait_ms(&d->sched, now), t;

	/* a time already past is "now", never "no timeout" */
	if (d->cat == NULL) {
		t = d->db_retry_ms > now ? d->db_retry_ms - now : 0;
		w = w < 0 || t < w ? t : w;
	}
	if (d->watchdog_usec > 0) {
		t = (int64_t)(d->watchdog_usec / 2000) - (now - d->last_ping_ms);
		t = t > 0 ? t : 0;
		w = w < 0 || t < w ? t : w;
	}
	if (w < 0 && d->o->once)
		w = 0;
	return w < 0 ? -1 : w > 3600000 ? 3600000 : (int)w;
}

static void
loop(struct daemon *d)
{
	struct pollfd pfd = { d->sfd, POLLIN, 0 };

	while (!d->stop) {
		if (d->reload) {
			d->reload = 0;
			reload(d);
		}
		if (d->cat == NULL && clock_mono_ms() >= d->db_retry_ms)
			db_connect(d);
		if (d->cat != NULL)
			run_due(d);
		if (d->stop || d->reload) /* a signal came during the batch */
			continue;
		watchdog_ping(d);
		status_update(d);
		if (d->o->once && d->cat != NULL &&
		    schedule_wait_ms(&d->sched, clock_mono_ms()) != 0)
			break;
		if (poll(&pfd, 1, loop_wait_ms(d)) > 0)
			on_signals(d);
	}
}

static int
daemon_start(struct daemon *d, const struct daemon_opts *o)
{
	struct lr_err err = { 0 };
	char text[LR_ERR_REASON_MAX + 64];
	size_t i;

	if (geteuid() == 0 && !o->allow_root) {
		log_err("daemon: refusing to run as root: run it as its own user (the shipped "
			"unit uses DynamicUser=), or pass --allow-root");
		return EXIT_USAGE;
	}
	d->cfg = config_load(o->config_path, &err);
	if (d->cfg == NULL) {
		log_err("%s", lr_err_text(&err, text, sizeof(text)));
		return EXIT_CONFIG;
	}
	d->stats = json_object();
	d->sfd = signals_init();
	if (d->stats == NULL || d->sfd < 0 ||
	    schedule_init(&d->sched, d->cfg, (uint64_t)getpid() ^ (uint64_t)time(NULL),
			  clock_mono_ms()) != 0) {
		log_err("daemon: cannot start: %s", strerror(errno ? errno : ENOMEM));
		return EXIT_INTERNAL;
	}
	for (i = 0; o->once && i < d->sched.n; i++)
		d->sched.v[i].due_ms = clock_mono_ms();
	if (sd_watchdog_enabled(0, &d->watchdog_usec) <= 0)
		d->watchdog_usec = 0;
	d->last_ping_ms = clock_mono_ms();
	return 0;
}

int
daemon_run(const struct daemon_opts *o)
{
	struct daemon d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.o = o;
	d.sfd = -1;
	rc = daemon_start(&d, o);
	if (rc == 0) {
		log_info("daemon: %s: %zu sources; pid %ld", d.cfg->path, d.cfg->nsources,
			 (long)getpid());
		say_broken(d.cfg, "daemon");
		db_connect(&d);
		/* Ready once the config is loaded and the database was tried:
		 * one that is away is retried, and STATUS says so. */
		sd_notify(0, "READY=1");
		status_update(&d);
		loop(&d);
		sd_notify(0, "STOPPING=1");
		log_info("daemon: stopped");
	}
	catalog_close(d.cat);
	schedule_free(&d.sched);
	config_free(d.cfg);
	json_decref(d.stats);
	if (d.sfd >= 0)
		close(d.sfd);
	return rc;
}
