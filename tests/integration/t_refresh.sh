#!/bin/bash
# One refresh end to end over the two shipped sample sources served by the
# fixture server: rows stored with exact prices, one canonical model for
# both provider spellings, and a second refresh that changes nothing.
. "$(dirname "$0")/lib.sh"
need_pg
setup_local
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }

out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "refresh --all succeeds"
like "$out" "fireworks: ok, [0-9]+ rows: [0-9]+ added, 0 changed, 0 unchanged, 0 gone" "fireworks reports its rows"
is "$(printf '%s\n' "$out" | grep -v '^diff:' | cut -d: -f1 | tr '\n' ' ')" "openrouter fireworks " "the authoritative source is applied first"
like "$out" "openrouter: ok, [0-9]+ rows: [0-9]+ added, 0 changed, 0 unchanged, 0 gone" "openrouter reports its rows"

or_rows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["data"]))' \
	"$LLMREF_SRCDIR/tests/fixtures/pages/openrouter.ai/api/v1/models/__index__")
is "$(q "select count(*) from routes where source_id = 'openrouter'")" "$or_rows" "every OpenRouter model is a route"
fw_rows=$(xmllint --html --xpath "count(//table[@id='serverless-pricing']/tbody/tr)" \
	"$LLMREF_SRCDIR/tests/fixtures/pages/fireworks.ai/pricing" 2>/dev/null)
fw_routes=$(q "select count(*) from routes where source_id = 'fireworks'")
fw_unmatched=$(q "select count(*) from unmatched where source_id = 'fireworks' and resolved_run is null")
is "$((fw_routes + fw_unmatched))" "$fw_rows" "every Fireworks table row is a route or waits unmatched"
ok "$([ "$fw_routes" -ge 4 ]; echo $?)" "Fireworks names matched OpenRouter's models ($fw_routes routes)"
is "$(q "select count(*) from prices")" "$((or_rows + fw_routes))" "one price row per route"
is "$(q "select count(*) from models")" "$(q "select count(distinct model_id) from routes where source_id = 'openrouter'")" \
	"only the authoritative source created models"
like "$(q "select string_agg(provider_model_id, ',') from unmatched where source_id = 'fireworks'")" "DeepSeek R1" \
	"a name that matches no model waits on the unmatched list"
is "$(q "select count(*) from alerts where kind = 'unmatched_models' and subject = 'fireworks' and resolved_at is null")" 1 \
	"with one open alert"
like "$(llmref unmatched)" "fireworks +DeepSeek R1 +deepseek-r1" "llmref unmatched lists it"
like "$out" "fireworks: ok, $fw_rows rows: $fw_routes added, 0 changed, 0 unchanged, 0 gone, $fw_unmatched unmatched" \
	"fireworks reports routes and unmatched"

# exact values, straight from the fixtures
is "$(q "select p.input_kind, p.input_usd_per_mtok, p.output_usd_per_mtok from current_prices p join routes r on r.id = p.route_id where r.provider_model_id = 'meta-llama/llama-3.2-1b-instruct'")" \
	"value|0.027|0.201" "OpenRouter per-token 0.000000027 / 0.000000201 stored as 0.027 / 0.201 per 1M"
is "$(q "select p.input_usd_per_mtok, p.output_usd_per_mtok from current_prices p join routes r on r.id = p.route_id where r.source_id = 'fireworks' and r.model_id = 'llama-3.2-1b-instruct'")" \
	"0.1|0.1" "Fireworks \$0.10 stored as 0.1 per 1M"
is "$(q "select count(distinct source_id) from routes where model_id = 'llama-3.2-1b-instruct'")" 2 \
	"both spellings of Llama 3.2 1B Instruct are one canonical model"
is "$(q "select value from current_route_facts f join routes r on r.id = f.route_id where r.provider_model_id = 'meta-llama/llama-3.2-1b-instruct' and fact = 'context_window'")" \
	60000 "context window stored"
is "$(q "select count(*) from current_prices where input_kind = 'unpriced' and output_kind = 'unpriced'")" 1 \
	"'Contact sales' is unpriced, not \$0"
is "$(q "select count(*) from current_prices where input_kind = 'dynamic'")" 1 "OpenRouter's -1 is dynamic, not negative"
is "$(q "select variant from routes where provider_model_id like '%:free'")" free ":free is a variant of a route"
is "$(q "select count(*) from runs where outcome = 'ok'")" 2 "two ok runs recorded"

before=$(catalog_dump)
out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "second refresh succeeds"
like "$out" "fireworks: ok, $fw_rows rows: 0 added, 0 changed, $fw_routes unchanged, 0 gone, $fw_unmatched unmatched" \
	"fireworks, with names waiting, is read again (no validators) and changes nothing"
like "$out" "openrouter: unchanged \(HTTP 304" "openrouter: 304, nothing parsed"
is "$(catalog_dump)" "$before" "catalog tables identical after the second refresh"
like "$(grep -v '^END' "$FIXTURE_LOG" | grep -F /openrouter.ai/ | tail -n 1)" 'inm="[0-9a-f]{32}"' "the second request carried If-None-Match"

# bytes that differ but say the same: parsed, nothing written
mkdir -p "$WORK/pages"
cp -r "$LLMREF_SRCDIR/tests/fixtures/pages/." "$WORK/pages/"
echo "<!-- rebuilt -->" >> "$WORK/pages/fireworks.ai/pricing"
fixture_stop
fixture_start "$WORK/pages" "$WORK"
rm -rf "$WORK/sources.d"
local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT"
out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "refresh after a cosmetic change succeeds"
like "$out" "fireworks: ok, $fw_rows rows: 0 added, 0 changed, $fw_routes unchanged, 0 gone, $fw_unmatched unmatched" "fireworks: parsed, nothing changed"
is "$(catalog_dump)" "$before" "catalog tables still identical"

# a price change adds history and keeps the old row
sed -i 's/"0.000000201"/"0.000000250"/' "$WORK/pages/openrouter.ai/api/v1/models/__index__"
fixture_stop
fixture_start "$WORK/pages" "$WORK"
rm -rf "$WORK/sources.d"
local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT"
out=$(llmref refresh --provider openrouter 2>&1); rc=$?
is "$rc" 0 "refresh --provider openrouter succeeds"
like "$out" "openrouter: ok, $or_rows rows: 0 added, 1 changed" "one route changed"
is "$(q "select string_agg(output_usd_per_mtok::text, ',' order by p.id) from prices p join routes r on r.id = p.route_id where r.provider_model_id = 'meta-llama/llama-3.2-1b-instruct'")" \
	"0.201,0.25" "old price kept, new price added"

out=$(llmref export catalog); rc=$?
is "$rc" 0 "export catalog succeeds"
is "$(printf '%s' "$out" | python3 -c '
import json,sys
d=json.load(sys.stdin)
m=[m for m in d["models"] if m["id"]=="llama-3.2-1b-instruct"][0]
print(" ".join(sorted(r["provider"]+"="+str(r["output"]["usd_per_mtok"]) for r in m["routes"])))')" \
	"fireworks=0.1 openrouter=0.25" "export shows both routes with exact prices as strings"
# a dry run names what would wait unmatched, once per name
out=$(llmref refresh --source fireworks --dry-run 2>&1); rc=$?
is "$rc" 0 "refresh --dry-run of fireworks succeeds"
like "$out" "\\? DeepSeek R1 +matches no model" "it lists a name that matches no model"
is "$(printf '%s\n' "$out" | grep -c '^  ? ')" "$(q "select count(*) from unmatched where source_id = 'fireworks' and resolved_run is null")" \
	"each waiting name once"
is "$(llmref refresh --source fireworks --dry-run --json | grep -c '"change": *"unmatched"')" \
	"$(q "select count(*) from unmatched where source_id = 'fireworks' and resolved_run is null")" "and as JSON lines"

# an alias that fixes one unmatched name: the open alert's count follows
n=$(q "select count(*) from unmatched where source_id = 'fireworks' and resolved_run is null")
spelling=$(q "select model_id from unmatched where source_id = 'fireworks' and resolved_run is null order by model_id limit 1")
{ cat "$LLMREF_SRCDIR/conf/aliases.conf"; echo "$spelling = llama-3.1-405b-instruct"; } > "$WORK/aliases.conf"
sed -i "s#^aliases = .*#aliases = $WORK/aliases.conf#" "$CONF"
out=$(llmref refresh --provider fireworks 2>&1); rc=$?
is "$rc" 0 "refresh after the alias succeeds"
is "$(q "select count(*) from unmatched where source_id = 'fireworks' and resolved_run is null")" "$((n - 1))" \
	"the aliased name ($spelling) no longer waits"
if [ "$n" -gt 1 ]; then
	like "$(q "select message from alerts where kind = 'unmatched_models' and subject = 'fireworks' and resolved_at is null")" \
		"fireworks: $((n - 1)) model name" "the open alert states the new count, not the old $n"
else
	is "$(q "select count(*) from alerts where kind = 'unmatched_models' and subject = 'fireworks' and resolved_at is null")" 0 \
		"the alert is resolved"
fi
done_testing
