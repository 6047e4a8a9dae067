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
done_testing
