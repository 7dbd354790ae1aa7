"""The tushuo command line: every command, exit codes, located messages, no tracebacks, no partial files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from samples import TYPO_SPEC as BAD

import tushuo
from tushuo.cli import main
from tushuo.spec import BLOCK_TYPES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

SEVEN = [
    "election-handbook", "station-comparison", "monthly-digest", "progress-bulletin",
    "programme-picks", "pledge-card", "qr-standee",
]

TINY = """\
title: 小样
width: 540
blocks:
  - type: heading
    text: 换届选举须知
  - type: paragraph
    text: 选举日前20日公布选民名单，**逐户**核对。
"""

SLOTTED = """\
title: "{{name}}的承诺"
width: 540
blocks:
  - type: paragraph
    text: "{{pledge}}"
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    p = tmp_path / "handbook.yaml"
    p.write_text(TINY, encoding="utf-8")
    return p


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(BAD, encoding="utf-8")
    return p


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- help and usage
def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for cmd in ("render", "batch", "check", "schema", "templates", "new", "watch"):
        assert cmd in out
    assert "examples:" in out and "Exit codes" in out


@pytest.mark.parametrize("cmd", ["render", "batch", "check", "schema", "templates", "new", "watch"])
def test_every_command_has_help_with_examples(cmd: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([cmd, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"usage: tushuo {cmd}" in out
    assert "example" in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["render"]) == 2
    assert "SPEC" in capsys.readouterr().err
    assert main(["frobnicate"]) == 2
    assert main(["render", "x.yaml", "--quality", "0"]) == 2
    assert "not within 1–100" in capsys.readouterr().err
    assert main(["render", "x.yaml", "--format", "gif"]) == 2
    assert main(["batch", "a.yaml"]) == 2  # -o DIR is required


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert tushuo.__version__ in capsys.readouterr().out


# --------------------------------------------------------------------------- render
def test_render_default_output_beside_spec(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(spec)]) == 0
    out = spec.with_suffix(".png")
    assert out.is_file()
    with Image.open(out) as im:
        assert im.width == 540
        height = im.height
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and f"540×{height} px" in printed and "KB" in printed


def test_render_format_and_options(spec: Path, tmp_path: Path) -> None:
    assert main(["render", str(spec), "--format", "jpeg", "--quality", "70"]) == 0
    jpg = spec.with_suffix(".jpg")
    assert jpg.read_bytes()[:3] == b"\xff\xd8\xff"
    out = tmp_path / "deep" / "er" / "small.webp"
    assert main(["render", str(spec), "-o", str(out), "--width", "400", "--theme", "gov-blue"]) == 0
    with Image.open(out) as im:
        assert im.format == "WEBP" and im.width == 400
    assert main(["render", str(spec), "--format", "pdf"]) == 0
    assert spec.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"
    assert main(["render", str(spec), "--format", "svg"]) == 0
    assert b"<svg" in spec.with_suffix(".svg").read_bytes()[:400]


def test_render_slices_into_folder(spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec.write_text(TINY + "".join(f"  - {{type: paragraph, text: 第{i}段，内容较长用来切片。}}\n" for i in range(12)),
                    encoding="utf-8")
    out = tmp_path / "slices"
    assert main(["render", str(spec), "-o", f"{out}/", "--slice-height", "400"]) == 0
    made = sorted(out.glob("*.png"))
    assert len(made) >= 2
    for p in made:
        with Image.open(p) as im:
            assert im.height <= 400
    assert capsys.readouterr().out.count("wrote ") == len(made)


def test_render_data_fills_slots(tmp_path: Path) -> None:
    spec = tmp_path / "card.yaml"
    spec.write_text(SLOTTED, encoding="utf-8")
    data = tmp_path / "data.yaml"
    data.write_text("name: 张伟\npledge: 每周走访困难群众不少于10户。\n", encoding="utf-8")
    assert main(["render", str(spec), "--data", str(data)]) == 0
    assert spec.with_suffix(".png").is_file()


def test_render_missing_slot_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "card.yaml"
    spec.write_text(SLOTTED, encoding="utf-8")
    data = tmp_path / "data.yaml"
    data.write_text("name: 张伟\n", encoding="utf-8")
    assert main(["render", str(spec), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "card.yaml:5:11" in err and "{{pledge}}" in err
    assert not spec.with_suffix(".png").exists()


def test_bad_spec_located_message_no_traceback_no_output(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}:6:5: blocks[1].text: field required\n")
    assert f"{bad}:7:5: blocks[1].txet: unknown field 'txet'" in err
    assert "Traceback" not in err
    assert not bad.with_suffix(".png").exists()


def test_failed_render_leaves_no_partial_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Loads fine, fails while laying out (a character no bundled font has).
    spec = tmp_path / "glyph.yaml"
    spec.write_text("title: 字\nwidth: 540\nblocks:\n  - {type: paragraph, text: \"缺字\U000F0001\"}\n",
                    encoding="utf-8")
    out = tmp_path / "out.png"
    assert main(["render", str(spec), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "glyph.yaml:4" in err and "Traceback" not in err
    assert files(tmp_path) == ["glyph.yaml"]
    # ... and a failure does not clobber an earlier good output either.
    out.write_bytes(b"old")
    assert main(["render", str(spec), "-o", str(out)]) == 2
    assert out.read_bytes() == b"old"


def test_missing_spec_and_bad_output_suffix(spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: no such spec file" in capsys.readouterr().err
    assert main(["render", str(spec), "-o", str(tmp_path / "x.gif")]) == 2
    assert "suffix" in capsys.readouterr().err
    assert main(["render", str(spec), "-o", str(tmp_path / "x.png"), "--format", "pdf"]) == 2
    assert not (tmp_path / "x.png").exists()


def test_internal_error_exit_1_short_message(spec: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    output = sys.modules["tushuo.api"]

    def boom(*a: object, **k: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(output, "render", boom)
    monkeypatch.delenv("TUSHUO_DEBUG", raising=False)
    assert main(["render", str(spec)]) == 1
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: division by zero" in err
    assert "please report" in err and "Traceback" not in err
    assert main(["--debug", "render", str(spec)]) == 1
    assert "Traceback" in capsys.readouterr().err
    assert main(["render", str(spec), "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err
    monkeypatch.setenv("TUSHUO_DEBUG", "1")
    assert main(["render", str(spec)]) == 1
    assert "Traceback" in capsys.readouterr().err


# --------------------------------------------------------------------------- check
def test_check(spec: Path, bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(spec)]) == 0
    assert f"ok  {spec}" in capsys.readouterr().out
    assert main(["check", str(spec), str(bad)]) == 2
    cap = capsys.readouterr()
    assert f"{bad}:7:5: blocks[1].txet: unknown field" in cap.err
    assert f"ok  {spec}" in cap.out and "Traceback" not in cap.err
    assert not spec.with_suffix(".png").exists()  # check writes nothing


def test_check_finds_layout_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "img.yaml"
    p.write_text("title: 图\nblocks:\n  - {type: paragraph, text: \"缺字\U000F0001\"}\n", encoding="utf-8")
    assert main(["check", str(p)]) == 2
    assert "img.yaml:3" in capsys.readouterr().err


# --------------------------------------------------------------------------- schema
def test_schema_is_json_with_every_block_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"title", "blocks", "extends", "data", "theme", "output"} <= set(schema["properties"])
    assert "base_dir" not in schema["properties"]
    defs = schema["$defs"]
    types = {d["properties"]["type"].get("const") for d in defs.values() if "type" in d.get("properties", {})}
    assert set(BLOCK_TYPES) <= types
    out = tmp_path / "docs" / "tushuo.schema.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == schema


def test_schema_validates_a_spec(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    main(["schema"])
    schema = json.loads(capsys.readouterr().out)
    import yaml

    jsonschema.validate(yaml.safe_load(TINY), schema)
    jsonschema.validate({"extends": "monthly-digest", "data": {"month": "11月"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(BAD), schema)


# --------------------------------------------------------------------------- templates and new
def test_templates_lists_all_seven(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip() and not line.startswith("start")}
    assert set(SEVEN) <= set(lines)
    for name in SEVEN:
        assert len(lines[name].split(None, 1)[1]) > 8  # a real description


def test_new_writes_a_spec_that_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "承诺卡.yaml"
    assert main(["new", "pledge-card", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "extends: pledge-card" in text and "data:" in text
    assert (tmp_path / "portraits" / "zhang-wei.png").is_file()  # the sample's picture came along
    capsys.readouterr()
    assert main(["render", str(out), "--width", "540"]) == 0
    assert out.with_suffix(".png").is_file()
    # Not over an existing file without --force.
    assert main(["new", "pledge-card", "-o", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["new", "pledge-card", "-o", str(out), "--force"]) == 0


def test_new_unknown_template_suggests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "pledge-crad", "-o", str(tmp_path / "x.yaml")]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'pledge-card'" in err
    assert not (tmp_path / "x.yaml").exists()


# --------------------------------------------------------------------------- batch (CLI side)
def test_batch_cli_summary_and_exit_codes(tmp_path: Path, bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    specs = []
    for i in range(3):
        p = tmp_path / f"s{i}.yaml"
        p.write_text(TINY.replace("小样", f"小样{i}"), encoding="utf-8")
        specs.append(str(p))
    out = tmp_path / "out"
    assert main(["batch", *specs, "-o", str(out), "--jobs", "2"]) == 0
    text = capsys.readouterr().out
    assert text.count("rendered  ") == 3 and "3 inputs: 3 rendered" in text
    assert main(["batch", *specs, "-o", str(out), "--jobs", "2"]) == 0
    text = capsys.readouterr().out
    assert text.count("skipped, unchanged") == 3
    assert main(["batch", *specs, str(bad), "-o", str(out), "--jobs", "2"]) == 2
    cap = capsys.readouterr()
    assert f"{bad}:7:5: blocks[1].txet" in cap.err and "Traceback" not in cap.err
    assert "3 skipped" in cap.out and "1 failed" in cap.out
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [i["status"] for i in report["items"]] == ["skipped"] * 3 + ["failed"]


def test_batch_cli_usage(tmp_path: Path, spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "o")
    assert main(["batch", "-o", out]) == 2
    assert "nothing to render" in capsys.readouterr().err
    assert main(["batch", str(spec), "--template", "pledge-card", "--data", "x.csv", "-o", out]) == 2
    assert main(["batch", "--template", "pledge-card", "-o", out]) == 2
    assert "--data" in capsys.readouterr().err
    assert main(["batch", str(spec), "--name-column", "name", "-o", out]) == 2
    assert main(["batch", str(tmp_path / "nope.yaml"), "-o", out]) == 2
    assert "no such spec file" in capsys.readouterr().err


def test_batch_template_rows_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cards"
    code = main(["batch", "--template", "pledge-card", "--data", str(EXAMPLES / "pledges.csv"),
                 "-o", str(out), "--name-column", "name", "--width", "540", "--jobs", "2"])
    assert code == 0, capsys.readouterr()
    assert sorted(p.name for p in out.glob("*.png")) == sorted(["张伟.png", "李芳.png", "王军.png", "陈静.png"])


# --------------------------------------------------------------------------- watch
def test_watch_rerenders_on_save(spec: Path, tmp_path: Path) -> None:
    from tushuo.watch import watch

    out = tmp_path / "preview.png"
    said: list[str] = []
    errors: list[str] = []
    stop = threading.Event()
    result: list[int] = []

    def run() -> None:
        result.append(watch(spec, str(out), stop_event=stop, say=said.append, err=errors.append,
                            debounce_ms=50))

    t = threading.Thread(target=run, daemon=True)
    t.start()

    def wait_for(cond, save=None, timeout: float = 30.0) -> bool:
        """Poll ``cond``; ``save`` is repeated every second (the watcher may start after the first)."""
        end = time.monotonic() + timeout
        next_save = 0.0
        while time.monotonic() < end:
            if save is not None and time.monotonic() >= next_save:
                save()
                next_save = time.monotonic() + 1.0
            if cond():
                return True
            time.sleep(0.05)
        return False

    try:
        assert wait_for(lambda: out.is_file() and any("watching" in s for s in said))
        with Image.open(out) as im:
            first_height = im.height
        # A broken save: the error is printed, watching goes on, the last good picture stays.
        assert wait_for(lambda: bool(errors), save=lambda: spec.write_text(BAD, encoding="utf-8"))
        assert "bad" not in errors[0] and ":7:5: blocks[1].txet" in errors[0]
        assert out.is_file()
        # A good save with more content: re-rendered, taller.
        longer = TINY + "  - {type: paragraph, text: 新增的一段话，让图片变高。}\n" * 3

        def taller() -> bool:
            try:
                with Image.open(out) as im:
                    return im.height > first_height
            except OSError:
                return False

        assert wait_for(taller, save=lambda: spec.write_text(longer, encoding="utf-8"))
    finally:
        stop.set()
        t.join(timeout=10)
    assert not t.is_alive() and result == [0]


def test_watch_max_renders_returns(spec: Path, tmp_path: Path) -> None:
    from tushuo.watch import watch

    said: list[str] = []
    assert watch(spec, str(tmp_path / "o.png"), max_renders=1, say=said.append, err=said.append) == 0
    assert (tmp_path / "o.png").is_file() and said[0].split("] ", 1)[1].startswith("wrote ")


# --------------------------------------------------------------------------- as a program
def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TUSHUO_DEBUG="")
    return subprocess.run([sys.executable, "-m", "tushuo", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_python_m_tushuo_render_and_bad_spec(spec: Path, bad: Path) -> None:
    ok = _run("render", spec.name, cwd=spec.parent)
    assert ok.returncode == 0, ok.stderr
    assert "wrote handbook.png" in ok.stdout
    fail = _run("render", bad.name, cwd=bad.parent)
    assert fail.returncode == 2
    assert fail.stderr.startswith("bad.yaml:6:5: blocks[1].text: field required")
    assert "bad.yaml:7:5: blocks[1].txet: unknown field 'txet'" in fail.stderr
    assert "Traceback" not in fail.stderr and fail.stdout == ""
    assert not (bad.parent / "bad.png").exists()


def test_batch_progress_bar_only_when_asked_or_on_a_terminal(tmp_path: Path, spec: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(spec), "-o", str(tmp_path / "a"), "--progress", "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "tushuo batch" in err and "1/1" in err
    assert main(["batch", str(spec), "-o", str(tmp_path / "b"), "--jobs", "1"]) == 0
    assert capsys.readouterr().err == ""  # stderr is not a terminal here: quiet


def test_batch_data_file_fills_every_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    specs = []
    for i in range(2):
        p = tmp_path / f"c{i}.yaml"
        p.write_text(SLOTTED, encoding="utf-8")
        specs.append(str(p))
    data = tmp_path / "data.yaml"
    data.write_text("name: 张伟\npledge: 承诺\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", *specs, "--data", str(data), "-o", str(out), "--jobs", "1"]) == 0
    assert main(["batch", *specs, "--data", str(data), "-o", str(out), "--jobs", "1"]) == 0
    assert capsys.readouterr().out.count("skipped, unchanged") == 2
    data.write_text("name: 李芳\npledge: 承诺\n", encoding="utf-8")  # new data: not unchanged
    assert main(["batch", *specs, "--data", str(data), "-o", str(out), "--jobs", "1"]) == 0
    assert capsys.readouterr().out.count("rendered  ") == 2


def test_unwritable_output_is_exit_2(spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["batch", str(spec), "-o", str(blocker)]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert main(["render", str(spec), "-o", str(blocker / "x.png")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_committed_schema_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/tushuo.schema.json (what editors read) has the models' fields and block types.

    Descriptions may lag; a new or renamed field may not. After changing a model run
    `python3 -m tushuo schema -o docs/tushuo.schema.json`.
    """

    def shape(schema: dict) -> dict:
        defs = {name: (sorted(d.get("properties", {})), sorted(d.get("required", [])))
                for name, d in schema["$defs"].items()}
        return {"top": sorted(schema["properties"]), "defs": defs}

    main(["schema"])
    current = json.loads(capsys.readouterr().out)
    committed = json.loads((ROOT / "docs" / "tushuo.schema.json").read_text(encoding="utf-8"))
    assert shape(committed) == shape(current), "run: python3 -m tushuo schema -o docs/tushuo.schema.json"


def test_render_max_bytes_page_size_and_missing_glyphs(spec: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    jpg = tmp_path / "small.jpg"
    assert main(["render", str(spec), "-o", str(jpg), "--width", "1080", "--max-bytes", "40000"]) == 0
    assert 0 < jpg.stat().st_size <= 40000
    pdf = tmp_path / "a5.pdf"
    assert main(["render", str(spec), "-o", str(pdf), "--page-size", "A5"]) == 0
    box = PdfReader(pdf).pages[0].mediabox
    assert abs(float(box.width) / 72 * 25.4 - 148) < 0.5 and abs(float(box.height) / 72 * 25.4 - 210) < 0.5
    glyph = tmp_path / "glyph.yaml"
    glyph.write_text("title: 字\nwidth: 540\nblocks:\n  - {type: paragraph, text: \"缺字\U000F0001\"}\n",
                     encoding="utf-8")
    assert main(["render", str(glyph)]) == 2
    assert main(["render", str(glyph), "--allow-missing-glyphs"]) == 0
    assert glyph.with_suffix(".png").is_file()


def test_watch_command_wiring(spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tushuo.watch

    calls: list[tuple] = []
    monkeypatch.setattr(tushuo.watch, "watch", lambda *a, **k: calls.append((a, k)) or 0)
    out = str(tmp_path / "p.png")
    assert main(["watch", str(spec), "-o", out, "--width", "750", "--theme", "ink"]) == 0
    assert calls == [((str(spec), out), {"data_file": None, "sheet": None, "width": 750, "theme": "ink"})]
    assert main(["watch", str(tmp_path / "nope.yaml")]) == 2


def test_console_entry_exits_with_mains_code_and_flushes(spec: Path, tmp_path: Path) -> None:
    """``tushuo`` (cli.run) ends the process right after main(): the exit code is main's, what
    was printed arrives, the picture is complete, and no exit-time teardown runs (the fast exit)."""
    code = ("import atexit, sys; atexit.register(lambda: sys.stderr.write('TEARDOWN')); "
            "from tushuo.cli import run; sys.argv = ['tushuo', *sys.argv[1:]]; run()")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "p.png"
    ok = subprocess.run([sys.executable, "-c", code, "render", str(spec), "-o", str(out)], env=env,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"wrote {out}") and "TEARDOWN" not in ok.stderr
    with Image.open(out) as im:
        im.load()  # the whole file is there
        assert f"{im.width}×{im.height} px" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    err = subprocess.run([sys.executable, "-c", code, "render", str(bad), "-o", str(tmp_path / "b.png")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert err.returncode == 2 and "bad.yaml:" in err.stderr and "TEARDOWN" not in err.stderr
    assert not (tmp_path / "b.png").exists()
