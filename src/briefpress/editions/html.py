"""The HTML edition: one self-contained page per article, CSS and images inside it."""

from __future__ import annotations

from ..errors import Report
from ..model import Article, edition_sections
from ..options import Options
from ..render import Flavour, context, render_template, stylesheet

EXTENSION = "html"


def views(article: Article, options: Options) -> list[str]:
    """The views the reading page offers: all, and those the article has the sections for."""
    sections = edition_sections(article)
    offered = ["all", "brief"] if "brief" in sections else ["all"]
    if "bilingual" in sections:
        offered += ["bilingual"] if options.translation_only else ["bilingual", "translation"]
    return [*offered, "original"]


def render_html(article: Article, options: Options, css: str, edition: str = "html") -> str:
    """The article as one HTML document with ``css`` embedded, for the HTML page or the PDF."""
    return render_template(
        "article.html.j2",
        options.theme,
        c=context(article, options, Flavour(edition)),
        css=css,
        edition=edition,
        views=views(article, options),
    )


def render(article: Article, options: Options, report: Report) -> bytes:
    css = stylesheet(options, "base.css", "screen.css")
    return render_html(article, options, css).encode("utf-8")
