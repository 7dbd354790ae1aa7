"""What the PDF's structure tree costs a Simplified manual: this checkout against others.

    python3 benchmarks/pdf_tags_cost.py --other /work/wt/before [--other DIR ...] [--rounds 15]

The election handbook as a pocket PDF (``script`` left Simplified), two ways, each
checkout in its own fresh process and the checkouts alternating round after round, so
load swings on a shared machine hit all of them alike:

* warm: one process renders the PDF to a file once (fonts, caches), then 5 times; its median
  (``tushuo.render``, which every checkout has);
* cold: ``python3 -m tushuo render SPEC -o out.pdf``, the whole process's wall time.

Then, in one process of this checkout, the structure tree's own cost: ``render_pdf`` of the
laid-out handbook with the tree (marking, lists and tables recognised, the tree written)
against the same with ``Structure`` and ``add_structure`` replaced by nothing (the
marked-content operators stay), alternating, CPU time.

Also says whether the render path imported pypdf (it should not: its import alone is a
sizeable share of a cold PDF render). Wall and CPU time (CPU time is steadier on a loaded
machine), medians with min–max; ``uptime`` before and after.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
SPEC = HERE / "examples" / "election-handbook.yaml"

_WARM = r"""
import json, os, sys, tempfile, time
import tushuo
doc = tushuo.load(sys.argv[1])
out = os.path.join(tempfile.mkdtemp(), "h.pdf")
tushuo.render(doc, out)
ts, cpu = [], []
for _ in range(5):
    a, c = time.perf_counter(), time.process_time()
    tushuo.render(doc, out)
    ts.append(time.perf_counter() - a); cpu.append(time.process_time() - c)
print(json.dumps({"warm": sorted(ts)[2], "cpu": sorted(cpu)[2], "pypdf": "pypdf" in sys.modules}))
"""


_AB = r"""
import json, sys, time
import tushuo
from tushuo import pipeline
from tushuo.paint import pdftags
from tushuo.pipeline import layout
doc = tushuo.load(sys.argv[1])
frame, _ = layout(doc)
real = (pdftags.Structure, pdftags.add_structure)
off = (lambda frame, links: None, lambda canvas, tags, links=None: None)
res = {"with": [], "without": []}
pipeline.render_pdf(frame, doc)
for _ in range(int(sys.argv[2])):
    for name, (structure, add) in (("with", real), ("without", off)):
        pdftags.Structure, pdftags.add_structure = structure, add
        c = time.process_time(); pipeline.render_pdf(frame, doc); res[name].append(time.process_time() - c)
print(json.dumps(res))
"""


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree)}


def _warm(tree: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _WARM, str(SPEC)], env=_env(tree), cwd=tree,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _cold(tree: Path, out: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of a whole ``tushuo render`` process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    a = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tushuo", "render", str(SPEC), "-o", str(out)], env=_env(tree),
                   cwd=tree, capture_output=True, check=True)
    wall = time.perf_counter() - a
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _uptime() -> str:
    return subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()


def _line(label: str, vals: list[float], unit: float, fmt: str) -> str:
    v = [x * unit for x in vals]
    return f"{label:40s} {statistics.median(v):{fmt}}  ({min(v):{fmt}}–{max(v):{fmt}})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--other", type=Path, action="append", default=[], help="another checkout (repeatable)")
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    trees = [HERE, *args.other]
    warm: dict[Path, list[float]] = {t: [] for t in trees}
    warm_cpu: dict[Path, list[float]] = {t: [] for t in trees}
    cold: dict[Path, list[float]] = {t: [] for t in trees}
    cold_cpu: dict[Path, list[float]] = {t: [] for t in trees}
    pypdf: dict[Path, bool] = {}
    print("before:", _uptime())
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for t in trees:
                r = _warm(t)
                warm[t].append(r["warm"])
                warm_cpu[t].append(r["cpu"])
                pypdf[t] = r["pypdf"]
                wall, cpu = _cold(t, Path(tmp) / "h.pdf")
                cold[t].append(wall)
                cold_cpu[t].append(cpu)
    for t in trees:
        print(_line(f"{t} warm, ms", warm[t], 1000, "6.1f"))
        print(_line(f"{t} warm CPU, ms", warm_cpu[t], 1000, "6.1f"))
        print(_line(f"{t} cold CLI, s", cold[t], 1, "6.3f"))
        print(_line(f"{t} cold CLI CPU, s", cold_cpu[t], 1, "6.3f"))
        print(f"{str(t):40s} render path imported pypdf: {pypdf[t]}")
    out = subprocess.run([sys.executable, "-c", _AB, str(SPEC), "60"], env=_env(HERE), cwd=HERE,
                         capture_output=True, text=True, check=True)
    ab = json.loads(out.stdout.strip().splitlines()[-1])
    for name, vals in ab.items():
        print(_line(f"render_pdf CPU, tree {name}, ms", vals, 1000, "6.2f"))
    print("after: ", _uptime())


if __name__ == "__main__":
    main()
