#!/bin/bash
# bench/run-soak.sh BUILDDIR - issue 17's soak: `llmref daemon` with the
# default fetch settings runs SOURCES sources (each its own host: a port
# of one nginx on 127.0.0.1; a JSON list of MODELS models; interval
# INTERVAL) beside one provider that accepts connections and never
# answers, for SOAK seconds. Prints, per source, the runs it made against
# the SOAK / INTERVAL its interval asks for, the longest gap between two
# of its runs, the stuck provider's runs, and the daemon's RSS at the
# start and the end of the soak.
# Run it under a private cluster:
#   pg_virtualenv -t -o port=5496 bash bench/run-soak.sh build
# Knobs: SOAK (300), INTERVAL (10), SOURCES (10), MODELS (50), KEEP=1.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
SOAK=${SOAK:-300} INTERVAL=${INTERVAL:-10} SOURCES=${SOURCES:-10} MODELS=${MODELS:-50}
llmref=$build/src/llmref
make -C "$build" src/llmref >/dev/null
work=$(mktemp -d /tmp/llmref-bench-soak.XXXXXX)
. "$top/bench/nginx.sh"
nginx_need
dpid= hpid=
cleanup() {
	[ -z "$dpid" ] || { kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; } || true
	[ -z "$hpid" ] || { kill "$hpid" 2>/dev/null; wait "$hpid" 2>/dev/null; } || true
	nginx_stop "$work"
	if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# the stuck provider: accepts every connection, reads nothing, answers nothing
hole=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$hole" &
hpid=$!

mkdir -p "$work/www/list" "$work/sources.d"
python3 - "$MODELS" "$work/www/list/models" <<'PY'
import json, random, sys
n, rnd = int(sys.argv[1]), random.Random(7)
data = [{"id": "soak/model-%03d" % i,
         "pricing": {"prompt": "%.9f" % (rnd.randrange(1, 4000) / 1e9),
                     "completion": "%.9f" % (rnd.randrange(1, 4000) / 1e9)}} for i in range(n)]
json.dump({"data": data}, open(sys.argv[2], "w"))
PY
source_file() { # source_file ID URL
	cat > "$work/sources.d/$1.conf" <<CONF
[source]
provider = $1
provider_name = Soak $1
kind = pricing
url = $2
format = json
authoritative = yes
interval = ${INTERVAL}s
[extract]
jq = .data[] | {model: .id, input_price: .pricing.prompt, output_price: .pricing.completion}
[units]
input_price = per_token
output_price = per_token
CONF
}
listen=
for i in $(seq -w 1 "$SOURCES"); do
	p=$(free_port)
	listen="$listen listen 127.0.0.1:$p;"
	source_file "s$i" "http://127.0.0.1:$p/list/models"
done
source_file stuck "http://127.0.0.1:$hole/list/models"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 512; }
http {
	access_log off;
	types { application/json json; }
	server { $listen root $work/www; etag on; }
}
CONF
chmod -R a+rX "$work"
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work"
sleep 0.3
# the default [fetch] settings, but loopback allowed (a test rig)
cat > "$work/llmref.conf" <<CONF
[database]
conninfo =
[paths]
sources = sources.d
aliases = $top/conf/aliases.conf
[fetch]
contact = mailto:bench@llmref.invalid
allow_private_networks = yes
[quarantine]
enabled = no
CONF
dropdb --if-exists llmref_soak >/dev/null 2>&1
createdb llmref_soak
export PGDATABASE=llmref_soak
"$llmref" -c "$work/llmref.conf" db migrate >/dev/null

"$llmref" -c "$work/llmref.conf" daemon --allow-root 2> "$work/daemon.log" &
dpid=$!
sleep 2
t0=$(psql -XAtqc "select now()")
rss0=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$dpid/status")
sleep "$SOAK"
t1=$(psql -XAtqc "select now()")
rss1=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$dpid/status")
kill "$dpid"; wait "$dpid" || true; dpid=

printf '## bench/run-soak.sh (%s, %s cores): %s sources every %s s and one that never answers, for %s s\n\n' \
	"$(date -u +%Y-%m-%d)" "$(nproc)" "$SOURCES" "$INTERVAL" "$SOAK"
printf '| source | runs begun in the soak | its interval asks for | ok | longest gap between two runs (s) |\n'
printf '|---|---:|---:|---:|---:|\n'
psql -XAtq -F ' ' -c "
	select source_id, count(*), count(*) filter (where outcome in ('ok', 'unchanged')),
		coalesce(round(max(gap)::numeric, 1)::text, '-')
	from (select source_id, outcome, extract(epoch from started_at - lag(started_at)
		over (partition by source_id order by started_at)) as gap
	      from runs where started_at >= '$t0' and started_at < '$t1' and source_id <> 'stuck') r
	group by source_id order by source_id" |
while read -r id n ok gap; do
	printf '| %s | %s | %s | %s | %s |\n' "$id" "$n" "$((SOAK / INTERVAL))" "$ok" "$gap"
done
echo
echo "daemon RSS: $rss0 KiB after 2 s, $rss1 KiB at the end of the soak"
echo "the stuck provider's runs (all of them, from the daemon's start):"
psql -XAtq -F ' | ' -c "select id, to_char(started_at, 'HH24:MI:SS'), outcome,
	coalesce(round(extract(epoch from finished_at - started_at)::numeric, 1)::text || ' s', '-'),
	coalesce(left(error, 160), '') from runs where source_id = 'stuck' order by id" | sed 's/^/    /'
