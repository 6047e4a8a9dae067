/* diff_run.c - the diff stage's driver: model halves from the catalog's
 * inputs, comparison records for the pairs a change touches, and only
 * the records whose hash moved are stored, each with one event. The cost
 * of a pass grows with the number of models times the changed ones. */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/log.h"
#include "diff/diff.h"
#include "diff/diff_related.h"
#include "diff/diff_run.h"

static const char *const capability_names[] = {
	"vision",       "multimodal",         "reasoning",      "function_calling",
	"tool_use",     "structured_outputs", "code_execution", "ide_integration",
	"computer_use", "parallel_agents",
};

/* facts[name] as a new JSON string, or null. */
static json_t *
fact_or_null(const json_t *facts, const char *name)
{
	const char *v = json_string_value(json_object_get(facts, name));

	return v ? json_string(v) : json_null();
}

/* The model's context window: its own fact, else the largest a provider
 * states; a new JSON string or null. */
static json_t *
half_context(const json_t *facts, const json_t *routes)
{
	long long best = 0, v;
	const char *s;
	json_t *r;
	size_t i;

	if (json_object_get(facts, "context_window") != NULL)
		return fact_or_null(facts, "context_window");
	json_array_foreach(routes, i, r)
	{
		s = json_string_value(json_object_get(r, "context_window"));
		v = s ? strtoll(s, NULL, 10) : 0;
		best = v > best ? v : best;
	}
	return best > 0 ? json_sprintf("%lld", best) : json_null();
}

/* capabilities (every known name, false unless a source says true),
 * benchmarks and their display names, and the curated use-case tags (in
 * the order of their ids), from facts "capability:X", "benchmark:X",
 * "benchmark_name:X", "tag:X". */
static void
half_facets(json_t *half, const json_t *facts)
{
	json_t *caps = json_object(), *bench = json_object(), *names = json_object(), *v;
	json_t *tags = json_array();
	const char *key;
	size_t i;

	for (i = 0; i < sizeof(capability_names) / sizeof(capability_names[0]); i++)
		json_object_set_new(caps, capability_names[i], json_false());
	json_object_foreach((json_t *)facts, key, v)
	{
		if (strncmp(key, "capability:", 11) == 0)
			json_object_set_new(
			    caps, key + 11,
			    json_boolean(strcmp(json_string_value(v), "true") == 0));
		else if (strncmp(key, "benchmark:", 10) == 0)
			json_object_set(bench, key + 10, v);
		else if (strncmp(key, "benchmark_name:", 15) == 0)
			json_object_set(names, key + 15, v);
		else if (strncmp(key, "tag:", 4) == 0)
			json_array_append(tags, v);
	}
	json_object_set_new(half, "tags", tags);
	json_object_set_new(half, "capabilities", caps);
	json_object_set_new(half, "benchmarks", bench);
	json_object_set_new(half, "benchmark_names", names);
}

/* A raw model half from the catalog's inputs for id; new reference, NULL
 * if out of memory. */
static json_t *
half_build(const char *id, const json_t *in)
{
	const json_t *facts = json_object_get(in, "facts"), *routes = json_object_get(in, "routes");
	json_t *half = json_object(), *name = json_object_get(facts, "name");
	json_t *lic = json_object_get(facts, "license_name");

	if (half == NULL)
		return NULL;
	json_object_set_new(half, "id", json_string(id));
	json_object_set_new(half, "name", name ? json_copy(name) : json_string(id));
	json_object_set_new(half, "creator", fact_or_null(facts, "creator"));
	json_object_set_new(half, "released", fact_or_null(facts, "release_date"));
	json_object_set_new(half, "context_window", half_context(facts, routes));
	json_object_set_new(half, "parameters", fact_or_null(facts, "parameters"));
	json_object_set_new(half, "architecture", fact_or_null(facts, "architecture"));
	json_object_set_new(half, "license", lic ? json_copy(lic) : fact_or_null(facts, "license"));
	json_object_set_new(half, "openness", fact_or_null(facts, "openness"));
	json_object_set_new(half, "commercial_use", fact_or_null(facts, "commercial_use"));
	json_object_set_new(half, "knowledge_cutoff", fact_or_null(facts, "knowledge_cutoff"));
	half_facets(half, facts);
	json_object_set_new(half, "routes", routes ? json_deep_copy(routes) : json_array());
	json_object_set(half, "last_reviewed", json_object_get(in, "last_reviewed"));
	return half;
}

static void
traffic_of(const struct config *cfg, struct diff_traffic *t)
{
	t->tokens_per_month = (int64_t)cfg->traffic_tokens_per_month;
	t->input_share_bp = cfg->traffic_input_share_bp;
}

/* Completed halves of every model in inputs: a new object {id: half}. */
static json_t *
halves_build(const json_t *inputs, const struct config *cfg, struct lr_err *err)
{
	struct diff_traffic t;
	json_t *out = json_object(), *in, *half;
	const char *id;

	traffic_of(cfg, &t);
	json_object_foreach((json_t *)inputs, id, in)
	{
		half = half_build(id, in);
		if (half == NULL)
			lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
		if (half == NULL || diff_model_complete(half, &t, err) != 0 ||
		    json_object_set(out, id, half) != 0) {
			json_decref(half);
			json_decref(out);
			return NULL;
		}
		json_decref(half);
	}
	return out;
}

/* ---- which pairs ---------------------------------------------------- */

struct pair_rule {
	json_t *listed; /* {"a|b": true} from pairs_file, or NULL: any pair */
	json_t *top;    /* with pairs = creator: {id: true} of the most-routed */
	int by_creator;
};

static void
pair_key(const char *a, const char *b, char *key, size_t len)
{
	if (strcmp(a, b) > 0) {
		const char *t = a;
		a = b;
		b = t;
	}
	snprintf(key, len, "%s|%s", a, b);
}

/* pairs_file: one "model-a model-b" pair per line, '#' comments. */
static enum lr_code
pairs_load(const char *path, json_t *listed, struct lr_err *err)
{
	FILE *f = fopen(path, "r");
	char line[512], a[200], b[200], key[420], extra[2];
	long n = 0;

	if (f == NULL)
		return lr_err_set_errno(err, LR_ERR_CONFIG, NULL, NULL, "[diff] pairs_file %s",
					path);
	while (fgets(line, sizeof(line), f) != NULL) {
		n++;
		if (line[strspn(line, " \t\r\n")] == '\0' || line[strspn(line, " \t")] == '#')
			continue;
		if (strchr(line, '\n') == NULL && !feof(f))
			break;
		if (sscanf(line, "%199s %199s %1s", a, b, extra) != 2 || strcmp(a, b) == 0)
			break;
		pair_key(a, b, key, sizeof(key));
		json_object_set_new(listed, key, json_true());
	}
	if (!feof(f) || ferror(f)) {
		fclose(f);
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s:%ld: expected two different model ids", path, n);
	}
	fclose(f);
	return LR_OK;
}

static int
by_routes_desc(const void *x, const void *y)
{
	const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	json_int_t ra = json_integer_value(json_object_get(a, "route_count"));
	json_int_t rb = json_integer_value(json_object_get(b, "route_count"));

	if (ra != rb)
		return ra < rb ? 1 : -1;
	return strcmp(json_string_value(json_object_get(a, "id")),
		      json_string_value(json_object_get(b, "id")));
}

/* The top_routed most-routed models, for pairs = creator. */
static json_t *
pairs_top(const json_t *halves, long n)
{
	size_t i = 0, count = json_object_size(halves);
	json_t **v = calloc(count ? count : 1, sizeof(*v)), *h, *top = json_object();
	const char *id;

	if (v == NULL || top == NULL) {
		free(v);
		json_decref(top);
		return NULL;
	}
	json_object_foreach((json_t *)halves, id, h) v[i++] = h;
	qsort(v, count, sizeof(*v), by_routes_desc);
	for (i = 0; i < count && (long)i < n; i++)
		json_object_set_new(top, json_string_value(json_object_get(v[i], "id")),
				    json_true());
	free(v);
	return top;
}

/* The rule's pairs_file part; its top-routed part needs the halves. */
static enum lr_code
pair_rule_init(struct pair_rule *r, const struct config *cfg, struct lr_err *err)
{
	memset(r, 0, sizeof(*r));
	r->by_creator = strcmp(cfg->diff_pairs, "creator") == 0;
	if (cfg->diff_pairs_file[0] == '\0')
		return LR_OK;
	r->listed = json_object();
	if (r->listed == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	return pairs_load(cfg->diff_pairs_file, r->listed, err);
}

/* The models a pass must load: with a pairs_file (and pairs = all), both
 * ends of each listed pair that has a dirty end, as a new object {id:
 * true}; NULL when any two models may pair (every model is needed). So
 * a pass's memory follows the pairs it computes, not the catalog. */
static json_t *
pass_needed(const json_t *dirty, const struct pair_rule *r)
{
	char a[200];
	const char *key, *bar;
	json_t *ids, *v;

	if (r->listed == NULL || r->by_creator || (ids = json_object()) == NULL)
		return NULL;
	json_object_foreach(r->listed, key, v)
	{
		bar = strchr(key, '|');
		if (bar == NULL || (size_t)(bar - key) >= sizeof(a))
			continue;
		snprintf(a, sizeof(a), "%.*s", (int)(bar - key), key);
		if (json_object_get(dirty, a) == NULL && json_object_get(dirty, bar + 1) == NULL)
			continue;
		json_object_set_new(ids, a, json_true());
		json_object_set_new(ids, bar + 1, json_true());
	}
	return ids;
}

static void
pair_rule_free(struct pair_rule *r)
{
	json_decref(r->listed);
	json_decref(r->top);
}

static int
pair_wanted(const void *rule, const json_t *ha, const json_t *hb)
{
	const struct pair_rule *r = rule;
	const char *a = json_string_value(json_object_get(ha, "id"));
	const char *b = json_string_value(json_object_get(hb, "id"));
	const char *ca = json_string_value(json_object_get(ha, "creator"));
	const char *cb = json_string_value(json_object_get(hb, "creator"));
	char key[420];

	if (r->listed != NULL) {
		pair_key(a, b, key, sizeof(key));
		if (json_object_get(r->listed, key) == NULL)
			return 0;
	}
	if (!r->by_creator)
		return 1;
	return (ca && cb && strcmp(ca, cb) == 0) ||
	       (json_object_get(r->top, a) && json_object_get(r->top, b));
}

/* ---- a pass --------------------------------------------------------- */

struct pass_ctx {
	struct catalog *cat;
	struct diff_traffic t;
	const json_t *dirty;  /* {id: "run id" or ""} */
	const json_t *stored; /* {"a|b": {"hash", "record"}} */
	struct diff_pass *st;
	struct diff_related *related; /* each record's related_pairs */
};

/* The later of the runs that dirtied a and b ("" if neither says). */
static const char *
pair_run(const struct pass_ctx *p, const char *a, const char *b)
{
	const char *ra = json_string_value(json_object_get(p->dirty, a));
	const char *rb = json_string_value(json_object_get(p->dirty, b));

	if (ra == NULL || ra[0] == '\0')
		return rb ? rb : "";
	if (rb == NULL || rb[0] == '\0')
		return ra;
	return strtoll(ra, NULL, 10) >= strtoll(rb, NULL, 10) ? ra : rb;
}

/* Store rec (of a < b) with its event: the fields that changed. */
static enum lr_code
pass_store(const struct pass_ctx *p, const char *a, const char *b, const json_t *prev,
	   const json_t *rec, struct lr_err *err)
{
	const char *old_text = json_string_value(json_object_get(prev, "record"));
	json_t *old = old_text ? json_loads(old_text, 0, NULL) : NULL;
	json_t *changes = diff_changed_fields(old, rec);
	char *text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *ctext = changes ? json_dumps(changes, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	enum lr_code rc;

	if (text == NULL || ctext == NULL)
		rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	else
		rc = catalog_comparison_put(p->cat, a, b, text,
					    json_string_value(json_object_get(rec, "record_hash")),
					    pair_run(p, a, b), ctext, err);
	free(text);
	free(ctext);
	json_decref(changes);
	json_decref(old);
	return rc;
}

/* Recompute the record of (ha, hb), a < b; store it if its hash moved. */
static enum lr_code
pass_pair(const struct pass_ctx *p, const json_t *ha, const json_t *hb, struct lr_err *err)
{
	const char *a = json_string_value(json_object_get(ha, "id"));
	const char *b = json_string_value(json_object_get(hb, "id"));
	json_t *rec = diff_pair_record(ha, hb, &p->t, err);
	const json_t *prev;
	const char *hash;
	char key[420];
	enum lr_code rc = LR_OK;

	if (rec == NULL)
		return err->code != LR_OK ? err->code : LR_ERR_INTERNAL;
	if (diff_record_set_related(rec, diff_related_pairs(p->related, a, b)) != 0) {
		json_decref(rec);
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	}
	p->st->recomputed++;
	snprintf(key, sizeof(key), "%s|%s", a, b);
	prev = json_object_get(p->stored, key);
	hash = json_string_value(json_object_get(rec, "record_hash"));
	if (prev == NULL || hash == NULL ||
	    strcmp(json_string_value(json_object_get(prev, "hash")), hash) != 0) {
		rc = pass_store(p, a, b, prev, rec, err);
		p->st->changed += rc == LR_OK;
	}
	json_decref(rec);
	return rc;
}

/* Every wanted pair that involves a dirty model, each once. */
static enum lr_code
pass_all(const struct pass_ctx *p, const json_t *halves, const struct pair_rule *rule,
	 struct lr_err *err)
{
	const char *d, *o;
	json_t *hd, *ho, *run;
	enum lr_code rc = LR_OK;

	json_object_foreach((json_t *)p->dirty, d, run)
	{
		if ((hd = json_object_get(halves, d)) == NULL)
			continue; /* no provider serves it (any more) */
		json_object_foreach((json_t *)halves, o, ho)
		{
			if (strcmp(o, d) == 0 ||
			    (json_object_get(p->dirty, o) != NULL && strcmp(o, d) < 0) ||
			    !pair_wanted(rule, hd, ho))
				continue;
			rc = strcmp(d, o) < 0 ? pass_pair(p, hd, ho, err)
					      : pass_pair(p, ho, hd, err);
			if (rc != LR_OK)
				return rc;
		}
	}
	return LR_OK;
}

/* pairs = all with no pairs_file: say how many pairs that is. */
static void
pass_warn_all(const struct pair_rule *r, long models)
{
	if (r->by_creator || r->listed != NULL)
		return;
	log_warn("[diff] pairs = all: %ld models make %lld pairs, each a comparison record "
		 "(pairs = creator bounds them)",
		 models, (long long)models * (models - 1) / 2);
}

static enum lr_code
pass_compute(struct pass_ctx *p, const struct config *cfg, struct lr_err *err)
{
	json_t *ids = NULL, *inputs = NULL, *halves = NULL, *stored = NULL;
	struct pair_rule rule = { 0 };
	enum lr_code rc;

	rc = pair_rule_init(&rule, cfg, err);
	if (rc == LR_OK)
		ids = pass_needed(p->dirty, &rule);
	if (rc == LR_OK)
		rc = catalog_model_inputs(p->cat, ids, &inputs, err);
	if (rc == LR_OK && (halves = halves_build(inputs, cfg, err)) == NULL)
		rc = err->code != LR_OK ? err->code : LR_ERR_INTERNAL;
	json_decref(inputs); /* the halves hold what is needed */
	json_decref(ids);
	if (rc == LR_OK && rule.by_creator &&
	    (rule.top = pairs_top(halves, cfg->diff_top_routed)) == NULL)
		rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	if (rc == LR_OK && (p->related = diff_related_new(halves, pair_wanted, &rule)) == NULL)
		rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	if (rc == LR_OK)
		rc = catalog_comparisons_of(p->cat, p->dirty, &stored, err);
	if (rc == LR_OK) {
		p->st->models = (long)json_object_size(halves);
		p->stored = stored;
		pass_warn_all(&rule, p->st->models);
		rc = pass_all(p, halves, &rule, err);
	}
	diff_related_free(p->related);
	p->related = NULL;
	pair_rule_free(&rule);
	json_decref(stored);
	json_decref(halves);
	return rc;
}

/* ---- the feed ------------------------------------------------------- */

enum lr_code
diff_events_copy(struct catalog *cat, long long since, long limit, FILE *out, long long *last,
		 struct lr_err *err)
{
	struct catalog_rows ev;
	enum lr_code rc = catalog_read_events(cat, since, limit, &ev, err);
	long i;

	*last = since;
	if (rc != LR_OK)
		return rc;
	for (i = 0; i < ev.nrows; i++) {
		fprintf(out, "%s\n", catalog_cell(&ev, i, 0));
		*last = strtoll(catalog_cell(&ev, i, 1), NULL, 10);
	}
	catalog_rows_free(&ev);
	return fflush(out) == 0 ? LR_OK
				: lr_err_set_errno(err, LR_ERR_INTERNAL, NULL, NULL, "events");
}

/* ---- the spool ------------------------------------------------------ */

/* Write text to path atomically: a temporary file, fsync, rename. */
static int
spool_put(const char *dir, const char *name, const char *tmpname, FILE *src)
{
	char tmp[4096], final[4096];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/%s", dir, tmpname);
	snprintf(final, sizeof(final), "%s/%s", dir, name);
	if (fflush(src) != 0 || fsync(fileno(src)) != 0)
		return -1;
	if (rename(tmp, final) != 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	return 0;
}

static FILE *
spool_open(const char *dir, const char *tmpname)
{
	char tmp[4096];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/%s", dir, tmpname);
	/* a stale name (or a link planted there) goes; the new file is ours */
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	return fd < 0 ? NULL : fdopen(fd, "w");
}

/* Remove dir/name (a temporary or a batch given back). */
static void
spool_unlink(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	(void)unlink(path);
}

/* Write the new cursor; if it cannot be written, take the batch back so
 * that the next pass writes it again, never two overlapping batches. */
static enum lr_code
spool_cursor(const char *dir, const char *batch, long long last, struct lr_err *err)
{
	FILE *cur = spool_open(dir, ".cursor.tmp");
	int bad = cur == NULL || fprintf(cur, "%lld\n", last) < 0 ||
		  spool_put(dir, "cursor", ".cursor.tmp", cur) != 0;
	int e = errno;

	if (cur != NULL)
		fclose(cur);
	if (!bad)
		return LR_OK;
	spool_unlink(dir, ".cursor.tmp");
	spool_unlink(dir, batch);
	return lr_err_set(err, LR_ERR_SPOOL, NULL, dir, "spool: cursor: %s; batch %s taken back",
			  strerror(e), batch);
}

/* The events after since into dir/.batch.tmp; *last is the newest. */
static enum lr_code
spool_batch(struct catalog *cat, const char *dir, long long since, long long *last,
	    struct lr_err *err)
{
	FILE *f = spool_open(dir, ".batch.tmp");
	enum lr_code rc = LR_OK;
	long long from;
	char name[80];

	if (f == NULL)
		return lr_err_set_errno(err, LR_ERR_SPOOL, NULL, dir, "spool");
	for (from = *last = since; rc == LR_OK;) {
		rc = diff_events_copy(cat, *last, 1000, f, last, err);
		if (rc != LR_OK || *last == from)
			break;
		from = *last;
	}
	if (rc == LR_ERR_INTERNAL) /* the write failed */
		rc = lr_err_set_errno(err, LR_ERR_SPOOL, NULL, dir, "spool: .batch.tmp");
	snprintf(name, sizeof(name), "events-%lld-%lld.jsonl", since + 1, *last);
	if (rc == LR_OK && *last > since && spool_put(dir, name, ".batch.tmp", f) != 0)
		rc = lr_err_set_errno(err, LR_ERR_SPOOL, NULL, dir, "spool: %s", name);
	fclose(f);
	if (rc != LR_OK || *last == since) /* nothing new, or not written */
		spool_unlink(dir, ".batch.tmp");
	if (rc == LR_OK && *last > since)
		rc = spool_cursor(dir, name, *last, err);
	return rc;
}

/* The newest event id in the batch files events-AFTER-LAST.jsonl of dir
 * (0 if there are none): where a spool whose cursor is lost goes on,
 * instead of writing the whole feed again from event 1. */
static long long
spool_last_batched(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long long after, last, best = 0;
	char tail[8];

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (sscanf(de->d_name, "events-%lld-%lld.%7s", &after, &last, tail) == 3 &&
		    strcmp(tail, "jsonl") == 0 && last > best)
			best = last;
	closedir(d);
	return best;
}

/* The events after the spool's cursor as one batch file
 * events-AFTER-LAST.jsonl, then the new cursor; both written atomically,
 * under a lock on the folder so that two processes never interleave. A
 * full disk leaves no file behind that a reader could see half written. */
static enum lr_code
spool_events(struct catalog *cat, const char *dir, struct lr_err *err)
{
	char path[4096];
	long long since = 0, last;
	FILE *cur;
	enum lr_code rc;
	int lock;

	snprintf(path, sizeof(path), "%s/.lock", dir);
	lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (lock < 0 || flock(lock, LOCK_EX) != 0) {
		if (lock >= 0)
			close(lock);
		return lr_err_set_errno(err, LR_ERR_SPOOL, NULL, dir, "spool");
	}
	snprintf(path, sizeof(path), "%s/cursor", dir);
	if ((cur = fopen(path, "r")) != NULL) {
		if (fscanf(cur, "%lld", &since) != 1 || since < 0)
			since = -1;
		fclose(cur);
	}
	if (cur == NULL || since < 0) /* lost or garbled: go on from the files present */
		since = spool_last_batched(dir);
	rc = spool_batch(cat, dir, since, &last, err);
	close(lock); /* and the lock with it */
	return rc;
}

enum lr_code
diff_run(struct catalog *cat, const struct config *cfg, struct diff_pass *st, struct lr_err *err)
{
	/* cppcheck-suppress ctuuninitvar ; only the pointer is kept, *st is set below */
	struct pass_ctx p = { cat, { 0, 0 }, NULL, NULL, st, NULL };
	json_t *dirty = NULL;
	enum lr_code rc;

	memset(st, 0, sizeof(*st));
	traffic_of(cfg, &p.t);
	rc = catalog_sync_providers(cat, cfg, err);
	if (rc == LR_OK)
		rc = catalog_diff_begin(cat, &dirty, err);
	if (rc != LR_OK)
		return rc;
	st->dirty = (long)json_object_size(dirty);
	p.dirty = dirty;
	rc = st->dirty > 0 ? pass_compute(&p, cfg, err) : LR_OK;
	if (rc == LR_OK)
		rc = catalog_diff_commit(cat, dirty, err);
	else
		catalog_diff_abort(cat);
	json_decref(dirty);
	if (rc == LR_OK)
		rc = catalog_check_providers(cat, err);
	if (rc == LR_OK)
		rc = catalog_check_alerts(cat, cfg, err);
	if (rc == LR_OK && cfg->diff_spool[0] != '\0')
		rc = spool_events(cat, cfg->diff_spool, err);
	return rc;
}

/* ---- exports -------------------------------------------------------- */

/* Completed halves of the given ids: a new object, or NULL with err
 * (naming a model no provider serves). */
static json_t *
export_halves(struct catalog *cat, const struct config *cfg, json_t *ids, struct lr_err *err)
{
	json_t *inputs = NULL, *halves = NULL, *v;
	size_t i;

	if (catalog_model_inputs(cat, ids, &inputs, err) != LR_OK)
		return NULL;
	json_array_foreach(ids, i, v)
	{
		if (json_object_get(inputs, json_string_value(v)) == NULL) {
			lr_err_set(err, LR_ERR_USAGE, NULL, NULL,
				   "no provider serves a model '%s' (llmref export catalog lists "
				   "the models)",
				   json_string_value(v));
			json_decref(inputs);
			return NULL;
		}
	}
	halves = halves_build(inputs, cfg, err);
	json_decref(inputs);
	return halves;
}

static enum lr_code
export_print(json_t *doc, FILE *out, struct lr_err *err)
{
	int rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (rc != 0 || fputc('\n', out) == EOF || fflush(out) != 0)
		return lr_err_set(err, LR_ERR_INTERNAL, NULL, NULL, "export: write failed");
	return LR_OK;
}

enum lr_code
diff_export_model(struct catalog *cat, const struct config *cfg, const char *id, FILE *out,
		  struct lr_err *err)
{
	json_t *ids = json_pack("[s]", id), *halves;
	enum lr_code rc;

	if (ids == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	halves = export_halves(cat, cfg, ids, err);
	rc = halves ? diff_export_half(halves, id, out, err) : err->code;
	json_decref(halves);
	json_decref(ids);
	return rc;
}

json_t *
diff_export_halves(struct catalog *cat, const struct config *cfg, struct lr_err *err)
{
	json_t *inputs = NULL, *halves;

	if (catalog_model_inputs(cat, NULL, &inputs, err) != LR_OK)
		return NULL;
	halves = halves_build(inputs, cfg, err);
	json_decref(inputs);
	return halves;
}

enum lr_code
diff_export_half(const json_t *halves, const char *id, FILE *out, struct lr_err *err)
{
	const json_t *half = json_object_get(halves, id);

	if (half == NULL)
		return lr_err_set(err, LR_ERR_USAGE, NULL, NULL,
				  "no provider serves a model '%s' (llmref export catalog lists "
				  "the models)",
				  id);
	return export_print((json_t *)half, out, err);
}

/* related_pairs of an exported record, from the stored records of
 * either model (the pass computes them from every model's half). */
static enum lr_code
export_related(struct catalog *cat, const json_t *ids, json_t *rec, const char *a, const char *b,
	       struct lr_err *err)
{
	json_t *stored = NULL;
	enum lr_code rc = catalog_comparisons_of(cat, ids, &stored, err);

	if (rc == LR_OK &&
	    diff_record_set_related(rec, diff_related_from_stored(stored, a, b)) != 0)
		rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	json_decref(stored);
	return rc;
}

enum lr_code
diff_export_pair_of(struct catalog *cat, const struct config *cfg, const json_t *halves,
		    const char *a, const char *b, FILE *out, struct lr_err *err)
{
	json_t *ids = json_pack("[s, s]", a, b), *rec = NULL;
	const json_t *ha = json_object_get(halves, a), *hb = json_object_get(halves, b);
	struct diff_traffic t;
	enum lr_code rc;

	if (ids == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	if (ha == NULL || hb == NULL) {
		json_decref(ids);
		return lr_err_set(err, LR_ERR_USAGE, NULL, NULL, "no provider serves a model '%s'",
				  ha == NULL ? a : b);
	}
	traffic_of(cfg, &t);
	rec = diff_pair_record(ha, hb, &t, err);
	rc = rec ? export_related(cat, ids, rec, a, b, err) : err->code;
	if (rc == LR_OK)
		rc = export_print(rec, out, err);
	json_decref(rec);
	json_decref(ids);
	return rc;
}

enum lr_code
diff_export_pair(struct catalog *cat, const struct config *cfg, const char *a, const char *b,
		 FILE *out, struct lr_err *err)
{
	json_t *ids = json_pack("[s, s]", a, b), *halves;
	enum lr_code rc;

	if (ids == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	if (strcmp(a, b) == 0) {
		json_decref(ids);
		return lr_err_set(err, LR_ERR_USAGE, NULL, NULL, "compare two different models");
	}
	halves = export_halves(cat, cfg, ids, err);
	rc = halves ? diff_export_pair_of(cat, cfg, halves, a, b, out, err) : err->code;
	json_decref(halves);
	json_decref(ids);
	return rc;
}
