"""Chinese text, in one place for every edition: which characters are Chinese, how wide
text is in columns, where lines may break, and how to shorten a title.

Line breaking follows Unicode's line-breaking algorithm (UAX #14, through ``uniseg``)
plus the Chinese prohibition rules of W3C's *Requirements for Chinese Text Layout*:
no closing punctuation at the start of a line, no opening punctuation at its end. A
title is broken between words and balanced (:func:`balanced`), for the covers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

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
#: full-width punctuation by role: pauses and stops, and the opening and closing halves
#: of quotes and brackets (the n-th opening mark pairs with the n-th closing one)
STOPS = "，。、；：？！"
OPENING = "“‘（《「『【"
CLOSING = "”’）》」』】"
#: may not start a line (closing brackets and quotes, pauses, stops)
NO_LINE_START = frozenset("，。、；：？！）］｝〕〉》」』】〗〙〛”’…—·～%‰,.;:?!)]}")
#: may not end a line (opening brackets and quotes)
NO_LINE_END = frozenset("（［｛〔〈《「『【〖〘〚“‘([{")


#: the ideographs alone (no punctuation or symbols): unified, extensions, compatibility
IDEOGRAPH_RANGES: tuple[tuple[int, int], ...] = ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF))


def is_han(ch: str) -> bool:
    """A Chinese character or Chinese punctuation."""
    code = ord(ch)
    return any(low <= code <= high for low, high in HAN_RANGES)


def ideographs(text: str) -> int:
    """How many ideographs ``text`` holds."""
    return sum(any(low <= ord(ch) <= high for low, high in IDEOGRAPH_RANGES) for ch in text)


def js_class(ranges: tuple[tuple[int, int], ...] = HAN_RANGES) -> str:
    """The ranges as a JavaScript regular expression character class (for the ``u`` flag)."""
    return "[" + "".join(f"\\u{{{low:x}}}-\\u{{{high:x}}}" for low, high in ranges) + "]"


def re_class(*groups: tuple[tuple[int, int], ...]) -> str:
    """The ranges as the inside of a Python regular expression character class."""
    return "".join(f"\\U{low:08x}-\\U{high:08x}" for group in groups for low, high in group)


def unicode_range(*groups: tuple[tuple[int, int], ...]) -> str:
    """A CSS ``unicode-range`` value for the given ranges."""
    parts = []
    for low, high in (r for group in groups for r in group):
        parts.append(f"U+{low:X}" if low == high else f"U+{low:X}-{high:X}")
    return ", ".join(parts)


def columns(text: str) -> int:
    """Terminal columns: a wide (Chinese) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


#: an address is never broken: a mail client can only link it whole
_URL = re.compile(r"(?:https?|mailto|ftp)://\S+\s*|mailto:\S+\s*")


def break_units(text: str) -> list[str]:
    """``text`` cut at every place a line may break (a unit keeps its trailing spaces)."""
    from uniseg.linebreak import line_break_units

    pieces: list[str] = []
    position = 0
    for url in _URL.finditer(text):
        pieces += list(line_break_units(text[position : url.start()])) + [url[0]]
        position = url.end()
    pieces += list(line_break_units(text[position:]))
    units: list[str] = []
    for unit in pieces:
        if units and (unit[0] in NO_LINE_START or units[-1].rstrip()[-1:] in NO_LINE_END):
            units[-1] += unit  # a prohibition rule: no break here
        else:
            units.append(unit)
    return units


def wrap(text: str, width: float, measure: Callable[[str], float] = columns) -> list[str]:
    """Greedy line breaking of ``text`` into lines no wider than ``width`` by ``measure``.

    A unit wider than the whole line is left whole on a line of its own.
    """
    lines: list[str] = []
    line = ""
    for unit in break_units(text):
        if line.strip() and measure((line + unit).rstrip()) > width:
            lines.append(line.rstrip())
            line = unit.lstrip()
        else:
            line += unit
    if line.strip():
        lines.append(line.rstrip())
    return lines


#: where a run of ideographs may break without splitting a word: after 的 and 之, and on
#: either side of a conjunction (与 和 及 或); a segmenter would know more, but a title
#: has few places to choose from and these are safe
_AFTER_WORD = frozenset("的之与和及或")
_BEFORE_WORD = frozenset("与和及或")
#: the costs of a title's lines (see :func:`balanced`): a break inside a word costs more
#: than a line, so a title takes one more line rather than split 战|略
_LINE, _INSIDE_WORD, _WEAK, _RAGGED, _WIDOW = 40.0, 60.0, 3.0, 30.0, 200.0


def _break_cost(before: str, after: str) -> float:
    """What breaking the line between the units ``before`` and ``after`` costs."""
    last, first = before.rstrip()[-1:], after[:1]
    if before != before.rstrip() or last in NO_LINE_START or first in NO_LINE_END:
        return 0.0  # after a space, a stop or a closing mark
    if not (ideographs(last) and ideographs(first)):
        return _WEAK  # between Chinese and Latin, after a hyphen
    if last in _AFTER_WORD or first in _BEFORE_WORD:
        return _WEAK
    return _INSIDE_WORD


def balanced(text: str, width: float, measure: Callable[[str], float] = columns) -> list[str]:
    """``text`` (a title) in lines no wider than ``width``, broken between words and
    balanced (clreq): the fewest lines that need no break inside a word, of similar
    length, and never one character alone on the last line.

    The lines are chosen as a whole (Knuth and Plass's idea, on a few dozen places):
    each costs a little, more the shorter it is than the others could make it, and a
    break inside a run of ideographs costs more than a line. A unit wider than the line
    stands alone on a line of its own."""
    units = break_units(text)
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * len(units)
    for end in range(1, len(units) + 1):
        for start in range(end - 1, -1, -1):
            line = "".join(units[start:end]).strip()
            wide = measure(line)
            if wide > width and end - start > 1:
                break
            slack = max(0.0, width - wide) / width
            cost = best[start][0] + _LINE + _RAGGED * slack * slack
            if end < len(units):
                cost += _break_cost(units[end - 1], units[end])
            elif start > 0 and ideographs(line) == 1 and len(line.rstrip("".join(NO_LINE_START))) == 1:
                cost += _WIDOW
            if cost < best[end][0]:
                best[end] = (cost, start)
    lines, end = [], len(units)
    while end > 0:
        start = best[end][1]
        lines.append("".join(units[start:end]).strip())
        end = start
    return [line for line in reversed(lines) if line]


def shorten(title: str, limit: int) -> str:
    """``title`` cut to ``limit`` columns (a Chinese character is two) with an ellipsis."""
    width = 0
    for index, ch in enumerate(title):
        width += columns(ch)
        if width > limit:
            return title[:index].rstrip(" ,.:;，。：；、") + "…"
    return title
