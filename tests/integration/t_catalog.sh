#!/bin/bash
# The catalog's memory: history is never rewritten, the quarantine guard
# keeps a broken page out (catalog byte-identical before and after), a
# refresh that changes nothing writes O(sources) rows, a route goes only
# after K runs without it, --dry-run writes nothing, two refreshes of one
# source never interleave.
. "$(dirname "$0")/lib.sh"
need_pg
mkdir -p "$WORK/pages"
cp -r "$LLMREF_SRCDIR/tests/fixtures/pages/." "$WORK/pages/"
OR=$WORK/pages/openrouter.ai/api/v1/models/__index__
fixture_start "$WORK/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }

# the catalog's tables, as pg_dump writes them (not runs, sources,
# snapshots, alerts or the quarantine's own tables)
dump() {
	pg_dump --data-only -t models -t routes -t prices -t route_facts -t model_facts \
		-t unmatched -t conflicts | grep -vE '^(--|\\(un)?restrict |$)'
}
# rows inserted, updated or deleted in TABLES since the cluster started
writes() { # writes 'table', ...
	sleep 0.6 # a backend flushes its table statistics as it exits
	q "select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) from pg_stat_user_tables where relname in ($1)"
}
CATALOG="'models','routes','prices','route_facts','model_facts','unmatched','conflicts','quarantine_diff'"
ALL="$CATALOG,'runs','sources','providers','snapshots','alerts'"
edit_or() { # edit_or PYTHON: change the OpenRouter fixture's data list d
	python3 - "$OR" "$1" <<'EOF'
import json, sys
p = sys.argv[1]
d = json.load(open(p))["data"]
exec(sys.argv[2])
json.dump({"data": d}, open(p, "w"), indent=1)
EOF
}
price() { # price PROVIDER_MODEL_ID: current "input|output"
	q "select p.input_usd_per_mtok || '|' || p.output_usd_per_mtok from current_prices p join routes r on r.id = p.route_id where r.provider_model_id = '$1'"
}

out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "first refresh succeeds"
or_routes=$(q "select count(*) from routes where source_id = 'openrouter'")

# ---- a refresh that changes nothing writes O(sources) rows -----------
w_cat=$(writes "$CATALOG"); w_all=$(writes "$ALL")
out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "a refresh with nothing changed succeeds"
d_cat=$(( $(writes "$CATALOG") - w_cat )); d_all=$(( $(writes "$ALL") - w_all ))
echo "# no-change refresh of 2 sources: $d_cat catalog rows written, $d_all rows in all (runs, sources)"
is "$d_cat" 0 "it writes no catalog row (review dates are derived, not rewritten)"
ok "$([ "$d_all" -le 8 ]; echo $?)" "and at most 4 rows per source in all ($d_all: its run and source rows)"
is "$(q "select count(*) from route_review v join routes r on r.id = v.route_id where r.source_id = 'openrouter' and v.last_reviewed = (select last_success from sources where id = 'openrouter')")" \
	"$or_routes" "yet every OpenRouter route's last review moved to this run"

# ---- --dry-run shows the diff and writes nothing at all --------------
edit_or 'd[:] = [m for m in d if m["id"] != "qwen/qwen-2.5-72b-instruct"]
for m in d:
    if m["id"] == "meta-llama/llama-3.2-1b-instruct": m["pricing"]["completion"] = "0.00000025"'
before_all=$(writes "$ALL"); before=$(dump)
runs_before=$(q "select count(*) from runs")
out=$(llmref refresh --source openrouter --dry-run 2>&1); rc=$?
is "$rc" 0 "refresh --dry-run succeeds"
like "$out" "~ meta-llama/llama-3.2-1b-instruct +route +0.027 / 0.201 ctx 60000 -> 0.027 / 0.25 ctx 60000" \
	"it shows a changed price, old -> new"
like "$out" "- qwen/qwen-2.5-72b-instruct +route +0.12 / 0.39" "and a route that would be missing"
like "$out" "openrouter: would add 0, change 1, miss 1, leave $((or_routes - 2)) unchanged" "and the counts"
out=$(llmref refresh --source openrouter --dry-run --json 2>&1); rc=$?
is "$(printf '%s\n' "$out" | grep '^{' | python3 -c 'import json,sys; print(sorted(json.loads(l)["change"] for l in sys.stdin))')" \
	"['changed', 'missing']" "--json gives one object per change"
is "$(dump)" "$before" "the catalog is untouched by --dry-run"
is "$(q "select count(*) from runs")" "$runs_before" "not even a run is recorded"
is "$(writes "$ALL")" "$before_all" "no row of any table was written"

# ---- a price change adds history and keeps the old row; a route goes
# only after gone_after (3) successful runs without it -------------------
out=$(llmref refresh --source openrouter 2>&1); rc=$?
is "$rc" 0 "the change applies"
like "$out" "openrouter: ok, $((or_routes - 1)) rows: 0 added, 1 changed" "one route changed"
is "$(q "select status from routes where provider_model_id = 'qwen/qwen-2.5-72b-instruct'")" active \
	"a route missing once is not gone yet"
hist=$(llmref history --model llama-3.2-1b-instruct --provider openrouter --json)
is "$(printf '%s\n' "$hist" | python3 -c 'import json,sys; r=[json.loads(l) for l in sys.stdin]; print([(x["output_usd_per_mtok"], x["valid_to"] is None) for x in r])')" \
	"[('0.201', False), ('0.25', True)]" "history keeps the old price, closed by the new one's valid_from"
is "$(q "select count(*) from prices p join routes r on r.id = p.route_id where r.provider_model_id = 'meta-llama/llama-3.2-1b-instruct'")" 2 \
	"two price rows: the old one was not rewritten"
llmref refresh --source openrouter >/dev/null 2>&1
is "$(q "select status from routes where provider_model_id = 'qwen/qwen-2.5-72b-instruct'")" active "nor after two runs"
out=$(llmref refresh --source openrouter 2>&1)
like "$out" "openrouter: unchanged \(HTTP 304" "the third run is a 304"
is "$(q "select status from routes where provider_model_id = 'qwen/qwen-2.5-72b-instruct'")" gone \
	"after three (an unchanged one counts), the route is gone"
is "$(q "select count(*) from routes where provider_model_id = 'qwen/qwen-2.5-72b-instruct'")" 1 "never deleted"
is "$(q "select count(*) from events where kind = 'route.gone' and payload->>'provider_model_id' = 'qwen/qwen-2.5-72b-instruct' and payload->>'status' = 'gone'")" 1 \
	"one route.gone event"
like "$(llmref show model qwen-2.5-72b-instruct)" "openrouter +openrouter +qwen/qwen-2.5-72b-instruct +gone" \
	"show model lists it as gone"

# ---- the quarantine guard ---------------------------------------------
guarded() { # guarded NAME PYTHON REASON_REGEX: the edit is held back
	local name=$1 edit=$2 why=$3 before out rc
	cp "$OR" "$WORK/or.good"
	edit_or "$edit"
	before=$(dump)
	out=$(llmref refresh --source openrouter 2>&1); rc=$?
	is "$rc" 1 "$name: the run is held back (exit 1)"
	like "$out" "openrouter: quarantined, [0-9]+ rows: $why" "$name: and says why"
	is "$(dump)" "$before" "$name: the catalog is byte-identical (pg_dump)"
	is "$(q "select count(*) from alerts where kind = 'quarantined' and subject = 'openrouter' and resolved_at is null")" 1 \
		"$name: one alert is open"
	cp "$WORK/or.good" "$OR"
}
guarded "zero rows" 'd[:] = []' "no rows extracted"
# the page is back as it was: the same bytes as the last applied one
out=$(llmref refresh --source openrouter 2>&1); rc=$?
is "$rc" 0 "the good page again: refresh succeeds"
is "$(q "select resolution from runs where outcome = 'quarantined' order by id desc limit 1")" superseded \
	"and supersedes the quarantined run"
is "$(q "select count(*) from alerts where kind = 'quarantined' and resolved_at is null")" 0 "the alert is resolved"

guarded "fewer rows" 'd[:] = d[:3]' "3 rows, under 50.00% of the last good run's 9"
guarded "a 10x price" '
for m in d:
    if m["id"] == "meta-llama/llama-3.1-8b-instruct": m["pricing"]["prompt"] = "0.0000002"' \
	"a price moved by 10x or more \(meta-llama/llama-3.1-8b-instruct: 0.02 / 0.05 ctx [0-9]+ -> 0.2 / 0.05"
out=$(llmref refresh --source openrouter 2>&1); rc=$?
is "$rc" 0 "the good page again applies"
guarded "mass change" '
for m in d:
    if m["pricing"].get("prompt") not in ("0", "-1"): m["pricing"]["prompt"] = str(float(m["pricing"]["prompt"]) * 1.1)' \
	"[0-9]+ of [0-9]+ routes changed price at once \(over 50%\)"
out=$(llmref refresh --source openrouter 2>&1); rc=$?
is "$rc" 0 "the good page again applies"

# the same bad page twice: one quarantined run with a diff, the second
# points at it
cp "$OR" "$WORK/or.good"
edit_or '
for m in d:
    if m["id"] == "meta-llama/llama-3.1-405b-instruct": m["pricing"]["completion"] = "0.000009"'
llmref refresh --source openrouter >/dev/null 2>&1
out=$(llmref refresh --source openrouter 2>&1); rc=$?
like "$out" "quarantined.*same page as before" "the same page again is recognised"
qrun=$(q "select id from runs where outcome = 'quarantined' and resolved_run is null and quarantine_of is null")
is "$(q "select count(*) from runs where quarantine_of = $qrun")" 1 "and points at the first quarantined run"
is "$(q "select count(*) from quarantine_diff where run_id in (select id from runs where quarantine_of = $qrun)")" 0 \
	"storing no second diff"
rv=$(llmref review)
like "$rv" "run $qrun +openrouter .*page seen again 1 times" "llmref review shows the run"
like "$rv" "^  a price moved by 10x or more" "and why it was held back"
like "$rv" "~ meta-llama/llama-3.1-405b-instruct +route +0.8 / 0.8 ctx [0-9]+ -> 0.8 / 9 ctx [0-9]+" \
	"with its would-be diff"
is "$(llmref review --json | python3 -c 'import json,sys; r=[json.loads(l) for l in sys.stdin]; print(len(r), r[0]["diff"][0]["new"].split(" ctx")[0])')" \
	"1 0.8 / 9" "review --json: one run with its diff"
is "$(price meta-llama/llama-3.1-405b-instruct)" "0.8|0.8" "the live price did not move"
out=$(llmref refresh --source openrouter --accept 2>&1); rc=$?
is "$rc" 0 "refresh --accept applies it"
like "$out" "openrouter: ok, [0-9]+ rows: 0 added, 1 changed" "one route changed"
is "$(price meta-llama/llama-3.1-405b-instruct)" "0.8|9" "the new price is live"
is "$(q "select resolution from runs where id = $qrun")" accepted "the quarantined run is marked accepted"
is "$(llmref review)" "no quarantined runs wait for review" "nothing waits any more"
out=$(llmref refresh --source openrouter --accept 2>&1); rc=$?
is "$rc" 2 "--accept with nothing quarantined exits 2"
like "$out" "no quarantined run waits for review" "and says so"
cp "$WORK/or.good" "$OR"

# ---- a price walked up by steps under the factor: held once it has moved
# 10x from the window of the route's recent prices (issue 17 item 6)
walk() { # walk PROMPT: the 8B's input price per token
	edit_or "
for m in d:
    if m['id'] == 'meta-llama/llama-3.1-405b-instruct': m['pricing']['completion'] = '0.000009'
    if m['id'] == 'meta-llama/llama-3.1-8b-instruct': m['pricing']['prompt'] = '$1'"
	llmref refresh --source openrouter 2>&1
}
out=$(walk 0.00000018); rc=$?
is "$rc" 0 "9x up (0.02 -> 0.18): under the factor, applied"
out=$(walk 0.00000162); rc=$?
is "$rc" 1 "9x again (0.18 -> 1.62), 81x the window's lowest: held back"
like "$out" "quarantined, [0-9]+ rows: a price moved by 10x or more \(meta-llama/llama-3.1-8b-instruct" \
	"and says which"
is "$(price meta-llama/llama-3.1-8b-instruct)" "0.18|0.05" "the live price stays at the last step"
out=$(llmref refresh --source openrouter --accept 2>&1); rc=$?
is "$rc" 0 "accepted after review, it applies"
out=$(walk 0.00000162); rc=$?
is "$rc" 0 "and the window starts again from the accepted run: the same page is not held again"
out=$(walk 0.00000002); rc=$?
is "$rc" 1 "back down 81x in one step: held"
llmref refresh --source openrouter --accept >/dev/null 2>&1 # the 8B back at 0.02, as the next part expects
cp "$WORK/or.good" "$OR"

# ---- an announced price change: scheduled, not in force yet -----------
sed -i 's/context_window: \.context_length}/context_window: .context_length, price_from: .pricing.from}/' "$WORK/sources.d/openrouter.conf"
edit_or '
for m in d:
    if m["id"] == "meta-llama/llama-3.1-405b-instruct": m["pricing"]["completion"] = "0.000009"
    if m["id"] == "mistralai/mixtral-8x22b-instruct": m["pricing"].update(prompt="0.0000012", completion="0.0000012", **{"from": "2099-01-01"})'
out=$(llmref refresh --source openrouter 2>&1); rc=$?
is "$rc" 0 "a page announcing a price from 2099-01-01 refreshes"
is "$(price mistralai/mixtral-8x22b-instruct)" "0.9|0.9" "the price in force does not move"
is "$(llmref history --model mixtral-8x22b-instruct --json | python3 -c 'import json,sys; print([(r["input_usd_per_mtok"], r["valid_from"][:10], r["valid_to"] and r["valid_to"][:10]) for r in map(json.loads, sys.stdin)])')" \
	"[('0.9', '$(date -u +%F)', '2099-01-01'), ('1.2', '2099-01-01', None)]" \
	"history: the old price until 2099-01-01, the announced one from then"
n=$(q "select count(*) from prices")
llmref refresh --source openrouter >/dev/null 2>&1; sed -i 's/"0.0000009"/"0.00000090"/' "$OR"
llmref refresh --source openrouter >/dev/null 2>&1
is "$(q "select count(*) from prices")" "$n" "the same announcement read again adds nothing"
is "$(q "select count(*) from dirty_models")" 0 "no model waits for the diff stage"
# the day comes (moved here rather than waited for): the next pass
# recomputes the model's records
q "update prices set valid_from = now() - interval '1 second', recorded_at = now() - interval '1 hour' where valid_from > now(); update diff_state set last_pass = now() - interval '10 minutes'" >/dev/null
out=$(llmref refresh --source fireworks 2>&1)
like "$out" "diff: 1 model changed" "when an announced price comes into force, its model is recomputed"
is "$(price mistralai/mixtral-8x22b-instruct)" "1.2|1.2" "and the announced price is the one in force"
cp "$WORK/or.good" "$OR"
sed -i 's/, price_from: \.pricing\.from}/}/' "$WORK/sources.d/openrouter.conf"

# ---- two refreshes of one source never interleave ---------------------
rm -rf "$WORK/slow.d"
local_sources "$SAMPLES" "$WORK/slow.d" "$FIXTURE_PORT" /_mis/delay-0.4
sed -i "s#^sources = .*#sources = $WORK/slow.d#; s/^lock_wait = .*/lock_wait = 5s/" "$CONF"
edit_or '
for m in d:
    if m["id"] == "meta-llama/llama-3.1-405b-instruct": m["pricing"]["completion"] = "0.0000085"'
last=$(q "select max(id) from runs")
llmref refresh --source openrouter >"$WORK/r1" 2>&1 & p1=$!
llmref refresh --source openrouter >"$WORK/r2" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
is "$r1 $r2" "0 0" "two concurrent refreshes of one source both succeed (one waits)"
is "$(q "select count(*) from runs a join runs b on a.id < b.id where a.id > $last and b.id > $last and a.source_id = 'openrouter' and b.source_id = 'openrouter' and b.started_at < a.finished_at")" 0 \
	"their runs do not overlap in time"
is "$(q "select count(*) from prices p join routes r on r.id = p.route_id where r.provider_model_id = 'meta-llama/llama-3.1-405b-instruct' and p.output_usd_per_mtok = 8.5")" 1 \
	"the change was stored once"
done_testing
