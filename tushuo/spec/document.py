"""The Document model: the top level of a spec."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .blocks import Block
from .theme import Theme


class Footer(BaseModel):
    """The closing strip: who made it, a QR code to follow."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="e.g. 颍州区委组织部 出品.")
    qrcode: str | None = Field(None, description="Data for a QR code (usually the account's URL).")
    note: str | None = Field(None, description="Caption by the QR code, e.g. 长按识别二维码关注.")


class Output(BaseModel):
    """Output defaults (the command line overrides them)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["png", "jpeg", "jpg", "webp", "pdf", "svg"] | None = Field(None, description="Default format.")
    quality: int = Field(90, ge=1, le=100, description="JPEG / WebP quality.")
    max_bytes: int | None = Field(None, ge=10_000, description="Re-encode until the file is at most this size.")
    slice_height: int = Field(0, ge=0, description="Cut the long image into slices at most this tall (0: one image).")
    page_size: str | None = Field(None, description="PDF page: pocket (default), A6, A5, A4, or 'W x H' in mm.")


class Document(BaseModel):
    """A tushuo spec: one long image / one PDF manual."""

    model_config = ConfigDict(extra="forbid")

    tushuo: Literal[1] = Field(1, description="Spec version.")
    title: str = Field(min_length=1, description="Document title (PDF title, running header).")
    subtitle: str | None = Field(None, description="Subtitle.")
    theme: str | Theme = Field("party-red", description="Built-in theme name, a path, or an inline theme.")
    width: int = Field(1080, ge=320, le=4096, description="Canvas width in px.")
    meta: dict[str, Any] = Field(default_factory=dict, description="Free metadata: author, date, account, issue.")
    blocks: list[Block] = Field(min_length=1, description="The content, top to bottom.")
    footer: Footer | None = Field(None, description="Closing strip.")
    output: Output = Field(default_factory=Output, description="Output defaults.")

    # Not part of the spec: where relative paths resolve (set by the loader).
    base_dir: str | None = Field(None, exclude=True, description="Folder relative paths resolve against.")

    # Where each spec path came from: {"blocks[2].src": (line, col)}, and the file name.
    _source_file: str | None = PrivateAttr(None)
    _marks: dict[str, tuple[int, int]] = PrivateAttr(default_factory=dict)
    # Extra folders (besides base_dir) that relative paths may resolve into.
    _roots: tuple[str, ...] = PrivateAttr(())

    def locate(self, path: str) -> tuple[str | None, int | None, int | None]:
        """(file, line, col) of a spec path, or of its nearest located parent."""
        p = path
        while True:
            if p in self._marks:
                line, col = self._marks[p]
                return self._source_file, line, col
            if not p:
                return self._source_file, None, None
            cut = max(p.rfind("."), p.rfind("["))
            p = p[:cut] if cut > 0 else ""

    def meta_date(self) -> _dt.date | None:
        v = self.meta.get("date")
        if isinstance(v, _dt.datetime):
            return v.date()
        if isinstance(v, _dt.date):
            return v
        if isinstance(v, str):
            try:
                return _dt.date.fromisoformat(v)
            except ValueError:
                return None
        return None
