"""load(), render(), render_image(): the public entry points."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image

    from .spec.document import Document


def load(source: Any, data: dict[str, Any] | None = None, *, roots: tuple[str | Path, ...] = ()) -> Document:
    """A Document from a path, a YAML/JSON string or a dict; ``data`` fills template slots."""
    from .loader import load as _load

    return _load(source, data=data, roots=roots)


def render_image(doc: Document, **options: Any) -> Image:
    """The whole long image as a PIL image."""
    from .render.output import render_image as _render_image

    return _render_image(doc, **options)


def render(doc: Document, out: str | Path, **options: Any) -> list[Path]:
    """Write ``doc`` to ``out``; the format follows the suffix (png jpg webp pdf svg) or ``format=``.

    A folder (or ``slice_height``) gives numbered slices cut at safe breaks. Returns the written paths.
    """
    from .render.output import render as _render

    return _render(doc, out, **options)
