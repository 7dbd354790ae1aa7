"""Cards (卡片): news items and programme picks as a stacked list or a two-column grid.

A card holds a tag or date pill, a bold title, a description and an optional
picture: at the left or on top in the list, on top in the grid. Pictures are
cropped to a fixed shape (never stretched) so cards line up; grid rows share
one height.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..color import mix, readable
from ..frame import Box, Frame, Image, shift
from ..spec.blocks import CardItem, CardsBlock
from .common import balanced, card, pill, short_text, titled
from .context import LayoutContext
from .flowgraph import BBox
from .media import crop_to_ratio
from .paginate import item_keeps
from .registry import layout_for

LEFT_RATIO = 4 / 3  # picture at the left of a list card
TOP_RATIO = 16 / 9  # picture on top


@dataclass
class CardsGeometry:
    frame: Frame
    layout: str
    cards: list[BBox]
    texts: list[list[BBox]] = field(default_factory=list)
    images: list[BBox | None] = field(default_factory=list)


@layout_for("cards")
def layout_cards(block: CardsBlock, width: float, ctx: LayoutContext) -> Frame:
    return cards_geometry(block, width, ctx).frame


def cards_geometry(block: CardsBlock, width: float, ctx: LayoutContext) -> CardsGeometry:
    frame, y = titled(block.title, width, ctx)
    grid = block.layout == "grid" and width >= ctx.px(560)
    cols = 2 if grid and len(block.items) > 1 else 1
    gap = ctx.px(24)
    cw = (width - (cols - 1) * gap) / cols
    geo = CardsGeometry(frame, "grid" if grid else "list", [])
    for r in range(0, len(block.items), cols):
        row = list(range(r, min(r + cols, len(block.items))))
        drawn = [_card(block.items[i], i, cw, ctx, grid) for i in row]
        h = max(d[0] for d in drawn)
        for k, (i, (_, draw)) in enumerate(zip(row, drawn)):
            x = k * (cw + gap)
            ops, texts, img = draw(h)
            frame.add(*(shift(o, x, y) for o in ops))
            geo.cards.append((x, y, cw, h))
            geo.texts.append([(bx + x, by + y, bw, bh) for bx, by, bw, bh in texts])
            geo.images.append((img[0] + x, img[1] + y, img[2], img[3]) if img else None)
            frame.boxes.append(Box(x, y, cw, h, kind="card", key=f"items[{i}]"))
        y += h
        if r + cols < len(block.items):
            y += gap
            frame.add_break(y - gap / 2)
    frame.height = y
    frame.breaks = [b for b in frame.breaks if 0 < b < y]
    # no card alone at a page's foot or top: the first two and the last two stay together
    frame.keeps.extend(item_keeps([(cy, cy + ch) for _, cy, _, ch in geo.cards], y))
    return geo


def _card(item: CardItem, i: int, w: float, ctx: LayoutContext, grid: bool):
    """(natural height, draw(height) → (ops, text boxes, image box)) of one card at width ``w``."""
    pal = ctx.palette
    pad = ctx.px(28)
    radius = ctx.px(ctx.theme.spacing.radius)
    pic = ctx.image(item.image, f"items[{i}].image") if item.image else None
    left = pic is not None and not grid and item.image_position == "left" and w >= ctx.px(620)
    top = pic is not None and not left
    if left:
        img_w = (w - 2 * pad) * 0.36
        img_h = img_w / LEFT_RATIO
        text_x, text_w = pad + img_w + ctx.px(24), w - 2 * pad - img_w - ctx.px(24)
    elif top:  # inset, like the text, so the card's corners stay clean
        img_w = w - 2 * pad
        img_h = img_w / TOP_RATIO
        text_x, text_w = pad, w - 2 * pad
    else:
        img_w = img_h = 0.0
        text_x, text_w = pad, w - 2 * pad
    parts: list = []
    ty = pad + (img_h + ctx.px(22) if top else 0.0)
    if item.tag:
        fill = mix(pal.primary, pal.surface, 0.88)
        tag = pill(ctx, item.tag, fill=fill, color=readable(pal.primary, fill), max_width=text_w)
        parts.append(("place", tag, text_x, ty))
        ty += tag.height + ctx.px(12)
    tstyle = ctx.style("h3", face=ctx.face("heading"), size=ctx.size("h3") * (0.86 if grid else 0.92),
                       line_height=1.35)
    tb = balanced(ctx, item.title, text_w, tstyle)
    parts.append(("text", tb, text_x, ty))
    ty += tb.height
    if item.desc:
        ty += ctx.px(10)
        dstyle = ctx.style("body", size=ctx.size("body") * (0.78 if grid else 0.82), line_height=1.6,
                           color=readable(mix(pal.text, pal.muted, 0.5), pal.surface),
                           align="left" if text_w < 16 * ctx.size("body") * 0.8 else "justify")
        db = short_text(ctx, item.desc, text_w, dstyle)
        parts.append(("text", db, text_x, ty))
        ty += db.height
    natural = max(ty + pad, (pad + img_h + pad) if left else 0.0)

    def draw(h: float):
        ops: list = list(card(0, 0, w, h, ctx, radius=radius))
        texts: list[BBox] = []
        img_box = None
        if pic is not None:
            ratio = LEFT_RATIO if left else TOP_RATIO
            cropped = crop_to_ratio(pic, ratio)
            img_box = (pad, pad, img_w, img_h)
            ops.append(Image(*img_box, image=cropped, radius=ctx.px(12), natural_size=cropped.size))
        for part in parts:
            if part[0] == "place":
                _, fr, x, y = part
                ops.extend(shift(o, x, y) for o in fr.ops)
                texts.append((x, y, fr.width, fr.height))
            else:
                _, blk, x, y = part
                ops.append(blk.op(x, y, background=pal.surface))
                texts.append((x, y, blk.used_width, blk.height))
        return ops, texts, img_box

    return natural, draw
