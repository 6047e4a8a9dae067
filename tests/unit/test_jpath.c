/* test_jpath.c - table-driven tests of the JSON path subset (src/jpath.c):
 * compile errors, selections in document order, early stop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "extract/jpath.h"
#include "tap.h"

#define JT_WANT_MAX   8
#define JT_DUMP_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY)
#define JT_LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

struct eval_case {
	const char *path;
	const char *doc;
	/* Selected values, each as json_dumps(JT_DUMP_FLAGS) text, NULL
	 * ended; empty means nothing is selected. */
	const char *want[JT_WANT_MAX + 1];
};

struct error_case {
	const char *path;
	const char *why; /* the exact reason */
};

static const char jt_openrouter[] = "{\"data\":[{\"id\":\"m\",\"pricing\":{\"prompt\":\"0.1\"}}]}";

static const char jt_rows[] = "{\"data\":[{\"id\":\"a\",\"n\":1},{\"id\":\"b\"},"
			      "{\"id\":\"c\",\"n\":3}]}";

static const struct eval_case eval_cases[] = {
	{ "$", "{\"a\":1}", { "{\"a\":1}" } },
	{ "$", "42", { "42" } },
	{ "$", "null", { "null" } },
	{ "$.data[*]", jt_openrouter, { "{\"id\":\"m\",\"pricing\":{\"prompt\":\"0.1\"}}" } },
	{ "$.data[*].id", jt_rows, { "\"a\"", "\"b\"", "\"c\"" } },
	{ "$.data[*].n", jt_rows, { "1", "3" } },
	{ "$.data[1]", jt_rows, { "{\"id\":\"b\"}" } },
	{ "$.data[0].id", jt_rows, { "\"a\"" } },
	{ "$.data.*.id", jt_rows, { "\"a\"", "\"b\"", "\"c\"" } },
	{ "$['weird key']", "{\"weird key\":[1,2]}", { "[1,2]" } },
	{ "$['it\\'s']", "{\"it's\":true}", { "true" } },
	{ "$['a\\\\b']", "{\"a\\\\b\":1}", { "1" } },
	{ "$['a.b']['[x]']", "{\"a.b\":{\"[x]\":2},\"a\":{\"b\":3}}", { "2" } },
	{ "$['prix \xe2\x82\xac']", "{\"prix \xe2\x82\xac\":\"0.5\"}", { "\"0.5\"" } },
	{ "$['$']", "{\"$\":7}", { "7" } },
	{ "$.a.*", "{\"a\":{\"z\":1,\"b\":[2],\"m\":{\"x\":3}}}", { "1", "[2]", "{\"x\":3}" } },
	{ "$.*", "{\"b\":1,\"a\":2,\"c\":3}", { "1", "2", "3" } },
	{ "$[*]", "{\"b\":1,\"a\":2}", { "1", "2" } },
	{ "$[0]", "[\"x\",\"y\"]", { "\"x\"" } },
	{ "$[00001]", "[\"x\",\"y\"]", { "\"y\"" } },
	{ "$[10]", "[0,1,2]", { NULL } },
	{ "$[1000000000]", "[0]", { NULL } },
	{ "$.a[*][*]", "{\"a\":[[1,2],[3],[],4,{\"k\":5},[6]]}", { "1", "2", "3", "5", "6" } },
	{ "$[*][*][*]", "[[[1],[2,3]],[[4]]]", { "1", "2", "3", "4" } },
	{ "$.input-price_usd", "{\"input-price_usd\":\"3\"}", { "\"3\"" } },
	{ "$.-_.A9", "{\"-_\":{\"A9\":null}}", { "null" } },
	{ "$.0", "{\"0\":\"zero\"}", { "\"zero\"" } },
	{ "$.missing", "{\"a\":1}", { NULL } },
	{ "$.a.missing.deeper", "{\"a\":{}}", { NULL } },
	{ "$.a", "[{\"a\":1}]", { NULL } },
	{ "$[0]", "{\"0\":1}", { NULL } },
	{ "$['0']", "[1]", { NULL } },
	{ "$.a.b", "{\"a\":\"b\"}", { NULL } },
	{ "$.a[0]", "{\"a\":\"text\"}", { NULL } },
	{ "$.a[*]", "{\"a\":3.5}", { NULL } },
	{ "$.a.*", "{\"a\":null}", { NULL } },
	{ "$[*]", "[]", { NULL } },
	{ "$.*", "{}", { NULL } },
	{ "$[*]", "\"str\"", { NULL } },
	{ "$.a[*].b", "{\"a\":[1,{\"b\":2},[3],\"b\",{\"b\":[4]}]}", { "2", "[4]" } },
};

static const struct error_case error_cases[] = {
	{ "data", "jpath: unexpected 'd' at position 1 in 'data'" },
	{ "", "jpath: unexpected end at position 1 in ''" },
	{ " $", "jpath: unexpected ' ' at position 1 in ' $'" },
	{ "$.", "jpath: unexpected end at position 3 in '$.'" },
	{ "$..a", "jpath: unexpected '.' at position 3 in '$..a'" },
	{ "$[", "jpath: unexpected end at position 3 in '$['" },
	{ "$[]", "jpath: unexpected ']' at position 3 in '$[]'" },
	{ "$[-1]", "jpath: unexpected '-' at position 3 in '$[-1]'" },
	{ "$[1", "jpath: unexpected end at position 4 in '$[1'" },
	{ "$[1x]", "jpath: unexpected 'x' at position 4 in '$[1x]'" },
	{ "$[ 1]", "jpath: unexpected ' ' at position 3 in '$[ 1]'" },
	{ "$[*", "jpath: unexpected end at position 4 in '$[*'" },
	{ "$['x", "jpath: unexpected end at position 5 in '$['x'" },
	{ "$['x'", "jpath: unexpected end at position 6 in '$['x''" },
	{ "$['']", "jpath: unexpected ''' at position 4 in '$['']'" },
	{ "$['a\\n']", "jpath: unexpected 'n' at position 6 in '$['a\\n']'" },
	{ "$[\"a\"]", "jpath: unexpected '\"' at position 3 in '$[\"a\"]'" },
	{ "$.a b", "jpath: unexpected ' ' at position 4 in '$.a b'" },
	{ "$.a.x y", "jpath: unexpected ' ' at position 6 in '$.a.x y'" },
	{ "$a", "jpath: unexpected 'a' at position 2 in '$a'" },
	{ "$$", "jpath: unexpected '$' at position 2 in '$$'" },
	{ "$.a.", "jpath: unexpected end at position 5 in '$.a.'" },
	{ "$.a]", "jpath: unexpected ']' at position 4 in '$.a]'" },
	{ "$.**", "jpath: unexpected '*' at position 4 in '$.**'" },
	{ "$.a\tb", "jpath: unexpected byte 0x09 at position 4 in '$.a\tb'" },
	{ "$.caf\xc3\xa9", "jpath: unexpected byte 0xc3 at position 6 in '$.caf\xc3\xa9'" },
	{ "$[99999999999]", "jpath: index too large at position 3 in "
			    "'$[99999999999]' (max 1000000000)" },
	{ "$[1000000001]", "jpath: index too large at position 3 in "
			   "'$[1000000001]' (max 1000000000)" },
	{ "$[184467440737095516160]", "jpath: index too large at position 3 in "
				      "'$[184467440737095516160]' (max 1000000000)" },
};

static int
jt_collect_cb(json_t *value, const char *key, void *ctx)
{
	json_t *list = ctx;

	return json_array_append(list, value) != 0;
}

static json_t *
jt_load(const char *text)
{
	json_error_t err;
	json_t *doc = json_loads(text, JT_LOAD_FLAGS, &err);

	if (doc == NULL)
		printf("# bad test document '%s': %s\n", text, err.text);
	return doc;
}

static size_t
jt_want_count(const struct eval_case *c)
{
	size_t n = 0;

	while (n < JT_WANT_MAX && c->want[n] != NULL)
		n++;
	return n;
}

/* Does list hold exactly the serialized values c wants, in order? */
static int
jt_list_matches(const struct eval_case *c, json_t *list)
{
	size_t i, n = jt_want_count(c);
	char *got;
	int ok = json_array_size(list) == n;

	for (i = 0; ok && i < n; i++) {
		got = json_dumps(json_array_get(list, i), JT_DUMP_FLAGS);
		ok = got != NULL && strcmp(got, c->want[i]) == 0;
		free(got);
	}
	if (!ok) {
		got = json_dumps(list, JT_DUMP_FLAGS);
		printf("#   got:  %s\n#   want %zu value(s):", got ? got : "?", n);
		for (i = 0; i < n; i++)
			printf(" %s", c->want[i]);
		printf("\n");
		free(got);
	}
	return ok;
}

/* jpath_first must agree with the first wanted value. */
static int
jt_first_matches(const struct eval_case *c, const struct jpath *p, json_t *doc)
{
	json_t *first = jpath_first(p, doc);
	char *got;
	int ok;

	if (c->want[0] == NULL)
		return first == NULL;
	got = first ? json_dumps(first, JT_DUMP_FLAGS) : NULL;
	ok = got != NULL && strcmp(got, c->want[0]) == 0;
	free(got);
	return ok;
}

static void
jt_run_eval_case(const struct eval_case *c)
{
	char why[256] = "";
	struct jpath *p = jpath_compile(c->path, why, sizeof(why));
	json_t *doc = jt_load(c->doc);
	json_t *list = json_array();
	long n = -2;
	int ok = 0;

	if (p == NULL)
		printf("#   compile failed: %s\n", why);
	if (p == NULL || doc == NULL || list == NULL)
		goto out;
	n = jpath_eval(p, doc, jt_collect_cb, list);
	ok = n == (long)jt_want_count(c) && jt_list_matches(c, list) && jt_first_matches(c, p, doc);
out:
	tap_ok(ok, "%s on %s selects %ld value(s)", c->path, c->doc, n);
	json_decref(list);
	json_decref(doc);
	jpath_free(p);
}

static void
jt_run_error_case(const struct error_case *c)
{
	char why[256] = "";
	struct jpath *p = jpath_compile(c->path, why, sizeof(why));
	char what[128];

	snprintf(what, sizeof(what), "'%s' is rejected", c->path);
	tap_ok(p == NULL, "%s", what);
	snprintf(what, sizeof(what), "'%s' reason", c->path);
	tap_str_eq(why, c->why, what);
	jpath_free(p);
}

static int
jt_is_string(json_t *v, const char *want)
{
	return json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

/* Rows with "$.data[*]", then a path relative to each row, as the JSON
 * extractor does with the OpenRouter catalog. */
static void
jt_test_relative(void)
{
	char why[256] = "";
	struct jpath *rows = jpath_compile("$.data[*]", why, sizeof(why));
	struct jpath *prompt = jpath_compile("$.pricing.prompt", why, sizeof(why));
	struct jpath *id = jpath_compile("$.id", why, sizeof(why));
	json_t *doc = jt_load(jt_openrouter);
	json_t *list = json_array();
	json_t *row;
	int ok = 0;

	if (rows == NULL || prompt == NULL || id == NULL || doc == NULL || list == NULL)
		goto out;
	ok = jpath_eval(rows, doc, jt_collect_cb, list) == 1;
	row = json_array_get(list, 0);
	ok = ok && jt_is_string(jpath_first(id, row), "m") &&
	     jt_is_string(jpath_first(prompt, row), "0.1");
	ok = ok && jpath_first(prompt, doc) == NULL;
out:
	tap_ok(ok, "relative $.pricing.prompt on each $.data[*] row");
	json_decref(list);
	json_decref(doc);
	jpath_free(id);
	jpath_free(prompt);
	jpath_free(rows);
}

struct jt_stop {
	int calls;
	int stop_at;
	long last;
};

static int
jt_stop_cb(json_t *value, const char *key, void *ctx)
{
	struct jt_stop *s = ctx;

	s->calls++;
	s->last = (long)json_integer_value(value);
	return s->calls == s->stop_at;
}

static void
jt_run_stop(const char *path, const char *text, int stop_at, int calls, long last)
{
	struct jpath *p = jpath_compile(path, NULL, 0);
	json_t *doc = jt_load(text);
	struct jt_stop s = { .stop_at = stop_at };
	long n = -2;

	if (p != NULL && doc != NULL)
		n = jpath_eval(p, doc, jt_stop_cb, &s);
	tap_ok(n == (calls == stop_at ? -1 : calls) && s.calls == calls && s.last == last,
	       "%s stop at %d: %d call(s), last %ld, eval %ld", path, stop_at, s.calls, s.last, n);
	json_decref(doc);
	jpath_free(p);
}

static void
jt_test_stop(void)
{
	jt_run_stop("$[*]", "[1,2,3,4]", 2, 2, 2);
	jt_run_stop("$[*]", "[1,2,3,4]", 1, 1, 1);
	jt_run_stop("$[*]", "[1,2,3,4]", 9, 4, 4);
	jt_run_stop("$[*][*]", "[[1,2],[3,4],[5]]", 3, 3, 3);
	jt_run_stop("$.*.*", "{\"a\":{\"x\":1,\"y\":2},\"b\":{\"z\":3}}", 2, 2, 2);
	jt_run_stop("$", "7", 1, 1, 7);
}

/* Build "$" followed by steps copies of step into buf. */
static void
jt_repeat(char *buf, size_t len, const char *step, size_t steps)
{
	size_t used = 1, slen = strlen(step);

	buf[0] = '$';
	while (steps-- > 0 && used + slen < len) {
		memcpy(buf + used, step, slen);
		used += slen;
	}
	buf[used] = '\0';
}

static void
jt_test_limits(void)
{
	char text[JPATH_MAX_TEXT + 64], why[256] = "";
	struct jpath *p;
	json_t *doc;

	jt_repeat(text, sizeof(text), "[0]", JPATH_MAX_STEPS);
	p = jpath_compile(text, why, sizeof(why));
	doc = jt_load("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"deep\""
		      "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	tap_ok(p != NULL && jpath_eval(p, doc, NULL, NULL) == 1 &&
		   jt_is_string(jpath_first(p, doc), "deep"),
	       "%d steps are allowed and reach the bottom", JPATH_MAX_STEPS);
	jpath_free(p);
	json_decref(doc);
	jt_repeat(text, sizeof(text), "[0]", JPATH_MAX_STEPS + 1);
	p = jpath_compile(text, why, sizeof(why));
	tap_ok(p == NULL && strstr(why, "too many steps at position 98") != NULL,
	       "%d steps are rejected: %s", JPATH_MAX_STEPS + 1, why);
	jpath_free(p);

	memset(text, 'a', JPATH_MAX_TEXT);
	memcpy(text, "$['", 3);
	memcpy(text + JPATH_MAX_TEXT - 2, "']", 3);
	p = jpath_compile(text, why, sizeof(why));
	tap_ok(p != NULL, "a path of %d characters is allowed", JPATH_MAX_TEXT);
	jpath_free(p);
	memcpy(text + JPATH_MAX_TEXT - 2, "a']", 4);
	p = jpath_compile(text, why, sizeof(why));
	tap_ok(p == NULL && strstr(why, "too long at position 513") != NULL,
	       "a path of %d characters is rejected: %s", JPATH_MAX_TEXT + 1, why);
	jpath_free(p);
}

static void
jt_test_edges(void)
{
	char why[8] = "";
	struct jpath *p = jpath_compile("$.x y", why, sizeof(why));
	json_t *doc = json_integer(1);

	tap_ok(p == NULL && strcmp(why, "jpath: ") == 0, "a short reason buffer truncates: '%s'",
	       why);
	p = jpath_compile(NULL, why, sizeof(why));
	tap_ok(p == NULL, "a NULL path is rejected");
	p = jpath_compile("$[", NULL, 0);
	tap_ok(p == NULL, "rejecting with no reason buffer");
	jpath_free(NULL);
	p = jpath_compile("$", NULL, 0);
	tap_ok(jpath_eval(p, NULL, NULL, NULL) == 0 && jpath_first(p, NULL) == NULL &&
		   jpath_eval(NULL, doc, NULL, NULL) == 0 && jpath_eval(p, doc, NULL, NULL) == 1,
	       "NULL root, NULL path and NULL callback");
	jpath_free(p);
	json_decref(doc);
}

static int
jt_key_cb(json_t *value, const char *key, void *ctx)
{
	char *acc = ctx;
	size_t n = strlen(acc);

	snprintf(acc + n, 256 - n, "%s;", key ? key : "(null)");
	return 0;
}

/* The callback learns the member name that selected each value. */
static void
test_keys(void)
{
	static const struct {
		const char *path, *doc, *want;
	} t[] = {
		{ "$.*", "{\"a\":1,\"b\":2}", "a;b;" },
		{ "$[*]", "[1,2]", "(null);(null);" },
		{ "$.x", "{\"x\":1}", "x;" },
		{ "$['y z']", "{\"y z\":1}", "y z;" },
		{ "$", "{}", "(null);" },
		{ "$.a[0]", "{\"a\":[1]}", "(null);" },
	};
	char why[256], acc[256];
	json_error_t e;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct jpath *p = jpath_compile(t[i].path, why, sizeof(why));
		json_t *doc = json_loads(t[i].doc, JSON_DECODE_ANY, &e);
		acc[0] = '\0';
		jpath_eval(p, doc, jt_key_cb, acc);
		tap_str_eq(acc, t[i].want, t[i].path);
		json_decref(doc);
		jpath_free(p);
	}
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++)
		jt_run_eval_case(&eval_cases[i]);
	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++)
		jt_run_error_case(&error_cases[i]);
	jt_test_relative();
	jt_test_stop();
	jt_test_limits();
	jt_test_edges();
	test_keys();
	return tap_done();
}
