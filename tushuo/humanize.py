"""Sizes and characters as people read them in messages (kept apart so the CLI imports nothing heavy).

One formatter for each, so every message says them the same way.
"""

from __future__ import annotations

import unicodedata

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


__all__ = ["char_code", "describe_char", "human_size"]
