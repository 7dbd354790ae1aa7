"""`tushuo serve` over HTTP: the folder sandbox, conditional atomic saves, previews whose
problems read exactly like `tushuo check`, incremental re-layout, exports."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from serve_server import Running

ROOT = Path(__file__).resolve().parents[1]
HELLO = (ROOT / "examples" / "hello.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("specs")
    (folder / "hello.yaml").write_text(HELLO, encoding="utf-8")
    shutil.copy(ROOT / "examples" / "election-handbook.yaml", folder / "handbook.yaml")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.yml").write_text("title: b\nblocks:\n  - {type: heading, text: 乙}\n", encoding="utf-8")
    (folder.parent / "x.yaml").write_text("title: secret\nblocks: []\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a spec", encoding="utf-8")
    srv = Running(folder)
    yield srv
    srv.close()


def test_lists_specs_only(served):
    status, data = served.request("/api/files")
    assert status == 200
    assert data["files"] == ["handbook.yaml", "hello.yaml", "sub/b.yml"]
    assert "party-red" in data["themes"] and any(t["name"] == "pledge-card" for t in data["templates"])


@pytest.mark.parametrize("name, says", [
    ("../x.yaml", "path leaves the spec's folder: ../x.yaml"),
    ("/etc/passwd.yaml", "absolute path outside the spec's folder"),
    ("notes.txt", "not a spec file: notes.txt"),
    ("nothere.yaml", "file not found: nothere.yaml"),
])
def test_refuses_names_outside_the_folder(served, name, says):
    status, data = served.request(f"/api/file?name={name}")
    assert status == 400 and says in data["error"]
    status, data = served.request("/api/save", {"name": name, "text": "title: x", "version": None})
    assert status == 400
    assert (served.folder.parent / "x.yaml").read_text(encoding="utf-8").startswith("title: secret")
    status, data = served.request("/api/preview", {"name": name, "text": HELLO})
    assert status == 400


def test_cross_site_requests_are_refused(served):
    # a page elsewhere may POST text/plain without a preflight, or pretend another Host
    status, data = served.request("/api/save", {"name": "hello.yaml", "text": "", "version": None},
                                  headers={"Origin": "http://evil.example"})
    assert status == 403
    status, _ = served.request("/api/files", headers={"Host": "evil.example"})
    assert status == 400
    status, data = served.request("/api/save", {"name": "hello.yaml"}, headers={"Content-Type": "text/plain"})
    assert status == 400 and "application/json" in data["error"]
    assert (served.folder / "hello.yaml").read_text(encoding="utf-8") == HELLO


def test_save_is_conditional_and_atomic(served):
    status, f = served.request("/api/file?name=sub/b.yml")
    assert status == 200 and f["text"].startswith("title: b")
    status, saved = served.request("/api/save", {"name": "sub/b.yml", "text": f["text"] + "# one\n",
                                                 "version": f["version"]})
    assert status == 200 and saved["version"] != f["version"]
    # someone else edits the file; a save from the stale version is refused, nothing lost
    (served.folder / "sub" / "b.yml").write_text("title: theirs\nblocks: []\n", encoding="utf-8")
    status, data = served.request("/api/save", {"name": "sub/b.yml", "text": "title: mine\n",
                                                "version": saved["version"]})
    assert status == 409 and data["text"] == "title: theirs\nblocks: []\n"
    assert (served.folder / "sub" / "b.yml").read_text(encoding="utf-8") == "title: theirs\nblocks: []\n"
    status, _ = served.request("/api/save", {"name": "sub/b.yml", "text": "title: mine\n", "version": data["version"]})
    assert status == 200
    assert (served.folder / "sub" / "b.yml").read_text(encoding="utf-8") == "title: mine\n"
    assert not [p for p in (served.folder / "sub").iterdir() if p.name.startswith(".")]  # no temporaries left


def test_problems_read_like_the_cli(served):
    bad = HELLO.replace("  - type: paragraph\n", "  - type: paragraph\n    titel: 错字\n", 1)
    assert bad != HELLO
    status, data = served.request("/api/preview", {"name": "hello.yaml", "text": bad})
    assert status == 200 and data["tiles"] == []
    (served.folder / "typo.yaml").write_text(bad, encoding="utf-8")
    try:
        cli = subprocess.run([sys.executable, "-m", "tushuo", "check", "typo.yaml"], cwd=served.folder,
                             capture_output=True, text=True, env=_env(), check=False)
    finally:
        (served.folder / "typo.yaml").unlink()
    assert cli.returncode == 2
    want = [line.replace("typo.yaml", "hello.yaml", 1) for line in cli.stderr.splitlines()]
    assert [p["text"] for p in data["problems"]] == want
    line = bad.splitlines().index("    titel: 错字") + 1
    assert any(p["line"] == line and p["col"] == 5 and "titel" in p["message"] for p in data["problems"])


def test_check_warnings_read_like_the_cli_and_the_picture_still_shows(served):
    poor = ROOT / "tests" / "bad_inputs"
    shutil.copy(poor / "tiny.png", served.folder / "tiny.png")
    text = (poor / "poor-spec.yaml").read_text(encoding="utf-8")
    (served.folder / "poor.yaml").write_text(text, encoding="utf-8")
    try:
        status, data = served.request("/api/preview", {"name": "poor.yaml", "text": text})
        cli = subprocess.run([sys.executable, "-m", "tushuo", "check", "poor.yaml"], cwd=served.folder,
                             capture_output=True, text=True, env=_env(), check=False)
    finally:
        (served.folder / "poor.yaml").unlink()
        (served.folder / "tiny.png").unlink()
    assert status == 200 and cli.returncode == 2  # the characters no font has are errors, as in check
    assert [p["text"] for p in data["problems"]] == cli.stderr.splitlines()
    levels = {p["level"] for p in data["problems"]}
    assert levels == {"error", "warning"} and any(p["code"] == "contrast" for p in data["problems"])
    assert data["tiles"]  # laid out (missing glyphs drawn as boxes), so the preview is there


def test_preview_tiles_cover_the_picture_and_edits_repaint_only_their_block(served):
    text = (served.folder / "handbook.yaml").read_text(encoding="utf-8")
    status, first = served.request("/api/preview", {"name": "handbook.yaml", "text": text})
    assert status == 200 and first["problems"] == []
    rows = [(t["r0"], t["r1"]) for t in first["tiles"]]
    assert rows[0][0] == 0 and rows[-1][1] == round(first["height"] * first["scale"])
    assert all(a[1] == b[0] for a, b in itertools.pairwise(rows))  # no gap, no overlap
    status, png = served.request(f"/api/tile/{first['tiles'][0]['key']}")
    assert status == 200 and png[:8] == b"\x89PNG\r\n\x1a\n"
    memo = served.app.state.previews.memo
    misses = memo.misses
    edited = text.replace("title: 公布候选人名单", "title: 公布候选人名单！", 1)
    assert edited != text
    status, second = served.request("/api/preview", {"name": "handbook.yaml", "text": edited})
    # one steps block and the section around it are laid out again; everything else is reused
    assert memo.misses - misses == 2
    changed = [t for t in second["tiles"] if t["key"] not in {u["key"] for u in first["tiles"]}]
    assert 0 < second["painted"] == len(changed) < len(second["tiles"]) / 2
    # the step's box in the picture points at the step's line (its key is the step's id)
    line = edited.splitlines().index("          - id: announce") + 1
    boxes = [t for t in second["targets"] if t["line"] == line]
    assert len(boxes) == 1 and boxes[0]["w"] < second["width"] and boxes[0]["path"] == "blocks[3].blocks[1].items[2]"
    # the same text again paints nothing
    status, third = served.request("/api/preview", {"name": "handbook.yaml", "text": edited})
    assert third["painted"] == 0 and [t["key"] for t in third["tiles"]] == [t["key"] for t in second["tiles"]]


def test_incremental_preview_paints_the_same_pixels_as_a_fresh_render(served):
    import io

    from PIL import Image, ImageChops

    import tushuo
    from tushuo.paint.raster import paint
    from tushuo.pipeline import layout

    text = (served.folder / "handbook.yaml").read_text(encoding="utf-8")
    served.request("/api/preview", {"name": "handbook.yaml", "text": text})
    # a block title (same height: only the changed rows are painted again), then a step's text
    for old, new in [("title: 选举准备四步走", "title: 选举准备五步走"), ("desc: 按姓氏笔画为序", "desc: 按姓氏笔画为")]:
        assert old in text
        text = text.replace(old, new, 1)
        _, p = served.request("/api/preview", {"name": "handbook.yaml", "text": text})
        whole = Image.new("RGB", (round(p["width"] * p["scale"]), round(p["height"] * p["scale"])))
        for t in p["tiles"]:
            _, png = served.request(f"/api/tile/{t['key']}")
            whole.paste(Image.open(io.BytesIO(png)).convert("RGB"), (0, t["r0"]))
        doc = tushuo.load(text, file=served.folder / "handbook.yaml")
        frame, ctx = layout(doc)
        fresh = paint(frame, scale=p["scale"], fonts=ctx.fonts).convert("RGB")
        assert fresh.size == whole.size
        assert ImageChops.difference(fresh, whole).getbbox() is None, new
        assert 0 < p["painted"] <= 3  # a few 128-row tiles, not the block


def test_a_changed_picture_clears_the_laid_out_blocks(served):
    text = (served.folder / "hello.yaml").read_text(encoding="utf-8")
    served.request("/api/preview", {"name": "hello.yaml", "text": text})
    previews = served.app.state.previews
    assert len(previews.memo) > 0
    status, v = served.request("/api/version?name=hello.yaml")
    assert status == 200 and v["assets"] is False and len(previews.memo) > 0
    (served.folder / "photo.png").write_bytes(b"not yet a picture")
    try:
        status, v = served.request("/api/version?name=hello.yaml")
        assert v["assets"] is True and len(previews.memo) == 0
    finally:
        (served.folder / "photo.png").unlink()


def test_width_and_theme_switches(served):
    status, p = served.request("/api/preview", {"name": "hello.yaml", "text": HELLO, "width": 750, "theme": "gov-blue"})
    assert status == 200 and p["width"] == 750 and p["problems"] == []
    assert p["scale"] == round(540 / 750, 4)  # tiles stay about as wide as the pane
    status, q = served.request("/api/preview", {"name": "hello.yaml", "text": HELLO, "width": 750, "theme": "ink"})
    assert {t["key"] for t in q["tiles"]}.isdisjoint({t["key"] for t in p["tiles"]})  # other colours, other pixels
    status, bad = served.request("/api/preview", {"name": "hello.yaml", "text": HELLO, "theme": "no-such"})
    assert status == 200 and bad["tiles"] == [] and "no-such" in bad["problems"][0]["text"]


def test_export_writes_beside_the_spec(served):
    status, data = served.request("/api/export", {"name": "hello.yaml", "text": HELLO, "kind": "pdf"})
    assert status == 200 and data["written"] == ["hello.pdf"]
    assert (served.folder / "hello.pdf").read_bytes()[:5] == b"%PDF-"
    status, data = served.request("/api/export", {"name": "handbook.yaml", "kind": "slices",
                                                  "text": (served.folder / "handbook.yaml").read_text(encoding="utf-8")})
    assert len(data["written"]) > 2 and all(w.startswith("handbook-slices/") for w in data["written"])
    status, data = served.request("/api/export", {"name": "hello.yaml", "text": "title: x\n", "kind": "png"})
    assert "problems" in data and not (served.folder / "hello.png").exists()
    status, data = served.request("/api/export", {"name": "hello.yaml", "text": HELLO, "kind": "exe"})
    assert status == 400


def test_new_from_template(served):
    status, data = served.request("/api/new", {"name": "承诺卡", "template": "pledge-card"})
    assert status == 200 and data["name"] == "承诺卡.yaml" and "extends: pledge-card" in data["text"]
    status, again = served.request("/api/new", {"name": "承诺卡", "template": "pledge-card"})
    assert status == 400 and "承诺卡.yaml" in again["error"]
    status, _ = served.request("/api/new", {"name": "../out", "template": "pledge-card"})
    assert status == 400 and not (served.folder.parent / "out.yaml").exists()


def test_serve_command_without_a_folder_is_a_usage_error(tmp_path):
    r = subprocess.run([sys.executable, "-m", "tushuo", "serve", str(tmp_path / "none"), "--no-browser"],
                       capture_output=True, text=True, env=_env(), timeout=60, check=False)
    assert r.returncode == 2 and "not a folder" in r.stderr and "Traceback" not in r.stderr


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


# ---------------------------------------------------------------- hostile requests (wave 4 adversarial pass)
def test_a_chunked_body_past_the_limit_is_refused_while_it_arrives(monkeypatch):
    """A chunked body names no Content-Length: it was read whole (400 MB took the server to 1.25 GB)."""
    import asyncio
    import json

    from starlette.requests import Request

    import tushuo.serve.app as app
    from tushuo.errors import SpecError

    monkeypatch.setattr(app, "MAX_BODY", 1 << 20)
    body = json.dumps({"name": "hello.yaml", "text": "#" * (8 << 20)}).encode()
    parts = [body[i:i + 65536] for i in range(0, len(body), 65536)]
    sent = []

    async def receive():
        sent.append(1)
        return {"type": "http.request", "body": parts[len(sent) - 1], "more_body": len(sent) < len(parts)}

    scope = {"type": "http", "method": "POST", "path": "/api/preview", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")]}
    with pytest.raises(SpecError, match="request too large"):
        asyncio.run(app._json(Request(scope, receive)))
    assert len(sent) <= (1 << 20) // 65536 + 1  # stopped at the limit, not after 8 MB


def test_a_control_character_in_a_name_is_bad_input_not_a_crash(served):
    for name in ("x\u0000y", "a\nb.yaml"):
        status, data = served.request("/api/new", {"name": name, "template": "pledge-card"})
        assert status == 400 and "control character" in str(data)  # was 500 (ValueError: embedded null byte)
        status, data = served.request("/api/file?name=" + name.replace("\0", "%00").replace("\n", "%0A") + ".yaml")
        assert status == 400


def test_an_export_never_writes_through_a_symlink_out_of_the_folder(served, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (served.folder / "hello-slices").symlink_to(outside)
    try:
        status, data = served.request("/api/export", {"name": "hello.yaml", "text": HELLO, "kind": "slices"})
        assert status == 200 and "path leaves the folder: hello-slices" in data["problems"][0]["message"]
        assert list(outside.iterdir()) == []  # slices and their manifest were written here (then a 500)
    finally:
        (served.folder / "hello-slices").unlink()
