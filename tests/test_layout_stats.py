"""Stats cards: number formatting, delta arrows coloured by sign, columns, text inside cards."""

from __future__ import annotations

import pytest
from geometry_checks import EPS, assert_text_inside, inside, overlap

from tushuo.inputs import make_context
from tushuo.layout.frame import Path, Text
from tushuo.layout.stats import auto_columns, delta_sign, delta_text, format_value, stats_geometry
from tushuo.spec.blocks import StatsBlock
from tushuo.spec.document import Document


def _ctx(width: int = 1080):
    doc = Document(title="t", blocks=[{"type": "spacer", "height": 1}], width=width)
    return make_context(doc).at("blocks[0]")


@pytest.mark.parametrize("value, shown", [
    (126, "126"), (126.0, "126"), (98.5, "98.5"), (12345, "12,345"), (9999, "9999"), (10000, "10,000"),
    (152360.25, "152,360.25"), (0.1 + 0.2, "0.3"), ("一肩挑", "一肩挑"), (-20000, "-20,000"), (3.14159, "3.14159"),
])
def test_format_value(value, shown) -> None:
    assert format_value(value) == shown


@pytest.mark.parametrize("delta, sign, text", [
    ("+12", 1, "12"), ("-3.2%", -1, "3.2%"), (-1200, -1, "1200"), (5, 1, "5"), ("持平", 0, "持平"),
    ("较上月+2", 1, "较上月+2"), ("−4", -1, "4"), (0, 0, "0"),
])
def test_delta(delta, sign, text) -> None:
    assert delta_sign(delta) == sign
    assert delta_text(delta) == text


def test_auto_columns() -> None:
    assert [auto_columns(n) for n in range(1, 7)] == [1, 2, 3, 2, 3, 3]


ITEMS = [
    {"label": "已完成换届村（社区）", "value": 126, "unit": "个", "delta": "+12", "icon": "flag"},
    {"label": "完成率", "value": 98.5, "unit": "%", "delta": "-0.5%"},
    {"label": "参选选民", "value": 152360, "unit": "人", "icon": "users"},
    {"label": "书记、主任", "value": "一肩挑"},
    {"label": "平均年龄", "value": 42.0, "unit": "岁"},
    {"label": "一个很长很长的标签，说明这个数字统计的口径和范围", "value": "全部完成并通过验收", "unit": "个"},
]


@pytest.mark.parametrize("n", range(1, 7))
@pytest.mark.parametrize("width", [1080, 750])
def test_cards_geometry(n: int, width: int) -> None:
    ctx = _ctx(width)
    geo = stats_geometry(StatsBlock.model_validate({"type": "stats", "title": "数说", "items": ITEMS[:n]}), ctx.content_width, ctx)
    assert geo.columns == min(auto_columns(n), n)
    assert len(geo.cards) == n
    for i, c in enumerate(geo.cards):
        assert c[0] >= -EPS and c[0] + c[2] <= ctx.content_width + EPS
        for d in geo.cards[i + 1:]:
            assert not overlap(c, d)
        for t in geo.texts[i]:
            assert inside(t, c), f"text {t} outside card {c}"
    assert_text_inside(geo.frame, geo.cards + [(0, 0, ctx.content_width, geo.cards[0][1])], "stats")
    rows = {}
    for c in geo.cards:
        rows.setdefault(round(c[1], 3), set()).add(round(c[3], 3))
    assert all(len(h) == 1 for h in rows.values()), "cards in a row are equally tall"


def test_values_units_and_delta_colours() -> None:
    ctx = _ctx()
    geo = stats_geometry(StatsBlock.model_validate({"type": "stats", "items": ITEMS[:3]}), ctx.content_width, ctx)
    texts = [t.text for t in geo.frame.walk() if isinstance(t, Text)]
    assert "126" in texts and "个" in texts and "98.5" in texts and "152,360" in texts
    # value in the number face, unit smaller on the same baseline
    value = next(t for t in geo.frame.walk() if isinstance(t, Text) and t.text == "126")
    unit = next(t for t in geo.frame.walk() if isinstance(t, Text) and t.text == "个")
    assert value.runs[0].face == ctx.face("number")
    assert unit.runs[0].size < value.runs[0].size * 0.6
    assert unit.runs[0].y == pytest.approx(value.runs[0].y)
    assert unit.runs[0].xs[0] > value.runs[-1].end
    arrows = [p for p in geo.frame.walk() if isinstance(p, Path) and len(p.commands) == 8]
    fills = [p.fill for p in arrows]
    from tushuo.themes import mix, readable

    pal = ctx.palette
    assert readable(pal.positive, mix(pal.positive, pal.surface, 0.88)) in fills
    assert readable(pal.negative, mix(pal.negative, pal.surface, 0.88)) in fills
    up = next(p for p in arrows if p.fill == fills[0])
    assert up.commands[0][2] < up.commands[3][2]  # the first card's arrow points up (tip on top)


def test_given_columns() -> None:
    ctx = _ctx()
    geo = stats_geometry(StatsBlock.model_validate({"type": "stats", "columns": 1, "items": ITEMS[:2]}), ctx.content_width, ctx)
    assert geo.columns == 1 and geo.cards[0][2] == pytest.approx(ctx.content_width)
    assert len(geo.frame.sorted_breaks()) == 1


@pytest.mark.parametrize("width", [1080, 750])
def test_labels_wrap_evenly_and_keep_brackets_whole(width: int) -> None:
    """Card labels are balanced: a bracketed term never splits (完成换届村（社 / 区）), and the
    lines are as even as the breaks allow (参加投票选民 / 人数（万人）, not 参加投票选 / 民人数（万人）)."""
    ctx = _ctx(width)
    labels = ["完成换届村（社区）", "已完成换届村（社区）", "参加投票选民人数（万人）", "各乡镇（街道）完成换届村（社区）数"]
    block = StatsBlock.model_validate({"type": "stats", "columns": 3,
                                       "items": [{"label": t, "value": 1} for t in labels]})
    geo = stats_geometry(block, ctx.content_width, ctx)
    lines = [op.text for op in geo.frame.walk() if isinstance(op, Text) and op.role == "body"]
    assert "".join(lines) == "".join(labels)
    for ln in lines:
        assert ln.count("（") == ln.count("）"), f"a bracket pair split across lines: {lines}"
    assert "参加投票选民" in lines and "人数（万人）" in lines, lines


def test_baseline() -> None:
    from baseline import assert_matches_baseline

    import tushuo
    from tushuo.inputs import layout_document
    from tushuo.paint.raster import paint

    doc = tushuo.Document.model_validate({"title": "stats", "width": 540, "blocks": [
        {"type": "stats", "title": "数说换届", "items": ITEMS[:5]}]})
    frame = layout_document(doc)
    assert_matches_baseline(paint(frame, fonts=frame.fonts), "stats")
