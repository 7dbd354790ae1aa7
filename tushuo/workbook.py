"""Excel workbooks (.xlsx, .xlsm) and JSON lists read as a grid of cells, shown as Excel shows them.

The numbers behind a bulletin live in workbooks townships send in: percentages stored
as 0.945 with a ``0.0%`` format, dates, merged header cells, formulas. A cell is read
as the text Excel displays (``94.5%``, ``1,286``, ``3.10``, ``2026年11月25日``) and, when
it shows a number, as that number (94.5, 1286, 3.1): what people see in Excel is what
the picture says. Every cell remembers where it is (``进展.xlsx!各乡镇!C5``) for messages.

Reader: openpyxl in read-only mode (rows streamed, formulas read from their cached
values). python-calamine reads faster but gives no number formats, so 0.945 could not
become 94.5%; see benchmarks/xlsx_read.py for the measurements. openpyxl's read-only
sheets do not report merged cells, and a formula saved without its value reads as
empty; one streaming byte scan of the sheet's XML finds both (bounded memory).

Limits: the workbook passes the file gate (``assets.read_file``: 20 MB); parts that
unpack past :data:`MAX_UNPACKED` (a zip bomb) are refused before parsing; reading
stops with an error past the loader's value budget (100,000 cells), so a million-row
sheet costs the rows up to the budget, never the whole sheet in memory.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cells import REF as _REF
from .cells import column_letter, column_number, parse_range
from .errors import SpecError
from .humanize import excel_general as general

#: Workbook suffixes read here; .xls (the old binary format) is refused with advice.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: Largest unpacked size of any one part of a workbook (the sheet XML, shared strings).
MAX_UNPACKED = 256 * 1024 * 1024
#: Most cells read from one sheet or JSON file (the loader's value budget, MAX_NODES).
MAX_CELLS = 100_000
#: Longest text in one cell (the loader's MAX_TEXT_CHARS).
MAX_CELL_CHARS = 20_000
#: Most cells, empty ones included, looked through in one sheet: the used area runs from A1 to
#: the farthest cell (or to what the sheet's dimension claims), so one stray value at
#: XFD1048576 made it 17 billion cells and the read never ended.
MAX_VISITED = 2_000_000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: old .xls, or an encrypted .xlsx
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")


@dataclass(frozen=True)
class Cell:
    """One cell: the text shown, the number it shows (None for text), and where it is."""

    text: str
    number: float | None
    where: str  # 进展.xlsx!各乡镇!C5, or rows.json:4:12 for JSON


@dataclass(frozen=True)
class Grid:
    """A rectangle of cells: the header (first row) and the data rows below it."""

    name: str  # the source as messages name it: 进展.xlsx!各乡镇, rows.json
    header: list[Cell]
    rows: list[list[Cell]]

    def header_texts(self) -> list[str]:
        return [c.text for c in self.header]


# ----------------------------------------------------------------------------- number formats
_QUOTED = re.compile(r'"([^"]*)"|\\(.)|_.|\*.|\[[^\]]*\]')


def _literal(section: str) -> tuple[str, str, str]:
    """(prefix, numeric pattern, suffix) of one number-format section; quotes and escapes unwrapped."""
    out: list[tuple[str, bool]] = []  # (text, is_pattern)
    pos = 0
    for m in _QUOTED.finditer(section):
        out.extend((ch, ch in "0#?,.%") for ch in section[pos:m.start()])
        if m.group(1) is not None:
            out.append((m.group(1), False))
        elif m.group(2) is not None:
            out.append((m.group(2), False))
        pos = m.end()
    out.extend((ch, ch in "0#?,.%") for ch in section[pos:])
    first = next((i for i, (_, p) in enumerate(out) if p), None)
    if first is None:
        return "".join(t for t, _ in out), "", ""
    last = max(i for i, (_, p) in enumerate(out) if p)
    prefix = "".join(t for t, _ in out[:first])
    pattern = "".join(t for t, _ in out[first:last + 1])
    suffix = "".join(t for t, _ in out[last + 1:])
    return prefix, pattern, suffix


def format_number(v: float, fmt: str | None) -> tuple[str, float]:
    """(text shown, number shown) of a number under an Excel number format.

    Handles what office workbooks use: General, fixed decimals (0.00), thousands
    (#,##0), percent (0.0%), literal prefixes and suffixes ("￥"#,##0, 0"个"), colour
    codes and a negative section. Other formats (scientific, fractions) show as General.
    """
    fmt = (fmt or "General").strip()
    sections = fmt.split(";")
    section = sections[0]
    negative = v < 0 and len(sections) > 1 and sections[1].strip() != ""
    if negative:
        section, v = sections[1], -v
    if section.strip().lower() in ("general", "", "@"):
        shown = general(v)
        return (shown if not negative else "-" + shown), (-v if negative else v)
    prefix, pattern, suffix = _literal(section)
    if not pattern or re.search(r"[Ee][+-]|/", section):
        shown = general(v)
        return prefix + shown + suffix, (-v if negative else v)
    percent = pattern.count("%")
    core = pattern.replace("%", "")
    scaled = v * (100 ** percent)
    whole, _, frac = core.partition(".")
    while whole.endswith(","):  # trailing commas divide by 1,000 each
        whole = whole[:-1]
        scaled /= 1000
    decimals = sum(1 for ch in frac if ch in "0#?")
    thousands = "," in whole
    rounded = round(scaled, decimals)
    text = f"{abs(rounded):,.{decimals}f}" if thousands else f"{abs(rounded):.{decimals}f}"
    if "#" in frac and "." in text:  # '#' places drop trailing zeros
        text = text.rstrip("0").rstrip(".")
    if whole.replace(",", "") and set(whole.replace(",", "")) <= {"#"} and text.startswith("0."):
        text = text[1:]
    sign = "-" if rounded < 0 and not negative else ""
    if negative and "-" not in prefix:
        sign = ""
    shown = f"{prefix}{sign}{text}{'%' * percent}{suffix}"
    number = -abs(rounded) if (rounded < 0 or negative) else rounded
    return shown, number


_DATE_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p", re.IGNORECASE)
#: Excel's built-in date format (number format 14): shown in the reader's locale; ours is Chinese.
_LOCALE_DATES = {"mm-dd-yy", "m/d/yyyy", "m/d/yy", "yyyy/m/d", "general", "", "d-mmm-yy", "yyyy-mm-dd h:mm:ss"}


def chinese_date(d: _dt.date) -> str:
    """2026年11月25日."""
    return f"{d.year}年{d.month}月{d.day}日"


def format_date(v: _dt.date | _dt.datetime | _dt.time, fmt: str | None) -> str:
    """A date as its format shows it; Excel's locale date (and a date without a format) as 2026年11月25日."""
    f = (fmt or "").strip()
    if isinstance(v, _dt.time):
        return v.strftime("%H:%M") if v.second == 0 else v.strftime("%H:%M:%S")
    if f.lower() in _LOCALE_DATES:
        text = chinese_date(v)
        if isinstance(v, _dt.datetime) and (v.hour, v.minute, v.second) != (0, 0, 0) and "h" in f.lower():
            text += f" {v:%H:%M}"
        return text
    f = f.split(";")[0]
    out: list[str] = []
    pos = 0
    has_hour = False
    tokens = list(_DATE_TOKEN.finditer(f))
    for i, m in enumerate(tokens):
        lit = f[pos:m.start()]
        out.append(re.sub(r'"([^"]*)"|\\(.)|\[[^\]]*\]', lambda q: q.group(1) or q.group(2) or "", lit))
        tok = m.group(0).lower()
        prev = tokens[i - 1].group(0).lower() if i else ""
        nxt = tokens[i + 1].group(0).lower() if i + 1 < len(tokens) else ""
        minute = tok in ("m", "mm") and (prev in ("h", "hh") or nxt in ("s", "ss"))
        has_hour = has_hour or tok in ("h", "hh")
        dt = v if isinstance(v, _dt.datetime) else _dt.datetime(v.year, v.month, v.day)
        out.append({
            "yyyy": f"{dt.year}", "yy": f"{dt.year % 100:02d}",
            "mmmm": f"{dt.month}月", "mmm": f"{dt.month}月",
            "mm": f"{dt.minute:02d}" if minute else f"{dt.month:02d}",
            "m": f"{dt.minute}" if minute else f"{dt.month}",
            "dddd": "一二三四五六日"[dt.weekday()].join(("星期", "")), "ddd": "一二三四五六日"[dt.weekday()].join(("周", "")),
            "dd": f"{dt.day:02d}", "d": f"{dt.day}",
            "hh": f"{dt.hour:02d}", "h": f"{dt.hour}", "ss": f"{dt.second:02d}", "s": f"{dt.second}",
            "am/pm": "上午" if dt.hour < 12 else "下午", "a/p": "上午" if dt.hour < 12 else "下午",
        }[tok])
        pos = m.end()
    out.append(re.sub(r'"([^"]*)"|\\(.)|\[[^\]]*\]', lambda q: q.group(1) or q.group(2) or "", f[pos:]))
    text = "".join(out).strip()
    return text or chinese_date(v)


def shown(value: Any, fmt: str | None) -> tuple[str, float | None]:
    """(text, number) of a cell value as Excel displays it under ``fmt``."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return format_date(value, fmt), None
    if isinstance(value, _dt.timedelta):
        total = int(value.total_seconds())
        return f"{total // 3600}:{total % 3600 // 60:02d}", None
    if isinstance(value, (int, float)):
        v = float(value)
        if not math.isfinite(v):
            return str(value), None
        return format_number(v, fmt)
    return str(value), None  # text, even when it reads as a number: data.grid_table decides


# ----------------------------------------------------------------------------- the workbook
def _refuse_non_zip(raw: bytes, name: str) -> None:
    if raw.startswith(_OLE):
        if _ENCRYPTED in raw:
            raise SpecError(
                "the workbook is password-protected: tushuo cannot open it; in Excel or WPS remove the "
                "password (文件 → 信息 → 保护工作簿 → 用密码进行加密, clear it) and save it again",
                file=name,
            )
        raise SpecError(
            "an old binary Excel file (.xls): tushuo reads .xlsx; open it in Excel or WPS and save it as .xlsx "
            "(另存为 → Excel 工作簿 *.xlsx)",
            file=name,
        )
    if not raw.startswith(b"PK"):
        raise SpecError("not an Excel workbook (.xlsx): the file is not a zip archive; "
                        "save it from Excel or WPS as .xlsx", file=name)


def _check_unpacked(zf: zipfile.ZipFile, name: str) -> None:
    """Refuse a zip bomb before anything is decompressed: every part's declared size is its cap
    (zipfile stops reading a member at its declared size and checks its CRC)."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > MAX_UNPACKED or total > 2 * MAX_UNPACKED:
            from .humanize import human_size

            raise SpecError(
                f"the workbook unpacks to more than {human_size(MAX_UNPACKED)} ({info.filename}: "
                f"{human_size(info.file_size)}): too large to read (a damaged file or a zip bomb?)",
                file=name,
            )


def _open(raw: bytes, name: str) -> Any:
    _refuse_non_zip(raw, name)
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise SpecError("damaged workbook: not a valid .xlsx (zip) file; open it in Excel or WPS and save it again",
                        file=name) from None
    _check_unpacked(zf, name)
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about data validation, unknown extensions
            return load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    except (KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise SpecError(f"damaged or unsupported workbook: {exc}; open it in Excel or WPS and save it again",
                        file=name) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise SpecError(f"cannot read the workbook ({type(exc).__name__}: {exc}); open it in Excel or WPS "
                        "and save it again", file=name) from None


def _sheet(wb: Any, sheet: str | int | None, name: str) -> Any:
    names = list(wb.sheetnames)
    listed = ", ".join(names)
    if sheet is None:
        return wb[names[0]]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 1 <= sheet <= len(names):
            raise SpecError(f"no sheet number {sheet}: the workbook has {len(names)} "
                            f"(1 to {len(names)}: {listed})", file=name)
        return wb[names[sheet - 1]]
    if str(sheet) in names:
        return wb[str(sheet)]
    if str(sheet).strip().isdigit():  # --sheet 2 on the command line: no sheet named '2', so the second
        return _sheet(wb, int(str(sheet).strip()), name)
    import difflib

    close = difflib.get_close_matches(str(sheet), names, n=1, cutoff=0.5)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise SpecError(f"no sheet named '{sheet}'{hint}; the sheets are: {listed}", file=name)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')
_FORMULA_ONLY = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*'
    rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>'
)


def _scan(wb: Any, ws: Any) -> tuple[list[tuple[int, int, int, int]], set[tuple[int, int]]]:
    """Merged ranges and formula cells saved without a value, by one streaming scan of the sheet XML."""
    archive = getattr(wb, "_archive", None)
    part = getattr(ws, "_worksheet_path", None)
    if archive is None or part is None:  # another openpyxl layout: no merges known
        return [], set()
    merges: list[tuple[int, int, int, int]] = []
    empty: set[tuple[int, int]] = set()
    keep = 8192  # longer than any one cell element: matches across chunk ends are found whole
    tail = b""

    def cell(ref: bytes) -> tuple[int, int]:
        m = _REF.match(ref.decode("ascii"))
        assert m is not None
        return column_number(m.group(1)), int(m.group(2))

    with archive.open(part) as fh:
        while True:
            chunk = fh.read(1 << 20)
            buf = tail + chunk
            limit = len(buf) if not chunk else max(0, len(buf) - keep)
            # the patterns are tried only where their literal occurs: most chunks hold neither
            if b"mergeCell" in buf:
                for m in _MERGE.finditer(buf):
                    if m.start() < limit:
                        (c0, r0), (c1, r1) = cell(m.group(1)), cell(m.group(2))
                        merges.append((c0, r0, c1, r1))
            if b"<f>" in buf or b"<f " in buf or b":f>" in buf or b":f " in buf:
                for m in _FORMULA_ONLY.finditer(buf):
                    if m.start() < limit:
                        empty.add(cell(m.group(1)))
            if not chunk:
                break
            tail = buf[limit:]
    return merges, empty


def read_sheet(raw: bytes, name: str, sheet: str | int | None = None, cells: str | None = None) -> Grid:
    """The grid of one sheet (or of the range ``cells``, e.g. ``B2:F14``) of the workbook ``raw``.

    ``name`` is the workbook as the spec names it. Without a range, the used area is
    taken, less empty rows and columns around it. The first row is the header.
    """
    wb = _open(raw, name)
    try:
        return _read_sheet(wb, name, sheet, cells)
    except SpecError:
        raise
    except (SyntaxError, KeyError, ValueError, TypeError, IndexError, zipfile.BadZipFile, EOFError) as exc:
        # read-only sheets are parsed while they are read: a damaged sheet's XML fails here, not at
        # load_workbook (xml.etree's ParseError is a SyntaxError)
        raise SpecError(f"damaged workbook ({type(exc).__name__}: {exc}); open it in Excel or WPS and save it "
                        "again", file=name) from None


def _read_sheet(wb: Any, name: str, sheet: str | int | None, cells: str | None) -> Grid:  # noqa: C901  (one pass over the rows, each case a few lines)
    try:
        ws = _sheet(wb, sheet, name)
        where = f"{name}!{ws.title}"
        bounds = parse_range(cells) if cells else None
        c0, r0, c1, r1 = bounds if bounds else (1, 1, None, None)
        values: dict[tuple[int, int], tuple[Any, str | None]] = {}
        count = visited = 0
        for r, row in enumerate(ws.iter_rows(min_row=r0, max_row=r1, min_col=c0, max_col=c1), start=r0):
            visited += len(row)
            if visited > MAX_VISITED:
                raise SpecError(f"sheet {ws.title} is too large to look through: more than {MAX_VISITED:,} cells "
                                f"by row {r} (a value or formatting far from the table?); name the cells to "
                                "read with range: (e.g. range: A1:F200)", file=name)
            for c, cell in enumerate(row, start=c0):
                v = getattr(cell, "value", None)
                if v is None:
                    continue
                count += 1
                if count > MAX_CELLS:
                    hint = "" if cells else "; name the cells to read with range: (e.g. range: A1:F200)"
                    raise SpecError(f"too many cells: more than {MAX_CELLS:,} values in sheet {ws.title} "
                                    f"(at most {MAX_CELLS:,}, as in a spec){hint}", file=name)
                if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                    raise SpecError(f"text too long: {len(v):,} characters (at most {MAX_CELL_CHARS:,})",
                                    file=f"{where}!{column_letter(c)}{r}")
                values[(c, r)] = (v, getattr(cell, "number_format", None))
        merges, no_value = _scan(wb, ws)
        for mc0, mr0, mc1, mr1 in merges:  # a merge reaching into the range from above or the left
            inside = (mc1 >= c0 and mr1 >= r0 and (c1 is None or mc0 <= c1) and (r1 is None or mr0 <= r1))
            if inside and (mc0, mr0) not in values:
                for row in ws.iter_rows(min_row=mr0, max_row=mr0, min_col=mc0, max_col=mc0):
                    for cell in row:
                        if getattr(cell, "value", None) is not None:
                            values[(mc0, mr0)] = (cell.value, getattr(cell, "number_format", None))
    finally:
        wb.close()
    if bounds is None:
        if not values:
            raise SpecError(f"sheet {ws.title} is empty: expected a header row, then one row per label", file=name)
        c0, c1 = min(c for c, _ in values), max(c for c, _ in values)
        r0, r1 = min(r for _, r in values), max(r for _, r in values)
    else:
        c0, r0, c1, r1 = bounds
    assert c1 is not None and r1 is not None
    for mc0, mr0, mc1, mr1 in merges:  # a merged cell's value spreads over every cell it covers
        if (mc0, mr0) in values:
            top = values[(mc0, mr0)]
            for r in range(max(mr0, r0), min(mr1, r1) + 1):
                for c in range(max(mc0, c0), min(mc1, c1) + 1):
                    values.setdefault((c, r), top)
    lacking = sorted((r, c) for c, r in no_value if c0 <= c <= c1 and r0 <= r <= r1)
    if lacking:
        r, c = lacking[0]
        more = f" (and {len(lacking) - 1} more)" if len(lacking) > 1 else ""
        raise SpecError(
            f"a formula saved without its computed value{more}: the workbook was written by a program, "
            "not by Excel; open it in Excel or WPS and save it again",
            file=f"{where}!{column_letter(c)}{r}",
        )
    # empty trailing (and, without a range, leading) rows and columns are not part of the table
    used_rows = sorted({r for _, r in values if r0 <= r <= r1})
    used_cols = sorted({c for c, _ in values if c0 <= c <= c1})
    if not used_rows:
        raise SpecError(f"the range {cells} of sheet {ws.title} is empty", file=name)
    r1 = used_rows[-1]
    c1 = used_cols[-1]
    if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_CELLS:  # a few values far apart: the grid between them
        raise SpecError(f"the table would span {column_letter(c0)}{r0}:{column_letter(c1)}{r1}, "
                        f"{(r1 - r0 + 1) * (c1 - c0 + 1):,} cells (at most {MAX_CELLS:,}); name the cells to "
                        "read with range: (e.g. range: A1:F200)", file=where)
    grid_rows: list[list[Cell]] = []
    for r in range(r0, r1 + 1):
        row = []
        for c in range(c0, c1 + 1):
            v, fmt = values.get((c, r), (None, None))
            text, number = shown(v, fmt)
            row.append(Cell(text.strip() if isinstance(v, str) else text, number, f"{where}!{column_letter(c)}{r}"))
        grid_rows.append(row)
    return Grid(where, grid_rows[0], [row for row in grid_rows[1:] if any(c.text for c in row)])


def read_workbook(path: str | Path, name: str, sheet: str | int | None = None, cells: str | None = None) -> Grid:
    """A workbook file read through the gate (its size budget), then :func:`read_sheet`."""
    from .assets import read_file

    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        raise SpecError("an old binary Excel file (.xls): tushuo reads .xlsx; open it in Excel or WPS and "
                        "save it as .xlsx (另存为 → Excel 工作簿 *.xlsx)", file=name)
    return read_sheet(read_file(path, "data", label=name), name, sheet, cells)


def sheet_rows(path: str | Path, name: str | None = None, sheet: str | int | None = None
               ) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a workbook sheet as ``(row number, {column name: text})``, for batch rows and
    template slots: the header names the slots, each cell as Excel shows it, an empty cell None."""
    path = Path(path)
    name = name or path.name
    grid = read_workbook(path, name, sheet)
    header = grid.header_texts()
    for cell in grid.header:
        if not cell.text:
            raise SpecError("this column has no name in the header row", file=cell.where)
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise SpecError(f"repeated column name(s): {', '.join(dupes)}", file=grid.name)
    out = []
    for row in grid.rows:
        number = int(re.sub(r"^.*?([0-9]+)$", r"\1", row[0].where))
        out.append((number, {h: (c.text or None) for h, c in zip(header, row)}))
    return out


__all__ = [
    "MAX_CELLS", "MAX_UNPACKED", "WORKBOOK_SUFFIXES", "Cell", "Grid", "chinese_date", "column_letter",
    "format_date", "format_number", "general", "parse_range", "read_sheet",
    "read_workbook", "sheet_rows", "shown",
]
