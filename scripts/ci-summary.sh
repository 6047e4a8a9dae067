#!/bin/sh
# scripts/ci-summary.sh DIR|LOG... DISTCHECK_FAILED - add up the automake
# test logs of the given build folders (DIR/test-suite.log) or log files
# (every TAP line is one test; a "# FAIL: N" line appended counts) and print
# "N passed, N failed" as the last line. A build without a log counts as
# one failure; so does a failed distcheck.
last=$(eval echo "\${$#}")
passed=0
failed=$last
n=$#
i=1
for dir in "$@"; do
	[ $i -eq $n ] && break
	i=$((i + 1))
	log=$dir/test-suite.log
	[ -f "$dir" ] && log=$dir
	if [ ! -f "$log" ]; then
		failed=$((failed + 1))
		continue
	fi
	p=$(sed -n 's/^# PASS: *\([0-9]*\)/\1/p' "$log" | head -1)
	f=$(sed -n 's/^# FAIL: *\([0-9]*\)/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
	e=$(sed -n 's/^# ERROR: *\([0-9]*\)/\1/p' "$log" | head -1)
	x=$(sed -n 's/^# XPASS: *\([0-9]*\)/\1/p' "$log" | head -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0} + ${e:-0} + ${x:-0}))
done
echo "$passed passed, $failed failed"
