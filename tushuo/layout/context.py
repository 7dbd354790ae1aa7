"""LayoutContext: what every block layout needs, passed explicitly (layouts are pure)."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..color import luminance, readable
from ..errors import SpecError
from ..humanize import char_code
from ..lru import BoundedLRU
from ..spec.theme import Theme
from ..text.fonts import FontBook
from ..text.layout import TextBlock, TextStyle, layout_text

if TYPE_CHECKING:
    from ..spec.document import Document

#: Theme size roles → attribute of Theme.sizes
_SIZE_ROLES = ("body", "caption", "h1", "h2", "h3", "title", "subtitle", "number")

#: Pieces of text kept laid out, per FontBook (a page sets ~100; balanced titles try a dozen widths each).
TEXT_MEMO_ENTRIES = 8192
_TEXT_MEMO: weakref.WeakKeyDictionary[FontBook, BoundedLRU] = weakref.WeakKeyDictionary()


def text_memo(fonts: FontBook) -> BoundedLRU:
    """(text, width, style) → (TextBlock, whether a character has no font) for ``fonts``.

    Why: ``layout_text`` is a pure function of those and the FontBook, and a warm render
    (the same page again, or another issue of it) sets the same pieces of text again;
    as Typst's compiler memoises its layout, tushuo keeps them (about half of a warm
    layout of benchmarks/page.yaml). Entries are never handed out: callers get a copy.
    ``layout.common.even_split`` keeps its line choices here too (keys tagged "even_split").
    """
    memo = _TEXT_MEMO.get(fonts)
    if memo is None:
        memo = _TEXT_MEMO[fonts] = BoundedLRU(max_entries=TEXT_MEMO_ENTRIES)
    return memo


def clear_text_memo() -> None:
    """Forget every laid-out piece of text (the benchmark's "caches cleared" row)."""
    for memo in list(_TEXT_MEMO.values()):
        memo.clear()


#: Tallest document (design px) tushuo lays out: about 500 phone screens or a 500-page
#: pocket PDF, a bound on memory and time for any spec. Writing it as ONE image has a
#: lower limit (pipeline.py MAX_IMAGE_HEIGHT, 200,000 px, and the JPEG/WebP format
#: limits); slices and PDF pages go up to this. Blocks with many rows check it before
#: laying them out.
MAX_HEIGHT = 1_000_000


@lru_cache(maxsize=16)
def _accent_on_fills(gold: str, fills: tuple[str, ...]) -> str:
    """The gold, lightened just enough to read at 4.5:1 on every dark fill (each step only lightens, so
    what reads on one fill still does after the next)."""
    for fill in fills:
        gold = readable(gold, fill)
    return gold


@dataclass
class LayoutContext:
    """Theme, fonts, scale and the spec location being laid out.

    ``scale`` is canvas width / 1080: theme sizes are given for 1080 px and every
    layout multiplies by it through ``px()``. ``where`` is the spec path of the
    block being laid out (``blocks[3]``), so errors can be located.
    """

    theme: Theme
    fonts: FontBook
    width: float
    doc: Document | None = None
    base_dir: Path | None = None
    where: str = ""
    allow_missing_glyphs: bool = False
    counters: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: Lays out one block of a stack instead of ``registry.layout_block`` when set: a memo
    #: (``tushuo serve``) that hands back the earlier layout of an unchanged block (and, with a
    #: ``place(frame, child, dx, dy)`` method, places it as ``Frame.place`` would).
    block_layout: Any = None
    #: pictures (tushuo.inputs.Picture) and data tables (tushuo.data.Table) by the reference the spec
    #: wrote, read at load: layout opens no file
    pictures: Mapping[str, Any] = field(default_factory=dict)
    tables: Mapping[str, Any] = field(default_factory=dict)

    @property
    def scale(self) -> float:
        return self.width / 1080.0

    def px(self, v: float) -> float:
        """Theme px at 1080 → design px at this width."""
        return v * self.scale

    @property
    def palette(self):  # noqa: ANN201 - Palette
        return self.theme.palette

    @property
    def margin(self) -> float:
        return self.px(self.theme.spacing.margin)

    @property
    def content_width(self) -> float:
        return self.width - 2 * self.margin

    def at(self, where: str) -> LayoutContext:
        """The same context, located at another spec path (counters and warnings shared)."""
        return replace(self, where=where)

    # -- text --------------------------------------------------------------
    def face(self, role: str) -> str:
        """FontBook key of a theme font role (body, bold, heading, title, number)."""
        return getattr(self.theme.fonts, role)

    def size(self, role: str) -> float:
        if role not in _SIZE_ROLES:
            raise KeyError(role)
        return self.px(getattr(self.theme.sizes, role))

    def style(self, role: str = "body", **overrides: Any) -> TextStyle:
        """A TextStyle for a size role: body, caption, h1–h3, title, subtitle, number.

        Faces: body/caption use the body face; h1–h3 the heading face; title and
        subtitle the title face (subtitle the body face); number the number face.
        """
        face = {
            "body": "body", "caption": "body", "subtitle": "body",
            "h1": "heading", "h2": "heading", "h3": "heading",
            "title": "title", "number": "number",
        }[role]
        pal = self.palette
        base = dict(
            size=self.size(role),
            face=self.face(face),
            bold_face=self.face("bold"),
            color=pal.muted if role == "caption" else pal.text,
            accent=pal.accent,
            line_height=self.theme.sizes.line_height if role in ("body", "caption") else 1.3,
            role=role,
        )
        base.update(overrides)
        if "accent" not in overrides and luminance(base["color"]) > 0.5:
            # light text stands on a dark fill (a banner, a column or table head): the accent, chosen for the
            # paper, would vanish there (#A32420 on #B7181E), so ==highlight== is the gold, made readable on
            # the fills light text stands on, without the band (a light band under light text would take the contrast away)
            base["accent"] = _accent_on_fills(pal.gold, (pal.primary, pal.positive, pal.negative))
            base["band"] = False
        return TextStyle(**base)

    def text(self, text: str, width: float, style: TextStyle | str = "body", **overrides: Any) -> TextBlock:
        """Lay out text; checks glyph coverage first (a FontError names the character).

        Kept in ``text_memo`` (the same text, width and style give the same block)."""
        if isinstance(style, str):
            style = self.style(style, **overrides)
        elif overrides:
            style = replace(style, **overrides)
        memo = text_memo(self.fonts)
        key = (text, width, style)
        hit = memo.get(key)
        if hit is None:
            miss = self.fonts.missing(text, style.face)
            if miss:  # checked before laying out, as without the memo
                self._missing_glyphs(text, style.face)
            hit = (layout_text(text, width, style, self.fonts), bool(miss))
            memo.put(key, hit)
        elif hit[1]:
            self._missing_glyphs(text, style.face)
        tb = hit[0]
        return TextBlock(lines=list(tb.lines), width=tb.width, height=tb.height, style=tb.style,
                         overflow=tb.overflow, underlays=list(tb.underlays))

    def _missing_glyphs(self, text: str, face: str) -> None:
        """A located FontError, or with ``allow_missing_glyphs`` a warning naming the characters."""
        if not self.allow_missing_glyphs:
            try:
                self.fonts.check(text, face)
            except SpecError as exc:
                raise self.error(exc.message) from None
        else:
            miss = self.fonts.missing(text, face)
            if miss:
                self.warnings.append(
                    f"{self.where}: missing glyphs drawn as boxes: " + ", ".join(char_code(c) for c in miss)
                )

    # -- errors --------------------------------------------------------------
    def error(self, message: str, field_path: str = "") -> SpecError:
        """A SpecError located at ``where`` + ``field_path`` in the spec."""
        path = self.where + (("." if self.where and not field_path.startswith("[") else "") + field_path if field_path else "")
        file = line = col = None
        if self.doc is not None:
            file, line, col = self.doc.locate(path)
        return SpecError(message, file=file, line=line, col=col, path=path or None)

    # -- files (read at load by tushuo.inputs) ------------------------------
    def image(self, ref: str, field_path: str):  # noqa: ANN201 - PIL.Image.Image
        """The pixels of a picture named in the spec (a copy, free to crop)."""
        pic = self.pictures.get(ref)
        if pic is None:
            raise self.error(f"picture not read: {ref} (make the context with tushuo.inputs.make_context)", field_path)
        return pic.pixels()

    def table(self, ref: str, field_path: str):  # noqa: ANN201 - tushuo.data.Table
        """The data table a ``data_file`` names."""
        table = self.tables.get(ref)
        if table is None:
            raise self.error(f"data file not read: {ref} (make the context with tushuo.inputs.make_context)", field_path)
        return table
