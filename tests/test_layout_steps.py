"""Steps (flowchart) layout: geometry invariants for every arrangement and random flows, plus looks."""

from __future__ import annotations

import pytest
from geometry_checks import (
    EPS,
    assert_text_inside,
    inside,
    overlap,
    runs_overlap,
    segment_hits_box,
    segments,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tushuo.inputs import make_context
from tushuo.layout.steps import choose_layout, flow_edges, main_line, steps_geometry
from tushuo.spec.blocks import StepsBlock
from tushuo.spec.document import Document

ELECTION = {
    "type": "steps",
    "title": "选举日投票流程",
    "items": [
        {"id": "s1", "title": "成立村民选举委员会", "desc": "由村民会议、村民代表会议或者各村民小组会议推选产生。",
         "tag": "选举日前40日", "icon": "users"},
        {"id": "s2", "title": "选民登记", "desc": "公布参加选举的村民名单。", "tag": "选举日前20日",
         "note": "户籍不在本村但在本村居住一年以上的，经本人申请可以参加选举。"},
        {"id": "s3", "title": "投票选举", "desc": "召开选举大会，选民凭选民证领取选票。", "icon": "vote"},
        {"id": "d1", "kind": "decision", "title": "参加投票的选民是否过半数？",
         "next": [{"to": "s5", "label": "是"}, {"to": "s1", "label": "否，选举无效，重新组织选举"}]},
        {"id": "s5", "title": "公开唱票、计票", "desc": "当场公开唱票、计票。"},
        {"id": "d2", "kind": "decision", "title": "候选人得票是否过半数？",
         "next": [{"to": "s7", "label": "是"}, {"to": "s6", "label": "否"}]},
        {"id": "s6", "title": "另行选举", "desc": "得票不少于三分之一即可当选。"},
        {"id": "s7", "title": "公布选举结果", "tag": "当日"},
        {"id": "s8", "title": "工作移交", "icon": "document"},
    ],
}

LAYOUTS = ["auto", "vertical", "zigzag", "grid", "timeline"]


def _ctx(width: int = 1080):
    doc = Document(title="t", blocks=[{"type": "spacer", "height": 1}], width=width)
    ctx = make_context(doc)
    return ctx.at("blocks[0]")


def _block(spec: dict, **over) -> StepsBlock:
    return StepsBlock.model_validate({**spec, **over})


def check_geometry(geo, width: float) -> None:
    """The invariants every steps layout keeps (see the issue): nothing overlaps, arrows avoid
    boxes and labels, labels stay on the canvas, text stays in its box, no shared edge runs."""
    frame = geo.frame
    boxes = [it.box for it in geo.items]
    labels = [e.label_box for e in geo.edges if e.label_box is not None]
    keys = [it.key for it in geo.items]
    for i, a in enumerate(boxes):
        assert a[0] >= -EPS and a[0] + a[2] <= width + EPS, f"box {keys[i]} leaves the canvas: {a}"
        for j in range(i + 1, len(boxes)):
            assert not overlap(a, boxes[j]), f"boxes {keys[i]} and {keys[j]} overlap: {a} {boxes[j]}"
    for k, lb in enumerate(labels):
        assert lb[0] >= -EPS and lb[1] >= -EPS and lb[0] + lb[2] <= width + EPS and lb[1] + lb[3] <= frame.height + EPS
        for b in boxes:
            assert not overlap(lb, b), f"label {lb} overlaps box {b}"
        for other in labels[k + 1:]:
            assert not overlap(lb, other), f"labels overlap: {lb} {other}"
    for e in geo.edges:
        assert len(e.points) >= 2
        for x, y in e.points:
            assert -EPS <= x <= width + EPS and -EPS <= y <= frame.height + EPS, f"edge point off canvas: {(x, y)}"
        ends = {e.src, e.dst}
        for p, q in segments(e.points):
            assert p[0] == q[0] or p[1] == q[1], f"edge {e.src}->{e.dst} has a slanted segment {p}->{q}"
            for key, b in zip(keys, boxes):
                if key in ends:
                    continue
                assert not segment_hits_box(p, q, b), f"edge {e.src}->{e.dst} crosses box {key}"
            for lb in labels:
                assert not segment_hits_box(p, q, lb), f"edge {e.src}->{e.dst} crosses label {lb}"
    for i, e in enumerate(geo.edges):
        for f in geo.edges[i + 1:]:
            for s1 in segments(e.points):
                for s2 in segments(f.points):
                    assert not runs_overlap(s1, s2), f"edges {e.src}->{e.dst} and {f.src}->{f.dst} share a run"
    for it in geo.items:
        for t in it.texts:
            assert inside(t, it.box), f"text of {it.key} leaves its box"
    for e in geo.edges:
        for t in e.label_texts:
            assert inside(t, e.label_box)
    title_h = min((b[1] for b in boxes), default=frame.height)
    assert_text_inside(frame, boxes + labels + [(0, 0, width, title_h)], "steps")
    # breaks cut through no box or label
    for y in frame.sorted_breaks():
        for b in boxes + labels:
            assert not (b[1] + EPS < y < b[1] + b[3] - EPS), f"break {y} cuts {b}"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("width", [1080, 750])
def test_election_flow_every_layout(layout: str, width: int) -> None:
    ctx = _ctx(width)
    block = _block(ELECTION, layout=layout)
    geo = steps_geometry(block, ctx.content_width, ctx)
    check_geometry(geo, ctx.content_width)
    assert len(geo.items) == 9
    # a branching flow is always drawn vertically (grid and timeline fall back, with a warning)
    assert geo.layout == ("zigzag" if layout == "zigzag" else "vertical")
    if layout in ("grid", "timeline"):
        assert any("drawn vertically" in w for w in ctx.warnings)


def test_vertical_side_branch_and_loop() -> None:
    ctx = _ctx()
    block = _block(ELECTION, layout="vertical")
    geo = steps_geometry(block, ctx.content_width, ctx)
    items = {it.key: it for it in geo.items}
    # 另行选举 (s6) is skipped by the main line (d2 -是-> s7) and rejoins it: it sits in a side column
    assert main_line(block, flow_edges(block)) == {6}
    s6, s7 = items["s6"].box, items["s7"].box
    assert s6[0] > s7[0] + s7[2] / 2, "the side branch is right of the main column's centre"
    main_x = {items[k].box[0] for k in ("s1", "s2", "s3", "s5", "s7", "s8")}
    assert len(main_x) == 1
    # the loop 否 → s1 runs in a lane left of every box, and enters s1 from the left
    loop = next(e for e in geo.edges if e.src == "d1" and e.dst == "s1")
    lane_x = loop.points[1][0]
    assert all(lane_x < it.box[0] for it in geo.items)
    assert loop.points[-1][0] == pytest.approx(items["s1"].box[0])
    # its label sits next to the lane, in the gap above the decision
    lb = loop.label_box
    assert lb[0] - lane_x < ctx.px(60)
    assert items["s3"].box[1] + items["s3"].box[3] <= lb[1] and lb[1] + lb[3] <= items["d1"].box[1]
    # the main line runs straight down the middle
    yes = next(e for e in geo.edges if e.src == "d1" and e.dst == "s5")
    s5 = items["s5"].box
    assert len(yes.points) == 2 and yes.points[0][0] == pytest.approx(s5[0] + s5[2] / 2)


def test_numbers_skip_decisions() -> None:
    ctx = _ctx()
    geo = steps_geometry(_block(ELECTION, layout="vertical"), ctx.content_width, ctx)
    drawn = [op.text for op in geo.frame.walk() if getattr(op, "role", None) == "h3" and op.text.isdigit()]
    assert drawn == [f"{k:02d}" for k in range(1, 8)]


def test_long_text_in_zigzag_and_narrow_width() -> None:
    desc = ("按照“四议两公开”工作法，由村党组织提议、村“两委”会议商议、党员大会审议、村民代表会议决议，"
            "决议公开、实施结果公开。") * 3 + "确保换届选举工作依法依规、平稳有序进行。"  # about 200 characters
    assert len(desc) >= 190
    spec = {"type": "steps", "layout": "zigzag",
            "items": [{"title": "第一步"}, {"title": "召开村民代表会议讨论决定", "desc": desc, "tag": "选举日前20日"},
                      {"title": "公示", "desc": desc[:60]}, {"title": "完成"}]}
    for width in (1080, 750):
        ctx = _ctx(width)
        geo = steps_geometry(_block(spec), ctx.content_width, ctx)
        check_geometry(geo, ctx.content_width)
        assert geo.layout == "zigzag"
        tall = geo.items[1].box
        assert tall[3] > ctx.px(600)  # the whole text is set, not cut
        assert not any(getattr(op, "overflow", False) for op in geo.frame.walk())


def test_zigzag_alternates_and_staggers() -> None:
    ctx = _ctx()
    spec = {"type": "steps", "layout": "zigzag", "items": [{"title": f"步骤{k}", "desc": "说明文字" * 4} for k in range(6)]}
    geo = steps_geometry(_block(spec), ctx.content_width, ctx)
    xs = [it.box[0] for it in geo.items]
    assert xs[0] == xs[2] == xs[4] < xs[1] == xs[3] == xs[5]
    b0, b1 = geo.items[0].box, geo.items[1].box
    assert b0[1] < b1[1] < b0[1] + b0[3], "the next box starts beside the previous one (staggered)"
    for e in geo.edges:
        assert len(e.points) == 3  # out sideways, across, down into the next box


def test_grid_rows_equal_heights_and_reading_order() -> None:
    ctx = _ctx()
    spec = {"type": "steps", "layout": "grid",
            "items": [{"title": t, "desc": d} for t, d in
                      [("选民登记", "张榜公布选民名单"), ("提名", "选民直接提名"), ("资格审查", "联审把关，严格审查候选人资格条件"),
                       ("公布", "按姓氏笔画排序"), ("竞职陈述", "公开承诺"), ("投票", "无记名投票")]]}
    geo = steps_geometry(_block(spec), ctx.content_width, ctx)
    check_geometry(geo, ctx.content_width)
    boxes = [it.box for it in geo.items]
    assert [b[1] for b in boxes[:3]] == [boxes[0][1]] * 3 and [b[3] for b in boxes[:3]] == [boxes[0][3]] * 3
    assert boxes[3][1] > boxes[0][1] + boxes[0][3]
    ret = geo.edges[2]  # 3rd → 4th: under the row, back to the left
    assert ret.points[0][0] > ret.points[-1][0] and len(ret.points) == 4


def test_auto_choice() -> None:
    ctx = _ctx()
    short = {"type": "steps", "items": [{"title": f"第{k}步", "desc": "简短说明"} for k in range(6)]}
    medium = {"type": "steps", "items": [{"title": f"第{k}步", "desc": "这一步需要写一段中等长度的说明文字，大约三四十个字的样子。"} for k in range(5)]}
    long = {"type": "steps", "items": [{"title": f"第{k}步", "desc": "很长的说明" * 30} for k in range(4)]}
    for spec, want in ((short, "grid"), (medium, "zigzag"), (long, "vertical"), (ELECTION, "vertical")):
        b = _block(spec)
        assert choose_layout(b, flow_edges(b), ctx.content_width, ctx) == want


def test_one_character_and_single_item() -> None:
    ctx = _ctx(750)
    for layout in LAYOUTS:
        geo = steps_geometry(_block({"type": "steps", "layout": layout, "items": [{"title": "投"}]}), ctx.content_width, ctx)
        check_geometry(geo, ctx.content_width)
        assert geo.edges == []


def test_self_loop_and_long_labels() -> None:
    ctx = _ctx()
    spec = {"type": "steps", "items": [
        {"id": "a", "title": "提交材料"},
        {"id": "b", "kind": "decision", "title": "材料齐全？",
         "next": [{"to": "b", "label": "补正材料后重新审核，期限五个工作日，逾期视为放弃"}, {"to": "c", "label": "齐全，进入下一环节"},
                  {"to": "a", "label": "不符合条件的退回"}]},
        {"id": "c", "title": "审核通过"}]}
    geo = steps_geometry(_block(spec), ctx.content_width, ctx)
    check_geometry(geo, ctx.content_width)
    assert sum(e.label_box is not None for e in geo.edges) == 3


def _long_flows() -> list[tuple[str, dict]]:
    """Flows of 8+ items: plain sequences (short and medium texts, with a decision) and the branching election."""
    medium = "这一步需要写一段中等长度的说明文字，大约三四十个字的样子。"
    seq = [{"title": f"第{k}步", "desc": medium} for k in range(10)]
    seq[4] = {"kind": "decision", "title": "材料是否齐全？"}
    short = [{"title": "投"} for _ in range(8)]
    flows = [("medium", {"type": "steps", "items": seq}), ("short", {"type": "steps", "items": short}),
             ("election", ELECTION)]
    return [(f"{name}-{layout}", dict(spec, layout=layout)) for name, spec in flows for layout in LAYOUTS]


@pytest.mark.parametrize("width", [1080, 750])
def test_long_flows_have_safe_breaks(width: int) -> None:
    """Every arrangement of a long flow (staggered zigzag included) gives pages and slices somewhere
    to cut, and no break passes through a box or a label."""
    for name, spec in _long_flows():
        spec = {k: v for k, v in spec.items() if k != "title"}  # the title's own break would hide a missing one
        ctx = _ctx(width)
        frame = steps_geometry(_block(spec), ctx.content_width, ctx).frame
        assert frame.breaks, f"{name}: no safe break in a flow of {len(spec['items'])} items"
        for y in frame.breaks:
            for b in frame.boxes:
                assert not (b.y + EPS < y < b.y + b.h - EPS), f"{name}: break {y:.1f} cuts {b.kind} {b.key}"


def test_long_zigzag_pages_without_forced_cuts() -> None:
    """A 20-step zigzag cut into A6 pages: every page ends at a safe break, none cuts a step box."""
    from tushuo.layout.paginate import plan_cuts

    ctx = _ctx()
    items = [{"title": f"第{k}步", "desc": "由村民会议推选产生，主持选举工作。"} for k in range(20)]
    geo = steps_geometry(_block({"type": "steps", "layout": "zigzag", "items": items}), ctx.content_width, ctx)
    assert geo.layout == "zigzag"
    band = 1272 * ctx.content_width / 1080  # an A6 page's body band at this width
    cuts = plan_cuts(geo.frame.breaks, geo.frame.height, band)
    assert len(cuts) >= 2 and not any(c.forced for c in cuts)


# --------------------------------------------------------------------------- random flows
@st.composite
def flows(draw):
    n = draw(st.integers(1, 25))
    items = []
    for i in range(n):
        kind = draw(st.sampled_from(["step", "step", "decision"]))
        item = {"id": f"n{i}", "kind": kind, "title": draw(st.sampled_from(["投票", "资格审查", "候选人得票是否过半数？", "公布选举结果并报乡镇人民政府备案"]))}
        if draw(st.booleans()):
            item["desc"] = draw(st.sampled_from(["简短", "由村民会议推选产生，主持选举工作。", "说明" * 40]))
        if draw(st.integers(0, 3)) == 0:
            item["tag"] = "选举日前20日"
        if draw(st.booleans()) or kind == "decision":
            k = draw(st.integers(1, 3))
            nxt = []
            for _ in range(k):
                kind_e = draw(st.sampled_from(["forward", "side", "back", "next"]))
                if kind_e == "next" and i + 1 < n:
                    to = i + 1
                elif kind_e == "forward" and i + 2 < n:
                    to = draw(st.integers(i + 2, n - 1))
                elif kind_e == "side" and i + 1 < n:
                    to = draw(st.integers(i + 1, min(n - 1, i + 3)))
                else:
                    to = draw(st.integers(0, i))
                label = draw(st.sampled_from([None, "是", "否", "否，选举无效，重新组织选举", "得票不足三分之一的另行选举"]))
                nxt.append({"to": f"n{to}", **({"label": label} if label else {})})
            item["next"] = nxt
        items.append(item)
    layout = draw(st.sampled_from(LAYOUTS))
    width = draw(st.sampled_from([1080, 750]))
    return {"type": "steps", "layout": layout, "items": items}, width


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_random_flows_keep_invariants(case) -> None:
    spec, width = case
    ctx = _ctx(width)
    geo = steps_geometry(_block(spec), ctx.content_width, ctx)
    check_geometry(geo, ctx.content_width)
    assert len(geo.items) == len(spec["items"])
    assert len(geo.edges) == len(flow_edges(_block(spec)))


def _box_to_run(box, p, q) -> float:
    """Distance from a label box to an axis-parallel segment p→q (0 when they meet)."""
    x, y, w, h = box
    dx = max(0.0, x - max(p[0], q[0]), min(p[0], q[0]) - (x + w))
    dy = max(0.0, y - max(p[1], q[1]), min(p[1], q[1]) - (y + h))
    return (dx * dx + dy * dy) ** 0.5


def _loops(n: int) -> dict:
    """A flow whose every second item is a decision looping back to the first (否，重新开始)."""
    items = []
    for i in range(1, n + 1):
        if i % 2:
            items.append({"id": f"s{i}", "title": f"第{i}步办理事项", "desc": "说明文字"})
        else:
            items.append({"id": f"s{i}", "kind": "decision", "title": f"第{i}步是否通过？",
                          "next": [{"to": f"s{i + 1}", "label": "是"}, {"to": "s1", "label": "否，重新开始"}]})
    items.append({"id": f"s{n + 1}", "title": "办结"})
    return {"type": "steps", "title": "长流程", "items": items}


def _flow_cases() -> list[tuple[str, dict]]:
    import tempfile
    from pathlib import Path

    import tushuo
    from tushuo.templates import list_templates, new_spec

    def steps(blocks):
        for b in blocks:
            if b.type == "steps":
                yield b.model_dump(exclude_none=True)
            yield from steps(getattr(b, "blocks", None) or [])

    root = Path(__file__).resolve().parent.parent
    out = [("loops", _loops(12)), ("election-vertical", dict(ELECTION, layout="vertical")),
           ("election-zigzag", dict(ELECTION, layout="zigzag"))]
    for f in sorted((root / "examples").glob("*.yaml")):
        out += [(f"{f.stem}-{k}", s) for k, s in enumerate(steps(tushuo.load(str(f)).blocks))]
    with tempfile.TemporaryDirectory() as d:  # each template with its sample, as `tushuo new` writes it
        for t in list_templates():
            new_spec(t.name, Path(d) / t.name / f"{t.name}.yaml")
            doc = tushuo.load(str(Path(d) / t.name / f"{t.name}.yaml"))
            out += [(f"template-{t.name}-{k}", s) for k, s in enumerate(steps(doc.blocks))]
    return out


@pytest.mark.parametrize("width", [1080, 750])
@pytest.mark.parametrize(("name", "spec"), _flow_cases())
def test_a_label_sits_beside_its_own_edge(name: str, spec: dict, width: int) -> None:
    """A 是/否 or loop label (否，重新开始) touches no edge, sits right beside its own edge, and is
    at least twice as far from every other edge: it never reads as the label of the solid
    arrow next to it (a loop's label by the arrow into its decision)."""
    ctx = _ctx(width)
    geo = steps_geometry(_block(spec), ctx.content_width, ctx)
    for k, e in enumerate(geo.edges):
        if e.label_box is None:
            continue
        own, run = min((_box_to_run(e.label_box, p, q), (p, q)) for p, q in segments(e.points))
        assert own <= ctx.px(30), f"{name}: '{e.label}' ({e.src}->{e.dst}) is {own:.0f} px from its own edge"
        x0, right = run[0][0], e.label_box[0] >= run[0][0]
        for f in geo.edges[:k] + geo.edges[k + 1:]:
            # runs behind its own (a lane further out, beyond the lane the label sits by) don't compete
            near = [(p, q) for p, q in segments(f.points)
                    if run[0][0] != run[1][0] or (max(p[0], q[0]) > x0 if right else min(p[0], q[0]) < x0)]
            other = min((_box_to_run(e.label_box, p, q) for p, q in near), default=float("inf"))
            assert other >= 2 * own and other > EPS, (
                f"{name}: '{e.label}' ({e.src}->{e.dst}) is {other:.0f} px from {f.src}->{f.dst}, {own:.0f} from its own")
        for f in geo.edges[:k] + geo.edges[k + 1:]:  # and touches no other edge at all
            assert all(_box_to_run(e.label_box, p, q) > EPS for p, q in segments(f.points)), (e.label, f.src, f.dst)


@pytest.mark.parametrize("width", [1080, 750])
@pytest.mark.parametrize(("name", "spec"), _flow_cases())
def test_a_wrapped_label_has_lines_of_even_length(name: str, spec: dict, width: int) -> None:
    """否，选举无效，/ 重新组织选举, not 否，选举无效，重新组织 / 选举: a label that wraps is set in
    lines of even length (within two characters), like every other short centred text."""
    from tushuo.frame import Text

    ctx = _ctx(width)
    geo = steps_geometry(_block(spec), ctx.content_width, ctx)
    checked = 0
    for e in geo.edges:
        if e.label_box is None:
            continue
        x, y, w, h = e.label_box
        for op in geo.frame.walk():
            if not isinstance(op, Text) or not (x <= op.box[0] <= x + w and y <= op.box[1] <= y + h):
                continue  # the label's text starts inside its pill
            lines: dict[float, str] = {}
            for r in op.runs:
                lines[round(r.y, 2)] = lines.get(round(r.y, 2), "") + r.text
            lengths = [len(t.strip()) for t in lines.values()]
            checked += 1
            assert max(lengths) - min(lengths) <= 2, f"{name} @{width}: '{e.label}' set as {list(lines.values())}"
    assert checked == sum(e.label_box is not None for e in geo.edges)


# --------------------------------------------------------------------------- PNG baselines
BASELINE_FLOWS = {
    "steps-vertical": dict(ELECTION, layout="vertical"),
    "steps-zigzag-branches": dict(ELECTION, layout="zigzag"),
    "steps-zigzag": {"type": "steps", "layout": "zigzag", "title": "换届准备", "items": [
        {"title": "摸底调研", "desc": "掌握班子运行情况。", "tag": "10月上旬"}, {"title": "制定方案", "desc": "报县级组织部门审核。"},
        {"title": "宣传发动", "icon": "flag"}, {"title": "经济审计", "desc": "审计结果向村民公布。"}]},
    "steps-grid": {"type": "steps", "layout": "grid", "items": [
        {"title": t, "desc": d, **({"tag": "前20日"} if k == 0 else {})} for k, (t, d) in enumerate(
            [("选民登记", "张榜公布"), ("提名", "直接提名"), ("资格审查", "联审把关"), ("公布", "姓氏笔画为序"), ("陈述", "公开承诺")])]},
    "steps-timeline": {"type": "steps", "layout": "timeline", "items": [
        {"title": "召开部署会", "desc": "全区换届工作部署。", "tag": "11月26日"}, {"title": "业务培训"},
        {"title": "选举日", "desc": "集中投票。", "tag": "12月20日"}]},
}


@pytest.mark.parametrize("name", sorted(BASELINE_FLOWS))
def test_baseline(name: str) -> None:
    from baseline import assert_matches_baseline

    import tushuo
    from tushuo.inputs import layout_document
    from tushuo.paint.raster import paint

    doc = tushuo.Document.model_validate({"title": name, "width": 540, "blocks": [BASELINE_FLOWS[name]]})
    frame = layout_document(doc)
    assert_matches_baseline(paint(frame, fonts=frame.fonts), name)
