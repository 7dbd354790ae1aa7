"""The speed paths give the same pixels as the plain ones: line masks pasted once, and
PNG bands deflated in parallel parts."""

from __future__ import annotations

import io
import os
import random
import struct
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image as PILImage

from tushuo.layout.frame import Frame, Glyphs, Rect
from tushuo.paint import raster
from tushuo.paint.glyphs import GlyphCache
from tushuo.paint.png import _adler32_combine, _deflate_part, _padded_rows, _PngWriter, _tail
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
        pieces = _padded_rows(im, st + 1)
        assert len(pieces) > 1 and b"\0" + b"".join(pieces)[:-1] == filtered
        split = [b"\0", *pieces[:-1], memoryview(pieces[-1])[:-1]]
        assert _tail(split, 1000) == filtered[-1000:] and _tail(split, 10**7) == filtered
        zd = bytes(rnd.randrange(256) for _ in range(2000))
        for last in (False, True):
            made, adler, n = _deflate_part(split, zd, 3, last)
            assert (made, adler, n) == _deflate_part([filtered], zd, 3, last)
            assert adler == zlib.adler32(filtered) and n == len(filtered)



def test_shift_copies_every_field_of_every_op():
    from dataclasses import fields, replace

    from tushuo.frame import Ellipse, Glyphs, Group, Image, Line, Path, Rect, Text, shift

    g = Glyphs("图说a", (1.0, 31.0, 61.0), 70.0, 40.0, "sans-bold", 30.0, "#112233", 0.8, 0.2, 2.5)
    r = Rect(1, 2, 3, 4, "#FF0000", "#00FF00", 1.5, 6.0, ("#000000", "#FFFFFF"), (3.0, 2.0))
    ops = [
        g, r, Ellipse(5, 6, 7, 8, "#ABCDEF", "#123456", 2.0),
        Image(1, 2, 30, 40, None, 4.0, (300, 400), "a photo"),
        Line(((0.0, 0.0), (10.0, 5.0)), "#000000", 3.0, (4.0, 2.0), True, True, 9.0),
        Path((("M", 0.0, 0.0), ("Q", 1.0, 2.0, 3.0, 4.0), ("Z",)), "#111111", "#222222", 1.0, "butt"),
        Text((g,), (0.0, 10.0, 100.0, 50.0), "caption", "#EEEEEE", (r,), True),
        Group((r, g), (0.0, 0.0, 50.0, 60.0), 8.0, "a chart"),
    ]
    for op in ops:
        assert set(type(op).__slots__) == {f.name for f in fields(op)}  # _moved copies the slots
        moved = shift(op, 3.0, -7.0)
        assert type(moved) is type(op) and moved is not op
        bx, by, bw, bh = op.bbox()
        assert moved.bbox() == pytest.approx((bx + 3.0, by - 7.0, bw, bh))
        for f in fields(op):  # the fields shift does not move are the same objects
            if f.name not in ("x", "y", "xs", "end", "points", "commands", "runs", "box", "underlays", "ops", "clip"):
                assert getattr(moved, f.name) is getattr(op, f.name)
    assert shift(g, 3.0, -7.0) == replace(g, xs=(4.0, 34.0, 64.0), end=73.0, y=33.0)
    assert shift(ops[6], 3.0, -7.0).runs[0] == shift(g, 3.0, -7.0)
    assert shift(ops[6], 3.0, -7.0).underlays[0] == replace(r, x=4, y=-5)


def test_text_memo_gives_equal_fresh_blocks_and_still_checks_glyphs():
    import tushuo
    from tushuo.errors import SpecError
    from tushuo.inputs import make_context
    from tushuo.layout.context import clear_text_memo, text_memo
    from tushuo.text.layout import layout_text

    doc = tushuo.load("title: 记忆\nblocks:\n  - {type: paragraph, text: 正文。}\n")
    ctx = make_context(doc, width=540)
    clear_text_memo()
    words = "村（社区）“两委”换届选举工作中候选人资格联审的**若干**意见"
    first = ctx.text(words, 300.0, "body")
    memo = text_memo(ctx.fonts)
    assert len(memo) == 1
    first.lines.pop()  # a caller's block is its own: changing it leaves the kept one alone
    first.underlays.append(Rect(0, 0, 1, 1))
    again = ctx.text(words, 300.0, "body")
    fresh = layout_text(words, 300.0, ctx.style("body"), ctx.fonts)
    assert again.lines == fresh.lines and again.underlays == fresh.underlays and again.height == fresh.height
    assert len(memo) == 1
    assert ctx.text(words, 301.0, "body").lines != [] and len(memo) == 2  # another width: another entry
    # a character no font covers: refused (located) on the first call and on a memo hit alike
    for _ in range(2):
        with pytest.raises(SpecError, match="U\\+10FFFD|glyph"):
            ctx.at("blocks[0].text").text("缺\U0010fffd字", 300.0, "body")
    # allowed: laid out once, but every layout that sets it warns again
    allowing = make_context(doc, width=540, allow_missing_glyphs=True)
    allowing.text("缺\U0010fffd字", 300.0, "body")
    allowing.text("缺\U0010fffd字", 300.0, "body")
    assert len(allowing.warnings) == 2 and "missing glyphs" in allowing.warnings[1]
    # balanced titles' line choices are kept too, handed out as copies
    from tushuo.layout.common import _even_breaks, even_breaks, even_split

    title = "清河路88号便民服务中心一楼"
    style = ctx.style("h2")
    got = even_breaks(ctx.fonts, title, 300.0, 2, style)
    assert got == _even_breaks(ctx.fonts, title, 300.0, 2, style, None) and got is not None and len(got) == 2
    got.append((0, 0))
    assert even_breaks(ctx.fonts, title, 300.0, 2, style) == _even_breaks(ctx.fonts, title, 300.0, 2, style, None)
    assert len(even_split(ctx.fonts, title, 300.0, 2, style) or []) == 2
    clear_text_memo()
    assert len(memo) == 0


def test_heap_thresholds_set_once_and_never_against_the_environment():
    import os
    import subprocess
    import sys

    code = "from tushuo.heap import keep_freed_memory as k; print(k(), k())"
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES" and not k.startswith("MALLOC_")}
    glibc = (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc") if hasattr(os, "confstr") else False
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == (["True", "False"] if glibc and sys.platform.startswith("linux") else ["False", "False"])
    for chosen in ({"MALLOC_ARENA_MAX": "2"}, {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1000000"}):
        out = subprocess.run([sys.executable, "-c", code], env={**env, **chosen}, capture_output=True, text=True,
                             check=True).stdout
        assert out.split() == ["False", "False"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc and /proc counters")
def test_a_pdf_after_a_png_does_not_fault_in_fresh_memory_each_render(tmp_path: Path) -> None:
    """With the heap kept (after a raster render), a pocket PDF rendered again and again in the
    same process reuses its memory: a few page faults a render, not thousands (at a 4 MiB mmap
    threshold every render of the handbook mapped ~44 MB afresh: ~10,900 faults)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    code = (
        "import resource, sys, tushuo\n"
        "out = sys.argv[1]\n"
        "tushuo.render(tushuo.load('benchmarks/page.yaml'), out + '/p.png')\n"
        "hb = tushuo.load('examples/election-handbook.yaml')\n"
        "for _ in range(3): tushuo.render(hb, out + '/h.pdf', page_size='pocket')\n"
        "r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "for _ in range(3): tushuo.render(hb, out + '/h.pdf', page_size='pocket')\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0) // 3)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES" and not k.startswith("MALLOC_")}
    env["PYTHONPATH"] = str(root)
    faults = int(subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=root, env=env, capture_output=True,
                                text=True, check=True, timeout=300).stdout.split()[-1])
    assert faults < 1000, f"{faults} page faults per PDF render"
