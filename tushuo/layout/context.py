"""LayoutContext: what every block layout needs, passed explicitly (layouts are pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SpecError
from ..humanize import char_code
from ..spec.theme import Theme
from ..text.fonts import FontBook
from ..text.layout import TextBlock, TextStyle, layout_text

if TYPE_CHECKING:
    from ..spec.document import Document

#: Theme size roles → attribute of Theme.sizes
_SIZE_ROLES = ("body", "caption", "h1", "h2", "h3", "title", "subtitle", "number")


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
        return TextStyle(**base)

    def text(self, text: str, width: float, style: TextStyle | str = "body", **overrides: Any) -> TextBlock:
        """Lay out text; checks glyph coverage first (a FontError names the character)."""
        if isinstance(style, str):
            style = self.style(style, **overrides)
        elif overrides:
            style = replace(style, **overrides)
        if not self.allow_missing_glyphs:
            try:
                self.fonts.check(text, style.face)
            except SpecError as exc:
                raise self.error(exc.message) from None
        else:
            miss = self.fonts.missing(text, style.face)
            if miss:
                self.warnings.append(
                    f"{self.where}: missing glyphs drawn as boxes: " + ", ".join(char_code(c) for c in miss)
                )
        return layout_text(text, width, style, self.fonts)

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
