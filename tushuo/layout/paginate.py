"""The one paginator: a tall frame cut into PDF pages or long-image slices, breaks scored like TeX's.

Every safe break of the frame is a candidate end of the piece being filled. Its cost is

    badness(fill) + penalty(y)

``badness`` is 0 for a full piece and grows as the cube of the unused share (TeX's
badness, 100 at half full), plus ``UNDERFULL`` below half full; ``penalty`` is the
largest of the frame's ``Keep`` bands the break falls strictly inside (a heading with the
first unit after it, a decision with its branches, a loop label with its decision,
a paragraph's first and last two lines, a list's first and last two items). The piece
ends at its cheapest candidate, the fuller one on a tie. As in TeX's page builder, pieces
are settled one at a time from the top: a later page never moves an earlier break.
One step further than TeX: when the pieces that would follow the cheapest break hold a
bad one (a penalised break, an underfull page), the few cheapest breaks that fill this
piece well are weighed with the cost of the ``LOOKAHEAD`` pieces after them, and the
least total wins. A kept-off first step then no longer pushes the next flow's first
step alone onto the next page's foot.

When the cheapest candidate leaves the piece under ``MIN_FILL`` full (or under half
full before one unit with no break in it) and what it would push on cannot fit a fresh
piece either (a unit taller than the room), or there is no candidate at all, the cut is forced: at the room's foot, moved up off lines of text and, where
it can, off boxes. So a callout or quote taller than a page breaks between its
lines, and one that fits moves whole (it has no inner breaks). A ``Repeat`` band (a table's header row) is set again at the top of
a piece that starts inside its table, and takes its height from that piece's room.

The same function cuts PDF pages (``layout/pages.py``) and image slices
(``render/output.py``), so both honour the same keeps.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ..frame import Frame, Glyphs, Keep, Line, Repeat, Text

#: penalty of a break inside a band that must stay together unless nothing else fits
KEEP = 10_000.0
#: penalty of a break that leaves one line of a paragraph alone at a page foot or top (TeX's club/widow)
WIDOW = 150.0
#: cost added to a piece under half full (besides its badness)
UNDERFULL = 5_000.0
#: a candidate break this far down the room or less is not taken: a forced cut fills the piece instead
MIN_FILL = 0.2
#: a piece's break is weighed with the cost of this many pieces after it (settled without looking further)
LOOKAHEAD = 2
#: how many of a piece's cheapest breaks are weighed that way, of those that fill it this far at least
CHOICES = 4
AHEAD_FILL = 0.55
_EPS = 1e-6


@dataclass(frozen=True)
class Cut:
    """One piece [top, bottom) of the frame.

    ``forced``: no safe break fitted, cut mid-content. ``repeat``: a band (top, bottom)
    set above the piece first (a table's header row). ``cost``: the break's score.
    """

    top: float
    bottom: float
    forced: bool = False
    repeat: tuple[float, float] | None = None
    cost: float = 0.0

    @property
    def height(self) -> float:
        return self.bottom - self.top


def badness(used: float, room: float) -> float:
    """TeX-like badness of a piece ``used`` tall in ``room``: 0 full, 100 half full, UNDERFULL more below."""
    short = max(0.0, room - used) / room
    b = min(10_000.0, 100.0 * (short / 0.5) ** 3)
    return b + (UNDERFULL if used < room / 2 - _EPS else 0.0)


def resolve_keeps(keeps: Iterable[Keep], breaks: Sequence[float], height: float) -> list[Keep]:
    """Keeps with ``with_next`` reaching down to the first break below their bottom (sorted ``breaks``)."""
    out = []
    for k in keeps:
        if k.with_next:
            i = bisect.bisect_right(breaks, k.bottom + _EPS)
            bottom = breaks[i] if i < len(breaks) else height
            k = Keep(k.top, max(bottom, k.bottom), k.penalty, k.why)
        out.append(k)
    return out


def plan_cuts(
    breaks: Iterable[float],
    height: float,
    max_height: float,
    *,
    top: float = 0.0,
    keeps: Sequence[Keep] = (),
    repeats: Sequence[Repeat] = (),
    avoid: Sequence[tuple[float, float]] = (),
    boxes: Sequence[tuple[float, float]] = (),
    blank: Sequence[float] | None = None,
) -> list[Cut]:
    """Band [top, height) cut into pieces at most ``max_height`` tall, each ending at its cheapest break.

    ``breaks`` are safe y positions (any order). ``keeps`` score them (resolved:
    ``with_next`` already reached down, see ``resolve_keeps``). ``repeats`` are set again
    at the top of a piece that starts inside their table. ``avoid`` lists bands a forced
    cut must not pass through (lines of text): the cut moves up to the band's top while
    that leaves the piece at least half full. ``boxes`` are bands a forced cut should
    rather not pass through either; they give way when no cut in the lower half misses them.
    ``blank`` (PDF pages, not slices) gives, for each of the sorted breaks, the empty space
    just above it: a break whose content ends within the room fits even when the gap's
    blank lower half does not (it falls in the page's bottom margin).
    """
    if max_height <= 0:
        raise ValueError("max_height must be positive")
    pts = sorted({b for b in breaks if top < b < height})
    gaps = list(blank) if blank is not None else [0.0] * len(pts)
    if len(gaps) != len(pts):
        raise ValueError("blank needs one value per break")
    builder = _PageBuilder(pts, break_penalties(pts, keeps), gaps, height, max_height, keeps, repeats,
                           avoid, boxes, blank is not None)
    cuts: list[Cut] = []
    while True:
        cut = builder.weighed(top)
        cuts.append(cut)
        if cut.bottom >= height - _EPS:
            return cuts
        top = cut.bottom


@dataclass
class _PageBuilder:
    """The state ``plan_cuts`` settles pieces with: sorted breaks, their penalties and blank above."""

    pts: list[float]
    pens: list[float]
    gaps: list[float]
    height: float
    max_height: float
    keeps: Sequence[Keep]
    repeats: Sequence[Repeat]
    avoid: Sequence[tuple[float, float]]
    boxes: Sequence[tuple[float, float]]
    pages: bool
    settled: dict[float, Cut] = field(default_factory=dict)

    def fitting(self, top: float) -> tuple[tuple[float, float] | None, float, list[int]]:
        """(repeat, room, indices of the breaks that fit) of a piece from ``top``."""
        pts, gaps = self.pts, self.gaps
        rep = _repeat_at(top, self.repeats, self.max_height)
        room = self.max_height - (rep[1] - rep[0] if rep else 0.0)
        lo = bisect.bisect_right(pts, top + _EPS)
        hi = bisect.bisect_right(pts, top + room + max(gaps, default=0.0) + _EPS)
        return rep, room, [i for i in range(lo, hi) if pts[i] - gaps[i] <= top + room + _EPS]

    def piece(self, top: float) -> Cut:
        """The piece from ``top`` as the page builder settles it, looking no further (memoised:
        the pieces looked ahead at are mostly the ones settled next)."""
        if top not in self.settled:
            self.settled[top] = self._piece(top)
        return self.settled[top]

    def _piece(self, top: float) -> Cut:
        pts, pens, gaps = self.pts, self.pens, self.gaps
        rep, room, fits = self.fitting(top)
        if self.height - top <= room + _EPS:
            return Cut(top, self.height, False, rep)
        best = _cheapest(pts, pens, gaps, fits, top, room)
        if best is not None and pts[best[1]] - top < room / 2:
            best = self._underfull(best, fits, top, room)
        if best is not None:
            return Cut(top, pts[best[1]], False, rep, best[0])
        return Cut(top, self._forced(top, room), True, rep, KEEP)

    def _underfull(self, best: tuple[float, int], fits: list[int], top: float,
                   room: float) -> tuple[float, int] | None:
        """An underfull piece pays only if what it pushes on fits a fresh piece; else, when
        nearly empty, the fullest-scoring break past MIN_FILL, and when what follows is one
        unit with no break in it (a callout or quote taller than a page), a forced cut fills
        this piece (None): that unit is cut between lines anyway (not a unit some keep holds
        together, such as a block title with its chart: the title would end the piece)."""
        pts, pens = self.pts, self.pens
        i = best[1]
        good = next((j for j in range(i + 1, len(pts)) if pens[j] < KEEP), None)
        end = pts[good] if good is not None else self.height
        fresh = _repeat_at(pts[i], self.repeats, self.max_height)
        if end - pts[i] <= self.max_height - (fresh[1] - fresh[0] if fresh else 0.0) + _EPS:
            return best
        solid = (i + 1 == len(pts) or pts[i + 1] >= end - _EPS) and not any(
            k.penalty >= KEEP and k.top < end - _EPS and k.bottom > pts[i] + _EPS for k in self.keeps)
        if solid:
            return None
        if pts[i] - top < MIN_FILL * room:
            return _cheapest(pts, pens, self.gaps, [j for j in fits if pts[j] - top >= MIN_FILL * room], top, room)
        return best

    def _forced(self, top: float, room: float) -> float:
        """Where a piece with no break that fits ends: at the room's foot, moved off lines and boxes."""
        avoid = self.avoid
        tiers = (list(avoid) + list(self.boxes), avoid) if self.boxes else (avoid,)
        bottom = _dodge(top + room, tiers, top + room / 2)
        after = next((p for p in self.pts if p > bottom + _EPS), self.height)
        if self.pages and not any(bottom - _EPS <= a < after for a, _ in avoid):
            # no line of the unit would follow the cut onto the next page, only its foot (a
            # box's padding and border): its last line goes on with it, so no page holds a
            # bare box edge (a slice is read right under the last one: its foot may go on)
            last = [a for a, _ in avoid if top + room / 2 <= a < bottom - _EPS]
            if last:
                bottom = max(last)
        return bottom

    def ahead(self, top: float) -> tuple[list[float], float]:
        """The costs of the next ``LOOKAHEAD`` pieces from ``top`` as the page builder settles them,
        and where they end."""
        costs = []
        for _ in range(LOOKAHEAD):
            if top >= self.height - _EPS:
                break
            c = self.piece(top)
            costs.append(c.cost)
            top = c.bottom
        return costs, top

    def weighed(self, top: float) -> Cut:
        """The piece from ``top``, its break weighed with the pieces after it when those hold a bad one.

        A kept-off first step that leaves the next flow's first step alone at the next foot,
        an underfull page: of the few cheapest breaks that leave this piece well filled, the
        one with the least cost over it and the pieces after it. Only then: more pages are not
        searched to fill them fuller, and a break whose next pieces end higher up than the
        cheapest's is not taken (it would cost a page where the look ends).
        """
        cut = self.piece(top)
        if cut.forced or cut.bottom >= self.height - _EPS:
            return cut
        later, reach = self.ahead(cut.bottom)
        if not later or max(later) < WIDOW:
            return cut
        pts, gaps, pens = self.pts, self.gaps, self.pens
        rep, room, fits = self.fitting(top)
        options = sorted((badness(pts[i] - gaps[i] - top, room) + pens[i], -pts[i], i) for i in fits
                         if pts[i] - gaps[i] - top >= AHEAD_FILL * room and pens[i] < KEEP)[:CHOICES]
        best_total = cut.cost + sum(later)
        for cost, _, i in options:
            if abs(pts[i] - cut.bottom) <= _EPS:
                continue
            costs, end = self.ahead(pts[i])
            total = cost + sum(costs)
            if total < best_total - _EPS and end >= reach - _EPS:
                best_total, cut = total, Cut(top, pts[i], False, rep, cost)
        return cut


def _cheapest(pts: Sequence[float], pens: Sequence[float], gaps: Sequence[float], which: Iterable[int],
              top: float, room: float) -> tuple[float, int] | None:
    """(cost, index) of the cheapest of the breaks ``which`` for a piece from ``top``; the later on a tie."""
    best: tuple[float, int] | None = None
    for i in which:
        cost = badness(pts[i] - gaps[i] - top, room) + pens[i]
        if best is None or cost <= best[0]:
            best = (cost, i)
    return best


def break_penalties(pts: Sequence[float], keeps: Iterable[Keep]) -> list[float]:
    """The penalty of each break in sorted ``pts``: the largest keep it falls strictly inside."""
    pens = [0.0] * len(pts)
    for k in keeps:
        lo = bisect.bisect_right(pts, k.top + _EPS)
        hi = bisect.bisect_left(pts, k.bottom - _EPS)
        for i in range(lo, hi):
            pens[i] = max(pens[i], k.penalty)
    return pens


def _repeat_at(y: float, repeats: Sequence[Repeat], max_height: float) -> tuple[float, float] | None:
    """The header band to repeat above a piece starting at ``y`` (one that leaves room for content)."""
    for r in repeats:
        if r.bottom - _EPS < y < r.until - _EPS and r.bottom - r.top < max_height / 3:
            return (r.top, r.bottom)
    return None


def _dodge(y: float, tiers: tuple, floor: float) -> float:
    """The lowest cut in [floor, y] outside every band of the first tier that allows one, else ``y``."""
    for bands in tiers:
        window = [(a, b) for a, b in bands if a < y and b > floor]
        for cand in sorted({y, *(a for a, _ in window if floor <= a <= y)}, reverse=True):
            if not any(a < cand < b for a, b in window):
                return cand
    return y


#: words that point at the block below (下方二维码, 下图, 详见下表, 如下): in a text's last
#: sentence they make it a lead-in; Traditional forms too (the layout sees converted words)
LEAD_CUES = ("下方", "下图", "下圖", "下表", "下列", "如下", "见下", "見下")
_MARKUP = re.compile(r"\*\*|==")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_CLOSERS = "。！？!?…）)」』”’》"


def leads_in(text: str) -> bool:
    """Whether a text introduces the block right after it, so that it never ends a page without it.

    A lead-in ends with a colon (以下三类人员不得提名为候选人：), or its last sentence
    points down (扫描下方二维码，可查阅……; 详见下表; 流程如下). Only the last sentence counts:
    a word such as 下列 early in a long paragraph refers to something the text itself says.
    """
    t = _MARKUP.sub("", text).strip()
    if t.endswith(("：", ":")):
        return True
    last = _SENTENCE_END.split(t.rstrip(_CLOSERS))[-1]
    return any(c in last for c in LEAD_CUES)


def lead_keep(top: float, next_top: float) -> Keep:
    """The keep of a lead-in whose last unit starts at ``top`` with the first unit of the block at ``next_top``."""
    return Keep(top, next_top, KEEP, "lead", with_next=True)


def line_keeps(breaks: Sequence[float], height: float) -> list[Keep]:
    """Club and widow keeps of a text with breaks between its lines: no line alone at a page's foot or top.

    Lists keep their items the same way through ``item_keeps``.
    """
    if not breaks:
        return []
    b = list(breaks)
    club = Keep(0.0, b[1] if len(b) > 1 else height, WIDOW, "club")
    widow = Keep(b[-2] if len(b) > 1 else 0.0, height, WIDOW, "widow")
    return [club] if club == replace(widow, why="club") else [club, widow]


def item_keeps(spans: Iterable[tuple[float, float]], height: float) -> list[Keep]:
    """Club and widow keeps of a list: no page shows only its first item or only its last.

    ``spans`` are the items' (top, bottom) in the frame. Items that overlap (a grid's row,
    a decision's branches, a zigzag's staggered boxes) have no break between them and
    move as one unit of as many items. The units up to the second item stay together, and
    so do the units from the last but one item on: a flowchart's first step is never
    alone at a page's foot, a table's last row never alone at the next page's top (150,
    as for a paragraph's lines, so a page never goes under half full for it).
    """
    units: list[list[float]] = []  # [top, bottom, items]
    for top, bottom in sorted(spans):
        if units and top < units[-1][1] - _EPS:
            units[-1][1] = max(units[-1][1], bottom)
            units[-1][2] += 1
        else:
            units.append([top, bottom, 1])
    if sum(u[2] for u in units) < 2 or len(units) < 2:
        return []
    head = next(u for i, u in enumerate(units) if sum(v[2] for v in units[: i + 1]) >= 2)
    tail = next(u for i, u in reversed(list(enumerate(units))) if sum(v[2] for v in units[i:]) >= 2)
    return [Keep(0.0, head[1], WIDOW, "club"), Keep(tail[0], height, WIDOW, "widow")]


def blank_above(frame: Frame, pts: Sequence[float]) -> list[float]:
    """For each of the sorted ``pts``, how much room just above it holds no content (0 inside drawing).

    Connectors (``Line`` ops: arrows between steps, a timeline's spine) do not count: a
    page may end with an arrow's stub clipped at its foot, the arrow goes on overleaf.
    """
    spans = []
    for op in frame.ops:
        if isinstance(op, Line):
            continue
        _, y, _, h = op.bbox()
        top, bottom = y, y + h
        if isinstance(op, Text):
            for r in op.runs:
                _, ry, _, rh = r.bbox()
                top, bottom = min(top, ry), max(bottom, ry + rh)
        spans.append((top, bottom))
    spans.sort()
    out = []
    reach, k = float("-inf"), 0
    for b in pts:
        while k < len(spans) and spans[k][0] < b:
            reach = max(reach, spans[k][1])
            k += 1
        out.append(max(0.0, b - reach) if reach > float("-inf") else 0.0)
    return out


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


def cut_frame(frame: Frame, room: float, *, start: float = 0.0, end: float | None = None,
              skip: tuple[float, float] | None = None, pages: bool = True,
              scale: float | None = None) -> list[Cut]:
    """Frame band [start, end) cut into pieces at most ``room`` tall, scored by the frame's keeps.

    Breaks strictly inside ``skip`` (top, bottom) are not used: that band stays whole.
    ``scale`` (slices) multiplies every frame y and rounds breaks to whole device rows; the
    cuts are then in device rows.
    ``pages``: a page repeats a table's header and may end with blank reaching into its
    margin; a slice (False) is an image exactly as tall as its cut, read right after the last.
    """
    end = frame.height if end is None else end
    if end - start <= _EPS:
        return []
    breaks = frame.sorted_breaks()
    keeps = resolve_keeps(frame.keeps, breaks, frame.height)
    s = 1.0 if scale is None else scale

    def px(y: float) -> float:  # a break or keep edge in the cuts' units (whole device rows for slices)
        return y if scale is None else float(round(y * s))

    def inside(a: float, b: float) -> bool:
        return b > start and a < end

    usable = [b for b in breaks if start < b < end and not (skip is not None and skip[0] < b < skip[1])]
    blank = [g * s for g in blank_above(frame, usable)] if pages else None
    return plan_cuts(
        [px(b) for b in usable], end * s, room, top=start * s, blank=blank,
        keeps=[Keep(px(k.top), px(k.bottom), k.penalty, k.why) for k in keeps if inside(k.top, k.bottom)],
        repeats=[Repeat(r.top * s, r.bottom * s, r.until * s) for r in frame.repeats] if pages else (),
        avoid=[(a * s, b * s) for a, b in text_line_bands(frame) if inside(a, b)],
        boxes=[(b.y * s, (b.y + b.h) * s) for b in frame.boxes if inside(b.y, b.y + b.h)],
    )


__all__ = ["AHEAD_FILL", "CHOICES", "KEEP", "LEAD_CUES", "LOOKAHEAD", "MIN_FILL", "UNDERFULL", "WIDOW", "Cut", "badness", "blank_above", "break_penalties", "cut_frame", "item_keeps",
           "lead_keep", "leads_in", "line_keeps", "plan_cuts", "resolve_keeps", "text_line_bands"]
