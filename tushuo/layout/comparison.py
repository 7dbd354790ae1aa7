"""Comparison (对比): 2–4 columns side by side, e.g. 合格站点 / 不合格站点, one row per aspect.

Made to be read at a glance on a phone: every column has a strong header in its
tone's colour (positive: a tick badge, negative: a cross badge, neutral: none);
the group labels are always drawn. Each cell repeats its column's mark beside
the text, so a row read alone still says which side it is. Rows are equal in
height across columns; photos in a row share one height (cropped, never stretched).

Two arrangements: with two columns on a wide block the aspect is a label column
at the left (``side``); with three or four columns, or a narrow block, the aspect
becomes a band above its cells (``band``) so the cells keep their width.

The label column is as wide as its labels need (``aspect_width``): short cells such
as 达标 / 未达标 leave room for a label on one line (up to 40 % of the width), long
cells keep theirs and labels take two balanced lines. In a row without photos a
cell's tick and text are centred vertically, so a one-line cell beside a taller
one looks placed, not stranded at the top.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..color import mix, readable
from ..frame import Box, Frame, Image, Keep, Rect, Repeat
from ..spec.blocks import ComparisonBlock
from ..text.layout import TextStyle
from ..text.linebreak import is_widow
from .common import balanced, even_split, plain, shadow_color, titled, use_room
from .context import LayoutContext
from .flowgraph import BBox
from .icons import cross, tick
from .media import crop_to_ratio
from .paginate import KEEP, item_keeps
from .pieces import centered_lines
from .registry import layout_for

PHOTO_RATIO = 4 / 3  # width / height of cell photos
#: The side label column: at least this (design px), at most these shares of the width
#: when every cell and header fits on one line beside it, and when the cells are long.
ASPECT_MIN = 150
ASPECT_MAX_SHORT = 0.40
ASPECT_MAX_LONG = 0.24


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


def comparison_geometry(block: ComparisonBlock, width: float, ctx: LayoutContext) -> ComparisonGeometry:  # noqa: C901 - over the limit before ruff ran; split tracked in #12
    pal = ctx.palette
    n = len(block.columns)
    mode = "side" if n == 2 and width >= ctx.px(760) else "band"
    dense = n >= 3
    frame, y = titled(block.title, width, ctx)
    gap = ctx.px(14 if dense else 16)
    pad = ctx.px(20 if dense else 26)
    radius = ctx.px(16)
    text_size = ctx.size("caption") if dense else ctx.size("body") * 0.85
    mark = text_size * 1.05
    head_style = ctx.style("h3", face=ctx.face("heading"), color=pal.on_primary, line_height=1.3,
                           size=ctx.size("h3") * (0.82 if dense else 1.0))
    badge = head_style.size * 1.25
    aspect_style = ctx.style("h3", face=ctx.face("heading"), size=ctx.size("h3") * (0.78 if dense else 0.9),
                             line_height=1.3)
    aspect_pad = ctx.px(12)
    aspect_w = 0.0
    if mode == "side":
        aspect_w = aspect_width(block, width, ctx, gap=gap, pad=pad, mark=mark, text_size=text_size,
                                head_style=head_style, aspect_style=aspect_style, aspect_pad=aspect_pad)
    left = aspect_w + (gap if mode == "side" else 0.0)
    cw = (width - left - (n - 1) * gap) / n
    xs = [left + k * (cw + gap) for k in range(n)]

    # headers
    blocks = []
    for col in block.columns:
        strong = tone_colors(ctx, col.tone)[0]
        has_mark = col.tone in ("positive", "negative")
        room = cw - 2 * pad - (badge + ctx.px(12) if has_mark else 0)
        if room < head_style.size * 2 and has_mark:  # too narrow for badge and text side by side
            room = cw - 2 * pad
        tb = balanced(ctx, col.label, room, head_style, color=readable(pal.on_primary, strong))
        blocks.append((tb, has_mark, strong))
    stacked = [has and (cw - 2 * pad - badge - ctx.px(12) < head_style.size * 2) for _, has, _ in blocks]
    head_h = max(
        (tb.height + (badge + ctx.px(8) if st else 0)) for (tb, _, _), st in zip(blocks, stacked)
    )
    head_h = max(head_h, badge) + 2 * ctx.px(22)
    head_top = y
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
    head_end = y - ctx.px(10)
    frame.add_break(head_end)
    # the column headers stay with the first row (never alone at a page foot)
    frame.keeps.append(Keep(head_top, head_end, KEEP, "header", with_next=True))

    rows: list[RowGeometry] = []
    # justified lines of ten characters or fewer open wide gaps: set narrow cells ragged-right
    narrow = cw - 2 * pad - mark < 16 * text_size
    cell_style = ctx.style("body", size=text_size, line_height=1.55, align="left" if narrow else "justify")
    for r, row in enumerate(block.rows):
        # measure: the aspect, then every cell's text and photo
        top = y
        if mode == "band":
            band_fill = mix(pal.primary, pal.surface, 0.9)
            ab = balanced(ctx, row.aspect, width - 2 * pad - ctx.px(14), aspect_style,
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
            ctb = balanced(ctx, cell.text, inner - text_x, cell_style) if cell.text else None  # justified: as set
            pic = None
            if cell.image:
                pic = ctx.image(cell.image, f"rows[{r}].cells[{k}].image")
            cells.append((ctb, pic, has_mark, text_x))
        any_photo = any(c[1] is not None for c in cells)
        content = []
        for ctb, pic, _, _ in cells:
            h = ctb.height if ctb is not None else 0.0
            if any_photo:
                h += photo_h + (ctx.px(16) if ctb is not None else 0.0)
            content.append(h)
        row_h = max(content) + 2 * pad
        # a cell whose breaks cut a word may take more lines when the row is taller than it anyway
        pitch = cell_style.size * cell_style.line_height
        for k, (ctb, pic, has_mark, text_x) in enumerate(cells):
            if ctb is not None and len(ctb.lines) > 1 and max(content) - content[k] >= pitch - 1e-6:
                room = len(ctb.lines) + int((max(content) - content[k]) / pitch + 1e-6)
                cells[k] = (use_room(ctx, row.cells[k].text, inner - text_x, ctb, room), pic, has_mark, text_x)
        if mode == "side":
            ab = balanced(ctx, row.aspect, aspect_w - 2 * aspect_pad, aspect_style, color=pal.on_primary,
                          align="center")
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
        for k, (ctb, pic, has_mark, text_x) in enumerate(cells):
            tone = block.columns[k].tone
            strong, tint, border = tone_colors(ctx, tone)
            x = xs[k]
            frame.add(Rect(x, y, cw, row_h, fill=tint, stroke=border, stroke_width=ctx.px(1.5), radius=radius))
            cy = y + pad
            if ctb is not None and not any_photo:  # centred: no photo row to line up with
                cy = y + (row_h - ctb.height) / 2
            texts: list[BBox] = []
            photo_box = None
            if ctb is not None:
                if has_mark:
                    draw = tick if tone == "positive" else cross
                    my = cy + (cell_style.line_height * text_size - mark) / 2
                    frame.add(*draw(x + pad, my, mark, pal.on_primary, bg=strong))
                frame.add(ctb.op(x + pad + text_x, cy, background=tint))
                texts.append((x + pad + text_x, cy, ctb.used_width, ctb.height))
                cy += ctb.height + ctx.px(16)
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
    # no row alone at a page's foot or top (under its repeated column headers): two and two stay together
    frame.keeps.extend(item_keeps([(b.y, b.y + b.h) for b in frame.boxes if b.kind == "row"], y))
    if len(block.rows) > 1:  # continued on the next page: its column headers (合格 / 不合格) again first
        frame.repeats.append(Repeat(head_top, head_end, y))
    return ComparisonGeometry(frame, mode, headers, header_texts, rows)



def aspect_width(block: ComparisonBlock, width: float, ctx: LayoutContext, *, gap: float, pad: float,
                 mark: float, text_size: float, head_style: TextStyle, aspect_style: TextStyle,
                 aspect_pad: float) -> float:
    """Width of the side label column, chosen from what the labels and the cells need.

    Preferred in order: every label on one line, then every label on at most two balanced
    lines, each taken only if it stays within ``ASPECT_MAX_SHORT`` of the width and every
    header and cell text still fits on one line in the columns left over. Otherwise the
    cells are long (or hold photos) and keep their width: labels take two lines in at most
    ``ASPECT_MAX_LONG``. Never narrower than ``ASPECT_MIN``.
    """
    n = len(block.columns)
    pad_x = 2 * aspect_pad + 0.5  # a hair of room so the measured lines are set as measured

    def natural(text: str, style: TextStyle) -> float:
        return ctx.text(text, 1e6, style).used_width if text else 0.0

    one = two = 0.0
    for row in block.rows:
        w1 = natural(row.aspect, aspect_style)
        one = max(one, w1)
        lines = even_split(ctx.fonts, row.aspect, 1e6, 2, aspect_style) if plain(row.aspect, aspect_style) else None
        if lines and any(is_widow(ln) for ln in lines):  # 管理员 is not 管 / 理员: it stays on one line
            lines = None
        two = max(two, max((natural(ln, aspect_style) for ln in lines), default=w1) if lines else w1)
    # what one column needs for its header and every cell on one line
    need = 0.0
    for col in block.columns:
        has_mark = col.tone in ("positive", "negative")
        need = max(need, natural(col.label, head_style) + (head_style.size * 1.25 + ctx.px(12) if has_mark else 0))
    cell_style = ctx.style("body", size=text_size)
    for row in block.rows:
        for k, cell in enumerate(row.cells):
            if cell.image:
                need = float("inf")  # a photo fills its cell: cells are never short
            elif cell.text:
                has_mark = block.columns[k].tone in ("positive", "negative")
                need = max(need, natural(cell.text, cell_style) + (mark + ctx.px(10) if has_mark else 0))
    need += 2 * pad
    lo = ctx.px(ASPECT_MIN)
    for want in (one, two):
        a = max(lo, want + pad_x)
        if a <= ASPECT_MAX_SHORT * width and (width - a - gap - (n - 1) * gap) / n >= need:
            return a
    return max(lo, min(two + pad_x, ASPECT_MAX_LONG * width))
