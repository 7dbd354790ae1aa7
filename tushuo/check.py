"""``tushuo check``: validate and lint specs without painting or writing anything.

The check loads each spec (YAML, extends, slots, the model) and lays it out (every
block, text against the fonts, pictures and data files), which finds every error a
render would meet short of painting. Then it lints the laid-out frame, op by op:

- ``small-text``: body or caption text under 30 px at 1080 wide (scaled with the width);
- ``contrast``: text below 4.5:1 against what it stands on (3:1 for text of 48 px and up);
- ``missing-glyph``: characters no bundled font has (an error; a warning with
  ``allow_missing_glyphs``, when the painter draws a visible box instead);
- ``overflow``: text that had to be cut to fit its box;
- ``upscaled``: pictures shown more than 1.5x larger than their pixels (blurry);
- ``file-size``: an image file estimated over 10 MB (error: WeChat refuses it) or over
  1 MB (warning: the in-article upload API takes at most 1 MB);
- ``tall``: one image taller than 20,000 px without ``slice_height`` (warning), or
  taller than the format allows (error, as the render would fail);
- ``no-alt``: a picture with neither ``alt`` nor ``caption`` (a reader who cannot see
  it learns nothing of it);
- ``no-companion`` (with ``strict``): a long image (over two phone screens) rendered
  without ``output.describe``, the text companion that makes it readable unseen.

Ops are mapped back to the block they came from through ``Frame.origins`` (the
stack records each block's y band), so every finding names ``file:line:col`` and
the spec path of its block.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SpecError, SpecErrors
from .humanize import describe_char, human_size

if TYPE_CHECKING:
    from .frame import Frame, Text
    from .layout.context import LayoutContext
    from .spec.document import Document

#: Smallest body / caption text at 1080 px wide (design px); phones show a 1080 image at ~1/3.
MIN_BODY_SIZE = 30.0
#: WCAG AA contrast for body text, and for large text (titles of 48 px and up at 1080).
MIN_CONTRAST = 4.5
MIN_CONTRAST_LARGE = 3.0
LARGE_TEXT = 48.0
#: A picture shown this many times larger than its pixels looks blurry.
MAX_UPSCALE = 1.5
#: One image taller than this (px) is hard to read as one picture: suggest slices.
TALL_IMAGE = 20_000
#: An image this tall (two phone screens at 1080 wide) is "long": check --strict asks for its companion.
LONG_IMAGE = 3840
#: WeChat: an article image may be at most 10 MB; the in-article upload API takes 1 MB.
MAX_FILE_BYTES = 10 * 2**20
WARN_FILE_BYTES = 1 * 2**20

#: The file-size model, per format: bytes = FLAT x plain pixels + CHART x chart pixels
#: + INK x the sum of glyph sizes (px) of every character drawn (anti-aliased glyph edges
#: are most of an infographic's bytes) + each picture encoded at its box size (capped at
#: _PHOTO_SAMPLE_PX pixels). Fitted by least squares on the six examples at 1080 px
#: (PNG level 6, JPEG q90 4:4:4, WebP q90): within -9 % to +7 % of the real size on each.
SIZE_MODEL = {  # (FLAT, CHART, INK)
    "png": (0.0042, 0.095, 26.0),
    "jpeg": (0.050, 0.107, 23.0),
    "webp": (0.0085, 0.040, 12.5),
}
_PHOTO_SAMPLE_PX = 1_500_000

_WHERE = re.compile(r"^((?:blocks|footer)[\w\[\].]*): (.*)$", re.DOTALL)


@dataclass(frozen=True)
class Finding:
    """One problem in one spec. ``level``: "error" (the spec cannot render) or "warning".

    ``code`` names the lint (``small-text``, ``contrast``, …; ``error`` for load and
    layout errors) so tools and tests can filter findings.
    """

    spec: str
    level: str
    message: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    path: str | None = None
    code: str = "error"

    def format(self) -> str:
        """``FILE:LINE:COL: path: message`` (``warning:`` marks a warning)."""
        err = SpecError(self.message, file=self.file or self.spec, line=self.line, col=self.col, path=self.path)
        text = err.format()
        if self.level == "warning":
            loc = err.location()
            text = f"{loc}: warning: {text[len(loc) + 2:]}" if loc else f"warning: {text}"
        return text

    @classmethod
    def from_error(cls, spec: str, err: SpecError, level: str = "error") -> Finding:
        return cls(spec, level, err.message, err.file, err.line, err.col, err.path)


def check_spec(spec: str | Path, *, data: Any = None, allow_missing_glyphs: bool = False,
               strict: bool = False) -> list[Finding]:
    """The problems of one spec, errors first then warnings in document order (empty: all good)."""
    from .api import load

    name = str(spec)
    try:
        if not Path(spec).is_file():  # the words render says (runspec.existing_file)
            raise SpecError("is a folder, not a spec file" if Path(spec).is_dir() else "no such spec file", file=name)
        doc = load(name, data=data)
        return lint_document(doc, name=name, allow_missing_glyphs=allow_missing_glyphs, strict=strict)
    except SpecErrors as errs:
        return [Finding.from_error(name, e) for e in errs.errors]
    except SpecError as err:
        return [Finding.from_error(name, err)]


def lint_document(doc: Document, *, name: str | None = None, width: float | None = None, theme: Any = None,
                  allow_missing_glyphs: bool = False,
                  laid_out: tuple[Frame, LayoutContext] | None = None, strict: bool = False) -> list[Finding]:
    """Lay out a loaded document (at ``width``, in ``theme`` when given) and lint it; errors first.

    Layout errors raise SpecError as in a render; lints come back as findings. ``laid_out``
    is a layout already made (frame, context), made with ``allow_missing_glyphs=True``
    (``tushuo serve`` lints the frame it previews instead of laying out again).
    """
    from .inputs import make_context
    from .layout.stack import layout_document

    name = name or doc._source_file or "<spec>"
    if laid_out is not None:
        frame, ctx = laid_out
    else:
        # Lay out with boxes for missing glyphs so every one is found, not just the first.
        ctx = make_context(doc, width=width, theme=theme, allow_missing_glyphs=True)
        frame = layout_document(doc, ctx)
    found = _Linter(name, doc, ctx, frame, allow_missing_glyphs, strict).run()
    return sorted(found, key=lambda f: f.level != "error")  # stable: document order within each level


def note_finding(spec: str, doc: Document, note: str, code: str = "layout") -> Finding:
    """A layout note (``blocks[2]: message``, from ``ctx.warnings`` or a TushuoWarning) as a located warning."""
    m = _WHERE.match(note)
    path, msg = (m.group(1), m.group(2)) if m else ("", note)
    file, line, col = doc.locate(path) if path else (getattr(doc, "_source_file", None), None, None)
    return Finding(spec, "warning", msg, file or spec, line, col, path or None, code)


def check_specs(specs: Iterable[str | Path], *, data: Any = None, allow_missing_glyphs: bool = False,
                strict: bool = False) -> list[Finding]:
    """The problems of every spec, in order (``strict`` adds the lints only --strict asks for)."""
    out: list[Finding] = []
    for spec in specs:
        out += check_spec(spec, data=data, allow_missing_glyphs=allow_missing_glyphs, strict=strict)
    return out


# --------------------------------------------------------------------------- the lints
class _Linter:
    def __init__(self, name: str, doc: Document, ctx: LayoutContext, frame: Frame, allow_glyphs: bool,
                 strict: bool = False) -> None:
        self.name = name
        self.strict = strict
        self.doc = doc
        self.ctx = ctx
        self.frame = frame
        self.allow_glyphs = allow_glyphs
        self.scale = ctx.scale
        # innermost first: the narrowest band holding an op is the block it came from
        self.origins = sorted(frame.origins, key=lambda o: o[1] - o[0])
        self.out: list[Finding] = []
        self._seen: set[tuple[str, str]] = set()
        self._rates: dict[tuple[int, str], float] = {}

    # -- reporting ----------------------------------------------------------
    def where(self, bbox: tuple[float, float, float, float]) -> str:
        """The spec path of the block an op with this bounding box belongs to ('' when none)."""
        _, y, _, h = bbox
        mid = y + h / 2
        for top, bottom, path in self.origins:
            if top <= mid <= bottom:
                return path
        return ""

    def add(self, code: str, level: str, message: str, path: str, *, field: str = "", once: bool = True) -> None:
        """Record a finding at ``path`` (+ ``field`` when the spec has it); with ``once``, one per block and code."""
        if once:
            key = (code, path)
            if key in self._seen:
                return
            self._seen.add(key)
        full = f"{path}.{field}" if path and field else (field or path)
        if field and full not in self.doc._marks:
            full = path
        file, line, col = self.doc.locate(full) if full else (self.doc._source_file, None, None)
        self.out.append(Finding(self.name, level, message, file or self.name, line, col, full or None, code))

    def run(self) -> list[Finding]:
        from .frame import Text

        for w in self.ctx.warnings:
            self.layout_warning(w)
        self.pictures(self.doc.blocks, "blocks")
        for op in _texts_and_images(self.frame):
            if isinstance(op, Text):
                self.text(op)
            else:
                self.image(op)
        self.document()
        return self.out

    def layout_warning(self, w: str) -> None:
        if "missing glyphs drawn as boxes" in w:  # reported from the ops below, with the characters
            return
        self.out.append(note_finding(self.name, self.doc, w))

    # -- text -----------------------------------------------------------------
    def text(self, op: Text) -> None:
        from .color import contrast_ratio, flatten
        from .layout.chart_plan import CHART_ROLES

        if not op.runs:
            return
        path = self.where(op.box)
        page = self.frame.background or "#FFFFFF"
        page = page if len(page) == 7 else flatten(page, "#FFFFFF")
        size = max(r.size for r in op.runs)
        shown = _snippet(op.text)
        chart = op.role in CHART_ROLES  # chart labels are set at the caption size
        if (op.role in ("body", "caption") or chart) and size < MIN_BODY_SIZE * self.scale - 0.01:
            at1080 = size / self.scale
            self.add(
                "small-text", "warning",
                f"{'chart ' if chart else ''}{op.role} text '{shown}' is {at1080:.0f} px at 1080 wide, smaller than {MIN_BODY_SIZE:.0f} px: "
                "hard to read on a phone; use the theme's body or caption size",
                path,
            )
        if op.overflow:
            self.add("overflow", "warning",
                     f"text '{shown}' did not fit and was cut; shorten it or give it more room", path)
        missing = self.missing_glyphs(op)
        if missing:
            listed = ", ".join(describe_char(c, name=False) for c in missing[:5]) + (
                f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            if self.allow_glyphs:
                self.add("missing-glyph", "warning",
                         f"no bundled font has {listed}: drawn as empty boxes", path)
            else:
                self.add("missing-glyph", "error",
                         f"no bundled font has a glyph for {listed}; replace the characters, "
                         "or render with --allow-missing-glyphs to draw boxes", path)
        bg = op.background
        if bg is None:
            return
        bg = flatten(bg, page) if len(bg) == 9 else bg
        worst: tuple[float, float, str, str] | None = None
        for r in op.runs:
            if not r.text.strip():
                continue
            under = _underlay_at(op, r)
            stand = flatten(under, bg) if under and len(under) == 9 else (under or bg)
            need = MIN_CONTRAST_LARGE if r.size >= LARGE_TEXT * self.scale - 0.01 else MIN_CONTRAST
            ratio = contrast_ratio(r.color, stand)
            if ratio < need - 0.005 and (worst is None or ratio / need < worst[0] / worst[1]):
                worst = (ratio, need, r.color, stand)
        if worst is not None:
            ratio, need, fg, stand = worst
            shown_ratio = f"{ratio:.1f}" if round(ratio, 1) < need else f"{ratio:.2f}"  # not "4.5:1, below 4.5:1"
            self.add(
                "contrast", "warning",
                f"text '{shown}' ({fg.upper()} on {stand.upper()}) has a contrast of {shown_ratio}:1, "
                f"below {need:g}:1; darken the text colour or lighten what it stands on",
                path,
            )

    def missing_glyphs(self, op: Text) -> list[str]:
        fonts = self.ctx.fonts
        out: dict[str, None] = {}
        for r in op.runs:
            for ch in fonts.missing(r.text, r.face):
                out[ch] = None
        return list(out)

    # -- pictures ----------------------------------------------------------------
    def image(self, op: Any) -> None:
        if op.natural_size is None:
            return
        nw, nh = op.natural_size
        if nw <= 0 or nh <= 0:
            return
        factor = max(op.w / nw, op.h / nh)
        if factor > MAX_UPSCALE:
            path = self.where(op.bbox())
            field, name = self.picture_field(path)
            what = f"picture {name}" if name else "a picture"
            need = round(op.w / MAX_UPSCALE)
            self.add(
                "upscaled", "warning",
                f"{what} is {nw} x {nh} px but shown {op.w:.0f} x {op.h:.0f} px ({factor:.1f}x enlarged): "
                f"it will look blurry; use one at least {need} px wide",
                path, field=field,
            )

    def picture_field(self, path: str) -> tuple[str, str]:
        """The field of the block at ``path`` naming its picture (``src`` or ``image``) and its value."""
        block = _at_path(self.doc, path)
        for field in ("src", "image"):
            v = getattr(block, field, None)
            if isinstance(v, str):
                return field, v
        return "", ""

    def pictures(self, blocks: list[Any], prefix: str) -> None:
        """Pictures a reader who cannot see them learns nothing of: no alt text, no caption."""
        for i, b in enumerate(blocks):
            if b.type == "section":
                self.pictures(b.blocks, f"{prefix}[{i}].blocks")
            elif b.type == "image" and not (b.alt or "").strip() and not (b.caption or "").strip():
                self.add("no-alt", "warning", "the picture has neither alt nor caption: say what it shows "
                         "(alt: 选举大会现场，村民排队投票) for readers who cannot see it", f"{prefix}[{i}]", field="src")

    # -- the whole document ---------------------------------------------------------
    def document(self) -> None:
        from .pipeline import FORMAT_MAX_HEIGHT, MIN_SLICE_HEIGHT, normalise_format

        out = self.doc.output
        try:
            fmt = normalise_format(out.format) if out.format else "png"
        except SpecError as exc:
            self.add("output", "error", exc.message, "output.format")
            return
        if out.page_size is not None:  # read by the PDF writer; a bad one fails a PDF render
            from .layout.pages import parse_page_size

            try:
                parse_page_size(out.page_size, self.doc)
            except SpecError as exc:
                self.out.append(Finding(self.name, "error", exc.message, exc.file or self.name, exc.line, exc.col,
                                        exc.path, "output"))
        height = round(self.frame.height)
        slice_h = out.slice_height
        if fmt in ("pdf", "svg"):
            if slice_h:
                self.add("output", "error",
                         f"slice_height applies to PNG, JPEG and WebP; a {fmt.upper()} is not sliced",
                         "output.slice_height")
            return
        if 0 < slice_h < MIN_SLICE_HEIGHT:
            return  # the model already refuses it; nothing to estimate
        limit = FORMAT_MAX_HEIGHT[fmt]
        if slice_h > limit:
            self.add("output", "error",
                     f"slice_height {slice_h:,} px is taller than {fmt.upper()} allows ({limit:,} px)",
                     "output.slice_height")
            return
        if self.strict and height > LONG_IMAGE and not out.describe:
            self.add("no-companion", "warning", f"a {height:,} px long image without a text companion: set "
                     "output.describe: true (or render --describe) so it can be read without seeing it",
                     "output" if "output" in self.doc._marks else "")
        if not slice_h:
            at = "output" if "output" in self.doc._marks else ""
            if height > limit:
                self.add("tall", "error", f"the image is {height:,} px tall; {fmt.upper()} allows at most "
                         f"{limit:,} px; set output.slice_height (e.g. 1920) or make a PDF", at)
                return
            if height > TALL_IMAGE:
                self.add("tall", "warning", f"the image is {height:,} px tall (over {TALL_IMAGE:,}): phones shrink "
                         "and WeChat may compress it; set output.slice_height (e.g. 1920) to post it as several "
                         "images", at)
        if out.max_bytes is not None:
            return  # the render re-encodes to max_bytes and fails clearly if it cannot
        bands = [(0.0, float(height))] if not slice_h else [
            (float(y), float(min(y + slice_h, height))) for y in range(0, height, slice_h)]
        biggest = max(self.estimate_bytes(fmt, a, b) for a, b in bands)
        what = "each slice" if slice_h else "the image"
        if biggest > MAX_FILE_BYTES:
            self.add(
                "file-size", "error",
                f"{what} would be about {human_size(int(biggest))} as {fmt.upper()}, over WeChat's 10 MB per image; "
                "set output.slice_height, output.max_bytes, or use format jpeg / webp",
                "output" if "output" in self.doc._marks else "",
            )
        elif biggest > WARN_FILE_BYTES:
            self.add(
                "file-size", "warning",
                f"{what} would be about {human_size(int(biggest))} as {fmt.upper()}, over the 1 MB the in-article "
                "upload API takes; set output.max_bytes: 1000000 or output.slice_height if you upload that way",
                "output" if "output" in self.doc._marks else "",
            )

    def estimate_bytes(self, fmt: str, top: float, bottom: float) -> float:
        """Estimated file size of the band [top, bottom) in ``fmt`` (see SIZE_MODEL)."""
        from .frame import Group, Image, Text
        from .layout.chart_plan import CHART_ROLES

        flat_k, chart_k, ink_k = SIZE_MODEL[fmt]
        total = self.frame.width * (bottom - top)
        photo_bytes = photo_area = chart_area = ink = 0.0
        for op in _texts_and_images(self.frame):
            if isinstance(op, Text):
                if op.role in CHART_ROLES:
                    continue  # inside a plot, counted with its area
                for r in op.runs:
                    if top <= r.y < bottom:
                        ink += r.size * (len(r.text) - r.text.count(" "))
                continue
            assert isinstance(op, Image)
            y0, y1 = max(op.y, top), min(op.y + op.h, bottom)
            if y1 <= y0 or op.w <= 0:
                continue
            area = op.w * (y1 - y0)
            photo_area += area
            key = (id(op.image), fmt)  # the frame keeps every image alive, so ids are stable here
            if key not in self._rates:
                self._rates[key] = _picture_bytes_per_px(op, fmt)
            photo_bytes += area * self._rates[key]
        for g in self.frame.walk():  # a chart: its ops in a group clipped to the plot (layout/chart.py)
            if isinstance(g, Group) and g.clip and any(isinstance(o, Text) and o.role in CHART_ROLES for o in g.ops):
                _, gy, gw, gh = g.clip
                chart_area += gw * max(0.0, min(gy + gh, bottom) - max(gy, top))
        flat = max(0.0, total - photo_area - chart_area)
        return flat * flat_k + chart_area * chart_k + ink * ink_k + photo_bytes


# --------------------------------------------------------------------------- helpers
def _texts_and_images(frame: Frame) -> Iterator[Any]:
    from .frame import Image, Text

    for op in frame.walk():
        if isinstance(op, (Text, Image)):
            yield op


def _underlay_at(op: Text, run: Any) -> str | None:
    """The fill of a highlight band under ``run`` (==mark==), if any."""
    if not op.underlays:
        return None
    x0, y0, w, h = run.bbox()
    cx, cy = x0 + w / 2, y0 + h / 2
    for u in op.underlays:
        if u.fill and u.x <= cx <= u.x + u.w and u.y <= cy <= u.y + u.h:
            return u.fill
    return None


def _picture_bytes_per_px(op: Any, fmt: str) -> float:
    """Bytes per box pixel of a picture in ``fmt``, from encoding it at its box size (capped)."""
    im = op.image
    k = min(1.0, (_PHOTO_SAMPLE_PX / max(1.0, op.w * op.h)) ** 0.5)
    w = max(8, round(op.w * k))
    h = max(8, round(op.h * k))
    sample = im.convert("RGB").resize((w, h))
    buf = io.BytesIO()
    if fmt == "png":
        sample.save(buf, "PNG", compress_level=6)
    elif fmt == "jpeg":
        sample.save(buf, "JPEG", quality=90, subsampling=0)  # no optimize: Pillow's buffer overflows on busy pictures
    else:
        sample.save(buf, "WEBP", quality=90, method=4)
    return len(buf.getvalue()) / (w * h)


def _at_path(doc: Any, path: str) -> Any:
    """The model object at a spec path such as ``blocks[2].blocks[0]`` (None if it is not there)."""
    obj = doc
    for name, index in re.findall(r"([A-Za-z_]\w*)|\[(\d+)\]", path):
        try:
            obj = getattr(obj, name) if name else obj[int(index)]
        except (AttributeError, IndexError, TypeError):
            return None
    return obj


def _snippet(text: str, n: int = 12) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"

