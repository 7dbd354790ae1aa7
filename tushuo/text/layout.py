"""Paragraph layout: markup → broken, justified lines of positioned glyph runs.

``layout_text`` parses ``**bold**``/``==highlight==`` (markup.py), measures every
character in the face it will really be drawn with (bold face for bold, fallback
faces per character through the FontBook), breaks each paragraph with the one
line-breaking engine (linebreak.total_fit: total fit over the clreq opportunities,
lines measured as drawn, compression included), then places glyphs:

- a newline starts a new paragraph; with ``style.indent`` every paragraph's first
  line is indented by two full-width characters (2 × size);
- ``align='justify'`` stretches every line but a paragraph's last to the measure,
  spreading the slack over the gaps between characters, never inside a Latin word,
  a number, ``——`` or ``……`` (spaces stretch). The gaps end up even: a Han–digit
  gap, which already has its 1/8 em, grows only once the others have caught up
  with it, so 2026年12月 is not gappier at its digits than between Han characters.
  A line whose gaps would each grow by more than one em (a few characters before a
  pushed-down URL) is left ragged rather than letter-spaced into illegibility;
- CJK–Latin spacing: 1/8 em between a Han (or kana) character and a Latin letter or
  digit on the same line (CSS ``text-autospace``, Chromium's default amount); no
  space character is inserted, the gap is only in the x positions;
- line pitch is ``line_height × size``; the em box is centred in it, so the
  baseline is ``top + (pitch − size)/2 + 0.88 × size``;
- ``max_lines`` cuts the text, sets ``overflow`` and ends the last kept line with
  ``……`` when the ellipsis fits; ``overflow`` is also set when a single character is
  wider than the measure (the only case where a line sticks out);
- ``==highlight==`` is drawn in the accent colour over a soft band (accent at 20 %
  alpha) covering the lower part of the characters: a marker-pen stroke;
- punctuation compression (clreq §3.1.6, after breaking, so it never makes a line
  wider): of two adjacent full-width marks such as ``。”``, ``）。``, ``：“``, ``（“`` or ``）……``
  the first loses its blank half; a closing mark that ends a line loses its blank
  half, so justified lines end flush; the two halves of ``——`` are pulled together
  so the dash is one unbroken rule (Noto's em dash is narrower than its advance);
- an opening mark (（“《「) that starts a line at the margin loses its blank left
  half (CSS ``text-spacing-trim: trim-start``): it is set half an em left so its ink
  meets the margin, and （一）摸清底数 does not look indented. The breaker knows,
  so such a line may hold half an em more. After a first-line indent it stays whole;
- no widows (孤字): a paragraph does not end with a line of one character (行。, 举)
  when the lines above can give it company; total fit weighs that against loose
  lines (linebreak.WIDOW_DEMERITS, TOLERANCE);
- centred text is balanced: among the settings with the fewest lines, the one whose
  lines are most even (CSS ``text-wrap: balance``), so a two-line title does not leave
  one word alone on the second line.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from dataclasses import dataclass, field
from itertools import accumulate, chain, repeat
from operator import add, and_, sub
from typing import Literal

from ..color import opaque_hex
from ..frame import Glyphs, Rect, Text
from .fonts import FontBook, default_fontbook
from .linebreak import NO_END, SPACES, LineWidths, total_fit
from .markup import BOLD, HIGHLIGHT, Markup, parse

Align = Literal["left", "center", "right", "justify"]

#: Baseline position in the em box (Noto CJK: ascent 0.88, descent 0.12).
ASCENT = 0.88
#: Space between Han and Latin letters/digits, in em.
CJK_LATIN_GAP = 0.125
#: A justified line whose gaps would each grow by more than this (in em) stays ragged.
MAX_STRETCH = 1.0
#: Highlighter band, in em relative to the baseline, and its alpha.
HIGHLIGHT_TOP = 0.34
HIGHLIGHT_BOTTOM = 0.10
HIGHLIGHT_ALPHA = 0x33  # 20 %
ELLIPSIS = "……"
#: Full-width marks whose ink sits in the left half of the em (Simplified Chinese forms)
#: and those whose ink sits in the right half; the blank halves are what compression removes.
LEFT_INK = frozenset("，。、：；？！）】》」』”’〉〕〗〙〛｝］")
RIGHT_INK = frozenset("（【《「『“‘〈〔〖〘〚｛［")
_DASHES = frozenset("—―")
_AFTER_CLOSE = LEFT_INK | RIGHT_INK | frozenset("…⋯—―")
#: Marks dropped before an ellipsis that ends a cut line (a comma before …… reads badly).
_BEFORE_ELLIPSIS = frozenset("，、；：。,;:") | SPACES | NO_END

#: Text without any of these needs no compression arrays.
_NO_MARKS_SET = LEFT_INK | RIGHT_INK | _DASHES
_MARKS_RE = re.compile("[" + re.escape("".join(sorted(_NO_MARKS_SET))) + "]")
_OPENING_RE = re.compile("[" + re.escape("".join(sorted(RIGHT_INK))) + "]")
_NEWLINES = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class TextStyle:
    """How to set a piece of text. Sizes in design px."""

    size: float
    face: str = "sans"
    bold_face: str = "sans-bold"
    color: str = "#222222"
    accent: str = "#C9302C"  # ==highlight== colour
    band: bool = True  # ==highlight== over a soft accent band (not on dark fills: the colour alone marks it there)
    line_height: float = 1.6  # line pitch as a multiple of size
    align: Align = "left"  # "justify": CJK lines justified except the last
    indent: bool = False  # first-line indent of two full-width characters
    markup: bool = True  # interpret **bold** and ==highlight==
    max_lines: int | None = None  # cut after this many lines (marks the result as overflowing)
    role: str = "body"


@dataclass(frozen=True)
class TextLine:
    """One broken line: its text, runs relative to the block's top-left, and its band."""

    text: str
    runs: tuple[Glyphs, ...]
    top: float
    height: float
    width: float  # natural width before justification (indent included; what the breaker measured)


@dataclass
class TextBlock:
    """A laid-out piece of text, positioned at (0, 0). ``op(x, y)`` places it in a frame."""

    lines: list[TextLine]
    width: float  # the measure it was set to
    height: float
    style: TextStyle
    overflow: bool = False
    underlays: list[Rect] = field(default_factory=list)

    @property
    def used_width(self) -> float:
        return max((ln.width for ln in self.lines), default=0.0)

    def line_breaks(self) -> list[float]:
        """Offsets (from the top) between lines, where a cut is safe."""
        return [ln.top for ln in self.lines[1:]]

    def op(self, x: float, y: float, *, background: str | None = None, box_height: float | None = None) -> Text:
        from ..frame import shift

        runs = tuple(shift(r, x, y) for ln in self.lines for r in ln.runs)
        unders = tuple(shift(u, x, y) for u in self.underlays)
        return Text(
            runs=runs,  # type: ignore[arg-type]
            box=(x, y, self.width, box_height if box_height is not None else self.height),
            role=self.style.role,
            background=background,
            underlays=unders,  # type: ignore[arg-type]
            overflow=self.overflow,
        )


# -- character classes -------------------------------------------------------

_CJK, _LATIN, _TIGHT = 1, 2, 4
_KIND: dict[str, int] = {}


def _kind(ch: str) -> int:
    """Bits: _CJK (Han, kana, Hangul), _LATIN (letters/digits), _TIGHT (never stretched apart)."""
    k = _KIND.get(ch)
    if k is None:
        cat = unicodedata.category(ch)
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        k = 0
        if wide and cat in ("Lo", "Lm"):
            k = _CJK
        elif not wide and (cat in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd") or cat.startswith("M")):
            k = _LATIN | _TIGHT
        elif ch.isascii() and ch not in SPACES:
            k = _TIGHT
        _KIND[ch] = k
    return k


_DASH_PAIRS = frozenset("—―…⋯")  # never stretched apart when doubled
_DASH_PAIRS_RE = re.compile("[" + re.escape("".join(sorted(_DASH_PAIRS))) + "]")
#: bytes.translate tables over kinds (0-7): the CJK/Latin bits, the tight bit as 0/1, and 0/1 negated.
_CJK_LATIN_BITS = bytes(k & (_CJK | _LATIN) for k in range(256))
_TIGHT_BIT = bytes(int(bool(k & _TIGHT)) for k in range(256))
_NOT_BIT = bytes([1, 0, *range(2, 256)])
#: In kinds translated by _CJK_LATIN_BITS: a character whose neighbour before it is of the other script.
_CJK_LATIN_RE = re.compile(rb"(?<=\x01)\x02|(?<=\x02)\x01")


# -- metrics -----------------------------------------------------------------

class _Metrics(dict[str, tuple[float, str, int]]):
    """Per-character (advance, resolved face key, _kind) for one face and size: a character is
    measured the first time it is looked up (``__missing__``), so a paragraph's rows are one
    ``map(table.__getitem__, text)`` in C, with no pass to find the unmeasured ones first. The kind
    rides along so the advances, faces and kinds come from one lookup per character."""

    __slots__ = ("fb", "key", "size")

    def __init__(self, fb: FontBook, key: str, size: float) -> None:
        super().__init__()
        self.fb = weakref.ref(fb)  # the table lives in _METRICS under a weak key: no cycle back to it
        self.key, self.size = key, size

    def __missing__(self, ch: str) -> tuple[float, str, int]:
        fb = self.fb()
        assert fb is not None  # the table is only reached through its live FontBook
        face = fb.resolve(ch, self.key)
        row = self[ch] = (fb.advance(ch, self.size, self.key), face.key if face is not None else self.key, _kind(ch))
        return row


_METRICS: weakref.WeakKeyDictionary[FontBook, dict[tuple[str, float], _Metrics]] = weakref.WeakKeyDictionary()


def _metrics(fb: FontBook, key: str, size: float) -> _Metrics:
    """The :class:`_Metrics` of one face and size, memoised per FontBook."""
    book = _METRICS.get(fb)
    if book is None:
        book = _METRICS[fb] = {}
    table = book.get((key, size))
    if table is None:
        table = book[(key, size)] = _Metrics(fb, key, size)
    return table


@dataclass
class _Para:
    """One paragraph measured: per-character advance, gap before it, face key, flags."""

    text: str
    flags: bytes
    advs: list[float]
    gaps: list[float]
    faces: list[str]
    kinds: list[int]
    trims: list[float] | None = None  # blank trimmed from text[i] when a line starts with it
    shrink_in: list[float] | None = None  # blank compression removes from text[i] before text[i+1]
    shrink_end: list[float] | None = None  # blank compression removes from text[i] at a line end
    stretch: bytes = b""  # 1 where the gap before text[i] may widen when justifying
    spaced: bool = True  # some gap is not 0 (a CJK–Latin space): False lets a line skip adding them


def _measure_para(fb: FontBook, text: str, flags: bytes, style: TextStyle) -> _Para:
    size = float(style.size)
    regular = _metrics(fb, style.face, size)
    if flags.count(0) != len(flags) and any(f & BOLD for f in flags):
        bold = _metrics(fb, style.bold_face, size)
        rows = [(bold if f & BOLD else regular)[ch] for ch, f in zip(text, flags)]
    else:
        rows = list(map(regular.__getitem__, text))
    advs, faces, kinds = (list(c) for c in zip(*rows)) if rows else ([], [], [])
    # per-pair rules in C: kinds as bytes, translated, searched and combined with map(and_)
    kb = bytes(kinds)
    # a CJK–Latin gap where one side is CJK and the other Latin (the two bits never meet in one kind)
    cl = kb.translate(_CJK_LATIN_BITS)
    gaps = [0.0] * len(text)
    spaced = 1 in cl and 2 in cl
    if spaced:
        gap = size * CJK_LATIN_GAP
        for at in _CJK_LATIN_RE.finditer(cl):
            gaps[at.start()] = gap
    # (frozenset.isdisjoint on a str hashes every character: the regexes scan in C, many times faster)
    trims = None
    full = 0.9 * size
    sc: dict[str, bool] = {}
    for mo in _OPENING_RE.finditer(text):
        if trims is None:  # the text has an opening mark
            trims = [0.0] * len(text)
        j = mo.start()
        if advs[j] >= full:
            ok = sc.get(faces[j])
            if ok is None:
                ok = sc[faces[j]] = _sc_marks(fb, faces[j])
            if ok:
                trims[j] = 0.5 * size
    if trims is not None and style.indent:
        trims[0] = 0.0  # after a first-line indent the mark is not at the margin
    shrink_in, shrink_end = _compression(fb, text, advs, faces, size)
    # the gap before text[j] may widen unless both sides are tight (a Latin word, a number) or —— ……
    tb = kb.translate(_TIGHT_BIT)
    if b"\1\1" in tb:
        stretch = b"\0" + bytes(map(and_, tb, tb[1:])).translate(_NOT_BIT)
    else:  # no two tight neighbours: every gap but the first may widen
        stretch = b"\0" + b"\1" * (len(text) - 1) if text else b""
    if _DASH_PAIRS_RE.search(text):
        stretch = bytes(0 if j and c == text[j - 1] and c in _DASH_PAIRS else v
                        for j, (c, v) in enumerate(zip(text, stretch)))
    return _Para(text, flags, advs, gaps, faces, kinds, trims, shrink_in, shrink_end, stretch, spaced)


def _compression(fb: FontBook, t: str, advs: list[float], faces: list[str],
                 size: float) -> tuple[list[float] | None, list[float] | None]:
    """Punctuation compression (clreq §3.1.6) as the breaker's shrink: per character, the blank
    removed when the next character is on the same line, and when it ends the line."""
    n = len(t)
    inner: list[float] | None = None
    end: list[float] = []
    full = 0.9 * size
    half = 0.5 * size
    sc: dict[str, bool] = {}
    for mo in _MARKS_RE.finditer(t):
        if inner is None:  # the text has a mark
            inner, end = [0.0] * n, [0.0] * n
        j, c = mo.start(), mo.group()
        nxt = t[j + 1] if j + 1 < n else ""
        if c in _DASHES:
            if nxt == c:
                inner[j] = _dash_gap(fb, faces[j], c) * size
            continue
        ok = sc.get(faces[j])
        if ok is None:
            ok = sc[faces[j]] = _sc_marks(fb, faces[j])
        if not ok or advs[j] < full:
            continue
        if c in LEFT_INK:
            end[j] = half
            if nxt and nxt in _AFTER_CLOSE:
                inner[j] = half
        elif nxt and nxt in RIGHT_INK:  # c is an opening mark
            inner[j] = half
    return (inner, end) if inner is not None else (None, None)


# -- layout ------------------------------------------------------------------


def one_line_advances(text: str, size: float, face: str,
                      fontbook: FontBook | None = None) -> tuple[list[float], float] | None:
    """``text`` set as one line the way the text engine sets a line: per-character advances after
    punctuation compression (。” and ）“ pairs, a closing mark's blank half at the end) and the
    blank trimmed before an opening mark that starts it; None when no mark needs it (for
    labels placed by hand, such as a chart's, whose right or centred edge should meet the ink)."""
    if not text or _MARKS_RE.search(text) is None:
        return None
    fb = fontbook or default_fontbook()
    para = _measure_para(fb, text, bytes(len(text)), TextStyle(size=size, face=face, markup=False))
    n = len(text)
    trim = para.trims[0] if para.trims else 0.0
    inner, end = para.shrink_in, para.shrink_end
    if not trim and (inner is None or end is None or (not any(inner[: n - 1]) and not end[n - 1])):
        return None  # a mark that changes nothing here (a lone —, a closing mark inside a TC line)
    return _compressed(para, 0, n), trim


def line_widths(text: str, style: TextStyle, fontbook: FontBook | None = None,
                flags: bytes | None = None) -> LineWidths:
    """How wide each candidate line of ``text`` (one paragraph, markup removed: ``flags`` per
    character, markup.BOLD measured in the bold face) is as :func:`layout_text` would draw it,
    for callers that choose their own breaks (balanced titles)."""
    para = _measure_para(fontbook or default_fontbook(), text, flags or bytes(len(text)), style)
    return LineWidths(para.advs, para.gaps, para.trims, para.shrink_in, para.shrink_end)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of ``text`` (its lines as the author broke them)."""
    spans = []
    start = 0
    for m in _NEWLINES.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def layout_text(text: str, width: float, style: TextStyle, fontbook: FontBook | None = None) -> TextBlock:
    """Break ``text`` into lines no wider than ``width`` and position every glyph."""
    fb = fontbook or default_fontbook()
    size = float(style.size)
    pitch = size * style.line_height
    mk = parse(text) if style.markup else Markup(text, bytes(len(text)))
    indent = 2 * size if style.indent else 0.0
    limit = style.max_lines
    # (paragraph, start, end, first line of its paragraph, not justified: its last line or one left ragged)
    plan: list[tuple[_Para, int, int, bool, bool]] = []
    overflow = False
    for ps, pe in paragraph_spans(mk.text):
        if limit is not None and len(plan) >= limit:
            overflow = True
            break
        para = _measure_para(fb, mk.text[ps:pe], mk.flags[ps:pe], style)
        room = None if limit is None else limit - len(plan)
        ragged: set[int] = set()
        spans = total_fit(para.text, para.advs, width, size=size, first_width=width - indent, gaps=para.gaps,
                          trims=para.trims, shrink_in=para.shrink_in, shrink_end=para.shrink_end,
                          stretch=para.stretch, balanced=style.align == "center",
                          justified=style.align == "justify", max_lines=room, ragged=ragged)
        for k, (a, e) in enumerate(spans):
            plan.append((para, a, e, k == 0, k == len(spans) - 1 or k in ragged))
    if limit is not None and len(plan) > limit:
        overflow = True
        del plan[max(limit, 0):]

    lines: list[TextLine] = []
    underlays: list[Rect] = []
    band = _band_colour(style.accent) if style.band else ""
    for i, (para, a, e, first, last) in enumerate(plan):
        x0 = indent if first else 0.0
        avail = width - x0
        trim = para.trims[a] if para.trims and a < len(para.text) else 0.0
        suffix = None
        if overflow and i == len(plan) - 1:
            e, suffix = _cut_for_ellipsis(fb, para, a, e, avail, style, trim)
            last = True
        line, unders = _set_line(
            fb, para, a, e, x0=x0, avail=avail, justify=style.align == "justify" and not last,
            style=style, top=i * pitch, pitch=pitch, band=band, suffix=suffix, trim=trim,
        )
        lines.append(line)
        underlays.extend(unders)
        if line.width > width + 1e-6:  # a character wider than the measure: it sticks out
            overflow = True
    return TextBlock(lines=lines, width=width, height=len(lines) * pitch, style=style, overflow=overflow,
                     underlays=underlays)


def _band_colour(accent: str) -> str:
    return f"{opaque_hex(accent)}{HIGHLIGHT_ALPHA:02X}"


def _cut_for_ellipsis(
    fb: FontBook, para: _Para, a: int, e: int, avail: float, style: TextStyle, trim: float = 0.0
) -> tuple[int, tuple[str, str, float] | None]:
    """Where the last kept line ends so that ``……`` fits after it: (end, (text, face, advance)).

    ``trim``: the blank the line's first character loses at the margin (it starts at −trim)."""
    key = style.bold_face if (e > a and para.flags[e - 1] & BOLD) else style.face
    table = _metrics(fb, key, float(style.size))
    w_ell = sum(table[ch][0] for ch in ELLIPSIS)
    if w_ell > avail:
        return e, None
    x = -trim
    k = a
    while k < e:
        nx = x + (para.gaps[k] if k > a else 0.0) + para.advs[k]
        if nx + w_ell > avail:
            break
        x = nx
        k += 1
    while k > a and para.text[k - 1] in _BEFORE_ELLIPSIS:
        k -= 1
    return k, (ELLIPSIS, table[ELLIPSIS[0]][1], table[ELLIPSIS[0]][0])


def _compressed(para: _Para, a: int, e: int) -> list[float]:
    """Advances of ``text[a:e]`` set as one line, after punctuation compression."""
    if para.shrink_in is None or e <= a:
        return para.advs[a:e]
    advs = list(map(sub, para.advs[a : e - 1], para.shrink_in[a : e - 1]))  # x - 0.0 is x
    advs.append(para.advs[e - 1] - para.shrink_end[e - 1])  # type: ignore[index]
    return advs


_SC_MARKS: dict[str, bool] = {}  # by font file


def _ink(fb: FontBook, key: str, ch: str) -> tuple[float, float] | None:
    """Horizontal ink extent of ``ch`` in face ``key``, in em (None if blank)."""
    box = fb.face(key).pil(1000).getmask(ch).getbbox()
    return (box[0] / 1000, box[2] / 1000) if box else None


def _sc_marks(fb: FontBook, key: str) -> bool:
    """Whether face ``key`` draws full-width marks the Simplified Chinese way (，on the left, （ on
    the right), which compression relies on. True for the bundled SC faces; a user's font and the TC/HK
    faces (whose ，。 sit centred, as Taiwan and Hong Kong set them) are looked at."""
    try:
        path = fb.path(key)
    except Exception:  # noqa: BLE001 - an unknown face: nothing to compress
        return False
    ok = _SC_MARKS.get(str(path))
    if ok is None:
        from ..resources import fonts_dir
        from .fonts import BUNDLED

        try:
            if path.parent == fonts_dir() and path.name in BUNDLED.values() \
                    and not any(t in path.name for t in ("TC-", "HK-")):
                ok = True
            else:
                comma, paren = _ink(fb, key, "，"), _ink(fb, key, "（")
                ok = bool(comma and paren and comma[1] <= 0.55 and paren[0] >= 0.45)
        except Exception:  # noqa: BLE001 - unknown shapes: leave the marks alone
            ok = False
        _SC_MARKS[str(path)] = ok
    return ok


_DASH_GAPS: dict[tuple[str, str], float] = {}  # by (font file, dash)


def _dash_gap(fb: FontBook, key: str, ch: str) -> float:
    """Blank (in em) between two copies of a dash set side by side in face ``key``."""
    try:
        k = (str(fb.path(key)), ch)
    except Exception:  # noqa: BLE001 - an unknown face: leave the dash as it is
        return 0.0
    gap = _DASH_GAPS.get(k)
    if gap is None:
        gap = 0.0
        try:
            ink = _ink(fb, key, ch)
            if ink:
                gap = max(0.0, fb.face(key).advance(ch, 1) - (ink[1] - ink[0]))
        except Exception:  # noqa: BLE001 - a cosmetic adjustment must never fail a layout
            gap = 0.0
        _DASH_GAPS[k] = gap
    return gap


def _set_line(  # noqa: C901 - over the limit before ruff ran; split tracked in #12
    fb: FontBook,
    para: _Para, a: int, e: int, *, x0: float, avail: float, justify: bool, style: TextStyle,
    top: float, pitch: float, band: str, suffix: tuple[str, str, float] | None, trim: float = 0.0,
) -> tuple[TextLine, list[Rect]]:
    size = float(style.size)
    t, gaps = para.text, para.gaps
    advs = _compressed(para, a, e)
    if e <= a:
        trim = 0.0
    if e > a:
        # pen positions: advs[0] - trim, then + gap, (a position), + advance, ... in C (accumulate),
        # the same additions in the same order as a loop; an opening mark at the margin starts at
        # -trim, its blank left half hanging outside. Without CJK–Latin spaces each gap is 0.0,
        # and x + 0.0 is x (x is never -0.0 here), so those additions are left out
        if para.spaced:
            acc = list(accumulate(chain((advs[0] - trim,), chain.from_iterable(zip(gaps[a + 1 : e], advs[1:])))))
            rel = [-trim, *acc[1::2]]
            x = acc[-1]
        elif e - a > 1:
            rel = [-trim, *accumulate(advs[1:-1], initial=advs[0] - trim)]
            x = rel[-1] + advs[-1]
        else:
            rel, x = [-trim], advs[0] - trim
    else:
        rel, x = [], 0.0
    natural = x  # as drawn, after compression: what the breaker measures
    if suffix is not None:
        natural += len(suffix[0]) * suffix[2]

    grow: list[float] | None = None  # per character: space added before it
    if justify and e - a > 1 and natural < avail:
        stretch_at = [False, *para.stretch[a + 1 : e]]
        count = sum(stretch_at)
        if count and (avail - natural) / count <= MAX_STRETCH * size:
            grow = _even_gaps([gaps[a + k] if s else None for k, s in enumerate(stretch_at)], avail - natural)
    lead = x0  # the indent; alignment offsets are not part of the line's width
    if style.align == "center":
        x0 += max(0.0, (avail - natural) / 2)
    elif style.align == "right":
        x0 += max(0.0, avail - natural)

    baseline = top + (pitch - size) / 2 + ASCENT * size
    if grow:
        xs = [0.0] * (e - a)
        shift = x0
        for k in range(e - a):
            shift += grow[k]
            xs[k] = rel[k] + shift
    else:
        xs = list(map(add, rel, repeat(x0)))

    runs: list[Glyphs] = []
    unders: list[Rect] = []
    faces, flags = para.faces, para.flags
    plain = flags.count(0, a, e) == e - a  # no markup on the line: no highlight to split runs or draw
    start = a
    if plain and e > a and faces[a:e].count(faces[a]) == e - a:  # one face: one run (the common line)
        runs.append(Glyphs(t[a:e], tuple(xs), xs[-1] + advs[-1], baseline, faces[a], size, style.color, trim=trim))
        start = e
    for j in range(start + 1, e + 1):
        if j < e and faces[j] == faces[start] and (flags[j] & HIGHLIGHT) == (flags[start] & HIGHLIGHT):
            continue
        colour = style.accent if flags[start] & HIGHLIGHT else style.color
        end = xs[j - 1 - a] + advs[j - 1 - a]
        runs.append(Glyphs(t[start:j], tuple(xs[start - a : j - a]), end, baseline, faces[start], size, colour,
                           trim=trim if start == a else 0.0))
        start = j
    # highlighter bands: one per highlighted stretch of the line
    j = e if plain or not band else a
    while j < e:
        if flags[j] & HIGHLIGHT:
            k = j
            while k < e and flags[k] & HIGHLIGHT:
                k += 1
            k_vis = k
            while k_vis > j and t[k_vis - 1] in SPACES:
                k_vis -= 1
            if k_vis > j:
                pad = 0.06 * size  # a little past the glyphs, but never out of the text box
                left = max(0.0, xs[j - a] + (trim if j == a else 0.0) - pad)
                right = min(max(avail + lead, xs[k_vis - 1 - a] + advs[k_vis - 1 - a]),
                            xs[k_vis - 1 - a] + advs[k_vis - 1 - a] + pad)
                unders.append(
                    Rect(left, baseline - HIGHLIGHT_TOP * size, right - left,
                         (HIGHLIGHT_TOP + HIGHLIGHT_BOTTOM) * size, fill=band, radius=0.1 * size)
                )
            j = k
        else:
            j += 1
    text = t[a:e]
    if suffix is not None:
        s_text, s_face, s_adv = suffix
        sx = x0 + (rel[-1] + advs[-1] if e > a else 0.0)
        xs_s = tuple(sx + i * s_adv for i in range(len(s_text)))
        runs.append(Glyphs(s_text, xs_s, sx + len(s_text) * s_adv, baseline, s_face, size, style.color))
        text += s_text
    return TextLine(text=text, runs=tuple(runs), top=top, height=pitch, width=lead + natural), unders


def _even_gaps(base: list[float | None], slack: float) -> list[float]:
    """Space to add at each gap so the gaps come out even: ``base[k]`` is the space gap k
    already has (the 1/8 em CJK–Latin gap, else 0), None where it must not grow.

    Water-filling: every growing gap is raised to one level, the gaps already wider
    than it keep their width, and the additions sum to ``slack``.
    """
    have = sorted(b for b in base if b is not None)
    total = slack + sum(have)
    level = 0.0
    for i in range(len(have), 0, -1):  # fill the i narrowest; the wider ones stay as they are
        level = (total - sum(have[i:])) / i
        if level >= have[i - 1] - 1e-9:
            break
    return [0.0 if b is None else max(0.0, level - b) for b in base]
