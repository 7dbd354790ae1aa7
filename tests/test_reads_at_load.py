"""After ``tushuo.load``, laying out and painting open no user file (issue #20).

An audit hook watches every ``open`` in the process; while a test is inside
``no_user_files()`` it records any path outside the places tushuo and its
libraries read from (the package, the bundled fonts and layouts, the Python
installation, matplotlib's cache). The examples' pictures, CSV files and themes
all sit in examples/, so reading one there after load is caught.
"""

from __future__ import annotations

import contextlib
import os
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import tushuo
from tushuo import assets
from tushuo.inputs import make_context
from tushuo.layout.stack import layout_document
from tushuo.paint.encode import encode
from tushuo.paint.raster import paint
from tushuo.paint.svg import render_svg
from tushuo.pipeline import render_pdf
from tushuo.resources import fonts_dir, layouts_dir

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SPECS = sorted(p.name for p in EXAMPLES.glob("*.yaml"))

_watching: list[list[str]] = []


def _allowed_roots() -> tuple[str, ...]:
    roots = {Path(tushuo.__file__).parent, fonts_dir(), layouts_dir(), Path(sys.prefix), Path(sys.base_prefix),
             Path(sysconfig.get_paths()["purelib"]), Path(sysconfig.get_paths()["platlib"]),
             Path("/dev"), Path("/proc"), Path("/sys"), Path("/etc"), Path("/usr")}
    with contextlib.suppress(Exception):
        import matplotlib

        roots |= {Path(matplotlib.get_cachedir()), Path(matplotlib.get_configdir())}
    roots |= {Path(p) for p in sys.path if p and Path(p).is_dir() and "site-packages" in p}
    return tuple(sorted(str(r.resolve()) + os.sep for r in roots))


ALLOWED = _allowed_roots()


def _hook(event: str, args: tuple) -> None:
    if event != "open" or not _watching or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.fsdecode(args[0])
    full = os.path.realpath(path) if os.path.isabs(path) else os.path.realpath(os.path.join(os.getcwd(), path))
    if not (full + os.sep).startswith(ALLOWED) and not any((full + os.sep).startswith(a) for a in ALLOWED):
        _watching[-1].append(full)


sys.addaudithook(_hook)  # hooks cannot be removed: it stays idle outside no_user_files()


@contextlib.contextmanager
def no_user_files() -> Iterator[list[str]]:
    """The paths opened inside the block that are not tushuo's or its libraries' own files."""
    seen: list[str] = []
    _watching.append(seen)
    try:
        yield seen
    finally:
        _watching.pop()


def _outputs(doc: tushuo.Document) -> tuple[bytes, bytes, bytes]:
    ctx = make_context(doc)
    frame = layout_document(doc, ctx)
    png = encode(paint(frame, fonts=frame.fonts), "png")
    return png, render_pdf(frame, doc), render_svg(frame, doc)


def test_the_hook_sees_a_user_file_opened(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("x")
    with no_user_files() as seen:
        (tmp_path / "x.txt").read_text()
        Path(tushuo.__file__).read_bytes()  # the package's own files are fine
    assert seen == [str((tmp_path / "x.txt").resolve())]


def test_the_temp_folder_is_not_allowed() -> None:
    assert not any((os.path.realpath(tempfile.gettempdir()) + os.sep).startswith(a) for a in ALLOWED)
    assert not any((str(EXAMPLES) + os.sep).startswith(a) for a in ALLOWED)


@pytest.mark.parametrize("spec", SPECS)
def test_layout_and_paint_open_no_user_file_after_load(spec: str) -> None:
    expected = _outputs(tushuo.load(EXAMPLES / spec))  # a first render, files allowed
    doc = tushuo.load(EXAMPLES / spec)
    assets._cache.clear()  # the gate's decoded-picture cache would hide a second read
    with no_user_files() as seen:
        got = _outputs(doc)
    assert seen == []
    assert got == expected  # byte-identical PNG, PDF and SVG


def test_a_document_built_in_python_reads_its_pictures_once(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 30), "#336699").save(tmp_path / "p.png")
    doc = tushuo.Document(title="t", blocks=[{"type": "image", "src": "p.png"}])
    doc.base_dir = str(tmp_path)
    ctx = make_context(doc)  # the first context reads the picture through the gate
    assert ctx.pictures["p.png"].size == (40, 30)
    assets._cache.clear()
    with no_user_files() as seen:
        layout_document(doc, make_context(doc))
        layout_document(doc, make_context(doc, width=540, theme="gov-blue"))
    assert seen == []
