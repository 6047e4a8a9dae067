#!/bin/bash
# scripts/test.sh - the whole test suite from a fresh Debian 12 machine:
# install packages, build with -Werror, run every test against a
# throw-away PostgreSQL cluster (pg_virtualenv), again in an ASan+UBSan
# build, then make distcheck. Last line: "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
status=0

step() { echo "== $*"; }

step "installing packages"
scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
step "autogen"
./autogen.sh >/dev/null 2>&1 || { ./autogen.sh; echo "0 passed, 1 failed"; exit 1; }

build() { # build DIR CONFIGURE-ARGS...
	local dir=$1; shift
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" &&
	../configure --enable-werror "$@" >configure.out 2>&1 &&
	make -j"$jobs" >make.out 2>&1
	local rc=$?
	cd "$top"
	[ $rc -eq 0 ] || { tail -40 "$dir/make.out" "$dir/configure.out" 2>/dev/null; }
	return $rc
}

# private PostgreSQL servers a test started (private_pg) and left running
strays() { pgrep -f "postgres -D ${TMPDIR:-/tmp}/llmref-pg\\." 2>/dev/null; }

check() { # check DIR: make check under a throw-away cluster
	local before stray
	before=$(strays | wc -l)
	(cd "$1" && pg_virtualenv -t -o "max_connections=50" make -j"$jobs" check) >"$1/check.out" 2>&1
	local rc=$?
	stray=$(( $(strays | wc -l) - before ))
	if [ "$stray" -gt 0 ]; then # a test's clean-up failed: count it
		echo "FAIL: $stray private PostgreSQL server(s) left running by the tests"
		echo "# FAIL: 1" >> "$1/test-suite.log"
		rc=1
	fi
	grep -aE '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS):' "$1/check.out" | grep -vE '^PASS:' | head -50
	grep -aE '^# (TOTAL|PASS|FAIL|SKIP|ERROR):' "$1/check.out" | tail -5
	if [ $rc -ne 0 ]; then
		for f in $(grep -lE '^(not ok|Bail out)' $(find "$1/tests" -name '*.log') 2>/dev/null); do
			echo "---- $f"; grep -vE '^ok ' "$f" | head -40
		done
	fi
	return $rc
}

step "build (gcc, -Werror)"
if build build-test; then
	step "make check"
	check build-test || status=1
else
	status=1
fi

# The integration tests once more, every llmref process under valgrind's
# memcheck (zero errors, zero definite leaks), in the -Werror build. The
# tests whose assertions are timings (daemon intervals, watchdog pings,
# lock waits, kills at a given moment) run in the two builds above only.
VG_SKIP="t_daemon t_daemon_pg t_faults t_concurrency t_lock t_fetch_fail t_style t_docs t_units t_fuzz_replay"
vg_check() {
	local dir=$1 t tests="" bad
	for t in $(cd "$dir" && sed -n 's#^\t*\(tests/integration/t_[a-z_]*\.sh\).*#\1#p' "$top/Makefile.am"); do
		case " $VG_SKIP " in *" $(basename "$t" .sh) "*) continue ;; esac
		tests="$tests $t"
	done
	rm -rf "$dir/vg" && mkdir -p "$dir/vg"
	(cd "$dir" && LLMREF_REAL_BIN="$PWD/src/llmref" LLMREF_VG_LOGS="$PWD/vg" \
		pg_virtualenv -t -o "max_connections=50" make -j"$jobs" check TESTS="$tests" \
		LLMREF_TEST_BIN="$top/scripts/valgrind-llmref.sh" TEST_SUITE_LOG=test-suite-vg.log) \
		>"$dir/check-vg.out" 2>&1
	local rc=$?
	grep -aE '^(FAIL|ERROR|XPASS):' "$dir/check-vg.out" | head -50
	grep -aE '^# (TOTAL|PASS|FAIL|SKIP|ERROR):' "$dir/check-vg.out" | tail -5
	if [ $rc -ne 0 ]; then
		for f in $(grep -lE '^(not ok|Bail out)' $(find "$dir/tests/integration" -name '*.log') 2>/dev/null); do
			echo "---- $f"; grep -vE '^ok ' "$f" | tail -40
		done
	fi
	bad=$(find "$dir/vg" -type f -size +0 | wc -l)
	echo "valgrind: $(ls "$dir/vg" | wc -l) llmref processes, $bad with errors or definite leaks"
	find "$dir/vg" -type f -size +0 | head -3 | xargs -r head -40
	[ "$bad" -eq 0 ] || echo "# FAIL: $bad" >> "$dir/test-suite-vg.log"
	return $rc
}
if [ -x build-test/src/llmref ] && command -v valgrind >/dev/null; then
	step "integration tests under valgrind"
	vg_check build-test || status=1
fi

step "build (ASan + UBSan)"
if build build-asan --enable-sanitizers CFLAGS="-g -O1"; then
	step "make check (ASan + UBSan)"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		check build-asan || status=1
else
	status=1
fi

distcheck_failed=0
if [ "${LLMREF_SKIP_DISTCHECK:-0}" != 1 ]; then
	step "make distcheck"
	# the tarball builds, installs and passes the tests that read every
	# shipped file (Makefile.am: DISTCHECK_TESTS), and holds every tracked file
	(cd build-test && pg_virtualenv -t make -j"$jobs" distcheck TESTS='$(DISTCHECK_TESTS)') \
		>build-test/distcheck.out 2>&1 ||
		{ distcheck_failed=1; status=1; tail -40 build-test/distcheck.out; }
	if [ $distcheck_failed -eq 0 ]; then
		scripts/dist-complete.sh build-test/llmref-*.tar.gz || { distcheck_failed=1; status=1; }
	fi
fi

scripts/ci-summary.sh build-test build-test/test-suite-vg.log build-asan "$distcheck_failed"
exit $status
