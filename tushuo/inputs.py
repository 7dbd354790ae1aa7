"""What a document needs from disk, read once through the file gate, before anything is laid out.

Pictures (``src``, ``image``) become :class:`Picture` handles (decoded once by
``assets.open_image``), chart ``data_file`` tables become :class:`~tushuo.data.Table`
values, and the theme and its fonts are resolved into a Theme and a FontBook.
``tushuo.load`` reads them; a Document built in Python gets them the first time it is
laid out. Layout and the painters then open no user file, so laying the same
document out twice reads the disk once, and a laid-out block can be cached on
what it was made from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .assets import PixelBudget, check_font, open_image, read_file, resolve_path
from .errors import SpecError
from .frame import Frame
from .layout import stack
from .layout.context import LayoutContext
from .layout.stack import MAX_HEIGHT
from .spec.blocks import (
    MAX_CATEGORIES,
    MAX_TABLE_COLUMNS,
    chart_size_error,
    data_key,
    table_width_error,
)
from .spec.theme import Theme
from .text.fonts import FontBook, default_fontbook
from .themes import resolve_theme, user_fonts

if TYPE_CHECKING:
    from .data import Table
    from .spec.document import Document
    from .workbook import Grid

#: Spec fields that name a picture, and the one that names a chart's data table.
PICTURE_FIELDS = frozenset({"src", "image"})
TABLE_FIELD = "data_file"

#: Font roles a theme sets: each must be a FontBook key (a misspelt face would fall back silently).
FONT_ROLES = ("body", "bold", "heading", "title", "number")


@dataclass(frozen=True, eq=False)
class Picture:
    """A picture the spec names, decoded once at load: its size, and its pixels on demand (a copy each time)."""

    ref: str
    path: Path
    size: tuple[int, int]
    _image: Any = field(repr=False)

    def pixels(self) -> Any:
        """The decoded picture (PIL, RGB or RGBA, upright): a fresh copy the caller may crop or change."""
        return self._image.copy()


@dataclass
class Inputs:
    """Everything read from disk for one document: pictures and tables by the reference the spec wrote."""

    theme: Theme
    fonts: FontBook
    pictures: dict[str, Picture] = field(default_factory=dict)
    #: chart data (Table) and grids of cells (workbook.Grid, for table and stats blocks) by data_key
    tables: dict[str, Table | Grid] = field(default_factory=dict)
    #: the pixels the document's pictures may decode together (the gate's per-document limit)
    budget: PixelBudget = field(default_factory=PixelBudget)


def _file_fields(obj: Any, path: str) -> Iterator[tuple[str, str, str, Any]]:
    """(field name, spec path, reference, owning model) of every picture and data file in the blocks,
    in document order."""
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            v = getattr(obj, name)
            p = f"{path}.{name}" if path else name
            if name in PICTURE_FIELDS | {TABLE_FIELD} and isinstance(v, str):
                yield name, p, v, obj
            elif isinstance(v, (BaseModel, list)):
                yield from _file_fields(v, p)
    elif isinstance(obj, list):
        for i, x in enumerate(obj):
            yield from _file_fields(x, f"{path}[{i}]")


def _located(doc: Document, message: str, path: str) -> SpecError:
    file, line, col = doc.locate(path)
    return SpecError(message, file=file, line=line, col=col, path=path)


def font_gate(path: Path) -> None:
    """A user's font file through the gate: the size budget, then every table bound checked."""
    check_font(read_file(path, "font", label=path.name), path.name)


def _theme_and_fonts(doc: Document, theme: Theme | str | dict | None, fonts: FontBook | None) -> tuple[Theme, FontBook]:
    """The resolved theme (the document's, or an override such as --theme) and a FontBook with its fonts."""
    base_dir = Path(doc.base_dir) if doc.base_dir else None
    resolved = resolve_theme(doc) if theme is None else resolve_theme(theme, base_dir, tuple(doc._roots or ()))
    if fonts is None:
        extra = user_fonts(resolved)
        script = getattr(doc, "script", None)
        fonts = FontBook(extra, gate=font_gate, script=script) if extra else default_fontbook(script)
        for key in extra:  # read each user font now: a bad file is an error here, not while painting
            try:
                fonts.face(key)
            except SpecError as exc:
                raise _located(doc, exc.message, "theme") from None
    for role in FONT_ROLES:
        key = getattr(resolved.fonts, role)
        if key not in fonts.keys:
            raise _located(
                doc, f"unknown font '{key}': use {', '.join(fonts.keys)}, a key of font_files, or a .ttf file",
                f"theme.fonts.{role}",
            )
    return resolved, fonts


def read_inputs(doc: Document, *, theme: Theme | str | dict | None = None, fonts: FontBook | None = None) -> Inputs:
    """The document's files, read through the gate once and kept on the document.

    Pictures and tables already read are reused (a document changed in Python gets
    only its new files read). ``theme`` overrides the document's (a name, a path or a
    Theme); the document's own theme and fonts are kept with its files. Every mistake
    is a SpecError located at the field that names the file.
    """
    cached: Inputs | None = doc._inputs
    # A document converted to a Traditional script (tushuo.script) keeps the files read for
    # it but needs the fonts of its script.
    stale = cached is not None and cached.fonts.script != (doc.script if doc.script != "hans" else None)
    if cached is None or theme is not None or fonts is not None or stale:
        resolved, book = _theme_and_fonts(doc, theme, fonts)
        got = Inputs(resolved, book) if cached is None else Inputs(resolved, book, cached.pictures, cached.tables, cached.budget)
    else:
        got = cached
    _read_files(doc, got)
    if cached is None and theme is None and fonts is None:
        doc._inputs = got
    return got


def _read_files(doc: Document, into: Inputs) -> None:
    roots = tuple(Path(r) for r in doc._roots or ())
    # Every new picture's header is charged to the document's pixel budget first: a document
    # over it is refused before any picture is decoded (16 big pictures: 4 decoded, then refused).
    for name, path, ref, _ in _file_fields(doc.blocks, "blocks"):
        if name != TABLE_FIELD and ref not in into.pictures:
            try:
                into.budget.admit(resolve_path(ref, doc.base_dir, roots))
            except SpecError as exc:
                raise _located(doc, exc.message, path) from None
    for name, path, ref, block in _file_fields(doc.blocks, "blocks"):
        try:
            if name == TABLE_FIELD:
                key = data_key(block)  # the file, its sheet and range, and chart data or a grid of cells
                if key not in into.tables:
                    # a spec without data files never imports tushuo.data
                    from .data import read_grid, read_table

                    found = resolve_path(ref, doc.base_dir, roots)
                    if block.type == "chart":
                        table = read_table(found, ref, sheet=block.sheet, cells=block.range,
                                           limit=MAX_CATEGORIES.get(block.kind, 100))
                        _check_chart_size(block.kind, table, ref)
                        into.tables[key] = table
                    else:
                        grid = read_grid(found, ref, sheet=block.sheet, cells=block.range)
                        if block.type == "table" and (too_wide := table_width_error(len(grid.header))) is not None:
                            raise SpecError(f"{grid.header[MAX_TABLE_COLUMNS].where}: {too_wide}")
                        into.tables[key] = grid
            elif ref not in into.pictures:
                found = resolve_path(ref, doc.base_dir, roots)
                im = open_image(found, budget=into.budget)
                into.pictures[ref] = Picture(ref, found, (im.width, im.height), im)
        except SpecError as exc:
            raise _located(doc, str(exc) if name == TABLE_FIELD else exc.message, path) from None


def _check_chart_size(kind: str, table: Table, name: str) -> None:
    """Refuse chart data a chart cannot draw legibly, at load and before planning (whose cost grows faster)."""
    why = chart_size_error(kind, len(table.labels) + table.more, len(table.names))
    if why is None:
        return
    cap = MAX_CATEGORIES.get(kind, 100)
    if len(table.labels) > cap and len(table.rows) > cap:  # a CSV: the first row past the cap
        name = f"{name}:{table.rows[cap]}"
    elif len(table.labels) > cap and table.places and len(table.places[0]) > cap:  # a workbook or JSON cell
        name = table.places[0][cap]
    raise SpecError(f"{name}: {why}")


def make_context(doc: Document, *, width: float | None = None, theme: Theme | str | dict | None = None,
                 allow_missing_glyphs: bool = False, fonts: FontBook | None = None) -> LayoutContext:
    """The LayoutContext for ``doc``: its files, resolved theme and fonts, and the width (320–4096 px)."""
    width = float(width if width is not None else doc.width)
    if not 320 <= width <= 4096:
        raise SpecError(f"width must be between 320 and 4096 px, got {width:g}")
    got = read_inputs(doc, theme=theme, fonts=fonts)
    return LayoutContext(
        got.theme, got.fonts, width, doc=doc, base_dir=Path(doc.base_dir) if doc.base_dir else None,
        allow_missing_glyphs=allow_missing_glyphs, pictures=got.pictures, tables=got.tables,
    )


def layout_document(doc: Document, *, ctx: LayoutContext | None = None, max_height: float = MAX_HEIGHT,
                    **context: Any) -> Frame:
    """:func:`tushuo.layout.stack.layout_document` with its context made here (``width``, ``theme``, ... as in make_context)."""
    return stack.layout_document(doc, ctx if ctx is not None else make_context(doc, **context), max_height=max_height)


__all__ = ["FONT_ROLES", "MAX_HEIGHT", "Inputs", "Picture", "font_gate", "layout_document", "make_context", "read_inputs"]

