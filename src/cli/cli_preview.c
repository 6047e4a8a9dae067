/* cli_preview.c - llmref preview A B: one self-contained HTML page laid
 * out like the reference site's comparison page (scorecard, monthly cost,
 * specs, pricing, capabilities, benchmarks, price history, last
 * reviewed), built only from what a page builder gets: the comparison
 * record (export comparison) and the two models' history documents with
 * their charts (export site). Amounts are formatted from their decimal
 * text, never through a float. */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_impl.h"
#include "core/decimal.h"
#include "diff/diff_chart.h"
#include "diff/diff_run.h"

static const char *const cap_names[][2] = {
	{ "vision", "Vision" },
	{ "multimodal", "Multimodal" },
	{ "reasoning", "Reasoning" },
	{ "function_calling", "Function calling" },
	{ "tool_use", "Tool use" },
	{ "structured_outputs", "Structured outputs" },
	{ "code_execution", "Code execution" },
	{ "ide_integration", "IDE integration" },
	{ "computer_use", "Computer use" },
	{ "parallel_agents", "Parallel agents" },
};

/* Text for HTML. */
static void
html(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "$2,520", "$0.10": a decimal string with thousands separators, its
 * fraction at least min_frac digits; "-" when there is none. */
static void
money(char *out, size_t len, const char *usd, int min_frac)
{
	const char *dot = usd ? strchr(usd, '.') : NULL;
	size_t whole = usd ? (dot ? (size_t)(dot - usd) : strlen(usd)) : 0, i, n = 0, frac;

	if (usd == NULL || *usd == '\0' || len < 8) {
		snprintf(out, len, "-");
		return;
	}
	out[n++] = '$';
	for (i = 0; i < whole && n + 3 < len; i++) {
		out[n++] = usd[i];
		if ((whole - i - 1) % 3 == 0 && i + 1 < whole)
			out[n++] = ',';
	}
	frac = dot ? strlen(dot + 1) : 0;
	if ((frac > 0 || min_frac > 0) && n + 2 < len)
		out[n++] = '.';
	for (i = 0; (i < frac || (int)i < min_frac) && n + 1 < len; i++)
		out[n++] = i < frac ? dot[1 + i] : '0';
	out[n] = '\0';
}

/* "128k" for a context window that is a whole number of KiB tokens, else
 * the number of tokens. */
static void
tokens(char *out, size_t len, const char *n)
{
	long long v = n ? strtoll(n, NULL, 10) : 0;

	if (n == NULL)
		snprintf(out, len, "-");
	else if (v > 0 && v % 1024 == 0)
		snprintf(out, len, "%lldk", v / 1024);
	else
		snprintf(out, len, "%s", n);
}

/* "1.23B", "70.6B", "405B": a parameter count in billions, truncated to
 * three significant digits. */
static void
params(char *out, size_t len, const char *n)
{
	long long v = n ? strtoll(n, NULL, 10) : 0, whole = v / 1000000000LL;
	long long frac = v % 1000000000LL / 10000000LL; /* two decimals */

	if (v < 1000000000LL)
		snprintf(out, len, "%s", n ? n : "-");
	else if (whole >= 100 || frac == 0)
		snprintf(out, len, "%lldB", whole);
	else if (whole >= 10 || frac % 10 == 0)
		snprintf(out, len, "%lld.%lldB", whole, frac / 10);
	else
		snprintf(out, len, "%lld.%02lldB", whole, frac);
}

/* "1,050,000,000": digits grouped by three. */
static void
grouped(char *out, size_t len, long long v)
{
	char digits[32];
	size_t n = (size_t)snprintf(digits, sizeof(digits), "%lld", v), i, at = 0;

	for (i = 0; i < n && at + 2 < len; i++) {
		out[at++] = digits[i];
		if ((n - i - 1) % 3 == 0 && i + 1 < n && digits[i] != '-')
			out[at++] = ',';
	}
	out[at] = '\0';
}

static void
row(FILE *f, const char *label, const char *a, const char *b)
{
	fputs("<tr><th>", f);
	html(f, label);
	fputs("</th><td>", f);
	html(f, a ? a : "-");
	fputs("</td><td>", f);
	html(f, b ? b : "-");
	fputs("</td></tr>\n", f);
}

static void
table_head(FILE *f, const char *title, const char *first, const json_t *a, const json_t *b)
{
	fprintf(f, "<h2>%s</h2>\n<table><tr><th>%s</th><th>", title, first);
	html(f, str(a, "name"));
	fputs("</th><th>", f);
	html(f, str(b, "name"));
	fputs("</th></tr>\n", f);
}

/* Append to out (len bytes, *at used); 0, or -1 when it does not fit. */
static int appendf(char *out, size_t len, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
appendf(char *out, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(out + *at, len - *at, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= len - *at)
		return -1;
	*at += (size_t)w;
	return 0;
}

/* "Coding, Long context and RAG" of a model's tags. */
static void
tags_text(char *out, size_t len, const json_t *m)
{
	const json_t *t = json_object_get(m, "tags"), *v;
	size_t i, n = json_array_size(t), at = 0;

	out[0] = '\0';
	json_array_foreach(t, i, v)
	{
		const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";
		if (appendf(out, len, &at, "%s%s", sep, json_string_value(v)) != 0)
			break;
	}
	if (n == 0)
		snprintf(out, len, "-");
}

/* A per-1M price as "$0.10/1M tokens". */
static void
per_mtok(char *out, size_t len, const char *usd)
{
	char m[48];

	money(m, sizeof(m), usd, 2);
	snprintf(out, len, "%s/1M tokens", m);
}

/* A row of both models' values (va, vb) as fmt writes each. */
static void
row_as(FILE *f, const char *label, void (*fmt)(char *, size_t, const char *), const char *va,
       const char *vb)
{
	char x[128], y[128];

	fmt(x, sizeof(x), va);
	fmt(y, sizeof(y), vb);
	row(f, label, x, y);
}

/* The usd_per_mtok of a model's cheapest_input or cheapest_output. */
static const char *
cheapest(const json_t *m, const char *which)
{
	return str(json_object_get(m, which), "usd_per_mtok");
}

/* The benchmarks a model leads, by name, or "-". */
static void
leads_text(char *out, size_t len, const json_t *rec, const json_t *m)
{
	const json_t *l, *names = json_object_get(m, "benchmark_names");
	size_t i, at = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(rec, "benchmark_leads"), i, l)
	{
		const char *b = str(l, "benchmark"), *name = str(names, b ? b : "");
		if (str(l, "leader") == NULL || strcmp(str(l, "leader"), str(m, "id")) != 0)
			continue;
		if (appendf(out, len, &at, "%s%s (+%s)", at ? ", " : "", name ? name : b,
			    str(l, "lead")) != 0)
			break;
	}
	if (at == 0)
		snprintf(out, len, "-");
}

static void
section_scorecard(FILE *f, const json_t *rec, const json_t *a, const json_t *b)
{
	char x[512], y[512];

	table_head(f, "Decision scorecard", "Signal", a, b);
	tags_text(x, sizeof(x), a);
	tags_text(y, sizeof(y), b);
	row(f, "Decision fit", x, y);
	row_as(f, "Context window", tokens, str(a, "context_window"), str(b, "context_window"));
	row_as(f, "Cheapest output", per_mtok, cheapest(a, "cheapest_output"),
	       cheapest(b, "cheapest_output"));
	snprintf(x, sizeof(x), "%lld tracked",
		 (long long)json_integer_value(json_object_get(a, "route_count")));
	snprintf(y, sizeof(y), "%lld tracked",
		 (long long)json_integer_value(json_object_get(b, "route_count")));
	row(f, "Provider routes", x, y);
	leads_text(x, sizeof(x), rec, a);
	leads_text(y, sizeof(y), rec, b);
	row(f, "Benchmark leads", x, y);
	fputs("</table>\n", f);
}

/* One model's monthly cost box. */
static void
cost_box(FILE *f, const json_t *m)
{
	const json_t *r = json_object_get(m, "cheapest_route");
	char cost[64];

	money(cost, sizeof(cost), str(r, "monthly_cost_usd"), 0);
	fputs("<div class=\"cost\"><h3>", f);
	html(f, str(m, "name"));
	fprintf(f, "</h3><p class=\"amount\">%s</p><p>Cheapest tracked route/tier: ", cost);
	html(f, r ? str(r, "provider_name") : "none priced");
	fputs("</p></div>\n", f);
}

static void
section_cost(FILE *f, const json_t *rec, const json_t *a, const json_t *b)
{
	const json_t *t = json_object_get(rec, "traffic");
	char gap[64], n[48], share[DEC_STR_MAX];
	dec_t d;

	grouped(n, sizeof(n),
		(long long)json_integer_value(json_object_get(t, "tokens_per_month")));
	if (str(t, "input_share") == NULL || dec_parse(str(t, "input_share"), 2, &d, NULL, 0) != 0)
		snprintf(share, sizeof(share), "-");
	else
		dec_format(d, share, sizeof(share));
	fprintf(f,
		"<h2>Monthly cost at traffic</h2>\n<p>%s tokens a month, %s%% of them input, "
		"on each model's cheapest tracked route.</p>\n<div class=\"costs\">\n",
		n, share);
	cost_box(f, a);
	cost_box(f, b);
	money(gap, sizeof(gap), str(rec, "monthly_cost_gap_usd"), 0);
	fprintf(f, "</div>\n<p>Estimated monthly gap: %s.</p>\n", gap);
}

static void
section_specs(FILE *f, const json_t *a, const json_t *b)
{
	static const char *const keys[][2] = {
		{ "released", "Released" },
		{ "architecture", "Architecture" },
		{ "license", "License" },
		{ "openness", "Openness" },
		{ "commercial_use", "Commercial use" },
		{ "knowledge_cutoff", "Knowledge cutoff" },
	};
	size_t i;

	table_head(f, "Specs", "Specification", a, b);
	row_as(f, "Context window", tokens, str(a, "context_window"), str(b, "context_window"));
	row_as(f, "Parameters", params, str(a, "parameters"), str(b, "parameters"));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		row(f, keys[i][1], str(a, keys[i][0]), str(b, keys[i][0]));
	fputs("</table>\n", f);
}

/* A model's routes: provider, input, output, status. */
static void
routes_table(FILE *f, const json_t *m)
{
	const json_t *r;
	char in[64], out[64];
	size_t i;

	fputs("<h3>", f);
	html(f, str(m, "name"));
	fputs(": provider routes</h3>\n<table><tr><th>Provider</th><th>Input /1M</th>"
	      "<th>Output /1M</th><th>Status</th></tr>\n",
	      f);
	json_array_foreach(json_object_get(m, "routes"), i, r)
	{
		money(in, sizeof(in), str(r, "input_usd_per_mtok"), 2);
		money(out, sizeof(out), str(r, "output_usd_per_mtok"), 2);
		fputs("<tr><td>", f);
		html(f, str(r, "provider_name"));
		if (str(r, "variant") && str(r, "variant")[0] != '\0') {
			fputs(" (", f);
			html(f, str(r, "variant"));
			fputs(")", f);
		}
		fprintf(f, "</td><td>%s</td><td>%s</td><td>", in, out);
		html(f, str(r, "status"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void
section_pricing(FILE *f, const json_t *a, const json_t *b)
{
	table_head(f, "Pricing and availability", "Pricing attribute", a, b);
	row_as(f, "Input price", per_mtok, cheapest(a, "cheapest_input"),
	       cheapest(b, "cheapest_input"));
	row_as(f, "Output price", per_mtok, cheapest(a, "cheapest_output"),
	       cheapest(b, "cheapest_output"));
	fputs("</table>\n", f);
	routes_table(f, a);
	routes_table(f, b);
}

static void
section_capabilities(FILE *f, const json_t *a, const json_t *b)
{
	const json_t *ca = json_object_get(a, "capabilities"),
		     *cb = json_object_get(b, "capabilities");
	size_t i;

	table_head(f, "Capabilities", "Capability", a, b);
	for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		row(f, cap_names[i][1],
		    json_is_true(json_object_get(ca, cap_names[i][0])) ? "Yes" : "No",
		    json_is_true(json_object_get(cb, cap_names[i][0])) ? "Yes" : "No");
	fputs("</table>\n", f);
}

/* Every benchmark either model has, by name, in the order of a's names
 * then b's. */
static void
section_benchmarks(FILE *f, const json_t *a, const json_t *b)
{
	const json_t *ba = json_object_get(a, "benchmarks"), *bb = json_object_get(b, "benchmarks");
	const json_t *both[2] = { json_object_get(a, "benchmark_names"),
				  json_object_get(b, "benchmark_names") };
	const char *key;
	json_t *v;
	int k;

	table_head(f, "Benchmarks", "Benchmark", a, b);
	for (k = 0; k < 2; k++)
		json_object_foreach((json_t *)both[k], key, v)
		{
			if (k == 1 && json_object_get(both[0], key) != NULL)
				continue;
			row(f, json_string_value(v), str(ba, key), str(bb, key));
		}
	fputs("</table>\n", f);
}

/* The two history charts, inline. */
static void
section_history(FILE *f, const json_t *ha, const json_t *hb)
{
	const json_t *h[2] = { ha, hb };
	size_t len;
	char *svg;
	int i;

	fputs("<h2>Price history</h2>\n", f);
	for (i = 0; i < 2; i++) {
		if (h[i] == NULL || (svg = diff_chart_svg(h[i], &len)) == NULL)
			continue;
		fprintf(f, "<figure>%s</figure>\n", svg);
		free(svg);
	}
}

static void
page_head(FILE *f, const json_t *a, const json_t *b)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>", f);
	html(f, str(a, "name"));
	fputs(" vs ", f);
	html(f, str(b, "name"));
	fputs("</title>\n<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;"
	      "color:#222}table{border-collapse:collapse;margin:0.5em 0 1.5em}th,td{border:1px "
	      "solid #ccc;padding:4px 10px;text-align:left}.costs{display:flex;gap:2em}.cost{"
	      "border:1px solid #ccc;padding:0 1.5em}.amount{font-size:2em;font-weight:bold}"
	      "figure{margin:1em 0}</style></head>\n<body>\n<p>LLM Reference</p>\n<h1>",
	      f);
	html(f, str(a, "name"));
	fputs(" vs ", f);
	html(f, str(b, "name"));
	fputs("</h1>\n", f);
}

/* The opening lines: who made them, their context, which is cheaper. */
static void
page_intro(FILE *f, const json_t *rec, const json_t *a, const json_t *b)
{
	const char *cheaper = str(rec, "cheaper");
	const json_t *w = cheaper && strcmp(cheaper, str(b, "id")) == 0 ? b : a;
	char x[64], y[64], gap[64];

	tokens(x, sizeof(x), str(a, "context_window"));
	tokens(y, sizeof(y), str(b, "context_window"));
	fputs("<p>", f);
	html(f, str(a, "name"));
	fputs(" (", f);
	html(f, str(a, "creator"));
	fputs(") and ", f);
	html(f, str(b, "name"));
	fputs(" (", f);
	html(f, str(b, "creator"));
	fprintf(f, "): a %s-token context window against %s.</p>\n", x, y);
	if (cheaper == NULL)
		return;
	money(gap, sizeof(gap), str(rec, "blended_price_gap_usd_per_mtok"), 2);
	fputs("<p>", f);
	html(f, str(w, "name"));
	fprintf(
	    f, " is cheaper on its cheapest tracked route, by %s per million blended tokens.</p>\n",
	    gap);
}

static void
page(FILE *f, const json_t *rec, const json_t *ha, const json_t *hb)
{
	const json_t *m = json_object_get(rec, "models");
	const json_t *a = json_array_get(m, 0), *b = json_array_get(m, 1);

	page_head(f, a, b);
	page_intro(f, rec, a, b);
	section_scorecard(f, rec, a, b);
	section_cost(f, rec, a, b);
	section_specs(f, a, b);
	section_pricing(f, a, b);
	section_capabilities(f, a, b);
	section_benchmarks(f, a, b);
	section_history(f, ha, hb);
	fputs("<h2>Last reviewed</h2>\n<p>", f);
	html(f, str(rec, "last_reviewed"));
	fputs("</p>\n</body></html>\n", f);
}

/* The comparison record of (a, b) as export comparison gives it. */
static json_t *
preview_record(struct cli *c, const char *a, const char *b, struct lr_err *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *rec = NULL;
	enum lr_code rc;

	if (f == NULL) {
		lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
		return NULL;
	}
	rc = diff_export_pair(c->cat, c->cfg, a, b, f, err);
	if (fclose(f) == 0 && rc == LR_OK && (rec = json_loads(text, 0, NULL)) == NULL)
		lr_err_set(err, LR_ERR_INTERNAL, NULL, NULL,
			   "preview: the record does not read back");
	else if (rc == LR_OK && rec == NULL)
		lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	free(text);
	return rec;
}

/* The history documents of ids a and b (history/ID.json), or NULL each. */
static enum lr_code
preview_histories(struct cli *c, const char *a, const char *b, json_t **ha, json_t **hb,
		  struct lr_err *err)
{
	struct catalog_rows rows = { 0 };
	json_t *ids = json_pack("[s, s]", a, b);
	enum lr_code rc;
	long i;

	*ha = *hb = NULL;
	if (ids == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	rc = catalog_site_history_of(c->cat, ids, &rows, err);
	json_decref(ids);
	for (i = 0; rc == LR_OK && i < rows.nrows; i++) {
		const char *id = catalog_cell(&rows, i, 0);
		json_t **h = strcmp(id, a) == 0 ? ha : strcmp(id, b) == 0 ? hb : NULL;
		if (h != NULL && *h == NULL)
			*h = json_loads(catalog_cell(&rows, i, 1), 0, NULL);
	}
	catalog_rows_free(&rows);
	return rc;
}

int
cmd_preview(struct cli *c, int argc, char **argv)
{
	struct lr_err err = { 0 };
	json_t *rec, *ha = NULL, *hb = NULL;
	int rc;

	if (wants_help(argc, argv, "preview MODEL-A MODEL-B"))
		return EXIT_OK;
	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-') {
		log_err("usage: llmref preview MODEL-A MODEL-B");
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(c)) != EXIT_OK || (rc = cli_open_catalog(c, 1)) != EXIT_OK)
		return rc;
	if ((rec = preview_record(c, argv[1], argv[2], &err)) == NULL)
		return report(&err);
	if (preview_histories(c, argv[1], argv[2], &ha, &hb, &err) != LR_OK) {
		json_decref(rec);
		return report(&err);
	}
	page(stdout, rec, ha, hb);
	json_decref(rec);
	json_decref(ha);
	json_decref(hb);
	return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_INTERNAL;
}
