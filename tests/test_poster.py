"""Print pieces: PDF poster pages (output.pdf_mode: poster), the qrcodes grid, the compact banner
and the qr-standee template that puts them together (one A6 page of large, scannable codes)."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest
import segno
from pypdf import PdfReader
from test_layout_basic import _read_modules, doc_of, text_op, texts

import tushuo
from tushuo.errors import SpecError
from tushuo.inputs import layout_document
from tushuo.layout.frame import Rect
from tushuo.layout.media import QR_DARK
from tushuo.layout.pages import MM, parse_page_size, plan_poster
from tushuo.loader import load_data_file
from tushuo.paint.raster import paint
from tushuo.pipeline import render_pdf
from tushuo.templates import find_template

CODES = [
    {"data": "https://mp.weixin.qq.com/gongchandangyuan", "caption": "共产党员"},
    {"data": "https://www.ahxf.gov.cn", "caption": "安徽先锋网"},
    {"data": "https://www.fyxf.gov.cn", "caption": "阜阳先锋网"},
    {"data": "https://mp.weixin.qq.com/yingzhouxianfeng", "caption": "颍州先锋"},
]


def standee() -> tushuo.Document:
    """The qr-standee template filled with its sample data."""
    t = find_template("qr-standee")
    return tushuo.load(str(t.path), data=load_data_file(t.sample), roots=(t.sample.parent,))


def pdf_of(doc: tushuo.Document, **kw) -> bytes:
    return render_pdf(layout_document(doc, width=kw.pop("width", None)), doc, **kw)


def grid_boxes(frame) -> list:
    return [b for b in frame.boxes if b.kind == "qrcode"]


# --------------------------------------------------------------------------- the standee
def test_standee_is_one_a6_poster_page_with_its_texts_and_no_manual_chrome() -> None:
    doc = standee()
    data = pdf_of(doc)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) / MM == pytest.approx(105, abs=0.1)
    assert float(box.height) / MM == pytest.approx(148, abs=0.1)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = pdf.pages[0].extract_text()
    for words in ("扫码关注", "手机微信扫一扫，关注以下平台", "共产党员", "安徽先锋网", "阜阳先锋网", "颍州先锋",
                  "中共颍州区委组织部"):
        assert words in text, words
    # no running header (the title again, small) and no page number between rules
    assert text.count("扫码关注") == 1
    assert "— 1 —" not in text and "1" not in text.replace("\n", "")
    # real text in embedded TrueType subsets
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        fd = desc["/FontDescriptor"].get_object()
        assert "/FontFile2" in fd and "+" in str(font["/BaseFont"])


def test_standee_codes_are_large_and_scan_and_captions_are_bold() -> None:
    doc = standee()
    frame = layout_document(doc)
    cards = grid_boxes(frame)
    assert len(cards) == 4
    page = parse_page_size("A6")
    mm_per_px = page.width / frame.width / MM
    for card in cards:
        assert card.w * mm_per_px > 34  # each card (the code with its quiet zone) at least 3.4 cm wide on A6
    img = paint(frame)
    for item, card in zip(CODES, cards, strict=True):
        expected = [[bool(v) for v in row] for row in segno.make(item["data"], error="m", micro=False,
                                                                  boost_error=False).matrix]
        assert _decoded(frame, img, card, len(expected)) == expected
        cap = text_op(frame, item["caption"])
        assert cap.runs[0].face == "sans-bold" and cap.runs[0].size >= 30
    # one page, with room to spare at the foot: nothing crammed against the paper's edge
    plan = plan_poster(frame, doc, page)
    (pg,) = plan.pages
    bottom = max(at + (b - a) for a, b, at in pg.bands)
    assert plan.page_height - bottom > 40


def _decoded(frame, img, card, n: int) -> list[list[bool]]:
    """The modules read back from the pixels of the code inside ``card``."""
    dark = [op for op in frame.ops if isinstance(op, Rect) and op.fill == QR_DARK
            and card.x <= op.x and op.x + op.w <= card.x + card.w and card.y <= op.y and op.y + op.h <= card.y + card.h]
    x0, y0 = min(r.x for r in dark), min(r.y for r in dark)
    module = (max(r.x + r.w for r in dark) - x0) / n
    for v in (module, x0, y0):  # whole px: sharp, no seams
        assert v == pytest.approx(round(v), abs=1e-6)
    return _read_modules(img, x0, y0, module, n)


def test_standee_at_a5_is_the_same_page_larger() -> None:
    doc = standee()
    a6 = PdfReader(io.BytesIO(pdf_of(doc)))
    a5 = PdfReader(io.BytesIO(pdf_of(doc, page_size="A5")))
    assert len(a5.pages) == len(a6.pages) == 1
    assert float(a5.pages[0].mediabox.width) / MM == pytest.approx(148, abs=0.1)


# --------------------------------------------------------------------------- poster pages
def _filled_rects(data: bytes) -> list[dict]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [r for p in pdf.pages for r in p.rects if r.get("fill")]


def test_poster_page_background_reaches_the_page_edges() -> None:
    doc = doc_of([{"type": "paragraph", "text": "短短一段。"}], output={"pdf_mode": "poster", "page_size": "A6"})
    data = pdf_of(doc)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        full = [r for r in page.rects if r.get("fill") and abs(r["x0"]) < 0.01 and abs(r["top"]) < 0.01
                and abs(r["x1"] - page.width) < 0.01 and abs(r["bottom"] - page.height) < 0.01]
        assert full, "no page-sized background"
        bg = tushuo.themes.parse_color(layout_document(doc).background)[:3]
        assert tuple(full[0]["non_stroking_color"]) == pytest.approx(bg, abs=0.002)
        assert page.extract_text().strip() == "短短一段。"


def test_short_content_is_centred_and_a_banner_and_closing_strip_keep_to_the_edges() -> None:
    page = parse_page_size("A6")
    para = {"type": "paragraph", "text": "正文一段。"}
    # no banner, no strip: equal room above and below
    doc = doc_of([para])
    frame = layout_document(doc)
    (pg,) = plan_poster(frame, doc, page).pages
    ((a, b, at),) = pg.bands
    h = plan_poster(frame, doc, page).page_height
    assert at == pytest.approx(h - (at + b - a))
    # banner at the top edge, strip at the bottom edge, the paragraph centred between them
    doc = doc_of([{"type": "banner", "title": "扫码关注"}, para], footer={"text": "颍州区委组织部"})
    frame = layout_document(doc)
    plan = plan_poster(frame, doc, page)
    (pg,) = plan.pages
    head, body, tail = pg.bands
    assert head[0] == 0 and head[2] == 0
    assert tail[1] == pytest.approx(frame.height) and tail[2] + tail[1] - tail[0] == pytest.approx(plan.page_height)
    above = body[2] - (head[1] - head[0])
    below = tail[2] - (body[2] + body[1] - body[0])
    assert above == pytest.approx(below) and above > 100


def test_a_long_poster_is_cut_at_safe_breaks_into_full_width_pages() -> None:
    paras = [{"type": "paragraph", "text": f"第{i}段：" + "党员干部要带头学习贯彻。" * 6} for i in range(30)]
    doc = doc_of(paras, output={"pdf_mode": "poster", "page_size": "A6"})
    frame = layout_document(doc)
    plan = plan_poster(frame, doc, parse_page_size("A6"))
    assert len(plan.pages) >= 3
    breaks = set(frame.breaks)
    for i, pg in enumerate(plan.pages):
        for a, b, at in pg.bands:
            assert at >= -1e-6 and at + (b - a) <= plan.page_height + 1e-6  # on the page
        if i:
            assert pg.cut.top in breaks and pg.cut.top == plan.pages[i - 1].cut.bottom  # contiguous, safe
    data = render_pdf(frame, doc)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == len(plan.pages)
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")  # autospace between 第 and digits
    for i in range(30):  # every paragraph once: nothing lost or drawn twice at a cut
        assert text.count(f"第{i}段") == 1
    assert "测试" not in text  # the title is no running header


def test_poster_sections_become_bookmarks_on_their_pages() -> None:
    body = [{"type": "paragraph", "text": "党员干部要带头学习贯彻。" * 40}]
    doc = doc_of([{"type": "section", "title": "第一部分", "blocks": body},
                  {"type": "section", "title": "第二部分", "blocks": body}],
                 output={"pdf_mode": "poster", "page_size": "A6"})
    frame = layout_document(doc)
    plan = plan_poster(frame, doc, parse_page_size("A6"))
    reader = PdfReader(io.BytesIO(render_pdf(frame, doc)))
    marks = {m.title.split("、")[-1]: m.y for m in frame.marks}
    got = {o.title.split("、")[-1]: reader.get_destination_page_number(o) for o in reader.outline}
    assert set(got) == {"第一部分", "第二部分"}
    for title, page in got.items():
        cut = plan.pages[page].cut
        assert cut.top <= marks[title] < cut.bottom


def test_poster_mode_is_deterministic_and_chosen_by_spec_or_argument() -> None:
    doc = standee()
    frame = layout_document(doc)
    a, b = render_pdf(frame, doc), render_pdf(layout_document(standee()), standee())
    assert a == b
    manual = render_pdf(frame, doc, mode="manual")
    assert len(PdfReader(io.BytesIO(manual)).pages) > 1  # the manual adds a cover
    plain = doc_of([{"type": "paragraph", "text": "正文"}])
    assert render_pdf(layout_document(plain), plain, mode="poster") != render_pdf(layout_document(plain), plain)
    with pytest.raises(SpecError, match="unknown PDF mode 'flyer'"):
        render_pdf(frame, doc, mode="flyer")


def test_a_misspelt_pdf_mode_in_the_spec_is_located(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("title: t\nblocks: [{type: paragraph, text: 好}]\noutput:\n  pdf_mode: postr\n", encoding="utf-8")
    with pytest.raises(SpecError) as err:
        tushuo.load(spec)
    assert str(err.value).startswith(f"{spec}:4:13: output.pdf_mode:")
    assert "use one of: manual, poster" in str(err.value)


# --------------------------------------------------------------------------- the qrcodes grid
@pytest.mark.parametrize("width", [1080, 750])
def test_qrcodes_grid_equal_cards_inside_the_width_and_codes_that_scan(width: int) -> None:
    items = [dict(c) for c in CODES]
    items[2]["caption"] = "阜阳市委组织部远程教育学习平台"  # wraps: every card grows with it
    frame = layout_document(doc_of([{"type": "qrcodes", "title": "扫码关注", "items": items}], width=width))
    cards = grid_boxes(frame)
    assert len(cards) == 4
    assert len({(round(c.w, 6), round(c.h, 6)) for c in cards}) == 1  # equal cards
    margin = 56 * width / 1080
    for c in cards:
        assert margin - 1e-6 <= c.x and c.x + c.w <= width - margin + 1e-6
    (r1a, r1b, r2a, r2b) = cards
    assert r1a.y == r1b.y < r1a.y + r1a.h < r2a.y == r2b.y and r1a.x == r2a.x < r1a.x + r1a.w < r1b.x
    # as large as a column allows: the cards and their gap fill the content width but for whole-px
    # modules (each card loses less than 1 px per module)
    gap = r1b.x - (r1a.x + r1a.w)
    n_max = max(len(segno.make(i["data"], error="m", micro=False, boost_error=False).matrix) for i in items) + 8
    assert 0 <= width - 2 * margin - (2 * r1a.w + gap) < 2 * n_max
    # a safe break between the rows, none through a card
    assert any(r1a.y + r1a.h < b < r2a.y for b in frame.breaks)
    assert not [b for b in frame.breaks for c in cards if c.y < b < c.y + c.h]
    img = paint(frame)
    for item, card in zip(items, cards, strict=True):
        expected = [[bool(v) for v in row] for row in segno.make(item["data"], error="m", micro=False,
                                                                  boost_error=False).matrix]
        assert _decoded(frame, img, card, len(expected)) == expected
    # captions: bold, at least 30 px at 1080, centred under their code inside the card
    for item, card in zip(items, cards, strict=True):
        ops = [op for op in texts(frame) if op.text.replace("\n", "").startswith(item["caption"][:4])]
        cap = ops[0]
        x, y, w, h = cap.box
        assert cap.runs[0].face == "sans-bold" and cap.runs[0].size >= 30 * width / 1080 - 1e-6
        assert card.x <= x and x + w <= card.x + card.w + 1e-6 and y + h <= card.y + card.h + 1e-6
        assert x - card.x == pytest.approx(card.x + card.w - (x + w), abs=1.0)
    long = text_op(frame, "阜阳市委")
    assert len({round(r.y, 3) for r in long.runs}) == 2  # wrapped to two lines, inside its card


def test_qrcodes_short_last_row_is_centred_and_size_caps_the_codes() -> None:
    frame = layout_document(doc_of([{"type": "qrcodes", "columns": 3, "items": CODES}]))
    cards = grid_boxes(frame)
    assert [round(c.y) for c in cards].count(round(cards[0].y)) == 3
    last = cards[3]
    assert last.x + last.w / 2 == pytest.approx(540, abs=0.5)
    small = grid_boxes(layout_document(doc_of([{"type": "qrcodes", "size": 300, "items": CODES}])))
    assert all(c.w <= 300 for c in small) and small[0].w > 270
    assert small[0].x + (small[1].x + small[1].w) == pytest.approx(1080, abs=1)  # the narrower grid is centred


def test_qrcodes_item_with_too_much_data_is_a_located_error(tmp_path: Path) -> None:
    spec = tmp_path / "qr.yaml"
    spec.write_text(
        "title: t\nblocks:\n  - type: qrcodes\n    items:\n      - {data: 'https://example.org', caption: 好}\n"
        "      - caption: 太长\n        data: " + "码" * 1000 + "\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as err:
        layout_document(tushuo.load(spec))
    assert str(err.value).startswith(f"{spec}:7:")
    assert "blocks[0].items[1].data: too much data for a QR code (3000 bytes" in str(err.value)


def test_qrcodes_spec_rules() -> None:
    with pytest.raises(SpecError, match=r"blocks\[0\]\.columns"):
        doc_of([{"type": "qrcodes", "columns": 5, "items": CODES}])
    with pytest.raises(SpecError, match=r"blocks\[0\]\.items\[0\]\.data"):
        doc_of([{"type": "qrcodes", "items": [{"caption": "无码"}]}])


# --------------------------------------------------------------------------- compact banner
def test_compact_banner_is_a_lower_band_with_the_same_parts() -> None:
    banner = {"type": "banner", "title": "扫码关注", "subtitle": "手机微信扫一扫，关注以下平台"}
    normal = layout_document(doc_of([banner]))
    compact = layout_document(doc_of([{**banner, "compact": True}]))
    hn = next(b for b in normal.boxes if b.kind == "banner").h
    hc = next(b for b in compact.boxes if b.kind == "banner").h
    assert hc < 0.75 * hn
    assert text_op(compact, "扫码").runs[0].size == pytest.approx(88 * 0.85)
    assert text_op(compact, "手机").runs[0].size == pytest.approx(40 * 0.9)
    assert text_op(normal, "扫码").runs[0].size == 88
