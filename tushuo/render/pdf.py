"""PDF painter: the long Frame as pocket-manual or poster pages (reportlab).

The frame is laid out once at its design width; here it is scaled to the page
width and cut into pages at its safe breaks (``plan_cuts``). A manual (the
default) gets a cover, a table of contents, a running header and a page-number
footer around it (``manual.py`` lays those out); a poster (``output.pdf_mode:
poster``, for print pieces such as QR standees) is the design alone on each page,
its background to the edges (``plan_poster``). This module only paints: the y
flip and the px → pt scale live here and nowhere else.

Text is real PDF text: each broken line of the frame becomes one text object
whose glyphs sit at the frame's own x positions (``TJ`` adjustments against the
advance widths written in the PDF), in TrueType subsets of the bundled fonts,
so it is selectable, searchable and extracted in reading order. reportlab's own
paragraph wrapping is never used: lines arrive broken by the text engine.

Choices, documented once:

* Cover: when the first block is a banner, the cover page *replaces* it, and
  body pages start at the frame's first break below the banner (a ``Box`` of
  kind ``banner`` if the layout records one, else the first break).
* Table of contents and outline: marks of level 1 and 2 (sections, headings);
  the contents page is left out when there are fewer than two entries.
* Page numbers count physical pages (the cover is page 1, unnumbered), so the
  numbers in the contents agree with every viewer's page box.
* Charts: ``producer("pdf", 1)`` is placed as a form XObject (vector, read with
  pypdf); a producer that cannot give PDF is drawn as a PNG at 300 dpi.
* Deterministic: invariant mode, creation date from ``meta.date`` (or
  2000-01-01), subset names fixed by first use.
"""

from __future__ import annotations

import bisect
import io
import re
import struct
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..color import parse_color
from ..errors import RenderError, SpecError
from ..frame import Ellipse, Frame, Glyphs, Group, Image, Line, Op, Rect, Text
from ..frame import Path as PathOp
from ..layout.paginate import Cut, plan_cuts, text_line_bands
from ..text.fonts import FontBook
from .atomic import write_atomic
from .geometry import arrow_parts, quad_to_cubic

if TYPE_CHECKING:
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from ..spec.document import Document
    from ..spec.theme import Theme

MM = 72 / 25.4
#: named page sizes in mm (width, height); pocket is phone-like
PAGE_SIZES_MM: dict[str, tuple[float, float]] = {
    "pocket": (90.0, 160.0),
    "a6": (105.0, 148.0),
    "a5": (148.0, 210.0),
    "a4": (210.0, 297.0),
}
DEFAULT_PAGE = "pocket"
#: custom sizes must stay within these bounds (mm) to be a page anyone can print or read
_MIN_MM, _MAX_MM = 50.0, 1200.0
#: raster fallback resolution for charts and the cap for photos
RASTER_DPI = 300
#: marks down to this level go into the contents and the outline
TOC_DEPTH = 2


# ----------------------------------------------------------------------------- page size
@dataclass(frozen=True)
class PageSize:
    """A page in points (1/72 in)."""

    name: str
    width: float
    height: float


_CUSTOM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*[x×X*]\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*$")


def parse_page_size(value: str | PageSize | None, doc: Document | None = None) -> PageSize:
    """``pocket`` (default), ``A6``, ``A5``, ``A4`` or ``"W x H"`` in mm → PageSize.

    A bad value is a SpecError; when it came from the spec (``doc.output.page_size``)
    the error is located there.
    """
    if isinstance(value, PageSize):
        return value
    if value is None or not str(value).strip():
        w, h = PAGE_SIZES_MM[DEFAULT_PAGE]
        return PageSize(DEFAULT_PAGE, w * MM, h * MM)
    text = str(value).strip()
    key = text.lower()
    if key in PAGE_SIZES_MM:
        w, h = PAGE_SIZES_MM[key]
        return PageSize(key, w * MM, h * MM)
    m = _CUSTOM.match(text)
    problem = None
    if m:
        w, h = float(m.group(1)), float(m.group(2))
        if not (_MIN_MM <= w <= _MAX_MM and _MIN_MM <= h <= _MAX_MM):
            problem = f"page size '{text}' is out of range: width and height must be {_MIN_MM:g}–{_MAX_MM:g} mm"
        else:
            return PageSize(f"{w:g}x{h:g}", w * MM, h * MM)
    else:
        problem = f"unknown page size '{text}'"
    message = f"{problem} (use pocket, A6, A5, A4, or width x height in mm such as 100x180)"
    from_spec = doc is not None and doc.output.page_size is not None and str(doc.output.page_size) == str(value)
    if from_spec:
        file, line, col = doc.locate("output.page_size")  # type: ignore[union-attr]
        raise SpecError(message, file=file, line=line, col=col, path="output.page_size")
    raise SpecError(message)


# ----------------------------------------------------------------------------- fonts
_FONT_LOCK = threading.Lock()
_TTFONTS: dict[Path, TTFont] = {}


def pdf_font(path: Path) -> TTFont:
    """The reportlab TrueType font for a font file, registered once per process.

    Parsing a 10 MB Noto CJK face takes about 0.1 s with the bulk reader of
    ``ttface.py`` (0.3 s with reportlab's own), so it is cached by path; reportlab
    keeps subset state per document, so one registration serves every PDF this
    process writes.
    """
    path = Path(path).resolve()
    font = _TTFONTS.get(path)
    if font is not None:
        return font
    with _FONT_LOCK:
        font = _TTFONTS.get(path)
        if font is None:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFError

            from .ttface import load_ttfont

            name = f"tushuo-{path.stem}-{path.stat().st_size}"
            try:
                font = load_ttfont(name, str(path))
            except (TTFError, OSError, struct.error) as exc:
                from ..errors import FontError

                raise FontError(f"font {path.name} cannot be embedded in a PDF: {exc}") from exc
            pdfmetrics.registerFont(font)
            _TTFONTS[path] = font
    return font


# ----------------------------------------------------------------------------- numbers
def _n(v: float) -> str:
    """A number for a content stream: short and stable."""
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _escape(data: bytes) -> str:
    out = []
    for b in data:
        if b in (0x28, 0x29, 0x5C):
            out.append("\\" + chr(b))
        elif 32 <= b < 127:
            out.append(chr(b))
        else:
            out.append(f"\\{b:03o}")
    return "".join(out)


# ----------------------------------------------------------------------------- painter
class PdfPainter:
    """Draws frame ops on a reportlab canvas whose current transform is design px, y down.

    ``band`` (top, bottom) limits text to the lines whose middle lies inside it, so a
    line is drawn on exactly one page even when its op straddles a cut.
    """

    def __init__(self, canvas: Canvas, fonts: FontBook, scale: float) -> None:
        self.c = canvas
        self.fonts = fonts
        self.scale = scale  # pt per design px, for raster resolution
        self._ttfonts: dict[str, TTFont] = {}
        self._forms: dict[int, tuple[str, tuple[float, float, float, float]]] = {}
        self._images: dict[int, Any] = {}
        # Marked content for the structure tree (pdftags): every op is a tagged sequence
        # (text, headings, figures with their alternative text) or an artifact.
        self.tags: list[Any] = []
        self._mcids: dict[int, int] = {}
        self._marking = False
        self.artifacts = False  # set while painting page furniture (running header, page numbers)

    # -- colours and strokes: content-stream operators written directly ---------------
    # (reportlab's path objects format every number in pure Python: a third of the render
    # time of a long manual; these are a few string joins)
    def _emit(self, code: str) -> None:
        self.c.addLiteral(code)

    def _fill(self, color: str) -> None:
        r, g, b, a = parse_color(color)
        self._emit(f"{_n(r)} {_n(g)} {_n(b)} rg")
        if a < 1:
            self.c.setFillAlpha(a)

    def _stroke(self, color: str, width: float, dash: tuple[float, float] | None = None,
                cap: int = 0, join: int = 0) -> None:
        r, g, b, a = parse_color(color)
        dash_op = f"[{_n(dash[0])} {_n(dash[1])}] 0 d" if dash else "[] 0 d"
        self._emit(f"{_n(r)} {_n(g)} {_n(b)} RG {_n(width)} w {dash_op} {cap} J {join} j")
        if a < 1:
            self.c.setStrokeAlpha(a)

    # -- walking -----------------------------------------------------------
    def paint(self, ops: Iterable[Op], band: tuple[float, float] | None = None) -> None:
        for op in ops:
            self.op(op, band)

    def op(self, op: Op, band: tuple[float, float] | None = None) -> None:
        """Draw ``op`` as one marked-content sequence: tagged (P, H1–H3, Figure) or an artifact."""
        if self._marking or isinstance(op, Group):
            self._draw(op, band)
            return
        role = None if self.artifacts else _struct_role(op)
        if role is None:
            self._emit("/Artifact BMC")
        else:
            from .pdftags import Tag

            page = self.c.getPageNumber() - 1
            mcid = self._mcids.get(page, 0)
            self._mcids[page] = mcid + 1
            self._emit(f"/{role} <</MCID {mcid}>> BDC")
            self.tags.append(Tag(page, mcid, role, op.alt if isinstance(op, Image) else None))
        self._marking = True
        try:
            self._draw(op, band)
        finally:
            self._marking = False
            self._emit("EMC")

    def _draw(self, op: Op, band: tuple[float, float] | None = None) -> None:
        if isinstance(op, Text):
            self.text(op, band)
        elif isinstance(op, Glyphs):
            self._lines([[op]], band)
        elif isinstance(op, Rect):
            self.rect(op)
        elif isinstance(op, Ellipse):
            self.ellipse(op)
        elif isinstance(op, Line):
            self.line(op)
        elif isinstance(op, PathOp):
            self.path(op)
        elif isinstance(op, Image):
            self.image(op)
        elif isinstance(op, Group):
            self.group(op, band)
        else:  # pragma: no cover - a new op kind must be taught to every painter
            raise RenderError(f"the PDF painter cannot draw {type(op).__name__}")

    # -- shapes ------------------------------------------------------------
    def _paint_path(self, path: str, fill: bool, stroke: bool) -> None:
        self._emit(f"{path} {'B' if fill and stroke else 'f' if fill else 'S'}")

    def _shape(self, path: str, fill: str | None, stroke: str | None, width: float, *,
               dash: tuple[float, float] | None = None, cap: int = 0, join: int = 0) -> None:
        """Fill and/or stroke ``path`` in a graphics state of its own (nothing when neither is set)."""
        stroked = bool(stroke and width > 0)
        if not (fill or stroked):
            return
        self.c.saveState()
        if fill:
            self._fill(fill)
        if stroked:
            self._stroke(stroke, width, dash, cap=cap, join=join)  # type: ignore[arg-type]
        self._paint_path(path, bool(fill), stroked)
        self.c.restoreState()

    def _clip(self, path: str) -> None:
        self._emit(f"{path} W n")

    def rect(self, op: Rect) -> None:
        if op.w <= 0 or op.h <= 0:
            return
        c = self.c
        path = _rect_path(op.x, op.y, op.w, op.h, op.radius)
        if op.gradient:
            from reportlab.lib.colors import Color

            top, bottom = (Color(*parse_color(col)[:3]) for col in op.gradient)
            c.saveState()
            self._clip(path)
            c.linearGradient(op.x, op.y, op.x, op.y + op.h, (top, bottom), extend=True)
            c.restoreState()
        self._shape(path, None if op.gradient else op.fill, op.stroke, op.stroke_width, dash=op.dash)

    def ellipse(self, op: Ellipse) -> None:
        if op.w > 0 and op.h > 0:
            self._shape(_ellipse_path(op.x, op.y, op.w, op.h), op.fill, op.stroke, op.stroke_width)

    def line(self, op: Line) -> None:
        if len(op.points) < 2:
            return
        c = self.c
        pts, heads = arrow_parts(op.points, op.width, op.arrow_size, op.arrow_start, op.arrow_end)
        c.saveState()
        self._stroke(op.color, op.width, op.dash, cap=0 if op.dash else 1, join=1)
        self._paint_path(" ".join(f"{_n(x)} {_n(y)} {'m' if i == 0 else 'l'}" for i, (x, y) in enumerate(pts)),
                         False, True)
        if heads:
            self._fill(op.color)
            for head in heads:
                tri = " ".join(f"{_n(x)} {_n(y)} {'m' if i == 0 else 'l'}" for i, (x, y) in enumerate(head))
                self._paint_path(tri + " h", True, False)
        c.restoreState()

    def path(self, op: PathOp) -> None:
        if op.commands:
            self._shape(_path_ops(op.commands), op.fill, op.stroke, op.stroke_width,
                        cap=1 if op.cap == "round" else 0, join=1)

    def group(self, op: Group, band: tuple[float, float] | None) -> None:
        c = self.c
        c.saveState()
        if op.clip:
            x, y, w, h = op.clip
            self._clip(_rect_path(x, y, w, h, op.radius))
        self.paint(op.ops, band)
        c.restoreState()

    # -- images --------------------------------------------------------------
    def image(self, op: Image) -> None:
        if op.w <= 0 or op.h <= 0:
            return
        c = self.c
        c.saveState()
        if op.radius > 0:
            self._clip(_rect_path(op.x, op.y, op.w, op.h, op.radius))
        if op.producer is not None and (self._chart_frame(op) or self._chart_form(op)):
            pass
        else:
            reader = self._image_reader(op)
            if reader is not None:
                # drawImage paints y-up: flip locally so the picture stands upright
                c.translate(op.x, op.y + op.h)
                c.scale(1, -1)
                c.drawImage(reader, 0, 0, op.w, op.h, mask="auto")
        c.restoreState()

    def _image_reader(self, op: Image):
        cached = self._images.get(id(op))
        if cached is not None:
            return cached[1]
        from PIL import Image as PILImage
        from reportlab.lib.utils import ImageReader

        max_px = op.w * self.scale / 72 * RASTER_DPI
        if op.producer is not None:
            scale = max(1.0, max_px / op.w)
            im = op.producer("png", scale)
        else:
            im = op.image
        if im is None:
            self._images[id(op)] = (op, None)
            return None
        if im.width > max_px * 1.05:  # more pixels than 300 dpi can show: smaller file, same look
            ratio = max_px / im.width
            im = im.resize((max(1, round(im.width * ratio)), max(1, round(im.height * ratio))), PILImage.LANCZOS)
        if im.mode not in ("RGB", "RGBA", "L", "LA", "1"):
            im = im.convert("RGBA" if "A" in im.getbands() or "transparency" in im.info else "RGB")
        if im.mode in ("RGB", "L") and op.producer is None and im.getcolors(512) is None:
            # a photo: pass it through as JPEG (DCTDecode), a fraction of the flate size
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=88, optimize=True)
            buf.seek(0)
            reader = ImageReader(buf)
        else:
            reader = ImageReader(im)
        self._images[id(op)] = (op, reader)  # keep op alive so id() stays unique
        return reader

    def _chart_frame(self, op: Image) -> bool:
        """Draw a chart from its frame ops, scaled into the image box; False when the producer has none.

        Chart text then goes through the same embedded fonts as the page: searchable,
        no Type 3 glyphs, and no matplotlib import (charts.ChartProducer.frame).
        """
        make = getattr(op.producer, "frame", None)
        if make is None:
            return False
        chart = make()
        if chart.width <= 0 or chart.height <= 0:
            return False
        c = self.c
        c.translate(op.x, op.y)
        c.scale(op.w / chart.width, op.h / chart.height)
        if chart.background:
            self.rect(Rect(0, 0, chart.width, chart.height, fill=chart.background))
        self.paint(chart.ops)  # no band: a chart is one atomic box, drawn whole on its page
        return True

    def _chart_form(self, op: Image) -> bool:
        """Place a chart's own PDF as a form XObject; False when the producer has no PDF."""
        key = id(op)
        entry = self._forms.get(key)
        if entry is None:
            try:
                import pypdf  # noqa: F401
            except ImportError:  # pragma: no cover - declared dependency; a raster still works
                return False
            try:
                data = op.producer("pdf", 1)  # type: ignore[misc]
            except NotImplementedError:
                return False
            if not data:
                return False
            name = f"tushuo-chart-{len(self._forms) + 1}"
            bbox = import_pdf_page(self.c, data, name)
            entry = self._forms[key] = (name, bbox)
            self._images[key] = (op, None)  # keep op alive
        name, (bx0, by0, bx1, by1) = entry
        c = self.c
        c.translate(op.x, op.y + op.h)
        c.scale(op.w / (bx1 - bx0), -op.h / (by1 - by0))
        c.translate(-bx0, -by0)
        c.doForm(name)
        return True

    # -- text ----------------------------------------------------------------
    def text(self, op: Text, band: tuple[float, float] | None) -> None:
        for u in op.underlays:
            if band is None or _middle_in(u.y, u.y + u.h, band):
                self.rect(u)
        lines: list[list[Glyphs]] = []
        for run in op.runs:
            if lines and abs(lines[-1][-1].y - run.y) < 1e-6:
                lines[-1].append(run)
            else:
                lines.append([run])
        self._lines(lines, band)

    def _lines(self, lines: list[list[Glyphs]], band: tuple[float, float] | None) -> None:
        doc = self.c._doc
        for line in lines:
            runs = [r for r in line if r.text and r.xs]
            if not runs:
                continue
            first = runs[0]
            if band is not None:
                top = first.y - first.ascent * first.size
                if not _middle_in(top, top + (first.ascent + first.descent) * first.size, band):
                    continue
            alpha = min(parse_color(r.color)[3] for r in runs)
            code = ["BT"]
            for run in runs:
                font = self._ttfonts.get(run.face)
                if font is None:
                    font = self._ttfonts[run.face] = pdf_font(self.fonts.path(run.face))
                r, g, b, _ = parse_color(run.color)
                code.append(f"{_n(r)} {_n(g)} {_n(b)} rg")
                # text space y up inside a y-down page: flip the text matrix back
                code.append(f"1 0 0 -1 {_n(run.xs[0])} {_n(run.y)} Tm")
                code.extend(_tj(font, run, doc))
            code.append("ET")
            if alpha < 1:
                self.c.saveState()
                self.c.setFillAlpha(alpha)
            self.c.addLiteral("\n".join(code))
            if alpha < 1:
                self.c.restoreState()


_KAPPA = 0.5522847498  # cubic control distance of a quarter circle, as a share of the radius


#: Text roles drawn as headings in the structure tree; other text is a paragraph.
_HEADING_ROLES = {"title": "H1", "h1": "H1", "h2": "H2", "h3": "H3"}


def _struct_role(op: Op) -> str | None:
    """The structure type of an op: text and pictures with words are content, the rest artifacts."""
    if isinstance(op, Text):
        return _HEADING_ROLES.get(op.role, "P")
    if isinstance(op, Glyphs):
        return "P"
    if isinstance(op, Image) and op.alt:
        return "Figure"
    return None


def _rect_path(x: float, y: float, w: float, h: float, radius: float) -> str:
    """Path operators of a rectangle, its corners rounded by ``radius`` (clamped to fit)."""
    r = max(0.0, min(radius, w / 2, h / 2))
    if r <= 0:
        return f"{_n(x)} {_n(y)} {_n(w)} {_n(h)} re"
    k = r * (1 - _KAPPA)
    x1, y1 = x + w, y + h
    return " ".join((
        f"{_n(x + r)} {_n(y)} m {_n(x1 - r)} {_n(y)} l",
        f"{_n(x1 - k)} {_n(y)} {_n(x1)} {_n(y + k)} {_n(x1)} {_n(y + r)} c",
        f"{_n(x1)} {_n(y1 - r)} l {_n(x1)} {_n(y1 - k)} {_n(x1 - k)} {_n(y1)} {_n(x1 - r)} {_n(y1)} c",
        f"{_n(x + r)} {_n(y1)} l {_n(x + k)} {_n(y1)} {_n(x)} {_n(y1 - k)} {_n(x)} {_n(y1 - r)} c",
        f"{_n(x)} {_n(y + r)} l {_n(x)} {_n(y + k)} {_n(x + k)} {_n(y)} {_n(x + r)} {_n(y)} c h",
    ))


def _ellipse_path(x: float, y: float, w: float, h: float) -> str:
    rx, ry = w / 2, h / 2
    cx, cy = x + rx, y + ry
    kx, ky = rx * _KAPPA, ry * _KAPPA
    return " ".join((
        f"{_n(cx + rx)} {_n(cy)} m",
        f"{_n(cx + rx)} {_n(cy + ky)} {_n(cx + kx)} {_n(cy + ry)} {_n(cx)} {_n(cy + ry)} c",
        f"{_n(cx - kx)} {_n(cy + ry)} {_n(cx - rx)} {_n(cy + ky)} {_n(cx - rx)} {_n(cy)} c",
        f"{_n(cx - rx)} {_n(cy - ky)} {_n(cx - kx)} {_n(cy - ry)} {_n(cx)} {_n(cy - ry)} c",
        f"{_n(cx + kx)} {_n(cy - ry)} {_n(cx + rx)} {_n(cy - ky)} {_n(cx + rx)} {_n(cy)} c h",
    ))


def _path_ops(commands: Sequence[tuple]) -> str:
    """Path operators of M/L/Q/C/Z commands (quadratic curves raised to cubics)."""
    out = []
    cur = start = (0.0, 0.0)
    for cmd in commands:
        kind = cmd[0]
        if kind == "M":
            cur = start = (cmd[1], cmd[2])
            out.append(f"{_n(cmd[1])} {_n(cmd[2])} m")
        elif kind == "L":
            cur = (cmd[1], cmd[2])
            out.append(f"{_n(cmd[1])} {_n(cmd[2])} l")
        elif kind == "Q":
            c1, c2, end = quad_to_cubic(cur, (cmd[1], cmd[2]), (cmd[3], cmd[4]))
            out.append(" ".join(_n(v) for v in (*c1, *c2, *end)) + " c")
            cur = end
        elif kind == "C":
            out.append(" ".join(_n(v) for v in cmd[1:7]) + " c")
            cur = (cmd[5], cmd[6])
        elif kind == "Z":
            out.append("h")
            cur = start
        else:
            raise RenderError(f"unknown path command {kind!r}")
    return " ".join(out)


def _middle_in(top: float, bottom: float, band: tuple[float, float]) -> bool:
    mid = (top + bottom) / 2
    return band[0] <= mid < band[1]


def _tj(font: TTFont, run: Glyphs, doc: Any) -> list[str]:
    """Tf + TJ operators placing every character of ``run`` at its own x.

    Each character's advance in the PDF is the font's width (the /Widths reportlab
    writes); the TJ number after it moves the pen to the next character's x exactly.
    """
    face = font.face
    char_to_glyph = face.charToGlyph
    size = run.size
    xs = list(run.xs) + [run.end]
    out: list[str] = []
    i = 0
    for subset, data in font.splitString(run.text, doc):
        name = font.getSubsetInternalName(subset, doc)
        out.append(f"{name} {_n(size)} Tf")
        parts: list[str] = []
        chunk: list[int] = []
        for byte in data:
            ch = run.text[i]
            code = ord(ch)
            if code == 0xA0:
                code = 32
            width = face.getCharWidth(code if code in char_to_glyph else 0)
            want = (xs[i + 1] - xs[i]) * 1000.0 / size if size else 0.0
            adj = width - want
            chunk.append(byte)
            if abs(adj) > 0.005 and i + 1 < len(run.text):
                parts.append(f"({_escape(bytes(chunk))})")
                parts.append(_n(adj))
                chunk = []
            i += 1
        if chunk:
            parts.append(f"({_escape(bytes(chunk))})")
        out.append(f"[{' '.join(parts)}] TJ")
    return out


# ----------------------------------------------------------------------------- importing chart PDFs
def import_pdf_page(canvas: Canvas, data: bytes, name: str) -> tuple[float, float, float, float]:
    """Copy page 1 of a PDF into ``canvas``'s document as form XObject ``name``; returns its BBox.

    reportlab cannot read PDFs, so pypdf parses it and its objects are rebuilt as
    reportlab objects (streams keep their original encoding).
    """
    from pypdf import PdfReader
    from reportlab.pdfbase import pdfdoc

    try:
        reader = PdfReader(io.BytesIO(data))
        page = reader.pages[0]
        box = [float(v) for v in page.mediabox]
        contents = page.get_contents()
        content = contents.get_data() if contents is not None else b""
        resources = page.get("/Resources")
    except Exception as exc:  # pypdf raises many kinds on a broken file
        raise RenderError(f"a chart gave an unreadable PDF: {exc}") from exc
    doc = canvas._doc
    conv = _PdfObjects(doc)
    form = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("XObject"),
            "Subtype": pdfdoc.PDFName("Form"),
            "FormType": 1,
            "BBox": pdfdoc.PDFArray(box),
            "Resources": conv(resources) if resources is not None else pdfdoc.PDFDictionary({}),
        }
    )
    stream = pdfdoc.PDFStream(form, content, filters=[pdfdoc.PDFZCompress])
    doc.Reference(stream, pdfdoc.xObjectName(name))
    return box[0], box[1], box[2], box[3]


class _PdfObjects:
    """pypdf objects → reportlab pdfdoc objects, sharing indirect objects once."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.refs: dict[tuple[int, int], Any] = {}

    def __call__(self, obj: Any) -> Any:
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            IndirectObject,
            StreamObject,
        )
        from reportlab.pdfbase import pdfdoc

        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            ref = self.refs.get(key)
            if ref is None:
                target = obj.get_object()
                converted = self(target)
                ref = self.doc.Reference(converted) if isinstance(converted, pdfdoc.PDFObject) else converted
                self.refs[key] = ref
            return ref
        if isinstance(obj, StreamObject):
            d = {k[1:]: self(v) for k, v in obj.items() if k != "/Length"}
            filters = None if "Filter" in d else [pdfdoc.PDFZCompress]
            return pdfdoc.PDFStream(pdfdoc.PDFDictionary(d), obj._data, filters=filters)
        if isinstance(obj, DictionaryObject):
            return pdfdoc.PDFDictionary({k[1:]: self(v) for k, v in obj.items()})
        if isinstance(obj, ArrayObject):
            return pdfdoc.PDFArray([self(v) for v in obj])
        buf = io.BytesIO()
        obj.write_to_stream(buf)
        return buf.getvalue()


# ----------------------------------------------------------------------------- the manual
@dataclass(frozen=True)
class PagePlan:
    """How the frame becomes pages: scale, margins (design px) and the body cuts."""

    page: PageSize
    scale: float  # pt per design px
    page_height: float  # the page's height in design px
    margin_top: float
    margin_bottom: float
    body_top: float  # frame y the body starts at (below a banner the cover replaces)
    cuts: tuple[Cut, ...]
    #: the closing strip's frame band, kept whole at the bottom of the last page (None: in the flow)
    footer: tuple[float, float] | None = None
    #: body page (0-based) that carries the closing strip; len(cuts) means a page of its own
    footer_page: int = 0

    @property
    def band(self) -> float:
        return self.page_height - self.margin_top - self.margin_bottom

    @property
    def body_pages(self) -> int:
        return len(self.cuts) + (1 if self.footer is not None and self.footer_page == len(self.cuts) else 0)

    def footer_y(self) -> float:
        """Page y (design px) of the closing strip's top: it ends where the body band ends."""
        assert self.footer is not None
        return self.margin_top + self.band - (self.footer[1] - self.footer[0])


def banner_bottom(frame: Frame, doc: Document | None) -> float:
    """Where the body starts when the cover replaces a leading banner (0 if there is none)."""
    if doc is None or not doc.blocks or doc.blocks[0].type != "banner":
        return 0.0
    breaks = frame.sorted_breaks()
    boxes = [b for b in frame.boxes if b.kind == "banner"]
    if boxes:
        bottom = max(b.y + b.h for b in boxes)
        i = bisect.bisect_left(breaks, bottom - 1e-6)
        return breaks[i] if i < len(breaks) else frame.height
    return breaks[0] if breaks else 0.0


def cut_band(frame: Frame, start: float, end: float, band: float, *,
             skip: tuple[float, float] | None = None) -> list[Cut]:
    """Frame band [start, end) cut into pieces at most ``band`` tall at its safe breaks.

    A forced cut avoids lines of text and, where it can, boxes; a piece may end a
    fifth full rather than cut through a box that fits the next one. Breaks strictly
    inside ``skip`` (top, bottom) are not used: that band stays whole.
    """
    height = end - start
    if height <= 1e-6:
        return []
    breaks = [b - start for b in frame.sorted_breaks() if start < b < end
              and not (skip is not None and skip[0] < b < skip[1])]
    avoid = [(a - start, b - start) for a, b in text_line_bands(frame) if b > start and a < end]
    keep = [(b.y - start, b.y + b.h - start) for b in frame.boxes if b.y + b.h > start and b.y < end]
    raw = plan_cuts(breaks, height, band, min_fill=0.2, avoid=avoid, keep=keep)
    return [Cut(c.top + start, c.bottom + start, c.forced) for c in raw]


def plan_pages(frame: Frame, doc: Document | None, page: PageSize, *, unit: float = 1.0,
               footer_height: float | None = None) -> PagePlan:
    """Scale the frame to the page width and cut the body into page bands at safe breaks.

    ``unit`` is design px per 1080-px theme px (frame.width / 1080), for the margins.
    ``footer_height``: the closing strip at the frame's bottom; it is never split
    but set whole at the foot of the last page (or of a page of its own).
    """
    from .manual import MARGIN_BOTTOM, MARGIN_TOP

    scale = page.width / frame.width
    page_h = page.height / scale
    top_m, bottom_m = MARGIN_TOP * unit, MARGIN_BOTTOM * unit
    band = page_h - top_m - bottom_m
    start = banner_bottom(frame, doc)
    end = frame.height
    footer = None
    if footer_height and start < frame.height - footer_height and footer_height <= band:
        footer = (frame.height - footer_height, frame.height)
        before = [b for b in frame.sorted_breaks() if start < b <= footer[0] + 1e-6]
        end = before[-1] if before else footer[0]
    cuts = cut_band(frame, start, end, band)
    footer_page = 0
    if footer is not None:
        room = band - (cuts[-1].height if cuts else band)
        gap = 40 * unit
        footer_page = len(cuts) - 1 if cuts and room >= footer[1] - footer[0] + gap else len(cuts)
    return PagePlan(page, scale, page_h, top_m, bottom_m, start, tuple(cuts), footer, footer_page)


def render_pdf(
    frame: Frame,
    doc: Document | None = None,
    *,
    page_size: str | PageSize | None = None,
    theme: Theme | None = None,
    fonts: FontBook | None = None,
    mode: str | None = None,
) -> bytes:
    """The document as PDF bytes: a manual (cover, contents, body pages) or a poster.

    ``mode`` overrides ``doc.output.pdf_mode`` (``manual`` without a document).
    """
    from reportlab.pdfgen.canvas import Canvas

    from . import manual

    if page_size is None and doc is not None:
        page_size = doc.output.page_size
    page = parse_page_size(page_size, doc)
    mode = pdf_mode(mode, doc)
    theme = theme or manual.frame_theme(frame)
    fonts = fonts or manual.frame_fonts(frame)
    unit = frame.width / 1080.0
    ctx = manual.page_context(theme, fonts, frame.width, doc)
    strip = manual.closing_strip_height(ctx, doc)
    pal = theme.palette

    from reportlab import rl_config

    # Page streams: flate only. reportlab's default adds ASCII85 on top (pure Python here:
    # a quarter of the render time) and makes the file a quarter bigger. Set for the
    # process, never toggled, so concurrent renders stay byte-identical.
    rl_config.useA85 = 0
    buf = io.BytesIO()
    # a TrueType initial font keeps reportlab from declaring an unembedded Helvetica
    initial = pdf_font(fonts.path(theme.fonts.body if theme.fonts.body in fonts.keys else "sans")).fontName
    from ..script import LANG

    c = Canvas(buf, pagesize=(page.width, page.height), invariant=1, pageCompression=1,
               initialFontName=initial, lang=LANG.get(getattr(doc, "script", "hans"), "zh-CN"))
    _set_info(c, frame, doc)
    background = frame.background or pal.background
    if mode == "poster":
        poster = plan_poster(frame, doc, page, footer_height=strip)
        painter = PdfPainter(c, fonts, poster.scale)
        _paint_poster(c, painter, frame, poster, background)
        c.save()
        return _tagged(buf.getvalue(), painter)
    plan = plan_pages(frame, doc, page, unit=unit, footer_height=strip)
    painter = PdfPainter(c, fonts, plan.scale)

    entries = manual.toc_entries(frame.marks, plan, depth=TOC_DEPTH)
    has_cover = doc is not None
    toc_pages = manual.toc_pages(ctx, entries, plan.page_height) if len(entries) >= 2 else []
    first_body = (1 if has_cover else 0) + len(toc_pages) + 1
    numbered = [(e.title, e.level, e.key, first_body + e.index) for e in entries]

    def begin_page() -> None:
        c.saveState()
        # design px, y down, origin at the page's top-left
        c.transform(plan.scale, 0, 0, -plan.scale, 0, page.height)

    def end_page() -> None:
        c.restoreState()
        c.showPage()

    if has_cover:
        begin_page()
        painter.paint(manual.cover(ctx, doc, plan.page_height).ops)  # type: ignore[arg-type]
        end_page()
    for i, _ in enumerate(toc_pages):
        begin_page()
        toc = manual.toc_page(ctx, numbered, i, plan.page_height, background=background)
        painter.paint(toc.frame.ops)
        c.restoreState()
        for key, (x, y, w, h) in toc.links:  # each row is a link to its page
            c.linkAbsolute("", key, Rect=(x * plan.scale, page.height - (y + h) * plan.scale,
                                          (x + w) * plan.scale, page.height - y * plan.scale))
        c.showPage()
    ops = _OpIndex(frame.ops)
    marks_by_page = manual.marks_by_cut(entries)

    def paint_band(top: float, bottom: float, at: float) -> None:
        _paint_band(painter, ops, frame.width, top, bottom, at)

    for i in range(plan.body_pages):
        if i == len(plan.cuts):  # the closing strip on a page of its own: a back cover
            assert plan.footer is not None
            strip = plan.footer[1] - plan.footer[0]
            begin_page()
            painter.paint(manual.back_cover(ctx, doc, plan.page_height, strip).ops)
            paint_band(plan.footer[0], plan.footer[1], plan.page_height - strip)
            end_page()
            continue
        cut = plan.cuts[i]
        number = first_body + i
        begin_page()
        chrome = manual.page_chrome(ctx, doc, plan, cut, number, background=background, marks=frame.marks)
        painter.artifacts = True  # running header, page number: pagination, not content
        painter.paint(chrome.ops)
        painter.artifacts = False
        if i < len(plan.cuts):
            paint_band(cut.top, cut.bottom, plan.margin_top)
        if plan.footer is not None and i == plan.footer_page:
            paint_band(plan.footer[0], plan.footer[1], plan.footer_y())
        c.restoreState()
        for e in marks_by_page.get(i, ()):
            y_pt = page.height - (plan.margin_top + e.y - cut.top) * plan.scale
            c.bookmarkPage(e.key, fit="XYZ", left=0, top=min(page.height, y_pt + 6))
        c.showPage()
    if not plan.body_pages and not has_cover and not toc_pages:
        c.showPage()  # an empty frame still makes a valid one-page PDF
    level0 = min((e.level for e in entries), default=1)
    prev = -1
    for e in entries:
        lvl = min(e.level - level0, prev + 1)
        c.addOutlineEntry(e.title, e.key, level=lvl, closed=lvl > 0 or None)
        prev = lvl
    if entries:
        c.showOutline()
    c.save()
    return _tagged(buf.getvalue(), painter)


def _tagged(data: bytes, painter: PdfPainter) -> bytes:
    """The PDF with the structure tree of what ``painter`` marked (tushuo.render.pdftags)."""
    from .pdftags import add_structure

    return add_structure(data, painter.tags)


def _paint_band(painter: PdfPainter, ops: _OpIndex, width: float, top: float, bottom: float, at: float) -> None:
    """Frame band [top, bottom) drawn with its top at page y ``at``, clipped to the band."""
    c = painter.c
    c.saveState()
    c.translate(0, at - top)
    painter._clip(_rect_path(0, top, width, bottom - top, 0))
    painter.paint(ops.between(top, bottom), (top, bottom))
    c.restoreState()


# ----------------------------------------------------------------------------- the poster
PDF_MODES = ("manual", "poster")


def pdf_mode(mode: str | None, doc: Document | None) -> str:
    """``mode``, else the document's ``output.pdf_mode``, else ``manual``; an unknown one is a SpecError."""
    if mode is None:
        mode = doc.output.pdf_mode if doc is not None else "manual"
    if mode not in PDF_MODES:
        raise SpecError(f"unknown PDF mode '{mode}' (use manual or poster)")
    return mode


@dataclass(frozen=True)
class PosterPage:
    """One poster page: its cut of the frame and the bands drawn on it.

    ``bands`` are (top, bottom, at): frame band [top, bottom) drawn with its top at
    page y ``at`` (design px).
    """

    cut: Cut
    bands: tuple[tuple[float, float, float], ...]

    def page_y(self, y: float) -> float:
        """Where frame y ``y`` lands on this page (clamped into the nearest band)."""
        best = None
        for top, bottom, at in self.bands:
            if top <= y < bottom:
                return at + y - top
            if best is None or abs(y - top) < abs(best[0] - top):
                best = (max(top, min(y, bottom)), top, at)
        return best[2] + best[0] - best[1] if best else 0.0


@dataclass(frozen=True)
class PosterPlan:
    """How the frame becomes poster pages: scale (pt per design px), page height (design px), pages."""

    scale: float
    page_height: float
    pages: tuple[PosterPage, ...]


def plan_poster(frame: Frame, doc: Document | None, page: PageSize, *,
                footer_height: float | None = None) -> PosterPlan:
    """Poster pages: the frame at the page width, cut at safe breaks into page-tall pieces.

    No margins and no chrome: the design's own spacing frames it. A page whose content
    is shorter than the page is centred on it, except that a leading full-bleed banner
    keeps to the page's top edge and the closing strip (``footer_height``, never split)
    to its bottom edge, with the content centred in the room between them: coloured
    bands reach the paper's edges, and the gaps above and below the content are equal.
    """
    scale = page.width / frame.width
    page_h = page.height / scale
    strip = None
    if footer_height and footer_height <= page_h and footer_height < frame.height - 1e-6:
        strip = (frame.height - footer_height, frame.height)
    index = _OpIndex(frame.ops)
    head_end = banner_bottom(frame, doc)
    # the gap under the last block is background, not content: it never costs a page
    drawn = index.extent(0.0, frame.height)
    end = max(drawn[1], head_end) if drawn is not None else 0.0
    pages: list[PosterPage] = []
    for cut in cut_band(frame, 0.0, end, page_h, skip=strip):
        top, bottom = cut.top, cut.bottom
        room_top, room_bottom = 0.0, page_h
        bands: list[tuple[float, float, float]] = []
        if top <= 1e-6 and 0 < head_end <= bottom:
            head = index.extent(0.0, head_end)
            if head is not None:
                bands.append((0.0, head[1], 0.0))
                room_top = head[1]
            top = head_end
        tail = None
        if strip is not None and bottom >= end - 1e-6 and strip[0] >= top - 1e-6:
            tail = (strip[0], strip[1], page_h - footer_height)  # type: ignore[operator]
            room_bottom = tail[2]
            bottom = strip[0]
        body = index.extent(top, bottom)
        if body is not None:
            a, b = body
            bands.append((a, b, room_top + (room_bottom - room_top - (b - a)) / 2))
        if tail is not None:
            bands.append(tail)
        pages.append(PosterPage(cut, tuple(bands)))
    return PosterPlan(scale, page_h, tuple(pages))


def _paint_poster(c: Canvas, painter: PdfPainter, frame: Frame, plan: PosterPlan, background: str) -> None:
    """Poster pages: the background to the page edges, then the page's bands; marks as bookmarks."""
    ops = _OpIndex(frame.ops)
    width, page_h = frame.width, plan.page_height
    marks = sorted((m for m in frame.marks if m.level <= TOC_DEPTH), key=lambda m: m.y)
    tops = [p.cut.top for p in plan.pages]
    at_page: dict[int, list[tuple[int, Any]]] = {}
    for n, m in enumerate(marks):
        i = max(0, bisect.bisect_right(tops, m.y + 1e-6) - 1)
        at_page.setdefault(i, []).append((n, m))
    for i, pg in enumerate(plan.pages):
        c.saveState()
        c.transform(plan.scale, 0, 0, -plan.scale, 0, page_h * plan.scale)  # design px, y down
        painter.rect(Rect(0, 0, width, page_h, fill=background))
        for top, bottom, at in pg.bands:
            _paint_band(painter, ops, width, top, bottom, at)
        c.restoreState()
        for n, m in at_page.get(i, ()):
            y_pt = (page_h - pg.page_y(m.y)) * plan.scale
            c.bookmarkPage(f"tushuo-mark-{n}", fit="XYZ", left=0, top=min(page_h * plan.scale, y_pt + 6))
        c.showPage()
    if not plan.pages:
        c.showPage()  # an empty frame still makes a valid one-page PDF
    level0 = min((m.level for m in marks), default=1)
    prev = -1
    for n, m in enumerate(marks):
        lvl = min(m.level - level0, prev + 1)
        c.addOutlineEntry(m.title.strip(), f"tushuo-mark-{n}", level=lvl, closed=lvl > 0 or None)
        prev = lvl
    if marks:
        c.showOutline()


class _OpIndex:
    """Top-level ops with precomputed vertical extents, for fast per-page selection."""

    def __init__(self, ops: list[Op]) -> None:
        self.ops = ops
        spans = []
        for i, op in enumerate(ops):
            _, y, _, h = op.bbox()
            top, bottom = y, y + h
            if isinstance(op, Text):  # lines may reach past the layout's box
                for r in op.runs:
                    _, ry, _, rh = r.bbox()
                    top, bottom = min(top, ry), max(bottom, ry + rh)
            spans.append((top, bottom, i))
        spans.sort()
        self.tops = [s[0] for s in spans]
        self.spans = spans

    def between(self, y0: float, y1: float) -> list[Op]:
        """Ops that intersect [y0, y1), in drawing order."""
        end = bisect.bisect_left(self.tops, y1)
        idx = sorted(i for top, bottom, i in self.spans[:end] if bottom > y0)
        return [self.ops[i] for i in idx]

    def extent(self, y0: float, y1: float) -> tuple[float, float] | None:
        """(top, bottom) of what is drawn in [y0, y1), clamped to it; None when nothing is."""
        end = bisect.bisect_left(self.tops, y1)
        inside = [(top, bottom) for top, bottom, _ in self.spans[:end] if bottom > y0]
        if not inside:
            return None
        return max(y0, min(t for t, _ in inside)), min(y1, max(b for _, b in inside))


def _set_info(c: Canvas, frame: Frame, doc: Document | None) -> None:
    """Title, author, subject, creator and a fixed creation date (meta.date or 2000-01-01)."""
    title = doc.title if doc is not None else "tushuo"
    c.setTitle(title)
    c.setViewerPreference("DisplayDocTitle", "true")  # viewers show the title, not the file name
    c.setCreator("tushuo")
    c.setProducer("tushuo (reportlab)")
    if doc is not None:
        author = doc.meta.get("author")
        if author:
            c.setAuthor(str(author))
        if doc.subtitle:
            c.setSubject(doc.subtitle)
    date = doc.meta_date() if doc is not None else None
    stamp = f"D:{date:%Y%m%d}000000+08'00'" if date else "D:20000101000000+00'00'"
    c.setDateFormatter(lambda *_: stamp)


# ----------------------------------------------------------------------------- writing
def write_pdf(
    frame: Frame,
    doc: Document | None,
    path: str | Path,
    *,
    page_size: str | PageSize | None = None,
    theme: Theme | None = None,
    fonts: FontBook | None = None,
    mode: str | None = None,
) -> list[Path]:
    """Write the PDF to ``path`` (atomically); returns ``[path]``.

    ``page_size`` overrides ``doc.output.page_size``: pocket (default), A6, A5, A4
    or "W x H" in mm; ``mode`` overrides ``doc.output.pdf_mode`` (manual or poster).
    """
    path = Path(path)
    data = render_pdf(frame, doc, page_size=page_size, theme=theme, fonts=fonts, mode=mode)
    write_atomic(path, data)
    return [path]


__all__ = [
    "PAGE_SIZES_MM",
    "PDF_MODES",
    "PagePlan",
    "PageSize",
    "PdfPainter",
    "PosterPage",
    "PosterPlan",
    "parse_page_size",
    "pdf_font",
    "pdf_mode",
    "plan_pages",
    "plan_poster",
    "render_pdf",
    "write_pdf",
]
