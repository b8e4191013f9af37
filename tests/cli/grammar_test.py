#!/usr/bin/env python3
"""The option grammar: every option of the option table (pprofc help
--list-options) in every spelling a pprof or getopt user types -- one or two
dashes, '_' or '-' between words, =VALUE or VALUE, pprof's own name, the
letter -- is read as the canonical --name=VALUE is; flags take Go's
-flag=true|false. And the misreadings of the getopt parser (-output=F read
as -o utput=F, -hide=x as -h), each a case of its own.

usage: grammar_test.py PPROFC FIXTURES_DIR --list | --case NAME"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import TestFailure, check, main, pprofc_cmd, run

# A value for each option that takes one, chosen so that a misread value
# shows: most are refused with a message naming them.
VALUES = {
    "output": None,  # a file in the test's directory
    "sample-index": "bogus!", "max-size": "bogus!", "max-memory": "bogus!",
    "max-samples": "bogus!", "max-locations": "bogus!", "max-functions": "bogus!",
    "max-strings": "bogus!", "max-depth": "bogus!", "max-labels": "bogus!",
    "seconds": "bogus!", "timeout": "bogus!", "header": "bogus!",
    "cacert": "/nonexistent/ca.pem", "cert": "/nonexistent/c.pem", "key": "/nonexistent/k.pem",
    "base": "/nonexistent/base.pb.gz", "diff-base": "/nonexistent/base.pb.gz", "jobs": "0",
    "focus": "a[", "ignore": "a[", "hide": "a[", "show": "a[", "show-from": "a[",
    "prune-from": "a[", "tagfocus": "a[", "tagignore": "a[", "tagshow": "a[", "taghide": "a[",
    "nodecount": "x", "nodefraction": "2", "edgefraction": "x", "unit": "",
    "title": "TITLE-XYZ", "width": "5", "minwidth": "x", "source-path": "/nonexistent",
    "trim-path": "/x", "viewer": "/nonexistent/viewer",
}
# Options whose effect shows only on a URL (nothing is fetched: the value
# is refused first, or the port refuses).
URL_OPTIONS = {"header", "cacert", "cert", "key", "seconds", "timeout", "insecure", "jobs"}
BEFORE = {"peek": ["main"], "list": ["main.fib"]}


def options(pprofc):
    rc, out, err = run(pprofc + ["help", "--list-options"])
    check(rc == 0, err)
    rows = [l.split("\t") for l in out.decode().splitlines()]
    check(rows and all(len(r) == 5 for r in rows), "bad listing %r" % out[:200])
    return rows


def spellings(name, pprof, letter, value):
    """Every way of writing the option, as argument lists."""
    names = {name, name.replace("-", "_")}
    if pprof != "-":
        names |= {pprof, pprof.replace("_", "-")}
    forms = []
    for n in sorted(names):
        for dashes in ("-", "--"):
            if value is None:
                forms += [[dashes + n], [dashes + n + "=true"], [dashes + n + "=1"]]
            else:
                forms += [[dashes + n, value], [dashes + n + "=" + value]]
    if letter != "-":
        forms += [["-" + letter]] if value is None else [["-" + letter, value],
                                                           ["-" + letter + "=" + value]]
    return forms


def outcome(pprofc, args, tmp):
    """What a run did: exit code, output, messages, and the files it made."""
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    rc, out, err = run(pprofc + args)
    err = re.sub(rb"XXXXXX|[.][A-Za-z0-9]{6}\b", b".RANDOM", err)  # temp names
    err = re.sub(rb"after \d+ ms", b"after N ms", err)  # curl's timing
    files = {f: open(os.path.join(tmp, f), "rb").read() for f in sorted(os.listdir(tmp))}
    return rc, out, err, files


def case_spellings(pprofc, fixtures):
    cpu = os.path.join(fixtures, "cpu.pb.gz")
    heap = os.path.join(fixtures, "heap.pb.gz")
    tried = 0
    seen = set()
    with tempfile.TemporaryDirectory() as tmp:
        for cmd, name, pprof, letter, kind in options(pprofc):
            if name in seen:  # an option shared by commands: tried on the first
                continue
            seen.add(name)
            cmd = "top" if cmd == "*" else cmd
            source = heap if name.replace("-", "_") in (
                "inuse_space", "inuse_objects", "alloc_space", "alloc_objects") else cpu
            if name in URL_OPTIONS:
                cmd, source = "fetch", "http://127.0.0.1:1/debug/pprof/heap"
            value = None
            if kind == "value":
                value = VALUES.get(name)
                if name == "output":
                    value = os.path.join(tmp, "out")
                check(value is not None, "no test value for option %s" % name)
            pre = [cmd] + BEFORE.get(cmd, [])
            want = outcome(pprofc, pre + ["--%s=%s" % (name, value) if value is not None
                                          else "--" + name, source], tmp)
            check(b"unknown option" not in want[2], "--%s: %r" % (name, want[2]))
            for form in spellings(name, pprof, letter, value):
                got = outcome(pprofc, pre + form + [source], tmp)
                check(got == want, "pprofc %s: %r, not as --%s: %r" %
                      (" ".join(pre + form), got[:3], name, want[:3]))
                tried += 1
            if value is None:  # -flag=false is as if not given
                base = outcome(pprofc, pre + [source], tmp)
                for form in (["--%s=false" % name], ["-%s=false" % name.replace("-", "_")],
                             ["-%s=0" % name]):
                    got = outcome(pprofc, pre + form + [source], tmp)
                    check(got == base, "pprofc %s: %r, not as without it" %
                          (" ".join(pre + form), got[:3]))
                    tried += 1
                got = outcome(pprofc, pre + ["-%s=maybe" % name, source], tmp)
                check(got[0] == 2 and b"true or false" in got[2], "-%s=maybe: %r" %
                      (name, got[:3]))
    print("%d spellings of %d options" % (tried, len(seen)))


# Each read wrongly by the getopt parser: (args with OUT for a file in the
# test's directory, the canonical spelling).
MISREADINGS = {
    "top-output-eq": (["top", "-output=OUT", "cpu"], ["top", "--output=OUT", "cpu"]),
    "top-output-space": (["top", "-output", "OUT", "cpu"], ["top", "--output=OUT", "cpu"]),
    "top-o-eq": (["top", "-o=OUT", "cpu"], ["top", "--output=OUT", "cpu"]),
    "top-hide-eq": (["top", "-hide=runtime", "cpu"], ["top", "--hide=runtime", "cpu"]),
    "top-hide-space": (["top", "-hide", "runtime", "cpu"], ["top", "--hide=runtime", "cpu"]),
    "callgrind-output": (["to-callgrind", "-output=OUT", "cpu"],
                         ["to-callgrind", "--output=OUT", "cpu"]),
    "folded-output": (["to-folded", "-output=OUT", "cpu"], ["to-folded", "--output=OUT", "cpu"]),
    "dot-output": (["to-dot", "-output=OUT", "cpu"], ["to-dot", "--output=OUT", "cpu"]),
    "merge-output": (["merge", "-output=OUT", "cpu"], ["merge", "--output=OUT", "cpu"]),
    "tree-hide": (["tree", "-hide=runtime", "cpu"], ["tree", "--hide=runtime", "cpu"]),
    "traces-hide": (["traces", "-hide=runtime", "cpu"], ["traces", "--hide=runtime", "cpu"]),
    "folded-hide": (["to-folded", "-hide=runtime", "cpu"], ["to-folded", "--hide=runtime", "cpu"]),
    "raw-hide": (["raw", "-hide=runtime", "cpu"], ["raw", "--hide=runtime", "cpu"]),
    "speedscope-hide": (["to-speedscope", "-hide=runtime", "cpu"],
                        ["to-speedscope", "--hide=runtime", "cpu"]),
    "flamegraph-hide": (["to-flamegraph", "-hide=runtime", "cpu"],
                        ["to-flamegraph", "--hide=runtime", "cpu"]),
    "peek-hide": (["peek", "main", "-hide=runtime", "cpu"], ["peek", "main", "--hide=runtime", "cpu"]),
    "list-hide": (["list", "main.fib", "-hide=runtime", "cpu"],
                  ["list", "main.fib", "--hide=runtime", "cpu"]),
    "sample-index-single-dash": (["top", "-sample_index=alloc_space", "heap"],
                                 ["top", "--sample-index=alloc_space", "heap"]),
    "sample-index-underscore": (["top", "--sample_index", "alloc_space", "heap"],
                                ["top", "--sample-index=alloc_space", "heap"]),
    "show-from-underscore": (["top", "--show_from", "main", "cpu"], ["top", "--show-from=main", "cpu"]),
    "nodecount-single-dash": (["top", "-nodecount=3", "cpu"], ["top", "--nodecount=3", "cpu"]),
    "cum-single-dash": (["top", "-cum", "cpu"], ["top", "--cum", "cpu"]),
    "focus-single-dash": (["top", "-focus=main", "cpu"], ["top", "--focus=main", "cpu"]),
    "jobs-single-dash": (["top", "-jobs=2", "cpu"], ["top", "--jobs=2", "cpu"]),
    "quiet-single-dash": (["top", "-quiet", "cpu"], ["top", "--quiet", "cpu"]),
}


def misreading(pprofc, fixtures, name):
    args, canonical = MISREADINGS[name]
    with tempfile.TemporaryDirectory() as tmp:
        def fill(a):
            return [os.path.join(fixtures, x + ".pb.gz") if x in ("cpu", "heap") else
                    a_.replace("OUT", os.path.join(tmp, "out")) for x, a_ in ((x, x) for x in a)]
        want = outcome(pprofc, fill(canonical), tmp)
        check(want[0] == 0, "%s: exit %d: %r" % (canonical, want[0], want[2]))
        got = outcome(pprofc, fill(args), tmp)
        check(got == want, "pprofc %s: exit %d %r %r files %s, not as %s" %
              (" ".join(args), got[0], got[1][:80], got[2][:200], list(got[3]), canonical))


CASES = ["spellings"] + ["misread-" + m for m in MISREADINGS]


def script_main():
    if sys.argv[3] == "--list":
        print("\n".join(CASES))
        return
    pprofc, fixtures, name = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[4]

    def run_case():
        if name == "spellings":
            case_spellings(pprofc, fixtures)
        else:
            misreading(pprofc, fixtures, name[len("misread-"):])

    main(run_case)


if __name__ == "__main__":
    script_main()
