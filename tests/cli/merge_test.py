#!/usr/bin/env python3
"""Several sources and comparisons, checked against go tool pprof on the
same files and against pprofc's own reports of each file alone.

- file-*: `pprofc merge -o F A B`: go tool pprof reads F exactly as its own
  merge of A and B (-raw and -top byte for byte);
- raw-*: `pprofc raw A B` prints what `go tool pprof -raw A B` prints: the
  same merged samples, locations, ids and mappings (pprof adds a fake
  mapping to profiles that have none, and prints no function table);
- sums: every function's flat and cum in A+B are its values in A plus B;
- top-*: --base, --diff-base, --normalize: pprofc top --json equals go tool
  pprof -top -base/-diff_base/-normalize, total and every row, at each index;
- self-base: a profile minus itself is empty (no rows, no folded lines);
- folded-diff: to-folded --diff-base B A writes "stack BEFORE AFTER", and
  BEFORE/AFTER are B's and A's own folded values, stack by stack;
- incompatible, keep-going, missing: the errors: one line, exit 1, no output.

usage: merge_test.py PPROFC FIXTURES_DIR CORPUS_DIR --list | --case NAME"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import (TestFailure, check, need, pprof_top_args, pprofc_cmd, run,
                             sample_types)

FIX = {}
PAIRS = {  # name: (A, B), B the second source or the base
    "cpu-cpu": ("cpu", "cpu"),
    "heap-allocs": ("heap", "allocs"),
    "mutex-block": ("mutex", "block"),
    "goroutine-goroutine": ("goroutine", "goroutine"),
    "node-time": ("node-time", "node-time"),
    "node-heap": ("node-heap", "node-heap"),
    "cpu-large": ("cpu", "corpus-large.cpu"),
}
CASES = (["raw-" + p for p in PAIRS] + ["file-" + p for p in PAIRS] + ["sums"] +
         ["top-base-mutex-block", "top-diff-base-mutex-block", "top-diff-base-cpu-large",
          "top-base-normalize-cpu-large", "top-diff-base-normalize-mutex-block",
          "self-base", "folded-diff", "incompatible", "keep-going", "missing"])
# The cases that run pprofc alone; the others compare with go tool pprof.
PPROFC_ONLY = {"self-base", "incompatible", "keep-going", "missing"}


def raw_sections(text):
    """(header..locations, mappings) of -raw output, functions left out."""
    text = re.split(r"\nFunctions(?:\n|$)", text)[0]
    parts = re.split(r"\nMappings(?:\n|$)", text, maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def case_raw(pprofc, name):
    a, b = (FIX[x] for x in PAIRS[name])
    rc, mine, err = run(pprofc + ["raw", a, b])
    check(rc == 0, "pprofc raw: %s" % err.decode())
    rc, theirs, err = run(["go", "tool", "pprof", "-raw", "-symbolize=none", a, b])
    check(rc == 0, "go tool pprof -raw: %s" % err.decode())
    mh, mm = raw_sections(mine.decode())
    th, tm = raw_sections(theirs.decode())
    if not mm.strip() and tm.strip() == "1: 0x0/0x0/0x0":
        # pprof gives a profile without mappings a fake one to symbolize
        th = re.sub(r"(?m)^( +\d+: 0x[0-9a-f]+) M=1 ", r"\1 ", th)
        tm = ""
    check(mh == th, "merged samples/locations differ from pprof's:\n%s" % first_diff(mh, th))
    check(mm.strip() == tm.strip(), "mappings differ: %r vs %r" % (mm[:200], tm[:200]))
    nsamples = mh.split("\nLocations\n")[0].count("\n")
    print("%s: %d lines of samples and locations equal pprof's" % (name, nsamples))


def case_file(pprofc, name):
    """pprofc merge A B -o F: go tool pprof reads F as it reads A and B
    merged by itself, -raw and -top byte for byte."""
    a, b = (FIX[x] for x in PAIRS[name])
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "merged.pb.gz")
        rc, _, err = run(pprofc + ["merge", "-o", out, a, b])
        check(rc == 0, "pprofc merge: %s" % err.decode())
        for flags in (["-raw"], ["-top"]):
            rc, mine, err = run(["go", "tool", "pprof", "-symbolize=none"] + flags + [out])
            check(rc == 0, "go tool pprof %s merged: %s" % (flags, err.decode()))
            rc, theirs, err = run(["go", "tool", "pprof", "-symbolize=none"] + flags + [a, b])
            check(rc == 0, "go tool pprof %s A B: %s" % (flags, err.decode()))
            check(mine == theirs, "%s of pprofc's merged file differs from pprof's merge:\n%s"
                  % (flags, first_diff(mine.decode(), theirs.decode())))
        print("%s: pprofc's merged file reads as go tool pprof's own merge (-raw, -top; %d bytes)"
              % (name, os.path.getsize(out)))


def first_diff(x, y):
    for i, (l1, l2) in enumerate(zip(x.splitlines(), y.splitlines())):
        if l1 != l2:
            return "line %d: %r vs pprof's %r" % (i + 1, l1, l2)
    return "lengths %d vs %d lines" % (len(x.splitlines()), len(y.splitlines()))


def top_json(pprofc, args):
    rc, out, err = run(pprofc + ["top", "--json"] + args)
    check(rc == 0, "pprofc top %s: %s" % (args, err.decode()))
    j = json.loads(out)
    return j["total"], {r["name"]: (r["flat"], r["cum"]) for r in j["rows"]}


def named(rows):
    return {n: v for n, v in rows.items()
            if not n.startswith("0x") and n != "[no stack]" and n != "<unknown>"
            and not (n.startswith("[") and n.endswith("]"))}


def case_sums(pprofc):
    n = 0
    for name in PAIRS:
        a, b = (FIX[x] for x in PAIRS[name])
        for i in range(len(sample_types(a))):
            idx = ["--sample-index", str(i)]
            ta, ra = top_json(pprofc, idx + [a])
            tb, rb = top_json(pprofc, idx + [b])
            tm, rm = top_json(pprofc, idx + [a, b])
            check(tm == ta + tb, "%s index %d: total %d, expected %d + %d" % (name, i, tm, ta, tb))
            want = {}
            for rows in (ra, rb):
                for k, (f, c) in rows.items():
                    w = want.get(k, (0, 0))
                    want[k] = (w[0] + f, w[1] + c)
            want = {k: v for k, v in want.items() if v != (0, 0)}
            check(rm == want, "%s index %d: merged rows are not the sums: %s" % (
                name, i, [(k, rm.get(k), want.get(k)) for k in set(rm) | set(want)
                          if rm.get(k) != want.get(k)][:4]))
            n += len(rm)
    print("%d merged rows are the sums of their sources'" % n)


def compare_top(pprofc, src, base, how, normalize):
    types = sample_types(FIX[src])
    flag = {"base": "base", "diff-base": "diff_base"}[how]
    for i, (_, unit) in enumerate(types):
        mine_args = ["--sample-index", str(i), "--" + how, FIX[base]] + \
            (["--normalize"] if normalize else []) + [FIX[src]]
        go_args = ["-sample_index=%d" % i, "-" + flag, FIX[base]] + \
            (["-normalize"] if normalize else []) + [FIX[src]]
        mt, mr = top_json(pprofc, mine_args)
        gt, gr = pprof_top_args(go_args, unit)
        check(mt == gt, "index %d: total %d, pprof %d" % (i, mt, gt))
        mn, gn = named(mr), named(gr)
        check(mn == gn, "index %d: rows differ: %s" % (i, [
            (k, mn.get(k), gn.get(k)) for k in set(mn) | set(gn) if mn.get(k) != gn.get(k)][:4]))
        neg = sum(1 for v in mn.values() if v[0] < 0 or v[1] < 0)
        check(mn and neg and any(v[0] > 0 for v in mn.values()),
              "index %d: expected rows that grew and rows that shrank: %d rows" % (i, len(mn)))
        print("index %d: total %d and %d rows (%d negative) equal pprof's" % (
            i, mt, len(mn), neg))


def case_self_base(pprofc):
    for name in ("cpu", "heap", "node-time"):
        for how in ("--base", "--diff-base"):
            total, rows = top_json(pprofc, [how, FIX[name], FIX[name]])
            check(rows == {}, "%s %s itself: rows %r" % (how, name, list(rows.items())[:3]))
            rc, out, err = run(pprofc + ["to-folded", how, FIX[name], FIX[name]])
            check(rc == 0, err.decode())
            if how == "--base":
                check(out == b"", "--base %s itself: folded %r" % (name, out[:100]))
                continue
            # the differential form: every stack as much before as after
            lines = out.decode().splitlines()
            check(lines, "--diff-base %s itself: no folded lines" % name)
            for line in lines:
                m = re.match(r"^.* (\d+) (\d+)$", line)
                check(m and m.group(1) == m.group(2), "--diff-base itself: %r" % line)
        _, alone = top_json(pprofc, [FIX[name]])
        check(alone, "%s has no rows by itself" % name)
    print("a profile minus itself is empty, by --base and --diff-base")


def folded(pprofc, args):
    rc, out, err = run(pprofc + ["to-folded"] + args)
    check(rc == 0, "to-folded %s: %s" % (args, err.decode()))
    return out.decode().splitlines()


def case_folded_diff(pprofc):
    both = 0
    for src, base in (("cpu", "corpus-large.cpu"), ("mutex", "block"), ("heap", "allocs")):
      for idx in range(len(sample_types(FIX[src]))):
        ix = ["--sample-index", str(idx)]
        a = {}
        for line in folded(pprofc, ix + [FIX[src]]):
            s, v = line.rsplit(" ", 1)
            a[s] = int(v)
        b = {}
        for line in folded(pprofc, ix + [FIX[base]]):
            s, v = line.rsplit(" ", 1)
            b[s] = int(v)
        got = {}
        for line in folded(pprofc, ix + ["--diff-base", FIX[base], FIX[src]]):
            m = re.match(r"^(.*) (-?\d+) (-?\d+)$", line)
            check(m, "not the two-count form: %r" % line)
            check(m.group(1) not in got, "stack twice: %r" % m.group(1))
            got[m.group(1)] = (int(m.group(2)), int(m.group(3)))
        want = {s: (b.get(s, 0), a.get(s, 0)) for s in set(a) | set(b)}
        check(got == want, "%s vs %s: %s" % (src, base, [
            (s, got.get(s), want.get(s)) for s in set(got) | set(want)
            if got.get(s) != want.get(s)][:3]))
        both += sum(1 for v in got.values() if v[0] and v[1])
        print("%s vs %s index %d: %d stacks, before and after are each file's values" % (
            src, base, idx, len(got)))
    check(both, "no stack with both a before and an after value")


def one_error(pprofc, args, words, code=1):
    rc, out, err = run(pprofc + args)
    lines = err.decode().splitlines()
    check(rc == code, "%s: exit %d, expected %d: %r" % (args, rc, code, lines))
    check(out == b"", "%s: wrote %r" % (args, out[:80]))
    check(len(lines) >= 1 and all(l.startswith("pprofc: ") for l in lines), lines)
    check(any(words in l for l in lines), "%r lacks %r" % (lines, words))
    return lines


def case_incompatible(pprofc):
    with tempfile.TemporaryDirectory() as tmp:
        o = os.path.join(tmp, "out.txt")
        lines = one_error(pprofc, ["top", "-o", o, FIX["cpu"], FIX["heap"]],
                          "cannot merge '%s' with '%s': incompatible" % (
                              FIX["heap"], FIX["cpu"]))
        check(len(lines) == 1, lines)
        check(not os.listdir(tmp), "left %s" % os.listdir(tmp))
        one_error(pprofc, ["top", "--base", FIX["heap"], FIX["cpu"]],
                  "cannot compare with the base profile: incompatible")
        one_error(pprofc, ["top", FIX["heap"], FIX["allocs"], FIX["mutex"]],
                  "cannot merge '%s' with '%s': incompatible period types" % (
                      FIX["mutex"], FIX["heap"]))
    print(lines[0])


def case_keep_going(pprofc):
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "broken.pb.gz")
        with open(FIX["cpu"], "rb") as f:
            open(bad, "wb").write(f.read()[:100])
        lines = one_error(pprofc, ["top", FIX["cpu"], bad, FIX["cpu"]], "unexpected end")
        check(len(lines) == 2 and "1 of 3 sources could not be read" in lines[1], lines)
        rc, out, err = run(pprofc + ["top", "--json", "--keep-going", FIX["cpu"], bad, FIX["cpu"]])
        check(rc == 0, err.decode())
        lines = err.decode().splitlines()
        check(len(lines) == 2 and "warning: read 2 of 3 sources" in lines[1], lines)
        total, _ = top_json(pprofc, [FIX["cpu"], FIX["cpu"]])
        check(json.loads(out)["total"] == total, "keep-going total is not the 2 good ones'")
        lines = one_error(pprofc, ["top", "--keep-going", bad, bad], "none of the 2 sources")
    print("without --keep-going: %d lines, exit 1; with it: the rest merged" % len(lines))


def case_missing(pprofc):
    lines = one_error(pprofc, ["top", FIX["cpu"], "/nonexistent/x.pb.gz"], "cannot read")
    check(len(lines) == 2, lines)
    one_error(pprofc, ["top", "--diff-base", "/nonexistent/x.pb.gz", FIX["cpu"]], "cannot read")
    print(lines)


def main():
    if sys.argv[4] == "--list":
        print("\n".join(CASES))
        return
    pprofc, fixtures, corpus, name = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[5]
    if name not in PPROFC_ONLY:
        need("go")
    for f in os.listdir(fixtures):
        if f.endswith(".pb.gz"):
            FIX[f[:-6]] = os.path.join(fixtures, f)
    FIX["corpus-large.cpu"] = os.path.join(corpus, "large.cpu.pb.gz")
    try:
        if name.startswith("raw-"):
            case_raw(pprofc, name[4:])
        elif name.startswith("file-"):
            case_file(pprofc, name[5:])
        elif name.startswith("top-"):
            m = re.match(r"top-(base|diff-base)(-normalize)?-(.*)$", name)
            src, base = PAIRS[m.group(3)] if m.group(3) in PAIRS else \
                {"cpu-large": ("cpu", "corpus-large.cpu")}[m.group(3)]
            compare_top(pprofc, src, base, m.group(1), bool(m.group(2)))
        else:
            globals()["case_" + name.replace("-", "_")](pprofc)
    except TestFailure as e:
        print("FAIL:", e)
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
