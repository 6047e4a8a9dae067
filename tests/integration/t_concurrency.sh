#!/bin/bash
# 60 sources on three hosts (127.0.0.2-4, one fixture server each) are
# fetched concurrently, never more than max_per_host at once per host, and
# a Retry-After from one host holds back only that host.
. "$(dirname "$0")/lib.sh"
need_pg
CONF=$(local_config "$WORK")
sed -i 's/^\[fetch\]$/[fetch]\nmax_per_host = 1\nmax_connections = 16/; /^host_delay = /d' "$CONF"
sed -i 's/^\[fetch\]$/[fetch]\nhost_delay = 50ms/' "$CONF"
mkdir -p "$WORK/sources.d"
for h in 2 3 4; do
	fixture_start "$LLMREF_SRCDIR/tests/fixtures/pages" "$WORK" "127.0.0.$h" || { echo "Bail out! fixture on 127.0.0.$h"; exit 1; }
	eval "PORT_$h=$FIXTURE_PORT"
done
for i in $(seq -w 1 60); do
	h=$(( (10#$i % 3) + 2 ))
	eval "port=\$PORT_$h"
	sed -E "s#^url = https://#url = http://127.0.0.$h:$port/_mis/delay-0.2/#" \
		"$LLMREF_SRCDIR/conf/sources.d/openrouter.conf" > "$WORK/sources.d/s$i.conf"
done
llmref db migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }

t0=$(date +%s%N)
out=$(llmref refresh --all 2>&1); rc=$?
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
is "$rc" 0 "60 sources refresh"
is "$(printf '%s\n' "$out" | grep -cE ': ok, [0-9]+ rows: [0-9]+ added')" 60 "each stored its rows"
echo "# 60 sources x 0.2 s on 3 hosts: ${ms} ms (serial would be >= 12000 ms; per-host floor 4000 ms)"
ok "$([ "$ms" -lt 9000 ]; echo $?)" "hosts were fetched concurrently (${ms} ms < 9000 ms)"

# per host, transfers never overlap; across hosts they do
overlap() { # overlap LOG...: the largest number of transfers in flight at once
	python3 - "$@" <<'PY'
import sys
ev = []
for f in sys.argv[1:]:
    for line in open(f):
        p = line.rstrip("\n").split("\t")
        if p[0] == "END":
            ev.append((float(p[1]), -1))
        else:
            ev.append((float(p[0]), 1))
ev.sort()
cur = best = 0
for _, d in ev:
    cur += d
    best = max(best, cur)
print(best)
PY
}
for h in 2 3 4; do
	is "$(overlap "$WORK/fixture-127_0_0_$h.log")" 1 "127.0.0.$h: at most one transfer at a time"
done
all=$(overlap "$WORK"/fixture-127_0_0_[234].log)
ok "$([ "$all" -ge 2 ]; echo $?)" "across hosts, $all transfers were in flight at once"
is "$(cat "$WORK"/fixture-127_0_0_[234].log | grep -vc '^END')" 60 "one request per source"

# Retry-After on one host does not hold back the others
sed -i -E 's#/_mis/delay-0.2/#/_mis/retry-after-once-3/#' "$WORK/sources.d/s03.conf"
out=$(llmref refresh --all 2>&1); rc=$?
is "$rc" 0 "refresh with one 429 + Retry-After: 3 succeeds"
s03=$(printf '%s\n' "$out" | sed -n 's/^s03: .*, \([0-9.]*\) s)$/\1/p')
s01=$(printf '%s\n' "$out" | sed -n 's/^s01: .*, \([0-9.]*\) s)$/\1/p')
echo "# s03 (429, Retry-After 3) done after ${s03} s; s01 (other host) after ${s01} s"
ok "$(python3 -c "import sys; sys.exit(0 if $s03 >= 3.0 else 1)"; echo $?)" "the 429'd source waited out Retry-After"
ok "$(python3 -c "import sys; sys.exit(0 if $s01 < 3.0 else 1)"; echo $?)" "another host's source did not wait for it"
done_testing
