"""All-or-nothing file writes: a failed render leaves no half-written file behind.

Every output (image slices, PDF, SVG) is written to a temporary file beside its
target and renamed into place only when everything has been written. Used by
output.py (many slices at once), pdf.py and svg.py (one file).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import TracebackType
from typing import Self

from .errors import RenderError, SpecError

_UMASK = os.umask(0)
os.umask(_UMASK)

#: The files the document being written reads (real path → where it is named), see ``keep``
_KEEP: ContextVar[Mapping[str, Callable[[Path], SpecError]]] = ContextVar("tushuo_keep", default={})


@contextmanager
def keep(inputs: Mapping[Path, Callable[[Path], SpecError]]) -> Iterator[None]:
    """While inside, an output that is one of ``inputs`` (after symlinks) is refused: ``inputs[p](output)``.

    ``render photo.yaml`` writes photo.png beside the spec: when that is the picture the
    spec shows, the render replaced the user's photo with itself. Checked where every output
    is reserved, so slices, PDF, SVG and the companion are covered alike.
    """
    token = _KEEP.set({os.path.realpath(p): e for p, e in inputs.items()})
    try:
        yield
    finally:
        _KEEP.reset(token)


class AtomicFiles:
    """Files written to temporaries beside their targets and renamed together on success.

    On any failure (while writing or renaming) every temporary and every file already
    renamed into place is removed: a failed render leaves nothing behind, and a file
    that existed before keeps its old content unless it was already replaced.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def __enter__(self) -> Self:
        return self

    def reserve(self, target: Path) -> Path:
        """A temporary path beside ``target`` (same suffix), renamed to it on success.

        The name carries this process's id (``.NAME.PID.XXXX.part.png``), so the next
        write of the same target removes what a killed run left (its process is gone)
        and leaves a running one's alone.
        """
        target = Path(target)
        kept = _KEEP.get()
        if kept and (refused := kept.get(os.path.realpath(target))) is not None:
            raise refused(target)
        _refuse_special(target)
        folder = target.parent if str(target.parent) else Path(".")
        sweep_parts(target)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.{os.getpid()}.", suffix=f".part{target.suffix}", dir=folder)
        except OSError as exc:
            raise _unwritable(target, exc) from exc
        os.close(fd)
        self._pending.append((Path(tmp), target))
        return Path(tmp)

    def add(self, target: Path, data: bytes) -> None:
        """Write ``data`` for ``target`` (to its temporary until the set is committed)."""
        tmp = self.reserve(target)
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
        except OSError as exc:  # a full disk or quota: the temporary goes with the rest on exit
            raise _unwritable(target, exc) from exc
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a written file is an ordinary file

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            done: list[Path] = []
            try:
                for tmp, target in self._pending:
                    os.replace(tmp, target)
                    done.append(target)
                return
            except BaseException:
                for p in done:
                    _unlink(p)
                self._cleanup()
                raise
        self._cleanup()

    def _cleanup(self) -> None:
        for tmp, _ in self._pending:
            _unlink(tmp)


#: What the output's disk or folder can refuse: the user's to fix, so exit 2 naming the output
_REFUSALS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG,
                       errno.ENAMETOOLONG, errno.ENOENT, errno.ENOTDIR, errno.EISDIR})


def _unwritable(target: Path, exc: OSError) -> Exception:
    """A located error for an output the disk refuses (full, read-only, no permission);
    anything else stays the OSError it was."""
    if exc.errno in _REFUSALS:
        return SpecError(f"cannot write {target}: {exc.strerror or exc}")
    return exc


def _refuse_special(target: Path) -> None:
    """An output that is a device or a pipe is refused: renaming a file over it replaced
    the node itself (``-o /dev/null`` run as root left /dev/null a PNG)."""
    import stat

    try:
        mode = os.lstat(target).st_mode
    except (OSError, ValueError):
        return
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
        raise SpecError(f"cannot write {target}: it is a device or a pipe, not a file; give a file name "
                        "(tushuo check tests a spec without writing anything)")


def sweep_parts(target: Path) -> None:
    """Remove temporaries of ``target`` left by a process that no longer runs (killed mid-write)."""
    import re

    folder = target.parent if str(target.parent) else Path(".")
    pattern = re.compile(rf"^\.{re.escape(target.stem)}\.(\d+)\.[A-Za-z0-9_]{{8}}\.part{re.escape(target.suffix)}$")
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        m = pattern.match(name)
        if m is None or _alive(int(m.group(1))):
            continue
        try:
            os.unlink(folder / name)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it: all or nothing."""
    with AtomicFiles() as files:
        files.add(Path(path), data)


def _unlink(p: Path) -> None:
    try:
        p.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:  # pragma: no cover - a read-only folder after a write succeeded
        raise RenderError(f"cannot remove {p}: {exc}") from exc


__all__ = ["AtomicFiles", "keep", "write_atomic"]
