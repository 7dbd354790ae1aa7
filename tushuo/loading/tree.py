"""Reading YAML/JSON into a located tree (_N): every value with the file, line and column it came from.

Why not ``yaml.safe_load``: every error must name FILE:LINE:COL, so PyYAML's node tree (which keeps
marks) is composed and the values built by hand. That is also where the safety rules live: plain data
tags only, a node budget that stops alias bombs before they expand, a depth limit, no duplicate keys,
and YAML 1.1 surprises turned off (``no``, ``1:20`` and dates stay text)."""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from ..errors import SpecError
from ..humanize import char_code, human_size
from . import limits

Mark = tuple[str | None, int, int]  # (file, line, col), 1-based

_T = "tag:yaml.org,2002:"
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
    if isinstance(n.v, str):
        _check_text(n.v, n.mark, path)
    if isinstance(n.v, dict):
        return {k: _to_python(c, _join(path, k), marks, kmarks) for k, c in n.v.items()}
    if isinstance(n.v, list):
        return [_to_python(c, _join(path, i), marks, kmarks) for i, c in enumerate(n.v)]
    return n.v


#: Characters XML 1.0 cannot hold (C0 controls but tab, newline, return; U+FFFE/FFFF; lone
#: surrogates): refused in every value, so check, PNG, SVG and PDF agree.
_UNSTORABLE = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff\\ud800-\\udfff]")


def _check_text(text: str, mark: Mark | None, path: str) -> None:
    """A string value within the length budget and free of characters no output can hold."""
    if len(text) > limits.MAX_TEXT_CHARS:
        why = (f"text too long: {len(text):,} characters, at most {limits.MAX_TEXT_CHARS:,} in one value; "
               "split it into several paragraphs or documents")
    elif (bad := _UNSTORABLE.search(text)) is not None:
        why = (f"the text holds {char_code(bad.group())}, a control character no output can hold "
               "(SVG and PDF text cannot); delete it (it is often pasted in invisibly)")
    else:
        return
    file, line, col = mark or (None, None, None)
    raise SpecError(why, file=file, line=line, col=col, path=path or None)


def _from_python(value: Any, mark: Mark | None, budget: list[int], active: set[int] | None = None) -> _N:
    """A located tree from Python data (a dict spec, or data filling a slot), all at ``mark``."""
    active = set() if active is None else active
    budget[0] -= 1
    if budget[0] < 0:
        raise SpecError(f"too many values (more than {limits.MAX_NODES}) in the spec or its data")
    if isinstance(value, (dict, list, tuple)):
        if id(value) in active:
            raise SpecError("the spec contains itself (a recursive dict or list)")
        if len(active) >= limits.MAX_DEPTH:  # ``active`` is the path down here: 3,000 dicts deep was a RecursionError
            raise SpecError(f"spec too large: nested more than {limits.MAX_DEPTH} levels deep")
        active.add(id(value))
        try:
            if isinstance(value, dict):
                return _N({k: _from_python(v, mark, budget, active) for k, v in value.items()}, mark, mark)
            return _N([_from_python(v, mark, budget, active) for v in value], mark, mark)
        finally:
            active.discard(id(value))
    return _N(value, mark, mark)


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
    from ..assets import read_file

    try:
        if path.is_dir():
            raise SpecError("this is a folder, not a spec file", file=label)
        path.stat()
    except FileNotFoundError:
        raise SpecError(f"file not found: {label}") from None
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read {label}: {getattr(exc, 'strerror', None) or exc}") from None
    return _decode(read_file(path, "spec", label=label, limit=limits.MAX_BYTES), label)


try:  # libyaml's parser is ~5x faster; the composer (where the budget is counted) is ours.
    from yaml._yaml import CParser as _ParserBase

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


class _Composer(_ParserBase, Composer, Resolver):
    """PyYAML's composer over libyaml's parser, counting nodes and depth as it goes."""

    get_single_node = Composer.get_single_node
    compose_document = Composer.compose_document

    def __init__(self, text: str) -> None:
        _init_parser(self, text)
        Composer.__init__(self)
        Resolver.__init__(self)
        self.count = 0
        self.depth = 0

    def _next_mark(self) -> Any:
        event = self.peek_event()
        return event.start_mark if event is not None else None

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.count += 1
        if self.count > limits.MAX_NODES:
            raise _BudgetExceeded(f"more than {limits.MAX_NODES} values", self._next_mark())
        self.depth += 1
        try:
            if self.depth > limits.MAX_DEPTH:
                raise _BudgetExceeded(f"nested more than {limits.MAX_DEPTH} levels deep", self._next_mark())
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
        raise SpecError(f"spec too large: nested more than {limits.MAX_DEPTH} levels deep", file=label) from None


class _Builder:
    """Python values from a composed node tree, following aliases within a node budget."""

    def __init__(self, label: str | None, json_mode: bool, shifts: dict[int, list[int]] | None = None) -> None:
        self.label = label
        self.json_mode = json_mode
        self.shifts = shifts or {}  # per 0-based line: columns (in the composed text) after a joined surrogate pair
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
            if depth > limits.MAX_DEPTH:
                raise self.error(f"spec too large: nested more than {limits.MAX_DEPTH} levels deep (through aliases)", node)
            if key in active:
                raise self.error("recursive alias: a value that contains itself (through *alias)", node)
            total = 1
            if not isinstance(node, yaml.ScalarNode):
                active.add(key)
                children = node.value if isinstance(node, yaml.SequenceNode) else [x for kv in node.value for x in kv]
                for c in children:
                    total += size(c, depth + 1)
                    if total > limits.MAX_NODES:
                        raise self.error(
                            f"spec too large: aliases (*name) expand to more than {limits.MAX_NODES} values; "
                            "tushuo refuses to expand it (a 'billion laughs' file?)",
                            node,
                        )
                active.discard(key)
            sizes[key] = total
            return total

        size(root, 0)

    def error(self, message: str, node: Any) -> SpecError:
        _, line, col = self.mark(node.start_mark)
        return SpecError(message, file=self.label, line=line, col=col)

    def mark(self, m: Any) -> Mark:
        """Where ``m`` is in the file as written (a joined surrogate escape is 2 characters shorter)."""
        label, line, col = _mark(self.label, m)
        return (label, line, col + 2 * sum(1 for c in self.shifts.get(m.line, ()) if c <= m.column))

    def build(self, node: Any, depth: int = 0) -> _N:
        self.count += 1
        if self.count > limits.MAX_NODES:
            raise self.error(
                f"spec too large: aliases (*name) expand to more than {limits.MAX_NODES} values; "
                "tushuo refuses to expand it (a 'billion laughs' file?)",
                node,
            )
        if depth > limits.MAX_DEPTH:
            raise self.error(f"spec too large: nested more than {limits.MAX_DEPTH} levels deep (through aliases)", node)
        mark = self.mark(node.start_mark)
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
            child.kmark = self.mark(knode.start_mark)
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
            if len(text) > limits.MAX_NUMBER_CHARS:
                # 0xfff… of 5,000 digits (an int no message can print): kept as written, so a
                # number field says where it is and what it got, and a text field takes it as text
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


_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})")


_SURROGATE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([dD][89a-fA-F][0-9a-fA-F]{2})")


def _refuse_lone_surrogate(text: str, label: str | None) -> None:
    """Half of a character pair escaped alone (``"\\ud800"``): no output can hold it. Refused
    here, where the file still has lines (YAML's reader refuses it, and json's values have none)."""
    pending: re.Match[str] | None = None  # a high half waiting for its low half
    for m in _SURROGATE_ESCAPE.finditer(text):
        high = int(m.group(2), 16) < 0xDC00
        if pending is not None and not high and m.start() + len(m.group(1)) == pending.end():
            pending = None
            continue
        lone = pending if pending is not None else (None if high else m)
        if lone is not None:
            break
        pending = m
    else:
        lone = pending
    if lone is None:
        return
    at = lone.start() + len(lone.group(1))
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    raise SpecError(f"\\u{lone.group(2)} is half of a character pair (a lone surrogate) that no output can hold; "
                    "delete it or write the whole character", file=label, line=line, col=col)


def _join_surrogate_escapes(text: str) -> tuple[str, dict[int, list[int]]]:
    """JSON's escaped surrogate pairs (``\\ud83d\\ude00``, which YAML's reader refuses) as one
    ``\\U0001f600``, and per line the columns where the text got 2 characters shorter, so
    every later mark on that line is moved back to where the file has it."""
    shifts: dict[int, list[int]] = {}
    out: list[str] = []
    last = 0
    line, line_start, shrunk = 0, 0, 0
    for m in _SURROGATE_PAIR.finditer(text):
        nl = text.count("\n", last, m.start())
        if nl:
            line += nl
            line_start = text.rfind("\n", 0, m.start()) + 1
            shrunk = 0
        hi, lo = int(m.group(2), 16), int(m.group(3), 16)
        code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        out.append(text[last:m.start()] + m.group(1) + f"\\U{code:08x}")
        shrunk += 2
        shifts.setdefault(line, []).append(m.end() - line_start - shrunk)
        last = m.end()
    out.append(text[last:])
    return "".join(out), shifts


def json_int(text: str) -> int | str:
    """A JSON integer; one past MAX_NUMBER_CHARS stays as written (int() refuses 4,300 digits), as in YAML."""
    return int(text) if len(text) <= limits.MAX_NUMBER_CHARS else text


def _parse_text(text: str, label: str | None, json_mode: bool) -> _N:
    """The located tree of one YAML/JSON text; empty text is an error."""
    json_value: Any = None
    if json_mode:
        try:
            json_value = json.loads(text, parse_int=json_int)
        except json.JSONDecodeError as exc:
            raise SpecError(f"JSON syntax error: {exc.msg}", file=label, line=exc.lineno, col=exc.colno) from None
        except RecursionError:
            raise SpecError(f"spec too large: nested more than {limits.MAX_DEPTH} levels deep", file=label) from None
    shifts: dict[int, list[int]] = {}
    if json_mode and "\\u" in text:
        _refuse_lone_surrogate(text, label)
        text, shifts = _join_surrogate_escapes(text)
    try:
        node = _compose(text, label, "JSON" if json_mode else "YAML")
    except SpecError:
        if not json_mode:
            raise
        # Valid JSON that YAML cannot read (a key over 1024 characters): json's values, no lines.
        return _from_python(json_value, None, [limits.MAX_NODES])
    if node is None:
        raise SpecError(
            "empty spec: the file has no content; a spec needs at least `title:` and `blocks:`", file=label
        )
    builder = _Builder(label, json_mode, shifts)
    builder.check_size(node)
    return builder.build(node)


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
        if n > limits.MAX_BYTES:
            raise SpecError(f"spec too large: {human_size(n)} (at most {human_size(limits.MAX_BYTES)})", file=os.fspath(file))
        tree = _parse_text(source, os.fspath(file), json_mode=path.suffix.lower() == ".json")
        return tree, os.fspath(file), path.resolve().parent
    if isinstance(source, os.PathLike) or (isinstance(source, str) and _looks_like_path(source)):
        path = Path(source)
        label = os.fspath(source)
        text = _read_file(path, label)
        tree = _parse_text(text, label, json_mode=path.suffix.lower() == ".json")
        return tree, label, path.resolve().parent
    if isinstance(source, bytes):
        if len(source) > limits.MAX_BYTES:
            raise SpecError(f"spec too large: {human_size(len(source))} (at most {human_size(limits.MAX_BYTES)})")
        source = _decode(source, "<string>")
    if isinstance(source, str):
        if len(source) > limits.MAX_BYTES:
            raise SpecError(f"spec too large: {human_size(len(source))} (at most {human_size(limits.MAX_BYTES)})")
        stripped = source.lstrip()
        json_mode = False
        if stripped[:1] in ("{", "["):
            try:
                json.loads(source, parse_int=json_int)
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
        return _from_python(dict(source), None, [limits.MAX_NODES]), None, None
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


def read_tree(path: str | os.PathLike[str], kind: str = "spec", label: str | None = None) -> Any:
    """The plain value of a YAML/JSON file, read through the gate with the node budget (no validation).

    For callers that peek at a spec before loading it (batch's output format) and for
    theme files (``kind="theme"``: the gate's smaller size budget); never
    ``yaml.safe_load``, which has no budget for an alias bomb.
    """
    from ..assets import read_file

    p = Path(path)
    label = label if label is not None else os.fspath(path)
    text = _read_file(p, label) if kind == "spec" else _decode(read_file(p, kind, label=label), label)
    return _to_python(_parse_text(text, label, json_mode=p.suffix.lower() == ".json"), "", {}, {})
