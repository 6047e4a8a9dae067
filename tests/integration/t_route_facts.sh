#!/bin/bash
# More about a route than its prices: a deprecation date that has come
# marks the route deprecated (OctoAI's sunset banner), and max output and
# cached input prices are kept as route facts with history.
. "$(dirname "$0")/lib.sh"
need_pg
fixture_start "$LLMREF_SRCDIR/tests/fixtures/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
mkdir -p "$WORK/pick"
cp "$LLMREF_SRCDIR/conf/sources.d/octoai.conf" "$LLMREF_SRCDIR/conf/sources.d/openrouter.conf" "$WORK/pick/"
# OpenRouter's list also states max output and cached input prices
sed -i 's/context_window: \.context_length}/context_window: .context_length, max_output: .top_provider.max_completion_tokens, cached_input_price: .pricing.input_cache_read}/' "$WORK/pick/openrouter.conf"
local_sources "$WORK/pick" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }

out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "refresh succeeds"
is "$(q "select status from routes where source_id = 'octoai' and provider_model_id = 'Llama 3.1 405B Instruct'")" deprecated \
	"OctoAI's 405B route is deprecated (sunset on October 31, 2024)"
is "$(q "select value from current_route_facts f join routes r on r.id = f.route_id where r.source_id = 'octoai' and r.provider_model_id = 'Llama 3.1 405B Instruct' and fact = 'deprecation_date'")" \
	2024-10-31 "the deprecation date is kept as a route fact"
is "$(q "select count(*) from routes where source_id = 'octoai' and status = 'active'")" 0 "every OctoAI route is deprecated"
is "$(q "select count(*) from events where kind = 'route.deprecated' and payload->>'source' = 'octoai'")" \
	"$(q "select count(*) from routes where source_id = 'octoai'")" "one route.deprecated event each"
is "$(q "select value from current_route_facts f join routes r on r.id = f.route_id where r.provider_model_id = 'moonshotai/kimi-k2-instruct' and fact = 'max_output'")" \
	131072 "max output from top_provider.max_completion_tokens"
is "$(q "select value from current_route_facts f join routes r on r.id = f.route_id where r.provider_model_id = 'deepseek/deepseek-chat-v3-0324' and fact = 'cached_input_usd_per_mtok'")" \
	0.14 "cached input price per 1M from input_cache_read (per token)"
is "$(q "select count(*) from current_route_facts where fact = 'cached_input_usd_per_mtok'")" 2 \
	"only where the list states one"
# every stored fact is visible (issue 16): show model and export catalog
like "$(llmref show model deepseek-chat-v3-0324)" "cached_input_usd_per_mtok=0.14" \
	"show model shows a route's cached input price"
like "$(llmref show model deepseek-chat-v3-0324 --json)" '"route_facts": "cached_input_usd_per_mtok=0.14' \
	"and so does show model --json"
got=$(llmref export catalog | python3 -c 'import json,sys
for m in json.load(sys.stdin)["models"]:
    for r in m["routes"]:
        if r["provider_model_id"] == "Llama 3.1 405B Instruct":
            print(r["route_facts"].get("deprecation_date"))')
is "$got" 2024-10-31 "export catalog carries the facts of each route (the OctoAI deprecation date)"
got=$(llmref export model llama-3.1-405b-instruct | python3 -c 'import json,sys
print(",".join(r["provider"] + "=" + r["route_facts"].get("deprecation_date", "-")
               for r in json.load(sys.stdin)["routes"]))')
like "$got" "(^|,)octoai=2024-10-31(,|$)" "export model: the comparison record's routes carry their facts (OctoAI's date)"
rf() { q "select value from current_route_facts f join routes r on r.id = f.route_id where r.provider_model_id = '$1' and fact = '$2'"; }
is "$(rf google/gemini-1.5-pro tier_threshold_tokens)" 128000 "a price tier from 128,000 prompt tokens"
is "$(rf google/gemini-1.5-pro tier_input_usd_per_mtok)" 2.5 "tier input price per 1M (0.0000025 per token)"
is "$(rf google/gemini-1.5-pro tier_output_usd_per_mtok)" 10 "tier output price per 1M"
is "$(q "select count(*) from current_route_facts where fact like 'tier_%'")" 3 "only the model with a tier has tier facts"
before=$(catalog_dump)
out=$(llmref refresh --all 2>&1)
is "$(catalog_dump)" "$before" "a second refresh writes nothing"

# a future deprecation date does not deprecate yet
sed -i 's|^jq = .* as \$sunset$|jq = "2099-01-01" as $sunset|' "$WORK/sources.d/octoai.conf"
grep -q '^jq = "2099-01-01" as \$sunset$' "$WORK/sources.d/octoai.conf" || echo "Bail out! octoai.conf's jq changed"
q "update routes set status = 'active' where source_id = 'octoai'" >/dev/null
out=$(llmref refresh --source octoai 2>&1); rc=$?
is "$rc" 0 "refresh with a future date succeeds"
is "$(q "select count(*) from routes where source_id = 'octoai' and status = 'deprecated'")" 0 "a date still to come deprecates nothing"
is "$(q "select value from current_route_facts f join routes r on r.id = f.route_id where r.source_id = 'octoai' and r.provider_model_id = 'Llama 3.1 405B Instruct' and fact = 'deprecation_date'")" \
	2099-01-01 "the new date is recorded (history kept)"
is "$(q "select count(*) from route_facts f join routes r on r.id = f.route_id where r.source_id = 'octoai' and r.provider_model_id = 'Llama 3.1 405B Instruct' and fact = 'deprecation_date'")" \
	2 "both dates are in the history"
done_testing
