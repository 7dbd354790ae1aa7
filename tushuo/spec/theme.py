"""Theme model: palette, fonts, sizes and spacing. Sizes are for a 1080 px canvas."""

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from .base import SpecModel

HexColor = Annotated[str, StringConstraints(pattern=r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")]


class _Strict(SpecModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Palette(_Strict):
    """Theme colours. Every text colour must reach 4.5:1 against what it stands on."""

    primary: HexColor = Field(default="#B7181E", description="Main brand colour: banners, title bars, badges.")
    primary_dark: HexColor = Field(default="#8E0F14", description="Darker primary for gradients and pressed shapes.")
    on_primary: HexColor = Field(default="#FFFFFF", description="Text colour on primary fills.")
    accent: HexColor = Field(default="#A32420", description="Highlights (==mark==), chart highlight, numbers.")
    gold: HexColor = Field(default="#F2C46D", description="Ornament colour (rules, stars, badges on primary).")
    positive: HexColor = Field(default="#1E7B3A", description="Qualified / good / increase.")
    negative: HexColor = Field(default="#C62828", description="Unqualified / bad / decrease.")
    background: HexColor = Field(default="#FFF8F0", description="Page background.")
    surface: HexColor = Field(default="#FFFFFF", description="Cards and boxes.")
    surface_alt: HexColor = Field(default="#FBEDE4", description="Zebra rows, soft panels, tag pills.")
    border: HexColor = Field(default="#EBCFC2", description="Hairlines and box outlines.")
    text: HexColor = Field(default="#222222", description="Body text.")
    muted: HexColor = Field(default="#5F5F5F", description="Captions, notes, secondary text.")
    chart: list[HexColor] = Field(
        default_factory=lambda: ["#B7181E", "#E0893A", "#2F6DB5", "#3E9A5A", "#8A5AB5", "#C9A227"],
        description="Series colours for charts, in order.",
    )


class Fonts(_Strict):
    """Font faces by role: a bundled key (sans, sans-bold, serif, symbols) or a path to a TTF."""

    body: str = Field(default="sans", description="Body text face.")
    bold: str = Field(default="sans-bold", description="Bold face for **bold** and labels.")
    heading: str = Field(default="sans-bold", description="Headings, section titles, card titles.")
    title: str = Field(default="serif", description="Banner and cover title face (formal).")
    number: str = Field(default="sans-bold", description="Big numbers in stats cards.")


class Sizes(_Strict):
    """Font sizes in px at 1080 wide."""

    body: float = Field(default=40, ge=20, le=80, description="Body text.")
    caption: float = Field(default=30, ge=16, le=60, description="Captions, notes, tags (>= 30 at 1080).")
    h1: float = Field(default=56, ge=30, le=120, description="Level-1 heading and section titles.")
    h2: float = Field(default=48, ge=28, le=100, description="Level-2 heading.")
    h3: float = Field(default=42, ge=24, le=90, description="Level-3 heading.")
    title: float = Field(default=88, ge=48, le=160, description="Banner title.")
    subtitle: float = Field(default=40, ge=24, le=80, description="Banner subtitle.")
    number: float = Field(default=80, ge=32, le=160, description="Stats values.")
    line_height: float = Field(default=1.6, ge=1.1, le=2.5, description="Line pitch as a multiple of the size.")


class Spacing(_Strict):
    """Spacing in px at 1080 wide."""

    margin: float = Field(default=56, ge=0, le=200, description="Left/right page margin.")
    block: float = Field(default=56, ge=0, le=200, description="Vertical gap between blocks.")
    gap: float = Field(default=24, ge=0, le=100, description="Gap between items inside a block.")
    padding: float = Field(default=40, ge=0, le=120, description="Inner padding of boxes and cards.")
    radius: float = Field(default=20, ge=0, le=80, description="Corner radius of boxes and cards.")


class Theme(_Strict):
    """A complete theme. Built-in ones live in layouts/themes/NAME.yaml."""

    name: str = Field(default="custom", description="Theme name.")
    palette: Palette = Field(default_factory=Palette, description="Colours.")
    fonts: Fonts = Field(default_factory=Fonts, description="Faces by role.")
    sizes: Sizes = Field(default_factory=Sizes, description="Font sizes at 1080 px.")
    spacing: Spacing = Field(default_factory=Spacing, description="Spacing at 1080 px.")
    font_files: dict[str, str] = Field(
        default_factory=dict,
        description="Extra font keys mapped to TTF paths (relative to the theme or spec file).",
    )
