"""A structure tree for the PDF: what a screen reader reads, in reading order.

The PDF painter marks each drawn op while it paints (``/P <</MCID n>> BDC … EMC`` for
text, ``/H1``… for headings, ``/Figure`` with alternative text for pictures and charts,
``/Artifact`` for rules, shapes and backgrounds). reportlab writes no structure tree,
so this module adds one to reportlab's own document just before it is written, as
reportlab objects (no second parse and rewrite of the finished file, which cost a
Simplified manual a quarter of its render time): StructTreeRoot → Document → one
element per marked sequence (inside the grouping elements a tag names, such as
L/LI or Table/TR), a ParentTree that maps every page's marked content back to its
element, /MarkInfo /Marked, and the pages' /StructParents and /Tabs /S.

What this is not (PDF/UA-1 needs more): see ``MISSING``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reportlab.pdfbase.pdfdoc import (  # pdftags is imported only to write a PDF
    PDFObject,
    PDFObjectReference,
)

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

#: What the structure lacks for PDF/UA-1, said once (docs/DESIGN.md quotes it).
MISSING = (
    "links in the contents page carry no /Link structure elements or /OBJR",
    "there is no PDF/UA identifier (pdfuaid) in XMP metadata",
    "fonts' ToUnicode maps come from reportlab and are not checked against the PDF/UA rules",
)


@dataclass(frozen=True)
class Tag:
    """One marked-content sequence: its page (0-based), MCID, role and alternative text.

    ``parents`` are the grouping elements it sits in, outermost first, each (role, key):
    tags naming the same key chain share those elements (``(("L", "3"), ("LI", "3.1"))``).
    """

    page: int
    mcid: int
    role: str
    alt: str | None = None
    parents: tuple[tuple[str, str], ...] = ()


def add_structure(canvas: Canvas, tags: list[Tag]) -> None:
    """Give the canvas's document (all pages shown, not yet saved) the structure tree of ``tags``."""
    from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFString

    doc = canvas._doc
    pages = doc.Pages.pages
    page_refs = [PDFObjectReference(p.__InternalName__) for p in pages]

    def element(role: str, parent: Any, *extra: Any) -> tuple[_Elem, Any]:
        e = _Elem(["/Type /StructElem /S", PDFName(role), "/P", parent, *extra])
        return e, doc.Reference(e)

    tree = PDFDictionary({"Type": PDFName("StructTreeRoot")})
    tree_ref = doc.Reference(tree)
    document, doc_ref = element("Document", tree_ref)
    doc_kids: list[Any] = []
    groups: dict[tuple[tuple[str, str], ...], tuple[_Elem, Any, list]] = {}
    slots: list[list[Any]] = [[] for _ in pages]
    for t in tags:
        parent_ref, siblings = doc_ref, doc_kids
        for depth in range(1, len(t.parents) + 1):
            chain = t.parents[:depth]
            group = groups.get(chain)
            if group is None:
                group = groups[chain] = (*element(chain[-1][0], parent_ref), [])
                siblings.append(group[1])
            _, parent_ref, siblings = group
        extra = ["/Alt", PDFString(t.alt)] if t.alt else []
        _, ref = element(t.role, parent_ref, "/Pg", page_refs[t.page], "/K", str(t.mcid), *extra)
        siblings.append(ref)
        row = slots[t.page]
        row.extend([doc_ref] * (t.mcid + 1 - len(row)))
        row[t.mcid] = ref
    for e, _, kids in groups.values():
        e.parts += ["/K [", *kids, "]"]
    document.parts += ["/K [", *doc_kids, "]"]
    nums: list[Any] = []
    for i, page in enumerate(pages):
        page.__NoDefault__ = [*type(page).__NoDefault__, "StructParents", "Tabs"]
        page.StructParents = i
        page.Tabs = PDFName("S")
        nums += [str(i), "[", *slots[i], "]"]
    tree["K"] = doc_ref
    tree["ParentTree"] = doc.Reference(_Elem(["/Nums [", *nums, "]"]))
    tree["ParentTreeNextKey"] = len(pages)
    doc.Catalog.StructTreeRoot = tree
    doc.Catalog.MarkInfo = PDFDictionary({"Marked": "true"})


class _Elem(PDFObject):
    """A dictionary written in one join: names and numbers as text, references and strings as objects.

    reportlab's PDFDictionary formats and sorts key by key; a manual has hundreds of these.
    """

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts

    def format(self, document: Any) -> bytes:
        ids = document.idToObjectNumberAndVersion
        out = []
        for p in self.parts:
            if isinstance(p, str):
                out.append(p)
            elif isinstance(p, PDFObjectReference):
                out.append("%d %d R" % ids[p.name])
            else:
                out.append(p.format(document).decode("latin-1"))
        return ("<< " + " ".join(out) + " >>").encode("latin-1")


__all__ = ["MISSING", "Tag", "add_structure"]
