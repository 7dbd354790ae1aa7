"""The bad-input catalogue (tests/bad_inputs/cases.yaml), run through the command line.

Every case is a spec an office user could plausibly hand tushuo: a syntax slip, a typo
in a key, a photo straight from a phone, an Excel export, a path out of the folder.
tushuo must either render it correctly (exit 0, the pictures upright, the colours
right) or refuse it with exit 2 and a message that starts ``FILE:LINE:COL:`` and names
the spec path, with no traceback, and leave no output file (nor a temporary) behind.

Each case runs in its own folder (a copy of the spec and the files it ``uses``, plus
fixtures ``make`` builds at test time: pictures, symlinks, multi-megabyte specs), with
``render SPEC -o out/out.png`` in-process, and again with ``check`` for the cases a
check must find too. A few run in a subprocess to prove nothing reaches stderr but the
message.
"""

from __future__ import annotations

import io
import itertools
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from guard import traced
from PIL import Image

from tushuo.cli import main

HERE = Path(__file__).parent / "bad_inputs"
ROOT = Path(__file__).resolve().parent.parent
CASES: list[dict[str, Any]] = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- fixtures made at test time
def _photo(w: int, h: int) -> Image.Image:
    """A busy picture (noise over a gradient): compresses like a photo, not like a flat graphic."""
    im = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    noise = Image.effect_noise((w, h), 40).convert("RGB")
    return Image.blend(im, noise, 0.3)


def make_truncated(d: Path) -> None:
    buf = io.BytesIO()
    _photo(640, 480).save(buf, "JPEG", quality=90)
    (d / "truncated.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])


def make_bomb(d: Path) -> None:
    # 15,000 x 15,000 one-bit pixels: a 27 KB file that would decode to 225 megapixels.
    Image.new("1", (15_000, 15_000)).save(d / "bomb.png", optimize=True)


def make_cmyk(d: Path) -> None:
    # Pure magenta + yellow ink: red on screen. Top half red, bottom half white paper.
    im = Image.new("CMYK", (400, 300), (0, 0, 0, 0))
    im.paste((0, 255, 255, 0), (0, 0, 400, 150))
    im.save(d / "cmyk.jpg", quality=95)


def make_16bit(d: Path) -> None:
    # A left-to-right ramp over the whole 16-bit range (a naive 8-bit conversion turns it white).
    im = Image.new("I;16", (512, 256))
    im.putdata([x * 128 for _ in range(256) for x in range(512)])
    im.save(d / "deep.png")


def make_exif_rotated(d: Path) -> None:
    # Stored landscape 400 x 240 as a phone's sensor reads it: red on the left, blue on the
    # right. EXIF orientation 6 says "rotate 90° clockwise to view": upright it is a
    # portrait 240 x 400 with red on TOP and blue at the bottom.
    im = Image.new("RGB", (400, 240), (30, 60, 200))
    im.paste((220, 30, 30), (0, 0, 200, 240))
    exif = Image.Exif()
    exif[0x0112] = 6
    im.save(d / "phone.jpg", exif=exif.tobytes(), quality=95)


def make_busy(d: Path) -> None:
    # Random pixels: compresses worse than any photo (Pillow's JPEG optimize buffer overflowed on it).
    Image.frombytes("RGB", (900, 900), random.Random(3).randbytes(900 * 900 * 3)).save(d / "busy.png")


def make_symlink_out(d: Path) -> None:
    outside = d.parent / "outside.jpg"
    _photo(64, 64).save(outside)
    os.symlink(outside, d / "link.jpg")


def make_png_as_spec(d: Path) -> None:
    buf = io.BytesIO()
    _photo(32, 32).save(buf, "PNG")
    (d / "photo-as-spec.yaml").write_bytes(buf.getvalue())


def make_text_10mb(d: Path) -> None:
    rnd = random.Random(7)
    chars = "全区村社区两委换届选举工作有序推进党员群众参与热情高，。、"
    chunk = "".join(rnd.choice(chars) for _ in range(10_000))
    text = chunk * 350  # 3.5 million characters, 10.5 MB of UTF-8
    (d / "text-10mb.yaml").write_text(
        f"title: 一段十兆字节的文字\nblocks:\n  - type: paragraph\n    text: {text}\n", encoding="utf-8"
    )


def make_blocks_5000(d: Path) -> None:
    body = "".join(f"  - {{type: paragraph, text: 第{i + 1}段：换届工作有序推进。}}\n" for i in range(5000))
    (d / "blocks-5000.yaml").write_text(f"title: 五千个块\nblocks:\n{body}", encoding="utf-8")


def make_too_tall(d: Path) -> None:
    body = "  - {type: spacer, height: 2000}\n" * 520
    (d / "too-tall.yaml").write_text(f"title: 一百万像素高\nblocks:\n{body}", encoding="utf-8")


def make_postscript(d: Path) -> None:
    # PostScript in a file named .png: Pillow would identify it by content and run Ghostscript.
    (d / "pic.png").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n{ } loop\n")


def make_huge_metadata(d: Path) -> None:
    # An 8 x 8 PNG whose zTXt comment inflates to 5 MB (5 KB on disk).
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "x" * (5 << 20), zip=True)
    Image.new("RGB", (8, 8)).save(d / "ztxt.png", pnginfo=info)


def _theme_font(d: Path, end: int) -> Path:
    from test_promises import THEME_WITH_FONT, _font_with_cmap_range_end

    (d / "theme.yaml").write_text(THEME_WITH_FONT, encoding="utf-8")
    return _font_with_cmap_range_end(d, end)


def make_font_cmap_range(d: Path) -> None:
    # A format-12 cmap group ending at 0x7FFFFFFF: the PDF subsetter once allocated until killed.
    _theme_font(d, 0x7FFFFFFF)


def make_font_truncated(d: Path) -> None:
    path = _theme_font(d, 0x2606)
    path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])


def make_theme_font_outside(d: Path) -> None:
    # A real font beside the case folder, named by its absolute path (it was read and embedded).
    outside = d.parent / "outside.ttf"
    shutil.copy(ROOT / "fonts" / "NotoSansSymbols2-Regular.ttf", outside)
    (d / "theme.yaml").write_text(f"name: t\nfont_files: {{mine: '{outside}'}}\nfonts: {{body: mine}}\n",
                                  encoding="utf-8")


def make_theme_too_large(d: Path) -> None:
    with (d / "theme.yaml").open("w", encoding="utf-8") as fh:
        fh.write("name: big\n")
        fh.truncate(1024 * 1024 + 1)


def make_csv_rows(d: Path) -> None:
    (d / "rows.csv").write_text("name,v\n" + "".join(f"L{i},{i % 97 + 1}\n" for i in range(150)), encoding="utf-8")


def make_csv_cells(d: Path) -> None:
    (d / "cells.csv").write_text("n,v\n" + "a,1\n" * 60_000, encoding="utf-8")


def make_thin(d: Path) -> None:
    from test_promises_cost import flat_png

    flat_png(d / "thin.png", 1, 50_000_000, "L", 255)  # a 100 KB file; 50 megapixels in one column


def make_big_grid(d: Path) -> None:
    from test_promises_cost import flat_png

    flat_png(d / "p1.png", 7_700, 7_700, "1")  # 59 megapixels in 8 KB; 16 of them hold 949
    for i in range(2, 17):
        shutil.copy(d / "p1.png", d / f"p{i}.png")


def make_json_5000_digits(d: Path) -> None:
    # a chart's JSON data with an int past Python's 4,300-digit str/int limit
    (d / "big-number.json").write_text('[{"乡镇": "清河", "已完成": ' + "9" * 5000 + "}]\n", encoding="utf-8")


def make_steps_301(d: Path) -> None:
    items = "".join(f"      - {{id: s{i}, title: 第{i}步}}\n" for i in range(301))
    (d / "steps-301-items.yaml").write_text("title: 流程\nblocks:\n  - type: steps\n    items:\n" + items, encoding="utf-8")


MAKERS: dict[str, Callable[[Path], None]] = {
    "font-cmap-range": make_font_cmap_range, "font-truncated": make_font_truncated,
    "theme-too-large": make_theme_too_large, "theme-font-outside": make_theme_font_outside, "csv-rows": make_csv_rows, "csv-cells": make_csv_cells,
    "thin": make_thin, "big-grid": make_big_grid, "json-5000-digits": make_json_5000_digits, "steps-301": make_steps_301,
    "truncated": make_truncated, "bomb": make_bomb, "cmyk": make_cmyk, "16bit": make_16bit,
    "exif-rotated": make_exif_rotated, "symlink-out": make_symlink_out, "png-as-spec": make_png_as_spec,
    "busy": make_busy, "text-10mb": make_text_10mb, "blocks-5000": make_blocks_5000, "too-tall": make_too_tall,
    "postscript": make_postscript, "huge-metadata": make_huge_metadata,
}


# --------------------------------------------------------------------------- pixel checks of good cases
def _image_op(spec: Path) -> Any:
    """The laid-out Image op of a one-picture spec (where the painter put the picture)."""
    from tushuo.api import load
    from tushuo.inputs import layout_document
    from tushuo.layout.frame import Image as ImageOp

    frame = layout_document(load(str(spec)))
    ops = [op for op in frame.walk() if isinstance(op, ImageOp)]
    assert len(ops) == 1
    return ops[0]


def _near(px: tuple[int, ...], want: tuple[int, int, int], tol: int = 40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(px[:3], want))


def pixels_upright(spec: Path, png: Path) -> None:
    op = _image_op(spec)
    assert op.h > op.w * 1.5, f"the portrait photo is laid out {op.w:.0f} x {op.h:.0f}: EXIF rotation ignored"
    with Image.open(png) as im:
        im = im.convert("RGB")
        cx = round(op.x + op.w / 2)
        top = im.getpixel((cx, round(op.y + op.h * 0.25)))
        bottom = im.getpixel((cx, round(op.y + op.h * 0.75)))
        left = im.getpixel((round(op.x + op.w * 0.2), round(op.y + op.h * 0.75)))
    assert _near(top, (220, 30, 30)), f"top of the photo is {top}, not red: not upright"
    assert _near(bottom, (30, 60, 200)) and _near(left, (30, 60, 200)), f"bottom is {bottom}/{left}, not blue"


def pixels_cmyk_red(spec: Path, png: Path) -> None:
    op = _image_op(spec)
    with Image.open(png) as im:
        im = im.convert("RGB")
        cx = round(op.x + op.w / 2)
        ink = im.getpixel((cx, round(op.y + op.h * 0.25)))
        paper = im.getpixel((cx, round(op.y + op.h * 0.75)))
    assert ink[0] > 180 and ink[1] < 90 and ink[2] < 90, f"CMYK red came out as {ink}"
    assert min(paper) > 200, f"CMYK white paper came out as {paper}"


def pixels_16bit_ramp(spec: Path, png: Path) -> None:
    op = _image_op(spec)
    with Image.open(png) as im:
        im = im.convert("L")
        y = round(op.y + op.h / 2)
        vals = [im.getpixel((round(op.x + op.w * f), y)) for f in (0.05, 0.25, 0.5, 0.75, 0.95)]
    assert vals[0] < 40 and vals[-1] > 215, f"16-bit ramp lost its range: {vals}"
    assert vals == sorted(vals) and vals[1] < vals[2] < vals[3], f"16-bit ramp is not a ramp: {vals}"


def pixels_replacement_boxes(spec: Path, png: Path) -> None:
    """Each missing character is drawn as a visible empty box: ink on its outline, none inside."""
    from tushuo.api import load
    from tushuo.inputs import layout_document
    from tushuo.layout.frame import Text

    frame = layout_document(load(str(spec)), allow_missing_glyphs=True)
    cells = []
    for op in frame.walk():
        if isinstance(op, Text):
            for run in op.runs:
                for ch, x in zip(run.text, run.xs):
                    if ch in ("𪚥", "😀"):
                        cells.append((x, run.y, run.size))
    assert len(cells) == 2
    with Image.open(png) as im:
        gray = im.convert("L")
        bg = gray.getpixel((2, 2))
        for x, base, size in cells:
            box = gray.crop((round(x), round(base - size), round(x + size), round(base + size * 0.2)))
            dark = sum(box.histogram()[: max(0, bg - 80)])
            assert dark > size * 1.5, f"no visible replacement box at x={x:.0f} ({dark} inked pixels)"
            inner = gray.crop((round(x + size * 0.3), round(base - size * 0.55),
                               round(x + size * 0.6), round(base - size * 0.25)))
            assert inner.getextrema()[0] > bg - 40, "the replacement box should be empty inside"


def busy_jpeg(spec: Path, jpg: Path) -> None:
    """A picture that does not compress still makes a valid JPEG (decoded back, busy where the photo is)."""
    from PIL import ImageStat

    op = _image_op(spec)
    with Image.open(jpg) as im:
        assert im.format == "JPEG" and im.width == 1080
        photo = im.convert("L").crop((round(op.x), round(op.y), round(op.x + op.w), round(op.y + op.h)))
        assert ImageStat.Stat(photo).stddev[0] > 40


def gbk_chart(spec: Path, png: Path) -> None:
    """Excel's GBK export is read as Chinese (not mojibake) and drawn."""
    from tushuo.data import read_table

    table = read_table(spec.parent / "gbk.csv")
    assert table.labels == ["清河街道", "文峰街道", "颍西街道"]
    assert table.names == ["已完成", "未完成"] and table.columns == [[12, 9, 15], [1, 3, 0]]
    with Image.open(png) as im:
        assert im.width == 1080 and im.height > 500
        assert len(im.convert("RGB").getcolors(1 << 16) or range(1 << 16)) > 50  # a chart, not a blank card


def dashed_loops(spec: Path, png: Path) -> None:
    """Every loop back to the first step is drawn dashed: along the longest one's longest vertical
    run, ink and gaps alternate about once per dash period, over its whole length."""
    from tushuo.api import load
    from tushuo.inputs import layout_document
    from tushuo.layout.frame import Line

    frame = layout_document(load(str(spec)))
    loops = [op for op in frame.walk() if isinstance(op, Line) and op.dash]
    assert len(loops) == 16  # 15 "否" loops and the last step's "是" back to the first
    runs = [(abs(b[1] - a[1]), a, b, op) for op in loops for a, b in itertools.pairwise(op.points) if a[0] == b[0]]
    length, a, b, op = max(runs, key=lambda r: r[0])
    assert length > 3000
    ink = tuple(int(op.color[k:k + 2], 16) for k in (1, 3, 5))
    with Image.open(png) as im:
        rgb = im.convert("RGB")
        y0, y1 = sorted((round(a[1]), round(b[1])))
        on = [_near(rgb.getpixel((round(a[0]), y)), ink, 60) for y in range(y0 + 40, y1 - 40)]
    flips = sum(1 for p, q in itertools.pairwise(on) if p != q)
    period = op.dash[0] + op.dash[1]
    assert abs(flips - 2 * len(on) / period) < 4, (flips, len(on), period)


PIXELS: dict[str, Callable[[Path, Path], None]] = {
    "dashed-loops": dashed_loops,
    "upright": pixels_upright, "cmyk-red": pixels_cmyk_red, "16bit-ramp": pixels_16bit_ramp,
    "replacement-boxes": pixels_replacement_boxes, "gbk-chart": gbk_chart, "busy-jpeg": busy_jpeg,
}


# --------------------------------------------------------------------------- running a case
def _setup(case: dict[str, Any], tmp_path: Path) -> tuple[Path, Path]:
    """The case's folder (spec, its files, made fixtures) and an empty output folder."""
    d = tmp_path / "case"
    d.mkdir()
    for name in [case["file"], *case.get("uses", [])]:
        src = HERE / name
        if src.exists():
            shutil.copy(src, d / name)
    for fixture in case.get("make", []):
        MAKERS[fixture](d)
    out = tmp_path / "out"
    out.mkdir()
    return d, out


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["file"] + "".join(f"+{a}" for a in c.get("args", [])) + (f"->{c['out']}" if c.get("out") else "")
            for c in cases]


def _assert_message(case: dict[str, Any], err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    first = err.strip().splitlines()[0] if err.strip() else ""
    assert first.startswith(case["at"] + ":"), f"expected the message to start with {case['at']}:, got:\n{err}"
    if case.get("path"):
        assert f": {case['path']}: " in first, f"expected the spec path {case['path']} in:\n{first}"
    assert case["message"] in err, f"expected {case['message']!r} in:\n{err}"


def test_catalogue_is_large_and_complete() -> None:
    """At least 40 committed bad inputs; every file named exists or is made; every maker and check is used."""
    committed = {c["file"] for c in CASES if (HERE / c["file"]).exists()}
    assert len(committed) >= 40
    made = {c["file"] for c in CASES if not (HERE / c["file"]).exists()}
    for c in CASES:
        assert c["exit"] in (0, 2)
        for u in c.get("uses", []):
            assert (HERE / u).exists(), u
        if c["file"] in made:
            assert c.get("make"), f"{c['file']} is neither committed nor made"
        if c["exit"] == 0:
            assert c.get("pixels") in PIXELS, f"{c['file']}: a good case must check its pixels"
        else:
            assert c.get("at") and c.get("message"), c["file"]
    assert {m for c in CASES for m in c.get("make", [])} == set(MAKERS)
    assert {c.get("pixels") for c in CASES if c.get("pixels")} == set(PIXELS)
    specs = {p.name for p in HERE.iterdir() if p.suffix in (".yaml", ".json")} - {"cases.yaml", "poor-spec.yaml"}
    assert specs <= {c["file"] for c in CASES}, f"specs missing from cases.yaml: {specs - committed}"


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_render(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                capsys: pytest.CaptureFixture[str]) -> None:
    d, out = _setup(case, tmp_path)
    monkeypatch.chdir(d)
    target = out / case.get("out", "out.png")
    with traced() as t:  # issue #14: nothing opened beside the case's folder, no program run
        rc = main(["render", case["file"], "-o", str(target), *case.get("args", [])])
    cap = capsys.readouterr()
    assert rc == case["exit"], f"exit {rc}, expected {case['exit']}\n{cap.err}"
    assert t.programs == []
    assert [p for p in t.opened_under(tmp_path, besides=d) if not p.startswith(str(out.resolve()))] == []
    left = sorted(p.name for p in out.iterdir())
    if case["exit"] == 0:
        assert left == [target.name], f"expected only {target.name} in the output folder, found {left}"
        assert "Traceback" not in cap.err
        if case.get("warning"):
            assert f"warning: {case['warning']}" in cap.err, cap.err
        PIXELS[case["pixels"]](d / case["file"], target)
    else:
        _assert_message(case, cap.err)
        assert left == [], f"a failed render left {left} behind"
        assert cap.out == ""


CHECKED = [c for c in CASES if c["exit"] == 2 and not c.get("render_only")]


@pytest.mark.parametrize("case", CHECKED, ids=_ids(CHECKED))
def test_check_finds_it_too(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    """``tushuo check`` reports the same located error a render meets, without painting."""
    d, _ = _setup(case, tmp_path)
    monkeypatch.chdir(d)
    before = sorted(p.name for p in d.iterdir())
    rc = main(["check", case["file"], *case.get("args", [])])
    cap = capsys.readouterr()
    assert rc == 2, cap.err
    _assert_message(case, cap.err)
    assert sorted(p.name for p in d.iterdir()) == before  # check writes nothing


SUBPROCESS = ["png-as-spec", "yaml-unclosed-list.yaml", "image-truncated.yaml", "path-symlink.yaml",
              "chart-infinite.yaml"]


@pytest.mark.parametrize("name", SUBPROCESS)
def test_no_traceback_reaches_stderr(name: str, tmp_path: Path) -> None:
    """In a real process: exit 2, stderr holds the located message and nothing else."""
    case = next(c for c in CASES if c["file"] == name or name in c.get("make", []))
    d, out = _setup(case, tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT), TUSHUO_DEBUG="")
    proc = subprocess.run([sys.executable, "-m", "tushuo", "render", case["file"], "-o", str(out / "out.png")],
                          cwd=d, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(case["at"] + ":"), proc.stderr
    assert case["message"] in proc.stderr
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- bounded canvas
# What a spec can make tushuo allocate: layout.stack.MAX_HEIGHT (1,000,000 px) bounds the
# frame; one painted image is at most render.output.MAX_IMAGE_HEIGHT (200,000 px; JPEG
# 65,500, WebP 16,383) tall and at most 4096 px wide; slices and PDF pages are painted one
# band at a time. Anything taller is refused before a pixel is allocated.
def _spacers(d: Path, n: int, extra: str = "") -> Path:
    p = d / "tall.yaml"
    p.write_text("title: 长图\nblocks:\n" + "  - {type: spacer, height: 2000}\n" * n + extra, encoding="utf-8")
    return p


def _no_painting(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    raster = importlib.import_module("tushuo.paint.raster")

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("painted a canvas that should have been refused")

    monkeypatch.setattr(raster.Painter, "paint", refuse)
    monkeypatch.setattr(raster, "paint", refuse)


@pytest.mark.parametrize(("suffix", "limit"), [("png", "200,000"), ("jpg", "65,500"), ("webp", "16,383")])
def test_one_image_too_tall_for_its_format_is_refused_before_painting(
    suffix: str, limit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tushuo.errors import SpecError

    _no_painting(monkeypatch)
    spec = _spacers(tmp_path, 101)  # 202,000+ px
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(SpecError) as err:
        from tushuo.api import load, render

        render(load(str(spec)), out / f"x.{suffix}")
    msg = err.value.format()
    assert msg.startswith(f"{spec}: the image is ") and f"allows at most {limit} px" in msg
    assert "slice_height" in msg and "PDF" in msg
    assert list(out.iterdir()) == []


def test_render_image_refuses_before_painting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tushuo.api import load, render_image
    from tushuo.errors import SpecError

    _no_painting(monkeypatch)
    with pytest.raises(SpecError, match=r"200,000 px tushuo paints at once; write slices .* or a PDF"):
        render_image(load(str(_spacers(tmp_path, 101))))


def test_layout_stops_at_the_block_that_crosses_the_maximum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The frame never grows past MAX_HEIGHT: layout stops at the first block beyond it, not at the end."""
    import importlib

    from tushuo.api import load
    from tushuo.errors import SpecError
    from tushuo.inputs import MAX_HEIGHT, layout_document

    registry = importlib.import_module("tushuo.layout.registry")
    importlib.import_module(f"tushuo.layout.{registry.MODULES['spacer']}")  # registers the spacer layout
    real = registry._LAYOUTS["spacer"]
    laid: list[int] = []
    doc = load(str(_spacers(tmp_path, 2000)))  # 4,000,000 px asked for
    monkeypatch.setitem(registry._LAYOUTS, "spacer", lambda b, w, c: laid.append(1) or real(b, w, c))
    with pytest.raises(SpecError) as err:
        layout_document(doc)
    assert err.value.path == "blocks[486]" and "taller than 1,000,000 px" in err.value.message
    assert len(laid) == 487 and MAX_HEIGHT == 1_000_000  # of the 2000 blocks asked for


def test_tall_images_are_painted_a_band_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One tall PNG, and slices, are painted band by band: memory stays one band whatever the height."""
    import importlib

    from tushuo.api import load, render
    from tushuo.paint.png import PNG_BAND

    raster = importlib.import_module("tushuo.paint.raster")
    bands: list[tuple[int, int]] = []

    def record(self: Any, r0: int, r1: int, into: Image.Image | None = None) -> Image.Image:
        bands.append((r0, r1))
        return Image.new("RGB", (self.width_px, r1 - r0), "white")  # the band's size is what matters here

    monkeypatch.setattr(raster.Painter, "paint_rows", record)
    doc = load(str(_spacers(tmp_path, 90, "width: 320\n")))  # 54,827 px at 320 wide (spacers scale)
    png = render(doc, tmp_path / "one.png")[0]
    assert max(r1 - r0 for r0, r1 in bands) <= PNG_BAND
    assert bands[0][0] == 0 and all(b[0] == a[1] for a, b in itertools.pairwise(bands))  # they tile the image
    with Image.open(png) as im:
        assert im.size == (320, bands[-1][1]) and im.height > 50_000

    bands.clear()
    paths = render(doc, tmp_path / "slices/", slice_height=5_000)
    assert len(paths) >= 11 and max(r1 - r0 for r0, r1 in bands) <= PNG_BAND
    for p in paths:
        with Image.open(p) as im:
            assert im.height <= 5_000
