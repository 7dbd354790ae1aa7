"""Stats (数说): big-number cards — value, unit, label, change, icon.

The value is set in the theme's number face and shrinks to fit its card; the
unit sits smaller on the same baseline; a change (delta) gets an up or down
arrow coloured by its sign. Numbers of 10,000 and more get thousands
separators; 126.0 prints as 126 and 98.5 stays 98.5; text values (一肩挑) are
printed as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..color import mix, readable
from ..frame import Box, Frame, Path, PathCmd, Rect, shift
from ..humanize import format_number, parse_number
from ..spec.blocks import StatItem, StatsBlock
from .common import balanced, card, titled
from .context import LayoutContext
from .flowgraph import BBox
from .icons import icon
from .paginate import item_keeps
from .pieces import centered_lines
from .registry import layout_for


@dataclass
class StatsGeometry:
    frame: Frame
    columns: int
    cards: list[BBox]
    texts: list[list[BBox]] = field(default_factory=list)


@layout_for("stats")
def layout_stats(block: StatsBlock, width: float, ctx: LayoutContext) -> Frame:
    return stats_geometry(block, width, ctx).frame


def format_value(value: float | str) -> str:
    """126 → 126, 126.0 → 126, 98.5 → 98.5, 12345 → 12,345, 0.1 + 0.2 → 0.3; text as written."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    return format_number(value)


_SIGN = re.compile(r"[+\-−－↑↓▲▼]")


def delta_sign(delta: str | float) -> int:
    """+1 for an increase, -1 for a decrease, 0 when the change names no direction."""
    if isinstance(delta, (int, float)):
        return (delta > 0) - (delta < 0)
    m = _SIGN.search(delta)
    if not m:
        return 0
    return 1 if m.group() in "+↑▲" else -1


def delta_text(delta: str | float) -> str:
    """The change as printed after its arrow: the sign is the arrow, so a leading sign goes."""
    if isinstance(delta, (int, float)):
        return format_value(abs(delta))
    text = delta.strip()
    return text[1:].strip() if text[:1] in "+-−－↑↓▲▼" else text


def auto_columns(n: int) -> int:
    """Cards per row by count: 1, 2, 3, then 2 × 2, then rows of 3."""
    return {1: 1, 2: 2, 3: 3, 4: 2}.get(n, 3)


def stats_geometry(block: StatsBlock, width: float, ctx: LayoutContext) -> StatsGeometry:
    from .source import filled_stats

    block = filled_stats(block, ctx)
    assert block.items is not None  # the model requires items or a data_file, which filled them
    pal = ctx.palette
    n = len(block.items)
    cols = min(block.columns or auto_columns(n), n)
    gap = ctx.px(24)
    if block.columns is None and cols == 3 and (width - 2 * gap) / 3 < ctx.px(250):
        cols = 2
    cw = (width - (cols - 1) * gap) / cols
    frame, y = titled(block.title, width, ctx)
    rows = [block.items[i : i + cols] for i in range(0, n, cols)]
    cards: list[BBox] = []
    texts: list[list[BBox]] = []
    scale = 1.0 if cols <= 2 else 0.86
    for r, row in enumerate(rows):
        slot = any(it.icon for it in row)  # numbers line up across a row even where a card has no icon
        drawn = [_card(it, cw, ctx, scale, slot) for it in row]
        h = max(d[0] for d in drawn)
        offset = (width - (len(row) * cw + (len(row) - 1) * gap)) / 2  # a short last row is centred
        for k, (ch, ops, tboxes) in enumerate(drawn):
            x = offset + k * (cw + gap)
            frame.add(*card(x, y, cw, h, ctx))
            frame.add(Rect(x + cw * 0.3, y, cw * 0.4, ctx.px(6), fill=pal.primary, radius=ctx.px(3)))
            dy = 0.0  # top-aligned: icons and numbers line up across the row
            frame.add(*(shift(o, x, y + dy) for o in ops))
            cards.append((x, y, cw, h))
            texts.append([(bx + x, by + y + dy, bw, bh) for bx, by, bw, bh in tboxes])
            frame.boxes.append(Box(x, y, cw, h, kind="stat", key=f"items[{r * cols + k}]"))
        y += h
        if r < len(rows) - 1:
            y += gap
            frame.add_break(y - gap / 2)
    frame.height = y
    # a row of one card never alone at a page's foot or top (a full row of several may be)
    frame.keeps.extend(item_keeps([(cy, cy + ch) for _, cy, _, ch in cards], y))
    return StatsGeometry(frame, cols, cards, texts)


def _card(item: StatItem, w: float, ctx: LayoutContext, scale: float, icon_slot: bool) -> tuple[float, list, list[BBox]]:
    """One card's content, centred in width ``w``: (height, ops, text boxes). ``icon_slot``: keep
    the icon's room even without an icon."""
    pal = ctx.palette
    pad = ctx.px(28)
    inner = w - 2 * pad
    ops: list = []
    boxes: list[BBox] = []
    y = pad + ctx.px(6)
    if item.icon or icon_slot:
        d = ctx.px(76) * scale
        if item.icon:
            ops.extend(icon(item.icon, (w - d) / 2, y, d, pal.primary, bg=mix(pal.primary, pal.surface, 0.9)))
        y += d + ctx.px(12)
    value = format_value(item.value)
    unit = (item.unit or "").strip()
    face = ctx.face("number")
    size = ctx.size("number") * scale
    if isinstance(item.value, str) and len(value) > 4 and parse_number(value) is None:  # words, not 1,286
        size *= 0.7
    unit_ratio = 0.4
    gap_u = ctx.px(6)

    def span(s: float) -> float:
        us = max(s * unit_ratio, ctx.size("caption") * 0.8)
        return ctx.fonts.measure(value, s, face) + ((gap_u + ctx.fonts.measure(unit, us, ctx.face("bold"))) if unit else 0)

    while span(size) > inner and size > ctx.size("caption"):
        size *= 0.92
    color = readable(pal.accent, pal.surface)
    vstyle = ctx.style("number", size=size, color=color, line_height=1.15, markup=False)
    if span(size) <= inner:
        vb = ctx.text(value, inner + 1, vstyle)
        us = max(size * unit_ratio, ctx.size("caption") * 0.8)
        ub = ctx.text(unit, inner, ctx.style("number", size=us, face=ctx.face("bold"), color=color, line_height=1.0,
                                           markup=False)) if unit else None
        total = span(size)
        x0 = (w - total) / 2
        ops.append(vb.op(x0, y, background=pal.surface))
        boxes.append((x0, y, vb.used_width, vb.height))
        if ub is not None:
            # on the value's baseline
            base_v = vb.lines[0].runs[0].y if vb.lines and vb.lines[0].runs else vb.height * 0.8
            base_u = ub.lines[0].runs[0].y if ub.lines and ub.lines[0].runs else ub.height * 0.8
            ux = x0 + vb.used_width + gap_u
            uy = y + base_v - base_u
            ops.append(ub.op(ux, uy, background=pal.surface))
            boxes.append((ux, uy, ub.used_width, ub.height))
        y += vb.height
    else:  # a long text value wraps, centred, with the unit after it
        vb = ctx.text(value + (" " + unit if unit else ""), inner, vstyle, align="center")
        for op, box in centered_lines(vb, pad, y, inner, pal.surface):
            ops.append(op)
            boxes.append(box)
        y += vb.height
    y += ctx.px(8)
    lstyle = ctx.style("body", size=ctx.size("body") * 0.8 * (1 if scale == 1 else 0.95),
                       color=readable(pal.muted, pal.surface), line_height=1.45, align="center")
    lb = balanced(ctx, item.label, inner, lstyle)  # even lines, never 完成换届村（社 / 区）
    for op, box in centered_lines(lb, pad, y, inner, pal.surface):
        ops.append(op)
        boxes.append(box)
    y += lb.height
    if item.delta is not None and str(item.delta).strip():
        y += ctx.px(14)
        sign = delta_sign(item.delta)
        tone = pal.positive if sign > 0 else pal.negative if sign < 0 else pal.muted
        fill = mix(tone, pal.surface, 0.88)
        ink = readable(tone, fill)
        dstyle = ctx.style("caption", face=ctx.face("bold"), color=ink, line_height=1.3, markup=False)
        db = ctx.text(delta_text(item.delta), inner, dstyle)
        arrow = dstyle.size * 0.8 if sign else 0.0
        pw = db.used_width + 2 * ctx.px(16) + (arrow + ctx.px(8) if sign else 0)
        ph = db.height + ctx.px(8)
        px0 = (w - pw) / 2
        ops.append(Rect(px0, y, pw, ph, fill=fill, radius=ph / 2))
        tx = px0 + ctx.px(16)
        if sign:
            ops.append(_arrow(tx, y + (ph - arrow) / 2, arrow, ink, up=sign > 0))
            tx += arrow + ctx.px(8)
        ops.append(db.op(tx, y + ctx.px(4), background=fill))
        boxes.append((tx, y + ctx.px(4), db.used_width, db.height))
        y += ph
    return y + pad, ops, boxes


def _arrow(x: float, y: float, s: float, color: str, *, up: bool) -> Path:
    """A solid arrow (triangle head on a stem) pointing up or down in the box (x, y, s, s)."""
    cx = x + s / 2
    head = s * 0.55
    stem = s * 0.16
    cmds: tuple[PathCmd, ...]
    if up:
        cmds = (("M", cx, y), ("L", x + s, y + head), ("L", cx + stem, y + head), ("L", cx + stem, y + s),
                ("L", cx - stem, y + s), ("L", cx - stem, y + head), ("L", x, y + head), ("Z",))
    else:
        cmds = (("M", cx, y + s), ("L", x + s, y + s - head), ("L", cx + stem, y + s - head), ("L", cx + stem, y),
                ("L", cx - stem, y), ("L", cx - stem, y + s - head), ("L", x, y + s - head), ("Z",))
    return Path(cmds, fill=color)


__all__ = ["auto_columns", "delta_sign", "delta_text", "format_value", "layout_stats", "stats_geometry"]
