"""Property (issue #14): whatever a file field holds, no command opens a file outside the spec's folder.

Random values for the fields that name files (``src``, ``image``, ``data_file``, ``theme``,
``extends``, a theme's ``font_files``): ``..`` paths, absolute paths, a symlink out of the
folder, NUL bytes, very long names, ``~``, URLs, and mixtures. Each spec goes through
``check``, ``render``, ``batch`` and the watch/batch fingerprint (``deps.dependencies``)
under the audit-hook trace of tests/guard.py: every command answers (exit 0 or 2, never
1), nothing under the sibling ``outside`` folder or ``/etc`` is opened, no program runs.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from guard import traced
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from tushuo.cli import main
from tushuo.deps import dependencies


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("property")
    work, outside = root / "work", root / "outside"
    work.mkdir()
    outside.mkdir()
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(buf, "PNG")
    for d in (work, outside):
        (d / "photo.png").write_bytes(buf.getvalue())
        (d / "data.csv").write_text("月份,数量\n一月,1\n二月,2\n", encoding="utf-8")
        (d / "theme.yaml").write_text("name: t\n", encoding="utf-8")
        (d / "base.yaml").write_text("title: 模板\nblocks: [{type: divider}]\n", encoding="utf-8")
    (outside / "font.ttf").write_bytes(b"\0\1\0\0" + b"\0" * 64)
    for name in ("photo.png", "data.csv", "theme.yaml", "base.yaml", "font.ttf"):
        (work / f"link-{name}").symlink_to(outside / name)
    return work, outside


def _refs(outside: Path) -> st.SearchStrategy[str]:
    names = ["photo.png", "data.csv", "theme.yaml", "base.yaml", "font.ttf"]
    parts = st.sampled_from(["..", ".", "outside", "work", "~", "", "link-", "\0", "长" * 300, "%2e%2e", "//"])
    return st.one_of(
        st.sampled_from(names),
        st.sampled_from([f"../outside/{n}" for n in names]),
        st.sampled_from([str(outside / n) for n in names]),
        st.sampled_from([f"link-{n}" for n in names]),
        st.sampled_from(["/etc/passwd", "~/.bashrc", "file:///etc/passwd", "../../../../etc/passwd",
                         "photo.png\0../../etc/passwd", "x" * 5000, "./../work/../outside/photo.png"]),
        st.lists(parts, min_size=1, max_size=6).map("/".join).flatmap(
            lambda head: st.sampled_from(names).map(lambda n: f"{head}/{n}")),
        st.text(max_size=40),
    )


def _spec(field: str, ref: str) -> str:
    q = json.dumps(ref)  # a YAML double-quoted scalar (JSON escapes are valid YAML)
    if field == "src":
        return f"title: t\nblocks:\n  - {{type: image, src: {q}}}\n"
    if field == "data_file":
        return f"title: t\nblocks:\n  - {{type: chart, kind: bar, data_file: {q}}}\n"
    if field == "theme":
        return f"title: t\ntheme: {q}\nblocks: [{{type: divider}}]\n"
    if field == "extends":
        return f"extends: {q}\ntitle: t\n"
    return f"title: t\ntheme: {{name: x, font_files: {{f: {q}}}, fonts: {{body: f}}}}\nblocks: [{{type: divider}}]\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), field=st.sampled_from(["src", "data_file", "theme", "extends", "font_files"]))
def test_no_command_opens_anything_outside_the_folder(
    world: tuple[Path, Path], field: str, data: st.DataObject, capsys: pytest.CaptureFixture[str]
) -> None:
    work, outside = world
    ref = data.draw(_refs(outside))
    spec = work / "s.yaml"
    spec.write_text(_spec(field, ref), encoding="utf-8", errors="surrogatepass")
    old = os.getcwd()
    os.chdir(work)
    try:
        with traced() as t:
            codes = [
                main(["check", "s.yaml"]),
                main(["render", "s.yaml", "-o", "out/o.png"]),
                main(["batch", "s.yaml", "-o", "bout", "--jobs", "1", "--force"]),
            ]
            dependencies(spec)
    finally:
        os.chdir(old)
    capsys.readouterr()
    assert all(c in (0, 2) for c in codes), (field, ref, codes)
    assert t.opened_under(outside) == [], (field, ref)
    assert not [p for p in t.opens if p.startswith("/etc/passwd") or p.endswith(".bashrc")], (field, ref)
    assert t.programs == [], (field, ref)
