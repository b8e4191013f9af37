#!/usr/bin/env python3
"""pprofc's text reports with no flags against go tool pprof's: pprof's
trimming defaults (-nodefraction=0.005, -edgefraction=0.001, -nodecount=80
for -tree and -dot, none for -top, no trimming at all for -peek), its
"Dropped N nodes", "Showing top N nodes out of M" lines and top's
"(inline)" marks, byte for byte.

- top, tree, dot: `pprofc top|tree|to-dot FILE` must be exactly
  `go tool pprof -top|-tree|-dot FILE`.
- peek: `pprofc peek RE FILE` must be exactly `go tool pprof -peek=RE FILE`,
  RE matching the package (or, without one, the name) of the function with
  the largest flat value.
- top, tree: --json with no flags stays complete: the same as with
  --nodefraction 0 --edgefraction 0 --nodecount 0.

A profile with address-only frames or stackless samples is skipped (exit
77): pprofc names those differently on purpose (see top_json_diff.py).

usage: text_defaults_diff.py PPROFC FIXTURE top|tree|peek|dot"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import check, main, need, pprofc_cmd, run, skip, why_skip

REPORTS = ("top", "tree", "peek", "dot")
def escape(s):
    """A literal for both POSIX extended (pprofc) and RE2 (pprof)."""
    return re.sub(r"([.\[\](){}*+?|^$\\])", r"\\\1", s)


def peek_regex(pprofc, path):
    rc, out, err = run(pprofc + ["top", "--json", path])
    check(rc == 0, "pprofc top --json failed: %s" % err.decode())
    rows = json.loads(out)["rows"]
    check(rows, "no rows in %s" % path)
    name = rows[0]["name"]
    slash = name.rfind("/") + 1
    dot = name.find(".", slash)
    if dot > 0:
        return "^" + escape(name[:dot]) + r"\."
    return "^" + escape(name) + "$"


def pprof(args, path):
    args = ["go", "tool", "pprof", "-symbolize=none"] + args + [path]
    rc, out, err = run(args)
    check(rc == 0, "%s failed: %s" % (" ".join(args), err.decode()))
    return out


def first_difference(a, b):
    la, lb = a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines()
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return "line %d:\npprofc %r\npprof  %r" % (i + 1, x, y)
    return "pprofc %d lines, pprof %d lines" % (len(la), len(lb))


def test():
    pprofc, path, report = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[3]
    check(report in REPORTS, "report must be one of %s" % ", ".join(REPORTS))
    need("go")
    why = why_skip(pprofc, path)
    if why:
        skip("%s has %s" % (path, why))
    if report == "peek":
        rx = peek_regex(pprofc, path)
        mine_args, theirs_args = ["peek", rx], ["-peek=" + rx]
    elif report == "dot":
        mine_args, theirs_args = ["to-dot"], ["-dot"]
    else:
        mine_args, theirs_args = [report], ["-" + report]
    rc, mine, err = run(pprofc + mine_args + [path])
    check(rc == 0, "pprofc %s failed: %s" % (" ".join(mine_args), err.decode()))
    theirs = pprof(theirs_args, path)
    check(mine == theirs, "pprofc %s differs from go tool pprof %s: %s" % (
        " ".join(mine_args), " ".join(theirs_args), first_difference(mine, theirs)))
    if report in ("top", "tree"):
        rc, plain, err = run(pprofc + [report, "--json", path])
        check(rc == 0, "pprofc %s --json failed: %s" % (report, err.decode()))
        rc, whole, err = run(pprofc + [report, "--json", "--nodefraction", "0",
                                       "--nodecount", "0"] +
                             (["--edgefraction", "0"] if report == "tree" else []) + [path])
        check(rc == 0, "pprofc %s --json with no trimming failed: %s" % (report, err.decode()))
        check(plain == whole, "%s --json is trimmed by default" % report)
    lines = mine.decode(errors="replace").splitlines()
    print("%s: %d lines byte-identical%s" % (
        report, len(lines), "".join("; " + l for l in lines
                                    if l.startswith(("Dropped", "Showing top")))))


if __name__ == "__main__":
    main(test)
