/* config.h - llmref.conf and sources.d/ID.conf: parsed from INI (libinih)
 * through declarative key tables into one struct config. Errors name the
 * file, the line and the key. */
#ifndef LLMREF_CONFIG_H
#define LLMREF_CONFIG_H

#include <stddef.h>

#include "err.h"
#include "identity.h"
#include "normalize.h"

#define CONFIG_FILE_MAX_BYTES (1024 * 1024)
#define CONFIG_LINE_MAX       199 /* libinih's INI_MAX_LINE (200) less the NUL */
#define CONFIG_MAX_SOURCES    4096
#define SOURCE_ID_MAX         64

enum source_kind {
	SOURCE_PRICING,
	SOURCE_MODEL_CARD,
	SOURCE_BENCHMARKS,
	SOURCE_CAPABILITIES,
	SOURCE_CURATED,
};

enum source_format {
	FORMAT_HTML,
	FORMAT_JSON,
	FORMAT_MARKDOWN, /* rendered to HTML (GFM tables, raw HTML kept), then XPath */
};

/* Per-record fields a source can extract; expressions are relative to
 * the row node. */
enum field {
	FIELD_MODEL,
	/* pricing */
	FIELD_INPUT_PRICE,
	FIELD_OUTPUT_PRICE,
	FIELD_CONTEXT_WINDOW,
	FIELD_CACHED_INPUT_PRICE, /* per 1M cached input tokens, input's unit */
	FIELD_MAX_OUTPUT,         /* tokens */
	FIELD_DEPRECATION_DATE,   /* the route is deprecated from this date */
	FIELD_TIER_THRESHOLD,     /* prompts of at least this many tokens ... */
	FIELD_TIER_INPUT_PRICE,   /* ... cost this per input token (input's unit) */
	FIELD_TIER_OUTPUT_PRICE,  /* ... and this per output token (output's unit) */
	FIELD_SERVED_BY,          /* a router's listing: the provider behind the route */
	FIELD_PRICE_FROM,         /* the date from which the prices apply (announced changes) */
	/* model_card: facts about the model */
	FIELD_PARAMETERS,
	FIELD_LICENSE,
	FIELD_RELEASE_DATE,
	FIELD_KNOWLEDGE_CUTOFF,
	FIELD_ARCHITECTURE,
	FIELD_OPENNESS,
	FIELD_COMMERCIAL_USE,
	/* benchmarks: one row per model and benchmark */
	FIELD_BENCHMARK,
	FIELD_SCORE,
	/* capabilities: one row per model and capability */
	FIELD_CAPABILITY,
	FIELD_SUPPORTED,
	/* curated: one row per hand-kept fact, with its reason */
	FIELD_FACT,
	FIELD_VALUE,
	FIELD_REASON,
	FIELD_EXPIRES,
	FIELD_COUNT
};

/* Which fields a kind of source may extract (FIELD_MODEL always). */
int source_kind_allows(enum source_kind kind, enum field f);

struct source {
	char id[SOURCE_ID_MAX]; /* file name without .conf */
	char *path;             /* the file it came from */
	char *provider;         /* e.g. "fireworks" */
	char *provider_name;    /* e.g. "Fireworks AI" */
	enum source_kind kind;
	char *url;  /* "" for curated sources */
	char *file; /* curated: the local file, absolute after loading */
	enum source_format format;
	long interval_sec;
	int authoritative;         /* its model names may create models */
	int skip_bad_rows;         /* drop (and count) rows that fail to normalize */
	long priority;             /* higher wins between sources stating one fact */
	int router;                /* a router's own listing: not a provider route */
	char *rows;                /* XPath or JSON path selecting records */
	char *fields[FIELD_COUNT]; /* NULL when not extracted */
	enum price_unit input_unit;
	enum price_unit output_unit;
};

struct config {
	char *path;                /* llmref.conf */
	char *conninfo;            /* libpq connection string, "" = PG* defaults */
	char *sources_dir;         /* absolute, or relative to the config's folder */
	char *aliases_path;        /* "" = aliases.conf beside llmref.conf, if any */
	struct identity *identity; /* model identity rules + aliases */
	long fetch_timeout_sec;
	long fetch_connect_timeout_sec;
	long fetch_low_speed_sec; /* abort below 1 byte/s for this long */
	size_t fetch_max_body_bytes;
	char *fetch_contact;        /* contact address for the User-Agent */
	char fetch_user_agent[320]; /* "llmref/VERSION (+contact)" */
	long fetch_max_connections;
	long fetch_max_per_host;
	long fetch_host_delay_ms;
	long fetch_retries;
	long fetch_backoff_base_ms;
	long fetch_backoff_max_ms;
	long fetch_retry_after_max_ms;
	char *fetch_ca_file; /* "" = system default */
	long lock_wait_ms;   /* [database] lock_wait: wait for a busy source */
	/* [catalog] */
	long gone_after_runs;       /* missing from this many runs: gone */
	long conflict_tolerance_bp; /* numeric facts, basis points (250 = 2.5%) */
	/* [quarantine]: runs held back instead of applied */
	int quarantine_enabled;
	long quarantine_min_rows_bp;     /* fewer rows than this share of the last good run */
	long quarantine_mass_change_bp;  /* more moved prices than this share ... */
	long quarantine_mass_change_min; /* ... and at least this many */
	long quarantine_max_factor;      /* any price moving by this factor or more */
	/* [traffic]: the monthly cost of comparison records */
	long long traffic_tokens_per_month;
	long traffic_input_share_bp; /* input's share of the tokens */
	/* [diff]: which pairs of models get comparison records */
	char *diff_pairs;      /* "all" or "creator" */
	long diff_top_routed;  /* with "creator": also pairs among the N most-routed */
	char *diff_pairs_file; /* "" or a file of "model-a model-b" lines */
	char *diff_spool;      /* "" or a folder for event batches */
	/* [alerts]: 0 = never */
	long alert_max_age_sec[5]; /* by enum source_kind */
	long alert_failing_runs;
	long alert_provider_silence_sec;
	char *daemon_metrics_file; /* [daemon] metrics_file: "" = none */
	struct source *sources;
	size_t nsources;
};

/* Load path (llmref.conf) and every *.conf in its sources directory.
 * Returns a new config (config_free) or NULL with err filled. */
struct config *config_load(const char *path, struct lr_err *err);
void config_free(struct config *cfg);

/* Parse one source file into src (caller zeroes it first; free with
 * source_clear). Returns LR_OK or LR_ERR_CONFIG with file:line in err. */
enum lr_code source_load(const char *path, struct source *src, struct lr_err *err)
    __attribute__((warn_unused_result));
void source_clear(struct source *src);

const struct source *config_find_source(const struct config *cfg, const char *id);
const char *source_kind_name(enum source_kind k);
const char *field_name(enum field f);

/* "6h", "30m", "45s", "2d", "90" (seconds). Returns 0 or -1. */
int config_parse_duration(const char *text, long *out_sec);
/* Like config_parse_duration, also "250ms"; result in milliseconds. */
int config_parse_duration_ms(const char *text, long *out_ms);
/* "2.5%", "50%", "50" (per cent) into basis points. Returns 0 or -1. */
int config_parse_percent(const char *text, long *out_bp);
/* "16MiB", "512KiB", "1048576". Returns 0 or -1. */
int config_parse_size(const char *text, size_t *out_bytes);

/* The default config path: $LLMREF_CONFIG, else SYSCONFDIR/llmref/llmref.conf. */
const char *config_default_path(void);

#endif
