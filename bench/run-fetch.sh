#!/bin/bash
# bench/run-fetch.sh [BUILDDIR] - the fetch layer against plain curl:
# nginx on 127.0.0.1 serves a seeded corpus; llmref's fetch_run
# (bench/fetch_bench) and `curl --parallel` each fetch every page, RUNS
# times alternately, same connection limit. Prints medians and writes
# bench/results-fetch.md. Knobs: PAGES (400), KIB (64), CONN (16), RUNS (5).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
PAGES=${PAGES:-400} KIB=${KIB:-64} CONN=${CONN:-16} RUNS=${RUNS:-5}
make -C "$build" bench/fetch_bench >/dev/null
work=$(mktemp -d /tmp/llmref-bench.XXXXXX)
. "$top/bench/nginx.sh"
nginx_need
trap 'nginx_stop "$work"; rm -rf "$work"' EXIT
python3 "$top/bench/gen-pages.py" --out "$work" --count "$PAGES" --kib "$KIB" --seed 1
chmod -R a+rX "$work" # nginx's workers run as www-data
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nginx_start "$work" "$work" "$port"
for i in $(seq 0 $((PAGES - 1))); do echo "http://127.0.0.1:$port/pages/p$i.html"; done > "$work/urls"
sed 's/^\(.*\)$/url = "\1"\noutput = "\/dev\/null"/' "$work/urls" > "$work/curlrc"
bytes=$(cat "$work"/pages/*.html | wc -c)

# both timed the same way: the whole process, start to exit
run_llmref() {
	local t0 t1
	t0=$(date +%s%N)
	"$build/bench/fetch_bench" "$work/urls" "$CONN" > "$work/fb.out"
	t1=$(date +%s%N)
	[ "$(cut -d' ' -f1 "$work/fb.out")" -eq "$PAGES" ] || { echo "bench: llmref did not get every page" >&2; exit 1; }
	awk -v ns=$((t1 - t0)) 'BEGIN{printf "%.6f\n", ns/1e9}'
}
run_curl() {
	local t0 t1
	t0=$(date +%s%N)
	curl -sS --no-progress-meter --parallel --parallel-immediate --parallel-max "$CONN" \
		-w '%{http_code}\n' -K "$work/curlrc" > "$work/codes"
	t1=$(date +%s%N)
	[ "$(grep -c '^200$' "$work/codes")" -eq "$PAGES" ] || { echo "bench: curl did not get every page" >&2; exit 1; }
	awk -v ns=$((t1 - t0)) 'BEGIN{printf "%.6f\n", ns/1e9}'
}
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

run_llmref >/dev/null; run_curl >/dev/null # warm the page cache
: > "$work/l"; : > "$work/c"
for r in $(seq 1 "$RUNS"); do run_llmref >> "$work/l"; run_curl >> "$work/c"; done
ml=$(median < "$work/l"); mc=$(median < "$work/c")
spread() { sort -n "$1" | awk 'NR==1{lo=$1} {hi=$1} END{printf "%.3f-%.3f", lo, hi}'; }
awk -v p="$PAGES" -v b="$bytes" -v ml="$ml" -v mc="$mc" -v sl="$(spread "$work/l")" -v sc="$(spread "$work/c")" \
	-v runs="$RUNS" -v conn="$CONN" -v kib="$KIB" 'BEGIN {
	printf "| fetcher | median s | spread s | pages/s | MB/s |\n|---|---|---|---|---|\n"
	printf "| llmref fetch_run | %.3f | %s | %.0f | %.1f |\n", ml, sl, p/ml, b/ml/1e6
	printf "| curl --parallel | %.3f | %s | %.0f | %.1f |\n", mc, sc, p/mc, b/mc/1e6
	printf "\nratio llmref / curl: %.2fx (%d pages of ~%d KiB, %d connections, %d runs each, alternating)\n", ml/mc, p, kib, conn, runs
}' | tee "$top/bench/results-fetch.md"
