"""``{{slots}}``: values from ``data`` (and the spec's own ``data:``) filled into the located tree."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import SpecError
from .messages import _describe
from .tree import _N, _from_python, _join, _to_python

_SLOT = re.compile(r"\{\{\s*([^{}\s]+?)\s*\}\}")


_NO = object()


def _lookup(data: Mapping[str, Any], name: str) -> Any:
    if name in data:
        return data[name]
    cur: Any = data
    for part in name.split("."):
        if isinstance(cur, _N):  # a value from the spec's own data: mapping
            cur = cur.v
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        elif isinstance(cur, (list, tuple)) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return _NO
    return cur


def _as_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _own_data(tree: _N, label: str | None) -> dict[str, Any]:
    """Slot values the spec carries itself: its top-level ``data:`` mapping (located values).

    A spec that says ``extends: monthly-digest`` holds its month's values under
    ``data:``; a template's own ``data:`` gives defaults (the merge puts the spec's
    over it). Values passed by the caller (--data, ``load(data=...)``) win.
    """
    node = tree.v.pop("data", None)
    if node is None or node.v is None:
        return {}
    if not isinstance(node.v, dict):
        file, line, col = node.mark if node.mark else (label, None, None)
        raise SpecError(
            f"data must be a mapping of slot names to values (month: 2026年11月), got {_describe(node.v)}",
            file=file, line=line, col=col, path="data",
        )
    return dict(node.v)


def _fill(n: _N, path: str, data: Mapping[str, Any], errors: list[SpecError], budget: list[int]) -> _N:
    """Every ``{{name}}`` filled from ``data``: a whole-string slot takes the value itself."""
    if isinstance(n.v, dict):
        for k, c in n.v.items():
            n.v[k] = _fill(c, _join(path, k), data, errors, budget)
        return n
    if isinstance(n.v, list):
        n.v = [_fill(c, _join(path, i), data, errors, budget) for i, c in enumerate(n.v)]
        return n
    if not isinstance(n.v, str) or "{{" not in n.v:
        return n

    def missing(name: str) -> None:
        file, line, col = n.mark if n.mark else (None, None, None)
        hint = f'give it under data: in the spec, with --data FILE, or tushuo.load(..., data={{"{name}": ...}})'
        errors.append(SpecError(f"no data for slot {{{{{name}}}}}: {hint}", file=file, line=line, col=col, path=path))

    whole = _SLOT.fullmatch(n.v.strip())
    if whole:
        value = _lookup(data, whole.group(1))
        if value is _NO:
            missing(whole.group(1))
            return n
        if isinstance(value, _N):  # from the spec's own data: keep where it was written
            filled = _N(value.v, value.mark, n.kmark)
        else:
            filled = _from_python(value, n.mark, budget)
            filled.kmark = n.kmark
        return filled

    def sub(m: re.Match[str]) -> str:
        value = _lookup(data, m.group(1))
        if value is _NO:
            missing(m.group(1))
            return m.group(0)
        return _as_text(_to_python(value, "", {}, {}) if isinstance(value, _N) else value)

    return _N(_SLOT.sub(sub, n.v), n.mark, n.kmark)
