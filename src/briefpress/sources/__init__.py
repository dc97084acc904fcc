"""Readers turn a source file into an :class:`~briefpress.model.Article`.

A reader declares the file extensions it handles and a ``read(path, report)``
method; :func:`reader_for` picks one by extension, the way Pelican picks its readers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..errors import Report, SourceError
from ..model import Article
from .markdown import MarkdownReader


class Reader(Protocol):
    file_extensions: tuple[str, ...]

    def read(self, path: Path, report: Report) -> Article: ...


READERS: list[Reader] = [MarkdownReader()]  # first match by extension wins


def source_extensions() -> tuple[str, ...]:
    return tuple(ext for reader in READERS for ext in reader.file_extensions)


def reader_for(path: Path) -> Reader:
    suffix = path.suffix.lower().lstrip(".")
    for reader in READERS:
        if suffix in reader.file_extensions:
            return reader
    known = ", ".join("." + ext for ext in source_extensions())
    raise SourceError(f"not an article source (expected one of {known})", path)


def read_article(path: Path, report: Report) -> Article:
    return reader_for(path).read(path, report)
