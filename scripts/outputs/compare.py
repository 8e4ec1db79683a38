"""Compares two output trees of scripts/outputs/capture.sh file by file: identical bytes, or JSON/CSV equal once
timings, versions and the command line (argv[0] differs between builds) are left out. Prints what differs."""
import sys, os, json, csv, io
A, B = sys.argv[1], sys.argv[2]
def files(root):
    out = set()
    for d, _, fs in os.walk(root):
        for f in fs: out.add(os.path.relpath(os.path.join(d, f), root))
    return out
fa, fb = files(A), files(B)
if fa != fb: print("only in A:", sorted(fa - fb)[:20], "only in B:", sorted(fb - fa)[:20])
VOLATILE = ("wall", "seconds", "version", "started", "elapsed", "command")
def strip(o):
    if isinstance(o, dict): return {k: strip(v) for k, v in o.items() if not any(s in k.lower() for s in VOLATILE)}
    if isinstance(o, list): return [strip(v) for v in o]
    return o
bad = 0
for f in sorted(fa & fb):
    a, b = open(os.path.join(A, f), 'rb').read(), open(os.path.join(B, f), 'rb').read()
    if a == b: continue
    if f.endswith('.json'):
        try:
            if strip(json.loads(a)) == strip(json.loads(b)): continue
        except Exception: pass
    if f.endswith('.csv'):
        ra = list(csv.reader(io.StringIO(a.decode()))); rb = list(csv.reader(io.StringIO(b.decode())))
        if ra and rb and ra[0] == rb[0]:
            keep = [i for i, h in enumerate(ra[0]) if not any(s in h.lower() for s in VOLATILE)]
            if [[r[i] for i in keep] for r in ra] == [[r[i] for i in keep] for r in rb]: continue
    print("DIFF", f); bad += 1
print(len(fa & fb), "files compared,", bad, "differ beyond timings/versions")
