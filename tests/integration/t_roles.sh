#!/bin/bash
# Least privilege (issue 17, item 4): the catalog's owner migrates and
# runs "llmref db grant"; the daemon runs as a writer role, a page builder
# as a reader role. The reader gets the published catalog and the feed but
# not the pages (snapshots), the sources' URLs or the runs; a role without
# a privilege is told "permission denied", not "no llmref schema".
. "$(dirname "$0")/lib.sh"
need_pg
setup_local
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
# roles are the cluster's: names of this test's database, dropped at the end
W=${T_DB}_w R=${T_DB}_r N=${T_DB}_n PW=pw-$$
for r in "$W" "$R" "$N"; do psql -Xq -c "CREATE ROLE \"$r\" LOGIN PASSWORD '$PW'" || { echo "Bail out! create role"; exit 1; }; done
drop_roles() {
	for r in "$W" "$R" "$N"; do
		psql -Xq -c "DROP OWNED BY \"$r\"" -c "DROP ROLE \"$r\"" >/dev/null 2>&1
	done
}
trap 'drop_roles; cleanup' EXIT
as() { local who=$1; shift; PGUSER=$who PGPASSWORD=$PW "$LLMREF_BIN" -c "$CONF" "$@"; }
asq() { PGUSER=$1 PGPASSWORD=$PW psql -X -Atq -c "$2" 2>&1; }

out=$(llmref db grant writer "$W"); rc=$?
is "$rc" 0 "the owner grants the writer's privileges ($out)"
out=$(llmref db grant reader "$R"); rc=$?
is "$rc" 0 "and the reader's ($out)"
llmref db grant admin "$R" >/dev/null 2>&1
is "$?" 2 "db grant of something else is a usage error"
llmref db grant reader no_such_role_$$ >/dev/null 2>&1
is "$?" 4 "db grant to a role that does not exist fails (database)"

# the daemon's work as the writer
out=$(as "$W" refresh --all 2>&1); rc=$?
is "$rc" 0 "the writer refreshes every source"
is "$(q "select count(*) from routes")" "$(q "select count(*) from routes where first_run is not null")" "and its rows are stored"
as "$W" daemon --once --allow-root >/dev/null 2>&1
is "$?" 0 "the daemon runs a batch as the writer"
like "$(asq "$W" "create table x (i int)")" "permission denied" "the writer changes no schema"

# a page builder as the reader
out=$(as "$R" export model llama-3.2-1b-instruct 2>&1); rc=$?
is "$rc" 0 "the reader exports a model's half"
out=$(as "$R" export comparison llama-3.2-1b-instruct llama-3.1-405b-instruct 2>&1); rc=$?
is "$rc" 0 "and a comparison record"
out=$(as "$R" export catalog 2>&1); rc=$?
is "$rc" 4 "but not export catalog (the operator's: the sources' URLs, the runs)"
like "$out" "permission denied for table (sources|runs)" "which says why"
out=$(as "$R" events --limit 3 2>&1); rc=$?
is "$rc $(printf '%s\n' "$out" | wc -l)" "0 3" "and reads the change feed"
for t in snapshots sources runs unmatched; do
	like "$(asq "$R" "select count(*) from $t")" "permission denied for table $t" "the reader cannot read $t"
done
out=$(as "$R" refresh --all 2>&1); rc=$?
is "$rc" 4 "the reader cannot refresh (exit 4)"
like "$out" "permission denied" "and is told permission denied"

# a role given nothing is told so, not that the schema is missing
out=$(as "$N" events 2>&1); rc=$?
is "$rc" 4 "a role with no grant: exit 4"
like "$out" "permission denied on schema_migrations" "told permission denied (not 'no llmref schema')"

# the grants are remembered: a migration grants what it makes
is "$(q "select string_agg(what, ',' order by what) from llmref_grants where role in ('$W', '$R')")" \
	"reader,writer" "the grants are recorded for later migrations"
done_testing
