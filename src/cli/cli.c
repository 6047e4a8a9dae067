/* cli.c - the llmref command: global options, the command table and the
 * thin command functions that call the stages. */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/file.h"
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "config/config.h"
#include "fetch/fetch.h"
#include "core/log.h"
#include "daemon/refresh.h"
#include "daemon/daemon.h"
#include "extract/extract.h"
#include "normalize/normalize.h"
#include "diff/diff_run.h"

struct cli {
	const char *config_path;
	int verbose;
	struct config *cfg;
	struct catalog *cat;
};

struct command {
	const char *name; /* "db migrate" is two words */
	int (*run)(struct cli *c, int argc, char **argv);
	const char *usage;
	const char *summary;
};

static int cmd_db_migrate(struct cli *c, int argc, char **argv);
static int cmd_refresh(struct cli *c, int argc, char **argv);
static int cmd_export_catalog(struct cli *c, int argc, char **argv);
static int cmd_reparse(struct cli *c, int argc, char **argv);
static int cmd_status(struct cli *c, int argc, char **argv);
static int cmd_unmatched(struct cli *c, int argc, char **argv);
static int cmd_sources_check(struct cli *c, int argc, char **argv);
static int cmd_sources_test(struct cli *c, int argc, char **argv);
static int cmd_sources_list(struct cli *c, int argc, char **argv);
static int cmd_conflicts(struct cli *c, int argc, char **argv);
static int cmd_review(struct cli *c, int argc, char **argv);
static int cmd_show_model(struct cli *c, int argc, char **argv);
static int cmd_history(struct cli *c, int argc, char **argv);
static int cmd_export_comparison(struct cli *c, int argc, char **argv);
static int cmd_export_model(struct cli *c, int argc, char **argv);
static int cmd_events(struct cli *c, int argc, char **argv);
static int cmd_alerts(struct cli *c, int argc, char **argv);
static int cmd_daemon(struct cli *c, int argc, char **argv);

static const struct command commands[] = {
	{ "db migrate", cmd_db_migrate, "db migrate",
	  "apply pending schema migrations (safe to repeat)" },
	{ "refresh", cmd_refresh,
	  "refresh (--all | --provider NAME | --source ID [--accept]) [--dry-run [--json]] "
	  "[--no-progress]",
	  "fetch, extract, normalize and store sources" },
	{ "export catalog", cmd_export_catalog, "export catalog",
	  "print the catalog as JSON on stdout" },
	{ "export comparison", cmd_export_comparison, "export comparison MODEL-A MODEL-B",
	  "print the comparison record of two models as JSON" },
	{ "export model", cmd_export_model, "export model ID",
	  "print one model's half of a comparison record as JSON" },
	{ "events", cmd_events, "events [--since ID] [--follow] [--limit N]",
	  "print the change feed after event ID as JSON lines" },
	{ "alerts", cmd_alerts, "alerts [--json]", "open alerts: what, since when and why" },
	{ "daemon", cmd_daemon, "daemon [--allow-root] [--once]",
	  "run every source on its schedule until stopped (systemd: llmref.service)" },
	{ "status", cmd_status, "status [--json]",
	  "every source's last attempt, last success, failures and last error" },
	{ "sources check", cmd_sources_check, "sources check",
	  "validate llmref.conf and every source file (file:line errors)" },
	{ "sources test", cmd_sources_test, "sources test ID [--page FILE | --fetch]",
	  "print the rows a source yields from a saved page or a live fetch; writes nothing" },
	{ "sources list", cmd_sources_list, "sources list [--providers]",
	  "print every source id (or provider name) one a line, for scripts and completion" },
	{ "unmatched", cmd_unmatched, "unmatched [--json]",
	  "model names that match no known model, waiting for a model or an alias" },
	{ "reparse", cmd_reparse, "reparse --source ID",
	  "re-read the source's last stored page without fetching" },
	{ "conflicts", cmd_conflicts, "conflicts [--json]",
	  "facts on which two sources disagree beyond the tolerance" },
	{ "review", cmd_review, "review [--json]",
	  "runs held back by the quarantine guard, with their would-be diffs" },
	{ "show model", cmd_show_model, "show model ID [--json]",
	  "one model: facts with sources and review dates, routes and prices" },
	{ "history", cmd_history, "history --model ID [--provider NAME] [--json]",
	  "price history of a model's routes" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: llmref [-c FILE] [-v] COMMAND [ARGS]\n"
		"       llmref --version | --help\n\n"
		"options:\n"
		"  -c, --config FILE  configuration file (default: $LLMREF_CONFIG,\n"
		"                     else %s)\n"
		"  -v, --verbose      more log output\n\ncommands:\n",
		SYSCONFDIR "/llmref/llmref.conf");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-48s %s\n", commands[i].usage, commands[i].summary);
	fprintf(f, "\nexit status: 0 ok, 1 a source failed, 2 usage, 3 configuration,\n"
		   "4 database, 5 busy (another refresh holds the lock), 70 internal.\n"
		   "Run 'llmref COMMAND --help' for a command's options; see llmref(1).\n");
}

static int
exit_for(enum lr_code rc)
{
	switch (rc) {
	case LR_OK: return EXIT_OK;
	case LR_ERR_USAGE: return EXIT_USAGE;
	case LR_ERR_CONFIG: return EXIT_CONFIG;
	case LR_ERR_DB: return EXIT_DATABASE;
	case LR_ERR_BUSY: return EXIT_BUSY;
	case LR_ERR_FETCH:
	case LR_ERR_EXTRACT:
	case LR_ERR_NORMALIZE: return EXIT_SOURCE_FAILED;
	case LR_ERR_NOMEM:
	case LR_ERR_STOPPED:
	case LR_ERR_INTERNAL: break;
	}
	return EXIT_INTERNAL;
}

static int
report(const struct lr_err *err)
{
	char text[LR_ERR_SOURCE_MAX + LR_ERR_URL_MAX + LR_ERR_REASON_MAX + 32];

	log_err("%s", lr_err_text(err, text, sizeof(text)));
	return exit_for(err->code);
}

static int
cli_load_config(struct cli *c)
{
	struct lr_err err = { 0 };

	c->cfg = config_load(c->config_path, &err);
	return c->cfg ? EXIT_OK : report(&err);
}

/* Connect and, unless migrating, check the schema version. */
static int
cli_open_catalog(struct cli *c, int check_schema)
{
	struct lr_err err = { 0 };

	if (catalog_open(c->cfg->conninfo, &c->cat, &err) != LR_OK)
		return report(&err);
	if (check_schema && catalog_check_schema(c->cat, &err) != LR_OK)
		return report(&err);
	catalog_configure(c->cat, c->cfg);
	return EXIT_OK;
}

/* Parse a command's options; only --help for commands without any. */
static int
wants_help(int argc, char **argv, const char *usage_line)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: llmref [-c FILE] %s\n", usage_line);
			return 1;
		}
	}
	return 0;
}

static int
cmd_db_migrate(struct cli *c, int argc, char **argv)
{
	struct lr_err err = { 0 };
	int rc, applied = 0;

	if (wants_help(argc, argv, commands[0].usage))
		return EXIT_OK;
	if (argc > 1) {
		log_err("db migrate: unexpected argument '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 0)) != EXIT_OK)
		return rc;
	if (catalog_migrate(c->cat, &applied, &err) != LR_OK)
		return report(&err);
	printf("schema at version %d (%d migration%s applied now)\n",
	       catalog_schema_version_built(), applied, applied == 1 ? "" : "s");
	return EXIT_OK;
}

static int
cmd_export_catalog(struct cli *c, int argc, char **argv)
{
	struct lr_err err = { 0 };
	int rc;

	if (wants_help(argc, argv, commands[2].usage))
		return EXIT_OK;
	if (argc > 1) {
		log_err("export catalog: unexpected argument '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	if (catalog_export(c->cat, stdout, &err) != LR_OK)
		return report(&err);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

/* Which sources a refresh names: all, one provider's, or one; and how. */
struct selection {
	int all;
	const char *provider;
	const char *source;
	int dry_run;
	int accept;
	int json;
	int no_progress;
};

static int
refresh_parse(int argc, char **argv, const char *usage_line, struct selection *sel)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "provider", required_argument, NULL, 'p' },
		{ "source", required_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "accept", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'P': sel->no_progress = 1; break;
		case 'a': sel->all = 1; break;
		case 'p': sel->provider = optarg; break;
		case 's': sel->source = optarg; break;
		case 'n': sel->dry_run = 1; break;
		case 'A': sel->accept = 1; break;
		case 'j': sel->json = 1; break;
		case 'h': printf("usage: llmref [-c FILE] %s\n", usage_line); return -1;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_err("refresh: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (sel->all + (sel->provider != NULL) + (sel->source != NULL) != 1) {
		log_err("refresh: give exactly one of --all, --provider NAME, --source ID");
		return EXIT_USAGE;
	}
	if (sel->accept && (sel->source == NULL || sel->dry_run)) {
		log_err("refresh: --accept applies one source's quarantined run: give --source ID "
			"(and no --dry-run; llmref review shows what it would apply)");
		return EXIT_USAGE;
	}
	if (sel->json && !sel->dry_run) {
		log_err("refresh: --json goes with --dry-run");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int
refresh_selected(const struct source *s, const struct selection *sel)
{
	return sel->all || (sel->provider && strcmp(s->provider, sel->provider) == 0) ||
	       (sel->source && strcmp(s->id, sel->source) == 0);
}

/* Worst first: database, internal, source failure, busy. */
static int
exit_worse(int a, int b)
{
	static const int rank[] = { EXIT_DATABASE, EXIT_INTERNAL, EXIT_SOURCE_FAILED, EXIT_BUSY };
	size_t i;

	for (i = 0; i < sizeof(rank) / sizeof(rank[0]); i++)
		if (a == rank[i] || b == rank[i])
			return rank[i];
	return a != EXIT_OK ? a : b;
}

/* What the report callback keeps between sources: the worst exit status
 * and, on a terminal, the progress line and the rows of the summary. */
struct summary_row {
	const char *id;
	enum refresh_outcome outcome;
	long added, changed, gone;
	double seconds;
};

struct refresh_ui {
	int worst;
	int tty;      /* a progress line and a summary table, not one line each */
	int width;    /* of the terminal */
	size_t total; /* sources selected */
	size_t done;  /* sources reported, rows used in row[] */
	long rows;    /* rows read so far */
	struct summary_row *row;
};

static const char *
outcome_name(enum refresh_outcome o)
{
	switch (o) {
	case REFRESH_OK: return "ok";
	case REFRESH_UNCHANGED: return "unchanged";
	case REFRESH_QUARANTINED: return "quarantined";
	case REFRESH_PREVIEWED: return "previewed";
	case REFRESH_BUSY: return "busy";
	case REFRESH_SKIPPED: return "skipped";
	case REFRESH_STOPPED: return "stopped";
	case REFRESH_FAILED:
	case REFRESH_DB_ERROR: break;
	}
	return "failed";
}

/* The plain line of one source's result (no terminal, or --no-progress). */
static void
refresh_line(const struct refresh_result *r)
{
	switch (r->outcome) {
	case REFRESH_OK:
		printf("%s: ok, %ld rows: %ld added, %ld changed, %ld unchanged, %ld gone, %ld "
		       "unmatched (run %lld, %.2f s)\n",
		       r->src->id, r->stats.extracted, r->stats.added, r->stats.changed,
		       r->stats.unchanged, r->stats.gone, r->stats.unmatched, r->run_id,
		       r->seconds);
		break;
	case REFRESH_UNCHANGED:
		if (r->src->kind == SOURCE_CURATED)
			printf("%s: unchanged (same file, run %lld, %.2f s)\n", r->src->id,
			       r->run_id, r->seconds);
		else
			printf("%s: unchanged (HTTP %ld%s, run %lld, %.2f s)\n", r->src->id,
			       r->http_status, r->http_status == 304 ? "" : ", same body",
			       r->run_id, r->seconds);
		break;
	case REFRESH_QUARANTINED:
		printf("%s: quarantined, %ld rows: %s (run %lld%s, %.2f s)\n", r->src->id,
		       r->stats.extracted, r->stats.quarantine, r->run_id,
		       r->stats.quarantine_of ? ", same page as before" : "", r->seconds);
		break;
	case REFRESH_PREVIEWED:
		printf("%s: would add %ld, change %ld, miss %ld, leave %ld unchanged%s%s\n",
		       r->src->id, r->stats.added, r->stats.changed, r->stats.missing,
		       r->stats.unchanged, r->stats.quarantine[0] ? "; would be quarantined: " : "",
		       r->stats.quarantine);
		break;
	default:
		printf("%s: %s (run %lld, %.2f s)\n", r->src->id,
		       r->outcome == REFRESH_BUSY ? "busy" : "failed", r->run_id, r->seconds);
		break;
	}
}

/* Warnings and errors on stderr, and the exit status they make. */
static void
refresh_note(const struct refresh_result *r, int *worst)
{
	switch (r->outcome) {
	case REFRESH_OK:
		if (r->stats.rejected > 0)
			log_warn("source %s: %ld row(s) rejected and skipped; the first: %s",
				 r->src->id, r->stats.rejected, r->rejection);
		break;
	case REFRESH_QUARANTINED:
		log_warn("source %s: run %lld held back, the catalog keeps its values: %s; see "
			 "'llmref review', apply with 'llmref refresh --source %s --accept'",
			 r->src->id, r->run_id, r->stats.quarantine, r->src->id);
		*worst = exit_worse(*worst, EXIT_SOURCE_FAILED);
		break;
	case REFRESH_UNCHANGED:
	case REFRESH_PREVIEWED: break;
	default: *worst = exit_worse(*worst, report(&r->err)); break;
	}
}

/* Whether r brings a warning or an error to stderr. */
static int
refresh_noisy(const struct refresh_result *r)
{
	return r->outcome == REFRESH_OK
		   ? r->stats.rejected > 0
		   : r->outcome != REFRESH_UNCHANGED && r->outcome != REFRESH_PREVIEWED;
}

/* Rewrite the progress line: "[done/total] id: outcome, N rows; M in all",
 * cut to the terminal's width so that it never wraps. */
static void
progress_draw(const struct refresh_ui *ui, const struct refresh_result *r)
{
	char line[512];
	int n;

	if (r == NULL)
		n = snprintf(line, sizeof(line), "[0/%zu] refreshing %zu source%s...", ui->total,
			     ui->total, ui->total == 1 ? "" : "s");
	else
		n = snprintf(line, sizeof(line), "[%zu/%zu] %s: %s, %ld rows; %ld rows in all",
			     ui->done, ui->total, r->src->id, outcome_name(r->outcome),
			     r->stats.extracted, ui->rows);
	if (n > ui->width - 1)
		n = ui->width - 1;
	printf("\r\033[K%.*s", n < 0 ? 0 : n, line);
	fflush(stdout);
}

/* refresh_sources callback: one line per source, or on a terminal the
 * progress line; warnings and errors on stderr either way. */
static void
refresh_print(const struct refresh_result *r, void *ctx)
{
	struct refresh_ui *ui = ctx;

	if (!ui->tty) {
		refresh_line(r);
		refresh_note(r, &ui->worst);
		fflush(stdout);
		return;
	}
	if (ui->done < ui->total)
		ui->row[ui->done++] =
		    (struct summary_row){ r->src->id,       r->outcome,    r->stats.added,
					  r->stats.changed, r->stats.gone, r->seconds };
	ui->rows += r->stats.extracted;
	if (refresh_noisy(r)) { /* the message on a line of its own */
		printf("\r\033[K");
		fflush(stdout);
	}
	refresh_note(r, &ui->worst);
	progress_draw(ui, r);
}

/* After a refresh on a terminal: the summary table, in the order the
 * sources finished, and a line of totals. */
static void
progress_summary(const struct refresh_ui *ui)
{
	static const enum refresh_outcome order[] = {
		REFRESH_OK,   REFRESH_UNCHANGED, REFRESH_QUARANTINED, REFRESH_FAILED,
		REFRESH_BUSY, REFRESH_SKIPPED,   REFRESH_STOPPED,
	};
	long added = 0, changed = 0, gone = 0;
	double secs = 0;
	int w = 6;
	size_t i, k, count;
	const char *sep = ": ";

	for (i = 0; i < ui->done; i++)
		if ((int)strlen(ui->row[i].id) > w)
			w = (int)strlen(ui->row[i].id);
	printf("\r\033[K%-*s  %-11s %7s %7s %7s %7s\n", w, "SOURCE", "OUTCOME", "ADDED", "CHANGED",
	       "GONE", "SECONDS");
	for (i = 0; i < ui->done; i++) {
		const struct summary_row *s = &ui->row[i];
		printf("%-*s  %-11s %7ld %7ld %7ld %7.2f\n", w, s->id, outcome_name(s->outcome),
		       s->added, s->changed, s->gone, s->seconds);
		added += s->added, changed += s->changed, gone += s->gone;
		secs = s->seconds > secs ? s->seconds : secs;
	}
	printf("%zu source%s", ui->done, ui->done == 1 ? "" : "s");
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (count = 0, i = 0; i < ui->done; i++)
			count +=
			    strcmp(outcome_name(ui->row[i].outcome), outcome_name(order[k])) == 0;
		if (count > 0)
			printf("%s%zu %s", sep, count, outcome_name(order[k])), sep = ", ";
	}
	printf("; %ld added, %ld changed, %ld gone in %.2f s\n", added, changed, gone, secs);
	fflush(stdout);
}

/* After runs are applied: the diff stage (comparison records, events,
 * stale-data alerts), one line of what it did. */
static void
cli_diff(struct cli *c, int *worst)
{
	struct diff_pass dp;
	struct lr_err err = { 0 };

	if (diff_run(c->cat, c->cfg, &dp, &err) != LR_OK) {
		*worst = exit_worse(*worst, report(&err));
		return;
	}
	if (dp.dirty > 0)
		printf("diff: %ld model%s changed; %ld comparison record%s recomputed, %ld "
		       "changed\n",
		       dp.dirty, dp.dirty == 1 ? "" : "s", dp.recomputed,
		       dp.recomputed == 1 ? "" : "s", dp.changed);
	fflush(stdout);
}

/* A progress line and a summary table when stdout is a terminal, unless
 * --no-progress, --dry-run (its diff goes to stdout) or TERM=dumb. */
static int
refresh_ui_init(struct refresh_ui *ui, const struct selection *sel, size_t n)
{
	const char *term = getenv("TERM");
	struct winsize ws;

	memset(ui, 0, sizeof(*ui));
	ui->worst = EXIT_OK;
	ui->total = n;
	if (sel->no_progress || sel->dry_run || !isatty(STDOUT_FILENO) ||
	    (term != NULL && strcmp(term, "dumb") == 0))
		return 0;
	ui->row = calloc(n, sizeof(*ui->row));
	if (ui->row == NULL)
		return -1;
	ui->tty = 1;
	ui->width = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 8 ? ws.ws_col : 80;
	progress_draw(ui, NULL);
	return 0;
}

/* Refresh the n selected sources (or accept one), then the diff stage. */
static int
refresh_run(struct cli *c, const struct selection *sel, const struct source **src, size_t n)
{
	struct refresh_opts o = {
		.trigger = "manual", .dry_run = sel->dry_run, .json = sel->json, .preview = stdout
	};
	struct lr_err err = { 0 };
	struct refresh_ui ui;
	enum lr_code lrc;

	if (refresh_ui_init(&ui, sel, n) != 0)
		return EXIT_INTERNAL;
	lrc = sel->accept ? refresh_accept(c->cfg, c->cat, src[0], refresh_print, &ui)
			  : refresh_sources(c->cfg, c->cat, src, n, &o, refresh_print, &ui);
	if (ui.tty)
		progress_summary(&ui);
	if (lrc != LR_OK) {
		lr_err_set(&err, LR_ERR_INTERNAL, NULL, NULL, "refresh machinery failed");
		ui.worst = exit_worse(ui.worst, report(&err));
	}
	if (!sel->dry_run)
		cli_diff(c, &ui.worst);
	free(ui.row);
	return ui.worst;
}

static int
cmd_refresh(struct cli *c, int argc, char **argv)
{
	const struct source **sel_src = NULL;
	struct selection sel = { 0 };
	int rc;
	size_t i, n = 0;

	rc = refresh_parse(argc, argv, commands[1].usage, &sel);
	if (rc != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = cli_load_config(c)) != EXIT_OK)
		return rc;
	sel_src = calloc(c->cfg->nsources ? c->cfg->nsources : 1, sizeof(*sel_src));
	if (sel_src == NULL)
		return EXIT_INTERNAL;
	for (i = 0; i < c->cfg->nsources; i++)
		if (refresh_selected(&c->cfg->sources[i], &sel))
			sel_src[n++] = &c->cfg->sources[i];
	if (n == 0) {
		log_err("refresh: no source matches %s%s in %s",
			sel.provider ? "provider "
			: sel.source ? "source "
				     : "",
			sel.provider ? sel.provider
			: sel.source ? sel.source
				     : "--all",
			c->cfg->sources_dir);
		rc = EXIT_USAGE;
	} else if ((rc = cli_open_catalog(c, 1)) == EXIT_OK) {
		rc = refresh_run(c, &sel, sel_src, n);
	}
	free(sel_src);
	return rc;
}

static int
cmd_reparse(struct cli *c, int argc, char **argv)
{
	struct selection sel = { 0 };
	struct refresh_ui ui = { .worst = EXIT_OK };
	const struct source *src;
	int rc;

	rc = refresh_parse(argc, argv, "reparse --source ID", &sel);
	if (rc != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if (sel.source == NULL) {
		log_err("reparse: give --source ID");
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(c)) != EXIT_OK)
		return rc;
	src = config_find_source(c->cfg, sel.source);
	if (src == NULL) {
		log_err("reparse: no source %s in %s", sel.source, c->cfg->sources_dir);
		return EXIT_USAGE;
	}
	if ((rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	if (refresh_reparse(c->cfg, c->cat, src, refresh_print, &ui) != LR_OK)
		return EXIT_INTERNAL;
	cli_diff(c, &ui.worst);
	return ui.worst;
}

/* "status" and "unmatched": a table, or JSON lines with --json. */
static int
cmd_listing(struct cli *c, int argc, char **argv, const char *name,
	    enum lr_code (*print)(struct catalog *, FILE *, int, struct lr_err *))
{
	struct lr_err err = { 0 };
	int rc, json = 0, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: llmref [-c FILE] %s [--json]\n", name);
			return EXIT_OK;
		} else {
			log_err("%s: unexpected argument '%s'", name, argv[i]);
			return EXIT_USAGE;
		}
	}
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	if (print(c->cat, stdout, json, &err) != LR_OK)
		return report(&err);
	return EXIT_OK;
}

static int
cmd_status(struct cli *c, int argc, char **argv)
{
	return cmd_listing(c, argc, argv, "status", catalog_print_status);
}

static int
cmd_unmatched(struct cli *c, int argc, char **argv)
{
	return cmd_listing(c, argc, argv, "unmatched", catalog_print_unmatched);
}

static int
cmd_conflicts(struct cli *c, int argc, char **argv)
{
	return cmd_listing(c, argc, argv, "conflicts", catalog_print_conflicts);
}

static int
cmd_review(struct cli *c, int argc, char **argv)
{
	return cmd_listing(c, argc, argv, "review", catalog_print_review);
}

/* "show model ID" and "history --model ID [--provider NAME]". */
struct model_args {
	const char *model;
	const char *provider;
	int json;
};

static int
model_args_parse(int argc, char **argv, const char *usage_line, int positional,
		 struct model_args *a)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "provider", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'm': a->model = positional ? NULL : optarg; break;
		case 'p': a->provider = positional ? NULL : optarg; break;
		case 'j': a->json = 1; break;
		case 'h': printf("usage: llmref [-c FILE] %s\n", usage_line); return -1;
		default: return EXIT_USAGE;
		}
	}
	if (positional && optind < argc)
		a->model = argv[optind++];
	if (optind < argc || a->model == NULL) {
		log_err("usage: llmref %s", usage_line);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int
cmd_model_print(struct cli *c, int argc, char **argv, const char *usage_line, int positional)
{
	struct model_args a = { 0 };
	struct lr_err err = { 0 };
	int rc = model_args_parse(argc, argv, usage_line, positional, &a);
	enum lr_code lrc;

	if (rc != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	lrc = positional ? catalog_print_model(c->cat, a.model, stdout, a.json, &err)
			 : catalog_print_history(c->cat, a.model, a.provider, stdout, a.json, &err);
	return lrc == LR_OK ? EXIT_OK : report(&err);
}

static int
cmd_show_model(struct cli *c, int argc, char **argv)
{
	return cmd_model_print(c, argc, argv, "show model ID [--json]", 1);
}

static int
cmd_history(struct cli *c, int argc, char **argv)
{
	return cmd_model_print(c, argc, argv, "history --model ID [--provider NAME] [--json]", 0);
}

static int
cmd_alerts(struct cli *c, int argc, char **argv)
{
	return cmd_listing(c, argc, argv, "alerts", catalog_print_alerts);
}

/* "export comparison A B" and "export model ID": nwant positional ids. */
static int
cmd_export_ids(struct cli *c, int argc, char **argv, int nwant, const char *usage_line)
{
	struct lr_err err = { 0 };
	enum lr_code lrc;
	int rc;

	if (wants_help(argc, argv, usage_line))
		return EXIT_OK;
	if (argc != nwant + 1 || argv[1][0] == '-' || (nwant == 2 && argv[2][0] == '-')) {
		log_err("usage: llmref %s", usage_line);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	lrc = nwant == 2 ? diff_export_pair(c->cat, c->cfg, argv[1], argv[2], stdout, &err)
			 : diff_export_model(c->cat, c->cfg, argv[1], stdout, &err);
	return lrc == LR_OK ? EXIT_OK : report(&err);
}

static int
cmd_export_comparison(struct cli *c, int argc, char **argv)
{
	return cmd_export_ids(c, argc, argv, 2, "export comparison MODEL-A MODEL-B");
}

static int
cmd_export_model(struct cli *c, int argc, char **argv)
{
	return cmd_export_ids(c, argc, argv, 1, "export model ID");
}

struct events_args {
	long long since;
	long limit;
	int follow;
};

static int
events_parse(int argc, char **argv, struct events_args *a)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "follow", no_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 's': a->since = strtoll(optarg, &end, 10); break;
		case 'l': a->limit = strtol(optarg, &end, 10); break;
		case 'f': a->follow = 1; continue;
		case 'h':
			printf("usage: llmref [-c FILE] %s\n", "events [--since ID] [--follow]"
							       " [--limit N]");
			return -1;
		default: return EXIT_USAGE;
		}
		if (*end != '\0' || optarg[0] == '\0' || a->since < 0 || a->limit < 1) {
			log_err("events: --%s wants a whole number", ch == 's' ? "since" : "limit");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_err("events: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static volatile sig_atomic_t events_stop;

static void
events_on_signal(int sig)
{
	(void)sig;
	events_stop = 1;
}

/* --follow: LISTEN, then print what arrives until SIGINT or SIGTERM. */
static int
events_follow(struct cli *c, struct events_args *a, long long last)
{
	struct sigaction sa;
	struct lr_err err = { 0 };
	int got;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = events_on_signal; /* no SA_RESTART: poll returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (catalog_listen(c->cat, &err) != LR_OK)
		return report(&err);
	while (!events_stop) {
		do { /* drain, also what came before LISTEN took effect */
			a->since = last;
			if (catalog_print_events(c->cat, a->since, a->limit, stdout, &last, &err) !=
			    LR_OK)
				return report(&err);
		} while (last != a->since && !events_stop);
		got = catalog_wait_event(c->cat, 60000, &err);
		if (got < 0)
			return report(&err);
	}
	return EXIT_OK;
}

static int
cmd_events(struct cli *c, int argc, char **argv)
{
	struct events_args a = { 0, 1000, 0 };
	struct lr_err err = { 0 };
	long long last = 0;
	int rc = events_parse(argc, argv, &a);

	if (rc != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	if (a.follow)
		return events_follow(c, &a, a.since);
	if (catalog_print_events(c->cat, a.since, a.limit, stdout, &last, &err) != LR_OK)
		return report(&err);
	return EXIT_OK;
}

static int
cmd_daemon(struct cli *c, int argc, char **argv)
{
	struct daemon_opts o = { c->config_path, 0, 0 };
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--allow-root") == 0) {
			o.allow_root = 1;
		} else if (strcmp(argv[i], "--once") == 0) {
			o.once = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: llmref [-c FILE] daemon [--allow-root] [--once]\n");
			return EXIT_OK;
		} else {
			log_err("daemon: unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	return daemon_run(&o);
}

static int
cmd_sources_check(struct cli *c, int argc, char **argv)
{
	size_t i;
	int rc;

	if (wants_help(argc, argv, "sources check"))
		return EXIT_OK;
	if (argc > 1) {
		log_err("sources check: unexpected argument '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(c)) != EXIT_OK)
		return rc;
	for (i = 0; i < c->cfg->nsources; i++)
		printf("%s: ok (%s, %s)\n", c->cfg->sources[i].path, c->cfg->sources[i].provider,
		       c->cfg->sources[i].format == FORMAT_HTML ? "html" : "json");
	printf("%zu source%s ok\n", c->cfg->nsources, c->cfg->nsources == 1 ? "" : "s");
	return EXIT_OK;
}

/* One source id a line, or with --providers each provider name once. */
static int
cmd_sources_list(struct cli *c, int argc, char **argv)
{
	int i, rc, providers = 0;
	size_t k, j;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--providers") == 0) {
			providers = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: llmref [-c FILE] sources list [--providers]\n");
			return EXIT_OK;
		} else {
			log_err("sources list: unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	if ((rc = cli_load_config(c)) != EXIT_OK)
		return rc;
	for (k = 0; k < c->cfg->nsources; k++) {
		const struct source *s = &c->cfg->sources[k];
		for (j = 0; providers && j < k; j++)
			if (strcmp(c->cfg->sources[j].provider, s->provider) == 0)
				break;
		if (!providers)
			printf("%s\n", s->id);
		else if (j == k)
			printf("%s\n", s->provider);
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

/* Read a saved page into body (capped like a fetch). */
static int
read_page(const char *path, size_t max, struct buf *body)
{
	enum file_rc rc = file_read(path, max, 0, body);

	if (rc == FILE_OK)
		return 0;
	log_err("sources test: %s: %s", path,
		file_rc_reason(rc, errno, "larger than max_body_size"));
	return -1;
}

static void
print_count(int64_t n)
{
	if (n > 0)
		printf("\t%lld", (long long)n);
	else
		printf("\t");
}

static void
print_price(const struct price *p)
{
	char v[DEC_STR_MAX];

	printf("\t%s\t%s", price_kind_name(p->kind),
	       p->kind == PRICE_VALUE ? dec_format(p->usd_per_mtok, v, sizeof(v)) : "");
}

/* One TSV line per fact of each row of a facts source. */
static void
test_print_facts(const struct records *recs)
{
	size_t i;
	int f;

	printf("# provider_model_id\tmodel\tfact\tvalue\n");
	for (i = 0; i < recs->n; i++)
		for (f = 0; f < recs->v[i].nfacts; f++)
			printf("%s\t%s\t%s\t%s\n", recs->v[i].provider_model_id,
			       recs->v[i].model_id, recs->v[i].facts[f].name,
			       recs->v[i].facts[f].value);
}

/* Extract and normalize body as src would; print one TSV line per row. */
static int
test_body(const struct identity *identity, const struct source *src, const char *body, size_t len)
{
	struct raw_rows rows;
	struct records recs = { 0 };
	struct lr_err err = { 0 };
	size_t i;

	if (extract_page(src, body, len, &rows, &err) != LR_OK)
		return report(&err);
	if (normalize_rows(identity, src, &rows, &recs, &err) != LR_OK) {
		raw_rows_free(&rows);
		return report(&err);
	}
	if (src->kind != SOURCE_PRICING) {
		test_print_facts(&recs);
		goto out;
	}
	printf("# provider_model_id\tmodel\tvariant\tregion\tinput\t\toutput\t\tcontext\tmax_"
	       "output\tcached_input\t\tdeprecation_date\n");
	for (i = 0; i < recs.n; i++) {
		const struct record *r = &recs.v[i];
		printf("%s\t%s\t%s\t%s", r->provider_model_id, r->model_id, r->variant, r->region);
		print_price(&r->input);
		print_price(&r->output);
		print_count(r->context_window);
		print_count(r->max_output);
		print_price(&r->cached_input);
		printf("\t%s\n", r->deprecation_date);
	}
out:
	printf("# %zu rows, %ld rejected%s%s\n", recs.n, recs.rejected,
	       recs.rejected ? "; the first: " : "", recs.first_rejection);
	records_free(&recs);
	raw_rows_free(&rows);
	return EXIT_OK;
}

struct test_fetch {
	const struct identity *identity;
	const struct source *src;
	int rc;
};

static void
test_fetched(struct fetch_job *job, void *ctx)
{
	struct test_fetch *t = ctx;

	if (job->rc != LR_OK)
		t->rc = report(&job->err);
	else
		t->rc = test_body(t->identity, t->src, job->res.body.data ? job->res.body.data : "",
				  job->res.body.len);
}

/* Fetch the source's page now (unconditionally) and test it. */
static int
test_fetch(struct cli *c, const struct source *src)
{
	struct test_fetch t = { c->cfg->identity, src, EXIT_OK };
	struct fetch_opts fo;
	struct fetch_job job;

	refresh_fetch_job(src, &job);
	refresh_fetch_opts(c->cfg, &fo);
	if (fetch_run(&fo, &job, 1, test_fetched, &t) != LR_OK)
		return EXIT_INTERNAL;
	return t.rc;
}

static int
cmd_sources_test(struct cli *c, int argc, char **argv)
{
	const char *id = NULL, *page = NULL;
	const struct source *src;
	struct buf body;
	int i, rc, fetch = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--page") == 0 && i + 1 < argc)
			page = argv[++i];
		else if (strcmp(argv[i], "--fetch") == 0)
			fetch = 1;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return printf("usage: llmref [-c FILE] sources test ID [--page FILE | "
				      "--fetch]\n"),
			       EXIT_OK;
		else if (argv[i][0] != '-' && id == NULL)
			id = argv[i];
		else {
			log_err("sources test: unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (id == NULL || (page == NULL) == !fetch) {
		log_err("sources test: give a source ID and one of --page FILE, --fetch");
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(c)) != EXIT_OK)
		return rc;
	if ((src = config_find_source(c->cfg, id)) == NULL) {
		log_err("sources test: no source %s in %s", id, c->cfg->sources_dir);
		return EXIT_USAGE;
	}
	if (fetch && src->kind != SOURCE_CURATED)
		return test_fetch(c, src);
	if (fetch) /* a curated source's "page" is its local file */
		page = src->file;
	if (read_page(page, c->cfg->fetch_max_body_bytes, &body) != 0)
		return EXIT_SOURCE_FAILED;
	rc = test_body(c->cfg->identity, src, body.data ? body.data : "", body.len);
	buf_free(&body);
	return rc;
}

static const struct command *
find_command(int argc, char **argv, int *words)
{
	size_t i, n;

	for (i = 0; i < NCOMMANDS; i++) {
		const char *name = commands[i].name, *sp = strchr(name, ' ');
		if (sp == NULL && strcmp(argv[0], name) == 0) {
			*words = 1;
			return &commands[i];
		}
		n = sp ? (size_t)(sp - name) : 0;
		if (sp != NULL && argc >= 2 && strncmp(argv[0], name, n) == 0 &&
		    argv[0][n] == '\0' && strcmp(argv[1], sp + 1) == 0) {
			*words = 2;
			return &commands[i];
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli c = { .config_path = NULL };
	const struct command *cmd;
	int ch, rc, words = 0;

	log_init("llmref", 0);
	while ((ch = getopt_long(argc, argv, "+c:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': c.config_path = optarg; break;
		case 'v': c.verbose = 1; break;
		case 'V': printf("llmref %s\n", PACKAGE_VERSION); return EXIT_OK;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	log_init("llmref", c.verbose);
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argc - optind, argv + optind, &words);
	if (cmd == NULL) {
		log_err("unknown command '%s' (see llmref --help)", argv[optind]);
		return EXIT_USAGE;
	}
	if (c.config_path == NULL)
		c.config_path = config_default_path();
	if (fetch_global_init() != 0) {
		log_err("libcurl initialisation failed");
		return EXIT_INTERNAL;
	}
	optind += words - 1;
	rc = cmd->run(&c, argc - optind, argv + optind);
	catalog_close(c.cat);
	config_free(c.cfg);
	fetch_global_cleanup();
	return rc;
}
