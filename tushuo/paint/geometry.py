"""Shape maths the vector painters share (PDF, SVG), so both draw the same arrows and curves.

Painters stay dumb: they turn a Frame op into primitives of their format; the
few computations that are not a one-to-one mapping (arrow heads, quadratic
curves where only cubics exist) live here once.
"""

from __future__ import annotations

import math

Point = tuple[float, float]

#: arrow-head length as a multiple of the line width when ``arrow_size`` is 0 (see frame.Line)
ARROW_FACTOR = 4.5
#: half of the arrow head's base, as a share of its length (0.5: a base as wide as the head is long)
ARROW_HALF_BASE = 0.5
#: how far into the head the shaft is pulled back (so round caps never poke out of the tip)
ARROW_SHAFT_INSET = 0.7


def arrow_size(width: float, size: float) -> float:
    return size if size > 0 else ARROW_FACTOR * width


def arrow_head(tip: Point, prev: Point, size: float) -> tuple[Point, Point, Point] | None:
    """The filled triangle of an arrow pointing from ``prev`` to ``tip`` (None for a zero-length segment)."""
    dx, dy = tip[0] - prev[0], tip[1] - prev[1]
    length = math.hypot(dx, dy)
    if length < 1e-9:
        return None
    ux, uy = dx / length, dy / length
    bx, by = tip[0] - ux * size, tip[1] - uy * size
    hw = size * ARROW_HALF_BASE
    return (tip, (bx - uy * hw, by + ux * hw), (bx + uy * hw, by - ux * hw))


def _pull_back(tip: Point, prev: Point, dist: float) -> Point:
    dx, dy = tip[0] - prev[0], tip[1] - prev[1]
    length = math.hypot(dx, dy)
    if length < 1e-9:
        return tip
    t = min(dist, length * 0.999) / length
    return (tip[0] - dx * t, tip[1] - dy * t)


def arrow_parts(
    points: tuple[Point, ...], width: float, size: float, start: bool, end: bool
) -> tuple[list[Point], list[tuple[Point, Point, Point]]]:
    """The shaft (points, ends pulled back under the heads) and the head triangles of a Line op."""
    pts = list(points)
    heads: list[tuple[Point, Point, Point]] = []
    if len(pts) < 2:
        return pts, heads
    s = arrow_size(width, size)
    if end:
        head = arrow_head(pts[-1], pts[-2], s)
        if head:
            heads.append(head)
            pts[-1] = _pull_back(pts[-1], pts[-2], s * ARROW_SHAFT_INSET)
    if start:
        head = arrow_head(pts[0], pts[1], s)
        if head:
            heads.append(head)
            pts[0] = _pull_back(pts[0], pts[1], s * ARROW_SHAFT_INSET)
    return pts, heads


def quad_to_cubic(p0: Point, c: Point, p1: Point) -> tuple[Point, Point, Point]:
    """The cubic Bézier control points (c1, c2, end) equal to a quadratic one."""
    c1 = (p0[0] + 2 / 3 * (c[0] - p0[0]), p0[1] + 2 / 3 * (c[1] - p0[1]))
    c2 = (p1[0] + 2 / 3 * (c[0] - p1[0]), p1[1] + 2 / 3 * (c[1] - p1[1]))
    return c1, c2, p1
