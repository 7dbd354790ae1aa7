"""A user's script, as the docs show it: type-checked with ``mypy --strict`` by tests/test_python_api.py."""

from __future__ import annotations

import io

import tushuo
from tushuo import BannerBlock, ChartBlock, Document, ParagraphBlock, Series, StatItem, StatsBlock

counts: dict[str, int] = {"清河街道": 12, "文峰街道": 9, "颍西街道": 15}

doc = Document(
    title="图说组工",
    blocks=[
        BannerBlock(title="图说组工", badge="第3期"),
        StatsBlock(items=[StatItem(label="已完成换届村（社区）", value=sum(counts.values()), unit="个")]),
        ChartBlock(kind="bar", labels=list(counts), series=[Series(name="已完成", values=[float(v) for v in counts.values()])]),
        ParagraphBlock(text="截至12月10日，==36个==村（社区）完成换届。"),
    ],
)
png: bytes | list[bytes] = tushuo.render_bytes(doc, format="png")
buf = io.BytesIO()
written: list[object] = list(tushuo.render(doc, buf, format="pdf"))
pages = tushuo.render_pages(doc, "A6")
first_width: int = pages[0].width
text: str = doc.to_yaml()
tushuo.dump(doc, io.StringIO())
again: Document = tushuo.load(text)
same: bool = again == doc
