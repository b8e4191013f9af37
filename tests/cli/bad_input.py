#!/usr/bin/env python3
"""Crafted bad inputs: each must give its exit code, one line on stderr
starting "pprofc: " that contains the expected words, nothing on stdout, and
with -o no file at all (neither the output nor a temp file).

usage: bad_input.py PPROFC --list | --case NAME | --all"""
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.harness import TestFailure, check, pprofc_cmd, run
from support.pbgen import (STRINGS, gz, key, lfield, packed, profile, sample, varint,
                   vfield)

VALID = profile()


def flip_crc(data):
    b = bytearray(data)
    b[-8] ^= 0xFF
    return bytes(b)


def rand_bytes(n, seed):
    r = random.Random(seed)
    return bytes(r.getrandbits(8) for _ in range(n))


# name: (input bytes, extra args, exit code, expected words in the message)
CASES = {
    "empty": (b"", [], 1, "empty input"),
    "text": (b"this is not a profile, just some words\n" * 3, [], 1, "looks like text"),
    "legacy-heap-text": (b"heap profile: 1: 2 [3: 4] @ heap/1048576\n", [], 1,
                         "legacy text formats"),
    "html-page": (b"<!DOCTYPE html><html><body>404 not found</body></html>\n", [], 1,
                  "looks like HTML"),
    "json-body": (b'{"error": "profiling disabled"}\n', [], 1, "looks like JSON"),
    "gzip-truncated": (gz(VALID)[:40], [], 1, "unexpected end of gzip stream"),
    "gzip-header-only": (gz(VALID)[:10], [], 1, "unexpected end of gzip stream"),
    "gzip-bad-crc": (flip_crc(gz(VALID)), [], 1, "incorrect data check"),
    "gzip-bomb": (gz(b"\0" * (4 << 20)), ["--max-size", "1M"], 1,
                  "exceeds the limit of 1048576 bytes"),
    "gzip-two-members": (gz(VALID) + gz(VALID), [], 1, "second gzip member"),
    "gzip-trailing-garbage": (gz(VALID) + b"garbage!", [], 1, "trailing garbage"),
    "gzip-corrupt-deflate": (gz(VALID)[:10] + b"\xff" * 40 + gz(VALID)[-8:], [], 1,
                             "corrupt gzip stream"),
    "random-bytes": (rand_bytes(4096, 1), [], 1, "cannot read"),
    "random-gzip": (gz(rand_bytes(4096, 2)), [], 1, "cannot read"),
    "raw-over-max-size": (VALID, ["--max-size", "64"], 1, "over the size limit"),
    "protobuf-truncated": (VALID[:-7], [], 1, "runs past the end"),
    "wrong-wire-type": (vfield(2, 5) + VALID, [], 1, "field sample at byte 0 has wire type 0"),
    "group-wire-type": (key(2, 3) + VALID, [], 1, "unsupported wire type 3"),
    "field-number-zero": (key(0, 0) + varint(1) + VALID, [], 1, "invalid field number 0"),
    "varint-over-10-bytes": (VALID + key(9, 0) + b"\xff" * 10 + b"\x01", [], 1,
                             "over-long"),
    "tag-over-10-bytes": (b"\xff" * 11 + VALID, [], 1, "over-long field tag"),
    "sample-huge-repeated-count": (
        lfield(1, vfield(1, 1)) + lfield(2, key(1, 2) + varint(1 << 40)) + VALID, [], 1,
        "malformed Sample message"),
    "string-index-out-of-range": (profile(functions=((1, 99, 6), (2, 7, 8), (3, 9, 8))), [], 1,
                                  "string index 99 of function 1 is out of range"),
    "string-index-negative": (profile(functions=((1, -1, 6), (2, 7, 8), (3, 9, 8))), [], 1,
                              "string index -1 of function 1"),
    "label-string-out-of-range": (profile(samples=(([1], [1, 1], [(50, 0, 0, 0)]),)), [], 1,
                                  "label key in sample 0"),
    "string-table-0-not-empty": (profile(strings=["x"] + STRINGS[1:]), [], 1,
                                 "string_table[0] is not the empty string"),
    "string-table-empty": (profile(strings=[], sample_types=(), samples=(), locations=(),
                                   functions=()), [], 1, "string table is empty"),
    "location-id-0": (profile(locations=((0, [(1, 1)]), (2, [(2, 1)]), (3, [(3, 1)]))), [], 1,
                      "location entry 0 has the reserved id 0"),
    "function-id-0": (profile(functions=((0, 5, 6), (2, 7, 8), (3, 9, 8))), [], 1,
                      "function entry 0 has the reserved id 0"),
    "mapping-id-0": (profile(mappings=((0, 6),)), [], 1, "mapping entry 0 has the reserved id 0"),
    "duplicate-location-id": (profile(locations=((1, [(1, 1)]), (1, [(2, 1)]), (3, [(3, 1)]),
                                                 (4, []))), [], 1, "duplicate location id 1"),
    "duplicate-function-id": (profile(functions=((1, 5, 6), (1, 7, 8), (3, 9, 8))), [], 1,
                              "duplicate function id 1"),
    "duplicate-mapping-id": (profile(mappings=((7, 6), (7, 8))), [], 1, "duplicate mapping id 7"),
    "dangling-location-id": (profile(samples=(([1], [1, 1]), ([17, 1], [1, 1]))), [], 1,
                             "location id 17 in sample 1 does not exist"),
    "dangling-function-id": (profile(locations=((1, [(9, 1)]), (2, [(2, 1)]), (3, [(3, 1)]),
                                                (4, []))), [], 1,
                             "function id 9 in location id 1 does not exist"),
    "line-function-id-0": (profile(locations=((1, [(0, 1)]), (2, [(2, 1)]), (3, [(3, 1)]),
                                              (4, []))), [], 1,
                           "location id 1 has a line with function id 0"),
    "value-count-mismatch": (profile(samples=(([1], [1, 1]), ([1], [5]))), [], 1,
                             "sample 1 has 1 values, but the profile has 2 sample types"),
    "no-sample-types": (profile(sample_types=()), [], 1, "has samples but no sample types"),
    "two-time-nanos": (profile(extra=vfield(9, 12345)), [], 1, "time_nanos appears twice"),
    "sample-overlong-tag": (profile(extra=lfield(2, b"\xff" * 6 + b"\x01")), [], 1,
                            "malformed Sample message at byte"),
    "label-overlong-varint": (profile(samples=(([1], [1, 1]),), extra=lfield(
        2, packed(1, [1]) + packed(2, [1, 1]) + lfield(3, key(1, 0) + b"\xff" * 11))), [], 1,
        "over-long varint"),
    "packed-varint-cut": (profile(extra=lfield(2, lfield(1, b"\x80") + packed(2, [1, 1]))), [], 1,
                          "truncated packed varint"),
    "too-many-samples": (VALID, ["--max-samples", "2"], 1, "more than 2 samples (the limit"),
    "too-many-locations": (VALID, ["--max-locations", "3"], 1, "more than 3 locations"),
    "too-many-functions": (VALID, ["--max-functions", "1"], 1, "more than 1 functions"),
    "too-many-strings": (VALID, ["--max-strings", "5"], 1, "more than 5 strings"),
    "too-deep": (VALID, ["--max-depth", "2"], 1, "sample 0 has 3 locations, more than the limit of 2"),
    "too-many-labels": (profile(samples=(([1], [1, 1], [(1, 2, 0, 0)] * 3),)), ["--max-labels", "2"],
                        1, "sample 0 has 3 labels, more than the limit of 2"),
    "memory-limit": (gz(VALID), ["--max-memory", "4k"], 1, "over the memory limit of 4096 bytes"),
    "gzip-bomb-default-memory": (gz(b"\x0a\x00" * (140 << 20)), [], 1,
                                 "memory limit of 268435456 bytes"),
    "unknown-sample-type": (VALID, ["--sample-index", "alloc_space"], 2,
                            "unknown sample type 'alloc_space' (available: 0=samples, 1=cpu)"),
    "sample-index-out-of-range": (VALID, ["--sample-index", "7"], 2, "unknown sample type '7'"),
    # the profile's words in the message: escaped as in the reports
    "sample-type-name-controls": (
        profile(strings=STRINGS[:3] + [b"cpu\x1b[31m\x07\nX"] + STRINGS[4:]),
        ["--sample-index", "nope"], 2,
        "unknown sample type 'nope' (available: 0=samples, 1=cpu\\x1b[31m\\x07\\x0aX)"),
    "sample-type-name-c1-bidi": (
        profile(strings=STRINGS[:3] + [b"cpu\xe2\x80\xae\x9b\xc2\x9b\xe2\x81\xa9\xc3\xa9"] +
                STRINGS[4:]), ["--sample-index", "nope"], 2,
        "(available: 0=samples, 1=cpu\\u202e\\x9b\\u009b\\u2069\u00e9)"),
    "bad-max-size": (VALID, ["--max-size", "lots"], 2, "invalid size 'lots'"),
    "unknown-option": (VALID, ["--frobnicate"], 2, "unknown option '--frobnicate'"),
    "missing-file": (None, [], 1, "No such file or directory"),
    "directory": ("DIR", [], 1, "is a directory"),
}


def run_case(pprofc, name):
    data, extra, code, words = CASES[name]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.pb.gz")
        if data == "DIR":
            src = tmp
        elif data is not None:
            with open(src, "wb") as f:
                f.write(data)
        outdir = os.path.join(tmp, "out")
        os.mkdir(outdir)
        for cmd in (["top"], ["to-folded"], ["to-callgrind", "-o", os.path.join(outdir, "cg.out")],
                    ["to-folded", "-o", os.path.join(outdir, "folded.txt")]):
            rc, out, err = run(pprofc + cmd + extra + [src])
            lines = err.decode(errors="replace").splitlines()
            what = "%s on %s" % (" ".join(cmd), name)
            check(rc == code, "%s: exit %d, expected %d (stderr %r)" % (what, rc, code, lines))
            check(len(lines) == 1, "%s: %d lines on stderr: %r" % (what, len(lines), lines))
            check(lines[0].startswith("pprofc: "), "%s: message %r" % (what, lines[0]))
            check(words in lines[0], "%s: %r lacks %r" % (what, lines[0], words))
            check(out == b"", "%s: wrote %d bytes to stdout" % (what, len(out)))
            left = os.listdir(outdir)
            check(not left, "%s: left files behind: %s" % (what, left))
        print("%s: exit %d, %s" % (name, code, lines[0]))


def main():
    pprofc = pprofc_cmd(sys.argv[1])
    if sys.argv[2] == "--list":
        print("\n".join(CASES))
        return
    names = list(CASES) if sys.argv[2] == "--all" else [sys.argv[3]]
    failed = 0
    for n in names:
        try:
            run_case(pprofc, n)
        except TestFailure as e:
            print("FAIL:", e)
            failed += 1
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
