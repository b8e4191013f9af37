"""The hostile-names profile shared by hostile_test.py (every output),
dot_test.py and speedscope_test.py: a 1 MB name, ';', newlines, carriage
returns, escape sequences, tabs, invalid UTF-8, an empty name and a name
ending in " 123", in function names and a file name, and hostile labels."""
from support.pbgen import profile

NAMES = [b"A" * (1 << 20), b"semi;colon", b"new\nline", b"cr\rhere", b"esc\x1b[31mred",
         b"tab\there", b"bad\xff\xfeutf8", b"", b"ends in 123", b"main.ok"]


def hostile_profile():
    strings = ["", "samples", "count", "cpu", "nanoseconds"] + NAMES + [b"dir/with\nnewline.go"]
    first = 5
    fileidx = first + len(NAMES)
    functions = [(i + 1, first + i, fileidx) for i in range(len(NAMES))]
    locations = [(i + 1, [(i + 1, 10 + i)]) for i in range(len(NAMES))]
    n = len(NAMES)
    # every function as a leaf under main.ok, and a chain through all of them
    samples = [([i + 1, n], [1, 10 * (i + 1)]) for i in range(n - 1)]
    # hostile label keys and values too: string, numeric with a hostile
    # unit, and extreme numbers
    labels = [(first + 2, first + 5, 0, 0), (first + 2, first + 6, 0, 0),
              (first, 0, -(1 << 63), first + 6), (first + 4, 0, (1 << 63) - 1, 0)]
    samples.append((list(range(1, n + 1)), [2, 1000], labels))
    return profile(strings=strings, functions=functions, locations=locations, samples=samples)
