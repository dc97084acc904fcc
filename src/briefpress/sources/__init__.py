"""Readers turn a source file into an :class:`~briefpress.model.Article`.

Each reader is one module that declares itself (see :mod:`.base`): its name, its file
extensions, ``sniff(head)`` to recognise its files by their content, and the Markdown
its source reads as, which ``read`` reads and the typography lint lints. :data:`READERS`
lists them; :func:`reader_for` picks one, the content first and then the extension, the
way Pelican picks its readers.
"""

from __future__ import annotations

import copy
from pathlib import Path

from ..errors import Report, SourceError
from ..model import GIVEN, Article
from ..options import Options
from .base import BaseReader, LintText
from .jsonarticle import JsonReader
from .jsonarticle import article_markdown as json_markdown
from .markdown import MarkdownReader
from .pagedump import PageDumpReader
from .text import read_head

__all__ = [
    "READERS",
    "BaseReader",
    "Given",
    "is_source",
    "read_given",
    "lint_text",
    "read_article",
    "reader_for",
    "readers",
]

#: every source reader, in the order they are asked; adding a reader is one line here
READERS: list[type[BaseReader]] = [
    MarkdownReader,
    PageDumpReader,
    JsonReader,
]


def readers(options: Options | None = None) -> list[BaseReader]:
    """One of each reader, reading with ``options`` (``--prefer`` and the like)."""
    return [reader(options) for reader in READERS]


def source_extensions() -> tuple[str, ...]:
    return tuple(ext for reader in READERS for ext in reader.file_extensions)


def reader_for(path: Path, options: Options | None = None) -> BaseReader:
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
    kinds = [reader.describes for reader in READERS]
    known = ", ".join("." + ext for ext in source_extensions())
    raise SourceError(
        f"not an article source (expected {', '.join(kinds[:-1])} or {kinds[-1]}: {known})",
        path,
    )


def is_source(path: Path) -> bool:
    """Whether a file found in a folder is an article: by its name for a reader that says
    so (Markdown), by its content for the others (page dumps, JSON articles)."""
    suffix = path.suffix.lower().lstrip(".")
    takers = [reader for reader in READERS if suffix in reader.file_extensions]
    if any(reader.by_name for reader in takers):
        return True
    if not takers:
        return False
    head = read_head(path)
    return any(reader(None).sniff(head) for reader in takers)


def lint_text(path: Path, options: Options | None = None) -> LintText:
    """What the typography lint reads of the source at ``path``, as its reader gives it."""
    return reader_for(path, options).lint_text(path, Report())


def read_article(path: Path, report: Report, options: Options | None = None) -> Article:
    """The article ``path`` holds, with the typography options applied to its text."""
    from ..typography import prepare  # typography reads sources.text: imported when used

    article = reader_for(path, options).read(path, report)
    warn_incomplete(article, report)
    prepare(article, options or Options(), report)
    return article


#: what ``briefpress.build`` takes besides paths: articles, and dicts in the JSON reader's shape
Given = Article | dict


def read_given(item: Given, number: int, report: Report, options: Options | None = None) -> Article:
    """An article given in memory, read as a file would be (the typography options applied
    to a copy): a dict in the JSON reader's shape, or an :class:`Article` (from
    ``Article.from_markdown``, say). It is named ``<given:slug>`` (``<given:article-N>``
    without a slug) in messages and stamps; its images are looked for from the working folder."""
    from ..typography import prepare

    if isinstance(item, Article):
        article = copy.deepcopy(item)
    else:
        name = item.get("slug") if isinstance(item.get("slug"), str) and item["slug"] else f"article-{number}"
        path = Path(GIVEN.format(name=name))
        markdown, line_map = json_markdown(item, path)
        article = MarkdownReader(options).read_text(path, markdown, report, line_map)
    warn_incomplete(article, report)
    prepare(article, options or Options(), report)
    return article


def warn_incomplete(article: Article, report: Report) -> None:
    """A warning for an article without a translation, and one for an article without a
    brief, each naming what its editions leave out (an error with ``--strict``): the format
    allows both, an issue that goes to print without them is more often a slip than a
    choice. Two warnings, not one, so that each code can be made strict or suppressed."""
    if article.translation is None:
        report.warn(
            "no translation ('# 译文'): its editions leave out the bilingual pages",
            article.path,
            code="no-translation",
        )
    if not (article.has_brief or article.prompts):
        report.warn(
            "no brief ('# 核心观点', '# 跟我们的关联' or '# 讨论引子'): its editions leave out the brief",
            article.path,
            code="no-brief",
        )
