"""A section: a chapter title ribbon, then its blocks; a PDF bookmark and a contents entry.

Numbering: ``number: true`` counts sections 一、二、… (one outline level deeper inside
another section), a string is shown as the label as written (第一章, 附), false shows none.
"""

from __future__ import annotations

from ..color import with_alpha
from ..frame import Frame, Keep, Mark, Path, Rect
from ..spec.blocks import SectionBlock
from .common import balanced, cn_numeral, nesting, next_number, number_badge, number_label
from .context import LayoutContext
from .paginate import KEEP
from .registry import layout_for


@layout_for("section")
def layout_section(block: SectionBlock, width: float, ctx: LayoutContext) -> Frame:
    from .stack import stack_blocks  # the stack lays out sections; import late to avoid a cycle

    outline = 1 + nesting(ctx)
    if block.number is True:
        n = next_number(ctx, outline)
        badge_text = cn_numeral(n) if outline == 1 else str(n)
        mark_label = number_label(n, outline)
    elif isinstance(block.number, str) and block.number.strip():
        badge_text = block.number.strip()
        mark_label = badge_text + " "
    else:
        badge_text = mark_label = ""
    bar = title_bar(block.title, badge_text, width, ctx)
    frame = Frame(width, 0)
    frame.place(bar, 0, 0)
    frame.marks.append(Mark(0, (mark_label + block.title.replace("**", "").replace("==", "")).strip(), outline))
    frame.keeps.append(Keep(0, bar.height, KEEP, "section", with_next=True))  # the ribbon with what it opens
    body = stack_blocks(block.blocks, width, ctx, f"{ctx.where}.blocks")
    top = float(round(bar.height + ctx.px(ctx.theme.spacing.block) * 0.8))
    frame.place(body, 0, top)
    frame.height = top + body.height
    return frame


def title_bar(title: str, label: str, width: float, ctx: LayoutContext) -> Frame:
    """The section ribbon: a gold number disc (or pill) and the title on the primary colour,
    with faint chevrons at the right end and a gold rule underneath."""
    pal = ctx.palette
    pad_y = ctx.px(22)
    pad_x = ctx.px(28)
    r = ctx.px(ctx.theme.spacing.radius)
    badge = None
    x = pad_x
    if label:
        badge = number_badge(ctx, label, ctx.px(76), fill=pal.gold, color=pal.primary_dark, role="h2")
        x += badge.width + ctx.px(24)
    chevrons = ctx.px(96)
    tb = balanced(ctx, title, width - x - pad_x - chevrons, "h1", face=ctx.face("heading"), color=pal.on_primary,
                  line_height=1.3)
    h = max(tb.height, badge.height if badge else 0.0) + 2 * pad_y
    frame = Frame(width, 0)
    frame.add(Rect(0, 0, width, h, gradient=(pal.primary, pal.primary_dark), radius=r))
    frame.add(Rect(0, h + ctx.px(8), width, ctx.px(4), fill=pal.gold, radius=ctx.px(2)))
    # chevrons »» fading out towards the right edge
    cy = h / 2
    s = ctx.px(16)
    for i in range(3):
        cx = width - pad_x - chevrons + ctx.px(24) + i * ctx.px(22)
        frame.add(Path((("M", cx, cy - s), ("L", cx + s, cy), ("L", cx, cy + s)),
                       stroke=with_alpha(pal.gold, 0.9 - 0.3 * i), stroke_width=ctx.px(5), cap="round"))
    if badge is not None:
        frame.place(badge, pad_x, (h - badge.height) / 2)
    frame.add(tb.op(x, (h - tb.height) / 2, background=pal.primary))
    frame.height = h + ctx.px(12)
    return frame
