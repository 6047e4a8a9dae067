/* fetch_bench.c - the fetch layer alone, for bench/run-fetch.sh: fetch
 * every URL listed in a file with fetch_run (no parsing, no database) and
 * print "pages bytes seconds failures". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch/fetch.h"

struct totals {
	long pages, failures;
	unsigned long long bytes;
};

static void
on_done(struct fetch_job *job, void *ctx)
{
	struct totals *t = ctx;

	if (job->rc == LR_OK && job->res.status == 200) {
		t->pages++;
		t->bytes += job->res.body.len;
	} else {
		t->failures++;
		if (t->failures <= 3)
			fprintf(stderr, "fetch_bench: %s: %s\n", job->url, job->err.reason);
	}
}

static char **
read_urls(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[2048], **v = NULL, **t;
	size_t cap = 0;

	*n = 0;
	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			t = realloc(v, cap * sizeof(*v));
			if (t == NULL)
				break;
			v = t;
		}
		v[(*n)++] = strdup(line);
	}
	fclose(f);
	return v;
}

int
main(int argc, char **argv)
{
	struct fetch_opts o = { .timeout_sec = 60,
				.connect_timeout_sec = 10,
				.low_speed_sec = 30,
				.max_body_bytes = 16 << 20,
				.user_agent = "llmref-bench",
				.max_connections = 16,
				.max_per_host = 16,
				.host_delay_ms = 0,
				.retries = 0,
				.backoff_base_ms = 100,
				.backoff_max_ms = 1000,
				.retry_after_max_ms = 1000 };
	struct totals t = { 0 };
	struct fetch_job *jobs;
	struct timespec a, b;
	char **urls;
	size_t n, i;

	if (argc < 2) {
		fprintf(stderr, "usage: fetch_bench URL_FILE [CONNECTIONS]\n");
		return 2;
	}
	if (argc > 2)
		o.max_connections = o.max_per_host = strtol(argv[2], NULL, 10);
	urls = read_urls(argv[1], &n);
	jobs = calloc(n ? n : 1, sizeof(*jobs));
	if (urls == NULL || jobs == NULL || fetch_global_init() != 0)
		return 1;
	for (i = 0; i < n; i++) {
		jobs[i].source_id = "bench";
		jobs[i].url = urls[i];
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (fetch_run(&o, jobs, n, on_done, &t) != LR_OK)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%ld %llu %.6f %ld\n", t.pages, t.bytes,
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9, t.failures);
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(jobs);
	fetch_global_cleanup();
	return t.failures ? 1 : 0;
}
