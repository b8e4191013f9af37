#!/usr/bin/env python3
"""Fetch tests against the project's fault server on 127.0.0.1.

Every error case must end with exit 1 (2 for usage), exactly one line on
stderr with -q, the expected words, and no file at all in the save
directory or beside an -o target. Success cases check what was saved and
what the server saw.

usage: fetch_test.py PPROFC VALID_PROFILE --list | --case NAME"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import (Server, TestFailure, check, clean_env, http_get, need,
                             pprofc_cmd, run)

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUPPORT = os.path.join(TESTS, "support")

# name: (path on the fault server, extra args, exit code, words in the message)
ERRORS = {
    "http-404": ("/404", [], 1, "the server answered HTTP 404"),
    "go-pprof-500": ("/pprof-500", [], 1,
                     "server says (HTTP 500): profile duration exceeds server's WriteTimeout"),
    "html-body": ("/html", [], 1, "the server sent text/html; charset=utf-8, not a profile"),
    "json-body": ("/json", [], 1, "the server sent application/json, not a profile"),
    "empty-body": ("/empty", [], 1, "the server sent an empty response"),
    "garbage-body": ("/garbage", [], 1, "cannot read the profile from"),
    "truncated-gzip-body": ("/truncated-gzip", [], 1, "unexpected end of gzip stream"),
    "connection-dropped": ("/halfway", [], 1,
                           "the connection closed before the whole response arrived"),
    "never-answers": ("/never", ["--timeout", "1"], 1, "timed out after 1 seconds"),
    "slow-drip": ("/drip", ["--timeout", "1"], 1, "timed out after 1 seconds"),
    "redirect-to-file": ("/redirect-file", [], 1, "not http or https; refused"),
    "redirect-to-ftp": ("/redirect-ftp", [], 1, "not http or https; refused"),
    "redirect-loop": ("/loop", [], 1, "more than 10 redirects"),
    "gzip-bomb": ("/bomb", ["--max-size", "16M"], 1,
                  "decompressed size exceeds the limit of 16777216 bytes"),
    "body-over-cap": ("/big", ["--max-size", "1M"], 1,
                      "the response is larger than the limit of 1048576 bytes"),
    "chunked-body-over-cap": ("/big-chunked", ["--max-size", "1M"], 1,
                              "the response is larger than the limit of 1048576 bytes"),
    "bad-header": ("/valid", ["-H", "no colon here"], 2, "a header is 'Name: value'"),
    "not-http-scheme": ("ftp://127.0.0.1/x", [], 2, "only http and https URLs are supported"),
    "connection-refused": ("REFUSED", [], 1, "127.0.0.1"),
}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return port


def listing(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def error_case(pprofc, srv, name, tmp, env):
    path, extra, code, words = ERRORS[name]
    if path == "REFUSED":
        url = "http://127.0.0.1:%d/debug/pprof/profile" % free_port()
    elif "://" in path:
        url = path
    else:
        url = srv.url(path)
    other = os.path.join(tmp, "other")
    os.makedirs(other)
    for args in (["fetch", "-q"], ["fetch", "-q", "-o", os.path.join(other, "p.pb.gz")],
                 ["top", "-q"], ["fetch"]):
        rc, out, err = run(pprofc + args + extra + [url], env=env)
        lines = err.decode(errors="replace").splitlines()
        what = "%s on %s" % (" ".join(args), name)
        check(rc == code, "%s: exit %d, expected %d (%r)" % (what, rc, code, lines))
        if "-q" in args:
            check(len(lines) == 1, "%s: %d lines on stderr: %r" % (what, len(lines), lines))
        check(lines and lines[-1].startswith("pprofc: ") and words in lines[-1],
              "%s: %r lacks %r" % (what, lines[-1:], words))
        check(out == b"", "%s: wrote to stdout" % what)
        check(not listing(env["PPROF_TMPDIR"]), "%s: left %s" % (what, listing(env["PPROF_TMPDIR"])))
        check(not listing(other), "%s: left %s" % (what, listing(other)))
    print("%s: exit %d, %s" % (name, code, lines[-1]))


SAVED = re.compile(r"^Saved profile in (.*)$", re.M)


def fetch_ok(pprofc, args, env):
    rc, out, err = run(pprofc + ["fetch"] + args, env=env)
    text = err.decode()
    check(rc == 0, "fetch %s failed: %s" % (args, text))
    m = SAVED.search(text)
    check(m, "no 'Saved profile in' in %r" % text)
    check(os.path.exists(m.group(1)), "saved file %s does not exist" % m.group(1))
    return m.group(1), text


def case_saves_pprof_style(pprofc, srv, tmp, env):
    saved = env["PPROF_TMPDIR"]
    first, text = fetch_ok(pprofc, [srv.url("/valid")], env)
    check("Fetching profile over HTTP from %s" % srv.url("/valid") in text, text)
    check(first == os.path.join(saved, "pprof.goservice.samples.cpu.001.pb.gz"), first)
    second, _ = fetch_ok(pprofc, [srv.url("/valid")], env)
    check(second.endswith(".samples.cpu.002.pb.gz"), second)
    check(open(first, "rb").read() == open(sys.argv[2], "rb").read(), "saved bytes differ")
    check(listing(saved) == sorted(os.path.basename(p) for p in (first, second)),
          "stray files: %s" % listing(saved))
    mode = os.stat(first).st_mode & 0o777
    check(mode == 0o644, "mode %o" % mode)


def case_host_port_means_cpu_profile(pprofc, srv, tmp, env):
    fetch_ok(pprofc, [srv.addr], env)
    check(http_get(srv.url("/last-request")) == b"/debug/pprof/profile", "path")


def case_seconds_replaced(pprofc, srv, tmp, env):
    fetch_ok(pprofc, ["--seconds", "3", srv.url("/valid?seconds=9&debug=0")], env)
    got = http_get(srv.url("/last-request")).decode()
    check(got == "/valid?debug=0&seconds=3", "server saw %r" % got)


def case_output_file(pprofc, srv, tmp, env):
    target = os.path.join(tmp, "mine.pb.gz")
    path, _ = fetch_ok(pprofc, ["-o", target, srv.url("/valid")], env)
    check(path == target, path)
    check(not listing(env["PPROF_TMPDIR"]), "saved elsewhere too")
    check(listing(tmp).count("mine.pb.gz") == 1, listing(tmp))


def case_redirect_to_profile(pprofc, srv, tmp, env):
    fetch_ok(pprofc, [srv.url("/redirect-ok")], env)


def case_headers_reach_server(pprofc, srv, tmp, env):
    fetch_ok(pprofc, ["-H", "Authorization: Bearer t0ken", "-H", "X-Team: perf",
                      srv.url("/headers")], env)
    h = {k.lower(): v for k, v in json.loads(http_get(srv.url("/last-headers"))).items()}
    check(h.get("authorization") == "Bearer t0ken", h)
    check(h.get("x-team") == "perf", h)


def case_credentials_never_printed(pprofc, srv, tmp, env):
    for path, code in (("/404", 1), ("/valid", 0)):
        url = srv.url(path).replace("http://", "http://alice:s3cret@")
        for cmd in (["fetch"], ["top"], ["fetch", "-o", os.path.join(tmp, "x.pb.gz")]):
            rc, out, err = run(pprofc + cmd + [url], env=env)
            check(rc == code, "%s %s: exit %d: %s" % (cmd, path, rc, err))
            for stream in (out, err):
                check(b"s3cret" not in stream and b"alice" not in stream,
                      "credentials printed: %r" % stream[-300:])
    h = json.loads(http_get(srv.url("/last-request")) and http_get(srv.url("/last-headers")) or b"{}")
    del h


def case_converter_takes_url(pprofc, srv, tmp, env):
    rc, out, err = run(pprofc + ["top", "--json", srv.url("/valid")], env=env)
    check(rc == 0, err)
    check(json.loads(out)["sample_type"] == "cpu", out[:200])
    check(len(listing(env["PPROF_TMPDIR"])) == 1, "profile not saved")


def case_unwritable_save_dir_fails_first(pprofc, srv, tmp, env):
    blocker = os.path.join(tmp, "a-file")
    open(blocker, "w").close()
    env = dict(env, PPROF_TMPDIR=blocker)
    before = int(http_get(srv.url("/hits")))
    rc, out, err = run(pprofc + ["fetch", "-q", "--seconds", "30", srv.url("/never")], env=env)
    check(rc == 1, "exit %d" % rc)
    check(err.decode().startswith("pprofc: cannot save profiles in '%s'" % blocker), err)
    check(int(http_get(srv.url("/hits"))) == before, "the capture started anyway")


def case_interrupt_leaves_nothing(pprofc, srv, tmp, env):
    for args in (["fetch", srv.url("/never")],
                 ["fetch", "-o", os.path.join(tmp, "x.pb.gz"), srv.url("/never")]):
        hits = int(http_get(srv.url("/hits")))
        p = subprocess.Popen(pprofc + args[:1] + ["--timeout", "15"] + args[1:], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # The temp file has no name while it is made (O_TMPFILE): the
        # server's count says when the capture is under way.
        wait_for_hit(srv, hits, p)
        time.sleep(0.3)
        check(p.poll() is None, "pprofc ended early")
        p.send_signal(signal.SIGINT)
        p.wait(30)
        check(p.returncode == -signal.SIGINT, "exit %s" % p.returncode)
        left = listing(env["PPROF_TMPDIR"]) + [n for n in listing(tmp) if n != "saved"]
        check(not left, "left behind: %s" % left)


def wait_for_hit(srv, before, proc, seconds=60):
    """Waits until the server has had a request more than `before` (a
    capture under way; slow to start under valgrind)."""
    for _ in range(int(seconds / 0.05)):
        if int(http_get(srv.url("/hits"))) > before:
            return
        check(proc.poll() is None, "pprofc ended before its request: exit %s" % proc.returncode)
        time.sleep(0.05)
    raise TestFailure("no request reached the server in %d s" % seconds)


def no_core():
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def case_kill_leaves_nothing(pprofc, srv, tmp, env):
    # Signals no handler sees (SIGKILL) or that dump core (SIGQUIT): the
    # temp file has no name until the profile is whole, so none is left.
    out_dir = os.path.join(tmp, "out")
    os.makedirs(out_dir)
    pprofc = pprofc[:-1] + [os.path.abspath(pprofc[-1])]  # run in tmp: any core goes there
    for sig in (signal.SIGKILL, signal.SIGQUIT):
        for args in (["fetch"], ["fetch", "-o", os.path.join(out_dir, "x.pb.gz")], ["top"]):
            hits = int(http_get(srv.url("/hits")))
            p = subprocess.Popen(pprofc + args + ["--timeout", "15", srv.url("/never")],
                                 env=env, cwd=tmp, preexec_fn=no_core,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for_hit(srv, hits, p)
            time.sleep(0.2)
            check(p.poll() is None, "pprofc ended early")
            p.send_signal(sig)
            p.wait(30)
            what = "%s during %s" % (signal.Signals(sig).name, " ".join(args))
            check(p.returncode == -sig, "%s: exit %s" % (what, p.returncode))
            left = listing(env["PPROF_TMPDIR"]) + listing(out_dir)
            check(not left, "%s: left behind: %s" % (what, left))


def case_long_binary_name_saved(pprofc, srv, tmp, env):
    # A binary's name of 300 bytes: the name is cut so that the whole file
    # name fits 255 bytes, the sample types and the counter kept.
    for n in (1, 2):
        path, _ = fetch_ok(pprofc, [srv.url("/long-mapping")], env)
        name = os.path.basename(path)
        check(os.path.dirname(path) == env["PPROF_TMPDIR"], path)
        check(len(name.encode()) <= 255, "%d bytes: %s" % (len(name), name))
        check(len(name) >= 250, "cut more than needed: %s" % name)
        check(name.startswith("pprof.bbbbbbbbbb") and
              name.endswith("bbb.samples.cpu.%03d.pb.gz" % n), name)
    check(len(listing(env["PPROF_TMPDIR"])) == 2, listing(env["PPROF_TMPDIR"]))


def case_counter_past_999(pprofc, srv, tmp, env):
    # go tool pprof counts to 9999 (%03d: 001 ... 999, 1000 ... 9999).
    saved = env["PPROF_TMPDIR"]
    stem = os.path.join(saved, "pprof.goservice.samples.cpu.")
    for i in range(1, 1000):
        open(stem + "%03d.pb.gz" % i, "w").close()
    path, _ = fetch_ok(pprofc, [srv.url("/valid")], env)
    check(path == stem + "1000.pb.gz", path)
    check(open(path, "rb").read() == open(sys.argv[2], "rb").read(), "saved bytes differ")
    for i in range(1001, 10000):
        open(stem + "%d.pb.gz" % i, "w").close()
    rc, out, err = run(pprofc + ["fetch", "-q", srv.url("/valid")], env=env)
    lines = err.decode().splitlines()
    check(rc == 1 and lines == ["pprofc: cannot save the profile in '%s': no free file name"
                                % saved], (rc, lines))
    check(len(listing(saved)) == 9999, "%d files" % len(listing(saved)))
    # Any other command goes on with the profile in memory.
    rc, out, err = run(pprofc + ["top", "-q", "--json", srv.url("/valid")], env=env)
    lines = err.decode().splitlines()
    check(rc == 0 and json.loads(out)["sample_type"] == "cpu", (rc, lines))
    check(lines == ["pprofc: warning: cannot save the profile in '%s': no free file name"
                    % saved], lines)
    check(len(listing(saved)) == 9999, "%d files" % len(listing(saved)))


def case_save_failure_warns_unless_fetch(pprofc, srv, tmp, env):
    # As go tool pprof: a profile that cannot be saved is still used; only
    # `fetch`, whose job is saving, fails (before the capture, when it can).
    blocker = os.path.join(tmp, "a-file")
    open(blocker, "w").close()
    bad = dict(env, PPROF_TMPDIR=blocker)
    warn = "pprofc: warning: cannot save the profile in '%s': Not a directory" % blocker
    for urls in ([srv.url("/valid")], [srv.url("/valid"), srv.url("/halfway"), srv.url("/valid")]):
        hits = int(http_get(srv.url("/hits")))
        rc, out, err = run(pprofc + ["top", "-q", "--json", "--keep-going"] + urls, env=bad)
        lines = err.decode().splitlines()
        check(rc == 0 and json.loads(out)["sample_type"] == "cpu", (rc, lines))
        check(lines[:1] == [warn], lines)
        check(len(lines) == (1 if len(urls) == 1 else 3), lines)
        check(int(http_get(srv.url("/hits"))) - hits == len(urls), "not all captured")
    rc, out, err = run(pprofc + ["fetch", "-q", srv.url("/valid")], env=bad)
    check(rc == 1 and err.decode().startswith("pprofc: cannot save profiles in '%s'" % blocker),
          (rc, err))
    # The directory gone while capturing: the save fails after the capture.
    for i, (cmd, code) in enumerate(((["top", "-q", "--json"], 0), (["fetch", "-q"], 1))):
        d = os.path.join(tmp, "gone%d" % i)
        os.makedirs(d)
        hits = int(http_get(srv.url("/hits")))
        p = subprocess.Popen(pprofc + cmd + [srv.url("/slow-profile?seconds=2")],
                             env=dict(env, PPROF_TMPDIR=d), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        wait_for_hit(srv, hits, p)
        os.rename(d, d + ".moved")
        out, err = p.communicate(timeout=60)
        lines = err.decode().splitlines()
        check(p.returncode == code, "%s: exit %d: %s" % (cmd, p.returncode, lines))
        if code == 0:
            check(json.loads(out)["sample_type"] == "cpu", out[:100])
            check(lines == ["pprofc: warning: cannot save the profile in '%s': "
                            "No such file or directory" % d], lines)
        else:
            check(lines == ["pprofc: cannot save the profile in '%s': "
                            "No such file or directory" % d], lines)


def case_many_urls_memory_bounded(pprofc, srv, tmp, env):
    # One good profile and 20 chunked bodies over the cap, one at a time:
    # each failed body is freed as its transfer ends, so the peak is about
    # one body, not 20.
    urls = [srv.url("/valid")] + [srv.url("/huge-chunked?mb=40")] * 20
    cmd = pprofc + ["top", "-q", "--json", "--keep-going", "-j", "1", "--max-size", "32M"] + urls
    with open(os.path.join(tmp, "out"), "w+b") as out, open(os.path.join(tmp, "err"), "w+b") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        took = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        out, lines = out.read(), err.read().decode().splitlines()
    check(p.returncode == 0 and json.loads(out)["sample_type"] == "cpu", (p.returncode, lines))
    check(len(lines) == 21 and lines[20] == "pprofc: warning: read 1 of 21 sources", lines)
    check(all("the response is larger than the limit of 33554432 bytes" in l
              for l in lines[:20]), lines[:2])
    peak = usage.ru_maxrss / 1024
    print("peak RSS %.0f MB, %.1f s" % (peak, took))
    if os.environ.get("PPROFC_WRAPPER"):
        print("peak not checked: it is the wrapper's")
    elif os.environ.get("ASAN_OPTIONS"):
        # scripts/test.sh --sanitize: ASan's quarantine keeps what is freed
        print("peak not checked: AddressSanitizer keeps freed memory")
    else:
        check(peak < 200, "peak RSS %.0f MB for 20 x 32 MB refused one at a time" % peak)


def case_kcachegrind_viewer(pprofc, srv, tmp, env):
    log = os.path.join(tmp, "viewer.log")
    env = dict(env, FAKE_VIEWER_LOG=log, TMPDIR=tmp)
    viewer = os.path.join(SUPPORT, "fake_viewer.sh")
    rc, out, err = run(pprofc + ["kcachegrind", "--viewer", viewer, srv.url("/valid")], env=env)
    check(rc == 0, err)
    for _ in range(100):
        if os.path.exists(log) and open(log).read().endswith("\n"):
            break
        time.sleep(0.1)
    got = open(log).read().split()
    check(len(got) == 1 and os.path.basename(got[0]).startswith("callgrind.out.pprofc."), got)
    check(os.path.dirname(got[0]) == tmp, got)
    check(not os.path.exists(got[0]), "the viewer's file was left behind")
    rc, out, err2 = run(["callgrind_annotate", "--auto=no", log + ".copy"])
    check(rc == 0 and not err2 and b"PROGRAM TOTALS" in out, "not a callgrind file: %r" % err2)
    check(("Opening %s in %s" % (got[0], viewer)).encode() in err, err)
    # No viewer installed: a clear error before anything is fetched.
    hits = int(http_get(srv.url("/hits")))
    rc, out, err = run(pprofc + ["kcachegrind", "--viewer", "no-such-viewer-pprofc", "-q",
                                 srv.url("/valid")], env=env)
    lines = err.decode().splitlines()
    check(rc == 1 and len(lines) == 1, lines)
    check("not installed (apt-get install kcachegrind" in lines[0], lines)
    check(int(http_get(srv.url("/hits"))) == hits, "fetched although the viewer is missing")
    check(not [f for f in os.listdir(tmp) if f.startswith("callgrind.out")], os.listdir(tmp))


def case_progress_on_terminal_only(pprofc, srv, tmp, env):
    # On a terminal (script(1) provides one): a live countdown, then bytes.
    log = os.path.join(tmp, "tty.log")
    cmd = " ".join(pprofc + ["fetch", "--seconds", "2", "'%s'" % srv.url("/slow-profile")])
    rc, out, err = run(["script", "-qec", cmd, log], env=env)
    check(rc == 0, "exit %d: %r" % (rc, err))
    text = open(log, "rb").read().decode(errors="replace")
    for words in ("capturing: 2 s left", "capturing: 1 s left", "received ", "Saved profile in"):
        check(words in text, "%r missing on the terminal: %r" % (words, text[-400:]))
    # Not a terminal: the two plain lines only.
    rc, out, err = run(pprofc + ["fetch", "--seconds", "1", srv.url("/slow-profile")], env=env)
    lines = err.decode().splitlines()
    check(rc == 0 and len(lines) == 2 and lines[0].startswith("Fetching profile over HTTP from ")
          and lines[1].startswith("Saved profile in "), lines)


def case_tls_verified(pprofc, srv, tmp, env):
    # A self-signed certificate for 127.0.0.1: refused unless trusted with
    # --cacert or verification is turned off explicitly with -k.
    need("openssl")
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    rc, _, err = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                      "-keyout", key, "-out", cert])
    check(rc == 0, err)
    with Server([sys.executable, os.path.join(SUPPORT, "fault_server.py"), sys.argv[2], "--tls",
                 cert, key]) as tls:
        url = "https://%s/valid" % tls.addr
        rc, _, err = run(pprofc + ["fetch", "-q", url], env=env)
        lines = err.decode().splitlines()
        check(rc == 1 and len(lines) == 1 and "certificate" in lines[0], lines)
        check(not listing(env["PPROF_TMPDIR"]), "left a file")
        fetch_ok(pprofc, ["--cacert", cert, url], env)
        fetch_ok(pprofc, ["-k", url], env)
        check(len(listing(env["PPROF_TMPDIR"])) == 2, listing(env["PPROF_TMPDIR"]))


def case_many_urls_keep_going(pprofc, srv, tmp, env):
    import json
    urls = [srv.url("/valid"), srv.url("/halfway"), srv.url("/valid"), srv.url("/html")]
    rc, out, err = run(pprofc + ["top", "-q", "--json"] + urls, env=env)
    lines = err.decode().splitlines()
    check(rc == 1 and out == b"", (rc, out[:80], lines))
    check(len(lines) == 3 and "connection closed" in lines[0] and "text/html" in lines[1]
          and "2 of 4 sources could not be read (--keep-going" in lines[2], lines)
    # the good ones were fetched whole and are kept, each as it came
    check(len(listing(env["PPROF_TMPDIR"])) == 2, listing(env["PPROF_TMPDIR"]))
    rc, out, err = run(pprofc + ["top", "-q", "--json", "--keep-going"] + urls, env=env)
    lines = err.decode().splitlines()
    check(rc == 0 and len(lines) == 3 and lines[2] == "pprofc: warning: read 2 of 4 sources",
          (rc, lines))
    rc, one, e = run(pprofc + ["top", "--json", os.path.join(TESTS, "fixtures", "cpu.pb.gz")])
    check(json.loads(out)["total"] == 2 * json.loads(one)["total"], "not the sum of two")


def case_jobs_bound_concurrency(pprofc, srv, tmp, env):
    import time
    urls = [srv.url("/slow-profile?seconds=1")] * 4
    t0 = time.monotonic()
    rc, _, err = run(pprofc + ["top", "-q"] + urls, env=env)
    together = time.monotonic() - t0
    check(rc == 0, err.decode())
    t0 = time.monotonic()
    rc, _, err = run(pprofc + ["top", "-q", "--jobs", "1"] + urls, env=env)
    alone = time.monotonic() - t0
    check(rc == 0, err.decode())
    # 4 one-second answers: about 1 s at once, at least 4 s one by one
    # (relative: a wrapper such as valgrind adds the same start-up to both)
    check(alone >= 4 and together < alone - 2, "4 x 1 s: %.1f s at once, %.1f s with --jobs 1" % (
        together, alone))
    print("4 one-second captures: %.2f s concurrently, %.2f s with --jobs 1" % (together, alone))


# The server's words reach the terminal escaped as the reports escape
# names: C0, DEL, C1 (raw and UTF-8) and bidi controls; letters kept.
STEERING = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_words(pprofc, srv, env, path, words):
    for args in (["fetch", "-q"], ["top", "-q"]):
        rc, out, err = run(pprofc + args + [srv.url(path)], env=env)
        lines = err.split(b"\n")
        check(rc == 1 and len(lines) == 2 and lines[1] == b"", "%s: exit %d, %r" % (args, rc, err))
        try:
            text = lines[0].decode("utf-8")  # strict: a raw C1 byte fails
        except UnicodeDecodeError:
            raise TestFailure("%s: not UTF-8: %r" % (args, lines[0]))
        check(not STEERING.search(text), "%s: unescaped control in %r" % (args, text))
        check(words in text, "%s: %r lacks %r" % (args, text, words))
        check(not listing(env["PPROF_TMPDIR"]), "%s: left a file" % args)


def case_hostile_server_text(pprofc, srv, tmp, env):
    # trailing white space dropped, the rest escaped
    hostile_words(pprofc, srv, env, "/pprof-hostile-text",
                  "server says (HTTP 500): "
                  "stop\\x1b[2J\\x07now\\x0a\\u202egnp.exe \\u009b \u00e9")


def case_hostile_content_type(pprofc, srv, tmp, env):
    hostile_words(pprofc, srv, env, "/hostile-content-type",
                  "the server sent text/html\\x1b[31m\\x9b;\\x07, not a profile")


SUCCESS = {n[len("case_"):].replace("_", "-"): f for n, f in globals().items()
           if n.startswith("case_")}


def main():
    pprofc = pprofc_cmd(sys.argv[1])
    valid = sys.argv[2]
    if sys.argv[3] == "--list":
        print("\n".join(list(ERRORS) + list(SUCCESS)))
        return
    name = sys.argv[4]
    with tempfile.TemporaryDirectory() as tmp:
        env = clean_env(tmp)
        with Server([sys.executable, os.path.join(SUPPORT, "fault_server.py"), valid]) as srv:
            try:
                if name in ERRORS:
                    error_case(pprofc, srv, name, tmp, env)
                else:
                    SUCCESS[name](pprofc, srv, tmp, env)
                    print("%s: ok" % name)
            except TestFailure as e:
                print("FAIL:", e)
                sys.exit(1)


if __name__ == "__main__":
    main()
