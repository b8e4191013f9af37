#!/usr/bin/env python3
"""Differential test of pprofc list against go tool pprof -list on one
profile: byte-identical output for functions picked from pprof's own top
rows (names escaped as a regular expression) and a broad pattern, with the
sources found three ways: the project's own (--trim-path pprofc.test
--source-path tests: the Go fixtures' service), Go's installed sources by
absolute path, and a search path that does not have them (pprof's error
lines). A pattern matching nothing is a usage error.

usage: list_diff.py PPROFC PROFILE"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import check, main, need, pprof_top, pprofc_cmd, run, sample_types

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUPS = [[], ["-trim_path=pprofc.test", "-source_path=" + TESTS],
          ["-source_path=/nonexistent:" + TESTS + "/goservice"],
          ["-unit=auto", "-trim_path=pprofc.test", "-source_path=" + TESTS],
          ["-focus=main", "-trim_path=pprofc.test", "-source_path=" + TESTS]]


def escape(name):
    return re.sub(r"([.\[\](){}*+?|^$\\])", r"\\\1", name) + "$"


def long_opts(flags):
    out = []
    for f in flags:
        k, v = f.lstrip("-").split("=", 1)
        out += ["--" + k.replace("_", "-"), v]
    return out


def test():
    pprofc, path = pprofc_cmd(sys.argv[1]), sys.argv[2]
    need("go")
    types = sample_types(path)
    check(types, "no sample types in %s" % path)
    index = len(types) - 1
    _, rows = pprof_top(path, index, types[index][1])
    names = [n for n in sorted(rows, key=lambda n: (-rows[n][1], n))
             if not n.startswith(("0x", "[", "<"))][:4]
    patterns = [escape(n) for n in names] + ["main\\."]
    compared = 0
    for rx in patterns:
        for setup in SETUPS:
            args = ["go", "tool", "pprof", "-symbolize=none", "-sample_index=%d" % index,
                    "-list", rx] + setup + [path]
            rc, want, err = run(args)
            if rc != 0:  # pprof found nothing: pprofc must refuse too
                rc2, out, err2 = run(pprofc + ["list", rx, "--sample-index", str(index)] +
                                     long_opts(setup) + [path])
                check(rc2 == 2 and not out, "list %s: pprof failed (%s), pprofc exit %d" % (
                    rx, err.decode().strip(), rc2))
                continue
            rc, out, err = run(pprofc + ["list", rx, "--sample-index", str(index)] +
                               long_opts(setup) + [path])
            check(rc == 0, "pprofc list %s failed: %s" % (rx, err.decode()))
            check(out == want, "list %s %s differs from pprof's:\n%s\n---\n%s" % (
                rx, setup, out.decode()[:600], want.decode()[:600]))
            compared += 1
    rc, out, err = run(pprofc + ["list", "^no such function$", path])
    check(rc == 2 and b"no function" in err and not out,
          "list with no match: exit %d, %r" % (rc, err))
    print("%d list outputs byte-identical (%s)" % (compared, ", ".join(patterns)))


if __name__ == "__main__":
    main(test)
