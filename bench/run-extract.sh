#!/bin/bash
# bench/run-extract.sh [BUILDDIR] - the transform language against the old
# per-field expressions (issue 15: at most 1.5x): bench/gen-corpus.py writes
# the benchmark corpus once (50 HTML pricing pages, 10 JSON model lists,
# 400 models each) with two sets of source files over the same pages:
# --lang old (XPath and JSON-path fields) and --lang jq (a table read by
# its headers, a jq program). The old fields are read by llmref as it was
# at OLD_REV, the last revision with JSON paths (built here from git into
# a temporary folder, or OLD_BUILD if given); the jq sources by BUILDDIR.
# bench/extract_bench loads each configuration (timed apart: it compiles
# the jq programs, once) and reads every page through refresh_parse_page,
# extract and normalize as a refresh does, no fetch, no database. RUNS
# runs of ROUNDS rounds each, alternately; prints the medians and their
# ratios, per format and in all, and checks that both read the same rows.
# Knobs: RUNS (5), ROUNDS (3), PROVIDERS (50), APIS (10), MODELS (400),
# OLD_REV, OLD_BUILD.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
RUNS=${RUNS:-5} ROUNDS=${ROUNDS:-3} PROVIDERS=${PROVIDERS:-50} APIS=${APIS:-10} MODELS=${MODELS:-400}
OLD_REV=${OLD_REV:-6560959}
make -C "$build" bench/extract_bench src/llmref >/dev/null
work=$(mktemp -d /tmp/llmref-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
old=${OLD_BUILD:-}
if [ -z "$old" ]; then # llmref at OLD_REV, built as the tests build it
	echo "bench: building llmref at $OLD_REV (the old per-field expressions)" >&2
	mkdir "$work/oldsrc"
	git -C "$top" archive "$OLD_REV" | tar -x -C "$work/oldsrc"
	(cd "$work/oldsrc" && ./autogen.sh >/dev/null 2>&1 && mkdir b && cd b &&
		../configure -q >/dev/null && make -j"$(nproc)" bench/extract_bench src/llmref >/dev/null) ||
		{ echo "bench: could not build $OLD_REV" >&2; exit 1; }
	old=$work/oldsrc/b
fi
bin() { if [ "$1" = old ]; then echo "$old"; else echo "$build"; fi; }
for lang in old jq; do
	python3 "$top/bench/gen-corpus.py" --out "$work/$lang" --port 1 --lang "$lang" \
		--providers "$PROVIDERS" --apis "$APIS" --models "$MODELS"
	for kind in api html; do # one configuration per format too
		mkdir -p "$work/$lang-$kind/sources.d"
		cp "$work/$lang"/sources.d/$kind*.conf "$work/$lang-$kind/sources.d/"
		sed "s#^sources = .*#sources = $work/$lang-$kind/sources.d#" "$work/$lang/llmref.conf" \
			> "$work/$lang-$kind/llmref.conf"
	done
done
cmp -s <(cd "$work/old/pages" && cat ./*) <(cd "$work/jq/pages" && cat ./*) ||
	{ echo "bench: the two corpora differ" >&2; exit 1; }
# the same rows, read both ways
for f in "$work"/old/sources.d/*.conf; do
	id=$(basename "$f" .conf) ext=html
	[ "${id#api}" != "$id" ] && ext=json
	for lang in old jq; do
		"$(bin $lang)/src/llmref" -c "$work/$lang/llmref.conf" sources test "$id" \
			--page "$work/old/pages/$id.$ext" | cut -f1-14 > "$work/$lang.$id.tsv"
	done
	cmp -s "$work/old.$id.tsv" "$work/jq.$id.tsv" || { echo "bench: $id: rows differ" >&2; exit 1; }
done
median() { sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
for r in $(seq 1 "$RUNS"); do
	for set in "" -api -html; do
		for lang in old jq; do
			"$(bin $lang)/bench/extract_bench" "$work/$lang$set/llmref.conf" "$work/old/pages" "$ROUNDS" \
				>> "$work/t.$lang$set"
		done
	done
done
printf '%-10s %14s %14s %14s %10s\n' set old_parse_s jq_parse_s jq_load_s ratio
for set in "" -api -html; do
	o=$(cut -d' ' -f2 "$work/t.old$set" | median)
	j=$(cut -d' ' -f2 "$work/t.jq$set" | median)
	l=$(cut -d' ' -f1 "$work/t.jq$set" | median)
	name=${set#-}; printf "%-10s %14.4f %14.4f %14.4f %10.2f\n" "${name:-all}" "$o" "$j" "$l" \
		"$(awk -v a="$j" -v b="$o" 'BEGIN{print a/b}')"
done
echo "rows per round: $(cut -d' ' -f3 "$work/t.jq" | head -1)"
