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
