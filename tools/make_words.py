"""Write ``tushuo/text/words.txt``, the word list that keeps balanced titles from cutting words.

Source: the dictionary of jieba 0.42.1 (MIT licence, https://github.com/fxsjy/jieba), its
``jieba/dict.txt`` (word, frequency, part of speech a line). Get it with
``pip download jieba==0.42.1 --no-deps --no-binary :all:`` and unpack the sdist, then::

    python3 tools/make_words.py path/to/jieba/dict.txt

Kept: words of 2 or 3 ideographs that jieba knows at all (frequency >= 3, its floor for words it
was given without a count, such as 台账 and 二维码), and words of 4 ideographs with a frequency
of at least 50 (common idioms and fixed phrases; rarer ones are mostly two words of two, which the
segmenter finds anyway).

Format (UTF-8), after the ``#`` header lines: for each length 2, 3, 4, one line of the words of
that length, sorted and written one after the other with nothing between them (fixed width, so a
word is found by bisection on the string itself, nothing to parse at load time), then one line with
a letter per word, its cost: ``a`` + round(ln(total / frequency)) - 3, the unigram cost jieba's
own segmentation minimises, rounded to a whole number.
"""

from __future__ import annotations

import math
import re
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
HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def main(src: str, out: str) -> None:
    total = 0
    words: dict[int, dict[str, int]] = {2: {}, 3: {}, 4: {}}
    for line in Path(src).read_text(encoding="utf-8").splitlines():
        w, f, *_ = line.split(" ")
        total += int(f)
        if len(w) in words and HAN.match(w) and int(f) >= MIN_FREQ[len(w)]:
            words[len(w)][w] = int(f)
    lines = [
        "# Chinese words for tushuo's balanced titles (tushuo.text.linebreak.word_edges).",
        "# Made by tools/make_words.py from the dictionary of jieba 0.42.1 (jieba/dict.txt,",
        "# https://github.com/fxsjy/jieba), which is under the MIT licence:",
        *("# " + ln if ln else "#" for ln in JIEBA_LICENSE.splitlines()),
        "# Per length 2, 3, 4: the sorted words run together, then one cost letter per word.",
    ]
    for n in (2, 3, 4):
        ws = sorted(words[n])
        lines.append("".join(ws))
        lines.append("".join(chr(ord("a") + max(0, min(25, round(math.log(total / words[n][w])) - 3))) for w in ws))
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out}: {sum(len(v) for v in words.values())} words, total frequency {total}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else str(Path(__file__).parents[1] / "tushuo/text/words.txt"))
