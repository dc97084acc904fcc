"""What a reader declares: the one base every source reader derives from.

A reader is one module with one class (as Pelican's ``BaseReader``): its ``name``, the
file ``extensions`` it handles, whether a file with one of them found in a folder is an
article by its name alone (``by_name``) or only when ``sniff(head)`` recognises its
content, and ``markdown(path, text, report)``: the source as Markdown in the article
source format, with each Markdown line's line in the file. Reading is that Markdown
read by the Markdown reader, and the typography lint reads the same Markdown, so a
reader says once what its file means. The table of readers is
:data:`briefpress.sources.READERS`: adding a reader is its module and one line there.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ..errors import Report
from ..model import Article
from ..options import Options
from .text import read_source

#: the Markdown a source reads as, and each of its lines' line in the file (None: the same)
LintText = tuple[str, list[int] | None]


class BaseReader:
    """A source reader; subclasses set the class attributes and :meth:`sniff` and
    :meth:`markdown` (or :meth:`read`, as the Markdown reader does)."""

    #: the reader's name, for messages and the README
    name: ClassVar[str] = ""
    #: the file extensions it reads, lower case, without the dot
    file_extensions: ClassVar[tuple[str, ...]] = ()
    #: a file found in a folder with one of the extensions is an article by its name
    #: (Markdown); otherwise only when :meth:`sniff` recognises its content
    by_name: ClassVar[bool] = False
    #: what its files are, in the error for a file no reader takes
    describes: ClassVar[str] = ""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options()

    def sniff(self, head: str) -> bool:
        """Whether the file's first characters (``head``) are a source of this reader."""
        raise NotImplementedError

    def markdown(self, path: Path, text: str, report: Report) -> LintText:
        """The source's ``text`` as Markdown in the article source format, and each
        Markdown line's line in ``path``; problems are SourceErrors naming ``path``."""
        raise NotImplementedError

    def read(self, path: Path, report: Report) -> Article:
        """The article ``path`` holds: its Markdown, read by the Markdown reader."""
        from .markdown import MarkdownReader

        markdown, line_map = self.markdown(path, read_source(path), report)
        return MarkdownReader(self.options).read_text(path, markdown, report, line_map)

    def lint_text(self, path: Path, report: Report) -> LintText:
        """What the typography lint reads of ``path``: its Markdown (see :meth:`markdown`)."""
        return self.markdown(path, read_source(path), report)
