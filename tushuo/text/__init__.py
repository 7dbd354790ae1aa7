"""Text engine: fonts and metrics, Chinese line breaking, inline markup, paragraph layout."""

from __future__ import annotations

from .fonts import FontBook, default_fontbook
from .layout import TextBlock, TextStyle, layout_text


def measure(text: str, size: float, font: str | None = None) -> float:
    """Advance width of ``text`` in px at ``size`` px in the body font (or FontBook key ``font``)."""
    return default_fontbook().measure(text, size, font or "sans")


def break_lines(text: str, width: float, size: float, font: str | None = None) -> list[str]:
    """Wrap ``text`` to lines no wider than ``width`` px following Chinese line-breaking rules.

    The lines :func:`layout_text` sets ``text`` in (body style, no markup): one engine for
    both, CJK–Latin spacing included, so each line's measured width fits ``width``.
    """
    if not text:
        return []
    style = TextStyle(size=size, face=font or "sans", markup=False)
    return [ln.text for ln in layout_text(text, width, style).lines]


__all__ = ["FontBook", "TextBlock", "TextStyle", "break_lines", "default_fontbook", "layout_text", "measure"]
