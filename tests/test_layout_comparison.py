"""Comparison layout: headers always drawn, rows aligned across columns, text and photos inside cells."""

from __future__ import annotations

from pathlib import Path

import pytest
from geometry_checks import EPS, assert_text_inside, inside, overlap

from tushuo.inputs import make_context
from tushuo.layout.comparison import comparison_geometry
from tushuo.layout.frame import Image, Text
from tushuo.layout.frame import Path as PathOp
from tushuo.spec.blocks import ComparisonBlock
from tushuo.spec.document import Document

EXAMPLES = Path(__file__).parent.parent / "examples"

STATION = {
    "type": "comparison",
    "title": "远程教育站点对照",
    "columns": [{"label": "合格站点", "tone": "positive"}, {"label": "不合格站点", "tone": "negative"}],
    "rows": [
        {"aspect": "场所", "cells": [{"text": "有固定场所，面积不少于20平方米，门口悬挂统一标牌。", "image": "photos/station-good.jpg"},
                                    {"text": "无固定场所或被挪作他用。", "image": "photos/station-bad.jpg"}]},
        {"aspect": "设备", "cells": ["电视、电脑、接收设备齐全，运行正常", "设备缺失或长期故障"]},
        {"aspect": "制度", "cells": ["管理制度上墙公示", "制度缺失"]},
        {"aspect": "管理员", "cells": ["配备专（兼）职管理员", "无管理员"]},
        {"aspect": "学用", "cells": ["每月集中学习不少于2次", "设备闲置"]},
        {"aspect": "台账", "cells": [{"text": "记录完整", "image": "photos/ledger-good.jpg"}, {"text": "", "image": "photos/ledger-bad.jpg"}]},
    ],
}


def _ctx(width: int = 1080, *blocks: dict):
    """A context whose document holds ``blocks`` (STATION by default): their pictures are read with it."""
    doc = Document(title="t", blocks=list(blocks or [STATION]), width=width)
    doc.base_dir = str(EXAMPLES)
    return make_context(doc).at("blocks[0]")


def check(geo, width: float) -> None:
    frame = geo.frame
    for row in geo.rows:
        tops = {round(c[1], 3) for c in row.cells}
        heights = {round(c[3], 3) for c in row.cells}
        assert len(tops) == 1 and len(heights) == 1, "cells of a row share top and height"
        for k, c in enumerate(row.cells):
            assert 0 <= c[0] and c[0] + c[2] <= width + EPS
            for other in row.cells[k + 1:]:
                assert not overlap(c, other)
            for t in row.texts[k]:
                assert inside(t, c)
            if row.photos[k] is not None:
                assert inside(row.photos[k], c)
        for t in row.aspect_texts:
            assert inside(t, row.aspect)
    for a, b in zip(geo.rows, geo.rows[1:]):
        assert a.cells[0][1] + a.cells[0][3] < min(b.cells[0][1], b.aspect[1]), "rows follow one another"
    for h, ts in zip(geo.headers, geo.header_texts):
        for t in ts:
            assert inside(t, h)
    containers = list(geo.headers) + [c for r in geo.rows for c in r.cells] + [r.aspect for r in geo.rows]
    title_h = geo.headers[0][1]
    assert_text_inside(frame, containers + [(0, 0, width, title_h)], "comparison")
    assert not any(t.overflow for t in frame.walk() if isinstance(t, Text))
    for y in frame.sorted_breaks():
        for r in geo.rows:
            for c in r.cells:
                assert not (c[1] + EPS < y < c[1] + c[3] - EPS)


def test_station_comparison_side_labels() -> None:
    ctx = _ctx()
    geo = comparison_geometry(ComparisonBlock.model_validate(STATION), ctx.content_width, ctx)
    check(geo, ctx.content_width)
    assert geo.mode == "side"
    assert len(geo.rows) == 6 and len(geo.headers) == 2
    # the group labels are drawn (AntV's card forgot them)
    drawn = "".join(t.text for t in geo.frame.walk() if isinstance(t, Text))
    assert "合格站点" in drawn and "不合格站点" in drawn
    # the aspect label column sits left of the cells, one per row
    for r in geo.rows:
        assert r.aspect[0] + r.aspect[2] < r.cells[0][0]
        assert r.aspect[1] == r.cells[0][1] and r.aspect[3] == r.cells[0][3]
    # photos of one row share one height and are cropped to 4:3, not stretched
    first = geo.rows[0].photos
    assert first[0][3] == pytest.approx(first[1][3])
    images = [op for op in geo.frame.walk() if isinstance(op, Image)]
    assert len(images) == 4
    for im in images:
        iw, ih = im.image.size
        assert iw / ih == pytest.approx(im.w / im.h, rel=0.01)
    # one break between each pair of rows
    assert len([b for b in geo.frame.sorted_breaks() if b > geo.rows[0].cells[0][1]]) == 5


def test_tick_and_cross_are_vector_shapes() -> None:
    ctx = _ctx()
    geo = comparison_geometry(ComparisonBlock.model_validate(STATION), ctx.content_width, ctx)
    text = "".join(t.text for t in geo.frame.walk() if isinstance(t, Text))
    assert "✓" not in text and "✗" not in text and "×" not in text
    pal = ctx.palette
    paths = [op for op in geo.frame.walk() if isinstance(op, PathOp)]
    assert any(p.stroke == pal.on_primary for p in paths)  # marks on the tone discs
    ink = {op.fill for op in geo.frame.walk() if getattr(op, "fill", None)}
    assert pal.positive in ink and pal.negative in ink


@pytest.mark.parametrize("width", [1080, 750])
@pytest.mark.parametrize("ncols", [3, 4])
def test_three_and_four_columns_use_row_bands(width: int, ncols: int) -> None:
    ctx = _ctx(width)
    tones = ["positive", "neutral", "negative", "neutral"][:ncols]
    labels = ["合格", "基", "不合格", "其他情形说明"][:ncols]
    spec = {"type": "comparison", "columns": [{"label": lab, "tone": t} for lab, t in zip(labels, tones)],
            "rows": [{"aspect": "场所面积", "cells": ["不少于20平方米"] * ncols},
                     {"aspect": "设备运行情况与日常维护", "cells": ["运行正常，有专人负责日常维护和故障报修" * 2] + ["长期故障"] * (ncols - 1)}]}
    geo = comparison_geometry(ComparisonBlock.model_validate(spec), ctx.content_width, ctx)
    check(geo, ctx.content_width)
    assert geo.mode == "band"
    for r in geo.rows:  # the aspect band spans the row above its cells
        assert r.aspect[1] + r.aspect[3] <= r.cells[0][1]
        assert r.aspect[2] == pytest.approx(ctx.content_width)


def test_bad_image_names_the_cell() -> None:
    spec = dict(STATION, rows=[{"aspect": "场所", "cells": [{"text": "a", "image": "photos/missing.jpg"}, "b"]}])
    from tushuo.errors import SpecError

    with pytest.raises(SpecError, match=r"blocks\[0\]\.rows\[0\]\.cells\[0\]\.image: file not found"):
        _ctx(1080, spec)  # pictures are read with the document, before any layout


@pytest.mark.parametrize("name", ["comparison-2col", "comparison-4col"])
def test_baseline(name: str) -> None:
    from baseline import assert_matches_baseline

    import tushuo
    from tushuo.inputs import layout_document
    from tushuo.paint.raster import paint

    if name == "comparison-2col":
        block = dict(STATION, rows=STATION["rows"][:3])
    else:
        block = {"type": "comparison", "columns": [{"label": "优", "tone": "positive"}, {"label": "良"}, {"label": "中"},
                                                   {"label": "差", "tone": "negative"}],
                 "rows": [{"aspect": "学习记录", "cells": ["完整规范", "基本完整", "部分缺失", "没有记录"]}]}
    doc = tushuo.Document.model_validate({"title": name, "width": 540, "blocks": [block]})
    doc.base_dir = str(EXAMPLES)
    frame = layout_document(doc)
    assert_matches_baseline(paint(frame, fonts=frame.fonts), name)


def _benchmark_comparison() -> dict:
    import yaml

    page = yaml.safe_load((Path(__file__).parent.parent / "benchmarks" / "page.yaml").read_text(encoding="utf-8"))
    return next(b for b in page["blocks"] if b["type"] == "comparison")


@pytest.mark.parametrize("width", [1080, 750])
def test_aspect_column_sized_to_its_labels(width: int) -> None:
    """Short cells (达标/未达标) leave room for the labels: each on at most two lines, none
    broken inside （…）; the cells' marks and texts still fit on one line, headers too."""
    ctx = _ctx(width)
    block = ComparisonBlock.model_validate(_benchmark_comparison())
    geo = comparison_geometry(block, ctx.content_width, ctx)
    check(geo, ctx.content_width)
    assert geo.mode == "side"
    line_h = ctx.size("h3") * 0.9 * 1.3
    for r, row in zip(geo.rows, block.rows):
        assert 1 <= len(r.aspect_texts) <= 2, row.aspect
        # the label column is wider than the old fixed 150 px, and no wider than 40 %
        assert ctx.px(150) < r.aspect[2] <= 0.4 * ctx.content_width + EPS
        assert all(len(t) == 1 and t[0][3] == pytest.approx(ctx.size("body") * 0.85 * 1.55) for t in r.texts)
    for h in geo.header_texts:
        assert h[0][3] == pytest.approx(ctx.size("h3") * 1.3)  # one line
    lines = ["".join(op.text for op in geo.frame.walk() if isinstance(op, Text) and op.box == box)
             for box in geo.rows[1].aspect_texts]
    assert "".join(lines) == "首页更新及时（≤2周）"
    assert any("（≤2周）" in ln for ln in lines), "no break inside the brackets"
    assert geo.rows[1].aspect[3] <= 2 * line_h + 2 * ctx.px(20) + EPS


def test_long_cells_keep_their_width() -> None:
    """Short labels beside long cells with photos: the label column stays at its minimum."""
    ctx = _ctx()
    geo = comparison_geometry(ComparisonBlock.model_validate(STATION), ctx.content_width, ctx)
    assert geo.rows[0].aspect[2] == pytest.approx(ctx.px(150))


def test_short_cells_centred_in_rows_without_photos() -> None:
    """A one-line cell beside a taller one sits in the middle of its row, unless the row has
    photos (then texts stay at the top and the photos line up at the bottom)."""
    ctx = _ctx()
    spec = dict(STATION, rows=[
        {"aspect": "设备", "cells": ["电视、电脑、接收设备齐全，运行正常，有防雷、防盗措施，专人负责日常维护。", "无"]},
        STATION["rows"][0],
    ])
    geo = comparison_geometry(ComparisonBlock.model_validate(spec), ctx.content_width, ctx)
    check(geo, ctx.content_width)
    plain, photo = geo.rows
    for cell, texts in zip(plain.cells, plain.texts):
        (_, ty, _, th), = texts
        assert ty + th / 2 == pytest.approx(cell[1] + cell[3] / 2)
    assert plain.texts[1][0][3] < plain.texts[0][0][3]  # the short one really is shorter
    for cell, texts in zip(photo.cells, photo.texts):
        assert texts[0][1] == pytest.approx(cell[1] + ctx.px(26))
