"""briefpress: bilingual article sources to an HTML page, a PDF handout and an EPUB.

The Python API mirrors the CLI and takes the same options::

    import briefpress
    result = briefpress.build(["examples/"], output="output", formats="html,pdf")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .builder import BuildResult
    from .options import Options


def build(
    paths: list[str | Path] | str | Path, options: Options | None = None, **overrides: Any
) -> BuildResult:
    """Build the articles under ``paths``; ``overrides`` are option names, as in the CLI.

    Options come from ``options`` (or ``./briefpress.toml`` when not given), then
    ``overrides``. Returns a :class:`~briefpress.builder.BuildResult`; problems are in its
    ``errors`` rather than raised, so one bad article does not hide the others.
    """
    from .builder import build as run
    from .options import load

    if isinstance(paths, (str, Path)):
        paths = [paths]
    return run(paths, load(overrides, base=options) if options or overrides else load())


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
