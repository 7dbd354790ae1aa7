"""The Pillow painter: pixels where the frame says, smooth edges, text on its baseline, bands = crops."""

from __future__ import annotations

import itertools
import math
import threading

import pytest
from PIL import Image as PILImage
from PIL import ImageChops, ImageDraw

from tushuo.layout.frame import Ellipse, Frame, Glyphs, Group, Image, Line, Path, Rect, Text
from tushuo.paint import coverage, raster
from tushuo.paint.glyphs import GlyphCache, quantise
from tushuo.paint.raster import paint
from tushuo.text.fonts import default_fontbook

WHITE = (255, 255, 255)


def frame(*ops, w=200, h=200, bg=None) -> Frame:
    f = Frame(w, h, background=bg)
    f.add(*ops)
    return f


def close(a, b, tol=2) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def max_diff(a: PILImage.Image, b: PILImage.Image) -> int:
    assert a.size == b.size
    return max(hi for _, hi in ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getextrema())


# -- shapes -----------------------------------------------------------------------------
def test_rect_fill_inside_and_background_outside():
    im = paint(frame(Rect(20, 30, 100, 50, fill="#C9302C"), bg="#FFF8F0"))
    assert im.size == (200, 200) and im.mode == "RGB"
    assert im.getpixel((70, 55)) == (0xC9, 0x30, 0x2C)
    assert im.getpixel((20, 30)) == (0xC9, 0x30, 0x2C)  # first pixel inside
    assert im.getpixel((119, 79)) == (0xC9, 0x30, 0x2C)  # last pixel inside
    for outside in ((19, 55), (120, 55), (70, 29), (70, 80), (5, 5)):
        assert im.getpixel(outside) == (0xFF, 0xF8, 0xF0)


def test_default_background_is_white():
    assert paint(frame()).getpixel((100, 100)) == WHITE


def test_alpha_colour_composites_over_what_is_below():
    im = paint(frame(Rect(0, 0, 100, 100, fill="#0000FF"), Rect(50, 0, 100, 100, fill="#FF000080")))
    assert close(im.getpixel((75, 50)), (128, 0, 127))  # half red over blue
    assert close(im.getpixel((125, 50)), (255, 127, 127))  # half red over white
    assert im.getpixel((25, 50)) == (0, 0, 255)


def test_fractional_edges_get_partial_coverage():
    im = paint(frame(Rect(10.5, 10, 20, 10.25, fill="#000000")))
    assert im.getpixel((15, 15)) == (0, 0, 0)
    assert close(im.getpixel((10, 15)), (128, 128, 128), 1)  # half of column 10
    assert close(im.getpixel((30, 15)), (128, 128, 128), 1)  # half of column 30
    assert close(im.getpixel((15, 20)), (191, 191, 191), 1)  # a quarter of row 20
    assert im.getpixel((9, 15)) == WHITE and im.getpixel((31, 15)) == WHITE


def grey_levels(im: PILImage.Image, box) -> set[int]:
    return set(im.convert("L").crop(box).get_flattened_data())


def test_circle_edge_is_antialiased_and_symmetric():
    im = paint(frame(Ellipse(50, 50, 100, 100, fill="#000000")))
    levels = grey_levels(im, (40, 40, 160, 160))
    between = {v for v in levels if 10 < v < 245}
    assert len(between) >= 8, "a smooth edge has many intermediate greys"
    assert im.getpixel((100, 100)) == (0, 0, 0)
    assert im.getpixel((52, 52)) == WHITE  # the box corner is outside the circle
    # the edge on the left mirrors the edge on the right, and top mirrors bottom
    left = [im.getpixel((x, 100))[0] for x in range(48, 54)]
    right = [im.getpixel((x, 100))[0] for x in range(151, 145, -1)]
    assert all(abs(a - b) <= 20 for a, b in zip(left, right))
    top = [im.getpixel((100, y))[0] for y in range(48, 54)]
    assert all(abs(a - b) <= 20 for a, b in zip(left, top))


def test_ring_stroke_of_a_circle_has_its_width():
    im = paint(frame(Ellipse(50, 50, 100, 100, stroke="#000000", stroke_width=6)))
    row = [im.getpixel((x, 100))[0] for x in range(40, 70)]
    ink = sum((255 - v) / 255 for v in row)
    assert 5.3 <= ink <= 6.7  # one crossing of the 6-px ring
    assert im.getpixel((100, 100)) == WHITE  # unfilled inside


def test_rounded_rect_corner_is_cut_and_smooth():
    im = paint(frame(Rect(20, 20, 160, 100, fill="#000000", radius=24)))
    assert im.getpixel((20, 20)) == WHITE  # the square corner is cut away
    assert im.getpixel((27, 27))[0] < 128  # inside the arc (arc's 45° point is ~7 px in)
    assert im.getpixel((100, 60)) == (0, 0, 0)
    assert im.getpixel((20, 60)) == (0, 0, 0)  # straight edge is sharp and full
    between = {v for v in grey_levels(im, (18, 18, 46, 46)) if 10 < v < 245}
    assert len(between) >= 6


def test_rounded_rect_straight_rows_join_the_corner_rows_without_a_seam():
    im = paint(frame(Rect(20.3, 20.6, 160, 100, fill="#000000", radius=12)))
    # column 20 (30 % covered) must have one value down the whole straight edge, corner rows included
    col = [im.getpixel((20, y))[0] for y in range(40, 110)]
    assert max(col) - min(col) <= 1


@pytest.mark.parametrize("w,h", [(120, 40), (121.5, 41), (41, 41), (40.5, 121)])
def test_pills_are_fully_round_and_symmetric(w, h):
    im = paint(frame(Rect(20, 20, w, h, fill="#000000", radius=min(w, h) / 2)))
    assert im.getpixel((round(20 + w / 2), round(20 + h / 2))) == (0, 0, 0)
    assert im.getpixel((20, 20)) == WHITE
    assert ink_box(im) == (20, 20, math.ceil(20 + w), math.ceil(20 + h))
    # left/right mirror images along the middle row
    y = int(20 + h / 2)
    left = [im.getpixel((x, y))[0] for x in range(18, 26)]
    right = [im.getpixel((x, y))[0] for x in range(math.ceil(20 + w) + 1, math.ceil(20 + w) - 7, -1)]
    assert sum(left) == pytest.approx(sum(right), abs=200)


def test_stroked_rect_keeps_inside_and_outside():
    im = paint(frame(Rect(40, 40, 100, 100, fill="#FFFF00", stroke="#0000FF", stroke_width=4, radius=10)))
    assert im.getpixel((90, 90)) == (255, 255, 0)
    assert im.getpixel((40, 90)) == (0, 0, 255)  # on the edge: stroke centred on it
    assert im.getpixel((37, 90)) == WHITE
    assert im.getpixel((44, 90)) == (255, 255, 0)


def test_vertical_gradient_goes_from_top_colour_to_bottom_colour():
    im = paint(frame(Rect(0, 0, 100, 200, gradient=("#000000", "#FFFFFF"))))
    assert im.getpixel((50, 0))[0] < 5
    assert im.getpixel((50, 199))[0] > 250
    assert 115 < im.getpixel((50, 100))[0] < 140
    values = [im.getpixel((50, y))[0] for y in range(200)]
    assert values == sorted(values)


def test_dashed_line_alternates_ink_and_gap():
    im = paint(frame(Line(((10, 50), (190, 50)), color="#000000", width=2, dash=(10, 10))))
    row = [im.getpixel((x, 50))[0] for x in range(10, 190)]
    runs = sum(1 for a, b in itertools.pairwise(row) if (a < 128) != (b < 128))
    assert runs >= 14  # about nine dashes: in and out of each


def test_diagonal_line_is_antialiased():
    im = paint(frame(Line(((10, 10), (190, 120)), color="#000000", width=3)))
    between = {v for v in grey_levels(im, (0, 0, 200, 200)) if 10 < v < 245}
    assert len(between) >= 10


def test_arrow_head_ends_at_the_end_point_and_is_wider_than_the_shaft():
    im = paint(frame(Line(((20, 100), (150, 100)), color="#000000", width=4, arrow_end=True)))
    ink_cols = [x for x in range(200) if im.getpixel((x, 100))[0] < 200]
    assert 148 <= max(ink_cols) <= 150  # the tip sits on the end point, not beyond

    def height(x):
        return sum(1 for y in range(60, 140) if im.getpixel((x, y))[0] < 128)

    assert height(60) in (4, 5)  # the shaft
    assert height(140) > 8  # the head, 18 px long and 18 px wide at its base
    # the tip is sharp: one column before the tip holds only a sliver of ink
    assert height(149) <= 2


def test_arrow_at_start_points_backwards_along_the_first_segment():
    im = paint(frame(Line(((30, 100), (30, 180)), color="#000000", width=4, arrow_start=True)))
    ink_rows = [y for y in range(200) if im.getpixel((30, y))[0] < 200]
    assert 99 <= min(ink_rows) <= 101  # the tip is the first point, the head points up
    assert sum(1 for x in range(200) if im.getpixel((x, 112))[0] < 128) > 8  # head near the start


def test_path_fill_and_stroke_and_even_odd_hole():
    square = (("M", 20, 20), ("L", 120, 20), ("L", 120, 120), ("L", 20, 120), ("Z",))
    hole = (("M", 50, 50), ("L", 90, 50), ("L", 90, 90), ("L", 50, 90), ("Z",))
    im = paint(frame(Path(square + hole, fill="#00AA00")))
    assert im.getpixel((30, 30)) == (0, 0xAA, 0)
    assert im.getpixel((70, 70)) == WHITE
    tick = Path((("M", 140, 100), ("L", 160, 120), ("Q", 170, 90, 190, 60)), stroke="#000000", stroke_width=5)
    im = paint(frame(tick))
    assert im.getpixel((160, 120))[0] < 60
    assert im.getpixel((140, 100))[0] < 128  # round cap covers the end point


def test_diamond_edges_are_smooth():
    d = Path((("M", 100, 40), ("L", 180, 100), ("L", 100, 160), ("L", 20, 100), ("Z",)), fill="#000000")
    im = paint(frame(d))
    assert im.getpixel((100, 100)) == (0, 0, 0) and im.getpixel((30, 50)) == WHITE
    assert len({v for v in grey_levels(im, (0, 0, 200, 200)) if 10 < v < 245}) >= 8
    # every row crossing the upper-left edge has a partly covered pixel: no stair steps
    for y in range(45, 95, 5):
        row = [im.getpixel((x, y))[0] for x in range(20, 100)]
        assert any(10 < v < 245 for v in row), y


def test_group_clips_its_children():
    g = Group((Rect(0, 0, 200, 200, fill="#FF0000"),), clip=(50, 50, 100, 100), radius=20)
    im = paint(frame(g))
    assert im.getpixel((100, 100)) == (255, 0, 0)
    assert im.getpixel((40, 100)) == WHITE and im.getpixel((160, 100)) == WHITE
    assert im.getpixel((51, 51)) == WHITE  # rounded clip corner
    assert im.getpixel((50, 100)) == (255, 0, 0)


# -- pictures ---------------------------------------------------------------------------
def quadrants() -> PILImage.Image:
    src = PILImage.new("RGB", (2, 2))
    src.putdata([(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)])
    return src.resize((40, 40), PILImage.Resampling.NEAREST)


def test_image_is_scaled_into_its_box():
    im = paint(frame(Image(20, 40, 100, 60, image=quadrants())))
    assert close(im.getpixel((40, 50)), (255, 0, 0), 8)
    assert close(im.getpixel((100, 50)), (0, 255, 0), 8)
    assert close(im.getpixel((40, 90)), (0, 0, 255), 8)
    assert close(im.getpixel((100, 90)), (255, 255, 0), 8)
    assert im.getpixel((19, 50)) == WHITE and im.getpixel((121, 50)) == WHITE
    assert im.getpixel((60, 39)) == WHITE and im.getpixel((60, 101)) == WHITE


def test_image_downscale_keeps_detail_without_aliasing():
    stripes = PILImage.new("L", (400, 400))
    stripes.putdata([255 * ((x // 2) % 2) for _ in range(400) for x in range(400)])
    im = paint(frame(Image(0, 0, 100, 100, image=stripes)))
    # 2-px stripes shrunk 4x average to mid grey (a nearest-neighbour shrink would alias to black or white)
    assert all(100 < im.getpixel((x, 50))[0] < 155 for x in range(5, 95))


def test_image_with_rounded_corners_and_transparency():
    src = PILImage.new("RGBA", (50, 50), (0, 0, 0, 255))
    src.paste((0, 0, 0, 0), (0, 0, 25, 50))  # left half transparent
    im = paint(
        frame(Image(0, 0, 100, 100, image=quadrants(), radius=30), Image(100, 100, 100, 100, image=src))
    )
    assert im.getpixel((1, 1)) == WHITE  # rounded away
    assert close(im.getpixel((30, 30)), (255, 0, 0), 8)
    assert im.getpixel((120, 150)) == WHITE  # transparent part shows the background
    assert im.getpixel((180, 150)) == (0, 0, 0)


# -- text -------------------------------------------------------------------------------
def glyph_run(
    text: str, x: float, baseline: float, size: float = 40, face: str = "sans", color="#000000"
) -> Glyphs:
    fb = default_fontbook()
    xs = []
    for ch in text:
        xs.append(x)
        x += fb.advance(ch, size, face)
    return Glyphs(text, tuple(xs), x, baseline, face, size, color)


def ink_box(im: PILImage.Image, threshold: int = 128):
    return im.convert("L").point(lambda v: 255 if v < threshold else 0).getbbox()


def test_latin_ink_sits_on_the_baseline_and_inside_the_run_box():
    run = glyph_run("HELLO", 20, 100)
    im = paint(frame(run, w=300))
    x0, y0, x1, y1 = ink_box(im)
    assert y1 == 100  # the last inked row is the one just above the baseline
    bx, by, bw, _ = run.bbox()
    assert bx - 1 <= x0 and x1 <= bx + bw + 1 and by - 1 <= y0


def test_chinese_and_latin_share_one_baseline():
    fb = default_fontbook()
    run = glyph_run("中文Hx国", 10, 120, size=48)
    im = paint(frame(run, w=400))
    assert run.face == "sans" and fb.face("sans").covers("中")
    # Latin capitals end at the baseline; CJK ideographs dip a little below it (their em box)
    h_col = im.crop((round(run.xs[2]), 0, round(run.xs[3]), 200))
    cjk = im.crop((round(run.xs[0]), 0, round(run.xs[1]), 200))
    assert ink_box(h_col)[3] == 120
    cjk_bottom = ink_box(cjk)[3]
    assert 120 <= cjk_bottom <= 120 + 0.12 * 48
    bx, by, bw, bh = run.bbox()
    x0, y0, x1, y1 = ink_box(im)
    assert by - 1 <= y0 and y1 <= by + bh + 1 and bx - 1 <= x0 and x1 <= bx + bw + 1


def test_cached_glyphs_equal_what_imagedraw_text_draws():
    fb = default_fontbook()
    run = glyph_run("图说 Ag，", 10.3, 60.0, size=36)
    im = paint(frame(run, w=300, h=100))
    ref = PILImage.new("RGB", (300, 100), WHITE)
    d = ImageDraw.Draw(ref)
    font = fb.face("sans").pil(36)
    for ch, x in zip(run.text, run.xs):
        ix, phase = quantise(x)
        d.text((ix + phase, 60), ch, fill=(0, 0, 0), font=font, anchor="ls")
    assert max_diff(im, ref) == 0


@pytest.mark.parametrize("key,size", [("sans", 13.0), ("sans-bold", 31.28), ("serif", 88.0)])
def test_one_pass_glyph_masks_equal_drawn_ones(key, size):
    """The cache rasterises with getmask2 (one FreeType pass); drawing the glyph gives the same mask."""
    from tushuo.paint import glyphs

    face = default_fontbook().face(key)
    for ch in "图说换届（）“”，。Ag7":
        for phase in (0.0, 0.25, 0.5, 0.75):
            for alpha in (255, 90):
                a = glyphs._rasterise(face, size, ch, phase, alpha)
                b = glyphs._rasterise_drawn(face, size, ch, phase, alpha)
                assert a[1:] == b[1:] and a[0].size == b[0].size, (ch, phase)
                assert ImageChops.difference(a[0], b[0]).getbbox() is None, (ch, phase)


@pytest.mark.parametrize("key", ["sans", "sans-bold", "serif", "symbols", "sans-tc", "sans-bold-tc", "serif-tc",
                                 "sans-hk", "sans-bold-hk"])
def test_glyph_masks_from_freetype_equal_pillows(key):
    """ftglyph (one FreeType load and render a glyph, in the library Pillow loaded) gives
    getmask2's masks and offsets byte for byte: sizes, every phase, alpha, clipped and
    blank glyphs."""
    import sys

    from tushuo.paint import ftglyph, glyphs

    if sys.platform == "linux":
        assert ftglyph._library() is not None, "the FreeType Pillow uses was not found"
    face = default_fontbook().face(key)
    for size in (7.5, 13.0, 31.28, 37.800000000000004, 88.0):
        for ch in "图说换届（）“”，。Ag7j_ —★✓\u3000":
            if not face.covers(ch):
                continue
            for phase in (0.0, 0.25, 0.5, 0.75):
                for alpha in (255, 90):
                    a = glyphs._rasterise_pillow(face, size, ch, phase, alpha)
                    b = ftglyph.rasterise(face, size, ch, phase, alpha, glyphs._rasterise_pillow)
                    assert ftglyph._same(a, b), (key, size, ch, phase, alpha, a[1:], b[1:])
    assert sys.platform != "linux" or ftglyph._library() is not None  # no mismatch turned it off


def test_text_op_draws_underlays_first_then_runs():
    run = glyph_run("重点", 20, 60, size=40, color="#C9302C")
    under = Rect(15, 30, 90, 40, fill="#FFE08A")
    im = paint(frame(Text(runs=(run,), box=(20, 20, 100, 50), underlays=(under,)), w=200, h=100))
    assert im.getpixel((17, 35)) == (0xFF, 0xE0, 0x8A)
    reds = [p for p in im.crop((20, 25, 100, 65)).get_flattened_data() if p[0] > 150 and p[1] < 90]
    assert reds, "the text is drawn on top of the highlight"


def test_alpha_text_colour_is_lighter():
    solid = paint(frame(glyph_run("图", 10, 60), w=80, h=80))
    faint = paint(frame(glyph_run("图", 10, 60, color="#00000040"), w=80, h=80))
    assert min(solid.convert("L").get_flattened_data()) < 30
    assert min(faint.convert("L").get_flattened_data()) > 170


def test_a_character_no_font_has_is_drawn_as_a_visible_box():
    ch = "\U000f0000"  # private use plane: in no bundled font
    run = Glyphs(ch, (10.0,), 50.0, 60.0, "sans", 40, "#000000")
    im = paint(frame(run, w=80, h=80))
    box = ink_box(im)
    assert box is not None and box[2] - box[0] > 20 and box[3] - box[1] > 20
    assert im.getpixel((30, 40)) == WHITE  # an empty box, not a blob


def test_glyph_cache_is_bounded_and_shared_across_threads():
    cache = GlyphCache(max_entries=5)
    face = default_fontbook().face("sans")
    for ch in "一二三四五六七":
        cache.get(face, 20, ch, 0.0)
    assert len(cache) == 5
    frames = [frame(glyph_run("多线程绘制同一段文字", 5, 50, size=30), w=340, h=80) for _ in range(4)]
    out: list[PILImage.Image] = [None] * 4  # type: ignore[list-item]

    def work(i):
        out[i] = paint(frames[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(max_diff(out[0], o) == 0 for o in out[1:])


# -- bands, scale, transparency ---------------------------------------------------------
def busy_frame() -> Frame:
    f = Frame(300, 900)
    f.add(
        Rect(10, 10, 280, 300, fill="#FCEFEF", stroke="#C9302C", stroke_width=2, radius=20),
        Ellipse(40.5, 250.3, 120, 120, fill="#2E7D32", stroke="#000000", stroke_width=3),
        Line(((20, 100), (280, 700)), color="#1565C0", width=3, arrow_end=True),
        Path((("M", 150, 400), ("C", 300, 300, 0, 800, 250, 850)), stroke="#6A1B9A", stroke_width=6),
        Rect(0.25, 480.6, 299.5, 60.7, gradient=("#C9302C", "#F5C242"), radius=16),
        glyph_run("跨越分片的文字 Band", 12, 505, size=44),
        Image(30, 600, 200, 150, image=quadrants(), radius=12),
        Group((Ellipse(150, 300, 300, 300, fill="#FF000080"),), clip=(120, 320, 150, 100), radius=10),
    )
    return f


@pytest.mark.parametrize("top,bottom", [(0, 333.3), (333.3, 777.7), (497.0, 520.0), (777.7, 900)])
def test_a_band_equals_the_crop_of_a_full_paint(top, bottom):
    f = busy_frame()
    full = paint(f)
    band = paint(f, top=top, bottom=bottom)
    r0, r1 = round(top), round(bottom)
    assert band.size == (300, r1 - r0)
    assert max_diff(band, full.crop((0, r0, 300, r1))) <= 2


def test_scale_two_doubles_the_canvas_and_the_geometry():
    f = frame(Rect(20, 30, 40, 50, fill="#000000"), w=100, h=100)
    im = paint(f, scale=2)
    assert im.size == (200, 200)
    assert im.getpixel((40, 60)) == (0, 0, 0) and im.getpixel((119, 159)) == (0, 0, 0)
    assert im.getpixel((39, 100)) == WHITE and im.getpixel((120, 100)) == WHITE


def test_transparent_background_gives_rgba_with_true_colours_at_edges():
    im = paint(frame(Ellipse(20, 20, 100, 100, fill="#FF0000"), bg="#00000000"))
    assert im.mode == "RGBA"
    assert im.getpixel((5, 5)) == (0, 0, 0, 0)
    assert im.getpixel((70, 70)) == (255, 0, 0, 255)
    edge = [im.getpixel((x, 40)) for x in range(20, 50)]
    partial = [p for p in edge if 0 < p[3] < 255]
    assert partial and all(p[0] == 255 for p in partial)  # not darkened towards black


def test_unknown_colour_is_a_clear_error():
    with pytest.raises(raster.RenderError, match="not a colour"):
        paint(frame(Rect(0, 0, 10, 10, fill="#GG0000")))


# -- the coverage cache -----------------------------------------------------------------
def test_cached_coverage_paints_the_same_pixels_as_a_fresh_rasterisation():
    cache = coverage.coverage_cache()
    cache.clear()
    first = paint(busy_frame())
    assert cache.misses > 0 and len(cache) > 0
    misses = cache.misses
    again = paint(busy_frame())
    assert cache.misses == misses  # every shape came from the cache
    assert max_diff(first, again) == 0
    cache.clear()
    assert max_diff(paint(busy_frame()), first) == 0


def test_the_same_card_at_the_same_sub_pixel_phase_is_rasterised_once():
    cache = coverage.coverage_cache()
    cache.clear()
    cards = [Rect(10.5, 20.25 + 70 * k, 180, 60, fill="#FFFFFF", stroke="#C9302C", stroke_width=1.5, radius=12)
             for k in range(8)]
    im = paint(frame(*cards, w=200, h=600, bg="#F0E9E2"))
    assert cache.misses == 2  # the fill and the stroke ring, once each
    assert cache.hits == 14
    # every card drawn alike: the same pixels at its own place
    ref = im.crop((0, 15, 200, 85))
    assert all(max_diff(im.crop((0, 15 + 70 * k, 200, 85 + 70 * k)), ref) == 0 for k in range(1, 8))


def test_coverage_cache_is_bounded_by_bytes():
    small = coverage.CoverageCache(max_bytes=20_000)
    real = coverage._COVERAGE
    coverage._COVERAGE = small
    try:
        f = frame(*(Ellipse(5 + 20 * (k % 9), 5 + 20 * (k // 9), 15.3 + k / 50, 15.3, fill="#000000")
                    for k in range(81)), w=200, h=200)
        ref = paint(f)
    finally:
        coverage._COVERAGE = real
    assert small.misses == 81 and small.nbytes <= 20_000 and len(small) < 81
    real.clear()
    assert max_diff(paint(f), ref) == 0
