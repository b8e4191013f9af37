"""A tiny protobuf encoder for crafting profile.proto inputs in tests,
valid and broken, without depending on any protobuf library."""
import gzip as _gzip


def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wt):
    return varint(field << 3 | wt)


def vfield(field, v):
    return key(field, 0) + varint(v)


def lfield(field, payload):
    return key(field, 2) + varint(len(payload)) + payload


def packed(field, vals):
    return lfield(field, b"".join(varint(v) for v in vals))


def gz(data, mtime=0):
    return _gzip.compress(data, mtime=mtime)


STRINGS = ["", "samples", "count", "cpu", "nanoseconds", "main.main", "main.go",
           "main.work", "work.go", "main.leaf"]


def value_type(t, u):
    return vfield(1, t) + vfield(2, u)


def sample(locs, values, labels=()):
    b = packed(1, locs) + packed(2, values)
    for k, s, n, nu in labels:
        b += lfield(3, vfield(1, k) + vfield(2, s) + vfield(3, n) + vfield(4, nu))
    return b


def location(lid, lines, mapping_id=0, address=0):
    b = vfield(1, lid) + vfield(2, mapping_id) + vfield(3, address)
    for fid, ln in lines:
        b += lfield(4, vfield(1, fid) + vfield(2, ln))
    return b


def function(fid, name, filename, system_name=0, start_line=0):
    return vfield(1, fid) + vfield(2, name) + vfield(3, system_name) + vfield(4, filename) + \
        vfield(5, start_line)


def mapping(mid, filename=0):
    return vfield(1, mid) + vfield(5, filename)


def profile(sample_types=((1, 2), (3, 4)),
            samples=(([3, 2, 1], [1, 10]), ([2, 1], [2, 20]), ([4], [3, 30])),
            locations=((1, [(1, 12)]), (2, [(2, 41)]), (3, [(3, 7)]), (4, [])),
            functions=((1, 5, 6), (2, 7, 8), (3, 9, 8)),
            strings=STRINGS, mappings=(), extra=b"", time_nanos=1):
    """A small valid profile in the Go encoder's field order (samples before
    locations, the string table last); every part can be replaced."""
    b = b"".join(lfield(1, value_type(*t)) for t in sample_types)
    for s in samples:
        b += lfield(2, sample(*s))
    b += b"".join(lfield(3, mapping(*m)) for m in mappings)
    for lid, lines, *rest in locations:
        b += lfield(4, location(lid, lines, *rest))
    b += b"".join(lfield(5, function(*f)) for f in functions)
    b += b"".join(lfield(6, s.encode() if isinstance(s, str) else s) for s in strings)
    if time_nanos is not None:
        b += vfield(9, time_nanos)
    return b + extra
