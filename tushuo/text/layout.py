"""Paragraph layout: markup → broken, justified lines of positioned glyph runs.

PROVISIONAL first cut (greedy per-character breaking, no clreq rules yet): the
text-engine work replaces the breaking and justification inside while keeping
``TextStyle``, ``layout_text`` and ``TextBlock`` as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..layout.frame import Glyphs, Rect, Text
from .fonts import FontBook, default_fontbook

Align = Literal["left", "center", "right", "justify"]


@dataclass(frozen=True)
class TextStyle:
    """How to set a piece of text. Sizes in design px."""

    size: float
    face: str = "sans"
    bold_face: str = "sans-bold"
    color: str = "#222222"
    accent: str = "#C9302C"  # ==highlight== colour
    line_height: float = 1.6  # line pitch as a multiple of size
    align: Align = "left"  # "justify": CJK lines justified except the last
    indent: bool = False  # first-line indent of two full-width characters
    markup: bool = True  # interpret **bold** and ==highlight==
    max_lines: int | None = None  # cut after this many lines (marks the result as overflowing)
    role: str = "body"


@dataclass(frozen=True)
class TextLine:
    """One broken line: its text, runs relative to the block's top-left, and its band."""

    text: str
    runs: tuple[Glyphs, ...]
    top: float
    height: float
    width: float  # natural width before justification


@dataclass
class TextBlock:
    """A laid-out piece of text, positioned at (0, 0). ``op(x, y)`` places it in a frame."""

    lines: list[TextLine]
    width: float  # the measure it was set to
    height: float
    style: TextStyle
    overflow: bool = False
    underlays: list[Rect] = field(default_factory=list)

    @property
    def used_width(self) -> float:
        return max((ln.width for ln in self.lines), default=0.0)

    def line_breaks(self) -> list[float]:
        """Offsets (from the top) between lines, where a cut is safe."""
        return [ln.top for ln in self.lines[1:]]

    def op(self, x: float, y: float, *, background: str | None = None, box_height: float | None = None) -> Text:
        from ..layout.frame import shift

        runs = tuple(shift(r, x, y) for ln in self.lines for r in ln.runs)
        unders = tuple(shift(u, x, y) for u in self.underlays)
        return Text(
            runs=runs,  # type: ignore[arg-type]
            box=(x, y, self.width, box_height if box_height is not None else self.height),
            role=self.style.role,
            background=background,
            underlays=unders,  # type: ignore[arg-type]
            overflow=self.overflow,
        )


def layout_text(text: str, width: float, style: TextStyle, fontbook: FontBook | None = None) -> TextBlock:
    """Break ``text`` into lines no wider than ``width`` and position every glyph."""
    fb = fontbook or default_fontbook()
    pitch = style.size * style.line_height
    lines: list[TextLine] = []
    for para in text.split("\n"):
        cur = ""
        start_x = 2 * style.size if style.indent else 0.0
        x = start_x
        for ch in para:
            adv = fb.advance(ch, style.size, style.face)
            if cur and x + adv > width:
                lines.append(_make_line(cur, start_x if not lines or lines[-1] is None else 0.0, fb, style, len(lines) * pitch, pitch))
                cur, x = "", 0.0
                start_x = 0.0
            cur += ch
            x += adv
        lines.append(_make_line(cur, start_x, fb, style, len(lines) * pitch, pitch))
    return TextBlock(lines=lines, width=width, height=len(lines) * pitch, style=style)


def _make_line(text: str, x0: float, fb: FontBook, style: TextStyle, top: float, pitch: float) -> TextLine:
    baseline = top + (pitch - style.size) / 2 + 0.88 * style.size
    runs = []
    x = x0
    for face, chunk in fb.runs(text, style.face):
        xs = []
        for ch in chunk:
            xs.append(x)
            x += fb.advance(ch, style.size, style.face)
        key = face.key if face else style.face
        runs.append(Glyphs(chunk, tuple(xs), x, baseline, key, style.size, style.color))
    return TextLine(text=text, runs=tuple(runs), top=top, height=pitch, width=x)
