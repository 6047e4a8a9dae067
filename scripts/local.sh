# scripts/local.sh - shell functions shared by scripts/demo.sh and the
# integration tests: serve fixture pages on 127.0.0.1 and write an
# llmref.conf whose sources point there. Source it; it defines functions only.

# fixture_start ROOT WORKDIR [ADDR]: start tests/fixture_server.py on a
# free port of ADDR (default 127.0.0.1) serving ROOT; sets FIXTURE_PORT,
# FIXTURE_PID, FIXTURE_LOG (and FIXTURE_PIDS, for fixture_stop).
fixture_start() {
	local root=$1 work=$2 addr=${3:-127.0.0.1} i
	local srcdir=${LLMREF_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
	local tag=${addr//./_}
	FIXTURE_LOG=$work/fixture-$tag.log
	rm -f "$work/fixture-$tag.port"
	python3 "$srcdir/tests/fixture_server.py" --root "$root" --port 0 --bind "$addr" \
		--port-file "$work/fixture-$tag.port" --log "$FIXTURE_LOG" \
		>/dev/null 2>>"$work/fixture.stderr" &
	FIXTURE_PID=$!
	FIXTURE_PIDS="${FIXTURE_PIDS:-} $FIXTURE_PID"
	for i in $(seq 1 200); do
		[ -s "$work/fixture-$tag.port" ] && break
		kill -0 "$FIXTURE_PID" 2>/dev/null || { echo "fixture server died: $(cat "$work/fixture.stderr")" >&2; return 1; }
		sleep 0.05
	done
	FIXTURE_PORT=$(cat "$work/fixture-$tag.port")
	[ -n "$FIXTURE_PORT" ] || { echo "fixture server did not start" >&2; return 1; }
}

fixture_stop() {
	local p
	for p in ${FIXTURE_PIDS:-}; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	FIXTURE_PIDS=
	FIXTURE_PID=
}

# local_sources SRC_SOURCES_DIR DEST_DIR PORT [PREFIX [ADDR]]: copy every
# ID.conf, pointing "url = https://HOST/PATH" at
# http://ADDR:PORT[PREFIX]/HOST/PATH (ADDR defaults to 127.0.0.1).
local_sources() {
	local from=$1 to=$2 port=$3 prefix=${4:-} addr=${5:-127.0.0.1} f
	mkdir -p "$to"
	for f in "$from"/*.conf; do
		[ -e "$f" ] || continue
		# curated files stay where they are: point at them from the copy
		sed -E -e "s#^((url|list)[[:space:]]*=[[:space:]]*)https?://#\1http://${addr}:${port}${prefix}/#" \
			-e "s#^(file[[:space:]]*=[[:space:]]*)([^/])#\1$(cd "$from" && pwd)/\2#" \
			"$f" > "$to/$(basename "$f")"
	done
}

# local_config DIR: write DIR/llmref.conf using DIR/sources.d and the PG*
# environment; prints the path.
local_config() {
	local dir=$1
	cat > "$dir/llmref.conf" <<CONF
[database]
conninfo =
lock_wait = 1s
[paths]
sources = sources.d
aliases = ${LLMREF_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/conf/aliases.conf
curated = ${LLMREF_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/conf/curated
providers = ${LLMREF_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/conf/providers.conf
[fetch]
timeout = 20s
connect_timeout = 5s
low_speed_time = 3s
max_body_size = 16MiB
host_delay = 20ms
retries = 2
backoff = 100ms
backoff_max = 1s
retry_after_max = 3s
contact = mailto:tests@llmref.invalid
; the fixture server is on loopback: a test rig's switch, never for production
allow_private_networks = yes
CONF
	echo "$dir/llmref.conf"
}
