"""A Document back to a spec a person can read and edit: the other half of ``tushuo.load``.

Programs build documents from data; people adjust the YAML. So the text is written
the way the examples are: the ``$schema`` comment line for editors, defaults left out
(a block keeps its ``type``), keys in the models' order (the documented order), short
mappings and lists of plain values on one line (``{label: 完成率, value: 98.5, unit: "%"}``),
text with line breaks as ``|`` blocks, Chinese as itself, never ``\\u`` escapes.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from typing import Any

import yaml
from pydantic import BaseModel

from .blocks import BLOCK_TYPES

#: A mapping or list of plain values goes on one line when it takes at most this many columns
#: (a Chinese character takes two).
FLOW_WIDTH = 100

_BLOCKS = frozenset(BLOCK_TYPES.values())


class _Flow(dict):
    """A mapping written on one line."""


class _FlowList(list):
    """A list written on one line."""


class _Dumper(yaml.SafeDumper):
    """Block style with list items indented under their key, as the examples are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, s: str) -> yaml.Node:
    if "\n" in s:
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style="|")
    return dumper.represent_str(s)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_dt.date, lambda d, v: d.represent_str(v.isoformat()))
_Dumper.add_representer(_dt.datetime, lambda d, v: d.represent_str(v.isoformat(sep=" ")))


def _is_plain(v: Any) -> bool:
    return v is None or isinstance(v, (bool, int, float, _dt.date)) or (isinstance(v, str) and "\n" not in v)


def _one_line(v: Any) -> bool:
    text = yaml.dump(v, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000).rstrip("\n")
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return columns <= FLOW_WIDTH and "\n" not in text


def _value(v: Any) -> Any:
    """Plain YAML-ready data; short all-plain mappings and lists marked for one line."""
    if isinstance(v, BaseModel):
        return _mapping(_fields(v))
    if isinstance(v, dict):
        return _mapping({str(k): _value(x) for k, x in v.items()})
    if isinstance(v, (list, tuple)):
        items = [_value(x) for x in v]
        if items and all(_is_plain(x) for x in items) and _one_line(_FlowList(items)):
            return _FlowList(items)
        return items
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)  # 12.0 reads as 12 and loads back equal
    return v


def _mapping(d: dict[str, Any]) -> dict[str, Any]:
    flat = all(_is_plain(x) or isinstance(x, _FlowList) for x in d.values())
    if d and flat and _one_line(_Flow(d)):
        return _Flow(d)
    return d


def _fields(model: BaseModel) -> dict[str, Any]:
    """The fields a spec must write: those not at their default, in declaration order."""
    out: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        if field.exclude:
            continue
        v = getattr(model, name)
        keep = name == "type" and type(model) in _BLOCKS  # the kind is what a spec file must say
        if not keep and not field.is_required() and v == field.get_default(call_default_factory=True):
            continue
        out[name] = _value(v)
    return out


def spec_yaml(doc: BaseModel, *, schema: str = "tushuo.schema.json") -> str:
    """``doc`` as YAML text, starting with the ``$schema`` comment line editors read."""
    body = yaml.dump(
        _fields(doc), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False
    )
    return f"# yaml-language-server: $schema={schema}\n{body}"


__all__ = ["FLOW_WIDTH", "spec_yaml"]
