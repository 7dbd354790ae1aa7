"""Time of one paragraph's line breaking (``tushuo.text.break_lines``), old tree against new.

``break_lines`` is the whole text path a paragraph takes (measure, break, justify, place
glyphs), on a 200-character paragraph of the kind the examples hold, at a few measures.
Warm: fonts loaded, the paragraph's break opportunities cached (a layout measures one
text at many widths), as inside a render.

Run one tree:     python3 benchmarks/linebreak.py
(``--page`` adds the warm render of benchmarks/page.yaml, the issue's second speed figure.)
Compare two:      python3 benchmarks/linebreak.py --ab /path/to/old/tree [--rounds 6] [--page]
The A/B mode alternates processes (old, new, old, new, ...), each with its tree first on
PYTHONPATH, so a change in the machine's load hits both sides alike; it prints each
round's medians, the median of the rounds, and the load average. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: 200 characters: numbers, a quote, a bracket, an enumeration, as in a work report.
TEXT = (
    "为切实做好村（社区）“两委”换届选举工作，镇党委于2026年9月12日召开专题会议，"
    "传达学习上级有关文件精神，研究部署全镇换届各项准备工作。会议要求，各村要严格"
    "按照法定程序，扎实开展调研摸底、政策宣传、选民登记、候选人资格联审等工作，"
    "确保换届风清气正。截至目前，全镇已有18个村完成选民登记，登记选民共计12,486人，"
    "占应登记人数的98.5%，其余村将于10月底前全部完成，为换届工作打下坚实基础。"
)
#: (measure in px, font size in px): a 1080 body column, a card, a narrow cell.
CASES = [(960, 30), (600, 30), (300, 26)]


def run_here(repeat: int, page: bool = False) -> dict[str, float]:
    """Median ms per ``break_lines`` call for each case, in this process (and, with ``page``,
    of a warm render of benchmarks/page.yaml to pixels)."""
    from tushuo.text import break_lines

    out = {}
    for width, size in CASES:
        for _ in range(20):
            break_lines(TEXT, width, size)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            break_lines(TEXT, width, size)
            times.append(time.perf_counter() - t0)
        out[f"{width}px/{size}"] = statistics.median(times) * 1000
    if page:
        import tushuo

        doc = tushuo.load(ROOT / "benchmarks" / "page.yaml")
        tushuo.render_image(doc)  # fonts, glyph caches
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            tushuo.render_image(doc)
            times.append(time.perf_counter() - t0)
        out["page.yaml"] = statistics.median(times) * 1000
    return out


def _child(tree: str, repeat: int, page: bool) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=tree)
    res = subprocess.run([sys.executable, __file__, "--child", str(repeat), *(["--page"] if page else [])],
                         env=env, cwd=tree,
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ab", metavar="OLD_TREE", help="compare with another checkout, interleaved")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=300)
    ap.add_argument("--page", action="store_true", help="also time a warm render of benchmarks/page.yaml")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    print(f"{len(TEXT)} characters", file=sys.stderr)
    if args.child:
        print(json.dumps(run_here(args.child, args.page)))
        return
    if not args.ab:
        for case, ms in run_here(args.repeat, args.page).items():
            print(f"{case:>10}: {ms:.3f} ms")
        return
    trees = {"old": str(Path(args.ab).resolve()), "new": str(ROOT)}
    rounds: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    load = [os.getloadavg()[0]]
    for r in range(args.rounds):
        for side in (("old", "new") if r % 2 == 0 else ("new", "old")):
            rounds[side].append(_child(trees[side], args.repeat, args.page))
        load.append(os.getloadavg()[0])
        print(f"round {r + 1}: " + "  ".join(
            f"{side} " + " ".join(f"{v:.3f}" for v in rounds[side][-1].values()) for side in ("old", "new")))
    print(f"load average (1 min) during the run: {min(load):.2f}-{max(load):.2f}")
    print(f"{'case':>10}  {'old ms':>8}  {'new ms':>8}  ratio")
    for case in rounds["old"][0]:
        o = statistics.median(x[case] for x in rounds["old"])
        n = statistics.median(x[case] for x in rounds["new"])
        print(f"{case:>10}  {o:8.3f}  {n:8.3f}  {n / o:5.2f}")


if __name__ == "__main__":
    main()
