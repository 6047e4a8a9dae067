/* raw_limits.c - the parsing half of bench/run-load.sh's raw limits: parse
 * every *.html file given with libxml2's HTML parser and count the rows
 * one XPath query selects, and load every *.json file with jansson and
 * count the elements of its "data" array. No extraction, no
 * normalization, no database: what the libraries alone cost.
 *
 * usage: raw_limits XPATH FILE...
 * prints "html_pages html_rows json_files json_rows seconds failures" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

struct totals {
	long html_pages, html_rows, json_files, json_rows, failures;
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* One HTML page: parse, one XPath query, count the nodes. */
static void
html_one(const char *path, xmlXPathCompExprPtr rows, struct totals *t)
{
	size_t len = 0;
	char *body = slurp(path, &len);
	htmlDocPtr doc = NULL;
	xmlXPathContextPtr xp = NULL;
	xmlXPathObjectPtr obj = NULL;

	if (body != NULL)
		doc = htmlReadMemory(body, (int)len, NULL, "UTF-8",
				     HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (doc != NULL && (xp = xmlXPathNewContext(doc)) != NULL)
		obj = xmlXPathCompiledEval(rows, xp);
	if (obj != NULL && obj->type == XPATH_NODESET && obj->nodesetval != NULL) {
		t->html_pages++;
		t->html_rows += obj->nodesetval->nodeNr;
	} else {
		t->failures++;
	}
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(xp);
	xmlFreeDoc(doc);
	free(body);
}

/* One JSON file: load it whole, count $.data[*]. */
static void
json_one(const char *path, struct totals *t)
{
	size_t len = 0;
	char *body = slurp(path, &len);
	json_error_t jerr;
	json_t *root = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	json_t *data = json_object_get(root, "data");

	if (json_is_array(data)) {
		t->json_files++;
		t->json_rows += (long)json_array_size(data);
	} else {
		t->failures++;
	}
	json_decref(root);
	free(body);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
main(int argc, char **argv)
{
	struct totals t = { 0 };
	struct timespec t0, t1;
	xmlXPathCompExprPtr rows;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: raw_limits XPATH FILE...\n");
		return 2;
	}
	xmlInitParser();
	if ((rows = xmlXPathCompile((const xmlChar *)argv[1])) == NULL) {
		fprintf(stderr, "raw_limits: bad XPath %s\n", argv[1]);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 2; i < argc; i++) {
		if (ends_with(argv[i], ".html"))
			html_one(argv[i], rows, &t);
		else if (ends_with(argv[i], ".json"))
			json_one(argv[i], &t);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%ld %ld %ld %ld %.6f %ld\n", t.html_pages, t.html_rows, t.json_files, t.json_rows,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       t.failures);
	xmlXPathFreeCompExpr(rows);
	xmlCleanupParser();
	return t.failures != 0;
}
