"""The Document model: the top level of a spec."""

import datetime as _dt
from typing import Any, Literal

from pydantic import ConfigDict, Field, PrivateAttr, field_validator

from .base import SpecModel
from .blocks import Block
from .theme import Theme


class Footer(SpecModel):
    """The closing strip: who made it, a QR code to follow."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    text: str | None = Field(default=None, description="e.g. 颍州区委组织部 出品.")
    qrcode: str | None = Field(default=None, description="Data for a QR code (usually the account's URL).")
    note: str | None = Field(default=None, description="Caption by the QR code, e.g. 长按识别二维码关注.")


#: Shortest slice (px at the design width): a slice_height under it is a mistake, not a layout.
MIN_SLICE_HEIGHT = 100


class Output(SpecModel):
    """Output defaults (the command line overrides them).

    ``page_size`` and ``pdf_mode`` are tushuo's own additions to the contract's
    output section: print pieces (standees, notices) want pages without a
    manual's cover and page numbers.
    """

    model_config = ConfigDict(extra="forbid")

    format: Literal["png", "jpeg", "jpg", "webp", "pdf", "svg"] | None = Field(default=None, description="Default format.")
    quality: int = Field(default=90, ge=1, le=100, description="JPEG / WebP quality.")
    max_bytes: int | None = Field(default=None, ge=10_000, description="Re-encode until the file is at most this size.")
    slice_height: int = Field(default=0, ge=0, description="Cut the long image into slices at most this tall (0: one image).")
    page_size: str | None = Field(default=None, description="PDF page: pocket (default), A6, A5, A4, or 'W x H' in mm.")
    describe: bool = Field(default=False,
        description="Also write NAME.md beside the output: the document in words (tushuo.describe), "
        "for screen readers, search and slow connections; slices get one for the document.",
    )
    pdf_mode: Literal["manual", "poster"] = Field(default="manual",
        description="What a PDF is: manual (a pocket manual: cover, contents, running header, page numbers) "
        "or poster (a print piece such as a QR standee or a notice: each page is the design alone, "
        "cut at safe places, full page width, its background to the page edges, centred on the page).",
    )

    @field_validator("slice_height")
    @classmethod
    def _slice_height(cls, v: int) -> int:
        if 0 < v < MIN_SLICE_HEIGHT:  # located here; the writer's own check only says "slice_height"
            raise ValueError(f"{v} px is too small; use at least {MIN_SLICE_HEIGHT} px (or 0 for one image)")
        return v


class Document(SpecModel):
    """A tushuo spec: one long image / one PDF manual."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    tushuo: Literal[1] = Field(default=1, description="Spec version; 1 is the only one (optional).")
    extends: str | None = Field(default=None,
        exclude=True,
        description="A template name (layouts/NAME.yaml) or a path relative to this file, deep-merged under it: "
        "mappings merge key by key, this file's lists replace the template's. Applied by tushuo.load().",
    )
    data: dict[str, Any] | None = Field(default=None,
        exclude=True,
        description="Values for {{name}} slots in this file and its templates (a template's data: gives "
        "defaults; --data / load(data=...) win). Applied by tushuo.load().",
    )
    title: str = Field(min_length=1, description="Document title (PDF title, running header).")
    subtitle: str | None = Field(default=None, description="Subtitle.")
    theme: str | Theme = Field(default="party-red", description="Built-in theme name, a path, or an inline theme.")
    width: int = Field(default=1080, ge=320, le=4096, description="Canvas width in px.")
    meta: dict[str, Any] = Field(default_factory=dict, description="Free metadata: author, date, account, issue.")
    script: Literal["hans", "hant", "hant-tw", "hant-hk"] = Field(default="hans",
        description="Script of every drawn text: hans (Simplified, as written), hant (Traditional characters), "
        "hant-tw (Taiwan: characters and phrases, 「」『』 quotes, TC fonts), hant-hk (Hong Kong: characters, "
        "「」『』, TC fonts). Converted with OpenCC; ids, paths, QR data, URLs and meta stay as written.",
    )
    blocks: list[Block] = Field(min_length=1, description="The content, top to bottom.")
    footer: Footer | None = Field(default=None, description="Closing strip.")
    output: Output = Field(default_factory=Output, description="Output defaults.")

    # Not part of the spec (a spec cannot set them): where the spec came from, set by the loader.
    # The spec's folder, which relative paths resolve against; None for a dict or string spec (cwd).
    _base_dir: str | None = PrivateAttr(None)
    _source_file: str | None = PrivateAttr(None)
    # Where each spec path came from: {"blocks[2].src": (file, line, col)} (1-based); the file is
    # the spec's or, for values inherited through ``extends``, the template's.
    _marks: dict[str, tuple[str | None, int, int]] = PrivateAttr(default_factory=dict)
    # Extra folders (besides base_dir) that relative paths may resolve into.
    _roots: tuple[str, ...] = PrivateAttr(())
    # The script the words were converted to (tushuo.script.apply_script), so it is done once.
    _script_applied: str | None = PrivateAttr(None)
    # Template files ``extends`` read, in order (for the batch fingerprint and watch).
    _templates: tuple[str, ...] = PrivateAttr(())
    # The files the document names, read once through the gate (tushuo.inputs.Inputs), set on first use.
    _inputs: Any = PrivateAttr(None)

    @field_validator("extends", "data")
    @classmethod
    def _applied_by_loader(cls, v: Any, info: Any) -> Any:
        if v is not None:
            raise ValueError(f"{info.field_name} is applied while loading a file: use tushuo.load(), not Document(...)")
        return v

    @property
    def base_dir(self) -> str | None:
        """The folder relative paths (src, image, data_file) resolve against; None means the cwd."""
        return self._base_dir

    @base_dir.setter
    def base_dir(self, value: str | None) -> None:
        self._base_dir = None if value is None else str(value)

    def locate(self, path: str) -> tuple[str | None, int | None, int | None]:
        """(file, line, col) of a spec path, or of its nearest located parent."""
        p = path
        while True:
            if p in self._marks:
                mark = self._marks[p]
                if len(mark) == 2:  # (line, col) in this document's own file
                    return (self._source_file, *mark)
                return mark
            if not p:
                return self._source_file, None, None
            cut = max(p.rfind("."), p.rfind("["))
            p = p[:cut] if cut > 0 else ""

    def __eq__(self, other: object) -> bool:
        """Equal specs: the same content. Where each was loaded from (file, folder, line
        marks) is not part of a document's value, so ``load(dump(doc)) == doc``."""
        if not isinstance(other, Document):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # mutable, like every pydantic model

    def to_yaml(self, *, schema: str = "tushuo.schema.json") -> str:
        """This document as a readable YAML spec (see ``tushuo.dump``)."""
        from .dump import spec_yaml

        return spec_yaml(self, schema=schema)

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
