"""Blocks whose content comes from a data file: a table from a sheet range, stats cards from rows.

The file is read at load as a grid of cells shown as Excel shows them (``tushuo.inputs``,
``tushuo.data.read_grid``) and turned here into the block's own fields, so the table and stats layouts see an ordinary
block. Errors name the cell and are located at the block's ``data_file``:
``bulletin.yaml:14:5: blocks[2].data_file: 进展.xlsx!各乡镇!C5: …``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..humanize import excel_general
from ..spec.blocks import StatItem, StatsBlock, TableBlock, data_key

if TYPE_CHECKING:
    from ..workbook import Grid
    from .context import LayoutContext

#: The most cards a stats block shows (StatsBlock.items' limit).
MAX_STATS = 6


def block_grid(block: Any, ctx: LayoutContext) -> Grid:
    """The grid of cells a block's ``data_file`` (``sheet``, ``range``) holds, read at load (tushuo.inputs)."""
    return ctx.table(data_key(block), "data_file")


def _words(ctx: LayoutContext) -> Any:
    """The document's script applied to a data file's words, as to the spec's (Simplified: unchanged)."""
    script = getattr(ctx.doc, "script", "hans") if ctx.doc is not None else "hans"
    if script == "hans":
        return lambda text: text
    from ..script import convert_text

    return lambda text: convert_text(text, script)


def filled_table(block: TableBlock, ctx: LayoutContext) -> TableBlock:
    """The table with its header and rows from its data file (itself when it has none)."""
    if block.data_file is None:
        return block
    grid = block_grid(block, ctx)
    if not grid.rows:
        raise ctx.error(f"{grid.name}: has a header but no data rows", "data_file")
    word = _words(ctx)
    return block.model_copy(update={"header": [word(h) for h in grid.header_texts()],
                                    "rows": [[word(c.text) for c in r] for r in grid.rows], "data_file": None})


def _shown_number(text: str, number: float, percent: bool) -> float | int | str:
    """A number cell's value for a card: the number itself when Excel shows it plainly (General), so the card
    formats it as any other; the text Excel shows when its format says more (1,286, 3.50, ￥1,286)."""
    plain = text.rstrip().removesuffix("%").rstrip() if percent else text.strip()
    if plain == excel_general(number):
        return int(number) if number.is_integer() else number
    return plain


def filled_stats(block: StatsBlock, ctx: LayoutContext) -> StatsBlock:
    """The stats block with one card per data row: label, value, then optional unit and delta columns.

    A value shown as a percentage (94.5%) becomes 94.5 with the unit %, and a number whose format shows
    more than General would (1,286; 3.50; ￥1,286) keeps that text, as Excel shows it.
    """
    if block.data_file is None:
        return block
    grid = block_grid(block, ctx)
    if len(grid.header) < 2:
        raise ctx.error(f"{grid.name}: stats need two columns at least: label, value (then unit, delta)",
                        "data_file")
    if not 1 <= len(grid.rows) <= MAX_STATS:
        raise ctx.error(f"{grid.name}: {len(grid.rows)} rows, but stats show 1 to {MAX_STATS} cards (one per row); "
                        "name the rows with range:", "data_file")
    word = _words(ctx)
    items = []
    for row in grid.rows:
        label, value = row[0], row[1]
        if not label.text:
            raise ctx.error(f"{label.where}: the label (first column) is empty", "data_file")
        if not value.text:
            raise ctx.error(f"{value.where}: the value is empty", "data_file")
        number = value.number
        unit = row[2].text if len(row) > 2 and row[2].text else None
        if number is not None and value.text.rstrip().endswith("%") and unit is None:
            unit = "%"
        shown: float | int | str = value.text if number is None else _shown_number(value.text, number, unit == "%")
        delta = row[3].text if len(row) > 3 and row[3].text else None
        if isinstance(shown, str):
            shown = word(shown)
        items.append(StatItem(label=word(label.text), value=shown, unit=word(unit) if unit else None, delta=delta))
    return block.model_copy(update={"items": items, "data_file": None})


__all__ = ["MAX_STATS", "block_grid", "filled_stats", "filled_table"]
