"""Chart planning: every mark and label of a chart as frame ops, in design pixels.

``plan_chart(spec)`` is pure Python. It measures every label with the FontBook (the
same metrics as the rest of the page), wraps long Chinese labels, picks nice axis
ticks, places legends and pie labels without overlap, and returns a ``Plan``: the
chart's ops (Rect, Path, Ellipse and Text, like any other layout's) in its own
design-pixel space (top-left origin, y down), plus notes for the author. The chart
block (chart.py) places them in a clipped Group on its card, so every painter draws
charts with the calls it draws everything else with, and ``tushuo check`` lints
chart text like all text.
"""

from __future__ import annotations

import math
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..color import contrast_ratio, mix, readable
from ..frame import Ellipse, Frame, Glyphs, Op, Path, Rect, Text
from ..humanize import TRUE_MINUS, format_number
from ..text.layout import TextStyle, layout_text, one_line_advances

if TYPE_CHECKING:
    from ..spec.theme import Theme
    from ..text.fonts import FontBook

#: line pitch of chart labels, as a multiple of their size
LINE = 1.3
#: how far non-highlighted marks fade towards the surface colour when a label is highlighted
FADE = 0.5
#: pie/donut slices below this share are merged into 其他 (when there are at least two of them)
SMALL_SLICE = 0.025
#: most slices a pie shows before the smallest are merged into 其他
MAX_SLICES = 9
OTHER = "其他"


# ============================================================================ input
@dataclass(frozen=True)
class ChartColors:
    """The theme colours a chart uses."""

    series: tuple[str, ...]
    primary: str
    accent: str
    text: str
    muted: str
    border: str
    surface: str
    track: str  # empty part of progress bars

    @classmethod
    def from_theme(cls, theme: Theme) -> ChartColors:
        p = theme.palette
        return cls(
            series=tuple(p.chart) or (p.primary,),
            primary=p.primary,
            accent=p.accent,
            text=p.text,
            muted=p.muted,
            border=p.border,
            surface=p.surface,
            track=mix(p.surface_alt, p.border, 0.35),
        )


@dataclass(eq=False)
class ChartSpec:
    """Everything a chart needs, already validated, sizes in design px.

    ``height`` None asks for the kind's natural height; hbar, progress and pie
    charts grow past a given height when their labels would not fit in it.
    ``k`` is the canvas scale (width / 1080) for fixed distances such as bar gaps.
    """

    kind: str
    labels: Sequence[str]
    names: Sequence[str]
    values: Sequence[Sequence[float]]  # one sequence per series, one value per label
    width: float
    colors: ChartColors
    fonts: FontBook
    height: float | None = None
    unit: str = ""
    show_values: bool = True
    highlight: int | None = None
    size: float = 30.0  # labels, ticks, legend, values (the theme's caption size)
    number_size: float = 80.0  # donut total (the theme's number size)
    face: str = "sans"
    bold: str = "sans-bold"
    number: str = "sans-bold"
    k: float = 1.0
    script: str = "hans"  # the chart's own words (单位, 合计, 系列, 其他) follow the document's script


# ============================================================================ plan
@dataclass(frozen=True)
class _Label:
    """A measured label while the planner places it: lines whose box top is at ``y``;
    ``x`` is the left, centre or right edge. ``put`` turns it into a Text op."""

    x: float
    y: float
    lines: tuple[str, ...]
    size: float
    face: str
    color: str
    ha: str = "left"  # left | center | right
    widths: tuple[float, ...] = ()
    ascent: float = 0.88
    role: str = "label"  # label | value | legend | axis | total (for tests and lints)
    background: str | None = None  # what the label stands on when not the chart's surface

    @property
    def w(self) -> float:
        return max(self.widths, default=0.0)

    @property
    def h(self) -> float:
        return len(self.lines) * self.size * LINE

    def bbox(self) -> tuple[float, float, float, float]:
        x0 = {"left": self.x, "center": self.x - self.w / 2, "right": self.x - self.w}[self.ha]
        return (x0, self.y, self.w, self.h)

    def baselines(self) -> list[float]:
        pitch = self.size * LINE
        return [self.y + i * pitch + (pitch - self.size) / 2 + self.ascent * self.size for i in range(len(self.lines))]


#: text roles of chart labels (``tushuo check`` holds them to the caption size they are set at)
CHART_ROLES = ("label", "value", "legend", "axis", "total")


@dataclass
class Plan:
    """A chart as frame ops in design px; ``notes`` are things a lint should tell the author."""

    width: float
    height: float
    background: str
    items: list[Op] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def labels(self) -> list[Text]:
        return [op for op in self.items if isinstance(op, Text)]

    def frame(self) -> Frame:
        """The chart as a frame of its own size, its surface first."""
        return Frame(self.width, self.height, ops=[Rect(0, 0, self.width, self.height, fill=self.background),
                                                   *self.items])


def text_lines(op: Text) -> list[str]:
    """A chart label's lines, read back from its runs (one baseline per line)."""
    lines: dict[float, str] = {}
    for r in op.runs:
        lines[r.y] = lines.get(r.y, "") + r.text
    return list(lines.values())


def plan_chart(spec: ChartSpec) -> Plan:
    """Lay the chart out: every mark and label positioned, in design px."""
    return _PLANNERS[spec.kind](_Planner(spec))


# ---------------------------------------------------------------------------- numbers
def fmt_num(v: float) -> str:
    """A chart's number (``humanize.format_number`` in the chart style): 12 → '12', 98.5 → '98.5',
    0.125 → '0.13', -3 → '−3' (a true minus sign, as wide as a digit), no thousands separators."""
    return format_number(v, places=2, group_from=None, minus=TRUE_MINUS)


def fmt_pct(share: float) -> str:
    """0.352 → '35.2%', 0.5 → '50%'."""
    return fmt_num(round(share * 100, 1)) + "%"


def nice_ticks(lo: float, hi: float, target: int = 5, *, integer: bool = False) -> list[float]:
    """Round tick values covering [lo, hi] with about ``target`` intervals (steps 1, 2, 2.5, 5 × 10^n)."""
    if hi - lo < 1e-12:
        hi = lo + max(abs(lo), 1.0)
    raw = (hi - lo) / target
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * (1 - 1e-9))
    if integer and step < 1:
        step = 1.0
    start = math.floor(lo / step + 1e-9) * step
    end = math.ceil(hi / step - 1e-9) * step
    n = int(round((end - start) / step))
    ticks = [round(start + i * step, 10) for i in range(n + 1)]
    if ticks[-1] <= ticks[0]:  # a span below the 1e-10 rounding (e.g. values of 1e-38): one unit from 0
        base = float(math.floor(lo))
        return [base, base + 1.0]
    return ticks


# ---------------------------------------------------------------------------- planner
class _Planner:
    """Shared measuring, wrapping and drawing helpers for the per-kind planners."""

    def __init__(self, spec: ChartSpec) -> None:
        self.s = spec
        self.c = spec.colors
        self.k = spec.k
        self.W = spec.width
        self.size = spec.size
        self.lh = spec.size * LINE
        self.n = len(spec.labels)
        self.ns = len(spec.values)
        self.items: list[Op] = []
        self.notes: list[str] = []
        unit = spec.unit or ""
        # A short unit reads well after each number (12个, 98.5%); a longer one goes in a caption.
        self.unit_in_values = bool(unit) and len(unit) <= 2
        self.value_unit = unit if self.unit_in_values else ""

    # -- text ---------------------------------------------------------------
    def tw(self, text: str, face: str | None = None, size: float | None = None) -> float:
        return self.s.fonts.measure(text, size or self.size, face or self.s.face)

    def wrap(self, text: str, width: float, face: str | None = None, size: float | None = None) -> list[str]:
        """Lines of ``text`` no wider than ``width``, balanced: 清河/街道 rather than 清河街/道.

        Breaking follows the text engine's Chinese rules; the lines are chosen as block
        titles' are (``layout.common.even_split``: even, ending at a pause mark where it
        can, never inside “两委” or （社区）); failing that, the narrowest measure that
        still needs no more lines than ``width`` does.
        """
        face = face or self.s.face
        size = size or self.size
        if "\n" in text:  # the author's own line breaks come first
            return [ln for part in text.split("\n") for ln in self.wrap(part, width, face, size) if ln]
        if width <= 0 or self.tw(text, face, size) <= width:
            return [text]
        style = TextStyle(size=size, face=face, markup=False, line_height=LINE)

        def lines_at(w: float) -> list[str]:
            return [ln.text for ln in layout_text(text, w, style, self.s.fonts).lines if ln.text] or [text]

        lines = lines_at(width)
        from ..layout.common import even_split

        even = even_split(self.s.fonts, text, width, len(lines), style)
        if even and all(self.tw(ln, face, size) <= width + 0.01 for ln in even):
            return even
        lo, hi = self.tw(text, face, size) / len(lines), width
        for _ in range(10):
            mid = (lo + hi) / 2
            if len(lines_at(mid)) <= len(lines):
                hi = mid
            else:
                lo = mid
        return lines_at(hi)

    def label(self, x: float, y: float, lines: Sequence[str] | str, *, bold: bool = False, color: str | None = None,
              ha: str = "left", size: float | None = None, face: str | None = None, role: str = "label",
              background: str | None = None, add: bool = True) -> _Label:
        if isinstance(lines, str):
            lines = [lines]
        face = face or (self.s.bold if bold else self.s.face)
        size = size or self.size
        lab = _Label(
            x, y, tuple(lines), size, face, color or self.c.text, ha,
            widths=tuple(self.tw(t, face, size) for t in lines),
            ascent=self.s.fonts.face(face).ascent,
            role=role,
            background=background,
        )
        if add:
            self.put(lab)
        return lab

    def put(self, lab: _Label) -> None:
        """The label as a Text op among the chart's ops."""
        self.items.append(label_text(lab, self.s.fonts, lab.background or self.c.surface))

    # -- colours ------------------------------------------------------------
    def series_color(self, s: int) -> str:
        return self.c.series[s % len(self.c.series)]

    def mark_color(self, s: int, i: int) -> str:
        """Colour of series ``s`` at label ``i``: the highlighted label stands out, the rest fade."""
        hl = self.s.highlight
        base = self.series_color(s)
        if hl is None:
            return base
        if i == hl:
            return self.c.accent if self.ns == 1 else base
        return mix(base, self.c.surface, FADE)

    def label_color(self, i: int) -> tuple[str, bool]:
        """(colour, bold) of the text naming label ``i``."""
        if self.s.highlight == i:
            return self.ink(self.c.accent), True
        return self.c.text, False

    def ink(self, color: str) -> str:
        """``color`` darkened as needed to read as text on the chart's surface (4.5:1)."""
        return readable(color, self.c.surface)

    def on(self, fill: str) -> str:
        """Text colour readable on ``fill``: white or the body text colour, whichever reads better,
        pushed towards white or black when even that is under 4.5:1 (mid blues and greens)."""
        best = "#FFFFFF" if contrast_ratio("#FFFFFF", fill) >= contrast_ratio(self.c.text, fill) else self.c.text
        return readable(best, fill)

    def value_text(self, v: float) -> str:
        return fmt_num(v) + self.value_unit

    # -- shared pieces ------------------------------------------------------
    def header(self, legend: bool, caption: bool) -> float:
        """Unit caption (top left) and legend (flowing, right-aligned); returns the height used."""
        k, lh = self.k, self.lh
        cap_w = 0.0
        if caption and self.s.unit:
            cap = self.label(0, 0, _words("单位：", self.s) + self.s.unit, color=self.c.muted, role="axis")
            cap_w = cap.w + 32 * k
        rows: list[list[tuple[str, str, float]]] = []
        if legend:
            sw, gap, sep = 0.62 * self.size, 10 * k, 32 * k
            entries = [(name or _words(f"系列{j + 1}", self.s), self.series_color(j)) for j, name in enumerate(self.s.names)]
            avail = self.W - cap_w
            row: list[tuple[str, str, float]] = []
            used = 0.0
            for name, color in entries:
                w = sw + gap + self.tw(name)
                if row and used + sep + w > avail:
                    rows.append(row)
                    row, used, avail = [], 0.0, self.W
                used += (sep if row else 0) + w
                row.append((name, color, w))
            rows.append(row)
            for r, row in enumerate(rows):
                x = self.W - (sum(w for *_, w in row) + sep * (len(row) - 1))
                top = r * lh
                for name, color, w in row:
                    self.items.append(_box(x, top + (lh - sw) / 2, sw, sw, color, radius=sw * 0.18))
                    self.label(x + sw + gap, top, name, role="legend")
                    x += w + sep
        nrows = max(len(rows), 1 if cap_w else 0)
        return nrows * lh + (18 * k if nrows else 0)

    def label_layout(self, centers: list[float], slot: float, left: float = 0.0) -> tuple[int, dict[int, list[str]]]:
        """How the category labels fit under ``centers``: (step, lines of each shown label).

        Tried in order, the first that fits wins: every label wrapped on up to three
        lines (no line of a lone character, 11/日); every label of Chinese characters
        stacked one character per line, the Chinese convention for narrow columns (no
        rotation); only then every ``step``-th label (step > 1), which the caller turns
        into an hbar chart or a note.
        """
        gap = 16 * self.k
        n = self.n

        def fits(lines: list[str], width: float, max_lines: int) -> bool:
            orphan = len(lines) > 1 and min(len(x) for x in lines) < 2
            return len(lines) <= max_lines and not orphan and max(self.tw(x) for x in lines) <= width + 0.5

        def apart(shown: list[int], wrapped: dict[int, list[str]]) -> bool:
            placed = []
            for i in shown:
                bold = self.label_color(i)[1]
                w = max(self.tw(x, self.s.bold if bold else None) for x in wrapped[i])
                placed.append((min(max(centers[i], left + w / 2), self.W - w / 2), w))
            return all(b[0] - b[1] / 2 - (a[0] + a[1] / 2) >= gap / 2 - 0.01 for a, b in zip(placed, placed[1:]))

        every = list(range(n))
        wrapped = {i: self.wrap(self.s.labels[i], slot - gap) for i in every}
        if all(fits(wrapped[i], slot - gap, 3) for i in every) and apart(every, wrapped):
            return 1, wrapped
        stacked = {i: list(self.s.labels[i]) for i in every}
        if all(_stackable(self.s.labels[i]) for i in every) and apart(every, stacked):
            return 1, stacked
        for step in range(2, n + 1):
            offset = (self.s.highlight or 0) % step
            shown = [i for i in range(n) if (i - offset) % step == 0]
            width = step * slot - gap
            wrapped = {i: self.wrap(self.s.labels[i], width) for i in shown}
            if all(fits(wrapped[i], width, 2) for i in shown) and apart(shown, wrapped):
                return step, wrapped
        return n, {i: [self.s.labels[i]] for i in [(self.s.highlight or 0)]}

    def category_labels(self, centers: list[float], slot: float, top: float, *, left: float = 0.0,
                        plan_only: bool = False) -> float:
        """Labels centred under ``centers`` as :meth:`label_layout` fits them; returns their height.

        When only every k-th label fits, a note says which are left out (``tushuo check``
        reports it as a warning at the chart)."""
        step, wrapped = self.label_layout(centers, slot, left)
        if step > 1 and not plan_only:
            hidden = [t for i, t in enumerate(self.s.labels) if i not in wrapped]
            self.notes.append(
                f"{self.n} labels do not fit under the chart at a readable size: one label in {step} is shown, "
                f"{len(hidden)} hidden ({'、'.join(hidden[:6])}{'……' if len(hidden) > 6 else ''}); "
                "shorter labels or kind: hbar show them all"
            )
        if not plan_only:
            for i, lines in wrapped.items():
                color, bold = self.label_color(i)
                w = max(self.tw(x, self.s.bold if bold else None) for x in lines)
                x = min(max(centers[i], left + w / 2), self.W - w / 2)
                self.label(x, top, lines, ha="center", color=color, bold=bold)
        return max(len(lines) for lines in wrapped.values()) * self.lh

    def value_axis(self, ticks: list[float], y_of: Callable[[float], float], x0: float, x1: float) -> None:
        """Horizontal grid lines at ``ticks`` with their numbers right-aligned left of ``x0``."""
        for t in ticks:
            y = y_of(t)
            color = mix(self.c.border, self.c.surface, 0.35)
            self.items.append(_polyline(((x0, y), (x1, y)), color, 1.5 * self.k))
            self.label(x0 - 14 * self.k, y - self.lh / 2, fmt_num(t), ha="right", color=self.c.muted, role="axis")

    def baseline(self, x0: float, x1: float, y: float) -> None:
        self.items.append(_polyline(((x0, y), (x1, y)), mix(self.c.muted, self.c.surface, 0.45), 2 * self.k))

    def plan(self, height: float) -> Plan:
        return Plan(self.W, height, self.c.surface, self.items, self.notes)


#: Longest label stacked one character per line under a column.
STACK_MAX = 6


def _stackable(text: str) -> bool:
    """Whether ``text`` reads stacked one character per line: Chinese characters only, not too many."""
    return 0 < len(text) <= STACK_MAX and all(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def _limits(values: Sequence[float], room: float, span: float) -> tuple[float, float]:
    """Value range of a bar axis that includes 0 and leaves ``room`` px beyond the extreme bars.

    ``span`` is the axis length in px; value labels sit in the room above positive
    and below negative bars.
    """
    vmax = max(0.0, max(values))
    vmin = min(0.0, min(values))
    if vmax - vmin < 1e-12:
        return (0.0, 1.0)
    a = min(room / span, 0.45) if span > 0 else 0.0
    sides = (1 if vmax > 0 else 0) + (1 if vmin < 0 else 0)
    r = (vmax - vmin) / (1 - a * sides)
    return (vmin - (a * r if vmin < 0 else 0.0), vmax + (a * r if vmax > 0 else 0.0))


# ---------------------------------------------------------------------------- bar, stacked
def _bar_width(slot: float, series: int, k: float, stacked: bool) -> float:
    """A bar's width in a category's slot: one stacked column, or one bar per series 4 px apart."""
    if stacked:
        return min(slot * 0.6, 120 * k)
    return min((slot * 0.74 - 4 * k * (series - 1)) / series, 110 * k if series == 1 else 64 * k)


def _column_value_unit(p: _Planner, stacked: bool) -> str | None:
    """The unit each bar's number carries when every number fits over its bar (the room a value label
    has: its category's slot, or its bar and the gap to the next in a group): the short unit
    (186人次), or none when only the bare numbers fit (the unit goes to the caption, 单位：人次);
    None when even those do not (a value axis gives the scale instead)."""
    k = p.k
    slot = p.W / p.n  # values shown: no value axis takes room on the left
    pitch = slot if (stacked or p.ns == 1) else _bar_width(slot, p.ns, k, stacked) + 4 * k
    numbers = ([sum(v[i] for v in p.s.values) for i in range(p.n)] if stacked
               else [x for v in p.s.values for x in v])
    texts = [fmt_num(v) for v in numbers]
    for unit in dict.fromkeys((p.value_unit, "")):
        if max(p.tw(t + unit, p.s.bold) for t in texts) <= pitch - 2 * k:
            return unit
    return None


def _plan_columns(p: _Planner, stacked: bool) -> Plan:  # noqa: C901 - over the limit before ruff ran; split tracked in #12
    """Vertical bars: grouped (one bar per series) or stacked (one column per label)."""
    s, k, W = p.s, p.k, p.W
    H = s.height or round(0.62 * W)
    vals = s.values
    unit = _column_value_unit(p, stacked) if s.show_values else None
    show_values = unit is not None
    if unit is not None:
        p.value_unit = unit
    elif s.show_values:
        p.notes.append("values are left out: the bars are too narrow for their numbers at a readable size; "
                       "a value axis gives the scale instead")
    top = p.header(legend=p.ns > 1, caption=bool(s.unit) and (not show_values or not p.value_unit))
    if stacked:
        pos = [sum(max(0.0, v[i]) for v in vals) for i in range(p.n)]
        neg = [sum(min(0.0, v[i]) for v in vals) for i in range(p.n)]
        extremes = pos + neg
    else:
        extremes = [x for v in vals for x in v]
    value_room = p.lh + 8 * k if show_values else 0.0
    axis = not show_values
    ticks: list[float] = []
    left = 0.0
    if axis:
        lo0, hi0 = min(0.0, min(extremes)), max(0.0, max(extremes))
        ticks = nice_ticks(lo0, hi0, integer=all(float(x).is_integer() for x in extremes))
        left = max(p.tw(fmt_num(t)) for t in ticks) + 14 * k + 4 * k
    x0, x1 = left, W
    slot = (x1 - x0) / p.n
    centers = [x0 + slot * (i + 0.5) for i in range(p.n)]
    if not stacked and p.label_layout(centers, slot, x0)[0] > 1:
        # the names cannot all be shown under the bars: horizontal bars show every one
        p.items.clear()
        p.notes.append(f"{p.n} labels do not fit under the bars at a readable size: drawn as horizontal bars "
                       "(kind: hbar) so that every label shows")
        return _plan_hbar(p)
    label_h = p.category_labels(centers, slot, 0, plan_only=True)
    y1 = H - label_h - 12 * k  # plot bottom (value lo)
    if axis:  # the lowest tick's number hangs half a line below the plot
        y1 -= p.lh / 2
    y0 = top + (p.lh / 2 if axis else 0.0)  # room for the top tick number
    ph = max(y1 - y0, 40 * k)
    lo, hi = (ticks[0], ticks[-1]) if axis else _limits(extremes, value_room, ph)

    def y_of(v: float) -> float:
        return y1 - (v - lo) / (hi - lo) * ph

    if axis:
        p.value_axis(ticks, y_of, x0 + 0, x1)
    # bars
    gap = 4 * k
    bw = _bar_width(slot, p.ns, k, stacked)
    group = bw if stacked else bw * p.ns + gap * (p.ns - 1)
    labels: list[tuple[float, float, float, str, int]] = []  # x centre, y anchor, direction, text, label index
    inside: list[_Label] = []
    for i, cx in enumerate(centers):
        up = down = 0.0
        for j, series in enumerate(vals):
            v = series[i]
            color = p.mark_color(j, i)
            if stacked:
                base = up if v >= 0 else down
                a, b = y_of(base), y_of(base + v)
                if v >= 0:
                    up += v
                else:
                    down += v
                bx = cx - bw / 2
            else:
                a, b = y_of(0), y_of(v)
                bx = cx - group / 2 + j * (bw + gap)
            top_y, h = min(a, b), abs(a - b)
            if h > 0:
                p.items.append(_box(bx, top_y, bw, h, color))
            if stacked and s.show_values and v != 0 and p.ns > 1:  # one series: the total says it
                text = fmt_num(v)
                if h >= p.size * 1.15 and p.tw(text) + 8 * k <= bw:
                    inside.append(p.label(bx + bw / 2, top_y + (h - p.lh) / 2, text, ha="center",
                                          color=p.on(color), role="value", background=color, add=False))
            if not stacked:
                labels.append((bx + bw / 2, b, -1 if v >= 0 else 1, p.value_text(v), i))
        if stacked:
            total = sum(series[i] for series in vals)
            labels.append((cx, y_of(up) if total >= 0 else y_of(down), -1 if total >= 0 else 1, p.value_text(total), i))
    p.baseline(x0, x1, y_of(0))
    for lab in inside:
        p.put(lab)
    if show_values:  # _column_value_unit measured these labels against this pitch
        for x, y, direction, text, i in labels:
            color, _ = p.label_color(i)
            ty = y - 6 * k - p.lh if direction < 0 else y + 6 * k
            p.label(x, ty, text, ha="center", bold=True, color=color, role="value")
    p.category_labels(centers, slot, H - label_h, left=x0)
    return p.plan(H)


# ---------------------------------------------------------------------------- hbar
def _hbar_rows(p: _Planner) -> tuple[float, list[list[str]], float, float]:
    """(label column width, wrapped labels, bar thickness, row pitch) of a horizontal bar chart."""
    k = p.k
    natural = max(p.tw(t) for t in p.s.labels)
    col = min(natural, 0.34 * p.W)
    wrapped = [p.wrap(t, col) for t in p.s.labels]
    col = max(max(p.tw(x, p.s.bold) for x in ls) for ls in wrapped)
    # several series: one bar each, as far apart as their value labels need
    each = (p.lh if p.s.show_values else 30 * k)
    thick = 40 * k if p.ns == 1 else p.ns * each - 4 * k
    lines = max(len(ls) for ls in wrapped)
    pitch = max(lines * p.lh, thick) + 26 * k
    return col, wrapped, thick, pitch


def _plan_hbar(p: _Planner) -> Plan:
    s, k, W = p.s, p.k, p.W
    top = p.header(legend=p.ns > 1, caption=bool(s.unit) and (not s.show_values or not p.unit_in_values))
    col, wrapped, thick, pitch = _hbar_rows(p)
    flat = [x for v in s.values for x in v]
    axis = not s.show_values
    bottom = (p.lh + 10 * k) if axis else 0.0
    need = top + p.n * pitch + bottom
    H = max(s.height or 0.0, need)
    if s.height and s.height < need - 0.5:
        p.notes.append(f"the chart is {need:.0f} px tall to fit {p.n} rows (height {s.height:.0f} was asked)")
    pitch = (H - top - bottom) / p.n
    x0 = col + 18 * k
    vw = (max(p.tw(p.value_text(v), s.bold) for v in flat) + 10 * k) if s.show_values else 0.0
    ticks: list[float] = []
    if axis:
        ticks = nice_ticks(min(0.0, min(flat)), max(0.0, max(flat)), 4,
                           integer=all(float(x).is_integer() for x in flat))
        lo, hi = ticks[0], ticks[-1]
        xa, xb = x0, W - p.tw(fmt_num(hi)) / 2
    else:
        lo, hi = min(0.0, min(flat)), max(0.0, max(flat))
        if hi - lo < 1e-12:
            hi = 1.0
        xa = x0 + (vw if lo < 0 else 0.0)
        xb = W - (vw if hi > 0 else 0.0)

    def x_of(v: float) -> float:
        return xa + (v - lo) / (hi - lo) * (xb - xa)

    plot_bottom = top + p.n * pitch
    if axis:
        for t in ticks:
            x = x_of(t)
            p.items.append(_polyline(((x, top), (x, plot_bottom)), mix(p.c.border, p.c.surface, 0.35), 1.5 * k))
            p.label(x, plot_bottom + 10 * k, fmt_num(t), ha="center", color=p.c.muted, role="axis")
    bar = thick if p.ns == 1 else (thick + 4 * k) / p.ns - 4 * k
    for i in range(p.n):
        cy = top + pitch * (i + 0.5)
        color, bold = p.label_color(i)
        p.label(col, cy - len(wrapped[i]) * p.lh / 2, wrapped[i], ha="right", color=color, bold=bold)
        for j, series in enumerate(s.values):
            v = series[i]
            by = cy - thick / 2 + j * (bar + 4 * k)
            a, b = x_of(0), x_of(v)
            if abs(a - b) > 0:
                p.items.append(_box(min(a, b), by, abs(a - b), bar, p.mark_color(j, i)))
            if s.show_values:
                tx = b + 8 * k if v >= 0 else b - 8 * k
                p.label(tx, by + bar / 2 - p.lh / 2, p.value_text(v), ha="left" if v >= 0 else "right",
                        bold=True, color=color, role="value")
    p.items.append(_polyline(((x_of(0), top), (x_of(0), plot_bottom)), mix(p.c.muted, p.c.surface, 0.45), 2 * k))
    return p.plan(H)


# ---------------------------------------------------------------------------- line
def _plan_line(p: _Planner) -> Plan:  # noqa: C901 - over the limit before ruff ran; split tracked in #12
    s, k, W = p.s, p.k, p.W
    H = s.height or round(0.62 * W)
    top = p.header(legend=p.ns > 1, caption=bool(s.unit))
    p.value_unit = ""  # the value axis has the unit caption
    flat = [x for v in s.values for x in v]
    lo0, hi0 = min(flat), max(flat)
    if (lo0 >= 0 and lo0 <= 0.5 * hi0) or hi0 - lo0 < 1e-12:
        lo0, hi0 = min(0.0, lo0), max(0.0, hi0)  # counts (and flat lines): measured from zero
    ticks = nice_ticks(lo0, hi0, 4, integer=all(float(x).is_integer() for x in flat))
    lo, hi = ticks[0], ticks[-1]
    labels_on = s.show_values and p.ns <= 2
    above = p.lh + 10 * k if labels_on else p.lh / 2
    left = max(p.tw(fmt_num(t)) for t in ticks) + 18 * k
    x0, x1 = left, W
    slot = (x1 - x0) / p.n
    centers = [x0 + slot * (i + 0.5) for i in range(p.n)]
    label_h = p.category_labels(centers, slot, 0, plan_only=True)
    y0 = top + above
    bottom = H - label_h - 14 * k - p.lh / 2  # the plot's lowest point (its tick number hangs below)
    below = 0.0
    # one line: a point none of whose neighbours is lower, and some higher (a valley, the foot of
    # a rise), is labelled under it, clear of the strokes that rise from it
    one = s.values[0]
    under = {i for i in range(p.n) if labels_on and p.ns == 1 and p.n > 1
             and all(one[j] >= one[i] for j in (i - 1, i + 1) if 0 <= j < p.n)
             and any(one[j] > one[i] for j in (i - 1, i + 1) if 0 <= j < p.n)}
    if labels_on and p.ns == 2:
        lows = [min(a, b) for a, b in zip(*s.values) if a != b]
    else:
        lows = [one[i] for i in under]
    if lows:  # labels under points must clear the category labels
        f = (min(lows) - lo) / (hi - lo)
        below = max(0.0, (12 * k + p.lh - f * (bottom - y0)) / (1 - f)) if f < 1 else 0.0
    y1 = bottom - below
    ph = max(y1 - y0, 40 * k)

    def y_of(v: float) -> float:
        return y1 - (v - lo) / (hi - lo) * ph

    if s.highlight is not None:
        cx = centers[s.highlight]
        band = min(slot, 120 * k)
        p.items.append(_box(cx - band / 2, y0 - above, band, y1 - y0 + above + below,
                           mix(p.c.accent, p.c.surface, 0.9), radius=8 * k))
    p.value_axis(ticks, y_of, x0, x1)
    for j, series in enumerate(s.values):
        color = p.series_color(j) if not (p.ns == 1 and s.highlight is not None) else p.c.series[0]
        pts = tuple((centers[i], y_of(v)) for i, v in enumerate(series))
        if p.n > 1:
            p.items.append(_polyline(pts, color, 4 * k))
        for i, (x, y) in enumerate(pts):
            if i == s.highlight:
                p.items.append(_dot(x, y, 9 * k, p.c.accent if p.ns == 1 else color, p.c.surface, 3 * k))
            else:
                p.items.append(_dot(x, y, 7 * k, p.c.surface, color, 3.5 * k))
    if labels_on:
        widest = max(p.tw(p.value_text(v), s.bold) for v in flat)
        shown = set(range(p.n))
        if widest + 12 * k > slot:
            # too dense to label every point: the highest, the lowest, the last and the highlighted
            shown = {p.n - 1}
            for series in s.values:
                shown |= {series.index(max(series)), series.index(min(series))}
            if s.highlight is not None:
                shown.add(s.highlight)
            p.notes.append("only the highest, lowest and last values are labelled: the points are too close for all")
        for i in sorted(shown):
            col = [series[i] for series in s.values]
            for j, v in enumerate(col):
                is_low = (p.ns == 2 and v < col[1 - j]) or i in under
                if p.ns == 2 and v == col[1 - j] and j == 1:
                    continue  # equal values: one label says it
                color, _ = p.label_color(i)
                if p.ns > 1 and color == p.c.text:
                    color = p.ink(p.series_color(j))
                y = y_of(v)
                ty = y + 12 * k if is_low else y - 12 * k - p.lh
                x = min(max(centers[i], p.tw(p.value_text(v), s.bold) / 2), W - p.tw(p.value_text(v), s.bold) / 2)
                p.label(x, ty, p.value_text(v), ha="center", bold=True, color=color, role="value")
    p.category_labels(centers, slot, y1 + below + p.lh / 2 + 14 * k, left=x0)
    return p.plan(H)


# ---------------------------------------------------------------------------- pie, donut
@dataclass(frozen=True)
class _Slice:
    label: str
    value: float
    color: str
    index: int | None  # label index, None for the merged 其他 slice


def _slices(p: _Planner) -> list[_Slice]:
    """The slices drawn: tiny ones merged into 其他 (never the highlighted one)."""
    vals = p.s.values[0]
    total = sum(vals)
    idx = [i for i in range(p.n) if vals[i] > 0]
    small = [i for i in idx if vals[i] / total < SMALL_SLICE and i != p.s.highlight]
    merge = set(small) if len(small) >= 2 else set()
    keep = [i for i in idx if i not in merge]
    if len(keep) + (1 if merge else 0) > MAX_SLICES:
        by_size = sorted((i for i in keep if i != p.s.highlight), key=lambda i: vals[i])
        extra = len(keep) + 1 - MAX_SLICES
        merge |= set(by_size[:extra])
        keep = [i for i in keep if i not in merge]
    out = [_Slice(p.s.labels[i], vals[i], p.mark_color(n, i), i) for n, i in enumerate(keep)]
    if merge:
        named = sorted(merge)
        names = "、".join(p.s.labels[i] for i in named[:6]) + (f"……（共 {len(named)} 项）" if len(named) > 6 else "")
        p.notes.append(f"small slices merged into {OTHER}: {names}")
        out.append(_Slice(_words(OTHER, p.s), sum(vals[i] for i in merge), mix(p.c.muted, p.c.surface, 0.45), None))
    return out


def _pie_geometry(p: _Planner) -> tuple[list[_Slice], list[_Label], float, float]:
    """Slices, their (unplaced) labels, the label column width and the radius at the natural height."""
    k, W = p.k, p.W
    slices = _slices(p)
    total = sum(sl.value for sl in slices)
    col = min(0.24 * W, max(p.tw(sl.label) for sl in slices))
    labels = []
    for sl in slices:
        share = fmt_pct(sl.value / total)
        second = f"{fmt_num(sl.value)}{p.s.unit or ''}（{share}）" if p.s.show_values else share
        lines = p.wrap(sl.label, col) + [second]
        bold = sl.index is not None and sl.index == p.s.highlight
        labels.append(p.label(0, 0, lines, bold=bold, add=False,
                              color=p.ink(p.c.accent) if bold else p.c.text, role="label"))
    col = max(lab.w for lab in labels)
    r = min(W / 2 - col - 52 * k, 0.3 * W)  # 44 px of leader, 8 px of air at the edge
    if r < 0.2 * W and p.s.show_values:  # narrow: value and share on lines of their own
        labels = [p.label(0, 0, (*lab.lines[:-1], *lab.lines[-1].rstrip("）").split("（")), face=lab.face,
                          color=lab.color, add=False) for lab in labels]
        col = max(lab.w for lab in labels)
        r = min(W / 2 - col - 52 * k, 0.3 * W)
    return slices, labels, col, r


def _plan_pie(p: _Planner) -> Plan:
    s, k, W = p.s, p.k, p.W
    donut = s.kind == "donut"
    slices, labels, col, r = _pie_geometry(p)
    gap = 8 * k
    total = sum(sl.value for sl in slices)
    # angles first: they decide which side each label goes, and so how tall the label columns are
    arcs = []
    for sl in slices:
        sweep = 360.0 * sl.value / total
        arcs.append(sweep)
    starts = [sum(arcs[:n]) for n in range(len(arcs))]
    # a lone full circle is labelled at 3 o'clock, beside it
    mids = [math.radians(a + w / 2 if len(slices) > 1 else 90.0) for a, w in zip(starts, arcs)]
    side_of = [1 if math.sin(m) >= -1e-9 else -1 for m in mids]
    column = max(sum(labels[n].h + gap for n in range(len(slices)) if side_of[n] == side) for side in (1, -1))
    need = max(2 * r + 2 * (p.lh + 24 * k), column + 2 * gap)
    H = max(s.height or 0.0, need)
    if s.height and s.height < need - 0.5:
        p.notes.append(f"the chart is {need:.0f} px tall to fit its labels (height {s.height:.0f} was asked)")
    r = min(r, H / 2 - p.lh - 24 * k)
    cx, cy = W / 2, H / 2
    ring = r * 0.42 if donut else None
    edge = p.c.surface if len(slices) > 1 else None
    sides: dict[int, list[tuple[float, int, float, float, float, float]]] = {1: [], -1: []}
    for n, sl in enumerate(slices):
        dx, dy = math.sin(mids[n]), -math.cos(mids[n])
        pull = 10 * k if sl.index is not None and sl.index == s.highlight and len(slices) > 1 else 0.0
        ox, oy = cx + dx * pull, cy + dy * pull
        p.items.append(_wedge(ox, oy, r, starts[n], starts[n] + arcs[n], sl.color, ring, edge, 3 * k))
        sides[side_of[n]].append((oy + dy * (r + 18 * k), n, ox, oy, dx, dy))
    # labels: a column each side, spread vertically so none overlap, joined by leader lines
    leader = mix(p.c.muted, p.c.surface, 0.3)
    for side, entries in sides.items():
        entries.sort()
        ys: list[float] = []
        for want, n, *_ in entries:
            y = want - p.lh / 2  # the first line faces the slice
            if ys:
                y = max(y, ys[-1] + labels[entries[len(ys) - 1][1]].h + gap)
            ys.append(y)
        if ys:  # pushed off the bottom: shift up, then clamp at the top
            over = ys[-1] + labels[entries[-1][1]].h - H
            if over > 0:
                ys[-1] -= over
                for m in range(len(ys) - 2, -1, -1):
                    ys[m] = min(ys[m], ys[m + 1] - labels[entries[m][1]].h - gap)
            shift = max(0.0, -ys[0])
            ys = [y + shift for y in ys]
        lx = cx + side * (r + 44 * k)
        for (_, n, ox, oy, dx, dy), y in zip(entries, ys):
            lab = labels[n]
            ly = y + p.lh / 2  # the leader meets the first line
            pts = ((ox + dx * r, oy + dy * r), (ox + dx * (r + 14 * k), oy + dy * (r + 14 * k)),
                   (lx - side * 8 * k, ly))
            p.items.append(_polyline(pts, leader, 1.5 * k))
            p.put(_Label(lx, y, lab.lines, lab.size, lab.face, lab.color, "left" if side > 0 else "right",
                         lab.widths, lab.ascent, lab.role))
    if ring is not None:
        _donut_total(p, cx, cy, r - ring)
    return p.plan(H)


def _words(text: str, spec: ChartSpec) -> str:
    """A word the chart adds itself, in the document's script."""
    if spec.script == "hans":
        return text
    from ..script import convert_text

    return convert_text(text, spec.script)


def _donut_total(p: _Planner, cx: float, cy: float, inner: float) -> None:
    """合计 and the total, as large as fits inside the hole."""
    total = fmt_num(sum(p.s.values[0]))
    unit = p.s.unit or ""
    cap = p.label(cx, 0, _words("合计", p.s), color=p.c.muted, ha="center", add=False, role="total")
    room = inner * 1.55
    size = p.s.number_size * 0.8
    unit_size = p.size
    while size > p.size and p.tw(total, p.s.number, size) + p.tw(unit, p.s.face, unit_size) > room:
        size -= 2 * p.k
    nw, uw = p.tw(total, p.s.number, size), p.tw(unit, p.s.face, unit_size)
    block = cap.h + size * 1.15
    top = cy - block / 2
    p.label(cx, top, _words("合计", p.s), color=p.c.muted, ha="center", role="total")
    num_top = top + cap.h
    x = cx - (nw + uw) / 2
    num = p.label(x, num_top, total, face=p.s.number, size=size, ha="left", role="total")
    if unit:
        # the unit shares the number's baseline
        base = num.baselines()[0]
        asc = p.s.fonts.face(p.s.face).ascent
        uy = base - asc * unit_size - (unit_size * LINE - unit_size) / 2
        p.label(x + nw + 4 * p.k, uy, unit, size=unit_size, color=p.c.muted, role="total")


# ---------------------------------------------------------------------------- progress
def _progress_rows(p: _Planner) -> tuple[float, float, float, float, float]:
    """(value column width, track thickness, track pitch, tracks' height, row gap)."""
    k = p.k
    vw = max(p.tw(p.value_text(v), p.s.bold) for series in p.s.values for v in series) + 18 * k
    track = 26 * k if p.ns == 1 else 18 * k
    step = track + 8 * k if p.ns == 1 else p.lh  # several bars: their value labels must not touch
    body = track + (p.ns - 1) * step
    return vw, track, step, body, 34 * k


def _plan_progress(p: _Planner) -> Plan:
    s, k, W = p.s, p.k, p.W
    if not s.unit:
        p.value_unit = "%"
    top = p.header(legend=p.ns > 1, caption=False)
    vw, track, step, body, row_gap = _progress_rows(p)
    wrapped = [p.wrap(t, W - vw) for t in s.labels]
    heights = [len(ls) * p.lh + 8 * k + body for ls in wrapped]
    overhang = max(0.0, (p.lh - track) / 2)  # the last value label is taller than its track
    need = top + sum(heights) + row_gap * (p.n - 1) + overhang
    H = max(s.height or 0.0, need)
    if s.height and s.height < need - 0.5:
        p.notes.append(f"the chart is {need:.0f} px tall to fit {p.n} bars (height {s.height:.0f} was asked)")
    extra = (H - need) / p.n  # a taller box spreads the rows evenly
    heights[-1] += overhang
    y = top + extra / 2
    x1 = W - vw
    for i in range(p.n):
        color, bold = p.label_color(i)
        p.label(0, y, wrapped[i], color=color, bold=bold)
        ty = y + len(wrapped[i]) * p.lh + 8 * k
        for j, series in enumerate(s.values):
            v = max(0.0, min(100.0, series[i]))
            p.items.append(_box(0, ty, x1, track, p.c.track, radius=track / 2))
            fw = x1 * v / 100
            if fw > 0:
                p.items.append(_box(0, ty, fw, track, p.mark_color(j, i), radius=min(track / 2, fw / 2)))
            vcolor = color if p.ns == 1 or bold else p.ink(p.series_color(j))
            p.label(W, ty + track / 2 - p.lh / 2, p.value_text(series[i]), ha="right", bold=True,
                    color=vcolor, role="value")
            ty += step
        y += heights[i] + row_gap + extra
    return p.plan(H)


_PLANNERS: dict[str, Callable[[_Planner], Plan]] = {
    "bar": lambda p: _plan_columns(p, stacked=False),
    "stacked": lambda p: _plan_columns(p, stacked=True),
    "hbar": _plan_hbar,
    "line": _plan_line,
    "pie": _plan_pie,
    "donut": _plan_pie,
    "progress": _plan_progress,
}


# ---------------------------------------------------------------------------- ops
def _box(x: float, y: float, w: float, h: float, fill: str, radius: float = 0.0) -> Rect:
    return Rect(x, y, w, h, fill=fill, radius=max(0.0, min(radius, w / 2, h / 2)))


def _polyline(points: tuple[tuple[float, float], ...], color: str, width: float) -> Path:
    (x0, y0), *rest = points
    return Path((("M", x0, y0), *(("L", x, y) for x, y in rest)), stroke=color, stroke_width=width, cap="butt")


def _dot(x: float, y: float, r: float, fill: str, stroke: str | None = None, stroke_width: float = 0.0) -> Ellipse:
    return Ellipse(x - r, y - r, 2 * r, 2 * r, fill=fill, stroke=stroke, stroke_width=stroke_width if stroke else 0.0)


def _wedge(cx: float, cy: float, r: float, start: float, end: float, fill: str, ring: float | None = None,
           edge: str | None = None, edge_width: float = 0.0) -> Path:
    """A pie slice from ``start`` to ``end`` degrees, clockwise from 12 o'clock; ``ring`` for donuts."""
    return Path(wedge_commands(cx, cy, r, start, end, ring), fill=fill, stroke=edge,
                stroke_width=edge_width if edge else 0.0, cap="butt")


def label_text(label: _Label, fonts: FontBook, background: str) -> Text:
    """A label as a Text op: each line's glyph runs at pen positions from the FontBook (fallbacks resolved)."""
    runs: list[Glyphs] = []
    for k, (line, base) in enumerate(zip(label.lines, label.baselines())):
        # placed by its width as set (``one_line_advances``), inside the box its natural width measured
        set_ = one_line_advances(line, label.size, label.face, fonts)
        if set_ is not None:
            width = sum(set_[0]) - set_[1]
        else:
            width = label.widths[k] if k < len(label.widths) else fonts.measure(line, label.size, label.face)
        x = {"left": label.x, "center": label.x - width / 2, "right": label.x - width}[label.ha]
        runs += line_glyphs(fonts, line, label.face, label.size, x, base, label.color, set_=set_)
    return Text(tuple(runs), label.bbox(), role=label.role, background=background)


def line_glyphs(fonts: FontBook, line: str, face: str, size: float, x: float, baseline: float,
                color: str, *, set_: tuple[list[float], float] | None = None) -> list[Glyphs]:
    """One line of text from pen position ``x`` as glyph runs, one per face of the fallback chain;
    ``set_``: the advances and leading trim of ``text.layout.one_line_advances``, which sets the line
    as body text is set (a right-aligned 高中（中专、 / 职高、技校） meets the edge with its ink, ）“
    close up; the ink of a leading （ starts at ``x``)."""
    runs: list[Glyphs] = []
    advances, trim = set_ if set_ is not None else (None, 0.0)
    x -= trim
    i = 0
    for found, text in fonts.runs(line, face):
        if found is None:  # the layout refuses such text; say so loudly if some slipped through
            warnings.warn(f"chart text {text!r}: glyphs missing from font {face!r}", stacklevel=3)
        key = found.key if found is not None else face
        xs = []
        for ch in text:
            xs.append(x)
            x += fonts.advance(ch, size, face) if advances is None else advances[i]
            i += 1
        runs.append(Glyphs(text, tuple(xs), x, baseline, key, size, color, trim=trim if not runs else 0.0))
    return runs


def wedge_commands(cx: float, cy: float, r: float, start: float, end: float,
                   ring: float | None = None) -> tuple[tuple, ...]:
    """A pie slice (or donut segment) as path commands; angles clockwise from 12 o'clock."""
    full = end - start >= 360 - 1e-9
    inner = max(0.0, r - ring) if ring else 0.0
    if full:
        cmds = _arc(cx, cy, r, start, start + 360, move=True) + [("Z",)]
        if inner > 0:  # a ring: the inner circle as a second subpath (even-odd fill leaves it empty)
            cmds += _arc(cx, cy, inner, start + 360, start, move=True) + [("Z",)]
        return tuple(cmds)
    cmds = _arc(cx, cy, r, start, end, move=True)
    if inner > 0:
        cmds += _arc(cx, cy, inner, end, start, move=False)
    else:
        cmds.append(("L", cx, cy))
    cmds.append(("Z",))
    return tuple(cmds)


def _point(cx: float, cy: float, r: float, deg: float) -> tuple[float, float]:
    a = math.radians(deg - 90)  # clockwise from 12 o'clock, y down
    return (cx + r * math.cos(a), cy + r * math.sin(a))


def _arc(cx: float, cy: float, r: float, a0: float, a1: float, *, move: bool) -> list[tuple]:
    """Cubic Béziers along a circle from angle a0 to a1 (degrees), at most 90° each."""
    n = max(1, math.ceil(abs(a1 - a0) / 90 - 1e-9))
    step = (a1 - a0) / n
    k = 4 / 3 * math.tan(math.radians(step) / 4) * r
    x, y = _point(cx, cy, r, a0)
    cmds: list[tuple] = [("M" if move else "L", x, y)]
    for i in range(n):
        b0, b1 = a0 + i * step, a0 + (i + 1) * step
        t0, t1 = math.radians(b0 - 90), math.radians(b1 - 90)
        x1, y1 = _point(cx, cy, r, b1)
        cmds.append(
            ("C", x + -math.sin(t0) * k, y + math.cos(t0) * k, x1 + math.sin(t1) * k, y1 - math.cos(t1) * k, x1, y1)
        )
        x, y = x1, y1
    return cmds


__all__ = ["CHART_ROLES", "ChartColors", "ChartSpec", "Plan", "fmt_num", "fmt_pct", "label_text", "line_glyphs", "nice_ticks",
           "plan_chart", "text_lines", "wedge_commands"]
