/* diff_site.c - the page builders' tree (see diff_site.h): each file
 * built in memory, compared with what the tree holds, replaced only when
 * its bytes change; index.json last, then the files it no longer names
 * removed. */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/file.h"
#include "diff/diff_chart.h"
#include "diff/diff_run.h"
#include "diff/diff_site.h"

#define SITE_NAME_MAX 1024

static const char *const site_dirs[] = { "models", "comparisons", "history", "providers",
					 "charts" };

struct site {
	struct catalog *cat;
	const struct config *cfg;
	const char *dir;
	struct diff_site_stats *st;
	json_t *kept;   /* {"models/x.json": true, ...}: the files of this tree */
	json_t *halves; /* every model's half, read once (diff_export_halves) */
};

/* id as a file name: every byte but A-Z a-z 0-9 . _ - (and a leading
 * dot) as %XX. 0, or -1 if it does not fit. */
static int
site_name(const char *id, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)id; *p != '\0'; p++) {
		int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
			    (*p == '.' && p != (const unsigned char *)id);
		if (n + 4 >= len)
			return -1;
		if (plain) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
	return 0;
}

/* Put data as sub/name.json (rel gets "sub/name.json"; a name ending in
 * ".svg" is kept as it is), unless it holds those bytes already. */
static enum lr_code
site_put(struct site *s, const char *sub, const char *name, const char *data, size_t len, char *rel,
	 size_t rellen, struct lr_err *err)
{
	char dir[SITE_NAME_MAX * 2], file[SITE_NAME_MAX + 8];
	size_t n = strlen(name);

	snprintf(dir, sizeof(dir), "%s/%s", s->dir, sub);
	snprintf(file, sizeof(file), "%s%s", name,
		 n > 4 && strcmp(name + n - 4, ".svg") == 0 ? "" : ".json");
	snprintf(rel, rellen, "%s/%s", sub, file);
	if (json_object_set_new(s->kept, rel, json_true()) != 0)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	s->st->files++;
	if (file_same(dir, file, data, len))
		return LR_OK;
	if (file_replace(dir, file, data, len) != 0)
		return lr_err_set_errno(err, LR_ERR_INTERNAL, NULL, NULL, "export site: %s/%s", dir,
					file);
	s->st->written++;
	return LR_OK;
}

/* The text of a JSON document as the exports print it. */
static char *
site_text(const json_t *doc, size_t *len)
{
	char *t = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *out;
	size_t n;

	if (t == NULL)
		return NULL;
	n = strlen(t);
	out = realloc(t, n + 2);
	if (out == NULL) {
		free(t);
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = '\0';
	*len = n + 1;
	return out;
}

typedef enum lr_code (*site_print_fn)(struct site *s, const char *a, const char *b, FILE *out,
				      struct lr_err *err);

/* Put what print writes for (a, b) as sub/name.json. */
static enum lr_code
site_capture(struct site *s, site_print_fn print, const char *a, const char *b, const char *sub,
	     const char *name, char *rel, size_t rellen, struct lr_err *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	enum lr_code rc;

	if (f == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	rc = print(s, a, b, f, err);
	if (fclose(f) != 0 && rc == LR_OK)
		rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	if (rc == LR_OK)
		rc = site_put(s, sub, name, text, len, rel, rellen, err);
	free(text);
	return rc;
}

static enum lr_code
print_model(struct site *s, const char *a, const char *b, FILE *out, struct lr_err *err)
{
	(void)b;
	return diff_export_half(s->halves, a, out, err);
}

static enum lr_code
print_pair(struct site *s, const char *a, const char *b, FILE *out, struct lr_err *err)
{
	return diff_export_pair_of(s->cat, s->cfg, s->halves, a, b, out, err);
}

/* models/ID.json for each model; index gets {"id", "model", "history"}. */
static enum lr_code
site_models(struct site *s, json_t *index, json_t *known, struct lr_err *err)
{
	struct catalog_rows rows = { 0 };
	char name[SITE_NAME_MAX], rel[SITE_NAME_MAX * 2], hist[SITE_NAME_MAX * 2],
	    chart[SITE_NAME_MAX * 2];
	enum lr_code rc = catalog_site_rows(s->cat, CATALOG_SITE_MODELS, &rows, err);
	long i;

	for (i = 0; rc == LR_OK && i < rows.nrows; i++) {
		const char *id = catalog_cell(&rows, i, 0);
		if (site_name(id, name, sizeof(name)) != 0) {
			rc = lr_err_set(err, LR_ERR_INTERNAL, NULL, NULL,
					"export site: model id too long: %.80s", id);
			break;
		}
		rc = site_capture(s, print_model, id, NULL, "models", name, rel, sizeof(rel), err);
		snprintf(hist, sizeof(hist), "history/%s.json", name);
		snprintf(chart, sizeof(chart), "charts/%s.svg", name);
		if (rc == LR_OK &&
		    (json_array_append_new(index,
					   json_pack("{s:s, s:s, s:s, s:s}", "id", id, "model", rel,
						     "history", hist, "chart", chart)) != 0 ||
		     json_object_set_new(known, id, json_true()) != 0))
			rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	}
	catalog_rows_free(&rows);
	return rc;
}

/* comparisons/A--B.json for each stored pair whose models are known;
 * index gets {"models": [a, b], "comparison"}. */
static enum lr_code
site_pairs(struct site *s, json_t *index, const json_t *known, struct lr_err *err)
{
	struct catalog_rows rows = { 0 };
	char na[SITE_NAME_MAX], nb[SITE_NAME_MAX], name[SITE_NAME_MAX * 2 + 2],
	    rel[SITE_NAME_MAX * 3];
	enum lr_code rc = catalog_site_rows(s->cat, CATALOG_SITE_PAIRS, &rows, err);
	long i;

	for (i = 0; rc == LR_OK && i < rows.nrows; i++) {
		const char *a = catalog_cell(&rows, i, 0), *b = catalog_cell(&rows, i, 1);
		if (json_object_get(known, a) == NULL || json_object_get(known, b) == NULL)
			continue; /* a record left from a model no provider serves now */
		if (site_name(a, na, sizeof(na)) != 0 || site_name(b, nb, sizeof(nb)) != 0) {
			rc = lr_err_set(err, LR_ERR_INTERNAL, NULL, NULL,
					"export site: model id too long");
			break;
		}
		snprintf(name, sizeof(name), "%s--%s", na, nb);
		rc = site_capture(s, print_pair, a, b, "comparisons", name, rel, sizeof(rel), err);
		if (rc == LR_OK &&
		    json_array_append_new(index, json_pack("{s:[s, s], s:s}", "models", a, b,
							   "comparison", rel)) != 0)
			rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	}
	catalog_rows_free(&rows);
	return rc;
}

/* charts/name.svg of a history document. */
static enum lr_code
site_chart(struct site *s, const json_t *history, const char *name, struct lr_err *err)
{
	char file[SITE_NAME_MAX + 8], rel[SITE_NAME_MAX * 2];
	size_t len = 0;
	char *svg = diff_chart_svg(history, &len);
	enum lr_code rc;

	if (svg == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	snprintf(file, sizeof(file), "%s.svg", name);
	rc = site_put(s, "charts", file, svg, len, rel, sizeof(rel), err);
	free(svg);
	return rc;
}

/* sub/ID.json for each row of part (id, JSON text), printed as the
 * exports print, and for a history its chart; index (or NULL) gets
 * {"id", key: path}. */
static enum lr_code
site_docs(struct site *s, enum catalog_site_part part, const char *sub, json_t *index,
	  const char *key, struct lr_err *err)
{
	struct catalog_rows rows = { 0 };
	char name[SITE_NAME_MAX], rel[SITE_NAME_MAX * 2], *text;
	enum lr_code rc = catalog_site_rows(s->cat, part, &rows, err);
	size_t len = 0;
	json_t *doc;
	long i;

	for (i = 0; rc == LR_OK && i < rows.nrows; i++) {
		const char *id = catalog_cell(&rows, i, 0);
		doc = json_loads(catalog_cell(&rows, i, 1), 0, NULL);
		text = doc ? site_text(doc, &len) : NULL;
		if (text == NULL || site_name(id, name, sizeof(name)) != 0)
			rc = lr_err_set(err, LR_ERR_INTERNAL, NULL, NULL,
					"export site: %s of %.80s", sub, id);
		else
			rc = site_put(s, sub, name, text, len, rel, sizeof(rel), err);
		if (rc == LR_OK && part == CATALOG_SITE_HISTORY)
			rc = site_chart(s, doc, name, err);
		if (rc == LR_OK && index != NULL &&
		    json_array_append_new(index, json_pack("{s:s, s:s}", "id", id, key, rel)) != 0)
			rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
		free(text);
		json_decref(doc);
	}
	catalog_rows_free(&rows);
	return rc;
}

/* Now, UTC, as the tree's dates are written. */
static void
site_now(char *out, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		lr_strlcpy(out, "", len);
}

/* index.json's text with generated_at = at. */
static char *
index_text(json_t *index, const char *at, size_t *len)
{
	if (json_object_set_new(index, "generated_at", json_string(at)) != 0)
		return NULL;
	return site_text(index, len);
}

/* index.json, last: kept as it is when no other file changed and the
 * rest of it is the same (its generated_at then stays too). */
static enum lr_code
site_index(struct site *s, json_t *index, struct lr_err *err)
{
	char path[SITE_NAME_MAX * 2], at[32], *text = NULL;
	struct buf old = { 0 };
	json_t *prev = NULL;
	size_t len = 0;
	enum lr_code rc = LR_OK;
	const char *was = NULL;

	snprintf(path, sizeof(path), "%s/index.json", s->dir);
	if (file_read(path, 64L << 20, FILE_NOFOLLOW, &old) == FILE_OK && old.data != NULL)
		prev = json_loads(old.data, 0, NULL);
	was = json_string_value(json_object_get(prev, "generated_at"));
	if (s->st->written == 0 && was != NULL && (text = index_text(index, was, &len)) != NULL &&
	    file_same(s->dir, "index.json", text, len)) {
		s->st->files++;
	} else {
		free(text);
		site_now(at, sizeof(at));
		text = index_text(index, at, &len);
		s->st->files++;
		if (text == NULL)
			rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
		else if (file_replace(s->dir, "index.json", text, len) != 0)
			rc = lr_err_set_errno(err, LR_ERR_INTERNAL, NULL, NULL, "export site: %s",
					      path);
		else
			s->st->written++;
	}
	free(text);
	json_decref(prev);
	buf_free(&old);
	return rc;
}

/* Remove the *.json files of the tree's folders that it no longer names. */
static void
site_prune(struct site *s)
{
	char dir[SITE_NAME_MAX * 2], rel[SITE_NAME_MAX * 3];
	struct dirent *e;
	size_t i, n;
	DIR *d;

	for (i = 0; i < sizeof(site_dirs) / sizeof(site_dirs[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", s->dir, site_dirs[i]);
		if ((d = opendir(dir)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			n = strlen(e->d_name);
			if (e->d_name[0] == '.' || n < 5 ||
			    (strcmp(e->d_name + n - 5, ".json") != 0 &&
			     strcmp(e->d_name + n - 4, ".svg") != 0))
				continue;
			snprintf(rel, sizeof(rel), "%s/%s", site_dirs[i], e->d_name);
			if (json_object_get(s->kept, rel) == NULL &&
			    unlinkat(dirfd(d), e->d_name, 0) == 0)
				s->st->removed++;
		}
		closedir(d);
	}
}

/* The tree's folders, made if missing. */
static enum lr_code
site_mkdirs(const char *top, struct lr_err *err)
{
	char dir[SITE_NAME_MAX * 2];
	size_t i;

	if (mkdir(top, 0755) != 0 && errno != EEXIST)
		return lr_err_set_errno(err, LR_ERR_INTERNAL, NULL, NULL, "export site: %s", top);
	for (i = 0; i < sizeof(site_dirs) / sizeof(site_dirs[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", top, site_dirs[i]);
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return lr_err_set_errno(err, LR_ERR_INTERNAL, NULL, NULL, "export site: %s",
						dir);
	}
	return LR_OK;
}

/* The index's head: schema_version, the feed's last event. */
static json_t *
site_head(struct site *s, struct lr_err *err)
{
	struct catalog_rows rows = { 0 };
	json_t *index = NULL;
	long long last;

	if (catalog_site_rows(s->cat, CATALOG_SITE_LAST_EVENT, &rows, err) != LR_OK)
		return NULL;
	last = rows.nrows == 1 ? strtoll(catalog_cell(&rows, 0, 0), NULL, 10) : 0;
	index = json_pack(
	    "{s:i, s:n, s:I, s:s, s:[], s:[], s:[]}", "schema_version", DIFF_SITE_SCHEMA_VERSION,
	    "generated_at", "last_event_id", (json_int_t)last, "last_event_at",
	    rows.nrows == 1 ? catalog_cell(&rows, 0, 1) : "", "models", "providers", "pairs");
	catalog_rows_free(&rows);
	if (index == NULL)
		lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	return index;
}

enum lr_code
diff_site_write(struct catalog *cat, const struct config *cfg, const char *dir,
		struct diff_site_stats *st, struct lr_err *err)
{
	struct site s = { cat, cfg, dir, st, json_object(), NULL };
	json_t *known = json_object(), *index = NULL;
	enum lr_code rc;

	memset(st, 0, sizeof(*st));
	if (strlen(dir) > SITE_NAME_MAX / 2)
		rc = lr_err_set(err, LR_ERR_USAGE, NULL, NULL,
				"export site: a folder name of %zu "
				"bytes is too long (at most %d)",
				strlen(dir), SITE_NAME_MAX / 2);
	else
		rc = s.kept && known ? site_mkdirs(dir, err)
				     : lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	if (rc == LR_OK && (index = site_head(&s, err)) == NULL)
		rc = err->code;
	if (rc == LR_OK && (s.halves = diff_export_halves(cat, cfg, err)) == NULL)
		rc = err->code;
	if (rc == LR_OK)
		rc = site_models(&s, json_object_get(index, "models"), known, err);
	if (rc == LR_OK)
		rc = site_docs(&s, CATALOG_SITE_HISTORY, "history", NULL, NULL, err);
	if (rc == LR_OK)
		rc = site_docs(&s, CATALOG_SITE_PROVIDERS, "providers",
			       json_object_get(index, "providers"), "provider", err);
	if (rc == LR_OK)
		rc = site_pairs(&s, json_object_get(index, "pairs"), known, err);
	if (rc == LR_OK)
		rc = site_index(&s, index, err);
	if (rc == LR_OK)
		site_prune(&s);
	json_decref(index);
	json_decref(known);
	json_decref(s.kept);
	json_decref(s.halves);
	return rc;
}
