"""Layout of the election handbook: first, repeated, and repeated through the block cache.

    python3 benchmarks/layout_cache.py [--rounds 20]

Layout is a pure function of (document, width, theme, fonts) and reads no file (the
files were read by ``tushuo.load``), so a laid-out block can be kept on that key:
``tushuo.serve.memo.BlockMemo`` does it for the live preview. This times, interleaved
per round so machine load hits all three alike:

- ``fresh``:  a new load and a layout (the pictures, tables and theme read once);
- ``again``:  a second layout of the same loaded document (no cache);
- ``cached``: a second layout through a warm BlockMemo (every block a hit).

Prints the medians (ms) and ``uptime`` before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tushuo
from tushuo.inputs import make_context
from tushuo.layout.stack import layout_document
from tushuo.serve.memo import BlockMemo

SPEC = ROOT / "examples" / "election-handbook.yaml"


def uptime() -> str:
    return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    print(uptime())
    doc = tushuo.load(SPEC)
    memo = BlockMemo()
    ctx = make_context(doc)
    memo.start(ctx, doc.base_dir)
    reference = layout_document(doc, ctx)  # warms fonts and the memo
    times: dict[str, list[float]] = {"fresh": [], "again": [], "cached": []}
    for _ in range(rounds):
        t0 = time.perf_counter()
        fresh_doc = tushuo.load(SPEC)
        layout_document(fresh_doc, make_context(fresh_doc))
        t1 = time.perf_counter()
        again = layout_document(doc, make_context(doc))
        t2 = time.perf_counter()
        ctx = make_context(doc)
        memo.start(ctx, doc.base_dir)
        cached = layout_document(doc, ctx)
        t3 = time.perf_counter()
        assert again == reference and cached == reference
        times["fresh"].append(t1 - t0)
        times["again"].append(t2 - t1)
        times["cached"].append(t3 - t2)
    for name, ts in times.items():
        print(f"{name:7s} median {statistics.median(ts) * 1000:7.1f} ms  min {min(ts) * 1000:7.1f} ms")
    print(f"memo hits {memo.hits}, misses {memo.misses}")
    print(uptime())


if __name__ == "__main__":
    main()
