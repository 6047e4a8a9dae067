#!/bin/bash
# [paginate] (issue 15): a paginated JSON API behind a bearer key, in the
# shape of Fireworks AI's model list (nextPageToken). Every page is read
# with the key (the fixture server answers 401 without it), all pages are
# one run and one transaction, and a page too many, a loop, a failed page
# or too many bytes in all fail the run with nothing stored. [fanout]:
# OpenRouter's endpoints of each model of its list, the same way.
. "$(dirname "$0")/lib.sh"
need_pg
pages=$WORK/pages/api.fireworks.ai/v1/accounts/fireworks
mkdir -p "$pages" "$WORK/sources.d" "$WORK/credentials"
cp "$LLMREF_SRCDIR"/tests/fixtures/pages/api.fireworks.ai/v1/accounts/fireworks/models* "$pages/"
(umask 077 && echo "fw-sentinel-key-8d1f" > "$WORK/credentials/fireworks-api-key")
cp "$WORK/credentials/fireworks-api-key" "$WORK/bearer"
export LLMREF_FIXTURE_BEARER_FILE=$WORK/bearer
fixture_start "$WORK/pages" "$WORK" ||
	{ echo "Bail out! fixture server"; exit 1; }
CONF=$(local_config "$WORK")
# the shipped example, through the server's bearer check (authoritative
# here: its models are the catalog's)
sed -E -e "s#^url = https://#url = http://127.0.0.1:$FIXTURE_PORT/_mis/bearer/#" \
	-e 's/^kind = capabilities/kind = capabilities\nauthoritative = yes/' \
	"$LLMREF_SRCDIR/conf/examples/fireworks-models-api.conf" > "$WORK/sources.d/fwapi.conf"
page2="$pages/models?pageSize=200&pageToken=Cg9sbGFtYS12M3AyLTFi"
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }

out=$(llmref sources test fwapi --fetch 2>&1); rc=$?
is "$rc" 0 "sources test --fetch reads every page with the key"
is "$(printf '%s\n' "$out" | grep -c 'capability:')" 6 "the rows of both pages (3 public models, 2 flags)"
is "$(grep -v '^END' "$FIXTURE_LOG" | grep -c 'GET	/_mis/bearer/api.fireworks.ai/v1/accounts/fireworks/models?pageSize=200	200')" 1 \
	"page 1 was read with the key (the server answers 401 without it)"
is "$(grep -v '^END' "$FIXTURE_LOG" | grep -c 'pageToken=Cg9sbGFtYS12M3AyLTFi	200')" 1 "and so was page 2"
is "$(grep -v '^END' "$FIXTURE_LOG" | grep -c '	401	')" 0 "no request went without it"

out=$(llmref refresh --source fwapi 2>&1); rc=$?
is "$rc" 0 "a refresh of the paginated source succeeds ($out)"
like "$out" "fwapi: ok, 6 rows" "one run over all pages"
is "$(q "select count(*) from runs where source_id = 'fwapi'")" 1 "one run for all pages"
is "$(q "select count(*) from model_facts where source_id = 'fwapi'")" 6 "every fact of both pages is stored"
is "$(q "select count(*) from snapshots where source_id = 'fwapi' and body like '[%'")" 1 \
	"the pages are archived together, as one JSON array"
out=$(llmref reparse --source fwapi 2>&1); rc=$?
is "$rc" 0 "reparse reads the archived pages again ($out)"
grep -q "fw-sentinel-key-8d1f" "$WORK"/*.log "$WORK"/fixture-*.log 2>/dev/null
is "$?" 1 "the key is in no log"
is "$(q "select count(*) from snapshots where body like '%fw-sentinel-key-8d1f%' or headers like '%fw-sentinel-key-8d1f%'")" 0 \
	"nor in the catalog"

fail_case() { # fail_case DESCRIPTION REGEX: the run fails with REGEX, nothing stored
	local before out rc
	before=$(catalog_dump; q "select count(*) from model_facts")
	out=$(llmref refresh --source fwapi 2>&1); rc=$?
	is "$rc" 1 "$1: the run fails"
	like "$out" "$2" "$1: and says why"
	is "$(catalog_dump; q "select count(*) from model_facts")" "$before" "$1: nothing of it is stored"
}
sed -i 's/^max_pages = .*/max_pages = 1/' "$WORK/sources.d/fwapi.conf"
fail_case "one page too many" "more than 1 pages \(\[paginate\] max_pages\)"
sed -i 's/^max_pages = .*/max_pages = 50/' "$WORK/sources.d/fwapi.conf"
cp "$page2" "$WORK/page2.good"
sed -i 's/"nextPageToken": ""/"nextPageToken": "Cg9sbGFtYS12M3AyLTFi"/' "$page2"
fail_case "a page that names itself next" "was read before: a loop"
rm -f "$page2"
fail_case "a page that fails" "HTTP 404|404"
cp "$WORK/page2.good" "$page2"
sed -i 's/^max_body_size = .*/max_body_size = 3KiB/' "$CONF"
fail_case "more bytes in all than max_body_size" "max_body_size"
sed -i 's/^max_body_size = .*/max_body_size = 16MiB/' "$CONF"
rm -f "$WORK/sources.d/fwapi.conf"

# ---- [fanout]: conf/examples/openrouter-endpoints-all.conf
or=$WORK/pages/openrouter.ai/api/v1/models
mkdir -p "$or"
cp -r "$LLMREF_SRCDIR"/tests/fixtures/pages/openrouter.ai/api/v1/models/. "$or/"
local_sources "$LLMREF_SRCDIR/conf/examples" "$WORK/all" "$FIXTURE_PORT"
local_sources "$LLMREF_SRCDIR/conf/sources.d" "$WORK/all" "$FIXTURE_PORT"
# with OpenRouter's model list, which brings the models
cp "$WORK/all/openrouter-endpoints-all.conf" "$WORK/all/openrouter.conf" "$WORK/sources.d/"
: > "$FIXTURE_LOG"
out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "a fanned-out source refreshes ($out)"
like "$out" "openrouter-endpoints-all: ok, 9 rows" "the endpoints of the three Meta models, one run"
is "$(grep -v '^END' "$FIXTURE_LOG" | grep -c '/endpoints	200')" 3 "one request per item"
is "$(q "select count(*) from routes where source_id = 'openrouter-endpoints-all' and served_by = 'Groq'")" 1 \
	"each endpoint a route of the provider behind it"
fail_case_src() { # fail_case_src DESCRIPTION REGEX
	local before out rc
	before=$(catalog_dump)
	out=$(llmref refresh --source openrouter-endpoints-all 2>&1); rc=$?
	is "$rc" 1 "$1: the run fails"
	like "$out" "$2" "$1: and says why"
	is "$(catalog_dump)" "$before" "$1: nothing of it is stored"
}
mv "$or/meta-llama/llama-3.1-8b-instruct/endpoints" "$WORK/ep8b"
fail_case_src "an item whose page fails" "404"
mv "$WORK/ep8b" "$or/meta-llama/llama-3.1-8b-instruct/endpoints"
sed -i 's/^max_items = .*/max_items = 2/' "$WORK/sources.d/openrouter-endpoints-all.conf"
fail_case_src "more items than max_items" "3 items, more than max_items \(2\)"
sed -i -e 's/^max_items = .*/max_items = 50/' \
	-e 's#^items = .*#items = "../../../secret"#' "$WORK/sources.d/openrouter-endpoints-all.conf"
fail_case_src "an item that climbs out of the path" "makes no URL"
sed -i 's#^items = .*#items = "meta-llama/.."#' "$WORK/sources.d/openrouter-endpoints-all.conf"
fail_case_src "an item ending in a .. segment" "makes no URL"
done_testing
