/* test_extract.c - table-driven tests of HTML (XPath fields) and JSON (jq)
 * extraction: page text in, raw field strings (or an error) out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "extract/extract.h"
#include "tap.h"

struct extract_case {
	const char *what;
	enum source_format format;
	const char *rows, *model, *input;
	const char *page;
	/* rows as "model=input;" ..., "ERR:substring" or "ERR=reason" */
	const char *want;
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
	{ "markdown GFM table", FORMAT_MARKDOWN, "//table/tbody/tr", "td[1]", "td[2]",
	  "# Prices\n\n| Model | Input |\n| --- | ---: |\n| Llama 3.2 1B | $0.10 |\n"
	  "| Llama \\| pipe | $2 |\n",
	  "Llama 3.2 1B=$0.10;Llama | pipe=$2;" },
	{ "markdown keeps raw HTML tables", FORMAT_MARKDOWN, "//table[@id='t']//tr", "td[1]",
	  "td[2]", "Intro *text*.\n\n<table id=\"t\">\n<tr><td>A</td><td>$1</td></tr>\n</table>\n",
	  "A=$1;" },
	{ "empty markdown page: no rows", FORMAT_MARKDOWN, "//tr", "td[1]", "td[2]", "", "" },
	/* the charset a page declares (issue 17: a Latin-1 page was "not UTF-8") */
	{ "meta charset iso-8859-1 read as windows-1252", FORMAT_HTML, "//tr", "td[1]", "td[2]",
	  "<html><head><meta charset=\"iso-8859-1\"></head><body><table><tr><td>Mod\xe8le</td>"
	  "<td>\x80 1 \x96 $2</td></tr></table></body></html>",
	  "Mod\xc3\xa8le=\xe2\x82\xac 1 \xe2\x80\x93 $2;" },
	{ "http-equiv content charset", FORMAT_HTML, "//tr", "td[1]", "td[2]",
	  "<meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>"
	  "<table><tr><td>\xe9</td><td>$1</td></tr></table>",
	  "\xc3\xa9=$1;" },
	{ "UTF-8 byte order mark dropped", FORMAT_HTML, "//tr", "td[1]", "td[2]",
	  "\xef\xbb\xbf<table><tr><td>\xc3\xa9</td><td>$1</td></tr></table>", "\xc3\xa9=$1;" },
	{ "a page too short to declare anything", FORMAT_HTML, "//tr", "td[1]", "td[2]", "<p>",
	  "" },
	{ "charset= in the text is not a declaration", FORMAT_HTML, "//tr", "td[1]", "td[2]",
	  "<p>send charset=latin1</p><table><tr><td>\xc3\xa9</td><td>$1</td></tr></table>",
	  "\xc3\xa9=$1;" },
	{ "a charset the system cannot read", FORMAT_HTML, "//tr", "td[1]", "td[2]",
	  "<meta charset=x-klingon><table><tr><td>a</td></tr></table>",
	  "ERR=the page declares charset 'x-klingon', which this system cannot read" },
	{ "bytes not valid in the declared charset", FORMAT_HTML, "//tr", "td[1]", "td[2]",
	  "<meta charset=shift_jis><table><tr><td>\x81</td></tr></table>",
	  "ERR:the page is not valid shift_jis at byte" },
	{ "markdown is UTF-8 whatever its text says", FORMAT_MARKDOWN, "//tbody/tr", "td[1]",
	  "td[2]", "<meta charset=iso-8859-1>\n\n| A | B |\n|---|---|\n| \xc3\xa9 | $1 |\n",
	  "\xc3\xa9=$1;" },
	{ "json member names as the model (to_entries)", FORMAT_JSON, "$.*", "@key", "$.p",
	  "{\"gpt-4o\":{\"p\":1.5e-07},\" b  c \":{\"p\":\"2\"}}", "gpt-4o=1.5e-07;b c=2;" },
	{ "json rows", FORMAT_JSON, "$.data[*]", "$.id", "$.pricing.prompt",
	  "{\"data\":[{\"id\":\"a/"
	  "b\",\"pricing\":{\"prompt\":\"0.1\"}},{\"id\":\"c\",\"pricing\":{}}]}",
	  "a/b=0.1;c=(null);" },
	{ "json integers kept exactly", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"x\",\"n\":9007199254740993}]", "x=9007199254740993;" },
	{ "json null is absent", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"x\",\"n\":null},{\"id\":\"y\",\"n\":\"1\"}]", "x=(null);y=1;" },
	{ "json null in every row is a typo", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"x\",\"n\":null}]", "ERR:input_price: no row has a value" },
	{ "json real kept exactly", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"x\",\"n\":0.1}]", "x=0.1;" },
	{ "json object refused", FORMAT_JSON, "$[*]", "$.id", "$.n", "[{\"id\":\"x\",\"n\":{}}]",
	  "ERR:is an object or array" },
	{ "json duplicate keys refused", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"x\",\"id\":\"y\"}]", "ERR:invalid JSON at line 1" },
	{ "json truncated", FORMAT_JSON, "$[*]", "$.id", "$.n", "[{\"id\":\"x\"",
	  "ERR:invalid JSON" },
	{ "json trailing garbage", FORMAT_JSON, "$[*]", "$.id", "$.n", "[] x", "ERR:invalid JSON" },
	{ "json NUL in string", FORMAT_JSON, "$[*]", "$.id", "$.n", "[{\"id\":\"a\\u0000b\"}]",
	  "ERR:string contains a NUL character (\\u0000) at line 1 column 10" },
	{ "json NUL in key", FORMAT_JSON, "$[*]", "$.id", "$.n", "[{\"a\\u0000\":1}]",
	  "ERR:string contains a NUL character (\\u0000) at line 1 column 5" },
	{ "json NUL on a later line", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[\n {\"id\":\"\xc3\xa9\\u0000\"}]",
	  "ERR:string contains a NUL character (\\u0000) at line 2 column 10" },
	{ "json forged number mark refused", FORMAT_JSON, "$", "$", "$", "\"\\u0000#5\"",
	  "ERR=string contains a NUL character (\\u0000) at line 1 column 2" },
	{ "json escaped backslash before u0000 is not NUL", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"\\\\u0000#1\",\"n\":2}]", "\\u0000#1=2;" },
	{ "json huge number kept as text", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"x\",\"n\":1e400}]", "x=1e400;" },
	/* numbers keep their exact text */
	{ "json 1.5e-07 exact", FORMAT_JSON, "$.*", "$.litellm_provider", "$.input_cost_per_token",
	  "{\"gpt-x\":{\"input_cost_per_token\":1.5e-07,\"litellm_provider\":\"openai\"}}",
	  "openai=1.5e-07;" },
	{ "json 0.0000003 exact", FORMAT_JSON, "$.*", "$.litellm_provider",
	  "$.input_cost_per_token",
	  "{\"m\":{\"litellm_provider\":\"x\",\"input_cost_per_token\":0.0000003}}",
	  "x=0.0000003;" },
	{ "json trailing zeros and E+", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"x\",\"n\":2.50E+3},{\"id\":\"y\",\"n\":1E-2}]", "x=2.50E+3;y=1E-2;" },
	{ "json -0.0", FORMAT_JSON, "$[*]", "$.id", "$.n", "[{\"id\":\"x\",\"n\":-0.0}]",
	  "x=-0.0;" },
	{ "json integer context_length", FORMAT_JSON, "$[*]", "$.id", "$.context_length",
	  "[{\"id\":\"x\",\"context_length\":131072}]", "x=131072;" },
	{ "json 2^70 exact", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"x\",\"n\":1180591620717411303424},{\"id\":\"y\",\"n\":-"
	  "1180591620717411303424}]",
	  "x=1180591620717411303424;y=-1180591620717411303424;" },
	{ "json number in nested arrays", FORMAT_JSON, "$[*]", "$.id", "$.n[1][0][1]",
	  "[{\"id\":\"x\",\"n\":[[1],[[2,0.25,[3e3]]]]}]", "x=0.25;" },
	{ "json number next to escaped quotes and backslashes", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"a\\\\\\\"b\",\"s\":\"1.5, \\\"2\\\" "
	  "\\\\\",\"n\":3.75,\"t\":\"x\\\\\",\"u\":4}]",
	  "a\\\"b=3.75;" },
	{ "json digits inside strings untouched", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"-1.5e3 #7 012\",\"n\":\"0.5\"}]", "-1.5e3 #7 012=0.5;" },
	{ "json unicode escapes preserved", FORMAT_JSON, "$[*]", "$.id", "$.n",
	  "[{\"id\":\"caf\\u00e9 \\ud83d\\ude00\",\"n\":1}]", "caf\xc3\xa9 \xf0\x9f\x98\x80=1;" },
	/* numbers as rows, and at every kind of boundary */
	{ "json numbers as rows", FORMAT_JSON, "$[*]", "$", "$", "[1.5,\"2\",null,-3]",
	  "1.5=1.5;2=2;(null)=(null);-3=-3;" },
	{ "json number before ] and ,", FORMAT_JSON, "$[*]", "$", "$", "[1,2]", "1=1;2=2;" },
	{ "json number before white space", FORMAT_JSON, "$[*]", "$", "$", "[1 ,2\t,3\r\n,4\n]",
	  "1=1;2=2;3=3;4=4;" },
	{ "json number before }", FORMAT_JSON, "$.*", "$", "$", "{\"a\":1,\"b\":-2.5e+3}",
	  "1=1;-2.5e+3=-2.5e+3;" },
	{ "json top-level number", FORMAT_JSON, "$", "$", "$", "42", "42=42;" },
	{ "json top-level number in white space", FORMAT_JSON, "$", "$", "$", " \n-1.5e3\r\n",
	  "-1.5e3=-1.5e3;" },
	{ "json top-level zero", FORMAT_JSON, "$", "$", "$", "0", "0=0;" },
	{ "json top-level number, no rows", FORMAT_JSON, "$[*]", "$", "$", "7",
	  "ERR:Cannot iterate over string" },
	/* RFC 8259 numbers only */
	{ "json number 012", FORMAT_JSON, "$[*]", "$", "$", "[012]",
	  "ERR=invalid JSON number at line 1 column 2: '012'" },
	{ "json number -01", FORMAT_JSON, "$[*]", "$", "$", "[-01]", "ERR:invalid JSON number" },
	{ "json number +1", FORMAT_JSON, "$[*]", "$", "$", "[+1]",
	  "ERR:invalid JSON number at line 1 column 2: '+1'" },
	{ "json number .5", FORMAT_JSON, "$[*]", "$", "$", "[.5]", "ERR:invalid JSON number" },
	{ "json number 1.", FORMAT_JSON, "$[*]", "$", "$", "[1.]", "ERR:invalid JSON number" },
	{ "json number 1.e5", FORMAT_JSON, "$[*]", "$", "$", "[1.e5]", "ERR:invalid JSON number" },
	{ "json number 1e", FORMAT_JSON, "$[*]", "$", "$", "[1e]", "ERR:invalid JSON number" },
	{ "json number 1e+", FORMAT_JSON, "$[*]", "$", "$", "[1e+]", "ERR:invalid JSON number" },
	{ "json number -", FORMAT_JSON, "$[*]", "$", "$", "[-]",
	  "ERR:invalid JSON number at line 1 column 2: '-'" },
	{ "json number --1", FORMAT_JSON, "$[*]", "$", "$", "[--1]", "ERR:invalid JSON number" },
	{ "json number 1.5.5", FORMAT_JSON, "$[*]", "$", "$", "[1.5.5]",
	  "ERR:invalid JSON number" },
	{ "json number 0x1F", FORMAT_JSON, "$[*]", "$", "$", "[0x1F]", "ERR:invalid JSON number" },
	{ "json number 1-2", FORMAT_JSON, "$[*]", "$", "$", "[1-2]", "ERR:invalid JSON number" },
	{ "json number NaN", FORMAT_JSON, "$[*]", "$", "$", "[1,NaN]",
	  "ERR:invalid JSON number at line 1 column 4: 'NaN'" },
	{ "json number Infinity", FORMAT_JSON, "$[*]", "$", "$", "[Infinity]",
	  "ERR:invalid JSON number" },
	{ "json number -Infinity", FORMAT_JSON, "$[*]", "$", "$", "[-Infinity]",
	  "ERR:invalid JSON number" },
	{ "json number on a later line", FORMAT_JSON, "$[*]", "$", "$", "[1,\n  \"\xc3\xa9\", 012]",
	  "ERR:invalid JSON number at line 2 column 8: '012'" },
	{ "json top-level bad number", FORMAT_JSON, "$", "$", "$", "1.",
	  "ERR:invalid JSON number at line 1 column 1" },
	{ "json long bad number quoted short", FORMAT_JSON, "$", "$", "$",
	  "[123456789012345678901234567890x]",
	  "ERR=invalid JSON number at line 1 column 2: '12345678901234567890'..." },
	/* jansson's errors, told in the original text */
	{ "json number as key", FORMAT_JSON, "$", "$", "$", "{1:2}",
	  "ERR=invalid JSON at line 1 column 2: string or '}' expected near '1'" },
	{ "json long number as key", FORMAT_JSON, "$", "$", "$", "{\"a\":1,123456789012345:2}",
	  "ERR=invalid JSON at line 1 column 22: string or '}' expected near '123456789012345'" },
	{ "json numbers without comma", FORMAT_JSON, "$[*]", "$", "$", "[1.5 2.5]",
	  "ERR=invalid JSON at line 1 column 8: ']' expected near '2.5'" },
	{ "json long numbers without comma", FORMAT_JSON, "$[*]", "$", "$",
	  "[1.5 1180591620717411303424]", "ERR=invalid JSON at line 1 column 27: ']' expected" },
	{ "json error after numbers", FORMAT_JSON, "$[*]", "$", "$", "[1e400, 2^70, 3]",
	  "ERR=invalid JSON at line 1 column 10: ']' expected near '^'" },
	{ "json number then EOF", FORMAT_JSON, "$[*]", "$", "$", "{\"a\":1",
	  "ERR:invalid JSON at line 1 column 6: '}' expected near end of file" },
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

/* A JSON path of these cases ("$", "$.a.b", "$[*]", "$.*", "$.n[1]") as
 * jq: the paths llmref read once, now written in its one language. */
static void
jq_path(const char *path, char *out, size_t len)
{
	const char *p = path + 1; /* past "$" */
	size_t n = 0;

	out[n++] = '.';
	if (*p == '.')
		p++;
	for (; *p != '\0' && n + 3 < len; p++) {
		if (strncmp(p, "[*]", 3) == 0 || strcmp(p, "*") == 0) {
			out[n++] = '[';
			out[n++] = ']';
			p += *p == '[' ? 2 : 0;
		} else if (*p == '.' && p[1] == '*') {
			continue;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

/* The case's rows and fields as one jq program ("@key": the member's name). */
static char *
jq_case(const char *rows, const char *model, const char *input)
{
	static char prog[512];
	char r[128], m[128], in[128];

	jq_path(rows, r, sizeof(r));
	jq_path(strcmp(model, "@key") == 0 ? "$" : model, m, sizeof(m));
	jq_path(input ? input : "$", in, sizeof(in));
	if (strcmp(model, "@key") == 0)
		snprintf(prog, sizeof(prog),
			 "to_entries[] | .key as $k | .value | {model: $k%s%s%s}",
			 input ? ", input_price: (" : "", input ? in : "", input ? ")" : "");
	else
		snprintf(prog, sizeof(prog), "%s | {model: (%s)%s%s%s}", r, m,
			 input ? ", input_price: (" : "", input ? in : "", input ? ")" : "");
	return prog;
}

static void
source_init(struct source *src, enum source_format format, const char *rows, const char *model,
	    const char *input)
{
	memset(src, 0, sizeof(*src));
	snprintf(src->id, sizeof(src->id), "t");
	src->url = (char *)"http://127.0.0.1/t";
	src->path = (char *)"t.conf";
	src->format = format;
	src->rows = (char *)rows;
	src->fields[FIELD_MODEL] = (char *)model;
	src->fields[FIELD_INPUT_PRICE] = (char *)input;
	if (format != FORMAT_JSON)
		return;
	src->rows = NULL;
	src->fields[FIELD_MODEL] = src->fields[FIELD_INPUT_PRICE] = NULL;
	src->jq_program = jq_case(rows, model, input);
	src->jq_timeout_sec = EXTRACT_JQ_TIMEOUT_SEC;
	src->jq_max_memory_bytes = EXTRACT_JQ_MAX_MEMORY_BYTES;
}

static int
reason_ok(const char *reason, const char *want)
{
	if (want[3] == '=')
		return strcmp(reason, want + 4) == 0;
	return strstr(reason, want + 4) != NULL;
}

static void
run_case(const struct extract_case *c)
{
	struct source src;
	struct raw_rows rows;
	struct lr_err err = { 0 };
	char got[1024];
	enum lr_code rc;

	source_init(&src, c->format, c->rows, c->model, c->input);
	rc = extract_page(&src, c->page, strlen(c->page), &rows, &err);
	if (strncmp(c->want, "ERR", 3) == 0) {
		if (!tap_ok(rc != LR_OK && reason_ok(err.reason, c->want), "%s", c->what))
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

/* Documents jansson can read without the number rewrite: the errors must
 * read exactly as jansson's own (line, column and quoted token). */
static const char *const json_bad_docs[] = {
	"[1 2]",
	"[1.5 2.5]",
	"{\"a\":1,\n \"b\":2 3}",
	"[1, 2, x]",
	"{1:2}",
	"{\"a\":1,123456789012345:2}",
	"{\"a\":1,\"a\":2}",
	"[1,2",
	"{\"a\":1",
	"[\"\xc3\xa9\xc3\xa9\", 1, 2,]",
	"[1,\n2,\n3}",
	"[true-1]",
	"{\"a\":-0.5e-3 \"b\"}",
	"[1]x",
	"[1, 2^70]",
	"1 2",
	"[1,\"x\n\"]",
	"[1, \"\\q\"]",
	"[1, \"\xff\"]",
	"[1,\"a\":2]",
	"{\"a\" 1}",
	"{\"a\":1,}",
	"[1,1.25,-3][",
	"",
	"  \n ",
	"[1, 2\x01]",
	"[1,\"\\u00e9\\ud800\"]",
	"[1,\"abc",
	"[12345678901]x",
};

static void
test_json_errors_like_jansson(void)
{
	struct source src;
	struct raw_rows rows;
	struct lr_err err;
	json_error_t jerr;
	json_t *j;
	char want[LR_ERR_REASON_MAX], what[64];
	size_t i;

	source_init(&src, FORMAT_JSON, "$[*]", "$", "$");
	for (i = 0; i < sizeof(json_bad_docs) / sizeof(json_bad_docs[0]); i++) {
		const char *doc = json_bad_docs[i];

		memset(&err, 0, sizeof(err));
		j = json_loadb(doc, strlen(doc), JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
		json_decref(j);
		snprintf(want, sizeof(want), "invalid JSON at line %d column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		if (extract_page(&src, doc, strlen(doc), &rows, &err) == LR_OK)
			snprintf(err.reason, sizeof(err.reason), "(no error)");
		snprintf(what, sizeof(what), "json error as jansson's own, document %zu", i + 1);
		tap_str_eq(err.reason, want, what);
		raw_rows_free(&rows);
	}
}

/* A number of n digits: at EXTRACT_FIELD_MAX_BYTES it is kept, beyond
 * it refused. */
static void
test_json_long_number(void)
{
	size_t n, max = EXTRACT_FIELD_MAX_BYTES;
	char *page = malloc(max + 8);
	struct source src;
	struct raw_rows rows;
	struct lr_err err;
	enum lr_code rc;

	source_init(&src, FORMAT_JSON, "$[*]", "$", "$");
	for (n = max; n <= max + 1; n++) {
		memset(&err, 0, sizeof(err));
		page[0] = '[';
		memset(page + 1, '7', n);
		page[n + 1] = ']';
		rc = extract_page(&src, page, n + 2, &rows, &err);
		if (n == max)
			tap_ok(rc == LR_OK && rows.n == 1 &&
				   strlen(rows.v[0].field[FIELD_MODEL]) == n,
			       "json number of %zu digits kept", n);
		else
			tap_ok(rc != LR_OK &&
				   strstr(err.reason, "row 1: model is too long") != NULL,
			       "json number of %zu digits refused (%s)", n, err.reason);
		raw_rows_free(&rows);
	}
	free(page);
}

/* Extract a page of count numbers, one row each; returns 1 if every
 * number came back exactly. (Speed is measured in bench/, not here.) */
static int
json_numbers_exact(size_t count)
{
	const size_t cap = count * 24 + 32;
	char *page = malloc(cap), num[64];
	size_t i, n = 0, bad = 0;
	struct source src;
	struct raw_rows rows;
	struct lr_err err = { 0 };
	enum lr_code rc;
	int ok;

	n += (size_t)snprintf(page + n, cap - n, "{\"data\":[");
	for (i = 0; i < count; i++)
		n += (size_t)snprintf(page + n, cap - n, "%s%zu.%03zue-%zu", i ? "," : "", i,
				      i % 1000, i % 10);
	n += (size_t)snprintf(page + n, cap - n, "]}");
	source_init(&src, FORMAT_JSON, "$.data[*]", "$", NULL);
	rc = extract_page(&src, page, n, &rows, &err);
	for (i = 0; rc == LR_OK && i < rows.n; i++) {
		snprintf(num, sizeof(num), "%zu.%03zue-%zu", i, i % 1000, i % 10);
		bad += strcmp(rows.v[i].field[FIELD_MODEL], num) != 0;
	}
	ok = rc == LR_OK && rows.n == count && bad == 0;
	if (rc != LR_OK)
		printf("#   error: %s\n", err.reason);
	raw_rows_free(&rows);
	free(page);
	return ok;
}

/* The most rows a page may have, each a number: every one kept exactly. */
static void
test_json_many_numbers(void)
{
	tap_ok(json_numbers_exact(EXTRACT_MAX_ROWS), "json %d numbers kept exactly",
	       EXTRACT_MAX_ROWS);
}

/* A UTF-16 page (byte order mark, NUL bytes in every other place) is
 * read in its charset, not refused as holding NULs. */
static void
test_utf16(void)
{
	static const char text[] = "<table><tr><td>\xc3\xa9 1</td><td>$1</td></tr></table>";
	char page[2 * sizeof(text) + 2], got[256];
	struct source src;
	struct raw_rows rows;
	struct lr_err err = { 0 };
	size_t i, n = 0;
	int be;

	for (be = 0; be < 2; be++) {
		n = 0;
		page[n++] = be ? '\xfe' : '\xff';
		page[n++] = be ? '\xff' : '\xfe';
		for (i = 0; text[i] != '\0'; i++) { /* é is U+00E9: one unit */
			unsigned char c = (unsigned char)text[i];
			unsigned u = c == 0xc3 ? 0xe9 : c;
			if (c == 0xa9 && i > 0 && (unsigned char)text[i - 1] == 0xc3)
				continue;
			page[n++] = (char)(be ? 0 : u);
			page[n++] = (char)(be ? u : 0);
		}
		source_init(&src, FORMAT_HTML, "//tr", "td[1]", "td[2]");
		if (extract_page(&src, page, n, &rows, &err) != LR_OK) {
			tap_ok(0, "a UTF-16%s page is read (%s)", be ? "BE" : "LE", err.reason);
			continue;
		}
		render(&rows, got, sizeof(got));
		tap_str_eq(got, "\xc3\xa9 1=$1;",
			   be ? "a UTF-16BE page is read" : "a UTF-16LE page is read");
		raw_rows_free(&rows);
		memset(&err, 0, sizeof(err)); /* without its byte order mark: said so */
		tap_ok(extract_page(&src, page + 2, n - 2, &rows, &err) != LR_OK &&
			   strstr(err.reason, "looks like UTF-16") != NULL,
		       "UTF-16%s without a byte order mark: named (%s)", be ? "BE" : "LE",
		       err.reason);
		raw_rows_free(&rows);
	}
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
	test_json_errors_like_jansson();
	test_json_long_number();
	test_json_many_numbers();
	test_deep_nesting();
	test_utf16();
	return tap_done();
}
