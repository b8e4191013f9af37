"""A tiny reader of profile.proto for the tests: the samples (location ids,
values, labels) and the string table, straight from the file's bytes, so a
test can know what the profile holds without asking pprofc or pprof."""
import gzip


def _varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def _fields(b):
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 2:
            n, i = _varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        yield f, wt, v


def _ints(wt, v):
    if wt == 0:
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = _varint(v, i)
        out.append(x)
    return out


def _signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def read(path):
    """{'strings': [...], 'samples': [{'locs', 'values', 'labels': [(key, str,
    num, unit)] with strings resolved}], 'nlocations', 'comments'}."""
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    strings, raw_samples, nloc, comments = [], [], 0, []
    for f, wt, v in _fields(data):
        if f == 6:
            strings.append(v.decode("utf-8", "replace"))
        elif f == 2:
            raw_samples.append(v)
        elif f == 4:
            nloc += 1
        elif f == 13:
            comments += _ints(wt, v)
    samples = []
    for raw in raw_samples:
        s = {"locs": [], "values": [], "labels": []}
        for f, wt, v in _fields(raw):
            if f == 1:
                s["locs"] += _ints(wt, v)
            elif f == 2:
                s["values"] += [_signed(x) for x in _ints(wt, v)]
            elif f == 3:
                lab = {1: 0, 2: 0, 3: 0, 4: 0}
                for lf, _, lv in _fields(v):
                    lab[lf] = lv
                s["labels"].append((strings_ref(lab[1]), strings_ref(lab[2]),
                                    _signed(lab[3]), strings_ref(lab[4])))
        samples.append(s)
    # resolve string indices now that the table (written last by Go) is known
    for s in samples:
        s["labels"] = [(strings[k.i], strings[st.i] if st.i else None, n,
                        strings[u.i] if u.i else None) for k, st, n, u in s["labels"]]
    return {"strings": strings, "samples": samples, "nlocations": nloc,
            "comments": [strings[c] for c in comments]}


class strings_ref:
    def __init__(self, i):
        self.i = i
