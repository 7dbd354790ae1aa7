"""The public render functions gather their keywords into one pipeline.RenderOptions."""

from __future__ import annotations

import io

import tushuo
from tushuo.pipeline import RenderOptions, resolve_settings


def _doc(**output: object) -> tushuo.Document:
    return tushuo.load({"title": "换届选举", "blocks": [{"type": "paragraph", "text": "选举工作会议"}],
                        "output": dict(output)})


def test_a_file_object_gets_the_script_asked_for():
    buf = io.BytesIO()
    assert tushuo.render(_doc(), buf, format="svg", script="hant") == []
    svg = buf.getvalue().decode("utf-8")
    assert "選舉工作會議" in svg and "选举工作会议" not in svg
    assert tushuo.render_bytes(_doc(), format="svg") != buf.getvalue()  # the document's own script: simplified


def test_render_bytes_returns_the_images_only_even_when_the_document_asks_for_a_companion():
    slices = tushuo.render_bytes(_doc(describe=True, slice_height=300), format="png")
    assert isinstance(slices, list) and slices and all(s[:8] == b"\x89PNG\r\n\x1a\n" for s in slices)


def test_options_default_to_the_document_then_the_defaults(tmp_path):
    doc = _doc(format="webp", quality=40)
    s = resolve_settings(tmp_path / "x.jpg", False, doc, RenderOptions(quality=70))
    assert (s.format, s.quality, s.slice_height) == ("jpeg", 70, 0)  # the suffix, then the argument
    s = resolve_settings(tmp_path / "x.webp", False, doc)
    assert (s.format, s.quality) == ("webp", 40)  # the document's output section
