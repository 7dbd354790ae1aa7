"""Writing a document: PNG / JPEG / WebP painted here, PDF and SVG by their painters.

Options come from, in order: the explicit argument, the document's ``output``
section, the defaults here. Every write is atomic: files are written to temporary
names in the target folder and renamed only when all of them are complete, so a
failed render leaves nothing behind (slices included).

PNG is written by ``_PngWriter`` (not Pillow's encoder), band by band as the painter
paints: rows unfiltered (photos' rows Up-filtered), zlib level 3. Measured on the
1080 x 5,666 px benchmark page (CPU time, one core): Pillow's adaptive filters cost
165 ms at level 1, 169 ms / 584 KiB at 3, 213 ms / 547 KiB at its default 6, 854 ms /
528 KiB at 9; unfiltered rows take 50 ms / 541 KiB at 1, 61 ms / 509 KiB at 3, 141 ms /
442 KiB at 6 and 520 ms / 405 KiB at 9 (Chromium's PNG of the same page: 707 KiB).
Level 3 is the last fast level (4 and up switch zlib to lazy matching); 9 is tried
only to meet ``max_bytes``. A 256-colour
palette (octree) is 3x smaller with a mean error of 2/255 and is used only when
``max_bytes`` asks for it and the error stays under ``_LOSSY_PALETTE``. JPEG keeps full
chroma (4:4:4) at quality >= 80 because red text on white smears with 4:2:0.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RenderError, SpecError
from .atomic import AtomicFiles

if TYPE_CHECKING:
    from collections.abc import Callable

    from PIL.Image import Image

    from ..frame import Frame
    from ..layout.context import LayoutContext
    from ..spec.document import Document
    from ..text.fonts import FontBook

#: The tallest single image written (px). Taller documents are sliced or made into a PDF.
MAX_IMAGE_HEIGHT = 200_000
#: Format limits of one image (px): libjpeg's 65,500 and WebP's 16,383.
FORMAT_MAX_HEIGHT = {"jpeg": 65_500, "webp": 16_383, "png": MAX_IMAGE_HEIGHT}
#: Slices shorter than this make no sense (and would make thousands of files).
MIN_SLICE_HEIGHT = 100
#: Lowest JPEG/WebP quality tried when fitting ``max_bytes``.
MIN_QUALITY = 30
DEFAULT_QUALITY = 90
PNG_LEVEL = 3
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


# -- public entry points ---------------------------------------------------------------
def layout(
    doc: Document, *, width: float | None = None, theme: Any = None, allow_missing_glyphs: bool = False,
    script: str | None = None,
) -> tuple[Frame, LayoutContext]:
    """The document laid out once (the frame every painter reads) and its context.

    ``script`` (default: the document's) converts the words first; ``ctx.doc`` is the
    converted document.
    """
    import warnings

    from ..errors import TushuoWarning
    from ..inputs import make_context
    from ..layout.stack import layout_document
    from ..script import apply_script

    doc = apply_script(doc, script)

    ctx = make_context(doc, width=width, theme=theme, allow_missing_glyphs=allow_missing_glyphs)
    frame = layout_document(doc, ctx)
    for note in ctx.warnings:  # e.g. characters drawn as boxes: the caller (the CLI) shows them
        warnings.warn(note, TushuoWarning, stacklevel=3)
    return frame, ctx


def render_image(
    doc: Document,
    *,
    width: float | None = None,
    theme: Any = None,
    allow_missing_glyphs: bool = False,
    scale: float = 1.0,
    script: str | None = None,
) -> Image:
    """The whole long image as a PIL image (RGB, or RGBA on a transparent background)."""
    from .raster import paint

    frame, ctx = layout(doc, width=width, theme=theme, allow_missing_glyphs=allow_missing_glyphs, script=script)
    height = round(frame.height * scale)
    if height > MAX_IMAGE_HEIGHT:
        raise SpecError(
            f"the image would be {height:,} px tall, more than the {MAX_IMAGE_HEIGHT:,} px tushuo paints at once; "
            "write slices (render(..., slice_height=1920)) or a PDF instead"
        )
    return paint(frame, scale=scale, fonts=ctx.fonts)


def render(
    doc: Document,
    out: str | os.PathLike[str],
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
    """Lay out ``doc`` and write it to ``out``; the paths written, in order.

    ``describe`` (default: ``doc.output.describe``) also writes the companion NAME.md
    (tushuo.describe) beside the output, listed last.

    The format follows ``format=``, else the suffix of ``out``, else ``doc.output.format``,
    else PNG. A folder (``out`` ending in '/', an existing folder, or a name without a
    suffix) receives numbered slices; ``slice_height`` beside a file name gives
    ``name-01.png``, ``name-02.png`` … ``max_bytes`` caps each file written.
    """
    target, folder = _target(out)
    settings = resolve_settings(
        target,
        folder,
        doc,
        format=format,
        quality=quality,
        slice_height=slice_height,
        max_bytes=max_bytes,
        page_size=page_size,
    )
    frame, ctx = layout(doc, width=width, theme=theme, allow_missing_glyphs=allow_missing_glyphs, script=script)
    words = ctx.doc if ctx.doc is not None else doc  # the words as drawn (script converted)
    info = _file_info(doc, frame, ctx, words.script)
    try:
        paths = write_frame(frame, target, settings, doc=words, fonts=ctx.fonts, theme=ctx.theme, folder=folder,
                            info=info)
        if describe if describe is not None else doc.output.describe:
            paths.append(_companion(doc, frame, target, folder, paths, ctx, words.script))
        return paths
    except SpecError as exc:
        # too tall, too many bytes: about this spec, so name it (the message alone was unplaced)
        if exc.file is not None or not getattr(doc, "_source_file", None):
            raise
        raise SpecError(exc.message, file=doc._source_file, path=exc.path) from None


def _file_info(doc: Document, frame: Frame, ctx: Any, script: str) -> Callable[[list[tuple[float, float]]], list[Any]]:
    """What each written file says about itself (title, description, language), by band of the frame.

    One file: the document's title and the whole document in words; slices: the title
    with the slice's place and what it covers (the short alternative).
    """
    from ..describe import describe_document, plain, slice_alternatives
    from ..script import LANG, convert_text
    from .metadata import FileInfo

    def info(bands: list[tuple[float, float]]) -> list[FileInfo]:
        lang = LANG[script]
        title = convert_text(plain(doc.title), script)
        if len(bands) == 1:
            return [FileInfo(title, describe_document(doc, ctx=ctx, script=script).text.strip(), lang)]
        alts = slice_alternatives(doc, frame, bands)
        n = len(bands)
        return [FileInfo(convert_text(f"{plain(doc.title)}（第{k}张，共{n}张）", script), convert_text(a, script), lang)
                for k, a in enumerate(alts, 1)]

    return info


def _companion(doc: Document, frame: Frame, target: Path, folder: bool, paths: list[Path], ctx: Any,
               script: str) -> Path:
    """The companion beside the outputs; slices are mapped back to frame bands by their heights."""
    from ..describe import write_companion

    bands = None
    if len(paths) > 1 and paths[0].suffix.lower() in FORMAT_OF_SUFFIX and normalise_format(paths[0].suffix) in RASTER:
        from PIL import Image as PILImage

        bands, y = [], 0.0
        for p in paths:
            with PILImage.open(p) as im:
                w, h = im.size
            scale = w / frame.width
            bands.append((y, y + h / scale))
            y += h / scale
    return write_companion(doc, target, folder, paths, frame, bands, ctx=ctx, script=script)


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
    """Write an already laid-out frame (``options`` as in ``render`` when ``settings`` is None).

    ``info`` gives each file's title and description (metadata.FileInfo) from the bands
    of the frame it shows; None writes none.
    """
    target, is_folder = _target(out)
    folder = is_folder if folder is None else folder
    if settings is None:
        settings = resolve_settings(target, folder, doc, **options)
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
    target: Path,
    folder: bool,
    doc: Document | None,
    *,
    format: str | None = None,
    quality: int | None = None,
    slice_height: int | None = None,
    max_bytes: int | None = None,
    page_size: str | None = None,
) -> Settings:
    """Settle every option: explicit argument > doc.output > default; check their ranges."""
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
    from .raster import Painter

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

    from .metadata import add_metadata

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
    from ..layout.paginate import cut_frame

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

        from ..assets import read_file

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

        from ..assets import read_file

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
        import hashlib
        import json

        from .atomic import write_atomic

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
        slices = {n.name: hashlib.sha256(n.read_bytes()).hexdigest() for n in names}
        write_atomic(self.path, json.dumps({"tushuo": 1, "slices": slices}, indent=1).encode())


# -- encoding -----------------------------------------------------------------------------
def encode(
    im: Image, fmt: str, quality: int = DEFAULT_QUALITY, max_bytes: int | None = None, *, name: str = ""
) -> bytes:
    """The image file's bytes; with ``max_bytes``, re-encoded smaller until it fits."""
    if fmt == "png":
        data = _png(im, PNG_LEVEL)
        if max_bytes is None or len(data) <= max_bytes:
            return data
        return _fit_png(im, data, max_bytes, name)
    data = _lossy(im, fmt, quality)
    if max_bytes is None or len(data) <= max_bytes:
        return data
    return _fit_lossy(im, fmt, quality, max_bytes, len(data), name)


def _save(im: Image, **kw: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, **kw)
    return buf.getvalue()


def _png(im: Image, level: int) -> bytes:
    colors = im.getcolors(256)  # None past 256 colours (stops early: cheap)
    if colors is not None and im.mode in ("RGB", "RGBA"):
        pal = _exact_palette(im, colors)
        if pal is not None:
            return _save(pal, format="PNG", compress_level=level)
    if im.mode not in _PNG_BPP:
        return _save(im, format="PNG", compress_level=level)
    w = _PngWriter(im.width, im.height, im.mode, level)
    for y in range(0, im.height, PNG_BAND):
        w.feed(im.crop((0, y, im.width, min(im.height, y + PNG_BAND))))
    return w.finish()


#: bytes per pixel of the modes the PNG writer takes (others go to Pillow's encoder)
_PNG_BPP = {"RGB": 3, "RGBA": 4}
#: rows painted, filtered and compressed at a time
PNG_BAND = 512


#: deflate's window: a part is primed with this much of the data before it
_WINDOW = 32768
_ADLER_BASE = 65521


def _deflate_part(data: bytes, zdict: bytes, level: int, last: bool) -> tuple[bytes, int, int]:
    """``data`` as raw deflate blocks, matches reaching back into ``zdict``, ending on a byte
    boundary (a sync flush) or, for the ``last`` part, with the stream's last block; with its
    Adler-32 and length (zlib releases the GIL for both, so parts compress in parallel)."""
    import zlib

    z = zlib.compressobj(level, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, zdict) if zdict else (
        zlib.compressobj(level, zlib.DEFLATED, -15, 9)
    )
    body = z.compress(data)
    return body + z.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH), zlib.adler32(data), len(data)


def _adler32_combine(a: int, b: int, len_b: int) -> int:
    """The Adler-32 of two buffers joined, from each one's (zlib's adler32_combine)."""
    rem = len_b % _ADLER_BASE
    s1 = a & 0xFFFF
    s2 = (rem * s1) % _ADLER_BASE
    s1 = (s1 + (b & 0xFFFF) + _ADLER_BASE - 1) % _ADLER_BASE
    s2 = (s2 + (a >> 16) + (b >> 16) + _ADLER_BASE - rem) % _ADLER_BASE
    return s1 | (s2 << 16)


class _PngWriter:
    """A PNG written band by band: rows unfiltered except where ``up`` asks for the Up filter.

    Why not Pillow's encoder: it picks a filter per row by trying all five (adaptive),
    which costs as much as the compression itself and, on flat infographic pixels,
    loses to no filter at all (text repeats byte for byte from line to line; filtered
    rows no longer do). Photos compress better with Up, so their rows use it.
    Each band is deflated on its own (``_deflate_part``), primed with the last 32 KiB
    of the rows before it as a preset dictionary, and the parts are joined into one
    zlib stream (as pigz does): with ``threaded`` two workers compress bands at once
    on two cores while the caller paints the next band. The bytes do not depend on
    ``threaded`` or on the number of cores; the file is within a few bytes of one
    sequential deflate (a 5-byte sync marker per band, matches across a band's top
    edge still found through the dictionary).
    """

    def __init__(self, width: int, height: int, mode: str, level: int, *, threaded: bool = False) -> None:
        import zlib

        self.width, self.height, self.mode = width, height, mode
        self.stride = width * _PNG_BPP[mode]
        self._level = level
        self._header = zlib.compress(b"", level)[:2]  # the zlib header for this level
        self._dict = b""  # the last 32 KiB fed (the next part's preset dictionary)
        self._out: list[tuple[bytes, int, int]] = []
        self._prev: Image | None = None  # the last row fed (the Up filter's row above)
        self._rows = 0
        self._pool = None
        self._pending: list[Any] = []
        if threaded:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(2, thread_name_prefix="tushuo-png")

    def feed(self, band: Image, up: list[tuple[int, int]] | None = None) -> None:
        """Append the rows of ``band`` (mode and width as the writer's); ``up``: rows [a, b) to Up-filter."""
        from itertools import chain

        if band.mode != self.mode or band.width != self.width:
            raise RenderError(f"PNG band of {band.mode} {band.size}, expected {self.mode} width {self.width}")
        h, st = band.height, self.stride
        raw = memoryview(band.tobytes())
        if up:
            filt = memoryview(self._up(band).tobytes())
            pick = [raw] * h
            kinds = [b"\0"] * h
            for a, b in up:
                for r in range(max(0, a), min(h, b)):
                    pick[r], kinds[r] = filt, b"\2"
            rows = ((kinds[r], pick[r][r * st : (r + 1) * st]) for r in range(h))
            data = b"".join(chain.from_iterable(rows))
        else:
            data = b"".join(chain.from_iterable((b"\0", raw[i : i + st]) for i in range(0, h * st, st)))
        self._prev = band.crop((0, h - 1, band.width, h))
        self._rows += h
        zdict, self._dict = self._dict, data[-_WINDOW:]
        last = self._rows >= self.height
        if self._pool is not None:
            self._pending.append(self._pool.submit(_deflate_part, data, zdict, self._level, last))
        else:
            self._out.append(_deflate_part(data, zdict, self._level, last))

    def _up(self, band: Image) -> Image:
        from PIL import Image as PILImage
        from PIL import ImageChops

        above = PILImage.new(band.mode, band.size, 0)
        if self._prev is not None:
            above.paste(self._prev, (0, 0))
        above.paste(band.crop((0, 0, band.width, band.height - 1)), (0, 1))
        return ImageChops.subtract_modulo(band, above)

    def finish(self) -> bytes:
        import struct
        import zlib

        try:
            for f in self._pending:
                self._out.append(f.result())
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
        if self._rows != self.height:
            raise RenderError(f"PNG writer got {self._rows} rows, expected {self.height}")
        check = 1
        for _, adler, n in self._out:
            check = _adler32_combine(check, adler, n)
        idat = b"".join([self._header, *(part for part, _, _ in self._out), struct.pack(">I", check)])
        color_type = 2 if self.mode == "RGB" else 6

        def chunk(kind: bytes, body: bytes) -> bytes:
            crc = zlib.crc32(body, zlib.crc32(kind))
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

        ihdr = struct.pack(">IIBBBBB", self.width, self.height, 8, color_type, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")

    def close(self) -> None:
        if self._pool is not None:
            for f in self._pending:
                f.cancel()
            self._pool.shutdown(wait=True, cancel_futures=True)


def stream_png(
    painter: Any, r0: int, r1: int, *, photos: list[tuple[int, int]] | None = None, level: int | None = None
) -> bytes:
    """Device rows [r0, r1) of ``painter``'s frame as a PNG, painted and compressed band by band.

    Compression of one band overlaps painting of the next, and the whole image never
    exists at once (a 60,000 px handbook needs one band of pixels, not 200 MB). Up to
    256 colours give an exact palette PNG, as ``encode`` does: bands are kept while
    their colours fit a palette.
    """
    from PIL import Image as PILImage

    level = PNG_LEVEL if level is None else level
    photos = photos or []
    writer: _PngWriter | None = None
    held: list[Image] = []  # bands not yet fed: their colours still fit a palette
    colours: set[Any] | None = set()
    buffer = None  # one band image, painted over again for each band once its bytes are taken
    try:
        for y in range(r0, r1, PNG_BAND):
            y1 = min(r1, y + PNG_BAND)
            band = buffer = painter.paint_rows(y, y1, into=buffer)
            if writer is None:
                threaded = (os.cpu_count() or 1) > 1
                writer = _PngWriter(painter.width_px, r1 - r0, band.mode, level, threaded=threaded)
            if colours is not None and band.mode == "RGB":
                found = band.getcolors(256)
                if found is not None:
                    colours.update(c for _, c in found)
                if found is not None and len(colours) <= 256:
                    held.append(band.copy())
                    continue
                colours = None
                for k, b in enumerate(held):
                    writer.feed(b, _up_rows(photos, y - (len(held) - k) * PNG_BAND, b.height))
                held = []
            writer.feed(band, _up_rows(photos, y, band.height))
        if held:
            whole = PILImage.new("RGB", (painter.width_px, r1 - r0))
            for k, b in enumerate(held):
                whole.paste(b, (0, k * PNG_BAND))
            return _png(whole, level)
        assert writer is not None
        return writer.finish()
    finally:
        if writer is not None:
            writer.close()


def _up_rows(photos: list[tuple[int, int]], top: int, height: int) -> list[tuple[int, int]]:
    """Rows of a band (relative to its ``top``) that hold photos."""
    return [(a - top, b - top) for a, b in photos if a < top + height and b > top]


def _photo_rows(frame: Frame, scale: float) -> list[tuple[int, int]]:
    """Device rows covered by raster pictures (not charts): the rows where the Up filter pays."""
    from ..frame import Image as ImageOp

    spans = []
    for op in frame.walk():
        if isinstance(op, ImageOp) and op.image is not None and op.producer is None:
            spans.append((math.floor(op.y * scale), math.ceil((op.y + op.h) * scale)))
    return spans


def _exact_palette(im: Image, colors: list[tuple[int, Any]]) -> Image | None:
    """A palette image with exactly the same pixels (lossless), or None."""
    from PIL import Image as PILImage
    from PIL import ImageChops

    if im.mode == "RGBA":
        return None  # palette transparency support varies by viewer; keep RGBA
    pal = im.quantize(colors=len(colors), method=PILImage.Quantize.MEDIANCUT, dither=PILImage.Dither.NONE)
    if ImageChops.difference(pal.convert("RGB"), im).getbbox() is not None:
        return None
    return pal


def _lossy(im: Image, fmt: str, quality: int) -> bytes:
    if fmt == "jpeg":
        rgb = im if im.mode == "RGB" else _flatten(im)
        sub = 0 if quality >= 80 else 2
        try:
            return _save(rgb, format="JPEG", quality=quality, optimize=True, subsampling=sub)
        except OSError:  # Pillow's optimize buffer is w*h bytes; a busy picture (foliage, crowds) needs more
            return _save(rgb, format="JPEG", quality=quality, subsampling=sub)
    return _save(im, format="WEBP", quality=quality, method=4)


def _flatten(im: Image) -> Image:
    """JPEG has no alpha: a transparent background becomes white."""
    from PIL import Image as PILImage

    rgba = im.convert("RGBA")
    base = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
    base.alpha_composite(rgba)
    return base.convert("RGB")


def _fit_lossy(im: Image, fmt: str, quality: int, max_bytes: int, size: int, name: str) -> bytes:
    """Binary search for the highest quality whose file fits ``max_bytes``."""
    lo, hi = MIN_QUALITY, quality - 1
    best: bytes | None = None
    smallest = size
    if hi >= lo:
        data = _lossy(im, fmt, lo)
        smallest = min(smallest, len(data))
        if len(data) <= max_bytes:
            best = data
            lo += 1
            while lo <= hi:
                mid = (lo + hi) // 2
                data = _lossy(im, fmt, mid)
                if len(data) <= max_bytes:
                    best, lo = data, mid + 1
                else:
                    hi = mid - 1
    if best is None:
        raise SpecError(
            f"{name or 'the image'}: cannot fit in {max_bytes:,} bytes as {fmt.upper()}: the smallest was "
            f"{smallest:,} bytes (quality {min(quality, MIN_QUALITY)}); use slice_height, a smaller width"
            + (" or WebP" if fmt == "jpeg" else "")
        )
    return best


#: A palette is "visually lossless" when the mean channel error is at most 3/255 and
#: at most 0.1 % of pixels are off by more than 24/255 in any channel.
_LOSSY_PALETTE = (3.0, 24, 0.001)


def _fit_png(im: Image, data: bytes, max_bytes: int, name: str) -> bytes:
    """Stronger zlib, then a 256-colour palette if it is visually lossless; else a clear error."""
    from PIL import Image as PILImage

    smallest = len(data)
    strong = _png(im, 9)
    if im.mode in _PNG_BPP:  # Pillow's per-row filters win on photos; take whichever is smaller
        strong = min(strong, _save(im, format="PNG", compress_level=9), key=len)
    smallest = min(smallest, len(strong))
    if len(strong) <= max_bytes:
        return strong
    note = ""
    if im.mode == "RGB":
        pal = im.quantize(256, method=PILImage.Quantize.FASTOCTREE, dither=PILImage.Dither.NONE)
        if _close_enough(im, pal.convert("RGB")):
            quant = _save(pal, format="PNG", compress_level=9)
            smallest = min(smallest, len(quant))
            if len(quant) <= max_bytes:
                return quant
        else:
            note = " (a 256-colour palette would change the picture visibly)"
    raise SpecError(
        f"{name or 'the image'}: cannot fit in {max_bytes:,} bytes: the smallest PNG was {smallest:,} bytes{note}; "
        "try format jpeg or webp, or slice_height"
    )


def _close_enough(a: Image, b: Image) -> bool:
    from PIL import ImageChops, ImageStat

    diff = ImageChops.difference(a, b)
    mean_max, over_max, share = _LOSSY_PALETTE
    if max(ImageStat.Stat(diff).mean) > mean_max:
        return False
    worst = diff.getchannel(0)
    for band in (1, 2):
        worst = ImageChops.lighter(worst, diff.getchannel(band))
    hist = worst.histogram()
    return sum(hist[over_max + 1 :]) <= share * a.width * a.height


# -- PDF and SVG ---------------------------------------------------------------------------
def _write_pdf(
    frame: Frame, doc: Document | None, target: Path, s: Settings, fonts: Any, theme: Any
) -> list[Path]:
    from . import pdf

    if s.max_bytes is None:
        return [
            Path(p)
            for p in pdf.write_pdf(frame, doc, target, page_size=s.page_size, theme=theme, fonts=fonts)
        ]
    data = pdf.render_pdf(frame, doc, page_size=s.page_size, theme=theme, fonts=fonts)
    if len(data) > s.max_bytes:
        raise SpecError(
            f"{target.name}: the PDF is {len(data):,} bytes, more than max_bytes {s.max_bytes:,}; "
            "use smaller pictures or fewer pages"
        )
    with AtomicFiles() as files:
        files.add(target, data)
    return [target]


def _write_svg(
    frame: Frame, doc: Document | None, target: Path, s: Settings, fonts: Any, theme: Any,
    description: str | None = None,
) -> list[Path]:
    from .svg import render_svg

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
    "encode",
    "layout",
    "normalise_format",
    "render",
    "render_image",
    "resolve_settings",
    "slice_names",
    "slice_rows",
    "write_frame",
]
