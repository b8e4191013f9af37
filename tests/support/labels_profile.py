#!/usr/bin/env python3
"""Writes a crafted profile whose labels and samples exercise the corners
of pprof's tags, traces and raw reports (the real fixtures only have one
string key or one numeric key):

- several keys; two values of one key on one sample; an empty key name;
- numeric labels without a unit ("bytes", "request" -> bytes, "alignment"),
  with a unit ("latency" in ms, then a conflicting "seconds" that pprof
  ignores), negative and extreme (INT64_MIN, INT64_MAX) numbers, numbers
  that print alike (8192 and 8193 both "8kB"), a string and a number that
  print alike under one key;
- labels on a sample without locations (pprof drops the sample);
- a label with neither string nor number (ignored by pprof);
- a key whose samples sum to 0 (no percentages) and one that sums < 0;
- two identical samples (pprof merges them), a sample whose values are all
  zero (pprof drops it), a sample without locations, an inlined location and
  a location without lines.

usage: labels_profile.py OUTPUT"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from support.pbgen import gz, lfield, location, mapping, profile, vfield

S = ["", "samples", "count", "cpu", "nanoseconds",
     "main.main", "main.go", "main.work", "main.inlined", "main.leaf",
     "worker", "a", "b", "c", "bytes", "request", "alignment", "latency", "ms", "seconds",
     "mixed", "8kB", "size", "kB", "zero", "q", "neg", "n", "extreme", "/bin/app", "build-1", "nostack", "y", "zeroed", "z"]
I = {s: i for i, s in enumerate(S)}


def lab(k, s=None, n=0, u=None):
    return (I[k], I[s] if s else 0, n, I[u] if u else 0)


samples = [
    ([3, 2, 1], [1, 10000000], [lab("worker", "a"), lab("worker", "b"), lab("bytes", n=8192),
                                lab("request", n=100), lab("latency", n=5, u="ms")]),
    ([3, 2, 1], [2, 20000000], [lab("worker", "a"), lab("bytes", n=8193),
                                lab("latency", n=1500, u="ms"), lab("mixed", "8kB"),
                                lab("mixed", n=8192, u="bytes")]),
    ([4, 1], [3, 30000000], [lab("worker", "c"), lab("size", n=-3, u="kB"),
                             lab("alignment", n=16), (0, I["q"], 0, 0)]),
    ([4, 1], [3, 30000000], [lab("worker", "c"), lab("size", n=-3, u="kB"),
                             lab("alignment", n=16), (0, I["q"], 0, 0)]),
    ([5], [4, 40000000], [lab("latency", n=2, u="seconds"), (I["worker"], 0, 0, 0),
                          lab("extreme", n=-(1 << 63), u="bytes"),
                          lab("extreme", n=(1 << 63) - 1, u="bytes")]),
    ([], [5, 50000000], [lab("worker", "nostack"), lab("nostack", "y")]),
    ([2, 1], [1, 0], [lab("zero", "q")]),
    ([2, 1], [-5, -50], [lab("neg", "n")]),
    ([2, 1], [0, 0], [lab("worker", "b"), lab("zeroed", "z")]),
]

locations = [
    (1, [(1, 12)], 1, 0x1000),
    (2, [(2, 41)], 1, 0x1100),
    (3, [(3, 7), (4, 9)], 1, 0x1200),  # main.leaf inlined into main.inlined
    (4, [(2, 44)], 1, 0x1300),
    (5, [], 1, 0x1abc),  # no lines
]
functions = [(1, I["main.main"], I["main.go"]), (2, I["main.work"], I["main.go"]),
             (3, I["main.leaf"], I["main.go"]), (4, I["main.inlined"], I["main.go"])]
data = profile(sample_types=((I["samples"], I["count"]), (I["cpu"], I["nanoseconds"])),
               samples=samples, locations=locations, functions=functions, strings=S,
               mappings=((1, I["/bin/app"]),), time_nanos=1700000000000000000,
               extra=vfield(10, 1000000000) + lfield(11, vfield(1, I["cpu"]) +
                                                                     vfield(2, I["nanoseconds"]))
               + vfield(12, 10000000) + vfield(13, I["build-1"]))
with open(sys.argv[1], "wb") as f:
    f.write(gz(data))
