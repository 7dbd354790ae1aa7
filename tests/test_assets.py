"""The path sandbox and safe image opening (tushuo/assets.py)."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from tushuo.assets import _cache, open_image, resolve_path
from tushuo.errors import SpecError


@pytest.fixture()
def spec_dir(tmp_path: Path) -> Path:
    """A spec folder with photos/ok.png, and a secret file beside the folder."""
    d = tmp_path / "spec"
    (d / "photos").mkdir(parents=True)
    Image.new("RGB", (8, 6), (200, 30, 30)).save(d / "photos" / "ok.png")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    return d


def refused(ref: str, base: Path | None, roots: tuple[Path, ...] = ()) -> SpecError:
    with pytest.raises(SpecError) as exc:
        resolve_path(ref, base, roots)
    assert exc.value.exit_code == 2
    return exc.value


# ----------------------------------------------------------------------------- resolve_path
def test_relative_path_resolves_against_the_spec_folder(spec_dir: Path) -> None:
    assert resolve_path("photos/ok.png", spec_dir) == (spec_dir / "photos" / "ok.png").resolve()
    assert resolve_path("./photos/../photos/ok.png", spec_dir) == (spec_dir / "photos" / "ok.png").resolve()


def test_dotdot_escape_refused(spec_dir: Path) -> None:
    err = refused("../secret.txt", spec_dir)
    assert str(err).startswith("path leaves the spec's folder: ../secret.txt (resolves to ")
    assert f"files must be inside {spec_dir.resolve()}" in str(err)


def test_absolute_path_outside_refused_inside_allowed(spec_dir: Path) -> None:
    outside = spec_dir.parent / "secret.txt"
    err = refused(str(outside), spec_dir)
    assert str(err) == (
        f"absolute path outside the spec's folder: {outside}; copy the file next to the spec "
        f"and name it relative to {spec_dir.resolve()}"
    )
    inside = (spec_dir / "photos" / "ok.png").resolve()
    assert resolve_path(str(inside), spec_dir) == inside


def test_symlink_pointing_out_refused(spec_dir: Path) -> None:
    (spec_dir / "link.txt").symlink_to(spec_dir.parent / "secret.txt")
    err = refused("link.txt", spec_dir)
    assert str(err) == (
        f"'link.txt' is a symlink that points outside the spec's folder (to {(spec_dir.parent / 'secret.txt').resolve()}); "
        "copy the file itself into the folder"
    )
    # a symlink that stays inside is fine
    (spec_dir / "alias.png").symlink_to(spec_dir / "photos" / "ok.png")
    assert resolve_path("alias.png", spec_dir) == (spec_dir / "photos" / "ok.png").resolve()


@pytest.mark.parametrize(
    "url", ["https://example.org/a.png", "http://x/y.jpg", "ftp://h/f", "//cdn.example.org/a.png",
            "data:image/png;base64,iVBORw0KGgo=", "file:///etc/passwd", "HTTPS://EXAMPLE.ORG/A.PNG"],
)
def test_urls_refused(spec_dir: Path, url: str) -> None:
    err = refused(url, spec_dir)
    assert str(err) == (
        f"URLs are not allowed: {url}: tushuo never accesses the network; download the file next to the spec"
    )


def test_missing_file_says_where_it_looked(spec_dir: Path) -> None:
    err = refused("photos/x.jpg", spec_dir)
    assert str(err) == f"file not found: photos/x.jpg (looked in {spec_dir.resolve()})"


def test_folder_is_not_a_file(spec_dir: Path) -> None:
    assert str(refused("photos", spec_dir)) == "not a file: photos is a folder; name a file inside it"
    assert str(refused("  ", spec_dir)) == "empty path: name a file relative to the spec"


def test_extra_roots_allow_a_folder(spec_dir: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "logo.png").write_bytes(b"x")
    assert resolve_path(str(shared / "logo.png"), spec_dir, (shared,)) == (shared / "logo.png").resolve()
    assert resolve_path("../shared/logo.png", spec_dir, (shared,)) == (shared / "logo.png").resolve()
    refused("../secret.txt", spec_dir, (shared,))


def test_no_base_dir_means_the_cwd_is_the_root(spec_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(spec_dir)
    assert resolve_path("photos/ok.png", None) == (spec_dir / "photos" / "ok.png").resolve()
    assert "path leaves the spec's folder" in str(refused("../secret.txt", None))


# ----------------------------------------------------------------------------- open_image
def _png_header(path: Path, width: int, height: int) -> None:
    """A PNG whose header claims width x height (no pixel data): a decompression bomb's calling card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))


def image_error(path: Path, **kw: int) -> str:
    with pytest.raises(SpecError) as exc:
        open_image(path, **kw)
    assert exc.value.exit_code == 2
    return str(exc.value)


def test_plain_png_opens_as_rgb(spec_dir: Path) -> None:
    im = open_image(spec_dir / "photos" / "ok.png")
    assert (im.mode, im.size, im.getpixel((0, 0))) == ("RGB", (8, 6), (200, 30, 30))


def test_decompression_bomb_refused_from_the_header(tmp_path: Path) -> None:
    _png_header(tmp_path / "bomb.png", 10_000, 7_000)  # 70 MP: under Pillow's own warning, over ours
    assert image_error(tmp_path / "bomb.png") == (
        "image too large: 10000 x 7000 px (70 megapixels; the limit is 60): bomb.png; "
        "scale it down (2000 px wide is plenty)"
    )
    _png_header(tmp_path / "huge.png", 100_000, 100_000)  # Pillow itself refuses this one
    assert image_error(tmp_path / "huge.png") == (
        "image too large: 10000 megapixels (the limit is 60): huge.png; scale it down (2000 px wide is plenty)"
    )


def test_pixel_budget_is_a_parameter(tmp_path: Path) -> None:
    Image.new("RGB", (100, 80), "white").save(tmp_path / "a.png")
    assert image_error(tmp_path / "a.png", max_pixels=5_000) == (
        "image too large: 100 x 80 px (0 megapixels; the limit is 0.005): a.png; scale it down (2000 px wide is plenty)"
    )
    assert open_image(tmp_path / "a.png", max_pixels=8_000).size == (100, 80)


def test_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "notes.png").write_text("这不是图片", encoding="utf-8")
    assert image_error(tmp_path / "notes.png") == (
        "not an image: notes.png (or a format tushuo does not read; use PNG, JPEG or WebP)"
    )


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_image(tmp_path: Path, fmt: str) -> None:
    p = tmp_path / f"cut.{fmt.lower()}"
    Image.effect_noise((200, 200), 60).convert("RGB").save(p, fmt)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    assert image_error(p).startswith(f"damaged or truncated image: cut.{fmt.lower()} (")


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(tmp_path / "cmyk.jpg", quality=95)
    assert Image.open(tmp_path / "cmyk.jpg").mode == "CMYK"
    im = open_image(tmp_path / "cmyk.jpg")
    assert im.mode == "RGB"
    r, g, b = im.getpixel((20, 15))
    assert r > 230 and g < 30 and b < 30  # still red, not inverted


def test_16_bit_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    Image.new("I;16", (10, 10), 32768).save(tmp_path / "grey16.png")
    assert Image.open(tmp_path / "grey16.png").mode.startswith("I")
    im = open_image(tmp_path / "grey16.png")
    assert im.mode == "RGB"
    assert all(abs(c - 128) <= 1 for c in im.getpixel((5, 5)))  # mid grey, not white


def test_exif_rotated_jpeg_is_upright(tmp_path: Path) -> None:
    stored = Image.new("RGB", (60, 40), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 30, 40))  # left half red as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    stored.save(tmp_path / "phone.jpg", exif=exif.tobytes(), quality=95)
    im = open_image(tmp_path / "phone.jpg")
    assert im.size == (40, 60)
    top, bottom = im.getpixel((20, 5)), im.getpixel((20, 55))
    assert top[0] > 200 and top[2] < 60  # the stored left (red) is now on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_palette_and_grey_alpha_become_rgba(tmp_path: Path) -> None:
    pal = Image.new("P", (4, 4), 0)
    pal.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    pal.info["transparency"] = 0
    pal.save(tmp_path / "pal.png", transparency=0)
    im = open_image(tmp_path / "pal.png")
    assert im.mode == "RGBA" and im.getpixel((0, 0))[3] == 0
    Image.new("LA", (4, 4), (90, 128)).save(tmp_path / "la.png")
    im = open_image(tmp_path / "la.png")
    assert im.mode == "RGBA" and im.getpixel((1, 1)) == (90, 90, 90, 128)
    Image.new("P", (4, 4), 1).save(tmp_path / "opaque.gif")
    assert open_image(tmp_path / "opaque.gif").mode == "RGB"


def test_cache_returns_copies_and_notices_changes(tmp_path: Path) -> None:
    p = tmp_path / "c.png"
    Image.new("RGB", (5, 5), (10, 20, 30)).save(p)
    a = open_image(p)
    a.putpixel((0, 0), (0, 0, 0))  # a caller may draw on its copy
    b = open_image(p)
    assert b is not a and b.getpixel((0, 0)) == (10, 20, 30)
    Image.new("RGB", (5, 5), (40, 50, 60)).save(p)
    os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 10_000_000))
    assert open_image(p).getpixel((0, 0)) == (40, 50, 60)


def test_cache_is_bounded() -> None:
    assert _cache.max_entries <= 64 and _cache.max_bytes <= 512 * 1024 * 1024
    _cache.clear()
    for i in range(_cache.max_entries + 5):
        _cache.put(("k", i), object(), 10)
    assert len(_cache._items) == _cache.max_entries
    assert _cache.get(("k", 0)) is None and _cache.get(("k", _cache.max_entries + 4)) is not None
    _cache.put(("big",), object(), _cache.max_bytes + 1)  # too big to keep
    assert _cache.get(("big",)) is None
    _cache.clear()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_files_are_closed(tmp_path: Path) -> None:
    paths = []
    for i in range(20):
        p = tmp_path / f"f{i}.jpg"
        Image.new("RGB", (16, 16), (i, i, i)).save(p)
        paths.append(p)
    before = len(os.listdir("/proc/self/fd"))
    for p in paths:
        open_image(p)
    assert len(os.listdir("/proc/self/fd")) <= before
