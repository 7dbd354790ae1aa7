"""Every example spec in examples/ loads, lays out and paints (others' examples are picked up too)."""

from __future__ import annotations

from pathlib import Path

import pytest

import tushuo
from tushuo.inputs import layout_document
from tushuo.paint.raster import paint

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


@pytest.mark.parametrize("theme", ["party-red", "gov-blue", "fresh-green", "ink"])
def test_basics_paints_in_every_theme_at_540(theme: str) -> None:
    doc = tushuo.load(EXAMPLES / "basics.yaml")
    frame = layout_document(doc, theme=theme, width=540)
    img = paint(frame, fonts=frame.fonts)
    assert img.size == (540, round(frame.height))
    # the banner opens in the theme's primary colour (rays are faint), the footer closes in primary_dark
    from tushuo.themes import builtin_theme, parse_color

    pal = builtin_theme(theme).palette
    for (x, y), want in (((270, 3), pal.primary), ((270, img.height - 2), pal.primary_dark)):
        got = img.convert("RGB").getpixel((x, y))
        ref = [round(v * 255) for v in parse_color(want)[:3]]
        assert max(abs(a - b) for a, b in zip(got, ref)) < 30, (theme, (x, y), got, want)
