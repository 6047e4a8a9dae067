/* cli_common.c - the helpers every command shares: exit statuses from
 * error codes, reporting an error, loading the config, opening the
 * catalog, --help. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli_impl.h"

int
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
	case LR_ERR_SPOOL: return EXIT_SPOOL;
	case LR_ERR_STOPPED:
	case LR_ERR_INTERNAL: break;
	}
	return EXIT_INTERNAL;
}

int
report(const struct lr_err *err)
{
	char text[LR_ERR_SOURCE_MAX + LR_ERR_URL_MAX + LR_ERR_REASON_MAX + 32];

	log_err("%s", lr_err_text(err, text, sizeof(text)));
	return exit_for(err->code);
}

/* Load the configuration; each source file that did not load is said
 * (it is left out: the other sources and the command go on). */
int
cli_load_config(struct cli *c)
{
	char text[LR_ERR_SOURCE_MAX + LR_ERR_URL_MAX + LR_ERR_REASON_MAX + 32];
	struct lr_err err = { 0 };
	size_t i;

	c->cfg = config_load(c->config_path, &err);
	if (c->cfg == NULL)
		return report(&err);
	for (i = 0; i < c->cfg->nbroken; i++)
		log_err("%s; this source is left out",
			lr_err_text(&c->cfg->broken[i].err, text, sizeof(text)));
	return EXIT_OK;
}

/* A command named source id: EXIT_CONFIG if its file is broken (said at
 * load), else EXIT_USAGE after saying no such source exists. */
int
cli_no_source(const struct cli *c, const char *cmd, const char *id)
{
	if (config_find_broken(c->cfg, id) != NULL)
		return EXIT_CONFIG;
	log_err("%s: no source %s in %s", cmd, id, c->cfg->sources_dir);
	return EXIT_USAGE;
}

/* Connect and, unless migrating, check the schema version. */
int
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
int
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
