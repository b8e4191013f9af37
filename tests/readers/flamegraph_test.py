#!/usr/bin/env python3
"""pprofc to-flamegraph: the SVG is well-formed XML (xmllint and Python's
strict parser), its frames nest and add up, the widest frames are go tool
pprof's top rows by cum, hostile names cannot break it, the differential and
signed colourings follow the crafted numbers, and headless Chromium draws it
and its script zooms and searches.

usage: flamegraph_test.py PPROFC --list
       flamegraph_test.py PPROFC --case NAME
       flamegraph_test.py PPROFC --fixture PROFILE [--go]"""
import bisect
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import (TestFailure, cases_of, check, need, pprof_top, pprofc_cmd, run,
                             sample_types, tool)
from support.pbgen import function, gz, lfield, location, sample, value_type, vfield

SVG = "{http://www.w3.org/2000/svg}"
FONT_CHARS = 12 * 0.59  # pixels per character, as the writer counts
# How far a top row's share of the drawn width may be from pprof's cum%:
# pixel rounding (functions none of whose frames were left out).
TOLERANCE = 0.0001
TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CPU = os.path.join(TESTS, "fixtures", "cpu.pb.gz")


class Frame:
    def __init__(self, g):
        self.d = int(g.get("data-d"))
        self.x = int(g.get("data-x"))
        self.v = int(g.get("data-v"))
        self.a = int(g.get("data-a")) if g.get("data-a") is not None else None
        self.b = int(g.get("data-b")) if g.get("data-b") is not None else None
        title, rect, text = list(g)
        check(title.tag == SVG + "title" and rect.tag == SVG + "rect" and text.tag == SVG + "text",
              "frame children %s" % [c.tag for c in g])
        self.title = title.text or ""
        i = self.title.rfind(" (")
        self.name = self.title[:i] if i >= 0 else self.title
        self.px = float(rect.get("x"))
        self.pw = float(rect.get("width"))
        self.py = float(rect.get("y"))
        self.fill = tuple(int(c) for c in re.match(r"rgb\((\d+),(\d+),(\d+)\)",
                                                   rect.get("fill")).groups())
        self.text = text.text or ""


def pprofc_svg(pprofc, args, path, tmp, name="fg.svg"):
    """Writes the SVG with -o, checks it with xmllint, and parses it."""
    out = os.path.join(tmp, name)
    rc, _, err = run(pprofc + ["to-flamegraph", "-o", out] + args + [path])
    check(rc == 0, "to-flamegraph %s failed: %s" % (args, err.decode(errors="replace")))
    rc, _, err = run(["xmllint", "--noout", out])
    check(rc == 0, "xmllint: %s" % err.decode(errors="replace")[:500])
    root = ET.parse(out).getroot()
    check(root.tag == SVG + "svg", "root element %s" % root.tag)
    group = root.find(SVG + "g[@id='frames']")
    check(group is not None, "no frames group")
    frames = [Frame(g) for g in group]
    return root, group, frames, out


def check_structure(root, group, frames):
    """Frames nest: each lies inside one parent a level up, siblings do not
    overlap, a parent is at least the sum of its children; pixels follow
    values; text fits its frame."""
    total = int(group.get("data-total"))
    fwidth = float(group.get("data-fwidth"))
    xpad = float(group.get("data-xpad"))
    roots = [f for f in frames if f.d == 0]
    check(len(roots) == (1 if total else 0), "%d root frames" % len(roots))
    if not total:
        return total
    check(roots[0].v == total and roots[0].x == 0, "root %d at %d, total %d"
          % (roots[0].v, roots[0].x, total))
    by_depth = {}
    for f in frames:
        check(f.v > 0, "frame %r has value %d" % (f.name, f.v))
        by_depth.setdefault(f.d, []).append(f)
        check(abs(f.px - (xpad + f.x * fwidth / total)) < 0.011 and
              abs(f.pw - f.v * fwidth / total) < 0.011,
              "frame %r drawn at %.2f+%.2f, values say %.2f+%.2f"
              % (f.name, f.px, f.pw, xpad + f.x * fwidth / total, f.v * fwidth / total))
        chars = int((f.pw - 3) / FONT_CHARS)
        check(len(f.text) <= max(chars, 0), "text %r too long for %d chars" % (f.text, chars))
        if f.text and f.text != f.name:
            check(f.text.endswith("..") and f.name.startswith(f.text[:-2]),
                  "text %r is not %r cut" % (f.text, f.name))
    for level in by_depth.values():
        level.sort(key=lambda f: f.x)
    for d, level in by_depth.items():
        for a, b in zip(level, level[1:]):
            check(a.x + a.v <= b.x, "frames %r and %r overlap" % (a.name, b.name))
        if d == 0:
            continue
        parents = by_depth.get(d - 1, [])
        starts = [p.x for p in parents]
        children = {}
        for f in level:
            # the parent: the last frame a level up starting at or before f
            i = bisect.bisect_right(starts, f.x) - 1
            check(i >= 0 and f.x + f.v <= parents[i].x + parents[i].v,
                  "frame %r at depth %d has no parent" % (f.name, d))
            children.setdefault(i, [parents[i], 0, []])[1] += f.v
            children[i][2].append(f.name)
        for p, s, names in children.values():
            check(s <= p.v, "children of %r add up to %d > %d" % (p.name, s, p.v))
            # identical prefixes merged: siblings differ, in name order
            check(len(set(names)) == len(names), "children of %r repeat a name" % p.name)
            if all(re.fullmatch(r"[ -~]*", n) for n in names):
                check(names == sorted(names), "children of %r out of order: %s"
                      % (p.name, names[:5]))
    return total


def cum_by_name(frames):
    """Each name's cum: the sum of its frames not nested in a frame of the
    same name (frames form a laminar family of intervals)."""
    by_name = {}
    for f in frames:
        if f.d > 0:
            by_name.setdefault(f.name, []).append(f)
    cums = {}
    for name, fs in by_name.items():
        fs.sort(key=lambda f: (f.x, f.d))
        end, s, px = -1, 0, 0.0
        for f in fs:
            if f.x >= end:
                s += f.v
                px += f.pw
                end = f.x + f.v
        cums[name] = (s, px)
    return cums


ADDR_ROW = re.compile(r"^([0-9a-f]{16}) (\[.*\]|<unknown>)$")


def pprof_cums(path, index, unit):
    """go tool pprof's total and {name: cum}, lineless locations by address
    (pprofc names them 0x<address>, pprof's function view lumps them)."""
    total, rows = pprof_top(path, index, unit)
    cums = {n: v[1] for n, v in rows.items()
            if not (n.startswith("[") and n.endswith("]")) and n != "<unknown>"}
    if any(n.startswith("[") or n == "<unknown>" for n in rows):
        _, by_addr = pprof_top(path, index, unit, ["-addresses"])
        for n, v in by_addr.items():
            m = ADDR_ROW.match(n)
            if m:
                cums["0x%x" % int(m.group(1), 16)] = v[1]
    return total, cums


class LightFrame:
    """A frame read with a regular expression: fast on a 100 MB SVG."""
    def __init__(self, d, x, v, title):
        self.d, self.x, self.v = int(d), int(x), int(v)
        t = html.unescape(title.decode())
        i = t.rfind(" (")
        self.name = t[:i] if i >= 0 else t
        self.pw = 0.0


LIGHT = re.compile(rb'<g data-d="(\d+)" data-x="(-?\d+)" data-v="(-?\d+)"[^>]*><title>(.*?)</title>',
                   re.S)


def fixture_test(pprofc, path, use_go):
    with tempfile.TemporaryDirectory() as tmp:
        rc, out, err = run(pprofc + ["top", "--json", "--nodecount", "1", path])
        check(rc == 0, err.decode())
        head = json.loads(out)
        rc, folded, err = run(pprofc + ["to-folded", path])
        check(rc == 0, err.decode())
        folded_total = sum(int(l.rsplit(b" ", 1)[1]) for l in folded.splitlines())

        # The default: every frame 0.1 px or wider (a bounded file).
        root, group, pruned, _ = pprofc_svg(pprofc, [], path, tmp)
        total = check_structure(root, group, pruned)
        check(total == folded_total, "root %d, folded stacks add up to %d" % (total, folded_total))
        sub = root.find(SVG + "text[@id='subtitle']").text
        m = re.search(r"(\d+) frames narrower than 0.1 px not drawn", sub)
        dropped = int(m.group(1)) if m else 0
        _, _, icicle, _ = pprofc_svg(pprofc, ["--icicle", "--lines"], path, tmp, "icicle.svg")
        if icicle:
            check(min(f.py for f in icicle) == [f.py for f in icicle if f.d == 0][0],
                  "--icicle: the root is not at the top")

        # Every frame: read fast; checked in full when small. A profile with
        # many frames too narrow to draw (large.cpu: 400,000, a 100 MB file)
        # is drawn in full without PPROFC_WRAPPER: valgrind would take
        # minutes, and the default pass above ran the same code under it.
        full = os.path.join(tmp, "full.svg")
        exe = pprofc if dropped < 20000 else pprofc[-1:]
        rc, _, err = run(exe + ["to-flamegraph", "--minwidth", "0", "-o", full, path])
        check(rc == 0, err.decode())
        if os.path.getsize(full) < (4 << 20):
            root0, group0, frames0, _ = pprofc_svg(pprofc, ["--minwidth", "0"], path, tmp)
            check_structure(root0, group0, frames0)
        frames = [LightFrame(*m) for m in LIGHT.findall(open(full, "rb").read())]
        check(len(pruned) + dropped == len(frames), "%d frames drawn + %d dropped, %d in all"
              % (len(pruned), dropped, len(frames)))
        check(not frames or [f.v for f in frames if f.d == 0] == [total], "root of all frames")
        if not use_go:
            print("%d frames, %d drawn by default; no go: top comparison skipped"
                  % (len(frames), len(pruned)))
            return

        types = sample_types(path)
        index = [t[0] for t in types].index(head["sample_type"])
        ptotal, theirs = pprof_cums(path, index, types[index][1])
        check(total == ptotal, "root frame %d, go tool pprof's total %d" % (total, ptotal))
        # The frames drawn by default are exactly those 0.1 px or wider.
        fwidth = float(group.get("data-fwidth"))
        minval = 0.1 * total / fwidth
        want = sorted((f.d, f.x, f.v, f.name) for f in frames if f.v >= minval or f.d == 0)
        got = sorted((f.d, f.x, f.v, f.name) for f in pruned)
        check(want == got, "%d frames drawn, %d of all frames are 0.1 px or wider"
              % (len(got), len(want)))
        mine = cum_by_name(frames)
        drawn = cum_by_name(pruned)
        top = sorted(theirs.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:10]
        check(top or not total, "no rows from go tool pprof")
        worst, compared = 0, 0
        for name, cum in top:
            check(name in mine, "pprof's row %r is no frame" % name)
            check(mine[name][0] == cum, "%r: frames add up to %d, pprof's cum is %d"
                  % (name, mine[name][0], cum))
            # As drawn: the share of the width is pprof's cum%, unless some
            # of the function's frames were too narrow to draw.
            if sum(1 for f in frames if f.name == name) != \
                    sum(1 for f in pruned if f.name == name):
                continue
            share = drawn[name][1] / fwidth
            worst, compared = max(worst, abs(share - cum / ptotal)), compared + 1
            check(abs(share - cum / ptotal) <= TOLERANCE,
                  "%r: %.4f%% of the width, pprof's cum%% %.4f%%"
                  % (name, 100 * share, 100 * cum / ptotal))
        print("%d frames (%d drawn by default); total and top %d cum equal go tool pprof's; "
              "%d drawn in full, their widths within %.4f%% of cum%%"
              % (len(frames), len(pruned), len(top), compared, 100 * worst))


# ---- crafted profiles ---------------------------------------------------

def crafted(names, samples, labels_strings=(), sample_type=("cpu", "nanoseconds")):
    """A profile with one function per name (file main.go), location i+1
    for name i; samples as ([name indices leaf first], value, labels).
    Built from pbgen's pieces joined once (its profile() appends, which is
    slow for 40,000 functions)."""
    strings = ["", sample_type[0], sample_type[1], "main.go"] + list(labels_strings) + list(names)
    first = 4 + len(labels_strings)
    parts = [lfield(1, value_type(1, 2))]
    for s in samples:
        parts.append(lfield(2, sample([i + 1 for i in s[0]], [s[1]], *s[2:])))
    parts += [lfield(4, location(i + 1, [(i + 1, 10 + i)])) for i in range(len(names))]
    parts += [lfield(5, function(i + 1, first + i, 3)) for i in range(len(names))]
    parts += [lfield(6, n.encode() if isinstance(n, str) else n) for n in strings]
    parts.append(vfield(9, 1))
    return gz(b"".join(parts))


def write(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def case_hostile_names(pprofc, tmp):
    """Names that would end a CDATA section or a script, markup, quotes,
    control bytes, invalid UTF-8 and code points XML forbids, a 1 MB name."""
    names = [b"main.main", b"]]>", b"</script><script>alert(1)</script>", b"<b>&amp;\"'",
             b"nul\x00byte", b"esc\x1b[31m", b"nl\nline", b"bad\xff\xfeutf8", b"nonchar\xef\xbf\xbe",
             b"surrogate\xed\xa0\x80", b"overlong\xc0\xaf", b"A" * (1 << 20), b"",
             "caf\u00e9.\u65e5\u672c\u8a9e".encode()]
    samples = [([i, 0], 10 * i) for i in range(1, len(names))]
    path = write(tmp, "hostile.pb.gz", crafted(names, samples))
    title = "</script>]]>&<x>\x01\"'"
    root, group, frames, out = pprofc_svg(pprofc, ["--title", title, "--minwidth", "0"], path, tmp)
    check_structure(root, group, frames)
    check(root.find(SVG + "text[@id='title']").text == title.replace("\x01", "\\x01"),
          "title %r" % root.find(SVG + "text[@id='title']").text)
    got = {f.name for f in frames if f.d == 2}
    want = {"]]>", "</script><script>alert(1)</script>", "<b>&amp;\"'", "nul\\x00byte",
            "esc\\x1b[31m", "nl\\x0aline", "bad\ufffd\ufffdutf8", "nonchar\ufffd\ufffd\ufffd",
            "surrogate\ufffd\ufffd\ufffd", "overlong\ufffd\ufffd", "A" * (1 << 20), "[unknown]",
            "caf\u00e9.\u65e5\u672c\u8a9e"}
    check(got == want, "names differ: only in SVG %r, missing %r"
          % (sorted(n[:40] for n in got - want), sorted(n[:40] for n in want - got)))
    long = [f for f in frames if f.name == "A" * (1 << 20)][0]
    check(long.text.endswith("..") and 3 <= len(long.text) <= int((long.pw - 3) / FONT_CHARS),
          "the long name is shown as %r" % long.text[:80])
    # The script is the same bytes as for any other profile: no name got in.
    body = open(out, "rb").read()
    _, _, _, plain = pprofc_svg(pprofc, [], CPU, tmp, "plain.svg")
    script = re.compile(rb"<script type=\"text/ecmascript\"><!\[CDATA\[\n(.*?)\]\]></script>",
                        re.S)
    mine, ref = script.findall(body), script.findall(open(plain, "rb").read())
    check(len(mine) == 1 and mine == ref, "script section differs or repeats")
    check(body.count(b"]]>") == 2, "']]>' outside the style and script sections")
    check(not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", body), "control byte in the SVG")


def case_diff_colours(pprofc, tmp):
    """A crafted --diff-base profile: base samples labelled pprof::base=true
    with negated values. Widths are the new values; red where a frame
    grew, blue where it shrank, neutral where equal."""
    names = ["main.main", "main.grow", "main.shrink", "main.same", "main.gone", "main.fresh"]
    base = [(4, 5, 0, 0)]  # pprof::base = true (string indices below)
    samples = [([1, 0], 300), ([2, 0], 100), ([3, 0], 200), ([5, 0], 50),
               ([1, 0], -100, base), ([2, 0], -300, base), ([3, 0], -200, base),
               ([4, 0], -80, base)]
    path = write(tmp, "diff.pb.gz", crafted(names, samples, ["pprof::base", "true"]))
    root, group, frames, _ = pprofc_svg(pprofc, [], path, tmp)
    check_structure(root, group, frames)
    f = {fr.name: fr for fr in frames}
    check(set(f) == {"all", "main.main", "main.grow", "main.shrink", "main.same", "main.fresh"},
          "frames %s (a frame only in the base has no width)" % sorted(f))
    expect = {"main.grow": (300, 100), "main.shrink": (100, 300), "main.same": (200, 200),
              "main.fresh": (50, 0), "main.main": (650, 680), "all": (650, 680)}
    for name, (after, before) in expect.items():
        fr = f[name]
        check((fr.v, fr.a, fr.b) == (after, after, before), "%s: width %d, after %s, before %s"
              % (name, fr.v, fr.a, fr.b))
        r, g, b = fr.fill
        if after > before:
            check(r == 255 and g == b < 255, "%s grew but is %s" % (name, fr.fill))
        elif after < before:
            check(b == 255 and r == g < 255, "%s shrank but is %s" % (name, fr.fill))
        else:
            check(r == g == b, "%s is unchanged but %s" % (name, fr.fill))
    # intensity by the relative change: +200% is redder than +10%
    check(f["main.fresh"].fill[1] < f["main.grow"].fill[1] < f["main.main"].fill[0],
          "intensities %s %s %s" % (f["main.fresh"].fill, f["main.grow"].fill, f["main.main"].fill))
    check("before" in f["main.grow"].title and "delta +200ns" in f["main.grow"].title,
          "tooltip %r" % f["main.grow"].title)
    check("delta -200ns" in f["main.shrink"].title, "tooltip %r" % f["main.shrink"].title)


def case_diff_base_option(pprofc, tmp):
    """The real --diff-base: two unlabelled profiles, compared by the option.
    Each frame's after and before are its widths in the source's and the
    base's own flame graphs; red where it grew, blue where it shrank."""
    names = ["main.main", "main.grow", "main.shrink", "main.same", "main.gone", "main.fresh"]
    src = write(tmp, "src.pb.gz", crafted(names, [([1, 0], 300), ([2, 0], 100), ([3, 0], 200),
                                                 ([5, 0], 50), ([1, 0], 20)]))
    base = write(tmp, "base.pb.gz", crafted(names, [([1, 0], 100), ([2, 0], 300), ([3, 0], 200),
                                                   ([4, 0], 80)]))
    _, _, fs, _ = pprofc_svg(pprofc, ["--minwidth", "0"], src, tmp, "src.svg")
    _, _, fb, _ = pprofc_svg(pprofc, ["--minwidth", "0"], base, tmp, "base.svg")
    root, group, fd, _ = pprofc_svg(pprofc, ["--minwidth", "0", "--diff-base", base], src, tmp,
                                    "diff.svg")
    check_structure(root, group, fd)
    after = {f.name: f.v for f in fs}
    before = {f.name: f.v for f in fb}
    got = {f.name: (f.a, f.b) for f in fd}
    want = {n: (after[n], before.get(n, 0)) for n in after}
    check(got == want, "diff frames %r, expected %r" % (got, want))
    for f in fd:
        r, g, b = f.fill
        if f.a > f.b:
            check(r == 255 and g == b < 255, "%s grew but is %s" % (f.name, f.fill))
        elif f.a < f.b:
            check(b == 255 and r == g < 255, "%s shrank but is %s" % (f.name, f.fill))
    print("--diff-base: %d frames, after and before equal each profile's own widths" % len(fd))


def case_signed_values(pprofc, tmp):
    """Negative values without diff labels (a --base subtraction): widths
    are |net| per stack, colour by sign."""
    names = ["main.main", "main.up", "main.down", "main.mixed"]
    samples = [([1, 0], 100), ([2, 0], -50), ([3, 1, 0], 30), ([3, 2, 0], -10)]
    path = write(tmp, "signed.pb.gz", crafted(names, samples))
    root, group, frames, _ = pprofc_svg(pprofc, [], path, tmp)
    check_structure(root, group, frames)
    f = {(fr.name, fr.d): fr for fr in frames}
    up, down = f[("main.up", 2)], f[("main.down", 2)]
    check((up.v, up.a, down.v, down.a) == (130, 130, 60, -60),
          "up %d/%d down %d/%d" % (up.v, up.a, down.v, down.a))
    check(up.fill[0] == 255 and up.fill[2] < 255, "positive frame is %s" % (up.fill,))
    check(down.fill[2] == 255 and down.fill[0] < 255, "negative frame is %s" % (down.fill,))
    mm = f[("main.main", 1)]
    check(mm.v == 190 and mm.a == 70 and mm.fill[0] == 255 and mm.fill[1] > up.fill[1],
          "main.main: width %d net %d colour %s" % (mm.v, mm.a, mm.fill))
    check("net -60ns" in down.title, down.title)


def case_package_colours(pprofc, tmp):
    """One hue per package: Go import paths, C++ namespaces."""
    names = ["main.main", "main.a", "main.b", "github.com/x/y.(*T).M", "github.com/x/y.F",
             "std::vector<int>::push_back", "std::sort", "runtime.mallocgc"]
    samples = [([i, 0], 100) for i in range(1, len(names))]
    path = write(tmp, "pkgs.pb.gz", crafted(names, samples))
    _, _, frames, _ = pprofc_svg(pprofc, [], path, tmp)
    f = {fr.name: fr.fill for fr in frames}

    def same(a, b):
        return f[a][0] == f[b][0] and abs(f[a][1] - f[b][1]) <= 12

    for a, b in (("main.a", "main.b"), ("main.a", "main.main"),
                 ("github.com/x/y.(*T).M", "github.com/x/y.F"),
                 ("std::vector<int>::push_back", "std::sort")):
        check(same(a, b), "%s %s and %s %s should share a hue" % (a, f[a], b, f[b]))
    check(not (same("main.a", "runtime.mallocgc") and same("main.a", "std::sort") and
               same("main.a", "github.com/x/y.F")), "every package has the same hue")
    for c in f.values():
        check(c[0] >= 205 and c[1] <= 230 and c[2] <= 55, "not a warm colour: %s" % (c,))


def case_options(pprofc, tmp):
    """--width, --title, --icicle, granularity, and bad values."""
    root, group, frames, _ = pprofc_svg(pprofc, ["--width", "600", "--title", "T"], CPU, tmp)
    check(root.get("width") == "600" and abs(float(group.get("data-fwidth")) - 580) < 1e-9,
          "width %s" % root.get("width"))
    check(root.find(SVG + "text[@id='title']").text == "T", "title")
    rootf = [f for f in frames if f.d == 0][0]
    check(rootf.pw == 580.0 and rootf.py == max(f.py for f in frames), "flame: root at the bottom")
    _, _, ice, _ = pprofc_svg(pprofc, ["--icicle"], CPU, tmp, "ice.svg")
    check([f for f in ice if f.d == 0][0].py == min(f.py for f in ice), "icicle: root on top")
    # granularity: the frames are the folded stacks' frames
    for args in (["--lines"], ["--noinlines"], ["--files"]):
        _, _, fr, _ = pprofc_svg(pprofc, args + ["--minwidth", "0"], CPU, tmp, "g.svg")
        rc, out, _ = run(pprofc + ["to-folded"] + args + [CPU])
        folded = {n for l in out.decode().splitlines() for n in l.rsplit(" ", 1)[0].split(";")}
        check({f.name for f in fr if f.d > 0} == folded, "%s: frame names differ from folded" % args)
    for args, words in ((["--width", "50"], "invalid width '50'"),
                        (["--width", "x"], "invalid width 'x'"),
                        (["--minwidth", "-1"], "invalid minimum width '-1'"),
                        (["--mean"], "--mean is not supported by to-flamegraph")):
        rc, out, err = run(pprofc + ["to-flamegraph"] + args + [CPU])
        check(rc == 2 and not out and words in err.decode(), "%s: exit %d, %r" % (args, rc, err))


def case_size_bounded(pprofc, tmp):
    """15,000 stacks too narrow to see are left out: the file stays small and
    says how many frames it did not draw."""
    n = 15000
    names = ["main.main", "main.big"] + ["main.tiny%d" % i for i in range(n)]
    samples = [([1, 0], 10 ** 9)] + [([i + 2, 0], 1) for i in range(n)]
    path = write(tmp, "many.pb.gz", crafted(names, samples))
    root, group, frames, out = pprofc_svg(pprofc, [], path, tmp)
    check_structure(root, group, frames)
    check(len(frames) == 3, "%d frames drawn" % len(frames))
    check(os.path.getsize(out) < 20000, "SVG of %d bytes" % os.path.getsize(out))
    sub = root.find(SVG + "text[@id='subtitle']").text
    check("%d frames narrower than 0.1 px not drawn" % n in sub, sub)
    _, _, every, out = pprofc_svg(pprofc, ["--minwidth", "0"], path, tmp, "all.svg")
    check(len(every) == n + 3, "--minwidth 0: %d frames" % len(every))


def case_empty_profile(pprofc, tmp):
    """No sample with a value: still a well-formed picture, saying so."""
    path = write(tmp, "empty.pb.gz", crafted(["main.main"], [([0], 0)]))
    root, group, frames, _ = pprofc_svg(pprofc, [], path, tmp)
    check(not frames and group.get("data-total") == "0", "frames in an empty profile")
    check(any(t.text == "No samples with a value" for t in root.iter(SVG + "text")), "no message")


# ---- headless Chromium ---------------------------------------------------

def chromium_run(args, tmp):
    exe = tool("chromium")
    env = dict(os.environ, HOME=tmp)
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--user-data-dir=" + os.path.join(tmp, "profile"), "--hide-scrollbars"] + args
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def png_pixels(data):
    """(width, height, rows of RGB(A) tuples) of an 8-bit, non-interlaced
    RGB or RGBA PNG, decoded with zlib alone."""
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    check(depth == 8 and ctype in (2, 6) and not interlace, "PNG kind %s" % (ihdr,))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def case_chromium_screenshot(pprofc, tmp):
    """Chromium opens the SVG and draws a flame graph: many colours, most
    of them warm frames, not a blank page."""
    _, _, frames, svg = pprofc_svg(pprofc, [], CPU, tmp)
    shot = os.path.join(tmp, "shot.png")
    rc, _, err = chromium_run(["--window-size=1200,600", "--screenshot=" + shot,
                               "file://" + svg], tmp)
    check(rc == 0 and os.path.exists(shot), "chromium: exit %d: %s" % (rc, err.decode()[-500:]))
    w, h, bpp, rows = png_pixels(open(shot, "rb").read())
    colours, warm = set(), 0
    for row in rows:
        for i in range(0, w * bpp, bpp):
            px = row[i:i + 3]
            colours.add(px)
            warm += px[0] >= 200 and px[2] <= 80
    check(len(colours) > 50, "%d distinct colours: blank?" % len(colours))
    check(warm > w * h // 20, "%d warm pixels of %d" % (warm, w * h))
    if os.environ.get("FLAMEGRAPH_SHOT"):
        shutil.copy(shot, os.environ["FLAMEGRAPH_SHOT"])
    print("%dx%d screenshot, %d colours, %d%% warm" % (w, h, len(colours), 100 * warm // (w * h)))


WRAPPER = """<!DOCTYPE html><html><body>
<object id="o" type="image/svg+xml" data="fg.svg?s=runtime"></object>
<pre id="out">pending</pre>
<script>
var o = document.getElementById('o');
o.addEventListener('load', function () {
  var res = {};
  try {
    var d = o.contentDocument, w = d.defaultView;
    var frames = d.getElementById('frames').children;
    var snap = function () {
      return Array.prototype.map.call(frames, function (g) {
        return [g.getAttribute('class') || '', Number(g.children[1].getAttribute('x')),
                Number(g.children[1].getAttribute('width')), g.children[1].getAttribute('fill'),
                g.children[2].textContent];
      });
    };
    res.opened = snap();
    res.openedMatched = d.getElementById('matched').textContent;
    w.resetSearch();
    res.before = snap();
    frames[TARGET].children[1].dispatchEvent(new MouseEvent('click', {bubbles: true}));
    res.zoomed = snap();
    res.unzoomClass = d.getElementById('unzoom').getAttribute('class');
    res.sum = w.search('SEARCH');
    res.matched = d.getElementById('matched').textContent;
    res.searched = snap();
    d.getElementById('unzoom').dispatchEvent(new MouseEvent('click', {bubbles: true}));
    res.unzoomed = snap();
  } catch (e) {
    res.error = String(e);
  }
  document.getElementById('out').textContent = JSON.stringify(res);
});
</script></body></html>
"""


def case_chromium_zoom_search(pprofc, tmp):
    """The SVG's own script in Chromium: a click on a frame makes it the
    full width, keeps its ancestors (dimmed), scales its descendants and
    hides the rest; Reset Zoom restores every width; search highlights the
    matching frames and reports the share they cover; ?s= searches on load."""
    root, group, frames, svg = pprofc_svg(pprofc, [], CPU, tmp)
    fwidth, xpad = float(group.get("data-fwidth")), float(group.get("data-xpad"))
    total = int(group.get("data-total"))

    def contains(a, b):
        return a.x <= b.x and b.x + b.v <= a.x + a.v

    # the frame at depth >= 2 with the most descendants, narrower than half
    cands = [(sum(1 for g in frames if g.d > f.d and contains(f, g)), i)
             for i, f in enumerate(frames) if f.d >= 2 and f.v * 2 < total]
    _, target = max(cands)
    t = frames[target]
    regex = "^runtime\\\\."
    page = WRAPPER.replace("TARGET", str(target)).replace("SEARCH", regex)
    with open(os.path.join(tmp, "page.html"), "w") as f:
        f.write(page)
    rc, out, err = chromium_run(["--allow-file-access-from-files", "--virtual-time-budget=10000",
                                 "--dump-dom", "file://" + os.path.join(tmp, "page.html")], tmp)
    check(rc == 0, "chromium: exit %d: %s" % (rc, err.decode()[-500:]))
    m = re.search(rb'<pre id="out">(.*?)</pre>', out, re.S)
    check(m and m.group(1) != b"pending", "the page's script did not run: %r" % out[-300:])
    res = json.loads(html.unescape(m.group(1).decode()))
    check("error" not in res, "script error: %s" % res.get("error"))

    def is_match(f):
        return re.search(r"^runtime\.", f.name) is not None

    magenta = "rgb(230,0,230)"
    for f, s in zip(frames, res["opened"]):
        check((s[3] == magenta) == ("runtime" in f.name), "?s=runtime: %r is %s" % (f.name, s[3]))
    check(res["openedMatched"].startswith("Matched: "), res["openedMatched"])
    for f, s in zip(frames, res["before"]):
        check(abs(s[1] - f.px) < 0.011 and abs(s[2] - f.pw) < 0.011 and s[3] != magenta,
              "before zooming, %r moved" % f.name)
    scale = fwidth / t.v
    hidden = shown = 0
    for f, s in zip(frames, res["zoomed"]):
        if f.d < t.d and contains(f, t):
            check("parent" in s[0] and s[1] == xpad and s[2] == fwidth,
                  "ancestor %r after zoom: %s" % (f.name, s))
        elif f.d >= t.d and contains(t, f):
            shown += 1
            check("hide" not in s[0] and abs(s[1] - (xpad + (f.x - t.x) * scale)) < 0.011 and
                  abs(s[2] - f.v * scale) < 0.011, "descendant %r after zoom: %s" % (f.name, s))
            chars = int((s[2] - 3) / FONT_CHARS)
            check(len(s[4]) <= max(chars, 0) and (s[4] == f.name or chars < 3 or
                                                  s[4].endswith("..")),
                  "text %r in %.2f px" % (s[4], s[2]))
        else:
            hidden += 1
            check("hide" in s[0], "%r not hidden after zoom: %s" % (f.name, s))
    check(res["zoomed"][target][2] == fwidth and hidden > 0, "the zoomed frame is not full width")
    check("hide" not in (res["unzoomClass"] or ""), "Reset Zoom not shown")
    # search: the value covered by matches, nested ones once
    hits = sorted(((f.x, f.v) for f in frames if is_match(f)), key=lambda h: (h[0], -h[1]))
    want, end = 0, -1
    for x, v in hits:
        if x >= end:
            want, end = want + v, x + v
    check(want > 0 and res["sum"] == want, "search covered %s, expected %d" % (res["sum"], want))
    check(res["matched"] == "Matched: %.2f%%" % (100 * want / total), res["matched"])
    for f, s in zip(frames, res["searched"]):
        check((s[3] == magenta) == is_match(f), "search: %r is %s" % (f.name, s[3]))
    for f, s in zip(frames, res["unzoomed"]):
        check(s[0] in ("", ) and abs(s[1] - f.px) < 0.011 and abs(s[2] - f.pw) < 0.011,
              "after Reset Zoom, %r is at %s" % (f.name, s))
    print("zoom on %r: %d frames scaled, %d hidden; search covered %s"
          % (t.name, shown, hidden, res["matched"]))


CASES = cases_of(globals())


def main():
    pprofc = pprofc_cmd(sys.argv[1])
    try:
        if sys.argv[2] == "--list":
            print("\n".join(CASES))
            return
        need("xmllint")  # every SVG is checked with it
        if sys.argv[2] == "--fixture":
            fixture_test(pprofc, sys.argv[3], "--go" in sys.argv[4:])
        else:
            with tempfile.TemporaryDirectory() as tmp:
                CASES[sys.argv[3]](pprofc, tmp)
    except TestFailure as e:
        print("FAIL:", e)
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
