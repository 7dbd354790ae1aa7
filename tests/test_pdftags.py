"""The PDF's structure tree (paint/pdftags.py), read back with pypdf: every marked sequence has
its element, in reading order, and writing it imports no PDF library."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tushuo

pypdf = pytest.importorskip("pypdf")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MARK = re.compile(rb"/(\w+) <</MCID (\d+)>> BDC")


@pytest.fixture(scope="module")
def handbook() -> pypdf.PdfReader:
    doc = tushuo.load(EXAMPLES / "election-handbook.yaml")
    return pypdf.PdfReader(io.BytesIO(tushuo.render_bytes(doc, format="pdf")))


def _leaves(elem, out: list) -> list:
    kids = elem.get("/K")
    if isinstance(kids, int):
        out.append(elem)
    else:
        for k in kids or ():
            _leaves(k.get_object(), out)
    return out


def test_every_marked_sequence_maps_to_its_element(handbook: pypdf.PdfReader) -> None:
    root = handbook.trailer["/Root"]
    tree = root["/StructTreeRoot"].get_object()
    document = tree["/K"].get_object()
    assert document["/S"] == "/Document" and bool(root["/MarkInfo"]["/Marked"])
    nums = tree["/ParentTree"].get_object()["/Nums"]
    assert tree["/ParentTreeNextKey"] == len(handbook.pages) == len(nums) // 2
    marked = 0
    for i, page in enumerate(handbook.pages):
        assert page["/StructParents"] == i and page["/Tabs"] == "/S"
        assert nums[2 * i] == i
        parents = nums[2 * i + 1]
        seen = [(role.decode(), int(mcid)) for role, mcid in MARK.findall(page.get_contents().get_data())]
        assert [m for _, m in seen] == list(range(len(seen)))  # MCIDs 0, 1, 2 … in paint order
        assert len(parents) == len(seen)
        for (role, mcid), ref in zip(seen, parents):
            elem = ref.get_object()
            assert elem["/S"] == "/" + role and elem["/K"] == mcid
            assert elem["/Pg"].get_object() == page.get_object()
        marked += len(seen)
    leaves = _leaves(document, [])
    assert len(leaves) == marked > 60
    # reading order: the tree's leaves run page by page, MCID by MCID
    pages = [p.indirect_reference.idnum for p in handbook.pages]
    order = [(pages.index(e.raw_get("/Pg").idnum), e["/K"]) for e in leaves]
    assert order == sorted(order)


def test_headings_paragraphs_and_artifacts(handbook: pypdf.PdfReader) -> None:
    leaves = _leaves(handbook.trailer["/Root"]["/StructTreeRoot"]["/K"].get_object(), [])
    roles = [e["/S"] for e in leaves]
    assert roles.count("/H1") >= 2 and roles.count("/H2") >= 3 and roles.count("/P") > 40
    data = handbook.pages[3].get_contents().get_data()
    assert data.count(b"/Artifact BMC") > 5  # rules, boxes, the running header and page number
    assert data.count(b"BMC") + data.count(b"BDC") == data.count(b"EMC")


def test_writing_a_pdf_imports_no_pdf_library(tmp_path: Path) -> None:
    """pypdf is a test dependency only: the CLI writes the tree and counts the pages itself."""
    code = (
        "import sys\nfrom tushuo.cli import main\n"
        f"rc = main(['render', {str(EXAMPLES / 'election-handbook.yaml')!r}, '-o', {str(tmp_path / 'h.pdf')!r}])\n"
        "print(rc, 'pypdf' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.split()[-2:] in (["0", "False"], ["None", "False"]), out.stdout + out.stderr
    assert " 7 pages, " in out.stdout + out.stderr
