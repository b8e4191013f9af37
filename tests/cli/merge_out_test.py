#!/usr/bin/env python3
"""pprofc merge: the profile written back as gzipped profile.proto, checked
by the programs that read it.

Per profile:
  roundtrip  `pprofc merge -o OUT F`; OUT is one gzip member (Python's zlib)
             whose Profile message has every field of F's, equal (pbread's
             independent decoder, field by field, unknown fields aside);
             go tool pprof -raw and -top print the same for OUT as for F, and
             so does pprofc raw.
  filters    --focus, --ignore and --hide on a function from F's own top
             (and --tagfocus on one of its labels, when it has any): go tool
             pprof -top of OUT shows the rows (flat and cum of every function)
             that go tool pprof -top -focus=... F shows, at the first and the
             last sample index; pprofc top of OUT agrees too.

Command-line cases (--cli NAME, on one profile): standard output into a
pipe, refusal of a terminal, a full disk, a file size limit (nothing left
behind, an existing file untouched), closed pipe, standard input, usage
errors.

usage: merge_out_test.py PPROFC PROFILE roundtrip|filters
       merge_out_test.py PPROFC PROFILE --cli NAME | --list"""
import json
import os
import pty
import re
import resource
import select
import signal
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support import pbread
from support.harness import check, main, need, pprof_top, pprofc_cmd, run, sample_types, skip

ADDR = re.compile(r"^[0-9a-f]{16}( |$)|^<unknown>$|^\[")


def quote(name):
    """A regex matching exactly `name`, the same in RE2 and POSIX ERE."""
    return "^" + re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", name) + "$"


def merge(pprofc, args, out_dir):
    out = os.path.join(out_dir, "out.pb.gz")
    rc, _, err = run(pprofc + ["merge", "-o", out] + args)
    check(rc == 0, "pprofc merge %s failed: %s" % (" ".join(args), err.decode()))
    check(err == b"" or b"warning" in err, "merge printed %r" % err)
    return out


def one_gzip_member(path):
    data = open(path, "rb").read()
    check(data[:3] == b"\x1f\x8b\x08", "%s is not gzip: %r" % (path, data[:3]))
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    raw = d.decompress(data) + d.flush()
    check(d.eof and d.unused_data == b"", "%s: not exactly one complete gzip member" % path)
    return raw


def go(args, path):
    rc, out, err = run(["go", "tool", "pprof", "-symbolize=none"] + args + [path])
    check(rc == 0, "go tool pprof %s %s failed: %s" % (" ".join(args), path, err.decode()))
    return out.decode()


def roundtrip(pprofc, path, tmp):
    out = merge(pprofc, [path], tmp)
    one_gzip_member(out)
    a, b = pbread.read_all(path), pbread.read_all(out)
    for field in a:
        check(a[field] == b[field], "field %s differs after the round trip: %r... vs %r..." % (
            field, repr(a[field])[:200], repr(b[field])[:200]))
    for flags in (["-raw"], ["-top"], ["-top", "-nodefraction=0", "-nodecount=0", "-cum"],
                  ["-traces"]):
        mine, theirs = go(flags, out), go(flags, path)
        check(mine == theirs, "go tool pprof %s differs:\n%s\n---\n%s" % (
            " ".join(flags), mine[:1500], theirs[:1500]))
    rc, mine, err = run(pprofc + ["raw", out])
    check(rc == 0, err.decode())
    rc, theirs, err = run(pprofc + ["raw", path])
    check(rc == 0, err.decode())
    check(mine == theirs, "pprofc raw differs")
    print("%d samples, %d locations, %d functions, %d mappings, %d strings, %d comments: "
          "equal field by field, in go tool pprof -raw/-top/-traces and in pprofc raw" % (
              len(a["sample"]), len(a["location"]), len(a["function"]), len(a["mapping"]),
              len(a["string_table"]), len(a["comment"])))


def pprofc_rows(pprofc, path, index, flags=()):
    rc, out, err = run(pprofc + ["top", "--json", "--sample-index", str(index)] + list(flags) +
                       [path])
    check(rc == 0, "pprofc top failed: %s" % err.decode())
    return {r["name"]: (r["flat"], r["cum"]) for r in json.loads(out)["rows"]
            if r["name"] != "[no stack]"}


def label_filter(path):
    """--tagfocus KEY=^VALUE$ for a string label of the first labelled
    sample that not every sample has, or None."""
    samples = pbread.read(path)["samples"]
    for s in samples:
        for key, value, _, _ in s["labels"]:
            if value is None or re.search(r"[=,\\]", key + value):
                continue
            if all(any(k == key and v == value for k, v, _, _ in t["labels"])
                   for t in samples):
                continue
            return "%s=%s" % (key, quote(value))
    return None


def filters(pprofc, path, tmp):
    types = sample_types(path)
    indices = sorted({0, len(types) - 1})
    total, top = pprof_top(path, len(types) - 1, types[-1][1])
    # Rows name functions, or (lineless locations) "[mapping file]", which
    # the filters match too.
    names = [n for n, (flat, cum) in top.items() if not ADDR.match(n)]
    names = [(n, quote(n)) for n in names] + \
        [(n, quote(n[1:-1])[1:-1]) for n in top
         if n.startswith("[") and n.endswith("]")]
    cases = []
    if names:
        # ignore: a function not on every stack, else the result is empty
        partial = [n for n in names if top[n[0]][1] < total] or names
        cases = [("focus", names[0]), ("ignore", partial[0]), ("hide", names[0])]
    else:
        # nothing named (an unsymbolized profile): a focus that matches
        # nothing, so an empty profile is written and read back
        cases = [("focus", (None, "^no such function$"))]
    tag = label_filter(path)
    if tag:
        cases.append(("tagfocus", (None, tag)))
    before = pbread.read_all(path)
    for option, (name, rx) in cases:
        out = merge(pprofc, ["--" + option, rx, path], tmp)
        check(pbread.read_all(out) != before, "--%s %s changed nothing" % (option, rx))
        for i in indices:
            unit = types[i][1]
            _, want = pprof_top(path, i, unit, ["-%s=%s" % (option, rx)])
            _, got = pprof_top(out, i, unit)
            check(got == want, "--%s %s, index %d: go tool pprof -top of the output differs "
                  "from -%s on the input: %s" % (
                      option, rx, i, option,
                      sorted(set(got.items()) ^ set(want.items()))[:4]))
            check(pprofc_rows(pprofc, out, i) == pprofc_rows(pprofc, path, i, ["--" + option, rx]),
                  "--%s %s, index %d: pprofc top of the output differs" % (option, rx, i))
            if option in ("ignore", "hide"):
                check(name not in got, "%s still in the output after --%s" % (name, option))
        print("--%s %s: %d rows agree" % (option, rx, len(got)))


# ---- command-line cases ----------------------------------------------------

def cli_stdout_pipe(p, fx, tmp):
    need("go")  # pprof reads the piped bytes
    target = merge(p, [fx], tmp)
    r = subprocess.run(p + ["merge", fx], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.returncode == 0 and r.stderr == b"", (r.returncode, r.stderr))
    check(r.stdout == open(target, "rb").read(), "standard output differs from -o's file")
    # the piped bytes read back, by pprofc from standard input and by pprof
    rc, mine, err = run(p + ["raw", "-"], stdin=r.stdout)
    check(rc == 0, err.decode())
    rc, theirs, _ = run(p + ["raw", fx])
    check(mine == theirs, "raw of the piped profile differs")
    piped = os.path.join(tmp, "piped.pb.gz")
    open(piped, "wb").write(r.stdout)
    check(go(["-raw"], piped) == go(["-raw"], fx), "go tool pprof -raw of the pipe differs")


def _pty_run(args, **kw):
    master, slave = pty.openpty()
    try:
        r = subprocess.run(args, stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           **kw)
        written = b""
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            written += chunk
        return r, written, os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


def cli_terminal_refused(p, fx, tmp):
    r, written, tty = _pty_run(p + ["merge", fx])
    check(r.returncode == 2, "exit %d on a terminal" % r.returncode)
    err = r.stderr.decode()
    check(err.count("\n") == 1 and "terminal" in err and "-o FILE" in err, err)
    check(written == b"", "wrote %d bytes to the terminal" % len(written))
    # -o naming the terminal: the same refusal
    master, slave = pty.openpty()
    try:
        rc, _, err = run(p + ["merge", "-o", os.ttyname(slave), fx])
        check(rc == 2 and b"terminal" in err, (rc, err))
    finally:
        os.close(master)
        os.close(slave)
    # stdout on a terminal does not matter with -o FILE
    target = os.path.join(tmp, "x.pb.gz")
    r, written, _ = _pty_run(p + ["merge", "-o", target, fx])
    check(r.returncode == 0 and written == b"", (r.returncode, r.stderr, written))
    one_gzip_member(target)


def cli_full_disk(p, fx, tmp):
    rc, out, err = run(p + ["merge", "-o", "/dev/full", fx])
    check(rc == 1, "exit %d" % rc)
    check(err.decode() == "pprofc: cannot write '/dev/full': No space left on device\n", err)
    with open("/dev/full", "wb") as full:
        r = subprocess.run(p + ["merge", fx], stdout=full, stderr=subprocess.PIPE)
    check(r.returncode == 1, "exit %d" % r.returncode)
    check(r.stderr.decode() ==
          "pprofc: cannot write to standard output: No space left on device\n", r.stderr)


def cli_size_limit_leaves_nothing(p, fx, tmp):
    """A file system that fills up mid-write, played by RLIMIT_FSIZE: the
    write fails (EFBIG), the temp file goes, the old FILE stays as it was."""
    target = os.path.join(tmp, "out.pb.gz")
    open(target, "wb").write(b"old content")
    size = os.path.getsize(fx)

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size // 2, size // 2))
    r = subprocess.run(p + ["merge", "-o", target, fx], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, preexec_fn=limit)
    check(r.returncode == 1, "exit %d: %r" % (r.returncode, r.stderr))
    check(r.stderr.decode() == "pprofc: cannot write '%s': File too large\n" % target, r.stderr)
    check(os.listdir(tmp) == ["out.pb.gz"], os.listdir(tmp))
    check(open(target, "rb").read() == b"old content", "the old file was changed")


def cli_closed_pipe(p, fx, tmp):
    if os.environ.get("PPROFC_WRAPPER"):
        # killed by SIGPIPE, it frees nothing: valgrind calls all of it lost
        skip("death by SIGPIPE under valgrind")
    rd, wr = os.pipe()
    os.close(rd)
    r = subprocess.run(p + ["merge", fx], stdout=wr, stderr=subprocess.PIPE)
    os.close(wr)
    # a closed pipe is a normal end: killed by SIGPIPE, saying nothing
    check(r.returncode == -13, "exit %d" % r.returncode)
    check(r.stderr == b"", r.stderr)


def cli_stdin_source(p, fx, tmp):
    a = merge(p, [fx], tmp)
    data = open(a, "rb").read()
    b = os.path.join(tmp, "b.pb.gz")
    rc, _, err = run(p + ["merge", "-o", b, "-"], stdin=open(fx, "rb").read())
    check(rc == 0, err.decode())
    check(open(b, "rb").read() == data, "from standard input: a different file")


def cli_usage_errors(p, fx, tmp):
    target = os.path.join(tmp, "never.pb.gz")
    for args, words in ((["--mean"], "--mean is not supported by merge"),
                        (["--mean_delay"], "--mean_delay is not supported by merge"),
                        (["--lines"], "granularity options"),
                        (["--files"], "granularity options"),
                        (["--addresses"], "granularity options"),
                        (["--noinlines"], "granularity options"),
                        (["--sample-index", "nosuch"], "unknown sample type 'nosuch'"),
                        (["--focus", "a("], "invalid focus regular expression")):
        rc, out, err = run(p + ["merge", "-o", target] + args + [fx])
        check(rc == 2, "%s: exit %d" % (args, rc))
        check(words in err.decode() and err.count(b"\n") == 1, "%s: %r" % (args, err))
        check(not os.listdir(tmp), "%s left %s" % (args, os.listdir(tmp)))
    rc, out, err = run(p + ["merge", "-o", target])
    check(rc == 2 and b"missing SOURCE" in err, (rc, err))
    rc, a, _ = run(p + ["merge", "--help"])
    rc2, b, _ = run(p + ["help", "merge"])
    check(rc == 0 and rc2 == 0 and a == b and a.startswith(b"usage: pprofc merge"), a[:100])


CLI = {n[4:]: f for n, f in list(globals().items()) if n.startswith("cli_")}


def test():
    pprofc, path = pprofc_cmd(sys.argv[1]), sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        if sys.argv[3] == "--cli":
            CLI[sys.argv[4]](pprofc, path, tmp)
        elif sys.argv[3] == "roundtrip":
            need("go")
            roundtrip(pprofc, path, tmp)
        elif sys.argv[3] == "filters":
            need("go")
            filters(pprofc, path, tmp)
        else:
            check(False, "unknown case %s" % sys.argv[3])


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[3] == "--list":
        print("\n".join(CLI))
        sys.exit(0)
    main(test)
