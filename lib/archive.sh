#!/bin/sh
# archive.sh OUT.a LIB.a...: the objects of LIB.a... linked into one
# relocatable object whose hidden symbols become local, archived as OUT.a.
set -eu
out=$1
shift
obj=${out%.a}.o
${LD:-ld} -r -o "$obj" --whole-archive "$@"
${OBJCOPY:-objcopy} --localize-hidden "$obj"
rm -f "$out"
${AR:-ar} rcs "$out" "$obj"
rm -f "$obj"
