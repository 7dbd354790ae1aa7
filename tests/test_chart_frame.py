"""Charts painted by the Pillow painter from their plan (no matplotlib on the PNG path).

The same plan drawn by matplotlib (what PDF and SVG still use) is the reference: the
two pictures must agree to within antialiasing, for every chart kind.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from tushuo.render import charts
from tushuo.render.chart_frame import plan_frame, wedge_commands
from tushuo.render.charts import ChartColors, ChartSpec, Plan, Wedge, plan_chart, render_chart
from tushuo.render.raster import paint
from tushuo.text.fonts import default_fontbook
from tushuo.themes import builtin_theme

ROOT = Path(__file__).resolve().parent.parent
FB = default_fontbook()
TOWNS = ["鼓楼街道", "文峰街道", "清河街道", "颍西街道", "西湖镇"]


def spec(kind: str, values: list[list[float]], **kw) -> ChartSpec:
    return ChartSpec(kind=kind, labels=TOWNS[: len(values[0])], names=[f"系列{i + 1}" for i in range(len(values))],
                     values=values, width=600.0, colors=ChartColors.from_theme(builtin_theme("party-red")),
                     fonts=FB, unit="个", **kw)


SAMPLES = {
    "bar": spec("bar", [[12, 9, 15, 11, 18]], highlight=4),
    "hbar": spec("hbar", [[12, 9, 15, 11, 18]]),
    "stacked": spec("stacked", [[12, 9, 15, 11, 18], [3, 5, 0, 6, 1]]),
    "line": spec("line", [[12, 9, 15, 11, 18], [3, 5, 0, 6, 1]]),
    "pie": spec("pie", [[40, 30, 20, 7, 3]], highlight=1),
    "donut": spec("donut", [[40, 30, 20, 7, 3]]),
    "progress": spec("progress", [[100, 96.5, 88, 72.3, 0]], highlight=3),
}


def matplotlib_png(plan: Plan, scale: float) -> Image.Image:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(charts.draw_plan(plan, FB, scale))
    canvas.draw()
    return Image.frombuffer("RGBA", canvas.get_width_height(), bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_painted_chart_matches_matplotlibs_drawing_of_the_same_plan(kind):
    plan = plan_chart(SAMPLES[kind])
    ours = render_chart(plan, FB, "png", 1.0).convert("RGB")
    ref = matplotlib_png(plan, 1.0).convert("RGB")
    assert ours.size == ref.size == (round(plan.width), round(plan.height))
    diff = ImageChops.difference(ours, ref).convert("L")
    # Only edges differ: glyph antialiasing, and matplotlib snaps bar edges to whole pixels.
    # Measured: mean 0.9-2.0, 0.3-1.6 % of pixels off by more than a quarter.
    assert ImageStat.Stat(diff).mean[0] < 3.0
    far = sum(diff.histogram()[65:]) / (ours.width * ours.height)
    assert far < 0.03


def point(cx: float, cy: float, r: float, deg: float) -> tuple[int, int]:
    import math

    a = math.radians(deg - 90)
    return round(cx + r * math.cos(a)), round(cy + r * math.sin(a))


def test_wedges_run_clockwise_from_twelve_and_rings_are_hollow():
    plan = Plan(200, 200, "#FFFFFF", items=[
        Wedge(100, 100, 80, 0, 90, "#FF0000"),  # top-right quadrant
        Wedge(100, 100, 80, 180, 270, "#0000FF", ring=30),  # bottom-left quadrant, 30 px thick
    ])
    img = paint(plan_frame(plan, FB))
    assert img.getpixel(point(100, 100, 60, 45)) == (255, 0, 0)
    assert img.getpixel(point(100, 100, 60, 135)) == (255, 255, 255)
    assert img.getpixel(point(100, 100, 65, 225)) == (0, 0, 255)
    assert img.getpixel(point(100, 100, 30, 225)) == (255, 255, 255)  # inside the ring's hole
    full = Plan(200, 200, "#FFFFFF", items=[Wedge(100, 100, 80, 0, 360, "#00FF00", ring=20)])
    img = paint(plan_frame(full, FB))
    assert img.getpixel((100, 100)) == (255, 255, 255)
    assert all(img.getpixel(point(100, 100, 70, a)) == (0, 255, 0) for a in range(0, 360, 30))


def test_arcs_are_flattened_close_to_the_circle():
    cmds = wedge_commands(Wedge(0, 0, 100, 10, 350, "#000000"))
    ends = [(c[-2], c[-1]) for c in cmds if c[0] == "C"]
    assert len(ends) == 4  # 340 degrees in four quarter-circle pieces at most
    assert all(abs((x * x + y * y) ** 0.5 - 100) < 1e-9 for x, y in ends)


def test_label_ink_stays_in_its_box_for_every_alignment():
    from tushuo.render.charts import Label

    items = []
    for k, ha in enumerate(("left", "center", "right")):
        w = FB.measure("颍州先锋", 30, "sans")
        items.append(Label(300, 20 + 60 * k, ("颍州先锋",), 30, "sans", "#000000", ha=ha, widths=(w,)))
    img = paint(plan_frame(Plan(600, 200, "#FFFFFF", items=items), FB)).convert("L")
    for lab in items:
        x, y, w, h = lab.bbox()
        ink = img.crop((0, round(y), 600, round(y + h))).point(lambda v: 255 if v < 128 else 0).getbbox()
        assert ink is not None
        assert x - 2 <= ink[0] and ink[2] <= x + w + 2, (lab.ha, ink, (x, w))


def test_png_charts_never_import_matplotlib(tmp_path):
    path = tmp_path / "chart.yaml"
    path.write_text("title: t\nblocks:\n  - {type: chart, kind: donut, labels: [甲, 乙], series: [{values: [1, 2]}]}\n",
                    encoding="utf-8")
    code = textwrap.dedent(f"""
        import sys, tushuo
        tushuo.render(tushuo.load({str(path)!r}), {str(tmp_path / 'out.png')!r})
        assert "matplotlib" not in sys.modules, "a PNG chart imported matplotlib"
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out.png").stat().st_size > 1000
