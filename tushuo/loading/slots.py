"""``{{slots}}``: values from ``data`` (and the spec's own ``data:``) filled into the located tree."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import SpecError
from . import limits
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
            _charge(value, n, path, budget)  # each use expands again later: it counts every time
            filled = _N(value.v, value.mark, n.kmark)
        else:
            filled = _from_python(value, n.mark, budget)
            filled.kmark = n.kmark
        return filled

    grown = [len(n.v)]

    def sub(m: re.Match[str]) -> str:
        value = _lookup(data, m.group(1))
        if value is _NO:
            missing(m.group(1))
            return m.group(0)
        if isinstance(value, _N):
            _charge(value, n, path, budget)
        text = _as_text(_to_python(value, "", {}, {}) if isinstance(value, _N) else value)
        grown[0] += len(text)
        if len(budget) > 1:
            budget[1] -= len(text)
        if grown[0] > limits.MAX_TEXT_CHARS or (len(budget) > 1 and budget[1] < 0):
            file, line, col = n.mark if n.mark else (None, None, None)
            what = (f"more than {limits.MAX_TEXT_CHARS:,} characters in one value" if grown[0] > limits.MAX_TEXT_CHARS
                    else f"more than {limits.MAX_BYTES:,} characters in all")
            raise SpecError(f"text too long once its {{{{slots}}}} are filled: {what}; use shorter data",
                            file=file, line=line, col=col, path=path or None)
        return text

    return _N(_SLOT.sub(sub, n.v), n.mark, n.kmark)


def _charge(value: _N, at: _N, path: str, budget: list[int]) -> None:
    """Count a slot value's nodes (and characters) against the budgets, as if written out where it is used.

    ``budget`` is [values left, characters left]: a data value used a thousand times
    expands a thousand times when the document is built.
    """
    stack = [value]
    while stack:
        v = stack.pop()
        budget[0] -= 1
        file, line, col = at.mark if at.mark else (None, None, None)
        if budget[0] < 0:
            raise SpecError(
                f"spec too large: its {{{{slots}}}} fill in more than {limits.MAX_NODES} values; "
                "use the data fewer times", file=file, line=line, col=col, path=path or None,
            )
        if isinstance(v.v, dict):
            stack.extend(v.v.values())
        elif isinstance(v.v, list):
            stack.extend(v.v)
        elif isinstance(v.v, str) and len(budget) > 1:
            budget[1] -= len(v.v)
            if budget[1] < 0:
                raise SpecError(
                    f"spec too large: its {{{{slots}}}} fill in more than {limits.MAX_BYTES:,} characters; "
                    "use the data fewer times", file=file, line=line, col=col, path=path or None,
                )
