"""The ordered steps of a build: find sources, read them all, check, render, write.

Every source is read and validated before anything is written (as MkDocs does), and
each article's editions are rendered in memory and then moved into place with an
atomic rename, so a failed build never leaves a truncated or half-replaced edition.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .editions import render_edition
from .errors import BriefpressError, BuildError, Report, SourceError, SourceErrors
from .fonts import check_fonts
from .l10n import labels
from .model import Article
from .options import Options
from .sources import is_source, read_article, source_extensions


@dataclass
class BuildResult:
    """What a build did: the files it wrote, its warnings and the problems it met."""

    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[BriefpressError] = field(default_factory=list)
    articles: int = 0
    built: int = 0
    #: seconds per step (font check, each edition) for each article source
    timings: dict[Path, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


def find_sources(paths: Iterable[str | Path]) -> list[Path]:
    """The article files named by ``paths``: files as given, folders searched (sorted)."""
    found: list[Path] = []
    extensions = source_extensions()
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and path.suffix.lower().lstrip(".") not in extensions:
            inside = sorted(
                p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".") and is_source(p)
            )
            if not inside:
                raise SourceError("the folder holds no article sources (*.md files, or page dumps)", path)
            found.extend(inside)
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise SourceError("no such file or folder", path)
    return list(dict.fromkeys(found))


def stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``target``; return the temporary path."""
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o644)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def write_all(files: dict[Path, bytes]) -> None:
    """Write several files so that either all are replaced or none is.

    Each is first written in full beside its target; only then are they renamed into
    place, which cannot fail halfway through one file.
    """
    staged: dict[Path, Path] = {}
    try:
        for target, data in files.items():
            staged[target] = stage(target, data)
        for target, temp in staged.items():
            os.replace(temp, target)
    finally:
        for temp in staged.values():
            temp.unlink(missing_ok=True)


def read_all(
    sources: list[Path], report: Report, options: Options
) -> tuple[list[Article], list[BriefpressError]]:
    articles: list[Article] = []
    errors: list[BriefpressError] = []
    for source in sources:
        try:
            articles.append(read_article(source, report, options))
        except SourceErrors as exc:
            errors.extend(exc.errors)
        except BriefpressError as exc:
            errors.append(exc)
    by_slug: dict[str, Article] = {}
    for article in articles:
        other = by_slug.setdefault(article.meta.slug, article)
        if other is not article:
            errors.append(
                SourceError(
                    f"slug {article.meta.slug!r} is also used by {other.path}; set a different "
                    "'slug:' in the front matter",
                    article.path,
                )
            )
    return articles, errors


def render_article(
    article: Article, options: Options, report: Report, timings: dict[str, float] | None = None
) -> dict[str, bytes]:
    """All requested editions of one article, as bytes, in the order of ``options.formats``.

    ``timings``, when given, receives the seconds each step took.
    """
    timings = {} if timings is None else timings
    started = time.perf_counter()
    ui = "".join(labels(options.lang_ui).values())
    check_fonts(article, options, report, article.all_text() + ui)
    timings["fonts"] = time.perf_counter() - started
    files: dict[str, bytes] = {}
    # the newsletter attaches the PDF: render the PDF first when both are asked for
    for name in sorted(options.formats, key=lambda f: f == "newsletter"):
        started = time.perf_counter()
        files.update(render_edition(name, article, options, report, files))
        timings[name] = time.perf_counter() - started
    return files


def build(
    paths: Iterable[str | Path], options: Options | None = None, report: Report | None = None
) -> BuildResult:
    """Build every article named by ``paths`` into ``options.output``.

    Problems with one article do not stop the others; they are returned in
    ``BuildResult.errors`` (with ``--strict``, warnings count as problems).
    """
    started = time.perf_counter()
    options = options or Options()
    report = report or Report()
    result = BuildResult()
    try:
        sources = find_sources(paths)
    except BriefpressError as exc:
        result.errors.append(exc)
        return result
    result.articles = len(sources)
    articles, result.errors = read_all(sources, report, options)
    failed = {Path(e.path) for e in result.errors if e.path}
    for article in articles:
        if article.path in failed:
            continue
        try:
            timings = result.timings.setdefault(article.path, {})
            files = render_article(article, options, report, timings)
            if options.strict and report.count_for(article.path):
                raise BuildError(
                    f"{report.count_for(article.path)} warning(s) and --strict: nothing written",
                    article.path,
                )
            result.outputs += write_article(article, files, options.output)
            result.built += 1
        except BriefpressError as exc:
            result.errors.append(exc)
        except Exception as exc:  # a renderer bug must not hide the other articles
            result.errors.append(
                BuildError(
                    f"could not render: {type(exc).__name__}: {exc} (run with -v for details)",
                    article.path,
                )
            )
            if options.verbosity > 0:
                raise
    result.warnings = list(report.warnings)
    result.seconds = time.perf_counter() - started
    return result


def write_article(article: Article, files: dict[str, bytes], output: Path) -> list[Path]:
    folder = output / article.meta.slug
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(
            f"cannot create the output folder {folder}: {exc.strerror or exc}", article.path
        ) from None
    targets = {folder / name: data for name, data in files.items()}
    try:
        write_all(targets)
    except OSError as exc:
        raise BuildError(
            f"cannot write to {folder}: {exc.strerror or exc}; choose another folder with -o",
            article.path,
        ) from None
    return list(targets)
