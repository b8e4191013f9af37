#!/usr/bin/env python3
"""End to end against a real Go net/http/pprof server (the project's
goservice, started here on 127.0.0.1 with bounded load and stopped after):
pprofc fetch saves each endpoint's profile under go tool pprof's name, and
the saved file agrees with go tool pprof at every sample index.

usage: go_fetch_test.py PPROFC GOSERVICE --list | --case NAME"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from diff.top_json_diff import compare_index
from support.harness import (Server, TestFailure, check, clean_env, need, pprofc_cmd, run,
                             sample_types)

ENDPOINTS = {
    "cpu": ("/debug/pprof/profile", ["--seconds", "1"]),
    "heap": ("/debug/pprof/heap", []),
    "allocs": ("/debug/pprof/allocs", []),
    "goroutine": ("/debug/pprof/goroutine", []),
    "mutex": ("/debug/pprof/mutex", []),
    "block": ("/debug/pprof/block", []),
    "threadcreate": ("/debug/pprof/threadcreate", []),
}
CASES = list(ENDPOINTS) + ["write-timeout", "fleet", "walkthrough"]
FLEET, PERIOD = 8, 2


def fetch_endpoint(pprofc, goservice, name, tmp, env):
    path, extra = ENDPOINTS[name]
    with Server([goservice, "-load", "2", "-duration", "60s"]) as srv:
        rc, out, err = run(pprofc + ["fetch"] + extra + [srv.url(path)], env=env)
    check(rc == 0, "fetch %s: %s" % (name, err.decode()))
    m = re.search(r"^Saved profile in (.*)$", err.decode(), re.M)
    check(m, err.decode())
    saved = m.group(1)
    types = sample_types(saved)
    want = "pprof.goservice.%s.001.pb.gz" % ".".join(t for t, _ in types)
    check(os.path.basename(saved) == want, "saved as %s, expected %s" % (saved, want))
    check(os.listdir(env["PPROF_TMPDIR"]) == [want], os.listdir(env["PPROF_TMPDIR"]))
    for i, (_, unit) in enumerate(types):
        rows = compare_index(pprofc, saved, i, unit)
        print("%s index %d: %d rows agree with go tool pprof" % (name, i, rows))


def write_timeout(pprofc, goservice, tmp, env):
    # net/http/pprof refuses a capture longer than the server's WriteTimeout
    # with an X-Go-Pprof header and a text/plain reason: shown as is.
    with Server([goservice, "-write-timeout", "2s", "-duration", "60s"]) as srv:
        rc, out, err = run(pprofc + ["fetch", "-q", "--seconds", "5", srv.addr], env=env)
    lines = err.decode().splitlines()
    check(rc == 1 and len(lines) == 1, (rc, lines))
    check("profile duration exceeds server's WriteTimeout" in lines[0], lines)
    check(not os.listdir(env["PPROF_TMPDIR"]), "left a file")
    print(lines[0])


def fleet(pprofc, goservice, tmp, env):
    """Eight services, one CPU capture each: fetched concurrently they take
    about one sampling period; merged, they are the sum of the saved eight."""
    import contextlib
    import json
    import time
    with contextlib.ExitStack() as stack:
        srvs = [stack.enter_context(Server([goservice, "-load", "1", "-duration", "60s"]))
                for _ in range(FLEET)]
        urls = [s.url("/debug/pprof/profile") for s in srvs]
        # One capture alone, with the same wrapper (valgrind is slow): the
        # fleet must take about as long, not FLEET times as long.
        t0 = time.monotonic()
        rc, _, err = run(pprofc + ["top", "-q", "--seconds", str(PERIOD), urls[0]], env=env)
        single = time.monotonic() - t0
        check(rc == 0, err.decode())
        for f in os.listdir(env["PPROF_TMPDIR"]):
            os.unlink(os.path.join(env["PPROF_TMPDIR"], f))
        t0 = time.monotonic()
        rc, out, err = run(pprofc + ["top", "--json", "--seconds", str(PERIOD)] + urls, env=env)
        elapsed = time.monotonic() - t0
    text = err.decode()
    check(rc == 0, "top over %d URLs: %s" % (FLEET, text))
    check("Fetching %d profiles over HTTP, at most %d at once" % (FLEET, FLEET) in text, text)
    saved = re.findall(r"^Saved profile in (.*)$", text, re.M)
    check(len(saved) == FLEET and len(set(saved)) == FLEET, "saved %r" % saved)
    # One after another would take FLEET x PERIOD seconds more than one.
    check(elapsed < single + (FLEET - 1) * PERIOD / 2,
          "%d captures of %d s took %.1f s, one alone %.1f s" % (FLEET, PERIOD, elapsed, single))
    total = json.loads(out)["total"]
    parts = []
    for path in saved:
        rc, o, e = run(pprofc + ["top", "--json", path])
        check(rc == 0, e.decode())
        parts.append(json.loads(o)["total"])
    check(total == sum(parts) and all(parts), "merged total %d, the saved files' %r" % (
        total, parts))
    # and go tool pprof merges the saved files to the same total
    from support.harness import _TOTAL
    rc, o, e = run(["go", "tool", "pprof", "-top", "-nodecount=1", "-unit=ns",
                    "-symbolize=none"] + saved)
    check(rc == 0, e.decode())
    m = _TOTAL.search(o.decode())
    check(m and round(float(m.group(1))) == total, "go tool pprof's total: %r, ours %d" % (
        m and m.group(0), total))
    print("%d captures of %d s fetched in %.2f s (one alone: %.2f s); merged total %d = sum "
          "of the %d saved" % (FLEET, PERIOD, elapsed, single, total, FLEET))


def walkthrough(pprofc, goservice, tmp, env):
    """The classic session, in a terminal: pprofc URL captures, the prompt
    comes, top, list, kcachegrind (a stand-in viewer), quit."""
    from cli.shell_test import PROMPT, Terminal
    viewer = os.path.join(tmp, "viewer.sh")
    with open(viewer, "w") as f:
        f.write('#!/bin/sh\ncp "$1" "%s/seen"\n' % tmp)
    os.chmod(viewer, 0o755)
    home = env["HOME"]
    with Server([goservice, "-load", "2", "-duration", "60s"]) as srv:
        t = Terminal(pprofc + ["--seconds", "2", srv.url("/debug/pprof/profile")], home,
                     dict(env, PPROFC_KCACHEGRIND=viewer, TMPDIR=tmp))
        greeting = t.read_until(PROMPT, timeout=60)
        check(b"Saved profile in" in greeting and b"Type: cpu" in greeting, greeting)
        t.type(b"top\r")
        out = t.read_until(PROMPT)
        check(b"flat  flat%" in out and b"main." in out, out)
        t.type(b"list main.work\r")
        out = t.read_until(PROMPT)
        check(b"ROUTINE ========" in out, out[:400])
        t.type(b"kcachegrind\r")
        t.read_until(PROMPT)
        t.type(b"quit\r")
        check(t.finish() == 0, "exit status")
    seen = os.path.join(tmp, "seen")
    check(os.path.exists(seen) and open(seen, "rb").read().startswith(b"# callgrind format"),
          "the viewer got no callgrind file")
    left = [f for f in os.listdir(tmp) if f.startswith("callgrind.out")]
    check(not left, "left behind: %s" % left)
    print("walkthrough: capture, top, list, kcachegrind, quit")


def main():
    if sys.argv[3] == "--list":
        print("\n".join(CASES))
        return
    pprofc, goservice, name = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[4]
    need("go")  # builds the service, and reads what it served
    with tempfile.TemporaryDirectory() as tmp:
        env = clean_env(tmp)
        try:
            if name == "write-timeout":
                write_timeout(pprofc, goservice, tmp, env)
            elif name == "fleet":
                fleet(pprofc, goservice, tmp, env)
            elif name == "walkthrough":
                walkthrough(pprofc, goservice, tmp, env)
            else:
                fetch_endpoint(pprofc, goservice, name, tmp, env)
        except TestFailure as e:
            print("FAIL:", e)
            sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
