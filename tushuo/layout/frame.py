"""Compatibility name: the frame op types live in :mod:`tushuo.frame` (shared ground below text, layout and painters)."""

from ..frame import (
    BBox,
    Box,
    Color,
    Ellipse,
    Frame,
    Glyphs,
    Group,
    Image,
    Keep,
    Line,
    Mark,
    Op,
    Path,
    PathCmd,
    Rect,
    Repeat,
    Text,
    nearest_break_at_or_before,
    shift,
    union_bbox,
)

__all__ = [
    "BBox", "Box", "Color", "Ellipse", "Frame", "Glyphs", "Group", "Image", "Keep", "Line", "Mark", "Op", "Path",
    "PathCmd", "Rect", "Repeat", "Text", "nearest_break_at_or_before", "shift", "union_bbox",
]
