#!/usr/bin/env python3
"""go tool pprof's command forms: `pprofc [options] -FORMAT SOURCE` is
`pprofc COMMAND [options] SOURCE` for every format pprofc has, and pprof's
names of the commands (text, callgrind, svg, ...) are aliases; where the
report is pprof's to the byte (top, text, tree, peek, dot, tags, comments),
it equals go tool pprof -FORMAT's output.

usage: forms_test.py PPROFC FIXTURE FORMAT | PPROFC FIXTURE --list"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import TestFailure, check, main, need, pprofc_cmd, run, skip, why_skip

# format flag: (the pprofc command line it means, byte-equal to pprof's)
FORMATS = {
    "top": (["top"], True), "text": (["top"], True), "tree": (["tree"], True),
    "peek": (["peek", "RE"], True), "list": (["list", "RE"], False),
    "traces": (["traces"], False), "tags": (["tags"], True),
    "raw": (["raw"], False), "comments": (["comments"], True),
    "callgrind": (["to-callgrind"], False), "dot": (["to-dot"], True),
    "svg": (["to-dot", "--svg"], False), "proto": (["merge"], False),
}
ALIASES = {"text": ["top"], "callgrind": ["to-callgrind"], "dot": ["to-dot"],
           "svg": ["to-dot", "--svg"], "proto": ["merge"], "folded": ["to-folded"],
           "speedscope": ["to-speedscope"]}


def heaviest(pprofc, fixture, named):
    """A regex for the function with the largest flat value; with named,
    one with a name (not an address), None when there is none."""
    rc, out, err = run(pprofc + ["top", "--json", fixture])
    check(rc == 0, err)
    nodes = [n for n in json.loads(out)["rows"]
             if not named or not re.match(r"\[|0x", n["name"])]
    if not nodes:
        return None
    return "^" + re.escape(max(nodes, key=lambda n: abs(n["flat"]))["name"]) + "$"


def same(pprofc, a, b):
    ra, rb = run(pprofc + a), run(pprofc + b)
    check(ra == rb, "pprofc %s: exit %d %r %r\nnot as pprofc %s: exit %d %r %r" %
          (" ".join(a), ra[0], ra[1][:200], ra[2][:300], " ".join(b), rb[0], rb[1][:200],
           rb[2][:300]))
    check(ra[0] == 0, "pprofc %s: exit %d: %r" % (" ".join(a), ra[0], ra[2]))
    return ra[1]


def case(pprofc, fixture, fmt):
    if fmt.startswith("alias-"):
        name = fmt[6:]
        same(pprofc, [name, fixture], ALIASES[name] + [fixture])
        return
    cmd, byte_equal = FORMATS[fmt]
    flag = ["-" + fmt]
    if "RE" in cmd:
        rx = heaviest(pprofc, fixture, fmt == "list")
        if rx is None:
            skip("no function with a name to list")
        cmd = [rx if w == "RE" else w for w in cmd]
        flag = ["-%s=%s" % (fmt, rx)]
    # the flag anywhere among the options, -output too
    out = same(pprofc, flag + [fixture], cmd + [fixture])
    same(pprofc, ["-nodecount=3"] + flag + [fixture] if fmt in ("top", "tree", "dot") else
         ["-functions"] + flag + [fixture], cmd + ["--nodecount=3" if fmt in
                                                    ("top", "tree", "dot") else "--functions",
                                                    fixture])
    # pprof's rows for address-only frames and stackless samples are its
    # own (the README's deliberate differences); tags and comments have none
    if byte_equal and (fmt in ("tags", "comments") or not why_skip(pprofc, fixture)):
        need("go")
        rc, ref, err = run(["go", "tool", "pprof", "-symbolize=none"] + flag + [fixture])
        check(rc == 0, err)
        check(out == ref, "pprofc %s differs from go tool pprof's:\n%r\n%r" %
              (" ".join(flag), out[:300], ref[:300]))


def script_main():
    if sys.argv[2] == "--list":
        print("\n".join(list(FORMATS) + ["alias-" + a for a in ALIASES]))
        return
    pprofc, fixture, fmt = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[3]

    def run_case():
        case(pprofc, fixture, fmt)

    main(run_case)


if __name__ == "__main__":
    script_main()
