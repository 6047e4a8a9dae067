#!/bin/bash
# The command line: --version, --help, usage errors and their exit codes.
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
done_testing
