"""Draw the example photos (simple scenes with Pillow), so the examples carry no third-party pictures.

Run from the repository root: ``python3 examples/photos/make_photos.py``. Each JPEG stays under 60 KB.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).parent
FONT = HERE.parent.parent / "fonts" / "NotoSansSC-Bold.ttf"
W, H = 640, 480


def _font(size: int):
    try:
        return ImageFont.truetype(str(FONT), size)
    except OSError:
        return ImageFont.load_default()


def _room(d: ImageDraw.ImageDraw, wall: str, floor: str) -> None:
    d.rectangle((0, 0, W, 330), fill=wall)
    d.polygon([(0, 330), (W, 330), (W, H), (0, H)], fill=floor)
    for x in range(-200, W + 200, 70):  # floor tiles in perspective
        d.line([(W / 2 + (x - W / 2) * 0.45, 330), (x, H)], fill="#00000018", width=2)
    d.line([(0, 330), (W, 330)], fill="#00000030", width=3)


def _chairs(d: ImageDraw.ImageDraw, color: str, y0: int, rng: random.Random, messy: bool = False) -> None:
    for row in range(2):
        for k in range(6):
            x = 80 + k * 85 + row * 20
            y = y0 + row * 55
            if messy and rng.random() < 0.4:
                d.polygon([(x, y + 30), (x + 50, y + 10), (x + 58, y + 25), (x + 8, y + 45)], fill=color)
                continue
            d.rectangle((x, y, x + 46, y + 12), fill=color)
            d.rectangle((x + 4, y - 30, x + 42, y), fill=color)
            d.line([(x + 4, y + 12), (x + 2, y + 40)], fill=color, width=4)
            d.line([(x + 42, y + 12), (x + 44, y + 40)], fill=color, width=4)


def station_good() -> Image.Image:
    im = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(im, "RGBA")
    _room(d, "#F4EEE2", "#C9B99A")
    d.rectangle((150, 30, 490, 78), fill="#B7181E")
    d.text((320, 54), "党员远程教育站点", font=_font(28), fill="#FFE8A8", anchor="mm")
    d.rectangle((200, 100, 440, 235), fill="#222222")  # television
    d.rectangle((210, 110, 430, 225), fill="#2F6DB5")
    d.rectangle((235, 130, 300, 175), fill="#D62828")
    d.text((360, 200), "学习课堂", font=_font(22), fill="#FFFFFF", anchor="mm")
    d.rectangle((500, 190, 600, 262), fill="#333333")  # computer
    d.rectangle((506, 196, 594, 250), fill="#8EC5FF")
    d.rectangle((540, 262, 560, 285), fill="#444444")
    d.rectangle((470, 285, 630, 300), fill="#8A5A3C")
    d.rectangle((30, 150, 120, 300), fill="#FFFFFF", outline="#B7181E", width=4)  # rules board
    for k in range(6):
        d.line([(42, 175 + k * 20), (108, 175 + k * 20)], fill="#999999", width=3)
    _chairs(d, "#3E6FA8", 360, random.Random(1))
    return im


def station_bad() -> Image.Image:
    rng = random.Random(7)
    im = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(im, "RGBA")
    _room(d, "#B9B2A6", "#8C8272")
    d.rectangle((200, 100, 440, 235), fill="#1A1A1A")  # dead television, cracked
    d.rectangle((210, 110, 430, 225), fill="#2B2B2B")
    for _ in range(5):
        x, y = 320 + rng.randint(-20, 20), 165 + rng.randint(-10, 10)
        d.line([(x, y), (x + rng.randint(-110, 110), y + rng.randint(-55, 55))], fill="#777777", width=2)
    d.rectangle((30, 150, 120, 300), fill="#D8D2C4")  # empty board
    for _ in range(9):  # boxes and clutter
        x, y = rng.randint(20, 580), rng.randint(250, 330)
        w, h = rng.randint(40, 90), rng.randint(30, 70)
        d.rectangle((x, y, x + w, y + h), fill=rng.choice(["#A0794F", "#8B6B47", "#6F5A43"]), outline="#4A3B2C")
    _chairs(d, "#5A5A5A", 370, rng, messy=True)
    for _ in range(220):  # dust
        x, y = rng.randint(0, W), rng.randint(0, H)
        d.point((x, y), fill="#00000040")
    return im.filter(ImageFilter.GaussianBlur(0.6))


def ledger_good() -> Image.Image:
    im = Image.new("RGB", (W, H), "#EFE6D6")
    d = ImageDraw.Draw(im)
    d.rectangle((40, 40, 600, 440), fill="#8A5A3C")
    colors = ["#B7181E", "#2F6DB5", "#1E7B3A", "#C9A227"]
    for shelf in range(3):
        y = 60 + shelf * 128
        d.rectangle((50, y + 112, 590, y + 122), fill="#6B4329")
        for k in range(10):
            x = 62 + k * 52
            d.rectangle((x, y, x + 44, y + 110), fill=colors[(k + shelf) % 4])
            d.rectangle((x + 8, y + 16, x + 36, y + 60), fill="#FFFFFF")
            d.text((x + 22, y + 38), str(2020 + (k % 6)), font=_font(11), fill="#333333", anchor="mm")
    return im


def ledger_bad() -> Image.Image:
    rng = random.Random(3)
    im = Image.new("RGB", (W, H), "#9C8E78")
    d = ImageDraw.Draw(im, "RGBA")
    for _ in range(28):
        cx, cy = rng.randint(40, 600), rng.randint(40, 440)
        w, h = rng.randint(70, 130), rng.randint(90, 150)
        pts = [(cx - w / 2, cy - h / 2), (cx + w / 2, cy - h / 2 + rng.randint(-15, 15)),
               (cx + w / 2, cy + h / 2), (cx - w / 2 + rng.randint(-15, 15), cy + h / 2)]
        d.polygon(pts, fill=rng.choice(["#F3F0E8", "#E8E1CF", "#DDD5C0"]), outline="#7A7060")
        for k in range(4):
            y = cy - h / 2 + 20 + k * 18
            d.line([(cx - w / 2 + 10, y), (cx + w / 2 - 14, y)], fill="#9A9080", width=2)
    return im.filter(ImageFilter.GaussianBlur(0.5))


def meeting() -> Image.Image:
    im = Image.new("RGB", (W, H), "#F2E9DA")
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, W, 90), fill="#B7181E")
    d.text((320, 45), "村（社区）“两委”换届工作部署会", font=_font(26), fill="#FFE8A8", anchor="mm")
    d.ellipse((120, 250, 520, 400), fill="#8A5A3C")
    rng = random.Random(5)
    for k in range(10):
        import math

        a = math.pi * 2 * k / 10
        x, y = 320 + 250 * math.cos(a), 325 + 110 * math.sin(a)
        d.ellipse((x - 20, y - 62, x + 20, y - 22), fill="#2A2A2A")
        d.rounded_rectangle((x - 30, y - 24, x + 30, y + 40), radius=14, fill=rng.choice(["#34495E", "#2C3E50", "#1F3A5F"]))
    for k in range(5):
        d.rectangle((220 + k * 45, 300, 250 + k * 45, 320), fill="#FFFFFF")
    return im


def training() -> Image.Image:
    im = Image.new("RGB", (W, H), "#E9EEF3")
    d = ImageDraw.Draw(im)
    d.rectangle((120, 40, 520, 250), fill="#FFFFFF", outline="#555555", width=4)
    d.rectangle((140, 60, 500, 95), fill="#B7181E")
    d.text((320, 78), "换届选举业务培训", font=_font(24), fill="#FFFFFF", anchor="mm")
    for k in range(5):
        d.line([(160, 120 + k * 24), (480 - (k % 2) * 80, 120 + k * 24)], fill="#888888", width=5)
    for row in range(3):
        for k in range(7):
            x, y = 60 + k * 80 + (row % 2) * 20, 300 + row * 60
            d.ellipse((x, y - 40, x + 34, y - 6), fill="#2A2A2A")
            d.rounded_rectangle((x - 8, y - 8, x + 42, y + 40), radius=12, fill="#3E5C76")
    return im


def village() -> Image.Image:
    im = Image.new("RGB", (W, H), "#CFE8F7")
    d = ImageDraw.Draw(im)
    d.ellipse((470, 40, 560, 130), fill="#FFD966")
    d.polygon([(0, 300), (160, 210), (330, 290), (480, 200), (640, 280), (640, 480), (0, 480)], fill="#7FB069")
    for k in range(8):
        d.line([(0, 360 + k * 16), (640, 330 + k * 22)], fill="#6A9A56", width=3)
    for k in range(5):
        x = 60 + k * 115
        d.rectangle((x, 250, x + 80, 320), fill="#F4F1EA", outline="#888888")
        d.polygon([(x - 10, 252), (x + 40, 212), (x + 90, 252)], fill="#8C2F2F")
        d.rectangle((x + 30, 285, x + 50, 320), fill="#6B4329")
    return im


def ballot() -> Image.Image:
    im = Image.new("RGB", (W, H), "#F6EFE3")
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, W, 70), fill="#B7181E")
    d.text((320, 35), "投票箱", font=_font(30), fill="#FFFFFF", anchor="mm")
    d.rectangle((200, 220, 440, 420), fill="#C62828", outline="#7A1010", width=4)
    d.rectangle((260, 215, 380, 228), fill="#3A0A0A")
    d.polygon([(285, 110), (355, 100), (370, 222), (300, 232)], fill="#FFFFFF", outline="#999999")
    d.line([(305, 150), (320, 165), (345, 130)], fill="#B7181E", width=6)
    d.text((320, 330), "选票", font=_font(40), fill="#FFE8A8", anchor="mm")
    return im


SCENES = {
    "station-good.jpg": station_good, "station-bad.jpg": station_bad,
    "ledger-good.jpg": ledger_good, "ledger-bad.jpg": ledger_bad,
    "meeting.jpg": meeting, "training.jpg": training, "village.jpg": village, "ballot.jpg": ballot,
}

if __name__ == "__main__":
    for name, draw in SCENES.items():
        path = HERE / name
        draw().save(path, quality=78, optimize=True)
        print(name, path.stat().st_size)
