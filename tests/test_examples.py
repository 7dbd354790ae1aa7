"""Every example spec in examples/ loads, lays out and paints (others' examples are picked up too)."""

from __future__ import annotations

from pathlib import Path

import pytest

import tushuo
from tushuo.layout.stack import layout_document
from tushuo.render.raster import paint

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SPECS = sorted(p.name for p in EXAMPLES.glob("*.yaml"))


def test_there_are_examples_using_every_simple_block() -> None:
    simple = {"banner", "heading", "paragraph", "section", "image", "quote", "callout", "checklist", "table",
              "qrcode", "divider", "spacer"}

    def kinds(blocks: list) -> set[str]:
        out = set()
        for b in blocks:
            out.add(b.type)
            if b.type == "section":
                out |= kinds(b.blocks)
        return out

    covering = [s for s in SPECS if s.startswith("basics")]
    assert len(covering) >= 2
    for spec in covering:
        doc = tushuo.load(EXAMPLES / spec)
        assert simple <= kinds(doc.blocks), (spec, simple - kinds(doc.blocks))
        assert doc.footer is not None


@pytest.mark.parametrize("spec", SPECS)
def test_example_renders(spec: str) -> None:
    doc = tushuo.load(EXAMPLES / spec)
    frame = layout_document(doc)
    assert frame.width == doc.width and frame.height > 200
    assert frame.breaks == sorted(frame.breaks)
    img = paint(frame, fonts=frame.fonts)
    assert img.size == (doc.width, round(frame.height))
    # a designed page, not a blank one: plenty of distinct colours
    colours = img.convert("RGB").resize((img.width // 4, img.height // 4)).getcolors(1 << 20)
    assert colours is not None and len(colours) > 50
