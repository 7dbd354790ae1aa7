"""The gate: every file tushuo opens because of user input passes through here.

A spec is untrusted input: it may name ``../../etc/passwd``, a symlink out of its
folder, a URL, a named pipe, a 2 GB file, or a picture that decodes to gigabytes or
is really PostScript. So specs, data files, CSV tables, templates, themes, fonts and
pictures are all opened through this module, by ``render``, ``check``, ``batch``,
``watch`` and the batch fingerprint alike, and the rules live in one place:

* :func:`resolve_path` — the sandbox: a file name from a spec resolves inside the
  spec's folder (or an extra root such as a data file's folder), never via a symlink
  out of it, never a URL; the result is an existing regular file.
* :func:`read_file` — the size budget per kind of file (:data:`MAX_BYTES`), applied to
  the open descriptor before anything is read; only regular files are read (a FIFO or a
  device would block or never end). Every OSError becomes a SpecError naming the file.
* :func:`gate_read` — both at once: ``ref`` as a spec wrote it, to bytes.
* :func:`open_image` — pictures through an allow-list of formats (:data:`IMAGE_FORMATS`),
  a pixel limit per picture read from the header before decoding, and the
  :class:`PixelBudget` a whole document may decode.

The YAML node budget for specs, templates and data files is applied by the loader
(``tushuo.loader``) on text read through :func:`read_file`; code that needs a parsed tree
(the fingerprint, ``_spec_format``) goes through the loader, never ``yaml.safe_load``.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import struct
import warnings
from collections.abc import Iterable
from pathlib import Path

from .errors import SpecError
from .humanize import human_size
from .lru import BoundedLRU

#: Largest file tushuo reads, per kind. Checked on the open file before reading.
MAX_BYTES: dict[str, int] = {
    "spec": 20 * 1024 * 1024,      # a spec, a template or a --data file (YAML/JSON)
    "data": 20 * 1024 * 1024,      # a CSV or other table
    "theme": 1 * 1024 * 1024,      # a theme file: a few dozen keys
    "font": 64 * 1024 * 1024,      # a CJK font is 10-20 MB; collections more
    "picture": 64 * 1024 * 1024,   # a phone photo is 3-12 MB
}

_KIND_WORDS = {"spec": "spec or data file", "data": "data file", "theme": "theme file", "font": "font file",
               "picture": "picture"}

#: Longest file name (as written in a spec) the gate considers, in characters.
MAX_REF_CHARS = 1024

#: Pictures above this many pixels are refused (Pillow's own guard warns at 89 MP).
MAX_IMAGE_PIXELS = 60_000_000

#: Pillow plugins a picture may be decoded by; no other plugin is ever consulted.
#: PNG, JPEG and WebP are what phones, screenshots and the web produce; GIF and BMP come
#: out of older office documents; TIFF out of scanners. Left out on purpose: EPS/PS and
#: PDF (Pillow hands them to Ghostscript, an external program that runs the file as a
#: program), and the long tail (PSD, ICO, PCX, XPM, SGI, …) nobody puts in an infographic,
#: each one more parser fed untrusted bytes.
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")

#: Longest side to keep of a decoded picture. The widest drawing is a 1080 px page at 2x,
#: or an A6 page at 300 dpi (1240 px): 2400 px is never visibly less; big photos are
#: reduced on decode (JPEG's draft mode decodes at 1/2, 1/4, 1/8 directly).
MAX_KEEP_SIDE = 2400

#: A picture this many times longer than it is wide (or the reverse) cannot be drawn.
MAX_ASPECT = 200

_SCALE_DOWN = "scale it down (2000 px wide is plenty)"
_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*://|//|data:|file:)")


def is_url(ref: str) -> bool:
    """A URL of any scheme (``https://``, ``//host``, ``data:``, ``file:``)."""
    return bool(_URL.match(ref.strip()))


def resolve_path(
    ref: str, base_dir: str | os.PathLike[str] | None, roots: Iterable[str | os.PathLike[str]] = ()
) -> Path:
    """The file ``ref`` names, resolved against ``base_dir`` (the cwd when None).

    The result (after following symlinks) must lie inside ``base_dir`` or one of
    ``roots`` and must be an existing file; anything else is a SpecError saying how to fix it.
    """
    if not isinstance(ref, str) or not ref.strip():
        raise SpecError("empty path: name a file relative to the spec")
    if "\x00" in ref:
        raise SpecError("a file name cannot contain a NUL character (\\0); name a file relative to the spec")
    if len(ref) > MAX_REF_CHARS:
        raise SpecError(f"file name too long: {len(ref):,} characters (at most {MAX_REF_CHARS:,})")
    if is_url(ref):
        raise SpecError(
            f"URLs are not allowed: {ref}: tushuo never accesses the network; download the file next to the spec"
        )
    base = Path(base_dir).resolve() if base_dir is not None else Path.cwd().resolve()
    allowed = list(dict.fromkeys([base, *(Path(r).resolve() for r in roots)]))
    raw = Path(ref).expanduser() if ref.startswith("~") else Path(ref)
    candidate = raw if raw.is_absolute() else base / raw
    try:
        resolved = candidate.resolve()  # follows symlinks; non-strict, so missing files still resolve
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a name the OS refuses
        raise SpecError(f"cannot use the path {ref}: {_why(exc)}") from None

    def inside(p: Path) -> bool:
        return any(p == root or p.is_relative_to(root) for root in allowed)

    where = str(base) if len(allowed) == 1 else ", ".join(map(str, allowed))
    if not inside(resolved):
        lexical = Path(os.path.normpath(candidate))
        if inside(lexical):
            raise SpecError(
                f"'{ref}' is a symlink that points outside the spec's folder (to {resolved}); "
                "copy the file itself into the folder"
            )
        if raw.is_absolute():
            raise SpecError(
                f"absolute path outside the spec's folder: {ref}; copy the file next to the spec "
                f"and name it relative to {where}"
            )
        raise SpecError(
            f"path leaves the spec's folder: {ref} (resolves to {resolved}); "
            f"files must be inside {where}: copy it there"
        )
    try:
        st = resolved.stat()
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise SpecError(
                f"file not found: {ref} (looked in {resolved.parent if raw.is_absolute() else base})"
            ) from None
        raise SpecError(f"cannot use the path {ref}: {_why(exc)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise SpecError(f"not a file: {ref} is a folder; name a file inside it")
    if not stat.S_ISREG(st.st_mode):
        raise SpecError(f"not a regular file: {ref} (a pipe or a device); name an ordinary file")
    return resolved


def _why(exc: BaseException) -> str:
    """An OSError's reason in words (``Permission denied``), without the path repeated."""
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def read_file(path: str | os.PathLike[str], kind: str, *, label: str | None = None, limit: int | None = None) -> bytes:
    """The bytes of ``path``, a file of ``kind`` (a key of :data:`MAX_BYTES`), within its budget.

    ``path`` must already be trusted (from :func:`resolve_path`, a bundled resource, or a
    path the user typed on the command line). The file is opened without blocking, must be
    a regular file, and its size is checked on the descriptor before reading; at most the
    budget is read even if the file grows meanwhile. Errors are SpecErrors whose ``file``
    is ``label`` (default: the path).
    """
    limit = MAX_BYTES[kind] if limit is None else limit
    what = _KIND_WORDS.get(kind, kind)
    name = label if label is not None else os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise SpecError("file not found", file=name) from None
    except IsADirectoryError:
        raise SpecError("this is a folder, not a file", file=name) from None
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read the file: {_why(exc)}", file=name) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise SpecError("this is a folder, not a file", file=name)
        if not stat.S_ISREG(st.st_mode):
            raise SpecError("not a regular file (a pipe or a device): name an ordinary file", file=name)
        if st.st_size > limit:
            size = human_size(st.st_size) if human_size(st.st_size) != human_size(limit) else f"{st.st_size:,} bytes"
            raise SpecError(f"file too large: {size} (a {what} may be at most {human_size(limit)})", file=name)
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise SpecError(f"file too large: more than {human_size(limit)} (a {what} may be at most "
                            f"{human_size(limit)})", file=name)
        return b"".join(chunks)
    except OSError as exc:
        raise SpecError(f"cannot read the file: {_why(exc)}", file=name) from None
    finally:
        os.close(fd)


def gate_read(
    ref: str, base_dir: str | os.PathLike[str] | None, kind: str,
    roots: Iterable[str | os.PathLike[str]] = (),
) -> tuple[Path, bytes]:
    """``ref`` as a spec wrote it: sandboxed by :func:`resolve_path`, read by :func:`read_file`.

    Returns the resolved path and the bytes. Errors are SpecErrors without a file (the
    caller locates them at the field that named ``ref``) except read errors, which name it.
    """
    path = resolve_path(ref, base_dir, roots)
    return path, read_file(path, kind, label=ref)


# --------------------------------------------------------------------------- images
_cache = BoundedLRU(max_entries=32, max_bytes=256 * 1024 * 1024)  # decoded pictures


class PixelBudget:
    """Pixels (from the headers, before decoding) a whole document may decode.

    One per render: 16 pictures each under the per-picture limit can still take
    gigabytes together. The same file named twice counts once.
    """

    def __init__(self, limit: int = 4 * MAX_IMAGE_PIXELS) -> None:
        self.limit = limit
        self.used = 0
        self._seen: set[str] = set()

    def charge(self, key: str, pixels: int, name: str) -> None:
        if key in self._seen:
            return
        if self.used + pixels > self.limit:
            raise SpecError(
                f"pictures too large in total: with {name} the document's pictures hold "
                f"{(self.used + pixels) / 1e6:.0f} megapixels (at most {self.limit / 1e6:g}); {_SCALE_DOWN}"
            )
        self._seen.add(key)
        self.used += pixels

    def admit(self, path: str | os.PathLike[str], max_pixels: int = MAX_IMAGE_PIXELS) -> None:
        """Charge a picture's pixels, read from its header, once per file (before any decoding)."""
        p = Path(path)
        if str(p.resolve()) not in self._seen:
            w, h = _header_size(p, max_pixels)
            self.charge(str(p.resolve()), w * h, p.name)


def open_image(path: str | os.PathLike[str], max_pixels: int = MAX_IMAGE_PIXELS,
               budget: PixelBudget | None = None):  # noqa: ANN201 - PIL.Image.Image
    """A decoded picture in mode RGB or RGBA, upright (EXIF orientation applied), file closed.

    Refuses with a SpecError: files that are not images of :data:`IMAGE_FORMATS`, damaged
    or truncated files, oversized metadata chunks, pictures over ``max_pixels`` or longer
    than :data:`MAX_ASPECT` to one (checked from the header, before decoding), and pictures
    that would take ``budget`` (the document's) over its limit. Pictures larger than
    :data:`MAX_KEEP_SIDE` are reduced while decoding. CMYK, 16-bit, palette and grey
    pictures are converted; an embedded colour profile is converted to sRGB. Results are
    cached per (path, mtime, size); each call returns its own copy, so callers may modify it.
    """
    p = Path(path)
    try:
        st = p.stat()
        key = (str(p.resolve()), st.st_mtime_ns, st.st_size, max_pixels)
    except (OSError, ValueError):
        raise SpecError(f"file not found: {p.name}") from None
    if budget is not None:
        budget.admit(p, max_pixels)
    hit = _cache.get_or_make(key, lambda: _decode(p, max_pixels), lambda im: im.width * im.height * len(im.getbands()))
    return hit.copy()


def _header_size(p: Path, max_pixels: int) -> tuple[int, int]:
    """(width, height) from the header alone (the file is opened by the allow-listed plugins)."""
    import io

    im = _identify(io.BytesIO(read_file(p, "picture", label=p.name)), p, max_pixels)
    with im:
        return im.size


def _identify(fh, p: Path, max_pixels: int):  # noqa: ANN001, ANN202
    """The opened (not decoded) picture, its size checked; only IMAGE_FORMATS are tried."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Our own budget (below Pillow's) decides; Pillow's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(fh, formats=IMAGE_FORMATS)
    except UnidentifiedImageError:
        raise SpecError(
            f"not an image: {p.name} (or a format tushuo does not read; use PNG, JPEG or WebP)"
        ) from None
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)) / 1e6:.0f} megapixels" if found else "too many pixels"
        raise SpecError(
            f"image too large: {size} (the limit is {max_pixels / 1e6:g}): {p.name}; {_SCALE_DOWN}"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise SpecError(f"cannot read image {p.name}: {_chunk_reason(exc)}") from None
    w, h = im.size
    if w * h > max_pixels:
        im.close()
        raise SpecError(
            f"image too large: {w} x {h} px ({w * h / 1e6:.0f} megapixels; the limit is "
            f"{max_pixels / 1e6:g}): {p.name}; {_SCALE_DOWN}"
        )
    if w < 1 or h < 1 or max(w, h) > MAX_ASPECT * min(w, h):
        im.close()
        raise SpecError(
            f"image has an impossible shape: {w} x {h} px (at most {MAX_ASPECT} times longer than wide): {p.name}"
        )
    return im


def _chunk_reason(exc: BaseException) -> str:
    text = str(exc)
    if "too large" in text.lower() or "decompressed data" in text.lower():
        return f"a metadata block is too large ({text}); save the picture again without metadata"
    return text or type(exc).__name__


def _decode(p: Path, max_pixels: int):  # noqa: ANN202
    import io

    from PIL import ImageOps

    im = _identify(io.BytesIO(read_file(p, "picture", label=p.name)), p, max_pixels)
    with im:
        w, h = im.size
        if max(w, h) > MAX_KEEP_SIDE and im.format == "JPEG":
            scale = MAX_KEEP_SIDE / max(w, h)
            im.draft(im.mode if im.mode in ("RGB", "L", "CMYK") else None, (int(w * scale) + 1, int(h * scale) + 1))
        try:
            im.load()
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError, struct.error) as exc:
            raise SpecError(f"damaged or truncated image: {p.name} ({_chunk_reason(exc)})") from None
        if max(im.size) > MAX_KEEP_SIDE:
            try:
                im_use = _reduce(im, -(-max(im.size) // MAX_KEEP_SIDE))
            except (ValueError, OSError) as exc:
                raise SpecError(f"damaged or truncated image: {p.name} ({_chunk_reason(exc)})") from None
            im_use.info = im.info
        else:
            im_use = im
        try:
            out = ImageOps.exif_transpose(im_use)
        except Exception:  # noqa: BLE001 - a broken EXIF block must not stop the picture
            out = im_use
        out = _to_rgb(out)
        if out is im:
            out = im.copy()
    return out


#: modes Image.reduce averages as colours ("P"/"PA" hold palette indices, "1" and "I;16" it refuses)
_REDUCIBLE = frozenset({"L", "LA", "La", "RGB", "RGBA", "RGBa", "CMYK", "YCbCr", "I", "F"})

#: rows of a picture converted at a time by :func:`_reduce` (about 10 MB of RGBA at 10,000 px wide)
_STRIP_ROWS = 256


def _reduce(im, factor: int):  # noqa: ANN001, ANN202
    """``im`` shrunk ``factor`` times each way (box average). Other modes are converted to
    colours a strip of rows at a time, so a full-size conversion (a 7,700 px palette or 1-bit
    picture: 59 MB held as 237 MB of RGBA) never exists; the strips' rows are a multiple of
    ``factor``, so the result is the reduce of the whole conversion."""
    from PIL import Image

    if im.mode in _REDUCIBLE:
        return im.reduce(factor)
    w, h = im.size
    step = factor * max(1, _STRIP_ROWS // factor)
    out = None
    for y in range(0, h, step):
        part = _colours(im.crop((0, y, w, min(h, y + step)))).reduce(factor)
        if out is None:
            out = Image.new(part.mode, (-(-w // factor), -(-h // factor)))
        out.paste(part, (0, y // factor))
    return out


def _colours(im):  # noqa: ANN001, ANN202
    """A picture in a mode whose channels are colours: 1-bit → L, palette → RGB(A), 16-bit → L."""
    if im.mode == "1":
        return im.convert("L")
    if im.mode in ("P", "PA"):
        return im.convert("RGBA" if im.mode == "PA" or "transparency" in im.info else "RGB")
    if im.mode.startswith("I;16"):
        return _grey8(im, 65535.0)
    return im.convert("RGB")


def _grey8(im, hi: float):  # noqa: ANN001, ANN202
    """16-bit / 32-bit grey scaled to 8 bits (convert() would clip everything above 255 to white)."""
    return im.convert("F").point(lambda v: v * (255.0 / hi)).convert("L")


def _to_rgb(im):  # noqa: ANN001, ANN202
    """RGB or RGBA, converted to sRGB when a colour profile is embedded."""
    mode = im.mode
    icc = im.info.get("icc_profile")
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        im = _grey8(im, 65535.0 if mode.startswith("I;16") or (im.getextrema()[1] or 0) > 255 else 255.0)
        mode = "L"
    if icc and mode in ("RGB", "RGBA", "CMYK", "L", "LA"):
        converted = _profile_to_srgb(im, icc)
        if converted is not None:
            return converted
    if mode in ("RGB", "RGBA"):
        return im
    has_alpha = mode in ("LA", "PA", "La", "RGBa") or (mode == "P" and "transparency" in im.info) or (
        mode in ("L", "RGB", "1") and "transparency" in im.info
    )
    return im.convert("RGBA" if has_alpha else "RGB")


def _profile_to_srgb(im, icc: bytes):  # noqa: ANN001, ANN202
    import io

    try:
        from PIL import ImageCms

        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        dst = ImageCms.createProfile("sRGB")
        alpha = im.getchannel("A") if im.mode in ("RGBA", "LA") else None
        base = im.convert("RGB" if im.mode == "RGBA" else "L") if alpha is not None else im
        out = ImageCms.profileToProfile(base, src, dst, outputMode="RGB")
        if out is None:
            return None
        if alpha is not None:
            out.putalpha(alpha)
        return out
    except Exception:  # noqa: BLE001 - a bad or unsupported profile: fall back to a plain conversion
        return None


# --------------------------------------------------------------------------- fonts
#: Highest Unicode code point; a cmap may map at most this many + 1 characters.
_MAX_CODEPOINT = 0x10FFFF
_MAX_TABLES = 200


def check_font(data: bytes, name: str) -> None:  # noqa: C901 - over the limit when the complexity rule came in
    """Refuse a font file whose tables would drive a parser out of bounds (a SpecError naming it).

    fontTools, reportlab and tushuo's own bulk reader loop over ranges and counts read
    from the file; a damaged or hostile font (a cmap group ending at 0x7FFFFFFF, a table
    past the end of a truncated file) makes them allocate gigabytes or fail deep inside.
    This checks, before any of them runs: the table directory lies inside the file, the
    tables every renderer needs exist, glyph and metric counts agree with table sizes, and
    every cmap subtable of format 4, 12 or 13 maps code points inside Unicode's range, in
    total no more than Unicode holds.
    """

    def bad(why: str) -> SpecError:
        return SpecError(f"damaged font file {name}: {why}; use the font as its maker ships it")

    size = len(data)
    try:
        tag = data[:4]
        base = 0
        if tag == b"ttcf":
            (count,) = struct.unpack_from(">I", data, 8)
            if count < 1:
                raise bad("an empty font collection")
            (base,) = struct.unpack_from(">I", data, 12)
            tag = data[base : base + 4]
        if tag not in (b"\x00\x01\x00\x00", b"true", b"OTTO"):
            raise bad("not a TrueType or OpenType font")
        (n_tables,) = struct.unpack_from(">H", data, base + 4)
        if n_tables > _MAX_TABLES:
            raise bad(f"{n_tables} tables")
        tables: dict[bytes, tuple[int, int]] = {}
        for i in range(n_tables):
            t, _, off, length = struct.unpack_from(">4sIII", data, base + 12 + 16 * i)
            if off + length > size:
                raise bad(f"table '{t.decode('latin-1')}' reaches past the end of the file (truncated?)")
            tables[t] = (off, length)
        for need in (b"cmap", b"head", b"hhea", b"hmtx", b"maxp"):
            if need not in tables:
                raise bad(f"no '{need.decode()}' table")
        (n_glyphs,) = struct.unpack_from(">H", data, tables[b"maxp"][0] + 4)
        if n_glyphs < 1:
            raise bad("no glyphs")
        (n_hm,) = struct.unpack_from(">H", data, tables[b"hhea"][0] + 34)
        if not 1 <= n_hm <= n_glyphs or tables[b"hmtx"][1] < 4 * n_hm + 2 * (n_glyphs - n_hm):
            raise bad("the horizontal metrics do not match the glyph count")
        if b"glyf" in tables:
            if b"loca" not in tables:
                raise bad("no 'loca' table")
            (loca_format,) = struct.unpack_from(">h", data, tables[b"head"][0] + 50)
            if loca_format not in (0, 1) or tables[b"loca"][1] < (n_glyphs + 1) * (2 << loca_format):
                raise bad("the glyph locations do not match the glyph count")
        _check_cmap(data, *tables[b"cmap"], bad)
    except struct.error:
        raise bad("a table is cut short (truncated?)") from None


def _check_cmap(data: bytes, start: int, length: int, bad) -> None:  # noqa: ANN001 - bad: (str) -> SpecError
    end = start + length
    (n_sub,) = struct.unpack_from(">H", data, start + 2)
    if 4 + 8 * n_sub > length:
        raise bad("the character map's directory is cut short")
    for i in range(n_sub):
        (off,) = struct.unpack_from(">I", data, start + 4 + 8 * i + 4)
        sub = start + off
        if sub + 4 > end:
            raise bad("a character map lies outside its table")
        (fmt,) = struct.unpack_from(">H", data, sub)
        if fmt == 4:
            (sub_len,) = struct.unpack_from(">H", data, sub + 2)
            (seg_x2,) = struct.unpack_from(">H", data, sub + 6)
            if seg_x2 % 2 or sub + 16 + 4 * seg_x2 > min(end, sub + sub_len):
                raise bad("a format 4 character map is cut short")
            seg = seg_x2 // 2
            total = 0
            for n in range(seg):
                (e,) = struct.unpack_from(">H", data, sub + 14 + 2 * n)
                (s,) = struct.unpack_from(">H", data, sub + 16 + seg_x2 + 2 * n)
                if s > e:
                    raise bad("a format 4 character map has a range that ends before it starts")
                total += e - s + 1
            if total > 0x10000:
                raise bad(f"a format 4 character map maps {total:,} characters (at most 65,536)")
        elif fmt in (12, 13):
            sub_len, _, n_groups = struct.unpack_from(">III", data, sub + 4)
            if sub + 16 + 12 * n_groups > min(end, sub + sub_len):
                raise bad(f"a format {fmt} character map is cut short")
            total = 0
            for s, e, _g in struct.iter_unpack(">III", data[sub + 16 : sub + 16 + 12 * n_groups]):
                if s > e or e > _MAX_CODEPOINT:
                    raise bad(f"a character map range U+{s:04X}..U+{e:04X} lies outside Unicode")
                total += e - s + 1
            if total > _MAX_CODEPOINT + 1:
                raise bad(f"a character map maps {total:,} characters, more than Unicode holds")
