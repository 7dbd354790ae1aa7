"""Write ``tushuo/text/words.bin``, the word list that keeps balanced titles from cutting words.

Source: the dictionary of jieba 0.42.1 (MIT licence, https://github.com/fxsjy/jieba), its
``jieba/dict.txt`` (word, frequency, part of speech a line). Get it with
``pip download jieba==0.42.1 --no-deps --no-binary :all:`` and unpack the sdist, then::

    python3 tools/make_words.py path/to/jieba/dict.txt

Kept: words of 2 or 3 ideographs that jieba knows at all (frequency >= 3, its floor for words it
was given without a count, such as 台账 and 二维码), and words of 4 ideographs with a frequency
of at least 50 (common idioms and fixed phrases; rarer ones are mostly two words of two, which the
segmenter finds anyway); all in the Basic Multilingual Plane.

Format, little-endian, read without parsing (``tushuo.text.linebreak._load_words``): ``TSW1``,
then the number of words of 2, 3 and 4 characters (three uint32); then for each length its words
as sorted integer keys, each character's code point in 16 bits, first character highest (uint32
for 2 characters, uint64 for 3 and 4); then for each length one byte per word, its cost:
round(ln(total / frequency)) - 3, the unigram cost jieba's own segmentation minimises, rounded;
then the number of Traditional characters (uint32) and that many pairs (Traditional, Simplified)
of uint16 code points: the characters OpenCC (``pip install opencc``; t2s, tw2s, hk2s) turns
into one other character, so that Traditional text is segmented with the same words.
The licences of the sources travel beside it, in ``words-LICENSE.txt``.
"""

from __future__ import annotations

import math
import re
import struct
import sys
from pathlib import Path

MIN_FREQ = {2: 3, 3: 3, 4: 50}
JIEBA_LICENSE = """The MIT License (MIT)

Copyright (c) 2013 Sun Junyi

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE."""
HAN = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")  # ideographs of the BMP (16-bit keys)


def key(word: str) -> int:
    k = 0
    for ch in word:
        k = k << 16 | ord(ch)
    return k


def opencc_license() -> str:
    """The licence text the installed OpenCC ships (Apache License 2.0)."""
    from importlib.metadata import distribution

    dist = distribution("opencc")
    for f in dist.files or []:
        if f.name.upper().startswith("LICENSE"):
            return f.read_text(encoding="utf-8")
    raise SystemExit("OpenCC's licence file not found in its installed distribution")


def t2s() -> list[tuple[str, str]]:
    """(Traditional, Simplified) for every BMP ideograph that OpenCC turns into one other character."""
    import opencc

    convs = [opencc.OpenCC(c) for c in ("t2s", "tw2s", "hk2s")]
    out: dict[str, str] = {}
    for cp in [*range(0x3400, 0xA000), *range(0xF900, 0xFB00)]:
        ch = chr(cp)
        for conv in convs:
            s = conv.convert(ch)
            if s != ch and len(s) == 1 and ord(s) < 0x10000:
                out.setdefault(ch, s)
    return sorted(out.items())


def main(src: str, out: str) -> None:
    total = 0
    words: dict[int, dict[str, int]] = {2: {}, 3: {}, 4: {}}
    for line in Path(src).read_text(encoding="utf-8").splitlines():
        w, f, *_ = line.split(" ")
        total += int(f)
        if len(w) in words and HAN.match(w) and int(f) >= MIN_FREQ[len(w)]:
            words[len(w)][w] = int(f)
    data = bytearray(b"TSW1" + struct.pack("<3I", *(len(words[n]) for n in (2, 3, 4))))
    for n in (2, 3, 4):
        data += b"".join(struct.pack("<I" if n == 2 else "<Q", key(w)) for w in sorted(words[n], key=key))
    for n in (2, 3, 4):
        data += bytes(max(0, min(255, round(math.log(total / words[n][w])) - 3)) for w in sorted(words[n], key=key))
    pairs = t2s()
    data += struct.pack("<I", len(pairs)) + b"".join(struct.pack("<2H", ord(a), ord(b)) for a, b in pairs)
    Path(out).write_bytes(bytes(data))
    notice = ("The Chinese word list words.bin beside this file (tushuo.text.linebreak.word_edges) is made\n"
              "by tools/make_words.py from the dictionary of jieba 0.42.1 (jieba/dict.txt,\n"
              "https://github.com/fxsjy/jieba), which is under this licence:\n\n" + JIEBA_LICENSE + "\n\n"
              "Its table of Traditional characters and their Simplified forms is made with OpenCC "
              "(https://github.com/BYVoid/OpenCC),\nwhich is under this licence:\n\n" + opencc_license())
    Path(out).with_name("words-LICENSE.txt").write_text(notice, encoding="utf-8")
    print(f"{out}: {sum(len(v) for v in words.values())} words, {len(data)} bytes, total frequency {total}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else str(Path(__file__).parents[1] / "tushuo/text/words.bin"))
