#!/usr/bin/env python3
"""measure.py RUNS CMD... [:: CMD...]...: run each CMD RUNS times (stdout to
/dev/null) and print "WALL USER RSS_KB", the medians, one line per CMD in
order. The commands take turns, one run each per round, so that a slow
spell of the shared machine falls on all of them alike and the ratios
between them hold. Wall time from a monotonic clock and user time from
wait4(), of the command alone; peak RSS from a second run under
/usr/bin/time (the child of a Python fork would count Python's own pages,
and the wrapper would add its 1-2 ms to the wall time)."""
import os
import subprocess
import sys
import time


def spawn(cmd, null):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=null, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("failed: %s" % " ".join(cmd))
    return wall, ru.ru_utime


def run_once(cmd, out, null):
    wall, user = spawn(cmd, null)
    spawn(["/usr/bin/time", "-f", "%M", "-o", out] + cmd, null)
    with open(out) as f:
        rss = int(f.read().split()[-1])
    return wall, user, rss


def main():
    runs = int(sys.argv[1])
    cmds = [[]]
    for a in sys.argv[2:]:
        if a == "::":
            cmds.append([])
        else:
            cmds[-1].append(a)
    if not runs or not all(cmds):
        sys.exit("usage: measure.py RUNS CMD... [:: CMD...]...")
    samples = [[] for _ in cmds]
    out = os.path.join(os.environ.get("TMPDIR", "/tmp"), "pprofc-bench-%d.rss" % os.getpid())
    with open(os.devnull, "wb") as null:
        for _ in range(runs):
            for i, cmd in enumerate(cmds):
                samples[i].append(run_once(cmd, out, null))
    os.unlink(out)
    med = lambda v: sorted(v)[(len(v) - 1) // 2]
    for s in samples:
        print("%.4f %.4f %d" % (med([x[0] for x in s]), med([x[1] for x in s]),
                                med([x[2] for x in s])))


if __name__ == "__main__":
    main()
