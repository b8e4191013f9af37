#!/bin/sh
# Runs a unit-test program under $PPROFC_WRAPPER (valgrind in the valgrind
# test setup), the same wrapper the script tests put before pprofc.
exec ${PPROFC_WRAPPER:-} "$@"
