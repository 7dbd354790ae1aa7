"""The built-in vector icon set: drawn as Path / Ellipse ops, never as font glyphs.

Icons are designed on a 24-unit grid (line icons, 2-unit strokes, round caps) and
scaled into a ``size`` x ``size`` box, so every painter (Pillow, PDF, SVG) draws
the same shapes and no font has to cover a symbol. ``bg`` puts the glyph on a
filled disc (badges: a tick on green, a cross on red).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ..frame import Ellipse, Op, Path

#: stroke width of line icons in grid units (24 units = the icon box)
_STROKE = 2.0
#: tick and cross are read at a glance: a heavier stroke
_MARK_STROKE = 2.8
#: share of the disc the glyph fills when drawn on a ``bg`` disc
_ON_DISC = 0.62

# A primitive in grid units: ("path", commands, filled) or ("disc", cx, cy, r, filled)
_Prim = tuple


def _p(*cmds: tuple, filled: bool = False, width: float = _STROKE) -> _Prim:
    return ("path", cmds, filled, width)


def _disc(cx: float, cy: float, r: float, filled: bool = False) -> _Prim:
    return ("disc", cx, cy, r, filled)


def _rounded_rect(x0: float, y0: float, x1: float, y1: float, r: float) -> tuple:
    """Path commands of a closed rounded rectangle (quadratic corners)."""
    return (
        ("M", x0 + r, y0), ("L", x1 - r, y0), ("Q", x1, y0, x1, y0 + r),
        ("L", x1, y1 - r), ("Q", x1, y1, x1 - r, y1), ("L", x0 + r, y1),
        ("Q", x0, y1, x0, y1 - r), ("L", x0, y0 + r), ("Q", x0, y0, x0 + r, y0), ("Z",),
    )


def _star_points(cx: float, cy: float, r_out: float, r_in: float) -> tuple:
    cmds: list[tuple] = []
    for i in range(10):
        r = r_out if i % 2 == 0 else r_in
        a = -math.pi / 2 + i * math.pi / 5
        cmds.append(("M" if i == 0 else "L", cx + r * math.cos(a), cy + r * math.sin(a)))
    cmds.append(("Z",))
    return tuple(cmds)


_ICONS: dict[str, Callable[[], list[_Prim]]] = {
    "check": lambda: [_p(("M", 4.5, 12.5), ("L", 9.6, 17.4), ("L", 19.5, 6.6), width=_MARK_STROKE)],
    "cross": lambda: [
        _p(("M", 6.2, 6.2), ("L", 17.8, 17.8), width=_MARK_STROKE),
        _p(("M", 17.8, 6.2), ("L", 6.2, 17.8), width=_MARK_STROKE),
    ],
    "user": lambda: [
        _disc(12, 7.8, 4.2),
        _p(("M", 4, 21), ("C", 4, 16.4, 7.6, 14, 12, 14), ("C", 16.4, 14, 20, 16.4, 20, 21)),
    ],
    "users": lambda: [
        _disc(9, 8, 3.6),
        _p(("M", 2.5, 20.5), ("C", 2.5, 16.2, 5.4, 13.6, 9, 13.6), ("C", 12.6, 13.6, 15.5, 16.2, 15.5, 20.5)),
        _p(("M", 15, 4.6), ("C", 17.2, 3.9, 19.6, 5.4, 19.6, 7.9), ("C", 19.6, 10.3, 17.2, 11.8, 15, 11.2)),
        _p(("M", 17.6, 13.9), ("C", 20, 14.6, 21.6, 16.8, 21.6, 20.5)),
    ],
    "vote": lambda: [
        _p(("M", 8, 13), ("L", 8, 3), ("L", 16, 3), ("L", 16, 13)),
        _p(("M", 10, 8.2), ("L", 11.6, 9.8), ("L", 14.2, 6.6)),
        _p(("M", 6, 13), ("L", 3, 13), ("L", 3, 21), ("L", 21, 21), ("L", 21, 13), ("L", 18, 13)),
        _p(("M", 6, 13), ("L", 18, 13)),
    ],
    "document": lambda: [
        _p(("M", 6, 2.5), ("L", 14, 2.5), ("L", 19, 7.5), ("L", 19, 21.5), ("L", 6, 21.5), ("Z",)),
        _p(("M", 14, 2.5), ("L", 14, 7.5), ("L", 19, 7.5)),
        _p(("M", 9, 12), ("L", 16, 12)),
        _p(("M", 9, 16), ("L", 16, 16)),
    ],
    "calendar": lambda: [
        _p(*_rounded_rect(3.5, 5, 20.5, 21, 2)),
        _p(("M", 3.5, 10), ("L", 20.5, 10)),
        _p(("M", 8, 3), ("L", 8, 7)),
        _p(("M", 16, 3), ("L", 16, 7)),
        _disc(8, 14.5, 1.3, True),
        _disc(12, 14.5, 1.3, True),
        _disc(16, 14.5, 1.3, True),
    ],
    "flag": lambda: [
        _p(("M", 5, 3), ("L", 5, 21.5)),
        _p(
            ("M", 5, 4.2), ("C", 9, 2.2, 11.5, 6.2, 15.5, 4.6), ("C", 17, 4, 18.5, 3.8, 19.5, 4),
            ("L", 19.5, 13.8), ("C", 18.5, 13.6, 17, 13.8, 15.5, 14.4), ("C", 11.5, 16, 9, 12, 5, 14), ("Z",),
            filled=True,
        ),
    ],
    "home": lambda: [
        _p(("M", 2.8, 11.2), ("L", 12, 3.4), ("L", 21.2, 11.2)),
        _p(("M", 5.5, 9), ("L", 5.5, 21), ("L", 18.5, 21), ("L", 18.5, 9)),
        _p(("M", 10, 21), ("L", 10, 15), ("L", 14, 15), ("L", 14, 21)),
    ],
    "phone": lambda: [
        _p(*_rounded_rect(6.5, 2, 17.5, 22, 2.2)),
        _p(("M", 10.5, 18.5), ("L", 13.5, 18.5)),
    ],
    "book": lambda: [
        _p(
            ("M", 12, 6.2), ("C", 10, 4.6, 7, 4, 2.8, 4.6), ("L", 2.8, 19), ("C", 7, 18.4, 10, 19, 12, 20.6),
            ("C", 14, 19, 17, 18.4, 21.2, 19), ("L", 21.2, 4.6), ("C", 17, 4, 14, 4.6, 12, 6.2), ("Z",),
        ),
        _p(("M", 12, 6.2), ("L", 12, 20.6)),
    ],
    "chart": lambda: [
        _p(("M", 3.5, 3), ("L", 3.5, 20.5), ("L", 21, 20.5)),
        _p(("M", 8.5, 16.5), ("L", 8.5, 12), width=2.8),
        _p(("M", 13, 16.5), ("L", 13, 7), width=2.8),
        _p(("M", 17.5, 16.5), ("L", 17.5, 10), width=2.8),
    ],
    "star": lambda: [_p(*_star_points(12, 12.8, 10.2, 4.3), filled=True, width=0)],
    "warning": lambda: [
        _p(("M", 12, 3), ("L", 22, 20.5), ("L", 2, 20.5), ("Z",)),
        _p(("M", 12, 9.5), ("L", 12, 14)),
        _disc(12, 17.2, 1.3, True),
    ],
    "info": lambda: [
        _disc(12, 12, 9.5),
        _p(("M", 12, 11), ("L", 12, 17)),
        _disc(12, 7.6, 1.3, True),
    ],
}

#: every icon name, in the order of the spec's IconName
NAMES: tuple[str, ...] = tuple(_ICONS)


def icon(name: str, x: float, y: float, size: float, color: str, *, bg: str | None = None) -> list[Op]:
    """The ops of icon ``name`` in the box (x, y, size, size), drawn in ``color``.

    With ``bg`` the box holds a disc of that colour and the glyph sits inside it
    (about 62 % of the box), e.g. ``icon("check", x, y, 48, "#fff", bg=positive)``.
    Unknown names raise KeyError (the spec validates names before layout).
    """
    prims = _ICONS[name]()
    ops: list[Op] = []
    if bg is not None:
        ops.append(Ellipse(x, y, size, size, fill=bg))
        inner = size * _ON_DISC
        x, y, size = x + (size - inner) / 2, y + (size - inner) / 2, inner
    s = size / 24.0
    for prim in prims:
        if prim[0] == "disc":
            _, cx, cy, r, filled = prim
            box = (x + (cx - r) * s, y + (cy - r) * s, 2 * r * s, 2 * r * s)
            if filled:
                ops.append(Ellipse(*box, fill=color))
            else:
                ops.append(Ellipse(*box, stroke=color, stroke_width=_STROKE * s))
            continue
        _, cmds, filled, width = prim
        moved = tuple(
            (c[0], *[v * s + (x if i % 2 == 0 else y) for i, v in enumerate(c[1:])]) for c in cmds
        )
        if filled:
            ops.append(Path(moved, fill=color, stroke=color if width else None, stroke_width=width * s * 0.5))
        else:
            ops.append(Path(moved, stroke=color, stroke_width=width * s, cap="round"))
    return ops


def tick(x: float, y: float, size: float, color: str, *, bg: str | None = None) -> list[Op]:
    """A tick mark (合格, done) in the box (x, y, size, size)."""
    return icon("check", x, y, size, color, bg=bg)


def cross(x: float, y: float, size: float, color: str, *, bg: str | None = None) -> list[Op]:
    """A cross mark (不合格, not done) in the box (x, y, size, size)."""
    return icon("cross", x, y, size, color, bg=bg)
