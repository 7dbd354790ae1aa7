"""``tushuo.mpl_style(theme)``: matplotlib rcParams for a FigureBlock's figure.

The theme's palette and the bundled fonts (registered with matplotlib's font manager),
so a user's figure matches the page around it. Outside layout/ because it reads the
theme (a file, for a theme given by path); imported only when called.
"""

from __future__ import annotations

from typing import Any


def mpl_style(theme: Any = None) -> dict[str, Any]:
    """rcParams giving a user's figure the theme's palette and the bundled fonts.

    Use as ``with matplotlib.rc_context(tushuo.mpl_style("gov-blue")): fig = Figure() ...``.
    The fonts are registered with matplotlib's font manager, so a figure saved by
    matplotlib itself draws Chinese too; inside a document tushuo sets its text anyway.
    """
    from cycler import cycler
    from matplotlib import font_manager

    from .text.fonts import FontBook, default_fontbook
    from .themes import resolve_theme, user_fonts

    th = resolve_theme(theme)
    extra = user_fonts(th)
    fonts = FontBook(extra) if extra else default_fontbook()
    names: list[str] = []
    for role in ("body", "bold", "heading"):
        key = getattr(th.fonts, role)
        key = key if key in fonts.keys else "sans"
        path = str(fonts.path(key))
        font_manager.fontManager.addfont(path)
        name = font_manager.FontProperties(fname=path).get_name()
        if name not in names:
            names.append(name)
    p = th.palette
    return {
        "axes.prop_cycle": cycler(color=list(p.chart) or [p.primary]),
        "font.family": "sans-serif",
        "font.sans-serif": [*names, "DejaVu Sans"],
        "axes.unicode_minus": False,  # the bundled fonts draw U+2212; keep ASCII hyphen-minus anyway
        "text.color": p.text,
        "axes.labelcolor": p.text,
        "axes.titlecolor": p.text,
        "axes.edgecolor": p.border,
        "xtick.color": p.muted,
        "ytick.color": p.muted,
        "xtick.labelcolor": p.muted,
        "ytick.labelcolor": p.muted,
        "grid.color": p.border,
        "axes.facecolor": p.surface,
        "figure.facecolor": p.surface,
        "savefig.facecolor": p.surface,
        "legend.edgecolor": p.border,
        "legend.labelcolor": p.text,
        "patch.edgecolor": p.surface,
        "image.cmap": "viridis",
    }
