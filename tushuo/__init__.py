"""tushuo (图说): structured specs → Chinese infographics (WeChat long images, pocket PDF manuals).

Public API (names fixed by the spec contract)::

    doc = tushuo.load("handbook.yaml", data={"issue": 3})
    img = tushuo.render_image(doc)
    tushuo.render(doc, "out.png")
    tushuo.text.break_lines("文本……", width=600, size=30)

Heavy dependencies (matplotlib, reportlab) are imported only when a document needs them.
"""

from __future__ import annotations

from . import render as _render_package  # noqa: F401  (see below)
from . import text
from .api import load, render, render_image

# ``tushuo.render`` is both the public function and the painters' subpackage. Python
# binds a subpackage onto its parent when it is first imported, so the subpackage is
# imported above, before the function is bound: later imports of tushuo.render.*
# no longer replace the function.
from .errors import FontError, RenderError, SpecError, TushuoError
from .spec import *  # noqa: F401,F403  (Document and every block model)
from .spec import Document, Theme
from .spec import __all__ as _spec_all
from .spec.blocks import __dict__ as _blocks_ns

__version__ = "0.1.0"

_block_names = [n for n, v in _blocks_ns.items() if isinstance(v, type) and n.endswith(("Block", "Item", "Cell", "Column", "Row", "Edge", "Series"))]

__all__ = sorted(
    {
        "load", "render", "render_image", "text", "Document", "Theme",
        "TushuoError", "SpecError", "FontError", "RenderError", "__version__",
        *_spec_all, *_block_names,
    }
)
