"""The long frame as finished pages: page sizes, the manual's and the poster's page plans, page frames.

``paginate.py`` decides where the frame is cut; this module puts each cut on a page
with its furniture (``furniture.py``: cover, contents, running header, page footer,
back cover), a table's header row repeated above a continued table, and the closing
strip at the foot of the last page. The result, a ``Book``, is a list of page-sized
Frames plus bookmark anchors, links and the outline: the PDF painter walks it and
writes nothing of its own but the PDF's structure.

Choices, documented once:

* Cover: when the frame starts with a full-bleed banner (a ``banner`` Box at y 0) and
  there is a document, the cover page *replaces* it: body pages start at the frame's
  first break below the banner.
* Table of contents and outline: marks of level 1 and 2 (sections, headings); the
  contents page is left out when there are fewer than two entries, and its rows close up
  (to 80 %) when that keeps it on one page (``furniture.TOC_SQUEEZE``).
* Page numbers count physical pages (the cover is page 1, unnumbered), so the numbers
  in the contents agree with every viewer's page box.
* A line of text that straddles a cut is drawn on exactly one page: the one holding
  its middle (a forced cut only; safe breaks never cross a line).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..errors import SpecError
from ..frame import BBox, Frame, Glyphs, Group, Op, Rect, Text, shift
from . import furniture
from .paginate import Cut, cut_frame

if TYPE_CHECKING:
    from ..spec.document import Document
    from ..spec.theme import Theme
    from ..text.fonts import FontBook

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
#: marks down to this level go into the contents and the outline
TOC_DEPTH = 2
#: page margins in theme px at 1080 wide (a pocket page is 1920 px tall): header and footer live here
MARGIN_TOP = furniture.MARGIN_TOP
MARGIN_BOTTOM = furniture.MARGIN_BOTTOM
PDF_MODES = ("manual", "poster")


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


def pdf_mode(mode: str | None, doc: Document | None) -> str:
    """``mode``, else the document's ``output.pdf_mode``, else ``manual``; an unknown one is a SpecError."""
    if mode is None:
        mode = doc.output.pdf_mode if doc is not None else "manual"
    if mode not in PDF_MODES:
        raise SpecError(f"unknown PDF mode '{mode}' (use manual or poster)")
    return mode


# ----------------------------------------------------------------------------- selecting ops
class OpIndex:
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


def _middle_in(top: float, bottom: float, band: tuple[float, float]) -> bool:
    return band[0] <= (top + bottom) / 2 < band[1]


def _glyphs_in(run: Glyphs, band: tuple[float, float]) -> bool:
    top = run.y - run.ascent * run.size
    return _middle_in(top, top + (run.ascent + run.descent) * run.size, band)


#: How far (design px) a shape's ink may reach past its box: strokes, arrowheads, shadows.
_SHAPE_SLACK = 64.0


def _only_band(op: Op, band: tuple[float, float]) -> Op | None:
    """``op`` with the lines of text whose middle lies outside ``band`` left out (None: nothing left)."""
    if isinstance(op, Text):
        runs: list[Glyphs] = []
        first: Glyphs | None = None
        for r in op.runs:
            if first is None or abs(first.y - r.y) >= 1e-6:
                first = r  # a line's runs go with its first run
            if _glyphs_in(first, band):
                runs.append(r)
        unders = tuple(u for u in op.underlays if _middle_in(u.y, u.y + u.h, band))
        if len(runs) == len(op.runs) and len(unders) == len(op.underlays):
            return op
        if not runs and not unders:
            return None
        return replace(op, runs=tuple(runs), underlays=unders)
    if isinstance(op, Glyphs):
        return op if _glyphs_in(op, band) else None
    if isinstance(op, Group):
        kept = [o for o in (_only_band(o, band) for o in op.ops) if o is not None]
        if len(kept) == len(op.ops) and all(a is b for a, b in zip(kept, op.ops)):
            return op
        return replace(op, ops=tuple(kept)) if kept else None
    # a shape wholly outside the band (with room for strokes and arrowheads) is clipped away on
    # this page anyway: a 2,000-row table drew all its rows' rules and fills on each of its 119
    # pages (quadratic: 120 s and a 5.6 MB file)
    _, y, _, h = op.bbox()
    return op if y - _SHAPE_SLACK < band[1] and y + h + _SHAPE_SLACK > band[0] else None


def band_group(index: OpIndex, width: float, top: float, bottom: float, at: float, *,
               room: float | None = None) -> Group:
    """Frame band [top, bottom) as a Group clipped to it, moved so its top lands at page y ``at``.

    ``room``: the clip stops there (a page's body band); what lies below is only the
    blank of a gap and connector stubs (``paginate.blank_above``).
    """
    dy = at - top
    ops = [o for o in (_only_band(op, (top, bottom)) for op in index.between(top, bottom)) if o is not None]
    h = bottom - top if room is None else min(bottom - top, room)
    return Group(tuple(shift(op, 0, dy) for op in ops), clip=(0, at, width, h))


# ----------------------------------------------------------------------------- the manual's plan
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


def banner_bottom(frame: Frame) -> float:
    """Where the body starts below a leading full-bleed banner (a ``banner`` Box at y 0): 0 without one."""
    boxes = [b for b in frame.boxes if b.kind == "banner" and b.y <= 1e-6]
    if not boxes:
        return 0.0
    breaks = frame.sorted_breaks()
    bottom = max(b.y + b.h for b in boxes)
    i = bisect.bisect_left(breaks, bottom - 1e-6)
    return breaks[i] if i < len(breaks) else frame.height


def plan_pages(frame: Frame, doc: Document | None, page: PageSize, *, unit: float | None = None) -> PagePlan:
    """Scale the frame to the page width and cut the body into page bands (``paginate.cut_frame``).

    ``unit`` is design px per 1080-px theme px (default frame.width / 1080), for the margins.
    With a document the cover replaces a leading banner. The closing strip the stack
    recorded (``furniture.closing_strip``) is never split but set whole at the foot of
    the last page, or of a page of its own.
    """
    unit = frame.width / 1080.0 if unit is None else unit
    scale = page.width / frame.width
    page_h = page.height / scale
    top_m, bottom_m = MARGIN_TOP * unit, MARGIN_BOTTOM * unit
    band = page_h - top_m - bottom_m
    start = banner_bottom(frame) if doc is not None else 0.0
    end = frame.height
    strip = furniture.closing_strip(frame)
    footer = None
    if strip is not None and start < strip[0] and strip[1] - strip[0] <= band:
        footer = strip
        before = [b for b in frame.sorted_breaks() if start < b <= footer[0] + 1e-6]
        end = before[-1] if before else footer[0]
    cuts = cut_frame(frame, band, start=start, end=end)
    footer_page = 0
    if footer is not None:
        last = cuts[-1] if cuts else None
        used = (last.height + (last.repeat[1] - last.repeat[0] if last.repeat else 0.0)) if last else band
        gap = 40 * unit
        footer_page = len(cuts) - 1 if cuts and band - used >= footer[1] - footer[0] + gap else len(cuts)
    return PagePlan(page, scale, page_h, top_m, bottom_m, start, tuple(cuts), footer, footer_page)


# ----------------------------------------------------------------------------- the poster's plan
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


def plan_poster(frame: Frame, doc: Document | None, page: PageSize) -> PosterPlan:
    """Poster pages: the frame at the page width, cut at safe breaks into page-tall pieces.

    No margins and no chrome: the design's own spacing frames it. A page whose content
    is shorter than the page is centred on it, except that a leading full-bleed banner
    keeps to the page's top edge and the closing strip (never split) to its bottom
    edge, with the content centred in the room between them: coloured bands reach the
    paper's edges, and the gaps above and below the content are equal.
    """
    scale = page.width / frame.width
    page_h = page.height / scale
    strip = furniture.closing_strip(frame)
    if strip is not None and not (strip[1] - strip[0] <= page_h and strip[0] > 1e-6):
        strip = None
    index = OpIndex(frame.ops)
    head_end = banner_bottom(frame) if doc is not None else 0.0
    # the gap under the last block is background, not content: it never costs a page
    drawn = index.extent(0.0, frame.height)
    end = max(drawn[1], head_end) if drawn is not None else 0.0
    pages: list[PosterPage] = []
    for cut in cut_frame(frame, page_h, end=end, skip=strip, pages=False):
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
            tail = (strip[0], strip[1], page_h - (strip[1] - strip[0]))
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


# ----------------------------------------------------------------------------- finished pages
@dataclass(frozen=True)
class Page:
    """One finished page: a page-sized frame (design px), bookmark anchors and links on it.

    ``anchors``: (bookmark key, page y in design px). ``links``: (bookmark key, box).
    The first ``artifacts`` ops of the frame are page furniture (running header, page
    number): pagination, not content, for the PDF's structure tree.
    """

    frame: Frame
    kind: str  # cover, contents, body, back, poster
    anchors: tuple[tuple[str, float], ...] = ()
    links: tuple[tuple[str, BBox], ...] = ()
    artifacts: int = 0


@dataclass(frozen=True)
class Book:
    """The document as pages: the page size, pt per design px, the pages and the outline.

    ``outline`` entries are (title, level from 0, bookmark key), levels already nested
    so that none is more than one deeper than the entry before it.
    """

    size: PageSize
    scale: float
    pages: tuple[Page, ...]
    outline: tuple[tuple[str, int, str], ...] = ()


def _outline(entries: list[tuple[str, int, str]]) -> tuple[tuple[str, int, str], ...]:
    level0 = min((lv for _, lv, _ in entries), default=1)
    out = []
    prev = -1
    for title, level, key in entries:
        lvl = min(level - level0, prev + 1)
        out.append((title, lvl, key))
        prev = lvl
    return tuple(out)


def make_book(frame: Frame, doc: Document | None, page: PageSize, *, mode: str = "manual",
              theme: Theme | None = None, fonts: FontBook | None = None) -> Book:
    """The finished pages of the frame as a manual (cover, contents, body pages) or a poster."""
    theme = theme or furniture.frame_theme(frame)
    fonts = fonts or furniture.frame_fonts(frame)
    background = frame.background or theme.palette.background
    if mode == "poster":
        return _poster_book(frame, doc, page, background)
    ctx = furniture.page_context(theme, fonts, frame.width, doc)
    plan = plan_pages(frame, doc, page)
    width, page_h = frame.width, plan.page_height
    entries = furniture.toc_entries(frame.marks, plan, depth=TOC_DEPTH)
    toc_pages = furniture.toc_pages(ctx, entries, page_h) if len(entries) >= 2 else []
    first_body = (1 if doc is not None else 0) + len(toc_pages) + 1
    numbered = [(e.title, e.level, e.key, first_body + e.index) for e in entries]
    pages: list[Page] = []
    if doc is not None:
        pages.append(Page(furniture.cover(ctx, doc, page_h), "cover"))
    for i, _ in enumerate(toc_pages):
        toc = furniture.toc_page(ctx, numbered, i, page_h, background=background)
        pages.append(Page(toc.frame, "contents", links=tuple(toc.links)))
    index = OpIndex(frame.ops)
    marks_by_page = furniture.marks_by_cut(entries)
    for i in range(plan.body_pages):
        if i == len(plan.cuts):  # the closing strip on a page of its own: a back cover
            assert plan.footer is not None
            strip = plan.footer[1] - plan.footer[0]
            f = furniture.back_cover(ctx, doc, page_h, strip)
            f.add(band_group(index, width, plan.footer[0], plan.footer[1], page_h - strip))
            pages.append(Page(f, "back"))
            continue
        cut = plan.cuts[i]
        f = furniture.page_chrome(ctx, doc, plan, cut, first_body + i, background=background, marks=frame.marks)
        chrome = len(f.ops)
        at = plan.margin_top
        if cut.repeat is not None:  # a table continued: its header row first
            f.add(band_group(index, width, cut.repeat[0], cut.repeat[1], at))
            at += cut.repeat[1] - cut.repeat[0]
        f.add(band_group(index, width, cut.top, cut.bottom, at, room=plan.margin_top + plan.band - at))
        if plan.footer is not None and i == plan.footer_page:
            f.add(band_group(index, width, plan.footer[0], plan.footer[1], plan.footer_y()))
        anchors = tuple((e.key, at + e.y - cut.top) for e in marks_by_page.get(i, ()))
        pages.append(Page(f, "body", anchors=anchors, artifacts=chrome))
    return Book(page, plan.scale, tuple(pages), _outline([(e.title, e.level, e.key) for e in entries]))


def _poster_book(frame: Frame, doc: Document | None, page: PageSize, background: str) -> Book:
    """Poster pages: the background to the page edges, then the page's bands; marks as bookmarks."""
    plan = plan_poster(frame, doc, page)
    index = OpIndex(frame.ops)
    width, page_h = frame.width, plan.page_height
    marks = sorted((m for m in frame.marks if m.level <= TOC_DEPTH), key=lambda m: m.y)
    tops = [p.cut.top for p in plan.pages]
    at_page: dict[int, list[tuple[str, float]]] = {}
    for n, m in enumerate(marks):
        i = max(0, bisect.bisect_right(tops, m.y + 1e-6) - 1)
        if i < len(plan.pages):
            at_page.setdefault(i, []).append((f"tushuo-mark-{n}", plan.pages[i].page_y(m.y)))
    pages = []
    for i, pg in enumerate(plan.pages):
        f = Frame(width, page_h, background=background)
        f.add(Rect(0, 0, width, page_h, fill=background))
        for top, bottom, at in pg.bands:
            f.add(band_group(index, width, top, bottom, at))
        pages.append(Page(f, "poster", anchors=tuple(at_page.get(i, ()))))
    outline = _outline([(m.title.strip(), m.level, f"tushuo-mark-{n}") for n, m in enumerate(marks)])
    return Book(page, plan.scale, tuple(pages), outline)


__all__ = [
    "MM",
    "PAGE_SIZES_MM",
    "PDF_MODES",
    "Book",
    "OpIndex",
    "Page",
    "PagePlan",
    "PageSize",
    "PosterPage",
    "PosterPlan",
    "band_group",
    "banner_bottom",
    "make_book",
    "parse_page_size",
    "pdf_mode",
    "plan_pages",
    "plan_poster",
]
