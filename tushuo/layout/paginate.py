"""Cutting a tall frame into pieces at safe breaks: long-image slices and PDF pages alike."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from ..frame import Frame, Glyphs, Text


@dataclass(frozen=True)
class Cut:
    """One piece [top, bottom) of the frame. ``forced``: no safe break fitted, cut mid-content."""

    top: float
    bottom: float
    forced: bool = False

    @property
    def height(self) -> float:
        return self.bottom - self.top


def plan_cuts(
    breaks: list[float],
    height: float,
    max_height: float,
    *,
    min_fill: float = 0.0,
    avoid: list[tuple[float, float]] | tuple[tuple[float, float], ...] = (),
    keep: list[tuple[float, float]] | tuple[tuple[float, float], ...] = (),
) -> list[Cut]:
    """Greedy cuts: each piece as tall as possible, at most ``max_height``, ending at a break.

    ``breaks`` are safe y positions (any order). A piece ends at the lowest break that
    keeps it within ``max_height``; when there is none (one unit taller than a piece),
    it is cut at ``max_height`` exactly and marked ``forced``. ``min_fill`` (0–1) avoids
    nearly-empty pieces when a break exists only very near the top. ``avoid`` lists
    (top, bottom) bands a forced cut must not pass through (lines of text): the cut
    moves up to the band's top while that leaves the piece at least half full.
    ``keep`` lists bands a forced cut should rather not pass through either (boxes);
    they give way when no cut in the lower half of the piece misses them.
    """
    if max_height <= 0:
        raise ValueError("max_height must be positive")
    pts = sorted({b for b in breaks if 0 < b < height})
    cuts: list[Cut] = []
    top = 0.0
    eps = 1e-6
    while height - top > max_height + eps:
        limit = top + max_height
        i = bisect.bisect_right(pts, limit + eps) - 1
        if i >= 0 and pts[i] > top + max(eps, min_fill * max_height):
            bottom, forced = pts[i], False
        else:
            tiers = (list(avoid) + list(keep), avoid) if keep else (avoid,)
            bottom, forced = _dodge(limit, tiers, top + max_height / 2), True
        cuts.append(Cut(top, bottom, forced))
        top = bottom
    cuts.append(Cut(top, height, False))
    return cuts


def _dodge(y: float, tiers: tuple, floor: float) -> float:
    """The lowest cut in [floor, y] outside every band of the first tier that allows one, else ``y``."""
    for bands in tiers:
        window = [(a, b) for a, b in bands if a < y and b > floor]
        for cand in sorted({y, *(a for a, _ in window if floor <= a <= y)}, reverse=True):
            if not any(a < cand < b for a, b in window):
                return cand
    return y


def text_line_bands(frame: Frame) -> list[tuple[float, float]]:
    """(top, bottom) of every line of text in the frame, sorted: the ``avoid`` bands of ``plan_cuts``.

    A forced cut (nothing safe fits a page or slice) moves off these so it never halves a line.
    """
    out = set()
    for op in frame.walk():
        if isinstance(op, Glyphs):
            _, y, _, h = op.bbox()
            out.add((y, y + h))
        elif isinstance(op, Text):
            for r in op.runs:
                _, y, _, h = r.bbox()
                out.add((y, y + h))
    return sorted(out)
