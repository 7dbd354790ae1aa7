"""Glyph cache: each (font, size, char, x phase) is rasterised once and pasted as a mask.

Drawing text with ``ImageDraw.text`` costs 76-180 µs per glyph here, whether per
character or per line (FreeType loads and renders every time); pasting a cached alpha
mask costs 10-23 µs (the ranges are the same runs on a quiet and on a busy machine). Layout
already fixed every pen position, so the painter only needs one mask per glyph.

Pen positions are fractional. The x phase is quantised to 1/4 px (``PHASES``), so a
glyph has at most four cached masks per size; the baseline y is rounded to whole
pixels (Pillow renders ``start`` fractions the same way ``ImageDraw.text`` does, so
a cached mask equals what ``ImageDraw.text`` would draw at the quantised position).
(Pillow 13 renders the glyph at the pixel origin and only rounds the pen: phases 0 and
1/4 land on the same pixel, 1/2 and 3/4 one pixel right; see ftglyph.)

Masks come from ``ftglyph`` (FreeType called directly, the bytes Pillow's getmask2
gives, ~70 instead of ~125 us a 42 px glyph) where it is on, else from getmask2.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..lru import BoundedLRU

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

    from ..text.fonts import Face

#: sub-pixel x positions per pixel (1/4 px steps)
PHASES = 4
#: masks kept; a long document uses a few thousand (distinct chars x sizes x phases)
MAX_ENTRIES = 40_000

#: bytes of composed line masks kept (``GlyphCache.line``)
MAX_LINE_BYTES = 24 << 20

# (mask, dx, dy): paste the mask at (pen_x + dx, baseline + dy); mask None = nothing to draw
Glyph = tuple["PILImage | None", int, int]
#: one glyph of a line: (char, whole-pixel pen x relative to the line's first glyph, x phase)
Placed = tuple[str, int, float]


def quantise(x: float) -> tuple[int, float]:
    """Integer pixel and the 1/PHASES phase of a fractional pen position."""
    ix = math.floor(x)
    phase = round((x - ix) * PHASES) / PHASES
    if phase >= 1.0:
        return ix + 1, 0.0
    return ix, phase


class GlyphCache:
    """Bounded, thread-safe cache of glyph masks keyed by (font file, size, char, phase, alpha).

    Lookups take no lock; the least recently used masks go first when it is full.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self._masks = BoundedLRU(max_entries=max_entries)
        self._lines = BoundedLRU(max_bytes=max_line_bytes)

    def __len__(self) -> int:
        return len(self._masks)

    @property
    def hits(self) -> int:
        return self._masks.hits

    @property
    def misses(self) -> int:
        return self._masks.misses

    def get(self, face: Face, size: float, ch: str, phase: float, alpha: int = 255) -> Glyph:
        """The mask of ``ch`` drawn at pen (phase, 0) on baseline 0, scaled by ``alpha``/255."""
        key = (str(face.path), size, ch, phase, alpha)
        return self._masks.get_or_make(key, lambda: _rasterise(face, size, ch, phase, alpha))

    def line(self, face: Face, size: float, placed: tuple[Placed, ...], alpha: int = 255) -> Glyph | None:
        """One mask for a line's glyphs (pasted once instead of once a glyph), or None
        when two glyphs' ink boxes overlap: then they must be pasted one by one.

        Pasting a colour through a mask blends each pixel with its mask value alone, and a
        mask value of 0 leaves the pixel as it was, so where no two ink boxes share a
        pixel, one paste of the masks laid side by side gives the same bytes as pasting
        them in turn. The line mask is kept (keyed by face, size, the glyphs' relative
        pen positions and phases), so a line drawn again costs one paste.
        """
        key = (str(face.path), size, placed, alpha)
        return self._lines.get_or_make(
            key, lambda: self._compose(face, size, placed, alpha),
            lambda made: 64 if made is None or made[0] is None else 64 + made[0].width * made[0].height,
        )

    def _compose(self, face: Face, size: float, placed: tuple[Placed, ...], alpha: int) -> Glyph | None:
        from PIL import Image

        parts = []
        right = None
        for ch, ix, phase in placed:
            mask, dx, dy = self.get(face, size, ch, phase, alpha)
            if mask is None:
                continue
            x0 = ix + dx
            if right is not None and x0 < right:  # boxes overlap (left to right on one baseline)
                return None
            right = x0 + mask.width
            parts.append((mask, x0, dy))
        if not parts or right is None:
            return (None, 0, 0)
        x0 = parts[0][1]
        y0 = min(dy for _, _, dy in parts)
        y1 = max(dy + m.height for m, _, dy in parts)
        line = Image.new("L", (right - x0, y1 - y0), 0)
        for mask, x, dy in parts:
            line.paste(mask, (x - x0, dy - y0))
        return (line, x0, y0)

    def clear(self) -> None:
        self._masks.clear()
        self._lines.clear()


def _rasterise(face: Face, size: float, ch: str, phase: float, alpha: int) -> Glyph:
    """One glyph's mask: what ``ImageDraw.text`` draws at pen (phase, 0), trimmed to its ink;
    from FreeType directly where ``ftglyph`` can (the same bytes, half the work), else from Pillow."""
    from . import ftglyph

    return ftglyph.rasterise(face, size, ch, phase, alpha, _rasterise_pillow)


def _rasterise_pillow(face: Face, size: float, ch: str, phase: float, alpha: int) -> Glyph:
    """One glyph's mask from Pillow: what ``ImageDraw.text`` draws at pen (phase, 0), trimmed to its ink.

    ``getmask2`` is the call ``ImageDraw.text`` makes itself (with ``start`` the pen's
    fraction), so the mask is the same, pixel for pixel (checked for 6,600 glyphs, sizes
    and phases), in one FreeType pass instead of a bbox pass plus a drawing pass: 127
    instead of 198 us a glyph here.
    """
    from .coverage import to_ink, wrap_core

    font = face.pil(size)
    try:
        core, (ox, oy) = font.getmask2(ch, "L", anchor="ls", start=(phase, 0))
        mask = wrap_core(core)
    except (AttributeError, TypeError):  # a Pillow without these internals: draw it
        return _rasterise_drawn(face, size, ch, phase, alpha)
    return to_ink(mask, ox, oy, alpha)


def _rasterise_drawn(face: Face, size: float, ch: str, phase: float, alpha: int) -> Glyph:
    from PIL import Image, ImageDraw

    from .coverage import to_ink

    font = face.pil(size)
    left, top, right, bottom = (int(v) for v in font.getbbox(ch, anchor="ls"))  # whole pixels for a bitmap font
    w, h = right - left + 1, bottom - top  # +1: a phase > 0 shifts ink right by up to a pixel
    if right <= left or h <= 0:
        return (None, 0, 0)
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).text((phase - left, -top), ch, fill=255, font=font, anchor="ls")
    return to_ink(mask, left, top, alpha)


_DEFAULT = GlyphCache()


def default_cache() -> GlyphCache:
    """The process-wide glyph cache (shared by every painter and thread)."""
    return _DEFAULT
