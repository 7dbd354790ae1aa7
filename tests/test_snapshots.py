"""Frame snapshots: ``Frame.dump()`` of a few examples, kept as text in tests/snapshots/.

A layout change then shows as a reviewable diff of ops, boxes and breaks (numbers to
0.1 px). After a deliberate change, look at the diff and regenerate with
``TUSHUO_UPDATE_SNAPSHOTS=1 python3 -m pytest tests/test_snapshots.py``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

import tushuo
from tushuo.frame import Frame, Group, Rect, Text
from tushuo.inputs import layout_document

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).parent / "snapshots"
#: short, flow (charts of every kind), and multi-column comparison
EXAMPLES = ["hello", "progress-bulletin", "station-comparison-3col"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_frame_matches_its_snapshot(name: str) -> None:
    got = layout_document(tushuo.load(ROOT / "examples" / f"{name}.yaml")).dump()
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("TUSHUO_UPDATE_SNAPSHOTS") == "1":
        path.write_text(got, encoding="utf-8")
    want = path.read_text(encoding="utf-8")
    if got != want:
        diff = difflib.unified_diff(want.splitlines(), got.splitlines(), f"snapshots/{name}.txt", "now", lineterm="")
        pytest.fail("the frame changed (TUSHUO_UPDATE_SNAPSHOTS=1 after a deliberate change):\n"
                    + "\n".join(list(diff)[:80]))


def test_dump_shows_each_kind_of_content() -> None:
    f = Frame(200, 100.04, background="#FFFFFF")
    f.add_break(50)
    f.add(Rect(0, 0, 10.25, 20, fill="#FF0000", radius=2))
    f.add(Group((Rect(1, 2, 3, 4, stroke="#000000", stroke_width=1.5),), clip=(0, 0, 100, 50)))
    dump = f.dump()
    assert dump.splitlines() == [
        "Frame 200 x 100 background #FFFFFF",
        "breaks 50",
        "Rect 0,0 10.2x20 fill=#FF0000 r=2",
        "Group clip=0,0 100x50",
        "  Rect 1,2 3x4 stroke=#000000/1.5",
    ]
    text = layout_document(tushuo.load(ROOT / "examples" / "hello.yaml"))
    ops = [op for op in text.walk() if isinstance(op, Text)]
    assert f"Text {ops[0].role} " in text.dump()
    assert "| " in text.dump() and "'第11期'" in text.dump()  # each line of text, with its characters
