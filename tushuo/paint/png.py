"""PNG encoder: written by ``_PngWriter`` (not Pillow's encoder), band by band as the painter paints.

Rows unfiltered (photos' rows Up-filtered), zlib level 3. Measured on the
1080 x 5,666 px benchmark page (CPU time, one core): Pillow's adaptive filters cost
165 ms at level 1, 169 ms / 584 KiB at 3, 213 ms / 547 KiB at its default 6, 854 ms /
528 KiB at 9; unfiltered rows take 50 ms / 541 KiB at 1, 61 ms / 509 KiB at 3, 141 ms /
442 KiB at 6 and 520 ms / 405 KiB at 9 (Chromium's PNG of the same page: 707 KiB).
Level 3 is the last fast level (4 and up switch zlib to lazy matching); 9 is tried
only to meet ``max_bytes``. A 256-colour
palette (octree) is 3x smaller with a mean error of 2/255 and is used only when
``max_bytes`` asks for it and the error stays under ``_LOSSY_PALETTE``.
"""

from __future__ import annotations

import io
import os
import threading
import zlib
from typing import TYPE_CHECKING, Any

from ..errors import RenderError, SpecError

if TYPE_CHECKING:
    from PIL.Image import Image

#: zlib level of every PNG (9 is tried only to meet ``max_bytes``)
PNG_LEVEL = 3


def _save(im: Image, **kw: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, **kw)
    return buf.getvalue()


def _png(im: Image, level: int) -> bytes:
    colors = im.getcolors(256)  # None past 256 colours (stops early: cheap)
    if colors is not None and im.mode in ("RGB", "RGBA"):
        pal = _exact_palette(im, colors)
        if pal is not None:
            return _save(pal, format="PNG", compress_level=level)
    if im.mode not in _PNG_BPP:
        return _save(im, format="PNG", compress_level=level)
    w = _PngWriter(im.width, im.height, im.mode, level)
    for y in range(0, im.height, PNG_BAND):
        w.feed(im.crop((0, y, im.width, min(im.height, y + PNG_BAND))))
    return w.finish()


#: bytes per pixel of the modes the PNG writer takes (others go to Pillow's encoder)


_PNG_BPP = {"RGB": 3, "RGBA": 4}


#: rows painted, filtered and compressed at a time


PNG_BAND = 512


#: deflate's window: a part is primed with this much of the data before it
_WINDOW = 32768
_ADLER_BASE = 65521


def _deflate_part(pieces: list[bytes | memoryview], zdict: bytes, level: int, last: bool) -> tuple[bytes, int, int]:
    """The pieces, joined, as raw deflate blocks, matches reaching back into ``zdict``, ending on a
    byte boundary (a sync flush) or, for the ``last`` part, with the stream's last block; with its
    Adler-32 and length (zlib releases the GIL for both, so parts compress in parallel).
    The pieces are fed one by one, never joined: the deflate bytes do not depend on how the
    input is split between ``compress`` calls."""
    import zlib

    z = zlib.compressobj(level, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, zdict) if zdict else (
        zlib.compressobj(level, zlib.DEFLATED, -15, 9)
    )
    out = [z.compress(p) for p in pieces]
    out.append(z.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
    check = 1
    for p in pieces:
        check = zlib.adler32(p, check)
    return b"".join(out), check, sum(len(p) for p in pieces)


#: rows of a band taken out of Pillow at a time: ~100 KB pieces (1080 px RGB) stay under
#: glibc's mmap threshold, so they reuse freed heap memory. One 1.7 MB piece a band was
#: fresh memory every time: ~415 page faults a band, ~15 ms of system time a render.
_PIECE_ROWS = 32


def _padded_rows(band: Image, stride: int) -> list[bytes]:
    """The band's rows, each followed by one zero byte (``stride`` = row bytes + 1), in pieces
    of ``_PIECE_ROWS`` rows, straight from Pillow's raw encoder (``Image.tobytes`` asks it in
    64 KiB pieces, then joins them into one fresh copy)."""
    from PIL import Image as PILImage

    band.load()
    enc = PILImage._getencoder(band.mode, "raw", (band.mode, stride, 1))
    pieces = []
    try:
        enc.setimage(band.im, (0, 0, *band.size))
        err = 0
        while not err:
            _, err, data = enc.encode(stride * _PIECE_ROWS)
            pieces.append(data)
    finally:
        enc.cleanup()
    if err < 0:
        raise RenderError(f"Pillow's raw encoder failed ({err}) on a PNG band")
    return pieces


def _tail(pieces: list[bytes | memoryview], n: int) -> bytes:
    """The last ``n`` bytes of the pieces joined (all of them when shorter)."""
    out: list[bytes | memoryview] = []
    have = 0
    for p in reversed(pieces):
        if have >= n:
            break
        out.append(p)
        have += len(p)
    return b"".join(reversed(out))[-n:]


def _adler32_combine(a: int, b: int, len_b: int) -> int:
    """The Adler-32 of two buffers joined, from each one's (zlib's adler32_combine)."""
    rem = len_b % _ADLER_BASE
    s1 = a & 0xFFFF
    s2 = (rem * s1) % _ADLER_BASE
    s1 = (s1 + (b & 0xFFFF) + _ADLER_BASE - 1) % _ADLER_BASE
    s2 = (s2 + (a >> 16) + (b >> 16) + _ADLER_BASE - rem) % _ADLER_BASE
    return s1 | (s2 << 16)


class _PngWriter:
    """A PNG written band by band: rows unfiltered except where ``up`` asks for the Up filter.

    Why not Pillow's encoder: it picks a filter per row by trying all five (adaptive),
    which costs as much as the compression itself and, on flat infographic pixels,
    loses to no filter at all (text repeats byte for byte from line to line; filtered
    rows no longer do). Photos compress better with Up, so their rows use it.
    Each band is deflated on its own (``_deflate_part``), primed with the last 32 KiB
    of the rows before it as a preset dictionary, and the parts are joined into one
    zlib stream (as pigz does): with ``threaded`` two workers compress bands at once
    on two cores while the caller paints the next band. The bytes do not depend on
    ``threaded`` or on the number of cores; the file is within a few bytes of one
    sequential deflate (a 5-byte sync marker per band, matches across a band's top
    edge still found through the dictionary).
    """

    def __init__(self, width: int, height: int, mode: str, level: int, *, threaded: bool = False) -> None:

        self.width, self.height, self.mode = width, height, mode
        self.stride = width * _PNG_BPP[mode]
        self._level = level
        self._header = zlib.compress(b"", level)[:2]  # the zlib header for this level
        self._dict = b""  # the last 32 KiB fed (the next part's preset dictionary)
        self._out: list[tuple[bytes, int, int]] = []
        self._prev: Image | None = None  # the last row fed (the Up filter's row above)
        self._rows = 0
        self._pool = None
        self._pending: list[Any] = []
        if threaded:
            self._pool = _deflate_pool()

    def feed(self, band: Image, up: list[tuple[int, int]] | None = None) -> None:
        """Append the rows of ``band`` (mode and width as the writer's); ``up``: rows [a, b) to Up-filter."""
        if band.mode != self.mode or band.width != self.width:
            raise RenderError(f"PNG band of {band.mode} {band.size}, expected {self.mode} width {self.width}")
        h, st = band.height, self.stride
        pieces: list[bytes | memoryview]
        if up:
            from itertools import chain

            raw = memoryview(band.tobytes())
            filt = memoryview(self._up(band).tobytes())
            pick = [raw] * h
            kinds = [b"\0"] * h
            for a, b in up:
                for r in range(max(0, a), min(h, b)):
                    pick[r], kinds[r] = filt, b"\2"
            rows = ((kinds[r], pick[r][r * st : (r + 1) * st]) for r in range(h))
            pieces = [b"".join(chain.from_iterable(rows))]
        else:
            # Pillow's raw encoder with a stride one byte longer than a row pads each row with a
            # zero: row 0, 0, row 1, 0 ... is the filtered data (filter 0 before every row) shifted
            # by one byte: a leading zero, the pieces, the last one's pad dropped. No row-by-row
            # join in Python and no fresh copy of the band (~5 ms a render on page.yaml).
            pieces = [b"\0", *_padded_rows(band, st + 1)]
            pieces[-1] = memoryview(pieces[-1])[:-1]
        self._prev = band.crop((0, h - 1, band.width, h))
        self._rows += h
        zdict, self._dict = self._dict, _tail(pieces, _WINDOW)
        last = self._rows >= self.height
        if self._pool is not None:
            self._pending.append(self._pool.submit(_deflate_part, pieces, zdict, self._level, last))
        else:
            self._out.append(_deflate_part(pieces, zdict, self._level, last))

    def _up(self, band: Image) -> Image:
        from PIL import Image as PILImage
        from PIL import ImageChops

        above = PILImage.new(band.mode, band.size, 0)
        if self._prev is not None:
            above.paste(self._prev, (0, 0))
        above.paste(band.crop((0, 0, band.width, band.height - 1)), (0, 1))
        return ImageChops.subtract_modulo(band, above)

    def finish(self) -> bytes:
        import struct

        try:
            for f in self._pending:
                self._out.append(f.result())
        finally:
            self.close()
        if self._rows != self.height:
            raise RenderError(f"PNG writer got {self._rows} rows, expected {self.height}")
        check = 1
        for _, adler, n in self._out:
            check = _adler32_combine(check, adler, n)
        idat = b"".join([self._header, *(part for part, _, _ in self._out), struct.pack(">I", check)])
        color_type = 2 if self.mode == "RGB" else 6

        def chunk(kind: bytes, body: bytes) -> bytes:
            crc = zlib.crc32(body, zlib.crc32(kind))
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

        ihdr = struct.pack(">IIBBBBB", self.width, self.height, 8, color_type, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")

    def close(self) -> None:
        """Cancel this writer's parts not yet started and wait for those running (the pool is shared)."""
        if self._pending:
            from concurrent.futures import wait

            for f in self._pending:
                f.cancel()
            wait(self._pending)
            self._pending = []


_POOL: Any = None
_POOL_LOCK = threading.Lock()


def _deflate_pool() -> Any:
    """The process's two deflate workers, started on first use and kept: starting two threads
    for every image cost ~1-4 ms of the caller's time per render (more on a busy machine).
    A forked child (batch --jobs) starts its own: the parent's threads do not exist there."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            from concurrent.futures import ThreadPoolExecutor

            _POOL = ThreadPoolExecutor(2, thread_name_prefix="tushuo-png")
        return _POOL


def _forget_pool() -> None:
    global _POOL, _POOL_LOCK
    _POOL, _POOL_LOCK = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def stream_png(
    painter: Any, r0: int, r1: int, *, photos: list[tuple[int, int]] | None = None, level: int | None = None
) -> bytes:
    """Device rows [r0, r1) of ``painter``'s frame as a PNG, painted and compressed band by band.

    Compression of one band overlaps painting of the next, and the whole image never
    exists at once (a 60,000 px handbook needs one band of pixels, not 200 MB). Up to
    256 colours give an exact palette PNG, as ``encode`` does: bands are kept while
    their colours fit a palette.
    """
    from PIL import Image as PILImage

    level = PNG_LEVEL if level is None else level
    photos = photos or []
    writer: _PngWriter | None = None
    held: list[Image] = []  # bands not yet fed: their colours still fit a palette
    colours: set[Any] | None = set()
    buffer = None  # one band image, painted over again for each band once its bytes are taken
    try:
        for y in range(r0, r1, PNG_BAND):
            y1 = min(r1, y + PNG_BAND)
            band = buffer = painter.paint_rows(y, y1, into=buffer)
            if writer is None:
                threaded = (os.cpu_count() or 1) > 1
                writer = _PngWriter(painter.width_px, r1 - r0, band.mode, level, threaded=threaded)
            if colours is not None and band.mode == "RGB":
                found = band.getcolors(256)
                if found is not None:
                    colours.update(c for _, c in found)
                if found is not None and len(colours) <= 256:
                    held.append(band.copy())
                    continue
                colours = None
                for k, b in enumerate(held):
                    writer.feed(b, _up_rows(photos, y - (len(held) - k) * PNG_BAND, b.height))
                held = []
            writer.feed(band, _up_rows(photos, y, band.height))
        if held:
            whole = PILImage.new("RGB", (painter.width_px, r1 - r0))
            for k, b in enumerate(held):
                whole.paste(b, (0, k * PNG_BAND))
            return _png(whole, level)
        assert writer is not None
        return writer.finish()
    finally:
        if writer is not None:
            writer.close()


def _up_rows(photos: list[tuple[int, int]], top: int, height: int) -> list[tuple[int, int]]:
    """Rows of a band (relative to its ``top``) that hold photos."""
    return [(a - top, b - top) for a, b in photos if a < top + height and b > top]


def _exact_palette(im: Image, colors: list[tuple[int, Any]]) -> Image | None:
    """A palette image with exactly the same pixels (lossless), or None."""
    from PIL import Image as PILImage
    from PIL import ImageChops

    if im.mode == "RGBA":
        return None  # palette transparency support varies by viewer; keep RGBA
    pal = im.quantize(colors=len(colors), method=PILImage.Quantize.MEDIANCUT, dither=PILImage.Dither.NONE)
    if ImageChops.difference(pal.convert("RGB"), im).getbbox() is not None:
        return None
    return pal


#: A palette is "visually lossless" when the mean channel error is at most 3/255 and
#: at most 0.1 % of pixels are off by more than 24/255 in any channel.
_LOSSY_PALETTE = (3.0, 24, 0.001)


def _fit_png(im: Image, data: bytes, max_bytes: int, name: str) -> bytes:
    """Stronger zlib, then a 256-colour palette if it is visually lossless; else a clear error."""
    from PIL import Image as PILImage

    smallest = len(data)
    strong = _png(im, 9)
    if im.mode in _PNG_BPP:  # Pillow's per-row filters win on photos; take whichever is smaller
        strong = min(strong, _save(im, format="PNG", compress_level=9), key=len)
    smallest = min(smallest, len(strong))
    if len(strong) <= max_bytes:
        return strong
    note = ""
    if im.mode == "RGB":
        pal = im.quantize(256, method=PILImage.Quantize.FASTOCTREE, dither=PILImage.Dither.NONE)
        if _close_enough(im, pal.convert("RGB")):
            quant = _save(pal, format="PNG", compress_level=9)
            smallest = min(smallest, len(quant))
            if len(quant) <= max_bytes:
                return quant
        else:
            note = " (a 256-colour palette would change the picture visibly)"
    raise SpecError(
        f"{name or 'the image'}: cannot fit in {max_bytes:,} bytes: the smallest PNG was {smallest:,} bytes{note}; "
        "try format jpeg or webp, or slice_height"
    )


def _close_enough(a: Image, b: Image) -> bool:
    from PIL import ImageChops, ImageStat

    diff = ImageChops.difference(a, b)
    mean_max, over_max, share = _LOSSY_PALETTE
    if max(ImageStat.Stat(diff).mean) > mean_max:
        return False
    worst = diff.getchannel(0)
    for band in (1, 2):
        worst = ImageChops.lighter(worst, diff.getchannel(band))
    hist = worst.histogram()
    return sum(hist[over_max + 1 :]) <= share * a.width * a.height
