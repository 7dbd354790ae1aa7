"""Chinese line breaking: UAX #14 opportunities (uniseg) tailored to clreq "strict".

Three layers, each one narrower than the one before:

1. **UAX #14** break opportunities from ``uniseg.linebreak``, the maintained
   implementation of the Unicode algorithm (numbers such as 98.5%, 1,286 and -3.2,
   Latin words, ``……`` and ``——`` already stay together there).
2. **clreq / GB/T 15834 tailoring**: no line may start with a closing or pause mark
   (``NO_START``) nor end with an opening one (``NO_END``); ``——``/``……`` never split.
3. **Units**: URLs and e-mail addresses are one unit.

:func:`wrap` fills lines greedily with the widest break of layer 3 that fits, so a
forbidden break is avoided by pushing the character(s) before it to the next line
(clusters such as ``。”`` and ``）。`` move as one). Only when no such break fits
(a unit wider than the line, a run of 50 closing marks) does it fall back, in
order, to a break that splits a URL, to any character boundary that keeps the
clreq rules, and then to any character boundary. No line is ever wider than the
measure except a single character that is wider on its own.

Speed: uniseg is exact but pure Python (0.1-0.3 ms a character), so it only sees
short *canonical segments*. No UAX #14 rule looks back across an ideograph, a letter
or a digit, and the break before one needs no look-ahead, so the text is cut before
each of them (see :func:`uax14_breaks`); every character is replaced by a
representative with the same UAX #14 inputs (line-break class, general category,
East Asian width, pictographic flag) and runs of spaces are shortened. Chinese text
thus reduces to a few hundred distinct segments such as ``为，为`` or ``5%、``, each
run through uniseg once per process and cached. ``tests/test_text_linebreak.py``
checks the result equals uniseg on the whole string.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from uniseg.emoji import extended_pictographic
from uniseg.linebreak import line_break, line_break_breakables

# -- the clreq tailoring -----------------------------------------------------

#: Never at the start of a line (clreq §3.1.4 strict level, GB/T 15834—2011 §5.1):
#: pause and stop marks, closing brackets/quotes, interpuncts, connectors, ellipsis,
#: dashes, percent/unit signs; plus the ASCII closers and the solidus.
NO_START = frozenset(
    "，。、；：？！）】》」』”’〉〕〗〙〛｝］｠｣·・～〜%％‰℃°′″…⋯—―‖"
    "‥〃々〻ヽヾゝゞ｡､･"
    ",.;:!?)]}/"
)
#: Never at the end of a line: opening brackets and quotes (and the solidus).
NO_END = frozenset("（【《「『“‘〈〔〖〘〚｛［｟｢([{/")
#: Two-character units never split: the two-em dash —— and the ellipsis …….
_PAIRED = frozenset("—―…⋯")
#: Spaces dropped where a line breaks.
SPACES = frozenset(" \t\u3000\u200b\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u205f")

_URL_RE = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*[A-Za-z0-9\-_~/#=&%]"
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


def _joins_previous(ch: str) -> bool:
    """True for characters that belong to the one before (combining marks, ZWJ, selectors)."""
    if unicodedata.category(ch) in ("Mn", "Mc", "Me"):
        return True
    cp = ord(ch)
    return (
        cp == 0x200D
        or 0xFE00 <= cp <= 0xFE0F
        or 0x1F3FB <= cp <= 0x1F3FF
        or 0xE0020 <= cp <= 0xE007F
        or 0xE0100 <= cp <= 0xE01EF
    )


# -- UAX #14 through uniseg, on canonical segments ----------------------------

_OTHER, _ID, _AL, _RUN, _INFIX = 0, 1, 2, 3, 4
#: char → (representative, kind). _ID: class ID; _AL: AL/NU (and AI/XX, resolved to AL);
#: _RUN: SP, whose runs are shortened in a canonical segment; _INFIX: SY/IS.
_CHARS: dict[str, tuple[str, int]] = {}
_REPS: dict[tuple, str] = {}
_SEGMENTS: dict[str, tuple[int, ...]] = {}
_MAX_SEGMENTS = 50_000
_KEEP = 3  # copies of a run character kept in a canonical segment
_KINDS = {"ID": _ID, "AL": _AL, "AI": _AL, "XX": _AL, "NU": _AL, "SP": _RUN, "SY": _INFIX, "IS": _INFIX}


def _char_info(ch: str) -> tuple[str, int]:
    info = _CHARS.get(ch)
    if info is None:
        lb = line_break(ch).value
        key = (
            lb,
            unicodedata.category(ch),
            unicodedata.east_asian_width(ch),
            extended_pictographic(ch),
            ch if ch in ("\u2010", "\u25cc") else "",  # uniseg compares these literally
        )
        rep = _REPS.setdefault(key, ch)
        info = _CHARS[ch] = (rep, _KINDS.get(lb, _OTHER))
    return info


def _segment_breaks(canon: str) -> tuple[int, ...]:
    flags = _SEGMENTS.get(canon)
    if flags is None:
        if len(_SEGMENTS) >= _MAX_SEGMENTS:
            _SEGMENTS.clear()
        flags = _SEGMENTS[canon] = tuple(int(b) for b in line_break_breakables(canon))
    return flags


def uax14_breaks(text: str) -> bytearray:
    """UAX #14 opportunities: ``flags[i]`` is 1 where a line may break before ``text[i]``.

    Equal to ``uniseg.linebreak.line_break_breakables(text)`` (with ``flags[0] == 0``),
    computed on segments with a per-process cache. The text is cut before every
    letter (AL), digit (NU) and ideograph (ID): no rule looks back across such a character and
    the boundary before it needs no look-ahead, so a segment runs from one cut up to
    and including the character at the next cut (whose boundary it decides). Two
    quirks of uniseg peek one character further back; the cuts respect the one that
    matters (no cut before an ideograph after ``.``, ``,``, ``/``: LB25 there sees the
    number before; before a letter or digit LB24/LB25 decide the same either way), the
    other (LB21a) concerns Hebrew letters only.
    """
    n = len(text)
    flags = bytearray(n)
    if n < 2:
        return flags
    infos = [_CHARS.get(ch) or _char_info(ch) for ch in text]
    cuts = [i for i in range(1, n) if infos[i][1] == _AL or (infos[i][1] == _ID and infos[i - 1][1] != _INFIX)]
    cuts.append(n - 1)
    start = 0
    for cut in cuts:
        stop = cut + 1  # the segment includes the character at the cut, as context
        if stop - start == 2 and infos[start][1] != _RUN:
            key = infos[start][0] + infos[start + 1][0]
            cflags = _SEGMENTS.get(key) or _segment_breaks(key)
            flags[start + 1] = cflags[1]
        elif stop - start > 1:
            canon: list[str] = []
            cmap: list[int] = []
            prev = None
            run = 0
            for j in range(start, stop):
                rep, kind = infos[j]
                if kind == _RUN and rep == prev:
                    run += 1
                    if run >= _KEEP:  # inside a long run: the same boundary as between copies
                        cmap.append(len(canon) - 1)
                        continue
                else:
                    run = 0
                prev = rep
                cmap.append(len(canon))
                canon.append(rep)
            cflags = _segment_breaks("".join(canon))
            for j in range(start + 1, stop):
                flags[j] = cflags[cmap[j - start]]
        start = cut
    return flags


# -- tailoring ---------------------------------------------------------------


def clreq_allows(text: str, i: int) -> bool:
    """Whether a break before ``text[i]`` keeps the clreq rules (spaces at the break ignored)."""
    n = len(text)
    j = i
    while j < n and text[j] in SPACES:
        j += 1
    k = i
    while k > 0 and text[k - 1] in SPACES:
        k -= 1
    if j < n and text[j] in NO_START:
        return False
    if k > 0 and text[k - 1] in NO_END:
        return False
    if 0 < i < n and text[i] in _PAIRED and text[i - 1] == text[i]:
        return False
    return True


def unit_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the URLs and e-mail addresses in ``text``."""
    if not ("://" in text or "@" in text or "www." in text):
        return []
    spans = [m.span() for m in _URL_RE.finditer(text)]
    spans += [m.span() for m in _EMAIL_RE.finditer(text)]
    return spans


class Opportunities:
    """Break opportunities of one paragraph (no newlines), computed once per text.

    ``raw``: UAX #14. ``good``: raw and clreq (inside a URL: raw). ``best``: good and not
    inside a unit;
    ``best_pos`` lists them in order with ``len(text)`` last, ``best_vis`` the end of
    the line's visible text for each (trailing spaces dropped).
    """

    __slots__ = ("text", "raw", "good", "best_pos", "best_vis")

    def __init__(self, text: str) -> None:
        self.text = text
        n = len(text)
        raw = uax14_breaks(text)
        good = bytearray(n)
        for i in range(1, n):
            if raw[i]:
                prev, ch = text[i - 1], text[i]
                if prev in SPACES or ch in SPACES:  # look past the spaces (rare in Chinese)
                    good[i] = clreq_allows(text, i)
                else:
                    good[i] = not (ch in NO_START or prev in NO_END or (ch in _PAIRED and prev == ch))
        best = bytearray(good)
        for s, e in unit_spans(text):
            # inside a URL the fallback may use UAX #14's own breaks (after "//", "/", "?")
            good[s + 1 : e] = raw[s + 1 : e]
            best[s + 1 : e] = bytes(max(0, e - s - 1))
        pos = [i for i in range(1, n) if best[i]]
        pos.append(n)
        vis = []
        for p in pos:
            e = p
            while e > 0 and text[e - 1] in SPACES:
                e -= 1
            vis.append(e)
        self.raw = raw
        self.good = good
        self.best_pos = pos
        self.best_vis = vis


@lru_cache(maxsize=4096)
def opportunities(text: str) -> Opportunities:
    """Cached :class:`Opportunities` of a paragraph (layouts measure one text at many widths)."""
    return Opportunities(text)


# -- filling lines -----------------------------------------------------------

_EPS = 1e-6


def wrap(
    text: str,
    advances: Sequence[float],
    width: float,
    *,
    first_width: float | None = None,
    gaps: Sequence[float] | None = None,
    max_lines: int | None = None,
    forced: list[int] | None = None,
    trims: Sequence[float] | None = None,
) -> list[tuple[int, int]]:
    """Break one paragraph into lines; returns ``(start, end)`` of each line's visible text.

    ``advances[i]`` is the advance of ``text[i]``; ``gaps[i]`` extra space between
    ``text[i-1]`` and ``text[i]`` when both are on one line (CJK–Latin spacing);
    ``first_width`` the measure of the first line (after an indent). Spaces at a
    break are dropped. Stops after ``max_lines + 1`` lines when ``max_lines`` is set
    (enough to know the text overflows). ``forced``, when given, collects the index
    of every line that ends at a fallback break (a rule or a unit had to give).
    ``trims[i]``, when given, is blank the layout trims off ``text[i]`` when a line
    starts with it (an opening bracket's left half): that line may hold this much more.
    """
    n = len(text)
    if n == 0:
        return [(0, 0)]
    if gaps is None:
        gaps = [0.0] * n
    # S[k]: x where text[k-1] ends when the paragraph is set on one line from 0.
    S = [0.0] * (n + 1)
    acc = 0.0
    for k in range(n):
        acc += advances[k] + (gaps[k] if k else 0.0)
        S[k + 1] = acc
    opp = opportunities(text)
    pos, vis = opp.best_pos, opp.best_vis
    keys = [S[v] for v in vis]
    lines: list[tuple[int, int]] = []
    a = 0
    avail = width if first_width is None else first_width
    while True:
        limit = S[a] + (gaps[a] if a else 0.0) + avail + _EPS + (trims[a] if trims else 0.0)
        if keys[-1] <= limit and vis[-1] >= a:
            lines.append((a, vis[-1]))
            break
        j = bisect_right(keys, limit) - 1
        p = pos[j] if j >= 0 else -1
        if p <= a:
            p = _fallback(text, opp, S, a, limit)
            if forced is not None:
                forced.append(len(lines))
        e = p
        while e > a and text[e - 1] in SPACES:
            e -= 1
        lines.append((a, e))
        a = p
        while a < n and text[a] in SPACES:
            a += 1
        if a >= n or (max_lines is not None and len(lines) > max_lines):
            break
        avail = width
    return lines


#: A paragraph's last line of this many characters or fewer (行。), or with a single
#: character besides marks (档”。), is a widow. One more character makes it neither, so
#: setting the result again at its own used width gives the same lines.
WIDOW_CHARS = 2


def _letters(text: str) -> int:
    """Characters of ``text`` that are not punctuation or spaces."""
    return sum(1 for ch in text if ch not in SPACES and unicodedata.category(ch)[0] not in "PZ")


def pull_widow(
    text: str,
    advances: Sequence[float],
    lines: list[tuple[int, int]],
    width: float,
    *,
    gaps: Sequence[float] | None = None,
    trims: Sequence[float] | None = None,
) -> list[tuple[int, int]]:
    """``lines`` (from :func:`wrap`) with a one-character last line given company.

    When a paragraph of three or more lines ends with a widow (``WIDOW_CHARS``: 行。 or
    档”。 alone), the previous line gives up what follows its last rule-keeping
    break, one or two characters, so the last line reads 进行。 The previous line then only
    gets a little more slack; nothing moves when that break would split a unit, leave a
    line ending in an opening mark or starting with a closing one, or move more than two.
    """
    if len(lines) < 3:
        return lines
    (pa, pe), (la, le) = lines[-2], lines[-1]
    last = text[la:le]
    if le != len(text.rstrip("".join(SPACES))) or le <= la:
        return lines
    if len(last.replace(" ", "")) > WIDOW_CHARS and _letters(last) > 1:
        return lines
    pos = opportunities(text).best_pos
    k = bisect_right(pos, la) - 1  # the break that started the last line
    if k < 1 or pos[k] < pe or text[pe:pos[k]].strip("".join(SPACES)):
        return lines  # the last line started at a fallback break: leave it
    p = pos[k - 1]
    if p <= pa or _letters(text[pa:p]) < 2 or len(text[p:pos[k]].strip("".join(SPACES))) > 2:
        return lines
    if gaps is None:
        gaps = [0.0] * len(text)
    e = p
    while e > pa and text[e - 1] in SPACES:
        e -= 1
    a = p
    while a < le and text[a] in SPACES:
        a += 1
    need = sum(advances[a:le]) + sum(gaps[a + 1 : le]) - (trims[a] if trims else 0.0)
    if need > width + _EPS:
        return lines
    return [*lines[:-2], (pa, e), (a, le)]


def _fallback(text: str, opp: Opportunities, S: list[float], a: int, limit: float) -> int:
    """A break after ``a`` when no rule-keeping break fits: see the module docstring."""
    n = len(text)
    f = min(n - 1, bisect_right(S, limit) - 1)  # text[a:f] fits (gaps make it conservative)
    good = opp.good
    for p in range(f, a, -1):  # a UAX #14 + clreq break that splits a URL or e-mail
        if good[p]:
            return p
    for p in range(f, a, -1):  # any boundary that keeps clreq (a unit wider than the line)
        if not _joins_previous(text[p]) and clreq_allows(text, p):
            return p
    for p in range(f, a, -1):  # any boundary at all (e.g. 50 closing marks)
        if not _joins_previous(text[p]):
            return p
    p = a + 1  # not even one character fits: it stands alone
    while p < n and _joins_previous(text[p]):
        p += 1
    return p
