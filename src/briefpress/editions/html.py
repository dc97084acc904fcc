"""The HTML edition: one self-contained page per article, CSS and images inside it."""

from __future__ import annotations

from ..errors import Report
from ..model import Article
from ..options import Options
from ..render import Flavour, context, render_template, stylesheet

EXTENSION = "html"


def render_html(article: Article, options: Options, *styles: str, paged: bool = False, page: str = "") -> str:
    """The article as one HTML document with the given stylesheets (and page rules) embedded."""
    return render_template(
        "article.html.j2",
        c=context(article, options, Flavour("html", paged=paged)),
        css=stylesheet(options, *styles, paged=paged) + page,
        edition="pdf" if paged else "html",
    )


def render(article: Article, options: Options, report: Report) -> bytes:
    return render_html(article, options, "base.css", "screen.css").encode("utf-8")
