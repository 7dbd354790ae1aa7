"""Reading chart data from CSV files, the way people in Chinese offices actually save them.

Excel in China writes GBK (without a byte-order mark) for "CSV", UTF-8 with a BOM
for "CSV UTF-8", and UTF-16 tab-separated text for "Unicode text"; WPS and
LibreOffice write plain UTF-8. All of them are read here. Every mistake is a
SpecError whose location is the CSV itself (``file:row:column``), so a message
such as ``progress.csv:4:3: '12a' is not a number (column 已完成)`` points at
the exact cell to fix.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SpecError
from .humanize import parse_number

if TYPE_CHECKING:
    from .workbook import Grid

#: Encodings tried in order for files without a UTF-16 byte-order mark. gb18030 is a
#: superset of GBK/GB2312, so it also reads what Excel writes on Chinese Windows.
ENCODINGS = ("utf-8-sig", "gb18030")

_BLANK_LINE = re.compile(r"^[ \t,;\r]*$", re.M)



@dataclass(frozen=True)
class Table:
    """Chart data read from a file: category labels and named series of numbers."""

    labels: list[str]
    names: list[str]
    columns: list[list[float]]
    rows: list[int]  # the file's line number of each label, for later error messages
    #: where each value came from (``places[i][j]`` for ``columns[i][j]``: 进展.xlsx!各乡镇!C5,
    #: rows.json:4:12); empty for CSV, whose rows and columns locate a value
    places: list[list[str]] = field(default_factory=list)
    #: rows past ``limit`` that :func:`parse_table` counted (non-blank lines) but did not read
    more: int = 0


def decode(raw: bytes, name: str) -> str:
    """Text of a data file: UTF-16 by its BOM, else UTF-8 (BOM or not), else GB18030/GBK."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        for enc in ENCODINGS:
            try:
                return raw.decode(enc)
            except UnicodeDecodeError:
                continue
    raise SpecError("cannot read the file as text: it is neither UTF-8 nor GBK (save it as CSV UTF-8)", file=name)


def _delimiter(first_line: str) -> str:
    """Comma, unless the header holds none and tabs or semicolons instead (Excel's other exports)."""
    if "," in first_line:
        return ","
    for d in ("\t", ";"):
        if d in first_line:
            return d
    return ","


def _csv_rows(body: str, name: str, limit: int | None) -> tuple[list[tuple[int, list[str]]], int]:
    """(line, stripped cells) of the non-blank rows, at most ``limit + 2`` of them (the header and
    ``limit + 1`` data rows), and how many non-blank lines follow those (counted, not parsed)."""
    rows: list[tuple[int, list[str]]] = []
    stream = io.StringIO(body, newline="")
    reader = csv.reader(stream, delimiter=_delimiter(body.split("\n", 1)[0]))
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            if any(cells):  # spreadsheets write blank rows as ",,,"
                rows.append((reader.line_num, cells))
                if limit is not None and len(rows) > limit + 1:
                    rest = body[stream.tell():]  # lines, less the blank ones (",,," too); the last may be empty
                    return rows, rest.count("\n") + 1 - len(_BLANK_LINE.findall(rest))
    except csv.Error as exc:
        raise SpecError(f"not valid CSV: {exc}", file=name, line=reader.line_num) from None
    return rows, 0


def parse_table(text: str, name: str, limit: int | None = None) -> Table:
    """Labels and series from CSV text: first column labels, one column per series, a header row.

    ``name`` is how the file is named in error messages (as the spec wrote it). With
    ``limit``, at most ``limit + 1`` data rows are read (enough to name the first row past
    it); the lines after them are only counted, into ``Table.more``: a 20 MB file of
    5 million rows costs a count, not 11 s and 1.5 GB of parsed cells.
    """
    rows, more = _csv_rows(text.lstrip("\ufeff"), name, limit)
    if not rows:
        raise SpecError("the file is empty (expected a header row, then one row per label)", file=name)
    header_line, header = rows[0]
    while header and header[-1] == "":  # columns a spreadsheet padded on, with no name and no use
        header.pop()
    if len(header) < 2:
        raise SpecError(
            "needs at least two columns: labels first, then one column of numbers per series",
            file=name, line=header_line,
        )
    data = rows[1:]
    if not data:
        raise SpecError("has a header but no data rows", file=name, line=header_line)
    ncol = len(header)
    labels: list[str] = []
    lines: list[int] = []
    columns: list[list[float]] = [[] for _ in range(ncol - 1)]
    for line, cells in data:
        while len(cells) > ncol and cells[-1] == "":
            cells.pop()
        if len(cells) != ncol:
            raise SpecError(
                f"{len(cells)} cells in this row but the header has {ncol} columns", file=name, line=line
            )
        if not cells[0]:
            raise SpecError("the label (first column) is empty", file=name, line=line, col=1)
        labels.append(cells[0])
        lines.append(line)
        for j, cell in enumerate(cells[1:], start=1):
            column = header[j] or f"column {j + 1}"
            if not cell:
                raise SpecError(f"empty cell (column {column}); write 0 if the value is zero",
                                file=name, line=line, col=j + 1)
            value = parse_number(cell)
            if value is None:
                raise SpecError(f"'{cell}' is not a number (column {column})", file=name, line=line, col=j + 1)
            columns[j - 1].append(value)
    return Table(labels=labels, names=header[1:], columns=columns, rows=lines, more=more)


#: Data files a chart, table or stats block may name, by suffix.
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json")


def read_grid(path: str | Path, name: str | None = None, *, sheet: str | int | None = None,
              cells: str | None = None) -> Grid:
    """Any data file as a grid of shown cells: a workbook (its ``sheet``, the range ``cells``),
    a JSON list of objects, or CSV. Read through the file gate."""
    from .assets import read_file
    from .workbook import WORKBOOK_SUFFIXES, read_workbook

    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix in (*WORKBOOK_SUFFIXES, ".xls"):
        grid = read_workbook(path, name, sheet, cells)
    elif sheet is not None or cells is not None:
        raise SpecError("sheet: and range: apply to Excel workbooks (.xlsx); this file is not one", file=name)
    elif suffix == ".json":
        grid = read_json_rows(read_file(path, "data", label=name), name)
    else:
        grid = csv_grid(decode(read_file(path, "data", label=name), name), name)
    return _numbers(grid)


def _numbers(grid: Grid) -> Grid:
    """Text that reads as a number (typed as text in Excel, any CSV cell) gets its number too."""
    from .workbook import Cell, Grid

    def cell(c: Cell) -> Cell:
        return c if c.number is not None or not c.text else Cell(c.text, parse_number(c.text), c.where)

    return Grid(grid.name, grid.header, [[cell(c) for c in row] for row in grid.rows])


def csv_grid(text: str, name: str) -> Grid:
    """CSV text as a grid (cells located ``file:line:col``): for tables and stats, which take any text.

    At most MAX_CELLS values, as from a workbook or JSON: refused at the row that passes it,
    before the rest is read (a 20 MB file of 5 million rows took 4 GB and minutes)."""
    from .workbook import MAX_CELLS, Cell, Grid

    first = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=_delimiter(first))
    rows: list[list[Cell]] = []
    count = 0
    try:
        for cells in reader:
            line = reader.line_num
            row = [Cell(c.strip(), None, f"{name}:{line}:{j + 1}") for j, c in enumerate(cells)]
            if any(c.text for c in row):
                rows.append(row)
                count += sum(1 for c in row if c.text)
                if count > MAX_CELLS:
                    raise SpecError(f"too many cells: more than {MAX_CELLS:,} values (at most {MAX_CELLS:,}, "
                                    "as in a spec); a table shows a few dozen rows legibly", file=name, line=line)
    except csv.Error as exc:
        raise SpecError(f"not valid CSV: {exc}", file=name, line=reader.line_num) from None
    if not rows:
        raise SpecError("the file is empty (expected a header row, then one row per label)", file=name)
    width = max(len(r) for r in rows)
    while width and not any(len(r) >= width and r[width - 1].text for r in rows):
        width -= 1
    for r in rows:
        while len(r) < width:
            r.append(Cell("", None, f"{name}:{r[0].where.split(':')[-2]}:{len(r) + 1}"))
        del r[width:]
    return Grid(name, rows[0], rows[1:])


def grid_table(grid: Grid) -> Table:
    """Chart data from a grid: labels from the first column, one series per numeric column,
    the header as series names. A column is numeric when most of its cells show numbers;
    any other cell in it is an error at that cell (``进展.xlsx!各乡镇!C5: expected a number, got '—'``)."""
    header = grid.header_texts()
    if len(header) < 2:
        raise SpecError("needs at least two columns: labels first, then one column of numbers per series",
                        file=grid.name)
    if not grid.rows:
        raise SpecError("has a header but no data rows", file=grid.name)
    labels = []
    for row in grid.rows:
        if not row[0].text:
            raise SpecError("the label (first column) is empty", file=row[0].where)
        labels.append(row[0].text)
    names: list[str] = []
    columns: list[list[float]] = []
    places: list[list[str]] = []
    for j in range(1, len(header)):
        cells = [row[j] for row in grid.rows]
        numbers = [c.number for c in cells]
        filled = [n for c, n in zip(cells, numbers) if c.text]
        if not filled or sum(n is not None for n in filled) * 2 < len(filled):
            continue  # a column of text (notes, dates) is not a series
        values = []
        for c, n in zip(cells, numbers):
            if n is None:
                if not c.text:
                    raise SpecError(f"empty cell (column {header[j] or j + 1}); write 0 if the value is zero",
                                    file=c.where)
                raise SpecError(f"expected a number, got '{c.text}'", file=c.where)
            values.append(n)
        names.append(header[j])
        columns.append(values)
        places.append([c.where for c in cells])
    if not columns:
        raise SpecError("no column of numbers: a chart needs labels first, then one column of numbers per "
                        "series", file=grid.name)
    return Table(labels=labels, names=names, columns=columns, rows=[], places=places)


def read_json_rows(raw: bytes, name: str) -> Grid:
    """A JSON list of objects as a grid: the keys (in first-seen order) are the header.

    Cells are located ``rows.json:LINE:COL``: JSON is YAML, so PyYAML's composer gives each
    value's place (no aliases in JSON, and the file gate bounds its size).
    """
    import json

    import yaml

    from .workbook import MAX_CELLS, Cell, Grid, shown

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpecError("not UTF-8 text: save the JSON file as UTF-8", file=name) from None
    from .loading.tree import json_int

    try:
        value = json.loads(text, parse_int=json_int)
    except json.JSONDecodeError as exc:
        raise SpecError(f"JSON syntax error: {exc.msg}", file=name, line=exc.lineno, col=exc.colno) from None
    except RecursionError:
        raise SpecError("nested too deeply", file=name) from None
    if not isinstance(value, list) or not value:
        got = "an empty list" if isinstance(value, list) else ("an object" if isinstance(value, dict) else "a value")
        raise SpecError(f"a data table in JSON is a list of objects, one per row ([{{\"乡镇\": \"清河街道\", "
                        f"\"已完成\": 12}}, …]), got {got}", file=name)
    keys: list[str] = []
    for item in value:
        if not isinstance(item, dict):
            raise SpecError("each row must be an object of column names to values", file=name)
        keys.extend(str(k) for k in item if str(k) not in keys)
    if len(keys) * len(value) > MAX_CELLS:
        raise SpecError(f"too many cells: more than {MAX_CELLS:,} values", file=name)
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        root = yaml.compose(text, Loader=loader)
        if root is None:
            raise TypeError("empty")
        items = root.value
        marks = [{str(k.value): v.start_mark for k, v in node.value} for node in items]
    except (yaml.YAMLError, AttributeError, TypeError):  # located by file only
        marks = [{} for _ in value]

    def where(i: int, k: str) -> str:
        m = marks[i].get(k) if i < len(marks) else None
        return f"{name}:{m.line + 1}:{m.column + 1}" if m is not None else name

    header = [Cell(k, None, name) for k in keys]
    rows = []
    for i, item in enumerate(value):
        row = []
        for k in keys:
            v = item.get(k)
            if isinstance(v, (dict, list)):
                raise SpecError(f"column {k}: expected a number or text, got a {'list' if isinstance(v, list) else 'mapping'}",
                                file=where(i, k))
            text_, number = shown(v, None)
            row.append(Cell(text_, number, where(i, k)))
        rows.append(row)
    return Grid(name, header, rows)


def read_table(path: str | Path, name: str | None = None, *, sheet: str | int | None = None,
               cells: str | None = None, limit: int | None = None) -> Table:
    """Read a chart's data file (CSV, workbook, JSON); ``name`` (default: the file name) is used in messages;
    a CSV's rows past ``limit`` are counted, not read (:func:`parse_table`)."""
    from .assets import read_file

    path = Path(path)
    name = name or path.name
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".json") or sheet is not None or cells is not None:
        return grid_table(read_grid(path, name, sheet=sheet, cells=cells))
    return parse_table(decode(read_file(path, "data", label=name), name), name, limit)


__all__ = [
    "DATA_SUFFIXES", "ENCODINGS", "Table", "csv_grid", "decode", "grid_table", "parse_number", "parse_table",
    "read_grid", "read_json_rows", "read_table",
]
