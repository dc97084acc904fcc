"""The digest: an edition over several articles, in one PDF and one EPUB, with a cover
and a table of contents; and one page and one mail (:mod:`.digest_mail`).

Each article keeps the edition order and its own ids (prefixed ``a01-``, ``a02-``, …).
The PDF's table of contents takes its page numbers from ``target-counter``, so they are
the pages the articles really start on.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from ..errors import Report
from ..l10n import labels
from ..model import Article
from ..options import Options
from ..render import Flavour, context, render_template, stylesheet
from . import digest_formats
from .cover import cover_image
from .epub import BookInfo, render_book
from .pagenumbers import stamped
from .pdf import chapter, print_css, write_pdf
from .pdfmerge import Chapter, Info, assemble, chapters_of, merge

if TYPE_CHECKING:
    from .html import Site

#: runs work (given a report of its own) in another process: ``.result(report, path)`` is its value
Apart = Callable[[Callable[[Report], bytes]], Any]


def order_articles(articles: list[Article], order: str) -> list[Article]:
    """Newest first by default; ties keep the order the sources were given in."""
    if order == "date-desc":
        return sorted(articles, key=lambda a: a.meta.date, reverse=True)
    if order == "date-asc":
        return sorted(articles, key=lambda a: a.meta.date)
    if order == "title":
        return sorted(articles, key=lambda a: a.meta.title)
    return list(articles)


def left_out_note(count: int, options: Options) -> str | None:
    """What the contents says of the articles a digest leaves out (--digest-partial)."""
    if not count:
        return None
    ui = labels(options.lang_ui)
    return ui["digest_left_out_one"] if count == 1 else ui["digest_left_out"].format(count=count)


def date_range(articles: list[Article]) -> str:
    dates = sorted(a.meta.date for a in articles)
    first, last = dates[0].isoformat(), dates[-1].isoformat()
    return first if first == last else f"{first} – {last}"


def subtitle(articles: list[Article], options: Options) -> str:
    ui = labels(options.lang_ui)
    return ui["digest_count"].format(count=len(articles)) + " · " + date_range(articles)


def digest_html(
    name: str, articles: list[Article], options: Options, starts: list[int] | None = None, left_out: int = 0
) -> str:
    """The digest as HTML for WeasyPrint: the cover, the contents and every article; with
    ``starts`` (each article's first page), the cover and the contents alone. ``left_out``:
    how many articles failed to build, said under the contents (--digest-partial)."""
    if starts:  # the contents lists titles and dates: nothing else is rendered
        contexts: list[Any] = [SimpleNamespace(meta=article.meta, prefix="") for article in articles]
    else:
        contexts = [
            context(article, options, Flavour("pdf", prefix=f"a{n:02d}-"))
            for n, article in enumerate(articles, start=1)
        ]
    return render_template(
        "digest.html.j2",
        options.theme,
        **_front(name, articles, options, left_out),
        contexts=contexts,
        starts=starts,
        css=print_css(options, "digest.css"),
    )


def _front(name: str, articles: list[Article], options: Options, left_out: int = 0) -> dict[str, Any]:
    """What both digest templates show before the articles: the name, the subtitle, the
    site, and under the contents how many articles were left out."""
    return {
        "left_out": left_out_note(left_out, options),
        "name": name,
        "subtitle": subtitle(articles, options),
        "site_name": options.site_name,
        "ui": labels(options.lang_ui),
        "lang": articles[0].meta.translation_lang,
    }


def render_pdf(
    name: str,
    articles: list[Article],
    options: Options,
    report: Report,
    chapters: dict[Path, bytes] | None = None,
    apart: Apart | None = None,
    left_out: int = 0,
) -> bytes:
    """The digest PDF: the articles' chapters (laid out once each, as for their handouts)
    behind a cover and a contents page, numbered through. ``chapters`` holds those laid
    out elsewhere (in the worker pool); ``apart`` runs work in a process of its own (the
    chapters are assembled there while the front matter is laid out here). A tagged PDF
    (``--pdf-variant``) cannot be assembled from parts: it is laid out as one document."""
    key = f"digest:{name}:" + ":".join(a.meta.slug for a in articles)
    if options.pdf_variant:
        return single_document(name, articles, options, report, left_out)
    chapters = chapters or {}
    parts = chapters_of(
        [(a.meta.title, chapters.get(a.path) or chapter(a, options, report)) for a in articles]
    )
    body = apart(lambda _: assemble(parts)) if apart else None
    front = front_matter(name, articles, parts, options, report, key, left_out)
    info = Info(
        title=name,
        author=options.site_name,
        subject=subtitle(articles, options),
        keywords=", ".join(sorted({t for a in articles for t in a.meta.tags})),
        lang=articles[0].meta.translation_lang,
        identifier=hashlib.sha256(key.encode()).digest()[:16],
    )
    return merge(front, body.result(report, articles[0].path) if body else assemble(parts), options, info)


def render_page(name: str, articles: list[Article], options: Options, left_out: int = 0) -> str:
    """The digest as one reading page: a cover, the contents, every article with the views."""
    from .html import views

    contexts = [
        context(article, options, Flavour("html", prefix=f"a{n:02d}-"))
        for n, article in enumerate(articles, start=1)
    ]
    offered = [
        view for view in views(articles[0], options) if all(view in views(a, options) for a in articles)
    ]
    return render_template(
        "digest_page.html.j2",
        options.theme,
        **_front(name, articles, options, left_out),
        contexts=contexts,
        views=offered,
        site=page_site(options),
        css=stylesheet(options, "base.css", "screen.css", "digest-page.css"),
    )


def page_site(options: Options) -> Site:
    """The digest page's site bar: the index one folder up, as an article page's, and the
    digest's PDF and EPUB when this build writes them (:data:`.declared.digest.EDITION`'s
    links, as :func:`.html.downloads` reads an article's)."""
    from .declared.digest import EDITION
    from .html import Site, files_to_download, site_index

    built = [(file, label) for file, label in EDITION.links if file.rsplit(".", 1)[1] in formats(options)]
    return Site(options.site_name, site_index(), files_to_download(built, options.digest_slug))


def single_document(
    name: str, articles: list[Article], options: Options, report: Report, left_out: int = 0
) -> bytes:
    """The digest laid out as one document (for tagged PDFs), numbered through from the
    first article's page as an assembled one is (:func:`.pagenumbers.stamped`)."""
    from .pdfdoc import opened, save, writes_object_streams

    key = f"digest:{name}:" + ":".join(a.meta.slug for a in articles)
    html = digest_html(name, articles, options, left_out=left_out)
    data = write_pdf(
        html,
        articles[0],
        options,
        report,
        key,
        articles=articles,
        location=(pdf_location(options), own_text(options)),
    )
    with opened(data) as pdf, stamped(pdf, range(first_article_page(pdf), len(pdf.pages)), options):
        return save(pdf, object_streams=writes_object_streams(options))


def first_article_page(pdf: Any) -> int:
    """Where the first article starts in a digest laid out as one (its first bookmark;
    the cover and the contents have none): the first numbered page."""
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    with pdf.open_outline() as outline:
        target = outline.root[0].destination if outline.root else None
    return pages.get(target[0].objgen, 0) if target is not None and len(target) else 0


def front_matter(
    name: str,
    articles: list[Article],
    parts: list[Chapter],
    options: Options,
    report: Report,
    key: str,
    left_out: int = 0,
) -> bytes:
    """The cover and the contents, with the page each article starts on."""
    from .pdfdoc import opened

    pages = 2 + len(articles) // 20  # the cover, and about twenty entries a page
    for _ in range(4):  # the contents' length decides where the articles start, and back
        starts = [pages + 1 + sum(part.pages for part in parts[:n]) for n in range(len(parts))]
        html = digest_html(name, articles, options, starts, left_out)
        data = write_pdf(
            html,
            articles[0],
            options,
            report,
            key + ":front",
            articles=articles,
            location=(pdf_location(options), own_text(options)),
        )
        with opened(data) as pdf:
            laid_out = len(pdf.pages)
        if laid_out == pages:
            return data
        pages = laid_out
    return data


def pdf_location(options: Options) -> Path:
    """Where the digest PDF is written: what its own warnings (its name's characters) name."""
    return options.output / options.digest_slug / f"{options.digest_slug}.pdf"


def own_text(options: Options) -> str:
    """What the digest shows that no article holds: its name and the site's."""
    return (options.digest or "") + options.site_name


def render_epub(name: str, slug: str, articles: list[Article], options: Options, left_out: int = 0) -> bytes:
    key = f"briefpress-digest:{slug}:{name}:" + ",".join(a.meta.slug for a in articles)
    line = subtitle(articles, options)
    info = BookInfo(
        identifier=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}",
        title=name,
        language=articles[0].meta.translation_lang,
        date=max(a.meta.date for a in articles),
        cover=cover_image(name, None, line, options, [a.meta.title for a in articles]),
        cover_alt=f"{name}. {line}",
        authors=[options.site_name],
        description=" / ".join(a.meta.title for a in articles),
        subjects=sorted({t for a in articles for t in a.meta.tags}),
        publisher=options.site_name,
        contents_note=left_out_note(left_out, options),
    )
    return render_book(info, articles, options, articles[0].path)


def formats(options: Options) -> list[str]:
    return digest_formats(options.formats)


def render_files(
    articles: list[Article],
    options: Options,
    report: Report,
    chapters: dict[Path, bytes] | None = None,
    apart: Apart | None = None,
    left_out: int = 0,
) -> dict[str, bytes]:
    """The digest's files, by name, for ``articles`` in the order given (``apart``: see
    :func:`render_pdf`); ``left_out`` articles failed to build (--digest-partial). The
    mail attaches the PDF: it is laid out for it, and written when asked for or linked."""
    from .digest_mail import render_files as mail_files

    assert options.digest is not None
    slug, files, made = options.digest_slug, {}, formats(options)
    if "html" in made:
        files[f"{slug}.html"] = render_page(options.digest, articles, options, left_out).encode("utf-8")
    if "pdf" in made or "newsletter" in made:
        pdf = render_pdf(options.digest, articles, options, report, chapters, apart, left_out)
        files |= {f"{slug}.pdf": pdf} if "pdf" in made else {}
    if "epub" in made:
        files[f"{slug}.epub"] = render_epub(options.digest, slug, articles, options, left_out)
    if "newsletter" in made:
        files |= mail_files(options.digest, subtitle(articles, options), articles, options, report, pdf)
    return files


def digest_hash(name: str, slug: str, article_hashes: list[str]) -> str:
    return hashlib.sha256("\n".join([name, slug, *article_hashes]).encode()).hexdigest()
