"""The ordered steps of a build: find sources, read them all, check, render, write.

Every source is read and validated before anything is written (as MkDocs does), and
each article's editions are rendered in memory and then moved into place together
(:mod:`.output`), so a failed build never leaves a truncated or half-replaced edition.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import cache
from ..editions import EDITIONS, plan, prepare, render_edition
from ..errors import BriefpressError, BuildError, Finding, Report, SourceError, SourceErrors, UsageError
from ..fontcheck import check_families
from ..fonts import check_fonts
from ..l10n import labels
from ..model import GIVEN, Article
from ..options import Options, source_date_epoch
from ..sources import Given, read_article, read_given
from ..sources.frontmatter import is_draft
from .digests import digest_of
from .find import Found, find, find_sources
from .interrupt import interrupted
from .lock import output_lock
from .prune import Retired, retire
from .stamps import (
    edition_hashes,
    kept_editions,
    made_of,
    options_hash,
    owner_conflict,
    recorded_editions,
    resources_hash,
    with_stamp,
)
from .workers import Background, Job, Outcome, cores, run_all

__all__ = ["BuildResult", "build", "find_sources", "render_article", "run_all"]


@dataclass
class BuildResult:
    """What a build did: the files it wrote, its warnings and the problems it met."""

    outputs: list[Path] = field(default_factory=list)
    #: the warnings' lines, as printed (``str()`` of each of ``findings``)
    warnings: list[str] = field(default_factory=list)
    #: the warnings as records: file, line, column, code, message
    findings: list[Finding] = field(default_factory=list)
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
    #: files of the folders named that were not built, and why: NOT_AN_ARTICLE, DRAFT
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    #: the sources that failed (read, checked, rendered or written)
    failed: list[Path] = field(default_factory=list)
    #: how many articles that failed the digest leaves out (--digest-partial)
    left_out: int = 0
    #: what the punctuation fix changed in the articles built: marks, spaces dropped
    punctuation_fixed: tuple[int, int] = (0, 0)
    #: the articles whose sources are gone from the folders built: unlisted, or removed
    retired: Retired = field(default_factory=Retired)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


Progress = Callable[[int, int, Outcome], None]


def read_all(
    found: Found, report: Report, options: Options, result: BuildResult, given: Iterable[Given] = ()
) -> list[Article]:
    """Every source read and checked, each in a worker within the limits, but the drafts
    found in folders, and the articles ``given`` in memory (read here); no two may share
    a slug. Problems go to ``result.errors``."""
    articles: list[Article] = []
    errors = result.errors
    jobs = [Job(path, options, found=path in found.in_folders) for path in found.sources]
    outcomes = {o.path: o for o in run_all(jobs, read_source, options)}
    for source in found.sources:
        outcome = outcomes[source]
        report.merge(outcome.warnings, source, outcome.warning_counts)
        if outcome.skipped is not None:
            result.skipped.append((source, outcome.skipped))
            result.articles -= 1
        elif isinstance(outcome.error, SourceErrors):
            errors.extend(outcome.error.errors)
            result.failed.append(source)
        elif outcome.error is not None:
            errors.append(outcome.error)
            result.failed.append(source)
        elif outcome.article is not None:
            articles.append(outcome.article)
    for number, item in enumerate(given, start=1):
        try:
            articles.append(read_given(item, number, report, options))
        except BriefpressError as exc:
            errors.append(exc)
            result.failed.append(Path(exc.path or GIVEN.format(name=number)))
    by_slug: dict[str, Article] = {}
    for article in articles:
        other = by_slug.setdefault(article.meta.slug, article)
        if other is not article:
            result.failed.append(article.path)
            errors.append(
                SourceError(
                    f"slug {article.meta.slug!r} is also used by {other.path}; set a different "
                    "'slug:' in the front matter",
                    article.path,
                )
            )
    return articles


#: why a file of a folder was not built
NOT_AN_ARTICLE, DRAFT = "no front matter", "draft"


def read_source(job: Job, report: Report, outcome: Outcome) -> None:
    """Read one source, unless it is a draft found in a folder; runs in a worker."""
    if job.found and is_draft(job.path):
        outcome.skipped = DRAFT
        return
    outcome.article = read_article(job.path, report, job.options)


def render_article(
    article: Article,
    options: Options,
    report: Report,
    timings: dict[str, float] | None = None,
    spare_cores: int = 0,
    kept: dict[str, list[str]] | None = None,
) -> dict[str, bytes]:
    """The files of the requested editions of one article, as bytes.

    An edition another one needs (the newsletter attaches the PDF) is rendered first,
    and kept in memory only when it was not asked for. With a spare core, the PDF (the
    longest) is rendered in a process of its own while the others are made here.
    ``timings``, when given, receives the seconds each step took. The ``kept`` editions
    (their files as the last build wrote them, still right) are not rendered: an edition
    that needs one reads its files from the article's folder.
    """
    timings = {} if timings is None else timings
    started = time.perf_counter()
    ui = "".join(labels(options.lang_ui).values())
    check_fonts(article, options, report, article.all_text() + ui)
    timings["fonts"] = time.perf_counter() - started
    kept = kept or {}
    names = [name for name in plan(tuple(f for f in options.formats if f not in kept)) if name not in kept]
    rendered = kept_files(options.output / article.meta.slug, kept, names)
    pdf_apart = None
    if spare_cores > 0 and "pdf" in names and len(names) > 1:
        pdf_apart = Background.start(lambda own: render_edition("pdf", article, options, own, {}))
        names.remove("pdf")
    for name in names:
        if pdf_apart is not None and uses_pdf(name, options):
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


def uses_pdf(name: str, options: Options) -> bool:
    """Whether edition ``name`` needs the PDF's files, or reuses its layout (the same paper):
    then it is rendered once the PDF is."""
    edition = EDITIONS[name]
    return "pdf" in edition.needs or ("pdf", options.paper) in edition.reuses


def kept_files(folder: Path, kept: dict[str, list[str]], names: list[str]) -> dict[str, bytes]:
    """The files of the kept editions that one of the editions ``names`` needs."""
    wanted = {needed for name in names for needed in EDITIONS[name].needs if needed in kept}
    return {file: (folder / file).read_bytes() for name in sorted(wanted) for file in kept[name]}


def write_article(job: Job, report: Report, outcome: Outcome) -> None:
    """Render one article and write its editions with their stamp; runs in a worker."""
    article, options, folder = job.article, job.options, job.folder
    assert article is not None and folder is not None
    meta = article.meta
    files = render_article(article, options, report, outcome.timings, job.spare_cores, job.kept)
    files = {name: data for name, data in files.items() if not any(name in f for f in job.kept.values())}
    warnings = job.earlier_warnings + report.count_for(article.path, options.strict)
    if warnings:
        raise BuildError(f"{warnings} warning(s) and --strict: nothing written", article.path)
    about = {"title": meta.title, "summary": meta.summary, "date": meta.date.isoformat(), "tags": meta.tags}
    made = {
        name: {"hash": job.editions[name], "files": job.kept.get(name) or made_by(name, meta.slug, files)}
        for name in options.formats
    }
    sizes = {file: (folder / file).stat().st_size for name in job.kept for file in job.kept[name]}
    outcome.outputs = with_stamp(
        folder, meta.slug, files, job.stamp, article.path, options, about, editions=made, kept=sizes
    )


def made_by(name: str, slug: str, files: dict[str, bytes]) -> list[str]:
    """The files of ``files`` that edition ``name`` wrote."""
    return [file for file in EDITIONS[name].files(slug) if file in files]


def build(
    paths: Iterable[str | Path | Given],
    options: Options | None = None,
    report: Report | None = None,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build every article named by ``paths`` into ``options.output``: files and folders,
    and articles given in memory (``Article`` objects, dicts in the JSON reader's shape;
    see :func:`~briefpress.sources.read_given`).

    Articles whose sources, images, templates, styles, options and briefpress version
    are unchanged since their last build are skipped (unless ``options.force``); the
    others are built in a pool of ``options.jobs`` worker processes. Problems with one
    article do not stop the others; they are returned in ``BuildResult.errors`` (with
    ``--strict``, warnings count as problems). ``progress(done, total, outcome)`` is
    called as each article finishes. While it writes, the build holds the output
    folder's lock: ``notice`` is told when it waits for another build (None: stderr).
    """
    started = time.perf_counter()
    options = options or Options()
    report = report or Report()
    report.suppress |= set(options.suppress)  # said in the workers, and here too
    result = BuildResult()
    try:
        source_date_epoch()  # a bad value stops the build here, not in a worker
        cache.check()
        paths = list(paths)
        given = [item for item in paths if isinstance(item, (Article, dict))]
        files = [item for item in paths if not isinstance(item, (Article, dict))]
        for item in files:
            if not isinstance(item, (str, Path)):
                what = f"{type(item).__name__} {item!r:.60}"
                raise UsageError(f"cannot build {what}: give a path, an Article or a dict")
        found = find(files) if files or not given else Found()
        result.articles = len(found.sources) + len(found.refused) + len(given)
        check_families(options, report)  # every font the editions use, before a source is read
    except BriefpressError as exc:
        result.errors.append(exc)
        return result
    result.skipped = [(path, NOT_AN_ARTICLE) for path in found.not_articles]
    result.errors += found.refused
    result.failed = [Path(error.path) for error in found.refused if error.path]
    try:
        articles = read_all(found, report, options, result, given)
        result.inputs = {source: [] for source in found.sources} | {a.path: a.images for a in articles}
        good = [a for a in articles if a.path not in set(result.failed)]
        if good or options.digest or found.folders:
            with output_lock(options, notice):
                write_outputs(good, found.folders, options, report, result, progress)
    except BriefpressError as exc:  # the output folder's lock
        result.errors.append(exc)
    except KeyboardInterrupt:  # Ctrl-C: the workers are stopped, nothing is half written
        raise interrupted(result) from None
    result.warnings, result.findings = list(report.warnings), list(report.findings)
    result.seconds = time.perf_counter() - started
    return result


def write_outputs(
    good: list[Article],
    folders: list[Path],
    options: Options,
    report: Report,
    result: BuildResult,
    progress: Progress | None,
) -> None:
    """The articles that changed, the digest, the index and the feed, written; the articles
    whose sources are gone from ``folders`` unlisted (or removed, --prune)."""
    stamps = build_articles(good, options, report, result, progress)
    if options.digest:
        failed = list(dict.fromkeys(result.failed))
        built = [a for a in good if a.path not in failed]
        try:
            names = [str(path) for path in failed]
            result.outputs += digest_of(built, names, result.articles, options, report, stamps)
            result.left_out = len(failed)
        except BriefpressError as exc:
            result.errors.append(exc)
        except Exception as exc:  # a renderer bug: one line, as for an article
            if options.verbosity > 0:
                raise
            result.errors.append(BuildError(f"could not build the digest: {type(exc).__name__}: {exc}"))
    if folders and options.output.is_dir():
        result.retired = retire(options.output, folders, options.prune)
    wrote = result.built or any(path.parent.name == options.digest_slug for path in result.outputs)
    retired = result.retired.unlisted or result.retired.pruned
    # a build that changed nothing leaves the index alone
    if ("html" in options.formats and wrote) or (retired and (options.output / "index.html").exists()):
        job = Job(options.output / "index.html", options)
        [outcome] = run_all([job], refresh_site, options, "the index and the feed are as they were")
        result.index = outcome.outputs
        result.errors += [outcome.error] if outcome.error else []


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
    """Build the articles whose editions changed, in worker processes (each edition whose
    hash is the one its stamp recorded is kept as it is); their content hashes
    (:func:`.stamps.made_of`, the options aside)."""
    shared = resources_hash(options.theme)
    contents = {a.path: made_of(a, shared) for a in articles}
    fixed = {a.path: a.punctuation_fixed for a in articles}
    done = 0

    def finished(outcome: Outcome) -> None:
        nonlocal done
        done += 1
        report.merge(outcome.warnings, outcome.path, outcome.warning_counts)
        result.timings[outcome.path] = outcome.timings
        if outcome.unchanged:
            result.unchanged += 1
        elif outcome.error is not None:
            result.errors.append(outcome.error)
            result.failed.append(outcome.path)
        else:
            result.outputs += outcome.outputs
            result.built += 1
            marks, spaces = result.punctuation_fixed
            result.punctuation_fixed = (marks + fixed[outcome.path][0], spaces + fixed[outcome.path][1])
        if progress:
            progress(done, len(articles), outcome)

    jobs = []
    for article in articles:
        article.content_hash = contents[article.path]  # the chapter cache adds the PDF's options
        stamp = options_hash(contents[article.path], options)
        earlier = report.count_for(article.path, options.strict)
        job = Job(article.path, options, article, stamp, earlier)
        job.editions = edition_hashes(contents[article.path], options, article.meta.slug)
        folder, slug = options.output / article.meta.slug, article.meta.slug
        conflict = None if options.force else owner_conflict(folder, slug, article.path)
        job.kept = {} if options.force or conflict else kept_editions(folder, slug, job.editions)
        if conflict:
            finished(Outcome(article.path, error=BuildError(conflict, article.path)))
        elif job.kept.keys() == set(options.formats) and recorded_editions(folder, slug) == job.kept.keys():
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
    return contents
