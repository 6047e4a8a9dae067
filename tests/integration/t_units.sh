#!/bin/bash
# The shipped systemd units: systemd-analyze verify is clean and the
# sandbox's exposure (systemd-analyze security) is 2.0 or lower, and no
# fetch can reach a private network. Skips where systemd-analyze is missing.
. "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null || skip_all "systemd-analyze not installed"
systemd-analyze security --help 2>/dev/null | grep -q -- --offline || skip_all "systemd-analyze has no --offline"
for u in llmref.service llmref-refresh@.service; do
	inst=${u/@./@fireworks.}
	sed -e "s|@bindir@|$(dirname "$LLMREF_BIN")|g" -e "s|@sysconfdir@|/etc|g" \
		"$LLMREF_SRCDIR/systemd/$u.in" > "$WORK/$inst"
	out=$(systemd-analyze verify --man=no "$WORK/$inst" 2>&1); rc=$?
	is "$rc $out" "0 " "$u: systemd-analyze verify is clean"
	level=$(systemd-analyze security --offline=yes "$WORK/$inst" 2>&1 |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
	echo "# $u: exposure $level"
	ok "$(awk -v l="$level" 'BEGIN { exit !(l != "" && l <= 2.0) }'; echo $?)" \
		"$u: exposure ${level:-?} is 2.0 or lower"
done
for u in llmref.service llmref-refresh@.service; do
	deny=$(grep '^IPAddressDeny=' "$LLMREF_SRCDIR/systemd/$u.in" | tr '\n' ' ')
	missing=
	for r in 127.0.0.0/8 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 169.254.0.0/16 100.64.0.0/10 ::/127 fc00::/7 fe80::/10; do
		case " ${deny//IPAddressDeny=/} " in *" $r "*) ;; *) missing="$missing $r";; esac
	done
	is "$missing" "" "$u: IPAddressDeny= covers loopback, private, link-local, CGNAT and their IPv6 forms"
	grep -q '^IPAddressAllow=any' "$LLMREF_SRCDIR/systemd/$u.in"; is "$?" 1 "$u: and no IPAddressAllow=any undoes it"
done
# who may read what the daemon writes (issue 17, item 11): the system user
# llmref, the group llmref-readers, group-readable files and folders
for u in llmref.service llmref-refresh@.service; do
	f=$LLMREF_SRCDIR/systemd/$u.in
	is "$(grep -E '^(User|Group|UMask|StateDirectory|StateDirectoryMode|DynamicUser)=' "$f" | tr '\n' ' ')" \
		"User=llmref Group=llmref-readers StateDirectory=llmref llmref/spool StateDirectoryMode=0750 UMask=0027 " \
		"$u: user llmref, group llmref-readers, umask 0027, state folders 0750 (no DynamicUser: its /var/lib/private is 0700)"
done
mkdir -p "$WORK/root/etc"
if systemd-sysusers --root="$WORK/root" "$LLMREF_SRCDIR/systemd/llmref-sysusers.conf" >/dev/null 2>&1; then
	like "$(cat "$WORK/root/etc/passwd")" "^llmref:x:[0-9]+:[0-9]+:llmref catalog daemon:/var/lib/llmref:" "sysusers.d makes the user llmref"
	like "$(cat "$WORK/root/etc/group")" "^llmref-readers:x:[0-9]+:" "and the group llmref-readers"
else
	ok 1 "systemd-sysusers --root reads llmref-sysusers.conf"
fi
# under the unit's umask what llmref writes is the group's to read: the
# spool (a refresh's batch, its cursor) and the metrics file (a daemon's)
if psql -Atqc 'select 1' >/dev/null 2>&1; then
	need_pg
	setup_local
	mkdir -m 0750 "$WORK/spool"
	printf '[diff]\nspool = %s\n[daemon]\nmetrics_file = %s\n' "$WORK/spool" "$WORK/llmref.prom" >> "$CONF"
	llmref db migrate >/dev/null
	(umask 0027; "$LLMREF_BIN" -c "$CONF" refresh --all >/dev/null 2>&1)
	is "$(stat -c %a "$WORK/spool"/events-*.jsonl "$WORK/spool/cursor" | sort -u | tr '\n' ' ')" "640 " \
		"umask 0027: the spool's batches and cursor are 0640 (group-readable)"
	sed -i 's/^interval = .*/interval = 2s/' "$WORK"/sources.d/*.conf
	(umask 0027; exec "$LLMREF_BIN" -c "$CONF" daemon --allow-root >/dev/null 2>&1) & dpid=$!
	for i in $(seq 1 300); do [ -f "$WORK/llmref.prom" ] && break; sleep 0.1; done
	kill -TERM "$dpid"; wait "$dpid"
	is "$(stat -c %a "$WORK/llmref.prom" 2>&1)" 640 "umask 0027: the metrics file is 0640"
fi
# the installed units name the configuration where this build reads it
# (configure --sysconfdir; the README's install passes --sysconfdir=/etc)
built=$(dirname "$(dirname "$LLMREF_BIN")")/systemd/llmref.service
if [ -f "$built" ]; then
	cfg=$("$LLMREF_BIN" --help | sed -n 's/.*else \(.*llmref\.conf\)).*/\1/p')
	like "$(grep '^ExecStart=' "$built")" " -c ${cfg//./\\.} daemon$" "the built unit reads the configuration this build does by default ($cfg)"
else
	ok 1 "the built unit is there ($built)"
fi
grep -q '^Type=notify$' "$LLMREF_SRCDIR/systemd/llmref.service.in"; ok $? "llmref.service is Type=notify"
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$LLMREF_SRCDIR/systemd/llmref.service.in"; ok $? "reload sends SIGHUP"
grep -qE '^TimeoutStartSec=[0-9]+(min|s)?$' "$LLMREF_SRCDIR/systemd/llmref-refresh@.service.in"
ok $? "the oneshot refresh unit bounds its start (TimeoutStartSec=)"
done_testing
