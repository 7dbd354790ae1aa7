"""Which files a spec's picture depends on, and a fingerprint of them.

``tushuo batch`` skips an input whose fingerprint is unchanged since the last run,
and ``tushuo watch`` re-renders when one of these files is saved. Both need the
same answer, so it lives here. The walk is deliberately generous: any string in
the spec (or its data) that names an existing file beside it, a ready template or
a built-in theme counts. Counting a file too many only costs a re-render; missing
one would skip a changed picture, so when in doubt a file is included.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .resources import layouts_dir

#: The theme used when a spec names none (its file is part of every fingerprint).
DEFAULT_THEME = "party-red"

_SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _read_tree(path: Path) -> Any:
    """The parsed YAML/JSON of a spec or template, or None when it cannot be parsed."""
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _candidates(s: str, base: Path | None) -> Iterator[Path]:
    if not s or len(s) > 400 or "\n" in s or "{{" in s or "://" in s:
        return
    if base is not None:
        yield base / s
    if "/" not in s and "\\" not in s:
        try:
            layouts = layouts_dir()
        except FileNotFoundError:
            return
        yield layouts / f"{s}.yaml"
        yield layouts / "themes" / f"{s}.yaml"


def _is_file(p: Path) -> bool:
    try:
        return p.is_file()
    except (OSError, ValueError):
        return False


def dependencies(
    spec: str | Path | None = None,
    *,
    data: Any = None,
    data_base: str | Path | None = None,
    files: Iterable[str | Path] = (),
    names: Iterable[str] = (),
) -> list[Path]:
    """Every file that may change the output, sorted, the inputs themselves included.

    ``spec``: a spec or template file. ``data``: slot data (a CSV row, a parsed data
    file) whose strings may name pictures relative to ``data_base``. ``files``: more
    files that count as such (a ``--data`` file). ``names``: extra template or theme
    names in use (``--theme``).
    """
    found: set[Path] = set()
    queue: list[tuple[Any, Path | None]] = []

    def add(p: Path) -> None:
        p = p.resolve()
        if p in found:
            return
        found.add(p)
        if p.suffix.lower() in _SPEC_SUFFIXES:
            tree = _read_tree(p)
            if tree is not None:
                queue.append((tree, p.parent))

    for f in (spec, *files):
        if f is not None and _is_file(Path(f)):
            add(Path(f))
    if data is not None:
        queue.append((data, Path(data_base) if data_base else None))
    queue.append(([DEFAULT_THEME, *names], None))
    while queue:
        tree, base = queue.pop()
        for s in _strings(tree):
            for cand in _candidates(s, base):
                if _is_file(cand):
                    add(cand)
    return sorted(found)


def fingerprint(paths: Iterable[Path], extra: Any = None) -> str:
    """SHA-256 over the files' names and bytes and a JSON-able ``extra`` (options, data, version)."""
    h = hashlib.sha256()
    for p in paths:
        h.update(str(p).encode("utf-8", "surrogatepass") + b"\0")
        try:
            h.update(hashlib.sha256(Path(p).read_bytes()).digest())
        except OSError:
            h.update(b"<missing>")
    h.update(json.dumps(extra, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    return h.hexdigest()
