"""Comparison (对比): 2–4 columns side by side, e.g. 合格站点 / 不合格站点, one row per aspect.

Made to be read at a glance on a phone: every column has a strong header in its
tone's colour (positive: a tick badge, negative: a cross badge, neutral: none);
the group labels are always drawn. Each cell repeats its column's mark beside
the text, so a row read alone still says which side it is. Rows are equal in
height across columns; photos in a row share one height (cropped, never stretched).

Two arrangements: with two columns on a wide block the aspect is a label column
at the left (``side``); with three or four columns, or a narrow block, the aspect
becomes a band above its cells (``band``) so the cells keep their width.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..spec.blocks import ComparisonBlock
from ..themes import mix, readable
from .common import shadow_color, titled
from .context import LayoutContext
from .flowgraph import BBox
from .frame import Box, Frame, Image, Rect
from .icons import cross, tick
from .media import crop_to_ratio
from .pieces import centered_lines
from .registry import layout_for

PHOTO_RATIO = 4 / 3  # width / height of cell photos


@dataclass
class RowGeometry:
    """One aspect: its label box, one box per cell, and the text / photo boxes inside each cell."""

    aspect: BBox
    cells: list[BBox]
    texts: list[list[BBox]] = field(default_factory=list)
    photos: list[BBox | None] = field(default_factory=list)
    aspect_texts: list[BBox] = field(default_factory=list)


@dataclass
class ComparisonGeometry:
    frame: Frame
    mode: str  # side | band
    headers: list[BBox]
    header_texts: list[list[BBox]]
    rows: list[RowGeometry]


@layout_for("comparison")
def layout_comparison(block: ComparisonBlock, width: float, ctx: LayoutContext) -> Frame:
    return comparison_geometry(block, width, ctx).frame


def tone_colors(ctx: LayoutContext, tone: str) -> tuple[str, str, str]:
    """(strong colour for the header, cell tint, cell border) of a column tone."""
    pal = ctx.palette
    strong = {"positive": pal.positive, "negative": pal.negative}.get(tone, pal.muted)
    return strong, mix(strong, pal.surface, 0.93), mix(strong, pal.surface, 0.72)


def comparison_geometry(block: ComparisonBlock, width: float, ctx: LayoutContext) -> ComparisonGeometry:
    pal = ctx.palette
    n = len(block.columns)
    mode = "side" if n == 2 and width >= ctx.px(760) else "band"
    dense = n >= 3
    frame, y = titled(block.title, width, ctx)
    gap = ctx.px(14 if dense else 16)
    aspect_w = ctx.px(150) if mode == "side" else 0.0
    left = aspect_w + (gap if mode == "side" else 0.0)
    cw = (width - left - (n - 1) * gap) / n
    xs = [left + k * (cw + gap) for k in range(n)]
    pad = ctx.px(20 if dense else 26)
    radius = ctx.px(16)
    text_size = ctx.size("caption") if dense else ctx.size("body") * 0.85
    mark = text_size * 1.05

    # headers
    head_style = ctx.style("h3", face=ctx.face("heading"), color=pal.on_primary, line_height=1.3,
                           size=ctx.size("h3") * (0.82 if dense else 1.0))
    badge = head_style.size * 1.25
    blocks = []
    for col in block.columns:
        strong = tone_colors(ctx, col.tone)[0]
        has_mark = col.tone in ("positive", "negative")
        room = cw - 2 * pad - (badge + ctx.px(12) if has_mark else 0)
        if room < head_style.size * 2 and has_mark:  # too narrow for badge and text side by side
            room = cw - 2 * pad
        tb = ctx.text(col.label, room, head_style, color=readable(pal.on_primary, strong))
        blocks.append((tb, has_mark, strong))
    stacked = [has and (cw - 2 * pad - badge - ctx.px(12) < head_style.size * 2) for _, has, _ in blocks]
    head_h = max(
        (tb.height + (badge + ctx.px(8) if st else 0)) for (tb, _, _), st in zip(blocks, stacked)
    )
    head_h = max(head_h, badge) + 2 * ctx.px(22)
    headers, header_texts = [], []
    for k, ((tb, has_mark, strong), st) in enumerate(zip(blocks, stacked)):
        x = xs[k]
        frame.add(Rect(x, y + ctx.px(4), cw, head_h, fill=shadow_color(pal.background), radius=radius))
        frame.add(Rect(x, y, cw, head_h, gradient=(mix(strong, "#FFFFFF", 0.08), mix(strong, "#000000", 0.1)),
                       fill=strong, radius=radius))
        used = tb.used_width
        if st:
            bx, by = x + (cw - badge) / 2, y + (head_h - badge - ctx.px(8) - tb.height) / 2
            tx, ty = x + (cw - used) / 2, by + badge + ctx.px(8)
        else:
            total = used + ((badge + ctx.px(12)) if has_mark else 0)
            bx, by = x + (cw - total) / 2, y + (head_h - badge) / 2
            tx, ty = bx + ((badge + ctx.px(12)) if has_mark else 0), y + (head_h - tb.height) / 2
        if has_mark:
            draw = tick if block.columns[k].tone == "positive" else cross
            frame.add(*draw(bx, by, badge, strong, bg=pal.on_primary))
        frame.add(tb.op(tx, ty, background=strong))
        headers.append((x, y, cw, head_h))
        header_texts.append([(tx, ty, used, tb.height)])
        frame.boxes.append(Box(x, y, cw, head_h, kind="header", key=f"columns[{k}]"))
    y += head_h + ctx.px(20)
    frame.add_break(y - ctx.px(10))

    rows: list[RowGeometry] = []
    # justified lines of ten characters or fewer open wide gaps: set narrow cells ragged-right
    narrow = cw - 2 * pad - mark < 16 * text_size
    cell_style = ctx.style("body", size=text_size, line_height=1.55, align="left" if narrow else "justify")
    aspect_style = ctx.style("h3", face=ctx.face("heading"), size=ctx.size("h3") * (0.78 if dense else 0.9),
                             line_height=1.3)
    for r, row in enumerate(block.rows):
        # measure: the aspect, then every cell's text and photo
        top = y
        if mode == "band":
            band_fill = mix(pal.primary, pal.surface, 0.9)
            ab = ctx.text(row.aspect, width - 2 * pad - ctx.px(14), aspect_style,
                          color=readable(pal.primary_dark, band_fill))
            band_h = ab.height + 2 * ctx.px(12)
            frame.add(Rect(0, y, width, band_h, fill=band_fill, radius=ctx.px(12)))
            frame.add(Rect(0, y, ctx.px(8), band_h, fill=pal.primary, radius=ctx.px(4)))
            frame.add(ab.op(pad, y + ctx.px(12), background=band_fill))
            aspect_box = (0.0, y, width, band_h)
            aspect_texts = [(pad, y + ctx.px(12), ab.used_width, ab.height)]
            y += band_h + ctx.px(10)
        cells = []
        inner = cw - 2 * pad
        photo_h = inner / PHOTO_RATIO
        for k, cell in enumerate(row.cells):
            tone = block.columns[k].tone
            has_mark = tone in ("positive", "negative") and bool(cell.text)
            text_x = mark + ctx.px(10) if has_mark else 0.0
            tb = ctx.text(cell.text, inner - text_x, cell_style) if cell.text else None
            pic = None
            if cell.image:
                pic = ctx.image(cell.image, f"rows[{r}].cells[{k}].image")
            cells.append((tb, pic, has_mark, text_x))
        any_photo = any(c[1] is not None for c in cells)
        content = []
        for tb, pic, _, _ in cells:
            h = tb.height if tb is not None else 0.0
            if any_photo:
                h += photo_h + (ctx.px(16) if tb is not None else 0.0)
            content.append(h)
        row_h = max(content) + 2 * pad
        if mode == "side":
            ab = ctx.text(row.aspect, aspect_w - 2 * ctx.px(12), aspect_style, color=pal.on_primary, align="center")
            row_h = max(row_h, ab.height + 2 * ctx.px(20))
            aspect_fill = pal.primary
            frame.add(Rect(0, y + ctx.px(3), aspect_w, row_h, fill=shadow_color(pal.background), radius=radius))
            frame.add(Rect(0, y, aspect_w, row_h, gradient=(mix(aspect_fill, "#FFFFFF", 0.06), pal.primary_dark),
                           fill=aspect_fill, radius=radius))
            ay = y + (row_h - ab.height) / 2
            aspect_texts = []
            for op, box in centered_lines(ab, 0, ay, aspect_w, aspect_fill):
                frame.add(op)
                aspect_texts.append(box)
            aspect_box = (0.0, y, aspect_w, row_h)
        geo = RowGeometry(aspect_box, [], [], [], aspect_texts)
        for k, (tb, pic, has_mark, text_x) in enumerate(cells):
            tone = block.columns[k].tone
            strong, tint, border = tone_colors(ctx, tone)
            x = xs[k]
            frame.add(Rect(x, y, cw, row_h, fill=tint, stroke=border, stroke_width=ctx.px(1.5), radius=radius))
            cy = y + pad
            texts: list[BBox] = []
            photo_box = None
            if tb is not None:
                if has_mark:
                    draw = tick if tone == "positive" else cross
                    my = cy + (cell_style.line_height * text_size - mark) / 2
                    frame.add(*draw(x + pad, my, mark, pal.on_primary, bg=strong))
                frame.add(tb.op(x + pad + text_x, cy, background=tint))
                texts.append((x + pad + text_x, cy, tb.used_width, tb.height))
                cy += tb.height + ctx.px(16)
            if pic is not None:
                # photos sit at the bottom of the cell so a row's photos line up
                py = y + row_h - pad - photo_h
                cropped = crop_to_ratio(pic, PHOTO_RATIO)
                frame.add(Image(x + pad, py, inner, photo_h, image=cropped, radius=ctx.px(10),
                                natural_size=cropped.size))
                photo_box = (x + pad, py, inner, photo_h)
            geo.cells.append((x, y, cw, row_h))
            geo.texts.append(texts)
            geo.photos.append(photo_box)
        rows.append(geo)
        frame.boxes.append(Box(0, top, width, y + row_h - top, kind="row", key=f"rows[{r}]"))
        y += row_h
        if r < len(block.rows) - 1:
            y += gap if mode == "side" else ctx.px(30)
            frame.add_break(y - (gap if mode == "side" else ctx.px(30)) / 2)
    frame.height = y
    frame.breaks = [b for b in frame.breaks if 0 < b < y]
    return ComparisonGeometry(frame, mode, headers, header_texts, rows)

