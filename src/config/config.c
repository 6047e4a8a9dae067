/* config.c - INI parsing (libinih) of llmref.conf and sources.d/ID.conf
 * through declarative key tables; every error names file, line and key. */
#include "autoconf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>

#include "core/file.h"
#include "core/log.h"
#include "core/url.h"
#include "config/config.h"
#include "extract/extract.h"
#include "fetch/fetch_net.h"
#include "fetch/fetch_secret.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

enum key_type {
	KEY_STR,      /* char * */
	KEY_URL,      /* char *, http:// or https:// only */
	KEY_DURATION, /* long seconds */
	KEY_MSEC,     /* long milliseconds ("250ms", "2s") */
	KEY_COUNT,    /* long, 0 .. 100000 */
	KEY_BOOL,     /* int: yes/no, true/false, on/off, 1/0 */
	KEY_SIZE,     /* size_t bytes */
	KEY_KIND,     /* enum source_kind */
	KEY_FORMAT,   /* enum source_format */
	KEY_UNIT,     /* enum price_unit */
	KEY_PERCENT,  /* long basis points, 0 .. 10000 */
	KEY_TOKENS,   /* long long, 1 .. 10^15 */
	KEY_PAIRS,    /* char *: all, creator */
};
/* A flag or'ed into a key's type, as pgbouncer's CF_NO_RELOAD: the key is
 * applied at start only, and a reload keeps its running value. */
#define KEY_NO_RELOAD 0x100
#define KEY_TYPE(k)   ((enum key_type)((k)->type & ~KEY_NO_RELOAD))

struct key_def {
	const char *section;
	const char *name;
	enum key_type type;
	const char *def; /* default text, NULL = required (sources only) */
	size_t offset;
};

/* llmref.conf: every key, its type and default. The man page
 * llmref.conf(5) documents each; tests/integration/docsync checks it. */
static const struct key_def config_keys[] = {
	{ "database", "conninfo", KEY_STR | KEY_NO_RELOAD, "", offsetof(struct config, conninfo) },
	{ "paths", "sources", KEY_STR, SYSCONFDIR "/llmref/sources.d",
	  offsetof(struct config, sources_dir) },
	{ "paths", "aliases", KEY_STR, "", offsetof(struct config, aliases_path) },
	{ "paths", "curated", KEY_STR, "", offsetof(struct config, curated_dir) },
	{ "paths", "providers", KEY_STR, "", offsetof(struct config, providers_path) },
	{ "fetch", "timeout", KEY_DURATION, "60s", offsetof(struct config, fetch_timeout_sec) },
	{ "fetch", "deadline", KEY_DURATION, "5m", offsetof(struct config, fetch_deadline_sec) },
	{ "fetch", "connect_timeout", KEY_DURATION, "15s",
	  offsetof(struct config, fetch_connect_timeout_sec) },
	{ "fetch", "low_speed_time", KEY_DURATION, "30s",
	  offsetof(struct config, fetch_low_speed_sec) },
	{ "fetch", "max_body_size", KEY_SIZE, "16MiB",
	  offsetof(struct config, fetch_max_body_bytes) },
	{ "fetch", "contact", KEY_STR, "", offsetof(struct config, fetch_contact) },
	{ "fetch", "max_connections", KEY_COUNT, "16",
	  offsetof(struct config, fetch_max_connections) },
	{ "fetch", "max_per_host", KEY_COUNT, "1", offsetof(struct config, fetch_max_per_host) },
	{ "fetch", "host_delay", KEY_MSEC, "1s", offsetof(struct config, fetch_host_delay_ms) },
	{ "fetch", "retries", KEY_COUNT, "3", offsetof(struct config, fetch_retries) },
	{ "fetch", "backoff", KEY_MSEC, "1s", offsetof(struct config, fetch_backoff_base_ms) },
	{ "fetch", "backoff_max", KEY_MSEC, "60s", offsetof(struct config, fetch_backoff_max_ms) },
	{ "fetch", "retry_after_max", KEY_MSEC, "5m",
	  offsetof(struct config, fetch_retry_after_max_ms) },
	{ "fetch", "ca_file", KEY_STR, "", offsetof(struct config, fetch_ca_file) },
	{ "fetch", "credentials_dir", KEY_STR, "", offsetof(struct config, fetch_credentials_dir) },
	{ "fetch", "allow_private_networks", KEY_BOOL, "no",
	  offsetof(struct config, fetch_allow_private_networks) },
	{ "database", "lock_wait", KEY_MSEC, "10s", offsetof(struct config, lock_wait_ms) },
	{ "database", "timeout", KEY_DURATION, "5m", offsetof(struct config, db_timeout_sec) },
	{ "catalog", "gone_after", KEY_COUNT, "3", offsetof(struct config, gone_after_runs) },
	{ "catalog", "conflict_tolerance", KEY_PERCENT, "2.5%",
	  offsetof(struct config, conflict_tolerance_bp) },
	{ "quarantine", "enabled", KEY_BOOL, "yes", offsetof(struct config, quarantine_enabled) },
	{ "quarantine", "min_rows", KEY_PERCENT, "50%",
	  offsetof(struct config, quarantine_min_rows_bp) },
	{ "quarantine", "mass_change", KEY_PERCENT, "50%",
	  offsetof(struct config, quarantine_mass_change_bp) },
	{ "quarantine", "mass_change_min", KEY_COUNT, "5",
	  offsetof(struct config, quarantine_mass_change_min) },
	{ "quarantine", "max_factor", KEY_COUNT, "10",
	  offsetof(struct config, quarantine_max_factor) },
	{ "traffic", "tokens_per_month", KEY_TOKENS, "1050000000",
	  offsetof(struct config, traffic_tokens_per_month) },
	{ "traffic", "input_share", KEY_PERCENT, "70%",
	  offsetof(struct config, traffic_input_share_bp) },
	{ "diff", "pairs", KEY_PAIRS, "creator", offsetof(struct config, diff_pairs) },
	{ "diff", "top_routed", KEY_COUNT, "10", offsetof(struct config, diff_top_routed) },
	{ "diff", "pairs_file", KEY_STR, "", offsetof(struct config, diff_pairs_file) },
	{ "diff", "spool", KEY_STR, "", offsetof(struct config, diff_spool) },
	{ "alerts", "max_age_pricing", KEY_DURATION, "7d",
	  offsetof(struct config, alert_max_age_sec[SOURCE_PRICING]) },
	{ "alerts", "max_age_model_card", KEY_DURATION, "30d",
	  offsetof(struct config, alert_max_age_sec[SOURCE_MODEL_CARD]) },
	{ "alerts", "max_age_benchmarks", KEY_DURATION, "90d",
	  offsetof(struct config, alert_max_age_sec[SOURCE_BENCHMARKS]) },
	{ "alerts", "max_age_capabilities", KEY_DURATION, "30d",
	  offsetof(struct config, alert_max_age_sec[SOURCE_CAPABILITIES]) },
	{ "alerts", "max_age_curated", KEY_DURATION, "0",
	  offsetof(struct config, alert_max_age_sec[SOURCE_CURATED]) },
	{ "alerts", "failing_runs", KEY_COUNT, "3", offsetof(struct config, alert_failing_runs) },
	{ "alerts", "provider_silence", KEY_DURATION, "48h",
	  offsetof(struct config, alert_provider_silence_sec) },
	{ "daemon", "metrics_file", KEY_STR, "", offsetof(struct config, daemon_metrics_file) },
	{ "export", "dir", KEY_STR, "", offsetof(struct config, export_dir) },
};

/* sources.d/ID.conf. NULL default = required. */
static const struct key_def source_keys[] = {
	{ "source", "provider", KEY_STR, NULL, offsetof(struct source, provider) },
	{ "source", "provider_name", KEY_STR, NULL, offsetof(struct source, provider_name) },
	{ "source", "kind", KEY_KIND, NULL, offsetof(struct source, kind) },
	{ "source", "url", KEY_URL, "", offsetof(struct source, url) },
	{ "source", "file", KEY_STR, "", offsetof(struct source, file) },
	{ "source", "format", KEY_FORMAT, NULL, offsetof(struct source, format) },
	{ "source", "interval", KEY_DURATION, "6h", offsetof(struct source, interval_sec) },
	{ "source", "authoritative", KEY_BOOL, "no", offsetof(struct source, authoritative) },
	{ "source", "priority", KEY_COUNT, "50", offsetof(struct source, priority) },
	{ "source", "router", KEY_BOOL, "no", offsetof(struct source, router) },
	{ "source", "allow_private_network", KEY_STR, "no",
	  offsetof(struct source, allow_private_network) },
	{ "extract", "skip_bad_rows", KEY_BOOL, "no", offsetof(struct source, skip_bad_rows) },
	{ "extract", "jq", KEY_STR, "", offsetof(struct source, jq) },
	{ "extract", "jq_file", KEY_STR, "", offsetof(struct source, jq_file) },
	{ "extract", "json_xpath", KEY_STR, "", offsetof(struct source, json_xpath) },
	{ "extract", "table", KEY_STR, "", offsetof(struct source, table) },
	{ "extract", "text", KEY_STR, "", offsetof(struct source, text) },
	{ "extract", "jq_timeout", KEY_DURATION, "10s", offsetof(struct source, jq_timeout_sec) },
	{ "extract", "jq_max_memory", KEY_SIZE, "512MiB",
	  offsetof(struct source, jq_max_memory_bytes) },
	{ "extract", "rows", KEY_STR, "", offsetof(struct source, rows) },
	{ "extract", "model", KEY_STR, "", offsetof(struct source, fields[FIELD_MODEL]) },
	{ "extract", "input_price", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_INPUT_PRICE]) },
	{ "extract", "output_price", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_OUTPUT_PRICE]) },
	{ "extract", "context_window", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_CONTEXT_WINDOW]) },
	{ "extract", "cached_input_price", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_CACHED_INPUT_PRICE]) },
	{ "extract", "max_output", KEY_STR, "", offsetof(struct source, fields[FIELD_MAX_OUTPUT]) },
	{ "extract", "deprecation_date", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_DEPRECATION_DATE]) },
	{ "extract", "tier_threshold", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_TIER_THRESHOLD]) },
	{ "extract", "tier_input_price", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_TIER_INPUT_PRICE]) },
	{ "extract", "tier_output_price", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_TIER_OUTPUT_PRICE]) },
	{ "extract", "served_by", KEY_STR, "", offsetof(struct source, fields[FIELD_SERVED_BY]) },
	{ "extract", "price_from", KEY_STR, "", offsetof(struct source, fields[FIELD_PRICE_FROM]) },
	{ "extract", "provider", KEY_STR, "", offsetof(struct source, fields[FIELD_PROVIDER]) },
	{ "extract", "parameters", KEY_STR, "", offsetof(struct source, fields[FIELD_PARAMETERS]) },
	{ "extract", "license", KEY_STR, "", offsetof(struct source, fields[FIELD_LICENSE]) },
	{ "extract", "release_date", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_RELEASE_DATE]) },
	{ "extract", "knowledge_cutoff", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_KNOWLEDGE_CUTOFF]) },
	{ "extract", "architecture", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_ARCHITECTURE]) },
	{ "extract", "openness", KEY_STR, "", offsetof(struct source, fields[FIELD_OPENNESS]) },
	{ "extract", "commercial_use", KEY_STR, "",
	  offsetof(struct source, fields[FIELD_COMMERCIAL_USE]) },
	{ "extract", "benchmark", KEY_STR, "", offsetof(struct source, fields[FIELD_BENCHMARK]) },
	{ "extract", "score", KEY_STR, "", offsetof(struct source, fields[FIELD_SCORE]) },
	{ "extract", "capability", KEY_STR, "", offsetof(struct source, fields[FIELD_CAPABILITY]) },
	{ "extract", "supported", KEY_STR, "", offsetof(struct source, fields[FIELD_SUPPORTED]) },
	{ "extract", "fact", KEY_STR, "", offsetof(struct source, fields[FIELD_FACT]) },
	{ "extract", "value", KEY_STR, "", offsetof(struct source, fields[FIELD_VALUE]) },
	{ "extract", "reason", KEY_STR, "", offsetof(struct source, fields[FIELD_REASON]) },
	{ "extract", "expires", KEY_STR, "", offsetof(struct source, fields[FIELD_EXPIRES]) },
	{ "paginate", "next", KEY_STR, "", offsetof(struct source, paginate_next) },
	{ "paginate", "max_pages", KEY_COUNT, "20", offsetof(struct source, paginate_max_pages) },
	{ "fanout", "list", KEY_URL, "", offsetof(struct source, fanout_list) },
	{ "fanout", "items", KEY_STR, "", offsetof(struct source, fanout_items) },
	{ "fanout", "max_items", KEY_COUNT, "100", offsetof(struct source, fanout_max_items) },
	{ "units", "input_price", KEY_UNIT, "per_1m", offsetof(struct source, input_unit) },
	{ "units", "output_price", KEY_UNIT, "per_1m", offsetof(struct source, output_unit) },
};

#define NKEYS(t)           (sizeof(t) / sizeof((t)[0]))
#define CONFIG_LAST_HEADER (-2) /* parse_ctx.last_key: a [headers] line */
#define SOURCE_HEADERS_MAX 32
#define MAX_KEYS           64
_Static_assert(NKEYS(source_keys) <= MAX_KEYS && NKEYS(config_keys) <= MAX_KEYS,
	       "a key table outgrew parse_ctx.seen");

/* State shared by the line reader and the inih handler. */
struct parse_ctx {
	const char *file;
	const char *text; /* whole file, NUL-terminated */
	const char *pos;
	int line;         /* number of the line last handed to inih */
	int continuation; /* that line started with white space */
	const struct key_def *keys;
	size_t nkeys;
	void *target;
	int seen[MAX_KEYS]; /* line where each key was set, 0 = unset */
	int last_key;       /* index of the last key set, for continuations */
	struct lr_err *err;
	int failed;
	int fail_line; /* line of our first error */
};

const char *
config_default_path(void)
{
	const char *env = getenv("LLMREF_CONFIG");

	if (env != NULL && env[0] != '\0')
		return env;
	return SYSCONFDIR "/llmref/llmref.conf";
}

int
config_parse_duration(const char *text, long *out_sec)
{
	static const struct {
		char suffix;
		long mult;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	char *end;
	long v;
	size_t i;

	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || v < 0)
		return -1;
	if (*end == '\0') {
		*out_sec = v;
		return 0;
	}
	for (i = 0; i < NKEYS(units); i++) {
		if (end[0] == units[i].suffix && end[1] == '\0') {
			if (v > LONG_MAX / units[i].mult)
				return -1;
			*out_sec = v * units[i].mult;
			return 0;
		}
	}
	return -1;
}

int
config_parse_duration_ms(const char *text, long *out_ms)
{
	size_t n = strlen(text);
	char num[32];
	long v;

	if (n > 2 && n < sizeof(num) && strcmp(text + n - 2, "ms") == 0) {
		memcpy(num, text, n - 2);
		num[n - 2] = '\0';
		if (config_parse_duration(num, &v) != 0 || num[n - 3] < '0' || num[n - 3] > '9')
			return -1;
		*out_ms = v;
		return 0;
	}
	if (config_parse_duration(text, &v) != 0 || v > LONG_MAX / 1000)
		return -1;
	*out_ms = v * 1000;
	return 0;
}

int
config_parse_percent(const char *text, long *out_bp)
{
	long whole = 0, frac = 0;
	int nwhole = 0, nfrac = 0;
	const char *p = text;

	for (; isdigit((unsigned char)*p) && nwhole < 4; p++, nwhole++)
		whole = whole * 10 + (*p - '0');
	if (nwhole == 0)
		return -1;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p) && nfrac < 2; p++, nfrac++)
			frac = frac * 10 + (*p - '0');
	if (nfrac == 1)
		frac *= 10;
	if (*p == '%')
		p++;
	if (*p != '\0' || whole * 100 + frac > 10000)
		return -1;
	*out_bp = whole * 100 + frac;
	return 0;
}

int
config_parse_size(const char *text, size_t *out_bytes)
{
	static const struct {
		const char *suffix;
		size_t mult;
	} units[] = { { "", 1 },
		      { "KiB", 1024 },
		      { "MiB", 1024 * 1024 },
		      { "GiB", 1024UL * 1024 * 1024 },
		      { "K", 1024 },
		      { "M", 1024 * 1024 } };
	unsigned long long v;
	char *end;
	size_t i;

	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0)
		return -1;
	for (i = 0; i < NKEYS(units); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			if (v > SIZE_MAX / units[i].mult)
				return -1;
			*out_bytes = (size_t)v * units[i].mult;
			return 0;
		}
	}
	return -1;
}

static int source_key_line(const int *lines, const char *section, const char *name);

/* A curated source reads a local file (relative to its own folder) and
 * names no URL; every other kind fetches a URL. */
static enum lr_code
source_check_location(struct source *src, struct lr_err *err)
{
	const char *slash = strrchr(src->path, '/');
	size_t n;
	char *abs;

	if (src->kind != SOURCE_CURATED) {
		if (src->url[0] == '\0')
			return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
					  "%s: [source] url is required", src->path);
		if (src->file[0] != '\0')
			return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
					  "%s: [source] file is only for curated sources",
					  src->path);
		return LR_OK;
	}
	if (src->file[0] == '\0' || src->url[0] != '\0')
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s: a curated source names a file, not a url", src->path);
	if (src->file[0] == '/' || slash == NULL)
		return LR_OK;
	n = (size_t)(slash - src->path) + 1 + strlen(src->file) + 1;
	abs = malloc(n);
	if (abs == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	snprintf(abs, n, "%.*s/%s", (int)(slash - src->path), src->path, src->file);
	free(src->file);
	src->file = abs;
	return LR_OK;
}

/* Every field set must suit the kind; benchmarks and capabilities rows
 * need both of their fields. */
static enum lr_code
source_check_kind(const struct source *src, const int *lines, struct lr_err *err)
{
	int f;

	if (src->jq_program != NULL)
		return LR_OK; /* the rows say which fields they have: checked per page */
	for (f = 0; f < FIELD_COUNT; f++) {
		if (src->fields[f] == NULL || src->fields[f][0] == '\0' ||
		    source_kind_allows(src->kind, (enum field)f))
			continue;
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s:%d: [extract] %s: not a field of '%s' sources", src->path,
				  source_key_line(lines, "extract", field_name((enum field)f)),
				  field_name((enum field)f), source_kind_name(src->kind));
	}
	if (src->kind == SOURCE_CURATED &&
	    (src->fields[FIELD_FACT][0] == '\0' || src->fields[FIELD_VALUE][0] == '\0' ||
	     src->fields[FIELD_REASON][0] == '\0'))
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s: [extract] a 'curated' source needs fact, value and reason",
				  src->path);
	if ((src->kind == SOURCE_BENCHMARKS &&
	     (src->fields[FIELD_BENCHMARK][0] == '\0' || src->fields[FIELD_SCORE][0] == '\0')) ||
	    (src->kind == SOURCE_CAPABILITIES &&
	     (src->fields[FIELD_CAPABILITY][0] == '\0' || src->fields[FIELD_SUPPORTED][0] == '\0')))
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s: [extract] a '%s' source needs %s", src->path,
				  source_kind_name(src->kind),
				  src->kind == SOURCE_BENCHMARKS ? "benchmark and score"
								 : "capability and supported");
	return LR_OK;
}

static int
parse_kind(const char *v, enum source_kind *out)
{
	size_t i;

	for (i = 0; i <= SOURCE_CURATED; i++) {
		if (strcmp(v, source_kind_name((enum source_kind)i)) == 0) {
			*out = (enum source_kind)i;
			return 0;
		}
	}
	return -1;
}

static int
url_is_http(const char *v)
{
	return (strncmp(v, "http://", 7) == 0 && v[7] != '\0') ||
	       (strncmp(v, "https://", 8) == 0 && v[8] != '\0');
}

__attribute__((format(printf, 3, 4))) static int
ctx_fail(struct parse_ctx *c, const struct key_def *k, const char *fmt, ...)
{
	char loc[256], msg[512];
	va_list ap;

	if (c->failed)
		return 0;
	c->failed = 1;
	c->fail_line = c->line;
	if (k != NULL)
		snprintf(loc, sizeof(loc), "%s:%d: [%s] %s", c->file, c->line, k->section, k->name);
	else
		snprintf(loc, sizeof(loc), "%s:%d", c->file, c->line);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lr_err_set(c->err, LR_ERR_CONFIG, NULL, NULL, "%s: %s", loc, msg);
	return 0;
}

/* Store v as string field at *slot, appending with a space when continuing. */
static int
store_str(char **slot, const char *v, int append)
{
	size_t old, add;
	char *p;

	if (!append || *slot == NULL) {
		p = strdup(v);
		if (p == NULL)
			return -1;
		free(*slot);
		*slot = p;
		return 0;
	}
	old = strlen(*slot);
	add = strlen(v);
	p = realloc(*slot, old + add + 2);
	if (p == NULL)
		return -1;
	p[old] = ' ';
	memcpy(p + old + 1, v, add + 1);
	*slot = p;
	return 0;
}

/* Keys whose value is one of a fixed set of words. */
static int
store_choice(struct parse_ctx *c, const struct key_def *k, const char *v, char *base)
{
	switch (KEY_TYPE(k)) {
	case KEY_KIND:
		if (parse_kind(v, (enum source_kind *)(void *)base) != 0)
			return ctx_fail(c, k,
					"unknown kind '%s' (pricing, model_card, benchmarks, "
					"capabilities, curated)",
					v);
		return 1;
	case KEY_FORMAT:
		if (strcmp(v, "html") == 0)
			*(enum source_format *)(void *)base = FORMAT_HTML;
		else if (strcmp(v, "json") == 0)
			*(enum source_format *)(void *)base = FORMAT_JSON;
		else if (strcmp(v, "markdown") == 0)
			*(enum source_format *)(void *)base = FORMAT_MARKDOWN;
		else
			return ctx_fail(c, k, "unknown format '%s' (html, json, markdown)", v);
		return 1;
	case KEY_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "on") == 0 ||
		    strcmp(v, "1") == 0)
			*(int *)(void *)base = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "off") == 0 ||
			 strcmp(v, "0") == 0)
			*(int *)(void *)base = 0;
		else
			return ctx_fail(c, k, "'%s' is not yes or no", v);
		return 1;
	case KEY_UNIT:
		if (price_unit_parse(v, (enum price_unit *)(void *)base) != 0)
			return ctx_fail(
			    c, k,
			    "unknown unit '%s' (per_token, per_1k, per_1m, cents_per_token, auto)",
			    v);
		return 1;
	default: break;
	}
	return ctx_fail(c, k, "%s", "internal: not a choice key");
}

/* The [traffic] and [diff] types: a token count, a pairs rule. */
static int
store_diff_value(struct parse_ctx *c, const struct key_def *k, const char *v, char *base,
		 int append)
{
	char *end;
	long long n;

	if (KEY_TYPE(k) == KEY_PAIRS) {
		if (strcmp(v, "all") != 0 && strcmp(v, "creator") != 0)
			return ctx_fail(c, k, "'%s' is not a pairs rule (all, creator)", v);
		if (store_str((char **)(void *)base, v, append) != 0)
			return ctx_fail(c, k, "%s", "out of memory");
		return 1;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno != 0 || n < 1 ||
	    n > 1000000000000000LL)
		return ctx_fail(c, k, "'%s' is not a whole number of tokens from 1 to 10^15", v);
	*(long long *)(void *)base = n;
	return 1;
}

static int
store_value(struct parse_ctx *c, const struct key_def *k, const char *v, int append)
{
	char *base = (char *)c->target + k->offset;

	switch (KEY_TYPE(k)) {
	case KEY_URL:
		if (v[0] != '\0' && !url_is_http(v)) {
			char shown[LR_ERR_URL_MAX];
			return ctx_fail(c, k, "'%s' is not an http:// or https:// URL",
					url_redact(v, shown, sizeof(shown)));
		}
		/* fall through */
	case KEY_STR:
		if (store_str((char **)(void *)base, v, append) != 0)
			return ctx_fail(c, k, "%s", "out of memory");
		return 1;
	case KEY_DURATION:
		if (config_parse_duration(v, (long *)(void *)base) != 0)
			return ctx_fail(c, k, "'%s' is not a duration (e.g. 30s, 15m, 6h, 1d)", v);
		return 1;
	case KEY_MSEC:
		if (config_parse_duration_ms(v, (long *)(void *)base) != 0)
			return ctx_fail(c, k, "'%s' is not a duration (e.g. 250ms, 2s, 1m)", v);
		return 1;
	case KEY_COUNT: {
		char *end;
		long n;
		errno = 0;
		n = strtol(v, &end, 10);
		if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno != 0 || n > 100000)
			return ctx_fail(c, k, "'%s' is not a whole number from 0 to 100000", v);
		*(long *)(void *)base = n;
		return 1;
	}
	case KEY_SIZE:
		if (config_parse_size(v, (size_t *)(void *)base) != 0)
			return ctx_fail(c, k, "'%s' is not a size (e.g. 16MiB)", v);
		return 1;
	case KEY_TOKENS:
	case KEY_PAIRS: return store_diff_value(c, k, v, base, append);
	case KEY_PERCENT:
		if (config_parse_percent(v, (long *)(void *)base) != 0)
			return ctx_fail(c, k, "'%s' is not a share from 0%% to 100%% (e.g. 2.5%%)",
					v);
		return 1;
	case KEY_KIND:
	case KEY_FORMAT:
	case KEY_UNIT:
	case KEY_BOOL: return store_choice(c, k, v, base);
	}
	return ctx_fail(c, k, "%s", "internal: unknown key type");
}

/* A [headers] line of a source file: a header name and its value, which
 * may name credentials. An indented next line continues the value.
 * Errors never quote the value. */
static int
store_header(struct parse_ctx *c, const char *name, const char *value)
{
	struct source *src = c->target;
	struct source_header *h, *grown;
	char why[256];
	size_t i;

	if (c->continuation && c->last_key == CONFIG_LAST_HEADER && src->nheaders > 0) {
		h = &src->headers[src->nheaders - 1];
		if (store_str(&h->value, value, 1) != 0)
			return ctx_fail(c, NULL, "%s", "out of memory");
	} else {
		for (i = 0; i < src->nheaders; i++)
			if (strcasecmp(src->headers[i].name, name) == 0)
				return ctx_fail(c, NULL, "[headers] %s set twice", name);
		if (src->nheaders == SOURCE_HEADERS_MAX)
			return ctx_fail(c, NULL, "[headers] more than %d headers",
					SOURCE_HEADERS_MAX);
		grown = realloc(src->headers, (src->nheaders + 1) * sizeof(*grown));
		if (grown == NULL)
			return ctx_fail(c, NULL, "%s", "out of memory");
		src->headers = grown;
		h = &src->headers[src->nheaders];
		h->name = strdup(name);
		h->value = strdup(value);
		src->nheaders++;
		if (h->name == NULL || h->value == NULL)
			return ctx_fail(c, NULL, "%s", "out of memory");
	}
	c->last_key = CONFIG_LAST_HEADER;
	if (fetch_header_check(h->name, h->value, why, sizeof(why)) != 0)
		return ctx_fail(c, NULL, "[headers] %s", why);
	return 1;
}

static int
config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;
	size_t i;

	if (c->failed)
		return 0;
	if (c->keys == source_keys && strcmp(section, "headers") == 0)
		return store_header(c, name, value);
	for (i = 0; i < c->nkeys; i++) {
		if (strcmp(c->keys[i].section, section) == 0 && strcmp(c->keys[i].name, name) == 0)
			break;
	}
	if (i == c->nkeys) {
		return ctx_fail(c, NULL, "unknown key [%s] %s", section, name);
	}
	if (c->continuation && c->last_key == (int)i)
		return store_value(c, &c->keys[i], value, 1);
	if (c->seen[i] != 0) {
		return ctx_fail(c, &c->keys[i], "set twice (first on line %d)", c->seen[i]);
	}
	c->seen[i] = c->line;
	c->last_key = (int)i;
	return store_value(c, &c->keys[i], value, 0);
}

/* inih line reader over the in-memory file: counts lines, notes
 * continuation lines and refuses lines too long for inih's buffer. */
static char *
config_reader(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	const char *nl;
	size_t n;

	if (*c->pos == '\0' || c->failed)
		return NULL;
	nl = strchr(c->pos, '\n');
	n = nl ? (size_t)(nl - c->pos) + 1 : strlen(c->pos);
	c->line++;
	c->continuation = (*c->pos == ' ' || *c->pos == '\t');
	if (n >= (size_t)num || n > CONFIG_LINE_MAX + 1) {
		ctx_fail(c, NULL, "%s",
			 "line longer than 199 characters; continue a long value on an indented "
			 "next line");
		return NULL;
	}
	memcpy(str, c->pos, n);
	str[n] = '\0';
	c->pos += n;
	return str;
}

/* Read a whole file into a new NUL-terminated string (caller frees). */
static char *
config_read_file(const char *path, struct lr_err *err)
{
	struct buf b;
	enum file_rc rc = file_read(path, CONFIG_FILE_MAX_BYTES, FILE_TEXT | FILE_PRIVATE, &b);

	if (rc != FILE_OK) {
		lr_err_set(err, rc == FILE_ERR_NOMEM ? LR_ERR_NOMEM : LR_ERR_CONFIG, NULL, NULL,
			   "%s: %s", path, file_rc_reason(rc, errno, "larger than 1 MiB"));
		return NULL;
	}
	if (b.data == NULL && (b.data = strdup("")) == NULL)
		lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "%s: out of memory", path);
	return b.data;
}

static enum lr_code
apply_defaults(struct parse_ctx *c)
{
	size_t i;

	c->line = 0;
	for (i = 0; i < c->nkeys; i++) {
		if (c->seen[i] != 0)
			continue;
		if (c->keys[i].def == NULL) {
			lr_err_set(c->err, LR_ERR_CONFIG, NULL, NULL, "%s: [%s] %s is required",
				   c->file, c->keys[i].section, c->keys[i].name);
			return LR_ERR_CONFIG;
		}
		if (store_value(c, &c->keys[i], c->keys[i].def, 0) == 0)
			return LR_ERR_CONFIG;
	}
	return LR_OK;
}

static enum lr_code
parse_file(const char *path, const struct key_def *keys, size_t nkeys, void *target, int *lines,
	   struct lr_err *err)
{
	struct parse_ctx c;
	char *text;
	int rc;

	memset(&c, 0, sizeof(c));
	c.file = path;
	c.keys = keys;
	c.nkeys = nkeys;
	c.target = target;
	c.err = err;
	c.last_key = -1;
	text = config_read_file(path, err);
	if (text == NULL)
		return LR_ERR_CONFIG;
	c.text = c.pos = text;
	rc = ini_parse_stream(config_reader, &c, config_handler, &c);
	free(text);
	if (lines != NULL)
		memcpy(lines, c.seen, nkeys * sizeof(*lines));
	if (c.failed && (rc <= 0 || rc >= c.fail_line))
		return LR_ERR_CONFIG;
	if (rc != 0) { /* inih's first syntax error comes before ours */
		lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
			   "%s:%d: syntax error (expected [section] or key = value)", path, rc);
		return LR_ERR_CONFIG;
	}
	return apply_defaults(&c);
}

void
source_clear(struct source *src)
{
	size_t i;

	if (src == NULL)
		return;
	free(src->path);
	free(src->provider);
	free(src->provider_name);
	free(src->url);
	free(src->file);
	free(src->rows);
	free(src->jq);
	free(src->jq_file);
	free(src->jq_program);
	free(src->json_xpath);
	free(src->table);
	free(src->text);
	for (i = 0; i < FIELD_COUNT; i++)
		free(src->fields[i]);
	for (i = 0; i < src->nheaders; i++) {
		free(src->headers[i].name);
		free(src->headers[i].value);
	}
	free(src->headers);
	free(src->allow_private_network);
	free(src->paginate_next);
	free(src->fanout_list);
	free(src->fanout_items);
	memset(src, 0, sizeof(*src));
}

/* Source id from the file name: [a-z0-9_-]+ before ".conf". */
static int
source_id_from_path(const char *path, char *id, size_t idlen)
{
	const char *base = strrchr(path, '/');
	size_t n, i;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n <= 5 || strcmp(base + n - 5, ".conf") != 0 || n - 5 >= idlen)
		return -1;
	for (i = 0; i < n - 5; i++) {
		char ch = base[i];
		if (!(islower((unsigned char)ch) || isdigit((unsigned char)ch) || ch == '-' ||
		      ch == '_'))
			return -1;
		id[i] = ch;
	}
	id[n - 5] = '\0';
	return 0;
}

/* Line of the source key for FIELD f (or rows if f < 0), from lines[]. */
static int
source_key_line(const int *lines, const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS(source_keys); i++)
		if (strcmp(source_keys[i].section, section) == 0 &&
		    strcmp(source_keys[i].name, name) == 0)
			return lines[i];
	return 0;
}

static void
config_xml_silent(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* Does expr compile as XPath? */
static int
expr_compiles(const char *expr, char *why, size_t len)
{
	xmlXPathCompExprPtr x;

	xmlSetStructuredErrorFunc(NULL, config_xml_silent);
	x = xmlXPathCompile((const xmlChar *)expr);
	xmlSetStructuredErrorFunc(NULL, NULL);
	snprintf(why, len, "invalid XPath 1.0 expression '%s'", expr);
	xmlXPathFreeCompExpr(x);
	return x != NULL;
}

/* jq_file = NAME.jq: a file beside the source file, read whole. */
static enum lr_code
source_read_jq_file(struct source *src, int line, struct lr_err *err)
{
	const char *slash = strrchr(src->path, '/');
	size_t n = strlen(src->jq_file);
	char path[PATH_MAX];
	struct buf b;
	enum file_rc rc;

	if (n <= 3 || strcmp(src->jq_file + n - 3, ".jq") != 0 || strchr(src->jq_file, '/'))
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s:%d: [extract] jq_file: '%s' is not NAME.jq beside the source "
				  "file",
				  src->path, line, src->jq_file);
	snprintf(path, sizeof(path), "%.*s%s", slash ? (int)(slash - src->path + 1) : 0, src->path,
		 src->jq_file);
	rc = file_read(path, CONFIG_FILE_MAX_BYTES, FILE_TEXT, &b);
	if (rc != FILE_OK)
		return lr_err_set(err, rc == FILE_ERR_NOMEM ? LR_ERR_NOMEM : LR_ERR_CONFIG, NULL,
				  NULL, "%s:%d: [extract] jq_file: %s: %s", src->path, line, path,
				  file_rc_reason(rc, errno, "larger than 1 MiB"));
	src->jq_program = b.data != NULL ? b.data : strdup("");
	return src->jq_program != NULL ? LR_OK
				       : lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
}

/* The program: jq's text or jq_file's; NULL when neither (old keys). */
static enum lr_code
source_load_jq(struct source *src, const int *lines, struct lr_err *err)
{
	int line = source_key_line(lines, "extract", "jq_file");

	if (src->jq[0] != '\0' && src->jq_file[0] != '\0')
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s:%d: [extract] jq_file: set jq or jq_file, not both",
				  src->path, line);
	if (src->jq_file[0] != '\0')
		return source_read_jq_file(src, line, err);
	if (src->jq[0] != '\0' && (src->jq_program = strdup(src->jq)) == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	return LR_OK;
}

/* The keys that make an html or markdown page a JSON document: at least
 * one for those formats, none for JSON, each a valid XPath. */
static enum lr_code
source_check_html_doc(const struct source *src, const int *lines, struct lr_err *err)
{
	const char *keys[] = { "json_xpath", "table", "text" };
	const char *vals[] = { src->json_xpath, src->table, src->text };
	char why[512];
	size_t i, set = 0;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (vals[i][0] == '\0')
			continue;
		set++;
		if (src->format == FORMAT_JSON)
			return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
					  "%s:%d: [extract] %s: json_xpath, table and text read "
					  "html or markdown pages",
					  src->path, source_key_line(lines, "extract", keys[i]),
					  keys[i]);
		if (!expr_compiles(vals[i], why, sizeof(why)))
			return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL, "%s:%d: [extract] %s: %s",
					  src->path, source_key_line(lines, "extract", keys[i]),
					  keys[i], why);
	}
	if (set == 0 && src->format != FORMAT_JSON)
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s: [extract] jq over an %s page needs json_xpath, table or "
				  "text: what becomes its JSON document",
				  src->path, src->format == FORMAT_HTML ? "html" : "markdown");
	return LR_OK;
}

/* A jq source: no old-style key is mixed in, the document keys suit the
 * format, the limits are sane (the program compiles: config_compile_jq,
 * once for every source). */
static enum lr_code
source_check_jq(const struct source *src, const int *lines, struct lr_err *err)
{
	enum lr_code rc;
	int f;

	for (f = 0; f < FIELD_COUNT; f++)
		if (src->fields[f][0] != '\0' || (f == 0 && src->rows[0] != '\0'))
			return lr_err_set(
			    err, LR_ERR_CONFIG, NULL, NULL,
			    "%s:%d: [extract] %s: the jq program gives the rows and fields: "
			    "no per-field expression beside it",
			    src->path,
			    source_key_line(lines, "extract",
					    src->rows[0] ? "rows" : field_name((enum field)f)),
			    src->rows[0] ? "rows" : field_name((enum field)f));
	rc = source_check_html_doc(src, lines, err);
	if (rc != LR_OK)
		return rc;
	if (src->jq_timeout_sec < 1 || src->jq_max_memory_bytes < 16 * 1024 * 1024)
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s: [extract] jq_timeout must be at least 1s and jq_max_memory "
				  "at least 16MiB",
				  src->path);
	return LR_OK;
}

static enum lr_code
source_check_expressions(const struct source *src, const int *lines, struct lr_err *err)
{
	char why[512];
	int f;

	if (src->jq_program != NULL)
		return source_check_jq(src, lines, err);
	if (src->format == FORMAT_JSON && src->rows[0] != '\0')
		return lr_err_set(
		    err, LR_ERR_CONFIG, NULL, NULL,
		    "%s:%d: [extract] rows: JSON pages are read by jq: write the rows "
		    "and fields as one program, e.g. jq = .data[] | {model: .id, "
		    "input_price: .pricing.prompt} (llmref-sources(5))",
		    src->path, source_key_line(lines, "extract", "rows"));
	if (src->rows[0] == '\0' || src->fields[FIELD_MODEL][0] == '\0')
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s: [extract] jq (or jq_file) is required", src->path);
	if (!expr_compiles(src->rows, why, sizeof(why)))
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL, "%s:%d: [extract] rows: %s",
				  src->path, source_key_line(lines, "extract", "rows"), why);
	for (f = 0; f < FIELD_COUNT; f++) {
		const char *e = src->fields[f];
		if (e == NULL || e[0] == '\0' || expr_compiles(e, why, sizeof(why)))
			continue;
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL, "%s:%d: [extract] %s: %s",
				  src->path,
				  source_key_line(lines, "extract", field_name((enum field)f)),
				  field_name((enum field)f), why);
	}
	return LR_OK;
}

/* allow_private_network: yes, no or address prefixes. */
static enum lr_code
source_check_network(const struct source *src, const int *lines, struct lr_err *err)
{
	struct fetch_net_allow allow;
	char why[256];

	if (fetch_net_parse_allow(src->allow_private_network, &allow, why, sizeof(why)) == 0)
		return LR_OK;
	return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
			  "%s:%d: [source] allow_private_network: %s", src->path,
			  source_key_line(lines, "source", "allow_private_network"), why);
}

/* [paginate]: a JSON API read by jq, its next expression compiles, the
 * page count is bounded. */
static enum lr_code
source_check_paginate(const struct source *src, const int *lines, struct lr_err *err)
{
	char why[512];
	int line = source_key_line(lines, "paginate", "next");

	if (src->paginate_next[0] == '\0')
		return LR_OK;
	if (src->format != FORMAT_JSON || src->jq_program == NULL)
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s:%d: [paginate] next: pages are followed for a JSON API read "
				  "by [extract] jq",
				  src->path, line);
	if (src->paginate_max_pages < 1 || src->paginate_max_pages > EXTRACT_MAX_PAGES)
		return lr_err_set(
		    err, LR_ERR_CONFIG, NULL, NULL, "%s:%d: [paginate] max_pages: 1 to %d",
		    src->path, source_key_line(lines, "paginate", "max_pages"), EXTRACT_MAX_PAGES);
	if (!extract_next_check(src->paginate_next, why, sizeof(why)))
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL, "%s:%d: [paginate] next: %s",
				  src->path, line, why);
	return LR_OK;
}

/* [fanout]: a list URL and an items expression that compiles, a URL with
 * {item}, a JSON API read by jq, not paginated, the item count bounded. */
static enum lr_code
source_check_fanout(const struct source *src, const int *lines, struct lr_err *err)
{
	char why[512];
	int line = source_key_line(lines, "fanout", "list");

	if (src->fanout_list[0] == '\0' && src->fanout_items[0] == '\0')
		return strstr(src->url, "{item}") == NULL
			   ? LR_OK
			   : lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
					"%s: [source] url: {item} is for a [fanout] source",
					src->path);
	if (src->fanout_list[0] == '\0' || src->fanout_items[0] == '\0' ||
	    strstr(src->url, "{item}") == NULL)
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s:%d: [fanout] needs list (a URL), items (a jq expression) "
				  "and {item} in [source] url",
				  src->path, line);
	if (src->format != FORMAT_JSON || src->jq_program == NULL || src->paginate_next[0] != '\0')
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s:%d: [fanout]: for a JSON API read by [extract] jq, without "
				  "[paginate]",
				  src->path, line);
	if (src->fanout_max_items < 1 || src->fanout_max_items > EXTRACT_MAX_PAGES)
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s:%d: [fanout] max_items: 1 to %d", src->path,
				  source_key_line(lines, "fanout", "max_items"), EXTRACT_MAX_PAGES);
	if (!extract_next_check(src->fanout_items, why, sizeof(why)))
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL, "%s:%d: [fanout] items: %s",
				  src->path, source_key_line(lines, "fanout", "items"), why);
	return LR_OK;
}

enum lr_code
source_load(const char *path, struct source *src, struct lr_err *err)
{
	int lines[MAX_KEYS] = { 0 };
	enum lr_code rc;

	if (source_id_from_path(path, src->id, sizeof(src->id)) != 0)
		return lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				  "%s: a source file name must be ID.conf with ID of a-z, 0-9, '-' "
				  "and '_' (at most %d characters)",
				  path, SOURCE_ID_MAX - 1);
	src->path = strdup(path);
	if (src->path == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	rc = parse_file(path, source_keys, NKEYS(source_keys), src, lines, err);
	if (rc != LR_OK)
		return rc;
	rc = source_load_jq(src, lines, err);
	if (rc != LR_OK)
		return rc;
	rc = source_check_expressions(src, lines, err);
	if (rc != LR_OK)
		return rc;
	rc = source_check_location(src, err);
	if (rc != LR_OK)
		return rc;
	rc = source_check_network(src, lines, err);
	if (rc == LR_OK)
		rc = source_check_paginate(src, lines, err);
	if (rc == LR_OK)
		rc = source_check_fanout(src, lines, err);
	if (rc != LR_OK)
		return rc;
	return source_check_kind(src, lines, err);
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nsources; i++)
		source_clear(&cfg->sources[i]);
	free(cfg->sources);
	free(cfg->broken);
	extract_jq_set_free(cfg->jq_set);
	free(cfg->path);
	free(cfg->conninfo);
	free(cfg->sources_dir);
	free(cfg->aliases_path);
	identity_free(cfg->identity);
	free(cfg->fetch_contact);
	free(cfg->fetch_ca_file);
	free(cfg->curated_dir);
	free(cfg->providers_path);
	config_providers_free(cfg);
	free(cfg->fetch_credentials_dir);
	free(cfg->diff_pairs);
	free(cfg->diff_pairs_file);
	free(cfg->diff_spool);
	free(cfg->daemon_metrics_file);
	free(cfg->export_dir);
	free(cfg);
}

const struct broken_source *
config_find_broken(const struct config *cfg, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->nbroken; i++)
		if (strcmp(cfg->broken[i].id, id) == 0)
			return &cfg->broken[i];
	return NULL;
}

const struct source *
config_find_source(const struct config *cfg, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->nsources; i++)
		if (strcmp(cfg->sources[i].id, id) == 0)
			return &cfg->sources[i];
	return NULL;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Resolve the sources directory against the config file's folder. */
static char *
config_path_resolve(const struct config *cfg, const char *rel)
{
	const char *slash = strrchr(cfg->path, '/');
	size_t dlen, n;
	char *p;

	if (rel[0] == '/' || slash == NULL)
		return strdup(rel);
	dlen = (size_t)(slash - cfg->path);
	n = dlen + 1 + strlen(rel) + 1;
	p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%.*s/%s", (int)dlen, cfg->path, rel);
	return p;
}

static char *
sources_dir_resolve(const struct config *cfg)
{
	return config_path_resolve(cfg, cfg->sources_dir);
}

/* [paths] curated, absolute: as given (relative to llmref.conf's
 * folder), or the curated folder beside the sources folder. */
static enum lr_code
config_resolve_curated(struct config *cfg, struct lr_err *err)
{
	char *dir = cfg->curated_dir[0] != '\0' ? config_path_resolve(cfg, cfg->curated_dir)
						: sources_dir_resolve(cfg);
	char *abs = NULL;

	if (dir != NULL && cfg->curated_dir[0] == '\0') {
		size_t n = strlen(dir) + sizeof("/../curated");
		if ((abs = malloc(n)) != NULL)
			snprintf(abs, n, "%s/../curated", dir);
		free(dir);
		dir = abs;
	}
	if (dir == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	free(cfg->curated_dir);
	cfg->curated_dir = dir;
	return LR_OK;
}

/* A password written inline in a config anyone may read: say so (the
 * value itself is never logged). */
static void
config_warn_password(const struct config *cfg)
{
	const char *ci = cfg->conninfo, *scheme = strstr(ci, "://"), *at = strchr(ci, '@');
	const char *colon = scheme != NULL ? strchr(scheme + 3, ':') : NULL;
	struct stat st;
	int inline_pw =
	    strstr(ci, "password") != NULL || (colon != NULL && at != NULL && colon < at);

	if (inline_pw && stat(cfg->path, &st) == 0 && (st.st_mode & S_IROTH))
		log_warn("%s: [database] conninfo holds a password and anyone may read the file: "
			 "use a pgpass or service file, or chmod o-r",
			 cfg->path);
}

/* [fetch] credentials_dir, absolute: default "credentials" beside
 * llmref.conf, a relative one against its folder. */
static enum lr_code
config_resolve_credentials(struct config *cfg, struct lr_err *err)
{
	const char *rel =
	    cfg->fetch_credentials_dir[0] ? cfg->fetch_credentials_dir : "credentials";
	char *abs = config_path_resolve(cfg, rel);

	if (abs == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	free(cfg->fetch_credentials_dir);
	cfg->fetch_credentials_dir = abs;
	return LR_OK;
}

/* The identity rules, plus the alias file: the one named by [paths]
 * aliases (which must exist), else aliases.conf beside llmref.conf if
 * there is one. */
static enum lr_code
config_load_identity(struct config *cfg, struct lr_err *err)
{
	int named = cfg->aliases_path[0] != '\0';
	char *path = config_path_resolve(cfg, named ? cfg->aliases_path : "aliases.conf");
	enum lr_code rc = LR_OK;

	cfg->identity = identity_new();
	if (cfg->identity == NULL || path == NULL)
		rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	else if (named || access(path, F_OK) == 0)
		rc = identity_load_aliases(cfg->identity, path, err);
	free(path);
	return rc;
}

/* The providers file: the one named by [paths] providers (which must
 * exist), else providers.conf beside llmref.conf if there is one; then
 * every source's provider (config_providers.c). */
static enum lr_code
config_load_provider_file(struct config *cfg, struct lr_err *err)
{
	int named = cfg->providers_path[0] != '\0';
	char *path = config_path_resolve(cfg, named ? cfg->providers_path : "providers.conf");

	if (path == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	if (!named && access(path, F_OK) != 0)
		path[0] = '\0';
	free(cfg->providers_path);
	cfg->providers_path = path;
	return config_load_providers(cfg, err);
}

/* List *.conf names in dir, sorted; returns count or -1. */
static long
list_source_files(const char *dir, char ***out, struct lr_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, **p;
	long n = 0;
	size_t len;

	if (d == NULL) {
		lr_err_set_errno(err, LR_ERR_CONFIG, NULL, NULL, "sources directory %s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		if (n >= CONFIG_MAX_SOURCES) {
			lr_err_set(err, LR_ERR_CONFIG, NULL, NULL, "%s: more than %d sources", dir,
				   CONFIG_MAX_SOURCES);
			goto fail;
		}
		p = realloc(names, (size_t)(n + 1) * sizeof(*names));
		if (p == NULL || (p[n] = strdup(de->d_name)) == NULL) {
			if (p != NULL)
				names = p;
			lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
			goto fail;
		}
		names = p;
		n++;
	}
	closedir(d);
	if (n > 0) /* qsort(NULL, 0) is undefined */
		qsort(names, (size_t)n, sizeof(*names), name_cmp);
	*out = names;
	return n;
fail:
	while (n > 0)
		free(names[--n]);
	free(names);
	closedir(d);
	return -1;
}

/* A source file that failed to load with err: it joins cfg->broken (its
 * slot, src, is cleared: it is the one past the last source). */
static enum lr_code
config_leave_out(struct config *cfg, struct source *src, const char *path, struct lr_err *err)
{
	struct broken_source *b = &cfg->broken[cfg->nbroken++];

	if (source_id_from_path(path, b->id, sizeof(b->id)) != 0)
		b->id[0] = '\0';
	b->err = *err;
	source_clear(src);
	lr_err_clear(err);
	return LR_OK;
}

/* One try: LR_ERR_CONFIG with *bad_source the source whose program fails;
 * else each jq source's jq_set and jq_index set (cfg->jq_set owns it). */
static enum lr_code
config_compile_jq_once(struct config *cfg, size_t *bad_source, struct lr_err *err)
{
	const char **v = calloc(cfg->nsources ? cfg->nsources : 1, sizeof(*v));
	size_t *of = calloc(cfg->nsources ? cfg->nsources : 1, sizeof(*of));
	size_t i, n = 0, bad = 0;
	char why[512];
	enum lr_code rc = LR_OK;

	if (v == NULL || of == NULL)
		rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	for (i = 0; rc == LR_OK && i < cfg->nsources; i++)
		if (cfg->sources[i].jq_program != NULL) {
			of[n] = i;
			v[n++] = cfg->sources[i].jq_program;
		}
	if (rc == LR_OK && !extract_jq_compile_all(v, n, &cfg->jq_set, &bad, why, sizeof(why))) {
		const struct source *src = &cfg->sources[of[bad]];
		*bad_source = of[bad];
		rc = lr_err_set(err, LR_ERR_CONFIG, NULL, NULL, "%s: [extract] %s: %s", src->path,
				src->jq[0] != '\0' ? "jq" : "jq_file", why);
	}
	for (i = 0; rc == LR_OK && cfg->jq_set != NULL && i < n; i++) {
		cfg->sources[of[i]].jq_set = cfg->jq_set;
		cfg->sources[of[i]].jq_index = (long)i;
	}
	free(v);
	free(of);
	return rc;
}

/* Every jq program of the sources compiles: compiled together, once
 * (extract_jq_compile_all), and kept for the pages that run them. A source
 * whose program does not compile is left out, and the rest compiled again. */
static enum lr_code
config_compile_jq(struct config *cfg, struct lr_err *err)
{
	enum lr_code rc;
	size_t bad = 0;

	while ((rc = config_compile_jq_once(cfg, &bad, err)) == LR_ERR_CONFIG) {
		(void)config_leave_out(cfg, &cfg->sources[bad], cfg->sources[bad].path, err);
		memmove(&cfg->sources[bad], &cfg->sources[bad + 1],
			(cfg->nsources - bad - 1) * sizeof(*cfg->sources));
		memset(&cfg->sources[--cfg->nsources], 0, sizeof(*cfg->sources));
	}
	return rc;
}

static enum lr_code
config_load_sources(struct config *cfg, struct lr_err *err)
{
	char **names = NULL, *dir, path[PATH_MAX];
	enum lr_code rc = LR_OK;
	long n, i;

	dir = sources_dir_resolve(cfg);
	if (dir == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	n = list_source_files(dir, &names, err);
	if (n < 0) {
		free(dir);
		return LR_ERR_CONFIG;
	}
	cfg->sources = calloc(n > 0 ? (size_t)n : 1, sizeof(*cfg->sources));
	cfg->broken = calloc(n > 0 ? (size_t)n : 1, sizeof(*cfg->broken));
	if (cfg->sources == NULL || cfg->broken == NULL)
		rc = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
	for (i = 0; i < n && rc == LR_OK; i++) {
		struct source *src = &cfg->sources[cfg->nsources];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = source_load(path, src, err);
		if (rc == LR_OK)
			cfg->nsources++;
		else if (rc == LR_ERR_CONFIG)
			rc = config_leave_out(cfg, src, path, err);
		else
			source_clear(src); /* what it had read, before memory ran out */
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	return rc == LR_OK ? config_compile_jq(cfg, err) : rc;
}

struct config *
config_load(const char *path, struct lr_err *err)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL || (cfg->path = strdup(path)) == NULL) {
		lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "out of memory");
		goto fail;
	}
	if (parse_file(path, config_keys, NKEYS(config_keys), cfg, NULL, err) != LR_OK)
		goto fail;
	if (cfg->fetch_max_connections < 1 || cfg->fetch_max_per_host < 1) {
		lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
			   "%s: [fetch] max_connections and max_per_host must be at least 1", path);
		goto fail;
	}
	if (cfg->fetch_contact[0] != '\0')
		snprintf(cfg->fetch_user_agent, sizeof(cfg->fetch_user_agent),
			 "llmref/%s (+%.256s)", PACKAGE_VERSION, cfg->fetch_contact);
	else
		snprintf(cfg->fetch_user_agent, sizeof(cfg->fetch_user_agent), "llmref/%s",
			 PACKAGE_VERSION);
	if (config_resolve_credentials(cfg, err) != LR_OK ||
	    config_load_identity(cfg, err) != LR_OK || config_load_sources(cfg, err) != LR_OK ||
	    config_load_provider_file(cfg, err) != LR_OK ||
	    config_resolve_curated(cfg, err) != LR_OK)
		goto fail;
	config_warn_password(cfg);
	return cfg;
fail:
	config_free(cfg);
	return NULL;
}

size_t
config_reload_keep(const struct config *old, struct config *cfg, char *names, size_t len)
{
	size_t i, kept = 0, n = 0;

	if (len > 0)
		names[0] = '\0';
	for (i = 0; i < NKEYS(config_keys); i++) {
		const struct key_def *k = &config_keys[i];
		const char *const *was =
		    (const char *const *)(const void *)((const char *)old + k->offset);
		char **now = (char **)(void *)((char *)cfg + k->offset);
		char *keep;

		if (!(k->type & KEY_NO_RELOAD) || KEY_TYPE(k) != KEY_STR || strcmp(*was, *now) == 0)
			continue;
		if ((keep = strdup(*was)) == NULL)
			continue; /* the new value stays: it is only a restart early */
		free(*now);
		*now = keep;
		kept++;
		if (n < len)
			n += (size_t)snprintf(names + n, len - n, "%s[%s] %s", n ? ", " : "",
					      k->section, k->name);
	}
	return kept;
}
