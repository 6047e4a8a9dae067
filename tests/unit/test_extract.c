/* test_extract.c - table-driven tests of HTML (XPath) and JSON (path)
 * extraction: page text in, raw field strings (or an error) out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "tap.h"

struct extract_case {
	const char *what;
	enum source_format format;
	const char *rows, *model, *input;
	const char *page;
	const char *want; /* rows as "model=input;" ... or "ERR:substring" */
};

static const struct extract_case cases[] = {
	{ "simple table", FORMAT_HTML, "//table/tr", "td[1]", "td[2]",
	  "<table><tr><td>A</td><td>$1</td></tr><tr><td>B</td><td>$2</td></tr></table>",
	  "A=$1;B=$2;" },
	{ "whitespace and nbsp squashed", FORMAT_HTML, "//tr", "td[1]", "td[2]",
	  "<table><tr><td>\n  Llama&nbsp;3.2\t 1B </td><td>&nbsp;$0.10&#160;</td></tr></table>",
	  "Llama 3.2 1B=$0.10;" },
	{ "entities decoded", FORMAT_HTML, "//tr", "td[1]", "td[2]",
	  "<table><tr><td>A &amp; B &lt;x&gt;</td><td>&#36;3</td></tr></table>", "A & B <x>=$3;" },
	{ "nested markup", FORMAT_HTML, "//tr", "td[1]", "td[2]",
	  "<table><tr><td><a href='/m'><b>Mod</b>el</a></td><td><span "
	  "class=p>$</span>0.9</td></tr></table>",
	  "Model=$0.9;" },
	{ "missing cell is NULL", FORMAT_HTML, "//tr", "td[1]", "td[5]",
	  "<table><tr><td>A</td></tr></table>", "A=(null);" },
	{ "no rows is not an error", FORMAT_HTML, "//table[@id='x']/tr", "td[1]", "td[2]",
	  "<table><tr><td>A</td></tr></table>", "" },
	{ "unclosed tags recovered", FORMAT_HTML, "//tr", "td[1]", "td[2]",
	  "<table><tr><td>A<td>$1<tr><td>B<td>$2</table>", "A=$1;B=$2;" },
	{ "xpath functions", FORMAT_HTML, "//tr", "normalize-space(td[1])",
	  "substring-after(td[2], ':')", "<table><tr><td> X </td><td>in:$5</td></tr></table>",
	  "X=$5;" },
	{ "rows selecting a string", FORMAT_HTML, "string(//td)", "td", "td",
	  "<table><tr><td>A</td></tr></table>", "ERR:did not select nodes" },
	{ "json rows", FORMAT_JSON, "$.data[*]", "$.id", "$.pricing.prompt",
	  "{\"data\":[{\"id\":\"a/"
	  "b\",\"pricing\":{\"prompt\":\"0.1\"}},{\"id\":\"c\",\"pricing\":{}}]}",
	  "a/b=0.1;c=(null);" },
	{ "json integers kept exactly", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"x\",\"n\":9007199254740993}]", "x=9007199254740993;" },
	{ "json null is absent", FORMAT_JSON, "$[*]", "$.id", "$.n", "[{\"id\":\"x\",\"n\":null}]",
	  "x=(null);" },
	{ "json real refused", FORMAT_JSON, "$[*]", "$.id", "$.n", "[{\"id\":\"x\",\"n\":0.1}]",
	  "ERR:row 1: input_price is a JSON number with a fraction" },
	{ "json object refused", FORMAT_JSON, "$[*]", "$.id", "$.n", "[{\"id\":\"x\",\"n\":{}}]",
	  "ERR:is an object or array" },
	{ "json duplicate keys refused", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"x\",\"id\":\"y\"}]", "ERR:invalid JSON at line 1" },
	{ "json truncated", FORMAT_JSON, "$[*]", "$.id", "$.n", "[{\"id\":\"x\"",
	  "ERR:invalid JSON" },
	{ "json trailing garbage", FORMAT_JSON, "$[*]", "$.id", "$.n", "[] x", "ERR:invalid JSON" },
	{ "json NUL in string", FORMAT_JSON, "$[*]", "$.id", "$.n", "[{\"id\":\"a\\u0000b\"}]",
	  "ERR:" },
	{ "json huge number", FORMAT_JSON, "$[*]", "$.id", "$.n", "[{\"id\":\"x\",\"n\":1e400}]",
	  "ERR:" },
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
run_case(const struct extract_case *c)
{
	struct source src;
	struct raw_rows rows;
	struct lr_err err = { 0 };
	char got[1024];
	enum lr_code rc;

	memset(&src, 0, sizeof(src));
	snprintf(src.id, sizeof(src.id), "t");
	src.url = (char *)"http://127.0.0.1/t";
	src.path = (char *)"t.conf";
	src.format = c->format;
	src.rows = (char *)c->rows;
	src.fields[FIELD_MODEL] = (char *)c->model;
	src.fields[FIELD_INPUT_PRICE] = (char *)c->input;
	rc = extract_page(&src, c->page, strlen(c->page), &rows, &err);
	if (strncmp(c->want, "ERR:", 4) == 0) {
		if (!tap_ok(rc != LR_OK && strstr(err.reason, c->want + 4) != NULL, "%s", c->what))
			printf("#   rc %d, reason: %s\n", rc, err.reason);
		tap_ok(rows.n == 0 && rows.v == NULL, "%s: no rows left on error", c->what);
		return;
	}
	render(&rows, got, sizeof(got));
	if (rc != LR_OK)
		printf("#   error: %s\n", err.reason);
	tap_str_eq(rc == LR_OK ? got : "(error)", c->want, c->what);
	raw_rows_free(&rows);
}

static void
test_deep_nesting(void)
{
	struct source src;
	struct raw_rows rows;
	struct lr_err err = { 0 };
	size_t depth = 100000, i, n = 0;
	char *page = malloc(depth * 5 + 64);

	for (i = 0; i < depth; i++)
		n += (size_t)snprintf(page + n, 6, "<div>");
	n += (size_t)snprintf(page + n, 40, "<table><tr><td>A</td></tr></table>");
	memset(&src, 0, sizeof(src));
	snprintf(src.id, sizeof(src.id), "deep");
	src.url = (char *)"http://127.0.0.1/deep";
	src.path = (char *)"deep.conf";
	src.format = FORMAT_HTML;
	src.rows = (char *)"//tr";
	src.fields[FIELD_MODEL] = (char *)"td[1]";
	tap_ok(extract_page(&src, page, n, &rows, &err) != LR_OK,
	       "nesting deeper than libxml2's limit fails the page (%s)", err.reason);
	tap_ok(strstr(err.reason, "HTML parser stopped") != NULL, "and says the parser stopped");
	raw_rows_free(&rows);
	free(page);
}

int
main(void)
{
	size_t i;
	char s1[] = "  a \t b\n",
	     s2[] = "\xc2\xa0x\xe2\x80\xaf"
		    "y\xc2\xa0",
	     s3[] = "";

	tap_str_eq(extract_squash_space(s1), "a b", "squash ASCII space");
	tap_str_eq(extract_squash_space(s2), "x y", "squash U+00A0 and U+202F");
	tap_str_eq(extract_squash_space(s3), "", "squash empty");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_deep_nesting();
	return tap_done();
}
