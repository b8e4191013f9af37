#!/usr/bin/env python3
"""Differential test: pprofc top --json against go tool pprof -top on one
profile, at every sample index: the total and every function's flat and
cum must be equal. Also: the folded stacks add up to the total.

Deliberate differences, checked rather than skipped:
- locations without lines are rows named 0x<address> in pprofc; pprof's
  function view lumps them per binary, so they are compared with pprof's
  -addresses view instead;
- samples with no stack are a "[no stack]" row in pprofc; pprof leaves them
  out of its rows, so that row must equal pprof's total minus its rows.

usage: pprof_diff.py PPROFC PROFILE"""
import json
import re
import sys

from harness import check, main, pprof_top, pprofc_cmd, run, sample_types

ADDR_ROW = re.compile(r"^([0-9a-f]{16}) (\[.*\]|<unknown>)$")


def compare_index(pprofc, path, index, unit):
    rc, out, err = run(pprofc + ["top", "--json", "--sample-index", str(index), path])
    check(rc == 0, "pprofc top failed: %s" % err.decode())
    mine = json.loads(out)
    rows = {r["name"]: (r["flat"], r["cum"]) for r in mine["rows"]}
    check(len(rows) == len(mine["rows"]), "pprofc printed a name twice")

    total, theirs = pprof_top(path, index, unit)
    check(mine["total"] == total,
          "index %d: total %d, go tool pprof says %d" % (index, mine["total"], total))

    lineless = {n: v for n, v in rows.items() if n.startswith("0x")}
    named = {n: v for n, v in rows.items() if not n.startswith("0x") and n != "[no stack]"}
    their_named = {n: v for n, v in theirs.items()
                   if not (n.startswith("[") and n.endswith("]")) and n != "<unknown>"}
    check(named == their_named,
          "index %d: rows differ: only pprofc %s; only pprof %s; different %s" % (
              index,
              sorted(set(named) - set(their_named))[:5],
              sorted(set(their_named) - set(named))[:5],
              [(n, named[n], their_named[n]) for n in named
               if n in their_named and named[n] != their_named[n]][:5]))

    if lineless:
        _, by_addr = pprof_top(path, index, unit, ["-addresses"])
        addr_rows = {}
        for n, v in by_addr.items():
            m = ADDR_ROW.match(n)
            if m:
                addr_rows["0x%x" % int(m.group(1), 16)] = v
        check(lineless == addr_rows,
              "index %d: address rows differ: %s" % (
                  index, [(n, lineless.get(n), addr_rows.get(n))
                          for n in set(lineless) | set(addr_rows)
                          if lineless.get(n) != addr_rows.get(n)][:5]))

    their_flat = sum(v[0] for v in theirs.values())
    nostack = rows.get("[no stack]", (0, 0))[0]
    check(nostack == total - their_flat,
          "index %d: [no stack] is %d, expected total %d - pprof rows %d" % (
              index, nostack, total, their_flat))

    rc, out, err = run(pprofc + ["to-folded", "--sample-index", str(index), path])
    check(rc == 0, "pprofc to-folded failed: %s" % err.decode())
    folded_sum = sum(int(l.rsplit(b" ", 1)[1]) for l in out.splitlines())
    check(folded_sum == total,
          "index %d: folded stacks add up to %d, total is %d" % (index, folded_sum, total))
    return len(rows)


def test():
    pprofc, path = pprofc_cmd(sys.argv[1]), sys.argv[2]
    types = sample_types(path)
    check(types, "no sample types in %s" % path)
    # The default sample type is pprof's too.
    rc, out, err = run(pprofc + ["top", "--json", path])
    check(rc == 0, "pprofc top failed: %s" % err.decode())
    rc, theirs, err = run(["go", "tool", "pprof", "-top", "-symbolize=none", "-nodecount=1", path])
    m = re.search(r"^Type: (.*)$", theirs.decode(), re.M)
    check(m and json.loads(out)["sample_type"] == m.group(1),
          "default sample type %r, pprof's is %r" % (json.loads(out)["sample_type"],
                                                     m and m.group(1)))
    for i, (_, unit) in enumerate(types):
        n = compare_index(pprofc, path, i, unit)
        print("index %d (%s): %d rows agree" % (i, types[i][0], n))


if __name__ == "__main__":
    main(test)
