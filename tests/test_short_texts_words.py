"""Short texts break between words and in even lines, whatever they carry and in every script.

Titles with inline markup (``**bold**``, ``==highlight==``) or the author's own line breaks,
short texts in narrow boxes (comparison cells, card, step, timeline and callout titles,
decision boxes, a two-line description in a grid card) and Traditional output all take their
lines from ``layout.common.even_split`` (through ``balanced``), which asks
``text.linebreak.word_edges`` where the words are. Body paragraphs keep their own setting.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import tushuo
from tushuo.frame import Text
from tushuo.inputs import make_context
from tushuo.layout.common import balanced
from tushuo.pipeline import RenderOptions, layout
from tushuo.script import convert_text
from tushuo.text.linebreak import NO_END, NO_START, NUMBER_UNITS, opportunities, word_edges

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def lines_of(op: Text) -> list[str]:
    """The lines a Text op draws, top to bottom."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for g in op.runs:
        rows.setdefault(round(g.y, 1), []).append((g.xs[0] if g.xs else g.end, g.text))
    return ["".join(t for _, t in sorted(v)) for _, v in sorted(rows.items())]


def texts(spec: dict | str | Path, **options) -> dict[str, list[str]]:
    """Every text of a laid-out document drawn on more than one line: its text → its lines."""
    frame, _ = layout(tushuo.load(spec), RenderOptions(**options))
    out = {}
    for op in frame.walk():
        if isinstance(op, Text):
            ls = lines_of(op)
            if len(ls) > 1:
                out["".join(ls)] = ls
    return out


def ctx():
    return make_context(tushuo.load({"title": "t", "blocks": [{"type": "paragraph", "text": "x"}]}))


@pytest.mark.parametrize("align", ["center", "left"])
@pytest.mark.parametrize("title", ["换届风气**监督**举报须知", "**换届风气监督举报须知**", "==换届风气监督==举报须知",
                                   "换届风气**监督举报**须知"])
def test_a_title_with_markup_breaks_between_words_and_keeps_its_markup(title: str, align: str) -> None:
    c = ctx()
    style = c.style("h1", face=c.face("heading"), align=align)
    width = 7.5 * style.size
    tb = balanced(c, title, width, style)
    assert [ln.text for ln in tb.lines] == ["换届风气监督", "举报须知"]  # was 换届风气监 / 督举报须知
    assert tb.used_width <= width
    # the markup is drawn as written: each character in the same face and colour as on one line
    plain = c.text(title, 1e6, style)

    def looks(block) -> list[tuple[str, str, str]]:
        return [(ch, g.face, g.color) for ln in block.lines for g in ln.runs for ch in g.text]

    assert looks(tb) == looks(plain)
    assert len(tb.underlays) == len(plain.underlays) == ("==" in title)


def test_an_authors_line_break_wins_and_the_paragraph_after_it_breaks_between_words() -> None:
    c = ctx()
    style = c.style("h1", face=c.face("heading"))
    tb = balanced(c, "村民委员会选举\n换届风气监督举报须知", 7.5 * style.size, style)
    assert [ln.text for ln in tb.lines] == ["村民委员会选举", "换届风气监督", "举报须知"]  # was 换届风气监督举 / 报须知


def test_a_heading_with_markup_breaks_between_words() -> None:
    spec = {"title": "t", "width": 540, "blocks": [{"type": "heading", "text": "严格落实**换届风气监督**举报须知和选举纪律要求"}]}
    got = texts(spec)
    (lines,) = got.values()
    edges = word_edges("".join(lines))
    at = 0
    for ln in lines[:-1]:
        at += len(ln)
        assert edges[at], lines  # no break inside a word


def _comparison(cells: list[str], columns: int = 3) -> dict:
    cols = [{"label": "示范", "tone": "positive"}, {"label": "合格", "tone": "neutral"},
            {"label": "不合格", "tone": "negative"}][:columns]
    return {"title": "t", "blocks": [{"type": "comparison", "columns": cols,
                                      "rows": [{"aspect": "场所", "cells": cells}]}]}


def test_short_comparison_cells_break_between_words_in_even_lines() -> None:
    got = texts(_comparison(["有固定的播放场所", "场所被占用或设备故障", "无管理员或不会操作"]))
    assert got["有固定的播放场所"] == ["有固定的", "播放场所"]
    assert got["场所被占用或设备故障"] == ["场所被占用", "或设备故障"]  # was 场所被占用或设 / 备故障
    assert got["无管理员或不会操作"] == ["无管理员或", "不会操作"]  # was 无管理员或不会 / 操作


def test_a_cell_in_a_taller_row_takes_a_line_more_rather_than_cut_a_word() -> None:
    spec = {"title": "t", "blocks": [{"type": "comparison",
                                      "columns": [{"label": "合格", "tone": "positive"}, {"label": "不合格", "tone": "negative"}],
                                      "rows": [{"aspect": "学用", "cells": ["每月组织党员群众集中学习不少于2次，学用结合见实效。",
                                                                           "很少组织学习，课件与群众需求脱节。"]}]}]}
    got = texts(spec)
    # was 很少组织学习，课 / 件与群众需求脱节。 beside a cell of four lines
    assert got["很少组织学习，课件与群众需求脱节。"] == ["很少组织学习，", "课件与群众", "需求脱节。"]
    assert len(got["每月组织党员群众集中学习不少于2次，学用结合见实效。"]) == 4  # the row is no taller


def test_traditional_cells_break_where_the_simplified_ones_do() -> None:
    spec = _comparison(["有固定的播放场所", "场所被占用或设备故障", "无管理员或不会操作"])
    hans = texts(spec)
    for script in ("hant", "hant-tw", "hant-hk"):
        hant = texts(spec, script=script)
        for text, lines in hans.items():
            assert hant[convert_text(text, script)] == [convert_text(ln, script) for ln in lines], script


@pytest.mark.parametrize(("kind", "spec", "want"), [
    ("step title", {"type": "steps", "layout": "grid", "items": [{"title": "制定选举工作方案", "desc": "方案报乡镇备案"},
                                                                {"title": "选民登记", "desc": "登记"},
                                                                {"title": "投票选举", "desc": "投票"}]},
     ["制定选举", "工作方案"]),
    ("grid card description", {"type": "steps", "layout": "grid",
                               "items": [{"title": "学法规", "desc": "村民委员会组织法"}, {"title": "亮身份", "desc": "设岗定责亮身份"},
                                         {"title": "定承诺", "desc": "公开履职承诺"}]},
     ["村民委员会", "组织法"]),
    ("card title", {"type": "cards", "layout": "grid", "items": [{"title": "颍西街道选举日投票有序进行", "desc": "选民凭选民证领取选票。"},
                                                                {"title": "文峰街道开展换届业务培训", "desc": "围绕关键环节讲解。"}]},
     ["颍西街道选举日", "投票有序进行"]),
])
def test_short_texts_in_narrow_boxes_break_between_words_without_a_short_last_line(kind: str, spec: dict,
                                                                                  want: list[str]) -> None:
    got = texts({"title": "t", "width": 540, "blocks": [spec]})
    assert got["".join(want)] == want, kind


def test_a_callout_title_and_a_quote_role_break_between_words() -> None:
    role = "颍州区清河街道办事处党工委副书记兼纪工委书记、人大工委主任、武装部部长"
    title = "选举日当天中心会场和各投票站开放时间安排及注意事项说明"
    got = texts({"title": "t", "blocks": [{"type": "quote", "text": "我志愿加入中国共产党。", "author": "张卫东", "role": role},
                                          {"type": "callout", "title": title, "text": "早八点开放。"}]})
    for text in (role, title):  # were 人大工委主 / 任、武装部部长 and 开放时间安 / 排及注意事项说明
        lines = got[text]
        assert len(lines) == 2 and word_edges(text)[len(lines[0])], lines


def test_body_paragraphs_and_descriptions_in_wide_boxes_keep_their_setting() -> None:
    # a description that wraps onto two lines of a wide step card is a paragraph: lines as full as they go
    got = texts(EXAMPLES / "election-handbook.yaml")
    assert got["由登记参加选举的村民直接提名，根据提名得票多少确定候选人。"] == [
        "由登记参加选举的村民直接提名，根据提名得票多", "少确定候选人。"]
    assert got["组织候选人与村民见面，介绍履职设想，回答村民提问。"] == ["组织候选人与村民见面，介绍履职设想，回答村民", "提问。"]
    body = "为切实做好村（社区）“两委”换届工作，区委组织部召开专题会议，对选举程序、候选人资格审查、投票计票等环节逐项进行部署，确保换届工作依法依规、平稳有序进行。"
    assert texts(EXAMPLES / "basics.yaml")[body][0] == "为切实做好村（社区）“两委”换届工作，区委组"


@pytest.mark.parametrize("script", ["hant", "hant-tw", "hant-hk"])
def test_a_number_stays_with_its_measure_word_in_traditional_text(script: str) -> None:
    # 實名舉報的辦理結果在15 / 個工作日內 was a break between a number and what it counts
    for unit in NUMBER_UNITS:
        text = convert_text(f"结果在15{unit}工作", script)
        at = text.index("15") + 2
        assert at not in opportunities(text).best_pos, (unit, text)


def test_a_number_and_the_word_it_counts_are_one_word_for_balanced_lines() -> None:
    assert word_edges("面积不少于20平方米")[7] == 0  # not 面积不少于20 / 平方米


@pytest.mark.parametrize("script", [None, "hant-tw"])
@pytest.mark.parametrize("name", ["station-comparison", "station-comparison-3col", "election-handbook", "monthly-digest",
                                  "basics", "progress-bulletin", "report-channels"])
def test_no_wrapped_line_of_the_examples_breaks_the_clreq_rules_or_leaves_its_box(name: str, script: str | None) -> None:
    frame, _ = layout(tushuo.load(EXAMPLES / f"{name}.yaml"), RenderOptions(script=script))
    for op in frame.walk():
        if isinstance(op, Text) and op.runs and not op.overflow:
            x, _, w, _ = op.box
            assert max(g.end for g in op.runs) <= x + w + 0.01, lines_of(op)
    for text, lines in texts(EXAMPLES / f"{name}.yaml", script=script).items():
        for ln in lines[1:]:
            assert ln[:1] not in NO_START, (text, lines)
        for ln in lines[:-1]:
            assert ln[-1:] not in NO_END, (text, lines)
