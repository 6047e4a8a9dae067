/* cli_sources.c - the editors' commands: sources check, sources list, and
 * sources test (a saved page or a live fetch through the same extract and
 * normalize path as refresh; writes nothing). */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_impl.h"
#include "extract/extract.h"
#include "core/file.h"
#include "daemon/refresh.h"
#include "fetch/fetch.h"

int
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
		       c->cfg->sources[i].format == FORMAT_HTML       ? "html"
		       : c->cfg->sources[i].format == FORMAT_MARKDOWN ? "markdown"
								      : "json");
	printf("%zu source%s ok\n", c->cfg->nsources, c->cfg->nsources == 1 ? "" : "s");
	if (c->cfg->nbroken == 0)
		return EXIT_OK;
	printf("%zu source file%s broken, left out\n", c->cfg->nbroken,
	       c->cfg->nbroken == 1 ? "" : "s");
	return EXIT_CONFIG;
}

/* One source id a line, or with --providers each provider name once. */
int
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

/* The tier and the other prices of a pricing row: threshold, tier
 * input and output, then "key=value, ..." (units in llmref-sources(5)). */
static void
print_more_prices(const struct record *r)
{
	int i;

	print_count(r->tier_threshold);
	print_price(&r->tier_input);
	print_price(&r->tier_output);
	printf("\t");
	for (i = 0; i < r->nprices; i++)
		printf("%s%s=%s", i ? ", " : "", r->prices[i].key, r->prices[i].value);
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

/* -v: what the source's jq program reads, as '#' lines and the document. */
static int
test_print_view(const struct source *src, const char *body, size_t len)
{
	static const char *const keys[3] = { "json_xpath", "table", "text" };
	const char *expr[3] = { src->json_xpath, src->table, src->text };
	struct extract_view v;
	struct lr_err err = { 0 };
	int i, f;

	if (extract_view(src, body, len, &v, &err) != LR_OK)
		return report(&err);
	if (v.html != NULL)
		printf("# the markdown rendered to HTML:\n%s", v.html);
	for (i = 0; i < 3; i++)
		if (v.matched[i] >= 0)
			printf("# %s '%s' selected %ld node%s%s\n", keys[i], expr[i], v.matched[i],
			       v.matched[i] == 1 ? "" : "s",
			       v.matched[i] == 0 ? ": it matches nothing on this page" : "");
	printf("# the JSON document the jq program reads (a number is the string of its "
	       "exact text):\n%s\n",
	       v.document);
	printf("# the program gave %ld row%s", v.rows, v.rows == 1 ? "" : "s");
	for (f = 0; f < FIELD_COUNT; f++)
		if (v.fields[f] > 0)
			printf("; %s in %ld", field_name((enum field)f), v.fields[f]);
	if (v.prices > 0)
		printf("; prices in %ld", v.prices);
	printf("\n");
	extract_view_free(&v);
	return EXIT_OK;
}

/* Read body as refresh would (refresh_parse_page); one TSV line per row,
 * after (verbose) what the program reads. */
static int
test_body(const struct config *cfg, const struct source *src, const char *body, size_t len,
	  int verbose)
{
	struct records recs = { 0 };
	struct lr_err err = { 0 };
	size_t i;
	int rc;

	if (verbose && (rc = test_print_view(src, body, len)) != EXIT_OK)
		return rc;
	if (refresh_parse_page(cfg, src, body, len, &recs, &err) != LR_OK)
		return report(&err);
	if (src->kind != SOURCE_PRICING) {
		test_print_facts(&recs);
		goto out;
	}
	printf("# provider_model_id\tmodel\tvariant\tregion\tinput\t\toutput\t\tcontext\tmax_"
	       "output\tcached_input\t\tdeprecation_date\tprovider\ttier_threshold\ttier_"
	       "input\t\ttier_output\t\tprices\n");
	for (i = 0; i < recs.n; i++) {
		const struct record *r = &recs.v[i];
		printf("%s\t%s\t%s\t%s", r->provider_model_id, r->model_id, r->variant, r->region);
		print_price(&r->input);
		print_price(&r->output);
		print_count(r->context_window);
		print_count(r->max_output);
		print_price(&r->cached_input);
		printf("\t%s\t%s", r->deprecation_date, r->provider);
		print_more_prices(r);
		printf("\n");
	}
out:
	printf("# %zu rows, %ld rejected%s%s\n", recs.n, recs.rejected,
	       recs.rejected ? "; the first: " : "", recs.first_rejection);
	records_free(&recs);
	return EXIT_OK;
}

struct test_fetch {
	const struct config *cfg;
	const struct source *src;
	int verbose;
	int rc;
};

static void
test_fetched(struct fetch_job *job, void *ctx)
{
	struct test_fetch *t = ctx;

	const char *body = job->res.body.data ? job->res.body.data : "";
	struct lr_err err = { 0 };
	struct buf pages = { 0 };

	if (job->rc != LR_OK) {
		t->rc = report(&job->err);
	} else if (!refresh_paginated(t->src)) {
		t->rc = test_body(t->cfg, t->src, body, job->res.body.len, t->verbose);
	} else if (refresh_fetch_pages(t->cfg, t->src, job->url, body, job->res.body.len, &pages,
				       &err) != LR_OK) {
		t->rc = report(&err);
	} else { /* every page, as refresh reads them */
		t->rc = test_body(t->cfg, t->src, pages.data, pages.len, t->verbose);
		buf_free(&pages);
	}
}

/* Fetch the source's page now (unconditionally) and test it. */
static int
test_fetch(struct cli *c, const struct source *src, int verbose)
{
	struct test_fetch t = { c->cfg, src, verbose, EXIT_OK };
	struct fetch_opts fo;
	struct fetch_job job;

	refresh_fetch_job(src, &job);
	refresh_fetch_opts(c->cfg, &fo);
	if (fetch_run(&fo, &job, 1, test_fetched, &t) != LR_OK)
		return EXIT_INTERNAL;
	return t.rc;
}

/* A saved page: a paginated source's body is the array of its pages, so
 * one page is read as the only one. */
static int
test_page(const struct config *cfg, const struct source *src, const struct buf *page, int verbose)
{
	struct buf one;
	int rc;

	if (!refresh_paginated(src))
		return test_body(cfg, src, page->data ? page->data : "", page->len, verbose);
	buf_init(&one, page->len + 2);
	if (buf_append(&one, "[", 1) != 0 ||
	    buf_append(&one, page->data ? page->data : "", page->len) != 0 ||
	    buf_append(&one, "]", 1) != 0) {
		buf_free(&one);
		log_err("sources test: out of memory");
		return EXIT_INTERNAL;
	}
	rc = test_body(cfg, src, one.data, one.len, verbose);
	buf_free(&one);
	return rc;
}

struct test_args {
	const char *id, *file, *page;
	int fetch, verbose;
};

/* Returns EXIT_OK, or -1 after --help. */
static int
test_parse(int argc, char **argv, struct test_args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--page") == 0 && i + 1 < argc)
			a->page = argv[++i];
		else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc)
			a->file = argv[++i];
		else if (strcmp(argv[i], "--fetch") == 0)
			a->fetch = 1;
		else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)
			a->verbose = 1;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return printf("usage: llmref [-c FILE] %s\n", CLI_USAGE_SOURCES_TEST), -1;
		else if (argv[i][0] != '-' && a->id == NULL)
			a->id = argv[i];
		else
			return log_err("sources test: unexpected argument '%s'", argv[i]),
			       EXIT_USAGE;
	}
	if ((a->id == NULL) == (a->file == NULL) || (a->page == NULL) == !a->fetch)
		return log_err("sources test: give a source ID or --file DRAFT, and one of "
			       "--page FILE, --fetch"),
		       EXIT_USAGE;
	return EXIT_OK;
}

/* The source tested: an installed one, or a draft file loaded on its own
 * into draft (not installed; its program compiles when it runs). */
static int
test_source(struct cli *c, const struct test_args *a, struct source *draft,
	    const struct source **src)
{
	struct lr_err err = { 0 };

	if (a->file == NULL) {
		*src = config_find_source(c->cfg, a->id);
		return *src != NULL ? EXIT_OK : cli_no_source(c, "sources test", a->id);
	}
	if (source_load(a->file, draft, &err) != LR_OK)
		return report(&err);
	*src = draft;
	return EXIT_OK;
}

int
cmd_sources_test(struct cli *c, int argc, char **argv)
{
	struct test_args a = { 0 };
	struct source draft;
	const struct source *src = NULL;
	const char *page;
	struct buf body;
	int rc = test_parse(argc, argv, &a);

	if (rc != EXIT_OK)
		return rc < 0 ? EXIT_OK : rc;
	memset(&draft, 0, sizeof(draft));
	if ((rc = cli_load_config(c)) != EXIT_OK ||
	    (rc = test_source(c, &a, &draft, &src)) != EXIT_OK)
		goto out;
	page = a.fetch ? src->file : a.page; /* a curated source's "page" is its local file */
	if (a.fetch && src->kind != SOURCE_CURATED)
		rc = test_fetch(c, src, a.verbose);
	else if (read_page(page, c->cfg->fetch_max_body_bytes, &body) != 0)
		rc = EXIT_SOURCE_FAILED;
	else {
		rc = test_page(c->cfg, src, &body, a.verbose);
		buf_free(&body);
	}
out:
	source_clear(&draft);
	return rc;
}
