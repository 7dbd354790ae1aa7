"""``tushuo watch``: render a spec again whenever it, or a file it uses, is saved.

The watched set is the spec's dependencies (tushuo.deps): the spec, its data file,
the pictures and CSV files it names, its template and theme. Their folders are
watched (not the files), because many editors save by writing a new file and
renaming it over the old one, which a watch on the file itself would lose. The set
is worked out again after every render, so a newly named picture is watched too.
A render error is printed and watching goes on; the last good output stays.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from .deps import dependencies
from .errors import SpecError


def _stamp() -> str:
    return datetime.now().strftime("%H:%M:%S")


def render_once(spec: Path, out: str | None, data_file: str | None, options: dict[str, Any],
                say: Callable[[str], None], err: Callable[[str], None], sheet: str | None = None) -> bool:
    """One render with its message; False (and the error printed) when it failed."""
    from .runspec import describe_output, render_spec

    t0 = time.perf_counter()
    try:
        paths = render_spec(spec, out, options, data_file, sheet=sheet)
    except SpecError as exc:
        err(f"[{_stamp()}] {exc.format()}")
        return False
    except Exception as exc:  # noqa: BLE001 - keep watching; the user may fix the input
        err(f"[{_stamp()}] internal error: {type(exc).__name__}: {exc} (please report it; --debug shows more)")
        return False
    dt = time.perf_counter() - t0
    for p in paths:
        say(f"[{_stamp()}] wrote {describe_output(p)} in {dt:.1f}s")
    return True


def watch(
    spec: str | Path,
    out: str | None = None,
    *,
    data_file: str | None = None,
    sheet: str | None = None,
    stop_event: threading.Event | None = None,
    max_renders: int | None = None,
    debounce_ms: int = 150,
    say: Callable[[str], None] | None = None,
    err: Callable[[str], None] | None = None,
    **options: Any,
) -> int:
    """Render, then re-render on every change until ``stop_event`` is set or Ctrl-C.

    ``max_renders`` stops after that many renders (the first included), for tests
    and scripts. Returns 0.
    """
    import watchfiles

    spec = Path(spec)
    say = say or (lambda s: print(s, flush=True))
    err = err or (lambda s: print(s, file=sys.stderr, flush=True))
    theme = [options["theme"]] if isinstance(options.get("theme"), str) else []

    renders = 0

    def again() -> bool:
        nonlocal renders
        render_once(spec, out, data_file, options, say, err, sheet)
        renders += 1
        return max_renders is not None and renders >= max_renders

    if again():
        return 0
    say(f"watching {spec} and the files it uses; Ctrl-C stops")
    while not (stop_event is not None and stop_event.is_set()):
        deps = set(dependencies(spec, data_file=data_file, names=theme))
        deps.add(spec.resolve())
        folders = sorted({p.parent for p in deps if p.parent.is_dir()})

        def relevant(_change: Any, path: str, deps: set[Path] = deps) -> bool:
            return Path(path).resolve() in deps

        changed_set = False
        for _changes in watchfiles.watch(
            *folders, watch_filter=relevant, stop_event=stop_event, debounce=debounce_ms,
            step=50, recursive=False, raise_interrupt=False,
        ):
            if again():
                return 0
            if set(dependencies(spec, data_file=data_file, names=theme)) | {spec.resolve()} != deps:
                changed_set = True
                break  # watch the new set of files
        if not changed_set:
            break  # stopped (event or Ctrl-C)
    return 0
