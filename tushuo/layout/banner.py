"""The banner: the hero at the top of a long image.

A formal 党建-style header: the theme's primary gradient with faint rays fanning from
below, a gold badge pill, the title in the serif face, a gold double rule with a
diamond, the subtitle, an optional framed photo, and a gently curved bottom edge.
At the top level it spans the canvas (see stack.FULL_BLEED); inside a section it is
a rounded card of the width it is given.
"""

from __future__ import annotations

import math

from ..color import with_alpha
from ..frame import Box, Frame, Group, Image, Path, Rect
from ..spec.blocks import BannerBlock
from .common import balanced, diamond, pill
from .context import LayoutContext
from .media import crop_to_ratio
from .registry import layout_for


@layout_for("banner")
def layout_banner(block: BannerBlock, width: float, ctx: LayoutContext) -> Frame:
    pal = ctx.palette
    bleed = width >= ctx.width - 0.5
    side = ctx.margin if bleed else ctx.px(48)
    inner = width - 2 * side
    align = block.align
    # compact: a lower band for print pieces (a standee's header), same elements, less air
    k = 0.55 if block.compact else 1.0
    curve = ctx.px(36 * (0.7 if block.compact else 1.0)) if bleed else 0.0
    y = ctx.px(96 * k) if bleed else ctx.px(64 * k)
    ops: list = []

    def x_for(w: float) -> float:
        return side + {"left": 0.0, "center": (inner - w) / 2, "right": inner - w}[align]

    if block.badge:
        badge = pill(ctx, block.badge, fill=pal.gold, color=pal.primary_dark, pad_x=ctx.px(28), pad_y=ctx.px(8),
                     max_width=inner)
        bf = Frame(width, 0)
        bf.place(badge, x_for(badge.width), y)
        ops.extend(bf.ops)
        y += badge.height + ctx.px(32)
    sizes = {"size": ctx.px(ctx.theme.sizes.title * 0.85)} if block.compact else {}
    title = balanced(ctx, block.title, inner, "title", color=pal.on_primary, align=align, line_height=1.28, **sizes)
    ops.append(title.op(x_for(title.width), y, background=pal.primary))
    y += title.height + ctx.px(26 * (0.7 if block.compact else 1.0))
    ops.extend(_double_rule(ctx, x_for, y, min(inner, ctx.px(420)), align))
    y += ctx.px(22) + ctx.px(26 * (0.7 if block.compact else 1.0))
    if block.subtitle:
        sizes = {"size": ctx.px(ctx.theme.sizes.subtitle * 0.9)} if block.compact else {}
        sub = balanced(ctx, block.subtitle, inner, "subtitle", color=pal.on_primary, align=align, line_height=1.45,
                       **sizes)
        ops.append(sub.op(x_for(sub.width), y, background=pal.primary))
        y += sub.height
    if block.image:
        pic = ctx.image(block.image, "image")
        y += ctx.px(40)
        ph = inner * 9 / 16
        b = ctx.px(6)
        r = ctx.px(ctx.theme.spacing.radius)
        ops.append(Rect(side - b, y - b, inner + 2 * b, ph + 2 * b, fill=pal.gold, radius=r + b))
        ops.append(Image(side, y, inner, ph, image=crop_to_ratio(pic, inner / ph), radius=r, natural_size=pic.size))
        y += ph
    h = y + (ctx.px(88 * k) if bleed else ctx.px(64 * k)) + curve
    radius = 0.0 if bleed else ctx.px(ctx.theme.spacing.radius)
    deco: list = [Rect(0, 0, width, h, gradient=(pal.primary, pal.primary_dark))]
    deco.extend(_rays(width, h, ctx))
    frame = Frame(width, h)
    frame.add(Group(tuple(deco), clip=(0, 0, width, h), radius=radius))
    if bleed:
        # the bottom edge bulges gently: page background below a quadratic curve
        frame.add(Path((("M", 0, h + 1), ("L", 0, h - curve), ("Q", width / 2, h + curve, width, h - curve),
                        ("L", width, h + 1), ("Z",)), fill=pal.background))
    frame.add(*ops)
    frame.boxes.append(Box(0, 0, width, h, "banner"))
    return frame


def _rays(width: float, h: float, ctx: LayoutContext) -> list[Path]:
    """Faint light rays fanning upwards from below the banner's centre."""
    cx, cy = width / 2, h * 1.15
    reach = math.hypot(width, h) * 1.3
    n = 18
    ops = []
    for i in range(n):
        a0 = math.pi + (i + 0.2) * math.pi / n
        a1 = math.pi + (i + 0.62) * math.pi / n
        ops.append(Path((("M", cx, cy), ("L", cx + reach * math.cos(a0), cy + reach * math.sin(a0)),
                         ("L", cx + reach * math.cos(a1), cy + reach * math.sin(a1)), ("Z",)),
                        fill=with_alpha("#FFFFFF", 0.045)))
    return ops


def _double_rule(ctx: LayoutContext, x_for, y: float, w: float, align: str) -> list:
    """Gold rules, a thick one over a thin one, broken by a diamond in the middle."""
    gold = ctx.palette.gold
    x = x_for(w)
    mid = x + w / 2
    d = ctx.px(11)
    gap = d + ctx.px(10)
    ops: list = []
    for x0, x1 in ((x, mid - gap), (mid + gap, x + w)):
        ops.append(Rect(x0, y + ctx.px(5), x1 - x0, ctx.px(4), fill=gold, radius=ctx.px(2)))
        ops.append(Rect(x0, y + ctx.px(14), x1 - x0, ctx.px(1.5), fill=with_alpha(gold, 0.8)))
    ops.append(diamond(mid, y + ctx.px(10), d, gold))
    return ops
