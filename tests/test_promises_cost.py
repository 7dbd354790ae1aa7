"""Issue #14, the cost findings left by test_promises: chart data past what a chart can draw
(finding 10), a tall flowchart painted as PNG (9), located errors after an escaped surrogate
pair (16). Costly reproductions run in a bounded child (test_promises.bounded)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image as PILImage
from test_promises import bounded

from tushuo.cli import main
from tushuo.spec.blocks import MAX_CATEGORIES


def _chart_csv(d: Path, rows: int, kind: str) -> Path:
    with open(d / "d.csv", "w", encoding="utf-8") as fh:
        fh.write("name,v\n")
        fh.writelines(f"L{i},{i % 97 + 1}\n" for i in range(rows))
    spec = d / "s.yaml"
    spec.write_text(f"title: t\nblocks:\n  - type: chart\n    kind: {kind}\n    title: c\n    data_file: d.csv\n",
                    encoding="utf-8")
    return spec


def _inline_pie(path: Path, values: list[int]) -> Path:
    """A pie chart with its labels and values in the spec (L0, L1 …)."""
    path.write_text("title: t\nblocks:\n  - type: chart\n    kind: pie\n"
                    f"    labels: {json.dumps([f'L{i}' for i in range(len(values))])}\n"
                    f"    series: [{{values: {json.dumps(values)}}}]\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["bar", "hbar", "line", "pie", "progress"])
def test_f10_chart_data_past_the_cap_is_refused_at_its_row(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           kind: str) -> None:
    cap = MAX_CATEGORIES[kind]
    _chart_csv(tmp_path, cap + 1, kind)
    spec, out = str(tmp_path / "s.yaml"), str(tmp_path / "out.png")
    for cmd in (["check", spec], ["render", spec, "-o", out]):
        assert main(cmd) == 2
        err = capsys.readouterr().err
        # the spec's field, then the CSV line of the first row past the cap (header is line 1)
        assert f"s.yaml:6:16: blocks[0].data_file: d.csv:{cap + 2}: {cap + 1} categories are too many for a {kind} chart" in err
        assert "Traceback" not in err
    assert not (tmp_path / "out.png").exists()


def test_f10_chart_at_the_cap_renders_and_inline_labels_are_capped(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _chart_csv(tmp_path, MAX_CATEGORIES["bar"], "bar")
    assert main(["render", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "out.png")]) == 0
    capsys.readouterr()
    n = MAX_CATEGORIES["pie"] + 1
    spec = _inline_pie(tmp_path / "i.yaml", [1] * n)
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"i.yaml:5:13: blocks[0].labels: {n} categories are too many for a pie chart" in err


def test_f10_warnings_and_messages_stay_one_short_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _chart_csv(tmp_path, MAX_CATEGORIES["pie"], "pie")  # every slice under 2.5 %: all merged into 其他
    assert main(["render", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "out.png")]) == 0
    err = capsys.readouterr().err
    assert "small slices merged into 其他: L0、L1、L2、L3、L4、L5……（共 100 项）" in err
    assert max(len(line) for line in err.splitlines()) < 300
    spec = _inline_pie(tmp_path / "neg.yaml", [-1] * MAX_CATEGORIES["pie"])
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "non-negative values: L0 = -1, L1 = -1, L2 = -1, L3 = -1, L4 = -1, L5 = -1 and 94 more" in err
    assert max(len(line) for line in err.splitlines()) < 300


@pytest.mark.parametrize("kind,rows", [("pie", 1_000_000), ("bar", 100_000), ("pie", 5_242_877)])
def test_f10_a_huge_csv_is_refused_within_budget(tmp_path: Path, kind: str, rows: int) -> None:
    """The issue's 1,000,000-row pie (a 9.8 MB warning) and 100,000-row bar (4 minutes), and a
    20 MB file of 5 million tiny rows (the most the gate lets in: 27 s and 1.55 GB while every
    row was parsed before the count was checked). Rows past the cap are counted, not parsed."""
    if rows > 1_000_000:
        (tmp_path / "d.csv").write_text("n,v\n" + "a,1\n" * rows, encoding="utf-8")  # 20 MB
        (tmp_path / "s.yaml").write_text(f"title: t\nblocks:\n  - type: chart\n    kind: {kind}\n    title: c\n"
                                         "    data_file: d.csv\n", encoding="utf-8")
    else:
        _chart_csv(tmp_path, rows, kind)
    rc, err, rss = bounded(["render", "s.yaml", "-o", "out.png"], tmp_path, timeout=120, cpu=10)
    assert rc == 2, (rc, err)
    assert (f"s.yaml:6:16: blocks[0].data_file: d.csv:{MAX_CATEGORIES[kind] + 2}: {rows} categories are too many "
            f"for a {kind} chart") in err
    assert len(err) < 500 and rss < 512, (len(err), rss)
    assert not (tmp_path / "out.png").exists()


@pytest.mark.parametrize("block", ["table", "stats"])
def test_f10_a_huge_csv_table_is_refused_at_the_cell_budget(tmp_path: Path, block: str) -> None:
    """The same 20 MB file for a table or stats block (which take any text, so no chart cap).
    Before: over 4 GB and minutes, every row turned into located cells first."""
    (tmp_path / "d.csv").write_text("n,v\n" + "a,1\n" * 5_242_877, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(f"title: t\nblocks:\n  - type: {block}\n    data_file: d.csv\n",
                                     encoding="utf-8")
    rc, err, rss = bounded(["render", "s.yaml", "-o", "out.png"], tmp_path, timeout=120, cpu=10)
    assert rc == 2, (rc, err)
    assert err.startswith("s.yaml:4:16: blocks[0].data_file: d.csv:50001: too many cells: more than 100,000 values"), err
    assert rss < 512, rss


def test_f10_a_table_under_the_cell_budget_but_too_tall_is_refused_before_it_is_laid_out(tmp_path: Path) -> None:
    """49,999 two-column rows pass the value budget but are taller than the tallest document:
    before, every cell was measured first (11.5 CPU s) to learn that."""
    (tmp_path / "d.csv").write_text("n,v\n" + "a,1\n" * 49_999, encoding="utf-8")
    (tmp_path / "s.yaml").write_text("title: t\nblocks:\n  - type: table\n    data_file: d.csv\n", encoding="utf-8")
    rc, err, rss = bounded(["render", "s.yaml", "-o", "out.png"], tmp_path, timeout=120, cpu=10)
    assert rc == 2, (rc, err)
    assert err.startswith("s.yaml:4:16: blocks[0].data_file: 49,999 rows make the table at least "), err
    assert "more than the 1,000,000 px tushuo lays out at once" in err and rss < 512, (err, rss)
    assert not (tmp_path / "out.png").exists()


def test_f10_rows_past_the_cap_are_counted_not_read() -> None:
    from tushuo.data import parse_table

    text = "类别,人数\n" + "".join(f"L{i},{i}\n" for i in range(150)) + "\n,,\nX,oops\n\n"
    t = parse_table(text, "t.csv", limit=100)
    # 101 rows read (the first past the cap is named); the rest counted, the bad number never parsed
    assert len(t.labels) == 101 and t.rows[100] == 102 and t.more == 50
    assert len(parse_table(text.replace("X,oops", "X,1"), "t.csv").labels) == 151


# --------------------------------------------------------------------------- finding 9
def test_f09_a_band_rasterises_only_the_dashes_that_cross_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: every 32-row strip of every band drew every dash of a tall line (50 loop-back items: 10.8 s)."""
    from tushuo.layout.frame import Frame, Line
    from tushuo.paint import coverage, raster

    coverage.coverage_cache().clear()
    drawn: list[int] = []
    real = coverage.Shape._raster

    def counting(self, c0, r0, c1, r1, prims):
        drawn.append(len(prims))
        return real(self, c0, r0, c1, r1, prims)

    monkeypatch.setattr(coverage.Shape, "_raster", counting)
    walks: list[int] = []
    real_dash = coverage.dash

    def dashing(lines, pattern, scale):
        walks.append(sum(len(ln) for ln in lines))
        return real_dash(lines, pattern, scale)

    monkeypatch.setattr(coverage, "dash", dashing)
    tall = Frame(width=200, height=20_000)
    tall.add(Line(((100, 10), (100, 19_990), (20, 19_990)), color="#336699", width=2, dash=(6, 4), arrow_end=True))
    painter = raster.Painter(tall)
    bands = [painter.paint(top, min(top + 512, 20_000)) for top in range(0, 20_000, 512)]
    dashes = 20_060 // 10  # 6 px on, 4 px off
    # each dash is a polygon and two round caps, drawn in the one or two strips it crosses
    assert sum(drawn) < 3 * 2 * dashes * 1.2, (sum(drawn), len(drawn))
    # the line is dashed once for all 40 bands (before: each band re-walked it from its start)
    assert walks == [3], walks  # one walk of the three-point shaft
    whole = PILImage.new("RGB", (200, 20_000))
    y = 0
    for b in bands:
        whole.paste(b, (0, y))
        y += b.height
    coverage.coverage_cache().clear()
    assert whole.tobytes() == raster.paint(tall).tobytes()  # bands still stitch to the full paint


def test_f09_tall_flowchart_png_within_budget(tmp_path: Path) -> None:
    """100 steps, every second one looping back to the first: 50 dashed arrows up to 76,000 px
    long. Before: 3 min 22 s (the issue), then 27–49 s with every band re-dashing every arrow
    from its start; now ~5 CPU seconds. Bounded at 10 CPU seconds and 1 GB."""
    n = 100
    items = []
    for i in range(1, n + 1):
        if i % 2 == 0:
            items.append(f"      - id: s{i}\n        kind: decision\n        title: 第{i}步是否通过？\n        next:\n"
                         f"          - {{to: s{i + 1 if i < n else 1}, label: 是}}\n"
                         "          - {to: s1, label: 否，重新开始}")
        else:
            items.append(f"      - {{id: s{i}, title: 第{i}步办理事项, desc: 说明文字}}")
    (tmp_path / "f.yaml").write_text("title: 流程\nblocks:\n  - type: steps\n    title: 长流程\n    items:\n"
                                     + "\n".join(items) + "\n", encoding="utf-8")
    rc, err, rss = bounded(["render", "f.yaml", "-o", "f.png"], tmp_path, timeout=240, cpu=10)
    assert rc == 0, (rc, err)  # -24: SIGXCPU, more than 10 CPU seconds
    assert rss < 1024
    with PILImage.open(tmp_path / "f.png") as im:
        assert im.width == 1080 and im.height > 50_000


# --------------------------------------------------------------------------- finding 11
def flat_png(path: Path, w: int, h: int, kind: str, value: int = 0) -> None:
    """A one-colour PNG written a row at a time (never held decoded): ``kind`` "1" (1-bit grey,
    ``value`` 0 or 1), "L" (grey) or "P" (palette: index ``value`` of red, blue, white)."""
    import struct
    import zlib

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    if kind == "1":
        depth, colour, row = 1, 0, bytes([255 * value]) * -(-w // 8)
    else:
        depth, colour, row = 8, 3 if kind == "P" else 0, bytes([value]) * w
    z = zlib.compressobj(9)
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0)))
        if kind == "P":
            fh.write(chunk(b"PLTE", bytes([200, 40, 40, 30, 90, 200, 255, 255, 255])))
        line = b"\0" + row
        rows = max(1, (1 << 20) // len(line))
        parts = [z.compress(line * min(rows, h - y)) for y in range(0, h, rows)]
        fh.write(chunk(b"IDAT", b"".join(parts) + z.flush()) + chunk(b"IEND", b""))


def _card_grid(d: Path, names: list[str]) -> None:
    items = "".join(f"      - {{title: 卡片{i + 1}, desc: 说明, image: {n}}}\n" for i, n in enumerate(names))
    (d / "s.yaml").write_text(f"title: 图片\nblocks:\n  - type: cards\n    layout: grid\n    items:\n{items}",
                              encoding="utf-8")


@pytest.mark.parametrize("kind", ["1", "P"])
def test_f11_sixteen_big_pictures_are_refused_before_any_is_decoded(tmp_path: Path, kind: str) -> None:
    """16 blank 7,700 x 7,700 pictures (59 megapixels each, a few KB on disk) in a card grid.
    Before: 1.31 GB (four decoded and converted to RGB at full size, then the fifth refused)."""
    flat_png(tmp_path / "p1.png", 7_700, 7_700, kind)
    for i in range(2, 17):
        (tmp_path / f"p{i}.png").write_bytes((tmp_path / "p1.png").read_bytes())
    _card_grid(tmp_path, [f"p{i}.png" for i in range(1, 17)])
    rc, err, rss = bounded(["render", "s.yaml", "-o", "out.png"], tmp_path, cpu=10)
    assert rc == 2, (rc, err)
    assert err.startswith("s.yaml:10:39: blocks[0].items[4].image: pictures too large in total: with p5.png the "
                          "document's pictures hold 296 megapixels (at most 240)"), err
    assert rss < 256, rss  # refused from the headers: nothing decoded
    assert not (tmp_path / "out.png").exists()


def test_f11_big_palette_and_one_bit_pictures_render_at_drawn_size(tmp_path: Path) -> None:
    """Four 7,700 x 7,700 pictures under the document's budget (palette red, palette blue, 1-bit
    black, grey): each is shrunk while decoding, a strip of rows at a time. Before: 1.98 GB
    (palette and 1-bit pictures could not be reduced and were converted whole to RGB)."""
    flat_png(tmp_path / "red.png", 7_700, 7_700, "P", 0)
    flat_png(tmp_path / "blue.png", 7_700, 7_700, "P", 1)
    flat_png(tmp_path / "black.png", 7_700, 7_700, "1", 0)
    flat_png(tmp_path / "grey.png", 7_700, 7_700, "L", 128)
    _card_grid(tmp_path, ["red.png", "blue.png", "black.png", "grey.png"])
    rc, err, rss = bounded(["render", "s.yaml", "-o", "out.png"], tmp_path, cpu=10)
    assert rc == 0, (rc, err)
    assert rss < 512, rss
    with PILImage.open(tmp_path / "out.png") as im:
        colours = {c for n, c in im.convert("RGB").getcolors(1 << 20) if n > 40_000}  # a picture is ~400 x 230 px
    assert {(200, 40, 40), (30, 90, 200), (0, 0, 0), (128, 128, 128)} <= colours, colours


@pytest.mark.parametrize("mode", ["1", "P", "PA", "I;16"])
def test_f11_reducing_a_strip_at_a_time_equals_converting_the_whole(mode: str) -> None:
    """The strips' rows are a multiple of the factor, so the seams are invisible: the same pixels as
    converting the whole picture to colours and reducing that."""
    import random

    from tushuo import assets

    w, h, factor = 301, 700, 3  # 700 rows: strips of 255, 255 and 190 (a partial box at the end)
    rnd = random.Random(5)
    im = PILImage.new(mode, (w, h))
    im.putdata([rnd.randrange(2 if mode == "1" else 65536 if mode == "I;16" else 256) for _ in range(w * h)])
    if mode.startswith("P"):
        im.putpalette([rnd.randrange(256) for _ in range(768)])
        if mode == "PA":
            im.putalpha(PILImage.new("L", (w, h), 77))
    whole = assets._colours(im)
    got = assets._reduce(im, factor)
    assert got.mode == whole.mode and got.size == (101, 234)
    assert got.tobytes() == whole.reduce(factor).tobytes()


def test_f11_a_picture_one_pixel_wide_is_refused_from_its_header(tmp_path: Path) -> None:
    """1 x 50,000,000 (a 100 KB file). Before: 1.5 GB and 35 s, then refused for its height."""
    flat_png(tmp_path / "thin.png", 1, 50_000_000, "L", 255)
    (tmp_path / "s.yaml").write_text("title: t\nblocks:\n  - type: image\n    src: thin.png\n", encoding="utf-8")
    rc, err, rss = bounded(["render", "s.yaml", "-o", "out.png"], tmp_path, cpu=10)
    assert rc == 2, (rc, err)
    assert err.startswith("s.yaml:4:10: blocks[0].src: image has an impossible shape: 1 x 50000000 px"), err
    assert rss < 256, rss


# --------------------------------------------------------------------------- finding 16
@pytest.mark.parametrize("pair", ["\\ud83d\\ude00", "\\uD83D\\uDE00"])
def test_f16_an_escaped_surrogate_pair_keeps_every_location(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            pair: str) -> None:
    """Before: ``s.json: blocks[0].type: …`` with no line or column once a pair appeared anywhere."""
    spec = tmp_path / "s.json"
    spec.write_text('{"title": "t ' + pair + '", "blocks": [{"type": "text", "text": "x"}],\n'
                    ' "extra": "\\\\ud83d \\\\ude00 ' + pair + '", "bogus": 1}\n', encoding="utf-8")
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err
    # the same columns as the file shows (the pair is 12 characters there)
    assert "s.json:1:49: blocks[0].type: unknown block type 'text'" in err
    from tushuo.loader import load

    spec.write_text('{"title": "t ' + pair + '", "blocks": [{"type": "paragraph", "text": "\\\\ud83d' + pair + '"}]}\n',
                    encoding="utf-8")
    doc = load(str(spec))
    assert doc.title == "t \U0001f600" and doc.blocks[0].text == "\\ud83d\U0001f600"
