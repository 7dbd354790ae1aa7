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
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate, chain, compress
from operator import add, itemgetter, mul, sub
from typing import cast

from uniseg.emoji import extended_pictographic
from uniseg.linebreak import line_break, line_break_breakables

# -- the clreq tailoring -----------------------------------------------------

#: Never at the start of a line (clreq §3.1.4 strict level, GB/T 15834—2011 §5.1):
#: pause and stop marks, closing brackets/quotes, interpuncts, connectors, ellipsis,
#: dashes, percent/unit signs, the separator bars ｜ |; plus the ASCII closers and the solidus.
NO_START = frozenset(
    "，。、；：？！）】》」』”’〉〕〗〙〛｝］｠｣·・～〜%％‰℃°′″…⋯—―‖｜"
    "‥〃々〻ヽヾゝゞ｡､･"
    ",.;:!?)]}/|"
)
#: Never at the end of a line: opening brackets and quotes (and the solidus).
NO_END = frozenset("（【《「『“‘〈〔〖〘〚｛［｟｢([{/")
#: Two-character units never split: the two-em dash —— and the ellipsis …….
_PAIRED = frozenset("—―…⋯")
#: Spaces dropped where a line breaks.
SPACES = frozenset(" \t\u3000\u200b\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u205f")

#: Units and measure words that stay with the number before them (12月20日, 18个, 5至9人),
#: in Simplified and in the Traditional forms tushuo's script conversion writes (15個, 3屆):
#: UAX #14 allows a break between a digit and an ideograph, Chinese setting does not.
NUMBER_UNITS = frozenset("年月日号时点分秒天周旬季个人名位户家村组项条次件元角万亿千百十岁期届倍批场篇份张台辆座所套种类处米里吨斤亩克度成"
                         "號時點週個戶組項條萬億歲屆場張臺輛種類處噸畝裏裡")
#: Single-character words a phrase ends with (break after them) or starts with (break before
#: them): between two characters the word list does not know (see :func:`word_edges`), a break
#: next to one of these is taken not to split a word. Balanced (centred) labels prefer such a
#: break to one between two other Han characters, which may cut a word (选/民).
PHRASE_END = frozenset("的地得了着过和与及或并而等之")
PHRASE_START = frozenset("是否在对为把被将和与及或并而由向从以于如若但也都就才还")
#: Marks that part a title into pieces (图说组工｜抓党建…, 要闻：…): a break right after one is
#: where a reader expects it (:func:`word_edges` 3). The interpuncts · and • only with a space
#: beside them (2026年12月 · 颍州区委组织部; not the · inside a name, 马克思·韦伯), a dash only as
#: the two-em ——; a space only between two runs that are not Latin letters or digits (the space
#: around WiFi in 开通 WiFi 网络 is spacing, not a separator).
SEPARATORS = frozenset("｜|：:")
_SPACED_SEPARATORS = frozenset("·•")
#: A URL or e-mail address that must break leaves pieces of at least this many characters
#: when it can (not www. / 12380.gov.cn, nor …gov. / cn); a shorter piece costs SHORT_SPLIT.
SHORT_FRAGMENT = 5
SHORT_SPLIT = 5_000.0
#: A URL or e-mail address that must break breaks after one of these.
URL_BREAK_AFTER = frozenset("/.-_?&=@")
_URL_RE = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*[A-Za-z0-9\-_~/#=&%]"
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
#: A bare domain (ccdi.gov.cn, jubao.yingzhou.gov.cn/index.html), without www. or a scheme.
_DOMAIN_RE = re.compile(r"(?<![\w@.\-])(?:[A-Za-z0-9\-]+\.)+(?:cn|com|net|org|gov|edu)(?![\w\-])"
                        r"(?:/[A-Za-z0-9\-._~/?#=&%]*[A-Za-z0-9\-_~/#=&%])?")


def _is_han(ch: str) -> bool:
    """A CJK ideograph (a character of a word, unlike marks, digits and letters)."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


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
    if not ("://" in text or "@" in text or "." in text):
        return []
    spans = sorted([m.span() for m in _URL_RE.finditer(text)] + [m.span() for m in _EMAIL_RE.finditer(text)]
                   + [m.span() for m in _DOMAIN_RE.finditer(text)])
    merged: list[tuple[int, int]] = []
    for s, e in spans:  # one address matched twice (a URL's or an e-mail's domain) is one unit
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


# -- words: where a balanced line may break without cutting one ---------------

#: (length, sorted keys, costs) of the 2-, 3- and 4-character words of words.bin, read on first use.
_WORDS: list[tuple[int, Sequence[int], Sequence[int]]] = []
#: Traditional → Simplified code points (OpenCC's, one character for one): Traditional text
#: (script: hant, or written so) is segmented with the same words, its Simplified form.
_TO_SIMPLIFIED: dict[int, int] = {}
#: Cost of a character that starts no known word: that of the rarest word kept (ln(total / 3) - 3).
_SINGLE_COST = 14


def _load_words() -> list[tuple[int, Sequence[int], Sequence[int]]]:
    """The word list (tools/make_words.py says how it is made and laid out), mapped into memory
    and read through typed views, so nothing is parsed or copied: the first call costs ~0.1 ms,
    and each bisection touches a few pages of the file."""
    if not _WORDS:
        import struct
        import sys
        from pathlib import Path

        path = Path(__file__).with_name("words.bin")
        data: memoryview
        try:
            import mmap

            with open(path, "rb") as f:
                data = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
        except (OSError, ValueError):  # pragma: no cover - a file system that cannot map
            data = memoryview(path.read_bytes())
        counts = struct.unpack_from("<3I", data, 4)
        at = 16
        spans = []
        for n, size in zip(counts, (4, 8, 8)):
            spans.append((at, n, size))
            at += n * size
        for k, (start, n, size) in zip((2, 3, 4), spans):
            view = data[start : start + n * size]
            keys: Sequence[int]
            if sys.byteorder == "little":
                keys = view.cast("I" if size == 4 else "Q")
            else:  # pragma: no cover - a big-endian machine: swapped copies
                from array import array

                keys = array("I" if size == 4 else "Q")
                keys.frombytes(view)
                keys.byteswap()
            _WORDS.append((k, keys, data[at : at + n]))
            at += n
        (n,) = struct.unpack_from("<I", data, at)
        pairs = struct.unpack_from(f"<{2 * n}H", data, at + 4)
        _TO_SIMPLIFIED.update(zip(pairs[::2], pairs[1::2]))
    return _WORDS


def _segment(run: str) -> list[int]:
    """Where the words of a run of Han characters end (the run's length last): the segmentation
    with the least cost, each word costing ln(total / its frequency) as in jieba's own
    (its dictionary, tushuo/text/words.bin; an unknown character costs as the rarest word).
    Traditional characters are looked up in their Simplified forms (監督 as 监督)."""
    n = len(run)
    tables = _load_words()
    codes = [ord(ch) for ch in run.translate(_TO_SIMPLIFIED)]  # one character for one
    best = [0] * (n + 1)
    back = list(range(-1, n))
    for j in range(1, n + 1):
        best[j] = best[j - 1] + _SINGLE_COST
        key = codes[j - 1]
        if key > 0xFFFF:  # beyond the BMP: in no word of the list (16-bit keys)
            continue
        for k, keys, costs in tables:
            i = j - k
            if i < 0 or codes[i] > 0xFFFF:
                break
            key |= codes[i] << (16 * (k - 1))
            p = bisect_left(keys, key)
            if p < len(costs) and keys[p] == key and best[i] + costs[p] < best[j]:
                best[j], back[j] = best[i] + costs[p], i
    ends = []
    j = n
    while j > 0:
        ends.append(j)
        j = back[j]
    return ends[::-1]


@lru_cache(maxsize=4096)
def word_edges(text: str) -> bytes:
    """For each ``i`` in ``0..len(text)``, what a break before ``text[i]`` does to words: 0 cuts
    one (监|督, 怎|样; or a number from the Han word it counts: 20|平方米), 1 falls between two
    words (监督|举报), 2 is a phrase edge (next to a one-character function word: 的|选民,
    选民|是否; or not between two Han characters), 3 falls right after a separator that parts
    the text (图说组工｜|抓党建, 2026年12月 · |颍州区委: ``SEPARATORS``).

    The one place tushuo knows Chinese words. Each run of Han characters is segmented with a
    word list (:func:`_segment`). Between two characters that start no known word (a name, a
    rare word, Traditional script), a break next to a function word (``PHRASE_END``,
    ``PHRASE_START``) is a phrase edge and any other is taken to cut a word.
    Used where a line break is chosen for looks, not for fit: balanced titles and labels
    (``layout.common.even_split``) and centred text (:func:`total_fit` with ``balanced``).
    The word list (1.5 MB, tushuo/text/words.bin) is read on the first call; a
    ten-character title is then segmented in about 0.025 ms, once (cached).
    """
    n = len(text)
    out = bytearray(b"\2") * (n + 1)
    i = 0
    while i < n:
        if not _is_han(text[i]):
            i += 1
            continue
        j = i
        while j < n and _is_han(text[j]):
            j += 1
        if j - i > 1:
            cuts = [i, *(i + e for e in _segment(text[i:j]))]
            simple = text[i:j].translate(_TO_SIMPLIFIED)  # 與 as 与 (the list is read by now)
            for t in range(1, len(cuts)):
                a, e = cuts[t - 1], cuts[t]
                out[a + 1 : e] = bytes(e - a - 1)  # inside a word
                if e < j:
                    function = simple[e - i - 1] in PHRASE_END or simple[e - i] in PHRASE_START
                    alone = e - a == 1 and cuts[t + 1] - e == 1  # between two unknown characters
                    out[e] = 2 if function else 0 if alone else 1
        if i and ("0" <= text[i - 1] <= "9" or "０" <= text[i - 1] <= "９"):
            out[i] = 0  # a number and what it counts: not 20 / 平方米
        i = j
    for i in range(1, n):
        if _after_separator(text, i):
            out[i] = 3
    return bytes(out)


def _after_separator(text: str, i: int) -> bool:
    """Whether a break before ``text[i]`` falls right after a separator (``SEPARATORS``)."""
    k = i
    while k > 0 and text[k - 1] in SPACES:
        k -= 1
    if k == 0 or text[i] in SPACES:
        return False
    prev = text[k - 1]
    if k == 1:  # a mark the text starts with (——摘自…) parts nothing
        return False
    if prev in SEPARATORS or (prev in "—―" and text[k - 2] == prev and k > 2):
        return True
    if prev in _SPACED_SEPARATORS:
        return k < i or text[k - 2] in SPACES
    nxt = text[i]
    if k == i or nxt in NO_START or prev in NO_END:
        return False
    return not (prev.isascii() and prev.isalnum()) and not (nxt.isascii() and nxt.isalnum())


class Opportunities:
    """Break opportunities of one paragraph (no newlines), computed once per text.

    ``raw``: UAX #14. ``good``: raw and clreq (inside a URL: raw). ``best``: good and not
    inside a unit;
    ``best_pos`` lists them in order with ``len(text)`` last, ``best_vis`` the end of
    the line's visible text for each (trailing spaces dropped).
    """

    __slots__ = ("text", "raw", "good", "best_pos", "best_vis", "unit_pos", "unit_starts", "fit_pos", "fit_vis",
                 "fit_split", "node_starts", "node_ends", "node_letters", "before_unit", "_word_demerits", "at_starts",
                 "at_starts1", "at_ends", "at_ends1")

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
                    good[i] = not (ch in NO_START or prev in NO_END or (ch in _PAIRED and prev == ch)
                                   or (ch in NUMBER_UNITS and "0" <= prev <= "9"))
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
        # breaks inside a URL or address when it must break: after / . - _ ? & = @
        # (not inside a run of them, as in //), and never before a mark clreq keeps off a line start
        unit = [p for s, e in unit_spans(text) for p in range(s + 1, e)
                if text[p - 1] in URL_BREAK_AFTER and text[p] not in URL_BREAK_AFTER and text[p] not in NO_START]
        self.unit_pos = frozenset(unit)
        # where a line starting with a URL or address starts: the unit, or the opening mark before it
        self.unit_starts = frozenset(s - 1 if s and text[s - 1] in NO_END else s for s, _ in unit_spans(text))
        if unit:
            merged = sorted(set(pos) | self.unit_pos)
            self.fit_pos = merged
            self.fit_vis = [p if p in self.unit_pos else vis[pos.index(p)] for p in merged]
            # 2: a split that leaves a fragment shorter than SHORT_FRAGMENT (www. / 12380.gov.cn, .gov. / cn)
            short = {p for s, e in unit_spans(text) for p in range(s + 1, e) if min(p - s, e - p) < SHORT_FRAGMENT}
            self.fit_split = bytes((2 if p in short else 1) if p in self.unit_pos else 0 for p in merged)
        else:
            self.fit_pos, self.fit_vis, self.fit_split = pos, vis, bytes(len(pos))
        # total fit's nodes: node 0 starts the text, node i > 0 ends a line at fit_pos[i - 1]
        # (its text up to fit_vis[i - 1]) and starts the next after the spaces there
        starts = [0]
        for a in self.fit_pos:
            while a < n and text[a] in SPACES:
                a += 1
            starts.append(a)
        self.node_starts = starts
        self.node_ends = [0, *self.fit_vis]
        # getters (C speed) of per-character prefix sums at the nodes' starts, ends and ends - 1
        self.at_starts = itemgetter(*starts)
        self.at_starts1 = itemgetter(*(a + 1 for a in starts))
        self.at_ends = itemgetter(*self.node_ends)
        self.at_ends1 = itemgetter(*(max(0, e - 1) for e in self.node_ends))
        got = [_LETTER.get(ch) for ch in text]
        lets = [_letter(ch) if v is None else v for ch, v in zip(text, got)] if None in got else cast("list[int]", got)
        lp = [0, *accumulate(lets)]
        self.node_letters = ([lp[a] for a in starts], [lp[e] for e in self.node_ends])
        self._word_demerits: list[float] | None = None
        # node j ends a line whose next one starts with a URL or address (or its opening mark)
        self.before_unit = [0 < j < len(starts) - 1 and a in self.unit_starts for j, a in enumerate(starts)]

    @property
    def word_demerits(self) -> list[float]:
        """Demerits of breaking at node j, < the last (:func:`word_edges`): ``WORD_SPLIT`` inside a
        word, ``PHRASE_SPLIT`` between two words, 0 at a phrase edge; when the text has a break
        right after a separator, every other break costs ``SEPARATOR_GAIN`` more (as many breaks
        are compared: the separator's is cheaper). Only balanced text asks."""
        if self._word_demerits is None:
            words = word_edges(self.text)
            pairs = list(zip(self.node_starts, self.node_ends))
            gain = SEPARATOR_GAIN if any(words[a] == 3 for a, _ in pairs[1:-1]) else 0.0
            cost = (WORD_SPLIT + gain, PHRASE_SPLIT + gain, gain, 0.0)
            self._word_demerits = [cost[words[a]] if a == e or words[a] == 3 else gain for a, e in pairs]
            self._word_demerits[0] = self._word_demerits[-1] = 0.0
        return self._word_demerits


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


#: Demerits of a paragraph whose last line is one character (孤字): more than a line
#: stretched by 0.4 em a gap, so a lone character goes whenever the lines above can give
#: one up without getting that loose.
WIDOW_DEMERITS = 10_000.0
#: Demerits of a justified line that cannot stretch (one word, a URL) and is one em short;
#: they grow with the square of the shortfall.
RAGGED_DEMERITS = 3_000.0
#: Stretch per gap (em) a justified line may take at 100 demerits; demerits grow with its cube.
TOLERANCE = 0.1
_MAX_LINE_DEMERITS = 1e6
_LINES = 1e9  # fewer lines always win: demerits are compared only between settings of as many lines
_SPLIT = 1e11  # except over a URL split: a URL breaks only when it is wider than a line


_LETTER: dict[str, int] = {}


def _letter(ch: str) -> int:
    """1 for a character that counts as a letter for widows (not punctuation, not a space)."""
    v = _LETTER[ch] = int(ch not in SPACES and unicodedata.category(ch)[0] not in "PZ")
    return v


def letters_before(text: str) -> list[int]:
    """``out[i]``: how many of ``text[:i]`` count as letters for widows (see :func:`is_widow`)."""
    get = _LETTER.get
    return [0, *accumulate(_letter(ch) if (v := get(ch)) is None else v for ch in text)]


def is_widow(text: str) -> bool:
    """Whether ``text``, a paragraph's last line, is a lone character (行。, 档”。, 举)."""
    return _letters(text) <= 1


class LineWidths:
    """Widths of candidate lines of one paragraph as the layout draws them: advances, CJK–Latin
    gaps inside the line, an opening mark trimmed at the margin, punctuation compressed.
    Shared by :func:`total_fit` and the balanced splitter of titles (layout.common.even_split)."""

    __slots__ = ("S", "SI", "gaps", "trims", "shrink_end")

    def __init__(self, advances: Sequence[float], gaps: Sequence[float] | None = None,
                 trims: Sequence[float] | None = None, shrink_in: Sequence[float] | None = None,
                 shrink_end: Sequence[float] | None = None) -> None:
        n = len(advances)
        self.gaps = gaps if gaps is not None else [0.0] * n
        self.trims, self.shrink_end = trims, shrink_end
        # prefix sums in C (itertools), the same additions in the same order as a loop
        self.S = [0.0, *accumulate(chain(advances[:1], map(add, advances[1:], self.gaps[1:])))] if n else [0.0]
        self.SI = [0.0, *accumulate(shrink_in)] if shrink_in is not None else [0.0] * (n + 1)

    def width(self, a: int, e: int) -> float:
        """Width of ``text[a:e]`` set as one line."""
        if e <= a:
            return 0.0
        w = self.S[e] - self.S[a] - self.gaps[a] - self.SI[e - 1] + self.SI[a]
        if self.trims is not None:
            w -= self.trims[a]
        if self.shrink_end is not None:
            w -= self.shrink_end[e - 1]
        return w


#: Demerits (in em², balanced text) of a break that cuts a word (:func:`word_edges`: 监|督): a
#: centred label breaks between words instead when that moves its break at most two characters
#: off the middle (8 + 4 against 6 + 6 characters: 80 against 72 + 10), as ``even_split`` does
#: for titles (``WORD_SLACK``).
WORD_SPLIT = 10.0
#: Demerits of a break between two words that is not next to a one-character function word: of
#: two breaks as even, a centred label takes the one at a phrase edge (候选人资格审查 / 是否通过？,
#: not 候选人资格 / 审查是否通过？), and one a character more even otherwise (7 + 5 against 6 + 6:
#: 74 against 72 + 3).
PHRASE_SPLIT = 3.0
#: How much longer (in em) the longest line of a balanced title may get for its breaks to cut
#: fewer words (``layout.common.even_split``): two characters, as ``WORD_SPLIT`` allows.
WORD_SLACK = 2.0
#: What a break right after a separator (:func:`word_edges` 3: 图说组工｜ / 抓党建…) saves a
#: centred label against any other: it moves the break up to two characters off the middle,
#: as ``WORD_SPLIT`` does (``even_split`` allows ``WORD_SLACK`` for it too).
SEPARATOR_GAIN = 10.0
#: Demerits of a justified line left ragged, unstretched, because the next line starts with a
#: URL or e-mail address that did not fit after it (as browsers and the old greedy setting do):
#: those of a line at ``TOLERANCE`` plus this much per em of blank. A line 10 em short costs as
#: much as one stretched by 0.15 em a gap: one short line before an address reads better than
#: several lines around it each stretched by 0.3 em. Linear, so one ragged line is not split into
#: two half as short (the blank is the same, a second ragged line is not).
RAGGED_BEFORE_UNIT = 20.0
#: Width (em) from which an unbreakable run (a phone number 0558-1234567, a code ABC-2026-00123, a
#: long Latin word) counts as an address for ``RAGGED_BEFORE_UNIT``: a line it does not fit after
#: may stay ragged rather than stretch. A narrower run (a percentage, a short word) leaves at most
#: the slack a body line of 20 ems takes at about ``TOLERANCE``.
LONG_RUN = 3.0


def total_fit(  # noqa: C901 - over the limit when ruff's complexity rule came in; split tracked in #12
    text: str,
    advances: Sequence[float],
    width: float,
    *,
    size: float,
    first_width: float | None = None,
    gaps: Sequence[float] | None = None,
    trims: Sequence[float] | None = None,
    shrink_in: Sequence[float] | None = None,
    shrink_end: Sequence[float] | None = None,
    stretch: Sequence[int] | None = None,
    balanced: bool = False,
    justified: bool = True,
    max_lines: int | None = None,
    ragged: set[int] | None = None,
) -> list[tuple[int, int]]:
    """Break one paragraph into lines by total fit (Knuth–Plass over the clreq opportunities).

    Same arguments and result as :func:`wrap`, plus the line's flexibility:
    ``shrink_in[i]``: blank compression removes from ``text[i]`` when ``text[i+1]`` is on the
    same line (。” → 。 half); ``shrink_end[i]``: when ``text[i]`` ends a line (a closing
    mark's blank half). Lines are measured as they are drawn, compressed. ``stretch[i]``: 1
    where the gap before ``text[i]`` may widen (never inside a Latin word, a number, ——).

    Among the settings with the fewest lines (the greedy count: no box grows), it picks the
    one with the least demerits: a non-last line costs ``100 × (r / TOLERANCE)³`` where
    ``r`` is its stretch per gap in em, a last line that is a lone character costs
    ``WIDOW_DEMERITS``. Lines that are not ``justified`` (ragged text) are never stretched:
    they cost ``100 × (slack in em)²``, so they stay nearly full but a lone character is
    cheap to avoid. ``balanced`` (centred text): every line, the last too, costs the
    square of its width in em, so the lines come out even (CSS ``text-wrap: balance``).
    A justified line before a URL or e-mail address, or before an unbreakable run ``LONG_RUN`` ems wide
    or wider that does not fit after it, may stay ragged (``RAGGED_BEFORE_UNIT``);
    the indexes of such lines are added to ``ragged`` when given, for the layout not to stretch them.

    Speed: the greedy setting (each line as full as it goes, measured compressed) is taken
    as it is when it already keeps every rule: no lone last character, no line stretched
    beyond ``TOLERANCE`` (ragged text, which has no loose lines: none three ems short), no fallback break. That is most
    paragraphs of a body column, and it costs a twentieth of the search (benchmarks/linebreak.py).
    Greedy (:func:`wrap`, then :func:`pull_widow`) also remains for a unit wider than the line
    (the fallback breaks are greedy) and for text cut by ``max_lines``.
    """
    n = len(text)

    def greedy() -> list[tuple[int, int]]:
        lines = wrap(text, advances, width, first_width=first_width, gaps=gaps, max_lines=max_lines, trims=trims)
        if balanced or (max_lines is not None and len(lines) > max_lines):
            return lines
        return pull_widow(text, advances, lines, width, gaps=gaps, trims=trims)

    if max_lines is not None:  # text that will be cut is cut after full lines
        cut = wrap(text, advances, width, first_width=first_width, gaps=gaps, max_lines=max_lines, trims=trims)
        if len(cut) > max_lines:
            return cut
    first = width if first_width is None else first_width
    lw = LineWidths(advances, gaps, trims, shrink_in, shrink_end)
    S, SI = lw.S, lw.SI
    gap_list = lw.gaps
    opp = opportunities(text)
    split = opp.fit_split
    m = len(split)
    starts, ends = opp.node_starts, opp.node_ends
    LA, LE = opp.node_letters
    unit_next = opp.before_unit
    word_cost = opp.word_demerits if balanced else []
    st = stretch if isinstance(stretch, bytes) else bytes(stretch if stretch is not None else n)
    em = float(size) or 1.0
    cube = 100.0 / (TOLERANCE * em) ** 3
    long_next: list[bool] = []  # node j's next piece is a long run (set below; the greedy check needs none)

    def before_unit(i: int, j: int) -> bool:
        """Whether the line from node i to node j may stay ragged: before an address, inside one, or
        before a long run that does not fit after it."""
        if unit_next[j] or split[j - 1]:
            return True
        return bool(long_next) and long_next[j] and E[j + 1] - A[i] > (first if i == 0 else width) + _EPS

    def cost(i: int, j: int, w: float, c: int, base: float) -> tuple[float, bool]:
        """Demerits of the line from node i to node j, ``w`` wide, with ``c`` gaps that stretch
        (``base``: the CJK–Latin space they already have), and whether it stays ragged."""
        slack = (first if i == 0 else width) - w
        if balanced:
            return (w / em) ** 2 + (WIDOW_DEMERITS if j == m and LE[j] - LA[i] <= 1 else
                                    word_cost[j]), False
        if j == m:
            return (WIDOW_DEMERITS if LE[j] - LA[i] <= 1 else 0.0), False
        if not justified:
            return 100.0 * (slack / em) ** 2, False
        if not c:  # a line that cannot stretch (one unit, a URL) stays ragged: tolerable when a little short
            d = RAGGED_DEMERITS * (slack / em) ** 2
            if before_unit(i, j):  # a piece of an address: as short as the next piece needs
                d = min(d, 100.0 + RAGGED_BEFORE_UNIT * slack / em)
            return min(_MAX_LINE_DEMERITS, d), False
        # the widest gap after justifying (layout._even_gaps raises all to one level)
        r = (slack + base) / c
        d = min(_MAX_LINE_DEMERITS, cube * r ** 3)
        if r > TOLERANCE and before_unit(i, j):  # before an address, or inside one
            dr = 100.0 + RAGGED_BEFORE_UNIT * slack / em
            if dr < d:
                return dr, True
        return d, False

    # a line from node i to node j is E[j] - A[i] wide (LineWidths.width, split in two halves)
    at_e, at_e1 = opp.at_ends, opp.at_ends1
    E0 = list(map(sub, at_e(S), at_e1(SI)))  # before the end's own compression: nondecreasing
    E = list(map(sub, E0, at_e1(shrink_end))) if shrink_end is not None else E0

    def start_of(i: int) -> float:
        a = starts[i]
        if a >= n:
            return S[n]
        return S[a] + gap_list[a] - SI[a] + (trims[a] if trims is not None else 0.0)

    # 1. greedy: from each line's start the furthest node that fits (bisection), taken as it is
    # when every line keeps the rules; only the lines it sets are measured
    gl: list[int] = [0]
    i = 0
    top = max(shrink_end) if shrink_end is not None and n else 0.0
    while i < m:
        limit = start_of(i) + (first if i == 0 else width) + _EPS
        j = bisect_right(E0, limit + top, i + 1) - 1
        while j > i and E[j] > limit:
            j -= 1
        if j <= i:
            break
        gl.append(j)
        i = j
    ok = 100.0 + 1e-9 if justified else 900.0 + 1e-9  # at TOLERANCE; ragged text: three ems short

    def within(i: int, j: int) -> bool:
        """The line from node i to node j fits and keeps the rules (no 孤字 when last, stretch
        within ``TOLERANCE``; ragged text: at most three ems short)."""
        a, e = starts[i], ends[j]
        w = E[j] - start_of(i) if e > a else 0.0
        if w > (first if i == 0 else width) + _EPS:
            return False
        if j == m:
            return not (i and LE[j] - LA[i] <= 1)
        if not justified:  # ragged text: cost()'s sum, inline (no gap counts, no call)
            return 100.0 * (((first if i == 0 else width) - w) / em) ** 2 <= ok
        c = st.count(1, a + 1, e) if e > a else 0
        base = sum(compress(gap_list[a + 1 : e], st[a + 1 : e])) if c else 0.0
        return cost(i, j, w, c, base)[0] <= ok

    if not balanced and gl[-1] == m and not any(split[j - 1] for j in gl[1:]):
        if len(gl) > 2 and not within(gl[-2], m):
            # a lone last character: the line above gives up what follows its break before
            for p in range(gl[-2] - 1, gl[-3], -1):
                if within(p, m) and within(gl[-3], p):
                    gl[-2] = p
                    break
        if all(within(gl[t - 1], gl[t]) for t in range(1, len(gl))):
            return [(starts[gl[t - 1]], ends[gl[t]]) for t in range(1, len(gl))]

    # the node arrays, from per-character lists padded by one (a line may start at n)
    at_s, at_s1 = opp.at_starts, opp.at_starts1
    A = list(map(sub, map(add, at_s(S), at_s([*gap_list, 0.0])), at_s(SI)))
    if trims is not None:
        A = list(map(add, A, at_s([*trims, 0.0])))
    # node j is followed by a long unbreakable run (node j to node j + 1); the greedy check above is
    # the same without: a ragged line costs more than one at TOLERANCE
    long_run = LONG_RUN * em
    long_next.extend(0 < j < m and E[j + 1] - A[j] >= long_run for j in range(m + 1))
    Gp = [0, 0, *accumulate(st[1:])]  # Gp[k + 1]: stretchable gaps before text[1..k]
    Gp.append(Gp[-1])
    Bp = [0.0, 0.0, *accumulate(map(mul, st[1:], gap_list[1:]))]  # the CJK–Latin space they have
    Bp.append(Bp[-1])
    GA, BA, GE, BE = at_s1(Gp), at_s1(Bp), at_e(Gp), at_e(Bp)

    # 2. total fit
    keys = [S[a] for a in starts]
    window = width if balanced else max(3 * em, 0.25 * width)
    inf = float("inf")
    best = [inf] * (m + 1)
    prev = [0] * (m + 1)
    rag = [False] * (m + 1)
    best[0] = 0.0
    for j in range(1, m + 1):
        e = ends[j]
        Ej = E[j]
        # lines from nodes above hi are looser than the window: tried only when none inside fits
        # (and before a URL: a ragged line there may be as short as it must)
        hi = j - 1 if j == m or unit_next[j] or split[j - 1] or long_next[j] else min(j - 1, bisect_right(keys, S[e] - width + window) - 1)
        bj, pj, rj = inf, 0, False
        extra = _LINES + ((_SPLIT + (SHORT_SPLIT if split[j - 1] == 2 else 0.0)) if split[j - 1] else 0.0)
        for order in (range(hi, -1, -1), range(hi + 1, j)):
            for i in order:
                bi = best[i]
                if bi == inf:
                    continue
                w = Ej - A[i] if e > starts[i] else 0.0
                if w > (first if i == 0 else width) + _EPS:
                    if w > width + _EPS and order.step < 0:
                        break  # wider still further up
                    continue
                d, r = cost(i, j, w, GE[j] - GA[i] if e > starts[i] else 0, BE[j] - BA[i])
                total = bi + extra + d
                if total < bj:
                    bj, pj, rj = total, i, r
                if order.step > 0:
                    break  # the tightest of the looser lines
            if bj < inf:
                break
        best[j], prev[j], rag[j] = bj, pj, rj
    if best[m] == inf:  # a unit wider than the line: the greedy fallback breaks
        return greedy()
    out: list[tuple[int, int]] = []
    flagged: list[int] = []
    j = m
    while j > 0:
        i = prev[j]
        if rag[j]:
            flagged.append(len(out))
        out.append((starts[i], ends[j]))
        j = i
    out.reverse()
    if max_lines is not None and len(out) > max_lines:
        return wrap(text, advances, width, first_width=first_width, gaps=gaps, max_lines=max_lines, trims=trims)
    if ragged is not None:
        ragged.update(len(out) - 1 - k for k in flagged)
    return out


def _fallback(text: str, opp: Opportunities, S: list[float], a: int, limit: float) -> int:
    """A break after ``a`` when no rule-keeping break fits: see the module docstring."""
    n = len(text)
    f = min(n - 1, bisect_right(S, limit) - 1)  # text[a:f] fits (gaps make it conservative)
    good, unit = opp.good, opp.unit_pos
    for p in range(f, a, -1):  # in a URL or e-mail: after / . - _ ? & = @
        if p in unit:
            return p
    for p in range(f, a, -1):  # a UAX #14 + clreq break that splits a URL or e-mail
        if good[p]:
            return p
    for p in range(f, a, -1):  # any boundary that keeps clreq, not between two letters
        if not _joins_previous(text[p]) and clreq_allows(text, p) and not (text[p].isalpha() and text[p - 1].isalpha()):
            return p
    for p in range(f, a, -1):  # any boundary that keeps clreq (a word wider than the line)
        if not _joins_previous(text[p]) and clreq_allows(text, p):
            return p
    for p in range(f, a, -1):  # any boundary at all (e.g. 50 closing marks)
        if not _joins_previous(text[p]):
            return p
    p = a + 1  # not even one character fits: it stands alone
    while p < n and _joins_previous(text[p]):
        p += 1
    return p
