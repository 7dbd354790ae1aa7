"""Regenerate docs/previews/*.jpg: one picture for each of the README's three uses.

Run from the repository root: ``python3 docs/make_readme_previews.py`` (PDF pages need
poppler's pdftoppm). api.jpg: examples/hello.yaml rendered through the Python API;
monthly-batch.jpg: the three examples/monthly/ issues rendered by ``tushuo batch``
(their tops side by side); handbook-pdf.jpg: pages of the election pocket manual PDF.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tushuo  # noqa: E402
from make_previews import side_by_side  # noqa: E402  (docs/ is on sys.path when run as a script)

OUT = ROOT / "docs" / "previews"


def save(im: Image.Image, name: str, width: int) -> None:
    im = im.convert("RGB")
    im = im.resize((width, round(im.height * width / im.width)), Image.Resampling.LANCZOS)
    im.save(OUT / name, quality=82, optimize=True)
    print(f"wrote docs/previews/{name} {im.width}x{im.height}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        save(tushuo.render_image(tushuo.load(ROOT / "examples" / "hello.yaml")), "api.jpg", 360)

        specs = sorted((ROOT / "examples" / "monthly").glob("*.yaml"))
        subprocess.run([sys.executable, "-m", "tushuo", "batch", *map(str, specs), "-o", str(tmp / "m"),
                        "--jobs", "2", "--force"], check=True, cwd=ROOT)
        tops = [Image.open(p).crop((0, 0, 1080, 2400)) for p in sorted((tmp / "m").glob("*.png"))]
        save(side_by_side(tops, gap=40), "monthly-batch.jpg", 720)

        pdf = tmp / "handbook.pdf"
        tushuo.render(tushuo.load(ROOT / "examples" / "election-handbook.yaml"), pdf)
        subprocess.run(["pdftoppm", "-r", "90", "-png", "-f", "1", "-l", "5", str(pdf), str(tmp / "p")], check=True)
        pages = [Image.open(p) for p in sorted(tmp.glob("p-*.png"))]
        save(side_by_side(pages, gap=24), "handbook-pdf.jpg", 900)


if __name__ == "__main__":
    main()
