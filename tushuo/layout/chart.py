"""The chart block: data (inline or CSV), an optional title, and the chart on a card.

All checking happens here, while laying out, so a bad CSV or a character the chart
font lacks is a located SpecError before anything is painted. The chart is planned
(chart_plan.py) into ordinary frame ops, placed in a Group clipped to the plot area:
painters draw it like any other block, and ``tushuo check`` sees its text.
"""

from __future__ import annotations

import re

from ..frame import Box, Frame, Group, shift
from ..humanize import describe_char
from ..spec.blocks import ChartBlock, Series, check_chart_data, data_key
from .chart_plan import ChartColors, ChartSpec, plan_chart
from .common import card, titled
from .context import LayoutContext
from .registry import layout_for

#: Texts every chart may draw besides the spec's own (captions, merged slices, value marks).
_CHART_TEXT = "单位：合计其他系列0123456789.\u2212%（）"


#: What each chart kind is called in words (alternative text, tushuo.describe).
CHART_KIND = {
    "bar": "柱状图", "hbar": "条形图", "stacked": "堆叠柱状图", "line": "折线图",
    "pie": "饼图", "donut": "环形图", "progress": "进度图",
}


def chart_alt(block: ChartBlock, labels: list[str], series: list[Series], script: str = "hans") -> str:
    """A chart's alternative text: kind, title, every value with its unit, the highlighted item.

    ``labels`` and the block's words are already in ``script``; only the words added here
    are converted.
    """
    from ..script import convert_text
    from ..text.markup import parse

    def plain(s: str) -> str:
        return parse(str(s)).text

    def num(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else f"{v:g}"

    unit = plain(block.unit) if block.unit else ""
    head = convert_text(CHART_KIND.get(block.kind, "图表"), script)
    head += f"「{plain(block.title)}」" if block.title else ""
    parts = []
    for s in series:
        values = "，".join(f"{plain(lab)} {num(v)}{unit}" for lab, v in zip(labels, s.values))
        parts.append((f"{plain(s.name)}：" if s.name and len(series) > 1 else "") + values)
    text = head + "：" + "；".join(parts)
    if block.highlight:
        text += convert_text("（突出显示：", script) + plain(block.highlight) + "）"
    return text


@layout_for("chart")
def layout_chart(block: ChartBlock, width: float, ctx: LayoutContext) -> Frame:
    """Title (the shared block title), then the chart on a surface card.

    The whole block is one unit for slicing and pagination: no break after the
    title, which would leave it alone at the foot of a PDF page (as block titles
    elsewhere, e.g. checklists, stay with their content).
    """
    labels, series = chart_data(block, ctx)
    faces = (ctx.face("body"), ctx.face("bold"), ctx.face("number"))
    _check_glyphs(block, labels, series, ctx, faces)

    frame, y = titled(block.title, width, ctx)
    pad = ctx.px(32)
    inner = width - 2 * pad
    spec = ChartSpec(
        kind=block.kind,
        labels=labels,
        names=[s.name for s in series],
        values=[s.values for s in series],
        width=inner,
        height=ctx.px(block.height) if block.height else None,
        colors=ChartColors.from_theme(ctx.theme),
        fonts=ctx.fonts,
        unit=block.unit or "",
        show_values=block.show_values,
        highlight=labels.index(block.highlight) if block.highlight is not None else None,
        size=ctx.size("caption"),
        number_size=ctx.size("number"),
        face=faces[0],
        bold=faces[1],
        number=faces[2],
        k=ctx.scale,
        script=getattr(ctx.doc, "script", "hans") if ctx.doc is not None else "hans",
    )
    plan = plan_chart(spec)
    for note in plan.notes:
        ctx.warnings.append(f"{ctx.where or 'chart'}: {note}")
    card_h = plan.height + 2 * pad
    frame.add(*card(0, y, width, card_h, ctx))
    alt = chart_alt(block, labels, series, getattr(ctx.doc, "script", "hans") if ctx.doc is not None else "hans")
    x0, y0 = pad, y + pad
    frame.add(Group(tuple(shift(op, x0, y0) for op in plan.frame().ops), clip=(x0, y0, inner, plan.height),
                    alt=alt))
    frame.boxes.append(Box(0, y, width, card_h, "chart"))
    frame.height = y + card_h + ctx.px(4)  # the card's shadow
    return frame


def chart_data(block: ChartBlock, ctx: LayoutContext, script: str | None = None) -> tuple[list[str], list[Series]]:
    """The chart's labels and series: from the spec, or from its CSV (read at load) checked like the spec's.

    A data file's words follow ``script`` (default: the document's), as the spec's own do;
    ``describe`` reads them as written ("hans"), since it converts its whole text at the end.
    """
    if block.data_file is None:
        assert block.labels is not None and block.series is not None  # the model guarantees it
        return list(block.labels), list(block.series)
    table = ctx.table(data_key(block), "data_file")
    labels, names = list(table.labels), list(table.names)
    if script is None:
        script = getattr(ctx.doc, "script", "hans") if ctx.doc is not None else "hans"
    if script != "hans":  # the CSV's words follow the document's script, as the spec's do
        from ..script import convert_text

        labels = [convert_text(x, script) for x in labels]
        names = [convert_text(x, script) for x in names]
    series = [Series(name=n, values=c) for n, c in zip(names, table.columns)]
    try:
        check_chart_data(block.kind, labels, series, block.highlight)
    except ValueError as exc:
        raise ctx.error(_csv_message(exc, block.data_file, table), "data_file") from None
    return labels, series


def _csv_message(exc: ValueError, name: str, table) -> str:  # noqa: ANN001 - data.Table
    """A data rule broken by a CSV, told at the CSV cell (``progress.csv:5:2``) when it names one."""
    ctx_ = getattr(exc, "context", None) or {}
    at, message = ctx_.get("at", ""), ctx_.get("message", str(exc))
    m = re.fullmatch(r"series\[(\d+)\]\.values\[(\d+)\]", at)
    if m and table.places:  # a workbook or JSON cell: 进展.xlsx!各乡镇!C5
        return f"{table.places[int(m.group(1))][int(m.group(2))]}: {message}"
    if m:
        col, row = int(m.group(1)) + 2, table.rows[int(m.group(2))]
        return f"{name}:{row}:{col}: {message}"
    return f"{name}: {message}"


def _check_glyphs(block: ChartBlock, labels: list[str], series: list[Series], ctx: LayoutContext,
                  faces: tuple[str, ...]) -> None:
    """Every character the chart draws must be in the chart's own fonts (the chart's text is checked here,
    where the spec path is known, rather than drawn as boxes)."""
    texts: list[tuple[str, str]] = [(f"labels[{i}]", t) for i, t in enumerate(labels)]
    texts += [(f"series[{j}].name", s.name) for j, s in enumerate(series)]
    script = getattr(ctx.doc, "script", "hans") if ctx.doc is not None else "hans"
    own = _CHART_TEXT
    if script != "hans":
        from ..script import convert_text

        own = convert_text(_CHART_TEXT, script)
    texts += [("unit", block.unit or ""), ("", own)]
    fonts = [ctx.fonts.face(f) for f in dict.fromkeys(faces)]
    for where, text in texts:
        for ch in dict.fromkeys(text):
            if ch.isspace() or all(f.covers(ch) for f in fonts):
                continue
            field = where if block.data_file is None else "data_file"
            raise ctx.error(
                f"the chart font has no glyph for {describe_char(ch)} in {text!r}; "
                "charts are drawn with the theme's body font: use another character",
                field,
            )
