"""Layouts of the simple text blocks: heading, paragraph, divider, spacer, callout, quote, checklist.

Every atomic item (a callout box, a quote card, a checklist line) is registered as a
frame box, and safe breaks sit between lines and items, so slicing never cuts text.
"""

from __future__ import annotations

import math

from ..color import mix, readable
from ..frame import Box, Ellipse, Frame, Group, Image, Keep, Mark, Path, Rect
from ..spec.blocks import (
    CalloutBlock,
    ChecklistBlock,
    DividerBlock,
    HeadingBlock,
    ParagraphBlock,
    QuoteBlock,
    SpacerBlock,
)
from . import icons
from .common import balanced, card, diamond, nesting, next_number, number_label, titled
from .context import LayoutContext
from .paginate import KEEP, item_keeps, line_keeps
from .registry import layout_for


# ----------------------------------------------------------------------------- heading
@layout_for("heading")
def layout_heading(block: HeadingBlock, width: float, ctx: LayoutContext) -> Frame:
    """A title bar: level 1 a left accent bar over a rule, level 2 a diamond marker, level 3 a dot.

    Inside a section a heading's outline level (numbering and bookmark) is at least 2.
    """
    pal = ctx.palette
    outline = max(block.level, 1 + nesting(ctx))  # inside a section a heading is at least level 2
    label = number_label(next_number(ctx, outline), outline) if block.number else ""
    role = f"h{block.level}"
    bg = pal.background
    frame = Frame(width, 0)
    if block.level == 1:
        bar_w, gap = ctx.px(12), ctx.px(24)
        tb = balanced(ctx, label + block.text, width - bar_w - gap, role, face=ctx.face("heading"), line_height=1.3)
        frame.add(Rect(0, ctx.px(4), bar_w, tb.height - ctx.px(8), fill=pal.primary, radius=bar_w / 2))
        frame.add(tb.op(bar_w + gap, 0, background=bg))
        rule_y = tb.height + ctx.px(14)
        frame.add(Rect(0, rule_y, width, ctx.px(2), fill=pal.border))
        frame.add(Rect(0, rule_y - ctx.px(1), ctx.px(140), ctx.px(4), fill=pal.primary))
        frame.height = rule_y + ctx.px(4)
    else:
        # level 2: a diamond marker, primary-dark text; level 3: a dot. A number label replaces the marker.
        r = ctx.px(13) if block.level == 2 else ctx.px(8)
        x = 0.0 if label else 2 * r + ctx.px(20)
        color = pal.primary_dark if block.level == 2 else pal.text
        tb = balanced(ctx, label + block.text, width - x, role, face=ctx.face("heading"), color=color, line_height=1.3)
        if not label:
            cy = tb.lines[0].height / 2 if tb.lines else tb.height / 2
            marker = diamond(r, cy, r, pal.primary) if block.level == 2 else Ellipse(0, cy - r, 2 * r, 2 * r, fill=pal.primary)
            frame.add(marker)
        frame.add(tb.op(x, 0, background=bg))
        frame.height = tb.height
    frame.boxes.append(Box(0, 0, width, frame.height, "heading"))  # never split, and kept with what follows
    frame.keeps.append(Keep(0, frame.height, KEEP, "heading", with_next=True))
    frame.marks.append(Mark(0, (label + _plain(block.text)).strip(), outline))
    return frame


def _plain(text: str) -> str:
    """Text without inline markup (for bookmarks)."""
    return text.replace("**", "").replace("==", "")


# ----------------------------------------------------------------------------- paragraph
@layout_for("paragraph")
def layout_paragraph(block: ParagraphBlock, width: float, ctx: LayoutContext) -> Frame:
    """Body text, justified with a two-character first-line indent by default; breaks between lines."""
    tb = ctx.text(block.text, width, "body", align=block.align, indent=block.indent)
    frame = Frame(width, tb.height)
    frame.add(tb.op(0, 0, background=ctx.palette.background))
    frame.breaks.extend(tb.line_breaks())
    frame.keeps.extend(line_keeps(tb.line_breaks(), tb.height))
    return frame


# ----------------------------------------------------------------------------- divider, spacer
@layout_for("divider")
def layout_divider(block: DividerBlock, width: float, ctx: LayoutContext) -> Frame:
    """A hairline, three dots, or a star between tapering rules and diamonds."""
    pal = ctx.palette
    if block.style == "line":
        h = ctx.px(2)
        return Frame(width, h, ops=[Rect(0, 0, width, h, fill=pal.border)])
    if block.style == "dots":
        r, step = ctx.px(7), ctx.px(40)
        h = 2 * r
        frame = Frame(width, h)
        for i, color in enumerate((pal.primary, pal.gold, pal.primary)):
            cx = width / 2 + (i - 1) * step
            frame.add(Ellipse(cx - r, 0, 2 * r, 2 * r, fill=color))
        return frame
    # ornament: ──◆── ★ ──◆──, the rules thinning towards the ends
    h = ctx.px(40)
    cy = h / 2
    frame = Frame(width, h)
    star_r = ctx.px(18)
    span = min(width * 0.42, ctx.px(380))
    for side in (-1, 1):
        x_in = width / 2 + side * (star_r + ctx.px(22))
        x_d = x_in + side * ctx.px(18)
        frame.add(diamond(x_d, cy, ctx.px(8), pal.primary))
        segs = ((0.0, 0.45, 3.0), (0.45, 0.8, 2.0), (0.8, 1.0, 1.2))
        for a, b, t in segs:
            x0 = x_d + side * (ctx.px(16) + a * (span - ctx.px(16)))
            x1 = x_d + side * (ctx.px(16) + b * (span - ctx.px(16)))
            frame.add(Rect(min(x0, x1), cy - ctx.px(t) / 2, abs(x1 - x0), ctx.px(t), fill=pal.primary if a == 0 else mix(pal.primary, pal.background, 0.35 + a * 0.4)))
    frame.add(star(width / 2, cy, star_r, pal.primary))
    return frame


def star(cx: float, cy: float, r: float, fill: str) -> Path:
    """A five-pointed star centred at (cx, cy), point up."""
    cmds: list[tuple] = []
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.42
        a = -math.pi / 2 + i * math.pi / 5
        cmds.append(("M" if i == 0 else "L", cx + rad * math.cos(a), cy + rad * math.sin(a)))
    cmds.append(("Z",))
    return Path(tuple(cmds), fill=fill)


@layout_for("spacer")
def layout_spacer(block: SpacerBlock, width: float, ctx: LayoutContext) -> Frame:
    return Frame(width, ctx.px(block.height))


# ----------------------------------------------------------------------------- callout
#: tone → (palette colour used, icon, default title)
_TONES = {
    "info": ("primary", "info", "提示"),
    "tip": ("positive", "star", "小贴士"),
    "warning": ("gold", "warning", "注意"),
    "danger": ("negative", "warning", "警示"),
}


def tone_color(ctx: LayoutContext, tone: str) -> str:
    """The base colour of a callout tone in this theme."""
    return getattr(ctx.palette, _TONES[tone][0])


@layout_for("callout")
def layout_callout(block: CalloutBlock, width: float, ctx: LayoutContext) -> Frame:
    """A tinted box with a coloured left stripe, a tone icon, an optional title and the note."""
    pal = ctx.palette
    base = tone_color(ctx, block.tone)
    tint = mix(base, pal.surface, 0.9)
    ink = readable(base, tint, 4.5)  # icon and title colour, readable on the tint
    pad = ctx.px(32)
    stripe = ctx.px(10)
    icon_size = ctx.px(48)
    text_x = stripe + pad + icon_size + ctx.px(20)
    text_w = width - text_x - pad
    y = pad
    ops: list = []
    title_tb = None
    if block.title:
        title_tb = balanced(ctx, block.title, text_w, "h3", face=ctx.face("heading"), color=ink, line_height=1.3)
        ops.append(title_tb.op(text_x, y, background=tint))
        icon_cy = y + title_tb.lines[0].height / 2
        y += title_tb.height + ctx.px(10)
    body = ctx.text(block.text, text_w, "body", align="justify")
    if title_tb is None:
        icon_cy = y + body.lines[0].height / 2
    ops.append(body.op(text_x, y, background=tint))
    h = y + body.height + pad
    frame = Frame(width, h)
    r = ctx.px(ctx.theme.spacing.radius)
    frame.add(Group((Rect(0, 0, width, h, fill=tint), Rect(0, 0, stripe, h, fill=base)), clip=(0, 0, width, h), radius=r))
    frame.add(*icons.icon(_TONES[block.tone][1], stripe + pad, icon_cy - icon_size / 2, icon_size, ink))
    frame.add(*ops)
    frame.boxes.append(Box(0, 0, width, h, "callout"))
    return frame


# ----------------------------------------------------------------------------- quote
def quote_mark(x: float, y: float, size: float, color: str, *, closing: bool = False) -> list[Path]:
    """A pair of heavy typographic quote marks drawn as paths (a disc with a tail each)."""
    ops = []
    r = size * 0.22
    for i in range(2):
        cx = x + r + i * (2 * r + size * 0.12)
        cy = y + size * 0.62
        if not closing:
            # 6-shaped: disc at the bottom, tail curving up to the right
            tail = (("M", cx - r, cy), ("Q", cx - r, cy - size * 0.55, cx + r * 0.9, cy - size * 0.62),
                    ("L", cx + r * 0.9, cy - size * 0.5), ("Q", cx - r * 0.1, cy - size * 0.42, cx + r * 0.2, cy - r * 0.2))
        else:
            cy = y + size * 0.38
            tail = (("M", cx + r, cy), ("Q", cx + r, cy + size * 0.55, cx - r * 0.9, cy + size * 0.62),
                    ("L", cx - r * 0.9, cy + size * 0.5), ("Q", cx + r * 0.1, cy + size * 0.42, cx - r * 0.2, cy + r * 0.2))
        circle = _circle_path(cx, cy, r)
        ops.append(Path(circle + tail + (("Z",),), fill=color))
    return ops


def _circle_path(cx: float, cy: float, r: float) -> tuple:
    k = 0.5523 * r
    return (("M", cx + r, cy), ("C", cx + r, cy + k, cx + k, cy + r, cx, cy + r),
            ("C", cx - k, cy + r, cx - r, cy + k, cx - r, cy), ("C", cx - r, cy - k, cx - k, cy - r, cx, cy - r),
            ("C", cx + k, cy - r, cx + r, cy - k, cx + r, cy), ("Z",))


@layout_for("quote")
def layout_quote(block: QuoteBlock, width: float, ctx: LayoutContext) -> Frame:
    """A pledge card: primary top stripe, big quote marks, the text, then portrait, author and role."""
    pal = ctx.palette
    surface = pal.surface
    pad = ctx.px(48)
    mark = ctx.px(64)
    r = ctx.px(ctx.theme.spacing.radius)
    inner_w = width - 2 * pad
    y = ctx.px(10) + pad
    ops: list = [*quote_mark(pad, y - ctx.px(8), mark, mix(pal.primary, surface, 0.25))]
    text_y = y + mark * 0.55
    tb = ctx.text(block.text, inner_w - ctx.px(20), "body", align="justify", indent=True,
                  size=ctx.size("body") * 1.05, line_height=1.75)
    ops.append(tb.op(pad + ctx.px(10), text_y, background=surface))
    y = text_y + tb.height
    ops.extend(quote_mark(width - pad - mark * 1.0, y - ctx.px(6), mark * 0.7, mix(pal.primary, surface, 0.55), closing=True))
    y += mark * 0.6
    if block.author or block.role or block.image:
        ops.append(Rect(pad, y, ctx.px(72), ctx.px(4), fill=pal.primary, radius=ctx.px(2)))
        y += ctx.px(32)
        x = pad
        portrait = ctx.px(132)
        row_h = 0.0
        if block.image:
            pic = ctx.image(block.image, "image")
            ops.append(Ellipse(x - ctx.px(5), y - ctx.px(5), portrait + ctx.px(10), portrait + ctx.px(10), fill=pal.gold))
            ops.append(Image(x, y, portrait, portrait, image=_square(pic), radius=portrait / 2,
                             natural_size=pic.size))
            x += portrait + ctx.px(32)
            row_h = portrait
        name_w = width - pad - x
        lines = []
        if block.author:
            lines.append(balanced(ctx, block.author, name_w, "h3", face=ctx.face("heading"), line_height=1.3))
        if block.role:
            lines.append(balanced(ctx, block.role, name_w, "caption", line_height=1.4))
        stack_h = sum(t.height for t in lines) + ctx.px(6) * (len(lines) - 1)
        ty = y + max(0.0, (row_h - stack_h) / 2)
        for t in lines:
            ops.append(t.op(x, ty, background=surface))
            ty += t.height + ctx.px(6)
        y += max(row_h, stack_h)
    h = y + pad
    frame = Frame(width, h)
    frame.add(*card(0, 0, width, h, ctx))
    frame.add(Group((Rect(0, 0, width, ctx.px(10), fill=pal.primary),), clip=(0, 0, width, h), radius=r))
    frame.add(*ops)
    frame.height = h + ctx.px(4)
    frame.boxes.append(Box(0, 0, width, frame.height, "quote"))
    return frame


def _square(pic):
    """The centre square of a picture (portraits are shown round)."""
    w, h = pic.size
    s = min(w, h)
    top = max(0, (h - s) // 3)  # faces sit in the upper part of a portrait photo
    return pic.crop(((w - s) // 2, top, (w - s) // 2 + s, top + s))


# ----------------------------------------------------------------------------- checklist
def check_mark(ctx: LayoutContext, checked: bool, x: float, y: float, size: float) -> list:
    """A tick on a positive disc or a cross on a negative one. When the theme gives both the
    same colour (ink, for black-and-white print) the cross sits in a ring instead, so the
    two still differ at a glance."""
    pal = ctx.palette
    if checked:
        return icons.tick(x, y, size, pal.on_primary, bg=pal.positive)
    if pal.negative.lower() != pal.positive.lower():
        return icons.cross(x, y, size, pal.on_primary, bg=pal.negative)
    ring = ctx.px(3.5)
    inner = size * 0.62
    return [Ellipse(x + ring / 2, y + ring / 2, size - ring, size - ring, stroke=pal.negative, stroke_width=ring),
            *icons.cross(x + (size - inner) / 2, y + (size - inner) / 2, inner, pal.negative)]


@layout_for("checklist")
def layout_checklist(block: ChecklistBlock, width: float, ctx: LayoutContext) -> Frame:
    """Items on a card, each with a vector tick on the positive colour or a cross on the negative one."""
    pal = ctx.palette
    frame, y = titled(block.title, width, ctx)
    pad_x, pad_y = ctx.px(36), ctx.px(26)
    mark = ctx.px(48)
    gap = ctx.px(24)
    text_w = width - 2 * pad_x - mark - gap
    card_top = y
    rows: list[tuple[float, float]] = []
    ops: list = []
    y += ctx.px(8)
    for i, item in enumerate(block.items):
        ictx = ctx.at(f"{ctx.where}.items[{i}]") if ctx.where else ctx
        tb = ictx.text(item.text, text_w, "body")
        row_h = max(mark, tb.height) + 2 * pad_y
        first = tb.lines[0].height / 2 if tb.lines else tb.height / 2
        ty = y + pad_y
        my = ty + first - mark / 2
        ops.extend(check_mark(ctx, item.checked, pad_x, my, mark))
        ops.append(tb.op(pad_x + mark + gap, ty, background=pal.surface))
        if i:
            ops.append(Rect(pad_x, y, width - 2 * pad_x, ctx.px(1.5), fill=pal.border))
        rows.append((y, row_h))
        y += row_h
    y += ctx.px(8)
    r = ctx.px(ctx.theme.spacing.radius)
    frame.add(Rect(0, card_top, width, y - card_top, fill=pal.surface, stroke=pal.border, stroke_width=ctx.px(1.5), radius=r))
    frame.add(*ops)
    for i, (ry, rh) in enumerate(rows):
        frame.boxes.append(Box(0, ry, width, rh, "checklist-item", f"items[{i}]"))
        if i:
            frame.breaks.append(ry)
    frame.height = y
    # no item alone at a page's foot or top: the first two and the last two stay together
    frame.keeps.extend(item_keeps([(ry, ry + rh) for ry, rh in rows], y))
    return frame
