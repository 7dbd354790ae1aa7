"""PNG baselines: one small document per simple block kind (and charts, QR grids), 540 px wide, painted by the Pillow painter.

A failure writes the actual image and a diff to tests/_failures/. After an intended
change, look at those, then refresh with ``TUSHUO_UPDATE_BASELINES=1 pytest tests/test_baselines.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from baseline import assert_matches_baseline

import tushuo
from tushuo.inputs import layout_document
from tushuo.paint.raster import paint

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PHOTO = str(EXAMPLES / "photos" / "g-village.jpg")
PORTRAIT = str(EXAMPLES / "photos" / "g-portrait.jpg")
PARA = "为切实做好村（社区）“两委”换届工作，区委组织部对**选举程序**、资格审查等环节逐项部署，确保==依法依规==进行。"

CASES: dict[str, dict] = {
    "banner": {"blocks": [{"type": "banner", "title": "村（社区）“两委”换届工作提示", "subtitle": "图说组工 · 第11期",
                           "badge": "第11期"}]},
    "banner-image-left": {"theme": "gov-blue", "blocks": [
        {"type": "banner", "title": "选民登记须知", "subtitle": "颍州区换届选举委员会", "badge": "政务提示",
         "image": PHOTO, "align": "left"}]},
    "heading": {"blocks": [
        {"type": "heading", "text": "总体要求", "number": True},
        {"type": "heading", "text": "二级标题", "level": 2},
        {"type": "heading", "text": "三级标题", "level": 3}]},
    "paragraph": {"blocks": [{"type": "paragraph", "text": PARA},
                             {"type": "paragraph", "text": "居中的一段话。", "align": "center", "indent": False}]},
    "section": {"blocks": [{"type": "section", "title": "换届前的准备", "blocks": [
        {"type": "heading", "text": "摸清底数", "level": 2, "number": True},
        {"type": "paragraph", "text": "逐村分析班子运行情况。"}]}]},
    "image": {"blocks": [{"type": "image", "src": PHOTO, "caption": "美丽乡村（示意图）", "fit": "cover"}]},
    "quote": {"blocks": [{"type": "quote", "text": "我志愿加入中国共产党，拥护党的纲领，遵守党的章程。", "author": "李明",
                          "role": "村党支部书记", "image": PORTRAIT}]},
    "callout": {"blocks": [{"type": "callout", "tone": tone, "title": title, "text": "对拉票贿选等问题，发现一起、查处一起。"}
                           for tone, title in (("info", "提示"), ("tip", None), ("warning", "注意"), ("danger", None))]},
    "checklist": {"blocks": [{"type": "checklist", "title": "十不选", "items": [
        "政治素质好，坚决拥护党的领导", {"text": "有“村霸”问题的人员", "checked": False}]}]},
    "table": {"blocks": [{"type": "table", "title": "选举日议程", "header": ["时间", "议程", "负责人"], "rows": [
        ["8:00", "选民凭证进入会场，核对选民证", "选举委员会"], ["9:00", "投票", "监票人"], ["11:00", "唱票、计票", "计票人"]]}]},
    "qrcode": {"blocks": [{"type": "qrcode", "data": "https://example.org/yingzhou", "caption": "长按识别二维码", "size": 360}]},
    "divider": {"blocks": [{"type": "divider", "style": s} for s in ("line", "dots", "ornament")]},
    "spacer": {"blocks": [{"type": "divider", "style": "line"}, {"type": "spacer", "height": 120},
                          {"type": "divider", "style": "line"}]},
    "footer": {"blocks": [{"type": "paragraph", "text": "正文。"}],
               "footer": {"text": "颍州区委组织部 出品", "note": "长按识别二维码关注", "qrcode": "https://example.org/f"}},
    "chart-bar": {"blocks": [{"type": "chart", "kind": "bar", "title": "各乡镇完成情况", "unit": "个",
                              "labels": ["清河街道", "文峰街道", "颍西街道", "西湖镇"], "highlight": "颍西街道",
                              "series": [{"name": "已完成", "values": [12, 9, 15, 7]}]}]},
    "chart-donut": {"blocks": [{"type": "chart", "kind": "donut", "title": "年龄结构", "unit": "人",
                                "labels": ["35岁及以下", "36—45岁", "46岁及以上"],
                                "series": [{"values": [186, 312, 305]}]}]},
    "qrcodes": {"blocks": [{"type": "qrcodes", "columns": 2, "items": [
        {"data": "https://example.org/a", "caption": "颍州先锋"}, {"data": "https://example.org/b", "caption": "阜阳先锋网"}]}]},
    "theme-ink": {"theme": "ink", "blocks": [
        {"type": "heading", "text": "水墨主题", "number": True},
        {"type": "checklist", "items": ["合格", {"text": "不合格", "checked": False}]},
        {"type": "callout", "tone": "warning", "text": "黑白打印也能分清。"}]},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_block_baseline(name: str) -> None:
    doc = tushuo.load({"title": name, **CASES[name]}, roots=(EXAMPLES,))
    frame = layout_document(doc, width=540)
    assert_matches_baseline(paint(frame, fonts=frame.fonts), name)
