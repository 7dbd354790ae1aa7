"""Where bundled fonts and layouts live, from an installed wheel or from a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The bundled folder ``fonts`` or ``layouts``.

    The wheel carries them as ``tushuo/_data/NAME``; a checkout has them beside the package.
    """
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"tushuo's bundled '{name}' folder is missing (broken install?)")


def fonts_dir() -> Path:
    return data_dir("fonts")


def layouts_dir() -> Path:
    return data_dir("layouts")
