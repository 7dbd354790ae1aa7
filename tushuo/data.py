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
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import SpecError

#: Encodings tried in order for files without a UTF-16 byte-order mark. gb18030 is a
#: superset of GBK/GB2312, so it also reads what Excel writes on Chinese Windows.
ENCODINGS = ("utf-8-sig", "gb18030")

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


@dataclass(frozen=True)
class Table:
    """Chart data read from a file: category labels and named series of numbers."""

    labels: list[str]
    names: list[str]
    columns: list[list[float]]
    rows: list[int]  # the file's line number of each label, for later error messages


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


def parse_number(cell: str) -> float | None:
    """A number as people type it in a spreadsheet, or None.

    Accepts full-width digits (１２), thousands separators (1,234), a trailing
    percent sign (98.5% → 98.5) and surrounding spaces.
    """
    s = unicodedata.normalize("NFKC", cell).strip().replace("\u2212", "-")
    if s.endswith("%"):
        s = s[:-1].rstrip()
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    try:
        v = float(s)
    except ValueError:
        return None
    if not math.isfinite(v):
        return None
    return v


def _delimiter(first_line: str) -> str:
    """Comma, unless the header holds none and tabs or semicolons instead (Excel's other exports)."""
    if "," in first_line:
        return ","
    for d in ("\t", ";"):
        if d in first_line:
            return d
    return ","


def parse_table(text: str, name: str) -> Table:
    """Labels and series from CSV text: first column labels, one column per series, a header row.

    ``name`` is how the file is named in error messages (as the spec wrote it).
    """
    rows: list[tuple[int, list[str]]] = []
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=_delimiter(first))
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            if any(cells):  # spreadsheets write blank rows as ",,,"
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise SpecError(f"not valid CSV: {exc}", file=name, line=reader.line_num) from None
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
    return Table(labels=labels, names=header[1:], columns=columns, rows=lines)


def read_table(path: str | Path, name: str | None = None) -> Table:
    """Read a chart's CSV file; ``name`` (default: the file name) is used in error messages."""
    from .assets import read_file

    path = Path(path)
    name = name or path.name
    return parse_table(decode(read_file(path, "data", label=name), name), name)


__all__ = ["ENCODINGS", "Table", "decode", "parse_number", "parse_table", "read_table"]
