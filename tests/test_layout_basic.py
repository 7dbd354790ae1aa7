"""Simple block layouts: geometry, numbering, atomic boxes and breaks, QR codes that scan."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
import segno

import tushuo
from tushuo.errors import SpecError
from tushuo.inputs import layout_document
from tushuo.layout.common import cn_numeral, number_label
from tushuo.layout.frame import Ellipse, Group, Image, Rect, Text
from tushuo.layout.frame import Path as PathOp
from tushuo.layout.media import QUIET_ZONE
from tushuo.layout.table import column_widths
from tushuo.paint.raster import paint

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


PHOTOS = EXAMPLES / "photos"


def doc_of(blocks: list, **top) -> tushuo.Document:
    return tushuo.load({"title": "测试", "blocks": blocks, **top}, roots=(EXAMPLES,))


def texts(frame) -> list[Text]:
    return [op for op in frame.walk() if isinstance(op, Text)]


def text_op(frame, start: str) -> Text:
    return next(op for op in texts(frame) if op.text.startswith(start))


def assert_text_inside_boxes(frame) -> None:
    """Every glyph run lies inside its Text box, and every Text box inside the page."""
    for op in texts(frame):
        x, y, w, h = op.box
        assert x >= -0.01 and x + w <= frame.width + 0.01, op.text
        for run in op.runs:
            if run.text.strip():
                # an opening mark at a line start hangs its blank half outside: its trim
                assert run.xs[0] + run.trim >= x - 0.5 and run.end <= x + w + 0.5, (op.text, run.text)
                assert y - 0.5 <= run.y <= y + h + 0.5, (op.text, run.text)


# --------------------------------------------------------------------------- numbering
def test_chinese_numerals_and_outline_labels() -> None:
    assert [cn_numeral(n) for n in (1, 2, 9, 10, 11, 19, 20, 35, 99)] == [
        "一", "二", "九", "十", "十一", "十九", "二十", "三十五", "九十九"]
    assert cn_numeral(100) == "100"
    assert [number_label(3, lvl) for lvl in (1, 2, 3, 4)] == ["三、", "（三）", "3.", "（3）"]


def test_numbered_headings_count_and_restart_inside_sections() -> None:
    blocks = [
        {"type": "heading", "text": "总体要求", "number": True},
        {"type": "heading", "text": "不编号", "level": 2},
        {"type": "heading", "text": "方法步骤", "number": True},
        {"type": "section", "title": "准备", "blocks": [
            {"type": "heading", "text": "甲", "level": 2, "number": True},
            {"type": "heading", "text": "乙", "level": 2, "number": True},
            {"type": "heading", "text": "细则", "level": 3, "number": True},
        ]},
        {"type": "section", "title": "实施", "blocks": [{"type": "heading", "text": "丙", "level": 2, "number": True}]},
        {"type": "section", "title": "附则", "number": "附", "blocks": [{"type": "paragraph", "text": "无"}]},
        {"type": "section", "title": "无号", "number": False, "blocks": [{"type": "paragraph", "text": "无"}]},
    ]
    frame = layout_document(doc_of(blocks))
    shown = [op.text for op in texts(frame)]
    for label in ("一、总体要求", "不编号", "二、方法步骤", "（一）甲", "（二）乙", "1.细则", "（一）丙"):
        assert label in shown, label
    assert [(m.title, m.level) for m in frame.marks] == [
        ("一、总体要求", 1), ("不编号", 2), ("二、方法步骤", 1), ("三、准备", 1), ("（一）甲", 2), ("（二）乙", 2),
        ("1.细则", 3), ("四、实施", 1), ("（一）丙", 2), ("附 附则", 1), ("无号", 1)]
    # the section number sits in its own badge; a custom label is shown as written
    for badge in ("三", "四", "附"):
        assert badge in shown


# --------------------------------------------------------------------------- paragraph, heading
def test_paragraph_is_indented_justified_with_breaks_between_lines() -> None:
    text = "为切实做好村（社区）“两委”换届工作，区委组织部召开专题会议，对选举程序、候选人资格审查、投票计票等环节逐项进行部署。" * 2
    frame = layout_document(doc_of([{"type": "paragraph", "text": text}]))
    op = text_op(frame, "为切实")
    lines = sorted({r.y for r in op.runs})
    assert len(lines) >= 4
    first = [r for r in op.runs if r.y == lines[0]]
    assert first[0].xs[0] == pytest.approx(op.box[0] + 2 * 40, abs=0.5)  # two-character indent
    # justified: every line but the last ends at the measure
    for y in lines[:-1]:
        assert max(r.end for r in op.runs if r.y == y) == pytest.approx(op.box[0] + op.box[2], abs=1.0)
    inner = [b for b in frame.breaks if op.box[1] < b < op.box[1] + op.box[3]]
    assert len(inner) == len(lines) - 1
    assert_text_inside_boxes(frame)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_heading_levels_get_smaller(level: int) -> None:
    frame = layout_document(doc_of([{"type": "heading", "text": "标题文字", "level": level}]))
    size = text_op(frame, "标题").runs[0].size
    assert size == {1: 56, 2: 48, 3: 42}[level]
    assert frame.marks[0].title == "标题文字"


# --------------------------------------------------------------------------- checklist, callout, quote
def test_checklist_marks_are_vector_shapes_and_items_atomic() -> None:
    items = ["政治素质好", {"text": "有“村霸”问题的人员" * 3, "checked": False}, "热心服务"]
    frame = layout_document(doc_of([{"type": "checklist", "title": "十不选", "items": items}]))
    assert not any(ch in op.text for op in texts(frame) for ch in "✓✗✔✘×√")
    discs = [op for op in frame.walk() if isinstance(op, Ellipse) and op.fill in ("#1E7B3A", "#C62828")]
    assert [d.fill for d in discs] == ["#1E7B3A", "#C62828", "#1E7B3A"]  # positive, negative, positive
    marks = [op for op in frame.walk() if isinstance(op, PathOp) and op.stroke == "#FFFFFF"]
    assert len(marks) == 1 + 2 + 1  # a tick is one stroke, a cross two
    rows = [b for b in frame.boxes if b.kind == "checklist-item"]
    assert len(rows) == 3
    for a, b in pairwise(rows):
        assert a.y + a.h == pytest.approx(b.y)
        assert any(b.y == pytest.approx(br) for br in frame.breaks)
    for disc, row in zip(discs, rows):
        assert row.y < disc.y and disc.y + disc.h < row.y + row.h
    assert_text_inside_boxes(frame)


@pytest.mark.parametrize("tone", ["info", "tip", "warning", "danger"])
def test_callout_tones(tone: str) -> None:
    frame = layout_document(doc_of([{"type": "callout", "tone": tone, "title": "提醒", "text": "注意事项。" * 12}]))
    box = next(b for b in frame.boxes if b.kind == "callout")
    stripe = next(op for op in frame.walk() if isinstance(op, Group)).ops[1]
    expected = {"info": "#B7181E", "tip": "#1E7B3A", "warning": "#F2C46D", "danger": "#C62828"}[tone]
    assert stripe.fill == expected
    body = text_op(frame, "注意")
    assert box.y < body.box[1] and body.box[1] + body.box[3] < box.y + box.h
    assert not [b for b in frame.breaks if box.y < b < box.y + box.h]  # atomic
    icon = [op for op in frame.walk() if isinstance(op, (PathOp, Ellipse)) and op.bbox()[0] < body.box[0]]
    assert icon, "a vector icon left of the text"


def test_quote_card_with_round_portrait() -> None:
    frame = layout_document(doc_of([{
        "type": "quote", "text": "我志愿加入中国共产党。" * 4, "author": "李明", "role": "村党支部书记",
        "image": str(PHOTOS / "g-portrait.jpg")}]))
    card = next(b for b in frame.boxes if b.kind == "quote")
    pic = next(op for op in frame.walk() if isinstance(op, Image))
    assert pic.w == pic.h and pic.radius == pytest.approx(pic.w / 2)  # round
    assert pic.image.size[0] == pic.image.size[1]  # cropped square, not squeezed
    for op in texts(frame):
        x, y, w, h = op.box
        assert card.x <= x and x + w <= card.x + card.w and card.y <= y and y + h <= card.y + card.h
    name = text_op(frame, "李明")
    assert name.box[0] > pic.x + pic.w
    assert_text_inside_boxes(frame)


# --------------------------------------------------------------------------- table
def test_column_widths_share_the_width_by_content() -> None:
    # everything fits: each column widened in proportion
    w = column_widths([50, 50], [100, 300], 800)
    assert sum(w) == pytest.approx(800) and w[1] == pytest.approx(3 * w[0])
    # narrow columns keep their max, the wide one takes the rest
    w = column_widths([100, 120, 100], [150, 2000, 260], 900)
    assert w[0] == 150 and w[2] == 260 and sum(w) == pytest.approx(900)
    # even the minimums do not fit: scaled down
    w = column_widths([400, 400], [900, 900], 600)
    assert w == [300, 300]


def test_table_rows_are_atomic_header_on_primary_zebra_rows() -> None:
    rows = [["8:00", "选民凭证进入会场，工作人员核对选民证，发放选票", "选举委员会"],
            ["8:30", "宣布选举办法", "主持人"], ["9:00", "投票", "监票人"]]
    frame = layout_document(doc_of([{"type": "table", "header": ["时间", "议程", "负责人"], "rows": rows}]))
    boxes = [b for b in frame.boxes if b.kind == "table-row"]
    assert [b.key for b in boxes] == ["header", "rows[0]", "rows[1]", "rows[2]"]
    # no break between the header and the first row; one before each later row
    inner = [b for b in frame.breaks if boxes[0].y < b < boxes[-1].y + boxes[-1].h]
    assert inner == pytest.approx([boxes[2].y, boxes[3].y])
    head = text_op(frame, "时间")
    assert head.background == "#B7181E" and head.runs[0].color == "#FFFFFF"
    fills = [text_op(frame, t).background for t in ("8:00", "8:30", "9:00")]
    assert fills == ["#FFFFFF", "#FBEDE4", "#FFFFFF"]
    # short columns do not wrap; the long one does
    assert len({r.y for r in text_op(frame, "选举委员会").runs}) == 1
    assert len({r.y for r in text_op(frame, "选民凭证").runs}) == 2
    for b in boxes:  # each cell's text stays inside its row
        for op in texts(frame):
            if b.y <= op.box[1] < b.y + b.h:
                assert op.box[1] + op.box[3] <= b.y + b.h + 0.01
    assert_text_inside_boxes(frame)


def test_short_cells_wrap_to_at_most_two_lines_while_a_long_cell_takes_the_room() -> None:
    """A name or a date beside a long reason: the short cells keep to two lines and the long
    column wraps instead (it gave 张大 / 湾村 / （社区） and 2027年 / 1月 / 5日 in three lines each,
    the width going to the reason column in proportion to its length)."""
    rows = [["马寨乡", "李庄村", "原书记因病辞职，新人选尚在考察中，需经乡党委会议研究后报区委组织部备案", "12月28日"],
            ["程集镇", "王", "无", "—"],
            ["马寨乡", "张大湾村（社区）", "信访", "2027年1月5日"]]
    frame = layout_document(doc_of([{"type": "table", "header": ["乡镇", "村（社区）", "滞后原因", "计划完成时间"],
                                     "rows": rows}]))

    def lines(start: str) -> int:
        return len({round(r.y, 3) for r in text_op(frame, start).runs})

    assert lines("张大湾村") <= 2 and lines("2027年") <= 2 and lines("计划完成") <= 2
    assert lines("马寨乡") == 1 and lines("李庄村") == 1
    assert lines("原书记") >= 4
    assert_text_inside_boxes(frame)


def test_body_cells_align_by_the_body_not_by_a_header_that_wraps() -> None:
    """Columns of one-line cells are centred whether or not their header wraps: 预算（万元） wrapping
    to two lines left-aligned the numbers under it (12.50, 8.00) while a column headed 单位 centred
    its own."""
    rows = [["选举用品印制", 12.5, 11.8, "万元"], ["宣传（含APP推送、WiFi热点广告、短视频制作等新媒体投放）", 6, 6, "万元"],
            ["误工补贴", 30, 28.75, "万元"]]
    frame = layout_document(doc_of([{"type": "table", "header": ["项目", "预算（万元）", "支出（万元）", "单位"],
                                     "rows": rows}]))
    head = text_op(frame, "预算")
    assert len({round(r.y, 3) for r in head.runs}) == 2  # the header wraps
    def ink_mid(op: Text) -> float:
        return (min(r.bbox()[0] for r in op.runs) + max(r.end for r in op.runs)) / 2

    col_mid = {op.text[:2]: op.box[0] + op.box[2] / 2 for op in texts(frame) if op.text.startswith(("预算", "支出", "单位"))}
    # each number sits centred under its header, as 万元 does under 单位
    for value, key in (("12.5", "预算"), ("30", "预算"), ("11.8", "支出"), ("28.75", "支出"), ("万元", "单位")):
        op = next(op for op in texts(frame) if op.text == value)
        assert ink_mid(op) == pytest.approx(col_mid[key], abs=1.0), value


def test_numbers_in_tables_print_as_written() -> None:
    frame = layout_document(doc_of([{"type": "table", "rows": [["完成率", 98.5], ["村数", 126], ["比例", 3.0]]}]))
    shown = {op.text for op in texts(frame)}
    assert {"98.5", "126", "3"} <= shown


# --------------------------------------------------------------------------- image
@pytest.mark.parametrize("fit", ["width", "cover", "contain"])
def test_image_fits(fit: str) -> None:
    frame = layout_document(doc_of([{"type": "image", "src": str(PHOTOS / "g-village.jpg"), "fit": fit, "caption": "说明"}]))
    pic = next(op for op in frame.walk() if isinstance(op, Image))
    box = next(b for b in frame.boxes if b.kind == "image")
    cw = 1080 - 2 * 56
    if fit == "width":
        assert (pic.w, pic.h) == pytest.approx((cw, cw * 600 / 960))
    elif fit == "cover":
        assert (pic.w, pic.h) == pytest.approx((cw, cw * 9 / 16))
        assert pic.image.size[0] / pic.image.size[1] == pytest.approx(16 / 9, rel=0.01)
    else:
        assert pic.h == pytest.approx(cw * 9 / 16) and pic.w / pic.h == pytest.approx(960 / 600)
    cap = text_op(frame, "说明")
    assert cap.box[1] > pic.y + pic.h and cap.box[1] + cap.box[3] <= box.y + box.h + 0.01
    assert pic.natural_size == (960, 600)


# --------------------------------------------------------------------------- qrcode
def _read_modules(img, x0: float, y0: float, module: float, n: int) -> list[list[bool]]:
    px = img.convert("L").load()
    return [[px[int(x0 + (c + 0.5) * module), int(y0 + (r + 0.5) * module)] < 128 for c in range(n)] for r in range(n)]


@pytest.mark.parametrize("width", [1080, 750])
def test_qrcode_paints_the_modules_segno_computed(width: int) -> None:
    data = "https://example.org/yingzhou/xuanju?id=2026"
    frame = layout_document(doc_of([{"type": "qrcode", "data": data, "caption": "长按识别"}], width=width))
    white = [op for op in frame.ops if isinstance(op, Rect) and op.fill == "#FFFFFF" and op.w == op.h]
    code = min(white, key=lambda r: r.w)  # the light square of modules + quiet zone
    expected = [[bool(v) for v in row] for row in segno.make(data, error="m", micro=False, boost_error=False).matrix]
    n = len(expected)
    module = code.w / (n + 2 * QUIET_ZONE)
    assert module == int(module) and code.x == int(code.x) and code.y == int(code.y)  # whole px: no seams
    img = paint(frame)
    got = _read_modules(img, code.x + QUIET_ZONE * module, code.y + QUIET_ZONE * module, module, n)
    assert got == expected
    # the quiet zone is light
    assert not any(_read_modules(img, code.x, code.y, module, 1)[0])
    assert text_op(frame, "长按识别").box[1] > code.y + code.h


def test_qrcode_with_too_much_data_is_a_located_error(tmp_path: Path) -> None:
    spec = tmp_path / "qr.yaml"
    spec.write_text("title: t\nblocks:\n  - type: paragraph\n    text: 好\n  - type: qrcode\n    data: " + "码" * 1000 + "\n",
                    encoding="utf-8")
    with pytest.raises(SpecError) as err:
        layout_document(tushuo.load(spec))
    assert str(err.value).startswith(f"{spec}:6:")
    assert "blocks[1].data: too much data for a QR code (3000 bytes" in str(err.value)


# --------------------------------------------------------------------------- divider, spacer, banner, footer
def test_divider_styles_and_spacer_scale_with_width() -> None:
    for style in ("line", "dots", "ornament"):
        frame = layout_document(doc_of([{"type": "divider", "style": style}]))
        assert any(isinstance(op, (Rect, Ellipse, PathOp)) for op in frame.ops)
    a = layout_document(doc_of([{"type": "spacer", "height": 300}]))
    b = layout_document(doc_of([{"type": "spacer", "height": 300}], width=540))
    assert a.height - b.height * 2 == pytest.approx(0, abs=1.0)
    assert a.height == pytest.approx(300 + 2 * 56)


def test_banner_full_bleed_at_top_and_a_card_inside_a_section() -> None:
    banner = {"type": "banner", "title": "村（社区）“两委”换届选举掌上手册", "subtitle": "图说换届", "badge": "第3期"}
    frame = layout_document(doc_of([banner, {"type": "section", "title": "卷首", "blocks": [banner]}]))
    top, inner = [b for b in frame.boxes if b.kind == "banner"]
    assert (top.x, top.y, top.w) == (0, 0, 1080)
    assert inner.x == 56 and inner.w == 1080 - 112
    title = text_op(frame, "村（社区）")
    assert title.runs[0].face == "serif" and title.runs[0].size == 88
    assert title.runs[0].color == "#FFFFFF" and title.background == "#B7181E"
    clips = [op for op in frame.ops if isinstance(op, Group)]
    assert clips[0].radius == 0 and clips[1].radius > 0  # square edge to edge, rounded as a card
    assert "第3期" in {op.text for op in texts(frame)}
    assert_text_inside_boxes(frame)


def test_footer_strip_with_qr_note_and_text() -> None:
    frame = layout_document(doc_of([{"type": "paragraph", "text": "正文"}],
                                   footer={"text": "颍州区委组织部 出品", "note": "长按识别二维码关注", "qrcode": "https://example.org/f"}))
    strip = next(op for op in frame.ops if isinstance(op, Rect) and op.gradient)
    assert strip.x == 0 and strip.w == 1080 and strip.y + strip.h == pytest.approx(frame.height)
    note, made = text_op(frame, "长按"), text_op(frame, "颍州")
    qr = next(b for b in frame.boxes if b.kind == "qrcode")
    assert qr.y + qr.h < note.box[1] < made.box[1]
    assert made.runs[0].color == "#FFFFFF"


@pytest.mark.parametrize("spec", ["basics.yaml", "basics-gov-blue.yaml"])
@pytest.mark.parametrize("width", [320, 540, 750, 1080, 2160])
def test_examples_hold_together_at_any_width(spec: str, width: int) -> None:
    doc = tushuo.load(EXAMPLES / spec)
    frame = layout_document(doc, width=width)
    assert_text_inside_boxes(frame)
    assert not [op.text for op in texts(frame) if op.overflow]
    for b in frame.breaks:  # safe breaks never fall inside an atomic item
        assert not [x for x in frame.boxes if x.y + 0.01 < b < x.y + x.h - 0.01], b
    # boxes never overlap one another unless one holds the other (a row inside its table)
    boxes = frame.boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = a.x < b.x + b.w - 0.01 and b.x < a.x + a.w - 0.01 and a.y < b.y + b.h - 0.01 and b.y < a.y + a.h - 0.01
            assert not overlap, (a, b)


def test_balanced_wrapping_evens_lines_and_keeps_quoted_terms_whole() -> None:
    from tushuo.inputs import make_context
    from tushuo.layout.common import balanced

    for theme in ("party-red", "fresh-green"):
        ctx = make_context(doc_of([{"type": "paragraph", "text": "x"}]), theme=theme)
        title = balanced(ctx, "村（社区）“两委”换届工作提示", 968, "title", align="center")
        assert [ln.text for ln in title.lines] == ["村（社区）“两委”", "换届工作提示"]
        cell = balanced(ctx, "清河路88号便民服务中心一楼", 452, "body", align="left")
        a, b = (ln.width for ln in cell.lines)
        assert len(cell.lines) == 2 and abs(a - b) <= 2 * 40  # no one-character orphan
        one = balanced(ctx, "短标题", 968, "title")
        assert len(one.lines) == 1
