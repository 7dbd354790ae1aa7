"""Writing images: formats, slices cut at safe breaks, size caps, limits, atomic writes."""

from __future__ import annotations

import os
import stat

import pytest
from PIL import Image as PILImage
from PIL import ImageChops

from tushuo import Document, SpecError
from tushuo import pipeline as output
from tushuo.layout.frame import Frame, Glyphs, Rect
from tushuo.pipeline import RenderOptions, resolve_settings, slice_rows, write_frame
from tushuo.text.fonts import default_fontbook

PALETTE = ["#C9302C", "#F5C242", "#2E7D32", "#1565C0", "#6A1B9A", "#FFFFFF"]


def striped(height: float = 1000, width: float = 200, step: float = 100, breaks: bool = True) -> Frame:
    """Coloured bands ``step`` tall, a safe break between each pair (like blocks in a stack)."""
    f = Frame(width, height, background="#FFF8F0")
    y, k = 0.0, 0
    while y < height:
        f.add(Rect(10, y + 5, width - 20, step - 10, fill=PALETTE[k % len(PALETTE)], radius=8))
        y += step
        k += 1
        if breaks and y < height:
            f.add_break(y)
    return f


def noisy(width: int = 300, height: int = 300) -> Frame:
    """A frame whose PNG cannot be tiny: text in many sizes over a gradient."""
    f = Frame(width, height)
    f.add(Rect(0, 0, width, height, gradient=("#C9302C", "#1565C0")))
    fb = default_fontbook()
    y = 20.0
    for size in (11, 13, 17, 19, 23):
        x, xs = 5.0, []
        text = "颍州先锋图说换届组工 2026 年"
        for ch in text:
            xs.append(x)
            x += fb.advance(ch, size)
        f.add(Glyphs(text, tuple(xs), x, y + size, "sans", size, "#FFFFFF"))
        y += size * 1.8
    return f


def files_in(folder) -> list[str]:
    return sorted(os.listdir(folder))


# -- formats ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,magic,fmt",
    [
        ("a.png", b"\x89PNG", "PNG"),
        ("a.jpg", b"\xff\xd8\xff", "JPEG"),
        ("a.JPEG", b"\xff\xd8\xff", "JPEG"),
        ("a.webp", b"RIFF", "WEBP"),
    ],
)
def test_format_follows_the_suffix(tmp_path, name, magic, fmt):
    paths = write_frame(striped(300), tmp_path / name)
    assert paths == [tmp_path / name]
    assert (tmp_path / name).read_bytes().startswith(magic)
    with PILImage.open(tmp_path / name) as im:
        assert im.format == fmt and im.size == (200, 300)
    assert files_in(tmp_path) == [name]  # no temporary left


def test_written_files_have_the_usual_mode(tmp_path):
    write_frame(striped(200), tmp_path / "a.png")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "a.png").stat().st_mode) == 0o666 & ~umask


def test_png_pixels_equal_the_painted_frame(tmp_path):
    from tushuo.paint.raster import paint

    f = noisy()
    write_frame(f, tmp_path / "a.png")
    with PILImage.open(tmp_path / "a.png") as im:
        assert ImageChops.difference(im.convert("RGB"), paint(f)).getbbox() is None


def test_few_colours_make_an_exact_palette_png(tmp_path):
    f = Frame(200, 200, background="#FFFFFF")
    f.add(Rect(0, 0, 100, 200, fill="#C9302C"), Rect(100, 0, 100, 100, fill="#1565C0"))
    write_frame(f, tmp_path / "a.png")
    with PILImage.open(tmp_path / "a.png") as im:
        assert im.mode == "P"
        rgb = im.convert("RGB")
    assert rgb.getpixel((50, 50)) == (0xC9, 0x30, 0x2C)
    assert rgb.getpixel((150, 50)) == (0x15, 0x65, 0xC0)
    assert rgb.getpixel((150, 150)) == (255, 255, 255)


def test_jpeg_of_a_transparent_background_is_flattened_on_white(tmp_path):
    f = Frame(100, 100, background="#00000000")
    f.add(Rect(0, 0, 50, 100, fill="#000000"))
    write_frame(f, tmp_path / "a.jpg")
    with PILImage.open(tmp_path / "a.jpg") as im:
        assert im.mode == "RGB"
        assert min(im.getpixel((80, 50))) > 245 and max(im.getpixel((20, 50))) < 10


def test_unknown_suffix_no_suffix_and_conflicting_format_are_clear_errors(tmp_path):
    with pytest.raises(SpecError, match=r"unknown output suffix '\.gif'.*\.png"):
        write_frame(striped(100), tmp_path / "a.gif")
    with pytest.raises(SpecError, match="PNG name but the format is jpeg"):
        write_frame(striped(100), tmp_path / "a.png", format="jpg")
    with pytest.raises(SpecError, match="unknown output format 'bmp'"):
        write_frame(striped(100), f"{tmp_path}/out/", format="bmp")
    assert files_in(tmp_path) == []


def test_a_name_without_suffix_is_a_folder(tmp_path):
    paths = write_frame(striped(600), tmp_path / "noext", slice_height=300)
    assert paths == [tmp_path / "noext" / "01.png", tmp_path / "noext" / "02.png"]


def test_options_explicit_beat_the_document_which_beats_defaults(tmp_path):
    doc = Document.model_validate(
        {
            "title": "t",
            "blocks": [{"type": "spacer", "height": 10}],
            "output": {"format": "webp", "quality": 40, "slice_height": 500},
        }
    )
    s = resolve_settings(tmp_path, True, doc)
    assert (s.format, s.quality, s.slice_height) == ("webp", 40, 500)
    s = resolve_settings(tmp_path, True, doc, RenderOptions(format="jpg", quality=75, slice_height=0))
    assert (s.format, s.quality) == ("jpeg", 75)
    assert s.slice_height == output.AUTO_SLICE  # a folder always gets slices
    s = resolve_settings(tmp_path / "x.png", False, doc, RenderOptions(slice_height=0))
    assert (s.format, s.quality, s.slice_height) == ("png", 40, 0)  # the suffix names the format
    s = resolve_settings(tmp_path / "x.png", False, None)
    assert (s.format, s.quality, s.slice_height, s.max_bytes) == ("png", 90, 0, None)
    with pytest.raises(SpecError, match="quality must be"):
        resolve_settings(tmp_path / "x.jpg", False, None, RenderOptions(quality=0))
    with pytest.raises(SpecError, match="too small"):
        resolve_settings(tmp_path / "x.png", False, None, RenderOptions(slice_height=20))


def test_document_output_format_is_used_for_a_folder(tmp_path):
    doc = Document.model_validate(
        {
            "title": "t",
            "blocks": [{"type": "spacer", "height": 10}],
            "output": {"format": "jpeg", "slice_height": 400},
        }
    )
    paths = write_frame(striped(1000), f"{tmp_path}/out/", doc=doc)
    assert [p.name for p in paths] == ["01.jpg", "02.jpg", "03.jpg"]


# -- slices -------------------------------------------------------------------------------
def heights(paths) -> list[int]:
    out = []
    for p in paths:
        with PILImage.open(p) as im:
            out.append(im.height)
    return out


def test_slices_are_cut_at_breaks_and_no_taller_than_asked(tmp_path):
    f = striped(1000, step=100)
    paths = write_frame(f, tmp_path / "long.png", slice_height=350)
    assert [p.name for p in paths] == ["long-01.png", "long-02.png", "long-03.png", "long-04.png"]
    hs = heights(paths)
    assert hs == [300, 300, 300, 100]
    cuts = [sum(hs[: i + 1]) for i in range(len(hs) - 1)]
    assert all(c in f.sorted_breaks() for c in cuts)
    assert files_in(tmp_path) == [".long.png.tushuo-slices.json", *(p.name for p in paths)]


def test_slices_stacked_equal_the_single_image(tmp_path):
    f = striped(1000, step=130)
    write_frame(f, tmp_path / "one.png")
    paths = write_frame(f, f"{tmp_path}/parts/", slice_height=400)
    assert [p.name for p in paths] == ["01.png", "02.png", "03.png"]
    with PILImage.open(tmp_path / "one.png") as whole:
        whole = whole.convert("RGB")
        y = 0
        for p in paths:
            with PILImage.open(p) as part:
                part = part.convert("RGB")
                assert ImageChops.difference(whole.crop((0, y, 200, y + part.height)), part).getbbox() is None
                y += part.height
        assert y == whole.height


def test_a_unit_taller_than_a_slice_is_forced_apart(tmp_path):
    f = striped(1000, step=1000, breaks=False)
    rows = slice_rows(f, 300)
    assert rows == [(0, 300), (300, 600), (600, 900), (900, 1000)]
    paths = write_frame(f, tmp_path / "x.png", slice_height=300)
    assert heights(paths) == [300, 300, 300, 100]


def test_forced_cuts_move_off_lines_of_text():
    f = Frame(400, 1000)
    for k in range(20):
        base = 40 + k * 48
        f.add(Glyphs("一行文字", (10.0, 40.0, 70.0, 100.0), 130.0, base, "sans", 30, "#000000"))
    rows = slice_rows(f, 300)
    lines = [(g.bbox()[1], g.bbox()[1] + g.bbox()[3]) for g in f.ops]
    for _, bottom in rows[:-1]:
        assert not any(a < bottom < b for a, b in lines), bottom
    assert all(0 < b - a <= 300 for a, b in rows)


def test_a_folder_without_slice_height_gets_phone_screen_slices(tmp_path):
    paths = write_frame(striped(1000, width=200, step=50), tmp_path / "dir")
    assert all(h <= round(200 * 16 / 9) for h in heights(paths)) and len(paths) == 3


def test_stale_slices_from_a_longer_render_are_removed(tmp_path):
    write_frame(striped(1000), tmp_path / "s.png", slice_height=200)
    assert len(files_in(tmp_path)) == 6  # five slices and the manifest of them
    (tmp_path / "keep.png").write_bytes(b"not ours")
    write_frame(striped(400), tmp_path / "s.png", slice_height=200)
    assert files_in(tmp_path) == [".s.png.tushuo-slices.json", "keep.png", "s-01.png", "s-02.png"]


def test_many_slices_get_wider_numbers(tmp_path):
    names = output.slice_names(tmp_path / "a.webp", False, "webp", 120)
    assert names[0].name == "a-001.webp" and names[-1].name == "a-120.webp"


# -- limits -------------------------------------------------------------------------------
def test_jpeg_taller_than_65500_is_refused_with_advice(tmp_path):
    with pytest.raises(SpecError, match=r"70,000 px tall; JPEG allows at most 65,500 px; use slice_height"):
        write_frame(striped(70_000, step=10_000), tmp_path / "a.jpg")
    assert files_in(tmp_path) == []


def test_webp_taller_than_16383_is_refused_with_advice(tmp_path):
    with pytest.raises(SpecError, match=r"WEBP allows at most 16,383 px; use slice_height"):
        write_frame(striped(20_000, step=10_000), tmp_path / "a.webp")
    with pytest.raises(SpecError, match="slice_height 20,000 px is taller than WEBP allows"):
        write_frame(striped(30_000, step=10_000), tmp_path / "a.webp", slice_height=20_000)
    assert files_in(tmp_path) == []


def test_a_single_image_beyond_the_canvas_limit_is_refused(tmp_path):
    with pytest.raises(SpecError, match=r"200,000 px.*slice_height .*PDF"):
        write_frame(striped(250_000, step=50_000), tmp_path / "a.png")


# -- max_bytes ----------------------------------------------------------------------------
def test_max_bytes_lowers_jpeg_quality_until_it_fits(tmp_path):
    f = noisy(400, 400)
    write_frame(f, tmp_path / "full.jpg", quality=95)
    full = (tmp_path / "full.jpg").stat().st_size
    cap = full * 2 // 3
    write_frame(f, tmp_path / "cap.jpg", quality=95, max_bytes=cap)
    data = (tmp_path / "cap.jpg").read_bytes()
    assert len(data) <= cap
    # it is the highest quality that fits: one step up no longer does
    from tushuo.paint.raster import paint

    im = paint(f)
    from tushuo.paint import encode as enc

    chosen = next(q for q in range(94, enc.MIN_QUALITY - 1, -1) if enc._lossy(im, "jpeg", q) == data)
    assert len(enc._lossy(im, "jpeg", chosen + 1)) > cap


def test_max_bytes_for_webp(tmp_path):
    f = noisy(400, 400)
    write_frame(f, tmp_path / "full.webp")
    cap = (tmp_path / "full.webp").stat().st_size * 3 // 4
    write_frame(f, tmp_path / "cap.webp", max_bytes=cap)
    assert (tmp_path / "cap.webp").stat().st_size <= cap


def test_max_bytes_that_cannot_be_met_fails_and_leaves_nothing(tmp_path):
    with pytest.raises(SpecError, match=r"cannot fit in 500 bytes as JPEG: the smallest was [\d,]+ bytes"):
        write_frame(noisy(), tmp_path / "a.jpg", max_bytes=500)
    with pytest.raises(
        SpecError, match=r"cannot fit in 500 bytes: the smallest PNG was [\d,]+ bytes.*jpeg or webp"
    ):
        write_frame(noisy(), tmp_path / "a.png", max_bytes=500)
    with pytest.raises(SpecError, match="cannot fit"):
        write_frame(noisy(300, 900), f"{tmp_path}/s/", max_bytes=500, slice_height=300)
    assert files_in(tmp_path) == ["s"] and files_in(tmp_path / "s") == []


def test_png_max_bytes_falls_back_to_a_close_palette(tmp_path):
    f = noisy(400, 400)
    write_frame(f, tmp_path / "full.png")
    full = (tmp_path / "full.png").stat().st_size
    write_frame(f, tmp_path / "cap.png", max_bytes=full // 2)
    assert (tmp_path / "cap.png").stat().st_size <= full // 2
    with PILImage.open(tmp_path / "cap.png") as im, PILImage.open(tmp_path / "full.png") as ref:
        assert im.mode == "P"
        diff = ImageChops.difference(im.convert("RGB"), ref.convert("RGB"))
        assert max(hi for _, hi in diff.getextrema()) <= 64


# -- atomic writes --------------------------------------------------------------------------
def test_a_failing_encoder_leaves_no_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    (tmp_path / "a.png").write_bytes(b"old")
    real = output.encode
    calls = []

    def boom(im, fmt, *a, **k):
        calls.append(fmt)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(im, fmt, *a, **k)

    real_stream = output.stream_png  # PNG without max_bytes is painted and encoded band by band

    def boom_stream(*a, **k):
        calls.append("png")
        if len(calls) == 3:
            raise OSError("disk full")
        return real_stream(*a, **k)

    monkeypatch.setattr(output, "encode", boom)
    monkeypatch.setattr(output, "stream_png", boom_stream)
    with pytest.raises(OSError, match="disk full"):
        write_frame(striped(1000), tmp_path / "a.png", slice_height=300)
    assert files_in(tmp_path) == ["a.png"]  # no slices, no temporaries
    calls.clear()
    with pytest.raises(OSError):
        write_frame(striped(1000), tmp_path / "d", slice_height=300)
    assert files_in(tmp_path / "d") == []
    monkeypatch.setattr(output, "encode", lambda *a, **k: (_ for _ in ()).throw(ValueError("bad")))
    monkeypatch.setattr(output, "stream_png", lambda *a, **k: (_ for _ in ()).throw(ValueError("bad")))
    with pytest.raises(ValueError):
        write_frame(striped(100), tmp_path / "a.png")
    assert (tmp_path / "a.png").read_bytes() == b"old"


def test_a_failing_rename_removes_what_was_already_renamed(tmp_path, monkeypatch):
    real = os.replace
    done = []

    def flaky(src, dst):
        if len(done) == 2:
            raise PermissionError("no")
        done.append(dst)
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", flaky)
    with pytest.raises(PermissionError):
        write_frame(striped(1000), tmp_path / "a.png", slice_height=300)
    assert files_in(tmp_path) == []


# -- PDF and SVG go to their painters --------------------------------------------------------
def test_pdf_and_svg_are_written_by_their_painters(tmp_path):
    f = striped(600)
    assert write_frame(f, tmp_path / "a.pdf") == [tmp_path / "a.pdf"]
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert write_frame(f, tmp_path / "a.svg") == [tmp_path / "a.svg"]
    assert b"<svg" in (tmp_path / "a.svg").read_bytes()[:500]
    with pytest.raises(SpecError, match="slice_height applies to PNG"):
        write_frame(f, tmp_path / "b.pdf", slice_height=300)
    with pytest.raises(SpecError, match="needs a file name"):
        write_frame(f, f"{tmp_path}/folder/", format="pdf")
    with pytest.raises(SpecError, match="more than max_bytes"):
        write_frame(f, tmp_path / "c.svg", max_bytes=100)
    assert sorted(p for p in files_in(tmp_path) if not os.path.isdir(tmp_path / p)) == ["a.pdf", "a.svg"]


# -- the PNG writer -------------------------------------------------------------------------
def _png_rows(path) -> list[int]:
    """The filter byte of every row of an 8-bit RGB(A) PNG (0 none, 2 up)."""
    import struct
    import zlib

    data = path.read_bytes()
    pos, idat, width, bpp = 8, b"", 0, 3
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, _, _, color = struct.unpack(">IIBB", body[:10])
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp + 1
    return [raw[i] for i in range(0, len(raw), stride)]


def photo(w: int, h: int) -> PILImage.Image:
    import random

    rnd = random.Random(7)
    return PILImage.frombytes("RGB", (w, h), bytes(rnd.randrange(256) for _ in range(w * h * 3)))


def test_png_rows_are_unfiltered_except_photos_which_use_up(tmp_path):
    from tushuo.layout.frame import Image as ImageOp
    from tushuo.paint.raster import paint

    f = noisy(300, 1300)  # taller than a band: the photo straddles two bands
    f.add(ImageOp(20, 400, 200, 300, image=photo(200, 300)))
    write_frame(f, tmp_path / "a.png")
    with PILImage.open(tmp_path / "a.png") as im:
        assert im.mode == "RGB" and ImageChops.difference(im.convert("RGB"), paint(f)).getbbox() is None
    kinds = _png_rows(tmp_path / "a.png")
    assert len(kinds) == 1300
    assert {kinds[y] for y in range(400, 700)} == {2} and {kinds[y] for y in range(400)} == {0}
    assert {kinds[y] for y in range(700, 1300)} == {0}


def test_png_of_a_transparent_canvas_keeps_alpha(tmp_path):
    from tushuo.paint.raster import paint

    f = Frame(200, 700, background="#00000000")
    f.add(Rect(10, 10, 150, 650, fill="#C9302C80", radius=30))
    write_frame(f, tmp_path / "a.png")
    with PILImage.open(tmp_path / "a.png") as im:
        assert im.mode == "RGBA"
        assert ImageChops.difference(im, paint(f)).getbbox() is None
        assert im.getpixel((100, 300))[3] == 0x80 and im.getpixel((190, 5))[3] == 0


def test_a_tall_few_colour_image_is_one_palette_png_and_many_colours_later_are_not(tmp_path):
    from tushuo.paint.raster import paint

    flat = striped(1600)  # flat colours over several bands: held back and written as a palette
    write_frame(flat, tmp_path / "flat.png")
    with PILImage.open(tmp_path / "flat.png") as im:
        assert im.mode == "P" and ImageChops.difference(im.convert("RGB"), paint(flat)).getbbox() is None
    late = striped(1600)  # the many colours start in the third band: held bands are written first
    late.add(Rect(0, 1200, 200, 300, gradient=("#000000", "#FFFFFF")))
    late.add(Rect(0, 1200, 200, 300, gradient=("#FF000080", "#0000FF80")))
    write_frame(late, tmp_path / "late.png")
    with PILImage.open(tmp_path / "late.png") as im:
        assert im.mode == "RGB" and ImageChops.difference(im, paint(late)).getbbox() is None
