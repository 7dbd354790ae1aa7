"""Geometry invariants shared by the layout tests of steps, comparison, stats, timeline and cards.

Checks on plain boxes and polylines (no pixels): boxes do not overlap, a polyline
avoids every box but its own ends, labels sit inside the canvas, text stays in its box.
"""

from __future__ import annotations

from itertools import pairwise

from tushuo.layout.frame import Frame, Text

EPS = 0.5  # design px of slack for antialiasing-free float comparisons


def overlap(a, b, eps: float = EPS) -> bool:
    """Whether two (x, y, w, h) boxes share an interior area larger than ``eps`` on both axes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return min(ax + aw, bx + bw) - max(ax, bx) > eps and min(ay + ah, by + bh) - max(ay, by) > eps


def inside(inner, outer, eps: float = EPS) -> bool:
    ix, iy, iw, ih = inner
    ox, oy, ow, oh = outer
    return ix >= ox - eps and iy >= oy - eps and ix + iw <= ox + ow + eps and iy + ih <= oy + oh + eps


def segment_hits_box(p, q, box, eps: float = EPS) -> bool:
    """Whether an axis-parallel segment p→q passes through the interior of ``box`` (shrunk by eps)."""
    x, y, w, h = box
    x0, x1 = x + eps, x + w - eps
    y0, y1 = y + eps, y + h - eps
    if x1 <= x0 or y1 <= y0:
        return False
    (px, py), (qx, qy) = p, q
    lo_x, hi_x = min(px, qx), max(px, qx)
    lo_y, hi_y = min(py, qy), max(py, qy)
    return lo_x < x1 and hi_x > x0 and lo_y < y1 and hi_y > y0


def segments(points):
    return list(pairwise(points))


def runs_overlap(s1, s2, sep: float = 2.0, min_len: float = 2.0) -> bool:
    """Whether two axis-parallel segments run along each other (closer than ``sep``) for more than ``min_len``."""
    (a, b), (c, d) = s1, s2
    if a[0] == b[0] and c[0] == d[0]:  # both vertical
        if abs(a[0] - c[0]) >= sep:
            return False
        lo = max(min(a[1], b[1]), min(c[1], d[1]))
        hi = min(max(a[1], b[1]), max(c[1], d[1]))
        return hi - lo > min_len
    if a[1] == b[1] and c[1] == d[1]:  # both horizontal
        if abs(a[1] - c[1]) >= sep:
            return False
        lo = max(min(a[0], b[0]), min(c[0], d[0]))
        hi = min(max(a[0], b[0]), max(c[0], d[0]))
        return hi - lo > min_len
    return False


def texts(frame: Frame) -> list[Text]:
    return [op for op in frame.walk() if isinstance(op, Text)]


def glyph_extent(t: Text):
    """The box the drawn glyphs of a Text op occupy (advance boxes on their line).

    An opening mark trimmed at a line start counts from its ink half (``Glyphs.bbox``
    adds its ``trim``): its blank half may hang before the box, its ink may not.
    """
    xs0, ys0, xs1, ys1 = [], [], [], []
    for r in t.runs:
        if not r.text.strip():
            continue
        bx, by, bw, bh = r.bbox()
        xs0.append(bx)
        ys0.append(by)
        xs1.append(bx + bw)
        ys1.append(by + bh)
    if not xs0:
        return None
    return (min(xs0), min(ys0), max(xs1) - min(xs0), max(ys1) - min(ys0))


def assert_text_inside(frame: Frame, containers, what: str = "") -> None:
    """Every drawn glyph run of every Text op lies inside one of ``containers`` (boxes)."""
    for t in texts(frame):
        ext = glyph_extent(t)
        if ext is None:
            continue
        assert any(inside(ext, c) for c in containers), f"{what}: text {t.text!r} at {ext} is outside every box"
