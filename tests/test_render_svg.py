"""The SVG painter: well-formed, text as text at the frame's x positions, fonts embedded, deterministic."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET

import pytest

from tushuo.errors import RenderError
from tushuo.layout.context import LayoutContext
from tushuo.layout.frame import Ellipse, Frame, Group, Image, Line, Path, Rect, Text
from tushuo.paint.svg import render_svg, write_svg
from tushuo.spec.document import Document
from tushuo.spec.theme import Theme
from tushuo.text.fonts import default_fontbook

NS = {"s": "http://www.w3.org/2000/svg"}
PARA = "为切实做好村（社区）“两委”换届工作，区委组织部召开专题会议，对**选举程序**进行部署，完成率达98.5%。<小于&大于>"


def sample() -> tuple[Frame, Document]:
    ctx = LayoutContext(Theme(), default_fontbook(), 1080)
    f = Frame(1080, 1400, background="#FFF8F0")
    f.add(Rect(0, 0, 1080, 400, gradient=("#B7181E", "#8E0F14")))
    f.add(ctx.text("图说换届", 968, "title", color="#FFFFFF").op(56, 120))
    body = ctx.text(PARA, 968, "body", align="justify")
    f.add(body.op(56, 460))
    f.add(Rect(56, 800, 968, 160, fill="#FFFFFF", stroke="#EBCFC2", stroke_width=2, radius=20, dash=(8, 4)))
    f.add(Ellipse(80, 820, 60, 60, fill="#B7181E80"))
    f.add(Line(((540, 960), (540, 1040), (700, 1040)), "#B7181E", 4, arrow_end=True))
    f.add(Path((("M", 100, 1100), ("Q", 150, 1050, 200, 1100), ("C", 220, 1120, 240, 1130, 260, 1100), ("Z",)),
               fill="#1E7B3A", stroke="#000000", stroke_width=2))
    from PIL import Image as PILImage

    pic = PILImage.new("RGB", (300, 200), "#2F6DB5")
    f.add(Group((Image(300, 1100, 300, 200, image=pic, radius=16),), clip=(300, 1100, 200, 200), radius=8))
    doc = Document(title="图说换届 <测试>", blocks=[{"type": "paragraph", "text": "x"}])
    return f, doc


@pytest.fixture(scope="module")
def rendered():
    f, doc = sample()
    return f, doc, render_svg(f, doc)


def test_well_formed_with_size_and_title(rendered):
    _, _, data = rendered
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 1080 1400"
    assert root.find("s:title", NS).text == "图说换届 <测试>"


def test_text_is_text_at_the_frames_positions(rendered):
    f, _, data = rendered
    root = ET.fromstring(data)
    texts = root.findall(".//s:text", NS)
    runs = [r for op in f.ops if isinstance(op, Text) for r in op.runs]
    assert len(texts) == len(runs)
    assert "".join(t.text for t in texts) == "".join(r.text for r in runs)
    assert "选举程序" in "".join(t.text for t in texts) and "**" not in "".join(t.text for t in texts)
    for el, run in zip(texts, runs):
        xs = [float(v) for v in el.get("x").split()]
        assert len(xs) == len(run.text)
        assert xs == pytest.approx(list(run.xs), abs=0.006)
        assert float(el.get("y")) == pytest.approx(run.y, abs=0.006)


def test_fonts_are_embedded_woff2_subsets_covering_the_text(rendered):
    from fontTools.ttLib import TTFont

    _, _, data = rendered
    root = ET.fromstring(data)
    css = root.find(".//s:style", NS).text
    faces = dict(re.findall(r'font-family:"([^"]+)";src:url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)', css))
    used = {}
    for el in root.findall(".//s:text", NS):
        family, generic = el.get("font-family").split(", ")
        assert generic in ("sans-serif", "serif")
        used.setdefault(family, set()).update(el.text)
    assert set(faces) == set(used)
    for fam, b64 in faces.items():
        blob = base64.b64decode(b64)
        assert blob[:4] == b"wOF2"
        font = TTFont(io.BytesIO(blob))
        cmap = font.getBestCmap()
        assert all(ord(ch) in cmap for ch in used[fam] if not ch.isspace()), fam
        assert len(cmap) < 200  # a subset, not the 30,000-character font
        assert len(blob) < 60_000


def test_shapes_gradients_clips_and_images(rendered):
    _, _, data = rendered
    root = ET.fromstring(data)
    grads = root.findall(".//s:linearGradient", NS)
    assert len(grads) == 1 and [s.get("stop-color") for s in grads[0]] == ["#B7181E", "#8E0F14"]
    assert root.find(f".//s:rect[@fill='url(#{grads[0].get('id')})']", NS) is not None
    dashed = root.find(".//s:rect[@stroke-dasharray]", NS)
    assert dashed.get("rx") == "20" and dashed.get("stroke-dasharray") == "8 4"
    assert root.find(".//s:ellipse", NS).get("fill-opacity") == "0.5"
    assert root.find(".//s:polyline", NS) is not None
    head = root.find(".//s:polygon", NS).get("points").split()
    assert head[0] == "700,1040"  # the arrow's tip is the line's end
    assert root.find(".//s:path", NS).get("d").startswith("M100 1100Q150 1050 200 1100C")
    clips = root.findall(".//s:clipPath", NS)
    assert len(clips) == 2  # the group's and the rounded image's
    img = root.find(".//s:image", NS)
    href = img.get("{http://www.w3.org/1999/xlink}href")
    assert href.startswith("data:image/png;base64,")


def test_deterministic(rendered):
    f, doc, data = rendered
    assert render_svg(f, doc) == data


def test_write_is_atomic(tmp_path):
    f, doc = sample()
    out = write_svg(f, doc, tmp_path / "a.svg")
    assert out == [tmp_path / "a.svg"] and (tmp_path / "a.svg").stat().st_size > 1000
    bad = Frame(100, 100)
    bad.add(Group((Path((("M", 0, 0), ("L", 1, 1)), stroke="#000000", stroke_width=1),), clip=None))
    bad.ops.append(object())  # not an op
    with pytest.raises(RenderError):
        write_svg(bad, None, tmp_path / "b.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.svg"]


def test_real_chart_is_drawn_as_text_and_shapes():
    """A chart block in an SVG is drawn from its plan's ops: its labels are <text> in the
    document's embedded fonts (selectable, searchable), not a nested matplotlib picture."""
    import tushuo
    from tushuo.inputs import layout_document, make_context

    doc = tushuo.Document.model_validate({"title": "t", "blocks": [
        {"type": "chart", "kind": "donut", "title": "年龄结构", "labels": ["35岁及以下", "36—45岁"],
         "series": [{"values": [186, 312]}]}]})
    ctx = make_context(doc)
    frame = layout_document(doc, ctx=ctx)
    root = ET.fromstring(render_svg(frame, doc, fonts=ctx.fonts))
    assert root.find(".//s:image", NS) is None
    texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for word in ("35岁及以下", "36—45岁", "186", "312"):
        assert word in texts
    assert root.find(".//s:path", NS) is not None  # the donut's segments
