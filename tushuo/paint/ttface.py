"""Loading big TrueType fonts into reportlab quickly.

reportlab parses a font's cmap, hmtx and loca tables one ``read_ushort`` at a time:
about 0.3–0.7 s for each 10–15 MB Noto CJK face, paid by every process that writes
a PDF. This face reads the same three tables with ``struct``/``array`` in bulk and
fills the same attributes (``charToGlyph``, ``glyphToChar``, ``charWidths``,
``defaultWidth``, ``hmetrics``, ``glyphPos``), so everything else in reportlab
(subsetting, widths, ToUnicode maps) is unchanged. Fonts whose cmap uses a format
other than 4 or 12 take reportlab's own path. tests/test_render_pdf.py checks
that both parsers agree on the bundled fonts.
"""

from __future__ import annotations

import struct
import sys
from array import array
from typing import Any

from reportlab.pdfbase.ttfonts import TTFont, TTFontFace


class Unsupported(Exception):
    """The font needs reportlab's general parser."""


def _ushorts(data: bytes, offset: int, count: int) -> array:
    a = array("H")
    a.frombytes(data[offset : offset + 2 * count])
    if sys.byteorder == "little":
        a.byteswap()
    return a


def _ulongs(data: bytes, offset: int, count: int) -> array:
    a = array("I" if array("I").itemsize == 4 else "L")
    a.frombytes(data[offset : offset + 4 * count])
    if sys.byteorder == "little":
        a.byteswap()
    return a


def _cmap_offset(face: Any) -> int:
    """The subtable reportlab would pick (the same rules, the same last-match-wins order)."""
    data = face._ttf_data
    base = face.table["cmap"]["offset"]
    version, count = struct.unpack_from(">HH", data, base)
    if count == 0 and version != 0:
        count = version
    enc, encoffs = 0, None
    for n in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * n)
        if platform == 3:
            enc, encoffs = 1, offset
        elif platform == 1 and encoding == 0 and enc != 1:
            enc, encoffs = 2, offset
        elif platform == 1 and encoding == 1 or platform == 0 and encoding != 5:
            enc, encoffs = 1, offset
    if encoffs is None:
        raise Unsupported("no suitable cmap")
    return base + encoffs


def _cmap(face: Any) -> dict[int, int]:
    data = face._ttf_data
    off = _cmap_offset(face)
    (fmt,) = struct.unpack_from(">H", data, off)
    out: dict[int, int] = {}
    if fmt == 12:
        (groups,) = struct.unpack_from(">I", data, off + 12)
        for start, end, glyph in struct.iter_unpack(">III", data[off + 16 : off + 16 + 12 * groups]):
            inc = glyph - start
            out.update({u: u + inc for u in range(start, end + 1)})
        return out
    if fmt == 4:
        (length,) = struct.unpack_from(">H", data, off + 2)
        limit = off + length
        seg = struct.unpack_from(">H", data, off + 6)[0] // 2
        ends = _ushorts(data, off + 14, seg)
        starts = _ushorts(data, off + 16 + 2 * seg, seg)
        deltas = _ushorts(data, off + 16 + 4 * seg, seg)
        ro_start = off + 16 + 6 * seg
        ranges = _ushorts(data, ro_start, seg)
        for n in range(seg):
            s, e, d, ro = starts[n], ends[n], deltas[n], ranges[n]
            if ro == 0:
                out.update({u: (u + d) & 0xFFFF for u in range(s, e + 1)})
                continue
            for u in range(s, e + 1):
                at = ro_start + 2 * n + (u - s) * 2 + ro
                if at >= limit:
                    glyph = 0
                else:
                    glyph = (data[at] << 8) | data[at + 1]
                    if glyph:
                        glyph = (glyph + d) & 0xFFFF
                out[u] = glyph
        return out
    raise Unsupported(f"cmap format {fmt}")


class FastFace(TTFontFace):
    """reportlab's TrueType face with the per-character tables read in bulk."""

    def extractInfo(self, charInfo: int = 1) -> None:
        super().extractInfo(0)  # header, names, metrics; stops before the per-character tables
        if not charInfo:
            return
        data = self._ttf_data
        head = self.table["head"]["offset"]
        (loca_format, glyph_format) = struct.unpack_from(">hh", data, head + 50)
        if glyph_format != 0:
            raise Unsupported("glyph data format")
        (n_hmetrics,) = struct.unpack_from(">H", data, self.table["hhea"]["offset"] + 34)
        n = self.numGlyphs
        char_to_glyph = _cmap(self)
        glyph_to_char: dict[int, list[int]] = {}
        for u, g in char_to_glyph.items():
            glyph_to_char.setdefault(g, []).append(u)
        hm = self.table["hmtx"]["offset"]
        pairs = _ushorts(data, hm, 2 * n_hmetrics)
        aws = list(pairs[0::2])
        lsbs = list(pairs[1::2])
        rest = n - n_hmetrics
        if rest > 0:
            aws.extend([aws[-1]] * rest)
            lsbs.extend(_ushorts(data, hm + 4 * n_hmetrics, rest))
        self.hmetrics = list(zip(aws, lsbs))
        scale = self._pdfScale
        self.defaultWidth = scale(aws[0])
        self.charWidths = {u: scale(aws[g]) for u, g in char_to_glyph.items() if g < n}
        loca = self.table["loca"]["offset"]
        if loca_format == 0:
            self.glyphPos = [v << 1 for v in _ushorts(data, loca, n + 1)]
        elif loca_format == 1:
            self.glyphPos = list(_ulongs(data, loca, n + 1))
        else:
            raise Unsupported("loca format")
        if 0x20 in char_to_glyph:
            char_to_glyph[0xA0] = char_to_glyph[0x20]
            self.charWidths[0xA0] = self.charWidths[0x20]
        elif 0xA0 in char_to_glyph:
            char_to_glyph[0x20] = char_to_glyph[0xA0]
            self.charWidths[0x20] = self.charWidths[0xA0]
        self.charToGlyph = char_to_glyph
        self.glyphToChar = glyph_to_char


def load_ttfont(name: str, path: str) -> TTFont:
    """A reportlab TTFont whose face was parsed by ``FastFace`` (reportlab's own parser as a fallback)."""
    try:
        face = FastFace(path)
    except (Unsupported, KeyError, IndexError, struct.error):
        # anything unusual (a CFF font, a missing table): reportlab's parser says what is wrong
        return TTFont(name, path)
    font = TTFont.__new__(TTFont)
    # TTFont.__init__ minus its own face parsing (reportlab 4/5 keep these four fields)
    font.fontName = name
    font.face = face
    from weakref import WeakKeyDictionary

    from reportlab import rl_config
    from reportlab.pdfbase.ttfonts import TTEncoding

    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = False  # glyphs are placed one by one; no harfbuzz shaping
    return font
