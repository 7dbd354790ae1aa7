"""Bundled fonts: coverage of what Chinese government text uses, clear errors, metrics files in sync."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tushuo.errors import FontError
from tushuo.inputs import font_gate
from tushuo.resources import fonts_dir
from tushuo.text import measure
from tushuo.text.fonts import BUNDLED, FontBook, build_metrics_file, default_fontbook

FB = default_fontbook()


def gb2312(first_row: int, last_row: int) -> str:
    """Every character GB 2312 assigns in rows ``first_row``..``last_row`` (EUC-CN bytes)."""
    out = []
    for row in range(first_row, last_row + 1):
        for col in range(0xA1, 0xFF):
            try:
                out.append(bytes([row, col]).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # unassigned cell
    return "".join(out)


HANZI = gb2312(0xB0, 0xF7)
SYMBOLS = gb2312(0xA1, 0xA9)


def test_gb2312_tables_are_complete() -> None:
    assert len(HANZI) == 6763  # levels 1 and 2
    assert len(SYMBOLS) == 682


@pytest.mark.parametrize("key", ["sans", "sans-bold", "serif"])
def test_every_gb2312_character_is_covered(key: str) -> None:
    assert FB.missing(HANZI + SYMBOLS, key) == []


def test_traditional_characters_of_the_district_name() -> None:
    assert FB.missing("潁州區先鋒遠教", "sans") == []
    assert FB.missing("潁州區先鋒遠教", "serif") == []


def test_marks_and_their_fallback() -> None:
    assert FB.resolve("✓", "sans").key == "sans"
    assert FB.resolve("①", "sans").key == "sans"
    assert FB.resolve("✗", "sans").key == "symbols"
    assert FB.resolve("✗", "serif").key == "symbols"
    assert FB.runs("合格✗", "sans") == [(FB.face("sans"), "合格"), (FB.face("symbols"), "✗")]
    assert measure("✗", 100) == pytest.approx(FB.face("symbols").advance("✗", 100))


@pytest.mark.parametrize(("text", "code"), [("好😀", "U+1F600"), ("私\ue000", "U+E000"), ("\U000F0001", "U+F0001")])
def test_uncovered_characters_are_named(text: str, code: str) -> None:
    with pytest.raises(FontError, match=re.escape(code)):
        FB.check(text, "sans")
    assert FB.missing(text, "sans") == [text[-1]]


def test_unknown_face_and_bad_file(tmp_path: Path) -> None:
    with pytest.raises(FontError, match="unknown font 'nope'"):
        FB.face("nope")
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font")
    with pytest.raises(FontError, match="bad.ttf"):
        FontBook({"mine": bad}, gate=font_gate).face("mine")
    with pytest.raises(FontError, match="bad.ttf: a user's font is read through the file gate"):
        FontBook({"mine": bad}).face("mine")
    with pytest.raises(FontError, match="not found"):
        FontBook({"gone": tmp_path / "gone.ttf"}).face("gone")


def test_em_box_metrics() -> None:
    for key in ("sans", "sans-bold", "serif"):
        face = FB.face(key)
        assert face.ascent == pytest.approx(0.88)
        assert face.descent == pytest.approx(0.12)
        assert face.advance("中", 40) == 40.0


@pytest.mark.parametrize("key", list(BUNDLED))
def test_committed_metrics_equal_a_fresh_build(key: str, tmp_path: Path) -> None:
    font = fonts_dir() / BUNDLED[key]
    fresh = build_metrics_file(font, tmp_path / font.with_suffix(".metrics").name)
    assert fresh.read_bytes() == font.with_suffix(".metrics").read_bytes(), (
        f"{font.with_suffix('.metrics').name} is stale: rebuild it with build_metrics_file"
    )


def test_metrics_file_lookups_equal_the_fonts_own_tables() -> None:
    """A bundled face answers from its metrics file exactly what the font's cmap and hmtx say:
    every code point of the symbols font, and what it does not cover, as absent."""
    from tushuo.text.fonts import Face, _read_font_tables

    path = fonts_dir() / BUNDLED["symbols"]
    _, truth = _read_font_tables(path)
    face = Face.load("symbols", path)
    assert len(face.advances) == len(truth)
    assert sorted(face.advances) == sorted(truth)
    for cp, adv in truth.items():
        assert face.advances[cp] == adv and face.advances.get(cp) == adv and cp in face.advances
    for cp in (0x4E2D, 0x10FFFF, -1, max(truth) + 1):  # 中 is not in the symbols font
        if cp not in truth:
            assert cp not in face.advances and face.advances.get(cp, 7) == 7
            with pytest.raises(KeyError):
                face.advances[cp]
    assert not face.covers("中") and face.advance("中", 40) == 0
