#!/usr/bin/env python3
"""Credentials in a URL never appear anywhere: not in any command's output,
message, written or saved file (names and contents), nor in the process's
arguments (ps, /proc/PID/cmdline) while a capture runs. Against the
project's fault server on 127.0.0.1.

usage: secrets_test.py PPROFC FIXTURES_DIR --list | --case NAME"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import (Server, TestFailure, cases_of, check, clean_env, http_get, main,
                             pprofc_cmd, run, skip)

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUPPORT = os.path.join(TESTS, "support")
SECRET = b"s3cr3tPW"
USER = b"pprofuser"

# Every command that takes a SOURCE, with what it needs before it.
COMMANDS = [
    ["to-callgrind"], ["to-folded"], ["to-flamegraph"], ["to-speedscope"], ["to-dot"],
    ["top"], ["tree"], ["peek", "main"], ["list", "main.fib"], ["tags"], ["traces"],
    ["raw"], ["comments"], ["merge"],
]


def url(srv, path):
    return "http://%s:%s@%s%s" % (USER.decode(), SECRET.decode(), srv.addr, path)


def leaks(tmp):
    """Every place under tmp where the secret (or the user name) stands:
    a file's name or its bytes."""
    found = []
    for root, dirs, files in os.walk(tmp):
        for n in dirs + files:
            if SECRET in n.encode() or USER in n.encode():
                found.append(os.path.join(root, n))
        for n in files:
            path = os.path.join(root, n)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            data = open(path, "rb").read()
            if SECRET in data or USER in data:
                found.append(path + " (contents)")
    return found


def check_clean(what, out, err, tmp):
    for stream, data in (("stdout", out), ("stderr", err)):
        check(SECRET not in data and USER not in data,
              "%s: the credentials are on %s: %r" % (what, stream, data[-300:]))
    bad = leaks(tmp)
    check(not bad, "%s: the credentials are in %s" % (what, bad))


def case_every_command(pprofc, fixtures, srv, tmp, env):
    u = url(srv, "/valid")
    for args in COMMANDS:
        name = args[0]
        d = os.path.join(tmp, name)
        os.makedirs(d)
        # Once to standard output, once to a file.
        rc, out, err = run(pprofc + args + [u], env=env)
        check(rc == 0, "%s: exit %d: %s" % (name, rc, err))
        check_clean(name, out, err, tmp)
        rc, out, err = run(pprofc + args + ["-o", os.path.join(d, "out"), u], env=env)
        check(rc == 0, "%s -o: exit %d: %s" % (name, rc, err))
        check_clean(name + " -o", out, err, tmp)
    rc, out, err = run(pprofc + ["fetch", u], env=env)
    check(rc == 0, "fetch: exit %d: %s" % (rc, err))
    check_clean("fetch", out, err, tmp)
    check(len(os.listdir(env["PPROF_TMPDIR"])) == 2 * len(COMMANDS) + 1,
          "not every capture was saved: %s" % os.listdir(env["PPROF_TMPDIR"]))


def case_callgrind_cmd_line(pprofc, fixtures, srv, tmp, env):
    # The label stays useful: the host and path, without the credentials.
    u = url(srv, "/valid")
    rc, out, err = run(pprofc + ["to-callgrind", u], env=env)
    check(rc == 0, err)
    cmd = [l for l in out.decode().splitlines() if l.startswith("cmd:")]
    check(cmd == ["cmd: http://%s/valid" % srv.addr], "cmd line %r" % cmd)
    check_clean("to-callgrind", out, err, tmp)


def case_speedscope_name_of_url_ending_in_slash(pprofc, fixtures, srv, tmp, env):
    u = url(srv, "/")
    rc, out, err = run(pprofc + ["to-speedscope", u], env=env)
    check(rc == 0, err)
    check_clean("to-speedscope", out, err, tmp)
    check(('"name": "http://%s/"' % srv.addr).encode() in out, out[:300])


def case_merge_message(pprofc, fixtures, srv, tmp, env):
    # A CPU profile from the URL cannot merge with a heap profile.
    heap = os.path.join(fixtures, "heap.pb.gz")
    for srcs in ([url(srv, "/valid"), heap], [heap, url(srv, "/valid")],
                 [url(srv, "/valid"), url(srv, "/valid?x=1"), heap]):
        rc, out, err = run(pprofc + ["top"] + srcs, env=env)
        check(rc == 1, "exit %d" % rc)
        check(b"cannot merge" in err, err)
        check(("http://%s/valid" % srv.addr).encode() in err, err)
        check_clean("merge", out, err, tmp)


def case_kcachegrind_file(pprofc, fixtures, srv, tmp, env):
    # The viewer's file, read while the viewer runs: name and contents.
    viewer = os.path.join(tmp, "viewer.sh")
    with open(viewer, "w") as f:
        f.write('#!/bin/sh\ncp "$1" "%s/seen-by-viewer"\nprintf %%s "$1" > "%s/seen-name"\n'
                % (tmp, tmp))
    os.chmod(viewer, 0o755)
    env = dict(env, TMPDIR=tmp)
    rc, out, err = run(pprofc + ["kcachegrind", "--viewer", viewer, url(srv, "/valid")],
                       env=env)
    check(rc == 0, err)
    for _ in range(50):  # the viewer may still be starting
        if os.path.exists(os.path.join(tmp, "seen-name")):
            break
        time.sleep(0.1)
    check(os.path.exists(os.path.join(tmp, "seen-by-viewer")), "the viewer did not run")
    check(b"cmd: http://%s/valid" % srv.addr.encode() in
          open(os.path.join(tmp, "seen-by-viewer"), "rb").read(), "no cmd: line")
    check_clean("kcachegrind", out, err, tmp)


def case_arguments_while_capturing(pprofc, fixtures, srv, tmp, env):
    if os.environ.get("PPROFC_WRAPPER"):
        # Under valgrind, /proc/PID/cmdline is valgrind's own.
        skip("the process's arguments are valgrind's")
    for args in (["top", url(srv, "/slow-profile?seconds=3")],
                 ["top", "--base=" + url(srv, "/slow-profile?seconds=3"),
                  os.path.join(fixtures, "cpu.pb.gz")]):
        hits = int(http_get(srv.url("/hits")))
        p = subprocess.Popen(pprofc + args, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        # read while the capture runs: the server has the request
        deadline = time.time() + 10
        while time.time() < deadline and p.poll() is None and \
                int(http_get(srv.url("/hits"))) == hits:
            time.sleep(0.02)
        try:
            seen = open("/proc/%d/cmdline" % p.pid, "rb").read()
        except OSError:
            seen = b""
        ps = subprocess.run(["ps", "-ww", "-o", "args=", "-p", str(p.pid)],
                            stdout=subprocess.PIPE).stdout
        out, err = p.communicate(timeout=30)
        check(p.returncode == 0, "exit %d: %s" % (p.returncode, err))
        check(b"127.0.0.1" in seen, "never saw the arguments: %r" % seen)
        check(SECRET not in seen and USER not in seen, "/proc/PID/cmdline: %r" % seen)
        check(SECRET not in ps and USER not in ps, "ps: %r" % ps)
        check_clean("top", out, err, tmp)


CASES = cases_of(globals())


def script_main():
    if sys.argv[3] == "--list":
        print("\n".join(CASES))
        return
    pprofc, fixtures, name = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[4]
    valid = os.path.join(fixtures, "cpu.pb.gz")

    def run_case():
        with tempfile.TemporaryDirectory() as tmp, \
                Server([sys.executable, os.path.join(SUPPORT, "fault_server.py"), valid]) as srv:
            work = os.path.join(tmp, "work")
            os.makedirs(work)
            env = clean_env(work)
            CASES[name](pprofc, fixtures, srv, work, env)

    main(run_case)


if __name__ == "__main__":
    script_main()
