/* cli_refresh.c - refresh and reparse: which sources, a line per source or a progress
 * line and a summary table on a terminal, then the diff stage. */
#include "autoconf.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli_impl.h"
#include "daemon/refresh.h"
#include "diff/diff_run.h"

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
	int json;     /* a dry run's diff as JSON lines */
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

	cli_print_diff(stdout, &r->diff, ui->json);
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
	ui->json = sel->json;
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
	struct refresh_opts o = { .trigger = "manual", .dry_run = sel->dry_run };
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

int
cmd_refresh(struct cli *c, int argc, char **argv)
{
	const struct source **sel_src = NULL;
	struct selection sel = { 0 };
	int rc;
	size_t i, n = 0;

	rc = refresh_parse(argc, argv, CLI_USAGE_REFRESH, &sel);
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
	if (n == 0 && sel.source != NULL && config_find_broken(c->cfg, sel.source) != NULL) {
		rc = EXIT_CONFIG; /* its file is broken: said at load */
	} else if (n == 0 && sel.all && c->cfg->nbroken > 0) {
		rc = EXIT_CONFIG; /* every file is broken */
	} else if (n == 0) {
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
		if (sel.all && c->cfg->nbroken > 0) /* the others ran; the broken did not */
			rc = exit_worse(rc, EXIT_CONFIG);
	}
	free(sel_src);
	return rc;
}

int
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
	if (src == NULL)
		return cli_no_source(c, "reparse", sel.source);
	if ((rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	if (refresh_reparse(c->cfg, c->cat, src, refresh_print, &ui) != LR_OK)
		return EXIT_INTERNAL;
	cli_diff(c, &ui.worst);
	return ui.worst;
}
