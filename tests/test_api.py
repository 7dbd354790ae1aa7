"""The public render paths: tushuo.render_image and tushuo.render from a loaded document."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PIL import Image as PILImage
from PIL import ImageChops

import tushuo
from tushuo.inputs import layout_document

SPEC = {
    "title": "图说换届",
    "blocks": [
        {"type": "banner", "title": "图说换届", "subtitle": "颍州区委组织部 · 第1期", "badge": "第1期"},
        {"type": "heading", "text": "一、选民登记"},
        {
            "type": "paragraph",
            "text": "选举日前20日公布选民名单。对选民名单有不同意见的，可以在名单公布之日起5日内向村民选举委员会提出申诉。"
            * 3,
        },
        {
            "type": "callout",
            "title": "提示",
            "text": "外出务工人员可以书面委托本村有选举权的近亲属代为投票。",
        },
        {"type": "paragraph", "text": "投票结束后，应当众公开唱票、计票，当场公布选举结果。" * 4},
    ],
    "footer": {"text": "颍州区委组织部 出品"},
}


@pytest.fixture(scope="module")
def doc() -> tushuo.Document:
    return tushuo.load(SPEC)


@pytest.fixture(scope="module")
def image(doc) -> PILImage.Image:
    return tushuo.render_image(doc)


def test_render_image_is_the_whole_long_image(doc, image):
    frame = layout_document(doc)
    assert image.size == (1080, round(frame.height))
    assert image.mode == "RGB"
    # the banner is drawn at the top (not the background colour), the page below it
    top = image.getpixel((540, 10))
    assert top != image.getpixel((540, image.height // 2))
    assert len(set(image.crop((0, 0, 1080, 200)).get_flattened_data())) > 50  # real content, antialiased


def test_render_image_width_override_keeps_the_picture(doc, image):
    small = tushuo.render_image(doc, width=750)
    assert small.width == 750
    # the same picture at 750/1080: heights agree within a few lines' rounding
    assert abs(small.height - image.height * 750 / 1080) < 0.05 * small.height


def test_render_png_equals_render_image(tmp_path, doc, image):
    paths = tushuo.render(doc, tmp_path / "手册.png")
    assert paths == [tmp_path / "手册.png"]
    with PILImage.open(paths[0]) as im:
        assert ImageChops.difference(im.convert("RGB"), image).getbbox() is None


def test_render_slices_into_a_folder(tmp_path, doc, image):
    paths = tushuo.render(doc, f"{tmp_path}/out/", slice_height=700)
    assert [p.name for p in paths] == [f"{i:02d}.png" for i in range(1, len(paths) + 1)]
    assert len(paths) >= 2
    total = 0
    for p in paths:
        with PILImage.open(p) as im:
            assert im.width == 1080 and im.height <= 700
            total += im.height
    assert total == image.height


def test_render_jpeg_and_webp_by_suffix(tmp_path, doc):
    (jpg,) = tushuo.render(doc, tmp_path / "a.jpg", quality=80)
    (webp,) = tushuo.render(doc, tmp_path / "a.webp")
    assert jpg.read_bytes()[:3] == b"\xff\xd8\xff"
    assert webp.read_bytes()[8:12] == b"WEBP"


def test_document_output_section_is_the_default(tmp_path):
    d = tushuo.load({**SPEC, "output": {"format": "jpeg", "slice_height": 900}})
    paths = tushuo.render(d, tmp_path / "slices")
    assert paths and all(p.suffix == ".jpg" for p in paths)
    paths = tushuo.render(d, tmp_path / "one.png", slice_height=0)  # explicit beats the document
    assert paths == [tmp_path / "one.png"]


def test_render_pdf_by_suffix(tmp_path, doc):
    (pdf,) = tushuo.render(doc, tmp_path / "manual.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_failed_render_leaves_nothing(tmp_path, doc):
    with pytest.raises(tushuo.SpecError, match="unknown output suffix"):
        tushuo.render(doc, tmp_path / "a.bmp")
    with pytest.raises(tushuo.SpecError):
        tushuo.render(doc, tmp_path / "b.png", theme="no-such-theme")
    with pytest.raises(tushuo.SpecError, match="cannot fit"):
        tushuo.render(doc, tmp_path / "c.jpg", max_bytes=10_000)
    assert os.listdir(tmp_path) == []


def test_missing_glyphs_are_an_error_unless_allowed(tmp_path):
    d = tushuo.load({"title": "t", "blocks": [{"type": "paragraph", "text": "字\U000f0041字"}]})
    with pytest.raises(tushuo.SpecError, match="U\\+F0041"):
        tushuo.render(d, tmp_path / "a.png")
    assert os.listdir(tmp_path) == []
    with pytest.warns(tushuo.errors.TushuoWarning, match="U\\+F0041"):
        (p,) = tushuo.render(d, tmp_path / "a.png", allow_missing_glyphs=True)
    assert p.is_file()


def test_render_stays_the_function_after_submodules_load():
    from tushuo.paint import raster  # noqa: F401

    assert callable(tushuo.render) and tushuo.render.__module__ == "tushuo.api"
    assert tushuo.render_image.__module__ == "tushuo.api"


def test_importing_tushuo_stays_light():
    code = "import tushuo, sys; print('matplotlib' in sys.modules, 'reportlab' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]
