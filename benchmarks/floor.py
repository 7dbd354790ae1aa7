"""The floor of a cold CPython start with tushuo's dependencies, beside Typst's fresh process and tushuo's CLI.

Fresh processes, interleaved, medians; byte code compiled once beforehand (a temporary pycache prefix).
Run from a checkout:  python3 benchmarks/floor.py [ROUNDS]   (needs `pip install typst` for the Typst row)
Nothing is asserted: the figures go to benchmarks/RESULTS.md.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

PY = sys.executable
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="tushuo-floor-pyc-")
out = tempfile.mkdtemp()
typ = ("import sys, typst; open(sys.argv[2], 'wb').write(typst.compile(sys.argv[1], font_paths=[sys.argv[3]], "
       "ignore_system_fonts=True, format='png', ppi=72))")
cases = {
    "python -S -c pass": [PY, "-S", "-c", "pass"],
    "python -c pass": [PY, "-c", "pass"],
    "import pydantic, PIL (Image, PNG), yaml, uniseg, segno": [PY, "-c", "import pydantic, PIL.Image, PIL.PngImagePlugin, yaml, uniseg.linebreak, segno"],
    "... + one 1-field pydantic model": [PY, "-c", "import pydantic, PIL.Image, PIL.PngImagePlugin, yaml, uniseg.linebreak, segno\nclass A(pydantic.BaseModel):\n  x: int = 1\nA()"],
    "Typst fresh process, light.typ": [PY, "-c", typ, f"{ROOT}/benchmarks/light.typ", f"{out}/t.png", f"{ROOT}/fonts"],
    "tushuo cold CLI, light.yaml": [PY, "-m", "tushuo", "render", "benchmarks/light.yaml", "-o", f"{out}/l.png"],
}
e2 = dict(env, PYTHONPATH=ROOT)
for c in cases.values():
    subprocess.run(c, env=e2, cwd=ROOT, check=True, capture_output=True)
R = {k: [] for k in cases}
for r in range(rounds):
    for k, c in (list(cases.items()) if r % 2 == 0 else list(cases.items())[::-1]):
        t = time.perf_counter()
        subprocess.run(c, env=e2, cwd=ROOT, check=True, capture_output=True)
        R[k].append(time.perf_counter() - t)
print("load average after the run (1, 5, 15 min):", os.getloadavg())
for k, v in R.items():
    print(f"{statistics.median(v)*1000:7.0f} ms  (min {min(v)*1000:.0f})  {k}")
