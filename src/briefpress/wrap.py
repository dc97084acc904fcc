"""Line breaking for mixed Chinese and Latin text: between Chinese characters, or at
spaces, never inside a Latin word, and never before closing punctuation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# a CJK character, or a run of anything else that must not be broken (a word), or spaces
UNITS = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’]+|\s+"
)
# characters that may not start a line (a simplified form of the Chinese rules)
NO_START = set("，。、；：？！）》」』】,.;:?!)”’…")


def columns(text: str) -> int:
    """Terminal columns: a wide (Chinese) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: float, measure: Callable[[str], float] = columns) -> list[str]:
    """Greedy line breaking of ``text`` into lines no wider than ``width`` by ``measure``."""
    lines: list[str] = []
    line = ""
    for unit in UNITS.findall(text):
        candidate = line + unit
        if line.strip() and measure(candidate.rstrip()) > width and unit[0] not in NO_START:
            lines.append(line.rstrip())
            line = unit.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines
