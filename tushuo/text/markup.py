"""Inline markup: ``**bold**`` and ``==highlight==``, nothing else.

Markers pair up left to right per kind (the 1st ``**`` with the 2nd, the 3rd with
the 4th, ...); a marker left without a partner, or a pair with nothing between,
is printed literally. Bold and highlight ranges may nest or cross: each character
simply carries the flags of the pairs around it. Newlines pass through (the
layout starts a new line there). There are no escapes, so ordinary text such as
``a*b`` or ``x = y`` is never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BOLD = 1
HIGHLIGHT = 2

_MARKERS = {"**": BOLD, "==": HIGHLIGHT}
_TOKEN = re.compile(r"\*\*|==")


@dataclass(frozen=True)
class Markup:
    """Plain text plus one flag byte per character (``BOLD | HIGHLIGHT``)."""

    text: str
    flags: bytes

    def spans(self) -> list[tuple[str, int]]:
        """Maximal ``(text, flags)`` pieces, in order."""
        out: list[tuple[str, int]] = []
        start = 0
        for i in range(1, len(self.text) + 1):
            if i == len(self.text) or self.flags[i] != self.flags[start]:
                out.append((self.text[start:i], self.flags[start]))
                start = i
        return out


def parse(text: str) -> Markup:
    """Remove the markers of matched pairs and flag the characters between them."""
    if "**" not in text and "==" not in text:
        return Markup(text, bytes(len(text)))
    return parse_at(text)[0]


def parse_at(text: str) -> tuple[Markup, list[int]]:
    """:func:`parse`, and where each character of its text stands in ``text`` (a caller that
    chooses line breaks in the plain text puts them back into the marked-up source)."""
    if "**" not in text and "==" not in text:
        return Markup(text, bytes(len(text))), list(range(len(text)))
    tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(text)]
    pairs: list[tuple[int, int, int]] = []  # (open index, close index, flag) in ``tokens``
    for marker, flag in _MARKERS.items():
        idx = [k for k, (_, t) in enumerate(tokens) if t == marker]
        for o, c in zip(idx[0::2], idx[1::2]):
            if tokens[c][0] > tokens[o][0] + 2:  # an empty pair stays literal
                pairs.append((o, c, flag))
    if not pairs:
        return Markup(text, bytes(len(text))), list(range(len(text)))
    drop = set()
    opens: dict[int, int] = {}
    closes: dict[int, int] = {}
    for o, c, flag in pairs:
        drop.add(tokens[o][0])
        drop.add(tokens[c][0])
        opens[tokens[o][0]] = flag
        closes[tokens[c][0]] = flag
    out: list[str] = []
    at: list[int] = []
    flags = bytearray()
    active = {BOLD: 0, HIGHLIGHT: 0}
    i = 0
    n = len(text)
    while i < n:
        if i in drop:
            if i in opens:
                active[opens[i]] += 1
            else:
                active[closes[i]] -= 1
            i += 2
            continue
        out.append(text[i])
        at.append(i)
        flags.append((BOLD if active[BOLD] else 0) | (HIGHLIGHT if active[HIGHLIGHT] else 0))
        i += 1
    return Markup("".join(out), bytes(flags)), at


def strip(text: str) -> str:
    """The text a reader sees: markup markers of matched pairs removed."""
    return parse(text).text
