"""Layouts of pictures: the image block (fit, rounded corners, caption) and QR codes (segno):
one code (qrcode) or a grid of them (qrcodes).

QR modules are vector rectangles (runs merged across rows and columns), so every
painter draws a sharp code at any scale and the PDF stays scannable when printed.
"""

from __future__ import annotations

from functools import lru_cache

from ..frame import Box, Frame, Image, Rect
from ..spec.blocks import ImageBlock, QRCodeBlock, QRCodesBlock
from .common import balanced, titled
from .common import card as card_ops
from .context import LayoutContext
from .registry import layout_for

#: Quiet zone around a QR code, in modules (ISO/IEC 18004 asks for 4).
QUIET_ZONE = 4
#: Aspect ratio of the box for fit: cover / contain.
BOX_RATIO = 9 / 16
#: QR module colour: near black on white scans everywhere, whatever the theme.
QR_DARK = "#111111"


# ----------------------------------------------------------------------------- image
@layout_for("image")
def layout_image(block: ImageBlock, width: float, ctx: LayoutContext) -> Frame:
    """The picture at the full width (its own aspect), cropped to 16:9 (cover) or fitted inside it (contain)."""
    pal = ctx.palette
    pic = ctx.image(block.src, "src")
    nw, nh = pic.size
    r = ctx.px(ctx.theme.spacing.radius)
    frame = Frame(width, 0)
    alt = block.alt or block.caption or None
    if block.fit == "width":
        h = width * nh / nw
        frame.add(Image(0, 0, width, h, image=pic, radius=r, natural_size=(nw, nh), alt=alt))
    else:
        h = width * BOX_RATIO
        if block.fit == "cover":
            frame.add(Image(0, 0, width, h, image=crop_to_ratio(pic, width / h), radius=r, natural_size=(nw, nh),
                            alt=alt))
        else:
            frame.add(Rect(0, 0, width, h, fill=pal.surface_alt, radius=r))
            scale = min(width / nw, h / nh)
            w2, h2 = nw * scale, nh * scale
            frame.add(Image((width - w2) / 2, (h - h2) / 2, w2, h2, image=pic, natural_size=(nw, nh), alt=alt))
    y = h
    if block.caption:
        y += ctx.px(18)
        cap = ctx.text(block.caption, width - ctx.px(80), "caption", align="center", line_height=1.45)
        frame.add(cap.op(ctx.px(40), y, background=pal.background))
        y += cap.height
    frame.height = y
    frame.boxes.append(Box(0, 0, width, y, "image"))
    return frame


def crop_to_ratio(pic, ratio: float):
    """The centre of ``pic`` cropped to width/height = ``ratio`` (never stretched)."""
    w, h = pic.size
    if w / h > ratio:
        nw = max(1, round(h * ratio))
        left = (w - nw) // 2
        return pic.crop((left, 0, left + nw, h))
    nh = max(1, round(w / ratio))
    top = (h - nh) // 2
    return pic.crop((0, top, w, top + nh))


# ----------------------------------------------------------------------------- qrcode
def qr_matrix(data: str, ctx: LayoutContext, field_path: str = "data") -> list[list[bool]]:
    """The dark modules of a QR code for ``data`` (error correction M), or a located SpecError."""
    import segno

    try:
        modules = _qr_modules(data)
    except segno.DataOverflowError:
        raise ctx.error(
            f"too much data for a QR code ({len(data.encode('utf-8'))} bytes; "
            "at error level M a code holds at most 2,331 bytes): use a shorter link", field_path,
        ) from None
    return [list(row) for row in modules]


@lru_cache(maxsize=64)
def _qr_modules(data: str) -> tuple[tuple[bool, ...], ...]:
    """The encoded matrix, kept: choosing the mask costs ~13 ms and a footer's code is laid out
    on every render and again for the PDF's closing strip."""
    import segno

    qr = segno.make(data, error="m", micro=False, boost_error=False)
    return tuple(tuple(bool(v) for v in row) for row in qr.matrix)


def qr_ops(matrix: list[list[bool]], x: float, y: float, size: float, dark: str,
           light: str | None) -> tuple[list, float]:
    """Ops drawing ``matrix`` with its quiet zone in a square of at most ``size`` px at (x, y).

    Modules get a whole number of px when they are at least 3 px, so edges fall on
    pixel boundaries; returns the ops and the side actually used. ``light`` fills the
    square first; None when the caller's card already is the light ground (its rounded
    corners and outline then stay visible).
    """
    n = len(matrix) + 2 * QUIET_ZONE
    m = qr_module(n, size)
    side = m * n
    ox, oy = x + QUIET_ZONE * m, y + QUIET_ZONE * m
    ops: list = [Rect(x, y, side, side, fill=light)] if light else []
    # dark runs per row, merged downwards while the same run repeats in the next row
    open_runs: dict[tuple[int, int], int] = {}  # (start, end) → first row
    rects: list[tuple[int, int, int, int]] = []
    for r, row in enumerate([*matrix, []]):
        runs = set()
        c = 0
        while c < len(row):
            if row[c]:
                s = c
                while c < len(row) and row[c]:
                    c += 1
                runs.add((s, c))
            else:
                c += 1
        for key in list(open_runs):
            if key not in runs:
                rects.append((key[0], open_runs.pop(key), key[1], r))
        for key in runs:
            open_runs.setdefault(key, r)
    for c0, r0, c1, r1 in rects:
        ops.append(Rect(ox + c0 * m, oy + r0 * m, (c1 - c0) * m, (r1 - r0) * m, fill=dark))
    return ops, side


def qr_module(n: int, size: float) -> float:
    """Module size for ``n`` modules in ``size`` px: whole px from 3 px up, so edges fall on pixels."""
    m = size / n
    return float(int(m)) if m >= 3 else m


@layout_for("qrcode")
def layout_qrcode(block: QRCodeBlock, width: float, ctx: LayoutContext) -> Frame:
    """A QR code centred on a white card with a caption under it."""
    pal = ctx.palette
    matrix = qr_matrix(block.data, ctx)
    size = min(ctx.px(block.size), width)
    pad = ctx.px(16)
    pad = float(round(pad))
    n = len(matrix) + 2 * QUIET_ZONE
    card = qr_module(n, size - 2 * pad) * n + 2 * pad
    # Blocks sit at x = margin and start on whole px (the stack rounds their tops): put the
    # modules on whole px of the page too, so their shared edges leave no seams.
    x0 = round(ctx.margin + (width - card) / 2) - ctx.margin
    frame = Frame(width, 0)
    frame.add(*card_ops(x0, 0, card, card, ctx, fill="#FFFFFF", radius=ctx.px(16)))
    frame.add(*qr_ops(matrix, x0 + pad, pad, card - 2 * pad, QR_DARK, "#FFFFFF")[0])
    y = card + ctx.px(4)
    if block.caption:
        y += ctx.px(18)
        cap = ctx.text(block.caption, width, "caption", align="center", line_height=1.45)
        frame.add(cap.op(0, y, background=pal.background))
        y += cap.height
    frame.height = y
    frame.boxes.append(Box(0, 0, width, y, "qrcode"))
    return frame


#: Caption size of a qrcodes grid by columns, as a share of the theme's caption size (at least 30 px at 1080).
GRID_CAPTION = {1: 1.5, 2: 1.4, 3: 1.2, 4: 1.05}


@layout_for("qrcodes")
def layout_qrcodes(block: QRCodesBlock, width: float, ctx: LayoutContext) -> Frame:
    """Codes in a grid of equal white cards, each code as large as its column allows (at most ``size``),
    its name under it.

    Every card is as tall as the tallest caption needs, so rows line up; a short last
    row is centred. Each card is atomic and the rows have safe breaks between them.
    Module edges fall on whole px of the page (see ``layout_qrcode``).
    """
    pal = ctx.palette
    matrices = [qr_matrix(it.data, ctx, f"items[{i}].data") for i, it in enumerate(block.items)]
    count = len(block.items)
    cols = min(block.columns, count)
    gap = float(round(ctx.px(ctx.theme.spacing.gap) * 1.25))
    # The card is the code's quiet zone (white, 4 modules) and the caption band under it:
    # the cards hug the largest code (modules are whole px, so codes of other versions
    # come out a few px smaller and are centred) and the grid is centred.
    room = (width - (cols - 1) * gap) / cols
    if block.size is not None:
        room = min(room, ctx.px(block.size))
    drawn = [qr_module(len(m) + 2 * QUIET_ZONE, room) * (len(m) + 2 * QUIET_ZONE) for m in matrices]
    side = cw = max(drawn)
    inset = ctx.px(20)
    style = ctx.style("caption", face=ctx.face("bold"), color=pal.text, align="center", line_height=1.35,
                      size=ctx.px(max(ctx.theme.sizes.caption, 30.0) * GRID_CAPTION[cols]))
    captions = [balanced(ctx, it.caption, cw - 2 * inset, style) if it.caption else None for it in block.items]
    cap_h = max((c.height for c in captions if c is not None), default=0.0)
    card_h = float(round(side + (cap_h + ctx.px(22) if cap_h else 0.0)))
    frame, y = titled(block.title, width, ctx)
    y = float(round(y))
    radius = ctx.px(ctx.theme.spacing.radius)
    for r0 in range(0, count, cols):
        if r0:
            frame.breaks.append(y - gap / 2)
        row = range(r0, min(r0 + cols, count))
        x = (width - (len(row) * cw + (len(row) - 1) * gap)) / 2
        for i in row:
            frame.add(*card_ops(x, y, cw, card_h, ctx, fill="#FFFFFF", radius=radius))
            # whole px of the page for the modules (the block sits at x = margin, on a whole-px top)
            qx = round(ctx.margin + x + (cw - drawn[i]) / 2) - ctx.margin
            qy = float(round(y + (side - drawn[i]) / 2))
            frame.add(*qr_ops(matrices[i], qx, qy, drawn[i], QR_DARK, None)[0])
            cap = captions[i]
            if cap is not None:
                frame.add(cap.op(x + (cw - cap.width) / 2, y + side, background="#FFFFFF"))
            frame.boxes.append(Box(x, y, cw, card_h, "qrcode"))
            x += cw + gap
        y += card_h + gap
    frame.height = y - gap
    return frame
