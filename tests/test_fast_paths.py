"""The speed paths give the same pixels as the plain ones: line masks pasted once, and
PNG bands deflated in parallel parts."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image as PILImage

from tushuo.layout.frame import Frame, Glyphs, Rect
from tushuo.paint import raster
from tushuo.paint.glyphs import GlyphCache
from tushuo.paint.png import _adler32_combine, _deflate_part, _padded_rows, _PngWriter
from tushuo.text.fonts import default_fontbook


class GlyphByGlyph(raster.Painter):
    """The painter with line masks switched off: every glyph pasted on its own."""

    def _glyph_line(self, *args, **kwargs) -> bool:
        return False


def _run(text: str, x: float, baseline: float, size: float, step: float | None = None, color="#1A2B3C") -> Glyphs:
    fb = default_fontbook()
    xs = []
    for ch in text:
        xs.append(x)
        x += step if step is not None else fb.advance(ch, size, "sans")
    return Glyphs(text, tuple(xs), x, baseline, "sans", size, color)


def _frame() -> Frame:
    f = Frame(width=420, height=300, background="#FAF7F0")
    f.add(Rect(0, 0, 420, 120, fill="#C8102E"))
    f.add(_run("村（社区）“两委”换届 Typography 2025", 10.3, 40.6, 23.5))
    f.add(_run("一行白字 on red", 12.0, 95.0, 30, color="#FFFFFF"))
    f.add(_run("半透明的字", 12.7, 150.2, 26, color="#00000080"))
    f.add(_run("挤在一起的字重叠", 14.0, 200.0, 30, step=9.5))  # ink boxes overlap: glyph by glyph
    f.add(_run("AVAWAYfiff", 14.0, 250.0, 40, step=17.0))
    return f


def _band_rows(painter: raster.Painter, cut: int) -> PILImage.Image:
    """The image painted as two bands that cut through text lines, stitched."""
    top, bottom = painter.paint_rows(0, cut), painter.paint_rows(cut, painter.height_px)
    whole = PILImage.new(top.mode, (painter.width_px, painter.height_px))
    whole.paste(top, (0, 0))
    whole.paste(bottom, (0, cut))
    return whole


def test_line_masks_paint_the_same_pixels_as_glyph_by_glyph_pastes():
    f = _frame()
    fast = raster.Painter(f, glyphs=GlyphCache())
    slow = GlyphByGlyph(f, glyphs=GlyphCache())
    assert fast.paint().tobytes() == slow.paint().tobytes()
    for cut in (33, 90, 151, 205):  # bands that cut lines through their ink
        assert _band_rows(fast, cut).tobytes() == _band_rows(slow, cut).tobytes()


def test_overlapping_ink_boxes_are_not_composed():
    cache = GlyphCache()
    face = default_fontbook().face("sans")
    apart = cache.line(face, 30.0, (("一", 0, 0.0), ("二", 40, 0.25)))
    assert apart is not None and apart[0] is not None
    assert apart[0].width > 40  # both glyphs in one mask
    assert cache.line(face, 30.0, (("一", 0, 0.0), ("二", 5, 0.0))) is None


def _idat(png: bytes) -> bytes:
    i, idat = 8, b""
    while i < len(png):
        (n,) = struct.unpack(">I", png[i : i + 4])
        kind, body = png[i + 4 : i + 8], png[i + 8 : i + 8 + n]
        assert zlib.crc32(body, zlib.crc32(kind)) == struct.unpack(">I", png[i + 8 + n : i + 12 + n])[0]
        if kind == b"IDAT":
            idat += body
        i += 12 + n
    return idat


def test_parallel_parts_make_one_valid_stream_independent_of_threads():
    rnd = random.Random(7)
    im = PILImage.new("RGB", (300, 1300), "#FFFFFF")
    for _ in range(300):  # more than 256 colours, repeated rows across band edges
        x, y = rnd.randrange(290), rnd.randrange(1290)
        im.paste((rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)), (x, y, x + 10, y + 10))
    made = []
    for threaded in (False, True):
        w = _PngWriter(im.width, im.height, "RGB", 3, threaded=threaded)
        for y in range(0, im.height, 512):
            w.feed(im.crop((0, y, im.width, min(im.height, y + 512))), [(100, 200)] if y == 512 else None)
        made.append(w.finish())
    assert made[0] == made[1]
    d = zlib.decompressobj()
    raw = d.decompress(_idat(made[0]))
    assert d.eof and not d.unused_data  # one stream, its Adler-32 checked by zlib
    assert len(raw) == im.height * (im.width * 3 + 1)
    back = PILImage.open(io.BytesIO(made[0]))
    assert back.tobytes() == im.tobytes()
    # about the size of one sequential deflate of the same rows (the examples: -0.4 % to +0.02 %)
    one = len(zlib.compress(raw, 3))
    assert 0.97 * one < len(_idat(made[0])) < 1.02 * one


def test_adler32_combine_matches_zlib():
    a, b = b"\x00\xff" * 40_000, bytes(range(256)) * 300
    assert _adler32_combine(zlib.adler32(a), zlib.adler32(b), len(b)) == zlib.adler32(a + b)
    assert _adler32_combine(1, zlib.adler32(b), len(b)) == zlib.adler32(b)


def test_padded_rows_are_the_unfiltered_png_rows_and_split_input_deflates_the_same():
    rnd = random.Random(3)
    for mode, bpp in (("RGB", 3), ("RGBA", 4)):
        im = PILImage.frombytes(mode, (37, 700), bytes(rnd.randrange(4) * 60 for _ in range(37 * 700 * bpp)))
        st = im.width * bpp
        rows = im.tobytes()
        filtered = b"".join(b"\0" + rows[r * st : (r + 1) * st] for r in range(im.height))
        padded = _padded_rows(im, st + 1)
        assert b"\0" + padded[:-1] == filtered
        zd = bytes(rnd.randrange(256) for _ in range(2000))
        for last in (False, True):
            assert _deflate_part(memoryview(padded)[:-1], zd, 3, last, b"\0") == _deflate_part(filtered, zd, 3, last)
