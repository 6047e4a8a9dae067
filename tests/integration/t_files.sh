#!/bin/bash
# Local files (issue 17, items 3 and 5): a curated source reads only
# regular files below the curated folder, never through a symbolic link;
# a FIFO or a device named *.conf cannot hang a command or a reload; a
# config or source file anyone may write is refused, as ssh refuses it; a
# password inline in a config anyone may read is warned about; the
# metrics file and the spool write their temporary files with
# O_EXCL|O_NOFOLLOW, so a link planted there is never followed.
. "$(dirname "$0")/lib.sh"
need_pg
setup_local
cp "$LLMREF_SRCDIR/conf/sources.d/curated-llama.conf" "$WORK/sources.d/"
CUR=$WORK/curated
mkdir -p "$CUR" && cp "$LLMREF_SRCDIR/conf/curated/llama.json" "$CUR/"
sed -i "s#^curated = .*#curated = $CUR#" "$CONF"
sed -i "s#^file = .*#file = $CUR/llama.json#" "$WORK/sources.d/curated-llama.conf"
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
llmref refresh --source curated-llama >/dev/null 2>&1; ok $? "a curated file below the curated folder is read"
snapshots() { q "select count(*) from snapshots"; }

# ---- a curated source's file outside its folder, or a link: refused
echo 'secret-file-sentinel-6f1e' > "$WORK/outside.json"
for target in "$WORK/outside.json" /etc/passwd "$CUR/../outside.json"; do
	sed -i "s#^file = .*#file = $target#" "$WORK/sources.d/curated-llama.conf"
	before=$(catalog_dump); n=$(snapshots)
	out=$(llmref refresh --source curated-llama 2>&1); rc=$?
	is "$rc" 1 "file = $target: the run fails"
	like "$out" "outside the curated folder $CUR \(\[paths\] curated\): refused" "and says why"
	is "$(catalog_dump)" "$before" "the catalog is unchanged"
	is "$(snapshots)" "$n" "no snapshot of it is stored"
done
ln -s "$WORK/outside.json" "$CUR/link.json"
sed -i "s#^file = .*#file = $CUR/link.json#" "$WORK/sources.d/curated-llama.conf"
out=$(llmref refresh --source curated-llama 2>&1); rc=$?
is "$rc" 1 "a symbolic link in the curated folder: the run fails"
like "$out" "is a symbolic link: refused" "and says so"
mkfifo "$CUR/fifo.json"
sed -i "s#^file = .*#file = $CUR/fifo.json#" "$WORK/sources.d/curated-llama.conf"
out=$(timeout 20 "$LLMREF_BIN" -c "$CONF" refresh --source curated-llama 2>&1); rc=$?
is "$rc" 1 "a FIFO as a curated file fails at once (no hang)"
like "$out" "not a regular file" "and says so"
q "select content from snapshots" 2>/dev/null | grep -q 'secret-file-sentinel-6f1e'
is "$?" 1 "the outside file's bytes are nowhere in the catalog"
sed -i "s#^file = .*#file = $CUR/llama.json#" "$WORK/sources.d/curated-llama.conf"

# ---- a FIFO or a device named *.conf in sources.d: a clear error at once
# (left out, as any source file that does not load: the rest goes on)
mkfifo "$WORK/sources.d/zz-fifo.conf"
out=$(timeout 20 "$LLMREF_BIN" -c "$CONF" sources check 2>&1); rc=$?
is "$rc" 3 "a FIFO named *.conf: sources check fails with the config status, not a hang"
like "$out" "zz-fifo.conf: not a regular file; this source is left out" "and names the file"
out=$(timeout 20 "$LLMREF_BIN" -c "$CONF" sources list 2>/dev/null); rc=$?
is "$rc.$(echo "$out" | grep -c .)" "0.$(ls "$WORK"/sources.d/*.conf | grep -vc zz-)" \
	"and another command goes on without it, at once"
rm -f "$WORK/sources.d/zz-fifo.conf"
ln -s /dev/zero "$WORK/sources.d/zz-dev.conf"
out=$(timeout 20 "$LLMREF_BIN" -c "$CONF" sources check 2>&1); rc=$?
is "$rc" 3 "a device named *.conf: refused"
like "$out" "zz-dev.conf: not a regular file" "and named"
rm -f "$WORK/sources.d/zz-dev.conf"

# the daemon reloading onto a FIFO keeps running and stops at once
( exec "$LLMREF_BIN" -c "$CONF" daemon --allow-root ) >"$WORK/d.log" 2>&1 & DPID=$!
for i in $(seq 1 100); do grep -q 'source .*: \(ok\|unchanged\)' "$WORK/d.log" && break; sleep 0.1; done
mkfifo "$WORK/sources.d/zz-fifo.conf"
kill -HUP "$DPID"
for i in $(seq 1 100); do grep -q 'reload:' "$WORK/d.log" && break; sleep 0.1; done
for i in $(seq 1 100); do grep -q 'zz-fifo' "$WORK/d.log" && break; sleep 0.1; done
like "$(grep 'reload:' "$WORK/d.log")" "zz-fifo.conf: not a regular file; this source is left out" \
	"SIGHUP onto a FIFO: the reload names the file and leaves it out, the others run on"
kill -TERM "$DPID"; t0=$(date +%s%N)
for i in $(seq 1 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$DPID" 2>/dev/null; is "$?" 1 "and SIGTERM still stops it ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
wait "$DPID" 2>/dev/null
rm -f "$WORK/sources.d/zz-fifo.conf"

# ---- files anyone may write: refused as ssh refuses them
chmod o+w "$WORK/sources.d/openrouter.conf"
out=$(llmref sources check 2>&1); rc=$?
is "$rc" 3 "a world-writable source file is refused"
is "$(llmref sources list 2>/dev/null | grep -c '^openrouter$')" 0 "and no command loads it"
like "$out" "openrouter.conf: anyone may write it \(chmod o-w\)" "and named, with the fix"
chmod o-w "$WORK/sources.d/openrouter.conf"
chmod o+w "$CONF"
out=$(llmref sources list 2>&1); rc=$?
is "$rc" 3 "a world-writable llmref.conf is refused"
like "$out" "llmref.conf: anyone may write it" "and named"
chmod o-w "$CONF"

# ---- a password inline in a config anyone may read: a warning, no value
cp "$CONF" "$WORK/pw.conf"
sed -i 's/^conninfo =.*/conninfo = password=pw-sentinel-93d2/' "$WORK/pw.conf"
chmod 644 "$WORK/pw.conf"
out=$("$LLMREF_BIN" -c "$WORK/pw.conf" sources list 2>&1)
like "$out" "conninfo holds a password and anyone may read the file" "a readable inline password is warned about"
ok "$(printf '%s' "$out" | grep -q 'pw-sentinel-93d2'; [ $? -ne 0 ]; echo $?)" "without the password itself"
chmod 600 "$WORK/pw.conf"
out=$("$LLMREF_BIN" -c "$WORK/pw.conf" sources list 2>&1)
ok "$(printf '%s' "$out" | grep -q 'holds a password'; [ $? -ne 0 ]; echo $?)" "not when only its owner may read it"

# ---- temporary files: a link planted at the name is never followed
echo "victim" > "$WORK/victim"
mkdir -p "$WORK/spool"
printf '[diff]\nspool = %s\n[daemon]\nmetrics_file = %s\n' "$WORK/spool" "$WORK/llmref.prom" >> "$CONF"
ln -s "$WORK/victim" "$WORK/spool/.batch.tmp"
ln -s "$WORK/victim" "$WORK/spool/.cursor.tmp"
ln -s "$WORK/victim" "$WORK/llmref.prom.tmp"
sed -i 's/^interval = .*/interval = 1h/' "$WORK"/sources.d/*.conf
llmref refresh --all >/dev/null 2>&1
( exec "$LLMREF_BIN" -c "$CONF" daemon --allow-root --once ) >"$WORK/d2.log" 2>&1
is "$(cat "$WORK/victim")" "victim" "links planted at the spool's and the metrics file's temporary names were not followed"
ok "$([ -s "$WORK/llmref.prom" ] && [ ! -L "$WORK/llmref.prom" ]; echo $?)" "the metrics file was written as a file of its own"
ls "$WORK"/spool/events-*.jsonl >/dev/null 2>&1; ok $? "the spool got its batch"
done_testing
