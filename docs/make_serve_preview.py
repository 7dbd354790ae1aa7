"""Makes docs/previews/serve.jpg, the README's picture of `tushuo serve`: the election handbook
open, a step clicked in the preview (its line highlighted in the editor), slice lines shown.

    python3 docs/make_serve_preview.py      # needs Debian's chromium and playwright
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

def main() -> None:
    from PIL import Image
    from playwright.sync_api import sync_playwright
    from serve_server import Running, launch, open_spec

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "图说"
        folder.mkdir()
        for name in ("election-handbook.yaml", "hello.yaml", "progress-bulletin.yaml", "station-comparison.yaml"):
            shutil.copy(ROOT / "examples" / name, folder / name)
        shutil.copytree(ROOT / "examples" / "monthly", folder / "monthly")
        srv = Running(folder)
        try:
            with sync_playwright() as p:
                b = launch(p)
                pg = open_spec(b, srv.url, "election-handbook.yaml", width=1440)
                pg.wait_for_function("() => document.fonts.status === 'loaded'")
                lines = (folder / "election-handbook.yaml").read_text(encoding="utf-8").splitlines()
                line = lines.index("          - id: announce") + 1
                t = pg.evaluate("(l) => window.tushuo.state.preview.targets.find(t => t.line === l)", line)
                pg.evaluate("(t) => { const c = document.querySelector('#canvas'), k = Number(c.dataset.k);"
                            " c.scrollTop = t.y * k - 180; }", t)
                box = pg.locator(".sheet").bounding_box()
                k = float(pg.locator("#canvas").get_attribute("data-k"))
                x, y = box["x"] + (t["x"] + t["w"] * 0.7) * k, box["y"] + (t["y"] + t["h"] / 2) * k
                pg.mouse.click(x, y)
                pg.wait_for_selector(".cm-flash")
                pg.mouse.move(x, y + 1)
                pg.wait_for_selector(".hit")
                pg.wait_for_function("() => [...document.querySelectorAll('.tiles img')].every(i => i.complete)")
                shot = pg.screenshot()
                b.close()
        finally:
            srv.close()
    out = ROOT / "docs" / "previews" / "serve.jpg"
    Image.open(io.BytesIO(shot)).convert("RGB").save(out, quality=86, optimize=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
