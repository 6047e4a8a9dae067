#!/bin/bash
# The stage order of src/ (README.md, "Architecture"): no include and no
# call points up the pipeline, and neither headers nor objects form a
# cycle. tests/tools/layers.py does the checking; it is first shown a
# small tree that breaks each rule, so that a checker that finds nothing
# cannot pass.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip_all "python3 not installed"
layers="python3 $LLMREF_SRCDIR/tests/tools/layers.py"
build=$PWD

# ---- the checker finds what it should, in a tree made to break the rules
bad=$WORK/bad
mkdir -p "$bad/src/core" "$bad/src/extract" "$bad/src/config"
printf '#include "config/config.h"\n' >"$bad/src/extract/up.h"
printf '#include "core/b.h"\n' >"$bad/src/core/a.h"
printf '#include "core/a.h"\n' >"$bad/src/core/b.h"
printf '#include "a.h"\n' >"$bad/src/core/flat.c"
printf '/* nothing */\n' >"$bad/src/config/config.h"
got=$($layers includes "$bad"); rc=$?
is "$rc" 1 "layers: a broken tree fails the include check"
like "$got" 'extract/up.h: includes config/config.h, which is up the stage order' "layers: an upward include is named"
like "$got" 'include cycle: core/a.h -> core/b.h -> core/a.h' "layers: an include cycle is named"
like "$got" 'core/flat.c: includes "a.h" without its stage folder' "layers: an include without its folder is named"

cat >"$bad/src/core/low.c" <<'C'
int high(int);
int low(int n) { return n ? high(n - 1) : 0; }
C
cat >"$bad/src/config/high.c" <<'C'
int low(int);
int high(int n) { return low(n); }
C
if ${CC:-cc} -c -o "$bad/src/core/low.o" "$bad/src/core/low.c" &&
	${CC:-cc} -c -o "$bad/src/config/high.o" "$bad/src/config/high.c"; then
	got=$($layers objects "$bad"); rc=$?
	is "$rc" 1 "layers: objects that call up and round fail the object check"
	like "$got" 'core/low.o: calls high in config/high.o, which is up the stage order' "layers: an upward call is named"
	like "$got" 'call cycle between objects' "layers: a call cycle is named"
else
	ok 1 "layers: compile the broken objects"
fi

# ---- the real tree and the real library
got=$($layers includes "$LLMREF_SRCDIR"); rc=$?
is "$got" "" "src/: every include stays at or below its stage, no include cycle"
is "$rc" 0 "src/: include check exit status"
got=$($layers objects "$build"); rc=$?
is "$got" "" "objects: no call up the stage order, no call cycle"
is "$rc" 0 "objects: check exit status"
done_testing
