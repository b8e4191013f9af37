#!/bin/sh
# The library's boundary, as a user's link sees it:
#  - libpprofc.so exports pprofc_* and nothing else;
#  - libpprofc.a defines no global outside pprofc_*;
#  - a small program links against the static library with what
#    `pkg-config --static --libs pprofc` says, and against the shared one
#    with `pkg-config --libs`, and both read a profile.
#
#   abi_test.sh BUILDDIR SRCDIR
set -eu
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

so=$build/lib/libpprofc.so
a=$build/lib/libpprofc.a
stray=$(nm -D --defined-only "$so" | awk '$3 !~ /^pprofc_/ {print $3}')
[ -z "$stray" ] || fail "libpprofc.so exports $(echo "$stray" | head -5 | tr '\n' ' ')"
n=$(nm -D --defined-only "$so" | grep -c ' pprofc_')
[ "$n" -gt 40 ] || fail "libpprofc.so exports only $n pprofc_ symbols"
stray=$(nm "$a" | awk 'NF == 3 && $2 ~ /^[A-TV-Z]$/ && $3 !~ /^pprofc_/ {print $3}')
[ -z "$stray" ] || fail "libpprofc.a defines globals $(echo "$stray" | head -5 | tr '\n' ' ')"

# A sanitizer's build links only with the sanitizer's runtime: the link
# check is the plain build's.
if nm "$a" | grep -q ' U __[atm]san_\| U __ubsan_'; then
	echo "symbols: $n exported, all pprofc_*; SKIP the links: a sanitizer's build"
	exit 77
fi

# A prefix as `meson install` lays it out, with the .pc meson made.
mkdir -p "$tmp/p/include" "$tmp/p/lib/pkgconfig"
cp "$src/lib/pprofc.h" "$tmp/p/include/"
cp -P "$a" "$so" "$so".0 "$so".0.*[0-9] "$tmp/p/lib/"
sed -e "s|^prefix=.*|prefix=$tmp/p|" -e 's|^libdir=.*|libdir=${prefix}/lib|' \
	"$build/meson-private/pprofc.pc" >"$tmp/p/lib/pkgconfig/pprofc.pc"
export PKG_CONFIG_PATH="$tmp/p/lib/pkgconfig"
cat >"$tmp/ten.c" <<'C'
#include <stdio.h>
#include <pprofc.h>
int main(int argc, char **argv)
{
	pprofc_profile *p = pprofc_profile_create();
	if (!p || argc < 2 || pprofc_profile_load_file(p, argv[1]) != PPROFC_OK)
		return fprintf(stderr, "%s\n", p ? pprofc_profile_errmsg(p) : "no memory"), 1;
	printf("%zu samples\n", pprofc_profile_sample_count(p));
	pprofc_profile_destroy(p);
	return 0;
}
C
cc=${CC:-cc}
# shellcheck disable=SC2046
$cc -o "$tmp/ten-static" "$tmp/ten.c" $(pkg-config --cflags pprofc) -static \
	$(pkg-config --static --libs pprofc) 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "static link"; }
# shellcheck disable=SC2046
$cc -o "$tmp/ten-shared" "$tmp/ten.c" $(pkg-config --cflags --libs pprofc) \
	-Wl,-rpath,"$tmp/p/lib" || fail "shared link"
fixture=$src/tests/fixtures/cpu.pb.gz
for prog in ten-static ten-shared; do
	out=$("$tmp/$prog" "$fixture") || fail "$prog failed: $out"
	case "$out" in
	*" samples") ;;
	*) fail "$prog printed '$out'" ;;
	esac
done
[ "$("$tmp/ten-static" "$fixture")" = "$("$tmp/ten-shared" "$fixture")" ] || fail "static and shared disagree"
echo "ok: $n symbols exported, all pprofc_*; static and shared links read $fixture"
