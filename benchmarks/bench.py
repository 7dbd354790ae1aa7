"""Side-by-side timings: tushuo vs headless Chromium (HTML+CSS) vs Typst, same page.

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
- cold: tushuo is one ``python -m tushuo render`` process (interpreter start, imports,
  fonts, layout, paint, PNG) with byte code compiled once beforehand, as after a pip
  install (PYTHONDONTWRITEBYTECODE is ignored for it: a temporary pycache prefix);
  Chromium is a freshly launched browser; Typst a one-shot compile.
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
HTML = HERE / "page.html"
TYP = HERE / "page.typ"
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

    def setup(self) -> None:
        sys.path.insert(0, str(ROOT))
        import tushuo

        self.tushuo = tushuo
        self.tmp = Path(tempfile.mkdtemp())
        self.text = SPEC.read_text(encoding="utf-8")
        self.issue = 0
        # byte code compiled once, as pip does on install; then every cold run reads it
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env["PYTHONPYCACHEPREFIX"] = str(self.tmp / "pycache")
        self.cold(self.tmp / "warmup-cold.png")
        self.warm(self.tmp / "warmup.png")  # fonts loaded, caches filled

    def warm(self, out: Path) -> None:
        doc = self.tushuo.load(SPEC)
        self.tushuo.render(doc, out)

    def uncached(self, out: Path) -> None:
        """Warm, but the glyph and shape-coverage caches emptied first."""
        from tushuo.render.coverage import coverage_cache
        from tushuo.render.glyphs import default_cache

        default_cache().clear()
        coverage_cache().clear()
        self.warm(out)

    def varied(self, out: Path) -> None:
        """Warm, another issue number each time (new text; most shapes as before)."""
        self.issue += 1
        text = self.text.replace("2025年第10期", f"2025年第{self.issue % 99 + 1}期")
        doc = self.tushuo.load(text)
        self.tushuo.render(doc, out)

    def cold(self, out: Path) -> None:
        subprocess.run([sys.executable, "-m", "tushuo", "render", str(SPEC), "-o", str(out)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL, env=self.env)


class Chromium(Peer):
    name = "chromium"
    note = "apt-get install chromium && pip install playwright"

    def available(self) -> bool:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return False
        return Path(CHROMIUM).exists()

    def setup(self) -> None:
        from playwright.sync_api import sync_playwright

        self.pw = sync_playwright().start()
        self.browser = self._launch()
        self.url = HTML.as_uri()

    def _launch(self):
        return self.pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])

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
        self.pw.stop()


class Typst(Peer):
    name = "typst"
    note = "pip install typst"

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
        self.compiler = typst.Compiler(str(TYP), font_paths=self.fonts, ignore_system_fonts=True)

    def warm(self, out: Path) -> None:
        out.write_bytes(self.compiler.compile(format="png", ppi=72))

    def cold(self, out: Path) -> None:
        out.write_bytes(self.typst.compile(str(TYP), font_paths=self.fonts, ignore_system_fonts=True,
                                           format="png", ppi=72))


class Variant(Peer):
    """Another way of timing a peer warm (e.g. tushuo with its caches cleared)."""

    def __init__(self, peer: Peer, method: str, name: str) -> None:
        self.peer, self.method, self.name = peer, method, name

    def warm(self, out: Path) -> None:
        getattr(self.peer, self.method)(out)


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


def batch_rate(n: int, jobs: int, tmp: Path) -> float:
    src = tmp / "batch-in"
    src.mkdir()
    text = SPEC.read_text(encoding="utf-8")
    specs = []
    for i in range(n):
        p = src / f"page-{i:03d}.yaml"
        p.write_text(text.replace("2025年第10期", f"2025年第{i + 1}期"), encoding="utf-8")
        specs.append(str(p))
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tushuo", "batch", *specs, "-o", str(tmp / "batch-out"),
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="interleaved runs per measurement (default 7)")
    ap.add_argument("--batch", type=int, default=100, help="pages in the batch measurement (0: skip)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="tushuo-bench-"))
    load_before = os.getloadavg()
    peers: list[Peer] = []
    for cls in (Tushuo, Chromium, Typst):
        p = cls()
        if p.available():
            p.setup()
            peers.append(p)
        else:
            print(f"skipping {p.name}: not installed ({p.note})", file=sys.stderr)
    tushuo = next(p for p in peers if p.name == "tushuo")
    variants: list[Peer] = [Variant(tushuo, "uncached", "tushuo-uncached"), Variant(tushuo, "varied", "tushuo-varied")]

    warm = interleave(peers + variants, "warm", args.runs, tmp)
    cold = interleave(peers, "cold", max(3, args.runs // 2), tmp, settle=1.0)
    sizes = {p.name: (tmp / f"{p.name}-warm-0.png").stat().st_size for p in peers}
    dims = {}
    from PIL import Image

    for p in peers:
        with Image.open(tmp / f"{p.name}-warm-0.png") as im:
            dims[p.name] = im.size
    for p in peers:
        p.teardown()

    rss_page = peak_rss_mb(SPEC, tmp / "rss-page.png")
    hb = handbook_spec(tmp, 178)
    rss_handbook = peak_rss_mb(hb, tmp / "rss-handbook.png")
    with Image.open(tmp / "rss-handbook.png") as im:
        hb_size = im.size
    rate = batch_rate(args.batch, args.jobs, tmp) if args.batch else None
    load_after = os.getloadavg()

    print(f"\nMachine: {machine()}")
    print(f"Load average (1, 5, 15 min): {fmt_load(load_before)} before, {fmt_load(load_after)} after\n")
    print("| route | warm, per image | cold start, per image | PNG size | image size |")
    print("|---|---|---|---|---|")
    label = {"tushuo": "tushuo (Pillow)", "chromium": "Chromium + HTML/CSS", "typst": "Typst"}
    for p in peers:
        w, h = dims[p.name]
        print(f"| {label[p.name]} | {stats(warm[p.name])} | {stats(cold[p.name])} | "
              f"{sizes[p.name] / 1024:.0f} KiB | {w} x {h} |")
    print(f"| tushuo, caches cleared before each render | {stats(warm['tushuo-uncached'])} | | | |")
    print(f"| tushuo, another issue number each render | {stats(warm['tushuo-varied'])} | | | |")
    print()
    t_med = statistics.median(warm["tushuo"])
    if "chromium" in warm:
        print(f"- warm: tushuo is {statistics.median(warm['chromium']) / t_med:.1f}x faster than warm Chromium "
              f"(target >= 5x; caches cleared: {statistics.median(warm['chromium']) / statistics.median(warm['tushuo-uncached']):.1f}x)")
        print(f"- cold: tushuo CLI is {statistics.median(cold['chromium']) / statistics.median(cold['tushuo']):.1f}x "
              "faster than a fresh Chromium (target >= 2x)")
    if "typst" in warm:
        print(f"- warm: Typst's reused compiler / tushuo = {statistics.median(warm['typst']) / t_med:.2f} (target >= 1; "
              f"caches cleared: {statistics.median(warm['typst']) / statistics.median(warm['tushuo-uncached']):.2f})")
    if rate is not None:
        print(f"- batch: {args.batch} pages with --jobs {args.jobs}: {rate:.2f} pages/s (target >= 2)")
    print(f"- peak memory (RSS), the page: {rss_page:.0f} MB (target < 200)")
    print(f"- peak memory (RSS), a 178-step handbook of {hb_size[0]} x {hb_size[1]} px: {rss_handbook:.0f} MB "
          "(target < 1024)")
    if "chromium" in sizes:
        print(f"- PNG size: tushuo {sizes['tushuo'] / 1024:.0f} KiB, Chromium {sizes['chromium'] / 1024:.0f} KiB "
              "(target: tushuo <= Chromium)")
    if args.json:
        args.json.write_text(json.dumps({"warm": warm, "cold": cold, "sizes": sizes, "dims": dims,
                                         "rss_page_mb": rss_page, "rss_handbook_mb": rss_handbook,
                                         "handbook_px": hb_size, "batch_pages_per_s": rate, "machine": machine(),
                                         "load_before": load_before, "load_after": load_after}, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
