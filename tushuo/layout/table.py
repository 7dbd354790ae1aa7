"""The table block: header row on the primary colour, zebra rows, wrapped cells.

Column widths come from the content, the way browsers size auto tables: each column
gets at least its widest unbreakable piece (min-content) and at most its longest line
(max-content); the width left over is shared in proportion to how much each column
still wants. Unlike browsers, a short cell that two lines can hold within an equal
share asks for those two lines as its minimum: a long cell beside it wraps instead of
a name or a date going a character or two a line. Rows are atomic boxes with safe
breaks between them.
"""

from __future__ import annotations

from ..color import with_alpha
from ..frame import Box, Frame, Group, Rect, Repeat
from ..spec.blocks import TableBlock
from .common import balanced, titled
from .context import MAX_HEIGHT, LayoutContext
from .paginate import item_keeps
from .registry import layout_for


def cell_text(value: str | float) -> str:
    """A cell value as shown: integers without a decimal point, floats without trailing zeros."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:f}".rstrip("0").rstrip(".")
    return value


def column_widths(mins: list[float], maxs: list[float], width: float) -> list[float]:
    """Share ``width`` between columns with these min- and max-content widths (auto table layout).

    Everything fits: each column gets its max plus a share of the rest in proportion to
    its max. Otherwise narrow columns (max no wider than an equal share) keep their
    max, so short labels such as 选举委员会 never wrap, and the other columns get
    their min plus a share of the rest in proportion to (max - min). When even the
    mins do not fit, the mins are scaled down.
    """
    n = len(mins)
    total_max, total_min = sum(maxs), sum(mins)
    if total_max <= width:
        extra = width - total_max
        return [m + extra * (m / total_max if total_max else 1 / n) for m in maxs]
    if total_min >= width:
        return [m * width / total_min for m in mins]
    fixed = {c for c in range(n) if maxs[c] <= width / n}
    rest = [c for c in range(n) if c not in fixed]
    left = width - sum(maxs[c] for c in fixed)
    if not rest or left < sum(mins[c] for c in rest):  # cannot honour the narrow columns: share everything
        fixed, rest, left = set(), list(range(n)), width
    out = [maxs[c] if c in fixed else 0.0 for c in range(n)]
    rest_min = sum(mins[c] for c in rest)
    total_want = sum(maxs[c] - mins[c] for c in rest)
    for c in rest:
        share = (maxs[c] - mins[c]) / total_want if total_want else 1 / len(rest)
        out[c] = mins[c] + (left - rest_min) * share
    return out


@layout_for("table")
def layout_table(block: TableBlock, width: float, ctx: LayoutContext) -> Frame:
    from .source import filled_table

    from_file = block.data_file is not None
    block = filled_table(block, ctx)
    assert block.rows is not None  # the model requires rows or a data_file, which filled them
    pal = ctx.palette
    frame, y = titled(block.title, width, ctx)
    pad_x, pad_y = ctx.px(22), ctx.px(18)
    head_style = ctx.style("body", face=ctx.face("bold"), color=pal.on_primary, line_height=1.4, align="center")
    cell_style = ctx.style("body", line_height=1.45, size=ctx.size("body") * 0.9)
    header = [cell_text(h) for h in block.header] if block.header else None
    # every row is at least one line tall: a table that cannot fit the tallest document is
    # refused before its cells are measured (50,000 rows took 11 s to reach the same answer)
    least = len(block.rows) * (cell_style.size * cell_style.line_height + 2 * pad_y)
    if least > MAX_HEIGHT:
        raise ctx.error(
            f"{len(block.rows):,} rows make the table at least {least:,.0f} px tall, more than the "
            f"{MAX_HEIGHT:,} px tushuo lays out at once; split it over several tables or documents",
            "data_file" if from_file else "rows")
    rows = [[cell_text(c) for c in row] for row in block.rows]
    ncol = len(rows[0])
    grid = ([header] if header else []) + rows
    styles = ([head_style] if header else []) + [cell_style] * len(rows)
    mins = [0.0] * ncol
    maxs = [0.0] * ncol
    body_maxs = [0.0] * ncol  # without the header, which wraps in its own row
    floor = 2 * cell_style.size  # no column narrower than two characters
    share = width / ncol
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            wide = ctx.at(_cell_path(ctx, r, c, header is not None)).text(text, 1e6, styles[r]).used_width
            narrow = ctx.text(text, 1.0, styles[r]).used_width
            least = min(max(narrow, floor), wide) + 2 * pad_x
            # a short cell (a name, a date) that two lines can hold within an equal share asks
            # for that much, so it is not set a character or two a line beside a long cell
            two = min(wide, wide / 2 + styles[r].size) + 2 * pad_x
            maxs[c] = max(maxs[c], wide + 2 * pad_x)
            if r or header is None:
                body_maxs[c] = max(body_maxs[c], wide + 2 * pad_x)
            mins[c] = max(mins[c], two if least < two <= share else least)
    widths = column_widths(mins, maxs, width)
    # a column whose cells all keep to one line is centred, whether or not its header wraps
    fits = [body_maxs[c] <= widths[c] + 0.01 for c in range(ncol)]
    xs = [sum(widths[:c]) for c in range(ncol)]
    table_top = y
    ops: list = []
    line = ctx.px(1.5)
    row_boxes: list[tuple[float, float]] = []
    for r, row in enumerate(grid):
        is_head = header is not None and r == 0
        body_index = r - (1 if header else 0)
        fill = pal.primary if is_head else (pal.surface if body_index % 2 == 0 else pal.surface_alt)
        blocks = []
        for c, text in enumerate(row):
            # one-line columns centred; wrapping cells left-aligned with even line lengths
            align = "center" if is_head or fits[c] else "left"
            blocks.append(balanced(ctx, text, widths[c] - 2 * pad_x, styles[r], align=align))
        h = max(b.height for b in blocks) + 2 * pad_y
        ops.append(Rect(0, y, width, h, fill=fill))
        for c, tb in enumerate(blocks):
            tx = xs[c] + (widths[c] - tb.width) / 2 if tb.style.align == "center" else xs[c] + pad_x
            ops.append(tb.op(tx, y + (h - tb.height) / 2, background=fill))
            if c:
                sep = with_alpha(pal.on_primary, 0.35) if is_head else pal.border
                ops.append(Rect(xs[c] - line / 2, y, line, h, fill=sep))
        if r and not (header and r == 1):
            ops.append(Rect(0, y - line / 2, width, line, fill=pal.border))
        row_boxes.append((y, h))
        y += h
    radius = ctx.px(min(ctx.theme.spacing.radius, 16))
    frame.add(Group(tuple(ops), clip=(0, table_top, width, y - table_top), radius=radius))
    frame.add(Rect(0, table_top, width, y - table_top, stroke=pal.border, stroke_width=line, radius=radius))
    for i, (ry, rh) in enumerate(row_boxes):
        key = "header" if header and i == 0 else f"rows[{i - (1 if header else 0)}]"
        frame.boxes.append(Box(0, ry, width, rh, "table-row", key))
        if i and not (header and i == 1):
            frame.breaks.append(ry)
    frame.height = y
    # no row alone at a page's foot or top: the first two body rows and the last two stay together
    frame.keeps.extend(item_keeps([(ry, ry + rh) for ry, rh in row_boxes[1 if header else 0:]], y))
    if header is not None and len(row_boxes) > 2:  # a table continued on the next page shows its header again
        ry, rh = row_boxes[0]
        frame.repeats.append(Repeat(ry, ry + rh, y))
    return frame


def _cell_path(ctx: LayoutContext, r: int, c: int, has_header: bool) -> str:
    if has_header and r == 0:
        return f"{ctx.where}.header[{c}]"
    return f"{ctx.where}.rows[{r - (1 if has_header else 0)}][{c}]"
