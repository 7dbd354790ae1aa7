"""The spec language's JSON Schema, for editors: ``tushuo schema`` writes it, ``tushuo serve``
completes and explains keys from it."""

from __future__ import annotations

from typing import Any


def json_schema() -> dict[str, Any]:
    """The spec's JSON Schema: the Document model's, for editors (yaml-language-server)."""
    from . import __version__
    from .spec import Document

    schema = Document.model_json_schema()
    props = schema.get("properties", {})
    props.pop("base_dir", None)  # set by the loader, not written in specs
    # A spec that extends a template gets title and blocks from it.
    required = schema.pop("required", [])
    if required:
        schema["anyOf"] = [{"required": ["extends"]}, {"required": required}]
    ordered = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$comment": f"tushuo {__version__}"}
    ordered.update(schema)
    return ordered
