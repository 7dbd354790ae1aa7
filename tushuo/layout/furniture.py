"""Page furniture of the pocket manual, laid out as Frames: cover, contents, running header, page footer, back cover.

These are layouts like any block's (text measured and broken by the text engine,
sizes in theme px at 1080 scaled with ``ctx.px``), sized to one page in design px.
``pages.py`` puts them on the pages the paginator cut; the PDF painter only walks
the finished page frames.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING

from ..color import mix, with_alpha
from ..frame import Ellipse, Frame, Line, Mark, Path, Rect, Text, shift
from ..spec.theme import Theme
from ..text.fonts import FontBook, default_fontbook
from .context import LayoutContext

if TYPE_CHECKING:
    from ..spec.document import Document
    from ..text.layout import TextBlock
    from .pages import PagePlan
    from .paginate import Cut

#: page margins in theme px at 1080 wide (a pocket page is 1920 px tall): header and footer live here
MARGIN_TOP = 132.0
MARGIN_BOTTOM = 118.0


# ----------------------------------------------------------------------------- context
def frame_theme(frame: Frame) -> Theme:
    """The theme the frame was laid out with (built-in defaults for a frame made by hand)."""
    return frame.theme if frame.theme is not None else Theme()


def frame_fonts(frame: Frame) -> FontBook:
    """The FontBook the frame was measured with (the bundled one for a frame made by hand)."""
    return frame.fonts if frame.fonts is not None else default_fontbook()


def page_context(theme: Theme, fonts: FontBook, width: float, doc: Document | None) -> LayoutContext:
    return LayoutContext(theme, fonts, width, doc=doc, where="")


def closing_strip(frame: Frame) -> tuple[float, float] | None:
    """The band (top, bottom) of the document's footer strip, as the stack recorded it (None without one)."""
    for top, bottom, where in frame.origins:
        if where == "footer":
            return (top, bottom)
    return None


# ----------------------------------------------------------------------------- text helpers
def _centered(ctx: LayoutContext, text: str, width: float, x: float, y: float, style, *,
              background: str | None = None) -> tuple[Text, float]:
    """``text`` broken to ``width`` with every line centred in [x, x + width]; (op, height)."""
    return _centered_block(ctx.text(text, width, style), width, x, y, background=background)


def _centered_block(tb: TextBlock, width: float, x: float, y: float, *,
                   background: str | None = None) -> tuple[Text, float]:
    """A laid-out text with every line centered in [x, x + width]; (op, height)."""
    op = tb.op(x, y, background=background)
    runs: list = []
    lines: dict[float, list] = {}
    for r in op.runs:
        lines.setdefault(round(r.y, 3), []).append(r)
    for group in lines.values():
        left = group[0].xs[0] + group[0].trim if group[0].xs else group[0].end
        right = group[-1].end
        dx = x + (width - (right - left)) / 2 - left
        runs.extend(shift(r, dx, 0) for r in group)
    return Text(tuple(runs), op.box, role=op.role, background=background), tb.height


def _title_block(ctx: LayoutContext, text: str, width: float, x: float, y: float, sizes: tuple[float, ...],
                 color: str, background: str) -> tuple[Text, float]:
    """A display title: the largest size (theme px) that needs at most two lines, lines balanced.

    The lines are those of ``even_split``, as every balanced title's: near the middle, not
    leaving two characters on the second line, and not cutting a word (换届风气 / 监督举报须知,
    not 换届风气监 / 督举报须知). Text with markup narrows the measure instead, as far as the
    line count allows.
    """
    style = None
    lines = 0
    for size in sizes:
        style = ctx.style("title", color=color, size=ctx.px(size), line_height=1.32)
        lines = len(ctx.text(text, width, style).lines)
        if lines <= 2:
            break
    assert style is not None
    if lines > 1:
        from .common import even_lines

        even = even_lines(ctx, text, width, lines, style)
        if even is not None and len(even.lines) == lines:
            return _centered_block(even, width, x, y, background=background)
    lo, hi = width * 0.4, width
    if lines > 1:
        for _ in range(10):
            mid = (lo + hi) / 2
            if len(ctx.text(text, mid, style).lines) == lines:
                hi = mid
            else:
                lo = mid
    measure = hi
    op, h = _centered(ctx, text, measure, x + (width - measure) / 2, y, style, background=background)
    return op, h


def _fit(ctx: LayoutContext, text: str, width: float, size: float, face: str) -> str:
    """``text`` shortened with an ellipsis so it fits ``width`` on one line."""
    if ctx.fonts.measure(text, size, face) <= width:
        return text
    ell = "…"
    # the longest prefix that fits with the ellipsis, from prefix sums (measure adds advances
    # left to right, so these are its very sums): cutting a character at a time and measuring
    # again was quadratic, 65 s for a 6,000-character title on a PDF cover
    tail = ctx.fonts.advance(ell, size, face)
    widths = list(accumulate((ctx.fonts.advance(ch, size, face) for ch in text), initial=0.0))
    k = len(text)
    while k and widths[k] + tail > width:
        k -= 1
    return text[:k].rstrip() + ell if k else ""


def _line_op(ctx: LayoutContext, text: str, x: float, baseline: float, style, *,
             background: str | None, width: float | None = None, align: str = "left") -> Text:
    """One line of text with its baseline at ``baseline``, aligned left/centre/right in [x, x+width]."""
    tb = ctx.text(text, width or 10_000, style)
    ln = tb.lines[0]
    natural = ln.runs[-1].end - ln.runs[0].xs[0] - ln.runs[0].trim if ln.runs and ln.runs[0].xs else 0.0
    dx = x
    if align == "center" and width:
        dx = x + (width - natural) / 2
    elif align == "right" and width:
        dx = x + width - natural
    dy = baseline - ln.runs[0].y if ln.runs else 0.0
    op = tb.op(dx, dy, background=background)
    first = tuple(r for r in op.runs if abs(r.y - baseline) < 1e-6)
    return Text(first, (dx, baseline - style.size, natural, style.size * 1.3), role=op.role, background=background)


def _between_rules(ctx: LayoutContext, text: str, baseline: float, style, background: str | None, width: float,
                   *, gap: float, rule: tuple[float, float], color: str) -> list:
    """``text`` centred on the page width between two short rules (``rule``: length, thickness)
    set ``gap`` away from it at the height of the characters' middle."""
    op = _line_op(ctx, text, 0, baseline, style, background=background, width=width, align="center")
    out: list = [op]
    half = op.box[2] / 2 + gap
    length, thick = rule
    for side in (-1, 1):
        x0 = width / 2 + side * half
        out.append(Rect(min(x0, x0 + side * length), baseline - style.size * 0.36, length, thick, fill=color))
    return out


# ----------------------------------------------------------------------------- cover
def _issue_label(doc: Document) -> str | None:
    banner = doc.blocks[0] if doc.blocks and doc.blocks[0].type == "banner" else None
    if banner is not None and getattr(banner, "badge", None):
        return banner.badge
    issue = doc.meta.get("issue")
    if issue in (None, ""):
        return None
    return f"第{issue}期" if str(issue).isdigit() else str(issue)


def _date_label(doc: Document) -> str | None:
    d = doc.meta_date()
    if d is not None:
        return f"{d.year}年{d.month}月{d.day}日"
    raw = doc.meta.get("date")
    return str(raw) if raw not in (None, "") else None


def cover(ctx: LayoutContext, doc: Document, height: float) -> Frame:
    """The cover: the banner's (or document's) title, subtitle, badge, author and date on the theme colours."""
    pal = ctx.palette
    px = ctx.px
    W, H = ctx.width, height
    banner = doc.blocks[0] if doc.blocks and doc.blocks[0].type == "banner" else None
    title = banner.title if banner is not None else doc.title
    subtitle = (banner.subtitle if banner is not None and banner.subtitle else None) or doc.subtitle
    frame = Frame(W, H)
    bg_top, bg_bottom = pal.primary, pal.primary_dark
    frame.add(Rect(0, 0, W, H, gradient=(bg_top, bg_bottom)))
    ink = pal.on_primary
    on = mix(bg_top, bg_bottom, 0.5)  # what the text stands on, for the contrast lint

    # ornaments: soft rings and a gold frame line
    frame.add(Ellipse(W * 0.52, -W * 0.30, W * 0.86, W * 0.86, fill=with_alpha("#FFFFFF", 0.06)))
    frame.add(Ellipse(W * 0.62, -W * 0.20, W * 0.66, W * 0.66, stroke=with_alpha(pal.gold, 0.35), stroke_width=px(3)))
    frame.add(Ellipse(-W * 0.38, H * 0.70, W * 0.80, W * 0.80, fill=with_alpha("#000000", 0.06)))
    inset = px(36)
    frame.add(Rect(inset, inset, W - 2 * inset, H - 2 * inset, stroke=with_alpha(pal.gold, 0.55),
                   stroke_width=px(2), radius=px(12)))

    margin = px(90)
    inner = W - 2 * margin
    # top line: the account or author, between gold rules
    who = doc.meta.get("account") or doc.meta.get("author")
    y_top = H * 0.11
    if who:
        style = ctx.style("caption", color=pal.gold, face=ctx.face("bold"))
        at = ctx.at("meta.account" if doc.meta.get("account") else "meta.author")  # a missing glyph is located
        frame.add(*_between_rules(at, str(who), y_top, style, on, W, gap=px(28), rule=(px(90), px(3)),
                                  color=pal.gold))

    # badge pill
    y = H * 0.30
    badge = _issue_label(doc)
    if badge:
        style = ctx.style("subtitle", color=pal.primary_dark, face=ctx.face("bold"), size=px(38))
        tw = ctx.fonts.measure(badge, style.size, style.face)
        pill_h, pad = px(68), px(36)
        pw = tw + 2 * pad
        frame.add(Rect((W - pw) / 2, y, pw, pill_h, fill=pal.gold, radius=pill_h / 2))
        frame.add(_line_op(ctx, badge, (W - pw) / 2, y + pill_h / 2 + style.size * 0.35, style,
                           background=pal.gold, width=pw, align="center"))
        y += pill_h + px(64)
    else:
        y += px(40)

    # title
    op, th = _title_block(ctx, title, inner, margin, y, (104, 96, 88, 80), ink, on)
    frame.add(op)
    y += th + px(40)
    # gold rule with a diamond
    rule_w = px(220)
    frame.add(Rect((W - rule_w) / 2, y, rule_w, px(4), fill=pal.gold))
    d = px(14)
    cx, cy = W / 2, y + px(2)
    frame.add(Path((("M", cx, cy - d), ("L", cx + d, cy), ("L", cx, cy + d), ("L", cx - d, cy), ("Z",)),
                   fill=pal.gold))
    y += px(64)
    if subtitle:
        sstyle = ctx.style("subtitle", color=ink, size=px(44), line_height=1.45)
        op, sh = _centered(ctx, subtitle, inner, margin, y, sstyle, background=on)
        frame.add(op)
        y += sh

    # bottom: two soft waves with a gold crest line, author and date over them
    def wave(y0: float, amp: float, phase: float) -> list[tuple]:
        return [("M", 0, y0), ("Q", W * 0.25, y0 - amp * phase, W * 0.5, y0),
                ("Q", W * 0.75, y0 + amp * phase, W, y0)]

    crest = wave(H * 0.78, px(70), 1)
    frame.add(Path((*crest, ("L", W, H), ("L", 0, H), ("Z",)), fill=with_alpha("#FFFFFF", 0.06)))
    frame.add(Path(tuple(crest), stroke=with_alpha(pal.gold, 0.55), stroke_width=px(3)))
    low = wave(H * 0.83, px(60), -1)
    frame.add(Path((*low, ("L", W, H), ("L", 0, H), ("Z",)), fill=with_alpha("#000000", 0.10)))
    lines = [str(v) for v in (doc.meta.get("author"), _date_label(doc)) if v]
    if lines:
        style = ctx.style("subtitle", color=ink, size=px(36))
        base = H * 0.905 - (len(lines) - 1) * px(58)
        for i, text in enumerate(lines):
            frame.add(_line_op(ctx, text, margin, base + i * px(58), style, background=on, width=inner,
                               align="center"))
    return frame


def back_cover(ctx: LayoutContext, doc: Document | None, height: float, strip: float) -> Frame:
    """The last page when the closing strip needs a page of its own: it mirrors the cover above the strip."""
    pal = ctx.palette
    px = ctx.px
    W = ctx.width
    top_h = height - strip
    frame = Frame(W, height)
    frame.add(Rect(0, 0, W, top_h + px(2), gradient=(pal.primary, pal.primary_dark)))
    frame.add(Ellipse(-W * 0.30, -W * 0.35, W * 0.80, W * 0.80, fill=with_alpha("#FFFFFF", 0.05)))
    frame.add(Ellipse(W * 0.55, top_h * 0.55, W * 0.70, W * 0.70, stroke=with_alpha(pal.gold, 0.30),
                      stroke_width=px(3)))
    if doc is None:
        return frame
    on = mix(pal.primary, pal.primary_dark, 0.4)
    margin = px(110)
    inner = W - 2 * margin
    op, th = _title_block(ctx, doc.title, inner, margin, 0, (72, 64, 56), pal.on_primary, on)
    y0 = top_h * 0.42 - th / 2
    frame.add(shift(op, 0, y0))
    y = y0 + th + px(44)
    rule_w = px(160)
    frame.add(Rect((W - rule_w) / 2, y, rule_w, px(4), fill=pal.gold))
    who = doc.meta.get("account") or doc.meta.get("author")
    if who:
        style = ctx.style("subtitle", color=pal.gold, size=px(36), face=ctx.face("bold"))
        frame.add(_line_op(ctx, str(who), 0, y + px(96), style, background=on, width=W, align="center"))
    return frame


# ----------------------------------------------------------------------------- contents
@dataclass(frozen=True)
class TocEntry:
    """A mark placed on a body page: ``index`` is the body page (0-based), ``key`` its bookmark."""

    title: str
    level: int
    y: float
    index: int
    key: str


def toc_entries(marks: list[Mark], plan: PagePlan, depth: int = 2) -> list[TocEntry]:
    """Marks of level ≤ ``depth`` in reading order, each with the body page it falls on."""
    tops = [c.top for c in plan.cuts]
    out = []
    for n, m in enumerate(sorted(marks, key=lambda m: m.y)):
        if m.level > depth or not tops:
            continue
        i = max(0, bisect.bisect_right(tops, m.y + 1e-6) - 1)
        out.append(TocEntry(m.title.strip(), m.level, max(m.y, plan.cuts[i].top), i, f"tushuo-mark-{n}"))
    return out


def marks_by_cut(entries: list[TocEntry]) -> dict[int, list[TocEntry]]:
    """Entries grouped by the body page they fall on (where their bookmarks go)."""
    out: dict[int, list[TocEntry]] = {}
    for e in entries:
        out.setdefault(e.index, []).append(e)
    return out


#: contents rows may close up to this share of their height so that the contents fit one page
#: (an A6 manual of eleven sections sent its last entry and its sub-entry to a page of their own)
TOC_SQUEEZE = 0.8


def _toc_metrics(ctx: LayoutContext, height: float, levels: list[int]) -> tuple[float, float, float, float]:
    """(first row top, level-1 row height, level-2 row height, last usable y) of a contents page
    listing entries of ``levels``: rows close up (at most to ``TOC_SQUEEZE``) when that keeps
    the contents on one page."""
    px = ctx.px
    top, h1, h2, last = px(MARGIN_TOP) + px(250), px(96), px(76), height - px(MARGIN_BOTTOM) - px(20)
    need = sum(h1 if lv <= 1 else h2 for lv in levels)
    if last - top < need <= (last - top) / TOC_SQUEEZE:
        k = (last - top) / need * (1 - 1e-9)  # the rows' sum then never rounds past ``last``
        h1, h2 = h1 * k, h2 * k
    return top, h1, h2, last


def toc_pages(ctx: LayoutContext, entries: list[TocEntry], height: float) -> list[list[int]]:
    """Entry indices per contents page (rows never split across pages)."""
    top, h1, h2, last = _toc_metrics(ctx, height, [e.level for e in entries])
    pages: list[list[int]] = [[]]
    y = top
    for i, e in enumerate(entries):
        h = h1 if e.level <= 1 else h2
        if y + h > last and pages[-1]:
            pages.append([])
            y = ctx.px(MARGIN_TOP) + ctx.px(40)
        pages[-1].append(i)
        y += h
    return pages if entries else []


@dataclass
class TocPage:
    """A contents page and its links: (bookmark key, row box in design px)."""

    frame: Frame
    links: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)


def toc_page(ctx: LayoutContext, entries: list[tuple[str, int, str, int]], index: int, height: float, *,
             background: str) -> TocPage:
    """Contents page ``index``: entries (title, level, key, page number) with dot leaders; rows are links."""
    pal = ctx.palette
    px = ctx.px
    W = ctx.width
    frame = Frame(W, height, background=background)
    frame.add(Rect(0, 0, W, height, fill=background))
    margin = px(ctx.theme.spacing.margin) + px(24)
    inner = W - 2 * margin
    pages = toc_pages(ctx, [TocEntry(t, lv, 0, 0, k) for t, lv, k, _ in entries], height)
    top, h1, h2, _ = _toc_metrics(ctx, height, [lv for _, lv, _, _ in entries])
    page = TocPage(frame)
    if index == 0:
        hstyle = ctx.style("h1", color=pal.primary, face=ctx.face("heading"), size=px(64))
        base = px(MARGIN_TOP) + px(96)
        from ..script import convert_text

        frame.add(_line_op(ctx, convert_text("目　录", getattr(ctx.doc, "script", None)), margin, base, hstyle, background=background, width=inner,
                           align="center"))
        frame.add(Rect((W - px(120)) / 2, base + px(42), px(120), px(6), fill=pal.primary, radius=px(3)))
        y = top
    else:
        y = px(MARGIN_TOP) + px(40)
    number_face = ctx.face("number")
    for i in pages[index]:
        title, level, key, number = entries[i]
        h = h1 if level <= 1 else h2
        if level <= 1:
            style = ctx.style("body", face=ctx.face("heading"), color=pal.text, size=px(42))
            x0 = margin
        else:
            style = ctx.style("caption", color=pal.muted, size=px(34))
            x0 = margin + px(56)
        num = str(number)
        nstyle = ctx.style("body", face=number_face, color=pal.primary if level <= 1 else pal.muted,
                           size=style.size)
        num_w = ctx.fonts.measure(num, nstyle.size, nstyle.face)
        room = inner - (x0 - margin) - num_w - px(90)
        base = y + h / 2 + style.size * 0.36
        text = _fit(ctx, title, room, style.size, style.face)
        op = _line_op(ctx, text, x0, base, style, background=background)
        frame.add(op)
        frame.add(_line_op(ctx, num, margin, base, nstyle, background=background, width=inner, align="right"))
        lead_x0 = x0 + op.box[2] + px(24)
        lead_x1 = margin + inner - num_w - px(24)
        if lead_x1 - lead_x0 > px(20):
            dot = px(3.2)
            frame.add(Line(((lead_x0, base - dot), (lead_x1, base - dot)), color=pal.border if level > 1 else
                           mix(pal.border, pal.muted, 0.35), width=dot, dash=(dot, px(11))))
        if level <= 1:
            frame.add(Rect(margin, y + h - px(1), inner, px(1.5), fill=with_alpha(pal.border, 0.7)))
        page.links.append((key, (margin, y, inner, h)))
        y += h
    return page


# ----------------------------------------------------------------------------- header and footer
def _section_at(marks: list[Mark], top: float, bottom: float, opening: float = 0.0) -> str | None:
    """The level-1 mark in force at the page's top, else the first one starting on the page.

    A section whose mark lies within ``opening`` of the top (the gap between blocks that a
    break leaves above the page's first block) opens the page, so the header names it, not
    the section before it.
    """
    current = None
    first_on_page = None
    for m in sorted(marks, key=lambda m: m.y):
        if m.level != 1:
            continue
        if m.y <= top + opening + 1e-6:
            current = m.title
        elif m.y < bottom and first_on_page is None:
            first_on_page = m.title
    return current or first_on_page


def page_chrome(ctx: LayoutContext, doc: Document | None, plan: PagePlan, cut: Cut, number: int, *,
                background: str, marks: list[Mark]) -> Frame:
    """Page background, running header (title, current section) and the page-number footer."""
    pal = ctx.palette
    px = ctx.px
    W, H = ctx.width, plan.page_height
    frame = Frame(W, H, background=background)
    frame.add(Rect(0, 0, W, H, fill=background))
    margin = px(ctx.theme.spacing.margin)
    inner = W - 2 * margin
    cap = ctx.style("caption", color=pal.muted, size=px(28))
    base = plan.margin_top * 0.56
    rule_y = plan.margin_top * 0.74
    title = doc.title if doc is not None else ""
    section = _section_at(marks, cut.top, cut.bottom, opening=px(ctx.theme.spacing.block))
    if section and section.strip() == title.strip():
        section = None
    left_room = inner * (0.55 if section else 1.0)
    if title:
        frame.add(Rect(margin, base - cap.size * 0.72, px(6), cap.size * 0.84, fill=pal.primary, radius=px(2)))
        text = _fit(ctx, title, left_room - px(20), cap.size, cap.face)
        frame.add(_line_op(ctx, text, margin + px(18), base, cap, background=background))
    if section:
        room = inner - left_room - px(24)
        text = _fit(ctx, section, room, cap.size, cap.face)
        frame.add(_line_op(ctx, text, margin, base, cap, background=background, width=inner, align="right"))
    frame.add(Rect(margin, rule_y, inner, px(1.5), fill=pal.border))
    # footer: page number between two short rules
    nstyle = ctx.style("caption", face=ctx.face("number"), color=pal.primary, size=px(30))
    fbase = H - plan.margin_bottom * 0.42
    frame.add(*_between_rules(ctx, str(number), fbase, nstyle, background, W, gap=px(20), rule=(px(44), px(2)),
                              color=pal.border))
    return frame
