#!/bin/bash
# One stuck provider does not delay the others (issue 17, item 8): with
# OpenRouter's page taking 30 s, Fireworks (every second) keeps running on
# its own interval; its results are applied, and a diff pass runs, while
# the stuck page is still on its way. SIGTERM still stops at once.
. "$(dirname "$0")/lib.sh"
need_pg
# the pages are a copy: one price moves while OpenRouter is stuck
cp -r "$LLMREF_SRCDIR/tests/fixtures/pages" "$WORK/pages"
fixture_start "$WORK/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
llmref refresh --all >/dev/null 2>&1
is "$(q "select count(*) from runs where outcome = 'ok'")" 2 "both sources load first, by hand"

sed -i 's/^interval = .*/interval = 1s/' "$WORK"/sources.d/*.conf
# the stuck provider is another host (localhost, not 127.0.0.1): each
# host has its own max_per_host
sed -i -E "s#^(url *= *)http://127.0.0.1:$FIXTURE_PORT/#\1http://localhost:$FIXTURE_PORT/_mis/delay-30/#" \
	"$WORK/sources.d/openrouter.conf"
sed -i -e 's/^timeout = .*/timeout = 60s/' -e 's/^low_speed_time = .*/low_speed_time = 60s/' "$CONF"

t0=$(q "select now()")
( exec "$LLMREF_BIN" -c "$CONF" daemon --allow-root ) > "$WORK/d.log" 2>&1 &
DPID=$!
# (the thresholds leave room for the suite's valgrind pass, where each
# run is many times slower; before the fix Fireworks did not run at all)
sleep 4
sed -i '0,/<td>\$0.10<\/td>/s//<td>$0.12<\/td>/' "$WORK/pages/fireworks.ai/pricing"
sleep 8
stuck=$(q "select count(*) from runs where source_id = 'openrouter' and outcome = 'running'")
is "$stuck" 1 "OpenRouter's run is still waiting for its page"
n=$(q "select count(*) from runs where source_id = 'fireworks' and started_at > '$t0'")
ok "$([ "$n" -ge 4 ]; echo $?)" "Fireworks ran on its 1 s interval meanwhile ($n runs in 12 s; at least 4)"
gap=$(q "select coalesce(max(d), 0) from (select extract(epoch from started_at - lag(started_at)
	over (order by id)) * 1000 as d from runs where source_id = 'fireworks' and started_at > '$t0') g")
ok "$(awk -v g="$gap" 'BEGIN {exit !(g < 4000)}'; echo $?)" \
	"no gap between two of its runs beyond the interval and jitter (longest ${gap%.*} ms)"
is "$(q "select count(*) from runs where source_id = 'fireworks' and started_at > '$t0' and outcome not in ('ok', 'unchanged')")" 0 \
	"each of them ended (ok or unchanged), none waits on the stuck one"
like "$(cat "$WORK/d.log")" "source fireworks: (ok|unchanged)" "their results are logged as they come"
like "$(cat "$WORK/d.log")" "source fireworks: ok, 9 rows: 0 added, 1 changed" "the price moved on the page is applied"
like "$(cat "$WORK/d.log")" "diff: 1 model\(s\) changed; [1-9][0-9]* record\(s\) recomputed" \
	"and the diff pass runs for it while the stuck page is still on its way"
is "$(q "select p.input_usd_per_mtok from prices p join routes r on r.id = p.route_id
	where r.provider_id = 'fireworks' and r.model_id = 'llama-3.2-1b-instruct' order by p.id desc limit 1")" "0.12" \
	"the catalog holds the new price"
kill -TERM "$DPID"; t1=$(date +%s%N)
wait "$DPID"; rc=$?
ms=$(( ($(date +%s%N) - t1) / 1000000 ))
is "$rc" 0 "SIGTERM with the stuck page in flight: exit 0"
ok "$([ "$ms" -lt 3000 ]; echo $?)" "at once ($ms ms)"
is "$(q "select count(*) from runs where outcome = 'running'")" 0 "no run left open"

# the same with a [fanout] source whose items take 20 s each (its list
# comes at once): the items are fetched beside the other sources' pages,
# not in a refresh of their own that holds everyone
rm "$WORK/sources.d/openrouter.conf"
sed -E -e "s#^url = https://#url = http://localhost:$FIXTURE_PORT/_mis/delay-20/#" \
	-e "s#^list = https://#list = http://127.0.0.1:$FIXTURE_PORT/#" -e 's/^interval = .*/interval = 1s/' \
	"$LLMREF_SRCDIR/conf/examples/openrouter-endpoints-all.conf" > "$WORK/sources.d/orall.conf"
t0=$(q "select now()")
( exec "$LLMREF_BIN" -c "$CONF" daemon --allow-root ) > "$WORK/d2.log" 2>&1 &
DPID=$!
sleep 10
is "$(q "select count(*) from runs where source_id = 'orall' and outcome = 'running'")" 1 \
	"the fanned-out source's run waits for its items"
n=$(q "select count(*) from runs where source_id = 'fireworks' and started_at > '$t0' and outcome in ('ok', 'unchanged')")
ok "$([ "$n" -ge 4 ]; echo $?)" "Fireworks ran on its 1 s interval meanwhile ($n runs in 10 s; at least 4)"
kill -TERM "$DPID"; t1=$(date +%s%N)
wait "$DPID"; rc=$?
ms=$(( ($(date +%s%N) - t1) / 1000000 ))
is "$rc" 0 "SIGTERM with items in flight: exit 0"
ok "$([ "$ms" -lt 3000 ]; echo $?)" "at once ($ms ms)"
like "$(q "select outcome || ': ' || error from runs where source_id = 'orall' order by id desc limit 1")" \
	"failed: stopped before the page arrived" "the fanned-out run is closed as stopped"
is "$(q "select count(*) from runs where outcome = 'running'")" 0 "no run left open"

done_testing
