/* cli_export.c - the exports: the whole catalog, one comparison record, one
 * model's half of a record, as JSON on stdout; the page builders' tree. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_impl.h"
#include "diff/diff_run.h"
#include "diff/diff_site.h"

int
cmd_export_catalog(struct cli *c, int argc, char **argv)
{
	struct lr_err err = { 0 };
	char *doc = NULL;
	int rc;

	if (wants_help(argc, argv, CLI_USAGE_EXPORT_CATALOG))
		return EXIT_OK;
	if (argc > 1) {
		log_err("export catalog: unexpected argument '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	if (catalog_read_export(c->cat, &doc, &err) != LR_OK)
		return report(&err);
	rc = cli_print_export(stdout, doc);
	free(doc);
	return rc == 0 && fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
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

int
cmd_export_comparison(struct cli *c, int argc, char **argv)
{
	return cmd_export_ids(c, argc, argv, 2, "export comparison MODEL-A MODEL-B");
}

int
cmd_export_model(struct cli *c, int argc, char **argv)
{
	return cmd_export_ids(c, argc, argv, 1, "export model ID");
}

int
cmd_export_site(struct cli *c, int argc, char **argv)
{
	struct diff_site_stats st = { 0 };
	struct lr_err err = { 0 };
	int rc;

	if (wants_help(argc, argv, "export site DIR"))
		return EXIT_OK;
	if (argc != 2 || argv[1][0] == '-' || argv[1][0] == '\0') {
		log_err("usage: llmref export site DIR");
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	if (diff_site_write(c->cat, c->cfg, argv[1], &st, &err) != LR_OK)
		return report(&err);
	printf("export site: %s: %ld files, %ld written, %ld removed\n", argv[1], st.files,
	       st.written, st.removed);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}
