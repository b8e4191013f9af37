#!/usr/bin/env python3
"""Differential test: pprofc raw against go tool pprof -raw, and pprofc
comments against go tool pprof -comments, on one profile.

- comments: byte for byte;
- raw: the header lines (comments, period type, period, time, duration) and
  the sample types line are equal; pprofc's dump has as many samples and
  locations as the file (read independently by pbread.py), with the file's
  values; and what pprof prints follows from it: pprof's samples are
  pprofc's summed per (locations, labels) -- locations compared by content
  (address, mapping, lines), as pprof renumbers them -- without the samples
  whose values are all zero or that have no locations, pprof's locations are
  exactly those the kept samples use, its mappings those they use (pprof
  adds a fake empty mapping to a profile that has none: left aside).

usage: raw_diff.py PPROFC PROFILE"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support import pbread
from support.harness import check, main, need, pprofc_cmd, run

SAMPLE = re.compile(r"^((?: +-?\d+)*): ((?:\d+ )*)$")
LOC = re.compile(r"^ *(\d+): (0x[0-9a-f]+) (?:M=(\d+) )?(\[F\] )?(.*)$")
MAP = re.compile(r"^(\d+): (.*)$")


def parse(text, what):
    lines = text.splitlines()
    check("Samples:" in lines, "%s: no Samples: line" % what)
    i = lines.index("Samples:")
    header, types = lines[:i], lines[i + 1]
    samples, locs, maps, section = [], {}, {}, "samples"
    last = None
    for line in lines[i + 2:]:
        if line in ("Locations", "Mappings", "Functions"):
            section = line
            continue
        if section == "samples":
            if line.startswith(" " * 16) and samples and not SAMPLE.match(line):
                samples[-1][2].append(line.strip())
                continue
            m = SAMPLE.match(line)
            check(m, "%s: cannot parse sample line %r" % (what, line))
            samples.append(([int(v) for v in m.group(1).split()],
                            [int(v) for v in m.group(2).split()], []))
        elif section == "Locations":
            if line.startswith(" " * 13) and last is not None:
                locs[last][3].append(line.strip())
                continue
            m = LOC.match(line)
            check(m, "%s: cannot parse location line %r" % (what, line))
            last = int(m.group(1))
            check(last not in locs, "%s: location %d twice" % (what, last))
            locs[last] = (m.group(2), m.group(3), bool(m.group(4)),
                          [m.group(5)] if m.group(5) else [])
        elif section == "Mappings":
            m = MAP.match(line)
            check(m, "%s: cannot parse mapping line %r" % (what, line))
            maps[m.group(1)] = m.group(2)
    return header, types, samples, locs, maps


def canon(locs, maps):
    """location id -> its content, mapping included (ids differ)."""
    return {i: (a, maps.get(m), f, tuple(ls)) for i, (a, m, f, ls) in locs.items()}


def test():
    pprofc, path = pprofc_cmd(sys.argv[1]), sys.argv[2]
    need("go")
    file = pbread.read(path)

    rc, mine, err = run(pprofc + ["comments", path])
    check(rc == 0, "pprofc comments failed: %s" % err.decode())
    rc, theirs, err = run(["go", "tool", "pprof", "-comments", "-symbolize=none", path])
    check(rc == 0, "go tool pprof -comments failed: %s" % err.decode())
    check(mine == theirs, "comments %r, pprof's %r" % (mine, theirs))
    check(len(mine.splitlines()) == len(file["comments"]), "comments: %d lines, the file has %d"
          % (len(mine.splitlines()), len(file["comments"])))

    rc, out, err = run(pprofc + ["raw", path])
    check(rc == 0, "pprofc raw failed: %s" % err.decode())
    mh, mt, ms, ml, mm = parse(out.decode(), "pprofc")
    rc, out, err = run(["go", "tool", "pprof", "-raw", "-symbolize=none", path])
    check(rc == 0, "go tool pprof -raw failed: %s" % err.decode())
    th, tt, ts, tl, tm = parse(out.decode(), "pprof")
    check(mh == th, "header %r, pprof's %r" % (mh, th))
    check(mt == tt, "sample types %r, pprof's %r" % (mt, tt))

    check(len(ms) == len(file["samples"]), "%d samples, the file has %d" % (
        len(ms), len(file["samples"])))
    check(len(ml) == file["nlocations"], "%d locations, the file has %d" % (
        len(ml), file["nlocations"]))
    for (values, ids, _), fs in zip(ms, file["samples"]):
        check(values == fs["values"] and ids == fs["locs"],
              "sample %r %r, the file's %r %r" % (values, ids, fs["values"], fs["locs"]))

    if not mm and list(tm.values()) == ["0x0/0x0/0x0   "]:
        # pprof gives a profile without mappings a fake, empty one (to try
        # symbolizing it): not part of the profile.
        tm = {}
    mc, tc = canon(ml, mm), canon(tl, tm)
    want, used, dropped = {}, set(), 0
    for values, ids, labels in ms:
        if not ids or not any(values):
            dropped += 1
            continue
        k = (tuple(mc[i] for i in ids), tuple(labels))
        used.update(mc[i] for i in ids)
        prev = want.get(k, [0] * len(values))
        want[k] = [a + b for a, b in zip(prev, values)]
    got = {}
    for values, ids, labels in ts:
        k = (tuple(tc[i] for i in ids), tuple(labels))
        check(k not in got, "pprof printed one sample twice: %r" % (k,))
        got[k] = values
    check(got == want, "samples differ: %d pprof, %d expected; only pprof %s; only pprofc %s" % (
        len(got), len(want), list(set(got) - set(want))[:1], list(set(want) - set(got))[:1]))
    check(set(tc.values()) == used and len(tc) == len(used),
          "pprof's %d locations are not the %d the kept samples use" % (len(tc), len(used)))
    used_maps = {c[1] for c in used if c[1]}
    check(set(tm.values()) == used_maps, "pprof's mappings %r, used %r" % (
        sorted(tm.values())[:3], sorted(used_maps)[:3]))
    print("%d samples (%d merged into %d by pprof, %d dropped), %d locations (%d used), "
          "%d mappings (%d used), %d comments agree" % (
              len(ms), len(ms) - dropped, len(ts), dropped, len(ml), len(used), len(mm),
              len(used_maps), len(file["comments"])))


if __name__ == "__main__":
    main(test)
