#!/bin/bash
# A refresh does the work of the rows that changed (issue 18): each route
# keeps the digest of the row last applied to it (routes.row_digest), and
# a row with that digest is staged as "same" and skipped by the diff and
# the merges. What the catalog holds must not depend on it: a change, a
# change back, a route gone and back, a name a page gives twice. The keys
# of routes to models, sources and providers are triggers on those tables
# (migration 013): a routed row cannot be deleted or renamed.
. "$(dirname "$0")/lib.sh"
need_pg
mkdir -p "$WORK/pages"
cp -r "$LLMREF_SRCDIR/tests/fixtures/pages/." "$WORK/pages/"
OR=$WORK/pages/openrouter.ai/api/v1/models/__index__
fixture_start "$WORK/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT"
CONF=$(local_config "$WORK")
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }

edit_or() { # edit_or PYTHON: change the OpenRouter fixture's data list d
	python3 - "$OR" "$1" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))["data"]
exec(sys.argv[2])
json.dump({"data": d}, open(p, "w"), indent=1)
PY
}
digests() { q "select provider_model_id || ' ' || coalesce(row_digest, '-') from routes where source_id = 'openrouter' order by 1"; }
digest() { q "select coalesce(row_digest, '-') from routes where source_id = 'openrouter' and provider_model_id = '$1'"; }
price() { # price PROVIDER_MODEL_ID: "input|output" in force
	q "select p.input_usd_per_mtok || '|' || p.output_usd_per_mtok from current_prices p join routes r on r.id = p.route_id where r.source_id = 'openrouter' and r.provider_model_id = '$1'"
}
events() { q "select count(*) from events where kind = '$1' and payload->>'provider_model_id' = '$2'"; }
# the whole of a source's routes, prices and facts, and the feed
state() {
	q "select r.provider_model_id, r.status, r.model_id, p.input_usd_per_mtok, p.output_usd_per_mtok, p.valid_from from routes r left join current_prices p on p.route_id = r.id where r.source_id = 'openrouter' order by 1"
	q "select count(*), max(id) from prices"
	q "select count(*) from route_facts"
	q "select kind, subject from events order by id"
}
again() { # refresh openrouter, its page read again (no validators, no body hash)
	q "update sources set etag = null, last_modified = null, body_sha256 = null where id = 'openrouter'" >/dev/null
	llmref refresh --source openrouter 2>&1
}
M=meta-llama/llama-3.2-1b-instruct
N=meta-llama/llama-3.1-8b-instruct

out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "first refresh succeeds"
n=$(q "select count(*) from routes where source_id = 'openrouter'")
is "$(q "select count(*) from routes where source_id = 'openrouter' and row_digest ~ '^[0-9a-f]{32}$'")" "$n" \
	"every route of the first load keeps its row's digest ($n routes)"
d0=$(digests); s0=$(state)

# ---- the same page read again: every row is "same", nothing moves ----
out=$(again); rc=$?
is "$rc" 0 "the same page, read again, applies"
like "$out" "openrouter: ok, $n rows: 0 added, 0 changed, $n unchanged" "and reports every row unchanged"
is "$(digests)" "$d0" "the digests are as they were"
is "$(state)" "$s0" "routes, prices, facts and the feed are as they were"

# ---- one price moves: only its route's digest changes ------------------
m0=$(digest "$M"); p0=$(price "$M")
edit_or "
for m in d:
    if m['id'] == '$M': m['pricing']['completion'] = '0.00000025'"
out=$(again)
like "$out" "openrouter: ok, $n rows: 0 added, 1 changed" "a moved price is one change"
is "$(price "$M")" "0.027|0.25" "and the new price is in force"
is "$(events price.changed "$M")" 1 "one price.changed event"
ok "$([ "$(digest "$M")" != "$m0" ]; echo $?)" "that route's digest changed"
is "$(digests | grep -v "^$M ")" "$(printf '%s\n' "$d0" | grep -v "^$M ")" "no other route's did"

# ---- and back: the old price again, a second event, the first digest ---
edit_or "
for m in d:
    if m['id'] == '$M': m['pricing']['completion'] = '0.000000201'"
out=$(again)
like "$out" "openrouter: ok, $n rows: 0 added, 1 changed" "the price moved back is a change too"
is "$(price "$M")" "$p0" "the first price is in force again"
is "$(events price.changed "$M")" 2 "a second price.changed event"
is "$(q "select count(*) from prices p join routes r on r.id = p.route_id where r.provider_model_id = '$M'")" 3 \
	"three price rows: history kept"
is "$(digests)" "$d0" "every digest is the first load's again"

# ---- a route gone and back with the row it had -------------------------
cp "$OR" "$WORK/or.full"
edit_or "d[:] = [m for m in d if m['id'] != '$N']"
for i in 1 2 3; do again >/dev/null; done
is "$(q "select status from routes where provider_model_id = '$N'")" gone "a route missing three runs is gone"
cp "$WORK/or.full" "$OR"
out=$(again)
like "$out" "openrouter: ok, $n rows: 1 added" "back with its old row: added again, not \"same\""
is "$(q "select status from routes where provider_model_id = '$N'")" active "the route is active"
is "$(events route.added "$N")" 2 "a second route.added event"
is "$(q "select count(*) from routes where provider_model_id = '$N' and missing_since is null and gone_run is null")" 1 \
	"nothing of its absence is left"

# ---- a name the page gives twice: the page fails, nothing moves ------
# (catalog_digest.c never calls such a row "same" either, should one pass)
s1=$(state); d1=$(digests)
edit_or "
import copy
x = copy.deepcopy([m for m in d if m['id'] == '$M'][0])
x['pricing']['prompt'] = '0.00000003'
d.append(x)"
out=$(again); rc=$?
is "$rc" 1 "a page that gives a name twice fails"
like "$out" "rows [0-9]+ and [0-9]+ both name model '$M'" "and says which rows"
is "$(digests)" "$d1" "no digest moved"
cp "$WORK/or.full" "$OR"
out=$(again)
like "$out" "openrouter: ok, $n rows: 0 added, 0 changed, $n unchanged" "the good page again: every row unchanged"
is "$(state)" "$s1" "and the catalog is as it was"

# ---- a dry run sees the same rows --------------------------------------
edit_or "
for m in d:
    if m['id'] == '$M': m['pricing']['completion'] = '0.00000025'"
q "update sources set etag = null, last_modified = null, body_sha256 = null where id = 'openrouter'" >/dev/null
out=$(llmref refresh --source openrouter --dry-run 2>&1)
like "$out" "openrouter: would add 0, change 1, miss 0, leave $((n - 1)) unchanged" \
	"--dry-run counts the one change and the rest unchanged"
cp "$WORK/or.full" "$OR"

# ---- the keys of routes, as triggers ------------------------------------
err=$(psql -X -Atq -c "delete from models where id = 'llama-3.2-1b-instruct'" 2>&1); rc=$?
ok "$([ "$rc" != 0 ]; echo $?)" "a model that routes name cannot be deleted"
like "$err" "models 'llama-3.2-1b-instruct' is still named by routes" "and the error says why"
err=$(psql -X -Atq -c "update sources set id = 'x' where id = 'openrouter'" 2>&1); rc=$?
ok "$([ "$rc" != 0 ]; echo $?)" "nor a source's id changed"
err=$(psql -X -Atq -c "delete from providers where id = 'openrouter'" 2>&1); rc=$?
ok "$([ "$rc" != 0 ]; echo $?)" "nor a provider deleted"
q "insert into models (id, first_run) values ('no-routes-model', 1)" >/dev/null
is "$(q "with d as (delete from models where id = 'no-routes-model' returning 1) select count(*) from d")" 1 \
	"a model no route names can be"
is "$(q "with u as (update sources set url = url where id = 'openrouter' returning 1) select count(*) from u")" 1 \
	"and a routed row's other columns can change"

done_testing
