"""The punctuation fix the editions apply to their Chinese (``--fix-punctuation``, on unless
``--keep-punctuation``); the source is never changed.

Half-width ``, . : ; ! ? ( )`` in Chinese text become full-width, straight double quotes
are paired as “ ”, and spaces beside full-width punctuation go. A mark is changed only
with Chinese beside it, so numbers (3.5, 1,204), addresses and Latin runs keep theirs;
code is never touched. The fix works on a paragraph's text as a whole, across emphasis
and links, so "**科研**,然后" is seen as the reader sees it. A :class:`Tally` counts what
it changed, for the build's summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.token import Token

from .marks import (
    AFTER_CHINESE,
    BEFORE_CHINESE,
    FULL_PUNCTUATION,
    HALF_PERIOD,
    HALF_TO_FULL,
    HAN,
    SPACE_BESIDE,
)

_FIXABLE = re.compile(rf"{AFTER_CHINESE}[,:;!?]|[,:;!?]{BEFORE_CHINESE}|{HALF_PERIOD}")
#: a bracketed run with Chinese inside or beside it: both brackets become full-width
_BRACKETS = re.compile(r"\(([^()\n]{0,400})\)")
_CHINESE = re.compile(rf"[{HAN}]")
#: stands in for what is not text (code, an image) in a paragraph's joined text
_OPAQUE = "\0"
#: marks Latin text uses too: a space beside one is Latin spacing unless Chinese is near
_SHARED = "“”‘’…—"


def _latin_spacing(text: str, start: int, end: int) -> bool:
    """Whether the spaces ``text[start:end]`` stand beside a quote or dash that Latin text
    shares, with no Chinese beside the spaces or beyond the mark: 'said “no” to' keeps its
    spaces, '他说 “好” 然后' loses them."""
    near = text[max(0, start - 2) : start] + text[end : end + 2]
    beside = text[start - 1 : start] + text[end : end + 1]
    if any(ch in FULL_PUNCTUATION and ch not in _SHARED for ch in beside):
        return False  # a full-width stop or bracket: its spaces always go
    return not _CHINESE.search(near)


@dataclass
class Tally:
    """What the fix changed: the marks made full-width or paired, the spaces dropped."""

    marks: int = 0
    spaces: int = 0

    def count(self, before: str, after: list[str]) -> None:
        for was, now in zip(before, after, strict=True):
            if was != now:
                if was.isspace():
                    self.spaces += 1
                else:
                    self.marks += 1


def fixed_chars(text: str, quote_open: bool = False, tally: Tally | None = None) -> tuple[list[str], bool]:
    """What each character of ``text`` becomes (``""`` when it goes), and whether a “ is
    open at the end. ``quote_open``: whether one is open before ``text``; ``tally``
    counts the changes."""
    out = list(text)
    for m in _BRACKETS.finditer(text):
        around = text[max(0, m.start() - 1) : m.end() + 1]
        if _CHINESE.search(around):
            out[m.start()], out[m.end() - 1] = "（", "）"
    for m in _FIXABLE.finditer(text):
        out[m.start()] = HALF_TO_FULL[m[0]]
    for index, ch in enumerate(text):
        if ch == "“":
            quote_open = True
        elif ch == "”":
            quote_open = False
        elif ch == '"':
            out[index] = "”" if quote_open else "“"
            quote_open = not quote_open
    # spaces beside full-width punctuation, as it stands after the changes above
    changed = "".join(c or _OPAQUE for c in out)
    for m in SPACE_BESIDE.finditer(changed):
        if _latin_spacing(changed, m.start(), m.end()):
            continue
        for index in range(m.start(), m.end()):
            out[index] = ""
    if tally is not None:
        tally.count(text, out)
    return out, quote_open


def fix_punctuation(text: str, quote_open: bool = False, tally: Tally | None = None) -> tuple[str, bool]:
    """``text`` fixed (see the module's description), and whether a “ is open after it."""
    chars, quote_open = fixed_chars(text, quote_open, tally)
    return "".join(chars), quote_open


def _is_address(token: Token, inside_link: bool) -> bool:
    return inside_link and ("://" in token.content or token.content.startswith(("www.", "mailto:")))


def fix_inline(children: list[Token], quote_open: bool = False, tally: Tally | None = None) -> bool:
    """Fix the text tokens of one paragraph's inline content in place; code, HTML and link
    addresses shown as text stay as they are. Returns whether a “ is still open."""
    pieces: list[tuple[Token | None, str]] = []
    inside_link = False
    for token in children:
        if token.type == "link_open":
            inside_link = True
        elif token.type == "link_close":
            inside_link = False
        if token.type == "text" and not _is_address(token, inside_link):
            pieces.append((token, token.content))
        elif token.type == "softbreak":
            pieces.append((None, "\n"))
        elif token.type in ("code_inline", "html_inline", "image", "text", "footnote_ref"):
            pieces.append((None, _OPAQUE))
    joined = "".join(text for _, text in pieces)
    chars, quote_open = fixed_chars(joined, quote_open, tally)
    at = 0
    for owner, text in pieces:
        if owner is not None:
            owner.content = "".join(chars[at : at + len(text)])
        at += len(text)
    return quote_open
