/* config.h - llmref.conf and sources.d/ID.conf: parsed from INI (libinih)
 * through declarative key tables into one struct config. Errors name the
 * file, the line and the key. */
#ifndef LLMREF_CONFIG_H
#define LLMREF_CONFIG_H

#include <stddef.h>

#include "core/err.h"
#include "normalize/identity.h"
#include "vocab/vocab.h"

#define CONFIG_FILE_MAX_BYTES (1024 * 1024)
#define CONFIG_LINE_MAX       199 /* libinih's INI_MAX_LINE (200) less the NUL */
#define CONFIG_MAX_SOURCES    4096

struct config {
	char *path;                /* llmref.conf */
	char *conninfo;            /* libpq connection string, "" = PG* defaults */
	char *sources_dir;         /* absolute, or relative to the config's folder */
	char *aliases_path;        /* "" = aliases.conf beside llmref.conf, if any */
	char *curated_dir;         /* [paths] curated: "" = curated/ beside the sources
			    * folder; made absolute at load. Curated sources
			    * read only files below it. */
	struct identity *identity; /* model identity rules + aliases */
	long fetch_timeout_sec;    /* one attempt */
	long fetch_deadline_sec;   /* a source's whole fetch, retries included */
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
	char *fetch_ca_file;              /* "" = system default */
	char *fetch_credentials_dir;      /* absolute after loading: [headers] secrets */
	int fetch_allow_private_networks; /* test rigs: every source may reach them */
	long lock_wait_ms;                /* [database] lock_wait: wait for a busy source */
	long db_timeout_sec;              /* [database] timeout: give up on a silent server */
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
	long alert_max_age_sec[SOURCE_KIND_COUNT]; /* by enum source_kind */
	long alert_failing_runs;
	long alert_provider_silence_sec;
	char *daemon_metrics_file; /* [daemon] metrics_file: "" = none */
	char *export_dir;          /* [export] dir: the page builders' tree, "" = none */
	struct source *sources;
	size_t nsources;
	struct broken_source *broken; /* source files that did not load: left out */
	size_t nbroken;
	struct jq_set *jq_set; /* the sources' jq programs, compiled together */
	char *providers_path;  /* [paths] providers: "" = providers.conf beside llmref.conf */
	struct provider_def *providers; /* providers.conf, then those only a source names */
	size_t nproviders;
};

/* A provider: its id, display name and every name it goes by on routers
 * and datasets (the id and display name included, and the provider_name
 * of each of its source files). */
struct provider_def {
	char *id;
	char *name;
	char **names;
	size_t nnames;
	int line; /* its [id] line in providers.conf; 0 = known only from a source */
};

/* A source file that does not load (a syntax error, a bad key, a jq
 * program that does not compile): left out with its error, so that one
 * broken file, a draft say, stops neither the other sources nor any
 * command; the commands and the daemon say so, loudly. */
struct broken_source {
	char id[SOURCE_ID_MAX]; /* from its file name ("" if that is not an id) */
	struct lr_err err;      /* file:line and why */
};

/* Load path (llmref.conf) and every *.conf in its sources directory; a
 * source file that fails is left out into cfg->broken. Returns a new
 * config (config_free) or NULL with err filled. */
struct config *config_load(const char *path, struct lr_err *err);
void config_free(struct config *cfg);

/* Parse one source file into src (caller zeroes it first; free with
 * source_clear). Returns LR_OK or LR_ERR_CONFIG with file:line in err. */
enum lr_code source_load(const char *path, struct source *src, struct lr_err *err)
    __attribute__((warn_unused_result));
void source_clear(struct source *src);

const struct source *config_find_source(const struct config *cfg, const char *id);
const struct broken_source *config_find_broken(const struct config *cfg, const char *id);

/* "6h", "30m", "45s", "2d", "90" (seconds). Returns 0 or -1. */
int config_parse_duration(const char *text, long *out_sec);
/* Like config_parse_duration, also "250ms"; result in milliseconds. */
int config_parse_duration_ms(const char *text, long *out_ms);
/* "2.5%", "50%", "50" (per cent) into basis points. Returns 0 or -1. */
int config_parse_percent(const char *text, long *out_bp);
/* "16MiB", "512KiB", "1048576". Returns 0 or -1. */
int config_parse_size(const char *text, size_t *out_bytes);

/* A reload's new config cfg keeps old's value of every key applied at
 * start only (llmref.conf(5) marks them; today [database] conninfo).
 * Returns how many changed values were kept, their "[section] key" names
 * in names (len bytes). Values are never copied into names: a conninfo
 * may hold a password. */
size_t config_reload_keep(const struct config *old, struct config *cfg, char *names, size_t len);

/* ---- providers.conf (config_providers.c) ---- */
/* Load the providers file ([paths] providers, else providers.conf beside
 * llmref.conf if there is one), then give each source's provider its
 * source's provider_name as one more name unless another provider goes by
 * it (a provider only a source names gets that name as its display name),
 * and each source of a provider in the file that provider's display name.
 * In the file, one name folding to a name of another provider is an error
 * naming file and line. Called by config_load after the sources. */
enum lr_code config_load_providers(struct config *cfg, struct lr_err *err)
    __attribute__((warn_unused_result));
void config_providers_free(struct config *cfg);
/* name folded as llmref_provider_key() folds it in SQL (migration 009):
 * lower case, each run of other than a-z0-9 one '-', none at the ends.
 * Returns out ("" if it does not fit in len). */
char *config_provider_key(const char *name, char *out, size_t len);

/* The default config path: $LLMREF_CONFIG, else SYSCONFDIR/llmref/llmref.conf. */
const char *config_default_path(void);

#endif
