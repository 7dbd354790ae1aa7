"""Steps (流程图): a process as numbered boxes with arrows, decisions as pointed boxes.

Arrangements:

- ``vertical``: one full-width box per row, arrows straight down the middle. A
  short branch that rejoins the main line (否 → 另行选举 → 公布结果) sits in a
  narrower side column to the right; loops back and long skips run in lanes
  left of the boxes (see flowgraph.py).
- ``zigzag``: two columns, boxes alternating and staggered, arrows snaking from
  one to the next. With branches, the boxes keep one row each and loops use lanes.
- ``grid``: 2–3 cards a row, arrows between neighbours and a return arrow under
  each row, so the reading order is obvious.
- ``timeline``: numbered nodes on a spine at the left, the boxes beside them.
- ``auto``: vertical for branching flows and long texts, grid for many short
  steps, zigzag in between.

Grid and timeline only draw a straight sequence; a flow with branches or edge
labels is drawn vertically instead (with a warning), since a branch needs lanes.

``steps_geometry`` returns the frame together with the geometry (boxes, edge
polylines, labels) so tests can check the invariants without looking at pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..color import mix, readable
from ..frame import Box, Ellipse, Frame, Keep, Line, Op, Path, PathCmd, Rect, shift
from ..spec.blocks import StepItem, StepsBlock
from .common import balanced, card, number_badge, pill, short_text, titled
from .context import LayoutContext
from .flowgraph import BBox, EdgeSpec, FlowStyle, NodeSpec, Point, _side_x, route_rows
from .icons import icon
from .paginate import KEEP, item_keeps
from .pieces import centered_lines
from .registry import layout_for

Layout = str  # vertical | zigzag | grid | timeline

_POSITIVE = ("是", "通过", "合格", "符合", "同意", "有效", "过半", "满足", "通過", "過半", "滿足",  # + Traditional
             "yes", "Yes", "YES", "Y")
_NEGATIVE = ("否", "不", "未", "无效", "没有", "無效", "沒有", "no", "No", "NO", "N")


@dataclass
class ItemGeometry:
    """Where one item went, and the boxes of the text drawn inside it."""

    key: str
    kind: str  # step | decision
    box: BBox
    texts: list[BBox] = field(default_factory=list)


@dataclass
class EdgeGeometry:
    """An arrow as drawn: source and target keys, its polyline, its label box and label text boxes."""

    src: str
    dst: str
    points: list[Point]
    label: str | None = None
    label_box: BBox | None = None
    label_texts: list[BBox] = field(default_factory=list)


@dataclass
class StepsGeometry:
    """The laid-out steps block: the frame plus what tests check."""

    frame: Frame
    layout: Layout
    items: list[ItemGeometry]
    edges: list[EdgeGeometry]


@layout_for("steps")
def layout_steps(block: StepsBlock, width: float, ctx: LayoutContext) -> Frame:
    return steps_geometry(block, width, ctx).frame


# ----------------------------------------------------------------------------- the graph
def item_keys(block: StepsBlock) -> list[str]:
    """A key per item: its id, else its position (items[3])."""
    return [it.id if it.id is not None else f"items[{i}]" for i, it in enumerate(block.items)]


def flow_edges(block: StepsBlock) -> list[EdgeSpec]:
    """Every arrow: an item's ``next`` edges, or else an arrow to the following item."""
    index = {it.id: i for i, it in enumerate(block.items) if it.id is not None}
    out: list[EdgeSpec] = []
    n = len(block.items)
    for i, it in enumerate(block.items):
        if it.next is None:
            if i + 1 < n:
                out.append(EdgeSpec(i, i + 1))
        else:
            for e in it.next:
                out.append(EdgeSpec(i, index[e.to], (e.label or "").strip() or None))
    return out


def is_sequence(block: StepsBlock, edges: list[EdgeSpec]) -> bool:
    """True when the flow is a plain chain: every arrow goes to the next item, unlabelled."""
    return all(e.dst == e.src + 1 and not e.label for e in edges)


def choose_layout(block: StepsBlock, edges: list[EdgeSpec], width: float, ctx: LayoutContext) -> Layout:
    """The arrangement ``auto`` stands for, and the fallback for grid/timeline with branches."""
    want = block.layout
    seq = is_sequence(block, edges)
    if want in ("grid", "timeline") and not seq:
        ctx.warnings.append(
            f"{ctx.where}: steps layout '{want}' draws only a plain sequence; "
            "this flow has branches or labelled arrows, so it is drawn vertically"
        )
        return "vertical"
    if want != "auto":
        return want
    n = len(block.items)
    if not seq or n <= 2:
        return "vertical"
    lens = [len(it.desc or "") + len(it.note or "") for it in block.items]
    avg = sum(lens) / n
    if n >= 4 and avg <= 26 and max(lens) <= 48:
        return "grid"
    if n >= 4 and avg <= 70:
        return "zigzag"
    return "vertical"


def main_line(block: StepsBlock, edges: list[EdgeSpec]) -> set[int]:
    """Items drawn in the side column: a short run the main line skips and that rejoins it.

    The main line follows each item's first forward arrow. When that arrow skips one
    to three items, the item also has an arrow to the very next one, and the last
    skipped item flows into the skip's target, the skipped run is a side branch
    (e.g. 候选人得票是否过半数？ 否 → 另行选举 → 公布选举结果).
    """
    n = len(block.items)
    out: dict[int, list[EdgeSpec]] = {}
    for e in edges:
        out.setdefault(e.src, []).append(e)
    side: set[int] = set()
    cur = 0
    while cur < n - 1:
        fwd = [e.dst for e in out.get(cur, []) if e.dst > cur]
        nxt = fwd[0] if fwd else cur + 1
        run = range(cur + 1, nxt)
        ok = (
            1 <= len(run) <= 3
            and (cur + 1) in fwd
            and any(e.dst == nxt for e in out.get(nxt - 1, []))
            and not any(block.items[k].kind == "decision" for k in run)
        )
        if run and not ok:
            nxt = cur + 1
        side.update(range(cur + 1, nxt))
        cur = nxt
    return side


# ----------------------------------------------------------------------------- item boxes
@dataclass
class _Sizes:
    pad: float
    badge: float
    title: float
    desc: float
    small: float
    gap: float
    radius: float
    line: float
    head: float


def _sizes(ctx: LayoutContext, compact: bool) -> _Sizes:
    k = 0.9 if compact else 1.0
    return _Sizes(
        pad=ctx.px(30 if compact else 36),
        badge=ctx.px(60 if compact else 68),
        title=ctx.size("h3") * k,
        desc=ctx.size("body") * 0.85 * (0.95 if compact else 1.0),
        small=ctx.size("caption"),
        gap=ctx.px(14),
        radius=ctx.px(ctx.theme.spacing.radius),
        line=ctx.px(4),
        head=ctx.px(18),
    )


@dataclass
class _ItemPicture:
    """An item drawn at a width: its height, ops relative to (0, 0), and its text boxes."""

    width: float
    height: float
    ops: list
    texts: list[BBox]
    tip: float = 0.0


def _tag_colors(ctx: LayoutContext) -> tuple[str, str]:
    pal = ctx.palette
    fill = mix(pal.primary, pal.surface, 0.88)
    return fill, readable(pal.primary, fill)


def _draw_step(item: StepItem, number: str | None, width: float, ctx: LayoutContext, sz: _Sizes,
               *, badge_in_box: bool = True, stacked: bool = False, min_height: float = 0.0) -> _ItemPicture:
    """A step card: number badge and bold title on one line, tag pill, description, note.

    ``stacked`` (narrow grid cards): the badge and tag share the first line and the
    title goes under them at full width. ``min_height`` stretches the card (rows of equal height).
    """
    pal = ctx.palette
    ops: list = []
    texts: list[BBox] = []
    inner = width - 2 * sz.pad
    x = sz.pad
    y = sz.pad
    head_x = x
    badge_w = 0.0
    if number is not None and badge_in_box:
        badge = number_badge(ctx, number, sz.badge, fill=pal.primary, color=pal.on_primary)
        badge_w = badge.width
        head_x = x + badge_w + ctx.px(18)
        if stacked:
            ops.append(("place", badge, x, y))
            if item.tag:
                fill, color = _tag_colors(ctx)
                corner = pill(ctx, item.tag, fill=fill, color=color, max_width=inner)
                if badge_w + ctx.px(14) + corner.width <= inner:
                    ops.append(("place", corner, x + inner - corner.width, y + (sz.badge - corner.height) / 2))
                    item = item.model_copy(update={"tag": None})
            y += sz.badge + sz.gap
            head_x, badge_w = x, 0.0
    icon_sz = sz.title * 1.05 if item.icon else 0.0
    title_x = head_x + (icon_sz + ctx.px(12) if item.icon else 0.0)
    title_w = max(sz.title * 2, x + inner - title_x)
    body_x = head_x if width >= ctx.px(600) and not stacked else x
    body_w = x + inner - body_x
    tag: Frame | None = None
    if item.tag:
        fill, color = _tag_colors(ctx)
        tag = pill(ctx, item.tag, fill=fill, color=color, max_width=body_w)
    t_style = ctx.style("h3", size=sz.title, face=ctx.face("heading"), line_height=1.35)
    one = ctx.fonts.measure(item.title, sz.title, t_style.face)
    tag_inline = tag is not None and one + ctx.px(20) + tag.width <= title_w
    tb = balanced(ctx, item.title, title_w - (tag.width + ctx.px(20) if tag is not None and tag_inline else 0), t_style)
    head_h = max(tb.height, sz.badge if badge_w else 0.0)
    ty = y + (head_h - tb.height) / 2
    if badge_w:
        ops.append(("place", badge, x, y + (head_h - sz.badge) / 2))
    if item.icon:
        ops.extend(icon(item.icon, head_x, y + (head_h - icon_sz) / 2, icon_sz, pal.primary))
    ops.append(tb.op(title_x, ty, background=pal.surface))
    texts.append((title_x, ty, tb.width, tb.height))
    if tag is not None and tag_inline:
        ops.append(("place", tag, x + inner - tag.width, y + (head_h - tag.height) / 2))
    y += head_h
    if tag is not None and not tag_inline:
        y += sz.gap
        ops.append(("place", tag, body_x, y))
        y += tag.height
    if item.desc:
        y += sz.gap
        # justified lines of a dozen characters open wide gaps: narrow boxes are set ragged-right
        d_style = ctx.style("body", size=sz.desc, line_height=1.6,
                            align="justify" if body_w >= 15 * sz.desc else "left")
        db = short_text(ctx, item.desc, body_w, d_style)
        ops.append(db.op(body_x, y, background=pal.surface))
        texts.append((body_x, y, db.width, db.height))
        y += db.height
    if item.note:
        y += sz.gap
        note_fill = mix(pal.surface_alt, pal.surface, 0.35)
        n_style = ctx.style("caption", color=readable(pal.muted, note_fill), line_height=1.5)
        npad = ctx.px(16)
        isz = sz.small * 0.9
        nb = ctx.text(item.note, body_w - 2 * npad - isz - ctx.px(10), n_style)
        nh = nb.height + 2 * ctx.px(10)
        ops.append(Rect(body_x, y, body_w, nh, fill=note_fill, radius=ctx.px(10)))
        ops.append(Rect(body_x, y, ctx.px(5), nh, fill=pal.gold, radius=ctx.px(2.5)))
        ops.extend(icon("info", body_x + npad, y + ctx.px(10) + (sz.small * 1.5 - isz) / 2, isz,
                        readable(pal.muted, note_fill)))
        tx = body_x + npad + isz + ctx.px(10)
        ops.append(nb.op(tx, y + ctx.px(10), background=note_fill))
        texts.append((tx, y + ctx.px(10), nb.width, nb.height))
        y += nh
    height = max(y + sz.pad, min_height)
    frame_ops = card(0, 0, width, height, ctx, radius=sz.radius)
    return _ItemPicture(width, height, frame_ops + ops, texts)


def _draw_decision(item: StepItem, width: float, ctx: LayoutContext, sz: _Sizes) -> _ItemPicture:
    """A decision: a pointed box (hexagon) holding a centred question; wide enough for Chinese text."""
    pal = ctx.palette
    fill = mix(pal.gold, pal.surface, 0.72)
    stroke = mix(pal.gold, pal.primary, 0.35)
    tip = min(ctx.px(46), width * 0.12)
    inner = width - 2 * tip - 2 * sz.pad * 0.6
    ops: list = []
    texts: list[BBox] = []
    y = sz.pad * 0.8
    t_style = ctx.style("h3", size=sz.title, face=ctx.face("heading"), line_height=1.35,
                        color=readable(pal.text, fill), align="center")
    parts: list[tuple[str, Any]] = []  # ("tag", pill Frame) or (kind, TextBlock)
    if item.tag:
        tfill = pal.surface
        tag = pill(ctx, item.tag, fill=tfill, color=readable(stroke, tfill), stroke=stroke, max_width=inner)
        parts.append(("tag", tag))
    tb = balanced(ctx, item.title, inner, t_style)
    parts.append(("title", tb))
    if item.desc:
        db = ctx.text(item.desc, inner, ctx.style("body", size=sz.desc * 0.95, line_height=1.5,
                                                  color=readable(pal.muted, fill), align="center"))
        parts.append(("text", db))
    if item.note:
        nb = ctx.text(item.note, inner, ctx.style("caption", color=readable(pal.muted, fill), line_height=1.45,
                                                  align="center"))
        parts.append(("text", nb))
    body_ops: list = []
    for k, (kind, obj) in enumerate(parts):
        if k:
            y += sz.gap * 0.7
        if kind == "tag":
            body_ops.append(("place", obj, (width - obj.width) / 2, y))
            y += obj.height
            continue
        for line_op, box in centered_lines(obj, 0, y, width, fill):
            body_ops.append(line_op)
            texts.append(box)
        y += obj.height
    height = y + sz.pad * 0.8
    tip = min(tip, height / 2)
    mid = height / 2
    hexagon: tuple[PathCmd, ...] = (("M", tip, 0), ("L", width - tip, 0), ("L", width, mid),
                                    ("L", width - tip, height), ("L", tip, height), ("L", 0, mid), ("Z",))
    from .common import shadow_color

    ops.append(shift(Path(hexagon, fill=shadow_color(pal.background)), 0, ctx.px(4)))
    ops.append(Path(hexagon, fill=fill, stroke=stroke, stroke_width=ctx.px(3), cap="butt"))
    ops.extend(body_ops)
    return _ItemPicture(width, height, ops, texts, tip=tip)


def _materialise(pic: _ItemPicture, dx: float, dy: float) -> list:
    """The picture's ops moved to (dx, dy); ("place", frame, x, y) entries become the frame's ops."""
    out: list[Op] = []
    for op in pic.ops:
        if isinstance(op, tuple) and op and op[0] == "place":
            _, fr, x, y = op
            out.extend(shift(o, dx + x, dy + y) for o in fr.ops)
        else:
            out.append(shift(op, dx, dy))
    return out


def _picture(block: StepsBlock, i: int, numbers: list[str | None], width: float, ctx: LayoutContext,
             sz: _Sizes, *, badge_in_box: bool = True) -> _ItemPicture:
    it = block.items[i]
    if it.kind == "decision":
        return _draw_decision(it, width, ctx, sz)
    return _draw_step(it, numbers[i], width, ctx, sz, badge_in_box=badge_in_box)


def _numbers(block: StepsBlock) -> list[str | None]:
    """Number labels: steps count 1, 2, 3 …; decisions are not numbered."""
    out: list[str | None] = []
    k = 0
    for it in block.items:
        if it.kind == "decision" or not block.numbered:
            out.append(None)
        else:
            k += 1
            out.append(f"{k:02d}")
    return out


# ----------------------------------------------------------------------------- edges and labels
def label_tone(text: str) -> str:
    """positive for 是/通过…, negative for 否/不…, neutral otherwise (colours the label and its arrow)."""
    t = text.strip()
    if t.startswith(_NEGATIVE):
        return "negative"
    if t.startswith(_POSITIVE):
        return "positive"
    return "neutral"


def _edge_color(ctx: LayoutContext, label: str | None) -> str:
    pal = ctx.palette
    tone = label_tone(label) if label else "neutral"
    if tone == "positive":
        return pal.positive
    if tone == "negative":
        return pal.negative
    return mix(pal.primary, pal.background, 0.15)


def _label_measure(ctx: LayoutContext):
    """Label pills: caption text wrapped to the room given in lines of even length (否，选举无效，/
    重新组织投票, not 否，选举无效，重新组织 / 投票), in a rounded box."""
    padx, pady = ctx.px(16), ctx.px(6)

    def measure(text: str, max_w: float):
        style = ctx.style("caption", face=ctx.face("bold"), line_height=1.35)
        tb = balanced(ctx, text, max(max_w - 2 * padx, ctx.size("caption")), style)
        return tb.used_width + 2 * padx, tb.height + 2 * pady, tb

    return measure, padx, pady


def _draw_label(ctx: LayoutContext, text: str, box: BBox, tb, padx: float, pady: float) -> tuple[list, list[BBox]]:
    pal = ctx.palette
    tone = label_tone(text)
    x, y, w, h = box
    if tone == "neutral":  # a plain note on the arrow: outlined, in text colour
        fill, stroke, ink = pal.surface, _edge_color(ctx, None), pal.text
    else:  # 是 / 否 read at a glance: filled in the tone's colour
        fill = pal.positive if tone == "positive" else pal.negative
        stroke, ink = None, pal.on_primary
    tb2 = balanced(ctx, text, max(tb.width, w - 2 * padx), ctx.style("caption", face=ctx.face("bold"), line_height=1.35,
                                                                 color=readable(ink, fill)))
    ops: list[Op] = [Rect(x, y, w, h, fill=fill, stroke=stroke, stroke_width=ctx.px(2) if stroke else 0,
                radius=min(h / 2, ctx.px(22)))]
    ops.append(tb2.op(x + padx, y + pady, background=fill))
    return ops, [(x + padx, y + pady, tb2.used_width, tb2.height)]


def _draw_edge(ctx: LayoutContext, pts: list[Point], label: str | None, back: bool, sz: _Sizes) -> list:
    """An arrow along ``pts``; solid arrows turn their corners in a curve, loops back are dashed."""
    color = _edge_color(ctx, label)
    pts = [p for k, p in enumerate(pts) if k == 0 or p != pts[k - 1]]
    if back or len(pts) < 3:
        return [Line(tuple(pts), color, width=sz.line, arrow_end=True, arrow_size=sz.head,
                     dash=(ctx.px(14), ctx.px(9)) if back else None)]
    # rounded corners: straight runs joined by quadratic turns, the last run carries the head
    cmds: list[tuple] = [("M", *pts[0])]
    for k in range(1, len(pts) - 1):
        (ax, ay), (bx, by), (cx, cy) = pts[k - 1], pts[k], pts[k + 1]
        r = min(ctx.px(16), abs(bx - ax + by - ay) / 2, abs(cx - bx + cy - by) / 2)
        ux, uy = _unit(ax, ay, bx, by)
        vx, vy = _unit(bx, by, cx, cy)
        cmds.append(("L", bx - ux * r, by - uy * r))
        cmds.append(("Q", bx, by, bx + vx * r, by + vy * r))
    last = cmds[-1][-2:]
    return [Path(tuple(cmds), stroke=color, stroke_width=sz.line, cap="butt"),
            Line((tuple(last), pts[-1]), color, width=sz.line, arrow_end=True, arrow_size=sz.head)]


def _unit(ax: float, ay: float, bx: float, by: float) -> tuple[float, float]:
    d = abs(bx - ax) + abs(by - ay)  # axis-parallel: one of the two is zero
    return ((bx - ax) / d, (by - ay) / d) if d else (0.0, 0.0)


# ----------------------------------------------------------------------------- entry point
def steps_geometry(block: StepsBlock, width: float, ctx: LayoutContext) -> StepsGeometry:
    """Lay out a steps block; returns the frame and its geometry."""
    edges = flow_edges(block)
    arrangement = choose_layout(block, edges, width, ctx)
    frame, y0 = titled(block.title, width, ctx)
    if arrangement == "grid":
        body = _grid(block, width, ctx)
    elif arrangement == "timeline":
        body = _timeline(block, width, ctx)
    elif arrangement == "zigzag" and is_sequence(block, edges):
        body = _zigzag_staggered(block, edges, width, ctx)
    else:
        body = _rows(block, edges, arrangement, width, ctx)
    frame.height = y0 + body.frame.height
    if y0:
        frame.add_break(y0)
    frame.place(body.frame, 0, y0)
    items = [ItemGeometry(g.key, g.kind, _moved(g.box, y0), [_moved(b, y0) for b in g.texts]) for g in body.items]
    eds = [EdgeGeometry(g.src, g.dst, [(x, y + y0) for x, y in g.points], g.label,
                        _moved(g.label_box, y0) if g.label_box else None, [_moved(b, y0) for b in g.label_texts])
           for g in body.edges]
    frame.keeps.extend(flow_keeps(items, eds))
    # no step alone at a page's foot or top: the first two rows and the last two stay together
    frame.keeps.extend(item_keeps([(g.box[1], g.box[1] + g.box[3]) for g in items], frame.height))
    return StepsGeometry(frame, arrangement, items, eds)


def flow_keeps(items: list[ItemGeometry], edges: list[EdgeGeometry]) -> list[Keep]:
    """What a page break must not separate in a flow (``paginate.KEEP`` bands).

    A decision with its branch labels and each forward target (boxes are never cut,
    so the target's first line means its whole box); any item with the labels of its
    edges back (a loop label stays on its decision's page).
    """
    order = {g.key: i for i, g in enumerate(items)}
    boxes = {g.key: g.box for g in items}
    keeps = []
    for g in items:
        _, top, _, h = g.box
        bottom = top + h
        why = "decision" if g.kind == "decision" else "loop"
        for e in edges:
            if e.src != g.key:
                continue
            if e.label_box is not None and (g.kind == "decision" or e.label):
                top = min(top, e.label_box[1])
                bottom = max(bottom, e.label_box[1] + e.label_box[3])
            if g.kind == "decision" and order.get(e.dst, -1) > order[g.key]:
                _, ty, _, th = boxes[e.dst]
                top, bottom = min(top, ty), max(bottom, ty + th)
        if (top, bottom) != (g.box[1], g.box[1] + h):
            keeps.append(Keep(top, bottom, KEEP, why))
    return keeps


def _moved(b: BBox, dy: float) -> BBox:
    return (b[0], b[1] + dy, b[2], b[3])


def _flow_style(ctx: LayoutContext, sz: _Sizes) -> FlowStyle:
    return FlowStyle(
        gap=ctx.px(76), lane_gap=ctx.px(22), lane_pad=ctx.px(26), clear=ctx.px(14), shaft_sep=ctx.px(30),
        head=sz.head, port_sep=ctx.px(26), label_pad=ctx.px(10), min_label=ctx.px(60),
    )


#: an edge as _finish draws it: source, target, polyline, label, label box, label payload
_Routed = tuple[int, int, list[Point], str | None, BBox | None, object]


def _finish(block: StepsBlock, layout: Layout, width: float, height: float, ctx: LayoutContext, sz: _Sizes,
            pics: list[tuple[_ItemPicture, float, float]], routed: list[_Routed], label_pads: tuple[float, float], breaks: list[float], *,
            draw_edges: bool = True) -> StepsGeometry:
    """Assemble a frame from placed item pictures and routed edges (edges under boxes, labels on top)."""
    keys = item_keys(block)
    frame = Frame(width, height)
    items: list[ItemGeometry] = []
    edges: list[EdgeGeometry] = []
    label_ops: list = []
    for src, dst, pts, label, lbox, payload in routed:
        if draw_edges:
            frame.add(*_draw_edge(ctx, pts, label, dst <= src, sz))
        eg = EdgeGeometry(keys[src], keys[dst], pts, label, lbox)
        if label and lbox is not None:
            ops, tboxes = _draw_label(ctx, label, lbox, payload, *label_pads)
            label_ops.extend(ops)
            eg.label_texts = tboxes
            frame.boxes.append(Box(*lbox, kind="label", key=f"{keys[src]}->{keys[dst]}"))
        edges.append(eg)
    for i, (pic, x, y) in enumerate(pics):
        frame.add(*_materialise(pic, x, y))
        box = (x, y, pic.width, pic.height)
        frame.boxes.append(Box(*box, kind="step", key=keys[i]))
        items.append(ItemGeometry(keys[i], block.items[i].kind, box, [(bx + x, by + y, bw, bh) for bx, by, bw, bh in pic.texts]))
    frame.add(*label_ops)
    for b in breaks:
        frame.add_break(b)
    return StepsGeometry(frame, layout, items, edges)


def _gap_breaks(boxes: list[BBox], height: float, shadow: float) -> list[float]:
    """Safe cuts: the middle of every horizontal band that no box, label or box shadow reaches into."""
    spans = sorted((y, y + h + shadow) for _, y, _, h in boxes)
    out = []
    reach = None
    for y0, y1 in spans:
        if reach is not None and y0 > reach:
            out.append((reach + y0) / 2)
        reach = y1 if reach is None else max(reach, y1)
    return [y for y in out if 0 < y < height]


def _rows(block: StepsBlock, edges: list[EdgeSpec], layout: Layout, width: float, ctx: LayoutContext) -> StepsGeometry:
    """vertical, and zigzag with branches: one box per row, routed by flowgraph."""
    n = len(block.items)
    numbers = _numbers(block)
    side = main_line(block, edges) if layout == "vertical" else set()
    compact = layout == "zigzag" or width < ctx.px(700)
    sz = _sizes(ctx, compact)
    cache: dict[tuple[int, float], _ItemPicture] = {}

    def pic(i: int, w: float) -> _ItemPicture:
        key = (i, round(w, 3))
        if key not in cache:
            cache[key] = _picture(block, i, numbers, w, ctx, sz)
        return cache[key]

    nodes = []
    for i in range(n):
        if layout == "vertical":
            f0, f1 = (0.54, 1.0) if i in side else (0.0, 1.0)
        else:
            f0, f1 = (0.0, 0.47) if i % 2 == 0 else (0.53, 1.0)

        def measure(w: float, i: int = i) -> tuple[float, float]:
            p = pic(i, w)
            return p.height, p.tip

        nodes.append(NodeSpec(f0, f1, measure, inset=sz.radius))
    measure_label, padx, pady = _label_measure(ctx)
    flow = route_rows(nodes, edges, width, _flow_style(ctx, sz), measure_label)
    pics = [(pic(i, w), x, y) for i, (x, y, w, h) in enumerate(flow.boxes)]
    routed = [(e.src, e.dst, e.points, e.label, e.label_box, e.label_payload) for e in flow.edges]
    breaks = _gap_breaks(flow.boxes + flow.label_boxes(), flow.height, ctx.px(6))
    return _finish(block, layout, width, flow.height, ctx, sz, pics, routed, (padx, pady), breaks)


#: A staggered zigzag restarts level (a clean row, with a safe break above it) at least this often,
#: in 1080-px design px: below the shortest page band (A5/A4/A6 ≈ 1270 px), so a page always finds a break.
_ZIGZAG_SEGMENT = 900.0
#: … and after at most this many items, so long flows also slice cleanly on short slices.
_ZIGZAG_RUN = 6


def _zigzag_staggered(block: StepsBlock, edges: list[EdgeSpec], width: float, ctx: LayoutContext) -> StepsGeometry:
    """Two columns, boxes alternating; each box starts level with the arrow leaving the previous
    one, so the flow snakes down at half the height of one box per step.

    Staggered boxes always overlap vertically, so there is nowhere to cut. A long flow
    is therefore drawn as even runs of staggered boxes; the first box of a run starts
    below every box before it, leaving a band a page or slice can be cut at (the arrow
    into it crosses the cut, but no box or text does).
    """
    n = len(block.items)
    numbers = _numbers(block)
    sz = _sizes(ctx, True)
    gutter = ctx.px(44)
    cw = (width - gutter) / 2
    col_x = (0.0, cw + gutter)
    pics = [_picture(block, i, numbers, cw, ctx, sz) for i in range(n)]
    tops, ports = _stagger(block, pics, set(), ctx, sz)
    height = max(t + p.height for t, p in zip(tops, pics))
    runs = max(math.ceil(height / ctx.px(_ZIGZAG_SEGMENT)), math.ceil(n / _ZIGZAG_RUN))
    if runs > 1 and n >= 4:
        # restart at the items whose staggered top is nearest each even share of the height
        starts: set[int] = set()
        for j in range(1, runs):
            want = height * j / runs
            cand = [k for k in range(2, n - 1) if k not in starts and all(abs(k - s) >= 2 for s in starts)]
            if cand:
                starts.add(min(cand, key=lambda k: abs(tops[k] - want)))
        tops, ports = _stagger(block, pics, starts, ctx, sz)
        height = max(t + p.height for t, p in zip(tops, pics))
    placed = [(p, col_x[i % 2], tops[i]) for i, p in enumerate(pics)]
    routed: list[_Routed] = []
    for e in edges:
        a, b = e.src, e.dst
        pa = placed[a]
        y = ports[a]
        to_right = a % 2 == 0
        box = (pa[1], pa[2], cw, pa[0].height)
        sx = _side_x(box, pa[0].tip, y, "R" if to_right else "L")
        tx = col_x[b % 2] + cw / 2
        routed.append((a, b, [(sx, y), (tx, y), (tx, tops[b])], None, None, None))
    breaks = _gap_breaks([(x, t, cw, p.height) for p, x, t in placed], height, ctx.px(6))
    return _finish(block, "zigzag", width, height, ctx, sz, placed, routed, (0.0, 0.0), breaks)


def _stagger(block: StepsBlock, pics: list[_ItemPicture], starts: set[int], ctx: LayoutContext,
             sz: _Sizes) -> tuple[list[float], list[float]]:
    """Tops of the zigzag's boxes and the y each one's arrow leaves at.

    An item in ``starts`` begins a new run: its box starts below every earlier box.
    """
    same_gap = ctx.px(56)  # between two boxes of one column
    clear = ctx.px(30)  # an arrow leaving sideways passes this far under the box above
    drop = ctx.px(64)  # the arrow's last, vertical run
    q = sz.radius + ctx.px(12)
    tops: list[float] = []
    ports: list[float] = []
    for i, p in enumerate(pics):
        top = 0.0
        if i >= 1:
            top = ports[i - 1] + drop
            # room for this box's own exit port below the box before it (same column as the next)
            top = max(top, tops[i - 1] + pics[i - 1].height + clear + q - p.height)
        if i >= 2:
            top = max(top, tops[i - 2] + pics[i - 2].height + same_gap)
        if i in starts:
            top = max(top, max(t + pp.height for t, pp in zip(tops, pics)) + same_gap)
        want = top + (p.height / 2 if block.items[i].kind == "decision" else min(p.height / 2, ctx.px(72)))
        if i >= 1:
            want = max(want, tops[i - 1] + pics[i - 1].height + clear)
        tops.append(top)
        ports.append(min(want, top + p.height - q))
    # an arrow leaves its box as late as it can, so its drop into the next box stays short
    for i in range(len(pics) - 1):
        if block.items[i].kind != "decision":
            ports[i] = max(ports[i], min(tops[i] + pics[i].height - q, tops[i + 1] - drop))
    return tops, ports


def _grid(block: StepsBlock, width: float, ctx: LayoutContext) -> StepsGeometry:
    """Cards in rows of 2–3 (equal heights per row); arrows between neighbours, a return arrow under each row."""
    n = len(block.items)
    numbers = _numbers(block)
    lens = [len(it.title) + len(it.desc or "") for it in block.items]
    three = width >= ctx.px(860) and max(lens) <= 40 and (n % 3 == 0 or n in (5, 7) or n >= 9)
    cols = 3 if three else 2
    if n == 1:
        cols = 1
    sz = _sizes(ctx, True)
    gx, gy = ctx.px(60), ctx.px(84)
    cw = (width - (cols - 1) * gx) / cols
    rows = [list(range(r, min(n, r + cols))) for r in range(0, n, cols)]
    placed: list[tuple[_ItemPicture, float, float]] = []
    y = 0.0
    row_tops = []
    row_h = []
    for row in rows:
        natural = [_picture_grid(block, i, numbers, cw, ctx, sz, 0.0) for i in row]
        h = max(p.height for p in natural)
        row_tops.append(y)
        row_h.append(h)
        for k, i in enumerate(row):
            placed.append((_picture_grid(block, i, numbers, cw, ctx, sz, h), k * (cw + gx), y))
        y += h + gy
    height = y - gy
    routed: list[_Routed] = []
    pad = ctx.px(10)
    for r, row in enumerate(rows):
        cy = row_tops[r] + row_h[r] / 2
        for k in range(len(row) - 1):
            x0 = k * (cw + gx) + cw
            routed.append((row[k], row[k + 1], [(x0 + pad, cy), (x0 + gx - pad, cy)], None, None, None))
        if r + 1 < len(rows):
            last, first = row[-1], rows[r + 1][0]
            bx = (len(row) - 1) * (cw + gx) + cw / 2
            bottom = row_tops[r] + row_h[r]
            mid = bottom + gy / 2
            routed.append((last, first, [(bx, bottom), (bx, mid), (cw / 2, mid), (cw / 2, row_tops[r + 1])],
                           None, None, None))
    breaks = _gap_breaks([(x, t, cw, p.height) for p, x, t in placed], height, ctx.px(6))
    return _finish(block, "grid", width, height, ctx, sz, placed, routed, (0.0, 0.0), breaks)


def _picture_grid(block: StepsBlock, i: int, numbers: list[str | None], w: float, ctx: LayoutContext,
                  sz: _Sizes, min_height: float) -> _ItemPicture:
    it = block.items[i]
    if it.kind == "decision":
        pic = _draw_decision(it, w, ctx, sz)
        if min_height <= pic.height:
            return pic
        dy = (min_height - pic.height) / 2  # centre the pointed box in its row
        ops = [(o[0], o[1], o[2], o[3] + dy) if isinstance(o, tuple) else shift(o, 0, dy) for o in pic.ops]
        return _ItemPicture(w, min_height, ops, [(x, y + dy, bw, bh) for x, y, bw, bh in pic.texts], 0.0)
    return _draw_step(it, numbers[i], w, ctx, sz, stacked=True, min_height=min_height)


def _timeline(block: StepsBlock, width: float, ctx: LayoutContext) -> StepsGeometry:
    """Numbered nodes on a spine at the left, each step's card beside its node."""
    n = len(block.items)
    numbers = _numbers(block)
    sz = _sizes(ctx, width < ctx.px(700))
    pal = ctx.palette
    node = sz.badge
    spine_x = node / 2
    card_x = node + ctx.px(26)
    cw = width - card_x
    gap = ctx.px(34)
    pics = [_picture(block, i, numbers, cw, ctx, sz, badge_in_box=False) for i in range(n)]
    y = 0.0
    placed = []
    centers = []
    for p in pics:
        placed.append((p, card_x, y))
        centers.append(y + sz.pad + sz.title * 0.675 if p.tip == 0 else y + p.height / 2)
        y += p.height + gap
    height = y - gap
    geo = _finish(block, "timeline", width, height, ctx, sz, placed,
                  [(i, i + 1, [(spine_x, centers[i] + node / 2), (spine_x, centers[i + 1] - node / 2)], None, None, None)
                   for i in range(n - 1)], (0.0, 0.0), _gap_breaks([(x, t, cw, p.height) for p, x, t in placed], height, ctx.px(6)),
                  draw_edges=False)
    # the spine stands for the arrows; item boxes widen to take in their node
    frame = geo.frame
    spine = mix(pal.primary, pal.background, 0.55)
    lines = [Line(((spine_x, centers[0]), (spine_x, centers[-1])), spine, width=ctx.px(6))] if n > 1 else []
    nodes: list = []
    for i, c in enumerate(centers):
        label = numbers[i]
        if block.items[i].kind == "decision":
            nodes.append(Path(_diamond_cmds(spine_x, c, node * 0.42), fill=pal.gold, stroke=pal.primary,
                              stroke_width=ctx.px(3)))
            continue
        if label is None:  # numbered: false — a ringed dot
            d = node * 0.5
            nodes.append(Ellipse(spine_x - d / 2, c - d / 2, d, d, fill=pal.surface, stroke=pal.primary,
                                 stroke_width=ctx.px(5)))
            nodes.append(Line(((spine_x + d / 2, c), (card_x, c)), spine, width=ctx.px(3)))
            continue
        badge = number_badge(ctx, label, node, fill=pal.primary, color=pal.on_primary)
        nodes.extend(shift(o, spine_x - badge.width / 2, c - node / 2) for o in badge.ops)
        nodes.append(Line(((spine_x + badge.width / 2, c), (card_x, c)), spine, width=ctx.px(3)))
    frame.ops = lines + frame.ops + nodes
    boxes = []
    for b in frame.boxes:
        if b.kind == "step":
            b = Box(0.0, b.y, b.x + b.w, b.h, kind="step", key=b.key)
        boxes.append(b)
    frame.boxes = boxes
    for ig in geo.items:
        x, y0, w, h = ig.box
        ig.box = (0.0, y0, x + w, h)
    for k, eg in enumerate(geo.edges):
        eg.points = [(spine_x, centers[k] + node / 2), (spine_x, centers[k + 1] - node / 2)]
    return geo


def _diamond_cmds(cx: float, cy: float, r: float) -> tuple:
    return (("M", cx, cy - r), ("L", cx + r, cy), ("L", cx, cy + r), ("L", cx - r, cy), ("Z",))
