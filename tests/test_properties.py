"""Property tests: any valid document, at any width, lays out without raising and keeps the frame's promises.

Hypothesis builds spec dictionaries of every block kind with random text (CJK, Latin,
digits, punctuation, inline markup, very long words, empty strings where the spec
allows them) and widths 320-2160, loads them through ``tushuo.load`` (so they are
valid by construction, or the strategy is wrong) and lays them out with
``layout_document``. The invariants every painter and the paginator rely on:

- every op lies inside the canvas;
- every glyph run lies inside its Text op's box;
- no two atomic boxes (``frame.boxes``) of different items overlap;
- no safe break (``frame.breaks``) falls strictly inside a box.

A few examples are painted too (Pillow, and PDF/SVG) to prove the painters accept any
frame. Example counts come from the hypothesis profile in conftest.py: ``ci`` by
default, ``deep`` with TUSHUO_DEEP=1.
"""

from __future__ import annotations

import atexit
import functools
import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from tushuo.api import load
from tushuo.inputs import layout_document
from tushuo.layout.frame import Frame, Glyphs, Group, Text
from tushuo.text.fonts import default_fontbook

EPS = 0.75  # design px: rounding of whole-pixel placements

# --------------------------------------------------------------------------- text
_CJK = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
    "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应"
    "开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命"
    "此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老"
    "头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即"
    "保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安"
    "场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉"
    "林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸"
    "历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包"
    "火住调满县局照参红细引听该铁价严龙飞换届颍州村两委"
)
_CJK = "".join(dict.fromkeys(_CJK))  # hypothesis wants an alphabet without repeats
_PUNCT = "，。、；：？！“”‘’《》（）【】——……%·"
_LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"

_fonts = default_fontbook()
assert not _fonts.missing(_CJK + _PUNCT + _LATIN + _DIGITS, "sans")



def _chars(alphabet: str, min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[str]:
    """Text over ``alphabet``, drawn character by character from a list: hypothesis 6.155's
    string shrinker can raise ValueError ('48 is not in list') on a failing example, hiding it."""
    return st.text(alphabet=st.sampled_from(sorted(set(alphabet))), min_size=min_size, max_size=max_size)


_cjk_run = _chars(_CJK, 1, 24)
_word = _chars(_LATIN, 1, 12)
_long_word = _chars(_LATIN + _DIGITS, 30, 90)  # wider than a narrow box
_number = st.builds(lambda a, b, pct: f"{a}.{b}{'%' if pct else ''}", st.integers(0, 99999), st.integers(0, 9),
                    st.booleans())
_punct = _chars(_PUNCT, 1, 3)
_piece = st.one_of(
    _cjk_run, _cjk_run, _cjk_run, _word, _number, _punct, _long_word,
    _cjk_run.map(lambda s: f"**{s}**"), _cjk_run.map(lambda s: f"=={s}=="),
    st.just(" "), st.just("\n"),
)


def _text(min_pieces: int = 1, max_pieces: int = 12) -> st.SearchStrategy[str]:
    return st.lists(_piece, min_size=min_pieces, max_size=max_pieces).map("".join).filter(
        lambda s: s.strip() != "" or min_pieces == 0)


_short = _text(1, 4)
_title = _text(1, 5)
_body = _text(1, 14)
_maybe = st.none() | _text(1, 6)

# --------------------------------------------------------------------------- pictures
PHOTOS = Path(tempfile.mkdtemp(prefix="tushuo-properties-"))
atexit.register(shutil.rmtree, PHOTOS, True)


@functools.cache
def _photos() -> list[str]:
    """A few pictures of different shapes (landscape, portrait, tiny, square), made once per run."""
    out = []
    for name, size in (("wide.png", (640, 300)), ("tall.png", (240, 520)), ("tiny.png", (12, 9)),
                       ("square.jpg", (300, 300))):
        p = PHOTOS / name
        if not p.exists():
            im = Image.linear_gradient("L").resize(size).convert("RGB")
            im.save(p)
        out.append(str(p.resolve()))
    return out


# --------------------------------------------------------------------------- blocks
def _banner() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"type": st.just("banner"), "title": _title},
                                 optional={"subtitle": _short, "badge": st.one_of(_chars(_CJK + _DIGITS, 1, 6), _short),
                                           "align": st.sampled_from(["left", "center", "right"]),
                                           "image": st.sampled_from(_photos())})


def _heading() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"type": st.just("heading"), "text": _title},
                                 optional={"level": st.integers(1, 3), "number": st.booleans()})


def _paragraph() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"type": st.just("paragraph"), "text": _text(0, 16)},
                                 optional={"indent": st.booleans(),
                                           "align": st.sampled_from(["left", "center", "right", "justify"])})


@st.composite
def _steps(draw: Any) -> dict:
    n = draw(st.integers(1, 7))
    items: list[dict] = []
    for i in range(n):
        item: dict[str, Any] = {"id": f"s{i}", "title": draw(_short)}
        if draw(st.booleans()):
            item["desc"] = draw(_body)
        if draw(st.integers(0, 3)) == 0:
            item["tag"] = draw(_short)
        if draw(st.integers(0, 4)) == 0:
            item["note"] = draw(_short)
        if draw(st.integers(0, 3)) == 0:
            item["icon"] = draw(st.sampled_from(["check", "user", "vote", "flag", "calendar", "book"]))
        if draw(st.integers(0, 3)) == 0:
            item["kind"] = "decision"
            targets = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=2, unique=True))
            item["next"] = [{"to": f"s{t}", **({"label": draw(_short)} if draw(st.booleans()) else {})}
                            for t in targets]
        items.append(item)
    block: dict[str, Any] = {"type": "steps", "items": items,
                             "layout": draw(st.sampled_from(["auto", "vertical", "zigzag", "grid", "timeline"])),
                             "numbered": draw(st.booleans())}
    if draw(st.booleans()):
        block["title"] = draw(_short)
    return block


@st.composite
def _comparison(draw: Any) -> dict:
    cols = draw(st.integers(2, 4))
    columns = [{"label": draw(_short), "tone": draw(st.sampled_from(["positive", "negative", "neutral"]))}
               for _ in range(cols)]
    photos = _photos()
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        cells: list[Any] = []
        for _ in range(cols):
            kind = draw(st.integers(0, 3))
            if kind == 0:
                cells.append(draw(_body))
            elif kind == 1:
                cells.append({"text": draw(_text(0, 6)), "image": draw(st.sampled_from(photos))})
            elif kind == 2:
                cells.append({"text": ""})
            else:
                cells.append(draw(_short))
        rows.append({"aspect": draw(_short), "cells": cells})
    return {"type": "comparison", "columns": columns, "rows": rows,
            **({"title": draw(_short)} if draw(st.booleans()) else {})}


_stat_value = st.one_of(st.integers(-10**9, 10**9), st.floats(-1e6, 1e6, allow_nan=False, width=32),
                        _chars(_CJK, 1, 8))


def _stats() -> st.SearchStrategy[dict]:
    item = st.fixed_dictionaries({"label": _short, "value": _stat_value},
                                 optional={"unit": st.sampled_from(["个", "%", "人", "万元", "岁"]),
                                           "delta": st.sampled_from(["+12", "-3.2%", "+0", "持平"]),
                                           "icon": st.sampled_from(["chart", "users", "star", "flag"])})
    return st.fixed_dictionaries({"type": st.just("stats"), "items": st.lists(item, min_size=1, max_size=6)},
                                 optional={"title": _short, "columns": st.integers(1, 3)})


@st.composite
def _chart(draw: Any) -> dict:
    kind = draw(st.sampled_from(["bar", "hbar", "stacked", "line", "pie", "donut", "progress"]))
    n = draw(st.integers(1, 8))
    labels = draw(st.lists(_chars(_CJK + _DIGITS, 1, 8), min_size=n, max_size=n, unique=True))
    nseries = 1 if kind in ("pie", "donut") else draw(st.integers(1, 3))
    lo, hi = (0.0, 100.0) if kind in ("progress", "pie", "donut") else (-1e6, 1e6)
    series = []
    for k in range(nseries):
        values = draw(st.lists(st.floats(lo, hi, allow_nan=False, width=32), min_size=n, max_size=n))
        if kind in ("pie", "donut") and sum(values) <= 0:
            values[0] = 1.0
        series.append({"name": draw(_chars(_CJK, 0, 6)), "values": values})
    block: dict[str, Any] = {"type": "chart", "kind": kind, "labels": labels, "series": series}
    if draw(st.booleans()):
        block["title"] = draw(_short)
    if draw(st.booleans()):
        block["highlight"] = draw(st.sampled_from(labels))
    if draw(st.booleans()):
        block["unit"] = draw(st.sampled_from(["个", "%", "人"]))
    return block


def _timeline() -> st.SearchStrategy[dict]:
    date = st.one_of(_chars(_CJK + _DIGITS, 1, 8), _short)
    item = st.fixed_dictionaries({"date": date, "title": _short},
                                 optional={"desc": _body})
    return st.fixed_dictionaries({"type": st.just("timeline"), "items": st.lists(item, min_size=1, max_size=5)},
                                 optional={"title": _short})


def _cards() -> st.SearchStrategy[dict]:
    item = st.fixed_dictionaries({"title": _title},
                                 optional={"desc": _body, "tag": _short, "image": st.sampled_from(_photos()),
                                           "image_position": st.sampled_from(["left", "top"])})
    return st.fixed_dictionaries({"type": st.just("cards"), "items": st.lists(item, min_size=1, max_size=5)},
                                 optional={"title": _short, "layout": st.sampled_from(["list", "grid"])})


def _checklist() -> st.SearchStrategy[dict]:
    item = st.one_of(_body, st.fixed_dictionaries({"text": _body}, optional={"checked": st.booleans()}))
    return st.fixed_dictionaries({"type": st.just("checklist"), "items": st.lists(item, min_size=1, max_size=6)},
                                 optional={"title": _short})


@st.composite
def _table(draw: Any) -> dict:
    cols = draw(st.integers(1, 5))
    cell = st.one_of(_short, _text(0, 3), st.integers(-9999, 99999))
    rows = draw(st.lists(st.lists(cell, min_size=cols, max_size=cols), min_size=1, max_size=6))
    block: dict[str, Any] = {"type": "table", "rows": rows}
    if draw(st.booleans()):
        block["header"] = draw(st.lists(_short, min_size=cols, max_size=cols))
    if draw(st.booleans()):
        block["title"] = draw(_short)
    return block


def _image() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"type": st.just("image"), "src": st.sampled_from(_photos())},
                                 optional={"caption": _short, "fit": st.sampled_from(["width", "cover", "contain"])})


def _quote() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"type": st.just("quote"), "text": _body},
                                 optional={"author": _short, "role": _short, "image": st.sampled_from(_photos())})


def _callout() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"type": st.just("callout"), "text": _body},
                                 optional={"title": _short, "tone": st.sampled_from(["info", "tip", "warning", "danger"])})


def _qrcode() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"type": st.just("qrcode"),
                                  "data": _chars(_LATIN + _DIGITS + _CJK + ":/.?=", 1, 200)},
                                 optional={"caption": _short, "size": st.integers(120, 1000)})


def _divider() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"type": st.just("divider")},
                                 optional={"style": st.sampled_from(["line", "dots", "ornament"])})


def _spacer() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({"type": st.just("spacer"), "height": st.integers(0, 300)})


LEAVES = {
    "banner": _banner, "heading": _heading, "paragraph": _paragraph, "steps": _steps, "comparison": _comparison,
    "stats": _stats, "chart": _chart, "timeline": _timeline, "cards": _cards, "checklist": _checklist,
    "table": _table, "image": _image, "quote": _quote, "callout": _callout, "qrcode": _qrcode,
    "divider": _divider, "spacer": _spacer,
}
_leaf = st.one_of(*(f() for f in LEAVES.values()))
_section = st.fixed_dictionaries({"type": st.just("section"), "title": _title,
                                  "blocks": st.lists(_leaf, min_size=1, max_size=3)},
                                 optional={"number": st.one_of(st.booleans(), st.just("第一章"), st.just("附"))})
_block = st.one_of(_leaf, _leaf, _leaf, _section)


@st.composite
def documents(draw: Any, blocks: st.SearchStrategy[dict] = _block) -> tuple[dict, int]:
    """A valid spec dictionary and a canvas width."""
    spec: dict[str, Any] = {
        "title": draw(_title),
        "blocks": draw(st.lists(blocks, min_size=1, max_size=4)),
        "theme": draw(st.sampled_from(["party-red", "gov-blue", "fresh-green", "ink"])),
    }
    if draw(st.booleans()):
        spec["footer"] = draw(st.fixed_dictionaries({}, optional={
            "text": _short, "note": _short, "qrcode": st.just("https://example.org/follow")}))
    return spec, draw(st.integers(320, 2160))


# --------------------------------------------------------------------------- the invariants
def _inside(inner: tuple, outer: tuple, eps: float = EPS) -> bool:
    ix, iy, iw, ih = inner
    ox, oy, ow, oh = outer
    return ix >= ox - eps and iy >= oy - eps and ix + iw <= ox + ow + eps and iy + ih <= oy + oh + eps


def _overlap(a: Any, b: Any, eps: float = EPS) -> bool:
    return (min(a.x + a.w, b.x + b.w) - max(a.x, b.x) > eps
            and min(a.y + a.h, b.y + b.h) - max(a.y, b.y) > eps)


def _ink_ops(ops: Any) -> Any:
    """Ops as they put ink on the canvas: a clipped Group is its clip; a Text is its glyph runs
    (its ``box`` is the measure it was set to, which centred text may place past the edge)."""
    for op in ops:
        if isinstance(op, Group):
            if op.clip:
                yield op
            else:
                yield from _ink_ops(op.ops)
        elif isinstance(op, Text):
            yield from (r for r in op.runs if r.text.strip())
        else:
            yield op


def check_frame(frame: Frame) -> None:
    canvas = (0.0, 0.0, frame.width, frame.height)
    assert frame.height > 0
    for op in _ink_ops(frame.ops):
        box = op.bbox()
        assert _inside(box, canvas), (
            f"{type(op).__name__} at {box} leaves the {frame.width:g} x {frame.height:g} canvas"
            + (f" ({op.text!r})" if isinstance(op, Glyphs) else ""))
    for op in frame.walk():
        if isinstance(op, Text):
            for run in op.runs:
                if run.text.strip():
                    assert _inside(run.bbox(), op.box), (
                        f"text {run.text!r} at {run.bbox()} leaves its box {op.box} ({op.text[:30]!r})")
    boxes = frame.boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not _overlap(a, b), f"boxes overlap: {a} and {b}"
    for y in frame.breaks:
        for b in boxes:
            assert not (b.y + EPS < y < b.y + b.h - EPS), f"safe break at y={y:g} cuts through {b}"


def _layout(spec: dict, width: int) -> Frame:
    doc = load(spec, roots=(PHOTOS,))
    return layout_document(doc, width=width)


# --------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("kind", sorted(LEAVES))
def test_each_block_kind_alone(kind: str) -> None:
    """Every kind on its own, at random widths (so a failure names the kind)."""

    @given(documents(LEAVES[kind]()))
    @settings(max_examples=max(10, settings.default.max_examples // 20),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    def run(doc_width: tuple[dict, int]) -> None:
        spec, width = doc_width
        check_frame(_layout(spec, width))

    run()


@given(documents())
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_any_document_lays_out_and_keeps_the_invariants(doc_width: tuple[dict, int]) -> None:
    spec, width = doc_width
    check_frame(_layout(spec, width))


@given(documents())
@settings(max_examples=max(4, settings.default.max_examples // 25),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_a_few_paint_in_every_painter(doc_width: tuple[dict, int]) -> None:
    """Pillow, PDF and SVG accept what the layout made; the PNG has the frame's size."""
    from tushuo.paint.raster import paint
    from tushuo.paint.svg import render_svg
    from tushuo.pipeline import render_pdf

    spec, width = doc_width
    width = min(width, 640)  # painting cost grows with the area; the layout is what varies
    doc = load(spec, roots=(PHOTOS,))
    frame = layout_document(doc, width=width)
    im = paint(frame, fonts=frame.fonts)  # type: ignore[attr-defined]
    assert im.size == (round(frame.width), round(frame.height))
    pdf = render_pdf(frame, doc, fonts=frame.fonts)  # type: ignore[attr-defined]
    assert pdf.startswith(b"%PDF")
    svg = render_svg(frame, doc, fonts=frame.fonts)  # type: ignore[attr-defined]
    assert svg.lstrip().startswith(b"<?xml") or svg.lstrip().startswith(b"<svg")
    buf = io.BytesIO()
    im.save(buf, "PNG")
    assert buf.getvalue()
