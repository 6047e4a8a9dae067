#!/bin/sh
# scripts/valgrind-llmref.sh ARGS... - run the llmref binary named by
# $LLMREF_REAL_BIN under valgrind's memcheck: any error or definite leak
# makes the exit status 99 (so the calling test fails) and leaves a report
# in $LLMREF_VG_LOGS/vg.PID.log (empty files are removed by the caller).
# scripts/test.sh runs the integration tests through this once.
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
	--track-fds=no --log-file="${LLMREF_VG_LOGS:-/tmp}/vg.%p.log" \
	"${LLMREF_REAL_BIN:?LLMREF_REAL_BIN not set}" "$@"
