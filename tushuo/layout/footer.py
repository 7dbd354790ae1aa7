"""The closing strip: an optional QR code on a white card, its note, and who made the piece.

Full width, on the theme's primary gradient with a gold rule on top, so the long image
ends the way the banner opens it.
"""

from __future__ import annotations

from ..frame import Box, Frame, Rect
from ..spec.document import Footer
from .context import LayoutContext
from .media import QR_DARK, QUIET_ZONE, qr_matrix, qr_module, qr_ops


def layout_footer(footer: Footer, width: float, ctx: LayoutContext) -> Frame:
    """The footer at the full canvas width; breaks between its parts, the QR card atomic."""
    pal = ctx.palette
    m = ctx.margin
    inner = width - 2 * m
    pad = ctx.px(64)
    y = float(round(pad))  # the stack puts the footer on a whole px: QR modules land on whole px
    ops: list = []
    boxes: list[Box] = []
    breaks: list[float] = []
    # What the text stands on, for contrast checks: the lighter end of the gradient (the worst case).
    bg = pal.primary
    if footer.qrcode:
        matrix = qr_matrix(footer.qrcode, ctx, "qrcode")
        n = len(matrix) + 2 * QUIET_ZONE
        qpad = float(round(ctx.px(14)))
        side = qr_module(n, ctx.px(260)) * n
        card = side + 2 * qpad
        x0 = float(round((width - card) / 2))
        ops.append(Rect(x0 - ctx.px(6), y - ctx.px(6), card + ctx.px(12), card + ctx.px(12), fill=pal.gold, radius=ctx.px(20)))
        ops.append(Rect(x0, y, card, card, fill="#FFFFFF", radius=ctx.px(14)))
        ops.extend(qr_ops(matrix, x0 + qpad, y + qpad, side, QR_DARK, "#FFFFFF")[0])
        boxes.append(Box(x0 - ctx.px(6), y - ctx.px(6), card + ctx.px(12), card + ctx.px(12), "qrcode", "qrcode"))
        y += card + ctx.px(28)
    if footer.note:
        tb = ctx.text(footer.note, inner, "caption", color=pal.on_primary, align="center", line_height=1.45)
        ops.append(tb.op(m, y, background=bg))
        breaks.extend(y + b for b in tb.line_breaks())
        y += tb.height
    if footer.text:
        if footer.note or footer.qrcode:
            y += ctx.px(24)
            breaks.append(y)
            rule = ctx.px(120)
            ops.append(Rect((width - rule) / 2, y, rule, ctx.px(3), fill=pal.gold, radius=ctx.px(1.5)))
            y += ctx.px(27)
        tb = ctx.text(footer.text, inner, "body", face=ctx.face("bold"), color=pal.on_primary, align="center",
                      line_height=1.45)
        ops.append(tb.op(m, y, background=bg))
        breaks.extend(y + b for b in tb.line_breaks())
        y += tb.height
    h = y + pad
    frame = Frame(width, h)
    frame.add(Rect(0, 0, width, h, gradient=(pal.primary, pal.primary_dark)))
    frame.add(Rect(0, 0, width, ctx.px(8), fill=pal.gold))
    frame.add(*ops)
    frame.boxes.extend(boxes)
    frame.breaks.extend(breaks)
    return frame
