/* normalize_facts_rows.c - the facts of one raw row of a model_card,
 * benchmarks or capabilities source, through the pure normalizers of
 * normalize_facts.c. Called by normalize_rows.c. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize/normalize_facts.h"
#include "normalize/normalize.h"
#include "normalize/normalize_impl.h"

/* Append a fact; -1 if the record holds RECORD_FACTS_MAX already. */
static int
fact_add(struct record *rec, const char *name, const char *value)
{
	struct record_fact *f;

	if (rec->nfacts >= RECORD_FACTS_MAX)
		return -1;
	f = &rec->facts[rec->nfacts++];
	lr_strlcpy(f->name, name, sizeof(f->name));
	lr_strlcpy(f->value, value, sizeof(f->value));
	return 0;
}

/* A fact whose text is kept as written (squashed), bounded. */
static int
fact_text(const char *text, char *out, size_t len, char *why, size_t whylen)
{
	if (strlen(text) >= len) {
		lr_why(why, whylen, "longer than %zu bytes", len - 1);
		return -1;
	}
	lr_strlcpy(out, text, len);
	return 0;
}

static int
fact_date(const char *text, char *out, size_t len, char *why, size_t whylen)
{
	struct fact_date d;

	if (normalize_date(text, &d, why, whylen) != 0)
		return -1;
	return fact_date_format(&d, out, len) < 0 ? -1 : 0;
}

/* model_card fields: one fact each. */
static int
facts_model_card(const struct raw_row *raw, struct record *rec, enum field *bad, char *why,
		 size_t whylen)
{
	char v[RECORD_FACT_VALUE_MAX], name[RECORD_FACT_VALUE_MAX];
	enum field f;
	int64_t n;
	int rc = 0;

	for (f = FIELD_CONTEXT_WINDOW; f <= FIELD_COMMERCIAL_USE && rc == 0; f++) {
		const char *t = raw->field[f];
		if ((f > FIELD_CONTEXT_WINDOW && f < FIELD_PARAMETERS) || f == FIELD_INPUT_PRICE ||
		    f == FIELD_OUTPUT_PRICE || t == NULL || t[0] == '\0')
			continue; /* pricing fields */
		*bad = f;
		if (f == FIELD_CONTEXT_WINDOW || f == FIELD_PARAMETERS) {
			rc = f == FIELD_PARAMETERS ? normalize_parameters(t, &n, why, whylen)
						   : normalize_context(t, &n, why, whylen);
			snprintf(v, sizeof(v), "%" PRId64, n);
		} else if (f == FIELD_LICENSE) {
			rc = normalize_license(t, v, sizeof(v), name, sizeof(name), why, whylen);
			if (rc == 0)
				rc = fact_add(rec, "license_name", name);
		} else if (f == FIELD_RELEASE_DATE || f == FIELD_KNOWLEDGE_CUTOFF) {
			rc = fact_date(t, v, sizeof(v), why, whylen);
		} else {
			rc = fact_text(t, v, sizeof(v), why, whylen);
		}
		if (rc == 0)
			rc = fact_add(rec, field_name(f), v);
	}
	return rc;
}

/* benchmarks: "benchmark:<id>" = score, "benchmark_name:<id>" = name. */
static int
facts_benchmark(const struct raw_row *raw, struct record *rec, enum field *bad, char *why,
		size_t whylen)
{
	char id[64], name[RECORD_FACT_VALUE_MAX], fact[RECORD_FACT_NAME_MAX], v[DEC_STR_MAX];
	dec_t score;

	*bad = FIELD_BENCHMARK;
	if (raw->field[FIELD_BENCHMARK] == NULL ||
	    normalize_benchmark_id(raw->field[FIELD_BENCHMARK], id, sizeof(id), name, sizeof(name),
				   why, whylen) != 0)
		return raw->field[FIELD_BENCHMARK] ? -1 : (lr_why(why, whylen, "is empty"), -1);
	*bad = FIELD_SCORE;
	if (raw->field[FIELD_SCORE] == NULL)
		return lr_why(why, whylen, "is empty"), -1;
	if (normalize_score(raw->field[FIELD_SCORE], &score, why, whylen) != 0)
		return -1;
	snprintf(fact, sizeof(fact), "benchmark:%s", id);
	if (fact_add(rec, fact, dec_format(score, v, sizeof(v))) != 0)
		return -1;
	snprintf(fact, sizeof(fact), "benchmark_name:%s", id);
	return fact_add(rec, fact, name);
}

/* capabilities: "capability:<id>" = "true" | "false". */
static int
facts_capability(const struct raw_row *raw, struct record *rec, enum field *bad, char *why,
		 size_t whylen)
{
	char id[64], name[RECORD_FACT_VALUE_MAX], fact[RECORD_FACT_NAME_MAX], *p;
	int yes;

	*bad = FIELD_CAPABILITY;
	if (raw->field[FIELD_CAPABILITY] == NULL)
		return lr_why(why, whylen, "is empty"), -1;
	/* capability names reduce like benchmark names: a slug and a name */
	if (normalize_benchmark_id(raw->field[FIELD_CAPABILITY], id, sizeof(id), name, sizeof(name),
				   why, whylen) != 0)
		return -1;
	*bad = FIELD_SUPPORTED;
	if (raw->field[FIELD_SUPPORTED] == NULL)
		return lr_why(why, whylen, "is empty"), -1;
	if (normalize_flag(raw->field[FIELD_SUPPORTED], &yes, why, whylen) != 0)
		return -1;
	for (p = id; *p != '\0'; p++) /* structured_outputs, as page builders name them */
		if (*p == '-')
			*p = '_';
	snprintf(fact, sizeof(fact), "capability:%s", id);
	return fact_add(rec, fact, yes ? "true" : "false");
}

/* A fact name as page builders use them: [a-z0-9_:.-]+. */
static int
fact_name_ok(const char *s, char *why, size_t whylen)
{
	const char *p;

	if (s[0] == '\0' || strlen(s) >= RECORD_FACT_NAME_MAX) {
		lr_why(why, whylen, "must be 1 to %d characters", RECORD_FACT_NAME_MAX - 1);
		return -1;
	}
	for (p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == ':' || *p == '.' || *p == '-')) {
			lr_why(why, whylen, "'%.40s' may hold only a-z, 0-9, _ : . -", s);
			return -1;
		}
	}
	return 0;
}

/* curated: one hand-kept fact with the reason it is kept, and maybe an
 * expiry date. */
static int
facts_curated(const struct raw_row *raw, struct record *rec, enum field *bad, char *why,
	      size_t whylen)
{
	const char *fact = raw->field[FIELD_FACT], *value = raw->field[FIELD_VALUE];
	const char *reason = raw->field[FIELD_REASON], *expires = raw->field[FIELD_EXPIRES];
	struct record_fact *f;
	struct fact_date d;

	*bad = FIELD_FACT;
	if (fact == NULL || fact_name_ok(fact, why, whylen) != 0)
		return fact ? -1 : (lr_why(why, whylen, "is empty"), -1);
	*bad = FIELD_VALUE;
	if (value == NULL || value[0] == '\0')
		return lr_why(why, whylen, "is empty"), -1;
	*bad = FIELD_REASON;
	if (reason == NULL || reason[0] == '\0')
		return lr_why(why, whylen, "is empty: a curated fact says why it is kept"), -1;
	if (fact_add(rec, fact, value) != 0 || strlen(value) >= RECORD_FACT_VALUE_MAX ||
	    strlen(reason) >= RECORD_FACT_VALUE_MAX)
		return lr_why(why, whylen, "value or reason longer than %d bytes",
			      RECORD_FACT_VALUE_MAX - 1),
		       -1;
	f = &rec->facts[rec->nfacts - 1];
	lr_strlcpy(f->reason, reason, sizeof(f->reason));
	*bad = FIELD_EXPIRES;
	if (expires == NULL || expires[0] == '\0')
		return 0;
	if (normalize_date(expires, &d, why, whylen) != 0)
		return -1;
	return fact_date_format(&d, f->expires, sizeof(f->expires)) < 0 ? -1 : 0;
}

enum lr_code
normalize_row_facts(const struct source *src, const struct raw_row *raw, struct record *rec,
		    struct lr_err *err)
{
	enum field bad = FIELD_MODEL;
	char why[256] = "";
	int rc;

	rec->facts = calloc(RECORD_FACTS_MAX, sizeof(*rec->facts));
	if (rec->facts == NULL)
		return lr_err_set(err, LR_ERR_NOMEM, src->id, src->url, "out of memory");
	if (src->kind == SOURCE_MODEL_CARD)
		rc = facts_model_card(raw, rec, &bad, why, sizeof(why));
	else if (src->kind == SOURCE_BENCHMARKS)
		rc = facts_benchmark(raw, rec, &bad, why, sizeof(why));
	else if (src->kind == SOURCE_CURATED)
		rc = facts_curated(raw, rec, &bad, why, sizeof(why));
	else
		rc = facts_capability(raw, rec, &bad, why, sizeof(why));
	if (rc != 0)
		return lr_err_set(err, LR_ERR_NORMALIZE, src->id, src->url, "row %ld: %s: %s",
				  rec->row, field_name(bad), why[0] ? why : "too many facts");
	return LR_OK;
}
