"""``extends``: a template's tree merged under the spec's (mappings merge, lists replace), sandboxed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..assets import resolve_path
from ..errors import SpecError
from . import limits
from .tree import _N, Mark, _display, _parse_text, _read_file, _top_mapping


def _template_dirs() -> list[Path]:
    """Folders searched for ``extends: NAME`` (the bundled layouts/)."""
    from ..resources import layouts_dir

    try:
        return [layouts_dir()]
    except FileNotFoundError:
        return []


def _template_names() -> list[str]:
    names: set[str] = set()
    for d in _template_dirs():
        names.update(p.stem for p in d.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json"))
    return sorted(names)


def _locate_error(exc: SpecError, mark: Mark | None, path: str | None = None) -> SpecError:
    """``exc`` re-raised at ``mark`` (keeps an error that already has its own file)."""
    if exc.file is not None or mark is None:
        return exc
    return SpecError(exc.message, file=mark[0], line=mark[1], col=mark[2], path=path or exc.path)


def _find_template(ref: Any, node: _N, base: Path, sandbox: tuple[Path, ...]) -> tuple[Path, tuple[Path, ...]]:
    """The template file ``extends`` names, and the folders its own ``extends`` may use."""
    if not isinstance(ref, str) or not ref.strip():
        raise _locate_error(SpecError("extends must be a template name or a path to a spec file"), node.mark, "extends")
    is_name = not any(c in ref for c in "/\\") and Path(ref).suffix.lower() not in (".yaml", ".yml", ".json")
    if is_name:
        for d in _template_dirs():
            for ext in (".yaml", ".yml", ".json"):
                if (d / f"{ref}{ext}").is_file():
                    return (d / f"{ref}{ext}").resolve(), (d.resolve(),)
        import difflib  # only for this message: importing it costs a cold start 2 ms

        names = _template_names()
        close = difflib.get_close_matches(ref, names, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        ready = f"; ready templates: {', '.join(names)}" if names else "; no templates are installed"
        msg = f"no template named '{ref}'{hint}{ready} (for a file, give its path with .yaml)"
        raise _locate_error(SpecError(msg), node.mark, "extends")
    try:
        return resolve_path(ref, base, sandbox), sandbox
    except SpecError as exc:
        raise _locate_error(exc, node.mark, "extends") from None


def _apply_extends(tree: _N, base: Path, sandbox: tuple[Path, ...], chain: tuple[Path, ...],
                   read: list[Path] | None = None) -> _N:
    """``tree`` merged over the template its ``extends`` names (recursively); ``extends`` removed."""
    ext = tree.v.pop("extends", None)
    if ext is None or ext.v is None:
        return tree
    path, inner_sandbox = _find_template(ext.v, ext, base, sandbox)
    if path in chain:
        cycle = " → ".join(_display(p) for p in (*chain, path))
        raise _locate_error(SpecError(f"extends cycle: {cycle}"), ext.mark, "extends")
    if len(chain) > limits.MAX_EXTENDS:
        raise _locate_error(SpecError(f"templates extend more than {limits.MAX_EXTENDS} levels deep"), ext.mark, "extends")
    label = _display(path)
    if read is not None:
        read.append(path)
    template = _parse_text(_read_file(path, label), label, json_mode=path.suffix.lower() == ".json")
    _top_mapping(template, label)
    template = _apply_extends(template, path.parent, inner_sandbox, (*chain, path), read)
    return _merge(template, tree)


def _merge(base: _N, over: _N) -> _N:
    """Deep merge: mappings key by key, everything else (lists included) replaced by ``over``."""
    if isinstance(base.v, dict) and isinstance(over.v, dict):
        out = dict(base.v)
        for k, child in over.v.items():
            out[k] = _merge(out[k], child) if k in out else child
        return _N(out, over.mark, over.kmark)
    return over
