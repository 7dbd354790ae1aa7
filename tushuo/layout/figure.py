"""The figure block: a user's matplotlib Figure as ordinary frame ops.

matplotlib draws the figure through a renderer (its ``RendererBase`` interface:
draw_path, draw_image, draw_text); ours records each call as a frame op instead of
pixels: paths become Path ops, images Image ops, and horizontal text becomes Text set
in the theme's fonts, so PNG rasterises the figure at the output scale, PDF and SVG
get vectors and real, searchable text in the document's embedded fonts, and
``tushuo check`` sees the figure's text like any other. Rotated and math text is drawn
as outlines of the same fonts.

matplotlib is imported here only, and this module only when a document has a figure
(the registry imports block layouts on first use).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from matplotlib.backend_bases import GraphicsContextBase, RendererBase
from matplotlib.path import Path as MplPath

from ..frame import BBox, Box, Frame, Group, Image, Op, Path, Text
from .chart_plan import line_glyphs
from .common import titled
from .registry import layout_for

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..spec.blocks import FigureBlock
    from ..text.fonts import FontBook
    from .context import LayoutContext

#: images in a figure (imshow, heatmaps) are resampled at this many device px per design px
IMAGE_DENSITY = 3.0
#: matplotlib figures are not safe to draw from two threads at once
_draw_lock = threading.Lock()


@layout_for("figure")
def layout_figure(block: FigureBlock, width: float, ctx: LayoutContext) -> Frame:
    """The block title, then the figure scaled to the content width; one unit for slicing."""
    frame, y = titled(block.title, width, ctx)
    ops, height = figure_ops(block.figure, width, ctx.fonts, ctx.face("body"), ctx.face("bold"))
    frame.add(Group(tuple(_moved(op, y) for op in ops), clip=(0.0, y, width, height)))
    frame.boxes.append(Box(0.0, y, width, height, "figure"))
    frame.height = y + height
    return frame


def figure_ops(figure: Figure, width: float, fonts: FontBook, face: str, bold: str) -> tuple[list[Op], float]:
    """The figure drawn ``width`` design px wide as frame ops; (ops, height)."""
    with _draw_lock:
        renderer = _OpsRenderer(figure, width, fonts, face, bold)
        figure.draw(renderer)
    return renderer.grouped(), renderer.height_px * renderer.k


def _moved(op: Op, dy: float) -> Op:
    from ..frame import shift

    return shift(op, 0.0, dy)


def _hex(rgba: Any, alpha: float | None = None) -> str | None:
    """matplotlib's 0-1 floats as '#RRGGBB' or '#RRGGBBAA'; None when fully transparent."""
    r, g, b = (max(0, min(255, round(float(v) * 255))) for v in rgba[:3])
    a = float(rgba[3]) if alpha is None and len(rgba) > 3 else (1.0 if alpha is None else alpha)
    if a <= 0:
        return None
    out = f"#{r:02X}{g:02X}{b:02X}"
    return out if a >= 1 else out + f"{round(a * 255):02X}"


class _OpsRenderer(RendererBase):
    """A matplotlib renderer whose output is frame ops in design px (top-left origin, y down)."""

    def __init__(self, figure: Figure, width: float, fonts: FontBook, face: str, bold: str) -> None:
        super().__init__()
        self.figure = figure
        self.dpi = float(figure.dpi)
        w_in, h_in = figure.get_size_inches()
        self.width_px, self.height_px = float(w_in) * self.dpi, float(h_in) * self.dpi
        self.k = width / self.width_px  # design px per display unit
        self.fonts, self.face, self.bold = fonts, face, bold
        self.ops: list[tuple[BBox | None, Op]] = []

    # -- what matplotlib asks of a renderer -----------------------------------------------
    def flipy(self) -> bool:
        return False  # display coordinates run up, as in Agg

    def get_canvas_width_height(self) -> tuple[float, float]:
        return self.width_px, self.height_px

    def points_to_pixels(self, points: Any) -> Any:
        return points * self.dpi / 72.0

    def option_image_nocomposite(self) -> bool:
        return True

    def get_image_magnification(self) -> float:
        return max(1.0, IMAGE_DENSITY * self.k)

    def new_gc(self) -> GraphicsContextBase:
        return GraphicsContextBase()

    def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
        if ismath:
            return super().get_text_width_height_descent(s, self._own_font(prop), ismath)
        key = self._key(prop)
        size = prop.get_size_in_points() * self.dpi / 72.0
        f = self.fonts.face(key)
        return self.fonts.measure(s, size, key), (f.ascent + f.descent) * size, f.descent * size

    # -- drawing ---------------------------------------------------------------------------
    def draw_path(self, gc: GraphicsContextBase, path: MplPath, transform: Any, rgbFace: Any = None) -> None:
        cmds: list[tuple] = []
        for verts, code in path.iter_segments(transform, remove_nans=True, simplify=False, curves=True):
            pts = [self._xy(verts[i], verts[i + 1]) for i in range(0, len(verts), 2)]
            if code == MplPath.MOVETO:
                cmds.append(("M", *pts[0]))
            elif code == MplPath.LINETO:
                cmds.append(("L", *pts[0]))
            elif code == MplPath.CURVE3:
                cmds.append(("Q", *pts[0], *pts[1]))
            elif code == MplPath.CURVE4:
                cmds.append(("C", *pts[0], *pts[1], *pts[2]))
            elif code == MplPath.CLOSEPOLY:
                cmds.append(("Z",))
        if not any(c[0] != "Z" for c in cmds):
            return
        forced = gc.get_forced_alpha()
        fill = _hex(rgbFace, gc.get_alpha() if forced else None) if rgbFace is not None else None
        width = gc.get_linewidth() * self.dpi / 72.0 * self.k
        stroke = _hex(gc.get_rgb(), gc.get_alpha() if forced else None) if width > 0 else None
        if fill is None and stroke is None:
            return
        round_cap = gc.get_capstyle() == "round"
        # points, already scaled by the line width (the offset is left out)
        pattern: Any = gc.get_dashes()[1]
        on_off = tuple(float(d) * self.dpi / 72.0 * self.k for d in pattern) if stroke and pattern is not None else ()
        dash = on_off or None  # solid: no pattern, or an empty one
        self._add(gc, Path(tuple(cmds), fill=fill, stroke=stroke, stroke_width=width if stroke else 0.0,
                           cap="round" if round_cap else "butt", dash=dash))

    def draw_image(self, gc: GraphicsContextBase, x: float, y: float, im: Any, transform: Any = None) -> None:
        from PIL import Image as PILImage

        h, w = im.shape[:2]
        if w == 0 or h == 0:
            return
        mag = self.get_image_magnification()
        left, top = self._xy(x, y + h / mag)
        picture = PILImage.fromarray(im, "RGBA")  # matplotlib hands the rows top first
        self._add(gc, Image(left, top, w / mag * self.k, h / mag * self.k, image=picture, natural_size=(w, h)))

    def draw_text(self, gc: GraphicsContextBase, x: float, y: float, s: str, prop: Any, angle: float,
                  ismath: Any = False, mtext: Any = None) -> None:
        if ismath or angle % 360:  # outlines of the same fonts
            # RendererBase's own outline drawing (private in matplotlib's stubs, public in its docs)
            RendererBase._draw_text_as_path(self, gc, x, y, s, self._own_font(prop), angle, ismath,  # type: ignore[attr-defined]
                                            mtext)
            return
        key = self._key(prop)
        size = prop.get_size_in_points() * self.dpi / 72.0 * self.k
        color = _hex(gc.get_rgb(), gc.get_alpha() if gc.get_forced_alpha() else None)
        if color is None or not s:
            return
        x0, base = self._xy(x, y)
        f = self.fonts.face(key)
        runs = line_glyphs(self.fonts, s, key, size, x0, base, color)
        box = (x0, base - f.ascent * size, runs[-1].end - x0 if runs else 0.0, (f.ascent + f.descent) * size)
        self._add(gc, Text(tuple(runs), box, role="figure"))

    # -- helpers ---------------------------------------------------------------------------
    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return (float(x) * self.k, (self.height_px - float(y)) * self.k)

    def _key(self, prop: Any) -> str:
        weight = prop.get_weight()
        heavy = weight in ("semibold", "demibold", "demi", "bold", "heavy", "extra bold", "black") or (
            isinstance(weight, (int, float)) and weight >= 600)
        return self.bold if heavy else self.face

    def _own_font(self, prop: Any) -> Any:
        """``prop`` pointing at the theme's font file, so outlines match the measured text."""
        own = prop.copy()
        own.set_file(str(self.fonts.path(self._key(prop))))
        return own

    def _add(self, gc: GraphicsContextBase, op: Op) -> None:
        clip = gc.get_clip_rectangle()
        box: BBox | None = None
        if clip is not None:
            x0, y0, x1, y1 = clip.extents
            left, top = self._xy(x0, y1)
            box = (left, top, (x1 - x0) * self.k, (y1 - y0) * self.k)
        self.ops.append((box, op))

    def grouped(self) -> list[Op]:
        """The ops in drawing order; runs of ops under the same clip rectangle share a Group."""
        out: list[Op] = []
        run: list[Op] = []
        current: BBox | None = None
        for box, op in [*self.ops, (None, None)]:
            if run and (box != current or op is None):
                out.extend(run) if current is None else out.append(Group(tuple(run), clip=current))
                run = []
            if op is None:
                break
            current = box
            run.append(op)
        return out
