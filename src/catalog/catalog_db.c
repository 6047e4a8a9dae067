/* catalog_db.c - every statement's trip to PostgreSQL, and the helpers
 * the rest of the catalog runs statements with (db_exec, db_cmd,
 * db_count, db_rows). Each wait is bounded: libpq's non-blocking API
 * polled once a second at least, the owner's wait hook called on each
 * tick (the daemon feeds its watchdog and reads its signals there), and
 * a connection that stops answering given up after the policy's
 * answer_wait_ms (or 3 s after the hook asks to stop), so that no caller
 * ever hangs on the database. */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/catalog_impl.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"

#define DB_TICK_MS       1000 /* the wait hook runs at least this often */
#define DB_STOP_GRACE_MS 3000 /* a statement may finish this long after a stop */

void
catalog_set_wait_hook(struct catalog *cat, int (*hook)(void *ctx), void *ctx)
{
	cat->wait_hook = hook;
	cat->wait_ctx = ctx;
}

/* Give up on the connection: the server rolls back what was open. */
static void
db_abandon(struct catalog *cat, const char *why)
{
	lr_strlcpy(cat->lost, why, sizeof(cat->lost));
	PQfinish(cat->conn);
	cat->conn = NULL;
}

/* One poll of the socket for at most ms; 0, or -1 when the socket is gone. */
static int
db_poll(struct catalog *cat, int want_write, long ms)
{
	struct pollfd pfd = { PQsocket(cat->conn), (short)(POLLIN | (want_write ? POLLOUT : 0)),
			      0 };

	if (pfd.fd < 0)
		return -1;
	if (poll(&pfd, 1, (int)ms) < 0 && errno != EINTR)
		return -1;
	return 0;
}

/* Time left before giving up: the answer deadline, or the stop grace
 * once the hook asked to stop; 0 when it has run out. */
static long
db_time_left(struct catalog *cat, int64_t deadline, int64_t *stop_at)
{
	int64_t now = clock_mono_ms();

	if (*stop_at < 0 && cat->wait_hook != NULL && cat->wait_hook(cat->wait_ctx))
		*stop_at = now + DB_STOP_GRACE_MS;
	if (*stop_at >= 0 && *stop_at < deadline)
		deadline = *stop_at;
	return deadline > now ? (long)(deadline - now) : 0;
}

int
db_wait(struct catalog *cat, int for_write)
{
	int64_t deadline = clock_mono_ms() + cat->policy.answer_wait_ms, stop_at = -1;
	long left;
	int flush;

	for (;;) {
		flush = PQflush(cat->conn);
		if (flush < 0 || PQconsumeInput(cat->conn) == 0)
			return -1; /* libpq's message says why */
		if (flush == 0 && (for_write || !PQisBusy(cat->conn)))
			return 0;
		left = db_time_left(cat, deadline, &stop_at);
		if (left == 0) {
			db_abandon(cat, stop_at >= 0 ? "no answer while llmref is stopping"
						     : "no answer within [database] timeout");
			return -1;
		}
		if (db_poll(cat, flush == 1, left < DB_TICK_MS ? left : DB_TICK_MS) != 0)
			return -1;
	}
}

/* Collect the results of the statement sent: the first error, else the
 * last result (as PQexec gives them). */
static PGresult *
db_collect(struct catalog *cat, int stop_at_copy)
{
	PGresult *keep = NULL, *r;

	while (db_wait(cat, 0) == 0 && (r = PQgetResult(cat->conn)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		if (keep != NULL && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
			PQclear(r);
		} else {
			PQclear(keep);
			keep = r;
		}
		if (stop_at_copy && (st == PGRES_COPY_IN || st == PGRES_COPY_OUT))
			return keep;
	}
	return keep;
}

/* The number of sql prepared on the connection (prepared now if it is
 * not yet), or -1: not prepared (the table is full, or the server refused
 * it; the statement then goes unprepared and fails as it would). Parsing
 * and planning a statement of the apply path took longer than running it
 * (issue 18: 0.21 s of planning in a 2.4 s first load of 60 sources). */
static int
db_prepared(struct catalog *cat, const char *sql, int n)
{
	char name[32];
	PGresult *res;
	int i;

	for (i = 0; i < cat->nprepared; i++)
		if (cat->prepared[i] == sql)
			return i;
	if (cat->nprepared == CATALOG_PREPARED_MAX)
		return -1;
	snprintf(name, sizeof(name), "llmref_%d", cat->nprepared);
	if (!PQsendPrepare(cat->conn, name, sql, n, NULL))
		return -1;
	res = db_collect(cat, 0);
	i = PQresultStatus(res) == PGRES_COMMAND_OK ? cat->nprepared++ : -1;
	PQclear(res);
	if (i >= 0)
		cat->prepared[i] = sql;
	return i;
}

PGresult *
db_query(struct catalog *cat, const char *sql, int n, const char *const *vals, const int *lens,
	 const int *fmts, int binary)
{
	char name[32];
	int sent, k;

	if (cat->conn == NULL)
		return NULL;
	if (n == 0 && !binary)
		sent = PQsendQuery(cat->conn, sql); /* several statements allowed */
	else if ((k = db_prepared(cat, sql, n)) >= 0 &&
		 snprintf(name, sizeof(name), "llmref_%d", k) > 0)
		sent = PQsendQueryPrepared(cat->conn, name, n, vals, lens, fmts, binary);
	else if (cat->conn != NULL)
		sent = PQsendQueryParams(cat->conn, sql, n, NULL, vals, lens, fmts, binary);
	else
		return NULL;
	if (!sent)
		return NULL;
	return db_collect(cat, 1);
}

int
db_put_copy(struct catalog *cat, const char *data, int len)
{
	int rc;

	while (cat->conn != NULL && (rc = PQputCopyData(cat->conn, data, len)) == 0)
		if (db_wait(cat, 1) != 0)
			return -1;
	return cat->conn != NULL && rc == 1 ? 0 : -1;
}

int
db_end_copy(struct catalog *cat, const char *why)
{
	int rc;

	while (cat->conn != NULL && (rc = PQputCopyEnd(cat->conn, why)) == 0)
		if (db_wait(cat, 1) != 0)
			return -1;
	return cat->conn != NULL && rc == 1 ? 0 : -1;
}

PGresult *
db_copy_result(struct catalog *cat)
{
	return cat->conn != NULL ? db_collect(cat, 0) : NULL;
}

const char *
db_error_text(struct catalog *cat)
{
	return cat->conn != NULL ? PQerrorMessage(cat->conn) : cat->lost;
}

/* The effective connect_timeout of conn in ms (libpq does not enforce it
 * when connecting without blocking): the conninfo's, else ours. */
static long
db_connect_timeout_ms(PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn), *o;
	long sec = 0;

	for (o = opts; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, "connect_timeout") == 0 && o->val != NULL)
			sec = strtol(o->val, NULL, 10);
	PQconninfoFree(opts);
	return (sec > 0 ? (sec < 2 ? 2 : sec) : 10) * 1000;
}

int
db_connect(struct catalog *cat, const char *const *keys, const char *const *vals)
{
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	int64_t deadline, stop_at = -1;
	long left;

	cat->conn = PQconnectStartParams(keys, vals, 1);
	if (cat->conn == NULL || PQstatus(cat->conn) == CONNECTION_BAD)
		return -1;
	deadline = clock_mono_ms() + db_connect_timeout_ms(cat->conn);
	while (st != PGRES_POLLING_OK) {
		if (st == PGRES_POLLING_FAILED)
			return -1;
		left = db_time_left(cat, deadline, &stop_at);
		if (left == 0) {
			db_abandon(cat, stop_at >= 0 ? "no answer while llmref is stopping"
						     : "no answer within connect_timeout");
			return -1;
		}
		if (db_poll(cat, st == PGRES_POLLING_WRITING,
			    left < DB_TICK_MS ? left : DB_TICK_MS))
			return -1;
		st = PQconnectPoll(cat->conn);
	}
	return 0;
}

/* ---- the statement helpers ---------------------------------------------- */

enum lr_code
db_fail(struct catalog *cat, PGresult *res, struct lr_err *err, const char *source,
	const char *what)
{
	const char *msg = res ? PQresultErrorMessage(res) : "";
	char clean[512];
	size_t n;

	if (msg == NULL || msg[0] == '\0')
		msg = db_error_text(cat);
	lr_strlcpy(clean, msg, sizeof(clean));
	n = strlen(clean);
	while (n > 0 && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
		clean[--n] = '\0';
	PQclear(res);
	return lr_err_set(err, LR_ERR_DB, source, NULL, "database: %s: %s", what, clean);
}

PGresult *
db_exec(struct catalog *cat, const char *sql, int n, const char *const *vals, const char *source,
	const char *what, struct lr_err *err)
{
	PGresult *res = db_query(cat, sql, n, vals, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	db_fail(cat, res, err, source, what);
	return NULL;
}

enum lr_code
db_cmd(struct catalog *cat, const char *sql, int n, const char *const *vals, const char *source,
       const char *what, struct lr_err *err)
{
	PGresult *res = db_exec(cat, sql, n, vals, source, what, err);

	if (res == NULL)
		return LR_ERR_DB;
	PQclear(res);
	return LR_OK;
}

long
db_count(struct catalog *cat, const char *sql, int n, const char *const *vals, const char *source,
	 const char *what, struct lr_err *err)
{
	PGresult *res = db_exec(cat, sql, n, vals, source, what, err);
	long v;

	if (res == NULL)
		return -1;
	v = PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return v;
}

void
db_rollback(struct catalog *cat)
{
	PQclear(db_query(cat, "ROLLBACK", 0, NULL, NULL, NULL, 0));
	cat->staged = 0; /* they may have been created in what was rolled back */
}

void
catalog_rows_free(struct catalog_rows *rows)
{
	long i, n;

	if (rows == NULL)
		return;
	n = rows->nrows * rows->ncols;
	for (i = 0; rows->cells != NULL && i < n; i++)
		free(rows->cells[i]);
	for (i = 0; rows->names != NULL && i < rows->ncols; i++)
		free(rows->names[i]);
	free(rows->cells);
	free(rows->names);
	memset(rows, 0, sizeof(*rows));
}

/* Copy a result's names and cells into out; 0, or -1 out of memory. */
static int
rows_copy(const PGresult *res, struct catalog_rows *out)
{
	long i, f, nf = PQnfields(res), nt = PQntuples(res);

	memset(out, 0, sizeof(*out));
	out->names = calloc((size_t)nf + 1, sizeof(*out->names));
	out->cells = calloc((size_t)(nf * nt) + 1, sizeof(*out->cells));
	if (out->names == NULL || out->cells == NULL)
		return -1;
	out->ncols = (int)nf;
	out->nrows = nt;
	for (f = 0; f < nf; f++)
		if ((out->names[f] = strdup(PQfname(res, (int)f))) == NULL)
			return -1;
	for (i = 0; i < nt; i++)
		for (f = 0; f < nf; f++)
			if (!PQgetisnull(res, (int)i, (int)f) &&
			    (out->cells[i * nf + f] = strdup(PQgetvalue(res, (int)i, (int)f))) ==
				NULL)
				return -1;
	return 0;
}

enum lr_code
db_rows(struct catalog *cat, const char *sql, int n, const char *const *vals, const char *what,
	struct catalog_rows *out, struct lr_err *err)
{
	PGresult *res = db_exec(cat, sql, n, vals, NULL, what, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (res == NULL)
		return LR_ERR_DB;
	rc = rows_copy(res, out);
	PQclear(res);
	if (rc == 0)
		return LR_OK;
	catalog_rows_free(out);
	return lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "%s: out of memory", what);
}

/* Append s to b as one quoted element of an array literal. */
static int
append_quoted(struct buf *b, const char *s, int first)
{
	int rc = buf_append(b, first ? "\"" : ",\"", first ? 1 : 2);

	for (; s != NULL && *s != '\0' && rc == 0; s++) {
		if (*s == '"' || *s == '\\')
			rc = buf_append(b, "\\", 1);
		if (rc == 0)
			rc = buf_append(b, s, 1);
	}
	return rc != 0 ? rc : buf_append(b, "\"", 1);
}

/* ids (a JSON array of strings, or the keys of an object) as a
 * PostgreSQL text[] literal; malloc'd, caller frees; NULL if out of
 * memory. Every element is quoted, so no id can end the literal. */
char *
pg_text_array(const json_t *ids)
{
	struct buf b;
	const char *key;
	json_t *v;
	size_t i;
	int rc, n = 0;

	buf_init(&b, 1u << 30);
	rc = buf_append(&b, "{", 1);
	if (json_is_object(ids))
		json_object_foreach((json_t *)ids, key, v) rc |= append_quoted(&b, key, n++ == 0);
	json_array_foreach(ids, i, v) rc |= append_quoted(&b, json_string_value(v), n++ == 0);
	rc |= buf_append(&b, "}", 1);
	if (rc != 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}
