#!/bin/bash
# Facts about models from their own sources: Hugging Face's model API
# (model_card: parameters, license, dates), model card benchmark tables
# (benchmarks) and a provider's feature matrix (capabilities), stored with
# their source and history, and exported with each model.
. "$(dirname "$0")/lib.sh"
need_pg
fixture_start "$LLMREF_SRCDIR/tests/fixtures/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
mkdir -p "$WORK/pick"
cp -r "$LLMREF_SRCDIR/conf/curated" "$WORK/" # curated-llama.conf names ../curated/llama.json
for id in hf-llama-3-2-1b hf-llama-3-1-405b card-llama-3-2-1b card-llama-3-1-405b fireworks-features \
	cardfacts-llama-3-2-1b cardfacts-llama-3-1-405b curated-llama; do
	cp "$LLMREF_SRCDIR/conf/sources.d/$id.conf" "$WORK/pick/"
done
local_sources "$WORK/pick" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
sed -i "s#^curated = .*#curated = $WORK/curated#" "$CONF"
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }

out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "model card, benchmark and capability sources refresh"
is "$(printf '%s\n' "$out" | head -n 2 | cut -d: -f1 | sort | tr '\n' ' ')" "hf-llama-3-1-405b hf-llama-3-2-1b " \
	"Hugging Face (authoritative) goes first"
fact() { q "select value from current_model_facts where model_id = '$1' and fact = '$2'"; }
sfact() { q "select value from current_model_facts where model_id = '$1' and fact = '$2' and source_id = '$3'"; }
is "$(q "select id from models order by id" | tr '\n' ' ')" "llama-3.1-405b-instruct llama-3.2-1b-instruct " \
	"Hugging Face's names created the two models"
is "$(fact llama-3.2-1b-instruct parameters)" 1235814400 "parameters from safetensors.total"
is "$(fact llama-3.1-405b-instruct parameters)" 405853388800 "405B parameters"
is "$(fact llama-3.2-1b-instruct license)" llama-3.2-community "license id from cardData.license"
is "$(sfact llama-3.2-1b-instruct license_name hf-llama-3-2-1b)" "Llama 3.2 Community" "and its display name"
is "$(q "select value || ' ' || source_id from resolved_model_facts where model_id = 'llama-3.2-1b-instruct' and fact = 'license_name'")" \
	"Llama 3 Community curated-llama" "the curated family name pins the license shown on pages"
is "$(q "select value from current_model_facts where model_id = 'llama-3.2-1b-instruct' and fact = 'release_date' and source_id = 'hf-llama-3-2-1b'")" \
	2024-09-18 "release date from createdAt, day precision"
is "$(fact llama-3.2-1b-instruct context_window)" 131072 "context window from the model config"
is "$(sfact llama-3.2-1b-instruct release_date cardfacts-llama-3-2-1b)" 2024-09-25 "release date from the model card page (Sept 25, 2024)"
is "$(sfact llama-3.1-405b-instruct release_date cardfacts-llama-3-1-405b)" 2024-07-23 "405B: July 23, 2024."
is "$(sfact llama-3.2-1b-instruct knowledge_cutoff cardfacts-llama-3-2-1b)" 2023-12 "knowledge cutoff at month precision (December 2023)"
is "$(q "select count(distinct source_id) from current_model_facts where model_id = 'llama-3.2-1b-instruct' and fact = 'release_date'")" 2 \
	"two sources state a release date, each kept with its source"
is "$(fact llama-3.2-1b-instruct benchmark:mmlu)" 54.2 "MMLU from the 1B card's table"
is "$(fact llama-3.1-405b-instruct benchmark:mmlu)" 88.6 "MMLU from the 405B card's table"
is "$(fact llama-3.1-405b-instruct benchmark:gsm8k)" 96.8 "'GSM8K (CoT)' is benchmark gsm8k"
is "$(fact llama-3.1-405b-instruct benchmark_name:mmlu)" "Massive Multitask Language Understanding" "benchmark display name"
is "$(fact llama-3.1-405b-instruct capability:structured_outputs)" true "405B: structured outputs (a check mark)"
is "$(fact llama-3.2-1b-instruct capability:structured_outputs)" false "1B: no structured outputs"
is "$(q "select source_id from current_model_facts where fact = 'capability:structured_outputs' and model_id = 'llama-3.2-1b-instruct'")" \
	fireworks-features "each fact names its source"
like "$(llmref unmatched)" "fireworks-features +DeepSeek R1" "a feature row for an unknown model waits unmatched"
is "$(fact llama-3.2-1b-instruct openness)" "Open weights" "a curated fact is stored"
is "$(q "select reason from current_model_facts where model_id = 'llama-3.2-1b-instruct' and fact = 'commercial_use'")" \
	"the license allows commercial use below 700M monthly active users" "with the reason it is kept"
is "$(q "select expires from current_model_facts where model_id = 'llama-3.1-405b-instruct' and fact = 'commercial_use'")" \
	2027-07-01 "and its expiry date"

before=$(q "select count(*) from model_facts")
out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "second refresh succeeds"
like "$out" "curated-llama: unchanged \(same file, run" "an unchanged curated file is reported as such"
is "$(q "select count(*) from model_facts")" "$before" "and adds no fact rows"

# a changed score adds history and keeps the old value
mkdir -p "$WORK/pages"; cp -r "$LLMREF_SRCDIR/tests/fixtures/pages/." "$WORK/pages/"
sed -i 's|<td>88.6</td>|<td>88.7</td>|' "$WORK/pages/huggingface.co/meta-llama/Llama-3.1-405B-Instruct"
fixture_stop; fixture_start "$WORK/pages" "$WORK"
rm -rf "$WORK/sources.d"; local_sources "$WORK/pick" "$WORK/sources.d" "$FIXTURE_PORT"
out=$(llmref refresh --source card-llama-3-1-405b 2>&1); rc=$?
like "$out" "card-llama-3-1-405b: ok, [0-9]+ rows: 0 added, 1 changed" "one fact changed"
is "$(q "select string_agg(value, ',' order by id) from model_facts where model_id = 'llama-3.1-405b-instruct' and fact = 'benchmark:mmlu'")" \
	"88.6,88.7" "old score kept, new one added"

out=$(llmref export catalog)
is "$(printf '%s' "$out" | python3 -c '
import json,sys
d=json.load(sys.stdin)
m=[m for m in d["models"] if m["id"]=="llama-3.1-405b-instruct"][0]
f={x["fact"]: x["value"] for x in m["facts"]}
print(f["parameters"], f["benchmark:mmlu"], f["capability:structured_outputs"])')" \
	"405853388800 88.7 true" "export catalog carries each model's facts"

# a curated fact without a reason fails its file, naming the row
mkdir -p "$WORK/cur"
python3 -c '
import json,sys
d=json.load(open(sys.argv[1])); del d["facts"][2]["reason"]; json.dump(d, open(sys.argv[2],"w"))' \
	"$LLMREF_SRCDIR/conf/curated/llama.json" "$WORK/cur/llama.json"
sed -i "s|^file = .*|file = $WORK/cur/llama.json|" "$WORK/sources.d/curated-llama.conf"
sed -i "s#^curated = .*#curated = $WORK/cur#" "$CONF"
before=$(catalog_dump)
out=$(llmref refresh --source curated-llama 2>&1); rc=$?
is "$rc" 1 "a curated fact without a reason fails the file"
like "$out" "row 3: reason: is empty: a curated fact says why it is kept" "and says which row and why"
is "$(catalog_dump)" "$before" "nothing of it is stored"
done_testing
