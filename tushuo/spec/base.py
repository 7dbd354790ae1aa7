"""The base of every spec model: building one in Python reports mistakes the way the loader does.

``BannerBlock(title=...)`` or ``Document(title=..., blocks=[...])`` with a mistake raises a
SpecError (``blocks[1].items[0].next[0].to: no item has id 's9'``), not pydantic's dump,
so a program gets the same messages a person editing YAML gets. Validation itself
(``Document.model_validate``) is pydantic's, untouched: the loader translates its errors
with file:line:col, which construction has no use for.
"""

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

#: Turns pydantic's ValidationError into tushuo's SpecError (the loader's translation).
#: Installed by ``tushuo.spec`` when the package is imported: this module cannot import the
#: loader, which imports the models.
explain: Callable[[ValidationError, type[BaseModel], dict[str, Any]], Exception] | None = None


class SpecModel(BaseModel):
    """A pydantic model whose constructor raises tushuo's located SpecError."""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            if explain is None:
                raise
            raise explain(exc, type(self), data) from None

    # Tell pydantic this is still its own constructor (RootModel does the same): nested models
    # and model_validate() are then validated by pydantic-core directly, never through this
    # __init__, so the loader keeps pydantic's error locations and adds file:line:col itself.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]


__all__ = ["SpecModel", "explain"]
