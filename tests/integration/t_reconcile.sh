#!/bin/bash
# Reconciliation: sources that state one fact differently open a conflict
# once (keyed on the values) that closes when they agree; the source of
# highest priority wins; a curated fact pins its value until it expires;
# a fact a source stops stating is retracted by a new row.
. "$(dirname "$0")/lib.sh"
need_pg
mkdir -p "$WORK/pages" "$WORK/src"
cp -r "$LLMREF_SRCDIR/tests/fixtures/pages/." "$WORK/pages/"
HF=$WORK/pages/huggingface.co/api/models/meta-llama/Llama-3.2-1B-Instruct
for id in hf-llama-3-2-1b cardfacts-llama-3-2-1b; do
	cp "$LLMREF_SRCDIR/conf/sources.d/$id.conf" "$WORK/src/"
done
# a hand-kept file of our own (curated), pinning one fact
cat > "$WORK/src/pins.json" <<'EOF'
{"facts": []}
EOF
sed -e 's#^file = .*#file = pins.json#' "$LLMREF_SRCDIR/conf/sources.d/curated-llama.conf" > "$WORK/src/pins.conf"
fixture_start "$WORK/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
local_sources "$WORK/src" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
sed -i "s#^curated = .*#curated = $WORK/src#" "$CONF" # the hand-kept file lives beside its source
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
sed -i 's/^\[database\]$/[database]\n/' "$CONF"
printf '[quarantine]\nenabled = no\n' >> "$CONF" # a one-fact file may shrink to nothing here

winner() { # winner MODEL FACT: "value source" of the resolved fact
	q "select value || ' ' || source_id from resolved_model_facts where model_id = '$1' and fact = '$2'"
}
set_hf_date() { # set_hf_date DATE: the Hub API's createdAt
	python3 - "$HF" "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); d["createdAt"] = sys.argv[2] + "T00:00:00.000Z"
json.dump(d, open(sys.argv[1], "w"))
EOF
}
M=llama-3.2-1b-instruct

out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "the Hub API, the model card page and the pins refresh"
is "$(q "select count(*) from conflicts where closed_at is null")" 1 "one conflict opens"
is "$(q "select fact, source_a, value_a, source_b, value_b from conflicts where closed_at is null")" \
	"release_date|cardfacts-llama-3-2-1b|2024-09-25|hf-llama-3-2-1b|2024-09-18" \
	"on the release date: the card says 2024-09-25, the Hub's createdAt 2024-09-18"
like "$(llmref conflicts)" "$M +release_date +cardfacts-llama-3-2-1b +2024-09-25 +hf-llama-3-2-1b +2024-09-18" \
	"llmref conflicts lists it"
is "$(llmref conflicts --json | python3 -c 'import json,sys; print([json.loads(l)["fact"] for l in sys.stdin])')" \
	"['release_date']" "conflicts --json: one object per conflict"
is "$(winner $M release_date)" "2024-09-25 cardfacts-llama-3-2-1b" "the card (priority 70) outranks the Hub (50)"
show=$(llmref show model $M)
like "$show" "release_date +2024-09-25 +cardfacts-llama-3-2-1b +yes +70 " "show model marks the winner"
like "$show" "release_date +2024-09-18 +hf-llama-3-2-1b +- +50 " "and lists the other stated value"
like "$show" "OPEN CONFLICTS" "and counts open conflicts"
like "$show" "$M +[0-9-]{10} +$(date -u +%F) +1" "with first seen and last reviewed (today) dates"

# the same values again, re-read (not just a 304): not raised again
out=$(llmref reparse --source hf-llama-3-2-1b 2>&1)
out=$(llmref reparse --source cardfacts-llama-3-2-1b 2>&1)
is "$(q "select count(*) from conflicts")" 1 "re-reading the same values raises nothing new"

# a tolerance: 131072 vs 128000 tokens (2.4%) agree, 120000 does not
cat > "$WORK/src/pins.json" <<'EOF'
{"facts": [{"model": "meta-llama/Llama-3.2-1B-Instruct", "fact": "context_window", "value": "128000",
  "reason": "Meta's card rounds to 128K"}]}
EOF
out=$(llmref refresh --source pins 2>&1); rc=$?
is "$rc" 0 "a curated context window applies"
is "$(q "select count(*) from conflicts where fact = 'context_window'")" 0 \
	"131072 and 128000 agree within 2.5%"
is "$(winner $M context_window)" "128000 pins" "the curated fact pins its value over the Hub's"
sed -i 's/"128000"/"120000"/' "$WORK/src/pins.json"
out=$(llmref refresh --source pins 2>&1)
is "$(q "select value_a || ' ' || value_b from conflicts where fact = 'context_window' and closed_at is null")" \
	"131072 120000" "120000 does not: a conflict opens"

# a pin that has expired no longer counts
python3 - "$WORK/src/pins.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); d["facts"][0]["expires"] = "2020-01-01"
json.dump(d, open(sys.argv[1], "w"))
EOF
out=$(llmref refresh --source pins 2>&1); rc=$?
is "$rc" 0 "an expired pin applies"
is "$(winner $M context_window)" "131072 hf-llama-3-2-1b" "once expired, the Hub's value wins again"
is "$(q "select count(*) from conflicts where fact = 'context_window' and closed_at is null")" 0 \
	"and the conflict with the expired value closes"

# the sources come to agree: the conflict closes itself
set_hf_date 2024-09-25
out=$(llmref refresh --source hf-llama-3-2-1b 2>&1); rc=$?
is "$rc" 0 "the Hub now says 2024-09-25"
is "$(q "select count(*) from conflicts where fact = 'release_date' and closed_at is null")" 0 \
	"the release date conflict is closed"
is "$(q "select count(*) from conflicts where fact = 'release_date' and closed_run is not null")" 1 \
	"closed by that run, kept as history"
# and disagree again with the same values: a new conflict (it was closed)
set_hf_date 2024-09-18
out=$(llmref refresh --source hf-llama-3-2-1b 2>&1)
is "$(q "select count(*) from conflicts where fact = 'release_date' and closed_at is null")" 1 \
	"disagreeing again opens it again"

# a fact a source stops stating is retracted, not deleted
python3 - "$HF" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); del d["cardData"]["license"]
json.dump(d, open(sys.argv[1], "w"))
EOF
out=$(llmref refresh --source hf-llama-3-2-1b 2>&1); rc=$?
is "$rc" 0 "the Hub stops stating the license"
is "$(q "select string_agg(coalesce(value, 'NULL'), ',' order by id) from model_facts where model_id = '$M' and fact = 'license'")" \
	"llama-3.2-community,NULL" "a retraction row follows the old value, which stays"
is "$(winner $M license)" "" "no source states a license any more"
done_testing
