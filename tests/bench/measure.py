#!/usr/bin/env python3
"""measure.py RUNS CMD...: run CMD RUNS times (stdout to /dev/null) and print
"WALL USER RSS_KB", the medians. Wall time from a monotonic clock, user time
from wait4() on each run alone; peak RSS from /usr/bin/time, which forks a
small process (a fork of Python would count Python's own pages)."""
import os
import subprocess
import sys
import time


def main():
    runs = int(sys.argv[1])
    cmd = sys.argv[2:]
    walls, users, rss = [], [], []
    out = os.path.join(os.environ.get("TMPDIR", "/tmp"), "pprofc-bench-%d.rss" % os.getpid())
    with open(os.devnull, "wb") as null:
        for _ in range(runs):
            t0 = time.perf_counter()
            p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", out] + cmd, stdout=null,
                                 stderr=subprocess.DEVNULL)
            _, status, ru = os.wait4(p.pid, 0)
            walls.append(time.perf_counter() - t0)
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit("failed: %s" % " ".join(cmd))
            users.append(ru.ru_utime)
            with open(out) as f:
                rss.append(int(f.read().split()[-1]))
    os.unlink(out)
    med = lambda v: sorted(v)[(len(v) - 1) // 2]
    print("%.4f %.4f %d" % (med(walls), med(users), med(rss)))


if __name__ == "__main__":
    main()
