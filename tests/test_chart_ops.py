"""Charts as ordinary frame ops: wedges and label text (that no chart imports matplotlib, in any
format, is tests/test_figure.py's subprocess test).

The planner (layout/chart_plan.py) emits Rect, Ellipse, Path and Text ops; these tests
paint them with the Pillow painter and read the pixels.
"""

from __future__ import annotations

import math
from pathlib import Path

from tushuo.frame import Frame
from tushuo.frame import Path as PathOp
from tushuo.layout.chart_plan import _Label, label_text, wedge_commands
from tushuo.paint.raster import paint
from tushuo.text.fonts import default_fontbook

ROOT = Path(__file__).resolve().parent.parent
FB = default_fontbook()


def point(cx: float, cy: float, r: float, deg: float) -> tuple[int, int]:
    a = math.radians(deg - 90)
    return round(cx + r * math.cos(a)), round(cy + r * math.sin(a))


def wedge(cx, cy, r, start, end, fill, ring=None) -> PathOp:
    return PathOp(wedge_commands(cx, cy, r, start, end, ring), fill=fill, cap="butt")


def test_wedges_run_clockwise_from_twelve_and_rings_are_hollow():
    f = Frame(200, 200, background="#FFFFFF")
    f.add(wedge(100, 100, 80, 0, 90, "#FF0000"))  # top-right quadrant
    f.add(wedge(100, 100, 80, 180, 270, "#0000FF", ring=30))  # bottom-left quadrant, 30 px thick
    img = paint(f)
    assert img.getpixel(point(100, 100, 60, 45)) == (255, 0, 0)
    assert img.getpixel(point(100, 100, 60, 135)) == (255, 255, 255)
    assert img.getpixel(point(100, 100, 65, 225)) == (0, 0, 255)
    assert img.getpixel(point(100, 100, 30, 225)) == (255, 255, 255)  # inside the ring's hole
    full = Frame(200, 200, background="#FFFFFF")
    full.add(wedge(100, 100, 80, 0, 360, "#00FF00", ring=20))
    img = paint(full)
    assert img.getpixel((100, 100)) == (255, 255, 255)
    assert all(img.getpixel(point(100, 100, 70, a)) == (0, 255, 0) for a in range(0, 360, 30))


def test_arcs_are_flattened_close_to_the_circle():
    cmds = wedge_commands(0, 0, 100, 10, 350)
    ends = [(c[-2], c[-1]) for c in cmds if c[0] == "C"]
    assert len(ends) == 4  # 340 degrees in four quarter-circle pieces at most
    assert all(abs((x * x + y * y) ** 0.5 - 100) < 1e-9 for x, y in ends)


def test_label_ink_stays_in_its_box_for_every_alignment():
    labels = []
    f = Frame(600, 200, background="#FFFFFF")
    for k, ha in enumerate(("left", "center", "right")):
        w = FB.measure("颍州先锋", 30, "sans")
        lab = _Label(300, 20 + 60 * k, ("颍州先锋",), 30, "sans", "#000000", ha=ha, widths=(w,))
        labels.append(lab)
        op = label_text(lab, FB, "#FFFFFF")
        assert op.box == lab.bbox() and op.text == "颍州先锋" and op.background == "#FFFFFF"
        f.add(op)
    img = paint(f).convert("L")
    for lab in labels:
        x, y, w, h = lab.bbox()
        ink = img.crop((0, round(y), 600, round(y + h))).point(lambda v: 255 if v < 128 else 0).getbbox()
        assert ink is not None
        assert x - 2 <= ink[0] and ink[2] <= x + w + 2, (lab.ha, ink, (x, w))

