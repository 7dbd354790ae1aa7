"""The seven ready templates: listed, described, slots filled by their sample data, rendered."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from PIL import Image

import tushuo
from tushuo.errors import SpecError
from tushuo.loader import load_data_file
from tushuo.templates import find_template, list_templates, new_spec

SEVEN = [
    "election-handbook", "station-comparison", "monthly-digest", "progress-bulletin",
    "programme-picks", "pledge-card", "qr-standee",
]


def test_seven_templates_each_with_description_and_sample() -> None:
    found = {t.name: t for t in list_templates()}
    assert set(SEVEN) <= set(found)
    for name in SEVEN:
        t = found[name]
        first = t.path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# description: ") and t.description == first.split(": ", 1)[1]
        assert t.sample is not None and t.sample.name == f"{name}.yaml"


@pytest.mark.parametrize("name", SEVEN)
def test_sample_fills_exactly_the_slots(name: str) -> None:
    """Every slot has a sample value, and the sample has no value that no slot uses."""
    t = find_template(name)
    slots = {s.split(".")[0] for s in t.slots()}
    sample = load_data_file(t.sample)
    assert slots == set(sample)


@pytest.mark.parametrize("name", SEVEN)
def test_a_missing_slot_is_named(name: str) -> None:
    t = find_template(name)
    data = load_data_file(t.sample)
    slot = min(data)
    del data[slot]
    with pytest.raises(SpecError) as e:
        tushuo.load(str(t.path), data=data, roots=(t.sample.parent,))
    assert f"{{{{{slot}" in str(e.value) and f"{name}.yaml:" in str(e.value)


@pytest.mark.parametrize("name", SEVEN)
def test_template_renders_from_tushuo_new(name: str, tmp_path: Path) -> None:
    """What office staff do: `tushuo new NAME -o x.yaml`, then render it (small width: speed)."""
    spec = tmp_path / f"{name}.yaml"
    written = new_spec(name, spec)
    assert written[0] == spec
    text = spec.read_text(encoding="utf-8")
    assert f"extends: {name}" in text
    assert yaml.safe_load(text)["data"] == load_data_file(find_template(name).sample)
    doc = tushuo.load(str(spec))
    if name == "qr-standee":
        from pypdf import PdfReader

        paths = tushuo.render(doc, tmp_path / "standee.pdf", width=540)
        pages = PdfReader(paths[0]).pages
        assert len(pages) == 1  # a standee is one poster page: no cover, no second page
        w, h = (float(pages[0].mediabox.width), float(pages[0].mediabox.height))
        assert abs(w / 72 * 25.4 - 105) < 0.5 and abs(h / 72 * 25.4 - 148) < 0.5  # A6
        text = "".join(p.extract_text() for p in pages)
        for caption in ("共产党员", "安徽先锋网", "阜阳先锋网", "颍州先锋", "扫码关注"):
            assert caption in text
        return
    paths = tushuo.render(doc, tmp_path / f"{name}.png", width=540)
    with Image.open(paths[0]) as im:
        assert im.width == 540
        if name == "pledge-card":
            assert 1.0 <= im.height / im.width <= 1.45  # a card: square to 3:4, not a long strip
        else:
            assert im.height > 540


def test_template_slot_rules(tmp_path: Path) -> None:
    """Whole-string slots take any value; mappings merge; the spec's lists replace the template's."""
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "extends: pledge-card\n"
        "meta: {issue: 3}\n"
        "footer: {note: 长按识别}\n"
        "data: {name: 张伟, role: 书记, pledge: 承诺, portrait: null, org: 组织部}\n",
        encoding="utf-8",
    )
    doc = tushuo.load(str(spec))
    assert doc.meta == {"author": "组织部", "issue": 3}  # merged
    assert doc.footer.text == "组织部" and doc.footer.note == "长按识别"
    assert doc.blocks[1].image is None  # a whole-string slot took null
    spec.write_text(spec.read_text(encoding="utf-8") + "blocks: [{type: paragraph, text: 只有这一段}]\n",
                    encoding="utf-8")
    assert [b.type for b in tushuo.load(str(spec)).blocks] == ["paragraph"]  # replaced


def test_find_template_errors() -> None:
    with pytest.raises(SpecError, match="did you mean 'monthly-digest'"):
        find_template("monthly-digset")
    with pytest.raises(SpecError, match="templates: .*qr-standee"):
        find_template("nothing-like-it")
