"""The Markdown dialect of briefpress and what the readers share about tokens: the
source file being read (for messages with lines), sections, and token walking."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ..errors import Report, SourceError
from ..model import tokens_text, walk
from ..warnings import DEFAULT_CODE

BLOCK_KINDS = {
    "paragraph_open": "paragraph",
    "bullet_list_open": "bullet_list",
    "ordered_list_open": "ordered_list",
    "blockquote_open": "blockquote",
    "table_open": "table",
    "fence": "code",
    "code_block": "code",
    "hr": "hr",
}
_KIND_NAMES = {
    "paragraph": "a paragraph",
    "bullet_list": "a bullet list",
    "ordered_list": "an ordered list",
    "blockquote": "a block quote",
    "table": "a table",
    "code": "a code block",
    "hr": "a thematic break",
}


def make_parser() -> MarkdownIt:
    """The one Markdown dialect of briefpress: CommonMark, tables, footnotes, no raw HTML."""
    md = (
        MarkdownIt("commonmark", {"html": False, "typographer": False})
        .enable("table")
        .use(front_matter_plugin)
        .use(footnote_plugin)
    )
    md.core.ruler.before("footnote_tail", "footnote_twice", _footnotes_twice)
    return md


def _footnotes_twice(state: Any) -> None:
    """Note in ``env["footnotes_twice"]`` each footnote label defined again, with the
    0-based line of its second definition: markdown-it keeps the last and drops the other."""
    seen: set[str] = set()
    twice = state.env.setdefault("footnotes_twice", [])
    for index, token in enumerate(state.tokens):
        if token.type == "footnote_reference_open":
            label = token.meta["label"]
            if label in seen:
                line = next((t.map[0] for t in state.tokens[index:] if t.map), None)
                twice.append((label, line))
            seen.add(label)


@cache
def shared_parser() -> MarkdownIt:
    """One parser for every reader: a parse keeps its state in its own env, not here."""
    return make_parser()


@cache
def outline_parser() -> MarkdownIt:
    """The blocks alone, inline text unparsed: enough to find the front matter and sections."""
    return make_parser().disable("inline")


#: markdown-it's link and footnote parsing slows down with the square of the number of
#: brackets in a paragraph; a paragraph holds at most this many
MAX_BRACKETS = 2_000


def check_brackets(src: SourceFile) -> None:
    """Refuse, before parsing, a paragraph with more '[' than :data:`MAX_BRACKETS`."""
    count, start = 0, 1
    for number, line in enumerate(src.lines, start=1):
        if not line.strip():
            count, start = 0, number + 1
            continue
        count += line.count("[")
        if count > MAX_BRACKETS:
            raise src.error(
                f"this paragraph holds more than {MAX_BRACKETS:,} '[' characters; split it or remove them",
                start,
            )


def describe_kind(kind: str) -> str:
    if kind.startswith("heading"):
        return f"a level-{kind[-1]} heading"
    return _KIND_NAMES.get(kind, kind)


class SourceFile:
    """The file being read: its lines, and messages that name it and the line."""

    def __init__(self, path: Path, report: Report, line_map: list[int] | None = None):
        self.path = path
        self.report = report
        self.lines: list[str] = []
        # for sources converted to Markdown (page dumps): generated line -> original line
        self.line_map = line_map

    def source_line(self, line: int | None) -> int | None:
        if line is None or self.line_map is None:
            return line
        return self.line_map[min(line, len(self.line_map)) - 1] if line > 0 else line

    def error(self, message: str, line: int | None = None) -> SourceError:
        return SourceError(message, self.path, self.source_line(line))

    def warn(self, message: str, line: int | None = None, *, code: str = DEFAULT_CODE) -> None:
        self.report.warn(message, self.path, self.source_line(line), code=code)


@dataclass
class Section:
    key: str
    heading: str
    line: int  # 1-based line of the heading
    tokens: list[Token]
    env: dict
    first_line: int  # 1-based line where the section's body starts


#: a footnote's definition: its tokens and its line
Notes = dict[str, tuple[list[Token], int]]


def span(token: Token, default: int = 0) -> tuple[int, int]:
    """The token's 0-based [start, end) source lines (the parser gives them to block tokens)."""
    return (token.map[0], token.map[1]) if token.map else (default, default)


def shift_lines(tokens: list[Token], offset: int) -> None:
    for token in walk(tokens):
        if token.map:
            token.map = [token.map[0] + offset, token.map[1] + offset]


def closing(tokens: list[Token], start: int) -> int:
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


def children(tokens: list[Token], open_type: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each outermost ``open_type`` element in ``tokens``."""
    i = 0
    while i < len(tokens):
        if tokens[i].type == open_type:
            end = closing(tokens, i)
            yield i, end
            i = end + 1
        else:
            i += 1


def line_of(tokens: list[Token], default: int) -> int:
    for token in tokens:
        if token.map:
            return token.map[0] + 1
    return default


def split_label(items: list[Token], strip: bool = True) -> tuple[str | None, list[Token]]:
    """Split ``**label** rest`` into the label's text and the rest's tokens."""
    items = [t for t in items if not (t.type == "text" and not t.content)]
    if len(items) < 3 or items[0].type != "strong_open":
        return None, items
    end = next((i for i, t in enumerate(items) if t.type == "strong_close"), None)
    if end is None:
        return None, items
    label = tokens_text(items[1:end]).strip()
    rest = [t.copy() for t in items[end + 1 :]]
    if rest and rest[0].type == "text":
        rest[0].content = rest[0].content.lstrip() if strip else rest[0].content
    while rest and rest[0].type == "text" and not rest[0].content:
        rest.pop(0)
    return (label or None), rest
