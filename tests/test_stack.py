"""The document stack: margins, full-bleed banner, gaps and breaks, marks, footer, errors, limits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import tushuo
from tushuo.errors import SpecError
from tushuo.inputs import MAX_HEIGHT, layout_document
from tushuo.layout.frame import Glyphs, Text

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FONTS = Path(__file__).resolve().parent.parent / "fonts"


def glyph_runs(frame) -> list[Glyphs]:
    """Every glyph run of every Text op, groups included."""
    return [r for op in frame.walk() if isinstance(op, Text) for r in op.runs]


def doc_of(blocks: list, **top) -> tushuo.Document:
    return tushuo.load({"title": "测试", "blocks": blocks, **top})


BLOCKS = [
    {"type": "banner", "title": "图说组工", "subtitle": "第1期", "badge": "第1期"},
    {"type": "heading", "text": "工作要求", "number": True},
    {"type": "paragraph", "text": "各乡镇（街道）党（工）委要逐村分析班子运行情况，建立“一村一档”。" * 3},
    {"type": "section", "title": "准备", "blocks": [
        {"type": "heading", "text": "摸清底数", "level": 2, "number": True},
        {"type": "paragraph", "text": "摸清底数，做到心中有数。"},
    ]},
    {"type": "divider", "style": "line"},
    {"type": "callout", "text": "注意事项。", "tone": "tip"},
]


def test_blocks_stack_top_to_bottom_inside_margins_banner_full_bleed() -> None:
    doc = doc_of(BLOCKS, footer={"text": "颍州区委组织部 出品"})
    frame = layout_document(doc)
    assert frame.width == 1080
    assert frame.background == "#FFF8F0"  # party-red, the default theme
    banner = next(b for b in frame.boxes if b.kind == "banner")
    assert (banner.x, banner.y, banner.w) == (0, 0, 1080)
    margin = 56
    for op in frame.ops:
        if isinstance(op, Text):
            x, y, w, _ = op.box
            if y > banner.h:  # everything under the banner sits between the margins
                assert x >= margin - 0.01 or op.background != frame.background
                assert x + w <= 1080 - margin + 0.01 or op.background != frame.background
    # the footer is the last thing on the page and spans the width
    foot = [op for op in frame.ops if isinstance(op, Text) and "出品" in op.text]
    assert foot and foot[0].box[1] > max(b.y + b.h for b in frame.boxes if b.kind == "callout")
    assert frame.height > foot[0].box[1] + foot[0].box[3]


def test_breaks_sit_between_blocks_never_inside_boxes_nor_after_a_heading() -> None:
    doc = doc_of(BLOCKS)
    frame = layout_document(doc)
    assert frame.breaks == sorted(frame.breaks)
    assert all(0 < b < frame.height for b in frame.breaks)
    for b in frame.breaks:
        for box in frame.boxes:
            assert not (box.y + 0.01 < b < box.y + box.h - 0.01), (b, box)
    # the level-1 heading is kept with the paragraph under it
    heading = next(op for op in frame.ops if isinstance(op, Text) and "工作要求" in op.text)
    para = next(op for op in frame.ops if isinstance(op, Text) and op.text.startswith("各乡镇"))
    hy1 = heading.box[1] + heading.box[3]
    assert not [b for b in frame.breaks if hy1 < b < para.box[1]]
    # the paragraph has breaks between its lines
    py0, py1 = para.box[1], para.box[1] + para.box[3]
    assert len([b for b in frame.breaks if py0 < b < py1]) == len({g.y for g in para.runs}) - 1


def test_text_lines_never_cut_by_a_break() -> None:
    doc = tushuo.load(EXAMPLES / "basics.yaml")
    frame = layout_document(doc)
    runs = glyph_runs(frame)
    assert len(runs) > 50
    for op in runs:
        if op.text.strip():
            top, bottom = op.y - op.ascent * op.size, op.y + op.descent * op.size
            assert not [b for b in frame.breaks if top + 0.5 < b < bottom - 0.5], op.text


def test_marks_for_sections_and_headings_with_outline_levels() -> None:
    frame = layout_document(doc_of(BLOCKS))
    marks = [(m.title, m.level) for m in frame.marks]
    assert marks == [("一、工作要求", 1), ("二、准备", 1), ("（一）摸清底数", 2)]
    ys = [m.y for m in frame.marks]
    assert ys == sorted(ys)


def test_width_750_gives_the_same_picture_scaled() -> None:
    doc = tushuo.load(EXAMPLES / "basics.yaml")
    big = layout_document(doc)
    small = layout_document(doc, width=750)
    assert small.width == 750
    assert small.height == pytest.approx(big.height * 750 / 1080, rel=0.01)
    def lines(f):
        return [op.text for op in glyph_runs(f)]

    assert len(lines(big)) > 50
    assert lines(small) == lines(big)


def test_theme_override_and_unknown_theme_names_the_choices(tmp_path: Path) -> None:
    doc = doc_of(BLOCKS[:2])
    assert layout_document(doc, theme="gov-blue").background == "#F3F7FC"
    with pytest.raises(SpecError) as err:
        layout_document(doc, theme="navy")
    assert "unknown theme 'navy'" in str(err.value)
    for name in ("party-red", "gov-blue", "fresh-green", "ink"):
        assert name in str(err.value)
    spec = tmp_path / "s.yaml"
    spec.write_text("title: t\ntheme: purple-rain\nblocks:\n  - {type: paragraph, text: 你好}\n", encoding="utf-8")
    with pytest.raises(SpecError) as err:
        layout_document(tushuo.load(spec))
    assert str(err.value).startswith(f"{spec}:2:")
    assert "theme: unknown theme 'purple-rain'" in str(err.value)


def test_layout_errors_are_located_in_nested_sections(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "title: t\nblocks:\n  - type: section\n    title: 一\n    blocks:\n"
        "      - {type: paragraph, text: 好}\n      - {type: qrcode, data: '" + "x" * 3000 + "'}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as err:
        layout_document(tushuo.load(spec))
    msg = str(err.value)
    assert msg.startswith(f"{spec}:7:")
    assert "blocks[0].blocks[1].data: too much data for a QR code" in msg


def test_missing_glyph_is_a_located_error_unless_allowed() -> None:
    doc = doc_of([{"type": "paragraph", "text": "你好"}, {"type": "paragraph", "text": "表情\U0001F600"}])
    with pytest.raises(SpecError) as err:
        layout_document(doc)
    assert "blocks[1]" in str(err.value) and "U+1F600" in str(err.value)
    frame = layout_document(doc, allow_missing_glyphs=True)
    assert frame.height > 0


def test_documents_taller_than_the_limit_are_refused() -> None:
    blocks = [{"type": "spacer", "height": 2000}] * 520  # 1,040,000 px of spacers at 1080
    with pytest.raises(SpecError) as err:
        layout_document(doc_of(blocks))
    assert f"{MAX_HEIGHT:,}" in str(err.value)
    assert "split it into several documents" in str(err.value)
    assert str(err.value).startswith("blocks[")


def test_a_theme_may_bring_its_own_font_files(tmp_path: Path) -> None:
    shutil.copy(FONTS / "NotoSansSC-Regular.ttf", tmp_path / "my-body.ttf")
    (tmp_path / "mine.yaml").write_text(
        "name: mine\nfont_files: {mybody: my-body.ttf}\nfonts: {body: mybody}\n", encoding="utf-8"
    )
    spec = tmp_path / "s.yaml"
    spec.write_text("title: t\ntheme: mine.yaml\nblocks:\n  - {type: paragraph, text: 你好世界}\n", encoding="utf-8")
    frame = layout_document(tushuo.load(spec))
    faces = {op.face for op in glyph_runs(frame)}
    assert faces == {"mybody"}
    assert frame.fonts.path("mybody") == tmp_path / "my-body.ttf"

    (tmp_path / "bad.yaml").write_text("font_files: {x: nothere.ttf}\nfonts: {body: x}\n", encoding="utf-8")
    spec.write_text("title: t\ntheme: bad.yaml\nblocks:\n  - {type: paragraph, text: 你好}\n", encoding="utf-8")
    with pytest.raises(SpecError) as err:
        layout_document(tushuo.load(spec))
    assert "bad.yaml:1:17: font_files.x: file not found: nothere.ttf" in str(err.value)


def test_a_reused_context_numbers_from_one_again_and_headings_are_never_split() -> None:
    from tushuo.inputs import make_context

    long_heading = {"type": "heading", "text": "关于做好村（社区）“两委”换届选举工作中候选人资格联审的若干意见", "number": True}
    doc = doc_of([long_heading, {"type": "paragraph", "text": "正文。"}])
    ctx = make_context(doc, width=540)
    first = layout_document(doc, ctx=ctx)
    second = layout_document(doc, ctx=ctx)
    assert first.marks[0].title.startswith("一、") and second.marks[0].title.startswith("一、")
    heading = next(b for b in first.boxes if b.kind == "heading")
    title = next(op for op in first.ops if isinstance(op, Text) and op.text.startswith("一、"))
    assert len({r.y for r in title.runs}) >= 2  # it wraps at 540 px
    assert not [b for b in first.breaks if heading.y < b < heading.y + heading.h]


def test_layout_is_a_pure_function_of_document_width_theme_and_fonts() -> None:
    """The election handbook laid out twice from the same inputs gives equal frames (#20)."""
    from tushuo.inputs import make_context
    from tushuo.layout.stack import layout_document as lay_out

    doc = tushuo.load(Path(__file__).parent.parent / "examples" / "election-handbook.yaml")
    first = lay_out(doc, make_context(doc))
    second = lay_out(doc, make_context(doc))
    assert first is not second and first.ops is not second.ops
    assert len(first.ops) > 100 and first == second
    narrow = lay_out(doc, make_context(doc, width=750))
    assert narrow != first and narrow == lay_out(doc, make_context(doc, width=750))
    assert lay_out(doc, make_context(doc, theme="gov-blue")) != first  # the theme is an input too
