#!/bin/bash
# Real data: OpenRouter's full model list through the shipped OpenRouter
# source, and LiteLLM's full price map, served by the fixture server; both
# real captures are vendored in tests/fixtures/real/ (PROVENANCE.md), so
# every clone runs them. The Llama model card is prose and stays in the
# shared corpus (../shared/corpus/): that part skips where it is absent.
. "$(dirname "$0")/lib.sh"
real=$LLMREF_SRCDIR/tests/fixtures/real
corpus=${LLMREF_CORPUS:-$LLMREF_SRCDIR/../shared/corpus}
full=$real/openrouter_api_v1_models_full.json
[ -r "$full" ] || { echo "Bail out! $full is missing: the vendored captures are part of the tree"; exit 1; }
need_pg

mkdir -p "$WORK/pages/openrouter.ai/api/v1"
cp "$full" "$WORK/pages/openrouter.ai/api/v1/models"
fixture_start "$WORK/pages" "$WORK"
mkdir -p "$WORK/sources.d"
local_sources "$SAMPLES" "$WORK/all" "$FIXTURE_PORT"
cp "$WORK/all/openrouter.conf" "$WORK/sources.d/"
CONF=$(local_config "$WORK")
# thousands of models: comparison records for pairs of one creator plus
# the ten most-routed, not every one of the millions of pairs
printf '[diff]\npairs = creator\ntop_routed = 10\n' >> "$CONF"
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
litellm=$real/litellm_model_prices_and_context_window_2026-07-24.json
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
jq = to_entries[] | .key as \$k | (.value | objects) // {} | {model: \$k,
      input_price: .input_cost_per_token, output_price: .output_cost_per_token}
[units]
input_price = per_token
output_price = per_token
CONF
before=$(catalog_dump)
out=$(llmref refresh --source litellm 2>&1); rc=$?
is "$rc" 1 "LiteLLM as is fails: some of its rows are broken"
like "$out" "source litellm: .*: row [0-9]+: (model|output_price|input_price): " "and says which row and why"
is "$(catalog_dump)" "$before" "nothing of it was stored"

sed -i 's/^\[extract\]$/[extract]\nskip_bad_rows = yes/' "$WORK/sources.d/litellm.conf"
out=$(llmref refresh --source litellm 2>&1); rc=$?
echo "$out" | sed "s/^/# /"
is "$rc" 0 "with skip_bad_rows the rest of the price map ingests"
want=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$litellm")
stored=$(q "select count(*) from routes where source_id = 'litellm'")
rejected=$(q "select rows_rejected from runs where source_id = 'litellm' order by id desc limit 1")
is "$((stored + rejected))" "$want" "every key is a route or a counted rejection ($stored + $rejected = $want)"
like "$out" "source litellm: $rejected row\(s\) rejected and skipped; the first: row [0-9]+: " "the rejections are reported"
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
    print(" ".join(k.split()) + "|" + cell(v.get("input_cost_per_token")) + "|" + cell(v.get("output_cost_per_token")))
# absurd prices (over 100000 USD per 1M): must be among the rejected
for k, v in d.items():
    if isinstance(v, dict) and any(isinstance(v.get(f), Decimal) and v[f] * 1000000 > 100000
                                   for f in ("input_cost_per_token", "output_cost_per_token")):
        print("ABSURD " + k, file=sys.stderr)
PY
q "select r.provider_model_id || '|' || input_kind || '|' || coalesce(trim_scale(input_usd_per_mtok)::text, '') || '|' || output_kind || '|' || coalesce(trim_scale(output_usd_per_mtok)::text, '') from current_prices p join routes r on r.id = p.route_id where r.source_id = 'litellm'" | sort > "$WORK/lgot"
sort -o "$WORK/lexpected" "$WORK/lexpected"
is "$(comm -23 "$WORK/lgot" "$WORK/lexpected" | head -5)" "" "every stored LiteLLM price matches the map exactly (Decimal x 10^6)"
absurd=$(python3 - "$litellm" 2>&1 >/dev/null <<'PY'
import json, sys
from decimal import Decimal
d = json.load(open(sys.argv[1]), parse_float=Decimal, parse_int=Decimal)
for k, v in d.items():
    if isinstance(v, dict) and any(isinstance(v.get(f), Decimal) and v[f] * 1000000 > 100000
                                   for f in ("input_cost_per_token", "output_cost_per_token")):
        print(k, file=sys.stderr)
PY
)
stored_absurd=0
for k in $absurd; do
	n=$(psql -X -Atq -v k="$k" <<<"select count(*) from routes where source_id = 'litellm' and provider_model_id = :'k'")
	[ "$n" = 0 ] || stored_absurd=$((stored_absurd + 1))
done
is "$stored_absurd" 0 "none of the $(echo "$absurd" | wc -w) absurd prices was stored"
counts=$(q "select input_kind, count(*) from current_prices p join routes r on r.id = p.route_id where r.source_id = 'litellm' group by 1 order by 1" | tr '\n' ' ')
echo "# LiteLLM input price outcomes: $counts"
is "$(q "select input_usd_per_mtok from current_prices p join routes r on r.id = p.route_id where r.provider_model_id = 'gpt-4o'")" \
	2.5 "gpt-4o input: 2.5e-06 per token = 2.5 per 1M"

# Meta's Llama 3.2 model card as the markdown file it is kept in: GFM
# tables read with XPath after rendering (format = markdown).
card=$corpus/llama3_2_MODEL_CARD.md
if [ ! -r "$card" ]; then
	ok 0 "# SKIP the Llama 3.2 model card: shared corpus not found at $corpus"
	done_testing
fi
mkdir -p "$WORK/pages/github.com/meta-llama/llama-models/raw/main/models/llama3_2"
cp "$card" "$WORK/pages/github.com/meta-llama/llama-models/raw/main/models/llama3_2/MODEL_CARD.md"
cat > "$WORK/sources.d/llama32-card.conf" <<CONF
[source]
provider = meta
provider_name = Meta
kind = benchmarks
url = http://127.0.0.1:$FIXTURE_PORT/github.com/meta-llama/llama-models/raw/main/models/llama3_2/MODEL_CARD.md
format = markdown
authoritative = yes
[extract]
skip_bad_rows = yes
rows = //h3[normalize-space() = 'Instruction Tuned Models']/following-sibling::table[1]/tbody/tr
model = 'meta-llama/Llama-3.2-1B-Instruct'
benchmark = td[3]
score = td[6]
CONF
out=$(llmref refresh --source llama32-card 2>&1); rc=$?
echo "$out" | sed "s/^/# /"
is "$rc" 0 "the Llama 3.2 markdown model card is read"
is "$(q "select value from current_model_facts where model_id = 'llama-3.2-1b-instruct' and fact = 'benchmark:mmlu' and source_id = 'llama32-card'")" \
	49.3 "MMLU of Llama 3.2 1B (bf16) from the card's markdown table: 49.3"
done_testing
