#!/usr/bin/env python3
"""The interactive shell, driven in a real pseudo-terminal as a person
types: the prompt, history across two sessions, Tab completion of a
command, an option, a sample type and a function name, Ctrl-C during a long
output, bad regular expressions, quit and Ctrl-D.

usage: shell_test.py PPROFC FIXTURES_DIR --list | --case NAME"""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import TestFailure, cases_of, check, main, pprofc_cmd

PROMPT = b"(pprofc) "
# Under valgrind (PPROFC_WRAPPER) everything takes about ten times as long.
SLOW = 10 if os.environ.get("PPROFC_WRAPPER") else 1


class Terminal:
    """pprofc on the slave side of a pty; we type on the master."""

    def __init__(self, args, home, env=None):
        self.master, slave = pty.openpty()
        env = dict(env or os.environ, HOME=home, TERM="xterm")
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True,
                                     preexec_fn=lambda: __import__("fcntl").ioctl(
                                         0, __import__("termios").TIOCSCTTY, 0))
        os.close(slave)
        self.seen = b""

    def read_until(self, what, timeout=20):
        """Everything up to and including `what` (bytes or a regex)."""
        deadline = time.time() + timeout * SLOW
        while True:
            if isinstance(what, re.Pattern):
                m = re.search(what, self.seen)
                end = m.end() if m else -1
            else:
                i = self.seen.find(what)
                end = i + len(what) if i >= 0 else -1
            if end >= 0:
                got, self.seen = self.seen[:end], self.seen[end:]
                return got
            left = deadline - time.time()
            check(left > 0, "waited for %r; the screen has %r" % (what, self.seen[-600:]))
            r, _, _ = select.select([self.master], [], [], left)
            if r:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    data = b""
                check(data, "pprofc ended while waiting for %r: %r" % (what, self.seen[-600:]))
                self.seen += data

    def type(self, keys):
        os.write(self.master, keys)

    def finish(self, timeout=20):
        try:
            self.proc.wait(timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise TestFailure("pprofc did not end")
        os.close(self.master)
        return self.proc.returncode


def start(pprofc, fixture, home):
    t = Terminal(pprofc + [fixture], home)
    t.read_until(PROMPT)
    return t


def case_prompt_and_quit(pprofc, fixtures, home):
    t = Terminal(pprofc + [os.path.join(fixtures, "cpu.pb.gz")], home)
    greeting = t.read_until(PROMPT)
    check(b"Entering interactive mode" in greeting, greeting)
    check(b"Type: cpu" in greeting, greeting)
    t.type(b"top 3\r")
    out = t.read_until(PROMPT)
    check(b"flat  flat%   sum%" in out and b"Showing top 3 nodes" in out, out)
    t.type(b"quit\r")
    check(t.finish() == 0, "exit status")


def case_ctrl_d(pprofc, fixtures, home):
    t = start(pprofc, os.path.join(fixtures, "cpu.pb.gz"), home)
    # Typed as a person types, not within the millisecond after the
    # prompt: libedit prints the prompt before it takes the terminal raw,
    # and a ^D (an empty read) in between is lost in the mode change.
    time.sleep(0.5 * SLOW)
    t.type(b"\x04")
    check(t.finish() == 0, "exit status after Ctrl-D")


def case_history_across_sessions(pprofc, fixtures, home):
    fx = os.path.join(fixtures, "cpu.pb.gz")
    t = start(pprofc, fx, home)
    t.type(b"top 4\r")
    t.read_until(PROMPT)
    t.type(b"exit\r")
    check(t.finish() == 0, "exit status")
    hist = os.path.join(home, "pprof", "pprofc_history")
    # libedit's file encodes a space as \040
    check(os.path.exists(hist) and re.search(rb"top( |\\040)4", open(hist, "rb").read()),
          "no history file")
    t = start(pprofc, fx, home)
    t.type(b"\x1b[A\x1b[A\r")  # Up twice: the line before "exit", last session
    out = t.read_until(PROMPT)
    check(b"Showing top 4 nodes" in out, out)
    t.type(b"quit\r")
    t.finish()


def case_complete_command(pprofc, fixtures, home):
    t = start(pprofc, os.path.join(fixtures, "cpu.pb.gz"), home)
    t.type(b"trac\t\r")
    out = t.read_until(PROMPT)
    check(b"-----------+----" in out, "traces did not run: %r" % out[:300])
    t.type(b"quit\r")
    t.finish()


def case_complete_option_and_sample_type(pprofc, fixtures, home):
    t = start(pprofc, os.path.join(fixtures, "heap.pb.gz"), home)
    t.type(b"sample_in\t")
    t.read_until(b"dex=")  # libedit writes what it completed
    t.type(b"alloc_sp\t")
    t.read_until(b"ace")
    t.type(b"\r")
    t.read_until(PROMPT)
    t.type(b"options\r")
    out = t.read_until(PROMPT)
    check(re.search(rb"sample_index\s+= alloc_space", out), out)
    t.type(b"top 1\r")
    out = t.read_until(PROMPT)
    check(b"Type: alloc_space" in out or b"alloc" in out or b"Showing" in out, out)
    t.type(b"quit\r")
    t.finish()


def case_complete_function_name(pprofc, fixtures, home):
    t = start(pprofc, os.path.join(fixtures, "cpu.pb.gz"), home)
    t.type(b"list main.fi\t\r")
    out = t.read_until(PROMPT)
    check(b"ROUTINE ======================== main.fib" in out, out[:400])
    t.type(b"quit\r")
    t.finish()


def case_ctrl_c_stops_output(pprofc, fixtures, home):
    t = start(pprofc, os.path.join(fixtures, "pprof-testdata", "large.cpu.pb.gz"), home)
    t.type(b"traces\r")
    t.read_until(b"-----------+----")  # it has begun
    t.type(b"\x03")
    out = t.read_until(PROMPT, timeout=10)
    check(len(out) < 50 << 20, "the output went on")
    t.type(b"top 2\r")
    out = t.read_until(PROMPT)
    check(b"Showing top 2 nodes" in out, out[-300:])
    t.type(b"quit\r")
    check(t.finish() == 0, "the shell did not survive Ctrl-C")


def case_bad_input_stays(pprofc, fixtures, home):
    t = start(pprofc, os.path.join(fixtures, "cpu.pb.gz"), home)
    for line, words in ((b"focus=a[", b"invalid focus regular expression"),
                        (b"peek a[", b"invalid regular expression"),
                        (b"frobnicate", b"unknown command 'frobnicate'"),
                        (b"sample_index=nope", b"unknown sample type"),
                        (b"list", b"needs a regular expression")):
        t.type(line + b"\r")
        out = t.read_until(PROMPT)
        check(words in out, "%r: %r" % (line, out))
    t.type(b"top 1\r")
    check(b"Showing top 1 nodes" in t.read_until(PROMPT), "the shell is not well")
    t.type(b"quit\r")
    check(t.finish() == 0, "exit status")


CASES = cases_of(globals())


def script_main():
    if sys.argv[3] == "--list":
        print("\n".join(CASES))
        return
    pprofc, fixtures, name = pprofc_cmd(sys.argv[1]), sys.argv[2], sys.argv[4]

    def run_case():
        with tempfile.TemporaryDirectory() as home:
            CASES[name](pprofc, fixtures, home)

    main(run_case)


if __name__ == "__main__":
    script_main()
