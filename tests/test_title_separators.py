"""Balanced titles break right after a separator a reader expects the break at (图说组工｜ / 抓党建…),
not at the nearest word edge, when the lines stay within ``WORD_SLACK`` of the even split.

Seen on an unseen digest's banner (its title and subtitle below): the title was set 图说组工｜抓 /
党建促乡村振兴 / …, the subtitle 2026年12月 · 颍州区委 / 组织部 · WiFi全覆盖APP上线.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

import tushuo
from tushuo.inputs import make_context
from tushuo.layout.common import balanced
from tushuo.text.linebreak import opportunities, word_edges

TITLE = "图说组工｜抓党建促乡村振兴“百村示范、千村提升”行动进展一览"
SUBTITLE = "2026年12月 · 颍州区委组织部 · WiFi全覆盖APP上线"


def context():
    return make_context(tushuo.load({"title": "t", "blocks": [{"type": "paragraph", "text": "x"}]}), theme="party-red")


def test_word_edges_mark_the_breaks_right_after_a_separator() -> None:
    e = word_edges(TITLE)
    assert e[5] == 3 and e[4] != 3  # 图说组工｜|抓, not 图说组工|｜
    e = word_edges(SUBTITLE)
    assert [i for i, v in enumerate(e) if v == 3] == [11, 21]  # after each " · "
    assert 3 not in word_edges("马克思·韦伯的社会学")  # the · inside a name parts nothing
    assert word_edges("本月要闻：换届")[5] == 3 and word_edges("学习——党员")[4] == 3
    assert 3 not in word_edges("开通 WiFi 网络")  # spacing around Latin, not a separator
    assert word_edges("颍州区委组织部　第十二期")[8] == 3  # an ideographic space between two runs


def test_no_line_starts_with_the_vertical_bar() -> None:
    """clreq: a separator ends its line; a break before ｜ is no opportunity, one after it is."""
    pos = opportunities(TITLE).best_pos
    assert 4 not in pos and 5 in pos


@pytest.mark.parametrize("align", ["left", "center"])
def test_the_banner_title_and_subtitle_break_after_their_separators(align: str) -> None:
    ctx = context()
    inner = ctx.width - 2 * ctx.margin  # the banner's measure
    title = balanced(ctx, TITLE, inner, "title", align=align, line_height=1.28)
    assert [ln.text for ln in title.lines] == ["图说组工｜", "抓党建促乡村振兴", "“百村示范、千村提升”", "行动进展一览"]
    sub = balanced(ctx, SUBTITLE, inner, "subtitle", align=align, line_height=1.45)
    assert [ln.text for ln in sub.lines] == ["2026年12月 · 颍州区委组织部 ·", "WiFi全覆盖APP上线"]


def test_centred_text_and_balanced_titles_break_after_a_colon_two_characters_off_the_middle() -> None:
    """5 + 9 characters instead of 7 + 7: centred text (total fit) and balanced titles alike; in a
    measure too narrow for 9 characters the break stays between words nearer the middle."""
    ctx = context()
    text = "本月要闻：换届工作推进会召开"
    style = ctx.style("title", face=ctx.face("heading"), align="center")
    natural = ctx.text(text, 1e6, style).used_width
    for tb in (ctx.text(text, natural * 0.7, style), balanced(ctx, text, natural * 0.7, style),
               balanced(ctx, text, natural * 0.7, replace(style, align="left"))):
        assert [ln.text for ln in tb.lines] == ["本月要闻：", "换届工作推进会召开"]
    narrow = ctx.text(text, natural * 0.55, style)
    assert [ln.text for ln in narrow.lines] == ["本月要闻：换届", "工作推进会召开"]
