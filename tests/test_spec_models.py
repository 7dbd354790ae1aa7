"""The spec models on their own: every validation rule, the JSON Schema, the error paths validators name."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from tushuo.spec import BLOCK_TYPES, Document, Theme
from tushuo.spec.blocks import ChartBlock, ComparisonBlock, Series, StepsBlock, check_chart_data


def doc(*blocks: dict[str, Any], **top: Any) -> Document:
    return Document.model_validate({"title": "测试", "blocks": list(blocks) or [{"type": "divider"}], **top})


def errors(exc: pytest.ExceptionInfo[ValidationError]) -> list[dict[str, Any]]:
    return exc.value.errors(include_url=False)


def only_error(fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    errs = errors(exc)
    assert len(errs) == 1, errs
    return errs[0]


# ----------------------------------------------------------------------------- schema
def test_json_schema_is_complete_and_serialisable() -> None:
    schema = Document.model_json_schema()
    text = json.dumps(schema, ensure_ascii=False)
    assert len(text) > 10_000
    assert set(schema["required"]) == {"title", "blocks"}
    # the loader's own keys are documented for editors, the loader's private state is not
    assert "extends" in schema["properties"] and "data" in schema["properties"]
    assert "base_dir" not in schema["properties"]
    # one discriminated union over every block kind
    blocks = schema["properties"]["blocks"]["items"]
    assert blocks["discriminator"]["propertyName"] == "type"
    assert set(blocks["discriminator"]["mapping"]) == set(BLOCK_TYPES)
    assert len(BLOCK_TYPES) == 20  # the contract's 18, qrcodes (a grid of codes) and figure (Python API only)


def test_every_field_has_a_description() -> None:
    schema = Document.model_json_schema()
    missing = []
    for owner, node in [("Document", schema), *schema["$defs"].items()]:
        assert node.get("description"), f"{owner} has no docstring"
        for name, prop in node.get("properties", {}).items():
            if not prop.get("description"):
                missing.append(f"{owner}.{name}")
    assert missing == []


def test_every_model_forbids_unknown_keys_except_meta() -> None:
    schema = Document.model_json_schema()
    for owner, node in [("Document", schema), *schema["$defs"].items()]:
        assert node.get("additionalProperties") is False, owner
    meta = schema["properties"]["meta"]
    assert meta.get("additionalProperties", True) is True
    d = doc(meta={"author": "颍州区委组织部", "anything": [1, 2], "issue": 3})
    assert d.meta["anything"] == [1, 2]


# ----------------------------------------------------------------------------- document rules
def test_version_must_be_1() -> None:
    assert doc(tushuo=1).tushuo == 1
    e = only_error(doc, tushuo=2)
    assert e["loc"] == ("tushuo",) and e["type"] == "literal_error"


@pytest.mark.parametrize("width", [319, 4097, 0])
def test_width_between_320_and_4096(width: int) -> None:
    e = only_error(doc, width=width)
    assert e["loc"] == ("width",)
    assert doc(width=320).width == 320 and doc(width=4096).width == 4096


def test_title_and_blocks_required() -> None:
    with pytest.raises(ValidationError) as exc:
        Document.model_validate({})
    assert {e["loc"] for e in errors(exc)} == {("title",), ("blocks",)}
    e = only_error(Document.model_validate, {"title": "x", "blocks": []})
    assert e["type"] == "too_short"


def test_loader_keys_refused_when_building_directly() -> None:
    e = only_error(doc, extends="monthly-digest")
    assert "tushuo.load()" in e["msg"]
    e = only_error(doc, data={"issue": 3})
    assert "tushuo.load()" in e["msg"]
    # base_dir is the loader's: a spec cannot set it (it would move the path sandbox)
    e = only_error(doc, base_dir="/")
    assert e["type"] == "extra_forbidden"


def test_base_dir_property_and_locate() -> None:
    d = doc()
    assert d.base_dir is None
    d.base_dir = "/tmp/x"
    assert d.base_dir == "/tmp/x"
    d._source_file = "a.yaml"
    d._marks = {"blocks": ("a.yaml", 3, 1), "blocks[0]": ("t.yaml", 4, 5)}
    assert d.locate("blocks[0].items[2].title") == ("t.yaml", 4, 5)
    assert d.locate("blocks[3]") == ("a.yaml", 3, 1)
    assert d.locate("footer") == ("a.yaml", None, None)
    d._marks = {"title": (2, 8)}  # (line, col) in the document's own file
    assert d.locate("title") == ("a.yaml", 2, 8)


def test_numbers_are_accepted_as_text() -> None:
    d = doc({"type": "chart", "kind": "bar", "labels": [2024, 2025], "series": [{"values": [1, 2]}]},
            {"type": "heading", "text": 2026})
    assert d.blocks[0].labels == ["2024", "2025"]
    assert d.blocks[1].text == "2026"
    stats = doc({"type": "stats", "items": [{"label": "a", "value": 126}, {"label": "b", "value": "一肩挑"}]})
    assert stats.blocks[0].items[0].value == 126 and stats.blocks[0].items[1].value == "一肩挑"


# ----------------------------------------------------------------------------- blocks
@pytest.mark.parametrize("level", [0, 4])
def test_heading_level_1_to_3(level: int) -> None:
    e = only_error(doc, {"type": "heading", "text": "一", "level": level})
    assert e["loc"] == ("blocks", 0, "heading", "level")


def test_unknown_block_type_lists_valid_types() -> None:
    e = only_error(doc, {"type": "stepz"})
    assert e["type"] == "union_tag_invalid"
    assert "'steps'" in e["ctx"]["expected_tags"]


def test_unknown_key_in_block() -> None:
    e = only_error(doc, {"type": "paragraph", "text": "正文", "indnt": False})
    assert e["type"] == "extra_forbidden" and e["loc"] == ("blocks", 0, "paragraph", "indnt")


def _comparison(n_columns: int, cells: list[list[str]]) -> dict[str, Any]:
    return {
        "type": "comparison",
        "columns": [{"label": f"列{i}"} for i in range(n_columns)],
        "rows": [{"aspect": f"项{i}", "cells": c} for i, c in enumerate(cells)],
    }


def test_comparison_cells_per_row_equal_columns() -> None:
    e = only_error(ComparisonBlock.model_validate, _comparison(2, [["a", "b"], ["a", "b", "c"]]))
    assert e["type"] == "spec"
    assert e["ctx"]["at"] == "rows[1]"
    assert e["ctx"]["message"] == "rows[1] (项1) has 3 cells for 2 columns; give one cell per column"
    assert ComparisonBlock.model_validate(_comparison(3, [["a", {"text": "b", "image": "x.jpg"}, 3]])).rows[0].cells[2].text == "3"


@pytest.mark.parametrize("n", [1, 5])
def test_comparison_has_2_to_4_columns(n: int) -> None:
    e = only_error(ComparisonBlock.model_validate, _comparison(n, [["x"] * n]))
    assert e["loc"] == ("columns",) and e["type"] in ("too_short", "too_long")
    for ok in (2, 4):
        ComparisonBlock.model_validate(_comparison(ok, [["x"] * ok]))


def _steps(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "steps", "items": list(items)}


def test_steps_ids_unique() -> None:
    e = only_error(StepsBlock.model_validate, _steps({"id": "s1", "title": "a"}, {"id": "s1", "title": "b"}))
    assert e["ctx"]["at"] == "items[1].id"
    assert e["ctx"]["message"] == "id 's1' is already used by items[0]; ids must be unique"


def test_steps_next_to_must_name_an_id() -> None:
    e = only_error(
        StepsBlock.model_validate,
        _steps({"id": "s1", "title": "a"}, {"id": "d1", "kind": "decision", "title": "b",
                                             "next": [{"to": "s1"}, {"to": "s2", "label": "否"}]}),
    )
    assert e["ctx"]["at"] == "items[1].next[1].to"
    assert e["ctx"]["message"] == "no item has id 's2' (ids: s1, d1)"
    e = only_error(StepsBlock.model_validate, _steps({"id": "count", "title": "a"}, {"title": "b", "next": "cuont"}))
    assert e["ctx"]["message"] == "no item has id 'cuont' (did you mean 'count'?)"
    e = only_error(StepsBlock.model_validate, _steps({"title": "a", "next": [{"to": "end"}]}))
    assert e["ctx"]["message"] == "no item has id 'end': give the target item `id: end`"


def test_steps_next_shorthand_and_loop_back() -> None:
    b = StepsBlock.model_validate(_steps({"id": "a", "title": "甲", "next": "b"}, {"id": "b", "title": "乙", "next": ["a"]}))
    assert [e.to for e in b.items[0].next] == ["b"]
    assert [e.to for e in b.items[1].next] == ["a"]


def _chart(kind: str, labels: list[str], *values: list[float], **kw: Any) -> dict[str, Any]:
    return {"type": "chart", "kind": kind, "labels": labels,
            "series": [{"name": f"s{i}", "values": v} for i, v in enumerate(values)], **kw}


def test_chart_lengths_match() -> None:
    e = only_error(ChartBlock.model_validate, _chart("bar", ["a", "b", "c"], [1, 2, 3], [1, 2]))
    assert e["ctx"]["at"] == "series[1].values"
    assert e["ctx"]["message"] == "series[1] (s1) has 2 values for 3 labels; give one value per label"


def test_pie_non_negative_with_positive_sum() -> None:
    e = only_error(ChartBlock.model_validate, _chart("pie", ["男", "女"], [3, -1]))
    assert e["ctx"]["at"] == "series[0].values[1]"
    assert e["ctx"]["message"] == "a pie chart needs non-negative values: 女 = -1"
    e = only_error(ChartBlock.model_validate, _chart("donut", ["男", "女"], [0, 0]))
    assert e["ctx"]["message"] == "a donut chart needs values with a positive sum (all are 0)"
    e = only_error(ChartBlock.model_validate, _chart("pie", ["男", "女"], [1, 2], [3, 4]))
    assert e["ctx"]["message"] == "a pie chart takes exactly one series, got 2"
    assert ChartBlock.model_validate(_chart("pie", ["男", "女"], [0, 2])).series[0].values == [0, 2]


def test_progress_is_0_to_100() -> None:
    e = only_error(ChartBlock.model_validate, _chart("progress", ["清河", "文峰"], [100, 100.5]))
    assert e["ctx"]["at"] == "series[0].values[1]"
    assert e["ctx"]["message"] == "progress values are percentages 0–100: 文峰 = 100.5"
    ChartBlock.model_validate(_chart("progress", ["清河", "文峰"], [0, 100]))


def test_chart_data_source_rules() -> None:
    e = only_error(ChartBlock.model_validate, {"type": "chart", "kind": "bar", "labels": ["a"]})
    assert "missing: series" in e["msg"]
    e = only_error(ChartBlock.model_validate, {**_chart("bar", ["a"], [1]), "data_file": "x.csv"})
    assert e["ctx"]["at"] == "data_file"
    assert ChartBlock.model_validate({"type": "chart", "kind": "line", "data_file": "x.csv"}).labels is None
    e = only_error(ChartBlock.model_validate, _chart("bar", ["清河", "文峰"], [1, 2], highlight="文峰街道"))
    assert e["ctx"]["message"] == "highlight '文峰街道' is not one of the labels (did you mean '文峰'?)"


def test_check_chart_data_is_reusable_for_csv_data() -> None:
    with pytest.raises(ValueError, match="has 1 values for 2 labels"):
        check_chart_data("bar", ["a", "b"], [Series(values=[1])], None)


def test_table_rows_match_header() -> None:
    e = only_error(doc, {"type": "table", "header": ["乡镇", "数量"], "rows": [["清河", 1], ["文峰"]]})
    assert e["ctx"]["at"] == "rows[1]"
    assert e["ctx"]["message"] == "row has 1 cell for 2 header columns; give every row 2 cells"


def test_checklist_and_cells_accept_plain_strings() -> None:
    d = doc({"type": "checklist", "items": ["有固定场所", {"text": "设备齐全", "checked": False}]})
    assert [(i.text, i.checked) for i in d.blocks[0].items] == [("有固定场所", True), ("设备齐全", False)]


def test_inline_theme_validated_strictly() -> None:
    d = doc(theme={"palette": {"primary": "#1F4E9E"}})
    assert isinstance(d.theme, Theme) and d.theme.palette.primary == "#1F4E9E"
    with pytest.raises(ValidationError) as exc:
        doc(theme={"palette": {"primary": "blue"}})
    assert ("theme", "Theme", "palette", "primary") in [e["loc"] for e in errors(exc)]
    assert doc(theme="gov-blue").theme == "gov-blue"
