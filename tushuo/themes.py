"""Themes: finding one (built-in name, file path, inline mapping).

Built-in themes live in ``layouts/themes/NAME.yaml``. A spec names one, gives a path
to its own theme file (sandboxed like every other path in a spec), or writes the
theme inline. The colour maths lives in :mod:`tushuo.color`; its names are re-exported
here for older callers.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .color import (
    contrast_ratio,
    flatten,
    luminance,
    mix,
    parse_color,
    readable,
    to_hex,
    with_alpha,
)
from .errors import SpecError
from .resources import layouts_dir
from .spec.theme import Theme

if TYPE_CHECKING:
    from .spec.document import Document

DEFAULT_THEME = "party-red"
_SUFFIXES = (".yaml", ".yml", ".json")


# ----------------------------------------------------------------------------- lookup
def themes_dir() -> Path:
    return layouts_dir() / "themes"


def builtin_themes() -> list[str]:
    """Names of the bundled themes, sorted."""
    return sorted(p.stem for p in themes_dir().glob("*.yaml"))


@cache
def builtin_theme(name: str) -> Theme:
    """A bundled theme by name (cached: themes are frozen)."""
    path = themes_dir() / f"{name}.yaml"
    if not path.is_file():
        raise SpecError(f"unknown theme '{name}' (built-in themes: {', '.join(builtin_themes())})")
    return _read_theme_file(path)


def _looks_like_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.lower().endswith(_SUFFIXES)


def resolve_theme(value: Document | Theme | str | dict | None, base_dir: str | Path | None = None,
                  roots: tuple[str | Path, ...] = ()) -> Theme:
    """The Theme a document (or a theme value) asks for.

    ``value`` is a Document (its ``theme``, folder and source locations are used), a
    Theme (returned as is), a mapping (validated as an inline theme), a built-in name,
    or a path to a YAML/JSON theme file relative to ``base_dir``. Mistakes raise a
    SpecError located at the document's ``theme`` field when a Document is given.
    """
    doc: Any = None  # a Document, told by its shape (importing the class here would be a cycle)
    if value is not None and hasattr(value, "blocks") and hasattr(value, "locate"):
        doc = value
        value = doc.theme
        base_dir = base_dir if base_dir is not None else doc.base_dir
        roots = roots or tuple(getattr(doc, "_roots", ()) or ())
    try:
        return _resolve(value, base_dir, roots)
    except SpecError as exc:
        if doc is None or exc.file is not None:
            raise
        file, line, col = doc.locate("theme")
        raise SpecError(exc.message, file=file, line=line, col=col, path="theme") from None


def _resolve(value: Any, base_dir: str | Path | None, roots: tuple[str | Path, ...]) -> Theme:
    if value is None:
        return builtin_theme(DEFAULT_THEME)
    if isinstance(value, Theme):
        return _with_resolved_fonts(value, Path(base_dir) if base_dir else None, roots)
    if isinstance(value, dict):
        return _with_resolved_fonts(_validate(value, None), Path(base_dir) if base_dir else None, roots)
    if not isinstance(value, str) or not value.strip():
        raise SpecError("theme must be a built-in name, a path or a mapping")
    if not _looks_like_path(value):
        return builtin_theme(value)
    from .assets import resolve_path

    path = resolve_path(value, Path(base_dir) if base_dir else None, tuple(Path(r) for r in roots))
    return _read_theme_file(Path(path), roots)


def _read_theme_file(path: Path, roots: tuple[str | Path, ...] = ()) -> Theme:
    """A theme file through the gate: 1 MB at most, the loader's YAML node and alias budgets."""
    from .loader import _display, read_tree

    label = _display(path)
    data = read_tree(path, kind="theme", label=label)
    if not isinstance(data, dict):
        raise SpecError("a theme file must hold a mapping (palette, fonts, sizes, spacing)", file=label)
    data.setdefault("name", path.stem)
    try:
        return _with_resolved_fonts(_validate(data, path), path.parent, roots)
    except SpecError as exc:
        exc.file = label
        loc = getattr(exc, "loc", ())
        exc.line, exc.col = _yaml_position(path.read_text(encoding="utf-8"), loc)
        raise SpecError(exc.message, file=exc.file, line=exc.line, col=exc.col) from None


def _yaml_position(text: str, loc: tuple) -> tuple[int | None, int | None]:
    """1-based (line, col) of the value at ``loc`` (keys and indices) in a YAML text, or its nearest parent."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None, None
    found = node
    for part in loc:
        nxt = None
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        if nxt is None:
            break
        node = found = nxt
    if found is None:
        return None, None
    return found.start_mark.line + 1, found.start_mark.column + 1


def _validate(data: dict, path: Path | None) -> Theme:
    from pydantic import ValidationError

    try:
        return Theme.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        prefix = "" if path else "theme."
        msg = err["msg"]
        if err["type"] == "string_pattern_mismatch":
            msg = f"not a colour: {err['input']!r} (write #RRGGBB or #RRGGBBAA)"
        located = SpecError(
            f"{prefix}{where}: {msg}" + (f" ({len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""),
            file=str(path) if path else None,
        )
        located.loc = tuple(err["loc"])  # type: ignore[attr-defined]  # for the file's line and column
        raise located from None


def _with_resolved_fonts(theme: Theme, folder: Path | None, roots: tuple[str | Path, ...] = ()) -> Theme:
    """``font_files`` paths (and roles given as .ttf/.otf files) resolved through the sandbox.

    Relative to the theme's folder (a theme file) or the spec's (an inline theme), and
    inside it or ``roots``, like every other file a spec names: an absolute path to a
    font elsewhere is refused, whether or not it exists.
    """
    from .assets import resolve_path

    if folder is None and not theme.font_files:
        return theme

    def resolve(p: str, where: str) -> str:
        try:
            return str(resolve_path(p, folder, tuple(Path(r) for r in roots)))
        except SpecError as exc:
            located = SpecError(f"{where}: {exc.message}")
            located.loc = tuple(where.split("."))  # type: ignore[attr-defined]  # for the file's line and column
            raise located from None

    files = {k: resolve(p, f"font_files.{k}") for k, p in theme.font_files.items()}
    for role in ("body", "bold", "heading", "title", "number"):
        face = getattr(theme.fonts, role)
        if face.lower().endswith((".ttf", ".otf")) and face not in files:
            files[face] = resolve(face, f"fonts.{role}")
    if not files:
        return theme
    return theme.model_copy(update={"font_files": files})


def user_fonts(theme: Theme) -> dict[str, str]:
    """Font keys → files a FontBook needs for this theme (``font_files`` plus roles given as .ttf paths)."""
    fonts = dict(theme.font_files)
    for role in ("body", "bold", "heading", "title", "number"):
        face = getattr(theme.fonts, role)
        if face.lower().endswith((".ttf", ".otf")) and face not in fonts:
            fonts[face] = face
    return fonts


__all__ = [
    "DEFAULT_THEME", "builtin_theme", "builtin_themes", "contrast_ratio", "flatten", "luminance", "mix",
    "parse_color", "readable", "resolve_theme", "themes_dir", "to_hex", "user_fonts", "with_alpha",
]
