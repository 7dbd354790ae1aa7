"""One walk over a frame's ops, and the primitives a painter implements (``Painter``).

The model is matplotlib's ``RendererBase``: the figure walks itself and calls a handful
of drawing primitives that each backend (``RendererAgg``, PDF, SVG) implements. Here the
walker owns everything about structure, so it exists once and not in three painters:

* drawing order;
* groups: ``push_clip`` / ``pop_clip`` around a Group's children (a painter may say
  nothing inside can show, and the children are skipped);
* text: a Text's underlays first (as rects), then its glyph runs a line at a time
  (runs that share a baseline, in order), so a painter draws glyphs and never sees Text;
* band culling: with ``band`` (top, bottom in design px, the painter's margin already
  added), ops whose vertical extent (:func:`y_span`) misses it are not drawn; a line of
  glyphs is culled by its own extent;
* content marking (the PDF structure tree): a painter with ``marks_content`` gets
  ``begin_content``/``end_content`` around each unit of content: a top-level op, or each
  child of a Group without ``alt`` (a Group with ``alt``, a chart, is one unit).

A painter only draws what the frame says: no layout, no measuring, no file reads.
Dispatch is one dict lookup per op to a bound method; glyph runs go to the painter a
line at a time, so its hot loop (one glyph after another) has no dispatch in it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..errors import RenderError
from ..frame import Ellipse, Glyphs, Group, Image, Line, Op, Path, Rect, Text

Band = tuple[float, float]


class Painter(Protocol):
    """The drawing primitives of one output (raster.py, pdf.py, svg.py); coordinates are design px, y down."""

    #: True for a painter that tags content (PDF): the walker then calls begin/end_content
    marks_content: bool

    def rect(self, op: Rect) -> None: ...

    def ellipse(self, op: Ellipse) -> None: ...

    def line(self, op: Line) -> None: ...

    def path(self, op: Path) -> None: ...

    def image(self, op: Image) -> None: ...

    def glyphs(self, line: Sequence[Glyphs]) -> None:
        """Glyph runs on one baseline, in order (one line of a Text, or a lone Glyphs op)."""

    def push_clip(self, group: Group) -> bool:
        """Enter a Group (``group.clip`` None: a plain grouping); False: nothing inside can
        show, so its children and ``pop_clip`` are skipped."""

    def pop_clip(self, group: Group) -> None: ...

    def begin_content(self, op: Op) -> None:
        """Start one unit of content (only called when ``marks_content``)."""

    def end_content(self, op: Op) -> None: ...


def y_span(op: Op) -> Band:
    """Vertical extent of an op in design px, generous enough for strokes and glyph ink."""
    if isinstance(op, Text):
        _, y, _, h = op.box
        lo, hi = y, y + h
        for r in op.runs:
            lo = min(lo, r.y - 1.2 * r.size)
            hi = max(hi, r.y + 0.6 * r.size)
        return lo, hi
    if isinstance(op, Glyphs):
        return op.y - 1.2 * op.size, op.y + 0.6 * op.size
    if isinstance(op, Group) and op.clip is None:
        spans = [y_span(o) for o in op.ops]
        return (min((a for a, _ in spans), default=0.0), max((b for _, b in spans), default=0.0))
    _, y, _, h = op.bbox()
    pad = getattr(op, "stroke_width", 0.0) or 0.0
    return y - pad, y + h + pad


def text_lines(op: Text) -> list[list[Glyphs]]:
    """A Text's runs as lines: consecutive runs on the same baseline."""
    lines: list[list[Glyphs]] = []
    for run in op.runs:
        if lines and abs(lines[-1][-1].y - run.y) < 1e-6:
            lines[-1].append(run)
        else:
            lines.append([run])
    return lines


class Walker:
    """Walks one list of ops; keeps the top-level extents, so a frame painted band by band
    measures each op once."""

    def __init__(self, ops: Sequence[Op]) -> None:
        self.ops = ops
        self._spans: list[Band] | None = None

    def __call__(self, painter: Painter, band: Band | None = None) -> None:
        draw: dict[type, Callable[[Any], None]] = {
            Rect: painter.rect, Ellipse: painter.ellipse, Line: painter.line, Path: painter.path,
            Image: painter.image,
        }
        marks = painter.marks_content
        if band is None:
            _Walk(painter, draw, None, marks).ops(self.ops)
            return
        if self._spans is None:
            self._spans = [y_span(op) for op in self.ops]
        y0, y1 = band
        inside = [op for op, (a, b) in zip(self.ops, self._spans) if a < y1 and b > y0]
        _Walk(painter, draw, band, marks).ops(inside, culled=True)


def walk(ops: Sequence[Op], painter: Painter, band: Band | None = None) -> None:
    """Draw ``ops`` with ``painter`` (see the module docstring); ``band`` culls by vertical extent."""
    Walker(ops)(painter, band)


class _Walk:
    """One walk: the painter, its primitives by op type, the band and whether content is marked."""

    __slots__ = ("band", "draw", "marks", "p")

    def __init__(self, painter: Painter, draw: dict[type, Callable[[Any], None]], band: Band | None,
                 marks: bool) -> None:
        self.p, self.draw, self.band, self.marks = painter, draw, band, marks

    def _visible(self, y0: float, y1: float) -> bool:
        band = self.band
        return band is None or (y0 < band[1] and y1 > band[0])

    def ops(self, ops: Sequence[Op], *, culled: bool = False, marking: bool | None = None) -> None:
        """Each op in order; ``culled``: already known to meet the band; ``marking``: mark units here."""
        mark = self.marks if marking is None else marking
        check = self.band is not None and not culled
        for op in ops:
            if check and not self._visible(*y_span(op)):
                continue
            if mark and not (type(op) is Group and not op.alt):
                self.p.begin_content(op)
                self.op(op, False)
                self.p.end_content(op)
            else:
                self.op(op, mark)

    def op(self, op: Op, marking: bool) -> None:
        fn = self.draw.get(type(op))
        if fn is not None:
            fn(op)
        elif type(op) is Text:
            self.text(op)
        elif type(op) is Glyphs:
            self.p.glyphs((op,))
        elif type(op) is Group:
            if self.p.push_clip(op):
                self.ops(op.ops, marking=marking)
                self.p.pop_clip(op)
        else:
            raise RenderError(f"no painter can draw {type(op).__name__}")

    def text(self, op: Text) -> None:
        p = self.p
        for u in op.underlays:
            if self._visible(u.y, u.y + u.h):
                p.rect(u)
        if self.band is None:
            for line in text_lines(op):
                p.glyphs(line)
            return
        for line in text_lines(op):
            lo = min(r.y - 1.2 * r.size for r in line)
            hi = max(r.y + 0.6 * r.size for r in line)
            if self._visible(lo, hi):
                p.glyphs(line)


class PlainPainter:
    """Defaults for a painter that marks no content (raster, SVG)."""

    marks_content = False

    def begin_content(self, op: Op) -> None:  # pragma: no cover - never called: marks_content is False
        pass

    def end_content(self, op: Op) -> None:  # pragma: no cover
        pass


__all__ = ["Band", "Painter", "PlainPainter", "Walker", "text_lines", "walk", "y_span"]
