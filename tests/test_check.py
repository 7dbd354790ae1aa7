"""``tushuo check``: every example is clean, a poor spec lists each problem at its block, lints have exact thresholds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from tushuo.api import load, render
from tushuo.check import (
    MAX_FILE_BYTES,
    WARN_FILE_BYTES,
    Finding,
    _Linter,
    check_spec,
    lint_document,
)
from tushuo.cli import main
from tushuo.inputs import make_context
from tushuo.layout.frame import Frame, Glyphs, Rect, Text
from tushuo.themes import builtin_themes

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "examples" / "monthly").glob("*.yaml"))
POOR = ROOT / "tests" / "bad_inputs" / "poor-spec.yaml"


def _spec(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _codes(findings: list[Finding]) -> list[tuple[str, str, str | None]]:
    return [(f.code, f.level, f.path) for f in findings]


# --------------------------------------------------------------------------- examples and the poor spec
@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT / "examples")))
def test_every_example_is_clean(spec: Path) -> None:
    assert [f.format() for f in check_spec(spec)] == []


@pytest.mark.parametrize("theme", builtin_themes())
def test_every_theme_passes_contrast_and_size_lints_at_phone_widths(theme: str) -> None:
    """The built-in themes meet 4.5:1 and 30 px on every block kind the basics example shows."""
    doc = load(str(ROOT / "examples" / "basics.yaml"))
    for width in (750, 1080):
        found = [f for f in lint_document(doc, width=width, theme=theme) if f.code in ("contrast", "small-text")]
        assert [f.format() for f in found] == [], f"{theme} at {width}"


def test_poor_spec_lists_each_problem_at_its_block(capsys: pytest.CaptureFixture[str]) -> None:
    findings = check_spec(POOR, allow_missing_glyphs=True)
    got = {(f.code, f.level, f.path, f.line, f.col) for f in findings}
    expected = {
        ("small-text", "warning", "blocks[0]", 8, 5),  # body 24 px at 1080
        ("contrast", "warning", "blocks[0]", 8, 5),  # #A0A0A0 on white: 2.6:1
        ("missing-glyph", "warning", "blocks[1]", 10, 5),  # 𪚥 and 😀, drawn as boxes
        ("upscaled", "warning", "blocks[2].src", 13, 10),  # 160 x 90 px shown 968 px wide
        ("small-text", "warning", "blocks[2]", 12, 5),  # caption 20 px
        ("contrast", "warning", "blocks[2]", 12, 5),  # caption #C0C0C0 on white
        ("tall", "warning", None, None, None),  # 21,546 px, no slice_height
    }
    assert expected <= got
    assert all(f.level == "warning" for f in findings)
    by_code = {f.code: f for f in findings}
    assert "'𪚥' (U+2A6A5), '😀' (U+1F600)" in by_code["missing-glyph"].message
    assert "160 x 90 px but shown 968 x 544 px (6.0x enlarged)" in by_code["upscaled"].message
    assert "2.6:1, below 4.5:1" in by_code["contrast"].message
    assert "24 px at 1080 wide" in by_code["small-text"].message
    assert "21,546 px tall" in by_code["tall"].message and "slice_height" in by_code["tall"].message

    # The command line: warnings exit 0, 1 with --strict; without the flag the glyphs are an error.
    assert main(["check", "--allow-missing-glyphs", str(POOR)]) == 0
    cap = capsys.readouterr()
    assert f"{POOR}:13:10: warning: blocks[2].src: picture tiny.png is 160 x 90 px" in cap.err
    assert f"ok  {POOR}  (11 warnings)" in cap.out
    assert main(["check", "--allow-missing-glyphs", "--strict", str(POOR)]) == 1
    capsys.readouterr()
    assert main(["check", str(POOR)]) == 2
    cap = capsys.readouterr()
    assert f"{POOR}:10:5: blocks[1]: no bundled font has a glyph for '𪚥' (U+2A6A5)" in cap.err
    assert cap.out == ""


def test_check_writes_nothing_and_reports_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _spec(tmp_path, "title: 图说\nblocks:\n  - {type: paragraph, text: 正文}\n")
    assert main(["check", str(spec), str(tmp_path / "nope.yaml")]) == 2
    cap = capsys.readouterr()
    assert f"{tmp_path / 'nope.yaml'}: no such spec file" in cap.err and f"ok  {spec}" in cap.out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


# --------------------------------------------------------------------------- thresholds
_BODY = "title: 图说\n{head}blocks:\n  - {{type: paragraph, text: 全区村（社区）“两委”换届选举工作有序推进。}}\n"


@pytest.mark.parametrize(("body", "width", "warned"), [(29, 1080, True), (30, 1080, False), (30, 750, False),
                                                        (28, 750, True)])
def test_small_text_threshold_scales_with_width(tmp_path: Path, body: int, width: int, warned: bool) -> None:
    spec = _spec(tmp_path, _BODY.format(head=f"width: {width}\ntheme: {{sizes: {{body: {body}}}}}\n"))
    found = [f for f in check_spec(spec) if f.code == "small-text"]
    assert bool(found) is warned
    if warned:
        assert f"{body} px at 1080 wide, smaller than 30 px" in found[0].message
        assert (found[0].path, found[0].line, found[0].col) == ("blocks[0]", 5, 5)


@pytest.mark.parametrize(("text", "warned"), [("#777777", True), ("#767676", False)])
def test_contrast_threshold_is_4_5_for_body_text(tmp_path: Path, text: str, warned: bool) -> None:
    """#777777 on white is 4.48:1 (fails AA), #767676 is 4.54:1 (passes)."""
    spec = _spec(tmp_path, _BODY.format(head=f'theme: {{palette: {{text: "{text}", background: "#FFFFFF"}}}}\n'))
    found = [f for f in check_spec(spec) if f.code == "contrast"]
    assert bool(found) is warned
    if warned:
        assert "(#777777 on #FFFFFF) has a contrast of 4.48:1, below 4.5:1" in found[0].message


def _text_op(text: str, size: float, color: str, background: str, *, role: str = "body", overflow: bool = False,
             underlay: str | None = None) -> Text:
    run = Glyphs(text, tuple(20 + i * size for i in range(len(text))), 20 + len(text) * size, 100, "sans", size, color)
    unders = (Rect(18, 100 - size, len(text) * size + 4, size * 1.1, fill=underlay),) if underlay else ()
    return Text((run,), (20, 100 - size, 600, size * 1.6), role=role, background=background, overflow=overflow,
                underlays=unders)


def _lint_ops(*ops: Text) -> list[Finding]:
    doc = load({"title": "t", "blocks": [{"type": "paragraph", "text": "x"}]})
    ctx = make_context(doc)
    frame = Frame(1080, 400, list(ops), origins=[(0.0, 400.0, "blocks[0]")])
    return _Linter("t.yaml", doc, ctx, frame, False).run()


def test_large_text_needs_3_to_1_and_highlight_bands_count() -> None:
    grey = "#949494"  # 3.03:1 on white: enough for 48 px titles, not for body text
    assert _codes(_lint_ops(_text_op("大标题", 48, grey, "#FFFFFF", role="title"))) == []
    assert _codes(_lint_ops(_text_op("大标题", 47, grey, "#FFFFFF", role="title"))) == [
        ("contrast", "warning", "blocks[0]")]
    # white text on a pale highlight band: judged against the band, not the page
    found = _lint_ops(_text_op("重点", 40, "#FFFFFF", "#B7181E", underlay="#F2C46D"))
    assert _codes(found) == [("contrast", "warning", "blocks[0]")] and "#FFFFFF on #F2C46D" in found[0].message


def test_cut_text_is_reported() -> None:
    found = _lint_ops(_text_op("太长的标题被截断了", 40, "#222222", "#FFFFFF", overflow=True))
    assert _codes(found) == [("overflow", "warning", "blocks[0]")]
    assert "'太长的标题被截断了' did not fit" in found[0].message


@pytest.mark.parametrize(("natural", "warned"), [(700, False), (600, True)])
def test_upscale_threshold_is_1_5(tmp_path: Path, natural: int, warned: bool) -> None:
    """A 968 px wide picture from 700 px is 1.38x (fine); from 600 px it is 1.61x (blurry)."""
    Image.linear_gradient("L").resize((natural, natural // 2)).convert("RGB").save(tmp_path / "p.png")
    spec = _spec(tmp_path, "title: 图\nblocks:\n  - {type: image, src: p.png}\n")
    found = [f for f in check_spec(spec) if f.code == "upscaled"]
    assert bool(found) is warned
    if warned:
        assert (found[0].path, found[0].line, found[0].col) == ("blocks[0].src", 3, 24)
        assert "use one at least 645 px wide" in found[0].message


def test_findings_inside_sections_name_the_inner_block(tmp_path: Path) -> None:
    Image.linear_gradient("L").resize((100, 60)).convert("RGB").save(tmp_path / "small.png")
    spec = _spec(tmp_path, "title: 图\nblocks:\n  - {type: paragraph, text: 前言}\n  - type: section\n    title: 一章\n"
                           "    blocks:\n      - {type: paragraph, text: 正文}\n      - {type: image, src: small.png, alt: 图}\n")
    found = check_spec(spec)
    assert [(f.code, f.path, f.line, f.col) for f in found] == [("upscaled", "blocks[1].blocks[1].src", 8, 28)]


def test_layout_notes_become_located_warnings(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "title: 图\nblocks:\n  - type: steps\n    layout: grid\n    items:\n"
                           "      - {id: a, title: 甲, next: [b]}\n      - {id: b, title: 乙, next: [a]}\n")
    found = check_spec(spec)
    assert [(f.code, f.level, f.path, f.line) for f in found] == [("layout", "warning", "blocks[0]", 3)]
    assert "steps layout 'grid' draws only a plain sequence" in found[0].message


# --------------------------------------------------------------------------- size and height
def _noise(path: Path, w: int, h: int) -> None:
    """A picture that does not compress (as a photo of grass or a crowd barely does in PNG)."""
    Image.frombytes("RGB", (w, h), os.urandom(w * h * 3)).save(path)


def test_file_size_warning_then_error_and_slices_bring_it_down(tmp_path: Path) -> None:
    _noise(tmp_path / "n.png", 968, 968)
    one = "  - {type: image, src: n.png}\n"
    spec = _spec(tmp_path, "title: 图\nblocks:\n" + one)
    found = [f for f in check_spec(spec) if f.code == "file-size"]
    assert _codes(found) == [("file-size", "warning", None)], "one 0.9 MP noise photo is ~2.8 MB as PNG"
    assert "over the 1 MB the in-article upload API takes" in found[0].message

    spec = _spec(tmp_path, "title: 图\nblocks:\n" + one * 5)
    found = [f for f in check_spec(spec) if f.code == "file-size"]
    assert _codes(found) == [("file-size", "error", None)]
    assert "over WeChat's 10 MB per image" in found[0].message

    spec = _spec(tmp_path, "title: 图\nblocks:\n" + one * 5 + "output: {slice_height: 1000}\n")
    found = [f for f in check_spec(spec) if f.code == "file-size"]
    assert [f.level for f in found] == ["warning"] and "each slice would be about" in found[0].message
    assert found[0].path == "output" and found[0].line == 8

    spec = _spec(tmp_path, "title: 图\nblocks:\n" + one * 5 + "output: {format: webp}\n")
    found = [f for f in check_spec(spec) if f.code == "file-size"]
    assert [f.level for f in found] == ["warning"] and "as WEBP" in found[0].message  # WebP is ~3x smaller
    spec = _spec(tmp_path, "title: 图\nblocks:\n" + one * 5 + "output: {max_bytes: 900000}\n")
    assert [f for f in check_spec(spec) if f.code == "file-size"] == []  # the render fits it or fails clearly
    assert WARN_FILE_BYTES < MAX_FILE_BYTES


def test_size_estimate_is_within_a_third_of_the_real_file(tmp_path: Path) -> None:
    """The cheap estimate (no painting) against real PNG, JPEG and WebP files of the determinism sample."""
    from test_determinism import write_sample

    from tushuo.inputs import layout_document

    spec = write_sample(tmp_path)
    doc = load(str(spec))
    ctx = make_context(doc, allow_missing_glyphs=True)
    frame = layout_document(doc, ctx=ctx)
    linter = _Linter(str(spec), doc, ctx, frame, False)
    for fmt, suffix in (("png", "png"), ("jpeg", "jpg"), ("webp", "webp")):
        real = render(doc, tmp_path / f"s.{suffix}")[0].stat().st_size
        estimate = linter.estimate_bytes(fmt, 0, frame.height)
        assert 0.67 < estimate / real < 1.33, f"{fmt}: estimated {estimate:,.0f} bytes, real {real:,}"


def test_tall_images(tmp_path: Path) -> None:
    spacers = "  - {type: spacer, height: 2000}\n" * 11
    spec = _spec(tmp_path, "title: 长图\nblocks:\n" + spacers)
    assert _codes([f for f in check_spec(spec) if f.code == "tall"]) == [("tall", "warning", None)]
    spec = _spec(tmp_path, "title: 长图\nblocks:\n" + spacers + "output: {slice_height: 1920}\n")
    assert [f for f in check_spec(spec) if f.code == "tall"] == []
    spec = _spec(tmp_path, "title: 长图\nblocks:\n" + spacers * 3 + "output: {format: webp}\n")
    found = [f for f in check_spec(spec) if f.code == "tall"]
    assert _codes(found) == [("tall", "error", "output")]
    assert "WEBP allows at most 16,383 px" in found[0].message
    spec = _spec(tmp_path, "title: 长图\nblocks:\n" + spacers + "output: {format: pdf}\n")
    assert [f for f in check_spec(spec) if f.code == "tall"] == []  # a PDF is paged


def test_chart_text_is_linted_like_all_text(tmp_path: Path) -> None:
    """A chart's labels are Text ops on the page: too small or too pale, check says so at the chart."""
    spec = _spec(tmp_path, (
        "title: 图表\n"
        "theme:\n"
        "  palette: {muted: \"#D8D8D8\", surface: \"#FFFFFF\"}\n"
        "  sizes: {caption: 22}\n"
        "blocks:\n"
        "  - {type: paragraph, text: 各镇进度如下。}\n"
        "  - {type: chart, kind: bar, unit: 万人次, labels: [甲镇, 乙镇], series: [{values: [3, 4]}]}\n"
    ))
    found = [f for f in check_spec(spec) if f.path == "blocks[1]"]
    codes = {f.code for f in found}
    assert codes == {"small-text", "contrast"}, [f.format() for f in found]
    small = next(f for f in found if f.code == "small-text")
    assert small.message.startswith("chart ") and "22 px at 1080 wide" in small.message
    pale = next(f for f in found if f.code == "contrast")
    assert "#D8D8D8 on #FFFFFF" in pale.message  # the muted axis numbers / unit caption
    assert found[0].line == 7 and "单位：万人次" in pale.message
