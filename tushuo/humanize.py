"""Numbers, sizes and characters as people read them (kept apart so the CLI imports nothing heavy).

One formatter for each, so every message and every drawn figure says them the same way.
"""

from __future__ import annotations

import math
import re
import unicodedata

#: the minus sign charts draw: as wide as a digit, so signed tick labels line up
TRUE_MINUS = "\u2212"

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")

#: Unicode categories with nothing printable to quote.
_UNPRINTABLE = {"Co": "a private-use character", "Cn": "an unassigned code point", "Cc": "a control character",
                "Cs": "a lone surrogate"}


def human_size(n: int) -> str:
    """A byte count in binary units, 1 KB = 1,024 bytes and 1 MB = 1,024 KB (the unit the size limits
    are written in, so a limit of ``20 * 1024 * 1024`` reads "20 MB"): 999 → '999 bytes',
    1234 → '1.2 KB', 812_000 → '793 KB', 5_000_000 → '4.8 MB'."""
    if n < 1024:
        return f"{n:,} bytes"
    value = float(n)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            text = f"{value:.0f}" if value >= 100 else f"{value:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    raise AssertionError("unreachable")


def format_number(value: float, *, places: int | None = None, group_from: float | None = 10_000,
                  minus: str = "-") -> str:
    """A number as a reader sees it: a whole number without a point; otherwise the shortest
    decimals that show it (126.0 → 126, 0.1 + 0.2 → 0.3), or with ``places`` at most that many,
    trailing zeros dropped (0.125 → 0.13); thousands separators from ``group_from`` on
    (12345 → 12,345; None: never); ``minus`` for the sign. Stats figures use the defaults,
    chart labels two places, no separators and the true minus (``chart_plan.fmt_num``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    grouped = group_from is not None and abs(value) >= group_from
    if places is not None:
        if abs(value - round(value)) < 1e-9:
            whole = int(round(value))
            text = f"{whole:,}" if grouped else str(whole)
        else:
            text = (f"{value:,.{places}f}" if grouped else f"{value:.{places}f}").rstrip("0").rstrip(".")
    elif isinstance(value, float) and not value.is_integer():
        shortest = repr(round(value, 10))
        decimals = len(shortest.split(".")[1]) if "." in shortest and "e" not in shortest else 2
        text = f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
    else:
        whole = int(value)
        text = f"{whole:,}" if grouped else str(whole)
    return text if minus == "-" else text.replace("-", minus)


def char_code(ch: str | int) -> str:
    """'字' (or its code point) → 'U+5B57'."""
    return f"U+{ch if isinstance(ch, int) else ord(ch):04X}"


def describe_char(ch: str, *, name: bool = True) -> str:
    """A character for a message: "'字' (U+5B57 CJK UNIFIED IDEOGRAPH-5B57)", without the Unicode name
    when ``name`` is False; "U+E000 (a private-use character)" when there is nothing printable to quote."""
    kind = _UNPRINTABLE.get(unicodedata.category(ch))
    if kind is not None:
        return f"{char_code(ch)} ({kind})" if name else char_code(ch)
    if not name:
        return f"'{ch}' ({char_code(ch)})"
    return f"'{ch}' ({char_code(ch)} {unicodedata.name(ch, 'unnamed')})"


def excel_general(v: float) -> str:
    """A number as Excel's General format shows it (what a workbook cell without a number format reads): no trailing zeros, at most 11 significant digits."""
    if v == 0:
        return "0"
    if float(v).is_integer() and abs(v) < 1e11:
        return str(int(v))
    text = f"{v:.11g}" if abs(v) >= 1e-9 else f"{v:.5E}"
    if "e" in text:
        mant, exp = text.split("e")
        return f"{mant}E{exp[0]}{int(exp[1:]):02d}"
    return text


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


__all__ = ["TRUE_MINUS", "char_code", "describe_char", "excel_general", "format_number", "human_size", "parse_number"]
