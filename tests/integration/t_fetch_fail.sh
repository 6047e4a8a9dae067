#!/bin/bash
# A failing fetch is a failed run with a clear reason; the catalog is
# untouched and the source's failure count and last error are recorded.
. "$(dirname "$0")/lib.sh"
need_pg
setup_local
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
llmref refresh --all >/dev/null 2>&1 || { echo "Bail out! first refresh failed"; exit 1; }
before=$(catalog_dump)

point() { # point MODE: serve the sources through /_mis/MODE/
	rm -rf "$WORK/sources.d"
	local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT" "/_mis/$1"
}

expect_fail() { # expect_fail MODE REGEX DESCRIPTION
	point "$1"
	out=$(llmref refresh --source openrouter 2>&1); rc=$?
	is "$rc" 1 "$3: exits 1"
	like "$out" "source openrouter: http://127\.0\.0\.1:[0-9]+/_mis/$1/openrouter\.ai/api/v1/models: $2" "$3: error names source, URL and reason"
	is "$(catalog_dump)" "$before" "$3: catalog unchanged"
}

expect_fail status-503 "HTTP 503" "HTTP 503"
expect_fail status-404 "HTTP 404" "HTTP 404"
expect_fail redirect-file "redirect to a scheme other than http/https refused" "redirect to file://"
expect_fail redirect-loop "more than 5 redirects" "redirect loop"
expect_fail truncate "." "truncated body"
expect_fail big "body exceeds 16777216 bytes after decompression" "20 MiB body"
expect_fail gzip-bomb "body exceeds 16777216 bytes after decompression" "gzip bomb"

is "$(q "select consecutive_failures from sources where id = 'openrouter'")" 7 "failures counted"
like "$(q "select last_error from sources where id = 'openrouter'")" "body exceeds" "last error recorded"
is "$(q "select count(*) from runs where source_id = 'openrouter' and outcome = 'failed'")" 7 "failed runs recorded"
is "$(q "select count(*) from runs where outcome = 'running'")" 0 "no run left open"

# a page that parses but yields nothing fails instead of emptying the catalog
point redirect-ok
sed -i 's/^jq = \.data\[\]?/jq = .nothing[]?/' "$WORK/sources.d/openrouter.conf"
out=$(llmref refresh --source openrouter 2>&1); rc=$?
is "$rc" 1 "zero rows: exits 1"
like "$out" "no rows extracted" "zero rows: says so"
is "$(catalog_dump)" "$before" "zero rows: catalog unchanged"

point redirect-ok
out=$(llmref refresh --source openrouter 2>&1); rc=$?
is "$rc" 0 "a redirect to the same page over http is followed"
is "$(q "select consecutive_failures from sources where id = 'openrouter'")" 0 "success resets the failure count"
is "$(catalog_dump)" "$before" "and the catalog is still unchanged (same data)"
done_testing
