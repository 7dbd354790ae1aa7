"""Walk laid-out frames' text ops for the #13 sweep: lone last characters (孤字), loose
justified lines and hidden chart labels, each only where another legal setting exists."""

from __future__ import annotations

import tempfile
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tushuo
from tushuo.inputs import layout_document, make_context
from tushuo.layout.frame import Text
from tushuo.templates import list_templates, new_spec
from tushuo.text.fonts import default_fontbook
from tushuo.text.layout import TextStyle, layout_text
from tushuo.text.linebreak import opportunities

ROOT = Path(__file__).resolve().parent.parent
THEMES = ("party-red", "gov-blue", "fresh-green", "ink")
WIDTHS = (1080, 750)
#: Stretch (em) a justified gap may take between two Han characters.
LOOSE = 0.1


def document_names() -> list[str]:
    """Every example (examples/*.yaml, examples/monthly/*.yaml) and ``template NAME`` with sample data."""
    names = [p.relative_to(ROOT / "examples").as_posix() for p in sorted((ROOT / "examples").glob("*.yaml"))]
    names += [p.relative_to(ROOT / "examples").as_posix() for p in sorted((ROOT / "examples" / "monthly").glob("*.yaml"))]
    names += [f"template {t.name}" for t in list_templates() if t.sample is not None]
    return names


@cache
def document(name: str):
    """The loaded document; a template as `tushuo new NAME` starts it (sample data and pictures)."""
    if not name.startswith("template "):
        return tushuo.load(ROOT / "examples" / name)
    t = name.split(" ", 1)[1]
    out = Path(tempfile.mkdtemp(prefix="tushuo-sweep-")) / "spec.yaml"
    new_spec(t, out)
    return tushuo.load(out)


def documents() -> list[tuple[str, object]]:
    return [(n, document(n)) for n in document_names()]


@dataclass
class Line:
    chars: list[tuple[str, float, float, str]]  # char, x, size, face

    @property
    def text(self) -> str:
        return "".join(c for c, *_ in self.chars)


def lines_of(op: Text) -> list[Line]:
    rows: dict[float, list] = {}
    for r in op.runs:
        row = rows.setdefault(round(r.y, 2), [])
        row.extend((ch, x, r.size, r.face) for ch, x in zip(r.text, r.xs))
    return [Line(sorted(rows[y], key=lambda c: c[1])) for y in sorted(rows)]


def _letters(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PZ")


def _han(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and unicodedata.category(ch) == "Lo"


def _set_width(text: str, size: float, face: str) -> float:
    return layout_text(text, 1e9, TextStyle(size=size, face=face, markup=False)).lines[0].width


def widow(op: Text, lines: list[Line]) -> str | None:
    """The op's last line is one character although the line above could give it one."""
    if len(lines) < 2 or op.overflow:
        return None
    prev, last = lines[-2], lines[-1]
    if _letters(last.text) > 1 or _letters(prev.text + last.text) < 2:
        return None
    size, face = last.chars[0][2], last.chars[0][3]
    both = prev.text + last.text
    opp = opportunities(both)
    for b in opp.best_pos:
        if 0 < b < len(prev.text) and _letters(both[b:]) >= 2:
            if _set_width(both[b:].lstrip(), size, face) <= op.box[2] + 0.01:
                return f"{prev.text!r} / {last.text!r}: {both[b:]!r} fits on the last line"
    return None


def loose(lines: list[Line]) -> list[tuple[str, float]]:
    """(line, stretch in em) of every non-last line whose Han–Han gaps are wider than LOOSE."""
    fb = default_fontbook()
    out = []
    for ln in lines[:-1]:
        worst = 0.0
        for (a, xa, size, face), (b, xb, *_) in zip(ln.chars, ln.chars[1:]):
            if _han(a) and _han(b):
                worst = max(worst, (xb - xa - fb.advance(a, size, face)) / size)
        if worst > LOOSE + 1e-3:
            out.append((ln.text, worst))
    return out


def sweep(doc, width: int, theme: str):
    """(widows, loose lines with their op's lines, warnings about hidden chart labels)."""
    ctx = make_context(doc, width=width, theme=theme)
    frame = layout_document(doc, width=width, theme=theme, ctx=ctx)
    widows, loose_lines = [], []
    for op in frame.walk():
        if not isinstance(op, Text) or not op.runs:
            continue
        lines = lines_of(op)
        w = widow(op, lines)
        if w:
            widows.append(w)
        for text, st in loose(lines):
            loose_lines.append((text, st, op, [ln.text for ln in lines]))
    hidden = [m for m in ctx.warnings if "hidden" in m or "do not fit under the chart" in m]
    return widows, loose_lines, hidden


def _tight(c: str) -> bool:
    """Latin letters, digits and ASCII marks: never stretched apart."""
    return c.isascii() and not c.isspace()


def _stretchable(a: str, b: str) -> bool:
    return not (_tight(a) and _tight(b)) and not (a == b and a in "—―…⋯")


def tighter_setting(op: Text, lines: list[Line]) -> list[str] | None:
    """A setting of the op's text in as many lines, none looser than LOOSE and no lone last
    character, or None (for single-paragraph ops)."""
    text = "".join(ln.text for ln in lines)
    size, face = lines[0].chars[0][2], lines[0].chars[0][3]
    indent = max(0.0, lines[0].chars[0][1] - op.box[0])
    return tighter_text(text, size, face, op.box[2], indent if indent > 0.5 * size else 0.0, len(lines))


def tighter_text(text: str, size: float, face: str, width: float, indent: float, n: int) -> list[str] | None:
    """The oracle: an exhaustive search over the break opportunities (least maximum stretch
    per gap, CJK–Latin gaps evened out as justification does) for ``n`` lines, every
    candidate line measured by the layout itself; None unless one is within LOOSE."""
    opp = opportunities(text)
    ends = [b for b in opp.best_pos]
    starts = [0, *ends[:-1]]
    inf = float("inf")
    # best[k][j]: least max-stretch of k lines ending at ends[j]
    best = [[inf] * len(ends) for _ in range(n + 1)]
    back = [[-1] * len(ends) for _ in range(n + 1)]
    for j, e in enumerate(ends):
        for i in range(j, -1, -1):
            a = starts[i] if i else 0
            seg = text[a:e].strip()
            if not seg:
                continue
            avail = width - (indent if a == 0 else 0.0)
            w = _set_width(seg, size, face)
            if w > avail + 0.01:
                break
            last = e == len(text)
            if last:
                st = 0.0 if _letters(seg) >= 2 else inf
            else:
                pairs = [(x, y) for x, y in zip(seg, seg[1:]) if _stretchable(x, y)]
                # the CJK–Latin gaps (1/8 em) already there are evened out with the rest
                base = 0.125 * size * sum(_han(x) != _han(y) and (x.isascii() or y.isascii()) for x, y in pairs)
                st = (avail - w + base) / size / len(pairs) if pairs else inf
            for k in range(1, n + 1):
                prev = 0.0 if (k == 1 and a == 0) else (best[k - 1][i - 1] if i and k > 1 else inf)
                if a != 0 and i == 0:
                    prev = inf
                cand = max(prev, st)
                if cand < best[k][j]:
                    best[k][j], back[k][j] = cand, i
    if best[n][-1] > LOOSE + 1e-3:
        return None
    out, j = [], len(ends) - 1
    for k in range(n, 0, -1):
        i = back[k][j]
        out.append(text[(starts[i] if i else 0):ends[j]].strip())
        j = i - 1
    return out[::-1]
