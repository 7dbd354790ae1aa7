"""Spec loading: YAML/JSON text with line marks → ``extends`` → ``{{slots}}`` → validation → Document.

Why not ``yaml.safe_load``: every error must name ``FILE:LINE:COL`` and the path
inside the spec, so we compose PyYAML's node tree (which keeps marks) and build
the Python values ourselves, remembering where each value came from. Building by
hand is also where the safety rules live: plain data tags only, a node budget that
stops alias bombs ("billion laughs") before they expand, a depth limit, no
duplicate keys, and YAML 1.1 surprises turned off (``no``, ``1:20`` and dates stay text).

The pipeline::

    read (size cap, encoding) → compose (node budget) → located tree (_N)
      → extends: template tree merged under it (mappings merge, lists replace)
      → {{slots}} filled from ``data`` → plain values + marks
      → Document.model_validate → human messages at file:line:col
      → src / image / data_file paths checked against the sandbox

Each step lives in its own module under :mod:`tushuo.loading` (tree: located reading;
extends; slots; messages: pydantic errors in words; limits); this module runs them in order.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .assets import resolve_path
from .errors import SpecError
from .loading import limits
from .loading.extends import _apply_extends
from .loading.limits import MAX_BYTES, MAX_NODES, MAX_TEXT_CHARS  # the public limits
from .loading.messages import _describe, _find_mark, _raise, _validation_errors, construction_error
from .loading.slots import _fill, _own_data
from .loading.tree import (  # noqa: F401  (themes, batch, templates read through here)
    Mark,
    _display,
    _join,
    _parse_text,
    _read_file,
    _read_source,
    _to_python,
    _top_mapping,
    read_tree,
)
from .spec.document import Document

__all__ = [
    "MAX_BYTES", "MAX_NODES", "MAX_TEXT_CHARS", "construction_error", "load", "load_data_file", "path_fields",
    "read_tree",
]

#: Spec fields that name a file next to the spec.
PATH_FIELDS = frozenset({"src", "image", "data_file"})


def path_fields(doc: Document) -> Iterable[tuple[str, str]]:
    """(spec path, value) of every file field (src / image / data_file) a document holds.

    Only these fields name files: other strings (a paragraph that reads ``/etc/passwd``)
    are never treated as paths, here or in the batch fingerprint.
    """

    def walk(obj: Any, path: str) -> Iterable[tuple[str, str]]:
        if isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                v = getattr(obj, name)
                p = _join(path, name)
                if name in PATH_FIELDS and isinstance(v, str):
                    yield p, v
                elif isinstance(v, (BaseModel, list)):
                    yield from walk(v, p)
        elif isinstance(obj, list):
            for i, x in enumerate(obj):
                yield from walk(x, _join(path, i))

    return walk(doc.blocks, "blocks")


def _check_paths(doc: Document, marks: Mapping[str, Mark], label: str | None) -> list[SpecError]:
    """Every src / image / data_file must resolve inside the sandbox (located errors)."""
    errors: list[SpecError] = []
    for p, v in path_fields(doc):
        try:
            resolve_path(v, doc.base_dir, doc._roots)
        except SpecError as exc:
            file, line, col = _find_mark(marks, p) or (label, None, None)
            errors.append(SpecError(exc.message, file=file, line=line, col=col, path=p))
    return errors


def load(
    source: Any,
    data: Mapping[str, Any] | None = None,
    roots: Iterable[str | os.PathLike[str]] | str | os.PathLike[str] | None = (),
    *,
    file: str | os.PathLike[str] | None = None,
) -> Document:
    """A validated Document from a path, YAML/JSON text (str or bytes) or a dict.

    ``data`` fills ``{{slots}}`` in the spec and its templates. Relative paths in
    the spec resolve against its folder (the cwd for text and dicts) and may not
    leave it or ``roots``. With ``file``, text ``source`` is that file's (unsaved) content:
    messages name it and its folder is the base. Every mistake raises a SpecError (SpecErrors for several)
    reading ``FILE:LINE:COL: path.in[2].spec: message``.
    """
    if isinstance(source, Document):
        return source
    if data is not None and not isinstance(data, Mapping):
        raise SpecError(f"data must be a mapping of slot names to values, got {_describe(data)}")
    tree, label, base = _read_source(source, file)
    _top_mapping(tree, label)
    base_dir = base if base is not None else Path.cwd().resolve()
    if roots is None or isinstance(roots, (str, os.PathLike)):
        roots = () if roots is None else (roots,)
    root_paths = tuple(Path(r).resolve() for r in roots)
    templates: list[Path] = []
    tree = _apply_extends(tree, base_dir, (base_dir, *root_paths), (), templates)
    errors: list[SpecError] = []
    tree = _fill(tree, "", {**_own_data(tree, label), **(data or {})}, errors, [limits.MAX_NODES, limits.MAX_BYTES])
    _raise(errors)
    marks: dict[str, Mark] = {}
    kmarks: dict[str, Mark] = {}
    value = _to_python(tree, "", marks, kmarks)
    try:
        doc = Document.model_validate(value)
    except ValidationError as exc:
        _raise(_validation_errors(exc, value, marks, kmarks, label))
        raise  # pragma: no cover - _raise always raises for a non-empty list
    doc._source_file = label
    doc._marks = {p: m for p, m in marks.items() if p}
    doc.base_dir = str(base) if base is not None else None
    doc._roots = tuple(str(r) for r in root_paths)
    doc._templates = tuple(str(t) for t in templates)
    _raise(_check_paths(doc, marks, label))
    return doc


def load_data_file(path: str | os.PathLike[str], *, rows: bool = False, sheet: str | int | None = None) -> Any:
    """The mapping in a YAML or JSON data file (for ``--data FILE``), with located errors.

    ``rows=True`` (for ``tushuo batch``) also accepts a list of mappings, one per output.
    An Excel workbook's ``sheet`` (default: the first) gives its header row as the slot
    names and one row (several with ``rows=True``) of values as Excel shows them.
    """
    p = Path(path)
    label = os.fspath(path)
    if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        from .workbook import sheet_rows

        records = sheet_rows(p, label, sheet)
        if rows:
            return [r for _, r in records]
        if len(records) != 1:
            raise SpecError(
                f"--data for one spec takes one row of values under the header, but the sheet has {len(records)}; "
                "for one output per row use `tushuo batch --template NAME --data FILE.xlsx`",
                file=label,
            )
        return records[0][1]
    if sheet is not None:
        raise SpecError("--sheet goes with an Excel workbook (.xlsx); this data file is not one", file=label)
    if p.suffix.lower() in (".csv", ".tsv"):
        raise SpecError(
            "CSV data fills many specs at once: use `tushuo batch --template NAME --data FILE.csv`; "
            "--data for one spec takes a YAML or JSON mapping",
            file=label,
        )
    tree = _parse_text(_read_file(p, label), label, json_mode=p.suffix.lower() == ".json")
    if isinstance(tree.v, dict):
        return _to_python(tree, "", {}, {})
    if rows and isinstance(tree.v, list):
        for item in tree.v:
            if not isinstance(item.v, dict):
                _, line, col = item.mark or (label, None, None)
                got = _describe(_to_python(item, "", {}, {}))
                raise SpecError(
                    f"each row must be a mapping of slot names to values, got {got}",
                    file=label, line=line, col=col,
                )
        return _to_python(tree, "", {}, {})
    line, col = (tree.mark[1], tree.mark[2]) if tree.mark else (None, None)
    want = "a mapping (issue: 3) or a list of mappings" if rows else "a mapping of slot names to values (issue: 3)"
    raise SpecError(
        f"data must be {want}, got {_describe(_to_python(tree, '', {}, {}))}", file=label, line=line, col=col
    )
