"""Chinese text: which characters are Chinese, in one place for every edition."""

from __future__ import annotations

#: Han ideographs and the characters that go with them (radicals, CJK punctuation,
#: bopomofo, full-width forms, extensions A to H), as inclusive code point ranges
HAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x2FDF),
    (0x2FF0, 0x303F),
    (0x3100, 0x312F),
    (0x31A0, 0x31EF),
    (0x3200, 0x33FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
    (0x20000, 0x323AF),
)
#: punctuation that Latin text shares but Chinese sets full-width: ‘ ’ “ ” — …
SHARED_PUNCTUATION: tuple[tuple[int, int], ...] = (
    (0x2014, 0x2014),
    (0x2018, 0x2019),
    (0x201C, 0x201D),
    (0x2026, 0x2026),
)


def is_han(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in HAN_RANGES)


def unicode_range(*groups: tuple[tuple[int, int], ...]) -> str:
    """A CSS ``unicode-range`` value for the given ranges."""
    parts = []
    for low, high in (r for group in groups for r in group):
        parts.append(f"U+{low:X}" if low == high else f"U+{low:X}-{high:X}")
    return ", ".join(parts)
