/* test_config.c - table-driven tests of llmref.conf and source file
 * parsing: every case is a file text and the expected error (or none). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "tap.h"

static const char good_source[] = "[source]\n"
				  "provider = fw\n"
				  "provider_name = Fire Works\n"
				  "kind = pricing\n"
				  "url = https://example.com/pricing\n"
				  "format = html\n"
				  "[extract]\n"
				  "rows = //tr\n"
				  "model = td[1]\n"
				  "input_price = td[2]\n"
				  "[units]\n"
				  "input_price = auto\n";

struct source_case {
	const char *name; /* file name */
	const char *text;
	const char *err; /* expected substring of the error, NULL = success */
};

static const struct source_case source_cases[] = {
	{ "ok.conf", good_source, NULL },
	{ "ok.conf",
	  "[source]\nprovider=a\nprovider_name=A\nkind=pricing\nurl=http://x/\n"
	  "format=json\n[extract]\njq=.data[] | {model: .id}\n",
	  NULL },
	{ "bad.conf",
	  "[source]\nprovider=a\nprovider_name=A\nkind=pricing\nurl=http://x/\n"
	  "format=json\n[extract]\nrows=$.data[*]\nmodel=$.id\n",
	  "bad.conf:8: [extract] rows: JSON pages are read by jq" },
	{ "bad.conf", "[source]\nprovider=a\n", "bad.conf: [source] provider_name is required" },
	{ "bad.conf", "[source]\nnope = 1\n", "bad.conf:2: unknown key [source] nope" },
	{ "bad.conf", "[source]\nurl = ftp://x/\n",
	  "bad.conf:2: [source] url: 'ftp://x/' is not an http" },
	{ "bad.conf", "[source]\nurl = https://\n", "is not an http:// or https:// URL" },
	{ "bad.conf", "[source]\nkind = magic\n",
	  "bad.conf:2: [source] kind: unknown kind 'magic'" },
	{ "bad.conf", "[source]\nformat = xml\n", "unknown format 'xml'" },
	{ "bad.conf", "[source]\ninterval = -5m\n", "'-5m' is not a duration" },
	{ "bad.conf", "[source]\ninterval = 99999999999999999999d\n", "is not a duration" },
	{ "bad.conf", "[units]\ninput_price = per_barrel\n",
	  "bad.conf:2: [units] input_price: unknown unit" },
	{ "bad.conf", "[source]\nprovider=a\nprovider=b\n",
	  "bad.conf:3: [source] provider: set twice (first on line 2)" },
	{ "bad.conf", "garbage line\n", "bad.conf:1: syntax error" },
	{ "bad.conf", "[source\n", "bad.conf:1: syntax error" },
	{ "Bad.conf", good_source, "a source file name must be ID.conf" },
	{ "a.b.conf", good_source, "a source file name must be ID.conf" },
	{ "bad.conf",
	  "[source]\nkind = model_card\nprovider=a\nprovider_name=A\nurl=http://x/\n"
	  "format=html\n[extract]\nrows=//tr\nmodel=td\n",
	  NULL },
	{ "bad.conf",
	  "[source]\nkind = model_card\nprovider=a\nprovider_name=A\nurl=http://x/\n"
	  "format=html\n[extract]\nrows=//tr\nmodel=td\ninput_price=td[2]\n",
	  "bad.conf:10: [extract] input_price: not a field of 'model_card' sources" },
	{ "bad.conf",
	  "[source]\nkind = benchmarks\nprovider=a\nprovider_name=A\nurl=http://x/\n"
	  "format=html\n[extract]\nrows=//tr\nmodel=td\nbenchmark=td[2]\n",
	  "a 'benchmarks' source needs benchmark and score" },
	{ "bad.conf",
	  "[source]\nkind = curated\nprovider=a\nprovider_name=A\nurl=http://x/\n"
	  "format=html\n[extract]\nrows=//tr\nmodel=td\n",
	  "a curated source names a file, not a url" },
	{ "bad.conf",
	  "[source]\nkind = curated\nprovider=a\nprovider_name=A\nfile=x.json\n"
	  "format=html\n[extract]\nrows=//tr\nmodel=td[1]\nfact=td[2]\nvalue=td[3]\n",
	  "a 'curated' source needs fact, value and reason" },
	{ "bad.conf",
	  "[source]\nkind = pricing\nprovider=a\nprovider_name=A\nfile=x.json\n"
	  "format=json\n[extract]\njq=.[] | {model: .m}\n",
	  "[source] url is required" },
	{ "ok.conf",
	  "[source]\nkind = curated\nprovider=a\nprovider_name=A\nfile=x.json\n"
	  "format=json\n[extract]\njq=.[] | {model: .m, fact: .f, value: .v, reason: .r}\n",
	  NULL },
	{ "bad.conf",
	  "[source]\nprovider=a\nprovider_name=A\nkind=pricing\nurl=http://x/\n"
	  "format=json\n[extract]\nrows=data[*]\nmodel=$.id\n",
	  "bad.conf:8: [extract] rows: JSON pages are read by jq: write the rows and fields as one "
	  "program" },
	{ "bad.conf",
	  "[source]\nprovider=a\nprovider_name=A\nkind=pricing\nurl=http://x/\n"
	  "format=html\n[extract]\nrows=//tr\nmodel=td[\n",
	  "bad.conf:9: [extract] model: invalid XPath 1.0 expression 'td['" },
};

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static void
test_source_case(const char *dir, const struct source_case *c)
{
	char path[512];
	struct source src;
	struct lr_err err = { 0 };
	enum lr_code rc;

	snprintf(path, sizeof(path), "%s/%s", dir, c->name);
	write_file(path, c->text);
	memset(&src, 0, sizeof(src));
	rc = source_load(path, &src, &err);
	if (c->err == NULL)
		tap_ok(rc == LR_OK, "%s loads (%s)", c->name, err.reason);
	else if (!tap_ok(rc == LR_ERR_CONFIG && strstr(err.reason, c->err) != NULL,
			 "error contains '%s'", c->err))
		printf("#   got: %s\n", err.reason);
	source_clear(&src);
	unlink(path);
}

static void
test_good_source_values(const char *dir)
{
	char path[512];
	struct source src;
	struct lr_err err = { 0 };

	snprintf(path, sizeof(path), "%s/fw.conf", dir);
	write_file(path, good_source);
	memset(&src, 0, sizeof(src));
	tap_ok(source_load(path, &src, &err) == LR_OK, "good source loads");
	tap_str_eq(src.id, "fw", "id is the file name");
	tap_str_eq(src.provider_name, "Fire Works", "provider_name kept with its space");
	tap_ok(src.interval_sec == 6 * 3600, "interval defaults to 6h");
	tap_ok(src.input_unit == UNIT_AUTO && src.output_unit == UNIT_PER_1M,
	       "units parsed and defaulted");
	tap_str_eq(src.fields[FIELD_OUTPUT_PRICE], "", "unset field is empty");
	source_clear(&src);
	unlink(path);
}

static void
test_durations_and_sizes(void)
{
	static const struct {
		const char *text;
		long sec;
	} d[] = { { "45", 45 },     { "45s", 45 }, { "15m", 900 }, { "6h", 21600 },
		  { "2d", 172800 }, { "", -1 },    { "h", -1 },    { "5x", -1 },
		  { "5 m", -1 },    { "-1", -1 },  { "1.5h", -1 } };
	static const struct {
		const char *text;
		long long bytes;
	} s[] = { { "1024", 1024 },     { "16MiB", 16777216 },
		  { "512KiB", 524288 }, { "1GiB", 1073741824 },
		  { "16M", 16777216 },  { "16 MiB", -1 },
		  { "x", -1 },          { "99999999999999999999", -1 } };
	size_t i;
	long sec;
	size_t bytes;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		int rc = config_parse_duration(d[i].text, &sec);
		tap_ok(d[i].sec < 0 ? rc != 0 : (rc == 0 && sec == d[i].sec), "duration '%s'",
		       d[i].text);
	}
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		int rc = config_parse_size(s[i].text, &bytes);
		tap_ok(s[i].bytes < 0 ? rc != 0 : (rc == 0 && (long long)bytes == s[i].bytes),
		       "size '%s'", s[i].text);
	}
}

static void
test_config_file(const char *dir)
{
	char path[1100], sdir[512];
	struct lr_err err = { 0 };
	struct config *cfg;

	snprintf(sdir, sizeof(sdir), "%s/src.d", dir);
	mkdir(sdir, 0700);
	snprintf(path, sizeof(path), "%s/fw.conf", sdir);
	write_file(path, good_source);
	snprintf(path, sizeof(path), "%s/llmref.conf", dir);
	write_file(path,
		   "[database]\nconninfo = service=llmref ; comment\n[paths]\nsources = src.d\n");
	cfg = config_load(path, &err);
	tap_ok(cfg != NULL, "llmref.conf loads (%s)", err.reason);
	if (cfg != NULL) {
		tap_str_eq(cfg->conninfo, "service=llmref", "inline comment stripped");
		tap_ok(cfg->nsources == 1 && config_find_source(cfg, "fw") != NULL,
		       "relative sources dir found next to the config");
		tap_ok(cfg->fetch_max_body_bytes == 16 * 1024 * 1024,
		       "max_body_size default 16MiB");
		tap_ok(cfg->fetch_timeout_sec == 60, "timeout default 60s");
	}
	config_free(cfg);
	snprintf(path, sizeof(path), "%s/src.d/fw.conf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/llmref.conf", dir);
	cfg = config_load(path, &err); /* qsort(NULL, 0) here once (UBSan) */
	tap_ok(cfg != NULL && cfg->nsources == 0, "an empty sources dir loads with no sources");
	config_free(cfg);
	write_file(path, "[database]\nconnstring = x\n");
	cfg = config_load(path, &err);
	tap_ok(cfg == NULL &&
		   strstr(err.reason, "llmref.conf:2: unknown key [database] connstring"),
	       "unknown key in llmref.conf named with line");
	config_free(cfg);
	snprintf(path, sizeof(path), "%s/src.d/fw.conf", dir);
	unlink(path);
	rmdir(sdir);
	snprintf(path, sizeof(path), "%s/llmref.conf", dir);
	unlink(path);
}

int
main(void)
{
	char dir[] = "/tmp/llmref-test-config.XXXXXX";
	size_t i;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	for (i = 0; i < sizeof(source_cases) / sizeof(source_cases[0]); i++)
		test_source_case(dir, &source_cases[i]);
	test_good_source_values(dir);
	test_durations_and_sizes();
	test_config_file(dir);
	rmdir(dir);
	return tap_done();
}
