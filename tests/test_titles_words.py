"""Balanced titles and labels do not cut Chinese words (换届风气监 / 督举报须知 → 换届风气监督 / 举报须知).

Titles, cover titles, comparison labels and chart labels take their lines from
``layout.common.even_split``; centred text from ``total_fit(balanced=True)``. Both ask
``text.linebreak.word_edges`` where the words are. The checks below use their own oracle
where they can: a list of words written here, and a brute force over every two-line split.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import tushuo
from tushuo.inputs import make_context
from tushuo.layout.common import even_split
from tushuo.text.layout import line_widths
from tushuo.text.linebreak import WORD_SLACK, is_widow, opportunities, word_edges

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# words a reader sees cut in the examples' titles before this change, and a few more
WORDS = ("监督", "監督", "舉報", "須知", "風氣", "举报", "须知", "怎样", "合格", "星级", "便民", "农民", "站点", "换届", "选举", "评定", "标准", "风气",
         "管理", "服务", "中心", "工作", "流程", "社区", "党员", "教育", "远程", "对照", "登记", "资格", "审查")
NO_START = set("，。、；：？！）】》」』”’〉〕·～%…—")
NO_END = set("（【《「『“‘〈〔")


def cuts(text: str, lines: list[str]) -> list[str]:
    """The words of WORDS that a line break falls inside."""
    out, p = [], 0
    for ln in lines[:-1]:
        p = text.index(ln, p) + len(ln)
        out += [w for w in WORDS for k in range(1, len(w)) if text[p - k : p - k + len(w)] == w]
    return out


def ctx_and_style(theme: str = "party-red"):
    ctx = make_context(tushuo.load({"title": "t", "blocks": [{"type": "paragraph", "text": "x"}]}), theme=theme)
    return ctx, ctx.style("title", face=ctx.face("heading"), align="center")


def test_word_edges_know_the_words_of_the_two_covers() -> None:
    e = word_edges("换届风气监督举报须知")
    assert e[5] == 0 and e[3] == 0 and e[1] == 0  # 监|督, 风|气, 换|届
    assert e[4] and e[6] and e[8] and e[2]  # 风气|监督, 监督|举报, 举报|须知, 换届|风气
    e = word_edges("远教站点怎样才算合格？")
    assert e[5] == 0 and e[9] == 0 and e[3] == 0  # 怎|样, 合|格, 站|点
    assert e[4] and e[6] and e[11] == 2  # 站点|怎样, 怎样|才, after the ？
    # between two characters no word starts with, a one-character function word marks a phrase edge
    assert word_edges("参加投票的选民是否过半数？")[5] == 2  # 的|选民
    assert word_edges("ABC 清河") == b"\x02" * 5 + b"\x00" + b"\x02"


def test_traditional_text_is_segmented_with_the_same_words() -> None:
    """script: hant converts the spec before layout: 換屆風氣監督舉報須知 breaks as its Simplified form."""
    assert word_edges("換屆風氣監督舉報須知") == word_edges("换届风气监督举报须知")
    assert word_edges("遠教站點怎樣纔算合格？") == word_edges("远教站点怎样才算合格？")
    assert word_edges("參加投票的選民與候選人")[5] == 2  # 的 as a function word, written either way


@pytest.mark.parametrize("theme", ["party-red", "gov-blue", "fresh-green", "ink"])
@pytest.mark.parametrize("title", ["换届风气监督举报须知", "远教站点怎样才算合格？", "远教站点星级评定标准",
                                   "党员远程教育站点“合格”与“不合格”对照", "清河路88号便民服务中心一楼",
                                   "致富能手和农民合作社负责人"])
def test_the_titles_seen_cut_break_between_words_nearly_evenly(theme: str, title: str) -> None:
    ctx, style = ctx_and_style(theme)
    natural = ctx.text(title, 1e6, style).used_width
    for frac in (0.62, 0.7, 0.8, 0.9):  # two lines at several measures, each with room for a split between words
        width = natural * frac
        lines = even_split(ctx.fonts, title, width, 2, style)
        assert lines is not None and "".join(lines) == title
        assert not cuts(title, lines), (width, lines)
        measure = line_widths(title, style, ctx.fonts).width
        a, b = measure(0, len(lines[0])), measure(len(lines[0]), len(title))
        assert max(a, b) <= natural / 2 + (WORD_SLACK + 0.5) * style.size, lines  # within two characters of even


@pytest.mark.parametrize("name, title, script", [("report-channels", "换届风气监督举报须知", None),
                                                 ("station-comparison", "远教站点怎样才算合格？", None),
                                                 ("report-channels", "換屆風氣監督舉報須知", "hant")])
def test_the_pocket_manual_covers_read_back_without_a_cut_word(name: str, title: str, script: str | None) -> None:
    """The cover of the pocket PDF, read back: the title's two lines cut no word and differ by
    at most two characters (they were 换届风气监 / 督举报须知 and 远教站点怎 / 样才算合格？)."""
    pdfplumber = pytest.importorskip("pdfplumber")
    doc = tushuo.load(str(EXAMPLES / f"{name}.yaml"))
    buf = io.BytesIO()
    tushuo.render(doc, buf, format="pdf", page_size="pocket", script=script)
    cover = pdfplumber.open(io.BytesIO(buf.getvalue())).pages[0]
    lines = [ln["text"].replace(" ", "").replace("?", "？") for ln in cover.extract_text_lines()]
    got = [ln for ln in lines if len(ln) >= 3 and ln in title]
    assert "".join(got) == title, lines
    assert len(got) == 2 and not cuts(title, got), got
    assert abs(len(got[0]) - len(got[1])) <= 2, got


def _titles() -> list[str]:
    out: set[str] = set()

    def walk(o, key=None):
        if isinstance(o, dict):
            for k, v in o.items():
                walk(v, k)
        elif isinstance(o, list):
            for v in o:
                walk(v, key)
        elif isinstance(o, str) and key in ("title", "subtitle", "aspect", "label", "caption") and 4 <= len(o) <= 30:
            out.add(o.strip())

    for f in sorted([*EXAMPLES.glob("*.yaml"), *EXAMPLES.glob("monthly/*.yaml")]):
        walk(yaml.safe_load(f.read_text("utf-8")))
    return sorted(t for t in out if "{{" not in t and "\n" not in t and "**" not in t)


def test_every_title_of_the_examples_avoids_a_cut_when_a_nearly_as_even_split_does() -> None:
    """Against a brute force over every two-line split at the line breaker's opportunities:
    when one cuts no word (word_edges) and its longer line is within WORD_SLACK of the most
    even split's, even_split's lines cut no word either; and no line is a lone character."""
    ctx, style = ctx_and_style()
    titles = _titles()
    assert len(titles) > 40
    checked = 0
    for title in titles:
        opp = opportunities(title)
        measure = line_widths(title, style, ctx.fonts).width
        edges = word_edges(title)
        natural = measure(0, len(title))
        for frac in (0.6, 0.75, 0.9):
            width = natural * frac
            splits = []
            for p, v in zip(opp.best_pos[:-1], opp.best_vis[:-1]):
                a, b = measure(0, v), measure(p, len(title))
                if max(a, b) <= width and not is_widow(title[p:]) and not is_widow(title[:v]):
                    splits.append((max(a, b), edges[p] == 0))
            if not splits:
                continue
            lines = even_split(ctx.fonts, title, width, 2, style)
            assert lines is not None and len(lines) == 2
            assert not any(is_widow(ln) for ln in lines), lines
            best = min(w for w, _ in splits)
            if any(not cut and w <= best + WORD_SLACK * style.size for w, cut in splits):
                p = len(lines[0])
                while p < len(title) and title[p] == " ":
                    p += 1
                assert edges[p], (title, width, lines)
                checked += 1
    assert checked > 40


SYLLABLES = [*WORDS, "的", "是", "和", "在", "村", "镇", "（社区）", "“两委”", "，", "、", "。", "？", "12", "月", "日",
             "88号", "ABC", " "]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=14), st.floats(0.3, 0.95), st.integers(2, 3))
def test_even_split_never_leaves_a_lone_character_nor_breaks_the_clreq_rules(parts, frac, n) -> None:
    ctx, style = ctx_and_style()
    text = "".join(parts).strip()
    if not text:
        return
    measure = line_widths(text, style, ctx.fonts).width
    width = max(measure(0, len(text)) * frac, 3 * style.size)
    lines = even_split(ctx.fonts, text, width, n, style)
    if lines is None:
        return
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    letters = len([ch for ch in text if not is_widow(ch)])  # a letter is a character that is not a widow's mark
    assert not is_widow(lines[-1]) or len(lines) == 1 or letters <= 1, lines
    if letters >= 2 * len(lines):
        assert not any(is_widow(ln) for ln in lines), lines
    for up, down in zip(lines, lines[1:]):
        assert down[:1] not in NO_START and up[-1:] not in NO_END, lines


def test_the_word_list_is_read_only_when_a_title_wraps() -> None:
    """Cold start: laying out text that needs no balanced break does not read the word list."""
    code = (
        "import tushuo\n"
        "from tushuo.inputs import layout_document\n"
        "from tushuo.text import linebreak\n"
        "doc = tushuo.load({'title': 't', 'blocks': [{'type': 'heading', 'text': '短标题'},"
        " {'type': 'paragraph', 'text': '换届风气监督举报须知。' * 20}]})\n"
        "layout_document(doc)\n"
        "assert not linebreak._WORDS, 'read'\n"
        "print(linebreak.word_edges('监督')[1])\n"
    )
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert got.returncode == 0 and got.stdout.strip() == "0", got.stderr
