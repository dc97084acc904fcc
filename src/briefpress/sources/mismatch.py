"""What the alignment of the original and the translation found, in the words of a
message: the block with no counterpart, or the two that face one, quoted from both
sides, at the line where the fix goes."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from ..model import Block
from .align import CJK, CJK_WEIGHT, Alignment, Bead, Unit, align
from .tokens import describe_kind

#: how much of a block a message quotes: words of Latin text, characters of CJK text
QUOTE_WORDS = 6
QUOTE_CHARACTERS = 12
#: sides that differ by more blocks than this and than a quarter of the shorter are not
#: aligned (a translation left unfinished): the message says where they stop lining up
FAR = 3

#: where a paragraph may be split: after a sentence's end, or at a line break
_SPLIT = re.compile('[.!?\u3002\uff01\uff1f\u201d"]++[ \n]?+|\n')
_TRAILING = " ,;:\uff0c\u3001\uff1b\uff1a"


def shown(text: str) -> str:
    """``text`` with what a terminal does not show written as escapes (``\\u200b``)."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def quote(text: str) -> str:
    """The first words of a block, quoted: six English words or twelve CJK characters."""
    flat = " ".join(text.split())
    if len(CJK.findall(flat[:QUOTE_CHARACTERS])) * 3 >= min(len(flat), QUOTE_CHARACTERS):
        head = flat[:QUOTE_CHARACTERS]
    else:
        head = " ".join(flat.split(" ")[:QUOTE_WORDS])[: QUOTE_CHARACTERS * 5]
    if len(head) < len(flat):
        head = head.rstrip(_TRAILING) + "…"
    return f'"{shown(head)}"'


def units(blocks: Sequence[Block]) -> list[Unit]:
    return [Unit(block.kind, block.text, tuple(block.note_labels)) for block in blocks]


def noun(kind: str) -> str:
    """``paragraph``, ``level-2 heading``: the kind without its article."""
    return describe_kind(kind).split(" ", 1)[1]


@dataclass
class Finding:
    """A difference the alignment found: ``subject`` (naming ``block``) ``claim``; ``remedy``."""

    block: Block
    subject: str
    claim: str
    remedy: str
    #: the block where the fix goes, when not ``block``
    at: Block | None = None

    @property
    def line(self) -> int:
        return (self.at or self.block).line

    def __str__(self) -> str:
        return f"{self.subject} {self.claim}"


@dataclass
class Sides:
    """The two sides' blocks, and how a message names them and their lines."""

    original: Sequence[Block]
    translation: Sequence[Block]
    #: the line in the file of a line of the parsed text (they differ for page dumps)
    where: Callable[[int], int]

    def block(self, block: Block, side: str = "") -> str:
        place = f"line {self.where(block.line)}" + (f" of the {side}" if side else "")
        text = f" ({quote(block.text)})" if block.text else ""
        return f"the {noun(block.kind)} at {place}{text}"

    def at(self, block: Block) -> str:
        return f"line {self.where(block.line)}" + (f" ({quote(block.text)})" if block.text else "")

    def between(self, blocks: Sequence[Block], k: int) -> str:
        """Where a block would go in ``blocks``, before its ``k``-th."""
        if k == 0:
            return f"before {self.at(blocks[0])}"
        if k >= len(blocks):
            return f"after {self.at(blocks[-1])}"
        return f"between {self.at(blocks[k - 1])} and {self.at(blocks[k])}"

    def finding(self, bead: Bead) -> Finding:
        """What ``bead`` says is wrong, and the fix."""
        a, b = self.original[bead.i : bead.i + bead.di], self.translation[bead.j : bead.j + bead.dj]
        if not b:
            return Finding(
                a[0],
                self.block(a[0], "original"),
                "has no counterpart in the translation",
                f"add its translation {self.between(self.translation, bead.j)}",
            )
        if not a:
            return Finding(
                b[0],
                self.block(b[0], "translation"),
                f"has no counterpart in the original (it falls {self.between(self.original, bead.i)})",
                "delete it, or add its original there",
            )
        if len(a) == 2:
            return Finding(
                b[0],
                self.block(b[0], "translation"),
                f"translates two {noun(a[0].kind)}s of the original, at {self.at(a[0])} and {self.at(a[1])}",
                f"split it in two{split_hint(a[0], a[1], b[0])}",
            )
        return Finding(
            a[0],
            self.block(a[0], "original"),
            f"is translated by two {noun(b[0].kind)}s, at {self.at(b[0])} and {self.at(b[1])}",
            "join them into one",
            b[0],
        )

    def rival(self, first: Bead, rival: Bead | None) -> str:
        """The next-best explanation, after the best one (``first``)."""
        if rival is None:
            return "they line up as they are"
        found = self.finding(rival)
        if (rival.di, rival.dj) == (first.di, first.dj):
            return f"the one at {self.at(found.block)}"
        return f"{found.subject} {found.claim}"

    def facing(self, k: int) -> str:
        """The blocks at position ``k`` of both sides, as they stand."""
        parts = []
        for side, blocks in (("original", self.original), ("translation", self.translation)):
            parts.append(self.block(blocks[k], side) if k < len(blocks) else f"nothing in the {side}")
        return " faces ".join(parts)


def split_hint(first: Block, second: Block, merged: Block) -> str:
    """Where in ``merged`` the translation of ``second`` most likely begins: after the
    sentence end (or line break) that divides its length as the two originals divide theirs."""
    text = merged.text
    share = len(first.text) / max(1, len(first.text) + len(second.text))
    weights = [CJK_WEIGHT if CJK.match(ch) else 0.0 if ch.isspace() else 1.0 for ch in text]
    upto = [0.0, *accumulate(weights)]
    ends = [m.end() for m in _SPLIT.finditer(text) if 0 < m.end() < len(text)]
    if not ends or not upto[-1]:
        return " where the second begins"
    end = min(ends, key=lambda e: abs(upto[e] / upto[-1] - share) - (text[e - 1] == "\n"))
    before = text[:end].rstrip()
    head = before[-QUOTE_CHARACTERS:] if CJK.search(before[-3:]) else " ".join(before.split(" ")[-4:])
    inner = [m.end() for m in _SPLIT.finditer(head) if m.end() < len(head)]
    return f', after "…{shown(head[inner[-1] if inner else 0 :].strip())}"'


def mismatch(sides: Sides, headings: tuple[str, str]) -> tuple[str, int]:
    """The error for two sides with different numbers of blocks, and its line."""
    original, translation = sides.original, sides.translation
    counts = f"'# {headings[0]}' has {len(original)} blocks but '# {headings[1]}' has {len(translation)}"
    fix = "give each block of the original exactly one block in the translation"
    apart = abs(len(original) - len(translation))
    far = apart > FAR and apart * 4 > min(len(original), len(translation))
    alignment = None if far else align(units(original), units(translation))
    if alignment is None:
        k = first_unlike(original, translation)
        line = (original[k] if k < len(original) else translation[k]).line
        return (
            f"{counts}, too far apart to tell which blocks lack a counterpart; they stop lining "
            f"up at block {k + 1}, where {sides.facing(k)}; {fix}",
            line,
        )
    first = alignment.differences[0]
    found = sides.finding(first)
    if not alignment.confident:
        also = sides.rival(first, alignment.rival)
        return (
            f"{counts}: most likely {found}, or else {also}: the texts there are too alike to tell; {fix}",
            found.line,
        )
    return f"{counts}: {found}; {found.remedy}{more(alignment)}", found.line


def unlike_kinds(sides: Sides, k: int) -> tuple[str, int]:
    """The warning for two sides of as many blocks whose ``k``-th differ in kind, and its
    line: the alignment's first difference, when it is sure of one."""
    a, b = sides.original[k], sides.translation[k]
    message = (
        f"block {k + 1} is {describe_kind(a.kind)} in the original but {describe_kind(b.kind)} "
        f"in the translation (line {sides.where(b.line)})"
    )
    alignment = align(units(sides.original), units(sides.translation))
    if alignment is None or not alignment.differences or not alignment.confident:
        return message, a.line
    found = sides.finding(alignment.differences[0])
    return f"{message}: {found}; {found.remedy}{more(alignment)}", found.line


def more(alignment: Alignment) -> str:
    """`` (2 more places below)``: the differences after the first, when there are."""
    count = len(alignment.differences) - 1
    return f" ({count} more place{'s' if count > 1 else ''} below)" if count else ""


def first_unlike(original: Sequence[Block], translation: Sequence[Block]) -> int:
    """The first position where the two sides hold blocks of different kinds, or where one ends."""
    pairs = zip(original, translation, strict=False)
    return next(
        (k for k, (a, b) in enumerate(pairs) if a.kind != b.kind), min(len(original), len(translation))
    )
