#!/bin/bash
# One refresh of a source at a time: a second one exits 5 (busy) and
# says who holds the lock; when the holder goes, the lock is free at once.
. "$(dirname "$0")/lib.sh"
need_pg
setup_local
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }

# hold the source's lock from another session
psql -X -q -c "select pg_advisory_lock(hashtextextended('llmref.source:fireworks', 0)); select pg_sleep(30)" >/dev/null 2>&1 &
holder=$!
for i in $(seq 1 100); do
	[ "$(q "select count(*) from pg_locks where database = (select oid from pg_database where datname = current_database()) and locktype = 'advisory' and granted")" -ge 1 ] && break
	sleep 0.05
done
t0=$(date +%s%N)
out=$(llmref refresh --source fireworks 2>&1); rc=$?
t1=$(date +%s%N)
is "$rc" 5 "refresh of a locked source exits 5"
ok "$([ $(( (t1 - t0) / 1000000 )) -ge 900 ]; echo $?)" "after waiting lock_wait (1s) for it ($(( (t1 - t0) / 1000000 )) ms)"
like "$out" "source fireworks: another refresh holds the lock \(PostgreSQL backend pid [0-9]+, application 'psql'" "and names the holder"
is "$(q "select count(*) from runs")" 0 "no run opened while busy"

out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 5 "refresh --all with one busy source exits 5"
like "$out" "openrouter: ok" "the other source still refreshes"

q "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'psql' and pid <> pg_backend_pid()" >/dev/null
wait "$holder" 2>/dev/null
for i in $(seq 1 100); do
	[ "$(q "select count(*) from pg_locks where database = (select oid from pg_database where datname = current_database()) and locktype = 'advisory'")" -eq 0 ] && break
	sleep 0.05
done
out=$(llmref refresh --source fireworks 2>&1); rc=$?
is "$rc" 0 "once the holder is gone the refresh runs"

# a holder that lets go within lock_wait: the refresh waits and runs
psql -X -q -c "select pg_advisory_lock(hashtextextended('llmref.source:fireworks', 0)); select pg_sleep(0.4)" >/dev/null 2>&1 &
holder=$!
for i in $(seq 1 100); do
	[ "$(q "select count(*) from pg_locks where database = (select oid from pg_database where datname = current_database()) and locktype = 'advisory' and granted")" -ge 1 ] && break
	sleep 0.02
done
out=$(llmref refresh --source fireworks 2>&1); rc=$?
wait "$holder" 2>/dev/null
is "$rc" 0 "a refresh waits for a holder that lets go within lock_wait"
like "$out" "fireworks: (ok|unchanged)" "and then refreshes the source"
is "$(q "select count(*) from pg_locks where database = (select oid from pg_database where datname = current_database()) and locktype = 'advisory'")" 0 "no lock left behind"
done_testing
