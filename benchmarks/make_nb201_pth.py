#!/usr/bin/env python3
"""Writes a file in the NAS-Bench-201 v1.0/v1.1 .pth layout (FORMATS.md) from the real NATS records in
../shared/data/nats-tss: torch.save's legacy container (magic, 1001, sys-info, object, storage keys; protocol 2,
numpy scalars through _codecs.encode) or its zip container (archive/data.pkl, STORED), holding
{'meta_archs', 'total_archs', 'arch2infos': {i: {'less': 12-epoch ArchResults, 'full': 200-epoch}}, 'evaluated_indexes'}.

    python3 benchmarks/make_nb201_pth.py OUT --real [--zip] [--bz2]
        architectures 0 and 11 with their real numbers; meta_archs lists indices 0..11 (the test fixture)
    python3 benchmarks/make_nb201_pth.py OUT --count N [--zip]
        N architectures, copies of 0 (even i) / 11 (odd i) re-labelled with i and meta_archs[i] (the size benchmark;
        N = 15625 gives a file of v1.1's size class)

Large files are written in a stream: each architecture is pickled once as a template by CPython's pickler, and
copies are emitted with their memo slots renumbered (LONG_BINPUT/LONG_BINGET with a running base), so the memo
grows through the whole file as it does in the real one, which memoises nearly everything.
"""
import argparse, bz2, io, os, pickle, pickletools, struct, sys, zipfile

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "nats-tss")
SENTINEL_INDEX = 0x7EADBEEF
SENTINEL_STR = "@@ARCH-STRING-SENTINEL@@"

def load(name):
    with bz2.open(os.path.join(SHARED, name), "rb") as f:
        return pickle.load(f)

class Template:
    """One architecture's {'less', 'full'} dict pickled at protocol 2, cut into segments at every memo opcode and at
    the sentinel index / arch string, so copies can be emitted with other labels and memo numbers."""
    def __init__(self, record):
        value = {"less": record["12"], "full": record["200"]}
        for results in value.values():
            results["arch_index"] = SENTINEL_INDEX
            results["arch_str"] = SENTINEL_STR
            for run in results["all_results"].values():
                run["arch_config"]["arch_str"] = SENTINEL_STR
        data = pickle.dumps(value, protocol=2)
        self.parts, self.slots = [], 0
        ops = list(pickletools.genops(data))[1:-1]  # without PROTO and STOP
        last = 2
        for n, (op, arg, pos) in enumerate(ops):
            end = ops[n + 1][2] if n + 1 < len(ops) else len(data) - 1
            kind = None
            if op.name in ("BINPUT", "LONG_BINPUT"):
                kind = ("put", arg)
                self.slots = max(self.slots, arg + 1)
            elif op.name in ("BINGET", "LONG_BINGET"):
                kind = ("get", arg)
            elif op.name == "BININT" and arg == SENTINEL_INDEX:
                kind = ("index",)
            elif op.name.endswith("UNICODE") and arg == SENTINEL_STR:
                kind = ("str",)
            if kind:
                self.parts.append(data[last:pos])
                self.parts.append(kind)
                last = end
        self.parts.append(data[last:-1])

    def emit(self, index, arch_str, base):
        s = arch_str.encode()
        text = b"X" + struct.pack("<I", len(s)) + s
        out = []
        for p in self.parts:
            if isinstance(p, bytes):
                out.append(p)
            elif p[0] == "put":
                out.append(b"r" + struct.pack("<I", base + p[1]))
            elif p[0] == "get":
                out.append(b"j" + struct.pack("<I", base + p[1]))
            elif p[0] == "index":
                out.append(pickle.dumps(index, protocol=2)[2:-1])
            else:
                out.append(text)
        return b"".join(out)

def unicode(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b

def write_object(out, entries, names):
    """The object pickle, written the way CPython's pickler batches dicts and lists (1000 per SETITEMS/APPENDS)."""
    out.write(b"\x80\x02}(" + unicode("meta_archs") + b"]")
    for i in range(0, len(names), 1000):
        out.write(b"(" + b"".join(unicode(n) for n in names[i:i + 1000]) + b"e")
    out.write(unicode("total_archs") + pickle.dumps(len(names), 2)[2:-1] + unicode("arch2infos") + b"}")
    batch = []
    for key_bytes, value_bytes in entries:
        batch.append(key_bytes + value_bytes)
        if len(batch) == 1000:
            out.write(b"(" + b"".join(batch) + b"u")
            batch = []
    if batch:
        out.write(b"(" + b"".join(batch) + b"u")
    out.write(unicode("evaluated_indexes") + b"]u.")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--real", action="store_true")
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--zip", action="store_true")
    ap.add_argument("--bz2", action="store_true", help="compress the legacy file with bzip2 (small committed fixture)")
    args = ap.parse_args()
    all_names = load("meta.pickle.pbz2")["meta_archs"]
    templates = {0: Template(load("000000.pickle.pbz2")), 11: Template(load("000011.pickle.pbz2"))}
    if args.real:
        names, plan = all_names[:12], [(0, 0), (11, 11)]
    else:
        names, plan = all_names[:max(args.count, 1)], [(i, 0 if i % 2 == 0 else 11) for i in range(args.count)]

    def entries():
        base = 0
        for n, (index, source) in enumerate(plan):
            t = templates[source]
            yield pickle.dumps(index, 2)[2:-1], t.emit(index, names[index], base)
            base += t.slots
            if n % 1000 == 999:
                print("%d/%d" % (n + 1, len(plan)), file=sys.stderr)

    if args.zip:
        with zipfile.ZipFile(args.out, "w", zipfile.ZIP_STORED) as z:
            z.writestr("archive/version", b"3\n")
            with z.open("archive/data.pkl", "w", force_zip64=True) as f:
                write_object(f, entries(), names)
    else:
        f = bz2.open(args.out, "wb") if args.bz2 else open(args.out, "wb")
        with f:
            f.write(pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2))
            f.write(pickle.dumps(1001, protocol=2))
            f.write(pickle.dumps({"protocol_version": 1001, "little_endian": True,
                                  "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2))
            write_object(f, entries(), names)
            f.write(pickle.dumps([], protocol=2))
    if args.real or args.count <= 20:
        verify(args)

def verify(args):
    """Reads the file back with CPython's pickle: the layout must be loadable by the reference tools."""
    if args.zip:
        obj = pickle.loads(zipfile.ZipFile(args.out).read("archive/data.pkl"))
    else:
        f = bz2.open(args.out, "rb") if args.bz2 else open(args.out, "rb")
        with f:
            magic, version, _info = pickle.load(f), pickle.load(f), pickle.load(f)
            assert magic == 0x1950a86a20f9469cfc6c and version == 1001
            obj = pickle.load(f)
            assert pickle.load(f) == []
    a = obj["arch2infos"]
    first = min(a)
    assert a[first]["full"]["arch_str"] == obj["meta_archs"][first]
    print("verified with CPython pickle:", len(a), "architectures", file=sys.stderr)

if __name__ == "__main__":
    main()
