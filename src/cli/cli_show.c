/* cli_show.c - the reading commands: status, unmatched, conflicts, review,
 * alerts, show model, history, and the change feed (events). */
#include "autoconf.h"

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_impl.h"
#include "diff/diff_run.h"

/* Keep the rows whose first column (the source) is source. */
static void
rows_keep_source(struct catalog_rows *r, const char *source)
{
	long i, kept = 0;
	int f;

	for (i = 0; i < r->nrows; i++) {
		char **row = &r->cells[i * r->ncols];
		if (row[0] == NULL || strcmp(row[0], source) != 0) {
			for (f = 0; f < r->ncols; f++)
				free(row[f]);
			continue;
		}
		memmove(&r->cells[kept * r->ncols], row, (size_t)r->ncols * sizeof(*row));
		kept++;
	}
	r->nrows = kept;
}

/* The listings: a table, or JSON lines with --json; unmatched by source. */
static int
cmd_listing(struct cli *c, int argc, char **argv, const char *name,
	    enum lr_code (*read)(struct catalog *, struct catalog_rows *, struct lr_err *),
	    void (*print)(FILE *, const struct catalog_rows *, int))
{
	struct lr_err err = { 0 };
	struct catalog_rows rows;
	const char *source = NULL;
	int rc, json = 0, i, by_source = strcmp(name, "unmatched") == 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (by_source && strcmp(argv[i], "--source") == 0 && i + 1 < argc) {
			source = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: llmref [-c FILE] %s%s [--json]\n", name,
			       by_source ? " [--source ID]" : "");
			return EXIT_OK;
		} else {
			log_err("%s: unexpected argument '%s'", name, argv[i]);
			return EXIT_USAGE;
		}
	}
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	if (read(c->cat, &rows, &err) != LR_OK)
		return report(&err);
	if (source != NULL)
		rows_keep_source(&rows, source);
	print(stdout, &rows, json);
	catalog_rows_free(&rows);
	return EXIT_OK;
}

/* The generic table or JSON lines. */
static void
print_plain(FILE *out, const struct catalog_rows *r, int json)
{
	cli_print_rows(out, r, json, 0);
}

int
cmd_status(struct cli *c, int argc, char **argv)
{
	return cmd_listing(c, argc, argv, "status", catalog_read_status, cli_print_status);
}

int
cmd_unmatched(struct cli *c, int argc, char **argv)
{
	return cmd_listing(c, argc, argv, "unmatched", catalog_read_unmatched, cli_print_unmatched);
}

int
cmd_conflicts(struct cli *c, int argc, char **argv)
{
	return cmd_listing(c, argc, argv, "conflicts", catalog_read_conflicts, print_plain);
}

int
cmd_review(struct cli *c, int argc, char **argv)
{
	return cmd_listing(c, argc, argv, "review", catalog_read_review, cli_print_review);
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

	optind = 0; /* GNU getopt permutes: options may follow the id ("ID --json") */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
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
	struct catalog_rows head = { 0 }, facts = { 0 }, routes = { 0 };
	struct lr_err err = { 0 };
	int rc = model_args_parse(argc, argv, usage_line, positional, &a);
	enum lr_code lrc;

	if (rc != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	lrc = positional ? catalog_read_model(c->cat, a.model, &head, &facts, &routes, &err)
			 : catalog_read_history(c->cat, a.model, a.provider, &head, &err);
	if (lrc != LR_OK)
		return report(&err);
	if (positional)
		cli_print_model(stdout, &head, &facts, &routes, a.json);
	else
		cli_print_rows(stdout, &head, a.json, 0);
	catalog_rows_free(&head);
	catalog_rows_free(&facts);
	catalog_rows_free(&routes);
	return EXIT_OK;
}

int
cmd_show_model(struct cli *c, int argc, char **argv)
{
	return cmd_model_print(c, argc, argv, "show model ID [--json]", 1);
}

int
cmd_history(struct cli *c, int argc, char **argv)
{
	return cmd_model_print(c, argc, argv, "history --model ID [--provider NAME] [--json]", 0);
}

int
cmd_alerts(struct cli *c, int argc, char **argv)
{
	return cmd_listing(c, argc, argv, "alerts", catalog_read_alerts, print_plain);
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

#define EVENTS_RETRY_FIRST_S 1
#define EVENTS_RETRY_MAX_S   30

/* Print what arrives on the open, listening catalog until a signal
 * (LR_OK) or an error. */
static enum lr_code
events_follow_conn(struct cli *c, struct events_args *a, long long *last, struct lr_err *err)
{
	while (!events_stop) {
		do { /* drain, also what came before LISTEN took effect */
			a->since = *last;
			if (diff_events_copy(c->cat, a->since, a->limit, stdout, last, err) !=
			    LR_OK)
				return err->code;
		} while (*last != a->since && !events_stop);
		(void)fflush(stdout);
		if (catalog_wait_event(c->cat, 60000, err) < 0)
			return err->code;
	}
	return LR_OK;
}

/* Connect again, as cli_open_catalog does, and LISTEN. */
static enum lr_code
events_connect(struct cli *c, struct lr_err *err)
{
	enum lr_code rc = catalog_open(c->cfg->conninfo, &c->cat, err);

	if (rc == LR_OK) {
		catalog_configure(c->cat, c->cfg);
		rc = catalog_listen(c->cat, err);
	}
	if (rc != LR_OK) {
		catalog_close(c->cat);
		c->cat = NULL;
	}
	return rc;
}

/* Sleep s seconds, or less if a signal says stop. */
static void
events_pause(unsigned s)
{
	unsigned i;

	for (i = 0; i < s * 10 && !events_stop; i++)
		(void)poll(NULL, 0, 100);
}

/* --follow: LISTEN, then print what arrives until SIGINT or SIGTERM.
 * When the database goes away (a restart), connect again after 1 s,
 * doubling to 30 s, and go on after the last event printed. */
static int
events_follow(struct cli *c, struct events_args *a, long long last)
{
	struct sigaction sa;
	struct lr_err err = { 0 };
	unsigned wait_s = EVENTS_RETRY_FIRST_S;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = events_on_signal; /* no SA_RESTART: poll returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (catalog_listen(c->cat, &err) != LR_OK)
		return report(&err);
	while (!events_stop) {
		if (c->cat == NULL && events_connect(c, &err) != LR_OK) {
			events_pause(wait_s);
			wait_s = wait_s * 2 > EVENTS_RETRY_MAX_S ? EVENTS_RETRY_MAX_S : wait_s * 2;
			continue;
		}
		if (c->cat != NULL && wait_s > EVENTS_RETRY_FIRST_S) {
			log_info("events: connected again; going on after event %lld", last);
			wait_s = EVENTS_RETRY_FIRST_S;
		}
		if (events_follow_conn(c, a, &last, &err) == LR_OK)
			break;
		if (err.code != LR_ERR_DB || catalog_connected(c->cat))
			return report(&err);
		for (char *p = err.reason; *p != '\0'; p++) /* libpq's lines, on one */
			*p = *p == '\n' || *p == '\t' ? ' ' : *p;
		log_warn("events: %s; connecting again (after event %lld)", err.reason, last);
		catalog_close(c->cat);
		c->cat = NULL;
		wait_s = EVENTS_RETRY_FIRST_S * 2; /* says "connected again" once back */
		events_pause(EVENTS_RETRY_FIRST_S);
	}
	return EXIT_OK;
}

int
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
	if (diff_events_copy(c->cat, a.since, a.limit, stdout, &last, &err) != LR_OK)
		return report(&err);
	return EXIT_OK;
}
