"""One spec file rendered the way the command line does it (load, render, name the output).

Its own module because two commands share it: ``tushuo render`` and ``tushuo watch``
(which re-renders on every change); keeping it out of cli.py keeps watch from
importing the command line back.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from .errors import SpecError

SUFFIX = {"png": ".png", "jpeg": ".jpg", "jpg": ".jpg", "webp": ".webp", "pdf": ".pdf", "svg": ".svg"}


def say_error(*lines: str) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def describe_output(path: Path) -> str:
    """``out.png  1080×5234 px, 1.2 MB`` for the success message."""
    from .humanize import human_size

    size = human_size(path.stat().st_size)
    # The size alone is fine when the header cannot be read.
    if path.suffix.lower() == ".png":
        dims = _png_size(path)
        if dims is not None:
            return f"{path}  {dims[0]}×{dims[1]} px, {size}"
    if path.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp"):
        with contextlib.suppress(Exception):
            from PIL import Image

            with Image.open(path) as im:
                return f"{path}  {im.width}×{im.height} px, {size}"
    if path.suffix.lower() == ".pdf":
        pages = _pdf_pages(path)
        if pages is not None:
            return f"{path}  {pages} pages, {size}"
    return f"{path}  {size}"


def _png_size(path: Path) -> tuple[int, int] | None:
    """A PNG's width and height, from its IHDR chunk (the first, bytes 16-24 of every PNG).

    Read from the bytes rather than with Pillow: opening the file would import Pillow's
    PNG plugin (2-3 ms of a cold ``tushuo render``) only to print these two numbers.
    """
    import struct

    with contextlib.suppress(OSError), path.open("rb") as f:
        head = f.read(24)
        if len(head) == 24 and head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
            width, height = struct.unpack(">II", head[16:24])
            return width, height
    return None


def _pdf_pages(path: Path) -> int | None:
    """The page count of a PDF tushuo wrote (reportlab's page tree: ``/Count N /Kids [...]``).

    Read from the bytes rather than with a PDF library: a cold ``tushuo render`` would
    otherwise import one (pypdf: a tenth of a second) only to print this number.
    """
    import re

    with contextlib.suppress(OSError):
        found = re.findall(rb"/Count (\d+)\s*/Kids", path.read_bytes())
        if len(found) == 1:
            return int(found[0])
    return None


def existing_file(path: str, what: str = "spec") -> Path:
    p = Path(path)
    if not p.exists():
        raise SpecError(f"no such {what} file", file=path)
    if p.is_dir():
        raise SpecError(f"is a folder, not a {what} file", file=path)
    return p


def load_data(path: str | None, sheet: str | None = None) -> Any:
    if path is None:
        if sheet is not None:
            raise SpecError("--sheet goes with --data BOOK.xlsx")
        return None
    existing_file(path, "data")
    from .loader import load_data_file

    return load_data_file(path, sheet=sheet)


def default_output(spec: Path, fmt: str | None, doc: Any = None) -> Path:
    """Beside the spec, with the format's suffix: handbook.yaml → handbook.png."""
    if fmt is None and doc is not None:
        fmt = doc.output.format
    return spec.with_suffix(SUFFIX[fmt or "png"])


def resolve_output(spec: Path, out: str | None, options: dict[str, Any], doc: Any) -> Path:
    """Where ``render`` writes: -o as given (render checks its suffix), else beside the spec."""
    if out is None:
        return default_output(spec, options.get("format"), doc)
    return Path(out)


def render_spec(spec: str | Path, out: str | None, options: dict[str, Any], data_file: str | None = None, *,
                sheet: str | None = None) -> list[Path]:
    """Load and render one spec; the paths written. Raises SpecError for bad input."""
    from .api import load

    if out is not None and out.strip() == "-":
        raise SpecError("-o -: tushuo does not write pictures to standard output; give a file or folder name")
    spec = existing_file(str(spec))
    data = load_data(data_file, sheet)
    doc = load(str(spec), data=data)
    options = dict(options)
    target = resolve_output(spec, out, options, doc)
    is_dir = out is not None and (out.endswith(("/", os.sep)) or target.is_dir())
    folder = (target if is_dir else target.parent).absolute()
    made = [d for d in (folder, *folder.parents) if not d.exists()]  # to remove again if the render fails
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return _render_into(spec, doc, target, options)
    except BaseException:
        for d in made:  # innermost first; rmdir removes only folders still empty
            try:
                d.rmdir()
            except OSError:
                break
        raise


def _render_into(spec: Path, doc: Any, target: Path, options: dict[str, Any]) -> list[Path]:
    """Render with warnings (characters drawn as boxes) printed located, like check's."""
    import warnings

    from .api import render
    from .errors import TushuoWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TushuoWarning)
        paths = [Path(p) for p in render(doc, target, **options)]
    for w in caught:  # e.g. characters drawn as boxes with --allow-missing-glyphs, located like check's
        if issubclass(w.category, TushuoWarning):
            # imported only when there is something to say: a cold render saves the import
            from .check import note_finding

            say_error(note_finding(str(spec), doc, str(w.message)).format())
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return paths
