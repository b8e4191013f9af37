#!/usr/bin/env python3
"""Differential test: pprofc traces against go tool pprof -traces on one
profile, at every sample index.

Both texts are read as blocks (label lines, value, frames leaf first with
"(inline)" marks), values in the sample type's base unit (-unit=ns / -unit=B,
exact); the header lines must be equal; the multiset of (labels, stack) ->
summed value must be equal; with --mean, each block's mean too.

Deliberate differences, checked rather than skipped:
- pprofc prints the file's samples one by one (as many blocks as pbread.py
  finds samples, in order, the JSON's values equal to the text's); pprof
  merges samples with the same locations and labels, drops samples whose
  values are all zero and samples without locations. So pprofc's blocks are
  summed per (labels, stack) before comparing, all-zero ones dropped, and its
  "[no stack]" blocks must be exactly the file's samples without locations;
- a location without lines is "0x<address>" in pprofc, "<unknown>" or
  "[binary]" in pprof's function view: those frames must line up.

usage: traces_diff.py PPROFC PROFILE"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support import pbread
from support.harness import _unit_flag, check, main, need, pprofc_cmd, run, sample_types

SEP = "-----------+-------------------------------------------------------"
FRAME = re.compile(r"^ *(\S*)   (.*)$")
FIRST_FRAME = re.compile(r"^ *-?[0-9.]+[a-zA-Z]*   \S")


def parse(text, what):
    """(header lines, [(label lines, value text, [frames])])."""
    parts = text.split(SEP + "\n")
    check(len(parts) >= 2 and parts[-1] == "", "%s: no final separator" % what)
    header = [l.rstrip() for l in parts[0].splitlines()]
    blocks = []
    for part in parts[1:-1]:
        labels, frames, value = [], [], None
        for line in part.splitlines():
            # The first frame line is "%10s   %s", a value then three
            # spaces; the label lines before it are "%10s:  %s".
            if not frames and not FIRST_FRAME.match(line):
                labels.append(line)
                continue
            m = FRAME.match(line)
            check(m, "%s: cannot parse %r" % (what, line))
            if not frames:
                value = m.group(1)
            frames.append(m.group(2))
        blocks.append((tuple(labels), value, frames))
    return header, blocks


def number(v, what):
    m = re.match(r"^(-?[0-9.]+)[a-zA-Z]*$", v)
    check(m, "%s: value %r" % (what, v))
    f = float(m.group(1))
    check(abs(f - round(f)) < 1e-6, "%s: fractional value %r" % (what, v))
    return int(round(f))


LINELESS_PPROF = re.compile(r"^(<unknown>|\[.*\])( \(inline\))?$")
LINELESS_MINE = re.compile(r"^0x[0-9a-f]+$")


def key_of(labels, frames, lineless):
    fr = []
    for i, f in enumerate(frames):
        fr.append("<lineless>" if i in lineless else f)
    return (labels, tuple(fr))


def mean_of(v, d):
    if d == 0:
        return v
    q = abs(v) // abs(d)
    return q if (v >= 0) == (d >= 0) else -q


def test():
    pprofc, path = pprofc_cmd(sys.argv[1]), sys.argv[2]
    need("go")
    file = pbread.read(path)
    types = sample_types(path)
    for i, (t, unit) in enumerate(types):
        flags = _unit_flag(unit)
        mine_flags = ["--unit", flags[0].split("=", 1)[1]] if flags else []
        rc, out, err = run(pprofc + ["traces", "--json", "--sample-index", str(i), path])
        check(rc == 0, "pprofc traces --json failed: %s" % err.decode())
        js = json.loads(out)["samples"]
        rc, out, err = run(pprofc + ["traces", "--sample-index", str(i)] + mine_flags + [path])
        check(rc == 0, "pprofc traces failed: %s" % err.decode())
        mine_header, mine = parse(out.decode(), "pprofc")
        check(len(mine) == len(js) == len(file["samples"]),
              "index %d: %d text blocks, %d JSON samples, the file has %d" % (
                  i, len(mine), len(js), len(file["samples"])))
        rc, out, err = run(["go", "tool", "pprof", "-traces", "-symbolize=none",
                            "-sample_index=%d" % i] + flags + [path])
        check(rc == 0, "go tool pprof -traces failed: %s" % err.decode())
        their_header, theirs = parse(out.decode(), "pprof")
        check(mine_header == their_header, "index %d: header %r, pprof's %r" % (
            i, mine_header, their_header))

        summed, nostack, zero = {}, 0, 0
        for (labels, value, frames), s, fs in zip(mine, js, file["samples"]):
            check(s["values"] == fs["values"], "JSON values %r, the file's %r" % (
                s["values"], fs["values"]))
            check(number(value, "pprofc") == s["value"], "text value %s, JSON %d" % (
                value, s["value"]))
            if not fs["locs"]:
                check(frames == ["[no stack]"] and s["stack"] == [],
                      "a sample without locations shows %r" % frames)
                nostack += 1
                continue
            if not any(fs["values"]):
                zero += 1
                continue
            names = [f["name"] + (" (inline)" if f.get("inline") else "") for f in s["stack"]]
            check(names == frames, "JSON stack %r, text %r" % (names, frames))
            lineless = {k for k, f in enumerate(frames) if LINELESS_MINE.match(f)}
            k = key_of(labels, frames, lineless)
            v, d = summed.get(k, (0, 0))
            summed[k] = (v + s["values"][i], d + s["values"][0])
        want = {}
        for labels, value, frames in theirs:
            lineless = {k for k, f in enumerate(frames) if LINELESS_PPROF.match(f)}
            k = key_of(labels, frames, lineless)
            want[k] = want.get(k, 0) + number(value, "pprof")
        got = {k: v for k, (v, _) in summed.items()}
        check(got == want, "index %d: blocks differ: only pprofc %s; only pprof %s; "
              "different %s" % (i, list(set(got) - set(want))[:2], list(set(want) - set(got))[:2],
                                [(k, got[k], want[k]) for k in got
                                 if k in want and got[k] != want[k]][:2]))
        print("index %d (%s): %d samples, %d pprof blocks agree (%d without locations, "
              "%d all zero)" % (i, t, len(mine), len(theirs), nostack, zero))

        # --mean: pprof divides each of its (merged) blocks by its first value.
        rc, out, err = run(pprofc + ["traces", "--mean", "--sample-index", str(i)] + mine_flags
                           + [path])
        check(rc == 0, "pprofc traces --mean failed: %s" % err.decode())
        mh, mm = parse(out.decode(), "pprofc --mean")
        rc, out, err = run(["go", "tool", "pprof", "-traces", "-mean", "-symbolize=none",
                            "-sample_index=%d" % i] + flags + [path])
        check(rc == 0, "go tool pprof -traces -mean failed: %s" % err.decode())
        th, tm = parse(out.decode(), "pprof -mean")
        check(mh == th, "index %d --mean: header %r, pprof's %r" % (i, mh, th))
        for (_, value, _), s in zip(mm, js):
            check(number(value, "pprofc") == mean_of(s["values"][i], s["values"][0]),
                  "--mean: block value %s for values %r" % (value, s["values"]))
        seen = {}
        for labels, value, frames in tm:
            lineless = {k for k, f in enumerate(frames) if LINELESS_PPROF.match(f)}
            k = key_of(labels, frames, lineless)
            seen.setdefault(k, []).append(number(value, "pprof"))
        compared = 0
        for k, vals in seen.items():
            if len(vals) == 1:  # one pprof block: the mean of pprofc's sums
                v, d = summed[k]
                check(vals[0] == mean_of(v, d), "--mean: pprof %d, expected %d/%d for %r" % (
                    vals[0], v, d, k[1][:3]))
                compared += 1
        print("index %d --mean: %d blocks agree" % (i, compared))
    print("%d sample indices agree with go tool pprof -traces" % len(types))


if __name__ == "__main__":
    main(test)
