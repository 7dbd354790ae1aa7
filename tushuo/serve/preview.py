"""One preview of an editor's text: problems, picture tiles, slice lines, PDF pages, click targets.

The text is loaded as the file it will be saved to (``load(text, file=...)``), so messages
and relative paths are the same as the command line's. Blocks come from the BlockMemo.
The picture is sent as tiles, one per band between block edges; a tile's key says what
is in it (the digest of the block it lies in, its offset in that block, the neighbours'
digests for anything that spills over an edge), so after a keystroke only the bands of
the edited block are painted and fetched again. The browser stacks the tiles.

Problems are ``tushuo check``'s findings for the same layout (errors: what a render would
fail on; warnings: the lints), each formatted exactly as the command line prints it
when run in the folder (``name.yaml:LINE:COL: path: message``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import re
import threading
import time
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SpecError, SpecErrors
from ..lru import BoundedLRU
from .memo import BlockMemo

if TYPE_CHECKING:
    from ..layout.context import LayoutContext
    from ..layout.frame import Frame
    from ..spec.document import Document

#: Preview tiles are painted this many device px wide (the pane shows about 540 CSS px;
#: with a sharp (2x) screen the browser asks for ``scale`` 2).
TILE_WIDTH = 540
#: Painted tiles kept (PNG bytes).
TILE_BYTES = 96 * 1024 * 1024
#: Device rows per tile: an edit inside a tall block re-sends only the tiles whose pixels changed.
CHUNK = 128
#: Bands remembered for the next edit's comparison.
MAX_LAST = 4096
#: Design px around a changed op repainted too (stroke halves, arrow heads, shadows).
DIRTY_MARGIN = 12

_ITEM_KEY = re.compile(r"^[a-z_]+\[\d+\]$")


@dataclass
class Preview:
    """The answer to one preview request (``as_json`` is what the browser gets)."""

    problems: list[dict[str, Any]] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    scale: float = 0.5
    tiles: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    slices: list[float] = field(default_factory=list)
    pages: dict[str, Any] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    painted: int = 0
    #: tiles painted for this preview, sent with it (base64) to save the page a request each
    fresh: dict[str, bytes] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "problems": self.problems, "width": self.width, "height": self.height, "scale": self.scale,
            "tiles": self.tiles, "targets": self.targets, "slices": self.slices, "pages": self.pages,
            "timings": self.timings, "painted": self.painted,
            "data": {k: base64.b64encode(v).decode("ascii") for k, v in self.fresh.items()},
        }


def problem(name: str, err: SpecError, level: str = "error", code: str = "error") -> dict[str, Any]:
    """A located problem for the editor; ``text`` is the command line's line for it."""
    located = SpecError(err.message, file=name, line=err.line, col=err.col, path=err.path)
    text = located.format()
    if level == "warning":
        loc = located.location()
        text = f"{loc}: warning: {text[len(loc) + 2:]}"
    return {"level": level, "line": err.line, "col": err.col, "path": err.path, "message": err.message,
            "text": text, "code": code}


class Previewer:
    """Previews for one folder: the block memo and the painted tiles, shared by every file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.memo = BlockMemo()
        self.tiles = BoundedLRU(max_bytes=TILE_BYTES)  # pixel key → PNG bytes
        self.bands = BoundedLRU(max_entries=8192)  # band key → its tiles (pixel key, first row, end row)
        #: (block path, band place) → (block digest, tiles) at the last preview: what an edit changes
        self.last: dict[tuple[str, str], tuple[str, list]] = {}
        self.lock = threading.Lock()

    def clear(self) -> None:
        """Forget laid-out blocks and tiles (a picture or data file in the folder changed)."""
        with self.lock:
            self.memo.clear()
            self.tiles.clear()
            self.bands.clear()
            self.last.clear()

    def tile(self, key: str) -> bytes | None:
        return self.tiles.get(key)

    def preview(self, name: str, text: str, *, width: float | None = None, theme: str | None = None,
                density: float = 1.0, pages: bool = True) -> Preview:
        """Load, lay out, lint and tile ``text`` as the folder's file ``name``.

        ``pages``: also plan the PDF's pages (the page view shows them).
        """
        with self.lock:
            return self._preview(name, text, width, theme, density, pages)

    def _preview(self, name: str, text: str, width: float | None, theme: str | None, density: float,
                 pages: bool) -> Preview:
        from ..api import load
        from ..check import lint_document
        from ..inputs import make_context
        from ..layout.stack import layout_document

        out = Preview()
        t0 = time.perf_counter()
        try:
            doc = load(text, file=self.folder / name)
            t1 = time.perf_counter()
            ctx = make_context(doc, width=width, theme=theme or None, allow_missing_glyphs=True)
            self.memo.start(ctx, doc.base_dir)
            frame = layout_document(doc, ctx)
            t2 = time.perf_counter()
            findings = lint_document(doc, name=name, laid_out=(frame, ctx))
        except SpecErrors as errs:
            out.problems = [problem(name, e) for e in errs.errors]
            return out
        except SpecError as err:
            out.problems = [problem(name, err)]
            return out
        t3 = time.perf_counter()
        for f in findings:
            found = SpecError(f.message, file=f.file, line=f.line, col=f.col, path=f.path)
            out.problems.append(problem(name, found, f.level, f.code))
        out.width, out.height = frame.width, frame.height
        out.scale = round(TILE_WIDTH * max(1.0, min(density, 2.0)) / frame.width, 4)
        out.tiles, out.fresh = self._tiles(frame, ctx, doc, out.scale)
        out.painted = len(out.fresh)
        t4 = time.perf_counter()
        out.targets = targets(frame, doc)
        out.slices = slice_lines(frame, doc)
        out.pages = page_plan(frame, doc) if pages else None
        out.timings = {"load": t1 - t0, "layout": t2 - t1, "check": t3 - t2, "paint": t4 - t3,
                       "total": time.perf_counter() - t0}
        return out

    # -- tiles ----------------------------------------------------------------------
    def _tiles(self, frame: Frame, ctx: LayoutContext, doc: Document, scale: float) -> tuple[list[dict], dict[str, bytes]]:
        """The picture as tiles: a band per block edge, each cut into chunks of CHUNK rows.

        A band whose key (what is in it) was seen before is not painted again. A painted
        band's chunks are keyed by their pixels, so within an edited block only the
        chunks that really changed are encoded and fetched again.
        """
        from ..paint.raster import Painter

        digests = dict(self.memo.digests)
        if doc.footer is not None:
            digests["footer"] = _digest(doc.footer.model_dump_json())
        origins = sorted(frame.origins, key=lambda o: o[1] - o[0])  # innermost first
        edges = sorted({0.0, frame.height, *(a for a, _, _ in origins), *(b for _, b, _ in origins)})
        edges = [e for e in edges if 0 <= e <= frame.height]
        common = f"{frame.width!r}|{scale!r}|{frame.background}|{ctx.theme.model_dump_json()}"
        painter: Painter | None = None
        tiles: list[dict] = []
        fresh: dict[str, bytes] = {}
        for top, bottom in pairwise(edges):
            r0, r1 = round(top * scale), round(bottom * scale)
            if r1 <= r0:
                continue
            inside = next((o for o in origins if o[0] <= top and bottom <= o[1]), None)
            # where the band sits in its block, and its rows' rounding (which decides pixels too)
            rel = top - inside[0] if inside is not None else top
            shape = f"{common}|{rel!r}|{bottom - top!r}|{r0 - top * scale:.4f}|{r1 - r0}"
            if inside is None:
                # a gap between blocks is page background, unless a block beside it draws into it
                beside = [o[2] for o in origins if abs(o[1] - top) < 1e-6 or abs(o[0] - bottom) < 1e-6]
                spill = [digests.get(w, w) for w in beside if w not in self.memo.digests
                         or self.memo.spills(self.memo.digests[w])]
                key = f"gap|{'|'.join(spill)}|{shape}"
            else:
                key = f"{digests.get(inside[2], inside[2])}|{shape}"
            chunks = self.bands.get(key)
            if chunks is None or any(self.tiles.get(c) is None for c, _, _ in chunks):
                if painter is None:
                    painter = Painter(frame, scale=scale, fonts=ctx.fonts)
                # the same band of the same block before this edit: repaint only where ops differ
                dirty = None
                if inside is not None:
                    dirty = self._dirty(self.last.get((inside[2], shape)), digests.get(inside[2]), rel, scale, r1 - r0)
                chunks = self._paint_band(painter, r0, r1, dirty, fresh)
                self.bands.put(key, chunks)
            if inside is not None:
                if len(self.last) > MAX_LAST:
                    self.last.clear()  # only the latest few previews matter
                self.last[(inside[2], shape)] = (digests.get(inside[2], ""), chunks)
            tiles.extend({"key": c, "r0": r0 + a, "r1": r0 + b} for c, a, b in chunks)
        return tiles, fresh

    def _dirty(self, before: tuple[str, list] | None, digest: str | None, offset: float, scale: float,
               rows: int) -> tuple[list, list[tuple[int, int]]] | None:
        """(old chunks, changed row spans of the band) when only some ops of its block changed; else None.

        ``before`` is what this band of the same block looked like at the last preview; the
        ops of the two laid-out blocks (block-local, so a block that moved still compares)
        that are not in both mark the rows to paint again, with a margin for strokes.
        """
        if before is None or digest is None or before[0] == digest:
            return None
        old, new = self.memo.frame(before[0]), self.memo.frame(digest)
        if old is None or new is None or old.height != new.height:
            return None
        try:
            changed = set(old.ops) ^ set(new.ops)
        except TypeError:  # an op that cannot be hashed: paint it all
            return None
        spans = []
        for op in changed:
            _, y, _, h = op.bbox()
            a = math.floor((y - offset - DIRTY_MARGIN) * scale)
            b = math.ceil((y + h - offset + DIRTY_MARGIN) * scale)
            if b > 0 and a < rows:
                spans.append((max(0, a), min(rows, b)))
        return before[1], spans

    def _paint_band(self, painter: Any, r0: int, r1: int, dirty: tuple[list, list[tuple[int, int]]] | None,
                    fresh: dict[str, bytes]) -> list[tuple[str, int, int]]:
        """Paint device rows [r0, r1); (pixel key, first row, end row) per chunk. New PNGs go in ``fresh``.

        With ``dirty`` (the band's old chunks and the row spans that changed), chunks no
        span touches keep their old pixels and are not painted.
        """
        old_chunks, spans = dirty if dirty is not None else ([], [])
        reuse = {a: (k, b) for k, a, b in old_chunks}
        chunks = []
        im = None if dirty is not None else painter.paint_rows(r0, r1)
        for a in range(0, r1 - r0, CHUNK):
            b = min(r1 - r0, a + CHUNK)
            kept = reuse.get(a)
            if dirty is not None and kept is not None and kept[1] == b and self.tiles.get(kept[0]) is not None \
                    and not any(sa < b and sb > a for sa, sb in spans):
                chunks.append((kept[0], a, b))
                continue
            part = painter.paint_rows(r0 + a, r0 + b) if im is None else im.crop((0, a, im.width, b))
            h = hashlib.blake2b(part.tobytes(), digest_size=12)
            h.update(f"{part.mode}{part.size}".encode())
            key = h.hexdigest()
            if self.tiles.get(key) is None:
                buf = io.BytesIO()
                part.save(buf, format="PNG", compress_level=1)
                self.tiles.put(key, buf.getvalue(), len(buf.getvalue()))
                fresh[key] = buf.getvalue()
            chunks.append((key, a, b))
        return chunks


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


# -- what the browser draws over the picture --------------------------------------------
def targets(frame: Frame, doc: Document) -> list[dict[str, Any]]:
    """Click targets: every block (its band) and every item box, with the spec line it came from.

    A box's key is relative to its block (``items[2]``, a step's id, ``rows[1]``); the
    block is the innermost origin around the box.
    """
    from ..check import _at_path
    from ..spec.blocks import StepsBlock

    origins = sorted(frame.origins, key=lambda o: o[1] - o[0])
    out: list[dict[str, Any]] = []

    def add(x: float, y: float, w: float, h: float, path: str) -> None:
        _, line, col = doc.locate(path)
        if line is not None:
            out.append({"x": x, "y": y, "w": w, "h": h, "path": path, "line": line, "col": col or 1})

    for top, bottom, path in origins:
        add(0.0, top, frame.width, bottom - top, path)
    for box in frame.boxes:
        cy = box.y + box.h / 2
        block = next((o[2] for o in origins if o[0] <= cy <= o[1]), None)
        if block is None or not box.key:
            continue
        key = box.key.split("->")[0]  # an arrow's label belongs to the step it leaves
        if not _ITEM_KEY.match(key):
            spec = _at_path(doc, block)
            if not isinstance(spec, StepsBlock):
                continue
            index = next((i for i, it in enumerate(spec.items) if it.id == key), None)
            if index is None:
                continue
            key = f"items[{index}]"
        add(box.x, box.y, box.w, box.h, f"{block}.{key}")
    return out


def slice_lines(frame: Frame, doc: Document) -> list[float]:
    """Where the long image would be cut into slices (design px): the spec's slice_height,
    else one phone screen (9:16), as ``render -o folder/`` does."""
    from ..pipeline import slice_rows

    height = doc.output.slice_height or round(frame.width * 16 / 9)
    return [float(r0) for r0, _ in slice_rows(frame, int(height))[1:]]


def page_plan(frame: Frame, doc: Document) -> dict[str, Any] | None:
    """The PDF's body pages as bands of the long picture (design px), as the PDF writer cuts them."""
    from ..layout.pages import parse_page_size, pdf_mode, plan_pages

    try:
        page = parse_page_size(doc.output.page_size, doc)
        if pdf_mode(None, doc) == "poster":
            return None
        plan = plan_pages(frame, doc, page)
    except SpecError:
        return None
    return {
        "name": page.name, "page_height": plan.page_height, "margin_top": plan.margin_top,
        "cuts": [[c.top, c.bottom] for c in plan.cuts],
        "footer": list(plan.footer) if plan.footer else None, "footer_page": plan.footer_page,
        "footer_y": plan.footer_y() if plan.footer else None,
    }
