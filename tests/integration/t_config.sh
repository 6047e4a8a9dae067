#!/bin/bash
# A broken source file is refused with file, line and key, and nothing of
# it is fetched or stored; it is left out, and the other sources and the
# commands go on (issue 15: a broken draft stops nothing else).
. "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/sources.d"
CONF=$(local_config "$WORK")
good=$LLMREF_SRCDIR/conf/sources.d/fireworks.conf

check() { # check NAME SED-EXPR REGEX DESCRIPTION
	rm -f "$WORK"/sources.d/*.conf
	sed -e "$2" "$good" > "$WORK/sources.d/$1.conf"
	out=$(llmref refresh --all 2>&1); rc=$?
	is "$rc" 3 "$4: exits 3"
	like "$out" "$3" "$4: message names file, line and reason"
}

check bad 's/^format = html/format = xml/' 'bad\.conf:8: \[source\] format: unknown format .xml.' "unknown format"
check bad 's/^input_price = per_1m/input_price = per_gallon/' 'bad\.conf:17: \[units\] input_price: unknown unit' "unknown unit"
check bad 's#^url = https://#url = file:///#' 'bad\.conf:7: \[source\] url: .* not an http:// or https:// URL' "file URL"
check bad 's/^interval = 6h/interval = soon/' 'bad\.conf:9: \[source\] interval: .soon. is not a duration' "bad duration"
check bad 's/^table = /tabel = /' 'bad\.conf:12: unknown key \[extract\] tabel' "misspelt key"
check bad '/^provider = /d' 'bad\.conf: \[source\] provider is required' "missing key"
check bad 's/^kind = pricing/kind = pricing\nkind = pricing/' 'bad\.conf:7: \[source\] kind: set twice \(first on line 6\)' "duplicate key"
check bad "s/^table = .*/table = $(printf 'x%.0s' $(seq 1 250))/" 'bad\.conf:12: line longer than 199' "over-long line"
check bad 's/^\[extract\]/[extract/' 'bad\.conf:11: syntax error' "broken section header"
check Bad '' 'Bad\.conf: a source file name must be ID\.conf' "upper-case source id"
check bad 's/^table = .*/table = \/\/table[/' 'bad\.conf:12: \[extract\] table: invalid XPath' "XPath that does not compile"

# a long value may continue on indented lines
rm -f "$WORK"/sources.d/*.conf
sed -e "s#^table = .*#table = //table\n    [@id='serverless-pricing']#" "$good" > "$WORK/sources.d/fw.conf"
out=$(llmref refresh --source nosuch 2>&1); rc=$?
is "$rc" 2 "continued line parses (unknown source then is a usage error)"
like "$out" "no source matches source nosuch" "and says which source is unknown"

# a broken draft beside a good source: left out, loudly; the rest works
cp "$good" "$WORK/sources.d/fw.conf"
sed -e 's/^format = html/format = xml/' "$good" > "$WORK/sources.d/draft.conf"
out=$(llmref sources check 2>&1); rc=$?
is "$rc" 3 "sources check with a broken draft exits 3"
like "$out" "draft\.conf:8: \[source\] format: unknown format .xml. .*; this source is left out" \
	"and names the draft's file, line and reason"
like "$out" "^1 source ok$" "the good source is still checked"
like "$out" "^1 source file broken, left out$" "and the broken one counted"
out=$(llmref sources list 2>/dev/null); rc=$?
is "$rc" 0 "sources list works beside a broken draft"
is "$out" "fw" "and lists the good source only"
page=$LLMREF_SRCDIR/tests/fixtures/pages/fireworks.ai/pricing
out=$(llmref sources test fw --page "$page" 2>&1); rc=$?
is "$rc" 0 "sources test of the good source works beside a broken draft"
like "$out" "draft\.conf:8: .*left out" "and still says the draft is broken"
llmref sources test draft --page "$page" >/dev/null 2>&1; rc=$?
is "$rc" 3 "sources test of the broken draft exits 3"
# a jq program that does not compile: that source alone is left out
sed -e 's/^jq = .*/jq = .[] | {model: .Model/' "$good" > "$WORK/sources.d/draft.conf"
out=$(llmref sources check 2>&1); rc=$?
is "$rc" 3 "a draft whose jq program does not compile fails sources check"
like "$out" "draft\.conf: \[extract\] jq: .*syntax error.*; this source is left out" "naming the program's error"
like "$out" "^1 source ok$" "the good source's program still compiles and runs"
out=$(llmref sources test fw --page "$page" 2>/dev/null); rc=$?
is "$rc" 0 "and its page is read"
like "$out" "^Llama 3.2 1B Instruct	llama-3.2-1b-instruct" "with its rows"
done_testing
