#!/bin/bash
# Real data: OpenRouter's full model list (a real capture in
# ../shared/corpus/) through the shipped OpenRouter source, served by the
# fixture server. Skips cleanly where the corpus is absent.
. "$(dirname "$0")/lib.sh"
corpus=${LLMREF_CORPUS:-$LLMREF_SRCDIR/../shared/corpus}
full=$corpus/openrouter_api_v1_models_full.json
[ -r "$full" ] || skip_all "shared corpus not found at $corpus"
need_pg

mkdir -p "$WORK/pages/openrouter.ai/api/v1"
cp "$full" "$WORK/pages/openrouter.ai/api/v1/models"
fixture_start "$WORK/pages" "$WORK"
mkdir -p "$WORK/sources.d"
local_sources "$SAMPLES" "$WORK/all" "$FIXTURE_PORT"
cp "$WORK/all/openrouter.conf" "$WORK/sources.d/"
CONF=$(local_config "$WORK")
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }

out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "the full OpenRouter list ingests"
want=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["data"]))' "$full")
is "$(q "select count(*) from routes")" "$want" "one route per model ($want)"

# every stored price equals the capture's per-token string times 10^6, exactly
python3 - "$full" > "$WORK/expected" <<'PY'
import json, sys
from decimal import Decimal
d = json.load(open(sys.argv[1]))
for m in d["data"]:
    p = m["pricing"]
    out = []
    for k in ("prompt", "completion"):
        v = Decimal(p[k])
        if v == -1: out.append("dynamic|")
        elif v == 0: out.append("free|")
        else: out.append("value|" + format((v * 1000000).normalize(), "f"))
    print(m["id"] + "|" + "|".join(out))
PY
q "select r.provider_model_id || '|' || input_kind || '|' || coalesce(trim_scale(input_usd_per_mtok)::text, '') || '|' || output_kind || '|' || coalesce(trim_scale(output_usd_per_mtok)::text, '') from current_prices p join routes r on r.id = p.route_id" | sort > "$WORK/got"
sort -o "$WORK/expected" "$WORK/expected"
diffs=$(diff "$WORK/expected" "$WORK/got" | head -5)
is "$diffs" "" "every price matches the capture exactly"
counts=$(q "select input_kind, count(*) from current_prices group by 1 order by 1" | tr '\n' ' ')
echo "# input price outcomes: $counts"
like "$counts" "dynamic\|[0-9]+ free\|[0-9]+ value\|[0-9]+" "priced, free and dynamic outcomes all occur"
is "$(q "select count(*) from current_prices where input_usd_per_mtok < 0 or output_usd_per_mtok < 0")" 0 "no negative price stored"

# LiteLLM's price map (2,985 keys): an object keyed by model name, prices
# per token as JSON numbers such as 1.5e-07 (kept exactly as written).
litellm=$corpus/litellm_model_prices_and_context_window_2026-07-24.json
mkdir -p "$WORK/pages/raw.githubusercontent.com/BerriAI/litellm/main"
cp "$litellm" "$WORK/pages/raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
cat > "$WORK/sources.d/litellm.conf" <<CONF
[source]
provider = litellm
provider_name = LiteLLM price map
kind = pricing
url = http://127.0.0.1:$FIXTURE_PORT/raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json
format = json
authoritative = yes
[extract]
rows = \$.*
model = @key
input_price = \$.input_cost_per_token
output_price = \$.output_cost_per_token
[units]
input_price = per_token
output_price = per_token
CONF
before=$(catalog_dump)
out=$(llmref refresh --source litellm 2>&1); rc=$?
is "$rc" 1 "LiteLLM as is fails: some of its prices are absurd"
like "$out" "row [0-9]+: output_price: absurd price '0.2' \(over 100000 USD per 1M tokens\)" "and says which row and why"
is "$(catalog_dump)" "$before" "nothing of it was stored"

sed -i 's/^\[extract\]$/[extract]\nskip_bad_rows = yes/' "$WORK/sources.d/litellm.conf"
out=$(llmref refresh --source litellm 2>&1); rc=$?
echo "$out" | sed "s/^/# /"
is "$rc" 0 "with skip_bad_rows the rest of the price map ingests"
bad=$(python3 - "$litellm" <<'PY'
import json, sys
from decimal import Decimal
d = json.load(open(sys.argv[1]), parse_float=Decimal, parse_int=Decimal)
# absurd prices, and keys that name no model ("fireworks_ai/.../models/")
print(sum(1 for k, v in d.items() if isinstance(v, dict) and (k.endswith("/") or any(
    isinstance(v.get(f), Decimal) and v[f] * 1000000 > 100000
    for f in ("input_cost_per_token", "output_cost_per_token")))))
PY
)
like "$out" "source litellm: $bad row\(s\) rejected and skipped; the first: row [0-9]+: output_price: absurd price" "the $bad absurd rows are reported"
want=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$litellm")
is "$(q "select count(*) from routes where source_id = 'litellm'")" "$((want - bad))" "one route per other key ($((want - bad)))"
is "$(q "select rows_rejected from runs where source_id = 'litellm' order by id desc limit 1")" "$bad" "the run records the rejected rows"
python3 - "$litellm" > "$WORK/lexpected" <<'PY'
import json, sys
from decimal import Decimal
d = json.load(open(sys.argv[1]), parse_float=Decimal, parse_int=Decimal)
def cell(v):
    if not isinstance(v, Decimal): return "unpriced|"
    if v == 0: return "free|"
    return "value|" + format((v * 1000000).normalize(), "f")
for k, v in d.items():
    v = v if isinstance(v, dict) else {}
    if k.endswith("/") or any(isinstance(v.get(f), Decimal) and v[f] * 1000000 > 100000
                              for f in ("input_cost_per_token", "output_cost_per_token")):
        continue
    print(" ".join(k.split()) + "|" + cell(v.get("input_cost_per_token")) + "|" + cell(v.get("output_cost_per_token")))
PY
q "select r.provider_model_id || '|' || input_kind || '|' || coalesce(trim_scale(input_usd_per_mtok)::text, '') || '|' || output_kind || '|' || coalesce(trim_scale(output_usd_per_mtok)::text, '') from current_prices p join routes r on r.id = p.route_id where r.source_id = 'litellm'" | sort > "$WORK/lgot"
sort -o "$WORK/lexpected" "$WORK/lexpected"
is "$(diff "$WORK/lexpected" "$WORK/lgot" | head -5)" "" "every LiteLLM price matches the map exactly (Decimal x 10^6)"
counts=$(q "select input_kind, count(*) from current_prices p join routes r on r.id = p.route_id where r.source_id = 'litellm' group by 1 order by 1" | tr '\n' ' ')
echo "# LiteLLM input price outcomes: $counts"
is "$(q "select input_usd_per_mtok from current_prices p join routes r on r.id = p.route_id where r.provider_model_id = 'gpt-4o'")" \
	2.5 "gpt-4o input: 2.5e-06 per token = 2.5 per 1M"
done_testing
