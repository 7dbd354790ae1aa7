"""Concurrency: renders running at the same time in threads and processes give the bytes a render alone gives.

``tushuo batch`` renders in worker processes, and a web service or a notebook may
render in threads; the caches (glyph masks, fonts, decoded pictures, themes) are
shared, so they must be safe to share.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import re
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest
from test_determinism import write_sample

from tushuo.api import load, render

PACKAGE = Path(__file__).resolve().parent.parent / "tushuo"

#: (name, output suffix, render options): the same spec in several formats, widths and themes at once
JOBS = [
    ("png-540", "png", {}),
    ("pdf", "pdf", {}),
    ("svg", "svg", {}),
    ("png-600-ink", "png", {"width": 600, "theme": "ink"}),
    ("jpg-gov-blue", "jpg", {"theme": "gov-blue"}),
]
#: what the two worker processes render meanwhile (each process start costs an interpreter)
PROCESS_JOBS = ("png-540", "pdf")


def run_job(spec: str, name: str, suffix: str, options: dict, out_dir: str, tag: str) -> str:
    """Render one job and return the sha256 of the file (module level: process workers import it)."""
    out = Path(out_dir) / f"{name}-{tag}.{suffix}"
    path = render(load(spec), out, **options)[0]
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample(tmp_path_factory.mktemp("concurrency"))


@pytest.fixture(scope="module")
def alone(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each job rendered by itself, one after another."""
    out = tmp_path_factory.mktemp("alone")
    return {name: run_job(str(sample), name, suffix, opts, str(out), "alone") for name, suffix, opts in JOBS}


def test_threads_and_processes_at_once_match_renders_alone(sample: Path, alone: dict[str, str],
                                                           tmp_path: Path) -> None:
    """Every job in threads (released together, the PNG twice) while two processes render too."""
    ctx = multiprocessing.get_context("spawn")  # a clean interpreter, as tushuo batch's workers are
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as procs, ThreadPoolExecutor(max_workers=6) as threads:
        in_procs = {name: procs.submit(run_job, str(sample), name, suffix, opts, str(tmp_path), "proc")
                    for name, suffix, opts in JOBS if name in PROCESS_JOBS}
        thread_jobs = [*JOBS, JOBS[0]]
        start = threading.Barrier(len(thread_jobs))

        def threaded(name: str, suffix: str, opts: dict, tag: str) -> str:
            try:
                start.wait(timeout=30)
            except threading.BrokenBarrierError:
                pass
            return run_job(str(sample), name, suffix, opts, str(tmp_path), tag)

        in_threads = [(name, threads.submit(threaded, name, suffix, opts, f"t{k}"))
                      for k, (name, suffix, opts) in enumerate(thread_jobs)]
        for name, fut in in_threads:
            assert fut.result(timeout=600) == alone[name], f"{name} rendered in a thread differs from alone"
        for name, fut in in_procs.items():
            assert fut.result(timeout=600) == alone[name], f"{name} rendered in another process differs from alone"


def test_layout_in_threads_matches_layout_alone(sample: Path) -> None:
    """Layout alone (text measuring and breaking, shared font caches) at several widths, 8 threads at once."""
    from tushuo.inputs import layout_document

    doc = load(str(sample))

    def summary(width: int) -> tuple:
        frame = layout_document(doc, width=width)
        return (frame.height, tuple(frame.breaks), tuple((b.x, b.y, b.w, b.h) for b in frame.boxes),
                tuple(op.text for op in frame.walk() if hasattr(op, "runs")))

    widths = [320, 375, 540, 750, 1080, 1242, 1440, 2160]
    expected = {w: summary(w) for w in widths}
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(summary, widths * 3))
    assert got == [expected[w] for w in widths * 3]


def test_matplotlib_only_through_its_object_api() -> None:
    """No pyplot (global figure state shared by every thread) anywhere in the package."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"matplotlib\.pyplot|from matplotlib import pyplot|\bplt\.", text):
            offenders.append(str(path.relative_to(PACKAGE.parent)))
    assert offenders == []
