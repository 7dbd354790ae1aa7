"""Shared pieces of block layouts: block titles, pills, number badges, Chinese numbering.

Every block kind with a ``title`` field draws it with ``block_title`` so titles look
the same across steps, tables, checklists, comparisons and cards.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from ..frame import Ellipse, Frame, Keep, Path, Rect
from ..text.fonts import FontBook
from ..text.layout import TextBlock, TextStyle, line_widths
from .context import LayoutContext, text_memo
from .paginate import KEEP

_DIGITS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九; other numbers as Arabic digits."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def number_label(n: int, level: int = 1) -> str:
    """The label of the n-th item at an outline level, as in Chinese official documents.

    Level 1 一、, level 2 （一）, level 3 1., deeper （1）.
    """
    if level <= 1:
        return f"{cn_numeral(n)}、"
    if level == 2:
        return f"（{cn_numeral(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


def next_number(ctx: LayoutContext, level: int) -> int:
    """Advance the outline counter of ``level`` and restart the deeper ones."""
    key = f"outline{level}"
    n = ctx.counters.get(key, 0) + 1
    ctx.counters[key] = n
    for deeper in range(level + 1, 7):
        ctx.counters.pop(f"outline{deeper}", None)
    return n


def nesting(ctx: LayoutContext) -> int:
    """How many sections enclose the block being laid out (0 at the top level)."""
    return max(0, ctx.where.count("blocks[") - 1)


def block_title(title: str, width: float, ctx: LayoutContext, *, background: str | None = None) -> Frame:
    """A block's own title, centred between two short ornamental rules; includes the gap below.

    A title too long for one line with its ornaments wraps, and gets a short bar under it instead.
    """
    pal = ctx.palette
    bg = background or pal.background
    style = ctx.style("h3", face=ctx.face("heading"), align="center", line_height=1.35)
    orn = ctx.px(72)  # rule length on each side
    gap = ctx.px(20)
    frame = Frame(width, 0)
    tb = one_line(ctx, title, style)
    if tb.used_width + 2 * (orn + gap) <= width:
        frame.add(tb.op((width - tb.used_width) / 2, 0, background=bg))
        cy = tb.height / 2
        for side in (-1, 1):
            inner = width / 2 + side * (tb.used_width / 2 + gap)
            outer = inner + side * orn
            frame.add(Rect(min(inner, outer), cy - ctx.px(1.5), orn, ctx.px(3), fill=pal.primary))
            frame.add(diamond(inner, cy, ctx.px(8), pal.primary))
        h = tb.height
    else:
        tb = balanced(ctx, title, width, style)
        frame.add(tb.op((width - tb.width) / 2, 0, background=bg))
        bar_w = ctx.px(64)
        frame.add(Rect((width - bar_w) / 2, tb.height + ctx.px(6), bar_w, ctx.px(5), fill=pal.primary, radius=ctx.px(2.5)))
        h = tb.height + ctx.px(11)
    frame.height = h + ctx.px(ctx.theme.spacing.gap) + ctx.px(8)
    return frame


def titled(title: str | None, width: float, ctx: LayoutContext) -> tuple[Frame, float]:
    """A block's frame, its ``block_title`` already placed when it has one, and the y below it.

    The usual start of a block layout: ``frame, y = titled(block.title, width, ctx)``.
    """
    frame = Frame(width, 0)
    if not title:
        return frame, 0.0
    head = block_title(title, width, ctx)
    frame.place(head, 0, 0)
    frame.keeps.append(Keep(0, head.height, KEEP, "title", with_next=True))  # never alone at a page foot
    return frame, head.height


def diamond(cx: float, cy: float, r: float, fill: str) -> Path:
    """A small filled diamond centred at (cx, cy) with half-diagonal ``r``."""
    return Path((("M", cx, cy - r), ("L", cx + r, cy), ("L", cx, cy + r), ("L", cx - r, cy), ("Z",)), fill=fill)


def pill(ctx: LayoutContext, text: str, *, fill: str, color: str, role: str = "caption",
         stroke: str | None = None, pad_x: float | None = None, pad_y: float | None = None,
         max_width: float | None = None) -> Frame:
    """A one-line rounded label (tags, dates, badges); the frame is exactly the pill's size.

    With ``max_width`` a label too long for one line wraps, centred, into a taller pill
    with the same corner radius (a long tag would otherwise run off the card).
    """
    style = ctx.style(role, face=ctx.face("bold"), color=color, line_height=1.25, markup=False)
    tb = one_line(ctx, text, style)
    px = ctx.px(22) if pad_x is None else pad_x
    py = ctx.px(6) if pad_y is None else pad_y
    radius = (tb.height + 2 * py) / 2
    x = px
    if max_width is not None and tb.used_width + 2 * px > max_width:
        inner = max(max_width - 2 * px, style.size)
        tb = ctx.text(text, inner, replace(style, align="center"))
        x = px - (inner - tb.used_width) / 2  # centred lines sit in the middle of the measure
    w, h = tb.used_width + 2 * px, tb.height + 2 * py
    frame = Frame(w, h)
    frame.add(Rect(0, 0, w, h, fill=fill, stroke=stroke, stroke_width=ctx.px(2) if stroke else 0, radius=radius))
    frame.add(tb.op(x, py, background=fill))
    return frame


def number_badge(ctx: LayoutContext, label: str, size: float, *, fill: str, color: str,
                 role: str = "h3") -> Frame:
    """A filled disc (or a pill for longer labels) with a number or short label centred in it."""
    style = ctx.style(role, face=ctx.face("number"), color=color, line_height=1.0, markup=False)
    style = replace(style, size=min(style.size, size * (0.56 if len(label) <= 1 else 0.46)))
    tb = one_line(ctx, label, style)
    w = max(size, tb.used_width + size * 0.6)
    frame = Frame(w, size)
    if w <= size:
        frame.add(Ellipse(0, 0, size, size, fill=fill))
    else:
        frame.add(Rect(0, 0, w, size, fill=fill, radius=size / 2))
    frame.add(tb.op((w - tb.used_width) / 2, (size - tb.height) / 2, background=fill))
    return frame


def one_line(ctx: LayoutContext, text: str, style: TextStyle) -> TextBlock:
    """``text`` set on one line, its box exactly as wide as the text."""
    natural = ctx.text(text, 1e6, style).used_width
    return ctx.text(text, natural + 0.01, style)


def balanced(ctx: LayoutContext, text: str, width: float, style: TextStyle | str = "body", **overrides) -> TextBlock:
    """``text`` wrapped to as many lines as ``width`` needs, but with lines of even length.

    For titles, labels and short texts in narrow boxes (table and comparison cells, card, step
    and timeline titles): 清河路88号便民服务中心一 / 楼 becomes 清河路88号便 / 民服务中心一楼,
    lines break between words (换届风气监督 / 举报须知), and no line ends inside a quoted or
    bracketed term (“两委”, 《规程》, （社区）) when another choice exists. The text is split at
    the line breaker's own opportunities so that the longest line is as short as possible (a
    small dynamic programme, ``even_split``), inline markup and the author's own line breaks
    kept (``even_lines``); very long text falls back to the narrowest measure that keeps the
    line count. The box is ``width`` or that measure: callers centre or align the block by its
    own width.
    """
    tb = ctx.text(text, width, style, **overrides)
    n = len(tb.lines)
    if n < 2 or tb.style.align == "justify":
        return tb
    even = even_lines(ctx, text, width, n, tb.style, tb)
    if even is not None:
        return even
    lo, hi = width / (n + 1), width
    for _ in range(12):
        mid = (lo + hi) / 2
        trial = ctx.text(text, mid, style, **overrides)
        if len(trial.lines) <= n and trial.used_width <= mid + 0.01:  # no unit forced past the measure
            hi = mid
        else:
            lo = mid
        if hi - lo < 1:
            break
    return ctx.text(text, hi, style, **overrides)


#: A description in a box narrower than this many ems of its size that wraps onto two lines reads
#: as a label (设岗定责亮身份 in a grid card) and is balanced like one; longer text is a paragraph.
SHORT_BOX_EMS = 10


def short_text(ctx: LayoutContext, text: str, width: float, style: TextStyle) -> TextBlock:
    """A description (of a step, card or event) set as body text, or ``balanced`` when it is a
    label in all but name: two lines in a narrow box (设岗定责 / 亮身份, not 设岗定责亮 / 身份)."""
    tb = ctx.text(text, width, style)
    if len(tb.lines) == 2 and width < SHORT_BOX_EMS * style.size:
        return balanced(ctx, text, width, style)
    return tb


def use_room(ctx: LayoutContext, text: str, width: float, tb: TextBlock, room: int) -> TextBlock:
    """``tb`` (``text`` from ``balanced`` at ``width``) or, when one of its breaks cuts a word and
    the box holds ``room`` lines anyway (a cell in a taller row), ``text`` in the fewest more lines
    of ``even_split`` that cut none (很少组织学习， / 课件与群众 / 需求脱节。 beside a cell four
    lines tall, not 很少组织学习，课 / 件与群众需求脱节。). Justified text stays as set."""
    if (room <= len(tb.lines) or tb.style.align == "justify" or not plain(text, tb.style)
            or not _cuts_word(text, tb)):
        return tb
    for k in range(len(tb.lines) + 1, room + 1):
        more = even_lines(ctx, text, width, k, tb.style)
        if more is not None and not _cuts_word(text, more):
            return more
    return tb


def _cuts_word(text: str, tb: TextBlock) -> bool:
    """Whether a line break of ``tb`` (``text`` set, one paragraph) falls inside a word."""
    from ..text.linebreak import word_edges

    edges = word_edges(text)
    at = 0
    for ln in tb.lines[:-1]:
        at = text.find(ln.text, at) + len(ln.text)
        if not edges[at]:
            return True
    return False


def even_lines(ctx: LayoutContext, text: str, width: float, lines: int, style: TextStyle,
               natural: TextBlock | None = None) -> TextBlock | None:
    """``text`` set at ``width`` in the lines of ``even_split``, or None when it cannot be split
    so or the lines do not keep their count at ``width``.

    Inline markup (bold measured bold) and the author's line breaks are kept: each paragraph
    is split on its own into the lines it takes at ``width`` (``natural``: the text set there,
    when the caller has it), and its breaks go back into the marked-up text as line breaks.
    """
    if plain(text, style):  # the usual title
        split = even_split(ctx.fonts, text, width, lines, style)
        if not split:
            return None
        even = ctx.text("\n".join(split), width, style)
        return even if len(even.lines) == len(split) else None
    marked = _even_marked(ctx, text, width, style, natural or ctx.text(text, width, style))
    if marked is None:
        return None
    even = ctx.text(marked[0], width, style)
    return even if len(even.lines) == marked[1] else None


def _even_marked(ctx: LayoutContext, text: str, width: float, style: TextStyle,
                 natural: TextBlock) -> tuple[str, int] | None:
    """``text`` (markup, several paragraphs) with line breaks where ``even_split`` puts them in
    each paragraph that wraps, and the count of lines it then takes; None when a paragraph
    cannot be split so, or ``natural``'s lines do not read back as the paragraphs."""
    from ..text.layout import paragraph_spans
    from ..text.linebreak import SPACES
    from ..text.markup import Markup, parse_at

    mk, at = parse_at(text) if style.markup else (Markup(text, bytes(len(text))), list(range(len(text))))
    plain_text = mk.text
    drop: set[int] = set()  # source indexes of spaces at a new break
    before: set[int] = set()  # source indexes a line break goes before
    total = 0
    k = 0  # natural's next line
    for ps, pe in paragraph_spans(plain_text):
        count, c = 0, ps
        while True:  # the lines of this paragraph in ``natural``: their texts follow each other
            if k >= len(natural.lines):
                return None
            while count and c < pe and plain_text[c] in SPACES:  # spaces at a break are dropped
                c += 1
            line = natural.lines[k].text
            if not plain_text.startswith(line, c) or c + len(line) > pe:
                return None
            c += len(line)
            k += 1
            count += 1
            if not plain_text[c:pe].strip("".join(SPACES)):
                break
        if count < 2:
            total += count
            continue
        flags = mk.flags[ps:pe]
        breaks = even_breaks(ctx.fonts, plain_text[ps:pe], width, count, style, flags if any(flags) else None)
        if breaks is None:
            return None
        for vis, end in breaks[:-1]:
            while end < pe - ps and plain_text[ps + end] == " ":  # as even_split strips them
                end += 1
            drop.update(at[ps + i] for i in range(vis, end))
            before.add(at[ps + end])
        total += len(breaks)
    if k != len(natural.lines):
        return None
    out = []
    for i, ch in enumerate(text):
        if i in before:
            out.append("\n")
        if i not in drop:
            out.append(ch)
    return "".join(out), total


#: Longest text (in break opportunities) split by the dynamic programme.
_EVEN_MAX_UNITS = 120


def plain(text: str, style: TextStyle) -> bool:
    """Whether ``even_split`` can set ``text`` as it is: one paragraph without inline markup
    (``even_lines`` takes the others apart first)."""
    return "\n" not in text and not (style.markup and ("**" in text or "==" in text))


def even_split(fonts: FontBook, text: str, width: float, lines: int, style: TextStyle) -> list[str] | None:
    """Plain ``text`` (one paragraph) as the lines of ``even_breaks``; None when the text is too
    long to search or cannot be set in that many lines."""
    breaks = even_breaks(fonts, text, width, lines, style)
    if breaks is None:
        return None
    out, a = [], 0
    for vis, end in breaks:
        out.append(text[a:vis].lstrip(" "))
        a = end
    return out


def even_breaks(fonts: FontBook, text: str, width: float, lines: int, style: TextStyle,
                flags: bytes | None = None) -> list[tuple[int, int]] | None:
    """The breaks of ``_even_breaks`` (below), kept with the laid-out text (``context.text_memo``):
    a pure function of its arguments, and a warm render asks again for every balanced title."""
    memo = text_memo(fonts)
    key = ("even_split", text, width, lines, style, flags)
    hit = memo.get(key)
    if hit is None:
        hit = _even_breaks(fonts, text, width, lines, style, flags)
        memo.put(key, hit)
    return list(hit) if hit is not None else None


def _even_breaks(fonts: FontBook, text: str, width: float, lines: int, style: TextStyle,
                 flags: bytes | None) -> list[tuple[int, int]] | None:
    """Where ``text`` (one paragraph; ``flags``: its markup, per character) breaks into ``lines``
    lines at break opportunities, the longest as short as possible: for each line, the end of
    its visible text and the break after it (the last: ``len(text)``).

    The line-choosing half of ``balanced`` (charts use it for their labels too); None when
    the text is too long to search or cannot be set in that many lines.

    Breaks that cut a word (``text.linebreak.word_edges``: 换届风气监 / 督举报须知) are avoided
    when the longest line gets at most ``WORD_SLACK`` (two characters) longer for it: 换届风气 /
    监督举报须知. Breaks right after a separator (``word_edges`` 3) are preferred to others when
    the longest line gets at most ``WORD_SLACK`` longer again: 图说组工｜ / 抓党建…, not 图说组工｜抓
    / 党建…; 2026年12月 · 颍州区委组织部 · / WiFi…, not … · 颍州区委 / 组织部 · WiFi…. Lines
    ending at a pause or closing mark (，、。”) are preferred when nearly as even. No line is a lone character (孤字), first, last or between, when another split exists.
    Breaks inside a quote or bracket pair are avoided, with one more line if need be;
    only when that fails too are they allowed.
    """
    from ..text.linebreak import WORD_SLACK, letters_before, opportunities, word_edges

    opp = opportunities(text)
    ends, vis = opp.best_pos, opp.best_vis
    if len(ends) > _EVEN_MAX_UNITS:
        return None
    measure = line_widths(text, style, fonts, flags).width
    starts = [0, *ends[:-1]]  # line k may start at 0 or after any opportunity
    depth_ok = []
    depth = 0
    i = 0
    for e in ends:
        while i < e:
            if text[i] in _OPENING:
                depth += 1
            elif text[i] in _CLOSING:
                depth = max(0, depth - 1)
            i += 1
        depth_ok.append(depth == 0)
    u = len(ends)
    # a line that ends at a pause or closing mark reads better (the last line ends anyway)
    rough = [0 if b == u - 1 or text[vis[b] - 1] in _BREAK_AFTER else 1 for b in range(u)]
    words = word_edges(text)
    cut = [0 if words[ends[b]] else 1 for b in range(u)]  # 1: the break cuts a word
    # 1: the break is not right after a separator (图说组工｜ / 抓党建…), when the text has one
    sep = [int(b < u - 1 and words[ends[b]] != 3) for b in range(u)]
    if sep[:-1].count(0) == 0:
        sep = [0] * u
    # a cut word outweighs any number of breaks off a separator, and one of those any number
    # of lines not ending at a mark
    worded_cost = [(u + 1) * c + s for c, s in zip(cut, sep)]
    weighed = [(u + 1) * ((u + 1) * c + s) + r for c, s, r in zip(cut, sep, rough)]
    letters = letters_before(text)
    # every line width the searches below may ask, measured once (they ask each many times):
    # the first line's to each break, and for each break the lines ending there, longer and
    # longer as their start moves back, while they fit (a search's own width is never wider)
    top = width + 1e-5
    firsts = [measure(0, v) for v in vis]
    rows = []
    for b in range(u):
        row = []
        for a in range(b - 1, -1, -1):
            w = measure(starts[a + 1], vis[b])
            if w > top:
                break
            row.append(w)
        rows.append(row)
    dp = functools.partial(_split_dp, u=u, depth_ok=depth_ok, firsts=firsts, rows=rows, vis=vis, starts=starts,
                           letters=letters)
    em = style.size
    for n, strict in ((lines, True), (lines + 1, True), (lines, False)):
        # 1. the shortest possible longest line; 2. allowing it WORD_SLACK more, the fewest
        # words cut; 3. allowing 1.5 em more than 1 (or what 2 needs), the fewest cut words and
        # lines not ending at a mark, and the shortest longest line for that; 4. within that
        # measure, the same counts with the most even lines (least sum of squares)
        even = dp(n, width, strict, None, squares=False)
        if even is None:
            continue
        worded = (dp(n, min(width, even[0][1] + WORD_SLACK * em + 1e-6), strict, cut, squares=False)
                  if any(cut[:-1]) else None) or even
        # 2b. allowing that WORD_SLACK more again, the fewest breaks off a separator (no more cuts)
        worded = (dp(n, min(width, worded[0][1] + WORD_SLACK * em + 1e-6), strict, worded_cost, squares=False)
                  if any(sep) else None) or worded
        limit = min(width, max(even[0][1] + 1.5 * em, worded[0][1] + 1e-6))
        marked = dp(n, limit, strict, weighed, squares=False) or worded
        cuts = (dp(n, marked[0][1] + 1e-6, strict, weighed, squares=True) or marked)[1]
        return [(vis[b], ends[b]) for b in cuts]
    return None


def _split_dp(n: int, width: float, strict: bool, rough: list[int] | None, *, squares: bool, u: int,
              depth_ok: list[bool], firsts: list[float], rows: list[list[float]], vis: list[int],
              letters: list[int], starts: list[int]) -> tuple[tuple[int, float], list[int]] | None:
    """The best way to end ``n`` lines, none wider than ``width``, at break opportunities, or None.

    The cost, compared in order: the sum of ``rough`` over the lines' ends (when given), then
    the longest line, or with ``squares`` the sum of squared line widths. Each part only grows
    as lines are added, so keeping the least cost per (lines, break) state is exact. No line
    has fewer than two letters (``letters``: their prefix counts) when the text has two for each,
    and the last line never has. ``firsts[b]``: the width of a first line ending at break ``b``;
    ``rows[b][k]``: of the line ending at ``b`` that starts after break ``b - 1 - k``.
    """
    inf = (1 << 30, float("inf"))
    single = letters[-1] >= 2 * n  # room for every line to have two letters
    # best[j][b]: the least cost when the first j lines end at break b
    best = [[inf] * u for _ in range(n + 1)]
    back = [[-1] * u for _ in range(n + 1)]
    for b in range(u):
        w = firsts[b]
        if w <= width and (b == u - 1 or not strict or depth_ok[b]) and not (single and letters[vis[b]] <= 1):
            best[1][b] = (rough[b] if rough else 0, w * w if squares else w)
    for j in range(2, n + 1):
        before, here, came = best[j - 1], best[j], back[j]
        for b in range(u - 1) if j < n else (u - 1,):  # the last line ends the text, no other does
            if b < u - 1 and strict and not depth_ok[b]:
                continue
            lone = single or b == u - 1  # a line of one character (孤字) is refused, always when last
            at_b = letters[vis[b]]
            rb = rough[b] if rough else 0
            for k, w in enumerate(rows[b]):  # the line grows as its start moves back
                if w > width:
                    break
                a = b - 1 - k
                prev = before[a]
                if prev is inf or (lone and at_b - letters[starts[a + 1]] <= 1):
                    continue
                cost = (prev[0] + rb, prev[1] + w * w if squares else max(prev[1], w))
                if cost < here[b]:  # on a tie the latest start: earlier lines fuller, as greedy fills them
                    here[b], came[b] = cost, a
    if best[n][u - 1] == inf:
        return None
    cuts = []
    b = u - 1
    for j in range(n, 0, -1):
        cuts.append(b)
        b = back[j][b]
    cuts.reverse()
    return best[n][u - 1], cuts


_BREAK_AFTER = "，、；：。！？）》」』”’〉〕】…—,;:.!?)"
_OPENING = "“‘《〈（(「『【〔"
_CLOSING = "”’》〉）)」』】〕"


def card(x: float, y: float, w: float, h: float, ctx: LayoutContext, *, fill: str | None = None,
         stroke: str | None = None, radius: float | None = None) -> list:
    """A content card: a soft shadow edge under a rounded, outlined surface box."""
    pal = ctx.palette
    r = ctx.px(ctx.theme.spacing.radius) if radius is None else radius
    return [
        Rect(x, y + ctx.px(4), w, h, fill=shadow_color(pal.background), radius=r),
        Rect(x, y, w, h, fill=fill or pal.surface, stroke=stroke or pal.border, stroke_width=ctx.px(1.5), radius=r),
    ]


def shadow_color(bg: str) -> str:
    """The colour of a card's soft shadow edge on ``bg``."""
    from ..color import mix

    return mix(bg, "#000000", 0.06)


__all__ = ["balanced", "block_title", "card", "cn_numeral", "diamond", "even_split", "nesting", "next_number", "number_badge", "number_label", "one_line", "pill", "shadow_color", "short_text", "use_room"]
