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
    # one entry per page, then one per contents link (its annotation's StructParent)
    links = sum(len(p.get("/Annots", ())) for p in handbook.pages)
    assert tree["/ParentTreeNextKey"] == len(handbook.pages) + links == len(nums) // 2
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
    # reading order: the Document's parts, and each list's items, run in paint order
    pages = [p.indirect_reference.idnum for p in handbook.pages]

    def first(elem) -> tuple[int, int]:
        leaf = _leaves(elem, [])[0]
        return pages.index(leaf.raw_get("/Pg").idnum), leaf["/K"]

    parts = [k.get_object() for k in document["/K"]]
    assert [first(e) for e in parts] == sorted(first(e) for e in parts)
    for lst in (e for e in parts if e["/S"] == "/L"):
        items = [k.get_object() for k in lst["/K"]]
        assert [first(i) for i in items] == sorted(first(i) for i in items)


def _kids(elem) -> list:
    return [k.get_object() for k in elem["/K"]]


def test_steps_are_lists_with_numbered_items(handbook: pypdf.PdfReader) -> None:
    """The handbook's three steps blocks (4, 4 and 7 items; 3 of them decisions, unnumbered)."""
    parts = _kids(handbook.trailer["/Root"]["/StructTreeRoot"]["/K"].get_object())
    lists = [e for e in parts if e["/S"] == "/L"]
    assert [len(_kids(lst)) for lst in lists] == [4, 4, 7]
    items = [i for lst in lists for i in _kids(lst)]
    assert all(i["/S"] == "/LI" for i in items)
    labels = [k for i in items for k in _kids(i) if k["/S"] == "/Lbl"]
    assert len(labels) == 12  # the numbered steps; decisions carry no badge number
    bodies = [k for i in items for k in _kids(i) if k["/S"] == "/LBody"]
    assert len(bodies) == 15 and all(_kids(b) for b in bodies)
    # a decision's arrow label is read with the decision it leaves
    text = handbook.pages[4].extract_text()
    assert "否，取消资格，依次递补" in text


def test_tables_have_rows_header_cells_and_scopes() -> None:
    doc = tushuo.load(EXAMPLES / "station-comparison.yaml")
    (block,) = [b for b in doc.blocks if b.type == "comparison"]
    pdf = pypdf.PdfReader(io.BytesIO(tushuo.render_bytes(doc, format="pdf")))
    parts = _kids(pdf.trailer["/Root"]["/StructTreeRoot"]["/K"].get_object())
    (table,) = [e for e in parts if e["/S"] == "/Table"]
    rows = _kids(table)
    assert all(r["/S"] == "/TR" for r in rows) and len(rows) == 1 + len(block.rows)
    head = _kids(rows[0])
    assert [c["/S"] for c in head] == ["/TH"] * len(block.columns)
    assert all(c["/A"]["/Scope"] == "/Column" for c in head)
    for r in rows[1:]:
        cells = _kids(r)
        assert [c["/S"] for c in cells] == ["/TH"] + ["/TD"] * (len(cells) - 1) and len(cells) >= 3
        assert cells[0]["/A"]["/Scope"] == "/Row"


def test_contents_entries_are_links() -> None:
    doc = tushuo.load(EXAMPLES / "basics.yaml")
    pdf = pypdf.PdfReader(io.BytesIO(tushuo.render_bytes(doc, format="pdf")))
    parts = _kids(pdf.trailer["/Root"]["/StructTreeRoot"]["/K"].get_object())
    (toc,) = [e for e in parts if e["/S"] == "/TOC"]
    entries = _kids(toc)
    assert len(entries) >= 3 and all(e["/S"] == "/TOCI" for e in entries)
    assert all([k["/S"] for k in _kids(e)] == ["/Link"] for e in entries)
    # each Link holds its entry's words and points at its annotation, which points back
    nums = pdf.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    parent_of = {nums[i]: nums[i + 1] for i in range(0, len(nums), 2)}
    annots = [a.get_object() for p in pdf.pages for a in p.get("/Annots", ())]
    assert len(annots) == len(entries)
    for entry, annot in zip(entries, annots):
        (link,) = _kids(entry)
        objr = link["/K"][-1].get_object()
        assert objr["/Type"] == "/OBJR" and objr["/Obj"].get_object() == annot
        assert parent_of[annot["/StructParent"]].get_object() == link
        assert annot["/Contents"] and annot["/Contents"] in pdf.pages[1].extract_text()


def test_headings_paragraphs_and_artifacts(handbook: pypdf.PdfReader) -> None:
    leaves = _leaves(handbook.trailer["/Root"]["/StructTreeRoot"]["/K"].get_object(), [])
    roles = [e["/S"] for e in leaves]
    assert roles.count("/H1") >= 2 and roles.count("/H2") >= 3 and roles.count("/P") > 30
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


def test_a_table_over_pages_is_one_table_its_repeated_header_an_artifact() -> None:
    rows = [[f"第{i}行", f"内容{i}" * 6, str(i)] for i in range(60)]
    doc = tushuo.load({"title": "长表", "blocks": [{"type": "table", "header": ["名称", "说明", "数"], "rows": rows}]})
    pdf = pypdf.PdfReader(io.BytesIO(tushuo.render_bytes(doc, format="pdf")))
    assert len(pdf.pages) > 3
    assert sum(p.extract_text().count("名称") for p in pdf.pages) == len(pdf.pages) - 1  # repeated on each body page
    parts = _kids(pdf.trailer["/Root"]["/StructTreeRoot"]["/K"].get_object())
    (table,) = [e for e in parts if e["/S"] == "/Table"]
    rows_ = _kids(table)
    assert len(rows_) == 61 and [len(_kids(r)) for r in rows_] == [3] * 61
    assert [c["/S"] for c in _kids(rows_[0])] == ["/TH"] * 3
    assert all(c["/S"] == "/TD" for r in rows_[1:] for c in _kids(r))
