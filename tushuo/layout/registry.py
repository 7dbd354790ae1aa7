"""Which layout function lays out which block kind.

Each block-kind module registers itself with ``@layout_for("kind")``. A layout
function is pure: ``(block, width, ctx) -> Frame``, the frame's origin at the
content box's top-left and ``width`` the width it may use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..frame import Frame
from .context import LayoutContext

LayoutFn = Callable[[Any, float, LayoutContext], Frame]
_LAYOUTS: dict[str, LayoutFn] = {}

#: block type → module (under tushuo.layout) that registers its layout
MODULES: dict[str, str] = {
    "banner": "banner",
    "heading": "basic",
    "paragraph": "basic",
    "divider": "basic",
    "spacer": "basic",
    "callout": "basic",
    "quote": "basic",
    "checklist": "basic",
    "image": "media",
    "qrcode": "media",
    "qrcodes": "media",
    "table": "table",
    "section": "section",
    "steps": "steps",
    "comparison": "comparison",
    "stats": "stats",
    "timeline": "timeline",
    "cards": "cards",
    "chart": "chart",
    "figure": "figure",
}


def layout_for(kind: str) -> Callable[[LayoutFn], LayoutFn]:
    def register(fn: LayoutFn) -> LayoutFn:
        _LAYOUTS[kind] = fn
        return fn

    return register


def layout_block(block: Any, width: float, ctx: LayoutContext) -> Frame:
    """Lay out one block of any kind."""
    kind = block.type
    fn = _LAYOUTS.get(kind)
    if fn is None:
        importlib.import_module(f"{__package__}.{MODULES[kind]}")
        fn = _LAYOUTS[kind]
    return fn(block, width, ctx)
