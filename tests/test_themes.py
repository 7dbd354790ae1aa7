"""Themes: the four built-ins, how a spec names one, and WCAG contrast for every text role."""

from __future__ import annotations

from pathlib import Path

import pytest

import tushuo
from tushuo.errors import SpecError
from tushuo.inputs import layout_document
from tushuo.layout.frame import Text
from tushuo.spec.theme import Theme
from tushuo.text.layout import HIGHLIGHT_ALPHA
from tushuo.themes import (
    builtin_theme,
    builtin_themes,
    contrast_ratio,
    flatten,
    mix,
    readable,
    resolve_theme,
    with_alpha,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
THEMES = ["fresh-green", "gov-blue", "ink", "party-red"]

#: (text colour, what it stands on) for every text role the layouts use.
ROLE_PAIRS = [
    ("text", "background"), ("text", "surface"), ("text", "surface_alt"),
    ("muted", "background"), ("muted", "surface"), ("muted", "surface_alt"),
    ("on_primary", "primary"), ("on_primary", "primary_dark"),
    ("accent", "background"), ("accent", "surface"),
    ("positive", "surface"), ("negative", "surface"), ("positive", "background"), ("negative", "background"),
    ("primary_dark", "gold"),  # badge pills and section number discs
    ("primary_dark", "background"), ("primary_dark", "surface_alt"),  # level-2 headings
]


def test_the_four_builtin_themes_exist() -> None:
    assert builtin_themes() == THEMES
    for name in THEMES:
        assert builtin_theme(name).name == name


@pytest.mark.parametrize("name", THEMES)
def test_every_text_role_reaches_4_5_to_1(name: str) -> None:
    pal = builtin_theme(name).palette
    low = {
        f"{fg} on {bg}": round(contrast_ratio(getattr(pal, fg), getattr(pal, bg)), 2)
        for fg, bg in ROLE_PAIRS
        if contrast_ratio(getattr(pal, fg), getattr(pal, bg)) < 4.5
    }
    assert not low, f"{name}: {low}"


@pytest.mark.parametrize("name", THEMES)
def test_highlighted_text_stays_readable_on_its_own_band(name: str) -> None:
    """==mark== draws accent text over a translucent accent band: the text must still reach 4.5:1."""
    pal = builtin_theme(name).palette
    for bg in (pal.background, pal.surface, pal.surface_alt):
        band = flatten(with_alpha(pal.accent, HIGHLIGHT_ALPHA / 255), bg)
        assert contrast_ratio(pal.accent, band) >= 4.5, (name, bg)


@pytest.mark.parametrize("name", THEMES)
def test_sizes_follow_the_house_rules(name: str) -> None:
    sizes = builtin_theme(name).sizes
    assert sizes.body == 40
    assert sizes.caption >= 30
    assert 64 <= sizes.title <= 96
    assert sizes.h3 < sizes.h2 < sizes.h1 < sizes.title


def test_ink_is_greyscale() -> None:
    pal = builtin_theme("ink").palette
    for field in ("primary", "primary_dark", "accent", "gold", "positive", "negative", "background",
                  "surface", "surface_alt", "border", "text", "muted", *[f"chart{i}" for i in range(6)]):
        color = pal.chart[int(field[5:])] if field.startswith("chart") else getattr(pal, field)
        r, g, b = color[1:3], color[3:5], color[5:7]
        assert r == g == b, (field, color)


def test_wcag_numbers() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the known 4.5:1 grey
    assert contrast_ratio("#00000080", "#FFFFFF") == pytest.approx(contrast_ratio("#7F7F7F", "#FFFFFF"), abs=0.01)
    assert mix("#000000", "#FFFFFF", 0.5) == "#808080"
    for fg, bg in [("#F2C46D", "#FFFFFF"), ("#88CCFF", "#FFF8F0"), ("#555555", "#222222")]:
        out = readable(fg, bg)
        assert contrast_ratio(out, bg) >= 4.5
        assert contrast_ratio(out, bg) < 5.0  # just enough, the hue kept


# --------------------------------------------------------------------------- resolving
def test_resolve_by_name_path_inline_and_instance(tmp_path: Path) -> None:
    assert resolve_theme("gov-blue").palette.primary == "#1F4E9A"
    assert resolve_theme(None).name == "party-red"
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "mine.yaml").write_text("palette: {primary: '#123456'}\n", encoding="utf-8")
    mine = resolve_theme("themes/mine.yaml", tmp_path)
    assert (mine.name, mine.palette.primary) == ("mine", "#123456")
    inline = resolve_theme({"name": "x", "palette": {"primary": "#654321"}})
    assert inline.palette.primary == "#654321"
    theme = Theme(name="y")
    assert resolve_theme(theme) is theme


def test_inline_theme_in_a_spec_is_used(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "title: t\ntheme: {name: x, palette: {background: '#FAFAFA'}}\nblocks:\n  - {type: paragraph, text: 好}\n",
        encoding="utf-8",
    )
    assert layout_document(tushuo.load(spec)).background == "#FAFAFA"


def test_theme_paths_are_sandboxed_and_checked(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: evil\n", encoding="utf-8")
    inner = tmp_path / "spec"
    inner.mkdir()
    with pytest.raises(SpecError, match="leaves the spec's folder"):
        resolve_theme("../outside.yaml", inner)
    with pytest.raises(SpecError, match="file not found"):
        resolve_theme("nothere.yaml", inner)
    (inner / "bad.yaml").write_text("name: x\npalette:\n  primary: red\n", encoding="utf-8")
    with pytest.raises(SpecError) as err:
        resolve_theme("bad.yaml", inner)
    assert str(err.value) == f"{inner / 'bad.yaml'}:3:12: palette.primary: not a colour: 'red' (write #RRGGBB or #RRGGBBAA)"
    (inner / "broken.yaml").write_text("palette: [\n", encoding="utf-8")
    with pytest.raises(SpecError) as err:
        resolve_theme("broken.yaml", inner)
    assert f"{inner / 'broken.yaml'}:2:" in str(err.value)


# --------------------------------------------------------------------------- rendered frames
def _text_contrast_failures(frame) -> list[str]:
    """Every glyph run whose colour falls short against what its Text op says it stands on."""
    bad = []
    big = 48 * frame.width / 1080
    for op in frame.walk():
        if not isinstance(op, Text):
            continue
        if op.background is None:
            bad.append(f"{op.role} text without a background: {op.text[:20]!r}")
            continue
        for run in op.runs:
            if not run.text.strip():
                continue
            bg = op.background
            for u in op.underlays:  # highlighted runs stand on their band
                if u.fill and u.x < run.end and u.x + u.w > run.xs[0] and u.y < run.y < u.y + u.h + run.size:
                    bg = flatten(u.fill, op.background) if len(u.fill) == 9 else u.fill
            need = 3.0 if run.size >= big else 4.5
            ratio = contrast_ratio(run.color, bg)
            if ratio < need:
                bad.append(f"{op.role} {run.text[:12]!r}: {run.color} on {bg} = {ratio:.2f} < {need}")
    return bad


@pytest.mark.parametrize("name", THEMES)
@pytest.mark.parametrize("spec", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_text_in_every_example_is_readable(spec: str, name: str) -> None:
    frame = layout_document(tushuo.load(EXAMPLES / spec), theme=name)
    texts = [op for op in frame.walk() if isinstance(op, Text)]
    assert texts
    assert _text_contrast_failures(frame) == []


MARKED_ON_FILLS = """title: 换届
blocks:
  - type: banner
    title: 严肃换届==纪律==
    subtitle: 颍州区委组织部 · ==2026年==第1期
  - type: comparison
    columns:
      - {label: ==合格==单位, tone: positive}
      - {label: 不合格==站点==, tone: negative}
    rows:
      - {aspect: 场所, cells: [有固定场所, 无固定场所]}
  - type: table
    header: [项目, ==要求==]
    rows: [[场所, 面积不少于20平方米]]
  - type: paragraph
    text: 正文里的==重点==。
"""


@pytest.mark.parametrize("name", THEMES)
def test_highlighted_text_on_a_dark_fill_is_readable(name: str) -> None:
    """==mark== in a banner, a column head or a table head stands on the primary (or a status colour), not on
    paper: it took the accent there too and vanished (#A32420 on party-red's #B7181E, 1.2:1)."""
    frame = layout_document(tushuo.load(MARKED_ON_FILLS), theme=name)
    marked = [run for op in frame.walk() if isinstance(op, Text) for run in op.runs
              if run.text in ("纪律", "2026年", "合格", "站点", "要求", "重点")]
    assert len(marked) == 6
    assert _text_contrast_failures(frame) == []
