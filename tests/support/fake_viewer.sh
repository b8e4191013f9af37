#!/bin/sh
# A stand-in for kcachegrind in the tests: records the file it was asked to
# open (one line in $FAKE_VIEWER_LOG) and a copy of it ($FAKE_VIEWER_LOG.copy:
# pprofc removes the file once the viewer exits), and exits.
cp "$1" "$FAKE_VIEWER_LOG.copy" &&
	printf '%s\n' "$*" > "$FAKE_VIEWER_LOG.tmp" && mv "$FAKE_VIEWER_LOG.tmp" "$FAKE_VIEWER_LOG"
