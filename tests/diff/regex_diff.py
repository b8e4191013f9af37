#!/usr/bin/env python3
"""Differential test of pprof's regular expressions (Go's RE2 syntax): the
patterns pprof users write, with \\d, \\w, \\b, \\pL, (?i), non-greedy *?,
alternation and [[:alpha:]], must select what go tool pprof selects.

  top    (the case regex-top of top_json_diff.py) --focus P, and one RE2
         pattern for each other filter option: total and every row's flat
         and cum as pprof's -top;
  peek   pprofc peek P byte for byte as pprof's -peek;
  list   pprofc list P byte for byte as pprof's -list (the project's
         sources), or both refuse when nothing matches;
  usage  a pattern RE2 and PCRE2 reject is a usage error (exit 2) with one
         line naming it, for the filters before the source is even opened;
         pprof rejects it too.
On each fixture, some pattern only RE2 reads as meant (\\d, (?i), \\pL)
must select something, or the test proves nothing.

usage: regex_diff.py PPROFC PROFILE peek|list|usage"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from diff.list_diff import long_opts as list_opts
from diff.top_json_diff import default_index, re2_only
from diff.tree_diff import pprof_tree
from support.harness import check, main, need, pprofc_cmd, run

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PEEK = [r"\.func\d+$", r"(?i)^main\.(FIB|mix)$", r"main\.build\w+", r"^\w+\.m\w*?c$"]
LIST = [r"(?i)^main\.FIB$", r"main\.\w+Tree$", r"main\.build\w+$", r"(?i)^MAIN\.MAIN$"]
# Rejected by RE2 and PCRE2 alike (a** by RE2 only as nested repetition,
# which POSIX ERE accepted).
BAD = ["a[", "(?<", "a**", r"x\p{Foo}"]
SOURCES = ["-trim_path=pprofc.test", "-source_path=" + TESTS]


def case_peek(pprofc, path):
    index, types = default_index(pprofc, path)
    unit = types[index][1]
    proof = 0
    for rx in PEEK:
        rc, text, err = run(pprofc + ["peek", rx, "--sample-index", str(index), path])
        args = ["go", "tool", "pprof", "-symbolize=none", "-nodefraction=0", "-edgefraction=0",
                "-nodecount=0", "-sample_index=%d" % index, "-peek", rx, path]
        prc, _, _ = run(args)
        if prc != 0:  # pprof found nothing: pprofc must refuse too
            check(rc == 2 and not text, "peek %s: pprof failed, pprofc exit %d (%s)" % (
                rx, rc, err.decode()))
            print("peek %s: matches nothing in both" % rx)
            continue
        check(rc == 0, "pprofc peek %s failed: %s" % (rx, err.decode()))
        want = pprof_tree(path, index, unit, ["-peek", rx])
        check(text == want, "peek %s differs from pprof's:\n%s\n---\n%s" % (
            rx, text.decode(), want.decode()))
        shown = text.count(b"                | ")
        proof += shown > 0 and re2_only(rx)
        print("peek %s: %d functions, byte-identical" % (rx, shown))
    return proof


def case_list(pprofc, path):
    index, _ = default_index(pprofc, path)
    proof = 0
    for rx in LIST:
        args = ["go", "tool", "pprof", "-symbolize=none", "-sample_index=%d" % index,
                "-list", rx] + SOURCES + [path]
        prc, want, perr = run(args)
        rc, out, err = run(pprofc + ["list", rx, "--sample-index", str(index)] +
                           list_opts(SOURCES) + [path])
        if prc != 0:
            check(rc == 2 and not out, "list %s: pprof failed (%s), pprofc exit %d %s" % (
                rx, perr.decode().strip(), rc, err.decode()))
            print("list %s: matches nothing in both" % rx)
            continue
        check(rc == 0, "pprofc list %s failed: %s" % (rx, err.decode()))
        check(out == want, "list %s differs from pprof's:\n%s\n---\n%s" % (
            rx, out.decode(), want.decode()))
        routines = [l for l in out.decode().splitlines() if l.startswith("ROUTINE ")]
        proof += bool(routines) and re2_only(rx)
        print("list %s: %d routines, byte-identical" % (rx, len(routines)))
    return proof


def one_line_naming(rx, rc, out, err, what):
    lines = err.decode().splitlines()
    check(rc == 2 and not out, "%s %r: exit %d, expected 2 (stderr %r)" % (what, rx, rc, err))
    check(len(lines) == 1 and "regular expression '%s'" % rx in lines[0],
          "%s %r: stderr %r" % (what, rx, err))


def case_usage(pprofc, path):
    missing = os.path.join(TESTS, "no-such-profile.pb.gz")
    for rx in BAD:
        prc, _, _ = run(["go", "tool", "pprof", "-top", "-symbolize=none", "-focus=" + rx, path])
        check(prc != 0, "go tool pprof accepts -focus=%s: not a case of bad syntax" % rx)
        # before anything is loaded: the source does not even exist
        for opt in ("--focus", "--ignore", "--hide", "--show", "--show-from",
                    "--prune-from", "--tagshow", "--taghide"):
            rc, out, err = run(pprofc + ["top", opt, rx, missing])
            one_line_naming(rx, rc, out, err, "top " + opt)
        rc, out, err = run(pprofc + ["top", "--tagfocus", "key=" + rx, missing])
        one_line_naming(rx, rc, out, err, "top --tagfocus key=")
        for cmd in ("peek", "list"):
            rc, out, err = run(pprofc + [cmd, rx, path])
            one_line_naming(rx, rc, out, err, cmd)
        print("%s: a usage error, as pprof's" % rx)
    return 1


def test():
    pprofc, path, case = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[3]
    need("go")
    proof = {"peek": case_peek, "list": case_list, "usage": case_usage}[case](pprofc, path)
    check(proof, "no RE2-only pattern selected anything in %s: the test proves nothing" % path)
    print("%s: %d patterns agree with go tool pprof" % (
        case, len({"peek": PEEK, "list": LIST, "usage": BAD}[case])))


if __name__ == "__main__":
    main(test)
