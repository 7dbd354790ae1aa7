"""tushuo batch: safe names, data rows, parallel rendering, skip-unchanged, report, Dask."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tushuo import batch
from tushuo.batch import FAILED, RENDERED, SKIPPED, read_rows, render_many, render_rows, safe_name
from tushuo.errors import SpecError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

TINY = """\
title: 小样 {n}
width: 540
blocks:
  - type: heading
    text: 第{n}号
  - type: paragraph
    text: 这是第{n}份小样，用来测试批量渲染。
"""

BROKEN = """\
title: 坏样
width: 540
blocks:
  - type: heading
    text: 标题
  - type: paragraph
    txet: 拼错了字段名
"""


def tiny(folder: Path, n: int) -> Path:
    p = folder / f"tiny-{n}.yaml"
    p.write_text(TINY.format(n=n), encoding="utf-8")
    return p


# --------------------------------------------------------------------------- names
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("张三", "张三"),
        ("../../x", "x"),
        ("a/../../b", "a_b"),
        ("..", "row"),
        ("a/b\\c", "a_b_c"),
        ("/etc/passwd", "etc_passwd"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("李\x00四\n五", "李 四 五"),
        ("  .hidden ", "hidden"),
        ("王五:村委会?主任*", "王五_村委会_主任"),
        ("", "row"),
        (None, "row"),
    ],
)
def test_safe_name(raw: str, expected: str) -> None:
    assert safe_name(raw, "row") == expected


def test_safe_name_is_bounded_and_stays_inside(tmp_path: Path) -> None:
    long = "长" * 200
    name = safe_name(long, "row")
    assert len(name.encode("utf-8")) <= 150 and name.startswith("长")
    for raw in ["../../x", "..\\..\\y", "a/../../b", "\u202e../z", "~/q", "./.", "foo/..", "C:\\Windows"]:
        n = safe_name(raw, "row")
        target = (tmp_path / f"{n}.png").resolve()
        assert target.parent == tmp_path.resolve(), raw
        assert "/" not in n and "\\" not in n and ".." not in n


def test_unique_names() -> None:
    assert batch._unique(["张三", "李四", "张三", "张三"]) == ["张三", "李四", "张三-2", "张三-3"]
    assert batch._unique(["Ab", "aB"]) == ["Ab", "aB-2"]


# --------------------------------------------------------------------------- rows
def test_read_rows_utf8_bom_and_gbk(tmp_path: Path) -> None:
    text = "name,role\n张三,书记\n\n李四,\n"
    for enc in ("utf-8-sig", "gb18030", "utf-8"):
        p = tmp_path / f"rows-{enc}.csv"
        p.write_bytes(text.encode(enc))
        rows = read_rows(p)
        assert rows == [(2, {"name": "张三", "role": "书记"}), (4, {"name": "李四", "role": None})], enc


def test_read_rows_errors_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "rows.csv"
    p.write_text("name,role\n张三,书记\n李四,主任,多余\n", encoding="utf-8")
    with pytest.raises(SpecError) as e:
        read_rows(p)
    assert e.value.line == 3 and "3 cells for 2 columns" in str(e.value)
    p.write_text("name,name\n张三,李四\n", encoding="utf-8")
    with pytest.raises(SpecError, match="repeated column"):
        read_rows(p)
    p.write_text("", encoding="utf-8")
    with pytest.raises(SpecError, match="empty"):
        read_rows(p)


def test_read_rows_yaml_list(tmp_path: Path) -> None:
    p = tmp_path / "rows.yaml"
    p.write_text("- {name: 张三, items: [1, 2]}\n- {name: 李四, items: [3]}\n", encoding="utf-8")
    assert [r["name"] for _, r in read_rows(p)] == ["张三", "李四"]


# --------------------------------------------------------------------------- report
def test_report_exit_codes() -> None:
    ok = batch.ItemResult("a", "a", RENDERED, [{"path": "a.png", "bytes": 10}])
    bad = batch.ItemResult("b", "b", FAILED, error="b.yaml:3:5: x: bad", error_kind="input")
    boom = batch.ItemResult("c", "c", FAILED, error="internal error", error_kind="internal")
    assert batch.BatchReport("o", [ok]).exit_code == 0
    assert batch.BatchReport("o", [ok, bad]).exit_code == 2
    assert batch.BatchReport("o", [ok, bad, boom]).exit_code == 1


def test_human_size() -> None:
    assert batch.human_size(999) == "999 B"
    assert batch.human_size(1234) == "1.2 KB"
    assert batch.human_size(812_000) == "812 KB"
    assert batch.human_size(5_000_000) == "5.0 MB"
