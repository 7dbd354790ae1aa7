"""The public entry points: load, render, render_image, render_bytes, render_pages, dump."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from .spec.document import Document

#: The schema a dumped spec names for editors (``tushuo schema -o tushuo.schema.json`` writes it).
SCHEMA_REF = "tushuo.schema.json"

if TYPE_CHECKING:
    from PIL.Image import Image


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
    from .pipeline import RenderOptions
    from .pipeline import render_image as _render_image

    return _render_image(doc, RenderOptions(width=width, theme=theme, allow_missing_glyphs=allow_missing_glyphs,
                                            scale=scale, script=script))


def render(
    doc: Document,
    out: str | Path | BinaryIO,
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

    ``out`` may be a binary file object (``io.BytesIO``, an open file, a response body):
    ``format=`` (or the document's ``output.format``) says what to write, the whole file
    is written at once only after the render succeeded, and the list returned is empty.
    """
    from .pipeline import RenderOptions

    options = RenderOptions(format=format, quality=quality, slice_height=slice_height, max_bytes=max_bytes,
                            page_size=page_size, width=width, theme=theme,
                            allow_missing_glyphs=allow_missing_glyphs, describe=describe, script=script)
    if hasattr(out, "write"):
        from dataclasses import replace

        from .errors import SpecError

        fmt = format or doc.output.format
        if fmt is None:
            raise SpecError("writing to a file object needs format= (png, jpeg, webp, pdf or svg): "
                            "there is no file name to take it from")
        if describe:
            raise SpecError("describe writes NAME.md beside an output file; a file object has no name: "
                            "call tushuo.describe(doc) for the text")
        sh = slice_height if slice_height is not None else doc.output.slice_height
        if sh:
            raise SpecError("slices are several files and a file object takes one: write them with "
                            "render(doc, 'folder/', slice_height=...) or use render_bytes(), which returns a list")
        data = _render_bytes(doc, replace(options, format=fmt, slice_height=0, describe=False))
        assert isinstance(data, bytes)
        out.write(data)
        return []
    from .pipeline import render as _render

    return _render(doc, out, options)


def describe(doc: Document, format: str = "markdown", *, script: str | None = None) -> str:
    """The document in words, in reading order: Markdown (default) or plain text (``format="text"``)."""
    from .describe import describe as _describe

    return _describe(doc, format, script=script)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- in memory
def render_bytes(
    doc: Document,
    *,
    format: str | None = None,
    quality: int | None = None,
    slice_height: int | None = None,
    max_bytes: int | None = None,
    page_size: str | None = None,
    width: float | None = None,
    theme: Any = None,
    allow_missing_glyphs: bool = False,
) -> bytes | list[bytes]:
    """The file ``render`` would write, as bytes: one image, PDF or SVG; a list of bytes for slices.

    ``format`` defaults to the document's ``output.format``, else PNG; slices come from
    ``slice_height`` (or the document's). Options, checks and errors are ``render``'s: the
    same pipeline writes into a private temporary folder, read back and removed, so a
    failed render returns nothing and leaves nothing.
    """
    from .pipeline import RenderOptions

    return _render_bytes(doc, RenderOptions(format=format, quality=quality, slice_height=slice_height,
                                            max_bytes=max_bytes, page_size=page_size, width=width, theme=theme,
                                            allow_missing_glyphs=allow_missing_glyphs, describe=False))


def _render_bytes(doc: Document, options: Any) -> bytes | list[bytes]:
    """``render_bytes`` with its options gathered (a pipeline.RenderOptions): the one render into a
    private temporary folder, read back and removed."""
    import tempfile
    from dataclasses import replace

    from .pipeline import SUFFIX, normalise_format
    from .pipeline import render as _render

    fmt = normalise_format(options.format or doc.output.format or "png")
    sh = options.slice_height
    sliced = (sh if sh is not None else doc.output.slice_height) > 0
    with tempfile.TemporaryDirectory(prefix="tushuo-") as tmp:
        target = Path(tmp) / f"document{SUFFIX[fmt]}"
        paths = _render(doc, target, replace(options, format=fmt))
        data = [p.read_bytes() for p in paths]
    return data if sliced and fmt in ("png", "jpeg", "webp") else data[0]


def render_pages(
    doc: Document,
    page_size: str | None = None,
    *,
    dpi: float = 150,
    width: float | None = None,
    theme: Any = None,
    allow_missing_glyphs: bool = False,
) -> list[Image]:
    """The PDF's pages as PIL images, for previews: the PDF's own page frames (``layout.pages.make_book``:
    cover, contents, body pages with their header and number) painted by the raster painter at ``dpi``.

    ``page_size`` as for ``render`` (pocket, A6, A5, A4, "W x H" mm; default the document's).
    """
    from .errors import SpecError
    from .layout.pages import make_book, parse_page_size, pdf_mode
    from .paint.raster import paint
    from .pipeline import RenderOptions, layout

    if not (isinstance(dpi, (int, float)) and 10 <= dpi <= 1200):
        raise SpecError(f"dpi must be a number from 10 to 1200, got {dpi!r}")
    frame, ctx = layout(doc, RenderOptions(width=width, theme=theme, allow_missing_glyphs=allow_missing_glyphs))
    page = parse_page_size(page_size if page_size is not None else doc.output.page_size, doc)
    scale = page.width / frame.width * dpi / 72  # device px per design px
    book = make_book(frame, doc, page, mode=pdf_mode(None, doc), theme=ctx.theme, fonts=ctx.fonts)
    return [paint(p.frame, scale=scale, fonts=ctx.fonts) for p in book.pages]


# ----------------------------------------------------------------------------- notebooks
#: Width of the PNG a notebook shows (px): half the design width, a phone's view.
PREVIEW_WIDTH = 540
#: Tallest PNG a notebook gets (px): a longer document shows its top, with a note.
PREVIEW_MAX_HEIGHT = 6000


def mimebundle(doc: Document) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a notebook shows for ``doc`` (``Document._repr_mimebundle_``): a scaled PNG and the SVG.

    A document taller than PREVIEW_MAX_HEIGHT at the preview width shows its top part with
    a note at the bottom, and no SVG (it would carry the whole document). An error
    (a character no font has, a missing picture) is shown as text instead of a traceback.
    """
    import base64

    from .errors import TushuoError
    from .paint.raster import Painter
    from .paint.svg import render_svg
    from .pipeline import layout

    try:
        frame, ctx = layout(doc)
        scale = PREVIEW_WIDTH / frame.width
        painter = Painter(frame, scale=scale, fonts=ctx.fonts)
        full = painter.height_px
        capped = full > PREVIEW_MAX_HEIGHT
        im = painter.paint_rows(0, min(full, PREVIEW_MAX_HEIGHT))
        if capped:
            im = _with_note(im, f"（仅显示前 {PREVIEW_MAX_HEIGHT:,} 像素，全长 {full:,} 像素；"
                                "用 tushuo.render() 输出完整长图）")
        from .pipeline import encode

        data: dict[str, Any] = {
            "image/png": base64.b64encode(encode(im, "png")).decode("ascii"),
            "text/plain": repr_text(doc) + (f" (preview: top {PREVIEW_MAX_HEIGHT} of {full} px)" if capped else ""),
        }
        meta: dict[str, Any] = {"image/png": {"width": im.width, "height": im.height}}
        if not capped:
            data["image/svg+xml"] = render_svg(frame, doc, theme=ctx.theme, fonts=ctx.fonts).decode("utf-8")
        return data, meta
    except TushuoError as exc:
        return {"text/plain": f"{repr_text(doc)}\ncannot render: {exc}"}, {}


def _repr_mimebundle_(self: Document, include: Any = None, exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A notebook shows the document: a scaled PNG and the SVG (the top part when very tall)."""
    return mimebundle(self)


# Showing itself is the API's business, not the data model's (the spec package draws nothing):
# installed here, where the render pipeline is; ``import tushuo`` always runs this module.
Document._repr_mimebundle_ = _repr_mimebundle_  # type: ignore[attr-defined]


def repr_text(doc: Document) -> str:
    """A one-line description of a document: its title and size in blocks."""
    n = len(doc.blocks)
    return f"<tushuo.Document {doc.title!r}: {n} block{'s' if n != 1 else ''}, {doc.width} px wide>"


def _with_note(im: Image, note: str) -> Image:
    """``im`` with a grey strip at the bottom saying the preview is cut short."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    from .text.fonts import default_fontbook

    size = 18
    font = ImageFont.truetype(str(default_fontbook().path("sans")), size)
    out = PILImage.new("RGB", (im.width, im.height + 2 * size + 8), "#EEEEEE")
    out.paste(im.convert("RGB"), (0, 0))
    draw = ImageDraw.Draw(out)
    tw = draw.textlength(note, font=font)
    draw.text(((im.width - tw) / 2, im.height + size // 2 + 4), note, fill="#555555", font=font)
    return out


# ----------------------------------------------------------------------------- round trip
def dump(doc: Document, out: str | Path | IO[str] | IO[bytes], *, schema: str = SCHEMA_REF) -> None:
    """Write ``doc`` as a readable YAML spec (``doc.to_yaml()``) to a path or a text/binary stream.

    A path is written atomically (UTF-8). The spec loads back to an equal Document when
    loaded from the same folder (relative picture and data paths are kept as written).
    """
    text = to_yaml(doc, schema=schema)
    if hasattr(out, "write"):
        try:
            out.write(text)  # type: ignore[call-overload]
        except TypeError:  # a binary stream
            out.write(text.encode("utf-8"))  # type: ignore[arg-type]
        return
    from .atomic import write_atomic

    write_atomic(Path(out), text.encode("utf-8"))


def to_yaml(doc: Document, *, schema: str = SCHEMA_REF) -> str:
    """``doc`` as YAML text (``doc.to_yaml()``): see ``tushuo.spec.dump`` for what is written and how."""
    return doc.to_yaml(schema=schema)
