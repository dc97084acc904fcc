"""Readers turn a source file into an :class:`~briefpress.model.Article`.

A reader declares the file extensions it handles, ``sniff(head)`` to recognise its
files by their content, and ``read(path, report)``; :func:`reader_for` picks one, the
content first and then the extension, the way Pelican picks its readers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..errors import Report, SourceError
from ..model import Article
from ..options import Options
from .markdown import MarkdownReader
from .pagedump import PageDumpReader
from .text import read_head


class Reader(Protocol):
    file_extensions: tuple[str, ...]

    def sniff(self, head: str) -> bool: ...

    def read(self, path: Path, report: Report) -> Article: ...


def readers(options: Options | None = None) -> list[Reader]:
    options = options or Options()
    return [MarkdownReader(), PageDumpReader(prefer=options.prefer)]


def source_extensions() -> tuple[str, ...]:
    return tuple(ext for reader in readers() for ext in reader.file_extensions)


def reader_for(path: Path, options: Options | None = None) -> Reader:
    candidates = readers(options)
    if path.is_file():
        head = read_head(path)
        for reader in candidates:
            if reader.sniff(head):
                return reader
    suffix = path.suffix.lower().lstrip(".")
    for reader in candidates:
        if suffix in reader.file_extensions:
            return reader
    known = ", ".join("." + ext for ext in source_extensions())
    raise SourceError(
        f"not an article source (expected Markdown with front matter or a page dump: {known})",
        path,
    )


def is_source(path: Path) -> bool:
    """Whether a file found in a folder is an article: Markdown by name, dumps by content."""
    if path.suffix.lower() in (".md", ".markdown"):
        return True
    return path.suffix.lower() == ".txt" and PageDumpReader().sniff(read_head(path))


def read_article(path: Path, report: Report, options: Options | None = None) -> Article:
    """The article ``path`` holds, with the typography options applied to its text."""
    from ..typography import prepare

    article = reader_for(path, options).read(path, report)
    warn_incomplete(article, report)
    prepare(article, options or Options(), report)
    return article


def warn_incomplete(article: Article, report: Report) -> None:
    """One warning for an article without a translation or a brief, naming what its
    editions leave out (an error with ``--strict``): the format allows both, an issue
    that goes to print without them is more often a slip than a choice."""
    missing, left_out = [], []
    if article.translation is None:
        missing.append("no translation ('# 译文')")
        left_out.append("the bilingual pages")
    if not (article.has_brief or article.prompts):
        missing.append("no brief ('# 核心观点', '# 跟我们的关联' or '# 讨论引子')")
        left_out.append("the brief")
    if missing:
        code = "no-translation" if article.translation is None else "no-brief"
        report.warn(
            f"{' and '.join(missing)}: its editions leave out {' and '.join(left_out)}",
            article.path,
            code=code,
        )
