#!/bin/bash
# The fetch layer against a misbehaving server: every misbehaviour ends
# in a clear failed run (or a success after a retry) and leaves the
# catalog as it was; validators, politeness and concurrency hold.
. "$(dirname "$0")/lib.sh"
need_pg
setup_local
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
llmref refresh --all >/dev/null 2>&1 || { echo "Bail out! first refresh failed"; exit 1; }
before=$(catalog_dump)
LOG=$FIXTURE_LOG

set_fetch() { # set_fetch KEY VALUE: change one [fetch] key of $CONF
	sed -i "/^$1 = /d" "$CONF"
	sed -i "s/^\[fetch\]$/[fetch]\n$1 = $2/" "$CONF"
}
point() { # point MODE: serve openrouter through /_mis/MODE/
	local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT" "/_mis/$1"
}
runs() { q "select count(*) from runs where source_id = 'openrouter'"; }
last_run() { q "select outcome || ' ' || coalesce(attempts, 0) from runs where source_id = 'openrouter' order by id desc limit 1"; }

expect_fail() { # expect_fail MODE REGEX DESCRIPTION
	point "$1"
	out=$(llmref refresh --source openrouter 2>&1); rc=$?
	is "$rc" 1 "$3: exits 1"
	like "$out" "source openrouter: http://127\.0\.0\.1:[0-9]+/_mis/$1/openrouter\.ai/api/v1/models: $2" "$3: names source, URL and reason"
	is "$(catalog_dump)" "$before" "$3: catalog unchanged"
}

set_fetch retries 0
set_fetch low_speed_time 2s
expect_fail slow "(timed out|Operation too slow)" "slow drip (1 byte / 2 s)"
expect_fail stall "(timed out|Operation too slow)" "stall after headers"
expect_fail reset "(Connection reset|Recv failure)" "reset mid-body"
expect_fail short-length "transfer closed with 100 bytes remaining" "short body for its Content-Length"
expect_fail retry-after-1 "HTTP 429" "429"
is "$(last_run)" "failed 1" "no retry with retries = 0"

set_fetch retries 2
set_fetch backoff 100ms
expect_fail status-503 "HTTP 503 \(after 3 attempts\)" "503 every time, 2 retries"
is "$(last_run)" "failed 3" "three attempts recorded"

# transient failures that clear up: the run succeeds after a retry
# "once" modes keep their state per path for the server's life: use each once
point_once() { local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT" "/_mis/$1"; }
ok_once() { # ok_once MODE DESCRIPTION MIN_SECONDS
	point_once "$1"
	local t0 t1
	t0=$(date +%s%N)
	out=$(llmref refresh --source openrouter 2>&1); rc=$?
	t1=$(date +%s%N)
	is "$rc" 0 "$2: succeeds"
	like "$(last_run)" "^(ok|unchanged) 2$" "$2: on the second attempt"
	ok "$([ $(( (t1 - t0) / 1000000 )) -ge "$3" ]; echo $?)" "$2: waited at least $3 ms"
	is "$(catalog_dump)" "$before" "$2: catalog unchanged (same data)"
}
ok_once fail-once "500 then 200" 100
ok_once status-once-503 "503 then 200" 100
ok_once retry-after-once-1 "429 with Retry-After: 1 then 200" 1000
ok_once retry-after-date-once-2 "429 with an HTTP-date Retry-After then 200" 1000

set_fetch retries 0
expect_fail redirect-loop "more than 5 redirects" "redirect loop"
expect_fail redirect-file "redirect to a scheme other than http/https refused" "redirect to file://"
expect_fail gzip-bomb "body exceeds 16777216 bytes after decompression" "gzip bomb"
expect_fail big "body exceeds 16777216 bytes after decompression" "20 MiB body"
expect_fail big-header "a response header line is longer than 100 KiB \\(curl's limit\\)" "one 200 KiB header (issue 17: was 'Out of memory')"
set_fetch max_body_size 4KiB
point redirect-ok
out=$(llmref refresh --source openrouter 2>&1)
like "$out" "body exceeds 4096 bytes after decompression" "the body cap is configurable"
set_fetch max_body_size 16MiB

# after a failed run the next request is unconditional, then validators return
point no-such-mode-x
llmref refresh --source openrouter >/dev/null 2>&1
rm -rf "$WORK/sources.d"; local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT"
llmref refresh --source openrouter >/dev/null 2>&1
like "$(grep -F '/openrouter.ai/api/v1/models' "$LOG" | grep -v '^END' | tail -n 1)" "	inm=-	ims=-	" "after a failure the request is unconditional"
is "$(last_run)" "unchanged 1" "and the same body then counts as unchanged"
out=$(llmref refresh --source openrouter 2>&1)
like "$out" "openrouter: unchanged \(HTTP 304" "the next one is conditional again (304)"
like "$(grep -F '/openrouter.ai/api/v1/models' "$LOG" | grep -v '^END' | tail -n 1)" 'inm="[0-9a-f]+"	ims=[A-Z][a-z]{2}, ' "and sends If-None-Match and If-Modified-Since"
like "$(grep -v '^END' "$LOG" | tail -n 1)" "ua=llmref/[0-9.]+ \(\+mailto:tests@llmref.invalid\)" "User-Agent names llmref and the contact"

# a server that ignores validators: same bytes are unchanged, nothing parsed
point no-validators
out=$(llmref refresh --source openrouter 2>&1)
out=$(llmref refresh --source openrouter 2>&1)
like "$out" "openrouter: unchanged \(HTTP 200, same body" "same body without validators: unchanged"
is "$(catalog_dump)" "$before" "catalog unchanged throughout"

# status shows each source's state
out=$(llmref status); rc=$?
is "$rc" 0 "status exits 0"
like "$out" "^SOURCE +PROVIDER" "status prints a header"
like "$out" "openrouter +openrouter +[0-9T:Z-]+ +[0-9T:Z-]+ +0 +unchanged" "status shows openrouter's state"
is "$(llmref status --json | python3 -c 'import json,sys; print(sorted(json.loads(l)["id"] for l in sys.stdin))')" \
	"['fireworks', 'openrouter']" "status --json gives one object per source"

# reparse: re-read the stored page with changed settings, no request made
requests=$(grep -vc '^END' "$LOG")
sed -i 's/output_price: \.pricing\.completion/output_price: .pricing.prompt/' "$WORK/sources.d/openrouter.conf"
out=$(llmref reparse --source openrouter 2>&1); rc=$?
is "$rc" 1 "a reparse that moves most output prices is held back (exit 1)"
like "$out" "openrouter: quarantined, [0-9]+ rows: [0-9]+ of [0-9]+ routes changed price at once" \
	"by the guard, which says why"
out=$(llmref refresh --source openrouter --accept 2>&1); rc=$?
is "$rc" 0 "refresh --accept succeeds"
like "$out" "openrouter: ok, [0-9]+ rows: 0 added, [1-9][0-9]* changed" "and applies the new reading"
is "$(grep -vc '^END' "$LOG")" "$requests" "reparse and accept made no request"
is "$(q "select output_usd_per_mtok from current_prices p join routes r on r.id = p.route_id where r.provider_model_id = 'meta-llama/llama-3.2-1b-instruct'")" \
	0.027 "the output price now reads the prompt field"
out=$(llmref reparse --source fireworks 2>&1); rc=$?
is "$rc" 0 "reparse of an untouched source succeeds too"
# one deadline for a source's whole fetch, retries included ([fetch] deadline)
set_fetch retries 5
set_fetch backoff 100ms
set_fetch timeout 20s
set_fetch low_speed_time 30s
set_fetch deadline 4s
before=$(catalog_dump)
msof() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
point retry-after-120
t0=$(date +%s%N); out=$(llmref refresh --source openrouter 2>&1); rc=$?; ms=$(msof "$t0")
is "$rc" 1 "Retry-After 120 s past a 4 s deadline: the run fails"
like "$out" "retry in 120 s \(Retry-After\), past the fetch deadline \(\[fetch\] deadline 4 s\): given up now" \
	"and says what the provider asked for"
is "$(last_run)" "failed 1" "at once: one attempt, no retry"
ok "$([ "$ms" -lt 60000 ]; echo $?)" "not after 120 s ($ms ms)"
point slow
t0=$(date +%s%N); out=$(llmref refresh --source openrouter 2>&1); rc=$?; ms=$(msof "$t0")
is "$rc" 1 "a drip of 1 byte / 2 s under a 20 s timeout: the 4 s deadline ends it"
ok "$([ "$ms" -ge 3500 ] && [ "$ms" -lt 9000 ]; echo $?)" "after about 4 s, retries included ($ms ms)"
point status-503
t0=$(date +%s%N); out=$(llmref refresh --source openrouter 2>&1); rc=$?; ms=$(msof "$t0")
like "$out" "HTTP 503" "503 every time: the retries stop at the deadline"
is "$(catalog_dump)" "$before" "the catalog is unchanged"
set_fetch deadline 5m
done_testing
