# scripts/local.sh - shell functions shared by scripts/demo.sh and the
# integration tests: serve fixture pages on 127.0.0.1 and write an
# llmref.conf whose sources point there. Source it; it defines functions only.

# fixture_start ROOT WORKDIR: start tests/fixture_server.py on a free
# loopback port serving ROOT; sets FIXTURE_PORT, FIXTURE_PID, FIXTURE_LOG.
fixture_start() {
	local root=$1 work=$2 i
	local srcdir=${LLMREF_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
	FIXTURE_LOG=$work/fixture.log
	rm -f "$work/fixture.port"
	python3 "$srcdir/tests/fixture_server.py" --root "$root" --port 0 \
		--port-file "$work/fixture.port" --log "$FIXTURE_LOG" \
		>/dev/null 2>>"$work/fixture.stderr" &
	FIXTURE_PID=$!
	for i in $(seq 1 100); do
		[ -s "$work/fixture.port" ] && break
		kill -0 "$FIXTURE_PID" 2>/dev/null || { echo "fixture server died: $(cat "$work/fixture.stderr")" >&2; return 1; }
		sleep 0.05
	done
	FIXTURE_PORT=$(cat "$work/fixture.port")
	[ -n "$FIXTURE_PORT" ] || { echo "fixture server did not start" >&2; return 1; }
}

fixture_stop() {
	[ -n "${FIXTURE_PID:-}" ] && kill "$FIXTURE_PID" 2>/dev/null && wait "$FIXTURE_PID" 2>/dev/null
	FIXTURE_PID=
}

# local_sources SRC_SOURCES_DIR DEST_DIR PORT [PREFIX]: copy every ID.conf,
# pointing "url = https://HOST/PATH" at http://127.0.0.1:PORT[PREFIX]/HOST/PATH.
local_sources() {
	local from=$1 to=$2 port=$3 prefix=${4:-} f
	mkdir -p "$to"
	for f in "$from"/*.conf; do
		[ -e "$f" ] || continue
		sed -E "s#^(url[[:space:]]*=[[:space:]]*)https?://#\1http://127.0.0.1:${port}${prefix}/#" \
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
[paths]
sources = sources.d
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
CONF
	echo "$dir/llmref.conf"
}
