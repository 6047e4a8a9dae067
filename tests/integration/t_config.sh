#!/bin/bash
# A broken source file stops the command with file, line and key, and
# nothing is fetched or stored.
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
done_testing
