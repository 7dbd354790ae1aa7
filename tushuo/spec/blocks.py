"""Block models: one class per block kind, one discriminated union on ``type``.

Pure data: no drawing code. Every field has a description (it becomes the JSON
Schema's). Cross-field rules live in validators so errors name the offending path.
"""

import math
from collections.abc import Iterable
from typing import Annotated, Any, Literal, Self, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .base import SpecModel

Align = Literal["left", "center", "right"]
Tone = Literal["positive", "negative", "neutral"]
IconName = Literal[
    "check", "cross", "user", "users", "vote", "document", "calendar", "flag",
    "home", "phone", "book", "chart", "star", "warning", "info",
]



def _count(n: int, noun: str) -> str:
    """'1 cell', '3 cells': counts in messages read as English."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"

def _type_required(schema: dict[str, Any]) -> None:
    """A block's ``type`` defaults to its own kind for Python (``BannerBlock(title=...)``), but
    a spec file must write it (it picks the kind): the JSON Schema keeps it required."""
    if "type" in schema.get("properties", {}):
        schema["properties"]["type"].pop("default", None)
        schema["required"] = ["type", *[r for r in schema.get("required", []) if r != "type"]]


class _Model(SpecModel):
    """Strict spec data: unknown keys are errors; numbers are accepted where text is expected
    (``label: 2024`` is a year, not a mistake)."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=False, populate_by_name=True, coerce_numbers_to_str=True,
        json_schema_extra=_type_required,
    )


def located(at: str, message: str) -> PydanticCustomError:
    """A validation error about a part of the model being validated.

    ``at`` is the spec path relative to the model (``rows[1]``, ``items[2].next[0].to``);
    the loader appends it to the model's own path so the error points at that node
    (file:line:col), and prints ``message`` alone. Plain pydantic users see ``at: message``.
    """
    return PydanticCustomError("spec", "{at}: {message}", {"at": at, "message": message})


def _suggest(word: str, choices: list[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else ``""``."""
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_source(block: Any, data_field: str) -> None:
    """``sheet:`` and ``range:`` only with a data_file; a range must be two cells (B2:F14)."""
    if block.data_file is None:
        for name in ("sheet", "range"):
            if getattr(block, name) is not None:
                raise located(name, f"{name} needs a data_file (an Excel workbook) to read from")
        return
    if getattr(block, data_field) is not None:
        raise located("data_file", f"give either data_file or {data_field}, not both")
    if block.range is not None:
        from ..cells import parse_range

        try:
            parse_range(block.range)
        except ValueError as exc:
            raise located("range", str(exc)) from None


def data_key(block: Any) -> str:
    """What a block reads from its data file, as a key: the file, sheet and range, and whether
    the block wants chart data (labels and series) or a grid of cells (table, stats).

    ``tushuo.inputs`` reads each key once at load; layouts look their data up by it.
    """
    ref = block.data_file
    where = ref if block.sheet is None and block.range is None else f"{ref}!{block.sheet or ''}!{block.range or ''}"
    return where if block.type == "chart" else f"grid:{where}"


_DATA_FILE = ("A data file next to the spec: .xlsx/.xlsm (with sheet and range), .csv, or .json "
              "(a list of objects); the first row is the header.")
_SHEET = "The workbook's sheet: its name, or its number counting from 1 (default: the first)."
_RANGE = "The cells to read, e.g. B2:F14 (default: the sheet's used area); the first row is the header."


# --------------------------------------------------------------------- simple blocks
class BannerBlock(_Model):
    """The hero at the top: formal title, subtitle, badge, optional picture."""

    type: Literal["banner"] = Field(default="banner", description="Block kind.")
    title: str = Field(min_length=1, description="Main title, set in the formal serif face.")
    subtitle: str | None = Field(default=None, description="Line under the title, e.g. 图说换届 · 第1期.")
    badge: str | None = Field(default=None, description="Short label in a pill, e.g. 第3期.")
    image: str | None = Field(default=None, description="Picture path (relative to the spec) shown in the banner.")
    align: Align = Field(default="center", description="Title alignment.")
    compact: bool = Field(default=False,
        description="A lower band: smaller title, tighter padding (print pieces such as a QR standee's header).",
    )


class HeadingBlock(_Model):
    """A section title."""

    type: Literal["heading"] = Field(default="heading", description="Block kind.")
    text: str = Field(min_length=1, description="Heading text.")
    level: int = Field(default=1, ge=1, le=3, description="1 (largest) to 3.")
    number: bool = Field(default=False, description="Prefix automatic Chinese numbering 一、二、三、 (level 1).")


class ParagraphBlock(_Model):
    """Body text with inline **bold** and ==highlight== markup."""

    type: Literal["paragraph"] = Field(default="paragraph", description="Block kind.")
    text: str = Field(description="Text; a line break starts a new line.")
    indent: bool = Field(default=True, description="First-line indent of two full-width characters.")
    align: Literal["left", "center", "right", "justify"] = Field(default="justify", description="justify (default: CJK lines justified except the last), left, center or right."
    )


class ImageBlock(_Model):
    """A photo or picture."""

    type: Literal["image"] = Field(default="image", description="Block kind.")
    src: str = Field(min_length=1, description="Image path relative to the spec file (no URLs).")
    caption: str | None = Field(default=None, description="Caption under the picture.")
    alt: str | None = Field(
        default=None, description="What the picture shows, in words, for readers who cannot see it (not drawn)."
    )
    fit: Literal["width", "cover", "contain"] = Field(
        default="width",
        description="width: full width, natural aspect; cover: crop to 16:9; contain: fit inside 16:9.",
    )


class QuoteBlock(_Model):
    """A pledge or quote card, optionally with a portrait."""

    type: Literal["quote"] = Field(default="quote", description="Block kind.")
    text: str = Field(min_length=1, description="The quote or pledge.")
    author: str | None = Field(default=None, description="Who said it.")
    role: str | None = Field(default=None, description="Their role, e.g. 村党支部书记.")
    image: str | None = Field(default=None, description="Portrait path.")


class CalloutBlock(_Model):
    """A highlighted note."""

    type: Literal["callout"] = Field(default="callout", description="Block kind.")
    text: str = Field(min_length=1, description="Note text (inline markup).")
    title: str | None = Field(default=None, description="Optional title.")
    tone: Literal["info", "tip", "warning", "danger"] = Field(default="info", description="Colour and icon.")


class ChecklistItem(_Model):
    """One line of a checklist."""

    text: str = Field(min_length=1, description="What to meet.")
    checked: bool = Field(default=True, description="True draws a tick, false a cross.")


class ChecklistBlock(_Model):
    """A standard to meet, with vector tick / cross marks."""

    type: Literal["checklist"] = Field(default="checklist", description="Block kind.")
    title: str | None = Field(default=None, description="Title above the list.")
    items: list[ChecklistItem] = Field(min_length=1, description="The items.")

    @field_validator("items", mode="before")
    @classmethod
    def _strings_are_items(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"text": x} if isinstance(x, str) else x for x in v]
        return v


Cell = Union[str, int, float]


#: Most columns in a table: past a dozen the cells are cut already (check warns); past this the
#: layout's cost runs away (50,000 columns of a CSV: over a minute) for a picture nobody can read.
MAX_TABLE_COLUMNS = 30


def table_width_error(columns: int) -> str | None:
    """Why a table of ``columns`` columns is refused, or None."""
    if columns <= MAX_TABLE_COLUMNS:
        return None
    return (f"{columns:,} columns are too many for a table: at most {MAX_TABLE_COLUMNS}; "
            "show the columns that matter (range: A1:F20 for a workbook)")


class TableBlock(_Model):
    """A plain table with a header row and zebra rows."""

    type: Literal["table"] = Field(default="table", description="Block kind.")
    title: str | None = Field(default=None, description="Title above the table.")
    header: list[str] | None = Field(default=None, description="Column headers.")
    rows: list[list[Cell]] | None = Field(default=None, min_length=1, description="Rows of cells (or use data_file).")
    data_file: str | None = Field(default=None, description=_DATA_FILE + " Cells read as shown in Excel.")
    sheet: str | int | None = Field(default=None, description=_SHEET)
    range: str | None = Field(default=None, description=_RANGE)

    @model_validator(mode="after")
    def _same_width(self) -> Self:
        _check_source(self, "rows")
        if self.rows is None:
            if self.data_file is None:
                raise ValueError("a table needs rows, or a data_file")
            if self.header is not None:
                raise located("header", "the header comes from the data_file's first row: leave header out")
            return self
        n = len(self.header) if self.header else len(self.rows[0])
        what = "header columns" if self.header else "cells in rows[0]"
        if n == 0:
            raise located("rows[0]", "rows[0] has no cells: a table needs at least one column")
        if (too_wide := table_width_error(n)) is not None:
            raise located("header" if self.header else "rows[0]", too_wide)
        for i, row in enumerate(self.rows):
            if len(row) != n:
                raise located(f"rows[{i}]", f"row has {_count(len(row), 'cell')} for {n} {what}; give every row {_count(n, 'cell')}")
        return self


class QRCodeBlock(_Model):
    """A QR code made from data (a URL or text)."""

    type: Literal["qrcode"] = Field(default="qrcode", description="Block kind.")
    data: str = Field(min_length=1, description="What the code encodes.")
    caption: str | None = Field(default=None, description="Caption under the code, e.g. 长按识别二维码.")
    size: float = Field(default=360, ge=120, le=1000, description="Side length in px at 1080 wide.")


class QRCodeItem(_Model):
    """One code of a qrcodes grid."""

    data: str = Field(min_length=1, description="What the code encodes (usually the account's URL).")
    caption: str | None = Field(default=None, description="Name under the code, e.g. 颍州先锋.")


class QRCodesBlock(_Model):
    """Several QR codes side by side, each on a white card with its name: QR standees, 关注我们 panels.

    tushuo's addition to the contract's block list. Cards are equal; the codes are as
    large as a column allows (or ``size``); a short last row is centred.
    """

    type: Literal["qrcodes"] = Field(default="qrcodes", description="Block kind.")
    title: str | None = Field(default=None, description="Title above the codes.")
    items: list[QRCodeItem] = Field(min_length=1, max_length=12, description="1 to 12 codes: {data, caption}.")
    columns: int = Field(default=2, ge=1, le=4, description="Codes per row (1–4, default 2).")
    size: float | None = Field(default=None, ge=120, le=1000,
        description="Largest side of a code in px at 1080 (its white quiet zone included); "
        "default: as large as a column allows.",
    )


class DividerBlock(_Model):
    """A rule or ornament between blocks."""

    type: Literal["divider"] = Field(default="divider", description="Block kind.")
    style: Literal["line", "dots", "ornament"] = Field(default="ornament", description="line, dots or ornament.")


class SpacerBlock(_Model):
    """Vertical space."""

    type: Literal["spacer"] = Field(default="spacer", description="Block kind.")
    height: float = Field(ge=0, le=2000, description="Height in px at 1080 wide.")


# --------------------------------------------------------------------- steps
class StepEdge(_Model):
    """An outgoing edge of a step or decision."""

    to: str = Field(min_length=1, description="Target item id.")
    label: str | None = Field(default=None, description="Edge label, e.g. 是 / 否.")


class StepItem(_Model):
    """One step (a box) or decision (a diamond) of a flowchart."""

    id: str | None = Field(default=None, description="Identifier, needed when another item's next names it.")
    kind: Literal["step", "decision"] = Field(default="step", description="step (box) or decision (diamond).")
    title: str = Field(min_length=1, description="Bold title.")
    desc: str | None = Field(default=None, description="Description (wrapped).")
    tag: str | None = Field(default=None, description="A pill, e.g. 选举日前20日.")
    note: str | None = Field(default=None, description="A small note under the description.")
    icon: IconName | None = Field(default=None, description="A built-in vector icon.")
    next: list[StepEdge] | None = Field(default=None, description="Outgoing edges; default: the following item. An id alone (`next: s5`) is one edge."
    )

    @field_validator("next", mode="before")
    @classmethod
    def _ids_are_edges(cls, v: Any) -> Any:
        if isinstance(v, (str, int)):
            v = [v]
        if isinstance(v, list):
            return [{"to": str(x)} if isinstance(x, (str, int)) else x for x in v]
        return v


#: Most items in one steps block, arrows one item may name (``next``), and arrows all its items
#: name: a flowchart's arrows are routed around each other, and past these it took minutes
#: (3,000 items with 100 decisions: 155 s, 950 MB, then a RecursionError; 40 decisions of 40
#: branches: over 60 s). Nobody reads a flowchart that big: it is split into several blocks.
MAX_STEPS = 300
MAX_BRANCHES = 8
MAX_ARROWS = 120


class StepsBlock(_Model):
    """A process or flowchart."""

    type: Literal["steps"] = Field(default="steps", description="Block kind.")
    title: str | None = Field(default=None, description="Title above the chart.")
    items: list[StepItem] = Field(min_length=1, description="Steps and decisions in reading order.")
    layout: Literal["auto", "vertical", "zigzag", "grid", "timeline"] = Field(default="auto", description="Arrangement.")
    numbered: bool = Field(default=True, description="Number badges on steps.")

    @model_validator(mode="after")
    def _ids(self) -> Self:
        self._sizes()
        seen: dict[str, int] = {}
        for i, item in enumerate(self.items):
            if item.id is not None:
                if item.id in seen:
                    first = seen[item.id]
                    raise located(f"items[{i}].id", f"id '{item.id}' is already used by items[{first}]; ids must be unique")
                seen[item.id] = i
        for i, item in enumerate(self.items):
            for j, edge in enumerate(item.next or []):
                if edge.to not in seen:
                    if seen:
                        hint = _suggest(edge.to, list(seen)) or f" (ids: {', '.join(seen)})"
                        msg = f"no item has id '{edge.to}'{hint}"
                    else:
                        msg = f"no item has id '{edge.to}': give the target item `id: {edge.to}`"
                    raise located(f"items[{i}].next[{j}].to", msg)
        return self

    def _sizes(self) -> None:
        if len(self.items) > MAX_STEPS:
            raise located(f"items[{MAX_STEPS}]", f"{len(self.items):,} items are too many for one steps block: "
                          f"at most {MAX_STEPS}; split the process into several steps blocks")
        arrows = 0
        for i, item in enumerate(self.items):
            branches = len(item.next or ())
            if branches > MAX_BRANCHES:
                raise located(f"items[{i}].next", f"{branches} arrows leave this item: at most {MAX_BRANCHES} "
                              "can be told apart")
            arrows += branches
            if arrows > MAX_ARROWS:
                raise located(f"items[{i}].next", f"more than {MAX_ARROWS} arrows named by next in one steps "
                              "block: too many to route legibly; split the process into several steps blocks")


# --------------------------------------------------------------------- comparison
class ComparisonColumn(_Model):
    """A column header."""

    label: str = Field(min_length=1, description="Column label, e.g. 合格站点.")
    tone: Tone = Field(default="neutral", description="positive: tick badge; negative: cross badge; neutral: none.")


class ComparisonCell(_Model):
    """A cell: text and an optional photo."""

    text: str = Field(default="", description="Cell text.")
    image: str | None = Field(default=None, description="Photo path, scaled to the row's common height.")


class ComparisonRow(_Model):
    """One aspect compared across the columns."""

    aspect: str = Field(min_length=1, description="What is compared, e.g. 设备.")
    cells: list[ComparisonCell] = Field(min_length=1, description="One cell per column.")

    @field_validator("cells", mode="before")
    @classmethod
    def _strings_are_cells(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"text": str(x)} if isinstance(x, (str, int, float)) else x for x in v]
        return v


class ComparisonBlock(_Model):
    """Side-by-side columns, e.g. 合格 vs 不合格."""

    type: Literal["comparison"] = Field(default="comparison", description="Block kind.")
    title: str | None = Field(default=None, description="Title above the comparison.")
    columns: list[ComparisonColumn] = Field(min_length=2, max_length=4, description="2 to 4 columns.")
    rows: list[ComparisonRow] = Field(min_length=1, description="Aspects, one per row.")

    @model_validator(mode="after")
    def _cells_per_row(self) -> Self:
        n = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row.cells) != n:
                raise located(
                    f"rows[{i}]",
                    f"rows[{i}] ({row.aspect}) has {_count(len(row.cells), 'cell')} for {n} columns; give one cell per column",
                )
        return self


# --------------------------------------------------------------------- stats
class StatItem(_Model):
    """A big-number card."""

    label: str = Field(min_length=1, description="What the number counts.")
    value: float | int | str = Field(description="The number (or a short text such as 一肩挑).")
    unit: str | None = Field(default=None, description="Unit set smaller beside the value, e.g. 个, %.")
    delta: str | int | float | None = Field(default=None, description="Change, e.g. +12 or -3.2%; coloured by sign.")
    icon: IconName | None = Field(default=None, description="A built-in vector icon.")

    @field_validator("value", "delta")
    @classmethod
    def _finite(cls, v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"{v} is not a number to show; write the number, or text such as 一肩挑")
        return v


class StatsBlock(_Model):
    """Big-number cards."""

    type: Literal["stats"] = Field(default="stats", description="Block kind.")
    title: str | None = Field(default=None, description="Title above the cards.")
    items: list[StatItem] | None = Field(default=None, min_length=1, max_length=6,
                                         description="1 to 6 cards (or use data_file).")
    columns: int | None = Field(default=None, ge=1, le=3, description="Cards per row; default 2 or 3 by count.")
    data_file: str | None = Field(
        default=None,
        description=_DATA_FILE + " One card per row: label, value, then optionally unit and delta columns.",
    )
    sheet: str | int | None = Field(default=None, description=_SHEET)
    range: str | None = Field(default=None, description=_RANGE)

    @model_validator(mode="after")
    def _source(self) -> Self:
        _check_source(self, "items")
        if self.items is None and self.data_file is None:
            raise ValueError("stats need items, or a data_file")
        return self


# --------------------------------------------------------------------- chart
class Series(_Model):
    """One data series."""

    name: str = Field(default="", description="Series name (legend).")
    values: list[float] = Field(min_length=1, description="One value per label.")


class FigureBlock(_Model):
    """A matplotlib Figure made in Python, for the plots the chart kinds do not cover
    (scatter, heatmap, radar, anything). Drawn through tushuo's painters: vectors and real
    text in PDF and SVG, rasterised at the output scale in PNG. Only the Python API can
    give one (``tushuo.FigureBlock(figure=fig)``); style it with ``tushuo.mpl_style(theme)``."""

    model_config = ConfigDict(**_Model.model_config, arbitrary_types_allowed=True)

    type: Literal["figure"] = Field(default="figure", description="Block kind.")
    figure: Any = Field(description="A matplotlib.figure.Figure (Python API only).")
    title: str | None = Field(default=None, description="Title above the figure.")

    @field_validator("figure")
    @classmethod
    def _is_figure(cls, v: Any) -> Any:
        # told by its shape: validating a spec must not import matplotlib
        if not all(hasattr(v, a) for a in ("draw", "get_size_inches", "patch", "dpi")):
            raise ValueError("must be a matplotlib Figure, made in Python: tushuo.FigureBlock(figure=fig)")
        return v


class ChartBlock(_Model):
    """A data chart: planned with the document's fonts and theme into ordinary frame ops
    (shapes and text), drawn like the rest of the page in every format."""

    type: Literal["chart"] = Field(default="chart", description="Block kind.")
    title: str | None = Field(default=None, description="Chart title.")
    kind: Literal["bar", "hbar", "stacked", "line", "pie", "donut", "progress"] = Field(description="Chart kind.")
    labels: list[str] | None = Field(default=None, description="Category labels (or use data_file).")
    series: list[Series] | None = Field(default=None, description="Data series (or use data_file).")
    data_file: str | None = Field(
        default=None,
        description="A data file next to the spec (.csv, .xlsx/.xlsm, .json): labels from the first column, "
        "one series per column of numbers, the header row as series names.",
    )
    sheet: str | int | None = Field(default=None, description=_SHEET)
    range: str | None = Field(default=None, description=_RANGE)
    unit: str | None = Field(default=None, description="Unit for axis and value labels.")
    show_values: bool = Field(default=True, description="Print values on bars / points / slices.")
    highlight: str | None = Field(default=None, description="A label drawn in the accent colour.")
    height: float | None = Field(default=None, ge=200, le=3000, description="Chart height in px at 1080 (default by kind).")

    @model_validator(mode="after")
    def _data(self) -> Self:
        if self.data_file is None:
            if self.labels is None or self.series is None:
                missing = " and ".join(n for n in ("labels", "series") if getattr(self, n) is None)
                raise ValueError(f"a chart needs labels and series, or a data_file (missing: {missing})")
        elif self.labels is not None or self.series is not None:
            raise located("data_file", "give either data_file or labels and series, not both")
        _check_source(self, "labels")
        if self.labels is not None and self.series is not None:
            check_chart_data(self.kind, self.labels, self.series, self.highlight)
        return self


#: Largest magnitude a chart value may have (axis maths overflows long before 1e308).
MAX_CHART_VALUE = 1e15

#: Most categories (labels) a chart of each kind can draw legibly on a page: past these a
#: bar chart is a grey comb and a pie is one 其他 slice, and planning grows faster than the
#: data. Refused when the data is read, before any planning.
MAX_CATEGORIES = {"bar": 100, "stacked": 100, "hbar": 200, "progress": 200, "line": 500, "pie": 100, "donut": 100}
#: Most series a chart can tell apart (legend entries and colours).
MAX_SERIES = 12


def chart_size_error(kind: str, labels: int, series: int) -> str | None:
    """Why data of this size cannot be charted as ``kind`` (``None`` if it can); constant time."""
    cap = MAX_CATEGORIES.get(kind, 100)
    if labels > cap:
        return (f"{labels} categories are too many for a {kind} chart: it can label at most {cap}; "
                "chart the largest or sum the rest into one row")
    if series > MAX_SERIES:
        return f"{series} series are too many for a chart: it can tell at most {MAX_SERIES} apart"
    return None


def _first(items: Iterable[str], most: int = 6) -> str:
    """At most ``most`` of ``items`` joined, then how many more: a message stays one readable line."""
    items = list(items)
    more = f" and {len(items) - most} more" if len(items) > most else ""
    return ", ".join(items[:most]) + more


def check_chart_data(kind: str, labels: list[str], series: list[Series], highlight: str | None) -> None:  # noqa: C901  (one rule a few lines each)
    """The rules every chart's data must meet (also applied to data read from a CSV).

    Raises a ``located`` error whose path is relative to the chart block
    (``series[0].values[2]``), so a CSV reader can re-locate it at its own row.
    """
    if not labels:
        raise located("labels", "labels is empty: a chart needs at least one label")
    if not series:
        raise located("series", "series is empty: a chart needs at least one series")
    too_many = chart_size_error(kind, len(labels), len(series))
    if too_many:
        raise located("labels" if len(labels) > MAX_CATEGORIES.get(kind, 100) else "series", too_many)
    for i, s in enumerate(series):
        for j, v in enumerate(s.values):
            if not math.isfinite(v) or abs(v) > MAX_CHART_VALUE:
                what = "not a number" if math.isnan(v) else ("infinite" if math.isinf(v) else "too large to chart")
                raise located(f"series[{i}].values[{j}]",
                              f"{v:g} is {what}; chart values are finite numbers within ±{MAX_CHART_VALUE:g}")
        if len(s.values) != len(labels):
            name = f" ({s.name})" if s.name else ""
            raise located(
                f"series[{i}].values",
                f"series[{i}]{name} has {len(s.values)} values for {len(labels)} labels; give one value per label",
            )
    if kind in ("pie", "donut"):
        if len(series) != 1:
            raise located("series", f"a {kind} chart takes exactly one series, got {len(series)}")
        vals = series[0].values
        neg = [i for i, v in enumerate(vals) if v < 0]
        if neg:
            listed = _first(f"{labels[i]} = {vals[i]:g}" for i in neg)
            raise located(f"series[0].values[{neg[0]}]", f"a {kind} chart needs non-negative values: {listed}")
        if sum(vals) <= 0:
            raise located("series[0].values", f"a {kind} chart needs values with a positive sum (all are 0)")
    if kind == "progress":
        for k, s in enumerate(series):
            bad = [i for i, v in enumerate(s.values) if v < 0 or v > 100]
            if bad:
                listed = _first(f"{labels[i]} = {s.values[i]:g}" for i in bad)
                raise located(f"series[{k}].values[{bad[0]}]", f"progress values are percentages 0–100: {listed}")
    if highlight is not None and highlight not in labels:
        raise located("highlight", f"highlight '{highlight}' is not one of the labels{_suggest(highlight, labels)}")


# --------------------------------------------------------------------- timeline, cards
class TimelineItem(_Model):
    """A dated event."""

    date: str = Field(min_length=1, description="Date text shown in a pill, e.g. 11月26日.")
    title: str = Field(min_length=1, description="Event title.")
    desc: str | None = Field(default=None, description="Description.")

    @field_validator("date", mode="before")
    @classmethod
    def _date_to_str(cls, v: Any) -> Any:
        return str(v) if v is not None and not isinstance(v, str) else v


class TimelineBlock(_Model):
    """Dated events along a spine."""

    type: Literal["timeline"] = Field(default="timeline", description="Block kind.")
    title: str | None = Field(default=None, description="Title above the timeline.")
    items: list[TimelineItem] = Field(min_length=1, description="Events in order.")


class CardItem(_Model):
    """A card: news item, programme pick."""

    title: str = Field(min_length=1, description="Card title.")
    desc: str | None = Field(default=None, description="Description.")
    image: str | None = Field(default=None, description="Picture path.")
    tag: str | None = Field(default=None, description="Tag or date pill.")
    image_position: Literal["left", "top"] = Field(default="left", description="Where the picture goes in list layout.")


class CardsBlock(_Model):
    """A list or grid of cards."""

    type: Literal["cards"] = Field(default="cards", description="Block kind.")
    title: str | None = Field(default=None, description="Title above the cards.")
    items: list[CardItem] = Field(min_length=1, description="The cards.")
    layout: Literal["list", "grid"] = Field(default="list", description="list: stacked; grid: 2 columns.")


# --------------------------------------------------------------------- section
class SectionBlock(_Model):
    """A chapter holding blocks: a title bar, a PDF bookmark and a contents entry."""

    type: Literal["section"] = Field(default="section", description="Block kind.")
    title: str = Field(min_length=1, description="Section title.")
    number: bool | str = Field(default=True, description="True: automatic 一、二、…; a string: that label; false: none.")
    blocks: list["Block"] = Field(min_length=1, description="The section's blocks.")  # Block is defined below


Block = Annotated[
    Union[
        BannerBlock, HeadingBlock, ParagraphBlock, SectionBlock, StepsBlock, ComparisonBlock,
        StatsBlock, ChartBlock, TimelineBlock, CardsBlock, ChecklistBlock, TableBlock,
        ImageBlock, QuoteBlock, CalloutBlock, QRCodeBlock, QRCodesBlock, DividerBlock, SpacerBlock,
        FigureBlock,
    ],
    Field(discriminator="type"),
]

SectionBlock.model_rebuild()

#: kinds only the Python API can make (a spec file cannot hold a matplotlib Figure)
PYTHON_ONLY = frozenset({"figure"})

BLOCK_TYPES: dict[str, type[BaseModel]] = {
    m.model_fields["type"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in (
        BannerBlock, HeadingBlock, ParagraphBlock, SectionBlock, StepsBlock, ComparisonBlock,
        StatsBlock, ChartBlock, TimelineBlock, CardsBlock, ChecklistBlock, TableBlock,
        ImageBlock, QuoteBlock, CalloutBlock, QRCodeBlock, QRCodesBlock, DividerBlock, SpacerBlock,
        FigureBlock,
    )
}
