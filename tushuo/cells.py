"""Excel cell references (B2, B2:F14): pure text rules, shared by the spec models and the workbook reader."""

from __future__ import annotations

import re

#: One cell: column letters and a row number, $ anchors allowed (B2, $B$2).
REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})$")


def column_letter(n: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def parse_range(text: str) -> tuple[int, int, int, int]:
    """``B2:F14`` → (min_col, min_row, max_col, max_row), 1-based; a ValueError says what is wrong."""
    parts = str(text).strip().split(":")
    if len(parts) != 2:
        raise ValueError(f"'{text}' is not a cell range; write two corners such as B2:F14")
    ends = []
    for p in parts:
        m = REF.match(p.strip())
        if not m:
            raise ValueError(f"'{p.strip()}' in '{text}' is not a cell such as B2")
        ends.append((column_number(m.group(1)), int(m.group(2))))
    (c0, r0), (c1, r1) = ends
    if c1 < c0 or r1 < r0:
        raise ValueError(f"'{text}' runs backwards; write the top-left corner first (e.g. B2:F14)")
    if c1 > 16_384:
        raise ValueError(f"'{text}' goes past column XFD, the last one Excel has")
    if r1 - r0 < 1:
        raise ValueError(f"'{text}' is one row: a range needs a header row and at least one data row")
    return c0, r0, c1, r1


__all__ = ["REF", "column_letter", "column_number", "parse_range"]
