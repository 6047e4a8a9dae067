#!/bin/bash
# PostgreSQL stopped and started again under a running daemon: a private
# server of this test's own (initdb, pg_ctl on a Unix socket), so no other
# test is disturbed. The daemon keeps running, says the database is away
# (log once, STATUS), and goes on refreshing once it is back.
. "$(dirname "$0")/lib.sh"
private_pg
trap 'stop_private_pg; cleanup' EXIT
setup_local
sed -i 's/^interval = .*/interval = 2s/' "$WORK"/sources.d/*.conf
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
wait_for() { local n=$(( $1 * 10 )); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done; return 1; }
runs_gt() { [ "$(q "select count(*) from runs where outcome <> 'running'")" -gt "$1" ] 2>/dev/null; }

"$LLMREF_BIN" -c "$CONF" daemon --allow-root > "$WORK/d.log" 2>&1 & dpid=$!
# a page builder following the feed across the restart (issue 17: it ended)
"$LLMREF_BIN" -c "$CONF" events --follow > "$WORK/feed" 2> "$WORK/feed.log" & fpid=$!
wait_for 20 runs_gt 1; ok $? "the daemon refreshes"
pg "stop -m fast"; ok $? "PostgreSQL stopped under it"
wait_for 20 grep -q 'database' "$WORK/d.log"; ok $? "the daemon notices"
sleep 3
kill -0 "$dpid"; ok $? "and keeps running while the database is away"
like "$(grep -c 'database unavailable' "$WORK/d.log")" '^[01]$' "the retries are not logged one by one"
pg start; ok $? "PostgreSQL started again"
n=$(q "select count(*) from runs where outcome <> 'running'")
wait_for 90 grep -q 'database: recovered' "$WORK/d.log"; ok $? "the daemon reconnects by itself"
wait_for 30 runs_gt "$n"; ok $? "and refreshes again"
is "$(q "select count(*) from events where kind in ('alert.raised', 'alert.resolved') and subject = 'database:catalog'")" 2 \
	"the absence is one alert, raised and resolved, in the feed"
is "$(q "select count(*) from runs where outcome = 'running' and started_at < now() - interval '30 s'")" 0 \
	"no run left open from before the stop"
kill -TERM "$dpid"; wait "$dpid"; is "$?" 0 "SIGTERM: exit 0"
feed_has_last() { [ "$(tail -1 "$WORK/feed" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["id"])' 2>/dev/null)" = "$(q "select max(id) from events")" ]; }
wait_for 30 feed_has_last; ok $? "events --follow went on after the restart, to the last event"
kill -0 "$fpid"; ok $? "and is still following"
is "$(python3 -c 'import json,sys; ids=[json.loads(l)["id"] for l in open(sys.argv[1])]; print(len(ids) == len(set(ids)) and ids == sorted(ids))' "$WORK/feed")" True \
	"each event once, in order, across the reconnect"
is "$(wc -l < "$WORK/feed")" "$(q "select count(*) from events")" "and none missed"
like "$(cat "$WORK/feed.log")" "events: .*connecting again" "it said it lost the database"
kill -TERM "$fpid"; wait "$fpid"; is "$?" 0 "events --follow: SIGTERM, exit 0"
sed 's/^/# /' "$WORK/d.log" | grep -i database
stop_private_pg
done_testing
