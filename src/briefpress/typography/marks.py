"""The characters Chinese typography is about, shared by the lint and the fixes."""

from __future__ import annotations

import re

HAN = r"\u3400-\u9fff\uf900-\ufaff\U00020000-\U000323af"
FULL_PUNCTUATION = "，。、；：？！“”‘’（）《》「」『』【】…—"
PAIRS = {"“": "”", "‘": "’", "（": "）", "《": "》", "「": "」", "『": "』", "【": "】"}
HALF_TO_FULL = {",": "，", ".": "。", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}

#: a Chinese character or full-width punctuation just before / just after
AFTER_CHINESE = rf"(?<=[{HAN}{FULL_PUNCTUATION}])"
BEFORE_CHINESE = rf"(?=[{HAN}{FULL_PUNCTUATION}])"
#: a full stop ends a Chinese sentence only after a Chinese character, before another or at
#: the end of the line (so 3.5, example.org and "GPT-4." are left alone)
HALF_PERIOD = rf"(?<=[{HAN}])\.(?=[{HAN}]|\s*$)"
SPACE_BESIDE = re.compile(rf"(?<=[{FULL_PUNCTUATION}])[ \t\u3000]+|[ \t\u3000]+(?=[{FULL_PUNCTUATION}])")
