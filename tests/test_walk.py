"""The one walker (tushuo.paint.walk): what a painter is asked to draw, in which order."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tushuo.errors import RenderError
from tushuo.frame import Ellipse, Glyphs, Group, Image, Line, Op, Path, Rect, Text
from tushuo.paint.walk import Walker, text_lines, walk, y_span


class Recorder:
    """A painter that writes down every primitive call."""

    def __init__(self, *, marks: bool = False, refuse_clips: bool = False) -> None:
        self.marks_content = marks
        self.refuse_clips = refuse_clips
        self.calls: list[str] = []

    def rect(self, op: Rect) -> None:
        self.calls.append(f"rect {op.y:g}")

    def ellipse(self, op: Ellipse) -> None:
        self.calls.append(f"ellipse {op.y:g}")

    def line(self, op: Line) -> None:
        self.calls.append(f"line {op.points[0][1]:g}")

    def path(self, op: Path) -> None:
        self.calls.append("path")

    def image(self, op: Image) -> None:
        self.calls.append("image")

    def glyphs(self, line: Sequence[Glyphs]) -> None:
        self.calls.append("glyphs " + "|".join(r.text for r in line))

    def push_clip(self, group: Group) -> bool:
        self.calls.append(f"push {group.clip is not None}")
        return not (self.refuse_clips and group.clip is not None)

    def pop_clip(self, group: Group) -> None:
        self.calls.append("pop")

    def begin_content(self, op: Op) -> None:
        self.calls.append(f"<{type(op).__name__}")

    def end_content(self, op: Op) -> None:
        self.calls.append(">")


def _run(text: str, y: float, x: float = 0.0) -> Glyphs:
    return Glyphs(text, tuple(x + 10 * i for i in range(len(text))), x + 10 * len(text), y, "sans", 10, "#000000")


def _text() -> Text:
    runs = (_run("ab", 20), _run("cd", 20, 20), _run("ef", 40))
    return Text(runs, (0, 10, 100, 40), underlays=(Rect(0, 12, 10, 10, fill="#FF0"),))


def test_text_is_underlays_then_one_call_per_line():
    r = Recorder()
    walk([_text()], r)
    assert r.calls == ["rect 12", "glyphs ab|cd", "glyphs ef"]
    assert [[g.text for g in ln] for ln in text_lines(_text())] == [["ab", "cd"], ["ef"]]


def test_groups_push_and_pop_around_their_children_and_a_refused_clip_skips_them():
    g = Group((Rect(0, 5, 1, 1), Group((Ellipse(0, 6, 1, 1),))), clip=(0, 0, 10, 10))
    r = Recorder()
    walk([g, Line(((0, 7), (1, 7)), "#000")], r)
    assert r.calls == ["push True", "rect 5", "push False", "ellipse 6", "pop", "pop", "line 7"]
    r = Recorder(refuse_clips=True)
    walk([g], r)
    assert r.calls == ["push True"]


def test_band_culls_ops_lines_and_group_children_by_vertical_extent():
    ops: list[Op] = [Rect(0, 0, 10, 10), Rect(0, 100, 10, 10), _text(),
                     Group((Rect(0, 30, 1, 1), Rect(0, 300, 1, 1)))]
    r = Recorder()
    w = Walker(ops)
    w(r, (25.0, 45.0))
    # the first rect ends at 10 and the second starts at 100: both out; line "ab|cd" (baseline 20,
    # ink to 26) meets the band, and so does "ef"; the underlay (12..22) does not
    assert r.calls == ["glyphs ab|cd", "glyphs ef", "push False", "rect 30", "pop"]
    r.calls.clear()
    w(r, (95.0, 120.0))  # the same walker again (extents kept)
    assert r.calls == ["rect 100", "push False", "pop"]  # the group spans 30..301: entered, children culled
    assert y_span(Rect(0, 10, 5, 5, stroke="#000", stroke_width=2)) == (8, 17)


def test_content_is_marked_per_unit_and_a_group_with_alt_is_one_unit():
    chart = Group((Rect(0, 1, 1, 1), _run("x", 5)), clip=(0, 0, 9, 9), alt="a chart")
    plain = Group((Rect(0, 2, 1, 1), Ellipse(0, 3, 1, 1)))
    r = Recorder(marks=True)
    walk([chart, plain], r)
    assert r.calls == ["<Group", "push True", "rect 1", "glyphs x", "pop", ">",
                       "push False", "<Rect", "rect 2", ">", "<Ellipse", "ellipse 3", ">", "pop"]


def test_an_op_no_painter_knows_is_an_error():
    with pytest.raises(RenderError, match="no painter can draw str"):
        walk(["not an op"], Recorder())  # type: ignore[list-item]
