#!/usr/bin/env python3
"""Differential test of the filters: pprofc top --json --OPTION RX against
go tool pprof -top -OPTION=RX on one profile, for one option: pprof's total
(taken before filtering, the base of percentages) and every row's flat and
cum must be equal. The expressions come from the profile's own unfiltered
rows and labels (escaped so that Go's RE2 and POSIX ERE read them alike),
so each one matches something. Then to-folded and to-callgrind of the
filtered profile must add up to what the filtered rows account for, and
the text report must show pprof's "Active filters:" legend.

Compared as in pprof_diff.py: lineless locations against pprof's
-addresses view; pprofc's "[no stack]" row is kept by the filters that do
not need a matching frame, and must then equal the unfiltered one.

usage: filter_diff.py PPROFC PROFILE OPTION   (OPTION "combo": several at once)
       filter_diff.py PPROFC PROFILE --usage   (bad expressions: exit 2)"""
import json
import re
import sys

from harness import TestFailure, check, main, pprof_top, pprofc_cmd, run

ADDR_ROW = re.compile(r"^([0-9a-f]{16}) (\[.*\]|<unknown>)$")
# Options that keep samples without any location (pprofc's [no stack]).
KEEPS_NOSTACK = {"ignore", "hide", "show", "prune_from", "tagshow", "taghide"}


def quote(name):
    """A regex matching exactly `name`, the same in RE2 and POSIX ERE."""
    return "^" + re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", name) + "$"


def pprofc_top(pprofc, path, index, flags):
    rc, out, err = run(pprofc + ["top", "--json", "--sample-index", str(index)] + flags + [path])
    check(rc == 0, "pprofc top %s failed: %s" % (flags, err.decode()))
    mine = json.loads(out)
    rows = {r["name"]: (r["flat"], r["cum"]) for r in mine["rows"]}
    check(len(rows) == len(mine["rows"]), "pprofc printed a name twice")
    return mine["total"], rows


def named(rows):
    return {n: v for n, v in rows.items()
            if not n.startswith("0x") and n != "[no stack]"
            and not (n.startswith("[") and n.endswith("]")) and n != "<unknown>"}


def compare(pprofc, path, index, unit, option, rx, unfiltered_nostack):
    """option and rx, or for "combo" a list of (option, rx) pairs."""
    pairs = rx if option == "combo" else [(option, rx)]
    pflag = ["-%s=%s" % p for p in pairs]
    cflag = [a for o, r in pairs for a in ("--%s" % o.replace("_", "-"), r)]
    total, mine = pprofc_top(pprofc, path, index, cflag)
    ptotal, theirs = pprof_top(path, index, unit, pflag)
    check(total == ptotal, "%s: total %d, go tool pprof says %d" % (cflag, total, ptotal))
    a, b = named(mine), named(theirs)
    check(a == b, "%s: rows differ: only pprofc %s; only pprof %s; different %s" % (
        cflag, sorted(set(a) - set(b))[:5], sorted(set(b) - set(a))[:5],
        [(n, a[n], b[n]) for n in a if n in b and a[n] != b[n]][:5]))
    lineless = {n: v for n, v in mine.items() if n.startswith("0x")}
    if lineless or any(ADDR_ROW.match(n) for n in theirs):
        _, by_addr = pprof_top(path, index, unit, pflag + ["-addresses"])
        addr = {"0x%x" % int(m.group(1), 16): v
                for m, v in ((ADDR_ROW.match(n), v) for n, v in by_addr.items()) if m}
        check(lineless == addr, "%s: address rows differ: %s" % (
            cflag, [(n, lineless.get(n), addr.get(n)) for n in set(lineless) | set(addr)
                    if lineless.get(n) != addr.get(n)][:5]))
    nostack = mine.get("[no stack]", (0, 0))[0]
    want = unfiltered_nostack if all(o in KEEPS_NOSTACK for o, _ in pairs) else 0
    check(nostack == want, "%s: [no stack] is %d, expected %d" % (cflag, nostack, want))

    # What the filtered rows account for: pprof's flat sum, plus [no stack].
    accounted = sum(v[0] for v in theirs.values()) + nostack
    rc, out, err = run(pprofc + ["to-folded", "--sample-index", str(index)] + cflag + [path])
    check(rc == 0, "pprofc to-folded failed: %s" % err.decode())
    folded = sum(int(l.rsplit(b" ", 1)[1]) for l in out.splitlines())
    check(folded == accounted, "%s: folded adds up to %d, filtered rows to %d" % (
        cflag, folded, accounted))
    rc, out, err = run(pprofc + ["to-callgrind", "--sample-index", str(index)] + cflag + [path])
    check(rc == 0, "pprofc to-callgrind failed: %s" % err.decode())
    m = re.search(rb"^totals: (-?\d+)", out, re.M)
    check(m and int(m.group(1)) == accounted, "%s: callgrind totals %s, filtered rows %d" % (
        cflag, m and m.group(1), accounted))

    # The legend, as pprof prints it (prune_from has none).
    rc, text, err = run(pprofc + ["top", "--nodecount", "1", "--sample-index", str(index)] +
                        cflag + [path])
    check(rc == 0, "pprofc top failed: %s" % err.decode())
    rc, ptext, err = run(["go", "tool", "pprof", "-top", "-symbolize=none", "-nodecount=1",
                          "-sample_index=%d" % index] + pflag + [path])
    legend = lambda t: re.findall(r"^Active filters:\n(?:   .*\n)+", t.decode(), re.M)
    check(legend(text) == legend(ptext), "%s: legend %r, pprof's %r" % (
        cflag, legend(text), legend(ptext)))
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
    """The expressions to try for `option`, derived from the profile."""
    names = list(named(rows))
    by_flat = sorted(names, key=lambda n: (-abs(rows[n][0]), n))
    by_cum = sorted(names, key=lambda n: (-abs(rows[n][1]), n))
    # Functions in the middle of stacks: some cum through callees.
    middle = [n for n in by_cum if rows[n][1] != rows[n][0]] or by_cum
    if not names and option in ("focus", "ignore", "hide", "show", "show_from"):
        # Only lineless locations: the name filters match mapping files.
        return [quote(f).strip("^$") for f in mapping_files(path)[:2]]
    if not names and option == "prune_from":
        return []  # it matches function names only
    if option == "combo":
        # Several at once: pprof's order of application and of the legend.
        if len(middle) < 2 or not by_flat:
            return []
        return [[("focus", quote(middle[0])), ("hide", quote(by_flat[0])),
                 ("prune_from", quote(middle[1])), ("taghide", "x")]]
    if option == "ignore":
        # The least-seen function: the most-seen may be in every stack.
        return [quote(n) for n in by_cum[-1:] + middle[1:2]]
    if option in ("focus", "hide"):
        return [quote(n) for n in (by_flat[:1] + middle[1:2])]
    if option == "show":
        return ["|".join(quote(n) for n in by_flat[:3]), quote(middle[0])]
    if option in ("show_from", "prune_from"):
        return [quote(n) for n in middle[:2]]
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
        return out
    keys = sorted(labels) + sorted(nums)
    return [quote(k) for k in keys[:1]] or ["nolabel"]


def test():
    pprofc, path = pprofc_cmd(sys.argv[1]), sys.argv[2]
    if sys.argv[3] == "--usage":
        for opt, bad in (("--focus", "a("), ("--show-from", "[z-a]"), ("--tagfocus", "k=("),
                         ("--tagignore", "a**"), ("--hide", "*")):
            rc, out, err = run(pprofc + ["top", opt, bad, path])
            check(rc == 2, "%s %r: exit %d, expected 2" % (opt, bad, rc))
            lines = err.decode().splitlines()
            check(len(lines) == 1 and lines[0].startswith("pprofc: invalid")
                  and "regular expression" in lines[0] and not out,
                  "%s %r: stderr %r" % (opt, bad, err))
        print("bad expressions are usage errors")
        return
    option = sys.argv[3]
    lines = raw(path).decode().splitlines()
    types = [tuple(t.replace("[dflt]", "").split("/", 1))
             for t in lines[lines.index("Samples:") + 1].split()]
    # pprof's default sample type, by name, for both tools.
    rc, out, err = run(pprofc + ["top", "--json", "--nodecount", "1", path])
    check(rc == 0, "pprofc top failed: %s" % err.decode())
    stype = json.loads(out)["sample_type"]
    index = [t for t, _ in types].index(stype)
    unit = types[index][1]
    _, rows = pprofc_top(pprofc, path, index, [])
    nostack = rows.get("[no stack]", (0, 0))[0]
    exprs = expressions(option, path, rows)
    if not exprs:
        print("SKIP: nothing in %s for -%s to match" % (path, option))
        sys.exit(77)
    # Label filters are tried at every sample index: a heap profile's
    # default (inuse) leaves many labelled samples at zero.
    indices = range(len(types)) if option.startswith("tag") else [index]
    # Each run must show something: rows selected, or rows taken away.
    proof = 0
    for i in indices:
        if i != index:
            _, rows = pprofc_top(pprofc, path, i, [])
            nostack = rows.get("[no stack]", (0, 0))[0]
        before = len([n for n in rows if n != "[no stack]"])
        for rx in exprs:
            n = compare(pprofc, path, i, types[i][1], option, rx, nostack)
            proof += n > 0 or n != before
            print("index %d, -%s=%s: %d rows agree" % (i, option, rx, n))  # noqa
    check(proof, "no expression for -%s selected or removed a row: the test proves nothing" %
          option)


if __name__ == "__main__":
    main(test)
