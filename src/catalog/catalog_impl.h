/* catalog_impl.h - what catalog.c shares with the other files of the
 * catalog stage (catalog_read.c, catalog_diff.c): the connection, the
 * policy, and the statement helpers. Not for other stages. */
#ifndef LLMREF_CATALOG_IMPL_H
#define LLMREF_CATALOG_IMPL_H

#include <libpq-fe.h>

#include "catalog/catalog.h"

struct catalog {
	PGconn *conn;
	struct catalog_policy policy;
};

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
/* Print the rows of a parameterless statement as a table or JSON lines
 * (catalog_read.c). */
enum lr_code catalog_print_query(struct catalog *cat, const char *sql, FILE *out, int json,
				 const char *what, struct lr_err *err);

#endif
