"""``tushuo check``: validate specs without writing anything.

The basic check loads each spec (YAML, extends, slots, the model) and lays it out
(every block, text against the fonts, pictures and data files), which finds every
error a render would meet short of painting. Lints (contrast, sizes, overflow) add
warnings through the same Finding type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SpecError, SpecErrors


@dataclass(frozen=True)
class Finding:
    """One problem in one spec. ``level``: "error" (the spec cannot render) or "warning"."""

    spec: str
    level: str
    message: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    path: str | None = None

    def format(self) -> str:
        """``FILE:LINE:COL: path: message`` (``warning:`` marks a warning)."""
        err = SpecError(self.message, file=self.file or self.spec, line=self.line, col=self.col, path=self.path)
        text = err.format()
        if self.level == "warning":
            loc = err.location()
            text = f"{loc}: warning: {text[len(loc) + 2:]}" if loc else f"warning: {text}"
        return text

    @classmethod
    def from_error(cls, spec: str, err: SpecError, level: str = "error") -> Finding:
        return cls(spec, level, err.message, err.file, err.line, err.col, err.path)


def check_spec(spec: str | Path, *, data: Any = None) -> list[Finding]:
    """The problems of one spec (empty: it renders)."""
    from .api import load
    from .layout.stack import layout_document, make_context

    name = str(spec)
    try:
        if not Path(spec).is_file():
            raise SpecError("no such spec file", file=name)
        doc = load(name, data=data)
        ctx = make_context(doc)
        layout_document(doc, ctx=ctx)
    except SpecErrors as errs:
        return [Finding.from_error(name, e) for e in errs.errors]
    except SpecError as err:
        return [Finding.from_error(name, err)]
    return [Finding(name, "warning", w) for w in ctx.warnings]


def check_specs(specs: Iterable[str | Path], *, data: Any = None) -> list[Finding]:
    """The problems of every spec, in order."""
    out: list[Finding] = []
    for spec in specs:
        out += check_spec(spec, data=data)
    return out
