#!/bin/bash
# Replay every fuzz target's saved corpus (fuzz/corpus/T/: seeds and the
# reproducers of crashes found and fixed) through the same target code,
# built by the normal compiler as fuzz/replay_T: a crash that came back
# fails here, in plain builds and under ASan+UBSan.
. "$(dirname "$0")/lib.sh"
builddir=$(cd "$(dirname "$LLMREF_BIN")/.." && pwd)
for t in price context params date html json config source; do
	bin=$builddir/fuzz/replay_$t
	corpus=$LLMREF_SRCDIR/fuzz/corpus/$t
	if [ ! -x "$bin" ]; then
		ok 1 "fuzz/replay_$t is built"
		continue
	fi
	out=$("$bin" "$corpus" 2>&1)
	rc=$?
	n=$(ls "$corpus" | wc -l)
	if [ "$rc" -ne 0 ] || [ "$n" -eq 0 ]; then
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/# /'
	fi
	ok $((rc != 0 || n == 0)) "fuzz corpus $t: $n inputs replay cleanly"
done
done_testing
