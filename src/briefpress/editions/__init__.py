"""Editions: each module turns an Article into the bytes of one file.

An edition module has ``EXTENSION`` and ``render(article, options, report) -> bytes``.
Modules are imported only when their edition is built, so that ``briefpress --help``
and HTML-only builds never import WeasyPrint.
"""

from __future__ import annotations

import importlib
from types import ModuleType

EDITIONS: dict[str, str] = {
    "html": "briefpress.editions.html",
    "pdf": "briefpress.editions.pdf",
    "epub": "briefpress.editions.epub",
}


def edition(name: str) -> ModuleType:
    return importlib.import_module(EDITIONS[name])
