#!/usr/bin/env python3
"""callgrind output checked by its real reader: callgrind_annotate (from
valgrind) must read pprofc's file without a warning, its PROGRAM TOTALS must
equal the profile's total, and each function's self cost must equal its
flat value in pprofc top (itself checked against go tool pprof). Every
sample index is tried, so each event ordering is read once.

usage: callgrind_check.py PPROFC PROFILE"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import check, main, need, pprofc_cmd, run, sample_types


def annotate(path, extra=()):
    rc, out, err = run(["callgrind_annotate", "--threshold=100", "--inclusive=no", "--auto=no"] +
                       list(extra) + [path])
    check(rc == 0, "callgrind_annotate failed: %s" % err.decode())
    check(not err.strip(), "callgrind_annotate warned: %s" % err.decode()[:500])
    text = out.decode()
    check("warning" not in text.lower(), "callgrind_annotate printed a warning")
    return text


_COL = re.compile(r"\s*(-?[0-9,]+|\.)(?: \(\s*[^)]*\))?")


def parse_line(line, nevents):
    """First column's value and the label after the event columns."""
    pos, first = 0, None
    for i in range(nevents):
        m = _COL.match(line, pos)
        if not m:
            return None, None
        if i == 0:
            first = 0 if m.group(1) == "." else int(m.group(1).replace(",", ""))
        pos = m.end()
    return first, line[pos:].strip()


def parse_rows(text, nevents):
    total = None
    rows = []
    for line in text.splitlines():
        value, label = parse_line(line, nevents)
        if value is None or not label:
            continue
        if label == "PROGRAM TOTALS":
            total = value
        elif total is not None and ":" in label:
            rows.append((value, label))
    check(total is not None, "no PROGRAM TOTALS in callgrind_annotate output")
    return total, rows


def test():
    pprofc, path = pprofc_cmd(sys.argv[1]), sys.argv[2]
    need("go", "callgrind_annotate")
    types = sample_types(path)
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(len(types)):
            out = os.path.join(tmp, "callgrind.out.%d" % index)
            rc, _, err = run(pprofc + ["to-callgrind", "--sample-index", str(index), "-o", out,
                              path])
            check(rc == 0, "pprofc to-callgrind failed: %s" % err.decode())
            with open(out, "rb") as f:
                data = f.read()
            events = re.search(rb"^events: (.*)$", data, re.M).group(1).split()
            check(len(events) == len(types), "events: %r for %d sample types" % (events, len(types)))
            want = ("%s_%s" % types[index]).encode()
            check(events[0] == re.sub(rb"[^A-Za-z0-9_]", b"_", want),
                  "first event %r, expected the selected type %r" % (events[0], want))
            check(b"calls=0 " not in data, "a calls=0 line")

            rc, top, err = run(pprofc + ["top", "--json", "--sample-index", str(index), path])
            check(rc == 0, "pprofc top failed: %s" % err.decode())
            top = json.loads(top)
            flat = {r["name"]: r["flat"] for r in top["rows"]}
            sign_total = sum(r["flat"] for r in top["rows"])

            total, rows = parse_rows(annotate(out), len(events))
            check(total == sign_total,
                  "index %d: PROGRAM TOTALS %d, profile total %d" % (index, total, sign_total))
            # Rows are "file:function"; files and functions may hold ':'
            # themselves, so try each split, the longest name first.
            self_cost = {}
            for cost, label in rows:
                name = next((label[i + 1:] for i in range(len(label))
                             if label[i] == ":" and label[i + 1:] in flat), None)
                if name is None and cost == 0:
                    continue  # a function with cost in other events only
                check(name is not None, "unknown function in callgrind_annotate: %r" % label)
                self_cost[name] = self_cost.get(name, 0) + cost
            for name, v in flat.items():
                check(self_cost.get(name, 0) == v,
                      "index %d: %r self %d in callgrind, flat %d" % (
                          index, name, self_cost.get(name, 0), v))
            print("index %d: totals %d, %d functions agree" % (index, total, len(flat)))


if __name__ == "__main__":
    main(test)
