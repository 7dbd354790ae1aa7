"""Title and description inside image files, for readers who cannot see the picture.

PNG gets iTXt chunks (UTF-8, with a language tag) named Title and Description, the
keywords the PNG specification defines; JPEG and WebP get an XMP packet (dc:title,
dc:description, dc:language), the place photo tools and search engines read. The
encoders stay as they are: these functions take the finished bytes and insert the
metadata, so a streamed PNG and a size-capped JPEG get it the same way.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class FileInfo:
    """What one file says about itself: a title, a description and the language (BCP 47)."""

    title: str
    description: str
    lang: str = "zh-CN"


#: JPEG APP1 segments hold at most 65,533 bytes; the XMP packet must fit in one.
_JPEG_XMP_MAX = 65_000
_XMP_NS = b"http://ns.adobe.com/xap/1.0/\x00"


def add_metadata(data: bytes, fmt: str, info: FileInfo) -> bytes:
    """``data`` (a PNG, JPEG or WebP file) with ``info`` inserted."""
    if fmt == "png":
        return png_with_text(data, {"Title": info.title, "Description": info.description}, info.lang)
    if fmt == "jpeg":
        return jpeg_with_xmp(data, xmp_packet(info, _JPEG_XMP_MAX))
    if fmt == "webp":
        return webp_with_xmp(data, xmp_packet(info))
    raise ValueError(f"no metadata writer for {fmt}")


# -- PNG ----------------------------------------------------------------------------------
def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))


def png_with_text(data: bytes, items: dict[str, str], lang: str = "") -> bytes:
    """The PNG with one iTXt chunk per item, right after IHDR (long texts compressed)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    end = 8 + 12 + struct.unpack(">I", data[8:12])[0]  # after IHDR
    chunks = []
    for key, text in items.items():
        raw = text.encode("utf-8")
        packed = zlib.compress(raw, 9) if len(raw) > 512 else None
        body = (key.encode("latin-1") + b"\x00" + (b"\x01\x00" if packed else b"\x00\x00")
                + lang.encode("ascii") + b"\x00" + b"\x00" + (packed if packed else raw))
        chunks.append(_chunk(b"iTXt", body))
    return data[:end] + b"".join(chunks) + data[end:]


# -- XMP (JPEG, WebP) ---------------------------------------------------------------------------
def xmp_packet(info: FileInfo, limit: int | None = None) -> bytes:
    """An XMP packet with dc:title, dc:description and dc:language; the description is
    shortened (with …) when the packet would exceed ``limit`` bytes."""
    # imported here: xml.sax.saxutils imports urllib.request (~10 ms), which a PNG never needs
    from xml.sax.saxutils import escape

    desc = info.description
    while True:
        body = (
            '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(info.title)}</rdf:li></rdf:Alt></dc:title>'
            f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(desc)}</rdf:li></rdf:Alt></dc:description>'
            f'<dc:language><rdf:Bag><rdf:li>{escape(info.lang)}</rdf:li></rdf:Bag></dc:language>'
            '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
        ).encode()
        if limit is None or len(body) <= limit or not desc:
            return body
        desc = desc[: max(0, len(desc) * 9 // 10 - 1)] + "…"


def jpeg_with_xmp(data: bytes, xmp: bytes) -> bytes:
    """The JPEG with an APP1 XMP segment after SOI (and after a JFIF APP0 segment)."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG file")
    at = 2
    if data[2:4] == b"\xff\xe0":  # keep JFIF first, as readers expect
        at = 4 + struct.unpack(">H", data[4:6])[0]
    payload = _XMP_NS + xmp
    if len(payload) + 2 > 0xFFFF:
        raise ValueError("XMP packet too large for one JPEG segment")
    seg = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return data[:at] + seg + data[at:]


def webp_with_xmp(data: bytes, xmp: bytes) -> bytes:
    """The WebP with an XMP chunk (and the extended VP8X header that announces it)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP file")
    chunks: list[tuple[bytes, bytes]] = []
    pos = 12
    while pos + 8 <= len(data):
        kind = data[pos:pos + 4]
        size = struct.unpack("<I", data[pos + 4:pos + 8])[0]
        chunks.append((kind, data[pos + 8:pos + 8 + size]))
        pos += 8 + size + (size & 1)
    if chunks and chunks[0][0] == b"VP8X":
        head = bytearray(chunks[0][1])
        head[0] |= 0x04
        chunks[0] = (b"VP8X", bytes(head))
        chunks = [c for c in chunks if c[0] != b"XMP "]
    else:
        kind, body = chunks[0]
        if kind == b"VP8L":
            bits = struct.unpack("<I", body[1:5])[0]
            w, h, alpha = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, (bits >> 28) & 1
        elif kind == b"VP8 ":
            w = struct.unpack("<H", body[6:8])[0] & 0x3FFF
            h = struct.unpack("<H", body[8:10])[0] & 0x3FFF
            alpha = 0
        else:
            raise ValueError(f"unexpected WebP chunk {kind!r}")
        flags = 0x04 | (0x10 if alpha else 0)
        vp8x = bytes([flags, 0, 0, 0]) + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little")
        chunks.insert(0, (b"VP8X", vp8x))
    chunks.append((b"XMP ", xmp))
    out = b"".join(k + struct.pack("<I", len(b)) + b + (b"\x00" if len(b) & 1 else b"") for k, b in chunks)
    return b"RIFF" + struct.pack("<I", 4 + len(out)) + b"WEBP" + out


__all__ = ["FileInfo", "add_metadata", "jpeg_with_xmp", "png_with_text", "webp_with_xmp", "xmp_packet"]
