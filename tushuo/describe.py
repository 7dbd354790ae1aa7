"""describe(): a document in words, for whoever cannot see the picture.

A long image is opaque to a screen reader, a search engine and a copy-paste; the spec
already holds the whole structure in reading order, so the words come from the spec,
not from the pixels. Every text that is drawn appears here, in the order a reader
meets it: title and subtitle, headings, paragraphs (markup stripped), steps as a
numbered list whose decisions read as sentences (若是，转第2步；若否，返回第1步),
comparisons and tables as tables, stats as 「label：value unit (delta)」, charts as a
data table with their unit and highlighted item, timelines and cards as lists, QR
codes with what they point to, the footer. Decorations (dividers, spacers, icons)
are left out.

The same walk gives Markdown (a companion file beside an image or PDF) and plain
text (alternative text in file metadata).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .text.markup import parse as _parse_markup

if TYPE_CHECKING:
    from .spec.blocks import StepsBlock
    from .spec.document import Document

Format = Literal["markdown", "text"]

def _cn(n: int) -> str:
    """1 → 一, 12 → 十二 (as the section badges count)."""
    from .layout.common import cn_numeral

    return cn_numeral(n)


def plain(text: Any) -> str:
    """Spec text as drawn: inline markup removed, numbers as written."""
    return _parse_markup(str(text)).text


@dataclass
class _Out:
    """Lines of Markdown and of plain text, built side by side."""

    md: list[str] = field(default_factory=list)
    txt: list[str] = field(default_factory=list)

    def para(self, md: str, txt: str | None = None) -> None:
        self.md += [md, ""]
        self.txt += [txt if txt is not None else md, ""]

    def lines(self, md: list[str], txt: list[str]) -> None:
        if md:
            self.md += [*md, ""]
            self.txt += [*txt, ""]

    def heading(self, level: int, text: str) -> None:
        self.md += ["#" * min(level, 6) + " " + text, ""]
        self.txt += [text, ""]


def _md_escape(text: str) -> str:
    """Text safe inside a Markdown table cell or list item (pipes and line breaks)."""
    return text.replace("|", "\\|").replace("\n", " ")


def _table(out: _Out, header: list[str], rows: list[list[str]]) -> None:
    """A Markdown table; plain text gets one line per row, cells named by their header."""
    md = ["| " + " | ".join(_md_escape(h) for h in header) + " |", "|" + "---|" * len(header)]
    md += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in rows]
    txt = []
    for row in rows:
        cells = [f"{h}：{c}" if h else c for h, c in zip(header, row) if c != ""]
        txt.append("；".join(cells) + "。" if cells else "")
    out.lines(md, [t for t in txt if t])


def _number(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


class _Walker:
    def __init__(self, doc: Document, ctx: Any = None) -> None:
        self.doc = doc
        self.ctx = ctx
        self.out = _Out()
        self.counters: dict[int, int] = {}

    # -- outline numbering, as the layout counts it ------------------------------------
    def _next(self, level: int) -> int:
        n = self.counters.get(level, 0) + 1
        self.counters[level] = n
        for deeper in range(level + 1, 7):
            self.counters.pop(deeper, None)
        return n

    def document(self) -> _Out:
        d = self.doc
        self.out.heading(1, plain(d.title))
        if d.subtitle:
            self.out.para(plain(d.subtitle))
        self.blocks(d.blocks, "blocks", 0)
        f = d.footer
        if f is not None and (f.text or f.note or f.qrcode):
            lines: list[str] = []
            if f.qrcode:
                lines.append(f"二维码：{f.qrcode}")
            if f.note:
                lines.append(plain(f.note))
            if f.text:
                lines.append(plain(f.text))
            self.out.md += ["---", ""]
            self.out.lines(lines, list(lines))
        return self.out

    def blocks(self, blocks: list[Any], prefix: str, depth: int) -> None:
        for i, b in enumerate(blocks):
            getattr(self, "b_" + b.type)(b, f"{prefix}[{i}]", depth)

    # -- blocks ------------------------------------------------------------------------
    def b_banner(self, b: Any, where: str, depth: int) -> None:
        if b.badge:
            self.out.para(plain(b.badge))
        self.out.heading(2, plain(b.title))
        if b.subtitle:
            self.out.para(plain(b.subtitle))

    def b_heading(self, b: Any, where: str, depth: int) -> None:
        outline = max(b.level, 1 + depth)
        label = ""
        if b.number:
            from .layout.common import number_label

            label = number_label(self._next(outline), outline)
        self.out.heading(min(6, outline + 2), label + plain(b.text))

    def b_paragraph(self, b: Any, where: str, depth: int) -> None:
        text = plain(b.text)
        self.out.para(text.replace("\n", "  \n"), text)

    def b_section(self, b: Any, where: str, depth: int) -> None:
        outline = 1 + depth
        if b.number is True:
            n = self._next(outline)
            label = (_cn(n) + "、") if outline == 1 else f"{n}. "
        elif isinstance(b.number, str) and b.number.strip():
            label = b.number.strip() + " "
        else:
            label = ""
        self.out.heading(min(6, outline + 1), label + plain(b.title))
        self.blocks(b.blocks, where + ".blocks", depth + 1)

    def _title(self, b: Any, depth: int) -> None:
        if getattr(b, "title", None):
            self.out.heading(min(6, depth + 3), plain(b.title))

    def b_steps(self, b: StepsBlock, where: str, depth: int) -> None:
        self._title(b, depth)
        md, txt = steps_lines(b)
        self.out.lines(md, txt)

    def b_comparison(self, b: Any, where: str, depth: int) -> None:
        self._title(b, depth)
        header = ["", *(plain(c.label) for c in b.columns)]
        rows = []
        for r in b.rows:
            cells = []
            for c in r.cells:
                t = plain(c.text)
                if c.image:
                    t = (t + "（附图）") if t else "（图片）"
                cells.append(t)
            rows.append([plain(r.aspect), *cells])
        _table(self.out, header, rows)

    def _filled(self, b: Any, where: str) -> Any:
        """A table or stats block with its content read from its data file (itself without one)."""
        if getattr(b, "data_file", None) is None:
            return b
        from .layout.source import filled_stats, filled_table

        if self.ctx is None:
            from .inputs import make_context

            self.ctx = make_context(self.doc)
        fill = filled_table if b.type == "table" else filled_stats
        return fill(b, self.ctx.at(where))

    def b_stats(self, b: Any, where: str, depth: int) -> None:
        self._title(b, depth)
        b = self._filled(b, where)
        lines = [stat_line(it) for it in b.items]
        self.out.lines([f"- {x}" for x in lines], lines)

    def b_chart(self, b: Any, where: str, depth: int) -> None:
        self._title(b, depth)
        labels, series = self._chart_data(b, where)
        unit = f"（单位：{plain(b.unit)}）" if b.unit else ""
        names = [plain(s.name) if s.name else (f"系列{j + 1}" if len(series) > 1 else "数值")
                 for j, s in enumerate(series)]
        header = ["项目", *(n + unit for n in names)]
        rows = [[plain(lab), *(_number(s.values[k]) for s in series)] for k, lab in enumerate(labels)]
        from .layout.chart import CHART_KIND

        kind = CHART_KIND.get(b.kind, "图表")
        lead = f"{kind}，{len(labels)}项"
        if b.highlight:
            lead += f"，突出显示：{plain(b.highlight)}"
        self.out.para(lead + "。")
        _table(self.out, header, rows)

    def _chart_data(self, b: Any, where: str) -> tuple[list[str], list[Any]]:
        if b.data_file is None:
            return list(b.labels or []), list(b.series or [])
        from .layout.chart import chart_data

        if self.ctx is None:
            from .inputs import make_context

            self.ctx = make_context(self.doc)
        # the words as written: the whole description is converted to the script at the end
        return chart_data(b, self.ctx.at(where), script="hans")

    def b_timeline(self, b: Any, where: str, depth: int) -> None:
        self._title(b, depth)
        md, txt = [], []
        for it in b.items:
            line = f"{plain(it.date)}　{plain(it.title)}" + (f"：{plain(it.desc)}" if it.desc else "")
            md.append("- " + _md_escape(line))
            txt.append(line)
        self.out.lines(md, txt)

    def b_cards(self, b: Any, where: str, depth: int) -> None:
        self._title(b, depth)
        md, txt = [], []
        for it in b.items:
            line = (f"{plain(it.tag)}　" if it.tag else "") + plain(it.title)
            if it.desc:
                line += f"：{plain(it.desc)}"
            md.append("- " + _md_escape(line))
            txt.append(line)
        self.out.lines(md, txt)

    def b_checklist(self, b: Any, where: str, depth: int) -> None:
        self._title(b, depth)
        md = [f"- {'✓' if it.checked else '✗'} {_md_escape(plain(it.text))}" for it in b.items]
        txt = [f"{'✓' if it.checked else '✗'} {plain(it.text)}" for it in b.items]
        self.out.lines(md, txt)

    def b_table(self, b: Any, where: str, depth: int) -> None:
        self._title(b, depth)
        b = self._filled(b, where)
        rows = [[plain(_number(c)) for c in r] for r in b.rows]
        header = [plain(h) for h in b.header] if b.header else ["" for _ in rows[0]]
        _table(self.out, header, rows)

    def b_image(self, b: Any, where: str, depth: int) -> None:
        alt = plain(b.alt) if getattr(b, "alt", None) else ""
        cap = plain(b.caption) if b.caption else ""
        words = alt or cap or "图片"
        md = f"![{_md_escape(words)}]({b.src})"
        if cap and alt:
            md += f"\n\n{cap}"
        elif cap and not alt:
            md = f"![{_md_escape(cap)}]({b.src})\n\n{cap}"
        txt = f"［图片：{alt}］" + (f"{cap}" if cap else "") if alt else (f"［图片］{cap}" if cap else "［图片］")
        self.out.para(md, txt)

    def b_quote(self, b: Any, where: str, depth: int) -> None:
        who = "，".join(plain(x) for x in (b.author, b.role) if x)
        text = plain(b.text)
        md = "> " + text.replace("\n", "\n> ") + (f"\n>\n> —— {who}" if who else "")
        self.out.para(md, text + (f"——{who}" if who else ""))

    def b_callout(self, b: Any, where: str, depth: int) -> None:
        text = plain(b.text)
        if b.title:
            self.out.para(f"> **{plain(b.title)}**：{text}", f"{plain(b.title)}：{text}")
        else:
            self.out.para(f"> {text}", text)

    def b_qrcode(self, b: Any, where: str, depth: int) -> None:
        line = f"二维码：{b.data}" + (f"（{plain(b.caption)}）" if b.caption else "")
        self.out.para(line)

    def b_qrcodes(self, b: Any, where: str, depth: int) -> None:
        self._title(b, depth)
        lines = [(f"{plain(it.caption)}：" if it.caption else "") + f"二维码 {it.data}" for it in b.items]
        self.out.lines([f"- {x}" for x in lines], lines)

    def b_figure(self, b: Any, where: str, depth: int) -> None:
        # a user's matplotlib figure: its title is all the words it brings
        title = plain(b.title) if b.title else ""
        self.out.para(f"［图：{title}］" if title else "［图］")

    def b_divider(self, b: Any, where: str, depth: int) -> None:
        pass

    def b_spacer(self, b: Any, where: str, depth: int) -> None:
        pass




def stat_line(it: Any) -> str:
    """「label：value unit (delta)」, as the card reads."""
    s = f"{plain(it.label)}：{_number(it.value)}"
    if it.unit:
        s += plain(it.unit) if not plain(it.unit)[:1].isascii() or plain(it.unit) == "%" else " " + plain(it.unit)
    if it.delta is not None and str(it.delta) != "":
        s += f"（{_number(it.delta)}）"
    return s


def steps_lines(b: StepsBlock) -> tuple[list[str], list[str]]:
    """The flow as a numbered list: steps by the numbers drawn on them, decisions as sentences."""
    from .layout.steps import flow_edges

    numbers: list[int | None] = []
    k = 0
    for it in b.items:
        if it.kind == "decision":
            numbers.append(None)
        else:
            k += 1
            numbers.append(k)

    def name(i: int) -> str:
        it = b.items[i]
        if it.kind == "decision":
            return f"判断「{plain(it.title)}」"
        return f"第{numbers[i]}步" if b.numbered else f"「{plain(it.title)}」"

    outgoing: dict[int, list[Any]] = {}
    for e in flow_edges(b):
        outgoing.setdefault(e.src, []).append(e)
    md: list[str] = []
    txt: list[str] = []
    for i, it in enumerate(b.items):
        parts = [plain(it.title)]
        if it.tag:
            parts[0] += f"（{plain(it.tag)}）"
        details = [plain(x) for x in (it.desc, it.note) if x]
        edges = outgoing.get(i, [])
        plain_next = len(edges) == 1 and edges[0].dst == i + 1 and not edges[0].label
        moves = []
        if not plain_next:
            for e in edges:
                verb = "返回" if e.dst <= i else "转"
                where = verb + name(e.dst)
                if e.label:
                    label = plain(e.label)
                    head, sep, rest = label.partition("，")
                    moves.append(f"若{head}，{rest + '，' if sep and rest else ''}{where}")
                elif it.kind == "decision" or len(edges) > 1:
                    moves.append(f"或{where}" if moves else where)
                else:
                    moves.append(f"完成后{where}")
        body = _join(details)
        if it.kind == "decision":
            sentence = f"判断：{parts[0]}" + (f"（{body.rstrip('。')}）" if body else "")
        else:
            sentence = parts[0] + (f"：{body}" if body else "")
        if moves:
            sentence += ("。" if not sentence.endswith(("。", "？", "！")) else "") + "；".join(moves) + "。"
        if it.kind == "decision" or not b.numbered:
            md.append("- " + _md_escape(sentence))
            txt.append(sentence)
        else:
            md.append(f"{numbers[i]}. " + _md_escape(sentence))
            txt.append(f"第{numbers[i]}步　{sentence}")
    return md, txt


def _join(texts: list[str]) -> str:
    """Sentences run together: a full-width stop between them unless one ends the first."""
    out = ""
    for t in texts:
        if out and not out.endswith(("。", "？", "！", "；", "…")):
            out += "。"
        out += t
    return out


@dataclass(frozen=True)
class Description:
    """The document in words: ``markdown`` (a companion file) and ``text`` (plain)."""

    title: str
    markdown: str
    text: str

    def short(self, limit: int = 200) -> str:
        """A short alternative: the title and the first words of the text."""
        body = " ".join(self.text.split())
        return body if len(body) <= limit else body[: limit - 1] + "…"


def describe_document(doc: Document, *, ctx: Any = None, script: str | None = None) -> Description:
    """The whole document in words, Markdown and plain text, in ``script`` (default: the document's).

    The Simplified words are put together first and the result converted once, so the
    words describe() adds (判断, 转第2步, 二维码) follow the script like the spec's.
    """
    from .script import check_script, convert_text

    s = check_script(script or getattr(doc, "_script_applied", None) or doc.script)
    if getattr(doc, "_script_applied", None):
        raise ValueError("describe the document as loaded, not one already converted by apply_script")
    out = _Walker(doc, ctx).document()
    md = "\n".join(out.md).rstrip() + "\n"
    txt = "\n".join(out.txt).rstrip() + "\n"
    while "\n\n\n" in txt:
        txt = txt.replace("\n\n\n", "\n\n")
    return Description(convert_text(plain(doc.title), s), convert_text(md, s), convert_text(txt, s))


def describe(doc: Document, format: Format = "markdown", *, script: str | None = None) -> str:
    """The document as Markdown (default) or plain text (``format="text"``), in reading order.

    ``script`` (hans, hant, hant-tw, hant-hk) converts the words as the picture would be
    converted; default: the document's own ``script``.
    """
    if format not in ("markdown", "text"):
        raise ValueError(f"format must be 'markdown' or 'text', got {format!r}")
    d = describe_document(doc, script=script)
    return d.markdown if format == "markdown" else d.text


# ----------------------------------------------------------------------------- slices and companions
def block_at(doc: Document, path: str) -> Any:
    """The block a frame origin names (``blocks[2].blocks[1]``), or None (the footer)."""
    import re

    node: Any = doc
    for name, idx in re.findall(r"(\w+)\[(\d+)\]", path):
        node = getattr(node, name, None)
        if node is None:
            return None
        node = node[int(idx)]
    return None if node is doc else node


def block_label(b: Any) -> str | None:
    """A few words naming what a block shows (None for decorations)."""
    t = b.type
    if t in ("divider", "spacer"):
        return None
    for f in ("title", "text", "caption", "alt"):
        v = getattr(b, f, None)
        if isinstance(v, str) and v.strip():
            words = plain(v).split("\n")[0]
            return words if len(words) <= 16 else words[:15] + "…"
    return {"qrcode": "二维码", "image": "图片", "qrcodes": "二维码", "chart": "图表"}.get(t, None)


def covered(doc: Document, frame: Any, y0: float, y1: float) -> list[str]:
    """Labels of the blocks a band [y0, y1) of the frame shows, in order (sections by their blocks)."""
    out: list[str] = []
    for a, b, path in sorted(frame.origins, key=lambda o: (o[0], o[2])):
        if b <= y0 or a >= y1:
            continue
        if path == "footer":
            label: str | None = "页尾"
        else:
            block = block_at(doc, path)
            if block is None:
                continue
            label = block_label(block)
        if label and label not in out:
            out.append(label)
    return out


def slice_alternatives(doc: Document, frame: Any, bands: list[tuple[float, float]]) -> list[str]:
    """A short alternative per slice: which part of the document it covers."""
    n = len(bands)
    title = plain(doc.title)
    out = []
    for k, (y0, y1) in enumerate(bands, 1):
        labels = covered(doc, frame, y0, y1)
        shown = "、".join(labels[:5]) + ("等" if len(labels) > 5 else "")
        out.append(f"{title}（第{k}张，共{n}张）" + (f"：{shown}" if shown else ""))
    return out


def companion_path(target: Path, folder: bool, doc: Document) -> Path:
    """NAME.md beside NAME.png / NAME.pdf; in a slices folder, SPEC-NAME.md (else document.md)."""
    if folder:
        src = getattr(doc, "_source_file", None)
        return target / ((Path(src).stem if src else "document") + ".md")
    return target.with_suffix(".md")


def companion_text(doc: Document, paths: list[Path], alternatives: list[str] | None = None,
                   *, ctx: Any = None, script: str | None = None, description: Description | None = None) -> str:
    """The companion file: the document in Markdown, then each slice's short alternative
    (``description``: the document's, when already made in ``script``)."""
    from .script import convert_text

    md = (description or describe_document(doc, ctx=ctx, script=script)).markdown
    if alternatives and len(paths) > 1:
        tail = "\n## 切片\n\n" + "".join(f"- {p.name}：{_md_escape(a)}\n" for p, a in zip(paths, alternatives))
        md += convert_text(tail, script or doc.script)
    return md


def write_companion(doc: Document, target: Path, folder: bool, paths: list[Path], frame: Any = None,
                    bands: list[tuple[float, float]] | None = None, *, ctx: Any = None,
                    script: str | None = None, description: Description | None = None,
                    alternatives: list[str] | None = None) -> Path:
    """Write the companion beside the outputs (atomically); its path. ``description`` and
    ``alternatives`` (of the slices at ``bands``): what the written files already say, reused."""
    from .atomic import AtomicFiles

    alts = alternatives
    if alts is None and frame is not None and bands and len(bands) > 1:
        alts = slice_alternatives(doc, frame, bands)
    out = companion_path(Path(target), folder, doc)
    with AtomicFiles() as files:
        files.add(out, companion_text(doc, paths, alts, ctx=ctx, script=script, description=description).encode("utf-8"))
    return out


__all__ = [
    "Description",
    "block_label",
    "companion_path",
    "companion_text",
    "covered",
    "describe",
    "describe_document",
    "plain",
    "slice_alternatives",
    "stat_line",
    "steps_lines",
    "write_companion",
]
