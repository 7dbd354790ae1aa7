"""A structure tree for the PDF: what a screen reader reads, in reading order.

The PDF painter marks each drawn op while it paints (``/P <</MCID n>> BDC … EMC`` for
text, ``/H1``… for headings, ``/Figure`` with alternative text for pictures and charts,
``/Artifact`` for rules, shapes and backgrounds). reportlab writes no structure tree,
so this module adds one to the finished file with pypdf (already a dependency):
StructTreeRoot → Document → one element per marked sequence, a ParentTree that maps
every page's marked content back to its element, /MarkInfo /Marked, and the pages'
/StructParents and /Tabs /S.

What this is not (PDF/UA-1 needs more): lists, tables and table headers are tagged as
paragraphs, not L/LI and Table/TR/TH/TD; the running header and page numbers are
tagged as text, not artifacts of pagination; links carry no /Link structure elements
or /OBJR; there is no PDF/UA identifier in XMP metadata; fonts' ToUnicode maps come
from reportlab and are not checked against the PDF/UA rules.
"""

from __future__ import annotations

import io
from dataclasses import dataclass


@dataclass(frozen=True)
class Tag:
    """One marked-content sequence: its page (0-based), MCID, role and alternative text."""

    page: int
    mcid: int
    role: str
    alt: str | None = None


def add_structure(data: bytes, tags: list[Tag]) -> bytes:
    """``data`` (a PDF whose page streams carry the MCIDs in ``tags``) with a structure tree."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    root = writer._root_object
    tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    tree_ref = writer._add_object(tree)
    document = DictionaryObject({
        NameObject("/Type"): NameObject("/StructElem"),
        NameObject("/S"): NameObject("/Document"),
        NameObject("/P"): tree_ref,
    })
    doc_ref = writer._add_object(document)
    kids = ArrayObject()
    by_page: dict[int, list] = {}
    pages = writer.pages
    for t in tags:
        page = pages[t.page]
        elem = DictionaryObject({
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/" + t.role),
            NameObject("/P"): doc_ref,
            NameObject("/Pg"): page.indirect_reference,
            NameObject("/K"): NumberObject(t.mcid),
        })
        if t.alt:
            elem[NameObject("/Alt")] = TextStringObject(t.alt)
        ref = writer._add_object(elem)
        kids.append(ref)
        slots = by_page.setdefault(t.page, [])
        while len(slots) <= t.mcid:
            slots.append(None)
        slots[t.mcid] = ref
    document[NameObject("/K")] = kids
    nums = ArrayObject()
    for i, page in enumerate(pages):
        page[NameObject("/StructParents")] = NumberObject(i)
        page[NameObject("/Tabs")] = NameObject("/S")
        slots = by_page.get(i, [])
        nums.append(NumberObject(i))
        nums.append(ArrayObject([s if s is not None else doc_ref for s in slots]))
    tree[NameObject("/K")] = doc_ref
    tree[NameObject("/ParentTree")] = writer._add_object(DictionaryObject({NameObject("/Nums"): nums}))
    tree[NameObject("/ParentTreeNextKey")] = NumberObject(len(pages))
    root[NameObject("/StructTreeRoot")] = tree_ref
    root[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


__all__ = ["Tag", "add_structure"]
