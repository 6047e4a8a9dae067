#!/bin/sh
# scripts/fuzz.sh - the libFuzzer half of make fuzz and make fuzz-run (see
# fuzz/README.md). Run from the build folder; make passes the settings:
#   fuzz.sh build: compile the library's C files (FUZZ_SOURCES, relative to
#     the build or the source folder) with FUZZ_CC and ASan+UBSan+libFuzzer
#     instrumentation into fuzz/obj/, then link fuzz/fuzz_T for each T in
#     FUZZ_TARGETS. Only what changed since the last build is redone.
#   fuzz.sh run: run each fuzz/fuzz_T for FUZZ_TIME seconds over a copy of
#     its seed corpus (fuzz/run/T/), crashes to fuzz/artifacts/; print one
#     Markdown table row per target for fuzz/REPORT.md, also written to
#     fuzz/report-lines.md. Exits 1 if any target found a crash.
set -u
: "${srcdir:=.}" "${FUZZ_CC:=clang}" "${AR:=ar}" "${FUZZ_TIME:=600}"
: "${FUZZ_TARGETS:=price context params date html json config source}"
: "${FUZZ_CPPFLAGS:=}" "${FUZZ_CFLAGS:=}" "${FUZZ_LIBS:=}" "${FUZZ_SOURCES:=}"
SAN="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"

# newer FILE... TARGET: is TARGET missing or older than any FILE?
newer() {
	eval "last=\${$#}"
	[ -e "$last" ] || return 0
	while [ $# -gt 1 ]; do
		[ "$1" -nt "$last" ] && return 0
		shift
	done
	return 1
}

compile() { # compile SRC OBJ
	echo "  FUZZCC   $2"
	# shellcheck disable=SC2086
	$FUZZ_CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter $SAN \
		-fsanitize=fuzzer-no-link $FUZZ_CPPFLAGS $FUZZ_CFLAGS -c "$1" -o "$2"
}

build() {
	if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
		echo "make fuzz: '$FUZZ_CC' not found: install clang with libFuzzer" \
			"(Debian: apt-get install clang), or set FUZZ_CC" >&2
		exit 1
	fi
	mkdir -p fuzz/obj || exit 1
	lib=fuzz/libllmref-fuzz.a objs= relib=
	for f in $FUZZ_SOURCES; do
		case $f in *.c) ;; *) continue ;; esac
		if [ -f "$f" ]; then s=$f; else s=$srcdir/$f; fi
		o=fuzz/obj/$(basename "$f" .c).o
		objs="$objs $o"
		# shellcheck disable=SC2086
		if newer "$s" "$srcdir"/src/*/*.h autoconf.h "$o"; then
			compile "$s" "$o" || exit 1
			relib=1
		fi
	done
	if [ -n "$relib" ] || [ ! -f "$lib" ]; then
		rm -f "$lib"
		# shellcheck disable=SC2086
		$AR cr "$lib" $objs || exit 1
	fi
	for t in $FUZZ_TARGETS; do
		bin=fuzz/fuzz_$t
		newer "$srcdir/fuzz/fuzz_$t.c" "$srcdir/fuzz/fuzz.h" "$lib" "$bin" || continue
		echo "  FUZZLD   $bin"
		# shellcheck disable=SC2086
		$FUZZ_CC -std=c11 -D_GNU_SOURCE -Wall -Wextra $SAN -fsanitize=fuzzer $FUZZ_CPPFLAGS \
			$FUZZ_CFLAGS -I"$srcdir/fuzz" "$srcdir/fuzz/fuzz_$t.c" "$lib" $FUZZ_LIBS \
			-o "$bin" || exit 1
	done
}

# run_one T: fuzz T for FUZZ_TIME seconds; print its report row.
run_one() {
	t=$1 log=fuzz/fuzz_$1.log
	rm -rf "fuzz/run/$t" && mkdir -p "fuzz/run/$t" fuzz/artifacts || exit 1
	cp "$srcdir/fuzz/corpus/$t"/* "fuzz/run/$t/" 2>/dev/null
	"./fuzz/fuzz_$t" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t-" \
		"fuzz/run/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	crash=none
	[ "$rc" -eq 0 ] || crash="exit $rc: $(ls -t fuzz/artifacts/"$t"-* 2>/dev/null | head -n 1)"
	echo "| $t | ${FUZZ_TIME}s | ${execs:-?} | ${cov:-?} | ${ft:-?} | $crash |"
	[ "$rc" -eq 0 ]
}

run() {
	failed=0
	echo "| target | time | executions | cov | ft | crash |" | tee fuzz/report-lines.md
	echo "|---|---|---|---|---|---|" | tee -a fuzz/report-lines.md
	for t in $FUZZ_TARGETS; do
		run_one "$t" | tee -a fuzz/report-lines.md
		tail -n 1 fuzz/report-lines.md | grep -q '| none |$' || failed=1
	done
	exit $failed
}

case ${1:-} in
build) build ;;
run) run ;;
*)
	echo "usage: fuzz.sh build|run" >&2
	exit 2
	;;
esac
