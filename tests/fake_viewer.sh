#!/bin/sh
# A stand-in for kcachegrind in the tests: records the file it was asked to
# open (one line in $FAKE_VIEWER_LOG) and exits.
printf '%s\n' "$*" > "$FAKE_VIEWER_LOG.tmp" && mv "$FAKE_VIEWER_LOG.tmp" "$FAKE_VIEWER_LOG"
