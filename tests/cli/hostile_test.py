#!/usr/bin/env python3
"""Hostile names never break an output's structure: a 1 MB name, ';',
newlines, carriage returns, escape sequences, tabs, invalid UTF-8, an empty
name and a name ending in " 123", in function names and file names. Each
output is read back by its real consumer or its grammar. Then what would
steer a terminal beyond C0 bytes (C1 controls, bidi overrides) in names,
in listed source lines, and in a merge's message: escaped, letters kept.

usage: hostile_test.py PPROFC"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import TestFailure, check, main, need, pprofc_cmd, run
from support.hostile import NAMES, hostile_profile
from support.pbgen import STRINGS, gz, lfield, profile, value_type


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


# Characters that steer a terminal or reorder the text after them without
# being C0 bytes: C1 controls (raw, and as UTF-8) and bidi overrides and
# isolates; each with the form the reports show it in.
SNEAKY = [(b"rlo\xe2\x80\xaeevil", b"rlo\\u202eevil"), (b"csi\x9b31m", b"csi\\x9b31m"),
          (b"c1\xc2\x9b31m", b"c1\\u009b31m"), (b"nel\xc2\x85x", b"nel\\u0085x"),
          (b"lre\xe2\x80\xaax", b"lre\\u202ax"),
          (b"lri\xe2\x81\xa6x\xe2\x81\xa9", b"lri\\u2066x\\u2069")]
KEPT = "caf\u00e9.\u65e5\u672c".encode()  # valid UTF-8 letters stay as they are
# (tabs and newlines are the reports' own: tree's header has tabs)
STEERING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_steering(what, out):
    try:
        text = out.decode("utf-8")  # strict: a raw 0x9b fails here
    except UnicodeDecodeError as e:
        raise TestFailure("%s: not UTF-8 (%s): %r"
                          % (what, e, out[max(0, e.start - 40):e.end + 40]))
    m = STEERING.search(text)
    check(not m, "%s: %r unescaped: %r" % (what, m and m.group(), text[:300]))


def test_c1_and_bidi_names(pprofc, tmp):
    names = [raw for raw, _ in SNEAKY] + [KEPT]
    strings = ["", "samples", "count", "cpu", "nanoseconds", "f.go"] + names
    functions = [(i + 1, 6 + i, 5) for i in range(len(names))]
    locations = [(i + 1, [(i + 1, 10 + i)]) for i in range(len(names))]
    samples = [([i + 1, len(names)], [1, 10 * (i + 1)]) for i in range(len(names) - 1)]
    src = os.path.join(tmp, "sneaky.pb.gz")
    open(src, "wb").write(gz(profile(strings=strings, functions=functions, locations=locations,
                                     samples=samples)))
    outfile = os.path.join(tmp, "top.txt")
    for args in (["top"], ["traces"], ["tree"], ["top", "-o", outfile]):
        rc, out, err = run(pprofc + args + [src])
        check(rc == 0, "%s: %r" % (args, err))
        if "-o" in args:  # in a file as on a terminal
            out = open(outfile, "rb").read()
        check_steering(" ".join(args), out)
        for raw, shown in SNEAKY:
            check(shown in out, "%s: %r not shown as %r" % (args, raw, shown))
        check(KEPT in out, "%s: %r not kept: %r" % (args, KEPT, out[:300]))
    print("C1 and bidi controls escaped in top, traces, tree, top -o; %r kept"
          % KEPT.decode())


def test_list_source_controls(pprofc, tmp):
    strings = ["", "samples", "count", "cpu", "nanoseconds", "main.ctl", "ctl.go"]
    src = os.path.join(tmp, "ctl.pb.gz")
    open(src, "wb").write(gz(profile(strings=strings, functions=((1, 5, 6),),
                                     locations=((1, [(1, 4)]), (2, [(1, 5)])),
                                     samples=(([1], [1, 10]), ([2], [2, 20])))))
    os.mkdir(os.path.join(tmp, "srcdir"))
    open(os.path.join(tmp, "srcdir", "ctl.go"), "wb").write(
        b"package main\n\nfunc ctl() {\n\tx := \"\x00\x1b[2J\x07\" // \xe2\x80\xae\xc2\x9b\x9b\r\n"
        b"\tfor {\x7f}\r\r\n\ty := \"caf\xc3\xa9\"\n}\n")
    rc, out, err = run(pprofc + ["list", "ctl", "--source-path", os.path.join(tmp, "srcdir"), src])
    check(rc == 0, err)
    lines = out.split(b"\n")
    # tabs as they are, a CR ending the line (CRLF) too; every other control escaped
    for want in (b'     4:\tx := "\\x00\\x1b[2J\\x07" // \\u202e\\u009b\\x9b\r',
                 b"     5:\tfor {\\x7f}\\x0d\r", b'     6:\ty := "caf\xc3\xa9"', b"     7:}"):
        check(any(line.endswith(want) for line in lines), "list: no line ending in %r: %r"
              % (want, lines))
    check_steering("list", out.replace(b"\r\n", b"\n"))
    print("list: NUL, ESC, BEL, DEL, lone CR, C1 and bidi in source lines escaped, tabs kept")


def test_merge_period_type_message(pprofc, tmp):
    strings = STRINGS + [b"cpu\x1b[31m\x07\nX", b"wall\xe2\x80\xae\xc2\x9b"]
    paths = []
    for i, t in enumerate((len(STRINGS), len(STRINGS) + 1)):
        paths.append(os.path.join(tmp, "period%d.pb.gz" % i))
        open(paths[-1], "wb").write(gz(profile(strings=strings,
                                               extra=lfield(11, value_type(t, 4)))))
    rc, out, err = run(pprofc + ["top", "-q"] + paths)
    lines = err.split(b"\n")
    check(rc == 1 and len(lines) == 2 and lines[1] == b"", "merge: exit %d, %r" % (rc, err))
    check_steering("merge message", lines[0])
    check(b"incompatible period types cpu\\x1b[31m\\x07\\x0aX/nanoseconds and "
          b"wall\\u202e\\u009b/nanoseconds" in lines[0], "merge: %r" % lines[0])
    print("incompatible period types: the profiles' names escaped")


def test_all():
    need("callgrind_annotate")  # reads the callgrind output
    test()
    with tempfile.TemporaryDirectory() as tmp:
        pprofc = pprofc_cmd(sys.argv[1])
        test_c1_and_bidi_names(pprofc, tmp)
        test_list_source_controls(pprofc, tmp)
        test_merge_period_type_message(pprofc, tmp)


if __name__ == "__main__":
    main(test_all)
