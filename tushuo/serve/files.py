"""The folder ``tushuo serve`` edits: which files the browser may read and write, and how.

Every name the browser sends goes through ``spec_path``: it must stay inside the folder
(the CLI's own gate, ``assets.resolve_path``: ``../x.yaml``, absolute paths and symlinks
out are refused with the same messages) and be a spec (.yaml, .yml, .json). A save is
atomic (a temporary beside the file, renamed over it) and conditional: the browser sends
the version it loaded, and a file someone else changed since is not overwritten.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import SpecError

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
#: Files listed at most (a folder of a year's issues has a few dozen).
MAX_FILES = 500
#: Folders not listed: hidden ones, output folders of tools.
_SKIP_DIRS = {"node_modules", "__pycache__"}


class Conflict(Exception):
    """The file changed on disk since the browser loaded it."""

    def __init__(self, current: FileState) -> None:
        super().__init__("changed on disk")
        self.current = current


@dataclass(frozen=True)
class FileState:
    """A spec's text and its version (a digest of its bytes: mtime alone misses fast edits)."""

    name: str
    text: str
    version: str


def version_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


class Folder:
    """The specs under one folder, addressed by names relative to it (``a.yaml``, ``月刊/十二月.yaml``)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise SpecError(f"not a folder: {root}")

    def spec_path(self, name: str, *, new: bool = False) -> Path:
        """The file ``name`` names, or a SpecError: outside the folder, not a spec, missing."""
        from ..assets import resolve_path

        name = self._checked(name)
        if new:
            # the gate wants an existing file: check the folder it goes into, then the name
            parent, _, base = name.replace("\\", "/").rpartition("/")
            if not base or base.startswith(".") or base in ("..", "."):
                raise SpecError(f"not a usable file name: {name}")
            folder = resolve_path(parent, self.root) if parent else self.root
            if parent and not folder.is_dir():
                raise SpecError(f"not a folder: {parent}")
            return _inside(self.root, folder / base, name)
        return resolve_path(name, self.root)

    @staticmethod
    def _checked(name: str) -> str:
        if not isinstance(name, str) or not name.strip():
            raise SpecError("no file name given")
        if any(ord(c) < 32 for c in name):
            raise SpecError(f"not a usable file name: {name!r} (it holds a control character)")
        if not name.lower().endswith(SPEC_SUFFIXES):
            raise SpecError(f"not a spec file: {name} (the editor opens .yaml, .yml and .json files)")
        return name

    def output_folder(self, path: str | os.PathLike[str]) -> Path:
        """A folder an export writes into: inside this folder once symlinks are followed."""
        return _inside(self.root, Path(path), Path(path).name)

    def list(self) -> list[str]:
        """Spec names in the folder and its sub-folders, sorted (hidden files and folders left out)."""
        found: list[str] = []
        for here, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
            for f in sorted(files):
                if f.lower().endswith(SPEC_SUFFIXES) and not f.startswith("."):
                    path = Path(here) / f
                    if path.resolve().is_relative_to(self.root):  # no symlinks out
                        found.append(path.relative_to(self.root).as_posix())
                if len(found) >= MAX_FILES:
                    return found
        return found

    def _bytes(self, name: str) -> bytes:
        """The file's bytes through the CLI's gate: sandboxed, a regular file, within the spec budget."""
        from ..assets import gate_read

        return gate_read(self._checked(name), self.root, "spec")[1]

    def others(self) -> tuple:
        """(name, size, mtime) of the files in the folder that are not specs (pictures, CSV,
        themes): when this changes, previews laid out with the old files are stale."""
        seen = []
        for here, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
            for f in sorted(files):
                if f.startswith(".") or f.lower().endswith(SPEC_SUFFIXES):
                    continue
                try:
                    st = os.stat(os.path.join(here, f))
                except OSError:
                    continue
                seen.append((os.path.join(here, f), st.st_size, st.st_mtime_ns))
                if len(seen) >= 4 * MAX_FILES:
                    return tuple(seen)
        return tuple(seen)

    def read(self, name: str) -> FileState:
        data = self._bytes(name)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SpecError("not UTF-8 text: save it as UTF-8 to edit it here", file=name) from None
        return FileState(name, text, version_of(data))

    def version(self, name: str) -> str | None:
        """The file's current version, None when it is gone."""
        try:
            return version_of(self._bytes(name))
        except SpecError:
            return None

    def save(self, name: str, text: str, base_version: str | None) -> FileState:
        """Write ``text`` atomically over the existing file if it is still at ``base_version``.

        New files come from ``tushuo new`` (the app's "new from template"), not from a save."""
        from ..assets import MAX_BYTES
        from ..atomic import write_atomic

        data = text.encode("utf-8")
        if len(data) > MAX_BYTES["spec"]:
            raise SpecError(f"spec too large: {len(data):,} bytes", file=name)
        path = self.spec_path(name)
        if version_of(self._bytes(name)) != base_version:
            raise Conflict(self.read(name))
        write_atomic(path, data)
        return FileState(name, text, version_of(data))


def _inside(root: Path, path: Path, name: str) -> Path:
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        raise SpecError(f"path leaves the folder: {name}; files must be inside {root}")
    return resolved
