"""pydantic's validation errors as people read them: FILE:LINE:COL, the spec path, what would fix it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sized
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..errors import SpecError, SpecErrors
from ..spec.blocks import BLOCK_TYPES, PYTHON_ONLY
from ..spec.document import Document
from . import limits
from .tree import Mark, _join

_TYPE_NOUNS = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
}


def _describe(v: Any) -> str:
    if v is None:
        return "nothing (null)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, int):  # str() of an int past 4,300 digits raises; a message needs its size only
        return str(v) if v.bit_length() <= 128 else f"a number of about {int(v.bit_length() * 0.30103) + 1:,} digits"
    if isinstance(v, str):
        return f"'{v}'" if len(v) <= 40 else f"'{v[:37]}…'"
    if isinstance(v, (list, tuple)):
        return "a list"
    if isinstance(v, Mapping):
        return "a mapping"
    return type(v).__name__


def _unwrap(t: Any) -> Any:
    while True:
        origin = get_origin(t)
        if origin is Annotated:
            t = get_args(t)[0]
            continue
        if origin in (Union, UnionType):
            args = [a for a in get_args(t) if a is not type(None)]
            if len(args) == 1:
                t = args[0]
                continue
        return t


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _is_block(t: Any) -> bool:
    """Is ``t`` the Block union (an element of a ``blocks`` list)?"""
    t = _unwrap(t)
    return get_origin(t) in (Union, UnionType) and any(a in BLOCK_TYPES.values() for a in get_args(t))


def _step(t: Any, seg: Any) -> tuple[Any, Any, bool]:
    """Follow one pydantic error-location segment: (next type, FieldInfo, segment was a union tag)."""
    t = _unwrap(t)
    origin = get_origin(t)
    if origin in (Union, UnionType):
        for a in (_unwrap(a) for a in get_args(t) if a is not type(None)):
            if _is_model(a):
                tf = a.model_fields.get("type")
                if a.__name__ == seg or (tf is not None and get_args(tf.annotation) == (seg,)):
                    return a, None, True
            elif getattr(a, "__name__", None) == seg:
                return a, None, True
        return None, None, True
    if _is_model(t):
        f = t.model_fields.get(seg) if isinstance(seg, str) else None
        return (f.annotation, f, False) if f is not None else (None, None, False)
    if origin in (list, tuple) and isinstance(seg, int):
        args = get_args(t)
        return (args[0] if args else None), None, False
    if origin is dict:
        return get_args(t)[1], None, False
    return None, None, False


class _Where:
    """A pydantic error location translated to a spec path (union tags dropped)."""

    def __init__(self, loc: tuple[Any, ...], value: Any, root: Any = Document) -> None:
        t: Any = root
        cur: Any = value
        self.segs: list[Any] = []
        self.field: Any = None  # FieldInfo of the last model field on the way
        self.owner: Any = None  # the type holding the last segment (a model for extra keys)
        for i, seg in enumerate(loc):
            if t is not None:
                nt, f, tag = _step(t, seg)
            else:  # a type we cannot follow: trust the data
                present = (isinstance(cur, Mapping) and seg in cur) or (
                    isinstance(cur, list) and isinstance(seg, int) and 0 <= seg < len(cur)
                )
                nt, f, tag = None, None, not present and i < len(loc) - 1
            if tag:
                t = nt
                continue
            self.owner = _unwrap(t) if t is not None else None
            self.segs.append(seg)
            self.field = f if f is not None else (None if i == len(loc) - 1 else self.field)
            t = nt
            if isinstance(cur, Mapping):
                cur = cur.get(seg)
            elif isinstance(cur, list) and isinstance(seg, int) and 0 <= seg < len(cur):
                cur = cur[seg]
            else:
                cur = None
        self.type = t  # the expected type at the error, when known
        self.path = self.parent = ""
        for s in self.segs:
            self.parent, self.path = self.path, _join(self.path, s)


def _bounds(field: Any) -> tuple[Any, Any]:
    lo = hi = None
    for m in getattr(field, "metadata", ()):
        lo = getattr(m, "ge", getattr(m, "gt", lo))
        hi = getattr(m, "le", getattr(m, "lt", hi))
        lo = getattr(m, "min_length", lo) if lo is None else lo
        hi = getattr(m, "max_length", hi) if hi is None else hi
    return lo, hi


def _message(e: Mapping[str, Any], where: _Where) -> str:  # noqa: C901 - over the limit before ruff ran; split tracked in #12
    """A message that says what is wrong and what would fix it."""
    import difflib  # only for a message: importing it costs a cold start 2 ms

    kind, ctx, value = e["type"], e.get("ctx") or {}, e.get("input")
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        name = str(where.segs[-1]) if where.segs else "?"
        if "\u3000" in name:  # full-width spaces are not whitespace to YAML: they became part of the key
            return (f"'{name.strip()}' is indented with a full-width space (U+3000): "
                    "YAML indentation must be ordinary spaces")
        fields = list(where.owner.model_fields) if _is_model(where.owner) else []
        close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
        if close:
            return f"unknown field '{name}' (did you mean '{close[0]}'?)"
        return f"unknown field '{name}'" + (f"; allowed: {', '.join(fields)}" if fields else "")
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", ""))) or [str(ctx.get("expected", ""))]
        if where.path == "tushuo":
            return f"unsupported spec version {_describe(value)}: this tushuo reads version 1 (write `tushuo: 1`)"
        hint = ""
        if isinstance(value, str):
            close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"{_describe(value)} is not allowed{hint}; use one of: {', '.join(options)}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        lo, hi = _bounds(where.field)
        if lo is not None and hi is not None:
            return f"must be between {lo:g} and {hi:g}, got {_describe(value)}"
        bound = next(iter(ctx.values()), "?")
        word = {"greater_than_equal": "at least", "less_than_equal": "at most",
                "greater_than": "more than", "less_than": "less than"}[kind]
        return f"must be {word} {bound}, got {_describe(value)}"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind in ("too_short", "too_long"):
        lo, hi = _bounds(where.field)
        n = ctx.get("actual_length", len(value) if isinstance(value, Sized) else "?")
        noun = "item" if ctx.get("field_type", "List") == "List" else "entry"
        if lo is not None and hi is not None:
            return f"needs {lo} to {hi} {noun}s, got {n}"
        if kind == "too_short":
            return f"needs at least {ctx.get('min_length')} {noun}{'s' if ctx.get('min_length') != 1 else ''}, got {n}"
        return f"takes at most {ctx.get('max_length')} {noun}s, got {n}"
    if kind in ("string_too_long",):
        return f"too long: at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        if "#" in str(ctx.get("pattern", "")):
            return f"expected a colour #RRGGBB or #RRGGBBAA (e.g. #B7181E), got {_describe(value)}"
        return f"{_describe(value)} does not match the pattern {ctx.get('pattern')}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        types = [t for t in BLOCK_TYPES if t not in PYTHON_ONLY]  # what a spec file can use
        if kind == "union_tag_invalid":
            tag = str(ctx.get("tag"))
            close = difflib.get_close_matches(tag, types, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            return f"unknown block type '{tag}'{hint}; valid types: {', '.join(types)}"
        if not isinstance(value, Mapping):
            return f"expected a block (a mapping with a type), got {_describe(value)}"
        return f"the block has no type: add `type:` with one of {', '.join(types)}"
    if kind == "value_error":
        msg = str(e.get("msg", ""))
        return msg.removeprefix("Value error, ")
    if kind in _TYPE_NOUNS:
        if _is_block(where.type):
            return f"expected a block (a mapping with a type, e.g. `type: paragraph`), got {_describe(value)}"
        return f"expected {_TYPE_NOUNS[kind]}, got {_describe(value)}"
    msg = str(e.get("msg", kind))
    return msg[:1].lower() + msg[1:]


def _find_mark(marks: Mapping[str, Mark], path: str) -> Mark | None:
    p = path
    while True:
        if p in marks:
            return marks[p]
        if not p:
            return None
        cut = max(p.rfind("."), p.rfind("["))
        p = p[:cut] if cut > 0 else ""


def _validation_errors(
    exc: ValidationError, value: Any, marks: dict[str, Mark], kmarks: dict[str, Mark], label: str | None,
    root: Any = Document,
) -> list[SpecError]:
    """Pydantic's errors as located SpecErrors: one per mistake, union noise removed."""
    plain: list[tuple[str, Mark | None, str]] = []
    typed: dict[str, tuple[list[str], Any, Mark | None]] = {}
    for e in exc.errors(include_url=False):
        where = _Where(tuple(e["loc"]), value, root)
        path, kind = where.path, e["type"]
        if kind == "spec":  # a model validator naming the part it is about
            at = str(e["ctx"]["at"])
            path = path + at if at.startswith("[") or not path else f"{path}.{at}"
            plain.append((path, _find_mark(marks, path), str(e["ctx"]["message"])))
            continue
        if kind == "union_tag_invalid":
            path = _join(path, "type")
        if kind == "missing":  # point at the mapping that lacks the field
            mark = _find_mark(marks, where.parent)
        elif kind == "extra_forbidden":
            mark = kmarks.get(path) or _find_mark(marks, path)
        else:
            mark = _find_mark(marks, path)
        if kind in _TYPE_NOUNS and not _is_block(where.type):
            nouns, _, _ = typed.setdefault(path, ([], e.get("input"), mark))
            if _TYPE_NOUNS[kind] not in nouns:
                nouns.append(_TYPE_NOUNS[kind])
            continue
        plain.append((path, mark, _message(e, where)))
    # A type error from one branch of a union is noise when another branch got further.
    for path, (nouns, value_in, mark) in typed.items():
        deeper = any(p == path or p.startswith((path + ".", path + "[")) for p, _, _ in plain)
        if deeper:
            continue
        if "a number" in nouns and "a whole number" in nouns:
            nouns.remove("a whole number")
        plain.append((path, mark, f"expected {' or '.join(nouns)}, got {_describe(value_in)}"))
    out: list[SpecError] = []
    seen: set[tuple[str, str]] = set()
    for path, mark, msg in plain:
        if (path, msg) in seen:
            continue
        seen.add((path, msg))
        file, line, col = mark if mark else (label, None, None)
        out.append(SpecError(msg, file=file, line=line, col=col, path=path or None))
    return out


def _raise(errors: list[SpecError]) -> None:
    if not errors:
        return
    errors.sort(key=lambda e: (e.file or "", e.line or 0, e.col or 0))
    if len(errors) == 1:
        raise errors[0]
    if len(errors) > limits.MAX_ERRORS:
        more = len(errors) - limits.MAX_ERRORS
        errors = [*errors[:limits.MAX_ERRORS], SpecError(f"… and {more} more errors", file=errors[0].file)]
    raise SpecErrors(errors)


def construction_error(exc: ValidationError, model: type[BaseModel], data: Mapping[str, Any]) -> SpecError:
    """A model built in Python (``StepsBlock(items=...)``) failed: the loader's messages, no file.

    Paths are relative to the model built (``items[2].next[0].to: no item has id 's9'``);
    several mistakes give a SpecErrors listing each.
    """
    errors = _validation_errors(exc, dict(data), {}, {}, None, root=model)
    errors.sort(key=lambda e: e.path or "")
    if len(errors) == 1:
        return errors[0]
    if len(errors) > limits.MAX_ERRORS:
        errors = [*errors[:limits.MAX_ERRORS], SpecError(f"… and {len(errors) - limits.MAX_ERRORS} more errors")]
    return SpecErrors(errors)
