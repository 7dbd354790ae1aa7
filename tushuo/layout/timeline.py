"""Timeline (时间轴): dated events along a spine — a dot per event, the date in a pill, title and text.

Light by design (no card per event) so a long run of events stays calm; the
spine runs from the first dot to the last, and each event is an atomic box with
a safe cut between events; the first two and the last two events keep together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..color import mix, readable
from ..frame import Box, Ellipse, Frame, Line
from ..spec.blocks import TimelineBlock
from .common import balanced, pill, titled
from .context import LayoutContext
from .flowgraph import BBox
from .paginate import item_keeps
from .registry import layout_for


@dataclass
class TimelineGeometry:
    frame: Frame
    events: list[BBox]
    texts: list[list[BBox]] = field(default_factory=list)
    dots: list[BBox] = field(default_factory=list)


@layout_for("timeline")
def layout_timeline(block: TimelineBlock, width: float, ctx: LayoutContext) -> Frame:
    return timeline_geometry(block, width, ctx).frame


def timeline_geometry(block: TimelineBlock, width: float, ctx: LayoutContext) -> TimelineGeometry:
    pal = ctx.palette
    frame, y = titled(block.title, width, ctx)
    dot = ctx.px(30)
    spine_x = dot / 2 + ctx.px(4)
    x0 = spine_x + dot / 2 + ctx.px(30)
    inner = width - x0
    gap = ctx.px(44)
    title_style = ctx.style("h3", face=ctx.face("heading"), size=ctx.size("h3") * 0.92, line_height=1.35)
    desc_style = ctx.style("body", size=ctx.size("body") * 0.85, line_height=1.6, align="justify",
                           color=readable(mix(pal.text, pal.muted, 0.4), pal.background))
    events: list[BBox] = []
    texts: list[list[BBox]] = []
    dots: list[BBox] = []
    ops_dots: list = []
    first_center = last_center = None
    # the date sits beside the title only when every title fits there, so all events read alike
    inline_all = all(
        pill(ctx, ev.date, fill=pal.primary, color=pal.on_primary, max_width=inner).width + ctx.px(18)
        + ctx.fonts.measure(ev.title, title_style.size, title_style.face) <= inner
        for ev in block.items
    )
    for i, ev in enumerate(block.items):
        top = y
        date = pill(ctx, ev.date, fill=pal.primary, color=pal.on_primary, max_width=inner)
        boxes: list[BBox] = []
        # date pill and title share a line when they fit
        inline = inline_all
        tb = balanced(ctx, ev.title, inner - (date.width + ctx.px(18) if inline else 0), title_style)
        head_h = max(date.height, tb.lines[0].height if tb.lines else 0) if inline else date.height
        frame.place(date, x0, y + (head_h - date.height) / 2)
        boxes.append((x0, y + (head_h - date.height) / 2, date.width, date.height))
        center = y + head_h / 2
        if inline:
            tx, ty = x0 + date.width + ctx.px(18), y + (head_h - (tb.lines[0].height if tb.lines else 0)) / 2
        else:
            tx, ty = x0, y + head_h + ctx.px(12)
        frame.add(tb.op(tx, ty, background=pal.background))
        boxes.append((tx, ty, tb.used_width, tb.height))
        y = max(y + head_h, ty + tb.height)
        if ev.desc:
            y += ctx.px(10)
            db = ctx.text(ev.desc, inner, desc_style)
            frame.add(db.op(x0, y, background=pal.background))
            boxes.append((x0, y, db.used_width, db.height))
            y += db.height
        d = (spine_x - dot / 2, center - dot / 2, dot, dot)
        ops_dots.append(Ellipse(*d, fill=pal.surface, stroke=pal.primary, stroke_width=ctx.px(6)))
        ops_dots.append(Ellipse(d[0] + dot * 0.32, d[1] + dot * 0.32, dot * 0.36, dot * 0.36, fill=pal.primary))
        dots.append(d)
        first_center = center if first_center is None else first_center
        last_center = center
        events.append((0.0, top, width, y - top))
        texts.append(boxes)
        frame.boxes.append(Box(0.0, top, width, y - top, kind="event", key=f"items[{i}]"))
        if i < len(block.items) - 1:
            y += gap
            frame.add_break(y - gap / 2)
    if first_center is not None and last_center is not None and last_center > first_center:
        spine = Line(((spine_x, first_center), (spine_x, last_center)), mix(pal.primary, pal.background, 0.6),
                     width=ctx.px(5))
        frame.ops.insert(0, spine)
    frame.add(*ops_dots)
    frame.height = y
    frame.breaks = [b for b in frame.breaks if 0 < b < y]
    # no event alone at a page's foot or top: the first two and the last two stay together
    frame.keeps.extend(item_keeps([(top, top + h) for _, top, _, h in events], y))
    return TimelineGeometry(frame, events, texts, dots)
