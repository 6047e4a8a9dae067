/* migrations.h - the SQL migrations compiled into the binary, generated
 * from src/sql/NNN_name.sql by scripts/embed-sql.sh, in version order. */
#ifndef LLMREF_MIGRATIONS_H
#define LLMREF_MIGRATIONS_H

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const unsigned migrations_count;

#endif
