/* vocab.h - the words every stage shares, as OpenNTPD's ntpd.h: what a
 * source is, the fields it extracts, prices and their units, the raw rows
 * extraction yields and the records normalization makes of them. Types
 * and names only, no stage's logic: extract, normalize and the catalog
 * depend on this table rather than on config parsing. */
#ifndef LLMREF_VOCAB_H
#define LLMREF_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "core/decimal.h"

/* ---- sources: what an editor's source file describes (vocab.c) ---------- */

struct jq_set; /* jq programs compiled together (extract/extract.h) */

#define SOURCE_ID_MAX 64

enum source_kind {
	SOURCE_PRICING,
	SOURCE_MODEL_CARD,
	SOURCE_BENCHMARKS,
	SOURCE_CAPABILITIES,
	SOURCE_CURATED,
};
#define SOURCE_KIND_COUNT (SOURCE_CURATED + 1)

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
	FIELD_PROVIDER,           /* a dataset's row: the provider selling the route, by any name */
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
const char *source_kind_name(enum source_kind k);
const char *field_name(enum field f);

/* ---- prices: exact USD per 1M tokens, never a float (vocab.c) ----------- */

/* Unit of the number in a price cell, from the source file's [units]. */
enum price_unit {
	UNIT_PER_TOKEN,       /* USD per token */
	UNIT_PER_1K,          /* USD per 1,000 tokens */
	UNIT_PER_1M,          /* USD per 1,000,000 tokens */
	UNIT_CENTS_PER_TOKEN, /* US cents per token */
	UNIT_AUTO,            /* read the unit from the text: "/1K", "per 1M" ... */
};

/* Parse a unit name from a source file ("per_token", "per_1k", "per_1m",
 * "cents_per_token", "auto"). Returns 0 or -1 for an unknown name. */
int price_unit_parse(const char *name, enum price_unit *out);
const char *price_unit_name(enum price_unit u);

enum price_kind {
	PRICE_VALUE,    /* usd_per_mtok holds the price */
	PRICE_FREE,     /* "Free", or exactly zero */
	PRICE_UNPRICED, /* "Contact sales", "-", "—", "N/A", empty cell */
	PRICE_DYNAMIC,  /* OpenRouter's "-1" sentinel: price set per request */
};

struct price {
	enum price_kind kind;
	dec_t usd_per_mtok; /* valid when kind == PRICE_VALUE; zero otherwise */
};

const char *price_kind_name(enum price_kind k); /* "value", "free", ... */

/* What one more price of a pricing row is counted in: a row's "prices"
 * ([extract] jq) names each by its dimension, e.g. "cache_write",
 * "batch_input", "per_image", "per_minute". Token dimensions are stored
 * in USD per 1M tokens, read in the input (or output) price's unit; the
 * others in USD per one of what they count. */
enum price_per {
	PER_MTOK_INPUT,  /* tokens, in input_price's unit */
	PER_MTOK_OUTPUT, /* tokens, in output_price's unit */
	PER_IMAGE,
	PER_SECOND,
	PER_MINUTE,
	PER_HOUR,
	PER_1K_CHARS, /* 1,000 characters */
	PER_REQUEST,
	PER_SEARCH,
};

/* The dimension NAME (the first word of a "prices" key): 0 and *per, or
 * -1 for a name not in the table. */
int price_dim_lookup(const char *name, size_t len, enum price_per *per);
/* The unit a stored value of such a dimension is in: "USD/1M tokens",
 * "USD/image" ... */
const char *price_per_unit(enum price_per per);
/* The dimension names, in order, for messages and docs: i-th or NULL. */
const char *price_dim_name(size_t i);

/* ---- a source, as config loads it from sources.d/ID.conf ---------------- */

/* One request header of a source: its value is a template, secrets are
 * filled in only by the fetch stage, when a transfer starts. */
struct source_header {
	char *name;
	char *value;
};

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
	char *jq;                  /* [extract] jq: the program's text, "" = none */
	char *jq_file;             /* [extract] jq_file: NAME.jq beside the source file */
	char *jq_program;          /* the program run: jq's text or jq_file's; NULL = none */
	char *json_xpath;          /* html: the node whose text is the JSON document */
	char *table;               /* html: the table(s) whose rows become objects */
	char *text;                /* html: nodes whose squashed strings are an array */
	char *paginate_next;     /* [paginate] next: jq giving the next page's URL, "" = one page */
	long paginate_max_pages; /* [paginate] max_pages */
	char *fanout_list;       /* [fanout] list: the URL of the list, "" = no fan-out */
	char *fanout_items;      /* [fanout] items: jq giving each item of the list */
	long fanout_max_items;   /* [fanout] max_items */
	struct jq_set *jq_set;   /* its configuration's programs, compiled; NULL = none */
	long jq_index;           /* its program's place in jq_set */
	long jq_timeout_sec;     /* a run of the program is killed after this */
	size_t jq_max_memory_bytes; /* ... or when it needs more memory than this */
	enum price_unit input_unit;
	enum price_unit output_unit;
	/* request: [headers] (values may name ${credential:NAME}) and which
	 * private addresses it may reach ("", "no", "yes" or prefixes) */
	struct source_header *headers;
	size_t nheaders;
	char *allow_private_network;
};

/* ---- raw rows: what extraction yields, text not yet interpreted --------- */

#define EXTRACT_MAX_ROWS 100000 /* the most rows one page may yield */

#define EXTRACT_MAX_PRICES 32 /* the most "prices" members one row may have */

/* One member of a row's "prices": "per_image 1024x1024" = "$0.04". */
struct raw_price {
	char *key;
	char *text;
};

struct raw_row {
	char *field[FIELD_COUNT]; /* NULL when the expression selected nothing */
	long index;               /* 0-based position among the rows */
	struct raw_price *prices; /* malloc'd; NULL when the row has none */
	size_t nprices;
};

struct raw_rows {
	struct raw_row *v;
	size_t n;
	size_t cap;
	/* told of each row once it is complete, in order (extract_page_each) */
	void (*on_row)(void *ctx, const struct raw_row *row);
	void *ctx;
	size_t told; /* rows told so far */
};
void raw_rows_free(struct raw_rows *rows);

/* ---- records: what normalization makes of raw rows, the catalog stores -- */

#define RECORD_MODEL_ID_MAX    128
#define RECORD_PROVIDER_ID_MAX 256
#define RECORD_VARIANT_MAX     32

#define RECORD_FACTS_MAX      10
#define RECORD_FACT_NAME_MAX  96
#define RECORD_FACT_VALUE_MAX 192
#define RECORD_PRICE_KEY_MAX  64

/* One more price of a route, canonical: "per_image 1024x1024" = "0.04"
 * (USD per image), "input >200000" = "2.5" (USD per 1M tokens). */
struct record_price {
	char key[RECORD_PRICE_KEY_MAX];
	char value[DEC_STR_MAX]; /* exact decimal; "0" when free */
};

/* One fact about a model, from a model_card, benchmarks or capabilities
 * source: "parameters" = "1230000000", "benchmark:mmlu" = "88.6". */
struct record_fact {
	char name[RECORD_FACT_NAME_MAX];
	char value[RECORD_FACT_VALUE_MAX];
	char reason[RECORD_FACT_VALUE_MAX]; /* curated facts: why; "" otherwise */
	char expires[16];                   /* curated facts: "2026-12-31" or "" */
};

struct record {
	char model_id[RECORD_MODEL_ID_MAX];             /* canonical */
	char provider_model_id[RECORD_PROVIDER_ID_MAX]; /* as the page says */
	char variant[RECORD_VARIANT_MAX];               /* "free", "batch", "" */
	char region[RECORD_VARIANT_MAX];                /* "us", "ap-south-1", "" */
	char served_by[RECORD_FACT_NAME_MAX];           /* behind a router: "Hyperbolic", "" */
	char provider[RECORD_FACT_NAME_MAX];            /* a dataset's row: "Amazon Bedrock", "" */
	struct price input;
	struct price output;
	int64_t context_window;    /* tokens, 0 = not stated */
	int64_t max_output;        /* tokens, 0 = not stated */
	struct price cached_input; /* PRICE_UNPRICED when not stated */
	char deprecation_date[16]; /* "2026-12-31", "2026-12", "" */
	char price_from[16];       /* the prices apply from this day: "2026-12-01", "" */
	int64_t tier_threshold;    /* prompt tokens from which the tier applies, 0 = none */
	struct price tier_input;   /* PRICE_UNPRICED when not stated */
	struct price tier_output;
	long row;                  /* 1-based row number in the page */
	struct record_fact *facts; /* malloc'd for fact kinds; NULL for pricing */
	int nfacts;
	struct record_price *prices; /* malloc'd, sorted by key; NULL when none */
	int nprices;
};

struct records {
	struct record *v;
	size_t n;
	size_t cap;
	long rejected;             /* rows dropped under skip_bad_rows */
	char first_rejection[512]; /* the first one's reason */
};
void records_free(struct records *recs);

#endif
