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
"""

from __future__ import annotations

import codecs
import difflib
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from .assets import resolve_path
from .errors import SpecError, SpecErrors
from .humanize import char_code, human_size
from .spec.blocks import BLOCK_TYPES
from .spec.document import Document

__all__ = ["MAX_BYTES", "MAX_NODES", "MAX_TEXT_CHARS", "load", "load_data_file", "path_fields", "read_tree"]

#: Largest spec or data file read, in bytes.
MAX_BYTES = 20 * 1024 * 1024
#: Most values one file may hold, counted after following aliases.
MAX_NODES = 100_000
#: Deepest nesting of lists and mappings.
MAX_DEPTH = 64
#: Longest chain of templates extending templates.
MAX_EXTENDS = 8
#: Most errors reported at once.
MAX_ERRORS = 50
#: Longest text in one value (characters): about 830 lines, 54,000 px of body text at 1080 px,
#: laid out in a third of a second. Longer text (a whole report pasted into one paragraph)
#: is refused at once instead of being laid out for minutes: split it into paragraphs.
MAX_TEXT_CHARS = 20_000
#: Spec fields that name a file next to the spec.
PATH_FIELDS = frozenset({"src", "image", "data_file"})

Mark = tuple[str | None, int, int]  # (file, line, col), 1-based

_T = "tag:yaml.org,2002:"
_SLOT = re.compile(r"\{\{\s*([^{}\s]+?)\s*\}\}")


# =========================================================================== located tree
class _N:
    """A value with the place it was written: ``v`` is a dict of _N, a list of _N or a scalar."""

    __slots__ = ("v", "mark", "kmark")

    def __init__(self, v: Any, mark: Mark | None, kmark: Mark | None = None) -> None:
        self.v = v
        self.mark = mark
        self.kmark = kmark  # the key naming this value in its parent mapping


def _join(path: str, seg: str | int) -> str:
    if isinstance(seg, int):
        return f"{path}[{seg}]"
    return f"{path}.{seg}" if path else str(seg)


def _to_python(n: _N, path: str, marks: dict[str, Mark], kmarks: dict[str, Mark]) -> Any:
    """Plain values, recording the mark of every path (and of every key)."""
    if n.mark is not None:
        marks[path] = n.mark
    if n.kmark is not None:
        kmarks[path] = n.kmark
    if isinstance(n.v, str) and len(n.v) > MAX_TEXT_CHARS:
        file, line, col = n.mark or (None, None, None)
        raise SpecError(
            f"text too long: {len(n.v):,} characters, at most {MAX_TEXT_CHARS:,} in one value; "
            "split it into several paragraphs or documents",
            file=file, line=line, col=col, path=path or None,
        )
    if isinstance(n.v, dict):
        return {k: _to_python(c, _join(path, k), marks, kmarks) for k, c in n.v.items()}
    if isinstance(n.v, list):
        return [_to_python(c, _join(path, i), marks, kmarks) for i, c in enumerate(n.v)]
    return n.v


def _from_python(value: Any, mark: Mark | None, budget: list[int], active: set[int] | None = None) -> _N:
    """A located tree from Python data (a dict spec, or data filling a slot), all at ``mark``."""
    active = set() if active is None else active
    budget[0] -= 1
    if budget[0] < 0:
        raise SpecError(f"too many values (more than {MAX_NODES}) in the spec or its data")
    if isinstance(value, (dict, list, tuple)):
        if id(value) in active:
            raise SpecError("the spec contains itself (a recursive dict or list)")
        active.add(id(value))
        try:
            if isinstance(value, dict):
                return _N({k: _from_python(v, mark, budget, active) for k, v in value.items()}, mark, mark)
            return _N([_from_python(v, mark, budget, active) for v in value], mark, mark)
        finally:
            active.discard(id(value))
    return _N(value, mark, mark)


# =========================================================================== reading
def _decode(raw: bytes, label: str | None) -> str:
    """UTF-8 (or UTF-16 with a BOM) text; binary and other encodings are refused clearly."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(enc).lstrip("\ufeff")
            except UnicodeDecodeError:
                raise SpecError(f"not valid {enc.upper()} text despite its byte-order mark", file=label) from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise SpecError(
            "binary file, not a spec: it contains NUL bytes (a spec is YAML or JSON text)", file=label, line=line
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = ""
        try:
            raw.decode("gb18030")
            hint = " (it looks GBK/GB18030-encoded)"
        except UnicodeDecodeError:
            pass
        raise SpecError(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded{hint}; save the file as UTF-8",
            file=label, line=line, col=col,
        ) from None




def _read_file(path: Path, label: str) -> str:
    """A spec, template or data file's text, read through the gate (size budget first)."""
    from .assets import read_file

    try:
        if path.is_dir():
            raise SpecError("this is a folder, not a spec file", file=label)
        path.stat()
    except FileNotFoundError:
        raise SpecError(f"file not found: {label}") from None
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read {label}: {getattr(exc, 'strerror', None) or exc}") from None
    return _decode(read_file(path, "spec", label=label, limit=MAX_BYTES), label)


# =========================================================================== composing
try:  # libyaml's parser is ~5x faster; the composer (where the budget is counted) is ours.
    from yaml._yaml import CParser as _ParserBase  # type: ignore[import-not-found]

    def _init_parser(self: Any, text: str) -> None:
        _ParserBase.__init__(self, text)

except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _ParserBase(Reader, Scanner, Parser):  # type: ignore[no-redef]
        pass

    def _init_parser(self: Any, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)


class _BudgetExceeded(Exception):
    def __init__(self, what: str, mark: Any) -> None:
        self.what = what
        self.mark = mark


class _Composer(_ParserBase, Composer, Resolver):  # type: ignore[misc,valid-type]
    """PyYAML's composer over libyaml's parser, counting nodes and depth as it goes."""

    get_single_node = Composer.get_single_node
    compose_document = Composer.compose_document

    def __init__(self, text: str) -> None:
        _init_parser(self, text)
        Composer.__init__(self)
        Resolver.__init__(self)
        self.count = 0
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _BudgetExceeded(f"more than {MAX_NODES} values", self.peek_event().start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _BudgetExceeded(f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return Composer.compose_node(self, parent, index)
        finally:
            self.depth -= 1


def _mark(label: str | None, m: Any) -> Mark:
    return (label, m.line + 1, m.column + 1)


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.split("\n", line + 1)
    return lines[line][col : col + 1] if line < len(lines) else ""


_FULLWIDTH_KEY = re.compile(r"^[ \t\u3000]*(?:-[ \t\u3000]+)?([A-Za-z_][A-Za-z0-9_-]*)[ \t\u3000]*：")


def _ime_slip(text: str, upto: int) -> tuple[int, int, str] | None:
    """A Chinese input-method slip at or before line ``upto`` that explains a YAML error:
    a key followed by a full-width colon, or indentation typed with full-width spaces."""
    for i, ln in enumerate(text.split("\n")[: upto + 1], start=1):
        m = _FULLWIDTH_KEY.match(ln)
        if m:
            return i, m.end(), (
                f"full-width colon '：' after '{m.group(1)}': YAML needs an ASCII colon and a space "
                f"('{m.group(1)}: '); switch the input method to half-width punctuation"
            )
        indent = len(ln) - len(ln.lstrip(" \t\u3000"))
        if "\u3000" in ln[:indent]:
            return i, ln.index("\u3000") + 1, (
                "indented with a full-width space (U+3000): YAML indentation must be ordinary spaces"
            )
    return None


def _compose(text: str, label: str | None, what: str = "YAML") -> yaml.Node | None:
    try:
        return _Composer(text).get_single_node()
    except _BudgetExceeded as exc:
        _, line, col = _mark(label, exc.mark)
        raise SpecError(f"spec too large: {exc.what}", file=label, line=line, col=col) from None
    except yaml.MarkedYAMLError as exc:
        m = exc.problem_mark or exc.context_mark
        slip = _ime_slip(text, m.line + 1 if m is not None else text.count("\n") + 1)
        if slip is not None:  # the real mistake is a full-width colon or space, often lines above
            line, col, msg = slip
            raise SpecError(msg, file=label, line=line, col=col) from None
        problem = exc.problem or exc.context or "cannot parse"
        msg = f"{what} syntax error: {problem}"
        if exc.context and exc.problem and exc.context_mark is not None:
            msg += f" ({exc.context} at line {exc.context_mark.line + 1})"
        if m is not None and _char_at(text, m.line, m.column) == "\t":
            msg += "; indent with spaces, not tabs"
        if m is None:
            raise SpecError(msg, file=label) from None
        _, line, col = _mark(label, m)
        raise SpecError(msg, file=label, line=line, col=col) from None
    except yaml.reader.ReaderError as exc:  # a control character (often pasted from Word or Excel)
        ch = exc.character if isinstance(exc.character, int) else ord(exc.character)
        pos = exc.position
        if not (0 <= pos < len(text) and ord(text[pos]) == ch):  # libyaml counts UTF-8 bytes
            pos = len(text.encode("utf-8")[: max(0, pos)].decode("utf-8", "ignore"))
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        raise SpecError(
            f"{what} cannot hold the control character {char_code(ch)} (often pasted from Word or Excel); delete it",
            file=label, line=line, col=col,
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{what} syntax error: {exc}", file=label) from None
    except RecursionError:
        raise SpecError(f"spec too large: nested more than {MAX_DEPTH} levels deep", file=label) from None


class _Builder:
    """Python values from a composed node tree, following aliases within a node budget."""

    def __init__(self, label: str | None, json_mode: bool) -> None:
        self.label = label
        self.json_mode = json_mode
        self.count = 0
        self.active: set[int] = set()
        self._scalars = SafeConstructor()

    def check_size(self, root: Any) -> None:
        """Refuse before building when aliases would expand past the budget.

        Sizes are memoised per node, so a "billion laughs" file costs a few
        microseconds per distinct node instead of one per expanded value.
        """
        sizes: dict[int, int] = {}
        active: set[int] = set()

        def size(node: Any, depth: int) -> int:
            key = id(node)
            if key in sizes:
                return sizes[key]
            if depth > MAX_DEPTH:
                raise self.error(f"spec too large: nested more than {MAX_DEPTH} levels deep (through aliases)", node)
            if key in active:
                raise self.error("recursive alias: a value that contains itself (through *alias)", node)
            total = 1
            if not isinstance(node, yaml.ScalarNode):
                active.add(key)
                children = node.value if isinstance(node, yaml.SequenceNode) else [x for kv in node.value for x in kv]
                for c in children:
                    total += size(c, depth + 1)
                    if total > MAX_NODES:
                        raise self.error(
                            f"spec too large: aliases (*name) expand to more than {MAX_NODES} values; "
                            "tushuo refuses to expand it (a 'billion laughs' file?)",
                            node,
                        )
                active.discard(key)
            sizes[key] = total
            return total

        size(root, 0)

    def error(self, message: str, node: Any) -> SpecError:
        _, line, col = _mark(self.label, node.start_mark)
        return SpecError(message, file=self.label, line=line, col=col)

    def build(self, node: Any, depth: int = 0) -> _N:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.error(
                f"spec too large: aliases (*name) expand to more than {MAX_NODES} values; "
                "tushuo refuses to expand it (a 'billion laughs' file?)",
                node,
            )
        if depth > MAX_DEPTH:
            raise self.error(f"spec too large: nested more than {MAX_DEPTH} levels deep (through aliases)", node)
        mark = _mark(self.label, node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            return _N(self.scalar(node), mark)
        if id(node) in self.active:
            raise self.error("recursive alias: a value that contains itself (through *alias)", node)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _T + "seq":
                    raise self.error(self._bad_tag(node.tag), node)
                return _N([self.build(c, depth + 1) for c in node.value], mark)
            if node.tag != _T + "map":
                raise self.error(self._bad_tag(node.tag), node)
            return _N(self.mapping(node, depth), mark)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: Any, depth: int) -> dict[Any, _N]:
        out: dict[Any, _N] = {}
        merged: list[dict[Any, _N]] = []
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                raise self.error("a mapping key must be plain text, not a list or mapping", knode)
            if knode.tag == _T + "merge":  # YAML merge key: <<: *defaults
                sources = vnode.value if isinstance(vnode, yaml.SequenceNode) else [vnode]
                for src in sources:
                    built = self.build(src, depth + 1)
                    if not isinstance(built.v, dict):
                        raise self.error("'<<' merges mappings only", src)
                    merged.append(built.v)
                continue
            key = self.scalar(knode) if self.json_mode else knode.value
            if key in out:
                first = out[key].kmark
                where = f" (first given at line {first[1]})" if first else ""
                raise self.error(f"duplicate key '{key}'{where}; each key may appear once", knode)
            child = self.build(vnode, depth + 1)
            child.kmark = _mark(self.label, knode.start_mark)
            out[key] = child
        for extra in merged:
            for k, v in extra.items():
                out.setdefault(k, v)
        return out

    def scalar(self, node: Any) -> Any:
        tag, text = node.tag, node.value
        if self.json_mode:
            if not node.style:  # unquoted (libyaml says '', PyYAML None): a JSON number, true, false or null
                try:
                    return json.loads(text)
                except ValueError:
                    return text
            return text
        if tag == _T + "str":
            return text
        if tag == _T + "null":
            return None
        if tag == _T + "bool":
            # YAML 1.2: only true/false. yes/no/on/off stay text (a label "NO" is not false).
            return text.lower() == "true" if text.lower() in ("true", "false") else text
        if tag in (_T + "int", _T + "float"):
            if ":" in text:  # YAML 1.1 base-60 (9:30 → 570): keep the time as written
                return text
            try:
                if tag == _T + "int":
                    return self._scalars.construct_yaml_int(node)
                return self._scalars.construct_yaml_float(node)
            except (ValueError, yaml.YAMLError):
                raise self.error(f"'{text}' is not a valid number", node) from None
        if tag in (_T + "timestamp", _T + "merge", _T + "value"):
            return text  # dates stay as written ("2026-11-26"); models that want dates parse them
        raise self.error(self._bad_tag(tag), node)

    @staticmethod
    def _bad_tag(tag: str) -> str:
        short = "!!" + tag[len(_T):] if tag.startswith(_T) else tag
        return f"tag {short} is not allowed: a spec holds plain data (text, numbers, true/false, lists, mappings)"


def _parse_text(text: str, label: str | None, json_mode: bool) -> _N:
    """The located tree of one YAML/JSON text; empty text is an error."""
    json_value: Any = None
    if json_mode:
        try:
            json_value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"JSON syntax error: {exc.msg}", file=label, line=exc.lineno, col=exc.colno) from None
        except RecursionError:
            raise SpecError(f"spec too large: nested more than {MAX_DEPTH} levels deep", file=label) from None
    try:
        node = _compose(text, label, "JSON" if json_mode else "YAML")
    except SpecError:
        if not json_mode:
            raise
        # Valid JSON that YAML cannot read (a key over 1024 characters): json's values, no lines.
        return _from_python(json_value, None, [MAX_NODES])
    if node is None:
        raise SpecError(
            "empty spec: the file has no content; a spec needs at least `title:` and `blocks:`", file=label
        )
    builder = _Builder(label, json_mode)
    builder.check_size(node)
    return builder.build(node)


# =========================================================================== sources
def _looks_like_path(s: str) -> bool:
    if "\n" in s or len(s) > 4096 or not s.strip():
        return False
    if s.lower().endswith((".yaml", ".yml", ".json")):
        return True
    try:
        return Path(s).is_file()
    except (OSError, ValueError):
        return False


def _display(path: Path) -> str:
    """A file name for messages: relative to the cwd when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read_source(source: Any, file: str | os.PathLike[str] | None = None) -> tuple[_N, str | None, Path | None]:
    """(tree, file label, base dir) of a path, YAML/JSON text, bytes or dict.

    ``file`` names the file that text comes from (an editor's unsaved buffer): it labels
    the messages and its folder is the base of relative paths, as if read from disk.
    """
    if file is not None and isinstance(source, str):
        path = Path(file)
        n = len(source.encode("utf-8", "surrogatepass"))
        if n > MAX_BYTES:
            raise SpecError(f"spec too large: {human_size(n)} (at most {human_size(MAX_BYTES)})", file=os.fspath(file))
        tree = _parse_text(source, os.fspath(file), json_mode=path.suffix.lower() == ".json")
        return tree, os.fspath(file), path.resolve().parent
    if isinstance(source, os.PathLike) or (isinstance(source, str) and _looks_like_path(source)):
        path = Path(source)
        label = os.fspath(source)
        text = _read_file(path, label)
        tree = _parse_text(text, label, json_mode=path.suffix.lower() == ".json")
        return tree, label, path.resolve().parent
    if isinstance(source, bytes):
        if len(source) > MAX_BYTES:
            raise SpecError(f"spec too large: {human_size(len(source))} (at most {human_size(MAX_BYTES)})")
        source = _decode(source, "<string>")
    if isinstance(source, str):
        if len(source) > MAX_BYTES:
            raise SpecError(f"spec too large: {human_size(len(source))} (at most {human_size(MAX_BYTES)})")
        stripped = source.lstrip()
        json_mode = False
        if stripped[:1] in ("{", "["):
            try:
                json.loads(source)
                json_mode = True
            except (ValueError, RecursionError):
                pass
        tree = _parse_text(source, "<string>", json_mode)
        if not isinstance(tree.v, dict) and "\n" not in source.strip():
            raise SpecError(
                f"not a spec: '{source.strip()[:80]}' is neither a spec file that exists nor YAML/JSON with a mapping"
            )
        return tree, "<string>", None
    if isinstance(source, Mapping):
        return _from_python(dict(source), None, [MAX_NODES]), None, None
    raise SpecError(
        f"cannot load a spec from {type(source).__name__}: give a file path, YAML/JSON text or a dict"
    )


def _top_mapping(tree: _N, label: str | None) -> None:
    if not isinstance(tree.v, dict):
        kind = "a list" if isinstance(tree.v, list) else f"'{str(tree.v)[:40]}'"
        line, col = (tree.mark[1], tree.mark[2]) if tree.mark else (None, None)
        raise SpecError(
            f"the top level must be a mapping (title: …, blocks: …), got {kind}", file=label, line=line, col=col
        )


# =========================================================================== extends
def _template_dirs() -> list[Path]:
    """Folders searched for ``extends: NAME`` (the bundled layouts/)."""
    from .resources import layouts_dir

    try:
        return [layouts_dir()]
    except FileNotFoundError:
        return []


def _template_names() -> list[str]:
    names: set[str] = set()
    for d in _template_dirs():
        names.update(p.stem for p in d.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json"))
    return sorted(names)


def _locate_error(exc: SpecError, mark: Mark | None, path: str | None = None) -> SpecError:
    """``exc`` re-raised at ``mark`` (keeps an error that already has its own file)."""
    if exc.file is not None or mark is None:
        return exc
    return SpecError(exc.message, file=mark[0], line=mark[1], col=mark[2], path=path or exc.path)


def _find_template(ref: Any, node: _N, base: Path, sandbox: tuple[Path, ...]) -> tuple[Path, tuple[Path, ...]]:
    """The template file ``extends`` names, and the folders its own ``extends`` may use."""
    if not isinstance(ref, str) or not ref.strip():
        raise _locate_error(SpecError("extends must be a template name or a path to a spec file"), node.mark, "extends")
    is_name = not any(c in ref for c in "/\\") and Path(ref).suffix.lower() not in (".yaml", ".yml", ".json")
    if is_name:
        for d in _template_dirs():
            for ext in (".yaml", ".yml", ".json"):
                if (d / f"{ref}{ext}").is_file():
                    return (d / f"{ref}{ext}").resolve(), (d.resolve(),)
        names = _template_names()
        close = difflib.get_close_matches(ref, names, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        ready = f"; ready templates: {', '.join(names)}" if names else "; no templates are installed"
        msg = f"no template named '{ref}'{hint}{ready} (for a file, give its path with .yaml)"
        raise _locate_error(SpecError(msg), node.mark, "extends")
    try:
        return resolve_path(ref, base, sandbox), sandbox
    except SpecError as exc:
        raise _locate_error(exc, node.mark, "extends") from None


def _apply_extends(tree: _N, base: Path, sandbox: tuple[Path, ...], chain: tuple[Path, ...],
                   read: list[Path] | None = None) -> _N:
    """``tree`` merged over the template its ``extends`` names (recursively); ``extends`` removed."""
    ext = tree.v.pop("extends", None)
    if ext is None or ext.v is None:
        return tree
    path, inner_sandbox = _find_template(ext.v, ext, base, sandbox)
    if path in chain:
        cycle = " → ".join(_display(p) for p in (*chain, path))
        raise _locate_error(SpecError(f"extends cycle: {cycle}"), ext.mark, "extends")
    if len(chain) > MAX_EXTENDS:
        raise _locate_error(SpecError(f"templates extend more than {MAX_EXTENDS} levels deep"), ext.mark, "extends")
    label = _display(path)
    if read is not None:
        read.append(path)
    template = _parse_text(_read_file(path, label), label, json_mode=path.suffix.lower() == ".json")
    _top_mapping(template, label)
    template = _apply_extends(template, path.parent, inner_sandbox, (*chain, path), read)
    return _merge(template, tree)


def _merge(base: _N, over: _N) -> _N:
    """Deep merge: mappings key by key, everything else (lists included) replaced by ``over``."""
    if isinstance(base.v, dict) and isinstance(over.v, dict):
        out = dict(base.v)
        for k, child in over.v.items():
            out[k] = _merge(out[k], child) if k in out else child
        return _N(out, over.mark, over.kmark)
    return over


# =========================================================================== slots
_NO = object()


def _lookup(data: Mapping[str, Any], name: str) -> Any:
    if name in data:
        return data[name]
    cur: Any = data
    for part in name.split("."):
        if isinstance(cur, _N):  # a value from the spec's own data: mapping
            cur = cur.v
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        elif isinstance(cur, (list, tuple)) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return _NO
    return cur


def _as_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _own_data(tree: _N, label: str | None) -> dict[str, Any]:
    """Slot values the spec carries itself: its top-level ``data:`` mapping (located values).

    A spec that says ``extends: monthly-digest`` holds its month's values under
    ``data:``; a template's own ``data:`` gives defaults (the merge puts the spec's
    over it). Values passed by the caller (--data, ``load(data=...)``) win.
    """
    node = tree.v.pop("data", None)
    if node is None or node.v is None:
        return {}
    if not isinstance(node.v, dict):
        file, line, col = node.mark if node.mark else (label, None, None)
        raise SpecError(
            f"data must be a mapping of slot names to values (month: 2026年11月), got {_describe(node.v)}",
            file=file, line=line, col=col, path="data",
        )
    return dict(node.v)


def _fill(n: _N, path: str, data: Mapping[str, Any], errors: list[SpecError], budget: list[int]) -> _N:
    """Every ``{{name}}`` filled from ``data``: a whole-string slot takes the value itself."""
    if isinstance(n.v, dict):
        for k, c in n.v.items():
            n.v[k] = _fill(c, _join(path, k), data, errors, budget)
        return n
    if isinstance(n.v, list):
        n.v = [_fill(c, _join(path, i), data, errors, budget) for i, c in enumerate(n.v)]
        return n
    if not isinstance(n.v, str) or "{{" not in n.v:
        return n

    def missing(name: str) -> None:
        file, line, col = n.mark if n.mark else (None, None, None)
        hint = f'give it under data: in the spec, with --data FILE, or tushuo.load(..., data={{"{name}": ...}})'
        errors.append(SpecError(f"no data for slot {{{{{name}}}}}: {hint}", file=file, line=line, col=col, path=path))

    whole = _SLOT.fullmatch(n.v.strip())
    if whole:
        value = _lookup(data, whole.group(1))
        if value is _NO:
            missing(whole.group(1))
            return n
        if isinstance(value, _N):  # from the spec's own data: keep where it was written
            filled = _N(value.v, value.mark, n.kmark)
        else:
            filled = _from_python(value, n.mark, budget)
            filled.kmark = n.kmark
        return filled

    def sub(m: re.Match[str]) -> str:
        value = _lookup(data, m.group(1))
        if value is _NO:
            missing(m.group(1))
            return m.group(0)
        return _as_text(_to_python(value, "", {}, {}) if isinstance(value, _N) else value)

    return _N(_SLOT.sub(sub, n.v), n.mark, n.kmark)


# =========================================================================== validation errors
_TYPE_NOUNS = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
}


def _describe(v: Any) -> str:
    if v is None:
        return "nothing (null)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return f"{v:g}" if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return f"'{v}'" if len(v) <= 40 else f"'{v[:37]}…'"
    if isinstance(v, (list, tuple)):
        return "a list"
    if isinstance(v, Mapping):
        return "a mapping"
    return type(v).__name__


def _unwrap(t: Any) -> Any:
    while True:
        origin = get_origin(t)
        if origin is Annotated:
            t = get_args(t)[0]
            continue
        if origin in (Union, UnionType):
            args = [a for a in get_args(t) if a is not type(None)]
            if len(args) == 1:
                t = args[0]
                continue
        return t


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _is_block(t: Any) -> bool:
    """Is ``t`` the Block union (an element of a ``blocks`` list)?"""
    t = _unwrap(t)
    return get_origin(t) in (Union, UnionType) and any(a in BLOCK_TYPES.values() for a in get_args(t))


def _step(t: Any, seg: Any) -> tuple[Any, Any, bool]:
    """Follow one pydantic error-location segment: (next type, FieldInfo, segment was a union tag)."""
    t = _unwrap(t)
    origin = get_origin(t)
    if origin in (Union, UnionType):
        for a in (_unwrap(a) for a in get_args(t) if a is not type(None)):
            if _is_model(a):
                tf = a.model_fields.get("type")
                if a.__name__ == seg or (tf is not None and get_args(tf.annotation) == (seg,)):
                    return a, None, True
            elif getattr(a, "__name__", None) == seg:
                return a, None, True
        return None, None, True
    if _is_model(t):
        f = t.model_fields.get(seg) if isinstance(seg, str) else None
        return (f.annotation, f, False) if f is not None else (None, None, False)
    if origin in (list, tuple) and isinstance(seg, int):
        args = get_args(t)
        return (args[0] if args else None), None, False
    if origin is dict:
        return get_args(t)[1], None, False
    return None, None, False


class _Where:
    """A pydantic error location translated to a spec path (union tags dropped)."""

    def __init__(self, loc: tuple[Any, ...], value: Any) -> None:
        t: Any = Document
        cur: Any = value
        self.segs: list[Any] = []
        self.field: Any = None  # FieldInfo of the last model field on the way
        self.owner: Any = None  # the type holding the last segment (a model for extra keys)
        for i, seg in enumerate(loc):
            if t is not None:
                nt, f, tag = _step(t, seg)
            else:  # a type we cannot follow: trust the data
                present = (isinstance(cur, Mapping) and seg in cur) or (
                    isinstance(cur, list) and isinstance(seg, int) and 0 <= seg < len(cur)
                )
                nt, f, tag = None, None, not present and i < len(loc) - 1
            if tag:
                t = nt
                continue
            self.owner = _unwrap(t) if t is not None else None
            self.segs.append(seg)
            self.field = f if f is not None else (None if i == len(loc) - 1 else self.field)
            t = nt
            if isinstance(cur, Mapping):
                cur = cur.get(seg)
            elif isinstance(cur, list) and isinstance(seg, int) and 0 <= seg < len(cur):
                cur = cur[seg]
            else:
                cur = None
        self.type = t  # the expected type at the error, when known
        self.path = self.parent = ""
        for s in self.segs:
            self.parent, self.path = self.path, _join(self.path, s)


def _bounds(field: Any) -> tuple[Any, Any]:
    lo = hi = None
    for m in getattr(field, "metadata", ()):
        lo = getattr(m, "ge", getattr(m, "gt", lo))
        hi = getattr(m, "le", getattr(m, "lt", hi))
        lo = getattr(m, "min_length", lo) if lo is None else lo
        hi = getattr(m, "max_length", hi) if hi is None else hi
    return lo, hi


def _message(e: dict[str, Any], where: _Where) -> str:
    """A message that says what is wrong and what would fix it."""
    kind, ctx, value = e["type"], e.get("ctx") or {}, e.get("input")
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        name = str(where.segs[-1]) if where.segs else "?"
        if "\u3000" in name:  # full-width spaces are not whitespace to YAML: they became part of the key
            return (f"'{name.strip()}' is indented with a full-width space (U+3000): "
                    "YAML indentation must be ordinary spaces")
        fields = list(where.owner.model_fields) if _is_model(where.owner) else []
        close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
        if close:
            return f"unknown field '{name}' (did you mean '{close[0]}'?)"
        return f"unknown field '{name}'" + (f"; allowed: {', '.join(fields)}" if fields else "")
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", ""))) or [str(ctx.get("expected", ""))]
        if where.path == "tushuo":
            return f"unsupported spec version {_describe(value)}: this tushuo reads version 1 (write `tushuo: 1`)"
        hint = ""
        if isinstance(value, str):
            close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"{_describe(value)} is not allowed{hint}; use one of: {', '.join(options)}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        lo, hi = _bounds(where.field)
        if lo is not None and hi is not None:
            return f"must be between {lo:g} and {hi:g}, got {_describe(value)}"
        bound = next(iter(ctx.values()), "?")
        word = {"greater_than_equal": "at least", "less_than_equal": "at most",
                "greater_than": "more than", "less_than": "less than"}[kind]
        return f"must be {word} {bound}, got {_describe(value)}"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind in ("too_short", "too_long"):
        lo, hi = _bounds(where.field)
        n = ctx.get("actual_length", len(value) if hasattr(value, "__len__") else "?")
        noun = "item" if ctx.get("field_type", "List") == "List" else "entry"
        if lo is not None and hi is not None:
            return f"needs {lo} to {hi} {noun}s, got {n}"
        if kind == "too_short":
            return f"needs at least {ctx.get('min_length')} {noun}{'s' if ctx.get('min_length') != 1 else ''}, got {n}"
        return f"takes at most {ctx.get('max_length')} {noun}s, got {n}"
    if kind in ("string_too_long",):
        return f"too long: at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        if "#" in str(ctx.get("pattern", "")):
            return f"expected a colour #RRGGBB or #RRGGBBAA (e.g. #B7181E), got {_describe(value)}"
        return f"{_describe(value)} does not match the pattern {ctx.get('pattern')}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        types = list(BLOCK_TYPES)
        if kind == "union_tag_invalid":
            tag = str(ctx.get("tag"))
            close = difflib.get_close_matches(tag, types, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            return f"unknown block type '{tag}'{hint}; valid types: {', '.join(types)}"
        if not isinstance(value, Mapping):
            return f"expected a block (a mapping with a type), got {_describe(value)}"
        return f"the block has no type: add `type:` with one of {', '.join(types)}"
    if kind == "value_error":
        msg = str(e.get("msg", ""))
        return msg.removeprefix("Value error, ")
    if kind in _TYPE_NOUNS:
        if _is_block(where.type):
            return f"expected a block (a mapping with a type, e.g. `type: paragraph`), got {_describe(value)}"
        return f"expected {_TYPE_NOUNS[kind]}, got {_describe(value)}"
    msg = str(e.get("msg", kind))
    return msg[:1].lower() + msg[1:]


def _find_mark(marks: Mapping[str, Mark], path: str) -> Mark | None:
    p = path
    while True:
        if p in marks:
            return marks[p]
        if not p:
            return None
        cut = max(p.rfind("."), p.rfind("["))
        p = p[:cut] if cut > 0 else ""


def _validation_errors(
    exc: ValidationError, value: Any, marks: dict[str, Mark], kmarks: dict[str, Mark], label: str | None
) -> list[SpecError]:
    """Pydantic's errors as located SpecErrors: one per mistake, union noise removed."""
    plain: list[tuple[str, Mark | None, str]] = []
    typed: dict[str, tuple[list[str], Any, Mark | None]] = {}
    for e in exc.errors(include_url=False):
        where = _Where(tuple(e["loc"]), value)
        path, kind = where.path, e["type"]
        if kind == "spec":  # a model validator naming the part it is about
            at = str(e["ctx"]["at"])
            path = path + at if at.startswith("[") or not path else f"{path}.{at}"
            plain.append((path, _find_mark(marks, path), str(e["ctx"]["message"])))
            continue
        if kind == "union_tag_invalid":
            path = _join(path, "type")
        if kind == "missing":  # point at the mapping that lacks the field
            mark = _find_mark(marks, where.parent)
        elif kind == "extra_forbidden":
            mark = kmarks.get(path) or _find_mark(marks, path)
        else:
            mark = _find_mark(marks, path)
        if kind in _TYPE_NOUNS and not _is_block(where.type):
            nouns, _, _ = typed.setdefault(path, ([], e.get("input"), mark))
            if _TYPE_NOUNS[kind] not in nouns:
                nouns.append(_TYPE_NOUNS[kind])
            continue
        plain.append((path, mark, _message(e, where)))
    # A type error from one branch of a union is noise when another branch got further.
    for path, (nouns, value_in, mark) in typed.items():
        deeper = any(p == path or p.startswith((path + ".", path + "[")) for p, _, _ in plain)
        if deeper:
            continue
        if "a number" in nouns and "a whole number" in nouns:
            nouns.remove("a whole number")
        plain.append((path, mark, f"expected {' or '.join(nouns)}, got {_describe(value_in)}"))
    out: list[SpecError] = []
    seen: set[tuple[str, str]] = set()
    for path, mark, msg in plain:
        if (path, msg) in seen:
            continue
        seen.add((path, msg))
        file, line, col = mark if mark else (label, None, None)
        out.append(SpecError(msg, file=file, line=line, col=col, path=path or None))
    return out


def _raise(errors: list[SpecError]) -> None:
    if not errors:
        return
    errors.sort(key=lambda e: (e.file or "", e.line or 0, e.col or 0))
    if len(errors) == 1:
        raise errors[0]
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        errors = [*errors[:MAX_ERRORS], SpecError(f"… and {more} more errors", file=errors[0].file)]
    raise SpecErrors(errors)


# =========================================================================== paths
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


# =========================================================================== public
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
    tree = _fill(tree, "", {**_own_data(tree, label), **(data or {})}, errors, [MAX_NODES])
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


def read_tree(path: str | os.PathLike[str], kind: str = "spec", label: str | None = None) -> Any:
    """The plain value of a YAML/JSON file, read through the gate with the node budget (no validation).

    For callers that peek at a spec before loading it (batch's output format) and for
    theme files (``kind="theme"``: the gate's smaller size budget); never
    ``yaml.safe_load``, which has no budget for an alias bomb.
    """
    from .assets import read_file

    p = Path(path)
    label = label if label is not None else os.fspath(path)
    text = _read_file(p, label) if kind == "spec" else _decode(read_file(p, kind, label=label), label)
    return _to_python(_parse_text(text, label, json_mode=p.suffix.lower() == ".json"), "", {}, {})


def load_data_file(path: str | os.PathLike[str], *, rows: bool = False) -> Any:
    """The mapping in a YAML or JSON data file (for ``--data FILE``), with located errors.

    ``rows=True`` (for ``tushuo batch``) also accepts a list of mappings, one per output.
    """
    p = Path(path)
    label = os.fspath(path)
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
