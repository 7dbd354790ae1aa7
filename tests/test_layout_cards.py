"""Cards (list, grid) and timeline layouts: equal rows, pictures cropped not stretched, text inside."""

from __future__ import annotations

from pathlib import Path

import pytest
from geometry_checks import EPS, assert_text_inside, inside, overlap

from tushuo.inputs import make_context
from tushuo.layout.cards import cards_geometry
from tushuo.layout.frame import Image, Text
from tushuo.layout.timeline import timeline_geometry
from tushuo.spec.blocks import CardsBlock, TimelineBlock
from tushuo.spec.document import Document

EXAMPLES = Path(__file__).parent.parent / "examples"

ITEMS = [
    {"title": "清河街道：“四议两公开”确保程序规范", "desc": "街道党工委逐村开展换届风险研判，做到一村一策。" * 2,
     "image": "photos/meeting.jpg", "tag": "11月5日"},
    {"title": "文峰街道开展换届业务培训", "desc": "围绕关键环节讲解。", "image": "photos/training.jpg",
     "tag": "11月12日", "image_position": "top"},
    {"title": "颍西街道选举日投票有序进行", "desc": "选民凭选民证领取选票。", "tag": "11月26日"},
    {"title": "短", "image": "photos/village.jpg"},
    {"title": "无图无标签的卡片"},
]


def _ctx(width: int = 1080):
    """A context whose document holds the ITEMS (their pictures are read with it)."""
    doc = Document(title="t", blocks=[{"type": "cards", "items": ITEMS}], width=width)
    doc.base_dir = str(EXAMPLES)
    return make_context(doc).at("blocks[0]")


def check_cards(geo, width: float) -> None:
    for i, c in enumerate(geo.cards):
        assert c[0] >= -EPS and c[0] + c[2] <= width + EPS
        for d in geo.cards[i + 1:]:
            assert not overlap(c, d)
        for t in geo.texts[i]:
            assert inside(t, c)
        if geo.images[i] is not None:
            assert inside(geo.images[i], c)
            for t in geo.texts[i]:
                assert not overlap(t, geo.images[i]), "text never sits on the picture"
    assert_text_inside(geo.frame, geo.cards + [(0, 0, width, geo.cards[0][1])], "cards")
    for im in (op for op in geo.frame.walk() if isinstance(op, Image)):
        iw, ih = im.image.size
        assert iw / ih == pytest.approx(im.w / im.h, rel=0.01), "pictures are cropped to their box, not stretched"


@pytest.mark.parametrize("width", [1080, 750])
def test_list(width: int) -> None:
    ctx = _ctx(width)
    geo = cards_geometry(CardsBlock.model_validate({"type": "cards", "title": "工作动态", "items": ITEMS}), ctx.content_width, ctx)
    check_cards(geo, ctx.content_width)
    assert geo.layout == "list"
    assert all(c[2] == pytest.approx(ctx.content_width) for c in geo.cards)
    # picture left in the first card, on top in the second
    assert geo.images[0][0] < geo.texts[0][0][0] and geo.images[0][1] == pytest.approx(geo.texts[0][0][1])
    assert geo.images[1][1] + geo.images[1][3] <= geo.texts[1][0][1]
    assert geo.images[2] is None
    assert len(geo.frame.sorted_breaks()) == len(ITEMS) - 1


def test_grid_rows_equal() -> None:
    ctx = _ctx()
    geo = cards_geometry(CardsBlock.model_validate({"type": "cards", "layout": "grid", "items": ITEMS}), ctx.content_width, ctx)
    check_cards(geo, ctx.content_width)
    assert geo.layout == "grid"
    c = geo.cards
    assert c[0][1] == c[1][1] and c[0][3] == c[1][3] and c[2][3] == c[3][3]
    assert c[1][0] > c[0][0] + c[0][2]
    assert c[4][1] > c[2][1] + c[2][3]


def test_timeline() -> None:
    ctx = _ctx()
    spec = {"type": "timeline", "title": "大事记", "items": [
        {"date": "11月3日", "title": "召开全区村（社区）“两委”换届工作部署会", "desc": "区委书记出席会议并讲话。"},
        {"date": 20261112, "title": "换届业务培训"},
        {"date": "11月26日", "title": "选举日", "desc": "集中投票。" * 30}]}
    geo = timeline_geometry(TimelineBlock.model_validate(spec), ctx.content_width, ctx)
    assert len(geo.events) == 3
    for i, e in enumerate(geo.events):
        for f in geo.events[i + 1:]:
            assert not overlap(e, f)
        for t in geo.texts[i]:
            assert inside(t, e)
        assert inside(geo.dots[i], e)
    # dots on one spine, dates drawn as text
    assert len({round(d[0], 3) for d in geo.dots}) == 1
    drawn = [t.text for t in geo.frame.walk() if isinstance(t, Text)]
    assert "20261112" in drawn and "11月3日" in drawn
    assert_text_inside(geo.frame, geo.events + [(0, 0, ctx.content_width, geo.events[0][1])], "timeline")
    assert len(geo.frame.sorted_breaks()) >= 2


@pytest.mark.parametrize("name", ["cards-list", "cards-grid", "timeline"])
def test_baseline(name: str) -> None:
    from baseline import assert_matches_baseline

    import tushuo
    from tushuo.inputs import layout_document
    from tushuo.paint.raster import paint

    if name == "timeline":
        block = {"type": "timeline", "title": "大事记", "items": [
            {"date": "11月3日", "title": "召开换届工作调度会", "desc": "通报前期进展。"},
            {"date": "11月12日", "title": "集中选举日"}]}
    else:
        block = {"type": "cards", "layout": name.split("-")[1], "items": ITEMS[:3]}
    doc = tushuo.Document.model_validate({"title": name, "width": 540, "blocks": [block]})
    doc.base_dir = str(EXAMPLES)
    frame = layout_document(doc)
    assert_matches_baseline(paint(frame, fonts=frame.fonts), name)
