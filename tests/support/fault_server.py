#!/usr/bin/env python3
"""The project's fault server: an HTTP server on 127.0.0.1 (never any other
address) that misbehaves in the ways real servers and proxies do, for the
fetch tests. Prints "listening on 127.0.0.1:PORT" and serves until stdin
closes or --lifetime seconds pass.

usage: fault_server.py VALID_PROFILE [--lifetime SECONDS] [--tls CERT KEY]"""
import gzip
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

VALID = open(sys.argv[1], "rb").read()
STATE = {"hits": 0, "headers": {}, "last": ""}
LOCK = threading.Lock()


def random_bytes(n, seed=7):
    import random
    r = random.Random(seed)
    return bytes(r.getrandbits(8) for _ in range(n))


BOMB = gzip.compress(b"\0" * (64 << 20), compresslevel=9)
BIG = random_bytes(3 << 20)
MIB = BIG[:1 << 20]


def _varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def _len(num, payload):
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def _int(num, v):
    return _varint(num << 3) + _varint(v)


def long_mapping_profile():
    """A CPU profile whose binary (mapping[0]'s file) has a 300-byte name."""
    strings = ["", "samples", "count", "cpu", "nanoseconds", "/opt/" + "b" * 300, "main"]
    p = _len(1, _int(1, 1) + _int(2, 2)) + _len(1, _int(1, 3) + _int(2, 4))
    p += _len(2, _len(1, _varint(1)) + _len(2, _varint(1) + _varint(1000)))
    p += _len(3, _int(1, 1) + _int(2, 0x400000) + _int(3, 0x500000) + _int(5, 5))
    p += _len(4, _int(1, 1) + _int(2, 1) + _int(3, 0x401000) + _len(4, _int(1, 1) + _int(2, 7)))
    p += _len(5, _int(1, 1) + _int(2, 6) + _int(3, 6))
    p += b"".join(_len(6, t.encode()) for t in strings)
    return gzip.compress(p)


LONG_MAPPING = long_mapping_profile()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, ctype="application/octet-stream", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, where):
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        path = urlparse(self.path).path
        if path == "/hits":  # the test's own look-ups do not count
            with LOCK:
                return self.reply(200, str(STATE["hits"]).encode(), "text/plain")
        if not path.startswith("/last-"):
            with LOCK:
                STATE["hits"] += 1
        if path == "/last-headers":
            with LOCK:
                return self.reply(200, json.dumps(STATE["headers"]).encode(), "application/json")
        if path == "/last-request":
            with LOCK:
                return self.reply(200, STATE["last"].encode(), "text/plain")
        with LOCK:
            STATE["last"] = self.path
        if path == "/slow-profile":
            # Like a CPU profile: answer after the requested seconds.
            q = dict(x.split("=", 1) for x in urlparse(self.path).query.split("&") if "=" in x)
            time.sleep(min(float(q.get("seconds", "1")), 5))
            return self.reply(200, VALID)
        if path == "/valid" or path == "/debug/pprof/profile":
            return self.reply(200, VALID)
        if path == "/headers":
            with LOCK:
                STATE["headers"] = {k: v for k, v in self.headers.items()}
            return self.reply(200, VALID)
        if path == "/404":
            return self.reply(404, b"404 page not found\n", "text/plain; charset=utf-8")
        if path == "/pprof-500":
            return self.reply(500, b"profile duration exceeds server's WriteTimeout\n",
                              "text/plain; charset=utf-8", [("X-Go-Pprof", "1")])
        if path == "/html":
            return self.reply(200, b"<!DOCTYPE html><html><body>Sign in</body></html>\n",
                              "text/html; charset=utf-8")
        if path == "/json":
            return self.reply(200, b'{"error": "profiling disabled"}\n', "application/json")
        if path == "/empty":
            return self.reply(200, b"")
        if path == "/garbage":
            return self.reply(200, random_bytes(2000))
        if path == "/truncated-gzip":
            return self.reply(200, VALID[: len(VALID) // 2])
        if path == "/halfway":
            # Promise the whole profile, send half, drop the connection.
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(VALID)))
            self.end_headers()
            self.wfile.write(VALID[: len(VALID) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if path == "/never":
            time.sleep(20)  # bounded: the test's timeout is far shorter
            self.close_connection = True
            return
        if path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(VALID)))
            self.end_headers()
            for b in VALID[:100]:
                try:
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                except OSError:
                    break
                time.sleep(0.2)
            self.close_connection = True
            return
        if path == "/redirect-file":
            return self.redirect("file:///etc/passwd")
        if path == "/redirect-ftp":
            return self.redirect("ftp://127.0.0.1/profile")
        if path == "/loop":
            return self.redirect("/loop")
        if path == "/redirect-ok":
            return self.redirect("/valid")
        if path == "/bomb":
            return self.reply(200, BOMB)
        if path == "/big":
            return self.reply(200, BIG)
        if path == "/long-mapping":
            return self.reply(200, LONG_MAPPING)
        if path == "/huge-chunked":
            # ?mb=N: N MiB, chunked, fast; stops when the client does.
            q = dict(x.split("=", 1) for x in urlparse(self.path).query.split("&") if "=" in x)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for _ in range(int(q.get("mb", "1"))):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(MIB), MIB))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            self.close_connection = True
            return
        if path == "/big-chunked":
            # No Content-Length: the cap must be counted as bytes arrive.
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for i in range(0, len(BIG), 65536):
                    chunk = BIG[i:i + 65536]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            return
        # Hostile words for the error message (issue 16): a Go server's
        # text with terminal controls and a bidi override, a Content-Type
        # with ESC and a raw C1 byte (latin-1 on the wire).
        if path == "/pprof-hostile-text":
            return self.reply(500, b"stop\x1b[2J\x07now\n\xe2\x80\xaegnp.exe \xc2\x9b \xc3\xa9\r\n",
                              "text/plain; charset=utf-8", [("X-Go-Pprof", "1")])
        if path == "/hostile-content-type":
            return self.reply(200, b"<html></html>\n", "text/html\x1b[31m\x9b;\x07")
        return self.reply(404, b"no such fault\n", "text/plain")


def main():
    lifetime = 120.0
    if "--lifetime" in sys.argv:
        lifetime = float(sys.argv[sys.argv.index("--lifetime") + 1])
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if "--tls" in sys.argv:  # --tls CERT KEY: serve HTTPS
        import ssl
        i = sys.argv.index("--tls")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[i + 1], sys.argv[i + 2])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("listening on 127.0.0.1:%d" % srv.server_address[1], flush=True)
    # Stop when the test closes our stdin, or at the latest after lifetime.
    t = threading.Thread(target=sys.stdin.read, daemon=True)
    t.start()
    t.join(lifetime)
    srv.shutdown()
    os._exit(0)


if __name__ == "__main__":
    main()
