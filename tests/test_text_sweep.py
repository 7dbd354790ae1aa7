"""The #13 sweep: every example and template, four themes, 1080 and 750 px. No text ends with
a lone character where the line above could give it one, no justified line is looser than
0.1 em a gap where a tighter setting of as many lines exists, no chart label is hidden."""

from __future__ import annotations

import pytest
from text_sweep import THEMES, WIDTHS, document, document_names, lines_of, sweep, tighter_setting


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", document_names())
def test_no_lone_character_no_avoidable_loose_line_no_hidden_label(name: str, theme: str) -> None:
    doc = document(name)
    for width in WIDTHS:
        widows, loose, hidden = sweep(doc, width, theme)
        assert not widows, (width, widows)
        assert not hidden, (width, hidden)
        for text, stretch, op, lines in loose:
            better = tighter_setting(op, lines_of(op))
            assert better is None, f"{width}: {text!r} stretched {stretch:.3f} em although {better} fits"


LONG_RUNS = """\
title: 不可断的长串
blocks:
  - type: paragraph
    text: 各级党组织和党员申请材料请于本月底前报送区委组织部组织科，逾期不再受理。材料编号按ABC-2026-00123格式填写，咨询电话400-888-1234，工作日均有专人解答。
  - type: callout
    tone: info
    text: 本期内容由各乡镇（街道）党（工）委报送，区委组织部组织科汇总。如有疑问请拨打0558-1234567，或来函注明编号ABC-2026-00123。
"""


@pytest.mark.parametrize("theme", THEMES)
def test_no_line_before_a_phone_number_or_code_is_stretched_loose(tmp_path, theme: str) -> None:
    """A phone number or a code that does not fit on a line leaves the line before it ragged, as a
    URL does, instead of letter-spacing it (and the lines above) 0.16-0.23 em a gap: no Han gap of
    a justified line wider than LOOSE, in a paragraph and in a callout."""
    import tushuo

    spec = tmp_path / "spec.yaml"
    spec.write_text(LONG_RUNS, encoding="utf-8")
    doc = tushuo.load(spec)
    for width in WIDTHS:
        widows, loose, _ = sweep(doc, width, theme)
        assert not widows, (width, widows)
        assert not loose, [(width, text, round(stretch, 3), lines) for text, stretch, _, lines in loose]
