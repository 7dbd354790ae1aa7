"""Spec models: pure data, validated by pydantic."""

from .blocks import *  # noqa: F401,F403
from .blocks import BLOCK_TYPES, Block
from .document import Document, Footer, Output
from .theme import Fonts, Palette, Sizes, Spacing, Theme

__all__ = ["BLOCK_TYPES", "Block", "Document", "Footer", "Output", "Fonts", "Palette", "Sizes", "Spacing", "Theme"]
