"""A typography lint for the Chinese of a source.

It reads the Markdown a source's reader gives it (a page dump's or a JSON article's as
the reader writes it, with each line's line in the file) and never a file itself: the
reader is asked, by :func:`briefpress.sources.lint_text` or the article it read. It reads
the Chinese parts of a source (title and verdict, brief, prompts, translation,
its notes, discussion) line by line, with code, addresses, link targets and emphasis
marks set aside, and reports what a Chinese reader notices (after W3C's *Requirements
for Chinese Text Layout*): half-width punctuation in Chinese text, quotes and brackets
that do not pair, spaces beside full-width punctuation, straight quotes, and the spacing
between Chinese and Latin letters or digits against the chosen convention.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from ..sources.text import blank_comments
from .marks import (
    AFTER_CHINESE,
    BEFORE_CHINESE,
    FULL_PUNCTUATION,
    HALF_PERIOD,
    HAN,
    PAIRS,
    SPACE_BESIDE,
)

#: sections whose text is Chinese
CHINESE_SECTIONS = {"核心观点", "跟我们的关联", "讨论引子", "译文", "完整翻译", "讨论归档"}

_HALF = re.compile(
    rf"{AFTER_CHINESE}[,:;!?()]|[,:;!?()]{BEFORE_CHINESE}|{HALF_PERIOD}",
)
_STRAIGHT_QUOTE = re.compile(rf"(?<=[{HAN}{FULL_PUNCTUATION}])[\"']|[\"'](?=[{HAN}])")
_MIXED_NONE = re.compile(rf"(?<=[{HAN}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{HAN}])")
_MIXED_SPACE = re.compile(rf"(?<=[{HAN}]) (?=[A-Za-z0-9])|(?<=[A-Za-z0-9]) (?=[{HAN}])")
#: what is not prose: inline code, addresses, link targets, footnote marks, HTML-like tags
#: (no mark's inside holds the mark's first character, so ](](](… is read once)
_MASK = re.compile(r"`[^`\n]*+`|https?://\S++|\]\([^)\]\n]*+\)|\[\^[^\[\]\n]*+\]:?|<[^<>\n]*+>")
#: emphasis marks, which sit between a word and its punctuation in the source only
_EMPHASIS = re.compile(r"\*++|__++|~~")
#: a line's Markdown structure: indentation, quote marks, a list marker or heading marks,
#: and the spaces that end it (a hard break), tried from the first space of a run only
_STRUCTURE = re.compile(r"^[ \t]*+(?:>[ \t]*+)*+(?:(?:[-*+]|\d{1,9}[.)]|#{1,6})[ \t]++)?|(?<![ \t])[ \t]++$")

#: findings ``check --typography`` prints per source; the rest are counted in one line
MAX_FINDINGS = 200

RULES = {
    "half": "half-width punctuation in Chinese text",
    "space": "space beside full-width punctuation",
    "straight": "straight quote in Chinese text",
    "need-space": "no space between Chinese and Latin (--cjk-spacing space)",
    "no-space": "space between Chinese and Latin (--cjk-spacing none)",
    "mismatched": 'mismatched quotes “…"',
}


@dataclass
class Finding:
    path: Path
    line: int
    rule: str
    excerpt: str

    @property
    def message(self) -> str:
        return f"{self.rule}: …{self.excerpt}…"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def prose(line: str) -> str:
    """``line`` as the lint reads it: emphasis marks dropped, code and addresses blanked."""
    line = _STRUCTURE.sub(lambda m: "\0" * len(m[0]), line)
    line = _EMPHASIS.sub("", line)
    return _MASK.sub(lambda m: "\0" * len(m[0]), line)


def _excerpt(line: str, start: int, end: int) -> str:
    if end - start > 16:  # a long run (of spaces, say): its two ends, so a finding stays one short line
        return f"{_excerpt(line, start, start + 8)} … {_excerpt(line, end - 8, end)}"
    return line[max(0, start - 8) : end + 8].replace("\0", "").strip()


def lint_line(line: str, spacing: str = "keep") -> list[tuple[str, int, int]]:
    """The problems of one line of Chinese text (as :func:`prose` gives it): (rule, start, end)."""
    checks = [("half", _HALF), ("space", SPACE_BESIDE), ("straight", _STRAIGHT_QUOTE)]
    if spacing == "space":
        checks.append(("need-space", _MIXED_NONE))
    elif spacing == "none":
        checks.append(("no-space", _MIXED_SPACE))
    found = [(RULES[rule], m.start(), m.end()) for rule, pattern in checks for m in pattern.finditer(line)]
    return sorted(found, key=lambda f: f[1])


def unpaired(paragraph: list[tuple[int, str]]) -> list[tuple[str, int, int, int]]:
    """Quotes and brackets that do not pair within a paragraph: (rule, line number, start, end)."""
    found: list[tuple[str, int, int, int]] = []
    stack: list[tuple[str, int, int]] = []
    closing = {close: open_ for open_, close in PAIRS.items()}
    for number, line in paragraph:
        for position, ch in enumerate(line):
            if ch in PAIRS:
                stack.append((ch, number, position))
            elif ch in closing:
                if stack and stack[-1][0] == closing[ch]:
                    stack.pop()
                else:
                    found.append((f"unpaired {ch}", number, position, position + 1))
            elif ch == '"' and stack and stack[-1][0] == "“":  # “…" : a curly opened, a straight closed
                found.append((RULES["mismatched"], number, position, position + 1))
                stack.pop()
    found += [(f"unpaired {ch}", number, position, position + 1) for ch, number, position in stack]
    return found


def _front_value(line: str) -> str:
    value = line.split(":", 1)[1].strip()
    if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


def chinese_lines(text: str) -> list[tuple[int, str]]:
    """The lines of a source that hold Chinese prose, as :func:`prose` gives them: the title
    and verdict, and the Chinese sections' lines outside code blocks."""
    lines = blank_comments(text).split("\n")
    chosen: list[tuple[int, str]] = []
    section, fence, in_front = None, None, lines[:1] == ["---"]
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if in_front:
            if number > 1 and stripped in ("---", "..."):
                in_front = False
            elif re.match(r"(title|summary)\s*:", stripped):
                chosen.append((number, prose(_front_value(stripped))))
            continue
        if fence:  # closed by a run of its character at least as long (a ```` fence holds ```)
            run = len(stripped) - len(stripped.lstrip(fence[0]))
            fence = None if run >= len(fence) and not stripped[run:].strip() else fence
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[: len(stripped) - len(stripped.lstrip(stripped[0]))]
            continue
        if stripped.startswith("# "):
            section = stripped[2:].strip()
            continue
        if section in CHINESE_SECTIONS:
            chosen.append((number, prose(line)))
    return chosen


def findings(
    path: Path, text: str, spacing: str = "keep", line_map: list[int] | None = None
) -> Iterator[Finding]:
    """Every typography finding in a source's Markdown, with its line in ``path``, in line
    order; paragraph by paragraph, so a caller that only counts holds one at a time."""

    def where(number: int) -> int:
        return line_map[number - 1] if line_map and number <= len(line_map) else number

    found: list[tuple[int, int, int, str]] = []  # (line number, start, end, rule)
    paragraph: list[tuple[int, str]] = []
    chosen = chinese_lines(text)
    lines = dict(chosen)
    for index, (number, line) in enumerate(chosen):
        found += [(number, start, end, rule) for rule, start, end in lint_line(line, spacing)]
        if line.strip():
            paragraph.append((number, line))
        last = index + 1 == len(chosen) or chosen[index + 1][0] != number + 1
        if not line.strip() or last:
            found += [(at, start, end, rule) for rule, at, start, end in unpaired(paragraph)]
            # a straight quote that closes a curly one is reported once, as the mismatch
            mismatched = {(at, start) for at, start, _, rule in found if rule == RULES["mismatched"]}
            for at, start, end, rule in sorted(found, key=lambda f: f[0]):
                if rule != RULES["straight"] or (at, start) not in mismatched:
                    yield Finding(path, where(at), rule, _excerpt(lines[at], start, end))
            found, paragraph = [], []


def lint_text(
    path: Path, text: str, spacing: str = "keep", line_map: list[int] | None = None
) -> list[Finding]:
    """Every typography finding in a source's Markdown, with its line in ``path``."""
    return list(findings(path, text, spacing, line_map))


def first_findings(
    path: Path, text: str, spacing: str = "keep", line_map: list[int] | None = None, limit: int = MAX_FINDINGS
) -> tuple[list[Finding], int]:
    """A source's first ``limit`` findings, and how many it has in all (the rest are
    counted, not kept: a huge source's findings do not fill the memory). ``text`` is
    the Markdown its reader gives the lint (``briefpress.sources.lint_text``)."""
    found = findings(path, text, spacing, line_map)
    first = list(islice(found, limit))
    return first, len(first) + sum(1 for _ in found)
