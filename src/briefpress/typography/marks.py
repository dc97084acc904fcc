"""The characters Chinese typography is about, shared by the lint and the fixes."""

from __future__ import annotations

import re

from ..cjk import CLOSING, IDEOGRAPH_RANGES, OPENING, STOPS, re_class

#: the ideographs, as the inside of a regular expression character class
HAN = re_class(IDEOGRAPH_RANGES)
FULL_PUNCTUATION = STOPS + OPENING + CLOSING + "…—"
PAIRS = dict(zip(OPENING, CLOSING, strict=True))
HALF_TO_FULL = {",": "，", ".": "。", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}

#: a Chinese character or full-width punctuation just before / just after
AFTER_CHINESE = rf"(?<=[{HAN}{FULL_PUNCTUATION}])"
BEFORE_CHINESE = rf"(?=[{HAN}{FULL_PUNCTUATION}])"
#: a full stop ends a Chinese sentence only after a Chinese character, before another or at
#: the end of the line (so 3.5, example.org and "GPT-4." are left alone)
HALF_PERIOD = rf"(?<=[{HAN}])\.(?=[{HAN}]|\s*$)"
#: spaces beside full-width punctuation; a run is tried only from its first space (the
#: lookbehind), so a line of spaces with no punctuation is read once, not once per space
SPACE_BESIDE = re.compile(
    rf"(?<=[{FULL_PUNCTUATION}])[ \t\u3000]++|(?<![ \t\u3000])[ \t\u3000]++(?=[{FULL_PUNCTUATION}])"
)
