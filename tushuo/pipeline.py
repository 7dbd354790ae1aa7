"""Writing a document: PNG / JPEG / WebP painted here, PDF and SVG by their painters.

Options come from, in order: the explicit argument, the document's ``output``
section, the defaults here. Every write is atomic: files are written to temporary
names in the target folder and renamed only when all of them are complete, so a
failed render leaves nothing behind (slices included).

Encoders are their own modules: png.py (streamed PNG) and encode.py (JPEG/WebP,
fitting ``max_bytes``).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import AtomicFiles
from .errors import SpecError
from .paint.encode import DEFAULT_QUALITY, encode
from .paint.png import stream_png
from .spec.document import MIN_SLICE_HEIGHT  # slices shorter make no sense (thousands of files)

if TYPE_CHECKING:
    from collections.abc import Callable

    from PIL.Image import Image

    from .frame import Frame
    from .layout.context import LayoutContext
    from .layout.pages import PageSize
    from .spec.document import Document
    from .spec.theme import Theme
    from .text.fonts import FontBook

#: The tallest single image written (px). Taller documents are sliced or made into a PDF.
MAX_IMAGE_HEIGHT = 200_000
#: Format limits of one image (px): libjpeg's 65,500 and WebP's 16,383.
FORMAT_MAX_HEIGHT = {"jpeg": 65_500, "webp": 16_383, "png": MAX_IMAGE_HEIGHT}
#: Lowest JPEG/WebP quality tried when fitting ``max_bytes``.
#: ``slice_height`` of a folder target given none: one phone screen (9:16) per slice
AUTO_SLICE = -1

FORMAT_OF_SUFFIX = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".webp": "webp",
    ".pdf": "pdf",
    ".svg": "svg",
}
SUFFIX = {"png": ".png", "jpeg": ".jpg", "webp": ".webp", "pdf": ".pdf", "svg": ".svg"}
RASTER = frozenset({"png", "jpeg", "webp"})


@dataclass(frozen=True)
class Settings:
    """The output options after precedence (argument > doc.output > default)."""

    format: str
    quality: int = DEFAULT_QUALITY
    slice_height: int = 0
    max_bytes: int | None = None
    page_size: str | None = None


@dataclass(frozen=True)
class RenderOptions:
    """What a caller asks of one render, beside the document: ``tushuo.render``,
    ``render_bytes``, ``render_image`` and ``render_pages`` fill it from their keyword
    arguments, and the pipeline takes it whole. None: the document's ``output`` section
    decides, then the defaults (``resolve_settings``)."""

    format: str | None = None
    quality: int | None = None
    slice_height: int | None = None
    max_bytes: int | None = None
    page_size: str | None = None
    #: layout: the design width and theme (overriding the document's), tofu allowed, the script
    width: float | None = None
    theme: Any = None
    allow_missing_glyphs: bool = False
    script: str | None = None
    #: also write NAME.md, the document in words (None: ``doc.output.describe``)
    describe: bool | None = None
    #: device px per design px (``render_image``)
    scale: float = 1.0


NO_OPTIONS = RenderOptions()


# -- public entry points ---------------------------------------------------------------
def layout(doc: Document, options: RenderOptions = NO_OPTIONS) -> tuple[Frame, LayoutContext]:
    """The document laid out once (the frame every painter reads) and its context.

    ``script`` (default: the document's) converts the words first; ``ctx.doc`` is the
    converted document.
    """
    import warnings

    from .errors import TushuoWarning
    from .inputs import make_context
    from .layout.stack import layout_document
    from .script import apply_script

    doc = apply_script(doc, options.script)

    ctx = make_context(doc, width=options.width, theme=options.theme,
                       allow_missing_glyphs=options.allow_missing_glyphs)
    frame = layout_document(doc, ctx)
    for note in ctx.warnings:  # e.g. characters drawn as boxes: the caller (the CLI) shows them
        warnings.warn(note, TushuoWarning, stacklevel=3)
    return frame, ctx


def render_image(doc: Document, options: RenderOptions = NO_OPTIONS) -> Image:
    """The whole long image as a PIL image (RGB, or RGBA on a transparent background)."""
    from .heap import keep_freed_memory
    from .paint.raster import paint

    keep_freed_memory()
    frame, ctx = layout(doc, options)
    scale = options.scale
    height = round(frame.height * scale)
    if height > MAX_IMAGE_HEIGHT:
        raise SpecError(
            f"the image would be {height:,} px tall, more than the {MAX_IMAGE_HEIGHT:,} px tushuo paints at once; "
            "write slices (render(..., slice_height=1920)) or a PDF instead"
        )
    return paint(frame, scale=scale, fonts=ctx.fonts)


def render(doc: Document, out: str | os.PathLike[str], options: RenderOptions = NO_OPTIONS) -> list[Path]:
    """Lay out ``doc`` and write it to ``out``; the paths written, in order.

    ``describe`` (default: ``doc.output.describe``) also writes the companion NAME.md
    (tushuo.describe) beside the output, listed last.

    The format follows ``format=``, else the suffix of ``out``, else ``doc.output.format``,
    else PNG. A folder (``out`` ending in '/', an existing folder, or a name without a
    suffix) receives numbered slices; ``slice_height`` beside a file name gives
    ``name-01.png``, ``name-02.png`` … ``max_bytes`` caps each file written.
    """
    target, folder = _target(out)
    settings = resolve_settings(target, folder, doc, options)
    frame, ctx = layout(doc, options)
    words = ctx.doc if ctx.doc is not None else doc  # the words as drawn (script converted)
    info = _FileInfo(doc, frame, ctx, words.script)
    from .atomic import keep
    from .deps import read_by

    try:
        with keep(read_by(doc, ctx.theme)):
            paths = write_frame(frame, target, settings, doc=words, fonts=ctx.fonts, theme=ctx.theme, folder=folder,
                                info=info)
            if options.describe if options.describe is not None else doc.output.describe:
                paths.append(_companion(doc, frame, target, folder, paths, ctx, words.script, info))
        return paths
    except SpecError as exc:
        # too tall, too many bytes: about this spec, so name it (the message alone was unplaced)
        if exc.file is not None or not getattr(doc, "_source_file", None):
            raise
        raise SpecError(exc.message, file=doc._source_file, path=exc.path) from None


class _FileInfo:
    """What each written file says about itself (title, description, language), by band of the frame.

    One file: the document's title and the whole document in words; slices: the title
    with the slice's place and what it covers (the short alternative). The writer calls it
    with the bands it cuts; they are kept (``bands``), with the description or the slices'
    alternatives made for them, for the companion (which says the same, not worked out again).
    """

    def __init__(self, doc: Document, frame: Frame, ctx: Any, script: str) -> None:
        self.doc, self.frame, self.ctx, self.script = doc, frame, ctx, script
        self.bands: list[tuple[float, float]] = []
        self.description: Any = None  # describe.Description, for one file
        self.alternatives: list[str] | None = None  # per slice, for several

    def __call__(self, bands: list[tuple[float, float]]) -> list[Any]:
        from .describe import describe_document, plain, slice_alternatives
        from .paint.metadata import FileInfo
        from .script import LANG, convert_text

        self.bands = bands
        doc, script = self.doc, self.script
        lang = LANG[script]
        title = convert_text(plain(doc.title), script)
        if len(bands) == 1:
            self.description = describe_document(doc, ctx=self.ctx, script=script)
            return [FileInfo(title, self.description.text.strip(), lang)]
        alts = self.alternatives = slice_alternatives(doc, self.frame, bands)
        n = len(bands)
        return [FileInfo(convert_text(f"{plain(doc.title)}（第{k}张，共{n}张）", script), convert_text(a, script), lang)
                for k, a in enumerate(alts, 1)]


def _companion(doc: Document, frame: Frame, target: Path, folder: bool, paths: list[Path], ctx: Any,
               script: str, info: _FileInfo) -> Path:
    """The companion beside the outputs: the slices are the frame bands the writer cut
    (``info.bands``), and what the files already say of themselves is reused."""
    from .describe import write_companion

    several = len(info.bands) > 1
    return write_companion(doc, target, folder, paths, frame, info.bands if several else None, ctx=ctx,
                           script=script, description=info.description,
                           alternatives=info.alternatives if several else None)


def write_frame(
    frame: Frame,
    out: str | os.PathLike[str],
    settings: Settings | None = None,
    *,
    doc: Document | None = None,
    fonts: FontBook | None = None,
    theme: Any = None,
    folder: bool | None = None,
    info: Callable[[list[tuple[float, float]]], list[Any]] | None = None,
    **options: Any,
) -> list[Path]:
    """Write an already laid-out frame (``options``: fields of RenderOptions, used when ``settings`` is None).

    ``info`` gives each file's title and description (metadata.FileInfo) from the bands
    of the frame it shows; None writes none.
    """
    target, is_folder = _target(out)
    folder = is_folder if folder is None else folder
    if settings is None:
        settings = resolve_settings(target, folder, doc, RenderOptions(**options))
    if folder:
        target.mkdir(parents=True, exist_ok=True)
    fmt = settings.format
    if fmt in RASTER:
        return _write_raster(frame, target, folder, settings, fonts, info)
    if folder:
        raise SpecError(f"{fmt.upper()} output needs a file name, e.g. {target / ('document' + SUFFIX[fmt])}")
    if settings.slice_height:
        raise SpecError(f"slice_height applies to PNG, JPEG and WebP; a {fmt.upper()} is not sliced")
    if fmt == "pdf":
        return _write_pdf(frame, doc, target, settings, fonts, theme)
    desc = info([(0.0, frame.height)])[0].description if info is not None else None
    return _write_svg(frame, doc, target, settings, fonts, theme, desc)


# -- options ---------------------------------------------------------------------------
def _target(out: str | os.PathLike[str]) -> tuple[Path, bool]:
    """The path and whether it names a folder: a trailing '/', an existing folder, or no suffix
    (pathlib drops trailing slashes, so ``Path("out")`` must be able to mean a folder)."""
    text = os.fspath(out)
    path = Path(text)
    return path, text.endswith(("/", os.sep)) or path.is_dir() or not path.suffix


def normalise_format(fmt: str) -> str:
    f = fmt.lower().lstrip(".")
    f = "jpeg" if f == "jpg" else f
    if f not in SUFFIX:
        raise SpecError(f"unknown output format '{fmt}'; use png, jpeg, webp, pdf or svg")
    return f


def resolve_settings(
    target: Path, folder: bool, doc: Document | None, options: RenderOptions = NO_OPTIONS
) -> Settings:
    """Settle every output option: explicit argument > doc.output > default; check their ranges."""
    format, quality, slice_height = options.format, options.quality, options.slice_height
    max_bytes, page_size = options.max_bytes, options.page_size
    dout = doc.output if doc is not None else None
    fmt = normalise_format(format) if format else None
    if not folder:
        suffix = target.suffix.lower()
        by_suffix = FORMAT_OF_SUFFIX.get(suffix)
        if by_suffix is None:
            raise SpecError(
                f"unknown output suffix '{target.suffix}' in '{target}': use .png, .jpg, .jpeg, .webp, .pdf or .svg"
            )
        if fmt is not None and fmt != by_suffix:
            raise SpecError(
                f"output '{target}' is a {by_suffix.upper()} name but the format is {fmt}; "
                f"use '{target.with_suffix(SUFFIX[fmt])}' or drop the format"
            )
        fmt = by_suffix
    if fmt is None:
        fmt = normalise_format(dout.format) if dout is not None and dout.format else "png"

    q = quality if quality is not None else (dout.quality if dout is not None else DEFAULT_QUALITY)
    if not isinstance(q, int) or not 1 <= q <= 100:
        raise SpecError(f"quality must be a whole number from 1 to 100, got {q!r}")
    sh = slice_height if slice_height is not None else (dout.slice_height if dout is not None else 0)
    if sh is None or sh < 0:
        raise SpecError(f"slice_height must be 0 (one image) or a height in px, got {sh!r}")
    if folder and not sh and fmt in RASTER:
        sh = AUTO_SLICE
    if 0 < sh < MIN_SLICE_HEIGHT:
        raise SpecError(
            f"slice_height {sh} px is too small; use at least {MIN_SLICE_HEIGHT} px (or 0 for one image)"
        )
    mb = max_bytes if max_bytes is not None else (dout.max_bytes if dout is not None else None)
    if mb is not None and mb <= 0:
        raise SpecError(f"max_bytes must be positive, got {mb}")
    ps = page_size if page_size is not None else (dout.page_size if dout is not None else None)
    return Settings(format=fmt, quality=q, slice_height=sh, max_bytes=mb, page_size=ps)


# -- raster -----------------------------------------------------------------------------
def _write_raster(
    frame: Frame, target: Path, folder: bool, s: Settings, fonts: FontBook | None,
    info: Callable[[list[tuple[float, float]]], list[Any]] | None = None,
) -> list[Path]:
    from .heap import keep_freed_memory
    from .paint.raster import Painter

    keep_freed_memory()
    painter = Painter(frame, fonts=fonts)
    limit = FORMAT_MAX_HEIGHT[s.format]
    slice_h = s.slice_height if s.slice_height != AUTO_SLICE else round(painter.width_px * 16 / 9)
    if slice_h:
        if slice_h > limit:
            raise SpecError(
                f"slice_height {slice_h:,} px is taller than {s.format.upper()} allows ({limit:,} px); "
                f"use slice_height <= {limit:,}"
            )
        rows = slice_rows(frame, slice_h, painter.scale)
        names = slice_names(target, folder, s.format, len(rows))
    else:
        height = painter.height_px
        if height > limit:
            hint = (
                "slice_height (e.g. 1920) or PNG/PDF"
                if s.format != "png"
                else "slice_height (e.g. 1920) or PDF"
            )
            raise SpecError(
                f"the image is {height:,} px tall; {s.format.upper()} allows at most {limit:,} px; use {hint}"
            )
        rows = [(0, height)]
        names = [target]
    photos = _photo_rows(frame, painter.scale) if s.format == "png" else []
    manifest = SliceManifest(target, folder)
    if slice_h:
        manifest.check_free(names)
    infos = info([(r0 / painter.scale, r1 / painter.scale) for r0, r1 in rows]) if info is not None else None
    with AtomicFiles() as files:
        for k, ((r0, r1), name) in enumerate(zip(rows, names)):
            if s.format == "png" and s.max_bytes is None:
                data = stream_png(painter, r0, r1, photos=photos)
            else:
                im = painter.paint(r0 / painter.scale, r1 / painter.scale)
                data = encode(im, s.format, s.quality, s.max_bytes, name=name.name)
                del im
            if infos is not None:
                data = _with_metadata(data, s.format, infos[k], s.max_bytes)
            files.add(name, data)
    manifest.replace(names if slice_h else [])
    return names


def _with_metadata(data: bytes, fmt: str, info: Any, max_bytes: int | None) -> bytes:
    """The file with its title and description; under ``max_bytes`` the description gives way
    first (title only), then the metadata altogether: the byte cap is the user's promise."""
    from dataclasses import replace

    from .paint.metadata import add_metadata

    for candidate in (info, replace(info, description="")):
        out = add_metadata(data, fmt, candidate)
        if max_bytes is None or len(out) <= max_bytes:
            return out
    return data


def slice_rows(frame: Frame, slice_height: int, scale: float = 1.0) -> list[tuple[int, int]]:
    """Device rows [r0, r1) of each slice, each at most ``slice_height`` px: the PDF's paginator
    (``layout.paginate.cut_frame``, same breaks and scoring) at the device scale.

    A unit taller than a slice is cut at its inner breaks; with none left the cut is
    forced, moved off any line of text when that keeps the slice at least half full.
    Slices are read one under another, so a table's header row is not repeated.
    """
    from .layout.paginate import cut_frame

    height = max(1, round(frame.height * scale))
    cuts = cut_frame(frame, float(slice_height), scale=scale, pages=False)
    rows: list[tuple[int, int]] = []
    top = 0
    for c in cuts[:-1]:
        bottom = math.floor(c.bottom + 1e-6)
        if bottom <= top:
            bottom = top + slice_height
        rows.append((top, bottom))
        top = bottom
    rows.append((top, height))
    return [r for r in rows if r[1] > r[0]]


def slice_names(target: Path, folder: bool, fmt: str, count: int) -> list[Path]:
    """``name-01.png …`` beside a file target, ``01.png …`` inside a folder."""
    digits = max(2, len(str(count)))
    ext = SUFFIX[fmt] if folder else target.suffix
    if folder:
        return [target / f"{i:0{digits}d}{ext}" for i in range(1, count + 1)]
    return [target.with_name(f"{target.stem}-{i:0{digits}d}{ext}") for i in range(1, count + 1)]


class SliceManifest:
    """The slices tushuo wrote for one target, so only those are ever removed.

    A render sliced into ``photos/`` writes ``01.png …``; a later, shorter render must
    remove the old ``05.png`` (or it would be posted by mistake), but a folder may also
    hold the user's own ``01.png`` or ``2019.png``, or another batch input's output. So
    each sliced render records its slices with their SHA-256 in a small hidden file
    (``photos/.tushuo-slices.json``; ``.NAME.tushuo-slices.json`` beside a file target),
    and the next render of the same target removes only slices listed there whose bytes
    are still the ones it wrote. A slice name already taken by a file the manifest does
    not list is refused, never overwritten.
    """

    def __init__(self, target: Path, folder: bool) -> None:
        self.where = target if folder else target.parent
        self.path = self.where / (".tushuo-slices.json" if folder else f".{target.name}.tushuo-slices.json")
        self.entries = self._read()

    def _read(self) -> dict[str, str]:
        import json

        from .assets import read_file

        try:
            data = json.loads(read_file(self.path, "spec", limit=1 << 20))
        except (SpecError, ValueError):
            return {}
        items = data.get("slices") if isinstance(data, dict) else None
        if not isinstance(items, dict):
            return {}
        return {k: v for k, v in items.items() if isinstance(k, str) and isinstance(v, str) and "/" not in k
                and "\\" not in k and k not in ("", ".", "..")}

    def _ours(self, name: str) -> bool:
        """The file is a slice this target's last render wrote, unchanged since."""
        import hashlib

        from .assets import read_file

        digest = self.entries.get(name)
        if digest is None:
            return False
        try:
            return hashlib.sha256(read_file(self.where / name, "picture", limit=1 << 30)).hexdigest() == digest
        except SpecError:
            return False

    def check_free(self, names: list[Path]) -> None:
        """Refuse when a slice name is taken by a file tushuo did not write for this target."""
        for n in names:
            if os.path.lexists(n) and not self._ours(n.name):
                raise SpecError(
                    f"{n} exists and is not a slice tushuo wrote for this output; render into an empty "
                    "folder (or another name), or move the file away"
                )

    def replace(self, names: list[Path]) -> None:
        """After a successful write: remove our stale slices, record the new ones."""
        keep = {n.name for n in names}
        for old in sorted(self.entries):
            if old not in keep and self._ours(old):
                try:
                    (self.where / old).unlink()
                except OSError:
                    pass
        if not names:
            if self.entries:
                try:
                    self.path.unlink()
                except OSError:
                    pass
            return
        import hashlib  # here, not above: an unsliced render (most) never loads it
        import json

        from .atomic import write_atomic

        slices = {n.name: hashlib.sha256(n.read_bytes()).hexdigest() for n in names}
        write_atomic(self.path, json.dumps({"tushuo": 1, "slices": slices}, indent=1).encode())


def _photo_rows(frame: Frame, scale: float) -> list[tuple[int, int]]:
    """Device rows covered by raster pictures (not charts): the rows where the Up filter pays."""
    from .frame import Image as ImageOp

    spans = []
    for op in frame.walk():
        if isinstance(op, ImageOp) and op.image is not None:
            spans.append((math.floor(op.y * scale), math.ceil((op.y + op.h) * scale)))
    return spans


# -- PDF and SVG ---------------------------------------------------------------------------
def render_pdf(
    frame: Frame,
    doc: Document | None = None,
    *,
    page_size: str | PageSize | None = None,
    theme: Theme | None = None,
    fonts: FontBook | None = None,
    mode: str | None = None,
) -> bytes:
    """The document as PDF bytes: a manual (cover, contents, body pages) or a poster.

    The pages are planned in layout (``layout.pages.make_book``: the one paginator and
    the page furniture) and painted by ``paint.pdf.paint_book``. ``page_size`` overrides
    ``doc.output.page_size``: pocket (default), A6, A5, A4 or "W x H" in mm; ``mode``
    overrides ``doc.output.pdf_mode`` (``manual`` without a document).
    """
    from .layout import furniture
    from .layout.pages import make_book, parse_page_size, pdf_mode
    from .paint.pdf import paint_book

    if page_size is None and doc is not None:
        page_size = doc.output.page_size
    page = parse_page_size(page_size, doc)
    mode = pdf_mode(mode, doc)
    theme = theme if theme is not None else furniture.frame_theme(frame)
    fonts = fonts if fonts is not None else furniture.frame_fonts(frame)
    book = make_book(frame, doc, page, mode=mode, theme=theme, fonts=fonts)
    return paint_book(book, frame, doc, theme=theme, fonts=fonts)


def write_pdf(
    frame: Frame,
    doc: Document | None,
    path: str | Path,
    *,
    page_size: str | PageSize | None = None,
    theme: Theme | None = None,
    fonts: FontBook | None = None,
    mode: str | None = None,
) -> list[Path]:
    """``render_pdf`` written to ``path`` (atomically); returns ``[path]``."""
    from .atomic import write_atomic

    path = Path(path)
    write_atomic(path, render_pdf(frame, doc, page_size=page_size, theme=theme, fonts=fonts, mode=mode))
    return [path]


def _write_pdf(
    frame: Frame, doc: Document | None, target: Path, s: Settings, fonts: FontBook | None, theme: Theme | None
) -> list[Path]:
    if s.max_bytes is None:
        return write_pdf(frame, doc, target, page_size=s.page_size, theme=theme, fonts=fonts)
    data = render_pdf(frame, doc, page_size=s.page_size, theme=theme, fonts=fonts)
    if len(data) > s.max_bytes:
        raise SpecError(
            f"{target.name}: the PDF is {len(data):,} bytes, more than max_bytes {s.max_bytes:,}; "
            "use smaller pictures or fewer pages"
        )
    with AtomicFiles() as files:
        files.add(target, data)
    return [target]


def _write_svg(
    frame: Frame, doc: Document | None, target: Path, s: Settings, fonts: FontBook | None, theme: Theme | None,
    description: str | None = None,
) -> list[Path]:
    from .paint.svg import render_svg

    data = render_svg(frame, doc, theme=theme, fonts=fonts, description=description)
    if s.max_bytes is not None and len(data) > s.max_bytes:
        raise SpecError(f"{target.name}: the SVG is {len(data):,} bytes, more than max_bytes {s.max_bytes:,}")
    with AtomicFiles() as files:
        files.add(target, data)
    return [target]


__all__ = [
    "FORMAT_MAX_HEIGHT",
    "MAX_IMAGE_HEIGHT",
    "Settings",
    "layout",
    "normalise_format",
    "render",
    "render_image",
    "resolve_settings",
    "slice_names",
    "slice_rows",
    "write_frame",
]
