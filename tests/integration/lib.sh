# tests/integration/lib.sh - TAP helpers and set-up for integration tests.
# Each test gets its own database in the PostgreSQL named by the PG*
# environment (pg_virtualenv sets it), a work folder, and, if asked, the
# fixture server on 127.0.0.1.
set -u
: "${LLMREF_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${LLMREF_BIN:=$LLMREF_SRCDIR/build/src/llmref}"
. "$LLMREF_SRCDIR/scripts/local.sh"

T_N=0
T_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/llmref-test.XXXXXX")
T_DB=
trap cleanup EXIT
# The two foundation samples (OpenRouter JSON, Fireworks HTML): most tests
# use only these, so that new provider sources do not change their counts.
SAMPLES=$WORK/samples
mkdir -p "$SAMPLES"
cp "$LLMREF_SRCDIR/conf/sources.d/openrouter.conf" "$LLMREF_SRCDIR/conf/sources.d/fireworks.conf" "$SAMPLES/"

ok() { # ok COND_EXIT_STATUS DESCRIPTION
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAILED=$((T_FAILED + 1))
	fi
}

is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
	fi
}

like() { # like TEXT REGEX DESCRIPTION
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"
		printf '#   text: %s\n#   does not match: %s\n' "$(printf '%s' "$1" | head -c 600)" "$2"
	fi
}

skip_all() {
	echo "1..0 # SKIP $1"
	cleanup
	exit 0
}

cleanup() {
	trap - EXIT
	# a private server still running (done_testing calls this, and resets
	# the EXIT trap that would have stopped it): stopped, not left behind
	if [ -n "${OWN:-}" ] && [ -d "$OWN" ]; then stop_private_pg; fi
	fixture_stop
	if [ -n "$T_DB" ]; then
		dropdb --if-exists "$T_DB" >/dev/null 2>&1 || true
	fi
	rm -rf "$WORK"
}

done_testing() {
	echo "1..$T_N"
	cleanup
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

# need_pg: skip unless a PostgreSQL server answers; then create a fresh
# database for this test and point PGDATABASE at it.
need_pg() {
	command -v psql >/dev/null || skip_all "psql not installed"
	psql -Atqc 'select 1' >/dev/null 2>&1 ||
		skip_all "no PostgreSQL server (run under pg_virtualenv, see README)"
	T_DB="llmref_t_$(basename "$0" .sh)_$$"
	createdb "$T_DB" || skip_all "cannot create a database"
	export PGDATABASE=$T_DB
}

# private_pg: a PostgreSQL server of the test's own (initdb, pg_ctl on a
# Unix socket in $OWN), for tests that stop or kill it; skips the test
# when that cannot be done. pg ACTION runs pg_ctl (start, "stop -m fast");
# stop_private_pg stops it for good and removes it. Exports PG* for it.
as_pg() { # run as the postgres user when root (initdb refuses root)
	if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
pg() { as_pg "$PGBIN/pg_ctl -D $OWN/data -o '-p $PORT -k $OWN -c listen_addresses=' -l $OWN/log -w $1 >/dev/null"; }
private_pg() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -x "$PGBIN/initdb" ] || skip_all "no PostgreSQL server binaries"
	OWN=$(mktemp -d "${TMPDIR:-/tmp}/llmref-pg.XXXXXX")
	chmod 755 "$OWN"
	[ "$(id -u)" -eq 0 ] && chown postgres "$OWN"
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	as_pg "$PGBIN/initdb -D $OWN/data -A trust -U postgres >/dev/null" || skip_all "initdb failed"
	pg start || skip_all "cannot start a private server"
	export PGHOST=$OWN PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
}
stop_private_pg() { pg "stop -m immediate" 2>/dev/null; rm -rf "$OWN"; }

# setup_local [PREFIX]: fixture server + config with the shipped sample
# sources pointing at it. Sets CONF.
setup_local() {
	fixture_start "$LLMREF_SRCDIR/tests/fixtures/pages" "$WORK" || { echo "Bail out! fixture server"; exit 1; }
	local_sources "$SAMPLES" "$WORK/sources.d" "$FIXTURE_PORT" "${1:-}"
	CONF=$(local_config "$WORK")
}

# q SQL: one psql query, unaligned, tuples only.
q() { psql -X -Atq -v ON_ERROR_STOP=1 -c "$1"; }

# catalog_dump: the catalog tables that a refresh must not rewrite (not
# providers and sources: those come from the configuration).
catalog_dump() {
	q "select * from models order by id" &&
	q "select * from routes order by id" &&
	q "select * from prices order by id" &&
	q "select * from route_facts order by id"
}

llmref() { "$LLMREF_BIN" -c "$CONF" "$@"; }
