"""Reading big workbooks: openpyxl (read-only) beside python-calamine, and what tushuo does with them.

    python3 benchmarks/xlsx_read.py            # --rows 100000 --runs 3
    python3 benchmarks/xlsx_read.py --render   # what a workbook adds to load + render

Builds (in a temporary folder) a sheet of ``--rows`` rows x 5 columns as township workbooks
have them (name, a 0.0% rate, a #,##0 count, a date, a decimal), then, each in a fresh
process so peak memory is its own, interleaved over ``--runs`` rounds:

* ``openpyxl``  read-only, data_only, every cell's value and number format (what tushuo needs);
* ``calamine``  python-calamine, every cell's value (fast, but it has no number formats:
  0.945 cannot become 94.5%, so tushuo cannot use it for "values as Excel shows them");
* ``tushuo-50k``  tushuo's reader on A1:B50000: 100,000 cells, exactly the value budget
  (the loader's MAX_NODES), read, formatted and kept;
* ``tushuo-range``  tushuo's reader on A1:B50001: 100,002 cells, refused when the budget is
  passed (as a whole 100,000-row, 5-column sheet is);
* ``tushuo-million``  a 1,000,000-row sheet without a range: refused at the value budget
  after streaming the rows up to it (bounded memory), never the whole sheet.

Times are wall seconds (median, min–max); memory is the process's peak RSS minus its RSS
after the imports (MB). Nothing is asserted: the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

READERS = {
    "openpyxl": """
from openpyxl import load_workbook
wb = load_workbook(PATH, read_only=True, data_only=True)
n = 0
for row in wb.active.iter_rows():
    for c in row:
        v, f = c.value, c.number_format
        n += v is not None
wb.close()
""",
    "calamine": """
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(PATH)
n = sum(v != "" for row in wb.get_sheet_by_index(0).iter_rows() for v in row)
""",
    "tushuo-50k": """
from tushuo.workbook import read_workbook
g = read_workbook(PATH, "big.xlsx", None, "A1:B50000")
n = len(g.rows) * len(g.header)
""",
    "tushuo-range": """
from tushuo.errors import SpecError
from tushuo.workbook import read_workbook
try:
    read_workbook(PATH, "big.xlsx", None, "A1:B50001")
    n = -1
except SpecError as exc:
    n = str(exc)[:60]
""",
    "tushuo-million": """
from tushuo.errors import SpecError
from tushuo.workbook import read_workbook
try:
    read_workbook(MILLION, "million.xlsx")
    n = -1
except SpecError as exc:
    n = str(exc)[:60]
""",
}

HARNESS = """
import resource, sys, time, json
sys.path.insert(0, {root!r})
PATH, MILLION = {path!r}, {million!r}
import openpyxl, python_calamine, tushuo.workbook, tushuo.data, tushuo.assets  # imports are not the reader's cost
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
{code}
t = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": t, "mb": (peak - base) / 1024, "result": n}}))
"""


def build(path: Path, rows: int, cols: int = 5) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("各乡镇")
    ws.append(["乡镇", "完成率", "已完成", "日期", "得分"][:cols])
    day = dt.date(2026, 11, 25)
    for i in range(rows):
        rate = WriteOnlyCell(ws, value=(i % 1000) / 1000)
        rate.number_format = "0.0%"
        count = WriteOnlyCell(ws, value=i * 7)
        count.number_format = "#,##0"
        when = WriteOnlyCell(ws, value=day + dt.timedelta(days=i % 365))
        when.number_format = "mm-dd-yy"
        ws.append([f"第{i}村", rate, count, when, i / 7][:cols])
    wb.save(path)


CSV_SPEC = {  # the bulletin's workbook blocks, read from the CSVs that hold the same numbers
    "    data_file: data/换届进展.xlsx\n    sheet: 各乡镇完成率\n    range: A1:B11\n": "    data_file: data/progress.csv\n",
    "    data_file: data/换届进展.xlsx\n    sheet: 阶段分布\n    range: A2:D9\n": "    data_file: data/stages.csv\n",
}


def render_cost(runs: int) -> None:
    """Load + PNG of examples/progress-bulletin.yaml as it is (a workbook) and with its charts on CSV.

    The table block reads the workbook in both, so the difference is the two charts' data:
    workbook vs CSV. Interleaved, warm (fonts and glyphs cached after a first render of each).
    """
    sys.path.insert(0, str(ROOT))
    import tushuo
    from tushuo.data import read_table

    examples = ROOT / "examples"
    text = (examples / "progress-bulletin.yaml").read_text(encoding="utf-8")
    csv_text = text
    for a, b in CSV_SPEC.items():
        assert a in csv_text
        csv_text = csv_text.replace(a, b)
    csv_spec = examples / ".bench-bulletin-csv.yaml"
    csv_spec.write_text(csv_text, encoding="utf-8")
    try:
        specs = {"workbook": examples / "progress-bulletin.yaml", "csv": csv_spec}
        times: dict[str, list[float]] = {k: [] for k in specs}
        for k, s in specs.items():
            tushuo.render_bytes(tushuo.load(s))
        for _ in range(runs):
            for k, s in specs.items():
                t0 = time.perf_counter()
                tushuo.render_bytes(tushuo.load(s))
                times[k].append(time.perf_counter() - t0)
        reads: dict[str, list[float]] = {"xlsx chart": [], "csv chart": []}
        book = examples / "data" / "换届进展.xlsx"
        for _ in range(runs * 5):
            t0 = time.perf_counter()
            read_table(book, "换届进展.xlsx", sheet="各乡镇完成率", cells="A1:B11")
            reads["xlsx chart"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            read_table(examples / "data" / "progress.csv")
            reads["csv chart"].append(time.perf_counter() - t0)
        for k, v in {**times, **reads}.items():
            print(f"{k:15s} {statistics.median(v) * 1000:8.1f} ms ({min(v) * 1000:.1f}–{max(v) * 1000:.1f})")
    finally:
        csv_spec.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", help="write the raw numbers here")
    ap.add_argument("--render", action="store_true", help="only the cost a workbook adds to a render")
    args = ap.parse_args()
    if args.render:
        render_cost(args.runs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path, million = Path(tmp) / "big.xlsx", Path(tmp) / "million.xlsx"
        t0 = time.perf_counter()
        build(path, args.rows)
        build(million, 1_000_000, cols=2)
        print(f"built {args.rows:,} x 5 ({path.stat().st_size / 2**20:.1f} MB) and 1,000,000 x 2 "
              f"({million.stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - t0:.0f} s")
        results: dict[str, list[dict]] = {k: [] for k in READERS}
        for _ in range(args.runs):
            for name, code in READERS.items():
                script = HARNESS.format(root=str(ROOT), path=str(path), million=str(million), code=code)
                out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
                results[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
        for name, runs in results.items():
            secs = [r["seconds"] for r in runs]
            mbs = [r["mb"] for r in runs]
            print(f"{name:15s} {statistics.median(secs):7.2f} s ({min(secs):.2f}–{max(secs):.2f})  "
                  f"peak +{statistics.median(mbs):6.1f} MB   {runs[0]['result']}")
        if args.json:
            Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
