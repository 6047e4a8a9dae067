#!/bin/bash
# A world unlike the reference page (issue 16, "done when"): three Qwen
# models from the shipped source formats (Fireworks and Bedrock HTML,
# Together JSON with a turbo variant, OctoAI past its sunset, OpenRouter's
# list and endpoints naming "Amazon Bedrock", "Google Vertex", "DeepInfra"
# and an unknown "Nebius AI Studio", benchmark cards, a curated file with
# tags). Every field of the record of the 72B and the 7B equals the one
# tests/integration/world.py computes with Python's Decimal; providers.conf
# counts Bedrock once; the unknown name is listed with one alert.
. "$(dirname "$0")/lib.sh"
need_pg
W="python3 $LLMREF_SRCDIR/tests/integration/world.py"
$W pages "$WORK/pages" || { echo "Bail out! world pages"; exit 1; }
fixture_start "$WORK/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
S=$LLMREF_SRCDIR/conf/sources.d
mkdir -p "$WORK/shipped"
cp "$S/openrouter.conf" "$S/fireworks.conf" "$S/together.conf" "$S/octoai.conf" "$S/bedrock.conf" \
	"$WORK/shipped/"
A=qwen-2.5-72b-instruct
B=qwen-2.5-7b-instruct
C=qwen-2.5-coder-32b-instruct
for m in $A $B; do
	k=$([ $m = $A ] && echo a || echo b)
	sed "s#meta-llama/llama-3.1-405b-instruct#qwen/$m#" "$S/openrouter-endpoints.conf" \
		> "$WORK/shipped/endpoints-$k.conf"
	sed -e "s#meta-llama/Llama-3.2-1B-Instruct#Qwen/$m#g" "$S/card-llama-3-2-1b.conf" \
		> "$WORK/shipped/card-$k.conf"
done
local_sources "$WORK/shipped" "$WORK/sources.d" "$FIXTURE_PORT"
sed -e "s#^file = .*#file = $WORK/pages/curated/qwen.json#" "$S/curated-llama.conf" \
	> "$WORK/sources.d/curated-qwen.conf"
CONF=$(local_config "$WORK")
sed -i "s#^curated = .*#curated = $WORK/pages/curated#" "$CONF"
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }

out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "the world refreshes"; [ "$rc" = 0 ] || printf "%s\n" "$out" | sed "s/^/# /"
like "$out" "diff: 3 models changed; 3 comparison records recomputed, 3 changed" \
	"three models, one creator: three records"

# ---- every field of the record, against Python's Decimal ---------------
today=$(date -u +%F)
llmref export comparison $A $B > "$WORK/got.json"; rc=$?
is "$rc" 0 "export comparison succeeds"
$W expect $A $B "$today" > "$WORK/want.json"
fields() { # fields FILE: every leaf as "path = value", sorted
	python3 -c '
import json, sys
def walk(p, v):
    if isinstance(v, dict):
        for k in v: walk(p + "/" + k, v[k])
    elif isinstance(v, list):
        for i, x in enumerate(v): walk(p + "/" + str(i), x)
    else:
        print(p[1:], "=", json.dumps(v))
walk("", json.load(open(sys.argv[1])))' "$1" | sort
}
fields "$WORK/got.json" > "$WORK/got.txt"
fields "$WORK/want.json" > "$WORK/want.txt"
n=$(wc -l < "$WORK/want.txt")
is "$(diff "$WORK/want.txt" "$WORK/got.txt")" "" "all $n fields of the record equal the Decimal computation"
g() { python3 -c "import json; r=json.load(open('$WORK/got.json')); a,b=r['models']; print($1)"; }
is "$(g "a['cheapest_input']['provider'], a['cheapest_output']['provider'], a['cheapest_route']['provider']")" \
	"together fireworks fireworks" "72B: cheapest input on Together, output and route on Fireworks"
is "$(g "a['monthly_cost_usd'], b['monthly_cost_usd'], r['output_price_gap_percent']")" "771.75 210 133.33" \
	"a cost one route offers; a percentage that does not end rounded half up"
is "$(g "b['cheapest_route']['provider'], b['cheapest_input']['provider']")" "deepinfra deepinfra" \
	"7B: DeepInfra (through the router) and Fireworks tie: the lower provider id"
is "$(g "[(x['provider'], x['status'], x['variant']) for x in a['routes'] + b['routes'] if x['status'] != 'active' or x['variant']]")" \
	"[('octoai', 'deprecated', ''), ('together', 'active', 'turbo')]" "a deprecated route and a variant, listed, never cheapest"
is "$(g "[x['provider_name'] for x in a['routes'] if x['provider'] == 'bedrock'], a['route_count']")" \
	"['AWS Bedrock'] 5" "\"Amazon Bedrock\" on the router is AWS Bedrock, counted once"
is "$(g "[x['provider_name'] for x in b['routes'] if x['provider'] == 'vertex']")" "['Google Vertex AI']" \
	"\"Google Vertex\" is Vertex AI, with its display name"
is "$(g "[(x['benchmark'], x['leader']) for x in r['benchmark_leads']]")" \
	"[('gsm8k', '$B'), ('mmlu', '$A')]" "each model leads a benchmark"
is "$(g "a['tags'], b['tags']")" "['Long context', 'Multilingual'] ['Classification']" "curated tags"
is "$(g "[p['models'] for p in r['related_pairs']]")" "[['$A', '$C'], ['$B', '$C']]" "related pairs"
is "$(q "select record_hash from comparisons where model_a = '$A' and model_b = '$B'")" \
	"$(g "r['record_hash']")" "the stored record is the exported one"

# ---- the unknown provider name ------------------------------------------
like "$(llmref unmatched)" "endpoints-a +Nebius AI Studio +nebius-ai-studio +[0-9-]+ +provider" \
	"the unknown router name is listed, kind provider"
is "$(q "select count(*) from alerts where kind = 'unmatched_providers' and resolved_at is null")" 1 \
	"and raises one alert"
llmref refresh --all >/dev/null 2>&1
is "$(q "select count(*) from alerts where kind = 'unmatched_providers'")" 1 "still one after another refresh"
printf '\n[nebius]\nname = Nebius AI Studio\n' > "$WORK/providers.conf"
cat "$LLMREF_SRCDIR/conf/providers.conf" >> "$WORK/providers.conf"
sed -i "s#^providers = .*#providers = $WORK/providers.conf#" "$CONF"
out=$(llmref refresh --source curated-qwen 2>&1)
is "$(q "select count(*) from alerts where kind = 'unmatched_providers' and resolved_at is null")" 0 \
	"named in providers.conf: resolved"
is "$(llmref export model $A | python3 -c 'import json,sys; print([r["provider"] for r in json.load(sys.stdin)["routes"]])')" \
	"['bedrock', 'fireworks', 'nebius', 'octoai', 'together']" "and the route counts as that provider"

# ---- providers.conf errors name file and line -----------------------------
printf '[bedrock]\nname = AWS Bedrock\n[vertex]\nname = Google Vertex AI\naka = aws-bedrock\n' > "$WORK/bad.conf"
sed -i "s#^providers = .*#providers = $WORK/bad.conf#" "$CONF"
out=$(llmref sources list 2>&1); rc=$?
is "$rc" 3 "one name given to two providers: a configuration error"
like "$out" "bad.conf:5: 'aws-bedrock' already names provider bedrock" "naming file and line"

done_testing
