#!/usr/bin/env python3
"""Differential test of the sample-type shorthands and --mean on one
profile, against go tool pprof -top with the same flags.

- each of --inuse_space, --inuse_objects, --alloc_space, --alloc_objects,
  --total_delay, --contentions, --mean_delay: where pprof accepts the flag,
  pprofc picks the same type (pprof's "Type:" line) and prints the same total
  and the same flat and cum for every function; where pprof refuses it (the
  type is absent), pprofc fails with exit 2 and one line naming the option;
  the '-' spelling prints exactly what the '_' spelling prints;
- --mean at every sample index: total, flat and cum equal pprof's -mean.

Rows compared are the named functions (pprof_diff.py checks the rows pprof
names differently: lineless locations and samples without a stack).

usage: options_diff.py PPROFC PROFILE"""
import json
import re
import sys

from harness import check, main, pprof_top, pprofc_cmd, run, sample_types

SHORTHANDS = ["inuse_space", "inuse_objects", "alloc_space", "alloc_objects",
              "total_delay", "contentions", "mean_delay"]


def named(rows):
    return {n: v for n, v in rows.items()
            if not (n.startswith("[") and n.endswith("]")) and n != "<unknown>"
            and not n.startswith("0x")}


def pprof_type(path, flags):
    rc, out, err = run(["go", "tool", "pprof", "-top", "-symbolize=none", "-nodecount=1"]
                       + flags + [path])
    if rc != 0:
        return None
    m = re.search(r"^Type: (.*)$", out.decode(), re.M)
    check(m, "no Type: line from pprof %s" % flags)
    return m.group(1)


def compare(pprofc, path, pprofc_args, pprof_flags, what):
    rc, out, err = run(pprofc + ["top", "--json"] + pprofc_args + [path])
    check(rc == 0, "%s: pprofc top failed: %s" % (what, err.decode()))
    mine = json.loads(out)
    rows = {r["name"]: (r["flat"], r["cum"]) for r in mine["rows"]}
    total, theirs = pprof_top(path, None, mine["unit"], pprof_flags)
    check(mine["total"] == total,
          "%s: total %d, go tool pprof says %d" % (what, mine["total"], total))
    a, b = named(rows), named(theirs)
    check(a == b, "%s: rows differ: only pprofc %s; only pprof %s; different %s" % (
        what, sorted(set(a) - set(b))[:5], sorted(set(b) - set(a))[:5],
        [(n, a[n], b[n]) for n in a if n in b and a[n] != b[n]][:5]))
    return mine, len(a)


def test():
    pprofc, path = pprofc_cmd(sys.argv[1]), sys.argv[2]
    types = sample_types(path)
    checked = 0
    for sh in SHORTHANDS:
        ptype = pprof_type(path, ["-" + sh])
        rc, out, err = run(pprofc + ["top", "--json", "--" + sh, path])
        if ptype is None:
            lines = err.decode().splitlines()
            check(rc == 2 and len(lines) == 1 and ("--" + sh) in lines[0],
                  "--%s on a profile without the type: exit %d, stderr %r" % (sh, rc, lines))
            print("--%s: refused by both (%s)" % (sh, lines[0]))
            continue
        mine, n = compare(pprofc, path, ["--" + sh], ["-" + sh], "--" + sh)
        want = ("mean_" if sh == "mean_delay" else "") + mine["sample_type"]
        check(want == ptype, "--%s: pprofc chose %r, pprof %r" % (sh, want, ptype))
        rc2, out2, _ = run(pprofc + ["top", "--json", "--" + sh.replace("_", "-"), path])
        check(rc2 == 0 and out2 == out, "--%s and --%s differ" % (sh, sh.replace("_", "-")))
        print("--%s: type %s, %d rows agree" % (sh, ptype, n))
        checked += 1
    for i, (t, _) in enumerate(types):
        mine, n = compare(pprofc, path, ["--mean", "--sample-index", str(i)],
                          ["-mean", "-sample_index=%d" % i], "--mean index %d" % i)
        check(mine.get("mean") is True, "--mean not marked in the JSON")
        print("--mean index %d (%s): %d rows agree" % (i, t, n))


if __name__ == "__main__":
    main(test)
