#!/bin/bash
# The command line: --version, --help, usage errors and their exit codes;
# with a PostgreSQL server also the listings (a table, or JSON lines with
# --json) and refresh on a terminal (progress line, summary table).
. "$(dirname "$0")/lib.sh"
CONF=$WORK/none.conf

out=$("$LLMREF_BIN" --version); rc=$?
is "$rc" 0 "--version exits 0"
like "$out" '^llmref [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"

out=$("$LLMREF_BIN" --help); rc=$?
is "$rc" 0 "--help exits 0"
for cmd in "db migrate" "refresh" "export catalog"; do
	like "$out" "$cmd" "--help lists '$cmd'"
	# shellcheck disable=SC2086
	sub=$("$LLMREF_BIN" $cmd --help); rc=$?
	is "$rc" 0 "'$cmd --help' exits 0"
	like "$sub" "^usage: llmref .*$cmd" "'$cmd --help' prints its usage"
done

"$LLMREF_BIN" >/dev/null 2>&1; is "$?" 2 "no command exits 2"
"$LLMREF_BIN" frobnicate >/dev/null 2>&1; is "$?" 2 "unknown command exits 2"
"$LLMREF_BIN" --bogus >/dev/null 2>&1; is "$?" 2 "unknown option exits 2"
out=$("$LLMREF_BIN" -c "$CONF" refresh 2>&1); rc=$?
is "$rc" 2 "refresh without a selector exits 2"
like "$out" "exactly one of --all, --provider NAME, --source ID" "and says what it needs"
"$LLMREF_BIN" -c "$CONF" refresh --all --source x >/dev/null 2>&1; is "$?" 2 "two selectors exit 2"
"$LLMREF_BIN" -c "$CONF" db migrate extra >/dev/null 2>&1; is "$?" 2 "extra argument exits 2"

out=$("$LLMREF_BIN" -c "$CONF" refresh --all 2>&1); rc=$?
is "$rc" 3 "missing config file exits 3"
like "$out" "none.conf: No such file" "and names the file"

out=$(LLMREF_CONFIG=$WORK/env.conf "$LLMREF_BIN" refresh --all 2>&1)
like "$out" "env.conf" "LLMREF_CONFIG names the default config"

# sources list: what completion offers (t_completion.sh tests the script)
local_sources "$LLMREF_SRCDIR/conf/sources.d" "$WORK/all.d" 9
CONF=$(local_config "$WORK") && mv "$WORK/llmref.conf" "$WORK/all.conf" && CONF=$WORK/all.conf
sed -i "s#^sources = .*#sources = $WORK/all.d#" "$CONF"
is "$(llmref sources list | wc -l)" "$(ls "$LLMREF_SRCDIR"/conf/sources.d/*.conf | wc -l)" "sources list: one line per source"
like "$(llmref sources list)" "^azure" "sources list prints bare ids"
is "$(llmref sources list --providers | grep -c '^fireworks$')" 1 "sources list --providers names each provider once"
llmref sources list extra >/dev/null 2>&1; is "$?" 2 "sources list extra exits 2"

if ! command -v psql >/dev/null || ! psql -Atqc 'select 1' >/dev/null 2>&1; then
	ok 0 "# SKIP no PostgreSQL server: listings and progress not tested"
	done_testing
fi
need_pg
setup_local
llmref db migrate >/dev/null || echo "Bail out! db migrate"

# refresh on a terminal (script(1) gives it a pty): one line rewritten
# with CR + clear-to-end-of-line, then the summary table
visible() { printf '%s' "$1" | sed -e 's/\r/<CR>/g' -e 's/\x1b\[K/<EL>/g'; }
on_tty() { TERM=xterm script -qec "$(printf '%q ' "$LLMREF_BIN" -c "$CONF" "$@")" /dev/null; }
if command -v script >/dev/null; then
	out=$(on_tty refresh --all); rc=$?
	is "$rc" 0 "refresh --all on a terminal exits 0"
	v=$(visible "$out")
	like "$v" '^<CR><EL>\[0/2\] refreshing 2 sources' "it starts with a progress line"
	like "$v" '<CR><EL>\[1/2\] (openrouter|fireworks): ok, [0-9]+ rows; [0-9]+ rows in all<CR><EL>\[2/2\] ' \
		"the line is rewritten in place as sources finish"
	like "$v" '<CR><EL>SOURCE +OUTCOME +ADDED +CHANGED +GONE +SECONDS' "then the summary table"
	like "$v" 'openrouter +ok +[1-9][0-9]* +0 +0 +[0-9]+\.[0-9]{2}' "a row per source: outcome, added, changed, gone, time"
	like "$v" '2 sources: 2 ok; [1-9][0-9]* added, 0 changed, 0 gone in [0-9.]+ s' "and a totals line"
	if printf '%s' "$v" | grep -Eq 'rows: [0-9]+ added'; then ok 1 "no plain lines on a terminal"; else ok 0 "no plain lines on a terminal"; fi
	v=$(visible "$(on_tty refresh --all)")
	like "$v" 'openrouter +unchanged +0 +0 +0 ' "an unchanged source in the table"
	like "$v" '2 sources: 1 ok, 1 unchanged; 0 added' "totals count outcomes"
	v=$(visible "$(on_tty refresh --all --no-progress)")
	like "$v" 'openrouter: unchanged \(HTTP 304' "--no-progress: plain lines on a terminal"
	if printf '%s' "$v" | grep -q '<EL>'; then ok 1 "--no-progress: no progress line"; else ok 0 "--no-progress: no progress line"; fi
	# a failure: its error on a line of its own, the line drawn again after it
	sed -e 's#/api/v1/models#/api/v1/no-such-page#' "$WORK/sources.d/openrouter.conf" > "$WORK/sources.d/broken.conf"
	out=$(on_tty refresh --source broken); rc=$?
	is "$rc" 1 "a failed source on a terminal exits 1"
	v=$(visible "$out")
	like "$v" '<CR><EL>llmref: error: source broken: .*HTTP 404.*<CR>$' "its error on a line of its own"
	like "$v" '<CR><EL>\[1/1\] broken: failed, 0 rows' "then the progress line again"
	like "$v" 'broken +failed +0 +0 +0 ' "and its row in the table"
	rm "$WORK/sources.d/broken.conf"
else
	ok 0 "# SKIP script(1) not installed: progress line not tested"
fi
out=$(llmref refresh --all); rc=$?
like "$out" '^openrouter: unchanged \(HTTP 304, run [0-9]+, [0-9.]+ s\)' "without a terminal: plain lines"
if printf '%s' "$out" | grep -q "$(printf '\r')\|SOURCE"; then ok 1 "no progress, no table"; else ok 0 "no progress, no table"; fi

# every listing: a table by default, one JSON object a line with --json
json_lines() { python3 -c 'import json,sys; r=[json.loads(l) for l in sys.stdin]; assert all(isinstance(o, dict) for o in r); print(len(r))'; }
for cmd in "status:SOURCE +PROVIDER +LAST ATTEMPT" "alerts:KIND +SUBJECT +SINCE +MESSAGE" \
	"conflicts:MODEL +FACT +SOURCE A +VALUE A" "unmatched:SOURCE +NAME +CANONICAL +SINCE" \
	"review:no quarantined runs wait for review"; do
	name=${cmd%%:*}
	like "$(llmref "$name")" "^${cmd#*:}" "$name: a table by default"
	n=$(llmref "$name" --json | json_lines); rc=$?
	is "$rc" 0 "$name --json: JSON lines"
	case $name in status | unmatched | alerts) like "$n" '^[1-9]' "$name --json: a line per row";; esac
done
# unmatched --source: only that source's names
src=$(llmref unmatched --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["source"])')
all=$(llmref unmatched --json | wc -l)
one=$(llmref unmatched --source "$src" --json)
is "$(printf '%s\n' "$one" | python3 -c 'import json,sys; print(sorted({json.loads(l)["source"] for l in sys.stdin}))')" \
	"['$src']" "unmatched --source $src: only its names"
is "$(printf '%s\n' "$one" | wc -l)" "$(llmref unmatched --json | grep -c "\"source\":\"$src\"")" "and all of them ($all in all)"
is "$(llmref unmatched --source no-such-source --json | wc -l)" 0 "an unknown source: nothing"
# show model ID --json, the order llmref(1) gives
model=$(q "select id from models order by id limit 1")
out=$(llmref show model "$model" --json); rc=$?
is "$rc" 0 "show model ID --json: the options may follow the id"
like "$out" "\"model\": \"$model\"" "and it prints the model as JSON"
# sources check names a markdown source's format
sed 's/^format = html/format = markdown/' "$WORK/sources.d/fireworks.conf" > "$WORK/sources.d/md.conf"
like "$(llmref sources check)" "md.conf: ok \(fireworks, markdown\)" "sources check calls a markdown source markdown"
rm "$WORK/sources.d/md.conf"
done_testing
