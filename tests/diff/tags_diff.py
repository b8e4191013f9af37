#!/usr/bin/env python3
"""Differential test: pprofc tags against go tool pprof -tags on one
profile, at every sample index:

- the text is byte for byte pprof's, with the default scaling and with the
  sample type's base unit (-unit=ns / -unit=B);
- the JSON's integer sum for every (key, label) and every key's total equal
  the numbers pprof prints in the base unit (exact there: "%.1f" of whole
  nanoseconds, bytes or counts).

A profile without labels must print nothing, as pprof does.

Deliberate difference, checked: samples without locations count in pprofc
(pprof's focus filter drops them); their labels, read from the file itself
(pbread.py), are added to pprof's numbers, and the text is compared for the
keys they do not touch.

usage: tags_diff.py PPROFC PROFILE"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support import pbread
from support.harness import _unit_flag, check, main, need, pprofc_cmd, run, sample_types

KEY = re.compile(r"^ *(.*): Total (-?[0-9.]+)(\S*)$")
VALUE = re.compile(r"^ +(-?[0-9.]+)(\S*)(?: \( *[0-9.e+-]+%\))?: (.*)$")


def exact(num, unit, what):
    v = float(num)
    check(abs(v - round(v)) < 1e-6, "%s: pprof printed a fraction %s%s" % (what, num, unit))
    return int(round(v))


def parse_pprof(text):
    """{key: (total, {label: value})} from pprof's -tags text."""
    tags, key = {}, None
    for line in text.splitlines():
        if not line.strip():
            key = None
            continue
        if key is None:
            m = KEY.match(line)
            check(m, "cannot parse pprof key line %r" % line)
            key = m.group(1)
            check(key not in tags, "key %r twice" % key)
            tags[key] = (exact(m.group(2), m.group(3), key), {})
            continue
        m = VALUE.match(line)
        check(m, "cannot parse pprof value line %r" % line)
        tags[key][1][m.group(3)] = exact(m.group(1), m.group(2), key)
    return tags


def pprof_tags(path, index, flags):
    args = ["go", "tool", "pprof", "-tags", "-symbolize=none", "-sample_index=%d" % index] \
        + flags + [path]
    rc, out, err = run(args)
    check(rc == 0, "%s failed: %s" % (" ".join(args), err.decode()))
    return out


def blocks(text, skip):
    """The text's key blocks, but those of the keys in skip."""
    out = []
    for b in text.decode().split("\n\n"):
        m = KEY.match(b.split("\n", 1)[0])
        if not (m and m.group(1) in skip):
            out.append(b)
    return out


def test():
    pprofc, path = pprofc_cmd(sys.argv[1]), sys.argv[2]
    need("go")
    # Labelled samples without locations that pprof drops and pprofc counts.
    nostack = [s for s in pbread.read(path)["samples"]
               if not s["locs"] and any(s["values"]) and s["labels"]]
    for s in nostack:
        check(all(lab[1] is not None or (lab[2] == 0 and lab[3] is None) for lab in s["labels"]),
              "a numeric label on a sample without locations: the test cannot format it")
    skip = {lab[0] for s in nostack for lab in s["labels"] if lab[1] is not None}
    types = sample_types(path)
    for i, (t, unit) in enumerate(types):
        flags = _unit_flag(unit)
        mine_flags = ["--unit", flags[0].split("=", 1)[1]] if flags else []
        for pf, mf in (([], []), (flags, mine_flags)):
            rc, out, err = run(pprofc + ["tags", "--sample-index", str(i)] + mf + [path])
            check(rc == 0, "pprofc tags failed: %s" % err.decode())
            theirs = pprof_tags(path, i, pf)
            check(blocks(out, skip) == blocks(theirs, skip),
                  "index %d %s: text differs:\n--- pprofc\n%s\n--- pprof\n%s" % (
                      i, pf, out.decode()[:2000], theirs.decode()[:2000]))
        rc, out, err = run(pprofc + ["tags", "--json", "--sample-index", str(i)] + mine_flags
                           + [path])
        check(rc == 0, "pprofc tags --json failed: %s" % err.decode())
        mine = json.loads(out)
        check(mine["sample_type"] == t, "sample type %r, expected %r" % (mine["sample_type"], t))
        got = {k["key"]: (k["total"], {v["label"]: v["value"] for v in k["values"]})
               for k in mine["tags"]}
        for k in mine["tags"]:
            check(sum(v["value"] for v in k["values"]) == k["total"],
                  "key %r: values do not add up to the total" % k["key"])
        want = parse_pprof(pprof_tags(path, i, flags).decode())
        for smp in nostack:
            for key, sv, _, _ in smp["labels"]:
                if sv is None:
                    continue
                total, vals = want.get(key, (0, {}))
                vals[sv] = vals.get(sv, 0) + smp["values"][i]
                want[key] = (total + smp["values"][i], vals)
        check(got == want, "index %d: numbers differ:\n pprofc %s\n pprof  %s" % (
            i, sorted(got.items())[:3], sorted(want.items())[:3]))
        print("index %d (%s): %d keys, %d values agree (%d keys with samples without "
              "locations)" % (i, t, len(got), sum(len(v[1]) for v in got.values()), len(skip)))
    print("%d sample indices agree with go tool pprof -tags" % len(types))


if __name__ == "__main__":
    main(test)
