"""The HTML edition: one self-contained page per article, CSS and images inside it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import Report
from ..fields import SITE_FILES
from ..model import Article, edition_sections
from ..options import Options
from ..render import Flavour, context, render_template, stylesheet

EXTENSION = "html"


@dataclass(frozen=True)
class Site:
    """What the reading page says of the folder it is in: the site's name, the index
    (relative to the page) and the article's other editions to download."""

    name: str
    index: str
    #: (file name beside the page, label), in the editions' order
    downloads: list[tuple[str, str]] = field(default_factory=list)


def views(article: Article, options: Options) -> list[str]:
    """The views the reading page offers: all, and those the article has the sections for."""
    sections = edition_sections(article)
    offered = ["all", "brief"] if "brief" in sections else ["all"]
    if "bilingual" in sections:
        offered += ["bilingual"] if options.translation_only else ["bilingual", "translation"]
    return [*offered, "original"]


def downloads(slug: str, options: Options) -> list[tuple[str, str]]:
    """The files of this build's other editions a reader downloads: each edition's first
    declared link (its own file, always written: not the copy shop's booklet, which only
    ``--imposition`` makes). Only editions ``--formats`` builds, so that no link leads to
    a file this build did not write."""
    from . import EDITIONS

    return files_to_download(
        [e.links[0] for name, e in EDITIONS.items() if name in options.formats and e.links], slug
    )


def files_to_download(links: Iterable[tuple[str, str]], slug: str) -> list[tuple[str, str]]:
    """Declared links (``{slug}.pdf``, label) as (file, label), but for pages: a page is
    read, not downloaded."""
    return [(file.format(slug=slug), label) for file, label in links if not file.endswith(".html")]


def site(article: Article, options: Options) -> Site:
    """The page's place in the output folder. The index is ``OUTPUT/index.html`` and the
    page ``OUTPUT/<slug>/<slug>.html``; every build that writes a page refreshes the
    index (``build.steps``, ``editions.site``), so the link to it always leads somewhere."""
    return Site(options.site_name, site_index(), downloads(article.meta.slug, options))


def site_index() -> str:
    """The index, from a page one folder below the output folder (an article's, a digest's)."""
    return f"../{SITE_FILES[0]}"


def render_html(article: Article, options: Options, css: str, edition: str = "html") -> str:
    """The article as one HTML document with ``css`` embedded, for the HTML page or the PDF."""
    return render_template(
        "article.html.j2",
        options.theme,
        c=context(article, options, Flavour(edition)),
        css=css,
        edition=edition,
        views=views(article, options),
        site=site(article, options),
    )


def render(article: Article, options: Options, report: Report) -> bytes:
    css = stylesheet(options, "base.css", "screen.css")
    return render_html(article, options, css).encode("utf-8")
