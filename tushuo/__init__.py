"""tushuo (图说): structured specs → Chinese infographics (WeChat long images, pocket PDF manuals).

Public API (names fixed by the spec contract)::

    doc = tushuo.load("handbook.yaml", data={"issue": 3})
    img = tushuo.render_image(doc)
    tushuo.render(doc, "out.png")
    png = tushuo.render_bytes(doc, format="png")     # or a list of bytes for slices
    tushuo.dump(doc, "handbook.yaml")               # a readable spec that loads back equal
    tushuo.text.break_lines("文本……", width=600, size=30)

Heavy dependencies (reportlab; matplotlib for a FigureBlock) are imported only when a document needs them.
"""

from __future__ import annotations

from . import describe as _describe_module  # noqa: F401  (same for tushuo.describe, the function)
from . import text
from .api import describe, dump, load, render, render_bytes, render_image, render_pages
from .errors import FontError, RenderError, SpecError, TushuoError
from .spec import *  # noqa: F403  (Document, the theme and every block model; names in spec.__all__)
from .spec import __all__ as _spec_all

__version__ = "0.1.0"


def mpl_style(theme: object = None) -> dict:
    """matplotlib rcParams for a FigureBlock's figure: the theme's palette and the bundled
    fonts (registered with matplotlib's font manager). Imports matplotlib; nothing else does."""
    from .figure_style import mpl_style as style

    return style(theme)


__all__ = [  # noqa: PLE0604  (the spec models are listed once, in tushuo.spec.__all__)
    "describe", "load", "render", "render_image", "render_bytes", "render_pages", "dump", "text",
    "mpl_style",
    "TushuoError", "SpecError", "FontError", "RenderError", "__version__",
    *_spec_all,
]
