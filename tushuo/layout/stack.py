"""Blocks → the long frame: blocks stacked with theme spacing, in a context made once (tushuo.inputs).

The stack owns the page: margins, the gaps between blocks, the safe breaks between
them, the footer strip and the background. Block layouts only see their own width.

Full bleed: the kinds in ``FULL_BLEED`` (the banner) are laid out at the whole canvas
width and placed at x = 0; they read ``ctx.margin`` for their own inner margins.
Anywhere else (inside a section) the same layout gets the content width and draws
itself as a card.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..frame import Frame
from .context import MAX_HEIGHT, LayoutContext
from .paginate import lead_keep, leads_in
from .registry import layout_block

if TYPE_CHECKING:
    from ..spec.document import Document


#: Block kinds laid out edge to edge at the top level.
FULL_BLEED = frozenset({"banner"})

#: Block kinds kept with what follows (no safe break right after them).
KEEP_WITH_NEXT = frozenset({"heading"})
#: Block kinds whose words can lead in to the block after them (``paginate.leads_in``).
LEAD_IN = frozenset({"paragraph", "callout"})
#: The gap under a heading, as a share of the block gap.
HEADING_GAP = 0.55


def layout_document(doc: Document, ctx: LayoutContext, *, max_height: float = MAX_HEIGHT) -> Frame:
    """Lay out the whole document into one long frame, with ``ctx`` from :func:`tushuo.inputs.make_context`.

    The width, theme, fonts and files all come from ``ctx``; ``tushuo.inputs.layout_document``
    makes one (with --width / --theme overrides) and calls this. Breaks sit in the middle of the gap between blocks (never right after a
    heading), plus every block's inner breaks; marks carry sections and headings for
    PDF bookmarks. A document taller than ``max_height`` is a SpecError.
    """
    ctx.counters.clear()  # numbering starts at 一 on every layout, even with a reused context
    full = ctx.width
    gap = ctx.px(ctx.theme.spacing.block)
    top = 0.0 if doc.blocks[0].type in FULL_BLEED else float(round(gap))
    # the stack starts at ``top`` and is the document's frame: every op is placed once
    frame = stack_blocks(doc.blocks, ctx.content_width, ctx, "blocks", full_width=full, max_height=max_height,
                         start=top)
    frame.background = ctx.palette.background
    y = frame.height
    if doc.footer is not None and (doc.footer.text or doc.footer.note or doc.footer.qrcode):
        from .footer import layout_footer

        foot = layout_footer(doc.footer, full, ctx.at("footer"))
        top = float(round(y + gap * 1.25))
        frame.breaks.append(y + gap / 2)
        frame.place(foot, 0, top)
        frame.origins.append((top, top + foot.height, "footer"))
        y = top + foot.height
    else:
        y += gap
    _check_height(y, max_height, ctx, "")
    frame.height = y
    frame.breaks = frame.sorted_breaks()
    frame.fonts = ctx.fonts  # painters draw with the theme's fonts
    frame.theme = ctx.theme  # and page furniture takes its colours from the theme the body used
    return frame


def stack_blocks(blocks: list[Any], width: float, ctx: LayoutContext, prefix: str, *,
                 full_width: float | None = None, max_height: float = MAX_HEIGHT, start: float = 0.0) -> Frame:
    """Blocks one under another with the theme's block gap, content at x = margin.

    ``prefix`` is the spec path of the list (``blocks`` or ``blocks[2].blocks``) so errors
    are located. With ``full_width`` (the top level) FULL_BLEED kinds span the canvas at
    x = 0 and the rest sit at the margin; otherwise everything is ``width`` wide at x = 0.
    A safe break sits in the middle of each gap, except after KEEP_WITH_NEXT kinds. A
    paragraph or callout that leads in to the next block (扫描下方二维码…, 如下：) keeps its
    last unit with that block's first one (a ``lead`` keep, as strong as a heading's).
    ``start`` (whole px) puts the first block that far down; the frame's height includes it.
    """
    gap = ctx.px(ctx.theme.spacing.block)
    margin = (full_width - width) / 2 if full_width is not None else 0.0
    frame = Frame(full_width if full_width is not None else width, 0)
    y = start
    prev: Any = None
    last_unit = 0.0  # where the previous block's last unit starts (below its last inner break)
    lay = layout_block if ctx.block_layout is None else ctx.block_layout
    place = getattr(ctx.block_layout, "place", None)
    for i, block in enumerate(blocks):
        bleed = full_width is not None and block.type in FULL_BLEED
        child = lay(block, full_width if full_width is not None and bleed else width, ctx.at(f"{prefix}[{i}]"))
        # a heading sits closer to what it introduces than to what came before
        space = gap * HEADING_GAP if prev is not None and prev.type in KEEP_WITH_NEXT else gap
        top = start if prev is None else float(round(y + space))  # whole px: QR modules and hairlines stay sharp
        if prev is not None and prev.type not in KEEP_WITH_NEXT:
            frame.breaks.append(y + gap / 2)
            if prev.type in LEAD_IN and leads_in(prev.text):
                frame.keeps.append(lead_keep(last_unit, top))
        if place is None:
            frame.place(child, 0.0 if bleed else margin, top)
        else:  # the memo keeps moved copies of unchanged blocks
            place(frame, child, 0.0 if bleed else margin, top)
        frame.origins.append((top, top + child.height, f"{prefix}[{i}]"))
        last_unit = top + max((b for b in child.breaks if 0 < b < child.height), default=0.0)
        y = top + child.height
        prev = block
        if y - start > max_height:
            _check_height(y - start, max_height, ctx, f"{prefix}[{i}]")
    frame.height = y
    return frame


def _check_height(y: float, max_height: float, ctx: LayoutContext, where: str) -> None:
    if y > max_height:
        raise ctx.at(where).error(
            f"the document is taller than {max_height:,.0f} px, the most tushuo lays out at once "
            "(about 500 phone screens); split it into several documents, e.g. one per chapter or issue"
        )
