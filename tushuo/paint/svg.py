"""SVG painter: the long Frame as one SVG file that looks the same anywhere.

Text stays text: each glyph run is a ``<text>`` element with one x per character
(the frame's own pen positions), so it is selectable and searchable in a browser.
The faces used are embedded as WOFF2 subsets of exactly the characters drawn
(fontTools), so the file does not depend on fonts installed where it is opened.
Pictures are embedded as base64 PNG/JPEG; charts are ordinary ops (shapes and text
in a clipped group). Output is deterministic: ids are numbered in drawing order and
fonts are subset without timestamps.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as _escape

from ..color import parse_color
from ..errors import FontError
from ..frame import Ellipse, Frame, Glyphs, Group, Image, Line, Rect
from ..frame import Path as PathOp
from ..text.fonts import FontBook
from .geometry import arrow_parts
from .walk import PlainPainter, walk

if TYPE_CHECKING:
    from ..spec.document import Document
    from ..spec.theme import Theme

#: pictures are embedded at most this many times their placed size in px (sharp on 2x screens)
IMAGE_DENSITY = 2.0


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(text: str) -> str:
    """XML text: escaped, and without the characters XML 1.0 cannot hold (a Document made in Python
    skips the loader, which refuses them), so the SVG is always well-formed."""
    return _escape(_NOT_XML.sub("", text))


def _n(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _paint(color: str | None, attr: str) -> str:
    """``fill="#RRGGBB" fill-opacity="a"`` (or ``fill="none"``)."""
    if not color:
        return f' {attr}="none"'
    a = parse_color(color)[3]
    out = f' {attr}="{color[:7].upper()}"'
    if a < 1:
        out += f' {attr}-opacity="{_n(a)}"'
    return out


_GLYPH_ORDERS: dict[Path, list[str]] = {}
#: tables a WOFF2 subset of placed glyphs never needs (shaping, vertical metrics): skipping them
#: avoids decompiling megabytes of CJK layout data on every call
_UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "vhea", "vmtx", "VORG", "DSIG")


def subset_font(path: Path, text: str) -> bytes:
    """A WOFF2 subset of the font at ``path`` holding the glyphs of ``text`` (no timestamps).

    The glyph order of each file is cached per process: naming 65,000 CJK glyphs is
    the slow half of opening the font.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont, TTLibError

    path = Path(path)
    opts = subset.Options()
    opts.flavor = "woff2"
    opts.layout_features = []  # glyphs are placed one by one: no shaping features needed
    opts.hinting = False
    opts.notdef_outline = True
    try:
        font = TTFont(str(path), lazy=True, recalcTimestamp=False)
        order = _GLYPH_ORDERS.get(path)
        if order is None:
            order = _GLYPH_ORDERS[path] = font.getGlyphOrder()
        else:
            font.setGlyphOrder(order)
        for tag in _UNUSED_TABLES:
            if tag in font:
                del font[tag]
        sub = subset.Subsetter(opts)
        sub.populate(text=text)
        sub.subset(font)
        font.flavor = "woff2"
        buf = io.BytesIO()
        font.save(buf)
    except (OSError, KeyError, TTLibError) as exc:
        raise FontError(f"cannot embed font {path.name} in the SVG: {exc}") from exc
    return buf.getvalue()


class SvgPainter(PlainPainter):
    """The SVG primitives (``walk.Painter``): each op becomes an element in ``body``; collects the
    defs (gradients, clips) and fonts they need."""

    def __init__(self, fonts: FontBook) -> None:
        self.fonts = fonts
        self.body: list[str] = []
        self.defs: list[str] = []
        self._gradients: dict[tuple[str, str], str] = {}
        self._families: dict[str, str] = {}  # face key → font-family name
        self._chars: dict[str, set[str]] = {}  # face key → characters drawn
        self._ids = 0

    def _id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}{self._ids}"

    # -- shapes ------------------------------------------------------------
    def _gradient(self, top: str, bottom: str) -> str:
        key = (top, bottom)
        gid = self._gradients.get(key)
        if gid is None:
            gid = self._gradients[key] = self._id("g")
            stops = []
            for offset, col in (("0", top), ("1", bottom)):
                a = parse_color(col)[3]
                op = f' stop-opacity="{_n(a)}"' if a < 1 else ""
                stops.append(f'<stop offset="{offset}" stop-color="{col[:7].upper()}"{op}/>')
            self.defs.append(f'<linearGradient id="{gid}" x1="0" y1="0" x2="0" y2="1">{"".join(stops)}</linearGradient>')
        return gid

    def _stroke(self, color: str | None, width: float, dash: tuple[float, ...] | None = None) -> str:
        if not color or width <= 0:
            return ""
        s = _paint(color, "stroke") + f' stroke-width="{_n(width)}"'
        if dash:
            s += f' stroke-dasharray="{" ".join(_n(d) for d in dash)}"'
        return s

    def rect(self, op: Rect) -> None:
        out = self.body
        if op.w <= 0 or op.h <= 0:
            return
        r = max(0.0, min(op.radius, op.w / 2, op.h / 2))
        fill = f' fill="url(#{self._gradient(*op.gradient)})"' if op.gradient else _paint(op.fill, "fill")
        rr = f' rx="{_n(r)}"' if r > 0 else ""
        out.append(f'<rect x="{_n(op.x)}" y="{_n(op.y)}" width="{_n(op.w)}" height="{_n(op.h)}"{rr}{fill}'
                   f'{self._stroke(op.stroke, op.stroke_width, op.dash)}/>')

    def ellipse(self, op: Ellipse) -> None:
        out = self.body
        out.append(f'<ellipse cx="{_n(op.x + op.w / 2)}" cy="{_n(op.y + op.h / 2)}" rx="{_n(op.w / 2)}" '
                   f'ry="{_n(op.h / 2)}"{_paint(op.fill, "fill")}{self._stroke(op.stroke, op.stroke_width)}/>')

    def line(self, op: Line) -> None:
        out = self.body
        if len(op.points) < 2:
            return
        pts, heads = arrow_parts(op.points, op.width, op.arrow_size, op.arrow_start, op.arrow_end)
        cap = "butt" if op.dash else "round"
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)
        out.append(f'<polyline points="{points}" fill="none"{self._stroke(op.color, op.width, op.dash)} '
                   f'stroke-linecap="{cap}" stroke-linejoin="round"/>')
        for head in heads:
            tri = " ".join(f"{_n(x)},{_n(y)}" for x, y in head)
            out.append(f'<polygon points="{tri}"{_paint(op.color, "fill")}/>')

    def path(self, op: PathOp) -> None:
        out = self.body
        if not op.commands:
            return
        d = []
        for cmd in op.commands:
            d.append(cmd[0] + " ".join(_n(v) for v in cmd[1:]))
        stroke = self._stroke(op.stroke, op.stroke_width, op.dash)
        if stroke:
            stroke += f' stroke-linecap="{op.cap}" stroke-linejoin="round"'
        out.append(f'<path d="{"".join(d)}"{_paint(op.fill, "fill")}{stroke}/>')

    def _clip(self, x: float, y: float, w: float, h: float, radius: float) -> str:
        cid = self._id("c")
        r = max(0.0, min(radius, w / 2, h / 2))
        rr = f' rx="{_n(r)}"' if r > 0 else ""
        self.defs.append(f'<clipPath id="{cid}"><rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" '
                         f'height="{_n(h)}"{rr}/></clipPath>')
        return cid

    def push_clip(self, group: Group) -> bool:
        if group.clip:
            self.body.append(f'<g clip-path="url(#{self._clip(*group.clip, group.radius)})">')
        else:
            self.body.append("<g>")
        return True

    def pop_clip(self, group: Group) -> None:
        self.body.append("</g>")

    # -- images --------------------------------------------------------------
    def image(self, op: Image) -> None:
        out = self.body
        if op.w <= 0 or op.h <= 0:
            return
        if op.image is None:
            return
        href = _data_uri(_fit_pixels(op.image, op.w * IMAGE_DENSITY), photo=None)
        clip = f' clip-path="url(#{self._clip(op.x, op.y, op.w, op.h, op.radius)})"' if op.radius > 0 else ""
        out.append(f'<image x="{_n(op.x)}" y="{_n(op.y)}" width="{_n(op.w)}" height="{_n(op.h)}" '
                   f'preserveAspectRatio="none"{clip} xlink:href="{href}"/>')

    # -- text ----------------------------------------------------------------
    def _family(self, key: str) -> str:
        fam = self._families.get(key)
        if fam is None:
            fam = self._families[key] = f"tushuo-{len(self._families) + 1}"
            self._chars[key] = set()
        return fam

    def _family_list(self, key: str) -> str:
        """The embedded family, then a generic one for viewers that cannot load WOFF2."""
        generic = "serif" if key == "serif" else "sans-serif"
        return f"{self._family(key)}, {generic}"

    def glyphs(self, line: Sequence[Glyphs]) -> None:
        out = self.body
        for run in line:
            if not run.text or not run.xs:
                continue
            fam = self._family_list(run.face)
            self._chars[run.face].update(run.text)
            xs = " ".join(_n(x) for x in run.xs)
            out.append(f'<text x="{xs}" y="{_n(run.y)}" font-family="{fam}" font-size="{_n(run.size)}"'
                       f'{_paint(run.color, "fill")}>{escape(run.text)}</text>')

    def font_css(self) -> str:
        """@font-face rules with the WOFF2 subsets of every face drawn."""
        rules = []
        for key, fam in self._families.items():
            data = subset_font(self.fonts.path(key), "".join(sorted(self._chars[key])))
            b64 = base64.b64encode(data).decode("ascii")
            rules.append(f'@font-face{{font-family:"{fam}";src:url(data:font/woff2;base64,{b64}) format("woff2");}}')
        return "\n".join(rules)


def _fit_pixels(im: Any, max_w: float) -> Any:
    if im.width > max_w * 1.05:
        from PIL import Image as PILImage

        ratio = max_w / im.width
        im = im.resize((max(1, round(im.width * ratio)), max(1, round(im.height * ratio))), PILImage.Resampling.LANCZOS)
    return im


def _data_uri(im: Any, *, photo: bool | None) -> str:
    """A PIL image as a data URI: JPEG for photos (no alpha, many colours), PNG otherwise."""
    if photo is None:
        photo = im.mode in ("RGB", "L") and im.getcolors(512) is None
    buf = io.BytesIO()
    if photo:
        im.save(buf, "JPEG", quality=88, optimize=True)
        mime = "image/jpeg"
    else:
        if im.mode not in ("RGB", "RGBA", "L", "LA", "1", "P"):
            im = im.convert("RGBA")
        im.save(buf, "PNG", optimize=True)
        mime = "image/png"
    return f"data:{mime};base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def render_svg(frame: Frame, doc: Document | None = None, *, theme: Theme | None = None,
               fonts: FontBook | None = None, description: str | None = None) -> bytes:
    """The frame as SVG bytes (UTF-8).

    The root says what it is to assistive technology: role="img", lang (from the
    document's script), aria-labelledby its <title> and <desc>; ``description`` (the
    document in words, tushuo.describe) is the <desc>, else the subtitle.
    """
    from ..layout import furniture

    if fonts is None:
        fonts = furniture.frame_fonts(frame)
    painter = SvgPainter(fonts)
    if frame.background:
        painter.body.append(f'<rect x="0" y="0" width="{_n(frame.width)}" height="{_n(frame.height)}"'
                            f'{_paint(frame.background, "fill")}/>')
    walk(frame.ops, painter)
    css = painter.font_css()
    w, h = _n(frame.width), _n(frame.height)
    access = ""
    desc = description if description is not None else (doc.subtitle if doc is not None else None)
    if doc is not None:
        from ..script import LANG

        lang = LANG.get(getattr(doc, "script", "hans"), "zh-CN")
        labels = "tushuo-title tushuo-desc" if desc else "tushuo-title"
        access = f' role="img" lang="{lang}" xml:lang="{lang}" aria-labelledby="{labels}"'
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
         f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" xml:space="preserve"{access}>'),
    ]
    if doc is not None:
        head.append(f'<title id="tushuo-title">{escape(doc.title)}</title>')
        if desc:
            head.append(f'<desc id="tushuo-desc">{escape(desc)}</desc>')
    head.append("<defs>")
    if css:
        head.append(f"<style>{css}</style>")
    head.extend(painter.defs)
    head.append("</defs>")
    parts = head + painter.body + ["</svg>", ""]
    return "\n".join(parts).encode("utf-8")


def write_svg(frame: Frame, doc: Document | None, path: str | Path, *, theme: Theme | None = None,
              fonts: FontBook | None = None) -> list[Path]:
    """Write the frame as one SVG file (atomically); returns ``[path]``."""
    from ..atomic import write_atomic

    path = Path(path)
    write_atomic(path, render_svg(frame, doc, theme=theme, fonts=fonts))
    return [path]


__all__ = ["SvgPainter", "render_svg", "subset_font", "write_svg"]

