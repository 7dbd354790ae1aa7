"""Files a spec names (pictures, data files, templates): the path sandbox and safe image opening.

A spec is untrusted input: it may name ``../../etc/passwd``, a symlink out of its
folder, a URL, or a picture that decodes to gigabytes. Every path goes through
``resolve_path`` and every picture through ``open_image``, so these rules live in one place.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

from .errors import SpecError
from .lru import BoundedLRU

#: Pictures above this many pixels are refused (Pillow's own guard warns at 89 MP).
MAX_IMAGE_PIXELS = 60_000_000

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
    if is_url(ref):
        raise SpecError(
            f"URLs are not allowed: {ref}: tushuo never accesses the network; download the file next to the spec"
        )
    base = Path(base_dir).resolve() if base_dir is not None else Path.cwd().resolve()
    allowed = list(dict.fromkeys([base, *(Path(r).resolve() for r in roots)]))
    raw = Path(ref).expanduser() if ref.startswith("~") else Path(ref)
    candidate = raw if raw.is_absolute() else base / raw
    resolved = candidate.resolve()  # follows symlinks; non-strict, so missing files still resolve

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
    if not resolved.exists():
        raise SpecError(f"file not found: {ref} (looked in {resolved.parent if raw.is_absolute() else base})")
    if not resolved.is_file():
        raise SpecError(f"not a file: {ref} is a folder; name a file inside it")
    return resolved


# --------------------------------------------------------------------------- images
_cache = BoundedLRU(max_entries=32, max_bytes=256 * 1024 * 1024)  # decoded pictures


def open_image(path: str | os.PathLike[str], max_pixels: int = MAX_IMAGE_PIXELS):  # noqa: ANN201 - PIL.Image.Image
    """A decoded picture in mode RGB or RGBA, upright (EXIF orientation applied), file closed.

    Refuses with a SpecError: files that are not images, damaged or truncated files,
    and pictures over ``max_pixels`` (checked from the header, before decoding).
    CMYK, 16-bit, palette and grey pictures are converted; an embedded colour
    profile is converted to sRGB. Results are cached per (path, mtime); each call
    returns its own copy, so callers may modify it.
    """
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        raise SpecError(f"file not found: {p}") from None
    key = (str(p.resolve()), st.st_mtime_ns, st.st_size, max_pixels)
    hit = _cache.get_or_make(key, lambda: _decode(p, max_pixels), lambda im: im.width * im.height * len(im.getbands()))
    return hit.copy()


def _decode(p: Path, max_pixels: int):  # noqa: ANN202
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Our own budget (below Pillow's) decides; Pillow's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(p)
    except UnidentifiedImageError:
        raise SpecError(f"not an image: {p.name} (or a format Pillow cannot read; use PNG, JPEG or WebP)") from None
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)) / 1e6:.0f} megapixels" if found else "too many pixels"
        raise SpecError(
            f"image too large: {size} (the limit is {max_pixels / 1e6:g}): {p.name}; {_SCALE_DOWN}"
        ) from None
    except OSError as exc:
        raise SpecError(f"cannot read image {p.name}: {exc}") from None
    with im:
        w, h = im.size
        if w * h > max_pixels:
            raise SpecError(
                f"image too large: {w} x {h} px ({w * h / 1e6:.0f} megapixels; the limit is "
                f"{max_pixels / 1e6:g}): {p.name}; {_SCALE_DOWN}"
            )
        try:
            im.load()
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise SpecError(f"damaged or truncated image: {p.name} ({exc})") from None
        try:
            out = ImageOps.exif_transpose(im)
        except Exception:  # noqa: BLE001 - a broken EXIF block must not stop the picture
            out = im
        out = _to_rgb(out)
        if out is im:
            out = im.copy()
    return out


def _to_rgb(im):  # noqa: ANN001, ANN202
    """RGB or RGBA, converted to sRGB when a colour profile is embedded."""
    mode = im.mode
    icc = im.info.get("icc_profile")
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16-bit / 32-bit grey: scale to 8 bits (convert() would clip everything above 255 to white).
        hi = 65535.0 if mode.startswith("I;16") or (im.getextrema()[1] or 0) > 255 else 255.0
        im = im.convert("F").point(lambda v: v * (255.0 / hi)).convert("L")
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
