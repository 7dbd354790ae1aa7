"""Issue #14: every promise kept on every path, one test per finding of the adversarial probe.

Each test builds the hostile input in its own folder, runs the command in-process under
``guard.traced()`` (an audit hook) and asserts: exit 2 with a location (or a correct
render), nothing opened outside the folder, no external program, nothing deleted that
tushuo did not write. Costly reproductions run in a subprocess with a memory limit
(``RLIMIT_AS``) and a timeout, so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest
from PIL import Image

from guard import traced
from tushuo.cli import main

PS_PICTURE = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n{ } loop\n"


def _png(w: int = 8, h: int = 8, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    """(the spec's folder, a sibling folder holding a secret that must never be opened)."""
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    (outside / "secret.png").write_bytes(_png())
    (outside / "secret.yaml").write_text("title: secret\nblocks: [{type: divider}]\n", encoding="utf-8")
    return work, outside


def _fake_gs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``gs`` on PATH that leaves a mark if anyone runs it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    mark = tmp_path / "gs-ran"
    gs = bin_dir / "gs"
    gs.write_text(f"#!/bin/sh\ntouch {mark}\n", encoding="utf-8")
    gs.chmod(gs.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return mark


# --------------------------------------------------------------------------- 2: fingerprint paths
def test_f02_batch_and_watch_open_only_file_fields_inside_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Strings that are not file fields are text; file fields outside the folder are refused, never read."""
    from tushuo.deps import dependencies

    work, outside = _folders(tmp_path)
    (work / "photo.png").write_bytes(_png())
    spec = work / "s.yaml"
    spec.write_text(
        "title: 标题\nmeta: {author: ../outside/secret.png}\nblocks:\n"
        f"  - {{type: paragraph, text: ../outside/secret.png}}\n"
        f"  - {{type: paragraph, text: {outside / 'secret.yaml'}}}\n"
        "  - {type: paragraph, text: /etc/passwd}\n"
        "  - {type: image, src: photo.png}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(work)
    with traced() as t:
        deps = dependencies(spec)
        rc = main(["batch", str(spec), "-o", str(work / "out"), "--jobs", "1"])
    capsys.readouterr()
    assert rc == 0
    assert deps == sorted([spec.resolve(), (work / "photo.png").resolve(), *deps[2:]])
    assert all("outside" not in str(p) and str(p) != "/etc/passwd" for p in deps)
    assert t.opened_under(outside) == [] and "/etc/passwd" not in t.opens
    # A file field pointing out of the folder: refused by the render, never hashed.
    spec.write_text("title: t\nblocks:\n  - {type: image, src: ../outside/secret.png}\n", encoding="utf-8")
    with traced() as t:
        deps = dependencies(spec)
        rc = main(["batch", str(spec), "-o", str(work / "out2"), "--jobs", "1"])
    err = capsys.readouterr().err
    assert rc == 2 and "s.yaml:3:24: blocks[0].src: path leaves the spec's folder" in err
    assert t.opened_under(outside) == []
    assert [p.name for p in deps] == ["s.yaml"]


# --------------------------------------------------------------------------- 3: PostScript pictures
def test_f03_a_postscript_picture_is_refused_without_running_ghostscript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mark = _fake_gs(tmp_path, monkeypatch)
    work, _ = _folders(tmp_path)
    (work / "pic.png").write_bytes(PS_PICTURE)
    (work / "pic.eps").write_bytes(PS_PICTURE)
    (work / "s.yaml").write_text("title: t\nblocks:\n  - type: image\n    src: pic.png\n", encoding="utf-8")
    (work / "e.yaml").write_text("title: t\nblocks:\n  - type: image\n    src: pic.eps\n", encoding="utf-8")
    monkeypatch.chdir(work)
    for spec in ("s.yaml", "e.yaml"):
        with traced() as t:
            rc = main(["render", spec, "-o", "out/o.png"])
        err = capsys.readouterr().err
        assert rc == 2, err
        assert f"{spec}:4:10: blocks[0].src: not an image: pic." in err
        assert t.programs == [] and not mark.exists()
    assert not (work / "out" / "o.png").exists()


# --------------------------------------------------------------------------- 15: fixed temporary names
def test_f15_planted_symlinks_at_temporary_names_are_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    work, outside = _folders(tmp_path)
    victim = outside / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    monkeypatch.chdir(work)
    for name in (".schema.json.tmp", ".card.yaml.tmp", f".report.json.{os.getpid()}.tmp",
                 f".{'.tushuo-cache.json'}.{os.getpid()}.tmp"):
        (work / name).symlink_to(victim)
    (work / "b").mkdir()
    for name in (f".report.json.{os.getpid()}.tmp", f".{'.tushuo-cache.json'}.{os.getpid()}.tmp"):
        (work / "b" / name).symlink_to(victim)
    (work / "s.yaml").write_text("title: t\nblocks: [{type: divider}]\n", encoding="utf-8")
    assert main(["schema", "-o", "schema.json"]) == 0
    assert main(["new", "pledge-card", "-o", "card.yaml"]) == 0
    assert main(["batch", "s.yaml", "-o", "b", "--jobs", "1"]) == 0
    capsys.readouterr()
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert json.loads((work / "schema.json").read_text(encoding="utf-8"))["type"] == "object"
    assert (work / "card.yaml").read_text(encoding="utf-8").startswith("#")
    assert json.loads((work / "b" / "report.json").read_text(encoding="utf-8"))["counts"]["rendered"] == 1
    assert not [p for p in (work / "b").iterdir() if ".part" in p.name]


def test_gate_refuses_pipes_and_oversized_files_before_reading(tmp_path: Path) -> None:
    from tushuo.assets import MAX_BYTES, gate_read, read_file
    from tushuo.errors import SpecError

    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(SpecError, match=r"^not a regular file: pipe.csv \(a pipe or a device\)"):
        gate_read("pipe.csv", tmp_path, "data")
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(MAX_BYTES["theme"] + 1)
    with pytest.raises(SpecError, match=r"big.yaml: file too large: 1,048,577 bytes \(a theme file may be at most 1 MB\)"):
        read_file(big, "theme", label="big.yaml")
    for ref, why in (("a\0b.png", "NUL"), ("x" * 5000 + ".png", "file name too long")):
        with pytest.raises(SpecError, match=why):
            gate_read(ref, tmp_path, "picture")
    assert sys.platform != "win32"
