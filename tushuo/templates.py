"""Ready templates (layouts/NAME.yaml): list them, find one, start a new spec from one.

A template is a spec whose strings hold ``{{slots}}``; its first line is
``# description: ...``, the one line ``tushuo templates`` prints. Each template has
sample data (examples/template-data/NAME.yaml, shipped in the wheel as
tushuo/_data/template-data) that fills every slot, so it renders as it is.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import SpecError
from .resources import layouts_dir

_PKG = Path(__file__).resolve().parent
_DESCRIPTION = re.compile(r"^#\s*description:\s*(.+?)\s*$")
_SLOT = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")


@dataclass(frozen=True)
class TemplateInfo:
    """A ready template: its name, one-line description, file and sample data file."""

    name: str
    description: str
    path: Path
    sample: Path | None

    def slots(self) -> list[str]:
        """Slot names in order of first use."""
        seen: dict[str, None] = {}
        for m in _SLOT.finditer(self.path.read_text(encoding="utf-8")):
            seen.setdefault(m.group(1), None)
        return list(seen)


@cache
def sample_dir() -> Path | None:
    """Where templates' sample data lives: in the wheel, or examples/template-data in a checkout."""
    for candidate in (_PKG / "_data" / "template-data", _PKG.parent / "examples" / "template-data"):
        if candidate.is_dir():
            return candidate
    return None


def _description(path: Path) -> str:
    with path.open(encoding="utf-8") as f:
        for line in f:
            m = _DESCRIPTION.match(line)
            if m:
                return m.group(1)
            if line.strip() and not line.lstrip().startswith("#"):
                break
    return ""


def list_templates() -> list[TemplateInfo]:
    """Every ready template, by name."""
    samples = sample_dir()
    out = []
    for path in sorted(layouts_dir().glob("*.yaml")):
        sample = samples / path.name if samples is not None else None
        out.append(
            TemplateInfo(
                name=path.stem,
                description=_description(path),
                path=path,
                sample=sample if sample is not None and sample.is_file() else None,
            )
        )
    return out


def find_template(name: str) -> TemplateInfo:
    """The ready template called ``name``; a SpecError listing the names (and the nearest) otherwise."""
    templates = {t.name: t for t in list_templates()}
    if name in templates:
        return templates[name]
    names = sorted(templates)
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise SpecError(f"no ready template '{name}'{hint} (templates: {', '.join(names)})")


def template_file(name_or_path: str | Path) -> Path:
    """A template by ready name, or a template file by path."""
    p = Path(name_or_path)
    if p.suffix.lower() in (".yaml", ".yml", ".json") or p.is_file():
        if not p.is_file():
            raise SpecError(f"template file not found: {p}")
        return p
    return find_template(str(name_or_path)).path


def new_spec(name: str, out: str | Path, *, force: bool = False) -> list[Path]:
    """Start a spec from a ready template: writes OUT and the sample's pictures beside it.

    OUT is a short spec that says ``extends: NAME`` and holds the sample data under
    ``data:``, comments included, so it renders at once and office staff edit only
    the values they see, as in a form, while the design stays the template's (and
    improves with it). Returns the written files.
    """
    info = find_template(name)
    out = Path(out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise SpecError(f"{out}: a new spec is a YAML file; give a name ending in .yaml")
    if out.exists() and not force:
        raise SpecError(f"{out} exists; choose another name (or pass --force to overwrite it)")
    if info.sample is None:
        raise SpecError(f"template '{name}' has no sample data to start from")
    text = _spec_text(info)
    out.parent.mkdir(parents=True, exist_ok=True)
    copies = _asset_copies(info.path, info.sample, out.parent, force=force)  # refused before anything is written
    written = [_write(out, text)]
    for f, target in copies:
        target.parent.mkdir(parents=True, exist_ok=True)
        written.append(_write_bytes(target, f.read_bytes()))
    return written


def _spec_text(info: TemplateInfo) -> str:
    """``extends: NAME`` and the sample data file's text (comments kept) under ``data:``."""
    sample = info.sample.read_text(encoding="utf-8") if info.sample else ""
    lines = sample.splitlines()
    # The sample's own header comment describes the sample; the new file gets its own.
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    head = [
        f"# {info.description}" if info.description else f"# Started from the '{info.name}' template.",
        f"# Made by `tushuo new {info.name}`. Edit the values under data:, then render it:",
        "#   tushuo render THIS_FILE.yaml",
        "# The design comes from the template; to change it, override keys beside extends:",
        "# (mappings merge key by key, a list replaces the template's list).",
        "",
        f"extends: {info.name}",
        "",
        "data:",
    ]
    return "\n".join(head + [f"  {line}" if line.strip() else "" for line in lines]) + "\n"


def _write(path: Path, text: str) -> Path:
    """Through a fresh temporary (mkstemp: never follows a planted symlink), renamed into place."""
    from .atomic import write_atomic

    write_atomic(path, text.encode("utf-8"))
    return path


def _write_bytes(path: Path, data: bytes) -> Path:
    from .atomic import write_atomic

    write_atomic(path, data)
    return path


def _asset_copies(template: Path, sample: Path, dest: Path, *, force: bool) -> list[tuple[Path, Path]]:
    """(picture, where it goes) for each picture the sample data names (its file fields), so the
    new spec renders where it is. Each lands inside ``dest``: a sub-folder that is a symlink out
    (``portraits -> ../elsewhere``) is refused, and a file already there (a dangling symlink too)
    is kept unless ``force``; copies are renamed into place, never written through a link."""
    from .deps import dependencies
    from .loader import read_tree

    base = sample.parent.resolve()
    inside = dest.resolve()
    copies = []
    for f in dependencies(template, data=read_tree(sample), data_base=base):
        if f == sample.resolve() or not f.is_relative_to(base) or f.suffix.lower() in (".yaml", ".yml"):
            continue
        target = dest / f.relative_to(base)
        if target.resolve() == f or (os.path.lexists(target) and not force):
            continue
        if not target.parent.resolve().is_relative_to(inside):
            raise SpecError(f"{target.parent} leads out of {dest} (a symlink?): the template's pictures "
                            "are not copied there; remove the link or start the spec in another folder")
        copies.append((f, target))
    return copies
