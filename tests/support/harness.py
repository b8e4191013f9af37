"""Shared helpers for pprofc's test scripts: running programs, parsing
go tool pprof's text output, failing with a clear message, and skipping
(exit 77) with the reason when a program the test needs is not installed."""
import os
import re
import shlex
import shutil
import subprocess
import sys


class TestFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


# The programs the tests run besides pprofc: the names each may have, and
# the Debian package that installs it (scripts/lib.sh installs them all).
TOOLS = {
    "go": (["go"], "golang-go"),
    "callgrind_annotate": (["callgrind_annotate"], "valgrind"),
    "valgrind": (["valgrind"], "valgrind"),
    "xmllint": (["xmllint"], "libxml2-utils"),
    "dot": (["dot"], "graphviz"),
    "node": (["node"], "nodejs"),
    "npm": (["npm"], "npm"),
    "chromium": (["chromium", "chromium-browser", "google-chrome"], "chromium"),
    "openssl": (["openssl"], "openssl"),
}


def skip(why):
    """Skip the test: the reason on stdout, exit 77 (meson's SKIP). The one
    way every test script skips."""
    print("SKIP:", why)
    sys.exit(77)


def tool(name):
    """The path of a program the test needs; without it, skip the test."""
    names, package = TOOLS.get(name, ([name], name))
    for n in names:
        path = shutil.which(n)
        if path:
            return path
    skip("%s not installed (apt-get install %s)" % (name, package))


def need(*names):
    """Skip the test unless every program named is installed."""
    for n in names:
        tool(n)


def pprofc_cmd(path):
    """The command that runs pprofc: PPROFC_WRAPPER (e.g. valgrind) first;
    a wrapper that is not installed skips the test."""
    wrapper = shlex.split(os.environ.get("PPROFC_WRAPPER", ""))
    if wrapper and not shutil.which(wrapper[0]):
        tool(os.path.basename(wrapper[0]))
    return wrapper + [path]


def run(args, stdin=None, env=None):
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    return p.returncode, p.stdout, p.stderr


def cases_of(namespace):
    """A script's cases: its case_NAME functions, by NAME with '-' for '_'."""
    return {n[5:].replace("_", "-"): f for n, f in namespace.items() if n.startswith("case_")}


def main(fn):
    """Run fn(); print the failure and exit 1 on TestFailure."""
    try:
        fn()
    except TestFailure as e:
        print("FAIL:", e)
        sys.exit(1)
    print("ok")


def sample_types(path):
    """[(type, unit)] as google/pprof reads them (from -raw's header)."""
    rc, out, err = run(["go", "tool", "pprof", "-raw", "-symbolize=none", path])
    check(rc == 0, "go tool pprof -raw failed on %s: %s" % (path, err.decode()))
    lines = out.decode().splitlines()
    i = lines.index("Samples:")
    return [tuple(t.replace("[dflt]", "").split("/", 1)) for t in lines[i + 1].split()]


_ROW = re.compile(r"^\s*(-?[0-9.]+)(\S*)\s+-?[0-9.e+-]+%\s+-?[0-9.e+-]+%\s+"
                  r"(-?[0-9.]+)(\S*)\s+-?[0-9.e+-]+%\s+(.*)$")
_TOTAL = re.compile(r"of (-?[0-9.]+)(\S*) total")


def _unit_flag(unit):
    u = unit.lower()
    if u in ("nanoseconds", "nanosecond", "ns", "microseconds", "milliseconds", "seconds"):
        return ["-unit=ns"]
    if u in ("bytes", "byte", "b"):
        return ["-unit=B"]
    return []


def _num(s, unit_suffix):
    # Values are printed with %.2f in the forced base unit: exact integers.
    v = float(s)
    check(abs(v - round(v)) < 1e-6, "non-integer value %s%s" % (s, unit_suffix))
    return int(round(v))


def pprof_top(path, index, unit, extra=()):
    """(total, {name: (flat, cum)}) from go tool pprof -top; index None
    leaves the choice to extra (e.g. -inuse_space)."""
    return pprof_top_args(([] if index is None else ["-sample_index=%d" % index]) +
                          list(extra) + [path], unit)


def pprof_top_args(args, unit):
    """pprof_top with go tool pprof's own arguments (flags, then sources)."""
    args = ["go", "tool", "pprof", "-top", "-symbolize=none", "-nodefraction=0",
            "-nodecount=0"] + _unit_flag(unit) + list(args)
    rc, out, err = run(args)
    check(rc == 0, "%s failed: %s" % (" ".join(args), err.decode()))
    total = None
    rows = {}
    header_seen = False
    for line in out.decode().splitlines():
        m = _TOTAL.search(line)
        if m and total is None:
            total = _num(m.group(1), m.group(2))
            continue
        if line.split() == ["flat", "flat%", "sum%", "cum", "cum%"]:
            header_seen = True
            continue
        if not header_seen:
            continue
        m = _ROW.match(line)
        check(m, "cannot parse pprof row %r" % line)
        name = re.sub(r" \((partial-)?inline\)$", "", m.group(5))
        check(name not in rows, "pprof printed %r twice" % name)
        rows[name] = (_num(m.group(1), m.group(2)), _num(m.group(3), m.group(4)))
    check(total is not None, "no total in pprof output for %s" % " ".join(args))
    return total, rows


class Server:
    """A server process started for a test on 127.0.0.1: it prints
    "listening on 127.0.0.1:PORT" first, and is stopped on exit."""

    def __init__(self, args):
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode()
        m = re.match(r"listening on (127\.0\.0\.1:\d+)", line)
        if not m:
            self.proc.kill()
            raise TestFailure("server did not start: %r" % line)
        self.addr = m.group(1)

    def url(self, path):
        return "http://%s%s" % (self.addr, path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def http_get(url):
    import urllib.request
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as r:
        return r.read()


def clean_env(tmp):
    """Environment for pprofc runs: saves go to tmp/saved, no proxies."""
    env = dict(os.environ)
    for k in list(env):
        if k.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            del env[k]
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PPROF_TMPDIR"] = os.path.join(tmp, "saved")
    env["HOME"] = tmp
    os.makedirs(env["PPROF_TMPDIR"], exist_ok=True)
    return env


# What `pprofc raw` shows of a profile whose rows pprof makes its own way:
SAMPLE = re.compile(r"^\s*-?\d+(?:\s+-?\d+)*:(.*)$")
ADDRESS_ONLY = re.compile(r"^\s+\d+: 0x[0-9a-f]+(?: M=\d+)?\s*$")


def why_skip(pprofc, path):
    """Why pprofc's output cannot be pprof's on this profile, from `raw`
    (None when it can); the caller skips with it."""
    rc, out, err = run(pprofc + ["raw", path])
    check(rc == 0, "pprofc raw failed: %s" % err.decode())
    section = None
    for line in out.decode().splitlines():
        if line in ("Samples:", "Locations", "Mappings", "Functions"):
            section = line
            continue
        if section == "Samples:":
            m = SAMPLE.match(line)
            if m and not m.group(1).strip():
                return "stackless samples"
        elif section == "Locations" and ADDRESS_ONLY.match(line):
            return "address-only frames"
    return None
