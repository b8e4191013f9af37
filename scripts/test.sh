#!/usr/bin/env bash
# Install what is missing, build, and run the whole test suite: unit tests,
# crafted bad inputs, and the differential tests against go tool pprof and
# callgrind_annotate. Warnings are errors.
#
#   scripts/test.sh              the suite in build-test/
#   scripts/test.sh --sanitize   the same, built with ASan+UBSan, in build-asan/
#   scripts/test.sh --valgrind   the suite in build-test/ with every pprofc run
#                                and unit test under valgrind's memcheck; the
#                                filters, granularity, reports, merge-out,
#                                speedscope, dot, grammar and forms suites (hundreds of
#                                comparisons, or large files) are left to the
#                                ASan+UBSan run, and their code paths still run
#                                under valgrind in the unit and fuzz-replay tests
#   scripts/test.sh --threads    the unit tests built with ThreadSanitizer, in
#                                build-tsan/ (the inflate thread: test_stream)
#
# Ends with the count of the differential tests against go tool pprof that ran
# (meson suite "diff": the scripts in tests/diff/), read from meson's log.
# Exits non-zero when any test fails; meson's log is in BUILDDIR/meson-logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

mode=${1:-}
ensure_packages "${BUILD_PACKAGES[@]}" "${REFERENCE_PACKAGES[@]}" "${VIEWER_PACKAGES[@]}"
ensure_node

opts=(-Dwerror=true -Dreference_tests=enabled)
setup=()
case "$mode" in
"")
	dir=${BUILDDIR:-build-test}
	;;
--valgrind)
	dir=${BUILDDIR:-build-test}
	setup=(--setup=valgrind --no-suite filters --no-suite granularity --no-suite reports
		--no-suite merge-out --no-suite speedscope --no-suite dot --no-suite grammar
		--no-suite forms)
	;;
--sanitize)
	dir=${BUILDDIR:-build-asan}
	# Any report stops the program with an error, failing its test.
	opts+=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
		"-Dc_args=-fno-sanitize-recover=all -fno-omit-frame-pointer")
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	export ASAN_OPTIONS=detect_leaks=1
	;;
--threads)
	dir=${BUILDDIR:-build-tsan}
	opts+=(-Db_sanitize=thread -Db_lundef=false -Dbuildtype=debugoptimized)
	export TSAN_OPTIONS=halt_on_error=1:exitcode=66
	export PPROFC_QUICK=1 # fewer damaged copies: TSan is slow
	setup=(--suite unit --timeout-multiplier 4)
	;;
*)
	echo "usage: scripts/test.sh [--sanitize | --valgrind | --threads]" >&2
	exit 2
	;;
esac

setup_build "$dir" "${opts[@]}"
ninja -C "$dir"
rc=0
meson test -C "$dir" --print-errorlogs --num-processes "$(nproc)" "${setup[@]}" || rc=$?
log=$dir/meson-logs/testlog.json
[ "$mode" = --valgrind ] && log=$dir/meson-logs/testlog-valgrind.json
echo "differential tests against go tool pprof: $(suite_results "$log" diff)"
exit $rc
