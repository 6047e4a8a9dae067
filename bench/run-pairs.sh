#!/bin/bash
# run-pairs.sh BUILDDIR - what [diff] pairs = all costs (issue 16): N
# models from one provider (a seeded JSON list served on 127.0.0.1 by the
# fixture server) loaded into a private catalog twice, once with pairs =
# all and once with an empty pairs_file (no records), RUNS times each,
# alternating; the difference of the medians is the diff pass: N(N-1)/2
# records. Prints records, seconds and ms per record, and the time that
# 3,100 models (4,803,450 pairs) would take at the largest size's rate.
# SIZES="250 500 1000" by default; SIZES=3100 measures 4.8 million pairs
# itself (about 1.2 ms per record here: hours, and gigabytes of records).
# Run it under pg_virtualenv (make -C build bench does not: it is long).
set -eu
BUILD=$(cd "${1:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-250 500 1000}
RUNS=${RUNS:-3}
export LLMREF_SRCDIR=$SRC
. "$SRC/scripts/local.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/llmref-bench-pairs.XXXXXX")
trap 'fixture_stop; rm -rf "$WORK"' EXIT

gen() { # gen N: a model list of N models with exact per-token prices
	python3 - "$1" <<'PY'
import json, random, sys
n = int(sys.argv[1])
rnd = random.Random(42)
data = []
for i in range(n):
    p = "%.9f" % (rnd.randrange(1, 4000) / 1e9)
    data.append({"id": "bench/model-%05d" % i, "context_length": 131072,
                 "pricing": {"prompt": p, "completion": p}})
print(json.dumps({"data": data}))
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

load() { # load N MODE: one first load into a fresh database; prints "µs records"
	local n=$1 mode=$2 db=llmref_bench_pairs out t0 t1
	dropdb --if-exists "$db" >/dev/null 2>&1; createdb "$db"
	export PGDATABASE=$db
	sed -i '/^\[diff\]/,$d' "$CONF"
	if [ "$mode" = all ]; then
		printf '[diff]\npairs = all\n' >> "$CONF"
	else
		: > "$WORK/$n/none"
		printf '[diff]\npairs_file = %s\n' "$WORK/$n/none" >> "$CONF"
	fi
	"$BUILD/src/llmref" -c "$CONF" db migrate >/dev/null
	t0=$(date +%s%N)
	out=$("$BUILD/src/llmref" -c "$CONF" refresh --all 2>&1)
	t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000 )) $(printf '%s\n' "$out" | sed -n 's/^diff: .* \([0-9][0-9]*\) comparison records\{0,1\} recomputed.*/\1/p') $(psql -XAtqc "select pg_database_size('$db') / 1048576")"
}

printf '| models | pairs | records | load, pairs = all (s) | load, no records (s) | diff pass (s) | ms per record | database, pairs = all (MiB) |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
rate=
for n in $SIZES; do
	mkdir -p "$WORK/$n/pages/bench.invalid/models" "$WORK/$n/sources.d"
	gen "$n" > "$WORK/$n/pages/bench.invalid/models/list"
	fixture_stop
	fixture_start "$WORK/$n/pages" "$WORK/$n"
	cat > "$WORK/$n/sources.d/bench.conf" <<CONF
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
	CONF=$(local_config "$WORK/$n")
	printf '[quarantine]\nenabled = no\n' >> "$CONF"
	all= none= rec=
	for r in $(seq 1 "$RUNS"); do
		read -r us rec mib < <(load "$n" all)
		all="$all $us"
		read -r us _ _ < <(load "$n" none)
		none="$none $us"
	done
	a=$(for t in $all; do echo "$t"; done | median)
	b=$(for t in $none; do echo "$t"; done | median)
	rate=$(echo "($a - $b) / 1000 / $rec" | bc -l)
	printf '| %d | %d | %s | %.2f | %.2f | %.2f | %.3f | %s |\n' "$n" $((n * (n - 1) / 2)) "$rec" \
		"$(echo "$a / 1000000" | bc -l)" "$(echo "$b / 1000000" | bc -l)" \
		"$(echo "($a - $b) / 1000000" | bc -l)" "$rate" "$mib"
done
printf '\n3,100 models, pairs = all: 4,803,450 records, about %.0f min at %.3f ms per record.\n' \
	"$(echo "4803450 * $rate / 60000" | bc -l)" "$rate"
