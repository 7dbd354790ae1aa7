"""Which files a spec's picture depends on, and a fingerprint of them.

``tushuo batch`` skips an input whose fingerprint is unchanged since the last run,
and ``tushuo watch`` re-renders when one of these files is saved. Both need the
same answer, so it lives here.

The answer comes from loading the spec the way a render does (through the gate in
``tushuo.assets``: sandbox, size and YAML node budgets), then taking only what a
render would open: the spec, the templates ``extends`` read, the theme file, the
theme's font files, and the values of file fields (``src``, ``image``,
``data_file``) that resolve inside the sandbox. Any other string (a paragraph that
reads ``/etc/passwd``) is text, never a path. A spec that does not load contributes
only itself: its render fails anyway, and failures are never cached.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .errors import SpecError

#: The theme used when a spec names none (its file is part of every fingerprint).
DEFAULT_THEME = "party-red"

#: Suffixes of values in a data row that name a file (a portrait, a chart's CSV).
FILE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".svg", ".csv", ".tsv"}
)


def rebase(value: Any, base: Path) -> Any:
    """Relative file names in row data made absolute against ``base`` (the sandbox still applies).

    Only strings that look like a file name (a known suffix, one line, no URL) change;
    whether they are used as a path is up to the template's file fields.
    """
    if isinstance(value, dict):
        return {k: rebase(v, base) for k, v in value.items()}
    if isinstance(value, list):
        return [rebase(v, base) for v in value]
    if (
        isinstance(value, str) and len(value) <= 1024 and "\n" not in value and "\0" not in value
        and "://" not in value and Path(value).suffix.lower() in FILE_SUFFIXES and not Path(value).is_absolute()
    ):
        return str(base / value)
    return value


def _regular(p: Path) -> Path | None:
    try:
        return p.resolve() if p.is_file() else None
    except (OSError, ValueError, RuntimeError):
        return None


def _theme_files(value: Any, doc: Any) -> list[Path]:
    """The theme file a theme value names (a built-in name or a sandboxed path) and its fonts."""
    from .assets import resolve_path
    from .themes import _looks_like_path, resolve_theme, themes_dir, user_fonts

    out: list[Path] = []
    try:
        if isinstance(value, str) and not _looks_like_path(value):
            out.append((themes_dir() / f"{value}.yaml").resolve())
        elif isinstance(value, str):
            out.append(resolve_path(value, doc.base_dir, doc._roots))
        theme = resolve_theme(value, doc.base_dir, tuple(doc._roots))
        out.extend(p for p in (_regular(Path(f)) for f in user_fonts(theme).values()) if p is not None)
    except (SpecError, OSError, ValueError):
        pass
    return out


def read_by(doc: Any, theme: Any = None) -> dict[Path, Callable[[Path], SpecError]]:
    """The user's files ``doc`` reads (the spec, its templates, file fields, theme file and fonts),
    each with the error an output written over it gets, located where the spec names it.

    ``theme``: the resolved Theme (its font files); the theme *file* comes from ``doc.theme``.
    """
    from .assets import resolve_path
    from .loader import path_fields
    from .themes import _looks_like_path, user_fonts

    def refusal(path: str, what: str) -> Callable[[Path], SpecError]:
        def error(out: Path) -> SpecError:  # located only when an output does hit the file (rarely)
            file, line, col = doc.locate(path) if path else (doc._source_file, None, None)
            return SpecError(f"the output {out} is {what} this spec reads: writing it would replace it; "
                             "give the output another name or folder", file=file, line=line, col=col,
                             path=path or None)
        return error

    found: dict[Path, Callable[[Path], SpecError]] = {}
    if doc._source_file:
        found[Path(doc._source_file).resolve()] = refusal("", "the spec file")
    for t in doc._templates:
        found[Path(t)] = refusal("extends", "a template")
    for path, ref in path_fields(doc):
        try:
            found[resolve_path(ref, doc.base_dir, doc._roots)] = refusal(
                path, "the data file" if path.endswith("data_file") else "the picture")
        except SpecError:
            pass
    if isinstance(doc.theme, str) and _looks_like_path(doc.theme):
        try:
            found[resolve_path(doc.theme, doc.base_dir, doc._roots)] = refusal("theme", "the theme file")
        except SpecError:
            pass
    for f in user_fonts(theme).values() if theme is not None else ():
        found[Path(f)] = refusal("theme", "a font file")
    return found


def dependencies(
    spec: str | Path | None = None,
    *,
    data: Any = None,
    data_base: str | Path | None = None,
    data_file: str | Path | None = None,
    files: Iterable[str | Path] = (),
    names: Iterable[str] = (),
) -> list[Path]:
    """Every file that may change the output, sorted, the inputs themselves included.

    ``spec``: a spec or template file. ``data``: slot data (a CSV row, a parsed data
    file) whose file names are relative to ``data_base`` (which becomes a sandbox root,
    as in a batch). ``data_file``: a YAML/JSON ``--data`` file. ``files``: more files that
    count as such. ``names``: extra theme names or paths in use (``--theme``).
    """
    from .loader import load, load_data_file

    found: set[Path] = set()
    for f in (spec, data_file, *files):
        p = _regular(Path(f)) if f is not None else None
        if p is not None:
            found.add(p)
    if spec is None:
        return sorted(found)
    roots: tuple[Path, ...] = ()
    try:
        if data_file is not None:
            data = load_data_file(data_file)
        if data_base is not None and data is not None:
            roots = (Path(data_base).resolve(),)
            data = rebase(data, roots[0])
        doc = load(spec, data=data, roots=roots)
    except (SpecError, OSError, ValueError, RecursionError):
        return sorted(found)
    found.update(read_by(doc))
    for value in (doc.theme if doc.theme is not None else DEFAULT_THEME, *names):
        found.update(_theme_files(value, doc))
    return sorted(found)


def _kind(p: Path) -> str:
    suffix = p.suffix.lower()
    if suffix in (".ttf", ".otf", ".ttc", ".otc"):
        return "font"
    if suffix in (".csv", ".tsv"):
        return "data"
    if suffix in (".yaml", ".yml", ".json"):
        return "spec"
    return "picture"


def fingerprint(paths: Iterable[Path], extra: Any = None) -> str:
    """SHA-256 over the files' names and bytes and a JSON-able ``extra`` (options, data, version).

    Files are read through the gate's size budget; one that cannot be read counts as such.
    """
    from .assets import read_file

    h = hashlib.sha256()
    for p in paths:
        h.update(os.fsencode(str(p)) + b"\0")
        try:
            h.update(hashlib.sha256(read_file(p, _kind(Path(p)))).digest())
        except SpecError:
            h.update(b"<unreadable>")
    h.update(json.dumps(extra, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"))
    return h.hexdigest()
