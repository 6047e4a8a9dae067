#!/bin/bash
# bench/run-idle.sh BUILDDIR - issue 9's idle daemon: the 1x corpus of
# bench/gen-corpus.py served by nginx on 127.0.0.1, `llmref daemon
# --allow-root` (every source on a 1h interval) into a freshly migrated
# database; once its first batch is done (the "diff:" log line), samples
# /proc/PID/status (VmRSS, RssAnon, RssFile), /proc/PID/smaps_rollup (Pss)
# every SAMPLE seconds and utime+stime of /proc/PID/stat over IDLE seconds
# (default 60). Also prints the peak RSS of a bare `llmref --version`:
# what the linked libraries cost before main() does anything.
# Run it under a private cluster:
#   pg_virtualenv -t -o port=5497 bash bench/run-idle.sh build-bench
# Knobs: IDLE (60), SAMPLE (5), PROVIDERS, MODELS, APIS (gen-corpus.py's
# defaults), KEEP=1 keeps the work folder.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
IDLE=${IDLE:-60} SAMPLE=${SAMPLE:-5}
PROVIDERS=${PROVIDERS:-50} MODELS=${MODELS:-400} APIS=${APIS:-10}
llmref=$build/src/llmref
make -C "$build" src/llmref >/dev/null
work=$(mktemp -d /tmp/llmref-bench-idle.XXXXXX)
. "$top/bench/nginx.sh"
nginx_need
dpid=
cleanup() {
	if [ -n "$dpid" ]; then
		kill "$dpid" 2>/dev/null || true
		wait "$dpid" 2>/dev/null || true
	fi
	nginx_stop "$work"
	if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 "$top/bench/gen-corpus.py" --out "$work/c" --port "$port" --providers "$PROVIDERS" \
	--models "$MODELS" --apis "$APIS"
chmod -R a+rX "$work"
nginx_start "$work" "$work/c" "$port"
dropdb --if-exists llmref_idle >/dev/null 2>&1
createdb llmref_idle
export PGDATABASE=llmref_idle
"$llmref" -c "$work/c/llmref.conf" db migrate >/dev/null

/usr/bin/time -f '%M' -o "$work/version.rss" "$llmref" --version >/dev/null
"$llmref" -c "$work/c/llmref.conf" daemon --allow-root 2> "$work/daemon.log" &
dpid=$!
# the first batches are done when every source has logged its run and a
# "diff:" line follows the last of them
nsrc=$(ls "$work/c/sources.d" | wc -l)
done_yet() {
	awk -v n="$nsrc" '/: source .* rows/ {s++; last=NR} /: diff: / {d=NR}
		END {exit !(s >= n && d > last)}' "$work/daemon.log"
}
for i in $(seq 1 2400); do
	done_yet && break
	kill -0 "$dpid" 2>/dev/null || { echo "bench: daemon died:" >&2; tail -5 "$work/daemon.log" >&2; exit 1; }
	sleep 0.25
done
done_yet || { echo "bench: first batches not done after 600 s" >&2; exit 1; }
sleep 1 # let the batch's tail (metrics, status) finish

kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$dpid/status"; }
pss() { awk '$1 == "Pss:" {print $2}' "/proc/$dpid/smaps_rollup"; }
ticks() { awk '{print $14 + $15}' "/proc/$dpid/stat"; }
hz=$(getconf CLK_TCK)
c0=$(ticks)
: > "$work/samples"
for t in $(seq 0 "$SAMPLE" "$IDLE"); do
	[ "$t" = 0 ] || sleep "$SAMPLE"
	echo "$(kib VmRSS) $(pss) $(kib RssAnon) $(kib RssFile) $(kib VmHWM)" >> "$work/samples"
done
c1=$(ticks)
kill "$dpid"
wait "$dpid" || true
dpid=

printf '## bench/run-idle.sh (%s, %s cores): llmref daemon idle for %s s after its first batch\n\n' \
	"$(date -u +%Y-%m-%d)" "$(nproc)" "$IDLE"
grep -c ': source .* rows' "$work/daemon.log" | sed 's/$/ source runs logged before sampling; the last diff line:/'
grep ': diff: ' "$work/daemon.log" | tail -1
printf '\n| measure | first sample | last sample | max |\n|---|---:|---:|---:|\n'
for c in 1:VmRSS 2:Pss 3:RssAnon 4:RssFile 5:"VmHWM (peak RSS so far)"; do
	awk -v c="${c%%:*}" -v l="${c#*:}" 'NR==1{f=$c} {if ($c>m) m=$c; last=$c}
		END{printf "| %s (MiB) | %.1f | %.1f | %.1f |\n", l, f/1024, last/1024, m/1024}' "$work/samples"
done
awk -v a="$c0" -v b="$c1" -v hz="$hz" -v s="$IDLE" \
	'BEGIN{printf "| CPU (utime+stime) over %d s (s) | | %.2f | |\n", s, (b-a)/hz}'
awk '{printf "| peak RSS of a bare `llmref --version` (MiB) | | %.1f | |\n", $1/1024}' "$work/version.rss"
dropdb llmref_idle >/dev/null 2>&1 || true
