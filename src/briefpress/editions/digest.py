"""The digest: an edition over several articles, in one PDF and one EPUB, with a cover
and a table of contents.

Each article keeps the edition order and its own ids (prefixed ``a01-``, ``a02-``, …).
The PDF's table of contents takes its page numbers from ``target-counter``, so they are
the pages the articles really start on.
"""

from __future__ import annotations

import hashlib
import uuid

from ..errors import Report
from ..l10n import labels
from ..model import Article
from ..options import Options
from ..render import Flavour, context, render_template
from .cover import cover_image
from .epub import BookInfo, render_book
from .pdf import print_css, write_pdf

#: the editions a digest is made in, when they are asked for (both when neither is)
FORMATS = ("pdf", "epub")


def order_articles(articles: list[Article], order: str) -> list[Article]:
    """Newest first by default; ties keep the order the sources were given in."""
    if order == "date-desc":
        return sorted(articles, key=lambda a: a.meta.date, reverse=True)
    if order == "date-asc":
        return sorted(articles, key=lambda a: a.meta.date)
    if order == "title":
        return sorted(articles, key=lambda a: a.meta.title)
    return list(articles)


def date_range(articles: list[Article]) -> str:
    dates = sorted(a.meta.date for a in articles)
    first, last = dates[0].isoformat(), dates[-1].isoformat()
    return first if first == last else f"{first} – {last}"


def subtitle(articles: list[Article], options: Options) -> str:
    ui = labels(options.lang_ui)
    return ui["digest_count"].format(count=len(articles)) + " · " + date_range(articles)


def digest_html(name: str, articles: list[Article], options: Options) -> str:
    """The digest as one HTML document for WeasyPrint: cover, contents, every article."""
    contexts = [
        context(article, options, Flavour("pdf", prefix=f"a{n:02d}-"))
        for n, article in enumerate(articles, start=1)
    ]
    return render_template(
        "digest.html.j2",
        name=name,
        subtitle=subtitle(articles, options),
        site_name=options.site_name,
        contexts=contexts,
        ui=labels(options.lang_ui),
        lang=articles[0].meta.translation_lang,
        css=print_css(options, "digest.css"),
    )


def render_pdf(name: str, articles: list[Article], options: Options, report: Report) -> bytes:
    key = ":".join(a.meta.slug for a in articles)
    html = digest_html(name, articles, options)
    return write_pdf(html, articles[0], options, report, key=f"digest:{name}:{key}")


def render_epub(name: str, slug: str, articles: list[Article], options: Options) -> bytes:
    key = f"briefpress-digest:{slug}:{name}:" + ",".join(a.meta.slug for a in articles)
    line = subtitle(articles, options)
    info = BookInfo(
        identifier=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}",
        title=name,
        language=articles[0].meta.translation_lang,
        date=max(a.meta.date for a in articles),
        cover=cover_image(name, " / ".join(a.meta.title for a in articles[:6]), line, options),
        cover_alt=f"{name}. {line}",
        authors=[options.site_name],
        description=" / ".join(a.meta.title for a in articles),
        subjects=sorted({t for a in articles for t in a.meta.tags}),
        publisher=options.site_name,
    )
    return render_book(info, articles, options, articles[0].path)


def formats(options: Options) -> list[str]:
    return [f for f in FORMATS if f in options.formats] or list(FORMATS)


def render_files(articles: list[Article], options: Options, report: Report) -> dict[str, bytes]:
    """The digest's files, by name, for ``articles`` in the order given."""
    assert options.digest is not None
    slug, files = options.digest_slug, {}
    if "pdf" in formats(options):
        files[f"{slug}.pdf"] = render_pdf(options.digest, articles, options, report)
    if "epub" in formats(options):
        files[f"{slug}.epub"] = render_epub(options.digest, slug, articles, options)
    return files


def digest_hash(name: str, slug: str, article_hashes: list[str]) -> str:
    return hashlib.sha256("\n".join([name, slug, *article_hashes]).encode()).hexdigest()
