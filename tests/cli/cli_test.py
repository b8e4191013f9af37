#!/usr/bin/env python3
"""The command line's contract: exit codes, help texts, standard input,
and output that never fails silently or half-written (full disk, closed
pipe, devices, missing directories).

usage: cli_test.py PPROFC FIXTURE --list | --case NAME"""
import os
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import cases_of, check, pprofc_cmd, run, skip
from support.harness import main as harness_main


def case_full_disk_output_file(p, fx, tmp):
    rc, out, err = run(p + ["to-folded", "-o", "/dev/full", fx])
    check(rc == 1, "exit %d" % rc)
    check(err.decode() == "pprofc: cannot write '/dev/full': No space left on device\n", err)


def case_full_disk_stdout(p, fx, tmp):
    with open("/dev/full", "wb") as full:
        r = subprocess.run(p + ["top", fx], stdout=full, stderr=subprocess.PIPE)
    check(r.returncode == 1, "exit %d" % r.returncode)
    check(r.stderr.decode() ==
          "pprofc: cannot write to standard output: No space left on device\n", r.stderr)


def skip_under_wrapper():
    """A program killed by SIGPIPE frees nothing, and valgrind reports all
    it had as lost: these cases mean nothing under it."""
    if os.environ.get("PPROFC_WRAPPER"):
        skip("death by SIGPIPE under valgrind")


def case_closed_pipe(p, fx, tmp):
    skip_under_wrapper()
    # A reader that is gone ends a filter normally: killed by SIGPIPE, as
    # git and grep are, with nothing on stderr.
    rd, wr = os.pipe()
    os.close(rd)  # nobody will read
    r = subprocess.run(p + ["to-callgrind", fx], stdout=wr, stderr=subprocess.PIPE)
    os.close(wr)
    check(r.returncode == -13, "exit %d, not killed by SIGPIPE" % r.returncode)
    check(r.stderr == b"", r.stderr)


def case_pipe_closed_by_head(p, fx, tmp):
    skip_under_wrapper()
    # pprofc traces x | head -1: the reader leaves after one line.
    r = subprocess.run(["bash", "-c", '"$@" | head -1; echo "${PIPESTATUS[0]}" >&2', "sh"] +
                       p + ["traces", fx], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.stdout.count(b"\n") == 1, r.stdout)
    check(r.stderr == b"141\n", "stderr %r (want only the exit status 141)" % r.stderr)


def case_pipe_closed_for_output_fifo(p, fx, tmp):
    skip_under_wrapper()
    # -o to a FIFO whose reader leaves: the same normal end, no temp file.
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    large = os.path.join(os.path.dirname(fx), "pprof-testdata", "large.cpu.pb.gz")
    r = subprocess.Popen(p + ["to-folded", "-o", fifo, large], stderr=subprocess.PIPE)
    with open(fifo, "rb") as f:
        f.read(10)
    err = r.stderr.read()
    r.wait()
    check(r.returncode == -13, "exit %d, not killed by SIGPIPE" % r.returncode)
    check(err == b"", err)
    check(os.listdir(tmp) == ["fifo"], os.listdir(tmp))


def case_device_output_written_in_place(p, fx, tmp):
    rc, out, err = run(p + ["to-callgrind", "-o", "/dev/null", fx])
    check(rc == 0, err)
    check(stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null was replaced")
    check(not [n for n in os.listdir("/dev") if "pprofc" in n], "temp file in /dev")


def case_output_file_atomic_and_equal(p, fx, tmp):
    target = os.path.join(tmp, "cg.out")
    old = os.umask(0o022)
    try:
        rc, _, err = run(p + ["to-callgrind", "-o", target, fx])
    finally:
        os.umask(old)
    check(rc == 0, err)
    rc, out, _ = run(p + ["to-callgrind", fx])
    check(open(target, "rb").read() == out, "-o differs from stdout")
    check(os.stat(target).st_mode & 0o777 == 0o644, oct(os.stat(target).st_mode))
    check(os.listdir(tmp) == ["cg.out"], os.listdir(tmp))


def case_output_in_missing_directory(p, fx, tmp):
    rc, out, err = run(p + ["top", "-o", os.path.join(tmp, "no", "such", "x.txt"), fx])
    check(rc == 1 and "No such file or directory" in err.decode(), (rc, err))
    check(os.listdir(tmp) == [], os.listdir(tmp))


def case_stdin_source(p, fx, tmp):
    data = open(fx, "rb").read()
    rc, a, err = run(p + ["to-folded", "-"], stdin=data)
    check(rc == 0, err)
    rc, b, _ = run(p + ["to-folded", fx])
    check(a == b and a, "stdin output differs")


def case_help_texts_agree(p, fx, tmp):
    for cmd in ("top", "to-callgrind", "to-folded", "to-flamegraph", "fetch", "kcachegrind", "tags",
                "traces", "raw", "comments", "tree", "peek", "list", "to-speedscope", "to-dot",
                "merge"):
        rc1, a, _ = run(p + ["help", cmd])
        rc2, b, _ = run(p + [cmd, "--help"])
        check(rc1 == 0 and rc2 == 0 and a == b and a.startswith(b"usage: pprofc " + cmd.encode()),
              cmd)
        check(b"Exit status: 0 success, 1 failure, 2 usage error." in a, cmd)
    rc, out, _ = run(p + ["help"])
    check(rc == 0 and b"to-callgrind" in out and b"fetch" in out, out)
    check(b"to-speedscope" in out and b"to-dot" in out, out)
    rc, out, _ = run(p + ["--version"])
    check(rc == 0 and out.startswith(b"pprofc "), out)


def case_usage_errors(p, fx, tmp):
    for args, words in (([], "usage: pprofc"), (["frobnicate"], "unknown command 'frobnicate'"),
                        (["top"], "missing SOURCE"), (["top", "-", "-", fx], "standard input ('-') can be read only once"),
                        (["fetch", "http://127.0.0.1:1/", "http://127.0.0.1:1/"], "one URL expected"),
                        (["top", "--normalize", fx], "--normalize needs --base or --diff-base"),
                        (["top", "--base", fx, "--diff-base", fx, fx],
                         "--base and --diff-base cannot be used together"),
                        (["top", "--jobs", "0", fx], "invalid number of jobs '0'"),
                        (["top", "--nodecount", "-3", fx], "invalid count '-3'"),
                        (["fetch", "not a url"], "is not a URL"),
                        (["top", "--seconds", "x", fx], "invalid number of seconds"),
                        (["top", "--inuse_space", fx], "--inuse_space: unknown sample type"),
                        (["top", "--alloc-space", "--sample-index", "cpu", fx],
                         "--sample-index conflicts with --alloc_space"),
                        (["to-folded", "--mean", fx], "--mean is not supported by to-folded"),
                        (["tags", "--mean_delay", fx], "--mean_delay is not supported by tags"),
                        (["traces", "--unit", "", fx], "invalid unit ''"),
                        (["peek", "a[", fx], "invalid regular expression 'a['"),
                        (["peek", "^no such function$", fx], "no function matches"),
                        (["list", "^no such function$", fx], "no function with samples"),
                        (["list"], "missing REGEX"),
                        (["tree", "--nodefraction", "2", fx], "invalid fraction '2'"),
                        (["tree", "--edgefraction", "x", fx], "invalid fraction 'x'"),
                        (["to-flamegraph", "--width", "5", fx], "invalid width '5'"),
                        (["to-flamegraph", "--minwidth", "x", fx], "invalid minimum width 'x'"),
                        (["to-dot", "--nodecount", "x", fx], "invalid count 'x'"),
                        (["to-dot", "--svg", "--png", fx], "--svg and --png: choose one"),
                        (["to-speedscope", "--mean", fx],
                         "--mean is not supported by to-speedscope")):
        rc, out, err = run(p + args)
        check(rc == 2, "%s: exit %d" % (args, rc))
        check(words in err.decode(), "%s: %r" % (args, err))


def case_bad_pattern_before_loading(p, fx, tmp):
    # peek's and list's REGEX is checked before the source is read or
    # fetched: a missing file is never reached, a URL never asked
    for args in (["peek", "a["], ["list", "(?<"], ["-peek=a[", ], ["-list", "x("]):
        rc, out, err = run(p + args + ["/nonexistent/profile.pb.gz", "127.0.0.1:1"])
        lines = err.decode().splitlines()
        check(rc == 2 and len(lines) == 1 and "invalid regular expression" in lines[0] and
              "nonexistent" not in lines[0], "%s: exit %d %r" % (args, rc, lines))


def _profile_naming(files):
    """A profile with one function per file name, each with a sample."""
    import gzip

    def varint(v):
        b = b""
        while True:
            c, v = v & 0x7f, v >> 7
            b += bytes([c | 0x80 if v else c])
            if not v:
                return b

    def field(n, payload):
        if isinstance(payload, int):
            return varint(n << 3) + varint(payload)
        return varint(n << 3 | 2) + varint(len(payload)) + payload
    strs = [b"", b"samples", b"count"]
    prof = field(1, field(1, 1) + field(2, 2))
    for i, f in enumerate(files, 1):
        prof += field(2, field(1, varint(i)) + field(2, varint(1)))
        prof += field(4, field(1, i) + field(4, field(1, i) + field(2, 3)))
        prof += field(5, field(1, i) + field(2, len(strs)) + field(4, len(strs) + 1))
        strs += [b"fn%d" % i, f.encode()]
    for s in strs:
        prof += field(6, s)
    return gzip.compress(prof)


def case_list_reads_only_regular_files(p, fx, tmp):
    # A profile may name any file as its source: a FIFO or /dev/zero must
    # not make list wait or read forever, and a directory is no source.
    fifo = os.path.join(tmp, "src.go")
    os.mkfifo(fifo)
    prof = os.path.join(tmp, "p.pb.gz")
    with open(prof, "wb") as f:
        f.write(_profile_naming([fifo, "/dev/zero", tmp]))
    r = subprocess.run(p + ["list", "fn", prof], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    check(r.returncode == 0, "exit %d: %r" % (r.returncode, r.stderr))
    check(r.stdout.count(b": not a regular file\n") == 3, r.stdout)


CASES = cases_of(globals())


def main():
    if sys.argv[3] == "--list":
        print("\n".join(CASES))
        return
    p, fx = pprofc_cmd(sys.argv[1]), sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        harness_main(lambda: CASES[sys.argv[4]](p, fx, tmp))


if __name__ == "__main__":
    main()
