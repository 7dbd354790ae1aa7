"""The coverage rasteriser: shapes in device px → coverage pieces (0-255 or "L" masks).

Painting is two steps, as in matplotlib's RendererAgg over its rasteriser: this module
turns geometry into coverage, the Pillow painter (raster.py) composites colour through it.

Antialiasing. Pillow's own shapes have jagged edges, so every shape is
rasterised as a coverage mask and the colour is composited through it:

* rectangles (the bulk of an infographic: cards, bars, backgrounds) get analytic
  coverage on their straight parts (edges on the 1/SS px grid); only the corners of
  the rows that hold a rounded corner (or a fractional top/bottom edge) are
  supersampled, ``SS`` x ``SS``;
* ellipses, lines, arrow heads and paths are supersampled in strips of rows, each
  only as wide as the shape's ink in it (clipped to the band being painted), then
  box-downsampled.

Coverage is kept by exact geometry (``CoverageCache``, like the glyph cache): a shape
drawn again is pasted, not rasterised. Pasting a colour through a mask costs ~11 ns a
pixel here, about 50 times a plain fill, so fully covered runs are filled and constant
partial coverage is blended without a mask. On the 1080 x 5,666 px benchmark page the
ops paint in ~45 ms with the caches warm and ~105 ms with them empty (CPU, busy machine);
~70 ms empty since rounded-rect corner tiles are kept by their drawing (``_tile_key``,
shared across shapes), the column between corners is worked out, strips are drawn through
Pillow's core calls and glyphs come from FreeType directly (ftglyph).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, overload

from PIL import Image

from ..errors import RenderError
from ..lru import BoundedLRU
from .geometry import quad_to_cubic

#: supersampling factor of shape tiles (4 x 4 = 16 coverage levels + exact straight edges)
SS = 4


#: flattening tolerance for curves, device px
_FLAT_TOL = 0.2


Pt = tuple[float, float]


# A piece: (x0, y0, x1, y1, coverage) in target px; coverage is 0-255 or an "L" mask of the box size.
Piece = tuple[int, int, int, int, "int | Image.Image"]


@overload
def scale_cov(cov: int, alpha: int) -> int: ...


@overload
def scale_cov(cov: Image.Image, alpha: int) -> Image.Image: ...


def scale_cov(cov: int | Image.Image, alpha: int) -> int | Image.Image:
    """Coverage times alpha/255, truncated (what ImageChops.multiply by a flat alpha gives: the
    same bytes for every coverage and alpha), through a table in Pillow's core point()
    (5 us a piece, where multiply's flat image cost 8 and Image.point's checks 24)."""
    if alpha == 255:
        return cov
    if isinstance(cov, int):
        return cov * alpha // 255
    return wrap_core(cov.im.point(_times(alpha), None))


@functools.lru_cache(maxsize=256)
def _times(alpha: int) -> list[int]:
    return [v * alpha // 255 for v in range(256)]


def to_ink(mask: Image.Image, x: int, y: int, alpha: int = 255) -> tuple[Image.Image | None, int, int]:
    """``mask``, placed at (x, y), scaled by ``alpha``/255 and cropped to its ink: (mask, x, y)
    of what is left, or (None, 0, 0) when nothing is (pastes then touch only inked pixels)."""
    mask = scale_cov(mask, alpha)
    bbox = mask.getbbox()
    if bbox is None:
        return (None, 0, 0)
    return (mask.crop(bbox), x + bbox[0], y + bbox[1])


#: masks bigger than this are pasted strip by strip, each trimmed to its ink
_TRIM_AREA = 65_536


_STRIP = 32


Window = tuple[int, int, int, int]  # x0, y0, x1, y1: where pieces may lie


_EVERYWHERE: Window = (-(1 << 30), -(1 << 30), 1 << 30, 1 << 30)


class CoverageCache:
    """Shapes' coverage pieces by exact geometry: a card, badge or arrow drawn again (the
    same page re-rendered, or the same shape elsewhere on it at the same sub-pixel phase)
    is pasted, not rasterised again. Like the glyph cache, it stores what rasterising
    gives, so output is identical with or without it.

    A shape is rasterised relative to its own whole-pixel origin, so its pieces are a
    function of the key alone: the kind, the geometry relative to that origin, the alpha,
    and the part of the target it may cover (None when it lies wholly inside). Bounded
    by the bytes of mask kept; the least recently used go first.
    """

    def __init__(self, max_bytes: int = 48 << 20) -> None:
        self._items = BoundedLRU(max_bytes=max_bytes)
        #: supersampled corner tiles of rounded rects, by their drawing (``_rrect_tile``)
        self._tiles = BoundedLRU(max_bytes=max(1 << 16, max_bytes // 8))

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        """Bytes of mask (plus a little per piece) held."""
        return self._items.nbytes

    @property
    def hits(self) -> int:
        return self._items.hits

    @property
    def misses(self) -> int:
        return self._items.misses

    def clear(self) -> None:
        """Forget every shape (and reset the hit and miss counts)."""
        self._items.clear()
        self._tiles.clear()

    def tile(self, key: Any, make: Callable[[], Image.Image]) -> Image.Image:
        """A corner tile by the key of its drawing (``_tile_key``): cards of one radius at one
        sub-pixel phase share their corners even when their sizes differ."""
        return self._tiles.get_or_make(key, make, lambda im: 100 + im.width * im.height)

    def pieces(
        self,
        size: tuple[int, int],
        kind: str,
        bbox: tuple[float, float, float, float],
        alpha: int,
        move: Callable[[int, int], Any],
        make: Callable[[Window, Any], list[Piece]],
    ) -> list[Piece]:
        """Pieces in target px of the shape ``move(dx, dy)`` gives relative to (dx, dy)."""
        W, H = size
        if bbox[2] < -2 or bbox[3] < -2 or bbox[0] > W + 2 or bbox[1] > H + 2:
            return []
        dx, dy = math.floor(bbox[0]), math.floor(bbox[1])
        inside = bbox[0] >= 2 and bbox[1] >= 2 and bbox[2] <= W - 2 and bbox[3] <= H - 2
        clip = None if inside else (-dx, -dy, W - dx, H - dy)
        geom = move(dx, dy)
        key = (kind, geom, alpha, clip)

        def rasterise() -> list[Piece]:
            return [
                part if alpha == 255 else (*part[:4], scale_cov(part[4], alpha))
                for piece in make(clip or _EVERYWHERE, geom)
                for part in trimmed(piece)
            ]

        def nbytes(made: list[Piece]) -> int:
            held = sum(100 + (0 if isinstance(p[4], int) else p[4].width * p[4].height) for p in made)
            return held + (64 * sum(len(g) for _, g, _ in geom.prims) if isinstance(geom, Shape) else 200)  # the key

        pieces = self._items.get_or_make(key, rasterise, nbytes)
        if dx == 0 and dy == 0:
            return pieces
        return [(x0 + dx, y0 + dy, x1 + dx, y1 + dy, cov) for x0, y0, x1, y1, cov in pieces]


_COVERAGE = CoverageCache()


def coverage_cache() -> CoverageCache:
    """The process-wide shape coverage cache (shared by every painter and thread)."""
    return _COVERAGE


def trimmed(piece: Piece) -> Iterable[Piece]:
    """The piece without its empty margins: a long diagonal wedge touches little of its box."""
    x0, y0, x1, y1, cov = piece
    if isinstance(cov, int):
        yield piece
        return
    w, h = x1 - x0, y1 - y0
    core = cov.im  # Pillow's core image (masks here are made in memory, never lazily loaded)
    if w * h < _TRIM_AREA:
        bb = core.getbbox(True)
        if bb is not None:
            yield (
                x0 + bb[0],
                y0 + bb[1],
                x0 + bb[2],
                y0 + bb[3],
                wrap_core(core.crop(bb)) if bb != (0, 0, w, h) else cov,
            )
        return
    for sy in range(0, h, _STRIP):
        strip = core.crop((0, sy, w, min(h, sy + _STRIP)))
        bb = strip.getbbox(True)
        if bb is not None:
            yield (x0 + bb[0], y0 + sy + bb[1], x0 + bb[2], y0 + sy + bb[3], wrap_core(strip.crop(bb)))


def wrap_core(core: Any) -> Image.Image:
    """A Pillow image around a core image (what Image.crop and friends return)."""
    return Image.Image()._new(core)


RRect = tuple[float, float, float, float, float]  # x0, y0, x1, y1, radius (target px)


def norm_rrect(rr: RRect) -> RRect | None:
    x0, y0, x1, y1, r = rr
    if x1 - x0 <= 1e-9 or y1 - y0 <= 1e-9:
        return None
    return (x0, y0, x1, y1, max(0.0, min(r, (x1 - x0) / 2, (y1 - y0) / 2)))


def _column_cover(intervals: Iterable[tuple[float, float]], lo: int, hi: int) -> list[tuple[int, int, int]]:
    """Runs (c0, c1, coverage 0-255) of the union of disjoint x intervals, within columns [lo, hi)."""
    partial: dict[int, float] = {}
    full: list[tuple[int, int]] = []
    for a, b in intervals:
        if b <= a:
            continue
        ca, cb = math.floor(a), math.floor(b)
        if ca == cb:
            partial[ca] = partial.get(ca, 0.0) + (b - a)
            continue
        if a > ca:
            partial[ca] = partial.get(ca, 0.0) + (ca + 1 - a)
            ca += 1
        if b > cb:
            partial[cb] = partial.get(cb, 0.0) + (b - cb)
        if cb > ca:
            full.append((ca, cb))
    runs = [(max(c0, lo), min(c1, hi), 255) for c0, c1 in full if min(c1, hi) > max(c0, lo)]
    for c, f in partial.items():
        v = round(min(f, 1.0) * 255)
        if lo <= c < hi and v > 0:
            runs.append((c, c + 1, v))
    return runs


def rrect_pieces(size: tuple[int, int], outer: RRect, inner: RRect | None = None, alpha: int = 255) -> list[Piece]:
    """Coverage (times ``alpha``/255) of a rounded rectangle (minus ``inner``: a stroke ring) as
    trimmed pieces in target px, from the coverage cache when the same shape was drawn before."""
    x0, y0, x1, y1, _ = outer
    return _COVERAGE.pieces(
        size, "r", (x0, y0, x1, y1), alpha, lambda dx, dy: (_moved(outer, dx, dy), inner and _moved(inner, dx, dy)),
        lambda win, geom: _rrect_pieces_in(win, *geom),
    )


def _moved(rr: RRect, dx: int, dy: int) -> RRect:
    x0, y0, x1, y1, r = rr
    return (x0 - dx, y0 - dy, x1 - dx, y1 - dy, r)


def _rrect_pieces_in(win: Window, outer: RRect, inner: RRect | None = None) -> list[Piece]:
    """Coverage of a rounded rectangle (minus ``inner``) as pieces inside the window ``win``."""
    o = norm_rrect(outer)
    if o is None:
        return []
    i = norm_rrect(inner) if inner is not None else None
    # Vertical edges snap to the supersampling grid, so the exact straight rows and the
    # supersampled corner rows give an edge column the same coverage (no seam).
    o = (_snap(o[0]), o[1], _snap(o[2]), o[3], o[4])
    if i is not None:
        i = (_snap(i[0]), i[1], _snap(i[2]), i[3], i[4])
    X0, Y0, X1, Y1, R = o
    wx0, wy0, wx1, wy1 = win
    c_lo, c_hi = max(wx0, math.floor(X0)), min(wx1, math.ceil(X1))
    r_lo, r_hi = max(wy0, math.floor(Y0)), min(wy1, math.ceil(Y1))
    if c_hi <= c_lo or r_hi <= r_lo:
        return []
    # Rows holding a corner or a fractional top/bottom edge are supersampled; the rest are straight.
    curvy = [(math.floor(Y0), math.ceil(Y0 + R)), (math.floor(Y1 - R), math.ceil(Y1))]
    splits: list[float] = []
    if i is not None:
        _, y0, _, y1, r = i
        curvy += [(math.floor(y0), math.ceil(y0 + r)), (math.floor(y1 - r), math.ceil(y1))]
        splits = [y0, y1]
    spans = _merge([(max(a, r_lo), min(b, r_hi)) for a, b in curvy])
    pieces: list[Piece] = []
    row = r_lo
    for a, b in [*spans, (r_hi, r_hi)]:
        if a > row:  # straight rows [row, a)
            cuts = sorted({row, a, *(round(s) for s in splits if row < s < a)})
            for ra, rb in itertools.pairwise(cuts):
                mid = (ra + rb) / 2
                if i is not None and i[1] <= mid < i[3]:
                    xs = [(X0, i[0]), (i[2], X1)]
                else:
                    xs = [(X0, X1)]
                pieces.extend((c0, ra, c1, rb, v) for c0, c1, v in _column_cover(xs, c_lo, c_hi))
        if b > a:
            pieces.extend(_rrect_tile(o, i, c_lo, c_hi, a, b))
        row = max(row, b)
    return pieces


def _snap(v: float) -> float:
    return round(v * SS) / SS


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _rrect_tile(o: RRect, i: RRect | None, c0: int, c1: int, r0: int, r1: int) -> list[Piece]:
    """Supersampled coverage of rows [r0, r1) (those holding corners) of a rounded rect or ring.

    Only the corner columns are supersampled: between the corners every column has the
    same coverage, so one column is worked out (``_column``) and its rows become runs of
    one coverage. Corner tiles are kept by their drawing (``CoverageCache.tile``).
    """
    ss = SS  # always: the straight rows are snapped to this grid
    shapes = []
    lo, hi = 0, c1 - c0  # device columns (from c0) whose coverage is the same as their neighbours'
    for rr, fill in ((o, 255), (i, 0)):
        if rr is None:
            continue
        x0, y0, x1, y1, r = rr
        box = (
            round((x0 - c0) * ss),
            round((y0 - r0) * ss),
            round((x1 - c0) * ss) - 1,
            round((y1 - r0) * ss) - 1,
        )
        if box[2] < box[0] or box[3] < box[1]:
            continue
        rad = round(r * ss)
        rad = max(0, min(rad, (box[2] - box[0] + 1) // 2, (box[3] - box[1] + 1) // 2))
        shapes.append((box, rad, fill))
        lo = max(lo, -(-(box[0] + rad) // ss))
        hi = min(hi, (box[2] - rad + 1) // ss)
    rows = (r1 - r0) * ss

    def draw(ca: int, cb: int) -> Image.Image:
        size = ((cb - ca) * ss, rows)
        im = Image.core.fill("L", size, 0)  # Pillow's core calls, as Shape._raster
        d = Image.core.draw(im, 0)
        for (a0, b0, a1, b1), rad, fill in shapes:
            _rounded_box(d, (a0 - ca * ss, b0, a1 - ca * ss, b1), rad, fill, rows, size[0])
        return wrap_core(im.reduce((ss, ss), (0, 0, *size)))

    def tile(ca: int, cb: int) -> Image.Image:
        cols = (cb - ca) * ss
        key = (cols, rows, *(_tile_key(b, rad, fill, ca * ss, cols, rows) for b, rad, fill in shapes))
        return _COVERAGE.tile(key, lambda: draw(ca, cb))

    w = c1 - c0
    if hi - lo < 8:
        return [(c0, r0, c1, r1, tile(0, w))]
    # The middle as runs of rows of one coverage: solid rows are a plain fill, and pasting
    # through a mask costs ~11 ns a pixel here, 50x a fill.
    out: list[Piece] = []
    column = _column(shapes, r1 - r0) if ss == 4 else draw(lo, lo + 1).tobytes()
    start = 0
    for k in range(1, len(column) + 1):
        if k == len(column) or column[k] != column[start]:
            if column[start]:
                out.append((c0 + lo, r0 + start, c0 + hi, r0 + k, column[start]))
            start = k
    if lo > 0:
        out.append((c0, r0, c0 + lo, r1, tile(0, lo)))
    if hi < w:
        out.append((c0 + hi, r0, c1, r1, tile(hi, w)))
    return out


def _tile_key(
    box: tuple[int, int, int, int], rad: int, fill: int, shift: int, cols: int, rows: int
) -> tuple[int, ...]:
    """What ``_rounded_box`` draws of a box (subpixels; ``rad`` already clamped to it) on a
    cols x rows tile whose left edge is subpixel ``shift``: the box with its edges clamped
    to 2 rad + 2 subpixels beyond the tile's. An edge that far out is outside the tile with
    its bar (which the tile clips alike) and none of its corner discs is drawn, so boxes
    with the same key draw the same subpixels."""
    a0, b0, a1, b1 = box
    m = 2 * rad + 2
    return (max(a0 - shift, -m), max(b0, -m), min(a1 - shift, cols - 1 + m), min(b1, rows - 1 + m), rad, fill)


def _column(shapes: list[tuple[tuple[int, int, int, int], int, int]], n: int) -> bytes:
    """The coverage of the n device rows of a column between the corners of ``shapes`` (each
    a box covering the column from its top to its bottom subpixel row: 255 draws, 0 erases),
    as ``reduce(4)`` of the drawn 4 x 4 subpixels gives it: (255 x count + 8) >> 4."""
    ss = SS
    sub = bytearray(n * ss)
    for (_, b0, _, b1), _, fill in shapes:
        b0, b1 = max(b0, 0), min(b1, n * ss - 1)
        if b1 >= b0:
            sub[b0 : b1 + 1] = bytes([1 if fill else 0]) * (b1 - b0 + 1)
    return bytes((255 * ss * sum(sub[k : k + ss]) + 8) >> 4 for k in range(0, n * ss, ss))


def _rounded_box(
    d: Any,
    box: tuple[int, int, int, int],
    rad: int,
    fill: int,
    rows: int,
    cols: int | None = None,
) -> None:
    """A rounded rectangle (inclusive subpixel box) as two bars and the corner discs inside
    ``rows`` (and ``cols``, when given), drawn with ``d``, a core ImagingDraw (the calls
    ImageDraw's rectangle and ellipse make).

    Pillow's rounded_rectangle draws all four corners as pie slices even when a tile
    holds only the top two; this draws only the discs that reach the tile.
    """
    a0, b0, a1, b1 = box
    ink = d.draw_ink(fill)
    rad = min(rad, (a1 - a0 + 1) // 2, (b1 - b0 + 1) // 2)
    if rad <= 0:
        d.draw_rectangle(box, ink, 1)
        return
    if a1 - rad >= a0 + rad:  # a full circle (rad = half the width) has no middle bar
        d.draw_rectangle((a0 + rad, b0, a1 - rad, b1), ink, 1)
    if b1 - rad >= b0 + rad:
        d.draw_rectangle((a0, b0 + rad, a1, b1 - rad), ink, 1)
    k = 2 * rad - 1
    for top in (b0, b1 - k):
        if top + k < 0 or top >= rows:
            continue
        for left in (a0, a1 - k):
            if cols is None or (left + k >= 0 and left < cols):
                d.draw_ellipse((left, top, left + k, top + k), ink, 1)


def rrect_outline(x0: float, y0: float, x1: float, y1: float, r: float) -> list[Pt]:
    """Closed outline (clockwise from the top-left straight edge) of a rounded rectangle."""
    r = max(0.0, min(r, (x1 - x0) / 2, (y1 - y0) / 2))
    if r <= 0:
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    n = max(2, math.ceil(math.pi / 2 / math.acos(max(-1.0, 1 - _FLAT_TOL / max(r, 1e-9)))))
    pts: list[Pt] = []
    for cx, cy, a0 in (
        (x1 - r, y0 + r, -90),
        (x1 - r, y1 - r, 0),
        (x0 + r, y1 - r, 90),
        (x0 + r, y0 + r, 180),
    ):
        for k in range(n + 1):
            a = math.radians(a0 + 90 * k / n)
            pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    pts.append(pts[0])
    return pts


class Shape:
    """Polygons and ellipses (target px) rasterised as one supersampled coverage.

    Primitives are collected first and drawn in order (``fill`` 0 erases: a ring is a
    disc minus a smaller one) or, with ``evenodd``, each one toggling coverage. A big
    shape is rasterised in strips of ``_STRIP`` rows, each only as wide as the ink in
    it: a long diagonal ray touches a small part of its bounding box.
    """

    def __init__(self, evenodd: bool = False) -> None:
        self.prims: list[tuple[str, Any, int]] = []
        self.evenodd = evenodd

    def polygon(self, pts: Sequence[Pt], fill: int = 255) -> None:
        if len(pts) >= 3:
            self.prims.append(("p", tuple(pts), fill))

    def ellipse(self, x0: float, y0: float, x1: float, y1: float, fill: int = 255) -> None:
        if x1 > x0 and y1 > y0:
            self.prims.append(("e", (x0, y0, x1, y1), fill))

    def pieces(self, size: tuple[int, int], alpha: int = 255) -> list[Piece]:
        """Trimmed coverage pieces (times ``alpha``/255) in target px, cached by geometry."""
        # Only the primitives that reach the target's rows (2 px margin: none of a farther one's
        # subpixels lands there): a band of a tall dashed line costs its own dashes, not all.
        top, bottom = -2, size[1] + 2
        boxed = [(pr, b) for pr in self.prims for b in (_prim_box(pr),) if b[3] >= top and b[1] <= bottom]
        if len(boxed) < len(self.prims):
            shape = Shape(self.evenodd)
            shape.prims = [pr for pr, _ in boxed]
            return shape.pieces(size, alpha)
        boxes = [b for pr, b in boxed if pr[2]]
        if not boxes:
            return []
        bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        return _COVERAGE.pieces(
            size, "e" if self.evenodd else "s", bbox, alpha, self._moved, lambda win, shape: shape._pieces_in(win)
        )

    def _moved(self, dx: int, dy: int) -> Shape:
        moved = Shape(self.evenodd)
        for kind, geom, fill in self.prims:
            if kind == "p":
                moved.prims.append((kind, tuple((x - dx, y - dy) for x, y in geom), fill))
            else:
                x0, y0, x1, y1 = geom
                moved.prims.append((kind, (x0 - dx, y0 - dy, x1 - dx, y1 - dy), fill))
        return moved

    def __hash__(self) -> int:
        return hash((self.evenodd, tuple(self.prims)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Shape) and (self.evenodd, self.prims) == (other.evenodd, other.prims)

    def _pieces_in(self, win: Window) -> list[Piece]:
        inked = [pr for pr in self.prims if pr[2]]
        if not inked:
            return []
        wx0, wy0, wx1, wy1 = win
        boxes = [_prim_box(pr) for pr in inked]
        r0 = max(wy0, math.floor(min(b[1] for b in boxes)) - 1)
        r1 = min(wy1, math.ceil(max(b[3] for b in boxes)) + 1)
        if r1 <= r0:
            return []
        # Each strip sees only the primitives near it (in their order: fill 0 erases), so a
        # tall line of many segments costs its length, not strips x segments. A primitive
        # more than 2 px above or below a strip paints none of its subpixels.
        near: list[list[tuple[str, Any, int]]] = [[] for _ in range(r0, r1, _STRIP)]
        for pr in self.prims:
            b = _prim_box(pr)
            first = max(0, (math.floor(b[1]) - 2 - r0) // _STRIP)
            last = min(len(near) - 1, (math.ceil(b[3]) + 2 - r0) // _STRIP)
            for k in range(first, last + 1):
                near[k].append(pr)
        out: list[Piece] = []
        for k, ra in enumerate(range(r0, r1, _STRIP)):
            rb = min(r1, ra + _STRIP)
            xs = [x for x in (_x_extent(pr, ra - 1, rb + 1) for pr in near[k] if pr[2]) if x is not None]
            if not xs:
                continue
            c0 = max(wx0, math.floor(min(x[0] for x in xs)) - 1)
            c1 = min(wx1, math.ceil(max(x[1] for x in xs)) + 1)
            if c1 > c0:
                out.append(self._raster(c0, ra, c1, rb, near[k]))
        return out

    def _raster(self, c0: int, r0: int, c1: int, r1: int, prims: list[tuple[str, Any, int]]) -> Piece:
        # Pillow's core calls, as ImageDraw's polygon/ellipse and ImageChops.difference make
        # them (the same pixels): a strip is a few small drawings, where the wrappers'
        # argument handling costs as much as the drawing.
        ss = SS
        size = ((c1 - c0) * ss, (r1 - r0) * ss)
        fill_image, draw_on = Image.core.fill, Image.core.draw
        tile = fill_image("L", size, 0)
        draw = draw_on(tile, 0)
        for kind, geom, fill in prims:
            target, value = draw, fill
            if self.evenodd:
                layer = fill_image("L", size, 0)
                target, value = draw_on(layer, 0), 255
            if kind == "p":
                # Whole subpixels: Pillow truncates fractional vertices towards zero, which
                # differs either side of a tile's origin, so bands would not match a full
                # paint. Pillow fills edge subpixels inclusively; flooring centres that extra one.
                target.draw_polygon(
                    [(math.floor((x - c0) * ss), math.floor((y - r0) * ss)) for x, y in geom],
                    target.draw_ink(value),
                    1,
                )
            else:
                x0, y0, x1, y1 = geom
                box = (
                    round((x0 - c0) * ss),
                    round((y0 - r0) * ss),
                    round((x1 - c0) * ss) - 1,
                    round((y1 - r0) * ss) - 1,
                )
                if box[2] >= box[0] and box[3] >= box[1]:
                    target.draw_ellipse(box, target.draw_ink(value), 1)
            if self.evenodd:
                tile = tile.chop_difference(layer)
                draw = draw_on(tile, 0)
        return (c0, r0, c1, r1, wrap_core(tile.reduce((ss, ss), (0, 0, *size))))


def _prim_box(prim: tuple[str, Any, int]) -> tuple[float, float, float, float]:
    kind, geom, _ = prim
    if kind == "e":
        return geom
    xs = [p[0] for p in geom]
    ys = [p[1] for p in geom]
    return (min(xs), min(ys), max(xs), max(ys))


def _x_extent(prim: tuple[str, Any, int], ya: float, yb: float) -> tuple[float, float] | None:
    """Where a primitive lies in x between rows ya and yb (None: not there)."""
    kind, geom, _ = prim
    if kind == "e":
        x0, y0, x1, y1 = geom
        return (x0, x1) if y0 < yb and y1 > ya else None
    # (comparisons, not min()/max() calls: this runs for every edge of every strip)
    lo, hi = math.inf, -math.inf
    ax, ay = geom[-1]
    for bx, by in geom:  # the edges (last, first), (first, second) ... as pairs in any order
        top, bottom = (ay, by) if ay <= by else (by, ay)
        if bottom < ya or top > yb:
            pass
        elif ay == by:
            lo = min(lo, ax, bx)
            hi = max(hi, ax, bx)
        else:
            for y in (top if top >= ya else ya, bottom if bottom <= yb else yb):
                x = ax + (bx - ax) * (y - ay) / (by - ay)
                if x < lo:
                    lo = x
                if x > hi:
                    hi = x
        ax, ay = bx, by
    return (lo, hi) if lo <= hi else None


def dash(lines: list[list[Pt]], dash: Sequence[float], scale: float) -> list[list[Pt]]:
    """Split polylines into the 'on' pieces of a dash pattern (design px, scaled): on, off,
    on, off … (two numbers for tushuo's own dashes, more for a matplotlib dash-dot)."""
    pattern = [d * scale for d in dash]
    if len(pattern) < 2 or len(pattern) % 2 or any(d <= 0 for d in pattern):
        return lines
    n = len(pattern)
    out: list[list[Pt]] = []
    for ln in lines:
        k, drawing, left = 0, True, pattern[0]
        cur: list[Pt] = [ln[0]] if ln else []
        for a, b in itertools.pairwise(ln):
            seg = math.hypot(b[0] - a[0], b[1] - a[1])
            done = 0.0
            while seg - done > left:
                done += left
                f = done / seg
                p = (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)
                if drawing:
                    cur.append(p)
                    out.append(cur)
                    cur = []
                else:
                    cur = [p]
                drawing = not drawing
                k = (k + 1) % n
                left = pattern[k]
            left -= seg - done
            if drawing:
                cur.append(b)
        if drawing and len(cur) >= 2:
            out.append(cur)
    return out


#: rows per bucket of a dashed line's index (device px)
_DASH_ROWS = 256


class _Dashed:
    """The 'on' pieces of polylines dashed once in device px, indexed by the rows they cross."""

    __slots__ = ("index", "nbytes", "pieces", "spans")

    def __init__(self, pieces: list[list[Pt]]) -> None:
        self.pieces = pieces
        self.spans = [(min(p[1] for p in pc), max(p[1] for p in pc)) for pc in pieces]
        self.index: dict[int, list[int]] = {}
        for k, (lo, hi) in enumerate(self.spans):
            for b in range(math.floor(lo) // _DASH_ROWS, math.floor(hi) // _DASH_ROWS + 1):
                self.index.setdefault(b, []).append(k)
        self.nbytes = 200 + sum(120 + 80 * len(pc) for pc in pieces)

    def between(self, y0: float, y1: float) -> list[list[Pt]]:
        """The pieces (in their order) whose rows meet [y0, y1]."""
        found: set[int] = set()
        for b in range(math.floor(y0) // _DASH_ROWS, math.floor(y1) // _DASH_ROWS + 1):
            found.update(self.index.get(b, ()))
        spans = self.spans
        return [self.pieces[k] for k in sorted(found) if spans[k][1] >= y0 and spans[k][0] <= y1]


_DASHED = BoundedLRU(max_bytes=64 << 20)


def dash_near(
    lines: Sequence[Sequence[Pt]], pattern: tuple[float, ...], scale: float, origin: Pt, rows: tuple[float, float]
) -> list[list[Pt]]:
    """The 'on' pieces of polylines in device px (:func:`dash`) that meet rows [rows[0], rows[1]]
    of a target whose pixel (0, 0) is device ``origin``, in target px.

    The line is dashed once in device px and kept (by geometry, like coverage), so a band of
    a tall dashed line costs the dashes that cross it: dashing per band re-walked the whole
    line from its start to find the phase (100 loop-back arrows: 20 s of a 49 s render).
    """
    key = (tuple(tuple(ln) for ln in lines), pattern, scale)
    made = _DASHED.get_or_make(
        key, lambda: _Dashed(dash([list(ln) for ln in lines], pattern, scale)), lambda d: d.nbytes
    )
    ox, oy = origin
    return [[(x - ox, y - oy) for x, y in pc] for pc in made.between(rows[0] + oy, rows[1] + oy)]


def flatten(
    commands: Sequence[tuple], to_px: Any = None, tol: float = _FLAT_TOL
) -> list[tuple[list[Pt], bool]]:
    """Path commands → subpaths as (points, closed); curves become polylines within ``tol`` px."""
    to_px = to_px or (lambda x, y: (x, y))
    subs: list[tuple[list[Pt], bool]] = []
    cur: list[Pt] = []
    start: Pt | None = None

    def end(closed: bool) -> None:
        nonlocal cur
        if len(cur) >= 2 or (closed and cur):
            subs.append((cur, closed))
        cur = []

    for cmd in commands:
        op = cmd[0]
        if op == "M":
            end(False)
            start = to_px(cmd[1], cmd[2])
            cur = [start]
        elif op == "L":
            cur.append(to_px(cmd[1], cmd[2]))
        elif op in ("Q", "C"):
            p0 = cur[-1] if cur else (start or (0.0, 0.0))
            if not cur:
                cur = [p0]
            if op == "Q":
                q = to_px(cmd[1], cmd[2])
                p3 = to_px(cmd[3], cmd[4])
                c1, c2, _ = quad_to_cubic(p0, q, p3)
            else:
                c1, c2, p3 = to_px(cmd[1], cmd[2]), to_px(cmd[3], cmd[4]), to_px(cmd[5], cmd[6])
            cur.extend(_cubic(p0, c1, c2, p3, tol))
        elif op == "Z":
            if cur:
                if cur[-1] != cur[0]:
                    cur.append(cur[0])
                first = cur[0]
                end(True)
                cur = []
                start = first
        else:
            raise RenderError(f"unknown path command {op!r}")
    end(False)
    return subs


def _cubic(p0: Pt, c1: Pt, c2: Pt, p3: Pt, tol: float) -> list[Pt]:
    # Segments from the control polygon's deviation (Wang's formula, simplified).
    dd = max(
        math.hypot(p0[0] - 2 * c1[0] + c2[0], p0[1] - 2 * c1[1] + c2[1]),
        math.hypot(c1[0] - 2 * c2[0] + p3[0], c1[1] - 2 * c2[1] + p3[1]),
    )
    n = max(1, min(200, math.ceil(math.sqrt(0.75 * dd / tol)))) if dd > 0 else 1
    out = []
    for k in range(1, n + 1):
        s = k / n
        u = 1 - s
        a, b, c, d = u * u * u, 3 * u * u * s, 3 * u * s * s, s * s * s
        out.append(
            (a * p0[0] + b * c1[0] + c * c2[0] + d * p3[0], a * p0[1] + b * c1[1] + c * c2[1] + d * p3[1])
        )
    return out
