#!/bin/bash
# The diff stage over every shipped source: the comparison record of the
# reference page's two models reproduces the page's figures; one price
# change emits events for exactly the affected pairs and a second
# identical run emits none; the feed is read with --since and --follow;
# stale-data alerts are raised once and resolved once; the spool gets
# each batch whole.
. "$(dirname "$0")/lib.sh"
need_pg
mkdir -p "$WORK/pages" "$WORK/spool"
cp -r "$LLMREF_SRCDIR/tests/fixtures/pages/." "$WORK/pages/"
fixture_start "$WORK/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
local_sources "$LLMREF_SRCDIR/conf/sources.d" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
printf '[diff]\nspool = %s\n' "$WORK/spool" >> "$CONF"
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
A=llama-3.2-1b-instruct
B=llama-3.1-405b-instruct

out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "every shipped source refreshes"
like "$out" "diff: [0-9]+ models changed; [0-9]+ comparison records recomputed, [0-9]+ changed" \
	"the diff pass reports what it did"
is "$(q "select count(*) from events where kind = 'route.added'")" "$(q "select count(*) from routes")" \
	"one route.added event per route"
is "$(q "select payload - 'provider_model_id' from events e join routes r on r.id = (select min(id) from routes where source_id = 'bedrock') where e.kind = 'route.added' and e.payload->>'source' = 'bedrock' and e.payload->>'provider_model_id' = r.provider_model_id")" \
	"$(q "select jsonb_build_object('model', model_id, 'provider', provider_id, 'source', source_id, 'served_by', served_by, 'status', status) from routes where id = (select min(id) from routes where source_id = 'bedrock')")" \
	"its payload names the model, provider, source, served_by and status"
is "$(q "select count(*) from events e join runs r on r.id = e.run_id where e.kind = 'route.added' and r.source_id <> e.payload->>'source'")" 0 \
	"and carries the run of its own source"
models=$(q "select count(distinct model_id) from provider_routes")
pairs=$((models * (models - 1) / 2))
is "$(q "select count(*) from comparisons")" "$pairs" "one record per pair of the $models served models"

# ---- the reference page's figures -----------------------------------
rec=$(llmref export comparison $A $B); rc=$?
is "$rc" 0 "export comparison succeeds"
printf '%s' "$rec" > "$WORK/rec.json"
r() { python3 -c "import json,sys; r=json.load(open('$WORK/rec.json')); a,b=r['models']; print($1)"; }
is "$(r "a['name'], '|', b['name']")" "Llama 3.2 1B | Llama 3.1 405B Instruct" "the two models, by name"
is "$(r "a['cheapest_output'], b['cheapest_output']")" \
	"{'provider': 'fireworks', 'provider_name': 'Fireworks AI', 'usd_per_mtok': '0.1'} {'provider': 'bedrock', 'provider_name': 'AWS Bedrock', 'usd_per_mtok': '2.4'}" \
	"cheapest output: \$0.10 on Fireworks AI vs \$2.40 on AWS Bedrock"
is "$(r "a['cheapest_input']['usd_per_mtok'], b['cheapest_input']['usd_per_mtok']")" "0.1 2.4" \
	"cheapest input: \$0.10 vs \$2.40"
is "$(r "r['output_price_gap_percent']")" 2300 "the ~2300% output price gap"
is "$(r "a['monthly_cost_usd'], b['monthly_cost_usd'], r['monthly_cost_gap_usd']")" "105 2520 2415" \
	"\$105 vs \$2,520 a month, a \$2,415 gap"
is "$(r "r['traffic']")" "{'tokens_per_month': 1050000000, 'input_share': '0.7'}" "at 1,050,000,000 tokens, 70/30"
is "$(r "r['blended_price_gap_usd_per_mtok'], r['output_price_gap_usd_per_mtok']")" "2.3 2.3" \
	"the \$2.30 blended (and output) gap"
is "$(r "a['route_count'], b['route_count']")" "1 11" "1 vs 11 provider routes"
is "$(r "[p['provider_name'] for p in r['shared_providers']]")" "['Fireworks AI']" "the Fireworks AI overlap"
is "$(r "[x for x in r['benchmark_leads'] if x['benchmark'] == 'mmlu']")" "[{'benchmark': 'mmlu', 'leader': '$B', 'lead': '34.4'}]" \
	"the 34.4-point MMLU lead (54.2 vs 88.6)"
is "$(r "[x['benchmark'] for x in r['benchmark_leads']]")" "['gpqa', 'gsm8k', 'humaneval', 'math', 'mmlu']" \
	"a lead for each benchmark both cards report"
is "$(r "a['benchmarks']['mmlu'], b['benchmarks']['mmlu'], b['benchmark_names']['mmlu']")" \
	"54.2 88.6 Massive Multitask Language Understanding" "the benchmark row"
is "$(r "r['unique_capabilities']")" "{'$A': [], '$B': ['structured_outputs']}" \
	"structured outputs is the only unique capability"
is "$(r "sorted(k for k, v in a['capabilities'].items() if v), sorted(k for k, v in b['capabilities'].items() if v), len(a['capabilities'])")" \
	"[] ['structured_outputs'] 10" "ten capabilities, all No but the 405B's structured outputs"
is "$(r "[(m['released'], m['context_window'], m['parameters'], m['architecture'], m['license'], m['openness'], m['commercial_use'], m['knowledge_cutoff']) for m in (a, b)]")" \
	"[('2024-09-25', '131072', '1235814400', 'decoder only', 'Llama 3 Community', 'Open weights', 'Commercial use with conditions', '2023-12'), ('2024-07-23', '131072', '405853388800', 'decoder only', 'Llama 3 Community', 'Open weights', 'Commercial use with conditions', '2023-12')]" \
	"the specs table (128k = 131072 tokens, 1.23B and 405B parameters)"
is "$(r "a['creator'], b['creator']")" "Meta Meta" "both from Meta"
is "$(r "[(x['provider_name'], x['status']) for x in b['routes'] if x['status'] != 'active']")" \
	"[('OctoAI API (Deprecated)', 'deprecated')]" "OctoAI is listed, deprecated, never the cheapest"
is "$(r "sorted(x['provider'] for x in b['routes'])")" \
	"['azure', 'bedrock', 'deepinfra', 'fireworks', 'hyperbolic', 'octoai', 'sambanova', 'scaleai', 'together', 'vertex', 'watsonx']" \
	"the 405B's providers: OpenRouter's endpoints count as the provider behind them"
is "$(r "len(r['record_hash'])")" 64 "a record hash"
is "$(llmref export model $B | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["id"], m["route_count"], m["monthly_cost_usd"])')" \
	"$B 11 2520" "export model prints one half"
is "$(q "select record_hash from comparisons where model_a = '$B' and model_b = '$A'")" \
	"$(llmref export comparison $B $A | python3 -c 'import json,sys; print(json.load(sys.stdin)["record_hash"])')" \
	"the stored record (models in id order) has the hash of the export in that order"
out=$(llmref export comparison $A no-such-model 2>&1); rc=$?
is "$rc" 2 "an unknown model exits 2"
like "$out" "no provider serves a model 'no-such-model'" "and says which"

# ---- one price change: events for exactly the affected pairs ---------
last=$(q "select coalesce(max(id), 0) from events")
out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "a second refresh with nothing changed succeeds"
is "$(q "select count(*) from events where id > $last")" 0 "and appends no event at all"
unlike_diff=$(printf '%s\n' "$out" | grep -c '^diff:')
is "$unlike_diff" 0 "nor runs a diff pass (no model changed)"

sed -i 's#<tr><td>Llama 3.1 Instruct (405B)</td><td>$0.0024</td><td>$0.0024</td>#<tr><td>Llama 3.1 Instruct (405B)</td><td>$0.0024</td><td>$0.0025</td>#' \
	"$WORK/pages/aws.amazon.com/bedrock/pricing"
out=$(llmref refresh --source bedrock 2>&1); rc=$?
is "$rc" 0 "Bedrock's 405B output price moves to \$2.50"
like "$out" "diff: 1 model changed; $((models - 1)) comparison records recomputed, $((models - 1)) changed" \
	"one model changed: $((models - 1)) records recomputed and changed"
is "$(q "select count(*) from events where id > $last and kind = 'comparison.changed'")" "$((models - 1))" \
	"one comparison.changed event per pair with the 405B"
is "$(q "select count(*) from events where id > $last and kind = 'comparison.changed' and subject not like '%$B%'")" 0 \
	"and none for any other pair"
is "$(q "select count(*) from events where id > $last and kind = 'price.changed'")" 1 "one price.changed event"
is "$(q "select payload->'old'->>'output' || ' ' || (payload->'new'->>'output') from events where id > $last and kind = 'price.changed'")" \
	"2.4 2.5" "with the old and new price"
is "$(q "select c->>'old' || ' ' || (c->>'new') from events e, jsonb_array_elements(e.payload->'changes') c where e.id > $last and e.subject = '$B|$A' and c->>'field' = 'models/0/cheapest_output/usd_per_mtok'")" \
	"2.4 2.5" "the pair's event names the changed field with old and new values"
is "$(q "select count(distinct run_id) from events where id > $last")" 1 "all carry the run that changed the price"
last=$(q "select max(id) from events")
out=$(llmref reparse --source bedrock 2>&1); rc=$?
is "$rc" 0 "the same page read again"
is "$(q "select count(*) from events where id > $last")" 0 "emits nothing"

# ---- reading the feed ------------------------------------------------
ev=$(llmref events --since 0 --limit 100000)
is "$(printf '%s\n' "$ev" | python3 -c 'import json,sys; ids=[json.loads(l)["id"] for l in sys.stdin]; print(ids == sorted(ids) and len(ids) == len(set(ids)))')" \
	True "events --since 0: every event once, in increasing id order"
is "$(printf '%s\n' "$ev" | wc -l)" "$(q "select count(*) from events")" "all of them"
is "$(llmref events --since "$last" | wc -l)" 0 "--since the last id: nothing new"
"$LLMREF_BIN" -c "$CONF" events --since "$last" --follow > "$WORK/follow" 2>&1 & fpid=$!
sleep 0.5
sed -i 's#<td>$0.0024</td><td>$0.0025</td>#<td>$0.0024</td><td>$0.0026</td>#' "$WORK/pages/aws.amazon.com/bedrock/pricing"
llmref refresh --source bedrock >/dev/null 2>&1
for i in $(seq 1 50); do
	[ "$(grep -c comparison.changed "$WORK/follow")" -ge "$((models - 1))" ] && break
	sleep 0.1
done
kill -TERM "$fpid"; wait "$fpid"; frc=$?
is "$frc" 0 "events --follow exits 0 on SIGTERM"
is "$(python3 -c 'import json,sys; print(sum(json.loads(l)["kind"] == "comparison.changed" for l in open(sys.argv[1])))' "$WORK/follow")" "$((models - 1))" \
	"--follow printed the new events as they were committed"
is "$(python3 -c 'import json,sys; print(min(json.loads(l)["id"] for l in open(sys.argv[1])) > int(sys.argv[2]))' "$WORK/follow" "$last")" \
	True "and only those after --since"

# ---- the spool ---------------------------------------------------------
is "$(cat "$WORK/spool/cursor")" "$(q "select max(id) from events")" "the spool's cursor is the last event"
is "$(cat "$WORK"/spool/events-*.jsonl | wc -l)" "$(q "select count(*) from events")" \
	"its batch files hold every event once"
is "$(ls -A "$WORK/spool" | grep -c tmp)" 0 "and no temporary file is left"
# a lost cursor: the spool goes on from the batch files present, not from event 1
rm "$WORK/spool/cursor"
nfiles=$(ls "$WORK"/spool/events-*.jsonl | wc -l)
sed -i 's/0\.20/0.21/' "$WORK/pages/fireworks.ai/pricing"
llmref refresh --source fireworks >/dev/null 2>&1
is "$(cat "$WORK"/spool/events-*.jsonl | wc -l)" "$(q "select count(*) from events")" \
	"a lost cursor: the next batch holds only the new events (each event once in the spool)"
is "$(ls "$WORK"/spool/events-*.jsonl | wc -l)" "$((nfiles + 1))" "in one new batch file"
is "$(cat "$WORK/spool/cursor")" "$(q "select max(id) from events")" "and the cursor is back"

# ---- stale-data alerts -------------------------------------------------
sed -i 's/^\[alerts\]$//' "$CONF"
printf '[alerts]\nmax_age_pricing = 1s\n' >> "$CONF"
sleep 1.2
out=$(llmref refresh --source curated-llama 2>&1)
stale=$(q "select count(*) from alerts where kind = 'stale' and resolved_at is null")
is "$stale" "$(q "select count(*) from sources where kind = 'pricing'")" "every pricing source older than 1 s is stale: one alert each"
like "$(llmref alerts)" "stale +bedrock +[0-9T:Z-]+ +source bedrock: pricing data last confirmed" "llmref alerts lists them"
out=$(llmref refresh --source curated-llama 2>&1)
is "$(q "select count(*) from alerts where kind = 'stale'")" "$stale" "still stale: no second alert"
is "$(q "select count(*) from events where kind = 'alert.raised' and subject like 'stale:%'")" "$stale" \
	"one alert.raised event each"
sed -i 's/^max_age_pricing = 1s$/max_age_pricing = 7d/' "$CONF"
out=$(llmref refresh --source curated-llama 2>&1)
is "$(q "select count(*) from alerts where kind = 'stale' and resolved_at is null")" 0 "fresh again: resolved"
is "$(q "select count(*) from events where kind = 'alert.resolved' and subject like 'stale:%'")" "$stale" \
	"one alert.resolved event each"

# a pairs_file: only the listed pairs are recomputed, and only the models
# they need are loaded (one listed pair with the 405B, one without it)
other=$(q "select model_a from comparisons where model_a <> '$A' and model_a <> '$B' and model_b <> '$B' and model_b <> '$A' limit 1")
other2=$(q "select model_b from comparisons where model_a = '$other' and model_b <> '$A' and model_b <> '$B' limit 1")
printf '%s %s\n# a comment\n%s %s\n' "$B" "$A" "$other" "$other2" > "$WORK/pairs"
printf '[diff]\npairs_file = %s\n' "$WORK/pairs" >> "$CONF"
before=$(q "select record_hash from comparisons where model_a = '$other' and model_b = '$other2'")
sed -i 's#<td>$0.0024</td><td>$0.0026</td>#<td>$0.0024</td><td>$0.0027</td>#' "$WORK/pages/aws.amazon.com/bedrock/pricing"
out=$(llmref refresh --source bedrock 2>&1)
like "$out" "diff: 1 model changed; 1 comparison record recomputed, 1 changed" \
	"with a pairs_file, the one listed pair of the changed model is recomputed"
is "$(q "select record_hash from comparisons where model_a = '$other' and model_b = '$other2'")" "$before" \
	"the listed pair without it is left alone"

# a source failing three runs in a row
sed -i "s#^url = .*#url = http://127.0.0.1:$FIXTURE_PORT/_mis/status-500/groq.com/pricing#" "$WORK/sources.d/groq.conf"
for i in 1 2 3 4; do llmref refresh --source groq >/dev/null 2>&1; done
is "$(q "select count(*) from alerts where kind = 'failing' and subject = 'groq'")" 1 "four failures: one failing alert"
like "$(llmref alerts --json)" '"kind":"failing","subject":"groq"' "alerts --json shows it"
done_testing
