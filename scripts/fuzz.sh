#!/usr/bin/env bash
# Fuzz campaigns with libFuzzer (clang from Debian), ASan and UBSan on:
#
#   scripts/fuzz.sh [--with-protobuf-c-source] [SECONDS] [TARGET...]
#                                   default: 600 s each, all targets
#
# --with-protobuf-c-source compiles protobuf-c 1.4.1 from Debian's source
# package (apt-get source) into the targets, so that ASan and UBSan see
# inside it too (build-fuzz-pbc/); Debian's binary library is not
# instrumented.
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

pbc=0
if [ "${1:-}" = --with-protobuf-c-source ]; then
	pbc=1
	shift
fi
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load decode writers fetch)
ensure_packages "${BUILD_PACKAGES[@]}" clang libclang-rt-14-dev

bdir=build-fuzz
extra=()
if [ $pbc = 1 ]; then
	bdir=build-fuzz-pbc
	src=$PWD/$bdir-src
	if [ ! -f "$src/protobuf-c-1.4.1/protobuf-c/protobuf-c.c" ]; then
		mkdir -p "$src/lists/partial"
		echo "deb-src http://deb.debian.org/debian bookworm main" >"$src/sources.list"
		apt_opts=(-o "Dir::Etc::SourceList=$src/sources.list" -o Dir::Etc::SourceParts=/dev/null
			-o "Dir::State::Lists=$src/lists")
		apt-get "${apt_opts[@]}" update >/dev/null
		(cd "$src" && apt-get "${apt_opts[@]}" source --download-only protobuf-c=1.4.1-1 >/dev/null &&
			tar xzf protobuf-c_1.4.1.orig.tar.gz)
	fi
	extra=("-Dprotobuf_c_src=$src/protobuf-c-1.4.1")
fi
if [ ! -f $bdir/build.ninja ]; then
	CC=clang meson setup $bdir -Dfuzzing=true -Dreference_tests=disabled \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
		"-Dc_args=-fno-sanitize-recover=all" "${extra[@]}" >/dev/null
fi
ninja -C $bdir >/dev/null
mkdir -p tests/fuzz/crashers
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1

for t in "${targets[@]}"; do
	work=$bdir/corpus-$t
	mkdir -p "$work"
	echo "== fuzz_$t for $secs s" >&2
	"$bdir/tests/fuzz/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
		-max_len=65536 -rss_limit_mb=2048 -timeout=20 \
		-artifact_prefix="tests/fuzz/crashers/$t-" "$work" "tests/fuzz/corpus/$t" \
		>"$bdir/fuzz-$t.log" 2>&1 || echo "fuzz_$t stopped: see $bdir/fuzz-$t.log" >&2
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$bdir/fuzz-$t.log" | tail -n 1)
	echo "$t: ${runs:-?} executions in $secs s, corpus $(ls "$work" | wc -l) inputs"
done
ls tests/fuzz/crashers
