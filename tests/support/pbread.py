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


# Every field of profile.proto, by message: field number -> (name, kind,
# repeated). Kinds: "int" (a varint, kept as its unsigned 64-bit value),
# "bool", "bytes", or a message name.
SCHEMA = {
    "Profile": {1: ("sample_type", "ValueType", True), 2: ("sample", "Sample", True),
                3: ("mapping", "Mapping", True), 4: ("location", "Location", True),
                5: ("function", "Function", True), 6: ("string_table", "bytes", True),
                7: ("drop_frames", "int", False), 8: ("keep_frames", "int", False),
                9: ("time_nanos", "int", False), 10: ("duration_nanos", "int", False),
                11: ("period_type", "ValueType", False), 12: ("period", "int", False),
                13: ("comment", "int", True), 14: ("default_sample_type", "int", False),
                15: ("doc_url", "int", False)},
    "ValueType": {1: ("type", "int", False), 2: ("unit", "int", False)},
    "Sample": {1: ("location_id", "int", True), 2: ("value", "int", True),
               3: ("label", "Label", True)},
    "Label": {1: ("key", "int", False), 2: ("str", "int", False), 3: ("num", "int", False),
              4: ("num_unit", "int", False)},
    "Mapping": {1: ("id", "int", False), 2: ("memory_start", "int", False),
                3: ("memory_limit", "int", False), 4: ("file_offset", "int", False),
                5: ("filename", "int", False), 6: ("build_id", "int", False),
                7: ("has_functions", "bool", False), 8: ("has_filenames", "bool", False),
                9: ("has_line_numbers", "bool", False),
                10: ("has_inline_frames", "bool", False)},
    "Location": {1: ("id", "int", False), 2: ("mapping_id", "int", False),
                 3: ("address", "int", False), 4: ("line", "Line", True),
                 5: ("is_folded", "bool", False)},
    "Line": {1: ("function_id", "int", False), 2: ("line", "int", False),
             3: ("column", "int", False)},
    "Function": {1: ("id", "int", False), 2: ("name", "int", False),
                 3: ("system_name", "int", False), 4: ("filename", "int", False),
                 5: ("start_line", "int", False)},
}


def _message(data, name):
    """A message as {field name: value}, every known field present (absent
    ones at proto3's default), repeated ones as lists in the file's order,
    packed or not; a singular field given twice keeps the last (scalars) or
    merges (messages), as protobuf does. Unknown fields are left out."""
    schema = SCHEMA[name]
    out, parts = {}, {}
    for num, (fname, kind, rep) in schema.items():
        out[fname] = [] if rep else (None if kind in SCHEMA else 0)
    for f, wt, v in _fields(data):
        if f not in schema:
            continue
        fname, kind, rep = schema[f]
        if kind in SCHEMA:
            if rep:
                out[fname].append(_message(v, kind))
            else:
                parts[fname] = parts.get(fname, b"") + v
        elif kind == "bytes":
            out[fname].append(bytes(v))
        else:
            vals = _ints(wt, v)
            if kind == "bool":
                vals = [int(x != 0) for x in vals]
            if rep:
                out[fname] += vals
            else:
                out[fname] = vals[-1]
    for fname, data_ in parts.items():
        out[fname] = _message(data_, schema_kind(schema, fname))
    for num, (fname, kind, rep) in schema.items():
        if kind in SCHEMA and not rep and out[fname] is None:
            out[fname] = _message(b"", kind)
    return out


def schema_kind(schema, fname):
    return next(k for n, k, r in schema.values() if n == fname)


def read_all(path):
    """The whole Profile message of a file (gzipped or not), every field."""
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return _message(data, "Profile")
