"""Flowchart geometry: rows of boxes, orthogonal edges in lanes, labels in corridors.

Pure geometry, no drawing. The steps layout decides where each box sits across
the width (a main column, a side column, alternating halves) and how tall it is;
this module ranks nothing new (rows are the items in reading order, one box per
row), it routes every edge and places every edge label so that, by construction:

- a box's row band holds only that box, so horizontal edge segments (which run
  inside row bands, from a box side to a lane) never cross another box;
- vertical runs between rows ("shafts") are placed at x positions free of every
  box they pass and separated from every other shaft sharing a corridor;
- edges that cannot drop straight (loops back, long skips) leave their box
  sideways and run in their own lane left of the boxes; nested spans get inner
  lanes, overlapping spans different lanes, so no two edges share a run;
- labels live in the corridors between rows, in the free intervals between
  shafts, stacked in sub-rows when they would collide; a corridor grows to
  hold its labels.

``route_rows`` returns a ``FlowLayout`` that the tests check directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

BBox = tuple[float, float, float, float]
Point = tuple[float, float]
EdgeKind = Literal["direct", "elbow", "lane"]
#: a label is at least this many times as far from any other edge's run as from its own
LABEL_NEAR = 3.0


@dataclass(frozen=True)
class NodeSpec:
    """One box: its horizontal extent as fractions of the usable width, and how it measures.

    ``measure(width)`` gives (height, tip) of the box drawn at that width; ``tip`` is
    how far a pointed (hexagon) box's side tips reach in from its bounding box (0 for
    rectangles).
    """

    f0: float
    f1: float
    measure: Callable[[float], tuple[float, float]]
    inset: float = 0.0  # keep shafts this far from the box's left/right (rounded corners)


@dataclass(frozen=True)
class EdgeSpec:
    """An edge from node ``src`` to node ``dst`` (indices) with an optional label."""

    src: int
    dst: int
    label: str | None = None


@dataclass
class RoutedEdge:
    """An edge as drawn: an orthogonal polyline from source to target and its label box."""

    src: int
    dst: int
    kind: EdgeKind
    points: list[Point]
    label: str | None = None
    label_box: BBox | None = None
    label_payload: object = None  # whatever measure_label returned, for drawing
    lane: int = -1


@dataclass
class FlowLayout:
    """Where everything went. ``corridors[i]`` is the gap (y0, y1) below row i (-1: above row 0)."""

    width: float
    height: float
    boxes: list[BBox]
    edges: list[RoutedEdge]
    corridors: dict[int, tuple[float, float]] = field(default_factory=dict)
    lanes: int = 0

    def label_boxes(self) -> list[BBox]:
        return [e.label_box for e in self.edges if e.label_box is not None]


@dataclass(frozen=True)
class FlowStyle:
    """Distances in design px (already scaled)."""

    gap: float  # minimum corridor height between rows
    lane_gap: float  # distance between lanes
    lane_pad: float  # space between the innermost lane and the boxes
    clear: float  # clearance of a shaft from a box it passes
    shaft_sep: float  # minimum distance between two shafts sharing a corridor
    head: float  # arrow-head length (and width)
    port_sep: float  # distance between two ports on one box side
    label_pad: float  # space around labels
    min_label: float  # narrowest useful label width


# Measures a label set at most ``max_w`` wide → (w, h, payload); w may exceed max_w when it cannot fit.
LabelMeasure = Callable[[str, float], tuple[float, float, object]]


def route_rows(  # noqa: C901 - over the limit before ruff ran; split tracked in #12
    nodes: list[NodeSpec],
    edges: list[EdgeSpec],
    width: float,
    style: FlowStyle,
    measure_label: LabelMeasure,
    *,
    forced: frozenset[int] = frozenset(),
) -> FlowLayout:
    """Place ``nodes`` one per row, top to bottom, and route ``edges`` between them.

    ``forced``: edges to route in lanes whatever their geometry (set when a straight
    drop turned out to have no free x, which changes the lane count and so every x).
    """
    n = len(nodes)
    kinds = _classify(nodes, edges, forced)
    lane_of = _assign_lanes(edges, kinds)
    lanes = max(lane_of.values(), default=-1) + 1
    left = lanes * style.lane_gap + style.lane_pad if lanes else 0.0
    usable = width - left
    xs = [(left + nd.f0 * usable, left + nd.f1 * usable) for nd in nodes]
    measured = [nd.measure(x1 - x0) for nd, (x0, x1) in zip(nodes, xs)]
    heights = [m[0] for m in measured]
    tips = [m[1] for m in measured]

    # Shafts: straight vertical runs, x fixed now (independent of y).
    shaft_x: dict[int, float] = {}
    shafts: list[tuple[float, int, int]] = []  # (x, first row, last row) of each vertical run
    for ei in sorted(range(len(edges)), key=lambda k: (edges[k].dst - edges[k].src, k)):
        if kinds[ei] != "direct":
            continue
        e = edges[ei]
        x = _shaft_position(e, nodes, xs, tips, shafts, style)
        if x is None:
            return route_rows(nodes, edges, width, style, measure_label, forced=forced | {ei})
        shaft_x[ei] = x
        shafts.append((x, e.src, e.dst))

    elbow_x: dict[int, float] = {}
    for ei, e in enumerate(edges):
        if kinds[ei] == "elbow":
            x = _elbow_position(e, nodes[e.dst], xs[e.dst], tips[e.dst], shafts, style)
            if x is None:
                return route_rows(nodes, edges, width, style, measure_label, forced=forced | {ei})
            elbow_x[ei] = x
            shafts.append((x, e.src, e.dst))

    # Lanes: the x of each lane edge's vertical run, and the corridors it passes through.
    lane_x = {ei: left - style.lane_pad - k * style.lane_gap for ei, k in lane_of.items()}

    def passing(c: int) -> dict[int, float]:
        return {ei: x for ei, x in lane_x.items() if min(edges[ei].src, edges[ei].dst) <= c < max(edges[ei].src, edges[ei].dst)}

    # Labels: which corridor, and the run they sit beside (a shaft, an elbow's drop or a lane).
    label_corridor: dict[int, int] = {}
    corridor_labels: dict[int, list[tuple[int, float]]] = {}
    for ei, e in enumerate(edges):
        if not e.label:
            continue
        if kinds[ei] == "lane":
            beside = lane_x[ei]
            c = _lane_label_corridor(e, n, ei, passing)
        else:
            beside = shaft_x.get(ei, elbow_x.get(ei, 0.0))
            c = _label_corridor(e, kinds[ei], n)
        label_corridor[ei] = c
        corridor_labels.setdefault(c, []).append((ei, beside))

    content = (0.0, width)
    placed: dict[int, tuple[float, float, float, float, object]] = {}  # ei → x, dy, w, h, payload
    corridor_h: dict[int, float] = {}
    for c in range(-1, n):
        blocked = [x for x, a, b in shafts if a <= c < b]
        lanes_here = list(passing(c).values())
        reqs = corridor_labels.get(c, [])
        base = style.gap if 0 <= c < n - 1 else 0.0
        if not reqs:
            corridor_h[c] = base
            continue
        h_used = _place_labels(reqs, edges, blocked, lanes_here, content, style, measure_label, placed)
        corridor_h[c] = max(base, h_used)

    # Rows top to bottom.
    tops: list[float] = []
    y = corridor_h[-1]
    corridors: dict[int, tuple[float, float]] = {}
    if corridor_h[-1]:
        corridors[-1] = (0.0, corridor_h[-1])
    for i in range(n):
        tops.append(y)
        y += heights[i]
        if corridor_h[i] or i < n - 1:
            corridors[i] = (y, y + corridor_h[i])
        y += corridor_h[i]
    height = y
    boxes = [(xs[i][0], tops[i], xs[i][1] - xs[i][0], heights[i]) for i in range(n)]

    # Ports on box sides (lanes on the left, elbows on the side facing their target).
    sides: dict[tuple[int, str], list[tuple[tuple[float, ...], int, str]]] = {}
    for ei, e in enumerate(edges):
        if kinds[ei] == "lane":
            sides.setdefault((e.src, "L"), []).append((_rank(e.dst, e.src, "src"), ei, "src"))
            sides.setdefault((e.dst, "L"), []).append((_rank(e.src, e.dst, "dst"), ei, "dst"))
        elif kinds[ei] == "elbow":
            side = "R" if elbow_x[ei] > xs[e.src][1] else "L"
            sides.setdefault((e.src, side), []).append((_rank(e.dst, e.src, "src"), ei, "src"))
    port: dict[tuple[int, str], Point] = {}
    for (node, side), atts in sides.items():
        atts.sort()
        ys = _spread(tops[node], heights[node], len(atts), style.port_sep)
        for (_, ei, end), py in zip(atts, ys):
            port[(ei, end)] = (_side_x(boxes[node], tips[node], py, side), py)

    routed: list[RoutedEdge] = []
    for ei, e in enumerate(edges):
        kind = kinds[ei]
        if kind == "direct":
            x = shaft_x[ei]
            pts = [(x, tops[e.src] + heights[e.src]), (x, tops[e.dst])]
        elif kind == "elbow":
            sx, sy = port[(ei, "src")]
            x = elbow_x[ei]
            pts = [(sx, sy), (x, sy), (x, tops[e.dst])]
        else:
            sx, sy = port[(ei, "src")]
            tx, ty = port[(ei, "dst")]
            lx = left - style.lane_pad - lane_of[ei] * style.lane_gap
            pts = [(sx, sy), (lx, sy), (lx, ty), (tx, ty)]
        r = RoutedEdge(e.src, e.dst, kind, pts, e.label, lane=lane_of.get(ei, -1))
        if ei in placed:
            lx, dy, lw, lh, payload = placed[ei]
            c0 = corridors[label_corridor[ei]][0]
            r.label_box = (lx, c0 + dy, lw, lh)
            r.label_payload = payload
        routed.append(r)
    return FlowLayout(width, height, boxes, routed, corridors, lanes)


def _label_corridor(e: EdgeSpec, kind: str, n: int) -> int:
    """The corridor holding an edge's label: below its source, or for a loop back the one above
    it (the lane passes there); a self-loop's goes below (above for the last row)."""
    if kind in ("direct", "elbow"):
        return e.src
    if e.dst == e.src:
        return e.src if e.src < n - 1 else e.src - 1
    return e.src if e.dst > e.src else e.src - 1


def _lane_label_corridor(e: EdgeSpec, n: int, ei: int, passing: Callable[[int], dict[int, float]]) -> int:
    """The corridor of a lane edge's label: the first its lane passes, going from the source
    towards the target, where that lane is the innermost (no other lane runs between it and
    the boxes), so the label can sit right beside it; else the corridor by the source."""
    if e.dst < e.src:
        along = range(e.src - 1, e.dst - 1, -1)
    elif e.dst > e.src:
        along = range(e.src, e.dst)
    else:
        along = range(0)
    for c in along:
        here = passing(c)
        if here and max(here.values()) == here[ei]:
            return c
    return _label_corridor(e, "lane", n)


def _rank(other: int, me: int, end: str) -> tuple[float, ...]:
    """Port order along a side: attachments to rows above sit higher; a self-loop leaves above, returns below."""
    if other == me:
        return (0.0 if end == "src" else 0.5,)
    return (other - me if other < me else other - me + 0.5,)


def _spread(top: float, h: float, k: int, sep: float) -> list[float]:
    """``k`` port heights centred on a side of height ``h``, ``sep`` apart (closer if the side is short)."""
    mid = top + h / 2
    if k == 1:
        return [mid]
    room = h * 0.7
    step = min(sep, room / (k - 1))
    start = mid - step * (k - 1) / 2
    return [start + i * step for i in range(k)]


def _side_x(box: BBox, tip: float, y: float, side: str) -> float:
    """Where a horizontal line at ``y`` meets a box's left or right outline (hexagon tips slant)."""
    x, top, w, h = box
    off = tip * abs(y - (top + h / 2)) / (h / 2) if tip and h else 0.0
    return x + off if side == "L" else x + w - off


def _classify(nodes: list[NodeSpec], edges: list[EdgeSpec], forced: frozenset[int]) -> list[EdgeKind]:
    """direct (straight down), elbow (sideways then down into the next row) or lane."""
    kinds: list[EdgeKind] = []
    for ei, e in enumerate(edges):
        if ei in forced or e.dst <= e.src:
            kinds.append("lane")
            continue
        a, b = nodes[e.src], nodes[e.dst]
        lo, hi = max(a.f0, b.f0), min(a.f1, b.f1)
        blocked = any(nodes[k].f0 < hi and nodes[k].f1 > lo and _covers(nodes[k], lo, hi) for k in range(e.src + 1, e.dst))
        if hi > lo and not blocked:
            kinds.append("direct")
        elif e.dst == e.src + 1:
            kinds.append("elbow")
        else:
            kinds.append("lane")
    return kinds


def _covers(nd: NodeSpec, lo: float, hi: float) -> bool:
    """Whether a box in between leaves no room at all in [lo, hi] (fractions)."""
    return nd.f0 <= lo and nd.f1 >= hi


def _assign_lanes(edges: list[EdgeSpec], kinds: list[EdgeKind]) -> dict[int, int]:
    """Interval partitioning of lane edges by row span: short spans inside, overlapping spans apart."""
    spans = sorted(
        ((min(e.src, e.dst), max(e.src, e.dst), ei) for ei, e in enumerate(edges) if kinds[ei] == "lane"),
        key=lambda s: (s[1] - s[0], s[0], s[2]),
    )
    lanes: list[list[tuple[int, int]]] = []
    out: dict[int, int] = {}
    for lo, hi, ei in spans:
        for k, used in enumerate(lanes):
            if all(hi < a or lo > b for a, b in used):
                used.append((lo, hi))
                out[ei] = k
                break
        else:
            lanes.append([(lo, hi)])
            out[ei] = len(lanes) - 1
    return out


def _shaft_position(e: EdgeSpec, nodes: list[NodeSpec], xs: list[tuple[float, float]], tips: list[float],
                    shafts: list[tuple[float, int, int]], style: FlowStyle) -> float | None:
    """An x for a straight drop from ``e.src`` to ``e.dst``: inside both boxes' flat edges, clear of
    every box in between and of every other shaft sharing a row span; None if there is none."""
    (a0, a1), (b0, b1) = xs[e.src], xs[e.dst]
    ea = max(nodes[e.src].inset, tips[e.src]) + style.head
    eb = max(nodes[e.dst].inset, tips[e.dst]) + style.head
    lo, hi = max(a0 + ea, b0 + eb), min(a1 - ea, b1 - eb)
    if hi < lo:
        return None
    free = [(lo, hi)]
    for k in range(e.src + 1, e.dst):
        x0, x1 = xs[k]
        free = _subtract(free, x0 - style.clear - style.head, x1 + style.clear + style.head)
    return _choose(_clear_of_shafts(free, e, shafts, style), (b0 + b1) / 2, (a0 + a1) / 2)


def _elbow_position(e: EdgeSpec, dst: NodeSpec, span: tuple[float, float], tip: float,
                    shafts: list[tuple[float, int, int]], style: FlowStyle) -> float | None:
    """Where an elbow drops into its target's top: the middle if free, else the widest free place."""
    b0, b1 = span
    edge = max(dst.inset, tip) + style.head
    free = [(b0 + edge, b1 - edge)] if b1 - edge > b0 + edge else []
    return _choose(_clear_of_shafts(free, e, shafts, style), (b0 + b1) / 2)


def _clear_of_shafts(free: list[tuple[float, float]], e: EdgeSpec, shafts: list[tuple[float, int, int]],
                     style: FlowStyle) -> list[tuple[float, float]]:
    """``free`` x intervals minus the corridor of every shaft whose rows overlap ``e``'s
    (bottom of source to top of target)."""
    for x, s, d in shafts:
        if s < e.dst and e.src < d:
            free = _subtract(free, x - style.shaft_sep, x + style.shaft_sep)
    return free


def _choose(free: list[tuple[float, float]], *wants: float) -> float | None:
    """The first of ``wants`` inside a free interval, else the middle of the widest one; None if none."""
    if not free:
        return None
    for want in wants:
        for lo, hi in free:
            if lo <= want <= hi:
                return want
    best = max(free, key=lambda iv: iv[1] - iv[0])
    return (best[0] + best[1]) / 2


def _own_side(iv: tuple[float, float], x: float, runs: list[float], least: float) -> tuple[float, float]:
    """The part of ``iv`` (beside the run at ``x``) where a label reads as that run's: at least
    ``LABEL_NEAR`` times as far from the next run beyond the interval as from its own (unless
    that leaves less than ``least``)."""
    if iv[0] >= x:
        nxt = min((r for r in runs if r >= iv[1]), default=None)
        end = iv[1] if nxt is None else nxt - LABEL_NEAR * (iv[0] - x)
        return (iv[0], min(iv[1], max(end, iv[0] + least)))
    prv = max((r for r in runs if r <= iv[0]), default=None)
    start = iv[0] if prv is None else prv + LABEL_NEAR * (x - iv[1])
    return (max(iv[0], min(start, iv[1] - least)), iv[1])


def _subtract(free: list[tuple[float, float]], a: float, b: float) -> list[tuple[float, float]]:
    out = []
    for lo, hi in free:
        if b <= lo or a >= hi:
            out.append((lo, hi))
            continue
        if a > lo:
            out.append((lo, a))
        if b < hi:
            out.append((b, hi))
    return out


def _place_labels(reqs: list[tuple[int, float]], edges: list[EdgeSpec], blocked: list[float], lanes: list[float],
                  content: tuple[float, float], style: FlowStyle, measure: LabelMeasure,
                  placed: dict[int, tuple[float, float, float, float, object]]) -> float:
    """Put a corridor's labels in the free intervals between its runs; returns the height used.

    ``blocked`` are the x of the shafts crossing the corridor, ``lanes`` of the lanes passing
    it. A label sits beside its own run (``reqs``: edge, x of its run): to its right, else
    to its left, and at least ``LABEL_NEAR`` times as far from the next run as from its own,
    so it reads as its own edge's (a loop label beside its lane, not by the solid arrow
    into the decision); it wraps to fit there. Only when even that leaves no
    room does it take the whole interval, or another one. Colliding labels take a new sub-row.
    """
    ex = style.head / 2 + style.label_pad
    runs = sorted(blocked + lanes)
    free = [(content[0], content[1])]
    for x in blocked:
        free = _subtract(free, x - ex, x + ex)
    for x in lanes:  # a label keeps the same distance from a lane as the boxes do
        free = _subtract(free, x - ex, x + style.lane_pad)
    free = [iv for iv in free if iv[1] - iv[0] >= style.min_label]
    rows: list[list[tuple[float, float]]] = []
    row_h: list[float] = []
    spots: list[tuple[int, float, int, float, float, object]] = []  # ei, x, row, w, h, payload
    for ei, sx in reqs:
        text = edges[ei].label or ""
        # the free space right of its run (clipped: a run not crossing the corridor, such as a
        # self-loop's lane, lies inside a free interval), then left of it
        right = [((a, b), "start") for a, b in sorted((max(lo, sx + ex), hi) for lo, hi in free)
                 if b - a >= style.min_label]
        leftv = [((a, b), "end") for a, b in sorted(((lo, min(hi, sx - ex)) for lo, hi in free), key=lambda iv: -iv[1])
                 if b - a >= style.min_label]
        near = [(_own_side(iv, sx, runs, style.min_label), side) for iv, side in right[:1] + leftv[:1]]
        cands = near + right + leftv or [((content[0], content[1]), "start")]
        choice = None
        for iv, side in cands:
            w, h, payload = measure(text, iv[1] - iv[0])
            if w <= iv[1] - iv[0] + 0.01:
                choice = (iv, side, w, h, payload)
                break
        if choice is None:
            iv, side = cands[0]
            w, h, payload = measure(text, iv[1] - iv[0])
            choice = (iv, side, w, h, payload)
        iv, side, w, h, payload = choice
        x = iv[0] if side == "start" else iv[1] - w
        for r, occ in enumerate(rows):
            if all(x + w + style.label_pad <= a or x >= b + style.label_pad for a, b in occ):
                occ.append((x, x + w))
                row_h[r] = max(row_h[r], h)
                break
        else:
            rows.append([(x, x + w)])
            row_h.append(h)
            r = len(rows) - 1
        spots.append((ei, x, r, w, h, payload))
    total = sum(row_h) + style.label_pad * (len(rows) - 1)
    height = max(style.gap, total + 2 * style.label_pad + style.head)
    top = (height - total) / 2
    offs = []
    acc = top
    for hgt in row_h:
        offs.append(acc)
        acc += hgt + style.label_pad
    for ei, x, r, w, h, payload in spots:
        placed[ei] = (x, offs[r] + (row_h[r] - h) / 2, w, h, payload)
    return height
