"""Glyph masks straight from the FreeType library Pillow itself loaded: one load and one
render a glyph instead of Pillow's four loads and two renders, the same bytes.

Why: ``FreeTypeFont.getmask2`` (``font_render`` in Pillow's ``_imagingft.c``) loads a glyph
four times and renders it twice (a layout pass, a bounding-box pass, a pass that renders to
learn ``bitmap_left``/``bitmap_top``, then the pass that copies the bitmap): ~120 us a
42 px CJK glyph here, two thirds of it rendering twice. The first paint of a page
rasterises a few hundred glyphs.

What it reproduces, read from Pillow 13's ``font_render`` and ``bounding_box_and_anchors``
for one character, mode "L", anchor "ls", no stroke, start (phase, 0):

* the image is ``x_max - x_min + ceil(phase)`` by ``y_max - y_min`` px, where x_min, x_max,
  y_min, y_max are the outline's control box grid-fitted to whole pixels (floor the low,
  ceil the high edges), widened to take in the pen origin and, in x, the rounded advance;
  its offset from the pen is (x_min, -y_max);
* the rendered bitmap (the same ``FT_Load_Glyph`` flags; loading and rendering in two calls
  is what ``FT_LOAD_RENDER`` does) lands at column ``-min(0, bitmap_left) + s + bitmap_left``
  and row ``max(0, bitmap_top) - bitmap_top``, clipped to the image, where s is the pen's
  rounding of the phase: 0 for 0 and 1/4, 1 for 1/2 and 3/4;
* nothing else is drawn (one glyph on a blank image: the copy is the bitmap).

It runs against the very shared library ``PIL._imagingft`` mapped (found in
/proc/self/maps and checked by version), with a face opened and sized as Pillow's
``getfont`` does it (``FT_Request_Size`` with the size as a C float times 64). The first
glyph drawn from the bundled fonts, and from each user's font file, is also drawn by Pillow
and compared: any difference (another Pillow, another platform, a font FreeType treats
otherwise) turns this path off for the process and Pillow draws every glyph. (Not once a
size or a bundled file: a face's first glyph costs ~1 ms, in Pillow's face as in this one's;
the bundled faces and many sizes are checked glyph by glyph in tests/test_render_raster.py.)
Off wherever the library cannot be found (not Linux, Pillow built otherwise).
"""

from __future__ import annotations

import ctypes
import math
import os
import struct
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

# (mask, dx, dy) as glyphs.Glyph
Glyph = tuple["PILImage | None", int, int]

_Pos = ctypes.c_long


class _Generic(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("finalizer", ctypes.c_void_p)]


class _Vector(ctypes.Structure):
    _fields_ = [("x", _Pos), ("y", _Pos)]


class _BBox(ctypes.Structure):
    _fields_ = [("xMin", _Pos), ("yMin", _Pos), ("xMax", _Pos), ("yMax", _Pos)]


class _Bitmap(ctypes.Structure):
    _fields_ = [
        ("rows", ctypes.c_uint),
        ("width", ctypes.c_uint),
        ("pitch", ctypes.c_int),
        ("buffer", ctypes.c_void_p),
        ("num_grays", ctypes.c_ushort),
        ("pixel_mode", ctypes.c_ubyte),
        ("palette_mode", ctypes.c_ubyte),
        ("palette", ctypes.c_void_p),
    ]


class _Outline(ctypes.Structure):
    _fields_ = [
        ("n_contours", ctypes.c_short),
        ("n_points", ctypes.c_short),
        ("points", ctypes.c_void_p),
        ("tags", ctypes.c_void_p),
        ("contours", ctypes.c_void_p),
        ("flags", ctypes.c_int),
    ]


class _Metrics(ctypes.Structure):
    _fields_ = [
        (name, _Pos)
        for name in (
            "width", "height", "horiBearingX", "horiBearingY", "horiAdvance",
            "vertBearingX", "vertBearingY", "vertAdvance",
        )
    ]


class _GlyphSlot(ctypes.Structure):
    _fields_ = [
        ("library", ctypes.c_void_p),
        ("face", ctypes.c_void_p),
        ("next", ctypes.c_void_p),
        ("glyph_index", ctypes.c_uint),
        ("generic", _Generic),
        ("metrics", _Metrics),
        ("linearHoriAdvance", ctypes.c_long),
        ("linearVertAdvance", ctypes.c_long),
        ("advance", _Vector),
        ("format", ctypes.c_uint),
        ("bitmap", _Bitmap),
        ("bitmap_left", ctypes.c_int),
        ("bitmap_top", ctypes.c_int),
        ("outline", _Outline),
    ]


class _Face(ctypes.Structure):
    _fields_ = [
        ("num_faces", ctypes.c_long),
        ("face_index", ctypes.c_long),
        ("face_flags", ctypes.c_long),
        ("style_flags", ctypes.c_long),
        ("num_glyphs", ctypes.c_long),
        ("family_name", ctypes.c_char_p),
        ("style_name", ctypes.c_char_p),
        ("num_fixed_sizes", ctypes.c_int),
        ("available_sizes", ctypes.c_void_p),
        ("num_charmaps", ctypes.c_int),
        ("charmaps", ctypes.c_void_p),
        ("generic", _Generic),
        ("bbox", _BBox),
        ("units_per_EM", ctypes.c_ushort),
        ("ascender", ctypes.c_short),
        ("descender", ctypes.c_short),
        ("height", ctypes.c_short),
        ("max_advance_width", ctypes.c_short),
        ("max_advance_height", ctypes.c_short),
        ("underline_position", ctypes.c_short),
        ("underline_thickness", ctypes.c_short),
        ("glyph", ctypes.POINTER(_GlyphSlot)),
    ]


class _SizeRequest(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("width", ctypes.c_long),
        ("height", ctypes.c_long),
        ("horiResolution", ctypes.c_uint),
        ("vertResolution", ctypes.c_uint),
    ]


_OUTLINE = 0x6F75746C  # FT_GLYPH_FORMAT_OUTLINE ('outl')
_GRAY = 2  # FT_PIXEL_MODE_GRAY
_LOAD_DEFAULT = 0
_RENDER_NORMAL = 0
_REQUEST_NOMINAL = 0


def _pixel(v: int) -> int:
    """Pillow's PIXEL(): a 26.6 value rounded to whole pixels."""
    return ((v + 32) & -64) >> 6


class _FreeType:
    """The library handle and the faces opened in it, one per font file."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib = lib
        lib.FT_Init_FreeType.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        lib.FT_New_Face.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_long, ctypes.POINTER(ctypes.c_void_p)]
        lib.FT_Request_Size.argtypes = [ctypes.c_void_p, ctypes.POINTER(_SizeRequest)]
        lib.FT_New_Size.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.FT_Activate_Size.argtypes = [ctypes.c_void_p]
        lib.FT_Get_Char_Index.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        lib.FT_Get_Char_Index.restype = ctypes.c_uint
        lib.FT_Load_Glyph.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int32]
        lib.FT_Render_Glyph.argtypes = [ctypes.POINTER(_GlyphSlot), ctypes.c_int]
        lib.FT_Outline_Get_CBox.argtypes = [ctypes.POINTER(_Outline), ctypes.POINTER(_BBox)]
        lib.FT_Outline_Get_CBox.restype = None
        handle = ctypes.c_void_p()
        if lib.FT_Init_FreeType(ctypes.byref(handle)):
            raise OSError("FT_Init_FreeType failed")
        self.handle = handle
        #: per font file: its face, glyph slot and FT_Size objects by size; the size active in it
        self.files: dict[str, tuple[ctypes.c_void_p, Any, dict[float, ctypes.c_void_p]]] = {}
        self.active: dict[str, float] = {}
        self.checked: set[str] = set()
        self.lock = threading.Lock()
        # a child forked while another thread renders must not inherit the lock held
        os.register_at_fork(after_in_child=self._new_lock)

    def _new_lock(self) -> None:
        self.lock = threading.Lock()

    def face(self, path: str, size: float) -> tuple[ctypes.c_void_p, Any]:
        """The face of a font file (opened once: its first glyph costs ~0.85 ms, a table's
        worth of setup) with the size made active; each size is its own FT_Size object
        (FT_New_Size), as each of Pillow's fonts has its own face's, so switching sizes
        reruns nothing. Called under the lock."""
        lib = self.lib
        opened = self.files.get(path)
        if opened is None:
            face = ctypes.c_void_p()
            if lib.FT_New_Face(self.handle, path.encode(), 0, ctypes.byref(face)):
                raise OSError(f"FT_New_Face failed: {path}")
            opened = self.files[path] = (face, ctypes.cast(face, ctypes.POINTER(_Face)).contents.glyph.contents, {})
        face, slot, sizes = opened
        handle = sizes.get(size)
        if handle is None:
            handle = ctypes.c_void_p()
            if lib.FT_New_Size(face, ctypes.byref(handle)) or lib.FT_Activate_Size(handle):
                raise OSError(f"FT_New_Size failed: {path}")
            # as Pillow's getfont: width = size * 64 with size a C float, truncated to FT_Long
            width = int(struct.unpack("f", struct.pack("f", size))[0] * 64)
            req = _SizeRequest(_REQUEST_NOMINAL, width, width, 0, 0)
            if lib.FT_Request_Size(face, ctypes.byref(req)):
                raise OSError(f"FT_Request_Size failed: {path} at {size}")
            sizes[size] = handle
            self.active[path] = size
        elif self.active.get(path) != size:
            if lib.FT_Activate_Size(handle):
                raise OSError(f"FT_Activate_Size failed: {path}")
            self.active[path] = size
        return face, slot

    def render(self, path: str, size: float, ch: str, phase: float) -> tuple[bytes, int, int, int, int] | None:
        """The image Pillow's getmask2 would make, as (bytes of the bitmap part inside it,
        its width, rows, and its place (x, y) relative to the pen), or None for an empty
        image; raises OSError where Pillow would fail (then Pillow is asked, and raises)."""
        lib = self.lib
        with self.lock:  # a face is not thread-safe, and ctypes lets go of the GIL
            face, slot = self.face(path, size)
            index = lib.FT_Get_Char_Index(face, ord(ch))
            if lib.FT_Load_Glyph(face, index, _LOAD_DEFAULT):
                raise OSError("FT_Load_Glyph failed")
            if slot.format != _OUTLINE:
                raise OSError("not an outline glyph")
            cbox = _BBox()
            lib.FT_Outline_Get_CBox(ctypes.byref(slot.outline), ctypes.byref(cbox))
            advance = slot.metrics.horiAdvance
            if lib.FT_Render_Glyph(ctypes.byref(slot), _RENDER_NORMAL):
                raise OSError("FT_Render_Glyph failed")
            bm = slot.bitmap
            left, top = slot.bitmap_left, slot.bitmap_top
            bw, rows, pitch = bm.width, bm.rows, bm.pitch
            if bm.pixel_mode != _GRAY or (rows and pitch < bw):
                raise OSError("not an 8-bit grey bitmap")
            data = ctypes.string_at(bm.buffer, pitch * rows) if rows and bw else b""
        # bounding_box_and_anchors: grid-fitted control box, pen line and advance taken in
        x_min = min(0, (cbox.xMin & -64) >> 6)
        x_max = max(0, _pixel(advance), ((cbox.xMax + 63) & -64) >> 6)
        y_min = min(0, (cbox.yMin & -64) >> 6)
        y_max = max(0, ((cbox.yMax + 63) & -64) >> 6)
        width = x_max - x_min + math.ceil(phase)
        height = y_max - y_min
        if width == 0 or height == 0 or not data:
            return None
        shift = _pixel(round(phase * 64))  # the pen's whole pixels from the phase
        xx = -min(0, left) + shift + left
        yy = max(0, top) - top
        # the bitmap's part inside the image
        cx0, cx1 = max(0, -xx), min(bw, width - xx)
        cy0, cy1 = max(0, -yy), min(rows, height - yy)
        if cx1 <= cx0 or cy1 <= cy0:
            return None
        if (cx0, cy0, cx1, cy1) != (0, 0, bw, rows) or pitch != bw:
            data = b"".join(data[r * pitch + cx0 : r * pitch + cx1] for r in range(cy0, cy1))
        return (data, cx1 - cx0, cy1 - cy0, x_min + xx + cx0, -y_max + yy + cy0)


_STATE: dict[str, Any] = {}


def _library() -> _FreeType | None:
    """The FreeType that PIL._imagingft uses, opened once; None where it cannot be found."""
    if "ft" in _STATE:
        return _STATE["ft"]
    ft = None
    try:
        from PIL import _imagingft  # (loads the library; PIL.features would cost ~10 ms to import)

        want = _imagingft.freetype2_version
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = dict.fromkeys(
                line.split(maxsplit=5)[-1].strip() for line in maps if "libfreetype" in line and ".so" in line
            )
        for path in paths:
            lib = ctypes.CDLL(path)
            major, minor, patch = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
            cand = _FreeType(lib)
            lib.FT_Library_Version(cand.handle, ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch))
            if f"{major.value}.{minor.value}.{patch.value}" == want:
                ft = cand
                break
    except Exception:  # noqa: BLE001 - any trouble: Pillow draws every glyph
        ft = None
    _STATE["ft"] = ft
    return ft


def disable() -> None:
    """Draw every glyph with Pillow from now on (tests; a mismatch found)."""
    _STATE["ft"] = None


def rasterise(face: Any, size: float, ch: str, phase: float, alpha: int, pillow: Any) -> Glyph:
    """One glyph's mask as glyphs._rasterise gives it (``pillow`` is that function's Pillow
    path, used where this one is off and to check the first glyph of each font file)."""
    ft = _library()
    if ft is None:
        return pillow(face, size, ch, phase, alpha)
    path = str(face.path)
    try:
        made = ft.render(path, size, ch, phase)
    except OSError:
        return pillow(face, size, ch, phase, alpha)
    glyph = _mask(made, alpha)
    # what one check against Pillow vouches for: every bundled face at once (one format, each
    # checked glyph by glyph at many sizes in tests/test_render_raster.py), a user's file by itself
    group = "bundled" if face.bundled else path
    if group not in ft.checked:
        ref = pillow(face, size, ch, phase, alpha)
        if not _same(ref, glyph):
            disable()
            return ref
        ft.checked.add(group)
    return glyph


def _mask(made: tuple[bytes, int, int, int, int] | None, alpha: int) -> Glyph:
    from PIL import Image

    from .coverage import to_ink, wrap_core

    if made is None:
        return (None, 0, 0)
    data, w, h, x, y = made
    if alpha < 255:
        return to_ink(Image.frombytes("L", (w, h), data), x, y, alpha)
    # Image.frombuffer's own core call (a view of the bytes, no decoder: 3 us instead of
    # frombytes' 10), then cropped to the ink, which copies it out of the bytes
    try:
        view = Image.core.map_buffer(data, (w, h), "raw", 0, ("L", 0, 1))
    except (AttributeError, TypeError, ValueError):  # another Pillow: the public way
        view = Image.frombytes("L", (w, h), data).im
    bbox = view.getbbox()
    if bbox is None:
        return (None, 0, 0)
    return (wrap_core(view.crop(bbox)), x + bbox[0], y + bbox[1])


def _same(a: Glyph, b: Glyph) -> bool:
    if a[1:] != b[1:] or (a[0] is None) != (b[0] is None):
        return False
    return a[0] is None or (a[0].size == b[0].size and a[0].tobytes() == b[0].tobytes())  # type: ignore[union-attr]
