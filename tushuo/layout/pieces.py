"""Small drawing pieces shared by the signature blocks (steps, comparison, stats, timeline, cards)."""

from __future__ import annotations

from ..frame import Text, shift
from ..text.layout import TextBlock
from .flowgraph import BBox


def centered_lines(tb: TextBlock, x: float, y: float, width: float, background: str | None) -> list[tuple[Text, BBox]]:
    """One Text op per line of ``tb``, each line centred in [x, x + width], the block's top at ``y``.

    Centres what each line actually draws (first pen position to last advance), whatever
    alignment the text was set with; set it with ``align="center"`` to get balanced lines.
    Returns (op, box of the line's glyphs) pairs.
    """
    out = []
    for ln in tb.lines:
        if not ln.runs:
            continue
        start = min(r.xs[0] + r.trim if r.xs else r.end for r in ln.runs)
        end = max(r.end for r in ln.runs)
        dx = x + (width - (end - start)) / 2 - start
        runs = tuple(shift(r, dx, y) for r in ln.runs)
        box = (start + dx, y + ln.top, end - start, ln.height)
        out.append((Text(runs=runs, box=box, role=tb.style.role, background=background,  # type: ignore[arg-type]
                         overflow=tb.overflow), box))
    return out
