"""The ordered steps of a build: find sources, read them all, check, render, write.

Every source is read and validated before anything is written (as MkDocs does), and
each article's editions are rendered in memory and then moved into place together
(:mod:`.output`), so a failed build never leaves a truncated or half-replaced edition.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import cache
from ..editions import DIGEST, EDITIONS, plan, prepare, render_edition
from ..errors import BriefpressError, BuildError, Report, SourceError, SourceErrors
from ..fontcheck import check_families
from ..fonts import check_fonts, warn_unshown
from ..l10n import labels
from ..model import Article
from ..options import Options, source_date_epoch
from ..sources import is_source, read_article, source_extensions
from .output import write_folder
from .stamps import STAMP, article_hash, owner_conflict, record, resources_hash, stamp_matches
from .workers import Background, Job, Outcome, Work, run_isolated, run_job


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
    #: the output folder's index.html and feed.xml, when this build refreshed them
    index: list[Path] = field(default_factory=list)
    #: every source found, with the images it uses (none when it could not be read)
    inputs: dict[Path, list[Path]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


Progress = Callable[[int, int, Outcome], None]


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


def read_all(
    sources: list[Path], report: Report, options: Options
) -> tuple[list[Article], list[BriefpressError]]:
    """Every source read and checked, each in a worker within the limits; no two may share a slug."""
    articles: list[Article] = []
    errors: list[BriefpressError] = []
    outcomes = {o.path: o for o in run_all([Job(path, options) for path in sources], read_source, options)}
    for source in sources:
        outcome = outcomes[source]
        report.merge(outcome.warnings, source, outcome.warning_count)
        if isinstance(outcome.error, SourceErrors):
            errors.extend(outcome.error.errors)
        elif outcome.error is not None:
            errors.append(outcome.error)
        elif outcome.article is not None:
            articles.append(outcome.article)
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


def read_source(job: Job, report: Report, outcome: Outcome) -> None:
    """Read one source; runs in a worker."""
    outcome.article = read_article(job.path, report, job.options)


def cores(options: Options) -> int:
    """How many processes the build may keep busy: ``--jobs``, else one per CPU."""
    return options.jobs or os.cpu_count() or 1


def run_all(
    jobs: list[Job], work: Work, options: Options, after: str = "nothing written"
) -> Iterator[Outcome]:
    """``work`` for each job: in worker processes within the limits, or here when there
    are no limits to keep and one process to use (``after``: see :func:`run_isolated`)."""
    processes = min(cores(options), len(jobs))
    if jobs and (processes > 1 or options.timeout or options.max_memory):
        yield from run_isolated(jobs, work, max(processes, 1), options.timeout, after)
    else:
        for job in jobs:
            yield run_job(job, work)


def render_article(
    article: Article,
    options: Options,
    report: Report,
    timings: dict[str, float] | None = None,
    spare_cores: int = 0,
) -> dict[str, bytes]:
    """The files of the requested editions of one article, as bytes.

    An edition another one needs (the newsletter attaches the PDF) is rendered first,
    and kept in memory only when it was not asked for. With a spare core, the PDF (the
    longest) is rendered in a process of its own while the others are made here.
    ``timings``, when given, receives the seconds each step took.
    """
    timings = {} if timings is None else timings
    started = time.perf_counter()
    ui = "".join(labels(options.lang_ui).values())
    check_fonts(article, options, report, article.all_text() + ui)
    timings["fonts"] = time.perf_counter() - started
    names = plan(options.formats)
    pdf_apart = None
    if spare_cores > 0 and "pdf" in names and len(names) > 1:
        pdf_apart = Background.start(lambda own: render_edition("pdf", article, options, own, {}))
        names.remove("pdf")
    rendered: dict[str, bytes] = {}
    for name in names:
        if pdf_apart is not None and "pdf" in EDITIONS[name].needs:
            rendered.update(pdf_apart.result(report, article.path))
            pdf_apart = None
        started = time.perf_counter()
        rendered.update(render_edition(name, article, options, report, rendered))
        timings[name] = time.perf_counter() - started
    if pdf_apart is not None:
        started = time.perf_counter()
        rendered.update(pdf_apart.result(report, article.path))
        timings["pdf (waited for)"] = time.perf_counter() - started
    wanted = {file for name in options.formats for file in EDITIONS[name].files(article.meta.slug)}
    return {name: data for name, data in rendered.items() if name in wanted}


def write_article(job: Job, report: Report, outcome: Outcome) -> None:
    """Render one article and write its editions with their stamp; runs in a worker."""
    article, options, folder = job.article, job.options, job.folder
    assert article is not None and folder is not None
    meta = article.meta
    files = render_article(article, options, report, outcome.timings, job.spare_cores)
    warnings = job.earlier_warnings + report.count_for(article.path)
    if options.strict and warnings:
        raise BuildError(f"{warnings} warning(s) and --strict: nothing written", article.path)
    about = {"title": meta.title, "summary": meta.summary, "date": meta.date.isoformat(), "tags": meta.tags}
    outcome.outputs = with_stamp(folder, meta.slug, files, job.stamp, article.path, options, about)


def with_stamp(
    folder: Path,
    slug: str,
    files: dict[str, bytes],
    stamp: str,
    source: Path | None,
    options: Options,
    about: dict | None = None,
    sources: list[Path] | None = None,
) -> list[Path]:
    """Write the files and the stamp that lets the next build skip them, all or none."""
    stamp_file = STAMP.format(slug=slug)
    recorded = record(stamp, list(files), source, options, about, sources)
    written = write_folder(folder, {**files, stamp_file: recorded}, source)
    return [path for path in written if path.name != stamp_file]


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
        source_date_epoch()  # a bad value stops the build here, not in a worker
        cache.check()
        sources, refused = find_sources(paths)
        result.articles = len(sources) + len(refused)
        check_families(options, report)  # every font the editions use, before a source is read
    except BriefpressError as exc:
        result.errors.append(exc)
        return result
    articles, result.errors = read_all(sources, report, options)
    result.errors[:0] = refused
    result.inputs = {source: [] for source in sources} | {a.path: a.images for a in articles}
    failed = {Path(e.path) for e in result.errors if e.path}
    good = [a for a in articles if a.path not in failed]
    stamps = build_articles(good, options, report, result, progress)
    if options.digest and good:
        built = [a for a in good if a.path not in {Path(e.path) for e in result.errors if e.path}]
        try:
            result.outputs += build_digest(built, options, report, stamps)
        except BriefpressError as exc:
            result.errors.append(exc)
        except Exception as exc:  # a renderer bug: one line, as for an article
            if options.verbosity > 0:
                raise
            result.errors.append(BuildError(f"could not build the digest: {type(exc).__name__}: {exc}"))
    wrote = result.built or any(path.parent.name == options.digest_slug for path in result.outputs)
    if "html" in options.formats and wrote:  # a build that changed nothing leaves the index alone
        job = Job(options.output / "index.html", options)
        [outcome] = run_all([job], refresh_site, options, "the index and the feed are as they were")
        result.index = outcome.outputs
        result.errors += [outcome.error] if outcome.error else []
    result.warnings = list(report.warnings)
    result.seconds = time.perf_counter() - started
    return result


def refresh_site(job: Job, report: Report, outcome: Outcome) -> None:
    """The output folder's index and feed, in a worker: a theme's index template runs
    within --timeout and --max-memory, as an article's templates do."""
    from ..editions import site

    try:
        outcome.outputs = site.refresh(job.options.output, job.options)
    except OSError as exc:
        raise BuildError(f"cannot write the index and the feed: {exc.strerror or exc}", job.path) from None


def build_articles(
    articles: list[Article], options: Options, report: Report, result: BuildResult, progress: Progress | None
) -> dict[Path, str]:
    """Build the articles that changed, in worker processes; their content hashes."""
    shared = resources_hash(options.theme)
    stamps = {a.path: article_hash(a, options, shared) for a in articles}
    done = 0

    def finished(outcome: Outcome) -> None:
        nonlocal done
        done += 1
        report.merge(outcome.warnings, outcome.path, outcome.warning_count)
        result.timings[outcome.path] = outcome.timings
        if outcome.unchanged:
            result.unchanged += 1
        elif outcome.error is not None:
            result.errors.append(outcome.error)
        else:
            result.outputs += outcome.outputs
            result.built += 1
        if progress:
            progress(done, len(articles), outcome)

    jobs = []
    for article in articles:
        article.content_hash = stamps[article.path]
        job = Job(article.path, options, article, stamps[article.path], report.count_for(article.path))
        folder, slug = options.output / article.meta.slug, article.meta.slug
        conflict = None if options.force else owner_conflict(folder, slug, article.path)
        if conflict:
            finished(Outcome(article.path, error=BuildError(conflict, article.path)))
        elif not options.force and stamp_matches(folder, slug, job.stamp):
            finished(Outcome(article.path, unchanged=True))
        else:
            jobs.append(job)
    if jobs:
        prepare(plan(options.formats), options)  # once here: every forked process starts with them
    processes = min(cores(options), len(jobs))
    for job in jobs:  # an article with a core to itself renders its PDF beside its other editions
        job.spare_cores = max(0, cores(options) - processes)
    for outcome in run_all(jobs, write_article, options):
        finished(outcome)
    return stamps


def build_digest(
    articles: list[Article], options: Options, report: Report, stamps: dict[Path, str]
) -> list[Path]:
    """The digest edition: ``DIR/<digest-slug>/`` with every article in one PDF and one EPUB."""
    from ..editions import digest

    assert options.digest is not None
    slug = options.digest_slug
    if any(a.meta.slug == slug for a in articles):
        raise BuildError(
            f"the digest's slug {slug!r} is also an article's; choose another with --digest-slug"
        )
    ordered = digest.order_articles(articles, options.order)
    formats = digest.formats(options)
    stamp = digest.digest_hash(options.digest, slug, [stamps[a.path] for a in ordered] + formats)
    folder = options.output / slug
    conflict = None if options.force else owner_conflict(folder, slug, None)
    if conflict:
        raise BuildError(conflict)
    names = [f"{slug}.{f}" for f in formats]
    if not options.force and stamp_matches(folder, slug, stamp, names):
        return []
    before = len(report.warnings)
    # what the digest prints as boxes: said under each article (once: the same line as its
    # own build's), and under the digest for its name
    for article in ordered:
        warn_unshown(article.all_text(), options, report, article.path)
    warn_unshown(digest.own_text(options), options, report, digest.pdf_location(options))
    chapters = (
        lay_out_chapters(ordered, options, report) if "pdf" in formats and not options.pdf_variant else {}
    )
    spare = cores(options) > 1  # the chapters assembled beside the front matter
    files = digest.render_files(ordered, options, report, chapters, Background.start if spare else None)
    if options.strict and len(report.warnings) > before:
        raise BuildError(f"{len(report.warnings) - before} warning(s) and --strict: digest not written")
    assert set(files) <= set(DIGEST.files(slug))
    dates = sorted(a.meta.date.isoformat() for a in ordered)
    about = {
        "title": options.digest,
        "summary": digest.subtitle(ordered, options),
        "date": dates[-1],
        "digest": True,
    }
    return with_stamp(folder, slug, files, stamp, None, options, about, [a.path for a in ordered])


def lay_out_chapter(job: Job, report: Report, outcome: Outcome) -> None:
    """One article's chapter for a digest; runs in a worker."""
    from ..editions import pdf

    assert job.article is not None
    outcome.data = pdf.chapter(job.article, job.options, report)


def lay_out_chapters(articles: list[Article], options: Options, report: Report) -> dict[Path, bytes]:
    """Each article's chapter: from the cache when its handout (or an earlier digest) laid
    it out, else laid out now, in the worker pool."""
    from ..editions import pdf

    chapters, jobs = {}, []
    prepare(["pdf"], options)
    for article in articles:
        data = pdf.cached_chapter(article, options, report)
        if data is not None:
            chapters[article.path] = data
        else:
            jobs.append(Job(article.path, options, article))
    for outcome in run_all(jobs, lay_out_chapter, options):
        report.merge(outcome.warnings, outcome.path, outcome.warning_count)
        if outcome.error is not None:
            raise outcome.error
        if outcome.data is not None:
            chapters[outcome.path] = outcome.data
    return chapters
