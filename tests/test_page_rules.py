"""Page breaks that keep what belongs together, read back from the PDFs (pdfplumber).

For the pocket and A6 PDF of every example and every template (with its sample data):
no heading, section ribbon or block title is the last thing on a page; a decision is on
the page of its branch labels, its loop labels and the first line of each forward
target; a table continued on another page shows its header row again above its rows;
no page but the last content page is under about half full unless the unit that
follows could not have fitted on it; no page shows only one item of a timeline or
checklist; a lead-in (扫描下方二维码…) is on the page of the block it introduces. Then the paginator's rules on random documents
(hypothesis) and on hand-made cases.
"""

from __future__ import annotations

import io
import re
import tempfile
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pdfplumber = pytest.importorskip("pdfplumber")

import tushuo
from tushuo.frame import Frame, Keep, Rect, Repeat, Text
from tushuo.inputs import layout_document
from tushuo.layout import furniture
from tushuo.layout.pages import make_book, parse_page_size, plan_pages
from tushuo.layout.paginate import (
    AHEAD_FILL,
    KEEP,
    WIDOW,
    break_penalties,
    leads_in,
    plan_cuts,
    resolve_keeps,
)
from tushuo.layout.steps import flow_edges
from tushuo.pipeline import render_pdf
from tushuo.templates import list_templates, new_spec

ROOT = Path(__file__).resolve().parent.parent
#: every example, the monthly issues (examples/monthly/, a template filled from data) too
EXAMPLES = sorted(str(p.relative_to(ROOT / "examples").with_suffix("")) for p in (ROOT / "examples").glob("**/*.yaml")
                  if "template-data" not in p.parts)
TEMPLATES = sorted(t.name for t in list_templates())
#: documents written to find bad breaks, not shown as examples (tests/data/pocket/)
UNSEEN = sorted(p.stem for p in (ROOT / "tests" / "data" / "pocket").glob("*.yaml"))
CASES = [("example", n) for n in EXAMPLES] + [("template", n) for n in TEMPLATES] + [("unseen", n) for n in UNSEEN]
HEADINGS = ("heading", "title", "section", "header")


def _norm(text: str) -> str:
    return re.sub(r"\s|\*\*|==", "", text)


_SPECS = tempfile.TemporaryDirectory(prefix="tushuo-page-rules-")


@lru_cache(maxsize=None)
def _doc_frame(kind: str, name: str):
    if kind == "example":
        spec = ROOT / "examples" / f"{name}.yaml"
    elif kind == "unseen":
        spec = ROOT / "tests" / "data" / "pocket" / f"{name}.yaml"
    else:  # what office staff do: `tushuo new NAME`, then render the sample as it is
        spec = Path(_SPECS.name) / name / f"{name}.yaml"
        new_spec(name, spec)
    doc = tushuo.load(str(spec))
    return doc, layout_document(doc)


@lru_cache(maxsize=None)
def _read(kind: str, name: str, size: str):
    """(doc, frame, book, plan, pdf pages as [(kind, lines, page)]) of one PDF."""
    doc, frame = _doc_frame(kind, name)
    page = parse_page_size(size)
    data = render_pdf(frame, doc, page_size=size)
    book = make_book(frame, doc, page, mode=doc.output.pdf_mode)
    pdf = pdfplumber.open(io.BytesIO(data))
    assert len(pdf.pages) == len(book.pages)
    plan = plan_pages(frame, doc, page) if doc.output.pdf_mode == "manual" else None
    return doc, frame, book, plan, pdf


def _body_lines(pdf_page, plan) -> list[dict]:
    """Text lines of a page's body band (running header and page number left out), top to bottom."""
    if plan is not None:
        top, bottom = plan.margin_top * plan.scale, (plan.page_height - plan.margin_bottom) * plan.scale
        pdf_page = pdf_page.crop((0, top - 1, pdf_page.width, bottom + 1))
    return sorted(pdf_page.extract_text_lines(), key=lambda ln: ln["top"])


def _heading_lines(frame: Frame) -> set[str]:
    """The lines of text of every heading, section ribbon and block title in the frame."""
    out = set()
    for k in frame.keeps:
        if k.why not in HEADINGS:
            continue
        for op in frame.walk():
            if isinstance(op, Text) and k.top - 1 <= op.box[1] and op.box[1] + op.box[3] <= k.bottom + 1:
                lines: dict[float, str] = {}
                for r in op.runs:
                    lines[round(r.y, 2)] = lines.get(round(r.y, 2), "") + r.text
                out.update(_norm(t) for t in lines.values() if _norm(t))
    return out


def _steps_blocks(blocks):
    for b in blocks:
        if b.type == "steps":
            yield b
        yield from _steps_blocks(getattr(b, "blocks", None) or [])


def _body_pages(book) -> list[int]:
    return [i for i, p in enumerate(book.pages) if p.kind in ("body", "poster")]


# ----------------------------------------------------------------------------- every example and template
@pytest.mark.parametrize("size", ["pocket", "a6"])
@pytest.mark.parametrize(("kind", "name"), CASES)
def test_no_heading_or_title_is_the_last_line_of_a_page(kind: str, name: str, size: str) -> None:
    """Nor a table's header row or a comparison's column headers (orphaned at a page foot)."""
    doc, frame, book, plan, pdf = _read(kind, name, size)
    heads = _heading_lines(frame) | _header_lines(frame)
    if (kind, name) == ("example", "election-handbook"):
        assert len(heads) >= 8, heads
    body = _body_pages(book)
    for i in body[:-1]:
        lines = _body_lines(pdf.pages[i], plan)
        if not lines:
            continue
        last = _norm(lines[-1]["text"])
        assert last not in heads, f"{name} {size} page {i + 1}: '{last}' is the last line"


@pytest.mark.parametrize("size", ["pocket", "a6"])
@pytest.mark.parametrize(("kind", "name"), CASES)
def test_decisions_share_a_page_with_their_branches_loops_and_targets(kind: str, name: str, size: str) -> None:
    doc, frame, book, plan, pdf = _read(kind, name, size)
    texts = {i: _norm("".join(ln["text"] for ln in _body_lines(pdf.pages[i], plan))) for i in _body_pages(book)}
    checked = 0
    for block in _steps_blocks(doc.blocks):
        edges = flow_edges(block)
        for d, item in enumerate(block.items):
            out = [e for e in edges if e.src == d]
            if item.kind != "decision" and not any(e.label for e in out):
                continue
            title = _norm(item.title)
            pages = [i for i, t in texts.items() if title in t]
            assert len(pages) == 1, f"{name} {size}: '{item.title}' found on pages {pages}"
            on = texts[pages[0]]
            for e in out:
                if e.label:  # a branch label, or a loop label (an edge back), on its decision's page
                    # in reading order a wrapped pill's lines may enclose another pill beside it
                    # (否，予以 / 是 / 澄清): its characters in order, at most 3 others between them
                    spread = ".{0,3}".join(map(re.escape, _norm(e.label)))
                    assert re.search(spread, on), f"{name} {size}: '{e.label}' not with '{item.title}'"
                if item.kind == "decision" and e.dst > d:  # the first line of a forward target (its first 4 characters)
                    head = _norm(block.items[e.dst].title)[:4]
                    assert head in on, f"{name} {size}: target '{block.items[e.dst].title}' not with '{item.title}'"
            checked += item.kind == "decision"
    if (kind, name) == ("example", "election-handbook"):
        assert checked == 3, "the handbook's flows have three decisions"


@pytest.mark.parametrize("size", ["pocket", "a6"])
@pytest.mark.parametrize(("kind", "name"), CASES)
def test_a_continued_table_or_comparison_repeats_its_header(kind: str, name: str, size: str) -> None:
    """Every page showing rows of a table (or of a comparison) shows its header row
    (the comparison's column headers, such as 合格站点 / 不合格站点) above them."""
    doc, frame, book, plan, pdf = _read(kind, name, size)
    pages = {i: [_norm(ln["text"]) for ln in _body_lines(pdf.pages[i], plan)] for i in _body_pages(book)}
    for header, rows, table in _headed_rows(frame):
        seen = 0
        for i, lines in pages.items():
            text = "".join(lines)
            if table:  # a row is one extracted line: its cells side by side
                at = [text.find(ln) for ln in lines if ln in rows]
            else:  # comparison cells differ in height: a row is found by its cells' first lines
                at = [text.find(m) for r in rows for m in r if m in text]
            if not at:
                continue
            seen += 1
            first = min(at)
            for label in header:
                assert 0 <= text.find(label) < first, (
                    f"{name} {size} page {i + 1}: rows without the header '{label}' above them")
        assert seen, f"{name} {size}: rows of the block with header {header} not found"
        if (kind, name) in (("example", "station-comparison"), ("template", "progress-bulletin")) and size == "a6":
            assert seen >= 2, f"{name} {size}: the block is expected to run over two pages"


def _texts_in(frame: Frame, top: float, bottom: float) -> list[Text]:
    return [op for op in frame.walk() if isinstance(op, Text) and op.runs and top - 1e-6 <= op.box[1] < bottom]


def _first_line(op: Text) -> str:
    y0 = op.runs[0].y
    return _norm("".join(r.text for r in op.runs if abs(r.y - y0) < 1e-6))


def _header_bands(frame: Frame) -> list[tuple[float, float, float, bool]]:
    """(top, bottom, block bottom, is table) of every table's header row and comparison's column headers.

    Read from the atomic boxes the layouts record (a table's ``header`` row, a comparison's
    ``header`` boxes) and the block's extent, not from the header repeats under test.
    """
    bands: dict[float, list] = {}
    for b in frame.boxes:
        if b.kind == "header" or (b.kind == "table-row" and b.key == "header"):
            bands.setdefault(round(b.y, 3), []).append(b)
    out = []
    for y, heads in sorted(bands.items()):
        bottom = max(h.y + h.h for h in heads)
        end = min((e for a, e, _ in frame.origins if a <= y + 1e-6 and e >= bottom - 1e-6), default=frame.height)
        out.append((y, bottom, end, heads[0].kind == "table-row"))
    return out


def _headed_rows(frame: Frame):
    """(header texts, rows, is table) of every table and comparison with a header.

    A table's row is its one extracted line (its cells' first lines left to right); a
    comparison's row is the set of its cells' first lines (of 4 characters or more, so
    a short label such as 设备 is not taken for another text).
    """
    for top, bottom, end, table in _header_bands(frame):
        heads = sorted(_texts_in(frame, top, bottom), key=lambda o: o.box[0])
        bodies = [b for b in frame.boxes if b.kind in ("table-row", "row") and b.key != "header"
                  and bottom - 1e-6 <= b.y < end]
        if table:
            header = ["".join(_first_line(o) for o in heads)]
            rows = {_norm("".join(_first_line(o) for o in sorted(_texts_in(frame, b.y, b.y + b.h),
                                                                   key=lambda o: o.box[0]))) for b in bodies}
        else:
            header = [_norm(o.text) for o in heads]
            rows = [{m for o in _texts_in(frame, b.y, b.y + b.h) if len(m := _first_line(o)) >= 4} for b in bodies]
        yield header, rows, table


def _header_lines(frame: Frame) -> set[str]:
    """The header row of every table and comparison, as one extracted line."""
    return {"".join(_first_line(o) for o in sorted(_texts_in(frame, top, bottom), key=lambda o: o.box[0]))
            for top, bottom, _, _ in _header_bands(frame)}


@pytest.mark.parametrize("size", ["pocket", "a6"])
@pytest.mark.parametrize(("kind", "name"), CASES)
def test_no_line_of_text_is_cut_by_a_page_and_callouts_and_quotes_are_whole(kind: str, name: str, size: str) -> None:
    """A break falls between lines: no character crosses the body band's edges, and every
    line of every callout and quote is on exactly one page."""
    doc, frame, book, plan, pdf = _read(kind, name, size)
    if plan is None:
        return
    top, bottom = plan.margin_top * plan.scale, (plan.page_height - plan.margin_bottom) * plan.scale
    body = _body_pages(book)
    for i in body:
        for ch in pdf.pages[i].chars:
            for edge in (top, bottom):
                assert not ch["top"] + 0.5 < edge < ch["bottom"] - 0.5, (
                    f"{name} {size} page {i + 1}: '{ch['text']}' is cut by the page's body edge")
    text = "".join(_norm(ln["text"]) for i in body for ln in _body_lines(pdf.pages[i], plan))
    boxed = [b for b in frame.boxes if b.kind in ("callout", "quote")]
    for b in boxed:
        for op in _texts_in(frame, b.y, b.y + b.h):
            want = sum(1 for o in frame.walk() if isinstance(o, Text) and _norm(o.text) == _norm(op.text))
            assert text.count(_norm(op.text)) == want, f"{name} {size}: '{op.text}' not on the pages exactly once"


def _lists(frame: Frame) -> list[list[str]]:
    """Each timeline's and checklist's items, read from the layout's boxes: the first lines of
    the texts on an item's first row, left to right (a date pill and its title: 12月20日总结验收)."""
    out: list[list[str]] = []
    for b in frame.boxes:
        if b.kind not in ("event", "checklist-item"):
            continue
        if b.key == "items[0]":
            out.append([])
        ops = _texts_in(frame, b.y, b.y + b.h)
        row = min((o.box[1] + o.box[3] for o in ops), default=b.y)
        out[-1].append("".join(_first_line(o) for o in sorted((o for o in ops if o.box[1] < row), key=lambda o: o.box[0])))
    return out


@pytest.mark.parametrize("size", ["pocket", "a6"])
@pytest.mark.parametrize(("kind", "name"), CASES)
def test_no_page_shows_only_one_item_of_a_list(kind: str, name: str, size: str) -> None:
    """A timeline or checklist of several items never leaves one item alone on a page
    (its first item at a page's foot, or its last at the top of the next: club and widow)."""
    doc, frame, book, plan, pdf = _read(kind, name, size)
    texts = {i: _norm("".join(ln["text"] for ln in _body_lines(pdf.pages[i], plan))) for i in _body_pages(book)}
    lists = _lists(frame)
    for items in lists:
        if len(items) < 2:
            continue
        seen = 0
        for i, text in texts.items():
            on = [t for t in items if t in text]
            seen += len(on)
            assert len(on) != 1, f"{name} {size} page {i + 1}: '{on[0]}' is the only item of its list on the page"
        assert seen == len(items), f"{name} {size}: items of {items} found {seen} times"
    if (kind, name) in (("example", "monthly-digest"), ("template", "election-handbook")):
        assert lists, f"{name}: a timeline is expected"


#: the boxes of one item of a list: a step or decision, a table's body row, a comparison's row,
#: a checklist's row, a timeline's event, a card, a stat card
ITEMS = ("step", "table-row", "row", "checklist-item", "event", "card", "stat")


def _lists_of_items(frame: Frame) -> list[tuple[float, list[tuple[float, float, int]]]]:
    """Each list as (its block's top, its units (top, bottom, items)), read from the layout's
    boxes: items that overlap (a grid's row, a decision's branches, a zigzag's staggered boxes)
    have no break between them and make one unit; a table's header row is not an item."""
    lists: dict[tuple[float, float, str], list[tuple[float, float]]] = {}
    for b in frame.boxes:
        if b.kind not in ITEMS or b.key == "header":
            continue
        block = min((o for o in frame.origins if o[0] - 1e-6 <= b.y and b.y + b.h <= o[1] + 1e-6),
                    key=lambda o: o[1] - o[0])
        lists.setdefault(block, []).append((b.y, b.y + b.h))
    out = []
    for block, spans in lists.items():
        units: list[list[float]] = []
        for top, bottom in sorted(spans):
            if units and top < units[-1][1] - 1e-6:
                units[-1][1] = max(units[-1][1], bottom)
                units[-1][2] += 1
            else:
                units.append([top, bottom, 1])
        out.append((block[0], [(a, b, int(n)) for a, b, n in units]))
    return out


@pytest.mark.parametrize("size", ["pocket", "a6"])
@pytest.mark.parametrize(("kind", "name"), CASES)
def test_no_page_shows_only_one_item_of_a_flowchart_table_or_comparison(kind: str, name: str, size: str) -> None:
    """The first step of a flowchart alone at a page's foot (the other eight overleaf), the last
    row of a table or comparison alone at the top of the next page under its repeated header:
    read from the pages the paginator cut, a list of two items or more shows none or two or more
    on a page, unless keeping them together would leave the page before about half full (under
    ``paginate.AHEAD_FILL``) or cannot keep two on one page anyway."""
    doc, frame, book, plan, pdf = _read(kind, name, size)
    if plan is None:
        return
    lists = _lists_of_items(frame)
    breaks = frame.sorted_breaks()
    pens = break_penalties(breaks, resolve_keeps(frame.keeps, breaks, frame.height))

    def held(a: float, b: float) -> bool:  # no break in (a, b] outside a keep of a heading, decision or lead-in
        return all(p >= KEEP for y, p in zip(breaks, pens) if a < y <= b + 1e-6)

    def free_after(y: float) -> float:  # the first break at or below y that no such keep holds
        return next((b for b, p in zip(breaks, pens) if b >= y - 1e-6 and p < KEEP), frame.height)

    def free_before(y: float) -> float:
        return next((b for b, p in zip(reversed(breaks), reversed(pens)) if b <= y + 1e-6 and p < KEEP), 0.0)

    for top, units in lists:
        items = [n for _, _, n in units]
        if sum(items) < 2:
            continue
        second = next(u for i, u in enumerate(units) if sum(items[: i + 1]) >= 2)
        last_two = next(u for i, u in reversed(list(enumerate(units))) if sum(items[i:]) >= 2)
        for i, cut in enumerate(plan.cuts):
            on = [u for u in units if cut.top - 1e-6 <= (u[0] + u[1]) / 2 < cut.bottom]
            if sum(n for _, _, n in on) != 1:
                continue
            if on[0] is units[0]:  # at the foot: the list (and its heading) could start overleaf, unless
                if (free_before(top) - cut.top < plan.band * AHEAD_FILL  # that leaves this page about half full
                        or free_after(second[1]) - free_before(top) > plan.band  # or cannot keep two anyway
                        or _costs_a_page(frame, doc, size, free_before(top), free_after(second[1]))):
                    continue
            elif on[0] is units[-1] and i:  # at the top: the item before it could come over (the
                # whole list, when that would leave its first item alone at the page's foot instead)
                before = units[-3][1] if len(units) > 2 else top
                alone = sum(items[:-2]) == 1
                if (free_before(top if alone else units[-2][0]) - plan.cuts[i - 1].top < plan.band * AHEAD_FILL
                        or held(before, units[-2][0])
                        or units[-1][1] - free_before(last_two[0]) > plan.band):
                    continue
            raise AssertionError(f"{name} {size}: body page {i + 1} shows one item (y {on[0][0]:.0f}) "
                                 f"of a list of {sum(items)}")
    if (kind, name) == ("unseen", "election-full"):
        assert any(sum(n for _, _, n in u) >= 9 for _, u in lists), "the unseen manual has a list of nine steps"


def _costs_a_page(frame: Frame, doc, size: str, top: float, bottom: float) -> bool:
    """Whether holding the band (top, bottom) together (no break strictly inside) makes the document
    a page longer: the handbook's pocket PDF keeps its candidate flow's first step at p4's foot,
    since starting the flow overleaf leaves p4 40 % empty and the vote flow's first step alone at
    p6's foot instead, a page later."""
    held = replace(frame, keeps=[*frame.keeps, Keep(top, bottom, KEEP, "test")])
    page = parse_page_size(size)
    return len(plan_pages(held, doc, page).cuts) > len(plan_pages(frame, doc, page).cuts)


def _lead_ins(blocks, prefix: str = "blocks"):
    """(path of the lead-in, path of the block after it) for every paragraph or callout whose words lead in."""
    for i, b in enumerate(blocks):
        if b.type in ("paragraph", "callout") and i + 1 < len(blocks) and leads_in(b.text):
            yield f"{prefix}[{i}]", f"{prefix}[{i + 1}]"
        if getattr(b, "blocks", None):
            yield from _lead_ins(b.blocks, f"{prefix}[{i}].blocks")


@pytest.mark.parametrize("size", ["pocket", "a6"])
@pytest.mark.parametrize(("kind", "name"), CASES)
def test_the_running_header_names_the_section_a_page_opens_with(kind: str, name: str, size: str) -> None:
    """A page whose first line is a section's title carries that section in its running header,
    not the one before it (二、参选条件 opening a page under a header saying 一、选举程序)."""
    doc, frame, book, plan, pdf = _read(kind, name, size)
    if plan is None:
        return
    def bare(text: str) -> str:  # 二、参选条件 and the ribbon's 二 参选条件 alike
        return re.sub(r"[\W_]", "", text)

    sections = {bare(m.title): m.title for m in frame.marks if m.level == 1}
    checked = 0
    for i in _body_pages(book):
        page = pdf.pages[i]
        lines = _body_lines(page, plan)
        if not lines:
            continue
        first = bare(lines[0]["text"])
        title = next((t for key, t in sections.items() if key and first.startswith(key[: max(2, len(key) - 1)])), None)
        if title is None:
            continue
        header = bare(page.crop((0, 0, page.width, plan.margin_top * plan.scale)).extract_text() or "")
        assert bare(title)[:4] in header, f"{name} {size} p{i + 1} opens with {title} under the header '{header}'"
        checked += 1
    if (kind, name, size) == ("template", "election-handbook", "a6"):
        assert checked >= 2  # p5 opens with 二、参选条件, p6 with 三、换届纪律


@pytest.mark.parametrize("size", ["pocket", "a6"])
@pytest.mark.parametrize(("kind", "name"), CASES)
def test_a_lead_in_shares_its_page_with_what_it_introduces(kind: str, name: str, size: str) -> None:
    """扫描下方二维码… is on the page of the QR code: a text that points at the block below it
    (or ends with a colon) is on a page with that block's first text, or its top when it has none."""
    doc, frame, book, plan, pdf = _read(kind, name, size)
    if plan is None:
        return
    where = {path: (top, bottom) for top, bottom, path in frame.origins}
    body = _body_pages(book)
    texts = {i: _norm("".join(ln["text"] for ln in _body_lines(pdf.pages[i], plan))) for i in body}
    checked = 0
    for lead, nxt in _lead_ins(doc.blocks):
        (ltop, lbottom), (ntop, nbottom) = where[lead], where[nxt]
        if nbottom - ltop > plan.band:
            continue  # they don't fit one page together: their own rules apply
        ops = sorted(_texts_in(frame, ltop, lbottom), key=lambda o: o.box[1])
        last = ops[-1].runs[-1]
        tail = _norm("".join(r.text for r in ops[-1].runs if abs(r.y - last.y) < 1e-6))
        pages = [i for i in body if tail in texts[i]]
        assert pages, f"{name} {size}: the lead-in's last line '{tail}' not found"
        after = _texts_in(frame, ntop, nbottom)
        if after:
            first = _first_line(min(after, key=lambda o: o.box[1]))
            assert any(first in texts[i] for i in pages), (
                f"{name} {size}: '{tail}' (page {pages[0] + 1}) is not on the page of '{first}'")
        else:
            n = body.index(pages[0])
            assert plan.cuts[n].top <= ntop < plan.cuts[n].bottom, f"{name} {size}: '{tail}' ends a page"
        checked += 1
    if kind == "example" and name.startswith("basics"):
        assert checked >= (1 if name == "basics" else 0)


def _fill(pdf_page, plan) -> float:
    """How far down the body band the page's drawing reaches (0–1), from what the PDF draws."""
    top, bottom = plan.margin_top * plan.scale, (plan.page_height - plan.margin_bottom) * plan.scale
    low = top
    for obj in pdf_page.chars + pdf_page.rects + pdf_page.curves + pdf_page.lines + pdf_page.images:
        if obj["top"] >= top - 1 and obj["bottom"] <= bottom + 1 and obj["bottom"] - obj["top"] < bottom - top:
            low = max(low, obj["bottom"])
    return (low - top) / (bottom - top)


def _next_unit(frame: Frame, start: float) -> float:
    """Height of the first unit below ``start``: down to the first break no keep holds."""
    pts = [b for b in frame.sorted_breaks() if b > start + 1e-6]
    pens = break_penalties(pts, resolve_keeps(frame.keeps, frame.sorted_breaks(), frame.height))
    end = next((b for b, p in zip(pts, pens) if p < KEEP), frame.height)
    return end - start


@pytest.mark.parametrize("size", ["pocket", "a6"])
@pytest.mark.parametrize(("kind", "name"), CASES)
def test_pages_are_at_least_half_full_unless_the_next_unit_forces_it(kind: str, name: str, size: str) -> None:
    doc, frame, book, plan, pdf = _read(kind, name, size)
    if plan is None:  # a poster is one design per page
        return
    body = [i for i, p in enumerate(book.pages) if p.kind == "body"]
    for n, i in enumerate(body[: len(plan.cuts) - 1]):
        fill = _fill(pdf.pages[i], plan)
        if fill >= 0.5:
            continue
        cut, nxt = plan.cuts[n], plan.cuts[n + 1]
        assert cut.forced or nxt.forced or cut.height + _next_unit(frame, cut.bottom) > plan.band - 1, (
            f"{name} {size} page {i + 1} is {fill:.0%} full and the next unit would have fitted")


# ----------------------------------------------------------------------------- the paginator on random documents
_TEXT = st.sampled_from(["选举委员会主持选举工作", "候选人资格审查", "参加投票的选民是否过半数？", "公开唱票、计票，当场公布选举结果"])


@st.composite
def _blocks(draw):
    out = []
    for k in range(draw(st.integers(4, 14))):
        kind = draw(st.sampled_from(["heading", "paragraph", "paragraph", "steps", "table", "callout", "section",
                                     "comparison", "lead"]))
        if kind == "heading":
            out.append({"type": "heading", "text": draw(_TEXT), "level": draw(st.integers(1, 2))})
        elif kind == "paragraph":
            out.append({"type": "paragraph", "text": draw(_TEXT) * draw(st.integers(1, 12))})
        elif kind == "callout":
            out.append({"type": "callout", "title": "注意", "text": draw(_TEXT) * draw(st.integers(1, 30))})
        elif kind == "table":
            rows = [[f"第{r}行", draw(_TEXT)] for r in range(draw(st.integers(2, 25)))]
            out.append({"type": "table", "title": draw(st.none() | _TEXT), "header": ["项目", "内容"], "rows": rows})
        elif kind == "comparison":
            rows = [{"aspect": f"第{r}项", "cells": [draw(_TEXT) * draw(st.integers(1, 3)), draw(_TEXT)]}
                    for r in range(draw(st.integers(2, 12)))]
            out.append({"type": "comparison", "title": draw(st.none() | _TEXT), "rows": rows,
                        "columns": [{"label": "合格", "tone": "positive"}, {"label": "不合格", "tone": "negative"}]})
        elif kind == "lead":  # a text that introduces the block after it (a QR code, a table, steps)
            text = draw(st.sampled_from(["扫描下方二维码，可查阅选举规程全文。", "具体安排详见下表。", "办理流程如下："]))
            out.append({"type": draw(st.sampled_from(["callout", "paragraph"])), "text": draw(_TEXT) * draw(st.integers(0, 6)) + text})
            out.append({"type": "qrcode", "data": "https://example.org/x", "caption": "长按识别"})
        elif kind == "section":
            out.append({"type": "section", "title": draw(_TEXT),
                        "blocks": [{"type": "paragraph", "text": draw(_TEXT) * draw(st.integers(1, 8))}]})
        else:
            n = draw(st.integers(3, 9))
            items = [{"id": f"k{k}s{i}", "title": draw(_TEXT), "desc": draw(_TEXT)} for i in range(n)]
            d = draw(st.integers(1, n - 2))
            items[d] = {"id": f"k{k}s{d}", "kind": "decision", "title": "是否过半数？",
                        "next": [{"to": f"k{k}s{d + 1}", "label": "是"},
                                 {"to": f"k{k}s{draw(st.integers(0, d))}", "label": "否，重新组织"}]}
            out.append({"type": "steps", "title": draw(st.none() | _TEXT), "layout": "vertical", "items": items})
    return out


def _content_after(frame: Frame, y: float, bottom: float) -> bool:
    """Whether anything is drawn starting in [y, bottom)."""
    return any(y - 1e-6 <= op.bbox()[1] < bottom for op in frame.walk() if not isinstance(op, Rect)
               or op.h < frame.height / 2)


@given(_blocks(), st.sampled_from(["pocket", "a6", "80x120"]))
@settings(max_examples=max(8, settings.default.max_examples // 10), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_random_documents_no_heading_at_a_page_foot_and_decisions_with_their_branches(blocks, size) -> None:
    doc = tushuo.load({"title": "测试", "blocks": blocks})
    frame = layout_document(doc)
    plan = plan_pages(frame, doc, parse_page_size(size))
    keeps = resolve_keeps(frame.keeps, frame.sorted_breaks(), frame.height)
    for cut in plan.cuts[:-1]:
        for k in frame.keeps:  # a heading, title, ribbon or column header on this page has something after it
            # (unless no safe break fitted the page at all: a run of headings taller than a page)
            if k.why in HEADINGS and not cut.forced and cut.top - 1e-6 <= k.top and k.bottom <= cut.bottom + 1e-6:
                assert _content_after(frame, k.bottom, cut.bottom), (k, cut)
        for k in keeps:  # a decision band, or a lead-in with what it introduces, that fits a page is never cut
            if k.why in ("decision", "loop", "lead") and k.bottom - k.top <= plan.band:
                assert not (k.top + 1e-6 < cut.bottom < k.bottom - 1e-6), (k, cut)
    for top, bottom, end, _ in _header_bands(frame):  # (from the layout's boxes, not its keeps and repeats)
        first = min((b.y + b.h for b in frame.boxes if b.kind in ("table-row", "row") and b.key != "header"
                     and bottom - 1e-6 <= b.y < end), default=bottom)
        for cut in plan.cuts[:-1]:  # a header row stays with the first row under it
            if first - top <= plan.band / 2:
                assert not (top + 1e-6 < cut.bottom < first - 1e-6), (top, first, cut)
        for cut in plan.cuts:  # a page starting inside the rows shows the header first
            if bottom - 1e-6 < cut.top < end - 1e-6 and bottom - top < plan.band / 3:
                assert cut.repeat is not None and abs(cut.repeat[0] - top) < 1e-6, (top, bottom, cut)


# ----------------------------------------------------------------------------- hand-made cases
def test_a_break_inside_a_keep_is_taken_only_when_nothing_else_fits() -> None:
    breaks = [300, 700, 900, 1300]
    # the fullest break (900) is inside a kept band: the page ends before it, at 700
    cuts = plan_cuts(breaks, 2000, 1000, keeps=[Keep(650, 1000, KEEP, "heading")])
    assert cuts[0].bottom == 300 and not cuts[0].forced  # 700 and 900 lie inside (650, 1000)
    cuts = plan_cuts(breaks, 2000, 1000, keeps=[Keep(800, 1000, KEEP, "heading")])
    assert cuts[0].bottom == 700
    # a kept band longer than a page: the least bad break inside it
    cuts = plan_cuts([100, 500, 900], 2000, 1000, keeps=[Keep(50, 1900, KEEP, "decision")])
    assert cuts[0].bottom == 900


def test_underfull_pages_only_when_the_next_unit_would_not_fit() -> None:
    # a break at 30 % then one unit of 900: pushing the unit on leaves a 30 % page, since it fits a page
    assert plan_cuts([300, 1200], 1500, 1000)[0].bottom == 300
    # a break at 10 % and a unit taller than a page after it: fill this page with a forced cut instead
    cuts = plan_cuts([100, 2500], 3000, 1000)
    assert cuts[0].forced and cuts[0].bottom == 1000
    # a break at 10 % and a unit that fits a fresh page: take it
    cuts = plan_cuts([100, 1050], 1500, 1000)
    assert cuts[0].bottom == 100 and not cuts[0].forced
    # the same when the unit is a kept band: its inner break is not taken
    cuts = plan_cuts([100, 900, 1050], 1500, 1000, keeps=[Keep(150, 1040, KEEP, "decision")])
    assert cuts[0].bottom == 100


def test_a_table_header_is_repeated_and_takes_its_room() -> None:
    rows = [100 + 80 * i for i in range(40)]
    cuts = plan_cuts(rows, 3300, 1000, repeats=[Repeat(20, 100, 3300)])
    assert cuts[0].repeat is None and all(c.repeat == (20, 100) for c in cuts[1:])
    assert all(c.height <= 1000 - 80 + 1e-6 for c in cuts[1:])


def test_image_slices_honour_the_same_keeps() -> None:
    from tushuo.pipeline import slice_rows

    doc = tushuo.load({"title": "测试", "blocks": [
        {"type": "paragraph", "text": "段落。" * 200},
        {"type": "heading", "text": "小标题"},
        {"type": "paragraph", "text": "段落。" * 200},
    ]})
    frame = layout_document(doc)
    heading = next(k for k in frame.keeps if k.why == "heading")
    for h in range(500, 1600, 37):
        for top, bottom in slice_rows(frame, h)[:-1]:
            assert not (heading.top - 1 <= bottom <= heading.bottom + 1), (h, bottom)
            assert not heading.top < bottom < heading.bottom


@pytest.mark.parametrize("block", [
    {"type": "callout", "title": "注意", "text": "党员干部要带头。" * 200},
    {"type": "quote", "text": "党员干部要带头。" * 200, "author": "李明", "role": "村党组织书记"},
])
def test_a_callout_or_quote_taller_than_a_page_breaks_between_its_lines(block: dict) -> None:
    doc = tushuo.load({"title": "测试", "blocks": [{"type": "paragraph", "text": "开头段落。" * 30}, block]})
    frame = layout_document(doc)
    plan = plan_pages(frame, doc, parse_page_size("a6"))
    # it starts on the paragraph's page (it is cut anyway): no page left under half full for it
    assert plan.cuts[0].height > plan.band / 2 and plan.cuts[0].forced
    callout = next(b for b in frame.boxes if b.kind == block["type"])
    inside = [c for c in plan.cuts[:-1] if callout.y < c.bottom < callout.y + callout.h]
    assert len(inside) >= 2
    lines = [(r.bbox()[1], r.bbox()[1] + r.bbox()[3]) for op in frame.walk() if isinstance(op, Text) for r in op.runs]
    for c in inside:
        assert not any(a < c.bottom < b for a, b in lines), c
        assert c.height > plan.band / 2
    last = plan.cuts[-1]  # the page after the last cut holds lines of it, not only its border
    assert any(last.top <= a < last.bottom for a, _ in lines), last
    data = render_pdf(frame, doc, page_size="a6")
    pages = pdfplumber.open(io.BytesIO(data)).pages
    text = "".join(_norm(ln["text"]) for p in pages for ln in _body_lines(p, plan))
    assert text.count("党员干部要带头。") == 200  # each line on exactly one page


@pytest.mark.parametrize(("text", "lead"), [
    ("扫描下方二维码，可查阅《村民委员会选举规程》全文。", True),
    ("有下列情形之一的，不得提名为候选人：", True),  # a colon leads in to whatever follows
    ("各村要认真组织。具体安排详见下表", True),
    ("投票流程如下。", True),
    ("掃描下方二維碼，可查閱全文。", True),  # the layout sees Traditional words after --script hant
    ("下方的表格说明了各村进展。各乡镇要抓好落实。", False),  # the pointer is not in the last sentence
    ("年龄在35岁以下的党员占三成。", False),
    ("对拉票贿选问题，发现一起、**查处一起**，决不姑息。", False),
])
def test_which_texts_lead_in(text: str, lead: bool) -> None:
    assert leads_in(text) is lead


def test_a_lead_in_keeps_with_the_block_after_it_in_slices_too() -> None:
    """The same keep cuts image slices: no slice ends with the lead-in callout above its QR code."""
    from tushuo.pipeline import slice_rows

    doc = tushuo.load({"title": "测试", "blocks": [
        {"type": "paragraph", "text": "段落。" * 120},
        {"type": "callout", "tone": "tip", "text": "扫描下方二维码，可查阅选举规程全文。"},
        {"type": "qrcode", "data": "https://example.org/x", "caption": "长按识别"},
    ]})
    frame = layout_document(doc)
    where = {p: (a, b) for a, b, p in frame.origins}
    ctop, qbottom = where["blocks[1]"][0], where["blocks[2]"][1]
    before = max(b for b in frame.breaks if b < ctop)  # the unit of both: from the break above to the frame's end
    kept = 0
    for h in range(300, 1400, 23):
        if frame.height - before <= h:  # callout and code fit one slice together: never cut between them
            kept += 1
            assert not any(ctop < bottom < qbottom for _, bottom in slice_rows(frame, h)[:-1]), h
    assert kept > 20


def test_a_break_is_weighed_with_the_pages_after_it() -> None:
    """Keeping a list's first item off a page's foot must not leave the next list's first item alone
    on an underfull page: page 1 could end after a paragraph (55, the cheaper piece alone) or after
    the first item of a list (70, a club penalty); from 55 the next page ends at the list's end (150)
    and the third holds only a heading and the next list's first item (under half full). Weighed over
    the next pages, ending page 1 at 70 costs less and no page but the last is under half full."""
    club = WIDOW
    keeps = [Keep(56, 99, club, "club"), Keep(166, 189, club, "club")]
    breaks = [55, 70, 150, 165, 180, 260]
    cuts = plan_cuts(breaks, 280, 100, keeps=resolve_keeps(keeps, breaks, 280))
    assert [(c.top, c.bottom) for c in cuts] == [(0, 70), (70, 165), (165, 260), (260, 280)]
    assert all(c.height >= 50 for c in cuts[:-1])


def test_the_election_handbook_keeps_seven_pocket_pages() -> None:
    """The candidate flow's first step may end the handbook's p4: kept off it, p4 ends 40% empty and
    the vote flow's first step ends p6 alone instead, one page later (8 pages, each decided alone)."""
    doc, frame = _doc_frame("example", "election-handbook")
    cuts = plan_pages(frame, doc, parse_page_size("pocket")).cuts
    assert len(cuts) == 5, [(round(c.top), round(c.bottom)) for c in cuts]


def test_contents_that_overflow_a_little_close_up_onto_one_page() -> None:
    """The unseen manual's eleven sections and one sub-entry on A6 need 1,132 px of contents rows
    for 1,002: its last section and the sub-entry took a contents page of their own. Rows close up
    (to 88 %) and the contents is one page; its numbers still name the pages the bookmarks go to."""
    doc, frame, book, plan, pdf = _read("unseen", "election-full", "a6")
    contents = [i for i, p in enumerate(book.pages) if p.kind == "contents"]
    assert contents == [1]
    text = re.sub(r"\s", "", pdf.pages[1].extract_text())
    assert "十一、常见问题" in text and "选举日全景" in text
    for e in furniture.toc_entries(frame.marks, plan):
        number = 1 + len(contents) + 1 + e.index
        assert re.search(re.escape(re.sub(r"\s", "", e.title)) + r"\.*" + str(number) + r"(?!\d)", text), e.title
