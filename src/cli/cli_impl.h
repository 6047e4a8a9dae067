/* cli_impl.h - what the files of the llmref command share: the command
 * context, the helpers every command uses, each group's commands, and
 * the formatters of cli_print.c. Not used outside src/cli/. */
#ifndef LLMREF_CLI_IMPL_H
#define LLMREF_CLI_IMPL_H

#include <stdio.h>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "config/config.h"
#include "core/err.h"
#include "core/log.h"

struct cli {
	const char *config_path;
	int verbose;
	struct config *cfg;
	struct catalog *cat;
};

/* Usage lines the command table and the commands both give. */
#define CLI_USAGE_DB_MIGRATE     "db migrate"
#define CLI_USAGE_DB_GRANT       "db grant reader|writer ROLE"
#define CLI_USAGE_EXPORT_CATALOG "export catalog"
#define CLI_USAGE_REFRESH                                                                          \
	"refresh (--all | --provider NAME | --source ID [--accept]) [--dry-run [--json]] "         \
	"[--no-progress]"

#define CLI_USAGE_SOURCES_TEST "sources test ID|--file DRAFT --page FILE|--fetch [-v]"

/* ---- shared helpers (cli_common.c) ---- */
int exit_for(enum lr_code rc);        /* the exit status of an error code */
int report(const struct lr_err *err); /* log err; its exit status */
int cli_load_config(struct cli *c);   /* EXIT_OK or reported; broken sources said */
/* A command's source id that names no loaded source: EXIT_CONFIG for a
 * broken one (said at load), else said and EXIT_USAGE. */
int cli_no_source(const struct cli *c, const char *cmd, const char *id);
int cli_open_catalog(struct cli *c, int check_schema);
int wants_help(int argc, char **argv, const char *usage_line); /* printed it: 1 */

/* ---- the commands, by group ---- */
int cmd_db_migrate(struct cli *c, int argc, char **argv);        /* cli.c */
int cmd_db_grant(struct cli *c, int argc, char **argv);          /* cli.c */
int cmd_daemon(struct cli *c, int argc, char **argv);            /* cli.c */
int cmd_refresh(struct cli *c, int argc, char **argv);           /* cli_refresh.c */
int cmd_reparse(struct cli *c, int argc, char **argv);           /* cli_refresh.c */
int cmd_status(struct cli *c, int argc, char **argv);            /* cli_show.c */
int cmd_unmatched(struct cli *c, int argc, char **argv);         /* cli_show.c */
int cmd_conflicts(struct cli *c, int argc, char **argv);         /* cli_show.c */
int cmd_review(struct cli *c, int argc, char **argv);            /* cli_show.c */
int cmd_alerts(struct cli *c, int argc, char **argv);            /* cli_show.c */
int cmd_show_model(struct cli *c, int argc, char **argv);        /* cli_show.c */
int cmd_history(struct cli *c, int argc, char **argv);           /* cli_show.c */
int cmd_events(struct cli *c, int argc, char **argv);            /* cli_show.c */
int cmd_export_catalog(struct cli *c, int argc, char **argv);    /* cli_export.c */
int cmd_export_comparison(struct cli *c, int argc, char **argv); /* cli_export.c */
int cmd_export_model(struct cli *c, int argc, char **argv);      /* cli_export.c */
int cmd_export_site(struct cli *c, int argc, char **argv);       /* cli_export.c */
int cmd_preview(struct cli *c, int argc, char **argv);           /* cli_preview.c */
int cmd_sources_check(struct cli *c, int argc, char **argv);     /* cli_sources.c */
int cmd_sources_test(struct cli *c, int argc, char **argv);      /* cli_sources.c */
int cmd_sources_list(struct cli *c, int argc, char **argv);      /* cli_sources.c */

/* ---- formatting the catalog's rows (cli_print.c) ---- */
/* Rows as a table (columns as wide as their widest cell, capped; headers
 * upper-cased; indented by indent) or as JSON lines {column: text|null}. */
void cli_print_rows(FILE *out, const struct catalog_rows *r, int json, int indent);
void cli_print_status(FILE *out, const struct catalog_rows *r, int json);
void cli_print_unmatched(FILE *out, const struct catalog_rows *r, int json);
void cli_print_review(FILE *out, const struct catalog_rows *r, int json);
void cli_print_model(FILE *out, const struct catalog_rows *head, const struct catalog_rows *facts,
		     const struct catalog_rows *routes, int json);
/* A dry run's diff: "+ name item new", "~ name item old -> new",
 * "- name item old" lines, or JSON lines {change, name, model, item,
 * old, new}. */
void cli_print_diff(FILE *out, const struct catalog_rows *r, int json);
/* The export document, indented; 0, or -1 (logged). */
int cli_print_export(FILE *out, const char *doc);

#endif
