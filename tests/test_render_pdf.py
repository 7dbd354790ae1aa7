"""The PDF painter: pages, fonts, text, outline, determinism, page sizes, charts.

Frames are built by hand here (with the real text engine), so these tests pin the
painter and the pagination, not any block layout.
"""

from __future__ import annotations

import io
import re

import pytest

pypdf = pytest.importorskip("pypdf")
pdfplumber = pytest.importorskip("pdfplumber")

from tushuo.errors import RenderError, SpecError
from tushuo.layout.context import LayoutContext
from tushuo.layout.frame import Box, Frame, Line, Mark, Path, Rect, Text
from tushuo.layout.pages import MM, parse_page_size, plan_pages
from tushuo.pipeline import render_pdf, write_pdf
from tushuo.spec.document import Document
from tushuo.spec.theme import Theme
from tushuo.text.fonts import default_fontbook

PARA = (
    "为切实做好村（社区）“两委”换届工作，区委组织部召开专题会议，对**选举程序**、候选人资格审查、"
    "投票计票等环节逐项进行部署，确保换届工作==依法依规==进行。各乡镇（街道）党（工）委要高度重视，"
    "精心组织，确保2026年换届选举平稳有序，完成率达98.5%。"
)
STEPS = ["成立村民选举委员会", "选民登记", "提名推荐候选人", "酝酿确定正式候选人", "召开选举大会", "公开唱票、计票"]


def ctx() -> LayoutContext:
    return LayoutContext(Theme(), default_fontbook(), 1080)


def manual_frame(sections: int = 3, paras: int = 3, *, banner: bool = False) -> Frame:
    """A long frame like a handbook's: headings (marks), paragraphs (line breaks), step boxes."""
    c = ctx()
    f = Frame(1080, 0, background="#FFF8F0")
    y = 0.0
    if banner:
        f.add(Rect(0, 0, 1080, 520, gradient=("#B7181E", "#8E0F14")))
        f.add(c.text("横幅大标题", 968, "title", color="#FFFFFF").op(56, 180))
        f.boxes.append(Box(0, 0, 1080, 520, "banner"))
        y = 520.0
        f.breaks.append(y + 28)
    y += 56
    for s in range(sections):
        title = f"第{s + 1}章 换届选举工作要点"
        tb = c.text(title, 968, "h1")
        f.marks.append(Mark(y, title, 1))
        f.add(tb.op(56, y))
        y += tb.height + 40
        for p in range(paras):
            if p == 1:
                sub = f"第{s + 1}章 小结{p}"
                tb = c.text(sub, 968, "h2")
                f.marks.append(Mark(y, sub, 2))
                f.add(tb.op(56, y))
                y += tb.height + 24
            tb = c.text(PARA, 968, "body", indent=True, align="justify")
            f.add(tb.op(56, y))
            f.breaks.extend(y + b for b in tb.line_breaks())
            y += tb.height
            f.breaks.append(y + 28)
            y += 56
        for i, step in enumerate(STEPS):
            f.add(Rect(56, y, 968, 150, fill="#FFFFFF", stroke="#EBCFC2", stroke_width=2, radius=20))
            f.boxes.append(Box(56, y, 968, 150, "step", f"s{i}"))
            f.add(c.text(f"{i + 1}. {step}", 860, "body").op(96, y + 43))
            if i + 1 < len(STEPS):
                f.add(Line(((540, y + 150), (540, y + 200)), "#B7181E", 4, arrow_end=True))
                f.breaks.append(y + 175)
            y += 200
        f.breaks.append(y)
        y += 40
    f.height = y + 56
    return f


def frame_text(frame: Frame) -> str:
    texts = sorted((op for op in frame.walk() if isinstance(op, Text)), key=lambda t: t.box[1])
    return re.sub(r"\s", "", "".join(t.text for t in texts))


def doc_for(frame_title: str = "村（社区）“两委”换届选举掌上手册", **kw) -> Document:
    blocks = kw.pop("blocks", [{"type": "paragraph", "text": "正文"}])
    return Document(title=frame_title, subtitle="图说换届 · 第1期",
                    meta={"author": "颍州区委组织部", "date": "2026-11-26", "issue": 3}, blocks=blocks, **kw)


@pytest.fixture(scope="module")
def manual():
    frame = manual_frame()
    doc = doc_for()
    data = render_pdf(frame, doc)
    return frame, doc, data


def body_bands(frame: Frame, doc: Document | None, data: bytes):
    """(page index, top pt, bottom pt) of the body band of every body page, from the plan."""
    plan = plan_pages(frame, doc, parse_page_size(None), unit=frame.width / 1080)
    n = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    first = n - len(plan.cuts)
    out = []
    for i, cut in enumerate(plan.cuts):
        top = plan.margin_top * plan.scale
        out.append((first + i, top, top + cut.height * plan.scale))
    return plan, out


# ----------------------------------------------------------------------------- pages
def test_pocket_pages_count_and_size(manual):
    frame, doc, data = manual
    reader = pypdf.PdfReader(io.BytesIO(data))
    plan, _ = body_bands(frame, doc, data)
    assert len(plan.cuts) >= 3
    # cover + one contents page + the body pages
    assert len(reader.pages) == 1 + 1 + len(plan.cuts)
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert w == pytest.approx(255.1, abs=0.05) and h == pytest.approx(453.5, abs=0.05)


def test_cuts_only_at_safe_breaks_and_fit_the_band(manual):
    frame, doc, _ = manual
    plan = plan_pages(frame, doc, parse_page_size("pocket"))
    breaks = set(frame.sorted_breaks())
    for cut in plan.cuts[:-1]:
        assert not cut.forced
        assert round(cut.bottom, 3) in breaks
        assert cut.height <= plan.band + 1e-6
    for box in frame.boxes:  # no step box is cut
        assert not any(box.y < cut.bottom < box.y + box.h for cut in plan.cuts)


def test_every_font_is_an_embedded_subset(manual):
    _, _, data = manual
    reader = pypdf.PdfReader(io.BytesIO(data))
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            name = str(font["/BaseFont"])
            seen.add(name)
            assert re.match(r"^/[A-Z]{6}\+", name), name
            desc = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in desc, f"{name} is not embedded"
    assert any("NotoSansSC-Regular" in n for n in seen)
    assert any("NotoSerifSC-Black" in n for n in seen)  # the cover title face


def test_text_extracts_in_order_without_loss(manual):
    frame, doc, data = manual
    _, bands = body_bands(frame, doc, data)
    pdf = pdfplumber.open(io.BytesIO(data))
    got = []
    for index, top, bottom in bands:
        page = pdf.pages[index]
        got.append(page.crop((0, top - 0.5, page.width, bottom + 0.5)).extract_text() or "")
    assert re.sub(r"\s", "", "".join(got)) == frame_text(frame)


def test_no_line_of_text_crosses_a_page_edge(manual):
    frame, doc, data = manual
    _, bands = body_bands(frame, doc, data)
    pdf = pdfplumber.open(io.BytesIO(data))
    in_band = 0
    for index, top, bottom in bands:
        for ch in pdf.pages[index].chars:
            inside = ch["top"] >= top - 0.5 and ch["bottom"] <= bottom + 0.5
            outside = ch["bottom"] <= top + 0.5 or ch["top"] >= bottom - 0.5  # header / footer
            assert inside or outside, f"{ch['text']!r} on page {index + 1} straddles the band edge"
            in_band += inside and not ch["text"].isspace()
    assert in_band == len(frame_text(frame))


def test_glyphs_sit_at_the_frames_x_positions(manual):
    frame, doc, data = manual
    plan, bands = body_bands(frame, doc, data)
    para = next(op for op in frame.ops if isinstance(op, Text) and op.text.startswith("为切实"))
    first_line = [r for r in para.runs if r.y == para.runs[0].y]
    want = [x * plan.scale for r in first_line for x in r.xs]
    page = pdfplumber.open(io.BytesIO(data)).pages[bands[0][0]]
    chars = [c for c in page.chars if c["text"] == "为"]
    row = [c for c in page.chars if abs(c["top"] - chars[0]["top"]) < 0.1]
    got = [c["x0"] for c in sorted(row, key=lambda c: c["x0"])]
    assert got == pytest.approx(want, abs=0.02)


def test_outline_and_contents_match_the_marks(manual):
    frame, doc, data = manual
    reader = pypdf.PdfReader(io.BytesIO(data))
    plan = plan_pages(frame, doc, parse_page_size(None))
    first_body = len(reader.pages) - len(plan.cuts)

    def flat(items, depth=0):
        for it in items:
            if isinstance(it, list):
                yield from flat(it, depth + 1)
            else:
                yield it, depth

    got = [(it.title, depth, reader.get_destination_page_number(it)) for it, depth in flat(reader.outline)]
    want = []
    tops = [c.top for c in plan.cuts]
    for m in sorted(frame.marks, key=lambda m: m.y):
        page = first_body + max(i for i, t in enumerate(tops) if t <= m.y + 1e-6)
        want.append((m.title, m.level - 1, page))
    assert got == want
    # the contents page prints the same page numbers (1-based)
    toc = pdfplumber.open(io.BytesIO(data)).pages[1].extract_text()
    assert "目" in toc and "录" in toc
    for title, depth, page in want:
        line = next(ln for ln in toc.splitlines() if ln.startswith(title))
        assert line.split()[-1] == str(page + 1), line


def test_metadata(manual):
    _, _, data = manual
    info = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert info.title == "村（社区）“两委”换届选举掌上手册"
    assert info.author == "颍州区委组织部"
    assert info.subject == "图说换届 · 第1期"
    assert info["/CreationDate"].startswith("D:20261126")


def test_two_renders_are_byte_identical(manual):
    frame, doc, data = manual
    assert render_pdf(frame, doc) == data


# ----------------------------------------------------------------------------- page sizes
@pytest.mark.parametrize(
    ("value", "size_mm"),
    [(None, (90, 160)), ("pocket", (90, 160)), ("A6", (105, 148)), ("a5", (148, 210)), ("A4", (210, 297)),
     ("100x180", (100, 180)), ("100 x 180 mm", (100, 180)), ("120×200", (120, 200))],
)
def test_page_sizes(value, size_mm):
    p = parse_page_size(value)
    assert (p.width, p.height) == pytest.approx((size_mm[0] * MM, size_mm[1] * MM))


@pytest.mark.parametrize(("value", "words"), [("B5", "unknown page size 'B5'"), ("10x10", "out of range"),
                                               ("100x", "unknown page size")])
def test_bad_page_size_is_a_spec_error(value, words):
    with pytest.raises(SpecError) as err:
        parse_page_size(value)
    assert words in str(err.value)
    assert "pocket, A6, A5, A4" in str(err.value)


def test_page_size_from_the_spec_and_its_error_location(tmp_path):
    frame = manual_frame(1, 1)
    doc = doc_for(output={"page_size": "A5"})
    out = write_pdf(frame, doc, tmp_path / "a5.pdf")
    page = pypdf.PdfReader(out[0]).pages[0]
    assert float(page.mediabox.width) == pytest.approx(148 * MM)
    bad = doc_for(output={"page_size": "letter"})
    with pytest.raises(SpecError) as err:
        write_pdf(frame, bad, tmp_path / "bad.pdf")
    assert err.value.path == "output.page_size"
    assert list(tmp_path.iterdir()) == [tmp_path / "a5.pdf"]
    # the option overrides the spec
    out = write_pdf(frame, bad, tmp_path / "opt.pdf", page_size="100x180")
    assert float(pypdf.PdfReader(out[0]).pages[0].mediabox.height) == pytest.approx(180 * MM)


# ----------------------------------------------------------------------------- special cases
def test_forced_cuts_fall_between_lines():
    """A paragraph with no safe breaks, taller than a page, is cut between its lines, never through one."""
    c = ctx()
    tb = c.text(PARA * 12, 968, "body")
    f = Frame(1080, tb.height + 112)
    f.add(tb.op(56, 56))
    data = render_pdf(f, None)
    plan = plan_pages(f, None, parse_page_size(None))
    assert any(cut.forced for cut in plan.cuts)
    op = tb.op(56, 56)
    glyph_boxes = [(r.bbox()[1], r.bbox()[1] + r.bbox()[3]) for r in op.runs]
    for cut in plan.cuts[:-1]:
        assert not any(a < cut.bottom < b for a, b in glyph_boxes), cut
        assert cut.height > plan.band / 2
    pdf = pdfplumber.open(io.BytesIO(data))
    text = "".join(re.sub(r"\s", "", p.crop((0, 20, p.width, p.height - 20)).extract_text() or "")
                   for p in pdf.pages)
    assert text == re.sub(r"\s", "", tb.op(0, 0).text)


def test_cover_replaces_a_leading_banner():
    frame = manual_frame(1, 1, banner=True)
    doc = doc_for(blocks=[{"type": "banner", "title": "横幅大标题", "badge": "第9期"}, {"type": "paragraph", "text": "x"}])
    data = render_pdf(frame, doc)
    pdf = pdfplumber.open(io.BytesIO(data))
    cover = re.sub(r"\s", "", pdf.pages[0].extract_text())
    assert "横幅大标题" in cover and "第9期" in cover and "2026年11月26日" in cover
    body = "".join(p.extract_text() or "" for p in pdf.pages[1:])
    assert "横幅大标题" not in body
    plan = plan_pages(frame, doc, parse_page_size(None))
    assert plan.body_top == pytest.approx(548)


def test_no_document_no_cover_no_contents():
    frame = manual_frame(1, 1)
    frame.marks.clear()
    data = render_pdf(frame, None)
    plan = plan_pages(frame, None, parse_page_size(None))
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == len(plan.cuts)


def test_failed_write_leaves_nothing(tmp_path):
    f = Frame(1080, 400)
    f.add(Path((("M", 0, 0), ("X", 1, 1)), fill="#000000"))
    with pytest.raises(RenderError):
        write_pdf(f, None, tmp_path / "out.pdf")
    assert list(tmp_path.iterdir()) == []


def _xobjects(page):
    res = page["/Resources"].get_object()
    return {k: v.get_object() for k, v in res.get("/XObject", {}).items()}


def test_real_chart_is_drawn_from_its_frame_with_the_page_fonts():
    """A chart block in a PDF: drawn from its plan's ops like the rest of the page, so its text
    is searchable in the document's own embedded fonts (no Type 3 copies per chart) and
    matplotlib is never imported for it (about 1 s a process)."""
    import subprocess
    import sys
    import textwrap
    from pathlib import Path as FilePath

    code = textwrap.dedent("""
        import io, sys
        import tushuo
        from tushuo.inputs import layout_document, make_context
        from tushuo.pipeline import render_pdf
        doc = tushuo.Document.model_validate({"title": "t", "blocks": [
            {"type": "chart", "kind": "bar", "title": "各乡镇完成率", "unit": "%",
             "labels": ["鼓楼街道", "西湖镇"], "series": [{"name": "完成率", "values": [96.4, 88]}]},
            {"type": "chart", "kind": "donut", "labels": ["村", "社区"], "series": [{"values": [3, 1]}]}]})
        ctx = make_context(doc)
        data = render_pdf(layout_document(doc, ctx=ctx), doc)
        assert "matplotlib" not in sys.modules, "a PDF chart imported matplotlib"
        sys.stdout.buffer.write(data)
    """)
    out = subprocess.run([sys.executable, "-c", code], check=False, cwd=FilePath(__file__).resolve().parent.parent,
                         capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    data = out.stdout
    reader = pypdf.PdfReader(io.BytesIO(data))
    subtypes = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        subtypes |= {str(f.get_object()["/Subtype"]) for f in fonts.values()}
        assert not _xobjects(page), "the chart is drawn on the page, not placed as a form or picture"
    assert subtypes and "/Type3" not in subtypes
    text = re.sub(r"\s", "", "".join(p.extract_text() or "" for p in pdfplumber.open(io.BytesIO(data)).pages))
    for word in ("鼓楼街道", "西湖镇", "96.4", "88", "社区"):
        assert word in text


# ----------------------------------------------------------------------------- with the real layouts
def _pipeline_doc() -> Document:
    steps = [{"id": f"s{i}", "title": f"第{i + 1}步 召开村民代表会议", "desc": "由村党组织提议，村“两委”会议商议，党员大会审议，村民代表会议决议。"}
             for i in range(14)]
    return Document(
        title="村（社区）“两委”换届选举掌上手册",
        meta={"author": "颍州区委组织部", "date": "2026-11-26"},
        blocks=[
            {"type": "banner", "title": "换届选举掌上手册", "subtitle": "图说换届 · 第1期", "badge": "第1期"},
            {"type": "paragraph", "text": PARA},
            {"type": "section", "title": "选举程序", "blocks": [{"type": "steps", "title": "换届选举流程图", "layout": "vertical", "items": steps}]},
            {"type": "heading", "text": "换届纪律", "level": 1},
            {"type": "paragraph", "text": PARA * 2},
        ],
        footer={"text": "颍州区委组织部 出品", "note": "长按识别二维码关注"},
    )


def test_real_layout_flowchart_splits_between_steps_and_footer_stays_whole():
    stack = pytest.importorskip("tushuo.inputs")
    doc = _pipeline_doc()
    frame = stack.layout_document(doc)
    data = render_pdf(frame, doc)
    plan = plan_pages(frame, doc, parse_page_size(None))
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 + 1 + plan.body_pages
    assert plan.footer is not None and plan.body_top > 0
    steps = [b for b in frame.boxes if b.y > plan.body_top and b.h > 100]
    assert len(steps) >= 14
    for cut in plan.cuts:  # the flowchart is cut between steps, never through one
        assert not any(b.y + 0.5 < cut.bottom < b.y + b.h - 0.5 for b in frame.boxes), cut
    pdf = pdfplumber.open(io.BytesIO(data))
    pages = [re.sub(r"\s", "", p.extract_text() or "") for p in pdf.pages]
    assert "换届选举掌上手册" in pages[0]
    assert not any("图说换届·第1期" in p for p in pages[2:])  # the banner became the cover
    footer_pages = [i for i, p in enumerate(pages) if "长按识别二维码关注" in p]
    assert footer_pages == [len(pages) - 1] and "颍州区委组织部出品" in pages[-1]
    # every body text op is in the PDF; full-width texts (paragraphs, step titles) in reading order
    top, bottom = plan.margin_top * plan.scale, (plan.margin_top + plan.band) * plan.scale
    body = "".join(re.sub(r"\s", "", p.crop((0, top - 0.5, p.width, bottom + 0.5)).extract_text() or "")
                   for p in pdf.pages[2:])
    # (the closing strip, checked above, may stand on a back cover of its own, below the body band)
    texts = [o for o in frame.walk() if isinstance(o, Text) and plan.body_top <= o.box[1] < plan.footer[0]]
    for op in texts:
        assert re.sub(r"\s", "", op.text) in body
    pos = 0
    for op in sorted((o for o in texts if o.box[2] > frame.width / 2), key=lambda o: o.box[1]):
        found = body.find(re.sub(r"\s", "", op.text), pos)
        assert found >= pos, op.text
        pos = found


@pytest.mark.parametrize("name", ["NotoSansSymbols2-Regular", "NotoSansSC-Regular"])
def test_fast_font_loader_agrees_with_reportlab(name):
    """The bulk table reader fills exactly what reportlab's own parser does."""
    from reportlab.pdfbase.ttfonts import TTFont

    from tushuo.paint.ttface import load_ttfont
    from tushuo.resources import fonts_dir

    path = str(fonts_dir() / f"{name}.ttf")
    ref, fast = TTFont("ref", path).face, load_ttfont("fast", path).face
    for attr in ("charToGlyph", "glyphToChar", "charWidths", "defaultWidth", "hmetrics", "glyphPos",
                 "numGlyphs", "name", "ascent", "descent", "bbox", "flags"):
        assert getattr(fast, attr) == getattr(ref, attr), attr
    assert len(fast.charToGlyph) > (20_000 if "SC" in name else 1_000)


def test_long_contents_run_over_pages_and_still_point_right():
    frame = manual_frame(sections=16, paras=2)
    doc = doc_for()
    data = render_pdf(frame, doc)
    reader = pypdf.PdfReader(io.BytesIO(data))
    plan = plan_pages(frame, doc, parse_page_size(None))
    toc_count = len(reader.pages) - 1 - len(plan.cuts)
    assert toc_count == 2  # 32 entries do not fit one pocket page
    pdf = pdfplumber.open(io.BytesIO(data))
    lines = [ln for p in pdf.pages[1:1 + toc_count] for ln in p.extract_text().splitlines() if ln.startswith("第")]
    assert len(lines) == len(frame.marks)
    outline = [it for it in reader.outline if not isinstance(it, list)]
    children = [it for sub in reader.outline if isinstance(sub, list) for it in sub]
    dests = {it.title: reader.get_destination_page_number(it) + 1 for it in outline + children}
    for ln in lines:
        title, number = ln.rsplit(" ", 1)
        assert dests[title] == int(number), ln
    # the contents link each row to its page
    links = [a.get_object() for a in reader.pages[1].get("/Annots", [])]
    assert len(links) == len(pdf.pages[1].extract_text().splitlines()) - 1  # every row but the title


def test_forced_cuts_dodge_lines_then_boxes():
    from tushuo.layout.paginate import plan_cuts

    boxes = [(0, 300), (350, 700), (750, 1100), (1150, 1500)]
    # no breaks at all: the cut moves up to a box's top (at least half a page down)
    cuts = plan_cuts([], 2000, 1000, boxes=boxes)
    assert [c.bottom for c in cuts[:-1]] == [750, 1750] and all(c.forced for c in cuts[:-1])
    # staggered boxes leave no clean y: the cut then only keeps clear of text lines
    stagger = [(0, 600), (400, 1000), (800, 1400)]
    lines = [(930, 960), (975, 1005), (1015, 1045)]
    cuts = plan_cuts([], 2000, 1000, boxes=stagger, avoid=lines)
    assert cuts[0].bottom == 975
    # nothing to dodge within the lower half: cut at the page height
    assert plan_cuts([], 2000, 1000, boxes=[(100, 1900)])[0].bottom == 1000
