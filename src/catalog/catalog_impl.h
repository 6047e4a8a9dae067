/* catalog_impl.h - what the files of the catalog stage share: the
 * connection and its policy, and the statement helpers of catalog_db.c
 * that catalog.c, catalog_read.c and catalog_diff.c run statements with.
 * Not for other stages. */
#ifndef LLMREF_CATALOG_IMPL_H
#define LLMREF_CATALOG_IMPL_H

#include <libpq-fe.h>

#include "catalog/catalog.h"

#define CATALOG_PREPARED_MAX 256

struct catalog {
	PGconn *conn; /* NULL once given up on (db_wait): every call then fails */
	struct catalog_policy policy;
	int (*wait_hook)(void *ctx); /* called while waiting; nonzero = stop */
	void *wait_ctx;
	char lost[128]; /* why the connection was given up */
	int staged;     /* the session's staging tables exist (catalog.c) */
	/* statements prepared on this connection (catalog_db.c): the n-th
	 * is named llmref_n; the catalog's SQL is static, so its address
	 * names it */
	const char *prepared[CATALOG_PREPARED_MAX];
	int nprepared;
};

/* ---- the trip to the server (catalog_db.c) ---- */
/* Send a statement and wait for its results, bounded (see catalog_db.c):
 * the first error or the last result, NULL when nothing came back
 * (db_error_text says why). n == 0 and text results: the simple protocol,
 * several statements allowed. */
PGresult *db_query(struct catalog *cat, const char *sql, int n, const char *const *vals,
		   const int *lens, const int *fmts, int binary);
/* Wait, bounded, until what was sent is flushed (for_write) or an answer
 * is complete; 0, or -1 (the connection failed or was given up). */
int db_wait(struct catalog *cat, int for_write);
/* COPY ... FROM STDIN after db_query returned PGRES_COPY_IN: 0 or -1. */
int db_put_copy(struct catalog *cat, const char *data, int len);
int db_end_copy(struct catalog *cat, const char *why);
PGresult *db_copy_result(struct catalog *cat);
/* Connect without blocking (PQconnectStartParams), waiting as db_wait
 * does, bounded by the conninfo's connect_timeout (default 10 s). */
int db_connect(struct catalog *cat, const char *const *keys, const char *const *vals);
/* libpq's message for the connection, or why it was given up. */
const char *db_error_text(struct catalog *cat);

/* Set err from a failed result (freed) or the connection's message. */
enum lr_code db_fail(struct catalog *cat, PGresult *res, struct lr_err *err, const char *source,
		     const char *what);
/* Run a parameterized statement; returns the result (caller PQclears) or
 * NULL with err set. */
PGresult *db_exec(struct catalog *cat, const char *sql, int n, const char *const *vals,
		  const char *source, const char *what, struct lr_err *err);
enum lr_code db_cmd(struct catalog *cat, const char *sql, int n, const char *const *vals,
		    const char *source, const char *what, struct lr_err *err);
/* A statement returning one count; -1 with err set on failure. */
long db_count(struct catalog *cat, const char *sql, int n, const char *const *vals,
	      const char *source, const char *what, struct lr_err *err);
void db_rollback(struct catalog *cat);
/* A pricing run's rows that name their own provider (a dataset; the
 * transaction open): rows whose provider resolves to none are taken out
 * and wait, counted in *waiting (catalog_providers.c). */
enum lr_code catalog_row_providers(struct catalog *cat, const struct source *src, long *waiting,
				   struct lr_err *err);

/* Rows the same as last applied (catalog_digest.c). */
#define DIGEST_HEX 33 /* 128 bits of SHA-256 as hex, and a NUL */
struct row_digests {
	int on;        /* a pricing run: rows may be "same" */
	PGresult *res; /* the source's routes' digests, in byte order */
	size_t n;
	char *dup; /* per record: another record gives its name too */
};
/* Read the digests of src's routes for recs (nothing for a facts source). */
enum lr_code digest_load(struct catalog *cat, const struct source *src, const struct records *recs,
			 struct row_digests *d, struct lr_err *err);
/* hex = the digest of record i (r) staged as line (len bytes), "" if it
 * gets none; returns 1 if it is the route's stored digest ("same"). */
int digest_row(const struct row_digests *d, size_t i, const struct record *r, const char *line,
	       size_t len, char hex[DIGEST_HEX]);
void digest_free(struct row_digests *d);

/* The rows of a statement, copied out (catalog_read.c). */
/* ids (a JSON array of strings, or the keys of an object) as a
 * PostgreSQL text[] literal for a bound parameter; malloc'd, NULL if out
 * of memory. */
char *pg_text_array(const json_t *ids);
enum lr_code db_rows(struct catalog *cat, const char *sql, int n, const char *const *vals,
		     const char *what, struct catalog_rows *out, struct lr_err *err);

#endif
