#!/bin/bash
# llmref daemon under a test-owned NOTIFY_SOCKET: READY, STATUS, WATCHDOG,
# RELOADING and STOPPING; sources run on their intervals; SIGHUP with a
# good and a bad config; a database that is missing at start and appears;
# two daemons on one catalog run each due source once; SIGTERM exits 0.
. "$(dirname "$0")/lib.sh"
need_pg
setup_local
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
sed -i 's/^interval = .*/interval = 2s/' "$WORK"/sources.d/*.conf
printf '[daemon]\nmetrics_file = %s\n' "$WORK/llmref.prom" >> "$CONF"
NLOG=$WORK/notify.log
python3 "$LLMREF_SRCDIR/tests/notify_listener.py" "$WORK/notify.sock" "$NLOG" & lpid=$!
for i in $(seq 1 50); do [ -s "$NLOG" ] && break; sleep 0.1; done

start_daemon() { # start_daemon CONF LOG: sets DPID
	( export NOTIFY_SOCKET="$WORK/notify.sock" WATCHDOG_USEC=1000000 WATCHDOG_PID=$BASHPID
	  exec "$LLMREF_BIN" -c "$1" daemon --allow-root ) > "$2" 2>&1 &
	DPID=$!
}
wait_for() { # wait_for SECONDS COMMAND...: until COMMAND succeeds
	local n=$(( $1 * 10 )); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
runs() { q "select count(*) from runs where source_id = '$1'"; }
runs_gt() { [ "$(runs "$1")" -gt "$2" ]; } # runs_gt SOURCE N

out=$("$LLMREF_BIN" -c "$CONF" daemon 2>&1); rc=$?
is "$rc" 2 "as root without --allow-root it refuses to run"
like "$out" "refusing to run as root" "and says why"

start_daemon "$CONF" "$WORK/d1.log"
wait_for 10 grep -q '^READY=1' "$NLOG"; ok $? "READY=1 is sent"
wait_for 10 grep -q '^STATUS=2 sources: ' "$NLOG"; ok $? "STATUS= gives a one-line summary"
wait_for 10 grep -q '^WATCHDOG=1' "$NLOG"; ok $? "WATCHDOG=1 is sent (WatchdogSec=1s: every 0.5 s)"
wait_for 15 runs_gt openrouter 1; ok $? "openrouter runs on its 2 s interval ($(runs openrouter) runs)"
wait_for 15 runs_gt fireworks 1; ok $? "fireworks too ($(runs fireworks) runs)"
like "$(cat "$WORK/llmref.prom")" 'llmref_source_last_success_timestamp_seconds\{source="openrouter"\} [0-9]+' \
	"the metrics file has per-source gauges"
like "$(grep -c '^WATCHDOG=1' "$NLOG")" '^([3-9]|[1-9][0-9]+)$' "the watchdog keeps being pinged"

# SIGHUP with a bad config: logged with file and line, the old one runs on
cp "$WORK/sources.d/fireworks.conf" "$WORK/fireworks.good"
echo "this is not ini" >> "$WORK/sources.d/fireworks.conf"
n=$(grep -c '^RELOADING=1' "$NLOG")
kill -HUP "$DPID"
wait_for 10 grep -Eq 'reload: .*fireworks.conf:[0-9]+.*keeping the running configuration' "$WORK/d1.log"; ok $? \
	"a bad config on SIGHUP is logged with its file and line, and kept out"
reloading_sent() { [ "$(grep -c '^RELOADING=1' "$NLOG")" -ge "$((n + 1))" ]; }
wait_for 10 reloading_sent # the listener writes its log on its own time
is "$(grep -c '^RELOADING=1' "$NLOG")" "$((n + 1))" "RELOADING=1 was sent"
like "$(grep -A1 '^RELOADING=1' "$NLOG" | tail -n 1)" '^MONOTONIC_USEC=[0-9]+$' "with MONOTONIC_USEC"
r=$(runs fireworks)
wait_for 10 runs_gt fireworks "$r"; ok $? "the old config keeps running"

# SIGHUP with a good config: a new source joins
cp "$WORK/fireworks.good" "$WORK/sources.d/fireworks.conf"
sed 's/^provider = fireworks/provider = fireworks2/' "$WORK/sources.d/fireworks.conf" > "$WORK/sources.d/fw2.conf"
kill -HUP "$DPID"
wait_for 10 grep -q 'reload: .*: 3 sources' "$WORK/d1.log"; ok $? "a good config is swapped in (3 sources)"
wait_for 15 runs_gt fw2 0; ok $? "and the new source runs"

# SIGHUP with a broken draft beside them: the draft alone is left out
echo "this is not ini" > "$WORK/sources.d/draft.conf"
kill -HUP "$DPID"
wait_for 10 grep -q 'reload: .*draft\.conf:1: .*this source is left out' "$WORK/d1.log"; ok $? \
	"a broken draft on SIGHUP is said with its file and line, and left out"
r=$(runs fw2)
wait_for 15 runs_gt fw2 "$r"; ok $? "the other sources run on"
rm -f "$WORK/sources.d/draft.conf"

# SIGHUP changing a key applied at start only: said, and the running value kept
cp "$CONF" "$WORK/llmref.conf.good"
sed -i 's/^conninfo =.*/conninfo = dbname=llmref_no_such_db/' "$CONF"
kill -HUP "$DPID"
wait_for 10 grep -q 'reload: \[database\] conninfo changed, but applies at start only' "$WORK/d1.log"; ok $? \
	"a changed [database] conninfo on SIGHUP is said to apply at start only"
grep -q 'llmref_no_such_db' "$WORK/d1.log"; is "$?" 1 "the value itself is not logged"
r=$(runs fw2)
wait_for 15 runs_gt fw2 "$r"; ok $? "the daemon keeps its database connection and runs on"
cp "$WORK/llmref.conf.good" "$CONF"

# two daemons on one catalog: each due run happens once
DPID1=$DPID
start_daemon "$CONF" "$WORK/d2.log"; DPID2=$DPID; DPID=$DPID1
sleep 6
kill -TERM "$DPID2"; wait "$DPID2" 2>/dev/null
overlap=$(q "select count(*) from runs a join runs b on a.source_id = b.source_id and a.id < b.id where b.started_at - a.started_at < interval '0.9 s' and a.started_at > now() - interval '8 s'")
is "$overlap" 0 "with two daemons no source ran twice within its interval"
like "$(cat "$WORK/d2.log")" "source (openrouter|fireworks|fw2): (ok|unchanged|.*another instance; skipped)" \
	"the second daemon took part (whether it skips depends on the two schedules' phases)"

# SIGTERM: STOPPING=1 and exit 0
kill -0 "$DPID"; ok $? "the first daemon still runs"

# its database connection killed (as by a PostgreSQL restart): it notices,
# reconnects by itself and goes on
q "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'llmref pid $DPID'" >/dev/null
wait_for 15 grep -q 'database: connection lost' "$WORK/d1.log"; ok $? "a lost connection is noticed"
wait_for 15 grep -q 'database: recovered' "$WORK/d1.log"; ok $? "and the daemon reconnects by itself"
r=$(runs openrouter); f=$(runs fireworks)
wait_for 15 runs_gt openrouter "$r"; ok $? "and refreshes again"
wait_for 15 runs_gt fireworks "$f"; ok $? "every source"
is "$(q "select count(*) from runs where outcome = 'running' and started_at < now() - interval '5 s'")" 0 \
	"a run cut off with the connection is closed as abandoned by the next run of its source"
kill -TERM "$DPID"; t0=$(date +%s%N)
wait "$DPID"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$rc" 0 "SIGTERM: the daemon exits 0 (in $ms ms)"
grep -q '^STOPPING=1' "$NLOG"; ok $? "after STOPPING=1"
is "$(q "select count(*) from runs where outcome = 'running'")" 0 "no run left half-applied"

# SIGTERM in the middle of a run (pages that take 20 s): transfers in
# flight are dropped at once, their runs closed as stopped (not the
# source's failure), nothing applied, exit 0 well before the pages come
rm -rf "$WORK/slow.d"; local_sources "$SAMPLES" "$WORK/slow.d" "$FIXTURE_PORT" /_mis/delay-20
sed -i 's/^interval = .*/interval = 2s/' "$WORK"/slow.d/*.conf
sed "s#^sources = .*#sources = $WORK/slow.d#" "$CONF" > "$WORK/slow.conf"
fails_before=$(q "select coalesce(sum(consecutive_failures), 0) from sources")
start_daemon "$WORK/slow.conf" "$WORK/d4.log"
running() { [ "$(q "select count(*) from runs where outcome = 'running'")" -ge 1 ]; }
wait_for 20 running; ok $? "a slow run is in flight"
w0=$(grep -c '^WATCHDOG=1' "$NLOG"); sleep 1.6; w1=$(grep -c '^WATCHDOG=1' "$NLOG")
ok "$([ "$w1" -gt "$w0" ]; echo $?)" "the watchdog is fed while pages are on their way ($w0 -> $w1)"
# a SIGHUP under the batch is kept for after it: no reload under a run
kill -HUP "$DPID"; sleep 0.3
kill -0 "$DPID"; ok $? "SIGHUP under a running batch: the daemon goes on"
kill -TERM "$DPID"; t0=$(date +%s%N)
wait "$DPID"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$rc" 0 "SIGTERM mid-run: exit 0"
ok "$([ "$ms" -lt 3000 ]; echo $?)" "at once, not after the 20 s pages ($ms ms)"
is "$(q "select count(*) from runs where outcome = 'running'")" 0 "no run left half-applied"
like "$(q "select error from runs order by id desc limit 1")" "stopped before the page arrived" \
	"the cut run is closed and says why"
is "$(q "select coalesce(sum(consecutive_failures), 0) from sources")" "$fails_before" \
	"a stop is not counted as the source's failure"
grep -q 'stopped before its page arrived; run [0-9]* closed, nothing applied' "$WORK/d4.log"
ok $? "the log names each cut run"
grep -q 'reload:' "$WORK/d4.log"; is "$?" 1 "the deferred reload did not run once stopping"

# a SIGHUP under a batch that runs to its end: the reload comes after it
rm -rf "$WORK/slow2.d"; local_sources "$SAMPLES" "$WORK/slow2.d" "$FIXTURE_PORT" /_mis/delay-4
sed -i 's/^interval = .*/interval = 30s/' "$WORK"/slow2.d/*.conf
sed -e "s#^sources = .*#sources = $WORK/slow2.d#" -e 's/^low_speed_time = .*/low_speed_time = 10s/' \
	"$CONF" > "$WORK/slow2.conf"
start_daemon "$WORK/slow2.conf" "$WORK/d6.log"
wait_for 40 running; ok $? "a 4 s run is in flight"
kill -HUP "$DPID"
wait_for 10 grep -q 'reload:' "$WORK/d6.log"; ok $? "the SIGHUP sent under it reloads once it ends"
ok "$(sed -n '/reload:/q;p' "$WORK/d6.log" | grep -cq 'source .*: \(ok\|unchanged\)'; echo $?)" \
	"after the batch's results, not before"
kill -TERM "$DPID"; wait "$DPID" 2>/dev/null

# SIGKILL mid-run: nothing half-applied; the next run of the source
# closes the stale run as abandoned
start_daemon "$WORK/slow.conf" "$WORK/d5.log"
wait_for 20 running; ok $? "a slow run is in flight again"
stale=$(q "select id || ' ' || source_id from runs where outcome = 'running' limit 1")
kill -KILL "$DPID"; wait "$DPID" 2>/dev/null
sleep 0.5
"$LLMREF_BIN" -c "$CONF" refresh --source "${stale#* }" >/dev/null 2>&1
is "$(q "select outcome || ': ' || error from runs where id = ${stale%% *}")" \
	"failed: abandoned: the process running it stopped before it ended" \
	"after SIGKILL, the next run of the source closes the stale run"

# a database that is not there at start, then appears
sed -i "s/^conninfo =.*/conninfo = dbname=${T_DB}_late/" "$CONF"
start_daemon "$CONF" "$WORK/d3.log"
wait_for 10 grep -q 'database unavailable' "$WORK/d3.log"; ok $? "a missing database is logged"
wait_for 5 grep -q '^STATUS=.*database unavailable' "$NLOG"; ok $? "and shown in STATUS="
is "$(grep -c 'database unavailable' "$WORK/d3.log")" 1 "once, not at every retry"
createdb "${T_DB}_late" && PGDATABASE=${T_DB}_late "$LLMREF_BIN" -c "$CONF" db migrate >/dev/null
wait_for 20 grep -q 'database: recovered' "$WORK/d3.log"; ok $? "when it appears, the daemon recovers by itself"
late_runs() { [ "$(PGDATABASE=${T_DB}_late q "select count(*) from runs")" -ge 1 ]; }
wait_for 15 late_runs; ok $? "and refreshes into it"
kill -TERM "$DPID"; wait "$DPID" 2>/dev/null
dropdb "${T_DB}_late"
kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
done_testing
