"""The ordered steps of a build: find sources, read them all, check, render, write.

Every source is read and validated before anything is written (as MkDocs does), and
each article's editions are rendered in memory and then moved into place with an
atomic rename, so a failed build never leaves a truncated or half-replaced edition.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from . import __version__
from .editions import edition, render_edition
from .errors import BriefpressError, BuildError, Report, SourceError, SourceErrors
from .fonts import check_fonts
from .l10n import labels
from .model import Article
from .options import Options
from .render import resource_dir
from .sources import is_source, read_article, source_extensions


@dataclass
class BuildResult:
    """What a build did: the files it wrote, its warnings and the problems it met."""

    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[BriefpressError] = field(default_factory=list)
    articles: int = 0
    built: int = 0
    unchanged: int = 0
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


@dataclass
class Outcome:
    """One article's build, as a worker process reports it back."""

    path: Path
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: BriefpressError | None = None
    timings: dict[str, float] = field(default_factory=dict)
    unchanged: bool = False


def build_article(article: Article, options: Options, stamp: str, earlier_warnings: int) -> Outcome:
    """Render and write one article; runs in a worker process in batch builds."""
    report = Report()
    outcome = Outcome(article.path)
    try:
        files = render_article(article, options, report, outcome.timings)
        warnings = earlier_warnings + report.count_for(article.path)
        if options.strict and warnings:
            raise BuildError(f"{warnings} warning(s) and --strict: nothing written", article.path)
        outcome.outputs = write_article(article, files, options.output, stamp)
    except BriefpressError as exc:
        outcome.error = exc
    except Exception as exc:  # a renderer bug must not hide the other articles
        if options.verbosity > 0:
            import traceback

            traceback.print_exc()
        outcome.error = BuildError(
            f"could not render: {type(exc).__name__}: {exc} (run with -v for details)", article.path
        )
    outcome.warnings = report.warnings
    return outcome


Progress = Callable[[int, int, Outcome], None]


def _child(connection: Connection, args: tuple) -> None:
    options: Options = args[1]
    if options.max_memory:
        import resource

        limit = options.max_memory * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # MemoryError, not the OOM killer
    connection.send(build_article(*args))
    connection.close()


def run_isolated(work: list[tuple], jobs: int, timeout: float | None) -> Iterator[Outcome]:
    """Build each article in its own process, ``jobs`` at a time, each within ``timeout``.

    A process that runs out of time is killed and its article fails; one that dies
    (out of memory, a crash in a C library) fails its article alone. Outputs are
    written by the process itself with an atomic rename, so a killed one leaves none.
    """
    context = multiprocessing.get_context("fork")
    pending = list(work)
    running: dict[Any, tuple[tuple, Connection, float]] = {}
    while pending or running:
        while pending and len(running) < jobs:
            args = pending.pop(0)
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(sender, args), daemon=True)
            process.start()
            sender.close()
            running[process] = (args, receiver, time.monotonic())
        ready = wait([connection for _, connection, _ in running.values()], timeout=0.1)
        for process, (args, connection, started) in list(running.items()):
            article = args[0]
            outcome = None
            if connection in ready:
                try:
                    outcome = connection.recv()
                except EOFError:  # the process died without an answer
                    process.join()
                    outcome = Outcome(
                        article.path,
                        error=BuildError(
                            f"the build process ended without a result (exit code {process.exitcode}, "
                            "often a sign of running out of --max-memory); nothing written",
                            article.path,
                        ),
                    )
            elif timeout and time.monotonic() - started > timeout:
                process.kill()
                outcome = Outcome(
                    article.path,
                    error=BuildError(
                        f"took longer than {timeout:g} s (--timeout); nothing written", article.path
                    ),
                )
            if outcome is not None:
                process.join()
                connection.close()
                del running[process]
                if outcome.error is not None:  # a killed process may have left staged files
                    for staged in (args[1].output / article.meta.slug).glob(".*.tmp"):
                        staged.unlink(missing_ok=True)
                yield outcome


def build(
    paths: Iterable[str | Path],
    options: Options | None = None,
    report: Report | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build every article named by ``paths`` into ``options.output``.

    Articles whose sources, images, templates, styles, options and briefpress version
    are unchanged since their last build are skipped (unless ``options.force``); the
    others are built in a pool of ``options.jobs`` worker processes. Problems with one
    article do not stop the others; they are returned in ``BuildResult.errors`` (with
    ``--strict``, warnings count as problems). ``progress(done, total, outcome)`` is
    called as each article finishes.
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
    good = [a for a in articles if a.path not in failed]
    shared = resources_hash()
    stamps = {a.path: article_hash(a, options, shared) for a in good}
    done = 0
    failed_now: list[Path] = []

    def finished(outcome: Outcome) -> None:
        nonlocal done
        done += 1
        for warning in outcome.warnings:
            report.add(warning, outcome.path)
        result.timings[outcome.path] = outcome.timings
        if outcome.unchanged:
            result.unchanged += 1
        elif outcome.error is not None:
            result.errors.append(outcome.error)
            failed_now.append(outcome.path)
        else:
            result.outputs += outcome.outputs
            result.built += 1
        if progress:
            progress(done, len(good), outcome)

    todo = []
    for article in good:
        if not options.force and up_to_date(article, options.output, stamps[article.path]):
            finished(Outcome(article.path, unchanged=True))
        else:
            todo.append(article)

    jobs = min(options.jobs or os.cpu_count() or 1, len(todo))
    work = [(a, options, stamps[a.path], report.count_for(a.path)) for a in todo]
    if work and (jobs > 1 or options.timeout):
        # import the renderers once here: every forked process then starts with them
        for name in options.formats:
            edition(name)
        for outcome in run_isolated(work, max(jobs, 1), options.timeout):
            finished(outcome)
    else:
        for args in work:
            finished(build_article(*args))

    if options.digest and good:
        built_ok = [a for a in good if a.path not in failed_now]
        try:
            result.outputs += build_digest(built_ok, options, report, stamps)
        except BriefpressError as exc:
            result.errors.append(exc)
        except Exception as exc:  # a renderer bug: one line, as for an article
            if options.verbosity > 0:
                raise
            result.errors.append(BuildError(f"could not build the digest: {type(exc).__name__}: {exc}"))
    result.warnings = list(report.warnings)
    result.seconds = time.perf_counter() - started
    return result


DIGEST_FORMATS = ("pdf", "epub")


def build_digest(
    articles: list[Article], options: Options, report: Report, stamps: dict[Path, str]
) -> list[Path]:
    """``DIR/<digest-slug>/<digest-slug>.pdf`` and ``.epub`` holding every article."""
    from . import digest

    assert options.digest is not None
    slug = options.digest_slug
    if any(a.meta.slug == slug for a in articles):
        raise BuildError(
            f"the digest's slug {slug!r} is also an article's; choose another with --digest-slug"
        )
    ordered = digest.order_articles(articles, options.order)
    formats = [f for f in DIGEST_FORMATS if f in options.formats] or list(DIGEST_FORMATS)
    stamp = digest.digest_hash(options.digest, slug, [stamps[a.path] for a in ordered] + formats)
    folder = options.output / slug
    names = [f"{slug}.{f}" for f in formats]
    if not options.force and stamp_matches(folder, slug, stamp, names):
        return []
    files: dict[str, bytes] = {}
    before = len(report.warnings)
    if "pdf" in formats:
        files[f"{slug}.pdf"] = digest.render_pdf(options.digest, ordered, options, report)
    if "epub" in formats:
        files[f"{slug}.epub"] = digest.render_epub(options.digest, slug, ordered, options)
    if options.strict and len(report.warnings) > before:
        raise BuildError(f"{len(report.warnings) - before} warning(s) and --strict: digest not written")
    return write_files(folder, slug, files, stamp, where=None)


# -- incremental builds ------------------------------------------------------------------

STAMP = ".{slug}.briefpress"


def resources_hash() -> str:
    """Everything a build reads besides the sources: templates, styles, the version."""
    digest = hashlib.sha256(__version__.encode())
    for folder in (resource_dir("templates"), resource_dir("styles")):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def article_hash(article: Article, options: Options, shared: str) -> str:
    """A content hash of what the article's editions are made from."""
    digest = hashlib.sha256(shared.encode())
    settings = {
        k: v
        for k, v in dataclasses.asdict(options).items()
        if k not in ("output", "verbosity", "jobs", "force", "digest", "digest_slug", "order")
    }
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    digest.update(article.path.read_bytes())
    for image in article.images:
        digest.update(image.read_bytes())
    return digest.hexdigest()


def read_stamp(folder: Path, slug: str) -> dict:
    """What the last build of ``folder`` recorded: hash, files, source; {} if nothing."""
    try:
        data = json.loads((folder / STAMP.format(slug=slug)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def stamp_matches(folder: Path, slug: str, stamp: str, names: list[str] | None = None) -> bool:
    data = read_stamp(folder, slug)
    if not data:
        return False
    files = data.get("files", [])
    if names is not None and sorted(files) != sorted(names):
        return False
    return data.get("hash") == stamp and all((folder / name).is_file() for name in files)


def up_to_date(article: Article, output: Path, stamp: str) -> bool:
    return stamp_matches(output / article.meta.slug, article.meta.slug, stamp)


def write_article(article: Article, files: dict[str, bytes], output: Path, stamp: str) -> list[Path]:
    return write_files(output / article.meta.slug, article.meta.slug, files, stamp, article.path)


def write_files(
    folder: Path, slug: str, files: dict[str, bytes], stamp: str, where: Path | None
) -> list[Path]:
    """Write the files and the stamp that lets the next build skip them, all or none."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the output folder {folder}: {exc.strerror or exc}", where) from None
    targets = {folder / name: data for name, data in files.items()}
    record = json.dumps(
        {"hash": stamp, "files": sorted(files), "source": str(where.resolve()) if where else None}
    ).encode()
    try:
        write_all({**targets, folder / STAMP.format(slug=slug): record})
    except OSError as exc:
        raise BuildError(
            f"cannot write to {folder}: {exc.strerror or exc}; choose another folder with -o", where
        ) from None
    return list(targets)
