"""Scripts: Simplified (hans, the default) or Traditional Chinese for a region.

The same 图说 content is read in Taiwan, Hong Kong, Macau and overseas. Converting
characters is not enough: Taiwan and Hong Kong quote with 「」『』, and their fonts draw
many characters in other forms (the TC faces, chosen by FontBook(script=...)).

Conversion is OpenCC's, one configuration per region:
  hant     s2t    characters only (no regional phrases), quotes as written
  hant-tw  s2twp  Taiwan standard characters and Taiwan phrases (软件→軟體), 「」『』
  hant-hk  s2hk   Hong Kong standard characters, 「」『』
OpenCC is imported only when a Traditional script is asked for, so Simplified renders
pay nothing. What is not words stays as written: ids, file paths, QR code data, URLs,
theme and output settings, and ``meta`` (names, dates, account).
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from .errors import SpecError

if TYPE_CHECKING:
    from .spec.document import Document

Script = Literal["hans", "hant", "hant-tw", "hant-hk"]
SCRIPTS: tuple[str, ...] = ("hans", "hant", "hant-tw", "hant-hk")
#: OpenCC configuration per script.
OPENCC_CONFIG = {"hant": "s2t", "hant-tw": "s2twp", "hant-hk": "s2hk"}
#: BCP 47 language tag per script (PDF /Lang, SVG lang, XMP dc:language).
LANG = {"hans": "zh-CN", "hant": "zh-Hant", "hant-tw": "zh-TW", "hant-hk": "zh-HK"}
#: Quotes as Taiwan and Hong Kong set them (primary 「」, nested 『』).
_QUOTES = str.maketrans({"“": "「", "”": "」", "‘": "『", "’": "』"})
#: Words s2twp's phrase tables (computing terms) get wrong in government text: set with
#: Taiwan characters but without the phrase swap. Found by converting every example and
#: template with s2tw and s2twp and reading the differences: 社区→社群 ("online
#: community"), 选举程序→程式 ("program"), 运行→執行, 远程教育→遠端, 调度会→排程會,
#: 发布→釋出, 优化→最佳化, 设备→裝置 ("device"), 项目→專案 ("project": 檢查專案 for
#: 检查项目, a table head 專案 for 项目). Kept swaps: 数据→資料, 信息→資訊,
#: 在线→線上, 打开→開啟, 打印→列印, 联系→聯絡, 批量→批次.
_KEEP_PHRASES = {"hant-tw": ("社区", "程序", "运行", "远程", "调度", "发布", "优化", "设备", "项目")}

#: Spec fields that are not words: never converted.
NOT_WORDS = frozenset({
    "type", "id", "to", "src", "image", "data_file", "data", "qrcode", "kind", "layout", "align",
    "tone", "fit", "style", "icon", "image_position", "theme", "output", "meta", "script",
    "extends", "tushuo", "sheet",
})

_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*://|www\.)\S+")

_LOCK = threading.Lock()
_CONVERTERS: dict[str, Any] = {}


def check_script(script: str | None) -> str:
    """The script name, checked (None means hans)."""
    s = script or "hans"
    if s not in SCRIPTS:
        raise SpecError(f"unknown script '{s}': use {', '.join(SCRIPTS)}")
    return s


def _converter(config: str) -> Any:
    conv = _CONVERTERS.get(config)
    if conv is None:
        with _LOCK:
            conv = _CONVERTERS.get(config)
            if conv is None:
                try:
                    import opencc
                except ImportError:  # pragma: no cover - opencc is a dependency
                    raise SpecError(
                        "a Traditional script needs OpenCC: python3 -m pip install opencc"
                    ) from None
                conv = _CONVERTERS[config] = opencc.OpenCC(config)
    return conv


def convert_text(text: str, script: str | None) -> str:
    """``text`` in ``script``: characters (and regional phrases) by OpenCC, quotes per region.

    URLs inside the text stay as written; Simplified returns the text unchanged.
    """
    if not script or script == "hans" or not text:
        return text
    if text.isascii():
        return text
    conv = _converter(OPENCC_CONFIG[script])
    keep = _KEEP_PHRASES.get(script, ())
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        out.append(_words(text[pos:m.start()], conv, keep))
        out.append(m.group())
        pos = m.end()
    out.append(_words(text[pos:], conv, keep))
    result = "".join(out)
    if script in ("hant-tw", "hant-hk"):
        result = result.translate(_QUOTES)
    return result


def _words(text: str, conv: Any, keep: tuple[str, ...]) -> str:
    if not text:
        return text
    for word in keep:
        if word in text:
            plain = _converter("s2tw")
            return plain.convert(word).join(_words(part, conv, keep) for part in text.split(word))
    return conv.convert(text)


def convert_value(value: Any, script: str) -> Any:
    """A spec value with every text converted (models, lists, strings), by field name."""
    if isinstance(value, str):
        return convert_text(value, script)
    if isinstance(value, list):
        return [convert_value(v, script) for v in value]
    if isinstance(value, BaseModel):
        changes = {}
        for name in type(value).model_fields:
            if name in NOT_WORDS:
                continue
            old = getattr(value, name)
            new = convert_value(old, script)
            if new is not old:
                changes[name] = new
        if not changes:
            return value
        copy = value.model_copy(update=changes)
        return copy
    return value


def apply_script(doc: Document, script: str | None = None) -> Document:
    """``doc`` with its words in ``script`` (default: the document's own); the same object for hans.

    The copy keeps where the spec came from (base folder, marks), so errors and
    relative paths still point into the spec.
    """
    s = check_script(script or getattr(doc, "script", None))
    if s == "hans":
        return doc
    if getattr(doc, "_script_applied", None) == s:
        return doc
    out = convert_value(doc, s)
    if out is doc:
        out = doc.model_copy()
    if out.script != s:
        out = out.model_copy(update={"script": s})
    for attr in ("_base_dir", "_source_file", "_marks", "_roots"):
        if hasattr(doc, attr):
            setattr(out, attr, getattr(doc, attr))
    out._script_applied = s
    return out


__all__ = ["LANG", "OPENCC_CONFIG", "SCRIPTS", "Script", "apply_script", "check_script", "convert_text", "convert_value"]
