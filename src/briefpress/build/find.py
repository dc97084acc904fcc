"""Finding the sources of a build: the files named, and the articles in the folders named.

A folder holds more than articles: a ``README.md``, notes, a ``drafts/todo.md``. A
Markdown file found in a folder that shows no sign of being an article (no front matter,
no ``title:`` or ``date:`` line at its top, no ``# 原文`` or ``# 译文`` section) is not
one: it is skipped and counted, never an error. A file named on the command line is
always read (the user asked for it), and so is a file that looks like a broken article:
its reader says what is wrong.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BriefpressError, SourceError
from ..sources import READERS, is_source, readers, source_extensions
from ..sources.lookalike import looks_like
from ..sources.markdown import SECTIONS

#: how much of a file is read to tell whether it is an article
HEAD = 8192
#: the headings that only an article has (casefolded: section)
_TEXT_SECTIONS = {name.casefold(): key for key in ("original", "translation") for name in SECTIONS[key]}
#: front-matter keys every article has, as a line at the top of a file without its '---'
_KEYS = ("title:", "date:", "title\uff1a", "date\uff1a")


@dataclass
class Found:
    """The sources of a build, and the files of its folders that are not articles."""

    sources: list[Path] = field(default_factory=list)
    #: files found in a folder that may not be built (a link out of it)
    refused: list[BriefpressError] = field(default_factory=list)
    #: Markdown files found in a folder that are not articles (no front matter)
    not_articles: list[Path] = field(default_factory=list)
    #: the sources found in a folder (not named): a draft among them is skipped
    in_folders: set[Path] = field(default_factory=set)
    #: the folders named
    folders: list[Path] = field(default_factory=list)


def find(paths: Iterable[str | Path]) -> Found:
    """The article files named by ``paths``: files as given, folders searched (sorted).

    A file found in a folder must lie inside that folder once symlinks are resolved (as
    an image must): a link to a private file elsewhere is refused, not published. Files
    in hidden folders (``.git``, ``.github``) are not looked at. A file named on the
    command line is built wherever it lies.
    """
    found = Found()
    extensions = source_extensions()
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and path.suffix.lower().lstrip(".") not in extensions:
            found.folders.append(path)
            _search(path, found)
        elif path.exists() or path.is_symlink():
            found.sources.append(path)
        else:
            raise SourceError("no such file or folder", path)
    found.sources = list(dict.fromkeys(found.sources))
    found.in_folders -= {Path(p) for p in paths}
    return found


def _search(folder: Path, found: Found) -> None:
    inside = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        if is_source(p)
    )
    root = folder.resolve()
    articles, refused_before = 0, len(found.refused)
    for source in inside:
        if not source.resolve().is_relative_to(root):
            found.refused.append(
                SourceError(
                    f"is a link to a file outside {folder}; it is not built "
                    "(name it on the command line to build it)",
                    source,
                )
            )
        elif not_an_article(source):
            found.not_articles.append(source)
        else:
            found.sources.append(source)
            found.in_folders.add(source)
            articles += 1
    if not inside:
        raise SourceError(
            "the folder holds no article sources (*.md files, page dumps or JSON articles)", folder
        )
    if not articles and len(found.refused) == refused_before:
        raise SourceError(
            f"the folder holds no articles: its {len(inside)} Markdown file(s) have no front matter "
            "(an article starts with a '---' line, then 'title:' and 'date:', then another '---' line)",
            folder,
        )


def not_an_article(path: Path) -> bool:
    """Whether a Markdown file found in a folder shows no sign of being an article: no
    front matter, no page dump, no ``title:``/``date:`` line at its top, no original or
    translation section. A file that cannot be read, or holds NUL bytes (UTF-16), is
    taken for an article: reading it says what is wrong."""
    suffix = path.suffix.lower().lstrip(".")
    if not any(suffix in reader.file_extensions for reader in READERS if reader.by_name):
        return False  # the other readers' files were taken by their content
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return False
        try:
            data = stream.read(HEAD)
        except OSError:
            return False
    if b"\0" in data:
        return False
    head = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    if any(reader.sniff(head) for reader in readers()):
        return False
    lines = head.split("\n")
    if any(line.lstrip(" \ufeff").lower().startswith(_KEYS) for line in lines[:10]):
        return False
    for line in lines:
        text = line.strip()
        if text.startswith("# ") and text[2:].strip().casefold() in _TEXT_SECTIONS:
            return False
        if looks_like(line, _TEXT_SECTIONS) is not None:
            return False
    return True


def find_sources(paths: Iterable[str | Path]) -> tuple[list[Path], list[BriefpressError]]:
    """The sources named by ``paths`` and the files refused (see :func:`find`)."""
    found = find(paths)
    return found.sources, found.refused
