"""The Python API as a way in (#19): models built naturally, output in memory, notebooks, YAML round trip."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image as PILImage
from PIL import ImageChops, ImageStat

import tushuo
from tushuo import (
    BannerBlock,
    ChecklistBlock,
    ComparisonBlock,
    Document,
    ParagraphBlock,
    SpecError,
    StepItem,
    StepsBlock,
    TableBlock,
)
from tushuo.errors import SpecErrors
from tushuo.spec.blocks import PYTHON_ONLY

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def small() -> Document:
    return Document(
        title="图说组工",
        blocks=[
            BannerBlock(title="图说组工", subtitle="颍州区委组织部", badge="第3期"),
            {"type": "paragraph", "text": "截至12月10日，全区**126个**村（社区）完成换届。" * 4},
            StepsBlock(items=[StepItem(id="s1", title="选民登记"), {"id": "s2", "title": "投票选举"}]),
        ],
        footer={"text": "颍州区委组织部 出品"},
    )


# ----------------------------------------------------------------------------- 1. construction
def test_block_models_know_their_type() -> None:
    assert BannerBlock(title="图说组工").type == "banner"
    assert TableBlock(rows=[["清河", 1]]).type == "table"
    for kind, model in tushuo.BLOCK_TYPES.items():
        assert model.model_fields["type"].default == kind


def test_dicts_and_models_mix_in_blocks_and_items() -> None:
    doc = small()
    assert [b.type for b in doc.blocks] == ["banner", "paragraph", "steps"]
    assert isinstance(doc.blocks[1], ParagraphBlock)
    assert [i.id for i in doc.blocks[2].items] == ["s1", "s2"]
    assert doc == tushuo.load({"title": "图说组工", "blocks": [b.model_dump() for b in doc.blocks],
                               "footer": {"text": "颍州区委组织部 出品"}})


#: the kinds a spec file can name (a FigureBlock comes from Python only)
FILE_TYPES = [t for t in tushuo.BLOCK_TYPES if t not in PYTHON_ONLY]


def test_a_file_still_needs_type_and_the_schema_says_so() -> None:
    with pytest.raises(SpecError) as exc:
        tushuo.load({"title": "x", "blocks": [{"title": "图说组工"}]})
    assert str(exc.value) == (
        "blocks[0]: the block has no type: add `type:` with one of " + ", ".join(FILE_TYPES)
    )
    schema = Document.model_json_schema()
    assert "type" in schema["$defs"]["BannerBlock"]["required"]
    assert "default" not in schema["$defs"]["BannerBlock"]["properties"]["type"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: StepsBlock(items=[{"id": "s1", "title": "a", "next": ["s9"]}]),
         "items[0].next[0].to: no item has id 's9' (ids: s1)"),
        (lambda: Document(title="x", blocks=[BannerBlock(title="t"), {"type": "table", "rows": [[1, 2], [3]]}]),
         "blocks[1].rows[1]: row has 1 cell for 2 cells in rows[0]; give every row 2 cells"),
        (lambda: ComparisonBlock(columns=[{"label": "合格"}, {"label": "不合格"}],
                                 rows=[{"aspect": "设备", "cells": ["齐全"]}]),
         "rows[0]: rows[0] (设备) has 1 cell for 2 columns; give one cell per column"),
        (lambda: BannerBlock(), "title: field required"),
        (lambda: Document(title="x", blocks=[{"type": "paragrap", "text": "y"}]),
         "blocks[0].type: unknown block type 'paragrap' (did you mean 'paragraph'?); valid types: "
         + ", ".join(FILE_TYPES)),
        (lambda: Document(title="x", blocks=[ChecklistBlock(items=["有固定场所"])], output={"quality": 200}),
         "output.quality: must be between 1 and 100, got 200"),
    ],
)
def test_construction_errors_read_like_the_loaders(build, message: str) -> None:
    with pytest.raises(SpecError) as exc:
        build()
    assert str(exc.value) == message
    assert "pydantic" not in str(exc.value) and "validation error" not in str(exc.value)


def test_several_construction_errors_are_listed() -> None:
    with pytest.raises(SpecErrors) as exc:
        Document(title="", blocks=[])
    assert str(exc.value).splitlines() == ["blocks: needs at least 1 item, got 0", "title: must not be empty"]


def test_loader_errors_keep_their_file_locations(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("title: x\nblocks:\n  - type: table\n    rows: [[1, 2], [3]]\n", encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        tushuo.load(spec)
    assert str(exc.value).endswith("s.yaml:4:20: blocks[0].rows[1]: row has 1 cell for 2 cells in rows[0]; "
                                   "give every row 2 cells")


# ----------------------------------------------------------------------------- 2. in memory
@pytest.fixture(scope="module")
def doc() -> Document:
    return small()


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp", "pdf", "svg"])
def test_render_bytes_equals_the_file(tmp_path: Path, doc: Document, fmt: str) -> None:
    data = tushuo.render_bytes(doc, format=fmt)
    assert isinstance(data, bytes)
    out = tmp_path / f"d.{fmt}"
    tushuo.render(doc, out)
    assert data == out.read_bytes()


def test_render_bytes_slices_are_a_list(tmp_path: Path, doc: Document) -> None:
    slices = tushuo.render_bytes(doc, format="png", slice_height=400)
    files = tushuo.render(doc, tmp_path / "out/", slice_height=400)
    assert isinstance(slices, list) and len(slices) == len(files) >= 2
    assert slices == [p.read_bytes() for p in files]
    heights = [PILImage.open(io.BytesIO(s)).height for s in slices]
    assert max(heights) <= 400 and sum(heights) == PILImage.open(io.BytesIO(tushuo.render_bytes(doc))).height


def test_render_into_a_bytesio_pdf_that_pypdf_reads(doc: Document) -> None:
    pypdf = pytest.importorskip("pypdf")
    buf = io.BytesIO()
    assert tushuo.render(doc, buf, format="pdf") == []
    reader = pypdf.PdfReader(io.BytesIO(buf.getvalue()))
    assert len(reader.pages) >= 2
    assert "选民登记" in "".join(p.extract_text() for p in reader.pages)


def test_render_bytes_has_renders_options_and_errors(doc: Document) -> None:
    with pytest.raises(SpecError, match="unknown output format 'gif'"):
        tushuo.render_bytes(doc, format="gif")
    with pytest.raises(SpecError, match="cannot fit in 10,000 bytes"):
        tushuo.render_bytes(doc, format="png", max_bytes=10_000)
    small_q = tushuo.render_bytes(doc, format="jpeg", quality=30)
    assert len(small_q) < len(tushuo.render_bytes(doc, format="jpeg", quality=95))


def test_a_stream_needs_a_format_and_gets_nothing_on_failure(doc: Document) -> None:
    buf = io.BytesIO()
    with pytest.raises(SpecError, match="needs format="):
        tushuo.render(doc, buf)
    with pytest.raises(SpecError, match="slices are several files"):
        tushuo.render(doc, buf, format="png", slice_height=400)
    with pytest.raises(SpecError, match="cannot fit"):
        tushuo.render(doc, buf, format="png", max_bytes=10_000)
    assert buf.getvalue() == b""


def test_render_pages_are_the_pdfs_pages(doc: Document) -> None:
    pypdf = pytest.importorskip("pypdf")
    from tushuo.layout.pages import PAGE_SIZES_MM

    for size in ("pocket", "A6"):
        pages = tushuo.render_pages(doc, size, dpi=72)
        pdf = pypdf.PdfReader(io.BytesIO(tushuo.render_bytes(doc, format="pdf", page_size=size)))
        assert len(pages) == len(pdf.pages)
        w_mm, h_mm = PAGE_SIZES_MM[size.lower()]
        for im, page in zip(pages, pdf.pages):
            assert abs(im.width - float(page.mediabox.width)) <= 1  # 72 dpi: one px per pt
            assert abs(im.height / im.width - h_mm / w_mm) < 0.01


def test_a_page_shows_the_long_images_band(doc: Document) -> None:
    """Body page 1 (after the cover) carries the frame band below the banner, as the long image has it."""
    from tushuo.layout.pages import parse_page_size, plan_pages
    from tushuo.pipeline import layout

    frame, _ = layout(doc)
    plan = plan_pages(frame, doc, parse_page_size("pocket"))
    cut = plan.cuts[0]
    dpi = 72 * frame.width / parse_page_size("pocket").width  # one device px per design px
    page = tushuo.render_pages(doc, "pocket", dpi=dpi)[1]
    long = tushuo.render_image(doc)
    a = long.crop((0, round(cut.top), long.width, round(cut.top) + 300))
    top = round(plan.margin_top)
    b = page.crop((0, top, page.width, top + 300)).convert(a.mode)
    assert b.size == a.size
    assert max(ImageStat.Stat(ImageChops.difference(a, b)).mean) < 2.0


def test_render_pages_refuses_a_bad_page_size(doc: Document) -> None:
    with pytest.raises(SpecError, match="page"):
        tushuo.render_pages(doc, "B99")


# ----------------------------------------------------------------------------- 3. notebooks
def test_notebook_shows_a_png_and_the_svg(doc: Document) -> None:
    pytest.importorskip("IPython")
    import base64

    from IPython.core.formatters import DisplayFormatter

    data, meta = DisplayFormatter().format(doc)
    png = PILImage.open(io.BytesIO(base64.b64decode(data["image/png"])))
    assert png.width == 540
    assert abs(png.height - tushuo.render_image(doc).height / 2) <= 1
    assert data["image/svg+xml"].lstrip().startswith("<?xml") and "<svg" in data["image/svg+xml"]
    assert meta["image/png"] == {"width": png.width, "height": png.height}
    assert data["text/plain"].startswith("<tushuo.Document '图说组工'")


def test_a_very_tall_document_shows_its_top_with_a_note() -> None:
    pytest.importorskip("IPython")
    import base64

    from IPython.core.formatters import DisplayFormatter

    from tushuo.api import PREVIEW_MAX_HEIGHT

    tall = Document(title="长", blocks=[ParagraphBlock(text="选举日前20日公布选民名单。" * 60)] * 30)
    data, _ = DisplayFormatter().format(tall)
    png = PILImage.open(io.BytesIO(base64.b64decode(data["image/png"])))
    assert PREVIEW_MAX_HEIGHT < png.height < PREVIEW_MAX_HEIGHT + 60  # the top, and a strip with the note
    assert "image/svg+xml" not in data
    assert "preview: top 6000 of" in data["text/plain"]
    note = png.crop((0, PREVIEW_MAX_HEIGHT, png.width, png.height)).convert("L")
    assert note.getextrema()[0] < 120  # the note's text is drawn


def test_a_document_that_cannot_render_shows_the_error_as_text() -> None:
    bad = Document(title="x", blocks=[ParagraphBlock(text="\U0001F600")])
    data, _ = bad._repr_mimebundle_()
    assert set(data) == {"text/plain"} and "cannot render" in data["text/plain"]


# ----------------------------------------------------------------------------- 4. round trip
ALL_EXAMPLES = sorted([*EXAMPLES.glob("*.yaml"), *(EXAMPLES / "monthly").glob("*.yaml")])


@pytest.mark.parametrize("spec", ALL_EXAMPLES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_load_dump_load_is_equal_for_every_example(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = tushuo.load(spec)
    text = doc.to_yaml()
    assert text.startswith("# yaml-language-server: $schema=tushuo.schema.json\n")
    assert "\\u" not in text and doc.title in text  # Chinese as itself
    out = io.StringIO()
    tushuo.dump(doc, out)
    assert out.getvalue() == text
    monkeypatch.chdir(spec.parent)  # text loads against the cwd: the example's pictures and data resolve
    assert tushuo.load(text) == doc


def test_dump_leaves_defaults_out_and_keeps_the_documented_order(tmp_path: Path) -> None:
    doc = small()
    path = tmp_path / "small.yaml"
    tushuo.dump(doc, path)
    text = path.read_text(encoding="utf-8")
    assert text == (
        "# yaml-language-server: $schema=tushuo.schema.json\n"
        "title: 图说组工\n"
        "blocks:\n"
        "  - {type: banner, title: 图说组工, subtitle: 颍州区委组织部, badge: 第3期}\n"
        "  - type: paragraph\n"
        "    text: " + "截至12月10日，全区**126个**村（社区）完成换届。" * 4 + "\n"
        "  - type: steps\n"
        "    items:\n"
        "      - {id: s1, title: 选民登记}\n"
        "      - {id: s2, title: 投票选举}\n"
        "footer: {text: 颍州区委组织部 出品}\n"
    )
    assert tushuo.load(path) == doc
    binary = io.BytesIO()
    tushuo.dump(doc, binary)
    assert binary.getvalue().decode("utf-8") == text == doc.to_yaml()


def test_dump_keeps_line_breaks_and_tricky_text() -> None:
    doc = Document(
        title="no",
        subtitle="2026-11-26",
        meta={"issue": 3, "time": "9:30"},
        blocks=[ParagraphBlock(text="第一行\n第二行：**重点**", indent=False),
                TableBlock(header=["乡镇", "完成率"], rows=[["清河", "98.5%"], ["true", 12.5]])],
        output={"format": "pdf", "page_size": "A6"},
    )
    text = doc.to_yaml()
    assert "    text: |-\n      第一行\n      第二行：**重点**\n" in text
    assert tushuo.load(text) == doc


# ----------------------------------------------------------------------------- 5. typed
def test_a_user_script_type_checks_strictly(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    script = ROOT / "tests" / "typing" / "user_script.py"
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary",
         "--cache-dir", str(tmp_path / "cache"), str(script)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # and the script runs
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stderr


# ----------------------------------------------------------------------------- docs
def _python_blocks(text: str) -> list[str]:
    import re

    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_api_md_names_every_public_name() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [name for name in tushuo.__all__ if f"`{name}" not in text and f"{name}`" not in text]
    assert missing == []
    assert "线程安全" in text


@pytest.mark.parametrize("doc_file", ["docs/api.md", "README.md"])
def test_the_docs_python_examples_run(doc_file: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest built from a dict of numbers (api.md) and the README's models-to-bytes example."""
    text = (ROOT / doc_file).read_text(encoding="utf-8")
    block = next(b for b in _python_blocks(text) if "Document(" in b)
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {"tushuo": tushuo}
    exec(compile(block, doc_file, "exec"), scope)  # noqa: S102 - our own documentation
    png = scope["png"]
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG")
    written = sorted(p.name for p in tmp_path.iterdir())
    assert any(name.endswith(".yaml") for name in written)
    yaml_file = next(p for p in tmp_path.iterdir() if p.suffix == ".yaml")
    assert tushuo.load(yaml_file) == scope["doc"]
    if "BannerBlock(title=" in block:
        assert "type=" not in block
