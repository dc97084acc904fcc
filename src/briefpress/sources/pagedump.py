"""Reader for page dumps: the plain text of an article page of the newsletter site.

A dump holds, after the site's chrome: the title, the verdict, a date line, the brief
(key points, relevance, prompts), then the text three times — the full translation,
the bilingual pairs, the original — and the discussion archive. The reader turns it
into Markdown in the source format (that is what ``briefpress import`` writes) and
reads that, so a dump and its imported file give the same article. The three copies
of the text are compared, never guessed between.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import Report, SourceError
from .base import BaseReader
from .pagetext import CHROME, FINAL_PUNCT, MARKERS, TABS, Dump, DumpParser, Line, sniff

__all__ = ["CHROME", "MARKERS", "TABS", "PageDumpReader", "to_markdown"]


class PageDumpReader(BaseReader):
    """Reads page dumps: ``*.txt`` files whose content looks like one (``--prefer`` chooses
    the copy of the text that wins where they disagree)."""

    name = "page dump"
    file_extensions = ("txt",)
    describes = "a page dump"

    def sniff(self, head: str) -> bool:
        return sniff(head)

    def markdown(self, path: Path, text: str, report: Report) -> tuple[str, list[int] | None]:
        return to_markdown(path, text, report, self.options.prefer)


# -- Dump -> Markdown ---------------------------------------------------------------------


_ESCAPE = re.compile(r"([\\`*_\[\]<>&|~])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def escape(text: str) -> str:
    """Markdown that reads back as exactly ``text``."""
    text = _ESCAPE.sub(r"\\\1", text)
    match = _LINE_START.match(text)
    if match:
        marker = match[2]
        text = text[: match.start(2)] + marker[:-1] + "\\" + marker[-1] + text[match.end(2) :]
    return text


def is_heading(en: str, zh: str) -> bool:
    """A short line without final punctuation in both languages reads as a subheading."""
    return (
        0 < len(en) <= 80
        and len(en.split()) <= 12
        and 0 < len(zh) <= 30
        and en[-1] not in FINAL_PUNCT
        and zh[-1] not in FINAL_PUNCT
    )


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origin: list[int] = []

    def add(self, text: str = "", line: int = 1) -> None:
        for part in text.split("\n"):
            self.lines.append(part)
            self.origin.append(line)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def split_notes(
    paragraphs: list[Line], path: Path, name: str
) -> tuple[list[tuple[Line, str]], list[tuple[Line, str]]]:
    """Blocks and footnote definitions of one language, as (dump line, Markdown).

    A paragraph ending in '*' refers to the next footnote; one starting with '*' is the
    text of the next footnote.
    """
    blocks: list[tuple[Line, str]] = []
    notes: list[tuple[Line, str]] = []
    refs = 0
    for line in paragraphs:
        if line.text.startswith("*") and len(line.text) > 1:
            notes.append((line, f"[^{len(notes) + 1}]: {escape(line.text[1:].strip())}"))
        elif line.text.endswith("*") and len(line.text) > 1:
            refs += 1
            blocks.append((line, f"{escape(line.text[:-1])}[^{refs}]"))
        else:
            blocks.append((line, escape(line.text)))
    if refs != len(notes):
        where = notes[refs][0] if len(notes) > refs else paragraphs[-1]
        raise SourceError(
            f"the {name} has {refs} footnote reference(s) ('…*') but {len(notes)} footnote text(s) ('*…')",
            path,
            where.number,
        )
    return blocks, notes


def to_markdown(path: Path, text: str, report: Report, prefer: str | None = None) -> tuple[str, list[int]]:
    """The dump as Markdown in the source format, and each Markdown line's dump line."""
    dump = DumpParser(path, text, report, prefer).parse()
    out = _Writer()
    write_front_matter(out, dump)
    write_brief(out, dump)
    write_texts(out, dump, path)
    if dump.comments is not None:
        out.add()
        out.add("# 讨论归档")
        if dump.comments:
            out.add()
        for author, date, line in dump.comments:
            out.add(f"- **{escape(author)}** ({date}): {escape(line.text)}", line.number)
    return out.text(), out.origin


def write_front_matter(out: _Writer, dump: Dump) -> None:
    out.add("---")
    for key, line in {"title": dump.title, "summary": dump.summary}.items():
        if line is not None:
            value = yaml.safe_dump({key: line.text}, allow_unicode=True, width=1 << 20).strip()
            out.add(value, line.number)
    out.add(f"date: {dump.date.text}", dump.date.number)
    out.add("---")


def write_section(out: _Writer, heading: str, items: list[tuple[str, int]]) -> None:
    out.add()
    out.add(f"# {heading}", items[0][1] if items else 1)
    out.add()
    for item, line in items:
        out.add(item, line)


def write_brief(out: _Writer, dump: Dump) -> None:
    if dump.key_points:
        items = [
            (f"- **{escape(label)}** {escape(item.text)}" if label else f"- {escape(item.text)}", item.number)
            for label, item in dump.key_points
        ]
        write_section(out, "核心观点", items)
    if dump.relevance:
        write_section(
            out, "跟我们的关联", [(f"- {escape(item.text)}", item.number) for item in dump.relevance]
        )
    if dump.prompts:
        items = [
            (f"{n}. {escape(prompt)}", line.number) for n, (prompt, line) in enumerate(dump.prompts, start=1)
        ]
        write_section(out, "讨论引子", items)


def write_texts(out: _Writer, dump: Dump, path: Path) -> None:
    """The original and the translation; a short line without final punctuation in both is a heading."""
    en_blocks, en_notes = split_notes(dump.original, path, "original")
    zh_blocks, zh_notes = split_notes(dump.translation, path, "translation")
    headings = {
        k
        for k, ((en, _), (zh, _)) in enumerate(zip(en_blocks, zh_blocks, strict=False))
        if is_heading(en.text, zh.text)
    }
    for heading, blocks, notes in (("原文", en_blocks, en_notes), ("译文", zh_blocks, zh_notes)):
        if not blocks:
            continue
        out.add()
        out.add(f"# {heading}", blocks[0][0].number)
        for k, (line, block) in enumerate(blocks):
            out.add()
            out.add(f"## {block}" if k in headings else block, line.number)
        for line, note in notes:
            out.add()
            out.add(note, line.number)
