#!/usr/bin/env bash
# Byte-for-byte comparison of two pprofc builds: every converter and report
# on every fixture (and on extra profiles given), printing one md5 row per
# output and "N same, N different". For restructuring: behaviour must not
# change.
#
#   scripts/same-output.sh OLD_PPROFC NEW_PPROFC [PROFILE...]
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: scripts/same-output.sh OLD_PPROFC NEW_PPROFC [PROFILE...]" >&2; exit 2; }
old=$1 new=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

commands=(
	"to-callgrind" "to-folded" "to-flamegraph" "to-speedscope" "to-dot"
	"top" "top --cum --nodecount 0" "tree" "peek ." "traces" "tags" "raw"
	"list ." "top --json" "to-callgrind --lines"
	"to-folded --addresses" "top --focus main --hide runtime"
)
same=0 diff=0
for prof in tests/fixtures/*.pb.gz tests/fixtures/pprof-testdata/*.pb.gz "$@"; do
	for c in "${commands[@]}" "merge -o"; do
		# shellcheck disable=SC2086
		if [ "$c" = "merge -o" ]; then
			"$old" merge -o "$tmp/o" "$prof" >/dev/null 2>"$tmp/oe"; echo "rc=$?" >>"$tmp/oe"
			"$new" merge -o "$tmp/n" "$prof" >/dev/null 2>"$tmp/ne"; echo "rc=$?" >>"$tmp/ne"
		else
			"$old" $c "$prof" >"$tmp/o" 2>"$tmp/oe"; echo "rc=$?" >>"$tmp/oe"
			"$new" $c "$prof" >"$tmp/n" 2>"$tmp/ne"; echo "rc=$?" >>"$tmp/ne"
		fi
		a=$(cat "$tmp/o" "$tmp/oe" | md5sum | cut -c1-12)
		b=$(cat "$tmp/n" "$tmp/ne" | md5sum | cut -c1-12)
		if [ "$a" = "$b" ]; then
			same=$((same + 1)); mark=same
		else
			diff=$((diff + 1)); mark=DIFFERENT
		fi
		printf '| %s | %s | %s | %s | %s |\n' "$(basename "$prof")" "$c" "$a" "$b" "$mark"
	done
done
echo "$same same, $diff different"
[ $diff = 0 ]
