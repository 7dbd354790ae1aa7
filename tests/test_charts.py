"""Charts: CSV data, the chart planner's geometry (frame ops), rendering, the chart block layout.

Geometry is tested on plans (pure Python, fast); pixels on small renders (scale 0.5)
with every warning turned into an error, so a missing glyph fails the test.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tushuo
from tushuo.data import parse_number, parse_table, read_table
from tushuo.errors import SpecError
from tushuo.frame import Ellipse, Group, Rect, Text
from tushuo.frame import Path as PathOp
from tushuo.inputs import layout_document, make_context
from tushuo.layout import chart_plan as charts
from tushuo.layout.chart_plan import (
    ChartColors,
    ChartSpec,
    fmt_num,
    nice_ticks,
    plan_chart,
    text_lines,
)
from tushuo.paint.raster import paint
from tushuo.text.fonts import default_fontbook
from tushuo.themes import builtin_theme, mix

DATA = Path(__file__).parent / "data" / "charts"
ROOT = Path(__file__).resolve().parent.parent
THEMES = ["party-red", "gov-blue", "fresh-green", "ink"]
KINDS = ["bar", "hbar", "stacked", "line", "pie", "donut", "progress"]
FB = default_fontbook()
W = 904.0  # the chart's width inside its card on a 1080 canvas
LONG = "颍州区西湖镇三十里铺社区居民委员会第一网格"[:20]


def spec(kind: str, labels: list[str], values: list[list[float]], *, theme: str = "party-red",
         names: list[str] | None = None, **kw) -> ChartSpec:
    return ChartSpec(
        kind=kind, labels=labels, names=names or [f"系列{i + 1}" for i in range(len(values))], values=values,
        width=kw.pop("width", W), colors=ChartColors.from_theme(builtin_theme(theme)), fonts=FB, **kw,
    )


def sample(kind: str, theme: str = "party-red") -> ChartSpec:
    towns = ["鼓楼街道", "文峰街道", "清河街道", "颍西街道", "西湖镇"]
    if kind in ("pie", "donut"):
        return spec(kind, towns, [[40, 30, 20, 7, 3]], theme=theme, unit="人", highlight=1)
    if kind == "progress":
        return spec(kind, towns, [[100, 96.5, 88, 72.3, 0]], theme=theme, highlight=3)
    if kind in ("stacked", "line"):
        return spec(kind, towns, [[12, 9, 15, 11, 18], [3, 5, 0, 6, 1]], theme=theme, unit="个",
                    names=["已完成", "进行中"])
    return spec(kind, towns, [[12, 9, 15, 11, 18]], theme=theme, unit="个", highlight=4)


def render_plan(plan: charts.Plan, scale: float = 0.5):
    """The plan's frame painted by the Pillow painter, as the page paints it."""
    return paint(plan.frame(), scale=scale, fonts=FB)


def render(s: ChartSpec, scale: float = 0.5):
    """A PNG render with every warning (e.g. a glyph missing from the font) raised as an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return render_plan(plan_chart(s), scale)


def bars(plan: charts.Plan) -> list[Rect]:
    return [b for b in plan.items if isinstance(b, Rect)]


def plots(frame) -> list[Group]:
    """The chart groups of a frame: ops clipped to a plot area, with chart text among them."""
    return [g for g in frame.walk() if isinstance(g, Group) and g.clip
            and any(isinstance(o, Text) and o.role in charts.CHART_ROLES for o in g.ops)]


def wedges(plan: charts.Plan) -> list[PathOp]:
    return [w for w in plan.items if isinstance(w, PathOp) and w.fill is not None]


def overlaps(a: Text, b: Text, tol: float = 0.5) -> bool:
    ax, ay, aw, ah = a.bbox()
    bx, by, bw, bh = b.bbox()
    return ax + aw - tol > bx and bx + bw - tol > ax and ay + ah - tol > by and by + bh - tol > ay


def assert_readable(plan: charts.Plan, min_size: float = 30.0) -> None:
    """Every label inside the chart, none overlapping another, none smaller than the caption size."""
    labels = plan.labels()
    assert labels, "a chart without any text"
    for lab in labels:
        x, y, w, h = lab.bbox()
        assert x >= -0.5 and y >= -0.5, (lab.text, lab.bbox())
        assert x + w <= plan.width + 0.5 and y + h <= plan.height + 0.5, (lab.text, lab.bbox(), plan.height)
        assert min(r.size for r in lab.runs) >= min_size - 1e-6
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not overlaps(a, b), (a.text, a.bbox(), b.text, b.bbox())


# ============================================================================ CSV data
def test_bom_gbk_and_utf16_files_read_the_same():
    tables = [read_table(DATA / n) for n in ("progress-bom.csv", "progress-gbk.csv", "progress-utf16.csv")]
    for t in tables:
        assert t.labels == ["鼓楼街道", "文峰街道", "马寨乡"]
        assert t.names == ["已完成"]
        assert t.columns == [[100.0, 96.5, 57.1]]
        assert t.rows == [2, 3, 4]


def test_spreadsheet_habits_are_understood():
    t = read_table(DATA / "excel-style.csv")
    # quoted cells, thousands separators, full-width digits, percent signs, blank and padded rows
    assert t.labels == ["甲类", "乙类", "丙类"]
    assert t.columns == [[1234.0, 12.0, 7.0], [12.5, 30.0, 57.5]]
    assert t.rows == [2, 3, 6]


@pytest.mark.parametrize("cell,value", [("12", 12), (" 98.5% ", 98.5), ("１２", 12), ("1,234.5", 1234.5),
                                         ("-3", -3), ("\u22123", -3), ("1e3", 1000)])
def test_numbers(cell, value):
    assert parse_number(cell) == value


@pytest.mark.parametrize("cell", ["12a", "", "1,23", "nan", "inf", "一"])
def test_not_numbers(cell):
    assert parse_number(cell) is None


@pytest.mark.parametrize("name,message", [
    ("bad-number.csv", "bad-number.csv:4:3: '12a' is not a number (column 已完成)"),
    ("ragged.csv", "ragged.csv:3: 2 cells in this row but the header has 3 columns"),
    ("empty.csv", "empty.csv: the file is empty"),
    ("header-only.csv", "header-only.csv:1: has a header but no data rows"),
])
def test_bad_files_name_file_row_and_column(name, message):
    with pytest.raises(SpecError) as err:
        read_table(DATA / name)
    assert str(err.value).startswith(message)


def test_more_csv_mistakes():
    with pytest.raises(SpecError, match=r"^t.csv:2:2: empty cell \(column 人数\)"):
        parse_table("类别,人数\n甲,\n", "t.csv")
    with pytest.raises(SpecError, match=r"^t.csv:1: needs at least two columns"):
        parse_table("类别\n甲\n", "t.csv")
    with pytest.raises(SpecError, match=r"^t.csv:2:1: the label \(first column\) is empty"):
        parse_table("类别,人数\n,3\n", "t.csv")
    with pytest.raises(SpecError, match=r"^t.csv: cannot read the file as text"):
        from tushuo.data import decode

        decode(b"\xff\xff\xff\x81\x30", "t.csv")
    with pytest.raises(SpecError, match=r"^missing.csv: file not found"):
        read_table(DATA / "missing.csv")


# ============================================================================ chart blocks in a document
def write_spec(tmp_path: Path, chart: str, *files: str) -> Path:
    for f in files:
        shutil.copy(DATA / f, tmp_path / f)
    path = tmp_path / "bulletin.yaml"
    path.write_text("title: 进展通报\nblocks:\n  - type: paragraph\n    text: 说明\n" + textwrap.indent(chart, "  "),
                    encoding="utf-8")
    return path


def layout(path: Path, width: float | None = None):
    doc = tushuo.load(path)
    ctx = make_context(doc, width=width)
    return layout_document(doc, ctx=ctx), ctx


CSV_CHART = """\
- type: chart
  kind: {kind}
  title: 完成情况
  data_file: {file}
"""


@pytest.mark.parametrize("file", ["progress-bom.csv", "progress-gbk.csv"])
def test_csv_chart_lays_out(tmp_path, file):
    frame, ctx = layout(write_spec(tmp_path, CSV_CHART.format(kind="progress", file=file), file))
    (plot,) = plots(frame)
    labels = [op.text for op in frame.walk() if isinstance(op, Text) and op.role == "label"]
    assert "鼓楼街道" in labels and plot.clip[3] > 100
    assert not ctx.warnings


@pytest.mark.parametrize("kind,file,csv_message", [
    ("bar", "bad-number.csv", "bad-number.csv:4:3: '12a' is not a number (column 已完成)"),
    ("bar", "ragged.csv", "ragged.csv:3: 2 cells in this row but the header has 3 columns"),
    ("bar", "empty.csv", "empty.csv: the file is empty"),
    ("bar", "missing.csv", "file not found: missing.csv"),
    ("progress", "over-100.csv", "over-100.csv:3:2: progress values are percentages 0–100: 投票选举 = 120"),
    ("pie", "negative.csv", "negative.csv:3:2: a pie chart needs non-negative values: 高中 = -3"),
    ("donut", "zeros.csv", "zeros.csv: a donut chart needs values with a positive sum"),
    ("pie", "bad-number.csv", "bad-number.csv:4:3: '12a' is not a number"),
])
def test_csv_errors_are_located_at_the_spec_and_the_cell(tmp_path, kind, file, csv_message):
    files = [file] if (DATA / file).exists() else []
    path = write_spec(tmp_path, CSV_CHART.format(kind=kind, file=file), *files)
    with pytest.raises(SpecError) as err:
        layout(path)
    e = err.value
    assert (Path(e.file).name, e.line, e.path) == ("bulletin.yaml", 8, "blocks[1].data_file")
    assert e.message.startswith(csv_message)
    assert str(e).startswith(f"{e.file}:8:")


def test_csv_outside_the_spec_folder_is_refused(tmp_path):
    (tmp_path / "spec").mkdir()
    shutil.copy(DATA / "progress-bom.csv", tmp_path / "secret.csv")
    path = write_spec(tmp_path / "spec", CSV_CHART.format(kind="bar", file="../secret.csv"))
    with pytest.raises(SpecError, match="leaves the spec's folder") as err:
        layout(path)
    assert err.value.path == "blocks[1].data_file"


@pytest.mark.parametrize("chart,path,message", [
    ("kind: bar\n  labels: [甲, 乙, 丙]\n  series: [{name: 数, values: [1, 2]}]",
     "blocks[1].series[0].values", "has 2 values for 3 labels"),
    ("kind: pie\n  labels: [甲, 乙]\n  series: [{values: [3, -1]}]",
     "blocks[1].series[0].values[1]", "non-negative"),
    ("kind: donut\n  labels: [甲, 乙]\n  series: [{values: [0, 0]}]",
     "blocks[1].series[0].values", "positive sum"),
    ("kind: progress\n  labels: [甲, 乙]\n  series: [{values: [30, 101]}]",
     "blocks[1].series[0].values[1]", "0–100"),
    ("kind: pie\n  labels: [甲, 乙]\n  series: [{values: [1, 2]}, {values: [3, 4]}]",
     "blocks[1].series", "exactly one series"),
    ("kind: bar\n  labels: [甲, 乙]\n  series: [{values: [1, 2]}]\n  highlight: 丁",
     "blocks[1].highlight", "not one of the labels"),
])
def test_inline_data_errors_are_located(tmp_path, chart, path, message):
    spec_path = write_spec(tmp_path, "- type: chart\n  " + chart + "\n")
    with pytest.raises(SpecError) as err:
        tushuo.load(spec_path)
    assert err.value.path == path and err.value.line is not None and message in err.value.message


def test_character_missing_from_the_chart_font_is_a_located_error(tmp_path):
    chart = "- type: chart\n  kind: bar\n  labels: [甲, 乙🙂]\n  series: [{values: [1, 2]}]\n"
    with pytest.raises(SpecError, match="no glyph for '🙂'") as err:
        layout(write_spec(tmp_path, chart))
    assert err.value.path == "blocks[1].labels[1]"


def test_chart_block_frame(tmp_path):
    chart = "- type: chart\n  kind: bar\n  title: 各乡镇完成情况\n  labels: [甲, 乙]\n  series: [{values: [1, 2]}]\n"
    doc = tushuo.load(write_spec(tmp_path, chart))
    from tushuo.layout.registry import layout_block

    ctx = make_context(doc).at("blocks[1]")
    frame = layout_block(doc.blocks[1], 968, ctx)
    (box,) = frame.boxes
    assert box.kind == "chart" and box.y > 0 and box.y + box.h <= frame.height
    assert frame.breaks == []  # never cut inside a chart, nor between it and its title
    (group,) = plots(frame)
    x, y, w, h = group.clip
    assert box.x < x and x + w < box.x + box.w and box.y < y and y + h < box.y + box.h
    assert h == pytest.approx(0.62 * w, abs=1)  # the default bar chart shape


def test_chart_scales_with_the_canvas(tmp_path):
    chart = "- type: chart\n  kind: hbar\n  labels: [甲镇, 乙镇]\n  series: [{values: [1, 2]}]\n"
    path = write_spec(tmp_path, chart)
    sizes = {}
    for width in (1080, 750):
        frame, _ = layout(path, width)
        (plot,) = plots(frame)
        sizes[width] = plot.clip[2:]
    assert sizes[750][0] == pytest.approx(sizes[1080][0] * 750 / 1080)
    assert sizes[750][1] == pytest.approx(sizes[1080][1] * 750 / 1080)


# ============================================================================ geometry (plans)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_readable_at_phone_size(kind):
    plan = plan_chart(sample(kind))
    assert_readable(plan)
    assert not plan.notes


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [1, 30])
def test_one_and_thirty_categories(kind, n):
    labels = [f"{i + 1}日" for i in range(n)]
    values = [[float((i * 37) % 23 + 3) for i in range(n)]]
    plan = plan_chart(spec(kind, labels, values, unit="人"))
    assert_readable(plan)
    rects = bars(plan)
    if kind == "hbar" and n == 30:  # every label shown: the chart grows instead
        assert {text_lines(lab)[0] for lab in plan.labels()} >= set(labels)
        assert plan.height > 30 * 40
    if kind == "bar":
        assert len(rects) == n


@pytest.mark.parametrize("kind", ["bar", "hbar", "stacked", "line", "progress", "pie"])
def test_twenty_character_labels_wrap_without_clipping(kind):
    labels = [LONG, "文峰街道", LONG[::-1]]
    values = [[5.0, 1.0, 3.0]]
    plan = plan_chart(spec(kind, labels, values, unit="个"))
    assert_readable(plan)
    shown = "".join("".join(text_lines(lab)) for lab in plan.labels())
    assert LONG in shown and LONG[::-1] in shown  # wrapped, never cut
    assert any(len(text_lines(lab)) > 1 for lab in plan.labels()) or kind == "progress"


def test_bar_labels_wrap_balanced_and_keep_the_authors_breaks():
    plan = plan_chart(spec("bar", ["清河街道"] * 7 + ["颍西\n街道"], [[1.0] * 8]))
    lines = [text_lines(lab) for lab in plan.labels()]
    assert ["清河", "街道"] in lines and ["颍西", "街道"] in lines


def test_wrapped_labels_keep_quoted_and_bracketed_terms_whole():
    """Long category labels wrap like block titles: never inside “两委” or （社区）."""
    names = ["原村（社区）“两委”成员连任", "致富能手和农民合作社负责人", "退役军人"]
    plan = plan_chart(spec("hbar", names, [[68.0, 23.0, 14.0]], unit="人"))
    wrapped = [text_lines(lab) for lab in plan.labels() if len(text_lines(lab)) > 1]
    assert wrapped, "the long labels wrap"
    for lines in wrapped:
        assert "".join(lines) in names
        for ln in lines:
            assert ln.count("“") == ln.count("”") and ln.count("（") == ln.count("）"), lines


def test_right_aligned_label_lines_meet_the_edge_with_their_ink():
    """An hbar label's lines end at the axis with their ink, as body text sets them: a line ending
    in ）、 or ” closes its blank half (高中（中专、 / 职高、技校） stood half an em short of the
    lines ending in a character), and （ at a line start does not push the line in."""
    from tushuo.text.layout import _ink

    names = ["候选人资格审查不严（含“村霸”、涉黑涉恶等情形）", "高中（中专、职高、技校）", "退役军人"]
    plan = plan_chart(spec("hbar", names, [[7.0, 3.0, 1.0]], unit="件"))
    checked = 0
    for lab in plan.labels():
        x, _, w, _ = lab.box
        by_line: dict[float, list] = {}
        for r in lab.runs:
            by_line.setdefault(r.y, []).append(r)
        for runs in by_line.values():
            last = runs[-1]
            ink = _ink(FB, last.face, last.text[-1])
            assert ink is not None
            right = last.xs[-1] + ink[1] * last.size
            assert abs(x + w - right) < 0.2 * last.size, (last.text, x + w - right)
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("kind", ["bar", "stacked", "hbar", "line", "progress"])
def test_all_equal_and_zero_values(kind):
    for vals in ([7.0, 7.0, 7.0], [0.0, 0.0, 0.0]):
        plan = plan_chart(spec(kind, ["一", "二", "三"], [vals]))
        assert_readable(plan)
        values = [text_lines(lab)[0] for lab in plan.labels() if lab.role == "value"]
        assert values.count(fmt_num(vals[0]) + ("%" if kind == "progress" else "")) == 3, values


def test_zero_bar_has_its_value_but_no_bar():
    plan = plan_chart(spec("bar", ["甲", "乙"], [[0.0, 4.0]]))
    assert len(bars(plan)) == 1
    assert [text_lines(lab)[0] for lab in plan.labels() if lab.role == "value"] == ["0", "4"]


def test_single_slice_pie_is_a_labelled_circle():
    for kind in ("pie", "donut"):
        plan = plan_chart(spec(kind, ["全部完成"], [[141.0]], unit="个"))
        (wedge,) = wedges(plan)
        x, y, w, h = wedge.bbox()
        assert w == pytest.approx(h) and w > 100  # the full circle
        assert [c[0] for c in wedge.commands].count("Z") == (2 if kind == "donut" else 1)
        assert_readable(plan)
        assert any("100%" in line for lab in plan.labels() for line in text_lines(lab))


def test_pie_small_slices_grouped_and_labels_never_overlap():
    values = [[50, 40, 30, 20, 10, 5, 3, 2, 1, 1, 1, 1]]
    plan = plan_chart(spec("pie", [f"类别{i}" for i in range(12)], values, unit="人"))
    assert_readable(plan)
    names = [text_lines(lab)[0] for lab in plan.labels()]
    assert "其他" in names and "类别11" not in names
    assert any("merged" in n for n in plan.notes)


def test_donut_shows_the_total():
    plan = plan_chart(spec("donut", ["甲", "乙"], [[126.0, 15.0]], unit="人"))
    totals = [lab for lab in plan.labels() if lab.role == "total"]
    assert [text_lines(t)[0] for t in totals] == ["合计", "141", "人"]
    hole = [e for e in plan.items if isinstance(e, PathOp) and e.fill is not None]
    cx = hole[0].bbox()[0] + hole[0].bbox()[2] / 2  # both slices together span the circle
    x0 = min(w.bbox()[0] for w in hole)
    r = cx - x0
    assert totals[1].runs[0].size > 30 and totals[1].bbox()[0] > x0 + 0.15 * r


def test_highlight_uses_the_accent_and_fades_the_rest():
    s = sample("bar")
    c = s.colors
    plan = plan_chart(s)
    fills = [b.fill for b in bars(plan)]
    assert fills[4] == c.accent
    assert set(fills[:4]) == {mix(c.series[0], c.surface, charts.FADE)}
    (hl,) = [lab for lab in plan.labels() if text_lines(lab) == ["西湖镇"]]
    assert FB.face(hl.runs[0].face).key == FB.face(s.bold).key


def test_legend_only_with_several_series():
    one = plan_chart(sample("bar"))
    two = plan_chart(sample("stacked"))
    assert not [lab for lab in one.labels() if lab.role == "legend"]
    assert [text_lines(lab)[0] for lab in two.labels() if lab.role == "legend"] == ["已完成", "进行中"]


def test_unit_goes_in_values_or_in_a_caption():
    short = plan_chart(spec("bar", ["甲", "乙"], [[3.0, 4.0]], unit="个"))
    long = plan_chart(spec("bar", ["甲", "乙"], [[3.0, 4.0]], unit="万人次"))
    no_values = plan_chart(spec("bar", ["甲", "乙"], [[3.0, 4.0]], unit="个", show_values=False))
    assert [text_lines(lab)[0] for lab in short.labels() if lab.role == "value"] == ["3个", "4个"]
    assert "单位：万人次" in [text_lines(lab)[0] for lab in long.labels()]
    assert "单位：个" in [text_lines(lab)[0] for lab in no_values.labels()]
    assert not [lab for lab in no_values.labels() if lab.role == "value"]
    assert [text_lines(lab)[0] for lab in no_values.labels() if lab.role == "axis"][1:] == ["0", "1", "2", "3", "4"]


def test_numbers_too_wide_with_their_unit_drop_it_to_the_caption_and_else_an_axis_gives_the_scale():
    """Eight bars of 186人次 left every number out (and with no axis the chart had no scale at all)."""
    towns = ["清河", "文峰", "颍西", "西湖", "三合", "程集", "袁集", "马寨"]
    eight = plan_chart(spec("bar", towns, [[186.0, 142.0, 205.0, 168.0, 131.0, 190.0, 122.0, 136.0]], unit="人次"))
    texts = [text_lines(lab)[0] for lab in eight.labels()]
    assert [text_lines(lab)[0] for lab in eight.labels() if lab.role == "value"] == [
        "186", "142", "205", "168", "131", "190", "122", "136"]
    assert "单位：人次" in texts and not eight.notes
    few = plan_chart(spec("bar", towns[:3], [[186.0, 142.0, 205.0]], unit="人次"))
    assert [text_lines(lab)[0] for lab in few.labels() if lab.role == "value"] == ["186人次", "142人次", "205人次"]
    wide = plan_chart(spec("bar", list("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳"), [[123456.0 + 997 * i for i in range(16)]], unit="人"))
    assert not [lab for lab in wide.labels() if lab.role == "value"]
    assert [text_lines(lab)[0] for lab in wide.labels() if lab.role == "axis"][0] == "单位：人"
    assert len([lab for lab in wide.labels() if lab.role == "axis"]) >= 4  # the caption and three ticks at least
    assert any("value axis" in n for n in wide.notes)


def test_hbar_and_progress_grow_with_their_labels():
    h5 = plan_chart(spec("hbar", [f"第{i}镇" for i in range(5)], [[1.0] * 5])).height
    h10 = plan_chart(spec("hbar", [f"第{i}镇" for i in range(10)], [[1.0] * 10])).height
    assert h10 > 1.8 * h5
    p5 = plan_chart(spec("progress", [f"第{i}镇" for i in range(5)], [[50.0] * 5])).height
    assert 5 * 100 <= p5 <= 5 * 120  # about 110 px per bar at 1080
    small = plan_chart(spec("progress", [f"第{i}镇" for i in range(5)], [[50.0] * 5], height=200))
    assert small.height == p5 and small.notes  # a too-small height grows, and the author is told


@pytest.mark.parametrize("values", [[3, 0, 0, 5, -1, 2, 1], [8, 2, 9, 1, 7, 3, 6], [1, 6, 2, 5, 5, 0, 4]])
def test_line_value_labels_keep_off_the_line(values):
    """A one-series line's value labels never sit on its strokes: a valley's value goes under the
    point, clear of the two segments rising from it (−1 between 5 and 2 was drawn across both)."""
    labels = [f"12/{25 + i}" for i in range(len(values))]
    plan = plan_chart(spec("line", labels, [[float(v) for v in values]], unit="个"))
    strokes = [op for op in plan.items if isinstance(op, PathOp) and op.fill is None and len(op.commands) == len(values)]
    segs = [((a[1], a[2]), (b[1], b[2])) for op in strokes for a, b in zip(op.commands, op.commands[1:])]
    assert segs
    values_drawn = [t for t in plan.labels() if t.role == "value"]
    assert len(values_drawn) == len(values)
    for t in values_drawn:
        x, y, w, h = t.box
        for (ax, ay), (bx, by) in segs:
            for n in range(101):  # the stroke's centre line, sampled
                px, py = ax + (bx - ax) * n / 100, ay + (by - ay) * n / 100
                assert not (x < px < x + w and y < py < y + h), (t.text, (px, py), t.box)
    # the labels under valleys stay above the category labels
    cats = [t for t in plan.labels() if t.role == "label"]
    assert max(t.box[1] + t.box[3] for t in values_drawn) <= min(t.box[1] for t in cats)


def test_negative_bars_hang_below_the_baseline():
    plan = plan_chart(spec("bar", ["一月", "二月"], [[5.0, -3.0]], unit="%"))
    assert_readable(plan)
    up, down = bars(plan)
    assert up.y + up.h == pytest.approx(down.y)
    assert [text_lines(lab)[0] for lab in plan.labels() if lab.role == "value"] == ["5%", "\u22123%"]


def test_numbers_and_ticks():
    assert [fmt_num(v) for v in (12, 98.5, 0.126, -3, 1e6)] == ["12", "98.5", "0.13", "\u22123", "1000000"]
    assert nice_ticks(0, 18) == [0, 5, 10, 15, 20]
    assert nice_ticks(84.6, 96.8, 4) == [80, 85, 90, 95, 100]
    assert nice_ticks(0, 3, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(-8, 5) == [-10, -5, 0, 5]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(KINDS),
    labels=st.lists(st.text("村社区街道镇乡一二三四五六七八九十颍州西湖", min_size=1, max_size=14),
                    min_size=1, max_size=12),
    data=st.data(),
)
def test_any_data_gives_a_readable_chart(kind, labels, data):
    n = len(labels)
    ns = 1 if kind in ("pie", "donut") else data.draw(st.integers(1, 3))
    hi = 100 if kind == "progress" else 10_000
    values = [data.draw(st.lists(st.floats(0, hi, allow_nan=False).map(lambda v: round(v, 1)), min_size=n, max_size=n))
              for _ in range(ns)]
    if kind in ("pie", "donut") and sum(values[0]) <= 0:
        values[0][0] = 1.0
    plan = plan_chart(spec(kind, labels, values, unit=data.draw(st.sampled_from(["", "个", "万人次"]))))
    assert_readable(plan)


# ============================================================================ rendering
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_every_theme(kind, theme):
    s = sample(kind, theme)
    img = render(s)
    plan = plan_chart(s)
    assert img.size == (round(plan.width * 0.5), round(plan.height * 0.5))
    colors = {c for _, c in img.convert("RGB").getcolors(1 << 20)}
    surface = tuple(int(s.colors.surface[i:i + 2], 16) for i in (1, 3, 5))
    assert surface in colors  # the chart stands on the card's surface
    first = s.colors.series[0]
    mark = s.colors.accent if s.highlight is not None else first
    rgb = tuple(int(mark[i:i + 2], 16) for i in (1, 3, 5))
    assert rgb in colors, f"{kind}/{theme}: no pixel of {mark}"


def test_a_glyph_the_font_lacks_fails_these_tests():
    """The layout keeps such text out; if one slipped through, matplotlib's warning would fail the render."""
    with pytest.raises(UserWarning, match="missing from font"):
        render(spec("bar", ["甲🙂"], [[1.0]], width=300, height=200))


@pytest.mark.parametrize("scale", [0.25, 1.0, 1.5])
def test_png_is_exactly_the_device_size(scale):
    plan = plan_chart(spec("line", ["一", "二", "三"], [[1.0, 3.0, 2.0]], width=333.3, height=211.1, size=20))
    img = render_plan(plan, scale)
    assert img.size == (round(333.3 * scale), round(211.1 * scale))


def test_text_size_in_pixels_matches_the_design():
    """A 30 px label is 30 device px at scale 1 and 60 at scale 2."""
    s = spec("bar", ["国"], [[0.0]], width=300, height=200)
    heights = []
    for scale in (1.0, 2.0):
        img = render_plan(plan_chart(s), scale).convert("L")
        band = img.crop((100 * scale, img.height - round(60 * scale), 200 * scale, img.height))
        box = band.point(lambda v: 255 if v < 128 else 0).getbbox()
        heights.append(box[3] - box[1])
    # 国 is drawn about 0.85 em tall in Noto Sans SC
    assert 24 <= heights[0] <= 29
    assert heights[1] == pytest.approx(2 * heights[0], abs=2)


def test_chart_ops_are_the_page_ops():
    """A chart is planned into the ops every layout makes: no primitives of its own."""
    plan = plan_chart(sample("line"))
    assert {type(op) for op in plan.items} <= {Rect, Ellipse, PathOp, Text}
    assert any(isinstance(op, Ellipse) for op in plan.items)  # the line's points
    values = [lab for lab in plan.labels() if lab.role == "value"]
    assert values and all(lab.background == sample("line").colors.surface for lab in values)


def test_example_bulletin_uses_every_kind_and_lays_out_cleanly():
    path = ROOT / "examples" / "progress-bulletin.yaml"
    doc = tushuo.load(path)
    assert {b.kind for b in doc.blocks if b.type == "chart"} == set(KINDS)
    ctx = make_context(doc)
    frame = layout_document(doc, ctx=ctx)
    assert not ctx.warnings
    groups = plots(frame)
    assert len(groups) == sum(b.type == "chart" for b in doc.blocks)  # each chart: its ops in a group clipped to its plot area
    for g in groups:
        _, top, _, height = g.clip
        for op in g.ops:
            x, y, w, h = op.bbox()
            assert top - 1 <= y and y + h <= top + height + 1, op  # drawn inside the plot area


# ============================================================================ lazy import
def test_charts_never_import_matplotlib(tmp_path):
    spec_path = tmp_path / "plain.yaml"
    spec_path.write_text("title: t\nblocks:\n  - type: paragraph\n    text: 正文\n", encoding="utf-8")
    chart_path = tmp_path / "chart.yaml"
    chart_path.write_text("title: t\nblocks:\n  - {type: chart, kind: bar, labels: [甲], series: [{values: [1]}]}\n",
                          encoding="utf-8")
    code = textwrap.dedent(f"""
        import sys
        import tushuo, tushuo.layout.registry
        from tushuo.inputs import layout_document, make_context
        from tushuo.paint.raster import paint
        doc = tushuo.load({str(spec_path)!r})
        ctx = make_context(doc)
        paint(layout_document(doc, ctx=ctx), scale=0.2, fonts=ctx.fonts)
        assert "matplotlib" not in sys.modules, "a chart-free render imported matplotlib"
        doc = tushuo.load({str(chart_path)!r})
        ctx = make_context(doc)
        paint(layout_document(doc, ctx=ctx), scale=0.2, fonts=ctx.fonts)
        assert "matplotlib" not in sys.modules, "a chart imported matplotlib"
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def test_nearly_zero_line_values_get_a_real_axis() -> None:
    """Found by the property tests: a line of one value -1.2e-38 collapsed the axis to one tick
    and divided by zero while planning."""
    ticks = nice_ticks(-1.1754943508222875e-38, 0.0, 4)
    assert ticks[-1] - ticks[0] >= 1.0 and ticks[0] <= 1e-10
    plan = plan_chart(spec("line", ["0"], [[-1.1754943508222875e-38]]))
    assert plan is not None


# ============================================================================ category labels (#13)
TOWNS12 = ["鼓楼街道", "文峰街道", "清河街道", "颍西街道", "马寨乡", "程集镇", "王店镇", "袁寨镇", "西湖镇",
           "三合镇", "九龙镇", "三塔镇"]


def _label_lines(plan: charts.Plan) -> list[tuple[str, ...]]:
    return [tuple(text_lines(lab)) for lab in plan.labels() if lab.role == "label"]


@pytest.mark.parametrize("width", [W, W * 750 / 1080])
def test_twelve_townships_are_all_named_stacked_one_character_per_line(width: float) -> None:
    """The bulletin's 12 townships (2–4 characters) once showed every second name; now each
    name stands under its bar, one character per line, upright."""
    k = width / W
    s = spec("bar", TOWNS12, [[12, 14, 11, 13, 6, 7, 10, 12, 9, 11, 10, 11]], unit="个", highlight=4,
             width=width, size=30 * k, k=k)
    plan = plan_chart(s)
    assert not plan.notes
    lines = _label_lines(plan)
    assert sorted("".join(ls) for ls in lines) == sorted(TOWNS12)
    assert all(ls == tuple(name) for ls in lines for name in ["".join(ls)])  # one character per line
    assert_readable(plan, 30 * k)


def test_bar_chart_whose_names_cannot_stand_under_the_bars_becomes_hbar_with_a_note() -> None:
    names = [f"第{n}网格党支部" for n in "一二三四五六七八九十"] + ["第十一网格党支部", "第十二网格党支部"]
    plan = plan_chart(spec("bar", names, [[float(i + 3) for i in range(12)]], unit="个"))
    assert any("drawn as horizontal bars" in n for n in plan.notes)
    shown = ["".join(ls) for ls in _label_lines(plan)]
    assert sorted(shown) == sorted(names)
    boxes = bars(plan)
    assert all(b.w >= b.h for b in boxes if b.fill != plan.background)  # horizontal bars
    assert_readable(plan)


def test_a_label_that_cannot_be_shown_is_a_located_warning_check_reports(tmp_path: Path) -> None:
    """A line chart of 30 long names cannot become hbar: the hidden names are a warning at the
    chart's spec path, and ``tushuo check`` prints it."""
    labels = [f"颍州区第{i}号居民小组" for i in range(30)]
    plan = plan_chart(spec("line", labels, [[float(i % 7) for i in range(30)]]))
    assert any("hidden" in n and labels[1] in n for n in plan.notes)
    doc = tmp_path / "c.yaml"
    doc.write_text("title: 图\nblocks:\n  - type: chart\n    kind: line\n    labels: [" + ", ".join(labels)
                   + "]\n    series: [{name: 数, values: [" + ", ".join(str(i % 7) for i in range(30)) + "]}]\n",
                   "utf-8")
    res = subprocess.run([sys.executable, "-m", "tushuo", "check", str(doc)], capture_output=True, text=True,
                         cwd=ROOT)
    out = res.stdout + res.stderr
    assert "c.yaml:3:" in out and "blocks[0]" in out and "hidden" in out, out


@pytest.mark.parametrize("theme", THEMES)
def test_stacked_segment_values_meet_4_5_to_1_on_every_series_colour(theme: str) -> None:
    """The numbers drawn inside stacked segments read on every palette colour: white or the text
    colour when one reaches 4.5:1, else the nearer one pushed to it (gov-blue's second series,
    #4C8BD6, gave 4.3:1 with the text colour and 3.6:1 with white, and `check` flagged our own output)."""
    from tushuo.check import lint_document

    names = [f"阶段{i + 1}" for i in range(8)]
    doc = tushuo.Document(title="t", theme=theme, blocks=[tushuo.ChartBlock(
        kind="stacked", labels=["鼓楼街道", "马寨乡"],
        series=[tushuo.Series(name=n, values=[2, 3]) for n in names])])
    frame = layout_document(doc)
    inside = [t for t in frame.walk() if isinstance(t, Text) and t.role == "value" and t.background]
    assert len(inside) >= 8
    found = [f.format() for f in lint_document(doc) if f.code == "contrast"]
    assert found == []
