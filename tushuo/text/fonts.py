"""FontBook: the one source of fonts and text metrics.

Every width in a layout comes from here, from the fonts' own advance widths
(unhinted, in design pixels), so the Pillow, PDF and SVG painters place the same
glyphs at the same x. Bundled fonts ship a precomputed metrics file (cmap and
advances) beside them so a cold start does not parse 10 MB fonts with fontTools;
user fonts are read with fontTools once per process.
"""

from __future__ import annotations

import json
import struct
import threading
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import FontError
from ..humanize import describe_char
from ..resources import fonts_dir

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

#: Bundled faces by key. ``serif`` is the formal title face.
BUNDLED: dict[str, str] = {
    "sans": "NotoSansSC-Regular.ttf",
    "sans-bold": "NotoSansSC-Bold.ttf",
    "serif": "NotoSerifSC-Black.ttf",
    "symbols": "NotoSansSymbols2-Regular.ttf",
    # Traditional Chinese (script: hant, hant-tw, hant-hk): Taiwan's glyph forms and
    # full-width punctuation centred in the em box. Used by FontBook(script=...).
    "sans-tc": "NotoSansTC-Regular.ttf",
    "sans-bold-tc": "NotoSansTC-Bold.ttf",
    "serif-tc": "NotoSerifTC-Black.ttf",
    # Hong Kong's forms (script: hant-hk): Noto Sans HK draws 39 of the election
    # handbook's 296 characters and 938 of Big5's 5,401 common ones otherwise than TC
    # (於 少 次 清 骨 遍 …; benchmarks/hk_forms.py). No serif HK is bundled: titles use TC's.
    "sans-hk": "NotoSansHK-Regular.ttf",
    "sans-bold-hk": "NotoSansHK-Bold.ttf",
}

#: Per script, the face each role key draws with instead of the Simplified one.
SCRIPT_FACES: dict[str, dict[str, str]] = {
    "hant": {"sans": "sans-tc", "sans-bold": "sans-bold-tc", "serif": "serif-tc"},
    "hant-tw": {"sans": "sans-tc", "sans-bold": "sans-bold-tc", "serif": "serif-tc"},
    "hant-hk": {"sans": "sans-hk", "sans-bold": "sans-bold-hk", "serif": "serif-tc"},
}

#: What each face falls back to, in order, for characters it lacks.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "sans": ("symbols",),
    "sans-bold": ("sans", "symbols"),
    "serif": ("sans-bold", "sans", "symbols"),
    "symbols": ("sans",),
    "sans-tc": ("sans", "symbols"),
    "sans-bold-tc": ("sans-tc", "sans-bold", "sans", "symbols"),
    "serif-tc": ("serif", "sans-bold-tc", "sans-tc", "sans-bold", "sans", "symbols"),
    "sans-hk": ("sans-tc", "sans", "symbols"),
    "sans-bold-hk": ("sans-hk", "sans-bold-tc", "sans-bold", "sans", "symbols"),
}

METRICS_SUFFIX = ".metrics"

# Characters that are never drawn, so never need a glyph.
_INVISIBLE = frozenset("\n\r\t\u200b\u200c\u200d\u2060\ufeff")


def _read_font_tables(path: Path) -> tuple[dict, dict[int, int]]:
    """Parse cmap + advances of a TrueType/OpenType file with fontTools."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(str(path), lazy=True, fontNumber=0)
        cmap = font.getBestCmap() or {}
        hmtx = font["hmtx"].metrics
        upm = font["head"].unitsPerEm
        os2 = font["OS/2"] if "OS/2" in font else None
        hhea = font["hhea"]
        header = {
            "upm": upm,
            "ascent": (os2.sTypoAscender if os2 else hhea.ascent),
            "descent": -(os2.sTypoDescender if os2 else hhea.descent),
            "hhea_ascent": hhea.ascent,
            "hhea_descent": -hhea.descent,
            "glyf": "glyf" in font,
            "family": font["name"].getDebugName(1) or path.stem,
        }
        advances = {cp: hmtx[g][0] for cp, g in cmap.items() if g in hmtx}
    except (TTLibError, OSError, KeyError, struct.error) as exc:
        raise FontError(f"cannot read font file {path.name}: {exc}") from exc
    return header, advances


def build_metrics_file(font_path: Path, out: Path | None = None) -> Path:
    """Write the compact metrics file that lets bundled fonts load in milliseconds."""
    header, advances = _read_font_tables(font_path)
    header["file_size"] = font_path.stat().st_size
    cps = array("I", sorted(advances))
    adv = array("H", (advances[c] for c in cps))
    head = json.dumps(header, sort_keys=True).encode()
    blob = struct.pack("<I", len(head)) + head + struct.pack("<I", len(cps)) + cps.tobytes() + adv.tobytes()
    out = out or font_path.with_suffix(METRICS_SUFFIX)
    out.write_bytes(zlib.compress(blob, 9))
    return out


class AdvanceTable(Mapping[int, int]):
    """A bundled font's advances by code point, straight from its metrics file's sorted arrays.

    Building a dict of 30,000–45,000 entries cost 2–4 ms a face on every cold start, for
    the few hundred characters a document uses; a lookup here is a binary search, kept.
    """

    __slots__ = ("_cps", "_adv", "_seen")

    def __init__(self, cps: array, adv: array) -> None:
        self._cps = cps
        self._adv = adv
        self._seen: dict[int, int | None] = {}

    def _find(self, cp: int) -> int | None:
        try:
            return self._seen[cp]
        except KeyError:
            pass
        i = bisect_left(self._cps, cp)
        found = self._adv[i] if i < len(self._cps) and self._cps[i] == cp else None
        self._seen[cp] = found
        return found

    def __getitem__(self, cp: int) -> int:
        found = self._find(cp)
        if found is None:
            raise KeyError(cp)
        return found

    def get(self, cp: int, default: Any = None) -> Any:
        found = self._find(cp)
        return default if found is None else found

    def __contains__(self, cp: object) -> bool:
        return isinstance(cp, int) and self._find(cp) is not None

    def __iter__(self) -> Iterator[int]:
        return iter(self._cps)

    def __len__(self) -> int:
        return len(self._cps)


def _load_metrics_file(path: Path) -> tuple[dict, Mapping[int, int]]:
    blob = zlib.decompress(path.read_bytes())
    (hlen,) = struct.unpack_from("<I", blob, 0)
    header = json.loads(blob[4 : 4 + hlen])
    (n,) = struct.unpack_from("<I", blob, 4 + hlen)
    off = 8 + hlen
    cps = array("I")
    cps.frombytes(blob[off : off + 4 * n])
    adv = array("H")
    adv.frombytes(blob[off + 4 * n : off + 6 * n])
    return header, AdvanceTable(cps, adv)


@dataclass(eq=False)
class Face:
    """One font file: coverage, advances and cached Pillow fonts per size."""

    key: str
    path: Path
    header: dict
    advances: Mapping[int, int]
    bundled: bool = False  # one of tushuo's own fonts/ (not a user's file)
    _pil: dict[float, FreeTypeFont] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, key: str, path: Path, gate: Callable[[Path], Any] | None = None) -> Face:
        """A bundled face (from its metrics file) or a user's font file, checked by ``gate`` first.

        ``gate`` is the file gate's font check (``tushuo.inputs`` passes it): the text engine
        itself imports nothing that reads a user's files.
        """
        path = Path(path)
        if not path.is_file():
            raise FontError(f"font file not found: {path}")
        metrics = path.with_suffix(METRICS_SUFFIX)
        header = advances = None
        bundled = path.resolve().parent == fonts_dir().resolve()
        if not bundled:  # a user's font: size budget and table bounds before any parser sees it
            if gate is None:
                raise FontError(f"{path.name}: a user's font is read through the file gate (make the FontBook "
                                "with gate=, as tushuo.inputs does)")
            try:
                gate(path)
            except FontError:
                raise
            except Exception as exc:  # noqa: BLE001 - a SpecError from the gate, as a FontError
                raise FontError(exc.format() if hasattr(exc, "format") else str(exc)) from None
        if bundled and metrics.is_file():
            header, advances = _load_metrics_file(metrics)
            if header.get("file_size") != path.stat().st_size:  # stale: font replaced
                header = advances = None
        if header is None or advances is None:
            header, advances = _read_font_tables(path)
        return cls(key=key, path=path, header=header, advances=advances, bundled=bundled)

    @property
    def upm(self) -> int:
        return self.header["upm"]

    @property
    def family(self) -> str:
        return self.header["family"]

    @cached_property
    def ascent(self) -> float:
        """Ascent of the em box as a fraction of the size (0.88 for Noto CJK)."""
        return self.header["ascent"] / self.upm

    @cached_property
    def descent(self) -> float:
        return self.header["descent"] / self.upm

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.advances

    def advance(self, ch: str, size: float) -> float:
        """Advance width of one character in px at ``size`` px (0 if not covered)."""
        return self.advances.get(ord(ch), 0) * size / self.upm

    def pil(self, size: float) -> FreeTypeFont:
        """A Pillow font for this face at ``size`` px, created once per size."""
        font = self._pil.get(size)
        if font is None:
            from PIL import ImageFont

            with self._lock:
                font = self._pil.get(size)
                if font is None:
                    font = ImageFont.truetype(str(self.path), size=size, layout_engine=ImageFont.Layout.BASIC)
                    self._pil[size] = font
        return font


class FontBook:
    """Fonts by key, each with a fallback chain; measures text and resolves glyphs.

    ``user_fonts`` maps extra keys (or overrides of bundled keys) to font files,
    e.g. from a theme. Lookups are cached; the object is safe to share across threads.
    """

    def __init__(self, user_fonts: Mapping[str, str | Path] | None = None, *,
                 gate: Callable[[Path], Any] | None = None, script: str | None = None) -> None:
        self._gate = gate  # checks a user's font file before any parser reads it (Face.load)
        self._paths: dict[str, Path] = {k: fonts_dir() / v for k, v in BUNDLED.items()}
        self._fallbacks = dict(FALLBACKS)
        self.script = script if script in SCRIPT_FACES else None  # None: the Simplified faces
        # A Traditional script: the role keys (sans, sans-bold, serif) draw with the TC (HK) faces;
        # the SC faces stay in each chain after them, for characters the TC fonts lack.
        swap = SCRIPT_FACES.get(script or "", {})
        for key, tc in swap.items():
            self._paths[key + "-sc"] = self._paths[key]
            self._paths[key] = self._paths[tc]
        if swap:
            self._fallbacks.update({
                "sans": ("sans-sc", "symbols"),
                "sans-bold": ("sans", "sans-bold-sc", "sans-sc", "symbols"),
                "serif": ("serif-sc", "sans-bold", "sans", "sans-bold-sc", "sans-sc", "symbols"),
                "symbols": ("sans", "sans-sc"),
            })
        for key, p in (user_fonts or {}).items():
            self._paths[key] = Path(p)
        self._faces: dict[str, Face] = {}
        self._resolved: dict[tuple[str, str], Face | None] = {}
        self._lock = threading.Lock()

    # -- faces -------------------------------------------------------------
    @property
    def keys(self) -> list[str]:
        return list(self._paths)

    def face(self, key: str) -> Face:
        face = self._faces.get(key)
        if face is None:
            if key not in self._paths:
                raise FontError(f"unknown font '{key}' (known: {', '.join(self._paths)})")
            with self._lock:
                face = self._faces.get(key)
                if face is None:
                    face = Face.load(key, self._paths[key], self._gate)
                    self._faces[key] = face
        return face

    def chain(self, key: str) -> list[str]:
        """The face key followed by its fallbacks (user fonts fall back to the sans chain)."""
        order = [key, *self._fallbacks.get(key, ("sans", "symbols"))]
        seen: list[str] = []
        for k in order:
            if k not in seen and k in self._paths:
                seen.append(k)
        return seen

    def resolve(self, ch: str, key: str = "sans") -> Face | None:
        """The first face in ``key``'s chain that has ``ch``, or None."""
        cache_key = (ch, key)
        try:
            return self._resolved[cache_key]
        except KeyError:
            pass
        found = None
        for k in self.chain(key):
            face = self.face(k)
            if face.covers(ch):
                found = face
                break
        self._resolved[cache_key] = found
        return found

    def missing(self, text: str, key: str = "sans") -> list[str]:
        """Characters of ``text`` that no face in the chain covers, in order, once each."""
        out: list[str] = []
        for ch in dict.fromkeys(text):
            if ch in _INVISIBLE or ch == " ":
                continue
            if self.resolve(ch, key) is None:
                out.append(ch)
        return out

    def check(self, text: str, key: str = "sans") -> None:
        """Raise FontError naming the first characters no font covers."""
        miss = self.missing(text, key)
        if miss:
            shown = ", ".join(describe_char(c) for c in miss[:5])
            more = f" and {len(miss) - 5} more" if len(miss) > 5 else ""
            raise FontError(f"no bundled font has a glyph for {shown}{more}")

    # -- measuring ---------------------------------------------------------
    def advance(self, ch: str, size: float, key: str = "sans") -> float:
        if ch in _INVISIBLE:
            return 0.0
        face = self.resolve(ch, key)
        if face is None:
            # Measured as a full-width box; the painter draws a visible replacement.
            return float(size)
        return face.advance(ch, size)

    def measure(self, text: str, size: float, key: str = "sans") -> float:
        """Advance width of ``text`` in px at ``size`` px, fallbacks included."""
        return sum(self.advance(ch, size, key) for ch in text)

    def runs(self, text: str, key: str = "sans") -> list[tuple[Face | None, str]]:
        """Split ``text`` into maximal runs drawn with one face (None: not covered)."""
        out: list[tuple[Face | None, str]] = []
        for ch in text:
            face = self.resolve(ch, key)
            if out and out[-1][0] is face:
                out[-1] = (face, out[-1][1] + ch)
            else:
                out.append((face, ch))
        return out

    def path(self, key: str) -> Path:
        return self.face(key).path


_DEFAULT: FontBook | None = None
_DEFAULT_LOCK = threading.Lock()
_BY_SCRIPT: dict[str, FontBook] = {}


def default_fontbook(script: str | None = None) -> FontBook:
    """The process-wide FontBook of the bundled fonts (one per Traditional script)."""
    global _DEFAULT
    if script in SCRIPT_FACES:
        with _DEFAULT_LOCK:
            book = _BY_SCRIPT.get(script)
            if book is None:
                book = _BY_SCRIPT[script] = FontBook(script=script)
        return book
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = FontBook()
    return _DEFAULT
