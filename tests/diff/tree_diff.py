#!/usr/bin/env python3
"""Differential test of pprofc tree and peek against go tool pprof -tree and
-peek on one profile, at every sample index.

- Every function's flat and cum, and every call's value and (inline) mark,
  must equal pprof's (pprofc's --json against pprof's text in a forced base
  unit). Functions named 0x<address> or [no stack] are pprofc's deliberate
  differences (see top_json_diff.py) and calls to them are left out.
- Where the profile has neither, the text output must be byte-identical
  to pprof's, and so must `peek` for three functions picked from pprof's
  own report, with their names escaped as a regular expression.
- A pattern matching nothing is a usage error.

usage: tree_diff.py PPROFC PROFILE"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import _unit_flag, check, main, need, pprof_top, pprofc_cmd, run, sample_types

# Trimming as pprof does it: go tool pprof's flags, and pprofc's.
TRIMS = [["-nodefraction=0.01", "-edgefraction=0.01", "-nodecount=10"],
         ["-nodefraction=0.005", "-edgefraction=0.001", "-nodecount=80"],
         ["-nodefraction=0.05", "-edgefraction=0.02", "-nodecount=0"]]


def long_opts(flags):
    out = []
    for f in flags:
        if "=" not in f:
            out.append("-" + f)
            continue
        k, v = f.lstrip("-").split("=", 1)
        out += ["--" + k, v]
    return out


# pprofc's tree trims as pprof's -tree by default; pprof_tree trims nothing.
NO_TRIM = ["--nodefraction", "0", "--edgefraction", "0", "--nodecount", "0"]


def header_lines(text):
    return [l for l in text.decode().splitlines()
            if l.startswith(("Showing", "Dropped"))]

SEP = "----------------------------------------------------------+-------------"
EDGE = re.compile(r"^\s*(-?[0-9.]+)\S*\s+-?[0-9.e+-]+%\s+\|   (.*?)( \(inline\))?$")
NODE = re.compile(r"^\s*(-?[0-9.]+)\S*\s+-?[0-9.e+-]+%\s+-?[0-9.e+-]+%\s+(-?[0-9.]+)\S*"
                  r"\s+-?[0-9.e+-]+%\s+\| (.*)$")


def num(s):
    v = float(s)
    check(abs(v - round(v)) < 1e-6, "non-integer value %s" % s)
    return int(round(v))


def pprof_tree(path, index, unit, extra=()):
    args = ["go", "tool", "pprof", "-symbolize=none", "-nodefraction=0", "-edgefraction=0",
            "-nodecount=0", "-sample_index=%d" % index] + list(extra) + [path]
    rc, out, err = run(args)
    check(rc == 0, "%s failed: %s" % (" ".join(args), err.decode()))
    return out


def parse_tree(text):
    """{name: (flat, cum, {caller: (value, inline)}, {callee: (value, inline)})}"""
    nodes = {}
    blocks = text.split(SEP + "\n")[2:]  # after the header and the legend
    for b in blocks:
        lines = [l for l in b.splitlines() if l.strip()]
        if not lines:
            continue
        callers, callees, node = {}, {}, None
        for l in lines:
            m = NODE.match(l)
            if m and node is None:
                node = (m.group(3), num(m.group(1)), num(m.group(2)))
                continue
            m = EDGE.match(l)
            check(m, "cannot parse pprof line %r" % l)
            (callees if node else callers)[m.group(2)] = (num(m.group(1)), bool(m.group(3)))
        check(node, "no function line in block %r" % b[:200])
        nodes[node[0]] = (node[1], node[2], callers, callees)
    return nodes


def named(n):
    return not (n.startswith("0x") or (n.startswith("[") and n.endswith("]"))
                or n == "<unknown>")


def compare_index(pprofc, path, index, unit):
    rc, out, err = run(pprofc + ["tree", "--json", "--sample-index", str(index), path])
    check(rc == 0, "pprofc tree failed: %s" % err.decode())
    mine = {}
    for n in json.loads(out)["nodes"]:
        mine[n["name"]] = (n["flat"], n["cum"],
                           {c["name"]: (c["value"], c["inline"]) for c in n["callers"]},
                           {c["name"]: (c["value"], c["inline"]) for c in n["callees"]})
    theirs = parse_tree(pprof_tree(path, index, unit, ["-tree"] + _unit_flag(unit)).decode())

    def keep(d):
        return {n: (v[0], v[1], {k: e for k, e in v[2].items() if named(k)},
                    {k: e for k, e in v[3].items() if named(k)})
                for n, v in d.items() if named(n)}
    a, b = keep(mine), keep(theirs)
    check(set(a) == set(b), "index %d: functions differ: only pprofc %s, only pprof %s" % (
        index, sorted(set(a) - set(b))[:5], sorted(set(b) - set(a))[:5]))
    for n in a:
        check(a[n] == b[n], "index %d: %s differs:\npprofc %s\npprof  %s" % (
            index, n, a[n], b[n]))
    ncalls = sum(len(v[2]) + len(v[3]) for v in a.values())

    exact = all(named(n) for n in mine)
    if exact:
        rc, text, err = run(pprofc + ["tree", "--sample-index", str(index)] + NO_TRIM + [path])
        check(rc == 0, "pprofc tree failed: %s" % err.decode())
        want = pprof_tree(path, index, unit, ["-tree"])
        check(text == want, "index %d: text differs from pprof's -tree" % index)
        for u in ["auto", "ms" if unit.lower().startswith("nano") else "kB"]:
            rc, text, err = run(pprofc + ["tree", "--unit", u, "--sample-index", str(index)] +
                                NO_TRIM + [path])
            want = pprof_tree(path, index, unit, ["-tree", "-unit=" + u])
            check(text == want, "index %d: tree --unit %s differs from pprof's" % (index, u))
        picks = sorted(b, key=lambda n: (-len(b[n][2]) - len(b[n][3]), n))[:3]
        # with the filters and granularities of the other tests
        extras = [["-lines"], ["-files"], ["-noinlines"]]
        if picks:
            rx = re.sub(r"([.\[\](){}*+?|^$\\])", r"\\\1", picks[0])
            extras += [["-focus=" + rx], ["-ignore=" + rx], ["-hide=" + rx]]
        for extra in extras:
            rc, text, err = run(pprofc + ["tree", "--sample-index", str(index)] + NO_TRIM +
                                long_opts(extra) + [path])
            check(rc == 0, "pprofc tree %s failed: %s" % (extra, err.decode()))
            want = pprof_tree(path, index, unit, ["-tree"] + extra)
            check(text == want, "index %d: tree %s differs from pprof's" % (index, extra))
        for name in picks:
            rx = re.sub(r"([.\[\](){}*+?|^$\\])", r"\\\1", name) + "$"
            rc, text, err = run(pprofc + ["peek", rx, "--sample-index", str(index), path])
            check(rc == 0, "pprofc peek %s failed: %s" % (rx, err.decode()))
            want = pprof_tree(path, index, unit, ["-peek", rx])
            check(text == want, "index %d: peek %s differs from pprof's" % (index, rx))
    for trim in TRIMS:
        # top: the rows kept and their numbers, and the header lines
        top_flags = [f for f in trim if not f.startswith("-edgefraction")]
        rc, out, err = run(pprofc + ["top", "--json", "--sample-index", str(index)] +
                           long_opts(top_flags) + [path])
        check(rc == 0, "pprofc top %s failed: %s" % (top_flags, err.decode()))
        rows = {r["name"]: (r["flat"], r["cum"]) for r in json.loads(out)["rows"]}
        _, their_rows = pprof_top(path, index, unit, top_flags)
        mine_named = {n: v for n, v in rows.items() if named(n)}
        theirs_named = {n: v for n, v in their_rows.items() if named(n)}
        check(mine_named == theirs_named, "index %d, top %s: rows differ: %s" % (
            index, top_flags, sorted(set(mine_named) ^ set(theirs_named))[:5]))
        if exact:
            rc, text, err = run(pprofc + ["top", "--sample-index", str(index)] +
                                long_opts(top_flags) + [path])
            want = pprof_tree(path, index, unit, ["-top"] + top_flags)
            check(header_lines(text) == header_lines(want),
                  "index %d, top %s: %s, pprof %s" % (index, top_flags, header_lines(text),
                                                      header_lines(want)))
            # tree: the whole text
            rc, text, err = run(pprofc + ["tree", "--sample-index", str(index)] +
                                long_opts(trim) + [path])
            check(rc == 0, "pprofc tree %s failed: %s" % (trim, err.decode()))
            want = pprof_tree(path, index, unit, ["-tree"] + trim)
            check(text == want, "index %d: tree %s differs from pprof's" % (index, trim))
    return len(a), ncalls, exact


def test():
    pprofc, path = pprofc_cmd(sys.argv[1]), sys.argv[2]
    need("go")
    types = sample_types(path)
    check(types, "no sample types in %s" % path)
    for i, (_, unit) in enumerate(types):
        n, calls, exact = compare_index(pprofc, path, i, unit)
        print("index %d (%s): %d functions, %d calls agree%s" % (
            i, types[i][0], n, calls, "; text and peek byte-identical" if exact else ""))
    rc, out, err = run(pprofc + ["peek", "^no such function$", path])
    check(rc == 2 and b"no function matches" in err and not out,
          "peek with no match: exit %d, %r" % (rc, err))
    print("%d sample indices: tree, peek and top agree with go tool pprof" % len(types))


if __name__ == "__main__":
    main(test)
