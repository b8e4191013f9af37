#!/usr/bin/env python3
"""Differential test of top --unit against go tool pprof -top -unit on one
profile, at every sample index and for each of minimum (the default), auto,
ns, us, ms, s, hrs, B, kB, MB, GB: the header lines are equal (Duration's
total in that unit), the total on the "Showing nodes" line is the same text,
and every named function's flat and cum are the same text.

Rows pprof names differently (locations without lines, samples without a
stack; see pprof_diff.py) are left out of the row comparison; where they
hold the smallest value, the unit "minimum" picks may differ, so with
"minimum", when pprofc has such rows and the outputs differ, pprofc is run
again with the unit pprof picked, and must then agree.

usage: top_unit_diff.py PPROFC PROFILE"""
import re
import sys

from harness import check, main, pprofc_cmd, run, sample_types

UNITS = ["minimum", "auto", "ns", "us", "ms", "s", "hrs", "B", "kB", "MB", "GB"]
ROW = re.compile(r"^\s*(\S+)\s+\S+%\s+\S+%\s+(\S+)\s+\S+%\s+(.*)$")
TOTAL = re.compile(r"^Showing nodes accounting for .* of (\S+) total$")


def parse(text, what):
    header, total, rows, seen = [], None, {}, False
    for line in text.splitlines():
        m = TOTAL.match(line)
        if m:
            total = m.group(1)
            continue
        if line.split() == ["flat", "flat%", "sum%", "cum", "cum%"]:
            seen = True
            continue
        if not seen:
            if not line.startswith("Showing top"):
                header.append(line.rstrip())
            continue
        m = ROW.match(line)
        check(m, "%s: cannot parse row %r" % (what, line))
        name = re.sub(r" \((partial-)?inline\)$", "", m.group(3))
        if (name.startswith("[") and name.endswith("]")) or name == "<unknown>" or \
                re.match(r"^0x[0-9a-f]+$", name):
            continue
        rows[name] = (m.group(1), m.group(2))
    check(total is not None, "%s: no total line" % what)
    return header, total, rows


def odd_rows(text):
    """True when pprofc has rows pprof names differently."""
    return bool(re.search(r"  (\[no stack\]|0x[0-9a-f]+)$", text, re.M))


def test():
    pprofc, path = pprofc_cmd(sys.argv[1]), sys.argv[2]
    for i, (t, unit) in enumerate(sample_types(path)):
        for u in UNITS:
            # every row, as pprof's with -nodefraction=0 below
            rc, out, err = run(pprofc + ["top", "--nodefraction", "0", "--sample-index", str(i),
                                         "--unit", u, path])
            check(rc == 0, "pprofc top --unit %s failed: %s" % (u, err.decode()))
            mine_text = out.decode()
            mine = parse(mine_text, "pprofc")
            rc, out, err = run(["go", "tool", "pprof", "-top", "-symbolize=none", "-nodecount=0",
                                "-nodefraction=0", "-sample_index=%d" % i, "-unit=" + u, path])
            check(rc == 0, "go tool pprof -unit=%s failed: %s" % (u, err.decode()))
            theirs = parse(out.decode(), "pprof")
            if u == "minimum" and mine != theirs and odd_rows(mine_text):
                # pprofc's extra rows may hold the smallest value: given the
                # unit pprof picked, everything must then agree.
                picked = re.sub(r"^-?[0-9.]+", "", theirs[1])
                check(picked, "index %d: pprof's total %r has no unit" % (i, theirs[1]))
                rc, out, err = run(pprofc + ["top", "--nodefraction", "0", "--sample-index",
                                             str(i), "--unit", picked, path])
                check(rc == 0, "pprofc top --unit %s failed: %s" % (picked, err.decode()))
                mine = parse(out.decode(), "pprofc")
                print("index %d --unit minimum: pprof picks %s, pprofc another unit (its rows "
                      "pprof lumps); compared in %s" % (i, picked, picked))
            check(mine[0] == theirs[0], "index %d --unit %s: header %r, pprof's %r" % (
                i, u, mine[0], theirs[0]))
            check(mine[1] == theirs[1], "index %d --unit %s: total %s, pprof's %s" % (
                i, u, mine[1], theirs[1]))
            diff = [(n, mine[2].get(n), theirs[2].get(n)) for n in set(mine[2]) | set(theirs[2])
                    if mine[2].get(n) != theirs[2].get(n)]
            check(not diff, "index %d --unit %s: rows differ %s" % (i, u, diff[:3]))
        print("index %d (%s): %d units agree" % (i, t, len(UNITS)))


if __name__ == "__main__":
    main(test)
