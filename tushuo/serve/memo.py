"""Laid-out blocks kept between previews, so a keystroke re-lays out only the block it touched.

A block's layout is a pure function of its spec, the width it gets, the theme, where it
sits (its spec path: errors, outline depth and the origins of nested blocks name it) and
the outline counters it starts with (sections number 一、二、… across the document). The
memo keys each laid-out block on exactly those, and hands back the same Frame object on a
hit, with the counters and layout notes the block left behind. A section is a block like
any other: its children go through the memo too, so editing one step inside a chapter
lays out that steps block and the chapter's ribbon, and reuses the rest.

Not in the key: the content of files a block names (pictures, CSV). ``clear()`` when
they change; the server does that when a file in the folder other than a spec changes
(the page asks every two seconds, ``/api/version``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..frame import Frame
from ..layout.registry import layout_block
from ..lru import BoundedLRU

if TYPE_CHECKING:
    from ..layout.context import LayoutContext


@dataclass(frozen=True, slots=True)
class _Placed:
    child: Frame
    ops: list
    boxes: list
    marks: list
    origins: list
    breaks: list

#: Blocks kept (a handbook has ~15; several files, widths and themes fit).
MAX_ENTRIES = 512


class BlockMemo:
    """``ctx.block_layout`` for the stack: layout_block with a bounded LRU in front of it.

    ``digests`` maps each spec path laid out by the last layout to the digest of its key;
    the previewer uses it to tell which bands of the picture changed. ``hits`` and
    ``misses`` count lookups (tests and the benchmark read them).
    """

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        #: digest → (frame, counters after, layout notes, digests of the blocks nested in it)
        self._entries = BoundedLRU(max_entries=max_entries)
        self.digests: dict[str, str] = {}
        self.hits = 0
        self.misses = 0
        self._context_key = ""
        #: (id of a laid-out block, dx, dy) → its ops moved there (the entry holds the block,
        #: so the id cannot be reused while the entry lives)
        self._placed = BoundedLRU(max_entries=max_entries)
        self._spills = BoundedLRU(max_entries=4 * max_entries)

    def start(self, ctx: LayoutContext, base_dir: str | None) -> None:
        """Begin a layout in ``ctx`` (sets ``ctx.block_layout``): its theme and width join every key."""
        theme = ctx.theme.model_dump_json()
        self._context_key = f"{ctx.width!r}|{ctx.allow_missing_glyphs}|{base_dir}|{theme}"
        self.digests = {}
        ctx.block_layout = self

    def place(self, frame: Frame, child: Frame, dx: float, dy: float) -> None:
        """``frame.place(child, dx, dy)``, with the moved copies of ``child``'s ops kept: an
        unchanged block at an unchanged place (every block but the edited one, usually)
        costs a list copy instead of moving each op again."""
        key = (id(child), dx, dy)
        hit = self._placed.get(key)
        if hit is None or hit.child is not child:
            moved = Frame(child.width, 0)
            moved.place(child, dx, dy)
            hit = _Placed(child, moved.ops, moved.boxes, moved.marks, moved.origins, moved.breaks)
            self._placed.put(key, hit)
        frame.ops.extend(hit.ops)
        frame.boxes.extend(hit.boxes)
        frame.marks.extend(hit.marks)
        frame.origins.extend(hit.origins)
        frame.breaks.extend(hit.breaks)

    def spills(self, digest: str) -> bool:
        """Whether the block kept under ``digest`` draws outside its own top and bottom (a
        shadow, an arrow head): then the gaps beside it change with it. Unknown: True."""
        known = self._spills.get(digest)
        if known is None:
            frame = self.frame(digest)
            if frame is None:
                return True
            known = any(y < -0.5 or y + h > frame.height + 0.5 for _, y, _, h in (op.bbox() for op in frame.ops))
            self._spills.put(digest, known)
        return bool(known)

    def frame(self, digest: str) -> Frame | None:
        """The laid-out block kept under ``digest`` (None when it was dropped)."""
        hit = self._entries.get(digest)
        return None if hit is None else hit[0]

    def clear(self) -> None:
        self._entries.clear()
        self._placed.clear()
        self._spills.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __call__(self, block: Any, width: float, ctx: LayoutContext) -> Frame:
        counters = sorted(ctx.counters.items())
        raw = f"{self._context_key}|{width!r}|{ctx.where}|{counters}|{block.model_dump_json()}"
        digest = hashlib.blake2b(raw.encode("utf-8"), digest_size=16).hexdigest()
        hit = self._entries.get(digest)
        if hit is not None:
            self.hits += 1
            frame, after, notes, nested = hit
            ctx.counters.clear()
            ctx.counters.update(after)
            ctx.warnings.extend(notes)
            self.digests.update(nested)  # the blocks inside a reused section were not looked up
        else:
            self.misses += 1
            seen, known = len(ctx.warnings), set(self.digests)
            frame = layout_block(block, width, ctx)
            nested = {p: d for p, d in self.digests.items() if p not in known}
            self._entries.put(digest, (frame, dict(ctx.counters), list(ctx.warnings[seen:]), nested))
        self.digests[ctx.where] = digest
        return frame
