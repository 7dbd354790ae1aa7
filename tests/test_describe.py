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
             "data_file", "to", "alt", "number", "level", "columns", "size", "height", "checked",
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
