"""``--qa`` on the reading page: each pair says where its sentences are and which align,
so that hovering or tapping a sentence lights up its counterpart (``reading.js``).

A pair's ``data-qa`` holds, for each side, the sentences' spans in the text the browser
shows (the side's ``textContent`` from its first visible character, counted in UTF-16
code units as JavaScript counts), and the beads of the alignment, each a list of
sentence numbers per side. Without JavaScript the attribute does nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from html.parser import HTMLParser

#: (start, end) of each sentence of a side, in its text
Spans = list[tuple[int, int]]
#: the sentences of each side a bead joins: ([0, 1], [0])
Bead = tuple[Sequence[int], Sequence[int]]
#: (English text, Chinese text) -> (English spans, Chinese spans, beads)
Aligner = Callable[[str, str], tuple[Spans, Spans, list[Bead]]]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: str) -> str:
    """The text of an HTML fragment as ``textContent`` has it, from its first visible
    character."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts).lstrip()


def _utf16(text: str) -> Callable[[int], int]:
    """Code-point offsets of ``text`` as UTF-16 offsets (an emoji counts two)."""
    table, count = [0], 0
    for ch in text:
        count += 2 if ord(ch) > 0xFFFF else 1
        table.append(count)
    return table.__getitem__


def data_qa(original: str, translation: str, align: Aligner) -> str | None:
    """The pair's ``data-qa`` value for its two sides' HTML; None when a side has no text."""
    english, chinese = text_of(original), text_of(translation)
    if not english.strip() or not chinese.strip():
        return None
    en_spans, zh_spans, beads = align(english, chinese)
    en16, zh16 = _utf16(english), _utf16(chinese)
    value = {
        "o": [[en16(a), en16(b)] for a, b in en_spans],
        "t": [[zh16(a), zh16(b)] for a, b in zh_spans],
        "b": [[list(en), list(zh)] for en, zh in beads],
    }
    return json.dumps(value, separators=(",", ":"))
