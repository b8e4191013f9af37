#!/usr/bin/env python3
"""pprofc to-speedscope against speedscope's own schema and app, and its
numbers against go tool pprof.

Cases:
  fixture PROFILE  the file validates against file-format-schema.json (ajv),
                   keeps the rules the schema cannot say (equal lengths,
                   indices in range, positive weights, endValue = their sum,
                   unique frames, merged stacks, units, one profile per
                   sample type, the default one active), and per sample type
                   the weight of the samples containing each of pprof's top
                   10 functions by cum equals that cum (go tool pprof -top
                   -cum in the sample's base unit); the total too. Also with
                   --lines (frames carry their line) and --focus.
  hostile          hostile names (newlines, invalid UTF-8, 1 MB) stay valid
  negative         negative values are refused: exit 1, a message, no file
  browser          speedscope's own app (the npm package's build) loads the
                   file in headless Chromium: the page title becomes the
                   file's name and the sandwich view lists its functions

usage: speedscope_test.py PPROFC NODE_MODULES_DIR STAMP CASE [PROFILE]"""
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import (TestFailure, check, main, need, pprofc_cmd, pprof_top, run,
                             sample_types, skip, tool)
from support.hostile import NAMES, hostile_profile
from support.pbgen import gz, profile

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
UNITS = {"nanoseconds": "nanoseconds", "nanosecond": "nanoseconds", "ns": "nanoseconds",
         "microseconds": "microseconds", "microsecond": "microseconds", "us": "microseconds",
         "milliseconds": "milliseconds", "millisecond": "milliseconds", "ms": "milliseconds",
         "seconds": "seconds", "second": "seconds", "s": "seconds",
         "bytes": "bytes", "byte": "bytes", "b": "bytes"}
# harness.pprof_top forces time units to ns: our values times this
TO_NS = {"nanoseconds": 1, "microseconds": 1000, "milliseconds": 10 ** 6, "seconds": 10 ** 9}


def named(n):
    return not (n.startswith("0x") or (n.startswith("[") and n.endswith("]"))
                or n == "<unknown>")


def validate_schema(modules, files):
    rc, out, err = run(["node", os.path.join(HERE, "speedscope_schema.mjs"), modules] + files)
    check(rc == 0, "speedscope's schema rejects the file:\n%s%s" % (
        out.decode()[:3000], err.decode()[:1000]))


def check_rules(doc, ntypes=None):
    """What file-format-schema.json cannot say. Returns the frames' names."""
    check(doc["$schema"] == "https://www.speedscope.app/file-format-schema.json", "$schema")
    check(re.fullmatch(r"pprofc \d+\.\d+\.\d+", doc["exporter"]), "exporter %r" % doc["exporter"])
    frames = doc["shared"]["frames"]
    keys = [(f["name"], f.get("file"), f.get("line")) for f in frames]
    check(len(set(keys)) == len(keys), "frames are not unique")
    for f in frames:
        check("line" not in f or (isinstance(f["line"], int) and f["line"] > 0),
              "frame line %r" % f)
        check("file" not in f or f["file"], "empty file in %r" % f)
    profiles = doc["profiles"]
    if ntypes is not None:
        check(len(profiles) == ntypes, "%d profiles for %d sample types" % (len(profiles), ntypes))
    check(0 <= doc["activeProfileIndex"] < len(profiles), "activeProfileIndex out of range")
    used = set()
    for p in profiles:
        check(p["type"] == "sampled", "profile type %r" % p["type"])
        s, w = p["samples"], p["weights"]
        check(len(s) == len(w), "%s: %d samples, %d weights" % (p["name"], len(s), len(w)))
        check(all(isinstance(x, int) and x > 0 for x in w), "%s: a weight is not positive" %
              p["name"])
        check(p["startValue"] == 0 and p["endValue"] == sum(w),
              "%s: startValue %r, endValue %r, weights add up to %d" % (
                  p["name"], p["startValue"], p["endValue"], sum(w)))
        stacks = [tuple(x) for x in s]
        check(len(set(stacks)) == len(stacks), "%s: identical stacks not merged" % p["name"])
        for st in stacks:
            check(st and all(isinstance(i, int) and 0 <= i < len(frames) for i in st),
                  "%s: frame index out of range in %r" % (p["name"], st[:10]))
            used.update(st)
    check(used == set(range(len(frames))), "%d frames are in no sample" %
          (len(frames) - len(used)))
    return [f["name"] for f in frames]


def convert(pprofc, path, tmp, extra=()):
    out = os.path.join(tmp, "out.speedscope.json")
    rc, _, err = run(pprofc + ["to-speedscope", "-o", out] + list(extra) + [path])
    check(rc == 0, "pprofc to-speedscope %s failed: %s" % (" ".join(extra), err.decode()))
    with open(out, "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))  # strict UTF-8
    return out, doc


def weight_through(profile_, frames):
    """{frame name: weight of the samples that contain it}"""
    acc = {}
    for st, w in zip(profile_["samples"], profile_["weights"]):
        for name in {frames[i] for i in st}:
            acc[name] = acc.get(name, 0) + w
    return acc


def default_index(path):
    rc, out, err = run(["go", "tool", "pprof", "-raw", "-symbolize=none", path])
    check(rc == 0, err.decode())
    lines = out.decode().splitlines()
    types = lines[lines.index("Samples:") + 1].split()
    for i, t in enumerate(types):
        if t.endswith("[dflt]"):
            return i
    return len(types) - 1


def case_fixture(pprofc, modules, path):
    types = sample_types(path)
    with tempfile.TemporaryDirectory() as tmp:
        out, doc = convert(pprofc, path, tmp)
        files = [os.path.join(tmp, "default.json")]
        shutil.move(out, files[0])
        frames = check_rules(doc, len(types))
        check(doc["name"] == os.path.basename(path), "name %r" % doc["name"])
        check(doc["activeProfileIndex"] == default_index(path),
              "activeProfileIndex %d, pprof's default %d" % (doc["activeProfileIndex"],
                                                             default_index(path)))
        compared = 0
        for i, (typ, unit) in enumerate(types):
            p = doc["profiles"][i]
            check(p["name"] == "%s (%s)" % (typ, unit), "profile name %r" % p["name"])
            want_unit = UNITS.get(unit.lower(), "none")
            check(p["unit"] == want_unit, "%s: unit %r, want %r" % (p["name"], p["unit"],
                                                                      want_unit))
            scale = TO_NS.get(want_unit, 1)
            total, rows = pprof_top(path, i, unit)
            check(p["endValue"] * scale == total, "%s: endValue %d, pprof's total %d" % (
                p["name"], p["endValue"], total))
            through = weight_through(p, frames)
            top = sorted(((v[1], n) for n, v in rows.items() if named(n)),
                         key=lambda x: (-x[0], x[1]))[:10]
            for cum, name in top:
                got = through.get(name, 0) * scale
                check(got == cum, "%s: %s weighs %d in speedscope, pprof's cum %d" % (
                    p["name"], name, got, cum))
                compared += 1
        # --lines: a frame per line, which it names and carries
        out2, doc2 = convert(pprofc, path, tmp, ["--lines", "--sample-index", "0"])
        shutil.move(out2, os.path.join(tmp, "lines.json"))
        files.append(os.path.join(tmp, "lines.json"))
        check_rules(doc2, len(types))
        check(doc2["activeProfileIndex"] == 0, "--sample-index 0 not active")
        for f in doc2["shared"]["frames"]:
            m = re.search(r":(\d+)$", f["name"])
            if m and int(m.group(1)) > 0:
                check(f.get("line") == int(m.group(1)), "--lines frame %r" % f)
        # --focus on pprof's heaviest named function: every sample has it
        focus = None
        total, rows = pprof_top(path, doc["activeProfileIndex"],
                                types[doc["activeProfileIndex"]][1])
        cands = sorted((-v[1], n) for n, v in rows.items() if named(n) and v[1] > 0)
        if cands:
            focus = cands[-1][1]  # the lightest: the focus cuts the most
            rx = re.sub(r"([.\[\](){}*+?|^$\\])", r"\\\1", focus) + "$"
            out3, doc3 = convert(pprofc, path, tmp, ["--focus", rx])
            shutil.move(out3, os.path.join(tmp, "focus.json"))
            files.append(os.path.join(tmp, "focus.json"))
            fr3 = check_rules(doc3, len(types))
            pa = doc3["profiles"][doc3["activeProfileIndex"]]
            check(all(any(re.search(rx, fr3[i]) for i in st) for st in pa["samples"]),
                  "--focus %s: a sample without it" % rx)
            scale = TO_NS.get(pa["unit"], 1)
            check(pa["endValue"] * scale == rows[focus][1],
                  "--focus %s: endValue %d, pprof's cum %d" % (rx, pa["endValue"],
                                                               rows[focus][1]))
        validate_schema(modules, files)
    print("%d sample types, %d frames, %d functions' weights equal pprof's cum; --lines and "
          "--focus%s valid" % (len(types), len(frames), compared,
                               " " + focus if focus else ""))


def case_hostile(pprofc, modules):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "hostile\"name.pb.gz")
        with open(src, "wb") as f:
            f.write(gz(hostile_profile()))
        out, doc = convert(pprofc, src, tmp)
        frames = check_rules(doc, 2)
        validate_schema(modules, [out])
        total = sum(10 * (i + 1) for i in range(len(NAMES) - 1)) + 1000
        check(doc["profiles"][1]["endValue"] == total, "endValue %d, want %d" % (
            doc["profiles"][1]["endValue"], total))
        for want in ["new\nline", "bad\ufffd\ufffdutf8", "A" * (1 << 20), "semi;colon",
                     "esc\x1b[31mred", "ends in 123"]:
            check(want in frames, "name %r not kept" % want[:40])
        check(doc["name"] == "hostile\"name.pb.gz", "file name %r" % doc["name"])
        print("%d hostile names kept, schema-valid" % len(frames))


def case_negative(pprofc):
    data = gz(profile(samples=(([3, 2, 1], [1, 10]), ([2, 1], [2, -25]))))
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "diff.pb.gz")
        with open(src, "wb") as f:
            f.write(data)
        dst = os.path.join(tmp, "out.json")
        rc, out, err = run(pprofc + ["to-speedscope", "-o", dst, src])
        check(rc == 1, "exit %d for negative values" % rc)
        check(re.fullmatch(rb"pprofc: speedscope cannot show negative values: .*'cpu' "
                           rb"sums to -25 .*\n", err), "message %r" % err)
        check(sorted(os.listdir(tmp)) == ["diff.pb.gz"],
              "files left: %s" % os.listdir(tmp))
        rc, out, err = run(pprofc + ["to-speedscope", src])
        check(rc == 1 and out == b"", "stdout: exit %d, %d bytes" % (rc, len(out)))
        # a zero sum is left out, not refused
        data = gz(profile(samples=(([3, 2, 1], [1, 10]), ([3, 2, 1], [1, -10]),
                                   ([2, 1], [2, 20]))))
        with open(src, "wb") as f:
            f.write(data)
        rc, out, err = run(pprofc + ["to-speedscope", src])
        check(rc == 0, err.decode())
        doc = json.loads(out)
        check(doc["profiles"][1]["weights"] == [20], "weights %r" % doc["profiles"][1])
    print("negative sums refused with no output; zero sums left out")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def case_browser(pprofc, modules):
    chromium = tool("chromium")
    app = os.path.join(modules, "speedscope", "dist", "release")
    check(os.path.isfile(os.path.join(app, "index.html")), "no speedscope app in %s" % app)
    fixture = os.path.join(TESTS, "fixtures", "cpu.pb.gz")
    with tempfile.TemporaryDirectory() as tmp:
        www = os.path.join(tmp, "www")
        shutil.copytree(app, www)
        out, doc = convert(pprofc, fixture, tmp)
        shutil.copy(out, os.path.join(www, "profile.json"))
        handler = lambda *a, **k: Quiet(*a, directory=www, **k)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        t = threading.Thread(target=server.serve_forever, daemon=True)
        t.start()
        try:
            base = "http://127.0.0.1:%d/" % server.server_address[1]
            url = base + "index.html#profileURL=" + base + "profile.json&view=sandwich"
            p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                "--user-data-dir=" + os.path.join(tmp, "chrome"),
                                "--virtual-time-budget=15000", "--dump-dom", url],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        finally:
            server.shutdown()
        dom = p.stdout.decode("utf-8", "replace")
        check(p.returncode == 0, "chromium exit %d: %s" % (p.returncode, p.stderr[-500:]))
        m = re.search(r"<title>([^<]*)</title>", dom)
        check(m and m.group(1) == "cpu.pb.gz - speedscope",
              "page title %r: speedscope did not load the file" % (m and m.group(1)))
        # the sandwich view's table lists the heaviest functions
        total, rows = pprof_top(fixture, doc["activeProfileIndex"], "nanoseconds")
        top = sorted((-v[0], n) for n, v in rows.items() if named(n))[:3]
        for _, name in top:
            check(name in dom, "%s is not in speedscope's sandwich view" % name)
    print("speedscope loaded the file: title and functions %s shown" % [n for _, n in top])


def test():
    pprofc, modules, stamp, case = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    if case == "negative":
        return case_negative(pprofc)
    # the schema is read with node, the numbers compared with go tool pprof's
    tools = {"fixture": ("node", "go"), "hostile": ("node",), "browser": ("chromium", "go")}
    need(*tools.get(case, ()))
    with open(stamp) as f:
        why = f.read().strip()
    if why != "ok":
        skip(why)
    if case == "fixture":
        return case_fixture(pprofc, modules, sys.argv[5])
    if case == "hostile":
        return case_hostile(pprofc, modules)
    if case == "browser":
        return case_browser(pprofc, modules)
    raise TestFailure("unknown case %r" % case)


if __name__ == "__main__":
    main(test)
