#!/bin/bash
# bench/run-site.sh BUILDDIR - issue 20: the page builders' tree of a
# catalog of MODELS models (default 3000; a seeded JSON list from one
# provider, served on 127.0.0.1 by the fixture server) with PAIRS
# comparison records (default 3000, listed in a [diff] pairs_file).
# Times, RUNS times each (median, min-max): a full write of the tree into
# an empty folder, a write that finds nothing changed, and a write after
# one model's price moved; prints files written and the tree's size.
# Run it under a private cluster:
#   pg_virtualenv -t -o port=5495 bash bench/run-site.sh build
set -eu
BUILD=$(cd "${1:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
MODELS=${MODELS:-3000} PAIRS=${PAIRS:-3000} RUNS=${RUNS:-3}
export LLMREF_SRCDIR=$SRC
. "$SRC/scripts/local.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/llmref-bench-site.XXXXXX")
trap 'fixture_stop; rm -rf "$WORK"' EXIT
gen() { # gen N BUMP: N models with exact per-token prices; model 0's moved by BUMP
	python3 - "$1" "$2" <<'PY'
import json, random, sys
n, bump = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(42)
data = []
for i in range(n):
    p = rnd.randrange(1, 4000) + (bump if i == 0 else 0)
    data.append({"id": "bench/model-%05d" % i, "context_length": 131072,
                 "pricing": {"prompt": "%.9f" % (p / 1e9), "completion": "%.9f" % (p / 1e9)}})
print(json.dumps({"data": data}))
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
mkdir -p "$WORK/pages/bench.invalid/models" "$WORK/sources.d"
gen "$MODELS" 0 > "$WORK/pages/bench.invalid/models/list"
fixture_start "$WORK/pages" "$WORK"
cat > "$WORK/sources.d/bench.conf" <<CONF
[source]
provider = bench
provider_name = Bench Provider
kind = pricing
url = http://127.0.0.1:$FIXTURE_PORT/bench.invalid/models/list
format = json
authoritative = yes
[extract]
jq = .data[] | {model: .id, input_price: .pricing.prompt,
      output_price: .pricing.completion, context_window: .context_length}
[units]
input_price = per_token
output_price = per_token
CONF
# PAIRS pairs: model 0 with the first 100 others, then neighbours
python3 - "$MODELS" "$PAIRS" > "$WORK/pairs" <<'PY'
import sys
n, want = int(sys.argv[1]), int(sys.argv[2])
out = set()
for j in range(1, min(n, 101)):
    out.add((0, j))
i = 1
while len(out) < want and i < n - 1:
    out.add((i, i + 1)); i += 1
for a, b in sorted(out)[:want]:
    print("model-%05d model-%05d" % (a, b))  # the catalog's ids: the vendor goes
PY
CONF=$(local_config "$WORK")
printf '[quarantine]\nenabled = no\n[diff]\npairs = all\npairs_file = %s\n' "$WORK/pairs" >> "$CONF"
dropdb --if-exists llmref_bench_site >/dev/null 2>&1; createdb llmref_bench_site
export PGDATABASE=llmref_bench_site
llmref() { "$BUILD/src/llmref" -c "$CONF" "$@"; }
llmref db migrate >/dev/null
llmref refresh --all >/dev/null
t() { local t0 t1 out; t0=$(date +%s%N); out=$(llmref export site "$1"); t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000000 )) ${out#*: *: }"; }
full= same= moved= what_full= what_moved=
for r in $(seq 1 "$RUNS"); do
	rm -rf "$WORK/site"
	read -r ms what_full < <(t "$WORK/site"); full="$full $ms"
	read -r ms _ < <(t "$WORK/site"); same="$same $ms"
	gen "$MODELS" $((r * 7)) > "$WORK/pages/bench.invalid/models/list"
	llmref refresh --all >/dev/null
	read -r ms what_moved < <(t "$WORK/site"); moved="$moved $ms"
done
row() { printf '| %s | %s | %s-%s | %s |\n' "$1" "$(for x in $2; do echo "$x"; done | median)" \
	"$(for x in $2; do echo "$x"; done | sort -n | head -1)" "$(for x in $2; do echo "$x"; done | sort -n | tail -1)" "$3"; }
printf '## bench/run-site.sh (%s, %s cores): %s models, %s comparison records, %s runs\n\n' \
	"$(date -u +%Y-%m-%d)" "$(nproc)" "$MODELS" "$(psql -XAtqc 'select count(*) from comparisons')" "$RUNS"
printf '| export site | median (ms) | min-max (ms) | files |\n|---|---:|---:|---|\n'
row "full write into an empty folder" "$full" "$what_full"
row "nothing changed" "$same" "0 written"
row "one model's price moved" "$moved" "$what_moved"
echo
echo "tree: $(du -sh "$WORK/site" | cut -f1), $(find "$WORK/site" -type f | wc -l) files"
