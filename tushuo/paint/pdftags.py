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

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reportlab.pdfbase.pdfdoc import (  # pdftags is imported only to write a PDF
    PDFObject,
    PDFObjectReference,
)

from ..frame import BBox, Frame, Glyphs, Group, Text

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

#: What the structure lacks for PDF/UA-1, said once (docs/DESIGN.md quotes it).
MISSING = (
    "there is no PDF/UA identifier (pdfuaid) in XMP metadata: not claimed while these gaps remain",
    "pictures in cards, banners, quotes and comparison cells are artifacts: the spec has no "
    "alternative text for them (image blocks and charts do)",
    "a comparison's header row has no cell above the row labels, so its rows have one cell "
    "more than the header (no /ColSpan or empty TH)",
    "heading levels are the text roles' (a section's number badge is an H2 before its H1 "
    "title), not checked for PDF/UA's nesting",
    "fonts' ToUnicode maps come from reportlab and nothing here was checked with a PDF/UA "
    "validator (veraPDF, PAC)",
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


#: Box kinds (frame.Box) whose items read as a list: each item one LI of its block's L
#: (a step's badge number its Lbl). Stats stay paragraphs: their numbers are values, not labels.
LIST_ITEMS = frozenset({"step", "checklist-item", "event", "card"})
_LABEL = re.compile(r"\d{1,3}|[①-⑳]|[一二三四五六七八九十]{1,3}、?")


class Structure:
    """Where each painted op sits in the document: a list item, a table cell, a contents entry.

    Built from the document's frame (its item boxes and the block each lies in) and the
    book (the contents page's links). Body pages paint bands of the frame moved down or up;
    ``offset`` finds how far from the texts they share, so a cell or an item is recognised
    on whatever page it lands. A text painted a second time (a table's header row repeated
    after a page break) is an artifact: its element already holds it.
    """

    def __init__(self, frame: Frame, links: list[tuple[tuple[str, BBox], ...]]) -> None:
        self._texts: dict[tuple, list[float]] = {}
        for op in frame.walk():
            if isinstance(op, Text) and op.runs:
                self._texts.setdefault(_text_key(op), []).append(op.box[1])
        kinds = LIST_ITEMS | {"table-row", "row", "header", "label"}
        self._boxes = sorted((b for b in frame.boxes if b.kind in kinds), key=lambda b: b.w * b.h)
        self._origins = sorted(frame.origins, key=lambda o: o[1] - o[0])
        self._links = links
        self._seen: set[tuple] = set()

    def offset(self, group: Group) -> float | None:
        """How far the band ``group`` moved its ops from the frame (None: not a band of the frame)."""
        votes: dict[float, int] = {}
        for op in _texts_in(group.ops, 24):
            for y in self._texts.get(_text_key(op), ()):
                d = round(op.box[1] - y, 2)
                votes[d] = votes.get(d, 0) + 1
        return max(votes, key=votes.__getitem__) if votes else None

    def place(self, op: Any, role: str, page: int, dy: float | None) -> tuple[str | None, tuple]:
        """(role, parents) of a tagged op: its role (None: an artifact) and its grouping elements."""
        x, y, w, h = op.box if isinstance(op, Text) else op.bbox()
        cx, cy = x + w / 2, y + h / 2
        if dy is None:
            for key, (lx, ly, lw, lh) in self._links[page] if page < len(self._links) else ():
                if lx <= cx <= lx + lw and ly <= cy <= ly + lh:
                    return "Span", (("TOC", "toc"), ("TOCI", key), ("Link", key))
            return role, ()
        fy = cy - dy
        if isinstance(op, Text) and op.runs:
            seen = (_text_key(op), round(fy, 1), round(op.runs[0].y - dy, 1))
            if seen in self._seen:
                return None, ()
            self._seen.add(seen)
        box = next((b for b in self._boxes if b.x <= cx <= b.x + b.w and b.y <= fy <= b.y + b.h), None)
        if box is None or not isinstance(op, (Text, Glyphs)):
            return role, ()
        block = next((o[2] for o in self._origins if o[0] <= fy <= o[1]), "")
        if box.kind in ("table-row", "row", "header"):
            head = box.kind == "header" or box.key == "header"
            row = block + (".header" if head else "." + box.key)
            # a comparison row starts with its label: the row's header
            if not head and box.kind == "row" and (row, "TH") not in self._seen:
                self._seen.add((row, "TH"))
                head = True
            return ("TH" if head else "TD"), (("Table", block), ("TR", row))
        item = block + "." + (box.key.split("->")[0] if box.kind == "label" else box.key or f"{box.x},{box.y}")
        parents = (("L", block), ("LI", item))
        if box.kind == "step" and _LABEL.fullmatch(op.text.strip()) and (item, "Lbl") not in self._seen:
            self._seen.add((item, "Lbl"))
            return "Lbl", parents
        return role, (*parents, ("LBody", item))


def _text_key(op: Text) -> tuple:
    """A text op recognisable wherever a band moved it: its words, x and size."""
    x, _, w, h = op.box
    return (op.text, round(x, 2), round(w, 2), round(h, 2))


def _texts_in(ops: Any, limit: int) -> list[Text]:
    out: list[Text] = []
    stack = list(reversed(ops))
    while stack and len(out) < limit:
        op = stack.pop()
        if isinstance(op, Text) and op.runs:
            out.append(op)
        elif isinstance(op, Group) and not op.alt:
            stack.extend(reversed(op.ops))
    return out


def add_link(canvas: Canvas, page: int, key: str, rect: tuple[float, float, float, float], words: str,
             links: dict[tuple[int, str], Any]) -> None:
    """A link annotation to bookmark ``key`` (its /Contents ``words``), kept in ``links`` so the
    contents entry's Link element can point at it (/OBJR) and it back (/StructParent)."""
    name = f"tushuo-link-{len(links)}"
    canvas.linkAbsolute(words, key, Rect=rect, name=name)
    links[(page, key)] = canvas._doc.idToObject[canvas._doc.annotationName(name)]


def add_structure(canvas: Canvas, tags: list[Tag], links: dict[tuple[int, str], Any] | None = None) -> None:
    """Give the canvas's document (all pages shown, not yet saved) the structure tree of ``tags``
    (``links``: the annotations ``add_link`` made, by page and bookmark key)."""
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
    link_objs: list[tuple[tuple[_Elem, Any, list], Any, int]] = []
    parent_entries: list[Any] = []  # a link annotation's StructParent → its Link element
    for t in tags:
        parent_ref, siblings = doc_ref, doc_kids
        for depth in range(1, len(t.parents) + 1):
            chain = t.parents[:depth]
            group = groups.get(chain)
            if group is None:
                group = groups[chain] = (*element(chain[-1][0], parent_ref), [])
                siblings.append(group[1])
                annot = (links or {}).get((t.page, chain[-1][1])) if chain[-1][0] == "Link" else None
                if annot is not None:
                    link_objs.append((group, annot, t.page))
            _, parent_ref, siblings = group
        extra = ["/Alt", PDFString(t.alt)] if t.alt else []
        if t.role == "TH":  # a header row's cells head their columns; a row's first cell heads its row
            scope = "Column" if t.parents[-1][1].endswith(".header") else "Row"
            extra += [f"/A << /O /Table /Scope /{scope} >>"]
        _, ref = element(t.role, parent_ref, "/Pg", page_refs[t.page], "/K", str(t.mcid), *extra)
        siblings.append(ref)
        row = slots[t.page]
        row.extend([doc_ref] * (t.mcid + 1 - len(row)))
        row[t.mcid] = ref
    for n, ((_, ref, kids), annot, page_no) in enumerate(link_objs, start=len(pages)):
        annot.permitted = (*annot.permitted, "StructParent")
        annot.otherkw["StructParent"] = n
        kids.append(_Elem(["/Type /OBJR /Obj", doc.Reference(annot), "/Pg", page_refs[page_no]]))
        parent_entries += [str(n), ref]
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
    tree["ParentTree"] = doc.Reference(_Elem(["/Nums [", *nums, *parent_entries, "]"]))
    tree["ParentTreeNextKey"] = len(pages) + len(link_objs)
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


__all__ = ["LIST_ITEMS", "MISSING", "Structure", "Tag", "add_link", "add_structure"]
