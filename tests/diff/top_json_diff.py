#!/usr/bin/env python3
"""Differential test of pprofc top against go tool pprof -top, under each
flag that changes its rows: one table of cases (CASES), each with its
pprofc arguments, go tool pprof's arguments (templates, filled in with
each of the case's values: a shorthand, a unit, a regular expression) and
its fixtures. A meson test is one case name on one fixture; rows of the
table with the same name are one test. Each row compares as its kind says:

  rows         at every sample index: the total and every named function's
               flat and cum; the default sample type (no flags) is pprof's
               too; the folded stacks add up to the total.
  granularity  rows at a granularity (--lines, --addresses, ...): every
               row's name, flat and cum; to-folded at the same granularity
               uses the same names (each leaf frame's sum equals its row's
               flat) and adds up to the total; to-callgrind's totals are the
               total.
  filter       at pprof's default sample type (at every index for the tag
               filters): pprof's total (taken before filtering, the base of
               percentages) and every row; to-folded and to-callgrind of the
               filtered profile add up to what the filtered rows account
               for; the text report shows pprof's "Active filters:" legend.
               The expressions come from the profile's own unfiltered rows
               and labels (escaped so that Go's RE2 and POSIX ERE read them
               alike), so each one matches something; some run must select
               or remove a row, or the test proves nothing.
  regex        filter's comparison with pprof's own patterns (Go's RE2:
               \\d, \\w, \\b, \\pL, (?i), *?, [[:alpha:]]); some RE2-only
               pattern must select something.
  usage        bad expressions are usage errors: exit 2, one line.
  shorthand    a sample type's shorthand (--inuse_space, --mean_delay, ...):
               where pprof accepts it, pprofc picks the same type (pprof's
               "Type:" line), the same total and named rows; where pprof
               refuses it (the type is absent), pprofc fails with exit 2 and
               one line naming the option; the '-' spelling prints exactly
               what the '_' spelling prints.
  mean         --mean at every sample index: total, flat and cum equal
               pprof's -mean.
  unit         top's text with --unit at every sample index: the header
               lines are equal (Duration's total in that unit), the total on
               the "Showing nodes" line is the same text, and every named
               function's flat and cum are the same text.

Deliberate differences, checked rather than skipped:
- locations without lines are rows named 0x<address> in pprofc; pprof's
  function view lumps them per binary ([binary] or <unknown>), so they are
  compared with pprof's -addresses view instead (at --addresses pprofc
  names them as pprof does);
- samples with no stack are a "[no stack]" row in pprofc; pprof leaves them
  out of its rows, so that row must equal pprof's total minus its rows (kept
  by the filters that need no matching frame, equal to the unfiltered one);
- with --unit minimum, where those rows hold the smallest value, the unit
  picked may differ: pprofc is run again with pprof's unit, and must then
  agree.

usage: top_json_diff.py --list               (CASE FIXTURES SUITE, a line each)
       top_json_diff.py PPROFC PROFILE CASE"""
import collections
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import (TestFailure, check, main, need, pprof_top, pprofc_cmd, run,
                             sample_types, skip)

# A row of the table. name: the meson test is NAME-FIXTURE; suite: its meson
# suite (besides "diff" and "top-json"); fixtures: ALL, REPORTS or fixture
# names; kind: the comparison; pprofc, pprof: argument templates, "{}"
# filled in from each of values (tuples), or from the profile when values
# is None (the filters' expressions).
Case = collections.namedtuple("Case", "name suite fixtures kind pprofc pprof values")

ALL = "fixtures"  # the real profiles (tests/meson.build's fixtures)
REPORTS = "report_fixtures"  # and labels.pb.gz (support/labels_profile.py)

GRANULARITIES = ["functions", "filefunctions", "files", "lines", "addresses"]
FILTERS = ["focus", "ignore", "hide", "show", "show_from", "prune_from",
           "tagfocus", "tagignore", "tagshow", "taghide"]
SHORTHANDS = ["inuse_space", "inuse_objects", "alloc_space", "alloc_objects",
              "total_delay", "contentions", "mean_delay"]
UNITS = ["minimum", "auto", "ns", "us", "ms", "s", "hrs", "B", "kB", "MB", "GB"]
BAD_FILTERS = [("--focus", "a("), ("--show-from", "[z-a]"), ("--tagfocus", "k=("),
               ("--tagignore", "a**"), ("--hide", "*")]
# The patterns pprof users write, in Go's RE2 syntax.
REGEX_FOCUS = [r"func\d+", r"(?i)MAIN\.", r"\bfib\b", r"main\.(fib|mix)", r"m.*?x",
               r"\w+\.walk", r"^[[:alpha:]]+\.main$", r"^\pL+\.\pL+Tree$",
               r"(?i)^SORT\.\w+\d$"]
REGEX_OTHERS = [("ignore", r"(?i)^RUNTIME\.\w*gc"), ("hide", r"\.func\d+$"),
                ("show", r"(?i)^main\.|^sort\.\w+$"), ("show_from", r"^main\.\w+Once$"),
                ("prune_from", r"(?i)^SORT\."), ("tagfocus", r"(?i)^WORKER:B$"),
                ("tagignore", r"worker=\bA\b|(?i)a"), ("tagshow", r"^\w{5,}$"),
                ("taghide", r"(?i)BYTES")]


def long_flag(option):
    return "--" + option.replace("_", "-")


CASES = (
    [Case("pprof-diff", "differential", ALL, "rows", [], [], [()])] +
    [Case("granularity-" + g + ni, "granularity", ALL, "granularity",
          ["--" + g] + (["--noinlines"] if ni else []), ["-" + g] + (["-noinlines"] if ni else []),
          [()])
     for g in GRANULARITIES for ni in ("", "-noinlines")] +
    [Case("filter-" + o, "filters", ALL, "filter", [long_flag(o), "{}"], ["-%s={}" % o], None)
     for o in FILTERS] +
    [Case("filter-combo", "filters", ALL, "filter",
          ["--focus", "{}", "--hide", "{}", "--prune-from", "{}", "--taghide", "{}"],
          ["-focus={}", "-hide={}", "-prune_from={}", "-taghide={}"], None),
     Case("filter-usage", "filters", ["cpu"], "usage", ["{}", "{}"], [], BAD_FILTERS)] +
    [Case("regex-top", "differential", ["cpu", "heap"], "regex", ["--focus", "{}"],
          ["-focus={}"], [(p,) for p in REGEX_FOCUS])] +
    [Case("regex-top", "differential", ["cpu", "heap"], "regex", [long_flag(o), "{}"],
          ["-%s={}" % o], [(p,)]) for o, p in REGEX_OTHERS] +
    [Case("options", "reports", REPORTS, "shorthand", ["--{}"], ["-{}"],
          [(s,) for s in SHORTHANDS]),
     Case("options", "reports", REPORTS, "mean", ["--mean"], ["-mean"], [()]),
     Case("top-unit", "reports", REPORTS, "unit", ["--unit", "{}"], ["-unit={}"],
          [(u,) for u in UNITS])])

ADDR_ROW = re.compile(r"^([0-9a-f]{16}) (\[.*\]|<unknown>)$")
# Filters that keep samples without any location (pprofc's [no stack]).
KEEPS_NOSTACK = {"ignore", "hide", "show", "prune_from", "tagshow", "taghide"}


def fill(template, value):
    """The arguments: each "{}" of the template the next of value's items."""
    items = iter(value)
    return [a.format(next(items)) if "{}" in a else a for a in template]


def lumped(name):
    """pprof's rows for lineless locations outside -addresses."""
    return (name.startswith("[") and name.endswith("]")) or name == "<unknown>"


def named(rows):
    """The rows both name alike: functions, not addresses or [no stack]."""
    return {n: v for n, v in rows.items()
            if not n.startswith("0x") and n != "[no stack]" and not lumped(n)}


def differ(a, b):
    return "only pprofc %s; only pprof %s; different %s" % (
        sorted(set(a) - set(b))[:5], sorted(set(b) - set(a))[:5],
        [(n, a[n], b[n]) for n in a if n in b and a[n] != b[n]][:5])


def address_rows(by_addr):
    """pprof's -addresses rows of lineless locations, by pprofc's name."""
    return {"0x%x" % int(m.group(1), 16): v
            for m, v in ((ADDR_ROW.match(n), v) for n, v in by_addr.items()) if m}


def check_lineless(lineless, addr, what):
    check(lineless == addr, "%s: address rows differ: %s" % (
        what, [(n, lineless.get(n), addr.get(n)) for n in set(lineless) | set(addr)
               if lineless.get(n) != addr.get(n)][:5]))


def top_json(pprofc, path, flags):
    """pprofc top --json: (the document, {name: (flat, cum)})."""
    rc, out, err = run(pprofc + ["top", "--json"] + flags + [path])
    check(rc == 0, "pprofc top %s failed: %s" % (flags, err.decode()))
    mine = json.loads(out)
    rows = {r["name"]: (r["flat"], r["cum"]) for r in mine["rows"]}
    check(len(rows) == len(mine["rows"]), "pprofc printed a name twice")
    return mine, rows


def callgrind_totals(pprofc, path, flags):
    rc, out, err = run(pprofc + ["to-callgrind"] + flags + [path])
    check(rc == 0, "pprofc to-callgrind failed: %s" % err.decode())
    m = re.search(rb"^totals: (-?\d+)", out, re.M)
    return m and int(m.group(1))


# ---- rows: no flags, and go_fetch_test.py's check of a fetched profile ----

def compare_index(pprofc, path, index, unit, cflags=(), pflags=()):
    """pprofc's rows at one sample index are pprof's; the number of rows."""
    what = "index %d%s" % (index, "".join(" " + f for f in cflags))
    mine, rows = top_json(pprofc, path, ["--sample-index", str(index)] + list(cflags))
    total, theirs = pprof_top(path, index, unit, pflags)
    check(mine["total"] == total,
          "%s: total %d, go tool pprof says %d" % (what, mine["total"], total))
    a, b = named(rows), named(theirs)
    check(a == b, "%s: rows differ: %s" % (what, differ(a, b)))

    lineless = {n: v for n, v in rows.items() if n.startswith("0x")}
    if lineless:
        _, by_addr = pprof_top(path, index, unit, list(pflags) + ["-addresses"])
        check_lineless(lineless, address_rows(by_addr), what)

    their_flat = sum(v[0] for v in theirs.values())
    nostack = rows.get("[no stack]", (0, 0))[0]
    check(nostack == total - their_flat,
          "%s: [no stack] is %d, expected total %d - pprof rows %d" % (
              what, nostack, total, their_flat))

    rc, out, err = run(pprofc + ["to-folded", "--sample-index", str(index)] + list(cflags) +
                       [path])
    check(rc == 0, "pprofc to-folded failed: %s" % err.decode())
    folded_sum = sum(int(l.rsplit(b" ", 1)[1]) for l in out.splitlines())
    check(folded_sum == total,
          "%s: folded stacks add up to %d, total is %d" % (what, folded_sum, total))
    return len(rows)


def run_rows(pprofc, path, case, value):
    cflags, pflags = fill(case.pprofc, value), fill(case.pprof, value)
    types = sample_types(path)
    check(types, "no sample types in %s" % path)
    if not cflags:
        # The default sample type is pprof's too.
        rc, out, err = run(pprofc + ["top", "--json", path])
        check(rc == 0, "pprofc top failed: %s" % err.decode())
        rc, theirs, err = run(["go", "tool", "pprof", "-top", "-symbolize=none", "-nodecount=1",
                               path])
        m = re.search(r"^Type: (.*)$", theirs.decode(), re.M)
        check(m and json.loads(out)["sample_type"] == m.group(1),
              "default sample type %r, pprof's is %r" % (json.loads(out)["sample_type"],
                                                         m and m.group(1)))
    for i, (_, unit) in enumerate(types):
        n = compare_index(pprofc, path, i, unit, cflags, pflags)
        print("index %d (%s)%s: %d rows agree" % (i, types[i][0],
                                                  "".join(" " + f for f in cflags), n))
    return len(types)


# ---- granularity ----------------------------------------------------------

def safe(name):
    """A name as to-folded writes it (see write_folded.c)."""
    s = re.sub(r"[\x00-\x1f\x7f]", "?", name.replace(";", ":"))
    return re.sub(r" ([0-9]+)$", r"_\1", s)


def compare_granularity(pprofc, path, index, unit, cflags, pflags):
    what = "index %d %s" % (index, cflags)
    mine, rows = top_json(pprofc, path, ["--sample-index", str(index)] + cflags)
    total, theirs = pprof_top(path, index, unit, pflags)
    check(mine["total"] == total, "%s: total %d, go tool pprof says %d" % (
        what, mine["total"], total))

    if "--addresses" in cflags:
        a = {n: v for n, v in rows.items() if n != "[no stack]"}
        b = theirs
    else:
        a = named(rows)
        b = {n: v for n, v in theirs.items() if not lumped(n)}
        lineless = {n: v for n, v in rows.items() if n.startswith("0x")}
        if lineless:
            _, by_addr = pprof_top(path, index, unit, ["-addresses"] +
                                   [f for f in pflags if f == "-noinlines"])
            check_lineless(lineless, address_rows(by_addr), what)
    check(a == b, "%s: rows differ: %s" % (what, differ(a, b)))
    nostack = rows.get("[no stack]", (0, 0))[0]
    check(nostack == total - sum(v[0] for v in theirs.values()),
          "%s: [no stack] is %d, pprof's rows leave %d" % (
              what, nostack, total - sum(v[0] for v in theirs.values())))

    # Folded frames carry the same names: each leaf's sum is its flat.
    rc, out, err = run(pprofc + ["to-folded", "--sample-index", str(index)] + cflags + [path])
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
    check(leaf == want, "%s: folded leaves differ from top's flat: %s" % (
        what, [(n, leaf.get(n), want.get(n)) for n in set(leaf) | set(want)
               if leaf.get(n) != want.get(n)][:5]))
    signed = sum(v[0] for v in rows.values())
    check(sum(leaf.values()) == signed, "%s: folded adds up to %d, not %d" % (
        what, sum(leaf.values()), signed))
    totals = callgrind_totals(pprofc, path, ["--sample-index", str(index)] + cflags)
    check(totals == signed, "%s: callgrind totals %s, not %d" % (what, totals, signed))
    return len(a)


def run_granularity(pprofc, path, case, value):
    cflags, pflags = fill(case.pprofc, value), fill(case.pprof, value)
    types = sample_types(path)
    for i, (_, unit) in enumerate(types):
        n = compare_granularity(pprofc, path, i, unit, cflags, pflags)
        print("index %d (%s) %s: %d rows agree" % (i, types[i][0], " ".join(cflags), n))
    return len(types)


# ---- filters --------------------------------------------------------------

def quote(name):
    """A regex matching exactly `name`, the same in RE2 and POSIX ERE."""
    return "^" + re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", name) + "$"


def options_of(pflags):
    """The filter options in pprof's arguments: -focus=RX -> focus."""
    return [f[1:].split("=", 1)[0] for f in pflags]


def compare_filter(pprofc, path, index, unit, cflags, pflags, unfiltered_nostack):
    """The filtered rows are pprof's; the number of rows compared."""
    doc, mine = top_json(pprofc, path, ["--sample-index", str(index)] + cflags)
    total = doc["total"]
    ptotal, theirs = pprof_top(path, index, unit, pflags)
    check(total == ptotal, "%s: total %d, go tool pprof says %d" % (cflags, total, ptotal))
    a, b = named(mine), named(theirs)
    check(a == b, "%s: rows differ: %s" % (cflags, differ(a, b)))
    lineless = {n: v for n, v in mine.items() if n.startswith("0x")}
    if lineless or any(ADDR_ROW.match(n) for n in theirs):
        _, by_addr = pprof_top(path, index, unit, pflags + ["-addresses"])
        check_lineless(lineless, address_rows(by_addr), cflags)
    nostack = mine.get("[no stack]", (0, 0))[0]
    want = unfiltered_nostack if all(o in KEEPS_NOSTACK for o in options_of(pflags)) else 0
    check(nostack == want, "%s: [no stack] is %d, expected %d" % (cflags, nostack, want))

    # What the filtered rows account for: pprof's flat sum, plus [no stack].
    accounted = sum(v[0] for v in theirs.values()) + nostack
    rc, out, err = run(pprofc + ["to-folded", "--sample-index", str(index)] + cflags + [path])
    check(rc == 0, "pprofc to-folded failed: %s" % err.decode())
    folded = sum(int(l.rsplit(b" ", 1)[1]) for l in out.splitlines())
    check(folded == accounted, "%s: folded adds up to %d, filtered rows to %d" % (
        cflags, folded, accounted))
    totals = callgrind_totals(pprofc, path, ["--sample-index", str(index)] + cflags)
    check(totals == accounted, "%s: callgrind totals %s, filtered rows %d" % (
        cflags, totals, accounted))

    # The legend, as pprof prints it (prune_from has none).
    rc, text, err = run(pprofc + ["top", "--nodecount", "1", "--sample-index", str(index)] +
                        cflags + [path])
    check(rc == 0, "pprofc top failed: %s" % err.decode())
    rc, ptext, err = run(["go", "tool", "pprof", "-top", "-symbolize=none", "-nodecount=1",
                          "-sample_index=%d" % index] + pflags + [path])
    legend = lambda t: re.findall(r"^Active filters:\n(?:   .*\n)+", t.decode(), re.M)
    check(legend(text) == legend(ptext), "%s: legend %r, pprof's %r" % (
        cflags, legend(text), legend(ptext)))
    return len(a) + len(lineless)


_RAW = {}


def raw(path):
    """go tool pprof -raw's text, once per run."""
    if path not in _RAW:
        rc, out, err = run(["go", "tool", "pprof", "-raw", "-symbolize=none", path])
        check(rc == 0, "go tool pprof -raw failed: %s" % err.decode())
        _RAW[path] = out
    return _RAW[path]


def _fields(buf):
    """(field, wire type, value) of one protobuf message, in order."""
    i = 0

    def varint():
        nonlocal i
        v = shift = 0
        while True:
            b = buf[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return v
    while i < len(buf):
        k = varint()
        wt = k & 7
        if wt == 0:
            yield k >> 3, wt, varint()
        elif wt == 2:
            n = varint()
            yield k >> 3, wt, buf[i:i + n]
            i += n
        elif wt in (1, 5):
            i += 8 if wt == 1 else 4
        else:
            raise TestFailure("unexpected wire type %d" % wt)


def labels_of(path):
    """({key: {string values}}, {key: {numbers}}) read from the file itself:
    pprof's text forms cannot tell numeric labels from numeric strings."""
    import gzip
    if not re.search(rb"^ {16}\S+:\[", raw(path), re.M):
        return {}, {}  # no labels: spare decoding every sample here
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    strings, found = [], []
    for f, wt, v in _fields(data):
        if f == 6:
            strings.append(v.decode("utf-8", "replace"))
        elif f == 2 and wt == 2:
            for sf, swt, sv in _fields(v):
                if sf == 3 and swt == 2:
                    lab = {1: 0, 2: 0, 3: 0, 4: 0}
                    for lf, lwt, lv in _fields(sv):
                        if lwt == 0 and lf in lab:
                            lab[lf] = lv
                    found.append(lab)
    labels, nums = {}, {}
    for lab in found:
        key = strings[lab[1]]
        if lab[2]:
            labels.setdefault(key, set()).add(strings[lab[2]])
        elif lab[3] or lab[4]:
            n = lab[3] - (1 << 64) if lab[3] >= 1 << 63 else lab[3]
            nums.setdefault(key, set()).add(n)
    return labels, nums


def mapping_files(path):
    """Base names of the mappings' files, from go tool pprof -raw."""
    text = raw(path).decode()
    files = []
    for line in text[text.find("\nMappings\n"):].splitlines()[2:]:
        m = re.match(r"^\d+: 0x[0-9a-f]+/0x[0-9a-f]+/0x[0-9a-f]+ (\S+)", line)
        if m and m.group(1).rsplit("/", 1)[-1] not in files:
            files.append(m.group(1).rsplit("/", 1)[-1])
    return files


def expressions(option, path, rows):
    """The values to try for `option` ("combo": several options at once),
    derived from the profile: tuples for the case's templates."""
    names = list(named(rows))
    by_flat = sorted(names, key=lambda n: (-abs(rows[n][0]), n))
    by_cum = sorted(names, key=lambda n: (-abs(rows[n][1]), n))
    # Functions in the middle of stacks: some cum through callees.
    middle = [n for n in by_cum if rows[n][1] != rows[n][0]] or by_cum
    if not names and option in ("focus", "ignore", "hide", "show", "show_from"):
        # Only lineless locations: the name filters match mapping files.
        return [(quote(f).strip("^$"),) for f in mapping_files(path)[:2]]
    if not names and option == "prune_from":
        return []  # it matches function names only
    if option == "combo":
        # Several at once: pprof's order of application and of the legend.
        if len(middle) < 2 or not by_flat:
            return []
        return [(quote(middle[0]), quote(by_flat[0]), quote(middle[1]), "x")]
    if option == "ignore":
        # The least-seen function: the most-seen may be in every stack.
        return [(quote(n),) for n in by_cum[-1:] + middle[1:2]]
    if option in ("focus", "hide"):
        return [(quote(n),) for n in (by_flat[:1] + middle[1:2])]
    if option == "show":
        return [("|".join(quote(n) for n in by_flat[:3]),), (quote(middle[0]),)]
    if option in ("show_from", "prune_from"):
        return [(quote(n),) for n in middle[:2]]
    labels, nums = labels_of(path)
    if option in ("tagfocus", "tagignore"):
        out = []
        for k in sorted(labels):
            v = sorted(labels[k])[0]
            out += ["%s=%s" % (k, quote(v)), quote("%s:%s" % (k, v))]
        for k in sorted(nums):
            vals = sorted(nums[k])
            mid = vals[len(vals) // 2]
            out += ["%s=%db" % (k, mid), "%s=:%d" % (k, mid), "%d:%d" % (vals[0], mid)]
            if mid >= 1024:
                out.append("%s=%dkb:" % (k, mid // 1024))
        return [(e,) for e in out]
    keys = sorted(labels) + sorted(nums)
    return [(quote(k),) for k in keys[:1]] or [("nolabel",)]


def default_index(pprofc, path):
    """pprof's default sample type, by name, for both tools: (index, types)."""
    lines = raw(path).decode().splitlines()
    types = [tuple(t.replace("[dflt]", "").split("/", 1))
             for t in lines[lines.index("Samples:") + 1].split()]
    rc, out, err = run(pprofc + ["top", "--json", "--nodecount", "1", path])
    check(rc == 0, "pprofc top failed: %s" % err.decode())
    return [t for t, _ in types].index(json.loads(out)["sample_type"]), types


def run_filter(pprofc, path, case, value):
    """The case's filter with each expression; value None: derived ones."""
    index, types = default_index(pprofc, path)
    _, rows = top_json(pprofc, path, ["--sample-index", str(index)])
    nostack = rows.get("[no stack]", (0, 0))[0]
    options = options_of(case.pprof)
    option = options[0] if len(options) == 1 else "combo"
    values = [value] if value is not None else expressions(option, path, rows)
    if not values:
        skip("nothing in %s for -%s to match" % (path, option))
    # Label filters are tried at every sample index: a heap profile's
    # default (inuse) leaves many labelled samples at zero. pprof's own
    # patterns (regex) at the default one.
    indices = range(len(types)) if option.startswith("tag") and case.kind == "filter" \
        else [index]
    # Each run must show something: rows selected, or rows taken away.
    proof = compared = 0
    for i in indices:
        if i != index:
            _, rows = top_json(pprofc, path, ["--sample-index", str(i)])
            nostack = rows.get("[no stack]", (0, 0))[0]
        before = len([n for n in rows if n != "[no stack]"])
        for v in values:
            pflags = fill(case.pprof, v)
            n = compare_filter(pprofc, path, i, types[i][1], fill(case.pprofc, v), pflags,
                               nostack)
            compared += 1
            if case.kind == "regex":
                proof += n > 0 and re2_only(v[0])
            else:
                proof += n > 0 or n != before
            print("index %d, %s: %d rows agree" % (i, " ".join(pflags), n))
    return compared, proof


def re2_only(p):
    return "\\d" in p or "(?i)" in p or "\\p" in p


def run_usage(pprofc, path, case, value):
    cflags = fill(case.pprofc, value)
    rc, out, err = run(pprofc + ["top"] + cflags + [path])
    check(rc == 2, "%s: exit %d, expected 2" % (cflags, rc))
    lines = err.decode().splitlines()
    check(len(lines) == 1 and lines[0].startswith("pprofc: invalid")
          and "regular expression" in lines[0] and not out, "%s: stderr %r" % (cflags, err))
    print("%s: a usage error" % " ".join(cflags))
    return 1


# ---- sample-type shorthands and --mean -------------------------------------

def pprof_type(path, flags):
    rc, out, err = run(["go", "tool", "pprof", "-top", "-symbolize=none", "-nodecount=1"]
                       + flags + [path])
    if rc != 0:
        return None
    m = re.search(r"^Type: (.*)$", out.decode(), re.M)
    check(m, "no Type: line from pprof %s" % flags)
    return m.group(1)


def compare_named(pprofc, path, cflags, pflags, what):
    """Total and named rows as pprof's (pprof picks the sample type)."""
    mine, rows = top_json(pprofc, path, cflags)
    total, theirs = pprof_top(path, None, mine["unit"], pflags)
    check(mine["total"] == total,
          "%s: total %d, go tool pprof says %d" % (what, mine["total"], total))
    a, b = named(rows), named(theirs)
    check(a == b, "%s: rows differ: %s" % (what, differ(a, b)))
    return mine, len(a)


def run_shorthand(pprofc, path, case, value):
    cflags, pflags = fill(case.pprofc, value), fill(case.pprof, value)
    what = " ".join(cflags)
    ptype = pprof_type(path, pflags)
    rc, out, err = run(pprofc + ["top", "--json"] + cflags + [path])
    if ptype is None:
        lines = err.decode().splitlines()
        check(rc == 2 and len(lines) == 1 and cflags[0] in lines[0],
              "%s on a profile without the type: exit %d, stderr %r" % (what, rc, lines))
        print("%s: refused by both (%s)" % (what, lines[0]))
        return 1
    mine, n = compare_named(pprofc, path, cflags, pflags, what)
    want = ("mean_" if "--mean_delay" in cflags else "") + mine["sample_type"]
    check(want == ptype, "%s: pprofc chose %r, pprof %r" % (what, want, ptype))
    dashed = [f.replace("_", "-") for f in cflags]
    rc2, out2, _ = run(pprofc + ["top", "--json"] + dashed + [path])
    check(rc2 == 0 and out2 == out, "%s and %s differ" % (what, " ".join(dashed)))
    print("%s: type %s, %d rows agree" % (what, ptype, n))
    return 1


def run_mean(pprofc, path, case, value):
    cflags, pflags = fill(case.pprofc, value), fill(case.pprof, value)
    types = sample_types(path)
    for i, (t, _) in enumerate(types):
        mine, n = compare_named(pprofc, path, cflags + ["--sample-index", str(i)],
                                pflags + ["-sample_index=%d" % i],
                                "%s index %d" % (" ".join(cflags), i))
        check(mine.get("mean") is True, "--mean not marked in the JSON")
        print("%s index %d (%s): %d rows agree" % (" ".join(cflags), i, t, n))
    return len(types)


# ---- top's text with --unit -------------------------------------------------

ROW = re.compile(r"^\s*(\S+)\s+\S+%\s+\S+%\s+(\S+)\s+\S+%\s+(.*)$")
TOTAL = re.compile(r"^Showing nodes accounting for .* of (\S+) total$")


def parse_text(text, what):
    """(header lines, total text, {named function: (flat, cum) texts})."""
    header, total, rows, seen = [], None, {}, False
    for line in text.splitlines():
        m = TOTAL.match(line)
        if m:
            total = m.group(1)
            continue
        if line.split() == ["flat", "flat%", "sum%", "cum", "cum%"]:
            seen = True
            continue
        if not seen:
            if not line.startswith("Showing top"):
                header.append(line.rstrip())
            continue
        m = ROW.match(line)
        check(m, "%s: cannot parse row %r" % (what, line))
        name = re.sub(r" \((partial-)?inline\)$", "", m.group(3))
        if lumped(name) or re.match(r"^0x[0-9a-f]+$", name):
            continue
        rows[name] = (m.group(1), m.group(2))
    check(total is not None, "%s: no total line" % what)
    return header, total, rows


def odd_rows(text):
    """True when pprofc has rows pprof names differently."""
    return bool(re.search(r"  (\[no stack\]|0x[0-9a-f]+)$", text, re.M))


def pprofc_text(pprofc, path, index, cflags):
    # every row, as pprof's with -nodefraction=0 below
    rc, out, err = run(pprofc + ["top", "--nodefraction", "0", "--sample-index", str(index)] +
                       cflags + [path])
    check(rc == 0, "pprofc top %s failed: %s" % (" ".join(cflags), err.decode()))
    return out.decode()


def run_unit(pprofc, path, case, value):
    cflags, pflags = fill(case.pprofc, value), fill(case.pprof, value)
    what = " ".join(cflags)
    types = sample_types(path)
    for i, (t, unit) in enumerate(types):
        mine_text = pprofc_text(pprofc, path, i, cflags)
        mine = parse_text(mine_text, "pprofc")
        rc, out, err = run(["go", "tool", "pprof", "-top", "-symbolize=none", "-nodecount=0",
                            "-nodefraction=0", "-sample_index=%d" % i] + pflags + [path])
        check(rc == 0, "go tool pprof %s failed: %s" % (" ".join(pflags), err.decode()))
        theirs = parse_text(out.decode(), "pprof")
        if value == ("minimum",) and mine != theirs and odd_rows(mine_text):
            # pprofc's extra rows may hold the smallest value: given the
            # unit pprof picked, everything must then agree.
            picked = re.sub(r"^-?[0-9.]+", "", theirs[1])
            check(picked, "index %d: pprof's total %r has no unit" % (i, theirs[1]))
            mine = parse_text(pprofc_text(pprofc, path, i, fill(case.pprofc, (picked,))),
                              "pprofc")
            print("index %d %s: pprof picks %s, pprofc another unit (its rows pprof "
                  "lumps); compared in %s" % (i, what, picked, picked))
        check(mine[0] == theirs[0], "index %d %s: header %r, pprof's %r" % (
            i, what, mine[0], theirs[0]))
        check(mine[1] == theirs[1], "index %d %s: total %s, pprof's %s" % (
            i, what, mine[1], theirs[1]))
        diff = [(n, mine[2].get(n), theirs[2].get(n)) for n in set(mine[2]) | set(theirs[2])
                if mine[2].get(n) != theirs[2].get(n)]
        check(not diff, "index %d %s: rows differ %s" % (i, what, diff[:3]))
        print("index %d (%s) %s: %d rows agree" % (i, t, what, len(mine[2])))
    return len(types)


KINDS = {"rows": run_rows, "granularity": run_granularity, "filter": run_filter,
         "regex": run_filter, "usage": run_usage, "shorthand": run_shorthand,
         "mean": run_mean, "unit": run_unit}


def run_case(pprofc, path, name):
    rows = [c for c in CASES if c.name == name]
    check(rows, "no case %r (top_json_diff.py --list)" % name)
    compared, proof = 0, None
    for case in rows:
        for value in (case.values if case.values is not None else [None]):
            n = KINDS[case.kind](pprofc, path, case, value)
            if isinstance(n, tuple):
                n, p = n
                proof = (proof or 0) + p
            compared += n
    if proof is not None and rows[0].kind == "regex":
        check(proof, "no RE2-only pattern selected anything in %s: the test proves nothing" %
              path)
    elif proof is not None:
        check(proof, "no expression for %s selected or removed a row: the test proves "
              "nothing" % name)
    print("%s: %d rows of the case table, %d comparisons, all agree" % (
        name, len(rows), compared))


def test():
    pprofc, path, name = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[3]
    if any(c.kind != "usage" for c in CASES if c.name == name):
        need("go")
    run_case(pprofc, path, name)


if __name__ == "__main__":
    if sys.argv[1:] == ["--list"]:
        seen = []
        for c in CASES:
            if c.name not in seen:
                seen.append(c.name)
                fx = c.fixtures if isinstance(c.fixtures, str) else ",".join(c.fixtures)
                print(c.name, fx, c.suite)
        sys.exit(0)
    main(test)
