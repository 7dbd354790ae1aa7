"""describe(): every drawn text of every example, in reading order; decisions as sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import tushuo
from tushuo.describe import describe, plain

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SPECS = sorted(p.relative_to(EXAMPLES).as_posix() for p in [*EXAMPLES.glob("*.yaml"), *EXAMPLES.glob("monthly/*.yaml")])

#: Fields that are not drawn as text (kinds, ids, paths, options).
_NOT_TEXT = {"type", "id", "src", "image", "icon", "layout", "kind", "align", "tone", "fit", "style",
             "data_file", "sheet", "range", "to", "alt", "number", "level", "columns", "size", "height", "checked",
             "image_position", "compact", "indent", "numbered", "show_values", "values", "value",
             "delta", "unit", "highlight"}
#: Where the reading order differs from the order of a model's fields.
_ORDER = {
    "StepItem": ("title", "tag", "desc", "note", "next"),
    "CardItem": ("tag", "title", "desc"),
    "Footer": ("qrcode", "note", "text"),
    "ChartBlock": ("title", "series", "labels"),
    "CalloutBlock": ("title", "text"),
    "BannerBlock": ("badge", "title", "subtitle"),
}


def drawn_texts(node: Any) -> list[str]:
    """The spec's texts in reading order, found by walking the models (not by describe's code)."""
    out: list[str] = []
    if isinstance(node, BaseModel):
        name = type(node).__name__
        if name == "SpacerBlock" or name == "DividerBlock":
            return out
        fields = _ORDER.get(name, tuple(type(node).model_fields))
        for f in fields:
            if f in _NOT_TEXT:
                continue
            out += drawn_texts(getattr(node, f))
    elif isinstance(node, list):
        for x in node:
            out += drawn_texts(x)
    elif isinstance(node, str) and node.strip():
        out += [line for line in plain(node).split("\n") if line.strip()]
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        out.append(f"{node:g}" if isinstance(node, float) else str(node))
    return out


def _in_order(texts: list[str], companion: str) -> None:
    at = 0
    for t in texts:
        k = companion.find(t, at)
        assert k >= 0, f"{t!r} missing after position {at}: …{companion[at:at + 80]!r}"
        at = k


@pytest.mark.parametrize("spec", SPECS)
def test_companion_has_every_drawn_text_in_reading_order(spec: str) -> None:
    doc = tushuo.load(EXAMPLES / spec)
    texts = [t for b in doc.blocks for t in drawn_texts(b)] + drawn_texts(doc.footer)
    assert texts
    _in_order(texts, describe(doc))
    text = describe(doc, "text")  # tables in words repeat their headers: every text present
    assert [t for t in texts if t not in text] == []


def test_decisions_read_as_sentences() -> None:
    doc = tushuo.load(EXAMPLES / "election-handbook.yaml")
    md = describe(doc)
    assert "- 判断：候选人资格审查是否通过？（乡镇（街道）组织联审）。若是，转第2步；若否，取消资格，依次递补，返回第1步。" in md
    assert "判断：候选人得票是否过半数？若是，转第3步；若否，转第2步。" in md
    assert "若否，选举无效，另定日期重新投票，返回第1步。" in md
    # steps keep the numbers drawn on their badges; markup is stripped
    assert "\n4. 选民登记（选举日前20日）：对户籍" in md
    assert "**" not in describe(doc, "text") and "==" not in md


def test_blocks_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES)
    doc = tushuo.load({
        "title": "样张", "blocks": [
            {"type": "stats", "items": [{"label": "完成换届", "value": 1286, "unit": "个", "delta": "+12"},
                                        {"label": "一肩挑比例", "value": 98.5, "unit": "%"}]},
            {"type": "chart", "kind": "bar", "title": "各镇进度", "unit": "个", "highlight": "东镇",
             "labels": ["东镇", "西镇"], "series": [{"name": "已完成", "values": [12, 7.5]}]},
            {"type": "comparison", "columns": [{"label": "合格"}, {"label": "不合格"}],
             "rows": [{"aspect": "设备", "cells": ["齐全", "缺失"]}]},
            {"type": "qrcode", "data": "https://example.org/a", "caption": "扫码报名"},
            {"type": "divider"}, {"type": "spacer", "height": 40},
            {"type": "image", "src": "photos/ballot.jpg", "alt": "会场全景", "caption": "选举大会现场"},
        ]})
    md = describe(doc)
    assert "- 完成换届：1286个（+12）" in md
    assert "- 一肩挑比例：98.5%" in md
    assert "柱状图，2项，突出显示：东镇。" in md
    assert "| 项目 | 已完成（单位：个） |" in md and "| 西镇 | 7.5 |" in md
    assert "|  | 合格 | 不合格 |" in md and "| 设备 | 齐全 | 缺失 |" in md
    assert "二维码：https://example.org/a（扫码报名）" in md
    assert "![会场全景](photos/ballot.jpg)" in md and "选举大会现场" in md
    text = describe(doc, "text")
    assert "设备；合格：齐全；不合格：缺失。" in text  # a table row in words
    with pytest.raises(ValueError):
        describe(doc, "html")  # type: ignore[arg-type]


def test_render_describe_writes_companions(tmp_path: Path) -> None:
    doc = tushuo.load(EXAMPLES / "election-handbook.yaml")
    paths = tushuo.render(doc, tmp_path / "slices/", slice_height=1800, describe=True)
    md = paths[-1]
    assert md == tmp_path / "slices" / "election-handbook.md" and len(paths) >= 4
    text = md.read_text("utf-8")
    assert text.startswith("# 村（社区）“两委”换届选举掌上手册\n")
    slices = [line for line in text.splitlines() if line.startswith("- 0")]
    assert [s.split("：")[0][2:] for s in slices] == [p.name for p in paths[:-1]]
    assert "（第1张，共" in slices[0] and "图说换届" in slices[0] and "页尾" in slices[-1]
    assert "候选人产生" in "".join(slices[1:-1])  # the middle slices name the sections they show
    pdf = tushuo.render(doc, tmp_path / "h.pdf", describe=True)
    assert [p.name for p in pdf] == ["h.pdf", "h.md"] and "## 切片" not in pdf[1].read_text("utf-8")
    assert tushuo.render(doc, tmp_path / "plain.png") == [tmp_path / "plain.png"]  # off unless asked


def test_cli_describe(tmp_path: Path) -> None:
    from tushuo.cli import main

    assert main(["render", str(EXAMPLES / "hello.yaml"), "-o", str(tmp_path / "a.png"), "--describe"]) == 0
    assert (tmp_path / "a.md").read_text("utf-8").startswith("# ")


def _xmp_text(data: bytes, tag: str) -> str:
    import re

    m = re.search(rf"<dc:{tag}><rdf:Alt><rdf:li xml:lang=\"x-default\">(.*?)</rdf:li>".encode(), data, re.DOTALL)
    assert m, tag
    from xml.sax.saxutils import unescape

    return unescape(m.group(1).decode("utf-8"))


def test_image_files_carry_title_and_description(tmp_path: Path) -> None:
    from PIL import Image

    doc = tushuo.load(EXAMPLES / "election-handbook.yaml")
    words = describe(doc, "text").strip()
    (png,) = tushuo.render(doc, tmp_path / "h.png")
    with Image.open(png) as im:
        assert im.info["Title"] == "村（社区）“两委”换届选举掌上手册"
        assert im.info["Description"] == words
    for name in ("h.jpg", "h.webp"):
        (path,) = tushuo.render(doc, tmp_path / name, slice_height=None) if name.endswith("jpg") else \
            tushuo.render(doc, tmp_path / name, slice_height=4000)[:1]
        with Image.open(path) as im:
            im.load()
            xmp = im.info["xmp"]
        assert _xmp_text(xmp, "title").startswith("村（社区）“两委”换届选举掌上手册")
        assert b"<rdf:li>zh-CN</rdf:li>" in xmp
    assert _xmp_text(Image.open(tmp_path / "h.jpg").info["xmp"], "description") == words
    # slices: each says which part it shows
    slices = tushuo.render(doc, tmp_path / "s/", slice_height=1800)
    with Image.open(slices[1]) as im:
        assert im.info["Title"] == f"村（社区）“两委”换届选举掌上手册（第2张，共{len(slices)}张）"
        assert im.info["Description"].startswith(im.info["Title"] + "：")
    # Traditional: the metadata is in the script too, with its language
    (tw,) = tushuo.render(doc, tmp_path / "tw.png", script="hant-tw")
    with Image.open(tw) as im:
        assert im.info["Title"] == "村（社區）「兩委」換屆選舉掌上手冊"
        assert "判斷：候選人得票是否過半數？若是，轉第3步；若否，轉第2步。" in im.info["Description"]


def test_max_bytes_keeps_its_promise_over_metadata(tmp_path: Path) -> None:
    from PIL import Image

    doc = tushuo.load(EXAMPLES / "hello.yaml")
    (plain_png,) = tushuo.render(doc, tmp_path / "a.jpg")
    size = plain_png.stat().st_size
    (capped,) = tushuo.render(doc, tmp_path / "b.jpg", max_bytes=size - 200)
    assert capped.stat().st_size <= size - 200
    Image.open(capped).load()


def test_svg_title_desc_role_lang(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    doc = tushuo.load(EXAMPLES / "station-comparison.yaml")
    (svg,) = tushuo.render(doc, tmp_path / "s.svg", script="hant-hk")
    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.get("lang") == "zh-HK"
    assert root.get("aria-labelledby") == "tushuo-title tushuo-desc"
    assert root.find(f"{ns}title").text == "黨員遠程教育站點「合格」與「不合格」對照"
    desc = root.find(f"{ns}desc").text
    assert desc == describe(doc, "text", script="hant-hk").strip() and "合格站點" in desc


def test_pdf_lang_title_and_alternative_texts(tmp_path: Path) -> None:
    import pypdf

    doc = tushuo.load(EXAMPLES / "monthly-digest.yaml")
    (pdf,) = tushuo.render(doc, tmp_path / "d.pdf")
    root = pypdf.PdfReader(pdf).trailer["/Root"]
    assert root["/Lang"] == "zh-CN" and bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert bool(root["/MarkInfo"]["/Marked"])
    tree = root["/StructTreeRoot"].get_object()
    kids = [k.get_object() for k in tree["/K"].get_object()["/K"]]
    roles = [k["/S"] for k in kids]
    assert roles.count("/Figure") >= 1 and "/H1" in roles and roles.count("/P") > 20
    alts = [k["/Alt"] for k in kids if k["/S"] == "/Figure"]
    assert any(a.startswith("条形图「各乡镇（街道）完成换届村（社区）数」：清河街道 15个，") and a.endswith("（突出显示：程集镇）")
               for a in alts), alts
    # every marked sequence maps back through the parent tree
    nums = tree["/ParentTree"].get_object()["/Nums"]
    assert sum(len(nums[i + 1]) for i in range(0, len(nums), 2)) >= len(kids)
    (tw,) = tushuo.render(doc, tmp_path / "tw.pdf", script="hant-tw")
    assert pypdf.PdfReader(tw).trailer["/Root"]["/Lang"] == "zh-TW"
    assert tushuo.render(doc, tmp_path / "again.pdf")[0].read_bytes() == pdf.read_bytes()  # still deterministic


def test_check_asks_for_words(tmp_path: Path) -> None:
    from tushuo.check import check_spec
    from tushuo.cli import main

    (tmp_path / "p.png").write_bytes((EXAMPLES / "photos" / "ballot.jpg").read_bytes())
    spec = tmp_path / "s.yaml"
    spec.write_text("title: 样\nblocks:\n  - {type: image, src: p.png}\n"
                    "  - {type: image, src: p.png, caption: 会场}\n  - {type: spacer, height: 2000}\n"
                    "  - {type: spacer, height: 2000}\n", encoding="utf-8")
    found = [f for f in check_spec(spec) if f.code in ("no-alt", "no-companion")]
    assert [(f.code, f.path, f.line) for f in found] == [("no-alt", "blocks[0].src", 3)]
    strict = [f for f in check_spec(spec, strict=True) if f.code == "no-companion"]
    assert len(strict) == 1 and "output.describe: true" in strict[0].message
    assert main(["check", "--strict", str(spec)]) == 1
    spec.write_text(spec.read_text("utf-8").replace("src: p.png}", "src: p.png, alt: 会场全景}", 1)
                    + "output: {describe: true}\n", encoding="utf-8")
    assert [f.code for f in check_spec(spec, strict=True) if f.code in ("no-alt", "no-companion")] == []
    paths = tushuo.render(tushuo.load(spec), tmp_path / "o.png")  # output.describe writes the companion
    assert [p.name for p in paths] == ["o.png", "o.md"] and "![会场全景](p.png)" in paths[1].read_text("utf-8")


def test_batch_lists_companions_in_report(tmp_path: Path) -> None:
    import json

    from tushuo.batch import render_many

    specs = [EXAMPLES / "hello.yaml", EXAMPLES / "monthly" / "2026-09.yaml"]
    report = render_many(specs, tmp_path, jobs=1, describe=True)
    assert report.exit_code == 0
    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    outs = [Path(o["path"]).name for item in data["items"] for o in item["outputs"]]
    assert sorted(outs) == ["2026-09.md", "2026-09.png", "hello.md", "hello.png"]
    assert (tmp_path / "hello.md").read_text("utf-8").startswith("# ")
