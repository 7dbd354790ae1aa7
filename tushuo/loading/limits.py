"""The loader's safety limits, read at call time (tests lower them with monkeypatch)."""

from __future__ import annotations

#: Largest spec or data file read, in bytes.
MAX_BYTES = 20 * 1024 * 1024
#: Most values one file may hold, counted after following aliases.
MAX_NODES = 100_000
#: Deepest nesting of lists and mappings.
MAX_DEPTH = 64
#: Longest chain of templates extending templates.
MAX_EXTENDS = 8
#: Most errors reported at once.
MAX_ERRORS = 50
#: Longest text in one value (characters): about 830 lines, 54,000 px of body text at 1080 px,
#: laid out in a third of a second. Longer text (a whole report pasted into one paragraph)
#: is refused at once instead of being laid out for minutes: split it into paragraphs.
MAX_TEXT_CHARS = 20_000
#: Longest number as written (characters): a float needs about 25, an int 20 to reach any field's range.
MAX_NUMBER_CHARS = 100
