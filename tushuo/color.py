"""Colours: the one parser and the colour maths (mixing, alpha, WCAG contrast, readable text).

Shared ground below themes, layout, lints and every painter, so it imports nothing
from tushuo. Colours are hex strings: '#RGB', '#RGBA', '#RRGGBB' or '#RRGGBBAA'
(specs and themes only accept the long forms; the short ones are CSS shorthands).
"""

from __future__ import annotations

from functools import lru_cache

_HEX = frozenset("0123456789abcdefABCDEF")


@lru_cache(maxsize=4096)
def rgba8(color: str) -> tuple[int, int, int, int]:
    """A hex colour → (r, g, b, a), each 0–255. ValueError names the colour when it is not one."""
    c = color[1:] if isinstance(color, str) and color.startswith("#") else ""
    if len(c) in (3, 4):
        c = "".join(ch * 2 for ch in c)
    if len(c) not in (6, 8) or not _HEX.issuperset(c):
        raise ValueError(f"not a colour: {color!r} (use #RRGGBB or #RRGGBBAA)")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return r, g, b, int(c[6:8], 16) if len(c) == 8 else 255


def parse_color(color: str) -> tuple[float, float, float, float]:
    """A hex colour → (r, g, b, a), each 0–1."""
    r, g, b, a = rgba8(color)
    return r / 255, g / 255, b / 255, a / 255


def opaque_hex(color: str) -> str:
    """The colour's '#RRGGBB' (upper case), alpha dropped."""
    r, g, b, _ = rgba8(color)
    return f"#{r:02X}{g:02X}{b:02X}"


def to_hex(r: float, g: float, b: float) -> str:
    """(r, g, b), each 0–1 (clamped) → '#RRGGBB'."""
    return "#" + "".join(f"{round(max(0.0, min(1.0, v)) * 255):02X}" for v in (r, g, b))


def mix(a: str, b: str, t: float) -> str:
    """``a`` moved towards ``b`` by ``t`` (0: a, 1: b), as an opaque '#RRGGBB'."""
    ra, ga, ba, _ = parse_color(a)
    rb, gb, bb, _ = parse_color(b)
    return to_hex(ra + (rb - ra) * t, ga + (gb - ga) * t, ba + (bb - ba) * t)


def with_alpha(color: str, alpha: float) -> str:
    """``color`` with an alpha channel (0–1)."""
    return color[:7] + f"{round(max(0.0, min(1.0, alpha)) * 255):02X}"


def flatten(color: str, over: str) -> str:
    """A translucent colour composited over an opaque one."""
    r, g, b, a = parse_color(color)
    return mix(over, to_hex(r, g, b), a)


def luminance(color: str) -> float:
    """WCAG 2 relative luminance of an opaque colour."""

    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b, _ = parse_color(color)
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG contrast ratio (1–21) of ``fg`` over ``bg``; a translucent ``fg`` is composited first."""
    if len(fg.lstrip("#")) == 8:
        fg = flatten(fg, bg)
    l1, l2 = luminance(fg), luminance(bg[:7])
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def readable(color: str, bg: str, ratio: float = 4.5) -> str:
    """``color`` darkened (or lightened on a dark ``bg``) just enough to reach ``ratio`` on ``bg``."""
    if contrast_ratio(color, bg) >= ratio:
        return color
    target = "#000000" if luminance(bg) > 0.18 else "#FFFFFF"
    lo, hi = 0.0, 1.0
    for _ in range(20):
        mid = (lo + hi) / 2
        if contrast_ratio(mix(color, target, mid), bg) >= ratio:
            hi = mid
        else:
            lo = mid
    return mix(color, target, hi)


__all__ = [
    "contrast_ratio", "flatten", "luminance", "mix", "opaque_hex", "parse_color", "readable", "rgba8", "to_hex",
    "with_alpha",
]
