#!/bin/bash
# The style gate: clang-format clean, no banned calls, no SQL text handed
# to libpq from a variable, functions short enough to read at once.
. "$(dirname "$0")/lib.sh"
cd "$LLMREF_SRCDIR" || exit 1
files=$(ls src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h)

if command -v clang-format >/dev/null; then
	bad=$(for f in $files; do clang-format --style=file --dry-run "$f" 2>&1 | grep -q . && echo "$f"; done)
	is "$bad" "" "clang-format: every file is formatted (run 'make format')"
else
	ok 0 "# SKIP clang-format not installed"
fi

# cppcheck's warning, portability and performance checks over src/: zero
# findings; a false positive is annotated in place with a reason
# ("cppcheck-suppress ID ; why"), never switched off for the whole tree.
if command -v cppcheck >/dev/null; then
	found=$(cppcheck --enable=warning,portability,performance --std=c11 --inline-suppr \
		--quiet --template='{file}:{line}: {id}: {message}' -I src src/*/*.c 2>&1)
	is "$found" "" "cppcheck: no findings in src/"
else
	ok 0 "# SKIP cppcheck not installed"
fi

banned=$(grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strncpy|gets|atoi|atol|atof|strtok|tmpnam|system)\s*\(' src/*/*.c src/*/*.h || true)
is "$banned" "" "no banned functions in src/"

# libpq gets SQL only from string literals or the named constants of catalog.c
# (db_exec's own PQexecParams passes its sql parameter, which every caller
# fills with a constant: the second grep checks those callers.)
# (so do print_query and read_snapshot, which pass theirs on.)
nonconst=$(grep -nE '\b(PQexec|PQexecParams|PQprepare|db_exec|db_cmd|db_count|print_query|read_snapshot|rows_json|catalog_print_query)\s*\(' src/*/*.c |
	grep -vE '\b(PQexec|PQexecParams|PQprepare|db_exec|db_cmd|db_count|print_query|read_snapshot|rows_json|catalog_print_query)\s*\([^,]+,\s*("|SQL_|m->sql|src->kind == SOURCE_PRICING \? SQL_[A-Z_]+ : SQL_)' |
	grep -vE 'PQexecParams\(cat->conn, sql, (n|1), NULL, vals, NULL, NULL, (0|1)\);|db_exec\(cat, sql, (n|1), vals, (source|NULL), (what|"model"), err\);|return print_query\(cat, sql, 0, NULL, out, json, 0, what, err\);|^src/catalog/catalog(_read)?.c:[0-9]+:(db_exec|db_cmd|db_count|print_query|read_snapshot|rows_json|catalog_print_query)\(struct catalog' || true)
is "$nonconst" "" "no SQL text from variables reaches libpq"
outside=$(grep -lE 'PQ(exec|execParams|prepare)\s*\(' src/*/*.c | grep -v '^src/catalog/catalog.c$' || true)
is "$outside" "" "SQL is run only by src/catalog/catalog.c"

floats=$(grep -niE '\b(double|float)\b[^;]*(price|usd|cost)' src/*/*.c src/*/*.h || true)
is "$floats" "" "no floating point near money"

long=$(awk 'FNR==1{inf=0} /^\{/{inf=1; start=FNR; next} /^\}/{ if (inf && FNR-start > 60) print FILENAME":"start": "FNR-start" lines"; inf=0 }' src/*/*.c)
is "$long" "" "no function body over 60 lines"
done_testing
