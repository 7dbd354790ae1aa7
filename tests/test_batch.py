"""tushuo batch: safe names, data rows, parallel rendering, skip-unchanged, report, Dask."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from samples import TYPO_SPEC as BROKEN

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
    assert batch.human_size(999) == "999 bytes"
    assert batch.human_size(1234) == "1.2 KB"
    assert batch.human_size(812_000) == "793 KB"  # binary units: 1 KB = 1,024 bytes
    assert batch.human_size(5_000_000) == "4.8 MB"
    assert batch.human_size(20 * 1024 * 1024) == "20 MB"


# --------------------------------------------------------------------------- rendering
def statuses(report: batch.BatchReport) -> list[str]:
    return [i.status for i in report.items]


def test_render_many_parallel_then_skips_unchanged(tmp_path: Path) -> None:
    specs = [tiny(tmp_path, n) for n in range(3)]
    out = tmp_path / "out"
    report = render_many(specs, out, jobs=2)
    assert statuses(report) == [RENDERED] * 3 and report.exit_code == 0
    for n, item in enumerate(report.items):
        assert item.name == f"tiny-{n}" and item.outputs[0]["path"] == str(out / f"tiny-{n}.png")
        assert item.outputs[0]["bytes"] == (out / f"tiny-{n}.png").stat().st_size > 0
    saved = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert saved["counts"] == {"rendered": 3, "skipped": 0, "failed": 0}
    assert [i["status"] for i in saved["items"]] == ["rendered"] * 3

    again = render_many(specs, out, jobs=2)
    assert statuses(again) == [SKIPPED] * 3
    assert again.summary().count("skipped, unchanged") == 3
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["counts"]["skipped"] == 3

    # An edited spec, a deleted output and other output options are not "unchanged".
    specs[0].write_text(TINY.format(n=99), encoding="utf-8")
    (out / "tiny-1.png").unlink()
    assert statuses(render_many(specs, out, jobs=2)) == [RENDERED, RENDERED, SKIPPED]
    assert statuses(render_many(specs, out, jobs=2, quality=80, format="jpeg")) == [RENDERED] * 3
    assert statuses(render_many(specs, out, jobs=2, force=True)) == [RENDERED] * 3


def test_a_referenced_file_change_is_not_unchanged(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 30), "#B7181E").save(tmp_path / "photo.png")
    spec = tmp_path / "pic.yaml"
    spec.write_text("title: 图\nwidth: 540\nblocks:\n  - {type: image, src: photo.png}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert statuses(render_many([spec], out, jobs=1)) == [RENDERED]
    assert statuses(render_many([spec], out, jobs=1)) == [SKIPPED]
    Image.new("RGB", (40, 30), "#2F6DB5").save(tmp_path / "photo.png")
    assert statuses(render_many([spec], out, jobs=1)) == [RENDERED]


def test_one_broken_spec_the_rest_render(tmp_path: Path) -> None:
    specs = [tiny(tmp_path, n) for n in range(3)]
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    report = render_many([specs[0], broken, *specs[1:]], tmp_path / "out", jobs=2)
    assert statuses(report) == [RENDERED, FAILED, RENDERED, RENDERED]
    bad = report.items[1]
    assert bad.error_kind == "input" and f"{broken}:7:5: blocks[1].txet: unknown field" in bad.error
    assert report.exit_code == 2
    assert not (tmp_path / "out" / "broken.png").exists()
    saved = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert saved["items"][1]["status"] == "failed" and "7:5" in saved["items"][1]["error"]


def test_internal_failure_is_exit_1_and_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    def boom(*a: object, **k: object) -> None:
        raise MemoryError("out of memory while painting")

    monkeypatch.setattr(sys.modules["tushuo.api"], "render", boom)
    report = render_many([tiny(tmp_path, 1), tiny(tmp_path, 2)], tmp_path / "out", jobs=1)
    assert statuses(report) == [FAILED, FAILED] and report.exit_code == 1
    assert report.items[0].error_kind == "internal" and "MemoryError" in report.items[0].traceback


def test_same_stem_in_two_folders_gets_two_outputs(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    specs = [tiny(tmp_path / "a", 1), tiny(tmp_path / "b", 1)]
    report = render_many(specs, tmp_path / "out", jobs=1)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == ["tiny-1-2.png", "tiny-1.png"]
    assert statuses(report) == [RENDERED, RENDERED]


# --------------------------------------------------------------------------- a month's batch
def test_monthly_digests_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The three monthly digests in parallel; a re-run skips them; a broken fourth is located."""
    from tushuo.cli import main

    months = tmp_path / "monthly"
    shutil.copytree(EXAMPLES / "monthly", months)
    specs = sorted(str(p) for p in months.glob("*.yaml"))
    assert len(specs) == 3
    out = tmp_path / "out"
    opts = ["-o", str(out), "--jobs", "2", "--width", "540"]
    args = ["batch", *specs, *opts]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert first.count("rendered  ") == 3 and "3 rendered" in first
    assert sorted(p.name for p in out.glob("*.png")) == ["2026-09.png", "2026-10.png", "2026-11.png"]

    assert main(args) == 0
    second = capsys.readouterr().out
    assert second.count("skipped, unchanged") == 3 and "0 rendered" in second

    broken = months / "2026-12.yaml"
    good = (months / "2026-11.yaml").read_text(encoding="utf-8")
    assert "value: 92.2," in good
    broken.write_text(good.replace("value: 92.2,", "value: [92.2],"), encoding="utf-8")
    line = 1 + good[: good.index("value: 92.2,")].count("\n")
    assert main(["batch", *specs, str(broken), *opts]) == 2
    cap = capsys.readouterr()
    assert cap.out.count("skipped, unchanged") == 3
    assert f"{broken}:{line}:" in cap.err  # the bad value's own line in the month's file
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [i["status"] for i in report["items"]] == ["skipped", "skipped", "skipped", "failed"]


# --------------------------------------------------------------------------- template rows
def test_pledge_cards_one_per_row(tmp_path: Path) -> None:
    out = tmp_path / "cards"
    report = render_rows("pledge-card", EXAMPLES / "pledges.csv", out, jobs=2, width=540)
    assert statuses(report) == [RENDERED] * 4, report.summary()
    names = [p.name for p in sorted(out.glob("*.png"))]
    assert names == [f"pledge-card-{i:03d}.png" for i in range(1, 5)]
    assert report.items[0].input.endswith("pledges.csv:2")
    again = render_rows("pledge-card", EXAMPLES / "pledges.csv", out, jobs=2, width=540)
    assert statuses(again) == [SKIPPED] * 4


def test_row_names_stay_inside_the_folder(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "name,role,pledge,portrait,org\n"
        "../../x,书记,承诺一,,组织部\n"
        "/etc/passwd,主任,承诺二,,组织部\n"
        "..,委员,承诺三,,组织部\n"
        "张三,委员,承诺四,,组织部\n"
        "张三,委员,承诺五,,组织部\n",
        encoding="utf-8",
    )
    out = tmp_path / "deep" / "out"
    report = render_rows("pledge-card", rows, out, name_column="name", jobs=2, width=540)
    assert statuses(report) == [RENDERED] * 5, report.summary()
    made = sorted(p.name for p in out.iterdir() if p.suffix == ".png")
    assert made == sorted(["x.png", "etc_passwd.png", "pledge-card-003.png", "张三.png", "张三-2.png"])
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "deep" / "x.png").exists()
    for item in report.items:
        assert Path(item.outputs[0]["path"]).resolve().parent == out.resolve()


def test_row_errors_name_row_and_template_line(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("name,role,pledge,portrait,org\n张三,书记,承诺,missing.png,组织部\n王五,主任,,,组织部\n",
                    encoding="utf-8")
    report = render_rows("pledge-card", rows, tmp_path / "out", jobs=1, width=540)
    assert statuses(report) == [FAILED, FAILED]
    assert report.items[0].input == f"{rows}:2"
    assert "blocks[1].image: file not found" in report.items[0].error
    assert "pledge-card.yaml:" in report.items[1].error and "blocks[1].text" in report.items[1].error


def test_rows_unknown_name_column_and_template(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="not a column"):
        render_rows("pledge-card", EXAMPLES / "pledges.csv", tmp_path, name_column="姓名")
    with pytest.raises(SpecError, match="did you mean 'pledge-card'"):
        render_rows("pledge-cards", EXAMPLES / "pledges.csv", tmp_path)


# --------------------------------------------------------------------------- Dask
@pytest.mark.dask
def test_render_many_on_a_dask_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    specs = [tiny(tmp_path, n) for n in range(2)]
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        report = render_many([*specs, broken], tmp_path / "out", executor=client.get_executor(pure=False))
    assert statuses(report) == [RENDERED, RENDERED, FAILED]
    assert "broken.yaml:7:5" in report.items[2].error
    assert (tmp_path / "out" / "tiny-0.png").is_file() and (tmp_path / "out" / "report.json").is_file()


def test_worker_function_and_jobs_pickle(tmp_path: Path) -> None:
    import pickle

    job = batch.spec_jobs([tiny(tmp_path, 1)], tmp_path / "out", width=540)[0]
    fn, copy = pickle.loads(pickle.dumps((batch.render_job, job)))
    assert fn is batch.render_job and copy == job
    result = fn(copy)
    assert pickle.loads(pickle.dumps(result)) == result and result.status == RENDERED
