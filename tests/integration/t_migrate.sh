#!/bin/bash
# Migrations: applied once each, recorded, and a second run is a no-op.
. "$(dirname "$0")/lib.sh"
need_pg
CONF=$(local_config "$WORK"); mkdir -p "$WORK/sources.d"

out=$(llmref export catalog 2>&1); rc=$?
is "$rc" 4 "export before migrate exits 4 (database)"
like "$out" "run 'llmref db migrate'" "and tells the user to migrate"

nmig=$(ls "$LLMREF_SRCDIR"/src/catalog/sql/[0-9]*_*.sql | wc -l)
out=$(llmref db migrate 2>&1); rc=$?
is "$rc" 0 "first migrate succeeds"
like "$out" "^schema at version $nmig \($nmig migrations? applied now\)" "first migrate applies every migration"
is "$(q 'select count(*) from schema_migrations')" "$nmig" "one row per migration recorded"

before=$(q "select version, applied_at from schema_migrations")
out=$(llmref db migrate 2>&1); rc=$?
is "$rc" 0 "second migrate succeeds"
like "$out" "0 migrations applied now" "second migrate applies nothing"
is "$(q "select version, applied_at from schema_migrations")" "$before" "version table unchanged"

# Concurrent migrators serialize on the advisory lock: both succeed.
dropdb "$T_DB"; createdb "$T_DB"
llmref db migrate > "$WORK/m1" 2>&1 & p1=$!
llmref db migrate > "$WORK/m2" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
is "$r1$r2" 00 "two concurrent migrates both succeed"
is "$(cat "$WORK/m1" "$WORK/m2" | grep -c "($nmig migrations\? applied now)")" 1 "exactly one of them applied the migrations"
is "$(cat "$WORK/m1" "$WORK/m2" | grep -c "(0 migrations applied now)")" 1 "the other found nothing left to do"

out=$(llmref export catalog); rc=$?
is "$rc" 0 "export of an empty catalog succeeds"
is "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["models"]), len(d["providers"]))')" "0 0" "and is valid JSON with no models"
done_testing
