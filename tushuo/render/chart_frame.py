"""A chart plan as Frame ops, so the Pillow painter draws charts itself (no matplotlib for PNG).

The planner (charts.py) already fixes every mark and label in design px with FontBook
metrics; drawing those primitives is what the painter does for the rest of the page.
Painting them here instead of through a matplotlib Figure keeps matplotlib (about
0.4 s of imports and 50-150 ms of drawing per chart, measured on the benchmark page)
off the PNG path, and chart text gets the page's own glyph rendering. PDF and SVG
charts are still drawn by matplotlib (vector output with searchable text).
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

from ..frame import Ellipse, Frame, Glyphs, Path, Rect

if TYPE_CHECKING:
    from ..frame import Op
    from ..text.fonts import FontBook
    from .charts import Label, Plan, Wedge


def plan_frame(plan: Plan, fonts: FontBook) -> Frame:
    """The chart as a frame of its own size (design px), drawn in the plan's order."""
    from .charts import Box, Dot, Label, Polyline, Wedge

    frame = Frame(plan.width, plan.height, background=plan.background)
    ops: list[Op] = []
    for item in plan.items:
        if isinstance(item, Box):
            r = max(0.0, min(item.radius, item.w / 2, item.h / 2))
            ops.append(Rect(item.x, item.y, item.w, item.h, fill=item.fill, radius=r))
        elif isinstance(item, Polyline):
            if len(item.points) >= 2:
                (x0, y0), *rest = item.points
                cmds = (("M", x0, y0), *(("L", x, y) for x, y in rest))
                ops.append(Path(cmds, stroke=item.color, stroke_width=item.width, cap="butt"))
        elif isinstance(item, Dot):
            ops.append(
                Ellipse(item.x - item.r, item.y - item.r, 2 * item.r, 2 * item.r, fill=item.fill,
                        stroke=item.stroke, stroke_width=item.stroke_width if item.stroke else 0.0)
            )
        elif isinstance(item, Wedge):
            ops.append(
                Path(wedge_commands(item), fill=item.fill, stroke=item.edge,
                     stroke_width=item.edge_width if item.edge else 0.0, cap="butt")
            )
        elif isinstance(item, Label):
            ops.extend(label_glyphs(item, fonts))
    frame.add(*ops)
    return frame


def label_glyphs(label: Label, fonts: FontBook) -> list[Glyphs]:
    """Each line of a label as glyph runs at pen positions from the FontBook (fallbacks resolved)."""
    out: list[Glyphs] = []
    for k, (line, base) in enumerate(zip(label.lines, label.baselines())):
        width = label.widths[k] if k < len(label.widths) else fonts.measure(line, label.size, label.face)
        x = {"left": label.x, "center": label.x - width / 2, "right": label.x - width}[label.ha]
        for face, text in fonts.runs(line, label.face):
            if face is None:  # the layout refuses such text; say so loudly if some slipped through
                warnings.warn(f"chart text {text!r}: glyphs missing from font {label.face!r}", stacklevel=2)
            key = face.key if face is not None else label.face
            xs = []
            for ch in text:
                xs.append(x)
                x += fonts.advance(ch, label.size, label.face)
            out.append(Glyphs(text, tuple(xs), x, base, key, label.size, label.color))
    return out


def wedge_commands(w: Wedge) -> tuple[tuple, ...]:
    """A pie slice (or donut segment) as path commands; angles clockwise from 12 o'clock."""
    full = w.end - w.start >= 360 - 1e-9
    inner = max(0.0, w.r - w.ring) if w.ring else 0.0
    if full:
        cmds = _arc(w.cx, w.cy, w.r, w.start, w.start + 360, move=True) + [("Z",)]
        if inner > 0:  # a ring: the inner circle as a second subpath (even-odd fill leaves it empty)
            cmds += _arc(w.cx, w.cy, inner, w.start + 360, w.start, move=True) + [("Z",)]
        return tuple(cmds)
    cmds = _arc(w.cx, w.cy, w.r, w.start, w.end, move=True)
    if inner > 0:
        cmds += _arc(w.cx, w.cy, inner, w.end, w.start, move=False)
    else:
        cmds.append(("L", w.cx, w.cy))
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
