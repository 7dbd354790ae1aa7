"""PNG baseline comparison for layout tests (in the manner of matplotlib's image_comparison).

``assert_matches_baseline(image, "heading")`` compares a rendered PIL image with
tests/baselines/heading.png. Two numbers must both stay small: the mean absolute
difference over all channels (0–255) and the fraction of pixels where any channel
differs by more than ``pixel_threshold``. On failure the actual image and a diff
image (differences amplified, on a dimmed copy of the reference) are written to
tests/_failures/ and the assertion message names them.

References are created, or replaced when they no longer match, only when the
environment has TUSHUO_UPDATE_BASELINES=1 (matching ones are left alone, so git shows
only real changes); a missing reference otherwise fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image, ImageChops, ImageOps

BASELINES = Path(__file__).parent / "baselines"
FAILURES = Path(__file__).parent / "_failures"
UPDATE_ENV = "TUSHUO_UPDATE_BASELINES"


def compare_images(actual: Image.Image, expected: Image.Image, pixel_threshold: int = 32) -> tuple[float, float]:
    """(mean absolute difference 0–255, fraction of pixels differing by more than ``pixel_threshold``)."""
    a = actual.convert("RGB")
    e = expected.convert("RGB")
    if a.size != e.size:
        return 255.0, 1.0
    diff = ImageChops.difference(a, e)
    hist = diff.histogram()  # 3 x 256 bins, one channel after another
    n = a.width * a.height
    mean = sum(i * c for ch in range(3) for i, c in enumerate(hist[ch * 256 : (ch + 1) * 256])) / (3 * n)
    over = sum(_max_channel(diff).histogram()[pixel_threshold + 1 :])
    return mean, over / n


def _max_channel(diff: Image.Image) -> Image.Image:
    r, g, b = diff.split()
    return ImageChops.lighter(ImageChops.lighter(r, g), b)


def diff_image(actual: Image.Image, expected: Image.Image) -> Image.Image:
    """The reference dimmed to grey with every difference drawn in red, amplified."""
    a = actual.convert("RGB")
    e = expected.convert("RGB")
    if a.size != e.size:
        w, h = max(a.width, e.width), max(a.height, e.height)
        canvas = Image.new("RGB", (w * 2 + 10, h), "#FF00FF")
        canvas.paste(e, (0, 0))
        canvas.paste(a, (w + 10, 0))
        return canvas
    mask = _max_channel(ImageChops.difference(a, e)).point(lambda v: min(255, v * 4))
    base = ImageOps.grayscale(e).point(lambda v: 150 + v * 100 // 255).convert("RGB")
    red = Image.new("RGB", a.size, (230, 0, 0))
    return Image.composite(red, base, mask)


def assert_matches_baseline(image: Image.Image, name: str, *, tolerance: float = 0.5,
                            max_fraction: float = 0.0005, pixel_threshold: int = 32) -> None:
    """Fail unless ``image`` matches tests/baselines/NAME.png within the tolerances.

    ``tolerance``: the largest mean absolute difference allowed (0–255 scale);
    ``max_fraction``: the largest share of pixels allowed to differ by more than
    ``pixel_threshold`` in some channel. Antialiasing noise (a different FreeType
    build) stays below the defaults; a moved line of text, a changed colour or a
    changed 24 px icon on a 540 x 330 image (about 0.15 % of the pixels) does not.
    """
    ref_path = BASELINES / f"{name}.png"
    image = image.convert("RGB")
    update = os.environ.get(UPDATE_ENV) == "1"
    if update and not ref_path.is_file():
        BASELINES.mkdir(parents=True, exist_ok=True)
        image.save(ref_path, optimize=True)
        return
    if not ref_path.is_file():
        _write_failure(image, None, name)
        raise AssertionError(
            f"no baseline {ref_path}; look at {FAILURES / (name + '-actual.png')} and, if it is right, "
            f"create it with {UPDATE_ENV}=1"
        )
    with Image.open(ref_path) as ref:
        expected = ref.convert("RGB")
    mean, frac = compare_images(image, expected, pixel_threshold)
    if image.size != expected.size or mean > tolerance or frac > max_fraction:
        if update:  # only references that really changed are rewritten (no churn in git)
            image.save(ref_path, optimize=True)
            return
        actual_path, diff_path = _write_failure(image, expected, name)
        raise AssertionError(
            f"{name}: image differs from {ref_path}: size {image.size} vs {expected.size}, "
            f"mean abs diff {mean:.3f} (allowed {tolerance}), differing pixels {frac:.4%} "
            f"(allowed {max_fraction:.2%}); actual: {actual_path}, diff: {diff_path}. "
            f"If the change is intended, look at them and rerun with {UPDATE_ENV}=1"
        )


def _write_failure(image: Image.Image, expected: Image.Image | None, name: str) -> tuple[Path, Path | None]:
    FAILURES.mkdir(parents=True, exist_ok=True)
    actual_path = FAILURES / f"{name}-actual.png"
    image.save(actual_path)
    if expected is None:
        return actual_path, None
    diff_path = FAILURES / f"{name}-diff.png"
    diff_image(image, expected).save(diff_path)
    return actual_path, diff_path
