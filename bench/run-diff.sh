#!/bin/bash
# run-diff.sh BUILDDIR - the cost of a one-price change with N models
# (default N = 200 and 2000), including the diff stage: a seeded JSON
# model list of N models from one provider, served on 127.0.0.1 by the
# fixture server, loaded into a private catalog; then one price moves and
# the refresh of that source is timed (RUNS times, alternating two prices,
# median and spread). The pairs are those of the changed model with every
# other one ([diff] pairs_file): the pairs a one-price change touches
# under "pairs = all", without computing all N(N-1)/2 records first.
# Run it under pg_virtualenv (make -C build bench does).
set -eu
BUILD=$(cd "${1:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-200 2000}
RUNS=${RUNS:-5}
export LLMREF_SRCDIR=$SRC
. "$SRC/scripts/local.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/llmref-bench-diff.XXXXXX")
trap 'fixture_stop; rm -rf "$WORK"' EXIT

gen() { # gen N PRICE: a model list of N models; model 0's output price PRICE
	python3 - "$1" "$2" <<'EOF'
import json, random, sys
n, price = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(42)
data = []
for i in range(n):
    p = "%.9f" % (rnd.randrange(1, 4000) / 1e9)
    data.append({"id": "bench/model-%05d" % i, "name": "Model %d" % i, "context_length": 131072,
                 "pricing": {"prompt": p, "completion": price if i == 0 else p}})
print(json.dumps({"data": data}))
EOF
}

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f %.3f %.3f\n", m, a[1], a[NR]}'; }

printf '| models | records recomputed per change | median s | min s | max s |\n|---:|---:|---:|---:|---:|\n'
for n in $SIZES; do
	db=llmref_bench_diff_$n
	dropdb --if-exists "$db" >/dev/null 2>&1; createdb "$db"
	export PGDATABASE=$db
	mkdir -p "$WORK/$n/pages/bench.invalid/models" "$WORK/$n/sources.d"
	gen "$n" 0.000001000 > "$WORK/$n/pages/bench.invalid/models/list"
	fixture_stop
	fixture_start "$WORK/$n/pages" "$WORK/$n"
	cat > "$WORK/$n/sources.d/bench.conf" <<EOF
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
EOF
	CONF=$(local_config "$WORK/$n")
	python3 -c "import sys; n=int(sys.argv[1]); [print('model-00000 model-%05d' % i) for i in range(1, n)]" "$n" > "$WORK/$n/pairs"
	printf '[diff]\npairs_file = %s\n[quarantine]\nenabled = no\n' "$WORK/$n/pairs" >> "$CONF"
	"$BUILD/src/llmref" -c "$CONF" db migrate >/dev/null
	"$BUILD/src/llmref" -c "$CONF" refresh --all >/dev/null
	times=
	for r in $(seq 1 "$RUNS"); do
		gen "$n" "0.00000$((r % 2 + 2))000" > "$WORK/$n/pages/bench.invalid/models/list"
		t0=$(date +%s%N)
		out=$("$BUILD/src/llmref" -c "$CONF" refresh --all)
		t1=$(date +%s%N)
		rec=$(printf '%s\n' "$out" | sed -n 's/^diff: .* \([0-9][0-9]*\) comparison records\{0,1\} recomputed.*/\1/p')
		times="$times $(( (t1 - t0) / 1000 ))"
	done
	read -r med min max < <(for t in $times; do echo "$t"; done | median)
	printf '| %d | %s | %.3f | %.3f | %.3f |\n' "$n" "$rec" "$(echo "$med / 1000000" | bc -l)" \
		"$(echo "$min / 1000000" | bc -l)" "$(echo "$max / 1000000" | bc -l)"
	dropdb "$db"
done
