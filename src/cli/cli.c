/* cli.c - the llmref command: global options, the command table, the
 * helpers every command shares, and main. The commands live by group in
 * cli_refresh.c, cli_show.c, cli_export.c and cli_sources.c; what they
 * print is formatted by cli_print.c. */
#include "autoconf.h"

#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_impl.h"
#include "daemon/daemon.h"
#include "fetch/fetch.h"

struct command {
	const char *name; /* "db migrate" is two words */
	int (*run)(struct cli *c, int argc, char **argv);
	const char *usage;
	const char *summary;
};

static const struct command commands[] = {
	{ "db migrate", cmd_db_migrate, CLI_USAGE_DB_MIGRATE,
	  "apply pending schema migrations (safe to repeat)" },
	{ "db grant", cmd_db_grant, CLI_USAGE_DB_GRANT,
	  "give a role the reader's (page builder) or writer's (daemon) privileges" },
	{ "refresh", cmd_refresh, CLI_USAGE_REFRESH,
	  "fetch, extract, normalize and store sources" },
	{ "export catalog", cmd_export_catalog, CLI_USAGE_EXPORT_CATALOG,
	  "print the catalog as JSON on stdout" },
	{ "export comparison", cmd_export_comparison, "export comparison MODEL-A MODEL-B",
	  "print the comparison record of two models as JSON" },
	{ "export model", cmd_export_model, "export model ID",
	  "print one model's half of a comparison record as JSON" },
	{ "export site", cmd_export_site, "export site DIR",
	  "write the page builders' tree of JSON files under DIR (only what changed)" },
	{ "preview", cmd_preview, "preview MODEL-A MODEL-B",
	  "print a comparison page as one self-contained HTML file, for editors" },
	{ "events", cmd_events, "events [--since ID] [--follow] [--limit N]",
	  "print the change feed after event ID as JSON lines" },
	{ "alerts", cmd_alerts, "alerts [--json]", "open alerts: what, since when and why" },
	{ "daemon", cmd_daemon, "daemon [--allow-root] [--once]",
	  "run every source on its schedule until stopped (systemd: llmref.service)" },
	{ "status", cmd_status, "status [--json]",
	  "every source's last attempt, last success, failures and last error" },
	{ "sources check", cmd_sources_check, "sources check",
	  "validate llmref.conf and every source file (file:line errors)" },
	{ "sources test", cmd_sources_test, CLI_USAGE_SOURCES_TEST,
	  "print the rows a source yields from a saved page or a live fetch; writes nothing" },
	{ "sources list", cmd_sources_list, "sources list [--providers]",
	  "print every source id (or provider name) one a line, for scripts and completion" },
	{ "unmatched", cmd_unmatched, "unmatched [--source ID] [--json]",
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
		   "4 database, 5 busy (another refresh holds the lock), 6 refreshed but the\n"
		   "event spool could not be written, 70 internal.\n"
		   "Run 'llmref COMMAND --help' for a command's options; see llmref(1).\n");
}

int
cmd_db_migrate(struct cli *c, int argc, char **argv)
{
	struct lr_err err = { 0 };
	int rc, applied = 0;

	if (wants_help(argc, argv, CLI_USAGE_DB_MIGRATE))
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

int
cmd_db_grant(struct cli *c, int argc, char **argv)
{
	struct lr_err err = { 0 };
	int rc;

	if (wants_help(argc, argv, CLI_USAGE_DB_GRANT))
		return EXIT_OK;
	if (argc != 3 || (strcmp(argv[1], "reader") != 0 && strcmp(argv[1], "writer") != 0) ||
	    argv[2][0] == '\0') {
		log_err("usage: llmref [-c FILE] %s", CLI_USAGE_DB_GRANT);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	if (catalog_grant(c->cat, argv[2], argv[1], &err) != LR_OK)
		return report(&err);
	printf("%s: granted the %s's privileges\n", argv[2], argv[1]);
	return EXIT_OK;
}

int
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

	/* One malloc arena: refresh's read-ahead thread would get a second,
	 * and peak RSS 2 MiB more at 600 sources (bench/run-load.sh) */
	(void)mallopt(M_ARENA_MAX, 1);
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
