"""The one way messages write a character and a byte count."""

from __future__ import annotations

from tushuo.humanize import char_code, describe_char, human_size


def test_characters() -> None:
    assert char_code("字") == "U+5B57" and char_code(0x7) == "U+0007"
    assert describe_char("字") == "'字' (U+5B57 CJK UNIFIED IDEOGRAPH-5B57)"
    assert describe_char("字", name=False) == "'字' (U+5B57)"
    assert describe_char("\ue000") == "U+E000 (a private-use character)"
    assert describe_char("\ue000", name=False) == "U+E000"


def test_sizes_are_binary_units() -> None:
    assert [human_size(n) for n in (0, 1023, 1024, 1536, 100 * 1024, 2**20, 10 * 2**20, 3 * 2**30)] == [
        "0 bytes", "1,023 bytes", "1 KB", "1.5 KB", "100 KB", "1 MB", "10 MB", "3 GB",
    ]


def test_one_number_formatter_in_two_styles():
    from tushuo.humanize import TRUE_MINUS, format_number

    # stats figures: shortest decimals, thousands separators from 10,000, a plain minus
    assert [format_number(v) for v in (126, 126.0, 98.5, 12345, 0.1 + 0.2, -12345.25, 9999.5)] == [
        "126", "126", "98.5", "12,345", "0.3", "-12,345.25", "9999.5"]
    # chart labels: at most two places, no separators, the true minus
    chart = {"places": 2, "group_from": None, "minus": TRUE_MINUS}
    assert [format_number(v, **chart) for v in (12, 98.5, 0.126, -3, 1e6, 12345.678)] == [
        "12", "98.5", "0.13", "\u22123", "1000000", "12345.68"]
    assert format_number(12345.678, places=1) == "12,345.7"
    assert format_number(float("inf")) == "inf"
