#!/usr/bin/env python3
"""Outputs opened in a viewer (kcachegrind, web): a stand-in viewer records
its argument and checks the file while it runs; pprofc waits for it, and
afterwards no file is left in $TMPDIR, on every path.

usage: viewer_test.py PPROFC FIXTURE --list | --case NAME"""
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import TestFailure, cases_of, check, main, pprofc_cmd, run

# Records its argument and a copy of the file, then waits $VIEWER_SLEEP s.
STAND_IN = """#!/bin/sh
printf '%s\\n' "$@" > "$VIEWER_DIR/args"
cp "$1" "$VIEWER_DIR/copy" || exit 3
sleep "${VIEWER_SLEEP:-0}"
"""
# A launcher: hands the file to a "browser" in the background and returns.
LAUNCHER = """#!/bin/sh
(sleep 0.5; cp "$1" "$VIEWER_DIR/copy") &
exit 0
"""


def setup(tmp, script):
    vdir = os.path.join(tmp, "viewer")
    tdir = os.path.join(tmp, "tmpdir")
    os.makedirs(vdir)
    os.makedirs(tdir)
    path = os.path.join(vdir, "view.sh")
    with open(path, "w") as f:
        f.write(script)
    os.chmod(path, 0o755)
    env = dict(os.environ, VIEWER_DIR=vdir, TMPDIR=tdir, BROWSER=path)
    return path, vdir, tdir, env


def check_left(tdir):
    check(os.listdir(tdir) == [], "left behind in $TMPDIR: %s" % os.listdir(tdir))


def opened(vdir, suffix):
    args = open(os.path.join(vdir, "args")).read().split("\n")[:-1]
    check(len(args) == 1 and args[0].endswith(suffix), "viewer's arguments %r" % args)
    return args[0], open(os.path.join(vdir, "copy"), "rb").read()


def case_kcachegrind(pprofc, fixture, tmp):
    path, vdir, tdir, env = setup(tmp, STAND_IN)
    env["VIEWER_SLEEP"] = "1.5"
    t = time.time()
    rc, out, err = run(pprofc + ["kcachegrind", "--viewer", path, fixture], env=env)
    check(rc == 0, err)
    check(time.time() - t >= 1.5, "pprofc did not wait for the viewer")
    name, data = opened(vdir, "")
    check(os.path.basename(name).startswith("callgrind.out.pprofc."), name)
    check(data.startswith(b"# callgrind format\n") and b"\ntotals: " in data, data[:100])
    with open(os.path.join(tmp, "cg.out"), "wb") as f:
        f.write(data)
    rc, ann, aerr = run(["callgrind_annotate", "--auto=no", os.path.join(tmp, "cg.out")])
    check(rc == 0 and b"PROGRAM TOTALS" in ann, "not a callgrind file: %r" % aerr)
    check_left(tdir)


def case_kcachegrind_pprof_form(pprofc, fixture, tmp):
    path, vdir, tdir, env = setup(tmp, STAND_IN)
    env["PPROFC_KCACHEGRIND"] = path
    rc, out, err = run(pprofc + ["-kcachegrind", fixture], env=env)
    check(rc == 0, err)
    name, data = opened(vdir, "")
    check(data.startswith(b"# callgrind format\n"), data[:100])
    check_left(tdir)


def case_kcachegrind_not_installed(pprofc, fixture, tmp):
    path, vdir, tdir, env = setup(tmp, STAND_IN)
    rc, out, err = run(pprofc + ["kcachegrind", "--viewer", "no-such-viewer-pprofc", fixture],
                       env=env)
    lines = err.decode().splitlines()
    check(rc == 1 and len(lines) == 1 and "not installed" in lines[0], lines)
    check_left(tdir)


def case_kcachegrind_viewer_fails(pprofc, fixture, tmp):
    path, vdir, tdir, env = setup(tmp, "#!/bin/sh\nexit 7\n")
    rc, out, err = run(pprofc + ["kcachegrind", "--viewer", path, fixture], env=env)
    check(rc == 0, err)  # as go tool pprof, the viewer's own status is its own
    check_left(tdir)


def case_kcachegrind_interrupted(pprofc, fixture, tmp):
    path, vdir, tdir, env = setup(tmp, STAND_IN)
    env["VIEWER_SLEEP"] = "30"
    p = subprocess.Popen(pprofc + ["kcachegrind", "--viewer", path, fixture], env=env,
                         stderr=subprocess.PIPE, start_new_session=True)
    for _ in range(200):
        if os.path.exists(os.path.join(vdir, "copy")):
            break
        time.sleep(0.05)
    check(os.path.exists(os.path.join(vdir, "copy")), "the viewer never ran")
    os.killpg(p.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
    p.communicate(timeout=30)
    check(p.returncode != 0, "exit %d after SIGINT" % p.returncode)
    check_left(tdir)


def case_web(pprofc, fixture, tmp):
    path, vdir, tdir, env = setup(tmp, STAND_IN)
    rc, out, err = run(pprofc + ["web", fixture], env=env)
    check(rc == 0, err)
    name, data = opened(vdir, ".svg")
    check(data.startswith(b"<?xml") and b"<svg" in data, data[:100])
    # the call graph of to-dot --svg
    rc, svg, err = run(pprofc + ["to-dot", "--svg", fixture])
    check(data == svg, "web's SVG is not to-dot --svg's")
    check_left(tdir)


def case_web_pprof_form(pprofc, fixture, tmp):
    path, vdir, tdir, env = setup(tmp, STAND_IN)
    rc, out, err = run(pprofc + ["-web", "-nodecount=5", fixture], env=env)
    check(rc == 0, err)
    name, data = opened(vdir, ".svg")
    rc, svg, err = run(pprofc + ["to-dot", "--svg", "--nodecount", "5", fixture])
    check(data == svg, "-web -nodecount=5 is not to-dot --svg --nodecount 5")
    check_left(tdir)


def case_web_launcher_returns_at_once(pprofc, fixture, tmp):
    # xdg-open hands the file over and exits: the file must still be there
    # when the browser reads it a moment later, and gone afterwards.
    path, vdir, tdir, env = setup(tmp, LAUNCHER)
    rc, out, err = run(pprofc + ["web", fixture], env=env)
    check(rc == 0, err)
    for _ in range(40):
        if os.path.exists(os.path.join(vdir, "copy")):
            break
        time.sleep(0.05)
    check(os.path.exists(os.path.join(vdir, "copy")) and
          open(os.path.join(vdir, "copy"), "rb").read().startswith(b"<?xml"),
          "the browser found no file")
    check_left(tdir)


def case_web_refuses_output(pprofc, fixture, tmp):
    path, vdir, tdir, env = setup(tmp, STAND_IN)
    rc, out, err = run(pprofc + ["web", "-o", os.path.join(tmp, "x.svg"), fixture], env=env)
    check(rc == 2 and b"-o does not apply" in err, (rc, err))
    check_left(tdir)


CASES = cases_of(globals())


def script_main():
    if sys.argv[2] == "--list":
        print("\n".join(CASES))
        return
    pprofc, fixture, name = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[4]

    def run_case():
        with tempfile.TemporaryDirectory() as tmp:
            CASES[name](pprofc, fixture, tmp)

    main(run_case)


if __name__ == "__main__":
    script_main()
