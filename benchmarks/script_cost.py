"""What a Traditional script and the file metadata cost, measured on the election handbook.

    python3 benchmarks/script_cost.py [--runs 7] [--other /path/to/another/checkout]

1. Conversion: ``apply_script(doc, "hant-tw")`` in a fresh process (OpenCC imported and
   its s2twp/s2tw dictionaries loaded) and again warm (a new copy of the document each
   time, the converters kept), and ``describe()`` of the document.
2. Simplified render time: the handbook as PNG and as a pocket PDF, warm, in this
   checkout and (``--other``) in another one, runs interleaved so load swings hit both
   alike. A Simplified render never imports OpenCC (checked and printed).

Medians with min–max; prints ``uptime`` before and after.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
SPEC = HERE / "examples" / "election-handbook.yaml"

_CONVERT = r"""
import json, sys, time
t0 = time.perf_counter()
import tushuo
from tushuo.script import apply_script
doc = tushuo.load(sys.argv[1])
t1 = time.perf_counter()
apply_script(doc, "hant-tw")
t2 = time.perf_counter()
warm = []
for _ in range(5):
    d = tushuo.load(sys.argv[1])
    a = time.perf_counter(); apply_script(d, "hant-tw"); warm.append(time.perf_counter() - a)
a = time.perf_counter(); tushuo.describe(doc); desc = time.perf_counter() - a
print(json.dumps({"first": t2 - t1, "warm": sorted(warm)[2], "describe": desc}))
"""

_RENDER = r"""
import json, sys, time, tempfile, os
import tushuo
doc = tushuo.load(sys.argv[1])
out = tempfile.mkdtemp()
res = {}
for name in ("h.png", "h.pdf"):
    tushuo.render(doc, os.path.join(out, name))  # warm up: fonts, caches
    ts = []
    for _ in range(int(sys.argv[2])):
        d = tushuo.load(sys.argv[1])
        a = time.perf_counter(); tushuo.render(d, os.path.join(out, name)); ts.append(time.perf_counter() - a)
    res[name] = sorted(ts)[len(ts) // 2]
res["opencc_loaded"] = "opencc" in sys.modules
print(json.dumps(res))
"""


def _run(code: str, tree: Path, *args: str) -> dict:
    env = {"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}
    import os

    env = {**os.environ, **env}
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _uptime() -> str:
    return subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--other", type=Path, help="another checkout to compare Simplified render times with")
    args = ap.parse_args()
    print("before:", _uptime())
    conv = [_run(_CONVERT, HERE, str(SPEC)) for _ in range(3)]
    for key in ("first", "warm", "describe"):
        vals = [c[key] * 1000 for c in conv]
        print(f"conversion {key:9s} {statistics.median(vals):7.1f} ms  ({min(vals):.1f}–{max(vals):.1f})")
    trees = [("this", HERE)] + ([("other", args.other)] if args.other else [])
    times: dict[str, dict[str, list[float]]] = {n: {"h.png": [], "h.pdf": []} for n, _ in trees}
    for _ in range(args.runs):
        for name, tree in trees:
            r = _run(_RENDER, tree, str(SPEC), "3")
            if r["opencc_loaded"]:
                print(f"{name}: a Simplified render imported opencc")
            for k in ("h.png", "h.pdf"):
                times[name][k].append(r[k] * 1000)
    for name, _ in trees:
        for k, vals in times[name].items():
            print(f"{name:5s} {k}  {statistics.median(vals):7.0f} ms  ({min(vals):.0f}–{max(vals):.0f})")
    print("after: ", _uptime())


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
