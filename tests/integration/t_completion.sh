#!/bin/bash
# Bash completion (completion/llmref): commands, sub-commands, each
# command's options (checked against the binary's own usage lines), and
# provider names and source ids read from "llmref sources list".
. "$(dirname "$0")/lib.sh"
unset LLMREF_CONFIG
# shellcheck source=../../completion/llmref
. "$LLMREF_SRCDIR/completion/llmref"

local_sources "$LLMREF_SRCDIR/conf/sources.d" "$WORK/sources.d" 9
CONF=$(local_config "$WORK")

comp() { # comp WORD...: the candidates for the last word, sorted, one line
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_llmref
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
B=$LLMREF_BIN

# commands: every one in src/cli/cli.c's table, first words then second words
cmds=$(sed -n '/^static const struct command commands\[\] = {/,/^};/p' "$LLMREF_SRCDIR/src/cli/cli.c" |
	grep -oE '^	\{ "[a-z ]+"' | sed -E 's/^	\{ "([a-z ]+)"/\1/')
want=$(printf '%s\n' "$cmds" | cut -d' ' -f1 | sort -u | tr '\n' ' ' | sed 's/ $//')
is "$(comp "$B" '')" "$want" "first word: every command"
is "$(comp "$B" -c "$CONF" -v re)" "refresh reparse review" "after global options: commands by prefix"
is "$(comp "$B" --ver)" "--verbose --version" "global options"
missing=
while read -r first second; do
	[ -n "$second" ] || continue
	case " $(comp "$B" "$first" '') " in *" $second "*) ;; *) missing="$missing '$first $second'" ;; esac
done <<<"$cmds"
is "$missing" "" "second word: every two-word command"
is "$(comp "$B" sources t)" "test" "sources t -> test"

# options: every --option in each command's usage line is offered
missing=
while read -r cmd; do
	# shellcheck disable=SC2086
	got=" $(comp "$B" $cmd --) "
	for o in $("$B" $cmd --help | grep -oE -- '--[a-z-]+' | sort -u); do
		case $got in *" $o "*) ;; *) missing="$missing '$cmd $o'" ;; esac
	done
done <<<"$cmds"
is "$missing" "" "every command's options (from its --help) are completed"
is "$(comp "$B" refresh --)" "--accept --all --dry-run --help --json --no-progress --provider --source" \
	"refresh --"
is "$(comp "$B" -c "$CONF" refresh --all --d)" "--dry-run" "refresh --all --d"
is "$(comp "$B" status --)" "--help --json" "status --"

# names from the configuration named on the line being completed
is "$(comp "$B" -c "$CONF" refresh --provider f)" "fireworks" "refresh --provider f"
is "$(comp "$B" -c "$CONF" refresh --provider '' | wc -w)" "$("$B" -c "$CONF" sources list --providers | wc -l)" \
	"refresh --provider: every provider"
is "$(comp "$B" -c "$CONF" refresh --source op)" "openrouter openrouter-endpoints" "refresh --source op"
is "$(comp "$B" --config "$CONF" reparse --source fireworks)" "fireworks fireworks-features" "--config FILE, reparse --source"
is "$(comp "$B" -c "$CONF" sources test '' | wc -w)" "$(ls "$LLMREF_SRCDIR"/conf/sources.d/*.conf | wc -l)" \
	"sources test: every source id"
is "$(comp "$B" -c "$CONF" sources test cu)" "curated-llama" "sources test cu"
is "$(comp "$B" -c "$CONF" sources test groq --)" "--fetch --file --help --page --verbose" "sources test ID --"
is "$(LLMREF_CONFIG=$CONF comp "$B" history --provider gr)" "groq" "the default config: \$LLMREF_CONFIG"
is "$(comp "$B" -c "$WORK/none.conf" refresh --source op)" "" "a config that does not load: nothing"
touch "$WORK/page-a.html"
is "$(comp "$B" sources test groq --page "$WORK/page-")" "$WORK/page-a.html" "--page FILE: files"
is "$(comp "$B" events --since '')" "" "--since wants a number"

# it is installed for "llmref"
like "$(complete -p llmref)" "-F _llmref llmref" "registered for llmref"
done_testing
