"""Error types. A user's mistake is a SpecError (exit 2); our own failure a RenderError (exit 1)."""

from __future__ import annotations


class TushuoError(Exception):
    """Base of every error tushuo raises on purpose."""

    exit_code = 1


class SpecError(TushuoError):
    """Bad input: a spec, data file, path or option. Carries where it happened.

    ``str(err)`` is ``FILE:LINE:COL: path.in[2].spec: message``; parts that are
    unknown are left out, so a dict spec gives ``path: message``.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.path = path
        super().__init__(self.format())

    def location(self) -> str:
        if not self.file:
            return ""
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        return loc

    def format(self) -> str:
        parts = [p for p in (self.location(), self.path) if p]
        parts.append(self.message)
        return ": ".join(parts)


class SpecErrors(SpecError):
    """Several located errors found in one pass (a spec with more than one mistake)."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.message, file=first.file, line=first.line, col=first.col, path=first.path)

    def format(self) -> str:
        return "\n".join(e.format() for e in self.errors)


class FontError(SpecError):
    """A character no font in the chain covers, or a font file that cannot be used."""


class RenderError(TushuoError):
    """Something failed while drawing or writing output that is not the user's fault."""


class TushuoWarning(UserWarning):
    """A problem that did not stop the render (a character drawn as a box, a layout fallback).

    The message starts with the spec path it is about (``blocks[2]: ...``); the command
    line prints it located, as ``tushuo check`` does.
    """
