"""Finding the sources of a build: the files named, and the articles in the folders named."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import BriefpressError, SourceError
from ..sources import is_source, source_extensions


def find_sources(paths: Iterable[str | Path]) -> tuple[list[Path], list[BriefpressError]]:
    """The article files named by ``paths``: files as given, folders searched (sorted).

    A file found in a folder must lie inside that folder once symlinks are resolved (as
    an image must): a link to a private file elsewhere is refused, not published. A
    file named on the command line is built wherever it lies.
    """
    found: list[Path] = []
    refused: list[BriefpressError] = []
    extensions = source_extensions()
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and path.suffix.lower().lstrip(".") not in extensions:
            inside = sorted(
                p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".") and is_source(p)
            )
            if not inside:
                raise SourceError("the folder holds no article sources (*.md files, or page dumps)", path)
            root = path.resolve()
            for source in inside:
                if source.resolve().is_relative_to(root):
                    found.append(source)
                else:
                    refused.append(
                        SourceError(
                            f"is a link to a file outside {path}; it is not built "
                            "(name it on the command line to build it)",
                            source,
                        )
                    )
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise SourceError("no such file or folder", path)
    return list(dict.fromkeys(found)), refused
