"""`tushuo serve` in a real browser: Debian's chromium driven by Playwright (never a downloaded
browser). Each step waits for a condition on the page (with a timeout), never for a time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("starlette")
sync_api = pytest.importorskip("playwright.sync_api")

from serve_server import CHROMIUM, Running, launch

ROOT = Path(__file__).resolve().parents[1]
WAIT = 30_000  # ms: generous for a loaded CI machine; every wait ends as soon as its condition holds

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("specs")
    shutil.copy(ROOT / "examples" / "hello.yaml", folder / "hello.yaml")
    shutil.copy(ROOT / "examples" / "election-handbook.yaml", folder / "handbook.yaml")
    (folder.parent / "x.yaml").write_text("title: 机密\nblocks: []\n", encoding="utf-8")
    srv = Running(folder)
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, served):
    pg = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(WAIT)
    yield pg
    pg.close()
    assert errors == []


def open_file(page, served, name: str) -> None:
    page.goto(f"{served.url}/#{name}")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_function("() => window.tushuo.state.preview && window.tushuo.state.shown > 0")


def select(page, line: int, col: int, length: int) -> None:
    """Select ``length`` characters from LINE:COL (1-based) in the editor, and focus it."""
    page.evaluate("""([line, col, length]) => {
        const v = window.tushuo.view, from = v.state.doc.line(line).from + col - 1;
        v.focus(); v.dispatch({selection: {anchor: from, head: from + length}});
    }""", [line, col, length])


def tile_keys(page) -> list[str]:
    return page.evaluate("() => window.tushuo.state.preview.tiles.map(t => t.key)")


def cursor_line(page) -> int:
    return page.evaluate("() => { const v = window.tushuo.view; return v.state.doc.lineAt(v.state.selection.main.head).number; }")


def test_misspelt_key_shows_the_cli_message_at_its_line_and_the_fix_updates_the_preview(page, served):
    open_file(page, served, "hello.yaml")
    before = tile_keys(page)
    lines = (served.folder / "hello.yaml").read_text(encoding="utf-8").splitlines()
    n = lines.index("    badge: 第11期") + 1
    select(page, n, 5, len("badge: 第11期"))
    page.keyboard.type("bagde: 第12期")
    problem = page.locator(".problem.error").first
    problem.wait_for()
    # exactly what `tushuo check` prints for the same text, run in the folder
    typo = served.folder / "typo.yaml"
    typo.write_text(page.evaluate("() => window.tushuo.view.state.doc.toString()"), encoding="utf-8")
    try:
        cli = subprocess.run([sys.executable, "-m", "tushuo", "check", typo.name], cwd=served.folder,
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    finally:
        typo.unlink()
    assert cli.returncode == 2
    want = cli.stderr.strip().replace("typo.yaml", "hello.yaml")
    assert f"hello.yaml:{n}:5: blocks[0].bagde: unknown field 'bagde'" in want
    assert page.locator(".problem.error code").all_inner_texts() == want.splitlines()
    # the editor marks the key on that line
    marked = page.locator(".cm-line", has=page.locator(".cm-lintRange-error"))
    assert marked.inner_text() == "    bagde: 第12期"
    assert page.locator("#pane.stale").count() == 1  # the preview says it is out of date
    # fix the key: the error goes, and the preview shows the new value
    select(page, n, 5, len("bagde"))
    page.keyboard.type("badge")
    page.wait_for_function("() => document.querySelectorAll('.problem.error').length === 0 "
                           "&& !document.querySelector('#pane').classList.contains('stale')")
    page.wait_for_function("(before) => window.tushuo.state.preview.tiles.some(t => !before.includes(t.key))", arg=before)
    after = tile_keys(page)
    assert len(set(after) - set(before)) >= 1 and len(set(after) & set(before)) >= 1  # only the banner repainted
    page.wait_for_function("() => [...document.querySelectorAll('.tiles img')].every(i => i.complete && i.naturalWidth > 0)")
    # and the save reached the disk
    page.wait_for_function("() => document.querySelector('#status').textContent === '已保存'")
    assert "    badge: 第12期" in (served.folder / "hello.yaml").read_text(encoding="utf-8")


def test_clicking_a_step_in_the_preview_puts_the_cursor_on_its_line(page, served):
    open_file(page, served, "handbook.yaml")
    line = (served.folder / "handbook.yaml").read_text(encoding="utf-8").splitlines().index("          - id: announce") + 1
    target = page.evaluate("(line) => window.tushuo.state.preview.targets.find(t => t.line === line)", line)
    assert target["path"].endswith(".items[2]") and target["w"] < 1080
    select(page, 1, 1, 0)
    assert cursor_line(page) == 1
    # scroll the step into view, then click its middle as a person would
    page.evaluate("(t) => { const c = document.querySelector('#canvas'), k = Number(c.dataset.k);"
                  " c.scrollTop = (t.y + t.h / 2) * k - c.clientHeight / 2; }", target)
    box = page.locator(".sheet").bounding_box()
    k = float(page.locator("#canvas").get_attribute("data-k"))
    page.mouse.click(box["x"] + (target["x"] + target["w"] / 2) * k, box["y"] + (target["y"] + target["h"] / 2) * k)
    page.wait_for_function("(line) => { const v = window.tushuo.view;"
                           " return v.state.doc.lineAt(v.state.selection.main.head).number === line; }", arg=line)
    assert cursor_line(page) == line


def test_export_pdf_writes_the_file(page, served):
    open_file(page, served, "hello.yaml")
    target = served.folder / "hello.pdf"
    assert not target.exists()
    page.click("[data-export=pdf]")
    page.locator(".toast.ok", has_text="hello.pdf").wait_for()
    assert target.read_bytes()[:5] == b"%PDF-"


def test_opening_a_file_outside_the_folder_is_refused(page, served):
    open_file(page, served, "hello.yaml")
    page.goto(f"{served.url}/#..%2Fx.yaml")
    page.wait_for_selector("body[data-ready='1']")
    refused = page.locator("#refused")
    refused.wait_for()
    assert "path leaves the spec's folder: ../x.yaml" in refused.inner_text()
    # the file that was open stays open, untouched
    assert page.evaluate("() => window.tushuo.state.name") == "hello.yaml"
    assert "机密" not in page.evaluate("() => window.tushuo.view.state.doc.toString()")


def test_a_file_changed_on_disk_is_noticed_not_overwritten(page, served):
    open_file(page, served, "hello.yaml")
    spec = served.folder / "hello.yaml"
    page.evaluate("() => { window.tushuo.state.autosave = false; }")  # the test decides when to save
    lines = spec.read_text(encoding="utf-8").splitlines()
    n = next(i for i, s in enumerate(lines) if s.startswith("title: ")) + 1
    select(page, n, len(lines[n - 1]) + 1, 0)
    page.keyboard.type("（我的修改）")
    theirs = spec.read_text(encoding="utf-8").replace("title: ", "title: 别人的修改 ", 1)
    spec.write_text(theirs, encoding="utf-8")
    banner = page.locator("#banner")
    banner.wait_for()  # the page checks the file's version every two seconds
    assert "已在别处被修改" in banner.inner_text()
    page.click("#save")  # an explicit save does not overwrite either
    assert spec.read_text(encoding="utf-8") == theirs
    assert "（我的修改）" in page.evaluate("() => window.tushuo.view.state.doc.toString()")
    page.click("#banner >> text=用我的修改覆盖")
    page.wait_for_function("() => document.querySelector('#status').textContent === '已保存'")
    assert "（我的修改）" in spec.read_text(encoding="utf-8") and "别人的修改" not in spec.read_text(encoding="utf-8")
