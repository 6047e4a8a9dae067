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
grep -q '^Type=notify$' "$LLMREF_SRCDIR/systemd/llmref.service.in"; ok $? "llmref.service is Type=notify"
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$LLMREF_SRCDIR/systemd/llmref.service.in"; ok $? "reload sends SIGHUP"
grep -qE '^TimeoutStartSec=[0-9]+(min|s)?$' "$LLMREF_SRCDIR/systemd/llmref-refresh@.service.in"
ok $? "the oneshot refresh unit bounds its start (TimeoutStartSec=)"
done_testing
