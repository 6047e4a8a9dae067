/* extract_bench.c - extraction and normalization alone, for
 * bench/run-extract.sh: load a configuration (timed: it compiles the
 * sources' jq programs), then read every source's page from DIR/ID.html
 * or DIR/ID.json through refresh_parse_page, as a refresh does, ROUNDS
 * times, and print "load_s parse_s rows". No fetching, no database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "core/file.h"
#include "daemon/refresh.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every source's page, once; returns its rows or -1. */
static long
parse_all(const struct config *cfg, const char *dir)
{
	char path[4096];
	long rows = 0;
	size_t i;

	for (i = 0; i < cfg->nsources; i++) {
		const struct source *src = &cfg->sources[i];
		struct records recs;
		struct lr_err err = { 0 };
		struct buf body;
		enum file_rc rc;

		snprintf(path, sizeof(path), "%s/%s.%s", dir, src->id,
			 src->format == FORMAT_JSON ? "json" : "html");
		rc = file_read(path, 256UL * 1024 * 1024, 0, &body);
		if (rc != FILE_OK ||
		    refresh_parse_page(cfg, src, body.data, body.len, &recs, &err) != LR_OK) {
			fprintf(stderr, "extract_bench: %s: %s\n", path, rc ? "unreadable" : err.reason);
			if (rc == FILE_OK)
				buf_free(&body);
			return -1;
		}
		rows += (long)recs.n;
		records_free(&recs);
		buf_free(&body);
	}
	return rows;
}

int
main(int argc, char **argv)
{
	struct lr_err err = { 0 };
	struct config *cfg;
	double t0, t1, t2;
	long rows = 0;
	int r, rounds = argc > 3 ? atoi(argv[3]) : 1;

	if (argc < 3) {
		fprintf(stderr, "usage: extract_bench CONF PAGES-DIR [ROUNDS]\n");
		return 2;
	}
	t0 = now();
	cfg = config_load(argv[1], &err);
	if (cfg == NULL) {
		fprintf(stderr, "extract_bench: %s\n", err.reason);
		return 1;
	}
	t1 = now();
	for (r = 0; r < rounds && rows >= 0; r++)
		rows = parse_all(cfg, argv[2]);
	t2 = now();
	config_free(cfg);
	if (rows < 0)
		return 1;
	printf("%.4f %.4f %ld\n", t1 - t0, (t2 - t1) / rounds, rows);
	return 0;
}
