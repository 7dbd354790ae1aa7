"""Findings of the wave-4 adversarial pass (hostile inputs through every path), one test each.

The corpus and its harness live outside the repository (notes/wave4/hostile); each test
here failed before its fix.
"""

from __future__ import annotations

import pytest

import tushuo
from tushuo.errors import SpecError


def test_a_huge_int_from_python_is_bad_input_with_its_path() -> None:
    """str() of an int past 4,300 digits raises ValueError: the message itself crashed."""
    with pytest.raises(SpecError) as err:
        tushuo.load({"title": "x", "blocks": [{"type": "spacer", "height": 16 ** 5000}]})
    assert str(err.value) == "blocks[0].height: expected a number, got a number of about 6,021 digits"
