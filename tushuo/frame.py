"""Frame: a laid-out picture as positioned drawing ops, plus where it may be cut.

One coordinate space for everything: top-left origin, y down, design pixels.
Painters (Pillow, PDF, SVG) only walk these ops; they never measure or wrap text.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, Union, cast

if TYPE_CHECKING:  # types only: this module imports nothing from tushuo (nor Pillow) at run time
    from PIL.Image import Image as PILImage

    from .spec.theme import Theme
    from .text.fonts import FontBook

Color = str  # '#RRGGBB' or '#RRGGBBAA'
BBox = tuple[float, float, float, float]  # x, y, w, h


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle, optionally rounded, filled (flat or vertical gradient) and/or stroked."""

    x: float
    y: float
    w: float
    h: float
    fill: Color | None = None
    stroke: Color | None = None
    stroke_width: float = 0.0
    radius: float = 0.0
    gradient: tuple[Color, Color] | None = None  # top colour, bottom colour; overrides fill
    dash: tuple[float, float] | None = None

    def bbox(self) -> BBox:
        return (self.x, self.y, self.w, self.h)


@dataclass(frozen=True, slots=True)
class Ellipse:
    """An ellipse (a circle when w == h) inscribed in the box."""

    x: float
    y: float
    w: float
    h: float
    fill: Color | None = None
    stroke: Color | None = None
    stroke_width: float = 0.0

    def bbox(self) -> BBox:
        return (self.x, self.y, self.w, self.h)


@dataclass(frozen=True, slots=True)
class Line:
    """A polyline with optional arrow heads (filled triangles of ``arrow_size`` px)."""

    points: tuple[tuple[float, float], ...]
    color: Color
    width: float = 2.0
    dash: tuple[float, float] | None = None
    arrow_start: bool = False
    arrow_end: bool = False
    arrow_size: float = 0.0  # 0: 4.5 x width

    def bbox(self) -> BBox:
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        pad = max(self.width / 2, self.arrow_size or (4.5 * self.width if (self.arrow_start or self.arrow_end) else 0))
        return (min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)


#: Path commands: ("M", x, y), ("L", x, y), ("Q", cx, cy, x, y), ("C", c1x, c1y, c2x, c2y, x, y), ("Z",)
PathCmd = Union[
    tuple[Literal["M", "L"], float, float],
    tuple[Literal["Q"], float, float, float, float],
    tuple[Literal["C"], float, float, float, float, float, float],
    tuple[Literal["Z"]],
]


@dataclass(frozen=True, slots=True)
class Path:
    """A vector path (icons, tick and cross marks, ornaments). Curves are flattened by painters that need it."""

    commands: tuple[PathCmd, ...]
    fill: Color | None = None
    stroke: Color | None = None
    stroke_width: float = 0.0
    cap: Literal["butt", "round"] = "round"
    #: the stroke's dash pattern in px: on, off, on, off … (None: solid)
    dash: tuple[float, ...] | None = None

    def points(self) -> list[tuple[float, float]]:
        pts: list[tuple[float, float]] = []
        for cmd in self.commands:
            vals = cmd[1:]
            pts.extend((vals[i], vals[i + 1]) for i in range(0, len(vals), 2))
        return pts

    def bbox(self) -> BBox:
        pts = self.points()
        if not pts:
            return (0, 0, 0, 0)
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        pad = self.stroke_width / 2 if self.stroke else 0
        return (min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad, max(ys) - min(ys) + 2 * pad)


@dataclass(frozen=True, slots=True)
class Glyphs:
    """Characters drawn in one resolved face at explicit x positions on one baseline.

    ``xs[i]`` is the pen position of ``text[i]``; ``end`` is where the last advance ends.
    ``face`` is a FontBook key already resolved through the fallback chain. ``trim`` is
    blank trimmed off the left of the first glyph (an opening bracket at a line start,
    set half an em left so its ink meets the margin): the run's box starts at ``xs[0] + trim``.
    """

    text: str
    xs: tuple[float, ...]
    end: float
    y: float  # baseline
    face: str
    size: float
    color: Color
    ascent: float = 0.88  # fraction of size above the baseline (em box)
    descent: float = 0.12
    trim: float = 0.0

    def bbox(self) -> BBox:
        x0 = self.xs[0] + self.trim if self.xs else self.end
        return (x0, self.y - self.ascent * self.size, self.end - x0, (self.ascent + self.descent) * self.size)


@dataclass(frozen=True, slots=True)
class Text:
    """Already-broken text: glyph runs plus the box the text must stay inside.

    ``background`` is what the text stands on (for contrast checks); ``role`` names
    the theme text role (body, caption, title, ...) for lints. ``underlays`` are
    decorations painted first (highlight marks).
    """

    runs: tuple[Glyphs, ...]
    box: BBox
    role: str = "body"
    background: Color | None = None
    underlays: tuple[Rect, ...] = ()
    overflow: bool = False  # the layout had to cut or could not fit the text

    def bbox(self) -> BBox:
        return self.box

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True, slots=True, eq=False)
class Image:
    """A raster picture placed in a box.

    ``image`` is a PIL image already cropped to the box's aspect ratio.
    ``natural_size`` is the source's pixel size, for the blurry-upscale lint.
    """

    x: float
    y: float
    w: float
    h: float
    image: PILImage | None = None
    radius: float = 0.0
    natural_size: tuple[int, int] | None = None
    alt: str | None = None  # what it shows, in words (PDF /Alt of its Figure); None: decoration

    def bbox(self) -> BBox:
        return (self.x, self.y, self.w, self.h)


@dataclass(frozen=True, slots=True)
class Group:
    """Ops drawn inside a clip rectangle; with ``alt`` (a chart) one figure with words."""

    ops: tuple[Op, ...]
    clip: BBox | None = None
    radius: float = 0.0
    alt: str | None = None  # what it shows, in words (PDF /Alt of its Figure); None: plain grouping

    def bbox(self) -> BBox:
        if self.clip:
            return self.clip
        return union_bbox(op.bbox() for op in self.ops)


Op = Union[Rect, Ellipse, Line, Path, Glyphs, Text, Image, Group]


@dataclass(frozen=True, slots=True)
class Box:
    """An atomic item (a step box, a card, a table row): never cut, never overlapped by another."""

    x: float
    y: float
    w: float
    h: float
    kind: str
    key: str = ""

    def bbox(self) -> BBox:
        return (self.x, self.y, self.w, self.h)


@dataclass(frozen=True, slots=True)
class Mark:
    """A heading or section start: PDF bookmark and table-of-contents entry."""

    y: float
    title: str
    level: int = 1


@dataclass(frozen=True, slots=True)
class Keep:
    """A band a page or slice break should not fall inside (TeX's penalties, as bands).

    A break strictly inside (top, bottom) costs ``penalty`` (``layout.paginate.KEEP``: only
    when nothing else fits). With ``with_next`` the band reaches on to the first safe break
    below ``bottom``: a heading or block title kept with the first unit of what follows,
    whatever that turns out to be. ``why`` names the rule (heading, title, section,
    header (a comparison's column headers with its first row), decision, loop, club, widow).
    """

    top: float
    bottom: float
    penalty: float
    why: str = ""
    with_next: bool = False


@dataclass(frozen=True, slots=True)
class Repeat:
    """A band [top, bottom) (a table's header row) set again at the top of a page that starts inside (bottom, until)."""

    top: float
    bottom: float
    until: float


@dataclass
class Frame:
    """Size + ops + safe cut positions. Built by layouts, read by painters."""

    width: float
    height: float
    ops: list[Op] = field(default_factory=list)
    breaks: list[float] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    background: Color | None = None
    # The FontBook the layout measured with (a theme may bring its own fonts):
    # painters must draw with the same one. None means the bundled default.
    fonts: FontBook | None = None
    #: The resolved Theme the layout used (page furniture in PDF and SVG takes its colours
    #: from it, not from the spec). None: the built-in defaults.
    theme: Theme | None = None
    #: (top, bottom, spec path) of each block laid out in this frame (the stack records them),
    #: so a lint about an op can name the block it came from (``tushuo check``).
    origins: list[tuple[float, float, str]] = field(default_factory=list)
    #: bands page and slice breaks should keep together, and header rows repeated after a break
    keeps: list[Keep] = field(default_factory=list)
    repeats: list[Repeat] = field(default_factory=list)

    def add(self, *ops: Op) -> None:
        self.ops.extend(ops)

    def add_break(self, y: float) -> None:
        if 0 < y < self.height or self.height == 0:
            self.breaks.append(y)

    def place(self, child: Frame, dx: float, dy: float, *, keep_breaks: bool = True) -> None:
        """Copy ``child``'s ops, boxes, marks, keeps, repeats (and breaks) into this frame at (dx, dy)."""
        self.ops.extend(shift(op, dx, dy) for op in child.ops)
        self.boxes.extend(replace(b, x=b.x + dx, y=b.y + dy) for b in child.boxes)
        self.marks.extend(replace(m, y=m.y + dy) for m in child.marks)
        self.origins.extend((a + dy, b + dy, where) for a, b, where in child.origins)
        self.keeps.extend(replace(k, top=k.top + dy, bottom=k.bottom + dy) for k in child.keeps)
        self.repeats.extend(Repeat(r.top + dy, r.bottom + dy, r.until + dy) for r in child.repeats)
        if keep_breaks:
            self.breaks.extend(b + dy for b in child.breaks)

    def sorted_breaks(self) -> list[float]:
        """Unique breaks inside (0, height), ascending."""
        return sorted({round(b, 3) for b in self.breaks if 0 < b < self.height})

    def walk(self) -> Iterator[Op]:
        """Every op, groups flattened (depth first)."""
        stack = list(reversed(self.ops))
        while stack:
            op = stack.pop()
            yield op
            if isinstance(op, Group):
                stack.extend(reversed(op.ops))

    def dump(self) -> str:
        """The frame as readable text, one op a line (groups indented), numbers to 0.1 px:
        a layout change shows as a reviewable diff (tests/snapshots/)."""
        head = f"Frame {_num(self.width)} x {_num(self.height)}"
        lines = [head + (f" background {self.background}" if self.background else "")]
        if self.breaks:
            lines.append("breaks " + " ".join(_num(b) for b in self.sorted_breaks()))
        lines += [f"box {b.kind}{' ' + b.key if b.key else ''} {_box(b.bbox())}" for b in self.boxes]
        lines += [f"mark L{m.level} y={_num(m.y)} {m.title!r}" for m in self.marks]
        lines += [f"origin {_num(a)}..{_num(b)} {where}" for a, b, where in self.origins]
        for op in self.ops:
            _dump_op(op, "", lines)
        return "\n".join(lines) + "\n"

    def ops_between(self, y0: float, y1: float) -> list[Op]:
        """Top-level ops that intersect the band [y0, y1)."""
        out = []
        for op in self.ops:
            _, oy, _, oh = op.bbox()
            if oy < y1 and oy + oh > y0:
                out.append(op)
        return out


def _num(v: float) -> str:
    text = f"{v:.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def _box(b: BBox) -> str:
    return f"{_num(b[0])},{_num(b[1])} {_num(b[2])}x{_num(b[3])}"


def _paint(fill: Color | None, stroke: Color | None = None, width: float = 0.0) -> str:
    out = f" fill={fill}" if fill else ""
    return out + (f" stroke={stroke}/{_num(width)}" if stroke else "")


def _dump_op(op: Op, indent: str, out: list[str]) -> None:
    """One op as one line (a Text as its lines, a Group as its ops indented)."""
    name = type(op).__name__
    if isinstance(op, Rect):
        extra = (f" r={_num(op.radius)}" if op.radius else "") + (f" gradient={op.gradient[0]}..{op.gradient[1]}"
                                                                  if op.gradient else "")
        out.append(f"{indent}Rect {_box(op.bbox())}{_paint(op.fill, op.stroke, op.stroke_width)}{extra}")
    elif isinstance(op, Ellipse):
        out.append(f"{indent}Ellipse {_box(op.bbox())}{_paint(op.fill, op.stroke, op.stroke_width)}")
    elif isinstance(op, Line):
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in op.points)
        arrows = ("<" if op.arrow_start else "") + (">" if op.arrow_end else "")
        out.append(f"{indent}Line {pts} {op.color}/{_num(op.width)}{' ' + arrows if arrows else ''}")
    elif isinstance(op, Path):
        dashed = " dash=" + "/".join(_num(d) for d in op.dash) if op.dash else ""
        out.append(f"{indent}Path {len(op.commands)} cmds {_box(op.bbox())}{_paint(op.fill, op.stroke, op.stroke_width)}"
                   f"{dashed}")
    elif isinstance(op, Glyphs):
        out.append(f"{indent}Glyphs {_num(op.xs[0] if op.xs else op.end)},{_num(op.y)} {op.face} {_num(op.size)} "
                   f"{op.color} {op.text!r}")
    elif isinstance(op, Text):
        bg = f" on {op.background}" if op.background else ""
        out.append(f"{indent}Text {op.role} {_box(op.box)}{bg}{' OVERFLOW' if op.overflow else ''}")
        for u in op.underlays:
            _dump_op(u, indent + "  ", out)
        line: list[Glyphs] = []
        for run in (*op.runs, None):
            if line and (run is None or abs(run.y - line[0].y) > 1e-6):
                first = line[0]
                x0 = first.xs[0] if first.xs else first.end
                text = "".join(r.text for r in line)
                out.append(f"{indent}  | {_num(x0)}..{_num(line[-1].end)} y={_num(first.y)} {first.face} "
                           f"{_num(first.size)} {first.color} {text!r}")
                line = []
            if run is not None:
                line.append(run)
    elif isinstance(op, Image):
        size = f" {op.natural_size[0]}x{op.natural_size[1]}px" if op.natural_size else ""
        out.append(f"{indent}Image {_box(op.bbox())}{size}{f' r={_num(op.radius)}' if op.radius else ''}")
    elif isinstance(op, Group):
        clip = f" clip={_box(op.clip)}" if op.clip else ""
        out.append(f"{indent}Group{clip}{f' r={_num(op.radius)}' if op.radius else ''}")
        for child in op.ops:
            _dump_op(child, indent + "  ", out)
    else:  # pragma: no cover - every op type is listed above
        out.append(f"{indent}{name}")


def union_bbox(boxes: Iterable[BBox]) -> BBox:
    x0 = y0 = float("inf")
    x1 = y1 = float("-inf")
    for x, y, w, h in boxes:
        x0, y0 = min(x0, x), min(y0, y)
        x1, y1 = max(x1, x + w), max(y1, y + h)
    if x0 == float("inf"):
        return (0.0, 0.0, 0.0, 0.0)
    return (x0, y0, x1 - x0, y1 - y0)


_set = object.__setattr__


def _moved(op: Op, **changes: object) -> Op:
    """``dataclasses.replace(op, **changes)`` without the frozen ``__init__`` (each field set
    through ``object.__setattr__`` by a generated call) and the keyword plumbing: a field-by-field
    copy over the slots, about half the cost. A layout shifts ~500 ops per page (every block
    is placed into its parent, and each Text's runs with it)."""
    cls = type(op)
    new = cls.__new__(cls)
    for name in cls.__slots__:  # every op class is a slots dataclass: its fields, nothing else
        _set(new, name, changes[name] if name in changes else getattr(op, name))
    return new


def shift(op: Op, dx: float, dy: float) -> Op:
    """The same op moved by (dx, dy)."""
    if dx == 0 and dy == 0:
        return op
    if isinstance(op, Glyphs):
        return _moved(op, xs=tuple([x + dx for x in op.xs]), y=op.y + dy, end=op.end + dx)
    if isinstance(op, (Rect, Ellipse, Image)):
        return _moved(op, x=op.x + dx, y=op.y + dy)
    if isinstance(op, Line):
        return _moved(op, points=tuple([(x + dx, y + dy) for x, y in op.points]))
    if isinstance(op, Path):
        cmds: list[PathCmd] = []
        for c in op.commands:
            vals = c[1:]
            cmds.append(cast(PathCmd, (c[0], *[v + (dx if i % 2 == 0 else dy) for i, v in enumerate(vals)])))
        return _moved(op, commands=tuple(cmds))
    if isinstance(op, Text):
        x, y, w, h = op.box
        return _moved(
            op,
            runs=tuple([shift(r, dx, dy) for r in op.runs]),
            box=(x + dx, y + dy, w, h),
            underlays=tuple([shift(u, dx, dy) for u in op.underlays]),
        )
    if isinstance(op, Group):
        clip = op.clip
        if clip:
            clip = (clip[0] + dx, clip[1] + dy, clip[2], clip[3])
        return _moved(op, ops=tuple([shift(o, dx, dy) for o in op.ops]), clip=clip)
    raise TypeError(f"cannot shift {type(op).__name__}")


def nearest_break_at_or_before(breaks: list[float], y: float) -> float | None:
    """The largest break <= y in a sorted list, or None."""
    i = bisect.bisect_right(breaks, y)
    return breaks[i - 1] if i else None
