"""Excel workbooks and JSON as data (#16): values as Excel shows them, cell-located errors, limits.

Every workbook here is built by the test with openpyxl. openpyxl writes formulas without
their computed values (Excel saves both), so ``cached`` patches the values in as Excel would.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

import tushuo
from tushuo import workbook
from tushuo.cli import main
from tushuo.data import read_grid, read_table
from tushuo.errors import SpecError
from tushuo.workbook import format_date, format_number, general, parse_range

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def save(wb, path: Path, cached: dict[str, object] | None = None) -> Path:
    """Save ``wb``; ``cached`` ({"B4": 42}) writes formula results into the first sheet as Excel does."""
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(buf)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if cached and info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                for ref, value in cached.items():
                    text, n = re.subn(rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v\s*/>', rf"\g<1><v>{value}</v>", text)
                    assert n == 1, ref
                data = text.encode("utf-8")
            out.writestr(info, data)
    return path


def towns_book(path: Path, *, with_cache: bool = True, dash: bool = False) -> Path:
    """各乡镇: a percent column (0.0%), counts (#,##0), a date column, a total formula; 汇总; an empty sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "各乡镇"
    ws.append(["乡镇", "完成率", "已完成", "完成日期", "备注"])
    rows = [("清河街道", 0.945, 1286, dt.date(2026, 11, 25), "按期"), ("文峰街道", 1, 12, dt.date(2026, 11, 20), "提前"),
            ("马寨乡", 0.52, "—" if dash else 13, None, "滞后")]
    for r in rows:
        ws.append(list(r))
    for r in range(2, 5):
        ws.cell(r, 2).number_format = "0.0%"
        ws.cell(r, 3).number_format = "#,##0"
        ws.cell(r, 4).number_format = "mm-dd-yy"  # Excel's built-in date (14): the reader's locale
    ws.append(["合计", None, "=SUM(C2:C4)", None, None])
    ws["C5"].number_format = "#,##0"
    s2 = wb.create_sheet("汇总")
    s2.append(["指标", "数值", "单位", "变化"])
    s2.append(["完成率", 0.894, None, "+3.2%"])
    s2.append(["已完成", 126, "个", "+12"])
    s2["B2"].number_format = "0.0%"
    wb.create_sheet("空表")
    return save(wb, path, {"C5": 1311} if with_cache else None)


# ----------------------------------------------------------------------------- values as shown
@pytest.mark.parametrize(
    ("value", "fmt", "text", "number"),
    [
        (0.945, "0.0%", "94.5%", 94.5),
        (0.5, "0%", "50%", 50.0),
        (0.12345, "0.00%", "12.35%", 12.35),
        (1286, "#,##0", "1,286", 1286.0),
        (1234567.891, "#,##0.00", "1,234,567.89", 1234567.89),
        (3.1, "0.00", "3.10", 3.1),
        (12, '0"个"', "12个", 12.0),
        (-1234.5, "#,##0.0;[Red]-#,##0.0", "-1,234.5", -1234.5),
        (0.1 + 0.2, "General", "0.3", 0.30000000000000004),
        (126, None, "126", 126.0),
        (1 / 3, "General", "0.33333333333", 1 / 3),
    ],
)
def test_numbers_read_as_excel_shows_them(value, fmt, text, number) -> None:
    shown, n = format_number(value, fmt)
    assert shown == text
    assert n == pytest.approx(number)


def test_dates_in_chinese_unless_a_format_says_otherwise() -> None:
    day = dt.date(2026, 11, 25)
    assert format_date(day, "mm-dd-yy") == "2026年11月25日"  # Excel's built-in date format 14
    assert format_date(day, "General") == "2026年11月25日"
    assert format_date(day, "yyyy-mm-dd") == "2026-11-25"
    assert format_date(day, 'm"月"d"日"') == "11月25日"
    assert format_date(dt.datetime(2026, 11, 25, 9, 30), "yyyy/m/d h:mm") == "2026/11/25 9:30"
    assert general(1e-12) == "1.00000E-12"


def test_a_sheet_read_with_percent_date_merged_header_and_formula(tmp_path: Path) -> None:
    book = towns_book(tmp_path / "进展.xlsx")
    grid = read_grid(book, "进展.xlsx", sheet="各乡镇")
    assert grid.name == "进展.xlsx!各乡镇"
    assert grid.header_texts() == ["乡镇", "完成率", "已完成", "完成日期", "备注"]
    assert [[c.text for c in r] for r in grid.rows] == [
        ["清河街道", "94.5%", "1,286", "2026年11月25日", "按期"],
        ["文峰街道", "100.0%", "12", "2026年11月20日", "提前"],
        ["马寨乡", "52.0%", "13", "", "滞后"],
        ["合计", "", "1,311", "", ""],  # the formula's cached value
    ]
    assert grid.rows[0][1].where == "进展.xlsx!各乡镇!B2"


def test_merged_header_cells_spread_over_their_columns(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "乡镇（街道）", "村（社区）数"
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:D1")
    for j, h in enumerate(["已完成", "进行中", "未启动"], start=2):
        ws.cell(2, j, h)
    ws.append(["清河街道", 27, 1, 0])
    ws.append(["颍西街道", 37, 3, 0])
    book = save(wb, tmp_path / "阶段.xlsx")
    top = read_grid(book, "阶段.xlsx")
    assert top.header_texts() == ["乡镇（街道）", "村（社区）数", "村（社区）数", "村（社区）数"]
    assert [c.text for c in top.rows[0]] == ["乡镇（街道）", "已完成", "进行中", "未启动"]
    second = read_grid(book, "阶段.xlsx", cells="A2:D4")  # the vertical merge reaches into the range
    assert second.header_texts() == ["乡镇（街道）", "已完成", "进行中", "未启动"]
    table = read_table(book, "阶段.xlsx", cells="A2:D4")
    assert table.labels == ["清河街道", "颍西街道"]
    assert table.names == ["已完成", "进行中", "未启动"]
    assert table.columns == [[27, 37], [1, 3], [0, 0]]


def test_empty_trailing_rows_and_columns_are_ignored(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["乡镇", "完成"])
    ws.append(["清河", 3])
    ws["F40"] = ""  # touched, left empty: the sheet's dimension grows, the table does not
    ws.cell(30, 6).number_format = "0.0%"
    grid = read_grid(save(wb, tmp_path / "b.xlsx"), "b.xlsx", cells="A1:H50")
    assert grid.header_texts() == ["乡镇", "完成"] and len(grid.rows) == 1


def test_chart_series_per_numeric_column_with_header_names(tmp_path: Path) -> None:
    table = read_table(towns_book(tmp_path / "进展.xlsx"), "进展.xlsx", sheet="各乡镇", cells="A1:E4")
    assert table.labels == ["清河街道", "文峰街道", "马寨乡"]
    assert table.names == ["完成率", "已完成"]  # dates and notes are not series
    assert table.columns == [[94.5, 100.0, 52.0], [1286.0, 12.0, 13.0]]
    assert table.places[0][2] == "进展.xlsx!各乡镇!B4"


def test_sheet_by_number_and_range_checked(tmp_path: Path) -> None:
    book = towns_book(tmp_path / "进展.xlsx")
    assert read_grid(book, "进展.xlsx", sheet=2).name == "进展.xlsx!汇总"
    assert read_grid(book, "进展.xlsx", sheet="2").name == "进展.xlsx!汇总"  # --sheet 2: no sheet named '2'
    assert parse_range("B2:F14") == (2, 2, 6, 14)
    for bad, msg in [("B2", "two corners"), ("F14:B2", "backwards"), ("B2:B2", "one row"), ("B2:Z", "not a cell")]:
        with pytest.raises(ValueError, match=msg):
            parse_range(bad)


# ----------------------------------------------------------------------------- blocks from a workbook
SPEC = """title: 换届进展
blocks:
  - type: stats
    data_file: 进展.xlsx
    sheet: 汇总
  - type: chart
    kind: progress
    data_file: 进展.xlsx
    sheet: 各乡镇
    range: A1:B4
    unit: "%"
  - type: table
    title: 进展明细
    data_file: 进展.xlsx
    sheet: 各乡镇
    range: A1:D4
"""


def test_stats_chart_and_table_from_one_workbook(tmp_path: Path) -> None:
    from tushuo.inputs import make_context
    from tushuo.layout.source import filled_stats, filled_table

    towns_book(tmp_path / "进展.xlsx")
    spec = tmp_path / "b.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    doc = tushuo.load(spec)
    ctx = make_context(doc)
    stats = filled_stats(doc.blocks[0], ctx.at("blocks[0]"))
    assert [(i.label, i.value, i.unit, i.delta) for i in stats.items] == [
        ("完成率", 89.4, "%", "+3.2%"), ("已完成", 126, "个", "+12")]
    table = filled_table(doc.blocks[2], ctx.at("blocks[2]"))
    assert table.header == ["乡镇", "完成率", "已完成", "完成日期"]
    assert table.rows[0] == ["清河街道", "94.5%", "1,286", "2026年11月25日"]
    png = tushuo.render_bytes(doc, format="png")
    assert png.startswith(b"\x89PNG")


def test_json_data_file_for_a_chart_and_a_table(tmp_path: Path) -> None:
    rows = [{"乡镇": "清河街道", "已完成": 12, "备注": "按期"}, {"乡镇": "文峰街道", "已完成": 9.5, "备注": "提前"}]
    (tmp_path / "rows.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    table = read_table(tmp_path / "rows.json", "rows.json")
    assert (table.labels, table.names, table.columns) == (["清河街道", "文峰街道"], ["已完成"], [[12, 9.5]])
    grid = read_grid(tmp_path / "rows.json", "rows.json")
    assert [[c.text for c in r] for r in grid.rows] == [["清河街道", "12", "按期"], ["文峰街道", "9.5", "提前"]]
    rows[1]["已完成"] = "九"
    (tmp_path / "rows.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        read_table(tmp_path / "rows.json", "rows.json")
    assert str(exc.value) == "rows.json:9:10: expected a number, got '九'"
    (tmp_path / "obj.json").write_text('{"乡镇": "清河"}', encoding="utf-8")
    with pytest.raises(SpecError, match="a list of objects, one per row"):
        read_grid(tmp_path / "obj.json", "obj.json")


def test_spec_rules_for_sheet_and_range(tmp_path: Path) -> None:
    def fails(block: str) -> str:
        with pytest.raises(SpecError) as exc:
            tushuo.load("title: x\nblocks:\n  - " + block + "\n")
        return str(exc.value)

    assert fails("{type: table, rows: [[1]], sheet: 汇总}").endswith(
        "blocks[0].sheet: sheet needs a data_file (an Excel workbook) to read from")
    assert fails("{type: table, data_file: a.xlsx, range: B2}").endswith(
        "blocks[0].range: 'B2' is not a cell range; write two corners such as B2:F14")
    assert fails("{type: stats, data_file: a.xlsx, items: [{label: a, value: 1}]}").endswith(
        "blocks[0].data_file: give either data_file or items, not both")
    assert fails("{type: table}").endswith("blocks[0]: a table needs rows, or a data_file")


# ----------------------------------------------------------------------------- errors
def render_fails(tmp_path: Path, spec_text: str, capsys: pytest.CaptureFixture[str]) -> str:
    spec = tmp_path / "bulletin.yaml"
    spec.write_text(spec_text, encoding="utf-8")
    out = tmp_path / "out.png"
    assert main(["render", str(spec), "-o", str(out)]) == 2
    assert not out.exists() and not list(tmp_path.glob("*.part*"))
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    return err


def chart_spec(extra: str = "sheet: 各乡镇\n    range: A1:C4") -> str:
    return ("title: 通报\nblocks:\n  - type: paragraph\n    text: 正文\n  - type: paragraph\n    text: 正文\n"
            f"  - type: chart\n    kind: bar\n    data_file: 进展.xlsx\n    {extra}\n")


def test_a_bad_cell_is_named_with_workbook_sheet_and_cell(tmp_path: Path, capsys) -> None:
    towns_book(tmp_path / "进展.xlsx", dash=True)
    err = render_fails(tmp_path, chart_spec(), capsys)
    assert err == f"{tmp_path / 'bulletin.yaml'}:9:16: blocks[2].data_file: 进展.xlsx!各乡镇!C4: expected a number, got '—'"


def test_formulas_saved_without_values(tmp_path: Path, capsys) -> None:
    towns_book(tmp_path / "进展.xlsx", with_cache=False)
    err = render_fails(tmp_path, chart_spec("sheet: 各乡镇"), capsys)
    assert err.endswith("blocks[2].data_file: 进展.xlsx!各乡镇!C5: a formula saved without its computed value: "
                        "the workbook was written by a program, not by Excel; open it in Excel or WPS and save it again")
    # outside the range the formula does not matter
    assert len(read_grid(tmp_path / "进展.xlsx", "进展.xlsx", sheet="各乡镇", cells="A1:C4").rows) == 3


def test_missing_sheet_lists_the_sheets(tmp_path: Path, capsys) -> None:
    towns_book(tmp_path / "进展.xlsx")
    err = render_fails(tmp_path, chart_spec("sheet: 各乡"), capsys)
    assert err.endswith("blocks[2].data_file: 进展.xlsx: no sheet named '各乡' (did you mean '各乡镇'?); "
                        "the sheets are: 各乡镇, 汇总, 空表")
    err = render_fails(tmp_path, chart_spec("sheet: 7"), capsys)
    assert err.endswith("进展.xlsx: no sheet number 7: the workbook has 3 (1 to 3: 各乡镇, 汇总, 空表)")


def test_an_empty_sheet(tmp_path: Path, capsys) -> None:
    towns_book(tmp_path / "进展.xlsx")
    err = render_fails(tmp_path, chart_spec("sheet: 空表"), capsys)
    assert err.endswith("blocks[2].data_file: 进展.xlsx: sheet 空表 is empty: expected a header row, then one row per label")


def test_old_xls_and_password_protected_workbooks(tmp_path: Path, capsys) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    (tmp_path / "进展.xlsx").write_bytes(ole + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512)
    err = render_fails(tmp_path, chart_spec("sheet: 1"), capsys)
    assert "进展.xlsx: the workbook is password-protected: tushuo cannot open it" in err
    (tmp_path / "进展.xlsx").write_bytes(ole + b"Workbook".ljust(512, b"\x00"))
    err = render_fails(tmp_path, chart_spec("sheet: 1"), capsys)
    assert "进展.xlsx: an old binary Excel file (.xls): tushuo reads .xlsx; open it in Excel or WPS and save it as .xlsx" in err
    (tmp_path / "旧.xls").write_bytes(ole)
    err = render_fails(tmp_path, chart_spec("sheet: 1").replace("进展.xlsx", "旧.xls"), capsys)
    assert "旧.xls: an old binary Excel file (.xls)" in err and "save it as .xlsx" in err
    (tmp_path / "进展.xlsx").write_text("乡镇,完成\n", encoding="utf-8")
    err = render_fails(tmp_path, chart_spec("sheet: 1"), capsys)
    assert "进展.xlsx: not an Excel workbook (.xlsx): the file is not a zip archive" in err


# ----------------------------------------------------------------------------- limits
def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path, monkeypatch) -> None:
    book = towns_book(tmp_path / "进展.xlsx")
    monkeypatch.setattr(workbook, "MAX_UNPACKED", 1000)  # the sheet XML unpacks to more than this
    with pytest.raises(SpecError, match=r"^进展.xlsx: the workbook unpacks to more than 1[,.]0+ (KB|bytes) \(xl/.*\): too large to read \(a damaged file or a zip bomb\?\)$"):
        read_grid(book, "进展.xlsx")


def test_too_many_cells_are_refused_while_streaming(tmp_path: Path, monkeypatch) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("大表")
    ws.append(["村", "数"])
    for i in range(200):
        ws.append([f"第{i}村", i])
    book = tmp_path / "big.xlsx"
    wb.save(book)
    monkeypatch.setattr(workbook, "MAX_CELLS", 100)
    with pytest.raises(SpecError) as exc:
        read_grid(book, "big.xlsx")
    assert str(exc.value) == ("big.xlsx: too many cells: more than 100 values in sheet 大表 (at most 100, as in a spec); "
                              "name the cells to read with range: (e.g. range: A1:F200)")
    assert len(read_grid(book, "big.xlsx", cells="A1:B40").rows) == 39  # a range within the budget reads


# ----------------------------------------------------------------------------- batch rows and slots
def test_batch_cards_from_the_workbook_equal_the_csvs(tmp_path: Path, capsys) -> None:
    outs = {}
    for data in ("pledges.csv", "pledges.xlsx"):
        out = tmp_path / data.replace(".", "-")
        assert main(["batch", "--template", "pledge-card", "--data", str(EXAMPLES / data), "-o", str(out),
                     "--name-column", "name", "--jobs", "1", "--no-progress"]) == 0
        outs[data] = {p.name: p.read_bytes() for p in out.glob("*.png")}
    capsys.readouterr()
    assert len(outs["pledges.csv"]) == 4
    assert outs["pledges.csv"] == outs["pledges.xlsx"]  # byte-identical cards


def test_render_slots_from_a_sheet(tmp_path: Path, capsys) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "本期"
    ws.append(["期数", "标题"])
    ws.append([12, "图说组工"])
    other = wb.create_sheet("两行")
    other.append(["期数"])
    other.append([1])
    other.append([2])
    save(wb, tmp_path / "slots.xlsx")
    spec = tmp_path / "s.yaml"
    spec.write_text("title: '{{标题}} 第{{期数}}期'\nblocks:\n  - {type: paragraph, text: '第{{期数}}期'}\n",
                    encoding="utf-8")
    from tushuo.loader import load_data_file

    data = load_data_file(tmp_path / "slots.xlsx", sheet="本期")
    assert data == {"期数": "12", "标题": "图说组工"}
    assert tushuo.load(spec, data=data).title == "图说组工 第12期"
    assert main(["render", str(spec), "-o", str(tmp_path / "s.png"), "--data", str(tmp_path / "slots.xlsx"),
                 "--sheet", "本期"]) == 0
    assert (tmp_path / "s.png").is_file()
    assert main(["render", str(spec), "-o", str(tmp_path / "t.png"), "--data", str(tmp_path / "slots.xlsx"),
                 "--sheet", "两行"]) == 2
    assert "takes one row of values under the header, but the sheet has 2" in capsys.readouterr().err
    assert not (tmp_path / "t.png").exists()


def test_the_bulletin_example_reads_its_workbook() -> None:
    doc = tushuo.load(EXAMPLES / "progress-bulletin.yaml")
    books = [b for b in doc.blocks if getattr(b, "data_file", None) == "data/换届进展.xlsx"]
    assert {b.type for b in books} == {"chart", "table"}
    from tushuo.inputs import make_context
    from tushuo.layout.chart import chart_data

    ctx = make_context(doc)
    i = doc.blocks.index(books[0])
    labels, series = chart_data(books[0], ctx.at(f"blocks[{i}]"))
    csv = read_table(EXAMPLES / "data" / "progress.csv")
    assert labels == csv.labels and [s.values for s in series] == csv.columns  # the same numbers as the CSV


def test_stats_card_shows_a_formatted_number_as_excel_does_and_at_full_size(tmp_path: Path) -> None:
    """A #,##0 or 0.00 cell keeps its text (1,286; 3.50) on the card; a General one is a number; and a value
    typed as number text ("1,286", unquoted 1,286 in YAML) is set as large as a number, not shrunk like words."""
    from tushuo.inputs import make_context
    from tushuo.layout.source import filled_stats

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "要点"
    ws.append(["指标", "数值", "单位"])
    for label, v, fmt, unit in [("新当选", 1286, "#,##0", "名"), ("平均年龄", 3.5, "0.00", "岁"),
                                ("参选率", 0.9234, "0.0%", None), ("村数", 145, "General", "个")]:
        ws.append([label, v, unit])
        ws.cell(ws.max_row, 2).number_format = fmt
    save(wb, tmp_path / "d.xlsx")
    spec = tmp_path / "s.yaml"
    spec.write_text("title: t\nblocks:\n  - {type: stats, data_file: d.xlsx}\n"
                    "  - type: stats\n    items:\n      - label: 甲\n        value: 1,286\n      - {label: 乙, value: 1286}\n"
                    "      - {label: 丙, value: 全部已完成}\n", encoding="utf-8")
    doc = tushuo.load(spec)
    stats = filled_stats(doc.blocks[0], make_context(doc).at("blocks[0]"))
    assert [(i.value, i.unit) for i in stats.items] == [("1,286", "名"), ("3.50", "岁"), (92.3, "%"), (145, "个")]
    svg = tushuo.render_bytes(doc, format="svg").decode()
    sizes = {text: float(size) for size, text in re.findall(r'font-size="([\d.]+)"[^>]*>([^<]+)<', svg)}
    assert sizes["1,286"] == sizes["1286"] > sizes["全部已完成"]
