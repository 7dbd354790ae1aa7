"""Regenerate docs/templates/NAME.jpg: a preview of every ready template with its sample data.

Run from the repository root: ``python3 docs/make_previews.py``. Each template is
started with ``tushuo new`` in a scratch folder and rendered at 1080 px, then scaled
to 360 px wide (a PDF: its pages side by side, 720 px wide when there are several, via
poppler's pdftoppm when it is installed, else the long image).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tushuo
from tushuo.templates import list_templates, new_spec

OUT = ROOT / "docs" / "templates"
WIDTH = 360


def side_by_side(images: list[Image.Image], gap: int = 12, bg: str = "#9A9A9A") -> Image.Image:
    """Pictures in a row on a grey sheet (PDF pages, or several long images)."""
    sheet = Image.new("RGB", (sum(i.width for i in images) + gap * (len(images) + 1),
                              max(i.height for i in images) + 2 * gap), bg)
    x = gap
    for im in images:
        sheet.paste(im.convert("RGB"), (x, gap))
        x += im.width + gap
    return sheet


def pdf_pages(pdf: Path, tmp: Path) -> Image.Image | None:
    if shutil.which("pdftoppm") is None:
        return None
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(tmp / "page")], check=True)
    return side_by_side([Image.open(p) for p in sorted(tmp.glob("page-*.png"))])


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for t in list_templates():
            spec = tmp / t.name / f"{t.name}.yaml"
            new_spec(t.name, spec)
            doc = tushuo.load(str(spec))
            fmt = doc.output.format or "png"
            out = spec.with_suffix(".pdf" if fmt == "pdf" else ".png")
            tushuo.render(doc, out)
            im = pdf_pages(out, spec.parent) if fmt == "pdf" else None
            if im is None:
                im = tushuo.render_image(doc)
            im = im.convert("RGB")
            width = WIDTH * 2 if fmt == "pdf" and im.width > im.height else WIDTH  # several pages side by side
            im = im.resize((width, round(im.height * width / im.width)), Image.Resampling.LANCZOS)
            target = OUT / f"{t.name}.jpg"
            im.save(target, quality=82, optimize=True, progressive=True)
            print(f"{target.relative_to(ROOT)}  {im.width}×{im.height}  {target.stat().st_size // 1000} KB")


if __name__ == "__main__":
    main()
