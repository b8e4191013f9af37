#!/usr/bin/env python3
"""The shell scripted from a pipe against go tool pprof's interactive mode
fed the same lines: every command's output is pprof's, byte for byte (pprof
prints a "(pprof) " prompt before each; pprofc, reading no terminal, none).

usage: shell_pipe_diff.py PPROFC FIXTURE"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import TestFailure, check, main, need, pprofc_cmd, run, skip, why_skip


def script(pprofc, fixture):
    rc, out, err = run(pprofc + ["top", "--json", fixture])
    check(rc == 0, err)
    names = [r["name"] for r in json.loads(out)["rows"] if not re.match(r"\[|0x", r["name"])]
    lines = ["top", "top -cum", "top 3", "top5", "tree", "sort=cum", "top", "sort=flat",
             "nodecount=4", "top", "nodecount=-1", "top -cum 2", "granularity=lines", "top",
             "granularity=functions", "cum=true", "top 4", "flat=true", "unit=ms", "top 3",
             "unit=minimum", "sample_index=0", "top 2", "sample_index=", "hide=runtime", "top",
             "hide=", "tags"]
    if names:
        # the heaviest named function's package: pprof's walkthrough peeks
        # at a package, then at a function
        fn = names[0]
        pkg = fn.split(".")[0]
        lines += ["peek " + re.escape(pkg) + r"\.", "focus=" + re.escape(fn), "top",
                  "focus=", "top " + re.escape(fn)]
    return lines


def script_main():
    pprofc, fixture = pprofc_cmd(sys.argv[1]), sys.argv[2]

    def run_case():
        need("go")
        why = why_skip(pprofc, fixture)
        if why:
            skip("%s (pprof's rows for them are its own)" % why)
        lines = script(pprofc, fixture)
        text = ("\n".join(lines) + "\n").encode()
        rc, ours, err = run(pprofc + [fixture], stdin=text)
        check(rc == 0, "pprofc: exit %d: %r" % (rc, err))
        rc, theirs, perr = run(["go", "tool", "pprof", "-symbolize=none", fixture], stdin=text)
        check(rc == 0, "go tool pprof: exit %d: %r" % (rc, perr))
        theirs = theirs.replace(b"(pprof) ", b"")
        if ours != theirs:
            a, b = ours.decode(errors="replace").split("\n"), theirs.decode(
                errors="replace").split("\n")
            for i, (x, y) in enumerate(zip(a, b)):
                if x != y:
                    raise TestFailure("line %d differs:\n pprofc: %r\n pprof:  %r" % (i + 1, x, y))
            raise TestFailure("pprofc printed %d lines, pprof %d" % (len(a), len(b)))
        # the greeting goes to standard error, as pprof's
        check(b"Entering interactive mode" in err, err)
        print("%d commands, %d lines alike" % (len(lines), ours.count(b"\n")))

    main(run_case)


if __name__ == "__main__":
    script_main()
