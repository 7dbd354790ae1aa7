"""Numbers as people read them in messages (kept apart so the CLI imports nothing heavy)."""

from __future__ import annotations


def human_size(n: int) -> str:
    """1234567 → '1.2 MB' (decimal units, as file managers show)."""
    if n < 1000:
        return f"{n} B"
    value = float(n)
    for unit in ("KB", "MB", "GB"):
        value /= 1000
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")
