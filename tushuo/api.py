"""load(), render(), render_image(): the public entry points."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image

    from .spec.document import Document


def load(source: Any, data: dict[str, Any] | None = None, *, roots: tuple[str | Path, ...] = (),
         file: str | Path | None = None) -> Document:
    """A Document from a path, a YAML/JSON string or a dict; ``data`` fills template slots.

    ``file``: the text is that file's unsaved content (messages name it, paths resolve beside it).
    The files the document names (pictures, chart data, its theme and fonts) are read now,
    once, through the file gate (:mod:`tushuo.inputs`): layout and painting open none.
    """
    from .inputs import read_inputs
    from .loader import load as _load

    doc = _load(source, data=data, roots=roots, file=file)
    read_inputs(doc)
    return doc


def render_image(
    doc: Document,
    *,
    width: float | None = None,
    theme: Any = None,
    allow_missing_glyphs: bool = False,
    scale: float = 1.0,
    script: str | None = None,
) -> Image:
    """The whole long image as a PIL image (``scale`` 2 gives a sharper, twice as large one).

    ``width`` and ``theme`` override the document's; a character no bundled font has is
    an error unless ``allow_missing_glyphs`` (then it is drawn as an empty box). ``script``
    (hans, hant, hant-tw, hant-hk) overrides the document's: every drawn text is converted.
    """
    from .render.output import render_image as _render_image

    return _render_image(doc, width=width, theme=theme, allow_missing_glyphs=allow_missing_glyphs, scale=scale,
                         script=script)


def render(
    doc: Document,
    out: str | Path,
    *,
    format: str | None = None,
    quality: int | None = None,
    slice_height: int | None = None,
    max_bytes: int | None = None,
    page_size: str | None = None,
    width: float | None = None,
    theme: Any = None,
    allow_missing_glyphs: bool = False,
    describe: bool | None = None,
    script: str | None = None,
) -> list[Path]:
    """Write ``doc`` to ``out``; the format follows the suffix (png jpg webp pdf svg) or ``format=``.

    A folder (or ``slice_height``) gives numbered slices cut at safe breaks. Options not
    given come from the document's ``output`` section. ``max_bytes`` caps each file
    (JPEG/WebP lower their quality, PNG tries a palette). Returns the written paths; a
    failed render leaves no file behind. ``describe`` also writes NAME.md, the document in
    words (see ``describe``), beside the output; its path comes last.
    """
    from .render.output import render as _render

    return _render(
        doc, out, format=format, quality=quality, slice_height=slice_height, max_bytes=max_bytes,
        page_size=page_size, width=width, theme=theme, allow_missing_glyphs=allow_missing_glyphs,
        describe=describe, script=script,
    )


def describe(doc: Document, format: str = "markdown", *, script: str | None = None) -> str:
    """The document in words, in reading order: Markdown (default) or plain text (``format="text"``)."""
    from .describe import describe as _describe

    return _describe(doc, format, script=script)  # type: ignore[arg-type]
