"""briefpress: bilingual article sources to an HTML page, a PDF handout and an EPUB.

The Python API mirrors the CLI and takes the same options::

    import briefpress
    result = briefpress.build(["examples/"], output="output", formats="html,pdf")

It takes articles from memory too: :class:`Article` objects (``Article.from_markdown``)
and dicts in the JSON reader's shape (``briefpress/schemas/article.schema.json``)::

    briefpress.build([{"title": "标题", "date": "2026-06-09", "slug": "one",
                       "original": "Text.", "translation": "文字。"}], formats="html")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

# The build/ package is imported first (it imports nothing itself), so that the function
# defined below, not the package, is ``briefpress.build``; the package stays reachable
# as ``briefpress.build.steps`` and the like through the import system.
from . import build as _build_package  # noqa: F401

__all__ = ["Article", "build", "import_pages"]

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .build.steps import BuildResult
    from .model import Article
    from .options import Options


def build(
    paths: list[str | Path | Article | dict] | str | Path | Article | dict,
    options: Options | None = None,
    **overrides: Any,
) -> BuildResult:
    """Build the articles under ``paths`` (files and folders), and the articles given in
    memory (:class:`Article` objects, dicts in the JSON reader's shape, each named
    ``<given:slug>`` in messages); ``overrides`` are option names, as in the CLI.

    Options come from ``options`` when given — an explicit object is complete, and
    ``./briefpress.toml`` is not read — or else from ``./briefpress.toml``; then
    ``overrides``. Returns a :class:`~briefpress.build.steps.BuildResult`; problems are
    in its ``errors`` rather than raised, so one bad article does not hide the others.
    """
    from .build.steps import build as run
    from .model import Article
    from .options import load

    if isinstance(paths, (str, Path, Article, dict)):
        paths = [paths]
    return run(paths, load(overrides, base=options))


def import_pages(
    paths: list[str | Path] | str | Path,
    output: str | Path = ".",
    slug: str | None = None,
    **overrides: Any,
) -> Any:
    """Write ``output/<slug>.md`` for each page dump; see :func:`briefpress.importer.import_pages`."""
    from .importer import import_pages as run
    from .options import load

    if isinstance(paths, (str, Path)):
        paths = [paths]
    return run(paths, output, load(overrides), slug=slug)


def __getattr__(name: str) -> Any:
    """``briefpress.Article``, imported when first used: ``import briefpress`` (and
    ``--help``) stays free of the Markdown parser."""
    if name == "Article":
        from .model import Article

        return Article
    raise AttributeError(f"module 'briefpress' has no attribute {name!r}")
