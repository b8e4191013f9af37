#!/usr/bin/env bash
# Fuzz campaigns with libFuzzer (clang from Debian), ASan and UBSan on:
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]    default: 600 s each, all targets
#
# Targets: load (bytes -> gunzip -> decode -> validate), decode (raw protobuf),
# writers (decoded profile -> every writer), fetch (HTTP response -> checks).
# Each starts from tests/fuzz/corpus/TARGET; new inputs go to
# build-fuzz/corpus-TARGET, crashes to tests/fuzz/crashers/ (commit a crasher
# into tests/fuzz/corpus/TARGET once fixed: every test run replays them).
# Prints executions per target at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load decode writers fetch)
ensure_packages "${BUILD_PACKAGES[@]}" clang libclang-rt-14-dev

if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzzing=true -Dreference_tests=disabled \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
		"-Dc_args=-fno-sanitize-recover=all" >/dev/null
fi
ninja -C build-fuzz >/dev/null
mkdir -p tests/fuzz/crashers
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1

for t in "${targets[@]}"; do
	work=build-fuzz/corpus-$t
	mkdir -p "$work"
	echo "== fuzz_$t for $secs s" >&2
	"build-fuzz/tests/fuzz/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
		-max_len=65536 -rss_limit_mb=2048 -timeout=20 \
		-artifact_prefix="tests/fuzz/crashers/$t-" "$work" "tests/fuzz/corpus/$t" \
		>"build-fuzz/fuzz-$t.log" 2>&1 || echo "fuzz_$t stopped: see build-fuzz/fuzz-$t.log" >&2
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build-fuzz/fuzz-$t.log" | tail -n 1)
	echo "$t: ${runs:-?} executions in $secs s, corpus $(ls "$work" | wc -l) inputs"
done
ls tests/fuzz/crashers
