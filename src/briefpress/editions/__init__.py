"""Editions: each module turns an Article into the bytes of one file.

An edition module has ``EXTENSION`` and ``render(article, options, report) -> bytes``,
or, when it writes several files or uses another edition's, ``render_files(article,
options, report, done) -> {file name: bytes}``.
Modules are imported only when their edition is built, so that ``briefpress --help``
and HTML-only builds never import WeasyPrint.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import Report
from ..model import Article
from ..options import Options

EDITIONS: dict[str, str] = {
    "html": "briefpress.editions.html",
    "pdf": "briefpress.editions.pdf",
    "epub": "briefpress.editions.epub",
    "newsletter": "briefpress.editions.newsletter",
}


def edition(name: str) -> ModuleType:
    return importlib.import_module(EDITIONS[name])


def render_edition(
    name: str, article: Article, options: Options, report: Report, done: dict[str, bytes]
) -> dict[str, bytes]:
    """The files of one edition, by name; ``done`` holds the files already rendered."""
    module = edition(name)
    if hasattr(module, "render_files"):
        return module.render_files(article, options, report, done)
    return {f"{article.meta.slug}.{module.EXTENSION}": module.render(article, options, report)}
