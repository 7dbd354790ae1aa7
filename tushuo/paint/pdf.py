"""PDF painter: finished pages (``layout.pages.Book``) painted with reportlab.

The pages arrive finished: ``layout/paginate.py`` chose the cuts, ``layout/pages.py``
put each on a page-sized frame with its furniture (cover, contents, running header,
page number, back cover, a repeated table header). This module paints those frames
and writes what only a PDF has: links, bookmarks, the outline, the structure tree
and the metadata. The y flip and the px → pt scale live here and nowhere else.

Text is real PDF text: each broken line of the frame becomes one text object
whose glyphs sit at the frame's own x positions (``TJ`` adjustments against the
advance widths written in the PDF), in TrueType subsets of the bundled fonts,
so it is selectable, searchable and extracted in reading order. reportlab's own
paragraph wrapping is never used: lines arrive broken by the text engine.

Choices, documented once:

* Charts are ordinary ops (a clipped group of shapes and text), tagged as one Figure
  with the chart's words as its alternative text.
* Deterministic: invariant mode, creation date from ``meta.date`` (or
  2000-01-01), subset names fixed by first use.
"""

from __future__ import annotations

import io
import struct
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..color import parse_color
from ..errors import RenderError
from ..frame import Ellipse, Frame, Glyphs, Group, Image, Line, Op, Rect, Text
from ..frame import Path as PathOp
from ..text.fonts import FontBook
from .geometry import arrow_parts, quad_to_cubic
from .walk import walk

if TYPE_CHECKING:
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from ..layout.pages import Book
    from ..spec.document import Document
    from ..spec.theme import Theme

#: the cap on photo resolution
RASTER_DPI = 300


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
    """The PDF primitives (``walk.Painter``) on a reportlab canvas whose current transform is
    design px, y down; every unit of content is marked for the structure tree."""

    def __init__(self, canvas: Canvas, fonts: FontBook, scale: float) -> None:
        self.c = canvas
        self.fonts = fonts
        self.scale = scale  # pt per design px, for raster resolution
        self._ttfonts: dict[str, TTFont] = {}
        self._images: dict[int, Any] = {}
        # Marked content for the structure tree (pdftags): every op is a tagged sequence
        # (text, headings, figures with their alternative text) or an artifact.
        self.tags: list[Any] = []
        self._mcids: dict[int, int] = {}
        self.artifacts = False  # set while painting page furniture (running header, page numbers)
        self.structure: Any = None  # pdftags.Structure: lists, tables, contents entries
        self._dy: float | None = None  # how far the band being painted moved the frame's ops
        self._depth = 0  # groups open

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

    def _stroke(self, color: str, width: float, dash: tuple[float, ...] | None = None,
                cap: int = 0, join: int = 0) -> None:
        r, g, b, a = parse_color(color)
        dash_op = f"[{' '.join(_n(d) for d in dash)}] 0 d" if dash else "[] 0 d"
        self._emit(f"{_n(r)} {_n(g)} {_n(b)} RG {_n(width)} w {dash_op} {cap} J {join} j")
        if a < 1:
            self.c.setStrokeAlpha(a)

    # -- content marking (the walker calls these around each unit of content) -------------
    marks_content = True

    def begin_content(self, op: Op) -> None:
        """Open ``op``'s marked-content sequence: tagged (P, H1–H3, Figure) or an artifact."""
        if self._depth == 0:
            self._dy = None  # a page's own op, not a band of the frame
        page = self.c.getPageNumber() - 1
        role = None if self.artifacts else _struct_role(op)
        parents: tuple = ()
        if role is not None and self.structure is not None:
            role, parents = self.structure.place(op, role, page, self._dy)
        if role is None:
            self._emit("/Artifact BMC")
            return
        from .pdftags import Tag

        mcid = self._mcids.get(page, 0)
        self._mcids[page] = mcid + 1
        self._emit(f"/{role} <</MCID {mcid}>> BDC")
        self.tags.append(Tag(page, mcid, role, op.alt if isinstance(op, (Image, Group)) else None, parents))

    def end_content(self, op: Op) -> None:
        self._emit("EMC")

    # -- shapes ------------------------------------------------------------
    def _paint_path(self, path: str, fill: bool, stroke: bool) -> None:
        self._emit(f"{path} {'B' if fill and stroke else 'f' if fill else 'S'}")

    def _shape(self, path: str, fill: str | None, stroke: str | None, width: float, *,
               dash: tuple[float, ...] | None = None, cap: int = 0, join: int = 0) -> None:
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
            self._shape(_path_ops(op.commands), op.fill, op.stroke, op.stroke_width, dash=op.dash,
                        cap=1 if op.cap == "round" else 0, join=1)

    def push_clip(self, group: Group) -> bool:
        if self._depth == 0 and self.structure is not None:
            self._dy = self.structure.offset(group)  # a band of the frame: where it came from
        self._depth += 1
        self.c.saveState()
        if group.clip:
            x, y, w, h = group.clip
            self._clip(_rect_path(x, y, w, h, group.radius))
        return True

    def pop_clip(self, group: Group) -> None:
        self._depth -= 1
        self.c.restoreState()

    # -- images --------------------------------------------------------------
    def image(self, op: Image) -> None:
        if op.w <= 0 or op.h <= 0:
            return
        c = self.c
        c.saveState()
        if op.radius > 0:
            self._clip(_rect_path(op.x, op.y, op.w, op.h, op.radius))
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
        im = op.image
        if im is None:
            self._images[id(op)] = (op, None)
            return None
        if im.width > max_px * 1.05:  # more pixels than 300 dpi can show: smaller file, same look
            ratio = max_px / im.width
            im = im.resize((max(1, round(im.width * ratio)), max(1, round(im.height * ratio))), PILImage.Resampling.LANCZOS)
        if im.mode not in ("RGB", "RGBA", "L", "LA", "1"):
            im = im.convert("RGBA" if "A" in im.getbands() or "transparency" in im.info else "RGB")
        if im.mode in ("RGB", "L") and im.getcolors(512) is None:
            # a photo: pass it through as JPEG (DCTDecode), a fraction of the flate size
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=88, optimize=True)
            buf.seek(0)
            reader = ImageReader(buf)
        else:
            reader = ImageReader(im)
        self._images[id(op)] = (op, reader)  # keep op alive so id() stays unique
        return reader

    # -- text ----------------------------------------------------------------
    def glyphs(self, line: Sequence[Glyphs]) -> None:
        """One line as one text object: each run in its subset font, every glyph at its x."""
        doc = self.c._doc
        runs = [r for r in line if r.text and r.xs]
        if runs:
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
    if isinstance(op, (Image, Group)) and op.alt:  # a picture or a chart with words
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


# ----------------------------------------------------------------------------- the document
def paint_book(book: Book, frame: Frame, doc: Document | None, *, theme: Theme, fonts: FontBook) -> bytes:
    """The finished pages of ``book`` (``layout.pages.make_book``) as PDF bytes.

    Paints each page's frame (its furniture as artifacts, the rest tagged) and writes the
    links, bookmarks, outline, structure tree and metadata: nothing is laid out here.
    ``frame`` is the document's long frame the pages were cut from (its marks name the
    structure); ``theme`` and ``fonts`` are the ones it was laid out with.
    """
    from reportlab import rl_config
    from reportlab.pdfgen.canvas import Canvas

    from ..script import LANG

    page = book.size
    # Page streams: flate only. reportlab's default adds ASCII85 on top (pure Python here:
    # a quarter of the render time) and makes the file a quarter bigger. Set for the
    # process, never toggled, so concurrent renders stay byte-identical.
    rl_config.useA85 = 0
    buf = io.BytesIO()
    # a TrueType initial font keeps reportlab from declaring an unembedded Helvetica
    initial = pdf_font(fonts.path(theme.fonts.body if theme.fonts.body in fonts.keys else "sans")).fontName
    c = Canvas(buf, pagesize=(page.width, page.height), invariant=1, pageCompression=1,
               initialFontName=initial, lang=LANG.get(getattr(doc, "script", "hans"), "zh-CN"))
    _set_info(c, frame, doc)
    painter = PdfPainter(c, fonts, book.scale)
    from .pdftags import Structure, add_link

    painter.structure = Structure(frame, [pg.links for pg in book.pages])
    titles = {key: title for title, _, key in book.outline}  # a contents link's words
    links: dict[tuple[int, str], Any] = {}
    s = book.scale
    for pg in book.pages:
        c.saveState()
        c.transform(s, 0, 0, -s, 0, page.height)  # design px, y down, origin at the page's top-left
        ops = pg.frame.ops
        painter.artifacts = True  # running header, page number: pagination, not content
        walk(ops[: pg.artifacts], painter)
        painter.artifacts = False
        walk(ops[pg.artifacts :], painter)
        c.restoreState()
        for key, (x, y, w, h) in pg.links:
            add_link(c, c.getPageNumber() - 1, key, (x * s, page.height - (y + h) * s, (x + w) * s, page.height - y * s),
                     titles.get(key, ""), links)
        for key, y in pg.anchors:
            c.bookmarkPage(key, fit="XYZ", left=0, top=min(page.height, page.height - y * s + 6))
        c.showPage()
    if not book.pages:
        c.showPage()  # an empty frame still makes a valid one-page PDF
    for title, level, key in book.outline:
        c.addOutlineEntry(title, key, level=level, closed=level > 0 or None)
    if book.outline:
        c.showOutline()
    from .pdftags import add_structure

    add_structure(c, painter.tags, links)  # the structure tree of what the painter marked, written with the file
    c.save()
    return buf.getvalue()


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
__all__ = ["PdfPainter", "paint_book", "pdf_font"]
