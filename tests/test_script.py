"""script: hant / hant-tw / hant-hk: OpenCC conversion, regional quotes, TC glyph forms, centred marks."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

import tushuo
from tushuo.script import apply_script, convert_text
from tushuo.text.fonts import default_fontbook

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_convert_text_per_region() -> None:
    s = "“两委”换届，软件‘信息’：https://example.org/软件 选举程序"
    assert convert_text(s, "hans") is s
    assert convert_text(s, None) is s
    assert convert_text(s, "hant") == "“兩委”換屆，軟件‘信息’：https://example.org/软件 選舉程序"
    # Taiwan: phrases (軟體, 資訊), 「」『』, the URL as written, 程序 kept (not 程式, "program")
    assert convert_text(s, "hant-tw") == "「兩委」換屆，軟體『資訊』：https://example.org/软件 選舉程序"
    assert convert_text(s, "hant-hk") == "「兩委」換屆，軟件『信息』：https://example.org/软件 選舉程序"
    assert convert_text("村（社区）", "hant-tw") == "村（社區）"  # s2twp alone says 社群
    # s2twp alone says 專案 ("project"): 檢查專案 for 检查项目, a table head 專案 for 项目
    assert convert_text("检查项目：项目要求", "hant-tw") == "檢查項目：項目要求"


def test_apply_script_converts_words_only() -> None:
    doc = tushuo.load(EXAMPLES / "election-handbook.yaml")
    tw = apply_script(doc, "hant-tw")
    assert tw is not doc and doc.title == "村（社区）“两委”换届选举掌上手册"  # the loaded document is untouched
    assert tw.title == "村（社區）「兩委」換屆選舉掌上手冊" and tw.script == "hant-tw"
    steps = tw.blocks[3].blocks[1]
    assert [e.to for e in steps.items[1].next] == ["announce", "nominate"]  # ids stay
    assert steps.items[1].next[1].label == "否，取消資格，依次遞補"
    assert tw.meta["author"] == "颍州区委组织部"  # names in meta stay as written
    assert tw.footer.qrcode == doc.footer.qrcode and tw.footer.note == "長按識別二維碼，關注潁州先鋒"
    assert tw.base_dir == doc.base_dir and tw.locate("blocks[1]") == doc.locate("blocks[1]")
    assert apply_script(doc) is doc  # hans: nothing to do, OpenCC never loaded for it
    with pytest.raises(tushuo.SpecError, match="unknown script 'hant-cn'"):
        apply_script(doc, "hant-cn")


def test_script_field_and_describe() -> None:
    doc = tushuo.load({"title": "图说", "script": "hant-tw", "blocks": [
        {"type": "steps", "items": [{"id": "a", "title": "提交申请"},
                                    {"id": "d", "kind": "decision", "title": "是否通过？",
                                     "next": [{"to": "a", "label": "否"}]}]}]})
    md = tushuo.describe(doc)
    assert md.startswith("# 圖說\n") and "判斷：是否通過？若否，返回第1步。" in md
    assert "判断" in tushuo.describe(doc, script="hans")


def _layout(script: str, text: str):
    from tushuo.paint.raster import paint
    from tushuo.pipeline import layout

    doc = tushuo.load({"title": "样", "width": 540, "script": script,
                       "blocks": [{"type": "paragraph", "text": text, "indent": False, "align": "left"}]})
    frame, ctx = layout(doc)
    runs = [g for op in frame.walk() if hasattr(op, "runs") for g in op.runs]
    return paint(frame, fonts=ctx.fonts).convert("L"), runs, ctx.fonts


def _em(img: Image.Image, g, i: int) -> Image.Image:
    x, top = round(g.xs[i]), round(g.y - g.ascent * g.size)
    return img.crop((x, top, x + round(g.size), top + round(g.size)))


def _reference(path: Path, ch: str, size: float, ascent: float, like: Image.Image) -> Image.Image:
    from PIL import ImageFont

    font = ImageFont.truetype(str(path), size=size)
    out = Image.new("L", like.size, 255)
    ImageDraw.Draw(out).text((0, ascent * size), ch, font=font, fill=0, anchor="ls")
    return out


def _ink_diff(a: Image.Image, b: Image.Image) -> int:
    return sum(ImageChops.difference(a.point(lambda v: 255 if v > 128 else 0),
                                     b.point(lambda v: 255 if v > 128 else 0)).histogram()[128:])


def test_hant_tw_draws_tc_glyph_forms() -> None:
    """骨 and 遍 are the same code points in both scripts but drawn differently in TC fonts."""
    fb = default_fontbook()
    for ch in "骨遍":
        img, runs, fonts = _layout("hant-tw", ch + "字")
        g = next(r for r in runs if ch in r.text)
        em = _em(img, g, g.text.index(ch))
        tc = _reference(fonts.path("sans"), ch, g.size, g.ascent, em)
        sc = _reference(fb.path("sans"), ch, g.size, g.ascent, em)
        assert fonts.path("sans").name == "NotoSansTC-Regular.ttf"
        d_tc, d_sc = _ink_diff(em, tc), _ink_diff(em, sc)
        assert d_tc * 4 < d_sc, (ch, d_tc, d_sc)
        img, runs, _ = _layout("hans", ch + "字")  # the Simplified render keeps the SC form
        g = next(r for r in runs if ch in r.text)
        em = _em(img, g, g.text.index(ch))
        assert _ink_diff(em, sc) * 4 < _ink_diff(em, tc)


def test_hant_hk_draws_hk_glyph_forms() -> None:
    """於 次 廣 公 (handbook characters) have other forms in Noto Sans HK than in TC: hant-hk draws HK's."""
    tw_fonts = _layout("hant-tw", "字")[2]
    for ch in "於次廣公":
        img, runs, fonts = _layout("hant-hk", ch + "字")
        g = next(r for r in runs if ch in r.text)
        em = _em(img, g, g.text.index(ch))
        assert fonts.path("sans").name == "NotoSansHK-Regular.ttf"
        hk = _reference(fonts.path("sans"), ch, g.size, g.ascent, em)
        tc = _reference(tw_fonts.path("sans"), ch, g.size, g.ascent, em)
        d_hk, d_tc = _ink_diff(em, hk), _ink_diff(em, tc)
        assert d_hk * 4 < d_tc, (ch, d_hk, d_tc)


@pytest.mark.parametrize("mark", ["，", "。"])
def test_full_width_marks_centred_for_taiwan(mark: str) -> None:
    def centre(script: str) -> float:
        img, runs, _ = _layout(script, f"一{mark}二三")
        g = next(r for r in runs if mark in r.text)
        i = g.text.index(mark)
        em = _em(img, g, i)
        box = em.point(lambda v: 255 if v < 128 else 0).getbbox()
        assert box is not None
        assert round(g.xs[i + 1] - g.xs[i]) == round(g.size)  # a whole em: nothing compressed
        return (box[0] + box[2]) / 2 / g.size

    assert 0.4 < centre("hant-tw") < 0.6
    assert 0.4 < centre("hant-hk") < 0.6
    assert centre("hans") < 0.35  # the mainland form sits at the left


def test_hant_tw_handbook_pdf_extracts_traditional(tmp_path: Path) -> None:
    import pypdf

    doc = tushuo.load(EXAMPLES / "election-handbook.yaml")
    (pdf,) = tushuo.render(doc, tmp_path / "h.pdf", page_size="pocket", script="hant-tw")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    assert "村（社區）「兩委」換屆選舉掌上手冊" in text
    assert "目　錄" in text or "目 錄" in text or "目錄" in text
    assert "候選人資格審查是否通過？" in text and "选举" not in text and "“" not in text


@pytest.mark.parametrize("script", ["hant", "hant-tw", "hant-hk"])
def test_traditional_bulletin_reads_its_workbook_and_highlights(script: str, tmp_path: Path) -> None:
    """A bulletin whose charts read an Excel workbook renders in Traditional: the sheet is still
    found by its name as written (各乡镇完成率, not 各鄉鎮完成率), the highlighted township is the
    converted label (馬寨鄉), and the PNG's description and the companion say so in that script."""
    doc = tushuo.load(EXAMPLES / "progress-bulletin.yaml")
    outs = tushuo.render(doc, tmp_path / "b.png", script=script, describe=True)
    with Image.open(tmp_path / "b.png") as im:
        assert im.width == 1080
        assert "馬寨鄉" in im.text["Description"] and "马寨乡" not in im.text["Description"]
    companion = next(p for p in outs if p.suffix == ".md").read_text(encoding="utf-8")
    assert "突出顯示：馬寨鄉" in companion
    converted = apply_script(doc, script)
    chart = converted.blocks[2]
    assert chart.sheet == "各乡镇完成率" and chart.highlight == "馬寨鄉"
