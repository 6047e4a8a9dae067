#!/bin/bash
# The man pages keep up with the code: every key of the config tables in
# src/config/config.c is documented in llmref.conf(5) or llmref-sources(5), every
# command of src/cli/cli.c in llmref(1), and each page renders.
. "$(dirname "$0")/lib.sh"
cd "$LLMREF_SRCDIR" || exit 1

keys() { # keys TABLE: "section key" pairs of one key table in config.c
	sed -n "/^static const struct key_def $1\[\] = {/,/^};/p" src/config/config.c |
		grep -oE '\{ "[a-z_]+", "[a-z_]+"' | sed -E 's/\{ "([a-z_]+)", "([a-z_]+)"/\1 \2/'
}
documented() { # documented PAGE SECTION KEY: a .B/.BR line naming KEY under .SS [SECTION]
	awk -v sec="[$2]" '/^\.SS / { insec = (index($0, sec) > 0); next } insec' "$1" |
		grep -E '^\.(B|BR|BI) ' | grep -qw -- "$3"
}
n=0; missing=
while read -r sec key; do
	n=$((n + 1))
	documented man/llmref.conf.5 "$sec" "$key" || missing="$missing [$sec] $key"
done < <(keys config_keys)
is "$missing" "" "all $n llmref.conf keys are in llmref.conf(5)"
n=0; missing=
while read -r sec key; do
	n=$((n + 1))
	documented man/llmref-sources.5 "$sec" "$key" || missing="$missing [$sec] $key"
done < <(keys source_keys)
is "$missing" "" "all $n source file keys are in llmref-sources(5)"

missing=
for cmd in $(sed -n '/^static const struct command commands\[\] = {/,/^};/p' src/cli/cli.c | grep -oE '^	\{ "[a-z ]+"' | sed -E 's/^	\{ "([a-z ]+)"/\1/' | tr ' ' '_'); do
	c=${cmd//_/ }
	grep -qE "^\.(B|BR|BI) \"?$c" man/llmref.1 || missing="$missing '$c'"
done
is "$missing" "" "every command is in llmref(1)"

if command -v man >/dev/null; then
	for p in man/*.[158]; do
		out=$(MANWIDTH=80 man -l "$p" 2>&1 >/dev/null)
		is "$out" "" "$p renders without warnings"
	done
fi
done_testing
