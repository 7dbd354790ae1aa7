"""Small drawing pieces shared by the signature blocks (steps, comparison, stats, timeline, cards)."""

from __future__ import annotations

from ..text.layout import TextBlock
from .flowgraph import BBox
from .frame import Text, shift


def centered_lines(tb: TextBlock, x: float, y: float, width: float, background: str | None) -> list[tuple[Text, BBox]]:
    """One Text op per line of ``tb``, each line centred in [x, x + width], the block's top at ``y``.

    The text layout sets lines left; centring per line keeps short last lines in the middle.
    Returns (op, box of the line's glyphs) pairs.
    """
    out = []
    for ln in tb.lines:
        dx = x + (width - ln.width) / 2
        runs = tuple(shift(r, dx, y) for r in ln.runs)
        box = (dx, y + ln.top, ln.width, ln.height)
        out.append((Text(runs=runs, box=box, role=tb.style.role, background=background,  # type: ignore[arg-type]
                         overflow=tb.overflow), box))
    return out
