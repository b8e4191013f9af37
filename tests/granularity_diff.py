#!/usr/bin/env python3
"""Differential test of the granularities: pprofc top --json --GRAN
[--noinlines] against go tool pprof -top -GRAN [-noinlines] on one profile,
at every sample index: the total and every row's name, flat and cum must
be equal. to-folded at the same granularity must use the same names (each
leaf frame's sum equals its row's flat) and add up to the total;
to-callgrind's totals must be the total.

Compared as in pprof_diff.py: lineless locations are 0x<address> rows in
pprofc where pprof lumps them per binary ([binary] or <unknown>), except
at -addresses, where pprofc names them as pprof does; they are checked
against pprof's -addresses view. pprofc's [no stack] row must equal
pprof's total minus its rows.

usage: granularity_diff.py PPROFC PROFILE GRANULARITY [noinlines]"""
import json
import re
import sys

from harness import check, main, pprof_top, pprofc_cmd, run, sample_types

ADDR_ROW = re.compile(r"^([0-9a-f]{16}) (\[.*\]|<unknown>)$")


def lumped(name):
    """pprof's rows for lineless locations outside -addresses."""
    return (name.startswith("[") and name.endswith("]")) or name == "<unknown>"


def safe(name):
    """A name as to-folded writes it (see write_folded.c)."""
    s = re.sub(r"[\x00-\x1f\x7f]", "?", name.replace(";", ":"))
    return re.sub(r" ([0-9]+)$", r"_\1", s)


def compare_index(pprofc, path, index, unit, gran, flags):
    rc, out, err = run(pprofc + ["top", "--json", "--sample-index", str(index)] + flags + [path])
    check(rc == 0, "pprofc top %s failed: %s" % (flags, err.decode()))
    mine = json.loads(out)
    rows = {r["name"]: (r["flat"], r["cum"]) for r in mine["rows"]}
    check(len(rows) == len(mine["rows"]), "pprofc printed a name twice")
    pflags = ["-" + f.lstrip("-") for f in flags]
    total, theirs = pprof_top(path, index, unit, pflags)
    check(mine["total"] == total, "index %d %s: total %d, go tool pprof says %d" % (
        index, flags, mine["total"], total))

    if gran == "addresses":
        a = {n: v for n, v in rows.items() if n != "[no stack]"}
        b = theirs
    else:
        a = {n: v for n, v in rows.items()
             if not n.startswith("0x") and n != "[no stack]" and not lumped(n)}
        b = {n: v for n, v in theirs.items() if not lumped(n)}
        lineless = {n: v for n, v in rows.items() if n.startswith("0x")}
        if lineless:
            _, by_addr = pprof_top(path, index, unit, ["-addresses"] +
                                   [f for f in pflags if f == "-noinlines"])
            addr = {"0x%x" % int(m.group(1), 16): v
                    for m, v in ((ADDR_ROW.match(n), v) for n, v in by_addr.items()) if m}
            check(lineless == addr, "index %d %s: address rows differ: %s" % (
                index, flags, [(n, lineless.get(n), addr.get(n))
                               for n in set(lineless) | set(addr)
                               if lineless.get(n) != addr.get(n)][:5]))
    check(a == b, "index %d %s: rows differ: only pprofc %s; only pprof %s; different %s" % (
        index, flags, sorted(set(a) - set(b))[:5], sorted(set(b) - set(a))[:5],
        [(n, a[n], b[n]) for n in a if n in b and a[n] != b[n]][:5]))
    nostack = rows.get("[no stack]", (0, 0))[0]
    check(nostack == total - sum(v[0] for v in theirs.values()),
          "index %d %s: [no stack] is %d, pprof's rows leave %d" % (
              index, flags, nostack, total - sum(v[0] for v in theirs.values())))

    # Folded frames carry the same names: each leaf's sum is its flat.
    rc, out, err = run(pprofc + ["to-folded", "--sample-index", str(index)] + flags + [path])
    check(rc == 0, "pprofc to-folded failed: %s" % err.decode())
    leaf = {}
    for l in out.decode("utf-8", "replace").splitlines():
        stack, v = l.rsplit(" ", 1)
        name = stack.split(";")[-1]
        leaf[name] = leaf.get(name, 0) + int(v)
    want = {}
    for n, v in rows.items():
        if v[0]:
            want[safe(n)] = want.get(safe(n), 0) + v[0]
    check(leaf == want, "index %d %s: folded leaves differ from top's flat: %s" % (
        index, flags, [(n, leaf.get(n), want.get(n)) for n in set(leaf) | set(want)
                       if leaf.get(n) != want.get(n)][:5]))
    signed = sum(v[0] for v in rows.values())
    check(sum(leaf.values()) == signed, "index %d %s: folded adds up to %d, not %d" % (
        index, flags, sum(leaf.values()), signed))

    rc, out, err = run(pprofc + ["to-callgrind", "--sample-index", str(index)] + flags + [path])
    check(rc == 0, "pprofc to-callgrind failed: %s" % err.decode())
    m = re.search(rb"^totals: (-?\d+)", out, re.M)
    check(m and int(m.group(1)) == signed, "index %d %s: callgrind totals %s, not %d" % (
        index, flags, m and m.group(1), signed))
    return len(a)


def test():
    pprofc, path, gran = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[3]
    flags = ["--" + gran] + ["--noinlines" for a in sys.argv[4:] if a == "noinlines"]
    types = sample_types(path)
    for i, (_, unit) in enumerate(types):
        n = compare_index(pprofc, path, i, unit, gran, flags)
        print("index %d (%s) %s: %d rows agree" % (i, types[i][0], " ".join(flags), n))


if __name__ == "__main__":
    main(test)
