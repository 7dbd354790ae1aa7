"""A trace of what tushuo does to the machine while a test runs: files opened, programs run.

One ``sys.addaudithook`` hook for the whole test process (hooks cannot be removed), active
only inside ``with traced() as t:``. ``t.opens`` holds every path given to ``open``/``os.open``
(resolved), ``t.programs`` every external program started (``subprocess.Popen``, ``os.system``,
``os.exec*``, ``os.posix_spawn``, ``os.spawn*``). Tests use it to prove the promises of
issue #14: nothing outside the spec's folder is read, no external program runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_PROGRAM_EVENTS = frozenset(
    {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile", "pty.spawn"}
)


@dataclass
class Trace:
    opens: list[str] = field(default_factory=list)
    programs: list[tuple[str, str]] = field(default_factory=list)

    def opened_under(self, *folders: Path, besides: Path | None = None) -> list[str]:
        """Opened paths inside any of ``folders`` but not inside ``besides`` (the allowed folder)."""
        roots = [str(Path(f).resolve()) for f in folders]
        allowed = str(besides.resolve()) if besides is not None else None
        out = []
        for p in self.opens:
            if allowed is not None and (p == allowed or p.startswith(allowed + os.sep)):
                continue
            if any(p == r or p.startswith(r + os.sep) for r in roots):
                out.append(p)
        return out


_active: list[Trace] = []


def _hook(event: str, args: tuple) -> None:
    if not _active:
        return
    if event == "open":
        path = args[0]
        if isinstance(path, int) or path is None:
            return
        try:
            text = os.fsdecode(path)
            resolved = os.path.realpath(text) if "\0" not in text else text
        except (TypeError, ValueError):
            return
        for t in _active:
            t.opens.append(resolved)
    elif event in _PROGRAM_EVENTS:
        for t in _active:
            t.programs.append((event, repr(args)[:200]))


sys.addaudithook(_hook)


@contextmanager
def traced() -> Iterator[Trace]:
    t = Trace()
    _active.append(t)
    try:
        yield t
    finally:
        _active.remove(t)
