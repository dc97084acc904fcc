"""The digest of a build: every article that built, in one PDF, one EPUB and one page."""

from __future__ import annotations

from pathlib import Path

from ..editions import DIGEST, digest_files, module, plan, prepare
from ..errors import BuildError, Report
from ..fonts import warn_unshown
from ..model import Article
from ..options import Options
from .stamps import options_hash, owner_conflict, stamp_matches, with_stamp
from .workers import Background, Job, Outcome, cores, run_all


def digest_of(
    articles: list[Article], failed: list[str], total: int, options: Options, report: Report, stamps: dict
) -> list[Path]:
    """The digest of the articles that built. When any of the ``total`` articles failed (the
    ``failed`` sources), there is none (an issue must not go to print with an article
    missing) unless ``--digest-partial`` leaves them out, and its contents says so."""
    folder = options.output / options.digest_slug
    if failed and not options.digest_partial:
        names = ", ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3 else "")
        raise BuildError(
            f"the digest is not written: {len(failed)} of {total} article(s) failed to build ({names}); "
            "fix them, or build with --digest-partial to leave them out",
            folder,
        )
    if not articles:
        raise BuildError("the digest is not written: no article built", folder)
    return build_digest(articles, options, report, stamps, len(failed))


def build_digest(
    articles: list[Article], options: Options, report: Report, stamps: dict[Path, str], left_out: int = 0
) -> list[Path]:
    """The digest edition: ``DIR/<digest-slug>/`` with every article in one PDF and one EPUB;
    ``left_out``: how many articles failed and are not in it (--digest-partial)."""
    digest = module(DIGEST.name)
    assert options.digest is not None
    slug = options.digest_slug
    if any(a.meta.slug == slug for a in articles):
        raise BuildError(
            f"the digest's slug {slug!r} is also an article's; choose another with --digest-slug"
        )
    ordered = digest.order_articles(articles, options.order)
    formats = digest.formats(options)
    # each article with the options that change the digest or the editions it is made in
    changing = ["digest", *plan(tuple(formats))]
    parts = [options_hash(stamps[a.path], options, changing) for a in ordered] + formats
    parts += [f"left out: {left_out}"] if left_out else []
    stamp = digest.digest_hash(options.digest, slug, parts)
    folder = options.output / slug
    conflict = None if options.force else owner_conflict(folder, slug, None)
    if conflict:
        raise BuildError(conflict)
    names = digest_files(slug, formats)
    # the mail's PDF is written when the mail links to it, not attached
    linked = [*names, f"{slug}.pdf"] if "newsletter" in formats and "pdf" not in formats else names
    if not options.force and any(stamp_matches(folder, slug, stamp, n) for n in (names, linked)):
        return []
    before = report.count(options.strict)
    # what the digest prints as boxes: said under each article (once: the same line as its
    # own build's), and under the digest for its name
    for article in ordered:
        warn_unshown(article.all_text(), options, report, article.path)
    warn_unshown(digest.own_text(options), options, report, digest.pdf_location(options))
    # the editions it needs of each article: the handout's chapters, laid out once each
    laid_out = "pdf" in plan(tuple(formats)) and "pdf" in DIGEST.needs and not options.pdf_variant
    chapters = lay_out_chapters(ordered, options, report) if laid_out else {}
    spare = cores(options) > 1  # the chapters assembled beside the front matter
    files = digest.render_files(
        ordered, options, report, chapters, Background.start if spare else None, left_out
    )
    if report.count(options.strict) > before:
        raise BuildError(
            f"{report.count(options.strict) - before} warning(s) and --strict: digest not written"
        )
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
    assert job.article is not None
    outcome.data = module("pdf").chapter(job.article, job.options, report)


def lay_out_chapters(articles: list[Article], options: Options, report: Report) -> dict[Path, bytes]:
    """Each article's chapter: from the cache when its handout (or an earlier digest) laid
    it out, else laid out now, in the worker pool."""
    chapters, jobs = {}, []
    prepare(["pdf"], options)
    for article in articles:
        data = module("pdf").cached_chapter(article, options, report)
        if data is not None:
            chapters[article.path] = data
        else:
            jobs.append(Job(article.path, options, article))
    for outcome in run_all(jobs, lay_out_chapter, options):
        report.merge(outcome.warnings, outcome.path, outcome.warning_counts)
        if outcome.error is not None:
            raise outcome.error
        if outcome.data is not None:
            chapters[outcome.path] = outcome.data
    return chapters
