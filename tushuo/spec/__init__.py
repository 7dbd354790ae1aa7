"""Spec models: pure data, validated by pydantic.

The model modules do without ``from __future__ import annotations``: pydantic would eval()
each of ~190 annotation strings when the classes are made, 4-5 ms of every cold start.
"""

from typing import Any

from pydantic import BaseModel, ValidationError

from . import base as _base
from .blocks import (
    BLOCK_TYPES,
    BannerBlock,
    Block,
    CalloutBlock,
    CardItem,
    CardsBlock,
    ChartBlock,
    ChecklistBlock,
    ChecklistItem,
    ComparisonBlock,
    ComparisonCell,
    ComparisonColumn,
    ComparisonRow,
    DividerBlock,
    FigureBlock,
    HeadingBlock,
    ImageBlock,
    ParagraphBlock,
    QRCodeBlock,
    QRCodeItem,
    QRCodesBlock,
    QuoteBlock,
    SectionBlock,
    Series,
    SpacerBlock,
    StatItem,
    StatsBlock,
    StepEdge,
    StepItem,
    StepsBlock,
    TableBlock,
    TimelineBlock,
    TimelineItem,
)
from .document import Document, Footer, Output
from .theme import Fonts, Palette, Sizes, Spacing, Theme

__all__ = [
    "BLOCK_TYPES",
    "BannerBlock",
    "Block",
    "CalloutBlock",
    "CardItem",
    "CardsBlock",
    "ChartBlock",
    "ChecklistBlock",
    "ChecklistItem",
    "ComparisonBlock",
    "ComparisonCell",
    "ComparisonColumn",
    "ComparisonRow",
    "DividerBlock",
    "Document",
    "FigureBlock",
    "Fonts",
    "Footer",
    "HeadingBlock",
    "ImageBlock",
    "Output",
    "Palette",
    "ParagraphBlock",
    "QRCodeBlock",
    "QRCodeItem",
    "QRCodesBlock",
    "QuoteBlock",
    "SectionBlock",
    "Series",
    "Sizes",
    "SpacerBlock",
    "Spacing",
    "StatItem",
    "StatsBlock",
    "StepEdge",
    "StepItem",
    "StepsBlock",
    "TableBlock",
    "Theme",
    "TimelineBlock",
    "TimelineItem",
]


def _construction_error(exc: ValidationError, model: type[BaseModel], data: dict[str, Any]) -> Exception:
    """A model built in Python failed: the loader's messages (imported only when one fails)."""
    from ..loader import construction_error

    return construction_error(exc, model, data)


_base.explain = _construction_error
