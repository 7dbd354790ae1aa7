"""Determinism: the same spec gives byte-identical PNG, PDF and SVG files, every time, in any process.

A WeChat editor re-uploads only what changed and ``tushuo batch`` skips unchanged
outputs, so a render must not depend on warm caches, dict or set order (hash seeds),
the clock, or which process drew it. The sample spec touches every cache: glyph masks,
fonts, decoded pictures, QR codes.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tushuo.api import load, render

ROOT = Path(__file__).resolve().parent.parent

SAMPLE = """\
title: 确定性样张
subtitle: 同一份文件，每次都画出同样的字节
width: 540
meta: {author: 颍州区委组织部, date: 2026-11-26, account: 颍州先锋, issue: 3}
blocks:
  - {type: banner, title: 图说换届, subtitle: 村（社区）“两委”换届 · 第1期, badge: 第3期}
  - type: steps
    title: 投票流程
    items:
      - {id: s1, title: 选民登记, desc: 选举日前20日公布选民名单, tag: 选举日前}
      - id: d1
        kind: decision
        title: 参加投票的选民是否过半数？
        next: [{to: s3, label: 是}, {to: s1, label: 否，重新组织}]
      - {id: s3, title: 公开唱票、计票, icon: vote}
  - type: comparison
    columns: [{label: 合格站点, tone: positive}, {label: 不合格站点, tone: negative}]
    rows:
      - aspect: 设备
        cells: [{text: 设备齐全，运行正常, image: photo.png}, 设备缺失或长期故障]
  - type: stats
    items:
      - {label: 完成换届村（社区）, value: 126, unit: 个, delta: "+18", icon: flag}
      - {label: 换届完成率, value: 98.4, unit: "%", delta: "+14.1%"}
  - type: chart
    kind: bar
    title: 各乡镇（街道）完成情况
    labels: [清河街道, 文峰街道, 颍西街道, 西湖镇]
    series: [{name: 已完成, values: [12, 9, 15, 22]}, {name: 未完成, values: [1, 3, 0, 2]}]
    unit: 个
    highlight: 颍西街道
  - type: chart
    kind: donut
    labels: [党员, 群众]
    series: [{values: [62, 38]}]
  - type: paragraph
    text: 11月，全区**126个**村（社区）完成换届，新一届班子==“一降一升”==。English words, 98.5% and 2026年 break well.
  - {type: qrcode, data: "https://example.org/follow", caption: 长按识别二维码}
footer: {text: 颍州区委组织部 出品, note: 长按识别二维码关注}
"""


def write_sample(folder: Path) -> Path:
    """The sample spec and its photo in ``folder`` (the photo is drawn, not random, so it is the same every time)."""
    im = Image.linear_gradient("L").resize((320, 200)).convert("RGB")
    stripes = Image.linear_gradient("L").rotate(90).resize((320, 200))
    im = Image.merge("RGB", (im.getchannel(0), stripes, Image.new("L", (320, 200), 140)))
    im.save(folder / "photo.png")
    spec = folder / "sample.yaml"
    spec.write_text(SAMPLE, encoding="utf-8")
    return spec


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


FORMATS = ("png", "pdf", "svg", "jpg")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample(tmp_path_factory.mktemp("determinism"))


@pytest.fixture(scope="module")
def first(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Digests of the first in-process render of each format."""
    out = tmp_path_factory.mktemp("first")
    doc = load(str(sample))
    return {fmt: digest(render(doc, out / f"sample.{fmt}")[0]) for fmt in FORMATS}


def test_repeated_renders_in_one_process_are_identical(sample: Path, first: dict[str, str], tmp_path: Path) -> None:
    """Warm caches (glyphs, pictures) change nothing; nor does loading the spec again."""
    for round_ in range(2):
        doc = load(str(sample))
        for fmt in FORMATS:
            path = render(doc, tmp_path / f"{round_}.{fmt}")[0]
            assert digest(path) == first[fmt], f"{fmt} differs on render {round_ + 2}"


def test_pdf_has_fixed_dates_and_id(first: dict[str, str], sample: Path, tmp_path: Path) -> None:
    """A PDF carries no render time: the document date comes from meta.date, and the file id from the content."""
    from pypdf import PdfReader

    path = render(load(str(sample)), tmp_path / "s.pdf")[0]
    info = PdfReader(path).metadata
    assert info is not None
    assert "20261126" in str(info.get("/CreationDate", "")), info


_CHILD = """
import hashlib, json, sys
from pathlib import Path
from tushuo.api import load, render
spec, out = sys.argv[1], Path(sys.argv[2])
doc = load(spec)
print(json.dumps({f: hashlib.sha256(render(doc, out / f"c.{f}")[0].read_bytes()).hexdigest() for f in sys.argv[3:]}))
"""


@pytest.mark.parametrize("hashseed", ["1", "4242"])
def test_another_process_with_another_hash_seed_draws_the_same_bytes(
    hashseed: str, sample: Path, first: dict[str, str], tmp_path: Path
) -> None:
    """A fresh interpreter (cold caches, a different PYTHONHASHSEED, so set and dict orders differ) agrees."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED=hashseed, TUSHUO_DEBUG="")
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(sample), str(tmp_path), *FORMATS],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    for fmt in FORMATS:
        assert got[fmt] == first[fmt], f"{fmt} from a process with PYTHONHASHSEED={hashseed} differs"
