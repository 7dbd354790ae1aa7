"""Image files' bytes: PNG through png.py, JPEG and WebP through Pillow; with ``max_bytes``,
re-encoded smaller until the file fits or a clear error says what would.

JPEG keeps full chroma (4:4:4) at quality >= 80 because red text on white smears with 4:2:0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import SpecError
from .png import PNG_LEVEL, _fit_png, _png, _save

if TYPE_CHECKING:
    from PIL.Image import Image

#: the lowest quality ``max_bytes`` may push a lossy image to
MIN_QUALITY = 30
DEFAULT_QUALITY = 90


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
