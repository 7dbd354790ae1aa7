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
