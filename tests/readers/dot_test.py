#!/usr/bin/env python3
"""pprofc to-dot against go tool pprof -dot and Graphviz.

Cases:
  fixture PROFILE  Graphviz's dot parses the output (-Tplain); with pprof's
                   default trimming and two others, the nodes (names, flat
                   and cum), the label boxes and the calls (ends, values,
                   inline, dotted) equal go tool pprof -dot's, parsed from
                   both files; where the profile has no address-only frame
                   and no stackless sample (pprofc's deliberate differences)
                   the whole text is byte-identical. Elsewhere the named
                   nodes and calls are compared untrimmed.
  hostile          hostile names (quotes, backslashes, newlines, control
                   bytes, invalid UTF-8, 1 MB) still parse, and render to SVG
  render           --svg is well-formed XML (xmllint), --png starts with the
                   PNG signature; a failing dot leaves no -o file and says
                   so; no dot at all is a clear error

usage: dot_test.py PPROFC CASE [PROFILE]"""
import os
import re
import stat
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import TestFailure, check, main, need, pprofc_cmd, run
from support.hostile import hostile_profile
from support.pbgen import gz, profile

TRIMS = [[], ["-nodefraction=0.01", "-edgefraction=0.01", "-nodecount=10"],
         ["-nodefraction=0.05", "-edgefraction=0.02", "-nodecount=30"]]
UNTRIMMED = ["-nodefraction=0", "-edgefraction=0", "-nodecount=0"]
TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NODE = re.compile(r'^(N\d+) \[label="(.*)" id="node\d+" fontsize=\d+ shape=box '
                  r'tooltip="(.*) \(([^()]*)\)" color="#[0-9a-f]{6}" fillcolor="#[0-9a-f]{6}"\]$')
NODELET = re.compile(r'^(N+\d+(?:_\d+)+) \[label = "(.*)" id="N+\d+(?:_\d+)+" fontsize=8 '
                     r'shape=box3d tooltip="(.*)"\]$')
EDGE = re.compile(r'^(N\d+) -> (N\d+) \[label=" ([^"\\]*)((?:\\n \(inline\))?)"(.*)\]$')
NODELET_EDGE = re.compile(r'^(N+\d+(?:_\d+)*) -> (N+\d+(?:_\d+)+) \[label=" (.*?)"')


def long_opts(flags):
    out = []
    for f in flags:
        k, v = f.lstrip("-").split("=", 1)
        out += ["--" + k, v]
    return out


def parse(text):
    """(nodes {name: label values}, nodelets {(name, path): (label, value)},
    edges {(src, dst): (value, inline, dotted)}, legend)"""
    ids, nodes, nodelets, edges, legend = {}, {}, {}, {}, None
    lines = text.decode("utf-8").splitlines()
    check(lines[0].startswith('digraph "') and lines[-1] == "}", "not a digraph")
    for l in lines[1:-1]:
        if l.startswith("subgraph cluster_L"):
            legend = l
            continue
        m = NODE.match(l)
        if m:
            name = m.group(3)
            check(name not in nodes, "node %s twice" % name)
            # the values: after the name's lines, "flat (x%)" and "of cum (y%)"
            nodes[name] = (re.sub(r"^.*?\\n(?=[-0-9.]+[a-zA-Z]* \(|0(?: of|$))", "",
                                  m.group(2)), m.group(4))
            ids[m.group(1)] = name
            continue
        m = NODELET.match(l)
        if m:
            nodelets[m.group(1)] = (m.group(2), m.group(3))
            continue
        m = EDGE.match(l)
        if m and m.group(1) in ids and m.group(2) in ids:
            key = (ids[m.group(1)], ids[m.group(2)])
            check(key not in edges, "edge %s twice" % (key,))
            edges[key] = (m.group(3), bool(m.group(4)), 'style="dotted"' in m.group(5))
            continue
        if NODELET_EDGE.match(l) or l.startswith("node ["):
            continue
        raise TestFailure("cannot parse line %r" % l[:200])
    # nodelets by their node's name
    named = {}
    for k, v in nodelets.items():
        m = re.match(r"^N+(\d+)((?:_\d+)+)$", k)
        named[(ids.get("N" + m.group(1)), m.group(2))] = v
    return nodes, named, edges, legend


def dot_parses(data, what):
    rc, out, err = run(["dot", "-Tplain"], stdin=data)
    check(rc == 0 and not err, "%s: dot -Tplain: exit %d %r" % (what, rc, err[:300]))
    return out


def named(n):
    return not (n.startswith("0x") or (n.startswith("[") and n.endswith("]"))
                or n == "<unknown>")


def exact_profile(pprofc, path):
    """pprofc's deliberate differences: frames named 0x... and [no stack]."""
    rc, out, err = run(pprofc + ["top", "--json", path])
    check(rc == 0, err.decode())
    import json
    return all(named(r["name"]) for r in json.loads(out)["rows"])


def case_fixture(pprofc, path):
    exact = exact_profile(pprofc, path)
    ncases = 0
    trims = TRIMS if exact else [UNTRIMMED]
    for trim in trims:
        rc, mine, err = run(pprofc + ["to-dot"] + long_opts(trim) + [path])
        check(rc == 0, "pprofc to-dot %s: %s" % (trim, err.decode()))
        dot_parses(mine, "pprofc to-dot %s" % trim)
        rc, theirs, err = run(["go", "tool", "pprof", "-dot", "-symbolize=none"] + trim + [path])
        check(rc == 0, "go tool pprof -dot: %s" % err.decode())
        a, b = parse(mine), parse(theirs)
        if exact:
            check(a[0] == b[0], "%s: nodes differ: only pprofc %s, only pprof %s; values %s" % (
                trim, sorted(set(a[0]) - set(b[0]))[:5], sorted(set(b[0]) - set(a[0]))[:5],
                [(n, a[0][n], b[0].get(n)) for n in a[0] if a[0][n] != b[0].get(n)][:3]))
            check(a[1] == b[1], "%s: label boxes differ: %s" % (
                trim, sorted(set(a[1].items()) ^ set(b[1].items()))[:5]))
            check(a[2] == b[2], "%s: calls differ: %s" % (
                trim, sorted(set(a[2].items()) ^ set(b[2].items()))[:5]))
            check(a[3] == b[3], "%s: legend differs:\n%s\n%s" % (trim, a[3], b[3]))
            check(mine == theirs, "%s: text differs from pprof's -dot" % trim)
        else:
            na = {n: v for n, v in a[0].items() if named(n)}
            nb = {n: v for n, v in b[0].items() if named(n)}
            check(na == nb, "named nodes differ: %s" % sorted(set(na.items()) ^ set(nb.items()))[:5])
            ea = {k: v for k, v in a[2].items() if named(k[0]) and named(k[1])}
            eb = {k: v for k, v in b[2].items() if named(k[0]) and named(k[1])}
            check(ea == eb, "named calls differ: %s" % sorted(set(ea.items()) ^ set(eb.items()))[:5])
        ncases += 1
    # values in a forced unit, and the other sample types
    rc, mine, err = run(pprofc + ["to-dot", "--sample-index", "0"] + long_opts(UNTRIMMED) + [path])
    check(rc == 0, err.decode())
    rc, theirs, err = run(["go", "tool", "pprof", "-dot", "-symbolize=none", "-sample_index=0"] +
                          UNTRIMMED + [path])
    a, b = parse(mine), parse(theirs)
    na = {n: v for n, v in a[0].items() if named(n)}
    nb = {n: v for n, v in b[0].items() if named(n)}
    check(na == nb, "index 0: named nodes differ: %s" % sorted(set(na.items()) ^ set(nb.items()))[:5])
    ea = {k: v for k, v in a[2].items() if named(k[0]) and named(k[1])}
    eb = {k: v for k, v in b[2].items() if named(k[0]) and named(k[1])}
    check(ea == eb, "index 0: named calls differ")
    print("%d trims%s, index 0 untrimmed: %d nodes, %d calls agree with pprof -dot" % (
        ncases, " byte-identical" if exact else " (named nodes)", len(na), len(ea)))


def case_hostile(pprofc):
    # and names with quotes and backslashes, in a mapping (the title) too
    strings = ["", "samples", "count", "cpu", "nanoseconds", 'quo"te', "back\\slash\\",
               'x" -> "y', "a.b::c[...]", "bin\"ary"]
    data = gz(profile(strings=strings, functions=((1, 5, 6), (2, 7, 8), (3, 8, 6)),
                      locations=((1, [(1, 1)]), (2, [(2, 2)]), (3, [(3, 3)]), (4, [])),
                      samples=(([1, 2, 3], [1, 10]), ([2, 3], [1, 5]), ([4], [1, 1]))))
    with tempfile.TemporaryDirectory() as tmp:
        for name, blob in (("hostile.pb.gz", gz(hostile_profile())),
                           ("quotes.pb.gz", data)):
            src = os.path.join(tmp, name)
            with open(src, "wb") as f:
                f.write(blob)
            for extra in ([], ["--lines"], UNTRIMMED and long_opts(UNTRIMMED)):
                rc, out, err = run(pprofc + ["to-dot"] + extra + [src])
                check(rc == 0, "%s %s: %s" % (name, extra, err.decode()))
                out.decode("utf-8")  # strict
                dot_parses(out, "%s %s" % (name, extra))
                check(not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", out), "control byte in DOT")
            rc, out, err = run(pprofc + ["to-dot", "--svg"] + long_opts(UNTRIMMED) + [src])
            check(rc == 0, "%s --svg: %s" % (name, err.decode()))
            rc, _, err = run(["xmllint", "--noout", "-"], stdin=out)
            check(rc == 0, "%s: SVG is not well-formed XML: %s" % (name, err[:300]))
        check(b"quo\\\"te" in run(pprofc + ["to-dot", src])[1], "quote not escaped")
    print("hostile names: DOT parses, SVG well-formed")


def case_render(pprofc):
    fixture = os.path.join(TESTS, "fixtures", "cpu.pb.gz")
    with tempfile.TemporaryDirectory() as tmp:
        svg = os.path.join(tmp, "cpu.svg")
        rc, _, err = run(pprofc + ["to-dot", "--svg", "-o", svg, fixture])
        check(rc == 0, "--svg: %s" % err.decode())
        rc, _, err = run(["xmllint", "--noout", svg])
        check(rc == 0, "SVG is not well-formed: %s" % err[:300])
        body = open(svg, "rb").read()
        check(b"<svg" in body and b"main.mix" in body, "SVG lacks the graph")
        rc, png, err = run(pprofc + ["to-dot", "--png", fixture])
        check(rc == 0 and png.startswith(b"\x89PNG\r\n\x1a\n"), "--png: %r" % err[:200])
        # a failing dot: an error, and no file
        fake = os.path.join(tmp, "bin")
        os.mkdir(fake)
        with open(os.path.join(fake, "dot"), "w") as f:
            f.write("#!/bin/sh\ncat >/dev/null\necho 'half an svg'\nexit 3\n")
        os.chmod(os.path.join(fake, "dot"), 0o755)
        env = dict(os.environ, PATH=fake + ":" + os.environ["PATH"])
        out = os.path.join(tmp, "out", "graph.svg")
        os.mkdir(os.path.dirname(out))
        rc, _, err = run(pprofc + ["to-dot", "--svg", "-o", out, fixture], env=env)
        check(rc == 1 and b"pprofc: dot -Tsvg failed (exit status 3)" in err,
              "failing dot: exit %d, %r" % (rc, err))
        check(os.listdir(os.path.dirname(out)) == [], "files left: %s" %
              os.listdir(os.path.dirname(out)))
        # no dot at all
        empty = os.path.join(tmp, "empty")
        os.mkdir(empty)
        env = dict(os.environ, PATH=empty)
        rc, _, err = run(pprofc + ["to-dot", "--png", "-o", out, fixture], env=env)
        check(rc == 1 and re.fullmatch(rb"pprofc: --png needs Graphviz's 'dot', which is not "
                                       rb"installed \(apt-get install graphviz\).*\n", err),
              "no dot: exit %d, %r" % (rc, err))
        check(os.listdir(os.path.dirname(out)) == [], "files left without dot")
        rc, _, err = run(pprofc + ["to-dot", "--svg", "--png", fixture])
        check(rc == 2, "--svg --png: exit %d" % rc)
    print("--svg well-formed, --png a PNG, failing and missing dot leave no file")


def test():
    pprofc, case = pprofc_cmd(sys.argv[1]), sys.argv[2]
    need("dot")
    if case == "fixture":
        need("go")
        return case_fixture(pprofc, sys.argv[3])
    if case == "hostile":
        need("xmllint")
        return case_hostile(pprofc)
    if case == "render":
        need("xmllint")
        return case_render(pprofc)
    raise TestFailure("unknown case %r" % case)


if __name__ == "__main__":
    main(test)
