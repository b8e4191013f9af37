#!/usr/bin/env python3
"""Hostile names never break an output's structure: a 1 MB name, ';',
newlines, carriage returns, escape sequences, tabs, invalid UTF-8, an empty
name and a name ending in " 123", in function names and file names. Each
output is read back by its real consumer or its grammar.

usage: hostile_test.py PPROFC"""
import json
import os
import re
import sys
import tempfile

from harness import check, main, pprofc_cmd, run
from pbgen import gz, profile

NAMES = [b"A" * (1 << 20), b"semi;colon", b"new\nline", b"cr\rhere", b"esc\x1b[31mred",
         b"tab\there", b"bad\xff\xfeutf8", b"", b"ends in 123", b"main.ok"]


def hostile_profile():
    strings = ["", "samples", "count", "cpu", "nanoseconds"] + NAMES + [b"dir/with\nnewline.go"]
    first = 5
    fileidx = first + len(NAMES)
    functions = [(i + 1, first + i, fileidx) for i in range(len(NAMES))]
    locations = [(i + 1, [(i + 1, 10 + i)]) for i in range(len(NAMES))]
    n = len(NAMES)
    # every function as a leaf under main.ok, and a chain through all of them
    samples = [([i + 1, n], [1, 10 * (i + 1)]) for i in range(n - 1)]
    # hostile label keys and values too: string, numeric with a hostile
    # unit, and extreme numbers
    labels = [(first + 2, first + 5, 0, 0), (first + 2, first + 6, 0, 0),
              (first, 0, -(1 << 63), first + 6), (first + 4, 0, (1 << 63) - 1, 0)]
    samples.append((list(range(1, n + 1)), [2, 1000], labels))
    return profile(strings=strings, functions=functions, locations=locations, samples=samples)


def test():
    pprofc = pprofc_cmd(sys.argv[1])
    data = gz(hostile_profile())
    total = sum(10 * (i + 1) for i in range(len(NAMES) - 1)) + 1000
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "hostile.pb.gz")
        open(src, "wb").write(data)

        rc, out, err = run(pprofc + ["to-folded", src])
        check(rc == 0, err)
        lines = out.split(b"\n")
        check(lines[-1] == b"", "no final newline")
        lines = lines[:-1]
        check(len(lines) == len(NAMES), "%d folded lines for %d stacks" % (len(lines), len(NAMES)))
        s = 0
        for line in lines:
            m = re.match(rb"^([^\r\n]+) (\d+)$", line)
            check(m, "bad folded line %r" % line[:80])
            for frame in m.group(1).split(b";"):
                check(frame and not re.search(rb" \d+$", frame), "frame %r" % frame[:80])
                check(not re.search(rb"[\x00-\x1f\x7f]", frame), "control byte in %r" % frame[:80])
            s += int(m.group(2))
        check(s == total, "folded sum %d, total %d" % (s, total))

        rc, out, err = run(pprofc + ["top", src])
        check(rc == 0, err)
        check(not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", out), "control byte in top")
        rows = out.split(b"flat%   sum%        cum   cum%\n", 1)[1].splitlines()
        rc, js, err = run(pprofc + ["top", "--json", src])
        check(rc == 0, err)
        doc = json.loads(js.decode("utf-8"))  # strict: valid UTF-8 and JSON
        check(len(rows) == len(doc["rows"]), "%d text rows, %d JSON rows" % (len(rows), len(doc["rows"])))
        names = {r["name"] for r in doc["rows"]}
        check("new\nline" in names and "bad\ufffd\ufffdutf8" in names and "A" * (1 << 20) in names,
              "JSON names not preserved")

        cg = os.path.join(tmp, "callgrind.out")
        rc, _, err = run(pprofc + ["to-callgrind", "-o", cg, src])
        check(rc == 0, err)
        body = open(cg, "rb").read()
        check(not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", body), "control byte in callgrind")
        rc, out, err = run(["callgrind_annotate", "--auto=no", "--threshold=100", cg])
        check(rc == 0 and not err, "callgrind_annotate: %r" % err[:300])
        m = re.search(rb"^\s*([\d,]+) .*PROGRAM TOTALS", out, re.M)
        check(m and int(m.group(1).replace(b",", b"")) == total, "PROGRAM TOTALS %r" % (m and m.group(1)))
        for args in (["tags"], ["traces"], ["raw"], ["comments"], ["tags", "--unit", "ms"],
                     ["traces", "--mean"]):
            rc, out, err = run(pprofc + args + [src])
            check(rc == 0, "%s: %r" % (args, err))
            check(not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", out), "control byte in %s" % args)
        rc, out, err = run(pprofc + ["traces", src])
        check(out.count(b"-----------+") == len(NAMES) + 1, "traces: one block per sample")
        for args in (["tags", "--json"], ["traces", "--json"]):
            rc, out, err = run(pprofc + args + [src])
            check(rc == 0, "%s: %r" % (args, err))
            doc = json.loads(out.decode("utf-8"))
            check(doc, args)
        check(len(json.loads(run(pprofc + ["tags", "--json", src])[1])["tags"]) == 3,
              "tags: three keys")
        print("%d names: folded, top, JSON, callgrind, tags, traces, raw keep their structure"
              % len(NAMES))


if __name__ == "__main__":
    main(test)
