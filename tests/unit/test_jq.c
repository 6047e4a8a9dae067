/* test_jq.c - table-driven tests of the jq path: JSON numbers reach the
 * rows as their exact text, the program's outputs become rows (or the
 * error names row and field), the child is bounded: time, memory, no
 * environment, no modules, no zombie; and html pages become the program's
 * JSON document (json_xpath, table, text). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>

#include "extract/extract.h"
#include "extract/extract_jq_impl.h"
#include "tap.h"

struct jq_case {
	const char *what;
	const char *program;
	const char *page;
	/* rows as "model=input;" ..., or "ERR:substring" */
	const char *want;
};

#define ROW_MI "{model: .m, input_price: .p}"

static const struct jq_case cases[] = {
	/* the number step: every number literal arrives as its text */
	{ "1.5e-07 exact", ".[] | " ROW_MI, "[{\"m\":\"a\",\"p\":1.5e-07}]", "a=1.5e-07;" },
	{ "0.15000999999999998 exact", ".[] | " ROW_MI, "[{\"m\":\"a\",\"p\":0.15000999999999998}]",
	  "a=0.15000999999999998;" },
	{ "2^70 exact", ".[] | " ROW_MI, "[{\"m\":\"a\",\"p\":1180591620717411303424}]",
	  "a=1180591620717411303424;" },
	{ "2^53+1 exact", ".[] | " ROW_MI, "[{\"m\":\"a\",\"p\":9007199254740993}]",
	  "a=9007199254740993;" },
	{ "trailing zeros and exponent case kept", ".[] | " ROW_MI,
	  "[{\"m\":\"a\",\"p\":2.50},{\"m\":\"b\",\"p\":-1E+3}]", "a=2.50;b=-1E+3;" },
	{ "a number is a string in jq", ".[] | {model: .m, input_price: (.p | type)}",
	  "[{\"m\":\"a\",\"p\":1}]", "a=string;" },
	{ "strings untouched", ".[] | " ROW_MI, "[{\"m\":\"a\",\"p\":\"0.10\"}]", "a=0.10;" },
	{ "escapes decoded", ".[] | " ROW_MI, "[{\"m\":\"a\\\"b\\u00e9\\\\\",\"p\":\"1\\/2\"}]",
	  "a\"b\xc3\xa9\\=1/2;" },
	{ "numbers in strings stay strings", ".[] | " ROW_MI, "[{\"m\":\"1e5\",\"p\":\"3\"}]",
	  "1e5=3;" },
	{ "nesting", ".x.y[] | {model: .m, input_price: .q.r[1]}",
	  "{\"x\":{\"y\":[{\"m\":\"a\",\"q\":{\"r\":[0, 0.000001]}}]}}", "a=0.000001;" },
	{ "numbers as object members and in arrays",
	  "to_entries[] | {model: .key, input_price: .value[0]}", "{\"a\":[1e-7],\"b\":[0]}",
	  "a=1e-7;b=0;" },
	{ "white space squashed", ".[] | " ROW_MI, "[{\"m\":\" a \\n b \",\"p\":\"1\"}]",
	  "a b=1;" },
	/* the outputs */
	{ "an array output is several rows", "[.[] | " ROW_MI "]",
	  "[{\"m\":\"a\",\"p\":1},{\"m\":\"b\",\"p\":2}]", "a=1;b=2;" },
	{ "booleans as words", ".[] | {model: .m, input_price: .b}", "[{\"m\":\"a\",\"b\":true}]",
	  "a=true;" },
	{ "null is absent", ".[] | " ROW_MI, "[{\"m\":\"a\",\"p\":null},{\"m\":\"b\",\"p\":\"2\"}]",
	  "a=(null);b=2;" },
	{ "a computed integer is allowed", ".[] | {model: .m, input_price: (.p | tonumber * 1000)}",
	  "[{\"m\":\"a\",\"p\":128}]", "a=128000;" },
	{ "a computed fraction is refused", ".[] | {model: .m, input_price: (.p | tonumber)}",
	  "[{\"m\":\"a\",\"p\":0.1}]",
	  "ERR:row 1: input_price: computed number 0.10000000000000001: computed numbers are not "
	  "exact; keep money as text" },
	{ "a computed 2^53 is refused", "{model: \"a\", input_price: pow(2; 53)}", "null",
	  "ERR:row 1: input_price: computed number" },
	{ "zero rows is not an error", ".data[]? | " ROW_MI, "{\"data\":null}", "" },
	{ "unknown field named", ".[] | {model: .m, input_prce: .p}",
	  "[{\"m\":\"a\",\"p\":1},{\"m\":\"b\",\"p\":1},{\"m\":\"c\",\"p\":1}]",
	  "ERR:unknown field 'input_prce' in row 1" },
	{ "a key null in every row is a typo", ".[] | {model: .m, input_price: .price}",
	  "[{\"m\":\"a\",\"p\":1},{\"m\":\"b\",\"p\":1}]",
	  "ERR:input_price: no row has a value; a typo in its path?" },
	{ "a field of another kind", ".[] | {model: .m, benchmark: .p}", "[{\"m\":\"a\",\"p\":1}]",
	  "ERR:row 1: benchmark: not a field of 'pricing' sources" },
	{ "a row that is no object", ".[] | .m", "[{\"m\":\"a\"}]",
	  "ERR:row 1 is string, not an object of fields" },
	{ "an object value", ".[] | {model: .m, input_price: .}", "[{\"m\":\"a\"}]",
	  "ERR:row 1: input_price is an object or array, not a value" },
	{ "a NUL in a value", "{model: \"a\\u0000b\"}", "null",
	  "ERR:row 1: model contains a NUL character" },
	{ "a runtime error", "error(\"boom\")", "null", "ERR:jq: error: boom" },
	{ "halt_error is an error", "\"x\" | halt_error", "null", "ERR:halt_error" },
	/* the child sees nothing of ours */
	{ "no environment ($ENV)", "{model: ($ENV | length | tostring)}", "null", "0=(null);" },
	{ "no environment (env)", "{model: (env.LLMREF_TEST_SECRET // \"unset\")}", "null",
	  "unset=(null);" },
	{ "no input beyond the document", "{model: (try input catch \"none\")}", "null",
	  "none=(null);" },
	/* the document */
	{ "HTML served as JSON", ".", "<!DOCTYPE html><html></html>",
	  "ERR:this looks like HTML, not JSON" },
	{ "invalid JSON number", ".", "[01]", "ERR:invalid JSON number" },
};

static void
render(const struct raw_rows *rows, char *out, size_t len)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < rows->n && n < len; i++) {
		const char *m = rows->v[i].field[FIELD_MODEL],
			   *p = rows->v[i].field[FIELD_INPUT_PRICE];
		n += (size_t)snprintf(out + n, len - n, "%s=%s;", m ? m : "(null)",
				      p ? p : "(null)");
	}
}

static void
source_init(struct source *src, const char *program, long timeout_sec, size_t mem)
{
	memset(src, 0, sizeof(*src));
	snprintf(src->id, sizeof(src->id), "t");
	src->url = (char *)"http://127.0.0.1/t";
	src->path = (char *)"t.conf";
	src->kind = SOURCE_PRICING;
	src->format = FORMAT_JSON;
	src->jq_program = (char *)program;
	src->jq_timeout_sec = timeout_sec;
	src->jq_max_memory_bytes = mem;
}

/* No child of ours is left, running or unreaped. */
static int
no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

/* Check one extraction against want (rows as rendered, or "ERR:..."). */
static void
check_page(struct source *src, const char *page, const char *want, const char *what)
{
	struct raw_rows rows;
	struct lr_err err = { 0 };
	char got[1024];
	enum lr_code rc;

	rc = extract_page(src, page, strlen(page), &rows, &err);
	if (strncmp(want, "ERR:", 4) == 0) {
		if (!tap_ok(rc != LR_OK && strstr(err.reason, want + 4) != NULL &&
				strcmp(err.source, "t") == 0,
			    "%s", what))
			printf("#   rc %d, reason: %s\n", rc, err.reason);
		tap_ok(rows.n == 0 && rows.v == NULL, "%s: no rows left on error", what);
		return;
	}
	render(&rows, got, sizeof(got));
	if (rc != LR_OK)
		printf("#   error: %s\n", err.reason);
	tap_str_eq(rc == LR_OK ? got : "(error)", want, what);
	raw_rows_free(&rows);
}

/* The case's program, on its own or as function index of a compiled set. */
static void
run_case_in(const struct jq_case *c, struct jq_set *set, long index)
{
	struct source src;

	source_init(&src, c->program, EXTRACT_JQ_TIMEOUT_SEC, EXTRACT_JQ_MAX_MEMORY_BYTES);
	src.jq_set = set;
	src.jq_index = index;
	check_page(&src, c->page, c->want, c->what);
}

static void
run_case(const struct jq_case *c)
{
	run_case_in(c, NULL, 0);
}

/* An html page as the JSON document: the program sees it as model. */
struct doc_case {
	const char *what;
	const char *json_xpath, *table, *text;
	const char *program;
	const char *page;
	const char *want; /* as in jq_case */
};

/* Each table row as its sorted "KEY=VALUE" members, rows joined by '|'. */
#define ROWS_AS_MODEL                                                                              \
	"{model: (map(to_entries | map(\"\\(.key)=\\(.value)\") | sort | join(\",\")) "            \
	"| join(\"|\"))}"
#define T_HEAD "<table><thead><tr><th>M</th><th>T</th><th>P</th></tr></thead><tbody>"

static const struct doc_case doc_cases[] = {
	{ "table: rows keyed by header text, squashed", NULL, "//table", NULL, ROWS_AS_MODEL,
	  "<table><thead><tr><th>Model</th><th>Input <br>($/1M\n tokens)</th></tr></thead>"
	  "<tbody><tr><td> a </td><td> $0.60 / $0.80 (&gt;128K) </td></tr></tbody></table>",
	  "Input ($/1M tokens)=$0.60 / $0.80 (>128K),Model=a=(null);" },
	{ "table: a rowspan cell repeats in the rows it spans", NULL, "//table", NULL,
	  ROWS_AS_MODEL,
	  T_HEAD
	  "<tr><td rowspan=2>x</td><td>In</td><td>1</td></tr>"
	  "<tr><td>Out</td><td>2</td></tr><tr><td>y</td><td>In</td><td>3</td></tr></tbody></table>",
	  "M=x,P=1,T=In|M=x,P=2,T=Out|M=y,P=3,T=In=(null);" },
	{ "table: rowspan in a middle column", NULL, "//table", NULL, ROWS_AS_MODEL,
	  T_HEAD "<tr><td>x</td><td rowspan=3>In</td><td>1</td></tr>"
		 "<tr><td>y</td><td>2</td></tr></tbody></table>",
	  "M=x,P=1,T=In|M=y,P=2,T=In=(null);" },
	{ "table: colspan, an empty header, a repeated header, an extra cell", NULL, "//table",
	  NULL, ROWS_AS_MODEL,
	  "<table><tr><th>A</th><th></th><th colspan=2>P</th></tr>"
	  "<tr><td>1</td><td>2</td><td colspan=2>3</td><td>5</td></tr></table>",
	  "2=2,5=5,A=1,P 2=3,P=3=(null);" },
	{ "table: no header row: columns by number", NULL, "//table", NULL, ROWS_AS_MODEL,
	  "<table><tr><td>a</td><td>b</td></tr></table>", "1=a,2=b=(null);" },
	{ "table: two tables, each its own header; nested tables not read", NULL, "//table[@id]",
	  NULL, ROWS_AS_MODEL,
	  "<table id=a><tr><th>A</th></tr><tr><td>1<table><tr><td>n</td></tr></table></td></tr>"
	  "</table><table id=b><tr><th>B</th></tr><tr><td>2</td></tr></table>",
	  "A=1n|B=2=(null);" },
	{ "table: nothing selected is zero rows", NULL, "//table[@id='none']", NULL,
	  ".[] | {model: .M}", "<table><tr><td>1</td></tr></table>", "" },
	{ "table: a node that is not a table", NULL, "//td", NULL, ".",
	  "<table><tr><td>1</td></tr></table>",
	  "ERR:table '//td' selected a node that is not a table" },
	{ "table: invalid UTF-8 fails the page", NULL, "//table", NULL, ROWS_AS_MODEL,
	  "<meta charset=utf-8><table><tr><th>M</th></tr><tr><td>$0.\xff\xfe"
	  "1</td></tr></table>",
	  "ERR:not valid UTF-8" },
	{ "json_xpath: __NEXT_DATA__, numbers exact", "//script[@id='__NEXT_DATA__']", NULL, NULL,
	  ".props.p[] | {model: .m, input_price: .p}",
	  "<html><body><div id=__next></div><script id=\"__NEXT_DATA__\" "
	  "type=\"application/json\">{\"props\":{\"p\":[{\"m\":\"a\",\"p\":1.5e-07},"
	  "{\"m\":\"b\",\"p\":0.15000999999999998}]}}</script></body></html>",
	  "a=1.5e-07;b=0.15000999999999998;" },
	{ "json_xpath: a data- attribute", "//div/@data-prices", NULL, NULL,
	  "{model: .m, input_price: .p}", "<div data-prices='{\"m\":\"b\",\"p\":0.10}'></div>",
	  "b=0.10;" },
	{ "json_xpath: a JSON-LD script", "//script[@type='application/ld+json']", NULL, NULL,
	  "{model: .name, input_price: .offers.price}",
	  "<script type=\"application/ld+json\">{\"@type\":\"Product\",\"name\":\"m\","
	  "\"offers\":{\"price\":2.50}}</script>",
	  "m=2.50;" },
	{ "json_xpath: nothing selected names the expression", "//script[@id='x']", NULL, NULL, ".",
	  "<p>no script</p>", "ERR:json_xpath '//script[@id='x']' matched nothing" },
	{ "json_xpath: invalid JSON names the expression", "//script", NULL, NULL, ".",
	  "<script>{\"a\": 01}</script>", "ERR:json_xpath '//script': invalid JSON number" },
	{ "text: the squashed strings of the nodes", NULL, NULL, "//p", "{model: join(\"|\")}",
	  "<p> a \n b </p><p>c</p>", "a b|c=(null);" },
	{ "text: a string expression", NULL, NULL, "substring-after(//p, 'on ')", "{model: .[0]}",
	  "<p>sunset on   May 1</p>", "May 1=(null);" },
	{ "table and text: an object of both", NULL, "//table", "//h1",
	  "{model: (.text[0] + \":\" + .table[0].A)}",
	  "<h1>T</h1><table><tr><th>A</th></tr><tr><td>1</td></tr></table>", "T:1=(null);" },
};

static void
run_doc_case(const struct doc_case *c)
{
	struct source src;

	source_init(&src, c->program, EXTRACT_JQ_TIMEOUT_SEC, EXTRACT_JQ_MAX_MEMORY_BYTES);
	src.format = FORMAT_HTML;
	src.json_xpath = (char *)(c->json_xpath ? c->json_xpath : "");
	src.table = (char *)(c->table ? c->table : "");
	src.text = (char *)(c->text ? c->text : "");
	check_page(&src, c->page, c->want, c->what);
}

/* Programs that would run forever or eat the machine are stopped. */
static void
test_limits(void)
{
	static const struct {
		const char *what, *program, *want1, *want2;
	} limit_cases[] = {
		{ "an endless loop times out", "last(range(1e15))", "timed out after 2 s", NULL },
		{ "a growing array hits the memory cap or times out", "[range(1e9)]",
		  "used more than 64 MiB", "timed out after 2 s" },
		{ "repeat(.) into an array hits the memory cap or times out", "[repeat(.)]",
		  "used more than 64 MiB", "timed out after 2 s" },
	};
	struct source src;
	struct raw_rows rows;
	struct lr_err err;
	size_t i;

	for (i = 0; i < sizeof(limit_cases) / sizeof(limit_cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		source_init(&src, limit_cases[i].program, 2, 64UL * 1024 * 1024);
		if (extract_page(&src, "{}", 2, &rows, &err) == LR_OK) {
			tap_ok(0, "%s", limit_cases[i].what);
			raw_rows_free(&rows);
			continue;
		}
		if (!tap_ok(strstr(err.reason, limit_cases[i].want1) != NULL ||
				(limit_cases[i].want2 &&
				 strstr(err.reason, limit_cases[i].want2) != NULL)
#if defined(__SANITIZE_ADDRESS__)
				/* ASan's allocator dies its own way when mmap fails */
				|| strstr(err.reason, "jq program failed") != NULL ||
				strstr(err.reason, "crashed") != NULL
#endif
			    ,
			    "%s", limit_cases[i].what))
			printf("#   reason: %s\n", err.reason);
		tap_ok(strcmp(err.source, "t") == 0, "%s: the error names the source",
		       limit_cases[i].what);
		tap_ok(no_children(), "%s: no child left behind", limit_cases[i].what);
	}
}

static void
test_check(void)
{
	static const struct {
		const char *what, *program, *want; /* NULL: compiles */
	} check_cases[] = {
		{ "a program compiles", ".data[] | {model: .id}", NULL },
		{ "a syntax error is jq's message", ".data[", "syntax error" },
		{ "import is refused", "import \"foo\" as f; .", "module not found: foo" },
		{ "include is refused", "include \"bar\"; .", "module not found: bar" },
		{ "an unknown function", "nosuch(1)", "nosuch/1 is not defined" },
	};
	char why[512];
	size_t i;
	int ok;

	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		why[0] = '\0';
		ok = extract_jq_check(check_cases[i].program, why, sizeof(why));
		if (check_cases[i].want == NULL)
			tap_ok(ok, "%s", check_cases[i].what);
		else if (!tap_ok(!ok && strstr(why, check_cases[i].want) != NULL, "%s",
				 check_cases[i].what))
			printf("#   why: %s\n", why);
	}
}

/* The programs compiled together, once (extract_jq_compile_all): every
 * case again, now run from the set, with the same rows or errors. */
static void
test_compiled_set(void)
{
	const char *v[sizeof(cases) / sizeof(cases[0])];
	const char *bad3[3] = { ".a", ".data[", ".b" };
	const char *odd[3] = { ".[] | " ROW_MI " # a trailing comment",
			       "def f: .m; .[] | {model: f, input_price: .p}", "__llmref_p0" };
	const struct jq_case odd_cases[2] = {
		{ "set: a program ending in a comment", odd[0], "[{\"m\":\"a\",\"p\":1}]", "a=1;" },
		{ "set: a program with its own def", odd[1], "[{\"m\":\"a\",\"p\":2}]", "a=2;" },
	};
	const char *swap[2] = { ".[] | " ROW_MI, ".[] | {model: .p, input_price: .m}" };
	struct jq_set *set = NULL;
	char why[512] = "";
	size_t i, n = sizeof(cases) / sizeof(cases[0]), bad = 99;

	for (i = 0; i < n; i++)
		v[i] = cases[i].program;
	tap_ok(extract_jq_compile_all(v, n, &set, &bad, why, sizeof(why)) && set != NULL,
	       "the %zu programs compile as one set", n);
	for (i = 0; i < n; i++)
		run_case_in(&cases[i], set, (long)i);
	extract_jq_set_free(set);
	tap_ok(!extract_jq_compile_all(bad3, 3, &set, &bad, why, sizeof(why)) && bad == 1 &&
		   set == NULL && strstr(why, "syntax error") != NULL,
	       "a set names the program that does not compile (%s)", why);
	tap_ok(!extract_jq_compile_all(odd, 3, &set, &bad, why, sizeof(why)) && bad == 2 &&
		   strstr(why, "reserved") != NULL,
	       "the set's own names are reserved (%s)", why);
	tap_ok(extract_jq_compile_all(odd, 2, &set, &bad, why, sizeof(why)) && set != NULL,
	       "a set of odd programs compiles");
	for (i = 0; i < 2; i++)
		run_case_in(&odd_cases[i], set, (long)i);
	extract_jq_set_free(set);
	/* the set's function is what runs: index 1 runs the second program */
	tap_ok(extract_jq_compile_all(swap, 2, &set, &bad, why, sizeof(why)), "a set of two");
	run_case_in(&(struct jq_case){ "set: the index picks the function", swap[0],
				       "[{\"m\":\"a\",\"p\":\"2\"}]", "2=a;" },
		    set, 1);
	extract_jq_set_free(set);
	tap_ok(no_children(), "no child left after the set's runs");
}

/* got contains a or (if not NULL) b. */
static void
like_any(const char *got, const char *a, const char *b, const char *what)
{
	int ok = strstr(got, a) != NULL || (b != NULL && strstr(got, b) != NULL);
#if defined(__SANITIZE_ADDRESS__)
	/* ASan's allocator dies its own way when mmap fails */
	ok = ok || strstr(got, "jq program failed") != NULL || strstr(got, "crashed") != NULL;
#endif
	if (!tap_ok(ok, "%s", what))
		printf("#   got: %s\n", got);
}

/* One page through a set's worker: its rows, or its error's reason. */
static const char *
worker_page(struct jq_set *set, long index, const char *page, char *got, size_t len)
{
	struct source src;
	struct raw_rows rows;
	struct lr_err err = { 0 };

	source_init(&src, "(set)", 2, 64UL * 1024 * 1024);
	src.jq_set = set;
	src.jq_index = index;
	if (extract_page(&src, page, strlen(page), &rows, &err) != LR_OK) {
		snprintf(got, len, "ERR:%s", err.reason);
		return got;
	}
	snprintf(got, len, "%zu rows, %s", rows.n,
		 rows.n > 0 && rows.v[0].field[FIELD_MODEL] ? rows.v[0].field[FIELD_MODEL] : "-");
	raw_rows_free(&rows);
	return got;
}

/* A set's worker lives from its first page to the set's end; a page that
 * runs too long or too big ends it, and the next page gets a new one; so
 * does a worker killed from outside between pages. */
static void
test_worker(void)
{
	const char *v[3] = { ".[] | " ROW_MI, "last(range(1e15))", "[range(1e9)] | length" };
	const char *page = "[{\"m\":\"a\",\"p\":\"1.5e-07\"},{\"m\":\"b\",\"p\":2}]";
	struct jq_set *set = NULL;
	char why[512] = "", got[1024];
	size_t bad = 0;
	pid_t first;

	if (!tap_ok(extract_jq_compile_all(v, 3, &set, &bad, why, sizeof(why)), "a set of three"))
		return;
	tap_str_eq(worker_page(set, 0, page, got, sizeof(got)), "2 rows, a", "worker: a page");
	first = set->worker;
	tap_ok(first > 0, "worker: forked at the set's first page");
	tap_str_eq(worker_page(set, 0, page, got, sizeof(got)), "2 rows, a",
		   "worker: a second page");
	tap_ok(set->worker == first, "worker: the same worker reads it");
	like_any(worker_page(set, 1, page, got, sizeof(got)), "timed out after 2 s", NULL,
		 "worker: an endless loop times out");
	tap_ok(set->worker == 0 && waitpid(first, NULL, WNOHANG) < 0,
	       "worker: the one that ran it is killed and reaped");
	tap_str_eq(worker_page(set, 0, page, got, sizeof(got)), "2 rows, a",
		   "worker: the next page gets a new one");
	like_any(worker_page(set, 2, page, got, sizeof(got)), "used more than 64 MiB",
		 "timed out after 2 s", "worker: a growing array hits a cap");
	tap_str_eq(worker_page(set, 0, page, got, sizeof(got)), "2 rows, a",
		   "worker: and the next page again");
	kill(set->worker, SIGKILL);
	tap_str_eq(worker_page(set, 0, page, got, sizeof(got)), "2 rows, a",
		   "worker: one killed between pages is replaced");
	extract_jq_set_free(set);
	tap_ok(no_children(), "worker: none left once the set is freed");
}

int
main(void)
{
	size_t i;

	/* a secret in our environment: the program must not see it */
	setenv("LLMREF_TEST_SECRET", "s3cret", 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	tap_ok(no_children(), "no child left after %zu programs", i);
	for (i = 0; i < sizeof(doc_cases) / sizeof(doc_cases[0]); i++)
		run_doc_case(&doc_cases[i]);
	test_check();
	test_limits();
	test_compiled_set();
	test_worker();
	return tap_done();
}
