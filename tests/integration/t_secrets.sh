#!/bin/bash
# The database password stays secret: a sentinel password, used for real
# (password authentication over TCP), never appears in argv, in the
# process environment, in any output or log, in the metrics file, the
# event spool or anywhere in the catalog; also not when the connection
# fails or the config is wrong. And every file llmref creates is 0640
# whatever the caller's umask.
. "$(dirname "$0")/lib.sh"
need_pg
setup_local
SENT="Sntl-$$-$(date +%s%N)-pw"
ROLE="llmref_sentinel_$$"
q "create role $ROLE login password '$SENT'" >/dev/null || skip_all "cannot create a role"
q "alter database $T_DB owner to $ROLE" >/dev/null
trap 'q "drop database if exists $T_DB" >/dev/null 2>&1; q "drop role if exists $ROLE" >/dev/null 2>&1; cleanup' EXIT
OUT=$WORK/all-output
: > "$OUT"
mkdir -p "$WORK/spool"
sed -i "s|^conninfo =.*|conninfo = host=127.0.0.1 user=$ROLE dbname=$T_DB password=$SENT|" "$CONF"
printf '[diff]\nspool = %s\n[daemon]\nmetrics_file = %s\n' "$WORK/spool" "$WORK/llmref.prom" >> "$CONF"
chmod 600 "$CONF"
# llmref without the harness's own password in its environment
lr() { env -u PGPASSWORD -u PGPASSFILE PGUSER="$ROLE" "$LLMREF_BIN" -c "$CONF" "$@" >> "$OUT" 2>&1; }

umask 000
lr db migrate; ok $? "the sentinel password authenticates for real"
lr refresh --all; ok "$([ $? -lt 64 ]; echo $?)" "refresh --all with it"
lr status; lr alerts; lr events --limit 100; lr export catalog; lr -v refresh --all
lr daemon --once --allow-root; ok $? "daemon --once"

env -u PGPASSWORD -u PGPASSFILE "$LLMREF_BIN" -v -c "$CONF" daemon --allow-root >> "$OUT" 2>&1 &
dpid=$!
# until its connection shows (the metrics file of daemon --once is there
# already; under valgrind the start takes seconds)
connected() { [ -n "$(q "select 1 from pg_stat_activity where usename = '$ROLE' and application_name like 'llmref pid %' limit 1")" ]; }
for i in $(seq 1 600); do connected && break; sleep 0.1; done
tr '\0' '\n' < "/proc/$dpid/cmdline" > "$WORK/cmdline"
tr '\0' '\n' < "/proc/$dpid/environ" > "$WORK/environ"
app=$(q "select string_agg(application_name, ',') from pg_stat_activity where usename = '$ROLE'")
kill -TERM "$dpid"; wait "$dpid"
grep -qF -- "$SENT" "$WORK/cmdline"; is "$?" 1 "not in the daemon's argv"
grep -qF -- "$SENT" "$WORK/environ"; is "$?" 1 "not in its environment (so not in a child's)"
like "$app" "llmref pid" "its application name is llmref's"
case "$app" in *"$SENT"*) ok 1 "not in the application name";; *) ok 0 "not in the application name";; esac

# failures: a wrong database, a wrong password (another sentinel), a
# config error in the [database] section
BAD="Sntl2-$$-wrong"
sed "s|dbname=$T_DB|dbname=${T_DB}_nope|" "$CONF" > "$WORK/bad1.conf"
sed "s|password=$SENT|password=$BAD|" "$CONF" > "$WORK/bad2.conf"
sed "s|^conninfo =.*|&\npasword = $SENT|" "$CONF" > "$WORK/bad3.conf"
sed "s|^conninfo =.*|conninfo = host=127.0.0.1 password=$SENT dbname|" "$CONF" > "$WORK/bad4.conf"
for b in bad1 bad2 bad3 bad4; do
	chmod 600 "$WORK/$b.conf"
	env -u PGPASSWORD -u PGPASSFILE PGUSER="$ROLE" "$LLMREF_BIN" -c "$WORK/$b.conf" refresh --all > "$WORK/$b.out" 2>&1
	rc=$?
	ok "$([ "$rc" -ne 0 ] && [ "$rc" -lt 128 ]; echo $?)" "$b: refused cleanly (exit $rc): $(head -c 100 "$WORK/$b.out" | tr '\n' ' ')"
	cat "$WORK/$b.out" >> "$OUT"
done
grep -qF -- "$BAD" "$OUT"; is "$?" 1 "a wrong password is not echoed back"
like "$(cat "$WORK/bad2.out")" "password authentication failed" "the wrong password is reported as such"

# everywhere
grep -qF -- "$SENT" "$OUT"; is "$?" 1 "not in any output or log line ($(wc -l < "$OUT") lines)"
hits=$(grep -rlF -- "$SENT" "$WORK/spool" "$WORK/llmref.prom" 2>/dev/null)
is "$hits" "" "not in the metrics file or the event spool"
pg_dump --data-only "$T_DB" > "$WORK/db.sql" 2>/dev/null
grep -qF -- "$SENT" "$WORK/db.sql"; is "$?" 1 "not anywhere in the catalog ($(wc -l < "$WORK/db.sql") lines of pg_dump)"

# modes: every file llmref created, under umask 000
modes=$(find "$WORK/spool" "$WORK/llmref.prom" -type f -printf '%m %f\n' | sort)
like "$modes" "640 cursor" "the spool's cursor is 0640"
bad=$(echo "$modes" | grep -v '^640 ' || true)
is "$bad" "" "every file llmref created is 0640 under umask 000 ($(echo "$modes" | wc -l) files)"
done_testing
