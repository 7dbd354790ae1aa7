"""FigureBlock: a user's matplotlib Figure drawn through tushuo's painters.

PNG rasterises it at the output scale, PDF gets vectors and extractable text in the
embedded fonts, SVG gets vectors and <text>; matplotlib is imported only for it.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import matplotlib
import pytest
from matplotlib.figure import Figure
from pypdf import PdfReader

import tushuo
from tushuo.frame import Group, Text
from tushuo.frame import Path as PathOp
from tushuo.inputs import layout_document
from tushuo.themes import builtin_theme

ROOT = Path(__file__).resolve().parent.parent
RED = "#C00000"


def figure() -> Figure:
    """A 4 x 3 in figure: a red square filling the left half of the axes, a title, a y label."""
    with matplotlib.rc_context(tushuo.mpl_style("party-red")):
        fig = Figure(figsize=(4, 3), dpi=100)
        ax = fig.add_axes((0.2, 0.2, 0.6, 0.6))
        ax.add_patch(matplotlib.patches.Rectangle((0, 0), 0.5, 1, color=RED))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_title("各村得票率")
        ax.set_ylabel("得票率")  # rotated: drawn as outlines of the same font
    return fig


def document(fig: Figure) -> tushuo.Document:
    return tushuo.Document(title="图", blocks=[tushuo.FigureBlock(figure=fig)])


def test_figure_is_frame_ops_scaled_to_the_content_width() -> None:
    frame = layout_document(document(figure()))
    (group,) = [op for op in frame.ops if isinstance(op, Group) and op.clip and op.clip[2] > 900]
    x, y, w, h = group.clip
    assert w == pytest.approx(968) and h == pytest.approx(968 * 3 / 4)  # the figure's aspect
    inner = list(walk(group))
    texts = [op for op in inner if isinstance(op, Text)]
    assert [t.text for t in texts if t.text == "各村得票率"] and all(t.role == "figure" for t in texts)
    reds = [op for op in inner if isinstance(op, PathOp) and op.fill == RED]
    (square,) = reds
    xs, ys = [px for px, _ in square.points()], [py for _, py in square.points()]
    sx, sy, sw, sh = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
    assert sx == pytest.approx(x + 0.2 * w, abs=0.5) and sw == pytest.approx(0.3 * w, abs=0.5)
    assert sy == pytest.approx(y + 0.2 * h, abs=0.5) and sh == pytest.approx(0.6 * h, abs=0.5)


def walk(group: Group):
    for op in group.ops:
        yield op
        if isinstance(op, Group):
            yield from walk(op)


@pytest.mark.parametrize("scale_width", [1080, 540])
def test_png_rasterises_the_figure_at_the_output_scale(scale_width: int) -> None:
    doc = document(figure())
    frame = layout_document(doc)
    (group,) = [op for op in frame.ops if isinstance(op, Group) and op.clip and op.clip[2] > 900]
    x, y, w, h = group.clip
    img = tushuo.render_image(doc, width=scale_width) if scale_width != 1080 else tushuo.render_image(doc)
    k = img.width / 1080
    inside = (round((x + 0.35 * w) * k), round((y + 0.5 * h) * k))  # the middle of the red square
    outside = (round((x + 0.65 * w) * k), round((y + 0.5 * h) * k))
    assert img.getpixel(inside)[:3] == (0xC0, 0, 0)
    assert img.getpixel(outside)[:3] != (0xC0, 0, 0)


def test_pdf_has_the_figure_as_vectors_with_real_text(tmp_path: Path) -> None:
    (out,) = tushuo.render(document(figure()), tmp_path / "f.pdf")
    reader = PdfReader(out)
    text = "".join(p.extract_text() for p in reader.pages)
    assert "各村得票率" in text
    for page in reader.pages:
        res = page["/Resources"]
        assert not res.get("/XObject"), "no picture: the figure is drawn as paths"
        for font in res.get("/Font", {}).values():
            font = font.get_object()
            assert str(font["/Subtype"]) != "/Type3"
            desc = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)
            assert "/FontFile2" in desc["/FontDescriptor"].get_object()  # embedded TrueType


def test_svg_has_the_figure_as_vectors_and_text(tmp_path: Path) -> None:
    (out,) = tushuo.render(document(figure()), tmp_path / "f.svg")
    root = ET.fromstring(out.read_bytes())
    ns = "{http://www.w3.org/2000/svg}"
    texts = ["".join(t.itertext()) for t in root.iter(f"{ns}text")]
    assert "各村得票率" in texts
    assert not list(root.iter(f"{ns}image"))
    assert any((p.get("fill") or "").upper() == RED for p in root.iter(f"{ns}path"))


def dashed_figure(style: str) -> Figure:
    """One thick black line across the middle of an axes-less figure, in matplotlib's ``style``."""
    fig = Figure(figsize=(4, 2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.plot([0.1, 0.9], [0.5, 0.5], style, color="black", lw=3)
    return fig


def _ink_runs(row: list[bool]) -> int:
    return sum(1 for i, ink in enumerate(row) if ink and (i == 0 or not row[i - 1]))


@pytest.mark.parametrize(("style", "pattern"), [("--", (3.7, 1.6)), ("-.", (6.4, 1.6, 1.0, 1.6))])
def test_dashed_lines_stay_dashed_in_png_pdf_and_svg(style: str, pattern: tuple[float, ...], tmp_path: Path) -> None:
    doc = document(dashed_figure(style))
    frame = layout_document(doc)
    (group,) = [op for op in frame.ops if isinstance(op, Group) and op.clip and op.clip[2] > 900]
    (line,) = [op for op in walk(group) if isinstance(op, PathOp) and op.stroke]
    x, y, w, h = group.clip
    k = w / 400  # design px per figure px (4 in at 100 dpi)
    # matplotlib's pattern (in line widths) in design px: 3 pt lines at 100 dpi, scaled to the column
    assert line.dash == pytest.approx(tuple(d * 3 * 100 / 72 * k for d in pattern), rel=1e-6)

    # PNG: along the line, ink and gaps alternate (a solid line is one run of ink)
    img = tushuo.render_image(doc).convert("L")
    cy = round(y + 0.5 * h)
    row = [img.getpixel((px, cy)) < 128 for px in range(round(x + 0.1 * w) + 2, round(x + 0.9 * w) - 2)]
    period = sum(line.dash)
    assert _ink_runs(row) >= (int(0.8 * w / period) - 1) * len(pattern) // 2 >= 10  # each 'on' of each period
    solid = tushuo.render_image(document(dashed_figure("-"))).convert("L")
    assert _ink_runs([solid.getpixel((px, cy)) < 128 for px in range(round(x + 0.1 * w) + 2,
                                                                        round(x + 0.9 * w) - 2)]) == 1

    # SVG: the pattern as stroke-dasharray
    (svg,) = tushuo.render(doc, tmp_path / "d.svg")
    ns = "{http://www.w3.org/2000/svg}"
    arrays = [p.get("stroke-dasharray") for p in ET.fromstring(svg.read_bytes()).iter(f"{ns}path")]
    assert [a for a in arrays if a] == [" ".join(f"{d:.2f}".rstrip("0").rstrip(".") for d in line.dash)]

    # PDF: a dash operator with the pattern (in design px: the page's transform scales it)
    (pdf,) = tushuo.render(doc, tmp_path / "d.pdf")
    streams = b"".join(zlib.decompress(m) for m in re.findall(rb"stream\r?\n(.*?)endstream", pdf.read_bytes(), re.S)
                       if m[:1] == b"x")  # the flate streams (page contents among them)
    want = "[" + " ".join(f"{d:.3f}".rstrip("0").rstrip(".") for d in line.dash) + "] 0 d"
    assert want.encode() in streams


def test_mpl_style_gives_the_theme_palette_and_the_bundled_fonts() -> None:
    from matplotlib import font_manager

    style = tushuo.mpl_style("gov-blue")
    theme = builtin_theme("gov-blue")
    assert style["axes.prop_cycle"].by_key()["color"] == list(theme.palette.chart)
    assert style["axes.facecolor"] == theme.palette.surface
    family = style["font.sans-serif"][0]
    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert Path(found).name.startswith("Noto")


def test_only_a_figure_is_accepted() -> None:
    with pytest.raises(tushuo.SpecError, match="^figure: must be a matplotlib Figure"):
        tushuo.FigureBlock(figure="plot.png")
    with pytest.raises(tushuo.SpecError, match=r"3:28: blocks\[0\]\.figure: must be a matplotlib Figure"):
        tushuo.load("title: t\nblocks:\n  - {type: figure, figure: 3}\n")


def test_documents_without_a_figure_never_import_matplotlib(tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import sys, tushuo
        doc = tushuo.load({str(ROOT / 'examples' / 'progress-bulletin.yaml')!r})
        for fmt in ("png", "pdf", "svg"):
            tushuo.render(doc, {str(tmp_path)!r} + "/out." + fmt)
        assert "matplotlib" not in sys.modules, "a document without a figure imported matplotlib"
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180,
                         check=False)
    assert out.returncode == 0, out.stderr


def test_figure_bytes_are_deterministic(tmp_path: Path) -> None:
    a = tushuo.render(document(figure()), tmp_path / "a.pdf")[0].read_bytes()
    b = tushuo.render(document(figure()), tmp_path / "b.pdf")[0].read_bytes()
    assert a == b
    assert io.BytesIO(a).getvalue().startswith(b"%PDF")
