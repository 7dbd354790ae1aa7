"""tushuo.loader.load: located errors (file:line:col: path: message), safety limits, extends, slots, paths."""

from __future__ import annotations

import codecs
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import tushuo
from tushuo.errors import SpecError, SpecErrors
from tushuo.loader import load, load_data_file
from tushuo.loading import extends, limits

DATA = Path(__file__).parent / "data" / "loader"


@pytest.fixture(autouse=True)
def fixture_templates(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``extends: NAME`` finds the fixture templates, not the bundled ones (written elsewhere).

    The cwd is a fresh folder, so template files are named by their absolute paths in messages.
    """
    monkeypatch.setattr(extends, "_template_dirs", lambda: [DATA / "layouts"])
    monkeypatch.chdir(tmp_path)


def fails(source: Any, **kw: Any) -> SpecError:
    with pytest.raises(SpecError) as exc:
        load(source, **kw)
    assert exc.value.exit_code == 2
    return exc.value


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return p


OK = "title: 测试\nblocks:\n  - type: divider\n"


# ----------------------------------------------------------------------------- located errors (fixtures)
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # missing field: points at the mapping that lacks it
        ("missing", "missing.yaml:9:9: blocks[1].items[1].title: field required"),
        # unknown key: points at the key, suggests the field
        ("unknown_key", "unknown_key.yaml:4:5: blocks[0].titel: unknown field 'titel' (did you mean 'title'?)"),
        ("wrong_type", "wrong_type.yaml:4:13: blocks[0].height: expected a number, got '很高'"),
        ("bad_enum", "bad_enum.yaml:4:13: blocks[0].layout: 'zigzg' is not allowed (did you mean 'zigzag'?); "
                     "use one of: auto, vertical, zigzag, grid, timeline"),
        # steps: points at the offending `to`
        ("next_to", "next_to.yaml:10:18: blocks[0].items[1].next[0].to: no item has id 's5' (ids: s1, d1, s4)"),
        # comparison: points at the row
        ("comparison_cells", "comparison_cells.yaml:10:9: blocks[0].rows[1]: "
                             "rows[1] (设备) has 3 cells for 2 columns; give one cell per column"),
        ("chart_length", "chart_length.yaml:10:17: blocks[0].series[1].values: "
                         "series[1] (未完成) has 2 values for 3 labels; give one value per label"),
        # pie: points at the negative value
        ("pie_negative", "pie_negative.yaml:7:22: blocks[0].series[0].values[1]: "
                         "a pie chart needs non-negative values: 女 = -5"),
    ],
)
def test_located_errors(name: str, expected: str) -> None:
    err = fails(DATA / "errors" / f"{name}.yaml")
    assert type(err) is SpecError  # one mistake, one error
    assert str(err) == str(DATA / "errors") + "/" + expected
    assert (err.line, err.col) == tuple(int(x) for x in expected.split(":")[1:3])


def test_file_label_is_the_path_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    err = fails("errors/missing.yaml")
    assert str(err) == "errors/missing.yaml:9:9: blocks[1].items[1].title: field required"
    assert (err.file, err.path, err.message) == ("errors/missing.yaml", "blocks[1].items[1].title", "field required")


def test_several_mistakes_reported_together_in_file_order(tmp_path: Path) -> None:
    p = write(tmp_path, "many.yaml", """
        tushuo: 2
        titel: 换届手册
        width: 100
        theme: {palette: {primary: red}}
        blocks:
          - type: stepz
          - type: heading
            text: 一
            level: 5
          - type: stats
            items:
              - {label: x, value: [1]}
    """)
    err = fails(p)
    assert isinstance(err, SpecErrors)
    assert [str(e).removeprefix(str(tmp_path) + "/") for e in err.errors] == [
        "many.yaml:1:1: title: field required",
        "many.yaml:1:9: tushuo: unsupported spec version 2: this tushuo reads version 1 (write `tushuo: 1`)",
        "many.yaml:2:1: titel: unknown field 'titel' (did you mean 'title'?)",
        "many.yaml:3:8: width: must be between 320 and 4096, got 100",
        "many.yaml:4:28: theme.palette.primary: expected a colour #RRGGBB or #RRGGBBAA (e.g. #B7181E), got 'red'",
        "many.yaml:6:11: blocks[0].type: unknown block type 'stepz' (did you mean 'steps'?); valid types: banner, "
        "heading, paragraph, section, steps, comparison, stats, chart, timeline, cards, checklist, table, image, "
        "quote, callout, qrcode, qrcodes, divider, spacer",
        "many.yaml:9:12: blocks[1].level: must be between 1 and 3, got 5",
        "many.yaml:12:27: blocks[2].items[0].value: expected a number or text, got a list",
    ]
    assert str(err) == "\n".join(str(e) for e in err.errors)


def test_block_shape_errors() -> None:
    err = fails("title: x\nblocks:\n  - 一段文字\n  - {text: 无类型}\n  - {type: section, title: 章, blocks: [{type: paragraph}]}\n")
    assert [str(e) for e in err.errors] == [
        "<string>:3:5: blocks[0]: expected a block (a mapping with a type, e.g. `type: paragraph`), got '一段文字'",
        "<string>:4:5: blocks[1]: the block has no type: add `type:` with one of banner, heading, paragraph, section, "
        "steps, comparison, stats, chart, timeline, cards, checklist, table, image, quote, callout, qrcode, qrcodes, divider, spacer",
        "<string>:5:40: blocks[2].blocks[0].text: field required",
    ]
    err = fails("title: x\nblocks: {type: divider}\nfooter: 颍州区委组织部\n")
    assert [str(e) for e in err.errors] == [
        "<string>:2:9: blocks: expected a list, got a mapping",
        "<string>:3:9: footer: expected a mapping, got '颍州区委组织部'",
    ]
    assert str(fails("title: x\nblocks: []\n")) == "<string>:2:9: blocks: needs at least 1 item, got 0"


def test_steps_duplicate_id_points_at_the_second_id() -> None:
    err = fails("title: x\nblocks:\n  - type: steps\n    items:\n      - {id: a, title: 一}\n      - {id: a, title: 二}\n")
    assert str(err) == "<string>:6:14: blocks[0].items[1].id: id 'a' is already used by items[0]; ids must be unique"


def test_progress_and_comparison_columns() -> None:
    err = fails("title: x\nblocks:\n  - {type: chart, kind: progress, labels: [甲, 乙], series: [{values: [50, 120]}]}\n")
    assert str(err) == (
        "<string>:3:74: blocks[0].series[0].values[1]: progress values are percentages 0–100: 乙 = 120"
    )
    err = fails("title: x\nblocks:\n  - type: comparison\n    columns: [{label: 甲}]\n    rows: [{aspect: 一, cells: [a]}]\n")
    assert str(err) == "<string>:4:14: blocks[0].columns: needs 2 to 4 items, got 1"


# ----------------------------------------------------------------------------- sources
def test_sources_path_str_text_bytes_dict(tmp_path: Path) -> None:
    p = write(tmp_path, "a.yaml", OK)
    for source in (p, str(p), OK, OK.encode(), {"title": "测试", "blocks": [{"type": "divider"}]}):
        doc = load(source)
        assert doc.title == "测试" and doc.blocks[0].type == "divider"
    assert load(p)._source_file == str(p)
    assert load(OK)._source_file == "<string>"
    assert load({"title": "x", "blocks": [{"type": "divider"}]})._source_file is None
    assert tushuo.load(p).title == "测试"  # the public entry point
    doc = load(p)
    assert load(doc) is doc


def test_document_records_where_things_came_from(tmp_path: Path) -> None:
    p = write(tmp_path, "a.yaml", """
        title: 测试
        blocks:
          - type: image
            src: photos/a.png
    """)
    Image.new("RGB", (4, 4)).save(tmp_path / "b.png")
    (tmp_path / "photos").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "photos" / "a.png")
    doc = load(p, roots=(tmp_path / "photos",))
    assert doc.base_dir == str(tmp_path.resolve())
    assert doc._roots == (str((tmp_path / "photos").resolve()),)
    assert doc._marks["blocks[0].src"] == (str(p), 4, 10)
    assert doc.locate("blocks[0].src") == (str(p), 4, 10)
    assert doc.locate("blocks[0].caption") == (str(p), 3, 5)
    assert load(OK).base_dir is None  # text and dicts: the cwd


def test_json_spec_is_located(tmp_path: Path) -> None:
    p = tmp_path / "a.json"
    p.write_text(textwrap.dedent("""\
        {
          "title": "测试",
          "width": 1e3,
          "blocks": [
            {"type": "paragraph", "text": "正文", "indnt": false},
            {"type": "spacer", "height": "高"}
          ]
        }"""), encoding="utf-8")
    err = fails(p)
    assert [str(e).removeprefix(str(tmp_path) + "/") for e in err.errors] == [
        "a.json:5:41: blocks[0].indnt: unknown field 'indnt' (did you mean 'indent'?)",
        "a.json:6:34: blocks[1].height: expected a number, got '高'",
    ]
    p.write_text(p.read_text(encoding="utf-8").replace(', "indnt": false', "").replace('"高"', "10"), encoding="utf-8")
    assert load(p).width == 1000  # JSON numbers follow JSON, not YAML 1.1 (1e3 is a number)
    doc = load(json.dumps({"title": "x", "blocks": [{"type": "spacer", "height": 20}]}))
    assert doc.blocks[0].height == 20


def test_json_that_yaml_cannot_read_still_loads() -> None:
    long_key = "k" * 1100  # YAML limits implicit keys to 1024 characters; JSON does not
    spec = {"title": "x", "blocks": [{"type": "divider"}], "meta": {long_key: 1}}
    assert load(json.dumps(spec)).meta == {long_key: 1}
    spec["blocks"][0]["type"] = "dividr"
    assert str(fails(json.dumps(spec))).startswith(  # no line numbers to give, but still the file and path
        "<string>: blocks[0].type: unknown block type 'dividr' (did you mean 'divider'?)"
    )


def test_json_syntax_error_located(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text('{\n  "title": "x",\n  "blocks": [1,]\n}', encoding="utf-8")
    assert str(fails(p)) == f"{p}:3:16: JSON syntax error: Expecting value"


# ----------------------------------------------------------------------------- YAML safety and reading
def test_yaml_syntax_error_located(tmp_path: Path) -> None:
    p = write(tmp_path, "s.yaml", "title: x\nblocks:\n  - type: divider\n    style: [line\n")
    assert str(fails(p)) == (
        f"{p}:5:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 4)"
    )
    p = write(tmp_path, "t.yaml", "title: x\nblocks:\n\t- type: divider\n")
    assert str(fails(p)).endswith("; indent with spaces, not tabs")
    assert str(fails(p)).startswith(f"{p}:3:1: YAML syntax error:")


def test_python_tags_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "py.yaml", 'title: x\nblocks:\n  - !!python/object/apply:os.system ["echo hi"]\n')
    assert str(fails(p)) == (
        f"{p}:3:5: tag !!python/object/apply:os.system is not allowed: "
        "a spec holds plain data (text, numbers, true/false, lists, mappings)"
    )
    assert "tag !custom is not allowed" in str(fails("title: !custom x\nblocks: [{type: divider}]\n"))
    assert "tag !!set is not allowed" in str(fails("title: x\nblocks: !!set {a, b}\n"))


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_alias_bomb_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "lol.yaml", BILLION_LAUGHS)
    assert str(fails(p)) == (
        f"{p}:6:4: spec too large: aliases (*name) expand to more than 100000 values; "
        "tushuo refuses to expand it (a 'billion laughs' file?)"
    )


def test_small_aliases_still_work() -> None:
    doc = load("title: x\nblocks: [&d {type: divider, style: dots}, *d]\n")
    assert [b.style for b in doc.blocks] == ["dots", "dots"]
    doc = load("title: x\nblocks:\n  - &base {type: callout, text: 注意}\n  - {<<: *base, tone: warning}\n")
    assert (doc.blocks[1].text, doc.blocks[1].tone) == ("注意", "warning")


def test_recursive_alias_refused() -> None:
    assert str(fails("title: x\nblocks: &a [*a]\n")) == (
        "<string>:2:9: recursive alias: a value that contains itself (through *alias)"
    )


def test_node_budget_and_depth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_NODES", 50)
    err = fails("title: x\nblocks:\n" + "  - {type: divider}\n" * 30)
    assert str(err).startswith("<string>:") and "spec too large: more than 50 values" in str(err)
    monkeypatch.setattr(limits, "MAX_NODES", 100_000)
    assert "nested more than 64 levels deep" in str(fails("title: x\nmeta: " + "[" * 100 + "]" * 100 + "\n"))


def test_file_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_BYTES", 1000)
    p = write(tmp_path, "big.yaml", OK + "# " + "x" * 2000 + "\n")
    assert str(fails(p)) == f"{p}: file too large: 2 KB (a spec or data file may be at most 1,000 bytes)"
    assert "spec too large: 2.9 KB (at most 1,000 bytes)" in str(fails("#" * 3000))  # one formatter, 1 KB = 1,024 bytes


def test_duplicate_keys_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "dup.yaml", "title: 甲\ntitle: 乙\nblocks: [{type: divider}]\n")
    assert str(fails(p)) == f"{p}:2:1: duplicate key 'title' (first given at line 1); each key may appear once"


def test_empty_binary_and_encodings(tmp_path: Path) -> None:
    p = write(tmp_path, "empty.yaml", "# 只有注释\n")
    assert str(fails(p)) == f"{p}: empty spec: the file has no content; a spec needs at least `title:` and `blocks:`"
    (tmp_path / "e2.yaml").write_bytes(b"")
    assert "empty spec" in str(fails(tmp_path / "e2.yaml"))
    (tmp_path / "bin.yaml").write_bytes(b"title: x\n\x89PNG\x00\x00")
    assert str(fails(tmp_path / "bin.yaml")) == (
        f"{tmp_path / 'bin.yaml'}:2: binary file, not a spec: it contains NUL bytes (a spec is YAML or JSON text)"
    )
    (tmp_path / "gbk.yaml").write_bytes("title: 换届\nblocks: []\n".encode("gbk"))
    assert str(fails(tmp_path / "gbk.yaml")) == (
        f"{tmp_path / 'gbk.yaml'}:1:8: not UTF-8 text: byte 0xbb cannot be decoded "
        "(it looks GBK/GB18030-encoded); save the file as UTF-8"
    )
    (tmp_path / "u16.yaml").write_bytes(codecs.BOM_UTF16_LE + OK.encode("utf-16-le"))
    assert load(tmp_path / "u16.yaml").title == "测试"
    (tmp_path / "bom.yaml").write_bytes(codecs.BOM_UTF8 + OK.encode())
    assert load(tmp_path / "bom.yaml").title == "测试"


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    p = write(tmp_path, "list.yaml", "- title: x\n")
    assert str(fails(p)) == f"{p}:1:1: the top level must be a mapping (title: …, blocks: …), got a list"
    assert str(fails("handbook")) == (
        "not a spec: 'handbook' is neither a spec file that exists nor YAML/JSON with a mapping"
    )
    assert str(fails("handbook.yaml")) == "file not found: handbook.yaml"
    assert str(fails(tmp_path)).endswith(": this is a folder, not a spec file")
    assert "cannot load a spec from int" in str(fails(42))
    assert "data must be a mapping" in str(fails(OK, data=[1, 2]))


def test_yaml_11_surprises_stay_text() -> None:
    doc = load("title: x\nmeta: {date: 2026-11-26, time: 9:30, ok: no, yes: on, flag: true}\nblocks: [{type: divider}]\n")
    assert doc.meta == {"date": "2026-11-26", "time": "9:30", "ok": "no", "yes": "on", "flag": True}
    assert str(doc.meta_date()) == "2026-11-26"
    doc = load("title: x\nblocks:\n  - {type: checklist, items: [{text: 有场所, checked: no}]}\n")
    assert doc.blocks[0].items[0].checked is False  # pydantic still reads no as false where a bool is wanted
    doc = load("title: x\nblocks:\n  - {type: chart, kind: bar, labels: [2024, 2025], series: [{values: [0x10, 1_000]}]}\n")
    assert doc.blocks[0].labels == ["2024", "2025"] and doc.blocks[0].series[0].values == [16, 1000]


# ----------------------------------------------------------------------------- extends and slots
DIGEST_DATA = {"issue": 3, "subtitle": "十一月", "stats": [{"label": "完成换届", "value": 126, "unit": "个"}]}


def test_extends_by_name_merges_mappings_and_replaces_lists() -> None:
    doc = load(DATA / "specs" / "uses-digest.yaml", data=DIGEST_DATA)
    assert doc.title == "图说组工 · 第3期"  # from digest.yaml, slot inside text
    assert doc.subtitle == "十一月"  # the spec's own value wins over the template's slot
    assert doc.theme == "gov-blue"  # from digest-blue.yaml, which extends digest.yaml
    assert doc.meta == {"account": "颍州先锋", "issue": 3, "date": "2026-11-26"}  # merged key by key; slot → number
    assert doc.footer is not None and (doc.footer.text, doc.footer.note) == ("颍州区委组织部 出品", "扫码关注")
    assert [b.type for b in doc.blocks] == ["banner", "stats"]  # the spec's list replaced the template's
    assert doc.blocks[0].title == "本期要点 第3期"  # slots are filled in the spec itself too
    assert doc.blocks[1].items[0].value == 126  # a whole-string slot becomes the list itself
    # marks remember which file each value came from
    assert doc.locate("footer.text") == (str(DATA / "layouts" / "digest.yaml"), 15, 9)
    assert doc.locate("footer.note") == (str(DATA / "layouts" / "digest-blue.yaml"), 4, 9)
    assert doc.locate("blocks[0].title")[0] == str(DATA / "specs" / "uses-digest.yaml")


def test_template_blocks_used_when_spec_gives_none() -> None:
    doc = load("extends: digest\nsubtitle: 增刊\n", data=DIGEST_DATA)
    assert [b.type for b in doc.blocks] == ["banner", "stats"]
    assert doc.blocks[0].badge == "第3期"


def test_missing_slot_names_it_and_its_place() -> None:
    err = fails(DATA / "specs" / "uses-digest.yaml", data={"issue": 3})
    assert str(err) == (
        f"{DATA / 'specs' / 'uses-digest.yaml'}:9:12: blocks[1].items: no data for slot {{{{stats}}}}: "
        'give it under data: in the spec, with --data FILE, or tushuo.load(..., data={"stats": ...})'
    )


def test_slots_in_text_dotted_names_and_types() -> None:
    src = textwrap.dedent("""\
        title: "{{org.name}}第{{issue}}期"
        width: "{{width}}"
        blocks:
          - type: paragraph
            text: 完成率{{rate}}%，{{flag}}
    """)
    doc = load(src, data={"org": {"name": "颍州"}, "issue": 3, "width": 750, "rate": 98.5, "flag": True})
    assert doc.title == "颍州第3期" and doc.width == 750
    assert doc.blocks[0].text == "完成率98.5%，true"
    err = fails(src, data={"issue": 3, "width": 750, "rate": 1, "flag": 1})
    assert str(err) == (
        '<string>:1:8: title: no data for slot {{org.name}}: give it under data: in the spec, with --data FILE, '
        'or tushuo.load(..., data={"org.name": ...})'
    )


def test_slot_data_errors_point_at_the_slot() -> None:
    err = fails("title: x\nblocks:\n  - type: stats\n    items: '{{stats}}'\n", data={"stats": [{"label": "a"}]})
    assert str(err) == "<string>:4:12: blocks[0].items[0].value: field required"


def test_spec_data_key_fills_slots() -> None:
    doc = load("extends: digest\ndata:\n  issue: 5\n  subtitle: 五月\n  stats: [{label: 甲, value: 1}]\n")
    assert doc.title == "图说组工 · 第5期" and doc.subtitle == "五月"
    doc = load("extends: digest\ndata: {issue: 5, subtitle: 五月, stats: []}\n", data={**DIGEST_DATA})
    assert doc.title == "图说组工 · 第3期"  # the caller's data wins


def test_template_errors_point_into_the_template() -> None:
    err = fails(DATA / "specs" / "uses-broken.yaml")
    assert str(err) == (
        f"{DATA / 'layouts' / 'broken.yaml'}:5:5: blocks[0].colour: unknown field 'colour'; "
        "allowed: type, text, indent, align"
    )


def test_extends_cycle_and_unknown_name() -> None:
    err = fails("extends: loop-a\n")
    assert str(err) == (
        f"{DATA / 'layouts' / 'loop-b.yaml'}:1:10: extends: extends cycle: "
        f"{DATA / 'layouts' / 'loop-a.yaml'} → {DATA / 'layouts' / 'loop-b.yaml'} → {DATA / 'layouts' / 'loop-a.yaml'}"
    )
    assert str(fails("title: x\nextends: digset\n")) == (
        "<string>:2:10: extends: no template named 'digset' (did you mean 'digest'?); ready templates: broken, "
        "digest, digest-blue, loop-a, loop-b (for a file, give its path with .yaml)"
    )


def test_extends_by_path_is_sandboxed() -> None:
    assert load(DATA / "specs" / "local-template.yaml").width == 750
    err = fails(DATA / "specs" / "escape-template.yaml")
    assert str(err).startswith(
        f"{DATA / 'specs' / 'escape-template.yaml'}:2:10: extends: path leaves the spec's folder: ../layouts/digest.yaml"
    )
    assert "extends" not in load(DATA / "specs" / "local-template.yaml").model_dump()


# ----------------------------------------------------------------------------- paths in the spec
def test_paths_checked_at_load_with_locations(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "photos" / "ok.png")
    Image.new("RGB", (4, 4)).save(tmp_path.parent / "outside.png")  # load decodes pictures: a real one
    (tmp_path / "link.png").symlink_to(tmp_path.parent / "outside.png")
    p = write(tmp_path, "s.yaml", f"""
        title: x
        blocks:
          - {{type: image, src: photos/ok.png}}
          - {{type: image, src: photos/x.jpg}}
          - {{type: image, src: ../outside.png}}
          - {{type: image, src: {tmp_path.parent / 'outside.png'}}}
          - {{type: quote, text: 誓言, image: link.png}}
          - {{type: image, src: "https://example.org/a.png"}}
          - type: comparison
            columns: [{{label: 合格}}, {{label: 不合格}}]
            rows:
              - {{aspect: 设备, cells: [好, {{text: 坏, image: photos/gone.jpg}}]}}
    """)
    err = fails(p)
    got = [str(e).removeprefix(str(p) + ":") for e in err.errors]
    assert got == [
        f"4:24: blocks[1].src: file not found: photos/x.jpg (looked in {tmp_path.resolve()})",
        f"5:24: blocks[2].src: path leaves the spec's folder: ../outside.png (resolves to "
        f"{(tmp_path.parent / 'outside.png').resolve()}); files must be inside {tmp_path.resolve()}: copy it there",
        f"6:24: blocks[3].src: absolute path outside the spec's folder: {tmp_path.parent / 'outside.png'}; "
        f"copy the file next to the spec and name it relative to {tmp_path.resolve()}",
        f"7:36: blocks[4].image: 'link.png' is a symlink that points outside the spec's folder "
        f"(to {(tmp_path.parent / 'outside.png').resolve()}); copy the file itself into the folder",
        "8:24: blocks[5].src: URLs are not allowed: https://example.org/a.png: tushuo never accesses the network; "
        "download the file next to the spec",
        f"12:50: blocks[6].rows[0].cells[1].image: file not found: photos/gone.jpg (looked in {tmp_path.resolve()})",
    ]
    # an extra root lets the outside file in
    p2 = write(tmp_path, "s2.yaml", "title: x\nblocks:\n  - {type: image, src: ../outside.png}\n")
    assert load(p2, roots=(tmp_path.parent,)).blocks[0].src == "../outside.png"
    assert load(p2, roots=str(tmp_path.parent)).blocks[0].src == "../outside.png"  # one root, not its letters


def test_dict_spec_paths_resolve_against_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Image.new("RGB", (4, 4)).save(tmp_path / "a.png")
    monkeypatch.chdir(tmp_path)
    spec = {"title": "x", "blocks": [{"type": "image", "src": "a.png"}]}
    assert load(spec).blocks[0].src == "a.png"
    spec["blocks"][0]["src"] = "../a.png"
    assert str(fails(spec)).startswith("blocks[0].src: path leaves the spec's folder: ../a.png")


def test_data_file_checked(tmp_path: Path) -> None:
    p = write(tmp_path, "c.yaml", "title: x\nblocks:\n  - {type: chart, kind: bar, data_file: progress.csv}\n")
    assert str(fails(p)) == f"{p}:3:41: blocks[0].data_file: file not found: progress.csv (looked in {tmp_path.resolve()})"
    (tmp_path / "progress.csv").write_text("乡镇,完成\n清河,12\n", encoding="utf-8")
    assert load(p).blocks[0].data_file == "progress.csv"


# ----------------------------------------------------------------------------- --data files
def test_load_data_file(tmp_path: Path) -> None:
    y = write(tmp_path, "d.yaml", "issue: 3\nstats:\n  - {label: 完成, value: 126}\n")
    assert load_data_file(y) == {"issue": 3, "stats": [{"label": "完成", "value": 126}]}
    j = tmp_path / "d.json"
    j.write_text('{"issue": 3}', encoding="utf-8")
    assert load_data_file(j) == {"issue": 3}
    lst = write(tmp_path, "l.yaml", "- 1\n- 2\n")
    with pytest.raises(SpecError) as exc:
        load_data_file(lst)
    assert str(exc.value) == f"{lst}:1:1: data must be a mapping of slot names to values (issue: 3), got a list"
    rows = write(tmp_path, "rows.yaml", "- {name: 张三}\n- {name: 李四}\n")
    assert load_data_file(rows, rows=True) == [{"name": "张三"}, {"name": "李四"}]
    with pytest.raises(SpecError) as exc:
        load_data_file(lst, rows=True)
    assert str(exc.value) == f"{lst}:1:3: each row must be a mapping of slot names to values, got 1"
    with pytest.raises(SpecError, match="use `tushuo batch --template NAME --data FILE.csv`"):
        load_data_file(tmp_path / "d.csv")
    with pytest.raises(SpecError, match=r"d\.yaml:2:2: YAML syntax error"):
        load_data_file(write(tmp_path, "d.yaml", "a: [1\nb: 2\n"))
    with pytest.raises(SpecError, match="file not found"):
        load_data_file(tmp_path / "nope.yaml")


# ----------------------------------------------------------------------------- never a traceback
_yaml_bits = st.sampled_from(
    ["title: ", "blocks:", "\n", "  - ", "type: ", "steps", "items", "{", "}", "[", "]", ", ", ": ", "&a ", "*a",
     "!!python/name:os.system", "<<: ", "{{x}}", "extends: ", "digest", "---", "\t", "'", '"', "#", "2026-11-26",
     "9:30", "no", "-1", "1e3", "null", "text: 文字", "label: 甲", "values: [1, -2]", "kind: pie", "\x00", "\ufeff"]
)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8)
    | st.sampled_from(["steps", "chart", "pie", "type", "{{x}}", "../x.png", "https://x"]),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "title", "text", "items", "blocks", "kind", "labels", "series", "values", "src",
                         "next", "to", "id", "cells", "columns", "rows", "theme", "extends", "data", "meta"]),
        kids, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_yaml_bits, max_size=30).map("".join))
def test_any_text_gives_a_document_or_a_spec_error(text: str) -> None:
    try:
        load("title: t\n" + text if text.startswith("\n") else text)
    except SpecError as err:
        assert str(err) and err.exit_code == 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({"title": _values, "blocks": _values}, optional={"theme": _values, "meta": _values}))
def test_any_dict_gives_a_document_or_a_spec_error(spec: dict[str, Any]) -> None:
    try:
        load(spec, data={"x": [1]})
    except SpecError as err:
        assert str(err) and err.exit_code == 2
