#!/bin/bash
# PostgreSQL that stops answering (issue 17 item 7): a server that accepts
# connections and never replies fails a command within the connect
# timeout (10 s by default); a daemon whose server is stopped mid-flight
# (SIGSTOP) keeps feeding its watchdog, answers SIGTERM within 5 s, gives
# up on a statement after [database] timeout and reconnects once the
# server answers again.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 not installed"

# ---- a server that accepts and never says a word
PORT_SILENT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
held = []
end = time.time() + 120
s.settimeout(1)
while time.time() < end:
    try: c, _ = s.accept(); held.append(c)
    except OSError: pass
' "$PORT_SILENT" & silent=$!
for i in $(seq 1 50); do
	python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
		"$PORT_SILENT" 2>/dev/null && break
	sleep 0.1
done
mkdir -p "$WORK/sources.d"
CONF=$(local_config "$WORK")
sed -i "s/^conninfo =.*/conninfo = host=127.0.0.1 port=$PORT_SILENT dbname=x user=x sslmode=disable/" "$CONF"
t0=$(date +%s%N)
out=$(timeout 60 "$LLMREF_BIN" -c "$CONF" status 2>&1); rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$rc" 4 "a server that never answers: status fails with the database status"
ok "$([ "$ms" -ge 9000 ] && [ "$ms" -lt 20000 ]; echo $?)" "after the default 10 s connect timeout ($ms ms)"
like "$out" "cannot connect to PostgreSQL: .*no answer within connect_timeout|timeout" "and says why"
sed -i "s/^conninfo =.*/conninfo = host=127.0.0.1 port=$PORT_SILENT dbname=x user=x sslmode=disable connect_timeout=2/" "$CONF"
t0=$(date +%s%N)
out=$(timeout 60 "$LLMREF_BIN" -c "$CONF" status 2>&1); rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ok "$([ "$rc" -eq 4 ] && [ "$ms" -lt 6000 ]; echo $?)" "the conninfo's own connect_timeout=2 wins ($ms ms, exit $rc)"
kill "$silent" 2>/dev/null; wait "$silent" 2>/dev/null

# ---- a daemon on a private server that is then stopped (SIGSTOP)
private_pg
trap 'kill -CONT $(pgpids) 2>/dev/null; stop_private_pg; cleanup' EXIT
pgpids() { local pm; pm=$(head -n 1 "$OWN/data/postmaster.pid" 2>/dev/null) || return; echo "$pm $(pgrep -P "$pm" | tr '\n' ' ')"; }
setup_local
sed -i 's/^interval = .*/interval = 2s/' "$WORK"/sources.d/*.conf
sed -i 's/^\[database\]$/[database]\ntimeout = 4s/' "$CONF"
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
NLOG=$WORK/notify.log
python3 "$LLMREF_SRCDIR/tests/notify_listener.py" "$WORK/notify.sock" "$NLOG" & lpid=$!
for i in $(seq 1 50); do [ -s "$NLOG" ] && break; sleep 0.1; done
( export NOTIFY_SOCKET="$WORK/notify.sock" WATCHDOG_USEC=2000000 WATCHDOG_PID=$BASHPID
  exec "$LLMREF_BIN" -c "$CONF" daemon --allow-root ) > "$WORK/d.log" 2>&1 &
DPID=$!
for i in $(seq 1 150); do grep -q 'source .*: \(ok\|unchanged\)' "$WORK/d.log" && break; sleep 0.1; done
grep -q 'source .*: \(ok\|unchanged\)' "$WORK/d.log"; ok $? "the daemon refreshes against the private server"

kill -STOP $(pgpids)
sleep 1
w0=$(grep -c '^WATCHDOG=1' "$NLOG"); sleep 6; w1=$(grep -c '^WATCHDOG=1' "$NLOG")
ok "$([ "$w1" -gt $((w0 + 3)) ]; echo $?)" "server stopped: the watchdog keeps being fed ($w0 -> $w1 in 6 s)"
for i in $(seq 1 100); do grep -q 'no answer within \[database\] timeout\|connection lost' "$WORK/d.log" && break; sleep 0.1; done
like "$(cat "$WORK/d.log")" "no answer within \[database\] timeout|connection lost" \
	"a statement without an answer is given up after [database] timeout"
kill -CONT $(pgpids)
for i in $(seq 1 300); do grep -q 'database: recovered' "$WORK/d.log" && break; sleep 0.1; done
grep -q 'database: recovered' "$WORK/d.log"; ok $? "the server answers again: the daemon reconnects by itself"

kill -STOP $(pgpids)
sleep 2
kill -TERM "$DPID"; t0=$(date +%s%N)
for i in $(seq 1 100); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -0 "$DPID" 2>/dev/null; alive=$?
ok "$([ "$alive" -ne 0 ] && [ "$ms" -lt 5000 ]; echo $?)" "SIGTERM with the server stopped: the daemon exits within 5 s ($ms ms)"
wait "$DPID" 2>/dev/null
kill -CONT $(pgpids)
kill "$lpid" 2>/dev/null
done_testing
