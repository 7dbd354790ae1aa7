"""Side-by-side timings: tushuo vs headless Chromium (HTML+CSS) vs Typst, on two pages.

The pages: ``page`` (page.yaml / page.html / page.typ: the full design, gradients, rays
and shadows in the browser too) and ``light`` (light.yaml / light.html / light.typ:
other content of the same kind, plain CSS with flat colours for the browser, so the
ratio against Chromium is not flattered by a heavy page). Both are timed in one
interleaved run.

Run from a checkout:  python3 benchmarks/bench.py [--runs 7] [--batch 100]

Peers are optional; a missing one is skipped with a note on how to install it:
  Chromium:  apt-get install chromium && pip install playwright   (uses /usr/bin/chromium, no download)
  Typst:     pip install typst
Every figure is a median over interleaved runs (min–max in brackets). Nothing here
is asserted: the numbers go to the README's table (see benchmarks/RESULTS.md).

What "warm" and "cold" mean here:
- warm: in-process, fonts loaded. tushuo keeps its glyph and shape-coverage caches (as
  Typst's reused compiler keeps its memoised layout and Chromium its loaded fonts); the
  "tushuo, caches cleared" row empties them before every render, and the "tushuo,
  another page each time" row changes the issue number in the spec on every render.
  Each round times a page's caches-cleared row first, then its plain warm row, then the
  varied one: the caches are shared by both pages, so the plain row must not follow the
  other page's clearing.
- cold: tushuo is one ``python -m tushuo render`` process (interpreter start, imports,
  fonts, layout, paint, PNG) with byte code compiled once beforehand, as after a pip
  install (PYTHONDONTWRITEBYTECODE is ignored for it: a temporary pycache prefix);
  Chromium is a freshly launched browser; Typst is a fresh ``python -c`` process that
  imports typst and compiles once (the pip package has no CLI), and, as a second row,
  a one-shot ``typst.compile`` inside the benchmark's own process (no interpreter start).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "page.yaml"
#: page name -> the text whose change makes "another page each time" (tushuo-varied)
PAGES = {"page": "2025年第10期", "light": "2025年第3期"}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"

# Peak RSS of this process alone: /proc's VmHWM belongs to the process's own memory map.
# (ru_maxrss is not: Linux carries the parent's high-water mark over fork and exec, so a
# child of this benchmark, which holds a browser driver and warm renderers, would report
# the parent's size.)
PEAK_RSS_SNIPPET = """
import sys, tushuo
doc = tushuo.load(sys.argv[1])
tushuo.render(doc, sys.argv[2])
try:
    kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
except OSError:
    import resource
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)
print(kb)
"""


def stats(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} s ({min(xs):.3f}–{max(xs):.3f})"


class Peer:
    """One way of making the page; ``warm`` reuses state, ``cold`` starts afresh."""

    name = ""
    note = ""

    def available(self) -> bool:
        return True

    def setup(self) -> None: ...

    def teardown(self) -> None: ...


class Tushuo(Peer):
    name = "tushuo"

    def __init__(self, page: str = "page") -> None:
        self.spec = HERE / f"{page}.yaml"
        self.mark = PAGES[page]

    def setup(self) -> None:
        sys.path.insert(0, str(ROOT))
        import tushuo

        self.tushuo = tushuo
        self.tmp = Path(tempfile.mkdtemp())
        self.text = self.spec.read_text(encoding="utf-8")
        self.issue = 0
        # byte code compiled once, as pip does on install; then every cold run reads it
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env["PYTHONPYCACHEPREFIX"] = str(self.tmp / "pycache")
        self.cold(self.tmp / "warmup-cold.png")
        self.warm(self.tmp / "warmup.png")  # fonts loaded, caches filled

    def warm(self, out: Path) -> None:
        doc = self.tushuo.load(self.spec)
        self.tushuo.render(doc, out)

    def uncached(self, out: Path) -> None:
        """Warm, but the glyph, shape-coverage and laid-out text caches emptied first."""
        from tushuo.paint.coverage import coverage_cache
        from tushuo.paint.glyphs import default_cache

        default_cache().clear()
        coverage_cache().clear()
        try:
            from tushuo.layout.context import clear_text_memo
        except ImportError:  # a tushuo before the text memo
            pass
        else:
            clear_text_memo()
        self.warm(out)

    def varied(self, out: Path) -> None:
        """Warm, another issue number each time (new text; most shapes as before)."""
        self.issue += 1
        text = self.text.replace(self.mark, f"2025年第{self.issue % 99 + 1}期")
        doc = self.tushuo.load(text)
        self.tushuo.render(doc, out)

    def cold(self, out: Path) -> None:
        subprocess.run([sys.executable, "-m", "tushuo", "render", str(self.spec), "-o", str(out)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL, env=self.env)


class Chromium(Peer):
    name = "chromium"
    note = "apt-get install chromium && pip install playwright"

    def __init__(self, page: str = "page") -> None:
        self.html = HERE / f"{page}.html"

    def available(self) -> bool:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return False
        return Path(CHROMIUM).exists()

    # one Playwright driver for every page's browser (its sync API runs once a process)
    _driver = None
    _users = 0

    def setup(self) -> None:
        from playwright.sync_api import sync_playwright

        if Chromium._driver is None:
            Chromium._driver = sync_playwright().start()
        Chromium._users += 1
        self.pw = Chromium._driver
        self.browser = self._launch()
        self.url = self.html.as_uri()

    def _launch(self):
        return self.pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

    def _shot(self, browser, out: Path) -> None:
        page = browser.new_page(viewport={"width": 1080, "height": 800})
        page.goto(self.url)
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(out), full_page=True)
        page.close()

    def warm(self, out: Path) -> None:
        self._shot(self.browser, out)

    def cold(self, out: Path) -> None:
        browser = self._launch()
        self._shot(browser, out)
        browser.close()

    def teardown(self) -> None:
        self.browser.close()
        Chromium._users -= 1
        if Chromium._users == 0:
            self.pw.stop()
            Chromium._driver = None


class Typst(Peer):
    name = "typst"
    note = "pip install typst"

    def __init__(self, page: str = "page") -> None:
        self.typ = HERE / f"{page}.typ"

    def available(self) -> bool:
        try:
            import typst  # noqa: F401
        except ImportError:
            return False
        return True

    def setup(self) -> None:
        import typst

        self.typst = typst
        self.fonts = [str(ROOT / "fonts")]
        self.compiler = typst.Compiler(str(self.typ), font_paths=self.fonts, ignore_system_fonts=True)

    def warm(self, out: Path) -> None:
        out.write_bytes(self.compiler.compile(format="png", ppi=72))

    def cold(self, out: Path) -> None:
        """A fresh process: interpreter start, import typst, one compile."""
        code = ("import sys, typst; open(sys.argv[2], 'wb').write(typst.compile(sys.argv[1], font_paths=[sys.argv[3]], "
                "ignore_system_fonts=True, format='png', ppi=72))")
        subprocess.run([sys.executable, "-c", code, str(self.typ), str(out), self.fonts[0]], check=True, cwd=ROOT)

    def oneshot(self, out: Path) -> None:
        """A one-shot compile in this process (no interpreter start, no import)."""
        out.write_bytes(self.typst.compile(str(self.typ), font_paths=self.fonts, ignore_system_fonts=True,
                                           format="png", ppi=72))


class Variant(Peer):
    """Another way of timing a peer (e.g. tushuo warm with its caches cleared)."""

    def __init__(self, peer: Peer, method: str, name: str) -> None:
        self.peer, self.method, self.name = peer, method, name

    def warm(self, out: Path) -> None:
        getattr(self.peer, self.method)(out)

    cold = warm


def interleave(peers: list[Peer], mode: str, runs: int, tmp: Path, settle: float = 0.0) -> dict[str, list[float]]:
    """Each peer once per round, in turn; ``settle`` seconds of rest (not timed) before each run,
    so a closing browser's processes do not slow the next peer's start."""
    times: dict[str, list[float]] = {p.name: [] for p in peers}
    for r in range(runs):
        for p in peers:
            out = tmp / f"{p.name}-{mode}-{r}.png"
            time.sleep(settle)
            t = time.perf_counter()
            getattr(p, mode)(out)
            times[p.name].append(time.perf_counter() - t)
    return times


def peak_rss_mb(spec: Path, out: Path) -> float:
    res = subprocess.run([sys.executable, "-c", PEAK_RSS_SNIPPET, str(spec), str(out)],
                         check=True, cwd=ROOT, capture_output=True, text=True)
    return int(res.stdout.strip().splitlines()[-1]) / 1024


def batch_rate(n: int, jobs: int, tmp: Path, page: str = "page") -> float:
    src = tmp / f"batch-in-{page}"
    src.mkdir()
    text = (HERE / f"{page}.yaml").read_text(encoding="utf-8")
    specs = []
    for i in range(n):
        p = src / f"{page}-{i:03d}.yaml"
        p.write_text(text.replace(PAGES[page], f"2025年第{i + 1}期"), encoding="utf-8")
        specs.append(str(p))
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tushuo", "batch", *specs, "-o", str(tmp / f"batch-out-{page}"),
                    "--jobs", str(jobs), "--force"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return n / (time.perf_counter() - t)


def handbook_spec(tmp: Path, steps: int) -> Path:
    """A long election handbook: 178 steps are about 1080 x 60,000 px."""
    items = "\n".join(
        f"      - {{title: 第{i + 1}步 依法组织, desc: 依法依规、公开透明，严格按照程序组织实施，确保选举工作平稳有序。}}"
        for i in range(steps)
    )
    p = tmp / "handbook.yaml"
    p.write_text(f"title: 换届掌上手册\nblocks:\n  - type: steps\n    layout: vertical\n    items:\n{items}\n",
                 encoding="utf-8")
    return p


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}"


def fmt_load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{v:.2f}" for v in load)


def ratio(num: list[float], den: list[float]) -> float:
    return statistics.median(num) / statistics.median(den)


def print_pages(pages: list[str], warm: dict, cold: dict, sizes: dict, dims: dict, rates: dict,
                args: argparse.Namespace) -> None:
    """Each page's table (medians, min-max) and its ratios against the targets."""
    label = {"tushuo": "tushuo (Pillow)", "chromium": "Chromium + HTML/CSS", "typst": "Typst"}
    for page in pages:
        print(f"### {page}.yaml / {page}.html / {page}.typ\n")
        print("| route | warm, per image | cold start, per image | PNG size | image size |")
        print("|---|---|---|---|---|")
        for kind in ("tushuo", "chromium", "typst"):
            n = f"{page}:{kind}"
            if n not in sizes:
                continue
            w, h = dims[n]
            print(f"| {label[kind]} | {stats(warm[n])} | {stats(cold[n])} | {sizes[n] / 1024:.0f} KiB | {w} x {h} |")
        t = f"{page}:tushuo"
        print(f"| tushuo, caches cleared before each render | {stats(warm[t + '-uncached'])} | "
              "(a fresh process: nothing cached) | | |")
        print(f"| tushuo, another issue number each render | {stats(warm[t + '-varied'])} | | | |")
        if f"{page}:typst" in cold:
            print(f"| Typst, one-shot compile in a running process | | {stats(cold[page + ':typst-oneshot'])} | | |")
        print()
        tw, tu = warm[t], warm[t + "-uncached"]
        if f"{page}:chromium" in warm:
            c = f"{page}:chromium"
            print(f"- warm: tushuo {ratio(warm[c], tw):.1f}x faster than warm Chromium (target >= 5x; "
                  f"caches cleared: {ratio(warm[c], tu):.1f}x)")
            print(f"- cold: tushuo CLI {ratio(cold[c], cold[t]):.1f}x faster than a fresh Chromium")
        if f"{page}:typst" in warm:
            y = f"{page}:typst"
            print(f"- warm: Typst's reused compiler / tushuo = {ratio(warm[y], tw):.2f} (target > 1; "
                  f"caches cleared: {ratio(warm[y], tu):.2f})")
            print(f"- cold: Typst fresh process / tushuo CLI = {ratio(cold[y], cold[t]):.2f} (target > 1); "
                  f"Typst one-shot in a running process / tushuo CLI = {ratio(cold[y + '-oneshot'], cold[t]):.2f}")
        if page in rates:
            print(f"- batch: {args.batch} pages with --jobs {args.jobs}: {rates[page]:.2f} pages/s")
        print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="interleaved runs per measurement (default 7)")
    ap.add_argument("--batch", type=int, default=100, help="pages in each batch measurement (0: skip)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pages", default=",".join(PAGES), help="which pages (default: page,light)")
    ap.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = ap.parse_args(argv)
    pages = [p for p in args.pages.split(",") if p]

    tmp = Path(tempfile.mkdtemp(prefix="tushuo-bench-"))
    load_before = os.getloadavg()
    warm_peers: list[Peer] = []
    cold_peers: list[Peer] = []
    real: list[Peer] = []
    for page in pages:
        for cls in (Tushuo, Chromium, Typst):
            p = cls(page)
            if not p.available():
                print(f"skipping {p.name}: not installed ({p.note})", file=sys.stderr)
                continue
            p.setup()
            kind = p.name
            p.name = f"{page}:{kind}"
            real.append(p)
            cold_peers.append(p)
            if kind == "tushuo":
                # The caches are the process's, shared by both pages, and the caches-cleared row
                # empties them: it runs first, so the plain warm row after it finds this page's
                # glyphs and shapes again. (Timed after the other page's caches-cleared row, as
                # before, the plain "warm" row was in fact a nearly cold one: 0.12 s against the
                # 0.07 s of the "another issue number" row, which came right after a refill.)
                warm_peers += [Variant(p, "uncached", f"{page}:tushuo-uncached"), p,
                               Variant(p, "varied", f"{page}:tushuo-varied")]
            else:
                warm_peers.append(p)
            if kind == "typst":
                cold_peers.append(Variant(p, "oneshot", f"{page}:typst-oneshot"))

    # a short rest before each warm run: a browser or Typst finishes background work (its threads,
    # renderer processes) after returning, which would otherwise be charged to the next peer
    warm = interleave(warm_peers, "warm", args.runs, tmp, settle=0.3)
    cold = interleave(cold_peers, "cold", max(3, args.runs // 2), tmp, settle=1.0)
    from PIL import Image

    sizes, dims = {}, {}
    for p in real:
        f = tmp / f"{p.name}-warm-0.png"
        sizes[p.name] = f.stat().st_size
        with Image.open(f) as im:
            dims[p.name] = im.size
    for p in real:
        p.teardown()

    rss_page = peak_rss_mb(SPEC, tmp / "rss-page.png")
    hb = handbook_spec(tmp, 178)
    rss_handbook = peak_rss_mb(hb, tmp / "rss-handbook.png")
    with Image.open(tmp / "rss-handbook.png") as im:
        hb_size = im.size
    rates = {page: batch_rate(args.batch, args.jobs, tmp, page) for page in pages} if args.batch else {}
    load_after = os.getloadavg()

    print(f"\nMachine: {machine()}")
    print(f"Load average (1, 5, 15 min): {fmt_load(load_before)} before, {fmt_load(load_after)} after\n")
    print_pages(pages, warm, cold, sizes, dims, rates, args)
    print(f"- peak memory (RSS), page.yaml: {rss_page:.0f} MB (target < 200)")
    print(f"- peak memory (RSS), a 178-step handbook of {hb_size[0]} x {hb_size[1]} px: {rss_handbook:.0f} MB "
          "(target < 1024)")
    if args.json:
        args.json.write_text(json.dumps({"warm": warm, "cold": cold, "sizes": sizes, "dims": dims,
                                         "rss_page_mb": rss_page, "rss_handbook_mb": rss_handbook,
                                         "handbook_px": hb_size, "batch_pages_per_s": rates, "machine": machine(),
                                         "load_before": load_before, "load_after": load_after}, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
