"""`tushuo serve`: edit-to-preview latency and cold start, measured.

    python3 benchmarks/serve_latency.py [--rounds 30] [--browser]

1. Edit to preview (server): the election handbook is previewed once, then each round
   makes a one-character edit (a character typed into a step's title, rotating over the
   document's steps blocks, each edit new text) and times what the page does: POST
   /api/preview (new tiles come inline), then GET any tile it still lacks. Median, 90th
   percentile, min–max, and the server's own split (load, layout, check, paint).
2. Edit to preview (browser, --browser, needs /usr/bin/chromium and playwright): a key
   typed in the editor until the new tiles are on screen, including the page's 120 ms
   pause after typing stops.
3. Cold start: `python -m tushuo serve FOLDER --no-browser --port P` from process start
   until GET / answers 200, then until the first handbook preview is back.

Prints `uptime` before and after: the numbers are only comparable at similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
NAME = "election-handbook.yaml"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def edits(text: str, n: int) -> list[str]:
    """``n`` successive texts, each one character longer than the last, typed into step titles in turn."""
    mark = "\n            title: "
    out, cur = [], text
    for k in range(n):
        spots = [i for i in range(len(cur)) if cur.startswith(mark, i)]
        at = spots[k % len(spots)] + len(mark) + 1
        cur = cur[:at] + "字" + cur[at:]
        out.append(cur)
    return out


def stats(xs: list[float]) -> str:
    xs = sorted(xs)
    p90 = xs[min(len(xs) - 1, round(0.9 * (len(xs) - 1)))]
    return f"median {statistics.median(xs):.1f} ms, p90 {p90:.1f}, min {xs[0]:.1f}, max {xs[-1]:.1f} (n={len(xs)})"


def full_render(text: str, file: Path, scale: float) -> float:
    """What a preview costs without the memo and tiles: the whole page again (ms)."""
    import io

    import tushuo
    from tushuo.pipeline import layout
    from tushuo.paint.raster import paint

    t = time.perf_counter()
    doc = tushuo.load(text, file=file)
    frame, ctx = layout(doc)
    im = paint(frame, scale=scale, fonts=ctx.fonts)
    im.save(io.BytesIO(), format="PNG", compress_level=1)
    return 1e3 * (time.perf_counter() - t)


def server_latency(folder: Path, rounds: int) -> None:
    from serve_server import Running

    srv = Running(folder)
    try:
        text = (folder / NAME).read_text(encoding="utf-8")
        t = time.perf_counter()
        _, first = srv.request("/api/preview", {"name": NAME, "text": text})
        print(f"first preview of the handbook (warm process, cold caches): {1e3 * (time.perf_counter() - t):.0f} ms")
        have = {x["key"] for x in first["tiles"]}
        for x in first["tiles"]:
            srv.request(f"/api/tile/{x['key']}")
        totals, split, painted, naive = [], {"load": [], "layout": [], "check": [], "paint": []}, [], []
        for new in edits(text, rounds):
            naive.append(full_render(new, folder / NAME, first["scale"]))
            t = time.perf_counter()
            _, p = srv.request("/api/preview", {"name": NAME, "text": new})
            assert not p["problems"], p["problems"][:1]
            fresh = [x["key"] for x in p["tiles"] if x["key"] not in have]
            for key in fresh:
                if key not in p["data"]:
                    srv.request(f"/api/tile/{key}")
            totals.append(1e3 * (time.perf_counter() - t))
            have |= set(fresh)
            painted.append(p["painted"])
            for k, values in split.items():
                values.append(1e3 * p["timings"][k])
        print(f"one-character edit → new preview (HTTP, tiles fetched): {stats(totals)}")
        print(f"  the same edits rendered whole (load, lay out, paint at the preview's scale, PNG), interleaved: "
              f"{stats(naive)}")
        print("  server split, medians: " + ", ".join(f"{k} {statistics.median(v):.1f} ms" for k, v in split.items())
              + f"; tiles painted per edit: median {statistics.median(painted):g} of {len(p['tiles'])}")
    finally:
        srv.close()


def browser_latency(folder: Path, rounds: int) -> None:
    from playwright.sync_api import sync_playwright
    from serve_server import Running, launch, open_spec

    srv = Running(folder)
    try:
        with sync_playwright() as pw:
            b = launch(pw)
            page = open_spec(b, srv.url, NAME)
            lines = (folder / NAME).read_text(encoding="utf-8").splitlines()
            spots = [i + 1 for i, s in enumerate(lines) if s.startswith("            title: ")]
            out = []
            for k in range(rounds):
                line = spots[k % len(spots)]
                page.evaluate("(l) => { const v = window.tushuo.view, p = v.state.doc.line(l).from + 21;"
                              " v.focus(); v.dispatch({selection: {anchor: p}}); }", line)
                rev = page.evaluate("() => window.tushuo.state.shown")
                t0 = page.evaluate("() => performance.now()")
                page.keyboard.type("字")
                page.wait_for_function(
                    "(rev) => window.tushuo.state.shown > rev && [...document.querySelectorAll('.tiles img')]"
                    ".every(i => i.complete)", arg=rev, timeout=30_000)
                out.append(page.evaluate("() => performance.now()") - t0)
            print(f"keystroke → new tiles on screen (browser, incl. the 120 ms pause): {stats(out)}")
            b.close()
    finally:
        srv.close()


def cold_start(folder: Path, rounds: int) -> None:
    starts, firsts = [], []
    text = (folder / NAME).read_text(encoding="utf-8")
    for _ in range(rounds):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "tushuo", "serve", str(folder), "--no-browser",
                                 "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                        if r.status == 200:
                            break
                except OSError:
                    time.sleep(0.005)
            starts.append(1e3 * (time.perf_counter() - t0))
            req = urllib.request.Request(f"http://127.0.0.1:{port}/api/preview",
                                         data=json.dumps({"name": NAME, "text": text}).encode(),
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=120) as r:
                r.read()
            firsts.append(1e3 * (time.perf_counter() - t0))
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"cold start, process start → first page served: {stats(starts)}")
    print(f"cold start, process start → first handbook preview: {stats(firsts)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--cold", type=int, default=5)
    ap.add_argument("--browser", action="store_true")
    a = ap.parse_args()
    print(uptime())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "examples", folder, dirs_exist_ok=True)
        server_latency(folder, a.rounds)
        if a.browser:
            browser_latency(folder, max(5, a.rounds // 3))
        if a.cold:
            cold_start(folder, a.cold)
    print(uptime())


if __name__ == "__main__":
    main()
