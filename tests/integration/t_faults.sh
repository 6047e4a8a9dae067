#!/bin/bash
# Faults: PostgreSQL killed in the middle of a refresh (one backend, then
# the postmaster itself), PostgreSQL down when a refresh starts, a full
# disk under the event spool and under the metrics file. Each time the
# catalog is exactly as before, the next run succeeds, no event is
# written twice, and no half-written file is ever visible to a reader.
# A private server of this test's own (initdb, pg_ctl on a Unix socket).
. "$(dirname "$0")/lib.sh"
private_pg
MNT=
stop_own() {
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	stop_private_pg
}
trap 'stop_own; cleanup' EXIT

mkdir -p "$WORK/pages"
cp -r "$LLMREF_SRCDIR/tests/fixtures/pages/." "$WORK/pages/"
OR=$WORK/pages/openrouter.ai/api/v1/models/__index__
fixture_start "$WORK/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
sed -i 's/^lock_wait = .*/lock_wait = 60s/' "$CONF"
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
wait_for() { local n=$(( $1 * 10 )); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done; return 1; }
dump() {
	pg_dump --data-only -t models -t routes -t prices -t route_facts -t model_facts \
		-t unmatched -t conflicts -t comparisons -t events |
		grep -vE '^(--|\\(un)?restrict |$|SELECT pg_catalog.setval)' # after a crash
		# a sequence may jump ahead (PostgreSQL logs them 32 values early)
}
set_price() { # set_price USD_PER_TOKEN: the first model's output price in the OpenRouter list
	python3 - "$OR" "$1" <<'EOF'
import json, sys
path, price = sys.argv[1], sys.argv[2]
d = json.load(open(path))
d["data"][0]["pricing"]["completion"] = price
json.dump(d, open(path, "w"), indent=1)
EOF
}
FIRST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"][0]["id"])' "$OR")
changed_events() { # price.changed events whose payload carries NEW (USD per 1M)
	q "select count(*) from events where kind = 'price.changed' and payload::text like '%\"$1\"%'"
}

llmref refresh --source openrouter >/dev/null 2>&1; ok $? "a first refresh loads the catalog"

# Hold an exclusive lock on prices so that the refresh stops inside its
# transaction (after its run began and its rows were copied in), waiting.
hold_prices() {
	psql -X -q -c "begin; lock table prices in access exclusive mode; select pg_sleep(120)" \
		>/dev/null 2>&1 &
	LOCKER=$!
	locked() { [ "$(q "select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'prices' and l.mode = 'AccessExclusiveLock' and l.granted")" = 1 ]; }
	wait_for 10 locked
}
waiting() { [ "$(q "select count(*) from pg_stat_activity where application_name like 'llmref pid %' and wait_event_type = 'Lock'")" -ge 1 ]; }
refresh_bg() { # refresh openrouter in the background: RPID, output in $WORK/bg.out
	"$LLMREF_BIN" -c "$CONF" refresh --source openrouter > "$WORK/bg.out" 2>&1 &
	RPID=$!
}

# 1. one backend killed in the middle of the refresh's transaction
set_price 0.0000011
before=$(dump)
hold_prices; ok $? "a lock on prices is held"
refresh_bg
wait_for 20 waiting; ok $? "the refresh waits inside its transaction"
q "select pg_terminate_backend(pid) from pg_stat_activity where application_name like 'llmref pid %'" >/dev/null
wait "$RPID"; rc=$?
q "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(120)%' and pid <> pg_backend_pid()" >/dev/null
wait "$LOCKER" 2>/dev/null
ok "$([ "$rc" -ne 0 ] && [ "$rc" -lt 128 ]; echo $?)" "its backend killed: the refresh fails cleanly (exit $rc)"
like "$(cat "$WORK/bg.out")" "openrouter.*(terminat|connection|server closed)" "and the error names the source and the reason"
is "$(dump)" "$before" "the catalog (and the event feed) is exactly as before"
llmref refresh --source openrouter >/dev/null 2>&1; ok $? "the next run succeeds"
is "$(changed_events 1.1)" 1 "the price change is one event, not two"
is "$(q "select count(*) from runs where outcome = 'running'")" 0 "the cut run is closed"

# 2. the postmaster killed (SIGKILL) in the middle of the transaction
set_price 0.0000013
before=$(dump)
hold_prices; ok $? "a lock on prices is held again"
refresh_bg
wait_for 20 waiting; ok $? "the refresh waits inside its transaction again"
kill -KILL "$(head -n 1 "$OWN/data/postmaster.pid")"
wait "$RPID"; rc=$?
wait "$LOCKER" 2>/dev/null
ok "$([ "$rc" -ne 0 ] && [ "$rc" -lt 128 ]; echo $?)" "the postmaster killed: the refresh fails cleanly (exit $rc)"
like "$(cat "$WORK/bg.out")" "openrouter" "and names the source"
restart() { pg start 2>/dev/null; }
wait_for 30 restart; ok $? "PostgreSQL starts again (crash recovery)"
is "$(dump)" "$before" "after recovery the catalog is exactly as before"
llmref refresh --source openrouter >/dev/null 2>&1; ok $? "the next run succeeds"
is "$(changed_events 1.3)" 1 "the price change is one event, not two"
is "$(q "select count(*) from runs where outcome = 'running'")" 0 "the cut run is closed"
is "$(q "select count(*) from (select kind, subject, payload from events where kind <> 'comparison.changed' group by 1, 2, 3 having count(*) > 1) d")" 0 \
	"no event appears twice in the feed"

# 3. PostgreSQL down when a refresh starts
pg "stop -m fast"
out=$(llmref refresh --source openrouter 2>&1); rc=$?
is "$rc" 4 "a refresh with the database down exits 4"
like "$out" "cannot connect to PostgreSQL" "and says the database is the reason"
pg start; ok $? "PostgreSQL back"

# 4. a full disk under the spool: a clear error, no half file visible,
# and the batch comes whole on the next pass
mkdir -p "$WORK/full"
if mount -t tmpfs -o size=256k tmpfs "$WORK/full" 2>/dev/null; then
	MNT=$WORK/full
	mkdir -p "$MNT/spool"
	printf '[diff]\nspool = %s\n[daemon]\nmetrics_file = %s\n' "$MNT/spool" "$MNT/llmref.prom" >> "$CONF"
	llmref refresh --source openrouter >/dev/null 2>&1; ok $? "with a spool: a refresh writes its first batch"
	cursor=$(cat "$MNT/spool/cursor")
	batches=$(ls "$MNT/spool")
	dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null
	set_price 0.0000015
	out=$(llmref refresh --source openrouter 2>&1); rc=$?
	is "$rc" 6 "the spool's disk full: the refresh held, the command says the spool failed (exit 6, not 70)"
	like "$out" "spool.*No space left on device" "and says where and why"
	is "$(ls "$MNT/spool")" "$batches" "no new file is visible, not even a temporary"
	is "$(cat "$MNT/spool/cursor")" "$cursor" "the cursor has not moved"
	is "$(changed_events 1.5)" 1 "the change itself is in the catalog's feed"
	rm -f "$MNT/fill"
	llmref refresh --source openrouter >/dev/null 2>&1; ok $? "with space again the next pass succeeds"
	last=$(q "select max(id) from events")
	is "$(cat "$MNT/spool/cursor")" "$last" "and the spool caught up"
	b="$MNT/spool/events-$((cursor + 1))-$last.jsonl"
	ok "$([ -f "$b" ]; echo $?)" "one batch after the old cursor: $(basename "$b")"
	is "$(wc -l < "$b")" "$((last - cursor))" "every event once"

	# room for the batch but not for the cursor: the batch is taken back,
	# so that the next pass never writes a second, overlapping one
	cursor=$last; batches=$(ls "$MNT/spool")
	free=$(df --output=avail -k "$MNT" | tail -n 1)
	dd if=/dev/zero of="$MNT/fill" bs=4k count=$(( free / 4 - 1 )) 2>/dev/null
	set_price 0.0000017
	out=$(llmref refresh --source openrouter 2>&1); rc=$?
	like "$out" "spool: cursor: No space left on device; batch events-.* taken back" \
		"one page free: the cursor cannot be written, and says so"
	is "$rc" 6 "exit 6 for the spool"
	is "$(ls "$MNT/spool")" "$batches" "the batch written before it was taken back"
	rm -f "$MNT/fill"
	llmref refresh --source openrouter >/dev/null 2>&1
	last=$(q "select max(id) from events")
	ok "$([ -f "$MNT/spool/events-$((cursor + 1))-$last.jsonl" ]; echo $?)" \
		"the next pass writes it whole, from the old cursor"

	# 5. the metrics file on a full disk keeps its last complete version
	"$LLMREF_BIN" -c "$CONF" daemon --once --allow-root >/dev/null 2>&1
	tail -n 1 "$MNT/llmref.prom" | grep -q '^llmref_database_up 1$'; ok $? "the daemon wrote a metrics file"
	cp "$MNT/llmref.prom" "$WORK/prom.before"
	dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null
	"$LLMREF_BIN" -c "$CONF" daemon --once --allow-root > "$WORK/d.log" 2>&1
	like "$(cat "$WORK/d.log")" "metrics: .*llmref.prom.*No space left on device" "the full disk is logged"
	cmp -s "$MNT/llmref.prom" "$WORK/prom.before"; ok $? "the metrics file is still the last complete one"
	is "$(ls -a "$MNT" | grep -c 'prom.tmp')" 0 "no temporary left behind"
	rm -f "$MNT/fill"
else
	ok 0 "# SKIP cannot mount a tmpfs (not root, or no permission)"
fi
stop_own
done_testing
