"""Findings of the wave-4 adversarial pass (hostile inputs through every path), one test each.

The corpus and its harness live outside the repository (notes/wave4/hostile); each test
here failed before its fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

import tushuo
from tushuo.errors import SpecError


def test_a_huge_int_from_python_is_bad_input_with_its_path() -> None:
    """str() of an int past 4,300 digits raises ValueError: the message itself crashed."""
    with pytest.raises(SpecError) as err:
        tushuo.load({"title": "x", "blocks": [{"type": "spacer", "height": 16 ** 5000}]})
    assert str(err.value) == "blocks[0].height: expected a number, got a number of about 6,021 digits"


def _photo_spec(d: Path) -> Path:
    Image.new("RGB", (40, 30), (0, 160, 60)).save(d / "photo.png")
    spec = d / "photo.yaml"
    spec.write_text("title: 照片\nblocks:\n  - {type: image, src: photo.png}\n", encoding="utf-8")
    return spec


@pytest.mark.parametrize("argv", [
    ["render", "photo.yaml"],  # the default output, beside the spec: photo.png
    ["render", "photo.yaml", "-o", "./photo.png", "--describe"],
    ["render", "photo.yaml", "-o", "link.png"],  # a symlink to it
    ["batch", "photo.yaml", "-o", "."],
])
def test_an_output_never_replaces_a_file_the_spec_reads(argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """``render photo.yaml`` wrote photo.png over the photo it shows (the user's picture was gone)."""
    from tushuo.cli import main

    _photo_spec(tmp_path)
    (tmp_path / "link.png").symlink_to("photo.png")
    before = (tmp_path / "photo.png").read_bytes()
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert ("photo.yaml:3:24: blocks[0].src: the output " in err
            and "is the picture this spec reads: writing it would replace it" in err), err
    assert (tmp_path / "photo.png").read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if ".part" in p.name or p.suffix == ".md"]


def test_the_library_and_the_editor_keep_the_pictures_too(tmp_path: Path) -> None:
    spec = _photo_spec(tmp_path)
    before = (tmp_path / "photo.png").read_bytes()
    doc = tushuo.load(spec)
    with pytest.raises(SpecError, match="is the picture this spec reads"):
        tushuo.render(doc, tmp_path / "photo.png")
    with pytest.raises(SpecError, match="is the picture this spec reads"):
        tushuo.render(doc, tmp_path / "photo.png", describe=True)
    assert (tmp_path / "photo.png").read_bytes() == before
    assert tushuo.render(doc, tmp_path / "other.png") == [tmp_path / "other.png"]  # any other name is fine


def test_python_m_never_imports_code_from_the_spec_folder(tmp_path: Path) -> None:
    """``python -m tushuo`` (the README's command) ran reportlab_settings.py from the working
    folder on a PDF render, and an openpyxl.py there on a workbook (ImportError, exit 1)."""
    import os
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    for name in ("reportlab_settings.py", "openpyxl.py"):
        (tmp_path / name).write_text(f"open({str(tmp_path / (name + '.ran'))!r}, 'w').close()\n", encoding="utf-8")
    shutil.copy(root / "examples" / "data" / "换届进展.xlsx", tmp_path / "w.xlsx")
    (tmp_path / "w.yaml").write_text("title: 表\nblocks:\n  - {type: table, data_file: w.xlsx, sheet: 2}\n",
                                     encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(root)}
    for args in (["w.yaml", "-o", "w.pdf"], ["w.yaml", "-o", "w.png"]):
        r = subprocess.run([sys.executable, "-m", "tushuo", "render", *args], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.glob("*.ran")) == []


def test_a_long_title_is_cut_for_the_pdf_header_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 19,000-character title took a PDF render past 60 s: the header's ellipsis cut measured
    the title again after each character it dropped (6,000 characters: 18 M advances, 65 s)."""
    from tushuo.inputs import make_context
    from tushuo.layout import furniture
    from tushuo.text.fonts import FontBook

    ctx = make_context(tushuo.load({"title": "标题", "blocks": [{"type": "paragraph", "text": "字"}]}))
    slow = "长征" * 150 + "，"
    cut = slow
    while cut and ctx.fonts.measure(cut + "…", 30, "sans") > 500:  # the old loop, as the reference
        cut = cut[:-1]
    assert furniture._fit(ctx, slow, 500, 30, "sans") == cut.rstrip() + "…"
    calls = [0]
    advance = FontBook.advance

    def counted(self, ch, size, key="sans"):
        calls[0] += 1
        return advance(self, ch, size, key)

    monkeypatch.setattr(FontBook, "advance", counted)
    text = "长" * 6000
    assert furniture._fit(ctx, text, 500, 30, "sans").endswith("…")
    assert calls[0] < 3 * len(text)


def _book(build) -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    ws.append(["名", "值"])
    ws.append(["甲", 1])
    build(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_stray_far_cell_stops_the_read_with_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    """One value at XFD1048576 made the used area 17 billion cells: the read never ended."""
    from tushuo import workbook

    monkeypatch.setattr(workbook, "MAX_VISITED", 10_000, raising=False)
    raw = _book(lambda ws: ws.cell(row=2_000, column=10, value=5))  # 20,000 cells to look through
    with pytest.raises(SpecError, match=r"sheet 表 is too large to look through: more than 10,000 cells by row \d+"):
        workbook.read_sheet(raw, "w.xlsx")
    assert workbook.read_sheet(raw, "w.xlsx", cells="A1:B2").header_texts() == ["名", "值"]


def test_values_far_apart_do_not_make_a_grid_of_everything_between() -> None:
    from tushuo import workbook

    raw = _book(lambda ws: ws.cell(row=1_000, column=101, value=5))
    with pytest.raises(SpecError, match=r"the table would span A1:CW1000, 101,000 cells \(at most 100,000\)"):
        workbook.read_sheet(raw, "w.xlsx")


def test_a_sheet_whose_xml_breaks_while_read_is_a_damaged_workbook() -> None:
    """openpyxl's read-only sheets parse as they are read: the ParseError escaped (exit 1)."""
    import io
    import zipfile

    from tushuo import workbook

    src = zipfile.ZipFile(io.BytesIO(_book(lambda ws: None)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"&undefined;</sheetData>")
            z.writestr(item, data)
    with pytest.raises(SpecError, match=r"w.xlsx: damaged workbook \(ParseError: undefined entity"):
        workbook.read_sheet(out.getvalue(), "w.xlsx")


def test_a_table_of_more_columns_than_can_be_read_is_refused_at_its_source(tmp_path: Path) -> None:
    """A CSV of 50,000 columns (100,000 values, within the cell budget) took the layout past a minute."""
    header = ",".join(f"c{i}" for i in range(31))
    (tmp_path / "wide.csv").write_text(header + "\n" + ",".join("1" * 31) + "\n", encoding="utf-8")
    (tmp_path / "t.yaml").write_text("title: 表\nblocks:\n  - {type: table, data_file: wide.csv}\n", encoding="utf-8")
    with pytest.raises(SpecError) as err:
        tushuo.load(tmp_path / "t.yaml")
    assert str(err.value).endswith("t.yaml:3:30: blocks[0].data_file: wide.csv:1:31: 31 columns are too many for "
                                   "a table: at most 30; show the columns that matter (range: A1:F20 for a workbook)")
    inline = {"title": "表", "blocks": [{"type": "table", "header": [f"列{i}" for i in range(31)],
                                        "rows": [[str(i) for i in range(31)]]}]}
    with pytest.raises(SpecError, match=r"blocks\[0\].header: 31 columns are too many for a table: at most 30"):
        tushuo.load(inline)
    inline["blocks"][0]["header"] = inline["blocks"][0]["header"][:30]
    inline["blocks"][0]["rows"] = [[str(i) for i in range(30)]]
    assert tushuo.load(inline).blocks[0].header[-1] == "列29"


def test_an_output_that_is_a_device_or_a_pipe_is_refused_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The temporary was renamed over the node: ``tushuo schema -o /dev/full`` as root left
    /dev/full a 63 KB JSON file (this pass broke the machine's /dev/full that way)."""
    import os
    import stat

    from tushuo.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text("title: 好\nblocks:\n  - {type: paragraph, text: 正文}\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.png")
    nodes = {"pipe.png": stat.S_ISFIFO}
    if os.geteuid() == 0:  # a copy of /dev/null's node (char 1, 3), made only where that is allowed
        os.mknod(tmp_path / "null.json", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        nodes["null.json"] = stat.S_ISCHR
    for argv in (["render", "a.yaml", "-o", "pipe.png"], ["render", "a.yaml", "-o", "pipe.png", "--describe"],
                 ["schema", "-o", "null.json"] if "null.json" in nodes else ["schema", "-o", "pipe.png"]):
        assert main(argv) == 2
        assert "it is a device or a pipe, not a file" in capsys.readouterr().err
    for name, kind in nodes.items():
        assert kind(os.lstat(tmp_path / name).st_mode), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.yaml", *nodes])


def test_new_never_copies_a_template_picture_through_a_symlink_out(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """``tushuo new pledge-card`` (and the editor's "new from template") copied the sample's
    portrait into ``portraits/``, a symlink out of the folder: the editor wrote outside its folder."""
    from tushuo.cli import main

    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "portraits").symlink_to("../elsewhere")
    assert main(["new", "pledge-card", "-o", str(tmp_path / "specs" / "card.yaml")]) == 2
    assert "portraits leads out of" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "specs").iterdir()) == ["portraits"]  # no spec half made
    assert list((tmp_path / "elsewhere").iterdir()) == []
    (tmp_path / "specs" / "portraits").unlink()
    (tmp_path / "specs" / "portraits").mkdir()
    (tmp_path / "specs" / "portraits" / "zhang-wei.png").symlink_to("../../elsewhere/victim.png")  # dangling
    assert main(["new", "pledge-card", "-o", str(tmp_path / "specs" / "card.yaml")]) == 0
    assert list((tmp_path / "elsewhere").iterdir()) == []  # the link is kept, nothing written through it


def test_check_of_a_folder_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """check said "no such spec file" for a folder that exists; render says it is a folder."""
    from tushuo.cli import main

    assert main(["check", str(tmp_path)]) == 2
    assert f"{tmp_path}: is a folder, not a spec file" in capsys.readouterr().err


def test_python_data_nested_past_the_depth_limit_is_bad_input() -> None:
    """tushuo.load() of a dict 3,000 levels deep raised RecursionError (a file is refused at 64)."""
    deep: object = 1
    for _ in range(3_000):
        deep = {"a": deep}
    spec = {"title": "t", "meta": deep, "blocks": [{"type": "paragraph", "text": "x"}]}
    with pytest.raises(SpecError, match="spec too large: nested more than 64 levels deep"):
        tushuo.load(spec)
    with pytest.raises(SpecError, match="spec too large: nested more than 64 levels deep"):
        tushuo.load({"title": "{{x}}", "blocks": [{"type": "paragraph", "text": "x"}]}, data={"x": [deep]})


def test_a_page_carries_only_the_shapes_near_its_band() -> None:
    """Every page of a long table drew every row's rules and fills (clipped away): quadratic in
    rows (2,000 rows: 119 pages, 120 s, 5.6 MB; now 8.7 s and 126 KB for 1,000 rows)."""
    from tushuo.frame import Group, Rect
    from tushuo.layout.pages import _only_band

    rows = Group(tuple(Rect(0, 10 * i, 100, 10, fill="#eeeeee") for i in range(1_000)))
    kept = _only_band(rows, (5_000, 5_500))
    assert isinstance(kept, Group)
    near = [r for r in rows.ops if r.y + r.h > 5_000 - 64 and r.y < 5_500 + 64]
    assert list(kept.ops) == near and all(a is b for a, b in zip(kept.ops, near))
    assert _only_band(rows, (0, 20_000)) is rows  # a band holding everything keeps the very group
