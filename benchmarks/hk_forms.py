"""Do Noto Sans HK's glyph forms differ from Noto Sans TC's for the texts tushuo draws?

    python3 benchmarks/hk_forms.py HK-Regular.ttf [HK-Bold.ttf]

(``npm pack @expo-google-fonts/noto-sans-hk``: package/400Regular/NotoSansHK_400Regular.ttf,
package/700Bold/NotoSansHK_700Bold.ttf.)

Characters compared: every character of every example spec converted with
``script: hant-hk`` (s2hk; all texts, through ``describe``), and the 5,401 common
characters of Big5 level 1 (A440–C67E). For each character the bundled TC face and the
HK face are compared two ways: the glyph outlines (glyf coordinates, exact) and 96 px
renderings (share of ink pixels that differ). Prints the counts and every character
whose form differs, so docs/DESIGN.md can quote the evidence.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))


def _handbook_and_examples() -> tuple[set[str], set[str]]:
    import tushuo
    from tushuo.describe import describe

    handbook: set[str] = set()
    every: set[str] = set()
    for spec in sorted((HERE / "examples").rglob("*.yaml")):
        try:
            doc = tushuo.load(spec)
        except Exception:  # data files and partial specs are not documents
            continue
        text = describe(doc, "text", script="hant-hk")
        chars = {c for c in text if ord(c) >= 0x2E80}
        every |= chars
        if spec.name == "election-handbook.yaml" and spec.parent.name == "examples":
            handbook |= chars
    return handbook, every


def _big5_level1() -> set[str]:
    out = set()
    for hi in range(0xA4, 0xC7):
        for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            if (hi, lo) > (0xC6, 0x7E):
                continue
            try:
                out.add(bytes((hi, lo)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return out


def _outline(font, ch: str):
    cmap = font.getBestCmap()
    name = cmap.get(ord(ch))
    if name is None:
        return None
    glyph = font["glyf"][name]
    coords = glyph.getCoordinates(font["glyf"])[0] if glyph.numberOfContours != 0 else []
    return (font["hmtx"][name][0], tuple(map(tuple, coords)))


def _ink(font, ch: str):
    from PIL import Image, ImageDraw

    im = Image.new("L", (112, 112), 0)
    ImageDraw.Draw(im).text((8, 0), ch, font=font, fill=255)
    return im.point(lambda v: 255 if v >= 128 else 0)


def _pixel_share(a, b) -> float:
    from PIL import ImageChops

    diff = ImageChops.difference(a, b).histogram()[255]
    union = ImageChops.lighter(a, b).histogram()[255]
    return diff / union if union else 0.0


def compare(tc_path: Path, hk_path: Path, chars: set[str]) -> tuple[list[str], list[tuple[str, float]]]:
    """(characters whose outline differs, [(character, pixel share)] of those)."""
    from fontTools.ttLib import TTFont
    from PIL import ImageFont

    tc, hk = TTFont(tc_path), TTFont(hk_path)
    ftc, fhk = ImageFont.truetype(str(tc_path), 96), ImageFont.truetype(str(hk_path), 96)
    differ = [c for c in sorted(chars) if _outline(tc, c) != _outline(hk, c)]
    return differ, [(c, _pixel_share(_ink(ftc, c), _ink(fhk, c))) for c in differ]


def main() -> None:
    hk_files = [Path(p) for p in sys.argv[1:]]
    tc_files = [HERE / "fonts" / "NotoSansTC-Regular.ttf", HERE / "fonts" / "NotoSansTC-Bold.ttf"]
    handbook, every = _handbook_and_examples()
    common = _big5_level1()
    for tc_path, hk_path in zip(tc_files, hk_files):
        print(f"== {tc_path.name} vs {hk_path.name}")
        for label, chars in (("election handbook (hant-hk)", handbook), ("all examples (hant-hk)", every),
                             ("Big5 level 1", common)):
            differ, shares = compare(tc_path, hk_path, chars)
            visible = [(c, s) for c, s in shares if s >= 0.02]
            print(f"{label:28s} {len(chars):5d} characters, outline differs: {len(differ)}, "
                  f"of which ≥2% of ink pixels differ at 96 px: {len(visible)}")
            if visible:
                print("   ", " ".join(f"{c}{s:.0%}" for c, s in sorted(visible, key=lambda x: -x[1])))


if __name__ == "__main__":
    main()
