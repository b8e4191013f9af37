#!/bin/sh
# Runs a unit-test program under $PPROFC_WRAPPER (valgrind in the valgrind
# test setup), the same wrapper the script tests put before pprofc. A
# wrapper that is not installed skips the test (exit 77), as in harness.py.
if [ -n "${PPROFC_WRAPPER:-}" ]; then
	set -- ${PPROFC_WRAPPER} "$@"
	if ! command -v "$1" >/dev/null 2>&1; then
		name=$(basename "$1")
		echo "SKIP: $name not installed (apt-get install $name)"
		exit 77
	fi
fi
exec "$@"
