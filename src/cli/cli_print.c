/* cli_print.c - how the command shows the catalog's rows: tables whose
 * columns are as wide as their widest cell, JSON lines, the status and
 * unmatched tables, quarantined runs with their diffs, one model. The
 * catalog returns rows (struct catalog_rows); only the CLI prints. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_impl.h"

#define PRINT_MAX_COLS  16
#define PRINT_CELL_WIDE 48 /* a column is never wider than this */

static void
print_json_line(FILE *out, json_t *o)
{
	if (o == NULL)
		return;
	json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(o);
}

/* One row as an object {column name: text, or null}. */
static json_t *
print_row_object(const struct catalog_rows *r, long i)
{
	json_t *o = json_object();
	int f;

	for (f = 0; o != NULL && f < r->ncols; f++) {
		const char *v = catalog_cell(r, i, f);
		json_object_set_new(o, r->names[f], v ? json_string(v) : json_null());
	}
	return o;
}

/* The table's header: column names upper-cased, '_' as ' '. */
static void
print_header(FILE *out, const struct catalog_rows *r, const int *widths, int nf, int indent)
{
	int f;

	for (f = 0; f < nf; f++) {
		const char *name = r->names[f];
		fprintf(out, "%*s", f == 0 ? indent : 1, "");
		for (; *name != '\0'; name++)
			fputc(*name == '_' ? ' ' : *name - ('a' <= *name && *name <= 'z') * 32,
			      out);
		fprintf(out, "%*s", widths[f] - (int)strlen(r->names[f]), "");
	}
	fputc('\n', out);
}

void
cli_print_rows(FILE *out, const struct catalog_rows *r, int json, int indent)
{
	int widths[PRINT_MAX_COLS] = { 0 },
	    nf = r->ncols < PRINT_MAX_COLS ? r->ncols : PRINT_MAX_COLS;
	long i;
	int f;

	for (f = 0; f < nf && !json; f++) {
		widths[f] = (int)strlen(r->names[f]);
		for (i = 0; i < r->nrows; i++) {
			const char *v = catalog_cell(r, i, f);
			int len = v ? (int)strlen(v) : 0;
			if (len > widths[f])
				widths[f] = len > PRINT_CELL_WIDE ? PRINT_CELL_WIDE : len;
		}
	}
	if (!json)
		print_header(out, r, widths, nf, indent);
	for (i = 0; i < r->nrows; i++) {
		if (json) {
			print_json_line(out, print_row_object(r, i));
			continue;
		}
		for (f = 0; f < nf; f++) {
			const char *v = catalog_cell(r, i, f);
			fprintf(out, "%*s%-*s", f == 0 ? indent : 1, "", widths[f],
				v && *v ? v : "-");
		}
		fputc('\n', out);
	}
}

static const char *
cell(const struct catalog_rows *r, long i, int f)
{
	const char *v = catalog_cell(r, i, f);

	return v ? v : "";
}

void
cli_print_unmatched(FILE *out, const struct catalog_rows *r, int json)
{
	long i;

	if (!json)
		fprintf(out, "%-20s %-44s %-32s %-10s %s\n", "SOURCE", "NAME", "CANONICAL", "SINCE",
			"KIND");
	for (i = 0; i < r->nrows; i++) {
		if (!json)
			fprintf(out, "%-20s %-44s %-32s %-10s %s\n", cell(r, i, 0), cell(r, i, 1),
				cell(r, i, 2), cell(r, i, 3), cell(r, i, 4));
		else
			print_json_line(out, json_pack("{s:s, s:s, s:s, s:s, s:s}", "source",
						       cell(r, i, 0), "name", cell(r, i, 1),
						       "canonical", cell(r, i, 2), "since",
						       cell(r, i, 3), "kind", cell(r, i, 4)));
	}
}

static int
int_of(const char *s)
{
	long v = strtol(s, NULL, 10);

	return v > 0x7fffffff ? 0x7fffffff : (int)v;
}

void
cli_print_status(FILE *out, const struct catalog_rows *r, int json)
{
	long i;

	if (!json)
		fprintf(out, "%-20s %-12s %-20s %-20s %5s %-9s %s\n", "SOURCE", "PROVIDER",
			"LAST ATTEMPT", "LAST SUCCESS", "FAILS", "OUTCOME", "LAST ERROR");
	for (i = 0; i < r->nrows; i++) {
		if (json)
			print_json_line(out,
					json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id",
						  cell(r, i, 0), "provider", cell(r, i, 1),
						  "last_attempt", cell(r, i, 2), "last_success",
						  cell(r, i, 3), "consecutive_failures",
						  int_of(cell(r, i, 4)), "last_error",
						  cell(r, i, 5), "last_outcome", cell(r, i, 6)));
		else
			fprintf(out, "%-20s %-12s %-20s %-20s %5s %-9s %s\n", cell(r, i, 0),
				cell(r, i, 1), cell(r, i, 2), cell(r, i, 3), cell(r, i, 4),
				cell(r, i, 6), cell(r, i, 5)[0] ? cell(r, i, 5) : "-");
	}
}

/* One quarantined run in the table form: a heading, then its diff. */
static void
review_run_text(FILE *out, const struct catalog_rows *r, long i)
{
	json_error_t jerr;
	json_t *diff = json_loads(cell(r, i, 5), 0, &jerr), *d;
	size_t k;

	fprintf(out, "run %s  %s  %s  (page seen again %s times)\n  %s\n", cell(r, i, 0),
		cell(r, i, 1), cell(r, i, 2), cell(r, i, 4), cell(r, i, 3));
	json_array_foreach(diff, k, d)
	{
		const char *ch = json_string_value(json_object_get(d, "change"));
		const char *old = json_string_value(json_object_get(d, "old"));
		const char *new = json_string_value(json_object_get(d, "new"));
		fprintf(out, "    %s %-44s %-24s %s%s%s\n",
			ch == NULL     ? "?"
			: ch[0] == 'a' ? "+"
			: ch[0] == 'c' ? "~"
				       : "-",
			json_string_value(json_object_get(d, "name")),
			json_string_value(json_object_get(d, "item")), old ? old : "",
			old && new ? " -> " : "", new ? new : "");
	}
	json_decref(diff);
}

static void
review_run_json(FILE *out, const struct catalog_rows *r, long i)
{
	json_error_t jerr;
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s, s:s}", "run", cell(r, i, 0), "source", cell(r, i, 1),
		      "at", cell(r, i, 2), "reason", cell(r, i, 3), "seen_again", cell(r, i, 4));

	if (o == NULL)
		return;
	json_object_set_new(o, "diff", json_loads(cell(r, i, 5), 0, &jerr));
	print_json_line(out, o);
}

void
cli_print_review(FILE *out, const struct catalog_rows *r, int json)
{
	long i;

	if (!json && r->nrows == 0)
		fprintf(out, "no quarantined runs wait for review\n");
	for (i = 0; i < r->nrows; i++) {
		if (json)
			review_run_json(out, r, i);
		else
			review_run_text(out, r, i);
	}
}

/* The rows as a JSON array of objects, for show model --json. */
static json_t *
rows_array(const struct catalog_rows *r)
{
	json_t *a = json_array();
	long i;

	for (i = 0; a != NULL && i < r->nrows; i++)
		json_array_append_new(a, print_row_object(r, i));
	return a;
}

void
cli_print_model(FILE *out, const struct catalog_rows *head, const struct catalog_rows *facts,
		const struct catalog_rows *routes, int json)
{
	json_t *o;

	if (!json) {
		cli_print_rows(out, head, 0, 0);
		fprintf(out, "\nfacts (WINS: the value page builders get; pinned = curated):\n");
		cli_print_rows(out, facts, 0, 2);
		fprintf(out, "\nroutes:\n");
		cli_print_rows(out, routes, 0, 2);
		return;
	}
	if (head->nrows < 1 || (o = print_row_object(head, 0)) == NULL)
		return;
	json_object_set_new(o, "facts", rows_array(facts));
	json_object_set_new(o, "routes", rows_array(routes));
	json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(o);
}

void
cli_print_diff(FILE *out, const struct catalog_rows *r, int json)
{
	static const char *marks[] = { "+", "~", "-", "?" };
	long i;

	for (i = 0; i < r->nrows; i++) {
		const char *ch = cell(r, i, 0);
		int m = ch[0] == 'a' ? 0 : ch[0] == 'c' ? 1 : ch[0] == 'u' ? 3 : 2;
		if (!json) {
			fprintf(out, "  %s %-44s %-28s %s%s%s\n", marks[m], cell(r, i, 1),
				cell(r, i, 3), cell(r, i, 4), m == 1 ? " -> " : "",
				m >= 2 ? "" : cell(r, i, 5));
			continue;
		}
		print_json_line(out, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}", "change", ch,
					       "name", cell(r, i, 1), "model", cell(r, i, 2),
					       "item", cell(r, i, 3), "old",
					       m == 1 || m == 2 ? cell(r, i, 4) : NULL, "new",
					       m < 2 ? cell(r, i, 5) : NULL));
	}
}

int
cli_print_export(FILE *out, const char *doc)
{
	json_error_t jerr;
	json_t *o;
	int rc;

	/* The document holds strings and integers only (money is text), so a
	 * round trip through jansson for indentation is exact. */
	o = json_loads(doc, 0, &jerr);
	if (o == NULL) {
		log_err("export: %s", jerr.text);
		return -1;
	}
	rc = json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (rc != 0 || fputc('\n', out) == EOF) {
		log_err("export: write failed");
		return -1;
	}
	return 0;
}
